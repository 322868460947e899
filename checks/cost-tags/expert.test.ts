// Mistake classes found by comparing the check with expert labels on real repositories (issue 14).
// Each test builds a repository that reproduces the class, in our own words; each failed on the
// check as it was before the fix.
import { afterAll, describe, expect, it } from 'vitest';
import type { FixtureFile } from '../../fixtures/factory.ts';
import { fixtureSnapshots } from '../../tests/fixture-snapshots.ts';
import type { CheckOutcome, Finding, RepoKind } from '../contract.ts';
import costTags, { type CostTagsOptions } from './index.ts';

const repos = fixtureSnapshots({ namePrefix: 'expert', webUrl: 'https://github.com/acme/{name}' });
afterAll(repos.cleanup);

async function check(files: Record<string, FixtureFile>, opts: { kind?: RepoKind; options?: Partial<CostTagsOptions> } = {}): Promise<CheckOutcome> {
  const snapshot = await repos.snapshot(costTags.meta.reads, files);
  return costTags.run(snapshot, {
    options: costTags.meta.options.parse(opts.options ?? {}),
    kind: { kind: opts.kind ?? 'infrastructure', source: 'detected', evidence: [] },
    now: new Date('2026-11-15T00:00:00Z'),
    facts: { packages: new Map() },
  });
}

const lines = (...ls: string[]): string => ls.join('\n') + '\n';
const about = (findings: Finding[], needle: string): Finding[] => findings.filter((f) => f.message.includes(needle));
const ofRule = (findings: Finding[], rule: string): Finding[] => findings.filter((f) => f.rule === rule);
const ALL = '{ CostCenter = "cc-7", Team = "ledger", Environment = "prod" }';
const deployment = (name: string, labels: string[]) =>
  lines('apiVersion: apps/v1', 'kind: Deployment', 'metadata:', `  name: ${name}`, 'spec:', '  template:', '    metadata:', '      labels:', ...labels.map((l) => `        ${l}`), '    spec:', '      containers: [{name: c, image: "registry.example/app:1.4.2"}]');

describe('cost-tags: Terragrunt and Terraform modules', () => {
  it('a generated provider whose heredoc interpolates values still parses: its default tags count, and a key with an unknown value is present', async () => {
    const root = lines(
      'locals {',
      '  region = "eu-west-2"',
      '}',
      'generate "provider" {',
      '  path     = "provider.tf"',
      '  contents = <<EOF',
      'provider "aws" {',
      '  region              = "${local.region}"',
      '  allowed_account_ids = [${get_env("ACCOUNT_ID")}]',
      '  default_tags {',
      '    tags = {',
      '      CostCenter  = "cc-7"',
      '      Team        = "${get_env("TEAM")}"',
      '      Environment = ${get_env("ENV")}',
      '    }',
      '  }',
      '}',
      'EOF',
      '}',
    );
    const r = await check({
      'live/terragrunt.hcl': root,
      'live/queue/terragrunt.hcl': lines('include "root" {', '  path = find_in_parent_folders()', '}', 'terraform {', '  source = "../../modules/queue"', '}'),
      'modules/queue/main.tf': lines('resource "aws_sqs_queue" "jobs" {', '  name = "jobs"', '}'),
    });
    expect(r.summary).toMatch(/^1\/1 cost-bearing resources carry every required tag/);
    expect(ofRule(r.findings, 'unparsable-file')).toEqual([]);
    expect(r.status).toBe('pass');
  });

  it('a module source written as a conditional is followed to its local branch', async () => {
    const r = await check({
      'live/terragrunt.hcl': lines(
        'generate "provider" {',
        '  path     = "provider.tf"',
        '  contents = <<EOF',
        'provider "aws" {',
        `  default_tags { tags = ${ALL} }`,
        '}',
        'EOF',
        '}',
      ),
      'live/db/terragrunt.hcl': lines(
        'include "root" {',
        '  path = find_in_parent_folders()',
        '}',
        'locals {',
        '  pinned = get_env("PINNED", "false") == "true"',
        '}',
        'terraform {',
        '  source = "${local.pinned ? "git::https://git.example/infra.git//modules/db?ref=v3" : "../../modules/db"}"',
        '}',
      ),
      'modules/db/main.tf': lines('resource "aws_db_instance" "main" {', '  engine = "postgres"', '}'),
    });
    // Before: the source could not be evaluated, so the unit counted as one remote module of unknown tags.
    expect(r.summary).toMatch(/^1\/1 cost-bearing resources carry every required tag \(1 Terraform\)/);
    expect(about(r.findings, 'aws_db_instance.main')).toEqual([]);
  });

  it('tags from a shared tags module count: its arguments are keys it writes, and it is not a resource itself', async () => {
    const r = await check({
      'stacks/web/main.tf': lines(
        'provider "azurerm" {',
        '  features {}',
        '}',
        'module "common_tags" {',
        '  source      = "git::https://git.example/org/terraform-module-common-tags.git?ref=v1"',
        '  environment = "prod"',
        '  product     = "ledger"',
        '  team        = "payments"',
        '}',
        'resource "azurerm_storage_account" "files" {',
        '  name = "files"',
        '  tags = module.common_tags.common_tags',
        '}',
      ),
    });
    // environment and team are known; product stands in for cost-center; cost-center itself may be added
    // by the module (it is indeterminate, not missing); the tags module is not counted as a resource.
    expect(r.summary).toMatch(/^0\/1 cost-bearing resources carry every required tag \(1 Terraform\); 0 missing required keys, 1 indeterminate/);
    expect(r.findings.filter((f) => f.message.startsWith('module.common_tags'))).toEqual([]);
    expect(about(r.findings, 'azurerm_storage_account.files')[0]?.message).toMatch(/cannot tell whether it has cost-center \(the keys module\.common_tags/);
    expect(r.score).toBeGreaterThanOrEqual(7.5);
  });

  it('a local tags module is evaluated: its output carries the keys it builds from its arguments', async () => {
    const r = await check({
      'envs/prod/main.tf': lines('provider "aws" {}', 'module "labels" {', '  source = "../../modules/labels"', '  team   = "ledger"', '}', 'resource "aws_s3_bucket" "b" {', '  tags = merge(module.labels.tags, { Environment = "prod" })', '}'),
      'modules/labels/main.tf': lines('variable "team" {}', 'output "tags" {', '  value = { CostCenter = "cc-7", Team = var.team }', '}'),
    });
    expect(r.summary).toMatch(/^1\/1 cost-bearing resources carry every required tag/);
  });

  it('a module from outside the repository whose source names no provider inherits the only cloud configured where it is called', async () => {
    const r = await check({
      'main.tf': lines('provider "aws" {', `  default_tags { tags = ${ALL} }`, '}', 'module "queue" {', '  source = "git::https://git.example/org/queue.git?ref=v2"', '}'),
    });
    expect(r.summary).toMatch(/^1\/1 cost-bearing resources carry every required tag/);
  });

  it('modules for other providers, lookups and DNS records are not counted as cost-bearing', async () => {
    const r = await check({
      'tfc/main.tf': lines('provider "tfe" {}', 'module "workspace" {', '  source = "git::https://git.example/org/terraform-tfe-workspacer.git"', '}', 'module "ws2" {', '  source = "acme/workspacer/tfe"', '}'),
      'app/main.tf': lines(
        'provider "azurerm" {',
        '  features {}',
        '}',
        'module "workspace_id" {',
        '  source = "git::https://git.example/org/terraform-module-log-analytics-workspace-id.git"',
        '}',
        'module "records" {',
        '  source = "git::https://git.example/org/azure-private-dns.git//modules/private-dns"',
        '}',
        'resource "azurerm_storage_account" "s" {',
        '  tags = { CostCenter = "cc", Team = "t", Environment = "e" }',
        '}',
      ),
    });
    expect(r.summary).toMatch(/^1\/1 cost-bearing resources/);
    expect(about(r.findings, 'module call')[0]?.message).toMatch(/^2 module calls from outside the repository not counted: module\.workspace_id .*looks something up; module\.records .*DNS records/);
  });

  it('a module whose name only mentions DNS (a DNS forwarder on virtual machines) is cost-bearing; one named for records or zones is not', async () => {
    const r = await check({
      'main.tf': lines(
        'provider "azurerm" {',
        '  features {}',
        '}',
        'module "dns_forwarder_vms" {',
        '  source = "git::https://git.example/org/terraform-azurerm-dns-forwarder-vms.git"',
        '}',
        'module "private_zones" {',
        '  source = "git::https://git.example/org/terraform-azurerm-private-zones.git"',
        '}',
      ),
    });
    expect(r.summary).toMatch(/^0\/1 cost-bearing resources/);
    expect(about(r.findings, 'module call')[0]?.message).toMatch(/^1 module call from outside the repository not counted: module\.private_zones .*DNS records/);
  });

  it('lifecycle ignore_changes on tags means the tags are set outside Terraform: indeterminate, not missing', async () => {
    const r = await check({ 'main.tf': lines('provider "azurerm" {', '  features {}', '}', 'resource "azurerm_storage_account" "s" {', '  name = "s"', '  lifecycle {', '    ignore_changes = [tags]', '  }', '}') });
    expect(r.summary).toContain('0 missing required keys, 1 indeterminate');
    expect(about(r.findings, 'azurerm_storage_account.s')[0]?.message).toContain('tags are managed outside Terraform (lifecycle ignore_changes, line 7)');
  });
});

describe('cost-tags: stack tags from deploy tools', () => {
  it('Sceptre: the project is the directory whose config/ is beside templates/, and stack_group_config references resolve', async () => {
    const r = await check({
      'config/readme.txt': 'not a Sceptre project\n',
      'config/sceptre/config/config.yaml': lines('project_code: ledger', 'region: {{ var.region | default("eu-west-1") }}', 'default_tags:', '  CostCenter: cc-7', '  OwnerEmail: ledger@example.org', '  Environment: prod'),
      'config/sceptre/config/prod/queue.yaml': lines('template:', '  path: queue.yaml', 'stack_tags:', '  {{stack_group_config.default_tags}}'),
      'config/sceptre/templates/queue.yaml': lines('AWSTemplateFormatVersion: "2010-09-09"', 'Resources:', '  Jobs:', '    Type: AWS::SQS::Queue'),
    });
    expect(r.summary).toMatch(/^0\/1 cost-bearing resources carry every required tag \(1 CloudFormation\); 1 missing required keys; 1 of those carry part/);
    expect(about(r.findings, 'AWS::SQS::Queue Jobs')[0]?.message).toBe('AWS::SQS::Queue Jobs has no owner (or team) tag; counted with Sceptre stack_tags (config/sceptre/config/prod/queue.yaml)');
    expect(ofRule(r.findings, 'other-keys-same-intent')[0]?.message).toMatch(/^resources carry OwnerEmail \(1 of 1 resources\) where owner \(or team\) is required/);
  });

  it('Sceptre templates written in Jinja (.j2) are read', async () => {
    const r = await check({
      'config/config.yaml': lines('stack_tags:', '  CostCenter: cc-7', '  Owner: ledger', '  Environment: prod'),
      'config/prod/bucket.yaml': lines('template:', '  path: bucket.j2'),
      'templates/bucket.j2': lines('AWSTemplateFormatVersion: "2010-09-09"', 'Resources:', '{% for n in sceptre_user_data.buckets %}', '  Bucket{{ n }}:', '    Type: AWS::S3::Bucket', '{% endfor %}'),
    });
    expect(r.summary).toMatch(/^1\/1 cost-bearing resources carry every required tag \(1 CloudFormation\)/);
  });

  it('Ansible: a template path with Jinja placeholders matches the templates it can name', async () => {
    const r = await check({
      'deploy/playbook.yml': lines('- hosts: localhost', '  tasks:', '    - name: stack', '      amazon.aws.cloudformation:', '        stack_name: "ledger-{{ env }}"', '        template: "cfn/{{ env }}.yaml"', '        tags:', '          CostCenter: cc-7', '          Owner: ledger', '          Environment: "{{ env }}"'),
      'deploy/cfn/prod.yaml': lines('AWSTemplateFormatVersion: "2010-09-09"', 'Resources:', '  Q:', '    Type: AWS::SQS::Queue'),
      'deploy/cfn/staging.yaml': lines('AWSTemplateFormatVersion: "2010-09-09"', 'Resources:', '  Q:', '    Type: AWS::SQS::Queue'),
    });
    expect(r.summary).toMatch(/^2\/2 cost-bearing resources carry every required tag/);
  });

  it('CDK: constructs are resources; Tags.of(app) in the entry point and Tags.of(this) in a base stack reach them', async () => {
    const files = (appTags: string[]) => ({
      'infra/package.json': JSON.stringify({ dependencies: { 'aws-cdk-lib': '2.150.0' } }),
      'infra/bin/app.ts': lines("import { App, Tags } from 'aws-cdk-lib';", "import { QueueStack } from '../lib/queue-stack';", 'const app = new App();', "new QueueStack(app, 'queues', {});", ...appTags),
      'infra/lib/base.ts': lines("import { Stack, Tags } from 'aws-cdk-lib';", "const KEYS = { OWNER: 'Owner' } as const;", 'export abstract class BaseStack extends Stack {', '  constructor(scope: any, id: string, props: any) {', '    super(scope, id, props);', "    Tags.of(this).add(KEYS.OWNER, 'ledger');", '  }', '}'),
      'infra/lib/queue-stack.ts': lines("import { Queue } from 'aws-cdk-lib/aws-sqs';", "import { BaseStack } from './base';", 'export class QueueStack extends BaseStack {', '  constructor(scope: any, id: string, props: any) {', '    super(scope, id, props);', "    new Queue(this, 'Jobs');", '  }', '}'),
    });
    const tagged = await check(files(["Tags.of(app).add('CostCenter', 'cc-7');", "Tags.of(app).add('Environment', 'prod');"]));
    expect(tagged.summary).toMatch(/^1\/1 cost-bearing resources carry every required tag \(1 CDK\)/);
    const baseOnly = await check(files([]));
    expect(about(baseOnly.findings, 'CDK Queue')[0]?.message).toBe('CDK Queue Queue in QueueStack has no cost-center, environment tags; counted with Tags.of(…).add in the CDK app (for QueueStack)');
  });
});

describe('cost-tags: what is not the owners\' production', () => {
  it('test, CI, script and example manifests, and kind clusters, are left out by path', async () => {
    const r = await check({
      'tests/e2e/app.yaml': deployment('e2e', ['app: e2e']),
      'scripts/local-stack.yaml': deployment('local', ['app: local']),
      'ci/runner.yaml': deployment('runner', ['app: runner']),
      'cluster-test/app.yaml': deployment('smoke', ['app: smoke']),
    });
    expect(r.status).toBe('not-applicable');
    const counts = ofRule(r.findings, 'not-counted').map((f) => Number(/^(\d+) cost-bearing resources? not counted: its path matches/.exec(f.message)?.[1]));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(4);
    // Configurable: `include` wins over `exclude`.
    const included = await check({ 'tests/e2e/app.yaml': deployment('e2e', ['app: e2e']) }, { options: { include: ['tests/**'] } });
    expect(included.status).toBe('fail');
  });

  it('manifests a README runs on minikube are a local setup, not production', async () => {
    const r = await check({
      'README.md': lines('# Ledger', '', '## Try it on Kubernetes', '', 'Start a local cluster with `minikube start`, then:', '', '    cd ledger/kube', '    ./up.sh'),
      'kube/up.sh': lines('kubectl apply -f server.yaml'),
      'kube/server.yaml': deployment('server', ['app: server']),
      'deploy/prod/server.yaml': deployment('server', ['app: server', 'cost-center: cc-7', 'owner: ledger']),
    });
    expect(r.summary).toMatch(/^1\/1 cost-bearing resources carry every required tag \(1 Kubernetes\)/);
    expect(ofRule(r.findings, 'not-counted')[0]?.message).toBe('1 cost-bearing resource not counted: README.md:5 runs kube/ on a local cluster: not production');
  });

  it('a Helm chart the repository publishes for others and never deploys is a self-hosting template', async () => {
    const chart = {
      'charts/ledger/Chart.yaml': lines('apiVersion: v2', 'name: ledger', 'version: 1.2.0'),
      'charts/ledger/values.yaml': lines('replicaCount: 1'),
      'charts/ledger/templates/deployment.yaml': lines('apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: {{ .Release.Name }}', '  labels:', '    app.kubernetes.io/name: {{ .Chart.Name }}'),
    };
    const publish = lines('on: { push: { tags: ["v*"] } }', 'jobs:', '  chart:', '    runs-on: ubuntu-latest', '    steps:', '      - run: helm package charts/ledger', '      - run: helm push ledger-*.tgz oci://registry.example/charts');
    const published = await check({ ...chart, '.github/workflows/chart.yml': publish });
    expect(published.status).toBe('not-applicable');
    expect(ofRule(published.findings, 'not-counted')[0]?.message).toContain('a Helm chart published for others to install (.github/workflows/chart.yml publishes charts) and not deployed by this repository');
    // The same chart, deployed by the repository itself (Argo CD), is the owners' production.
    const argo = lines('apiVersion: argoproj.io/v1alpha1', 'kind: Application', 'metadata:', '  name: ledger', 'spec:', '  source:', '    repoURL: https://git.example/ledger', '    path: charts/ledger');
    const deployed = await check({ ...chart, '.github/workflows/chart.yml': publish, 'argocd/ledger.yaml': argo });
    expect(deployed.status).toBe('fail');
  });

  it('Kustomize patches and generated manifests are not workloads of their own', async () => {
    const r = await check({
      'app/kustomization.yaml': lines('resources:', '  - deployment.yaml', 'patches:', '  - path: replicas-patch.yaml'),
      'app/deployment.yaml': deployment('api', ['app: api', 'cost-center: cc-7', 'owner: ledger']),
      'app/replicas-patch.yaml': lines('apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: api', 'spec:', '  replicas: 3'),
      'vendor-ish/operator.yaml': '# This manifest was generated by a tool. DO NOT EDIT.\n' + deployment('operator', ['app: operator']),
      'monitoring/build.sh': lines('jsonnet -J vendor -m rendered main.jsonnet'),
      'monitoring/rendered/grafana.yaml': deployment('grafana', ['app: grafana']),
    });
    expect(r.summary).toMatch(/^1\/1 cost-bearing resources carry every required tag \(1 Kubernetes\)/);
    expect(ofRule(r.findings, 'not-counted').map((f) => f.message)).toEqual([
      '1 cost-bearing resource not counted: generated by monitoring/build.sh:1: its source is what the owners maintain',
      '1 Kubernetes workload not counted: a Kustomize patch: it changes a workload declared elsewhere',
      '1 Kubernetes workload not counted: generated (its header says so): its source is what the owners maintain',
    ]);
  });

  it('in a repository that deploys root modules, a module nothing calls is not deployed by it', async () => {
    const r = await check({
      'envs/prod/main.tf': lines('terraform {', '  backend "s3" {}', '}', 'provider "aws" {}', 'resource "aws_sqs_queue" "q" {', `  tags = ${ALL}`, '}'),
      'modules/unused/main.tf': lines('variable "tags" {}', 'resource "aws_s3_bucket" "b" {', '  tags = var.tags', '}'),
    });
    expect(r.summary).toMatch(/^1\/1 cost-bearing resources carry every required tag/);
    expect(ofRule(r.findings, 'not-counted')[0]?.message).toBe('1 Terraform directory is not judged: modules/unused (nothing in this repository calls it, and the repository deploys root modules of its own)');
  });
});

describe('cost-tags: other keys, same intent', () => {
  it('keys of the same intent under other names are partial practice: partial credit, and a finding naming them and the aliases setting', async () => {
    const r = await check({
      'main.tf': lines('provider "aws" {', '  default_tags { tags = { BusinessUnit = "payments", Owner = "ledger", IsProduction = "true" } }', '}', 'resource "aws_sqs_queue" "a" {}', 'resource "aws_s3_bucket" "b" {}'),
    });
    expect(r.summary).toMatch(/^0\/2 cost-bearing resources carry every required tag/);
    expect(r.score).toBeGreaterThanOrEqual(8); // owner, and a cost and an environment key under other names, everywhere
    expect(ofRule(r.findings, 'other-keys-same-intent').map((f) => f.message)).toEqual([
      "resources carry BusinessUnit (2 of 2 resources) where cost-center is required: counted in part, as keys the configuration does not name. If it is how you record cost-center, map it in the check's options (aliases: { cost-center: [cost-centre, BusinessUnit], environment: [env, stage] }); if not, add cost-center itself",
      "resources carry IsProduction (2 of 2 resources) where environment is required: counted in part, as keys the configuration does not name. If it is how you record environment, map it in the check's options (aliases: { cost-center: [cost-centre], environment: [env, stage, IsProduction] }); if not, add environment itself",
    ]);
    // Mapped as the finding says, the same repository carries every key.
    const mapped = await check({ 'main.tf': lines('provider "aws" {', '  default_tags { tags = { BusinessUnit = "payments", Owner = "ledger", IsProduction = "true" } }', '}', 'resource "aws_sqs_queue" "a" {}') }, { options: { aliases: { 'cost-center': ['cost-centre', 'BusinessUnit'], environment: ['env', 'stage', 'IsProduction'] } } });
    expect(mapped.summary).toMatch(/^1\/1 cost-bearing resources carry every required tag/);
  });

  it('an organisation key of its own, on (nearly) every resource, counts in part and is named', async () => {
    const r = await check({
      'main.tf': lines('provider "aws" {', '  default_tags { tags = { x_chargeid = "21JC" } }', '}', 'resource "aws_sqs_queue" "a" {', '  tags = { Environment = "prod" }', '}', 'resource "aws_s3_bucket" "b" {', '  tags = { Environment = "prod" }', '}'),
    });
    const f = ofRule(r.findings, 'other-keys-same-intent');
    expect(f[0]?.message).toBe("resources carry x_chargeid (on 2 of 2 resources it stands for a missing cost-center): a key of the organisation's own, which names no known intent yet most resources carry, counted in part. If it is how you record cost-center (or another required key), map it in the check's options (aliases: { cost-center: [cost-centre, x_chargeid], environment: [env, stage] }); if not, add the required keys beside it");
    expect(r.score).toBeGreaterThan((await check({ 'main.tf': lines('provider "aws" {}', 'resource "aws_sqs_queue" "a" {', '  tags = { Environment = "prod" }', '}', 'resource "aws_s3_bucket" "b" {', '  tags = { Environment = "prod" }', '}') })).score!);
  });

  it("an organisation's own key stands in for a missing cost centre first, whatever the order of the required keys", async () => {
    const r = await check(
      { 'main.tf': lines('provider "aws" {', '  default_tags { tags = { x_chargeid = "21JC" } }', '}', 'resource "aws_sqs_queue" "a" {}', 'resource "aws_s3_bucket" "b" {}') },
      { options: { requiredKeys: ['owner', 'environment', 'cost-center'] } },
    );
    expect(ofRule(r.findings, 'other-keys-same-intent')[0]?.message).toMatch(/^resources carry x_chargeid \(on 2 of 2 resources it stands for a missing cost-center\)/);
  });

  it('one key spelled two ways across the repository is a finding', async () => {
    const r = await check({ 'main.tf': lines('provider "aws" {}', 'resource "aws_sqs_queue" "a" {', `  tags = ${ALL}`, '}', 'resource "aws_sqs_queue" "b" {', '  tags = { CostCenter = "cc-7", Team = "ledger", environment = "prod" }', '}') });
    expect(ofRule(r.findings, 'inconsistent-key-spelling').map((f) => f.message)).toEqual(['one key spelled 2 ways: Environment (1 resource), environment (1 resource). Cost reports group tags by the key exactly as written, so its costs are split; use one spelling everywhere']);
  });
});

describe('cost-tags: the indeterminate explained, and the curve', () => {
  it('when the list of resources is capped, one summary per category keeps the counts', async () => {
    const many = Array.from({ length: 160 }, (_, i) => lines(`resource "aws_sqs_queue" "q${i}" {`, '  tags = var.tags', '}')).join('');
    const r = await check({ 'main.tf': lines('terraform {', '  backend "s3" {}', '}', 'provider "aws" {}', 'variable "tags" {}', 'resource "aws_s3_bucket" "bare" {}') + many });
    expect(r.findings.slice(0, 2).map((f) => f.message)).toEqual(['160 resources indeterminate: their values come from variables without defaults', '1 resource have no tags at all']);
  });

  it('experts give 8 to provider default tags carrying owner, product and environment on everything', async () => {
    const r = await check({
      'deployments/api/main.tf': lines('terraform {', '  backend "s3" {}', '}', 'provider "aws" {', '  default_tags { tags = { Product = "ledger", Owner = "ledger@example.org", Environment = "prod" } }', '}', 'resource "aws_db_instance" "db" {}', 'resource "aws_s3_bucket" "b" {}', 'resource "aws_lb" "lb" {}'),
    });
    expect(r.status).toBe('pass');
    expect(r.score).toBeGreaterThanOrEqual(8);
  });

  it('Helm: label keys written in templates are read; a chart deployed through a dependency counts; helmfile and Flux releases count', async () => {
    const r = await check({
      'chart/Chart.yaml': lines('apiVersion: v2', 'name: shop', 'version: 1.0.0'),
      'chart/values.yaml': lines('podLabels: {}'),
      'chart/templates/_helpers.tpl': lines('{{- define "shop.labels" -}}', 'app.kubernetes.io/name: {{ .Chart.Name }}', 'team: {{ .Values.team }}', 'cost-center: shop-42', '{{- end }}'),
      'chart/templates/deployment.yaml': lines('apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: {{ .Release.Name }}', 'spec:', '  template:', '    metadata:', '      labels: {{- include "shop.labels" . | nindent 8 }}'),
      'svc/Chart.yaml': lines('apiVersion: v2', 'name: svc', 'version: 1.0.0', 'dependencies:', '  - name: generic-service', '    version: "3.6"', '    repository: https://charts.example'),
      'svc/values.yaml': lines('generic-service:', '  image:', '    repository: registry.example/svc'),
      'clusters/prod.yaml': lines('releases:', '  - name: cache', '    namespace: cache', '    chart: bitnami/redis'),
      'flux/release.yaml': lines('apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', '  name: queue', '  namespace: jobs', 'spec:', '  chart:', '    spec:', '      chart: rabbitmq', '  values:', '    podLabels:', '      cost-center: cc-7', '      owner: jobs'),
    });
    // shop writes team and cost-center in its named templates; the Flux release sets them in its values.
    expect(r.summary).toMatch(/^2\/4 cost-bearing resources carry every required tag \(4 Helm\)/);
    expect(about(r.findings, 'Helm chart shop')).toHaveLength(1); // only the not-rendered note: its labels are read from the templates
    expect(about(r.findings, 'Helm chart svc')[0]?.message).toContain('labels written by the chart it depends on (generic-service) are not visible here');
    expect(about(r.findings, 'Helm release cache')[0]?.message).toContain('labels the chart bitnami/redis writes are not visible here');
  });

  it('cloud resources managed from Kubernetes by an operator are judged by their cloud tags', async () => {
    const r = await check({
      'aso/db.yaml': lines('apiVersion: dbforpostgresql.azure.com/v1api20230601preview', 'kind: FlexibleServer', 'metadata:', '  name: ledger', 'spec:', '  tags:', '    environment: prod', '    businessArea: payments', '  location: uksouth'),
      'aso/rg.yaml': lines('apiVersion: resources.azure.com/v1api20200601', 'kind: ResourceGroup', 'metadata:', '  name: ledger-rg', 'spec:', '  location: uksouth'),
    });
    expect(r.summary).toMatch(/^0\/1 cost-bearing resources carry every required tag \(1 operator-managed\)/);
    expect(about(r.findings, 'FlexibleServer ledger')[0]).toMatchObject({ rule: 'operator-missing-tags', message: 'FlexibleServer ledger has no cost-center, owner (or team) tags; tags at spec.tags' });
  });
});
