// The same repositories give the same check results whether read from disk or through GitHub:
// the demo fleet, crawled by the local source and by the GitHub source over the fake GitHub.
import { CHECKS } from '../checks/registry.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../crawler/config.ts';
import { DEMO_CONFIG } from '../crawler/demo.ts';
import { createLogger } from '../crawler/log.ts';
import { crawl } from '../crawler/run.ts';
import { generateDemoFleet } from '../fixtures/demo-fleet.ts';
import { FakeGitHub } from '../fixtures/fake-github/server.ts';
import { FAKE_TOKEN } from './github-fleet.ts';
import { tempDir } from './helpers.ts';

interface ResultRow {
  repo: string;
  check: string;
  status: string;
  score: number | null;
  summary: string;
  findings: string;
}

function results(dbPath: string): ResultRow[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db
      .prepare(
        `SELECT r.name AS repo, c.check_id AS "check", c.status, c.score, c.summary,
           (SELECT json_group_array(json_array(f.rule, f.severity, f.message, f.path, f.line)) FROM (SELECT * FROM findings WHERE result_id = c.id ORDER BY id) f) AS findings
         FROM check_results c JOIN repositories r ON r.id = c.repo_id
         WHERE c.run_id = (SELECT MAX(id) FROM runs) ORDER BY r.name, c.check_id`,
      )
      .all() as ResultRow[];
  } finally {
    db.close();
  }
}

describe('GitHub source and local source agree', () => {
  const tmp = tempDir('sw-parity-');
  let fake: FakeGitHub;
  let local: ResultRow[];
  let hosted: ResultRow[];
  let kinds: { local: unknown[]; hosted: unknown[] };
  afterAll(async () => {
    await fake?.stop();
    tmp.cleanup();
  });

  beforeAll(async () => {
    const dirs = generateDemoFleet(path.join(tmp.dir, 'repos'));
    fake = await new FakeGitHub({ org: 'acme', token: FAKE_TOKEN, repos: dirs.map((dir) => ({ dir, name: path.basename(dir) })) }).start();
    const demo = readFileSync(DEMO_CONFIG, 'utf8');
    const localYaml = demo.replace("'../.seaworthy/demo/repos/*'", "'repos/*'").replace('https://github.com/acme/{name}', `${fake.url}/acme/{name}`);
    const githubYaml = demo.replace(/sources:\n(  .*\n|    .*\n)+/, `sources:\n  - type: github\n    org: acme\n    apiUrl: ${fake.apiUrl}\n    ownership: [config]\n`);
    expect(githubYaml).toContain('type: github');
    const now = new Date('2026-11-21T00:00:00Z');
    const logger = createLogger({ quiet: true });
    const a = await crawl(parseConfig(localYaml, path.join(tmp.dir, 'local.yaml')), { dbPath: path.join(tmp.dir, 'local.db'), logger, now });
    const b = await crawl(parseConfig(githubYaml, path.join(tmp.dir, 'github.yaml')), { dbPath: path.join(tmp.dir, 'github.db'), logger, now, env: { GITHUB_TOKEN: FAKE_TOKEN }, github: { client: { secondMs: 1 } } });
    expect([a.status, b.status]).toEqual(['ok', 'ok']);
    local = results(path.join(tmp.dir, 'local.db'));
    hosted = results(path.join(tmp.dir, 'github.db'));
    const kindsOf = (file: string) => {
      const db = new Database(path.join(tmp.dir, file), { readonly: true });
      const rows = db.prepare('SELECT r.name, rr.kind, rr.kind_evidence, t.name AS team, rr.head_oid, rr.default_branch, rr.problems FROM repo_runs rr JOIN repositories r ON r.id = rr.repo_id LEFT JOIN teams t ON t.id = rr.team_id ORDER BY r.name').all();
      db.close();
      return rows;
    };
    kinds = { local: kindsOf('local.db'), hosted: kindsOf('github.db') };
  });

  it('judges every check of every demo repository identically', () => {
    expect(local.length).toBeGreaterThan(20);
    expect(hosted.map((r) => `${r.repo}/${r.check}`)).toEqual(local.map((r) => `${r.repo}/${r.check}`));
    // The one honest difference: GitHub knows the (here: no) pull requests; a clone does not.
    const prClause = /; (pull requests are not available from this source|0 pull requests merged in the last \d+ days, fewer than the \d+ needed to judge)$/;
    // dependency-freshness reports open update pull requests only where the source knows pull requests.
    const updatePrClause = /; no open update pull requests(?=;|$)/;
    const same = (row: ResultRow) => JSON.stringify({ ...row, summary: row.summary.replace(prClause, '; <pull requests>').replace(updatePrClause, '') });
    // History comes from git on both sides: the checks that judge it agree too, finding for finding.
    const historyChecks = new Set(CHECKS.filter((c) => (c.meta.history ?? []).length > 0).map((c) => c.id));
    expect(historyChecks.size).toBeGreaterThan(0);
    const differing = local.flatMap((row, i) => (same(row) === same(hosted[i]!) ? [] : [{ local: row, github: hosted[i] }]));
    expect(differing).toEqual([]);
    expect(local.filter((r) => historyChecks.has(r.check) && r.status !== 'not-applicable' && r.findings !== '[]').length).toBeGreaterThan(0);
    expect(local.filter((r) => r.summary.includes('pull requests are not available from this source')).length).toBeGreaterThan(0);
    expect(hosted.filter((r) => r.summary.includes('pull requests are not available')).length).toBe(0);
    expect(hosted.filter((r) => r.check === 'dependency-freshness' && updatePrClause.test(r.summary)).length).toBeGreaterThan(0);
    // Not a vacuous comparison: the fleet has passing, warning and failing results with findings.
    expect(local.some((r) => r.status === 'fail') && local.some((r) => r.status === 'pass')).toBe(true);
    expect(local.some((r) => r.findings !== '[]')).toBe(true);
  });

  it('detects the same kind and owner for each repository, at the same commit, with the same problems', () => {
    expect(kinds.hosted).toEqual(kinds.local);
  });
});
