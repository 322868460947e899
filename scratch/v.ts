import { readFileSync } from 'node:fs';
import { buildClientSchema, parse, validate } from 'graphql';
import * as q from '/work/wt-github/crawler/github/queries.ts';
const t0 = Date.now();
const schema = buildClientSchema(JSON.parse(readFileSync('/work/wt-github/node_modules/@octokit/graphql-schema/schema.json', 'utf8')));
console.log('schema ms', Date.now() - t0);
const docs = { ...q.FIXED_DOCUMENTS, d1: q.discoveryQuery(true), d0: q.discoveryQuery(false), f: q.repoFactsQuery(3, { mergedPullRequests: 30, openPullRequests: 20, commits: 50, asOf: true }), f2: q.repoFactsQuery(1, { mergedPullRequests: 0, openPullRequests: 0, commits: 0, asOf: false }), b: q.blobsQuery([{ oids: ['a'.repeat(40)] }, { oids: ['b'.repeat(40), 'c'.repeat(40)] }]) };
for (const [k, d] of Object.entries(docs)) console.log(k, validate(schema, parse(d)).map((e) => e.message));
