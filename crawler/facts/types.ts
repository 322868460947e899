// Gathers outside facts (registry release histories, schemas) that checks ask for with `wants`.
import type { PackageLookup, PackageRef, SchemaFact } from '../../checks/contract.ts';

export interface FactStats {
  /** Package lookups asked for by repositories (one per package per repository). */
  lookups: number;
  /** Answered from the cache without asking a registry. */
  cacheHits: number;
  /** Joined a lookup of the same package already in flight. */
  joined: number;
  /** Lookups that went to a registry. */
  fetched: number;
  notFound: number;
  undated: number;
  /** Registry failed; an older cached answer was used. */
  staleUsed: number;
  /** HTTP requests sent, every attempt counted. */
  requests: number;
  requestsByHost: Record<string, number>;
  /** Registries found down during the crawl (DNS, refused, TLS, repeated timeouts): not asked again, their packages undated at once. */
  openCircuits: { host: string; reason: string }[];
  /** Answers not used because their release dates look rewritten by a mirror (per package or per host). */
  rewritten: number;
  /** Hosts whose dates look rewritten for enough of the packages looked up that none of their dates are used. */
  rewrittenDates: { host: string; suspect: number; checked: number }[];
}

export interface FactProvider {
  /** One lookup per distinct ref; never rejects — failures come back as `undated` with a reason. */
  packages(refs: readonly PackageRef[]): Promise<Map<string, PackageLookup>>;
  renovateSchema(): Promise<SchemaFact>;
  /** The maintained dependabot.yml schema; a provider without one leaves Dependabot validation skipped. */
  dependabotSchema?(): Promise<SchemaFact>;
  stats?(): FactStats;
}
