// What the readers of each format hand to the scoring in index.ts.
import type { Finding } from '../contract.ts';
import type { Rule } from './rules.ts';

export type Platform = 'terraform' | 'cloudformation' | 'cdk' | 'operator' | 'kubernetes' | 'helm';

/** One cost-bearing resource declared in code, with the tags it ends up with. */
export interface Item {
  platform: Platform;
  /** Resource type: `aws_instance`, `AWS::S3::Bucket`, `Deployment`, `module` … */
  type: string;
  name: string;
  path: string;
  line: number;
  /** Every key known to be present (original spelling), and whether its value is known to be empty. */
  keys: Map<string, { empty: boolean }>;
  /** Why keys other than `keys` may be present: the part of the tags that could not be resolved. */
  open?: string;
  /** Where the tags came from beyond the resource itself (default_tags, stack tags …), for messages. */
  inherited: string[];
  /** Where this instance is judged, after the name ("as module.network of envs/prod"). */
  context?: string;
  /** A sentence appended to a finding about this item. */
  note?: string;
  /** Said once per file when any item of the file does not pass. */
  fileNote?: string;
  /** When the same declaration is judged more than once (a module called twice), one key for all. */
  identity?: string;
  /** Why it is reported but not counted in the score (a type outside the cost-bearing list). */
  uncounted?: string;
  /** Its tags come from a shared definition (a tags local, variable or module) rather than a literal written on it. */
  shared?: boolean;
  /** A Terraform module nobody in the repository calls, judged without its callers' values. */
  reusable?: boolean;
}

export interface Enforcement {
  /** "tflint rule aws_resource_missing_tags" */
  what: string;
  path: string;
  line: number;
  /** Keys the policy names, when they can be read; undefined when it is generic or parameterised. */
  keys?: string[];
  /** The keys are Kubernetes label keys (a `prefix/` is dropped when they are compared). */
  labels?: boolean;
  /** A check on something that is not necessarily tags (a variable validation): it is tagging enforcement only when it names a required key. */
  incidental?: boolean;
  /** Why it does not stop an untagged resource (a report-only tag policy): it earns at most 1 point. */
  weak?: string;
}

export interface Scan {
  items: Item[];
  findings: Finding<Rule>[];
  enforcement: Enforcement[];
}

export const emptyScan = (): Scan => ({ items: [], findings: [], enforcement: [] });

/** Keys of a plain tag map (literal values), with emptiness. */
export function keysOf(map: Record<string, unknown>): Map<string, { empty: boolean }> {
  const out = new Map<string, { empty: boolean }>();
  for (const [k, v] of Object.entries(map)) out.set(k, { empty: v === null || v === undefined || (typeof v === 'string' && v.trim() === '') });
  return out;
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Directory of a repository path, '' for the root. */
export const dirOf = (p: string): string => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');

/** Joins and normalises repository paths; undefined when the result leaves the repository. */
export function joinPath(dir: string, rel: string): string | undefined {
  const out: string[] = [];
  for (const part of `${dir}/${rel}`.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(part);
  }
  return out.join('/');
}

/** `dir` is `ancestor` or below it. */
export const isWithin = (dir: string, ancestor: string): boolean => ancestor === '' || dir === ancestor || dir.startsWith(ancestor + '/');

/** The first line of an exception's message, short enough for a finding. */
export function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : typeof error === 'string' ? error : 'unknown error';
  const line = text.split('\n')[0] ?? '';
  return line.length > 200 ? line.slice(0, 197) + '…' : line;
}

/**
 * Runs the judgement of one file (or one resource) so that an exception nobody foresaw costs that
 * file, not the check: it becomes a finding, and everything else is still judged.
 */
export function guarded(findings: Finding<Rule>[], path: string, line: number | undefined, work: () => void): void {
  try {
    work();
  } catch (error) {
    findings.push({ rule: 'not-judged', severity: 'medium', path, ...(line !== undefined ? { line } : {}), message: `could not judge ${path}: ${errorMessage(error)}` });
  }
}

/**
 * Whether a string occurs in a parsed YAML/JSON value, keys included. Values may contain themselves
 * (YAML aliases) and share parts, so each object is visited once.
 */
export function containsText(value: unknown, needle: string): boolean {
  let found = false;
  walkValue(value, (v) => {
    if (typeof v === 'string' && v.includes(needle)) found = true;
    return !found;
  });
  return found;
}

/**
 * Visits every value of a parsed YAML/JSON tree once, keys as strings too, without recursion and
 * without following a value into itself. `visit` returns false to stop.
 */
export function walkValue(root: unknown, visit: (value: unknown) => boolean): void {
  const seen = new Set<object>();
  const todo: unknown[] = [root];
  while (todo.length > 0) {
    const v = todo.pop();
    if (!visit(v)) return;
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) todo.push(v[i]);
    else
      for (const [k, x] of Object.entries(v).reverse()) {
        todo.push(x);
        todo.push(k);
      }
  }
}

/** JSON text of a parsed YAML/JSON value; a value inside itself (a YAML alias) is written as null. */
export function jsonText(value: unknown): string {
  const path: unknown[] = [];
  const onPath = new Set<unknown>();
  return (
    JSON.stringify(value, function (this: unknown, _key: string, v: unknown) {
      if (v === null || typeof v !== 'object') return v;
      // `this` holds v: leave the ancestors that are no longer on the path to it.
      while (path.length > 0 && path[path.length - 1] !== this) onPath.delete(path.pop());
      if (onPath.has(v)) return null;
      path.push(v);
      onPath.add(v);
      return v;
    }) ?? 'null'
  );
}
