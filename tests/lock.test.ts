import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../data/db.ts';
import { acquireWriterLock, bootId, LockBusyError, processStart } from '../data/lock.ts';
import { DEMO_ANCHOR, generateDemoFleet } from '../fixtures/demo-fleet.ts';
import { CLI, ROOT, runCli, tempDir, writeConfig } from './helpers.ts';

/** A process that tries to take the lock once, reports on stdout, and holds what it got until its stdin closes. */
function contender(file: string): { report: Promise<{ pid: number; got: boolean; tookOver?: string; message?: string }>; finish: () => Promise<void> } {
  const script = `
    import { openDb } from ${JSON.stringify(path.join(ROOT, 'data', 'db.ts'))};
    import { acquireWriterLock } from ${JSON.stringify(path.join(ROOT, 'data', 'lock.ts'))};
    const db = openDb(${JSON.stringify(file)});
    let lock;
    try {
      lock = await acquireWriterLock(db, { file: 'db', command: 'crawl' });
      process.stdout.write(JSON.stringify({ pid: process.pid, got: true, tookOver: lock.tookOverFrom?.reason }) + '\\n');
    } catch (error) {
      process.stdout.write(JSON.stringify({ pid: process.pid, got: false, message: error.message }) + '\\n');
    }
    process.stdin.resume();
    process.stdin.on('end', () => { lock?.release(); db.close(); });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const report = new Promise<{ pid: number; got: boolean; tookOver?: string; message?: string }>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      if (out.includes('\n')) resolve(JSON.parse(out));
    });
    child.on('close', (code) => reject(new Error(`contender exited ${code} before reporting: ${out}`)));
  });
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return { report, finish: () => (child.stdin.end(), closed) };
}

function plantLock(file: string, holder: { pid: number; host?: string; bootId?: string | null; processStart?: string | null; heartbeatAt?: string; command?: string }): void {
  const db = openDb(file);
  const now = new Date().toISOString();
  db.prepare(
    `INSERT OR REPLACE INTO locks (name, token, pid, host, boot_id, process_start, command, acquired_at, heartbeat_at) VALUES ('writer', 'planted', ?, ?, ?, ?, ?, ?, ?)`,
  ).run(holder.pid, holder.host ?? os.hostname(), holder.bootId === undefined ? bootId() : holder.bootId, holder.processStart === undefined ? processStart(holder.pid) : holder.processStart, holder.command ?? 'crawl', '2026-11-15T03:17:00.000Z', holder.heartbeatAt ?? now);
  db.close();
}

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('the writer lock', () => {
  const tmp = tempDir('sw-lock-');
  afterAll(tmp.cleanup);

  it('lets one writer in; the second is refused with who holds it, and gets in once it is released', async () => {
    const file = path.join(tmp.dir, 'a.db');
    const first = openDb(file);
    const second = openDb(file);
    const held = await acquireWriterLock(first, { file, command: 'crawl' });
    const refused = await acquireWriterLock(second, { file, command: 'merge' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LockBusyError);
    expect((refused as LockBusyError).message).toContain(`pid ${process.pid} on ${os.hostname()}`);
    expect((refused as LockBusyError).message).toMatch(/seaworthy crawl, .*started \d{4}-\d\d-\d\dT/);
    held.release();
    const next = await acquireWriterLock(second, { file, command: 'merge' });
    expect(next.tookOverFrom).toBeUndefined();
    next.release();
    first.close();
    second.close();
  });

  it('takes over from a holder that is gone: dead pid, reused pid, rebooted machine, silent other host', async () => {
    const file = path.join(tmp.dir, 'b.db');
    const cases: { holder: Parameters<typeof plantLock>[1]; reason: RegExp }[] = [
      { holder: { pid: deadPid() }, reason: /pid \d+ is gone/ },
      // Our own pid, but recorded with another start time: the pid was reused by a later process.
      { holder: { pid: process.pid, processStart: '1' }, reason: /now belongs to another process/ },
      ...(bootId() ? [{ holder: { pid: process.pid, bootId: 'another-boot' }, reason: /machine restarted/ }] : []),
      { holder: { pid: 4242, host: 'ci-runner-7', heartbeatAt: new Date(Date.now() - 6 * 60_000).toISOString() }, reason: /no heartbeat from ci-runner-7 for 6 min/ },
    ];
    for (const { holder, reason } of cases) {
      plantLock(file, holder);
      const db = openDb(file);
      const lock = await acquireWriterLock(db, { file, command: 'crawl' });
      expect(lock.tookOverFrom?.reason).toMatch(reason);
      lock.release();
      expect(db.prepare('SELECT COUNT(*) FROM locks').pluck().get()).toBe(0);
      db.close();
    }
    // A live process on another host with a recent heartbeat is respected.
    plantLock(file, { pid: 4242, host: 'ci-runner-7' });
    const db = openDb(file);
    await expect(acquireWriterLock(db, { file, command: 'crawl' })).rejects.toThrow(/pid 4242 on ci-runner-7/);
    db.close();
  });

  it('a dead holder is taken over by exactly one of several processes trying at once', async () => {
    const file = path.join(tmp.dir, 'race.db');
    for (let round = 0; round < 3; round++) {
      plantLock(file, { pid: deadPid() });
      const contenders = Array.from({ length: 4 }, () => contender(file));
      try {
        const reports = await Promise.all(contenders.map((c) => c.report));
        const winners = reports.filter((r) => r.got);
        expect(winners, `round ${round}: ${JSON.stringify(reports)}`).toHaveLength(1);
        expect(winners[0]!.tookOver).toMatch(/pid \d+ is gone/);
        // The others were refused in favour of the winner, not of the dead holder.
        for (const loser of reports.filter((r) => !r.got)) expect(loser.message).toContain(`pid ${winners[0]!.pid} on`);
      } finally {
        await Promise.all(contenders.map((c) => c.finish()));
      }
      const db = openDb(file);
      expect(db.prepare('SELECT COUNT(*) FROM locks').pluck().get(), 'the winner released it').toBe(0);
      db.close();
    }
  });

  it('beats while held, and notices when another process took it over', async () => {
    const file = path.join(tmp.dir, 'beat.db');
    const db = openDb(file);
    const other = openDb(file);
    const errors: Error[] = [];
    const lock = await acquireWriterLock(db, { file, command: 'crawl', heartbeatMs: 20, onHeartbeatError: (e) => errors.push(e) });
    const beatAt = () => other.prepare('SELECT heartbeat_at FROM locks').pluck().get() as string;
    const first = beatAt();
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(beatAt() > first).toBe(true);
    expect(lock.lost).toBe(false);
    // A heartbeat blocked by another writer's transaction skips a beat instead of crashing the process.
    db.pragma('busy_timeout = 0');
    other.exec('BEGIN IMMEDIATE');
    await new Promise((resolve) => setTimeout(resolve, 80));
    other.exec('ROLLBACK');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]!.message).toMatch(/locked|busy/i);
    expect(lock.lost).toBe(false);
    // As a process on another machine does when this one's heartbeat went silent for too long.
    other.prepare("UPDATE locks SET token = 'someone-else', pid = 4242, host = 'ci-runner-9'").run();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(lock.lost).toBe(true);
    lock.release();
    expect(other.prepare('SELECT pid FROM locks').pluck().get(), 'release leaves the new holder\'s lock alone').toBe(4242);
    db.close();
    other.close();
  });

  it('waits with a deadline, and gets in when the holder finishes', async () => {
    const file = path.join(tmp.dir, 'c.db');
    const first = openDb(file);
    const second = openDb(file);
    const held = await acquireWriterLock(first, { file, command: 'crawl' });
    let told = 0;
    await expect(acquireWriterLock(second, { file, command: 'crawl', wait: 150, pollMs: 20, onWait: () => told++ })).rejects.toBeInstanceOf(LockBusyError);
    expect(told).toBe(1);
    setTimeout(() => held.release(), 100);
    const got = await acquireWriterLock(second, { file, command: 'crawl', wait: true, pollMs: 20 });
    got.release();
    first.close();
    second.close();
  });
});

describe('crawl as a single writer, and stopping on a signal', () => {
  const tmp = tempDir('sw-lockcli-');
  let config: string;
  const db = () => path.join(tmp.dir, 'seaworthy.db');
  afterAll(tmp.cleanup);
  beforeAll(() => {
    generateDemoFleet(path.join(tmp.dir, 'repos'));
    config = writeConfig(tmp.dir, `database: seaworthy.db\nsources:\n  - type: local\n    paths: ['repos/*']\n    owner: acme\nregistries: {offline: true}\ncrawl: {concurrency: 1, carryForwardDays: 0}\n`);
  });

  it('refuses while another live process holds the database (exit 5), and with --wait runs once it is gone', async () => {
    // Alive until the test kills it, however long the runs below take on a loaded machine.
    const holder = spawn('sleep', ['86400']);
    try {
      plantLock(db(), { pid: holder.pid!, command: 'crawl' });
      const refused = runCli(['crawl', '-c', config, '-q']);
      expect(refused.code).toBe(5);
      expect(refused.stderr).toContain(`seaworthy crawl, pid ${holder.pid} on ${os.hostname()}, started 2026-11-15T03:17:00.000Z`);
      expect(refused.stderr).toContain('--wait');
      // --wait is bounded: --wait-minutes gives up with exit 5 while the holder is still alive.
      const bounded = runCli(['crawl', '-c', config, '-q', '--wait-minutes', '0.02']);
      const waiting = new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, 'crawl', '-c', config, '--wait', '--now', DEMO_ANCHOR], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString('utf8');
          // Only once it says it waits does the holder go away.
          if (stderr.includes('waiting for it')) holder.kill('SIGKILL');
        });
        child.on('close', (code) => resolve({ code, stderr }));
      });
      const waited = await waiting;
      expect(bounded.code, bounded.stderr).toBe(5);
      expect(bounded.stderr).toMatch(/pid \d+ on .*Waited \d+ s for it to finish and gave up/);
      expect(waited.stderr).toMatch(/another process writes this database; waiting for it" pid=\d+ host=\S+ command=crawl/);
      expect(waited.stderr).toContain('took over the database lock of a process that is gone');
      expect(waited.code, waited.stderr).toBe(0);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('SIGTERM stops after the repository in flight with exit 3; the next crawl resumes the same run', async () => {
    const before = new Database(db(), { readonly: true });
    const lastRun = before.prepare('SELECT MAX(id) FROM runs').pluck().get() as number;
    before.close();
    const stopped = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'crawl', '-c', config, '--now', DEMO_ANCHOR], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      let sent = false;
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString('utf8');
        if (!sent && stderr.includes('msg="repository crawled"')) {
          sent = true;
          child.kill('SIGTERM');
        }
      });
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(stopped.code, stopped.stderr).toBe(3);
    expect(stopped.stderr).toContain('stopping after the repositories in flight');
    const file = new Database(db(), { readonly: true });
    const run = file.prepare('SELECT id, status, interrupted_at, end_reason, repo_count FROM runs WHERE id = ?').get(lastRun + 1) as { id: number; status: string; interrupted_at: string | null; end_reason: string; repo_count: number };
    expect(run).toMatchObject({ status: 'running', end_reason: 'SIGINT/SIGTERM' });
    expect(run.interrupted_at).not.toBeNull();
    expect(run.repo_count).toBeGreaterThanOrEqual(1);
    expect(run.repo_count).toBeLessThan(12);
    expect(file.prepare('SELECT COUNT(*) FROM locks').pluck().get()).toBe(0);
    file.close();

    const resumed = runCli(['crawl', '-c', config, '--now', DEMO_ANCHOR, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ runId: run.id, status: 'ok', repositories: 12, resumed: { attempt: 2, alreadyDone: run.repo_count } });
  });
});

describe('readers', () => {
  const tmp = tempDir('sw-readers-');
  afterAll(tmp.cleanup);

  it('a site build reads one snapshot: runs finished while it reads do not appear half-way through', async () => {
    const { Store } = await import('../data/store.ts');
    const { Queries } = await import('../data/queries.ts');
    const file = path.join(tmp.dir, 'r.db');
    const store = new Store(file);
    const finish = (startedAt: string) => {
      const runId = store.startRun({ startedAt, toolVersion: 't', config: {} });
      store.writeRepoResult(runId, { repo: { key: 'local/acme/a', host: 'local', owner: 'acme', name: 'a' }, status: 'ok', problems: [], score: 5, durationMs: 1, results: [{ checkId: 'runbooks', checkVersion: 1, status: 'warn', score: 5, weight: 1, summary: 's', durationMs: 1, findings: [{ rule: 'runbooks/no-runbook', severity: 'low', message: 'm' }] }] }, startedAt);
      store.finishRun(runId, { finishedAt: startedAt, status: 'ok', repoCount: 1, errorCount: 0 });
      return runId;
    };
    const first = finish('2026-11-14T03:00:00.000Z');
    const reader = new Queries(file);
    // A crawl writes, finishes and prunes while the build is under way.
    const second = finish('2026-11-15T03:00:00.000Z');
    store.db.prepare('DELETE FROM findings').run();
    expect(reader.latestEndedRun()?.id).toBe(first);
    expect(reader.latestRun()?.id).toBe(first);
    expect(reader.repositories(first)).toHaveLength(1);
    reader.close();
    const next = new Queries(file);
    expect(next.latestRun()?.id).toBe(second);
    next.close();
    store.close();
  });
});
