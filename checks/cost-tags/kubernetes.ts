// Kubernetes workloads: cost tools (OpenCost, Kubecost, GKE cost allocation) attribute the cost of
// pods by the pods' labels, so what counts is the pod template's labels. Labels only on the workload's
// own metadata are not copied to its pods and do not count (a finding says so).
import { asRecord, dirOf, guarded, joinPath, keysOf, type Item, type Scan } from './model.ts';
import type { ParsedFile } from './cloudformation.ts';
import { intentOf, isIdentityKey, normaliseKey } from './keys.ts';
import { hasJinja, stripJinja } from './jinja.ts';
import { parseDocs } from './yamldoc.ts';

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Rollout', 'ReplicaSet'];

function workloadKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}\u0000${namespace ?? ''}\u0000${name}`;
}

/** Path of the pod template's labels inside a workload. */
function podLabelsPath(kind: string): string[] {
  return kind === 'CronJob' ? ['spec', 'jobTemplate', 'spec', 'template', 'metadata', 'labels'] : ['spec', 'template', 'metadata', 'labels'];
}

function getIn(value: unknown, path: readonly string[]): unknown {
  let v = value;
  for (const p of path) v = asRecord(v)?.[p];
  return v;
}

/** Label maps in a chart's values.yaml that charts conventionally copy onto pods. */
const VALUES_LABEL_KEYS = ['podLabels', 'commonLabels', 'labels', 'extraLabels', 'additionalLabels', 'customLabels', 'extraPodLabels', 'podExtraLabels'];

/** Label maps of a values object (top level, `global`, or one level down): keys found, and where. */
function valuesLabels(values: Record<string, unknown>, into: Map<string, { empty: boolean }>): string[] {
  const where: string[] = [];
  const sections: [string[], Record<string, unknown>][] = [[[], values]];
  for (const [k, v] of Object.entries(values)) if (asRecord(v)) sections.push([[k], asRecord(v)!]);
  for (const [prefix, section] of sections) {
    for (const labelKey of VALUES_LABEL_KEYS) {
      const map = asRecord(section[labelKey]);
      if (!map) continue;
      for (const [k, v] of keysOf(map)) into.set(k, v);
      where.push([...prefix, labelKey].join('.'));
    }
  }
  return where;
}

/**
 * Cloud resources managed from Kubernetes by an operator: Azure Service Operator, AWS Controllers for
 * Kubernetes, Google Config Connector, Crossplane. Where their tags are, and which kinds cost money.
 */
const OPERATOR_API = /(^|\.)(azure\.com|services\.k8s\.aws|cnrm\.cloud\.google\.com|upbound\.io|crossplane\.io)\//;
const OPERATOR_COST_KINDS = new Set([
  'FlexibleServer', 'Server', 'DatabaseAccount', 'StorageAccount', 'Redis', 'RedisEnterprise', 'ManagedCluster', 'ManagedClustersAgentPool', 'VirtualMachine',
  'VirtualMachineScaleSet', 'Workspace', 'Registry', 'PublicIPAddress', 'LoadBalancer', 'ApplicationGateway', 'NatGateway', 'DBInstance', 'DBCluster', 'Bucket',
  'Table', 'Queue', 'Topic', 'Function', 'Cluster', 'Instance', 'CacheCluster', 'ReplicationGroup', 'Repository', 'ContainerCluster', 'ContainerNodePool',
  'SQLInstance', 'StorageBucket', 'ComputeInstance', 'RedisInstance', 'PubSubTopic', 'BigQueryDataset', 'Vault', 'Domain', 'Stream', 'FileSystem',
]);
/** Messaging namespaces (Service Bus, Event Hubs) are cost-bearing; the Kubernetes Namespace is not. */
const isOperatorCost = (kind: string, apiVersion: string): boolean => OPERATOR_COST_KINDS.has(kind) || (kind === 'Namespace' && /(servicebus|eventhub)/.test(apiVersion));

function operatorTags(top: Record<string, unknown>): { tags: unknown; at: string[] } {
  const spec = asRecord(top.spec);
  if (/cnrm\.cloud\.google\.com/.test(String(top.apiVersion))) return { tags: asRecord(top.metadata)?.labels, at: ['metadata', 'labels'] };
  const forProvider = asRecord(spec?.forProvider);
  if (forProvider && (forProvider.tags !== undefined || forProvider.labels !== undefined)) return { tags: forProvider.tags ?? forProvider.labels, at: ['spec', 'forProvider', forProvider.tags !== undefined ? 'tags' : 'labels'] };
  return { tags: spec?.tags, at: ['spec', 'tags'] };
}

/** Tags as a map, or as a list of {key, value} (AWS controllers). */
function tagMap(tags: unknown): Record<string, unknown> | undefined {
  if (Array.isArray(tags)) {
    const out: Record<string, unknown> = {};
    for (const t of tags) {
      const r = asRecord(t);
      const k = r?.key ?? r?.Key;
      if (typeof k === 'string') out[k] = r?.value ?? r?.Value;
    }
    return out;
  }
  return asRecord(tags);
}

export interface KubernetesInput {
  manifests: ParsedFile[];
  /** Text of a file of the repository (values files a helmfile names), when it was read. */
  read?: (path: string) => string | undefined;
  /** Helm charts: directory → Chart.yaml name, values.yaml (if any), and whether templates hold workloads. */
  charts: Chart[];
}

export interface Chart {
  dir: string;
  name: string;
  chartPath: string;
  values?: ParsedFile;
  /** Other values files in the chart's directory (values-production.yaml …). */
  extraValues: ParsedFile[];
  workloads: boolean;
  templated: string[];
  /** Label keys its templates write (from their text: the templates are not rendered). */
  templateKeys: Set<string>;
  /** Its templates copy a label map from values (`.Values.podLabels`), which installers may fill. */
  valuesDriven: boolean;
  /** Charts it depends on (names or aliases): a workload may come from one of them. */
  dependencies: string[];
}

/** Keys a template writes as labels, from its text: prefixed label keys and attribution-looking ones. */
const TEMPLATE_KEY = /^[ \t-]*["']?([A-Za-z0-9][\w.-]*\/[\w.-]+|[A-Za-z][\w.-]*)["']?[ \t]*:[ \t]*(.*)$/gm;

export function readChartTemplate(chart: Chart, text: string): void {
  for (const m of text.matchAll(TEMPLATE_KEY)) {
    const key = m[1]!;
    const n = normaliseKey(key, 'label');
    // `name:` and `component:` are everywhere in a manifest; as prefixed label keys they are labels.
    if (n === 'app' || intentOf(n) !== undefined || (key.includes('/') && isIdentityKey(n))) chart.templateKeys.add(key);
  }
  if (/\.Values\.[\w.]*(labels|Labels)\b/.test(text)) chart.valuesDriven = true;
}

interface Kustomization {
  dir: string;
  path: string;
  /** Labels it puts on the pod templates of everything it builds. */
  labels: Record<string, unknown>;
  /** `resources` (and the older `bases`) entries, resolved against its directory. */
  resources: string[];
  /** Files it applies as patches: they change resources declared elsewhere and declare none. */
  patches: string[];
}

const KUSTOMIZATION = /(^|\/)kustomization\.ya?ml$/i;

/**
 * Kustomize labels reach exactly the manifests a kustomization builds: the files its `resources`
 * list names, and everything the kustomizations in the directories it names build, recursively.
 * A manifest is judged once per top-level kustomization that builds it (one nothing else includes),
 * with the labels of every kustomization on the way; a manifest none builds gets no Kustomize labels.
 */
function kustomizeContexts(kustomizations: Map<string, Kustomization>): Map<string, { root: Kustomization; chain: Kustomization[] }[]> {
  const byDir = new Map<string, Kustomization>();
  for (const k of kustomizations.values()) if (!byDir.has(k.dir)) byDir.set(k.dir, k);
  const included = new Set<Kustomization>();
  for (const k of kustomizations.values()) for (const r of k.resources) if (byDir.has(r) && byDir.get(r) !== k) included.add(byDir.get(r)!);
  const out = new Map<string, { root: Kustomization; chain: Kustomization[] }[]>();
  for (const root of kustomizations.values()) {
    if (included.has(root)) continue;
    // Depth-first through directories, without revisiting a kustomization (a cycle, or a base included twice).
    const seen = new Set<Kustomization>([root]);
    const todo: Kustomization[][] = [[root]];
    while (todo.length > 0) {
      const chain = todo.pop()!;
      const k = chain[chain.length - 1]!;
      for (const r of k.resources) {
        const sub = byDir.get(r);
        if (sub) {
          if (!seen.has(sub)) {
            seen.add(sub);
            todo.push([...chain, sub]);
          }
          continue;
        }
        const contexts = out.get(r) ?? [];
        if (!contexts.some((c) => c.root === root)) contexts.push({ root, chain });
        out.set(r, contexts);
      }
    }
  }
  return out;
}

function readKustomization(path: string, top: Record<string, unknown>): Kustomization {
  const dir = dirOf(path);
  const labels: Record<string, unknown> = { ...(asRecord(top.commonLabels) ?? {}) };
  // `labels:` entries reach pod templates with includeTemplates: true (includeSelectors: true implies it).
  if (Array.isArray(top.labels)) for (const l of top.labels) if (asRecord(l)?.includeTemplates === true || asRecord(l)?.includeSelectors === true) Object.assign(labels, asRecord(asRecord(l)!.pairs) ?? {});
  const patches: string[] = [];
  for (const list of [top.patchesStrategicMerge, top.patches, top.patchesJson6902]) {
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      const file = typeof entry === 'string' ? entry : asRecord(entry)?.path;
      // An inline patch (a YAML document written as a string) is not a file.
      if (typeof file !== 'string' || file.includes('\n')) continue;
      const target = joinPath(dir, file);
      if (target !== undefined) patches.push(target);
    }
  }
  const resources: string[] = [];
  for (const list of [top.resources, top.bases]) {
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      // Remote bases (URLs, github.com/…) are not in this repository.
      if (typeof entry !== 'string' || /^[a-z][\w+.-]*:\/\/|^(github\.com|gitlab\.com|bitbucket\.org)\//i.test(entry)) continue;
      const target = joinPath(dir, entry);
      if (target !== undefined) resources.push(target);
    }
  }
  return { dir, path, labels, resources, patches };
}

export function scanKubernetes(input: KubernetesInput, scan: Scan, excluded: (path: string) => string | undefined = () => undefined): void {
  const namespaces = new Map<string, { labels: Record<string, unknown>; where: string }>();
  const kustomizations = new Map<string, Kustomization>();
  for (const f of input.manifests) {
    guarded(scan.findings, f.path, undefined, () => {
      for (const doc of f.docs) {
        const top = asRecord(doc.value);
        if (!top) continue;
        const meta = asRecord(top.metadata);
        if (top.kind === 'Namespace' && typeof meta?.name === 'string') {
          const labels = asRecord(meta.labels);
          if (labels) namespaces.set(meta.name, { labels, where: `${f.path}:${doc.lineOf(['metadata', 'labels'])}` });
        }
        if (KUSTOMIZATION.test(f.path) && !kustomizations.has(f.path)) kustomizations.set(f.path, readKustomization(f.path, top));
      }
    });
  }
  // A kustomization under a non-production path (an overlay for a local cluster) builds nothing that counts.
  for (const [path] of kustomizations) if (excluded(path)) kustomizations.delete(path);
  const kustomized = kustomizeContexts(kustomizations);

  // Patches change workloads declared elsewhere; they are not workloads themselves.
  const patchFiles = new Set([...kustomizations.values()].flatMap((k) => k.patches));
  const generated = (f: ParsedFile) => /^(#[^\n]*\n){0,4}#[^\n]*(generated by|do not edit|code generated)/i.test(f.text.slice(0, 2000).replace(/^(\s*---[^\n]*\n)+/, '').trimStart());
  const skipped = new Map<string, string>();
  for (const f of input.manifests) {
    if (patchFiles.has(f.path)) skipped.set(f.path, 'a Kustomize patch: it changes a workload declared elsewhere');
    else if (generated(f)) skipped.set(f.path, 'generated (its header says so): its source is what the owners maintain');
  }

  // Workloads declared here, so a Rollout that takes over one of them (workloadRef) is not counted twice.
  const declared = new Set<string>();
  for (const f of input.manifests) {
    for (const doc of f.docs) {
      const top = asRecord(doc.value);
      const meta = asRecord(top?.metadata);
      if (top && typeof top.kind === 'string' && WORKLOAD_KINDS.includes(top.kind) && typeof meta?.name === 'string') {
        declared.add(workloadKey(top.kind, typeof meta.namespace === 'string' ? meta.namespace : undefined, meta.name));
      }
    }
  }

  const skippedWorkloads = new Map<string, number>();
  for (const f of input.manifests) guarded(scan.findings, f.path, undefined, () => {
    for (const doc of f.docs) {
      const top = asRecord(doc.value);
      if (!top || typeof top.kind !== 'string' || typeof top.apiVersion !== 'string' || !WORKLOAD_KINDS.includes(top.kind)) continue;
      const why = skipped.get(f.path);
      if (why) {
        skippedWorkloads.set(why, (skippedWorkloads.get(why) ?? 0) + 1);
        continue;
      }
      const workloadRef = top.kind === 'Rollout' ? asRecord(asRecord(top.spec)?.workloadRef) : undefined;
      const refNamespace = typeof asRecord(top.metadata)?.namespace === 'string' ? (asRecord(top.metadata)!.namespace as string) : undefined;
      // Its pods are the referenced workload's pods, judged where that workload is declared.
      if (workloadRef && typeof workloadRef.kind === 'string' && typeof workloadRef.name === 'string' && declared.has(workloadKey(workloadRef.kind, refNamespace, workloadRef.name))) continue;
      const meta = asRecord(top.metadata) ?? {};
      const name = typeof meta.name === 'string' ? meta.name : '(unnamed)';
      const namespace = typeof meta.namespace === 'string' ? meta.namespace : undefined;
      const podPath = podLabelsPath(top.kind);
      const pod = getIn(top, podPath);
      const line = doc.keyLineOf(['kind']);
      let open: string | undefined;
      if (workloadRef) {
        const refKind = typeof workloadRef.kind === 'string' ? workloadRef.kind : 'the workload';
        const refName = typeof workloadRef.name === 'string' ? ` ${workloadRef.name}` : '';
        open = `the pod template comes from ${refKind}${refName} (workloadRef), which is not declared in this repository`;
      } else if (pod !== undefined && !asRecord(pod)) open = 'the pod template labels are not a map';
      // One item per top-level kustomization that builds the file (judged by the worst), or one without.
      const contexts = kustomized.get(f.path) ?? [undefined];
      for (const ctx of contexts) {
        const keys = keysOf(asRecord(pod) ?? {});
        const inherited: string[] = [];
        for (const k of ctx?.chain ?? []) {
          if (Object.keys(k.labels).length === 0) continue;
          for (const [key, v] of keysOf(k.labels)) if (!keys.has(key)) keys.set(key, v);
          inherited.push(`labels of ${k.path}`);
        }
        const ns = namespace ? namespaces.get(namespace) : undefined;
        if (ns) {
          for (const [key, v] of keysOf(ns.labels)) if (!keys.has(key)) keys.set(key, v);
          inherited.push(`labels of Namespace ${namespace} (${ns.where})`);
        }
        // Labels on the workload itself that its pods do not get: named in the finding if it fails.
        const metaOnly = Object.keys(asRecord(meta.labels) ?? {}).filter((k) => !keys.has(k));
        const item: Item = {
          platform: 'kubernetes',
          type: top.kind,
          name: namespace ? `${namespace}/${name}` : name,
          path: f.path,
          line,
          keys,
          open,
          inherited,
          context: ctx && contexts.length > 1 ? `as built by ${ctx.root.path}` : undefined,
          note: metaOnly.length > 0 ? `${metaOnly.join(', ')} ${metaOnly.length > 1 ? 'are' : 'is'} on the ${top.kind}'s own metadata, which its pods do not get: cost tools read pod labels` : undefined,
          identity: `${f.path}:${line}:${top.kind}/${name}`,
        };
        scan.items.push(item);
      }
    }
  });

  // Helm releases deployed from here: helmfile releases, Flux HelmReleases, Argo CD Applications of a
  // chart. Each is a workload whose labels its chart writes (not visible here) plus those its values set.
  const release = (name: string, chart: string, path: string, line: number, namespace: string | undefined, values: Record<string, unknown>[], files: string[], identity: string) => {
    const keys = new Map<string, { empty: boolean }>();
    const where: string[] = [];
    for (const v of values) for (const w of valuesLabels(v, keys)) where.push(`values ${w}`);
    for (const file of files) {
      const text = input.read?.(file);
      const parsed = text ? parseDocs(hasJinja(text) ? stripJinja(text) : text) : undefined;
      const top = parsed?.ok ? asRecord(parsed.docs[0]?.value) : undefined;
      if (top) for (const w of valuesLabels(top, keys)) where.push(`${file} ${w}`);
    }
    const ns = namespace ? namespaces.get(namespace) : undefined;
    if (ns) {
      for (const [k, v] of keysOf(ns.labels)) if (!keys.has(k)) keys.set(k, v);
      where.push(`labels of Namespace ${namespace} (${ns.where})`);
    }
    scan.items.push({ platform: 'helm', type: 'Helm release', name, path, line, keys, open: `labels the chart ${chart} writes are not visible here`, inherited: where, identity });
  };
  for (const f of input.manifests) guarded(scan.findings, f.path, undefined, () => {
    if (skipped.has(f.path) || excluded(f.path)) return;
    for (const [i, doc] of f.docs.entries()) {
      const top = asRecord(doc.value);
      if (!top) continue;
      const meta = asRecord(top.metadata) ?? {};
      const apiVersion = typeof top.apiVersion === 'string' ? top.apiVersion : '';
      const name = typeof meta.name === 'string' ? meta.name : '(unnamed)';
      const namespace = typeof meta.namespace === 'string' ? meta.namespace : undefined;
      if (top.kind === 'HelmRelease' && /fluxcd\.io/.test(apiVersion)) {
        const chart = asRecord(asRecord(asRecord(top.spec)?.chart)?.spec)?.chart;
        // Without a chart (or a chartRef) it is a patch of a release declared elsewhere.
        if (typeof chart !== 'string' && !asRecord(top.spec)?.chartRef) continue;
        release(name, typeof chart === 'string' ? chart : 'it installs', f.path, doc.keyLineOf(['kind']), asRecord(top.spec)?.targetNamespace as string ?? namespace, [asRecord(asRecord(top.spec)?.values) ?? {}], [], `${f.path}:${i}:HelmRelease/${name}`);
      } else if (top.kind === 'Application' && /argoproj\.io/.test(apiVersion)) {
        const spec = asRecord(top.spec) ?? {};
        const sources = [asRecord(spec.source), ...(Array.isArray(spec.sources) ? spec.sources.map(asRecord) : [])].filter((x): x is Record<string, unknown> => !!x);
        const helmSource = sources.find((src) => typeof src.chart === 'string');
        if (!helmSource) continue; // a path in a repository: its manifests or chart are judged where they are
        const helm = asRecord(helmSource.helm) ?? {};
        const inline = typeof helm.values === 'string' ? parseDocs(helm.values, false) : undefined;
        const values = [asRecord(helm.valuesObject) ?? {}, ...(inline?.ok ? [asRecord(inline.docs[0]?.value) ?? {}] : [])];
        const dest = asRecord(spec.destination)?.namespace;
        release(name, helmSource.chart as string, f.path, doc.keyLineOf(['kind']), typeof dest === 'string' ? dest : undefined, values, [], `${f.path}:${i}:Application/${name}`);
      } else if (!top.kind && Array.isArray(top.releases)) {
        // A helmfile: releases of charts, with values files relative to it.
        for (const [j, r] of top.releases.entries()) {
          const rel = asRecord(r);
          if (!rel || typeof rel.chart !== 'string' || typeof rel.name !== 'string') continue;
          if (rel.installed === false) continue;
          const vals = Array.isArray(rel.values) ? rel.values : [];
          const inline = vals.map(asRecord).filter((x): x is Record<string, unknown> => !!x);
          const files = vals.filter((v): v is string => typeof v === 'string' && !v.includes('\u27e6')).map((v) => joinPath(dirOf(f.path), v)).filter((v): v is string => v !== undefined);
          release(rel.name, rel.chart, f.path, doc.lineOf(['releases', j, 'name']), typeof rel.namespace === 'string' ? rel.namespace : undefined, inline, files, `${f.path}:${i}:release/${j}`);
        }
      } else if (OPERATOR_API.test(apiVersion) && typeof top.kind === 'string') {
        // A cloud resource managed by an operator: judged by its cloud tags, like Terraform's.
        const { tags, at } = operatorTags(top);
        const map = tagMap(tags);
        const counted = isOperatorCost(top.kind, apiVersion);
        if (!counted && map === undefined) continue;
        scan.items.push({
          platform: 'operator',
          type: top.kind,
          name: namespace ? `${namespace}/${name}` : name,
          path: f.path,
          line: doc.keyLineOf(['kind']),
          keys: keysOf(map ?? {}),
          open: tags !== undefined && map === undefined ? 'the tags are not a map' : undefined,
          inherited: [],
          identity: `${f.path}:${i}:${top.kind}/${name}`,
          uncounted: counted ? undefined : `${top.kind} is not in the list of cost-bearing kinds`,
          note: map === undefined ? undefined : `tags at ${at.join('.')}`,
        });
      }
    }
  });

  for (const [why, n] of skippedWorkloads) scan.findings.push({ rule: 'not-counted', severity: 'info', message: `${n} Kubernetes workload${n > 1 ? 's' : ''} not counted: ${why}` });

  for (const chart of input.charts) {
    if (chart.templated.length > 0) {
      scan.findings.push({ rule: 'helm-templates-not-rendered', severity: 'info', path: chart.templated[0], line: 1, message: `Helm chart ${chart.name}: ${chart.templated.length} template${chart.templated.length > 1 ? 's' : ''} under ${chart.dir ? chart.dir + '/' : ''}templates/ ${chart.templated.length > 1 ? 'are' : 'is'} not rendered; the chart is judged by the label keys its templates write (read from their text) and the labels in its values files` });
    }
    const values = asRecord(chart.values?.docs[0]?.value);
    // A chart without workload templates may deploy one through a dependency it configures (a
    // `generic-service:` section with an image).
    const viaDependency = chart.dependencies.filter((d) => {
      const section = asRecord(values?.[d]);
      return !!section && ['image', 'replicaCount', 'containerPort', 'ports', 'resources'].some((k) => k in section);
    });
    if (!chart.workloads && viaDependency.length === 0) continue;
    const keys = new Map<string, { empty: boolean }>();
    const where: string[] = [];
    let line = 1;
    for (const file of [chart.values, ...chart.extraValues]) {
      const top = asRecord(file?.docs[0]?.value);
      if (!top || !file) continue;
      const found = valuesLabels(top, keys);
      if (where.length === 0 && found.length > 0 && file === chart.values) line = file.docs[0]!.keyLineOf(found[0]!.split('.'));
      for (const f of found) where.push(`${file.path.split('/').pop()} ${f}`);
    }
    for (const k of chart.templateKeys) if (!keys.has(k)) keys.set(k, { empty: false });
    // What the templates copy from values may be filled in where the chart is installed; what a
    // dependency writes is in that chart, not here.
    const open = viaDependency.length > 0 ? `labels written by the chart${viaDependency.length > 1 ? 's' : ''} it depends on (${viaDependency.join(', ')}) are not visible here` : chart.valuesDriven ? 'its templates copy labels from values, which may be set where the chart is installed' : undefined;
    scan.items.push({
      platform: 'helm',
      type: 'Helm chart',
      name: chart.name,
      path: chart.values?.path ?? chart.chartPath,
      line,
      keys,
      open,
      inherited: where.length > 0 ? [where.join(', ')] : [],
      identity: `chart:${chart.dir}`,
    });
  }
}
