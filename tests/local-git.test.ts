import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RepoSnapshot } from '../checks/contract.ts';
import { decodeBlob } from '../crawler/sources/decode.ts';
import { LocalGitSource } from '../crawler/sources/local-git.ts';
import type { SnapshotNeeds } from '../crawler/sources/types.ts';
import { createRepo } from '../fixtures/factory.ts';
import { git, tempDir } from './helpers.ts';

const needs: SnapshotNeeds = { readPatterns: ['**/*'], history: true, maxFileBytes: 4096, historyLimit: 100 };
const SECRET = 'TOP-SECRET-OUTSIDE-THE-REPOSITORY';

async function snapshotOf(baseDir: string, name: string, override: Partial<SnapshotNeeds> = {}): Promise<RepoSnapshot> {
  const source = new LocalGitSource({ paths: ['repos/*'], baseDir, webUrl: 'https://git.example.com/{owner}/{name}' });
  const ref = (await source.list()).find((r) => r.name === name);
  if (!ref) throw new Error(`${name} not listed`);
  return source.snapshot(ref, { ...needs, ...override });
}

describe('local git source', () => {
  const tmp = tempDir();
  const repos = path.join(tmp.dir, 'repos');
  afterAll(tmp.cleanup);

  beforeAll(() => {
    writeFileSync(path.join(tmp.dir, 'secret.txt'), SECRET);
    createRepo(repos, {
      name: 'app',
      commits: [
        { date: '2026-05-01T10:00:00Z', message: 'feat: first', files: { 'README.md': '# App\n', 'db/migrate/001.sql': 'CREATE TABLE a (id int);\n' } },
        {
          date: '2026-06-01T10:00:00Z',
          message: 'feat: second\n\nWith a body.',
          files: {
            'leak.txt': { symlink: path.join(tmp.dir, 'secret.txt') },
            'src/app.ts': 'export const x = 1;\n',
            'big.txt': 'x'.repeat(10_000),
            'image.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]),
            'latin1.txt': new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]),
            'utf16.txt': new Uint8Array([0xff, 0xfe, 0x68, 0x00, 0x69, 0x00]),
            'we<ird> "name".md': 'hostile name\n',
          },
        },
        { date: '2026-07-01T10:00:00Z', message: 'chore: rename', files: { 'db/migrate/001.sql': null, 'db/migrate/002.sql': 'ALTER TABLE a ADD b int;\n' } },
      ],
    });
    // Uncommitted and untracked changes in the work tree must never be seen.
    writeFileSync(path.join(repos, 'app', 'UNCOMMITTED.md'), 'not committed');
    writeFileSync(path.join(repos, 'app', 'README.md'), '# Changed in the work tree only\n');
    // A directory that is not a repository is skipped, not an error.
    createRepo(path.join(tmp.dir, 'elsewhere'), { name: 'origin', commits: [{ date: '2026-01-01T00:00:00Z', message: 'a', files: { 'a.txt': '1\n' } }, { date: '2026-02-01T00:00:00Z', message: 'b', files: { 'b.txt': '2\n' } }] });
    writeFileSync(path.join(tmp.dir, 'placeholder'), '');
  });

  it('lists only git repositories with stable keys', async () => {
    writeFileSync(path.join(repos, 'not-a-dir.txt'), 'x');
    const source = new LocalGitSource({ paths: ['repos/*'], baseDir: tmp.dir, owner: 'acme' });
    const refs = await source.list();
    expect(refs.map((r) => r.key)).toEqual(['local/acme/app']);
  });

  it('reads committed content only: no work tree, no symlink targets', async () => {
    const snap = await snapshotOf(tmp.dir, 'app');
    const paths = snap.files.map((f) => f.path);
    expect(paths).not.toContain('UNCOMMITTED.md');
    expect(snap.read('UNCOMMITTED.md')).toEqual({ ok: false, reason: 'not-found' });
    const readme = snap.read('README.md');
    expect(readme.ok && readme.text).toBe('# App\n');
    expect(snap.files.find((f) => f.path === 'leak.txt')?.kind).toBe('symlink');
    expect(snap.read('leak.txt')).toEqual({ ok: false, reason: 'symlink' });
    expect(JSON.stringify(snap.files) + JSON.stringify(paths.map((p) => snap.read(p)))).not.toContain(SECRET);
  });

  it('applies the size cap, detects binaries and decodes odd encodings', async () => {
    const snap = await snapshotOf(tmp.dir, 'app');
    expect(snap.read('big.txt')).toMatchObject({ ok: false, reason: 'too-large' });
    expect(snap.read('image.png')).toEqual({ ok: false, reason: 'binary' });
    expect(snap.read('latin1.txt')).toMatchObject({ ok: true, text: 'caf\uFFFD\n', invalidBytes: true });
    expect(snap.read('utf16.txt')).toMatchObject({ ok: true, text: 'hi', encoding: 'utf-16le' });
    expect(snap.read('we<ird> "name".md')).toMatchObject({ ok: true, text: 'hostile name\n' });
  });

  it('fetches only blobs matching the declared patterns', async () => {
    const snap = await snapshotOf(tmp.dir, 'app', { readPatterns: ['**/*.sql'] });
    expect(snap.read('db/migrate/002.sql').ok).toBe(true);
    expect(snap.read('README.md')).toMatchObject({ ok: false, reason: 'not-fetched' });
  });

  it('answers history queries with changed files, dates and messages', async () => {
    const snap = await snapshotOf(tmp.dir, 'app');
    expect(snap.history.complete).toBe(true);
    expect(snap.history.commits.map((c) => c.message)).toEqual(['chore: rename', 'feat: second\n\nWith a body.', 'feat: first']);
    const migrations = snap.history.touching(['db/migrate/**']);
    expect(migrations.map((c) => c.date.slice(0, 10))).toEqual(['2026-07-01', '2026-05-01']);
    expect(migrations[0]!.files).toEqual(expect.arrayContaining([{ path: 'db/migrate/002.sql', change: 'A' }, { path: 'db/migrate/001.sql', change: 'D' }]));
    expect(snap.head.date.slice(0, 10)).toBe('2026-07-01');
    expect(snap.identity).toMatchObject({ host: 'local', owner: 'repos', name: 'app', defaultBranch: 'main', webUrl: 'https://git.example.com/repos/app' });
  });

  it('parses history whose file names and messages hold separators and newlines', async () => {
    createRepo(repos, {
      name: 'odd-history',
      commits: [
        { date: '2026-01-01T00:00:00Z', message: 'first \x1e with a record separator\n\nand a body', files: { 'rs\x1esep.md': 'a\n', 'new\nline.txt': 'b\n', M: 'named like a status\n' } },
        { date: '2026-02-01T00:00:00Z', message: '', files: { 'rs\x1esep.md': null, '0123456789abcdef0123456789abcdef01234567': 'named like an oid\n' } },
      ],
    });
    const snap = await snapshotOf(tmp.dir, 'odd-history');
    expect(snap.history.commits).toHaveLength(2);
    const [second, first] = snap.history.commits;
    expect(first!.message).toBe('first \x1e with a record separator\n\nand a body');
    expect(first!.files.map((f) => f.path).sort()).toEqual(['M', 'new\nline.txt', 'rs\x1esep.md']);
    expect(second!.message).toBe('');
    expect(second!.files).toEqual(expect.arrayContaining([{ path: 'rs\x1esep.md', change: 'D' }, { path: '0123456789abcdef0123456789abcdef01234567', change: 'A' }]));
  });

  it('lists repositories reached through a symlinked path, and git worktrees', async () => {
    const { symlinkSync } = await import('node:fs');
    symlinkSync(repos, path.join(tmp.dir, 'linked'));
    git(path.join(repos, 'app'), 'worktree', 'add', '-q', path.join(tmp.dir, 'wt', 'app-worktree'), 'HEAD');
    const viaLink = await new LocalGitSource({ paths: ['linked/app'], baseDir: tmp.dir }).list();
    expect(viaLink.map((r) => r.name)).toEqual(['app']);
    const worktree = await new LocalGitSource({ paths: ['wt/*'], baseDir: tmp.dir }).list();
    expect(worktree.map((r) => r.name)).toEqual(['app-worktree']);
  });

  it('ignores GIT_DIR inherited from a git hook', async () => {
    const saved = process.env.GIT_DIR;
    process.env.GIT_DIR = path.join(tmp.dir, 'elsewhere', 'origin', '.git');
    try {
      const snap = await snapshotOf(tmp.dir, 'app');
      expect(snap.files.map((f) => f.path)).toContain('src/app.ts');
    } finally {
      if (saved === undefined) delete process.env.GIT_DIR;
      else process.env.GIT_DIR = saved;
    }
  });

  it('judges a fetched clone at the remote default branch, not a stale local branch', async () => {
    const origin = path.join(tmp.dir, 'elsewhere', 'origin');
    git(tmp.dir, 'clone', '-q', `file://${origin}`, path.join(repos, 'mirror'));
    writeFileSync(path.join(origin, 'c.txt'), '3\n');
    git(origin, 'add', 'c.txt');
    git(origin, '-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-q', '-m', 'c');
    git(path.join(repos, 'mirror'), 'fetch', '-q', 'origin', '+refs/heads/*:refs/remotes/origin/*');
    const snap = await snapshotOf(tmp.dir, 'mirror');
    expect(snap.files.map((f) => f.path)).toContain('c.txt');
    expect(snap.identity.defaultBranch).toBe('main');
  });

  it('reads a repository as it was at a past date', async () => {
    const snap = await snapshotOf(tmp.dir, 'app', { asOf: new Date('2026-06-15T00:00:00Z') });
    expect(snap.head.date.slice(0, 10)).toBe('2026-06-01');
    expect(snap.files.map((f) => f.path)).toContain('db/migrate/001.sql');
    await expect(snapshotOf(tmp.dir, 'app', { asOf: new Date('2020-01-01T00:00:00Z') })).rejects.toThrow(/no commit on the default branch/);
  });

  it('says so when a shallow clone truncates history', async () => {
    git(tmp.dir, 'clone', '-q', '--depth', '1', `file://${path.join(tmp.dir, 'elsewhere', 'origin')}`, path.join(repos, 'shallow'));
    const snap = await snapshotOf(tmp.dir, 'shallow');
    expect(snap.history.complete).toBe(false);
    expect(snap.history.commits).toHaveLength(1);
    expect(snap.problems).toContain('shallow clone: commit history is truncated');
    expect(snap.identity.defaultBranch).toBe('main');
  });

  it('reports a missing object instead of failing the repository', async () => {
    createRepo(repos, { name: 'damaged', commits: [{ date: '2026-03-01T00:00:00Z', message: 'a', files: { 'RUNBOOK.md': '# Runbook\nlost content\n', 'ok.txt': 'fine\n' } }] });
    const dir = path.join(repos, 'damaged');
    const oid = git(dir, 'rev-parse', 'HEAD:RUNBOOK.md').trim();
    // Small imports stay loose (fastimport.unpackLimit); a pack, if any, is unpacked first. Then lose one blob.
    const packDir = path.join(dir, '.git', 'objects', 'pack');
    for (const pack of readdirSync(packDir).filter((f) => f.endsWith('.pack'))) {
      const packBytes = readFileSync(path.join(packDir, pack));
      for (const f of readdirSync(packDir)) rmSync(path.join(packDir, f));
      spawnSync('git', ['unpack-objects', '-q'], { cwd: dir, input: packBytes });
    }
    rmSync(path.join(dir, '.git', 'objects', oid.slice(0, 2), oid.slice(2)));

    const snap = await snapshotOf(tmp.dir, 'damaged');
    expect(snap.read('RUNBOOK.md')).toEqual({ ok: false, reason: 'missing-object', detail: oid });
    expect(snap.read('ok.txt')).toMatchObject({ ok: true, text: 'fine\n' });
    expect(snap.problems).toContain(`could not read RUNBOOK.md: git object ${oid} is missing`);
  });

  it('keeps the commits read before git meets a missing commit or tree, and says the history is incomplete', async () => {
    const commits = [1, 2, 3, 4, 5].map((n) => ({ date: `2026-0${n}-01T00:00:00Z`, message: `change ${n}`, files: { [`src/part${n}.ts`]: `export const part${n} = ${n};\n` } }));
    createRepo(repos, { name: 'gap-commit', commits });
    createRepo(repos, { name: 'gap-tree', commits });
    unpackLooseObjects(path.join(repos, 'gap-commit'));
    unpackLooseObjects(path.join(repos, 'gap-tree'));
    // A snapshot or partial clone that lost change 2 itself, or only its tree.
    removeLooseObject(path.join(repos, 'gap-commit'), git(path.join(repos, 'gap-commit'), 'rev-parse', 'HEAD~3').trim());
    removeLooseObject(path.join(repos, 'gap-tree'), git(path.join(repos, 'gap-tree'), 'rev-parse', 'HEAD~3^{tree}').trim());

    for (const name of ['gap-commit', 'gap-tree']) {
      const snap = await snapshotOf(tmp.dir, name);
      // Changes 5 and 4 are whole; change 3 cannot be diffed against its lost parent.
      expect(snap.history.commits.map((c) => c.message)).toEqual(['change 5', 'change 4']);
      expect(snap.history.commits[1]?.files).toEqual([{ path: 'src/part4.ts', change: 'A' }]);
      expect(snap.history.complete).toBe(false);
      expect(snap.problems.find((p) => p.startsWith('commit history is incomplete'))).toMatch(/^commit history is incomplete: git stopped after 2 commits \(.+\); older commits are not judged$/);
      expect(snap.read('src/part5.ts')).toMatchObject({ ok: true });
    }
  });
});

/** Fixture repositories are written as one pack; unpacked, single objects can be lost like in a damaged copy. */
function unpackLooseObjects(dir: string): void {
  const packDir = path.join(dir, '.git', 'objects', 'pack');
  for (const pack of readdirSync(packDir).filter((f) => f.endsWith('.pack'))) {
    const packBytes = readFileSync(path.join(packDir, pack));
    for (const f of readdirSync(packDir)) rmSync(path.join(packDir, f));
    spawnSync('git', ['unpack-objects', '-q'], { cwd: dir, input: packBytes });
  }
}

function removeLooseObject(dir: string, oid: string): void {
  rmSync(path.join(dir, '.git', 'objects', oid.slice(0, 2), oid.slice(2)));
}

describe('decodeBlob', () => {
  it('never throws and never returns text containing a NUL from a binary sniff', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const result = decodeBlob(bytes);
        if (result.ok && result.encoding === 'utf-8') expect(result.text.includes('\0')).toBe(false);
        if (!result.ok) expect(result.reason).toBe('binary');
      }),
    );
  });

  it('round-trips any valid UTF-8 text without NUL', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }).filter((s) => !s.includes('\0') && !s.startsWith('\uFEFF')), (text) => {
        expect(decodeBlob(new TextEncoder().encode(text))).toMatchObject({ ok: true, text, invalidBytes: false });
      }),
    );
  });
});
