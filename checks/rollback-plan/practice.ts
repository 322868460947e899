// Rollback practice: do recent merged pull requests answer the rollback question, or leave the
// template's prompt, "N/A" or nothing?
import type { Finding, PullRequest } from '../contract.ts';
import type { Rule } from './rules.ts';
import { parseWithLabels, rollbackSections } from './documents.ts';
import { rollbackAnswer, type FilledVerdict } from './markdown.ts';

export interface PracticeOptions {
  windowDays: number;
  maxPullRequests: number;
  minPullRequests: number;
  minFilledShare: number;
  ignoreBotPullRequests: boolean;
}

export type PracticeResult =
  | { judged: true; considered: number; filled: number; bots: number; findings: Finding<Rule>[] }
  | { judged: false; reason: string; findings: Finding<Rule>[] };

const BOT = /\[bot\]$|^(dependabot|renovate|renovate-bot|github-actions|snyk-bot|mergify|pre-commit-ci|greenkeeper)(\[bot\])?$/i;
const MAX_LISTED = 10;
const DAY_MS = 86_400_000;

export function isBot(author: string): boolean {
  return BOT.test(author.trim());
}

export function judgePullRequest(body: string, templateLines: ReadonlySet<string>): FilledVerdict | { filled: false; reason: 'no-section' } {
  const sections = rollbackSections(parseWithLabels(body));
  if (sections.length === 0) return { filled: false, reason: 'no-section' };
  let first: FilledVerdict | undefined;
  for (const section of sections) {
    const verdict = rollbackAnswer(section, templateLines);
    if (verdict.filled) return verdict;
    first ??= verdict;
  }
  return first!;
}

function describe(verdict: Exclude<ReturnType<typeof judgePullRequest>, { filled: true }>): string {
  switch (verdict.reason) {
    case 'no-section':
      return 'has no rollback section';
    case 'empty':
      return 'left the rollback section empty';
    case 'template':
      return "left the template's rollback prompt unchanged";
    case 'unchecked':
      return 'left every rollback checklist item unticked';
    case 'placeholder':
      return `answered the rollback section with only "${verdict.text ?? ''}"`;
  }
}

export function judgePractice(prs: readonly PullRequest[] | undefined, now: Date, o: PracticeOptions, templateLines: ReadonlySet<string>): PracticeResult {
  if (prs === undefined) return { judged: false, reason: 'pull requests are not available from this source', findings: [] };
  const since = now.getTime() - o.windowDays * DAY_MS;
  let bots = 0;
  const recent: { pr: PullRequest; merged: number }[] = [];
  for (const pr of prs) {
    if (!pr || typeof pr.mergedAt !== 'string') continue;
    const merged = Date.parse(pr.mergedAt);
    if (!Number.isFinite(merged) || merged > now.getTime() || merged <= since) continue;
    if (o.ignoreBotPullRequests && typeof pr.author === 'string' && isBot(pr.author)) {
      bots++;
      continue;
    }
    recent.push({ pr, merged });
  }
  recent.sort((a, b) => b.merged - a.merged || b.pr.number - a.pr.number);
  const considered = recent.slice(0, o.maxPullRequests);
  // maxPullRequests below minPullRequests would make practice impossible to judge.
  const needed = Math.min(o.minPullRequests, o.maxPullRequests);
  if (considered.length < needed) {
    return {
      judged: false,
      reason: `${considered.length} pull request${considered.length === 1 ? '' : 's'} merged in the last ${o.windowDays} days${bots ? ` (not counting ${bots} from bots)` : ''}, fewer than the ${needed} needed to judge`,
      findings: [],
    };
  }
  const findings: Finding<Rule>[] = [];
  const unfilled: Finding<Rule>[] = [];
  let filled = 0;
  for (const { pr } of considered) {
    const verdict = judgePullRequest(typeof pr.body === 'string' ? pr.body : '', templateLines);
    if (verdict.filled) {
      filled++;
      continue;
    }
    const date = new Date(Date.parse(pr.mergedAt!)).toISOString().slice(0, 10);
    unfilled.push({ rule: 'prs-without-rollback-plan', severity: 'low', message: `pull request #${pr.number} "${pr.title}" (merged ${date}) ${describe(verdict)}${pr.url ? `: ${pr.url}` : ''}` });
  }
  const share = filled / considered.length;
  if (share < o.minFilledShare) {
    findings.push({
      rule: 'prs-without-rollback-plan',
      severity: 'medium',
      message: `only ${filled} of ${considered.length} pull requests merged in the last ${o.windowDays} days say how to roll back (${Math.round(share * 100)}%, expected at least ${Math.round(o.minFilledShare * 100)}%)`,
    });
  }
  findings.push(...unfilled.slice(0, MAX_LISTED));
  if (unfilled.length > MAX_LISTED) findings.push({ rule: 'prs-without-rollback-plan', severity: 'low', message: `…and ${unfilled.length - MAX_LISTED} more pull requests without a rollback plan` });
  return { judged: true, considered: considered.length, filled, bots, findings };
}
