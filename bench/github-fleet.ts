// npm run bench:github: a 500-repository organisation on the loopback fake GitHub, crawled in full,
// then again unchanged (incremental), then after a configuration change (re-judged from the content
// cache). Prints points and requests per repository for each; targets: ≤ 0.5 points per repository
// for the full crawl (pull requests included), ≤ 0.02 for the incremental one.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseConfig } from '../crawler/config.ts';
import { createLogger } from '../crawler/log.ts';
import { crawl, type CrawlSummary } from '../crawler/run.ts';
import { FakeGitHub } from '../fixtures/fake-github/server.ts';
import { benchFleet, benchTeamsYaml } from './fake-github-fleet.ts';

const REPOS = Number(process.env.BENCH_REPOS ?? 500);
const TOKEN = 'ghp_benchmarkToken000000000000000000';
const ANCHOR = '2026-11-15T09:00:00Z';
const dir = mkdtempSync(path.join(os.tmpdir(), 'sw-bench-gh-'));
const quiet = createLogger({ quiet: true });

function phase(summary: CrawlSummary, fake: FakeGitHub, ms: number) {
  const graphql = fake.log.filter((l) => l.kind === 'graphql').length;
  const rest = fake.log.filter((l) => l.kind === 'rest').length;
  const blobs = fake.log.reduce((sum, l) => sum + (l.blobs ?? 0), 0);
  if (summary.api?.points !== fake.pointsUsed) throw new Error(`the crawler counted ${summary.api?.points} points, the fake charged ${fake.pointsUsed}`);
  return {
    status: summary.status,
    crawled: summary.repositories - summary.carriedForward - summary.errors.length,
    carriedForward: summary.carriedForward,
    points: fake.pointsUsed,
    pointsPerRepo: Math.round((fake.pointsUsed / REPOS) * 10000) / 10000,
    graphqlRequests: graphql,
    restRequests: rest,
    requestsPerRepo: Math.round(((graphql + rest) / REPOS) * 1000) / 1000,
    blobsFetched: blobs,
    ms: Math.round(ms),
  };
}

try {
  let started = performance.now();
  const { repos, teams } = benchFleet(dir, REPOS, 3, ANCHOR);
  const generateMs = performance.now() - started;
  const fake = await new FakeGitHub({ org: 'acme', token: TOKEN, repos, teams, pointsPerHour: 12_500 }).start();
  try {
    const teamsYaml = benchTeamsYaml(teams);
    const yaml = (extra: string) => `database: bench.db\nsources:\n  - type: github\n    org: acme\n    apiUrl: ${fake.apiUrl}\nteams:\n${teamsYaml}\n${extra}`;
    const run = async (extra: string) => {
      fake.resetLog();
      const t = performance.now();
      const summary = await crawl(parseConfig(yaml(extra), path.join(dir, 'seaworthy.config.yaml')), { dbPath: path.join(dir, 'bench.db'), logger: quiet, env: { GITHUB_TOKEN: TOKEN }, now: new Date(ANCHOR) });
      return phase(summary, fake, performance.now() - t);
    };
    const full = await run('');
    const incremental = await run('');
    const rejudged = await run('checks:\n  runbooks:\n    weight: 4\n');
    const result = {
      node: process.version,
      cpus: os.cpus().length,
      repositories: REPOS,
      fleetGenerateMs: Math.round(generateMs),
      full,
      incremental,
      rejudgedAfterConfigChange: rejudged,
      targets: { fullPointsPerRepo: 0.5, incrementalPointsPerRepo: 0.02 },
      met: { full: full.pointsPerRepo <= 0.5, incremental: incremental.pointsPerRepo <= 0.02 },
    };
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  } finally {
    await fake.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
