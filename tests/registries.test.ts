// Registry clients and the fact provider against a loopback registry: every ecosystem's happy path,
// the failure cases (missing, malformed, 429, 500, slow, budget, credentials) and the cache.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { PackageLookup, PackageRelease } from '../checks/contract.ts';
import { createRegistryFacts } from '../crawler/facts/provider.ts';
import { createLogger } from '../crawler/log.ts';
import { retryAfterMs } from '../crawler/registries/http.ts';
import { escapeGoPath, pseudoVersionTime } from '../crawler/registries/go.ts';
import { openDb } from '../data/db.ts';
import { FakeRegistry } from '../fixtures/fake-registry.ts';
import { scaled, tempDir } from './helpers.ts';
import { PACKAGES, providerFor, registriesFor } from './registry-helpers.ts';

const found = (lookup: PackageLookup | undefined): readonly PackageRelease[] => {
  if (lookup?.status !== 'found') throw new Error(`expected found, got ${JSON.stringify(lookup)}`);
  return lookup.releases;
};
const release = (lookup: PackageLookup | undefined, version: string) => found(lookup).find((r) => r.version === version);
const reason = (lookup: PackageLookup | undefined): string => (lookup?.status === 'undated' ? lookup.reason : `not undated: ${JSON.stringify(lookup)}`);

describe('registry clients', () => {
  let fake: FakeRegistry;
  beforeAll(async () => {
    fake = await FakeRegistry.start({ packages: PACKAGES });
  });
  afterAll(() => fake.stop());

  it('reads npm package documents, scoped names URL-encoded, deprecations passed through', async () => {
    const { facts } = providerFor(fake);
    const answers = await facts.packages([{ ecosystem: 'npm', name: '@acme/widgets' }, { ecosystem: 'npm', name: 'left-pad' }]);
    const widgets = answers.get('npm:@acme/widgets');
    expect(found(widgets).map((r) => r.version)).toEqual(['1.0.0', '1.1.0', '1.1.1', '2.0.0-beta.1', '2.0.0']);
    expect(release(widgets, '1.1.0')).toMatchObject({ deprecated: true, yanked: false, publishedAt: '2023-08-15T12:00:00.000Z' });
    expect(release(widgets, '1.1.1')?.deprecated).toBe(false);
    expect(release(answers.get('npm:left-pad'), '1.3.0')?.deprecated).toBe(true);
    expect(fake.requests.map((r) => r.path)).toContain('/npm/@acme%2Fwidgets');
  });

  it('reads PyPI releases: PEP 503 names, first upload as the date, all-files-yanked as yanked, no files as undated', async () => {
    const { facts } = providerFor(fake);
    const answers = await facts.packages([{ ecosystem: 'pypi', name: 'flask.utils' }]);
    const flask = answers.get('pypi:flask.utils');
    expect(release(flask, '1.0.0')).toMatchObject({ publishedAt: '2023-01-10T12:00:00.000Z', yanked: false });
    expect(release(flask, '1.0.1')?.yanked).toBe(true);
    expect(release(flask, '1.1.0rc1')?.publishedAt).toBe('2023-06-01T12:00:00.000Z');
    expect(release(flask, '1.1.0')?.publishedAt).toBeNull();
    expect(fake.requests.map((r) => r.path)).toContain('/pypi/pypi/flask-utils/json');
  });

  it('reads the Go proxy with case-escaped paths, .info dates, and @latest for untagged modules', async () => {
    const { facts } = providerFor(fake);
    const answers = await facts.packages([{ ecosystem: 'go', name: 'github.com/BurntSushi/Toml' }, { ecosystem: 'go', name: 'example.com/untagged' }]);
    const toml = answers.get('go:github.com/BurntSushi/Toml');
    expect(found(toml).map((r) => [r.version, r.publishedAt])).toEqual([
      ['v1.0.0', '2022-01-10T08:00:00.000Z'],
      ['v1.1.0', '2022-06-10T08:00:00.000Z'],
      ['v1.2.0-rc.1', '2022-11-01T08:00:00.000Z'],
      ['v1.2.0', '2022-11-20T08:00:00.000Z'],
      ['v2.0.0+incompatible', '2023-03-01T08:00:00.000Z'],
    ]);
    const paths = fake.requests.map((r) => r.path);
    expect(paths).toContain('/go/github.com/!burnt!sushi/!toml/@v/list');
    expect(paths).toContain('/go/github.com/!burnt!sushi/!toml/@v/v1.2.0-rc.1.info');
    expect(found(answers.get('go:example.com/untagged'))).toEqual([{ version: 'v0.0.0-20240102150405-0123456789ab', publishedAt: '2024-01-02T15:04:05.000Z', yanked: false, deprecated: false }]);
    expect(paths).toContain('/go/example.com/untagged/@latest');
  });

  it('encodes Go paths like the proxy and reads pseudo-version times', () => {
    expect(escapeGoPath('github.com/Azure/azure-sdk-for-go')).toBe('github.com/!azure/azure-sdk-for-go');
    expect(escapeGoPath('github.com/Unleash/unleash-client-go/v4')).toBe('github.com/!unleash/unleash-client-go/v4');
    expect(escapeGoPath('golang.org/x/sys')).toBe('golang.org/x/sys');
    expect(pseudoVersionTime('v0.0.0-20231201235250-de7065d80cb9')).toBe('2023-12-01T23:52:50.000Z');
    expect(pseudoVersionTime('v1.2.4-0.20240102030405-abcdefabcdef')).toBe('2024-01-02T03:04:05.000Z');
    expect(pseudoVersionTime('v1.3.0-pre.0.20240102030405-abcdefabcdef+incompatible')).toBe('2024-01-02T03:04:05.000Z');
    expect(pseudoVersionTime('v1.2.3')).toBeNull();
  });

  it('reads crates.io with yanked versions and a descriptive User-Agent', async () => {
    const { facts } = providerFor(fake);
    const crate = (await facts.packages([{ ecosystem: 'cargo', name: 'tiny-http' }])).get('cargo:tiny-http');
    expect(release(crate, '0.12.0')?.yanked).toBe(true);
    expect(release(crate, '0.12.1')).toMatchObject({ yanked: false, publishedAt: '2022-10-05T12:00:00.000Z' });
    const request = fake.requests.find((r) => r.path === '/cargo/api/v1/crates/tiny-http/versions');
    expect(request?.headers['user-agent']).toMatch(/^seaworthy\/\S+ \(.+\)$/);
  });

  it('follows crates.io seek pagination (meta.next_page) when the server paginates, spacing every page', async () => {
    const paged = await FakeRegistry.start({ packages: PACKAGES, cargoPageSize: 1 });
    try {
      const starts: number[] = [];
      const fetch: typeof globalThis.fetch = (input, init) => {
        starts.push(Date.now());
        return globalThis.fetch(input, init);
      };
      const { facts } = providerFor(paged, { cargo: { minIntervalMs: 200 } }, { fetch });
      const crate = (await facts.packages([{ ecosystem: 'cargo', name: 'tiny_http' }])).get('cargo:tiny_http');
      expect(found(crate).map((r) => [r.version, r.yanked])).toEqual([['0.11.0', false], ['0.12.0', true], ['0.12.1', false]]);
      expect(paged.requests.map((r) => r.path)).toEqual(['/cargo/api/v1/crates/tiny-http/versions', '/cargo/api/v1/crates/tiny-http/versions?per_page=1&seek=1', '/cargo/api/v1/crates/tiny-http/versions?per_page=1&seek=2']);
      for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(190);
      // A cursor that leaves the resource is not followed.
      paged.rule({ match: /^\/cargo\/api\/v1\/crates\/elsewhere\/versions$/, status: 200, body: JSON.stringify({ versions: [], meta: { next_page: 'https://evil.example/steal?seek=1' } }) });
      const elsewhere = (await facts.packages([{ ecosystem: 'cargo', name: 'elsewhere' }])).get('cargo:elsewhere');
      expect(reason(elsewhere)).toMatch(/^crates\.io pointed the next page of elsewhere elsewhere/);
    } finally {
      await paged.stop();
    }
  });

  it('reads RubyGems, where yanked gems are absent and platform builds count once', async () => {
    const { facts } = providerFor(fake);
    const gems = (await facts.packages([{ ecosystem: 'rubygems', name: 'rack-timeout' }])).get('rubygems:rack-timeout');
    expect(found(gems).map((r) => r.version)).toEqual(['0.6.0', '0.7.0.beta1', '0.7.0']);
    fake.rule({
      match: /^\/rubygems\/api\/v1\/versions\/nokogiri\.json$/,
      times: 1,
      status: 200,
      body: JSON.stringify([
        { number: '1.16.7', created_at: '2024-07-29T10:00:00.000Z', platform: 'x86_64-linux' },
        { number: '1.16.7', created_at: '2024-07-29T09:00:00.000Z', platform: 'ruby' },
        { number: '1.16.6', created_at: '2024-06-13T09:00:00.000Z', platform: 'ruby' },
      ]),
    });
    const nokogiri = (await facts.packages([{ ecosystem: 'rubygems', name: 'nokogiri' }])).get('rubygems:nokogiri');
    expect(found(nokogiri).map((r) => [r.version, r.publishedAt])).toEqual([
      ['1.16.6', '2024-06-13T09:00:00.000Z'],
      ['1.16.7', '2024-07-29T09:00:00.000Z'],
    ]);
  });

  it('reads Terraform providers: protocol version list plus v2 dates in one request', async () => {
    const { facts } = providerFor(fake);
    const before = fake.count('/terraform');
    const cloud = (await facts.packages([{ ecosystem: 'terraform-provider', name: 'registry.terraform.io/acme/cloud' }])).get('terraform-provider:registry.terraform.io/acme/cloud');
    expect(found(cloud).map((r) => [r.version, r.publishedAt?.slice(0, 10)])).toEqual([
      ['4.9.0', '2023-01-05'],
      ['5.0.0-beta1', '2023-04-01'],
      ['5.0.0', '2023-05-01'],
      ['5.1.0', '2023-07-01'],
    ]);
    // discovery + versions + v2
    expect(fake.count('/terraform') - before).toBe(3);
  });

  it('reports ecosystems without a client as undated with the reason', async () => {
    const { facts } = providerFor(fake);
    expect(reason((await facts.packages([{ ecosystem: 'maven', name: 'org.slf4j:slf4j-api' }])).get('maven:org.slf4j:slf4j-api'))).toBe('no registry client for maven');
  });

  it('rejects names no registry could hold without asking', async () => {
    const { facts } = providerFor(fake);
    const before = fake.count();
    const answers = await facts.packages([{ ecosystem: 'go', name: '../../etc/passwd' }, { ecosystem: 'npm', name: 'a b' }, { ecosystem: 'terraform-provider', name: 'aws' }]);
    expect(reason(answers.get('go:../../etc/passwd'))).toMatch(/not a valid Go module path/);
    expect(reason(answers.get('npm:a b'))).toMatch(/not a valid npm package name/);
    expect(reason(answers.get('terraform-provider:aws'))).toMatch(/namespace\/type/);
    expect(fake.count()).toBe(before);
  });
});

describe('registry failures', () => {
  let fake: FakeRegistry;
  beforeAll(async () => {
    fake = await FakeRegistry.start({ packages: PACKAGES });
  });
  afterAll(() => fake.stop());
  afterEach(() => fake.reset());

  it('reports a missing package as "not found in registry" and caches that answer briefly', async () => {
    const { facts, db } = providerFor(fake);
    const first = await facts.packages([{ ecosystem: 'npm', name: 'no-such-package' }]);
    expect(reason(first.get('npm:no-such-package'))).toMatch(/^not found in registry/);
    const again = createRegistryFacts({ registries: registriesFor(fake), db, env: {} });
    expect(reason((await again.packages([{ ecosystem: 'npm', name: 'no-such-package' }])).get('npm:no-such-package'))).toMatch(/^not found in registry/);
    expect(fake.count('/npm/no-such-package')).toBe(1);
    const later = createRegistryFacts({ registries: registriesFor(fake), db, env: {}, clock: () => new Date(Date.now() + 2 * 3_600_000) });
    await later.packages([{ ecosystem: 'npm', name: 'no-such-package' }]);
    expect(fake.count('/npm/no-such-package')).toBe(2);
  });

  it('reports malformed JSON and documents of the wrong shape as undated, without caching them', async () => {
    fake.rule({ match: /^\/npm\/broken-json$/, status: 200, body: '{"versions": {"1.0.0": ' });
    fake.rule({ match: /^\/cargo\/api\/v1\/crates\/wrong-shape\/versions$/, status: 200, body: JSON.stringify({ versions: [{ num: '1.0.0', created_at: 5, yanked: 'no' }] }) });
    fake.rule({ match: /^\/go\/example\.com\/junk\/@v\/list$/, status: 200, body: 'v1.0.0\n<html>oops</html>\n' });
    const { facts, db } = providerFor(fake);
    const answers = await facts.packages([{ ecosystem: 'npm', name: 'broken-json' }, { ecosystem: 'cargo', name: 'wrong-shape' }, { ecosystem: 'go', name: 'example.com/junk' }, { ecosystem: 'npm', name: 'left-pad' }]);
    expect(reason(answers.get('npm:broken-json'))).toMatch(/^the npm package document is not valid JSON/);
    expect(reason(answers.get('cargo:wrong-shape'))).toMatch(/^malformed crates\.io versions document: versions\.0\.created_at/);
    expect(reason(answers.get('go:example.com/junk'))).toMatch(/^malformed Go proxy version list/);
    expect(answers.get('npm:left-pad')?.status).toBe('found');
    expect(db.prepare("SELECT COUNT(*) FROM registry_cache WHERE name IN ('broken-json', 'wrong-shape', 'example.com/junk')").pluck().get()).toBe(0);
  });

  it('honours Retry-After on 429, in seconds and as an HTTP date', async () => {
    fake.rule({ match: /^\/npm\/left-pad$/, status: 429, headers: { 'retry-after': '1' }, times: 1 });
    fake.rule({ match: /^\/pypi\/pypi\/flask-utils\/json$/, status: 503, headers: { 'retry-after': new Date(Date.now() + 1500).toUTCString() }, times: 1 });
    const { facts } = providerFor(fake, { retries: 1 });
    const started = Date.now();
    const answers = await facts.packages([{ ecosystem: 'npm', name: 'left-pad' }, { ecosystem: 'pypi', name: 'flask-utils' }]);
    expect(answers.get('npm:left-pad')?.status).toBe('found');
    expect(answers.get('pypi:flask-utils')?.status).toBe('found');
    expect(fake.count('/npm/left-pad')).toBe(2);
    expect(fake.count('/pypi/')).toBe(2);
    // The retry waited for the registry rather than hammering it (a lower bound, so never flaky).
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('pauses the whole host for Retry-After, not just the lookup that was told', async () => {
    fake.rule({ match: /^\/npm\/left-pad$/, status: 429, headers: { 'retry-after': '1' }, times: 1 });
    const starts: number[] = [];
    const fetch: typeof globalThis.fetch = (input, init) => {
      starts.push(Date.now());
      return globalThis.fetch(input, init);
    };
    const { facts } = providerFor(fake, { concurrencyPerHost: 1 }, { fetch });
    const answers = await facts.packages([{ ecosystem: 'npm', name: 'left-pad' }, { ecosystem: 'npm', name: '@acme/widgets' }]);
    expect([...answers.values()].map((a) => a.status)).toEqual(['found', 'found']);
    expect(starts).toHaveLength(3);
    // Both later requests, the retry and the other package, waited out the pause.
    for (const at of starts.slice(1)) expect(at - starts[0]!).toBeGreaterThanOrEqual(995);
  });

  it('gives up at once when Retry-After is longer than the time budget', async () => {
    fake.rule({ match: /^\/npm\/left-pad$/, status: 429, headers: { 'retry-after': '3600' }, times: 1 });
    const { facts } = providerFor(fake, { totalBudgetMs: 5000 });
    const answer = (await facts.packages([{ ecosystem: 'npm', name: 'left-pad' }])).get('npm:left-pad');
    expect(reason(answer)).toMatch(/answered HTTP 429; asked to wait 3600 s \(Retry-After\), longer than the time left/);
    expect(fake.count('/npm/left-pad')).toBe(1);
  });

  it('retries 500s a bounded number of times', async () => {
    fake.rule({ match: /^\/rubygems\/api\/v1\/versions\/rack-timeout\.json$/, status: 500, times: 2 });
    fake.rule({ match: /^\/cargo\/api\/v1\/crates\/tiny-http\/versions$/, status: 502 });
    const { facts } = providerFor(fake, { retries: 2 });
    const answers = await facts.packages([{ ecosystem: 'rubygems', name: 'rack-timeout' }, { ecosystem: 'cargo', name: 'tiny-http' }]);
    expect(answers.get('rubygems:rack-timeout')?.status).toBe('found');
    expect(fake.count('/rubygems/')).toBe(3);
    expect(reason(answers.get('cargo:tiny-http'))).toMatch(/answered HTTP 502 \(gave up after 3 attempts\)/);
    expect(fake.count('/cargo/')).toBe(3);
  });

  it('stops within the total time budget when a registry keeps failing', async () => {
    fake.rule({ match: /^\/npm\/@acme%2Fwidgets$/, status: 503 });
    // 0.7 s on a quiet machine: room for the first answer and a retry after the 0.2–0.3 s backoff,
    // too little for eleven attempts with a doubling backoff.
    const budgetMs = scaled(700);
    const { facts } = providerFor(fake, { retries: 10, totalBudgetMs: budgetMs });
    const answer = (await facts.packages([{ ecosystem: 'npm', name: '@acme/widgets' }])).get('npm:@acme/widgets');
    const budget = (budgetMs < 10_000 ? String(Math.round(budgetMs / 100) / 10) : String(Math.round(budgetMs / 1000))).replace('.', '\\.');
    // The last attempt may also time out on the sliver of budget left; either way the budget is named.
    expect(reason(answer)).toMatch(new RegExp(`^127\\.0\\.0\\.1:\\d+ (answered HTTP 503|did not answer within [\\d.]+ s); (no time was left to retry in the lookup's budget|gave up when the lookup's time budget) of ${budget} s`));
    expect(fake.count('/npm/')).toBeGreaterThan(1);
    expect(fake.count('/npm/')).toBeLessThan(11);
  });

  it('reports 401 and 403 as refused credentials, without retrying', async () => {
    fake.rule({ match: /^\/npm\/left-pad$/, status: 401, times: 1 });
    fake.rule({ match: /^\/pypi\//, status: 403, times: 1 });
    const { facts } = providerFor(fake);
    const answers = await facts.packages([{ ecosystem: 'npm', name: 'left-pad' }, { ecosystem: 'pypi', name: 'flask-utils' }]);
    expect(reason(answers.get('npm:left-pad'))).toMatch(/^registry refused credentials \(127\.0\.0\.1:\d+ answered HTTP 401\)/);
    expect(reason(answers.get('pypi:flask-utils'))).toMatch(/^registry refused credentials/);
    expect(fake.count()).toBe(2);
  });

  it('times out a slow host while the other registries answer', async () => {
    const slow = await FakeRegistry.start({ packages: PACKAGES });
    try {
      slow.rule({ match: /./, delayMs: 5000 });
      // The short timeout is the slow host's alone: the healthy hosts keep the default, so a loaded
      // machine cannot make them miss it. 5 s of silence outlasts 0.3 s however late timers run.
      const { facts } = providerFor(fake, { retries: 0, pypi: { url: `${slow.url}/pypi`, timeoutMs: 300 } });
      const answers = await facts.packages([{ ecosystem: 'pypi', name: 'flask-utils' }, { ecosystem: 'npm', name: 'left-pad' }, { ecosystem: 'cargo', name: 'tiny-http' }]);
      expect(reason(answers.get('pypi:flask-utils'))).toBe(`127.0.0.1:${new URL(slow.url).port} did not answer within 0.3 s (gave up after 1 attempts)`);
      expect(answers.get('npm:left-pad')?.status).toBe('found');
      expect(answers.get('cargo:tiny-http')?.status).toBe('found');
    } finally {
      await slow.stop();
    }
  });

  it('skips a host for the rest of the crawl after five failed lookups in a row', async () => {
    fake.rule({ match: /^\/rubygems\//, status: 500 });
    const warnings: string[] = [];
    const logger = { ...createLogger({ quiet: true }), warn: (m: string, f?: Record<string, unknown>) => void warnings.push(`${m} ${JSON.stringify(f)}`) };
    const { facts } = providerFor(fake, { retries: 0 }, { logger });
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    for (const name of names) await facts.packages([{ ecosystem: 'rubygems', name }]);
    expect(fake.count('/rubygems/')).toBe(5);
    const last = (await facts.packages([{ ecosystem: 'rubygems', name: 'i' }])).get('rubygems:i');
    expect(reason(last)).toMatch(/was skipped: it failed 5 lookups in a row during this crawl/);
    expect(warnings).toHaveLength(1);
  });

  it('opens the circuit of a registry that refuses connections: one request, every package undated at once', async () => {
    const closed = await FakeRegistry.start({ packages: PACKAGES });
    const closedUrl = closed.url;
    await closed.stop(); // nothing listens there any more: ECONNREFUSED
    let attempts = 0;
    const counting: typeof fetch = (input, init) => {
      if (String(input).startsWith(closedUrl)) attempts++;
      return fetch(input, init);
    };
    const { facts } = providerFor(fake, { retries: 3, concurrencyPerHost: 2, pypi: { url: `${closedUrl}/pypi` } }, { fetch: counting });
    const names = Array.from({ length: 8 }, (_, i) => `dead-${i}`);
    const answers = await facts.packages([...names.map((name) => ({ ecosystem: 'pypi' as const, name })), { ecosystem: 'npm', name: 'left-pad' }]);
    // Only the lookups already in flight when the first refusal came back ever reached the host.
    expect(attempts).toBeLessThanOrEqual(2);
    for (const name of names) expect(reason(answers.get(`pypi:${name}`))).toMatch(/^registry unreachable: 127\.0\.0\.1:\d+ refused the connection/);
    expect(answers.get('npm:left-pad')?.status).toBe('found');
    expect(facts.stats().openCircuits).toEqual([{ host: new URL(closedUrl).host, reason: 'refused the connection' }]);
  });

  it('opens the circuit on a name that does not resolve, and after two timeouts in a row, but retries resets', async () => {
    const slow = await FakeRegistry.start({ packages: PACKAGES });
    try {
      slow.rule({ match: /./, delayMs: 2000 });
      // Each registry on its own origin, as in life: localhost stands for a host whose name does not resolve.
      const unresolvable = fake.url.replace('127.0.0.1', 'localhost');
      let resets = 2;
      const faulty: typeof fetch = async (input, init) => {
        if (new URL(String(input)).hostname === 'localhost') throw new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }) });
        if (String(input).includes('/cargo/') && resets-- > 0) throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
        return fetch(input, init);
      };
      const { facts } = providerFor(fake, { retries: 3, timeoutMs: 150, go: { url: `${unresolvable}/go` }, rubygems: { url: `${slow.url}/rubygems` } }, { fetch: faulty });
      const answers = await facts.packages([
        { ecosystem: 'go', name: 'example.com/a' },
        { ecosystem: 'go', name: 'example.com/b' },
        { ecosystem: 'rubygems', name: 'rack-timeout' },
        { ecosystem: 'cargo', name: 'tiny-http' },
      ]);
      expect(reason(answers.get('go:example.com/a'))).toMatch(/^registry unreachable: localhost:\d+ could not be resolved \(DNS\)/);
      expect(reason(answers.get('go:example.com/b'))).toMatch(/^registry unreachable: localhost:\d+ /);
      expect(reason(answers.get('rubygems:rack-timeout'))).toMatch(/^registry unreachable: 127\.0\.0\.1:\d+ did not answer within [\d.]+ s 2 times in a row/);
      expect(slow.count('/rubygems/')).toBe(2);
      // Resets are passing trouble: retried within the budget, and the third attempt answers.
      expect(answers.get('cargo:tiny-http')?.status).toBe('found');
      const later = await facts.packages([{ ecosystem: 'rubygems', name: 'other-gem' }]);
      expect(reason(later.get('rubygems:other-gem'))).toMatch(/^registry unreachable: /);
      expect(slow.count('/rubygems/')).toBe(2);
      expect(facts.stats().openCircuits.map((c) => c.reason).sort()).toEqual(['could not be resolved (DNS)', expect.stringMatching(/^did not answer within [\d.]+ s 2 times in a row$/)]);
    } finally {
      await slow.stop();
    }
  });

  it('keeps requests to one host within concurrencyPerHost', async () => {
    // Each answer is held long enough (0.1 s on a quiet machine) for the next requests to arrive meanwhile.
    fake.rule({ match: /^\/npm\//, delayMs: scaled(100) });
    const names = Array.from({ length: 12 }, (_, i) => `pkg-${i}`);
    const { facts } = providerFor(fake, { concurrencyPerHost: 3 });
    fake.maxInFlight = 0;
    await facts.packages(names.map((name) => ({ ecosystem: 'npm' as const, name })));
    expect(fake.count('/npm/')).toBe(12);
    expect(fake.maxInFlight).toBeLessThanOrEqual(3);
    expect(fake.maxInFlight).toBeGreaterThan(1);
  });

  it('spaces requests to crates.io by minIntervalMs', async () => {
    // Start times are taken where the client sends, so a busy machine cannot make the gaps look shorter.
    const starts: number[] = [];
    const fetch: typeof globalThis.fetch = (input, init) => {
      starts.push(Date.now());
      return globalThis.fetch(input, init);
    };
    const { facts } = providerFor(fake, { cargo: { minIntervalMs: 300 } }, { fetch });
    await facts.packages(['c1', 'c2', 'c3', 'c4'].map((name) => ({ ecosystem: 'cargo' as const, name })));
    expect(starts).toHaveLength(4);
    // A few milliseconds pass between reserving a start and calling fetch; the policy is about seconds.
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(290);
  });

  it('sends the token only to its registry and never logs or stores it', async () => {
    const other = await FakeRegistry.start({ packages: PACKAGES });
    const token = 's3cr3t-t0ken-abc123';
    const tmp = tempDir('sw-token-');
    try {
      const authed = await FakeRegistry.start({ packages: PACKAGES, requireAuth: { pathPrefix: '/npm', authorization: `Bearer ${token}` } });
      // A redirect to another origin must not carry the token along.
      authed.rule({ match: /^\/npm\/left-pad$/, status: 302, headers: { location: `${other.url}/npm/left-pad` } });
      const lines: string[] = [];
      const stream = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
      const logger = createLogger({ stream, format: 'json' });
      const dbFile = path.join(tmp.dir, 'cache.db');
      const db = openDb(dbFile);
      const registries = registriesFor(fake, { npm: { url: `${authed.url}/npm`, tokenEnv: 'ACME_NPM_TOKEN' }, pypi: { url: `${other.url}/pypi` }, retries: 0 });
      const facts = createRegistryFacts({ registries, db, logger, env: { ACME_NPM_TOKEN: token } });
      authed.rule({ match: /^\/npm\/@acme%2Ffailing$/, status: 500 });
      const answers = await facts.packages([
        { ecosystem: 'npm', name: '@acme/widgets' },
        { ecosystem: 'npm', name: 'left-pad' },
        { ecosystem: 'npm', name: '@acme/failing' },
        { ecosystem: 'pypi', name: 'flask-utils' },
      ]);
      expect(answers.get('npm:@acme/widgets')?.status).toBe('found');
      expect(answers.get('npm:left-pad')?.status).toBe('found');
      expect(answers.get('pypi:flask-utils')?.status).toBe('found');
      expect(authed.requests.find((r) => r.path === '/npm/@acme%2Fwidgets')?.headers.authorization).toBe(`Bearer ${token}`);
      expect(other.requests.length).toBeGreaterThanOrEqual(2);
      for (const r of other.requests) expect(r.headers.authorization, r.path).toBeUndefined();
      expect(lines.join('')).toContain('package registry failing');
      expect(lines.join('')).not.toContain(token);
      expect(JSON.stringify([...answers.values()])).not.toContain(token);
      db.close();
      expect(readFileSync(dbFile).includes(Buffer.from(token))).toBe(false);
      await authed.stop();
    } finally {
      await other.stop();
      tmp.cleanup();
    }
  });

  it('asks for an unset token variable without credentials and says so', async () => {
    const warnings: string[] = [];
    const logger = { ...createLogger({ quiet: true }), warn: (m: string, f?: Record<string, unknown>) => void warnings.push(`${m} ${JSON.stringify(f)}`) };
    const { facts } = providerFor(fake, { npm: { tokenEnv: 'MISSING_TOKEN' } }, { logger });
    expect((await facts.packages([{ ecosystem: 'npm', name: 'left-pad' }])).get('npm:left-pad')?.status).toBe('found');
    expect(fake.requests[0]?.headers.authorization).toBeUndefined();
    expect(warnings.join()).toContain('MISSING_TOKEN');
  });

  it('never leaves loopback when SEAWORTHY_LOOPBACK_ONLY is set', async () => {
    const facts = createRegistryFacts({ registries: registriesFor(fake, { npm: { url: 'https://registry.npmjs.org' } }), db: openDb(':memory:'), env: { SEAWORTHY_LOOPBACK_ONLY: '1' } });
    expect(reason((await facts.packages([{ ecosystem: 'npm', name: 'left-pad' }])).get('npm:left-pad'))).toMatch(/network access is off/);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});

describe('registry cache', () => {
  let fake: FakeRegistry;
  beforeAll(async () => {
    fake = await FakeRegistry.start({ packages: PACKAGES });
  });
  afterAll(() => fake.stop());
  afterEach(() => fake.reset());

  it('joins concurrent lookups of one package into one request', async () => {
    fake.rule({ match: /^\/npm\/left-pad$/, delayMs: 200, times: 1 });
    const { facts } = providerFor(fake);
    const [a, b] = await Promise.all([facts.packages([{ ecosystem: 'npm', name: 'left-pad' }]), facts.packages([{ ecosystem: 'npm', name: 'left-pad' }])]);
    expect(a.get('npm:left-pad')).toEqual(b.get('npm:left-pad'));
    expect(fake.count('/npm/left-pad')).toBe(1);
    expect(facts.stats()).toMatchObject({ lookups: 2, joined: 1, fetched: 1 });
  });

  it('serves fresh answers from the cache and asks again after the time-to-live', async () => {
    const db = openDb(':memory:');
    let now = Date.parse('2026-03-01T00:00:00Z');
    const clock = () => new Date(now);
    const ask = () => createRegistryFacts({ registries: registriesFor(fake, { ttlHours: 24 }), db, env: {}, clock }).packages([{ ecosystem: 'cargo', name: 'tiny-http' }]);
    const first = await ask();
    expect(fake.count('/cargo/')).toBe(1);
    now += 23 * 3_600_000;
    expect(await ask()).toEqual(first);
    expect(fake.count('/cargo/')).toBe(1);
    now += 2 * 3_600_000;
    const refreshed = (await ask()).get('cargo:tiny-http');
    expect(fake.count('/cargo/')).toBe(2);
    expect(refreshed?.status === 'found' && refreshed.fetchedAt).toBe(new Date(now).toISOString());
  });

  it('uses an expired answer when the registry fails, and only then', async () => {
    const db = openDb(':memory:');
    let now = Date.parse('2026-03-01T00:00:00Z');
    const clock = () => new Date(now);
    const ask = () => createRegistryFacts({ registries: registriesFor(fake, { retries: 0 }), db, env: {}, clock }).packages([{ ecosystem: 'npm', name: 'left-pad' }, { ecosystem: 'npm', name: 'never-cached' }]);
    await ask();
    now += 48 * 3_600_000;
    fake.rule({ match: /^\/npm\//, status: 500, times: 2 });
    const answers = await ask();
    const stale = answers.get('npm:left-pad');
    expect(stale?.status === 'found' && stale.fetchedAt).toBe('2026-03-01T00:00:00.000Z');
    expect(reason(answers.get('npm:never-cached'))).toMatch(/answered HTTP 500/);
  });

  it('asks the Go proxy only for versions it has no date for yet, newest first within maxVersionDates', async () => {
    const db = openDb(':memory:');
    let now = Date.parse('2026-03-01T00:00:00Z');
    const clock = () => new Date(now);
    const module = { ecosystem: 'go' as const, name: 'example.com/many', releases: Array.from({ length: 8 }, (_, i) => ({ version: `v1.${i}.0`, publishedAt: `2023-0${i + 1}-01` })) };
    fake.add(module);
    const ask = () => createRegistryFacts({ registries: registriesFor(fake, { go: { maxVersionDates: 3 } }), db, env: {}, clock }).packages([{ ecosystem: 'go', name: 'example.com/many' }]);
    const first = found((await ask()).get('go:example.com/many'));
    expect(fake.count('/go/example.com/many/@v/v')).toBe(3);
    expect(first.filter((r) => r.publishedAt).map((r) => r.version)).toEqual(['v1.5.0', 'v1.6.0', 'v1.7.0']);
    expect(first.find((r) => r.version === 'v1.0.0')?.publishedAt).toBeNull();
    fake.add({ ...module, releases: [...module.releases, { version: 'v1.8.0', publishedAt: '2023-09-01' }] });
    now += 25 * 3_600_000;
    fake.requests.length = 0;
    const second = found((await ask()).get('go:example.com/many'));
    expect(fake.requests.map((r) => r.path).filter((p) => p.endsWith('.info'))).toEqual(['/go/example.com/many/@v/v1.8.0.info']);
    expect(second.filter((r) => r.publishedAt).map((r) => r.version)).toEqual(['v1.5.0', 'v1.6.0', 'v1.7.0', 'v1.8.0']);
  });

  it('dates Terraform providers one version at a time on a mirror without the v2 API, within maxVersionDates', async () => {
    const mirror = await FakeRegistry.start({ packages: PACKAGES, terraformV2: false, terraformDiscovery: false });
    try {
      const { facts } = providerFor(fake, { 'terraform-provider': { url: `${mirror.url}/terraform`, maxVersionDates: 2 } });
      const cloud = (await facts.packages([{ ecosystem: 'terraform-provider', name: 'acme/cloud' }])).get('terraform-provider:acme/cloud');
      expect(found(cloud).map((r) => [r.version, r.publishedAt?.slice(0, 10) ?? null])).toEqual([
        ['5.0.0', '2023-05-01'],
        ['5.1.0', '2023-07-01'],
        ['5.0.0-beta1', null],
        ['4.9.0', null],
      ]);
      expect(mirror.requests.map((r) => r.path)).toEqual(
        expect.arrayContaining(['/terraform/.well-known/terraform.json', '/terraform/v1/providers/acme/cloud/versions', '/terraform/v1/providers/acme/cloud/5.1.0', '/terraform/v1/providers/acme/cloud/5.0.0']),
      );
      expect(mirror.count('/terraform/v1/providers/acme/cloud/')).toBe(3);
    } finally {
      await mirror.stop();
    }
  });

  it('answers from the cache alone when offline, whatever its age, and names what it lacks', async () => {
    const db = openDb(':memory:');
    await createRegistryFacts({ registries: registriesFor(fake), db, env: {} }).packages([{ ecosystem: 'npm', name: 'left-pad' }, { ecosystem: 'npm', name: 'gone' }]);
    const requestsBefore = fake.count();
    const offline = createRegistryFacts({ registries: registriesFor(fake, { offline: true }), db, env: {}, clock: () => new Date(Date.now() + 400 * 86_400_000) });
    const answers = await offline.packages([{ ecosystem: 'npm', name: 'left-pad' }, { ecosystem: 'npm', name: 'gone' }, { ecosystem: 'pypi', name: 'flask-utils' }]);
    expect(answers.get('npm:left-pad')?.status).toBe('found');
    expect(reason(answers.get('npm:gone'))).toMatch(/^not found in registry/);
    expect(reason(answers.get('pypi:flask-utils'))).toBe('not in the offline cache');
    expect(fake.count()).toBe(requestsBefore);
  });
});
