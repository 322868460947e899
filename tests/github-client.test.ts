// The GitHub client on its own: where it sends requests, how it treats rate limits across its two
// lanes, that it renews App installation tokens before GitHub expires them, and that no credential
// survives into an error.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubClient, GitHubHostError, apiEndpoints, type GitHubClientOptions } from '../crawler/github/client.ts';
import { ORG_QUERY } from '../crawler/github/queries.ts';
import type { Logger } from '../crawler/log.ts';
import { startFleet } from './github-fleet.ts';
import { scaled } from './helpers.ts';

const TOKEN = 'ghp_ClientTestToken0123456789abcdefABCD';
const GRAPHQL_OK = { data: { rateLimit: { cost: 1, remaining: 4999, resetAt: '2030-01-01T00:00:00Z' }, organization: { login: 'acme' } } };

interface Call {
  url: string;
  at: number;
  authorization: string | null;
}

/** A client whose fetch answers from `answer` and records every call. */
function mocked(answer: (call: Call, index: number) => Response, options: Partial<GitHubClientOptions> = {}) {
  const calls: Call[] = [];
  const client = new GitHubClient({
    apiUrl: 'https://api.github.com',
    auth: { token: TOKEN },
    requestTimeoutMs: 5000,
    retries: 0,
    maxRateLimitWaitMs: 0,
    budgetMs: 60_000,
    secondMs: 1,
    ...options,
    fetch: async (url, init) => {
      const call = { url: String(url), at: Date.now(), authorization: new Headers(init?.headers).get('authorization') };
      calls.push(call);
      return answer(call, calls.length - 1);
    },
  });
  return { client, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const tree = () => json(200, { sha: 'a'.repeat(40), truncated: false, tree: [] });
const TREE_ROUTE = 'GET /repos/{owner}/{repo}/git/trees/{tree_sha}';
const treeParams = { owner: 'acme', repo: 'x', tree_sha: 'a'.repeat(40) };

describe('GitHub API endpoints', () => {
  it('finds GraphQL and REST for github.com, GHE.com and every way of naming a GitHub Enterprise Server', () => {
    expect(apiEndpoints('https://api.github.com')).toEqual({ graphqlUrl: 'https://api.github.com/graphql', restUrl: 'https://api.github.com' });
    expect(apiEndpoints('https://api.acme.ghe.com')).toEqual({ graphqlUrl: 'https://api.acme.ghe.com/graphql', restUrl: 'https://api.acme.ghe.com' });
    const ghes = { graphqlUrl: 'https://ghe.example.com/api/graphql', restUrl: 'https://ghe.example.com/api/v3' };
    for (const url of ['https://ghe.example.com/api', 'https://ghe.example.com/api/', 'https://ghe.example.com/api/v3', 'https://ghe.example.com/api/v3/', 'https://ghe.example.com/api/graphql']) {
      expect(apiEndpoints(url), url).toEqual(ghes);
    }
  });

  it('sends GraphQL of a GHES configured by its REST root to /api/graphql', async () => {
    const { client, calls } = mocked(() => json(200, GRAPHQL_OK), { apiUrl: 'https://ghe.example.com/api/v3' });
    await client.graphql(ORG_QUERY, { org: 'acme' }, 'probe');
    await client.rest(TREE_ROUTE, treeParams, 'probe').catch(() => undefined);
    expect(calls.map((c) => c.url)).toEqual(['https://ghe.example.com/api/graphql', `https://ghe.example.com/api/v3/repos/acme/x/git/trees/${'a'.repeat(40)}`]);
  });
});

describe('GitHub answers that are not what was asked for', () => {
  it('retries a REST answer that is an HTML page with status 200, like a server error', async () => {
    const { client, calls } = mocked((_call, i) => (i === 0 ? new Response('<html><body>Unicorn! This page is taking too long to load.</body></html>', { status: 200, headers: { 'content-type': 'text/html' } }) : tree()), { retries: 2 });
    expect(await client.rest<{ truncated: boolean }>(TREE_ROUTE, treeParams, 'listing x')).toMatchObject({ truncated: false });
    expect(calls).toHaveLength(2);
  });

  it('gives up on REST answers that stay malformed after the retries, as a host error', async () => {
    const { client, calls } = mocked(() => new Response('<html>maintenance</html>', { status: 200, headers: { 'content-type': 'text/html' } }), { retries: 1 });
    await expect(client.rest(TREE_ROUTE, treeParams, 'listing x')).rejects.toMatchObject({ problem: 'malformed', message: expect.stringMatching(/listing x: .*malformed JSON.*after 2 attempts/) });
    expect(calls).toHaveLength(2);
  });

  it('counts the points GitHub says it charged (x-ratelimit-used), including answers that never arrived', async () => {
    let used = 10;
    const { client } = mocked((_call, i) => {
      used += i === 1 ? 2 : 1; // the second answer follows a request GitHub charged whose answer was lost
      return json(200, GRAPHQL_OK, { 'x-ratelimit-resource': 'graphql', 'x-ratelimit-used': String(used), 'x-ratelimit-remaining': String(5000 - used), 'x-ratelimit-limit': '5000', 'x-ratelimit-reset': '1900000000' });
    });
    for (let i = 0; i < 3; i++) await client.graphql(ORG_QUERY, { org: 'acme' }, 'org');
    // Reported costs say 3; GitHub's counter went from 10 to 14 (11 after the first, whose own cost was 1).
    expect(client.usage().points).toBe(4);
  });
});

describe('GitHub rate limits', () => {
  it('does not wait out a secondary limit longer than the cap, and then asks nothing until it lifts', async () => {
    const { client, calls } = mocked(() => json(403, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' }, { 'retry-after': '3600' }));
    const first = await client.rest(TREE_ROUTE, treeParams, 'listing x').catch((e: unknown) => e);
    expect(first).toBeInstanceOf(GitHubHostError);
    expect((first as GitHubHostError).problem).toBe('secondary-rate-limit');
    // Neither lane asks again: secondary limits count REST and GraphQL together.
    await expect(client.rest(TREE_ROUTE, treeParams, 'listing y')).rejects.toThrow(/secondary rate limit; asked to wait 3600 s/);
    await expect(client.graphql(ORG_QUERY, { org: 'acme' }, 'org')).rejects.toThrow(/secondary rate limit/);
    expect(calls).toHaveLength(1);
  });

  it('while it waits out a secondary limit, sends nothing else either', async () => {
    let waitingSince = 0;
    let other: Promise<unknown> | undefined;
    const logger: Logger = {
      info: () => undefined,
      error: () => undefined,
      warn: (message) => {
        if (message !== 'GitHub secondary rate limit' || other) return;
        waitingSince = Date.now();
        other = client.graphql(ORG_QUERY, { org: 'acme' }, 'org');
      },
      progress: () => ({ tick: () => undefined, done: () => undefined }),
    };
    const { client, calls } = mocked((call, i) => (i === 0 ? json(403, { message: 'You have exceeded a secondary rate limit.' }, { 'retry-after': '1' }) : call.url.endsWith('/graphql') ? json(200, GRAPHQL_OK) : tree()), { secondMs: 300, logger });
    await client.rest(TREE_ROUTE, treeParams, 'listing x');
    await other;
    const graphqlCall = calls.find((c) => c.url.endsWith('/graphql'));
    expect(calls).toHaveLength(3);
    // A lower bound only (the pause is 300 ms): the GraphQL request was held back, not sent alongside.
    expect(graphqlCall!.at - waitingSince).toBeGreaterThanOrEqual(200);
  });

  it('an exhausted REST budget stops REST only: GraphQL has its own', async () => {
    const reset = String(Math.ceil(Date.now() / 1000) + 3600);
    const { client, calls } = mocked((call) => (call.url.endsWith('/graphql') ? json(200, GRAPHQL_OK) : json(403, { message: 'API rate limit exceeded for installation ID 1.' }, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset })));
    await expect(client.rest(TREE_ROUTE, treeParams, 'listing x')).rejects.toMatchObject({ problem: 'rate-limit' });
    await expect(client.rest(TREE_ROUTE, treeParams, 'listing y')).rejects.toThrow(/REST API budget exhausted/);
    expect((await client.graphql<{ organization: { login: string } }>(ORG_QUERY, { org: 'acme' }, 'org')).data.organization.login).toBe('acme');
    expect(calls.map((c) => c.url.endsWith('/graphql'))).toEqual([false, true]);
  });
});

describe('GitHub credentials in errors', () => {
  it('keeps the token out of errors built from Octokit request errors, which carry the request headers', async () => {
    const { client, calls } = mocked((_call, i) => (i === 0 ? json(401, { message: 'Bad credentials' }) : json(422, { message: `proxy says: token ${TOKEN} is not allowed`, errors: [{ message: `Authorization: token ${TOKEN}` }] })));
    const refused = (await client.rest(TREE_ROUTE, treeParams, 'listing x').catch((e: unknown) => e)) as GitHubHostError;
    const echoed = (await client.rest(TREE_ROUTE, treeParams, 'listing y').catch((e: unknown) => e)) as GitHubHostError;
    expect(calls.every((c) => c.authorization === `token ${TOKEN}`)).toBe(true); // it was sent
    expect(refused).toMatchObject({ problem: 'auth', message: expect.stringMatching(/401/) });
    expect(echoed.message).toContain('[REDACTED]');
    for (const error of [refused, echoed]) {
      const everything = [error.message, String(error.stack), JSON.stringify(error), JSON.stringify(Object.getOwnPropertyDescriptors(error)), String((error as { cause?: unknown }).cause)].join('\n');
      expect(everything).not.toContain(TOKEN);
      expect(everything).not.toContain(TOKEN.slice(4, 20));
    }
  });
});

describe('GitHub App installation tokens', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs1', format: 'pem' } });
  let fleet: Awaited<ReturnType<typeof startFleet>>;
  // Tokens that expire after a second (on a quiet machine; SEAWORTHY_TEST_TIME_SCALE), as GitHub's do
  // after an hour: long enough for one query to follow its token even on a loaded machine.
  const lifetimeMs = scaled(1000);
  beforeAll(async () => {
    fleet = await startFleet([{ spec: { name: 'solo', commits: [{ date: '2026-09-01T00:00:00Z', message: 'init', files: { 'README.md': 'solo\n' } }] } }], { token: undefined, app: { appId: 4242, publicKey, installationId: 99 }, tokenLifetimeSeconds: lifetimeMs / 1000 });
  });
  afterAll(() => fleet.stop());

  it('renews the installation token before it expires during a long crawl', async () => {
    // The client renews a token after 40 % of its life, as it does after 50 of GitHub's 60 minutes.
    const client = new GitHubClient({ apiUrl: fleet.fake.apiUrl, auth: { appId: 4242, privateKey, installationId: 99, org: 'acme' }, requestTimeoutMs: scaled(5000), retries: 0, maxRateLimitWaitMs: 0, budgetMs: scaled(60_000), secondMs: 1, installationTokenTtlMs: 0.4 * lifetimeMs });
    await client.graphql(ORG_QUERY, { org: 'acme' }, 'org');
    await new Promise((resolve) => setTimeout(resolve, 1.2 * lifetimeMs)); // the first token has expired at the fake by now
    await client.graphql(ORG_QUERY, { org: 'acme' }, 'org');
    const log = fleet.fake.log;
    expect(log.filter((l) => l.kind === 'auth').map((l) => [l.what, l.status])).toEqual([['access_tokens', 201], ['access_tokens', 201]]);
    const queries = log.filter((l) => l.kind === 'graphql');
    expect(queries.map((l) => l.status)).toEqual([200, 200]);
    expect(queries[0]!.authorization).not.toBe(queries[1]!.authorization);
    // The fake really refuses an expired token, so the renewal above is what made the second query work.
    const stale = await fetch(`${fleet.fake.apiUrl}/graphql`, { method: 'POST', headers: { authorization: queries[0]!.authorization!, 'content-type': 'application/json' }, body: JSON.stringify({ query: ORG_QUERY, variables: { org: 'acme' } }) });
    expect(stale.status).toBe(401);
  });
});
