// npm run bench:github: an organisation on the loopback fake GitHub (GitHub's published schema and
// point formula; git's own http-backend for clones and fetches), crawled with every check:
//   full       a first night, the cache folder empty: every repository cloned (blobless, as deep as
//              the history checks read) and its read files fetched in one batch;
//   unchanged  the next night, nothing pushed: discovery only, everything carried forward;
//   changed    a tenth of the repositories got a commit: a fetch each, the rest carried forward;
//   rejudged   the configuration changed: every repository judged again from the cache.
// Real-size repositories (thousands of commits and files, built with the fixture factory) carry the
// git costs; small ones fill the organisation to the size the point targets are set at.
// Prints JSON: points, GraphQL / REST / git requests, bytes, cache disk and wall time, per
// repository, against the targets (≤ 0.05 points per repository full, ≤ 0.01 unchanged).
//
//   npm run bench:github                 60 repositories, 3 of them real-size (2,000 commits, 1,500 files):
//                                        minutes on a shared 2-core machine; the per-repository point
//                                        targets apply at organisation scale, so below 500 the full crawl
//                                        is held to the fixed queries instead (discovery pages, teams, one
//                                        pull-request query per 50 repositories)
//   npm run bench:github -- --full       500 real-size repositories, the scale of the targets (hours here)
//   BENCH_REPOS, BENCH_REAL, BENCH_COMMITS, BENCH_FILES override each number.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseConfig } from '../crawler/config.ts';
import { createLogger } from '../crawler/log.ts';
import { crawl, type CrawlSummary } from '../crawler/run.ts';
import { FakeGitHub, type FakeRepo } from '../fixtures/fake-github/server.ts';
import { benchFleet, benchTeamsYaml, realSizeRepo } from './fake-github-fleet.ts';

const full = process.argv.includes('--full');
const REPOS = Number(process.env.BENCH_REPOS ?? (full ? 500 : 60));
const REAL = Math.min(REPOS, Number(process.env.BENCH_REAL ?? (full ? REPOS : 3)));
const SHAPE = { commits: Number(process.env.BENCH_COMMITS ?? 2000), files: Number(process.env.BENCH_FILES ?? 1500) };
const TOKEN = 'ghp_benchmarkToken000000000000000000';
const ANCHOR = '2026-11-15T09:00:00Z';
const TARGETS = { fullPointsPerRepo: 0.05, unchangedPointsPerRepo: 0.01 };
const dir = mkdtempSync(path.join(os.tmpdir(), 'sw-bench-gh-'));
const quiet = createLogger({ quiet: true });
const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function phase(summary: CrawlSummary, fake: FakeGitHub, ms: number, real: Set<string>) {
  const graphql = fake.log.filter((l) => l.kind === 'graphql').length;
  const rest = fake.log.filter((l) => l.kind === 'rest').length;
  const gitLog = fake.log.filter((l) => l.kind === 'git');
  const git = summary.git;
  if (summary.api?.points !== fake.pointsUsed) throw new Error(`the crawler counted ${summary.api?.points} points, the fake charged ${fake.pointsUsed}`);
  const per = (git?.perRepository ?? []).filter((r) => r.action !== 'cached');
  const of = (names: (r: (typeof per)[number]) => boolean) => {
    const rows = per.filter(names);
    return rows.length === 0 ? null : { repositories: rows.length, medianMs: Math.round(median(rows.map((r) => r.ms))), maxMs: Math.round(Math.max(...rows.map((r) => r.ms))), medianBytes: median(rows.map((r) => r.bytes)), medianBlobs: median(rows.map((r) => r.blobs)) };
  };
  const isReal = (r: { repo: string }) => real.has(r.repo.split('/')[1]!);
  return {
    status: summary.status,
    crawled: summary.repositories - summary.carriedForward - summary.errors.length,
    carriedForward: summary.carriedForward,
    errors: summary.errors.length,
    points: fake.pointsUsed,
    pointsPerRepo: round(fake.pointsUsed / REPOS, 4),
    graphqlRequests: graphql,
    restRequests: rest,
    gitRequests: gitLog.length,
    gitRequestsPerRepo: round(gitLog.length / REPOS),
    gitBytesServed: gitLog.reduce((sum, l) => sum + (l.bytes ?? 0), 0),
    git: git ? { clones: git.clones, fetches: git.fetches, cached: git.cached, reclones: git.reclones, blobFetches: git.blobFetches, blobs: git.blobs, retries: git.retries, bytesAdded: git.bytes, gitMs: Math.round(git.ms), cacheDiskBytes: git.cacheBytes } : null,
    perRepository: { realSize: of(isReal), small: of((r) => !isReal(r)) },
    wallMs: Math.round(ms),
    wallMsPerCrawledRepo: summary.repositories - summary.carriedForward > 0 ? Math.round(ms / (summary.repositories - summary.carriedForward)) : null,
  };
}

try {
  const started = performance.now();
  const real: FakeRepo[] = Array.from({ length: REAL }, (_, i) => realSizeRepo(dir, `big-${String(i).padStart(3, '0')}`, SHAPE, ANCHOR));
  const small = REPOS > REAL ? benchFleet(dir, REPOS - REAL, 3, ANCHOR) : { repos: [], teams: [] };
  const repos = [...real, ...small.repos];
  const teams = Array.from({ length: 10 }, (_, t) => ({ slug: `team-${t}`, repos: repos.filter((_, i) => i % 10 === t).map((r) => ({ name: r.name, permission: 'ADMIN' as const })) }));
  const generateMs = performance.now() - started;
  const fake = await new FakeGitHub({ org: 'acme', token: TOKEN, repos, teams, pointsPerHour: 12_500 }).start();
  const realNames = new Set(real.map((r) => r.name));
  try {
    const yaml = (extra: string) => `database: bench.db\nregistries: {offline: true}\nsources:\n  - type: github\n    org: acme\n    apiUrl: ${fake.apiUrl}\nteams:\n${benchTeamsYaml(teams)}\n${extra}`;
    const run = async (extra: string) => {
      fake.resetLog();
      const t = performance.now();
      const summary = await crawl(parseConfig(yaml(extra), path.join(dir, 'seaworthy.config.yaml')), { dbPath: path.join(dir, 'bench.db'), logger: quiet, env: { GITHUB_TOKEN: TOKEN }, now: new Date(ANCHOR) });
      return phase(summary, fake, performance.now() - t, realNames);
    };
    const first = await run('');
    const unchanged = await run('');
    // A tenth of the repositories (real-size ones first) get a commit.
    const touched = repos.slice(0, Math.max(1, Math.round(REPOS / 10)));
    for (const repo of touched) {
      writeFileSync(path.join(repo.dir, 'RUNBOOK.md'), `# ${repo.name}\n\n## Symptoms\nLatency rises.\n\n## Mitigation\nRoll back, then page the on-call.\n`);
      execFileSync('git', ['add', 'RUNBOOK.md'], { cwd: repo.dir });
      execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', 'commit', '-q', '-m', 'runbook'], { cwd: repo.dir });
    }
    const changed = await run('');
    const rejudged = await run('checks:\n  runbooks:\n    weight: 4\n');
    const result = {
      node: process.version,
      git: execFileSync('git', ['--version'], { encoding: 'utf8' }).trim(),
      cpus: os.cpus().length,
      loadAverage: os.loadavg().map((l) => round(l, 1)),
      repositories: REPOS,
      realSize: { repositories: REAL, ...SHAPE },
      fleetGenerateMs: Math.round(generateMs),
      full: first,
      unchanged,
      changedTenth: { changedRepositories: touched.length, ...changed },
      rejudgedAfterConfigChange: rejudged,
      targets: { ...TARGETS, applyFrom: 500 },
      // Below organisation scale a crawl pays its fixed queries: discovery (one per 100), teams (one), pull requests (one per 50).
      fixedQueries: { full: Math.ceil(REPOS / 100) + 1 + Math.ceil(REPOS / 50), unchanged: Math.ceil(REPOS / 100) },
      met:
        REPOS >= 500
          ? { full: first.pointsPerRepo <= TARGETS.fullPointsPerRepo, unchanged: unchanged.pointsPerRepo <= TARGETS.unchangedPointsPerRepo }
          : { full: first.points <= Math.ceil(REPOS / 100) + 1 + Math.ceil(REPOS / 50), unchanged: unchanged.points <= Math.ceil(REPOS / 100) },
    };
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  } finally {
    await fake.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
