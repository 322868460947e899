// Kubernetes workloads: cost tools (OpenCost, Kubecost, GKE cost allocation) attribute the cost of
// pods by the pods' labels, so what counts is the pod template's labels. Labels only on the workload's
// own metadata are not copied to its pods and do not count (a finding says so).
import { asRecord, dirOf, guarded, joinPath, keysOf, type Item, type Scan } from './model.ts';
import type { ParsedFile } from './cloudformation.ts';

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

export interface KubernetesInput {
  manifests: ParsedFile[];
  /** Helm charts: directory → Chart.yaml name, values.yaml (if any), and whether templates hold workloads. */
  charts: { dir: string; name: string; chartPath: string; values?: ParsedFile; workloads: boolean; templated: string[] }[];
}

interface Kustomization {
  dir: string;
  path: string;
  /** Labels it puts on the pod templates of everything it builds. */
  labels: Record<string, unknown>;
  /** `resources` (and the older `bases`) entries, resolved against its directory. */
  resources: string[];
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
  // `labels:` entries reach pod templates only with includeTemplates: true.
  if (Array.isArray(top.labels)) for (const l of top.labels) if (asRecord(l)?.includeTemplates === true) Object.assign(labels, asRecord(asRecord(l)!.pairs) ?? {});
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
  return { dir, path, labels, resources };
}

export function scanKubernetes(input: KubernetesInput, scan: Scan): void {
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
  const kustomized = kustomizeContexts(kustomizations);

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

  for (const f of input.manifests) guarded(scan.findings, f.path, undefined, () => {
    for (const doc of f.docs) {
      const top = asRecord(doc.value);
      if (!top || typeof top.kind !== 'string' || typeof top.apiVersion !== 'string' || !WORKLOAD_KINDS.includes(top.kind)) continue;
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

  for (const chart of input.charts) {
    if (chart.templated.length > 0) {
      scan.findings.push({ rule: 'helm-templates-not-rendered', severity: 'info', path: chart.templated[0], line: 1, message: `Helm chart ${chart.name}: ${chart.templated.length} template${chart.templated.length > 1 ? 's' : ''} under ${chart.dir ? chart.dir + '/' : ''}templates/ ${chart.templated.length > 1 ? 'are' : 'is'} not rendered, so ${chart.templated.length > 1 ? 'they are' : 'it is'} not read; the chart is judged by the labels in its values.yaml` });
    }
    if (!chart.workloads) continue;
    const keys = new Map<string, { empty: boolean }>();
    const where: string[] = [];
    let line = 1;
    const values = asRecord(chart.values?.docs[0]?.value);
    if (values && chart.values) {
      const sections: [string[], Record<string, unknown>][] = [[[], values]];
      const global = asRecord(values.global);
      if (global) sections.push([['global'], global]);
      for (const [k, v] of Object.entries(values)) if (k !== 'global' && asRecord(v)) sections.push([[k], asRecord(v)!]);
      for (const [prefix, section] of sections) {
        for (const labelKey of VALUES_LABEL_KEYS) {
          const map = asRecord(section[labelKey]);
          if (!map) continue;
          for (const [k, v] of keysOf(map)) keys.set(k, v);
          const path = [...prefix, labelKey];
          if (where.length === 0) line = chart.values.docs[0]!.keyLineOf(path);
          where.push(path.join('.'));
        }
      }
    }
    scan.items.push({
      platform: 'helm',
      type: 'Helm chart',
      name: chart.name,
      path: chart.values?.path ?? chart.chartPath,
      line,
      keys,
      // A chart may write labels straight into its templates, which are not rendered here.
      open: 'labels written into the chart\'s templates are not seen, as templates are not rendered',
      inherited: where.length > 0 ? [`values.yaml ${where.join(', ')}`] : [],
      identity: `chart:${chart.dir}`,
    });
  }
}
