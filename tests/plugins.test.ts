// An organisation's own checks, end to end through the CLI: plugin folders in a temporary folder
// outside this repository (code and declarative), loaded from `plugins:`, run in the check threads
// with a time limit, stored, shown on the site, in the schema and in SARIF. Misbehaving plugins (an
// exception, an endless loop, a super-linear regular expression, a broken outcome, file-system
// access that hangs or fails) cost their own result on that repository and nothing else.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaffoldCheck } from '../crawler/plugins/scaffold.ts';
import { createRepo } from '../fixtures/factory.ts';
import { ROOT, TIME_SCALE, runCli, tempDir, writeConfig } from './helpers.ts';

const tmp = tempDir('sw-plugins-');
const PLUGINS = path.join(tmp.dir, 'org-checks');
// Short, so the hanging plugins cost little; scaled, so a loaded machine does not stop the good ones.
const LIMIT_SECONDS = 1 * TIME_SCALE;

const meta = (id: string, extra = '') => `{ title: '${id}', description: 'A plugin for tests.', category: 'operability', weight: 1, version: 1, reads: ['**/*'], options: z.object({}), rules: { 'bad-thing': { title: 'Bad thing' } }${extra} }`;

function plugin(id: string, body: string, imports = ''): void {
  const dir = path.join(PLUGINS, id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'index.ts'), `// Standard: tests\nimport { defineCheck, z } from 'seaworthy/check';\n${imports}\nexport default defineCheck({ id: '${id}', meta: ${meta(id)}, ${body} });\n`);
  writeFileSync(path.join(dir, 'README.md'), `# ${id}\n\nA plugin for tests.\n\n## What it checks\n\nNothing real.\n\n## Why it matters\n\nIt tests the runner.\n\n## How to fix\n\n<h3 id="rule-bad-thing">Bad thing</h3>\n\nRemove the bad thing from the repository and commit the change to the default branch, then crawl again.\n`);
}


let config: string;
let db: string;
let crawl: ReturnType<typeof runCli>;

beforeAll(() => {
  scaffoldCheck(path.join(PLUGINS, 'org-readme'));
  plugin('thrower', `run() { throw new Error('boom in a plugin'); }`);
  plugin('looper', `run() { for (;;) {} }`);
  plugin('regex-bomb', `run() { const hit = /^(a+)+$/.test('a'.repeat(64) + 'b'); return { status: 'pass', score: 10, summary: String(hit), findings: [] }; }`);
  plugin('broken-outcome', `run() { return { status: 'pass', score: 42, summary: 'too good', findings: [] }; }`);
  // Purity is a contract, not a sandbox: a plugin can import node:fs. One that keeps reading is
  // stopped by the time limit; one whose read fails is that check's error.
  plugin('fs-hang', `run() { for (;;) readFileSync('/dev/null'); }`, `import { readFileSync } from 'node:fs';`);
  plugin('fs-missing', `run() { readFileSync('/nonexistent/seaworthy/secret'); return { status: 'pass', score: 10, summary: 'read', findings: [] }; }`, `import { readFileSync } from 'node:fs';`);
  mkdirSync(path.join(PLUGINS, 'security-policy'));
  writeFileSync(
    path.join(PLUGINS, 'security-policy', 'check.yaml'),
    `id: security-policy\ntitle: Security policy\ndescription: Every repository says how to report a vulnerability.\nrules:\n  - id: missing-security-policy\n    title: No security policy\n    severity: medium\n    message: no SECURITY.md says how to report a vulnerability\n    fix: Add SECURITY.md at the root saying where to report a vulnerability and how fast you answer.\n    fileExists: [SECURITY.md, .github/SECURITY.md]\n`,
  );

  const repos = path.join(tmp.dir, 'repos');
  createRepo(repos, { name: 'payments-api', commits: [{ date: '2026-10-01T12:00:00Z', message: 'initial', files: { 'README.md': '# Payments API\n\nTakes card payments for the shop; owned by the payments team, runbooks in docs/runbooks, dashboards linked from there.\n', 'SECURITY.md': 'Report to security@example.com\n' } }] });
  createRepo(repos, { name: 'ledger', commits: [{ date: '2026-10-01T12:00:00Z', message: 'initial', files: { 'main.go': 'package main\n' } }] });
  db = path.join(tmp.dir, 'seaworthy.db');
  config = writeConfig(
    tmp.dir,
    `database: seaworthy.db\nplugins: ['./org-checks/*']\nsources:\n  - type: local\n    paths: ['repos/*']\n    owner: acme\n    webUrl: https://github.com/acme/{name}\nsite:\n  url: https://acme.example.com/scorecards/\n  base: /scorecards/\nregistries: {offline: true}\ncrawl: {checkTimeoutSeconds: ${LIMIT_SECONDS}, concurrency: 2}\nchecks:\n  org-readme: {weight: 3, thresholds: {minWords: 10}}\n  rollback-plan: {enabled: false}\n  separated-migrations: {enabled: false}\n  stale-flags: {enabled: false}\n  dependency-freshness: {enabled: false}\n  cost-tags: {enabled: false}\n`,
  );
  crawl = runCli(['crawl', '-c', config, '--json', '-q']);
});
afterAll(tmp.cleanup);

function results(repo: string): Record<string, { status: string; summary: string; score: number | null; weight: number }> {
  const d = new Database(db, { readonly: true });
  try {
    const rows = d
      .prepare(`SELECT cr.check_id AS id, cr.status, cr.summary, cr.score, cr.weight FROM check_results cr JOIN repositories r ON r.id = cr.repo_id WHERE r.name = ? AND cr.run_id = (SELECT MAX(id) FROM runs)`)
      .all(repo) as { id: string; status: string; summary: string; score: number | null; weight: number }[];
    return Object.fromEntries(rows.map((r) => [r.id, r]));
  } finally {
    d.close();
  }
}

describe('plugin checks from a folder outside the repository', () => {
  it('are loaded, run and stored beside ours, each misbehaving one an error for itself only', () => {
    expect(crawl.code, crawl.stderr).toBe(0);
    const summary = JSON.parse(crawl.stdout) as { status: string; repositories: number };
    expect(summary).toMatchObject({ status: 'ok', repositories: 2 });
    const payments = results('payments-api');
    const ledger = results('ledger');
    expect(payments['org-readme']).toMatchObject({ status: 'pass', score: 10, weight: 3 });
    expect(ledger['org-readme']).toMatchObject({ status: 'fail', score: 0 });
    expect(payments['security-policy']).toMatchObject({ status: 'pass', score: 10 });
    expect(ledger['security-policy']).toMatchObject({ status: 'fail', score: 0 });
    for (const repo of [payments, ledger]) {
      expect(repo.runbooks?.status, 'a built-in check still judges').not.toBe('error');
      expect(repo.thrower).toMatchObject({ status: 'error', score: null, summary: 'check thrower crashed: boom in a plugin' });
      expect(repo['broken-outcome']).toMatchObject({ status: 'error', summary: 'check broken-outcome returned score 42 outside 0–10' });
      expect(repo['fs-missing']?.status).toBe('error');
      expect(repo['fs-missing']?.summary).toMatch(/^check fs-missing crashed: ENOENT/);
      for (const hanging of ['looper', 'regex-bomb', 'fs-hang']) {
        expect(repo[hanging], hanging).toMatchObject({ status: 'error', score: null, summary: `check ${hanging} was stopped after ${LIMIT_SECONDS} s, its time limit (crawl.checkTimeoutSeconds); the other checks ran` });
      }
    }
  });

  it('join the configuration schema with their ids and options', () => {
    const schema = JSON.parse(runCli(['schema', '-c', config]).stdout) as { properties: { checks: { properties: Record<string, { properties?: { thresholds?: { properties?: Record<string, unknown> } } }> } } };
    expect(Object.keys(schema.properties.checks.properties)).toEqual(expect.arrayContaining(['runbooks', 'org-readme', 'security-policy', 'looper']));
    expect(Object.keys(schema.properties.checks.properties['org-readme']!.properties!.thresholds!.properties!)).toEqual(['minWords']);
    const wrong = writeConfig(tmp.dir, readFileSync(config, 'utf8').replace('minWords: 10', 'minWords: many'), 'wrong.yaml');
    const refused = runCli(['crawl', '-c', wrong]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('checks.org-readme.thresholds.minWords: expected number, got string "many"');
  });

  it('refuses a plugin folder that holds no check, naming it', () => {
    mkdirSync(path.join(tmp.dir, 'empty-plugins', 'nothing'), { recursive: true });
    const bad = writeConfig(tmp.dir, `plugins: ['./empty-plugins/*']\nsources:\n  - type: local\n    paths: ['repos/*']\n`, 'bad-plugins.yaml');
    const refused = runCli(['crawl', '-c', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('nothing: neither index.ts nor check.yaml');
  });

  describe('on the site and in SARIF', () => {
    const out = path.join(tmp.dir, 'dist');
    let build: ReturnType<typeof runCli>;
    beforeAll(() => {
      build = runCli(['build', '-c', config, '--out', out, '-q']);
    });

    it('get a check page from their README (or check.yaml) and a column on repository pages', () => {
      expect(build.code, build.stderr).toBe(0);
      const page = readFileSync(path.join(out, 'checks', 'org-readme', 'index.html'), 'utf8');
      expect(page).toContain('id="rule-missing-readme"');
      expect(page).toContain('Whoever arrives at a repository during an incident');
      const declarative = readFileSync(path.join(out, 'checks', 'security-policy', 'index.html'), 'utf8');
      expect(declarative).toContain('id="rule-missing-security-policy"');
      expect(declarative).toContain('Add SECURITY.md at the root');
      const repoPage = readFileSync(path.join(out, 'repos', 'ledger', 'index.html'), 'utf8');
      expect(repoPage).toContain('/scorecards/checks/org-readme/#rule-missing-readme');
      const api = JSON.parse(readFileSync(path.join(out, 'api', 'v1', 'checks', 'org-readme.json'), 'utf8')) as { check: { id: string; defaultWeight: number } };
      expect(api.check).toMatchObject({ id: 'org-readme', defaultWeight: 1 });
    });

    it('publish SARIF 2.1.0 equal from the site and the command line, as in the golden file', () => {
      const fromSite = JSON.parse(readFileSync(path.join(out, 'api', 'v1', 'sarif', 'ledger.sarif'), 'utf8')) as unknown;
      const cli = runCli(['sarif', '-c', config, '--repo', 'ledger']);
      expect(cli.code, cli.stderr).toBe(0);
      expect(JSON.parse(cli.stdout)).toEqual(fromSite);
      const golden = path.join(ROOT, 'tests', 'golden', 'ledger.sarif');
      // The golden file is this run's output with the tool's version as a placeholder; regenerate with SEAWORTHY_UPDATE_GOLDEN=1.
      const comparable = cli.stdout.replaceAll(JSON.stringify(toolVersion()), '"<version>"').replaceAll(`stopped after ${LIMIT_SECONDS} s`, 'stopped after <limit> s');
      if (process.env.SEAWORTHY_UPDATE_GOLDEN === '1') writeFileSync(golden, comparable);
      expect(comparable).toBe(readFileSync(golden, 'utf8'));
      const unknown = runCli(['sarif', '-c', config, '--repo', 'nope']);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('no repository "nope"');
    });

    // The official schema is fetched, never committed (scripts/fetch-sarif-schema.ts); a machine that
    // could not fetch it says so here instead of failing every other SARIF test with it.
    it.skipIf(!existsSync(SARIF_SCHEMA_FILE))('publish SARIF that the official SARIF 2.1.0 schema accepts', () => {
      const fromSite = JSON.parse(readFileSync(path.join(out, 'api', 'v1', 'sarif', 'ledger.sarif'), 'utf8')) as unknown;
      const validate = sarifValidator();
      expect(validate(fromSite), JSON.stringify(validate.errors, null, 2)).toBe(true);
      // The validator is not one that accepts anything: a result without its message is refused.
      const broken = structuredClone(fromSite) as { runs: { results: Record<string, unknown>[] }[] };
      delete broken.runs[0]!.results[0]!.message;
      expect(validate(broken)).toBe(false);
    });
  });
});

function toolVersion(): string {
  return (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Ajv against the official SARIF 2.1.0 schema (OASIS TC repository, pinned by scripts/fetch-sarif-schema.ts
 * into .cache/sarif-schema/). It is draft-04: Ajv 8 reads it once the draft-04 `$schema` and `id` are set aside
 * (it uses no keyword whose meaning changed since); formats are checked with the URL parser.
 */
const SARIF_SCHEMA_FILE = path.join(ROOT, '.cache', 'sarif-schema', 'sarif-schema-2.1.0.json');

export function sarifValidator() {
  const file = SARIF_SCHEMA_FILE;
  if (!existsSync(file)) throw new Error(`${file} is missing: run "npm run fetch:sarif-schema" (needs the network once)`);
  const { $schema: _draft, id: _id, ...schema } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('uri', (v: string) => URL.canParse(v));
  ajv.addFormat('uri-reference', (v: string) => URL.canParse(v, 'https://base.invalid/'));
  ajv.addFormat('date-time', (v: string) => !Number.isNaN(Date.parse(v)));
  return ajv.compile(schema);
}

