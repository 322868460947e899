// Odd but legal repository states: each is either judged or named with its real reason, never dropped.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalGitSource } from '../crawler/sources/local-git.ts';
import type { SnapshotNeeds } from '../crawler/sources/types.ts';
import { Queries } from '../data/queries.ts';
import { Store } from '../data/store.ts';
import { createRepo } from '../fixtures/factory.ts';
import { git, runCli, tempDir, writeConfig } from './helpers.ts';

const needs: SnapshotNeeds = { readPatterns: ['**/*'], history: true, maxFileBytes: 65_536, historyLimit: 100 };
const oneCommit = (files: Record<string, string>) => [{ date: '2026-05-01T10:00:00Z', message: 'first', files }];

describe('odd repository states, local source', () => {
  const tmp = tempDir();
  const repos = path.join(tmp.dir, 'repos');
  afterAll(tmp.cleanup);

  beforeAll(() => {
    // Renamed default branch: origin/HEAD still names the old one, which `fetch --prune` removed.
    const upstream = createRepo(path.join(tmp.dir, 'upstream'), { name: 'renamed', defaultBranch: 'master', commits: oneCommit({ 'README.md': '# renamed\n' }) });
    mkdirSync(repos, { recursive: true });
    git(repos, 'clone', '-q', upstream, 'renamed');
    git(upstream, 'branch', '-q', '-m', 'master', 'main');
    git(path.join(repos, 'renamed'), 'fetch', '-q', '--prune', 'origin');
    git(path.join(repos, 'renamed'), 'checkout', '-q', '-b', 'main', 'origin/main');
    // An empty repository: initialised, never committed to.
    mkdirSync(path.join(repos, 'empty'));
    git(path.join(repos, 'empty'), 'init', '-q', '-b', 'main');
    // A bare mirror is a repository like any other: only its objects are read anyway.
    createRepo(path.join(tmp.dir, 'src'), { name: 'mirrored', commits: oneCommit({ 'README.md': '# mirrored\n' }) });
    git(repos, 'clone', '-q', '--mirror', path.join(tmp.dir, 'src', 'mirrored'), 'mirrored.git');
    // A folder name with a newline in it.
    createRepo(repos, { name: 'odd\nname', commits: oneCommit({ 'README.md': '# odd\n' }) });
    // Plain folders beside repositories are named too.
    mkdirSync(path.join(repos, 'just-a-folder'));
    writeFileSync(path.join(repos, 'just-a-folder', 'notes.txt'), 'not a repository');
  });

  it('falls back to the checked-out branch when origin/HEAD names a branch that is gone, and says so', async () => {
    const source = new LocalGitSource({ paths: ['repos/*'], baseDir: tmp.dir, owner: 'acme' });
    const ref = (await source.list()).find((r) => r.name === 'renamed');
    expect(ref).toBeDefined();
    const snap = await source.snapshot(ref!, needs);
    expect(snap.identity.defaultBranch).toBe('main');
    expect(snap.files.map((f) => f.path)).toContain('README.md');
    expect(snap.problems.join('\n')).toMatch(/origin\/HEAD names origin\/master, which no longer exists/);
    const heads = await source.heads([ref!]);
    expect(heads.get(ref!.key)).toMatch(/^[0-9a-f]{40}$/);
  });

  it('crawls bare repositories and folders whose names hold a newline, and names every other folder it skipped', async () => {
    const source = new LocalGitSource({ paths: ['repos/*'], baseDir: tmp.dir, owner: 'acme' });
    const refs = await source.list();
    expect(refs.map((r) => r.name).sort()).toEqual(['empty', 'mirrored', 'odd\nname', 'renamed']);
    const mirrored = await source.snapshot(refs.find((r) => r.name === 'mirrored')!, needs);
    expect(mirrored.read('README.md')).toMatchObject({ ok: true, text: '# mirrored\n' });
    const odd = await source.snapshot(refs.find((r) => r.name === 'odd\nname')!, needs);
    expect(odd.read('README.md')).toMatchObject({ ok: true, text: '# odd\n' });
    expect(source.skipped()).toEqual([{ location: 'repos/just-a-folder', reason: 'not a git repository' }]);
  });

  it('records an empty repository as not applicable for every check, and skipped folders on the run', () => {
    const config = writeConfig(tmp.dir, `sources:\n  - type: local\n    paths: ["repos/*"]\n    owner: acme\n`);
    const db = path.join(tmp.dir, 'sw.db');
    const result = runCli(['crawl', '--config', config, '--db', db, '--offline', '--json']);
    // Nothing here is broken: an empty repository and a plain folder are not failures of the night.
    expect(result.stderr).not.toMatch(/"level":"error"/);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { status: string; skippedFolders: { location: string; reason: string }[] };
    expect(summary.status).toBe('ok');
    expect(summary.skippedFolders).toEqual([{ location: expect.stringMatching(/just-a-folder$/), reason: 'not a git repository' }]);
    const q = new Queries(db);
    try {
      const run = q.latestRun()!;
      const empty = q.repositories(run.id).find((r) => r.name === 'empty')!;
      const results = q.checkResults(run.id, empty.repoId);
      expect(results.length).toBeGreaterThan(0);
      expect(results.map((r) => r.status)).toEqual(Array(results.length).fill('not-applicable'));
      expect(results[0]!.summary).toMatch(/empty repository: no commits to judge/);
      expect(q.skippedFolders(run.id)).toEqual([{ location: expect.stringMatching(/just-a-folder$/), reason: 'not a git repository' }]);
    } finally {
      q.close();
    }
  });
});

describe('slugs', () => {
  it('are unique case-insensitively, so case-insensitive file systems keep every page', () => {
    const tmp = tempDir();
    try {
      const store = new Store(path.join(tmp.dir, 'sw.db'));
      const ids = ['Collide-X', 'collide-x'].map((name) => store.repositoryId({ key: `local/acme/${name}`, host: 'local', owner: 'acme', name }));
      const slugs = store.db.prepare(`SELECT slug FROM repositories WHERE id IN (${ids.join(',')}) ORDER BY id`).pluck().all() as string[];
      store.close();
      expect(slugs[0]).toBe('Collide-X');
      expect(slugs[1]!.toLowerCase()).not.toBe(slugs[0]!.toLowerCase());
    } finally {
      tmp.cleanup();
    }
  });
});
