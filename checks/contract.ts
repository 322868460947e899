// The contract between sources, the runner and checks. Checks import only this file.
import type { ZodType } from 'zod';

export const STATUSES = ['pass', 'warn', 'fail', 'not-applicable', 'error', 'waived'] as const;
export type Status = (typeof STATUSES)[number];

export const SEVERITIES = ['info', 'low', 'medium', 'high'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** One thing a check can find wrong, named by what the user must fix (one rule per distinct remediation). */
export interface RuleMeta {
  /** Short and plain, e.g. "Alert without a runbook": the heading of the rule's "How to fix" subsection. */
  title: string;
}

/** A check's rules by name (kebab-case); a rule's id is `<check-id>/<name>`. */
export type Rules<R extends string = string> = Readonly<Record<R, RuleMeta>>;

/** Added by the runner, not by checks: the finding that says a check's waiver has expired. */
export const RUNNER_RULES = { 'waiver-expired': { title: 'Waiver expired' } } as const satisfies Rules;

const RULE_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** The stable id of a check's rule, as stored, exported and shown: `runbooks/alert-without-runbook`. */
export function ruleId(checkId: string, rule: string): string {
  return `${checkId}/${rule}`;
}

/** Where a rule's "How to fix" subsection is on its check page (the id of that subsection). */
export function ruleAnchor(rule: string): string {
  return `rule-${rule.slice(rule.lastIndexOf('/') + 1)}`;
}

export interface Finding<Rule extends string = string> {
  /** The rule this finding belongs to: a name declared in the check's `meta.rules` (the runner qualifies it with the check id). */
  rule: Rule;
  message: string;
  severity: Severity;
  path?: string;
  line?: number;
}

export interface CheckOutcome<Rule extends string = string> {
  status: Exclude<Status, 'waived'>;
  /** 0–10; null when the check could not judge (not-applicable, error). */
  score: number | null;
  summary: string;
  findings: Finding<Rule>[];
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
  /** open: not merged yet (e.g. a waiting update PR); merged: landed on the default branch; closed: abandoned. */
  state: 'open' | 'merged' | 'closed';
  mergedAt: string | null;
  createdAt: string;
  /** Login, e.g. "renovate[bot]" or "dependabot[bot]". */
  author: string;
  /** Changed file paths (for merged pull requests: what landed). */
  files: string[];
  /** Merge commit on the default branch, when merged. */
  mergeCommit?: string;
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

// Facts from outside the repository (package registries, schemas), gathered by the crawler before
// checks run, because checks never do I/O. A check asks for them with `wants`.
export const ECOSYSTEMS = ['npm', 'pypi', 'go', 'cargo', 'rubygems', 'terraform-provider', 'maven'] as const;
export type Ecosystem = (typeof ECOSYSTEMS)[number];

export interface PackageRef {
  ecosystem: Ecosystem;
  /** As the registry names it: "@types/node", "requests" (PEP 503-normalised by the crawler), "github.com/Foo/bar", "hashicorp/aws". */
  name: string;
}

export interface PackageRelease {
  version: string;
  /** ISO 8601; null when the registry gives no date for this version. */
  publishedAt: string | null;
  yanked: boolean;
  deprecated: boolean;
}

export type PackageLookup =
  | { status: 'found'; releases: readonly PackageRelease[]; fetchedAt: string }
  /** The registry could not be asked, failed, or does not know the package: the reason is shown to users. */
  | { status: 'undated'; reason: string };

export type SchemaFact = { status: 'available'; schema: object; version: string } | { status: 'skipped'; reason: string };

export interface FactRequest {
  packages?: PackageRef[];
  renovateSchema?: boolean;
  /** The maintained JSON Schema of dependabot.yml. */
  dependabotSchema?: boolean;
}

export interface ExternalFacts {
  /** Keyed by packageKey(ref). Every requested package has an entry. */
  packages: ReadonlyMap<string, PackageLookup>;
  /** Present when requested. */
  renovateSchema?: SchemaFact;
  /** Present when requested. */
  dependabotSchema?: SchemaFact;
}

export function packageKey(ref: PackageRef): string {
  return `${ref.ecosystem}:${ref.name}`;
}

export interface CheckContext<Options> {
  options: Options;
  kind: RepoKindVerdict;
  /** The crawl's reference time, passed in so checks stay free of the clock. */
  now: Date;
  /** What the crawler gathered for this check's `wants`; empty when the check wants nothing. */
  facts: ExternalFacts;
}

export interface CheckMeta<Options, Rule extends string = string> {
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
  /** Every rule a finding can name; each has a subsection of the README's "How to fix" (anchor `rule-<name>`). */
  rules: Rules<Rule>;
}

export interface CheckDefinition<Options = unknown, Rule extends string = string> {
  id: string;
  meta: CheckMeta<Options, Rule>;
  /** Site path of the remediation page, derived from the id. */
  docsPath: string;
  /** Pure: which outside facts the check needs for this snapshot (called before run). */
  wants?(snapshot: RepoSnapshot, ctx: Omit<CheckContext<Options>, 'facts'>): FactRequest;
  run(snapshot: RepoSnapshot, ctx: CheckContext<Options>): CheckOutcome<Rule>;
}

/** The rules are inferred from `meta.rules`, so `run` cannot return a finding with a rule it does not declare. */
export function defineCheck<Options, const Rule extends string>(def: {
  id: string;
  meta: CheckMeta<Options, Rule>;
  wants?(snapshot: RepoSnapshot, ctx: Omit<CheckContext<Options>, 'facts'>): FactRequest;
  run(snapshot: RepoSnapshot, ctx: CheckContext<Options>): CheckOutcome<NoInfer<Rule>>;
}): CheckDefinition<Options, Rule> {
  if (!/^[a-z][a-z0-9-]*$/.test(def.id)) throw new Error(`check id "${def.id}" must be kebab-case`);
  for (const rule of Object.keys(def.meta.rules)) {
    if (!RULE_NAME.test(rule)) throw new Error(`check ${def.id}: rule name "${rule}" must be kebab-case`);
    if (rule in RUNNER_RULES) throw new Error(`check ${def.id}: rule name "${rule}" is reserved for the runner`);
  }
  return { ...def, docsPath: `/checks/${def.id}/` };
}

/** Services and infrastructure run in production; libraries and "other" (docs, demos) do not. */
export function runsInProduction(kind: RepoKindVerdict): boolean {
  return kind.kind === 'service' || kind.kind === 'infrastructure';
}

export function notApplicable(summary: string): CheckOutcome<never> {
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
