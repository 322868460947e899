// RubyGems (https://guides.rubygems.org/rubygems-org-api/): /api/v1/versions/<name>.json lists one entry
// per version and platform; yanked versions are left out by the registry itself.
import { z } from 'zod';
import type { PackageRelease } from '../../checks/contract.ts';
import { RegistryError, byPublication, describeIssues, isoDate, parseJson, type RegistryClient, shownName } from './types.ts';

const versions = z.array(z.object({ number: z.string().min(1), created_at: z.string(), platform: z.string().optional() }));

const GEM_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export const rubygemsClient: RegistryClient = async (name, ctx) => {
  if (name.length > 100 || !GEM_NAME.test(name)) throw new RegistryError('invalid-name', `"${shownName(name)}" is not a valid gem name`);
  const { endpoint } = ctx;
  const res = await ctx.http.get(`${endpoint.url}/api/v1/versions/${encodeURIComponent(name)}.json`, { policy: endpoint.policy, authorization: endpoint.authorization, authOrigin: new URL(endpoint.url).origin }, ctx.budget);
  const parsed = versions.safeParse(parseJson(res.text(), 'the RubyGems versions document'));
  if (!parsed.success) throw new RegistryError('malformed', `malformed RubyGems versions document: ${describeIssues(parsed.error.issues)}`);
  // Platform builds (x86_64-linux, java…) of one version count once, at their first upload.
  const byVersion = new Map<string, PackageRelease>();
  for (const entry of parsed.data) {
    const publishedAt = isoDate(entry.created_at);
    const seen = byVersion.get(entry.number);
    if (!seen || (publishedAt && (!seen.publishedAt || publishedAt < seen.publishedAt))) byVersion.set(entry.number, { version: entry.number, publishedAt, yanked: false, deprecated: false });
  }
  return byPublication([...byVersion.values()]);
};
