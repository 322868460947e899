// Open update pull requests from Renovate or Dependabot: an update nobody merges is maintenance debt.
import type { Finding, PullRequest } from '../contract.ts';
import type { Rule } from './rules.ts';

const DAY_MS = 24 * 3600 * 1000;
const UPDATE_BOT = /^(app\/)?(renovate|dependabot|renovate-bot|dependabot-preview|self-hosted-renovate|mend-renovate)(\[bot\])?$/i;

export function isUpdateBot(author: string): boolean {
  return UPDATE_BOT.test(author.trim());
}

export function updatePullRequests(prs: readonly PullRequest[] | undefined, now: Date, staleDays: number): { summary?: string; findings: Finding<Rule>[] } {
  if (!prs) return { findings: [] };
  const open = prs
    .filter((pr) => pr.state === 'open' && isUpdateBot(pr.author) && !Number.isNaN(Date.parse(pr.createdAt)))
    .map((pr) => ({ pr, days: Math.max(0, Math.floor((now.getTime() - Date.parse(pr.createdAt)) / DAY_MS)) }))
    .sort((a, b) => b.days - a.days || a.pr.number - b.pr.number);
  if (open.length === 0) return { summary: 'no open update pull requests', findings: [] };
  const waiting = open.filter((o) => o.days > staleDays);
  const findings: Finding<Rule>[] = waiting.slice(0, 10).map(({ pr, days }) => ({
    rule: 'update-prs-waiting',
    severity: days > staleDays * 4 ? 'medium' : 'low',
    message: `update pull request #${pr.number} by ${pr.author} has been open for ${days} days: "${pr.title.slice(0, 120)}"${pr.url ? ` (${pr.url})` : ''}`,
  }));
  if (waiting.length > 10) findings.push({ rule: 'update-prs-waiting', severity: 'low', message: `${waiting.length - 10} more update pull requests open for more than ${staleDays} days` });
  const oldest = open[0]!;
  return {
    summary: `${open.length} open update pull request${open.length === 1 ? '' : 's'}${waiting.length > 0 ? `, ${waiting.length} waiting over ${staleDays} days (oldest ${oldest.days} days)` : ''}`,
    findings,
  };
}
