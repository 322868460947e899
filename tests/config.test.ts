import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../checks/registry.ts';
import { ConfigError, configJsonSchema, parseConfig } from '../crawler/config.ts';
import { ROOT, runCli, tempDir, writeConfig } from './helpers.ts';

const minimal = `sources:\n  - type: local\n    paths: ['repos/*']\n`;

function errorOf(yaml: string): string {
  try {
    parseConfig(yaml, '/tmp/seaworthy.config.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  const tmp = tempDir();
  afterAll(tmp.cleanup);

  it('fills defaults for a minimal file', () => {
    const config = parseConfig(minimal, '/srv/sw/seaworthy.config.yaml');
    expect(config.database).toBe('data/seaworthy.db');
    expect(config.crawl).toEqual({ concurrency: 4, maxFileBytes: 1_048_576, historyLimit: 1000, carryForwardDays: 7, resumeWithinHours: 24, checkTimeoutSeconds: 60 });
    expect(config.retention).toEqual({ enabled: true, dailyDays: 90, weeklyDays: 0 });
    expect(config.checks.runbooks).toMatchObject({ enabled: true, weight: 3, thresholds: { passAt: 8, warnAt: 5 } });
    expect(config.configDir).toBe('/srv/sw');
  });

  it('defaults to Bronze, Silver and Gold levels and validates custom ones', () => {
    expect(parseConfig(minimal, '/tmp/seaworthy.config.yaml').levels.map((l) => [l.name, l.everyCheck])).toEqual([['Bronze', 4], ['Silver', 6], ['Gold', 8]]);
    const id = CHECKS[0].id;
    const custom = parseConfig(`${minimal}levels:\n  - name: Basic\n    checks:\n      ${id}: 5\n`, '/tmp/seaworthy.config.yaml');
    expect(custom.levels).toEqual([{ name: 'Basic', checks: { [id]: 5 } }]);
    expect(errorOf(`${minimal}levels:\n  - name: A\n    everyCheck: 3\n  - name: a\n    everyCheck: 5\n`)).toContain('levels[1].name: level "a" is defined twice');
    expect(errorOf(`${minimal}levels:\n  - name: A\n    checks:\n      runbook: 3\n`)).toContain('levels[0].checks: unknown key "runbook"');
    expect(errorOf(`${minimal}levels:\n  - name: A\n`)).toContain('give "everyCheck" or at least one entry under "checks"');
    expect(errorOf(`${minimal}levels:\n  - name: A\n    everyCheck: 11\n`)).toContain('levels[0].everyCheck');
  });

  it('names the path, the line, what was expected and shows an example', () => {
    const message = errorOf(`${minimal}teams:\n  - name: payments\n    displayName: Payments\n    repos: payments-*\n`);
    expect(message).toContain('seaworthy.config.yaml:7: teams[0].repos: expected array, got string "payments-*"');
    expect(message).toMatch(/example for teams\.0\.repos:\n\s+repos:\n\s+- payments-\*/);
  });

  it('rejects unknown keys and unknown checks, listing the known ones', () => {
    expect(errorOf(`${minimal}crawl:\n  concurency: 3\n`)).toContain('crawl: unknown key "concurency"');
    const unknownCheck = errorOf(`${minimal}exemptions:\n  - repo: a\n    check: runbook\n    reason: a good long reason\n    expires: '2027-01-01'\n`);
    expect(unknownCheck).toContain(`exemptions[0].check: expected one of ${CHECKS.map((c) => `"${c.id}"`).join(', ')}, got string "runbook"`);
    expect(unknownCheck).toContain('"runbooks"');
  });

  it('validates per-check thresholds with the check’s own schema', () => {
    expect(errorOf(`${minimal}checks:\n  runbooks:\n    thresholds:\n      passAt: 12\n`)).toMatch(/checks\.runbooks\.thresholds\.passAt: .*10/);
    expect(errorOf(`${minimal}checks:\n  no-such-check: {}\n`)).toContain('checks: unknown key "no-such-check"');
  });

  it('shows examples inside sections with defaults, and refuses contact links that could run script', () => {
    expect(errorOf(`${minimal}site:\n  base: scorecards\n`)).toMatch(/site\.base: must start with "\/"\n\s+example for site\.base:\n\s+base: \/scorecards\//);
    expect(errorOf(`${minimal}teams:\n  - {name: a, displayName: A, repos: [x], contact: 'javascript:alert(1)'}\n`)).toContain('teams[0].contact: must be an http(s) or mailto: URL');
    expect(parseConfig(`${minimal}teams:\n  - {name: a, displayName: A, repos: [x], contact: 'mailto:a@example.com'}\n`, '/tmp/c.yaml').teams[0]!.contact).toBe('mailto:a@example.com');
  });

  it('rejects bad exemption dates and duplicate teams', () => {
    expect(errorOf(`${minimal}exemptions:\n  - repo: a\n    check: runbooks\n    reason: a good long reason\n    expires: next year\n`)).toContain('exemptions[0].expires');
    expect(errorOf(`${minimal}teams:\n  - {name: a, displayName: A, repos: [x]}\n  - {name: a, displayName: B, repos: [y]}\n`)).toContain('team "a" is defined twice');
  });

  it('reports YAML syntax errors with their position', () => {
    expect(errorOf('sources: [\n  - type: local\n')).toMatch(/YAML syntax error: .*line \d+/s);
  });

  it('exits 2 with the message on stderr from the CLI, for a bad file and a missing one', () => {
    const file = writeConfig(tmp.dir, `${minimal}crawl:\n  concurrency: many\n`);
    const bad = runCli(['crawl', '--config', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('crawl.concurrency: expected number, got string "many"');
    const missing = runCli(['crawl', '--config', path.join(tmp.dir, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no configuration at');
    expect(runCli(['crawl', '--bogus']).code).toBe(2);
    expect(runCli(['frobnicate']).code).toBe(2);
  });

  it('publishes an up-to-date JSON Schema for editors', () => {
    const published = JSON.parse(readFileSync(path.join(ROOT, 'seaworthy.config.schema.json'), 'utf8')) as unknown;
    expect(published, 'seaworthy.config.schema.json is stale: run npm run schema').toEqual(configJsonSchema());
    const schema = configJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    expect(schema.required).toEqual(['sources']);
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['sources', 'teams', 'checks', 'exemptions', 'repoKinds']));
  });
});
