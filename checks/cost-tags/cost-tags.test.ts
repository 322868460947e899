import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { FixtureFile } from '../../fixtures/factory.ts';
import { fixtureSnapshots } from '../../tests/fixture-snapshots.ts';
import type { CheckOutcome, Finding, RepoKind, RepoSnapshot } from '../contract.ts';
import costTags, { type CostTagsOptions } from './index.ts';

// ---------------------------------------------------------------------------------------------
// Real git repositories built with the fixture factory, read by the real local git source with
// exactly the patterns the check declares.

const repos = fixtureSnapshots({ namePrefix: 'infra', webUrl: 'https://github.com/acme/{name}' });
afterAll(repos.cleanup);

interface RunOptions {
  kind?: RepoKind;
  options?: Partial<CostTagsOptions>;
  maxFileBytes?: number;
}

async function snapshotOf(files: Record<string, FixtureFile>, opts: RunOptions = {}): Promise<RepoSnapshot> {
  return repos.snapshot(costTags.meta.reads, files, opts);
}

async function check(files: Record<string, FixtureFile>, opts: RunOptions = {}): Promise<CheckOutcome> {
  const snapshot = await snapshotOf(files, opts);
  return costTags.run(snapshot, {
    options: costTags.meta.options.parse(opts.options ?? {}),
    kind: { kind: opts.kind ?? 'infrastructure', source: 'detected', evidence: [] },
    now: new Date('2026-11-15T00:00:00Z'),
    facts: { packages: new Map() },
  });
}

const lines = (...ls: string[]): string => ls.join('\n') + '\n';
const at = (findings: Finding[], p: string): Finding[] => findings.filter((f) => f.path === p);
const messages = (findings: Finding[]): string[] => findings.map((f) => f.message);
const about = (findings: Finding[], needle: string): Finding[] => findings.filter((f) => f.message.includes(needle));

const ALL_TAGS = '{ CostCenter = "cc-1", Team = "payments", Environment = "prod" }';
const provider = (tags = ALL_TAGS, alias?: string): string =>
  lines(`provider "aws" {`, ...(alias ? [`  alias  = "${alias}"`] : []), '  region = "eu-west-1"', '  default_tags {', `    tags = ${tags}`, '  }', '}');
const NO_POLICY = 'no tagging policy in this repository: add a linter rule (tflint aws_resource_missing_tags), a policy (OPA/Conftest, Checkov, Sentinel, Kyverno) or an AWS Config required-tags rule so untagged resources are caught before they are deployed';
const TFLINT = lines('rule "aws_resource_missing_tags" {', '  enabled = true', '  tags    = ["CostCenter", "Team", "Environment"]', '}');

// ---------------------------------------------------------------------------------------------

describe('cost-tags: Terraform effective tags', () => {
  it('default_tags carrying every key tag every resource by construction: 8 + 2 enforcement points, a pass', async () => {
    const r = await check({
      'main.tf': provider() + lines('resource "aws_instance" "web" {', '  ami = "ami-1"', '}', '', 'resource "aws_s3_bucket" "logs" {', '  bucket = "logs"', '}'),
    });
    expect(r.status).toBe('pass');
    expect(r.score).toBe(10);
    expect(r.summary).toBe('2/2 cost-bearing resources carry every required tag (2 Terraform); 0 missing required keys; tagged by construction for 2, no tagging policy');
    expect(messages(r.findings)).toEqual([`${NO_POLICY} (tags applied by construction — provider default tags, stack tags, shared tag definitions — reach 2 of 2 resources, which earns 2 of the 2 enforcement points)`]);
  });

  it('literal tags on each resource, no default tags and no policy: 8, a pass', async () => {
    const r = await check({ 'main.tf': lines('provider "aws" {}', 'resource "aws_instance" "web" {', `  tags = ${ALL_TAGS}`, '}') });
    expect(r.score).toBe(8);
    expect(r.status).toBe('pass');
    expect(messages(r.findings)).toEqual([NO_POLICY]);
  });

  it('an untagged resource without default tags is a high finding naming it, its file and line', async () => {
    const r = await check({
      'infra/main.tf': lines('provider "aws" {', '  region = "eu-west-1"', '}', '', 'resource "aws_nat_gateway" "egress" {', '  subnet_id = "s-1"', '}', '', `resource "aws_instance" "web" {`, `  tags = ${ALL_TAGS}`, '}'),
    });
    expect(r.score).toBe(4.8); // (1 + 0.2) / 2 × 8: an untagged resource still belongs to an account (token credit 0.2)
    expect(r.status).toBe('fail');
    expect(at(r.findings, 'infra/main.tf')).toEqual([
      { rule: 'terraform-missing-tags', severity: 'high', path: 'infra/main.tf', line: 5, message: 'aws_nat_gateway.egress has no cost-center, owner (or team), environment tags (no tags at all)' },
    ]);
  });

  it('default_tags are per provider alias: a resource on aws.us gets only aws.us\'s defaults', async () => {
    const r = await check({
      'main.tf':
        provider() +
        provider('{ CostCenter = "cc-1", Environment = "prod" }', 'us') +
        lines('resource "aws_instance" "eu" {', '  ami = "a"', '}', 'resource "aws_instance" "us" {', '  provider = aws.us', '  ami      = "a"', '}'),
    });
    expect(r.summary).toMatch(/^1\/2 cost-bearing resources carry every required tag/);
    const f = about(r.findings, 'aws_instance.us');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'medium', path: 'main.tf', line: 17 });
    expect(f[0]!.message).toBe('aws_instance.us has no owner (or team) tag; counted with default_tags of provider aws.us (main.tf:7)');
    expect(about(r.findings, 'aws_instance.eu')).toEqual([]);
  });

  it('a resource on an alias that is not configured here is indeterminate, not passing', async () => {
    const r = await check({ 'main.tf': provider() + lines('resource "aws_instance" "x" {', '  provider = aws.west', '}') });
    expect(r.score).toBe(1.6); // token credit only: nothing known about its keys
    expect(about(r.findings, 'aws_instance.x')[0]?.message).toBe('aws_instance.x: cannot tell whether it has cost-center, owner (or team), environment (provider aws.west is not configured in the root directory); counted as indeterminate, not as passing');
    expect(r.summary).toContain('0 missing required keys, 1 indeterminate');
  });

  it('resource tags merge over default tags, and merge() of locals and literals resolves', async () => {
    const r = await check({
      'main.tf': lines(
        'locals {',
        '  base = { CostCenter = "cc-1" }',
        '  env  = "prod"',
        '}',
        'provider "aws" {',
        '  default_tags {',
        '    tags = local.base',
        '  }',
        '}',
        'resource "aws_db_instance" "db" {',
        '  tags = merge(local.base, { Team = "ledger" }, { Environment = "${local.env}-eu" })',
        '}',
        'resource "aws_lambda_function" "fn" {',
        '  tags = { Team = "ledger" }',
        '}',
      ),
    });
    expect(about(r.findings, 'aws_db_instance.db')).toEqual([]);
    expect(about(r.findings, 'aws_lambda_function.fn')[0]?.message).toBe('aws_lambda_function.fn has no environment tag; counted with default_tags of provider aws (main.tf:5)');
  });

  it('tags from a variable without a default are indeterminate; keys that are certain still count', async () => {
    const r = await check({
      'envs/prod/main.tf': lines(
        'terraform {',
        '  backend "s3" {}',
        '}',
        'variable "tags" {',
        '  type = map(string)',
        '}',
        'resource "aws_instance" "a" {',
        '  tags = var.tags',
        '}',
        'resource "aws_instance" "b" {',
        `  tags = merge(var.tags, ${ALL_TAGS})`,
        '}',
        'resource "aws_instance" "c" {',
        '  tags = merge(var.tags, { Team = "x" })',
        '}',
      ),
    });
    expect(r.summary).toMatch(/^1\/3 cost-bearing resources carry every required tag \(3 Terraform\); 0 missing required keys, 2 indeterminate/);
    // a: unknown (token 0.2); b: every key (1); c: Team, one key of three (0.55): (0.2 + 1 + 0.55) / 3 × 8.
    // A variable a root module gets at run time is not tagging by construction.
    expect(r.score).toBe(4.7);
    expect(about(r.findings, 'aws_instance.a')[0]).toEqual({
      rule: 'tags-indeterminate', severity: 'low',
      path: 'envs/prod/main.tf',
      line: 7,
      message: 'aws_instance.a: cannot tell whether it has cost-center, owner (or team), environment (var.tags has no default and is set when Terraform runs); counted as indeterminate, not as passing',
    });
    expect(about(r.findings, 'aws_instance.c')[0]?.message).toMatch(/^aws_instance\.c: cannot tell whether it has cost-center, environment \(/);
  });

  it('variable defaults resolve, and terraform.tfvars overrides them in a root module', async () => {
    const main = lines(
      'provider "aws" {}',
      'variable "cost_center" {',
      '  default = ""',
      '}',
      'variable "env" {',
      '  default = "prod"',
      '}',
      'resource "aws_dynamodb_table" "t" {',
      '  tags = { CostCenter = var.cost_center, Owner = "data", Environment = var.env }',
      '}',
    );
    const withoutTfvars = await check({ 'main.tf': main });
    expect(about(withoutTfvars.findings, 'aws_dynamodb_table.t')[0]?.message).toBe('aws_dynamodb_table.t has an empty cost-center tag');
    const withTfvars = await check({ 'main.tf': main, 'terraform.tfvars': 'cost_center = "cc-9"\n', 'other.tfvars': 'env = ""\n' });
    expect(about(withTfvars.findings, 'aws_dynamodb_table.t')).toEqual([]);
    expect(withTfvars.score).toBe(8);
    expect(withoutTfvars.score).toBe(6.8); // an empty cost-center counts as missing: two keys of three
  });

  it('Google labels and provider default_labels, including settings.user_labels of Cloud SQL', async () => {
    const r = await check({
      'gcp/main.tf': lines(
        'provider "google" {',
        '  project        = "p"',
        '  default_labels = { cost-center = "cc-1", environment = "prod" }',
        '}',
        'resource "google_compute_instance" "vm" {',
        '  labels = { team = "data" }',
        '}',
        'resource "google_storage_bucket" "b" {',
        '  name = "b"',
        '}',
        'resource "google_sql_database_instance" "db" {',
        '  settings {',
        '    tier        = "db-f1-micro"',
        '    user_labels = { owner = "data" }',
        '  }',
        '}',
      ),
    });
    expect(r.summary).toMatch(/^2\/3 cost-bearing resources/);
    expect(at(r.findings, 'gcp/main.tf')).toEqual([
      { rule: 'terraform-missing-tags', severity: 'medium', path: 'gcp/main.tf', line: 8, message: 'google_storage_bucket.b has no owner (or team) tag; counted with default_labels of provider google (gcp/main.tf:1)' },
    ]);
  });

  it('Azure tags: there are no provider default tags, each resource carries its own', async () => {
    const r = await check({
      'azure/main.tf': lines(
        'provider "azurerm" {',
        '  features {}',
        '}',
        'resource "azurerm_storage_account" "sa" {',
        `  tags = { cost_center = "cc-1", owner = "x", env = "prod" }`,
        '}',
        'resource "azurerm_linux_virtual_machine" "vm" {',
        '  tags = { owner = "x" }',
        '}',
      ),
    });
    expect(about(r.findings, 'azurerm_storage_account.sa')).toEqual([]);
    expect(about(r.findings, 'azurerm_linux_virtual_machine.vm')[0]).toMatchObject({ line: 7, message: 'azurerm_linux_virtual_machine.vm has no cost-center, environment tags' });
  });

  it('types outside the list never count; when the type is tagged somewhere, a resource missing keys is reported (info)', async () => {
    const r = await check({
      'main.tf': lines(
        'provider "aws" {}',
        'resource "aws_security_group" "a" {',
        `  tags = ${ALL_TAGS}`,
        '}',
        'resource "aws_security_group" "b" {',
        '  name = "b"',
        '}',
        'resource "aws_iam_role" "r" {',
        '  name = "r"',
        '}',
        'resource "aws_instance" "i" {',
        `  tags = ${ALL_TAGS}`,
        '}',
      ),
    });
    expect(r.summary).toMatch(/^1\/1 cost-bearing resources/);
    expect(r.score).toBe(8);
    expect(about(r.findings, 'aws_security_group.b')).toEqual([
      { rule: 'terraform-missing-tags', severity: 'info', path: 'main.tf', line: 5, message: 'aws_security_group.b has no cost-center, owner (or team), environment tags (no tags at all); for information only: aws_security_group is not in the list of cost-bearing types, so it is not part of the score' },
    ]);
    expect(about(r.findings, 'aws_iam_role')).toEqual([]);
  });

  it('deleting the tags of a type outside the list does not raise the score (was 4.0 → 8.0)', async () => {
    const role = (tags: string[]) => lines('resource "aws_iam_role" "r" {', '  name = "r"', ...tags, '}');
    const rest = lines('provider "aws" {}', 'resource "aws_instance" "i" {', `  tags = ${ALL_TAGS}`, '}');
    const withName = await check({ 'main.tf': rest + role(['  tags = { Name = "r" }']) });
    const without = await check({ 'main.tf': rest + role([]) });
    expect(withName.score).toBe(8);
    expect(without.score).toBe(8);
    expect(about(withName.findings, 'aws_iam_role.r')).toEqual([
      { rule: 'terraform-missing-tags', severity: 'info', path: 'main.tf', line: 5, message: 'aws_iam_role.r has no cost-center, owner (or team), environment tags; for information only: aws_iam_role is not in the list of cost-bearing types, so it is not part of the score' },
    ]);
    expect(about(without.findings, 'aws_iam_role.r')).toEqual([]);
  });

  it('an Auto Scaling group is judged by its tag blocks; a dynamic tag block is indeterminate', async () => {
    const r = await check({
      'main.tf':
        provider() +
        lines(
          'resource "aws_autoscaling_group" "static" {',
          '  tag {',
          '    key                 = "CostCenter"',
          '    value               = "cc"',
          '    propagate_at_launch = true',
          '  }',
          '}',
          'resource "aws_autoscaling_group" "dyn" {',
          '  dynamic "tag" {',
          '    for_each = var.tags',
          '    content {',
          '      key   = tag.key',
          '      value = tag.value',
          '    }',
          '  }',
          '}',
        ),
    });
    // default_tags do not reach Auto Scaling groups.
    expect(about(r.findings, 'aws_autoscaling_group.static')[0]?.message).toBe('aws_autoscaling_group.static has no owner (or team), environment tags');
    expect(about(r.findings, 'aws_autoscaling_group.dyn')[0]?.message).toMatch(/cannot tell whether .*a dynamic "tag" block/);
  });

  it('Terraform JSON syntax is read, with lines', async () => {
    const json = JSON.stringify(
      {
        provider: { aws: [{ region: 'eu-west-1', default_tags: [{ tags: { CostCenter: 'cc', Team: 't' } }] }] },
        variable: { env: { default: 'prod' } },
        resource: { aws_instance: { web: { ami: 'a', tags: { Environment: '${var.env}' } }, bare: { ami: 'b', tags: { Environment: '' } } } },
      },
      null,
      2,
    );
    const r = await check({ 'gen/main.tf.json': json + '\n' });
    expect(about(r.findings, 'aws_instance.web')).toEqual([]);
    const bare = about(r.findings, 'aws_instance.bare')[0];
    expect(bare?.message).toBe('aws_instance.bare has an empty environment tag; counted with default_tags of provider aws (gen/main.tf.json:3)');
    expect(bare?.line).toBe(json.split('\n').findIndex((l) => l.includes('"bare"')) + 1);
  });

  it('a variable validation that requires keys guarantees them, and is enforcement', async () => {
    const r = await check({
      'modules/bucket/main.tf': lines(
        'variable "tags" {',
        '  type = map(string)',
        '  validation {',
        '    condition     = alltrue([for k in ["CostCenter", "Team", "Environment"] : contains(keys(var.tags), k)])',
        '    error_message = "tags need CostCenter, Team and Environment"',
        '  }',
        '}',
        'resource "aws_s3_bucket" "this" {',
        '  tags = var.tags',
        '}',
      ),
    });
    // The module is called by nothing here, so var.tags is unknown, but the validation pins the keys.
    expect(r.summary).toBe('1/1 cost-bearing resources carry every required tag (1 Terraform); 0 missing required keys; enforced by validation of var.tags in modules/bucket/main.tf');
    // Provider default tags are unknown too, yet the known keys already carry every requirement.
    expect(r.score).toBe(10);
  });
});

describe('cost-tags: Terraform modules and Terragrunt', () => {
  const moduleSrc = lines('variable "tags" {', '  type    = map(string)', '  default = {}', '}', 'resource "aws_ecs_service" "this" {', '  tags = merge(var.tags, { Component = "svc" })', '}');

  it('a local module gets the caller\'s providers and arguments; called twice, its worst call decides', async () => {
    const r = await check({
      'modules/svc/main.tf': moduleSrc,
      'envs/prod/main.tf': lines('provider "aws" {', '  default_tags {', '    tags = { CostCenter = "cc", Environment = "prod" }', '  }', '}', 'module "api" {', '  source = "../../modules/svc"', '  tags   = { Team = "payments" }', '}', 'module "worker" {', '  source = "../../modules/svc"', '}'),
    });
    expect(r.summary).toMatch(/^0\/1 cost-bearing resources/);
    expect(at(r.findings, 'modules/svc/main.tf')).toEqual([
      {
        rule: 'terraform-missing-tags', severity: 'medium',
        path: 'modules/svc/main.tf',
        line: 5,
        message: 'aws_ecs_service.this (as module.worker of envs/prod) has no owner (or team) tag; counted with default_tags of provider aws (envs/prod/main.tf:1)',
      },
    ]);
  });

  it('providers = { aws = aws.us } maps the child\'s default provider to the caller\'s alias', async () => {
    const r = await check({
      'modules/svc/main.tf': moduleSrc,
      'main.tf': provider() + provider('{ Environment = "prod" }', 'us') + lines('module "us" {', '  source    = "./modules/svc"', '  providers = { aws = aws.us }', '}'),
    });
    expect(about(r.findings, 'aws_ecs_service.this')[0]?.message).toBe('aws_ecs_service.this (as module.us of the root directory) has no cost-center, owner (or team) tags; counted with default_tags of provider aws.us (main.tf:7)');
  });

  it('a module nothing here calls is judged with unknown variables and providers, and says so', async () => {
    const r = await check({ 'modules/svc/main.tf': moduleSrc });
    expect(r.score).toBe(2); // token credit (its Name tag) only
    expect(r.summary).toContain('0 missing required keys, 1 indeterminate');
    expect(messages(r.findings)).toContain('modules/svc is a module that nothing in this repository calls and that configures no provider: provider default tags and variable values come from its callers, so tags that depend on them are indeterminate here');
  });

  it('a module from a registry always counts: judged by its tags argument, indeterminate without one', async () => {
    const r = await check({
      'main.tf': lines(
        'provider "aws" {}',
        'module "vpc" {',
        '  source = "terraform-aws-modules/vpc/aws"',
        `  tags   = ${ALL_TAGS}`,
        '}',
        'module "rds" {',
        '  source  = "terraform-aws-modules/rds/aws"',
        '  version = "6.0.0"',
        '}',
        'resource "aws_instance" "x" {',
        `  tags = { Team = "x" }`,
        '}',
      ),
    });
    expect(r.summary).toMatch(/^1\/3 cost-bearing resources carry every required tag \(3 Terraform\); 1 missing required keys, 1 indeterminate/);
    expect(about(r.findings, 'module.rds')).toEqual([
      {
        rule: 'tags-indeterminate', severity: 'low',
        path: 'main.tf',
        line: 6,
        message: 'module.rds (from terraform-aws-modules/rds/aws): cannot tell whether it has cost-center, owner (or team), environment (it comes from outside this repository and is given no tags argument and its provider aws sets no default tags, so whether the resources it creates are tagged cannot be seen here); counted as indeterminate, not as passing',
      },
    ]);
    expect(about(r.findings, 'module.vpc')).toEqual([]);
  });

  it('deleting the tags argument of a registry module does not raise the score (was 4.0 → 8.0)', async () => {
    const files = (tags: string[]) => ({
      'main.tf': lines('provider "aws" {}', 'module "vpc" {', '  source = "terraform-aws-modules/vpc/aws"', ...tags, '}', 'resource "aws_instance" "x" {', `  tags = ${ALL_TAGS}`, '}'),
    });
    const withName = await check(files(['  tags   = { Name = "vpc" }']));
    const without = await check(files([]));
    expect(withName.score).toBe(5); // (1 + 0.25 for a Name) / 2 × 8
    expect(without.score).toBe(4.8); // (1 + 0.2) / 2 × 8
    expect(about(withName.findings, 'module.vpc')[0]).toMatchObject({ rule: 'terraform-missing-tags', severity: 'medium', path: 'main.tf', line: 2, message: 'module.vpc (from terraform-aws-modules/vpc/aws) has no cost-center, owner (or team), environment tags' });
    expect(about(without.findings, 'module.vpc')[0]).toMatchObject({ severity: 'low', path: 'main.tf', line: 2 });
  });

  it('a Terragrunt generate block writes a provider whose default_tags tag the unit\'s resources', async () => {
    const root = lines(
      'generate "provider" {',
      '  path      = "provider.tf"',
      '  if_exists = "overwrite"',
      '  contents  = <<EOF',
      'provider "aws" {',
      '  region = "eu-west-1"',
      '  default_tags {',
      '    tags = { CostCenter = "cc-1", Team = "platform", Environment = "prod" }',
      '  }',
      '}',
      'EOF',
      '}',
    );
    const r = await check({
      'live/root.hcl': root,
      'live/prod/vpc/terragrunt.hcl': lines('include "root" {', '  path = find_in_parent_folders("root.hcl")', '}'),
      'live/prod/vpc/main.tf': lines('resource "aws_nat_gateway" "ngw" {', '  subnet_id = "s"', '}'),
      'live/prod/db/terragrunt.hcl': lines('include "root" {', '  path = find_in_parent_folders("root.hcl")', '}', 'terraform {', '  source = "../../../modules/db"', '}', 'inputs = {', '  name = "ledger"', '}'),
      'modules/db/main.tf': lines('variable "name" {}', 'resource "aws_db_instance" "this" {', '  identifier = var.name', '}'),
      'other/main.tf': lines('provider "aws" {}', 'resource "aws_nat_gateway" "untagged" {}'),
    });
    expect(r.summary).toMatch(/^2\/3 cost-bearing resources/);
    expect(about(r.findings, 'aws_nat_gateway.ngw')).toEqual([]);
    expect(about(r.findings, 'aws_db_instance.this')).toEqual([]);
    expect(about(r.findings, 'aws_nat_gateway.untagged')).toHaveLength(1); // generate applies below live/ only
  });

  it('Terragrunt inputs are the module\'s variables', async () => {
    const r = await check({
      'live/terragrunt.hcl': lines('terraform {', '  source = "../modules/bucket"', '}', 'inputs = {', `  tags = ${ALL_TAGS}`, '}'),
      'modules/bucket/main.tf': lines('variable "tags" {', '  default = {}', '}', 'resource "aws_s3_bucket" "b" {', '  tags = var.tags', '}'),
    });
    expect(r.summary).toMatch(/^1\/1 cost-bearing resources/);
  });
});

describe('cost-tags: key normalisation and options', () => {
  it('CostCenter, cost-center, cost_center, Cost Center and cost-centre are one key', async () => {
    const r = await check({
      'main.tf': ['CostCenter', 'cost-center', 'cost_center', 'Cost Center', 'cost-centre', 'COSTCENTRE']
        .map((k, i) => lines(`resource "aws_instance" "i${i}" {`, `  tags = { "${k}" = "cc", team = "t", env = "dev" }`, '}'))
        .join(''),
    });
    expect(r.summary).toMatch(/^6\/6 cost-bearing resources/);
  });

  it('required keys, aliases and alternatives come from the options', async () => {
    const files = { 'main.tf': lines('provider "aws" {}', 'resource "aws_instance" "i" {', '  tags = { BillingCode = "b", Squad = "s" }', '}') };
    const defaults = await check(files);
    // BillingCode and Squad are of the same intent as cost-center and owner: counted in part, and named.
    expect(defaults.score).toBe(5.6);
    expect(defaults.findings.filter((f) => f.rule === 'other-keys-same-intent').map((f) => f.message.split(' where ')[0])).toEqual(['resources carry BillingCode (1 of 1 resources)', 'resources carry Squad (1 of 1 resources)']);
    const custom = await check(files, { options: { requiredKeys: ['cost-center', 'owner'], aliases: { 'cost-center': ['billing-code'] }, alternatives: { owner: ['squad'] } } });
    expect(custom.score).toBe(8);
    expect(custom.status).toBe('pass');
    const strict = await check(files, { options: { requiredKeys: ['cost-center', 'owner'], aliases: { 'cost-center': ['billing-code'] }, alternatives: {}, passAt: 9, warnAt: 0 } });
    expect(strict.status).toBe('warn');
    expect(about(strict.findings, 'aws_instance.i')[0]?.message).toBe('aws_instance.i has no owner tag');
  });

  it('rejects unknown option keys', () => {
    expect(() => costTags.meta.options.parse({ requiredTags: ['x'] })).toThrow();
    expect(costTags.meta.options.parse({})).toMatchObject({
      passAt: 7.5,
      warnAt: 5,
      requiredKeys: ['cost-center', 'owner', 'environment'],
      alternatives: { owner: ['team'] },
      aliases: { 'cost-center': ['cost-centre'], environment: ['env', 'stage'] },
      kubernetesLabels: ['cost-center', 'owner'],
      include: [],
    });
  });
});

describe('cost-tags: CloudFormation and SAM', () => {
  const TEMPLATE = lines(
    'AWSTemplateFormatVersion: "2010-09-09"',
    'Parameters:',
    '  Env:',
    '    Type: String',
    'Resources:',
    '  Orders:',
    '    Type: AWS::DynamoDB::Table',
    '    Properties:',
    '      TableName: !Sub "${AWS::StackName}-orders"',
    '      Tags:',
    '        - Key: CostCenter',
    '          Value: cc-1',
    '        - Key: Team',
    '          Value: !GetAtt Owner.Name',
    '        - Key: Environment',
    '          Value: !Ref Env',
    '  Bucket:',
    '    Type: AWS::S3::Bucket',
    '    Properties:',
    '      BucketName: !Join ["-", [!Ref Env, logs]]',
    '      Tags:',
    '        - Key: Team',
    '          Value: data',
    '  Role:',
    '    Type: AWS::IAM::Role',
    '    Properties:',
    '      AssumeRolePolicyDocument: {}',
  );

  it('YAML with short-form intrinsics: Tags lists are read, missing keys reported at the logical id', async () => {
    const r = await check({ 'cfn/orders.yaml': TEMPLATE });
    expect(r.summary).toMatch(/^1\/2 cost-bearing resources carry every required tag \(2 CloudFormation\)/);
    expect(about(r.findings, 'Bucket')[0]).toEqual({ rule: 'cloudformation-missing-tags', severity: 'medium', path: 'cfn/orders.yaml', line: 17, message: 'AWS::S3::Bucket Bucket has no cost-center, environment tags' });
    expect(about(r.findings, 'no stack-level tags')).toHaveLength(1);
    expect(about(r.findings, 'Role')).toEqual([]);
  });

  it('JSON templates are recognised by content, whatever their name', async () => {
    const template = { Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { Tags: [{ Key: 'cost-center', Value: 'cc' }] } }, Fn: { Type: 'AWS::Lambda::Function', Properties: { Tags: [{ Key: 'CostCenter', Value: 'c' }, { Key: 'Owner', Value: 'o' }, { Key: 'Env', Value: 'e' }] } } } };
    const text = JSON.stringify(template, null, 2);
    const r = await check({ 'stacks/queue.json': text, 'package.json': '{"name": "x", "Resources": "not a template"}' });
    expect(r.summary).toMatch(/^1\/2 cost-bearing resources/);
    expect(about(r.findings, 'Queue')[0]).toMatchObject({ path: 'stacks/queue.json', line: 3, message: 'AWS::SQS::Queue Queue has no owner (or team), environment tags' });
  });

  it('SAM: Globals Tags apply to functions, and SAM Tags are maps', async () => {
    const r = await check({
      'template.yaml': lines(
        'Transform: AWS::Serverless-2016-10-31',
        'Globals:',
        '  Function:',
        '    Runtime: nodejs22.x',
        '    Tags:',
        '      cost-center: cc-1',
        '      team: payments',
        'Resources:',
        '  Api:',
        '    Type: AWS::Serverless::Function',
        '    Properties:',
        '      Handler: index.handler',
        '      Tags:',
        '        environment: prod',
        '  Table:',
        '    Type: AWS::Serverless::SimpleTable',
        '    Properties:',
        '      Tags:',
        '        environment: prod',
      ),
    });
    expect(about(r.findings, 'Api')).toEqual([]);
    expect(about(r.findings, 'Table')[0]?.message).toBe('AWS::Serverless::SimpleTable Table has no cost-center, owner (or team) tags');
  });

  it('computed Tags (!If) are indeterminate', async () => {
    const r = await check({
      'cfn.yaml': lines('AWSTemplateFormatVersion: "2010-09-09"', 'Resources:', '  Vol:', '    Type: AWS::EC2::Volume', '    Properties:', '      Tags: !If [IsProd, [{Key: a, Value: b}], !Ref AWS::NoValue]'),
    });
    expect(about(r.findings, 'Vol')[0]).toMatchObject({ severity: 'low', line: 3 });
    expect(about(r.findings, 'Vol')[0]?.message).toContain('the tags are computed (Fn::If)');
  });

  it('stack tags from Sceptre (inherited config.yaml) and samconfig.toml are added to the template\'s resources', async () => {
    const bucket = lines('AWSTemplateFormatVersion: "2010-09-09"', 'Resources:', '  B:', '    Type: AWS::S3::Bucket');
    const r = await check({
      'sceptre/config/config.yaml': lines('project_code: acme', 'stack_tags:', '  CostCenter: cc-1'),
      'sceptre/config/prod/storage.yaml': lines('template_path: storage.yaml', 'stack_tags:', '  Team: data', '  Environment: prod'),
      'sceptre/templates/storage.yaml': bucket,
      'sam/template.yaml': bucket,
      'sam/samconfig.toml': lines('version = 0.1', '[default.deploy.parameters]', 'stack_name = "x"', 'tags = "CostCenter=\\"cc-2\\" Owner=\\"ops\\" Environment=\\"dev\\""'),
      'lonely/template.yaml': bucket,
    });
    expect(r.summary).toMatch(/^2\/3 cost-bearing resources/);
    expect(about(r.findings, 'AWS::S3::Bucket B').map((f) => f.path)).toEqual(['lonely/template.yaml']);
  });

  it('an Ansible cloudformation task\'s tags are stack tags for its template', async () => {
    const r = await check({
      'ansible/deploy.yml': lines('- hosts: localhost', '  tasks:', '    - name: stack', '      amazon.aws.cloudformation:', '        stack_name: net', '        template: files/net.yaml', '        tags:', '          CostCenter: cc', '          Team: net', '          Environment: prod'),
      'ansible/files/net.yaml': lines('AWSTemplateFormatVersion: "2010-09-09"', 'Resources:', '  Nat:', '    Type: AWS::EC2::NatGateway'),
    });
    expect(r.summary).toMatch(/^1\/1 cost-bearing resources/);
  });
});

describe('cost-tags: Kubernetes and Helm', () => {
  const deployment = (name: string, meta: string[], pod: string[]): string =>
    lines('apiVersion: apps/v1', 'kind: Deployment', 'metadata:', `  name: ${name}`, '  namespace: shop', ...(meta.length ? ['  labels:', ...meta.map((l) => `    ${l}`)] : []), 'spec:', '  template:', '    metadata:', ...(pod.length ? ['      labels:', ...pod.map((l) => `        ${l}`)] : ['      annotations: {}']), '    spec:', '      containers: []');

  it('pod template labels count; labels only on the workload metadata do not, and the finding says why', async () => {
    const r = await check({
      'k8s/api.yaml': deployment('api', ['app: api'], ['app: api', 'cost-center: cc-1', 'owner: shop']),
      'k8s/web.yaml': deployment('web', ['cost-center: cc-1', 'owner: shop'], ['app: web']),
    });
    expect(r.summary).toMatch(/^1\/2 cost-bearing resources carry every required tag \(2 Kubernetes\)/);
    expect(at(r.findings, 'k8s/web.yaml')).toEqual([
      {
        rule: 'kubernetes-missing-labels', severity: 'medium',
        path: 'k8s/web.yaml',
        line: 2,
        message: "Deployment shop/web: its pod template has no cost-center, owner (or team) labels; cost-center, owner are on the Deployment's own metadata, which its pods do not get: cost tools read pod labels",
      },
    ]);
  });

  it('a Rollout that takes over a declared Deployment (workloadRef) is judged through that Deployment, once', async () => {
    const rollout = (target: string) =>
      lines('apiVersion: argoproj.io/v1alpha1', 'kind: Rollout', 'metadata:', '  name: api', '  namespace: shop', 'spec:', '  workloadRef:', '    apiVersion: apps/v1', '    kind: Deployment', `    name: ${target}`);
    const present = await check({ 'k8s/api.yaml': deployment('api', [], ['cost-center: cc-1', 'owner: shop']), 'k8s/rollout.yaml': rollout('api') });
    expect(present.summary).toMatch(/^1\/1 cost-bearing resources carry every required tag/);
    expect(present.status).toBe('pass');
    const missing = await check({ 'k8s/api.yaml': deployment('api', [], ['cost-center: cc-1', 'owner: shop']), 'k8s/rollout.yaml': rollout('elsewhere') });
    expect(missing.summary).toMatch(/^1\/2 cost-bearing resources/);
    expect(missing.findings.some((f) => f.path === 'k8s/rollout.yaml' && /Deployment elsewhere \(workloadRef\), which is not declared in this repository/.test(f.message))).toBe(true);
  });

  it('CronJob pod templates, multi-document files, Kustomize commonLabels and Namespace labels', async () => {
    const cron = lines('apiVersion: batch/v1', 'kind: CronJob', 'metadata:', '  name: nightly', '  namespace: batch', 'spec:', '  jobTemplate:', '    spec:', '      template:', '        metadata:', '          labels:', '            team: data');
    const r = await check({
      'deploy/jobs.yaml': cron + '---\n' + lines('apiVersion: v1', 'kind: Service', 'metadata:', '  name: s'),
      'deploy/namespace.yaml': lines('apiVersion: v1', 'kind: Namespace', 'metadata:', '  name: batch', '  labels:', '    cost-center: cc-7'),
      'kustom/kustomization.yaml': lines('resources: [app.yaml]', 'commonLabels:', '  cost-center: cc-2', '  owner: web'),
      'kustom/app.yaml': deployment('kust', [], ['app: kust']),
    });
    expect(r.summary).toMatch(/^2\/2 cost-bearing resources/);
  });

  it('Helm templates are skipped with an info finding; a chart is judged by its values.yaml labels', async () => {
    const tpl = lines('apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: {{ .Release.Name }}', 'spec:', '  template:', '    metadata:', '      labels:', '        {{- toYaml .Values.podLabels | nindent 8 }}');
    const labelled = await check({
      'chart/Chart.yaml': 'apiVersion: v2\nname: shop\nversion: 1.0.0\n',
      'chart/values.yaml': lines('replicaCount: 2', 'podLabels:', '  cost-center: cc-1', '  team: shop'),
      'chart/templates/deployment.yaml': tpl,
    });
    expect(labelled.summary).toMatch(/^1\/1 cost-bearing resources carry every required tag \(1 Helm\)/);
    expect(about(labelled.findings, 'Helm chart shop: 1 template under chart/templates/ is not rendered')).toHaveLength(1);
    const bare = await check({ 'chart/Chart.yaml': 'apiVersion: v2\nname: shop\nversion: 1.0.0\n', 'chart/values.yaml': 'replicaCount: 2\n', 'chart/templates/deployment.yaml': tpl });
    expect(bare.score).toBe(2); // a named release: token credit only
    expect(about(bare.findings, 'Helm chart shop: cannot tell whether it has cost-center, owner (or team)')).toHaveLength(1);
  });
});

describe('cost-tags: enforcement', () => {
  // Literal tags, not default tags: tagging by construction would earn the enforcement points by itself.
  const tagged = { 'main.tf': lines('provider "aws" {}', 'resource "aws_instance" "a" {', `  tags = ${ALL_TAGS}`, '}') };

  it('a tflint aws_resource_missing_tags rule naming every key earns 2 points; a disabled one none', async () => {
    const r = await check({ ...tagged, '.tflint.hcl': TFLINT });
    expect(r.score).toBe(10);
    expect(r.summary).toBe('1/1 cost-bearing resources carry every required tag (1 Terraform); 0 missing required keys; enforced by tflint rule aws_resource_missing_tags in .tflint.hcl');
    const off = await check({ ...tagged, '.tflint.hcl': TFLINT.replace('enabled = true', 'enabled = false') });
    expect(off.score).toBe(8);
    expect(messages(off.findings)).toContain(NO_POLICY);
  });

  it('a policy naming only some required keys earns 1 point and a finding', async () => {
    const r = await check({ ...tagged, '.tflint.hcl': TFLINT.replace('"CostCenter", "Team", "Environment"', '"CostCenter"') });
    expect(r.score).toBe(9);
    expect(messages(r.findings)).toContain('the tagging policies here do not require owner (or team), environment');
  });

  it('recognises AWS Config required-tags, Organizations tag policies, OPA, Checkov and Gatekeeper', async () => {
    const cases: Record<string, FixtureFile>[] = [
      { 'config.yaml': lines('Resources:', '  Rule:', '    Type: AWS::Config::ConfigRule', '    Properties:', '      Source:', '        Owner: AWS', '        SourceIdentifier: REQUIRED_TAGS', '      InputParameters:', '        tag1Key: CostCenter') },
      { 'org/tag-policy.json': JSON.stringify({ tags: { costcenter: { tag_key: { '@@assign': 'CostCenter' }, enforced_for: { '@@assign': ['ec2:instance'] } } } }) },
      { 'policy/tags.rego': lines('package main', 'required_tags := {"CostCenter", "Team", "Environment"}', 'deny[msg] {', '  r := input.resource_changes[_]', '  missing := required_tags - {k | r.change.after.tags[k]}', '  count(missing) > 0', '  msg := sprintf("%s is missing tags %v", [r.address, missing])', '}') },
      { 'checkov/tags.yaml': lines('metadata:', '  id: CKV2_ACME_1', '  name: cost tags', 'definition:', '  cond_type: attribute', '  resource_types: all', '  attribute: tags.CostCenter', '  operator: exists') },
      { 'gatekeeper.yaml': lines('apiVersion: constraints.gatekeeper.sh/v1beta1', 'kind: K8sRequiredLabels', 'metadata:', '  name: cost', 'spec:', '  parameters:', '    labels:', '      - key: cost-center') },
    ];
    const what: string[] = [];
    for (const files of cases) {
      const r = await check({ ...tagged, ...files });
      expect(r.score, JSON.stringify(Object.keys(files))).toBeGreaterThan(8);
      what.push(r.summary.split('; enforced by ')[1] ?? 'none');
    }
    expect(what).toEqual([
      'AWS Config required-tags rule Rule in config.yaml',
      'AWS Organizations tag policy in org/tag-policy.json',
      'OPA/Conftest policy in policy/tags.rego',
      'Checkov policy CKV2_ACME_1 in checkov/tags.yaml',
      'Gatekeeper K8sRequiredLabels cost in gatekeeper.yaml',
    ]);
  });
});

describe('cost-tags: bad input never crashes, the rest is still judged', () => {
  it('malformed HCL: a finding at the error\'s line; blocks that parse (and other files) are still judged', async () => {
    const r = await check({
      'broken.tf': lines('resource "aws_instance" "ok" {', `  tags = ${ALL_TAGS}`, '}', '', 'resource "aws_instance" "bad" {', '  tags = {', '    CostCenter = "x"', '}'),
      'good.tf': lines('provider "aws" {}', 'resource "aws_s3_bucket" "b" {', `  tags = ${ALL_TAGS}`, '}'),
    });
    const f = at(r.findings, 'broken.tf');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'medium' });
    expect(f[0]!.message).toMatch(/^malformed HCL \(.+ at line \d+\): 1 block around it is not judged; blocks that parse are still judged$/);
    expect(r.summary).toMatch(/^2\/2 cost-bearing resources/); // ok and b; bad is not judged
  });

  it('malformed YAML and JSON that look like infrastructure are findings with their line', async () => {
    const r = await check({
      'cfn/bad.yaml': lines('AWSTemplateFormatVersion: "2010-09-09"', 'Resources:', '  B:', '    Type: AWS::S3::Bucket', '   Properties: [', ''),
      'cfn/bad.json': '{"Resources": {"B": {"Type": "AWS::S3::Bucket",}}\n',
      'notes.yaml': ': : not yaml at all [\n', // no infrastructure markers: ignored
      'main.tf': provider() + lines('resource "aws_instance" "a" {}'),
    });
    expect(at(r.findings, 'cfn/bad.yaml')[0]?.message).toMatch(/^malformed YAML \(line \d+: .+\): anything this file declares is not judged$/);
    expect(at(r.findings, 'cfn/bad.json')[0]?.message).toMatch(/^malformed JSON \(line \d+: .+\): anything this file declares is not judged$/);
    expect(at(r.findings, 'notes.yaml')).toEqual([]);
    expect(r.summary).toMatch(/^1\/1 cost-bearing resources/);
  });

  it('a binary .tf and a file over maxFileBytes are reported as unreadable', async () => {
    const binary = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0x02, 0x00, 0xff, 0xfe, 0x00, 0x00]);
    const huge = lines('resource "aws_instance" "big" {', `  tags = ${ALL_TAGS}`, '}') + '# padding\n'.repeat(400);
    const r = await check({ 'bin.tf': binary, 'huge.tf': huge, 'small.tf': provider() + lines('resource "aws_instance" "a" {}') }, { maxFileBytes: 2048 });
    expect(at(r.findings, 'bin.tf')).toEqual([{ rule: 'unreadable-file', severity: 'medium', path: 'bin.tf', message: 'could not read this file (binary); anything it declares is not judged' }]);
    expect(at(r.findings, 'huge.tf')).toEqual([{ rule: 'unreadable-file', severity: 'medium', path: 'huge.tf', message: `could not read this file (too-large: ${Buffer.byteLength(huge)} bytes, limit 2048); anything it declares is not judged` }]);
    expect(r.summary).toMatch(/^1\/1 cost-bearing resources/);
  });

  it('deeply nested HCL and YAML do not overflow the stack', async () => {
    const deepHcl = `locals {\n  x = ${'{ a = '.repeat(3000)}1${' }'.repeat(3000)}\n}\n` + lines('resource "aws_instance" "d" {', '  tags = merge(local.x, { CostCenter = "c", Team = "t", Environment = "e" })', '}');
    const deepYaml = lines('AWSTemplateFormatVersion: "2010-09-09"', 'Metadata:', `  X: ${'['.repeat(2000)}${']'.repeat(2000)}`, 'Resources:', '  Q:', '    Type: AWS::SQS::Queue');
    const r = await check({ 'deep.tf': deepHcl, 'deep.yaml': deepYaml });
    expect(r.status).not.toBe('error');
    expect(about(r.findings, 'aws_instance.d')).toEqual([]);
    expect(r.score).not.toBeNull();
  });

  it('not applicable without infrastructure, whatever the kind; findings about unreadable files remain', async () => {
    const none = await check({ 'src/index.ts': 'export {};\n', 'main.tf': lines('resource "aws_iam_role" "r" {}') }, { kind: 'infrastructure' });
    expect(none).toMatchObject({ status: 'not-applicable', score: null, findings: [] });
    expect(none.summary).toBe('No cost-bearing resources declared in Terraform, CloudFormation, CDK or Kubernetes manifests.');
    const manifest = { 'k8s/d.yaml': lines('apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: d') };
    expect((await check(manifest, { kind: 'service' })).status).toBe('fail');
    // A library's manifests are deployed by its users, not its owners.
    const library = await check(manifest, { kind: 'library' });
    expect(library.status).toBe('not-applicable');
    expect(messages(library.findings)).toEqual(['1 cost-bearing resource not counted: the repository is a library: what it declares is deployed by its users']);
  });
});

// ---------------------------------------------------------------------------------------------
// Review findings: each hostile input is judged (never an `error`), and each false credit is gone.
// Sizes are large enough that the old code was slow or crashed, small enough to run quickly now;
// how long they take is measured in bench/hostile-cost-tags.ts, not asserted here.

async function checkSnapshot(snapshot: RepoSnapshot): Promise<CheckOutcome> {
  return costTags.run(snapshot, { options: costTags.meta.options.parse({}), kind: { kind: 'infrastructure', source: 'detected', evidence: [] }, now: new Date('2026-11-15T00:00:00Z'), facts: { packages: new Map() } });
}

const TAGGED_INSTANCE = lines('resource "aws_instance" "i" {', `  tags = ${ALL_TAGS}`, '}');

describe('cost-tags: hostile input is judged, never an error', () => {
  it('variable labels that are not valid patterns ("tags(", "(a|a)*b") are judged like any other', async () => {
    const r = await check({
      'main.tf': lines(
        'provider "aws" {}',
        'variable "tags(" {',
        '  validation {',
        '    condition     = contains(keys(var.tags), "CostCenter")',
        '    error_message = "x"',
        '  }',
        '}',
        'variable "(a|a)*b" {',
        '  validation {',
        `    condition     = var.${'a'.repeat(26)} != null`,
        '    error_message = "x"',
        '  }',
        '}',
      ) + TAGGED_INSTANCE,
    });
    expect(r.status).toBe('pass');
    expect(r.score).toBe(8);
    // Neither validation is about its own variable's keys: no enforcement.
    expect(r.summary).toBe('1/1 cost-bearing resources carry every required tag (1 Terraform); 0 missing required keys; no tagging enforcement');
    expect(messages(r.findings)).toEqual([NO_POLICY]);
  });

  it('Kubernetes maps where strings belong ({toString: 1}): a Rollout workloadRef, Kyverno and Gatekeeper names', async () => {
    const r = await check({
      'k8s/rollout.yaml': lines('apiVersion: argoproj.io/v1alpha1', 'kind: Rollout', 'metadata:', '  name: api', 'spec:', '  workloadRef:', '    apiVersion: apps/v1', '    kind: {toString: 1}', '    name: api'),
      'policy/kyverno.yaml': lines('apiVersion: kyverno.io/v1', 'kind: ClusterPolicy', 'metadata:', '  name: {toString: 1}', 'spec:', '  rules:', '    - name: r', '      validate:', '        pattern:', '          metadata:', '            labels:', '              cost-center: "?*"'),
      'policy/gatekeeper.yaml': lines('apiVersion: constraints.gatekeeper.sh/v1beta1', 'kind: K8sRequiredLabels', 'metadata:', '  name: {toString: 1}', 'spec:', '  parameters:', '    labels: [owner]'),
    });
    expect(r.status).toBe('fail');
    expect(at(r.findings, 'k8s/rollout.yaml')).toEqual([
      {
        rule: 'tags-indeterminate', severity: 'low',
        path: 'k8s/rollout.yaml',
        line: 2,
        message: 'Rollout api: its pod template: cannot tell whether it has cost-center, owner (or team) (the pod template comes from the workload api (workloadRef), which is not declared in this repository); counted as indeterminate, not as passing',
      },
    ]);
    expect(at(r.findings, 'policy/kyverno.yaml')).toEqual([{ rule: 'enforcement-found', severity: 'info', path: 'policy/kyverno.yaml', line: 2, message: 'tagging enforcement: Kyverno ClusterPolicy (requires cost-center)' }]);
    expect(at(r.findings, 'policy/gatekeeper.yaml')).toEqual([{ rule: 'enforcement-found', severity: 'info', path: 'policy/gatekeeper.yaml', line: 2, message: 'tagging enforcement: Gatekeeper K8sRequiredLabels (requires owner)' }]);
  });

  it('CloudFormation: a Type that is a map, and a resource that contains itself through a YAML alias', async () => {
    const r = await check({
      'cfn/odd.yaml': lines('AWSTemplateFormatVersion: "2010-09-09"', 'Resources:', '  R:', '    Type: {toString: 1}', '  Q:', '    Type: AWS::SQS::Queue'),
      'cfn/self.yaml': lines('AWSTemplateFormatVersion: "2010-09-09"', 'Resources:', '  S: &s {Type: AWS::SQS::Queue, Properties: {self: *s}}'),
      'cfn/rule.yaml': lines('Resources:', '  Rule: &r', '    Type: AWS::Config::ConfigRule', '    Properties:', '      Source: {Owner: AWS, SourceIdentifier: REQUIRED_TAGS}', '      InputParameters: {tag1Key: CostCenter, tag2Key: Team, tag3Key: Environment}', '      Again: *r'),
    });
    expect(r.summary).toBe('0/2 cost-bearing resources carry every required tag (2 CloudFormation); 2 missing required keys; enforced by AWS Config required-tags rule Rule in cfn/rule.yaml');
    expect(r.score).toBe(3.6); // token credit for two untagged queues (0.2 × 8) + 2 for the rule
    expect(about(r.findings, 'AWS::SQS::Queue Q')[0]).toMatchObject({ severity: 'high', path: 'cfn/odd.yaml', line: 5 });
    expect(about(r.findings, 'AWS::SQS::Queue S')[0]).toMatchObject({ severity: 'high', path: 'cfn/self.yaml', line: 3 });
    expect(about(r.findings, 'could not')).toEqual([]);
  });

  it('Terraform JSON: an Auto Scaling group tag key and a module providers value that are maps', async () => {
    const r = await check({
      'asg.tf.json': JSON.stringify({ provider: { aws: { region: 'eu-west-1' } }, resource: { aws_autoscaling_group: { g: { tag: [{ key: { toString: 1 }, value: 'x', propagate_at_launch: true }] } } } }, null, 2),
      'main.tf.json': JSON.stringify({ module: { m: { source: './modules/m', providers: { aws: { toString: 1 } } } } }, null, 2),
      'modules/m/main.tf': TAGGED_INSTANCE,
    });
    expect(r.summary).toMatch(/^1\/2 cost-bearing resources carry every required tag \(2 Terraform\); 0 missing required keys, 1 indeterminate/);
    expect(about(r.findings, 'aws_autoscaling_group.g')).toEqual([
      { rule: 'tags-indeterminate', severity: 'low', path: 'asg.tf.json', line: 9, message: 'aws_autoscaling_group.g: cannot tell whether it has cost-center, owner (or team), environment (a tag block whose key cannot be evaluated (line 9)); counted as indeterminate, not as passing' },
    ]);
    expect(about(r.findings, 'aws_instance.i')).toEqual([]);
  });

  it('a 150,000-line <<-EOF heredoc in a Terragrunt generate block is read, and its provider counts', async () => {
    const root = lines('generate "provider" {', '  path     = "provider.tf"', '  contents = <<-EOF', Array(150_000).fill('    #').join('\n'), '    provider "aws" {', `      default_tags { tags = ${ALL_TAGS} }`, '    }', '  EOF', '}');
    const r = await check({
      'live/root.hcl': root,
      'live/app/terragrunt.hcl': lines('include "root" {', '  path = find_in_parent_folders("root.hcl")', '}'),
      'live/app/main.tf': lines('resource "aws_nat_gateway" "n" {}'),
    });
    expect(r.summary).toBe('1/1 cost-bearing resources carry every required tag (1 Terraform); 0 missing required keys; tagged by construction for 1, no tagging policy');
    expect(r.score).toBe(10);
  });

  it('the safety net: an exception while judging one file becomes a finding about it, and the rest is still judged', async () => {
    const snapshot = await snapshotOf({ 'a.tf': lines('provider "aws" {}') + TAGGED_INSTANCE, 'b.tf': lines('resource "aws_s3_bucket" "b" {}'), 'k8s/d.yaml': lines('apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: d') });
    // Something no reader foresaw: reading one file throws.
    const hostile: RepoSnapshot = {
      ...snapshot,
      read: (p) => {
        if (p === 'b.tf' || p === 'k8s/d.yaml') throw new TypeError(`unforeseen in ${p}`);
        return snapshot.read(p);
      },
    };
    const r = await checkSnapshot(hostile);
    expect(r.status).toBe('pass');
    expect(r.summary).toMatch(/^1\/1 cost-bearing resources carry every required tag \(1 Terraform\)/);
    expect(at(r.findings, 'b.tf')).toEqual([{ rule: 'not-judged', severity: 'medium', path: 'b.tf', message: 'could not judge b.tf: unforeseen in b.tf' }]);
    expect(at(r.findings, 'k8s/d.yaml')).toEqual([{ rule: 'not-judged', severity: 'medium', path: 'k8s/d.yaml', message: 'could not judge k8s/d.yaml: unforeseen in k8s/d.yaml' }]);
  });
});

describe('cost-tags: evaluation and parsing stay linear', () => {
  it('locals are evaluated once per module instance: lN = merge(local.lN-1 ×4), 12 deep, used by three resources', async () => {
    const chain = ['  l0 = { CostCenter = "cc", Team = "t" }'];
    for (let i = 1; i <= 12; i++) chain.push(`  l${i} = merge(local.l${i - 1}, local.l${i - 1}, local.l${i - 1}, local.l${i - 1})`);
    const r = await check({
      'main.tf': lines('provider "aws" {}', 'locals {', ...chain, '}', 'resource "aws_instance" "a" {', '  tags = merge(local.l12, { Environment = "prod" })', '}', 'resource "aws_instance" "b" {', '  tags = merge(local.l12, { Environment = "dev" })', '}', 'resource "aws_instance" "c" {', '  tags = local.l12', '}'),
    });
    expect(r.summary).toMatch(/^2\/3 cost-bearing resources carry every required tag/);
    expect(about(r.findings, 'aws_instance.c')).toEqual([{ rule: 'terraform-missing-tags', severity: 'medium', path: 'main.tf', line: 23, message: 'aws_instance.c has no environment tag' }]);
  });

  it('locals that refer to each other are indeterminate, not a stack overflow', async () => {
    const r = await check({ 'main.tf': lines('provider "aws" {}', 'locals {', '  a = local.b', '  b = local.a', '}', 'resource "aws_instance" "a" {', '  tags = local.a', '}') });
    expect(r.score).toBe(1.6); // token credit only
    expect(about(r.findings, 'aws_instance.a')).toEqual([
      { rule: 'tags-indeterminate', severity: 'low', path: 'main.tf', line: 6, message: 'aws_instance.a: cannot tell whether it has cost-center, owner (or team), environment (local.a refers to itself); counted as indeterminate, not as passing' },
    ]);
  });

  it('HCL nested 10,000 deep (objects) and 20,000 deep (parentheses) is parsed and judged', async () => {
    const r = await check({
      'deep.tf': lines('provider "aws" {}', 'locals {', `  x = ${'{ a = '.repeat(10_000)}1${' }'.repeat(10_000)}`, `  y = ${'('.repeat(20_000)}1${')'.repeat(20_000)}`, '}', 'resource "aws_instance" "d" {', `  tags = merge(local.x, ${ALL_TAGS})`, '}', 'resource "aws_instance" "e" {', '  tags = local.x', '}'),
    });
    expect(r.summary).toMatch(/^1\/2 cost-bearing resources carry every required tag/);
    expect(about(r.findings, 'aws_instance.e')).toEqual([{ rule: 'terraform-missing-tags', severity: 'medium', path: 'deep.tf', line: 9, message: 'aws_instance.e has no cost-center, owner (or team), environment tags' }]);
  });

  it('a chart template with 50,000 blank lines before its kind still makes the chart a workload', async () => {
    const r = await check({
      'chart/Chart.yaml': 'apiVersion: v2\nname: shop\nversion: 1.0.0\n',
      'chart/values.yaml': lines('podLabels:', '  cost-center: cc', '  owner: shop'),
      'chart/templates/deployment.yaml': `{{- if .Values.enabled }}${'\n'.repeat(50_000)}kind: Deployment\n{{- end }}\n`,
    });
    expect(r.summary).toMatch(/^1\/1 cost-bearing resources carry every required tag \(1 Helm\)/);
  });

  it('a samconfig.toml with 50,000 blank lines before its tags still tags the template', async () => {
    const r = await check({
      'sam/samconfig.toml': `version = 0.1\n${'\n'.repeat(50_000)}[default.deploy.parameters]\ntags = "CostCenter=\\"cc\\" Owner=\\"ops\\" Environment=\\"prod\\""\n`,
      'sam/template.yaml': lines('AWSTemplateFormatVersion: "2010-09-09"', 'Resources:', '  Q:', '    Type: AWS::SQS::Queue'),
    });
    expect(r.summary).toMatch(/^1\/1 cost-bearing resources carry every required tag \(1 CloudFormation\)/);
    expect(r.score).toBe(10); // stack tags: tagged by construction
  });

  it('a heredoc with a 50,000-space line before its terminator is read', async () => {
    const r = await check({
      'live/root.hcl': lines('generate "provider" {', '  path     = "provider.tf"', '  contents = <<EOF', 'provider "aws" {', `  default_tags { tags = ${ALL_TAGS} }`, '}', ' '.repeat(50_000), 'EOF', '}'),
      'live/app/terragrunt.hcl': lines('include "root" {', '  path = find_in_parent_folders("root.hcl")', '}'),
      'live/app/main.tf': lines('resource "aws_nat_gateway" "n" {}'),
    });
    expect(r.summary).toMatch(/^1\/1 cost-bearing resources carry every required tag/);
  });
});

describe('cost-tags: no false credit', () => {
  const validated = (condition: string) => ({
    'modules/bucket/main.tf': lines('variable "tags" {', '  type = map(string)', '  validation {', `    condition     = ${condition}`, '    error_message = "x"', '  }', '}', 'resource "aws_s3_bucket" "this" {', '  tags = var.tags', '}'),
  });
  const KEYS = '["CostCenter", "Team", "Environment"]';

  it('validations that really require the keys guarantee them and are enforcement', async () => {
    for (const condition of [
      `alltrue([for k in ${KEYS} : contains(keys(var.tags), k)])`,
      `alltrue([for k in toset(${KEYS}) : can(var.tags[k])])`,
      'contains(keys(var.tags), "CostCenter") && contains(keys(var.tags), "Team") && contains(keys(var.tags), "Environment")',
      `var.tags != null && length(setsubtract(${KEYS}, keys(var.tags))) == 0`,
      'alltrue([contains(keys(var.tags), "CostCenter"), contains(keys(var.tags), "Team"), contains(keys(var.tags), "Environment")])',
    ]) {
      const r = await check(validated(condition));
      expect(r.score, condition).toBe(10);
      expect(r.summary, condition).toBe('1/1 cost-bearing resources carry every required tag (1 Terraform); 0 missing required keys; enforced by validation of var.tags in modules/bucket/main.tf');
    }
  });

  it('validations that forbid the keys, or need only some of them, guarantee nothing', async () => {
    for (const condition of [
      `length(setintersection(keys(var.tags), ${KEYS})) == 0`,
      `anytrue([for k in ${KEYS} : contains(keys(var.tags), k)])`,
      'contains(keys(var.tags), "CostCenter") || contains(keys(var.tags), "Team") || contains(keys(var.tags), "Environment")',
      '!contains(keys(var.tags), "CostCenter") && !contains(keys(var.tags), "Team") && !contains(keys(var.tags), "Environment")',
      `alltrue([for k in ${KEYS} : contains(keys(var.tags), k) if k != "Team"])`,
      `length(setsubtract(keys(var.tags), ${KEYS})) == 0`,
    ]) {
      const r = await check(validated(condition));
      expect(r.score, condition).toBe(1.6); // token credit only
      expect(r.summary, condition).toBe('0/1 cost-bearing resources carry every required tag (1 Terraform); 0 missing required keys, 1 indeterminate; no tagging enforcement');
      expect(messages(r.findings), condition).toContain(NO_POLICY);
    }
  });

  it('a validation about something else (var.region) is not "enforced by" and does not hide the missing policy', async () => {
    const r = await check({
      'main.tf': lines('provider "aws" {}', 'variable "region" {', '  default = "eu-west-1"', '  validation {', '    condition     = contains(["eu-west-1", "us-east-1"], var.region)', '    error_message = "x"', '  }', '}', 'variable "settings" {', '  default = { size = "s" }', '  validation {', '    condition     = contains(keys(var.settings), "size")', '    error_message = "x"', '  }', '}') + TAGGED_INSTANCE,
    });
    expect(r.score).toBe(8);
    expect(r.summary).toBe('1/1 cost-bearing resources carry every required tag (1 Terraform); 0 missing required keys; no tagging enforcement');
    expect(messages(r.findings)).toEqual([NO_POLICY]);
  });

  it('CloudFormation: a type outside the list that sets Tags is reported, not counted', async () => {
    const r = await check({
      'cfn/t.yaml': lines('AWSTemplateFormatVersion: "2010-09-09"', 'Resources:', '  Role:', '    Type: AWS::IAM::Role', '    Properties:', '      Tags: [{Key: Name, Value: r}]', '  Q:', '    Type: AWS::SQS::Queue', '    Properties:', '      Tags: [{Key: CostCenter, Value: c}, {Key: Team, Value: t}, {Key: Environment, Value: e}]'),
    });
    expect(r.summary).toMatch(/^1\/1 cost-bearing resources carry every required tag \(1 CloudFormation\)/);
    expect(about(r.findings, 'AWS::IAM::Role Role')).toEqual([
      { rule: 'cloudformation-missing-tags', severity: 'info', path: 'cfn/t.yaml', line: 3, message: 'AWS::IAM::Role Role has no cost-center, owner (or team), environment tags; for information only: AWS::IAM::Role is not in the list of cost-bearing types, so it is not part of the score' },
    ]);
  });

  it('Kustomize labels follow resources: lists (files and directories, recursively), not directories', async () => {
    const deployment = (name: string) => lines('apiVersion: apps/v1', 'kind: Deployment', 'metadata:', `  name: ${name}`, 'spec:', '  template:', '    metadata:', '      labels:', `        app: ${name}`);
    const LABELS = ['commonLabels:', '  cost-center: cc', '  owner: shop'];
    const r = await check({
      // Listed: labelled. Beside it but not listed: not labelled (was a false pass).
      'flat/kustomization.yaml': lines('resources: [listed.yaml]', ...LABELS),
      'flat/listed.yaml': deployment('listed'),
      'flat/stray.yaml': deployment('stray'),
      // A base built by an overlay gets the overlay's labels (was a false fail).
      'app/base/kustomization.yaml': lines('resources:', '  - deployment.yaml'),
      'app/base/deployment.yaml': deployment('api'),
      'app/overlays/prod/kustomization.yaml': lines('resources:', '  - ../../base', ...LABELS),
      // Kustomizations that include each other: no endless loop, and no labels.
      'loop/a/kustomization.yaml': lines('resources: [../b, worker.yaml]', ...LABELS),
      'loop/a/worker.yaml': deployment('worker'),
      'loop/b/kustomization.yaml': lines('resources: [../a]'),
    });
    expect(r.summary).toMatch(/^2\/4 cost-bearing resources carry every required tag \(4 Kubernetes\)/);
    expect(about(r.findings, 'Deployment stray')).toEqual([{ rule: 'kubernetes-missing-labels', severity: 'medium', path: 'flat/stray.yaml', line: 2, message: 'Deployment stray: its pod template has no cost-center, owner (or team) labels' }]);
    expect(about(r.findings, 'Deployment worker')).toEqual([{ rule: 'kubernetes-missing-labels', severity: 'medium', path: 'loop/a/worker.yaml', line: 2, message: 'Deployment worker: its pod template has no cost-center, owner (or team) labels' }]);
    expect(about(r.findings, 'Deployment listed')).toEqual([]);
    expect(about(r.findings, 'Deployment api')).toEqual([]);
  });

  it('a base built by two overlays is judged by the worse one, named in the finding', async () => {
    const r = await check({
      'base/kustomization.yaml': lines('resources: [deployment.yaml]'),
      'base/deployment.yaml': lines('apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: api', 'spec:', '  template:', '    metadata:', '      labels: {cost-center: cc}'),
      'overlays/prod/kustomization.yaml': lines('resources: [../../base]', 'commonLabels: {owner: shop}'),
      'overlays/dev/kustomization.yaml': lines('resources: [../../base]'),
    });
    expect(r.summary).toMatch(/^0\/1 cost-bearing resources/);
    expect(at(r.findings, 'base/deployment.yaml')).toEqual([
      { rule: 'kubernetes-missing-labels', severity: 'medium', path: 'base/deployment.yaml', line: 2, message: 'Deployment api: its pod template (as built by overlays/dev/kustomization.yaml) has no owner (or team) label' },
    ]);
  });

  it('Auto Scaling group tags without propagate_at_launch = true do not reach the instances', async () => {
    const tag = (key: string, propagate: string) => ['  tag {', `    key                 = "${key}"`, '    value               = "v"', `    propagate_at_launch = ${propagate}`, '  }'];
    const r = await check({
      'main.tf': lines('provider "aws" {}', 'resource "aws_autoscaling_group" "g" {', ...tag('CostCenter', 'true'), ...tag('Team', 'false'), ...tag('Environment', 'false'), '}'),
    });
    expect(r.score).toBe(4.4); // one key of three reaches the instances: 0.55 × 8
    expect(about(r.findings, 'aws_autoscaling_group.g')).toEqual([
      { rule: 'terraform-missing-tags', severity: 'medium', path: 'main.tf', line: 2, message: "aws_autoscaling_group.g has no owner (or team), environment tags; Team, Environment are set without propagate_at_launch = true, so the group's instances do not get them" },
    ]);
  });

  it('a report-only AWS Organizations tag policy (no enforced_for) earns 1 point, and says why', async () => {
    const policy = (enforced: boolean) =>
      JSON.stringify({ tags: Object.fromEntries(['CostCenter', 'Team', 'Environment'].map((k) => [k.toLowerCase(), { tag_key: { '@@assign': k }, ...(enforced ? { enforced_for: { '@@assign': ['ec2:instance'] } } : {}) }])) }, null, 2);
    const tagged = { 'main.tf': lines('provider "aws" {}', 'resource "aws_instance" "a" {', `  tags = ${ALL_TAGS}`, '}') };
    const reportOnly = await check({ ...tagged, 'org/tag-policy.json': policy(false) });
    expect(reportOnly.score).toBe(9);
    expect(at(reportOnly.findings, 'org/tag-policy.json')).toEqual([
      { rule: 'enforcement-found', severity: 'info', path: 'org/tag-policy.json', line: 2, message: 'tagging enforcement: AWS Organizations tag policy (requires CostCenter, Team, Environment); report-only (no enforced_for): it reports non-compliant tags but blocks nothing' },
      { rule: 'enforcement-report-only', severity: 'low', path: 'org/tag-policy.json', line: 2, message: 'AWS Organizations tag policy is report-only (no enforced_for): it reports non-compliant tags but blocks nothing; cost-center, owner (or team), environment are required only by report-only policies, which earn 1 enforcement point, not 2' },
    ]);
    const enforced = await check({ ...tagged, 'org/tag-policy.json': policy(true) });
    expect(enforced.score).toBe(10);
    // A policy that blocks, next to the report-only one, earns both points.
    const both = await check({ ...tagged, 'org/tag-policy.json': policy(false), '.tflint.hcl': TFLINT });
    expect(both.score).toBe(10);
  });

  it('tag policies declared in Terraform and CloudFormation are report-only without enforced_for too', async () => {
    const tagKeys = (enforced: boolean) => ['CostCenter', 'Team', 'Environment'].map((k) => `      ${k.toLowerCase()} = { tag_key = { "@@assign" = "${k}" }${enforced ? ', enforced_for = { "@@assign" = ["ec2:instance"] }' : ''} }`);
    const tf = (enforced: boolean) => lines('provider "aws" {}', 'resource "aws_instance" "a" {', `  tags = ${ALL_TAGS}`, '}', 'resource "aws_organizations_policy" "tags" {', '  name    = "cost"', '  type    = "TAG_POLICY"', '  content = jsonencode({', '    tags = {', ...tagKeys(enforced), '    }', '  })', '}');
    const reportOnly = await check({ 'main.tf': tf(false) });
    expect(reportOnly.score).toBe(9);
    expect(about(reportOnly.findings, 'is report-only')).toEqual([
      { rule: 'enforcement-report-only', severity: 'low', path: 'main.tf', line: 5, message: 'AWS Organizations tag policy aws_organizations_policy.tags is report-only (no enforced_for): it reports non-compliant tags but blocks nothing; cost-center, owner (or team), environment are required only by report-only policies, which earn 1 enforcement point, not 2' },
    ]);
    expect((await check({ 'main.tf': tf(true) })).score).toBe(10);
    const cfn = (enforced: boolean) =>
      lines('AWSTemplateFormatVersion: "2010-09-09"', 'Resources:', '  Q:', '    Type: AWS::SQS::Queue', '    Properties:', '      Tags: [{Key: CostCenter, Value: c}, {Key: Team, Value: t}, {Key: Environment, Value: e}]', '  Policy:', '    Type: AWS::Organizations::Policy', '    Properties:', '      Type: TAG_POLICY', '      Content:', '        tags:', '          costcenter:', '            tag_key: {"@@assign": CostCenter}', ...(enforced ? ['            enforced_for: {"@@assign": ["sqs:queue"]}'] : []));
    const cfnReportOnly = await check({ 'cfn/org.yaml': cfn(false) });
    expect(cfnReportOnly.score).toBe(9); // names one key of three: 1 point either way
    expect(about(cfnReportOnly.findings, 'tagging enforcement')).toEqual([
      { rule: 'enforcement-found', severity: 'info', path: 'cfn/org.yaml', line: 7, message: 'tagging enforcement: AWS Organizations tag policy Policy (requires CostCenter); report-only (no enforced_for): it reports non-compliant tags but blocks nothing' },
    ]);
    expect(about((await check({ 'cfn/org.yaml': cfn(true) })).findings, 'tagging enforcement')[0]?.message).toBe('tagging enforcement: AWS Organizations tag policy Policy (requires CostCenter)');
  });

  it('keys: an AWS-style colon namespace is dropped; a slash is part of an AWS tag key but a prefix of a Kubernetes label', async () => {
    const r = await check({
      'main.tf': lines(
        'provider "aws" {}',
        'resource "aws_instance" "ns" {',
        '  tags = { "example-inc:cost-allocation:CostCenter" = "cc", "example-inc:Team" = "t", Environment = "prod" }',
        '}',
        'resource "aws_instance" "slash" {',
        '  tags = { CostCenter = "cc", "team/legacy-owner" = "x", "legacy/owner" = "y", Environment = "prod" }',
        '}',
      ),
      'k8s/d.yaml': lines('apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: d', 'spec:', '  template:', '    metadata:', '      labels:', '        example.com/cost-center: cc', '        example.com/owner: shop'),
    });
    expect(r.summary).toMatch(/^2\/3 cost-bearing resources/);
    expect(about(r.findings, 'aws_instance.ns')).toEqual([]);
    expect(about(r.findings, 'aws_instance.slash')).toEqual([{ rule: 'terraform-missing-tags', severity: 'medium', path: 'main.tf', line: 5, message: 'aws_instance.slash has no owner (or team) tag' }]);
    expect(about(r.findings, 'Deployment d')).toEqual([]);
  });

  it('a quoted provider alias (provider = "aws.us", Terraform 0.11) gets that alias\'s default tags', async () => {
    const r = await check({ 'main.tf': provider('{ CostCenter = "cc" }') + provider(ALL_TAGS, 'us') + lines('resource "aws_instance" "us" {', '  provider = "aws.us"', '}') });
    expect(r.summary).toMatch(/^1\/1 cost-bearing resources carry every required tag/);
    expect(about(r.findings, 'aws_instance.us')).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties: the score stays within 0–10, and removing a tag (or a whole tags attribute) never raises it.

describe('cost-tags: properties', () => {
  const KEYS = ['CostCenter', 'Team', 'Environment', 'Name'];
  // Listed types, a type outside the list (aws_iam_role) and a registry module call (`module`).
  const TYPES = ['aws_instance', 'aws_s3_bucket', 'aws_db_instance', 'google_storage_bucket', 'azurerm_storage_account', 'aws_iam_role', 'module'];
  const resourceArb = fc.record({ type: fc.constantFrom(...TYPES), keys: fc.subarray(KEYS), emptyValue: fc.boolean() });
  const repoArb = fc.record({ defaults: fc.subarray(KEYS), resources: fc.array(resourceArb, { minLength: 1, maxLength: 5 }), tflint: fc.boolean() });
  type Repo = { defaults: string[]; resources: { type: string; keys: string[]; emptyValue: boolean }[]; tflint: boolean };

  const render = (repo: Repo): Record<string, FixtureFile> => {
    const map = (keys: string[], empty = false) => `{ ${keys.map((k, i) => `${k} = "${empty && i === 0 ? '' : 'v'}"`).join(', ')} }`;
    const main =
      lines('provider "aws" {', '  default_tags {', `    tags = ${map(repo.defaults)}`, '  }', '}', 'provider "google" {', `  default_labels = ${map(repo.defaults)}`, '}') +
      repo.resources
        .map((r, i) => {
          const tags = r.keys.length ? [`  ${r.type.startsWith('google') ? 'labels' : 'tags'} = ${map(r.keys, r.emptyValue)}`] : [];
          return r.type === 'module' ? lines(`module "r${i}" {`, '  source = "terraform-aws-modules/s3-bucket/aws"', ...tags, '}') : lines(`resource "${r.type}" "r${i}" {`, ...tags, '}');
        })
        .join('');
    return { 'main.tf': main, ...(repo.tflint ? { '.tflint.hcl': TFLINT } : {}) };
  };

  it('the score is within 0–10 and the outcome is well formed', async () => {
    await fc.assert(
      fc.asyncProperty(repoArb, async (repo) => {
        const r = await check(render(repo));
        // Only a type outside the list: nothing counts.
        expect(r.score === null).toBe(repo.resources.every((x) => x.type === 'aws_iam_role'));
        if (r.score === null) {
          expect(r.status).toBe('not-applicable');
          return;
        }
        expect(r.score).toBeGreaterThanOrEqual(0);
        expect(r.score!).toBeLessThanOrEqual(10);
        for (const f of r.findings) if (f.line !== undefined) expect(Number.isInteger(f.line) && f.line > 0).toBe(true);
      }),
      { numRuns: 20 },
    );
  });

  it('removing one tag, or a whole tags attribute, from a resource, a module call or the default tags never improves the score', async () => {
    // key '*': the whole tags attribute (or default_tags map) goes.
    type Target = { where: number; key: string } | undefined;
    const withRemoval: fc.Arbitrary<{ repo: Repo; target: Target }> = repoArb.chain((repo): fc.Arbitrary<{ repo: Repo; target: Target }> => {
      // An empty value (the first key of an emptyValue resource) overrides the provider default with nothing:
      // removing it (alone, or with the whole attribute) lets the default apply again, which is a fix, not a
      // requirement removed.
      const targets: Target[] = [
        ...[...repo.defaults, '*'].map((key) => ({ where: -1, key })),
        ...repo.resources.flatMap((r, i) => [
          ...r.keys.filter((_, k) => !(r.emptyValue && k === 0)).map((key) => ({ where: i, key })),
          ...(r.emptyValue && r.keys.length > 0 ? [] : [{ where: i, key: '*' }]),
        ]),
      ];
      return fc.constantFrom(...targets).map((target) => ({ repo, target }));
    });
    await fc.assert(
      fc.asyncProperty(withRemoval, async ({ repo, target }) => {
        if (!target) return;
        const without = (keys: string[]) => (target.key === '*' ? [] : keys.filter((k) => k !== target.key));
        const reduced: Repo = {
          ...repo,
          defaults: target.where === -1 ? without(repo.defaults) : repo.defaults,
          resources: repo.resources.map((r, i) => (i === target.where ? { ...r, keys: without(r.keys) } : r)),
        };
        const before = await check(render(repo));
        const after = await check(render(reduced));
        if (before.score === null) {
          expect(after.score).toBeNull();
          return;
        }
        expect(after.score!).toBeLessThanOrEqual(before.score);
      }),
      { numRuns: 30 },
    );
  });
});
