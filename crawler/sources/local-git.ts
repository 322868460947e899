// Local git repositories, read only through git plumbing: never the work tree, so symlinks
// and uncommitted files cannot leak into a result.
import { spawn } from 'node:child_process';
import { glob, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Commit, FileEntry, ReadResult } from '../../checks/contract.ts';
import { decodeBlob } from './decode.ts';
import { buildSnapshot, compilePatterns } from './snapshot.ts';
import { NoCommitAtDateError, SourceError, type RepoRef, type RepoSource, type SnapshotNeeds } from './types.ts';

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

function runGit(gitDir: string, args: string[], input?: Buffer): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: gitDir,
      // Never walk up into an enclosing repository, never prompt, never page.
      env: { ...process.env, GIT_CEILING_DIRECTORIES: path.dirname(gitDir), GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', LC_ALL: 'C' },
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

async function isGitRepository(dir: string): Promise<boolean> {
  const result = await runGit(dir, ['rev-parse', '--absolute-git-dir']);
  if (result.code !== 0) return false;
  const gitDir = result.stdout.toString('utf8').trim();
  return gitDir === path.join(dir, '.git') || gitDir === dir;
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

export function parseLog(output: Buffer): Commit[] {
  const commits: Commit[] = [];
  for (const chunk of output.toString('utf8').split('\x1e')) {
    if (!chunk) continue;
    const headerEnd = chunk.indexOf('\x1f\0');
    const header = headerEnd >= 0 ? chunk.slice(0, headerEnd) : chunk;
    const [oid = '', date = '', authorName = '', ...messageParts] = header.split('\x1f');
    const tokens = headerEnd >= 0 ? chunk.slice(headerEnd + 2).replace(/^\n/, '').split('\0') : [];
    const files: Commit['files'] = [];
    for (let i = 0; i < tokens.length; ) {
      const status = tokens[i++];
      if (!status) continue;
      const change = status[0] as Commit['files'][number]['change'];
      if (change === 'R' || change === 'C') {
        const previousPath = tokens[i++] ?? '';
        files.push({ path: tokens[i++] ?? '', change, previousPath });
      } else {
        files.push({ path: tokens[i++] ?? '', change });
      }
    }
    commits.push({ oid, date, authorName, message: messageParts.join('\x1f').trim(), files });
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

  constructor(options: LocalSourceOptions) {
    this.options = options;
    this.description = `local git (${options.paths.join(', ')})`;
  }

  async list(): Promise<RepoRef[]> {
    const candidates = new Set<string>();
    for (const pattern of this.options.paths) {
      const absolute = path.resolve(this.options.baseDir, pattern);
      for await (const match of glob(absolute)) {
        const info = await stat(match).catch(() => null);
        if (info?.isDirectory()) candidates.add(path.resolve(match));
      }
    }
    const refs: RepoRef[] = [];
    for (const dir of [...candidates].sort()) {
      if (!(await isGitRepository(dir))) continue;
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

  async snapshot(ref: RepoRef, needs: SnapshotNeeds) {
    const dir = ref.location;
    const problems: string[] = [];
    const { branch, revision: branchRevision } = await this.resolveDefaultBranch(dir);
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
      const log = await runGit(dir, ['log', '-z', '--first-parent', '--diff-merges=first-parent', '--format=%x1e%H%x1f%cI%x1f%an%x1f%B%x1f', '--name-status', `-n${needs.historyLimit}`, revision, '--']);
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

  /** The remote's default branch when the clone knows it, else the checked-out branch. */
  private async resolveDefaultBranch(dir: string): Promise<{ branch: string; revision: string }> {
    const remoteHead = await runGit(dir, ['symbolic-ref', '-q', '--short', 'refs/remotes/origin/HEAD']);
    if (remoteHead.code === 0) {
      const remoteRef = remoteHead.stdout.toString('utf8').trim(); // origin/main
      const branch = remoteRef.replace(/^origin\//, '');
      const local = await runGit(dir, ['rev-parse', '-q', '--verify', `refs/heads/${branch}^{commit}`]);
      return { branch, revision: local.code === 0 ? `refs/heads/${branch}` : `refs/remotes/${remoteRef}` };
    }
    const head = await runGit(dir, ['symbolic-ref', '-q', '--short', 'HEAD']);
    if (head.code === 0) return { branch: head.stdout.toString('utf8').trim(), revision: 'HEAD' };
    const detached = await runGit(dir, ['rev-parse', '-q', '--verify', 'HEAD^{commit}']);
    if (detached.code !== 0) throw new SourceError('the repository has no commits');
    return { branch: 'HEAD', revision: 'HEAD' };
  }
}
