// Declarative checks (check.yaml): each rule kind on real fixture repositories read by the real
// local source, the score as the share of rules met, the three examples the README documents, and
// regular expressions that run in linear time or are refused with the reason.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../crawler/config.ts';
import { declarativeCheck, declarativeReadme } from '../crawler/plugins/declarative.ts';
import { judge } from '../fixtures/testing.ts';
import { ROOT } from './helpers.ts';

const check = (rules: string, extra = '') => declarativeCheck(`id: org-rules\ntitle: Org rules\ndescription: Rules of the organisation.\n${extra}rules:\n${rules}`, 'check.yaml');
const rule = (id: string, body: string) => `  - id: ${id}\n    title: ${id} title\n    severity: medium\n    message: ${id} is not met\n    fix: Do what the ${id} rule asks, then commit it to the default branch.\n${body}`;

describe('declarative rule kinds', () => {
  it('fileExists: met by any file a glob matches, a finding without a path otherwise', async () => {
    const c = check(rule('security', '    fileExists: [SECURITY.md, .github/SECURITY.md]\n'));
    expect(await judge(c, { '.github/SECURITY.md': 'mail us' })).toMatchObject({ status: 'pass', score: 10, findings: [] });
    expect(await judge(c, { 'README.md': 'x' })).toMatchObject({ status: 'fail', score: 0, findings: [{ rule: 'org-rules/security', severity: 'medium', message: 'security is not met' }] });
  });

  it('fileNotExists: one finding per file that should not be there', async () => {
    const c = check(rule('no-env', "    fileNotExists: ['**/.env']\n"));
    expect((await judge(c, { 'a/.env': 'X=1', '.env': 'Y=2', 'ok.txt': 'x' })).findings.map((f) => f.path).sort()).toEqual(['.env', 'a/.env']);
    expect((await judge(c, { 'ok.txt': 'x' })).status).toBe('pass');
  });

  it('fileContains: every matching file must contain the pattern; no matching file means not applicable', async () => {
    const c = check(rule('healthcheck', "    fileContains: {files: ['**/Dockerfile'], pattern: '^HEALTHCHECK\\s'}\n"));
    expect((await judge(c, { Dockerfile: 'FROM node:24\nHEALTHCHECK CMD curl -f http://localhost/ || exit 1\n' })).status).toBe('pass');
    expect((await judge(c, { Dockerfile: 'FROM node:24\n# HEALTHCHECK later\n', 'web/Dockerfile': 'FROM nginx\nHEALTHCHECK CMD true\n' })).findings).toEqual([{ rule: 'org-rules/healthcheck', severity: 'medium', message: 'healthcheck is not met', path: 'Dockerfile' }]);
    expect(await judge(c, { 'main.go': 'package main' })).toMatchObject({ status: 'not-applicable', score: null });
  });

  it('fileNotContains: a finding at the line of the first match', async () => {
    const c = check(rule('no-latest', "    fileNotContains: {files: ['**/Dockerfile'], pattern: '^from\\s+\\S+:latest', ignoreCase: true}\n"));
    expect((await judge(c, { Dockerfile: '# base\nfrom node:LATEST\n' })).findings).toEqual([{ rule: 'org-rules/no-latest', severity: 'medium', message: 'no-latest is not met', path: 'Dockerfile', line: 2 }]);
    expect((await judge(c, { Dockerfile: 'FROM node:24\n' })).status).toBe('pass');
  });

  it('valueAt: every element a [*] path reaches must pass, in every YAML document the filter selects', async () => {
    const c = check(rule('readiness', "    valueAt: {files: ['k8s/**/*.yaml'], path: 'spec.template.spec.containers[*].readinessProbe', documents: {path: kind, in: [Deployment]}}\n"));
    const probe = 'apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: a\n          readinessProbe: {httpGet: {path: /ready, port: 8080}}\n';
    const missing = '---\nkind: Service\nspec: {ports: []}\n---\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: a\n          readinessProbe: {exec: {command: [true]}}\n        - name: sidecar\n';
    expect((await judge(c, { 'k8s/app.yaml': probe })).status).toBe('pass');
    expect((await judge(c, { 'k8s/app.yaml': missing })).findings).toEqual([{ rule: 'org-rules/readiness', severity: 'medium', message: 'readiness is not met', path: 'k8s/app.yaml', line: 5 }]);
    expect((await judge(c, { 'k8s/svc.yaml': 'kind: Service\n' })).status).toBe('not-applicable');
  });

  it('valueAt: equals and matches on JSON', async () => {
    const c = check(rule('private', "    valueAt: {files: [package.json], path: private, equals: true}\n") + rule('engines', "    valueAt: {files: [package.json], path: engines.node, matches: '^>=\\s*2[2-9]'}\n"));
    expect(await judge(c, { 'package.json': '{"private": true, "engines": {"node": ">=22.12"}}' })).toMatchObject({ status: 'pass', score: 10 });
    const half = await judge(c, { 'package.json': '{"private": false, "engines": {"node": ">=22.12"}}' });
    expect(half).toMatchObject({ status: 'warn', score: 5, summary: '1 of 2 rules met; not met: private title' });
  });

  it('scores the share of applicable rules met, against thresholds an organisation can change', async () => {
    const c = check(rule('a', '    fileExists: [A]\n') + rule('b', '    fileExists: [B]\n') + rule('c', '    fileExists: [C]\n') + rule('d', "    fileContains: {files: ['*.never'], pattern: x}\n"), 'passAt: 6\n');
    expect(await judge(c, { A: '', B: '' })).toMatchObject({ status: 'pass', score: 6.7, summary: '2 of 3 rules met; not met: c title' });
    expect(await judge(c, { A: '', B: '' }, { options: { passAt: 10 } })).toMatchObject({ status: 'warn' });
  });
});

describe('declarative regular expressions', () => {
  it('run in linear time: a pattern that backtracks exponentially elsewhere answers at once', async () => {
    const c = check(rule('bomb', "    fileContains: {files: [big.txt], pattern: '^(a+)+$'}\n"));
    const started = process.cpuUsage();
    const outcome = await judge(c, { 'big.txt': `${'a'.repeat(100_000)}b\n` });
    const cpu = process.cpuUsage(started);
    expect(outcome.status).toBe('fail');
    // Backtracking would take longer than the universe; linear time is well under a CPU second.
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(5_000);
  });

  it('refuses what cannot run in linear time, with the rule and the reason', () => {
    expect(() => check(rule('backref', "    fileContains: {files: ['*'], pattern: '(a)\\1'}\n"))).toThrow(new ConfigError('check.yaml: rules[0] (backref): pattern "(a)\\\\1" cannot run in linear time (back-references and lookaround are not supported): rewrite it without them'));
  });

  it('has no case-insensitive flag in linear time: ignoreCase lower-cases the text, so the pattern must be lower case', () => {
    expect(() => check(rule('upper', "    fileContains: {files: ['*'], pattern: '^FROM', ignoreCase: true}\n"))).toThrow(/with ignoreCase: true, write the pattern in lower case/);
  });

  it('names the file and line of a mistake in check.yaml', () => {
    expect(() => check(rule('two-kinds', '    fileExists: [A]\n    fileNotExists: [B]\n'))).toThrow(/check\.yaml:\d+: rules\[0\]: give exactly one of fileExists, fileNotExists, fileContains, fileNotContains, valueAt/);
  });
});

describe('the three examples in the README', () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const examples = [...readme.matchAll(/```yaml\n(# seaworthy-checks\/([a-z-]+)\/check\.yaml\n[\s\S]*?)```/g)].map((m) => ({ id: m[2]!, text: m[1]! }));

  it('are there, and load', () => {
    expect(examples.map((e) => e.id)).toEqual(['security-policy', 'codeowners-coverage', 'health-probes']);
    for (const e of examples) expect(declarativeReadme(e.text, `seaworthy-checks/${e.id}/check.yaml`)).toContain('## How to fix');
  });

  it('judge what they say', async () => {
    const [security, codeowners, probes] = examples.map((e) => declarativeCheck(e.text, `${e.id}/check.yaml`));
    expect((await judge(security!, { 'SECURITY.md': 'Report to security@example.com' })).status).toBe('pass');
    expect((await judge(security!, { 'README.md': 'x' })).status).toBe('fail');
    expect((await judge(codeowners!, { '.github/CODEOWNERS': '* @acme/payments\n' })).status).toBe('pass');
    expect(await judge(codeowners!, { '.github/CODEOWNERS': '/docs/ @acme/writers\n' })).toMatchObject({ status: 'warn', score: 5 });
    expect((await judge(codeowners!, { 'README.md': 'x' })).status).toBe('fail');
    expect((await judge(probes!, { Dockerfile: 'FROM node:24\nHEALTHCHECK CMD curl -f http://localhost:8080/health || exit 1\n' })).status).toBe('pass');
    expect((await judge(probes!, { Dockerfile: 'FROM node:24\n' })).status).toBe('fail');
    expect((await judge(probes!, { 'deploy/app.yaml': 'kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          readinessProbe: {httpGet: {path: /ready, port: 8080}}\n' })).status).toBe('pass');
    expect((await judge(probes!, { 'main.go': 'package main' })).status).toBe('not-applicable');
  });
});
