// Alerts defined in Terraform: CloudWatch alarms, GCP alert policies, Azure Monitor alerts, Datadog
// monitors, Grafana rule groups, New Relic conditions and the like, with the runbook each links
// (an attribute or annotation such as `runbook_url`, or a URL in its description, message or
// documentation); and paging routes (PagerDuty/Opsgenie resources, contact points, subscriptions,
// module arguments). HCL is read with the tree-sitter parser cost-tags already ships.
import { attributesOf, blockLabels, blocksOf, blockType, child, parseHcl, stringLiteral, textOf, type HNode } from '../cost-tags/hcl.ts';
import { hasInlineSteps, isMetaAlert, isRunbookKey, PAGING_SERVICE, runbookUrlInText, type Alert, type Scan } from './model.ts';

/** Resource types that are alerts; `rules` names the nested block that holds one alert each. */
const ALERT_RESOURCES: Record<string, { rules?: string }> = {
  aws_cloudwatch_metric_alarm: {},
  aws_cloudwatch_composite_alarm: {},
  google_monitoring_alert_policy: {},
  azurerm_monitor_metric_alert: {},
  azurerm_monitor_scheduled_query_rules_alert: {},
  azurerm_monitor_scheduled_query_rules_alert_v2: {},
  azurerm_monitor_activity_log_alert: {},
  azurerm_monitor_smart_detector_alert_rule: {},
  datadog_monitor: {},
  datadog_synthetics_test: {},
  grafana_rule_group: { rules: 'rule' },
  newrelic_alert_condition: {},
  newrelic_nrql_alert_condition: {},
  newrelic_infra_alert_condition: {},
  newrelic_synthetics_alert_condition: {},
  newrelic_synthetics_multilocation_alert_condition: {},
  signalfx_detector: { rules: 'rule' },
  sumologic_monitor: {},
  honeycombio_trigger: {},
  opensearch_monitor: {},
  elasticsearch_opensearch_monitor: {},
};
const ALERT_TYPES = Object.keys(ALERT_RESOURCES);

// Providers whose resources are the on-call set-up itself: services, schedules, escalation policies.
const ONCALL_PROVIDER = /^(pagerduty|opsgenie|victorops|splunk_oncall|firehydrant|rootly|grafana_oncall)_/;
// Resources that deliver a notification somewhere: they page when that somewhere is a paging service.
const DELIVERY = /notification|subscription|action_group|contact_point|channel|webhook|integration|receiver|destination/;
// Blocks of a Grafana contact point that deliver to a paging service.
const PAGING_BLOCK = /^(pagerduty|opsgenie|victorops|oncall)$/;

// Cheap test before parsing: does the file mention anything this reader looks for?
const RELEVANT = new RegExp(`\\b(resource\\s+"(${ALERT_TYPES.join('|')}|${'pagerduty|opsgenie|victorops|splunk_oncall|firehydrant|rootly|grafana_oncall'.split('|').map((p) => p + '_').join('|')})|module\\s+")|${PAGING_SERVICE.source}`, 'i');

export interface TerraformFile {
  path: string;
  text: string;
}

const dirOf = (p: string): string => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');

/** Every string literal and template under a node, one per line; comments are not strings. */
function stringsUnder(node: HNode): string[] {
  const out: string[] = [];
  const walk = (n: HNode): void => {
    if (n.type === 'string_lit' || n.type === 'quoted_template' || n.type === 'heredoc_template') {
      out.push(n.children.filter((c) => c.type === 'template_literal' || c.type === 'template_interpolation').map(textOf).join(''));
      return;
    }
    for (const c of n.children) walk(c);
  };
  walk(node);
  return out;
}

/** The value of an attribute or object element as written: a literal, or `${…}` around anything computed. */
function valueText(expr: HNode): string {
  const lit = findFirst(expr, (n) => n.type === 'string_lit' || n.type === 'quoted_template' || n.type === 'heredoc_template');
  if (lit && textOf(lit).length >= textOf(expr).length - 2) {
    return lit.type === 'string_lit' ? (stringLiteral(lit) ?? '') : lit.children.filter((c) => c.type === 'template_literal' || c.type === 'template_interpolation').map(textOf).join('');
  }
  return '${' + textOf(expr) + '}';
}

function findFirst(node: HNode, test: (n: HNode) => boolean): HNode | undefined {
  if (test(node)) return node;
  for (const c of node.children) {
    const hit = findFirst(c, test);
    if (hit) return hit;
  }
  return undefined;
}

/** The key of an attribute (`runbook_url = …`) or an object element (`"runbook_url" = …`, `runbook_url: …`). */
function keyOf(node: HNode): string | undefined {
  if (node.type === 'attribute') {
    const id = child(node, 'identifier');
    return id ? textOf(id) : undefined;
  }
  if (node.type === 'object_elem') {
    const key = node.children.find((c) => c.field === 'key');
    if (!key) return undefined;
    const lit = findFirst(key, (n) => n.type === 'string_lit');
    return lit ? stringLiteral(lit) : textOf(key);
  }
  return undefined;
}

/** The first runbook key under a node, with its value. */
function runbookKeyUnder(node: HNode): { key: string; value: string } | undefined {
  let found: { key: string; value: string } | undefined;
  const walk = (n: HNode): void => {
    if (found) return;
    const key = n.type === 'attribute' || n.type === 'object_elem' ? keyOf(n) : undefined;
    if (key && isRunbookKey(key)) {
      const expr = n.type === 'attribute' ? child(n, 'expression') : n.children.find((c) => c.field === 'val');
      const value = expr ? valueText(expr).trim() : '';
      if (value !== '') {
        found = { key, value };
        return;
      }
    }
    for (const c of n.children) walk(c);
  };
  walk(node);
  return found;
}

/** Names of `local.x` referenced under a node. */
function localsUsed(node: HNode): string[] {
  const out = new Set<string>();
  const walk = (n: HNode): void => {
    if (n.type === 'expression') {
      const [base, first] = n.children;
      if (base?.type === 'variable_expr' && textOf(base) === 'local' && first?.type === 'get_attr') {
        const id = child(first, 'identifier');
        if (id) out.add(textOf(id));
      }
    }
    for (const c of n.children) walk(c);
  };
  walk(node);
  return [...out];
}

function literalIs(expr: HNode | undefined, value: string): boolean {
  return expr !== undefined && textOf(expr).trim() === value;
}

export function readTerraform(files: TerraformFile[], scan: Scan): void {
  const byDir = new Map<string, TerraformFile[]>();
  for (const f of files) {
    const d = dirOf(f.path);
    const list = byDir.get(d);
    if (list) list.push(f);
    else byDir.set(d, [f]);
  }
  const parsed = new Map<string, HNode | null>();
  const parse = (f: TerraformFile): HNode | undefined => {
    if (!parsed.has(f.path)) {
      const r = parseHcl(f.path, f.text);
      if (!r.ok) {
        scan.findings.push({ rule: 'unreadable-file', severity: 'low', path: f.path, message: `could not read this Terraform file (${r.reason})` });
        parsed.set(f.path, null);
      } else parsed.set(f.path, r.root);
    }
    return parsed.get(f.path) ?? undefined;
  };
  // Locals of a module (a directory), read only when an alert refers to one (a monitor body kept in a local).
  const localsCache = new Map<string, Map<string, HNode>>();
  const localsOf = (dir: string): Map<string, HNode> => {
    let locals = localsCache.get(dir);
    if (!locals) {
      locals = new Map();
      for (const f of byDir.get(dir) ?? []) {
        if (!/\blocals\s*\{/.test(f.text)) continue;
        const root = parse(f);
        for (const b of root ? blocksOf(root) : []) if (blockType(b) === 'locals') for (const [k, v] of attributesOf(b)) locals.set(k, v);
      }
      localsCache.set(dir, locals);
    }
    return locals;
  };

  for (const f of files) {
    if (!RELEVANT.test(f.text)) continue;
    const root = parse(f);
    if (!root) continue;
    for (const block of blocksOf(root)) {
      const kind = blockType(block);
      if (kind === 'module') moduleOnCall(block, f.path, scan);
      if (kind !== 'resource') continue;
      const [type, label] = blockLabels(block);
      if (!type) continue;
      const attrs = attributesOf(block);
      // `count = 0` (or `enabled = false`) as written: the alert is not deployed.
      if (literalIs(attrs.get('count'), '0') || literalIs(attrs.get('enabled'), 'false')) continue;
      resourceOnCall(block, type, label ?? '', f.path, scan);
      const spec = ALERT_RESOURCES[type];
      if (!spec) continue;
      const locals = () => localsOf(dirOf(f.path));
      if (spec.rules) {
        for (const rule of blocksOf(block).filter((b) => blockType(b) === spec.rules)) {
          const ruleAttrs = attributesOf(rule);
          if (literalIs(ruleAttrs.get('is_paused'), 'true') || literalIs(ruleAttrs.get('disabled'), 'true')) continue;
          const name = nameOf(ruleAttrs);
          pushAlert(scan, alertOf(rule, name ?? `${type}.${label ?? ''}`, name === undefined ? `${dirOf(f.path)}/${type}.${label ?? ''}#${rule.line}` : undefined, f.path, locals));
        }
      } else {
        const name = nameOf(attrs);
        pushAlert(scan, alertOf(block, name ?? `${type}.${label ?? ''}`, name === undefined ? `${dirOf(f.path)}/${type}.${label ?? ''}` : undefined, f.path, locals));
      }
    }
  }
}

function pushAlert(scan: Scan, found: { alert: Alert; meta: boolean; pages?: string }): void {
  (found.meta ? scan.metaAlerts : scan.alerts).push(found.alert);
  if (found.pages) scan.onCall.push({ evidence: `alert notifies ${found.pages}`, path: found.alert.path, line: found.alert.line });
}

function nameOf(attrs: Map<string, HNode>): string | undefined {
  for (const key of ['alarm_name', 'display_name', 'name', 'title']) {
    const expr = attrs.get(key);
    if (expr) return valueText(expr);
  }
  return undefined;
}

function alertOf(node: HNode, name: string, identity: string | undefined, path: string, locals: () => Map<string, HNode>): { alert: Alert; meta: boolean; pages?: string } {
  const strings = stringsUnder(node);
  for (const l of localsUsed(node)) {
    const expr = locals().get(l);
    if (expr) strings.push(...stringsUnder(expr));
  }
  const text = strings.join('\n');
  const explicit = runbookKeyUnder(node);
  const described = explicit ? undefined : runbookUrlInText(text);
  const runbook = explicit ?? (described ? { key: 'description', value: described } : undefined);
  const meta = isMetaAlert(name) || strings.some((s) => /^\s*vector\s*\(\s*1\s*\)\s*$/.test(s));
  // Datadog and similar tools route by @-mentions in the message.
  const pages = /@(pagerduty|opsgenie|victorops|oncall)[-\w]*/i.exec(text)?.[0];
  return { alert: { name, identity, path, line: node.line, source: 'terraform', runbook, inlineSteps: hasInlineSteps(text) }, meta, pages };
}

function resourceOnCall(block: HNode, type: string, label: string, path: string, scan: Scan): void {
  if (ONCALL_PROVIDER.test(type)) {
    scan.onCall.push({ evidence: `${type}.${label}`, path, line: block.line });
    return;
  }
  if (type === 'grafana_contact_point') {
    const pager = blocksOf(block).find((b) => PAGING_BLOCK.test(blockType(b)));
    if (pager) scan.onCall.push({ evidence: `Grafana contact point with ${blockType(pager)}`, path, line: pager.line });
    return;
  }
  if (!DELIVERY.test(type)) return;
  // A subscription or channel whose name, settings or variables name a paging service.
  const names = [label, ...[...attributesOf(block)].flatMap(([k, v]) => [k, textOf(v)])];
  if (names.some((n) => PAGING_SERVICE.test(n))) scan.onCall.push({ evidence: `${type}.${label} to a paging service`, path, line: block.line });
}

/** A module called with PagerDuty/Opsgenie settings wires its alerts to a paging service. */
function moduleOnCall(block: HNode, path: string, scan: Scan): void {
  for (const [key, expr] of attributesOf(block)) {
    if (!PAGING_SERVICE.test(key)) continue;
    const value = textOf(expr).trim();
    if (value === 'null' || value === '""' || value === '[]' || value === '{}' || value === 'false') continue;
    scan.onCall.push({ evidence: `module ${blockLabels(block)[0] ?? ''} with ${key}`, path, line: block.line });
    return;
  }
}
