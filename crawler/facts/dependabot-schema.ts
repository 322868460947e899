// The maintained JSON Schema of dependabot.yml: SchemaStore's dependabot-2.0.json, which the editors
// and Dependabot's own validators use. No npm package ships the schema itself (the @schemastore types
// are generated from it), so the file is taken from SchemaStore's repository at a pinned commit and
// checked against a pinned sha512 before it is cached, the way Renovate's schema is pinned by release.
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SchemaFact } from '../../checks/contract.ts';
import { Budget, type HostPolicy, type RegistryHttp } from '../registries/http.ts';
import { RegistryError } from '../registries/types.ts';
import { parseJsonSchema, readCacheFile } from './schema-file.ts';

/**
 * Bump together: a SchemaStore commit and the sha512 of src/schemas/json/dependabot-2.0.json at it
 * (`git show <commit>:src/schemas/json/dependabot-2.0.json | openssl dgst -sha512 -binary | base64`).
 */
export const DEPENDABOT_SCHEMA_COMMIT = '3b6446ad8a077bac56f4a4796c0b7fd88927fc8e';
export const DEPENDABOT_SCHEMA_INTEGRITY = 'sha512-Zs/fpE6bLePpeMMjKPKu69A8nVx4N0CjwSGETRM2eFdYxr675yv8EjYgVhSwPrZqtzbcbaFIfSkF7vTXQ0p1hg==';
export const DEPENDABOT_SCHEMA_URL = `https://raw.githubusercontent.com/SchemaStore/schemastore/${DEPENDABOT_SCHEMA_COMMIT}/src/schemas/json/dependabot-2.0.json`;
export const DEPENDABOT_SCHEMA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '.cache', 'dependabot-schema');

export interface DependabotSchemaSource {
  /** Shown with every schema finding, and the cache file's name. */
  version: string;
  url: string;
  /** sha512 Subresource Integrity the file must match, or undefined to accept any (tests only). */
  integrity?: string;
  cacheDir: string;
}

export const DEFAULT_DEPENDABOT_SCHEMA: DependabotSchemaSource = {
  version: `SchemaStore ${DEPENDABOT_SCHEMA_COMMIT.slice(0, 12)}`,
  url: DEPENDABOT_SCHEMA_URL,
  integrity: DEPENDABOT_SCHEMA_INTEGRITY,
  cacheDir: DEPENDABOT_SCHEMA_DIR,
};

export class DependabotSchemaError extends Error {}

export function cachedDependabotSchemaPath(source: DependabotSchemaSource): string {
  return path.join(source.cacheDir, `${source.version.replace(/[^\w.-]+/g, '-')}.json`);
}

const schemaError = (message: string) => new DependabotSchemaError(message);

function checked(text: string, source: DependabotSchemaSource, where: string): object {
  if (source.integrity) {
    const actual = `sha512-${createHash('sha512').update(text).digest('base64')}`;
    if (actual !== source.integrity) throw schemaError(`integrity mismatch: ${where} does not match the sha512 pinned in Seaworthy`);
  }
  return parseJsonSchema(text, where, schemaError);
}

export function readCachedDependabotSchema(source: DependabotSchemaSource): object | undefined {
  const text = readCacheFile(cachedDependabotSchemaPath(source), schemaError);
  return text === undefined ? undefined : checked(text, source, `the cached schema ${cachedDependabotSchemaPath(source)}`);
}

export interface FetchDependabotSchemaOptions {
  http: RegistryHttp;
  policy: HostPolicy;
  totalBudgetMs: number;
}

export async function fetchDependabotSchema(source: DependabotSchemaSource, options: FetchDependabotSchemaOptions): Promise<object> {
  const response = await options.http.get(source.url, { policy: options.policy }, new Budget(options.totalBudgetMs));
  const text = response.text();
  const schema = checked(text, source, `the Dependabot schema at ${source.url}`);
  mkdirSync(source.cacheDir, { recursive: true });
  const tmp = `${cachedDependabotSchemaPath(source)}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, cachedDependabotSchemaPath(source));
  return schema;
}

/** Never throws: the schema, or why Dependabot validation is skipped. */
export async function loadDependabotSchema(source: DependabotSchemaSource, options: FetchDependabotSchemaOptions & { offline: boolean; allowFetch: boolean }): Promise<SchemaFact> {
  try {
    const cached = readCachedDependabotSchema(source);
    if (cached) return { status: 'available', schema: cached, version: source.version };
  } catch (error) {
    if (!(error instanceof DependabotSchemaError)) throw error;
    if (options.offline || !options.allowFetch) return { status: 'skipped', reason: `the Dependabot schema could not be used: ${error.message}` };
  }
  const hint = '(run "npm run fetch:dependabot-schema" once with network access)';
  if (options.offline) return { status: 'skipped', reason: `offline: the Dependabot schema (${source.version}) is not in the local cache ${hint}` };
  if (!options.allowFetch) return { status: 'skipped', reason: `the Dependabot schema (${source.version}) is not in the local cache ${hint}` };
  try {
    return { status: 'available', schema: await fetchDependabotSchema(source, options), version: source.version };
  } catch (error) {
    if (error instanceof DependabotSchemaError || error instanceof RegistryError) return { status: 'skipped', reason: `the Dependabot schema (${source.version}) could not be fetched: ${error.message}` };
    return { status: 'skipped', reason: `the Dependabot schema (${source.version}) could not be fetched: ${error instanceof Error ? error.message : String(error)}` };
  }
}
