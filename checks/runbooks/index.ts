// Standards: Google SRE Book, "Being On-Call" (playbooks); Prometheus alerting rules
// (https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/) and the
// kube-prometheus `runbook_url` annotation convention; Backstage PagerDuty/Opsgenie annotations.
import { z } from 'zod';
import { defineCheck, notApplicable, runsInProduction, statusFromScore, type Finding } from '../contract.ts';
import { analyseDocument, type DocumentVerdict } from './document.ts';
import { LinkResolver } from './links.ts';
import { newScan, RUNBOOK_KEYS, type Alert, type Scan } from './model.ts';
import { RULES, type Rule } from './rules.ts';
import { scoreOf, linkWeight, type LinkKind } from './score.ts';
import { readTerraform, type TerraformFile } from './terraform.ts';
import { alertsInText, alertsInYaml, runbookPatternIn } from './yaml.ts';

const options = z
  .object({
    passAt: z.number().min(0).max(10).default(8).meta({ description: 'Score at or above which the check passes.' }),
    warnAt: z.number().min(0).max(10).default(5).meta({ description: 'Score at or above which the check warns instead of failing.' }),
    minAlertCoverage: z.number().min(0).max(1).default(0.8).meta({ description: 'Share of alerts that should link a runbook.' }),
    minSectionWords: z.int().min(1).default(12).meta({ description: 'Words a section needs to count as written, not a stub.' }),
  })
  .strict();
type Options = z.output<typeof options>;

// Vendored code, test data and examples describe other systems, not this one.
const IGNORED_DIRS = /(^|\/)(node_modules|vendor|third_party|third-party|testdata|test-fixtures|__fixtures__|fixtures|examples?)\//i;
const DOC_EXTENSIONS = /\.(md|markdown|mdx|rst|adoc|asciidoc|txt)$/i;
const RUNBOOK_NAME = /(runbook|playbook)/i;
const RUNBOOK_DIR = /(^|\/)(runbooks?|playbooks?)\//i;
// Runbooks under other names: standard operating procedures, on-call and incident-response guides,
// operations manuals. They count when their content is diagnosis or mitigation. A README there
// introduces a directory (often named after a product: `helm/oncall/`); it is not a procedure.
const PROCEDURE_DIR = /(^|\/)(sops?|standard[-_]operating[-_]procedures?|operations|ops|on-?call|on_call|incident[-_]response|sre|procedures)\//i;
const PROCEDURE_NAME = /(^|[-_. ])(sop|oncall|on-call|on_call|incident[-_]response|disaster[-_]recovery)([-_. ]|$)/i;
const TEMPLATE_NAME = /(^|[/_.-])template([_.-]|\.|$)/i;
const ONCALL_DOC = /(^|\/)(readme|oncall|on-call|on_call|escalation|support|operations)[^/]*\.(md|markdown|mdx|rst|adoc)$/i;
// An API reference documents a product's endpoints ("Escalation HTTP API"), not who is paged for this service.
const API_REFERENCE = /(^|\/)[^/]*api[-_ ]?reference[^/]*\/|(^|\/)reference\/api\//i;
const RULE_TEXT_FILE = /\.(jsonnet|libsonnet|rules)$/i;
const YAML_FILE = /\.(ya?ml)$/i;
const TERRAFORM_FILE = /\.tf$/i;
// Alerting configuration under documentation or test directories is a tutorial or a test input, not
// what runs: a docs/alerts/alertmanager.yml sample pages nobody.
const NOT_DEPLOYED_CONFIG = /(^|\/)(docs?|documentation|tests?|e2e)\//i;
const ALERTISH_PATH = /(alert|rules?|prometheus)[^/]*\.ya?ml$|\/(alerts?|rules|prometheus)\//i;

const DOC_GLOB = '{md,markdown,mdx,rst,adoc,asciidoc,txt}';

function docScore(verdicts: DocumentVerdict[]): number {
  return Math.max(0, ...verdicts.map((v) => ({ thorough: 1, complete: 0.85, partial: 0.55, stub: 0.1 })[v.quality]));
}

/** One alert per name: generated copies, per-environment copies and the source of a generated file are the same alert. */
function distinctAlerts(alerts: Alert[], weightOf: (a: Alert) => number): { alert: Alert; copies: number }[] {
  const byName = new Map<string, { alert: Alert; copies: number; weight: number }>();
  for (const a of alerts) {
    const w = weightOf(a);
    const key = a.identity ?? a.name;
    const seen = byName.get(key);
    if (!seen) byName.set(key, { alert: a, copies: 1, weight: w });
    else {
      seen.copies++;
      if (w > seen.weight) Object.assign(seen, { alert: a, weight: w });
    }
  }
  return [...byName.values()];
}

export default defineCheck({
  id: 'runbooks',
  meta: {
    title: 'Runbooks',
    description: 'Whoever is paged can find a written procedure: runbooks with real content, alerts that link them, and a route to escalate.',
    category: 'operability',
    weight: 3,
    version: 2,
    reads: [
      '**/*runbook*',
      '**/*playbook*',
      '**/runbooks/**',
      '**/playbooks/**',
      `**/{sop,sops,standard-operating-procedures,operations,ops,oncall,on-call,on_call,incident-response,incident_response,sre,procedures}/**/*.${DOC_GLOB}`,
      `**/*{sop,oncall,on-call,on_call,incident-response,incident_response,disaster-recovery,disaster_recovery}*.${DOC_GLOB}`,
      '**/*.{yml,yaml}',
      '**/*.{rules,jsonnet,libsonnet}',
      '**/*.tf',
      '**/{readme,oncall,on-call,on_call,escalation,support,operations}*.{md,markdown,mdx,rst,adoc}',
    ],
    options,
    rules: RULES,
  },
  run(snapshot, ctx) {
    const { options: o, kind } = ctx;
    if (!runsInProduction(kind)) return notApplicable(`This repository is a ${kind.kind} (${kind.source}): it runs nothing in production, so nobody is paged for it.`);
    const scan: Scan = newScan();
    // Links may point at symlinks (e.g. docs/runbook.md → RUNBOOK.md); they exist even though we never follow them.
    const files = new Set(snapshot.files.filter((f) => f.kind !== 'submodule').map((f) => f.path));
    const resolver = new LinkResolver(snapshot, files);
    const runbookDocs: DocumentVerdict[] = [];
    const ruleTexts: { path: string; text: string }[] = [];
    const terraform: TerraformFile[] = [];

    for (const file of snapshot.files) {
      if (file.kind !== 'file' || IGNORED_DIRS.test(file.path)) continue;
      const base = file.path.split('/').pop() ?? '';
      const isDoc = DOC_EXTENSIONS.test(file.path);
      const isRunbookDoc = isDoc && (RUNBOOK_NAME.test(base) || RUNBOOK_DIR.test(file.path));
      const isProcedureDoc = isDoc && !isRunbookDoc && !/^readme\b/i.test(base) && (PROCEDURE_DIR.test(file.path) || PROCEDURE_NAME.test(base.replace(DOC_EXTENSIONS, '')));
      const isOnCallDoc = ONCALL_DOC.test(file.path) && !API_REFERENCE.test(file.path);
      const deployable = !NOT_DEPLOYED_CONFIG.test(file.path);
      const isYaml = deployable && YAML_FILE.test(file.path);
      const isRuleText = deployable && RULE_TEXT_FILE.test(file.path);
      const isTerraform = deployable && TERRAFORM_FILE.test(file.path);
      if (!isRunbookDoc && !isProcedureDoc && !isOnCallDoc && !isYaml && !isRuleText && !isTerraform) continue;

      const content = snapshot.read(file.path);
      if (!content.ok) {
        if (isRunbookDoc || isRuleText || (isYaml && ALERTISH_PATH.test(file.path)) || (isTerraform && /alarm|alert|monitor|pager|oncall|opsgenie/i.test(base))) {
          scan.findings.push({ rule: 'unreadable-file', severity: 'low', path: file.path, message: `could not read this file (${content.reason}${content.detail ? `: ${content.detail}` : ''})` });
        }
        continue;
      }
      const isTemplate = TEMPLATE_NAME.test(file.path);
      // Templates describe what to write: neither a runbook nor a route anyone can use.
      const analysis = (isRunbookDoc || isProcedureDoc || isOnCallDoc) && !isTemplate ? analyseDocument(file.path, content.text, o.minSectionWords) : undefined;
      if (isRunbookDoc && isTemplate) {
        scan.findings.push({ rule: 'runbook-template', severity: 'info', path: file.path, line: 1, message: 'runbook template, not counted as a runbook' });
      } else if (analysis && (isRunbookDoc || (isProcedureDoc && (analysis.covered.includes('diagnosis') || analysis.covered.includes('mitigation'))))) {
        runbookDocs.push(analysis);
        if (analysis.quality === 'stub') {
          scan.findings.push({ rule: 'runbook-stub', severity: 'medium', path: file.path, line: analysis.firstHeadingLine, message: `runbook is a stub: ${analysis.explanation}` });
        } else if (analysis.quality === 'partial') {
          scan.findings.push({ rule: 'runbook-incomplete', severity: 'low', path: file.path, line: analysis.firstHeadingLine, message: `runbook covers only ${analysis.covered.join(', ')}; add ${analysis.missing.join(', ')}` });
        }
      }
      // An escalation section is a route only when it says who is paged and how.
      const routes = analysis?.sections.filter((s) => s.category === 'escalation' && s.substantive && s.paging) ?? [];
      const escalation = routes.find((s) => s.words >= o.minSectionWords) ?? routes[0];
      if (escalation) scan.onCall.push({ evidence: `"${escalation.heading}" section`, path: file.path, line: escalation.line });
      if (isYaml) alertsInYaml(file.path, content.text, scan);
      if (isRuleText) ruleTexts.push({ path: file.path, text: content.text });
      if (isTerraform) terraform.push({ path: file.path, text: content.text });
    }
    // A mixin sets its runbook URL pattern once, in its config; every alert of the repository gets it.
    const pattern = ruleTexts.map((f) => runbookPatternIn(f.path, f.text)).find((p) => p !== undefined);
    for (const f of ruleTexts) alertsInText(f.path, f.text, scan, pattern);
    readTerraform(terraform, scan);

    // Alerts: what each links, and whether it resolves.
    const kindOf = new Map<Alert, LinkKind>();
    const linkFindings = new Map<Alert, Finding<Rule>[]>();
    for (const alert of scan.alerts) {
      const found: Finding<Rule>[] = [];
      let kind: LinkKind = alert.inlineSteps ? 'inline' : 'none';
      let badLink = false;
      let issueLink = false;
      if (alert.runbook) {
        const link = resolver.resolve(alert.runbook.value, alert.path);
        if (!link.ok) {
          badLink = true;
          found.push({ rule: link.kind === 'broken' ? 'broken-runbook-link' : 'not-a-link', severity: 'high', path: alert.path, line: alert.line, message: `alert ${alert.name}: ${link.reason}` });
        } else {
          kind = link.issue ? (alert.inlineSteps ? 'inline' : 'issue') : link.where;
          if (link.issue) {
            issueLink = true;
            found.push({ rule: 'runbook-link-to-issue', severity: 'low', path: alert.path, line: alert.line, message: `alert ${alert.name} links an issue (${alert.runbook.value}), not a runbook: a tracking issue is not a procedure to follow` });
          }
          const conventional = alert.source === 'prometheus' || alert.source === 'grafana' || alert.source === 'jsonnet';
          if (conventional && alert.runbook.key !== 'runbook_url' && alert.runbook.key !== 'runbookURLPattern') {
            const where = RUNBOOK_KEYS.includes(alert.runbook.key) ? `uses "${alert.runbook.key}"` : `names its runbook in "${alert.runbook.key}"`;
            found.push({ rule: 'nonstandard-runbook-key', severity: 'info', path: alert.path, line: alert.line, message: `alert ${alert.name} ${where}; "runbook_url" is the key Alertmanager templates and tools expect` });
          }
        }
      }
      if (!badLink && !issueLink && (kind === 'none' || kind === 'inline')) {
        const what = alert.source === 'terraform' || alert.source === 'cloudformation' ? 'has no runbook link in its description, message or a runbook attribute' : 'has no runbook_url annotation';
        found.push(
          kind === 'inline'
            ? { rule: 'alert-without-runbook', severity: 'low', path: alert.path, line: alert.line, message: `alert ${alert.name} has steps written into it but no runbook link: link the full procedure` }
            : { rule: 'alert-without-runbook', severity: 'medium', path: alert.path, line: alert.line, message: `alert ${alert.name} ${what}` },
        );
      }
      kindOf.set(alert, kind);
      linkFindings.set(alert, found);
    }
    const distinct = distinctAlerts(scan.alerts, (a) => linkWeight(kindOf.get(a) ?? 'none') + (linkFindings.get(a)?.some((f) => f.severity === 'high') ? 0 : 0.001));
    const counted = new Set(distinct.map((d) => d.alert));
    for (const alert of counted) scan.findings.push(...(linkFindings.get(alert) ?? []));
    // An unsafe link is worth fixing in every copy, not only in the one counted.
    for (const alert of scan.alerts) {
      if (counted.has(alert)) continue;
      scan.findings.push(...(linkFindings.get(alert) ?? []).filter((f) => f.rule === 'not-a-link'));
    }

    const alertCount = distinct.length;
    const kinds = distinct.map((d) => kindOf.get(d.alert) ?? 'none');
    const weighted = kinds.reduce((sum, k) => sum + linkWeight(k), 0);
    const coverage = alertCount > 0 ? weighted / alertCount : null;
    const linked = kinds.filter((k) => k !== 'none' && k !== 'inline').length;
    const external = kinds.filter((k) => k === 'external' || k === 'computed').length;
    const issues = kinds.filter((k) => k === 'issue').length;
    const inline = kinds.filter((k) => k === 'inline').length;
    const shared = scan.sharedAlerts;
    const docs = docScore(runbookDocs);
    const onCall = scan.onCall.length > 0;
    const score = scoreOf({ docs, alerts: alertCount > 0 || shared.length > 0, coverage: coverage ?? 0, onCall });

    if (runbookDocs.length === 0) {
      scan.findings.unshift({ rule: 'no-runbook', severity: 'high', message: 'no runbook found: add RUNBOOK.md or docs/runbooks/<alert>.md describing symptoms, diagnosis, mitigation and escalation' });
    }
    if (coverage !== null && coverage < o.minAlertCoverage) {
      const partly = issues + inline > 0 ? ', issue links and steps written into alerts counting in part' : '';
      scan.findings.unshift({ rule: 'alert-without-runbook', severity: 'high', message: `only ${linked} of ${alertCount} alerts link a runbook (${Math.round(coverage * 100)}%${partly}, expected at least ${Math.round(o.minAlertCoverage * 100)}%)` });
    }
    for (const s of shared) {
      scan.findings.push({ rule: 'alerts-in-shared-chart', severity: 'info', path: s.path, line: s.line, message: `alerts come from the chart ${s.chart}, defined in another repository: they count as alerting, but their runbook links cannot be judged here` });
    }
    if (alertCount === 0 && shared.length === 0) {
      scan.findings.push({ rule: 'no-alert-rules', severity: 'info', message: 'no alert rules found in this repository (Prometheus, Grafana, Jsonnet mixins, Terraform or CloudFormation alarms); if its alerts live elsewhere, make sure they link to these runbooks' });
    }
    if (!onCall) {
      scan.findings.push({ rule: 'no-escalation-route', severity: 'medium', message: 'no on-call or escalation route: add a PagerDuty/Opsgenie annotation to catalog-info.yaml, route alerts to a paging receiver, or write an "Escalation" section saying who is paged and how' });
    }

    const complete = runbookDocs.filter((d) => d.quality === 'complete' || d.quality === 'thorough').length;
    const stubs = runbookDocs.filter((d) => d.quality === 'stub').length;
    const alertNotes = [
      external ? `${external} outside this repository, not verified` : '',
      issues ? `${issues} only to an issue` : '',
      inline ? `${inline} with steps in the alert only` : '',
    ].filter(Boolean);
    const parts = [
      runbookDocs.length === 0 ? 'no runbooks' : `${runbookDocs.length} runbook${runbookDocs.length > 1 ? 's' : ''} (${complete} complete${stubs ? `, ${stubs} stub${stubs > 1 ? 's' : ''}` : ''})`,
      alertCount === 0
        ? shared.length > 0
          ? `alerts from the shared chart ${shared[0]!.chart} (not read here)`
          : 'no alert rules'
        : `${linked}/${alertCount} alerts link a runbook${alertNotes.length ? ` (${alertNotes.join(', ')})` : ''}`,
      onCall ? `on-call via ${scan.onCall[0]!.evidence} in ${scan.onCall[0]!.path}` : 'no on-call route',
    ];
    if (scan.metaAlerts.length > 0) parts.push(`${scan.metaAlerts.length} always-firing meta-alert${scan.metaAlerts.length > 1 ? 's' : ''} not counted`);
    let status = statusFromScore(score, o);
    // Alerts without runbooks page someone with nothing to go on: that cannot pass, whatever else is good.
    if (status === 'pass' && coverage !== null && coverage < o.minAlertCoverage) {
      status = 'warn';
      parts.push(`capped at warn: alert coverage below ${Math.round(o.minAlertCoverage * 100)}%`);
    }
    return { status, score, summary: parts.join('; '), findings: scan.findings };
  },
});

export type { Options as RunbooksOptions };
