// Findings about the repository as a whole: counts per reason when the list of resources is capped,
// keys of the same intent that the configuration does not name, and one key spelled several ways.
import type { Finding } from '../contract.ts';
import { describeRequirement, intentOf, normaliseKey, type KeyKind, type Requirement } from './keys.ts';
import type { Item } from './model.ts';
import type { Rule } from './rules.ts';
import type { Attribution } from './score.ts';

interface Judged {
  item: Item;
  verdict: { status: 'pass' } | { status: 'fail'; missing: Requirement[]; empty: Requirement[] } | { status: 'indeterminate'; unsure: Requirement[] };
}

const isLabel = (item: Item) => item.platform === 'kubernetes' || item.platform === 'helm';
const ruleOf = (item: Item): Rule => (item.platform === 'terraform' ? 'terraform-missing-tags' : item.platform === 'cloudformation' ? 'cloudformation-missing-tags' : item.platform === 'cdk' ? 'cdk-missing-tags' : item.platform === 'operator' ? 'operator-missing-tags' : 'kubernetes-missing-labels');

/** Why a resource is indeterminate, in a few words shared by many resources. */
export function reasonClass(open: string | undefined): string {
  const o = open ?? '';
  if (/has no default and is set when Terraform runs|is set by whoever calls this module|is not declared/.test(o)) return 'their values come from variables without defaults';
  if (/configured by whoever calls|is not configured in/.test(o)) return 'their provider (and its default tags) is configured outside this repository';
  if (/writes beyond its arguments/.test(o)) return 'their tags come from a tags module outside this repository, whose keys are not all visible';
  if (/outside this repository/.test(o)) return 'they come from modules outside this repository';
  if (/templates are not rendered/.test(o)) return 'Helm templates are not rendered';
  if (/Terragrunt|interpolated when the file is generated/.test(o)) return 'their values are set when Terragrunt runs';
  if (/computed in code|workloadRef/.test(o)) return 'their tags are computed in code or elsewhere';
  return 'their tags are expressions that cannot be evaluated here';
}

/** One finding per category (no tags at all, keys missing, indeterminate by reason) with its count. */
export function categorySummaries(ordered: readonly Judged[]): Finding<Rule>[] {
  const groups = new Map<string, { rule: Rule; severity: 'medium' | 'low'; n: number; text: string }>();
  const add = (key: string, rule: Rule, severity: 'medium' | 'low', text: string) => {
    const g = groups.get(key) ?? { rule, severity, n: 0, text };
    g.n++;
    groups.set(key, g);
  };
  for (const { item, verdict } of ordered) {
    const word = isLabel(item) ? 'labels' : 'tags';
    if (verdict.status === 'fail' && item.keys.size === 0) add(`none:${ruleOf(item)}`, ruleOf(item), 'medium', `have no ${word} at all`);
    else if (verdict.status === 'fail') {
      const missing = [...verdict.missing, ...verdict.empty].map(describeRequirement).join(', ');
      add(`missing:${ruleOf(item)}:${missing}`, ruleOf(item), 'medium', `lack ${missing}`);
    } else if (verdict.status === 'indeterminate') {
      const why = reasonClass(item.open);
      add(`unsure:${why}`, 'tags-indeterminate', 'low', `indeterminate: ${why}`);
    }
  }
  return [...groups.values()].sort((a, b) => b.n - a.n).map((g) => ({ rule: g.rule, severity: g.severity, message: `${g.n} resource${g.n > 1 ? 's' : ''} ${g.text}` }));
}

const yamlList = (xs: readonly string[]) => `[${xs.join(', ')}]`;

/**
 * Keys that stand in for required ones: of the same intent (`OwnerEmail` for owner), or the
 * organisation's own (`ssc_cbrid`, on most resources). One finding per required key, naming the keys
 * and the `aliases` setting that would map them.
 */
export function sameIntentFindings(attributed: readonly (Judged & { a: Attribution; reqs: readonly Requirement[] })[], o: { aliases: Record<string, string[]> }): Finding<Rule>[] {
  const byReq = new Map<string, { req: Requirement; keys: Map<string, { n: number; item: Item }> }>();
  const byOrgKey = new Map<string, { n: number; item: Item; reqs: Set<string> }>();
  for (const j of attributed) {
    j.a.coverage.forEach((c, i) => {
      if (c.how !== 'stand-in') return;
      const req = j.reqs[i]!;
      if (c.intent === 'organisation') {
        const k = byOrgKey.get(c.key) ?? { n: 0, item: j.item, reqs: new Set<string>() };
        k.n++;
        k.reqs.add(req.key);
        byOrgKey.set(c.key, k);
        return;
      }
      const entry = byReq.get(req.key) ?? { req, keys: new Map() };
      const k = entry.keys.get(c.key) ?? { n: 0, item: j.item };
      k.n++;
      entry.keys.set(c.key, k);
      byReq.set(req.key, entry);
    });
  }
  const setting = (req: string, keys: string[]) => {
    const aliases = { ...o.aliases, [req]: [...(o.aliases[req] ?? []), ...keys] };
    return `aliases: { ${Object.entries(aliases).map(([k, v]) => `${k}: ${yamlList(v)}`).join(', ')} }`;
  };
  const out: Finding<Rule>[] = [];
  for (const { req, keys } of byReq.values()) {
    const sorted = [...keys].sort((a, b) => b[1].n - a[1].n);
    const names = sorted.map(([k, v]) => `${k} (${v.n} of ${attributed.length} resources)`);
    const [first] = sorted;
    out.push({
      rule: 'other-keys-same-intent',
      severity: 'low',
      path: first?.[1].item.path,
      line: first?.[1].item.line,
      message: `resources carry ${names.join(', ')} where ${describeRequirement(req)} is required: counted in part, as keys the configuration does not name. If ${sorted.length > 1 ? 'they are' : 'it is'} how you record ${req.key}, map ${sorted.length > 1 ? 'them' : 'it'} in the check's options (${setting(req.key, sorted.map(([k]) => k))}); if not, add ${req.key} itself`,
    });
  }
  for (const [key, v] of [...byOrgKey].sort((a, b) => b[1].n - a[1].n)) {
    const first = [...v.reqs][0]!;
    out.push({
      rule: 'other-keys-same-intent',
      severity: 'low',
      path: v.item.path,
      line: v.item.line,
      message: `resources carry ${key} (on ${v.n} of ${attributed.length} resources it stands for a missing ${[...v.reqs].join(' or ')}): a key of the organisation's own, which names no known intent yet most resources carry, counted in part. If it is how you record ${first} (or another required key), map it in the check's options (${setting(first, [key])}); if not, add the required keys beside it`,
    });
  }
  return out;
}

/**
 * One attribution key spelled several ways across the repository (`Environment`, `environment`): cost
 * reports group tag keys exactly as written, so its costs are split.
 */
export function spellingFindings(items: readonly Item[]): Finding<Rule>[] {
  const groups = new Map<string, Map<string, { n: number; item: Item }>>();
  for (const item of items) {
    const kind: KeyKind = isLabel(item) ? 'label' : 'tag';
    for (const k of item.keys.keys()) {
      if (!intentOf(normaliseKey(k, kind))) continue;
      // Case and separators only: a namespace or prefix makes another key, not another spelling.
      const n = k.toLowerCase().replace(/[\s_.-]+/g, '');
      const g = groups.get(`${kind}:${n}`) ?? new Map();
      const s = g.get(k) ?? { n: 0, item };
      s.n++;
      g.set(k, s);
      groups.set(`${kind}:${n}`, g);
    }
  }
  const out: Finding<Rule>[] = [];
  for (const g of groups.values()) {
    if (g.size < 2) continue;
    const sorted = [...g].sort((a, b) => b[1].n - a[1].n);
    const minority = sorted[sorted.length - 1]![1].item;
    out.push({
      rule: 'inconsistent-key-spelling',
      severity: 'low',
      path: minority.path,
      line: minority.line,
      message: `one key spelled ${sorted.length} ways: ${sorted.map(([k, v]) => `${k} (${v.n} resource${v.n > 1 ? 's' : ''})`).join(', ')}. Cost reports group tags by the key exactly as written, so its costs are split; use one spelling everywhere`,
    });
  }
  return out.slice(0, 10);
}
