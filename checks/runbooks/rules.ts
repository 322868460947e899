// What a runbooks finding asks the team to fix; each has a subsection in README.md's "How to fix".
import type { Rules } from '../contract.ts';

export const RULES = {
  'no-runbook': { title: 'No runbook' },
  'runbook-stub': { title: 'Runbook is a stub' },
  'runbook-incomplete': { title: 'Runbook misses sections' },
  'runbook-template': { title: 'Runbook template' },
  'alert-without-runbook': { title: 'Alert without a runbook' },
  'broken-runbook-link': { title: 'Broken runbook link' },
  'not-a-link': { title: 'Link that is not a web address or a repository path' },
  'runbook-link-to-issue': { title: 'Runbook link to an issue' },
  'nonstandard-runbook-key': { title: 'Runbook link under another key' },
  'no-alert-rules': { title: 'No alert rules' },
  'alerts-in-shared-chart': { title: 'Alerts from a shared chart' },
  'no-escalation-route': { title: 'No on-call or escalation route' },
  'unparsable-yaml': { title: 'YAML that cannot be parsed' },
  'unreadable-file': { title: 'File that cannot be read' },
} as const satisfies Rules;

export type Rule = keyof typeof RULES;
