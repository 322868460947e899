// What the history says about when files and keys appeared, from one walk over the commits the
// source read (oldest to newest) and, where the host has them, merged pull requests. The history
// holds changed paths per commit, never diffs, so a key's own first commit cannot be seen: it is
// estimated from commits that mention the key and touch a file holding it, or else from when those
// files first appeared (see README, "How ages are found").
import type { Commit, PullRequest } from '../contract.ts';

export interface Seen {
  date: string;
  oid: string;
  /** The path's first commit was read; false when the file existed before the oldest commit read. */
  added: boolean;
}

export interface Mention {
  date: string;
  /** Short commit id, or "#123" for a pull request. */
  ref: string;
  title: string;
  /** Files it touched, as named at the head. */
  paths: string[];
}

export interface HistoryIndex {
  /** Commits were read at all. */
  available: boolean;
  /** Every commit of the default branch was read. */
  complete: boolean;
  commitCount: number;
  /** What the history was read from: commits, or merged pull requests when the source has no commits. */
  unit: 'commits' | 'pull requests';
  /** Date of the oldest commit read. */
  oldest?: string;
  firstSeen(path: string): Seen | undefined;
  lastTouched(path: string): string | undefined;
  mentions(normalisedKey: string): readonly Mention[];
  /**
   * The oldest commit read that changed a file of `a` and a file of `b` together (paths as named at
   * the head): where a flag's definition and a use of it came in together, if anywhere.
   */
  together(a: readonly string[], b: readonly string[]): { date: string; oid: string } | undefined;
  /** Commits read whose subject says they remove, clean up or retire a flag, newest first. */
  removals: readonly { oid: string; date: string; title: string }[];
}

/** "Remove the new-checkout flag", "Clean up feature toggle X", "chore: drop FF_X", "retire flag": a flag being removed. */
const REMOVAL = /\b(?:remov(?:e|es|ed|ing)|delet(?:e|es|ed|ing)|clean(?:s|ed|ing)?[ -]?up|drop(?:s|ped|ping)?|retir(?:e|es|ed|ing)|sunset(?:s|ted)?|graduat(?:e|es|ed|ing))\b[^\n]{0,60}?(?:\bfeature[ _-]?(?:flags?|toggles?)\b|(?<![-\w])(?:flags?|toggles?)\b(?![-\w])|\bFF_\w+)|\b(?:feature[ _-]?)?(?:flag|toggle)s?[ _-]clean[ -]?up\b/i;
/** A command-line or compiler flag is not a feature flag. */
const NOT_FEATURE = /\b(?:cli|command[- ]line|compiler|build|eslint|lint|docker|--[a-z])/i;

/** Commits changing more files than this are not read as a flag coming in with its use. */
const BROAD_COMMIT = 40;

const TOKEN = /[A-Za-z0-9_][A-Za-z0-9_.:/@+-]*[A-Za-z0-9_]|[A-Za-z0-9_]/g;

function tokens(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(TOKEN)) {
    out.push(m[0]);
    if (/[/:@]/.test(m[0])) out.push(...m[0].split(/[/:@]+/).filter((t) => t !== ''));
  }
  return out;
}

/**
 * One pass over `commits` (newest first, as the snapshot holds them) and `pullRequests`. Mentions
 * are recorded only for keys in `keys` (normalised), so the cost is linear in the history's size.
 */
export function indexHistory(
  history: { commits: readonly Commit[]; complete: boolean },
  pullRequests: readonly PullRequest[] | undefined,
  keys: ReadonlySet<string>,
  normalise: (key: string) => string,
): HistoryIndex {
  const firstSeen = new Map<string, Seen>();
  const lastTouched = new Map<string, string>();
  const renamedTo = new Map<string, string>();
  const rawMentions = new Map<string, Mention[]>();
  const mentionIn = (text: string, mention: Omit<Mention, 'paths'>, paths: string[]) => {
    if (keys.size === 0) return;
    const hit = new Set<string>();
    for (const t of tokens(text)) {
      const k = normalise(t);
      if (keys.has(k)) hit.add(k);
    }
    // A key of several words written as words: "gate the new checkout flow" names new-checkout-flow.
    const words = text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
    for (let i = 0; i < words.length; i++) {
      let phrase = words[i]!;
      for (let j = i + 1; j < Math.min(words.length, i + 6); j++) {
        phrase += `-${words[j]}`;
        if (keys.has(phrase)) hit.add(phrase);
      }
    }
    for (const k of hit) {
      const list = rawMentions.get(k) ?? [];
      list.push({ ...mention, paths });
      rawMentions.set(k, list);
    }
  };

  const commits = history.commits;
  for (let i = commits.length - 1; i >= 0; i--) {
    const c = commits[i]!;
    for (const f of c.files) {
      if (f.change === 'D') {
        firstSeen.delete(f.path);
        lastTouched.delete(f.path);
        continue;
      }
      if ((f.change === 'R' || f.change === 'C') && f.previousPath !== undefined) {
        const before = firstSeen.get(f.previousPath);
        firstSeen.set(f.path, before ?? { date: c.date, oid: c.oid, added: false });
        if (f.change === 'R') {
          firstSeen.delete(f.previousPath);
          lastTouched.delete(f.previousPath);
          renamedTo.set(f.previousPath, f.path);
        }
      } else if (!firstSeen.has(f.path)) {
        firstSeen.set(f.path, { date: c.date, oid: c.oid, added: f.change === 'A' });
      }
      lastTouched.set(f.path, c.date);
    }
    mentionIn(c.message, { date: c.date, ref: c.oid.slice(0, 7), title: c.message.split('\n')[0] ?? '' }, c.files.map((f) => f.path));
  }
  const merged = (pullRequests ?? []).filter((pr) => pr.state === 'merged' && pr.mergedAt).sort((a, b) => Date.parse(a.mergedAt!) - Date.parse(b.mergedAt!));
  for (const pr of merged) mentionIn(`${pr.title}\n${pr.body}`, { date: pr.mergedAt!, ref: `#${pr.number}`, title: pr.title }, [...pr.files]);
  // Without commits, the first merged pull request that changed a file stands in for the commit that added it.
  const fromPullRequests = commits.length === 0 && merged.length > 0;
  if (fromPullRequests) {
    for (const pr of merged) {
      for (const path of pr.files) {
        if (!firstSeen.has(path)) firstSeen.set(path, { date: pr.mergedAt!, oid: `#${pr.number}`, added: true });
        lastTouched.set(path, pr.mergedAt!);
      }
    }
  }

  // Paths as the head names them: a mention touched a file that may have been renamed since.
  const forward = (p: string): string => {
    let current = p;
    for (let hops = 0; hops < 50; hops++) {
      const next = renamedTo.get(current);
      if (next === undefined || next === current) break;
      current = next;
    }
    return current;
  };
  // Commits (oldest first, by index) that changed each path, as the head names it.
  const touches = new Map<string, number[]>();
  const chronological = [...commits].reverse();
  chronological.forEach((c, i) => {
    // A commit that changes many files at once (a reformat, a rename, a dependency bump) says nothing about when a flag came in.
    if (c.files.length > BROAD_COMMIT) return;
    for (const f of c.files) {
      const head = forward(f.path);
      const list = touches.get(head);
      if (!list) touches.set(head, [i]);
      else if (list[list.length - 1] !== i) list.push(i);
    }
  });
  const together = (a: readonly string[], b: readonly string[]) => {
    const inA = new Set<number>();
    for (const p of a) for (const i of touches.get(p) ?? []) inA.add(i);
    let best: number | undefined;
    for (const p of b) for (const i of touches.get(p) ?? []) if (inA.has(i) && (best === undefined || i < best)) best = i;
    return best === undefined ? undefined : { date: chronological[best]!.date, oid: chronological[best]!.oid };
  };
  const removals = commits.filter((c) => {
    const title = c.message.split('\n')[0] ?? '';
    return REMOVAL.test(title) && !NOT_FEATURE.test(title);
  }).map((c) => ({ oid: c.oid, date: c.date, title: c.message.split('\n')[0]! }));
  const mentions = new Map<string, Mention[]>();
  for (const [k, list] of rawMentions) {
    mentions.set(
      k,
      list.map((m) => ({ ...m, paths: m.paths.map(forward) })).sort((a, b) => Date.parse(a.date) - Date.parse(b.date)),
    );
  }
  return {
    available: commits.length > 0 || fromPullRequests,
    complete: history.complete,
    commitCount: fromPullRequests ? merged.length : commits.length,
    unit: fromPullRequests ? 'pull requests' : 'commits',
    oldest: commits.length > 0 ? commits[commits.length - 1]!.date : merged[0]?.mergedAt ?? undefined,
    firstSeen: (p) => firstSeen.get(p),
    lastTouched: (p) => lastTouched.get(p),
    mentions: (k) => mentions.get(k) ?? [],
    together,
    removals,
  };
}
