// Contract: every GraphQL document the GitHub source can send is valid against GitHub's published
// schema (@octokit/graphql-schema), within GitHub's node limit, and priced as the source expects.
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { FIXED_DOCUMENTS, discoveryQuery, pullRequestsCost, pullRequestsQuery, type PullRequestsShape } from '../crawler/github/queries.ts';
import { MAX_NODES, queryCost } from '../fixtures/fake-github/cost.ts';
import { githubSchema } from '../fixtures/fake-github/server.ts';

const shapes: PullRequestsShape[] = [
  { mergedPullRequests: 30, openPullRequests: 20 },
  { mergedPullRequests: 100, openPullRequests: 100 },
  { mergedPullRequests: 0, openPullRequests: 0 },
  { mergedPullRequests: 1, openPullRequests: 0 },
];

function documents(): Record<string, string> {
  const docs: Record<string, string> = { ...FIXED_DOCUMENTS, discoveryWithTopics: discoveryQuery(true), discovery: discoveryQuery(false) };
  shapes.forEach((shape, i) => {
    docs[`pullRequests${i}`] = pullRequestsQuery(10, shape);
  });
  return docs;
}

describe('GitHub GraphQL documents', () => {
  const schema = githubSchema();

  it.each(Object.entries(documents()))('%s is valid against the published schema', (_name, doc) => {
    expect(validate(schema, parse(doc)).map((e) => e.message)).toEqual([]);
  });

  it('asks GraphQL for no file content, tree or commit history: git reads those', () => {
    for (const doc of Object.values(documents())) expect(doc).not.toMatch(/\bBlob\b|\bTree\b|\bhistory\(|\bfiles\(|\bobject\(/);
  });

  it('would catch a field GitHub does not have', () => {
    const broken = pullRequestsQuery(1, shapes[0]!).replace('mergedAt', 'mergedOn');
    expect(validate(schema, parse(broken)).map((e) => e.message).join('\n')).toMatch(/Cannot query field "mergedOn" on type "PullRequest"/);
  });

  it('keeps the largest batch under the node limit and prices it as the source estimates', () => {
    for (const shape of shapes) {
      for (const count of [1, 10, 50, 100]) {
        const doc = parse(pullRequestsQuery(count, shape));
        const variables = Object.fromEntries(Array.from({ length: count }, (_, i) => [`id${i}`, `R_${i}`]));
        const price = queryCost(schema, doc, variables);
        expect(price.errors).toEqual([]);
        expect(price.nodes).toBeLessThanOrEqual(MAX_NODES);
        const estimate = pullRequestsCost(count, shape);
        expect(price.requests).toBe(estimate.requests);
        expect(price.nodes).toBe(estimate.nodes);
      }
    }
  });

  it('reads the pull requests of 50 repositories for one point', () => {
    const variables = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`id${i}`, `R_${i}`]));
    expect(queryCost(schema, parse(pullRequestsQuery(50, shapes[0]!)), variables)).toMatchObject({ requests: 100, cost: 1 });
  });

  it('prices discovery at one point per 100 repositories, topics included', () => {
    expect(queryCost(schema, parse(discoveryQuery(true)), { org: 'acme' })).toMatchObject({ requests: 101, cost: 1 });
    expect(queryCost(schema, parse(discoveryQuery(false)), { org: 'acme' })).toMatchObject({ requests: 1, cost: 1 });
  });

  // The worked examples of GitHub's "Rate limits and query limits for the GraphQL API" page: the
  // fake's prices are only worth something if they agree with GitHub's own arithmetic.
  it('counts nodes and points as GitHub’s documentation works them out', () => {
    const simple = 'query { viewer { repositories(first: 50) { edges { repository: node { name issues(first: 10) { totalCount edges { node { title bodyHTML } } } } } } } }';
    expect(queryCost(schema, parse(simple))).toMatchObject({ nodes: 550, requests: 51, cost: 1 });
    const complex = `query { viewer {
      repositories(first: 50) { edges { repository: node { name
        pullRequests(first: 20) { edges { pullRequest: node { title comments(first: 10) { edges { comment: node { bodyHTML } } } } } }
        issues(first: 20) { totalCount edges { issue: node { title bodyHTML comments(first: 10) { edges { comment: node { bodyHTML } } } } } }
      } } }
      followers(first: 10) { edges { follower: node { login } } }
    } }`;
    expect(queryCost(schema, parse(complex))).toMatchObject({ nodes: 22_060, requests: 2_102, cost: 21 });
    // 1 request for the repositories, 100 for their issues, 5,000 for the issues' labels: 5,101 → 51 points.
    const labels = 'query { viewer { login repositories(first: 100) { edges { node { id issues(first: 50) { edges { node { id labels(first: 60) { edges { node { id name } } } } } } } } } } }';
    expect(queryCost(schema, parse(labels))).toMatchObject({ requests: 5_101, cost: 51, nodes: 100 + 5_000 + 300_000 });
  });

  it('refuses unbounded or oversized pages the way GitHub does', () => {
    expect(queryCost(schema, parse('query { viewer { repositories(first: 0) { nodes { name } } } }')).errors[0]?.type).toBe('INVALID_PAGINATION');
    expect(queryCost(schema, parse('query { viewer { repositories { nodes { name } } } }')).errors[0]?.type).toBe('MISSING_PAGINATION_BOUNDARIES');
    expect(queryCost(schema, parse('query { viewer { repositories(first: 101) { nodes { name } } } }')).errors[0]?.type).toBe('EXCESSIVE_PAGINATION');
    const huge = 'query { viewer { repositories(first: 100) { nodes { pullRequests(first: 100) { nodes { files(first: 100) { nodes { path } } } } } } } }';
    expect(queryCost(schema, parse(huge)).errors.map((e) => e.type)).toContain('MAX_NODE_LIMIT_EXCEEDED');
  });
});
