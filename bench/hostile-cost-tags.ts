// Hostile inputs for the cost-tags check, at the sizes the review reported them (before the fixes:
// a crash for the first group, seconds to minutes for the others). bench/hostile-inputs.ts times them.

export interface HostileCase {
  name: string;
  files: Record<string, string>;
}

const TAGS = '{ CostCenter = "cc-1", Team = "payments", Environment = "prod" }';
const PROVIDER = `provider "aws" {\n  region = "eu-west-1"\n}\n`;

export function costTagsCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  const add = (name: string, files: Record<string, string>) => cases.push({ name, files });

  // --- Exceptions inside run() (the whole check used to become `error`).

  // A variable label pasted into a regular expression: "tags(" is not a valid pattern.
  add('cost-tags: variable label "tags(" in a regular expression', {
    'main.tf':
      PROVIDER +
      'variable "tags(" {\n  type = map(string)\n  validation {\n    condition     = contains(keys(var.tags), "CostCenter")\n    error_message = "x"\n  }\n}\n' +
      `resource "aws_instance" "a" {\n  tags = ${TAGS}\n}\n`,
  });
  // … and "(a|a)*b" made it catastrophic backtracking against a 26-character name (3.6 s).
  add('cost-tags: variable label "(a|a)*b" (ReDoS, 26 characters)', {
    'main.tf':
      PROVIDER +
      `variable "(a|a)*b" {\n  validation {\n    condition     = var.${'a'.repeat(26)} != null\n    error_message = "x"\n  }\n}\n` +
      `resource "aws_instance" "a" {\n  tags = ${TAGS}\n}\n`,
  });
  // YAML maps whose `toString` is not a function: String(value) throws.
  const TO_STRING = '{toString: 1}';
  add('cost-tags: Rollout workloadRef.kind {toString: 1}', {
    'k8s/rollout.yaml': `apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: api\nspec:\n  workloadRef:\n    apiVersion: apps/v1\n    kind: ${TO_STRING}\n    name: api\n`,
  });
  add('cost-tags: Kyverno and Gatekeeper metadata.name {toString: 1}', {
    'policy/kyverno.yaml': `apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: ${TO_STRING}\nspec:\n  rules:\n    - name: r\n      validate:\n        pattern:\n          metadata:\n            labels:\n              cost-center: "?*"\n`,
    'policy/gatekeeper.yaml': `apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sRequiredLabels\nmetadata:\n  name: ${TO_STRING}\nspec:\n  parameters:\n    labels: [cost-center]\n`,
    'k8s/d.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    metadata:\n      labels: {cost-center: c, owner: o}\n',
  });
  add('cost-tags: .tf.json Auto Scaling group tag key {toString: 1}', {
    'asg.tf.json': JSON.stringify({ provider: { aws: { region: 'eu-west-1' } }, resource: { aws_autoscaling_group: { g: { tag: [{ key: { toString: 1 }, value: 'x', propagate_at_launch: true }] } } } }),
  });
  add('cost-tags: .tf.json module providers value {toString: 1}', {
    'main.tf.json': JSON.stringify({ provider: { aws: { region: 'eu-west-1' } }, module: { m: { source: './modules/m', providers: { aws: { toString: 1 } } } } }),
    'modules/m/main.tf': `resource "aws_s3_bucket" "b" {\n  tags = ${TAGS}\n}\n`,
  });
  add('cost-tags: CloudFormation Type {toString: 1}', {
    'cfn/template.yaml': `AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  R:\n    Type: ${TO_STRING}\n  Q:\n    Type: AWS::SQS::Queue\n`,
  });
  // An anchor whose value contains an alias to itself: a circular structure for JSON.stringify.
  add('cost-tags: CloudFormation resource that contains itself (YAML alias)', {
    'cfn/template.yaml': 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  R: &a {Type: AWS::SQS::Queue, Properties: {self: *a}}\n',
  });
  // Math.min(...lines) over a 200,000-line <<-EOF heredoc: more arguments than the stack holds.
  add('cost-tags: Terragrunt generate with a 200,000-line <<-EOF heredoc', {
    'live/root.hcl': `generate "provider" {\n  path     = "provider.tf"\n  contents = <<-EOF\n${'    # line\n'.repeat(200_000)}    provider "aws" {}\n  EOF\n}\n`,
    'live/app/terragrunt.hcl': 'include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n',
    'live/app/main.tf': `resource "aws_instance" "a" {\n  tags = ${TAGS}\n}\n`,
  });

  // --- Super-linear evaluation and parsing.

  // lN = merge(local.lN-1 ×4): 4^N evaluations without memoisation (2.4 s at 10, 42 s at 12), per resource.
  const chain = (depth: number, resources: number): string => {
    const locals = [`  l0 = ${TAGS}`];
    for (let i = 1; i <= depth; i++) locals.push(`  l${i} = merge(local.l${i - 1}, local.l${i - 1}, local.l${i - 1}, local.l${i - 1})`);
    const rs = Array.from({ length: resources }, (_, i) => `resource "aws_instance" "r${i}" {\n  tags = local.l${depth}\n}\n`).join('');
    return `${PROVIDER}locals {\n${locals.join('\n')}\n}\n${rs}`;
  };
  add('cost-tags: locals chain lN = merge(local.lN-1 ×4), depth 10', { 'main.tf': chain(10, 1) });
  add('cost-tags: locals chain lN = merge(local.lN-1 ×4), depth 12', { 'main.tf': chain(12, 1) });
  add('cost-tags: locals chain depth 10 used by 20 resources', { 'main.tf': chain(10, 20) });
  add('cost-tags: locals that refer to each other', {
    'main.tf': `${PROVIDER}locals {\n  a = local.b\n  b = local.a\n}\nresource "aws_instance" "a" {\n  tags = local.a\n}\n`,
  });
  // The tree walk asked tree-sitter for the cursor's depth at every node: quadratic in nesting depth.
  add('cost-tags: HCL object nested 20,000 deep (120 KB)', {
    'main.tf': `${PROVIDER}locals {\n  x = ${'{ a = '.repeat(20_000)}1${' }'.repeat(20_000)}\n}\nresource "aws_instance" "a" {\n  tags = ${TAGS}\n}\n`,
  });
  add('cost-tags: HCL expression in 50,000 nested parentheses', {
    'main.tf': `${PROVIDER}locals {\n  x = ${'('.repeat(50_000)}1${')'.repeat(50_000)}\n}\nresource "aws_instance" "a" {\n  tags = ${TAGS}\n}\n`,
  });

  // --- Regular expressions that backtrack.

  // /^\s*kind:/m over a chart template of 100,000 newlines (5.3 s).
  add('cost-tags: Helm template with 100,000 newlines', {
    'chart/Chart.yaml': 'apiVersion: v2\nname: shop\nversion: 1.0.0\n',
    'chart/values.yaml': 'podLabels:\n  cost-center: cc\n  owner: shop\n',
    'chart/templates/deployment.yaml': `{{- if .Values.enabled }}${'\n'.repeat(100_000)}x`,
  });
  // /^\s*tags\s*=/m over a samconfig.toml of 100,000 newlines (5.3 s).
  add('cost-tags: samconfig.toml with 100,000 newlines', {
    'sam/samconfig.toml': `version = 0.1\n${'\n'.repeat(100_000)}x`,
    'sam/template.yaml': 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n',
  });
  // The heredoc terminator pattern \r?\n?[ \t]*EOF\s*$ against 50,000 spaces (1.1 s).
  add('cost-tags: heredoc with a 50,000-space line', {
    'root.hcl': `generate "provider" {\n  path     = "provider.tf"\n  contents = <<EOF\nprovider "aws" {}\n${' '.repeat(50_000)}x\nEOF\n}\n`,
  });

  // --- Found while fixing the above (same families).

  // A key=value scan over one 100,000-character token without "=".
  add('cost-tags: samconfig.toml tags with a 100,000-character token', {
    'sam/samconfig.toml': `version = 0.1\n[default.deploy.parameters]\ntags = "${'a'.repeat(100_000)}"\n`,
    'sam/template.yaml': 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n',
  });
  // A YAML anchor that contains itself under many keys: walking it without a visited set fans out.
  add('cost-tags: Ansible-like YAML whose anchor contains itself 8 times', {
    'deploy/playbook.yml': `- &a {cloudformation: {template: t.yaml}, a: *a, b: *a, c: *a, d: *a, e: *a, f: *a, g: *a, h: *a}\n`,
  });
  // .tf.json is read with the YAML parser, so it may alias itself the same way.
  add('cost-tags: .tf.json whose tags contain themselves 8 times', {
    'main.tf.json': 'provider: {aws: {region: eu-west-1}}\nresource: {aws_instance: {a: {tags: &t {CostCenter: c, a: *t, b: *t, c: *t, d: *t, e: *t, f: *t, g: *t, h: *t}}}}\n',
  });
  return cases;
}
