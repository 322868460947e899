// Every GraphQL document the GitHub source sends. tests/github-schema.test.ts validates each one
// (and each variant the builders produce) against GitHub's published schema.
//
// Cost (GitHub's formula): each connection costs as many requests as its enclosing connections
// could return parents; the sum is divided by 100 and rounded, at least 1 point per query. Fields
// that are not connections (repository, node, object, Tree.entries) cost nothing, so we batch
// many repositories and blobs into one document with aliases.

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

export interface RepoFactsShape {
  mergedPullRequests: number;
  openPullRequests: number;
  /** 0: no commit history. */
  commits: number;
  asOf: boolean;
}

export const OID_PATTERN = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

const PULL_REQUEST = 'number title body state createdAt mergedAt url author { __typename login }';

function blobSelections(oids: readonly string[]): string {
  return oids
    .map((oid, j) => {
      if (!OID_PATTERN.test(oid)) throw new Error(`not a git object id: ${JSON.stringify(oid)}`);
      return `b${j}: object(oid: "${oid}") { ... on Blob { oid byteSize isBinary isTruncated text } }`;
    })
    .join(' ');
}

/**
 * One document for several repositories (`r<i>`): head, pull requests, commits when asked, and
 * the blobs already known to be needed (`r<i>.b<j>`), so a batch of repositories costs one query.
 */
export function repoFactsQuery(count: number, shape: RepoFactsShape, blobs: readonly (readonly string[])[] = []): string {
  const fields: string[] = [HEAD];
  if (shape.asOf) fields.push('atDate: defaultBranchRef { target { ... on Commit { history(first: 1, until: $asOf) { nodes { oid committedDate } } } } }');
  if (shape.mergedPullRequests > 0) {
    fields.push(
      `merged: pullRequests(first: ${shape.mergedPullRequests}, states: MERGED, orderBy: { field: UPDATED_AT, direction: DESC }) { nodes { ${PULL_REQUEST} mergeCommit { oid } files(first: 100) { totalCount nodes { path } } } }`,
    );
  }
  if (shape.openPullRequests > 0) {
    fields.push(`open: pullRequests(first: ${shape.openPullRequests}, states: OPEN, orderBy: { field: CREATED_AT, direction: ASC }) { nodes { ${PULL_REQUEST} } }`);
  }
  if (shape.commits > 0) {
    fields.push(
      `log: defaultBranchRef { target { ... on Commit { history(first: ${shape.commits}${shape.asOf ? ', until: $asOf' : ''}) { nodes { oid committedDate message author { name } } } } } }`,
    );
  }
  const vars = Array.from({ length: count }, (_, i) => `$id${i}: ID!`);
  if (shape.asOf) vars.push('$asOf: GitTimestamp!');
  const aliases = Array.from({ length: count }, (_, i) => `  r${i}: node(id: $id${i}) { ... on Repository { ...RepoFacts ${blobSelections(blobs[i] ?? [])} } }`);
  return `query RepoFacts(${vars.join(', ')}) {
  ${RATE_LIMIT}
${aliases.join('\n')}
}
fragment RepoFacts on Repository {
  ${fields.join('\n  ')}
}`;
}

/** Requests and nodes a repoFactsQuery of `count` repositories may touch (GitHub's rules). */
export function repoFactsCost(count: number, shape: RepoFactsShape): { requests: number; nodes: number } {
  const perRepo = {
    requests: (shape.mergedPullRequests > 0 ? 1 + shape.mergedPullRequests : 0) + (shape.openPullRequests > 0 ? 1 : 0) + (shape.commits > 0 ? 1 : 0) + (shape.asOf ? 1 : 0),
    nodes: shape.mergedPullRequests * 101 + shape.openPullRequests + shape.commits + (shape.asOf ? 1 : 0),
  };
  return { requests: perRepo.requests * count, nodes: perRepo.nodes * count };
}

/** Blobs of several repositories in one document: `r<i>` is a repository, `b<j>` one of its blobs. */
export function blobsQuery(repos: readonly (readonly string[])[]): string {
  const vars = repos.map((_, i) => `$id${i}: ID!`);
  const aliases = repos.map((oids, i) => `  r${i}: node(id: $id${i}) { ... on Repository { ${blobSelections(oids)} } }`);
  return `query Blobs(${vars.join(', ')}) {
  ${RATE_LIMIT}
${aliases.join('\n')}
}`;
}

/** Every fixed document, for the schema contract test (builders are tested with samples). */
export const FIXED_DOCUMENTS = { HEADS_QUERY, TEAMS_QUERY, TEAM_REPOS_QUERY, ORG_QUERY };
