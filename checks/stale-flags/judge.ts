// Flags from definitions and references: their type, age and whether they are stale.
import type { Definition } from './definitions.ts';
import type { HistoryIndex } from './history.ts';
import type { Category, StaleFlagsOptions } from './options.ts';
import type { Reference } from './references.ts';
import { normaliseKey } from './keys.ts';

const DAY = 86_400_000;

/** Type names teams and tools use, normalised (lower case, `-` for spaces and underscores). */
export const BUILT_IN_TYPES: Record<string, Category | 'not-a-flag'> = {
  release: 'release',
  development: 'release', // GitLab, before 15.x
  'gitlab-com-derisk': 'release',
  wip: 'release',
  beta: 'release',
  rollout: 'release',
  temporary: 'release',
  feature: 'release',
  'release-toggle': 'release',
  experiment: 'experiment',
  experimental: 'experiment',
  'experiment-toggle': 'experiment',
  'ab-test': 'experiment',
  'a/b': 'experiment',
  ab: 'experiment',
  ops: 'operational',
  operational: 'operational',
  'ops-toggle': 'operational',
  worker: 'operational', // GitLab: flags that tune background workers
  config: 'operational',
  'kill-switch': 'kill-switch',
  killswitch: 'kill-switch',
  'circuit-breaker': 'kill-switch',
  permission: 'permission',
  permissions: 'permission',
  'permission-toggle': 'permission',
  'fault-injection': 'fault-injection',
  chaos: 'fault-injection',
  licensed: 'not-a-flag',
  license: 'not-a-flag',
  licence: 'not-a-flag',
  entitlement: 'not-a-flag',
  plan: 'not-a-flag',
  tier: 'not-a-flag',
  billing: 'not-a-flag',
  subscription: 'not-a-flag',
};

export const normaliseType = (t: string): string => t.trim().toLowerCase().replace(/[\s_]+/g, '-');

export interface Age {
  date: string;
  days: number;
  basis: 'created' | 'milestone' | 'introduced' | 'mentioned' | 'file' | 'before-history';
  /**
   * How far the date can be trusted: `exact` (a date in the definition, the commit that added its own
   * file), `lower` (the flag is at least this old: its own file predates the history read, a commit
   * naming it, a file holding it unchanged since), `upper` (the file that holds it was added then; the
   * flag may be younger). Only an exact age or a lower bound shows a flag is old; only an exact age or
   * an upper bound shows it is young.
   */
  bound: 'exact' | 'lower' | 'upper';
  /** The flag is at least this old: printed "at least N days". */
  atLeast: boolean;
  /** How the age was found, for the finding. */
  how: string;
  /** With a lower bound: an upper bound too, when the file holding the flag was added within the history read. */
  upper?: Age;
  /** The file the age was read from. */
  path?: string;
}

export type Reason =
  | { kind: 'expired'; on: string; where: string }
  | { kind: 'too-old'; age: Age; lifetime: number }
  | { kind: 'rolled-out'; days: number; atLeast: boolean; detail: string; served: 'on' | 'off' | 'one' }
  | { kind: 'settled'; served: 'on' | 'off'; detail: string; age: Age }
  | { kind: 'unreferenced'; onlyTests: boolean }
  | { kind: 'undefined'; provider: string; definedIn: string[] }
  /** A warning, not staleness: old, with nothing that shows it has served its purpose. */
  | { kind: 'aging'; age: Age; threshold: number; lifetime: number | null; settled?: string };

export interface Flag {
  norm: string;
  key: string;
  defs: Definition[];
  /** Call sites and bare mentions, one per file and line, sorted. */
  refs: Reference[];
  providers: string[];
  category: Category;
  typeSource: 'declared' | 'key' | 'assumed';
  /** A declared type that is not a known type name. */
  unknownType?: string;
  owner?: string;
  lifetime: number | null;
  age?: Age;
  /**
   * A temporary flag whose age could not be judged: no history and no date in its definition, or
   * a file older than the history read that holds it with others.
   */
  ageUnknown?: 'no-history' | 'before-history';
  reasons: Reason[];
}

/** Stale: some reason other than age alone. */
export const isStale = (f: Flag): boolean => f.reasons.some((r) => r.kind !== 'aging');
export const isAging = (f: Flag): boolean => !isStale(f) && f.reasons.some((r) => r.kind === 'aging');

export interface Judgement {
  flags: Flag[];
  /** Keys left out: licensing/entitlement features and configured `notFlags`. */
  notFlags: { key: string; why: string }[];
  /** Milestones with no date in the calendar. */
  undatedMilestones: string[];
  /** Defined flags whose use was not judged: no code here calls their provider. */
  usedElsewhere: Flag[];
}

function daysBetween(from: string, now: Date): number {
  return Math.floor((now.getTime() - Date.parse(from.length === 10 ? `${from}T00:00:00Z` : from)) / DAY);
}

const ymd = (iso: string): string => new Date(Date.parse(iso)).toISOString().slice(0, 10);

function byPlace(a: { path: string; line: number }, b: { path: string; line: number }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line;
}

function globToRegex(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** The age of a flag from its definition's metadata, else from the history (see README, "How ages are found"); undefined when unknown. */
export function ageOf(flag: { norm: string; defs: Definition[]; callPaths: readonly string[]; usePaths?: readonly string[]; evidencePaths?: readonly string[] }, history: HistoryIndex, milestones: Record<string, string>, now: Date, undated: Set<string>): Age | undefined {
  const def = flag.defs.find((d) => d.created) ?? flag.defs.find((d) => d.milestone && milestones[d.milestone]) ?? flag.defs[0];
  if (def?.created) return { date: def.created, days: daysBetween(def.created, now), basis: 'created', bound: 'exact', atLeast: false, how: `created ${def.created} per ${def.path}` };
  if (def?.milestone) {
    const released = milestones[def.milestone];
    if (released) return { date: released, days: daysBetween(released, now), basis: 'milestone', bound: 'exact', atLeast: false, how: `milestone ${def.milestone}, released ${released}` };
    undated.add(def.milestone);
  }
  if (!history.available) return undefined;
  const oldest = history.oldest!;
  if (def?.ownFile) {
    const seen = history.firstSeen(def.path);
    if (seen?.added) return { date: seen.date, days: daysBetween(seen.date, now), basis: 'introduced', bound: 'exact', atLeast: false, how: `${def.path} added in ${seen.oid.slice(0, 7)} on ${ymd(seen.date)}` };
    return { date: oldest, days: daysBetween(oldest, now), basis: 'before-history', bound: 'lower', atLeast: true, how: `${def.path} is older than the ${history.commitCount} ${history.unit} read (back to ${ymd(oldest)})` };
  }
  const defPaths = [...new Set(flag.defs.map((d) => d.path))];
  const holding = defPaths.length > 0 ? defPaths : [...new Set(flag.callPaths)];
  if (holding.length === 0) return undefined;
  const held = new Set([...holding, ...flag.callPaths]);
  const lower: Age[] = [];
  // A commit naming the key that changed a file holding it: the flag existed by then (or came with it).
  const mention = history.mentions(flag.norm).find((m) => m.paths.some((p) => held.has(p)));
  if (mention) {
    const file = mention.paths.find((p) => held.has(p))!;
    lower.push({ date: mention.date, days: daysBetween(mention.date, now), basis: 'mentioned', bound: 'lower', atLeast: true, how: `${mention.ref} ("${mention.title.slice(0, 80)}", ${ymd(mention.date)}) names the key and changed ${file}` });
  }
  // Values set per environment change in commits that name them ("turn FF_X on in production"): a
  // deployment toggle that no commit read names was most likely set before them all.
  if (!mention && !history.complete && flag.defs.length > 0 && flag.defs.every((d) => d.format === 'deployment')) {
    lower.push({ date: oldest, days: daysBetween(oldest, now), basis: 'before-history', bound: 'lower', atLeast: true, how: `probably: none of the ${history.commitCount} ${history.unit} read (back to ${ymd(oldest)}) names it` });
  }
  let earliest: { path: string; date: string; before: boolean } | undefined;
  for (const p of holding) {
    const seen = history.firstSeen(p);
    const candidate = seen?.added ? { path: p, date: seen.date, before: false } : { path: p, date: oldest, before: true };
    if (!earliest || Date.parse(candidate.date) < Date.parse(earliest.date)) earliest = candidate;
  }
  const e = earliest!;
  const role = def ? 'defines' : 'calls';
  let estimate: Age | undefined;
  if (e.before) {
    // A file older than the history that holds other things too: when the key came into it is not
    // written anywhere. A flag usually comes in with a use of it; when no commit read changed its
    // definition and a file that uses it together, it most likely predates them all.
    const uses = (flag.usePaths ?? []).filter((p) => !defPaths.includes(p));
    if (defPaths.length > 0 && uses.length > 0 && !history.complete) {
      const with_ = history.together(defPaths, uses);
      // When some did, that commit may have brought the flag in or only edited both: unknown.
      if (!with_) lower.push({ date: oldest, days: daysBetween(oldest, now), basis: 'before-history', bound: 'lower', atLeast: true, how: `probably: no commit of the ${history.commitCount} ${history.unit} read (back to ${ymd(oldest)}) changed ${defPaths[0]} and a file that uses it together` });
    }
  } else {
    estimate = { date: e.date, days: daysBetween(e.date, now), basis: 'file', bound: 'upper', atLeast: false, path: e.path, how: `estimated: ${e.path}, which ${role} it, was added on ${ymd(e.date)}; the history holds changed paths, not diffs, so the flag may be younger` };
  }
  // A file that holds the key and has not changed since some date held it then: the flag is at least that old.
  const witnesses = [...new Set([...defPaths, ...(flag.evidencePaths ?? flag.callPaths)])];
  let still: { path: string; since: string; before: boolean } | undefined;
  for (const p of witnesses) {
    const seen = history.firstSeen(p);
    const touched = history.lastTouched(p);
    const since = touched ?? (seen ? undefined : oldest);
    if (since === undefined) continue;
    const before = touched === undefined;
    if (!still || Date.parse(since) < Date.parse(still.since)) still = { path: p, since, before };
  }
  if (still) {
    lower.push({
      path: still.path,
      date: still.since,
      days: daysBetween(still.since, now),
      basis: still.before ? 'before-history' : 'file',
      bound: 'lower',
      atLeast: true,
      how: still.before ? `${still.path}, which holds it, has not changed in the ${history.commitCount} ${history.unit} read (back to ${ymd(still.since)})` : `${still.path}, which holds it, has not changed since ${ymd(still.since)}`,
    });
  }
  // The strongest lower bound, with the upper bound when there is one.
  if (lower.length > 0) {
    const best = lower.reduce((a, b) => (b.days > a.days ? b : a));
    // At least as old as the file holding it, and no older: that is its age.
    if (estimate && estimate.days <= best.days) {
      const held = best.path && best.path !== estimate.path ? `, and ${best.path} has held it unchanged since` : ' and has not changed since';
      return { ...estimate, bound: 'exact', how: `${estimate.path ?? e.path} was added on ${ymd(estimate.date)}${held}` };
    }
    return estimate ? { ...best, upper: estimate } : best;
  }
  return estimate;
}

export interface JudgeInput {
  definitions: Definition[];
  references: Reference[];
  history: HistoryIndex;
  options: StaleFlagsOptions;
  normalise: (key: string) => string;
  isTest: (path: string) => boolean;
  now: Date;
  /**
   * Whether this repository holds code that would call a provider's flags (its SDK shows, or any flag
   * call site was found). Definitions of providers it does not call (a flagd file in a deployment
   * repository) serve code elsewhere: "referenced nowhere" cannot be judged here.
   */
  callsProvider: (provider: string) => boolean;
  /** Lines where flags are only set (`flags: { newUi: true }` in a development set-up): not uses. */
  settingOnly?: ReadonlySet<string>;
  /** In-code registries are passed whole to clients that are not in this repository: their unused keys are not judged. */
  registryServedElsewhere?: boolean;
}

const SECONDARY = /(^|\/)(sdks?|clients?|generated|gen|openapi|__generated__)\/|\.(gen|generated)\.|_gen\./i;
const LOCAL_FORMATS = new Set<Definition['format']>(['gitlab', 'registry', 'code-registry', 'settings', 'environment']);
/** Formats whose definition file lists many flags: a mention in that file is the list, not a use. */
const LISTING_FORMATS = new Set<Definition['format']>(['code-registry', 'settings', 'environment', 'flag-list', 'registry']);

function settledOf(defs: Definition[]): { served: 'on' | 'off'; detail: string } | undefined {
  const values = defs.flatMap((d) => d.values ?? []);
  const environments = new Set(values.map((v) => v.environment.split(':')[0]));
  const set = new Set(values.map((v) => v.value));
  if (environments.size >= 2 && set.size === 1 && (set.has('on') || set.has('off'))) {
    const served = set.has('on') ? 'on' : 'off';
    return { served, detail: `${served} in every environment that sets it (${[...new Set(values.map((v) => v.environment.replace(/^[^:]*:/, '')))].sort().join(', ')})` };
  }
  const fallback = defs.find((d) => d.defaultServed)?.defaultServed;
  if (fallback === 'on' && !set.has('off')) return { served: 'on', detail: `defaults to on${values.length > 0 ? ', and no environment turns it off' : ''}` };
  return undefined;
}

export function judge(input: JudgeInput): Judgement {
  const { options: o, history, normalise, now } = input;
  const aliases = new Map<string, Category | 'not-a-flag'>(Object.entries(BUILT_IN_TYPES));
  for (const [name, category] of Object.entries(o.typeAliases)) aliases.set(normaliseType(name), category);
  const keyTypes = o.typeFromKey.map((t) => ({ regex: new RegExp(t.pattern, 'i'), type: t.type }));
  const notFlagGlobs = o.notFlags.map(globToRegex);
  const today = now.toISOString().slice(0, 10);

  const byKey = new Map<string, { defs: Definition[]; refs: Reference[] }>();
  const entry = (norm: string) => {
    let e = byKey.get(norm);
    if (!e) byKey.set(norm, (e = { defs: [], refs: [] }));
    return e;
  };
  for (const d of input.definitions) entry(normalise(d.key)).defs.push(d);
  for (const r of input.references) entry(normalise(r.key)).refs.push(r);

  // Providers with definitions here: their call sites must name a defined key.
  const definedProviders = new Map<string, Set<string>>();
  for (const d of input.definitions) {
    for (const p of d.providers) {
      let paths = definedProviders.get(p);
      if (!paths) definedProviders.set(p, (paths = new Set()));
      paths.add(d.path);
    }
  }
  const definitionFiles = new Map<string, string[] | undefined>();
  const definitionsFor = (provider: string): string[] | undefined => {
    if (!definitionFiles.has(provider)) {
      const paths = new Set([...(definedProviders.get(provider) ?? []), ...(definedProviders.get('*') ?? [])]);
      definitionFiles.set(provider, paths.size > 0 ? [...paths].sort() : undefined);
    }
    return definitionFiles.get(provider);
  };

  const flags: Flag[] = [];
  const usedElsewhere: Flag[] = [];
  const notFlags: Judgement['notFlags'] = [];
  const undated = new Set<string>();
  for (const [norm, { defs, refs }] of [...byKey].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    // A definition repeated in a generated client or SDK is not where the flag is kept.
    defs.sort((a, b) => Number(SECONDARY.test(a.path)) - Number(SECONDARY.test(b.path)) || byPlace(a, b));
    // A key only tests call (a stub, an SDK wrapper's own tests) is no flag of the product.
    const productionCall = refs.find((r) => r.kind === 'call' && !input.isTest(r.path));
    const key = defs[0]?.key ?? productionCall?.key;
    if (key === undefined) continue; // only bare mentions or test calls: not a flag
    const notFlag = defs.find((d) => d.notAFlag);
    if (notFlag) {
      notFlags.push({ key, why: notFlag.notAFlag! });
      continue;
    }
    const glob = notFlagGlobs.find((g) => g.test(key) || g.test(norm));
    if (glob) {
      notFlags.push({ key, why: 'listed in notFlags' });
      continue;
    }
    const declared = defs.find((d) => d.type)?.type;
    const declaredCategory = declared ? aliases.get(normaliseType(declared)) : undefined;
    if (declaredCategory === 'not-a-flag') {
      notFlags.push({ key, why: `its type is "${declared}"` });
      continue;
    }
    // One reference per place; a call site wins over a bare mention on the same line. The list a
    // definition belongs to (its registry file) and lines that only set flags are not uses.
    const places = new Map<string, Reference>();
    const defPlaces = new Set(defs.map((d) => `${d.path}:${d.line}`));
    const listingFiles = new Set(defs.filter((d) => LISTING_FORMATS.has(d.format)).map((d) => d.path));
    for (const r of [...refs].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'call' ? -1 : 1))) {
      const at = `${r.path}:${r.line}`;
      if (defPlaces.has(at) || places.has(at) || input.settingOnly?.has(at)) continue;
      if (r.kind === 'mention' && listingFiles.has(r.path)) continue;
      places.set(at, r);
    }
    const sortedRefs = [...places.values()].sort(byPlace);
    const calls = sortedRefs.filter((r) => r.kind === 'call');
    const productionCalls = calls.filter((r) => !input.isTest(r.path));
    // Which providers serve it: production call sites say so; a test's stub of another SDK does not.
    const providers = [...new Set((productionCalls.length > 0 ? productionCalls : calls).map((r) => r.provider))].sort();

    let category: Category;
    let typeSource: Flag['typeSource'];
    if (declaredCategory) {
      category = declaredCategory;
      typeSource = 'declared';
    } else {
      const spelled = [key, normaliseKey(key)];
      const fromKey = keyTypes.find((t) => spelled.some((k) => t.regex.test(k)));
      category = fromKey?.type ?? o.untypedAs;
      typeSource = fromKey ? 'key' : 'assumed';
    }
    const lifetime = o.lifetimes[category];
    const flag: Flag = {
      norm,
      key,
      defs,
      refs: sortedRefs,
      providers,
      category,
      typeSource,
      unknownType: declared && !declaredCategory ? declared : undefined,
      owner: defs.find((d) => d.owner)?.owner,
      lifetime,
      reasons: [],
    };

    if (defs.length === 0) {
      const undefinedFor = providers.map((p) => ({ p, paths: definitionsFor(p) })).find((x) => x.paths);
      if (undefinedFor) flag.reasons.push({ kind: 'undefined', provider: undefinedFor.p, definedIn: undefinedFor.paths! });
    } else {
      const production = sortedRefs.filter((r) => !input.isTest(r.path));
      // GitLab definitions, registries and settings sit beside the code that uses them.
      const local = defs.some((d) => LOCAL_FORMATS.has(d.format) || d.providers.some(input.callsProvider));
      const servedWhole = input.registryServedElsewhere === true && defs.every((d) => d.format === 'code-registry');
      // A component's feature gate is read by the component, never by code here.
      const gateOnly = defs.every((d) => d.format === 'feature-gate');
      if (production.length === 0 && local && !servedWhole && !gateOnly) flag.reasons.push({ kind: 'unreferenced', onlyTests: sortedRefs.length > 0 });
      else if (production.length === 0 && !gateOnly) usedElsewhere.push(flag);
    }

    if (!flag.reasons.some((r) => r.kind === 'undefined')) {
      const production = sortedRefs.filter((r) => !input.isTest(r.path));
      // Files that certainly hold this key: call sites, and mentions of a key of several words (a one-word key may be another word).
      const evidencePaths = [...new Set(production.filter((r) => r.kind === 'call' || /[-.:/]/.test(norm)).map((r) => r.path))];
      flag.age = ageOf({ norm, defs, callPaths: (productionCalls.length > 0 ? productionCalls : calls).map((r) => r.path), usePaths: [...new Set(production.map((r) => r.path))], evidencePaths }, history, o.milestones, now, undated);
      const age = flag.age;
      const expiring = defs.find((d) => d.expires);
      const declaredTemporary = typeSource === 'declared' && lifetime !== null;
      if (expiring?.expires) {
        if (expiring.expires < today) flag.reasons.push({ kind: 'expired', on: expiring.expires, where: expiring.path });
      } else if (lifetime !== null && age) {
        // An exact age or a lower bound shows a flag is old; an exact age or an upper bound shows it is young.
        const threshold = declaredTemporary ? lifetime : Math.max(lifetime, o.agingDays);
        const old = age.bound !== 'upper' && age.days > threshold;
        // A commit that names the key and changed a file holding it usually brought it in: young if that is recent.
        const young = age.bound === 'exact' || age.bound === 'upper' || age.basis === 'mentioned' ? age.days <= threshold : age.upper !== undefined && age.upper.days <= threshold;
        if (declaredTemporary && age.bound === 'exact' && age.days > lifetime) flag.reasons.push({ kind: 'too-old', age, lifetime });
        else if (old) flag.reasons.push({ kind: 'aging', age, threshold, lifetime: declaredTemporary ? lifetime : null });
        else if (!young) flag.ageUnknown = history.available ? 'before-history' : 'no-history';
      } else if (lifetime !== null) {
        flag.ageUnknown = history.available ? 'before-history' : 'no-history';
      }
      const rolled = defs.find((d) => d.rollout?.static);
      if (rolled && lifetime !== null && history.available) {
        const touched = history.lastTouched(rolled.path);
        const days = daysBetween(touched ?? history.oldest!, now);
        if (days > o.fullyRolledOutDays) flag.reasons.push({ kind: 'rolled-out', days, atLeast: touched === undefined, detail: rolled.rollout!.detail, served: rolled.rollout!.served ?? 'one' });
      }
      // Serves one value everywhere this repository can see, and has done for a long time.
      const settled = lifetime !== null && !rolled ? settledOf(defs) : undefined;
      if (settled && age && age.bound !== 'upper' && age.days > Math.max(lifetime ?? 0, o.agingDays)) {
        flag.reasons = flag.reasons.filter((r) => r.kind !== 'aging');
        // A configuration switch the same everywhere may just be configuration: a warning. A flag is done.
        if (defs.every((d) => d.naming === 'switch')) flag.reasons.push({ kind: 'aging', age, threshold: o.agingDays, lifetime: null, settled: settled.detail });
        else flag.reasons.push({ kind: 'settled', served: settled.served, detail: settled.detail, age });
      }
    }
    flags.push(flag);
  }
  return { flags, notFlags, undatedMilestones: [...undated].sort(), usedElsewhere };
}
