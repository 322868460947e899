// The contract between sources, the runner and checks. Checks import only this file.
import type { ZodType } from 'zod';

export const STATUSES = ['pass', 'warn', 'fail', 'not-applicable', 'error', 'waived'] as const;
export type Status = (typeof STATUSES)[number];

export const SEVERITIES = ['info', 'low', 'medium', 'high'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Finding {
  message: string;
  severity: Severity;
  path?: string;
  line?: number;
}

export interface CheckOutcome {
  status: Exclude<Status, 'waived'>;
  /** 0–10; null when the check could not judge (not-applicable, error). */
  score: number | null;
  summary: string;
  findings: Finding[];
}

export interface FileEntry {
  path: string;
  size: number;
  /** git blob id */
  oid: string;
  kind: 'file' | 'symlink' | 'submodule';
}

export type ReadResult =
  | { ok: true; text: string; truncated: false; encoding: 'utf-8' | 'utf-16le' | 'utf-16be'; invalidBytes: boolean }
  | { ok: false; reason: 'not-found' | 'not-fetched' | 'too-large' | 'binary' | 'symlink' | 'missing-object' | 'submodule'; detail?: string };

export interface Commit {
  oid: string;
  date: string; // ISO 8601, committer date
  authorName: string;
  message: string;
  files: { path: string; change: 'A' | 'M' | 'D' | 'R' | 'C' | 'T'; previousPath?: string }[];
}

export interface PullRequest {
  number: number;
  title: string;
  body: string;
  mergedAt: string | null;
  createdAt: string;
  author: string;
  files: string[];
  url?: string;
}

export interface RepoIdentity {
  host: string; // "github.com", "local"
  owner: string;
  name: string;
  defaultBranch: string;
  /** Web URL of the repository, when one exists (used for links to files). */
  webUrl?: string;
}

export interface RepoSnapshot {
  identity: RepoIdentity;
  head: { oid: string; date: string };
  files: readonly FileEntry[];
  /** Synchronous read of a file fetched ahead of time; checks never do I/O. */
  read(path: string): ReadResult;
  history: {
    /** false for shallow clones or when the source capped the depth. */
    complete: boolean;
    commits: readonly Commit[];
    /** Commits on the default branch, newest first, that touched a path matching any pattern. */
    touching(patterns: readonly string[]): Commit[];
  };
  /** Present only where the host knows about them (GitHub source). */
  pullRequests?: readonly PullRequest[];
  /** Things the source could not read, in plain words; shown on the repository page. */
  problems: readonly string[];
}

export const REPO_KINDS = ['service', 'infrastructure', 'library', 'other'] as const;
export type RepoKind = (typeof REPO_KINDS)[number];

export interface RepoKindVerdict {
  kind: RepoKind;
  source: 'config' | 'catalog-info' | 'detected';
  evidence: string[];
  lifecycle?: string;
}

export interface CheckContext<Options> {
  options: Options;
  kind: RepoKindVerdict;
  /** The crawl's reference time, passed in so checks stay free of the clock. */
  now: Date;
}

export interface CheckMeta<Options> {
  title: string;
  description: string;
  category: 'operability' | 'delivery' | 'maintenance' | 'cost';
  weight: number;
  /** Bumped when scoring changes, so stored results can be told apart. */
  version: number;
  /** Glob patterns (picomatch, case-insensitive) of the files whose content the check reads. */
  reads: string[];
  /** Path patterns for which the check needs commit history; omit when it needs none. */
  history?: string[];
  /** Zod schema of the check's options, with defaults for every field. */
  options: ZodType<Options>;
}

export interface CheckDefinition<Options = unknown> {
  id: string;
  meta: CheckMeta<Options>;
  /** Site path of the remediation page, derived from the id. */
  docsPath: string;
  run(snapshot: RepoSnapshot, ctx: CheckContext<Options>): CheckOutcome;
}

export function defineCheck<Options>(def: {
  id: string;
  meta: CheckMeta<Options>;
  run(snapshot: RepoSnapshot, ctx: CheckContext<Options>): CheckOutcome;
}): CheckDefinition<Options> {
  if (!/^[a-z][a-z0-9-]*$/.test(def.id)) throw new Error(`check id "${def.id}" must be kebab-case`);
  return { ...def, docsPath: `/checks/${def.id}/` };
}

/** Services and infrastructure run in production; libraries and "other" (docs, demos) do not. */
export function runsInProduction(kind: RepoKindVerdict): boolean {
  return kind.kind === 'service' || kind.kind === 'infrastructure';
}

export function notApplicable(summary: string): CheckOutcome {
  return { status: 'not-applicable', score: null, summary, findings: [] };
}

/** Maps a 0–10 score onto pass/warn/fail with the check's own thresholds. */
export function statusFromScore(score: number, thresholds: { passAt: number; warnAt: number }): 'pass' | 'warn' | 'fail' {
  if (score >= thresholds.passAt) return 'pass';
  if (score >= thresholds.warnAt) return 'warn';
  return 'fail';
}

export function roundScore(score: number): number {
  return Math.round(Math.min(10, Math.max(0, score)) * 10) / 10;
}
