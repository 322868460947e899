// What a repository is decides which checks apply: a library has no on-call, a docs site has no rollback.
//
// Evidence is weighed, not just found: an application (code built into an image, a web framework)
// makes a service even beside its Terraform; live infrastructure (Terraform roots with state,
// Terragrunt, helmfiles, GitOps applications, CloudFormation stacks, per-environment release values)
// makes infrastructure even beside a helper image or a Helm chart; configuration published for
// others (monitoring mixins, Jsonnet libraries, Helm chart libraries, Terraform modules with
// examples) and packages make a library; a lone image, chart or workload manifest still says service.
import picomatch from 'picomatch';
import { parse as parseYaml } from 'yaml';
import type { RepoKind, RepoKindVerdict, RepoSnapshot } from '../checks/contract.ts';

export const KIND_READS = [
  'catalog-info.{yaml,yml}',
  'package.json',
  'pyproject.toml',
  'Cargo.toml',
  '.github/workflows/*.{yml,yaml}',
  // Chart type (library or application).
  '**/Chart.yaml',
  // Where Terraform roots declare their state backend.
  '**/{main,backend,backends,terraform,providers,provider,versions,init,state,config}.tf',
  // helmfiles, CloudFormation templates and GitOps applications are told by their content; they sit near the top.
  '*.{yml,yaml}',
  '*/*.{yml,yaml}',
  '*/*/*.{yml,yaml}',
  '*/*/*/*.{yml,yaml}',
];

const IGNORED = /(^|\/)(node_modules|vendor|third_party|testdata|fixtures|examples?|\.devcontainer)\//i;
// Images and workloads for tests, local development and CI runners describe no production system.
const NOT_PRODUCTION = /(^|\/)(tests?|__tests__|e2e|cypress|dev|local|\.github|ci)\//i;
const DEV_IMAGE = /(^|\/)(Dockerfile|Containerfile)[.-](dev|devel|development|local|test|ci)$/i;
const IMAGE = /(^|\/)(Dockerfile|Containerfile)([.-][\w.-]+)?$/;
// A language's build manifest: an image built beside (or below) one is built from this repository's code.
const CODE_MANIFEST = /^(package\.json|go\.mod|pyproject\.toml|setup\.py|Pipfile|requirements[\w.-]*\.txt|Gemfile|pom\.xml|build\.gradle(\.kts)?|mix\.exs|composer\.json|Cargo\.toml|[^/]+\.(csproj|fsproj|sln)|deno\.json|build\.sbt|deps\.edn|project\.clj)$/i;

const APPLICATIONS: [RegExp, string][] = [
  [/(^|\/)manage\.py$/, 'Django application'],
  [/(^|\/)config\/application\.rb$/, 'Rails application'],
  [/(^|\/)artisan$/, 'Laravel application'],
  [/(^|\/)lib\/[^/]+_web\/endpoint\.ex$/, 'Phoenix application'],
  [/(^|\/)src\/main\/resources\/application(-[\w-]+)?\.(ya?ml|properties)$/, 'Spring Boot application'],
  [/(^|\/)appsettings\.json$/, 'ASP.NET application'],
  [/^Procfile$/, 'Procfile'],
];
const SERVICE_FILES: [RegExp, string][] = [
  [/(^|\/)Procfile$/, 'Procfile'],
  [/(^|\/)(app\.ya?ml|fly\.toml|serverless\.ya?ml|skaffold\.ya?ml|render\.yaml|vercel\.json|netlify\.toml)$/, 'deploy configuration'],
  [/(^|\/)(deploy|k8s|kubernetes|manifests)\/.*(deployment|statefulset|rollout|cronjob)[^/]*\.ya?ml$/i, 'Kubernetes workload manifest'],
];
const LIVE_FILES: [RegExp, string][] = [
  [/\.tfvars(\.json)?$/, 'Terraform variables per deployment'],
  [/(^|\/)terragrunt\.hcl$/, 'Terragrunt'],
  [/(^|\/)\.terraform\.lock\.hcl$/, 'Terraform root with a provider lock file'],
  [/\.tfbackend$/, 'Terraform backend configuration'],
  [/(^|\/)Pulumi\.ya?ml$/, 'Pulumi'],
  [/(^|\/)cdk\.json$/, 'AWS CDK'],
  [/(^|\/)(ansible\.cfg|playbook\.ya?ml|site\.ya?ml)$/, 'Ansible'],
  [/(^|\/)helmfile[^/]*\.(ya?ml|gotmpl)(\.gotmpl)?$|(^|\/)helmfile\.d\//, 'helmfile'],
  [/(^|\/)flux-system\//, 'Flux'],
  [/(^|\/)overlays\/[^/]+\/kustomization\.ya?ml$/, 'Kustomize overlay per environment'],
  [/(^|\/)values[-_.](prod|production|staging|stage|stg|dev|development|integration|test|qa|uat|preprod|sandbox|sbox|live)\.ya?ml$/i, 'Helm values per environment'],
  [/(^|\/)(cloudformation|cfn)\/.+\.(ya?ml|json|template)$/i, 'CloudFormation templates'],
];
const INFRA_FILES: [RegExp, string][] = [
  [/\.tf$/, 'Terraform'],
  [/(^|\/)kustomization\.ya?ml$/, 'Kustomize'],
  [/(^|\/)alertmanager[^/]*\.ya?ml$/i, 'Alertmanager configuration'],
  [/(^|\/)(prometheus|alerts?|rules)\/[^/]*\.ya?ml$|[-_.]rules\.ya?ml$/i, 'monitoring rules'],
  [/\.(libsonnet|jsonnet)$/, 'Jsonnet'],
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

const dirOf = (path: string): string => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');
/** The directory and each of its ancestors, the root ('') last. */
function ancestry(dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; ; d = dirOf(d)) {
    out.push(d);
    if (d === '') return out;
  }
}

/** The first bytes of a file that was read, or undefined. */
function head(snapshot: RepoSnapshot, path: string, bytes = 16_384): string | undefined {
  const file = snapshot.read(path);
  return file.ok ? file.text.slice(0, bytes) : undefined;
}

const BACKEND = /^\s*(backend\s+"[^"]+"|cloud)\s*\{/m;
const HELMFILE_CONTENT = /^helmDefaults:/m;
const HELMFILE_RELEASES = /^releases:/m;
const HELMFILE_REPOSITORIES = /^repositories:/m;
const ARGO_APP = /^kind:\s*['"]?(Application|ApplicationSet)['"]?\s*$/m;
const ARGO_API = /^apiVersion:\s*['"]?argoproj\.io\//m;
const FLUX_API = /^apiVersion:\s*['"]?(kustomize|helm|source)\.toolkit\.fluxcd\.io\//m;
const CFN = /^AWSTemplateFormatVersion:|^Transform:\s*['"]?AWS::Serverless/m;
const CHART_PUBLISHING = /helm\/chart-releaser-action|\bcr\s+upload\b|\bhelm\s+push\b|\bhelm\s+cm-push\b/;

interface Evidence {
  application: string[];
  live: string[];
  library: string[];
  service: string[];
  infra: string[];
}

function gather(snapshot: RepoSnapshot): Evidence {
  const ev: Evidence = { application: [], live: [], library: [], service: [], infra: [] };
  const all = snapshot.files.filter((f) => f.kind === 'file').map((f) => f.path);
  const paths = all.filter((p) => !IGNORED.test(p));
  const dirs = new Set(paths.map(dirOf));
  const codeDirs = new Set(paths.filter((p) => CODE_MANIFEST.test(p.split('/').pop() ?? '')).map(dirOf));
  const terraformDirs = new Set(paths.filter((p) => p.endsWith('.tf')).map(dirOf));

  for (const path of paths) {
    for (const [pattern, label] of APPLICATIONS) if (pattern.test(path)) ev.application.push(`${label} (${path})`);
    for (const [pattern, label] of SERVICE_FILES) if (pattern.test(path)) ev.service.push(`${label} (${path})`);
    // A workflow named after the tool it runs (helmfile-apply.yml) is not that tool's configuration.
    if (!path.startsWith('.github/')) for (const [pattern, label] of LIVE_FILES) if (pattern.test(path)) ev.live.push(`${label} (${path})`);
    for (const [pattern, label] of INFRA_FILES) if (pattern.test(path)) ev.infra.push(`${label} (${path})`);

    if (IMAGE.test(path) && !NOT_PRODUCTION.test(path) && !DEV_IMAGE.test(path)) {
      const up = ancestry(dirOf(path));
      // An image built inside a Terraform module (a Lambda or a sidecar the module ships) belongs to that infrastructure.
      if (up.some((d) => terraformDirs.has(d))) ev.infra.push(`image built by Terraform (${path})`);
      else if (up.some((d) => codeDirs.has(d))) ev.application.push(`container image (${path})`);
      else ev.service.push(`container image (${path})`);
    }

    if (/(^|\/)Chart\.yaml$/.test(path)) {
      const text = head(snapshot, path);
      if (text !== undefined && /^type:\s*['"]?library['"]?\s*$/m.test(text)) ev.library.push(`Helm library chart (${path})`);
      else ev.service.push(`Helm chart (${path})`);
    }
    if (path.endsWith('.tf')) {
      const text = head(snapshot, path, 65_536);
      if (text !== undefined && BACKEND.test(text)) ev.live.push(`Terraform root with a state backend (${path})`);
    }
    if (/\.ya?ml$/i.test(path)) {
      const text = head(snapshot, path);
      if (text === undefined) continue;
      if (HELMFILE_CONTENT.test(text) || (HELMFILE_RELEASES.test(text) && HELMFILE_REPOSITORIES.test(text))) ev.live.push(`helmfile (${path})`);
      else if (ARGO_API.test(text) && ARGO_APP.test(text)) ev.live.push(`Argo CD application (${path})`);
      else if (FLUX_API.test(text)) ev.live.push(`Flux (${path})`);
      else if (CFN.test(text)) ev.live.push(`CloudFormation template (${path})`);
    }
  }

  // Sceptre: stack configuration in config/ beside CloudFormation templates in templates/.
  for (const path of paths.filter((p) => /(^|\/)config\/config\.yaml$/.test(p))) {
    const base = path.slice(0, -'config/config.yaml'.length);
    if (dirs.has(`${base}templates`)) ev.live.push(`Sceptre project (${path})`);
  }

  // Jsonnet published for others: jsonnet-bundler's jsonnetfile.json at the root, without Tanka environments.
  const tanka = paths.some((p) => /(^|\/)spec\.json$/.test(p) && /(^|\/)environments\//.test(p));
  const mixins = paths.filter((p) => /(^|\/)mixin\.libsonnet$/.test(p));
  if (!tanka && mixins.length > 0) ev.library.push(...mixins.map((p) => `monitoring mixin (${p})`));
  else if (!tanka && paths.includes('jsonnetfile.json') && paths.some((p) => p.endsWith('.libsonnet'))) ev.library.push('Jsonnet library (jsonnetfile.json)');

  // Helm charts released to a chart repository from this one.
  const isWorkflow = picomatch('.github/workflows/*.{yml,yaml}');
  const workflows = paths.filter((p) => isWorkflow(p));
  for (const path of workflows) {
    const text = head(snapshot, path, 200_000);
    if (text === undefined) continue;
    if (/\b(kubectl (apply|rollout)|helm (upgrade|install)|aws ecs update-service|gcloud run deploy|fly deploy|cf push|argocd app sync)\b/.test(text)) ev.service.push(`deploy step (${path})`);
    if (CHART_PUBLISHING.test(text) && paths.some((p) => /(^|\/)Chart\.yaml$/.test(p))) ev.library.push(`Helm charts published (${path})`);
  }

  // A Terraform module published for others: Terraform at the root, examples of its use, no state of its own.
  const exampleTf = all.some((p) => /^examples?\/.+\.tf$/.test(p));
  if (exampleTf && terraformDirs.has('') && ev.live.length === 0) ev.library.push('Terraform module with examples (examples/)');

  const pkg = readJson(snapshot, 'package.json');
  if (pkg && pkg.private !== true && typeof pkg.name === 'string' && ('main' in pkg || 'exports' in pkg || 'module' in pkg || 'types' in pkg)) {
    ev.library.push(`package.json publishes ${pkg.name}`);
  }
  const pyproject = snapshot.read('pyproject.toml');
  if (pyproject.ok && /^\[(project|tool\.poetry)\]/m.test(pyproject.text) && !/^\[project\.scripts\]/m.test(pyproject.text)) ev.library.push('pyproject.toml package');
  const cargo = snapshot.read('Cargo.toml');
  if (cargo.ok && /^\[lib\]/m.test(cargo.text)) ev.library.push('Cargo.toml [lib]');
  if (paths.some((p) => /\.gemspec$/.test(p))) ev.library.push('gemspec');
  return ev;
}

export function detectKind(snapshot: RepoSnapshot, override: RepoKind | undefined): RepoKindVerdict {
  if (override) return { kind: override, source: 'config', evidence: ['repoKinds in seaworthy.config.yaml'] };
  const catalog = fromCatalog(snapshot);
  if (catalog) return catalog;

  const ev = gather(snapshot);
  const detected = (kind: RepoKind, evidence: string[]): RepoKindVerdict => ({ kind, source: 'detected', evidence: [...new Set(evidence)].slice(0, 5) });
  // An application built here is run by its owners, whatever infrastructure sits beside it.
  if (ev.application.length > 0) return detected('service', [...ev.application, ...ev.service]);
  // Live infrastructure: a helper image or a chart beside it does not make it a service.
  if (ev.live.length > 0) return detected('infrastructure', ev.live);
  // Configuration or code published for others.
  if (ev.library.length > 0) return detected('library', ev.library);
  if (ev.service.length > 0) return detected('service', ev.service);
  if (ev.infra.length > 0) return detected('infrastructure', ev.infra);

  const docs = snapshot.files.filter((f) => f.kind === 'file' && !IGNORED.test(f.path) && DOCS_FILES.test(f.path)).map((f) => f.path);
  if (docs.length > 0) return detected('other', docs.map((d) => `documentation site (${d})`));
  return detected('other', ['no deployment, infrastructure or package evidence found']);
}
