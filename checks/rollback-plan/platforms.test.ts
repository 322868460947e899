// Mistake classes found by calibrating against expert labels: platform rollbacks (CloudFormation,
// instance refresh, Swarm, Fly.io), rollout strategies that keep a failing version from finishing,
// pipelines that redeploy, a way back for the data, throwaway test clusters, and partial credit.
import { afterAll, describe, expect, it } from 'vitest';
import type { FixtureFile } from '../../fixtures/factory.ts';
import { fixtureSnapshots } from '../../tests/fixture-snapshots.ts';
import type { CheckOutcome, Finding, RepoKind } from '../contract.ts';
import rollbackPlan from './index.ts';

const repos = fixtureSnapshots({ namePrefix: 'platform' });
afterAll(repos.cleanup);

async function check(files: Record<string, FixtureFile>, kind: RepoKind = 'service'): Promise<CheckOutcome> {
  const snapshot = await repos.snapshot(rollbackPlan.meta.reads, files);
  return rollbackPlan.run(snapshot, {
    options: rollbackPlan.meta.options.parse({}),
    kind: { kind, source: 'detected', evidence: [] },
    now: new Date('2026-11-15T00:00:00Z'),
    facts: { packages: new Map() },
  });
}

const lines = (...ls: string[]): string => ls.join('\n') + '\n';
const automation = (summary: string): string => summary.split('; ')[0] ?? '';
const guards = (summary: string): string => summary.split('; ')[1] ?? '';
const ruled = (findings: Finding[], rule: string): Finding[] => findings.filter((f) => f.rule === rule);

const workflow = (name: string, on: string[], steps: string[], job = 'deploy'): string =>
  lines(`name: ${name}`, 'on:', ...on.map((o) => `  ${o}`), 'jobs:', `  ${job}:`, '    runs-on: ubuntu-latest', '    steps:', '      - uses: actions/checkout@v4', ...steps);

describe('rollback-plan: CloudFormation rolls back a failed stack update by itself', () => {
  it('cdk deploy through a package runner is a stack rollback; --no-rollback is a finding and earns nothing', async () => {
    const on = workflow('Release', ['push: { branches: [main] }'], ['      - run: pnpm cdk deploy api-prod --require-approval never'], 'release');
    const r = await check({ '.github/workflows/release.yml': on, 'cdk.json': '{ "app": "npx ts-node bin/app.ts" }\n' });
    expect(automation(r.summary)).toBe('automated rollback: stack-rollback (cdk deploy in workflow job release: CloudFormation rolls back a failed stack update, .github/workflows/release.yml:9)');
    expect(r.score).toBe(3);
    expect(ruled(r.findings, 'rollback-not-on-metrics')).toHaveLength(1);

    const off = await check({ '.github/workflows/release.yml': on.replace('--require-approval never', '--require-approval never --no-rollback') });
    expect(automation(off.summary)).toBe('no automated rollback');
    expect(ruled(off.findings, 'stack-rollback-disabled')).toEqual([
      {
        rule: 'stack-rollback-disabled', severity: 'medium', path: '.github/workflows/release.yml', line: 9,
        message: 'cdk deploy with its rollback switched off (--no-rollback): a failed stack update is left half applied instead of rolled back',
      },
    ]);
  });

  it('sceptre launch in a folded run: block, with flags before the subcommand', async () => {
    const on = workflow('Infra', ['push: { branches: [prod] }'], ['      - name: Deploy stacks', '        run: >', '          pipenv run sceptre --var-file=vars/prod.yaml', '          launch prod --yes'], 'apply');
    const r = await check({ '.github/workflows/infra.yml': on, 'config/config.yaml': 'project_code: batch\n', 'templates/vpc.yaml': "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n" }, 'infrastructure');
    expect(automation(r.summary)).toMatch(/^automated rollback: stack-rollback \(sceptre launch in workflow job apply/);
  });

  it('aws cloudformation deploy, SAM and the CloudFormation deploy action: each can switch the rollback off', async () => {
    const script = lines('#!/bin/sh', 'set -e', 'aws cloudformation deploy --stack-name api --template-file api.yaml', 'sam deploy --stack-name fn --disable-rollback');
    const r = await check({ 'scripts/deploy.sh': script });
    expect(automation(r.summary)).toBe('automated rollback: stack-rollback (aws cloudformation deploy in a script: CloudFormation rolls back a failed stack update, scripts/deploy.sh:3)');
    expect(ruled(r.findings, 'stack-rollback-disabled').map((f) => [f.path, f.line])).toEqual([['scripts/deploy.sh', 4]]);

    const action = workflow('Stacks', ['workflow_dispatch:'], ['      - uses: aws-actions/aws-cloudformation-github-deploy@v1', '        with:', '          name: api', '          template: api.yaml', "          disable-rollback: '1'"]);
    const a = await check({ '.github/workflows/stacks.yml': action });
    expect(ruled(a.findings, 'stack-rollback-disabled').map((f) => f.line)).toEqual([9]);
    expect(automation(a.summary)).toBe('no automated rollback');
  });

  it('Terraform on_failure = "DO_NOTHING" and Sceptre on_failure: DO_NOTHING are findings', async () => {
    const tf = lines('resource "aws_cloudformation_stack" "network" {', '  name          = "network"', '  template_body = file("network.yaml")', '  on_failure    = "DO_NOTHING"', '}');
    const r = await check({ 'infra/stack.tf': tf, 'config/prod/network.yaml': 'template_path: network.yaml\non_failure: DO_NOTHING\n' }, 'infrastructure');
    expect(ruled(r.findings, 'stack-rollback-disabled').map((f) => [f.path, f.line])).toEqual([
      ['config/prod/network.yaml', 2],
      ['infra/stack.tf', 4],
    ]);
  });
});

describe('rollback-plan: Flux remediation applied fleet-wide', () => {
  it('a Flux Kustomization that patches upgrade remediation into every HelmRelease covers the ones that do not set it', async () => {
    const kustomization = lines(
      'apiVersion: kustomize.toolkit.fluxcd.io/v1',
      'kind: Kustomization',
      'metadata: { name: apps, namespace: flux-system }',
      'spec:',
      '  sourceRef: { kind: GitRepository, name: flux-config }',
      '  patches:',
      '    - patch: |-',
      '        apiVersion: helm.toolkit.fluxcd.io/v2',
      '        kind: HelmRelease',
      '        metadata: { name: any }',
      '        spec:',
      '          upgrade:',
      '            remediation: { retries: 3, remediateLastFailure: true }',
      '      target:',
      '        kind: HelmRelease',
    );
    const release = lines('apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata: { name: payments }', 'spec:', '  chart: { spec: { chart: payments } }');
    const r = await check({ 'apps/base/kustomize.yaml': kustomization, 'apps/payments/release.yaml': release }, 'infrastructure');
    expect(automation(r.summary)).toBe('automated rollback: health-gated (Flux Kustomization apps patches upgrade remediation into every HelmRelease it applies, apps/base/kustomize.yaml:7)');
    expect(ruled(r.findings, 'helm-release-not-atomic')).toEqual([]);
    const alone = await check({ 'apps/payments/release.yaml': release }, 'infrastructure');
    expect(ruled(alone.findings, 'helm-release-not-atomic').map((f) => f.path)).toEqual(['apps/payments/release.yaml']);
  });
});

describe('rollback-plan: rollout strategies experts credit', () => {
  it('an Auto Scaling group instance refresh with auto_rollback is health-gated; without it the rollout is gated', async () => {
    const asg = (prefs: string) => lines('resource "aws_autoscaling_group" "web" {', '  max_size = 6', '  instance_refresh {', '    strategy = "Rolling"', '    preferences {', `      ${prefs}`, '    }', '  }', '}');
    const on = await check({ 'infra/asg.tf': asg('auto_rollback = true') }, 'infrastructure');
    expect(automation(on.summary)).toBe('automated rollback: health-gated (aws_autoscaling_group.web instance refresh rolls back automatically (auto_rollback), infra/asg.tf:6)');
    expect(on.score).toBe(4);
    const off = await check({ 'infra/asg.tf': asg('min_healthy_percentage = 90') }, 'infrastructure');
    expect(guards(off.summary)).toBe('safeguards: gated-rollout (aws_autoscaling_group.web replaces instances by rolling instance refresh, without auto_rollback, infra/asg.tf:3)');
    expect(off.score).toBe(2.5);
  });

  it('a managed instance group update policy, Cloud Run and Render health checks hold back a failing release', async () => {
    const mig = lines('resource "google_compute_region_instance_group_manager" "web" {', '  name = "web"', '  update_policy {', '    type           = "PROACTIVE"', '    max_surge_fixed = 3', '  }', '}');
    expect(guards((await check({ 'infra/mig.tf': mig }, 'infrastructure')).summary)).toBe('safeguards: gated-rollout (google_compute_region_instance_group_manager.web rolls instances by its update policy, infra/mig.tf:3)');
    const run = lines('resource "google_cloud_run_v2_service" "api" {', '  name     = "api"', '  location = "europe-west1"', '}');
    expect(guards((await check({ 'infra/run.tf': run })).summary)).toMatch(/^safeguards: gated-rollout \(Cloud Run google_cloud_run_v2_service\.api/);
    const render = lines('resource "render_web_service" "api" {', '  name = "api"', '  runtime_source = {', '    image = { image_url = "ghcr.io/acme/api" }', '  }', '  health_check_path = "/healthz"', '}');
    expect(guards((await check({ 'infra/render.tf': render })).summary)).toBe('safeguards: gated-rollout (Render render_web_service.api switches traffic only after its health check passes, infra/render.tf:6)');
  });

  it('a Deployment with a readiness probe rolls out gated; Recreate and test manifests do not count', async () => {
    const deployment = (strategy: string) =>
      lines('apiVersion: apps/v1', 'kind: Deployment', 'metadata: { name: api }', 'spec:', `  strategy: { type: ${strategy} }`, '  template:', '    spec:', '      containers:', '        - name: api', '          image: api:1', '          readinessProbe: { httpGet: { path: /ready, port: 8080 } }');
    const rolling = await check({ 'k8s/api.yaml': deployment('RollingUpdate') });
    expect(guards(rolling.summary)).toBe('safeguards: gated-rollout (Deployment api rolls out behind a readiness probe, k8s/api.yaml:2)');
    expect(rolling.score).toBe(2.5);
    expect((await check({ 'k8s/api.yaml': deployment('Recreate') })).score).toBe(0);
    expect((await check({ 'tests/e2e/api.yaml': deployment('RollingUpdate') })).score).toBe(0);
  });

  it('Helm values that give the chart a readiness probe count; the chart is the one beside them', async () => {
    const r = await check({ 'helm/api/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 1.0.0\n', 'helm/api/values.yaml': 'image: api\nreadinessProbe:\n  httpGet: { path: /health, port: http }\n' });
    expect(guards(r.summary)).toBe('safeguards: gated-rollout (Helm values give the workload a readiness probe, helm/api/values.yaml:2)');
  });

  it('Docker Swarm: failure_action rollback is health-gated, start-first updates of a health-checked service are gated', async () => {
    const stack = (update: string, health = '') => lines('services:', '  api:', '    image: api:1', ...(health ? ['    healthcheck:', `      test: ${health}`] : []), '    deploy:', '      update_config:', `        ${update}`);
    expect(automation((await check({ 'docker-compose.prod.yml': stack('failure_action: rollback') })).summary)).toBe(
      'automated rollback: health-gated (Swarm service api rolls back a failed update (update_config.failure_action: rollback), docker-compose.prod.yml:6)',
    );
    const checked = stack('order: start-first', '["CMD", "wget", "-qO-", "http://localhost:8080/health"]');
    expect(guards((await check({ 'docker-compose.prod.yml': checked })).summary)).toBe(
      'safeguards: gated-rollout (Swarm starts new tasks before stopping old ones and waits for their health check (update_config.order: start-first, 1 of 1 services health-checked), docker-compose.prod.yml:7)',
    );
    // Without a health check Swarm counts a task as updated once it starts: nothing is gated.
    expect(guards((await check({ 'docker-compose.prod.yml': stack('order: start-first') })).summary)).toBe('no safeguards');
  });

  it('fly.toml auto_rollback counts only where this repository deploys with flyctl', async () => {
    const fly = lines('app = "api"', '[experimental]', '  auto_rollback = true');
    expect((await check({ 'fly.toml': fly })).score).toBe(0);
    const deploys = workflow('Fly', ['push: { branches: [main] }'], ['      - run: flyctl deploy --remote-only']);
    const r = await check({ 'fly.toml': fly, '.github/workflows/fly.yml': deploys });
    expect(automation(r.summary)).toBe('automated rollback: health-gated (Fly.io releases roll back automatically when health checks fail (auto_rollback), fly.toml:3)');
  });
});

describe('rollback-plan: pipelines that redeploy a previous version', () => {
  it('a deploy workflow that takes a version to deploy is a redeploy path', async () => {
    const dispatch = lines('name: Deploy', 'on:', '  workflow_dispatch:', '    inputs:', '      version: { required: true }', '      environment: { required: true }', 'jobs:', '  deploy:', '    environment: production', '    runs-on: ubuntu-latest', '    steps:', '      - run: ./deploy.sh "${{ inputs.version }}"');
    const r = await check({ '.github/workflows/deploy.yml': dispatch });
    expect(guards(r.summary)).toBe('safeguards: redeploy (workflow "Deploy" deploys a chosen version (input version), .github/workflows/deploy.yml:8)');
    expect(r.score).toBe(2);
  });

  it('documentation sites, package releases and reusable workflows nobody calls are not deploy pipelines', async () => {
    const pages = lines('name: Publish docs', 'on: push', 'jobs:', '  deploy:', '    environment: github-pages', '    runs-on: ubuntu-latest', '    steps:', '      - uses: actions/deploy-pages@v4');
    const reusable = lines('name: Deploy service', 'on: workflow_call', 'jobs:', '  deploy:', '    runs-on: ubuntu-latest', '    steps:', '      - uses: aws-actions/amazon-ecs-deploy-task-definition@v2', '        with: { wait-for-service-stability: true }');
    const r = await check({ '.github/workflows/docs.yml': pages, '.github/workflows/deploy-service.yml': reusable });
    expect(guards(r.summary)).toBe('no safeguards');
    const caller = lines('name: CD', 'on: push', 'jobs:', '  prod:', '    uses: ./.github/workflows/deploy-service.yml');
    const called = await check({ '.github/workflows/deploy-service.yml': reusable, '.github/workflows/cd.yml': caller });
    expect(guards(called.summary)).toMatch(/gated-rollout \(ECS rolling deploy waits for a stable service/);
    expect(guards(called.summary)).toMatch(/redeploy \(workflow "Deploy service" deploys from CI/);
  });

  it('a workflow that applies labels or runs tests is not a deploy; one that runs terraform apply is', async () => {
    const labels = workflow('Apply labels', ['push: { branches: [main] }'], ['      - uses: crazy-max/ghaction-github-labeler@v5'], 'labels');
    expect(guards((await check({ '.github/workflows/labels.yml': labels })).summary)).toBe('no safeguards');
    const apply = workflow('Infrastructure', ['push: { branches: [main] }'], ['      - run: terraform -chdir=live/prod apply -auto-approve'], 'prod');
    expect(guards((await check({ '.github/workflows/infra.yml': apply }, 'infrastructure')).summary)).toBe(
      'safeguards: redeploy (workflow "Infrastructure" deploys from CI: a revert goes out the same way, .github/workflows/infra.yml:5)',
    );
  });

  it('Atlantis, Terraform Cloud workspaces and GitOps controllers apply a revert the way they applied the change', async () => {
    expect(guards((await check({ 'atlantis.yaml': 'version: 3\nprojects:\n  - dir: terraform\n' }, 'infrastructure')).summary)).toBe(
      'safeguards: redeploy (Atlantis plans each pull request and applies it once reviewed: a revert is applied the same way, atlantis.yaml:1)',
    );
    const tfe = lines('resource "tfe_workspace" "network" {', '  name = "network-production"', '  vcs_repo {', '    identifier = "acme/infrastructure"', '  }', '}');
    expect(guards((await check({ 'tfc/workspaces.tf': tfe }, 'infrastructure')).summary)).toMatch(/^safeguards: redeploy \(tfe_workspace\.network plans and applies from version control/);
    const app = lines('apiVersion: argoproj.io/v1alpha1', 'kind: Application', 'metadata: { name: checkout }', 'spec:', '  source: { repoURL: https://git.example.org/acme/apps, path: checkout }');
    expect(guards((await check({ 'apps/checkout.yaml': app }, 'infrastructure')).summary)).toBe(
      'safeguards: redeploy (Argo CD Application follows this repository: reverting a commit rolls the cluster back, apps/checkout.yaml:2)',
    );
  });
});

describe('rollback-plan: a way back for the data', () => {
  it('reversible migrations count; one exercised in CI counts more', async () => {
    const migration = (n: number) => `exports.up = (knex) => knex.schema.createTable('t${n}', (t) => t.increments());\nexports.down = (knex) => knex.schema.dropTable('t${n}');\n`;
    const files = { 'migrations/20260101_a.js': migration(1), 'migrations/20260102_b.js': migration(2) };
    const r = await check(files);
    expect(guards(r.summary)).toBe('safeguards: data-rollback (reversible migrations: 2 of the latest 2 define how to undo them, migrations/20260102_b.js:1)');
    expect(r.score).toBe(1);
    const ci = workflow('CI', ['pull_request:'], ['      - run: npx knex migrate:latest', '      - run: npx knex migrate:rollback --all'], 'migrations');
    const tested = await check({ ...files, '.github/workflows/ci.yml': ci });
    expect(guards(tested.summary)).toBe('safeguards: data-rollback (knex migrate:rollback run in CI (workflow job migrations), .github/workflows/ci.yml:10)');
    expect(tested.score).toBe(2);
  });

  it('a CI job that applies the new migrations under the previous release, and tests that release, is a tested way back', async () => {
    const steps = (first: string) => [`      - name: ${first}`, '        run: docker compose up app -d --wait', '      - name: Apply the new migrations', '        run: npx db-migrate up', '      - name: End-to-end tests against the running release', '        run: npx playwright test'];
    const r = await check({ '.github/workflows/schema-compat.yml': workflow('Schema compatibility', ['pull_request: { paths: [migrations/**] }'], steps('Start the previous release'), 'schema-compat') });
    expect(guards(r.summary)).toBe('safeguards: data-rollback (workflow job schema-compat applies the new migrations under the previous release: the old code is tested on the new schema, .github/workflows/schema-compat.yml:9)');
    expect(r.score).toBe(2);
    // Starting the code under test before migrating proves nothing about the previous release.
    const current = await check({ '.github/workflows/schema-compat.yml': workflow('Schema compatibility', ['pull_request:'], steps('Start this branch'), 'schema-compat') });
    expect(guards(current.summary)).not.toContain('previous release');
  });

  it('migrations whose down does nothing are not reversible', async () => {
    const empty = (n: number) => `export class M${n} { public async up(q) { await q.query('ALTER TABLE a ADD b int'); } public async down(q): Promise<void> {} }\n`;
    expect((await check({ 'src/migrations/1700000000001-a.ts': empty(1), 'src/migrations/1700000000002-b.ts': empty(2) })).score).toBe(0);
  });

  it('a package script or a documented command that undoes migrations, and restore tooling, count once', async () => {
    const pkg = await check({ 'package.json': JSON.stringify({ name: 'api', private: true, scripts: { 'db:rollback': 'knex migrate:rollback' } }, null, 2) });
    expect(guards(pkg.summary)).toBe('safeguards: data-rollback (package script db:rollback undoes migrations (package.json), package.json:5)');
    const doc = await check({ 'migrations/README.md': lines('# Migrations', '', 'To undo the last revision run `flask db downgrade`.') });
    expect(guards(doc.summary)).toBe('safeguards: data-rollback (flask db downgrade written down in migrations/README.md, migrations/README.md:3)');
    const restore = await check({ 'scripts/db-restore.sh': lines('#!/bin/sh', 'pg_restore -d "$DATABASE_URL" "$1"') });
    expect(guards(restore.summary)).toBe('safeguards: data-rollback (restore tooling (scripts/db-restore.sh), scripts/db-restore.sh:1)');
    expect(restore.score).toBe(1);
  });
});

describe('rollback-plan: deploys that run after failed checks', () => {
  const reusable = lines('name: deploy', 'on:', '  workflow_call:', '    inputs: { environment: { type: string } }', 'jobs:', '  deploy:', '    runs-on: ubuntu-latest', '    environment: ${{ inputs.environment }}', '    steps:', '      - run: ./scripts/deploy.sh "${{ inputs.environment }}"');
  const caller = (condition: string) =>
    lines('name: deploy-prod', 'on:', '  workflow_run:', '    workflows: [checks]', '    types: [completed]', '    branches: [main]', 'jobs:', '  deploy:', ...(condition ? [`    if: ${condition}`] : []), '    uses: ./.github/workflows/deploy.yml', '    with: { environment: prod }');

  it('a workflow_run deploy that never tests the conclusion is a finding, and its redeploy earns half', async () => {
    const r = await check({ '.github/workflows/deploy.yml': reusable, '.github/workflows/deploy-prod.yml': caller('') });
    expect(guards(r.summary)).toBe('safeguards: redeploy (workflow "deploy-prod" deploys from CI, after failed checks too: a revert goes out the same way, and so does a change that failed its tests, .github/workflows/deploy-prod.yml:8)');
    expect(ruled(r.findings, 'deploys-after-failed-checks').map((f) => `${f.path}:${f.line} ${f.message}`)).toEqual([
      '.github/workflows/deploy-prod.yml:3 workflow "deploy-prod" deploys when "checks" completes, whether it passed or failed: add `if: github.event.workflow_run.conclusion == \'success\'` to its jobs so a change that failed its checks is not deployed',
    ]);
    expect(r.score).toBe(1);

    const gated = await check({ '.github/workflows/deploy.yml': reusable, '.github/workflows/deploy-prod.yml': caller("github.event.workflow_run.conclusion == 'success'") });
    expect(ruled(gated.findings, 'deploys-after-failed-checks')).toEqual([]);
    expect(gated.score).toBe(2);
  });
});

describe('rollback-plan: a canary with analysis is a gated rollout too', () => {
  it('removing the analysis template of an Argo Rollout beside a Flagger Canary does not raise the score', async () => {
    const rollout = lines('apiVersion: argoproj.io/v1alpha1', 'kind: Rollout', 'metadata: { name: web }', 'spec:', '  strategy:', '    canary:', '      analysis:', '        templates:', '          - templateName: error-rate', '      steps: [{ setWeight: 25 }, { pause: { duration: 5m } }]');
    const analysis = lines('apiVersion: argoproj.io/v1alpha1', 'kind: AnalysisTemplate', 'metadata: { name: error-rate }', 'spec:', '  metrics:', '    - name: errors', '      interval: 1m', '      successCondition: result[0] < 0.01', '      failureLimit: 2');
    const canary = lines('apiVersion: flagger.app/v1beta1', 'kind: Canary', 'metadata: { name: api }', 'spec:', '  analysis:', '    threshold: 5', '    metrics:', '      - name: request-success-rate', '        thresholdRange: { min: 99 }');
    const full = await check({ 'deploy/web-rollout.yaml': rollout, 'deploy/error-rate.yaml': analysis, 'deploy/api-canary.yaml': canary });
    const withoutTemplate = await check({ 'deploy/web-rollout.yaml': rollout, 'deploy/api-canary.yaml': canary });
    expect(withoutTemplate.score!).toBeLessThanOrEqual(full.score!);
    expect(guards(full.summary)).toMatch(/^safeguards: gated-rollout \(Flagger Canary api with thresholds on request-success-rate: traffic moves step by step, /);
  });
});

describe('rollback-plan: what earns no credit', () => {
  it('a Makefile that tests manifests on a throwaway kind cluster deploys nothing', async () => {
    const makefile = lines('test-cluster:', '\tkind create cluster --name test', '\tkubectl apply -f manifests/', '\tkubectl rollout status deployment/prometheus --timeout 5m');
    const r = await check({ Makefile: makefile });
    expect(r.score).toBe(0);
    expect(guards(r.summary)).toBe('no safeguards');
    const job = lines('name: e2e', 'on: pull_request', 'jobs:', '  e2e:', '    runs-on: ubuntu-latest', '    steps:', '      - uses: helm/kind-action@v1', '      - run: kubectl rollout status deployment/api');
    expect((await check({ '.github/workflows/e2e.yml': job })).score).toBe(0);
  });

  it('a rollback section marked as an open item, and plans for one change, are not procedures', async () => {
    const open = lines('# Launch plan', '', '## Rollback (open item)', '', '1. Pin the previous image in the release repository and let it sync.', '2. Tell support that logins made during the window must be repeated.', '3. Keep the old stack warm for a week, then delete it.');
    const r = await check({ 'docs/deploy-plan.md': open });
    expect(r.summary.split('; ')[2]).toBe('rollback section "Rollback (open item)" in docs/deploy-plan.md without steps');
    expect(r.findings.find((f) => f.path === 'docs/deploy-plan.md')?.message).toBe('rollback section "Rollback (open item)" is marked as unfinished: finish it as steps someone on call can follow');
    expect((await check({ 'docs/plans/deploy-cutover.md': open.replace(' (open item)', '') })).summary.split('; ')[2]).toBe('no written rollback procedure');
  });
});

describe('rollback-plan: partial credit, as experts give it', () => {
  const procedure = lines('# Deploying', '', '## Rolling back', '', '1. Find the previous revision: `helm -n web history web`.', '2. Roll back: `helm -n web rollback web <REVISION> --wait`.', '3. Watch the error rate on the dashboard return to normal.');
  const helm = (flags: string) => workflow('deploy', ['push: { branches: [main] }'], [`      - run: helm upgrade --install web ./chart ${flags}`]);

  it('a written procedure with non-atomic Helm releases is token-to-partial practice (about 3)', async () => {
    const r = await check({ 'docs/deploy.md': procedure, '.github/workflows/deploy.yml': helm('--wait') });
    expect(r.score).toBe(4.5); // procedure 2.5 + a pipeline that redeploys 2
    expect(r.status).toBe('fail');
    expect(ruled(r.findings, 'helm-release-not-atomic')).toHaveLength(1);
  });

  it('platform-native automatic rollback is 5–7, and with a procedure it passes', async () => {
    const atomic = await check({ '.github/workflows/deploy.yml': helm('--atomic --wait') });
    expect(atomic.score).toBe(6);
    expect(atomic.status).toBe('warn');
    const both = await check({ '.github/workflows/deploy.yml': helm('--atomic --wait'), 'docs/deploy.md': procedure });
    expect(both.score).toBe(8.5);
    expect(both.status).toBe('pass');
  });

  it('upgrade guides and the README beside deploy configuration are read for procedures', async () => {
    const r = await check({ 'helm_deploy/README.md': procedure.replace('# Deploying', '# Helm'), 'docs/self-hosting/upgrades.mdx': '# Upgrades\n\nRead the release notes.\n' });
    expect(r.summary.split('; ')[2]).toBe('rollback procedure "Rolling back" in helm_deploy/README.md');
  });
});
