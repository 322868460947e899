// Library warnings never reach stderr raw: YAML whose mapping keys are collections (`? [a, b]`) is
// read by every check without the `yaml` library's process warning, the crawler names each such
// file once in its structured logs, and any other process warning becomes a structured warn line
// naming the repository and check it came from.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../checks/registry.ts';
import { collectionKeys } from '../checks/shared/yaml.ts';
import type { Fields, Logger } from '../crawler/log.ts';
import { runCheck } from '../crawler/run.ts';
import { captureProcessWarnings, inWarningScope, logWarningsTo } from '../crawler/warnings.ts';
import { createRepo } from '../fixtures/factory.ts';
import { fixtureSnapshots } from './fixture-snapshots.ts';
import { CLI, CLI_DEADLINE_MS, hung, tempDir, writeConfig } from './helpers.ts';

// Each file a check reads as YAML, with one key that is a collection next to keys that matter.
const ODD_FILES: Record<string, string> = {
  'k8s/deployment.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: api',
    '  labels:',
    '    app: api',
    '    ? [team, tier]',
    '    : payments-backend',
    'spec:',
    '  progressDeadlineSeconds: 600',
    '  replicas: 2',
    '',
  ].join('\n'),
  'prometheus/alerts.yaml': [
    'groups:',
    '  - name: api',
    '    rules:',
    '      - alert: ApiDown',
    '        expr: up == 0',
    '        annotations:',
    '          runbook_url: https://runbooks.acme.example/api-down',
    '          ? [owner, team]',
    '          : payments',
    '',
  ].join('\n'),
  '.github/workflows/deploy.yml': [
    'name: deploy',
    'on: push',
    'jobs:',
    '  deploy:',
    '    runs-on: ubuntu-latest',
    '    ? {environment: production}',
    '    : manual',
    '    steps:',
    '      - run: kubectl rollout undo deployment/api',
    '',
  ].join('\n'),
  'docker-compose.yml': ['services:', '  api:', '    image: acme/api:1.4.2', '    labels:', '      ? [cost, center]', '      : payments', ''].join('\n'),
  '.github/dependabot.yml': ['version: 2', 'updates:', '  - package-ecosystem: npm', '    directory: /', '    schedule: {interval: weekly}', '    ? [groups]', '    : none', ''].join('\n'),
};
// Not YAML until Helm renders it: `{{ … }}:` only looks like a flow mapping used as a key.
const HELM_TEMPLATE = 'charts/api/templates/configmap.yaml';
const FILES: Record<string, string> = {
  ...ODD_FILES,
  'charts/api/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 1.0.0\n',
  [HELM_TEMPLATE]: 'apiVersion: v1\nkind: ConfigMap\ndata:\n  {{ .Values.key }}: value\n',
  'RUNBOOK.md': '# API runbook\n\n## Symptoms\nErrors rise and the ApiDown alert fires.\n',
};

describe('YAML mapping keys that are collections', () => {
  it('are found with their line, directly, in flow and through an alias; template actions and broken documents are not', () => {
    expect(collectionKeys('a: 1\nb: [x, y]\nc: {d: e}\n')).toEqual([]);
    expect(collectionKeys('a: 1\n? [x, y]\n: 2\n')).toEqual([{ line: 2, key: '[x, y]' }]);
    expect(collectionKeys('outer:\n  - {p: q}: 3\n    name: n\n')).toEqual([{ line: 2, key: '{p: q}' }]);
    expect(collectionKeys('base: &k [a, b]\n? *k\n: 1\n')).toEqual([{ line: 2, key: '*k' }]);
    expect(collectionKeys('one: 1\n---\n? {a: 1, b: 2}\n: x\n')).toEqual([{ line: 3, key: '{a: 1, b: 2}' }]);
    expect(collectionKeys(FILES[HELM_TEMPLATE]!)).toEqual([]);
    expect(collectionKeys('? [x, y]\n: 1\nbroken: [\n')).toEqual([]);
    for (const [file, text] of Object.entries(ODD_FILES)) expect(collectionKeys(text), file).toHaveLength(1);
  });

  it('are read by every check without a process warning, and the keys beside them still count', async () => {
    const snapshots = fixtureSnapshots({ namePrefix: 'odd-yaml' });
    const warnings: string[] = [];
    const listen = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    // Only this listener while the test runs, so the library's warning below is not printed either.
    const others = process.listeners('warning');
    process.removeAllListeners('warning');
    process.on('warning', listen);
    try {
      // The library does warn at its default level: the checks' parse options are what keeps it quiet.
      for (const doc of parseAllDocuments(ODD_FILES['k8s/deployment.yaml']!)) doc.toJS();
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([expect.stringContaining('Keys with collection values will be stringified')]);
      warnings.length = 0;

      const snapshot = await snapshots.snapshot(['**/*'], FILES);
      const service = { kind: 'service' as const, source: 'config' as const, evidence: [] };
      const outcomes = Object.fromEntries(CHECKS.map((check) => [check.id, runCheck(check, snapshot, service, check.meta.options.parse({}), new Date('2026-11-15T00:00:00Z')).outcome]));
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
      for (const [id, outcome] of Object.entries(outcomes)) expect(outcome.status, `${id}: ${outcome.summary}`).not.toBe('error');
      // The alert beside the odd annotation links its runbook; the deployment beside the odd label has its deadline.
      expect(outcomes.runbooks!.summary).toContain('1/1 alerts link a runbook');
      expect(JSON.stringify(outcomes['rollback-plan']!.findings)).not.toMatch(/progressDeadlineSeconds/);
    } finally {
      process.off('warning', listen);
      for (const other of others) process.on('warning', other);
      snapshots.cleanup();
    }
  });
});

describe('a crawl through the CLI of a repository whose YAML has collection keys', () => {
  const tmp = tempDir('sw-warnings-');
  let run: { code: number | null; stdout: string; stderr: string };
  beforeAll(async () => {
    createRepo(path.join(tmp.dir, 'repos'), { name: 'odd-yaml', commits: [{ date: '2026-10-01T12:00:00Z', message: 'odd keys', files: FILES }] });
    const config = writeConfig(tmp.dir, `sources:\n  - type: local\n    paths: ['repos/*']\n    owner: acme\nregistries: {offline: true}\n`);
    const args = ['crawl', '-c', config, '--db', path.join(tmp.dir, 'seaworthy.db'), '--log-format', 'json', '--json'];
    run = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      const timer = setTimeout(() => child.kill('SIGKILL'), CLI_DEADLINE_MS);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (signal === 'SIGKILL') reject(hung(args, stderr));
        else resolve({ code, stdout, stderr });
      });
    });
  });
  afterAll(tmp.cleanup);

  it('prints nothing raw: every stderr line is a JSON log line', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/^\(node:\d+\)|Warning:/m);
    for (const line of run.stderr.split('\n').filter(Boolean)) expect(() => JSON.parse(line), line).not.toThrow();
  });

  it('names each such file once, with the repository, line and key, and no library warning slips through', () => {
    const logs = run.stderr
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const named = logs.filter((l) => l.msg === 'YAML mapping key is a collection; checks read it as its text');
    expect(named.map((l) => l.file).sort()).toEqual(Object.keys(ODD_FILES).sort());
    for (const l of named) expect(l).toMatchObject({ level: 'warn', repo: 'local/acme/odd-yaml', line: expect.any(Number), keys: 1 });
    expect(named.find((l) => l.file === 'k8s/deployment.yaml')).toMatchObject({ line: 7, key: '[team, tier]' });
    expect(logs.filter((l) => l.msg === 'library warning')).toEqual([]);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'ok', repositories: 1 });
  });
});

describe('process warnings in the CLI', () => {
  it('become one structured line per cause, naming the repository and check; none reaches stderr raw', async () => {
    // This file runs in its own process (vitest's forks pool), so taking its warnings over is contained here.
    const lines: { message: string; fields: Fields }[] = [];
    const logger: Logger = {
      info: () => undefined,
      error: () => undefined,
      warn: (message, fields = {}) => lines.push({ message, fields }),
      progress: () => ({ tick: () => undefined, done: () => undefined }),
    };
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      written.push(String(chunk));
      return write(chunk, ...rest);
    }) as typeof process.stderr.write;
    try {
      captureProcessWarnings();
      // Raised before a command has its logger: kept, then logged.
      process.emitWarning('raised at start-up', { code: 'SW_EARLY' });
      await new Promise((resolve) => setImmediate(resolve));
      logWarningsTo(logger);
      await inWarningScope({ repo: 'local/acme/api' }, async () => {
        await Promise.resolve();
        inWarningScope({ check: 'runbooks' }, () => {
          // The yaml library at its default level, as a check that forgot the option would call it.
          for (const doc of parseAllDocuments('? [a, b]\n: 1\n')) doc.toJS();
          for (const doc of parseAllDocuments('? [a, b]\n: 1\n')) doc.toJS();
        });
        process.emitWarning('a deprecated call', { type: 'DeprecationWarning', code: 'DEP_SW_1' });
        process.emitWarning('a deprecated call, from elsewhere', { type: 'DeprecationWarning', code: 'DEP_SW_1' });
      });
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.stderr.write = write;
    }
    expect(lines).toEqual([
      { message: 'library warning', fields: expect.objectContaining({ type: 'Warning', code: 'SW_EARLY', warning: 'raised at start-up', repo: undefined }) },
      { message: 'library warning', fields: expect.objectContaining({ type: 'Warning', repo: 'local/acme/api', check: 'runbooks', warning: expect.stringContaining('Keys with collection values will be stringified') }) },
      { message: 'library warning', fields: expect.objectContaining({ type: 'DeprecationWarning', code: 'DEP_SW_1', repo: 'local/acme/api', check: undefined }) },
    ]);
    expect(written.join('')).not.toMatch(/Warning:|\(node:/);
  });
});
