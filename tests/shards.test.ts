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

  const fleet = Array.from({ length: 1000 }, (_, i) => `github.com/acme/svc-${String(i).padStart(3, '0')}`);

  it('balances a 1,000-repository fleet across 4 shards within 10%, and across 2 to 16 within 30%', () => {
    const countsFor = (n: number) => {
      const counts = Array.from({ length: n }, () => 0);
      for (const key of fleet) counts[shardOf(key, n) - 1]!++;
      return counts;
    };
    for (const count of countsFor(4)) expect(Math.abs(count - 250)).toBeLessThanOrEqual(25);
    for (let n = 2; n <= 16; n++) {
      const counts = countsFor(n);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(1000);
      for (const count of counts) expect(Math.abs(count - 1000 / n), `${n} shards: ${counts.join(', ')}`).toBeLessThanOrEqual(0.3 * (1000 / n));
    }
  });

  it('growing the split moves only the share the new shards take (a modulo would move most of the fleet)', () => {
    for (const [from, to] of [[1, 2], [4, 5], [4, 8], [8, 16]] as const) {
      const moved = fleet.filter((key) => shardOf(key, from) !== shardOf(key, to)).length;
      const expected = 1000 * (1 - from / to);
      expect(Math.abs(moved - expected), `${from} → ${to}: ${moved} moved`).toBeLessThanOrEqual(0.15 * expected);
    }
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
    for (const table of ['runs', 'repositories', 'teams', 'run_teams', 'repo_runs', 'repo_run_commits', 'check_results', 'findings', 'merged_shards', 'registry_cache', 'github_blobs', 'github_trees']) {
      out[table] = db.prepare(`SELECT * FROM ${table}`).raw().all().map((row) => JSON.stringify(row)).sort();
    }
    return out;
  } finally {
    db.close();
  }
}

/** A run's results as comparable text: repository, team, where results came from, what changed, every check and finding. */
function resultsOf(file: string, runId: number): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare(
        `SELECT r.repo_key, t.name AS team, rr.status, rr.score, rr.head_oid, rr.carried_from_run, rr.stale_reason, rr.owner_source, rr.commits_since_previous,
           (SELECT json_group_array(json_array(c.position, c.oid, c.title)) FROM (SELECT * FROM repo_run_commits WHERE run_id = rr.run_id AND repo_id = rr.repo_id ORDER BY position) c) AS commits,
           cr.check_id, cr.status AS check_status, cr.score AS check_score, cr.summary,
           (SELECT json_group_array(json_array(f.rule, f.severity, f.message, f.path, f.line)) FROM (SELECT * FROM findings WHERE result_id = cr.id ORDER BY id) f) AS findings
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
    // What a GitHub crawl adds to a shard: points spent, release lists and blobs it cached.
    for (const i of [1, 2, 3, 4]) {
      const shard = new Database(file(`shard-${i}.db`));
      shard.prepare('UPDATE runs SET api_points = ? WHERE shard IS NOT NULL').run(i * 10);
      shard.prepare("INSERT INTO registry_cache (ecosystem, name, status, releases, fetched_at) VALUES ('npm', ?, 'found', '[]', '2026-11-15T03:00:00Z')").run(`pkg-${i}`);
      shard.prepare("INSERT INTO github_blobs (oid, result, byte_size, used_at) VALUES (?, '{}', 2, '2026-11-15T03:00:00Z')").run(String(i).repeat(40));
      shard.close();
    }
    const merged = merge('shard-1.db', 'shard-2.db', 'shard-3.db', 'shard-4.db');
    expect(merged.code, merged.stderr).toBe(0);
    const summary = JSON.parse(merged.stdout) as { runId: number; status: string; repositories: number; carriedForward: number; missing: string[]; unmappedOrigins: number };
    expect(summary).toMatchObject({ runId: 2, status: 'ok', repositories: 16, carriedForward: 13, missing: [], unmappedOrigins: 0 });
    expect(resultsOf(file('main.db'), 2)).toEqual(resultsOf(file('single.db'), 2));
    // Not vacuous: three repositories changed since night 1, and their new commits travel with the merge.
    const changed = new Database(file('main.db'), { readonly: true });
    expect(changed.prepare('SELECT COUNT(*) FROM repo_runs WHERE run_id = 2 AND commits_since_previous = 1').pluck().get()).toBe(3);
    expect(changed.prepare("SELECT COUNT(*) FROM repo_run_commits WHERE run_id = 2 AND title = 'change'").pluck().get()).toBe(3);
    changed.close();
    const main = new Database(file('main.db'), { readonly: true });
    expect(main.prepare('SELECT id, status, shard, shard_group, repo_count FROM runs ORDER BY id').all()).toEqual([
      { id: 1, status: 'ok', shard: null, shard_group: null, repo_count: 16 },
      { id: 2, status: 'ok', shard: null, shard_group: 'night-2', repo_count: 16 },
    ]);
    expect(main.prepare('SELECT COUNT(DISTINCT team_id) FROM run_teams WHERE run_id = 2').pluck().get()).toBe(2);
    expect(main.prepare('SELECT api_points FROM runs WHERE id = 2').pluck().get()).toBe(100);
    expect(JSON.parse(merged.stdout).apiPoints).toBe(100);
    expect(main.prepare("SELECT name FROM registry_cache WHERE ecosystem = 'npm' ORDER BY name").pluck().all()).toEqual(['pkg-1', 'pkg-2', 'pkg-3', 'pkg-4']);
    expect(main.prepare('SELECT COUNT(*) FROM github_blobs').pluck().get()).toBe(4);
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

  it('a merge cut short after its folds is finished by running it again', () => {
    // The state a kill leaves between the last fold's transaction and the run's final update.
    const cut = new Database(file('main.db'));
    cut.prepare("UPDATE runs SET status = 'running', finished_at = NULL WHERE id = 3").run();
    cut.close();
    const again = merge('n3-shard-3.db');
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ runId: 3, status: 'ok', changed: true, shards: [{ outcome: 'already' }] });
    const db = new Database(file('main.db'), { readonly: true });
    expect(db.prepare('SELECT status, finished_at IS NOT NULL AS finished, repo_count FROM runs WHERE id = 3').get()).toEqual({ status: 'ok', finished: 1, repo_count: 16 });
    db.close();
  });

  it('a shard that failed as a whole is not folded: its repositories keep their last good result, marked stale', () => {
    for (const i of [1, 2]) {
      copyFileSync(file('main.db'), file(`n6-shard-${i}.db`));
      expect(runCli(['crawl', '-c', config, '--db', file(`n6-shard-${i}.db`), '--shard', `${i}/2`, '--group', 'night-6', '--now', '2026-11-17T03:00:00Z', '-q']).code).toBe(0);
    }
    // As a shard whose discovery failed leaves it: a failed run (here without even its rows).
    const failed = new Database(file('n6-shard-2.db'));
    const shardRun = failed.prepare("SELECT id FROM runs WHERE shard = '2/2'").pluck().get() as number;
    failed.prepare('DELETE FROM repo_runs WHERE run_id = ?').run(shardRun);
    failed.prepare("UPDATE runs SET status = 'failed', repo_count = 0 WHERE id = ?").run(shardRun);
    failed.close();
    const merged = merge('n6-shard-1.db', 'n6-shard-2.db');
    expect(merged.code, merged.stderr).toBe(1);
    const second = names.filter((n) => shardOf(`local/acme/${n}`, 2) === 2).length;
    expect(second).toBeGreaterThan(0);
    expect(JSON.parse(merged.stdout)).toMatchObject({ status: 'partial', repositories: 16, stale: second, missing: ['2/2'] });
    expect(JSON.parse(merged.stdout).shards).toEqual(
      expect.arrayContaining([expect.objectContaining({ shard: '1/2', outcome: 'merged' }), expect.objectContaining({ shard: '2/2', outcome: 'skipped', reason: expect.stringContaining('failed as a whole') })]),
    );
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
