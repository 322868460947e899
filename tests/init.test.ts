import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseConfig } from '../crawler/config.ts';
import { runCli, tempDir } from './helpers.ts';
import { workflowErrors } from './workflow-parser.ts';

// The inputs (`with:`) of each action the templates use, from the action.yml of the pinned major
// version in the action's repository (github.com/<owner>/<name>/blob/<tag>/action.yml). Only these
// actions, at these majors, may appear; bumping one means checking its action.yml and this table.
const ACTIONS: Record<string, { inputs: string[]; required?: string[] }> = {
  // actions/checkout v5 action.yml
  'actions/checkout@v5': { inputs: ['repository', 'ref', 'token', 'ssh-key', 'ssh-known-hosts', 'ssh-strict', 'ssh-user', 'persist-credentials', 'path', 'clean', 'filter', 'sparse-checkout', 'sparse-checkout-cone-mode', 'fetch-depth', 'fetch-tags', 'show-progress', 'lfs', 'submodules', 'set-safe-directory', 'github-server-url'] },
  // actions/setup-node v5 action.yml
  'actions/setup-node@v5': { inputs: ['node-version', 'node-version-file', 'architecture', 'check-latest', 'registry-url', 'scope', 'token', 'cache', 'package-manager-cache', 'cache-dependency-path', 'mirror', 'mirror-token', 'always-auth'] },
  // actions/upload-pages-artifact v4 action.yml
  'actions/upload-pages-artifact@v4': { inputs: ['name', 'path', 'retention-days'], required: ['path'] },
  // actions/deploy-pages v4 action.yml
  'actions/deploy-pages@v4': { inputs: ['token', 'timeout', 'error_count', 'reporting_interval', 'artifact_name', 'preview'] },
  // actions/upload-artifact v4 action.yml
  'actions/upload-artifact@v4': { inputs: ['name', 'path', 'if-no-files-found', 'retention-days', 'compression-level', 'overwrite', 'include-hidden-files'], required: ['path'] },
  // actions/download-artifact v4 action.yml
  'actions/download-artifact@v4': { inputs: ['name', 'path', 'pattern', 'merge-multiple', 'github-token', 'repository', 'run-id'] },
};

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  'timeout-minutes'?: number;
  'continue-on-error'?: boolean;
}
interface Job {
  'runs-on': string;
  'timeout-minutes'?: number;
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string>;
  environment?: { name: string; url?: string };
  strategy?: { 'fail-fast'?: boolean; matrix: { shard: number[] } };
  steps: Step[];
}
interface Workflow {
  on: { schedule: { cron: string }[]; workflow_dispatch: unknown };
  permissions: Record<string, string>;
  concurrency: { group: string; 'cancel-in-progress': boolean };
  env: Record<string, string>;
  jobs: Record<string, Job>;
}

function stepNamed(job: Job, name: string): Step {
  const step = job.steps.find((s) => s.name === name || s.uses?.startsWith(name));
  expect(step, `step "${name}"`).toBeDefined();
  return step!;
}

/** Runs a step's script under bash with `${{ … }}` replaced, fake npx/gh on PATH, and the given environment. */
function runStep(script: string, env: Record<string, string>, dir: string) {
  const bin = path.join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(path.join(bin, 'npx'), '#!/bin/bash\necho "npx $*" >> "$CALLS"\nexit "${FAKE_NPX_EXIT:-0}"\n');
  writeFileSync(path.join(bin, 'gh'), '#!/bin/bash\necho "gh $*" >> "$CALLS"\ncase "$FAKE_GH" in\n  missing) echo "release not found" >&2; exit 1 ;;\n  down) echo "HTTP 502: Bad Gateway" >&2; exit 1 ;;\n  *) echo "$FAKE_GH" ;;\nesac\n');
  chmodSync(path.join(bin, 'npx'), 0o755);
  chmodSync(path.join(bin, 'gh'), 0o755);
  const output = path.join(dir, 'output');
  const summary = path.join(dir, 'summary');
  const calls = path.join(dir, 'calls');
  for (const f of [output, summary, calls]) writeFileSync(f, '');
  const body = script.replace(/\$\{\{[^}]*\}\}/g, 'x');
  const result = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', body], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: `${bin}:${process.env.PATH}`, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary, CALLS: calls, RUNNER_TEMP: dir, SEAWORTHY_DB: path.join(dir, 'data', 'seaworthy.db'), DATA_RELEASE: 'seaworthy-data', GITHUB_RUN_ID: '42', GITHUB_RUN_ATTEMPT: '1', ...env },
  });
  return { code: result.status, stderr: result.stderr, output: readFileSync(output, 'utf8'), summary: readFileSync(summary, 'utf8'), calls: readFileSync(calls, 'utf8') };
}

async function checkWorkflow(file: string): Promise<Workflow> {
  const text = readFileSync(file, 'utf8');
  const errors = await workflowErrors(path.basename(file), text);
  expect(errors, 'GitHub\'s workflow parser').toEqual([]);
  const workflow = parseYaml(text, { uniqueKeys: true }) as Workflow;
  expect(workflow.on.schedule[0]!.cron).toMatch(/^\d+ \d+ \* \* \*$/);
  expect(workflow.on).toHaveProperty('workflow_dispatch');
  expect(workflow.permissions).toEqual({ contents: 'read' });
  expect(workflow.concurrency).toEqual({ group: 'seaworthy', 'cancel-in-progress': false });
  for (const [id, job] of Object.entries(workflow.jobs)) {
    expect(job['timeout-minutes'], `job ${id} has a timeout`).toBeGreaterThan(0);
    expect(Array.isArray(job.steps) && job.steps.length > 0, `job ${id} has steps`).toBe(true);
    for (const step of job.steps) {
      expect(Boolean(step.uses) !== Boolean(step.run), `a step of ${id} either uses an action or runs a script`).toBe(true);
      if (step['timeout-minutes']) expect(step['timeout-minutes']).toBeLessThan(job['timeout-minutes']!);
      if (step.run) {
        const syntax = spawnSync('bash', ['-n', '-c', step.run.replace(/\$\{\{[^}]*\}\}/g, 'x')], { encoding: 'utf8' });
        expect(syntax.stderr, `bash syntax of "${step.name ?? step.run.slice(0, 40)}"`).toBe('');
      }
      if (!step.uses) continue;
      expect(step.uses, 'pinned to a major version or a commit').toMatch(/^[\w.-]+\/[\w.-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/);
      expect(step.uses).not.toMatch(/^actions\/cache@/);
      const action = ACTIONS[step.uses];
      expect(action, `${step.uses} is in the table of known action inputs`).toBeDefined();
      for (const input of Object.keys(step.with ?? {})) expect(action!.inputs, `${step.uses} has an input "${input}"`).toContain(input);
      for (const input of action!.required ?? []) expect(step.with ?? {}, `${step.uses} needs "${input}"`).toHaveProperty(input);
    }
  }
  const deploy = workflow.jobs.deploy!;
  expect(deploy.permissions).toEqual({ pages: 'write', 'id-token': 'write' });
  expect(deploy.environment).toEqual({ name: 'github-pages', url: '${{ steps.deployment.outputs.page_url }}' });
  expect(stepNamed(deploy, 'actions/deploy-pages').id).toBe('deployment');
  return workflow;
}

describe('seaworthy init', () => {
  const tmp = tempDir('sw-init-');
  afterAll(tmp.cleanup);

  it('writes a configuration that loads and a one-job nightly workflow GitHub accepts', async () => {
    const dir = path.join(tmp.dir, 'one');
    const run = runCli(['init', '--org', 'acme', '--repo', 'scorecards', '--dir', dir]);
    expect(run.code, run.stderr).toBe(0);
    const configFile = path.join(dir, 'seaworthy.config.yaml');
    const config = parseConfig(readFileSync(configFile, 'utf8'), configFile);
    expect(config.sources[0]).toMatchObject({ type: 'github', org: 'acme', auth: { app: { appIdEnv: 'SEAWORTHY_APP_ID', privateKeyEnv: 'SEAWORTHY_APP_PRIVATE_KEY' } } });
    expect(config.site.base).toBe('/scorecards/');
    expect(config.teams.map((t) => t.name)).toEqual(['payments', 'platform']);

    const workflow = await checkWorkflow(path.join(dir, '.github', 'workflows', 'seaworthy.yml'));
    expect(Object.keys(workflow.jobs)).toEqual(['crawl', 'deploy']);
    expect(workflow.env.SEAWORTHY_DB).toBe(config.database);
    const crawl = workflow.jobs.crawl!;
    expect(crawl.permissions).toEqual({ contents: 'write' });
    expect(stepNamed(crawl, 'actions/setup-node').with).toMatchObject({ cache: 'npm' });
    expect(stepNamed(crawl, 'actions/upload-pages-artifact').with).toEqual({ path: config.site.outDir });
    expect(workflow.jobs.deploy!.needs).toBe('crawl');
    // The crawl step's App credentials come from a variable and a secret, never from the file.
    expect(stepNamed(crawl, 'Crawl').env).toMatchObject({ SEAWORTHY_APP_ID: '${{ vars.SEAWORTHY_APP_ID }}', SEAWORTHY_APP_PRIVATE_KEY: '${{ secrets.SEAWORTHY_APP_PRIVATE_KEY }}' });
    const order = crawl.steps.map((s) => s.name ?? s.uses);
    expect(order.indexOf('Restore the database')).toBeLessThan(order.indexOf('Crawl'));
    expect(order.indexOf('Crawl')).toBeLessThan(order.indexOf('Save the database'));
    expect(stepNamed(crawl, 'Save the database').if).toBe("steps.crawl.outputs.exit-code == '0' || steps.crawl.outputs.exit-code == '1'");
    expect(stepNamed(crawl, 'Explain the outcome').if).toBe('always()');
  });

  it('the crawl step goes on for ok and partial only, and records the exit code for the summary', () => {
    const dir = path.join(tmp.dir, 'one');
    const workflow = parseYaml(readFileSync(path.join(dir, '.github', 'workflows', 'seaworthy.yml'), 'utf8')) as Workflow;
    const crawl = stepNamed(workflow.jobs.crawl!, 'Crawl').run!;
    const explain = stepNamed(workflow.jobs.crawl!, 'Explain the outcome').run!;
    for (const [exit, passes] of [[0, true], [1, true], [2, false], [3, false], [4, false], [5, false], [137, false]] as const) {
      const step = runStep(crawl, { FAKE_NPX_EXIT: String(exit), RESTART: 'false' }, path.join(tmp.dir, `step-${exit}`));
      expect(step.code === 0, `exit ${exit}`).toBe(passes);
      expect(step.output).toBe(`exit-code=${exit}\n`);
      expect(step.calls).toBe('npx seaworthy crawl --db ' + path.join(tmp.dir, `step-${exit}`, 'data', 'seaworthy.db') + '\n');
      const summary = runStep(explain, { CODE: String(exit) }, path.join(tmp.dir, `explain-${exit}`)).summary;
      expect(summary).toMatch(passes ? /Published, database saved|published, database saved/ : /Nothing saved/);
    }
    expect(runStep(crawl, { RESTART: 'true' }, path.join(tmp.dir, 'restart')).calls).toContain('--restart');
    expect(runStep(explain, { CODE: '' }, path.join(tmp.dir, 'explain-none')).summary).toContain('did not finish');
  });

  it('restores from the release: a first night starts empty, an unreadable release stops the job', () => {
    const workflow = parseYaml(readFileSync(path.join(tmp.dir, 'one', '.github', 'workflows', 'seaworthy.yml'), 'utf8')) as Workflow;
    const restore = stepNamed(workflow.jobs.crawl!, 'Restore the database').run!;
    const first = runStep(restore, { FAKE_GH: 'missing' }, path.join(tmp.dir, 'restore-first'));
    expect(first.code).toBe(0);
    expect(first.summary).toContain('this first crawl starts the database');
    const down = runStep(restore, { FAKE_GH: 'down' }, path.join(tmp.dir, 'restore-down'));
    expect(down.code).not.toBe(0);
    expect(down.stderr + down.summary).not.toContain('first crawl');
    const empty = runStep(restore, { FAKE_GH: '' }, path.join(tmp.dir, 'restore-empty'));
    expect(empty.code).not.toBe(0);
  });

  it('with --shards writes a matrix of shard crawls and a merge job that publishes', async () => {
    const dir = path.join(tmp.dir, 'sharded');
    expect(runCli(['init', '--org', 'acme', '--shards', '4', '--dir', dir]).code).toBe(0);
    const workflow = await checkWorkflow(path.join(dir, '.github', 'workflows', 'seaworthy.yml'));
    expect(Object.keys(workflow.jobs)).toEqual(['crawl', 'merge', 'deploy']);
    const crawl = workflow.jobs.crawl!;
    expect(crawl.strategy).toEqual({ 'fail-fast': false, matrix: { shard: [1, 2, 3, 4] } });
    expect(stepNamed(crawl, 'Crawl the shard').run).toContain('--shard "$SHARD/4" --group "$GITHUB_RUN_ID"');
    expect(stepNamed(crawl, 'Crawl the shard').env!.SEAWORTHY_APP_PRIVATE_KEY).toContain("secrets[format('SEAWORTHY_APP_PRIVATE_KEY_{0}', matrix.shard)]");
    expect(stepNamed(crawl, 'actions/upload-artifact').with).toMatchObject({ name: 'seaworthy-shard-${{ matrix.shard }}', overwrite: true });
    const merge = workflow.jobs.merge!;
    expect(merge.needs).toBe('crawl');
    expect(merge.if).toBe('${{ !cancelled() }}');
    expect(stepNamed(merge, 'actions/download-artifact').with).toEqual({ pattern: 'seaworthy-shard-*', path: 'shards', 'merge-multiple': true });
    expect(stepNamed(merge, 'Merge the shards').run).toContain('npx seaworthy merge --db "$SEAWORTHY_DB" --shards 4 shards/*.db');
    expect(stepNamed(merge, 'Save the database').if).toBe("steps.merge.outputs.exit-code == '0' || steps.merge.outputs.exit-code == '1'");
    expect(workflow.jobs.deploy!.needs).toBe('merge');
    expect(crawl.permissions).toBeUndefined();
    expect(merge.permissions).toEqual({ contents: 'write' });
  });

  it('never overwrites existing files unless --force', () => {
    const dir = path.join(tmp.dir, 'one');
    const configFile = path.join(dir, 'seaworthy.config.yaml');
    writeFileSync(configFile, '# mine\n');
    const refused = runCli(['init', '--org', 'other', '--dir', dir]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('seaworthy.config.yaml and .github/workflows/seaworthy.yml already exist; nothing was written. Pass --force');
    expect(readFileSync(configFile, 'utf8')).toBe('# mine\n');
    expect(runCli(['init', '--org', 'other', '--dir', dir, '--force']).code).toBe(0);
    expect(readFileSync(configFile, 'utf8')).toContain('org: other');
  });
});
