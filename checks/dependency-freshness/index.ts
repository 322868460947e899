// Standards: libyear (https://libyear.com/), Renovate configuration (https://docs.renovatebot.com/configuration-options/) and Dependabot options (https://docs.github.com/en/code-security/dependabot/working-with-dependabot/dependabot-options-reference).
import { z } from 'zod';
import { defineCheck, packageKey, statusFromScore, type Ecosystem, type Finding, type PackageRef, type RepoSnapshot } from '../contract.ts';
import { RULES, type Rule } from './rules.ts';
import { dependabotCovers, hasRenovateConfig, scanBots, BOT_READS, type BotScan } from './bots.ts';
import { DEFAULT_IGNORE_PATHS, DEPENDENCY_READS, discover, type Inventory } from './discover.ts';
import { driftOf, driftStats, type Drift } from './drift.ts';
import type { Dependency, DependencySource } from './model.ts';
import { updatePullRequests } from './pulls.ts';
import { scoreOf } from './score.ts';

const options = z
  .object({
    passAt: z.number().min(0).max(10).default(8).meta({ description: 'Score at or above which the check passes.' }),
    warnAt: z.number().min(0).max(10).default(5).meta({ description: 'Score at or above which the check warns instead of failing.' }),
    medianGoodYears: z.number().min(0).max(50).default(0.5).meta({ description: 'Median libyears of direct dependencies at or below which the median part earns full points.' }),
    medianBadYears: z.number().min(0).max(50).default(2).meta({ description: 'Median libyears at or above which the median part earns nothing.' }),
    p90GoodYears: z.number().min(0).max(50).default(1.5).meta({ description: '90th-percentile libyears at or below which the long-tail part earns full points.' }),
    p90BadYears: z.number().min(0).max(50).default(4).meta({ description: '90th-percentile libyears at or above which the long-tail part earns nothing.' }),
    majorsBehindShareBad: z.number().gt(0).max(1).default(0.25).meta({ description: 'Share of direct dependencies more than one major version behind at which the majors part earns nothing.' }),
    staleDependencyYears: z.number().min(0).max(50).default(1).meta({ description: 'A direct dependency this many libyears behind (or more than one major behind) gets its own finding.' }),
    maxDependencyFindings: z.int().min(0).max(1000).default(20).meta({ description: 'At most this many per-dependency findings, worst first.' }),
    stalePullRequestDays: z.int().min(1).max(3650).default(14).meta({ description: 'An open Renovate or Dependabot pull request older than this many days is reported as waiting.' }),
    ignorePaths: z.array(z.string().min(1)).default(DEFAULT_IGNORE_PATHS).meta({ description: 'Glob patterns (picomatch) of paths whose lockfiles and manifests are left out: vendored code, caches, fixtures and examples. Setting it replaces the default list.' }),
  })
  .strict()
  .refine((o) => o.medianGoodYears < o.medianBadYears, { message: 'medianGoodYears must be below medianBadYears', path: ['medianGoodYears'] })
  .refine((o) => o.p90GoodYears < o.p90BadYears, { message: 'p90GoodYears must be below p90BadYears', path: ['p90GoodYears'] })
  .refine((o) => o.warnAt <= o.passAt, { message: 'warnAt must not be above passAt', path: ['warnAt'] });
type Options = z.output<typeof options>;

// wants() and run() see the same snapshot: read its files once.
const inventories = new WeakMap<RepoSnapshot, { ignorePaths: readonly string[]; inventory: Inventory }>();
function inventoryOf(snapshot: RepoSnapshot, o: Options): Inventory {
  const cached = inventories.get(snapshot);
  if (cached && cached.ignorePaths === o.ignorePaths) return cached.inventory;
  const inventory = discover(snapshot, o.ignorePaths);
  inventories.set(snapshot, { ignorePaths: o.ignorePaths, inventory });
  return inventory;
}

interface Judged {
  source: DependencySource;
  dep: Dependency;
  ecosystem: Ecosystem;
  drift: Drift;
}

/** Lockfiles that record the whole tree, so "0 transitive" means none. */
const TRANSITIVE_FORMATS = new Set(['package-lock', 'go.mod', 'yarn', 'pnpm', 'poetry', 'uv', 'pipfile-lock', 'cargo-lock', 'gemfile-lock']);
const years = (x: number) => (x < 0.05 && x > 0 ? '<0.1' : x.toFixed(1));
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function ref(source: DependencySource, dep: Dependency): PackageRef {
  return { ecosystem: source.ecosystem, name: dep.name };
}

function directDependencies(inventory: Inventory): { source: DependencySource; dep: Dependency }[] {
  return inventory.sources.flatMap((source) => source.dependencies.filter((d) => d.direct).map((dep) => ({ source, dep })));
}

interface Coverage {
  source: DependencySource;
  /** 1 covered, 0.5 covered by a configuration that fails its schema, 0 not covered. */
  credit: number;
  by?: 'Renovate' | 'Dependabot';
  why: string[];
}

function coverageOf(sources: DependencySource[], bots: BotScan): Coverage[] {
  return sources.map((source) => {
    const why: string[] = [];
    let credit = 0;
    let by: Coverage['by'];
    if (bots.renovate) {
      const c = bots.renovate.covers(source);
      if (c.covered) {
        credit = bots.renovate.validation === 'invalid' ? 0.5 : 1;
        by = 'Renovate';
      } else why.push(c.why);
    }
    if (bots.dependabot && bots.dependabot.state !== 'invalid') {
      const c = dependabotCovers(bots.dependabot, source);
      if (c.covered) {
        credit = 1;
        by = 'Dependabot';
      } else why.push(c.why);
    } else if (bots.dependabot) why.push(`${bots.dependabot.path} is invalid`);
    return { source, credit, by, why };
  });
}

export default defineCheck({
  id: 'dependency-freshness',
  meta: {
    title: 'Dependency freshness',
    description: 'Direct dependencies stay close to their newest stable releases, lockfiles pin what is installed, and an update bot that really runs covers every ecosystem the repository uses.',
    category: 'maintenance',
    weight: 2,
    // 2: releases after ctx.now ignored, retired packages dated, one schema finding per mistake.
    version: 2,
    reads: [...DEPENDENCY_READS, ...BOT_READS],
    options,
    rules: RULES,
  },
  wants(snapshot, ctx) {
    const inventory = inventoryOf(snapshot, ctx.options);
    const refs = new Map<string, PackageRef>();
    for (const { source, dep } of directDependencies(inventory)) {
      if (dep.notDatable) continue;
      const r = ref(source, dep);
      refs.set(packageKey(r), r);
    }
    return { packages: [...refs.values()], renovateSchema: hasRenovateConfig(snapshot) };
  },
  run(snapshot, ctx) {
    const o = ctx.options;
    const inventory = inventoryOf(snapshot, o);
    const bots = scanBots(snapshot, ctx.facts.renovateSchema);
    const ignoredNote = inventory.ignored.length > 0 ? `; ${plural(inventory.ignored.length, 'dependency file')} under ignored paths (vendored code, fixtures, examples) left out` : '';

    if (inventory.sources.length === 0) {
      if (inventory.findings.some((f) => f.severity !== 'info')) {
        return { status: 'warn', score: null, summary: `dependency files were found but none could be read${ignoredNote}`, findings: inventory.findings };
      }
      return { status: 'not-applicable', score: null, summary: `No lockfiles or dependency manifests of a supported ecosystem${ignoredNote}.`, findings: inventory.findings };
    }

    // Each direct dependency against its registry's history.
    const judged: Judged[] = directDependencies(inventory).map(({ source, dep }) => {
      if (dep.notDatable) return { source, dep, ecosystem: source.ecosystem, drift: { status: 'undated', reason: dep.notDatable } };
      const lookup = ctx.facts.packages.get(packageKey(ref(source, dep)));
      const drift: Drift = !lookup
        ? { status: 'undated', reason: 'no registry data was gathered for this package' }
        : lookup.status === 'undated'
          ? { status: 'undated', reason: lookup.reason }
          : driftOf(source.ecosystem, dep.version, lookup.releases, ctx.now);
      return { source, dep, ecosystem: source.ecosystem, drift };
    });

    // Together: the same package at the same version in several lockfiles counts once.
    const unique = new Map<string, Judged>();
    for (const j of judged) {
      const key = `${j.ecosystem}:${j.dep.name}@${j.dep.version}`;
      if (!unique.has(key)) unique.set(key, j);
    }
    const all = [...unique.values()];
    const dated = all.filter((j): j is Judged & { drift: Extract<Drift, { status: 'dated' }> } => j.drift.status === 'dated');
    const undated = all.filter((j): j is Judged & { drift: Extract<Drift, { status: 'undated' }> } => j.drift.status === 'undated');
    const stats = driftStats(dated.map((j) => j.drift.libyears));
    const majorsBehind = dated.filter((j) => j.drift.majorsBehind > 1);
    const majorsBehindShare = dated.length > 0 ? majorsBehind.length / dated.length : 0;

    const headline: Finding<Rule>[] = [];
    const detail: Finding<Rule>[] = [];

    // Update bots.
    const judgedSources = inventory.sources.filter((s) => s.ok && (s.dependencies.length > 0 || s.unpinned.length > 0));
    const coverage = coverageOf(judgedSources, bots);
    const botCoverage = coverage.length > 0 ? coverage.reduce((sum, c) => sum + c.credit, 0) / coverage.length : 0;
    const noBot = !bots.renovate && !bots.dependabot;
    if (noBot) {
      headline.push({ rule: 'no-update-bot', severity: 'high', message: 'no update bot: neither Renovate nor Dependabot is configured, so nobody is told when a dependency falls behind (add renovate.json or .github/dependabot.yml)' });
    } else {
      for (const c of coverage) {
        if (c.credit === 0) headline.push({ rule: 'not-covered-by-bot', severity: 'medium', path: c.source.path, message: `not covered by an update bot: ${c.why.join('; ')}` });
      }
    }
    headline.push(...bots.findings);
    if (bots.renovate?.validation === 'invalid') {
      headline.push({ rule: 'invalid-renovate-config', severity: 'medium', path: bots.renovate.path, message: `the Renovate configuration fails Renovate's schema with ${plural(bots.renovate.schemaErrors, 'error')}; Renovate refuses invalid options and opens a "config error" issue instead of updating (counted as half an update bot)` });
    }
    if (bots.schemaSkipped && bots.renovate && bots.renovate.state !== 'unparseable') {
      headline.push({ rule: 'renovate-schema-not-checked', severity: 'low', path: bots.renovate.path, message: `Renovate schema validation skipped: ${bots.schemaSkipped}` });
    }

    // Lockfiles.
    const unlocked = inventory.lockCoverage.filter((l) => !l.lockfile);
    const lockfileShare = inventory.lockCoverage.length > 0 ? 1 - unlocked.length / inventory.lockCoverage.length : 1;
    for (const l of unlocked) {
      const name = l.manifest.split('/').pop();
      const expected = name === 'package.json' ? 'package-lock.json, yarn.lock or pnpm-lock.yaml' : name === 'pyproject.toml' ? 'poetry.lock, uv.lock or pdm.lock' : name === 'Pipfile' ? 'Pipfile.lock' : name === 'Cargo.toml' ? 'Cargo.lock' : name === 'go.mod' ? 'go.sum' : name === 'gems.rb' ? 'gems.locked' : name === 'Gemfile' ? 'Gemfile.lock' : 'exact == pins for every requirement';
      headline.push({ rule: 'no-lockfile', severity: 'medium', path: l.manifest, message: name?.includes('requirements') ? 'not every requirement is pinned with ==: installs differ from one day to the next' : `no committed lockfile (${expected}): installs differ from one day to the next, and versions in use cannot be dated` });
    }

    // Dates the registries could not give.
    if (undated.length > 0) {
      const byReason = new Map<string, string[]>();
      for (const j of undated) {
        const names = byReason.get(j.drift.reason) ?? [];
        names.push(`${j.dep.name}@${j.dep.version}`);
        byReason.set(j.drift.reason, names);
      }
      for (const [reason, names] of byReason) {
        headline.push({ rule: 'undated-dependency', severity: 'low', message: `${plural(names.length, 'direct dependency', 'direct dependencies')} could not be dated and ${names.length === 1 ? 'is' : 'are'} left out of the drift (${reason}): ${names.slice(0, 8).join(', ')}${names.length > 8 ? `, and ${names.length - 8} more` : ''}` });
      }
    }
    // Retired packages: nothing to upgrade to, only to replace.
    for (const j of dated.filter((x) => x.drift.retired)) {
      headline.push({ rule: 'retired-package', severity: 'medium', path: j.source.path, ...(j.dep.line ? { line: j.dep.line } : {}), message: `${j.dep.name} ${j.dep.version}: every release is deprecated on the registry, so the package is retired; replace it (its drift is measured to its last release, ${j.drift.newest})` });
    }
    for (const s of inventory.sources) headline.push(...s.findings.filter((f) => f.severity !== 'info'));
    headline.push(...inventory.findings.filter((f) => f.severity !== 'info'));

    // The oldest direct dependencies, each where it is pinned.
    const stale = dated
      .filter((j) => j.drift.libyears >= o.staleDependencyYears || j.drift.majorsBehind > 1)
      .sort((a, b) => b.drift.libyears - a.drift.libyears || b.drift.majorsBehind - a.drift.majorsBehind || (a.dep.name < b.dep.name ? -1 : 1));
    for (const j of stale.slice(0, o.maxDependencyFindings)) {
      const d = j.drift;
      detail.push({
        rule: 'dependency-behind',
        severity: d.majorsBehind > 1 || d.libyears >= 2 * Math.max(o.staleDependencyYears, 0.5) ? 'medium' : 'low',
        path: j.source.path,
        ...(j.dep.line ? { line: j.dep.line } : {}),
        message: `${j.dep.name} ${j.dep.version} is ${years(d.libyears)} libyears behind ${d.newest} (${[d.majorsBehind > 0 ? plural(d.majorsBehind, 'major') : undefined, plural(d.releasesBehind, 'release')].filter(Boolean).join(', ')} behind)`,
      });
    }
    if (stale.length > o.maxDependencyFindings) detail.push({ rule: 'dependency-behind', severity: 'low', message: `${stale.length - o.maxDependencyFindings} more direct dependencies are at least ${o.staleDependencyYears} libyears or more than one major behind` });

    for (const s of inventory.sources) {
      if (s.unpinned.length > 0) {
        detail.push({ rule: 'unpinned-dependency', severity: 'info', path: s.path, ...(s.unpinned[0]!.line ? { line: s.unpinned[0]!.line } : {}), message: `${plural(s.unpinned.length, 'direct dependency', 'direct dependencies')} without an exact version here, not judged: ${s.unpinned.slice(0, 6).map((u) => `${u.name} ${u.spec}`).join(', ')}${s.unpinned.length > 6 ? ', …' : ''}` });
      }
    }

    // Per file: each lockfile judged on its own.
    for (const s of inventory.sources) {
      if (!s.ok) continue;
      const mine = judged.filter((j) => j.source === s);
      const mineDated = mine.flatMap((j) => (j.drift.status === 'dated' ? [j.drift.libyears] : []));
      const st = driftStats(mineDated);
      const cov = coverage.find((c) => c.source === s);
      const parts = [`${s.label}: ${plural(mine.length, 'direct dependency', 'direct dependencies')}${s.transitiveCount > 0 || TRANSITIVE_FORMATS.has(s.format) ? `, ${s.transitiveCount} transitive` : ''}`];
      if (mineDated.length > 0) parts.push(`median ${years(st.median)} libyears, p90 ${years(st.p90)}, total ${years(st.total)}`);
      if (mine.length > mineDated.length) parts.push(`${mine.length - mineDated.length} undated`);
      if (cov?.by) parts.push(`updated by ${cov.by}`);
      detail.push({ rule: 'drift-summary', severity: 'info', path: s.path, message: parts.join('; ') });
    }

    // Update pull requests waiting for a review.
    const prs = updatePullRequests(snapshot.pullRequests, ctx.now, o.stalePullRequestDays);
    detail.push(...prs.findings);

    // Bot in words.
    const ecosystems = [...new Set(coverage.map((c) => c.source.ecosystem))].sort();
    const coveredEcosystems = ecosystems.filter((e) => coverage.filter((c) => c.source.ecosystem === e).every((c) => c.credit > 0));
    const covering = [...new Set(coverage.flatMap((c) => (c.by ? [c.by] : [])))];
    const coveringBots = `${covering.join(' and ')} ${covering.length > 1 ? 'cover' : 'covers'}`;
    let botWords: string;
    if (noBot) botWords = 'no update bot';
    else if (coverage.every((c) => c.credit === 0)) {
      botWords =
        bots.renovate?.state === 'disabled' ? 'Renovate switched off'
        : bots.renovate?.state === 'unparseable' ? 'Renovate configuration unreadable'
        : bots.dependabot?.state === 'invalid' ? 'Dependabot configuration invalid'
        : bots.dependabot?.state === 'off' ? 'Dependabot version updates off'
        : `update bot covers none of ${ecosystems.join(', ')}`;
    } else if (coveredEcosystems.length === ecosystems.length) botWords = `${coveringBots} ${ecosystems.join(', ')}`;
    else botWords = `${coveringBots} ${coveredEcosystems.join(', ') || 'part of the files'} but not ${ecosystems.filter((e) => !coveredEcosystems.includes(e)).join(', ')}`;
    if (bots.renovate?.validation === 'invalid') botWords += ` (configuration fails its schema: ${plural(bots.renovate.schemaErrors, 'error')})`;
    const lockWords = inventory.lockCoverage.length === 0 ? undefined : unlocked.length === 0 ? 'lockfiles committed' : `${unlocked.length} of ${plural(inventory.lockCoverage.length, 'manifest')} without a lockfile`;
    const tail = [botWords, lockWords, prs.summary, bots.schemaSkipped && bots.renovate && bots.renovate.state !== 'unparseable' ? `Renovate schema validation skipped: ${bots.schemaSkipped}` : undefined].filter(Boolean);

    const findings = [...headline, ...detail];
    if (dated.length === 0) {
      // Without release dates nothing says whether dependencies are fresh: no score, and no pass.
      const why = undated.length === 0 ? 'no direct dependency with an exact version to date' : `release dates unavailable for ${plural(undated.length, 'direct dependency', 'direct dependencies')} (${[...new Set(undated.map((j) => j.drift.reason))].slice(0, 2).join('; ')})`;
      return { status: 'warn', score: null, summary: [`Freshness not judged: ${why}`, ...tail].join('; ') + ignoredNote, findings };
    }

    const score = scoreOf({ medianYears: stats.median, p90Years: stats.p90, majorsBehindShare, botCoverage, lockfileShare }, o);
    const oldest = [...dated].sort((a, b) => b.drift.libyears - a.drift.libyears).filter((j) => j.drift.libyears > 0).slice(0, 3);
    const driftWords = [
      `median ${years(stats.median)} libyears (p90 ${years(stats.p90)}, total ${years(stats.total)}) over ${dated.length}${undated.length ? ` of ${all.length}` : ''} direct dependencies`,
      majorsBehind.length > 0 ? `${majorsBehind.length} more than one major behind` : undefined,
      oldest.length > 0 ? `oldest: ${oldest.map((j) => `${j.dep.name} (${years(j.drift.libyears)}y)`).join(', ')}` : 'all current',
    ].filter(Boolean);
    return { status: statusFromScore(score, o), score, summary: [...driftWords, ...tail].join('; ') + ignoredNote, findings };
  },
});

export type { Options as DependencyFreshnessOptions };
