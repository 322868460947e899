// How much of a resource's cost can be attributed, from its keys: partial credit for partial practice.
import { couldBeOrganisationKey, intentOf, isIdentityKey, normaliseKey, requirementIntent, type Coverage, type KeyKind, type Requirement } from './keys.ts';
import type { Item } from './model.ts';

/** A required key stood in for by a key of the same intent (or the organisation's own key) counts this much. */
export const STAND_IN = 0.75;
/** A resource with none of the attribution keys, but a name or app label: the app it belongs to is known. */
export const IDENTITY_CREDIT = 0.25;
/**
 * A resource with no key at all still belongs to an account, project, resource group or namespace that
 * cost reports can split by: token attribution, which experts score 1–3 rather than 0.
 */
export const STRUCTURAL_CREDIT = 0.2;
/** A key the organisation puts on at least this share of the resources (and on two or more) is its own attribution key. */
export const ORGANISATION_SHARE = 0.6;

/**
 * Credit of a resource from the share of the required keys it carries (stand-ins counted at STAND_IN):
 * experts count a consistent tag set that misses one key as "solid with gaps", so the curve rises
 * steeply first. Through (0, 0), (1/3, 0.55), (2/3, 0.85), (1, 1), linear between.
 */
export function shape(share: number): number {
  const points: [number, number][] = [[0, 0], [1 / 3, 0.55], [2 / 3, 0.85], [1, 1]];
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1]!;
    const [x1, y1] = points[i]!;
    if (share <= x1) return y0 + ((share - x0) / (x1 - x0)) * (y1 - y0);
  }
  return 1;
}

export interface Attribution {
  /** Per requirement, in order. */
  coverage: Coverage[];
  /** Share of the requirements met (stand-ins counted at STAND_IN). */
  share: number;
  /** 0–1: what this resource adds to the score. */
  credit: number;
  /** Only a name or app key: token attribution. */
  identity: boolean;
}

/** Keys present with a value that is not known to be empty, normalised → the spelling used. */
export function presentKeys(item: Item, kind: KeyKind): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of item.keys) if (!v.empty && !out.has(normaliseKey(k, kind))) out.set(normaliseKey(k, kind), k);
  return out;
}

export function attribution(item: Item, reqs: readonly Requirement[], kind: KeyKind, organisation: ReadonlySet<string>): Attribution {
  const present = presentKeys(item, kind);
  const accepted = new Set(reqs.flatMap((r) => [...r.accepts]));
  const used = new Set<string>();
  const coverage: Coverage[] = reqs.map((r): Coverage => {
    if ([...r.accepts].some((a) => present.has(a))) return { how: 'met' };
    const intent = requirementIntent(r);
    if (intent) {
      for (const [n, raw] of present) {
        if (accepted.has(n) || used.has(n) || intentOf(n) !== intent) continue;
        used.add(n);
        return { how: 'stand-in', key: raw, intent };
      }
    }
    return { how: 'none' };
  });
  // The organisation's own keys stand in for what is still missing, one requirement each, a missing
  // cost centre first (an organisation's own key is most often a billing code).
  const order = reqs.map((r, i) => ({ i, cost: requirementIntent(r) === 'cost' })).sort((a, b) => Number(b.cost) - Number(a.cost)).map((x) => x.i);
  for (const i of order) {
    if (coverage[i]!.how !== 'none') continue;
    const org = [...present].find(([n]) => organisation.has(n) && !used.has(n));
    if (!org) break;
    used.add(org[0]);
    coverage[i] = { how: 'stand-in', key: org[1], intent: 'organisation' };
  }
  const share = reqs.length === 0 ? 1 : coverage.reduce((s, c) => s + (c.how === 'met' ? 1 : c.how === 'stand-in' ? STAND_IN : 0), 0) / reqs.length;
  // A Helm release is named (its chart and release name label what it installs, by convention).
  const identity = share === 0 && ([...present.keys()].some(isIdentityKey) || item.platform === 'helm');
  return { coverage, share, credit: identity ? IDENTITY_CREDIT : share === 0 ? STRUCTURAL_CREDIT : Math.max(STRUCTURAL_CREDIT, shape(share)), identity };
}

/**
 * Keys most resources carry that name no known intent and nothing else (`ssc_cbrid`, `businessArea` is
 * known; `x_chargeid` is not): the organisation's own attribution keys, normalised → spellings and count.
 */
export function organisationKeys(items: readonly { item: Item; reqs: readonly Requirement[]; kind: KeyKind }[]): Map<string, { spellings: Set<string>; count: number }> {
  const counts = new Map<string, { spellings: Set<string>; count: number }>();
  for (const { item, reqs, kind } of items) {
    const accepted = new Set(reqs.flatMap((r) => [...r.accepts]));
    for (const [n, raw] of presentKeys(item, kind)) {
      if (accepted.has(n) || !couldBeOrganisationKey(n)) continue;
      const c = counts.get(n) ?? { spellings: new Set<string>(), count: 0 };
      c.spellings.add(raw);
      c.count++;
      counts.set(n, c);
    }
  }
  for (const [n, c] of counts) if (c.count < 2 || c.count < ORGANISATION_SHARE * items.length) counts.delete(n);
  return counts;
}
