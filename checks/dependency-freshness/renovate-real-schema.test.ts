// Renovate configurations as teams write them, validated through the check against Renovate's real
// JSON schema (the pinned release, from the git-ignored cache that `npm run fetch:renovate-schema`
// fills; CI runs it after `npm ci`). Without the cached schema these tests cannot say anything: CI
// fails, a developer's machine skips them with the reason.
import { afterAll, describe, expect, it } from 'vitest';
import type { FixtureFile } from '../../fixtures/factory.ts';
import { fixtureSnapshots } from '../../tests/fixture-snapshots.ts';
import { RENOVATE_INTEGRITY, RENOVATE_SCHEMA_DIR, RENOVATE_VERSION, cachedSchemaPath, readCachedSchema } from '../../crawler/facts/renovate-schema.ts';
import { packageKey, type CheckOutcome, type ExternalFacts, type SchemaFact } from '../contract.ts';
import check from './index.ts';

const SOURCE = { version: RENOVATE_VERSION, expectedIntegrity: RENOVATE_INTEGRITY, cacheDir: process.env.SEAWORTHY_RENOVATE_SCHEMA_DIR ?? RENOVATE_SCHEMA_DIR };
const NOW = new Date('2026-11-15T00:00:00Z');

function loadSchema(): { schema?: object; missing?: string } {
  try {
    const schema = readCachedSchema(SOURCE);
    return schema ? { schema } : { missing: `Renovate ${RENOVATE_VERSION}'s schema is not cached at ${cachedSchemaPath(SOURCE)}: run "npm run fetch:renovate-schema" once with network access` };
  } catch (error) {
    return { missing: `the cached Renovate schema cannot be used (${(error as Error).message}): delete it and run "npm run fetch:renovate-schema"` };
  }
}
const { schema, missing } = loadSchema();

if (missing) {
  if (process.env.CI === 'true') {
    it("has Renovate's real schema cached (CI runs npm run fetch:renovate-schema before the tests)", () => {
      expect.fail(missing);
    });
  } else {
    process.stderr.write(`renovate-real-schema.test.ts: skipped: ${missing}\n`);
    it.skip(`skipped: ${missing}`, () => {});
  }
}

const repos = fixtureSnapshots({ namePrefix: 'renovate-real' });
afterAll(repos.cleanup);

const LOCK = JSON.stringify(
  {
    name: 'shop',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'shop', version: '1.0.0', dependencies: { express: '^5.1.0' } },
      'node_modules/express': { version: '5.1.0', resolved: 'https://registry.npmjs.org/express/-/express-5.1.0.tgz', integrity: 'sha512-x' },
    },
  },
  null,
  2,
);
const MANIFEST = JSON.stringify({ name: 'shop', version: '1.0.0', dependencies: { express: '^5.1.0' } }, null, 2);
const EXPRESS = { status: 'found' as const, fetchedAt: NOW.toISOString(), releases: [{ version: '5.1.0', publishedAt: '2026-03-31T00:00:00Z', yanked: false, deprecated: false }] };

async function judge(files: Record<string, FixtureFile>): Promise<CheckOutcome> {
  const snapshot = await repos.snapshot(check.meta.reads, { 'package.json': MANIFEST, 'package-lock.json': LOCK, ...files });
  const options = check.meta.options.parse({});
  const kind = { kind: 'service' as const, source: 'detected' as const, evidence: [] };
  const wants = check.wants!(snapshot, { options, kind, now: NOW });
  expect(wants.renovateSchema).toBe(true);
  const fact: SchemaFact = { status: 'available', schema: schema!, version: RENOVATE_VERSION };
  const facts: ExternalFacts = { packages: new Map((wants.packages ?? []).map((ref) => [packageKey(ref), EXPRESS])), renovateSchema: fact };
  return check.run(snapshot, { options, kind, now: NOW, facts });
}

const schemaFindings = (outcome: CheckOutcome) =>
  outcome.findings.filter((f) => f.message.startsWith(`Renovate schema ${RENOVATE_VERSION}: `)).map((f) => `${f.path}:${f.line} ${f.message.slice(`Renovate schema ${RENOVATE_VERSION}: `.length)}`);

describe.runIf(schema)(`Renovate configurations against Renovate ${RENOVATE_VERSION}'s own schema`, () => {
  it('is the pinned release', () => {
    expect((schema as Record<string, unknown>)['x-renovate-version']).toBe(RENOVATE_VERSION);
  });

  it('a real-world configuration passes: presets, schedule, package rules, lock file maintenance, manager settings', async () => {
    const config = {
      $schema: 'https://docs.renovatebot.com/renovate-schema.json',
      extends: ['config:recommended', ':semanticCommits', 'group:monorepos', ':dependencyDashboard'],
      timezone: 'Europe/Berlin',
      schedule: ['before 6am on monday'],
      labels: ['dependencies'],
      prConcurrentLimit: 5,
      rangeStrategy: 'bump',
      packageRules: [
        { matchUpdateTypes: ['minor', 'patch'], matchCurrentVersion: '!/^0/', automerge: true },
        { matchDepTypes: ['devDependencies'], groupName: 'dev dependencies', schedule: ['before 6am on the first day of the month'] },
        { matchPackageNames: ['/^@aws-sdk\\//'], groupName: 'AWS SDK' },
        { matchManagers: ['terraform'], enabled: false },
      ],
      lockFileMaintenance: { enabled: true, schedule: ['before 4am on monday'] },
      vulnerabilityAlerts: { labels: ['security'] },
      npm: { minimumReleaseAge: '3 days' },
      ignorePaths: ['**/fixtures/**'],
    };
    const outcome = await judge({ 'renovate.json': JSON.stringify(config, null, 2) + '\n' });
    expect(schemaFindings(outcome)).toEqual([]);
    expect(outcome.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(outcome).toMatchObject({ status: 'pass', score: 10 });
    expect(outcome.summary).toContain('Renovate covers npm; lockfiles committed');
  });

  it('a typo\'d option value ("automerge": "yes") in a JSON5 file: one finding at its pointer and line, half credit', async () => {
    const text = ['// Renovate for the shop', '{', '  extends: ["config:recommended"],', '  automerge: "yes", // merge everything', '}', ''].join('\n');
    const outcome = await judge({ '.github/renovate.json5': text });
    expect(schemaFindings(outcome)).toEqual(['.github/renovate.json5:4 /automerge must be boolean']);
    expect(outcome.findings).toContainEqual(expect.objectContaining({ severity: 'medium', path: '.github/renovate.json5', message: expect.stringMatching(/fails Renovate's schema with 1 error; .*half an update bot/) }));
    expect(outcome.summary).toContain('Renovate covers npm (configuration fails its schema: 1 error)');
    // Fresh dependencies and a lockfile, but the bot earns half of its 3 points.
    expect(outcome.score).toBe(8.5);
  });

  it('packageRules of the wrong type: an object instead of a list, and a number where a list or string belongs', async () => {
    const notAList = await judge({ 'renovate.json': JSON.stringify({ extends: ['config:recommended'], packageRules: { matchPackageNames: ['react'], enabled: false } }, null, 2) });
    expect(schemaFindings(notAList)).toEqual(['renovate.json:5 /packageRules must be array']);
    const wrongItem = await judge({
      'renovate.json': JSON.stringify({ extends: ['config:recommended'], schedule: 'before 6am', packageRules: [{ matchPackageNames: ['react'], automerge: true }, { matchPackageNames: 42, enabled: 'false' }] }, null, 2),
    });
    // One finding per mistake, even where the schema allows a list or a string (Ajv reports each branch).
    expect(schemaFindings(wrongItem)).toEqual(['renovate.json:14 /packageRules/1/matchPackageNames must be array or string', 'renovate.json:15 /packageRules/1/enabled must be boolean']);
  });

  it('options of the self-hosted (global) configuration in a repository: one finding per option, each with its pointer', async () => {
    const text = JSON.stringify({ extends: ['config:recommended'], onboardingBranch: 'renovate/setup', allowedCommands: ['^npm ci$'], automerge: true }, null, 2);
    const outcome = await judge({ '.renovaterc.json': text });
    expect(schemaFindings(outcome)).toEqual([
      '.renovaterc.json:5 /onboardingBranch "onboardingBranch" may only be set in the self-hosted (global) configuration, not in a repository',
      '.renovaterc.json:6 /allowedCommands "allowedCommands" may only be set in the self-hosted (global) configuration, not in a repository',
    ]);
    expect(outcome.summary).toContain('(configuration fails its schema: 2 errors)');
  });

  it('the "renovate" key of package.json: pointers start at /renovate', async () => {
    const manifest = JSON.stringify({ name: 'shop', version: '1.0.0', dependencies: { express: '^5.1.0' }, renovate: { extends: ['config:recommended'], prHourlyLimit: 'two' } }, null, 2);
    const outcome = await judge({ 'package.json': manifest });
    expect(schemaFindings(outcome)).toEqual(['package.json:11 /renovate/prHourlyLimit must be integer']);
  });

  it('"enabled": false is switched off even though the schema accepts it', async () => {
    const outcome = await judge({ 'renovate.json': JSON.stringify({ extends: ['config:recommended'], enabled: false }, null, 2) });
    expect(schemaFindings(outcome)).toEqual([]);
    expect(outcome.summary).toContain('Renovate switched off');
    expect(outcome.status).toBe('warn');
  });
});
