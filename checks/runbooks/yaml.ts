// Alerts and paging routes in YAML and Jsonnet: Prometheus rule files, PrometheusRule manifests, Grafana
// alert and contact-point provisioning, CloudFormation alarms, Alertmanager configuration (plain, in
// Helm values, or as an AlertmanagerConfig), Flux notification providers, Backstage annotations; Helm
// chart dependencies that bring alerts from elsewhere; Jsonnet mixins read line by line.
import { LineCounter, parseAllDocuments, isMap, isNode, isScalar, type Document } from 'yaml';
import { scriptScheme, unsafeScheme } from './links.ts';
import { hasInlineSteps, isMetaAlert, RUNBOOK_KEYS, runbookUrlInText, type Alert, type Scan } from './model.ts';

const ONCALL_ANNOTATION = /^(pagerduty\.com\/|opsgenie\.com\/|splunk\.com\/on-call|victorops|grafana\.com\/oncall|incident\.io\/|firehydrant|rootly)/i;
const PAGER_CONFIG_KEY = /^(pagerduty|opsgenie|victorops)_?configs$/i;
const PAGER_TYPE = /^(pagerduty|opsgenie|victorops|oncall|grafana_oncall|splunk_?oncall)$/i;
// Helm chart dependencies whose job is alert rules: their alerts exist, but are written in another repository.
const ALERT_CHART = /alert|prometheus-?rules|monitoring-?rules/i;
const MAX_WALK_DEPTH = 12;

type Path = (string | number)[];

function lineAt(counter: LineCounter, doc: Document, path: Path): number {
  const node = doc.getIn(path, true);
  return isNode(node) && node.range ? counter.linePos(node.range[0]).line : 1;
}

/** Line of a mapping key (`Resources: { QueueAlarm: … }` → the line of `QueueAlarm:`). */
function keyLine(counter: LineCounter, doc: Document, mapPath: Path, key: string): number {
  const map = doc.getIn(mapPath, true);
  if (isMap(map)) {
    const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
    if (pair && isNode(pair.key) && pair.key.range) return counter.linePos(pair.key.range[0]).line;
  }
  return lineAt(counter, doc, [...mapPath, key]);
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
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
  // A runbook named in the description or summary is a link too, under another key.
  const annotations = asRecord(rule.annotations);
  for (const [key, value] of Object.entries(annotations ?? {})) {
    if (typeof value !== 'string') continue;
    const url = runbookUrlInText(value);
    if (url) return { key, value: url };
  }
  return undefined;
}

function annotationText(rule: Record<string, unknown>): string {
  return Object.values(asRecord(rule.annotations) ?? {})
    .filter((v): v is string => typeof v === 'string')
    .join('\n');
}

/** A promtool unit-test file: `rule_files` and `tests`. */
function isRuleTest(top: Record<string, unknown>): boolean {
  return Array.isArray(top.tests) && ('rule_files' in top || 'evaluation_interval' in top);
}

// Anything this reader looks for mentions one of these; most YAML of a repository does not, and is not parsed.
const RELEVANT_YAML = /alert|runbook|\bgroups\s*:|pagerduty|opsgenie|victorops|oncall|AWS::CloudWatch|\bdependencies\s*:|backstage\.io|notification\.toolkit|rule_files/i;

export function alertsInYaml(path: string, text: string, scan: Scan): void {
  if (!RELEVANT_YAML.test(text)) return;
  const counter = new LineCounter();
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { lineCounter: counter, uniqueKeys: false, logLevel: 'error' }) as Document.Parsed[];
  } catch (error) {
    scan.findings.push({ rule: 'unparsable-yaml', severity: 'medium', path, line: 1, message: `could not parse YAML: ${(error as Error).message}` });
    return;
  }
  if (!Array.isArray(docs)) return;
  const looksRelevant = /\balert\s*:|PrometheusRule|runbook|catalog-info|pagerduty|opsgenie|AWS::CloudWatch/i.test(text);
  const alertsBefore = scan.alerts.length;
  const metaBefore = scan.metaAlerts.length;
  let readAsText = false;
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      if (looksRelevant) {
        const first = doc.errors[0]!;
        const line = first.linePos?.[0]?.line ?? 1;
        if (hasTemplateAction(text)) {
          // A Helm/Go template: fall back to reading the whole text, once, in place of anything already read from it.
          if (!readAsText) {
            readAsText = true;
            scan.alerts.length = alertsBefore;
            scan.metaAlerts.length = metaBefore;
            alertsInText(path, text, scan, undefined);
            onCallInText(path, text, scan);
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
    if (isRuleTest(top)) {
      if (!scan.ruleTests.includes(path)) scan.ruleTests.push(path);
      continue;
    }
    if (readAsText) continue; // this file was already read from its text
    onCallInYaml(path, top, doc, counter, scan);
    sharedAlertCharts(path, top, doc, counter, scan);
    cloudFormationAlarms(path, top, doc, counter, scan);
    const spec = asRecord(top.spec);
    const groupsPath: Path = top.kind === 'PrometheusRule' && spec ? ['spec', 'groups'] : ['groups'];
    const groups = top.kind === 'PrometheusRule' ? spec?.groups : top.groups;
    if (!Array.isArray(groups)) continue;
    groups.forEach((group, gi) => {
      const rules = asRecord(group)?.rules;
      if (!Array.isArray(rules)) return;
      rules.forEach((ruleValue, ri) => {
        const rule = asRecord(ruleValue);
        if (!rule) return;
        // Prometheus: `alert:` (recording rules have `record:`); Grafana provisioning: `title:` with a `condition`.
        const isProm = typeof rule.alert === 'string';
        const name = isProm ? (rule.alert as string) : typeof rule.title === 'string' && ('condition' in rule || 'data' in rule) ? rule.title : undefined;
        if (!name) return;
        const alert: Alert = {
          name,
          path,
          line: lineAt(counter, doc, [...groupsPath, gi, 'rules', ri]),
          source: isProm ? 'prometheus' : 'grafana',
          runbook: runbookAnnotation(rule),
          inlineSteps: hasInlineSteps(annotationText(rule)),
        };
        (isMetaAlert(name, typeof rule.expr === 'string' ? rule.expr : undefined) ? scan.metaAlerts : scan.alerts).push(alert);
      });
    });
  }
}

/** CloudFormation `AWS::CloudWatch::Alarm` (and composite alarms): the description may link a runbook. */
function cloudFormationAlarms(path: string, top: Record<string, unknown>, doc: Document, counter: LineCounter, scan: Scan): void {
  const resources = asRecord(top.Resources);
  if (!resources) return;
  for (const [id, value] of Object.entries(resources)) {
    const resource = asRecord(value);
    if (resource?.Type !== 'AWS::CloudWatch::Alarm' && resource?.Type !== 'AWS::CloudWatch::CompositeAlarm') continue;
    const props = asRecord(resource.Properties) ?? {};
    const description = flatten(props.AlarmDescription);
    const name = typeof props.AlarmName === 'string' ? props.AlarmName : id;
    const url = runbookUrlInText(description);
    const alert: Alert = { name, path, line: keyLine(counter, doc, ['Resources'], id), source: 'cloudformation', runbook: url ? { key: 'AlarmDescription', value: url } : undefined, inlineSteps: hasInlineSteps(description) };
    (isMetaAlert(name) ? scan.metaAlerts : scan.alerts).push(alert);
  }
}

/** Strings of a value (`!Sub`, `!Join` lists) joined: enough to find a URL in them. */
function flatten(value: unknown, depth = 0): string {
  if (typeof value === 'string') return value;
  if (depth > 8 || !value || typeof value !== 'object') return '';
  return Object.values(value as Record<string, unknown>)
    .map((v) => flatten(v, depth + 1))
    .join(' ');
}

/** Helm `dependencies` (Chart.yaml, or requirements.yaml) on a chart whose job is alert rules. */
function sharedAlertCharts(path: string, top: Record<string, unknown>, doc: Document, counter: LineCounter, scan: Scan): void {
  if (!/(^|\/)(Chart|requirements)\.ya?ml$/.test(path) || !Array.isArray(top.dependencies)) return;
  top.dependencies.forEach((dep, i) => {
    const d = asRecord(dep);
    if (typeof d?.name === 'string' && ALERT_CHART.test(d.name) && d.enabled !== false && typeof d.repository === 'string' && !d.repository.startsWith('file://')) {
      scan.sharedAlerts.push({ chart: d.name, path, line: lineAt(counter, doc, ['dependencies', i]) });
    }
  });
}

function onCallInYaml(path: string, top: Record<string, unknown>, doc: Document, counter: LineCounter, scan: Scan): void {
  // Backstage catalog entity annotations.
  const annotations = asRecord(asRecord(top.metadata)?.annotations);
  if (annotations && typeof top.apiVersion === 'string' && top.apiVersion.startsWith('backstage.io/')) {
    for (const key of Object.keys(annotations)) {
      const value = String(annotations[key] ?? '').trim();
      if (!ONCALL_ANNOTATION.test(key) || value === '') continue;
      const line = lineAt(counter, doc, ['metadata', 'annotations', key]);
      const scheme = scriptScheme(value);
      if (scheme) {
        scan.findings.push({ rule: 'not-a-link', severity: 'high', path, line, message: `${key} is a ${scheme}: value, not a service id or a web address: it is not an on-call route` });
        continue;
      }
      scan.onCall.push({ evidence: `${key} annotation`, path, line });
    }
  }
  // CustomResourceDefinitions describe the fields (pagerdutyConfigs…) without configuring anything.
  if (top.kind === 'CustomResourceDefinition') return;
  // Flux notification provider for a paging service.
  const spec = asRecord(top.spec);
  if (top.kind === 'Provider' && typeof top.apiVersion === 'string' && top.apiVersion.startsWith('notification.toolkit.fluxcd.io/') && typeof spec?.type === 'string' && PAGER_TYPE.test(spec.type)) {
    scan.onCall.push({ evidence: `Flux ${spec.type} notification provider`, path, line: lineAt(counter, doc, ['spec', 'type']) });
    return;
  }
  // Alertmanager receivers (plain config, Helm values, AlertmanagerConfig) and Grafana contact points, at any depth.
  const found = findPagingReceiver(top, [], 0);
  if (found) scan.onCall.push({ evidence: found.evidence, path, line: lineAt(counter, doc, found.path) });
}

function findPagingReceiver(value: unknown, path: Path, depth: number): { evidence: string; path: Path } | undefined {
  if (depth > MAX_WALK_DEPTH) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findPagingReceiver(value[i], [...path, i], depth + 1);
      if (hit) return hit;
    }
    return undefined;
  }
  const record = asRecord(value);
  if (!record) return undefined;
  for (const [key, child] of Object.entries(record)) {
    if (PAGER_CONFIG_KEY.test(key) && Array.isArray(child) && child.length > 0) return { evidence: `Alertmanager receiver with ${key}`, path };
  }
  // Grafana contact point provisioning: contactPoints[].receivers[].type.
  if (typeof record.type === 'string' && PAGER_TYPE.test(record.type) && (asRecord(record.settings) || 'uid' in record)) return { evidence: `Grafana contact point of type ${record.type}`, path };
  for (const [key, child] of Object.entries(record)) {
    if (key === 'properties' || key === 'openAPIV3Schema') continue; // schemas, not configuration
    if (child && typeof child === 'object') {
      const hit = findPagingReceiver(child, [...path, key], depth + 1);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** Paging receivers in a Helm template that only parses after rendering. */
function onCallInText(path: string, text: string, scan: Scan): void {
  const m = /^[ \t]*-?[ \t]*(pagerduty_configs|pagerdutyConfigs|opsgenie_configs|opsgenieConfigs|victorops_configs|victoropsConfigs)[ \t]*:/m.exec(text);
  if (m) scan.onCall.push({ evidence: `Alertmanager receiver with ${m[1]}`, path, line: text.slice(0, m.index).split('\n').length });
}

/** A Go/Helm template action ("{{ … }}" on one line), found in one linear pass. */
export function hasTemplateAction(text: string): boolean {
  let open = -1;
  for (let i = 0; i < text.length - 1; i++) {
    const c = text[i];
    if (c === '\n') open = -1;
    else if (c === '{' && text[i + 1] === '{') open = i;
    else if (c === '}' && text[i + 1] === '}' && open >= 0) return true;
  }
  return false;
}

// `runbookURLPattern: 'https://…/%s'` (or runbook_url_pattern) set to a non-empty string.
const PATTERN_DEFINITION = /\b(runbookURLPattern|runbook_url_pattern|runbookUrlPattern)\s*:{1,3}\s*(['"])([^'"\n]+)\2/g;
const PATTERN_MENTION = /runbookURLPattern|runbook_url_pattern|runbookUrlPattern|addRunbookUrls/i;

/** A runbook URL pattern a mixin sets once (in its config) for every alert, wherever it is defined. */
export function runbookPatternIn(path: string, text: string): { path: string; line: number; value: string } | undefined {
  for (const m of text.matchAll(PATTERN_DEFINITION)) {
    const value = m[3]!.trim();
    if (value !== '' && !unsafeScheme(value)) return { path, line: text.slice(0, m.index).split('\n').length, value };
  }
  return undefined;
}

/**
 * Heuristic reading of rules we cannot evaluate: Jsonnet mixins and templated YAML. `pattern` is a
 * runbook URL pattern set somewhere in this repository, which a mixin applies to every alert.
 */
export function alertsInText(path: string, text: string, scan: Scan, pattern: { value: string } | undefined): void {
  // Horizontal whitespace only: the match starts on the alert's own line, and cannot backtrack across blank lines.
  const alertPattern = /^[ \t]*(?:-[ \t]*)?['"]?alert['"]?\s*:\s*['"]?([A-Za-z_][\w:]*)/gm;
  const matches = [...text.matchAll(alertPattern)];
  const patternHere = PATTERN_MENTION.test(text);
  const keyPattern = new RegExp(`['"]?(${RUNBOOK_KEYS.join('|')})['"]?\\s*:\\s*['"]?([^'",\\n}]+)`);
  matches.forEach((match, i) => {
    const start = match.index ?? 0;
    const end = matches[i + 1]?.index ?? text.length;
    const block = text.slice(start, end);
    const keyMatch = keyPattern.exec(block);
    const line = text.slice(0, start).split('\n').length;
    const described = keyMatch ? undefined : runbookUrlInText(block);
    const runbook = keyMatch
      ? { key: keyMatch[1]!, value: keyMatch[2]!.trim() }
      : described
        ? { key: 'description', value: described }
        : patternHere || pattern
          ? { key: 'runbookURLPattern', value: pattern?.value ?? '{{templated}}' }
          : undefined;
    const name = match[1]!;
    const expr = /\bexpr\s*:\s*['"]?([^'"\n]*)/.exec(block)?.[1];
    const alert: Alert = { name, path, line, source: /\.(jsonnet|libsonnet)$/i.test(path) ? 'jsonnet' : 'prometheus', runbook };
    (isMetaAlert(name, expr) ? scan.metaAlerts : scan.alerts).push(alert);
  });
}

