// Repositories of a GitHub organisation (github.com or Enterprise Server): content and history
// over git, the API only for what only the API knows. Produces the same RepoSnapshot as the local
// source (the same git reader builds it) plus pull requests and team ownership.
//
// Spending per crawl: discovery pages (1 point per 100 repositories, heads included, so unchanged
// repositories are recognised for free and cost nothing more), then per batch of repositories one
// GraphQL query for their pull requests (50 repositories a point), and per changed repository a
// fetch into the cache of partial clones (crawler/github/git-cache.ts): commits and trees as deep as
// the checks need, then the blobs the checks read, in one request.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import type { PullRequest, RepoSnapshot } from '../../checks/contract.ts';
import { ConfigError, type GitHubSourceConfig } from '../config.ts';
import { GitHubClient, GitHubHostError, type GitHubAuth, type GitHubClientOptions, type GraphQLErrorEntry } from '../github/client.ts';
import { GitCache, type GitCacheStats, type RepoGitStats } from '../github/git-cache.ts';
import { HEADS_QUERY, TEAMS_QUERY, TEAM_REPOS_QUERY, discoveryQuery, pullRequestsQuery, type PullRequestsShape } from '../github/queries.ts';
import { commitAt, readCommit, type CommitFacts } from '../git/reader.ts';
import type { Logger } from '../log.ts';
import { ownershipReads } from '../ownership.ts';
import { buildSnapshot } from './snapshot.ts';
import { NoCommitAtDateError, SourceError, type RepoRef, type RepoSource, type SnapshotNeeds, type SourceUsage } from './types.ts';
import { httpUrl } from './url.ts';

export interface GitHubSourceOptions {
  config: GitHubSourceConfig;
  configDir: string;
  /** The folder of cached repositories (absolute); the configuration's cacheDir wins. */
  cacheDir: string;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Repositories per GraphQL batch query. */
  batchSize?: number;
  /** Test hooks: faster back-off, another fetch. */
  client?: Partial<Pick<GitHubClientOptions, 'secondMs' | 'fetch' | 'graphqlIntervalMs' | 'restConcurrency' | 'installationTokenTtlMs'>>;
}

interface Head {
  oid: string;
  date: string;
  branch: string;
}

interface Discovered {
  id: string;
  head: Head | null;
  /** The repository's address as the API gave it (checked: http(s), on this GitHub's host). */
  url: string | null;
}

interface RawHead {
  name: string;
  target: { oid: string; committedDate?: string } | null;
}

interface RepoPage {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: ({ id: string; name: string; url: string; isArchived: boolean; isFork: boolean; isTemplate: boolean; isEmpty: boolean; visibility: string; owner: { login: string }; repositoryTopics?: { nodes: { topic: { name: string } }[] }; defaultBranchRef: RawHead | null } | null)[];
}

type Page = { organization: { repositories: RepoPage } | null };

interface RawPullRequest {
  number: number;
  title: string;
  body: string;
  state: 'OPEN' | 'CLOSED' | 'MERGED';
  createdAt: string;
  mergedAt: string | null;
  url: string;
  author: { __typename: string; login: string } | null;
  mergeCommit?: { oid: string } | null;
}

interface RawRepo {
  merged?: { nodes: (RawPullRequest | null)[] | null };
  open?: { nodes: (RawPullRequest | null)[] | null };
}

/** A repository's answer in a pull-request batch, with what GitHub left out of it. */
interface PullRequestFacts {
  raw: RawRepo;
  problems: string[];
}

export interface GitUsage extends GitCacheStats {
  cacheDir: string;
  cacheBytes: number;
  perRepository: ({ repo: string } & RepoGitStats)[];
}

function resolveAuth(config: GitHubSourceConfig, configDir: string, env: NodeJS.ProcessEnv): GitHubAuth {
  const auth = config.auth;
  if ('app' in auth) {
    const app = auth.app;
    let privateKey: string | undefined;
    if (app.privateKeyFile) {
      const file = path.resolve(configDir, app.privateKeyFile);
      try {
        privateKey = readFileSync(file, 'utf8');
      } catch (error) {
        throw new ConfigError(`sources: github ${config.org}: cannot read the App's private key file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
      }
    } else if (app.privateKeyEnv) {
      privateKey = env[app.privateKeyEnv];
      if (!privateKey) throw new ConfigError(`sources: github ${config.org}: environment variable ${app.privateKeyEnv} (the App's private key) is not set`);
    }
    if (!privateKey?.includes('PRIVATE KEY')) throw new ConfigError(`sources: github ${config.org}: the App's private key is not a PEM private key`);
    let appId = app.appId;
    if (app.appIdEnv) {
      appId = env[app.appIdEnv]?.trim();
      if (!appId || !/^\d+$/.test(appId)) throw new ConfigError(`sources: github ${config.org}: environment variable ${app.appIdEnv} (the App id) is ${appId ? 'not a number' : 'not set'}`);
    }
    return { appId: appId!, privateKey, installationId: app.installationId, org: config.org };
  }
  const token = env[auth.tokenEnv];
  if (!token) throw new ConfigError(`sources: github ${config.org}: environment variable ${auth.tokenEnv} is not set; export a token in it, or configure auth.app (see README "Token or GitHub App?")`);
  return { token: token.trim() };
}

/** The web host repositories live on: api.github.com → github.com, api.acme.ghe.com → acme.ghe.com, GHES as is. */
function hostOf(apiUrl: string): string {
  const host = new URL(apiUrl).host;
  return host === 'api.github.com' || /^api\.[^.]+\.ghe\.com$/.test(host) ? host.slice(4) : host;
}

function headOf(raw: RawHead | null | undefined): Head | null {
  if (!raw?.target?.oid) return null;
  return { oid: raw.target.oid, date: raw.target.committedDate ?? '', branch: raw.name };
}

function botLogin(author: RawPullRequest['author']): string {
  if (!author) return 'ghost';
  // GraphQL names an App "renovate"; the rest of GitHub (and our checks) say "renovate[bot]".
  return author.__typename === 'Bot' && !author.login.endsWith('[bot]') ? `${author.login}[bot]` : author.login;
}

function toPullRequest(raw: RawPullRequest, files: string[]): PullRequest {
  return {
    number: raw.number,
    title: raw.title,
    body: raw.body ?? '',
    state: raw.state === 'MERGED' ? 'merged' : raw.state === 'OPEN' ? 'open' : 'closed',
    mergedAt: raw.mergedAt,
    createdAt: raw.createdAt,
    author: botLogin(raw.author),
    files,
    ...(raw.mergeCommit?.oid ? { mergeCommit: raw.mergeCommit.oid } : {}),
    ...(httpUrl(raw.url) ? { url: raw.url } : {}),
  };
}

/** Errors GraphQL reported for alias `r<i>` (a repository NOT_FOUND or FORBIDDEN inside a batch). */
function errorsFor(errors: GraphQLErrorEntry[], alias: string): GraphQLErrorEntry[] {
  return errors.filter((e) => e.path?.[0] === alias);
}

function repoError(errors: GraphQLErrorEntry[], what: string): GitHubHostError {
  const first = errors[0]!;
  const problem = first.type === 'NOT_FOUND' ? 'not-found' : first.type === 'FORBIDDEN' ? 'forbidden' : 'server';
  return new GitHubHostError(problem, `${what}: ${first.type ? `${first.type}: ` : ''}${first.message}`);
}

export class GitHubSource implements RepoSource {
  readonly description: string;
  readonly ownership: GitHubSourceConfig['ownership'];
  readonly client: GitHubClient;
  readonly cache: GitCache;
  private readonly config: GitHubSourceConfig;
  private readonly logger?: Logger;
  private readonly batchSize: number;
  private readonly host: string;
  private readonly origin: string;
  private readonly discovered = new Map<string, Discovered>();
  private plan: { refs: RepoRef[]; index: Map<string, number>; needs: SnapshotNeeds; started: Set<string> } | undefined;
  private readonly loads = new Map<string, Promise<Map<string, PullRequestFacts | Error>>>();
  private teams: Promise<Map<string, string[]>> | undefined;

  constructor(options: GitHubSourceOptions) {
    this.config = options.config;
    this.logger = options.logger;
    this.batchSize = options.batchSize ?? 50;
    this.host = hostOf(options.config.apiUrl);
    this.origin = `${new URL(options.config.apiUrl).protocol}//${this.host}`;
    this.ownership = options.config.ownership;
    const budget = options.config.budget;
    this.client = new GitHubClient({
      apiUrl: options.config.apiUrl,
      auth: resolveAuth(options.config, options.configDir, options.env ?? process.env),
      logger: options.logger,
      requestTimeoutMs: budget.requestTimeoutSeconds * 1000,
      retries: budget.retries,
      maxRateLimitWaitMs: budget.maxRateLimitWaitMinutes * 60_000,
      budgetMs: budget.maxMinutes * 60_000,
      ...options.client,
    });
    const client = this.client;
    this.cache = new GitCache({
      dir: options.config.cacheDir ? path.resolve(options.configDir, options.config.cacheDir) : options.cacheDir,
      // git goes where the API is: plain http only when the API itself was configured so (a loopback test fake).
      protocols: new URL(options.config.apiUrl).protocol === 'http:' ? ['http'] : [],
      token: () => client.gitToken(),
      redact: client.redact,
      logger: options.logger,
      retries: budget.retries,
      secondMs: options.client?.secondMs ?? 1000,
      stallSeconds: budget.requestTimeoutSeconds,
      timeLeftMs: () => client.timeLeftMs(),
    });
    if (options.config.history.commits !== undefined) {
      options.logger?.warn('sources[].history.commits no longer applies: history is read with git, up to crawl.historyLimit commits', { org: options.config.org });
    }
    this.description = `GitHub organisation ${options.config.org} (${options.config.apiUrl})`;
  }

  usage(): SourceUsage {
    return this.client.usage();
  }

  /** What git cost this crawl: clones, fetches, time and bytes, per repository too, and the cache's size. */
  async gitUsage(): Promise<GitUsage> {
    return {
      cacheDir: this.cache.dir,
      cacheBytes: await this.cache.diskUsage(),
      ...this.cache.stats,
      perRepository: [...this.cache.perRepo].map(([key, stats]) => ({ repo: key.split('/').slice(1).join('/'), ...stats })),
    };
  }

  private keyOf(owner: string, name: string): string {
    return `${this.host}/${owner}/${name}`;
  }

  /** A repository address git may fetch from (with the credentials): http(s), on this GitHub's own host. */
  private cloneUrl(url: string | null): string | undefined {
    if (!url) return undefined;
    const parsed = new URL(url);
    if (`${parsed.protocol}//${parsed.host}` !== this.origin || parsed.username || parsed.password || parsed.search || parsed.hash) return undefined;
    return `${url.replace(/\/+$/, '')}.git`;
  }

  async list(logger?: Logger): Promise<RepoRef[]> {
    const c = this.config;
    const include = c.include.length > 0 ? picomatch(c.include, { nocase: true, dot: true }) : () => true;
    const exclude = c.exclude.length > 0 ? picomatch(c.exclude, { nocase: true, dot: true }) : () => false;
    const topics = new Set(c.topics.map((t) => t.toLowerCase()));
    const query = discoveryQuery(topics.size > 0);
    const refs: RepoRef[] = [];
    const passedOver: Record<string, number> = {};
    const skip = (why: string) => (passedOver[why] = (passedOver[why] ?? 0) + 1);
    let cursor: string | null = null;
    let unreadable = 0;
    do {
      const { data }: { data: Page } = await this.client.graphql<Page>(query, { org: c.org, cursor }, `listing the repositories of ${c.org}`);
      if (!data.organization) throw new SourceError(`GitHub has no organisation "${c.org}" visible to these credentials`);
      const page: RepoPage = data.organization.repositories;
      for (const repo of page.nodes) {
        if (!repo) {
          unreadable++;
          continue;
        }
        if (repo.isArchived && !c.archived) skip('archived');
        else if (repo.isFork && !c.forks) skip('fork');
        else if (repo.isTemplate && !c.templates) skip('template');
        else if (!c.visibility.includes(repo.visibility.toLowerCase() as 'public')) skip(`visibility ${repo.visibility.toLowerCase()}`);
        else if (topics.size > 0 && !(repo.repositoryTopics?.nodes ?? []).some((t) => topics.has(t.topic.name.toLowerCase()))) skip('no matching topic');
        else if (!include(repo.name) || exclude(repo.name)) skip('name filter');
        else if (repo.isEmpty || !repo.defaultBranchRef) skip('empty (no commits)');
        else {
          const owner = repo.owner.login;
          const key = this.keyOf(owner, repo.name);
          // An address from the API is data: only http(s) is kept (a link on the site, and where git fetches from).
          const url = httpUrl(repo.url) ?? null;
          if (!url) (logger ?? this.logger)?.warn('GitHub gave a repository address that is not http(s); it is not linked or fetched', { repo: `${owner}/${repo.name}` });
          this.discovered.set(key, { id: repo.id, head: headOf(repo.defaultBranchRef), url });
          refs.push({ key, host: this.host, owner, name: repo.name, location: repo.id, ...(url ? { webUrl: url } : {}) });
        }
      }
      cursor = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (cursor);
    for (const [why, count] of Object.entries(passedOver)) (logger ?? this.logger)?.info('GitHub repositories passed over', { org: c.org, reason: why, count });
    if (unreadable > 0) (logger ?? this.logger)?.warn('GitHub listed repositories it would not describe; they are left out', { org: c.org, count: unreadable });
    return refs;
  }

  /** Heads come with discovery; refs not discovered in this process are asked 100 at a time. */
  async heads(refs: RepoRef[]): Promise<Map<string, string | null>> {
    const heads = new Map<string, string | null>();
    const unknown: RepoRef[] = [];
    for (const ref of refs) {
      const known = this.discovered.get(ref.key);
      if (known) heads.set(ref.key, known.head?.oid ?? null);
      else unknown.push(ref);
    }
    for (let i = 0; i < unknown.length; i += 100) {
      const chunk = unknown.slice(i, i + 100);
      const { data } = await this.client.graphql<{ nodes: ({ id: string; defaultBranchRef: RawHead | null } | null)[] }>(HEADS_QUERY, { ids: chunk.map((r) => r.location) }, 'checking default-branch heads');
      chunk.forEach((ref, j) => {
        const node = data.nodes?.[j];
        const head = headOf(node?.defaultBranchRef);
        if (node) this.discovered.set(ref.key, { id: node.id, head, url: this.discovered.get(ref.key)?.url ?? (ref.webUrl ? (httpUrl(ref.webUrl) ?? null) : null) });
        heads.set(ref.key, head?.oid ?? null);
      });
    }
    return heads;
  }

  prepare(refs: RepoRef[], needs: SnapshotNeeds): void {
    this.plan = { refs, index: new Map(refs.map((r, i) => [r.key, i])), needs, started: new Set() };
  }

  async hostTeams(ref: RepoRef): Promise<string[]> {
    this.teams ??= this.loadTeams();
    return (await this.teams).get(ref.location) ?? [];
  }

  /** repository id → team slugs with admin, then maintain permission. */
  private async loadTeams(): Promise<Map<string, string[]>> {
    type Edge = { permission: string; node: { id: string } | null };
    type Conn = { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Edge[] | null };
    const grants: { slug: string; repo: string; rank: number }[] = [];
    const add = (slug: string, edges: Edge[] | null) => {
      for (const e of edges ?? []) {
        const rank = e.permission === 'ADMIN' ? 0 : e.permission === 'MAINTAIN' ? 1 : -1;
        if (rank >= 0 && e.node) grants.push({ slug, repo: e.node.id, rank });
      }
    };
    let cursor: string | null = null;
    type TeamsPage = { organization: { teams: { pageInfo: Conn['pageInfo']; nodes: { slug: string; repositories: Conn }[] } } | null };
    // Ownership from a partial team list would be wrong without a word: a refused page fails the lot.
    const refused = (errors: GraphQLErrorEntry[], what: string) => {
      if (errors.length === 0) return;
      const error = repoError(errors, what);
      throw new GitHubHostError(error.problem, `${error.message} (reading teams needs the organisation's Members permission)`);
    };
    do {
      const { data, errors }: { data: TeamsPage; errors: GraphQLErrorEntry[] } = await this.client.graphql<TeamsPage>(TEAMS_QUERY, { org: this.config.org, cursor }, `listing the teams of ${this.config.org}`);
      refused(errors, `listing the teams of ${this.config.org}`);
      const teams: NonNullable<TeamsPage['organization']>['teams'] | undefined = data.organization?.teams;
      if (!teams) break;
      for (const team of teams.nodes) {
        add(team.slug, team.repositories.edges);
        let more = team.repositories.pageInfo.hasNextPage ? team.repositories.pageInfo.endCursor : null;
        while (more) {
          const page = await this.client.graphql<{ organization: { team: { repositories: Conn } | null } | null }>(TEAM_REPOS_QUERY, { org: this.config.org, slug: team.slug, cursor: more }, `listing the repositories of team ${team.slug}`);
          refused(page.errors, `listing the repositories of team ${team.slug}`);
          const conn = page.data.organization?.team?.repositories;
          add(team.slug, conn?.edges ?? null);
          more = conn?.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null;
        }
      }
      cursor = teams.pageInfo.hasNextPage ? teams.pageInfo.endCursor : null;
    } while (cursor);
    const byRepo = new Map<string, string[]>();
    grants.sort((a, b) => a.rank - b.rank || a.slug.localeCompare(b.slug));
    for (const g of grants) byRepo.set(g.repo, [...(byRepo.get(g.repo) ?? []), g.slug]);
    return byRepo;
  }

  async snapshot(ref: RepoRef, needs: SnapshotNeeds): Promise<RepoSnapshot> {
    const found = this.discovered.get(ref.key);
    const head = found?.head;
    if (!found || !head) throw new SourceError(`${ref.owner}/${ref.name}: not found when the organisation was listed`);
    const cloneUrl = this.cloneUrl(found.url);
    if (!cloneUrl) throw new SourceError(`${ref.owner}/${ref.name}: GitHub gave no address on ${this.origin} to fetch it from${found.url ? ` (it gave ${JSON.stringify(found.url.slice(0, 200))})` : ''}`);
    // Pull requests first: while GraphQL cannot be asked (budget, rate limit), no git is spent either.
    const prs = this.wantsPullRequests() ? (await this.batchHolding(ref, needs)).get(ref.key) : { raw: {}, problems: [] };
    if (!prs) throw new SourceError(`${ref.owner}/${ref.name} was not in its batch`);
    if (prs instanceof Error) throw prs;

    const depth = needs.asOf ? 'full' : needs.history ? needs.historyLimit + 1 : 1;
    const readNeeds: SnapshotNeeds = { ...needs, readPatterns: [...new Set([...needs.readPatterns, ...ownershipReads(this.ownership)])] };
    const read = async (dir: string): Promise<CommitFacts> => {
      const repo = this.cache.reader(dir);
      const at = needs.asOf ? await commitAt(repo, 'refs/seaworthy/head', needs.asOf) : undefined;
      return readCommit(repo, at?.oid ?? 'refs/seaworthy/head', readNeeds, { sizes: 'fetched', shallow: 'window', known: at, prefetch: (oids) => this.cache.fetchBlobs(ref.key, dir, cloneUrl, oids) });
    };
    let synced = await this.cache.sync(ref.key, cloneUrl, head.branch, depth, { head: needs.asOf ? undefined : head.oid });
    let facts: CommitFacts;
    try {
      facts = await read(synced.dir);
      if (facts.problems.some((p) => p.startsWith('commit history could not be read'))) throw new SourceError(facts.problems.find((p) => p.startsWith('commit history could not be read'))!);
    } catch (error) {
      if (error instanceof NoCommitAtDateError || error instanceof GitHubHostError || (await this.cache.healthy(synced.dir))) throw error;
      // The cached copy is broken (fsck says so): start it again from nothing, once.
      this.logger?.warn('the cached copy of a repository is damaged; cloning it again', { repo: `${ref.owner}/${ref.name}`, error: error instanceof Error ? error.message : String(error) });
      synced = await this.cache.sync(ref.key, cloneUrl, head.branch, depth, { fresh: true });
      facts = await read(synced.dir);
    }
    const problems = [...facts.problems, ...prs.problems];
    const pullRequests = this.pullRequests(prs.raw, facts, needs, problems);
    return buildSnapshot({
      identity: { host: this.host, owner: ref.owner, name: ref.name, defaultBranch: head.branch, webUrl: ref.webUrl },
      head: facts.head,
      files: facts.files,
      contents: facts.contents,
      historyComplete: facts.historyComplete,
      commits: facts.commits,
      pullRequests,
      problems,
    });
  }

  private wantsPullRequests(): boolean {
    return this.config.history.mergedPullRequests > 0 || this.config.history.openPullRequests > 0;
  }

  /** Pull requests with their changed files from git: those of the merge (or squash) commit on the default branch. */
  private pullRequests(raw: RawRepo, facts: CommitFacts, needs: SnapshotNeeds, problems: string[]): PullRequest[] {
    const commits = new Map(facts.commits.map((c) => [c.oid, c]));
    // GitHub orders merged pull requests by last update (there is no merge-date order): newest merge first here.
    const merged = (raw.merged?.nodes ?? []).filter((p): p is RawPullRequest => !!p).sort((a, b) => (b.mergedAt ?? '').localeCompare(a.mergedAt ?? ''));
    let unknown = 0;
    const mergedPrs = merged.map((p) => {
      const commit = p.mergeCommit?.oid ? commits.get(p.mergeCommit.oid) : undefined;
      if (!commit && needs.history) unknown++;
      return toPullRequest(p, commit ? commit.files.map((f) => f.path) : []);
    });
    if (unknown > 0) problems.push(`${unknown} merged pull request${unknown > 1 ? 's' : ''} landed outside the ${facts.commits.length} commits of history read, so ${unknown > 1 ? 'their' : 'its'} changed files are unknown`);
    let pullRequests = [...mergedPrs, ...(raw.open?.nodes ?? []).filter((p): p is RawPullRequest => !!p).map((p) => toPullRequest(p, []))];
    if (needs.asOf) {
      const at = needs.asOf.getTime();
      // As it was then: merged later means still open then; created later did not exist.
      pullRequests = pullRequests
        .filter((p) => Date.parse(p.createdAt) <= at)
        .map((p) => (p.mergedAt && Date.parse(p.mergedAt) > at ? { ...p, state: 'open' as const, mergedAt: null, mergeCommit: undefined, files: [] } : p));
      problems.push(`pull requests as of ${needs.asOf.toISOString().slice(0, 10)} come from the ${this.config.history.mergedPullRequests} most recently merged and ${this.config.history.openPullRequests} open ones only`);
    }
    return pullRequests;
  }

  /** The batch that holds `ref`: started on first demand with the next refs of the plan, then the one after it. */
  private batchHolding(ref: RepoRef, needs: SnapshotNeeds): Promise<Map<string, PullRequestFacts | Error>> {
    const existing = this.loads.get(ref.key);
    if (existing) {
      this.loads.delete(ref.key);
      return existing;
    }
    const plan = this.plan && this.plan.needs === needs ? this.plan : undefined;
    const position = plan?.index.get(ref.key);
    // Not planned, or asked again after its batch was used: on its own.
    if (!plan || position === undefined || plan.started.has(ref.key)) return this.loadBatch([ref]);
    const batch = this.startBatch(plan, position);
    this.loads.delete(ref.key);
    // Read ahead one batch, so workers rarely wait for GitHub.
    const nextStart = position + this.batchSize;
    if (nextStart < plan.refs.length && !plan.started.has(plan.refs[nextStart]!.key)) {
      batch.then(() => this.startBatch(plan, nextStart), () => this.startBatch(plan, nextStart));
    }
    return batch;
  }

  private startBatch(plan: NonNullable<GitHubSource['plan']>, start: number): Promise<Map<string, PullRequestFacts | Error>> {
    const refs: RepoRef[] = [];
    for (let i = start; i < plan.refs.length && refs.length < this.batchSize; i++) {
      const candidate = plan.refs[i]!;
      // Each planned repository is fetched once, even after its batch was consumed.
      if (!plan.started.has(candidate.key)) refs.push(candidate);
    }
    if (refs.length === 0) return Promise.resolve(new Map());
    const promise = this.loadBatch(refs);
    promise.catch(() => undefined); // awaited by each snapshot(); this only keeps an unread failure quiet
    for (const r of refs) {
      this.loads.set(r.key, promise);
      plan.started.add(r.key);
    }
    return promise;
  }

  private shape(): PullRequestsShape {
    const h = this.config.history;
    return { mergedPullRequests: h.mergedPullRequests, openPullRequests: h.openPullRequests };
  }

  /** The pull requests of a batch of repositories; a repository that fails gets its Error, the others their data. */
  private async loadBatch(refs: RepoRef[]): Promise<Map<string, PullRequestFacts | Error>> {
    try {
      this.client.ensureOpen('graphql');
    } catch (error) {
      return new Map(refs.map((r) => [r.key, error as Error]));
    }
    const answer = await this.query(refs);
    if (!(answer instanceof Error)) return answer;
    return refs.length > 1 && bisectable(answer) ? this.bisect(refs, answer) : new Map(refs.map((r) => [r.key, answer]));
  }

  /**
   * A batch GitHub refused as a whole for a reason one repository may cause (an error it ties to no
   * field, a timeout): asked again in halves until the repository is found, so only it fails. When
   * both halves fail too, it is GitHub, not a repository: everything fails, nothing more is asked.
   */
  private async bisect(refs: RepoRef[], error: Error): Promise<Map<string, PullRequestFacts | Error>> {
    const mid = Math.ceil(refs.length / 2);
    const parts = [refs.slice(0, mid), refs.slice(mid)];
    const answers: (Map<string, PullRequestFacts | Error> | Error)[] = [];
    for (const part of parts) answers.push(await this.query(part));
    if (answers.every((a) => a instanceof Error)) return new Map(refs.map((r) => [r.key, error]));
    const out = new Map<string, PullRequestFacts | Error>();
    for (const [i, answer] of answers.entries()) {
      const part = parts[i]!;
      const settled = !(answer instanceof Error) ? answer : part.length > 1 && bisectable(answer) ? await this.bisect(part, answer) : new Map(part.map((r) => [r.key, answer]));
      for (const [key, value] of settled) out.set(key, value);
    }
    return out;
  }

  /** One query for `refs`; an Error when GitHub answered nothing usable for any of them. */
  private async query(refs: RepoRef[]): Promise<Map<string, PullRequestFacts | Error> | Error> {
    const variables: Record<string, unknown> = Object.fromEntries(refs.map((r, i) => [`id${i}`, r.location]));
    let answer: { data: Record<string, RawRepo | null>; errors: GraphQLErrorEntry[] };
    try {
      answer = await this.client.graphql<Record<string, RawRepo | null>>(pullRequestsQuery(refs.length, this.shape()), variables, `reading the pull requests of ${refs.length} repositor${refs.length === 1 ? 'y' : 'ies'} of ${this.config.org}`);
    } catch (error) {
      const fieldErrors = error instanceof GitHubHostError ? error.fieldErrors : undefined;
      const named = refs.filter((_, i) => errorsFor(fieldErrors ?? [], `r${i}`).length > 0);
      if (!fieldErrors || named.length === 0) return error instanceof Error ? error : new SourceError(String(error));
      // No data at all, but GitHub named the repositories at fault: they fail, the others are asked again without them.
      const out = new Map<string, PullRequestFacts | Error>();
      refs.forEach((ref, i) => {
        const errors = errorsFor(fieldErrors, `r${i}`);
        if (errors.length > 0) out.set(ref.key, repoError(errors, `${ref.owner}/${ref.name}`));
      });
      const rest = refs.filter((r) => !out.has(r.key));
      if (rest.length > 0) {
        const again = await this.query(rest);
        for (const ref of rest) out.set(ref.key, again instanceof Error ? again : (again.get(ref.key) ?? new SourceError(`${ref.owner}/${ref.name}: GitHub returned nothing for this repository`)));
      }
      return out;
    }
    const out = new Map<string, PullRequestFacts | Error>();
    refs.forEach((ref, i) => {
      const alias = `r${i}`;
      const raw = answer.data[alias];
      const errors = errorsFor(answer.errors, alias);
      if (!raw) return void out.set(ref.key, errors.length > 0 ? repoError(errors, `${ref.owner}/${ref.name}`) : new SourceError(`${ref.owner}/${ref.name}: GitHub returned nothing for this repository`));
      // Part of the answer missing (one pull request): judged on the rest, and said so.
      out.set(ref.key, { raw, problems: errors.map((e) => `GitHub left out ${(e.path ?? []).slice(1).join('.')}: ${e.type ? `${e.type}: ` : ''}${e.message}`) });
    });
    return out;
  }
}

/** Whole-batch failures a single repository can cause. */
function bisectable(error: Error): boolean {
  return error instanceof GitHubHostError && (error.problem === 'server' || error.problem === 'timeout' || error.problem === 'malformed');
}
