// npm run fetch:dependabot-schema: puts the maintained dependabot.yml schema (SchemaStore's, at the pinned
// commit, sha512-checked) in .cache/dependabot-schema/ so crawls and tests can validate Dependabot
// configurations. Without network it warns and exits 0: the crawl then reports validation as skipped.
import { RegistryHttp } from '../crawler/registries/http.ts';
import { DEFAULT_USER_AGENT } from '../crawler/facts/provider.ts';
import { DEFAULT_DEPENDABOT_SCHEMA, cachedDependabotSchemaPath, fetchDependabotSchema, readCachedDependabotSchema } from '../crawler/facts/dependabot-schema.ts';

const source = { ...DEFAULT_DEPENDABOT_SCHEMA, cacheDir: process.env.SEAWORTHY_DEPENDABOT_SCHEMA_DIR ?? DEFAULT_DEPENDABOT_SCHEMA.cacheDir };

try {
  if (readCachedDependabotSchema(source)) {
    process.stdout.write(`dependabot-schema: ${cachedDependabotSchemaPath(source)} is already there\n`);
  } else {
    const http = new RegistryHttp({ userAgent: DEFAULT_USER_AGENT });
    await fetchDependabotSchema(source, { http, policy: { concurrency: 1, minIntervalMs: 0, timeoutMs: 30_000, retries: 1 }, totalBudgetMs: 60_000 });
    process.stdout.write(`dependabot-schema: fetched ${source.version} into ${cachedDependabotSchemaPath(source)}\n`);
  }
} catch (error) {
  process.stderr.write(`dependabot-schema: warning: could not fetch the Dependabot schema (${source.version}): ${error instanceof Error ? error.message : String(error)}\n` + 'dependabot-schema: crawls will report Dependabot schema validation as skipped until this succeeds.\n');
}
