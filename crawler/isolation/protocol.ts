// Messages between the crawl and its check threads. A repository's snapshot travels once per
// thread as plain data (its files, the contents the checks read, its history); each check call is
// then one small message, so a stopped thread costs only the check that ran too long.
import type { Commit, FileEntry, FactRequest, PullRequest, ReadResult, RepoIdentity, RepoKindVerdict, CheckOutcome, RepoSnapshot, SchemaFact } from '../../checks/contract.ts';
import type { CheckOrigin } from '../plugins/load.ts';

export interface SnapshotData {
  identity: RepoIdentity;
  head: { oid: string; date: string };
  files: FileEntry[];
  contents: [string, ReadResult][];
  historyComplete: boolean;
  commits: Commit[];
  pullRequests?: PullRequest[];
  problems: string[];
}

export interface CheckSpec {
  id: string;
  origin: CheckOrigin;
}

export interface RunItem {
  spec: CheckSpec;
  options: unknown;
  packages: [string, unknown][];
  /** Sent once per thread and version: the worker keeps the last one. */
  renovateSchema?: SchemaFact | { status: 'available'; version: string; cached: true };
}

// One message asks for a list of checks, run in order; the thread answers each as it finishes,
// so the crawl knows which check was running when a time limit passes.
export type ToWorker =
  | { type: 'snapshot'; snapshot: SnapshotData }
  | { type: 'wants'; call: number; kind: RepoKindVerdict; now: string; items: { spec: CheckSpec; options: unknown }[] }
  | { type: 'run'; call: number; kind: RepoKindVerdict; now: string; items: RunItem[] };

export type Answer =
  | { type: 'wants'; ok: true; request: FactRequest }
  | { type: 'wants'; ok: false; error: string }
  | { type: 'run'; outcome: CheckOutcome; durationMs: number };

export type FromWorker =
  | { type: 'answer'; call: number; index: number; answer: Answer }
  /** The check is loaded and starts now: its time limit starts here, not while its module loads. */
  | { type: 'started'; call: number; index: number }
  | { type: 'warning'; name: string; message: string; code?: string; detail?: string };

/** The snapshot as data: every file the source read, whatever check asked for it. */
export function snapshotData(snapshot: RepoSnapshot): SnapshotData {
  const contents: [string, ReadResult][] = [];
  for (const file of snapshot.files) {
    if (file.kind !== 'file') continue;
    const read = snapshot.read(file.path);
    if (read.ok || read.reason !== 'not-fetched') contents.push([file.path, read]);
  }
  return {
    identity: snapshot.identity,
    head: snapshot.head,
    files: [...snapshot.files],
    contents,
    historyComplete: snapshot.history.complete,
    commits: [...snapshot.history.commits],
    ...(snapshot.pullRequests ? { pullRequests: [...snapshot.pullRequests] } : {}),
    problems: [...snapshot.problems],
  };
}
