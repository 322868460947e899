// crates.io (https://crates.io/data-access): /api/v1/crates/<name>/versions lists every version with
// `num`, `created_at` and `yanked`. Without `per_page` it answers with all of them at once today; it
// also speaks seek pagination (`meta.next_page`, a query string), which is followed when present, so
// a server that starts paginating by default costs more requests, not versions. Its crawler policy
// asks for a User-Agent that names the tool (and a contact) and at most one request per second, which
// the host policy enforces for every page.
import { z } from 'zod';
import type { PackageRelease } from '../../checks/contract.ts';
import { RegistryError, byPublication, describeIssues, isoDate, parseJson, type RegistryClient, shownName } from './types.ts';

const page = z.object({
  versions: z.array(z.object({ num: z.string().min(1), created_at: z.string(), yanked: z.boolean() })),
  meta: z.object({ next_page: z.string().nullish() }).partial().nullish(),
});

const CRATE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
/** A crate with more pages than this is treated as a misbehaving server. */
const MAX_PAGES = 50;

export const cargoClient: RegistryClient = async (name, ctx) => {
  if (!CRATE_NAME.test(name)) throw new RegistryError('invalid-name', `"${shownName(name)}" is not a valid crate name`);
  const { endpoint } = ctx;
  const first = `${endpoint.url}/api/v1/crates/${encodeURIComponent(name)}/versions`;
  const origin = new URL(endpoint.url).origin;
  const byVersion = new Map<string, PackageRelease>();
  let url: string | undefined = first;
  for (let pages = 1; url; pages++) {
    if (pages > MAX_PAGES) throw new RegistryError('malformed', `crates.io kept paginating the versions of ${name} past ${MAX_PAGES} pages`);
    const res = await ctx.http.get(url, { policy: endpoint.policy, authorization: endpoint.authorization, authOrigin: origin }, ctx.budget);
    const parsed = page.safeParse(parseJson(res.text(), 'the crates.io versions document'));
    if (!parsed.success) throw new RegistryError('malformed', `malformed crates.io versions document: ${describeIssues(parsed.error.issues)}`);
    for (const v of parsed.data.versions) if (!byVersion.has(v.num)) byVersion.set(v.num, { version: v.num, publishedAt: isoDate(v.created_at), yanked: v.yanked, deprecated: false });
    const next = parsed.data.meta?.next_page;
    url = undefined;
    if (next) {
      const resolved = new URL(next, first);
      // The cursor is a query on the same resource; anything else is not followed.
      if (resolved.origin !== origin || resolved.pathname !== new URL(first).pathname) throw new RegistryError('malformed', `crates.io pointed the next page of ${name} elsewhere (${next.slice(0, 80)})`);
      url = resolved.href;
    }
  }
  return byPublication([...byVersion.values()]);
};
