// The nightly digest: after a run, one message per team with news (its feed entries new since the
// previous run) to the incoming webhooks the configuration names, in the Slack-compatible JSON shape.
// Webhook URLs are secrets: read from environment variables at send time, never stored, logged or
// put in the job summary (a webhook is named by its variable). Delivery is bounded (retries, one time
// budget per message, Retry-After honoured within it) and never fails the night: the outcome is
// reported in the job summary, and a delivery is recorded per run, team and webhook, so a job re-run
// for the same run does not post again.
import { openDb } from '../data/db.ts';
import { feedNamespace } from '../data/exports.ts';
import { digestMessage, entriesFor, newsEntries, type NewsEntry } from '../data/news.ts';
import { Queries } from '../data/queries.ts';
import { Scorecard } from '../data/scorecard.ts';
import type { SeaworthyConfig } from './config.ts';
import type { Logger } from './log.ts';
import { CATALOG } from './site.ts';

export type DeliveryOutcome = 'sent' | 'already-sent' | 'failed';

export interface Delivery {
  team: string;
  /** The environment variable naming the webhook (never its URL). */
  target: string;
  outcome: DeliveryOutcome;
  attempts: number;
  entries: number;
  error?: string;
}

export interface DigestReport {
  runId: number;
  deliveries: Delivery[];
  /** Teams without news this run: nothing was posted for them. */
  quietTeams: string[];
}

export interface DigestOptions {
  dbPath: string;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  /** First backoff between retries; doubled each retry (a Retry-After replaces it). */
  backoffMs?: number;
}

/** The idempotency key sent with each post (receivers that honour it drop repeats themselves too). */
export function idempotencyKey(runId: number, team: string): string {
  return `seaworthy-run-${runId}-team-${team}`;
}

/** Retry-After as seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What went wrong, without the URL: fetch errors can carry the address they failed to reach. */
function describeFailure(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timed out';
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return `network error ${cause.code}`;
  return 'network error';
}

/**
 * Posts one message within the budget: retries after timeouts, network errors, 429 and 5xx, waiting
 * Retry-After when the receiver gives one and it fits in what is left of the budget, else doubling
 * the backoff. Other answers (400, 403, 404…) are final: the message or the URL is wrong.
 */
export async function postWithRetries(
  url: string,
  body: string,
  key: string,
  settings: { timeoutSeconds: number; retries: number; budgetSeconds: number; backoffMs?: number },
): Promise<{ ok: boolean; attempts: number; error?: string }> {
  const deadline = Date.now() + settings.budgetSeconds * 1000;
  let backoff = settings.backoffMs ?? 1000;
  let attempts = 0;
  let error = 'not sent';
  while (attempts <= settings.retries) {
    const left = deadline - Date.now();
    if (left <= 0) return { ok: false, attempts, error: `${error}; time budget of ${settings.budgetSeconds} s used up` };
    attempts++;
    let wait = backoff;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key, 'user-agent': 'seaworthy-digest' },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(Math.min(settings.timeoutSeconds * 1000, left)),
      });
      // The body is read so the connection is released; it is never shown (it may echo the request).
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return { ok: true, attempts };
      error = `HTTP ${response.status}`;
      if (response.status !== 429 && response.status < 500) return { ok: false, attempts, error: `${error} (not retried: the message or the webhook address is refused)` };
      const after = retryAfterMs(response.headers.get('retry-after'));
      if (after !== undefined) {
        if (Date.now() + after > deadline) return { ok: false, attempts, error: `${error}; Retry-After ${Math.ceil(after / 1000)} s is beyond the time budget of ${settings.budgetSeconds} s` };
        wait = after;
      }
    } catch (failure) {
      error = describeFailure(failure);
    }
    if (attempts > settings.retries) break;
    const remaining = deadline - Date.now();
    if (wait >= remaining) return { ok: false, attempts, error: `${error}; time budget of ${settings.budgetSeconds} s used up` };
    await sleep(wait);
    backoff *= 2;
  }
  return { ok: false, attempts, error: `${error} after ${attempts} attempts` };
}

/** A webhook URL may be http only on this machine (tests, a local relay); anywhere else it must be https. */
function usableUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol === 'https:') return value;
  if (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) return value;
  return undefined;
}

/** News of a team that is new in the latest run: entries dated after the previous run, up to this one. */
export function newSince(entries: readonly NewsEntry[], previousStartedAt: string | undefined, latestStartedAt: string): NewsEntry[] {
  return entries.filter((e) => (previousStartedAt === undefined || e.updated > previousStartedAt) && e.updated <= latestStartedAt);
}

/** Sends the digest of the latest run. Never throws for a delivery problem: each is in the report. */
export async function sendDigest(config: SeaworthyConfig, options: DigestOptions): Promise<DigestReport | undefined> {
  const settings = config.digest;
  if (!settings) return undefined;
  const env = options.env ?? process.env;
  const queries = new Queries(options.dbPath);
  let report: DigestReport;
  const messages: { team: string; displayName: string; entries: NewsEntry[] }[] = [];
  try {
    const s = new Scorecard(queries, config.levels, CATALOG, { initiatives: config.initiatives });
    if (!s.latest) return undefined;
    const entries = newsEntries(s, feedNamespace({ siteTitle: config.site.title, siteUrl: config.site.url }));
    const fresh = newSince(entries, s.previous?.startedAt, s.latest.startedAt);
    report = { runId: s.latest.id, deliveries: [], quietTeams: [] };
    for (const team of s.teams()) {
      const own = entriesFor(fresh, team.name);
      if (own.length === 0) report.quietTeams.push(team.name);
      else messages.push({ team: team.name, displayName: team.displayName, entries: own });
    }
  } finally {
    queries.close();
  }
  const link = config.site.url ? (p: string) => `${config.site.url!.replace(/\/+$/, '')}${p}` : undefined;
  const db = openDb(options.dbPath);
  try {
    const sent = db.prepare("SELECT 1 FROM digest_deliveries WHERE run_id = ? AND team = ? AND target = ? AND status = 'sent'").pluck();
    const record = db.prepare(
      `INSERT INTO digest_deliveries (run_id, team, target, status, attempts, entries, error, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, team, target) DO UPDATE SET status = excluded.status, attempts = digest_deliveries.attempts + excluded.attempts, entries = excluded.entries, error = excluded.error, updated_at = excluded.updated_at`,
    );
    for (const hook of settings.webhooks) {
      for (const message of messages) {
        if (hook.teams && !hook.teams.includes(message.team)) continue;
        const base = { team: message.team, target: hook.urlEnv, entries: message.entries.length };
        if (sent.get(report.runId, message.team, hook.urlEnv)) {
          report.deliveries.push({ ...base, outcome: 'already-sent', attempts: 0 });
          continue;
        }
        const url = usableUrl(env[hook.urlEnv]);
        let result: { ok: boolean; attempts: number; error?: string };
        if (!url) {
          result = { ok: false, attempts: 0, error: env[hook.urlEnv] ? `${hook.urlEnv} does not hold an https URL` : `${hook.urlEnv} is not set` };
        } else {
          const body = JSON.stringify(digestMessage({ siteTitle: config.site.title, teamName: message.displayName, entries: message.entries, link }));
          result = await postWithRetries(url, body, idempotencyKey(report.runId, message.team), { ...settings, backoffMs: options.backoffMs });
        }
        record.run(report.runId, message.team, hook.urlEnv, result.ok ? 'sent' : 'failed', result.attempts, message.entries.length, result.error ?? null, new Date().toISOString());
        report.deliveries.push({ ...base, outcome: result.ok ? 'sent' : 'failed', attempts: result.attempts, error: result.error });
        if (result.ok) options.logger.info('digest sent', { team: message.team, webhook: hook.urlEnv, entries: message.entries.length, attempts: result.attempts });
        else options.logger.warn('digest not delivered', { team: message.team, webhook: hook.urlEnv, error: result.error });
      }
    }
  } finally {
    db.close();
  }
  return report;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').slice(0, 300);
}

/** The job summary's account of the digest: what went where (by variable name), and what failed and why. */
export function digestMarkdown(report: DigestReport): string {
  const failed = report.deliveries.filter((d) => d.outcome === 'failed').length;
  const lines = [
    `### Seaworthy digest: ${report.deliveries.length === 0 ? 'no news' : failed === 0 ? 'delivered' : `${failed} not delivered`}`,
    '',
    failed > 0 ? 'A digest that could not be delivered does not fail the crawl; it is sent again when the job is re-run for this run.' : '',
  ];
  if (report.deliveries.length > 0) {
    lines.push('', '| team | webhook | outcome | attempts | news | why |', '|---|---|---|---|---|---|');
    for (const d of report.deliveries) lines.push(`| ${cell(d.team)} | \`${cell(d.target)}\` | ${d.outcome} | ${d.attempts} | ${d.entries} | ${cell(d.error ?? '')} |`);
  }
  if (report.quietTeams.length > 0) lines.push('', `No news for ${report.quietTeams.map(cell).join(', ')}: nothing posted.`);
  return lines.filter((l, i) => l !== '' || lines[i - 1] !== '').join('\n') + '\n';
}

/**
 * After a run (crawl or merge): sends the digest if one is configured and says so in the job summary.
 * Nothing here can fail the night: an unexpected error is logged and summarised like a failed delivery.
 */
export async function digestAfterRun(config: SeaworthyConfig, options: DigestOptions & { writeSummary: (markdown: string) => void }): Promise<DigestReport | undefined> {
  if (!config.digest) return undefined;
  try {
    const report = await sendDigest(config, options);
    if (report) options.writeSummary(digestMarkdown(report));
    return report;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    options.logger.warn('digest not sent', { error: message });
    options.writeSummary(`### Seaworthy digest: not sent\n\n${cell(message)}\n\nThe crawl is not failed by this; re-run the job to send it.\n`);
    return undefined;
  }
}
