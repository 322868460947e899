// Every GraphQL document the GitHub source sends. tests/github-schema.test.ts validates each one
// (and each variant the builders produce) against GitHub's published schema.
//
// Cost (GitHub's formula): each connection costs as many requests as its enclosing connections
// could return parents; the sum is divided by 100 and rounded, at least 1 point per query. Fields
// that are not connections (repository, node) cost nothing, so we batch many repositories into one
// document with aliases. Files and history never come from here: git reads them.

export const RATE_LIMIT = 'rateLimit { cost remaining resetAt }';

const HEAD = 'defaultBranchRef { name target { oid ... on Commit { committedDate } } }';

export function discoveryQuery(withTopics: boolean): string {
  return `query Discover($org: String!, $cursor: String) {
  ${RATE_LIMIT}
  organization(login: $org) {
    repositories(first: 100, after: $cursor, orderBy: { field: NAME, direction: ASC }) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id name url isArchived isFork isTemplate isEmpty visibility
        owner { login }
        ${withTopics ? 'repositoryTopics(first: 20) { nodes { topic { name } } }' : ''}
        ${HEAD}
      }
    }
  }
}`;
}

export const HEADS_QUERY = `query Heads($ids: [ID!]!) {
  ${RATE_LIMIT}
  nodes(ids: $ids) { ... on Repository { id ${HEAD} } }
}`;

export const TEAMS_QUERY = `query Teams($org: String!, $cursor: String) {
  ${RATE_LIMIT}
  organization(login: $org) {
    teams(first: 100, after: $cursor) {
      pageInfo { hasNextPage endCursor }
      nodes {
        slug name
        repositories(first: 100) { pageInfo { hasNextPage endCursor } edges { permission node { id } } }
      }
    }
  }
}`;

export const TEAM_REPOS_QUERY = `query TeamRepos($org: String!, $slug: String!, $cursor: String) {
  ${RATE_LIMIT}
  organization(login: $org) {
    team(slug: $slug) {
      repositories(first: 100, after: $cursor) { pageInfo { hasNextPage endCursor } edges { permission node { id } } }
    }
  }
}`;

export const ORG_QUERY = `query Org($org: String!) {
  ${RATE_LIMIT}
  organization(login: $org) { login }
}`;

export interface PullRequestsShape {
  mergedPullRequests: number;
  openPullRequests: number;
}

export const OID_PATTERN = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

const PULL_REQUEST = 'number title body state createdAt mergedAt url author { __typename login }';

/**
 * The pull requests of several repositories (`r<i>`) in one document: the most recently updated
 * merged ones with their merge commit (their changed files come from git), and the oldest open
 * ones. Contents and history come from git, so this is all a crawl asks GraphQL per repository.
 */
export function pullRequestsQuery(count: number, shape: PullRequestsShape): string {
  const fields: string[] = ['__typename'];
  if (shape.mergedPullRequests > 0) {
    fields.push(`merged: pullRequests(first: ${shape.mergedPullRequests}, states: MERGED, orderBy: { field: UPDATED_AT, direction: DESC }) { nodes { ${PULL_REQUEST} mergeCommit { oid } } }`);
  }
  if (shape.openPullRequests > 0) {
    fields.push(`open: pullRequests(first: ${shape.openPullRequests}, states: OPEN, orderBy: { field: CREATED_AT, direction: ASC }) { nodes { ${PULL_REQUEST} } }`);
  }
  const vars = Array.from({ length: count }, (_, i) => `$id${i}: ID!`);
  const aliases = Array.from({ length: count }, (_, i) => `  r${i}: node(id: $id${i}) { ... on Repository { ...PullRequestFacts } }`);
  return `query PullRequests(${vars.join(', ')}) {
  ${RATE_LIMIT}
${aliases.join('\n')}
}
fragment PullRequestFacts on Repository {
  ${fields.join('\n  ')}
}`;
}

/** Requests and nodes a pullRequestsQuery of `count` repositories may touch (GitHub's rules). */
export function pullRequestsCost(count: number, shape: PullRequestsShape): { requests: number; nodes: number } {
  const perRepo = {
    requests: (shape.mergedPullRequests > 0 ? 1 : 0) + (shape.openPullRequests > 0 ? 1 : 0),
    nodes: shape.mergedPullRequests + shape.openPullRequests,
  };
  return { requests: perRepo.requests * count, nodes: perRepo.nodes * count };
}

/** Every fixed document, for the schema contract test (builders are tested with samples). */
export const FIXED_DOCUMENTS = { HEADS_QUERY, TEAMS_QUERY, TEAM_REPOS_QUERY, ORG_QUERY };
