// What landed between the previously crawled head and this one, for the site's "what changed": the
// commits (and their pull requests, where the source knows them) read from the snapshot's history.
import type { RepoSnapshot } from '../checks/contract.ts';
import type { Changes } from '../data/store.ts';

const TITLE_MAX = 300;

function firstLine(message: string): string {
  const line = message.split('\n', 1)[0]!.trim();
  return line.length > TITLE_MAX ? `${line.slice(0, TITLE_MAX - 1)}…` : line;
}

/**
 * The commits after `previousHead` up to the snapshot's head, newest first. Undefined when unknown:
 * no earlier crawl, or the earlier head is not in the history the crawl read (history not needed by
 * any check, too short, or rewritten).
 */
export function changesSince(snapshot: Pick<RepoSnapshot, 'head' | 'history' | 'pullRequests'>, previousHead: string | undefined, limit = 20): Changes | undefined {
  if (!previousHead) return undefined;
  if (previousHead === snapshot.head.oid) return { total: 0, commits: [] };
  const commits = snapshot.history.commits;
  if (commits[0]?.oid !== snapshot.head.oid) return undefined;
  const index = commits.findIndex((c) => c.oid === previousHead);
  if (index < 0) return undefined;
  const merged = new Map((snapshot.pullRequests ?? []).filter((p) => p.state === 'merged' && p.mergeCommit).map((p) => [p.mergeCommit!, p]));
  return {
    total: index,
    commits: commits.slice(0, Math.min(index, limit)).map((c) => {
      const pr = merged.get(c.oid);
      return {
        oid: c.oid,
        date: c.date,
        author: c.authorName,
        title: firstLine(c.message),
        ...(pr ? { pullRequest: { number: pr.number, title: firstLine(pr.title), ...(pr.url ? { url: pr.url } : {}) } } : {}),
      };
    }),
  };
}
