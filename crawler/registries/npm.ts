// npm registry: the full package document (https://github.com/npm/registry/blob/main/docs/REGISTRY-API.md).
// The abbreviated "corgi" document has no `time` field, so the full one is asked for.
import { z } from 'zod';
import type { PackageRelease } from '../../checks/contract.ts';
import { RegistryError, byPublication, describeIssues, isoDate, parseJson, type RegistryClient, shownName } from './types.ts';

const packument = z.object({
  versions: z.record(z.string(), z.object({ deprecated: z.union([z.string(), z.boolean()]).optional() })).optional(),
  // Holds `created`, `modified`, one date per version, and `unpublished` (an object) for removed packages.
  time: z.record(z.string(), z.unknown()).optional(),
});

const NPM_NAME = /^(?:@[a-z0-9][\w.~-]*\/)?[a-z0-9_][\w.~-]*$/i;

/** `@scope/name` travels as `@scope%2Fname`, as the npm CLI sends it. */
export function npmPath(name: string): string {
  return name.startsWith('@') ? `@${encodeURIComponent(name.slice(1))}` : encodeURIComponent(name);
}

export const npmClient: RegistryClient = async (name, ctx) => {
  if (!NPM_NAME.test(name) || name.length > 214) throw new RegistryError('invalid-name', `"${shownName(name)}" is not a valid npm package name`);
  const { endpoint } = ctx;
  const res = await ctx.http.get(`${endpoint.url}/${npmPath(name)}`, { policy: endpoint.policy, authorization: endpoint.authorization, authOrigin: new URL(endpoint.url).origin }, ctx.budget);
  const parsed = packument.safeParse(parseJson(res.text(), 'the npm package document'));
  if (!parsed.success) throw new RegistryError('malformed', `malformed npm package document: ${describeIssues(parsed.error.issues)}`);
  const { versions, time = {} } = parsed.data;
  if (!versions) {
    if (time.unpublished) throw new RegistryError('not-found', 'not found in registry: the package was unpublished');
    throw new RegistryError('malformed', 'malformed npm package document: it lists no versions');
  }
  const releases: PackageRelease[] = Object.entries(versions).map(([version, manifest]) => ({
    version,
    publishedAt: typeof time[version] === 'string' ? isoDate(time[version]) : null,
    // npm has no yanking: an unpublished version disappears from `versions`.
    yanked: false,
    deprecated: manifest.deprecated === true || (typeof manifest.deprecated === 'string' && manifest.deprecated.trim() !== ''),
  }));
  return byPublication(releases);
};
