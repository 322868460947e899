// Repositories of a GitHub organisation (github.com or Enterprise Server) through the GraphQL API,
// producing the same RepoSnapshot as the local source plus pull requests and team ownership.
//
// Spending per crawl: discovery pages (1 point per 100 repositories, heads included, so unchanged
// repositories are recognised for free), then per batch of repositories one REST tree each and one
// GraphQL query holding pull requests and the needed blobs. Blobs and trees are cached by object id.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import type { Commit, FileEntry, PullRequest, ReadResult, RepoSnapshot } from '../../checks/contract.ts';
import { ConfigError, type GitHubSourceConfig } from '../config.ts';
import { type CachedBlob, ContentCache } from '../github/cache.ts';
import { GitHubClient, GitHubHostError, type GitHubAuth, type GitHubClientOptions, type GraphQLErrorEntry } from '../github/client.ts';
import { HEADS_QUERY, TEAMS_QUERY, TEAM_REPOS_QUERY, blobsQuery, discoveryQuery, repoFactsQuery, type RepoFactsShape } from '../github/queries.ts';
import { fetchFileList } from '../github/tree.ts';
import type { Logger } from '../log.ts';
import { ownershipReads } from '../ownership.ts';
import { decodeBlob } from './decode.ts';
import { buildSnapshot, compilePatterns } from './snapshot.ts';
import { NoCommitAtDateError, SourceError, type RepoRef, type RepoSource, type SnapshotNeeds, type SourceUsage } from './types.ts';

export interface GitHubSourceOptions {
  config: GitHubSourceConfig;
  configDir: string;
  env?: NodeJS.ProcessEnv;
  cache?: ContentCache;
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
  files?: { totalCount: number; nodes: { path: string }[] | null } | null;
}

interface RawBlob {
  oid: string;
  byteSize: number;
  isBinary: boolean | null;
  /** GitHub cuts `text` at 512,000 bytes and says so here. */
  isTruncated: boolean;
  text: string | null;
}

type RawRepo = {
  defaultBranchRef: RawHead | null;
  atDate?: { target: { history?: { nodes: { oid: string; committedDate: string }[] } } | null } | null;
  merged?: { nodes: RawPullRequest[] | null };
  open?: { nodes: RawPullRequest[] | null };
  log?: { target: { history?: { nodes: { oid: string; committedDate: string; message: string; author: { name: string | null } | null }[] } } | null } | null;
} & Record<string, unknown>;

interface RepoData {
  head: Head;
  files: FileEntry[];
  contents: Map<string, ReadResult>;
  pullRequests: PullRequest[];
  commits: Commit[];
  problems: string[];
}

const MAX_BLOBS_PER_QUERY = 250;
const MAX_BLOB_BYTES_PER_QUERY = 4 * 1024 * 1024;

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

function toPullRequest(raw: RawPullRequest): PullRequest {
  return {
    number: raw.number,
    title: raw.title,
    body: raw.body ?? '',
    state: raw.state === 'MERGED' ? 'merged' : raw.state === 'OPEN' ? 'open' : 'closed',
    mergedAt: raw.mergedAt,
    createdAt: raw.createdAt,
    author: botLogin(raw.author),
    files: (raw.files?.nodes ?? []).map((f) => f.path),
    ...(raw.mergeCommit?.oid ? { mergeCommit: raw.mergeCommit.oid } : {}),
    url: raw.url,
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
  private readonly config: GitHubSourceConfig;
  private readonly cache?: ContentCache;
  private readonly logger?: Logger;
  private readonly batchSize: number;
  private readonly host: string;
  private readonly discovered = new Map<string, Discovered>();
  private plan: { refs: RepoRef[]; index: Map<string, number>; needs: SnapshotNeeds; started: Set<string> } | undefined;
  private readonly loads = new Map<string, Promise<Map<string, RepoData | Error>>>();
  private teams: Promise<Map<string, string[]>> | undefined;

  constructor(options: GitHubSourceOptions) {
    this.config = options.config;
    this.cache = options.cache;
    this.logger = options.logger;
    this.batchSize = options.batchSize ?? 10;
    this.host = hostOf(options.config.apiUrl);
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
    this.description = `GitHub organisation ${options.config.org} (${options.config.apiUrl})`;
  }

  usage(): SourceUsage {
    return this.client.usage();
  }

  private keyOf(owner: string, name: string): string {
    return `${this.host}/${owner}/${name}`;
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
          this.discovered.set(key, { id: repo.id, head: headOf(repo.defaultBranchRef) });
          refs.push({ key, host: this.host, owner, name: repo.name, location: repo.id, webUrl: repo.url });
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
        if (node) this.discovered.set(ref.key, { id: node.id, head });
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
    const batch = await this.batchHolding(ref, needs);
    const data = batch.get(ref.key);
    if (!data) throw new SourceError(`${ref.owner}/${ref.name} was not in its batch`);
    if (data instanceof Error) throw data;
    return buildSnapshot({
      identity: { host: this.host, owner: ref.owner, name: ref.name, defaultBranch: data.head.branch, webUrl: ref.webUrl },
      head: { oid: data.head.oid, date: data.head.date },
      files: data.files,
      contents: data.contents,
      historyComplete: false,
      commits: data.commits,
      pullRequests: data.pullRequests,
      problems: data.problems,
    });
  }

  /** The batch that holds `ref`: started on first demand with the next refs of the plan, then the one after it. */
  private batchHolding(ref: RepoRef, needs: SnapshotNeeds): Promise<Map<string, RepoData | Error>> {
    const existing = this.loads.get(ref.key);
    if (existing) {
      this.loads.delete(ref.key);
      return existing;
    }
    const plan = this.plan && this.plan.needs === needs ? this.plan : undefined;
    const position = plan?.index.get(ref.key);
    // Not planned, or asked again after its batch was used: on its own.
    if (!plan || position === undefined || plan.started.has(ref.key)) return this.loadBatch([ref], needs);
    const batch = this.startBatch(plan, position);
    this.loads.delete(ref.key);
    // Read ahead one batch, so workers rarely wait for GitHub.
    const nextStart = position + this.batchSize;
    if (nextStart < plan.refs.length && !plan.started.has(plan.refs[nextStart]!.key)) {
      batch.then(() => this.startBatch(plan, nextStart), () => this.startBatch(plan, nextStart));
    }
    return batch;
  }

  private startBatch(plan: NonNullable<GitHubSource['plan']>, start: number): Promise<Map<string, RepoData | Error>> {
    const refs: RepoRef[] = [];
    for (let i = start; i < plan.refs.length && refs.length < this.batchSize; i++) {
      const candidate = plan.refs[i]!;
      // Each planned repository is fetched once, even after its batch was consumed.
      if (!plan.started.has(candidate.key)) refs.push(candidate);
    }
    if (refs.length === 0) return Promise.resolve(new Map());
    const promise = this.loadBatch(refs, plan.needs);
    promise.catch(() => undefined); // awaited by each snapshot(); this only keeps an unread failure quiet
    for (const r of refs) {
      this.loads.set(r.key, promise);
      plan.started.add(r.key);
    }
    return promise;
  }

  private shape(needs: SnapshotNeeds): RepoFactsShape {
    const h = this.config.history;
    return { mergedPullRequests: h.mergedPullRequests, openPullRequests: h.openPullRequests, commits: needs.history ? Math.min(h.commits, needs.historyLimit) : 0, asOf: needs.asOf !== undefined };
  }

  /** Everything a batch of repositories needs; a repository that fails gets its Error, the others their data. */
  private async loadBatch(refs: RepoRef[], needs: SnapshotNeeds): Promise<Map<string, RepoData | Error>> {
    const out = new Map<string, RepoData | Error>();
    const shape = this.shape(needs);
    const wanted = compilePatterns([...needs.readPatterns, ...ownershipReads(this.ownership)]);
    // Without --as-of the heads found at discovery are used, so trees and blobs ride along with the facts query.
    const heads = new Map<string, Head>();
    if (!needs.asOf) for (const ref of refs) {
      const head = this.discovered.get(ref.key)?.head;
      if (head) heads.set(ref.key, head);
    }
    const prepared = new Map<string, { files: FileEntry[]; problems: string[]; contents: Map<string, ReadResult>; missing: FileEntry[] }>();
    const prepare = async (ref: RepoRef, head: Head) => {
      let listed = this.cache?.tree(head.oid);
      if (!listed) {
        listed = await fetchFileList(this.client, ref.owner, ref.name, head.oid);
        this.cache?.putTree(head.oid, listed.files, listed.problems);
      }
      const contents = new Map<string, ReadResult>();
      const missing: FileEntry[] = [];
      for (const file of listed.files) {
        if (file.kind !== 'file' || !wanted(file.path)) continue;
        if (file.size > needs.maxFileBytes) contents.set(file.path, { ok: false, reason: 'too-large', detail: `${file.size} bytes, limit ${needs.maxFileBytes}` });
        else {
          const hit = this.cache?.blob(file.oid);
          if (hit) contents.set(file.path, hit);
          else missing.push(file);
        }
      }
      prepared.set(ref.key, { files: listed.files, problems: [...listed.problems], contents, missing });
    };
    const fail = (ref: RepoRef, error: unknown) => out.set(ref.key, error instanceof Error ? error : new SourceError(String(error)));
    // Every repository needs the facts query: while GraphQL cannot be asked, spend nothing on trees either.
    try {
      this.client.ensureOpen('graphql');
    } catch (error) {
      for (const ref of refs) fail(ref, error);
      return out;
    }
    const prepareAll = async (list: RepoRef[]) => {
      await Promise.all(
        list.map(async (ref) => {
          try {
            await prepare(ref, heads.get(ref.key)!);
          } catch (error) {
            fail(ref, error);
          }
        }),
      );
    };
    await prepareAll(refs.filter((r) => heads.has(r.key)));

    // One facts query for the batch, carrying the blobs of the repositories already listed.
    const live = refs.filter((r) => !out.has(r.key));
    if (live.length === 0) return out;
    const inline = this.splitBlobs(live.map((r) => prepared.get(r.key)?.missing ?? []));
    const variables: Record<string, unknown> = Object.fromEntries(live.map((r, i) => [`id${i}`, r.location]));
    if (needs.asOf) variables.asOf = needs.asOf.toISOString();
    let facts: { data: Record<string, RawRepo | null>; errors: GraphQLErrorEntry[] };
    try {
      facts = await this.client.graphql<Record<string, RawRepo | null>>(repoFactsQuery(live.length, shape, inline.first.map((files) => files.map((f) => f.oid))), variables, `reading ${live.length} repositories of ${this.config.org}`);
    } catch (error) {
      for (const ref of live) fail(ref, error);
      return out;
    }
    const blobAnswers = new Map<string, RawBlob | null>();
    const rawRepos = new Map<string, RawRepo>();
    const partialAnswers = new Map<string, string[]>();
    live.forEach((ref, i) => {
      const alias = `r${i}`;
      const raw = facts.data[alias];
      const errors = errorsFor(facts.errors, alias);
      if (!raw) return void fail(ref, errors.length > 0 ? repoError(errors, `${ref.owner}/${ref.name}`) : new SourceError(`${ref.owner}/${ref.name}: GitHub returned nothing for this repository`));
      rawRepos.set(ref.key, raw);
      // Part of the answer missing (a pull request's files, a blob): judged on the rest, and said so.
      const partial = errors.filter((e) => !/^b\d+$/.test(String(e.path?.[1] ?? '')));
      if (partial.length > 0) partialAnswers.set(ref.key, partial.map((e) => `GitHub left out ${(e.path ?? []).slice(1).join('.')}: ${e.type ? `${e.type}: ` : ''}${e.message}`));
      (inline.first[i] ?? []).forEach((file, j) => blobAnswers.set(`${ref.key}\0${file.oid}`, (raw[`b${j}`] as RawBlob | null | undefined) ?? null));
    });

    // --as-of: the head is only known now, so list those trees and fetch their blobs in their own queries.
    if (needs.asOf) {
      for (const ref of live) {
        const raw = rawRepos.get(ref.key);
        if (!raw) continue;
        const at = raw.atDate?.target?.history?.nodes?.[0];
        if (!at) fail(ref, new NoCommitAtDateError(needs.asOf));
        else heads.set(ref.key, { oid: at.oid, date: at.committedDate, branch: raw.defaultBranchRef?.name ?? 'HEAD' });
      }
      await prepareAll(live.filter((r) => !out.has(r.key)));
    }
    const later = needs.asOf ? live.filter((r) => !out.has(r.key)).map((r) => ({ ref: r, files: prepared.get(r.key)?.missing ?? [] })) : live.filter((r) => !out.has(r.key)).map((r) => ({ ref: r, files: inline.rest[live.indexOf(r)] ?? [] }));
    await this.fetchBlobs(later.filter((l) => l.files.length > 0), blobAnswers, out);

    for (const ref of live) {
      if (out.has(ref.key)) continue;
      const raw = rawRepos.get(ref.key)!;
      const head = heads.get(ref.key) ?? headOf(raw.defaultBranchRef);
      if (!head) {
        fail(ref, new SourceError('the repository has no commits on its default branch'));
        continue;
      }
      if (!prepared.has(ref.key)) {
        try {
          heads.set(ref.key, head);
          await prepare(ref, head);
          await this.fetchBlobs([{ ref, files: prepared.get(ref.key)!.missing }], blobAnswers, out);
          if (out.has(ref.key)) continue;
        } catch (error) {
          fail(ref, error);
          continue;
        }
      }
      try {
        const data = await this.assemble(ref, head, raw, prepared.get(ref.key)!, blobAnswers, needs);
        data.problems.push(...(partialAnswers.get(ref.key) ?? []));
        out.set(ref.key, data);
      } catch (error) {
        fail(ref, error);
      }
    }
    return out;
  }

  /** The blobs that fit the first query (by count and size), and the rest. */
  private splitBlobs(perRepo: FileEntry[][]): { first: FileEntry[][]; rest: FileEntry[][] } {
    let count = 0;
    let bytes = 0;
    const first: FileEntry[][] = [];
    const rest: FileEntry[][] = [];
    for (const files of perRepo) {
      const a: FileEntry[] = [];
      const b: FileEntry[] = [];
      const seen = new Set<string>();
      for (const f of files) {
        if (seen.has(f.oid)) continue;
        seen.add(f.oid);
        if (count < MAX_BLOBS_PER_QUERY && bytes + f.size <= MAX_BLOB_BYTES_PER_QUERY) {
          a.push(f);
          count++;
          bytes += f.size;
        } else b.push(f);
      }
      first.push(a);
      rest.push(b);
    }
    return { first, rest };
  }

  /** Blobs that did not fit the facts query, in as few Blobs queries as the caps allow. */
  private async fetchBlobs(work: { ref: RepoRef; files: FileEntry[] }[], answers: Map<string, RawBlob | null>, out: Map<string, RepoData | Error>): Promise<void> {
    let pending = work.map((w) => ({ ref: w.ref, files: [...new Map(w.files.map((f) => [f.oid, f])).values()] }));
    while (pending.length > 0) {
      const split = this.splitBlobs(pending.map((p) => p.files));
      const batch = pending.map((p, i) => ({ ref: p.ref, files: split.first[i]! })).filter((b) => b.files.length > 0);
      try {
        const { data, errors } = await this.client.graphql<Record<string, Record<string, RawBlob | null> | null>>(
          blobsQuery(batch.map((b) => b.files.map((f) => f.oid))),
          Object.fromEntries(batch.map((b, i) => [`id${i}`, b.ref.location])),
          `reading files of ${batch.length} repositories`,
        );
        batch.forEach((b, i) => {
          const repo = data[`r${i}`];
          const repoErrors = errorsFor(errors, `r${i}`);
          if (!repo) return void out.set(b.ref.key, repoErrors.length > 0 ? repoError(repoErrors, `${b.ref.owner}/${b.ref.name}`) : new SourceError(`${b.ref.owner}/${b.ref.name}: GitHub returned no files`));
          b.files.forEach((f, j) => answers.set(`${b.ref.key}\0${f.oid}`, repo[`b${j}`] ?? null));
        });
      } catch (error) {
        for (const b of batch) out.set(b.ref.key, error instanceof Error ? error : new SourceError(String(error)));
      }
      pending = pending.map((p, i) => ({ ref: p.ref, files: split.rest[i]! })).filter((p) => p.files.length > 0 && !out.has(p.ref.key));
    }
  }

  /**
   * GraphQL text is exact for valid UTF-8 below GitHub's text cut; binary, suspect or cut text is
   * fetched raw (the REST blob endpoint serves up to 100 MB) and decoded like the local source does.
   */
  private async decode(ref: RepoRef, file: FileEntry, blob: RawBlob): Promise<CachedBlob> {
    if (blob.text !== null && blob.isBinary !== true && blob.isTruncated !== true && !blob.text.includes('\uFFFD')) {
      return { ok: true, text: blob.text.replace(/^\uFEFF/, ''), truncated: false, encoding: 'utf-8', invalidBytes: false };
    }
    const raw = await this.client.rest<{ content: string; encoding: string }>('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', { owner: ref.owner, repo: ref.name, file_sha: file.oid }, `reading ${file.path} of ${ref.owner}/${ref.name}`);
    if (raw?.encoding !== 'base64' || typeof raw.content !== 'string') throw new SourceError(`reading ${file.path}: GitHub answered with an unexpected blob encoding`);
    const decoded = decodeBlob(Buffer.from(raw.content, 'base64'));
    if (decoded.ok) return decoded;
    return { ok: false, reason: 'binary' };
  }

  private async assemble(ref: RepoRef, head: Head, raw: RawRepo, listed: { files: FileEntry[]; problems: string[]; contents: Map<string, ReadResult>; missing: FileEntry[] }, answers: Map<string, RawBlob | null>, needs: SnapshotNeeds): Promise<RepoData> {
    const problems = [...listed.problems];
    const contents = new Map(listed.contents);
    for (const file of listed.missing) {
      const blob = answers.get(`${ref.key}\0${file.oid}`);
      if (!blob) {
        contents.set(file.path, { ok: false, reason: 'missing-object', detail: file.oid });
        problems.push(`could not read ${file.path}: GitHub has no object ${file.oid}`);
        continue;
      }
      const result = await this.decode(ref, file, blob);
      this.cache?.putBlob(file.oid, result, blob.byteSize);
      contents.set(file.path, result);
    }
    // GitHub orders merged pull requests by last update (there is no merge-date order): newest merge first here.
    const merged = (raw.merged?.nodes ?? []).filter((p): p is RawPullRequest => !!p).sort((a, b) => (b.mergedAt ?? '').localeCompare(a.mergedAt ?? ''));
    let pullRequests = [...merged, ...(raw.open?.nodes ?? []).filter((p): p is RawPullRequest => !!p)].map(toPullRequest);
    const wide = (raw.merged?.nodes ?? []).filter((p) => p && (p.files?.totalCount ?? 0) > 100).length;
    if (wide > 0) problems.push(`${wide} merged pull request${wide > 1 ? 's' : ''} changed more than 100 files; only the first 100 paths of each are known`);
    if (needs.asOf) {
      const at = needs.asOf.getTime();
      // As it was then: merged later means still open then; created later did not exist.
      pullRequests = pullRequests
        .filter((p) => Date.parse(p.createdAt) <= at)
        .map((p) => (p.mergedAt && Date.parse(p.mergedAt) > at ? { ...p, state: 'open' as const, mergedAt: null, mergeCommit: undefined } : p));
      problems.push(`pull requests as of ${needs.asOf.toISOString().slice(0, 10)} come from the ${this.config.history.mergedPullRequests} most recently merged and ${this.config.history.openPullRequests} open ones only`);
    }
    const commits: Commit[] = (raw.log?.target?.history?.nodes ?? []).map((c) => ({ oid: c.oid, date: c.committedDate, authorName: c.author?.name ?? '', message: c.message, files: [] }));
    if (needs.history) problems.push('commit history from GitHub lists no changed files per commit (GitHub gives them only through pull requests)');
    return { head, files: listed.files, contents, pullRequests, commits, problems };
  }
}
