// npm run bench:site — builds the site from a synthetic organisation (100 teams, 2,000 repositories,
// every registered check, 90 nightly runs) and, for comparison, an Astro site with the same number of
// pages and files carrying no data. Prints JSON: timings, page counts, overview page weight.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CHECKS } from '../checks/registry.ts';
import { ruleId, type Status } from '../checks/contract.ts';
import { PROJECT_ROOT } from '../crawler/site.ts';
import { Store, type RepoResult } from '../data/store.ts';

const TEAMS = Number(process.env.BENCH_TEAMS ?? 100);
const REPOS = Number(process.env.BENCH_REPOS ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 90);
// Each build is timed this many times, the real and the empty one taking turns, and the fastest kept:
// shared machines make single timings noisy, and turns keep both builds under the same load.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// Each build reports its own CPU time (all threads) and peak memory on exit, on stderr.
const MEASURE = `data:text/javascript,process.on('exit',()=>{const u=process.resourceUsage();process.stderr.write('\\nBENCH '+JSON.stringify({cpuMs:Math.round((u.userCPUTime+u.systemCPUTime)/1000),maxRssMb:Math.round(u.maxRSS/1024)})+'\\n')})`;

interface Timing {
  ms: number;
  cpuMs: number;
  maxRssMb: number;
}

function measured(started: number, stderr: string): Timing {
  const line = stderr.split('\n').filter((l) => l.startsWith('BENCH ')).at(-1);
  if (!line) throw new Error(`the build did not report its resource use: ${stderr.slice(-500)}`);
  return { ms: performance.now() - started, ...(JSON.parse(line.slice(6)) as { cpuMs: number; maxRssMb: number }) };
}
const ANCHOR = Date.parse('2026-11-15T02:00:00Z');
// Inside the project, so the comparison site resolves astro from node_modules like the real one.
const dir = path.join(PROJECT_ROOT, '.seaworthy', 'bench-site');

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function files(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

function generateDatabase(dbPath: string): { ms: number; results: number } {
  const started = performance.now();
  const rand = prng(42);
  const store = new Store(dbPath);
  const teams = Array.from({ length: TEAMS }, (_, i) => ({ name: `team-${String(i).padStart(3, '0')}`, displayName: `Team ${i}` }));
  store.syncTeams(teams);
  const checkIds = CHECKS.map((c) => c.id);
  const firstRules = CHECKS.map((c) => ruleId(c.id, Object.keys(c.meta.rules)[0]!));
  // Each repository has a level per check that drifts between runs; some checks do not apply.
  const state = Array.from({ length: REPOS }, () => checkIds.map(() => ({ applies: rand() > 0.15, score: Math.round(rand() * 100) / 10 })));
  let results = 0;
  for (let run = 0; run < RUNS; run++) {
    const at = new Date(ANCHOR - (RUNS - 1 - run) * 86_400_000).toISOString();
    const runId = store.startRun({ startedAt: at, toolVersion: 'bench', config: {} });
    store.recordRunTeams(runId, teams.map((t) => t.name));
    store.db.transaction(() => {
      for (let r = 0; r < REPOS; r++) {
        const name = `service-${String(r).padStart(4, '0')}`;
        const checks = state[r]!.map((s, c) => {
          if (rand() < 0.03) s.score = Math.max(0, Math.min(10, Math.round((s.score + (rand() * 4 - 1.5)) * 10) / 10));
          const status: Status = !s.applies ? 'not-applicable' : s.score >= 8 ? 'pass' : s.score >= 5 ? 'warn' : 'fail';
          const waived = status === 'fail' && r % 97 === 0;
          return {
            checkId: checkIds[c]!,
            checkVersion: 1,
            status: waived ? ('waived' as const) : status,
            underlyingStatus: waived ? status : undefined,
            score: status === 'not-applicable' || waived ? null : s.score,
            weight: c === 0 ? 3 : 1,
            summary: `${checkIds[c]} judged ${status} for ${name}`,
            findings: status === 'fail' || status === 'warn' ? [{ rule: firstRules[c]!, severity: 'medium' as const, message: `something to fix in ${name}`, path: `deploy/${name}.yaml`, line: 1 + (r % 40) }] : [],
            waiver: waived ? { reason: 'Decommissioning next quarter', expires: new Date(ANCHOR + (r % 60) * 86_400_000).toISOString().slice(0, 10) } : undefined,
            durationMs: 1,
          };
        });
        const scored = checks.filter((c) => c.score !== null);
        const weight = scored.reduce((sum, c) => sum + c.weight, 0);
        const result: RepoResult = {
          repo: { key: `github.com/acme/${name}`, host: 'github.com', owner: 'acme', name, webUrl: `https://github.com/acme/${name}` },
          team: teams[r % TEAMS]!.name,
          status: 'ok',
          head: { oid: (r * 7919 + run).toString(16).padStart(40, '0'), date: at },
          problems: [],
          score: weight === 0 ? null : Math.round((scored.reduce((sum, c) => sum + c.score! * c.weight, 0) / weight) * 10) / 10,
          durationMs: 1,
          results: checks,
        };
        store.writeRepoResult(runId, result, at);
        results += checks.length;
      }
    })();
    store.finishRun(runId, { finishedAt: at, status: 'ok', repoCount: REPOS, errorCount: 0 });
  }
  store.close();
  return { ms: performance.now() - started, results };
}

function buildReal(configPath: string, outDir: string): Timing {
  const started = performance.now();
  const build = spawnSync(process.execPath, ['--import', MEASURE, path.join(PROJECT_ROOT, 'bin', 'seaworthy.mjs'), 'build', '-c', configPath, '--out', outDir, '-q'], { encoding: 'utf8', input: '' });
  if (build.status !== 0) throw new Error(`site build failed: ${build.stderr}`);
  return measured(started, build.stderr);
}

/** The same number of HTML pages and other files, each with no data, built by the same Astro. */
function writeEmptySite(root: string, htmlPages: number, otherFiles: number): void {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(path.join(root, 'src', 'pages', 'files'), { recursive: true });
  // The same build settings as the real site (astro.config.mjs).
  writeFileSync(path.join(root, 'astro.config.mjs'), "export default { output: 'static', trailingSlash: 'always', build: { format: 'directory', concurrency: 4 } };\n");
  writeFileSync(
    path.join(root, 'src', 'pages', '[page].astro'),
    `---\nexport function getStaticPaths() { return Array.from({ length: ${htmlPages} }, (_, i) => ({ params: { page: 'p' + i } })); }\nconst { page } = Astro.params;\n---\n<html lang="en"><head><title>{page}</title></head><body><main><h1>{page}</h1></main></body></html>\n`,
  );
  writeFileSync(
    path.join(root, 'src', 'pages', 'files', '[name].json.ts'),
    `export function getStaticPaths() { return Array.from({ length: ${otherFiles} }, (_, i) => ({ params: { name: 'f' + i } })); }\nexport function GET({ params }) { return Response.json({ name: params.name }); }\n`,
  );
}

function buildEmpty(root: string): Timing {
  const started = performance.now();
  const build = spawnSync(process.execPath, ['--import', MEASURE, '--input-type=module', '-e', `const { build } = await import('astro'); await build({ root: ${JSON.stringify(root)}, logLevel: 'warn' });`], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
  });
  if (build.status !== 0) throw new Error(`empty site build failed: ${build.stderr}`);
  return measured(started, build.stderr);
}

/** Overview HTML plus the CSS and scripts it loads, without the shared chart.js chunk. */
function overviewWeight(outDir: string): { htmlBytes: number; totalBytesWithoutChartJs: number; chartChunkBytes: number } {
  const html = readFileSync(path.join(outDir, 'index.html'), 'utf8');
  let total = Buffer.byteLength(html);
  let chart = 0;
  for (const [, ref] of html.matchAll(/(?:href|src)="\/(_astro\/[^"]+\.(?:css|js))"/g)) {
    const size = statSync(path.join(outDir, ref!)).size;
    if (/chart/i.test(ref!)) chart += size;
    else total += size;
  }
  return { htmlBytes: Buffer.byteLength(html), totalBytesWithoutChartJs: total, chartChunkBytes: chart };
}

rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
try {
  const dbPath = path.join(dir, 'bench.db');
  const generated = generateDatabase(dbPath);
  const configPath = path.join(dir, 'seaworthy.config.yaml');
  writeFileSync(configPath, `database: bench.db\nsources:\n  - type: local\n    paths: ['repos/*']\n`);
  const outDir = path.join(dir, 'dist');
  // The first build also tells how many pages and files the empty site must have.
  const real: Timing[] = [buildReal(configPath, outDir)];
  const outputs = files(outDir);
  const html = outputs.filter((f) => f.endsWith('.html')).length;
  const other = outputs.filter((f) => /\.(json|csv|svg)$/.test(f)).length;
  const overview = overviewWeight(outDir);
  const emptyRoot = path.join(dir, 'empty');
  writeEmptySite(emptyRoot, html, other);
  const empty: Timing[] = [buildEmpty(emptyRoot)];
  for (let i = 1; i < ROUNDS; i++) {
    real.push(buildReal(configPath, outDir));
    empty.push(buildEmpty(emptyRoot));
  }
  const best = (list: Timing[], key: keyof Timing) => Math.min(...list.map((t) => t[key]));
  const result = {
    node: process.version,
    cpus: os.cpus().length,
    teams: TEAMS,
    repositories: REPOS,
    checks: CHECKS.length,
    runs: RUNS,
    storedResults: generated.results,
    databaseGenerateMs: Math.round(generated.ms),
    databaseBytes: statSync(dbPath).size,
    htmlPages: html,
    exportFiles: other,
    rounds: ROUNDS,
    siteBuildMs: Math.round(best(real, 'ms')),
    emptySiteBuildMs: Math.round(best(empty, 'ms')),
    ratio: Math.round((best(real, 'ms') / best(empty, 'ms')) * 100) / 100,
    // CPU time (user + system, all threads): what the build costs whatever else the machine runs.
    siteBuildCpuMs: best(real, 'cpuMs'),
    emptySiteBuildCpuMs: best(empty, 'cpuMs'),
    cpuRatio: Math.round((best(real, 'cpuMs') / best(empty, 'cpuMs')) * 100) / 100,
    siteBuildPeakRssMb: Math.max(...real.map((t) => t.maxRssMb)),
    emptySiteBuildPeakRssMb: Math.max(...empty.map((t) => t.maxRssMb)),
    siteBuildRoundsMs: real.map((t) => Math.round(t.ms)),
    emptySiteBuildRoundsMs: empty.map((t) => Math.round(t.ms)),
    loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10),
    overview,
  };
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
} finally {
  if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
}
