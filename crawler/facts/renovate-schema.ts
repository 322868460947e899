// Renovate's own JSON schema, from the pinned Renovate release's npm tarball: the version document
// gives the tarball and its integrity, the tarball is checked against it (sha512) and against the
// integrity pinned here, and only package/renovate-schema.json is taken out and cached on disk.
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import type { SchemaFact } from '../../checks/contract.ts';
import { Budget, type HostPolicy, type RegistryHttp } from '../registries/http.ts';
import { npmPath } from '../registries/npm.ts';
import { extractTarFile } from '../registries/tar.ts';
import { RegistryError, describeIssues, parseJson } from '../registries/types.ts';
import { parseJsonSchema, readCacheFile } from './schema-file.ts';

/** Bump together: `npm view renovate@<version> dist.integrity`. */
export const RENOVATE_VERSION = '44.121.2';
export const RENOVATE_INTEGRITY = 'sha512-gNsY+POw2UN3B4e8x0B5UK3onH1qF7wMirKGaUnJcSx3+xEWH4n35RS4rvVEtTIIV/BoZoFbsIo7njTb9Mydxg==';
export const RENOVATE_SCHEMA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '.cache', 'renovate-schema');
const SCHEMA_PATH = 'package/renovate-schema.json';

const versionDocument = z.object({ dist: z.object({ tarball: z.string().regex(/^https?:\/\//, 'must be an http(s) URL'), integrity: z.string().min(1) }) });

export interface RenovateSchemaSource {
  version: string;
  /** When set, the registry's integrity must equal it (a mirror cannot swap the release). */
  expectedIntegrity?: string;
  cacheDir: string;
}

export class SchemaError extends Error {}

export function cachedSchemaPath(source: RenovateSchemaSource): string {
  return path.join(source.cacheDir, `${source.version}.json`);
}

const schemaError = (message: string) => new SchemaError(message);

function asSchema(text: string, where: string): object {
  return parseJsonSchema(text, where, schemaError);
}

/** The cached schema, or undefined when there is none; a damaged file says so. */
export function readCachedSchema(source: RenovateSchemaSource): object | undefined {
  const text = readCacheFile(cachedSchemaPath(source), schemaError);
  return text === undefined ? undefined : asSchema(text, `the cached schema ${cachedSchemaPath(source)}`);
}

/** sha512 from a Subresource Integrity string ("sha512-<base64>", possibly several, space separated). */
function sha512Of(integrity: string): string | undefined {
  return integrity.split(/\s+/).find((part) => part.startsWith('sha512-'))?.slice('sha512-'.length).replace(/\?.*$/, '');
}

export interface FetchSchemaOptions {
  http: RegistryHttp;
  npmUrl: string;
  authorization?: string;
  policy: HostPolicy;
  totalBudgetMs: number;
}

/** Downloads, verifies and extracts the schema, and writes it to the cache. Throws SchemaError or RegistryError. */
export async function fetchRenovateSchema(source: RenovateSchemaSource, options: FetchSchemaOptions): Promise<object> {
  const budget = new Budget(options.totalBudgetMs);
  const origin = new URL(options.npmUrl).origin;
  const target = { policy: options.policy, authorization: options.authorization, authOrigin: origin };
  const doc = await options.http.get(`${options.npmUrl}/${npmPath('renovate')}/${encodeURIComponent(source.version)}`, target, budget);
  const parsed = versionDocument.safeParse(parseJson(doc.text(), `the npm document of renovate@${source.version}`));
  if (!parsed.success) throw new SchemaError(`malformed npm document for renovate@${source.version}: ${describeIssues(parsed.error.issues)}`);
  const { tarball, integrity } = parsed.data.dist;
  const expected = sha512Of(integrity);
  if (!expected) throw new SchemaError(`the registry gives no sha512 integrity for renovate@${source.version}`);
  if (source.expectedIntegrity && sha512Of(source.expectedIntegrity) !== expected) {
    throw new SchemaError(`integrity mismatch: the registry's integrity for renovate@${source.version} differs from the one pinned in Seaworthy`);
  }
  const archive = await options.http.get(tarball, target, budget, 'application/octet-stream');
  const actual = createHash('sha512').update(archive.body).digest('base64');
  if (actual !== expected) throw new SchemaError(`integrity mismatch: the tarball of renovate@${source.version} does not match its published sha512`);
  let file: Buffer | undefined;
  try {
    file = extractTarFile(gunzipSync(archive.body), SCHEMA_PATH);
  } catch (error) {
    throw new SchemaError(`the tarball of renovate@${source.version} cannot be read: ${(error as Error).message}`);
  }
  if (!file) throw new SchemaError(`the tarball of renovate@${source.version} has no ${SCHEMA_PATH}`);
  const text = file.toString('utf8');
  const schema = asSchema(text, `${SCHEMA_PATH} of renovate@${source.version}`);
  mkdirSync(source.cacheDir, { recursive: true });
  // Written aside and renamed, so a crawl never reads half a file.
  const tmp = `${cachedSchemaPath(source)}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, cachedSchemaPath(source));
  return schema;
}

export interface LoadSchemaOptions extends FetchSchemaOptions {
  offline: boolean;
  /** false: the cache alone (the demo, which must stay offline). */
  allowFetch: boolean;
}

/** Never throws: the schema, or why schema validation is skipped. */
export async function loadRenovateSchema(source: RenovateSchemaSource, options: LoadSchemaOptions): Promise<SchemaFact> {
  try {
    const cached = readCachedSchema(source);
    if (cached) return { status: 'available', schema: cached, version: source.version };
  } catch (error) {
    if (!(error instanceof SchemaError)) throw error;
    if (options.offline || !options.allowFetch) return { status: 'skipped', reason: `Renovate's schema could not be used: ${error.message}` };
  }
  if (options.offline) return { status: 'skipped', reason: `offline: Renovate ${source.version}'s schema is not in the local cache (run "npm run fetch:renovate-schema" once with network access)` };
  if (!options.allowFetch) return { status: 'skipped', reason: `Renovate ${source.version}'s schema is not in the local cache (run "npm run fetch:renovate-schema")` };
  try {
    return { status: 'available', schema: await fetchRenovateSchema(source, options), version: source.version };
  } catch (error) {
    if (error instanceof SchemaError || error instanceof RegistryError) return { status: 'skipped', reason: `Renovate ${source.version}'s schema could not be fetched: ${error.message}` };
    return { status: 'skipped', reason: `Renovate ${source.version}'s schema could not be fetched: ${error instanceof Error ? error.message : String(error)}` };
  }
}
