// Local git repositories, read only through git plumbing: never the work tree, so symlinks
// and uncommitted files cannot leak into a result.
import { glob, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { commitAt, gitOk, readCommit, type GitRepo } from '../git/reader.ts';
import { runGit } from '../git/run.ts';
import { buildSnapshot } from './snapshot.ts';
import { httpUrl } from './url.ts';
import type { Logger } from '../log.ts';
import { EmptyRepositoryError, SourceError, type RepoRef, type RepoSource, type SkippedFolder, type SnapshotNeeds } from './types.ts';

export interface LocalSourceOptions {
  /** Directories or globs of directories, relative to `baseDir`. */
  paths: string[];
  baseDir: string;
  /** Owner shown for these repositories; defaults to the parent directory's name. */
  owner?: string;
  /** Template of a repository's web URL, e.g. "https://github.com/acme/{name}". */
  webUrl?: string;
}

/** Runs git in a local repository through the crawler's one hardened runner (file transport allowed, nothing fetched). */
function localRepo(dir: string): GitRepo {
  return { cwd: dir, run: (args, input) => runGit(args, { cwd: dir, input, protocols: ['file'] }) };
}

/** A repository whose root is `dir` (not one that merely contains it, nor a folder inside one); the reason when not. */
async function repositoryAt(dir: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  const repo = localRepo(dir);
  // One path per call, minus git's trailing newline: a folder name may itself hold newlines.
  const ask = async (flag: string) => {
    const result = await repo.run(['rev-parse', flag]);
    return result.code === 0 ? { ok: true as const, value: result.stdout.toString('utf8').replace(/\n$/, '') } : { ok: false as const, reason: result.stderr.split('\n')[0] || `git exited ${result.code}` };
  };
  const bare = await ask('--is-bare-repository');
  if (!bare.ok) return { ok: false, reason: /not a git repository/.test(bare.reason) ? 'not a git repository' : bare.reason.replace(/^fatal: /, '') };
  // A bare repository (a mirror) is read like any other: Seaworthy only ever reads objects.
  const root = await ask(bare.value === 'true' ? '--absolute-git-dir' : '--show-toplevel');
  if (!root.ok) return { ok: false, reason: root.reason.replace(/^fatal: /, '') };
  // Compare real paths: a configured path may go through a symlink, and a worktree's .git is a file.
  const real = await realpath(dir);
  if ((await realpath(root.value).catch(() => root.value)) === real) return { ok: true };
  return { ok: false, reason: 'a folder inside another repository, not the root of one' };
}

export class LocalGitSource implements RepoSource {
  readonly description: string;
  private readonly options: LocalSourceOptions;
  private skippedFolders: SkippedFolder[] = [];

  constructor(options: LocalSourceOptions) {
    this.options = options;
    this.description = `local git (${options.paths.join(', ')})`;
  }

  async list(logger?: Logger): Promise<RepoRef[]> {
    const candidates = new Set<string>();
    for (const pattern of this.options.paths) {
      const absolute = path.resolve(this.options.baseDir, pattern);
      let matched = 0;
      for await (const match of glob(absolute)) {
        const info = await stat(match).catch(() => null);
        if (info?.isDirectory()) {
          candidates.add(path.resolve(match));
          matched++;
        }
      }
      if (matched === 0) logger?.warn('a source path matches no directory', { path: absolute });
    }
    const refs: RepoRef[] = [];
    this.skippedFolders = [];
    for (const dir of [...candidates].sort()) {
      const verdict = await repositoryAt(dir);
      if (!verdict.ok) {
        // Named in the crawl summary and on the run page, so no folder disappears without a word.
        this.skippedFolders.push({ location: path.relative(this.options.baseDir, dir) || '.', reason: verdict.reason });
        logger?.warn('folder skipped: not crawled', { dir, reason: verdict.reason });
        continue;
      }
      const name = path.basename(dir).replace(/\.git$/, '');
      const owner = this.options.owner ?? path.basename(path.dirname(dir));
      refs.push({
        key: `local/${owner}/${name}`,
        host: 'local',
        owner,
        name,
        location: dir,
        webUrl: httpUrl(this.options.webUrl?.replaceAll('{name}', encodeURIComponent(name)).replaceAll('{owner}', encodeURIComponent(owner))),
      });
    }
    return refs;
  }

  /** Candidate folders the last `list()` did not crawl, each with the real reason. */
  skipped(): SkippedFolder[] {
    return [...this.skippedFolders];
  }

  async snapshot(ref: RepoRef, needs: SnapshotNeeds) {
    const dir = ref.location;
    const repo = localRepo(dir);
    const { branch, revision: branchRevision, problems } = await this.resolveDefaultBranch(dir);
    const revision = needs.asOf ? await commitAt(repo, branchRevision, needs.asOf) : branchRevision;
    const facts = await readCommit(repo, revision, needs, { sizes: 'listed', shallow: 'repository' }, problems);
    return buildSnapshot({
      identity: { host: ref.host, owner: ref.owner, name: ref.name, defaultBranch: branch, webUrl: ref.webUrl },
      ...facts,
    });
  }

  /** One rev-parse per repository: cheap enough that unchanged local repositories are carried forward too. */
  async heads(refs: RepoRef[]): Promise<Map<string, string | null>> {
    const heads = new Map<string, string | null>();
    for (const ref of refs) {
      try {
        const { revision } = await this.resolveDefaultBranch(ref.location);
        heads.set(ref.key, (await gitOk(localRepo(ref.location), ['rev-parse', '--verify', `${revision}^{commit}`], 'reading the head commit')).trim() || null);
      } catch (error) {
        if (!(error instanceof SourceError)) throw error;
        heads.set(ref.key, null);
      }
    }
    return heads;
  }

  /**
   * The remote's default branch when the clone knows it (a fetched mirror need not be pulled), else the
   * checked-out branch — also when origin/HEAD still names a branch the remote deleted, which is said.
   */
  private async resolveDefaultBranch(dir: string): Promise<{ branch: string; revision: string; problems: string[] }> {
    const problems: string[] = [];
    const repo = localRepo(dir);
    const exists = async (revision: string) => (await repo.run(['rev-parse', '-q', '--verify', `${revision}^{commit}`])).code === 0;
    const remoteHead = await repo.run(['symbolic-ref', '-q', '--short', 'refs/remotes/origin/HEAD']);
    if (remoteHead.code === 0) {
      const remoteRef = remoteHead.stdout.toString('utf8').trim(); // origin/main
      const revision = `refs/remotes/${remoteRef}`;
      if (await exists(revision)) return { branch: remoteRef.replace(/^origin\//, ''), revision, problems };
      problems.push(`origin/HEAD names ${remoteRef}, which no longer exists (renamed or deleted on the remote?): read the checked-out branch instead; run "git remote set-head origin --auto" to fix`);
    }
    const head = await repo.run(['symbolic-ref', '-q', '--short', 'HEAD']);
    const branch = head.code === 0 ? head.stdout.toString('utf8').trim() : 'HEAD';
    if (await exists('HEAD')) return { branch, revision: 'HEAD', problems };
    const anyRef = await repo.run(['for-each-ref', '--count=1', '--format=%(refname)']);
    if (anyRef.code === 0 && anyRef.stdout.length === 0) throw new EmptyRepositoryError();
    throw new SourceError(`the repository has no commits on ${branch}`);
  }
}
