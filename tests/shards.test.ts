import Database from 'better-sqlite3';
import fc from 'fast-check';
import { copyFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseShard, shardOf } from '../crawler/shard.ts';
import { createRepo } from '../fixtures/factory.ts';
import { git, runCli, tempDir, writeConfig } from './helpers.ts';

describe('shardOf', () => {
  it('puts every key in exactly one shard, the same one every time, whatever the order of the list', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 64 }), (key, n) => {
        const shard = shardOf(key, n);
        expect(shard).toBeGreaterThanOrEqual(1);
        expect(shard).toBeLessThanOrEqual(n);
        expect(shardOf(key, n)).toBe(shard);
      }),
    );
  });

  it('growing from N to N+1 shards only moves repositories to the new shard', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 64 }), (key, n) => {
        const before = shardOf(key, n);
        const after = shardOf(key, n + 1);
        expect(after === before || after === n + 1).toBe(true);
      }),
    );
  });

  it('balances a 1,000-repository fleet across 4 shards within 10%', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 1000; i++) counts[shardOf(`github.com/acme/svc-${String(i).padStart(3, '0')}`, 4) - 1]!++;
    for (const count of counts) expect(Math.abs(count - 250)).toBeLessThanOrEqual(25);
  });

  it('parses I/N and refuses nonsense', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/4', '5/4', '2', '1/0', 'a/b', '-1/3']) expect(() => parseShard(bad)).toThrow(/--shard must be I\/N/);
  });
});

/** Every row of the tables a merge writes, for "nothing changed" comparisons. */
function dump(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  try {
    const out: Record<string, unknown[]> = {};
    for (const table of ['runs', 'repositories', 'teams', 'run_teams', 'repo_runs', 'check_results', 'findings', 'merged_shards', 'registry_cache', 'github_blobs', 'github_trees']) {
      out[table] = db.prepare(`SELECT * FROM ${table}`).raw().all().map((row) => JSON.stringify(row)).sort();
    }
    return out;
  } finally {
    db.close();
  }
}

/** A run's results as comparable text: repository, team, where results came from, every check and finding. */
function resultsOf(file: string, runId: number): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare(
        `SELECT r.repo_key, t.name AS team, rr.status, rr.score, rr.head_oid, rr.carried_from_run, rr.stale_reason, cr.check_id, cr.status AS check_status, cr.score AS check_score, cr.summary,
           (SELECT json_group_array(json_array(f.severity, f.message, f.path, f.line)) FROM (SELECT * FROM findings WHERE result_id = cr.id ORDER BY id) f) AS findings
         FROM repo_runs rr JOIN repositories r ON r.id = rr.repo_id LEFT JOIN teams t ON t.id = rr.team_id
         JOIN check_results cr ON cr.run_id = rr.run_id AND cr.repo_id = rr.repo_id WHERE rr.run_id = ?`,
      )
      .all(runId)
      .map((row) => JSON.stringify(row))
      .sort();
  } finally {
    db.close();
  }
}

describe('crawling in shards and merging', () => {
  const tmp = tempDir('sw-shards-');
  const names = Array.from({ length: 16 }, (_, i) => `svc-${String(i).padStart(2, '0')}`);
  let config: string;
  const file = (name: string) => path.join(tmp.dir, name);
  const crawl = (db: string, ...extra: string[]) => runCli(['crawl', '-c', config, '--db', file(db), '-q', ...extra]);
  const merge = (...args: string[]) => runCli(['merge', '-c', config, '--db', file('main.db'), '--json', ...args.map((a) => (a.endsWith('.db') ? file(a) : a))]);
  afterAll(tmp.cleanup);

  beforeAll(() => {
    for (const [i, name] of names.entries()) {
      createRepo(file('repos'), {
        name,
        commits: [{ date: '2026-09-01T00:00:00Z', message: 'init', files: { Dockerfile: 'FROM scratch\n', ...(i % 2 ? { 'RUNBOOK.md': `# ${name}\n\n## Symptoms\nTODO\n` } : {}), ...(i % 3 ? {} : { 'main.tf': 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n' }) } }],
      });
    }
    config = writeConfig(tmp.dir, `database: main.db\nsources:\n  - type: local\n    paths: ['repos/*']\n    owner: acme\nteams:\n  - {name: even, displayName: Even, repos: ['svc-*0', 'svc-*2', 'svc-*4', 'svc-*6', 'svc-*8']}\n  - {name: odd, displayName: Odd, repos: ['*']}\nregistries: {offline: true}\ncrawl: {concurrency: 2}\n`);
    // Night 1: one job, the history the shards start from.
    expect(crawl('main.db', '--now', '2026-11-14T03:00:00Z').code).toBe(0);
    // Three repositories change; the others will be carried forward.
    for (const name of names.slice(0, 3)) git(file(`repos/${name}`), '-c', 'user.name=t', '-c', 'user.email=t@x', 'commit', '--allow-empty', '-q', '-m', 'change');
  });

  it('four shards merged equal one crawl of everything, carried results naming the main database\'s runs', () => {
    copyFileSync(file('main.db'), file('single.db'));
    expect(crawl('single.db', '--now', '2026-11-15T03:00:00Z').code).toBe(0);
    let total = 0;
    for (const i of [1, 2, 3, 4]) {
      copyFileSync(file('main.db'), file(`shard-${i}.db`));
      const run = runCli(['crawl', '-c', config, '--db', file(`shard-${i}.db`), '--shard', `${i}/4`, '--group', 'night-2', '--now', '2026-11-15T03:00:00Z', '--json']);
      expect(run.code, run.stderr).toBe(0);
      const summary = JSON.parse(run.stdout) as { shard: string; repositories: number };
      expect(summary.shard).toBe(`${i}/4`);
      total += summary.repositories;
    }
    expect(total).toBe(names.length);
    const merged = merge('shard-1.db', 'shard-2.db', 'shard-3.db', 'shard-4.db');
    expect(merged.code, merged.stderr).toBe(0);
    const summary = JSON.parse(merged.stdout) as { runId: number; status: string; repositories: number; carriedForward: number; missing: string[]; unmappedOrigins: number };
    expect(summary).toMatchObject({ runId: 2, status: 'ok', repositories: 16, carriedForward: 13, missing: [], unmappedOrigins: 0 });
    expect(resultsOf(file('main.db'), 2)).toEqual(resultsOf(file('single.db'), 2));
    const main = new Database(file('main.db'), { readonly: true });
    expect(main.prepare('SELECT id, status, shard, shard_group, repo_count FROM runs ORDER BY id').all()).toEqual([
      { id: 1, status: 'ok', shard: null, shard_group: null, repo_count: 16 },
      { id: 2, status: 'ok', shard: null, shard_group: 'night-2', repo_count: 16 },
    ]);
    expect(main.prepare('SELECT COUNT(DISTINCT team_id) FROM run_teams WHERE run_id = 2').pluck().get()).toBe(2);
    main.close();
  });

  it('merging the same shards again changes nothing', () => {
    const before = dump(file('main.db'));
    const again = merge('shard-2.db');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ runId: 2, changed: false, shards: [{ outcome: 'already', shard: '2/4' }] });
    expect(merge('shard-4.db', 'shard-1.db', 'shard-3.db', 'shard-2.db').code).toBe(0);
    expect(dump(file('main.db'))).toEqual(before);
  });

  it('a shard that never arrived keeps its repositories\' last good result, marked stale, until it does', () => {
    for (const i of [1, 2, 3]) {
      copyFileSync(file('main.db'), file(`n3-shard-${i}.db`));
      expect(runCli(['crawl', '-c', config, '--db', file(`n3-shard-${i}.db`), '--shard', `${i}/3`, '--group', 'night-3', '--now', '2026-11-16T03:00:00Z', '-q']).code).toBe(0);
    }
    const partial = merge('--shards', '3', 'n3-shard-1.db', 'n3-shard-2.db');
    expect(partial.code, partial.stderr).toBe(1);
    const summary = JSON.parse(partial.stdout) as { runId: number; status: string; missing: string[]; stale: number; repositories: number };
    const third = names.filter((n) => shardOf(`local/acme/${n}`, 3) === 3).length;
    expect(summary).toMatchObject({ runId: 3, status: 'partial', missing: ['3/3'], stale: third, repositories: 16 });
    const db = new Database(file('main.db'), { readonly: true });
    expect(db.prepare('SELECT DISTINCT stale_reason FROM repo_runs WHERE run_id = 3 AND stale_reason IS NOT NULL').pluck().all()).toEqual(['shard 3/3 did not finish']);
    db.close();
    const late = merge('n3-shard-3.db');
    expect(late.code, late.stderr).toBe(0);
    expect(JSON.parse(late.stdout)).toMatchObject({ runId: 3, status: 'ok', missing: [], stale: 0, repositories: 16 });
  });

  it('refuses shards of different crawls, skips unfinished ones, and fails without touching the database when none finished', () => {
    copyFileSync(file('main.db'), file('other.db'));
    expect(runCli(['crawl', '-c', config, '--db', file('other.db'), '--shard', '1/3', '--group', 'night-4', '-q']).code).toBe(0);
    const mixed = merge('other.db', 'n3-shard-2.db');
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/does not belong with .*group "night-3"/);

    copyFileSync(file('main.db'), file('killed.db'));
    const readAll = writeConfig(tmp.dir, `sources:\n  - type: local\n    paths: ['repos/*']\n    owner: acme\nregistries: {offline: true}\ncrawl: {carryForwardDays: 0}\n`, 'read-all.yaml');
    expect(runCli(['crawl', '-c', readAll, '--db', file('killed.db'), '--shard', '2/3', '--group', 'night-5', '--crash-after', '1', '-q']).signal).toBe('SIGKILL');
    const before = dump(file('main.db'));
    const none = merge('--shards', '3', 'killed.db');
    expect(none.code).toBe(4);
    expect(JSON.parse(none.stdout)).toMatchObject({ runId: null, status: 'failed', shards: [{ outcome: 'skipped', reason: expect.stringContaining('did not finish') as unknown as string }] });
    expect(dump(file('main.db'))).toEqual(before);
    expect(merge('--shards', '3').code).toBe(4);
    expect(existsSync(file('main.db'))).toBe(true);
  });
});
