// Tagging policy kept in the repository: what stops the next untagged resource from being merged.
import { attributesOf, blockLabels, blocksOf, blockType, evaluate, parseHcl } from './hcl.ts';
import type { KeyKind, Requirement } from './keys.ts';
import { normaliseKey } from './keys.ts';
import { asRecord, containsText, jsonText, walkValue, type Enforcement } from './model.ts';
import type { ParsedFile } from './cloudformation.ts';

const EMPTY = { lookup: () => undefined };

/** `.tflint.hcl`: the AWS ruleset's aws_resource_missing_tags rule, enabled. */
export function tflintEnforcement(path: string, text: string): Enforcement[] {
  const parsed = parseHcl(path, text);
  if (!parsed.ok) return [];
  const out: Enforcement[] = [];
  for (const b of blocksOf(parsed.root).filter((x) => !x.error)) {
    if (blockType(b) !== 'rule' || blockLabels(b)[0] !== 'aws_resource_missing_tags') continue;
    const attrs = attributesOf(b);
    const enabled = evaluate(attrs.get('enabled'), EMPTY);
    if (enabled.kind === 'bool' && !enabled.value) continue;
    const tags = evaluate(attrs.get('tags'), EMPTY);
    const keys = tags.kind === 'list' ? tags.items.flatMap((t) => (t.kind === 'string' ? [t.value] : [])) : undefined;
    out.push({ what: 'tflint rule aws_resource_missing_tags', path, line: b.line, keys });
  }
  return out;
}

/** String literals in a policy that name one of the required keys. */
function namedKeys(text: string, reqs: readonly Requirement[], kind: KeyKind = 'tag'): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/["'`]([\w:./ -]{2,64})["'`]/g)) {
    const n = normaliseKey(m[1]!, kind);
    if (reqs.some((r) => r.accepts.has(n))) out.add(m[1]!);
  }
  return [...out];
}

/** OPA/Conftest (.rego) and Sentinel (.sentinel) policies about tags or labels. */
export function policyEnforcement(path: string, text: string, reqs: readonly Requirement[]): Enforcement[] {
  const lower = text.toLowerCase();
  if (!/\b(tags|labels)\b/.test(lower)) return [];
  const rego = /\.rego$/i.test(path);
  if (rego && !/\b(deny|violation|warn)\b/.test(lower)) return [];
  if (!rego && !/\b(rule|main)\b/.test(lower)) return [];
  const keys = namedKeys(text, reqs);
  const generic = /required_(tags|labels)|missing_(tags|labels)|mandatory_(tags|labels)/.test(lower);
  if (keys.length === 0 && !generic) return [];
  const line = Math.max(1, text.slice(0, Math.max(0, lower.search(/\b(deny|violation|warn|main|rule)\b/))).split('\n').length);
  return [{ what: `${rego ? 'OPA/Conftest' : 'Sentinel'} policy`, path, line, keys: keys.length > 0 ? keys : undefined }];
}

/** Why a tag policy without `enforced_for` earns at most 1 point. */
export const REPORT_ONLY = 'report-only (no enforced_for): it reports non-compliant tags but blocks nothing';

/** `metadata.name` of a manifest when it is a string (YAML allows a map there). */
const nameOf = (top: Record<string, unknown>): string => {
  const name = asRecord(top.metadata)?.name;
  return typeof name === 'string' ? name : '';
};

/**
 * The keys an AWS Organizations tag policy names (`tag_key: {@@assign: …}`) and whether any of them is
 * enforced (`enforced_for`). The content may be a map or a JSON string (CloudFormation `Content`).
 */
function tagPolicyOf(content: unknown): { keys: string[]; enforced: boolean } {
  let value = content;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return { keys: [], enforced: false };
    }
  }
  const keys: string[] = [];
  let enforced = false;
  walkValue(value, (v) => {
    const r = asRecord(v);
    if (!r) return true;
    const assign = asRecord(r.tag_key)?.['@@assign'];
    if (typeof assign === 'string' && !keys.includes(assign)) keys.push(assign);
    if (r.enforced_for !== undefined) enforced = true;
    return true;
  });
  return { keys, enforced };
}

/** Policies in YAML and JSON: AWS Config, Organizations tag policies, Azure Policy, Checkov, Kyverno, Gatekeeper. */
export function documentEnforcement(file: ParsedFile, reqs: readonly Requirement[]): Enforcement[] {
  const out: Enforcement[] = [];
  for (const doc of file.docs) {
    const top = asRecord(doc.value);
    if (!top) continue;
    // CloudFormation: AWS::Config::ConfigRule with REQUIRED_TAGS, AWS::Organizations::Policy of type TAG_POLICY.
    // The values are YAML: a Type may be a map, and a resource may contain itself through an alias.
    for (const [id, r] of Object.entries(asRecord(top.Resources) ?? {})) {
      const res = asRecord(r);
      const type = typeof res?.Type === 'string' ? res.Type : undefined;
      if (!res || !type) continue;
      if (/^AWS::Config::(Organization)?ConfigRule$/.test(type) && containsText(res, 'REQUIRED_TAGS')) {
        const params = asRecord(asRecord(res.Properties)?.InputParameters) ?? {};
        const keys = Object.entries(params).filter(([k, v]) => /^tag\dKey$/.test(k) && typeof v === 'string').map(([, v]) => v as string);
        out.push({ what: `AWS Config required-tags rule ${id}`, path: file.path, line: doc.keyLineOf(['Resources', id]), keys: keys.length ? keys : undefined });
      }
      if (type === 'AWS::Organizations::Policy' && containsText(res, 'TAG_POLICY')) {
        const policy = tagPolicyOf(asRecord(res.Properties)?.Content);
        out.push({ what: `AWS Organizations tag policy ${id}`, path: file.path, line: doc.keyLineOf(['Resources', id]), keys: policy.keys.length ? policy.keys : undefined, weak: policy.enforced ? undefined : REPORT_ONLY });
      }
    }
    // An Organizations tag policy document.
    const tagPolicy = asRecord(top.tags);
    if (tagPolicy && Object.values(tagPolicy).some((t) => asRecord(asRecord(t)?.tag_key)?.['@@assign'] !== undefined)) {
      const policy = tagPolicyOf(top);
      out.push({ what: 'AWS Organizations tag policy', path: file.path, line: doc.keyLineOf(['tags']), keys: policy.keys, weak: policy.enforced ? undefined : REPORT_ONLY });
    }
    // Azure Policy: a rule on tags['…'] with exists: false.
    const rule = asRecord(top.policyRule) ?? asRecord(asRecord(top.properties)?.policyRule);
    if (rule) {
      const json = jsonText(rule);
      if (/tags\[/.test(json) && /"exists":\s*"?false"?/i.test(json)) {
        const keys = [...json.matchAll(/tags\['?([^'\]]+)'?\]/g)].map((m) => m[1]!).filter((k) => !k.includes('parameters('));
        out.push({ what: 'Azure Policy requiring a tag', path: file.path, line: doc.lineOf(top.policyRule ? ['policyRule'] : ['properties', 'policyRule']), keys: keys.length ? keys : undefined });
      }
    }
    // Checkov custom policy on tags.
    const meta = asRecord(top.metadata);
    if (typeof meta?.id === 'string' && /^CKV/.test(meta.id) && top.definition !== undefined) {
      const json = jsonText(top.definition);
      if (/"(attribute)":"(tags|labels)[.\w]*"/.test(json)) {
        const keys = [...json.matchAll(/"attribute":"(?:tags|labels)\.([^"]+)"/g)].map((m) => m[1]!);
        out.push({ what: `Checkov policy ${meta.id}`, path: file.path, line: doc.keyLineOf(['metadata']), keys: keys.length ? keys : undefined });
      }
    }
    // Kyverno and Gatekeeper.
    if (typeof top.kind === 'string' && typeof top.apiVersion === 'string') {
      if ((top.kind === 'ClusterPolicy' || top.kind === 'Policy') && /kyverno/.test(top.apiVersion)) {
        const json = jsonText(top.spec ?? {});
        if (json.includes('"validate"') && json.includes('"labels"')) {
          const keys = namedKeys(json.replace(/"labels":\{([^}]*)\}/g, (m, inner: string) => inner.replace(/"([^"]+)":/g, '"$1" ')), reqs, 'label');
          out.push({ what: `Kyverno ${top.kind} ${nameOf(top)}`.trim(), path: file.path, line: doc.keyLineOf(['kind']), keys: keys.length ? keys : undefined, labels: true });
        }
      }
      if (top.kind === 'K8sRequiredLabels') {
        const labels = asRecord(asRecord(top.spec)?.parameters)?.labels;
        const keys = Array.isArray(labels) ? labels.map((l) => (typeof l === 'string' ? l : asRecord(l)?.key)).filter((k): k is string => typeof k === 'string') : [];
        out.push({ what: `Gatekeeper K8sRequiredLabels ${nameOf(top)}`.trim(), path: file.path, line: doc.keyLineOf(['kind']), keys: keys.length ? keys : undefined, labels: true });
      }
    }
  }
  return out;
}
