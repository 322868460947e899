// Flags from definitions and references: their type, age and whether they are stale.
import type { Definition } from './definitions.ts';
import type { HistoryIndex } from './history.ts';
import type { Category, StaleFlagsOptions } from './options.ts';
import type { Reference } from './references.ts';

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
  /** The flag is at least this old (its own file predates the history read). */
  atLeast: boolean;
  /** The history read is cut short and the files holding the flag predate it: the flag may be older than this. */
  mayBeOlder?: boolean;
  /** How the age was found, for the finding. */
  how: string;
}

export type Reason =
  | { kind: 'expired'; on: string; where: string }
  | { kind: 'too-old'; age: Age; lifetime: number }
  | { kind: 'rolled-out'; days: number; atLeast: boolean; detail: string; served: 'on' | 'off' | 'one' }
  | { kind: 'unreferenced'; onlyTests: boolean }
  | { kind: 'undefined'; provider: string; definedIn: string[] };

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
   * A temporary flag whose age could not be judged against its lifetime: no history and no date in
   * its definition, or only a lower bound (older than a truncated history) that is within it.
   */
  ageUnknown?: 'no-history' | 'before-history';
  reasons: Reason[];
}

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

/** The age of a flag from its definition's metadata, else from the history (see README, "How ages are found"). */
export function ageOf(flag: { norm: string; defs: Definition[]; callPaths: readonly string[] }, history: HistoryIndex, milestones: Record<string, string>, now: Date, undated: Set<string>): Age | undefined {
  const def = flag.defs.find((d) => d.created) ?? flag.defs.find((d) => d.milestone && milestones[d.milestone]) ?? flag.defs[0];
  if (def?.created) return { date: def.created, days: daysBetween(def.created, now), basis: 'created', atLeast: false, how: `created ${def.created} per ${def.path}` };
  if (def?.milestone) {
    const released = milestones[def.milestone];
    if (released) return { date: released, days: daysBetween(released, now), basis: 'milestone', atLeast: false, how: `milestone ${def.milestone}, released ${released}` };
    undated.add(def.milestone);
  }
  if (!history.available) return undefined;
  const oldest = history.oldest!;
  if (def?.ownFile) {
    const seen = history.firstSeen(def.path);
    if (seen?.added) return { date: seen.date, days: daysBetween(seen.date, now), basis: 'introduced', atLeast: false, how: `${def.path} added in ${seen.oid.slice(0, 7)} on ${ymd(seen.date)}` };
    return { date: oldest, days: daysBetween(oldest, now), basis: 'before-history', atLeast: true, how: `${def.path} is older than the ${history.commitCount} ${history.unit} read (back to ${ymd(oldest)})` };
  }
  const holding = def ? [def.path] : [...new Set(flag.callPaths)];
  if (holding.length === 0) return undefined;
  const held = new Set(holding);
  const mention = history.mentions(flag.norm).find((m) => m.paths.some((p) => held.has(p)));
  if (mention) {
    const file = mention.paths.find((p) => held.has(p))!;
    // With a truncated history, a commit naming the key in a file older than the history need not be the one that added it.
    const mayBeOlder = !history.complete && holding.some((p) => history.firstSeen(p)?.added !== true);
    return { date: mention.date, days: daysBetween(mention.date, now), basis: 'mentioned', atLeast: false, mayBeOlder, how: `estimated from ${mention.ref} ("${mention.title.slice(0, 80)}", ${ymd(mention.date)}), which names the key and changed ${file}` };
  }
  let earliest: { path: string; date: string; before: boolean } | undefined;
  for (const p of holding) {
    const seen = history.firstSeen(p);
    const candidate = seen?.added ? { path: p, date: seen.date, before: false } : { path: p, date: oldest, before: true };
    if (!earliest || Date.parse(candidate.date) < Date.parse(earliest.date)) earliest = candidate;
  }
  const e = earliest!;
  const role = def ? 'defines' : 'calls';
  if (e.before) {
    return { date: e.date, days: daysBetween(e.date, now), basis: 'before-history', atLeast: false, how: `estimated: ${e.path}, which ${role} it, is older than the ${history.commitCount} ${history.unit} read (back to ${ymd(e.date)}); the history holds changed paths, not diffs, so the flag may be younger` };
  }
  return { date: e.date, days: daysBetween(e.date, now), basis: 'file', atLeast: false, how: `estimated: ${e.path}, which ${role} it, was added on ${ymd(e.date)}; the history holds changed paths, not diffs, so the flag may be younger` };
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
    defs.sort(byPlace);
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
    // One reference per place; a call site wins over a bare mention on the same line.
    const places = new Map<string, Reference>();
    const defPlaces = new Set(defs.map((d) => `${d.path}:${d.line}`));
    for (const r of [...refs].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'call' ? -1 : 1))) {
      const at = `${r.path}:${r.line}`;
      if (defPlaces.has(at) || places.has(at)) continue;
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
      const fromKey = keyTypes.find((t) => t.regex.test(key));
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
      // GitLab definitions and in-code registries always sit beside the code that uses them.
      const local = defs.some((d) => d.format === 'gitlab' || d.format === 'registry' || d.providers.some(input.callsProvider));
      if (production.length === 0 && local) flag.reasons.push({ kind: 'unreferenced', onlyTests: sortedRefs.length > 0 });
      else if (production.length === 0) usedElsewhere.push(flag);
    }

    if (!flag.reasons.some((r) => r.kind === 'undefined')) {
      flag.age = ageOf({ norm, defs, callPaths: (productionCalls.length > 0 ? productionCalls : calls).map((r) => r.path) }, history, o.milestones, now, undated);
      const expiring = defs.find((d) => d.expires);
      if (expiring?.expires) {
        if (expiring.expires < today) flag.reasons.push({ kind: 'expired', on: expiring.expires, where: expiring.path });
      } else if (lifetime !== null && flag.age && flag.age.days > lifetime) {
        flag.reasons.push({ kind: 'too-old', age: flag.age, lifetime });
      } else if (lifetime !== null && !flag.age) {
        flag.ageUnknown = 'no-history';
      } else if (lifetime !== null && (flag.age?.basis === 'before-history' || flag.age?.mayBeOlder) && !history.complete) {
        // Older than the oldest commit read, by how much is unknown: not fresh, not proven stale.
        flag.ageUnknown = 'before-history';
      }
      const rolled = defs.find((d) => d.rollout?.static);
      if (rolled && lifetime !== null && history.available) {
        const touched = history.lastTouched(rolled.path);
        const days = daysBetween(touched ?? history.oldest!, now);
        if (days > o.fullyRolledOutDays) flag.reasons.push({ kind: 'rolled-out', days, atLeast: touched === undefined, detail: rolled.rollout!.detail, served: rolled.rollout!.served ?? 'one' });
      }
    }
    flags.push(flag);
  }
  return { flags, notFlags, undatedMilestones: [...undated].sort(), usedElsewhere };
}
