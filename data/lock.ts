// One writer per database (crawl, merge, prune), recorded in the database itself (table `locks`,
// migration 0007) rather than in a lock file beside it: taking, checking and taking over the lock
// happen in one IMMEDIATE transaction, so two processes can never both win, on any filesystem
// SQLite itself works on, with no second file to lose or leave behind. A holder that died is
// recognised without a timeout on the same machine (its pid is gone, belongs to a process started
// later, or the machine rebooted), and by a silent heartbeat from another machine.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { Db } from './db.ts';

export const HEARTBEAT_MS = 15_000;
/** A holder on another machine whose heartbeat is older than this is taken for dead. */
export const FOREIGN_STALE_MS = 5 * 60_000;

export interface LockHolder {
  pid: number;
  host: string;
  bootId: string | null;
  processStart: string | null;
  command: string;
  acquiredAt: string;
  heartbeatAt: string;
}

export class LockBusyError extends Error {
  readonly holder: LockHolder;
  constructor(file: string, holder: LockHolder, waitedMs?: number) {
    super(
      `${file} is being written by another process: seaworthy ${holder.command}, pid ${holder.pid} on ${holder.host}, started ${holder.acquiredAt} (last heartbeat ${holder.heartbeatAt}). ` +
        (waitedMs === undefined
          ? 'Only one crawl, merge or prune may write a database at a time: run again when it has finished, or pass --wait to wait for it.'
          : `Waited ${waitedMs < 60_000 ? `${Math.round(waitedMs / 1000)} s` : `${Math.round(waitedMs / 60_000)} min`} for it to finish and gave up (--wait-minutes sets how long to wait).`),
    );
    this.name = 'LockBusyError';
    this.holder = holder;
  }
}

function readProc(file: string): string | null {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    // Not Linux, or the process is gone: the caller falls back to signal 0.
    return null;
  }
}

export function bootId(): string | null {
  return readProc('/proc/sys/kernel/random/boot_id');
}

/** The start time of a process in clock ticks since boot (Linux), which tells a reused pid from its first owner. */
export function processStart(pid: number): string | null {
  const stat = readProc(`/proc/${pid}/stat`);
  if (!stat) return null;
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why the holder cannot still be writing, or undefined when it may be. */
export function deadHolder(holder: LockHolder, now = Date.now()): string | undefined {
  if (holder.host === os.hostname()) {
    const boot = bootId();
    if (holder.bootId && boot && holder.bootId !== boot) return `the machine restarted since pid ${holder.pid} took the lock`;
    if (!alive(holder.pid)) return `pid ${holder.pid} is gone`;
    const start = processStart(holder.pid);
    if (holder.processStart && start && start !== holder.processStart) return `pid ${holder.pid} now belongs to another process`;
    return undefined;
  }
  const silentMs = now - Date.parse(holder.heartbeatAt);
  if (!(silentMs <= FOREIGN_STALE_MS)) return `no heartbeat from ${holder.host} for ${Math.round(silentMs / 60_000)} min`;
  return undefined;
}

interface LockRow {
  token: string;
  pid: number;
  host: string;
  boot_id: string | null;
  process_start: string | null;
  command: string;
  acquired_at: string;
  heartbeat_at: string;
}

function holderOf(row: LockRow): LockHolder {
  return { pid: row.pid, host: row.host, bootId: row.boot_id, processStart: row.process_start, command: row.command, acquiredAt: row.acquired_at, heartbeatAt: row.heartbeat_at };
}

export interface WriterLock {
  /** Set when another process took the lock over (it judged this one dead): stop writing. */
  readonly lost: boolean;
  /** Why the previous holder was taken for dead, when the lock was taken over. */
  readonly tookOverFrom?: { holder: LockHolder; reason: string };
  release(): void;
}

export interface AcquireOptions {
  file: string;
  command: string;
  /** Wait for the holder to finish instead of refusing; a number caps the wait (ms). */
  wait?: boolean | number;
  pollMs?: number;
  /** How often the holder proves it is alive (default HEARTBEAT_MS). */
  heartbeatMs?: number;
  onWait?: (holder: LockHolder) => void;
  /** A heartbeat that could not be written (the lock is kept; the next beat tries again). */
  onHeartbeatError?: (error: Error) => void;
}

function tryAcquire(db: Db, command: string, token: string): { lock?: { tookOverFrom?: { holder: LockHolder; reason: string } }; holder?: LockHolder } {
  return db
    .transaction(() => {
      const row = db.prepare("SELECT * FROM locks WHERE name = 'writer'").get() as LockRow | undefined;
      let tookOverFrom: { holder: LockHolder; reason: string } | undefined;
      if (row) {
        const holder = holderOf(row);
        const reason = deadHolder(holder);
        if (!reason) return { holder };
        tookOverFrom = { holder, reason };
      }
      const now = new Date().toISOString();
      db.prepare(
        `INSERT OR REPLACE INTO locks (name, token, pid, host, boot_id, process_start, command, acquired_at, heartbeat_at)
         VALUES ('writer', ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(token, process.pid, os.hostname(), bootId(), processStart(process.pid), command, now, now);
      return { lock: { tookOverFrom } };
    })
    .immediate();
}

export async function acquireWriterLock(db: Db, options: AcquireOptions): Promise<WriterLock> {
  const token = randomUUID();
  const waitStarted = Date.now();
  const deadline = typeof options.wait === 'number' ? waitStarted + options.wait : Infinity;
  let told = false;
  for (;;) {
    const attempt = tryAcquire(db, options.command, token);
    if (attempt.lock) {
      let lost = false;
      const beat = db.prepare("UPDATE locks SET heartbeat_at = ? WHERE name = 'writer' AND token = ?");
      const timer = setInterval(() => {
        // A timer callback that throws would end the process mid-crawl: a busy database only skips a beat.
        try {
          if (beat.run(new Date().toISOString(), token).changes === 0) lost = true;
        } catch (error) {
          (options.onHeartbeatError ?? ((e: Error) => process.stderr.write(`seaworthy: could not renew the database lock: ${e.message}\n`)))(error as Error);
        }
      }, options.heartbeatMs ?? HEARTBEAT_MS);
      timer.unref();
      return {
        get lost() {
          return lost;
        },
        tookOverFrom: attempt.lock.tookOverFrom,
        release() {
          clearInterval(timer);
          if (db.open) db.prepare("DELETE FROM locks WHERE name = 'writer' AND token = ?").run(token);
        },
      };
    }
    const holder = attempt.holder!;
    if (!options.wait) throw new LockBusyError(options.file, holder);
    if (Date.now() >= deadline) throw new LockBusyError(options.file, holder, Date.now() - waitStarted);
    if (!told) options.onWait?.(holder);
    told = true;
    await new Promise((resolve) => setTimeout(resolve, Math.min(options.pollMs ?? 1000, Math.max(0, deadline - Date.now()))));
  }
}
