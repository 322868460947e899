// HTTP for registry clients: bounded concurrency and spacing per host, a per-request timeout, bounded
// retries inside a total time budget, Retry-After honoured, and a classification of failures into
// answers (404, 401/403) and host trouble (429, 5xx, timeouts, resets). Credentials go only to the
// origin they were configured for and never appear in an error message.
import { setTimeout as sleep } from 'node:timers/promises';
import { RegistryError } from './types.ts';

export interface HostPolicy {
  /** Requests in flight at once to this host. */
  concurrency: number;
  /** Least time between the starts of two requests to this host (crates.io asks for one per second). */
  minIntervalMs: number;
  /** One request, body included. */
  timeoutMs: number;
  /** Further attempts after the first, for retryable failures. */
  retries: number;
}

/** The time one package lookup may take, every request, retry and wait included; it starts with the first request. */
export class Budget {
  readonly totalMs: number;
  private deadline: number | undefined;
  constructor(totalMs: number) {
    this.totalMs = totalMs;
  }
  start(): void {
    this.deadline ??= Date.now() + this.totalMs;
  }
  remaining(): number {
    return this.deadline === undefined ? this.totalMs : this.deadline - Date.now();
  }
}

export interface RequestTarget {
  policy: HostPolicy;
  /** Authorization header value, sent only to `authOrigin`. */
  authorization?: string;
  authOrigin?: string;
}

export interface HttpResponse {
  status: number;
  url: string;
  body: Buffer;
  text(): string;
}

export interface RegistryHttpOptions {
  userAgent: string;
  fetch?: typeof fetch;
  /** Refuse every host that is not on the loopback interface (the test suite sets this). */
  loopbackOnly?: boolean;
  maxBodyBytes?: number;
  /** After this many failed lookups in a row, a host is skipped for the rest of the crawl. */
  failuresBeforeSkip?: number;
  /** Consecutive timeouts after which a host's circuit opens for the rest of the crawl (default 2). */
  timeoutsBeforeOpen?: number;
  onHostFailure?(origin: string, message: string): void;
  /** A host's circuit opened: every later request to it fails at once with this reason. */
  onCircuitOpen?(origin: string, reason: string): void;
}

interface HostState {
  active: number;
  waiters: (() => void)[];
  nextStart: number;
  /** Set by Retry-After: the whole host waits, not just the lookup that was told. */
  pausedUntil: number;
  failuresInARow: number;
  lastFailure: string;
  requests: number;
  timeoutsInARow: number;
  /** Why the host is treated as down for the rest of the crawl; set once, never cleared. */
  circuitOpen?: string;
}

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);
const MAX_REDIRECTS = 5;

export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms / 1000)} s`;
}

// Failures that another attempt in the same crawl will not cure: the name does not resolve, nothing
// listens, the certificate is wrong, the network has no route. Resets and 5xx stay retryable.
const UNREACHABLE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EPROTO', 'ERR_TLS_CERT_ALTNAME_INVALID', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'ERR_SSL_WRONG_VERSION_NUMBER']);

/** How a failed request bears on the host: down for this crawl, a timeout (down after a few), or passing trouble. */
export function classifyFetchError(error: unknown): 'unreachable' | 'timeout' | 'transient' {
  const e = error as { name?: string; cause?: { code?: string; cause?: { code?: string } } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timeout';
  const code = e?.cause?.code ?? e?.cause?.cause?.code;
  if (code && (UNREACHABLE_CODES.has(code) || /^ERR_TLS_|CERT/.test(code))) return 'unreachable';
  return 'transient';
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `did not answer within ${seconds(timeoutMs)}`;
  const code = e?.cause?.code;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'closed the connection';
  if (code === 'ECONNREFUSED') return 'refused the connection';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL') return 'could not be resolved (DNS)';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'has no route (network unreachable)';
  if (code && /^ERR_TLS_|CERT|^EPROTO$|^ERR_SSL/.test(code)) return `failed the TLS handshake (${code})`;
  return code ? `could not be reached (${code})` : `could not be reached (${e?.cause?.message ?? e?.message ?? String(error)})`;
}

export class RegistryHttp {
  private readonly options: RegistryHttpOptions;
  private readonly hosts = new Map<string, HostState>();
  private readonly fetch: typeof fetch;

  constructor(options: RegistryHttpOptions) {
    this.options = options;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** Hosts whose circuit opened during this crawl, with the reason. */
  openCircuits(): { origin: string; reason: string }[] {
    return [...this.hosts].filter(([, state]) => state.circuitOpen !== undefined).map(([origin, state]) => ({ origin, reason: state.circuitOpen! }));
  }

  /** Requests sent (every attempt counts), per origin. */
  requestCounts(): Record<string, number> {
    return Object.fromEntries([...this.hosts].map(([origin, state]) => [origin, state.requests]));
  }

  private host(origin: string): HostState {
    let state = this.hosts.get(origin);
    if (!state) {
      state = { active: 0, waiters: [], nextStart: 0, pausedUntil: 0, failuresInARow: 0, lastFailure: '', requests: 0, timeoutsInARow: 0 };
      this.hosts.set(origin, state);
    }
    return state;
  }

  private async acquire(state: HostState, policy: HostPolicy, budget: Budget): Promise<void> {
    while (state.active >= policy.concurrency) await new Promise<void>((resolve) => state.waiters.push(resolve));
    state.active++;
    const paused = state.pausedUntil - Date.now();
    if (paused > 0) {
      // Never sleep past the lookup's budget: the caller finds it exhausted and gives up.
      await sleep(Math.min(paused, Math.max(0, budget.remaining())));
    }
  }

  /** Spacing applies among requests that ask for it (one host may serve several registries). */
  private async spaced(state: HostState, policy: HostPolicy): Promise<void> {
    if (policy.minIntervalMs <= 0) return;
    for (let wait = state.nextStart - Date.now(); wait > 0; wait = state.nextStart - Date.now()) await sleep(wait);
    // Set in the same turn as the request starts, so no other request can slip in between.
    state.nextStart = Date.now() + policy.minIntervalMs;
  }

  private release(state: HostState): void {
    state.active--;
    state.waiters.shift()?.();
  }

  /** GET with the policy's retries; resolves with a 2xx response, otherwise throws a RegistryError. */
  async get(url: string, target: RequestTarget, budget: Budget, accept = 'application/json'): Promise<HttpResponse> {
    const parsed = new URL(url);
    const origin = parsed.origin;
    const hostName = parsed.host;
    if (this.options.loopbackOnly && !isLoopback(parsed.hostname)) {
      throw new RegistryError('host', `network access is off (SEAWORTHY_LOOPBACK_ONLY): ${hostName} was not asked`);
    }
    const state = this.host(origin);
    const skipAfter = this.options.failuresBeforeSkip ?? 5;
    let lastProblem = '';
    const unreachable = () => new RegistryError('host', `registry unreachable: ${hostName} ${state.circuitOpen} (not asked again during this crawl)`);
    for (let attempt = 0; attempt <= target.policy.retries; attempt++) {
      if (state.circuitOpen !== undefined) throw unreachable();
      if (state.failuresInARow >= skipAfter) {
        throw new RegistryError('host', `${hostName} was skipped: it failed ${state.failuresInARow} lookups in a row during this crawl (last: ${state.lastFailure})`);
      }
      await this.acquire(state, target.policy, budget);
      let waitMs: number | undefined;
      try {
        // Another lookup may have found the host down while this one queued.
        if (state.circuitOpen !== undefined) throw unreachable();
        await this.spaced(state, target.policy);
        budget.start();
        const remaining = budget.remaining();
        if (remaining <= 0) throw this.hostFailure(state, origin, `${hostName} ${lastProblem || 'was slow'}; gave up when the lookup's time budget of ${seconds(budget.totalMs)} ran out`);
        const timeoutMs = Math.min(target.policy.timeoutMs, remaining);
        let response: (HttpResponse & { retryAfter?: number }) | undefined;
        try {
          state.requests++;
          response = await this.fetchFollowing(url, target, accept, timeoutMs);
        } catch (error) {
          if (error instanceof RegistryError) throw error;
          lastProblem = describeFetchError(error, timeoutMs);
          const kind = classifyFetchError(error);
          if (kind === 'timeout') state.timeoutsInARow++;
          if (kind === 'unreachable' || (kind === 'timeout' && state.timeoutsInARow >= (this.options.timeoutsBeforeOpen ?? 2))) {
            this.openCircuit(state, origin, kind === 'timeout' ? `${lastProblem} ${state.timeoutsInARow} times in a row` : lastProblem);
            throw this.hostFailure(state, origin, `registry unreachable: ${hostName} ${state.circuitOpen}`);
          }
        }
        if (response) {
          state.timeoutsInARow = 0;
          const status = response.status;
          if (status >= 200 && status < 300) {
            state.failuresInARow = 0;
            return response;
          }
          if (status === 404 || status === 410) {
            state.failuresInARow = 0;
            throw new RegistryError('not-found', `not found in registry (${hostName} answered HTTP ${status})`);
          }
          if (status === 401 || status === 403) throw new RegistryError('refused', `registry refused credentials (${hostName} answered HTTP ${status})`);
          if (!RETRYABLE_STATUS.has(status)) throw this.hostFailure(state, origin, `${hostName} answered HTTP ${status}`);
          lastProblem = `answered HTTP ${status}`;
          waitMs = response.retryAfter;
          if (waitMs !== undefined) state.pausedUntil = Math.max(state.pausedUntil, Date.now() + waitMs);
        }
      } finally {
        this.release(state);
      }
      if (attempt === target.policy.retries) break;
      const backoff = 200 * 2 ** attempt + Math.floor(Math.random() * 100);
      const wait = waitMs ?? backoff;
      if (wait >= budget.remaining()) {
        const why = waitMs !== undefined ? `asked to wait ${seconds(waitMs)} (Retry-After), longer than the time left` : 'no time was left to retry';
        throw this.hostFailure(state, origin, `${hostName} ${lastProblem}; ${why} in the lookup's budget of ${seconds(budget.totalMs)}`);
      }
      await sleep(wait);
    }
    throw this.hostFailure(state, origin, `${hostName} ${lastProblem} (gave up after ${target.policy.retries + 1} attempts)`);
  }

  private openCircuit(state: HostState, origin: string, reason: string): void {
    if (state.circuitOpen !== undefined) return;
    state.circuitOpen = reason;
    this.options.onCircuitOpen?.(origin, reason);
  }

  private hostFailure(state: HostState, origin: string, message: string): RegistryError {
    state.failuresInARow++;
    state.lastFailure = message;
    this.options.onHostFailure?.(origin, message);
    return new RegistryError('host', message);
  }

  private async fetchFollowing(url: string, target: RequestTarget, accept: string, timeoutMs: number): Promise<HttpResponse & { retryAfter?: number }> {
    const signal = AbortSignal.timeout(timeoutMs);
    let current = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const headers: Record<string, string> = { 'user-agent': this.options.userAgent, accept };
      // Compared per hop: a redirect to another origin must not carry the token along.
      if (target.authorization && target.authOrigin && new URL(current).origin === target.authOrigin) headers.authorization = target.authorization;
      const res = await this.fetch(current, { headers, redirect: 'manual', signal });
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel();
        const next = new URL(location, current);
        if (this.options.loopbackOnly && !isLoopback(next.hostname)) throw new RegistryError('host', `network access is off (SEAWORTHY_LOOPBACK_ONLY): a redirect to ${next.host} was not followed`);
        current = next.href;
        continue;
      }
      const body = await this.readBody(res, current);
      return { status: res.status, url: current, body, text: () => body.toString('utf8'), retryAfter: retryAfterMs(res.headers.get('retry-after')) };
    }
    throw new RegistryError('host', `${new URL(url).host} redirected more than ${MAX_REDIRECTS} times`);
  }

  private async readBody(res: Response, url: string): Promise<Buffer> {
    const max = this.options.maxBodyBytes ?? 128 * 1024 * 1024;
    const tooLarge = () => new RegistryError('host', `${new URL(url).host} sent a document larger than ${Math.round(max / 1024 / 1024)} MiB`);
    if (Number(res.headers.get('content-length') ?? 0) > max) {
      await res.body?.cancel();
      throw tooLarge();
    }
    if (!res.body) return Buffer.alloc(0);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += chunk.byteLength;
      if (size > max) throw tooLarge();
      chunks.push(Buffer.from(chunk));
    }
    return Buffer.concat(chunks);
  }
}
