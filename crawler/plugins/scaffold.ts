// `seaworthy new-check NAME`: a check folder that passes its own test at once, written like ours.
// The example judges something every repository can show (a README at the root), so the author
// starts from a check that works and changes what it looks for.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export class ScaffoldError extends Error {}

const title = (id: string) => id.split('-').map((w, i) => (i === 0 ? w[0]!.toUpperCase() + w.slice(1) : w)).join(' ');

function codeFiles(id: string): Record<string, string> {
  return {
    'index.ts': `// Standard: say here which of your organisation's standards this check enforces (a link).
// Checks are pure: they judge the snapshot they are given and do no I/O of their own (no node:fs,
// no network, no clock: ctx.now). Seaworthy stops a check that runs past crawl.checkTimeoutSeconds.
import { defineCheck, z } from 'seaworthy/check';

export default defineCheck({
  id: '${id}',
  meta: {
    title: '${title(id)}',
    description: 'Every repository has a README at its root that says what it is.',
    category: 'operability',
    weight: 1,
    version: 1,
    // The files whose content the check reads (globs); only these are in snapshot.read().
    reads: ['README*'],
    options: z.object({ minWords: z.int().min(0).default(20) }),
    // One rule per distinct fix; each has a subsection in README.md's "How to fix".
    rules: { 'missing-readme': { title: 'No README' }, 'short-readme': { title: 'README too short' } },
  },
  run(snapshot, ctx) {
    const readme = snapshot.files.find((f) => /^readme(\\.[a-z]+)?$/i.test(f.path));
    if (!readme) {
      return { status: 'fail', score: 0, summary: 'no README at the root', findings: [{ rule: 'missing-readme', severity: 'medium', message: 'no README at the root of the repository' }] };
    }
    const read = snapshot.read(readme.path);
    const words = read.ok ? read.text.split(/\\s+/).filter(Boolean).length : 0;
    if (words < ctx.options.minWords) {
      return { status: 'warn', score: 5, summary: \`README has \${words} words\`, findings: [{ rule: 'short-readme', severity: 'low', message: \`\${readme.path} has \${words} words; say what the repository is in at least \${ctx.options.minWords}\`, path: readme.path, line: 1 }] };
    }
    return { status: 'pass', score: 10, summary: \`\${readme.path} has \${words} words\`, findings: [] };
  },
});
`,
    'README.md': `# ${title(id)}

Every repository has a README at its root that says what it is.

## What it checks

A file named \`README\` (any extension) at the root of the default branch, with at least
\`minWords\` words (20 by default; \`checks.${id}.thresholds.minWords\` in seaworthy.config.yaml).

## Why it matters

Whoever arrives at a repository during an incident needs to know what it is and who runs it.

## How to fix

<h3 id="rule-missing-readme">No README</h3>

Add a \`README.md\` at the root of the repository that says what it does, who owns it and where
its runbooks and dashboards are; commit it to the default branch.

<h3 id="rule-short-readme">README too short</h3>

Write at least a paragraph: what the repository is, who owns it, how to run it and where to find
its runbooks, so a newcomer or an on-call engineer can start from it.
`,
    [`${id}.test.ts`]: `// Run: node --test ${id}.test.ts (from this folder), or npx vitest run <this folder> in Seaworthy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judge } from 'seaworthy/testing';
import check from './index.ts';

test('passes with a README of some length', async () => {
  const outcome = await judge(check, { 'README.md': '# Payments\\n\\nTakes card payments for the shop; owned by the payments team, runbooks in docs/runbooks, dashboards linked from there.' });
  assert.equal(outcome.status, 'pass');
});

test('fails without a README, naming the rule to fix', async () => {
  const outcome = await judge(check, { 'main.go': 'package main' });
  assert.equal(outcome.status, 'fail');
  assert.deepEqual(outcome.findings.map((f) => f.rule), ['${id}/missing-readme']);
});

test('warns on a short README, at its file', async () => {
  const outcome = await judge(check, { 'README.md': '# x' }, { options: { minWords: 5 } });
  assert.equal(outcome.status, 'warn');
  assert.equal(outcome.findings[0]?.path, 'README.md');
});
`,
  };
}

function yamlFiles(id: string): Record<string, string> {
  return {
    'check.yaml': `# A declarative check: no code. Score = 10 × the share of applicable rules met.
# Rule kinds: fileExists, fileNotExists, fileContains, fileNotContains, valueAt (see README, "Adding a check").
id: ${id}
title: ${title(id)}
description: Every repository says how to report a vulnerability.
category: operability
weight: 1
version: 1
rules:
  - id: missing-security-policy
    title: No security policy
    severity: medium
    message: no SECURITY.md says how to report a vulnerability
    fix: Add SECURITY.md at the root (or in .github/ or docs/) saying where to report a vulnerability and how fast you answer.
    fileExists: [SECURITY.md, .github/SECURITY.md, docs/SECURITY.md]
`,
  };
}

/** Writes the folder; refuses an existing one or a name that is not kebab-case. Returns the files written. */
export function scaffoldCheck(folder: string, options: { declarative?: boolean } = {}): string[] {
  const id = path.basename(folder);
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(id)) throw new ScaffoldError(`check name "${id}" must be kebab-case, e.g. security-policy`);
  if (existsSync(folder)) throw new ScaffoldError(`${folder} already exists; choose another name or remove it`);
  mkdirSync(folder, { recursive: true });
  const files = options.declarative ? yamlFiles(id) : codeFiles(id);
  return Object.entries(files).map(([name, text]) => {
    const file = path.join(folder, name);
    writeFileSync(file, text);
    return file;
  });
}
