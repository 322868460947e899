// The crawler's FactProvider: release histories from package registries through one SQLite cache
// shared by every repository and run, and Renovate's schema from the pinned release.
//
// A lookup is answered, in order, by: a lookup of the same package already in flight (joined, so
// two repositories asking at once cause one request); the cache, while younger than its time-to-live
// (any age with `offline`); the registry. A registry that fails leaves the package undated with the
// reason, unless an older cached answer exists, which is then used as it is (its fetchedAt says how
// old). Failures are remembered for the rest of the crawl, so a failing host is not asked again for
// the same package by every repository.
import type { Ecosystem, PackageLookup, PackageRef, SchemaFact } from '../../checks/contract.ts';
import { packageKey } from '../../checks/contract.ts';
import type { Db } from '../../data/db.ts';
import type { SeaworthyConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import { Budget, RegistryHttp } from '../registries/http.ts';
import { CLIENTS, canonicalName } from '../registries/index.ts';
import { RegistryError, type Endpoint } from '../registries/types.ts';
import { TOOL_VERSION } from '../version.ts';
import { RegistryCache } from './cache.ts';
import { MirrorWatch } from './mirror-dates.ts';
import { DEFAULT_DEPENDABOT_SCHEMA, loadDependabotSchema, type DependabotSchemaSource } from './dependabot-schema.ts';
import { RENOVATE_INTEGRITY, RENOVATE_SCHEMA_DIR, RENOVATE_VERSION, loadRenovateSchema, type RenovateSchemaSource } from './renovate-schema.ts';
import type { FactProvider, FactStats } from './types.ts';

type RegistriesConfig = SeaworthyConfig['registries'];
type EndpointSettings = RegistriesConfig['npm'] & { maxVersionDates?: number; minIntervalMs?: number };

export interface RegistryFactsOptions {
  registries: RegistriesConfig;
  db: Db;
  logger?: Logger;
  /** Where tokens named by `tokenEnv` are read (default: process.env). */
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  /** The clock for cache ages (tests move it). */
  clock?: () => Date;
  renovate?: Partial<RenovateSchemaSource> & { allowFetch?: boolean };
  /** false: use release dates as registries give them, even when they look rewritten by a mirror. */
  mirrorCheck?: boolean;
  dependabot?: Partial<DependabotSchemaSource> & { allowFetch?: boolean };
}

/** Cached histories per ecosystem that seed the mirror check of a host at the first lookup of a crawl. */
const MIRROR_SEED_PACKAGES = 2000;

const REGISTRY_ECOSYSTEMS = ['npm', 'pypi', 'go', 'cargo', 'rubygems', 'terraform-provider'] as const satisfies readonly Ecosystem[];

export const DEFAULT_USER_AGENT = `seaworthy/${TOOL_VERSION} (production-readiness scorecards; dependency freshness)`;

function authorizationFor(settings: EndpointSettings, env: NodeJS.ProcessEnv): string | undefined {
  if (!settings.tokenEnv) return undefined;
  const token = env[settings.tokenEnv];
  if (!token) return undefined;
  return settings.authScheme === 'basic' ? `Basic ${Buffer.from(token).toString('base64')}` : `Bearer ${token}`;
}

export function createRegistryFacts(options: RegistryFactsOptions): FactProvider & { stats(): FactStats } {
  const { registries, logger } = options;
  const env = options.env ?? process.env;
  const clock = options.clock ?? (() => new Date());
  const cache = new RegistryCache(options.db);
  const warnedHosts = new Set<string>();
  const http = new RegistryHttp({
    userAgent: registries.userAgent ?? DEFAULT_USER_AGENT,
    fetch: options.fetch,
    loopbackOnly: env.SEAWORTHY_LOOPBACK_ONLY === '1',
    onHostFailure(origin, message) {
      if (warnedHosts.has(origin)) return;
      warnedHosts.add(origin);
      logger?.warn('package registry failing; its packages are reported undated unless cached', { host: new URL(origin).host, reason: message });
    },
    onCircuitOpen(origin, reason) {
      logger?.warn('package registry unreachable: not asked again during this crawl; its packages are undated unless cached', { host: new URL(origin).host, reason });
    },
  });

  const endpoints = new Map<Ecosystem, Endpoint & { ttlHours: number; totalBudgetMs: number }>();
  for (const ecosystem of REGISTRY_ECOSYSTEMS) {
    const settings = registries[ecosystem] as EndpointSettings;
    if (settings.tokenEnv && !env[settings.tokenEnv]) {
      logger?.warn('registry token variable is not set; asking without credentials', { registry: ecosystem, variable: settings.tokenEnv });
    }
    endpoints.set(ecosystem, {
      url: settings.url.replace(/\/+$/, ''),
      authorization: authorizationFor(settings, env),
      policy: {
        concurrency: settings.concurrencyPerHost ?? registries.concurrencyPerHost,
        minIntervalMs: settings.minIntervalMs ?? 0,
        timeoutMs: settings.timeoutMs ?? registries.timeoutMs,
        retries: registries.retries,
      },
      maxVersionDates: settings.maxVersionDates ?? 0,
      ttlHours: settings.ttlHours ?? registries.ttlHours,
      totalBudgetMs: settings.totalBudgetMs ?? registries.totalBudgetMs,
    });
  }

  const stats = { lookups: 0, cacheHits: 0, joined: 0, fetched: 0, notFound: 0, undated: 0, staleUsed: 0, rewritten: 0 };
  const inFlight = new Map<string, Promise<PackageLookup>>();
  const failedThisCrawl = new Map<string, PackageLookup>();

  const ageHours = (fetchedAt: string) => (clock().getTime() - Date.parse(fetchedAt)) / 3_600_000;

  async function resolve(ecosystem: Ecosystem, name: string, key: string): Promise<PackageLookup> {
    const endpoint = endpoints.get(ecosystem);
    const client = CLIENTS[ecosystem];
    if (!endpoint || !client) return { status: 'undated', reason: `no registry client for ${ecosystem}` };
    const cached = cache.get(ecosystem, name);
    if (registries.offline) {
      if (cached?.status === 'found') {
        stats.cacheHits++;
        return { status: 'found', releases: cached.releases, fetchedAt: cached.fetchedAt };
      }
      if (cached?.status === 'not-found') {
        stats.cacheHits++;
        return { status: 'undated', reason: cached.reason };
      }
      return { status: 'undated', reason: 'not in the offline cache' };
    }
    if (cached?.status === 'found' && ageHours(cached.fetchedAt) < endpoint.ttlHours) {
      stats.cacheHits++;
      return { status: 'found', releases: cached.releases, fetchedAt: cached.fetchedAt };
    }
    if (cached?.status === 'not-found' && ageHours(cached.fetchedAt) < registries.notFoundTtlHours) {
      stats.cacheHits++;
      return { status: 'undated', reason: cached.reason };
    }
    const remembered = failedThisCrawl.get(key);
    if (remembered) return remembered;
    stats.fetched++;
    const previous = cached?.status === 'found' ? cached.releases : undefined;
    try {
      const releases = await client(name, { http, endpoint, budget: new Budget(endpoint.totalBudgetMs), previous });
      const fetchedAt = clock().toISOString();
      cache.putFound(ecosystem, name, releases, fetchedAt);
      return { status: 'found', releases, fetchedAt };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (error instanceof RegistryError && error.kind === 'not-found') {
        cache.putNotFound(ecosystem, name, reason, clock().toISOString());
        return { status: 'undated', reason };
      }
      if (!(error instanceof RegistryError)) logger?.error('registry lookup failed unexpectedly', { registry: ecosystem, package: name, error: reason });
      if (previous && cached?.status === 'found') {
        stats.staleUsed++;
        return { status: 'found', releases: previous, fetchedAt: cached.fetchedAt };
      }
      const undated: PackageLookup = { status: 'undated', reason: error instanceof RegistryError ? reason : `registry lookup failed: ${reason}` };
      failedThisCrawl.set(key, undated);
      return undated;
    }
  }

  function lookup(ref: PackageRef): Promise<PackageLookup> {
    stats.lookups++;
    const name = canonicalName(ref.ecosystem, ref.name);
    const key = `${ref.ecosystem}:${name}`;
    const pending = inFlight.get(key);
    if (pending) {
      stats.joined++;
      return pending;
    }
    const promise = resolve(ref.ecosystem, name, key)
      .catch((error: unknown): PackageLookup => ({ status: 'undated', reason: `registry lookup failed: ${error instanceof Error ? error.message : String(error)}` }))
      .then((result) => {
        if (result.status === 'undated') {
          if (/^not found in registry/.test(result.reason)) stats.notFound++;
          stats.undated++;
        }
        return result;
      })
      .finally(() => inFlight.delete(key));
    inFlight.set(key, promise);
    return promise;
  }

  const renovateSource: RenovateSchemaSource = {
    version: options.renovate?.version ?? RENOVATE_VERSION,
    expectedIntegrity: options.renovate && 'expectedIntegrity' in options.renovate ? options.renovate.expectedIntegrity : RENOVATE_INTEGRITY,
    cacheDir: options.renovate?.cacheDir ?? RENOVATE_SCHEMA_DIR,
  };
  let schema: Promise<SchemaFact> | undefined;
  const dependabotSource: DependabotSchemaSource = { ...DEFAULT_DEPENDABOT_SCHEMA, ...options.dependabot };
  let dependabotSchema: Promise<SchemaFact> | undefined;

  // Dates a mirror rewrote are not dates: per package, then per host once enough packages say so.
  const mirrors = new MirrorWatch();
  const warnedMirrors = new Set<string>();
  const hostOf = (ecosystem: Ecosystem) => {
    const url = endpoints.get(ecosystem)?.url;
    return url ? new URL(url).host : ecosystem;
  };
  // What earlier crawls cached about a host counts too: a host is judged on everything known of it.
  const seeded = new Set<Ecosystem>();
  const seed = (ecosystem: Ecosystem) => {
    if (seeded.has(ecosystem)) return;
    seeded.add(ecosystem);
    for (const { name, releases } of cache.recent(ecosystem, MIRROR_SEED_PACKAGES)) mirrors.check(hostOf(ecosystem), `${ecosystem}:${name}`, releases);
  };
  function distrusted(answers: (readonly [string, PackageRef, PackageLookup])[]): [string, PackageLookup][] {
    if (options.mirrorCheck === false) return answers.map(([key, , answer]) => [key, answer]);
    for (const [, ref, answer] of answers) if (answer.status === 'found') seed(ref.ecosystem);
    const own = new Map<string, string | undefined>();
    for (const [key, ref, answer] of answers) if (answer.status === 'found') own.set(key, mirrors.check(hostOf(ref.ecosystem), `${ref.ecosystem}:${canonicalName(ref.ecosystem, ref.name)}`, answer.releases));
    return answers.map(([key, ref, answer]) => {
      if (answer.status !== 'found') return [key, answer];
      const host = hostOf(ref.ecosystem);
      const why = mirrors.hostVerdict(host) ?? own.get(key);
      if (!why) return [key, answer];
      if (!warnedMirrors.has(host) && mirrors.hostVerdict(host)) {
        warnedMirrors.add(host);
        logger?.warn('package registry dates look rewritten by a mirror: its release dates are not used', { host, reason: why });
      }
      stats.rewritten++;
      return [key, { status: 'undated', reason: `release dates look rewritten by a mirror (${why})` }];
    });
  }

  return {
    async packages(refs) {
      const distinct = new Map(refs.map((ref) => [packageKey(ref), ref]));
      const answers = await Promise.all([...distinct].map(async ([key, ref]) => [key, ref, await lookup(ref)] as const));
      return new Map(distrusted(answers));
    },
    renovateSchema() {
      const npm = endpoints.get('npm')!;
      schema ??= loadRenovateSchema(renovateSource, {
        http,
        npmUrl: npm.url,
        authorization: npm.authorization,
        policy: npm.policy,
        totalBudgetMs: npm.totalBudgetMs,
        offline: registries.offline,
        allowFetch: options.renovate?.allowFetch ?? true,
      }).catch((error: unknown): SchemaFact => ({ status: 'skipped', reason: `Renovate's schema could not be loaded: ${error instanceof Error ? error.message : String(error)}` }));
      return schema;
    },
    dependabotSchema() {
      const npm = endpoints.get('npm')!;
      dependabotSchema ??= loadDependabotSchema(dependabotSource, {
        http,
        policy: npm.policy,
        totalBudgetMs: npm.totalBudgetMs,
        offline: registries.offline,
        allowFetch: options.dependabot?.allowFetch ?? true,
      }).catch((error: unknown): SchemaFact => ({ status: 'skipped', reason: `the Dependabot schema could not be loaded: ${error instanceof Error ? error.message : String(error)}` }));
      return dependabotSchema;
    },
    stats() {
      const requests = http.requestCounts();
      return {
        ...stats,
        requests: Object.values(requests).reduce((a, b) => a + b, 0),
        requestsByHost: Object.fromEntries(Object.entries(requests).map(([origin, n]) => [new URL(origin).host, n])),
        openCircuits: http.openCircuits().map((c) => ({ host: new URL(c.origin).host, reason: c.reason })),
        rewrittenDates: mirrors.suspectHosts(),
      };
    },
  };
}
