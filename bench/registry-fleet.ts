// npm run bench:registry: a generated fleet of 200 repositories that share most of their
// dependencies, crawled twice against the loopback registry (cold cache, then warm). Prints JSON:
// registry requests per repository, cache hits, in-flight joins and wall time.
//
// The checks used are those of the registry that declare `wants`. While none does, a BENCH-LOCAL
// check stands in: it asks for the direct dependencies listed in package.json and requirements.txt
// (nothing more), so the numbers measure the crawler's registry layer, not a real check.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { defineCheck, type CheckDefinition, type PackageRef, type RepoSnapshot } from '../checks/contract.ts';
import { CHECKS } from '../checks/registry.ts';
import { parseConfig } from '../crawler/config.ts';
import { createRegistryFacts } from '../crawler/facts/provider.ts';
import type { FactStats } from '../crawler/facts/types.ts';
import { createLogger } from '../crawler/log.ts';
import { crawl } from '../crawler/run.ts';
import { createRepo } from '../fixtures/factory.ts';
import { FakeRegistry, type FakePackage } from '../fixtures/fake-registry.ts';

const REPOS = Number(process.env.BENCH_REPOS ?? 200);
const NPM_POOL = 40;
const PYPI_POOL = 8;

function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function releases(seed: number): FakePackage['releases'] {
  const rand = prng(seed);
  let day = Date.parse('2022-01-01T00:00:00Z') + Math.floor(rand() * 200) * 86_400_000;
  return Array.from({ length: 12 }, (_, i) => {
    day += (10 + Math.floor(rand() * 60)) * 86_400_000;
    return { version: `${1 + Math.floor(i / 4)}.${i % 4}.0`, publishedAt: new Date(day).toISOString().slice(0, 10), ...(i === 5 ? { deprecated: 'use a newer version' } : {}) };
  });
}

function directDependencies(snapshot: RepoSnapshot): PackageRef[] {
  const refs: PackageRef[] = [];
  const manifest = snapshot.read('package.json');
  if (manifest.ok) for (const name of Object.keys((JSON.parse(manifest.text) as { dependencies?: object }).dependencies ?? {})) refs.push({ ecosystem: 'npm', name });
  const requirements = snapshot.read('requirements.txt');
  if (requirements.ok) for (const m of requirements.text.matchAll(/^([\w.-]+)==/gm)) refs.push({ ecosystem: 'pypi', name: m[1]! });
  return refs;
}

const benchLocalCheck = defineCheck({
  id: 'bench-direct-dependencies',
  meta: { title: 'BENCH-LOCAL direct dependencies', description: 'bench-local stand-in for a check with wants', category: 'maintenance', weight: 1, version: 1, reads: ['package.json', 'requirements.txt'], options: z.object({}) },
  wants: (snapshot) => ({ packages: directDependencies(snapshot) }),
  run(snapshot, ctx) {
    const refs = directDependencies(snapshot);
    const dated = refs.filter((r) => ctx.facts.packages.get(`${r.ecosystem}:${r.name}`)?.status === 'found').length;
    if (dated !== refs.length) throw new Error(`bench: only ${dated} of ${refs.length} packages dated`);
    return { status: 'pass', score: 10, summary: `${dated} packages dated`, findings: [] };
  },
});

const registryChecks = (CHECKS as readonly CheckDefinition<unknown>[]).filter((c) => typeof c.wants === 'function');
const checks: CheckDefinition<any>[] = registryChecks.length > 0 ? [...registryChecks] : [benchLocalCheck];

const dir = mkdtempSync(path.join(os.tmpdir(), 'sw-bench-registry-'));
const fake = await FakeRegistry.start();
try {
  const npmNames = Array.from({ length: NPM_POOL }, (_, i) => (i % 5 === 0 ? `@bench/shared-${i}` : `shared-${i}`));
  const pypiNames = Array.from({ length: PYPI_POOL }, (_, i) => `bench_py_${i}`);
  npmNames.forEach((name, i) => fake.add({ ecosystem: 'npm', name, releases: releases(i + 1) }));
  pypiNames.forEach((name, i) => fake.add({ ecosystem: 'pypi', name, releases: releases(1000 + i) }));

  let started = performance.now();
  const rand = prng(42);
  for (let r = 0; r < REPOS; r++) {
    // Most dependencies come from the shared pool; each repository has one of its own.
    const deps = new Set<string>();
    while (deps.size < 15) deps.add(npmNames[Math.floor(rand() * NPM_POOL)]!);
    const own = `only-in-repo-${r}`;
    fake.add({ ecosystem: 'npm', name: own, releases: releases(5000 + r) });
    deps.add(own);
    const py = new Set<string>();
    while (py.size < 3) py.add(pypiNames[Math.floor(rand() * PYPI_POOL)]!);
    createRepo(path.join(dir, 'repos'), {
      name: `service-${String(r).padStart(3, '0')}`,
      commits: [
        {
          date: '2026-06-01T10:00:00Z',
          message: 'init',
          files: {
            'package.json': JSON.stringify({ name: `service-${r}`, version: '1.0.0', dependencies: Object.fromEntries([...deps].map((d) => [d, '^1.0.0'])) }, null, 2),
            'requirements.txt': [...py].map((p) => `${p}==1.0.0`).join('\n') + '\n',
          },
        },
      ],
    });
  }
  const generateMs = performance.now() - started;

  const configText = `database: bench.db\nsources:\n  - type: local\n    paths: ['repos/*']\nregistries: ${JSON.stringify(fake.registries())}\n`;
  writeFileSync(path.join(dir, 'seaworthy.config.yaml'), configText);
  const config = parseConfig(configText, path.join(dir, 'seaworthy.config.yaml'));
  const quiet = createLogger({ quiet: true });
  const round = async () => {
    let stats: FactStats | undefined;
    const before = fake.count();
    const t = performance.now();
    const summary = await crawl(config, {
      dbPath: path.join(dir, 'bench.db'),
      logger: quiet,
      checks,
      facts: (store) => {
        const provider = createRegistryFacts({ registries: config.registries, db: store.db, logger: quiet, renovate: { allowFetch: false } });
        stats = undefined;
        return { ...provider, stats: () => (stats = provider.stats()) };
      },
    });
    const wallMs = performance.now() - t;
    if (summary.status !== 'ok') throw new Error(`bench crawl ended ${summary.status}: ${JSON.stringify(summary.errors.slice(0, 3))}`);
    const requests = fake.count() - before;
    return {
      wallMs: Math.round(wallMs),
      registryRequests: requests,
      requestsPerRepository: Math.round((requests / summary.repositories) * 100) / 100,
      lookups: stats?.lookups ?? 0,
      cacheHits: stats?.cacheHits ?? 0,
      joinedInFlight: stats?.joined ?? 0,
      fetched: stats?.fetched ?? 0,
      undated: stats?.undated ?? 0,
    };
  };
  const cold = await round();
  const warm = await round();
  started = performance.now();
  process.stdout.write(
    JSON.stringify(
      {
        node: process.version,
        cpus: os.cpus().length,
        repositories: REPOS,
        checks: checks.map((c) => c.id),
        checkSource: registryChecks.length > 0 ? 'registry' : 'bench-local stand-in (no registered check declares wants yet)',
        distinctPackages: NPM_POOL + PYPI_POOL + REPOS,
        fleetGenerateMs: Math.round(generateMs),
        cold,
        warm,
      },
      null,
      2,
    ) + '\n',
  );
} finally {
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
}
