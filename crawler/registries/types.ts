// What every registry client shares: the error classes that decide retry and the user-facing reason,
// and the context a lookup runs in.
import type { PackageRelease } from '../../checks/contract.ts';
import type { Budget, HostPolicy, RegistryHttp } from './http.ts';

/**
 * not-found and refused are answers about the package or our credentials (not retried, not-found is
 * cached briefly); malformed is a document we could not trust; host covers everything that is the
 * registry's trouble (timeouts, resets, 429 and 5xx after retries, exhausted budget); invalid-name is
 * a name no registry could hold.
 */
export type RegistryErrorKind = 'not-found' | 'refused' | 'malformed' | 'host' | 'invalid-name';

export class RegistryError extends Error {
  readonly kind: RegistryErrorKind;
  constructor(kind: RegistryErrorKind, message: string) {
    super(message);
    this.name = 'RegistryError';
    this.kind = kind;
  }
}

export interface Endpoint {
  /** Base URL without a trailing slash. */
  url: string;
  /** Sent only to this origin (never after a redirect to another one). */
  authorization?: string;
  policy: HostPolicy;
  /** For registries that date versions one request at a time (Go proxy, Terraform mirrors). */
  maxVersionDates: number;
}

export interface LookupContext {
  http: RegistryHttp;
  endpoint: Endpoint;
  budget: Budget;
  /** The previous cached answer, even if stale: release dates never change, so they need not be asked again. */
  previous?: readonly PackageRelease[];
}

export type RegistryClient = (name: string, ctx: LookupContext) => Promise<PackageRelease[]>;

/** zod issues in one line, for the "malformed document" reason. */
export function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.map(String).join('.') : '(document)'}: ${i.message}`)
    .join('; ');
}

export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new RegistryError('malformed', `${what} is not valid JSON (${(error as Error).message})`);
  }
}

/** ISO 8601 in UTC, or null for anything that is not a date. Registries without a zone mean UTC. */
export function isoDate(value: string | undefined | null): string | null {
  if (!value) return null;
  const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(value) ? value : `${value}Z`;
  const time = Date.parse(zoned);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

/** Oldest first; releases without a date keep their relative order after the dated ones. */
export function byPublication(releases: PackageRelease[]): PackageRelease[] {
  return releases
    .map((r, i) => ({ r, i }))
    .sort((a, b) => {
      if (a.r.publishedAt && b.r.publishedAt) return a.r.publishedAt < b.r.publishedAt ? -1 : a.r.publishedAt > b.r.publishedAt ? 1 : a.i - b.i;
      if (a.r.publishedAt) return -1;
      if (b.r.publishedAt) return 1;
      return a.i - b.i;
    })
    .map((x) => x.r);
}

/** A name as shown in a message: hostile manifests hold names of any length. */
export function shownName(name: string, max = 80): string {
  return name.length > max ? `${name.slice(0, max)}… (${name.length} characters)` : name;
}
