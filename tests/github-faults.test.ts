// GitHub misbehaving: every fault is bounded in attempts and time, the crawl finishes for every
// other repository, and a repository that cannot be read keeps its last good result, marked stale.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FixtureRepoSpec } from '../fixtures/factory.ts';
import { FAKE_TOKEN, memoryLogger, runCliAsync, startFleet } from './github-fleet.ts';
import { git, scaled } from './helpers.ts';

const spec = (name: string): FixtureRepoSpec => ({
  name,
  commits: [{ date: '2026-09-01T00:00:00Z', message: 'init', files: { 'RUNBOOK.md': `# ${name}\n\n## Symptoms\nErrors rise.\n`, Dockerfile: 'FROM scratch\n' } }],
});

// Re-read every time (no carry-forward), small timeouts, two retries.
// Two retries. A request to the in-process fake may take as long as a loaded machine makes it: the
// request timeout is short only in the tests about it (SEAWORTHY_TEST_TIME_SCALE scales both).
const SOURCE = `    budget: {requestTimeoutSeconds: ${scaled(30_000) / 1000}, retries: 2, maxRateLimitWaitMinutes: 1}\n`;
const TIMEOUT_MS = scaled(500);
const TIMEOUT_SOURCE = `    budget: {requestTimeoutSeconds: ${TIMEOUT_MS / 1000}, retries: 2, maxRateLimitWaitMinutes: 1}\n`;
/** Seconds as the client words them (one decimal), for matching its messages. */
const secondsText = (ms: number) => String(Math.round(ms / 100) / 10).replace('.', '\\.');
const EXTRA = 'crawl: {carryForwardDays: 0}\n';

describe('GitHub faults', () => {
  let fleet: Awaited<ReturnType<typeof startFleet>>;

  beforeAll(async () => {
    fleet = await startFleet(['alpha', 'bravo', 'charlie'].map((name) => ({ spec: spec(name) })));
    const first = await fleet.crawl(fleet.config(EXTRA, SOURCE));
    expect(first.status).toBe('ok');
  });
  afterAll(() => fleet.stop());
  beforeEach(() => {
    fleet.fake.clearFaults();
    fleet.fake.repoErrors.clear();
    fleet.fake.resetLog();
  });

  const attempts = (what: string) => fleet.fake.log.filter((l) => l.what === what).length;
  const dropCache = () => rmSync(path.join(fleet.dir, 'git-cache'), { recursive: true, force: true });
  const lastGoodRun = (before: number) => {
    const db = new Database(fleet.dbPath, { readonly: true });
    try {
      return db.prepare("SELECT MAX(id) FROM runs WHERE status = 'ok' AND id < ?").pluck().get(before) as number;
    } finally {
      db.close();
    }
  };
  const rows = (runId: number) => {
    const db = new Database(fleet.dbPath, { readonly: true });
    try {
      return db.prepare('SELECT r.name, rr.status, rr.carried_from_run AS carried, rr.stale_reason AS stale, rr.score FROM repo_runs rr JOIN repositories r ON r.id = rr.repo_id WHERE rr.run_id = ? ORDER BY r.name').all(runId) as { name: string; status: string; carried: number | null; stale: string | null; score: number | null }[];
    } finally {
      db.close();
    }
  };

  it('retries 502, 503 and malformed JSON, then succeeds', async () => {
    fleet.fake.inject({ on: 'graphql', match: /PullRequests/, times: 1, fault: { kind: 'status', status: 502 } });
    fleet.fake.inject({ on: 'graphql', match: /PullRequests/, times: 1, fault: { kind: 'malformed' } });
    fleet.fake.inject({ on: 'git', match: /git-upload-pack alpha/, times: 1, fault: { kind: 'status', status: 503 } });
    dropCache(); // the cache holds every head: clone again, so git is asked
    const summary = await fleet.crawl(fleet.config(EXTRA, SOURCE));
    expect(summary).toMatchObject({ status: 'ok', repositories: 3, errors: [] });
    expect(attempts('PullRequests')).toBe(3);
    expect(attempts('git-upload-pack alpha')).toBe(4); // the clone's negotiation failed once and was retried (2 + 1), then its blobs (1)
    expect(summary.git).toMatchObject({ clones: 3, retries: 1 });
  });

  it('gives up after a bounded number of attempts; every repository keeps its last good result, marked stale', async () => {
    fleet.fake.inject({ on: 'graphql', match: /PullRequests/, times: 1000, fault: { kind: 'status', status: 503 } });
    const logger = memoryLogger();
    const summary = await fleet.crawl(fleet.config(EXTRA, SOURCE), { logger });
    // One batch: the first try and two retries; then each half of it once (with its retries), in case
    // one repository made GitHub fail. Both halves failing says it is GitHub: nothing more is asked.
    expect(attempts('PullRequests')).toBe(9);
    expect(summary).toMatchObject({ status: 'failed', stale: 3 });
    expect(summary.errors[0]!.error).toMatch(/HTTP 503.*after 3 attempts.*kept its last good result from run \d+, marked stale/);
    const good = lastGoodRun(summary.runId);
    const before = rows(good);
    const after = rows(summary.runId);
    expect(after.map((r) => [r.name, r.status, r.carried, r.score])).toEqual(before.map((r) => [r.name, 'ok', good, r.score]));
    expect(before.length).toBe(3);
    expect(after.every((r) => /503/.test(r.stale ?? ''))).toBe(true);
  });

  it('keeps going when one repository is NOT_FOUND or forbidden inside a batch', async () => {
    fleet.fake.repoErrors.set('bravo', 'NOT_FOUND');
    const summary = await fleet.crawl(fleet.config(EXTRA, SOURCE));
    expect(summary).toMatchObject({ status: 'partial', repositories: 3, stale: 1 });
    expect(summary.errors.map((e) => e.repo)).toEqual(['bravo']);
    expect(summary.errors[0]!.error).toMatch(/NOT_FOUND/);
    const after = rows(summary.runId);
    expect(after.map((r) => [r.name, r.carried, r.stale === null])).toEqual([['alpha', null, true], ['bravo', lastGoodRun(summary.runId), false], ['charlie', null, true]]);
    expect(attempts('PullRequests')).toBe(1); // a data error is not retried

    fleet.fake.resetLog();
    fleet.fake.repoErrors.set('bravo', 'FORBIDDEN');
    const forbidden = await fleet.crawl(fleet.config(EXTRA, SOURCE));
    expect(forbidden.errors[0]!.error).toMatch(/FORBIDDEN: Resource not accessible/);
  });

  it('times out a request that never answers, retries it, and bounds it', async () => {
    fleet.fake.inject({ on: 'graphql', match: /PullRequests/, times: 1, fault: { kind: 'hang' } });
    expect((await fleet.crawl(fleet.config(EXTRA, TIMEOUT_SOURCE))).status).toBe('ok');
    expect(attempts('PullRequests')).toBe(2);

    fleet.fake.resetLog();
    fleet.fake.inject({ on: 'graphql', match: /PullRequests/, times: 100, fault: { kind: 'hang' } });
    const summary = await fleet.crawl(fleet.config(EXTRA, TIMEOUT_SOURCE));
    expect(attempts('PullRequests')).toBe(9); // the batch, then its two halves, three attempts each
    expect(summary.status).toBe('failed');
    expect(summary.errors[0]!.error).toMatch(new RegExp(`no complete answer within ${secondsText(TIMEOUT_MS)} s`));
  });

  it('survives a very slow response within the timeout and retries one beyond it', async () => {
    fleet.fake.inject({ on: 'graphql', match: /PullRequests/, times: 1, fault: { kind: 'slow', ms: 200 } });
    expect((await fleet.crawl(fleet.config(EXTRA, TIMEOUT_SOURCE))).status).toBe('ok');
    expect(attempts('PullRequests')).toBe(1);

    fleet.fake.resetLog();
    fleet.fake.inject({ on: 'graphql', match: /PullRequests/, times: 1, fault: { kind: 'slow', ms: 6 * TIMEOUT_MS } }); // its last piece is due after the client's timeout
    const summary = await fleet.crawl(fleet.config(EXTRA, TIMEOUT_SOURCE));
    expect(summary.status).toBe('ok');
    expect(attempts('PullRequests')).toBe(2);
    // GitHub charged the answer that never arrived in time too (discovery, teams, the pull-request
    // query twice): the recorded cost is what its counters say, not what the answers reported.
    expect(fleet.fake.pointsUsed).toBe(4);
    expect(summary.api!.points).toBe(fleet.fake.pointsUsed);
    const db = new Database(fleet.dbPath, { readonly: true });
    expect(db.prepare('SELECT api_points FROM runs WHERE id = ?').pluck().get(summary.runId)).toBe(4);
    db.close();
  });

  it('honours Retry-After of a secondary rate limit, and stops after a few', async () => {
    fleet.fake.inject({ on: 'graphql', match: /PullRequests/, times: 1, fault: { kind: 'secondary', retryAfter: 2 } });
    const logger = memoryLogger();
    expect((await fleet.crawl(fleet.config(EXTRA, TIMEOUT_SOURCE), { logger })).status).toBe('ok');
    expect(attempts('PullRequests')).toBe(2);
    expect(logger.lines.some((l) => l.includes('GitHub secondary rate limit') && l.includes('"retryAfterSeconds":2') && l.includes('"waiting":"yes"'))).toBe(true);

    fleet.fake.resetLog();
    fleet.fake.inject({ on: 'graphql', match: /PullRequests/, times: 100, fault: { kind: 'secondary', retryAfter: 1 } });
    const summary = await fleet.crawl(fleet.config(EXTRA, TIMEOUT_SOURCE));
    expect(attempts('PullRequests')).toBe(4);
    expect(summary.status).toBe('failed');
    expect(summary.errors[0]!.error).toMatch(/secondary rate limit/);
  });

  it('does not wait out a secondary limit whose Retry-After exceeds the cap, and sends nothing more until it lifts', async () => {
    fleet.fake.inject({ on: 'graphql', match: /PullRequests/, times: 100, fault: { kind: 'secondary', retryAfter: 3600 } });
    const logger = memoryLogger();
    // Real seconds: an hour is far beyond the one minute a secondary limit may be waited for. One
    // repository per batch, one at a time, so later batches come after the refusal.
    dropCache();
    const summary = await fleet.crawl(fleet.config('crawl: {carryForwardDays: 0, concurrency: 1}\n', SOURCE), { logger, secondMs: 1000, batchSize: 1 });
    expect(summary).toMatchObject({ status: 'failed', stale: 3 });
    expect(summary.errors.map((e) => e.error)).toEqual(Array.from({ length: 3 }, () => expect.stringMatching(/secondary rate limit/)));
    expect(logger.lines.filter((l) => l.includes('GitHub secondary rate limit')).map((l) => /"waiting":"(\w+)"/.exec(l)?.[1])).toEqual(['no']);
    // One refused query, then silence: no retry, no other batch, and no git for repositories whose pull requests cannot be asked.
    expect(fleet.fake.log.map((l) => l.what)).toEqual(['Discover', 'PullRequests']);
  });

  it('waits for the hourly budget to reset when that is soon, and stops asking when it is far', async () => {
    fleet.fake.inject({ on: 'graphql', match: /PullRequests/, times: 1, fault: { kind: 'exhausted', resetIn: 1 } });
    const logger = memoryLogger();
    // Real seconds here: the fake's reset is real time.
    const waited = await fleet.crawl(fleet.config(EXTRA, TIMEOUT_SOURCE), { logger, secondMs: 1000 });
    expect(waited.status).toBe('ok');
    expect(logger.lines.some((l) => l.includes('GitHub API budget exhausted') && l.includes('"waiting":"yes"'))).toBe(true);

    fleet.fake.resetLog();
    fleet.fake.inject({ on: 'graphql', match: /PullRequests/, times: 1, fault: { kind: 'exhausted', resetIn: 3600 } });
    dropCache();
    // One repository per batch, one at a time: the later batches come after the refusal.
    const far = await fleet.crawl(fleet.config('crawl: {carryForwardDays: 0, concurrency: 1}\n', SOURCE), { secondMs: 1000, batchSize: 1 });
    expect(far).toMatchObject({ status: 'failed', stale: 3 });
    expect(far.errors.map((e) => e.error)).toEqual(Array.from({ length: 3 }, () => expect.stringMatching(/GraphQL API budget exhausted; it resets in 3[56]\d\d s/)));
    // After the refusal nothing more is sent: no retry storm against an empty budget, and no git
    // for repositories whose pull requests cannot be asked.
    expect(fleet.fake.log.map((l) => l.what)).toEqual(['Discover', 'PullRequests']);
    fleet.fake.exhaust(0);
  });

  it('stops at the total time budget; what was not reached keeps its last result, marked stale', async () => {
    // 1.2 s on a quiet machine; every pull-request query trickles over four budgets.
    const budgetMs = scaled(1200);
    fleet.fake.inject({ on: 'graphql', match: /PullRequests/, times: 100, fault: { kind: 'slow', ms: 4 * budgetMs } });
    const summary = await fleet.crawl(fleet.config(EXTRA, `    budget: {maxMinutes: ${budgetMs / 60_000}, requestTimeoutSeconds: ${scaled(30_000) / 1000}, retries: 5}\n`));
    expect(summary.stale).toBe(3);
    expect(summary.errors.map((e) => e.error)).toEqual(Array.from({ length: 3 }, () => expect.stringMatching(new RegExp(`time budget of ${secondsText(budgetMs)} s is used up|no complete answer within`))));
  });

  it('the CLI says partial and exits 1, and never prints or stores the token', async () => {
    fleet.fake.repoErrors.set('charlie', 'FORBIDDEN');
    const config = path.join(fleet.dir, 'cli.config.yaml');
    writeFileSync(config, `database: seaworthy.db\ncrawl: {carryForwardDays: 0}\nsources:\n  - type: github\n    org: acme\n    apiUrl: ${fleet.fake.apiUrl}\n    budget: {retries: 0}\n`);
    const partial = await runCliAsync(['crawl', '-c', config, '--json'], { GITHUB_TOKEN: FAKE_TOKEN });
    expect(partial.code).toBe(1);
    const summary = JSON.parse(partial.stdout) as { status: string; api: { points: number } };
    expect(summary.status).toBe('partial');
    expect(summary.api.points).toBeGreaterThan(0);
    expect(partial.stderr).toContain('charlie');

    const text = await runCliAsync(['crawl', '-c', config], { GITHUB_TOKEN: FAKE_TOKEN });
    expect(text.stderr).toMatch(/seaworthy: run \d+ partial · 3 repositories: 2 crawled, 0 carried forward unchanged, 1 failed \(1 kept their last good result, marked stale\) · GitHub: \d+ points.* · git: \d+ cloned, \d+ fetched(, \d+ already cached)?, [\d.]+ MB received in [\d.]+ s.*; cache [\d.]+ MB/);

    // Bad credentials: every request is refused; the message must not echo what was sent, and the
    // site keeps showing the last good run (no ok or partial run appears).
    const shown = () => {
      const db = new Database(fleet.dbPath, { readonly: true });
      try {
        return db.prepare("SELECT MAX(id) FROM runs WHERE status IN ('ok', 'partial')").pluck().get() as number;
      } finally {
        db.close();
      }
    };
    const before = shown();
    const refused = await runCliAsync(['crawl', '-c', config, '--log-format', 'json', '--json'], { GITHUB_TOKEN: `${FAKE_TOKEN}-wrong` });
    // Nothing could be read: a broken crawl (4), never mistaken for a partial one the workflow publishes.
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/listing the repositories of acme: GitHub refused the credentials \(401\)/);
    // --json still answers, with what happened.
    expect(JSON.parse(refused.stdout)).toMatchObject({ runId: null, status: 'failed', repositories: 0, error: expect.stringMatching(/GitHub refused the credentials \(401\)/) });
    expect(shown()).toBe(before);

    const everything = [partial, text, refused].map((r) => r.stdout + r.stderr).join('\n');
    expect(everything).not.toContain(FAKE_TOKEN);
    expect(everything).not.toContain(FAKE_TOKEN.slice(4, 20));
    for (const file of readdirSync(fleet.dir).filter((f) => f.startsWith('seaworthy.db'))) {
      expect(readFileSync(path.join(fleet.dir, file)).includes(Buffer.from(FAKE_TOKEN.slice(4, 20))), file).toBe(false);
    }
    // The fake did receive it: the test would notice if the token were never sent at all.
    expect(fleet.fake.log.some((l) => l.authorization?.includes(FAKE_TOKEN))).toBe(true);
  });
});

describe('GitHub faults over git, and one repository failing inside a batch', () => {
  let fleet: Awaited<ReturnType<typeof startFleet>>;
  const cacheOf = (name: string) => path.join(fleet.dir, 'git-cache', `127.0.0.1_${new URL(fleet.fake.url).port}`, 'acme', `${name}.git`);
  const attempts = (what: string) => fleet.fake.log.filter((l) => l.what === what).length;
  const dropCache = () => rmSync(path.join(fleet.dir, 'git-cache'), { recursive: true, force: true });
  const commit = (name: string) => {
    const dir = fleet.fake.options.repos.find((r) => r.name === name)!.dir;
    writeFileSync(path.join(dir, 'RUNBOOK.md'), `# ${name}\n\n## Symptoms\nErrors rise at ${Date.now()}.\n`);
    git(dir, 'add', 'RUNBOOK.md');
    git(dir, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'runbook');
  };
  const staleOf = (runId: number) => {
    const db = new Database(fleet.dbPath, { readonly: true });
    try {
      return db.prepare('SELECT r.name, rr.stale_reason AS stale FROM repo_runs rr JOIN repositories r ON r.id = rr.repo_id WHERE rr.run_id = ? AND rr.stale_reason IS NOT NULL ORDER BY r.name').all(runId) as { name: string; stale: string }[];
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    fleet = await startFleet(['alpha', 'bravo', 'charlie'].map((name) => ({ spec: spec(name) })));
    expect((await fleet.crawl(fleet.config(EXTRA, SOURCE))).status).toBe('ok');
  });
  afterAll(() => fleet.stop());
  beforeEach(() => {
    fleet.fake.clearFaults();
    fleet.fake.repoErrors.clear();
    fleet.fake.fieldErrorStatus = 200;
    fleet.fake.resetLog();
  });

  it('retries a clone whose connection dropped mid-pack, and a 502, within the retries', async () => {
    dropCache();
    fleet.fake.inject({ on: 'git', match: /git-upload-pack bravo/, times: 1, fault: { kind: 'drop', afterBytes: 200 } });
    fleet.fake.inject({ on: 'git', match: /info\/refs charlie/, times: 1, fault: { kind: 'status', status: 502 } });
    const summary = await fleet.crawl(fleet.config(EXTRA, SOURCE));
    expect(summary).toMatchObject({ status: 'ok', errors: [] });
    expect(summary.git).toMatchObject({ clones: 3, retries: 2 });
    expect(fleet.fake.log.some((l) => l.kind === 'git' && l.what === 'git-upload-pack bravo' && l.status === 0)).toBe(true); // the drop happened
  });

  it('keeps a repository whose fetches keep failing at its last good result, marked stale; the others are read', async () => {
    commit('bravo');
    fleet.fake.inject({ on: 'git', match: /bravo/, times: 100, fault: { kind: 'status', status: 503 } });
    const logger = memoryLogger();
    const summary = await fleet.crawl(fleet.config(EXTRA, SOURCE), { logger });
    expect(summary).toMatchObject({ status: 'partial', stale: 1 });
    expect(attempts('info/refs bravo')).toBe(3); // the first try and two retries
    expect(staleOf(summary.runId)).toEqual([{ name: 'bravo', stale: expect.stringMatching(/fetching acme\/bravo: .*503.*\(after 3 attempts\)/) }]);
    // The cached copy was sound (fsck): it is kept, not cloned again.
    expect(logger.lines.some((l) => l.includes('damaged'))).toBe(false);
  });

  it('does not retry git when GitHub refuses the credentials', async () => {
    commit('charlie');
    fleet.fake.inject({ on: 'git', match: /info\/refs charlie/, times: 100, fault: { kind: 'status', status: 401 } });
    const summary = await fleet.crawl(fleet.config(EXTRA, SOURCE));
    expect(attempts('info/refs charlie')).toBe(1);
    expect(staleOf(summary.runId)).toEqual([{ name: 'charlie', stale: expect.stringMatching(/GitHub refused the credentials for git/) }]);
  });

  it('waits for a slow pack within the stall limit', async () => {
    dropCache();
    fleet.fake.inject({ on: 'git', match: /git-upload-pack alpha/, times: 3, fault: { kind: 'slow', ms: 150 } });
    const summary = await fleet.crawl(fleet.config(EXTRA, SOURCE));
    expect(summary).toMatchObject({ status: 'ok', errors: [] });
    expect(summary.git).toMatchObject({ retries: 0 });
  });

  it('finds a damaged cached copy with fsck and clones it again', async () => {
    expect((await fleet.crawl(fleet.config(EXTRA, SOURCE))).status).toBe('ok'); // every copy current
    const packs = path.join(cacheOf('alpha'), 'objects', 'pack');
    for (const file of readdirSync(packs).filter((f) => f.endsWith('.pack'))) {
      const bytes = readFileSync(path.join(packs, file));
      writeFileSync(path.join(packs, file), bytes.subarray(0, Math.floor(bytes.length / 2)));
    }
    fleet.fake.resetLog();
    const logger = memoryLogger();
    const summary = await fleet.crawl(fleet.config(EXTRA, SOURCE), { logger });
    expect(summary).toMatchObject({ status: 'ok', errors: [] });
    expect(logger.lines.filter((l) => l.includes('the cached copy of a repository is damaged; cloning it again'))).toHaveLength(1);
    expect(summary.git).toMatchObject({ reclones: 1 });
    // It ends with a fresh clone and its blobs, and the copy is sound again.
    expect(fleet.fake.log.filter((l) => l.kind === 'git').map((l) => l.what).slice(-5)).toEqual(['info/refs alpha', 'git-upload-pack alpha', 'git-upload-pack alpha', 'info/refs alpha', 'git-upload-pack alpha']);
    expect(git(cacheOf('alpha'), 'fsck', '--connectivity-only', '--no-dangling')).toBe('');
  });

  it.each([200, 502])('one repository’s field error inside a batch costs only that repository: the batch is not sent again (HTTP %i)', async (status) => {
    fleet.fake.repoErrors.set('bravo', 'INTERNAL');
    fleet.fake.fieldErrorStatus = status; // GitHub has answered them both ways: partial data with 200, or with a server error status
    const summary = await fleet.crawl(fleet.config(EXTRA, SOURCE));
    expect(attempts('PullRequests')).toBe(1);
    expect(summary).toMatchObject({ status: 'partial', stale: 1 });
    expect(staleOf(summary.runId)).toEqual([{ name: 'bravo', stale: expect.stringMatching(/something went wrong while executing it/) }]);
  });

  it('a batch GitHub fails as a whole because of one repository is halved until only that repository fails', async () => {
    fleet.fake.repoErrors.set('charlie', 'TIMEOUT');
    const summary = await fleet.crawl(fleet.config(EXTRA, SOURCE));
    expect(summary).toMatchObject({ status: 'partial', stale: 1 });
    expect(staleOf(summary.runId)).toEqual([{ name: 'charlie', stale: expect.stringMatching(/Something went wrong/) }]);
    // [alpha bravo charlie] three attempts, [alpha bravo] one, [charlie] three.
    expect(fleet.fake.log.filter((l) => l.what === 'PullRequests').map((l) => l.status)).toEqual([502, 502, 502, 200, 502, 502, 502]);
  });
});
