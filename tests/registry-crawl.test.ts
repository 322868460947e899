// End to end: crawl() gathers what a check `wants` from the (fake) registries through the shared
// cache, and hands it to the check. The first part uses a test-local probe that reports exactly what
// it was given (the provider's contract); the second runs the real dependency-freshness check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { defineCheck, type Finding, type PackageRef, type RepoSnapshot } from '../checks/contract.ts';
import dependencyFreshness from '../checks/dependency-freshness/index.ts';
import { parseConfig } from '../crawler/config.ts';
import { createRegistryFacts } from '../crawler/facts/provider.ts';
import { createLogger } from '../crawler/log.ts';
import { crawl } from '../crawler/run.ts';
import { createRepo } from '../fixtures/factory.ts';
import { FakeRegistry } from '../fixtures/fake-registry.ts';
import { CLI, runCli, scaled, tempDir, writeConfig } from './helpers.ts';
import { PACKAGES, configWith } from './registry-helpers.ts';

function directDependencies(snapshot: RepoSnapshot): PackageRef[] {
  const refs: PackageRef[] = [];
  const manifest = snapshot.read('package.json');
  if (manifest.ok) {
    const json = JSON.parse(manifest.text) as { dependencies?: Record<string, string> };
    for (const name of Object.keys(json.dependencies ?? {})) refs.push({ ecosystem: 'npm', name });
  }
  const requirements = snapshot.read('requirements.txt');
  if (requirements.ok) for (const line of requirements.text.split('\n')) if (/^[\w.-]+==/.test(line)) refs.push({ ecosystem: 'pypi', name: line.split('==')[0]! });
  return refs;
}

const factsProbe = defineCheck({
  id: 'facts-probe',
  meta: { title: 'Facts probe', description: 'test-local', category: 'maintenance', weight: 1, version: 1, reads: ['package.json', 'requirements.txt'], options: z.object({}), rules: { 'package-facts': { title: 'Package facts' } } },
  wants: (snapshot) => ({ packages: directDependencies(snapshot), renovateSchema: true }),
  run(snapshot, ctx) {
    const findings: Finding<'package-facts'>[] = [];
    for (const ref of directDependencies(snapshot)) {
      const lookup = ctx.facts.packages.get(`${ref.ecosystem}:${ref.name}`);
      const message = lookup?.status === 'found' ? `${ref.name}: ${lookup.releases.length} releases, newest ${lookup.releases.at(-1)?.version}` : `${ref.name}: undated (${lookup?.status === 'undated' ? lookup.reason : 'missing'})`;
      findings.push({ rule: 'package-facts', severity: 'info', message });
    }
    const schema = ctx.facts.renovateSchema;
    findings.push({ rule: 'package-facts', severity: 'info', message: `renovate schema: ${schema?.status === 'available' ? 'available' : `skipped (${schema?.reason})`}` });
    return { status: 'pass', score: 10, summary: `${findings.length - 1} packages`, findings };
  },
});

function findingsOf(dbPath: string, runId: number, repo: string): string[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db
      .prepare(
        `SELECT f.message FROM findings f JOIN check_results c ON c.id = f.result_id JOIN repositories r ON r.id = c.repo_id
         WHERE c.run_id = ? AND r.name = ? AND c.check_id = 'facts-probe' ORDER BY f.id`,
      )
      .pluck()
      .all(runId, repo) as string[];
  } finally {
    db.close();
  }
}

describe('crawl with registry facts', () => {
  const tmp = tempDir('sw-regcrawl-');
  let fake: FakeRegistry;
  const quiet = createLogger({ quiet: true });

  beforeAll(async () => {
    fake = await FakeRegistry.start({ packages: PACKAGES });
    const repos = path.join(tmp.dir, 'repos');
    const manifest = (deps: string[]) => JSON.stringify({ name: 'x', version: '1.0.0', dependencies: Object.fromEntries(deps.map((d) => [d, '*'])) });
    createRepo(repos, { name: 'alpha', commits: [{ date: '2026-01-05T10:00:00Z', message: 'init', files: { 'package.json': manifest(['@acme/widgets', 'left-pad']), 'requirements.txt': 'Flask_Utils==1.0.0\n' } }] });
    createRepo(repos, { name: 'beta', commits: [{ date: '2026-01-06T10:00:00Z', message: 'init', files: { 'package.json': manifest(['@acme/widgets', 'left-pad', 'not-on-the-registry']), 'requirements.txt': 'flask-utils==1.0.0\n' } }] });
  });
  afterAll(async () => {
    await fake.stop();
    tmp.cleanup();
  });

  const config = (extra: Record<string, unknown> = {}, concurrency = 1) => {
    const c = configWith({ ...fake.registries(), ...extra }, tmp.dir);
    return { ...c, crawl: { ...c.crawl, concurrency } };
  };

  it('asks each registry once per package across repositories, and not at all on the next run', async () => {
    fake.reset();
    const dbPath = path.join(tmp.dir, 'shared.db');
    const first = await crawl(config(), { dbPath, logger: quiet, checks: [factsProbe] });
    expect(first.status).toBe('ok');
    // Four distinct packages: two shared npm packages, the missing one, and one PyPI project under two spellings.
    expect(fake.count('/npm/@acme%2Fwidgets')).toBe(1);
    expect(fake.count('/npm/left-pad')).toBe(1);
    expect(fake.count('/npm/not-on-the-registry')).toBe(1);
    expect(fake.count('/pypi/')).toBe(1);
    expect(first.registries).toMatchObject({ lookups: 7, fetched: 4, cacheHits: 3 });
    expect(findingsOf(dbPath, first.runId, 'beta')).toEqual([
      '@acme/widgets: 5 releases, newest 2.0.0',
      'left-pad: 1 releases, newest 1.3.0',
      expect.stringMatching(/^not-on-the-registry: undated \(not found in registry \(127\.0\.0\.1:\d+ answered HTTP 404\)\)$/),
      'flask-utils: 5 releases, newest 1.1.0',
      expect.stringMatching(/^renovate schema: (available|skipped \(.+\))$/),
    ]);
    // Renovate's schema is asked again while it cannot be had (no cached copy on a fresh machine): count packages only.
    const packageRequests = () => fake.count() - fake.count('/npm/renovate');
    const requests = packageRequests();
    const renovateBefore = fake.count('/npm/renovate');
    // Carry-forward would skip the unchanged repositories altogether; this asks about the cache.
    const again = config();
    const second = await crawl({ ...again, crawl: { ...again.crawl, carryForwardDays: 0 } }, { dbPath, logger: quiet, checks: [factsProbe] });
    expect(second.status).toBe('ok');
    expect(packageRequests()).toBe(requests);
    expect(second.registries).toMatchObject({ lookups: 7, fetched: 0, cacheHits: 7 });
    expect(second.registries!.requests).toBe(fake.count('/npm/renovate') - renovateBefore);
  });

  it('joins repositories crawled in parallel onto one request per package', async () => {
    fake.reset();
    fake.rule({ match: /^\/npm\//, delayMs: 150 });
    const summary = await crawl(config({}, 2), { dbPath: path.join(tmp.dir, 'parallel.db'), logger: quiet, checks: [factsProbe] });
    expect(summary.status).toBe('ok');
    expect(fake.count('/npm/@acme%2Fwidgets')).toBe(1);
    expect(fake.count('/npm/left-pad')).toBe(1);
    expect((summary.registries?.joined ?? 0) + (summary.registries?.cacheHits ?? 0)).toBe(3);
  });

  it('keeps the crawl going when a registry fails: its packages are undated with the reason', async () => {
    fake.reset();
    fake.rule({ match: /^\/pypi\//, status: 503 });
    // Two attempts and a backoff must fit the lookup's budget: 3 s on a quiet machine, scaled.
    const summary = await crawl(config({ retries: 1, totalBudgetMs: scaled(3000) }), { dbPath: path.join(tmp.dir, 'failing.db'), logger: quiet, checks: [factsProbe] });
    expect(summary.status).toBe('ok');
    const alpha = findingsOf(path.join(tmp.dir, 'failing.db'), summary.runId, 'alpha');
    expect(alpha[0]).toBe('@acme/widgets: 5 releases, newest 2.0.0');
    expect(alpha[2]).toMatch(/^Flask_Utils: undated \(127\.0\.0\.1:\d+ answered HTTP 503 \(gave up after 2 attempts\)\)$/);
    // The failure is remembered for the crawl: the second repository does not ask again.
    expect(fake.count('/pypi/')).toBe(2);
  });

  it('crawls offline from the cache alone and names the packages it could not date', async () => {
    fake.reset();
    const dbPath = path.join(tmp.dir, 'offline.db');
    const summary = await crawl(config({ offline: true }), { dbPath, logger: quiet, checks: [factsProbe] });
    expect(summary.status).toBe('ok');
    expect(fake.count()).toBe(0);
    expect(findingsOf(dbPath, summary.runId, 'alpha').slice(0, 3)).toEqual(['@acme/widgets: undated (not in the offline cache)', 'left-pad: undated (not in the offline cache)', 'Flask_Utils: undated (not in the offline cache)']);
  });

  it('takes --offline on the command line', () => {
    const file = writeConfig(tmp.dir, `database: cli.db\nsources: [{type: local, paths: ['repos/*']}]\nregistries: ${JSON.stringify(fake.registries())}\n`, 'cli.yaml');
    const result = runCli(['crawl', '-c', file, '--offline', '--json', '-q']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'ok', repositories: 2 });
    expect(runCli(['crawl', '--help']).stdout).toContain('--offline');
    expect(CLI).toMatch(/seaworthy\.mjs$/);
  });
});

// The real dependency-freshness check, end to end: lockfiles read from git repositories, release
// dates asked of the loopback registry through the shared cache, and the check's result as stored.
describe('crawl with the dependency-freshness check', () => {
  const tmp = tempDir('sw-regcrawl-real-');
  let fake: FakeRegistry;
  const quiet = createLogger({ quiet: true });
  const NOW = new Date('2026-11-15T00:00:00Z');
  const rel = (version: string, publishedAt: string) => ({ version, publishedAt });

  const packageLock = (deps: Record<string, string>) =>
    JSON.stringify(
      {
        name: 'svc',
        version: '1.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: {
          '': { name: 'svc', version: '1.0.0', dependencies: Object.fromEntries(Object.keys(deps).map((d) => [d, '^1.0.0'])) },
          ...Object.fromEntries(Object.entries(deps).map(([name, version]) => [`node_modules/${name}`, { version, resolved: `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${version}.tgz`, integrity: 'sha512-x' }])),
          // Transitive: never looked up.
          'node_modules/ms': { version: '2.1.3', resolved: 'https://registry.npmjs.org/ms/-/ms-2.1.3.tgz', integrity: 'sha512-x' },
        },
      },
      null,
      2,
    );
  const dependabot = 'version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /\n    schedule:\n      interval: weekly\n  - package-ecosystem: pip\n    directory: /\n    schedule:\n      interval: weekly\n';
  const repo = (parent: string, name: string, deps: Record<string, string>, requirements: string, date = '2024-05-01T10:00:00Z') =>
    createRepo(path.join(tmp.dir, parent), {
      name,
      commits: [{ date, message: 'init', files: { 'package.json': JSON.stringify({ name, version: '1.0.0', dependencies: Object.fromEntries(Object.keys(deps).map((d) => [d, '^1.0.0'])) }), 'package-lock.json': packageLock(deps), 'requirements.txt': requirements, '.github/dependabot.yml': dependabot } }],
    });

  beforeAll(async () => {
    fake = await FakeRegistry.start({
      packages: [
        { ecosystem: 'npm', name: '@acme/widgets', releases: [rel('1.0.0', '2023-02-01'), rel('1.1.0', '2023-08-20'), rel('2.0.0', '2025-03-01')] },
        { ecosystem: 'npm', name: 'tiny-queue', releases: [rel('3.0.0', '2024-01-10'), rel('3.1.0', '2025-01-10')] },
        { ecosystem: 'npm', name: 'only-in-gamma', releases: [rel('1.0.0', '2024-01-10')] },
        { ecosystem: 'pypi', name: 'Flask_Utils', releases: [rel('1.0.0', '2023-01-10'), rel('1.2.0', '2024-09-01')] },
      ],
    });
    repo('first', 'alpha', { '@acme/widgets': '1.0.0', 'tiny-queue': '3.0.0' }, 'Flask_Utils==1.0.0\n');
    repo('second', 'beta', { '@acme/widgets': '1.1.0', 'tiny-queue': '3.0.0' }, 'flask-utils==1.0.0\n');
    repo('third', 'gamma', { '@acme/widgets': '1.1.0', 'only-in-gamma': '1.0.0' }, 'flask-utils==1.0.0\n');
  });
  afterAll(async () => {
    await fake.stop();
    tmp.cleanup();
  });

  const configFor = (parents: string[], registries: Record<string, unknown> = {}) =>
    parseConfig(
      `database: unused.db\nsources: [{type: local, paths: ${JSON.stringify(parents.map((p) => `${p}/*`))}}]\ncrawl: {concurrency: 1, carryForwardDays: 0}\nregistries: ${JSON.stringify({ ...fake.registries(), ...registries })}\n`,
      path.join(tmp.dir, 'seaworthy.config.yaml'),
    );
  const crawlWith = (parents: string[], dbPath: string, registries: Record<string, unknown> = {}, asOf?: Date) => {
    const config = configFor(parents, registries);
    return crawl(config, {
      dbPath,
      logger: quiet,
      now: asOf ?? NOW,
      ...(asOf ? { asOf } : {}),
      checks: [dependencyFreshness],
      // The schema is never fetched here: these repositories have no Renovate configuration anyway.
      facts: (store) => createRegistryFacts({ registries: config.registries, db: store.db, logger: quiet, env: {}, renovate: { allowFetch: false }, dependabot: { allowFetch: false } }),
    });
  };

  it('a second repository sharing its dependencies makes no registry request; both are judged', async () => {
    fake.reset();
    const dbPath = path.join(tmp.dir, 'shared.db');
    const first = await crawlWith(['first'], dbPath);
    expect(first.status).toBe('ok');
    // Three direct dependencies, one request each; the transitive "ms" is never asked about.
    expect(fake.requests.map((r) => r.path).sort()).toEqual(['/npm/@acme%2Fwidgets', '/npm/tiny-queue', '/pypi/pypi/flask-utils/json']);
    const alpha = resultOf(dbPath, first.runId, 'alpha', 'dependency-freshness');
    // widgets 1.0.0 → 2.0.0: 2023-02-01 → 2025-03-01; tiny-queue 1 year; Flask_Utils 1.0.0 → 1.2.0: 1.6 years.
    expect(alpha.summary).toMatch(/^median 1\.6 libyears \(p90 2\.1, total 4\.7\) over 3 direct dependencies; oldest: @acme\/widgets \(2\.1y\), flask-utils \(1\.6y\), tiny-queue \(1\.0y\); Dependabot covers npm, pypi; lockfiles committed$/);
    expect(alpha.findings).toContain('@acme/widgets 1.0.0 is 2.1 libyears behind 2.0.0 (1 major, 2 releases behind)');

    fake.reset();
    const second = await crawlWith(['second'], dbPath);
    expect(second.status).toBe('ok');
    expect(fake.count()).toBe(0);
    expect(second.registries).toMatchObject({ lookups: 3, fetched: 0, cacheHits: 3, requests: 0 });
    const beta = resultOf(dbPath, second.runId, 'beta', 'dependency-freshness');
    expect(beta.score).not.toBeNull();
    expect(beta.summary).toMatch(/^median 1\.5 libyears .* over 3 direct dependencies;/);

    // A third sharing two of its three: one request, for the package only it uses.
    fake.reset();
    const third = await crawlWith(['third'], dbPath);
    expect(fake.requests.map((r) => r.path)).toEqual(['/npm/only-in-gamma']);
    expect(third.registries).toMatchObject({ lookups: 3, fetched: 1, cacheHits: 2 });
  });

  it('a registry host answering 500 leaves only its packages undated, with the reason; the rest of the result stands', async () => {
    fake.reset();
    fake.rule({ match: /^\/pypi\//, status: 500, body: '{"message":"Internal Server Error"}' });
    const dbPath = path.join(tmp.dir, 'failing-host.db');
    const summary = await crawlWith(['first', 'second'], dbPath, { retries: 1, totalBudgetMs: scaled(5000) });
    expect(summary.status).toBe('ok');
    for (const name of ['alpha', 'beta']) {
      const r = resultOf(dbPath, summary.runId, name, 'dependency-freshness');
      expect(r.score, name).not.toBeNull();
      expect(r.summary, name).toMatch(/ over 2 of 3 direct dependencies;/);
      expect(r.findings, name).toContainEqual(expect.stringMatching(/^1 direct dependency could not be dated and is left out of the drift \(127\.0\.0\.1:\d+ answered HTTP 500 \(gave up after 2 attempts\)\): flask-utils@1\.0\.0$/));
      expect(r.findings.some((f) => f.startsWith('@acme/widgets ')), name).toBe(true);
    }
    // Two attempts for the first repository; the failure is remembered for the second.
    expect(fake.count('/pypi/')).toBe(2);
    expect(fake.count('/npm/')).toBe(2);
  });

  it('--offline dates what the cache holds and names the packages it could not date', async () => {
    fake.reset();
    const dbPath = path.join(tmp.dir, 'offline.db');
    // Nothing cached: nothing is judged, and the result says so instead of passing.
    const empty = await crawlWith(['first'], dbPath, { offline: true });
    const cold = resultOf(dbPath, empty.runId, 'alpha', 'dependency-freshness');
    expect(cold).toMatchObject({ status: 'warn', score: null });
    expect(cold.summary).toMatch(/^Freshness not judged: release dates unavailable for 3 direct dependencies \(not in the offline cache\)/);
    expect(cold.findings).toContain('3 direct dependencies could not be dated and are left out of the drift (not in the offline cache): @acme/widgets@1.0.0, tiny-queue@3.0.0, flask-utils@1.0.0');
    expect(fake.count()).toBe(0);

    // Cache what alpha uses, then crawl gamma offline: only the package alpha does not share is undated.
    await crawlWith(['first'], dbPath);
    fake.reset();
    const offline = await crawlWith(['third'], dbPath, { offline: true });
    expect(fake.count()).toBe(0);
    const gamma = resultOf(dbPath, offline.runId, 'gamma', 'dependency-freshness');
    expect(gamma.score).not.toBeNull();
    expect(gamma.summary).toMatch(/ over 2 of 3 direct dependencies;/);
    expect(gamma.findings).toContain('1 direct dependency could not be dated and is left out of the drift (not in the offline cache): only-in-gamma@1.0.0');
  });

  it('a backfilled crawl (--as-of) does not see releases published after its date', async () => {
    fake.reset();
    const dbPath = path.join(tmp.dir, 'backfill.db');
    const asOf = new Date('2024-06-01T00:00:00Z');
    const then = await crawlWith(['first'], dbPath, {}, asOf);
    const alpha = resultOf(dbPath, then.runId, 'alpha', 'dependency-freshness');
    // On 2024-06-01 widgets 1.1.0 was the newest (2.0.0 came in 2025), tiny-queue 3.0.0 and Flask_Utils 1.0.0 were current.
    expect(alpha.summary).toMatch(/^median 0\.0 libyears \(p90 0\.5, total 0\.5\) over 3 direct dependencies; oldest: @acme\/widgets \(0\.5y\);/);
    expect(alpha.findings.join('\n')).not.toMatch(/2\.0\.0|3\.1\.0|1\.2\.0/);
  });
});

function resultOf(dbPath: string, runId: number, repo: string, checkId: string): { status: string; score: number | null; summary: string; findings: string[] } {
  const db = new Database(dbPath, { readonly: true });
  try {
    const row = db
      .prepare(`SELECT c.id, c.status, c.score, c.summary FROM check_results c JOIN repositories r ON r.id = c.repo_id WHERE c.run_id = ? AND r.name = ? AND c.check_id = ?`)
      .get(runId, repo, checkId) as { id: number; status: string; score: number | null; summary: string } | undefined;
    if (!row) throw new Error(`no ${checkId} result for ${repo} in run ${runId}`);
    const findings = db.prepare('SELECT message FROM findings WHERE result_id = ? ORDER BY id').pluck().all(row.id) as string[];
    return { status: row.status, score: row.score, summary: row.summary, findings };
  } finally {
    db.close();
  }
}
