// Tag and label keys are compared after normalisation, so every spelling of one key is one key.

/** Cloud tags (AWS, Azure, Google) or Kubernetes labels: they differ in what a prefix looks like. */
export type KeyKind = 'tag' | 'label';

/**
 * `CostCenter`, `cost-center`, `cost_center`, `Cost Center` → `costcenter`. Then lower case, and every
 * character that is not a letter or a digit is dropped. Before that, a namespace is dropped:
 * - tags: an AWS-style `:` namespace (`acme:cost-allocation:CostCenter` → `CostCenter`); a `/` is part
 *   of the key (`team/legacy-owner` is not `owner`);
 * - labels: a Kubernetes prefix ending in `/` (`acme.com/cost-center` → `cost-center`).
 */
export function normaliseKey(key: string, kind: KeyKind = 'tag'): string {
  const cut = kind === 'label' ? key.lastIndexOf('/') : key.lastIndexOf(':');
  const name = cut >= 0 ? key.slice(cut + 1) : key;
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

export function requirements(keys: readonly string[], aliases: Readonly<Record<string, readonly string[]>>, alternatives: Readonly<Record<string, readonly string[]>>, kind: KeyKind = 'tag'): Requirement[] {
  const norm = (k: string): string => normaliseKey(k, kind);
  // Aliases are looked up by normalised key, so `cost-center:` and `CostCenter:` in the options are the same entry.
  const aliasOf = new Map<string, string[]>();
  for (const [k, list] of Object.entries(aliases)) aliasOf.set(norm(k), [...(aliasOf.get(norm(k)) ?? []), ...list.map(norm)]);
  const altOf = new Map<string, string[]>();
  for (const [k, list] of Object.entries(alternatives)) altOf.set(norm(k), [...(altOf.get(norm(k)) ?? []), ...list]);
  const spellings = (k: string): string[] => [norm(k), ...(aliasOf.get(norm(k)) ?? [])];
  return keys.map((key) => {
    const alts = altOf.get(norm(key)) ?? [];
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
export function judgeKeys(keys: ReadonlyMap<string, { empty: boolean }>, open: string | undefined, reqs: readonly Requirement[], kind: KeyKind = 'tag'): KeyVerdict {
  const present = new Map<string, boolean>();
  for (const [k, v] of keys) {
    const n = normaliseKey(k, kind);
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

// ---------------------------------------------------------------------------------------------
// What a key is for. Teams attribute cost under their own keys as often as under the configured
// ones: `OwnerEmail` for owner, `Project` or `BusinessUnit` for a cost centre, `is-production` for the
// environment. Such a key stands in for a required one at partial credit, and a finding says which
// `aliases` setting would map it.

export type Intent = 'cost' | 'owner' | 'environment';

const INTENT_NAMES: Record<Intent, string[]> = {
  cost: [
    'costcenter', 'costcentre', 'costcode', 'costallocation', 'costtag', 'billing', 'billingcode', 'billingid', 'billingaccount', 'billingproject',
    'billto', 'chargecode', 'chargeback', 'budget', 'budgetcode', 'financecode', 'wbs', 'wbscode', 'glcode', 'businessunit', 'businessarea',
    'department', 'division', 'project', 'projectid', 'projectname', 'projectcode', 'product', 'productname', 'productid', 'productcode',
    'application', 'applicationname', 'applicationid', 'program', 'programme', 'portfolio', 'tenant', 'customer', 'client', 'accountcode',
  ],
  owner: [
    'owner', 'owners', 'ownedby', 'owneremail', 'ownername', 'ownerteam', 'team', 'teamname', 'teamemail', 'squad', 'tribe', 'maintainer', 'maintainers',
    'contact', 'contactemail', 'technicalowner', 'techowner', 'businessowner', 'productowner', 'serviceowner', 'responsible', 'responsibleteam',
    'supportteam', 'supportgroup', 'ownergroup', 'steward',
  ],
  environment: ['environment', 'environmentname', 'environmenttype', 'env', 'envname', 'envtype', 'stage', 'stagename', 'isproduction', 'isprod', 'production', 'deploymentenvironment', 'lifecyclestage'],
};
const INTENT_PATTERNS: Record<Intent, RegExp> = {
  cost: /^(cost|billing|budget|charge)|(costcent(er|re)|businessunit|businessarea|department|project|product)(name|id|code)?$/,
  owner: /owner(s|email|name|id|team|group)?$|^(owner|team)(name|email|id)?$/,
  environment: /^(env|environment)(name|type)?$|^isprod(uction)?$/,
};

/** Keys that name a resource or an application (token attribution: the app it belongs to is known). */
const IDENTITY = new Set(['name', 'app', 'appname', 'component', 'partof', 'instance', 'service', 'servicename', 'system', 'workload', 'k8sapp', 'release']);

/** Keys that are about something else than who pays: never taken for an organisation's attribution key. */
const NOT_ATTRIBUTION = new Set([
  'managedby', 'terraform', 'terraformed', 'createdby', 'creator', 'builtfrom', 'source', 'sourcecode', 'sourcerepo', 'repository', 'repo', 'gitrepo',
  'gitrepository', 'github', 'iac', 'provisioner', 'provisionedby', 'deployedby', 'version', 'description', 'lastmodified', 'lastupdated', 'expiresafter',
  'expiry', 'backup', 'backupplan', 'dataclassification', 'classification', 'compliance', 'confidentiality', 'security', 'criticality', 'sla', 'monitoring',
  'patchgroup', 'schedule', 'autoshutdown', 'purpose', 'terraformdeployment', 'terraformworkspace', 'workspace', 'module', 'stack', 'chart', 'heritage',
  'tier', 'podtemplatehash', 'controllerrevisionhash', 'region', 'zone', 'cluster', 'namespace', 'type', 'role', 'os', 'arch',
]);

/** The intent of a normalised key, if it names one. */
export function intentOf(normalised: string): Intent | undefined {
  for (const intent of ['owner', 'cost', 'environment'] as const) if (INTENT_NAMES[intent].includes(normalised)) return intent;
  for (const intent of ['owner', 'cost', 'environment'] as const) if (INTENT_PATTERNS[intent].test(normalised)) return intent;
  return undefined;
}

/** The intent of a requirement: that of its key (or any spelling it accepts). */
export function requirementIntent(r: Requirement): Intent | undefined {
  for (const a of r.accepts) {
    const i = intentOf(a);
    if (i) return i;
  }
  return undefined;
}

export const isIdentityKey = (normalised: string): boolean => IDENTITY.has(normalised);

/** A key that could be an organisation's own attribution key: it names no known intent, no resource, nothing else. */
export const couldBeOrganisationKey = (normalised: string): boolean => normalised.length > 1 && !IDENTITY.has(normalised) && !NOT_ATTRIBUTION.has(normalised) && intentOf(normalised) === undefined;

/** How a requirement is met by a resource's keys. */
export type Coverage = { how: 'met' } | { how: 'stand-in'; key: string; intent: Intent | 'organisation' } | { how: 'none' };
