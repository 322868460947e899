// What a repository is decides which checks apply: a library has no on-call, a docs site has no rollback.
import picomatch from 'picomatch';
import { parse as parseYaml } from 'yaml';
import type { RepoKind, RepoKindVerdict, RepoSnapshot } from '../checks/contract.ts';

export const KIND_READS = ['catalog-info.{yaml,yml}', 'package.json', 'pyproject.toml', 'Cargo.toml', '.github/workflows/*.{yml,yaml}'];

const IGNORED = /(^|\/)(node_modules|vendor|third_party|testdata|fixtures|examples?)\//i;

const SERVICE_FILES: [RegExp, string][] = [
  [/(^|\/)(Dockerfile|Containerfile)(\.[\w-]+)?$/, 'container image'],
  [/(^|\/)Procfile$/, 'Procfile'],
  [/(^|\/)(app\.ya?ml|fly\.toml|serverless\.ya?ml|skaffold\.ya?ml|render\.yaml|vercel\.json|netlify\.toml)$/, 'deploy configuration'],
  [/(^|\/)Chart\.yaml$/, 'Helm chart'],
  [/(^|\/)(deploy|k8s|kubernetes|manifests)\/.*(deployment|statefulset|rollout|cronjob)[^/]*\.ya?ml$/i, 'Kubernetes workload manifest'],
];
const INFRA_FILES: [RegExp, string][] = [
  [/\.tf$/, 'Terraform'],
  [/(^|\/)terragrunt\.hcl$/, 'Terragrunt'],
  [/(^|\/)Pulumi\.ya?ml$/, 'Pulumi'],
  [/(^|\/)cdk\.json$/, 'AWS CDK'],
  [/(^|\/)(ansible\.cfg|playbook\.ya?ml)$/, 'Ansible'],
  [/(^|\/)kustomization\.ya?ml$/, 'Kustomize'],
  [/(^|\/)alertmanager[^/]*\.ya?ml$/i, 'Alertmanager configuration'],
  [/(^|\/)(prometheus|alerts?|rules)\/[^/]*\.ya?ml$|[-_.]rules\.ya?ml$/i, 'monitoring rules'],
  [/\.libsonnet$/, 'Jsonnet mixin'],
];
const DOCS_FILES = /(^|\/)(mkdocs\.ya?ml|docusaurus\.config\.[jt]s|antora\.yml|book\.toml|conf\.py)$/;

const CATALOG_TYPES: Record<string, RepoKind> = {
  service: 'service',
  website: 'service',
  api: 'service',
  'data-pipeline': 'service',
  library: 'library',
  sdk: 'library',
  resource: 'infrastructure',
  infrastructure: 'infrastructure',
  documentation: 'other',
  docs: 'other',
  template: 'other',
  other: 'other',
};

function readJson(snapshot: RepoSnapshot, path: string): Record<string, unknown> | undefined {
  const file = snapshot.read(path);
  if (!file.ok) return undefined;
  try {
    const value: unknown = JSON.parse(file.text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined; // A malformed manifest is another check's finding; here it is simply no evidence.
  }
}

function fromCatalog(snapshot: RepoSnapshot): RepoKindVerdict | undefined {
  for (const path of ['catalog-info.yaml', 'catalog-info.yml']) {
    const file = snapshot.read(path);
    if (!file.ok) continue;
    let docs: unknown[];
    try {
      docs = file.text.split(/^---\s*$/m).map((d) => parseYaml(d, { logLevel: 'error' }) as unknown);
    } catch {
      return undefined;
    }
    for (const doc of docs) {
      const entity = doc as { kind?: unknown; spec?: { type?: unknown; lifecycle?: unknown } } | null;
      if (entity?.kind !== 'Component' || typeof entity.spec?.type !== 'string') continue;
      const type = entity.spec.type.toLowerCase();
      // hasOwn: "constructor" and friends are not catalog types.
      if (!Object.hasOwn(CATALOG_TYPES, type)) continue;
      const lifecycle = typeof entity.spec.lifecycle === 'string' ? entity.spec.lifecycle : undefined;
      return { kind: CATALOG_TYPES[type]!, source: 'catalog-info', evidence: [`${path}: spec.type ${entity.spec.type}`], lifecycle };
    }
  }
  return undefined;
}

export function detectKind(snapshot: RepoSnapshot, override: RepoKind | undefined): RepoKindVerdict {
  if (override) return { kind: override, source: 'config', evidence: ['repoKinds in seaworthy.config.yaml'] };
  const catalog = fromCatalog(snapshot);
  if (catalog) return catalog;

  const service: string[] = [];
  const infra: string[] = [];
  const paths = snapshot.files.filter((f) => f.kind === 'file' && !IGNORED.test(f.path)).map((f) => f.path);
  for (const path of paths) {
    for (const [pattern, label] of SERVICE_FILES) if (pattern.test(path)) service.push(`${label} (${path})`);
    for (const [pattern, label] of INFRA_FILES) if (pattern.test(path)) infra.push(`${label} (${path})`);
  }
  const isWorkflow = picomatch('.github/workflows/*.{yml,yaml}');
  for (const path of paths.filter((p) => isWorkflow(p))) {
    const file = snapshot.read(path);
    if (file.ok && /\b(kubectl (apply|rollout)|helm (upgrade|install)|aws ecs update-service|gcloud run deploy|fly deploy|cf push|argocd app sync)\b/.test(file.text)) {
      service.push(`deploy step (${path})`);
    }
  }
  if (service.length > 0) return { kind: 'service', source: 'detected', evidence: service.slice(0, 5) };
  if (infra.length > 0) return { kind: 'infrastructure', source: 'detected', evidence: infra.slice(0, 5) };

  const library: string[] = [];
  const pkg = readJson(snapshot, 'package.json');
  if (pkg && pkg.private !== true && typeof pkg.name === 'string' && ('main' in pkg || 'exports' in pkg || 'module' in pkg || 'types' in pkg)) {
    library.push(`package.json publishes ${pkg.name}`);
  }
  const pyproject = snapshot.read('pyproject.toml');
  if (pyproject.ok && /^\[(project|tool\.poetry)\]/m.test(pyproject.text) && !/^\[project\.scripts\]/m.test(pyproject.text)) library.push('pyproject.toml package');
  const cargo = snapshot.read('Cargo.toml');
  if (cargo.ok && /^\[lib\]/m.test(cargo.text)) library.push('Cargo.toml [lib]');
  if (paths.some((p) => /\.gemspec$/.test(p))) library.push('gemspec');
  if (library.length > 0) return { kind: 'library', source: 'detected', evidence: library };

  const docs = paths.filter((p) => DOCS_FILES.test(p));
  if (docs.length > 0) return { kind: 'other', source: 'detected', evidence: docs.map((d) => `documentation site (${d})`) };
  return { kind: 'other', source: 'detected', evidence: ['no deployment, infrastructure or package evidence found'] };
}
