// Standards: libyear (https://libyear.com/), Renovate configuration (https://docs.renovatebot.com/configuration-options/) and Dependabot options (https://docs.github.com/en/code-security/dependabot/working-with-dependabot/dependabot-options-reference).
import { z } from 'zod';
import { defineCheck, packageKey, statusFromScore, type Ecosystem, type Finding, type PackageRef, type RepoSnapshot } from '../contract.ts';
import { RULES, type Rule } from './rules.ts';
import { dependabotCovers, hasDependabotConfig, hasRenovateConfig, scanBots, BOT_READS, type BotScan } from './bots.ts';
import { DEFAULT_IGNORE_PATHS, DEFAULT_NON_PRODUCT_PATHS, DEPENDENCY_READS, discover, type Inventory } from './discover.ts';
import { driftOf, driftStats, newestAllowed, releasedBy, type Drift } from './drift.ts';
import { clip, isReadOnly, type Dependency, type DependencySource, type SourceEcosystem } from './model.ts';
import { invalidPackageName } from './versions.ts';
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
    nonProductPaths: z.array(z.string().min(1)).default(DEFAULT_NON_PRODUCT_PATHS).meta({ description: 'Glob patterns (picomatch) of trees that are not the product (tests, end-to-end suites, docs sites, demos): their dependencies stay out of the drift, while update-bot coverage of them still counts when nothing else is there. Setting it replaces the default list.' }),
    minDatedShare: z.number().min(0).max(1).default(0.5).meta({ description: 'Share of the datable direct dependencies that must have release dates for the drift to be judged; below it the check warns "partially judged (N of M dated)" without a score.' }),
  })
  .strict()
  .refine((o) => o.medianGoodYears < o.medianBadYears, { message: 'medianGoodYears must be below medianBadYears', path: ['medianGoodYears'] })
  .refine((o) => o.p90GoodYears < o.p90BadYears, { message: 'p90GoodYears must be below p90BadYears', path: ['p90GoodYears'] })
  .refine((o) => o.warnAt <= o.passAt, { message: 'warnAt must not be above passAt', path: ['warnAt'] });
type Options = z.output<typeof options>;

// wants() and run() see the same snapshot: read its files once.
const inventories = new WeakMap<RepoSnapshot, { ignorePaths: readonly string[]; nonProductPaths: readonly string[]; inventory: Inventory }>();
function inventoryOf(snapshot: RepoSnapshot, o: Options): Inventory {
  const cached = inventories.get(snapshot);
  if (cached && cached.ignorePaths === o.ignorePaths && cached.nonProductPaths === o.nonProductPaths) return cached.inventory;
  const inventory = discover(snapshot, o.ignorePaths, o.nonProductPaths);
  inventories.set(snapshot, { ignorePaths: o.ignorePaths, nonProductPaths: o.nonProductPaths, inventory });
  return inventory;
}

interface Judged {
  source: DependencySource;
  dep: Dependency;
  ecosystem: Ecosystem;
  /** The version judged: the pinned one, or for a constraint the newest release it allows. */
  version: string;
  drift: Drift;
}

/** Lockfiles that record the whole tree, so "0 transitive" means none. */
const TRANSITIVE_FORMATS = new Set(['package-lock', 'go.mod', 'yarn', 'pnpm', 'poetry', 'uv', 'pipfile-lock', 'cargo-lock', 'gemfile-lock']);
const years = (x: number) => (x < 0.05 && x > 0 ? '<0.1' : x.toFixed(1));
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

type RegistrySource = DependencySource & { ecosystem: Ecosystem };
const isRegistrySource = (s: DependencySource): s is RegistrySource => !isReadOnly(s.ecosystem);

function ref(source: RegistrySource, dep: Dependency): PackageRef {
  return { ecosystem: source.ecosystem, name: dep.name };
}

/** Direct dependencies that enter the drift: registry ecosystems, in the product (not test or docs trees). */
function directDependencies(inventory: Inventory): { source: RegistrySource; dep: Dependency }[] {
  return inventory.sources.filter((s): s is RegistrySource => isRegistrySource(s) && !s.nonProduct).flatMap((source) => source.dependencies.filter((d) => d.direct).map((dep) => ({ source, dep })));
}

/** Why a dependency is never asked about: it is not from the registry, or its name is not one the registry could hold. */
function notAsked(source: RegistrySource, dep: Dependency): string | undefined {
  if (dep.notDatable) return dep.notDatable;
  const bad = invalidPackageName(source.ecosystem, dep.name);
  return bad ? `not a valid ${source.ecosystem} package name: ${bad}` : undefined;
}

interface Coverage {
  source: DependencySource;
  /** 1 covered; less for a configuration that fails its schema (half) or leaves part of the updates out; 0 not covered. */
  credit: number;
  by?: 'Renovate' | 'Dependabot';
  why: string[];
  /** What a covering bot leaves out (majors ignored, security updates only). */
  gap?: string;
}

function coverageOf(sources: DependencySource[], bots: BotScan): Coverage[] {
  return sources.map((source) => {
    const why: string[] = [];
    let credit = 0;
    let by: Coverage['by'];
    let gap: string | undefined;
    if (bots.renovate) {
      const c = bots.renovate.covers(source);
      if (c.covered) {
        credit = c.credit * (bots.renovate.validation === 'invalid' ? 0.5 : 1);
        by = 'Renovate';
        gap = c.gap;
      } else why.push(c.why);
    }
    if (bots.dependabot && bots.dependabot.state !== 'invalid') {
      const c = dependabotCovers(bots.dependabot, source);
      if (c.covered) {
        if (c.credit > credit) {
          credit = c.credit;
          by = 'Dependabot';
          gap = c.gap;
        }
      } else why.push(c.why);
    } else if (bots.dependabot) why.push(`${bots.dependabot.path} is invalid`);
    return { source, credit, by, why, ...(gap && credit < 1 ? { gap } : {}) };
  });
}

/**
 * Tooling pins — workflow actions, container base images, Terraform modules — weigh less than the
 * ecosystems the product is built from: a bot that keeps every library current but not the actions
 * is most of a bot. Together they count for TOOLING_SHARE of the coverage when both kinds exist.
 */
const TOOLING: ReadonlySet<SourceEcosystem> = new Set(['github-actions', 'docker', 'terraform-module']);
export const TOOLING_SHARE = 0.2;

const meanOver = (groups: number[][]): number => (groups.length === 0 ? 0 : groups.reduce((sum, g) => sum + g.reduce((a, b) => a + b, 0) / g.length, 0) / groups.length);

/** Share (0–1) of the ecosystems an update bot covers: each ecosystem the mean of its files. Test and docs trees count only when nothing else is there. */
export function botCoverageOf(coverage: readonly Coverage[]): number {
  const product = coverage.filter((c) => !c.source.nonProduct);
  const counted = product.length > 0 ? product : coverage;
  const byEcosystem = new Map<SourceEcosystem, number[]>();
  for (const c of counted) byEcosystem.set(c.source.ecosystem, [...(byEcosystem.get(c.source.ecosystem) ?? []), c.credit]);
  const app = [...byEcosystem].filter(([e]) => !TOOLING.has(e)).map(([, credits]) => credits);
  const tooling = [...byEcosystem].filter(([e]) => TOOLING.has(e)).map(([, credits]) => credits);
  if (app.length === 0) return meanOver(tooling);
  if (tooling.length === 0) return meanOver(app);
  return (1 - TOOLING_SHARE) * meanOver(app) + TOOLING_SHARE * meanOver(tooling);
}

export default defineCheck({
  id: 'dependency-freshness',
  meta: {
    title: 'Dependency freshness',
    description: 'Direct dependencies stay close to their newest stable releases, lockfiles pin what is installed, and an update bot that really runs covers every ecosystem the repository uses.',
    category: 'maintenance',
    weight: 2,
    // 2: releases after ctx.now ignored, retired packages dated, one schema finding per mistake.
    // 3: Dependabot's maintained schema, partial bot credit, per-ecosystem coverage, Actions/Docker/Helm/
    //    Hex/Packagist/NuGet read, Terraform without a lockfile, test trees out of the drift, "partially
    //    judged" below minDatedShare, names validated, mirror-rewritten dates not judged; Dependabot schema
    //    errors where the schema may be stricter than GitHub are low findings, not a rejected file; an
    //    product lockfile too large to read leaves the rest "partially judged".
    version: 3,
    reads: [...DEPENDENCY_READS, ...BOT_READS],
    options,
    rules: RULES,
  },
  wants(snapshot, ctx) {
    const inventory = inventoryOf(snapshot, ctx.options);
    const refs = new Map<string, PackageRef>();
    for (const { source, dep } of directDependencies(inventory)) {
      if (notAsked(source, dep)) continue;
      const r = ref(source, dep);
      refs.set(packageKey(r), r);
    }
    return { packages: [...refs.values()], renovateSchema: hasRenovateConfig(snapshot), dependabotSchema: hasDependabotConfig(snapshot) };
  },
  run(snapshot, ctx) {
    const o = ctx.options;
    const inventory = inventoryOf(snapshot, o);
    const bots = scanBots(snapshot, ctx.facts.renovateSchema, ctx.facts.dependabotSchema);
    const ignoredNote = inventory.ignored.length > 0 ? `; ${plural(inventory.ignored.length, 'dependency file')} under ignored paths (vendored code, fixtures, examples) left out` : '';

    if (inventory.sources.length === 0) {
      if (inventory.findings.some((f) => f.severity !== 'info')) {
        const unread = inventory.unreadLockfiles;
        const what = unread.length > 0 ? `${plural(unread.length, 'lockfile')} not read: ${unread.slice(0, 3).map((p) => clip(p)).join(', ')}${unread.length > 3 ? ', …' : ''}` : 'dependency files were found but none could be read';
        return { status: 'warn', score: null, summary: `Freshness not judged: ${what}${ignoredNote}`, findings: inventory.findings };
      }
      return { status: 'not-applicable', score: null, summary: `No lockfiles or dependency manifests of a supported ecosystem${ignoredNote}.`, findings: inventory.findings };
    }

    // Each direct dependency against its registry's history.
    const invalidNames: Judged[] = [];
    const judged: Judged[] = directDependencies(inventory).map(({ source, dep }) => {
      const base = { source, dep, ecosystem: source.ecosystem, version: dep.version };
      const skip = notAsked(source, dep);
      if (skip) {
        const j: Judged = { ...base, drift: { status: 'undated', reason: skip } };
        if (!dep.notDatable) invalidNames.push(j);
        return j;
      }
      const lookup = ctx.facts.packages.get(packageKey(ref(source, dep)));
      if (!lookup) return { ...base, drift: { status: 'undated', reason: 'no registry data was gathered for this package' } };
      if (lookup.status === 'undated') return { ...base, drift: { status: 'undated', reason: lookup.reason } };
      if (dep.constraint !== undefined) {
        // No lockfile: what `terraform init` installs today is the newest release the constraint allows.
        const allowed = newestAllowed(dep.constraint, releasedBy(lookup.releases, ctx.now));
        if ('error' in allowed) return { ...base, drift: { status: 'undated', reason: allowed.error } };
        return { ...base, version: allowed.version, drift: driftOf(source.ecosystem, allowed.version, lookup.releases, ctx.now) };
      }
      return { ...base, drift: driftOf(source.ecosystem, dep.version, lookup.releases, ctx.now) };
    });

    // Together: the same package at the same version in several lockfiles counts once.
    const unique = new Map<string, Judged>();
    for (const j of judged) {
      const key = `${j.ecosystem}:${j.dep.name}@${j.version}`;
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
    const botCoverage = botCoverageOf(coverage);
    const noBot = !bots.renovate && !bots.dependabot;
    if (noBot) {
      headline.push({ rule: 'no-update-bot', severity: 'high', message: 'no update bot: neither Renovate nor Dependabot is configured, so nobody is told when a dependency falls behind (add renovate.json or .github/dependabot.yml)' });
    } else {
      for (const c of coverage) {
        if (c.credit === 0) headline.push({ rule: 'not-covered-by-bot', severity: c.source.nonProduct ? 'info' : isReadOnly(c.source.ecosystem) ? 'low' : 'medium', path: c.source.path, message: `not covered by an update bot: ${c.why.join('; ')}` });
      }
      const gaps = new Map<string, string[]>();
      for (const c of coverage) if (c.gap && !c.source.nonProduct) gaps.set(c.gap, [...(gaps.get(c.gap) ?? []), c.source.path]);
      for (const [gap, paths] of gaps) {
        // Dependabot's gaps are reported where its configuration says them; Renovate's here, per gap.
        if (gap.startsWith('Dependabot:')) continue;
        headline.push({ rule: 'partial-bot-coverage', severity: 'low', path: bots.renovate?.path, message: `Renovate: ${gap}, so those updates are left to people: ${paths.slice(0, 5).join(', ')}${paths.length > 5 ? ', …' : ''}` });
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
      const expected = name === 'package.json' ? 'package-lock.json, yarn.lock or pnpm-lock.yaml' : name === 'pyproject.toml' ? 'poetry.lock, uv.lock or pdm.lock' : name === 'Pipfile' ? 'Pipfile.lock' : name === 'Cargo.toml' ? 'Cargo.lock' : name === 'go.mod' ? 'go.sum' : name === 'gems.rb' ? 'gems.locked' : name === 'Gemfile' ? 'Gemfile.lock' : name === 'composer.json' ? 'composer.lock' : name === 'mix.exs' ? 'mix.lock' : name?.endsWith('.tf') ? '.terraform.lock.hcl' : 'exact == pins for every requirement';
      headline.push({ rule: 'no-lockfile', severity: 'medium', path: l.manifest, message: name?.includes('requirements') ? 'not every requirement is pinned with ==: installs differ from one day to the next' : `no committed lockfile (${expected}): installs differ from one day to the next, and versions in use cannot be dated` });
    }

    // Dates the registries could not give.
    if (undated.length > 0) {
      const byReason = new Map<string, string[]>();
      for (const j of undated) {
        const names = byReason.get(j.drift.reason) ?? [];
        names.push(`${clip(j.dep.name)}@${clip(j.version, 40)}`);
        byReason.set(j.drift.reason, names);
      }
      for (const [reason, names] of byReason) {
        headline.push({ rule: /^release dates look rewritten/.test(reason) ? 'rewritten-release-dates' : /^not a valid .* package name/.test(reason) ? 'invalid-package-name' : 'undated-dependency', severity: 'low', message: `${plural(names.length, 'direct dependency', 'direct dependencies')} could not be dated and ${names.length === 1 ? 'is' : 'are'} left out of the drift (${reason}): ${names.slice(0, 8).join(', ')}${names.length > 8 ? `, and ${names.length - 8} more` : ''}` });
      }
    }
    // Retired packages: nothing to upgrade to, only to replace.
    for (const j of dated.filter((x) => x.drift.retired)) {
      headline.push({ rule: 'retired-package', severity: 'medium', path: j.source.path, ...(j.dep.line ? { line: j.dep.line } : {}), message: `${clip(j.dep.name)} ${clip(j.version, 40)}: every release is deprecated on the registry, so the package is retired; replace it (its drift is measured to its last release, ${j.drift.newest})` });
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
        message: `${clip(j.dep.name)} ${clip(j.version, 40)}${j.dep.constraint !== undefined ? ` (newest release allowed by ${j.dep.constraint ? `"${clip(j.dep.constraint, 40)}"` : 'no constraint'}, no lockfile)` : ''} is ${years(d.libyears)} libyears behind ${d.newest} (${[d.majorsBehind > 0 ? plural(d.majorsBehind, 'major') : undefined, plural(d.releasesBehind, 'release')].filter(Boolean).join(', ')} behind)`,
      });
    }
    if (stale.length > o.maxDependencyFindings) detail.push({ rule: 'dependency-behind', severity: 'low', message: `${stale.length - o.maxDependencyFindings} more direct dependencies are at least ${o.staleDependencyYears} libyears or more than one major behind` });

    for (const s of inventory.sources) {
      if (s.unpinned.length > 0) {
        detail.push({ rule: 'unpinned-dependency', severity: 'info', path: s.path, ...(s.unpinned[0]!.line ? { line: s.unpinned[0]!.line } : {}), message: `${plural(s.unpinned.length, 'direct dependency', 'direct dependencies')} without an exact version here, not judged: ${s.unpinned.slice(0, 6).map((u) => `${clip(u.name)} ${clip(u.spec, 40)}`).join(', ')}${s.unpinned.length > 6 ? ', …' : ''}` });
      }
    }

    // Per file: each lockfile judged on its own.
    for (const s of inventory.sources) {
      if (!s.ok) continue;
      const mine = judged.filter((j) => j.source === s);
      const mineDated = mine.flatMap((j) => (j.drift.status === 'dated' ? [j.drift.libyears] : []));
      const st = driftStats(mineDated);
      const cov = coverage.find((c) => c.source === s);
      if (isReadOnly(s.ecosystem) || s.nonProduct) {
        const pinned = s.dependencies.filter((d) => d.direct).length;
        const parts = [`${s.label}: ${plural(pinned, 'pinned dependency', 'pinned dependencies')}${s.unpinned.length ? `, ${s.unpinned.length} unpinned` : ''}`, s.nonProduct ? 'not the product (test, docs or demo tree): left out of the drift' : `read for update-bot coverage, not dated (no registry client for ${s.ecosystem})`];
        if (cov?.by) parts.push(`updated by ${cov.by}`);
        detail.push({ rule: 'drift-summary', severity: 'info', path: s.path, message: parts.join('; ') });
        continue;
      }
      const parts = [`${s.label}: ${plural(mine.length, 'direct dependency', 'direct dependencies')}${s.transitiveCount > 0 || TRANSITIVE_FORMATS.has(s.format) ? `, ${s.transitiveCount} transitive` : ''}`];
      if (mineDated.length > 0) parts.push(`median ${years(st.median)} libyears, p90 ${years(st.p90)}, total ${years(st.total)}`);
      if (mine.length > mineDated.length) parts.push(`${mine.length - mineDated.length} undated`);
      if (cov?.by) parts.push(`updated by ${cov.by}`);
      detail.push({ rule: 'drift-summary', severity: 'info', path: s.path, message: parts.join('; ') });
    }

    // Update pull requests waiting for a review.
    const prs = updatePullRequests(snapshot.pullRequests, ctx.now, o.stalePullRequestDays);
    detail.push(...prs.findings);

    // Bot in words, over the files that count (the product's, when there are any).
    const counted = coverage.some((c) => !c.source.nonProduct) ? coverage.filter((c) => !c.source.nonProduct) : coverage;
    const ecosystems = [...new Set(counted.map((c) => c.source.ecosystem))].sort();
    const coveredEcosystems = ecosystems.filter((e) => counted.filter((c) => c.source.ecosystem === e).every((c) => c.credit > 0));
    const partlyCovered = ecosystems.filter((e) => !coveredEcosystems.includes(e) && counted.some((c) => c.source.ecosystem === e && c.credit > 0));
    const partlyWords = (e: string) => {
      const files = counted.filter((c) => c.source.ecosystem === e);
      return `${e} (${files.filter((c) => c.credit > 0).length} of ${files.length} files)`;
    };
    const covering = [...new Set(counted.flatMap((c) => (c.by ? [c.by] : [])))];
    const coveringBots = `${covering.join(' and ')} ${covering.length > 1 ? 'cover' : 'covers'}`;
    let botWords: string;
    if (noBot) botWords = 'no update bot';
    else if (counted.every((c) => c.credit === 0)) {
      botWords =
        bots.renovate?.state === 'disabled' ? 'Renovate switched off'
        : bots.renovate?.state === 'unparseable' ? 'Renovate configuration unreadable'
        : bots.dependabot?.state === 'invalid' ? 'Dependabot configuration invalid'
        : bots.dependabot?.state === 'off' ? 'Dependabot version updates off'
        : `update bot covers none of ${ecosystems.join(', ')}`;
    } else if (coveredEcosystems.length === ecosystems.length) botWords = `${coveringBots} ${ecosystems.join(', ')}`;
    else {
      const some = [...coveredEcosystems, ...partlyCovered.map(partlyWords)].join(', ');
      const none = ecosystems.filter((e) => !coveredEcosystems.includes(e) && !partlyCovered.includes(e));
      botWords = `${coveringBots} ${some}${none.length > 0 ? ` but not ${none.join(', ')}` : ''}`;
    }
    const partial = [...new Set(counted.filter((c) => c.gap && c.credit > 0).map((c) => c.source.ecosystem))];
    if (!noBot && partial.length > 0) botWords += ` (part of the updates switched off for ${partial.join(', ')})`;
    if (bots.renovate?.validation === 'invalid') botWords += ` (configuration fails its schema: ${plural(bots.renovate.schemaErrors, 'error')})`;
    const lockWords = inventory.lockCoverage.length === 0 ? undefined : unlocked.length === 0 ? 'lockfiles committed' : `${unlocked.length} of ${plural(inventory.lockCoverage.length, 'manifest')} without a lockfile`;
    const tail = [botWords, lockWords, prs.summary, bots.schemaSkipped && bots.renovate && bots.renovate.state !== 'unparseable' ? `Renovate schema validation skipped: ${bots.schemaSkipped}` : undefined].filter(Boolean);

    if (bots.dependabot && bots.dependabotSchemaSkipped) {
      headline.push({ rule: 'dependabot-schema-not-checked', severity: 'low', path: bots.dependabot.path, message: `Dependabot schema validation skipped: ${bots.dependabotSchemaSkipped}; only what GitHub certainly refuses (unreadable YAML, a version other than 2, no updates) was checked` });
    }

    // A drift measured on a sliver of the dependencies says little about the rest: no score, and no pass.
    // The product's libraries in ecosystems no client dates (Hex, Packagist, NuGet, Helm charts) count
    // among what should have been dated; tooling pins (actions, base images, modules) do not.
    const undatableLibraries = new Set(inventory.sources.filter((src) => isReadOnly(src.ecosystem) && !TOOLING.has(src.ecosystem) && !src.nonProduct).flatMap((src) => src.dependencies.filter((d) => d.direct).map((d) => `${src.ecosystem}:${d.name}@${d.version}`)));
    const datable = [...all.filter((j) => !j.dep.notDatable), ...undatableLibraries];
    const datedShare = datable.length > 0 ? dated.length / datable.length : 0;
    // A product lockfile that could not be read hides an unknown number of direct dependencies: the
    // share cannot be known, so the rest is not scored either (a 1 MB lockfile is usually the main one).
    const unreadLocks = inventory.unreadLockfiles;
    const unreadWords = unreadLocks.length > 0 ? `${plural(unreadLocks.length, 'lockfile')} not read: ${unreadLocks.slice(0, 3).map((p) => clip(p)).join(', ')}${unreadLocks.length > 3 ? ', …' : ''}` : undefined;
    const sliver = dated.length > 0 && (datedShare < o.minDatedShare || unreadLocks.length > 0);
    if (sliver && datedShare < o.minDatedShare) {
      headline.push({ rule: 'partially-judged', severity: 'low', message: `only ${dated.length} of ${datable.length} direct dependencies could be dated (${Math.round(datedShare * 100)} %, below the ${Math.round(o.minDatedShare * 100)} % needed): the drift is not scored` });
    }
    if (unreadLocks.length > 0) {
      headline.push({ rule: 'partially-judged', severity: 'low', path: unreadLocks[0], message: `${unreadWords} (see its finding; a file over crawl.maxFileBytes is not read): the direct dependencies it pins are unknown, so ${dated.length > 0 ? `the drift of the ${dated.length} dated is not scored` : 'the drift is not judged'}` });
    }

    const findings = [...headline, ...detail];
    if (sliver) {
      const clientless = [...new Set([...undatableLibraries].map((k) => k.slice(0, k.indexOf(':'))))];
      const reasons = [...(undatableLibraries.size > 0 ? [`${undatableLibraries.size} in ${clientless.join(', ')}, which no registry client dates`] : []), ...new Set(undated.map((j) => j.drift.reason))].slice(0, 2).join('; ');
      const counted = unreadLocks.length > 0 ? `${dated.length} of ${datable.length}+ dated, ${unreadWords}` : `${dated.length} of ${datable.length} dated`;
      return { status: 'warn', score: null, summary: [`Freshness not judged: partially judged (${counted}${reasons ? `; the others: ${reasons}` : ''})`, ...tail].join('; ') + ignoredNote, findings };
    }
    if (dated.length === 0) {
      // Without release dates nothing says whether dependencies are fresh: no score, and no pass.
      const why = unreadWords && undated.length === 0 ? unreadWords : undated.length === 0 ? 'no direct dependency with an exact version to date' : `${unreadWords ? `${unreadWords}; ` : ''}release dates unavailable for ${plural(undated.length, 'direct dependency', 'direct dependencies')} (${[...new Set(undated.map((j) => j.drift.reason))].slice(0, 2).join('; ')})`;
      return { status: 'warn', score: null, summary: [`Freshness not judged: ${why}`, ...tail].join('; ') + ignoredNote, findings };
    }

    const score = scoreOf({ medianYears: stats.median, p90Years: stats.p90, majorsBehindShare, botCoverage, lockfileShare }, o);
    const oldest = [...dated].sort((a, b) => b.drift.libyears - a.drift.libyears).filter((j) => j.drift.libyears > 0).slice(0, 3);
    const driftWords = [
      `median ${years(stats.median)} libyears (p90 ${years(stats.p90)}, total ${years(stats.total)}) over ${dated.length}${undated.length ? ` of ${all.length}` : ''} direct dependencies`,
      majorsBehind.length > 0 ? `${majorsBehind.length} more than one major behind` : undefined,
      oldest.length > 0 ? `oldest: ${oldest.map((j) => `${clip(j.dep.name, 60)} (${years(j.drift.libyears)}y)`).join(', ')}` : 'all current',
    ].filter(Boolean);
    return { status: statusFromScore(score, o), score, summary: [...driftWords, ...tail].join('; ') + ignoredNote, findings };
  },
});

export type { Options as DependencyFreshnessOptions };
