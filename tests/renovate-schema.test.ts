// Renovate's schema: fetched from the (fake) npm registry, checked against its integrity, one file
// taken out of the tarball, cached on disk; every failure is a "skipped" with the reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { createRegistryFacts } from '../crawler/facts/provider.ts';
import { TarError, extractTarFile } from '../crawler/registries/tar.ts';
import { openDb } from '../data/db.ts';
import { FakeRegistry } from '../fixtures/fake-registry.ts';
import { tempDir } from './helpers.ts';
import { registriesFor } from './registry-helpers.ts';

const SCHEMA = { $schema: 'http://json-schema.org/draft-07/schema#', title: 'crafted test schema', type: 'object', properties: { enabled: { type: 'boolean' } }, definitions: {} };
const LONG_DIR = `package/${'deeply-nested-directory/'.repeat(6)}`;

function tarWith(dir: string, format: 'ustar' | 'pax' | 'gnu', files: Record<string, string>): Buffer {
  const root = path.join(dir, `src-${format}-${Object.keys(files).length}`);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), content);
  }
  const out = path.join(dir, `${path.basename(root)}.tar`);
  const result = spawnSync('tar', [`--format=${format}`, '-cf', out, '-C', root, ...Object.keys(files)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`tar failed: ${result.stderr}`);
  return readFileSync(out);
}

const sri = (body: Buffer) => `sha512-${createHash('sha512').update(body).digest('base64')}`;

describe('tar reader', () => {
  const tmp = tempDir('sw-tar-');
  afterAll(tmp.cleanup);

  it('finds a file in ustar, pax and GNU archives, long names included', () => {
    for (const format of ['ustar', 'pax', 'gnu'] as const) {
      const files = { 'package/package.json': '{"name":"renovate"}', 'package/renovate-schema.json': JSON.stringify(SCHEMA), ...(format === 'ustar' ? {} : { [`${LONG_DIR}very-long-file-name-for-the-header.json`]: 'long' }) };
      const archive = tarWith(tmp.dir, format, files);
      expect(extractTarFile(archive, 'package/renovate-schema.json')?.toString(), format).toBe(JSON.stringify(SCHEMA));
      expect(extractTarFile(archive, 'package/missing.json'), format).toBeUndefined();
      if (format !== 'ustar') expect(extractTarFile(archive, `${LONG_DIR}very-long-file-name-for-the-header.json`)?.toString(), format).toBe('long');
    }
  });

  it('throws on a damaged header or a truncated archive instead of reading garbage', () => {
    const archive = tarWith(tmp.dir, 'ustar', { 'package/a.json': 'x'.repeat(2000), 'package/renovate-schema.json': '{}' });
    const damaged = Buffer.from(archive);
    damaged[10] = damaged[10]! ^ 0xff;
    expect(() => extractTarFile(damaged, 'package/renovate-schema.json')).toThrow(TarError);
    expect(() => extractTarFile(archive.subarray(0, 1200), 'package/renovate-schema.json')).toThrow(/truncated/);
  });
});

describe("Renovate's schema", () => {
  const tmp = tempDir('sw-renovate-');
  let fake: FakeRegistry;
  let good: Buffer;
  beforeAll(async () => {
    fake = await FakeRegistry.start();
    good = gzipSync(tarWith(tmp.dir, 'pax', { 'package/package.json': '{"name":"renovate","version":"0.0.1-test"}', 'package/renovate-schema.json': JSON.stringify(SCHEMA) }));
    fake.addNpmTarball('renovate', '0.0.1-test', good, sri(good));
    const tampered = Buffer.from(good);
    tampered[tampered.length - 10] = tampered[tampered.length - 10]! ^ 0x01;
    fake.addNpmTarball('renovate', '0.0.2-tampered', tampered, sri(good));
    const empty = gzipSync(tarWith(tmp.dir, 'ustar', { 'package/package.json': '{}' }));
    fake.addNpmTarball('renovate', '0.0.3-empty', empty, sri(empty));
  });
  afterAll(async () => {
    await fake.stop();
    tmp.cleanup();
  });

  const provider = (version: string, cacheDir: string, overrides: Record<string, unknown> = {}, renovate: Record<string, unknown> = {}) =>
    createRegistryFacts({ registries: registriesFor(fake, overrides), db: openDb(':memory:'), env: {}, renovate: { version, cacheDir, expectedIntegrity: undefined, ...renovate } });

  it('fetches, verifies, extracts and caches the schema; later crawls read the cache', async () => {
    const cacheDir = path.join(tmp.dir, 'cache-ok');
    const first = await provider('0.0.1-test', cacheDir).renovateSchema();
    expect(first).toEqual({ status: 'available', schema: SCHEMA, version: '0.0.1-test' });
    expect(JSON.parse(readFileSync(path.join(cacheDir, '0.0.1-test.json'), 'utf8'))).toEqual(SCHEMA);
    expect(fake.requests.map((r) => r.path)).toEqual(['/npm/renovate/0.0.1-test', `/npm/-/${encodeURIComponent('renovate@0.0.1-test')}.tgz`]);
    fake.reset();
    const offline = await provider('0.0.1-test', cacheDir, { offline: true }).renovateSchema();
    expect(offline.status).toBe('available');
    expect(fake.count()).toBe(0);
  });

  it('asks once per crawl, however many repositories want it', async () => {
    fake.reset();
    const facts = provider('0.0.1-test', path.join(tmp.dir, 'cache-once'));
    const answers = await Promise.all([facts.renovateSchema(), facts.renovateSchema(), facts.renovateSchema()]);
    expect(answers.every((a) => a.status === 'available')).toBe(true);
    expect(fake.count('/npm/renovate/')).toBe(1);
  });

  it('skips on an integrity mismatch and caches nothing', async () => {
    const cacheDir = path.join(tmp.dir, 'cache-tampered');
    const answer = await provider('0.0.2-tampered', cacheDir).renovateSchema();
    expect(answer).toEqual({ status: 'skipped', reason: "Renovate 0.0.2-tampered's schema could not be fetched: integrity mismatch: the tarball of renovate@0.0.2-tampered does not match its published sha512" });
    expect(existsSync(path.join(cacheDir, '0.0.2-tampered.json'))).toBe(false);
  });

  it('skips when the registry publishes another integrity than the pinned one', async () => {
    const answer = await provider('0.0.1-test', path.join(tmp.dir, 'cache-pinned'), {}, { expectedIntegrity: `sha512-${Buffer.alloc(64, 7).toString('base64')}` }).renovateSchema();
    expect(answer.status === 'skipped' && answer.reason).toMatch(/differs from the one pinned in Seaworthy/);
  });

  it('skips when the tarball lacks the schema, the version is unknown, or the registry is down', async () => {
    const empty = await provider('0.0.3-empty', path.join(tmp.dir, 'cache-empty')).renovateSchema();
    expect(empty.status === 'skipped' && empty.reason).toMatch(/has no package\/renovate-schema\.json/);
    const unknown = await provider('9.9.9', path.join(tmp.dir, 'cache-unknown')).renovateSchema();
    expect(unknown.status === 'skipped' && unknown.reason).toMatch(/not found in registry/);
    fake.rule({ match: /^\/npm\/renovate\//, status: 503 });
    const down = await provider('0.0.1-test', path.join(tmp.dir, 'cache-down'), { retries: 0 }).renovateSchema();
    expect(down.status === 'skipped' && down.reason).toMatch(/answered HTTP 503/);
    fake.reset();
  });

  it('skips offline, or where fetching is not allowed, when nothing is cached', async () => {
    const offline = await provider('0.0.1-test', path.join(tmp.dir, 'cache-none'), { offline: true }).renovateSchema();
    expect(offline.status === 'skipped' && offline.reason).toMatch(/^offline: Renovate 0\.0\.1-test's schema is not in the local cache/);
    const noFetch = await provider('0.0.1-test', path.join(tmp.dir, 'cache-none'), {}, { allowFetch: false }).renovateSchema();
    expect(noFetch.status === 'skipped' && noFetch.reason).toMatch(/not in the local cache \(run "npm run fetch:renovate-schema"\)/);
  });

  it('reports a damaged cache file as skipped when it may not fetch', async () => {
    const cacheDir = path.join(tmp.dir, 'cache-damaged');
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(path.join(cacheDir, '0.0.1-test.json'), '{"definitions": ');
    const answer = await provider('0.0.1-test', cacheDir, { offline: true }).renovateSchema();
    expect(answer.status === 'skipped' && answer.reason).toMatch(/is not valid JSON/);
    // With the network allowed, a damaged cache is simply fetched again.
    const refetched = await provider('0.0.1-test', cacheDir).renovateSchema();
    expect(refetched.status).toBe('available');
  });
});
