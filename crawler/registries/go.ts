// Go module proxy protocol (https://go.dev/ref/mod#goproxy-protocol): /@v/list gives the tagged
// versions without dates, /@v/<version>.info one date each, /@latest the newest (a pseudo-version
// for modules without tags).
//
// Cost: a check asks by module path only, so the version in use is unknown here. A lookup sends
// one /@v/list plus one .info for each of the newest `maxVersionDates` versions that has no date
// yet (default 30; dates never change, so a refresh reuses every date of the previous cached answer
// and asks only for versions tagged since). Older versions are listed with no date. Pseudo-versions
// carry their commit time and are dated without a request. /@latest is asked only when the list is
// empty. Retractions (go.mod `retract`) are not read: no version is marked yanked.
import semver from 'semver';
import { z } from 'zod';
import type { PackageRelease } from '../../checks/contract.ts';
import { RegistryError, byPublication, describeIssues, isoDate, parseJson, type LookupContext, type RegistryClient, shownName } from './types.ts';

const info = z.object({ Version: z.string().min(1), Time: z.string() });

// Module paths: letters, digits and -._~/ (and + in older paths), no empty or dot-only elements.
const MODULE_PATH = /^[A-Za-z0-9][A-Za-z0-9._~+/-]*$/;
const GO_VERSION = /^v\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** The proxy's case-encoding: every upper-case letter becomes "!" and its lower case. */
export function escapeGoPath(path: string): string {
  return path.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
}

function validModulePath(path: string): boolean {
  return MODULE_PATH.test(path) && !path.split('/').some((el) => el === '' || /^\.+$/.test(el)) && !path.endsWith('/');
}

/** Pseudo-versions end in -yyyymmddhhmmss-<12 hex>: the commit time, in UTC. */
export function pseudoVersionTime(version: string): string | null {
  const m = /(?:^v\d+\.\d+\.\d+-|[.-])(?:0\.)?(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})-[0-9a-f]{12}(?:\+incompatible)?$/.exec(version);
  return m ? isoDate(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) : null;
}

function newestFirst(a: string, b: string): number {
  const va = semver.valid(a);
  const vb = semver.valid(b);
  if (va && vb) return semver.rcompare(va, vb);
  return va ? -1 : vb ? 1 : 0;
}

async function versionInfo(base: string, ctx: LookupContext, version: string, what: string): Promise<{ Version: string; Time: string | null } | null> {
  const { endpoint } = ctx;
  try {
    const res = await ctx.http.get(`${base}/${what === 'latest' ? '@latest' : `@v/${escapeGoPath(version)}.info`}`, { policy: endpoint.policy, authorization: endpoint.authorization, authOrigin: new URL(endpoint.url).origin }, ctx.budget);
    const parsed = info.safeParse(parseJson(res.text(), 'the Go proxy .info document'));
    if (!parsed.success) throw new RegistryError('malformed', `malformed Go proxy .info document for ${version || '@latest'}: ${describeIssues(parsed.error.issues)}`);
    return { Version: parsed.data.Version, Time: isoDate(parsed.data.Time) };
  } catch (error) {
    // A listed version whose .info is gone stays undated; the module itself exists.
    if (error instanceof RegistryError && error.kind === 'not-found' && what !== 'latest') return null;
    throw error;
  }
}

export const goClient: RegistryClient = async (name, ctx) => {
  if (name.length > 500 || !validModulePath(name) || name.includes('!')) throw new RegistryError('invalid-name', `"${shownName(name)}" is not a valid Go module path`);
  const { endpoint } = ctx;
  const base = `${endpoint.url}/${escapeGoPath(name)}`;
  const res = await ctx.http.get(`${base}/@v/list`, { policy: endpoint.policy, authorization: endpoint.authorization, authOrigin: new URL(endpoint.url).origin }, ctx.budget, 'text/plain');
  const lines = res.text().split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const bad = lines.find((l) => !GO_VERSION.test(l));
  if (bad !== undefined) throw new RegistryError('malformed', `malformed Go proxy version list: "${bad.slice(0, 60)}" is not a version`);
  const versions = [...new Set(lines)].sort(newestFirst);
  if (versions.length === 0) {
    const latest = await versionInfo(base, ctx, '', 'latest');
    if (!latest) throw new RegistryError('not-found', 'not found in registry: the module has no versions');
    return [{ version: latest.Version, publishedAt: latest.Time ?? pseudoVersionTime(latest.Version), yanked: false, deprecated: false }];
  }
  const known = new Map((ctx.previous ?? []).filter((r) => r.publishedAt).map((r) => [r.version, r.publishedAt]));
  const dates = new Map<string, string | null>();
  const toAsk: string[] = [];
  versions.forEach((version, index) => {
    const date = known.get(version) ?? pseudoVersionTime(version);
    if (date) dates.set(version, date);
    else if (index < endpoint.maxVersionDates) toAsk.push(version);
  });
  const answers = await Promise.all(toAsk.map((version) => versionInfo(base, ctx, version, 'info')));
  toAsk.forEach((version, i) => dates.set(version, answers[i]?.Time ?? null));
  const releases: PackageRelease[] = versions.map((version) => ({ version, publishedAt: dates.get(version) ?? null, yanked: false, deprecated: false }));
  return byPublication(releases);
};
