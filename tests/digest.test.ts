// The nightly digest against a real receiver on 127.0.0.1 that fails, times out and answers 429:
// bounded retries, Retry-After, no duplicate post for a run, secrets kept out of every report.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig, type SeaworthyConfig } from '../crawler/config.ts';
import { digestAfterRun, digestMarkdown, idempotencyKey, retryAfterMs, sendDigest } from '../crawler/digest.ts';
import type { Logger } from '../crawler/log.ts';
import { openDb } from '../data/db.ts';
import { CLI, scaled, tempDir, writeConfig } from './helpers.ts';
import { createRepo } from '../fixtures/factory.ts';
import { repo, writeRuns } from './store-fixtures.ts';

type Behaviour = (count: number) => { status: number; headers?: Record<string, string> } | 'hang';

interface Received {
  path: string;
  at: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver: each request is answered by `behaviour(n)` (n counts from 1), or never answered. */
async function receiver() {
  const received: Received[] = [];
  let behaviour: Behaviour = () => ({ status: 200 });
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ path: req.url ?? '', at: Date.now(), headers: req.headers, body });
      const answer = behaviour(received.length);
      if (answer === 'hang') {
        hanging.add(res);
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers }).end(answer.status < 300 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    received,
    url: (secret: string) => `http://127.0.0.1:${port}/services/${secret}`,
    set(next: Behaviour) {
      behaviour = next;
      received.length = 0;
    },
    close: () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  return { lines, info: log('info'), warn: log('warn'), error: log('error'), progress: () => ({ tick() {}, done() {} }) as never };
}

const SECRET = 'T000/B000/XXXXsecretXXXX';
// Timeouts and budgets the tests are about, stretched on a loaded machine like every deadline (tests/time-scale.ts).
const TIMEOUT_S = scaled(500) / 1000;
const BUDGET_S = scaled(4000) / 1000;

describe('nightly digest webhook', () => {
  const tmp = tempDir('sw-digest-');
  let hook: Awaited<ReturnType<typeof receiver>>;
  let dbPath: string;
  let config: SeaworthyConfig;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    hook = await receiver();
    env = { SW_HOOK_ALPHA: hook.url(SECRET) };
    const yaml = `sources:\n  - type: local\n    paths: ['repos/*']\nsite:\n  title: Acme\n  url: https://scorecards.example.com/\nteams:\n  - name: alpha\n    displayName: Alpha\n    repos: [api]\n  - name: beta\n    displayName: Beta\n    repos: [db]\ndigest:\n  webhooks:\n    - urlEnv: SW_HOOK_ALPHA\n      teams: [alpha]\n  timeoutSeconds: ${TIMEOUT_S}\n  retries: 2\n  budgetSeconds: ${BUDGET_S}\n`;
    config = parseConfig(yaml, path.join(tmp.dir, 'seaworthy.config.yaml'));
  });

  let databases = 0;
  /** A fresh database: two runs, alpha's api regressed in the second, beta had no news. */
  function freshDatabase(): string {
    const file = path.join(tmp.dir, `digest-${++databases}.db`);
    writeRuns(file, [
      ['2026-10-01', [repo('api', 'alpha', { c1: ['pass', 9] }), repo('db', 'beta', { c1: ['pass', 9] })]],
      ['2026-10-15', [repo('api', 'alpha', { c1: ['fail', 2] }), repo('db', 'beta', { c1: ['pass', 9] })]],
    ]);
    return file;
  }

  beforeEach(() => {
    dbPath = freshDatabase();
  });

  afterAll(async () => {
    await hook.close();
    tmp.cleanup();
  });

  it('posts one Slack-compatible message per team with news, with a text fallback and an idempotency key', async () => {
    hook.set(() => ({ status: 200 }));
    const report = (await sendDigest(config, { dbPath, logger: recordingLogger(), env, backoffMs: 50 }))!;
    expect(report.deliveries).toEqual([{ team: 'alpha', target: 'SW_HOOK_ALPHA', outcome: 'sent', attempts: 1, entries: 1 }]);
    expect(report.quietTeams).toEqual(['beta']);
    expect(hook.received).toHaveLength(1);
    const [post] = hook.received;
    expect(post!.path).toBe(`/services/${SECRET}`);
    expect(post!.headers['content-type']).toBe('application/json');
    expect(post!.headers['idempotency-key']).toBe(idempotencyKey(report.runId, 'alpha'));
    const message = JSON.parse(post!.body) as { text: string; blocks: { type: string; text: { text: string } }[] };
    expect(message.text).toContain('Acme: 1 item of news for Alpha');
    expect(message.text).toContain('api: c1 went from pass to fail https://scorecards.example.com/repos/');
    expect(message.blocks.map((b) => b.type)).toEqual(['header', 'section']);
    expect(message.blocks[1]!.text.text).toMatch(/^\*Regressions\*\n• <https:\/\/scorecards\.example\.com\/repos\/[^|]+\|api: c1 went from pass to fail>$/);
  });

  it('does not post again when the job is re-run for the same run', async () => {
    hook.set(() => ({ status: 200 }));
    await sendDigest(config, { dbPath, logger: recordingLogger(), env, backoffMs: 50 });
    const again = (await sendDigest(config, { dbPath, logger: recordingLogger(), env, backoffMs: 50 }))!;
    expect(again.deliveries).toEqual([{ team: 'alpha', target: 'SW_HOOK_ALPHA', outcome: 'already-sent', attempts: 0, entries: 1 }]);
    expect(hook.received).toHaveLength(1);
  });

  it('retries a server error and gets through', async () => {
    hook.set((n) => ({ status: n === 1 ? 503 : 200 }));
    const report = (await sendDigest(config, { dbPath, logger: recordingLogger(), env, backoffMs: 50 }))!;
    expect(report.deliveries[0]).toMatchObject({ outcome: 'sent', attempts: 2 });
    expect(hook.received).toHaveLength(2);
    // Both attempts carry the same key, so a receiver that got the first can drop the second.
    expect(hook.received[0]!.headers['idempotency-key']).toBe(hook.received[1]!.headers['idempotency-key']);
  });

  it('waits as long as Retry-After says on 429, and gives up at once when that is beyond the budget', async () => {
    hook.set((n) => (n === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }));
    const report = (await sendDigest(config, { dbPath, logger: recordingLogger(), env, backoffMs: 50 }))!;
    expect(report.deliveries[0]).toMatchObject({ outcome: 'sent', attempts: 2 });
    // The backoff would have been 50 ms: the second post came no sooner than the second asked for.
    expect(hook.received[1]!.at - hook.received[0]!.at).toBeGreaterThanOrEqual(950);

    hook.set(() => ({ status: 429, headers: { 'retry-after': '3600' } }));
    dbPath = freshDatabase();
    const refused = (await sendDigest(config, { dbPath, logger: recordingLogger(), env, backoffMs: 50 }))!;
    expect(refused.deliveries[0]).toMatchObject({ outcome: 'failed', attempts: 1, error: `HTTP 429; Retry-After 3600 s is beyond the time budget of ${BUDGET_S} s` });
    expect(hook.received).toHaveLength(1);
  });

  it('gives up on a receiver that never answers after the allowed retries, within the budget, and sends on the next attempt', async () => {
    hook.set(() => 'hang');
    const started = Date.now();
    const report = (await sendDigest(config, { dbPath, logger: recordingLogger(), env, backoffMs: 50 }))!;
    expect(report.deliveries[0]).toMatchObject({ outcome: 'failed', attempts: 3, error: 'timed out after 3 attempts' });
    expect(hook.received).toHaveLength(3);
    // Three timeouts and two short backoffs: well inside the budget, which bounds the whole delivery.
    expect(Date.now() - started).toBeLessThan(BUDGET_S * 1000 + scaled(2000));
    // A failed delivery is not "sent": the re-run of the job delivers it.
    hook.set(() => ({ status: 200 }));
    const rerun = (await sendDigest(config, { dbPath, logger: recordingLogger(), env, backoffMs: 50 }))!;
    expect(rerun.deliveries[0]).toMatchObject({ outcome: 'sent', attempts: 1 });
    const db = openDb(dbPath, { readonly: true });
    const row = db.prepare('SELECT status, attempts, target FROM digest_deliveries').get();
    db.close();
    expect(row).toEqual({ status: 'sent', attempts: 4, target: 'SW_HOOK_ALPHA' });
  });

  it('does not retry a refusal such as 404, and never lets the URL into logs, reports, the summary or the database', async () => {
    hook.set(() => ({ status: 404 }));
    const logger = recordingLogger();
    let summary = '';
    const report = (await digestAfterRun(config, { dbPath, logger, env, backoffMs: 50, writeSummary: (m) => (summary += m) }))!;
    expect(report.deliveries[0]).toMatchObject({ outcome: 'failed', attempts: 1 });
    expect(report.deliveries[0]!.error).toContain('HTTP 404 (not retried');
    expect(summary).toContain('### Seaworthy digest: 1 not delivered');
    expect(summary).toContain('| alpha | `SW_HOOK_ALPHA` | failed | 1 | 1 |');
    const db = openDb(dbPath, { readonly: true });
    const stored = JSON.stringify(db.prepare('SELECT * FROM digest_deliveries').all());
    db.close();
    for (const text of [summary, JSON.stringify(report), logger.lines.join('\n'), stored, readFileSync(dbPath).toString('latin1')]) expect(text).not.toContain('secret');
  });

  it('reports a missing variable or a plain-http address elsewhere, and never throws for the night', async () => {
    const missing = (await sendDigest(config, { dbPath, logger: recordingLogger(), env: {} }))!;
    expect(missing.deliveries[0]).toMatchObject({ outcome: 'failed', attempts: 0, error: 'SW_HOOK_ALPHA is not set' });
    const plain = (await sendDigest(config, { dbPath, logger: recordingLogger(), env: { SW_HOOK_ALPHA: 'http://hooks.example.com/x' } }))!;
    expect(plain.deliveries[0]).toMatchObject({ outcome: 'failed', error: 'SW_HOOK_ALPHA does not hold an https URL' });
    // Even a database that cannot be read is a line in the summary, not a failed crawl.
    let summary = '';
    const none = await digestAfterRun(config, { dbPath: path.join(tmp.dir, 'absent.db'), logger: recordingLogger(), env, writeSummary: (m) => (summary += m) });
    expect(none).toBeUndefined();
    expect(summary).toContain('### Seaworthy digest: not sent');
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('120')).toBe(120_000);
    expect(retryAfterMs('Wed, 21 Oct 2026 07:28:10 GMT', Date.parse('2026-10-21T07:28:00Z'))).toBe(10_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
    expect(digestMarkdown({ runId: 1, deliveries: [], quietTeams: ['a'] })).toBe('### Seaworthy digest: no news\n\nNo news for a: nothing posted.\n');
  });
});

/** The CLI run asynchronously, so the receiver in this process can answer it. */
function cli(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), scaled(180_000));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('the digest after a real crawl', () => {
  const tmp = tempDir('sw-digest-cli-');
  afterAll(() => tmp.cleanup());

  it('reports an undeliverable digest in the job summary and leaves the crawl\'s exit code alone', async () => {
    const hook = await receiver();
    try {
      hook.set(() => ({ status: 500 }));
      createRepo(path.join(tmp.dir, 'repos'), { name: 'pay-api', commits: [{ date: '2026-11-01T00:00:00Z', message: 'init', files: { Dockerfile: 'FROM scratch\n', 'README.md': '# pay-api\n' } }] });
      // A waiver expiring a week after the crawl: news for the team on the first night.
      const configPath = writeConfig(
        tmp.dir,
        `sources:\n  - type: local\n    paths: ['repos/*']\ndatabase: sw.db\nteams:\n  - name: payments\n    displayName: Payments\n    repos: ['pay-*']\nexemptions:\n  - repo: pay-api\n    check: runbooks\n    reason: On-call rotation starts next month.\n    expires: '2026-11-28'\ndigest:\n  webhooks:\n    - urlEnv: SW_TEST_HOOK\n  timeoutSeconds: ${TIMEOUT_S * 2}\n  retries: 1\n  budgetSeconds: ${BUDGET_S}\n`,
      );
      const summaryFile = path.join(tmp.dir, 'summary.md');
      const run = await cli(['crawl', '-c', configPath, '--offline', '--now', '2026-11-21T02:00:00Z'], { SW_TEST_HOOK: hook.url(SECRET), GITHUB_STEP_SUMMARY: summaryFile }, tmp.dir);
      expect(run.code, run.stderr).toBe(0);
      expect(hook.received).toHaveLength(2);
      expect(JSON.parse(hook.received[0]!.body).text).toContain('pay-api: waiver of Runbooks expires 2026-11-28');
      const summary = readFileSync(summaryFile, 'utf8');
      expect(summary).toContain('### Seaworthy crawl: ok');
      expect(summary).toContain('### Seaworthy digest: 1 not delivered');
      expect(summary).toContain('| payments | `SW_TEST_HOOK` | failed | 2 | 1 | HTTP 500 after 2 attempts |');
      expect(summary + run.stderr).not.toContain('secret');
    } finally {
      await hook.close();
    }
  });
});
