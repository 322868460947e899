// What a team should hear without opening the site: regressions and new failures of recent runs,
// waivers about to expire, initiatives due soon or overdue. The same entries make the Atom feeds
// (/feeds/<team>.atom, /feeds/organisation.atom) and the nightly digest (crawler/digest.ts).
// Entry ids are derived from what the entry is about, never from when it was computed, so a feed
// reader (or the digest) never shows the same news twice.
import { createHash } from 'node:crypto';
import type { Status } from '../checks/contract.ts';
import { STATE_LABEL } from './initiatives.ts';
import type { Scorecard } from './scorecard.ts';
import { STATUS_OF } from './snapshots.ts';

export type NewsKind = 'regression' | 'new-failure' | 'waiver-expiring' | 'initiative-due' | 'initiative-overdue';

export interface NewsEntry {
  /** urn:uuid derived from the entry's subject: stable across builds. */
  id: string;
  kind: NewsKind;
  /** Teams the entry concerns (a repository's team; an initiative's teams behind). */
  teams: (string | null)[];
  title: string;
  summary: string;
  /** Site path, without base. */
  path: string;
  /** ISO time: the run that found it, or the day a reminder became due. */
  updated: string;
}

/** Run-based news is kept this long in the feeds, so a reader that missed a night still sees it. */
export const FEED_WINDOW_DAYS = 30;
/** Waivers expiring and initiatives due within this many days are announced. */
export const REMINDER_DAYS = 14;
/** A score drop of at least this much, with the same status, is a regression. */
export const SCORE_DROP = 1;
const MAX_ENTRIES = 200;

const RANK: Partial<Record<Status, number>> = { pass: 2, warn: 1, fail: 0 };

/** A name-based UUID (version 5 layout over SHA-1) in a namespace of the site's own. */
export function stableId(namespace: string, subject: string): string {
  const hash = createHash('sha1').update(`${namespace}\u0000${subject}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function dayAt(date: string, offsetDays: number): string {
  return new Date(Date.parse(date.slice(0, 10)) + offsetDays * 86_400_000).toISOString();
}

const score = (v: number) => (Number.isNaN(v) ? '—' : v.toFixed(1));

/** Every news entry of the organisation, newest first. `namespace` keeps two installations' ids apart. */
export function newsEntries(s: Scorecard, namespace: string): NewsEntry[] {
  const latest = s.latest;
  if (!latest) return [];
  const history = s.history();
  const names = s.q.repoNames();
  const entries: NewsEntry[] = [];
  const since = Date.parse(latest.startedAt) - FEED_WINDOW_DAYS * 86_400_000;
  for (let i = 1; i < s.runs.length; i++) {
    const run = s.runs[i]!;
    if (Date.parse(run.startedAt) < since) continue;
    const before = history.snapshot(s.runs[i - 1]!.id);
    const after = history.snapshot(run.id);
    if (!before || !after) continue;
    for (let row = 0; row < after.repoCount; row++) {
      const repoId = after.repos[row]!;
      const ref = names.get(repoId);
      if (!ref) continue;
      const team = history.teamName(after.teams[row]!);
      const old = before.row(repoId);
      for (let k = 0; k < after.checks.length; k++) {
        const checkId = after.checks[k]!;
        const status = STATUS_OF[after.statuses[row * after.checks.length + k]!];
        if (!status) continue;
        const nowScore = after.scores[row * after.checks.length + k]!;
        const column = old < 0 ? -1 : before.checks.indexOf(checkId);
        const was = column < 0 ? undefined : STATUS_OF[before.statuses[old * before.checks.length + column]!];
        const wasScore = column < 0 ? NaN : before.scores[old * before.checks.length + column]!;
        const title = s.checkInfo(checkId)?.title ?? checkId;
        const path = `/repos/${ref.slug}/#check-${checkId}`;
        const id = stableId(namespace, `run ${run.id} ${ref.slug} ${checkId}`);
        const rankNow = RANK[status];
        const rankWas = was ? RANK[was] : undefined;
        if (rankNow !== undefined && rankWas !== undefined && rankNow < rankWas) {
          entries.push({ id, kind: 'regression', teams: [team], title: `${ref.name}: ${title} went from ${was} to ${status}`, summary: `${title} on ${ref.name} is now ${status} (${score(wasScore)} → ${score(nowScore)}).`, path, updated: run.startedAt });
        } else if (rankNow !== undefined && was === status && !Number.isNaN(wasScore) && !Number.isNaN(nowScore) && wasScore - nowScore >= SCORE_DROP) {
          entries.push({ id, kind: 'regression', teams: [team], title: `${ref.name}: ${title} score down ${score(wasScore)} → ${score(nowScore)}`, summary: `${title} on ${ref.name} is still ${status}, but its score fell by ${(wasScore - nowScore).toFixed(1)}.`, path, updated: run.startedAt });
        } else if (status === 'fail' && was !== 'fail' && rankWas === undefined) {
          const how = was === undefined ? 'judged for the first time' : was === 'waived' ? 'no longer waived' : `was ${was}`;
          entries.push({ id, kind: 'new-failure', teams: [team], title: `${ref.name}: ${title} fails`, summary: `${title} fails on ${ref.name} (${how}); score ${score(nowScore)}.`, path, updated: run.startedAt });
        }
      }
    }
  }
  for (const w of s.waivers(REMINDER_DAYS)) {
    const title = s.checkInfo(w.checkId)?.title ?? w.checkId;
    entries.push({
      id: stableId(namespace, `waiver ${w.repo.slug} ${w.checkId} ${w.expires}`),
      kind: 'waiver-expiring',
      teams: [w.repo.team],
      title: `${w.repo.name}: waiver of ${title} expires ${w.expires}`,
      summary: `The waiver of ${title} on ${w.repo.name} expires on ${w.expires} (${w.daysLeft} days); then it counts with its real status${w.underlyingStatus ? ` (${w.underlyingStatus})` : ''}. Reason given: ${w.reason}`,
      path: `/repos/${w.repo.slug}/#check-${w.checkId}`,
      updated: dayAt(w.expires, -REMINDER_DAYS),
    });
  }
  for (const p of s.initiatives()) {
    const { definition: d, forecast: f } = p;
    if (f.state === 'done' || f.daysLeft > REMINDER_DAYS) continue;
    const overdue = f.daysLeft < 0;
    const behind = p.teams.filter((t) => t.done < t.inScope).map((t) => t.team);
    entries.push({
      id: stableId(namespace, `initiative ${d.id} ${d.due} ${overdue ? 'overdue' : 'due'}`),
      kind: overdue ? 'initiative-overdue' : 'initiative-due',
      teams: behind,
      title: overdue ? `Initiative overdue: ${d.title}` : `Initiative due ${d.due}: ${d.title}`,
      summary: `${p.done} of ${p.inScope} repositories done (${STATE_LABEL[f.state]}); ${overdue ? `due ${d.due}, ${-f.daysLeft} days ago` : `${f.daysLeft} days left`}. Goal: ${p.goalText}.`,
      path: `/initiatives/${d.id}/`,
      updated: overdue ? dayAt(d.due, 1) : dayAt(d.due, -REMINDER_DAYS),
    });
  }
  return entries.sort((a, b) => b.updated.localeCompare(a.updated) || a.title.localeCompare(b.title) || a.id.localeCompare(b.id));
}

/** The entries of one team (null: the organisation's, every entry). */
export function entriesFor(entries: readonly NewsEntry[], team: string | null): NewsEntry[] {
  return (team === null ? [...entries] : entries.filter((e) => e.teams.includes(team))).slice(0, MAX_ENTRIES);
}

// XML 1.0 allows tab, newline, carriage return and characters from U+0020: anything else is dropped.
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function xmlEscape(text: string): string {
  return text.replace(NOT_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

export interface FeedOptions {
  namespace: string;
  siteTitle: string;
  /** Site path (without base) → the link written: absolute when the site's address is known. */
  link: (path: string) => string;
  updated: string;
}

/** An Atom 1.0 document (RFC 4287): feed id, title, updated, author; each entry id, title, updated, link and summary. */
export function atomFeed(options: FeedOptions & { feedPath: string; pagePath: string; name: string; entries: readonly NewsEntry[] }): string {
  const { entries } = options;
  const updated = entries.reduce((max, e) => (e.updated > max ? e.updated : max), options.updated);
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${stableId(options.namespace, `feed ${options.feedPath}`)}</id>`,
    `  <title>${xmlEscape(`${options.siteTitle} · ${options.name}`)}</title>`,
    `  <subtitle>Regressions, new failures, waivers expiring and initiatives due</subtitle>`,
    `  <updated>${xmlEscape(updated)}</updated>`,
    `  <author><name>${xmlEscape(options.siteTitle)}</name></author>`,
    `  <generator>Seaworthy</generator>`,
    `  <link rel="self" type="application/atom+xml" href="${xmlEscape(options.link(options.feedPath))}"/>`,
    `  <link rel="alternate" type="text/html" href="${xmlEscape(options.link(options.pagePath))}"/>`,
  ];
  for (const e of entries) {
    lines.push(
      '  <entry>',
      `    <id>${e.id}</id>`,
      `    <title>${xmlEscape(e.title)}</title>`,
      `    <updated>${xmlEscape(e.updated)}</updated>`,
      `    <link rel="alternate" type="text/html" href="${xmlEscape(options.link(e.path))}"/>`,
      `    <category term="${e.kind}"/>`,
      `    <summary type="text">${xmlEscape(e.summary)}</summary>`,
      '  </entry>',
    );
  }
  lines.push('</feed>', '');
  return lines.join('\n');
}

export const KIND_HEADING: Record<NewsKind, string> = {
  regression: 'Regressions',
  'new-failure': 'New failures',
  'waiver-expiring': 'Waivers expiring',
  'initiative-due': 'Initiatives due',
  'initiative-overdue': 'Initiatives overdue',
};

/** Slack mrkdwn treats &, < and > as control characters; everything else is shown as written. */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The Slack-compatible incoming-webhook body: `text` is the plain fallback (notifications, and
 * receivers that ignore blocks), `blocks` the formatted message. Links only when the site's address is known.
 */
export function digestMessage(options: { siteTitle: string; teamName: string; entries: readonly NewsEntry[]; link?: (path: string) => string }): { text: string; blocks: unknown[] } {
  const { entries, link } = options;
  const heading = `${options.siteTitle}: ${entries.length} item${entries.length === 1 ? '' : 's'} of news for ${options.teamName}`;
  const text = [heading, ...entries.map((e) => `• ${e.title}${link ? ` ${link(e.path)}` : ''}`)].join('\n');
  const blocks: unknown[] = [{ type: 'header', text: { type: 'plain_text', text: heading.slice(0, 150) } }];
  for (const kind of Object.keys(KIND_HEADING) as NewsKind[]) {
    const own = entries.filter((e) => e.kind === kind);
    if (own.length === 0) continue;
    // A section's text is limited to 3,000 characters: long lists are cut with a count of the rest.
    const lines: string[] = [];
    let length = 0;
    for (const [i, e] of own.entries()) {
      const line = `• ${link ? `<${link(e.path)}|${slackEscape(e.title)}>` : slackEscape(e.title)}`;
      if (length + line.length > 2800) {
        lines.push(`…and ${own.length - i} more`);
        break;
      }
      lines.push(line);
      length += line.length + 1;
    }
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*${KIND_HEADING[kind]}*\n${lines.join('\n')}` } });
  }
  return { text, blocks };
}
