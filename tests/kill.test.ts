// Kills the crawler (a real child process running the CLI) with SIGKILL at many points of a crawl of
// the demo fleet, resumes it each time, and checks after every kill that the database is consistent
// and that the finished run equals an uninterrupted crawl. Kill points: --crash-after (right after a
// repository's transaction committed) and random moments (startup, migration, discovery, mid-
// repository, mid-transaction) chosen from the progress the child prints. Seed: KILL_SEED.
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../checks/registry.ts';
import { DEMO_ANCHOR, generateDemoFleet } from '../fixtures/demo-fleet.ts';
import { CLI, CLI_DEADLINE_MS, git, hung, runCli, scaled, tempDir, writeConfig } from './helpers.ts';

const NOW = DEMO_ANCHOR;
const SEED = Number(process.env.KILL_SEED ?? Date.now() % 1_000_000);

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs the CLI; `killAt` decides from each stderr line (and the count of repositories written) when to SIGKILL it. */
function crawlChild(args: string[], killAt?: { afterRepos: number; delayMs: number }): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'crawl', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let written = 0;
    let armed = false;
    const arm = () => {
      if (armed || !killAt) return;
      armed = true;
      setTimeout(() => child.kill('SIGKILL'), killAt.delayMs);
    };
    if (killAt && killAt.afterRepos < 0) arm();
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      written = (stderr.match(/msg="repository crawled"/g) ?? []).length;
      if (killAt && killAt.afterRepos >= 0 && (killAt.afterRepos === 0 ? stderr.includes('msg="crawl started"') : written >= killAt.afterRepos)) arm();
    });
    // A hang detector, not a kill point: a child it stops fails the test instead of counting as a kill.
    let hanging = false;
    const timer = setTimeout(() => {
      hanging = true;
      child.kill('SIGKILL');
    }, CLI_DEADLINE_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (hanging) reject(hung(['crawl', ...args], stderr));
      else resolve({ code, signal, stderr });
    });
  });
}

/** Every result of a run, as comparable text (no ids, times or durations). */
function resultsOf(file: string, runId: number): string[] {
  const db = new Database(file, { readonly: true });
  try {
    const repos = db
      .prepare(
        `SELECT r.repo_key, rr.status, rr.score, rr.kind, rr.head_oid, rr.problems, t.name AS team FROM repo_runs rr
         JOIN repositories r ON r.id = rr.repo_id LEFT JOIN teams t ON t.id = rr.team_id WHERE rr.run_id = ?`,
      )
      .all(runId)
      .map((r) => JSON.stringify(r));
    const results = db
      .prepare(
        `SELECT r.repo_key, cr.check_id, cr.check_version, cr.status, cr.score, cr.summary,
           (SELECT json_group_array(json_array(f.rule, f.severity, f.message, f.path, f.line)) FROM (SELECT * FROM findings WHERE result_id = cr.id ORDER BY id) f) AS findings
         FROM check_results cr JOIN repositories r ON r.id = cr.repo_id WHERE cr.run_id = ?`,
      )
      .all(runId)
      .map((r) => JSON.stringify(r));
    return [...repos, ...results].sort();
  } finally {
    db.close();
  }
}

/** The repositories a CLI run reports as written ("repository crawled" comes after the commit). */
function crawledRepos(stderr: string): string[] {
  return [...stderr.matchAll(/msg="repository crawled"[^\n]*?\brepo=(\S+)/g)].map((m) => m[1]!);
}

interface Consistency {
  runs: { id: number; status: string; attempts: number }[];
  written: number;
}

/** What must hold after any kill: an intact file, whole repositories, one unfinished run at most, nothing abandoned. */
function assertConsistent(file: string, context: string): Consistency {
  // Killed before it created the database: nothing to check.
  if (!existsSync(file)) return { runs: [], written: 0 };
  const db = new Database(file, { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true }), context).toBe('ok');
    expect(db.pragma('foreign_key_check'), context).toEqual([]);
    const runs = db.prepare('SELECT id, status, attempts FROM runs ORDER BY id').all() as Consistency['runs'];
    expect(runs.length, `${context}: one run, resumed, never a second one`).toBeLessThanOrEqual(1);
    const perRepo = db.prepare('SELECT rr.repo_id, (SELECT COUNT(*) FROM check_results cr WHERE cr.run_id = rr.run_id AND cr.repo_id = rr.repo_id) AS results, (SELECT COUNT(DISTINCT check_id) FROM check_results cr WHERE cr.run_id = rr.run_id AND cr.repo_id = rr.repo_id) AS checks FROM repo_runs rr').all() as { results: number; checks: number }[];
    for (const row of perRepo) expect(row, `${context}: each written repository has exactly one result per check`).toEqual({ ...row, results: CHECKS.length, checks: CHECKS.length });
    const orphans = db.prepare('SELECT COUNT(*) FROM check_results cr WHERE NOT EXISTS (SELECT 1 FROM repo_runs rr WHERE rr.run_id = cr.run_id AND rr.repo_id = cr.repo_id)').pluck().get();
    expect(orphans, context).toBe(0);
    return { runs, written: perRepo.length };
  } catch (error) {
    throw error;
  } finally {
    db.close();
  }
}

describe('a crawl killed at random points', () => {
  const tmp = tempDir('sw-kill-');
  let config: string;
  let baseline: string[];
  const repoCount = 12;
  afterAll(tmp.cleanup);

  beforeAll(() => {
    generateDemoFleet(path.join(tmp.dir, 'repos'));
    config = writeConfig(
      tmp.dir,
      `sources:\n  - type: local\n    paths: ['repos/*']\n    owner: acme\nteams:\n  - {name: payments, displayName: Payments, repos: [payments-api, ledger-service, checkout-web]}\n  - {name: platform, displayName: Platform, repos: ['*']}\nregistries: {offline: true}\ncrawl: {concurrency: 2}\n`,
    );
    const clean = runCli(['crawl', '-c', config, '--db', path.join(tmp.dir, 'baseline.db'), '--now', NOW, '-q']);
    expect(clean.code, clean.stderr).toBe(0);
    baseline = resultsOf(path.join(tmp.dir, 'baseline.db'), 1);
    expect(baseline.length).toBe(repoCount * (CHECKS.length + 1));
  });

  // About twenty CLI crawls of the demo fleet: 1.5 minutes on a quiet machine, 3.5 at a load of 5 on
  // two cores; each child has its own hang detector, so this bound only has to cover their sum.
  it(`resumes after every kill and ends equal to an uninterrupted crawl (seed ${SEED})`, { timeout: scaled(240_000) }, async () => {
    const random = mulberry32(SEED);
    let kills = 0;
    let scenario = 0;
    // Where kills landed: before the attempt opened its run (startup, migrations, discovery), while it
    // crawled, or after it had finished the run (pruning, exiting).
    const landed = { startup: 0, crawling: 0, afterFinishing: 0 };
    const startedAt = Date.now();
    // Scenario 0 kills right after commits (--crash-after); the others at random moments.
    while (kills < 12) {
      const db = path.join(tmp.dir, `killed-${scenario}.db`);
      const args = ['-c', config, '--db', db, '--now', NOW];
      let attempts = 0;
      let finished = false;
      // Repositories an earlier attempt of this crawl wrote: a resume must never crawl them again.
      const writtenBefore = new Set<string>();
      while (!finished) {
        attempts++;
        expect(attempts, `scenario ${scenario} (seed ${SEED}) never finished`).toBeLessThan(40);
        let outcome;
        if (scenario === 0 && attempts <= 4) {
          outcome = await crawlChild([...args, '--crash-after', String(attempts)]);
        } else if (scenario > 0 && attempts <= 6) {
          // -1: from the start (startup, migrations, discovery); n: after the n-th repository was written.
          const afterRepos = random() < 0.25 ? -1 : Math.floor(random() * repoCount);
          outcome = await crawlChild(args, { afterRepos, delayMs: Math.floor(random() * (afterRepos < 0 ? 1000 : 250)) });
        } else {
          outcome = await crawlChild(args);
        }
        const context = `scenario ${scenario}, attempt ${attempts}, seed ${SEED}`;
        const crawledNow = crawledRepos(outcome.stderr);
        for (const repo of crawledNow) expect(writtenBefore.has(repo), `${context}: ${repo} was written by an earlier attempt and crawled again`).toBe(false);
        for (const repo of crawledNow) writtenBefore.add(repo);
        if (outcome.signal === 'SIGKILL') kills++;
        else {
          expect(outcome.code, `${context}: ${outcome.stderr}`).toBe(0);
          finished = true;
        }
        const state = assertConsistent(db, context);
        // A kill that lands after the run was finished (while pruning or exiting) finds it complete.
        if (outcome.signal === 'SIGKILL' && state.runs[0]) {
          expect(['running', 'ok'], context).toContain(state.runs[0].status);
          finished = state.runs[0].status === 'ok';
        }
        if (outcome.signal === 'SIGKILL') landed[!outcome.stderr.includes('msg="crawl started"') ? 'startup' : finished ? 'afterFinishing' : 'crawling']++;
        if (finished) {
          expect(state.runs, context).toEqual([{ id: 1, status: 'ok', attempts: expect.any(Number) as unknown as number }]);
          expect(state.written).toBe(repoCount);
        }
      }
      expect(writtenBefore.size, `scenario ${scenario}: repositories reported written`).toBeLessThanOrEqual(repoCount);
      expect(resultsOf(db, 1), `scenario ${scenario} (seed ${SEED}) differs from the uninterrupted crawl`).toEqual(baseline);
      scenario++;
    }
    process.stdout.write(`kill test: ${kills} SIGKILLs over ${scenario} crawls in ${((Date.now() - startedAt) / 1000).toFixed(1)} s (seed ${SEED}): ${JSON.stringify(landed)}\n`);
    expect(landed.crawling).toBeGreaterThanOrEqual(4);
  });

  it('a backfill killed mid-point is resumed by the next --backfill, though its points count back from a later time', async () => {
    const db = path.join(tmp.dir, 'backfill.db');
    // What the first night's "crawl --backfill 2" left when it was killed in its first point, minutes later in the day.
    const point = '2026-11-01T00:07:00.000Z';
    const killed = await crawlChild(['-c', config, '--db', db, '--as-of', point, '--crash-after', '4']);
    expect(killed.signal).toBe('SIGKILL');
    const again = runCli(['crawl', '-c', config, '--db', db, '--backfill', '2', '--as-of', '2026-11-15T00:00:00Z', '-q']);
    expect(again.code, again.stderr).toBe(0);
    const file = new Database(db, { readonly: true });
    expect(file.prepare('SELECT id, status, as_of, attempts, repo_count FROM runs ORDER BY id').all()).toEqual([
      { id: 1, status: 'ok', as_of: point, attempts: 2, repo_count: repoCount },
      { id: 2, status: 'ok', as_of: '2026-11-08T00:00:00.000Z', attempts: 1, repo_count: repoCount },
      { id: 3, status: 'ok', as_of: '2026-11-15T00:00:00.000Z', attempts: 1, repo_count: repoCount },
    ]);
    file.close();
    // And the resumed point equals that point crawled in one go.
    const clean = path.join(tmp.dir, 'backfill-clean.db');
    expect(runCli(['crawl', '-c', config, '--db', clean, '--as-of', point, '-q']).code).toBe(0);
    expect(resultsOf(db, 1)).toEqual(resultsOf(clean, 1));
  });

  it('a resumed run does not crawl again what it holds', async () => {
    const db = path.join(tmp.dir, 'resume.db');
    const killed = await crawlChild(['-c', config, '--db', db, '--now', NOW, '--crash-after', '5']);
    expect(killed.signal).toBe('SIGKILL');
    const resumed = runCli(['crawl', '-c', config, '--db', db, '--now', NOW, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const summary = JSON.parse(resumed.stdout) as { runId: number; repositories: number; resumed: { attempt: number; alreadyDone: number } };
    expect(summary).toMatchObject({ runId: 1, repositories: repoCount, resumed: { attempt: 2, alreadyDone: 5 } });
    expect((resumed.stderr.match(/msg="repository crawled"/g) ?? []).length).toBe(repoCount - 5);
    // --restart: the unfinished run is closed as failed and a new one judges everything (nothing carried here).
    const readAll = writeConfig(tmp.dir, `sources:\n  - type: local\n    paths: ['repos/*']\n    owner: acme\nregistries: {offline: true}\ncrawl: {concurrency: 2, carryForwardDays: 0}\n`, 'read-all.yaml');
    const again = await crawlChild(['-c', readAll, '--db', db, '--now', NOW, '--crash-after', '2']);
    expect(again.signal).toBe('SIGKILL');
    const restarted = runCli(['crawl', '-c', readAll, '--db', db, '--now', NOW, '--restart', '--json']);
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(JSON.parse(restarted.stdout)).toMatchObject({ runId: 3, repositories: repoCount });
    expect(JSON.parse(restarted.stdout).resumed).toBeUndefined();
    const file = new Database(db, { readonly: true });
    expect(file.prepare('SELECT id, status, end_reason FROM runs ORDER BY id').all()).toEqual([
      { id: 1, status: 'ok', end_reason: null },
      { id: 2, status: 'failed', end_reason: 'abandoned: --restart' },
      { id: 3, status: 'ok', end_reason: null },
    ]);
    file.close();
  });

  // Last: it adds commits to the shared fleet.
  it('resumes a night that carried unchanged repositories forward, ending equal to the same night uninterrupted', async () => {
    const night2 = new Date(Date.parse(NOW) + 86_400_000).toISOString();
    copyFileSync(path.join(tmp.dir, 'baseline.db'), path.join(tmp.dir, 'carry-killed.db'));
    copyFileSync(path.join(tmp.dir, 'baseline.db'), path.join(tmp.dir, 'carry-clean.db'));
    const changed = readdirSync(path.join(tmp.dir, 'repos')).sort().slice(0, 3);
    for (const name of changed) git(path.join(tmp.dir, 'repos', name), '-c', 'user.name=t', '-c', 'user.email=t@x', 'commit', '--allow-empty', '-q', '-m', 'night 2');
    const clean = runCli(['crawl', '-c', config, '--db', path.join(tmp.dir, 'carry-clean.db'), '--now', night2, '--json']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(JSON.parse(clean.stdout)).toMatchObject({ runId: 2, carriedForward: repoCount - changed.length });
    const killed = await crawlChild(['-c', config, '--db', path.join(tmp.dir, 'carry-killed.db'), '--now', night2, '--crash-after', '1']);
    expect(killed.signal).toBe('SIGKILL');
    const resumed = runCli(['crawl', '-c', config, '--db', path.join(tmp.dir, 'carry-killed.db'), '--now', night2, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    // The carried repositories and the one written before the kill are not read again.
    expect(JSON.parse(resumed.stdout)).toMatchObject({ runId: 2, status: 'ok', repositories: repoCount, carriedForward: repoCount - changed.length, resumed: { attempt: 2, alreadyDone: repoCount - changed.length + 1 } });
    expect(crawledRepos(resumed.stderr)).toHaveLength(changed.length - 1);
    const carried = (file: string) => {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare('SELECT r.repo_key, rr.carried_from_run, rr.stale_reason, rr.commits_since_previous FROM repo_runs rr JOIN repositories r ON r.id = rr.repo_id WHERE rr.run_id = 2 ORDER BY r.repo_key').all();
      } finally {
        db.close();
      }
    };
    expect(carried(path.join(tmp.dir, 'carry-killed.db'))).toEqual(carried(path.join(tmp.dir, 'carry-clean.db')));
    expect(resultsOf(path.join(tmp.dir, 'carry-killed.db'), 2)).toEqual(resultsOf(path.join(tmp.dir, 'carry-clean.db'), 2));
  });
});
