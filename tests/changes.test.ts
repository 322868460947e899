import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { changesSince } from '../crawler/changes.ts';
import type { FixtureCommit } from '../fixtures/factory.ts';
import { Queries } from '../data/queries.ts';
import { Store, type RepoResult } from '../data/store.ts';
import { fixtureSnapshots } from './fixture-snapshots.ts';
import { tempDir } from './helpers.ts';

const fixtures = fixtureSnapshots({ namePrefix: 'changes' });

describe('commits between two crawled heads', () => {
  afterAll(fixtures.cleanup);

  const commits: FixtureCommit[] = [
    { date: '2026-09-01T10:00:00Z', message: 'init', files: { 'a.txt': '1\n' } },
    { date: '2026-09-02T10:00:00Z', message: 'feat: add runbook\n\nLonger body that is not the title.', files: { 'RUNBOOK.md': '# x\n' } },
    { date: '2026-09-03T10:00:00Z', message: `fix: ${'x'.repeat(400)}`, files: { 'a.txt': '2\n' } },
  ];

  it('lists what landed after the earlier head, newest first, titles only', async () => {
    const snap = await fixtures.snapshot([], {}, { commits });
    const [newest, middle, first] = snap.history.commits;
    const changes = changesSince(snap, first!.oid)!;
    expect(changes.total).toBe(2);
    expect(changes.commits.map((c) => c.oid)).toEqual([newest!.oid, middle!.oid]);
    expect(changes.commits[1]).toMatchObject({ title: 'feat: add runbook', author: 'Fixture Author', date: '2026-09-02T10:00:00+00:00' });
    expect(changes.commits[0]!.title).toHaveLength(300);
    expect(changesSince(snap, first!.oid, 1)).toMatchObject({ total: 2, commits: [{ oid: newest!.oid }] });
  });

  it('says nothing when it cannot know, and nothing changed when the head is the same', async () => {
    const snap = await fixtures.snapshot([], {}, { commits });
    expect(changesSince(snap, undefined)).toBeUndefined();
    expect(changesSince(snap, 'f'.repeat(40))).toBeUndefined();
    expect(changesSince(snap, snap.head.oid)).toEqual({ total: 0, commits: [] });
    // History not read (no check needed it): unknown, not "no commits".
    expect(changesSince({ ...snap, history: { ...snap.history, commits: [] } }, snap.history.commits[2]!.oid)).toBeUndefined();
  });

  it('names the pull request a merge commit landed', async () => {
    const snap = await fixtures.snapshot([], {}, { commits });
    const [newest, , first] = snap.history.commits;
    const withPr = { ...snap, pullRequests: [{ number: 12, title: 'Add <b>runbook</b>', body: '', state: 'merged' as const, mergedAt: newest!.date, createdAt: newest!.date, author: 'a', files: [], mergeCommit: newest!.oid, url: 'https://github.com/acme/x/pull/12' }] };
    expect(changesSince(withPr, first!.oid)!.commits[0]!.pullRequest).toEqual({ number: 12, title: 'Add <b>runbook</b>', url: 'https://github.com/acme/x/pull/12' });
  });

  it('are stored with the run and read back per repository and per run', () => {
    const tmp = tempDir('sw-changes-');
    try {
      const db = path.join(tmp.dir, 'c.db');
      const store = new Store(db);
      const base: RepoResult = { repo: { key: 'local/acme/x', host: 'local', owner: 'acme', name: 'x' }, status: 'ok', head: { oid: 'a'.repeat(40), date: '2026-09-01T00:00:00Z' }, problems: [], score: 5, durationMs: 1, results: [] };
      const first = store.startRun({ startedAt: '2026-09-01T00:00:00Z', toolVersion: 't', config: {} });
      store.writeRepoResult(first, base, '2026-09-01T00:00:00Z');
      store.finishRun(first, { finishedAt: '2026-09-01T00:01:00Z', status: 'ok', repoCount: 1, errorCount: 0 });
      expect(store.previousHead('local/acme/x', '2026-09-08T00:00:00Z')).toBe('a'.repeat(40));
      expect(store.previousHead('local/acme/x', '2026-09-01T00:00:00Z')).toBeUndefined();
      const second = store.startRun({ startedAt: '2026-09-08T00:00:00Z', toolVersion: 't', config: {} });
      store.writeRepoResult(second, { ...base, head: { oid: 'b'.repeat(40), date: '2026-09-07T00:00:00Z' }, changes: { total: 7, commits: [{ oid: 'b'.repeat(40), date: '2026-09-07T00:00:00Z', author: 'Ann', title: 'feat: y', pullRequest: { number: 3, title: 'Y' } }] } }, '2026-09-08T00:00:00Z');
      store.finishRun(second, { finishedAt: '2026-09-08T00:01:00Z', status: 'ok', repoCount: 1, errorCount: 0 });
      store.close();
      const q = new Queries(db);
      const repoId = q.repositories(second)[0]!.repoId;
      expect(q.repoCommits(repoId).get(second)).toEqual([{ oid: 'b'.repeat(40), date: '2026-09-07T00:00:00Z', author: 'Ann', title: 'feat: y', prNumber: 3, prTitle: 'Y', prUrl: null }]);
      expect(q.runCommitCounts(second).get(repoId)).toBe(7);
      expect(q.repoRuns(repoId).map((r) => r.commitsSincePrevious)).toEqual([null, 7]);
      q.close();
    } finally {
      tmp.cleanup();
    }
  });
});
