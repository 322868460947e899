// npm run bench:shards: a 1,000-repository organisation (BENCH_REPOS) on the loopback fake GitHub,
// crawled once as one job and once as 4 shards (BENCH_SHARDS) folded by `seaworthy merge`. Each crawl
// and the merge run in a child process of their own, so wall time and peak memory (max RSS) are the
// crawler's alone; the fake GitHub answers from this process and charges GitHub's point formula.
// The shards run one after another here (2 cores); in CI they run side by side on their own
// machines, so a sharded night takes the slowest shard plus the merge. The fake reads each git
// object once (a git process each, in this process) and then answers from memory, so a first,
// unmeasured crawl warms it: the measured crawls then pay for the crawler, not for the fake.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const ANCHOR = '2026-11-15T09:00:00Z';
const TOKEN = 'ghp_benchmarkToken000000000000000000';
const self = fileURLToPath(import.meta.url);

interface ChildResult {
  ms: number;
  maxRssMb: number;
  summary: Record<string, unknown>;
}

if (process.argv[2] === '--child') {
  // One crawl or merge, measured from inside the child.
  const { parseConfig } = await import('../crawler/config.ts');
  const { createLogger } = await import('../crawler/log.ts');
  const { readFileSync } = await import('node:fs');
  const [, , , kind, configFile, db, extra] = process.argv;
  const logger = createLogger({ quiet: true });
  const started = performance.now();
  let summary: unknown;
  if (kind === 'crawl') {
    const { crawl } = await import('../crawler/run.ts');
    const { parseShard } = await import('../crawler/shard.ts');
    const config = parseConfig(readFileSync(configFile!, 'utf8'), configFile!);
    summary = await crawl(config, { dbPath: db!, logger, env: { GITHUB_TOKEN: TOKEN }, now: new Date(ANCHOR), ...(extra ? { shard: parseShard(extra), shardGroup: 'bench' } : {}) });
  } else {
    const { mergeShards } = await import('../crawler/merge.ts');
    summary = await mergeShards({ dbPath: db!, shardFiles: extra!.split(','), logger });
  }
  const result: ChildResult = { ms: Math.round(performance.now() - started), maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024), summary: summary as Record<string, unknown> };
  process.stdout.write(JSON.stringify(result));
  process.exit(0);
}

const { FakeGitHub } = await import('../fixtures/fake-github/server.ts');
const { benchFleet, benchTeamsYaml } = await import('./fake-github-fleet.ts');

const REPOS = Number(process.env.BENCH_REPOS ?? 1000);
const SHARDS = Number(process.env.BENCH_SHARDS ?? 4);
const dir = mkdtempSync(path.join(os.tmpdir(), 'sw-bench-shards-'));

function child(kind: 'crawl' | 'merge', configFile: string, db: string, extra = ''): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [self, '--child', kind, configFile, db, extra], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, SEAWORTHY_LOOPBACK_ONLY: '1' } });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    proc.on('error', reject);
    proc.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as ChildResult) : reject(new Error(`${kind} child exited ${code}`))));
  });
}

function resultsOf(file: string, runId: number): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare('SELECT r.repo_key, cr.check_id, cr.status, cr.score, cr.summary FROM check_results cr JOIN repositories r ON r.id = cr.repo_id WHERE cr.run_id = ?')
      .raw()
      .all(runId)
      .map((row) => JSON.stringify(row))
      .sort();
  } finally {
    db.close();
  }
}

try {
  const generateStarted = performance.now();
  const { repos, teams } = benchFleet(dir, REPOS, 4, ANCHOR);
  const generateMs = performance.now() - generateStarted;
  // Points are counted, not enforced: one night's spending is what this measures.
  const fake = await new FakeGitHub({ org: 'acme', token: TOKEN, repos, teams, pointsPerHour: 1_000_000 }).start();
  try {
    const configFile = path.join(dir, 'seaworthy.config.yaml');
    const teamsYaml = benchTeamsYaml(teams);
    writeFileSync(configFile, `sources:\n  - type: github\n    org: acme\n    apiUrl: ${fake.apiUrl}\nteams:\n${teamsYaml}\nregistries: {offline: true}\n`);

    fake.resetLog();
    const warmUp = await child('crawl', configFile, path.join(dir, 'warm-up.db'));
    fake.resetLog();
    const single = await child('crawl', configFile, path.join(dir, 'single.db'));
    const singlePoints = fake.pointsUsed;
    const singleRequests = fake.log.length;

    const shards: (ChildResult & { shard: string; points: number; requests: number })[] = [];
    for (let i = 1; i <= SHARDS; i++) {
      fake.resetLog();
      const result = await child('crawl', configFile, path.join(dir, `shard-${i}.db`), `${i}/${SHARDS}`);
      shards.push({ ...result, shard: `${i}/${SHARDS}`, points: fake.pointsUsed, requests: fake.log.length });
    }
    const merged = await child('merge', configFile, path.join(dir, 'main.db'), shards.map((_, i) => path.join(dir, `shard-${i + 1}.db`)).join(','));
    const equal = JSON.stringify(resultsOf(path.join(dir, 'main.db'), merged.summary.runId as number)) === JSON.stringify(resultsOf(path.join(dir, 'single.db'), single.summary.runId as number));
    const slowest = Math.max(...shards.map((s) => s.ms));
    const result = {
      node: process.version,
      cpus: os.cpus().length,
      repositories: REPOS,
      fleetGenerateMs: Math.round(generateMs),
      warmUpCrawlWithColdFakeMs: warmUp.ms,
      oneJob: { status: single.summary.status, ms: single.ms, msPerRepo: Math.round((single.ms / REPOS) * 10) / 10, points: singlePoints, requests: singleRequests, maxRssMb: single.maxRssMb },
      sharded: {
        shards: shards.map((s) => ({ shard: s.shard, status: s.summary.status, repositories: s.summary.repositories, ms: s.ms, points: s.points, requests: s.requests, maxRssMb: s.maxRssMb })),
        merge: { status: merged.summary.status, repositories: merged.summary.repositories, ms: merged.ms, maxRssMb: merged.maxRssMb },
        points: shards.reduce((sum, s) => sum + s.points, 0),
        sumOfShardsMs: shards.reduce((sum, s) => sum + s.ms, 0),
        // Shards on machines of their own: the night lasts as long as the slowest shard, then the merge.
        parallelWallMs: slowest + merged.ms,
        maxRssMb: Math.max(merged.maxRssMb, ...shards.map((s) => s.maxRssMb)),
      },
      mergedEqualsOneJob: equal,
    };
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    if (!equal) process.exitCode = 1;
  } finally {
    await fake.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
