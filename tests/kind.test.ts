// Repository kind on generated repositories, read by the real local source with exactly KIND_READS.
import { afterAll, describe, expect, it } from 'vitest';
import type { FixtureFile } from '../fixtures/factory.ts';
import { detectKind, KIND_READS } from '../crawler/kind.ts';
import { fixtureSnapshots } from './fixture-snapshots.ts';

const repos = fixtureSnapshots({ namePrefix: 'kind' });
afterAll(repos.cleanup);

async function kindOf(files: Record<string, FixtureFile>) {
  return detectKind(await repos.snapshot(KIND_READS, files), undefined);
}

const LIBSONNET = "{\n  prometheusAlerts+:: {\n    groups+: [{ name: 'pods', rules: [] }],\n  },\n}\n";
const DEPLOYMENT = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: grafana\nspec:\n  replicas: 1\n';
const BACKEND = 'terraform {\n  backend "s3" {\n    bucket = "acme-state"\n    key    = "network/terraform.tfstate"\n  }\n}\n';

describe('repository kind: configuration published for others is a library', () => {
  it('a monitoring mixin, even with a Makefile that tests it against a local cluster', async () => {
    const kind = await kindOf({
      'mixin.libsonnet': "(import 'alerts/alerts.libsonnet') + (import 'config.libsonnet')\n",
      'config.libsonnet': '{ _config+:: { selector: "job=\\"node\\"" } }\n',
      'alerts/alerts.libsonnet': LIBSONNET,
      'rules/rules.libsonnet': LIBSONNET,
      'jsonnetfile.json': '{ "version": 1, "dependencies": [] }\n',
      Makefile: 'test-cluster:\n\tkind create cluster\n\tkubectl apply -f out/\n\tkubectl rollout status deploy/prometheus\n',
    });
    expect(kind).toMatchObject({ kind: 'library', evidence: ['monitoring mixin (mixin.libsonnet)'] });
  });

  it('a Jsonnet distribution whose generated example manifests are applied by its users', async () => {
    const kind = await kindOf({
      'jsonnetfile.json': '{ "version": 1, "dependencies": [] }\n',
      'jsonnet/stack/main.libsonnet': LIBSONNET,
      'jsonnet/stack/components/grafana.libsonnet': LIBSONNET,
      'manifests/grafana-deployment.yaml': DEPLOYMENT,
      'kustomization.yaml': 'resources:\n  - manifests/grafana-deployment.yaml\n',
      'build.sh': 'jsonnet -J vendor -m manifests example.jsonnet\n',
    });
    expect(kind).toMatchObject({ kind: 'library', evidence: ['Jsonnet library (jsonnetfile.json)'] });
  });

  it('a Helm library chart, and charts released to a chart repository', async () => {
    expect(await kindOf({ 'charts/common/Chart.yaml': 'apiVersion: v2\nname: common\ntype: library\nversion: 1.2.0\n', 'charts/common/templates/_labels.tpl': '{{- define "common.labels" -}}{{- end -}}\n' })).toMatchObject({
      kind: 'library',
      evidence: ['Helm library chart (charts/common/Chart.yaml)'],
    });
    const released = await kindOf({
      'charts/exporter/Chart.yaml': 'apiVersion: v2\nname: exporter\nversion: 0.4.1\n',
      'charts/exporter/templates/deployment.yaml': DEPLOYMENT,
      '.github/workflows/release.yaml': 'on: {push: {branches: [main]}}\njobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: helm/chart-releaser-action@v1.6.0\n',
    });
    expect(released).toMatchObject({ kind: 'library', evidence: ['Helm charts published (.github/workflows/release.yaml)'] });
  });

  it('a Terraform module with examples of its use and no state of its own', async () => {
    const kind = await kindOf({
      'main.tf': 'resource "aws_s3_bucket" "this" {\n  bucket = var.name\n}\n',
      'variables.tf': 'variable "name" { type = string }\n',
      'outputs.tf': 'output "arn" { value = aws_s3_bucket.this.arn }\n',
      'examples/complete/main.tf': 'module "bucket" {\n  source = "../../"\n  name   = "example"\n}\n',
    });
    expect(kind).toMatchObject({ kind: 'library', evidence: ['Terraform module with examples (examples/)'] });
  });
});

describe('repository kind: live infrastructure is infrastructure', () => {
  it('Helm release configuration for named environments, synced by Argo CD', async () => {
    const kind = await kindOf({
      'charts/app-config/Chart.yaml': 'apiVersion: v2\nname: app-config\nversion: 0.1.0\n',
      'charts/app-config/values-production.yaml': 'apps:\n  - name: checkout\n',
      'charts/app-config/values-staging.yaml': 'apps:\n  - name: checkout\n',
      'charts/app-config/templates/application.yaml': 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {{ .Values.name }}\nspec:\n  project: default\n',
      'charts/web-app/Chart.yaml': 'apiVersion: v2\nname: web-app\nversion: 0.1.0\n',
    });
    expect(kind.kind).toBe('infrastructure');
    expect(kind.evidence).toContain('Argo CD application (charts/app-config/templates/application.yaml)');
  });

  it('Terraform roots with a state backend beside helper images and a dev container', async () => {
    const kind = await kindOf({
      'terraform/deployments/network/main.tf': `${BACKEND}resource "aws_vpc" "main" {}\n`,
      'terraform/deployments/network/variables.tf': 'variable "cidr" {}\n',
      'images/antivirus/Dockerfile': 'FROM clamav/clamav:1.3\nCOPY freshclam.conf /etc/\n',
      '.devcontainer/Dockerfile': 'FROM mcr.microsoft.com/devcontainers/base\n',
    });
    expect(kind).toMatchObject({ kind: 'infrastructure', evidence: ['Terraform root with a state backend (terraform/deployments/network/main.tf)'] });
  });

  it('Terragrunt live configuration whose module builds a Lambda image from its own code', async () => {
    const kind = await kindOf({
      'env/production/database/terragrunt.hcl': 'terraform {\n  source = "../../../aws//database"\n}\n',
      'aws/database/main.tf': 'resource "aws_db_instance" "main" {}\n',
      'aws/ecr/ecr.tf': 'resource "aws_ecr_repository" "extension" {}\n',
      'aws/ecr/extension/Dockerfile': 'FROM public.ecr.aws/lambda/python:3.12\nCOPY src/ /opt/\n',
      'aws/ecr/extension/src/requirements.txt': 'requests==2.32.0\n',
    });
    expect(kind).toMatchObject({ kind: 'infrastructure', evidence: ['Terragrunt (env/production/database/terragrunt.hcl)'] });
  });

  it('a helmfile per cluster, whatever the files are called', async () => {
    const kind = await kindOf({
      'clusters/public.yaml': 'helmDefaults:\n  atomic: true\n  wait: true\nrepositories:\n  - name: ingress\n    url: https://charts.example.org\nreleases:\n  - name: ingress\n    chart: ingress/ingress\n',
      'config/public/ingress.yaml': 'controller:\n  replicaCount: 2\n',
      Jenkinsfile: "pipeline { stages { stage('apply') { steps { sh 'helmfile -f clusters/public.yaml apply' } } } }\n",
    });
    expect(kind).toMatchObject({ kind: 'infrastructure', evidence: ['helmfile (clusters/public.yaml)'] });
  });

  it('CloudFormation stacks deployed with Sceptre', async () => {
    const kind = await kindOf({
      'config/config.yaml': 'project_code: acme-batch\nregion: eu-west-1\n',
      'config/prod/vpc.yaml': 'template:\n  path: vpc.yaml\n',
      'templates/vpc.yaml': "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Vpc:\n    Type: AWS::EC2::VPC\n",
    });
    expect(kind.kind).toBe('infrastructure');
    expect(kind.evidence).toEqual(expect.arrayContaining(['CloudFormation template (templates/vpc.yaml)', 'Sceptre project (config/config.yaml)']));
  });

  it('Tanka environments are live, even with jsonnetfile.json at the root', async () => {
    const kind = await kindOf({
      'jsonnetfile.json': '{ "version": 1, "dependencies": [] }\n',
      'lib/app.libsonnet': LIBSONNET,
      'environments/prod/main.jsonnet': "(import 'app.libsonnet')\n",
      'environments/prod/spec.json': '{ "apiVersion": "tanka.dev/v1alpha1", "kind": "Environment" }\n',
    });
    expect(kind.kind).toBe('infrastructure');
  });
});

describe('repository kind: applications are services', () => {
  it('a web framework application with a documentation site and no image', async () => {
    const kind = await kindOf({ 'mkdocs.yml': 'site_name: Inventory\n', 'inventory/manage.py': 'import django\n', 'requirements.txt': 'Django==5.1\n', 'docs/index.md': '# Inventory\n' });
    expect(kind).toMatchObject({ kind: 'service', evidence: ['Django application (inventory/manage.py)'] });
  });

  it('an application beside the Terraform that hosts it', async () => {
    const kind = await kindOf({
      Dockerfile: 'FROM node:22\nCOPY . .\nCMD ["node", "server.js"]\n',
      'package.json': '{"name": "payments", "private": true}\n',
      'terraform/main.tf': `${BACKEND}resource "aws_ecs_service" "payments" {}\n`,
      'terraform/production.tfvars': 'replicas = 3\n',
    });
    expect(kind).toMatchObject({ kind: 'service', evidence: ['container image (Dockerfile)'] });
  });
});
