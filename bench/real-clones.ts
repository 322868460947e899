// Serves local clones of real repositories through the fake GitHub, for bench:github --repos DIR.
// Each clone is served from a repository of its own that borrows the clone's objects (git
// alternates): the clone is never written to, nothing of it is copied, and a benchmark commit on a
// "changed" night lands in the served repository only. Served names are anonymous (repo-01, …,
// smallest first) so no real repository's name reaches the benchmark's figures.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FakeRepo } from '../fixtures/fake-github/server.ts';

export interface ServedClone {
  repo: FakeRepo;
  /** The clone's folder name, kept out of the figures (printed only with BENCH_SHOW_SOURCES=1). */
  source: string;
  branch: string;
  commits: number;
  files: number;
  objectsMB: number;
  /** Files at the pinned commit whose blobs the clone lacks (a partial or damaged copy): served without them, at a commit on top. */
  leftOut: number;
}

function git(cwd: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const result = spawnSync('git', args, { cwd, input: options.input, encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024, env: { ...process.env, ...options.env } });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${result.stderr}`);
  return result.stdout;
}

/** Clones in `dir` (folders holding a git repository), sorted by name. */
export function listClones(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => (entry.isDirectory() || entry.isSymbolicLink()) && existsSync(path.join(dir, entry.name, '.git')))
    .map((entry) => path.join(dir, entry.name))
    .sort();
}

/** The branch the clone's remote calls default, else its checked-out branch, else main. */
function defaultBranchOf(clone: string): string {
  const remoteHead = spawnSync('git', ['symbolic-ref', '-q', '--short', 'refs/remotes/origin/HEAD'], { cwd: clone, encoding: 'utf8' });
  if (remoteHead.status === 0 && remoteHead.stdout.trim()) return remoteHead.stdout.trim().replace(/^origin\//, '');
  const checkedOut = spawnSync('git', ['symbolic-ref', '-q', '--short', 'HEAD'], { cwd: clone, encoding: 'utf8' });
  return checkedOut.status === 0 && checkedOut.stdout.trim() ? checkedOut.stdout.trim() : 'main';
}

/** A commit on top of `parent` whose tree is `parent`'s with `remove` taken out and `add` put in (plumbing only: no work tree). */
function commitOnTop(served: string, parent: string, message: string, remove: string[], add: Record<string, string>): string {
  const index = path.join(served, '.git', 'bench-index');
  const env = { GIT_INDEX_FILE: index, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@example.invalid', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@example.invalid' };
  git(served, ['read-tree', parent], { env });
  if (remove.length > 0) git(served, ['update-index', '--force-remove', '-z', '--stdin'], { env, input: remove.join('\0') + '\0' });
  for (const [file, text] of Object.entries(add)) {
    const oid = git(served, ['hash-object', '-w', '--stdin'], { input: text }).trim();
    git(served, ['update-index', '--add', '--cacheinfo', `100644,${oid},${file}`], { env });
  }
  const tree = git(served, ['write-tree'], { env }).trim();
  rmSync(index, { force: true });
  return git(served, ['commit-tree', tree, '-p', parent, '-m', message], { env }).trim();
}

/** Serves `clone` (its checked-out commit, on its default branch's name) as `root/repos/<name>`. */
export function serveClone(clone: string, root: string, name: string): ServedClone {
  const served = path.join(root, 'repos', name);
  mkdirSync(served, { recursive: true });
  const branch = defaultBranchOf(clone);
  git(served, ['init', '-q', '-b', branch]);
  const objects = git(clone, ['rev-parse', '--path-format=absolute', '--git-path', 'objects']).trim();
  writeFileSync(path.join(served, '.git', 'objects', 'info', 'alternates'), objects + '\n');
  let head = git(clone, ['rev-parse', 'HEAD^{commit}']).trim();
  const listing = git(served, ['ls-tree', '-r', '-z', head]).split('\0').filter(Boolean);
  const blobs = listing.map((line) => ({ oid: line.split(/\s+/)[2] ?? '', path: line.slice(line.indexOf('\t') + 1), type: line.split(/\s+/)[1] }));
  const files = blobs.filter((b) => b.type === 'blob');
  const checked = git(served, ['cat-file', '--batch-check=%(objectname) %(objecttype)'], { input: files.map((f) => f.oid).join('\n') + '\n' }).split('\n');
  const missing = new Set(checked.filter((line) => line.endsWith(' missing')).map((line) => line.split(' ')[0]));
  const leftOut = files.filter((f) => missing.has(f.oid)).map((f) => f.path);
  // GitHub serves every object it lists; a clone that lacks some would make the fake answer a
  // listing it cannot deliver, so those files are left out of the served tree.
  if (leftOut.length > 0) head = commitOnTop(served, head, `bench: leave out ${leftOut.length} files whose objects this clone lacks`, leftOut, {});
  git(served, ['update-ref', `refs/heads/${branch}`, head]);
  const commits = Number(git(served, ['rev-list', '--count', '--first-parent', head]).trim());
  const objectsMB = Math.round(Number(execFileSync('du', ['-sk', objects], { encoding: 'utf8' }).split('\t')[0]) / 1024);
  return { repo: { name, dir: served }, source: path.basename(clone), branch, commits, files: files.length - leftOut.length, objectsMB, leftOut: leftOut.length };
}

/** A "changed night" for a served clone: one commit with a runbook on its default branch. */
export function pushBenchCommit(clone: ServedClone): void {
  const served = clone.repo.dir;
  const head = git(served, ['rev-parse', `refs/heads/${clone.branch}`]).trim();
  const next = commitOnTop(served, head, 'bench: add a runbook', [], { 'RUNBOOK-bench.md': '# Runbook\n\n## Symptoms\nLatency rises.\n\n## Mitigation\nRoll back, then page the on-call.\n' });
  git(served, ['update-ref', `refs/heads/${clone.branch}`, next]);
}
