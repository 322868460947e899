// The check as the crawler runs it: wants() on a real git snapshot, then run() with facts crafted here.
import { afterAll, describe, expect, it } from 'vitest';
import type { FixtureFile } from '../../fixtures/factory.ts';
import { fixtureSnapshots } from '../../tests/fixture-snapshots.ts';
import { dependencyFreshnessCases } from '../../bench/hostile-dependency-freshness.ts';
import { buildSnapshot } from '../../crawler/sources/snapshot.ts';
import { packageKey, type CheckOutcome, type Ecosystem, type ExternalFacts, type PackageLookup, type PackageRelease, type PullRequest, type ReadResult, type RepoSnapshot, type SchemaFact } from '../contract.ts';
import { DEPENDABOT_SCHEMA_FACT, SCHEMA_FACT } from './test-schema.ts';
import check, { type DependencyFreshnessOptions } from './index.ts';

const repos = fixtureSnapshots({ namePrefix: 'deps' });
afterAll(repos.cleanup);

const NOW = new Date('2026-11-15T00:00:00Z');
const json = (value: unknown) => JSON.stringify(value, null, 2) + '\n';

/** Releases one per `everyDays`, the last one `lastDaysAgo` before NOW. */
function history(versions: string[], lastDaysAgo = 10, everyDays = 120): PackageRelease[] {
  return versions.map((version, i) => ({
    version,
    publishedAt: new Date(NOW.getTime() - (lastDaysAgo + (versions.length - 1 - i) * everyDays) * 86_400_000).toISOString(),
    yanked: false,
    deprecated: false,
  }));
}
const found = (releases: PackageRelease[]): PackageLookup => ({ status: 'found', releases, fetchedAt: NOW.toISOString() });

type Registry = Partial<Record<`${Ecosystem}:${string}`, PackageLookup>>;

interface Run {
  outcome: CheckOutcome;
  snapshot: RepoSnapshot;
  requested: string[];
  wantsSchema: boolean;
}

async function run(files: Record<string, FixtureFile>, registry: Registry = {}, opts: { options?: Partial<DependencyFreshnessOptions>; schema?: SchemaFact; dependabotSchema?: SchemaFact; pullRequests?: PullRequest[]; maxFileBytes?: number; now?: Date } = {}): Promise<Run> {
  const real = await repos.snapshot(check.meta.reads, files, { maxFileBytes: opts.maxFileBytes });
  const snapshot: RepoSnapshot = opts.pullRequests ? { ...real, pullRequests: opts.pullRequests } : real;
  const options = check.meta.options.parse(opts.options ?? {});
  const kind = { kind: 'service' as const, source: 'detected' as const, evidence: [] };
  // As crawler/run.ts gatherFacts does: every requested package gets an entry.
  const now = opts.now ?? NOW;
  const wants = check.wants!(snapshot, { options, kind, now });
  const requested = (wants.packages ?? []).map(packageKey);
  const facts: ExternalFacts = {
    packages: new Map(requested.map((key) => [key, registry[key as keyof Registry] ?? { status: 'undated', reason: 'the registry does not know this package' }])),
    ...(wants.renovateSchema ? { renovateSchema: opts.schema ?? SCHEMA_FACT } : {}),
    ...(wants.dependabotSchema ? { dependabotSchema: opts.dependabotSchema ?? DEPENDABOT_SCHEMA_FACT } : {}),
  };
  const outcome = check.run(snapshot, { options, kind, now, facts });
  return { outcome, snapshot, requested: requested.sort(), wantsSchema: wants.renovateSchema ?? false };
}

function npmProject(deps: Record<string, string>, dev: Record<string, string> = {}, transitive: Record<string, string> = {}): Record<string, string> {
  const entry = (name: string, version: string, isDev = false) => ({ version, resolved: `https://registry.npmjs.org/${name}/-/${name}-${version}.tgz`, integrity: 'sha512-x', ...(isDev ? { dev: true } : {}) });
  const range = (m: Record<string, string>) => Object.fromEntries(Object.entries(m).map(([n, v]) => [n, `^${v}`]));
  return {
    'package.json': json({ name: 'app', version: '1.0.0', dependencies: range(deps), devDependencies: range(dev) }),
    'package-lock.json': json({
      name: 'app',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'app', version: '1.0.0', dependencies: range(deps), devDependencies: range(dev) },
        ...Object.fromEntries(Object.entries(deps).map(([n, v]) => [`node_modules/${n}`, entry(n, v)])),
        ...Object.fromEntries(Object.entries(dev).map(([n, v]) => [`node_modules/${n}`, entry(n, v, true)])),
        ...Object.fromEntries(Object.entries(transitive).map(([n, v]) => [`node_modules/${n}`, entry(n, v)])),
      },
    }),
  };
}

const RENOVATE = json({ $schema: 'https://docs.renovatebot.com/renovate-schema.json', extends: ['config:recommended'] });
const FRESH_REGISTRY: Registry = {
  'npm:express': found(history(['4.21.0', '5.0.0', '5.1.0'])),
  'npm:zod': found(history(['3.24.0', '3.25.76'])),
  'npm:typescript': found(history(['5.8.3', '5.9.2'])),
};

describe('dependency-freshness', () => {
  it('asks only for direct dependencies, and for the schema only when Renovate is configured', async () => {
    const r = await run({ ...npmProject({ express: '5.1.0', zod: '3.25.76' }, { typescript: '5.9.2' }, { debug: '4.4.0', ms: '2.1.3' }) });
    expect(r.requested).toEqual(['npm:express', 'npm:typescript', 'npm:zod']);
    expect(r.wantsSchema).toBe(false);
    expect((await run({ ...npmProject({ express: '5.1.0' }), '.github/renovate.json5': RENOVATE })).wantsSchema).toBe(true);
  });

  it('passes a repository whose dependencies are current, with Renovate and a lockfile', async () => {
    const r = await run({ ...npmProject({ express: '5.1.0', zod: '3.25.76' }, { typescript: '5.9.2' }), 'renovate.json': RENOVATE }, FRESH_REGISTRY);
    expect(r.outcome).toMatchObject({ status: 'pass', score: 10 });
    expect(r.outcome.summary).toMatch(/^median 0\.0 libyears \(p90 0\.0, total 0\.0\) over 3 direct dependencies; all current; Renovate covers npm; lockfiles committed$/);
    expect(r.outcome.findings.filter((f) => f.severity !== 'info')).toEqual([]);
  });

  it('fails a stale repository without an update bot, naming its oldest dependencies at their lockfile lines', async () => {
    const files = npmProject({ express: '4.21.0', moment: '2.29.4' }, { typescript: '4.9.5' });
    const registry: Registry = {
      'npm:express': found(history(['4.21.0', '5.0.0', '5.1.0'], 10, 400)),
      'npm:moment': found(history(['2.29.4', '2.30.1'], 700, 300)),
      'npm:typescript': found(history(['4.9.5', '5.0.4', '6.0.1', '7.0.0'], 10, 300)),
    };
    const r = await run(files, registry);
    // express: 800 days (2.19 y); moment: 300 days (0.82 y); typescript: 900 days (2.46 y), 3 majors behind.
    expect(r.outcome.status).toBe('fail');
    expect(r.outcome.score).toBe(2.2);
    expect(r.outcome.summary).toContain('median 2.2 libyears (p90 2.5, total 5.5) over 3 direct dependencies; 1 more than one major behind; oldest: typescript (2.5y), express (2.2y), moment (0.8y); no update bot; lockfiles committed');
    expect(r.outcome.findings[0]).toMatchObject({ rule: 'no-update-bot', severity: 'high', message: expect.stringMatching(/^no update bot/) });
    const lock = files['package-lock.json']!.split('\n');
    expect(r.outcome.findings.find((f) => f.message.startsWith('typescript'))).toEqual({
      rule: 'dependency-behind', severity: 'medium',
      path: 'package-lock.json',
      line: lock.findIndex((l) => l.includes('"node_modules/typescript"')) + 1,
      message: 'typescript 4.9.5 is 2.5 libyears behind 7.0.0 (3 majors, 3 releases behind)',
    });
    expect(r.outcome.findings.some((f) => f.message.startsWith('moment'))).toBe(false); // under a libyear, same major
  });

  it('judges a monorepo per lockfile and together, counting a package pinned twice at one version once', async () => {
    const tfLock = (aws: string) => `provider "registry.terraform.io/hashicorp/aws" {\n  version     = "${aws}"\n  constraints = "~> 5.0"\n}\n`;
    const files: Record<string, FixtureFile> = {
      'package.json': json({ name: 'mono', private: true, workspaces: ['apps/*'] }),
      'package-lock.json': json({
        lockfileVersion: 3,
        packages: {
          '': { name: 'mono', workspaces: ['apps/*'] },
          'apps/web': { name: 'web', dependencies: { react: '^18.2.0' } },
          'apps/web/node_modules/react': { version: '18.2.0', resolved: 'https://registry.npmjs.org/react/-/react-18.2.0.tgz' },
          'node_modules/web': { resolved: 'apps/web', link: true },
        },
      }),
      'apps/web/package.json': json({ name: 'web', dependencies: { react: '^18.2.0' } }),
      'services/ledger/pyproject.toml': '[tool.poetry]\nname = "ledger"\n\n[tool.poetry.dependencies]\npython = "^3.11"\nDjango = "^4.2"\n',
      'services/ledger/poetry.lock': '[[package]]\nname = "django"\nversion = "4.2.16"\n\n[[package]]\nname = "asgiref"\nversion = "3.8.1"\n\n[metadata]\nlock-version = "2.0"\n',
      'infra/prod/.terraform.lock.hcl': tfLock('5.46.0'),
      'infra/staging/.terraform.lock.hcl': tfLock('5.46.0'),
      'renovate.json': RENOVATE,
    };
    const registry: Registry = {
      'npm:react': found(history(['18.2.0', '18.3.1', '19.0.0', '19.1.0'], 30, 200)),
      'pypi:django': found(history(['4.2.16', '5.0', '5.1.3'], 20, 150)),
      'terraform-provider:hashicorp/aws': found(history(['5.46.0', '5.100.0', '6.0.0'], 5, 100)),
    };
    const r = await run(files, registry);
    expect(r.requested).toEqual(['npm:react', 'pypi:django', 'terraform-provider:hashicorp/aws']);
    const perFile = r.outcome.findings.filter((f) => f.severity === 'info' && /direct dependenc/.test(f.message)).map((f) => `${f.path}: ${f.message}`);
    expect(perFile).toEqual([
      'infra/prod/.terraform.lock.hcl: .terraform.lock.hcl: 1 direct dependency; median 0.5 libyears, p90 0.5, total 0.5; updated by Renovate',
      'infra/staging/.terraform.lock.hcl: .terraform.lock.hcl: 1 direct dependency; median 0.5 libyears, p90 0.5, total 0.5; updated by Renovate',
      'package-lock.json: package-lock.json (lockfileVersion 3): 1 direct dependency, 0 transitive; median 1.6 libyears, p90 1.6, total 1.6; updated by Renovate',
      'services/ledger/poetry.lock: poetry.lock (lock-version 2.0): 1 direct dependency, 1 transitive; median 0.8 libyears, p90 0.8, total 0.8; updated by Renovate',
    ]);
    // Together: aws@5.46.0 counts once — three dependencies, not four.
    expect(r.outcome.summary).toMatch(/^median 0\.8 libyears \(p90 1\.6, total 3\.0\) over 3 direct dependencies; oldest: react \(1\.6y\), django \(0\.8y\), hashicorp\/aws \(0\.5y\); Renovate covers npm, pypi, terraform-provider; lockfiles committed$/);
  });

  it('skips vendored, fixture and example directories by default, and says how many', async () => {
    const files: Record<string, FixtureFile> = {
      ...npmProject({ express: '5.1.0' }),
      'vendor/github.com/x/y/go.mod': 'module github.com/x/y\n\nrequire github.com/old/dep v0.1.0\n',
      'examples/demo/package-lock.json': json({ lockfileVersion: 3, packages: { '': { dependencies: { leftpad: '1.0.0' } }, 'node_modules/leftpad': { version: '1.0.0' } } }),
      'test/fixtures/broken/yarn.lock': 'not a lockfile {',
      'web/node_modules/lodash/package.json': json({ name: 'lodash', dependencies: { a: '1.0.0' } }),
      'renovate.json': RENOVATE,
    };
    const r = await run(files, FRESH_REGISTRY);
    expect(r.requested).toEqual(['npm:express']);
    expect(r.outcome.summary).toMatch(/; 4 dependency files under ignored paths \(vendored code, fixtures, examples\) left out$/);
    expect(r.outcome.findings.some((f) => f.path?.startsWith('test/fixtures'))).toBe(false);
    // Setting ignorePaths replaces the defaults: now the example is judged.
    const custom = await run(files, FRESH_REGISTRY, { options: { ignorePaths: ['**/vendor/**', '**/node_modules/**', '**/fixtures/**'], nonProductPaths: [] } });
    expect(custom.requested).toEqual(['npm:express', 'npm:leftpad']);
  });

  it('a backfilled run (ctx.now in the past) ignores releases published after it', async () => {
    const files = { ...npmProject({ express: '4.21.0', zod: '3.25.76' }), 'renovate.json': RENOVATE };
    // express 5.x and zod 4 came out after the backfill date; the registry answers with today's history.
    const registry: Registry = {
      'npm:express': found([
        { version: '4.21.0', publishedAt: '2024-09-10T00:00:00Z', yanked: false, deprecated: false },
        { version: '4.21.2', publishedAt: '2024-12-05T00:00:00Z', yanked: false, deprecated: false },
        { version: '5.0.0', publishedAt: '2025-09-10T00:00:00Z', yanked: false, deprecated: false },
        { version: '5.1.0', publishedAt: '2026-03-31T00:00:00Z', yanked: false, deprecated: false },
      ]),
      'npm:zod': found([
        { version: '3.25.76', publishedAt: '2024-07-30T00:00:00Z', yanked: false, deprecated: false },
        { version: '4.0.0', publishedAt: '2025-07-10T00:00:00Z', yanked: false, deprecated: false },
      ]),
    };
    const then = await run(files, registry, { now: new Date('2025-01-01T00:00:00Z') });
    expect(then.outcome.summary).toMatch(/^median 0\.1 libyears \(p90 0\.2, total 0\.2\) over 2 direct dependencies; oldest: express \(0\.2y\);/);
    expect(then.outcome.findings.some((f) => /5\.1\.0|4\.0\.0/.test(f.message))).toBe(false);
    const today = await run(files, registry);
    expect(today.outcome.summary).toMatch(/^median 1\.2 libyears/);
    expect(today.outcome.findings.find((f) => f.message.startsWith('express'))?.message).toBe('express 4.21.0 is 1.6 libyears behind 5.1.0 (1 major, 3 releases behind)');
  });

  it('a retired package (every release deprecated) is dated against its last release and gets a finding at its line', async () => {
    const files: Record<string, string> = { ...npmProject({ express: '5.1.0', request: '2.87.0' }), 'renovate.json': RENOVATE };
    const retired = history(['2.87.0', '2.88.2'], 400, 300).map((r) => ({ ...r, deprecated: true }));
    const r = await run(files, { ...FRESH_REGISTRY, 'npm:request': found(retired) });
    expect(r.outcome.summary).toMatch(/ over 2 direct dependencies;/);
    const lock = files['package-lock.json']!.split('\n');
    expect(r.outcome.findings).toContainEqual({
      rule: 'retired-package', severity: 'medium',
      path: 'package-lock.json',
      line: lock.findIndex((l) => l.includes('"node_modules/request"')) + 1,
      message: 'request 2.87.0: every release is deprecated on the registry, so the package is retired; replace it (its drift is measured to its last release, 2.88.2)',
    });
  });

  it('reports undated packages with their reason and leaves them out of the drift; the rest still stands', async () => {
    const registry: Registry = {
      'npm:express': found(history(['4.21.0', '5.0.0', '5.1.0'], 10, 100)),
      'npm:zod': { status: 'undated', reason: 'registry.npmjs.org answered 503 three times' },
      'npm:typescript': { status: 'undated', reason: 'registry.npmjs.org answered 503 three times' },
    };
    const r = await run({ ...npmProject({ express: '4.21.0', zod: '3.24.0' }, { typescript: '5.8.3' }), 'renovate.json': RENOVATE }, registry, { options: { minDatedShare: 0.3 } });
    expect(r.outcome.score).not.toBeNull();
    expect(r.outcome.summary).toMatch(/^median 0\.5 libyears \(p90 0\.5, total 0\.5\) over 1 of 3 direct dependencies/);
    expect(r.outcome.findings).toContainEqual({ rule: 'undated-dependency', severity: 'low', message: '2 direct dependencies could not be dated and are left out of the drift (registry.npmjs.org answered 503 three times): zod@3.24.0, typescript@5.8.3' });
  });

  it('without any release date it does not pretend: warn, no score, "release dates unavailable", bot and lockfile still judged', async () => {
    const undated = await run({ ...npmProject({ express: '4.21.0' }), 'renovate.json': RENOVATE });
    expect(undated.outcome).toMatchObject({ status: 'warn', score: null });
    expect(undated.outcome.summary).toBe('Freshness not judged: release dates unavailable for 1 direct dependency (the registry does not know this package); Renovate covers npm; lockfiles committed');
    const botless = await run({ 'requirements.txt': 'flask>=3\n' });
    expect(botless.outcome).toMatchObject({ status: 'warn', score: null });
    expect(botless.outcome.summary).toMatch(/^Freshness not judged: no direct dependency with an exact version to date; no update bot; 1 of 1 manifest without a lockfile/);
  });

  it('reports a malformed lockfile by name and still judges the other lockfiles', async () => {
    const r = await run({ ...npmProject({ express: '5.1.0' }), 'api/go.mod': 'module x\n\nrequire (\n\tgithub.com/a/b v1.0.0\n', 'renovate.json': RENOVATE }, FRESH_REGISTRY);
    expect(r.outcome.status).toBe('pass');
    expect(r.outcome.findings).toContainEqual({ rule: 'unparsable-dependency-file', severity: 'medium', path: 'api/go.mod', line: 3, message: 'the require block opened here is never closed' });
    expect(r.requested).toEqual(['npm:express']);
  });

  it('workspace members of a root lockfile too large to read are not "without a lockfile"', async () => {
    const member = json({ name: 'member', dependencies: { express: '^5.1.0' } });
    const r = await run({ 'package.json': json({ name: 'root', private: true, dependencies: { zod: '^3.24.0' } }), 'pnpm-workspace.yaml': 'packages:\n  - packages/*\n', 'pnpm-lock.yaml': `lockfileVersion: '9.0'\n${'# padding\n'.repeat(400)}`, 'packages/api/package.json': member, 'renovate.json': RENOVATE }, {}, { maxFileBytes: 1000 });
    expect(r.outcome.findings.filter((f) => f.rule === 'no-lockfile')).toEqual([]);
    expect(r.outcome.findings).toContainEqual(expect.objectContaining({ rule: 'unreadable-file', path: 'pnpm-lock.yaml' }));
  });

  it('a lockfile too large to read is a finding, not a silent pass', async () => {
    const files = npmProject({ express: '5.1.0' });
    const r = await run(files, FRESH_REGISTRY, { maxFileBytes: 200 });
    expect(r.outcome.findings.some((f) => f.path === 'package-lock.json' && /could not read this file \(too-large/.test(f.message))).toBe(true);
    expect(r.outcome.status).not.toBe('pass');
  });

  it('wants a lockfile for every manifest with dependencies', async () => {
    const r = await run({ 'package.json': json({ name: 'x', dependencies: { express: '5.1.0', zod: '^3.24.0' } }), 'tools/Cargo.toml': '[package]\nname = "t"\n\n[dependencies]\nserde = "1"\n', 'renovate.json': RENOVATE }, FRESH_REGISTRY);
    expect(r.requested).toEqual(['npm:express']); // the exact pin of a manifest without lockfile still counts
    expect(r.outcome.findings.filter((f) => /no committed lockfile/.test(f.message)).map((f) => f.path)).toEqual(['package.json', 'tools/Cargo.toml']);
    expect(r.outcome.summary).toContain('2 of 2 manifests without a lockfile');
    // drift 6, bot 3, lockfiles 0 of 2.
    expect(r.outcome.score).toBe(9);
  });

  it('credits the bot by the ecosystems it covers', async () => {
    const files: Record<string, FixtureFile> = {
      ...npmProject({ express: '5.1.0' }),
      'requirements.txt': 'flask==3.0.3\n',
      '.github/dependabot.yml': 'version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /\n    schedule:\n      interval: weekly\n',
    };
    const r = await run(files, { ...FRESH_REGISTRY, 'pypi:flask': found(history(['3.0.3'])) });
    expect(r.outcome.summary).toContain('Dependabot covers npm but not pypi');
    expect(r.outcome.findings).toContainEqual({ rule: 'not-covered-by-bot', severity: 'medium', path: 'requirements.txt', message: 'not covered by an update bot: Dependabot has no "pip" entry' });
    expect(r.outcome.score).toBe(8.5);
  });

  it('two bots may share the work: Renovate for npm, Dependabot for pip', async () => {
    const files: Record<string, FixtureFile> = {
      ...npmProject({ express: '5.1.0' }),
      'requirements.txt': 'flask==3.0.3\n',
      'renovate.json': json({ enabledManagers: ['npm'] }),
      '.github/dependabot.yml': 'version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n    schedule:\n      interval: weekly\n',
    };
    const r = await run(files, { ...FRESH_REGISTRY, 'pypi:flask': found(history(['3.0.3'])) });
    expect(r.outcome).toMatchObject({ status: 'pass', score: 10 });
    expect(r.outcome.summary).toContain('Renovate and Dependabot cover npm, pypi');
  });

  it('half credit for a Renovate configuration that fails the schema; a disabled one earns nothing', async () => {
    const files = npmProject({ express: '5.1.0' });
    const invalid = await run({ ...files, 'renovate.json': json({ extends: ['config:recommended'], automergeAll: true }) }, FRESH_REGISTRY);
    expect(invalid.outcome.score).toBe(8.5);
    expect(invalid.outcome.summary).toContain('Renovate covers npm (configuration fails its schema: 1 error)');
    expect(invalid.outcome.findings.some((f) => f.path === 'renovate.json' && f.line === 5 && /\/automergeAll unknown option/.test(f.message))).toBe(true);
    const disabled = await run({ ...files, 'renovate.json': json({ enabled: false }) }, FRESH_REGISTRY);
    expect(disabled.outcome.score).toBe(7);
    expect(disabled.outcome.summary).toContain('Renovate switched off');
  });

  it('says on the result when schema validation was skipped', async () => {
    const r = await run({ ...npmProject({ express: '5.1.0' }), 'renovate.json': RENOVATE }, FRESH_REGISTRY, { schema: { status: 'skipped', reason: 'offline and renovate-schema.json is not cached' } });
    expect(r.outcome.summary).toContain('Renovate schema validation skipped: offline and renovate-schema.json is not cached');
    expect(r.outcome.findings).toContainEqual({ rule: 'renovate-schema-not-checked', severity: 'low', path: 'renovate.json', message: 'Renovate schema validation skipped: offline and renovate-schema.json is not cached' });
  });

  it('reports how long update pull requests from Renovate or Dependabot have been open', async () => {
    const pr = (number: number, author: string, daysAgo: number, state: PullRequest['state'] = 'open'): PullRequest => ({
      number,
      title: `Update dependency ${number}`,
      body: '',
      state,
      mergedAt: state === 'merged' ? NOW.toISOString() : null,
      createdAt: new Date(NOW.getTime() - daysAgo * 86_400_000).toISOString(),
      author,
      files: ['package-lock.json'],
    });
    const pullRequests = [pr(1, 'renovate[bot]', 90), pr(2, 'dependabot[bot]', 20), pr(3, 'renovate[bot]', 3), pr(4, 'priya', 200), pr(5, 'renovate[bot]', 300, 'merged')];
    const r = await run({ ...npmProject({ express: '5.1.0' }), 'renovate.json': RENOVATE }, FRESH_REGISTRY, { pullRequests });
    expect(r.outcome.summary).toContain('3 open update pull requests, 2 waiting over 14 days (oldest 90 days)');
    expect(r.outcome.findings.filter((f) => /update pull request #/.test(f.message))).toEqual([
      { rule: 'update-prs-waiting', severity: 'medium', message: 'update pull request #1 by renovate[bot] has been open for 90 days: "Update dependency 1"' },
      { rule: 'update-prs-waiting', severity: 'low', message: 'update pull request #2 by dependabot[bot] has been open for 20 days: "Update dependency 2"' },
    ]);
    const none = await run({ ...npmProject({ express: '5.1.0' }), 'renovate.json': RENOVATE }, FRESH_REGISTRY);
    expect(none.outcome.summary).not.toContain('pull request');
  });

  it('is not applicable without lockfiles or manifests', async () => {
    const r = await run({ 'README.md': '# docs\n', '.github/dependabot.yml': 'version: 2\nupdates:\n  - package-ecosystem: github-actions\n    directory: /\n    schedule:\n      interval: weekly\n' });
    expect(r.outcome).toMatchObject({ status: 'not-applicable', score: null });
  });

  it('rejects thresholds that contradict each other', () => {
    expect(() => check.meta.options.parse({ medianGoodYears: 3, medianBadYears: 2 })).toThrow(/medianGoodYears must be below medianBadYears/);
    expect(() => check.meta.options.parse({ passAt: 4, warnAt: 6 })).toThrow(/warnAt must not be above passAt/);
    expect(check.meta.options.parse({}).ignorePaths).toContain('**/vendor/**');
  });
});

describe('mistakes seen on real repositories (issue 15)', () => {
  const DEPENDABOT_NPM = 'version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /\n    schedule:\n      interval: weekly\n';

  it('judged on a sliver: below minDatedShare of dated direct dependencies it warns "partially judged (N of M dated)" without a score', async () => {
    const registry: Registry = { 'npm:express': found(history(['5.0.0', '5.1.0'])) };
    const r = await run({ ...npmProject({ express: '5.1.0', zod: '3.24.0', lodash: '4.17.21', react: '18.2.0' }), 'renovate.json': RENOVATE }, registry);
    expect(r.outcome).toMatchObject({ status: 'warn', score: null });
    expect(r.outcome.summary).toMatch(/^Freshness not judged: partially judged \(1 of 4 dated; the others: the registry does not know this package\); Renovate covers npm; lockfiles committed$/);
    expect(r.outcome.findings).toContainEqual({ rule: 'partially-judged', severity: 'low', message: 'only 1 of 4 direct dependencies could be dated (25 %, below the 50 % needed): the drift is not scored' });
    // At or above the share the drift is scored as before.
    const enough = await run({ ...npmProject({ express: '5.1.0', zod: '3.24.0' }), 'renovate.json': RENOVATE }, registry);
    expect(enough.outcome.status).toBe('pass');
  });

  it('a product lockfile too large to read hides its dependencies: the few dated elsewhere are not scored', async () => {
    const tool = npmProject({ express: '5.1.0' });
    const files: Record<string, FixtureFile> = {
      'package.json': JSON.stringify({ name: 'app', dependencies: { react: '^18.2.0' } }),
      // Larger than the crawl reads (a real monorepo lockfile passes 1 MB).
      'package-lock.json': JSON.stringify({ lockfileVersion: 3, packages: { '': { dependencies: { react: '^18.2.0' } }, 'node_modules/react': { version: '18.2.0', padding: 'x'.repeat(4000) } } }),
      'tools/package.json': tool['package.json']!,
      'tools/package-lock.json': tool['package-lock.json']!,
      'renovate.json': RENOVATE,
    };
    const r = await run(files, { 'npm:express': found(history(['5.0.0', '5.1.0'])) }, { maxFileBytes: 2000 });
    expect(r.outcome).toMatchObject({ status: 'warn', score: null });
    expect(r.outcome.summary).toMatch(/^Freshness not judged: partially judged \(1 of 1\+ dated, 1 lockfile not read: package-lock\.json\)/);
    expect(r.outcome.findings).toContainEqual(expect.objectContaining({ rule: 'partially-judged', path: 'package-lock.json', message: expect.stringMatching(/^1 lockfile not read: package-lock\.json .*the drift of the 1 dated is not scored$/) }));
    // Nothing dated at all: the summary says the lockfile was not read, not that nothing was pinned.
    const alone = await run({ 'package.json': files['package.json']!, 'package-lock.json': files['package-lock.json']!, 'renovate.json': RENOVATE }, {}, { maxFileBytes: 2000 });
    expect(alone.outcome).toMatchObject({ status: 'warn', score: null });
    expect(alone.outcome.summary).toBe('Freshness not judged: 1 lockfile not read: package-lock.json');
    // The same lockfile under a test tree is not the product: the tool's drift stands.
    const { 'package.json': manifest, 'package-lock.json': broken, ...rest } = files;
    const e2e = await run({ ...rest, 'e2e/package.json': manifest!, 'e2e/package-lock.json': broken! }, { 'npm:express': found(history(['5.0.0', '5.1.0'])) }, { maxFileBytes: 2000 });
    expect(e2e.outcome.status).toBe('pass');
  });

  it('a product in an ecosystem no client dates is not judged by the few npm tools beside it', async () => {
    const tools = npmProject({ prettier: '3.3.0', eslint: '9.0.0' });
    const files: Record<string, FixtureFile> = {
      'assets/package.json': tools['package.json']!,
      'assets/package-lock.json': tools['package-lock.json']!,
      'mix.exs': 'defp deps do\n  [{:phoenix, "~> 1.7"}, {:ecto, "~> 3.11"}, {:jason, "~> 1.4"}]\nend\n',
      'mix.lock': '%{\n  "ecto": {:hex, :ecto, "3.12.0", "a", [:mix], [], "hexpm", "b"},\n  "jason": {:hex, :jason, "1.4.4", "a", [:mix], [], "hexpm", "b"},\n  "phoenix": {:hex, :phoenix, "1.7.14", "a", [:mix], [], "hexpm", "b"},\n}\n',
      '.github/dependabot.yml': 'version: 2\nupdates:\n  - package-ecosystem: mix\n    directory: /\n    schedule:\n      interval: weekly\n',
    };
    const r = await run(files, { 'npm:prettier': found(history(['3.3.0'])), 'npm:eslint': found(history(['9.0.0'])) });
    expect(r.outcome).toMatchObject({ status: 'warn', score: null });
    expect(r.outcome.summary).toMatch(/^Freshness not judged: partially judged \(2 of 5 dated; the others: 3 in hex, which no registry client dates\)/);
  });

  it('test, e2e and docs-site trees stay out of the drift by default; their bot coverage counts when nothing else is there', async () => {
    const e2e = npmProject({ playwright: '1.40.0' });
    const files: Record<string, FixtureFile> = {
      'e2e/package.json': e2e['package.json']!,
      'e2e/package-lock.json': e2e['package-lock.json']!,
      'docs-site/package.json': e2e['package.json']!,
      'docs-site/package-lock.json': e2e['package-lock.json']!,
      'go.mod': 'module example.com/svc\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0\n',
      'go.sum': '',
      '.github/dependabot.yml': 'version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /e2e\n    schedule:\n      interval: weekly\n',
    };
    const r = await run(files, { 'npm:playwright': found(history(['1.40.0', '1.50.0'], 10, 400)), 'go:github.com/google/uuid': found(history(['v1.6.0'])) });
    expect(r.requested).toEqual(['go:github.com/google/uuid']);
    expect(r.outcome.summary).toMatch(/^median 0\.0 libyears .* over 1 direct dependencies; all current; update bot covers none of go;/);
    expect(r.outcome.findings).toContainEqual(expect.objectContaining({ rule: 'drift-summary', path: 'e2e/package-lock.json', message: expect.stringMatching(/not the product \(test, docs or demo tree\): left out of the drift; updated by Dependabot/) }));
    // A repository whose only lockfile is an end-to-end suite's: its bot coverage is all there is to judge.
    const only = await run({ 'e2e/package.json': e2e['package.json']!, 'e2e/package-lock.json': e2e['package-lock.json']!, '.github/dependabot.yml': files['.github/dependabot.yml']! });
    expect(only.requested).toEqual([]);
    expect(only.outcome.status).toBe('warn');
    expect(only.outcome.summary).toMatch(/Dependabot covers npm/);
    // Configurable: with no non-product paths the suite is judged like the rest.
    const all = await run(files, {}, { options: { nonProductPaths: [] } });
    expect(all.requested).toEqual(['go:github.com/google/uuid', 'npm:playwright']);
  });

  it('Terraform without a lockfile: required_providers constraints are judged at the newest release they allow, modules are read', async () => {
    const files: Record<string, FixtureFile> = {
      'infra/main.tf': [
        'terraform {',
        '  backend "s3" {}',
        '  required_providers {',
        '    aws = {',
        '      source  = "hashicorp/aws"',
        '      version = "~> 4.0"',
        '    }',
        '    random = {',
        '      source = "hashicorp/random"',
        '    }',
        '  }',
        '}',
        '',
        'module "vpc" {',
        '  source  = "terraform-aws-modules/vpc/aws"',
        '  version = "5.1.2"',
        '  name    = "main"',
        '}',
        '',
        'module "local" {',
        '  source = "./modules/thing"',
        '}',
        '',
      ].join('\n'),
      'renovate.json': RENOVATE,
    };
    const registry: Registry = {
      'terraform-provider:hashicorp/aws': found(history(['4.66.0', '4.67.0', '5.0.0', '6.0.0'], 10, 200)),
      'terraform-provider:hashicorp/random': found(history(['3.5.0', '3.6.0'])),
    };
    const r = await run(files, registry);
    expect(r.requested).toEqual(['terraform-provider:hashicorp/aws', 'terraform-provider:hashicorp/random']);
    // aws: newest allowed 4.67.0 (dated 410 days before NOW), newest 6.0.0 (10 days): 1.1 libyears, 2 majors behind.
    expect(r.outcome.findings.find((f) => f.rule === 'dependency-behind')).toMatchObject({
      path: 'infra/main.tf',
      line: 4,
      message: 'hashicorp/aws 4.67.0 (newest release allowed by "~> 4.0", no lockfile) is 1.1 libyears behind 6.0.0 (2 majors, 2 releases behind)',
    });
    expect(r.outcome.findings).toContainEqual(expect.objectContaining({ rule: 'no-lockfile', path: 'infra/main.tf', message: expect.stringMatching(/\.terraform\.lock\.hcl/) }));
    expect(r.outcome.findings).toContainEqual(expect.objectContaining({ rule: 'drift-summary', path: 'infra/main.tf', message: expect.stringMatching(/^Terraform registry modules: 1 pinned dependency; read for update-bot coverage/) }));
    expect(r.outcome.summary).toContain('Renovate covers terraform-module, terraform-provider');
  });

  it('ecosystems that are not dated still make the check apply, so a missing update bot is said', async () => {
    const files: Record<string, FixtureFile> = {
      '.github/workflows/ci.yml': 'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: ./local-action\n      - uses: docker/build-push-action@0123456789abcdef0123456789abcdef01234567\n',
      'Dockerfile': 'ARG BASE=3.20\nFROM alpine:${BASE} AS build\nFROM build\nFROM gcr.io/distroless/static@sha256:abc\n',
      'charts/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - name: redis\n    version: 18.1.0\n    repository: https://charts.example.org\n  - name: postgresql\n    version: ~12.0.0\n',
      'mix.exs': 'defp deps do\n  [{:phoenix, "~> 1.7"}]\nend\n',
      'mix.lock': '%{\n  "phoenix": {:hex, :phoenix, "1.7.14", "abc", [:mix], [], "hexpm", "def"},\n  "plug": {:hex, :plug, "1.16.0", "abc", [:mix], [], "hexpm", "def"},\n}\n',
      'php/composer.json': json({ require: { php: '^8.2', 'laravel/framework': '^11.0' } }),
      'php/composer.lock': json({ packages: [{ name: 'laravel/framework', version: 'v11.9.0' }, { name: 'symfony/console', version: 'v7.1.0' }] }),
      'dotnet/Api.csproj': '<Project>\n  <ItemGroup>\n    <PackageReference Include="Serilog" Version="3.1.1" />\n  </ItemGroup>\n</Project>\n',
    };
    const none = await run(files);
    expect(none.requested).toEqual([]);
    expect(none.outcome.status).toBe('warn');
    expect(none.outcome.findings[0]).toMatchObject({ rule: 'no-update-bot', severity: 'high' });
    const summaries = none.outcome.findings.filter((f) => f.rule === 'drift-summary').map((f) => `${f.path}: ${f.message.split(';')[0]}`);
    expect(summaries).toEqual([
      '.github/workflows: GitHub Actions workflows (1 file): 2 pinned dependencies',
      'Dockerfile: Dockerfile base images: 2 pinned dependencies',
      'charts/app/Chart.yaml: Chart.yaml dependencies: 1 pinned dependency, 1 unpinned',
      'dotnet/Api.csproj: Api.csproj PackageReference: 1 pinned dependency',
      'mix.lock: mix.lock: 1 pinned dependency',
      'php/composer.lock: composer.lock: 1 pinned dependency',
    ]);
    // Dependabot covering Actions and Docker, not the rest: per-ecosystem coverage, Actions weighing a quarter.
    const some = await run({ ...files, '.github/dependabot.yml': 'version: 2\nupdates:\n  - package-ecosystem: github-actions\n    directory: /\n    schedule:\n      interval: weekly\n  - package-ecosystem: docker\n    directory: /\n    schedule:\n      interval: weekly\n' });
    expect(some.outcome.summary).toContain('Dependabot covers docker, github-actions but not helm, hex, nuget, packagist');
    expect(some.outcome.findings).toContainEqual({ rule: 'not-covered-by-bot', severity: 'low', path: 'mix.lock', message: 'not covered by an update bot: Dependabot has no "mix" entry' });
  });

  it('partial coverage earns partial credit: majors ignored for "*" is three quarters of a bot, security updates only a quarter', async () => {
    const files = npmProject({ express: '5.1.0' });
    const full = await run({ ...files, '.github/dependabot.yml': DEPENDABOT_NPM }, FRESH_REGISTRY);
    const majors = await run({ ...files, '.github/dependabot.yml': DEPENDABOT_NPM + '    ignore:\n      - dependency-name: "*"\n        update-types: ["version-update:semver-major"]\n' }, FRESH_REGISTRY);
    const securityOnly = await run({ ...files, '.github/dependabot.yml': DEPENDABOT_NPM + '    open-pull-requests-limit: 0\n' }, FRESH_REGISTRY);
    expect([full.outcome.score, majors.outcome.score, securityOnly.outcome.score]).toEqual([10, 9.3, 7.8]);
    expect(majors.outcome.summary).toContain('Dependabot covers npm (part of the updates switched off for npm)');
    expect(majors.outcome.findings).toContainEqual(expect.objectContaining({ rule: 'partial-bot-coverage', path: '.github/dependabot.yml', line: 7 }));
    const renovateMajors = await run({ ...files, 'renovate.json': json({ packageRules: [{ matchUpdateTypes: ['major'], enabled: false }] }) }, FRESH_REGISTRY);
    expect(renovateMajors.outcome.score).toBe(9.3);
    expect(renovateMajors.outcome.findings).toContainEqual(expect.objectContaining({ rule: 'partial-bot-coverage', path: 'renovate.json', message: 'Renovate: major updates are switched off for every package, so those updates are left to people: package-lock.json' }));
  });

  it('a Dependabot configuration with multi-ecosystem-groups is valid and covers its ecosystems', async () => {
    const multi = 'version: 2\nmulti-ecosystem-groups:\n  all:\n    schedule:\n      interval: weekly\nupdates:\n  - package-ecosystem: npm\n    directory: /\n    multi-ecosystem-group: all\n    patterns: ["*"]\n';
    const r = await run({ ...npmProject({ express: '5.1.0' }), '.github/dependabot.yml': multi }, FRESH_REGISTRY);
    expect(r.outcome).toMatchObject({ status: 'pass', score: 10 });
    expect(r.outcome.findings.filter((f) => f.rule === 'invalid-dependabot-config')).toEqual([]);
    const skipped = await run({ ...npmProject({ express: '5.1.0' }), '.github/dependabot.yml': multi }, FRESH_REGISTRY, { dependabotSchema: { status: 'skipped', reason: 'offline' } });
    expect(skipped.outcome.score).toBe(10);
    expect(skipped.outcome.findings).toContainEqual(expect.objectContaining({ rule: 'dependabot-schema-not-checked', message: expect.stringMatching(/^Dependabot schema validation skipped: offline/) }));
  });

  it('no false "missing from the lockfile": devDependencies of a file:-linked package, versions pinned by overrides or resolutions', async () => {
    const linked = await run({
      'package.json': json({ name: 'app', dependencies: { shared: 'file:../shared', express: '^5.1.0' }, overrides: { zod: '3.25.76' } }),
      'package-lock.json': json({
        lockfileVersion: 3,
        packages: {
          '': { name: 'app', dependencies: { shared: 'file:../shared', express: '^5.1.0', zod: '^3.20.0' } },
          '../shared': { name: 'shared', version: '1.0.0', dependencies: { express: '^5.1.0' }, devDependencies: { vitest: '^2.0.0' } },
          'node_modules/shared': { resolved: '../shared', link: true },
          'node_modules/express': { version: '5.1.0', resolved: 'https://registry.npmjs.org/express/-/express-5.1.0.tgz' },
        },
      }),
      'renovate.json': RENOVATE,
    }, FRESH_REGISTRY);
    expect(linked.outcome.findings.filter((f) => f.rule === 'lockfile-out-of-date')).toEqual([]);
    const berry = await run({
      'package.json': json({ name: 'app', dependencies: { lodash: '^4.17.0' }, resolutions: { lodash: '4.17.21' } }),
      'yarn.lock': '__metadata:\n  version: 8\n\n"app@workspace:.":\n  version: 0.0.0-use.local\n  resolution: "app@workspace:."\n  dependencies:\n    lodash: "npm:^4.17.0"\n  languageName: unknown\n  linkType: soft\n\n"lodash@npm:4.17.21":\n  version: 4.17.21\n  resolution: "lodash@npm:4.17.21"\n  languageName: node\n  linkType: hard\n',
      'renovate.json': RENOVATE,
    }, { 'npm:lodash': found(history(['4.17.21'])) });
    expect(berry.outcome.findings.filter((f) => f.rule === 'lockfile-out-of-date')).toEqual([]);
    expect(berry.requested).toEqual(['npm:lodash']);
  });

  it('hostile names are never sent to a registry, and what is shown is cut short', async () => {
    const long = `a${'b'.repeat(100_000)}`;
    const r = await run({ 'package.json': json({ name: 'x', dependencies: { [long]: '1.0.0', 'Bad Name!': '2.0.0', express: '5.1.0' } }), 'renovate.json': RENOVATE }, FRESH_REGISTRY, { options: { minDatedShare: 0 } });
    expect(r.requested).toEqual(['npm:express']);
    const invalid = r.outcome.findings.filter((f) => f.rule === 'invalid-package-name');
    expect(invalid).toHaveLength(2);
    for (const f of r.outcome.findings) expect(f.message.length).toBeLessThan(1_000);
    expect(r.outcome.summary.length).toBeLessThan(1_000);
  });

  it('release dates a mirror rewrote are not judged: the reason is its own finding', async () => {
    const registry: Registry = { 'npm:express': { status: 'undated', reason: 'release dates look rewritten by a mirror (registry.example: 12 of 20 packages)' } };
    const r = await run({ ...npmProject({ express: '4.21.0' }), 'renovate.json': RENOVATE }, registry);
    expect(r.outcome).toMatchObject({ status: 'warn', score: null });
    expect(r.outcome.summary).toMatch(/^Freshness not judged: release dates unavailable for 1 direct dependency \(release dates look rewritten by a mirror/);
    expect(r.outcome.findings).toContainEqual(expect.objectContaining({ rule: 'rewritten-release-dates' }));
  });
});

describe('hostile inputs (bench/hostile-dependency-freshness.ts)', () => {
  const snapshotOf = (files: Record<string, string>): RepoSnapshot => {
    const entries = Object.entries(files).map(([path, text]) => ({ path, size: text.length, oid: path, kind: 'file' as const }));
    const contents = new Map<string, ReadResult>(Object.entries(files).map(([path, text]) => [path, { ok: true, text, truncated: false, encoding: 'utf-8', invalidBytes: false }]));
    return buildSnapshot({ identity: { host: 'bench', owner: 'bench', name: 'hostile', defaultBranch: 'main' }, head: { oid: '0'.repeat(40), date: NOW.toISOString() }, files: entries, contents, historyComplete: true, commits: [], problems: [] });
  };
  const cases = dependencyFreshnessCases();

  it.each(cases.map((c) => [c.name, c.files] as const))('%s: a result with findings, never an exception', (_, files) => {
    const snapshot = snapshotOf(files);
    const options = check.meta.options.parse({});
    const kind = { kind: 'service' as const, source: 'detected' as const, evidence: [] };
    const wants = check.wants!(snapshot, { options, kind, now: NOW });
    const outcome = check.run(snapshot, { options, kind, now: NOW, facts: { packages: new Map(), ...(wants.renovateSchema ? { renovateSchema: SCHEMA_FACT } : {}) } });
    expect(['warn', 'fail', 'pass']).toContain(outcome.status);
    expect(outcome.findings.length).toBeGreaterThan(0);
    expect(outcome.findings.length).toBeLessThan(100); // per-dependency findings are capped
    for (const f of outcome.findings) if (f.line !== undefined) expect(Number.isInteger(f.line) && f.line > 0).toBe(true);
  });

  it('reads what can be read and names what cannot', () => {
    const byName = (part: string) => snapshotOf(cases.find((c) => c.name.includes(part))!.files);
    const options = check.meta.options.parse({});
    const kind = { kind: 'service' as const, source: 'detected' as const, evidence: [] };
    const requested = (part: string) => check.wants!(byName(part), { options, kind, now: NOW }).packages?.length;
    expect(requested('go.mod with 100,000')).toBe(50_000);
    expect(requested('Cargo.lock with 20,000')).toBe(20_000);
    expect(requested('20,000 via annotations')).toBe(20_000);
    expect(requested('500 workspaces')).toBe(2_000);
    const nested = check.run(byName('TOML arrays nested'), { options, kind, now: NOW, facts: { packages: new Map() } });
    expect(nested.findings.some((f) => f.path === 'poetry.lock' && /not valid TOML/.test(f.message))).toBe(true);
    const deep = check.run(byName('renovate.json nested'), { options, kind, now: NOW, facts: { packages: new Map(), renovateSchema: SCHEMA_FACT } });
    expect(deep.findings.some((f) => f.path === 'renovate.json' && /\/x unknown option "x"/.test(f.message))).toBe(true);
  });
});
