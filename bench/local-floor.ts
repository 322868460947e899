// npm run bench:local -- --repos DIR [--limit N] [--rounds N]: a local crawl of each repository in
// DIR (a folder of clones; never committed) against the floor, the git work any crawler must do for
// the same facts: `ls-tree` of the head, one `cat-file --batch` of exactly the blobs the enabled
// checks read (their `reads` patterns, within the size cap), one `log --name-status` of the history
// window. Prints JSON: per repository the floor, the crawl inside the process (in this process,
// after start-up) and the whole `seaworthy crawl` process, their ratios and the process's peak RSS.
// Targets (issue "Crawl at the speed of git"): inside ≤ 3× the floor, whole process ≤ 4×, RSS < 400 MB.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { KIND_READS } from '../crawler/kind.ts';
import { parseConfig } from '../crawler/config.ts';
import { gitArgs, gitEnv } from '../crawler/git/run.ts';
import { parseLsTree } from '../crawler/git/reader.ts';
import { createLogger } from '../crawler/log.ts';
import { crawl, enabledChecks } from '../crawler/run.ts';
import { compilePatterns } from '../crawler/sources/snapshot.ts';

const { values } = parseArgs({ options: { repos: { type: 'string' }, limit: { type: 'string' }, rounds: { type: 'string', default: '3' } } });
if (!values.repos) {
  process.stderr.write('usage: npm run bench:local -- --repos DIR [--limit N] [--rounds N]\n');
  process.exit(2);
}
const ROUNDS = Number(values.rounds);
const CLI = path.join(import.meta.dirname, '..', 'bin', 'seaworthy.mjs');
const work = mkdtempSync(path.join(os.tmpdir(), 'sw-bench-local-'));
const quiet = createLogger({ quiet: true });

function git(cwd: string, args: string[], input?: Buffer): Buffer {
  const run = spawnSync('git', gitArgs(args, { protocols: ['file'] }), { cwd, env: gitEnv({ cwd }), input, maxBuffer: 1 << 30 });
  if (run.status !== 0) throw new Error(`git ${args[0]} in ${cwd}: ${run.stderr.toString().slice(0, 300)}`);
  return run.stdout;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const repoDirs = readdirSync(values.repos)
  .filter((name) => !name.startsWith('.'))
  .map((name) => path.join(values.repos!, name))
  .filter((dir) => statSync(dir).isDirectory()) // through symlinks: a folder of links to clones works
  .filter((dir) => spawnSync('git', ['rev-parse', '--git-dir'], { cwd: dir }).status === 0)
  .slice(0, values.limit ? Number(values.limit) : undefined);

const results: Record<string, unknown>[] = [];
try {
  for (const [index, dir] of repoDirs.entries()) {
    const name = path.basename(dir);
    const folder = path.join(work, `r${index}`);
    mkdirSync(path.join(folder, 'repos'), { recursive: true });
    symlinkSync(path.resolve(dir), path.join(folder, 'repos', name));
    const configText = `database: bench.db\nregistries:\n  offline: true\nsources:\n  - type: local\n    paths: ['repos/*']\n`;
    const configFile = path.join(folder, 'seaworthy.config.yaml');
    writeFileSync(configFile, configText);
    const config = parseConfig(configText, configFile);
    const checks = enabledChecks(config);
    const wanted = compilePatterns([...new Set([...KIND_READS, ...checks.flatMap((c) => c.check.meta.reads)])]);

    // The floor, timed as the median of ROUNDS.
    const floorMs: number[] = [];
    let blobs = 0;
    let blobBytes = 0;
    let commits = 0;
    let files = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      const head = git(dir, ['rev-parse', 'HEAD']).toString().trim();
      const tree = parseLsTree(git(dir, ['ls-tree', '-r', '-l', '-z', '--full-tree', head]));
      const read = tree.filter((f) => f.kind === 'file' && wanted(f.path) && f.size <= config.crawl.maxFileBytes);
      const out = git(dir, ['cat-file', '--batch'], Buffer.from([...new Set(read.map((f) => f.oid))].join('\n') + '\n'));
      const log = git(dir, ['log', '-z', '--first-parent', '--diff-merges=first-parent', '--no-ext-diff', '--no-textconv', '--format=%H%x00%cI%x00%an%x00%B%x00', '--name-status', `-n${config.crawl.historyLimit}`, head, '--']);
      floorMs.push(performance.now() - started);
      files = tree.length;
      blobs = read.length;
      blobBytes = out.length;
      commits = log.toString('utf8').split('\0').filter((t) => /^\n?[0-9a-f]{40}$/.test(t)).length;
    }

    const insideMs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      rmSync(path.join(folder, 'bench.db'), { force: true });
      const started = performance.now();
      const summary = await crawl(config, { dbPath: path.join(folder, 'bench.db'), logger: quiet });
      insideMs.push(performance.now() - started);
      if (summary.errors.length > 0) throw new Error(`${name}: ${summary.errors[0]!.error}`);
    }

    const processMs: number[] = [];
    let peakRssMb = 0;
    for (let round = 0; round < ROUNDS; round++) {
      rmSync(path.join(folder, 'bench.db'), { force: true });
      const started = performance.now();
      const run = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, CLI, 'crawl', '-c', configFile, '-q'], { encoding: 'utf8' });
      processMs.push(performance.now() - started);
      if ((run.status ?? 9) > 1) throw new Error(`${name}: crawl exited ${run.status}: ${run.stderr.slice(-300)}`);
      peakRssMb = Math.max(peakRssMb, Math.round(Number(run.stderr.trim().split('\n').at(-1)) / 1024));
    }
    const floor = median(floorMs);
    const row = {
      repository: name,
      files,
      blobsRead: blobs,
      blobMb: Number((blobBytes / 1e6).toFixed(1)),
      commits,
      floorMs: Math.round(floor),
      insideMs: Math.round(median(insideMs)),
      processMs: Math.round(median(processMs)),
      insideVsFloor: Number((median(insideMs) / floor).toFixed(1)),
      processVsFloor: Number((median(processMs) / floor).toFixed(1)),
      peakRssMb,
      diskMb: Math.round(Number(spawnSync('du', ['-sm', path.join(dir, '.git')], { encoding: 'utf8' }).stdout.split('\t')[0])) || undefined,
    };
    results.push(row);
    process.stderr.write(`${index + 1}/${repoDirs.length} ${name}: floor ${row.floorMs} ms, inside ${row.insideMs} ms (${row.insideVsFloor}×), process ${row.processMs} ms (${row.processVsFloor}×), ${row.peakRssMb} MB\n`);
  }
  const ratios = (key: 'insideVsFloor' | 'processVsFloor') => results.map((r) => r[key] as number);
  process.stdout.write(JSON.stringify({
    benchmark: 'local-floor',
    node: process.version,
    rounds: ROUNDS,
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
    repositories: results,
    summary: {
      insideVsFloor: { median: median(ratios('insideVsFloor')), max: Math.max(...ratios('insideVsFloor')), target: 3 },
      processVsFloor: { median: median(ratios('processVsFloor')), max: Math.max(...ratios('processVsFloor')), target: 4 },
      peakRssMb: { max: Math.max(...results.map((r) => r.peakRssMb as number)), target: 400 },
    },
  }, null, 2) + '\n');
} finally {
  rmSync(work, { recursive: true, force: true });
}

