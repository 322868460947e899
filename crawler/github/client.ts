// One Octokit client per GitHub source: throttling and retry plugins with bounded handlers, a
// per-request timeout, a total time budget, and accounting of every point and request spent.
// Credentials never leave this module: every message that does is passed through redact().
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/core';
import { GraphqlResponseError } from '@octokit/graphql';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck';
import type { Logger } from '../log.ts';
import { SourceError, type SourceUsage } from '../sources/types.ts';
import { TOOL_VERSION } from '../version.ts';

export type GitHubAuth = { token: string } | { appId: string | number; privateKey: string; installationId?: number; org: string };

export interface GitHubClientOptions {
  apiUrl: string;
  auth: GitHubAuth;
  logger?: Logger;
  requestTimeoutMs: number;
  retries: number;
  maxRateLimitWaitMs: number;
  /** Total time budget from the first request; later requests fail as host errors. */
  budgetMs: number;
  /** Milliseconds per second of Retry-After and of retry back-off; tests shrink it. */
  secondMs?: number;
  /** Pause between GraphQL requests (GitHub asks for serial requests; the plugin's default is 1 s). */
  graphqlIntervalMs?: number;
  /** REST requests in flight at once. */
  restConcurrency?: number;
  fetch?: typeof fetch;
}

export type HostProblem = 'auth' | 'rate-limit' | 'secondary-rate-limit' | 'server' | 'network' | 'timeout' | 'budget' | 'malformed' | 'forbidden' | 'not-found';

/** GitHub as a whole could not answer (or refused us): not a fact about any repository's content. */
export class GitHubHostError extends SourceError {
  readonly problem: HostProblem;
  readonly status?: number;
  constructor(problem: HostProblem, message: string, status?: number) {
    super(message);
    this.name = 'GitHubHostError';
    this.problem = problem;
    this.status = status;
  }
  /** Whether asking again later could succeed (as opposed to bad credentials or a missing repository). */
  get retryable(): boolean {
    return !['auth', 'forbidden', 'not-found'].includes(this.problem);
  }
}

export interface GraphQLErrorEntry {
  message: string;
  type?: string;
  path?: (string | number)[];
}

const SECRET_PATTERNS = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /\b(gh[pousr]_[A-Za-z0-9_]{8,}|github_pat_[A-Za-z0-9_]{8,}|v1\.[0-9a-f]{40})\b/g,
  /\b(authorization|bearer|token)(\s*[:=]?\s*)(?!\[REDACTED\])[^\s,;"']{8,}/gi,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, // JWTs signed with the App key
];

export function makeRedactor(secrets: string[]): (text: string) => string {
  const exact = secrets.filter((s) => s.length >= 4).flatMap((s) => [s, ...s.split(/\r?\n/).filter((line) => line.length >= 16)]);
  return (text: string) => {
    let out = text;
    for (const secret of exact) out = out.split(secret).join('[REDACTED]');
    for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, (match, ...groups) => (typeof groups[0] === 'string' && /^(authorization|bearer|token)$/i.test(groups[0]) ? `${groups[0]}${groups[1] as string}[REDACTED]` : '[REDACTED]'));
    return out;
  };
}

const BUDGET_MARK = Symbol('seaworthy-budget');

function restBase(apiUrl: string): string {
  // GitHub Enterprise Server serves REST under /api/v3 and GraphQL under /api/graphql.
  return /\/api$/.test(new URL(apiUrl).pathname) ? `${apiUrl}/v3` : apiUrl;
}

class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

const OctokitWithPlugins = Octokit.plugin(throttling, retry);
type Client = InstanceType<typeof OctokitWithPlugins>;

export class GitHubClient {
  readonly graphqlUrl: string;
  readonly restUrl: string;
  readonly redact: (text: string) => string;
  private readonly options: GitHubClientOptions;
  private readonly spent: SourceUsage = { points: 0, graphqlRequests: 0, restRequests: 0 };
  private octokit: Promise<Client> | undefined;
  private deadline: number | undefined;
  private exhaustedUntil: { until: number; message: string } | undefined;
  private readonly graphqlLane = new Semaphore(1);
  private readonly restLane: Semaphore;
  remaining: number | undefined;
  resetAt: string | undefined;

  constructor(options: GitHubClientOptions) {
    this.options = options;
    this.graphqlUrl = `${options.apiUrl}/graphql`;
    this.restUrl = restBase(options.apiUrl);
    this.redact = makeRedactor('token' in options.auth ? [options.auth.token] : [options.auth.privateKey]);
    this.restLane = new Semaphore(options.restConcurrency ?? 4);
  }

  usage(): SourceUsage {
    return { ...this.spent };
  }

  private get secondMs(): number {
    return this.options.secondMs ?? 1000;
  }

  private log(level: 'info' | 'warn' | 'error', message: string, fields: Record<string, string | number | undefined> = {}): void {
    const clean = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, typeof v === 'string' ? this.redact(v) : v]));
    this.options.logger?.[level](this.redact(message), clean);
  }

  private remainingBudgetMs(): number {
    this.deadline ??= Date.now() + this.options.budgetMs;
    return this.deadline - Date.now();
  }

  /** fetch with a per-attempt timeout, a fully read body, and GitHub's odd answers made plain HTTP errors. */
  private readonly fetchAttempt = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (this.remainingBudgetMs() <= 0) throw Object.assign(new Error('time budget used up'), { name: 'AbortError', [BUDGET_MARK]: true });
    const isGraphql = String(url) === this.graphqlUrl;
    if (isGraphql) this.spent.graphqlRequests++;
    else this.spent.restRequests++;
    const timeoutMs = Math.min(this.options.requestTimeoutMs, Math.max(1, this.remainingBudgetMs()));
    const signal = init?.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
    let response: Response;
    let body: ArrayBuffer;
    try {
      response = await (this.options.fetch ?? fetch)(url, { ...init, signal });
      body = await response.arrayBuffer();
    } catch (error) {
      if (error instanceof Error && error.name === 'TimeoutError') throw new TypeError(`no complete answer within ${Math.round(timeoutMs / 100) / 10} s`);
      throw error;
    }
    const headers = new Headers(response.headers);
    if (isGraphql && response.status === 200) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(new TextDecoder().decode(body));
      } catch {
        headers.set('content-type', 'application/json');
        return new Response(JSON.stringify({ message: 'GitHub answered with malformed JSON' }), { status: 502, headers });
      }
      if (!parsed || typeof parsed !== 'object' || !('data' in parsed || 'errors' in parsed)) {
        headers.set('content-type', 'application/json');
        return new Response(JSON.stringify({ message: 'GitHub answered without data or errors' }), { status: 502, headers });
      }
      const errors = (parsed as { errors?: GraphQLErrorEntry[] }).errors;
      if (Array.isArray(errors) && errors.some((e) => e?.type === 'RATE_LIMITED')) {
        // Made a 403 with remaining 0 so the throttling plugin's primary-limit handler decides, on github.com and GHES alike.
        headers.set('x-ratelimit-remaining', '0');
        return new Response(JSON.stringify({ message: 'API rate limit exceeded (GraphQL points)' }), { status: 403, headers });
      }
    }
    const empty = response.status === 204 || response.status === 304;
    return new Response(empty ? null : body, { status: response.status, statusText: response.statusText, headers });
  };

  private shouldWait(kind: 'primary' | 'secondary', retryAfterSeconds: number, retryCount: number, what: string): boolean {
    const waitMs = retryAfterSeconds * this.secondMs;
    const cap = kind === 'primary' ? this.options.maxRateLimitWaitMs : Math.max(this.options.maxRateLimitWaitMs, 60 * this.secondMs);
    const ok = retryCount < (kind === 'primary' ? 1 : 3) && waitMs <= cap && waitMs < this.remainingBudgetMs();
    this.log('warn', kind === 'primary' ? 'GitHub API budget exhausted' : 'GitHub secondary rate limit', { request: what, retryAfterSeconds, waiting: ok ? 'yes' : 'no' });
    if (!ok && kind === 'primary') this.exhaustedUntil = { until: Date.now() + waitMs, message: `GitHub API budget exhausted; it resets in ${retryAfterSeconds} s, longer than the crawl may wait` };
    return ok;
  }

  private async client(): Promise<Client> {
    this.octokit ??= this.createClient();
    return this.octokit;
  }

  private async createClient(): Promise<Client> {
    const { auth } = this.options;
    const logSink = {
      debug: () => undefined,
      info: () => undefined,
      warn: (message: string) => this.log('warn', `GitHub client: ${message}`),
      error: (message: string) => this.log('error', `GitHub client: ${message}`),
    };
    const common = {
      baseUrl: this.restUrl,
      userAgent: `seaworthy/${TOOL_VERSION}`,
      log: logSink,
      request: { fetch: this.fetchAttempt },
      throttle: {
        onRateLimit: (after: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => this.shouldWait('primary', after, retryCount, `${options.method} ${options.url}`),
        onSecondaryRateLimit: (after: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => this.shouldWait('secondary', after, retryCount, `${options.method} ${options.url}`),
        retryAfterBaseValue: this.secondMs,
        write: new Bottleneck.Group({ maxConcurrent: 1, minTime: this.options.graphqlIntervalMs ?? 0 }),
      },
      retry: { retries: this.options.retries, retryAfterBaseValue: this.secondMs },
    };
    if ('token' in auth) return new OctokitWithPlugins({ ...common, auth: auth.token });
    let installationId = auth.installationId;
    if (installationId === undefined) {
      const asApp = new OctokitWithPlugins({ ...common, authStrategy: createAppAuth, auth: { appId: auth.appId, privateKey: auth.privateKey } });
      try {
        const { data } = await asApp.request('GET /orgs/{org}/installation', { org: auth.org });
        installationId = data.id;
      } catch (error) {
        throw this.hostError(error, `finding the GitHub App's installation on ${auth.org}`);
      }
    }
    return new OctokitWithPlugins({ ...common, authStrategy: createAppAuth, auth: { appId: auth.appId, privateKey: auth.privateKey, installationId } });
  }

  private guard(): void {
    if (this.exhaustedUntil && Date.now() < this.exhaustedUntil.until) throw new GitHubHostError('rate-limit', this.exhaustedUntil.message);
    if (this.remainingBudgetMs() <= 0) throw new GitHubHostError('budget', `the crawl's time budget of ${Math.round(this.options.budgetMs / 60000)} min is used up`);
  }

  /** Turns whatever Octokit threw into a host error with a message fit for logs and the site. */
  hostError(error: unknown, what: string): GitHubHostError {
    if (error instanceof GitHubHostError) return error;
    const e = error as { status?: number; message?: string; name?: string; response?: { headers?: Record<string, string> } } & Record<symbol, unknown>;
    if (e?.[BUDGET_MARK]) return new GitHubHostError('budget', `${what}: the crawl's time budget of ${Math.round(this.options.budgetMs / 60000)} min is used up`);
    const message = this.redact(String(e?.message ?? error)).replace(/\s+-\s+https:\/\/docs\.github\.com\S*/, '');
    const status = typeof e?.status === 'number' ? e.status : undefined;
    const headers = e?.response?.headers ?? {};
    let problem: HostProblem = 'network';
    if (status === 401) problem = 'auth';
    else if ((status === 403 || status === 429) && /secondary rate/i.test(message)) problem = 'secondary-rate-limit';
    else if ((status === 403 || status === 429) && (headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(message))) problem = 'rate-limit';
    else if (status === 403) problem = 'forbidden';
    else if (status === 404) problem = 'not-found';
    else if (/malformed JSON|without data/.test(message)) problem = 'malformed';
    else if (/no complete answer within/.test(message)) problem = 'timeout';
    else if (status !== undefined && status >= 500 && e.response) problem = 'server';
    const retried = ['server', 'network', 'timeout', 'malformed'].includes(problem) && (e as { request?: unknown }).request !== undefined;
    const attempts = retried ? ` after ${this.options.retries + 1} attempts` : '';
    const detail = problem === 'auth' ? 'GitHub refused the credentials (401); check the token or the App installation' : message;
    return new GitHubHostError(problem, `${what}: ${detail}${status !== undefined && status !== 500 ? ` (HTTP ${status})` : ''}${attempts}`, status);
  }

  /**
   * Runs a query; returns its data with any per-field errors (a missing or forbidden repository
   * inside a batch), so one bad repository does not cost the others. Host problems throw.
   */
  async graphql<T>(query: string, variables: Record<string, unknown>, what: string): Promise<{ data: T; errors: GraphQLErrorEntry[] }> {
    this.guard();
    const octokit = await this.client();
    return this.graphqlLane.run(async () => {
      this.guard();
      let data: unknown;
      let errors: GraphQLErrorEntry[] = [];
      try {
        data = await octokit.graphql({ ...variables, query, url: this.graphqlUrl });
      } catch (error) {
        if (error instanceof GraphqlResponseError) {
          data = error.data;
          errors = (error.errors ?? []) as GraphQLErrorEntry[];
          // Errors without a path concern the whole query (syntax, limits): nothing to keep.
          if (!data || errors.some((e) => !Array.isArray(e.path) || e.path.length === 0)) {
            throw new GitHubHostError('server', `${what}: GitHub rejected the query: ${this.redact(errors.map((e) => e.message).join('; '))}`);
          }
        } else throw this.hostError(error, what);
      }
      if (!data || typeof data !== 'object') throw new GitHubHostError('malformed', `${what}: GitHub answered without data`);
      const rateLimit = (data as { rateLimit?: { cost?: number; remaining?: number; resetAt?: string } }).rateLimit;
      if (rateLimit && typeof rateLimit.cost === 'number') {
        this.spent.points += rateLimit.cost;
        this.remaining = rateLimit.remaining;
        this.resetAt = rateLimit.resetAt;
      }
      return { data: data as T, errors: errors.map((e) => ({ ...e, message: this.redact(String(e.message)) })) };
    });
  }

  async rest<T>(route: string, params: Record<string, unknown>, what: string): Promise<T> {
    this.guard();
    const octokit = await this.client();
    return this.restLane.run(async () => {
      this.guard();
      try {
        const response = await octokit.request(route, params);
        return response.data as T;
      } catch (error) {
        throw this.hostError(error, what);
      }
    });
  }
}
