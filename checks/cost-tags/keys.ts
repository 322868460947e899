// Tag and label keys are compared after normalisation, so every spelling of one key is one key.

/**
 * `CostCenter`, `cost-center`, `cost_center`, `Cost Center`, `acme.com/cost-center` → `costcenter`.
 * Lower case; a DNS prefix ending in `/` (Kubernetes labels) is dropped; every character that is not
 * a letter or a digit is dropped.
 */
export function normaliseKey(key: string): string {
  const name = key.includes('/') ? key.slice(key.lastIndexOf('/') + 1) : key;
  return name.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

export interface Requirement {
  /** The key as configured, for messages. */
  key: string;
  /** Normalised names that satisfy it: the key, its aliases, and its alternatives with their aliases. */
  accepts: Set<string>;
  /** Alternatives as configured, for messages ("owner (or team)"). */
  alternatives: string[];
}

export function requirements(keys: readonly string[], aliases: Readonly<Record<string, readonly string[]>>, alternatives: Readonly<Record<string, readonly string[]>>): Requirement[] {
  // Aliases are looked up by normalised key, so `cost-center:` and `CostCenter:` in the options are the same entry.
  const aliasOf = new Map<string, string[]>();
  for (const [k, list] of Object.entries(aliases)) aliasOf.set(normaliseKey(k), [...(aliasOf.get(normaliseKey(k)) ?? []), ...list.map(normaliseKey)]);
  const altOf = new Map<string, string[]>();
  for (const [k, list] of Object.entries(alternatives)) altOf.set(normaliseKey(k), [...(altOf.get(normaliseKey(k)) ?? []), ...list]);
  const spellings = (k: string): string[] => [normaliseKey(k), ...(aliasOf.get(normaliseKey(k)) ?? [])];
  return keys.map((key) => {
    const alts = altOf.get(normaliseKey(key)) ?? [];
    return { key, alternatives: alts, accepts: new Set([...spellings(key), ...alts.flatMap(spellings)]) };
  });
}

export const describeRequirement = (r: Requirement): string => (r.alternatives.length ? `${r.key} (or ${r.alternatives.join(' or ')})` : r.key);

/** Three-valued verdict of one resource's tags against the requirements. */
export interface KeyVerdict {
  missing: Requirement[];
  /** Requirements not met by the known keys, that an unresolvable part might still meet. */
  unsure: Requirement[];
  /** Requirements met only by a key with an empty value. */
  empty: Requirement[];
}

/**
 * `keys`: every key known to be present, with whether its value is known to be empty.
 * `open`: why other keys may be present (undefined when the set is complete).
 */
export function judgeKeys(keys: ReadonlyMap<string, { empty: boolean }>, open: string | undefined, reqs: readonly Requirement[]): KeyVerdict {
  const present = new Map<string, boolean>();
  for (const [k, v] of keys) {
    const n = normaliseKey(k);
    present.set(n, (present.get(n) ?? false) || !v.empty);
  }
  const verdict: KeyVerdict = { missing: [], unsure: [], empty: [] };
  for (const r of reqs) {
    const hits = [...r.accepts].filter((a) => present.has(a));
    if (hits.some((a) => present.get(a))) continue;
    if (open !== undefined) verdict.unsure.push(r);
    else if (hits.length > 0) verdict.empty.push(r);
    else verdict.missing.push(r);
  }
  return verdict;
}
