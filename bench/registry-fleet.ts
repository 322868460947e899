// npm run bench:registry: a generated fleet of 200 repositories that share most of their
// dependencies, crawled with the real dependency-freshness check against the loopback registry:
// once with a cold cache, once warm. Every repository is read and judged in both rounds
// (carry-forward is off), so the warm round measures the cache, not skipped work. Prints JSON:
// registry requests per repository, cache hits, in-flight joins, wall time, and what the check
// concluded (the run fails if any repository could not be dated, so the figures are of real work).
//
// Each repository: package-lock.json (v3) with 15 of 40 shared npm packages, one of its own and a few
// transitive ones; a pip-compile style requirements.txt with 3 of 8 shared PyPI projects; every second
// one a go.mod with 2 of 6 shared Go modules (mixed-case paths, dated one .info request per version);
// Renovate, Dependabot or no bot in turn.
//
// Then the same fleet with a fresh database three more times: `--offline` (nothing asked), every registry
// unreachable (each on its own loopback port that refuses connections, as a registry whose name does not
// resolve fails), and every registry silent (accepts, never answers: timeouts). The target is the
// unreachable crawl within 1.5× of the offline one (unreachableVsOffline).
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import dependencyFreshness from '../checks/dependency-freshness/index.ts';
import { parseConfig } from '../crawler/config.ts';
import { RENOVATE_SCHEMA_DIR, RENOVATE_VERSION, readCachedSchema } from '../crawler/facts/renovate-schema.ts';
import { createRegistryFacts } from '../crawler/facts/provider.ts';
import type { FactStats } from '../crawler/facts/types.ts';
import { createLogger } from '../crawler/log.ts';
import { crawl } from '../crawler/run.ts';
import { createRepo } from '../fixtures/factory.ts';
import { FakeRegistry, type FakePackage } from '../fixtures/fake-registry.ts';

const REPOS = Number(process.env.BENCH_REPOS ?? 200);
const NPM_POOL = 40;
const PYPI_POOL = 8;
const GO_POOL = 6;
const RELEASES = 12;
const NOW = new Date('2026-11-15T00:00:00Z');

function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Twelve releases over about three years before NOW (1.0.0 … 3.3.0); the sixth is deprecated. */
function releases(seed: number, prefix = ''): FakePackage['releases'] {
  const rand = prng(seed);
  let day = Date.parse('2023-06-01T00:00:00Z') + Math.floor(rand() * 200) * 86_400_000;
  return Array.from({ length: RELEASES }, (_, i) => {
    day += (10 + Math.floor(rand() * 70)) * 86_400_000;
    return { version: `${prefix}${1 + Math.floor(i / 4)}.${i % 4}.0`, publishedAt: new Date(Math.min(day, NOW.getTime() - 86_400_000)).toISOString().slice(0, 10), ...(i === 5 ? { deprecated: 'use a newer version' } : {}) };
  });
}

function pick<T>(rand: () => number, pool: readonly T[], count: number): T[] {
  const chosen = new Set<T>();
  while (chosen.size < count) chosen.add(pool[Math.floor(rand() * pool.length)]!);
  return [...chosen];
}

function packageLock(name: string, deps: Map<string, string>): string {
  const entry = (dep: string, version: string) => ({ version, resolved: `https://registry.npmjs.org/${dep}/-/${dep.split('/').pop()}-${version}.tgz`, integrity: 'sha512-bench' });
  const ranges = Object.fromEntries([...deps.keys()].map((d) => [d, `^${deps.get(d)}`]));
  return JSON.stringify(
    {
      name,
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name, version: '1.0.0', dependencies: ranges },
        ...Object.fromEntries([...deps].map(([d, v]) => [`node_modules/${d}`, entry(d, v)])),
        // Transitive packages: in the lockfile, never looked up.
        'node_modules/ms': entry('ms', '2.1.3'),
        'node_modules/debug': entry('debug', '4.4.0'),
        'node_modules/safe-buffer': entry('safe-buffer', '5.2.1'),
      },
    },
    null,
    2,
  );
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'sw-bench-registry-'));
const fake = await FakeRegistry.start();
try {
  const npmNames = Array.from({ length: NPM_POOL }, (_, i) => (i % 5 === 0 ? `@bench/shared-${i}` : `shared-${i}`));
  const pypiNames = Array.from({ length: PYPI_POOL }, (_, i) => `bench_py_${i}`);
  const goNames = Array.from({ length: GO_POOL }, (_, i) => `github.com/Bench/Module${i}`);
  const history = new Map<string, FakePackage['releases']>();
  const add = (pkg: FakePackage) => {
    fake.add(pkg);
    history.set(pkg.name, pkg.releases);
  };
  npmNames.forEach((name, i) => add({ ecosystem: 'npm', name, releases: releases(i + 1) }));
  pypiNames.forEach((name, i) => add({ ecosystem: 'pypi', name, releases: releases(1000 + i) }));
  goNames.forEach((name, i) => add({ ecosystem: 'go', name, releases: releases(2000 + i, 'v') }));
  const versionOf = (rand: () => number, name: string) => history.get(name)![Math.floor(rand() * RELEASES)]!.version;

  let started = performance.now();
  const rand = prng(42);
  const bots = { renovate: 0, dependabot: 0, none: 0 };
  let goRepos = 0;
  for (let r = 0; r < REPOS; r++) {
    const name = `service-${String(r).padStart(3, '0')}`;
    const own = `only-in-repo-${r}`;
    add({ ecosystem: 'npm', name: own, releases: releases(5000 + r) });
    const npm = new Map([...pick(rand, npmNames, 15), own].map((d) => [d, versionOf(rand, d)]));
    const py = pick(rand, pypiNames, 3);
    const files: Record<string, string> = {
      'package.json': JSON.stringify({ name, version: '1.0.0', dependencies: Object.fromEntries([...npm.keys()].map((d) => [d, `^${npm.get(d)}`])) }, null, 2),
      'package-lock.json': packageLock(name, npm),
      'requirements.txt': ['# generated by pip-compile', ...py.flatMap((p) => [`${p}==${versionOf(rand, p)}`, '    # via -r requirements.in']), 'six==1.16.0', '    # via bench-py-0', ''].join('\n'),
    };
    if (r % 2 === 0) {
      goRepos++;
      files['go.mod'] = `module example.com/${name}\n\ngo 1.22\n\nrequire (\n${pick(rand, goNames, 2).map((m) => `\t${m} ${versionOf(rand, m)}`).join('\n')}\n\tgolang.org/x/sys v0.20.0 // indirect\n)\n`;
      files['go.sum'] = '';
    }
    if (r % 3 === 0) {
      bots.renovate++;
      files['renovate.json'] = JSON.stringify({ $schema: 'https://docs.renovatebot.com/renovate-schema.json', extends: ['config:recommended'], schedule: ['before 6am on monday'], packageRules: [{ matchUpdateTypes: ['minor', 'patch'], automerge: true }] }, null, 2);
    } else if (r % 3 === 1) {
      bots.dependabot++;
      files['.github/dependabot.yml'] = ['version: 2', 'updates:', ...['npm', 'pip', 'gomod'].flatMap((e) => [`  - package-ecosystem: ${e}`, '    directory: /', '    schedule:', '      interval: weekly'])].join('\n') + '\n';
    } else bots.none++;
    createRepo(path.join(dir, 'repos'), { name, commits: [{ date: '2026-06-01T10:00:00Z', message: 'init', files }] });
  }
  const generateMs = performance.now() - started;

  const configFor = (registries: Record<string, unknown>) => {
    const configText = `database: bench.db\nsources:\n  - type: local\n    paths: ['repos/*']\ncrawl:\n  carryForwardDays: 0\nregistries: ${JSON.stringify(registries)}\n`;
    writeFileSync(path.join(dir, 'seaworthy.config.yaml'), configText);
    return parseConfig(configText, path.join(dir, 'seaworthy.config.yaml'));
  };
  const config = configFor(fake.registries());
  const quiet = createLogger({ quiet: true });
  const round = async (options: { config?: typeof config; dbPath?: string; judged?: boolean } = {}) => {
    const dbPath = options.dbPath ?? path.join(dir, 'bench.db');
    const roundConfig = options.config ?? config;
    let stats: FactStats | undefined;
    let factsWaitMs = 0;
    const before = fake.count();
    const t = performance.now();
    const summary = await crawl(roundConfig, {
      dbPath,
      logger: quiet,
      now: NOW,
      checks: [dependencyFreshness],
      facts: (store) => {
        // The schema comes from the local cache (npm run fetch:renovate-schema), never the network.
        const provider = createRegistryFacts({ registries: roundConfig.registries, db: store.db, logger: quiet, env: {}, renovate: { allowFetch: false }, dependabot: { allowFetch: false } });
        return {
          ...provider,
          // Time repositories spent waiting for release dates, summed (repositories are crawled 4 at a time).
          async packages(refs) {
            const t0 = performance.now();
            try {
              return await provider.packages(refs);
            } finally {
              factsWaitMs += performance.now() - t0;
            }
          },
          stats: () => (stats = provider.stats()),
        };
      },
    });
    const wallMs = performance.now() - t;
    if (summary.status !== 'ok') throw new Error(`bench crawl ended ${summary.status}: ${JSON.stringify(summary.errors.slice(0, 3))}`);
    const db = new Database(dbPath, { readonly: true });
    const results = db.prepare("SELECT status, score, summary FROM check_results WHERE run_id = ? AND check_id = 'dependency-freshness'").all(summary.runId) as { status: string; score: number | null; summary: string }[];
    db.close();
    const notJudged = results.filter((r) => r.score === null);
    if (results.length !== REPOS) throw new Error(`bench: ${results.length} of ${REPOS} repositories have a result`);
    if (options.judged !== false && notJudged.length > 0) throw new Error(`bench: ${notJudged.length} of ${results.length} repositories were not judged (${notJudged[0]?.summary})`);
    const undatedSomewhere = results.filter((r) => / of \d+ direct dependencies/.test(r.summary)).length;
    const requests = fake.count() - before;
    const scores = results.flatMap((r) => (r.score === null ? [] : [r.score])).sort((a, b) => a - b);
    return {
      wallMs: Math.round(wallMs),
      msPerRepository: Math.round((wallMs / REPOS) * 10) / 10,
      registryWaitMsSummedOverRepositories: Math.round(factsWaitMs),
      registryRequests: requests,
      requestsPerRepository: Math.round((requests / summary.repositories) * 100) / 100,
      lookups: stats?.lookups ?? 0,
      cacheHits: stats?.cacheHits ?? 0,
      joinedInFlight: stats?.joined ?? 0,
      fetched: stats?.fetched ?? 0,
      undated: stats?.undated ?? 0,
      statuses: Object.fromEntries(['pass', 'warn', 'fail'].map((s) => [s, results.filter((r) => r.status === s).length])),
      medianScore: scores[Math.floor(scores.length / 2)],
      repositoriesWithUndatedDependencies: undatedSomewhere,
      notJudged: notJudged.length,
      openCircuits: stats?.openCircuits.length ?? 0,
    };
  };
  const cold = await round();
  const warm = await round();

  // Registries out of reach, each round with a fresh database (nothing cached).
  const ecosystems = Object.keys(fake.registries());
  const closedPorts = await Promise.all(ecosystems.map(async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  }));
  const silent: Server[] = [];
  const silentPorts = await Promise.all(ecosystems.map(async () => {
    // Accepts the connection and never answers.
    const server = createServer(() => undefined);
    silent.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as { port: number }).port;
  }));
  const pointAt = (ports: number[]) => Object.fromEntries(ecosystems.map((e, i) => [e, { url: `http://127.0.0.1:${ports[i]}/registry` }]));
  const offline = await round({ config: configFor({ ...fake.registries(), offline: true }), dbPath: path.join(dir, 'offline.db'), judged: false });
  const unreachable = await round({ config: configFor(pointAt(closedPorts)), dbPath: path.join(dir, 'unreachable.db'), judged: false });
  const silentRound = await round({ config: configFor(pointAt(silentPorts)), dbPath: path.join(dir, 'silent.db'), judged: false });
  for (const server of silent) server.close();
  for (const server of silent) server.closeAllConnections();
  started = performance.now();
  process.stdout.write(
    JSON.stringify(
      {
        node: process.version,
        cpus: os.cpus().length,
        repositories: REPOS,
        check: dependencyFreshness.id,
        crawlConcurrency: config.crawl.concurrency,
        registryConcurrencyPerHost: config.registries.concurrencyPerHost,
        renovateSchema: readCachedSchema({ version: RENOVATE_VERSION, cacheDir: RENOVATE_SCHEMA_DIR }) ? `Renovate ${RENOVATE_VERSION} (cached)` : 'not cached: validation skipped (run npm run fetch:renovate-schema)',
        fleet: {
          directDependenciesPerRepository: `16 npm (15 of ${NPM_POOL} shared + 1 own), 3 of ${PYPI_POOL} PyPI, 2 of ${GO_POOL} Go in every second repository`,
          packagesServed: { npm: NPM_POOL + REPOS, pypi: PYPI_POOL, go: GO_POOL, total: NPM_POOL + REPOS + PYPI_POOL + GO_POOL },
          goRepositories: goRepos,
          bots,
          generateMs: Math.round(generateMs),
        },
        cold,
        warm,
        offline,
        unreachable,
        silent: { ...silentRound, timeoutMs: config.registries.timeoutMs },
        unreachableVsOffline: Math.round((unreachable.wallMs / offline.wallMs) * 100) / 100,
        silentVsOffline: Math.round((silentRound.wallMs / offline.wallMs) * 100) / 100,
        target: 'unreachableVsOffline <= 1.5',
      },
      null,
      2,
    ) + '\n',
  );
} finally {
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
}
