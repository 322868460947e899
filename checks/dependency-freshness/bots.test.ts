// Renovate in every location it accepts (valid, invalid against the schema, disabled, unparseable) and
// Dependabot (version, switched-off entries, directories), read from real git repositories.
import { afterAll, describe, expect, it } from 'vitest';
import type { FixtureFile } from '../../fixtures/factory.ts';
import { fixtureSnapshots } from '../../tests/fixture-snapshots.ts';
import type { SchemaFact } from '../contract.ts';
import { dependabotCovers, json5AsJsonc, RENOVATE_LOCATIONS, scanBots, type BotScan } from './bots.ts';
import check from './index.ts';
import { emptySource, type SourceFormat } from './model.ts';
import { DEPENDABOT_SCHEMA_FACT, SCHEMA_FACT } from './test-schema.ts';

const repos = fixtureSnapshots({ namePrefix: 'bots' });
afterAll(repos.cleanup);

async function scan(files: Record<string, FixtureFile>, schema: SchemaFact | undefined = SCHEMA_FACT, dependabotSchema: SchemaFact | undefined = DEPENDABOT_SCHEMA_FACT): Promise<BotScan> {
  return scanBots(await repos.snapshot(check.meta.reads, files), schema, dependabotSchema);
}

const VALID = '{\n  "$schema": "https://docs.renovatebot.com/renovate-schema.json",\n  "extends": ["config:recommended"],\n  "rangeStrategy": "bump"\n}\n';
const INVALID = '{\n  "extends": ["config:recommended"],\n  "rangeStrategy": "sometimes",\n  "automergeEverything": true,\n  "packageRules": [\n    { "matchUpdateTypes": ["minor", "tiny"], "automerge": true }\n  ]\n}\n';
const DISABLED = '{\n  "extends": ["config:recommended"],\n  "enabled": false,\n  "description": "Paused during the migration"\n}\n';
const FILE_LOCATIONS = RENOVATE_LOCATIONS.filter((p) => p !== 'package.json');

describe('Renovate configuration', () => {
  it.each(FILE_LOCATIONS)('%s: a valid configuration is found, active and passes the schema', async (location) => {
    const s = await scan({ [location]: VALID });
    expect(s.renovate).toMatchObject({ path: location, state: 'active', validation: 'valid', schemaErrors: 0 });
    expect(s.findings).toEqual([]);
  });

  it.each(FILE_LOCATIONS)('%s: each schema error is a finding with its JSON pointer and line', async (location) => {
    const s = await scan({ [location]: INVALID });
    expect(s.renovate).toMatchObject({ path: location, state: 'active', validation: 'invalid' });
    const messages = s.findings.map((f) => `${f.line}: ${f.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^3: Renovate schema 41\.0\.0-test: \/rangeStrategy must be one of "auto", "pin"/),
        '4: Renovate schema 41.0.0-test: /automergeEverything unknown option "automergeEverything"',
        expect.stringMatching(/^6: Renovate schema 41\.0\.0-test: \/packageRules\/0\/matchUpdateTypes\/1 must be one of/),
      ]),
    );
    expect(s.renovate!.schemaErrors).toBe(3);
    expect(s.findings.every((f) => f.path === location)).toBe(true);
  });

  it.each(FILE_LOCATIONS)('%s: "enabled": false switches Renovate off, and says so at its line', async (location) => {
    const s = await scan({ [location]: DISABLED });
    expect(s.renovate?.state).toBe('disabled');
    const off = s.findings.find((f) => /switched off/.test(f.message));
    expect(off).toMatchObject({ severity: 'high', path: location, line: 3 });
    expect(off?.message).toMatch(/Paused during the migration/);
    expect(s.renovate!.covers(emptySource('package-lock.json', 'package-lock', 'x', 'npm', 'lockfile'))).toEqual({ covered: false, why: 'Renovate is switched off with "enabled": false' });
  });

  it('reads the "renovate" key of package.json: valid, invalid (pointer under /renovate) and disabled', async () => {
    const pkg = (renovate: unknown) => JSON.stringify({ name: 'x', version: '1.0.0', renovate }, null, 2) + '\n';
    const valid = await scan({ 'package.json': pkg({ extends: ['config:recommended'] }) });
    expect(valid.renovate).toMatchObject({ path: 'package.json', state: 'active', validation: 'valid', line: 4 });
    expect(valid.findings.map((f) => f.message)).toEqual([expect.stringMatching(/discourages/)]);
    const invalid = await scan({ 'package.json': pkg({ rangeStrategy: 'sometimes' }) });
    expect(invalid.findings.find((f) => /rangeStrategy/.test(f.message))).toMatchObject({ line: 5, message: expect.stringMatching(/\/renovate\/rangeStrategy must be one of/) });
    expect((await scan({ 'package.json': pkg({ enabled: false }) })).renovate?.state).toBe('disabled');
    expect((await scan({ 'package.json': JSON.stringify({ name: 'x' }) })).renovate).toBeUndefined();
  });

  it('parses JSON5: comments, unquoted keys and trailing commas are fine in .json5 and noted in .json', async () => {
    const json5 = "// Renovate for the team\n{\n  extends: ['config:recommended'],\n  rangeStrategy: 'bump', // always\n}\n";
    const asJson5 = await scan({ 'renovate.json5': json5 });
    expect(asJson5.renovate).toMatchObject({ state: 'active', validation: 'valid' });
    expect(asJson5.findings).toEqual([]);
    const asJson = await scan({ 'renovate.json': json5 });
    expect(asJson.renovate).toMatchObject({ state: 'active', validation: 'valid' });
    expect(asJson.findings).toMatchObject([{ severity: 'low', path: 'renovate.json', message: expect.stringMatching(/JSON5-only syntax/) }]);
    const jsonc = await scan({ '.github/renovate.jsonc': '{\n  // comments are JSONC\n  "extends": ["config:recommended"],\n}\n' });
    expect(jsonc.findings).toEqual([]);
  });

  it('places schema errors of a JSON5 file on their own lines (unquoted keys, single quotes, comments)', async () => {
    const json5 = "// Renovate for the team\n{\n  extends: ['config:recommended'],\n  /* ranges */\n  rangeStrategy: 'sometimes',\n  packageRules: [\n    { matchUpdateTypes: ['minor', 'tiny'], automerge: true },\n  ],\n  'enabled': 'yes',\n}\n";
    const s = await scan({ '.gitlab/renovate.json5': json5 });
    expect(s.findings.map((f) => `${f.line}: ${f.message.replace(/^Renovate schema 41\.0\.0-test: /, '')}`)).toEqual([
      expect.stringMatching(/^5: \/rangeStrategy must be one of/),
      expect.stringMatching(/^7: \/packageRules\/0\/matchUpdateTypes\/1 must be one of/),
      '9: /enabled must be boolean',
    ]);
    expect(json5AsJsonc(json5).split('\n')).toHaveLength(json5.split('\n').length);
  });

  it('reports a value that fits no branch of a oneOf/anyOf once, not once per branch', async () => {
    const s = await scan({ 'renovate.json': '{\n  "description": 42,\n  "extends": ["config:recommended"]\n}\n' });
    expect(s.renovate?.schemaErrors).toBe(1);
    expect(s.findings.map((f) => `${f.line}: ${f.message}`)).toEqual(['2: Renovate schema 41.0.0-test: /description must be string or array']);
    const nested = await scan({ 'renovate.json': '{\n  "description": ["ok", 7]\n}\n' });
    expect(nested.findings.map((f) => f.message)).toEqual(['Renovate schema 41.0.0-test: /description fits none of the allowed forms: /description must be string, or /description/1 must be string']);
  });

  it('an unparseable configuration means Renovate does not run', async () => {
    const s = await scan({ '.github/renovate.json': '{\n  "extends": ["config:recommended"\n  "automerge": true\n}\n' });
    expect(s.renovate?.state).toBe('unparseable');
    expect(s.findings[0]).toMatchObject({ severity: 'high', path: '.github/renovate.json', line: 3, message: expect.stringMatching(/cannot parse/) });
    expect((await scan({ 'renovate.json': '[1, 2]' })).renovate?.state).toBe('unparseable');
  });

  it('uses the first configuration in Renovate order and flags the others as ignored', async () => {
    const s = await scan({ '.github/renovate.json': VALID, 'renovate.json5': DISABLED, '.renovaterc': VALID });
    expect(s.renovate).toMatchObject({ path: 'renovate.json5', state: 'disabled' });
    expect(s.findings.filter((f) => /ignored: Renovate reads only the first/.test(f.message)).map((f) => f.path).sort()).toEqual(['.github/renovate.json', '.renovaterc']);
  });

  it('names options that only the self-hosted configuration may set', async () => {
    const s = await scan({ 'renovate.json': '{\n  "extends": ["config:recommended"],\n  "allowedHeaders": ["X-*"]\n}\n' });
    expect(s.renovate?.validation).toBe('invalid');
    expect(s.findings).toEqual([{ rule: 'invalid-renovate-config', severity: 'medium', path: 'renovate.json', line: 3, message: 'Renovate schema 41.0.0-test: /allowedHeaders "allowedHeaders" may only be set in the self-hosted (global) configuration, not in a repository' }]);
  });

  it('":disableRenovate" in extends switches it off too', async () => {
    expect((await scan({ 'renovate.json': '{"extends": [":disableRenovate"]}' })).renovate?.state).toBe('disabled');
  });

  it('reports validation as skipped, with the reason, when the schema fact says so or is missing', async () => {
    const skipped = await scan({ 'renovate.json': INVALID }, { status: 'skipped', reason: 'offline: renovate-schema.json is not in the cache' });
    expect(skipped.renovate?.validation).toBe('skipped');
    expect(skipped.schemaSkipped).toBe('offline: renovate-schema.json is not in the cache');
    expect(skipped.findings.filter((f) => /schema/.test(f.message))).toEqual([]);
    const missing = scanBots(await repos.snapshot(check.meta.reads, { 'renovate.json': VALID }), undefined);
    expect(missing.schemaSkipped).toMatch(/did not hand the check a schema/);
  });

  it('a schema that cannot be compiled is reported as skipped, not as a pass', async () => {
    const broken: SchemaFact = { status: 'available', version: 'broken', schema: { type: 'object', properties: { a: { $ref: '#/definitions/missing' } } } };
    const s = await scan({ 'renovate.json': VALID }, broken);
    expect(s.renovate?.validation).toBe('skipped');
    expect(s.schemaSkipped).toMatch(/could not be compiled/);
  });

  it('validates each schema by its content: copies share a verdict, a different schema under the same label does not', async () => {
    const strict: SchemaFact = { status: 'available', version: 'same-label', schema: { type: 'object', properties: { automerge: { type: 'boolean' } } } };
    const loose: SchemaFact = { status: 'available', version: 'same-label', schema: { type: 'object' } };
    const config = { 'renovate.json': '{"automerge": "yes"}' };
    expect((await scan(config, strict)).renovate?.validation).toBe('invalid');
    expect((await scan(config, loose)).renovate?.validation).toBe('valid');
    expect((await scan(config, structuredClone(strict))).renovate?.validation).toBe('invalid');
  });

  it('validates against a draft 2020-12 schema as well', async () => {
    const schema2020: SchemaFact = { status: 'available', version: 'x', schema: { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { extends: { type: 'array', prefixItems: [{ const: 'config:recommended' }] } } } };
    expect((await scan({ 'renovate.json': '{"extends": ["config:base"]}' }, schema2020)).findings[0]?.message).toMatch(/\/extends\/0 must be equal to constant/);
  });

  it('covers files by manager, enabledManagers, package rules and ignorePaths', async () => {
    const s = await scan({
      'renovate.json': JSON.stringify({
        enabledManagers: ['npm', 'poetry', 'pip_requirements', 'terraform'],
        poetry: { enabled: false },
        ignorePaths: ['legacy/'],
        packageRules: [{ matchManagers: ['terraform'], enabled: false }, { matchManagers: ['npm'], matchDepTypes: ['devDependencies'], enabled: false }],
      }),
    });
    const covers = (path: string, format: SourceFormat) => s.renovate!.covers(emptySource(path, format, path, 'npm', 'lockfile'));
    expect(covers('package-lock.json', 'package-lock')).toEqual({ covered: true, credit: 1 });
    expect(covers('legacy/package-lock.json', 'package-lock')).toEqual({ covered: false, why: '"ignorePaths" matches legacy/package-lock.json' });
    expect(covers('poetry.lock', 'poetry')).toEqual({ covered: false, why: '"poetry": { "enabled": false }' });
    expect(covers('go.mod', 'go.mod')).toEqual({ covered: false, why: '"enabledManagers" leaves out gomod' });
    expect(covers('envs/prod/.terraform.lock.hcl', 'terraform-lock')).toEqual({ covered: false, why: 'a package rule disables the terraform manager' });
    expect(covers('requirements-dev.txt', 'requirements')).toEqual({ covered: true, credit: 1 });
    expect(covers('requirements/base.txt', 'requirements')).toMatchObject({ covered: false, why: expect.stringMatching(/managerFilePatterns/) });
  });
});

describe('Dependabot configuration', () => {
  const dependabot = (updates: string) => `version: 2\nupdates:\n${updates}`;
  const npmRoot = '  - package-ecosystem: "npm"\n    directory: "/"\n    schedule:\n      interval: "weekly"\n';

  it('version 2 with an entry per ecosystem and directory covers those files only', async () => {
    const s = await scan({ '.github/dependabot.yml': dependabot(npmRoot + '  - package-ecosystem: "pip"\n    directories: ["/services/*"]\n    schedule:\n      interval: "daily"\n') });
    expect(s.dependabot).toMatchObject({ path: '.github/dependabot.yml', state: 'active' });
    const covers = (path: string, format: SourceFormat) => dependabotCovers(s.dependabot!, emptySource(path, format, path, 'npm', 'lockfile'));
    expect(covers('package-lock.json', 'package-lock')).toEqual({ covered: true, credit: 1 });
    expect(covers('web/package-lock.json', 'package-lock')).toEqual({ covered: false, why: 'Dependabot\'s "npm" entry looks in /, not /web' });
    expect(covers('services/ledger/poetry.lock', 'poetry')).toEqual({ covered: true, credit: 1 });
    expect(covers('go.mod', 'go.mod')).toEqual({ covered: false, why: 'Dependabot has no "gomod" entry' });
  });

  it('open-pull-requests-limit: 0 and ignoring "*" leave security updates only: a quarter of a bot, said at their lines', async () => {
    const s = await scan({ '.github/dependabot.yaml': dependabot(npmRoot + '    open-pull-requests-limit: 0\n  - package-ecosystem: "gomod"\n    directory: "/"\n    schedule:\n      interval: "weekly"\n    ignore:\n      - dependency-name: "*"\n') });
    expect(s.dependabot?.state).toBe('off');
    expect(s.findings.map((f) => `${f.rule} ${f.line}: ${f.message}`)).toEqual([
      'updates-switched-off 7: open-pull-requests-limit: 0 switches version updates off for npm: only security updates are opened (counted as 0.25 of a bot)',
      'updates-switched-off 12: ignore: dependency-name "*" switches every version update off for gomod: only security updates are opened (counted as 0.25 of a bot)',
    ]);
    expect(dependabotCovers(s.dependabot!, emptySource('package-lock.json', 'package-lock', 'x', 'npm', 'lockfile'))).toEqual({ covered: true, credit: 0.25, gap: 'Dependabot: security updates only' });
  });

  it('ignoring semver-major (and minor) updates of every dependency is partial coverage, with a finding saying what is left out', async () => {
    const ignore = (types: string) => `    ignore:\n      - dependency-name: "*"\n        update-types: [${types}]\n`;
    const s = await scan({ '.github/dependabot.yml': dependabot(npmRoot + ignore('"version-update:semver-major"') + '  - package-ecosystem: "pip"\n    directory: "/"\n    schedule:\n      interval: "weekly"\n' + ignore('"version-update:semver-major", "version-update:semver-minor"')) });
    expect(s.dependabot?.state).toBe('active');
    expect(s.findings.map((f) => `${f.rule} ${f.line}: ${f.message}`)).toEqual([
      'partial-bot-coverage 7: major updates are ignored for every npm dependency ("*"): those updates are left to people (counted as 0.75 of a bot)',
      'partial-bot-coverage 14: major and minor updates are ignored for every pip dependency: only patches are proposed: those updates are left to people (counted as 0.5 of a bot)',
    ]);
    const covers = (path: string, format: SourceFormat) => dependabotCovers(s.dependabot!, emptySource(path, format, path, 'npm', 'lockfile'));
    expect(covers('package-lock.json', 'package-lock')).toMatchObject({ covered: true, credit: 0.75 });
    expect(covers('requirements.txt', 'requirements')).toMatchObject({ covered: true, credit: 0.5 });
    // Ignoring majors of one dependency is ordinary practice: full credit.
    const one = await scan({ '.github/dependabot.yml': dependabot(npmRoot + '    ignore:\n      - dependency-name: "react"\n        update-types: ["version-update:semver-major"]\n') });
    expect(one.findings).toEqual([]);
    expect(dependabotCovers(one.dependabot!, emptySource('package-lock.json', 'package-lock', 'x', 'npm', 'lockfile'))).toEqual({ covered: true, credit: 1 });
  });

  it('Renovate with majors switched off for every package (or one manager) covers at 0.75 and says so', async () => {
    const s = await scan({ 'renovate.json': JSON.stringify({ packageRules: [{ matchUpdateTypes: ['major'], enabled: false }] }) });
    expect(s.renovate!.covers(emptySource('package-lock.json', 'package-lock', 'x', 'npm', 'lockfile'))).toEqual({ covered: true, credit: 0.75, gap: 'major updates are switched off for every package' });
    const npmOnly = await scan({ 'renovate.json': JSON.stringify({ packageRules: [{ matchManagers: ['npm'], matchUpdateTypes: ['major'], enabled: false }] }) });
    expect(npmOnly.renovate!.covers(emptySource('package-lock.json', 'package-lock', 'x', 'npm', 'lockfile'))).toMatchObject({ credit: 0.75 });
    expect(npmOnly.renovate!.covers(emptySource('go.mod', 'go.mod', 'x', 'go', 'lockfile'))).toEqual({ covered: true, credit: 1 });
    // A rule for some packages only leaves the rest updated.
    const some = await scan({ 'renovate.json': JSON.stringify({ packageRules: [{ matchPackageNames: ['react'], matchUpdateTypes: ['major'], enabled: false }] }) });
    expect(some.renovate!.covers(emptySource('package-lock.json', 'package-lock', 'x', 'npm', 'lockfile'))).toEqual({ covered: true, credit: 1 });
  });

  it('validates against the maintained schema: multi-ecosystem-groups without a per-entry schedule are valid', async () => {
    const multi = 'version: 2\nmulti-ecosystem-groups:\n  infrastructure:\n    schedule:\n      interval: "weekly"\nupdates:\n  - package-ecosystem: "docker"\n    directory: "/"\n    multi-ecosystem-group: "infrastructure"\n    patterns: ["*"]\n  - package-ecosystem: "terraform"\n    directory: "/infra"\n    multi-ecosystem-group: "infrastructure"\n    patterns: ["*"]\n';
    const s = await scan({ '.github/dependabot.yml': multi });
    expect(s.dependabot).toMatchObject({ state: 'active', validation: 'valid' });
    expect(s.findings).toEqual([]);
    expect(dependabotCovers(s.dependabot!, emptySource('infra/main.tf', 'terraform', 'x', 'terraform-provider', 'manifest'))).toEqual({ covered: true, credit: 1 });
  });

  it('a schema error makes the file invalid, at its line, with the schema version; without the schema only certain refusals count', async () => {
    const noSchedule = dependabot('  - package-ecosystem: "npm"\n    directory: "/"\n  - package-ecosystem: "cobol"\n    directory: "/"\n    schedule:\n      interval: "weekly"\n');
    const s = await scan({ '.github/dependabot.yml': noSchedule });
    expect(s.dependabot).toMatchObject({ state: 'invalid', validation: 'invalid', entries: [] });
    expect(s.findings.map((f) => `${f.line}: ${f.message}`)).toEqual([
      expect.stringMatching(/^3: Dependabot schema dependabot-test: \/updates\/0 must have required property 'schedule'; GitHub rejects the whole file/),
      expect.stringMatching(/^5: Dependabot schema dependabot-test: \/updates\/1\/package-ecosystem must be one of "bundler".*stricter here than GitHub may be/),
    ]);
    // Without the schema nothing is refused on rules the check does not own; it says validation was skipped.
    const skipped = await scan({ '.github/dependabot.yml': noSchedule }, SCHEMA_FACT, { status: 'skipped', reason: 'offline: not in the cache' });
    expect(skipped.dependabot).toMatchObject({ state: 'active', validation: 'skipped' });
    expect(skipped.dependabotSchemaSkipped).toBe('offline: not in the cache');
    expect(skipped.findings).toEqual([]);
  });

  it('schema errors that do not prove GitHub refuses the file (unknown or retired option, duplicates, newer ecosystem) are noted, not fatal', async () => {
    const s = await scan({ '.github/dependabot.yml': dependabot(npmRoot + '    reviewers: ["team"]\n    ignore:\n      - dependency-name: "*"\n        update-types: ["version-update:semver-major", "version-update:semver-major"]\n  - package-ecosystem: "bun"\n    directory: "/"\n    schedule:\n      interval: "weekly"\n') });
    expect(s.dependabot).toMatchObject({ state: 'active', validation: 'valid' });
    expect(s.findings.filter((f) => f.rule === 'invalid-dependabot-config').map((f) => `${f.severity} ${f.line}`)).toEqual(['low 7', 'low 10', 'low 11']);
    expect(s.findings.find((f) => f.line === 7)?.message).toMatch(/unknown option "reviewers"; the schema is stricter here than GitHub may be/);
  });

  it('rejects version 1 and broken YAML with or without the schema: the whole file does nothing', async () => {
    for (const schema of [DEPENDABOT_SCHEMA_FACT, undefined]) {
      const fact: SchemaFact = schema ?? { status: 'skipped', reason: 'offline' };
      const v1 = await scan({ '.github/dependabot.yml': 'version: 1\nupdate_configs:\n  - package_manager: "javascript"\n    directory: "/"\n    update_schedule: "weekly"\n' }, SCHEMA_FACT, fact);
      expect(v1.dependabot?.state).toBe('invalid');
      expect(v1.findings).toContainEqual(expect.objectContaining({ severity: 'high', line: 1, message: expect.stringMatching(schema ? /\/version must be equal to constant/ : /"version" must be 2, not 1/) }));
      const broken = await scan({ '.github/dependabot.yml': 'version: 2\nupdates:\n  - package-ecosystem: "npm\n    directory: "/"\n' }, SCHEMA_FACT, fact);
      expect(broken.dependabot?.state).toBe('invalid');
      expect(broken.findings[0]).toMatchObject({ severity: 'high', message: expect.stringMatching(/cannot parse/) });
      expect(broken.findings[0]?.line).toBeGreaterThan(0);
    }
  });
});
