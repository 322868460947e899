// crates.io (https://crates.io/data-access): /api/v1/crates/<name>. Its crawler policy asks for a
// User-Agent that names the tool and at most one request per second, which the host policy enforces.
import { z } from 'zod';
import { RegistryError, byPublication, describeIssues, isoDate, parseJson, type RegistryClient } from './types.ts';

const crate = z.object({
  versions: z.array(z.object({ num: z.string().min(1), created_at: z.string(), yanked: z.boolean() })),
});

const CRATE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

export const cargoClient: RegistryClient = async (name, ctx) => {
  if (!CRATE_NAME.test(name)) throw new RegistryError('invalid-name', `"${name}" is not a valid crate name`);
  const { endpoint } = ctx;
  const res = await ctx.http.get(`${endpoint.url}/api/v1/crates/${encodeURIComponent(name)}`, { policy: endpoint.policy, authorization: endpoint.authorization, authOrigin: new URL(endpoint.url).origin }, ctx.budget);
  const parsed = crate.safeParse(parseJson(res.text(), 'the crates.io document'));
  if (!parsed.success) throw new RegistryError('malformed', `malformed crates.io document: ${describeIssues(parsed.error.issues)}`);
  return byPublication(parsed.data.versions.map((v) => ({ version: v.num, publishedAt: isoDate(v.created_at), yanked: v.yanked, deprecated: false })));
};
