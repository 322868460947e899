// npm run fetch:renovate-schema: puts Renovate's JSON schema (pinned release, integrity-checked) in
// .cache/renovate-schema/ so crawls and tests can validate Renovate configurations. Without network
// it warns and exits 0: the crawl then reports schema validation as skipped.
import { RegistryHttp } from '../crawler/registries/http.ts';
import { DEFAULT_USER_AGENT } from '../crawler/facts/provider.ts';
import { RENOVATE_INTEGRITY, RENOVATE_SCHEMA_DIR, RENOVATE_VERSION, cachedSchemaPath, fetchRenovateSchema, readCachedSchema } from '../crawler/facts/renovate-schema.ts';

const source = { version: RENOVATE_VERSION, expectedIntegrity: RENOVATE_INTEGRITY, cacheDir: process.env.SEAWORTHY_RENOVATE_SCHEMA_DIR ?? RENOVATE_SCHEMA_DIR };
// Under `npm run`, npm passes its configured registry along.
const npmUrl = (process.env.npm_config_registry ?? 'https://registry.npmjs.org').replace(/\/+$/, '');

try {
  if (readCachedSchema(source)) {
    process.stdout.write(`renovate-schema: ${cachedSchemaPath(source)} is already there\n`);
  } else {
    const http = new RegistryHttp({ userAgent: DEFAULT_USER_AGENT });
    await fetchRenovateSchema(source, { http, npmUrl, policy: { concurrency: 2, minIntervalMs: 0, timeoutMs: 60_000, retries: 2 }, totalBudgetMs: 180_000 });
    process.stdout.write(`renovate-schema: fetched Renovate ${RENOVATE_VERSION}'s schema into ${cachedSchemaPath(source)}\n`);
  }
} catch (error) {
  process.stderr.write(`renovate-schema: warning: could not fetch Renovate ${RENOVATE_VERSION}'s schema from ${npmUrl}: ${error instanceof Error ? error.message : String(error)}\n` + 'renovate-schema: crawls will report Renovate schema validation as skipped until this succeeds.\n');
}
