// Builds the RepoSnapshot object every source returns, from facts the source gathered.
import picomatch from 'picomatch';
import type { Commit, FileEntry, ReadResult, RepoIdentity, RepoSnapshot, PullRequest } from '../../checks/contract.ts';

export function compilePatterns(patterns: readonly string[]): (path: string) => boolean {
  if (patterns.length === 0) return () => false;
  return picomatch([...patterns], { nocase: true, dot: true });
}

export function buildSnapshot(facts: {
  identity: RepoIdentity;
  head: { oid: string; date: string };
  files: FileEntry[];
  contents: Map<string, ReadResult>;
  historyComplete: boolean;
  commits: Commit[];
  pullRequests?: PullRequest[];
  problems: string[];
}): RepoSnapshot {
  const byPath = new Map(facts.files.map((f) => [f.path, f]));
  const touchingCache = new Map<string, Commit[]>();
  return {
    identity: facts.identity,
    head: facts.head,
    files: facts.files,
    read(path: string): ReadResult {
      const entry = byPath.get(path);
      if (!entry) return { ok: false, reason: 'not-found' };
      if (entry.kind === 'symlink') return { ok: false, reason: 'symlink' };
      if (entry.kind === 'submodule') return { ok: false, reason: 'submodule' };
      return facts.contents.get(path) ?? { ok: false, reason: 'not-fetched', detail: 'no check declared this path in meta.reads' };
    },
    history: {
      complete: facts.historyComplete,
      commits: facts.commits,
      touching(patterns) {
        const key = JSON.stringify(patterns);
        let hit = touchingCache.get(key);
        if (!hit) {
          const matches = compilePatterns(patterns);
          hit = facts.commits.filter((c) => c.files.some((f) => matches(f.path) || (f.previousPath !== undefined && matches(f.previousPath))));
          touchingCache.set(key, hit);
        }
        return hit;
      },
    },
    pullRequests: facts.pullRequests,
    problems: facts.problems,
  };
}
