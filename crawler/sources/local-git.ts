// Local git repositories, read only through git plumbing: never the work tree, so symlinks
// and uncommitted files cannot leak into a result.
import { spawn } from 'node:child_process';
import { glob, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Commit, FileEntry, ReadResult } from '../../checks/contract.ts';
import { decodeBlob } from './decode.ts';
import { buildSnapshot, compilePatterns } from './snapshot.ts';
import type { Logger } from '../log.ts';
import { EmptyRepositoryError, NoCommitAtDateError, SourceError, type RepoRef, type RepoSource, type SkippedFolder, type SnapshotNeeds } from './types.ts';

export interface LocalSourceOptions {
  /** Directories or globs of directories, relative to `baseDir`. */
  paths: string[];
  baseDir: string;
  /** Owner shown for these repositories; defaults to the parent directory's name. */
  owner?: string;
  /** Template of a repository's web URL, e.g. "https://github.com/acme/{name}". */
  webUrl?: string;
}

interface GitResult {
  stdout: Buffer;
  stderr: string;
  code: number | null;
}

// Inherited from a git hook or a caller's shell, these would point every command at another repository.
const REPOSITORY_ENV = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_COMMON_DIR', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_NAMESPACE'];

function gitEnv(dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of REPOSITORY_ENV) delete env[name];
  // Never walk up into an enclosing repository, never prompt, never page.
  return { ...env, GIT_CEILING_DIRECTORIES: path.dirname(dir), GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', LC_ALL: 'C' };
}

function runGit(gitDir: string, args: string[], input?: Buffer): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: gitDir,
      env: gitEnv(gitDir),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8').trim(), code }));
    child.stdin.on('error', () => undefined); // git may exit before reading all input; its exit code tells.
    child.stdin.end(input);
  });
}

async function gitOk(dir: string, args: string[], what: string): Promise<string> {
  const result = await runGit(dir, args);
  if (result.code !== 0) throw new SourceError(`${what}: git ${args[0]} failed: ${result.stderr || `exit ${result.code}`}`);
  return result.stdout.toString('utf8');
}

/** A repository whose root is `dir` (not one that merely contains it, nor a folder inside one); the reason when not. */
async function repositoryAt(dir: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  // One path per call, minus git's trailing newline: a folder name may itself hold newlines.
  const ask = async (flag: string) => {
    const result = await runGit(dir, ['rev-parse', flag]);
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

export function parseLsTree(output: Buffer): FileEntry[] {
  const files: FileEntry[] = [];
  for (const record of output.toString('utf8').split('\0')) {
    if (!record) continue;
    const tab = record.indexOf('\t');
    const [mode, type, oid, size] = record.slice(0, tab).split(/ +/);
    const filePath = record.slice(tab + 1);
    if (!mode || !oid) continue;
    const kind = type === 'commit' ? 'submodule' : mode === '120000' ? 'symlink' : 'file';
    files.push({ path: filePath, oid, size: size === '-' || size === undefined ? 0 : Number(size), kind });
  }
  return files;
}

const OID = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
const NAME_STATUS = /^[ACDMRTUXB]\d{0,3}$/;

/**
 * Parses `git log -z --format=%H%x00%cI%x00%an%x00%B%x00 --name-status`: NUL-separated tokens, a
 * commit's four fields, then (status, path[, path]) entries. Paths and messages may hold any byte
 * but NUL, so tokens are read in order rather than split on a marker that could occur in them.
 */
export function parseLog(output: Buffer): Commit[] {
  const tokens = output.toString('utf8').split('\0');
  const commits: Commit[] = [];
  let i = 0;
  const next = () => (tokens[i++] ?? '').replace(/^\n/, '');
  while (i < tokens.length) {
    const oid = next();
    if (!OID.test(oid)) continue;
    const date = tokens[i++] ?? '';
    const authorName = tokens[i++] ?? '';
    const message = (tokens[i++] ?? '').trim();
    const files: Commit['files'] = [];
    while (i < tokens.length) {
      const status = (tokens[i] ?? '').replace(/^\n/, '');
      if (status === '') {
        i++;
        continue;
      }
      if (!NAME_STATUS.test(status)) break;
      i++;
      const change = status[0] as Commit['files'][number]['change'];
      if (change === 'R' || change === 'C') {
        const previousPath = tokens[i++] ?? '';
        files.push({ path: tokens[i++] ?? '', change, previousPath });
      } else files.push({ path: tokens[i++] ?? '', change });
    }
    commits.push({ oid, date, authorName, message, files });
  }
  return commits;
}

/** Reads many blobs through one `git cat-file --batch` process. */
async function readBlobs(dir: string, oids: string[]): Promise<Map<string, Buffer | 'missing'>> {
  const blobs = new Map<string, Buffer | 'missing'>();
  if (oids.length === 0) return blobs;
  const result = await runGit(dir, ['cat-file', '--batch'], Buffer.from(oids.join('\n') + '\n'));
  if (result.code !== 0) throw new SourceError(`cat-file --batch failed: ${result.stderr}`);
  const out = result.stdout;
  let offset = 0;
  while (offset < out.length) {
    const newline = out.indexOf(0x0a, offset);
    if (newline < 0) break;
    const header = out.subarray(offset, newline).toString('utf8').split(' ');
    offset = newline + 1;
    const oid = header[0] ?? '';
    if (header[1] === 'missing' || header[1] === 'ambiguous') {
      blobs.set(oid, 'missing');
      continue;
    }
    const size = Number(header[2]);
    blobs.set(oid, out.subarray(offset, offset + size));
    offset += size + 1;
  }
  return blobs;
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
        webUrl: this.options.webUrl?.replaceAll('{name}', encodeURIComponent(name)).replaceAll('{owner}', encodeURIComponent(owner)),
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
    const { branch, revision: branchRevision, problems } = await this.resolveDefaultBranch(dir);
    let revision = branchRevision;
    if (needs.asOf) {
      const at = (await gitOk(dir, ['rev-list', '-1', '--first-parent', `--before=${needs.asOf.toISOString()}`, branchRevision, '--'], 'finding the commit at the requested date')).trim();
      if (!at) throw new NoCommitAtDateError(needs.asOf);
      revision = at;
    }
    const headLine = (await gitOk(dir, ['log', '-1', '--format=%H%x00%cI', revision, '--'], 'reading the head commit')).trim();
    const [headOid = '', headDate = ''] = headLine.split('\0');
    const files = parseLsTree(Buffer.from(await gitOk(dir, ['ls-tree', '-r', '-l', '-z', '--full-tree', headOid], 'listing files'), 'utf8'));

    const wanted = compilePatterns(needs.readPatterns);
    const contents = new Map<string, ReadResult>();
    const toFetch: FileEntry[] = [];
    for (const file of files) {
      if (file.kind !== 'file' || !wanted(file.path)) continue;
      if (file.size > needs.maxFileBytes) {
        contents.set(file.path, { ok: false, reason: 'too-large', detail: `${file.size} bytes, limit ${needs.maxFileBytes}` });
      } else toFetch.push(file);
    }
    const blobs = await readBlobs(dir, [...new Set(toFetch.map((f) => f.oid))]);
    for (const file of toFetch) {
      const blob = blobs.get(file.oid);
      if (blob === undefined || blob === 'missing') {
        contents.set(file.path, { ok: false, reason: 'missing-object', detail: file.oid });
        problems.push(`could not read ${file.path}: git object ${file.oid} is missing`);
      } else contents.set(file.path, decodeBlob(blob));
    }

    let commits: Commit[] = [];
    let historyComplete = false;
    if (needs.history) {
      const shallow = (await gitOk(dir, ['rev-parse', '--is-shallow-repository'], 'checking for a shallow clone')).trim() === 'true';
      if (shallow) problems.push('shallow clone: commit history is truncated');
      const log = await runGit(dir, ['log', '-z', '--first-parent', '--diff-merges=first-parent', '--format=%H%x00%cI%x00%an%x00%B%x00', '--name-status', `-n${needs.historyLimit}`, revision, '--']);
      if (log.code === 0) {
        commits = parseLog(log.stdout);
        historyComplete = !shallow && commits.length < needs.historyLimit;
      } else {
        problems.push(`commit history could not be read: ${log.stderr}`);
      }
    }

    return buildSnapshot({
      identity: { host: ref.host, owner: ref.owner, name: ref.name, defaultBranch: branch, webUrl: ref.webUrl },
      head: { oid: headOid, date: headDate },
      files,
      contents,
      historyComplete,
      commits,
      problems,
    });
  }

  /** One rev-parse per repository: cheap enough that unchanged local repositories are carried forward too. */
  async heads(refs: RepoRef[]): Promise<Map<string, string | null>> {
    const heads = new Map<string, string | null>();
    for (const ref of refs) {
      try {
        const { revision } = await this.resolveDefaultBranch(ref.location);
        heads.set(ref.key, (await gitOk(ref.location, ['rev-parse', '--verify', `${revision}^{commit}`], 'reading the head commit')).trim() || null);
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
    const exists = async (revision: string) => (await runGit(dir, ['rev-parse', '-q', '--verify', `${revision}^{commit}`])).code === 0;
    const remoteHead = await runGit(dir, ['symbolic-ref', '-q', '--short', 'refs/remotes/origin/HEAD']);
    if (remoteHead.code === 0) {
      const remoteRef = remoteHead.stdout.toString('utf8').trim(); // origin/main
      const revision = `refs/remotes/${remoteRef}`;
      if (await exists(revision)) return { branch: remoteRef.replace(/^origin\//, ''), revision, problems };
      problems.push(`origin/HEAD names ${remoteRef}, which no longer exists (renamed or deleted on the remote?): read the checked-out branch instead; run "git remote set-head origin --auto" to fix`);
    }
    const head = await runGit(dir, ['symbolic-ref', '-q', '--short', 'HEAD']);
    const branch = head.code === 0 ? head.stdout.toString('utf8').trim() : 'HEAD';
    if (await exists('HEAD')) return { branch, revision: 'HEAD', problems };
    const anyRef = await runGit(dir, ['for-each-ref', '--count=1', '--format=%(refname)']);
    if (anyRef.code === 0 && anyRef.stdout.length === 0) throw new EmptyRepositoryError();
    throw new SourceError(`the repository has no commits on ${branch}`);
  }
}
