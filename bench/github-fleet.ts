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
import { createRepo, daysBefore } from '../fixtures/factory.ts';
import { FakeGitHub, type FakePullRequest } from '../fixtures/fake-github/server.ts';

const REPOS = Number(process.env.BENCH_REPOS ?? 500);
const TOKEN = 'ghp_benchmarkToken000000000000000000';
const ANCHOR = '2026-11-15T09:00:00Z';
const dir = mkdtempSync(path.join(os.tmpdir(), 'sw-bench-gh-'));
const quiet = createLogger({ quiet: true });

function repoFiles(i: number): Record<string, string> {
  const name = `svc-${String(i).padStart(3, '0')}`;
  const files: Record<string, string> = {
    'README.md': `# ${name}\n\nService ${i} of the benchmark fleet.\n`,
    'package.json': JSON.stringify({ name, version: '1.0.0', dependencies: { express: '^5.1.0' } }, null, 2) + '\n',
    'src/index.ts': `export const id = ${i};\n`,
    Dockerfile: 'FROM node:24-slim\nCOPY . .\nCMD ["node", "src/index.js"]\n',
    'catalog-info.yaml': `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\nspec:\n  type: service\n  lifecycle: production\n  owner: group:team-${i % 10}\n`,
  };
  if (i % 2 === 0) files['RUNBOOK.md'] = `# ${name}\n\n## Symptoms\nLatency rises.\n\n## Diagnosis\nCheck the dashboard.\n\n## Mitigation\nRoll back.\n\n## Escalation\nPage the on-call.\n`;
  if (i % 3 === 0) files['alerts/rules.yml'] = `groups:\n  - name: ${name}\n    rules:\n      - alert: ${name.replace(/-/g, '_')}_down\n        expr: up == 0\n        annotations:\n          runbook_url: https://runbooks.example.com/${name}\n`;
  if (i % 4 === 0) files['.github/pull_request_template.md'] = '## What\n\n## Rollback plan\nHow to undo this change:\n';
  if (i % 5 === 0) files['infra/main.tf'] = `resource "aws_s3_bucket" "b" {\n  bucket = "${name}"\n  tags = { team = "team-${i % 10}" }\n}\n`;
  return files;
}

function pullRequests(i: number): FakePullRequest[] {
  const prs: FakePullRequest[] = [];
  for (let n = 1; n <= 6; n++) {
    prs.push({ number: n, title: `Change ${n}`, body: n % 2 ? '## Rollback plan\nRevert the merge commit.\n' : 'Small fix.', state: 'MERGED', createdAt: daysBefore(ANCHOR, 40 - n * 5), mergedAt: daysBefore(ANCHOR, 39 - n * 5), author: `dev${n}`, files: ['src/index.ts', 'README.md'], mergeCommit: (i * 10 + n).toString(16).padStart(40, '0') });
  }
  prs.push({ number: 7, title: 'Update express', body: '', state: 'OPEN', createdAt: daysBefore(ANCHOR, 20), author: 'renovate', authorType: 'Bot', files: ['package.json'] });
  return prs;
}

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
  const repos = Array.from({ length: REPOS }, (_, i) => {
    const name = `svc-${String(i).padStart(3, '0')}`;
    return { name, dir: createRepo(path.join(dir, 'repos'), { name, commits: [{ date: daysBefore(ANCHOR, 30), message: 'init', files: repoFiles(i) }] }), pullRequests: pullRequests(i) };
  });
  const generateMs = performance.now() - started;
  const teams = Array.from({ length: 10 }, (_, t) => ({ slug: `team-${t}`, repos: repos.filter((_, i) => i % 10 === t).map((r) => ({ name: r.name, permission: 'ADMIN' as const })) }));
  const fake = await new FakeGitHub({ org: 'acme', token: TOKEN, repos, teams, pointsPerHour: 12_500 }).start();
  try {
    const teamsYaml = teams.map((t) => `  - {name: ${t.slug}, displayName: Team ${t.slug.slice(5)}, repos: [none]}`).join('\n');
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
