// Standards: Google SRE Book, "Being On-Call" (playbooks); Prometheus alerting rules
// (https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/) and the
// kube-prometheus `runbook_url` annotation convention; Backstage PagerDuty/Opsgenie annotations.
import { z } from 'zod';
import { LineCounter, parseAllDocuments, isNode, type Document } from 'yaml';
import { defineCheck, roundScore, statusFromScore, type Finding, type RepoSnapshot, notApplicable, runsInProduction } from '../contract.ts';
import { analyseDocument, type DocumentVerdict } from './document.ts';
import { RULES, type Rule } from './rules.ts';

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
const TEMPLATE_NAME = /(^|[/_.-])template([_.-]|\.|$)/i;
const ONCALL_DOC = /(^|\/)(readme|oncall|on-call|on_call|escalation|support|operations)[^/]*\.(md|markdown|rst|adoc)$/i;
const RULE_TEXT_FILE = /\.(jsonnet|libsonnet|rules)$/i;
const YAML_FILE = /\.(ya?ml)$/i;
const ALERTISH_PATH = /(alert|rules?|prometheus)[^/]*\.ya?ml$|\/(alerts?|rules|prometheus)\//i;

/** Annotation keys teams use for runbook links; the first is the Prometheus community convention. */
export const RUNBOOK_KEYS = ['runbook_url', 'runbook', 'runbookUrl', 'runbookURL', 'runbook_link', 'runbook-url', 'playbook', 'playbook_url'];
const ONCALL_ANNOTATION = /^(pagerduty\.com\/|opsgenie\.com\/|splunk\.com\/on-call|victorops|grafana\.com\/oncall|incident\.io\/|firehydrant|rootly)/i;

interface Alert {
  name: string;
  path: string;
  line: number;
  /** Undefined when the rule has no runbook annotation. */
  runbook?: { key: string; value: string };
}

interface Scan {
  findings: Finding<Rule>[];
  alerts: Alert[];
  onCall: { evidence: string; path: string; line: number }[];
}

function lineAt(counter: LineCounter, doc: Document, path: (string | number)[]): number {
  const node = doc.getIn(path, true);
  return isNode(node) && node.range ? counter.linePos(node.range[0]).line : 1;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function runbookAnnotation(rule: Record<string, unknown>): { key: string; value: string } | undefined {
  for (const where of [asRecord(rule.annotations), asRecord(rule.labels)]) {
    if (!where) continue;
    for (const key of RUNBOOK_KEYS) {
      const value = where[key];
      if (typeof value === 'string' && value.trim() !== '') return { key, value: value.trim() };
    }
  }
  return undefined;
}

/** Alert rules from Prometheus rule files, PrometheusRule manifests and Grafana alert provisioning. */
function alertsInYaml(path: string, text: string, scan: Scan): void {
  const counter = new LineCounter();
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { lineCounter: counter, uniqueKeys: false, logLevel: 'error' }) as Document.Parsed[];
  } catch (error) {
    scan.findings.push({ rule: 'unparsable-yaml', severity: 'medium', path, line: 1, message: `could not parse YAML: ${(error as Error).message}` });
    return;
  }
  if (!Array.isArray(docs)) return;
  const looksRelevant = /\balert\s*:|PrometheusRule|runbook|catalog-info|pagerduty|opsgenie/i.test(text);
  const alertsBefore = scan.alerts.length;
  let readAsText = false;
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      if (looksRelevant) {
        const first = doc.errors[0]!;
        const line = first.linePos?.[0]?.line ?? 1;
        if (hasTemplateAction(text)) {
          // A Helm/Go template: fall back to reading the whole text, once, in place of any alerts already read from it.
          if (!readAsText) {
            readAsText = true;
            scan.alerts.length = alertsBefore;
            alertsInText(path, text, scan);
          }
        } else scan.findings.push({ rule: 'unparsable-yaml', severity: 'medium', path, line, message: `malformed YAML, alerts in this file cannot be read: ${first.message.split('\n')[0]}` });
      }
      continue;
    }
    let root: unknown;
    try {
      root = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      scan.findings.push({ rule: 'unparsable-yaml', severity: 'medium', path, line: 1, message: `YAML could not be evaluated: ${(error as Error).message}` });
      continue;
    }
    const top = asRecord(root);
    if (!top) continue;
    collectOnCallFromYaml(path, top, doc, counter, scan);
    if (readAsText) continue; // this file's alerts were already read from its text
    const spec = asRecord(top.spec);
    const groupsPath: (string | number)[] = top.kind === 'PrometheusRule' && spec ? ['spec', 'groups'] : ['groups'];
    const groups = top.kind === 'PrometheusRule' ? spec?.groups : top.groups;
    if (!Array.isArray(groups)) continue;
    groups.forEach((group, gi) => {
      const rules = asRecord(group)?.rules;
      if (!Array.isArray(rules)) return;
      rules.forEach((ruleValue, ri) => {
        const rule = asRecord(ruleValue);
        if (!rule) return;
        // Prometheus: `alert:` (recording rules have `record:`); Grafana provisioning: `title:` with a `condition`.
        const name = typeof rule.alert === 'string' ? rule.alert : typeof rule.title === 'string' && ('condition' in rule || 'data' in rule) ? rule.title : undefined;
        if (!name) return;
        scan.alerts.push({ name, path, line: lineAt(counter, doc, [...groupsPath, gi, 'rules', ri]), runbook: runbookAnnotation(rule) });
      });
    });
  }
}

/** A Go/Helm template action ("{{ … }}" on one line), found in one linear pass. */
function hasTemplateAction(text: string): boolean {
  let open = -1;
  for (let i = 0; i < text.length - 1; i++) {
    const c = text[i];
    if (c === '\n') open = -1;
    else if (c === '{' && text[i + 1] === '{') open = i;
    else if (c === '}' && text[i + 1] === '}' && open >= 0) return true;
  }
  return false;
}

/** Heuristic reading of rules we cannot evaluate: Jsonnet mixins and templated YAML. */
function alertsInText(path: string, text: string, scan: Scan): void {
  // Horizontal whitespace only: the match starts on the alert's own line, and cannot backtrack across blank lines.
  const alertPattern = /^[ \t]*(?:-[ \t]*)?['"]?alert['"]?\s*:\s*['"]?([A-Za-z_][\w:]*)/gm;
  const matches = [...text.matchAll(alertPattern)];
  // Mixins often add runbook links to every alert from one config field.
  const globalRunbook = /runbookURLPattern|runbook_url_pattern|addRunbookUrls/i.test(text);
  matches.forEach((match, i) => {
    const start = match.index ?? 0;
    const end = matches[i + 1]?.index ?? text.length;
    const block = text.slice(start, end);
    const keyMatch = new RegExp(`['"]?(${RUNBOOK_KEYS.join('|')})['"]?\\s*:\\s*['"]?([^'",\\n}]+)`).exec(block);
    const line = text.slice(0, start).split('\n').length;
    const runbook = keyMatch ? { key: keyMatch[1]!, value: keyMatch[2]!.trim() } : globalRunbook ? { key: 'runbookURLPattern', value: '{{templated}}' } : undefined;
    scan.alerts.push({ name: match[1]!, path, line, runbook });
  });
}

function collectOnCallFromYaml(path: string, top: Record<string, unknown>, doc: Document, counter: LineCounter, scan: Scan): void {
  // Backstage catalog entity annotations.
  const annotations = asRecord(asRecord(top.metadata)?.annotations);
  if (annotations && typeof top.apiVersion === 'string' && top.apiVersion.startsWith('backstage.io/')) {
    for (const key of Object.keys(annotations)) {
      if (ONCALL_ANNOTATION.test(key) && String(annotations[key] ?? '').trim() !== '') {
        scan.onCall.push({ evidence: `${key} annotation`, path, line: lineAt(counter, doc, ['metadata', 'annotations', key]) });
      }
    }
  }
  // Alertmanager routing to a paging service.
  if (Array.isArray(top.receivers)) {
    top.receivers.forEach((receiver, i) => {
      const r = asRecord(receiver);
      const pager = r && Object.keys(r).find((k) => /^(pagerduty|opsgenie|victorops)_configs$/.test(k));
      if (pager) scan.onCall.push({ evidence: `Alertmanager receiver with ${pager}`, path, line: lineAt(counter, doc, ['receivers', i]) });
    });
  }
}

/** Does a runbook link point at something real? Links into this repository must resolve to a file. */
function resolveRunbookLink(value: string, alertPath: string, snapshot: RepoSnapshot, files: Set<string>): { ok: true; external: boolean } | { ok: false; reason: string } {
  // Templated (Go templates, Alertmanager labels) or computed (Jsonnet std.format, $._config) links cannot be resolved statically.
  if (/\{\{|\$labels|\$value|%\(|\bstd\.|\$\._config|\$\.\w/.test(value)) return { ok: true, external: true };
  let target: string | undefined;
  const webUrl = snapshot.identity.webUrl?.replace(/\/+$/, '');
  if (/^[a-z][a-z0-9+.-]*:/i.test(value)) {
    if (!webUrl || !value.startsWith(webUrl + '/')) return { ok: true, external: true };
    const rest = value.slice(webUrl.length + 1);
    const m = /^(?:-\/)?(?:blob|tree|raw|src)\/(.+)$/.exec(rest);
    if (!m) return { ok: true, external: true };
    // The branch may itself contain slashes ("release/2026"): any split that names an existing path resolves.
    const segments = m[1]!.replace(/[#?].*$/, '').split('/').map(safeDecode);
    for (let i = 1; i < segments.length; i++) if (exists(segments.slice(i).join('/'), files)) return { ok: true, external: false };
    target = segments.slice(1).join('/');
  } else {
    // "./x" and "../x" are relative to the rule file; a bare "docs/x.md" is how people write repository paths.
    const dir = alertPath.includes('/') ? alertPath.slice(0, alertPath.lastIndexOf('/') + 1) : '';
    const explicit = value.startsWith('./') || value.startsWith('../');
    target = value.startsWith('/') ? value.slice(1) : explicit ? normalise(dir + value) : normalise(value);
    if (!explicit && !value.startsWith('/')) {
      const besideRule = normalise(dir + value).replace(/[#?].*$/, '').replace(/\/+$/, '');
      if (exists(besideRule, files)) return { ok: true, external: false };
    }
  }
  target = target.replace(/[#?].*$/, '').replace(/\/+$/, '');
  if (exists(target, files)) return { ok: true, external: false };
  return { ok: false, reason: `runbook link "${value}" points to ${target}, which does not exist in this repository at ${snapshot.head.oid.slice(0, 7)}` };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // a stray "%" that is not an escape
  }
}

function exists(target: string, files: Set<string>): boolean {
  if (files.has(target)) return true;
  const prefix = target + '/';
  for (const f of files) if (f.startsWith(prefix)) return true;
  return false;
}

function normalise(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '..') out.pop();
    else if (part !== '.' && part !== '') out.push(part);
  }
  return out.join('/');
}

function docQuality(verdicts: DocumentVerdict[]): number {
  const best = Math.max(0, ...verdicts.map((v) => ({ thorough: 4, complete: 3.5, partial: 2, stub: 0.5 })[v.quality]));
  return best;
}

export default defineCheck({
  id: 'runbooks',
  meta: {
    title: 'Runbooks',
    description: 'Whoever is paged can find a written procedure: runbooks with real content, alerts that link them, and a route to escalate.',
    category: 'operability',
    weight: 3,
    version: 1,
    reads: ['**/*runbook*', '**/*playbook*', '**/runbooks/**', '**/playbooks/**', '**/*.{yml,yaml}', '**/*.{rules,jsonnet,libsonnet}', '**/{readme,oncall,on-call,on_call,escalation,support,operations}*.{md,markdown,rst,adoc}'],
    options,
    rules: RULES,
  },
  run(snapshot, ctx) {
    const { options: o, kind } = ctx;
    if (!runsInProduction(kind)) return notApplicable(`This repository is a ${kind.kind} (${kind.source}): it runs nothing in production, so nobody is paged for it.`);
    const scan: Scan = { findings: [], alerts: [], onCall: [] };
    // Links may point at symlinks (e.g. docs/runbook.md → RUNBOOK.md); they exist even though we never follow them.
    const files = new Set(snapshot.files.filter((f) => f.kind !== 'submodule').map((f) => f.path));
    const runbookDocs: DocumentVerdict[] = [];

    for (const file of snapshot.files) {
      if (file.kind !== 'file' || IGNORED_DIRS.test(file.path)) continue;
      const isRunbookDoc = DOC_EXTENSIONS.test(file.path) && (RUNBOOK_NAME.test(file.path.split('/').pop() ?? '') || RUNBOOK_DIR.test(file.path));
      const isOnCallDoc = ONCALL_DOC.test(file.path);
      const isYaml = YAML_FILE.test(file.path);
      const isRuleText = RULE_TEXT_FILE.test(file.path);
      if (!isRunbookDoc && !isOnCallDoc && !isYaml && !isRuleText) continue;

      const content = snapshot.read(file.path);
      if (!content.ok) {
        if (isRunbookDoc || isRuleText || (isYaml && ALERTISH_PATH.test(file.path))) {
          scan.findings.push({ rule: 'unreadable-file', severity: 'low', path: file.path, message: `could not read this file (${content.reason}${content.detail ? `: ${content.detail}` : ''})` });
        }
        continue;
      }
      const isTemplate = TEMPLATE_NAME.test(file.path);
      // Templates describe what to write: neither a runbook nor a route anyone can use.
      const analysis = (isRunbookDoc || isOnCallDoc) && !isTemplate ? analyseDocument(file.path, content.text, o.minSectionWords) : undefined;
      if (isRunbookDoc && isTemplate) {
        scan.findings.push({ rule: 'runbook-template', severity: 'info', path: file.path, line: 1, message: 'runbook template, not counted as a runbook' });
      } else if (isRunbookDoc && analysis) {
        runbookDocs.push(analysis);
        if (analysis.quality === 'stub') {
          scan.findings.push({ rule: 'runbook-stub', severity: 'medium', path: file.path, line: analysis.firstHeadingLine, message: `runbook is a stub: ${analysis.explanation}` });
        } else if (analysis.quality === 'partial') {
          scan.findings.push({ rule: 'runbook-incomplete', severity: 'low', path: file.path, line: analysis.firstHeadingLine, message: `runbook covers only ${analysis.covered.join(', ')}; add ${analysis.missing.join(', ')}` });
        }
      }
      const escalation = analysis?.sections.find((s) => s.category === 'escalation' && s.substantive);
      if (escalation) scan.onCall.push({ evidence: `"${escalation.heading}" section`, path: file.path, line: escalation.line });
      if (isYaml) alertsInYaml(file.path, content.text, scan);
      if (isRuleText) alertsInText(file.path, content.text, scan);
    }

    // Alerts: coverage of runbook links, and links that resolve.
    let covered = 0;
    let external = 0;
    for (const alert of scan.alerts) {
      if (!alert.runbook) {
        scan.findings.push({ rule: 'alert-without-runbook', severity: 'medium', path: alert.path, line: alert.line, message: `alert ${alert.name} has no runbook_url annotation` });
        continue;
      }
      const link = resolveRunbookLink(alert.runbook.value, alert.path, snapshot, files);
      if (!link.ok) {
        scan.findings.push({ rule: 'broken-runbook-link', severity: 'high', path: alert.path, line: alert.line, message: `alert ${alert.name}: ${link.reason}` });
        continue;
      }
      covered++;
      if (link.external) external++;
      if (alert.runbook.key !== 'runbook_url') {
        scan.findings.push({ rule: 'nonstandard-runbook-key', severity: 'info', path: alert.path, line: alert.line, message: `alert ${alert.name} uses "${alert.runbook.key}"; "runbook_url" is the key Alertmanager templates and tools expect` });
      }
    }

    const alertCount = scan.alerts.length;
    const coverage = alertCount > 0 ? covered / alertCount : null;
    const docsScore = docQuality(runbookDocs); // of 4
    const onCallScore = scan.onCall.length > 0 ? 2 : 0; // of 2
    let score: number;
    if (coverage === null) {
      // No alert rules here (they may live in a central repository): judge docs and on-call alone.
      score = ((docsScore + onCallScore) / 6) * 10;
    } else {
      score = docsScore + coverage * 4 + onCallScore;
    }
    score = roundScore(score);

    if (runbookDocs.length === 0) {
      scan.findings.unshift({ rule: 'no-runbook', severity: 'high', message: 'no runbook found: add RUNBOOK.md or docs/runbooks/<alert>.md describing symptoms, diagnosis, mitigation and escalation' });
    }
    if (coverage !== null && coverage < o.minAlertCoverage) {
      scan.findings.unshift({ rule: 'alert-without-runbook', severity: 'high', message: `only ${covered} of ${alertCount} alerts link a runbook (${Math.round(coverage * 100)}%, expected at least ${Math.round(o.minAlertCoverage * 100)}%)` });
    }
    if (alertCount === 0) {
      scan.findings.push({ rule: 'no-alert-rules', severity: 'info', message: 'no Prometheus or Grafana alert rules found in this repository; if its alerts live elsewhere, make sure they link to these runbooks' });
    }
    if (scan.onCall.length === 0) {
      scan.findings.push({ rule: 'no-escalation-route', severity: 'medium', message: 'no on-call or escalation route: add a PagerDuty/Opsgenie annotation to catalog-info.yaml or an "Escalation" section to the runbook' });
    }

    const complete = runbookDocs.filter((d) => d.quality === 'complete' || d.quality === 'thorough').length;
    const stubs = runbookDocs.filter((d) => d.quality === 'stub').length;
    const parts = [
      runbookDocs.length === 0 ? 'no runbooks' : `${runbookDocs.length} runbook${runbookDocs.length > 1 ? 's' : ''} (${complete} complete${stubs ? `, ${stubs} stub${stubs > 1 ? 's' : ''}` : ''})`,
      alertCount === 0 ? 'no alert rules' : `${covered}/${alertCount} alerts link a runbook${external ? ` (${external} outside this repository, not verified)` : ''}`,
      scan.onCall.length > 0 ? `on-call via ${scan.onCall[0]!.evidence} in ${scan.onCall[0]!.path}` : 'no on-call route',
    ];
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
