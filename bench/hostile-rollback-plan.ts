// Hostile inputs for the rollback-plan check, at the sizes that took seconds (or minutes) before
// the patterns they provoke were made linear. `npm run bench:hostile` times every check on each.

// 26 flags and no deploy verb: each `--flag` could split two ways in the old helm patterns (85.6 s).
const HELM_FLAGS = [
  '--set image.tag0=v1',
  '--namespace=payments',
  '--kube-context prod-eu',
  '--values values/prod.yaml',
  '-f values/secrets.yaml',
  '--set replicaCount=6',
  '--set-string sha=9f8e7d6',
  '--version 4.12.0',
  '--timeout 10m',
  '--set limits.cpu=1',
  '--set limits.memory=2Gi',
  '--set hpa.enabled=true',
  '--set hpa.min=6',
  '--set ingress.enabled=true',
  '--set host=pay.example.com',
  '--set env.LOG=info',
  '--set env.REGION=eu-west-1',
  '--set pdb.min=50%',
  '--set monitor=true',
  '--set-file config=prod.toml',
  '--debug',
  '--kubeconfig /etc/kube/prod',
  '--set pool=pays',
  '--set pull=Always',
  '--create-namespace',
  '--set tolerations=pay',
];
/** The 569-character render line: `helm --set image.tag0=v1 --namespace=payments … template ./chart`. */
export const HELM_TEMPLATE_LINE = `helm ${HELM_FLAGS.join(' ')} template ./chart`;

const TEMPLATE_PR = '## Summary\n\n<!-- what and why -->\n\n## Rollback plan\n\n<!-- How is this undone? What cannot be undone? -->\n';

export function rollbackPlanCases(): { name: string; files: Record<string, string> }[] {
  return [
    { name: 'rollback-plan: 569-char helm template line with 26 flags (scripts/render.sh)', files: { 'scripts/render.sh': `#!/bin/sh\nset -eu\n${HELM_TEMPLATE_LINE}\n` } },
    { name: 'rollback-plan: helm + 28 × " --a" (deploy.sh)', files: { 'deploy.sh': `helm${' --a'.repeat(28)}\n` } },
    { name: 'rollback-plan: helm + 28 × " --a" in a document line (DEPLOY.md)', files: { 'DEPLOY.md': `# Deploy\n\nhelm${' --a'.repeat(28)}\n` } },
    { name: 'rollback-plan: 100k "{{" without "}}" (isTemplated)', files: { 'deploy/values.yaml': '{{'.repeat(100_000) + '\n' } },
    { name: 'rollback-plan: one line of 100k "{" in a Helm template (blanking)', files: { 'chart/templates/deployment.yaml': `kind: Deployment\nname: {{ .Values.name }}\n${'{'.repeat(100_000)}\n` } },
    {
      name: 'rollback-plan: "**a**" + 100k spaces + "x" (BOLD_LINE, document and template)',
      files: { 'DEPLOY.md': `# Deploy\n\n**a**${' '.repeat(100_000)}x\n`, '.github/pull_request_template.md': `**a**${' '.repeat(100_000)}x\n\n` + TEMPLATE_PR },
    },
    { name: 'rollback-plan: Helm template with 100k newlines', files: { 'chart/templates/rollout.yaml': `{{- if .Values.enabled }}${'\n'.repeat(100_000)}apiVersion: argoproj.io/v1alpha1\nkind: Rollout\n{{- end }}\n` } },
    { name: 'rollback-plan: 6,250 × "kubectl " on one document line', files: { 'docs/runbooks/rollback.md': `# Rollback\n\n${'kubectl '.repeat(6_250)}\n` } },
    { name: 'rollback-plan: 6,250 × "kubectl " on one script line', files: { 'scripts/deploy.sh': `${'kubectl '.repeat(6_250)}\n` } },
    { name: 'rollback-plan: "Rollback" + 100k spaces + "x" (plain label)', files: { '.github/pull_request_template.md': `Rollback${' '.repeat(100_000)}x\n` } },
    { name: 'rollback-plan: "**Rollback:**" + 100k spaces + "x" and a line separator (bold label)', files: { '.github/pull_request_template.md': `**Rollback:**${' '.repeat(100_000)}x\u2028\n` } },
    { name: 'rollback-plan: 20,000 "catch(" on one Jenkinsfile line', files: { Jenkinsfile: `pipeline {\n${'catch('.repeat(20_000)}\n}\n` } },
    { name: 'rollback-plan: 20,000 "/*" in a Jenkinsfile', files: { Jenkinsfile: `pipeline {\n${'/* '.repeat(20_000)}\nsh "helm upgrade --install web ./chart --atomic"\n}\n` } },
    { name: 'rollback-plan: 50k quotes and "||" on one script line', files: { 'scripts/deploy.sh': `${`"' || `.repeat(50_000)}helm rollback web\n` } },
  ];
}
