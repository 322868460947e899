// What the readers of alert definitions (Prometheus/Grafana YAML, Jsonnet, Terraform, CloudFormation)
// hand to the check, and the judgements they share.
import type { Finding } from '../contract.ts';
import type { Rule } from './rules.ts';

export type AlertSource = 'prometheus' | 'grafana' | 'jsonnet' | 'terraform' | 'cloudformation';

export interface Alert {
  name: string;
  /** What makes two alerts the same alert (default: the name); a Terraform resource without a name attribute is its address in its module. */
  identity?: string;
  path: string;
  line: number;
  source: AlertSource;
  /** The runbook link: an annotation (`runbook_url`), an attribute, or a URL found in the alert's description or message. */
  runbook?: { key: string; value: string };
  /** The alert's own text holds steps to follow: a short procedure written into the alert. */
  inlineSteps?: boolean;
}

export interface OnCallEvidence {
  evidence: string;
  path: string;
  line: number;
}

export interface Scan {
  findings: Finding<Rule>[];
  alerts: Alert[];
  onCall: OnCallEvidence[];
  /** Always-firing meta-alerts (watchdog, dead man's switch, paging drills): not alerts a human handles. */
  metaAlerts: Alert[];
  /** Files of promtool rule tests: they repeat alert names, they define none. */
  ruleTests: string[];
  /** Alerting that comes from a chart of another repository (a dependency), whose rules cannot be read here. */
  sharedAlerts: { chart: string; path: string; line: number }[];
}

export const newScan = (): Scan => ({ findings: [], alerts: [], onCall: [], metaAlerts: [], ruleTests: [], sharedAlerts: [] });

/** Annotation keys teams use for runbook links; the first is the Prometheus community convention. */
export const RUNBOOK_KEYS = ['runbook_url', 'runbook', 'runbookUrl', 'runbookURL', 'runbook_link', 'runbook-url', 'playbook', 'playbook_url'];
const RUNBOOK_KEY_SET = new Set(RUNBOOK_KEYS.map((k) => k.toLowerCase()));
export const isRunbookKey = (key: string): boolean => RUNBOOK_KEY_SET.has(key.toLowerCase());

/** Paging services: a receiver, contact point, subscription or annotation naming one of them routes to a human. */
export const PAGING_SERVICE = /pagerduty|opsgenie|victorops|splunk[-_ ]?on[-_ ]?call|incident\.io|incidentio|squadcast|xmatters|rootly|firehydrant|grafana[-_ ]?oncall/i;

// Words of an alert's name that mark it as a meta-alert: it fires on purpose, to prove the pipeline works.
// ("heartbeat" alone is not one: a missing heartbeat from a job is a real alert.)
const META_WORDS = new Set(['watchdog', 'deadman', 'deadmans', 'drill', 'firedrill']);

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Watchdog, dead man's switch, heartbeat and paging drills fire by design; `vector(1)` always fires. */
export function isMetaAlert(name: string, expr?: string): boolean {
  const w = words(name);
  if (w.some((x) => META_WORDS.has(x))) return true;
  const joined = w.join('');
  if (/deadm[ae]n|watchdog|firedrill|infoinhibitor/.test(joined)) return true;
  return expr !== undefined && /^\s*vector\s*\(\s*1\s*\)\s*$/.test(expr);
}

const URL = /https?:\/\/[^\s"'<>|)\]`\\]+/g;
// A URL that is itself a document of procedures.
const RUNBOOK_URL_WORDS = /runbook|playbook|\bsops?\b|wiki|confluence|notion\.(so|site)|\/docs?\b|docs\.|\/manual\b|handbook|procedure|how-?to|guide|troubleshoot|knowledge|\/kb\b/i;
// Words just before a URL that say it leads to a procedure.
const RUNBOOK_CONTEXT = /\b(runbooks?|playbooks?|sops?|procedures?|guidance|guide|instructions|troubleshooting|documentation|how to (fix|resolve|respond|recover))\b[^\n]{0,60}$/i;
// Pages that show data, not what to do about it.
const NOT_A_PROCEDURE = /docs\.google\.com\/spreadsheets|\/_?dashboards?\b|\/d\/[\w-]+\/|\/explore\b|console\.aws\.amazon\.com|console\.cloud\.google\.com|portal\.azure\.com|app\.datadoghq\.[a-z]+\/(apm|logs|dashboard)/i;

/** The first URL in an alert's description or message that leads to a runbook, judged by the URL and the words before it. */
export function runbookUrlInText(text: string): string | undefined {
  for (const m of text.matchAll(URL)) {
    const url = m[0].replace(/[.,;:!?*_]+$/, '');
    const before = text.slice(Math.max(0, (m.index ?? 0) - 80), m.index ?? 0);
    const byUrl = RUNBOOK_URL_WORDS.test(url) && !NOT_A_PROCEDURE.test(url);
    const byContext = RUNBOOK_CONTEXT.test(before) && (!NOT_A_PROCEDURE.test(url) || /runbook|playbook/i.test(url));
    if (byUrl || byContext) return url;
  }
  return undefined;
}

/** Two or more list items: steps written into the alert itself. */
export function hasInlineSteps(text: string): boolean {
  let items = 0;
  for (const line of text.split('\n')) if (/^\s*([-*•]|\d+[.)])\s+\S.{8,}/.test(line)) items++;
  return items >= 2;
}
