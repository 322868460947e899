// Git for the calibration harness, on repositories nobody here wrote: nothing a repository (or a
// clone someone else left in a folder) configures may run, and only local paths and https are spoken.
import { spawn } from 'node:child_process';
import { readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Command-line configuration wins over every configuration file, so these hold whatever a
 * repository's .git/config says: no hooks, no fsmonitor program, no credential helper or askpass
 * program, no transport but local files and https, no submodules.
 */
export const SAFE_GIT_CONFIG: readonly string[] = [
  'core.hooksPath=/dev/null',
  'core.fsmonitor=false',
  'protocol.allow=never',
  'protocol.file.allow=always',
  'protocol.https.allow=always',
  'submodule.recurse=false',
  'credential.helper=',
  'core.askPass=',
  'advice.detachedHead=false',
].flatMap((setting) => ['-c', setting]);

// Inherited from a git hook or a caller's shell, these would point every command at another repository.
const REPOSITORY_ENV = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_COMMON_DIR', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_NAMESPACE', 'GIT_ASKPASS', 'SSH_ASKPASS', 'GIT_SSH', 'GIT_SSH_COMMAND', 'GIT_EXEC_PATH', 'GIT_CONFIG_PARAMETERS', 'GIT_CONFIG_COUNT'];

export function safeGitEnv(cwd: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of REPOSITORY_ENV) delete env[name];
  for (const name of Object.keys(env)) if (/^GIT_CONFIG_(KEY|VALUE)_\d+$/.test(name)) delete env[name];
  return {
    ...env,
    // Never walk up into an enclosing repository, never prompt, never page, never run git-lfs downloads.
    GIT_CEILING_DIRECTORIES: path.dirname(path.resolve(cwd)),
    GIT_TERMINAL_PROMPT: '0',
    GIT_PAGER: 'cat',
    GIT_LFS_SKIP_SMUDGE: '1',
    LC_ALL: 'C',
  };
}

export interface GitResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function git(cwd: string, args: readonly string[], options: { timeoutMs?: number } = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...SAFE_GIT_CONFIG, ...args], { cwd, env: safeGitEnv(cwd), stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8').trim();
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: signal === 'SIGKILL' && options.timeoutMs ? `${stderr}\ngit ${args[0]} killed after ${Math.round(options.timeoutMs / 1000)} s`.trim() : stderr });
    });
  });
}

export class GitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GitError';
  }
}

export async function gitOk(cwd: string, args: readonly string[], what: string, options: { timeoutMs?: number } = {}): Promise<string> {
  const result = await git(cwd, args, options);
  if (result.code !== 0) throw new GitError(`${what}: ${result.stderr.split('\n').filter(Boolean).slice(-3).join(' ') || `git exited ${result.code}`}`);
  return result.stdout;
}

/** Whether `dir` is itself a repository (a work tree's top or a bare repository), not a folder inside one; why not when git refused it. */
export async function repositoryRoot(dir: string): Promise<{ ok: true } | { ok: false; refused?: string }> {
  const result = await git(dir, ['rev-parse', '--is-bare-repository', '--absolute-git-dir']);
  if (result.code !== 0) {
    // A plain folder is expected; anything else (ownership, corruption) deserves to be said.
    return /not a git repository/i.test(result.stderr) ? { ok: false } : { ok: false, refused: result.stderr.split('\n')[0] || `git exited ${result.code}` };
  }
  const [bare = '', gitDir = ''] = result.stdout.trim().split('\n');
  const real = realpathSync(dir);
  if (bare === 'true') return realpathSync(gitDir) === real ? { ok: true } : { ok: false };
  // --show-toplevel fails in a bare repository, so it is asked only of work trees.
  const top = await git(dir, ['rev-parse', '--show-toplevel']);
  return top.code === 0 && realpathSync(top.stdout.trim()) === real ? { ok: true } : { ok: false };
}

export async function hasCommit(dir: string, commit: string): Promise<boolean> {
  return (await git(dir, ['cat-file', '-e', `${commit}^{commit}`])).code === 0;
}

/** The committer date git records for a commit, as `git log --format=%cI` prints it. */
export async function commitDate(dir: string, commit: string): Promise<string> {
  return (await gitOk(dir, ['log', '-1', '--format=%cI', commit, '--'], `reading the date of ${commit.slice(0, 12)}`)).trim();
}

function isDirectory(p: string): boolean {
  return statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/** Entries of `dir` whose name equals `name` ignoring case (GitHub names are case-insensitive). */
function entriesNamed(dir: string, names: readonly string[]): string[] {
  if (!isDirectory(dir)) return [];
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  return readdirSync(dir)
    .filter((entry) => wanted.has(entry.toLowerCase()))
    .sort()
    .map((entry) => path.join(dir, entry));
}

/**
 * Folders under `roots` that may hold a copy of `owner/name`, most specific first: `owner__name`,
 * `owner+name`, `owner/name` (each also with `.git`), and inside any of them that is not itself a
 * repository, its subfolders (mirror roots such as /work/.mirror keep `owner+name/repo`). Partial
 * downloads (`owner+name.part`) are never candidates. Only repository roots are returned.
 */
export async function localCopies(roots: readonly string[], repo: string): Promise<{ copies: string[]; refused: string[] }> {
  const [owner = '', name = ''] = repo.split('/');
  const copies: string[] = [];
  const refused: string[] = [];
  const consider = async (dir: string): Promise<boolean> => {
    const verdict = await repositoryRoot(dir);
    if (verdict.ok) copies.push(dir);
    else if (verdict.refused) refused.push(`${dir}: ${verdict.refused}`);
    return verdict.ok;
  };
  for (const root of roots) {
    const flat = entriesNamed(root, [`${owner}__${name}`, `${owner}__${name}.git`, `${owner}+${name}`, `${owner}+${name}.git`]);
    const nested = entriesNamed(root, [owner]).flatMap((ownerDir) => entriesNamed(ownerDir, [name, `${name}.git`]));
    for (const dir of [...flat, ...nested]) {
      if (!isDirectory(dir) || (await consider(dir))) continue;
      for (const child of readdirSync(dir).sort()) {
        const inner = path.join(dir, child);
        if (isDirectory(inner)) await consider(inner);
      }
    }
  }
  return { copies: [...new Set(copies)], refused };
}
