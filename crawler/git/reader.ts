// The one git reader of the crawler: from a commit of a repository on disk (a local clone, or a
// cache repository the GitHub source fetched into) to the facts every RepoSnapshot is built from:
// the file list, the content of the files the checks read, and first-parent history with changed
// files. Both sources call it, so they read the same commit the same way.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Commit, FileEntry, ReadResult } from '../../checks/contract.ts';
import { decodeBlob } from '../sources/decode.ts';
import { compilePatterns } from '../sources/snapshot.ts';
import { NoCommitAtDateError, SourceError, type SnapshotNeeds } from '../sources/types.ts';
import type { GitResult } from './run.ts';

/** A repository on disk and how to run git in it (always through the hardened runner). */
export interface GitRepo {
  /** Where git runs: relative paths git prints are relative to it. */
  readonly cwd: string;
  /** The git directory, when known without asking git (a bare cache repository). */
  readonly gitDir?: string;
  run(args: readonly string[], input?: Buffer): Promise<GitResult>;
}

export async function gitOk(repo: GitRepo, args: readonly string[], what: string): Promise<string> {
  const result = await repo.run(args);
  if (result.code !== 0) throw new SourceError(`${what}: git ${args[0]} failed: ${result.stderr || (result.timedOut ? 'timed out' : `exit ${result.code}`)}`);
  return result.stdout.toString('utf8');
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

/** The format of every history read: oid, committer date, author, message, then the changed files. */
export const LOG_FORMAT = '--format=%H%x00%cI%x00%an%x00%B%x00';

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

/** Reads many blobs through one `git cat-file --batch` process: content and size of each. */
export async function readBlobs(repo: GitRepo, oids: readonly string[]): Promise<Map<string, Buffer | 'missing'>> {
  const blobs = new Map<string, Buffer | 'missing'>();
  if (oids.length === 0) return blobs;
  const result = await repo.run(['cat-file', '--batch'], Buffer.from(oids.join('\n') + '\n'));
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

/** A commit and its committer date, as `readCommit` needs them; known ahead, it saves a `git log -1`. */
export interface KnownCommit {
  oid: string;
  date: string;
}

/** The newest first-parent commit of `revision` on or before `asOf`, with its date (one git process). */
export async function commitAt(repo: GitRepo, revision: string, asOf: Date): Promise<KnownCommit> {
  const line = (await gitOk(repo, ['log', '-1', '--no-show-signature', '--first-parent', `--before=${asOf.toISOString()}`, '--format=%H%x00%cI', revision, '--'], 'finding the commit at the requested date')).trim();
  const [oid = '', date = ''] = line.split('\0');
  if (!OID.test(oid)) throw new NoCommitAtDateError(asOf);
  return { oid, date };
}

function historyArgs(revision: string, limit: number, changes: readonly string[]): string[] {
  return ['log', '-z', '--first-parent', '--diff-merges=first-parent', '--no-ext-diff', '--no-textconv', '-O/dev/null', LOG_FORMAT, ...changes, `-n${limit}`, revision, '--'];
}

/**
 * Blobs git's rename detection will read in the history window: the added and deleted files of each
 * commit that both adds and deletes (minus exact renames, which git pairs by object id alone). A
 * repository missing blobs (a partial clone) must hold these before the history is read.
 */
export async function renameCandidates(repo: GitRepo, revision: string, limit: number): Promise<string[]> {
  const result = await repo.run(historyArgs(revision, limit, ['--raw', '--no-renames', '--no-abbrev']).map((a) => (a === LOG_FORMAT ? '--format=%x00%H' : a)));
  if (result.code !== 0) throw new SourceError(`reading the history's changes failed: ${result.stderr}`);
  const wanted = new Set<string>();
  const flush = (added: string[], deleted: string[]) => {
    if (added.length === 0 || deleted.length === 0) return;
    const both = new Set(added.filter((oid) => deleted.includes(oid)));
    for (const oid of [...added, ...deleted]) if (!both.has(oid)) wanted.add(oid);
  };
  let added: string[] = [];
  let deleted: string[] = [];
  const tokens = result.stdout.toString('utf8').split('\0');
  for (let i = 0; i < tokens.length; i++) {
    const line = tokens[i]!.replace(/^\n+/, '');
    // ":100644 000000 <old> <new> D", then the path as its own token (which may look like anything).
    const raw = /^:(\d{6}) (\d{6}) ([0-9a-f]+) ([0-9a-f]+) ([A-Z])\d*$/.exec(line);
    if (raw) {
      i++;
      if (raw[5] === 'A' && raw[2] !== '160000') added.push(raw[4]!);
      if (raw[5] === 'D' && raw[1] !== '160000') deleted.push(raw[3]!);
    } else if (OID.test(line)) {
      flush(added, deleted);
      added = [];
      deleted = [];
    }
  }
  flush(added, deleted);
  return [...wanted];
}

export interface ReadOptions {
  /**
   * `listed`: sizes come from `ls-tree -l` (every object is on disk). `fetched`: the repository holds
   * only some blobs (a blobless partial clone), so the file list is read without sizes (which would
   * fetch every blob, one request each) and the size of a read file is known once it is fetched.
   */
  sizes: 'listed' | 'fetched';
  /** Called once with every blob the read will need, before any is read: a partial clone fetches them in one batch. */
  prefetch?: (oids: string[]) => Promise<void>;
  /**
   * `repository`: a shallow repository's history is said to be truncated (a shallow local clone).
   * `window`: only when the commits read reach the shallow boundary (a cache fetched to the depth needed).
   */
  shallow: 'repository' | 'window';
  /** The commit `revision` names, when the caller already knows it and its date. */
  known?: KnownCommit;
}

export interface CommitFacts {
  head: { oid: string; date: string };
  files: FileEntry[];
  contents: Map<string, ReadResult>;
  historyComplete: boolean;
  commits: Commit[];
  problems: string[];
}

/** Where each repository keeps its shallow file: asked once per repository and process (a backfill reads each many times). */
const shallowFiles = new Map<string, Promise<string>>();

/** Where a repository keeps its shallow file (as `git rev-parse --git-path shallow` printed it), learnt while looking for repositories. */
export function rememberShallowFile(cwd: string, file: string): void {
  if (file) shallowFiles.set(cwd, Promise.resolve(file));
}

async function shallowBoundary(repo: GitRepo): Promise<Set<string>> {
  let where = shallowFiles.get(repo.cwd);
  if (!where) {
    where = repo.gitDir ? Promise.resolve(path.join(repo.gitDir, 'shallow')) : gitOk(repo, ['rev-parse', '--git-path', 'shallow'], 'checking for a shallow clone').then((out) => out.trim());
    // A failure is not remembered: the next read asks again.
    where.catch(() => shallowFiles.delete(repo.cwd));
    if (!repo.gitDir) shallowFiles.set(repo.cwd, where);
  }
  const file = await where;
  const text = await readFile(path.resolve(repo.cwd, file), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  return new Set(text.split('\n').filter((l) => OID.test(l)));
}

/** Everything a snapshot holds, read at `revision` (a commit id or a ref). */
export async function readCommit(repo: GitRepo, revision: string, needs: SnapshotNeeds, options: ReadOptions, problems: string[] = []): Promise<CommitFacts> {
  const headLine = options.known ? '' : (await gitOk(repo, ['log', '-1', '--no-show-signature', '--format=%H%x00%cI', revision, '--'], 'reading the head commit')).trim();
  const [headOid = '', headDate = ''] = options.known ? [options.known.oid, options.known.date] : headLine.split('\0');
  const listArgs = options.sizes === 'listed' ? ['ls-tree', '-r', '-l', '-z', '--full-tree', headOid] : ['ls-tree', '-r', '-z', '--full-tree', headOid];
  const files = parseLsTree(Buffer.from(await gitOk(repo, listArgs, 'listing files'), 'utf8'));

  const wanted = compilePatterns(needs.readPatterns);
  const contents = new Map<string, ReadResult>();
  const toFetch: FileEntry[] = [];
  for (const file of files) {
    if (file.kind !== 'file' || !wanted(file.path)) continue;
    if (options.sizes === 'listed' && file.size > needs.maxFileBytes) {
      contents.set(file.path, { ok: false, reason: 'too-large', detail: `${file.size} bytes, limit ${needs.maxFileBytes}` });
    } else toFetch.push(file);
  }
  const oids = [...new Set(toFetch.map((f) => f.oid))];
  if (options.prefetch) {
    const forHistory = needs.history ? await renameCandidates(repo, headOid, needs.historyLimit) : [];
    await options.prefetch([...new Set([...oids, ...forHistory])]);
  }
  const blobs = await readBlobs(repo, oids);
  for (const file of toFetch) {
    const blob = blobs.get(file.oid);
    if (blob === undefined || blob === 'missing') {
      contents.set(file.path, { ok: false, reason: 'missing-object', detail: file.oid });
      problems.push(`could not read ${file.path}: git object ${file.oid} is missing`);
      continue;
    }
    if (options.sizes === 'fetched') {
      file.size = blob.length;
      if (blob.length > needs.maxFileBytes) {
        contents.set(file.path, { ok: false, reason: 'too-large', detail: `${blob.length} bytes, limit ${needs.maxFileBytes}` });
        continue;
      }
    }
    contents.set(file.path, decodeBlob(blob));
  }

  let commits: Commit[] = [];
  let historyComplete = false;
  if (needs.history) {
    const boundary = await shallowBoundary(repo);
    if (options.shallow === 'repository' && boundary.size > 0) problems.push('shallow clone: commit history is truncated');
    const log = await repo.run(historyArgs(headOid, needs.historyLimit, ['--name-status']));
    if (log.code === 0) {
      commits = parseLog(log.stdout);
      const cut = options.shallow === 'window' && commits.some((c) => boundary.has(c.oid));
      if (cut) problems.push(`commit history is truncated: the cached copy holds fewer than ${needs.historyLimit} commits of it`);
      historyComplete = boundary.size === 0 ? commits.length < needs.historyLimit : options.shallow === 'window' && !cut && commits.length < needs.historyLimit;
    } else {
      problems.push(`commit history could not be read: ${log.stderr}`);
    }
  }
  return { head: { oid: headOid, date: headDate }, files, contents, historyComplete, commits, problems };
}
