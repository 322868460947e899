import Database from 'better-sqlite3';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../checks/registry.ts';
import { MIGRATIONS_DIR, migrate, openDb, readMigrations, StoreError } from '../data/db.ts';
import { Queries } from '../data/queries.ts';
import { Store, type RepoResult } from '../data/store.ts';
import { createRepo } from '../fixtures/factory.ts';
import { runCli, tempDir, writeConfig } from './helpers.ts';

function tables(db: Database.Database): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[]).filter((n) => n !== 'sqlite_sequence');
}

describe('migrations', () => {
  const tmp = tempDir();
  afterAll(tmp.cleanup);

  it('applies numbered migrations once, with WAL and foreign keys on', () => {
    const file = path.join(tmp.dir, 'a.db');
    const db = openDb(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(tables(db)).toEqual(['check_results', 'digest_deliveries', 'findings', 'github_blobs', 'github_trees', 'locks', 'merged_shards', 'registry_cache', 'repo_run_commits', 'repo_runs', 'repositories', 'run_skipped_folders', 'run_snapshots', 'run_teams', 'runs', 'schema_migrations', 'teams']);
    expect(migrate(db)).toEqual([]);
    db.close();
  });

  it('refuses an edited migration and a database from a newer version', () => {
    const dir = path.join(tmp.dir, 'migrations');
    mkdirSync(dir);
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    const db = new Database(':memory:');
    migrate(db, readMigrations(dir));
    writeFileSync(path.join(dir, '0001_init.sql'), readMigrations(dir)[0]!.sql + '\n-- edited\n');
    expect(() => migrate(db, readMigrations(dir))).toThrow(/changed after it was applied; migrations are forward-only/);
    db.prepare("INSERT INTO schema_migrations VALUES (9999, '9999_future.sql', 'x', 'now')").run();
    expect(() => migrate(db, readMigrations())).toThrow(StoreError);
  });

  it('has a working down script for every migration', () => {
    const db = new Database(':memory:');
    const before = tables(db);
    for (const migration of readMigrations()) {
      expect(migration.downSql, `${migration.name} needs a .down.sql`).toBeDefined();
      db.exec(migration.sql);
    }
    for (const migration of readMigrations().reverse()) db.exec(migration.downSql!);
    expect(tables(db)).toEqual(before);
    for (const migration of readMigrations()) db.exec(migration.sql);
    expect(tables(db)).toContain('findings');
  });
});

function result(name: string, score: number): RepoResult {
  return {
    repo: { key: `local/acme/${name}`, host: 'local', owner: 'acme', name },
    status: 'ok',
    problems: [],
    score,
    durationMs: 5,
    results: [{ checkId: 'runbooks', checkVersion: 1, status: 'warn', score, weight: 3, summary: 's', durationMs: 1, findings: [{ rule: 'runbooks/alert-without-runbook', severity: 'high', message: 'm', path: 'a.yaml', line: 3 }] }],
  };
}

describe('store', () => {
  const tmp = tempDir();
  afterAll(tmp.cleanup);

  it('writes a repository result idempotently and gives hostile names a safe unique slug', () => {
    const store = new Store(path.join(tmp.dir, 's.db'));
    const run = store.startRun({ startedAt: '2026-11-01T00:00:00Z', toolVersion: 't', config: {} });
    store.writeRepoResult(run, result('api', 6), '2026-11-01T00:00:01Z');
    store.writeRepoResult(run, result('api', 7), '2026-11-01T00:00:02Z');
    store.writeRepoResult(run, result('<script>x</script>', 3), '2026-11-01T00:00:02Z');
    const db = store.db;
    expect(db.prepare('SELECT COUNT(*) FROM check_results').pluck().get()).toBe(2);
    expect(db.prepare('SELECT COUNT(*) FROM findings').pluck().get()).toBe(2);
    expect(db.prepare("SELECT score FROM repo_runs rr JOIN repositories r ON r.id = rr.repo_id WHERE r.name = 'api'").pluck().get()).toBe(7);
    expect(db.prepare("SELECT slug FROM repositories WHERE name LIKE '<script>%'").pluck().get()).toMatch(/^script-x-script-[0-9a-f]{6}$/);
    store.close();
  });

  it('round-trips rule ids through writes, carried-forward copies and reads; findings stored before rules read as null', () => {
    const file = path.join(tmp.dir, 'rules.db');
    const store = new Store(file);
    const first = store.startRun({ startedAt: '2026-11-01T00:00:00Z', toolVersion: 't', config: {} });
    const written = result('api', 4);
    written.results[0]!.findings = [
      { rule: 'runbooks/no-runbook', severity: 'high', message: 'no runbook found' },
      { rule: 'runbooks/alert-without-runbook', severity: 'medium', message: 'alert A has no runbook_url annotation', path: 'alerts.yaml', line: 7 },
    ];
    store.writeRepoResult(first, written, '2026-11-01T00:00:01Z');
    store.finishRun(first, { finishedAt: '2026-11-01T00:01:00Z', status: 'ok', repoCount: 1, errorCount: 0 });
    const second = store.startRun({ startedAt: '2026-11-02T00:00:00Z', toolVersion: 't', config: {} });
    store.carryForward(second, 'local/acme/api', store.previousResult(second, 'local/acme/api')!, { checkIds: ['runbooks'], crawledAt: '2026-11-02T00:00:01Z' });
    store.finishRun(second, { finishedAt: '2026-11-02T00:01:00Z', status: 'ok', repoCount: 1, errorCount: 0, carriedForward: 1 });
    // A finding written before migration 0009 has no rule.
    store.db.prepare('INSERT INTO findings (result_id, severity, message) SELECT id, ?, ? FROM check_results WHERE run_id = ?').run('low', 'from an older version', first);
    const repoId = store.db.prepare("SELECT id FROM repositories WHERE name = 'api'").pluck().get() as number;
    store.close();
    const q = new Queries(file);
    try {
      const rules = (runId: number) => q.checkResults(runId, repoId)[0]!.findings.map((f) => [f.rule, f.message]);
      expect(rules(first)).toEqual([
        ['runbooks/no-runbook', 'no runbook found'],
        ['runbooks/alert-without-runbook', 'alert A has no runbook_url annotation'],
        [null, 'from an older version'],
      ]);
      expect(rules(second)).toEqual([
        ['runbooks/no-runbook', 'no runbook found'],
        ['runbooks/alert-without-runbook', 'alert A has no runbook_url annotation'],
      ]);
      q.preloadResults(second);
      expect(rules(second).map(([rule]) => rule)).toEqual(['runbooks/no-runbook', 'runbooks/alert-without-runbook']);
    } finally {
      q.close();
    }
  });
});

describe('crawls over time', () => {
  const tmp = tempDir();
  let config: string;
  const dbFile = () => path.join(tmp.dir, 'seaworthy.db');
  afterAll(tmp.cleanup);

  beforeAll(() => {
    for (const name of ['alpha', 'bravo', 'charlie', 'delta', 'echo']) {
      createRepo(path.join(tmp.dir, 'repos'), {
        name,
        commits: [{ date: '2026-09-01T00:00:00Z', message: 'init', files: { Dockerfile: 'FROM scratch\n', 'RUNBOOK.md': `# ${name}\n\n## Symptoms\nTODO\n` } }],
      });
    }
    config = writeConfig(tmp.dir, `database: seaworthy.db\ncrawl: {concurrency: 1, carryForwardDays: 0}\nsources:\n  - type: local\n    paths: ['repos/*']\nteams:\n  - {name: core, displayName: Core, repos: ['*']}\n`);
  });

  it('keeps every run: a second crawl adds history', () => {
    expect(runCli(['crawl', '-c', config, '-q']).code).toBe(0);
    expect(runCli(['crawl', '-c', config, '-q']).code).toBe(0);
    const q = new Queries(dbFile());
    expect(q.runs().map((r) => r.status)).toEqual(['ok', 'ok']);
    const latest = q.latestRun()!;
    const repos = q.repositories(latest.id);
    expect(repos).toHaveLength(5);
    expect(q.repoTrend(repos[0]!.repoId)).toHaveLength(2);
    expect(q.teamTrend('core')).toHaveLength(2);
    q.close();
  });

  it('keeps the repositories written before a crash intact, and the next crawl completes', () => {
    const crashed = runCli(['crawl', '-c', config, '-q', '--crash-after', '2']);
    expect(crashed.signal).toBe('SIGKILL');
    const db = new Database(dbFile(), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const crashedRun = db.prepare('SELECT id, status FROM runs ORDER BY id DESC LIMIT 1').get() as { id: number; status: string };
    expect(crashedRun.status).toBe('running');
    expect(db.prepare('SELECT COUNT(*) FROM repo_runs WHERE run_id = ?').pluck().get(crashedRun.id)).toBe(2);
    // Each written repository is whole: one result per check, with its findings.
    expect(db.prepare('SELECT COUNT(*) FROM check_results WHERE run_id = ?').pluck().get(crashedRun.id)).toBe(2 * CHECKS.length);
    expect(db.prepare('SELECT COUNT(*) FROM findings f JOIN check_results c ON c.id = f.result_id WHERE c.run_id = ?').pluck().get(crashedRun.id)).toBeGreaterThan(0);
    db.close();

    expect(runCli(['crawl', '-c', config, '-q']).code).toBe(0);
    const q = new Queries(dbFile());
    // The interrupted run is not shown as a finished one.
    expect(q.runs().map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
    expect(q.repositories(q.latestRun()!.id)).toHaveLength(5);
    q.close();
  });
});
