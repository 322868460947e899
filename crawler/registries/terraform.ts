// Terraform providers. The provider registry protocol
// (https://developer.hashicorp.com/terraform/internals/provider-registry-protocol), which every
// registry and mirror serves, lists versions without dates: /v1/providers/<ns>/<type>/versions,
// under the base path that /.well-known/terraform.json names. Dates come from the public registry's
// v2 API in one request (/v2/providers/<ns>/<type>?include=provider-versions, attribute
// `published-at`). Where that API is missing (mirrors, private registries), each of the newest
// `maxVersionDates` versions without a known date is asked for at /v1/providers/<ns>/<type>/<version>
// (`published_at`); dates of the previous cached answer are reused, older versions stay undated.
import semver from 'semver';
import { z } from 'zod';
import type { PackageRelease } from '../../checks/contract.ts';
import type { RegistryHttp } from './http.ts';
import { RegistryError, byPublication, describeIssues, isoDate, parseJson, type LookupContext, type RegistryClient, shownName } from './types.ts';

const discovery = z.object({ 'providers.v1': z.string().min(1) });
const versionList = z.object({ versions: z.array(z.object({ version: z.string().min(1) })) });
const v2Provider = z.object({
  included: z.array(z.object({ type: z.string(), attributes: z.object({ version: z.string(), 'published-at': z.string().nullish() }) })).default([]),
});
const v1Version = z.object({ published_at: z.string().nullish() });

const PART = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const discovered = new WeakMap<RegistryHttp, Map<string, Promise<string>>>();

function request(ctx: LookupContext) {
  return { policy: ctx.endpoint.policy, authorization: ctx.endpoint.authorization, authOrigin: new URL(ctx.endpoint.url).origin };
}

/** The providers.v1 base URL of the registry, asked once per crawl. */
function providersBase(ctx: LookupContext): Promise<string> {
  let perHttp = discovered.get(ctx.http);
  if (!perHttp) discovered.set(ctx.http, (perHttp = new Map()));
  const url = ctx.endpoint.url;
  let pending = perHttp.get(url);
  if (!pending) {
    pending = (async () => {
      try {
        const res = await ctx.http.get(`${url}/.well-known/terraform.json`, request(ctx), ctx.budget);
        const parsed = discovery.safeParse(parseJson(res.text(), 'the Terraform service discovery document'));
        if (!parsed.success) throw new RegistryError('malformed', `malformed Terraform service discovery document: ${describeIssues(parsed.error.issues)}`);
        return new URL(parsed.data['providers.v1'], `${url}/`).href.replace(/\/?$/, '/');
      } catch (error) {
        // Without discovery, the public registry's layout is the convention mirrors follow.
        if (error instanceof RegistryError && error.kind === 'not-found') return `${url}/v1/providers/`;
        throw error;
      }
    })();
    perHttp.set(url, pending);
    // A failed discovery is not remembered: the next lookup may find the host back.
    pending.catch(() => perHttp.delete(url));
  }
  return pending;
}

function newestFirst(a: string, b: string): number {
  const va = semver.valid(a);
  const vb = semver.valid(b);
  if (va && vb) return semver.rcompare(va, vb);
  return va ? -1 : vb ? 1 : 0;
}

async function v2Dates(ctx: LookupContext, ns: string, type: string): Promise<Map<string, string | null> | undefined> {
  try {
    const res = await ctx.http.get(`${ctx.endpoint.url}/v2/providers/${ns}/${type}?include=provider-versions`, request(ctx), ctx.budget, 'application/vnd.api+json, application/json');
    const parsed = v2Provider.safeParse(parseJson(res.text(), 'the Terraform registry v2 provider document'));
    if (!parsed.success) throw new RegistryError('malformed', `malformed Terraform registry v2 provider document: ${describeIssues(parsed.error.issues)}`);
    return new Map(parsed.data.included.filter((i) => i.type === 'provider-versions').map((i) => [i.attributes.version, isoDate(i.attributes['published-at'])]));
  } catch (error) {
    if (error instanceof RegistryError && error.kind === 'not-found') return undefined;
    throw error;
  }
}

async function v1Date(ctx: LookupContext, base: string, version: string): Promise<string | null> {
  try {
    const res = await ctx.http.get(`${base}${encodeURIComponent(version)}`, request(ctx), ctx.budget);
    const parsed = v1Version.safeParse(parseJson(res.text(), 'the Terraform provider version document'));
    if (!parsed.success) throw new RegistryError('malformed', `malformed Terraform provider version document for ${version}: ${describeIssues(parsed.error.issues)}`);
    return isoDate(parsed.data.published_at);
  } catch (error) {
    // Protocol-only mirrors have no per-version document: the version stays undated.
    if (error instanceof RegistryError && error.kind === 'not-found') return null;
    throw error;
  }
}

export const terraformProviderClient: RegistryClient = async (name, ctx) => {
  // "hashicorp/aws", or with the public registry's host in front as lock files write it.
  const parts = name.split('/');
  if (parts.length === 3 && parts[0] === 'registry.terraform.io') parts.shift();
  if (name.length > 129 || parts.length !== 2 || !parts.every((p) => PART.test(p))) throw new RegistryError('invalid-name', `"${shownName(name)}" is not a Terraform provider address of the form namespace/type`);
  const [ns, type] = parts.map((p) => p.toLowerCase()) as [string, string];
  const base = await providersBase(ctx);
  const res = await ctx.http.get(`${base}${ns}/${type}/versions`, request(ctx), ctx.budget);
  const parsed = versionList.safeParse(parseJson(res.text(), 'the Terraform provider versions document'));
  if (!parsed.success) throw new RegistryError('malformed', `malformed Terraform provider versions document: ${describeIssues(parsed.error.issues)}`);
  const versions = [...new Set(parsed.data.versions.map((v) => v.version))].sort(newestFirst);
  let dates = base === `${ctx.endpoint.url}/v1/providers/` ? await v2Dates(ctx, ns, type) : undefined;
  if (!dates) {
    dates = new Map((ctx.previous ?? []).filter((r) => r.publishedAt).map((r) => [r.version, r.publishedAt]));
    const toAsk = versions.slice(0, ctx.endpoint.maxVersionDates).filter((v) => !dates!.get(v));
    const answers = await Promise.all(toAsk.map((v) => v1Date(ctx, `${base}${ns}/${type}/`, v)));
    toAsk.forEach((v, i) => dates!.set(v, answers[i] ?? null));
  }
  const releases: PackageRelease[] = versions.map((version) => ({ version, publishedAt: dates.get(version) ?? null, yanked: false, deprecated: false }));
  return byPublication(releases);
};
