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
  /**
   * How long a GitHub App installation token is used before a new one is asked for. GitHub's expire
   * after an hour; renewing well before keeps a long crawl (and its retries) from ever sending an
   * expired one. Tests shrink it.
   */
  installationTokenTtlMs?: number;
  fetch?: typeof fetch;
}

export type HostProblem = 'auth' | 'rate-limit' | 'secondary-rate-limit' | 'server' | 'network' | 'timeout' | 'budget' | 'malformed' | 'forbidden' | 'not-found';

/** GitHub as a whole could not answer (or refused us): not a fact about any repository's content. */
export class GitHubHostError extends SourceError {
  readonly problem: HostProblem;
  readonly status?: number;
  /** Errors GraphQL tied to fields of the query (a repository of a batch), when it answered no data at all. */
  readonly fieldErrors?: GraphQLErrorEntry[];
  constructor(problem: HostProblem, message: string, status?: number, fieldErrors?: GraphQLErrorEntry[]) {
    super(message);
    this.name = 'GitHubHostError';
    this.problem = problem;
    this.status = status;
    if (fieldErrors) this.fieldErrors = fieldErrors;
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

/**
 * Where GraphQL and REST live. github.com (and GHE.com): https://api.<host>/graphql and
 * https://api.<host>/…; GitHub Enterprise Server: https://<host>/api/graphql and /api/v3/…, whether
 * the configured URL is the /api root, the REST root (/api/v3, Octokit's baseUrl) or /api/graphql.
 */
export function apiEndpoints(apiUrl: string): { graphqlUrl: string; restUrl: string } {
  const url = new URL(apiUrl);
  const path = url.pathname.replace(/\/+$/, '');
  const root = `${url.origin}${path.replace(/\/(v3|graphql)$/, '')}`;
  if (/\/api$/.test(root)) return { graphqlUrl: `${root}/graphql`, restUrl: `${root}/v3` };
  return { graphqlUrl: `${root}/graphql`, restUrl: root };
}

/** An installation-token cache whose entries are dropped after `ttlMs` (auth-app's own keeps them 59 minutes). */
function tokenCache(ttlMs: number): { get: (key: string) => string; set: (key: string, value: string) => void } {
  const entries = new Map<string, { value: string; storedAt: number }>();
  return {
    get: (key) => {
      const hit = entries.get(key);
      if (hit && Date.now() - hit.storedAt < ttlMs) return hit.value;
      entries.delete(key);
      return undefined as unknown as string; // auth-app reads a miss as "ask GitHub for a new token"
    },
    set: (key, value) => void entries.set(key, { value, storedAt: Date.now() }),
  };
}

const GENERIC_ERROR = /Something went wrong while executing your query\.?/;

function parseJson(body: ArrayBuffer): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
  /** GraphQL and REST have separate hourly budgets; a secondary limit refused blocks both. */
  private readonly blockedUntil = new Map<'graphql' | 'rest', { until: number; problem: HostProblem; message: string }>();
  /** While a secondary rate limit is waited out, nothing else is sent either. */
  private pausedUntil = 0;
  /** Per rate-limit resource (graphql, core): the highest `x-ratelimit-used` seen in the current window, and what was charged. */
  private readonly budgets = new Map<string, { reset: string; used: number; charged: number }>();
  private readonly graphqlLane = new Semaphore(1);
  private readonly restLane: Semaphore;
  remaining: number | undefined;
  resetAt: string | undefined;

  constructor(options: GitHubClientOptions) {
    this.options = options;
    ({ graphqlUrl: this.graphqlUrl, restUrl: this.restUrl } = apiEndpoints(options.apiUrl));
    this.redact = makeRedactor('token' in options.auth ? [options.auth.token] : [options.auth.privateKey]);
    this.restLane = new Semaphore(options.restConcurrency ?? 4);
  }

  /**
   * Points come from GitHub's own counters: the growth of `x-ratelimit-used` between answers, per
   * budget, so a request GitHub charged whose answer never arrived (a timeout, a dropped connection)
   * is counted too. Without those headers, the sum of the costs the answers reported.
   */
  usage(): SourceUsage {
    const graphql = this.budgets.get('graphql');
    return { ...this.spent, points: graphql ? Math.max(graphql.charged, this.spent.points) : this.spent.points };
  }

  /** Milliseconds left of the crawl's time budget (git fetches share it). */
  timeLeftMs(): number {
    return this.remainingBudgetMs();
  }

  /** The token git sends (in an http.extraHeader passed through the environment): the token, or a current installation token. */
  async gitToken(): Promise<string> {
    const auth = this.options.auth;
    if ('token' in auth) return auth.token;
    const octokit = await this.client();
    try {
      const result = (await octokit.auth({ type: 'installation' })) as { token?: string };
      if (!result?.token) throw new Error('no installation token');
      return result.token;
    } catch (error) {
      throw this.hostError(error, 'getting an installation token for git');
    }
  }

  private observeBudget(headers: Headers, isGraphql: boolean, reportedCost: number | undefined): void {
    const resource = headers.get('x-ratelimit-resource') ?? (isGraphql ? 'graphql' : 'core');
    const limit = Number(headers.get('x-ratelimit-limit'));
    const remaining = Number(headers.get('x-ratelimit-remaining'));
    let used = Number(headers.get('x-ratelimit-used') ?? NaN);
    if (!Number.isFinite(used) && Number.isFinite(limit) && Number.isFinite(remaining)) used = limit - remaining;
    const reset = headers.get('x-ratelimit-reset') ?? '';
    if (!Number.isFinite(used) || headers.get('x-ratelimit-used') === null && headers.get('x-ratelimit-remaining') === null) return;
    const known = this.budgets.get(resource);
    if (!known) {
      // The first answer: GitHub's counter includes whatever else used this budget before us; count what this request cost.
      this.budgets.set(resource, { reset, used, charged: reportedCost ?? 1 });
      return;
    }
    if (known.reset !== reset) {
      // A new hour: everything used in it so far is ours as far as we can tell.
      known.charged += used;
      known.reset = reset;
      known.used = used;
      return;
    }
    // Answers may arrive out of order: only growth beyond the highest count seen is new.
    if (used > known.used) {
      known.charged += used - known.used;
      known.used = used;
    }
  }

  private get secondMs(): number {
    return this.options.secondMs ?? 1000;
  }

  private log(level: 'info' | 'warn' | 'error', message: string, fields: Record<string, string | number | undefined> = {}): void {
    const clean = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, typeof v === 'string' ? this.redact(v) : v]));
    this.options.logger?.[level](this.redact(message), clean);
  }

  private budgetText(): string {
    const ms = this.options.budgetMs;
    return ms < 60_000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms / 6_000) / 10} min`;
  }

  private remainingBudgetMs(): number {
    this.deadline ??= Date.now() + this.options.budgetMs;
    return this.deadline - Date.now();
  }

  /** fetch with a per-attempt timeout, a fully read body, and GitHub's odd answers made plain HTTP errors. */
  private readonly fetchAttempt = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const pause = this.pausedUntil - Date.now();
    if (pause > 0) {
      if (pause >= this.remainingBudgetMs()) throw Object.assign(new Error('time budget used up'), { name: 'AbortError', [BUDGET_MARK]: true });
      await sleep(pause);
    }
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
    let status = response.status;
    let reportedCost: number | undefined;
    if (isGraphql && status >= 500) {
      // Data for most of a batch with errors tied to some of its fields: an answer, not a failure to
      // retry (re-sending the whole batch would fail the same way, for every repository in it).
      const partial = parseJson(body) as { data?: unknown; errors?: GraphQLErrorEntry[] } | undefined;
      if (partial?.data && typeof partial.data === 'object' && Array.isArray(partial.errors) && partial.errors.length > 0 && partial.errors.every((e) => Array.isArray(e?.path) && e.path.length > 0)) status = 200;
    }
    if (!isGraphql && status === 200 && body.byteLength > 0 && parseJson(body) === undefined) {
      // An HTML page (a proxy, a maintenance page) where JSON was due: retried like a server error.
      this.observeBudget(headers, false, undefined);
      headers.set('content-type', 'application/json');
      return new Response(JSON.stringify({ message: 'GitHub answered with malformed JSON' }), { status: 502, headers });
    }
    if (isGraphql && status === 200) {
      let parsed = parseJson(body);
      const tied = parsed as { data?: unknown; errors?: GraphQLErrorEntry[] } | undefined;
      if (tied?.data && Array.isArray(tied.errors) && tied.errors.some((e) => Array.isArray(e?.path) && e.path.length > 0 && GENERIC_ERROR.test(String(e.message)))) {
        // The retry plugin re-sends any answer whose first error is GitHub's generic "Something went
        // wrong while executing your query", even one tied to a single repository of a batch with the
        // rest answered: reworded here, so only that repository fails and the batch is not sent again.
        tied.errors = tied.errors.map((e) => (Array.isArray(e?.path) && e.path.length > 0 ? { ...e, message: String(e.message).replace(GENERIC_ERROR, 'GitHub failed on this part of the query (something went wrong while executing it)') } : e));
        parsed = tied;
        body = new TextEncoder().encode(JSON.stringify(tied)).buffer as ArrayBuffer;
      }
      reportedCost = (parsed as { data?: { rateLimit?: { cost?: unknown } } } | undefined)?.data?.rateLimit?.cost as number | undefined;
      this.observeBudget(headers, true, typeof reportedCost === 'number' ? reportedCost : undefined);
      if (parsed === undefined) {
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
    if (!(isGraphql && status === 200)) this.observeBudget(headers, isGraphql, undefined);
    const empty = status === 204 || status === 304;
    return new Response(empty ? null : body, { status, statusText: status === response.status ? response.statusText : 'OK', headers });
  };

  /**
   * The throttling plugin asks whether to wait out a rate limit and retry. Primary: once, only when
   * the reset is within maxRateLimitWaitMinutes and the time budget. Secondary: Retry-After, at most
   * 3 times, each at most a minute (or maxRateLimitWaitMinutes if longer); meanwhile nothing else is
   * sent. Refused: that API (both, for a secondary limit) is not asked again until the limit lifts.
   */
  private shouldWait(kind: 'primary' | 'secondary', retryAfterSeconds: number, retryCount: number, options: { method: string; url: string }): boolean {
    const what = `${options.method} ${options.url}`;
    const waitMs = retryAfterSeconds * this.secondMs;
    const cap = kind === 'primary' ? this.options.maxRateLimitWaitMs : Math.max(this.options.maxRateLimitWaitMs, 60 * this.secondMs);
    const ok = retryCount < (kind === 'primary' ? 1 : 3) && waitMs <= cap && waitMs < this.remainingBudgetMs();
    const until = Date.now() + waitMs;
    if (ok && kind === 'secondary') this.pausedUntil = Math.max(this.pausedUntil, until);
    this.log('warn', kind === 'primary' ? 'GitHub API budget exhausted' : 'GitHub secondary rate limit', { request: what, retryAfterSeconds, waiting: ok ? 'yes' : 'no' });
    if (!ok && kind === 'primary') {
      const lane = options.url === this.graphqlUrl ? 'graphql' : 'rest';
      this.blockedUntil.set(lane, { until, problem: 'rate-limit', message: `GitHub ${lane === 'graphql' ? 'GraphQL' : 'REST'} API budget exhausted; it resets in ${retryAfterSeconds} s, longer than the crawl may wait` });
    }
    if (!ok && kind === 'secondary') {
      const blocked = { until, problem: 'secondary-rate-limit' as const, message: `GitHub secondary rate limit; asked to wait ${retryAfterSeconds} s, longer than the crawl may wait` };
      this.blockedUntil.set('graphql', blocked);
      this.blockedUntil.set('rest', blocked);
    }
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
        onRateLimit: (after: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => this.shouldWait('primary', after, retryCount, options),
        onSecondaryRateLimit: (after: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => this.shouldWait('secondary', after, retryCount, options),
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
    const cache = tokenCache(this.options.installationTokenTtlMs ?? 50 * 60_000);
    return new OctokitWithPlugins({ ...common, authStrategy: createAppAuth, auth: { appId: auth.appId, privateKey: auth.privateKey, installationId, cache } });
  }

  /** Throws the host error that would end a request on `lane` now (budget spent, limit standing), so callers can skip work that leads to one. */
  ensureOpen(lane: 'graphql' | 'rest'): void {
    this.guard(lane);
  }

  private guard(lane: 'graphql' | 'rest'): void {
    const blocked = this.blockedUntil.get(lane);
    if (blocked && Date.now() < blocked.until) throw new GitHubHostError(blocked.problem, blocked.message);
    if (this.remainingBudgetMs() <= 0) throw new GitHubHostError('budget', `the crawl's time budget of ${this.budgetText()} is used up`);
  }

  /** Turns whatever Octokit threw into a host error with a message fit for logs and the site. */
  hostError(error: unknown, what: string, lane?: 'graphql' | 'rest'): GitHubHostError {
    if (error instanceof GitHubHostError) return error;
    const e = error as { status?: number; message?: string; name?: string; response?: { headers?: Record<string, string> } } & Record<symbol, unknown>;
    if (e?.[BUDGET_MARK]) return new GitHubHostError('budget', `${what}: the crawl's time budget of ${this.budgetText()} is used up`);
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
    // A rate limit the crawl would not wait for: say when it lifts rather than GitHub's bare refusal.
    const blocked = lane && (problem === 'rate-limit' || problem === 'secondary-rate-limit') ? this.blockedUntil.get(lane) : undefined;
    if (blocked && Date.now() < blocked.until) return new GitHubHostError(blocked.problem, `${what}: ${blocked.message}`, status);
    const detail = problem === 'auth' ? 'GitHub refused the credentials (401); check the token or the App installation' : message;
    return new GitHubHostError(problem, `${what}: ${detail}${status !== undefined && status !== 500 ? ` (HTTP ${status})` : ''}${attempts}`, status);
  }

  /**
   * Runs a query; returns its data with any per-field errors (a missing or forbidden repository
   * inside a batch), so one bad repository does not cost the others. Host problems throw.
   */
  async graphql<T>(query: string, variables: Record<string, unknown>, what: string): Promise<{ data: T; errors: GraphQLErrorEntry[] }> {
    this.guard('graphql');
    const octokit = await this.client();
    return this.graphqlLane.run(async () => {
      this.guard('graphql');
      let data: unknown;
      let errors: GraphQLErrorEntry[] = [];
      try {
        data = await octokit.graphql({ ...variables, query, url: this.graphqlUrl });
      } catch (error) {
        if (error instanceof GraphqlResponseError) {
          data = error.data;
          errors = (error.errors ?? []) as GraphQLErrorEntry[];
          // Errors without a path concern the whole query (syntax, limits): nothing to keep.
          const whole = errors.some((e) => !Array.isArray(e.path) || e.path.length === 0);
          if (!data || whole) {
            const message = `${what}: GitHub rejected the query: ${this.redact(errors.map((e) => e.message).join('; '))}`;
            // No data, but every error names its field: the caller can ask again without those fields.
            throw new GitHubHostError('server', message, undefined, whole ? undefined : errors.map((e) => ({ ...e, message: this.redact(String(e.message)) })));
          }
        } else throw this.hostError(error, what, 'graphql');
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
    this.guard('rest');
    const octokit = await this.client();
    return this.restLane.run(async () => {
      this.guard('rest');
      try {
        const response = await octokit.request(route, params);
        return response.data as T;
      } catch (error) {
        throw this.hostError(error, what, 'rest');
      }
    });
  }
}
