// Drift of one dependency against its registry's release history: libyears, releases and majors behind.
import type { Ecosystem, PackageRelease } from '../contract.ts';
import { goPseudoVersionTime, SCHEMES, terraformConstraint } from './versions.ts';

export const YEAR_MS = 365.25 * 24 * 3600 * 1000;

export type Drift =
  | {
      status: 'dated';
      /** Release date of the newest stable version minus that of the version in use, in years; never negative. */
      libyears: number;
      releasesBehind: number;
      majorsBehind: number;
      newest: string;
      /** Every stable release is deprecated: the package itself is retired (npm's way); drift is then measured to its last release. */
      retired?: boolean;
    }
  | { status: 'undated'; reason: string };

/** Years from `from` to `to` (ISO dates), clamped at zero: a backport released after the newest version is not "ahead". */
export function libyearsBetween(from: string, to: string): number {
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms > 0 ? ms / YEAR_MS : 0;
}

/** What a release can be upgraded to: not a prerelease, not yanked, not deprecated. */
export function isCandidate(release: PackageRelease, ecosystem: Ecosystem): boolean {
  const scheme = SCHEMES[ecosystem];
  return !release.yanked && !release.deprecated && scheme.valid(release.version) && !scheme.isPrerelease(release.version);
}

export function newestStable(releases: readonly PackageRelease[], ecosystem: Ecosystem): PackageRelease | undefined {
  const scheme = SCHEMES[ecosystem];
  let best: PackageRelease | undefined;
  for (const r of releases) {
    if (!isCandidate(r, ecosystem)) continue;
    if (!best || scheme.compare(r.version, best.version) > 0) best = r;
  }
  return best;
}

/**
 * Releases that existed at `asOf`: a backfilled run must not see what was published after its date.
 * A release without a date cannot be placed and is kept (registries leave old versions undated).
 */
export function releasedBy(releases: readonly PackageRelease[], asOf: Date | undefined): readonly PackageRelease[] {
  if (!asOf) return releases;
  const limit = asOf.getTime();
  return releases.filter((r) => r.publishedAt === null || !(Date.parse(r.publishedAt) > limit));
}

/** `asOf` (the crawl's ctx.now) hides releases published after it. */
export function driftOf(ecosystem: Ecosystem, current: string, allReleases: readonly PackageRelease[], asOf?: Date): Drift {
  const scheme = SCHEMES[ecosystem];
  if (!scheme.valid(current)) return { status: 'undated', reason: `"${current}" is not a version ${ecosystem} can order` };
  const releases = releasedBy(allReleases, asOf);
  let newest = newestStable(releases, ecosystem);
  // A package whose every stable, unyanked release is deprecated is retired, not undatable.
  const stable = releases.filter((r) => !r.yanked && scheme.valid(r.version) && !scheme.isPrerelease(r.version));
  const retired = !newest && stable.length > 0 && stable.every((r) => r.deprecated);
  if (retired) newest = stable.reduce((a, b) => (scheme.compare(b.version, a.version) > 0 ? b : a));
  const upgradable = (r: PackageRelease) => (retired ? !r.yanked && scheme.valid(r.version) && !scheme.isPrerelease(r.version) : isCandidate(r, ecosystem));
  if (!newest) {
    const later = releases.length < allReleases.length && asOf ? ` by ${asOf.toISOString().slice(0, 10)}` : '';
    return { status: 'undated', reason: `the registry lists no stable release that is neither yanked nor deprecated${later ? ` published${later}` : ''}` };
  }
  const flag = retired ? { retired: true } : {};
  if (scheme.compare(current, newest.version) >= 0) return { status: 'dated', libyears: 0, releasesBehind: 0, majorsBehind: 0, newest: newest.version, ...flag };

  // The version in use is looked up among all releases: a lockfile cannot pin what did not exist, so a
  // date after `asOf` is the registry's (a re-publish), and the drift is then clamped at zero.
  const inUse = allReleases.find((r) => scheme.valid(r.version) && scheme.compare(r.version, current) === 0);
  // A Go pseudo-version is a commit, not a release: its own timestamp is its date.
  const currentDate = inUse?.publishedAt ?? (ecosystem === 'go' ? goPseudoVersionTime(current) : undefined) ?? null;
  if (!currentDate) {
    return { status: 'undated', reason: inUse ? `the registry gives no release date for ${current}` : `the registry does not list version ${current}` };
  }
  if (!newest.publishedAt) return { status: 'undated', reason: `the registry gives no release date for the newest version ${newest.version}` };

  const currentMajor = scheme.major(current);
  const newer = releases.filter((r) => upgradable(r) && scheme.compare(r.version, current) > 0);
  const majors = new Set(newer.map((r) => scheme.major(r.version)).filter((m) => m !== currentMajor && compareMajor(m, currentMajor) > 0));
  return {
    status: 'dated',
    libyears: libyearsBetween(currentDate, newest.publishedAt),
    releasesBehind: new Set(newer.map((r) => r.version)).size,
    majorsBehind: majors.size,
    newest: newest.version,
    ...flag,
  };
}

/** Majors are numbers, except PEP 440's "epoch!major": compare numerically part by part. */
function compareMajor(a: string, b: string): number {
  const pa = a.split('!').map(Number);
  const pb = b.split('!').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0 && Number.isFinite(d)) return d;
  }
  return 0;
}

export interface DriftStats {
  count: number;
  total: number;
  median: number;
  p90: number;
}

/** Nearest-rank percentile of sorted values (p in 0–1). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

export function driftStats(libyears: readonly number[]): DriftStats {
  const sorted = [...libyears].sort((a, b) => a - b);
  const total = sorted.reduce((sum, x) => sum + x, 0);
  const mid = sorted.length / 2;
  const median = sorted.length === 0 ? 0 : sorted.length % 2 === 1 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { count: sorted.length, total, median, p90: percentile(sorted, 0.9) };
}

/** The newest stable, unyanked release a constraint allows, as `terraform init` would pick without a lockfile. */
export function newestAllowed(constraint: string, releases: readonly PackageRelease[]): { version: string } | { error: string } {
  const allows = terraformConstraint(constraint);
  if (!allows) return { error: `the version constraint "${constraint.slice(0, 60)}" cannot be read` };
  let best: string | undefined;
  for (const r of releases) {
    if (!isCandidate(r, 'terraform-provider') || !allows(r.version)) continue;
    if (!best || SCHEMES['terraform-provider'].compare(r.version, best) > 0) best = r.version;
  }
  return best ? { version: best } : { error: `no stable release satisfies "${constraint.slice(0, 60)}"` };
}

