// The GitHub source's cache of bare repositories, kept from crawl to crawl: a blobless partial clone
// (`--filter=blob:none`) the first time, `git fetch` after that, as deep as the checks need; then
// only the blobs the checks read, fetched in one batch with their ids on stdin (a lazy read of a
// missing blob would cost two requests per blob, so reads never fetch: every read command runs with
// https turned off). Credentials reach git only through the environment (GIT_CONFIG_COUNT), as an
// http.extraHeader scoped to the repository's host: never on a command line, in a URL, in the
// cache repository's config or in a log.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../log.ts';
import { SourceError } from '../sources/types.ts';
import type { GitRepo } from '../git/reader.ts';
import { runGit, type ExtraProtocol, type GitResult } from '../git/run.ts';
import { GitHubHostError } from './client.ts';

export interface GitCacheOptions {
  dir: string;
  /** Transports besides https git may use: http when the API itself is configured over plain http (a test fake). */
  protocols: readonly ExtraProtocol[];
  /** The token to send, asked before each network command (App installation tokens are renewed). */
  token: () => Promise<string>;
  redact: (text: string) => string;
  logger?: Logger;
  retries: number;
  /** Milliseconds per second of back-off; tests shrink it. */
  secondMs: number;
  /** A transfer slower than a byte a second for this long is given up (and retried). */
  stallSeconds: number;
  /** Time left of the crawl's budget; a git command is killed when it runs out. */
  timeLeftMs: () => number;
}

/** cached: the cache already held the head, as deep as needed; nothing was asked. */
export type SyncAction = 'clone' | 'fetch' | 'reclone' | 'cached';

export interface RepoGitStats {
  action: SyncAction;
  /** Clone or fetch, then the blob fetch. */
  ms: number;
  /** Bytes the cache repository grew by (packs received). */
  bytes: number;
  /** Blobs fetched by id. */
  blobs: number;
}

export interface GitCacheStats {
  clones: number;
  fetches: number;
  /** Repositories read from the cache without asking (head already held). */
  cached: number;
  reclones: number;
  blobFetches: number;
  blobs: number;
  /** git network commands run, retries included. */
  commands: number;
  retries: number;
  ms: number;
  bytes: number;
}

/** What the last complete fetch brought, kept beside the repository (Seaworthy's own file; no credentials). */
interface CacheState {
  url: string;
  head: string;
  depth: number | 'full';
}

const STATE_FILE = 'seaworthy-cache.json';

const SAFE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/;

function segment(value: string): string {
  const cleaned = value.replace(/:/g, '_');
  return SAFE_NAME.test(cleaned) && !cleaned.endsWith('.git') ? cleaned : `x-${createHash('sha256').update(value).digest('hex').slice(0, 20)}`;
}

/** A branch name git accepts in a refspec (GitHub's are; anything odd is refused, not passed on). */
const BRANCH = /^(?!-)(?!.*(\.\.|@\{|\/\/|\/\.|\.lock(\/|$)))[^\s:~^?*[\\\x00-\x1f\x7f]+(?<![./])$/;

async function sizeOf(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await sizeOf(full);
    else if (entry.isFile()) total += (await stat(full)).size;
  }
  return total;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class GitCache {
  readonly dir: string;
  readonly stats: GitCacheStats = { clones: 0, fetches: 0, cached: 0, reclones: 0, blobFetches: 0, blobs: 0, commands: 0, retries: 0, ms: 0, bytes: 0 };
  readonly perRepo = new Map<string, RepoGitStats>();
  private readonly options: GitCacheOptions;
  /** Cache repositories (re)cloned by this process and not yet given blobs. */
  private readonly fresh = new Set<string>();

  constructor(options: GitCacheOptions) {
    this.options = options;
    this.dir = options.dir;
  }

  pathFor(host: string, owner: string, name: string): string {
    return path.join(this.dir, segment(host), segment(owner), `${segment(name)}.git`);
  }

  /** A cache repository, for reading: https is off, so a missing object is reported missing, never fetched lazily. */
  reader(dir: string): GitRepo {
    return { cwd: dir, gitDir: dir, run: (args, input) => runGit(args, { cwd: dir, gitDir: dir, input }) };
  }

  /** Bytes the cache folder holds. */
  async diskUsage(): Promise<number> {
    return sizeOf(this.dir);
  }

  private async local(dir: string, args: readonly string[]): Promise<GitResult> {
    return runGit(args, { cwd: dir, gitDir: dir });
  }

  private async create(dir: string, url: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
    await mkdir(path.dirname(dir), { recursive: true });
    const init = await runGit(['init', '--bare', '-q', dir], { cwd: path.dirname(dir) });
    if (init.code !== 0) throw new SourceError(`creating the cache repository failed: ${init.stderr}`);
    // A partial clone whose promisor remote is origin; no credentials here, ever. Written in one go
    // (one process per setting adds up over hundreds of repositories).
    const quote = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
    const config = await readFile(path.join(dir, 'config'), 'utf8');
    await writeFile(
      path.join(dir, 'config'),
      config.replace(/repositoryformatversion = 0/, 'repositoryformatversion = 1') +
        [
          '[extensions]\n\tpartialClone = origin',
          `[remote "origin"]\n\turl = ${quote(url)}\n\tpromisor = true\n\tpartialclonefilter = blob:none`,
          '[gc]\n\tauto = 0',
          '[maintenance]\n\tauto = false',
          // Every fetch lands as one pack: its size is what was received.
          '[fetch]\n\tunpackLimit = 1',
        ].join('\n') +
        '\n',
    );
  }

  private async state(dir: string): Promise<CacheState | undefined> {
    const text = await readFile(path.join(dir, STATE_FILE), 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (text === undefined) return undefined;
    const parsed = JSON.parse(text) as Partial<CacheState>;
    return typeof parsed.url === 'string' && typeof parsed.head === 'string' && (parsed.depth === 'full' || typeof parsed.depth === 'number') ? (parsed as CacheState) : undefined;
  }

  /** The cache repository holds a complete fetch for `url` (not one left half-made by a killed crawl). */
  private async usable(dir: string, url: string): Promise<boolean> {
    const state = await this.state(dir);
    if (!state) return false;
    if (state.url !== url) {
      // The repository moved (renamed, transferred): same objects, new address.
      const set = await this.local(dir, ['config', 'remote.origin.url', url]);
      return set.code === 0;
    }
    return true;
  }

  /** `git fsck --connectivity-only` after a failure: false when the cache repository itself is broken. */
  async healthy(dir: string): Promise<boolean> {
    const fsck = await this.local(dir, ['fsck', '--connectivity-only', '--no-progress', '--no-dangling']);
    return fsck.code === 0;
  }

  private async credentials(url: string): Promise<[string, string][]> {
    const token = await this.options.token();
    const header = `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
    // Scoped to the repository's origin: a redirect elsewhere never carries it.
    return [[`http.${new URL(url).origin}/.extraHeader`, header]];
  }

  /** A network git command, retried on server and network failures within the retries and the time budget. */
  private async remote(dir: string, url: string, args: readonly string[], what: string, input?: string): Promise<void> {
    let attempt = 0;
    for (;;) {
      const left = this.options.timeLeftMs();
      if (left <= 0) throw new GitHubHostError('budget', `${what}: the crawl's time budget is used up`);
      this.stats.commands++;
      const result = await runGit(args, {
        cwd: dir,
        gitDir: dir,
        input,
        protocols: this.options.protocols,
        secretConfig: await this.credentials(url),
        config: [
          ['http.lowSpeedLimit', '1'],
          ['http.lowSpeedTime', String(Math.max(1, Math.ceil(this.options.stallSeconds)))],
        ],
        timeoutMs: left,
      });
      if (result.code === 0) return;
      const stderr = this.options.redact(result.stderr.replace(/^(hint|remote): .*$/gm, '').trim()).split('\n').filter(Boolean).slice(-3).join(' / ');
      const reason = result.timedOut ? 'stopped at the end of the crawl\'s time budget' : stderr || `git exited ${result.code}`;
      const auth = /terminal prompts disabled|could not read (Username|Password)|Authentication failed|error: 401|returned error: 40[13]/i.test(result.stderr);
      const missing = /returned error: 404|repository .* not found|not found/i.test(result.stderr) && !auth;
      if (auth) throw new GitHubHostError('auth', `${what}: GitHub refused the credentials for git (${reason})`);
      if (missing) throw new GitHubHostError('not-found', `${what}: ${reason}`);
      if (result.timedOut || attempt >= this.options.retries) throw new GitHubHostError(result.timedOut ? 'budget' : 'server', `${what}: ${reason}${attempt > 0 ? ` (after ${attempt + 1} attempts)` : ''}`);
      attempt++;
      this.stats.retries++;
      this.options.logger?.warn('git fetch failed; trying again', { what, attempt, error: reason });
      await sleep(Math.min(attempt * attempt * this.options.secondMs, Math.max(0, this.options.timeLeftMs() - 1)));
    }
  }

  /** The cache repository's head is `head`, fetched at least `depth` deep (or with all its history). */
  private async holds(dir: string, head: string, depth: number | 'full'): Promise<boolean> {
    const state = await this.state(dir);
    if (!state || state.head !== head) return false;
    return state.depth === 'full' || (depth !== 'full' && state.depth >= depth);
  }

  private async shallow(dir: string): Promise<boolean> {
    return stat(path.join(dir, 'shallow')).then(() => true, () => false);
  }

  /**
   * Brings the cache repository of `url` up to the head of `branch`, with commits and trees `depth`
   * deep ("full": all of them) and no blobs. A failure of a repository the cache already held is
   * checked with fsck; a broken one is deleted and cloned again once.
   */
  async sync(key: string, url: string, branch: string, depth: number | 'full', options: { head?: string; fresh?: boolean } = {}): Promise<{ dir: string; tip: string; action: SyncAction }> {
    if (!BRANCH.test(branch)) throw new SourceError(`the default branch name ${JSON.stringify(branch)} is not one git accepts in a fetch`);
    const [host, owner, name] = key.split('/') as [string, string, string];
    const dir = this.pathFor(host, owner, name);
    const started = performance.now();
    const head = options.head;
    // fresh: the copy was found broken after it was fetched (reading it failed, fsck agreed); start over.
    if (options.fresh) await rm(dir, { recursive: true, force: true });
    const before = await sizeOf(dir);
    let action: SyncAction = options.fresh ? 'reclone' : (await this.usable(dir, url)) ? 'fetch' : 'clone';
    // Already holding that head, as deep as needed (re-judged after a configuration change): nothing to ask.
    if (action === 'fetch' && head && (await this.holds(dir, head, depth))) {
      this.perRepo.set(key, { action: 'cached', ms: performance.now() - started, bytes: 0, blobs: 0 });
      this.stats.cached++;
      return { dir, tip: head, action: 'cached' };
    }
    const fetch = async () => {
      if (action !== 'fetch') await this.create(dir, url);
      const deepen = depth === 'full' ? ((await this.shallow(dir)) ? ['--unshallow'] : []) : [`--depth=${depth}`];
      await this.remote(dir, url, ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--recurse-submodules=no', '--filter=blob:none', ...deepen, 'origin', `+refs/heads/${branch}:refs/seaworthy/head`], `${action === 'fetch' ? 'fetching' : 'cloning'} ${owner}/${name}`);
    };
    try {
      await fetch();
    } catch (error) {
      if (action !== 'fetch' || !(error instanceof GitHubHostError) || error.problem === 'auth' || error.problem === 'budget' || (await this.healthy(dir))) throw error;
      this.options.logger?.warn('the cached copy of a repository is damaged; cloning it again', { repo: `${owner}/${name}`, error: error.message });
      action = 'reclone';
      await fetch();
    }
    const tip = (await this.local(dir, ['rev-parse', '--verify', '-q', 'refs/seaworthy/head^{commit}'])).stdout.toString('utf8').trim();
    if (!tip) throw new SourceError(`${owner}/${name}: the fetch brought no commit for ${branch}`);
    const kept = await this.state(dir);
    // After a fetch at a depth, the history is that deep from the new head (an older, deeper fetch does not count).
    const state: CacheState = { url, head: tip, depth: depth === 'full' || kept?.depth === 'full' ? 'full' : depth };
    await writeFile(path.join(dir, STATE_FILE), JSON.stringify(state) + '\n');
    if (action !== 'fetch') this.fresh.add(dir);
    const ms = performance.now() - started;
    const bytes = Math.max(0, (await sizeOf(dir)) - before);
    if (action === 'clone') this.stats.clones++;
    else if (action === 'reclone') this.stats.reclones++;
    else this.stats.fetches++;
    this.stats.ms += ms;
    this.stats.bytes += bytes;
    this.perRepo.set(key, { action, ms, bytes, blobs: 0 });
    return { dir, tip, action };
  }

  /** The blobs `oids` not yet in the cache repository, in one fetch (ids on stdin), as git's own partial clone asks for them. */
  async fetchBlobs(key: string, dir: string, url: string, oids: readonly string[]): Promise<void> {
    if (oids.length === 0) return;
    // A repository cloned in this crawl holds no blob yet: nothing to look for.
    const present = this.fresh.has(dir) ? new Set<string>() : await this.present(dir, oids);
    this.fresh.delete(dir);
    const missing = oids.filter((oid) => !present.has(oid));
    if (missing.length === 0) return;
    const started = performance.now();
    const before = await sizeOf(path.join(dir, 'objects'));
    await this.remote(dir, url, ['-c', 'fetch.negotiationAlgorithm=noop', 'fetch', '--quiet', 'origin', '--no-tags', '--no-write-fetch-head', '--recurse-submodules=no', '--filter=blob:none', '--stdin'], `fetching ${missing.length} files of ${key.split('/').slice(1).join('/')}`, missing.join('\n') + '\n');
    const ms = performance.now() - started;
    const bytes = Math.max(0, (await sizeOf(path.join(dir, 'objects'))) - before);
    this.stats.blobFetches++;
    this.stats.blobs += missing.length;
    this.stats.ms += ms;
    this.stats.bytes += bytes;
    const repo = this.perRepo.get(key);
    if (repo) Object.assign(repo, { ms: repo.ms + ms, bytes: repo.bytes + bytes, blobs: repo.blobs + missing.length });
  }

  /** Which of `oids` the cache repository holds (asked without ever fetching). */
  private async present(dir: string, oids: readonly string[]): Promise<Set<string>> {
    const wanted = new Set(oids);
    const listed = await this.local(dir, ['cat-file', '--batch-all-objects', '--batch-check=%(objectname)', '--unordered']);
    if (listed.code !== 0) throw new SourceError(`listing the cached objects failed: ${listed.stderr}`);
    const present = new Set<string>();
    for (const line of listed.stdout.toString('utf8').split('\n')) if (wanted.has(line)) present.add(line);
    return present;
  }

}
