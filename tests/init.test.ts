import { Ajv2020 } from 'ajv/dist/2020.js';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../crawler/config.ts';
import { ROOT, runCli, tempDir } from './helpers.ts';
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
  // actions/cache v4 action.yml
  'actions/cache@v4': { inputs: ['path', 'key', 'restore-keys', 'upload-chunk-size', 'enableCrossOsArchive', 'fail-on-cache-miss', 'lookup-only', 'save-always'], required: ['path', 'key'] },
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

// A stand-in for gh that keeps one release in a directory: its assets' metadata in release.json (as
// `gh release view --json assets` prints it, `--jq` applied by the real jq) and their files beside it.
// FAKE_GH=missing|down makes every call fail as gh does without the release, or with GitHub down.
const FAKE_GH = `#!/bin/bash
echo "gh $*" >> "$CALLS"
case "$FAKE_GH" in
  missing) echo "release not found" >&2; exit 1 ;;
  down) echo "HTTP 502: Bad Gateway (https://api.github.com/repos/acme/scorecards/releases)" >&2; exit 1 ;;
esac
meta="$RELEASE_DIR/release.json"
sub="$1 $2"; shift 2
case "$sub" in
  "release view")
    [ -f "$meta" ] || { echo "release not found" >&2; exit 1; }
    shift; jqexpr=""
    while [ $# -gt 0 ]; do case "$1" in --jq) jqexpr="$2"; shift 2 ;; *) shift ;; esac; done
    if [ -n "$jqexpr" ]; then jq -r "$jqexpr" "$meta"; else echo "title: Seaworthy data"; fi ;;
  "release create")
    [ -f "$meta" ] && { echo "a release with the same tag name already exists" >&2; exit 1; }
    mkdir -p "$RELEASE_DIR"; echo '{"assets": []}' > "$meta"; echo "$*" > "$RELEASE_DIR/created-with" ;;
  "release upload")
    file="$2"; name=$(basename "$file"); n=$(( $(cat "$RELEASE_DIR/counter" 2>/dev/null || echo 0) + 1 )); echo "$n" > "$RELEASE_DIR/counter"
    cp "$file" "$RELEASE_DIR/$name"
    jq --arg name "$name" --arg at "$(printf '2026-11-%02dT03:00:00Z' "$n")" '.assets += [{name: $name, state: "uploaded", createdAt: $at}]' "$meta" > "$meta.new" && mv "$meta.new" "$meta" ;;
  "release download")
    while [ $# -gt 0 ]; do case "$1" in --pattern) pattern="$2"; shift 2 ;; --dir) dir="$2"; shift 2 ;; *) shift ;; esac; done
    cp "$RELEASE_DIR/$pattern" "$dir/" ;;
  "release delete-asset")
    rm "$RELEASE_DIR/$2"
    jq --arg name "$2" '.assets |= map(select(.name != $name))' "$meta" > "$meta.new" && mv "$meta.new" "$meta" ;;
  *) echo "fake gh: unexpected $sub" >&2; exit 1 ;;
esac
`;

// npx seaworthy: "backup --db A --out B" copies A to B; everything else just exits with FAKE_NPX_EXIT.
const FAKE_NPX = `#!/bin/bash
echo "npx $*" >> "$CALLS"
if [ "$2" = backup ]; then cp "$4" "$6"; fi
exit "\${FAKE_NPX_EXIT:-0}"
`;

/** Runs a step's script under bash with `${{ … }}` replaced, fake npx/gh on PATH, and the given environment. */
function runStep(script: string, env: Record<string, string>, dir: string) {
  const bin = path.join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(path.join(bin, 'npx'), FAKE_NPX);
  writeFileSync(path.join(bin, 'gh'), FAKE_GH);
  chmodSync(path.join(bin, 'npx'), 0o755);
  chmodSync(path.join(bin, 'gh'), 0o755);
  const output = path.join(dir, 'output');
  const summary = path.join(dir, 'summary');
  const calls = path.join(dir, 'calls');
  for (const f of [output, summary, calls]) writeFileSync(f, '');
  const body = script.replace(/\$\{\{[^}]*\}\}/g, 'x');
  // GitHub runs run: steps with bash -e -o pipefail.
  const result = spawnSync('bash', ['--noprofile', '--norc', '-e', '-o', 'pipefail', '-c', body], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: `${bin}:${process.env.PATH}`, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary, CALLS: calls, RUNNER_TEMP: dir, SEAWORTHY_DB: path.join(dir, 'data', 'seaworthy.db'), DATA_RELEASE: 'seaworthy-data', GITHUB_RUN_ID: '42', GITHUB_RUN_ATTEMPT: '1', RELEASE_DIR: path.join(dir, 'release'), ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, output: readFileSync(output, 'utf8'), summary: readFileSync(summary, 'utf8'), calls: readFileSync(calls, 'utf8') };
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
  expect(workflow.env.GH_REPO).toBe('${{ github.repository }}');
  for (const [id, job] of Object.entries(workflow.jobs)) {
    expect(job['timeout-minutes'], `job ${id} has a timeout`).toBeGreaterThan(0);
    const runs = job.steps.map((step) => step.run?.trim());
    // Seaworthy's own dependencies and Renovate's schema before anything runs seaworthy.
    if (runs.some((r) => r?.includes('npx seaworthy'))) {
      expect(runs.indexOf('npm ci'), `job ${id} installs`).toBeGreaterThan(-1);
      expect(runs.indexOf('npm run fetch:renovate-schema'), `job ${id} fetches Renovate's schema after npm ci`).toBe(runs.indexOf('npm ci') + 1);
      expect(stepNamed(job, 'actions/setup-node').with!['node-version'], 'Node ≥ 22.12 (package.json engines)').toBeGreaterThanOrEqual(24);
    }
    // Every gh call has a token; the release it reads is the workflow's repository's (GH_REPO).
    for (const step of job.steps) if (step.run?.includes('gh release')) expect(step.env?.GH_TOKEN, `${step.name} authenticates gh`).toBe('${{ github.token }}');
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
      // The Actions cache is no place for the database (evicted after a week unused): only the disposable cache of partial clones goes there.
      if (step.uses.startsWith('actions/cache@')) expect(String(step.with?.path), 'only the git cache in the Actions cache').toMatch(/(^|\/)git-cache$/);
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
    const config = loadConfig(configFile);
    // Also valid against the published JSON Schema the file names for editors.
    const schema = JSON.parse(readFileSync(path.join(ROOT, 'seaworthy.config.schema.json'), 'utf8')) as object;
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
    expect(validate(parseYaml(readFileSync(configFile, 'utf8'))), JSON.stringify(validate.errors)).toBe(true);
    expect(readFileSync(configFile, 'utf8')).toMatch(/^# yaml-language-server: \$schema=\.\/seaworthy\.config\.schema\.json\n/);
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
    // The cache of partial clones lives beside the database (the crawl's default) and rolls nightly.
    expect(stepNamed(crawl, 'actions/cache').with).toEqual({ path: path.posix.join(path.posix.dirname(config.database), 'git-cache'), key: 'seaworthy-git-${{ github.run_id }}-${{ github.run_attempt }}', 'restore-keys': 'seaworthy-git-' });
    expect(crawl.steps.findIndex((s) => s.uses?.startsWith('actions/cache'))).toBeLessThan(crawl.steps.findIndex((s) => s.name === 'Crawl'));
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
      const summary = runStep(explain, { CODE: String(exit), JOB_STATUS: passes ? 'success' : 'failure' }, path.join(tmp.dir, `explain-${exit}`)).summary;
      expect(summary).toMatch(passes ? /Published, database saved|published, database saved/ : /Nothing saved/);
      if (exit === 1) expect(summary).toContain('marked stale');
    }
    expect(runStep(crawl, { RESTART: 'true' }, path.join(tmp.dir, 'restart')).calls).toContain('--restart');
    expect(runStep(explain, { CODE: '', JOB_STATUS: 'failure' }, path.join(tmp.dir, 'explain-none')).summary).toContain('did not finish');
    // The crawl went well but saving or building failed afterwards: the summary must not claim it published.
    const later = runStep(explain, { CODE: '0', JOB_STATUS: 'failure' }, path.join(tmp.dir, 'explain-later')).summary;
    expect(later).toContain('a later step');
    expect(later).not.toContain('published, database saved');
  });

  it('restores from the release: a first night starts empty, an unreadable release stops the job', () => {
    const workflow = parseYaml(readFileSync(path.join(tmp.dir, 'one', '.github', 'workflows', 'seaworthy.yml'), 'utf8')) as Workflow;
    const restore = stepNamed(workflow.jobs.crawl!, 'Restore the database').run!;
    const first = runStep(restore, {}, path.join(tmp.dir, 'restore-first'));
    expect(first.code, first.stderr).toBe(0);
    expect(first.summary).toContain('this first crawl starts the database');
    expect(existsSync(path.join(tmp.dir, 'restore-first', 'data', 'seaworthy.db'))).toBe(false);
    const down = runStep(restore, { FAKE_GH: 'down' }, path.join(tmp.dir, 'restore-down'));
    expect(down.code).not.toBe(0);
    expect(down.stdout + down.summary).not.toContain('first crawl');
    expect(down.stdout).toContain('::error::cannot read the seaworthy-data release: HTTP 502');
    // A release without a usable copy (emptied by hand, or only an upload cut short) is no first night either.
    const emptied = path.join(tmp.dir, 'restore-emptied');
    mkdirSync(path.join(emptied, 'release'), { recursive: true });
    writeFileSync(path.join(emptied, 'release', 'release.json'), JSON.stringify({ assets: [{ name: 'seaworthy-1-1.db.gz', state: 'starter', createdAt: '2026-11-01T03:00:00Z' }] }));
    const empty = runStep(restore, {}, emptied);
    expect(empty.code).not.toBe(0);
    expect(empty.stdout).toContain('::error::the seaworthy-data release holds no database');
  });

  it('saves night after night as release assets, keeps the newest 7, and restores the newest complete one', () => {
    const workflow = parseYaml(readFileSync(path.join(tmp.dir, 'one', '.github', 'workflows', 'seaworthy.yml'), 'utf8')) as Workflow;
    const save = stepNamed(workflow.jobs.crawl!, 'Save the database').run!;
    const restore = stepNamed(workflow.jobs.crawl!, 'Restore the database').run!;
    const dir = path.join(tmp.dir, 'nights');
    const release = path.join(dir, 'release');
    mkdirSync(path.join(dir, 'data'), { recursive: true });
    for (let night = 1; night <= 9; night++) {
      writeFileSync(path.join(dir, 'data', 'seaworthy.db'), `database after night ${night}`);
      const saved = runStep(save, { GITHUB_RUN_ID: String(1000 + night) }, dir);
      expect(saved.code, saved.stderr).toBe(0);
      expect(saved.calls).toContain(`npx seaworthy backup --db ${path.join(dir, 'data', 'seaworthy.db')} --out ${path.join(dir, 'seaworthy.db')}`);
      // The release is created once, as a draft: only people with write access see it, and it stays writable.
      expect(saved.calls.includes('gh release create'), `night ${night}`).toBe(night === 1);
    }
    expect(readFileSync(path.join(release, 'created-with'), 'utf8')).toContain('--draft');
    const kept = (JSON.parse(readFileSync(path.join(release, 'release.json'), 'utf8')) as { assets: { name: string }[] }).assets.map((a) => a.name);
    expect(kept).toEqual([3, 4, 5, 6, 7, 8, 9].map((n) => `seaworthy-${1000 + n}-1.db.gz`));
    expect(readdirSync(release).filter((f) => f.endsWith('.db.gz')).sort()).toEqual([...kept].sort());

    // An upload that was cut short (state "starter") is newer than the good copies: it is never restored.
    const meta = JSON.parse(readFileSync(path.join(release, 'release.json'), 'utf8')) as { assets: object[] };
    meta.assets.push({ name: 'seaworthy-1010-1.db.gz', state: 'starter', createdAt: '2026-11-30T03:00:00Z' });
    writeFileSync(path.join(release, 'release.json'), JSON.stringify(meta));
    writeFileSync(path.join(dir, 'data', 'seaworthy.db'), 'stale local file');
    const restored = runStep(restore, {}, dir);
    expect(restored.code, restored.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'data', 'seaworthy.db'), 'utf8')).toBe('database after night 9');
    // The next save removes the broken upload along with what is past the newest 7.
    writeFileSync(path.join(dir, 'data', 'seaworthy.db'), 'database after night 10');
    expect(runStep(save, { GITHUB_RUN_ID: '1010', GITHUB_RUN_ATTEMPT: '2' }, dir).code).toBe(0);
    const after = (JSON.parse(readFileSync(path.join(release, 'release.json'), 'utf8')) as { assets: { name: string; state: string }[] }).assets;
    expect(after.every((a) => a.state === 'uploaded')).toBe(true);
    expect(after.map((a) => a.name)).toEqual([4, 5, 6, 7, 8, 9].map((n) => `seaworthy-${1000 + n}-1.db.gz`).concat('seaworthy-1010-2.db.gz'));
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
    // Each shard reads the same repositories night after night: its own cache of partial clones.
    expect(stepNamed(crawl, 'actions/cache').with).toEqual({ path: 'git-cache', key: 'seaworthy-git-shard-${{ matrix.shard }}-${{ github.run_id }}-${{ github.run_attempt }}', 'restore-keys': 'seaworthy-git-shard-${{ matrix.shard }}-' });
    const merge = workflow.jobs.merge!;
    expect(merge.needs).toBe('crawl');
    expect(merge.if).toBe('${{ !cancelled() }}');
    expect(stepNamed(merge, 'actions/download-artifact').with).toEqual({ pattern: 'seaworthy-shard-*', path: 'shards', 'merge-multiple': true });
    expect(stepNamed(merge, 'Merge the shards').run).toContain('npx seaworthy merge --db "$SEAWORTHY_DB" --shards 4 shards/*.db');
    expect(stepNamed(merge, 'Save the database').if).toBe("steps.merge.outputs.exit-code == '0' || steps.merge.outputs.exit-code == '1'");
    expect(workflow.jobs.deploy!.needs).toBe('merge');
    // A failed shard fails the crawl job: the deploy must still follow a merge that published a partial night.
    expect(workflow.jobs.deploy!.if).toBe("${{ !cancelled() && needs.merge.result == 'success' }}");
    // Shards read the draft release (write access needed to see a draft); only the merge saves.
    expect(crawl.permissions).toEqual({ contents: 'write' });
    expect(merge.permissions).toEqual({ contents: 'write' });
    expect(crawl.steps.some((s) => s.name === 'Save the database')).toBe(false);
    const explain = stepNamed(crawl, 'Explain the outcome');
    const shardOk = runStep(explain.run!, { CODE: '1', SHARD: '2', JOB_STATUS: 'success' }, path.join(tmp.dir, 'explain-shard'));
    expect(shardOk.summary).toContain('shard 2 partial');
    expect(shardOk.summary).not.toMatch(/published|saved/i);
    expect(runStep(explain.run!, { CODE: '4', SHARD: '3', JOB_STATUS: 'failure' }, path.join(tmp.dir, 'explain-shard-4')).summary).toContain("the merge keeps this shard's repositories' last good result, marked stale");
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
