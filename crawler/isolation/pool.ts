// Check threads for a crawl: a fixed pool, one thread leased per repository while its checks run,
// reused from one repository to the next. Every check call has a time limit; a check that runs past
// it (a super-linear regular expression, an endless loop) is stopped by terminating its thread,
// recorded as `error` for that repository only, and the thread is replaced. A thread that dies
// (an uncaught exception in a timer, memory) costs the check that was running, nothing more.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CheckOutcome, ExternalFacts, FactRequest, RepoKindVerdict, RepoSnapshot } from '../../checks/contract.ts';
import type { Answer, CheckSpec, FromWorker, RunItem, SnapshotData, ToWorker } from './protocol.ts';
import { snapshotData } from './protocol.ts';

const WORKER_URL = new URL('./worker.ts', import.meta.url);

// Terminating a thread interrupts JavaScript, not a system call: a check blocked in one (a read of
// a FIFO nobody writes) cannot be stopped inside the process, and Node waits for that thread at
// exit. Checks do no I/O by contract (README, "Adding a check"); this is where the contract matters.
function stopThread(worker: Worker): void {
  void worker.terminate();
}

type Batch = { answers: Answer[]; expected: number; arm(ms: number): void; done(outcome: BatchOutcome): void };

/** How long a check's module may take to load (and start) before its own time limit applies. */
const LOAD_ALLOWANCE_MS = 60_000;
/** The answers that came, in order; `stopped` when the next check ran past its time limit, `died` when the thread did. */
type BatchOutcome = { answers: Answer[]; stopped?: true; died?: Error };

class CheckThread {
  readonly worker: Worker;
  private batches = new Map<number, Batch>();
  private nextCall = 0;
  dead: Error | undefined;
  /** The snapshot this thread holds, and the Renovate schema version it keeps. */
  holds: object | undefined;
  schemaVersion: string | undefined;
  /** The time limit of the batch in flight. */
  private timeoutMs = 0;

  constructor(onWarning: (w: Extract<FromWorker, { type: 'warning' }>) => void) {
    // Checks need no more than the crawl's own flags (type stripping on Node 22.12–22.17).
    this.worker = new Worker(WORKER_URL, { execArgv: process.execArgv.filter((a) => !a.startsWith('--inspect')) });
    this.worker.unref();
    this.worker.on('message', (message: FromWorker) => {
      if (message.type === 'warning') return onWarning(message);
      const batch = this.batches.get(message.call);
      if (!batch) return;
      if (message.type === 'started') return batch.arm(this.timeoutMs);
      batch.answers[message.index] = message.answer;
      if (batch.answers.length === batch.expected) batch.done({ answers: batch.answers });
      else batch.arm(this.timeoutMs + LOAD_ALLOWANCE_MS);
    });
    const die = (error: Error) => {
      this.dead ??= error;
      for (const batch of this.batches.values()) batch.done({ answers: batch.answers, died: error });
    };
    this.worker.on('error', die);
    this.worker.on('exit', (code) => die(new Error(`the check thread exited (code ${code})`)));
  }

  send(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  /** Sends one list of checks; each gets `timeoutMs` from the moment it starts (after loading). */
  batch(make: (call: number) => ToWorker, expected: number, timeoutMs: number): Promise<BatchOutcome> {
    const call = ++this.nextCall;
    this.timeoutMs = timeoutMs;
    return new Promise((resolve) => {
      if (this.dead) return resolve({ answers: [], died: this.dead });
      let timer: NodeJS.Timeout | undefined;
      const batch: Batch = {
        answers: [],
        expected,
        arm: (ms) => {
          clearTimeout(timer);
          timer = setTimeout(() => {
            this.dead ??= new Error('stopped after its time limit');
            batch.done({ answers: batch.answers, stopped: true });
            stopThread(this.worker);
          }, ms);
        },
        done: (outcome) => {
          clearTimeout(timer);
          if (!this.batches.delete(call)) return;
          if (this.batches.size === 0) this.worker.unref();
          resolve(outcome);
        },
      };
      this.batches.set(call, batch);
      // While a call is in flight the thread keeps the process alive; idle, it does not.
      this.worker.ref();
      batch.arm(timeoutMs + LOAD_ALLOWANCE_MS);
      try {
        this.send(make(call));
      } catch (error) {
        batch.done({ answers: [], died: error instanceof Error ? error : new Error(String(error)) });
      }
    });
  }
}

export class CheckPool {
  private idle: CheckThread[] = [];
  private busy = new Set<CheckThread>();
  private waiting: ((thread: CheckThread) => void)[] = [];
  private closed = false;
  /** Threads started, including replacements of stopped ones (for the crawl's log). */
  started = 0;
  stopped = 0;

  private size: number;
  private readonly onWarning: (warning: Extract<FromWorker, { type: 'warning' }>, scope: { repo?: string; check?: string }) => void;

  constructor(size: number, onWarning: CheckPool['onWarning'] = () => {}) {
    this.size = size;
    this.onWarning = onWarning;
  }

  private spawn(): CheckThread {
    this.started++;
    const thread: CheckThread = new CheckThread((w) => this.onWarning(w, this.current.get(thread) ?? {}));
    return thread;
  }

  /** Which repository and check each busy thread is judging, so a warning it raises names them. */
  readonly current = new WeakMap<CheckThread, { repo?: string; check?: string }>();

  async lease(): Promise<CheckThread> {
    if (this.closed) throw new Error('the check pool is closed');
    let thread = this.idle.pop();
    while (thread?.dead) thread = this.idle.pop();
    if (!thread && this.busy.size + this.idle.length < this.size) thread = this.spawn();
    if (!thread) thread = await new Promise<CheckThread>((resolve) => this.waiting.push(resolve));
    this.busy.add(thread);
    return thread;
  }

  release(thread: CheckThread): void {
    this.busy.delete(thread);
    const next = thread.dead ? (this.closed ? undefined : this.spawn()) : thread;
    if (!next) return;
    const waiter = this.waiting.shift();
    if (waiter) {
      this.busy.add(next);
      waiter(next);
    } else this.idle.push(next);
  }

  /** A thread that died mid-session: swapped for a fresh one without giving the lease back. */
  replace(thread: CheckThread): CheckThread {
    this.busy.delete(thread);
    const fresh = this.spawn();
    this.busy.add(fresh);
    return fresh;
  }

  /** Allows up to `size` threads (never fewer than already allowed). */
  grow(size: number): void {
    this.size = Math.max(this.size, size);
  }

  session(snapshot: RepoSnapshot, timeoutMs: number, repo?: string): CheckSession {
    return new CheckSession(this, snapshot, timeoutMs, repo);
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.idle, ...this.busy];
    this.idle = [];
    await Promise.all(all.map((t) => t.worker.terminate()));
  }
}

/** One repository's checks on one leased thread; the snapshot is sent once (again after a stop). */
export class CheckSession {
  private thread: CheckThread | undefined;
  private data: SnapshotData | undefined;

  private readonly pool: CheckPool;
  private readonly snapshot: RepoSnapshot;
  private readonly timeoutMs: number;
  private readonly repo: string | undefined;

  constructor(pool: CheckPool, snapshot: RepoSnapshot, timeoutMs: number, repo?: string) {
    this.pool = pool;
    this.snapshot = snapshot;
    this.timeoutMs = timeoutMs;
    this.repo = repo;
  }

  private async ready(): Promise<CheckThread> {
    this.thread ??= await this.pool.lease();
    if (this.thread.dead) this.thread = this.pool.replace(this.thread);
    if (this.thread.holds !== this.snapshot) {
      this.data ??= snapshotData(this.snapshot);
      this.thread.send({ type: 'snapshot', snapshot: this.data });
      this.thread.holds = this.snapshot;
    }
    return this.thread;
  }

  /**
   * Runs the items in order on the leased thread. A check that overruns its time limit, or takes
   * its thread down, is answered by `failed`; a fresh thread gets the snapshot and the rest.
   */
  private async batch<Item extends { spec: CheckSpec }>(items: Item[], make: (call: number, items: Item[], thread: CheckThread) => ToWorker, failed: (spec: CheckSpec, why: { stopped: boolean; error?: Error }) => Answer): Promise<Answer[]> {
    const answers: Answer[] = [];
    let rest = items;
    while (rest.length > 0) {
      let outcome: BatchOutcome;
      try {
        const thread = await this.ready();
        this.pool.current.set(thread, { repo: this.repo, check: rest[0]!.spec.id });
        outcome = await thread.batch((call) => make(call, rest, thread), rest.length, this.timeoutMs);
      } catch (error) {
        outcome = { answers: [], died: error instanceof Error ? error : new Error(String(error)) };
      }
      answers.push(...outcome.answers);
      const failedAt = outcome.answers.length;
      if (failedAt >= rest.length) break;
      if (outcome.stopped) this.pool.stopped++;
      answers.push(failed(rest[failedAt]!.spec, { stopped: outcome.stopped === true, error: outcome.died }));
      rest = rest.slice(failedAt + 1);
    }
    return answers;
  }

  private limit(): string {
    return `${Math.round(this.timeoutMs) / 1000} s`;
  }

  async wants(items: { spec: CheckSpec; options: unknown }[], kind: RepoKindVerdict, now: Date): Promise<({ ok: true; request: FactRequest } | { ok: false; error: string })[]> {
    const answers = await this.batch(items, (call, rest) => ({ type: 'wants', call, kind, now: now.toISOString(), items: rest }), (spec, why) => ({
      type: 'wants',
      ok: false,
      error: why.stopped ? `was stopped after ${this.limit()} (crawl.checkTimeoutSeconds) while listing the facts it needs` : `crashed its thread while listing the facts it needs: ${why.error?.message ?? 'unknown error'}`,
    }));
    return answers.map((a, i) => (a.type === 'wants' ? (a.ok ? a : { ok: false, error: `check ${items[i]!.spec.id} ${a.error.startsWith('was stopped') || a.error.startsWith('crashed its thread') ? a.error : `crashed while listing the facts it needs: ${a.error}`}` }) : { ok: false, error: 'unexpected answer' }));
  }

  async run(items: { spec: CheckSpec; options: unknown; facts: ExternalFacts | undefined }[], kind: RepoKindVerdict, now: Date): Promise<{ outcome: CheckOutcome; durationMs: number }[]> {
    const answers = await this.batch(
      items,
      (call, rest, thread) => ({
        type: 'run',
        call,
        kind,
        now: now.toISOString(),
        items: rest.map(({ spec, options, facts }) => {
          const schema = facts?.renovateSchema;
          let renovateSchema: RunItem['renovateSchema'];
          if (schema?.status === 'available' && thread.schemaVersion === schema.version) renovateSchema = { status: 'available', version: schema.version, cached: true };
          else if (schema) {
            renovateSchema = schema;
            if (schema.status === 'available') thread.schemaVersion = schema.version;
          }
          return { spec, options, packages: [...(facts?.packages ?? new Map())], ...(renovateSchema ? { renovateSchema } : {}) };
        }),
      }),
      (spec, why) => ({
        type: 'run',
        outcome: {
          status: 'error',
          score: null,
          summary: why.stopped ? `check ${spec.id} was stopped after ${this.limit()}, its time limit (crawl.checkTimeoutSeconds); the other checks ran` : `check ${spec.id} crashed its thread: ${why.error?.message ?? 'unknown error'}`,
          findings: [],
        },
        durationMs: why.stopped ? this.timeoutMs : 0,
      }),
    );
    return answers.map((a) => (a.type === 'run' ? { outcome: a.outcome, durationMs: a.durationMs } : { outcome: { status: 'error', score: null, summary: 'unexpected answer from the check thread', findings: [] }, durationMs: 0 }));
  }

  end(): void {
    if (this.thread) this.pool.release(this.thread);
    this.thread = undefined;
  }
}

let shared: CheckPool | undefined;

/**
 * The process's check threads, shared by every crawl it runs (a backfill is one crawl per week):
 * a thread costs its imports once. Checks are CPU-bound, so no more threads than the crawl's
 * concurrency or the machine's cores; idle threads do not keep the process alive.
 */
export function sharedCheckPool(concurrency: number, onWarning: ConstructorParameters<typeof CheckPool>[1]): CheckPool {
  const size = Math.max(1, Math.min(concurrency, os.availableParallelism()));
  if (!shared) shared = new CheckPool(size, onWarning);
  else shared.grow(size);
  return shared;
}
