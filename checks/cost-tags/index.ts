// Standards: AWS "Best Practices for Tagging AWS Resources" (https://docs.aws.amazon.com/whitepapers/latest/tagging-best-practices/tagging-best-practices.html);
// FinOps Foundation FinOps Framework, "Allocation" capability (https://www.finops.org/framework/capabilities/allocation/);
// Google Cloud labels for cost allocation; Azure Cloud Adoption Framework tagging strategy; OpenCost/Kubecost allocation by pod labels.
import { z } from 'zod';
import { defineCheck, roundScore, statusFromScore, type Finding, type RepoSnapshot } from '../contract.ts';
import { RULES, type Rule } from './rules.ts';
import { scanCdk } from './cdk.ts';
import { NON_PRODUCTION_PATHS, nonProduction, type NonProduction } from './context.ts';
import { findStackTags, isTemplate, scanCloudFormation, type ParsedFile } from './cloudformation.ts';
import { documentEnforcement, policyEnforcement, tflintEnforcement } from './enforcement.ts';
import { parserProblem } from './hcl.ts';
import { describeRequirement, judgeKeys, normaliseKey, requirements, type KeyKind, type Requirement } from './keys.ts';
import { attribution, organisationKeys } from './score.ts';
import { categorySummaries, sameIntentFindings, spellingFindings } from './summaries.ts';
import { readChartTemplate, scanKubernetes, WORKLOAD_KINDS, type KubernetesInput } from './kubernetes.ts';
import { asRecord, dirOf, emptyScan, errorMessage, guarded, isWithin, type Enforcement, type Item, type Scan } from './model.ts';
import { scanTerraform, type SourceFile } from './terraform.ts';
import { hasJinja, stripJinja } from './jinja.ts';
import { parseDocs } from './yamldoc.ts';

const options = z
  .object({
    passAt: z.number().min(0).max(10).default(7.5).meta({ description: 'Score at or above which the check passes.' }),
    warnAt: z.number().min(0).max(10).default(5).meta({ description: 'Score at or above which the check warns instead of failing.' }),
    requiredKeys: z.array(z.string().min(1)).min(1).default(['cost-center', 'owner', 'environment']).meta({ description: 'Tag keys every cost-bearing cloud resource must carry (compared after normalisation).' }),
    alternatives: z.record(z.string(), z.array(z.string().min(1))).default({ owner: ['team'] }).meta({ description: 'Other keys that satisfy a required key (owner: [team] means a team tag will do).' }),
    aliases: z.record(z.string(), z.array(z.string().min(1))).default({ 'cost-center': ['cost-centre'], environment: ['env', 'stage'] }).meta({ description: 'Other spellings of a key, beyond case and separators.' }),
    kubernetesLabels: z.array(z.string().min(1)).min(1).default(['cost-center', 'owner']).meta({ description: 'Label keys every Kubernetes workload\'s pod template must carry.' }),
    exclude: z.array(z.string().min(1)).default([...NON_PRODUCTION_PATHS]).meta({ description: 'Globs of paths that are not production (tests, CI, examples, demos, local clusters): what they declare is not counted.' }),
    include: z.array(z.string().min(1)).default([]).meta({ description: 'Globs of paths that are production whatever their path or context says (they win over exclude).' }),
  })
  .strict();
type Options = z.output<typeof options>;

// Vendored code, test data, examples and generated output describe other systems, or none.
const IGNORED_DIRS = /(^|\/)(node_modules|vendor|third_party|third-party|testdata|test-fixtures|__fixtures__|fixtures|examples?|\.terraform|\.terragrunt-cache|cdk\.out|\.aws-sam)\//i;
const TF = /\.tf(\.json)?$/i;
const TFVARS = /\.tfvars(\.json)?$/i;
const HCL = /\.hcl$/i;
const TFLINT = /(^|\/)\.tflint\.hcl$/i;
const TPL = /(^|\/)templates\/(.+\/)?[^/]+\.tpl$/i;
const DOCS = /\.(ya?ml|json|template|j2|gotmpl)$/i;
const POLICY = /\.(rego|sentinel)$/i;
const SAMCONFIG = /(^|\/)samconfig\.toml$/i;
/** Source files that may hold a CDK app (its tests and type declarations aside). */
const CDK_SOURCE = /\.(ts|mts|js|mjs|py)$/i;
const NOT_CDK_SOURCE = /\.d\.ts$|[._-](test|spec)\.[mc]?[jt]s$|(^|\/)(tests?|__tests__|test_[^/]*\.py)(\/|$)/i;
/** Text that makes a YAML or JSON file worth parsing. */
const INFRA_MARKERS = /AWSTemplateFormatVersion|AWS::|\bapiVersion\b|stack_tags|template_path|cloudformation|@@assign|policyRule|\bdefinition\b|\bResources\b|commonLabels|^releases:/m;
const INFRA_PATH = /(cloudformation|cfn|template|stack|sam|k8s|kube|manifest|deploy|helm|chart|kustom|values|policy|polic)/i;
const MAX_ITEM_FINDINGS = 150;

type Verdict = { status: 'pass' } | { status: 'fail'; missing: Requirement[]; empty: Requirement[] } | { status: 'indeterminate'; unsure: Requirement[] };
const RANK = { pass: 0, indeterminate: 1, fail: 2 } as const;

function judge(item: Item, reqs: readonly Requirement[]): Verdict {
  const v = judgeKeys(item.keys, item.open, reqs, item.platform === 'kubernetes' || item.platform === 'helm' ? 'label' : 'tag');
  if (v.missing.length > 0 || v.empty.length > 0) return { status: 'fail', missing: v.missing, empty: v.empty };
  if (v.unsure.length > 0) return { status: 'indeterminate', unsure: v.unsure };
  return { status: 'pass' };
}

const list = (reqs: Requirement[]): string => reqs.map(describeRequirement).join(', ');

function title(item: Item): string {
  if (item.platform === 'terraform') return item.type === 'module' ? `module.${item.name}` : `${item.type}.${item.name}`;
  if (item.platform === 'cloudformation') return `${item.type} ${item.name}`;
  if (item.platform === 'cdk') return `CDK ${item.type} ${item.name}`;
  if (item.platform === 'operator') return `${item.type} ${item.name}`;
  if (item.platform === 'helm') return `${item.type} ${item.name}`;
  return `${item.type} ${item.name}`;
}

/** Missing tags are fixed where the platform declares them: provider defaults, stack tags, pod template labels. */
function platformRule(item: Item): Rule {
  return item.platform === 'terraform' ? 'terraform-missing-tags' : item.platform === 'cloudformation' ? 'cloudformation-missing-tags' : item.platform === 'cdk' ? 'cdk-missing-tags' : item.platform === 'operator' ? 'operator-missing-tags' : 'kubernetes-missing-labels';
}

function itemFinding(item: Item, verdict: Verdict): Finding<Rule> | undefined {
  if (verdict.status === 'pass') return undefined;
  const word = item.platform === 'kubernetes' || item.platform === 'helm' ? 'label' : 'tag';
  const where = item.context ? ` (${item.context})` : '';
  const from = item.inherited.length > 0 ? `; counted with ${item.inherited.join(' and ')}` : '';
  const subject = item.platform === 'kubernetes' ? `${title(item)}: its pod template` : title(item);
  const note = item.note ? `; ${item.note}` : '';
  if (verdict.status === 'fail') {
    const parts: string[] = [];
    if (verdict.missing.length > 0) parts.push(`has no ${list(verdict.missing)} ${word}${verdict.missing.length > 1 ? 's' : ''}`);
    if (verdict.empty.length > 0) parts.push(`has an empty ${list(verdict.empty)} ${word}`);
    const untagged = item.keys.size === 0;
    return { rule: platformRule(item), severity: untagged ? 'high' : 'medium', path: item.path, line: item.line, message: `${subject}${where} ${parts.join(' and ')}${untagged ? ` (no ${word}s at all)` : ''}${from}${note}` };
  }
  return { rule: 'tags-indeterminate', severity: 'low', path: item.path, line: item.line, message: `${subject}${where}: cannot tell whether it has ${list(verdict.unsure)} (${item.open ?? 'unresolved'}); counted as indeterminate, not as passing${from}${note}` };
}

function read(snapshot: RepoSnapshot, path: string, findings: Finding<Rule>[], severity: 'low' | 'medium' | undefined): string | undefined {
  const content = snapshot.read(path);
  if (content.ok) return content.text;
  if (severity) findings.push({ rule: 'unreadable-file', severity, path, message: `could not read this file (${content.reason}${content.detail ? `: ${content.detail}` : ''}); anything it declares is not judged` });
  return undefined;
}

function gather(snapshot: RepoSnapshot, reqs: Requirement[], o: Options): { scan: Scan; context: NonProduction } {
  const scan = emptyScan();
  const files = snapshot.files.filter((f) => f.kind === 'file' && !IGNORED_DIRS.test(f.path));
  const tf: SourceFile[] = [];
  const tfvars: SourceFile[] = [];
  const terragrunt: SourceFile[] = [];
  const parsed: ParsedFile[] = [];
  const samconfigs: SourceFile[] = [];
  const cdkSources: SourceFile[] = [];

  // Helm charts: their templates are Go templates, not YAML, until rendered.
  const chartDirs = files.filter((f) => /(^|\/)Chart\.ya?ml$/.test(f.path)).map((f) => ({ dir: dirOf(f.path), path: f.path }));
  // Reads for context (READMEs, CI files, scripts): a read that throws is reported like any other.
  const textOf = (path: string): string | undefined => {
    let text: string | undefined;
    guarded(scan.findings, path, undefined, () => {
      const r = snapshot.read(path);
      text = r.ok ? r.text : undefined;
    });
    return text;
  };
  const context = nonProduction(files.map((f) => f.path), textOf, chartDirs.map((c) => c.dir), o);
  const chartOf = (path: string) => chartDirs.filter((c) => path.startsWith(c.dir ? `${c.dir}/templates/` : 'templates/')).sort((a, b) => b.dir.length - a.dir.length)[0];
  const charts = new Map<string, KubernetesInput['charts'][number]>();
  for (const c of chartDirs) {
    const text = snapshot.read(c.path);
    const name = text.ok ? /^name:[ \t]*["']?([^"'\s#]+)/m.exec(text.text)?.[1] : undefined;
    // Dependencies (Chart.yaml, or requirements.yaml of Helm 2): a chart may deploy its workloads through one.
    const dependencies: string[] = [];
    for (const depFile of [c.path, `${c.dir ? `${c.dir}/` : ''}requirements.yaml`]) {
      const t = depFile === c.path ? (text.ok ? text.text : undefined) : textOf(depFile);
      const doc = t ? parseDocs(t) : undefined;
      const deps = doc?.ok ? asRecord(doc.docs[0]?.value)?.dependencies : undefined;
      if (Array.isArray(deps)) for (const d of deps) for (const n of [asRecord(d)?.alias, asRecord(d)?.name]) if (typeof n === 'string') dependencies.push(n);
    }
    charts.set(c.dir, { dir: c.dir, name: name ?? (c.dir.split('/').pop() || 'chart'), chartPath: c.path, workloads: false, templated: [], templateKeys: new Set(), valuesDriven: false, dependencies, extraValues: [] });
  }
  const chartHome = (path: string) => chartDirs.filter((c) => isWithin(dirOf(path), c.dir)).sort((a, b) => b.dir.length - a.dir.length)[0];
  // Sceptre projects: a directory whose config/ (stack configs, Jinja allowed) sits beside templates/.
  const dirsWith = (segment: string) => new Set(files.flatMap((f) => {
    // Every directory of the path that holds `segment/` (config/sceptre/config/… holds two).
    const parts = f.path.split('/').slice(0, -1);
    return parts.flatMap((part, i) => (part === segment ? [parts.slice(0, i).join('/')] : []));
  }));
  const templateDirs = dirsWith('templates');
  const sceptreProjects = [...dirsWith('config')].filter((d) => templateDirs.has(d));
  sceptreProjects.sort((a, b) => b.length - a.length);
  const sceptrePart = (path: string): 'config' | 'templates' | undefined => {
    for (const d of sceptreProjects) {
      const base = d ? `${d}/` : '';
      if (path.startsWith(`${base}config/`)) return 'config';
      if (path.startsWith(`${base}templates/`)) return 'templates';
    }
    return undefined;
  };

  // `[ \t]*`, not `\s*`: under the m flag `\s*` crosses newlines and is retried at every line start.
  const workloadKind = new RegExp(`^[ \\t]*kind:[ \\t]*["']?(${WORKLOAD_KINDS.join('|')})\\b`, 'm');

  // Each file is read in a guard: an exception nobody foresaw costs that file, not the check.
  for (const file of files) guarded(scan.findings, file.path, undefined, () => {
    const p = file.path;
    if (TF.test(p)) {
      const text = read(snapshot, p, scan.findings, 'medium');
      if (text !== undefined) tf.push({ path: p, text });
    } else if (TFVARS.test(p)) {
      const text = read(snapshot, p, scan.findings, 'low');
      if (text !== undefined) tfvars.push({ path: p, text });
    } else if (TFLINT.test(p)) {
      const text = read(snapshot, p, scan.findings, 'low');
      if (text !== undefined) scan.enforcement.push(...tflintEnforcement(p, text));
    } else if (HCL.test(p)) {
      const text = read(snapshot, p, scan.findings, /(^|\/)(terragrunt|root)\.hcl$/i.test(p) ? 'medium' : undefined);
      if (text !== undefined) terragrunt.push({ path: p, text });
    } else if (POLICY.test(p)) {
      const text = read(snapshot, p, scan.findings, undefined);
      if (text !== undefined) scan.enforcement.push(...policyEnforcement(p, text, reqs));
    } else if (SAMCONFIG.test(p)) {
      const text = read(snapshot, p, scan.findings, undefined);
      if (text !== undefined) samconfigs.push({ path: p, text });
    } else if (CDK_SOURCE.test(p)) {
      if (NOT_CDK_SOURCE.test(p)) return;
      const text = read(snapshot, p, scan.findings, undefined);
      if (text !== undefined && /aws-cdk|aws_cdk/.test(text)) cdkSources.push({ path: p, text });
    } else if (TPL.test(p) && chartOf(p)) {
      // Named templates (_helpers.tpl) are where charts usually write their labels.
      const text = read(snapshot, p, scan.findings, undefined);
      const c = charts.get(chartOf(p)!.dir)!;
      if (text !== undefined) readChartTemplate(c, text);
    } else if (DOCS.test(p)) {
      const chart = chartOf(p);
      const isValues = chartDirs.some((c) => p === (c.dir ? `${c.dir}/values.yaml` : 'values.yaml') || p === (c.dir ? `${c.dir}/values.yml` : 'values.yml'));
      // Other values files of a chart (values-production.yaml, prod.values.yaml): what it is installed with.
      const home = !chart && !isValues && /(^|\/)([^/]*[._-])?values([._-][^/]*)?\.ya?ml$/i.test(p) ? chartHome(p) : undefined;
      const text = read(snapshot, p, scan.findings, INFRA_PATH.test(p) || chart || isValues ? 'low' : undefined);
      if (text === undefined) return;
      if (chart && text.includes('{{')) {
        const c = charts.get(chart.dir)!;
        c.templated.push(p);
        if (workloadKind.test(text)) c.workloads = true;
        readChartTemplate(c, text);
        return;
      }
      if (home) {
        const extra = parseDocs(text);
        if (extra.ok) charts.get(home.dir)!.extraValues.push({ path: p, text, docs: extra.docs });
        return;
      }
      // Sceptre stack configs and templates may hold Jinja; elsewhere a `.j2` is read only as a CloudFormation template.
      const sceptre = sceptrePart(p);
      const j2 = /\.j2$/i.test(p);
      if (j2 && !sceptre && !/AWSTemplateFormatVersion/.test(text)) return;
      if (!sceptre && !isValues && !INFRA_MARKERS.test(text) && !/(^|\/)kustomization\.ya?ml$/i.test(p)) return;
      const templated = sceptre !== undefined || j2 || /\.gotmpl$/i.test(p);
      const result = parseDocs(templated && hasJinja(text) ? stripJinja(text) : text);
      if (!result.ok && sceptre === 'config' && !INFRA_MARKERS.test(text)) return;
      if (!result.ok) {
        const kind = /\.json$/i.test(p) ? 'JSON' : 'YAML';
        scan.findings.push({ rule: 'unparsable-file', severity: 'medium', path: p, line: result.line, message: `malformed ${kind} (line ${result.line}: ${result.message}): anything this file declares is not judged` });
        return;
      }
      const pf: ParsedFile = { path: p, text, docs: result.docs };
      if (isValues) {
        const c = chartDirs.find((d) => dirOf(p) === d.dir);
        if (c) charts.get(c.dir)!.values = pf;
      }
      parsed.push(pf);
      for (const e of documentEnforcement(pf, reqs)) scan.enforcement.push(e);
    }
  });

  if (parserProblem && (tf.length > 0 || terragrunt.length > 0)) {
    scan.findings.push({ rule: 'not-judged', severity: 'medium', message: `${parserProblem}: Terraform and Terragrunt files are not judged` });
  }
  // Each reader guards every file itself; these guards are the last resort for what is left.
  const stage = (what: string, work: () => void) => {
    try {
      work();
    } catch (error) {
      scan.findings.push({ rule: 'not-judged', severity: 'medium', message: `could not judge the ${what}: ${errorMessage(error)}` });
    }
  };
  stage('Terraform and Terragrunt files', () => scanTerraform({ terraform: tf, tfvars, terragrunt }, scan, (dir) => context.reason(dir ? `${dir}/_` : '_')));
  const templates = parsed.filter((f) => f.docs.some((d) => isTemplate(d.value)));
  stage('CloudFormation templates', () => scanCloudFormation(templates, findStackTags(parsed, samconfigs, new Set(templates.map((t) => t.path)), scan.findings, sceptreProjects), scan));
  stage('CDK apps', () => scanCdk(cdkSources, scan));
  stage('Kubernetes manifests and Helm charts', () => scanKubernetes({ manifests: parsed.filter((f) => !templates.includes(f)), charts: [...charts.values()], read: textOf }, scan, (path) => context.reason(path)));
  // A file whose read throws is reported once, whether context or judgement read it first.
  const seen = new Set<string>();
  scan.findings = scan.findings.filter((f) => {
    if (f.rule !== 'not-judged') return true;
    const key = `${f.path}\u0000${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { scan, context };
}

/** Whether a policy requires a key: it names one of its spellings, or names no keys at all (generic). */
function covers(e: Enforcement, r: Requirement): boolean {
  return !e.keys || e.keys.some((k) => r.accepts.has(normaliseKey(k, e.labels ? 'label' : 'tag')));
}

/**
 * Enforcement credit: 2 points when the policies that block untagged resources together require every
 * required key (or one names none); 1 when policies require only some, or when only report-only
 * policies require them all; 0 otherwise. A variable validation counts only when it names a required key.
 */
function enforcementCredit(all: Enforcement[], reqs: Requirement[]): { relevant: Enforcement[]; points: number; uncovered: Requirement[]; unblocked: Requirement[] } {
  const relevant = all.filter((e) => !e.incidental || reqs.some((r) => covers(e, r)));
  const uncovered = reqs.filter((r) => !relevant.some((e) => covers(e, r)));
  const unblocked = reqs.filter((r) => !relevant.some((e) => !e.weak && covers(e, r)));
  const points = relevant.length === 0 || uncovered.length === reqs.length ? 0 : unblocked.length === 0 ? 2 : 1;
  return { relevant, points, uncovered, unblocked };
}

export default defineCheck({
  id: 'cost-tags',
  meta: {
    title: 'Cost tags',
    description: 'Every cost-bearing cloud resource of the owners\' production declared in code can be attributed to an owner and a cost centre: required tags and labels (or keys of the same intent), and a policy or construction that keeps them.',
    category: 'cost',
    weight: 2,
    // 2: only listed types count, registry modules always count, validations and Kustomize read strictly.
    // 3: partial credit (same-intent and organisation keys, token attribution), tagging by construction
    // as enforcement, non-production left out, CDK, Helm releases and operator resources read, pass at 7.5.
    version: 3,
    reads: [
      '**/*.tf',
      '**/*.tf.json',
      '**/*.tfvars',
      '**/*.tfvars.json',
      '**/*.hcl',
      '**/*.{yml,yaml}',
      '**/*.json',
      '**/*.template',
      '**/*.j2',
      '**/*.gotmpl',
      '**/templates/**/*.tpl',
      '**/*.{rego,sentinel}',
      '**/samconfig.toml',
      '**/*.{ts,mts,js,mjs,py}',
      '**/README*',
      '**/*.sh',
      '**/Makefile',
    ],
    options,
    rules: RULES,
  },
  run(snapshot, ctx) {
    const o = ctx.options;
    const reqs = requirements(o.requiredKeys, o.aliases, o.alternatives);
    const k8sReqs = requirements(o.kubernetesLabels, o.aliases, o.alternatives, 'label');
    const { scan, context } = gather(snapshot, reqs, o);
    const isLabel = (item: Item) => item.platform === 'kubernetes' || item.platform === 'helm';
    const reqsOf = (item: Item) => (isLabel(item) ? k8sReqs : reqs);
    const kindOf = (item: Item): KeyKind => (isLabel(item) ? 'label' : 'tag');

    // Not the owners' production: by path and context, and everything a library declares for its
    // users (a reusable module, manifests, charts), whatever its path.
    const excluded = new Map<string, number>();
    const production = scan.items.filter((item) => {
      const why = context.reason(item.path) ?? (ctx.kind.kind === 'library' && (isLabel(item) || item.reusable) ? 'the repository is a library: what it declares is deployed by its users' : undefined);
      if (why) excluded.set(why, (excluded.get(why) ?? 0) + 1);
      return !why;
    });

    // One verdict per declaration: a module called twice is judged by its worst instance.
    const judged = new Map<string, { item: Item; verdict: Verdict }>();
    for (const item of production) {
      const verdict = judge(item, reqsOf(item));
      const key = item.identity ?? `${item.path}:${item.line}:${item.name}`;
      const prev = judged.get(key);
      if (!prev || RANK[verdict.status] > RANK[prev.verdict.status]) judged.set(key, { item, verdict });
    }
    // Types outside the cost-bearing list are reported when they miss keys, never counted.
    const all = [...judged.values()].filter((j) => !j.item.uncounted);
    const uncounted = [...judged.values()].filter((j) => j.item.uncounted && j.verdict.status === 'fail');
    const findings: Finding<Rule>[] = [];
    const credit = enforcementCredit(scan.enforcement, reqs);
    const enforcement = credit.relevant;
    const notCounted: Finding<Rule>[] = [...excluded].map(([why, n]) => ({ rule: 'not-counted', severity: 'info', message: `${n} cost-bearing resource${n > 1 ? 's' : ''} not counted: ${why}` }));

    if (all.length === 0) {
      return {
        status: 'not-applicable',
        score: null,
        summary: excluded.size > 0
          ? `No cost-bearing resources of the owners' production declared here: ${[...excluded.values()].reduce((a, b) => a + b, 0)} declared for tests, examples, local setups or others to deploy (see the findings).`
          : `No cost-bearing resources declared in Terraform, CloudFormation, CDK or Kubernetes manifests${scan.findings.some((f) => f.severity === 'medium') ? ' could be read (see the findings)' : ''}.`,
        findings: [...notCounted, ...scan.findings, ...enforcement.map((e) => ({ rule: 'enforcement-found' as const, severity: 'info' as const, path: e.path, line: e.line, message: `tagging enforcement found: ${e.what}` }))],
      };
    }

    // Attribution: required keys met, or stood in for by keys of the same intent or the organisation's own.
    // Cloud tags only: Kubernetes labels carry many keys of the platform's own (pod-security, istio, argocd).
    const organisation = organisationKeys(all.filter((j) => !isLabel(j.item)).map((j) => ({ item: j.item, reqs: reqsOf(j.item), kind: kindOf(j.item) })));
    const orgSet = new Set(organisation.keys());
    const attributed = all.map((j) => ({ ...j, reqs: reqsOf(j.item), a: attribution(j.item, reqsOf(j.item), kindOf(j.item), orgSet) }));
    const meanCredit = attributed.reduce((sum, j) => sum + j.a.credit, 0) / attributed.length;

    // Tagging by construction (provider default tags, stack tags, a shared tags module or local,
    // Kustomize labels) keeps the next resource tagged as surely as a policy; experts count it as
    // enforcement. It earns up to 2 points, in proportion to the resources whose attribution comes so.
    const central = attributed.filter((j) => j.a.share > 0 && (j.item.inherited.length > 0 || j.item.shared));
    const constructionPoints = (2 * central.length) / attributed.length;
    const enforcementPoints = Math.max(credit.points, constructionPoints);
    const score = roundScore(meanCredit * 8 + enforcementPoints);

    const passing = all.filter((j) => j.verdict.status === 'pass').length;
    const failing = all.filter((j) => j.verdict.status === 'fail');
    const unsure = all.filter((j) => j.verdict.status === 'indeterminate');

    const byPlatform = new Map<string, number>();
    for (const j of all) byPlatform.set(j.item.platform, (byPlatform.get(j.item.platform) ?? 0) + 1);
    const ordered = [...failing.filter((j) => j.item.keys.size === 0), ...failing.filter((j) => j.item.keys.size > 0), ...unsure];
    // When the list is capped, one summary per category first, so the biggest reason is never cut off.
    if (ordered.length > MAX_ITEM_FINDINGS) findings.push(...categorySummaries(ordered));
    for (const j of ordered.slice(0, MAX_ITEM_FINDINGS)) {
      const f = itemFinding(j.item, j.verdict);
      if (f) findings.push(f);
    }
    const noted = new Set<string>();
    for (const j of ordered) {
      if (!j.item.fileNote || noted.has(j.item.path)) continue;
      noted.add(j.item.path);
      findings.push({ rule: j.item.platform === 'cloudformation' ? 'stack-tags-unmatched' : 'tags-indeterminate', severity: 'info', path: j.item.path, line: j.item.line, message: j.item.fileNote });
    }
    if (ordered.length > MAX_ITEM_FINDINGS) findings.push({ rule: platformRule(ordered[MAX_ITEM_FINDINGS]!.item), severity: 'medium', message: `…and ${ordered.length - MAX_ITEM_FINDINGS} more resources without every required tag (only the first ${MAX_ITEM_FINDINGS} are listed; the counts per reason are above)` });
    for (const j of uncounted.slice(0, MAX_ITEM_FINDINGS)) {
      const f = itemFinding(j.item, j.verdict);
      if (f) findings.push({ ...f, severity: 'info', message: `${f.message}; for information only: ${j.item.uncounted}, so it is not part of the score` });
    }
    findings.push(...sameIntentFindings(attributed, o), ...spellingFindings(all.map((j) => j.item)));

    if (enforcement.length === 0) {
      findings.push({ rule: 'no-tagging-enforcement', severity: 'low', message: `no tagging policy in this repository: add a linter rule (tflint aws_resource_missing_tags), a policy (OPA/Conftest, Checkov, Sentinel, Kyverno) or an AWS Config required-tags rule so untagged resources are caught before they are deployed${central.length > 0 ? ` (tags applied by construction — provider default tags, stack tags, shared tag definitions — reach ${central.length} of ${all.length} resources, which earns ${roundScore(constructionPoints)} of the 2 enforcement points)` : ''}` });
    } else {
      for (const e of enforcement) findings.push({ rule: 'enforcement-found', severity: 'info', path: e.path, line: e.line, message: `tagging enforcement: ${e.what}${e.keys ? ` (requires ${e.keys.join(', ')})` : ''}${e.weak ? `; ${e.weak}` : ''}` });
      if (credit.uncovered.length > 0) findings.push({ rule: 'enforcement-misses-keys', severity: 'low', message: `the tagging policies here do not require ${list(credit.uncovered)}` });
      const blockedOnlyByWeak = credit.unblocked.filter((r) => !credit.uncovered.includes(r));
      if (blockedOnlyByWeak.length > 0) {
        const weak = enforcement.find((e) => e.weak && blockedOnlyByWeak.some((r) => covers(e, r)))!;
        findings.push({ rule: 'enforcement-report-only', severity: 'low', path: weak.path, line: weak.line, message: `${weak.what} is ${weak.weak}; ${list(blockedOnlyByWeak)} ${blockedOnlyByWeak.length > 1 ? 'are' : 'is'} required only by report-only policies, which earn 1 enforcement point, not 2` });
      }
    }
    findings.push(...notCounted, ...scan.findings);

    const platforms = [...byPlatform].map(([p, n]) => `${n} ${p === 'terraform' ? 'Terraform' : p === 'cloudformation' ? 'CloudFormation' : p === 'cdk' ? 'CDK' : p === 'operator' ? 'operator-managed' : p === 'helm' ? 'Helm' : 'Kubernetes'}`).join(', ');
    const partial = attributed.filter((j) => j.verdict.status !== 'pass' && j.a.share > 0).length;
    const parts = [
      `${passing}/${all.length} cost-bearing resources carry every required tag (${platforms})`,
      `${failing.length} missing required keys${unsure.length > 0 ? `, ${unsure.length} indeterminate` : ''}${partial > 0 ? `; ${partial} of those carry part of the attribution (some keys, or keys of the same intent)` : ''}`,
      enforcement.length > 0 ? `enforced by ${enforcement[0]!.what} in ${enforcement[0]!.path}${enforcement.length > 1 ? ` and ${enforcement.length - 1} more` : ''}` : central.length > 0 ? `tagged by construction for ${central.length}, no tagging policy` : 'no tagging enforcement',
    ];
    return { status: statusFromScore(score, o), score, summary: parts.join('; '), findings };
  },
});

export type { Options as CostTagsOptions };
