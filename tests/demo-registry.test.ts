// The demo registry must answer every direct dependency the demo fleet declares, at every point of
// its history, with dates that make sense (a version is never used before it was published), and
// tell the intended story: some repositories fresh, some years behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ecosystem, PackageLookup } from '../checks/contract.ts';
import { createRegistryFacts } from '../crawler/facts/provider.ts';
import { openDb } from '../data/db.ts';
import { DEMO_ANCHOR, demoFleetSpecs } from '../fixtures/demo-fleet.ts';
import { DEMO_REGISTRY, startDemoRegistry } from '../fixtures/demo-registry.ts';
import type { FakeRegistry } from '../fixtures/fake-registry.ts';
import { registriesFor } from './registry-helpers.ts';

interface Direct {
  ecosystem: Ecosystem;
  name: string;
  version: string;
  file: string;
}

const section = (toml: string, header: string): string => toml.split(/^\[/m).find((s) => s.startsWith(`${header}]`)) ?? '';

/** Direct dependencies with the locked version, read from a repository's files the simple way. */
function directDependencies(files: Map<string, string>): Direct[] {
  const out: Direct[] = [];
  for (const [file, text] of files) {
    const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/') + 1) : '';
    const base = file.slice(dir.length);
    if (base === 'package.json') {
      const manifest = JSON.parse(text) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
      const lock = JSON.parse(files.get(`${dir}package-lock.json`) ?? '{"packages":{}}') as { packages: Record<string, { version: string }> };
      for (const name of Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })) out.push({ ecosystem: 'npm', name, version: lock.packages[`node_modules/${name}`]?.version ?? '?', file });
    }
    if (base === 'pyproject.toml') {
      const lock = files.get(`${dir}poetry.lock`) ?? '';
      const names = [section(text, 'tool.poetry.dependencies'), section(text, 'tool.poetry.group.dev.dependencies')].flatMap((s) => [...s.matchAll(/^([A-Za-z0-9_.-]+) = /gm)].map((m) => m[1]!)).filter((n) => n !== 'python');
      for (const name of names) out.push({ ecosystem: 'pypi', name, version: new RegExp(`name = "${name}"\\nversion = "([^"]+)"`).exec(lock)?.[1] ?? '?', file });
    }
    if (/^requirements.*\.txt$/.test(base)) for (const m of text.matchAll(/^([A-Za-z0-9_.-]+)==(\S+)$/gm)) out.push({ ecosystem: 'pypi', name: m[1]!, version: m[2]!, file });
    if (base === 'go.mod') for (const m of text.matchAll(/^\t(\S+) (v\S+)$/gm)) out.push({ ecosystem: 'go', name: m[1]!, version: m[2]!, file });
    if (base === 'Gemfile') {
      const lock = files.get(`${dir}Gemfile.lock`) ?? '';
      for (const m of text.matchAll(/^\s*gem "([^"]+)"/gm)) out.push({ ecosystem: 'rubygems', name: m[1]!, version: new RegExp(`^ {4}${m[1]} \\(([^)]+)\\)$`, 'm').exec(lock)?.[1] ?? '?', file });
    }
    if (base === '.terraform.lock.hcl') for (const m of text.matchAll(/provider "registry\.terraform\.io\/([^"]+)" \{\n\s+version\s+= "([^"]+)"/g)) out.push({ ecosystem: 'terraform-provider', name: m[1]!, version: m[2]!, file });
  }
  return out;
}

/** Every repository's direct dependencies after each commit that touched a manifest. */
function fleetHistory(): { repo: string; date: string; deps: Direct[] }[] {
  const points: { repo: string; date: string; deps: Direct[] }[] = [];
  for (const spec of demoFleetSpecs()) {
    const files = new Map<string, string>();
    for (const commit of spec.commits) {
      for (const [file, content] of Object.entries(commit.files)) {
        if (content === null) files.delete(file);
        else if (typeof content === 'string') files.set(file, content);
      }
      points.push({ repo: spec.name, date: commit.date, deps: directDependencies(files) });
    }
  }
  return points;
}

const STABLE: Record<string, RegExp> = { npm: /^\d+\.\d+\.\d+$/, pypi: /^\d+(\.\d+)*$/, go: /^v\d+\.\d+\.\d+(\+incompatible)?$/, rubygems: /^\d+(\.\d+)*$/, 'terraform-provider': /^\d+\.\d+\.\d+$/ };

describe('demo registry', () => {
  let registry: FakeRegistry;
  let lookups: Map<string, PackageLookup>;
  const history = fleetHistory();
  const head = new Map(demoFleetSpecs().map((s) => [s.name, history.filter((p) => p.repo === s.name).at(-1)!.deps]));

  beforeAll(async () => {
    registry = await startDemoRegistry();
    const facts = createRegistryFacts({ registries: registriesFor(registry), db: openDb(':memory:'), env: {} });
    const refs = new Map(history.flatMap((p) => p.deps).map((d) => [`${d.ecosystem}:${d.name}`, { ecosystem: d.ecosystem, name: d.name }]));
    lookups = await facts.packages([...refs.values()]);
  });
  afterAll(() => registry.stop());

  it('covers the ecosystems of the demo fleet', () => {
    const ecosystems = new Set([...head.values()].flat().map((d) => d.ecosystem));
    expect([...ecosystems].sort()).toEqual(['go', 'npm', 'pypi', 'rubygems', 'terraform-provider']);
    expect([...head.values()].flat().length).toBeGreaterThan(50);
  });

  it('knows every direct dependency and every version the fleet ever locked, published before it was used', () => {
    const problems: string[] = [];
    for (const point of history) {
      for (const dep of point.deps) {
        const lookup = lookups.get(`${dep.ecosystem}:${dep.name}`);
        if (lookup?.status !== 'found') {
          problems.push(`${point.repo}: ${dep.ecosystem} ${dep.name} is not served (${lookup?.status === 'undated' ? lookup.reason : 'no answer'})`);
          continue;
        }
        const release = lookup.releases.find((r) => r.version === dep.version);
        if (!release) problems.push(`${point.repo}: ${dep.name} ${dep.version} (${dep.file}) is not among its releases`);
        else if (!release.publishedAt || release.publishedAt > point.date) problems.push(`${point.repo}: ${dep.name} ${dep.version} used on ${point.date.slice(0, 10)} but published ${release.publishedAt}`);
      }
    }
    expect([...new Set(problems)]).toEqual([]);
  });

  it('serves no release after the demo anchor, and some prereleases, yanked and deprecated versions', () => {
    const all = DEMO_REGISTRY.flatMap((p) => p.releases.map((r) => ({ ...r, ecosystem: p.ecosystem })));
    expect(all.filter((r) => r.publishedAt && r.publishedAt > DEMO_ANCHOR.slice(0, 10))).toEqual([]);
    expect(all.some((r) => r.yanked)).toBe(true);
    expect(all.some((r) => r.deprecated)).toBe(true);
    expect(all.filter((r) => !STABLE[r.ecosystem]!.test(r.version)).length).toBeGreaterThanOrEqual(8);
  });

  it('tells the story: fresh, drifting and stale repositories at the anchor', () => {
    const anchor = DEMO_ANCHOR;
    const medianDriftDays = (repo: string): number => {
      const drifts = head.get(repo)!.map((dep) => {
        const lookup = lookups.get(`${dep.ecosystem}:${dep.name}`);
        if (lookup?.status !== 'found') throw new Error(`${dep.name} undated`);
        const used = lookup.releases.find((r) => r.version === dep.version)!.publishedAt!;
        const candidates = lookup.releases.filter((r) => STABLE[dep.ecosystem]!.test(r.version) && !r.yanked && !r.deprecated && r.publishedAt && r.publishedAt <= anchor);
        const newest = candidates.map((r) => r.publishedAt!).sort().at(-1) ?? used;
        return Math.max(0, (Date.parse(newest) - Date.parse(used)) / 86_400_000);
      });
      const sorted = drifts.sort((a, b) => a - b);
      return sorted[Math.floor(sorted.length / 2)]!;
    };
    const drift: Record<string, number> = Object.fromEntries([...head.keys()].filter((r) => head.get(r)!.length > 0).map((r) => [r, Math.round(medianDriftDays(r))]));
    process.stdout.write(`demo median drift (days): ${JSON.stringify(drift)}\n`);
    expect(Object.keys(drift).sort()).toEqual(['checkout-web', 'data-docs', 'data-pipeline', 'experiments-sdk', 'growth-api', 'ledger-service', 'notifications-worker', 'payments-api', 'platform-terraform']);
    for (const fresh of ['payments-api', 'experiments-sdk', 'notifications-worker']) expect(drift[fresh], fresh).toBeLessThan(365);
    for (const stale of ['checkout-web', 'data-docs', 'data-pipeline', 'ledger-service']) expect(drift[stale], stale).toBeGreaterThan(2 * 365);
    for (const drifting of ['growth-api', 'platform-terraform']) expect(drift[drifting], drifting).toBeGreaterThan(180);
    for (const drifting of ['growth-api', 'platform-terraform']) expect(drift[drifting], drifting).toBeLessThan(2 * 365);
    expect(drift['checkout-web']).toBeGreaterThan(drift['payments-api']! + 2 * 365);
  });
});
