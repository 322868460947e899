import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo } from '../fixtures/factory.ts';
import { git, runCli, tempDir, writeConfig } from './helpers.ts';

describe('job summary, prune and backup', () => {
  const tmp = tempDir('sw-nightly-');
  let config: string;
  const db = () => path.join(tmp.dir, 'seaworthy.db');
  afterAll(tmp.cleanup);
  beforeAll(() => {
    createRepo(path.join(tmp.dir, 'repos'), { name: 'good', commits: [{ date: '2026-09-01T00:00:00Z', message: 'init', files: { Dockerfile: 'FROM scratch\n', 'RUNBOOK.md': '# good\n\n## Symptoms\nTODO\n' } }] });
    // Commits exist, but HEAD names a branch that does not: that repository cannot be read.
    const broken = createRepo(path.join(tmp.dir, 'repos'), { name: 'broken', commits: [{ date: '2026-09-01T00:00:00Z', message: 'init', files: { 'README.md': '# b\n' } }] });
    git(broken, 'symbolic-ref', 'HEAD', 'refs/heads/nowhere');
    mkdirSync(path.join(tmp.dir, 'repos', 'notes'), { recursive: true });
    config = writeConfig(tmp.dir, `database: seaworthy.db\nsources:\n  - type: local\n    paths: ['repos/*']\nregistries: {offline: true}\nretention: {dailyDays: 1, weeklyDays: 2}\n`);
  });

  it('appends a summary to $GITHUB_STEP_SUMMARY that says what a partial run means', () => {
    const summary = path.join(tmp.dir, 'summary.md');
    writeFileSync(summary, '');
    const run = runCli(['crawl', '-c', config, '-q'], { env: { GITHUB_STEP_SUMMARY: summary } });
    expect(run.code).toBe(1);
    const text = readFileSync(summary, 'utf8');
    expect(text).toContain('### Seaworthy crawl: partial');
    expect(text).toContain('keep their last good result, marked stale. The database is saved and the site published.');
    expect(text).toMatch(/\| broken \| the repository has no commits on nowhere/);
    expect(text).toContain('| "repos/notes" | not a git repository |');
    expect(text).toMatch(/\| 1 \| 2 \| 1 \| 0 \| 1 \| 0 \| – \|/);
  });

  it('prunes findings of runs past retention, counting first with --dry-run', () => {
    const backdate = (sql: string) => {
      const file = new Database(db());
      file.prepare(sql).run();
      file.close();
    };
    const count = (runId: number) => {
      const d = new Database(db(), { readonly: true });
      const n = d.prepare('SELECT COUNT(*) FROM findings f JOIN check_results c ON c.id = f.result_id WHERE c.run_id = ?').pluck().get(runId) as number;
      d.close();
      return n;
    };
    // Run 2 carries "good" forward from run 1 (judged 3 days ago): while run 2 keeps its detail, so does
    // run 1, though it is past retention (the crawl's own prune left it alone too).
    backdate("UPDATE runs SET started_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-3 days') WHERE id = 1");
    expect(runCli(['crawl', '-c', config, '-q']).code).toBe(1);
    const pinned = runCli(['prune', '-c', config, '--json', '--dry-run']);
    expect(pinned.code, pinned.stderr).toBe(0);
    expect(JSON.parse(pinned.stdout)).toMatchObject({ findingsDeleted: 0, protectedKept: 1 });
    // Once run 2 is old too and "good" is judged anew (run 3), both lose their detail.
    backdate("UPDATE runs SET started_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-60 hours') WHERE id = 2");
    const readAll = writeConfig(tmp.dir, `database: seaworthy.db\nsources:\n  - type: local\n    paths: ['repos/*']\nregistries: {offline: true}\ncrawl: {carryForwardDays: 0}\nretention: {enabled: false, dailyDays: 1, weeklyDays: 2}\n`, 'read-all.yaml');
    expect(runCli(['crawl', '-c', readAll, '-q']).code).toBe(1);
    const before = count(1) + count(2);
    expect(count(1)).toBeGreaterThan(0);
    const dry = runCli(['prune', '-c', readAll, '--json', '--dry-run']);
    expect(JSON.parse(dry.stdout)).toMatchObject({ findingsDeleted: before, runsPruned: 2 });
    expect(count(1) + count(2)).toBe(before);
    const real = runCli(['prune', '-c', readAll, '--vacuum']);
    expect(real.code, real.stderr).toBe(0);
    expect(real.stderr).toContain(`deleted ${before} findings of 2 runs older than 1 days`);
    expect(count(1) + count(2)).toBe(0);
    expect(count(3)).toBeGreaterThan(0);
  });

  it('backup writes a verified, self-contained copy', () => {
    const out = path.join(tmp.dir, 'copy.db');
    // Taken while a writer (this test process) holds the database: the copy does not inherit its lock.
    const held = new Database(db());
    held.prepare("INSERT INTO locks (name, token, pid, host, command, acquired_at, heartbeat_at) VALUES ('writer', 't', ?, ?, 'crawl', 'x', 'x')").run(process.pid, os.hostname());
    held.close();
    const run = runCli(['backup', '-c', config, '--out', out]);
    const release = new Database(db());
    release.prepare('DELETE FROM locks').run();
    release.close();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/backup .*copy\.db verified · 3 runs \(3 good, latest 20\d\d-/);
    const copy = new Database(out, { readonly: true });
    expect(copy.pragma('journal_mode', { simple: true })).not.toBe('wal');
    expect(copy.prepare('SELECT COUNT(*) FROM runs').pluck().get()).toBe(3);
    expect(copy.prepare('SELECT COUNT(*) FROM locks').pluck().get()).toBe(0);
    copy.close();
    expect(runCli(['backup', '-c', config, '--out', db()]).code).toBe(2);
  });
});
