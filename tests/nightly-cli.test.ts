import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo } from '../fixtures/factory.ts';
import { runCli, tempDir, writeConfig } from './helpers.ts';

describe('job summary, prune and backup', () => {
  const tmp = tempDir('sw-nightly-');
  let config: string;
  const db = () => path.join(tmp.dir, 'seaworthy.db');
  afterAll(tmp.cleanup);
  beforeAll(() => {
    createRepo(path.join(tmp.dir, 'repos'), { name: 'good', commits: [{ date: '2026-09-01T00:00:00Z', message: 'init', files: { Dockerfile: 'FROM scratch\n', 'RUNBOOK.md': '# good\n\n## Symptoms\nTODO\n' } }] });
    createRepo(path.join(tmp.dir, 'repos'), { name: 'empty', commits: [] });
    config = writeConfig(tmp.dir, `database: seaworthy.db\nsources:\n  - type: local\n    paths: ['repos/*']\nregistries: {offline: true}\nretention: {dailyDays: 1}\n`);
  });

  it('appends a summary to $GITHUB_STEP_SUMMARY that says what a partial run means', () => {
    const summary = path.join(tmp.dir, 'summary.md');
    writeFileSync(summary, '');
    const run = runCli(['crawl', '-c', config, '-q'], { env: { GITHUB_STEP_SUMMARY: summary } });
    expect(run.code).toBe(1);
    const text = readFileSync(summary, 'utf8');
    expect(text).toContain('### Seaworthy crawl: partial');
    expect(text).toContain('keep their last good result, marked stale. The database is saved and the site published.');
    expect(text).toMatch(/\| empty \| the repository has no commits/);
    expect(text).toMatch(/\| 1 \| 2 \| 1 \| 0 \| 1 \| 0 \| – \|/);
  });

  it('prunes findings of runs past retention, counting first with --dry-run', () => {
    const file = new Database(db());
    // Back-date the first run and add a newer one, so the first is past retention and not the latest.
    file.prepare("UPDATE runs SET started_at = '2026-01-01T00:00:00.000Z'").run();
    file.close();
    expect(runCli(['crawl', '-c', config, '-q']).code).toBe(1);
    const count = () => {
      const d = new Database(db(), { readonly: true });
      const n = d.prepare('SELECT COUNT(*) FROM findings f JOIN check_results c ON c.id = f.result_id WHERE c.run_id = 1').pluck().get() as number;
      d.close();
      return n;
    };
    // The newer crawl carried "good" forward from run 1, so run 1 stays whole: it is named by carried_from_run.
    const carried = runCli(['prune', '-c', config, '--json', '--dry-run']);
    expect(carried.code, carried.stderr).toBe(0);
    expect(JSON.parse(carried.stdout)).toMatchObject({ findingsDeleted: 0 });
    expect(count()).toBeGreaterThan(0);
    // Once "good" is judged anew, run 1's detail is no longer needed.
    const readAll = writeConfig(tmp.dir, `database: seaworthy.db\nsources:\n  - type: local\n    paths: ['repos/*']\nregistries: {offline: true}\ncrawl: {carryForwardDays: 0}\nretention: {enabled: false, dailyDays: 1}\n`, 'read-all.yaml');
    expect(runCli(['crawl', '-c', readAll, '-q']).code).toBe(1);
    const before = count();
    const dry = runCli(['prune', '-c', readAll, '--json', '--dry-run']);
    expect(JSON.parse(dry.stdout)).toMatchObject({ findingsDeleted: before, runsPruned: 1 });
    expect(count()).toBe(before);
    const real = runCli(['prune', '-c', readAll, '--vacuum']);
    expect(real.code, real.stderr).toBe(0);
    expect(real.stderr).toContain(`deleted ${before} findings of 1 runs older than 1 days`);
    expect(count()).toBe(0);
  });

  it('backup writes a verified, self-contained copy', () => {
    const out = path.join(tmp.dir, 'copy.db');
    const run = runCli(['backup', '-c', config, '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/backup .*copy\.db verified · 3 runs \(3 good, latest 20\d\d-/);
    const copy = new Database(out, { readonly: true });
    expect(copy.pragma('journal_mode', { simple: true })).not.toBe('wal');
    expect(copy.prepare('SELECT COUNT(*) FROM runs').pluck().get()).toBe(3);
    copy.close();
    expect(runCli(['backup', '-c', config, '--out', db()]).code).toBe(2);
  });
});
