// Local git repositories, read only through git plumbing: never the work tree, so symlinks
// and uncommitted files cannot leak into a result.
import { glob, stat } from 'node:fs/promises';
import path from 'node:path';
import { commitAt, gitOk, readCommit, rememberShallowFile, type GitRepo, type KnownCommit } from '../git/reader.ts';
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

/** The branch a repository is judged on, the revision naming it, and its head commit when already known. */
interface DefaultBranch {
  branch: string;
  revision: string;
  head?: KnownCommit;
  problems: string[];
}

/** Runs git in a local repository through the crawler's one hardened runner (file transport allowed, nothing fetched). */
function localRepo(dir: string): GitRepo {
  return { cwd: dir, run: (args, input) => runGit(args, { cwd: dir, input, protocols: ['file'] }) };
}

/**
 * A repository whose root is `dir` (not one that merely contains it, nor a folder inside one); the
 * reason when not. One git process answers it and where the repository keeps its shallow file, which
 * the reader would otherwise ask for again.
 */
async function repositoryAt(dir: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  // Prints "true" or "false"; for a work tree the way up to its root ("" at the root, "../" below it;
  // a bare repository prints no such line); then the shallow file's path, which may hold any
  // character of a folder name, so it is the rest of the output minus git's final newline.
  const result = await localRepo(dir).run(['rev-parse', '--is-bare-repository', '--show-cdup', '--git-path', 'shallow']);
  if (result.code !== 0) {
    const reason = result.stderr.split('\n')[0] || `git exited ${result.code}`;
    return { ok: false, reason: /not a git repository/.test(reason) ? 'not a git repository' : reason.replace(/^fatal: /, '') };
  }
  const out = result.stdout.toString('utf8');
  const firstBreak = out.indexOf('\n');
  const bare = out.slice(0, firstBreak) === 'true';
  let rest = out.slice(firstBreak + 1);
  if (!bare) {
    const secondBreak = rest.indexOf('\n');
    const upToRoot = rest.slice(0, secondBreak);
    if (upToRoot !== '') return { ok: false, reason: 'a folder inside another repository, not the root of one' };
    rest = rest.slice(secondBreak + 1);
  }
  // A bare repository (a mirror) is read like any other: Seaworthy only ever reads objects.
  rememberShallowFile(dir, rest.replace(/\n$/, ''));
  return { ok: true };
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
    const { branch, revision: branchRevision, head, problems: branchProblems } = await this.defaultBranch(dir);
    const problems = [...branchProblems];
    const known = needs.asOf ? await commitAt(repo, branchRevision, needs.asOf) : head;
    const facts = await readCommit(repo, known?.oid ?? branchRevision, needs, { sizes: 'listed', shallow: 'repository', known }, problems);
    return buildSnapshot({
      identity: { host: ref.host, owner: ref.owner, name: ref.name, defaultBranch: branch, webUrl: ref.webUrl },
      ...facts,
    });
  }

  /** One git process per repository in the usual case: cheap enough that unchanged local repositories are carried forward too. */
  async heads(refs: RepoRef[]): Promise<Map<string, string | null>> {
    const heads = new Map<string, string | null>();
    for (const ref of refs) {
      try {
        const { revision, head } = await this.defaultBranch(ref.location);
        heads.set(ref.key, head?.oid ?? ((await gitOk(localRepo(ref.location), ['rev-parse', '--verify', `${revision}^{commit}`], 'reading the head commit')).trim() || null));
      } catch (error) {
        if (!(error instanceof SourceError)) throw error;
        heads.set(ref.key, null);
      }
    }
    return heads;
  }

  /**
   * The default branch of each repository, resolved once per source instance (one crawl): the
   * crawl asks for the heads of every repository, then snapshots the changed ones, and both need it.
   */
  private readonly branches = new Map<string, Promise<DefaultBranch>>();

  private defaultBranch(dir: string): Promise<DefaultBranch> {
    let resolved = this.branches.get(dir);
    if (!resolved) {
      resolved = this.resolveDefaultBranch(dir);
      resolved.catch(() => this.branches.delete(dir));
      this.branches.set(dir, resolved);
    }
    return resolved;
  }

  private async resolveDefaultBranch(dir: string): Promise<DefaultBranch> {
    return (await this.defaultBranchAtOnce(dir)) ?? (await this.defaultBranchStepByStep(dir));
  }

  /**
   * The usual cases in one git process: origin/HEAD pointing at a branch that exists, or a checked-out
   * branch of a repository without remote branches. `for-each-ref` gives each ref's target, commit and date, and `%(HEAD)` marks the
   * checked-out branch. Anything else (a detached or unborn HEAD, an origin/HEAD git calls broken, a
   * ref to something other than a commit) is left to the step-by-step reading, which says why.
   */
  private async defaultBranchAtOnce(dir: string): Promise<DefaultBranch | null> {
    const result = await localRepo(dir).run(['for-each-ref', '--format=%(HEAD)%00%(refname)%00%(symref)%00%(objectname)%00%(objecttype)%00%(committerdate:iso-strict)', 'refs/remotes/origin/', 'refs/heads/']);
    if (result.code !== 0) return null;
    // Ref names cannot hold control characters (git check-ref-format), so lines and NULs split safely.
    const rows = result.stdout.toString('utf8').split('\n').filter(Boolean).map((line) => {
      const [current = '', refname = '', symref = '', oid = '', type = '', date = ''] = line.split('\0');
      return { current: current === '*', refname, symref, oid, type, date };
    });
    const remoteHead = rows.find((row) => row.refname === 'refs/remotes/origin/HEAD');
    // for-each-ref skips an origin/HEAD whose branch is gone without a word: a clone with remote
    // branches but no origin/HEAD listed is read step by step, which tells the two cases apart.
    if (!remoteHead && rows.some((row) => row.refname.startsWith('refs/remotes/origin/'))) return null;
    if (remoteHead) {
      if (!remoteHead.symref.startsWith('refs/remotes/origin/') || remoteHead.type !== 'commit') return null;
      return { branch: remoteHead.symref.slice('refs/remotes/origin/'.length), revision: remoteHead.symref, head: { oid: remoteHead.oid, date: remoteHead.date }, problems: [] };
    }
    const checkedOut = rows.find((row) => row.current && row.refname.startsWith('refs/heads/'));
    if (!checkedOut || checkedOut.type !== 'commit') return null;
    return { branch: checkedOut.refname.slice('refs/heads/'.length), revision: 'HEAD', head: { oid: checkedOut.oid, date: checkedOut.date }, problems: [] };
  }

  /**
   * The remote's default branch when the clone knows it (a fetched mirror need not be pulled), else the
   * checked-out branch — also when origin/HEAD still names a branch the remote deleted, which is said.
   */
  private async defaultBranchStepByStep(dir: string): Promise<DefaultBranch> {
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
