// What the readers of each format hand to the scoring in index.ts.
import type { Finding } from '../contract.ts';

export type Platform = 'terraform' | 'cloudformation' | 'kubernetes' | 'helm';

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
}

export interface Enforcement {
  /** "tflint rule aws_resource_missing_tags" */
  what: string;
  path: string;
  line: number;
  /** Keys the policy names, when they can be read; undefined when it is generic or parameterised. */
  keys?: string[];
}

export interface Scan {
  items: Item[];
  findings: Finding[];
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
