// What is not the owners' cost-bearing production, decided before anything is counted: tests, CI,
// examples, demos and local clusters (by path, configurable), manifests a README runs on a local
// cluster, and Helm charts the repository publishes for others to install but never deploys itself.
import picomatch from 'picomatch';
import { dirOf, isWithin, joinPath } from './model.ts';

/** Paths that are not production, as globs (the `exclude` option's default). */
export const NON_PRODUCTION_PATHS = [
  '**/{test,tests,testing,__tests__,e2e,integration-tests,ci,example,examples,sample,samples,demo,demos,scripts,hack,dev-env,devenv,.devcontainer,kind,minikube,k3d,quickstart,playground,local-dev}/**',
  '**/*{-,_}{test,tests,e2e,example,examples,demo,sample}/**',
  '**/{test,tests,e2e,example,examples,demo,sample}{-,_}*/**',
  '**/*{kind,minikube,k3d}*{config,cluster}*.{yml,yaml}',
];

const LOCAL_CLUSTER = /\bminikube\b|\bkind\s+create\s+cluster\b|\bkind\s+load\b|\bk3d\b|\bmicrok8s\b|\bdocker[ -]desktop\b|\blocal (?:kubernetes|k8s) cluster\b/i;
const README = /(^|\/)readme(\.(md|markdown|rst|adoc|txt))?$/i;
/** CI that publishes Helm charts for others to install. */
const PUBLISHES_CHARTS = /\bhelm\s+package\b|\bhelm\s+push\b|chart-releaser|\bcr\s+(upload|package)\b|\bhelm\s+cm-push\b|\bhelm\s+s3\s+push\b/;
const CI_FILE = /(^|\/)(\.github\/workflows\/[^/]+\.ya?ml|\.gitlab-ci\.ya?ml|\.circleci\/config\.ya?ml|azure-pipelines?\.ya?ml|cloudbuild\.ya?ml|Jenkinsfile[^/]*)$/i;
/** Configuration that deploys charts from this repository: Argo CD, Flux, helmfile, `helm upgrade` in CI. */
const DEPLOYS_CHARTS = /argoproj\.io\/[^\n]*\n(?:[^\n]*\n){0,3}?kind:\s*Application(Set)?\b|kind:\s*Application(Set)?\b[^\n]*\n(?:[^\n]*\n){0,3}?[^\n]*argoproj\.io|kind:\s*HelmRelease\b|\bhelm\s+(upgrade|install)\b/;
const HELMFILE = /(^|\/)helmfile[^/]*\.ya?ml(\.gotmpl)?$|(^|\/)helmfile\.d\//i;

export interface ContextOptions {
  exclude: readonly string[];
  include: readonly string[];
}

export interface NonProduction {
  /** Why a path is not counted, or undefined when it is production as far as the repository shows. */
  reason(path: string): string | undefined;
}

/**
 * `paths`: every file of the repository; `text(path)`: its content when it was read (READMEs, CI files,
 * YAML); `chartDirs`: directories of Helm charts; `manifestDirs`: directories holding Kubernetes workloads.
 */
export function nonProduction(paths: readonly string[], text: (path: string) => string | undefined, chartDirs: readonly string[], o: ContextOptions): NonProduction {
  const included = o.include.length > 0 ? picomatch([...o.include], { nocase: true, dot: true }) : () => false;
  const excluders = o.exclude.map((g) => ({ glob: g, test: picomatch(g, { nocase: true, dot: true }) }));

  // Directories a README runs on a local cluster: those it names within 12 lines of a minikube/kind
  // mention (`cd app/kubernetes`, `./kubectl-startup.sh`, `k8s/local/`), matched by their last segments.
  const dirSet = new Set(paths.map(dirOf).filter((d) => d !== ''));
  const byBase = new Map<string, string[]>();
  for (const p of paths) {
    const b = p.slice(p.lastIndexOf('/') + 1);
    byBase.set(b, [...(byBase.get(b) ?? []), p]);
  }
  const dirsNamed = (ref: string, base: string): string[] => {
    const parts = ref.split('/').filter((x) => x && x !== '.');
    for (let k = 0; k < parts.length; k++) {
      const tail = parts.slice(k).join('/');
      for (const candidate of base ? [`${base}/${tail}`, tail] : [tail]) if (dirSet.has(candidate)) return [candidate];
    }
    // A file named on its own (`./kubectl-startup.sh`): the directory of each file of that name.
    const last = parts[parts.length - 1];
    const files = parts.length === 1 && last && /\./.test(last) ? byBase.get(last) ?? [] : [];
    return files.length > 0 && files.length <= 3 ? files.map(dirOf).filter((d) => d !== '') : [];
  };
  const local: { dir: string; where: string }[] = [];
  for (const p of paths) {
    if (!README.test(p)) continue;
    const t = text(p);
    if (!t || !LOCAL_CLUSTER.test(t)) continue;
    const lines = t.split('\n');
    const base = dirOf(p);
    lines.forEach((line, i) => {
      if (!LOCAL_CLUSTER.test(line)) return;
      for (let j = Math.max(0, i - 12); j < Math.min(lines.length, i + 13); j++) {
        for (const m of lines[j]!.matchAll(/(?:^|[\s`'"(])\.?\/?([\w.-]+(?:\/[\w.-]+)*)\/?(?=$|[\s`'")])/g)) {
          // A bare word is a path only where a command takes one, or in code quotes.
          const before = lines[j]!.slice(0, m.index + (/^[\s`'"(]/.test(m[0]) ? 1 : 0));
          if (!/[/.]/.test(m[1]!) && !/(\b(cd|-f|-k|apply|kustomize build)\s+|`)$/.test(before)) continue;
          for (const dir of dirsNamed(m[1]!, base)) if (!local.some((l) => l.dir === dir)) local.push({ dir, where: `${p}:${i + 1}` });
        }
      }
    });
  }

  // Charts published for others: the repository publishes charts and deploys none of its own.
  let publishes: string | undefined;
  let deploys = false;
  for (const p of paths) {
    if (/(^|\/)(cr|ct)\.ya?ml$/i.test(p) && chartDirs.some((d) => isWithin(d, dirOf(p)) || isWithin(dirOf(p), d))) publishes ??= `${p} configures chart releases`;
    if (HELMFILE.test(p)) deploys = true;
    const isCi = CI_FILE.test(p);
    if (!isCi && !/\.(ya?ml|gotmpl)$/i.test(p)) continue;
    const t = text(p);
    if (!t) continue;
    if (isCi && PUBLISHES_CHARTS.test(t)) publishes ??= `${p} publishes charts`;
    if (DEPLOYS_CHARTS.test(t)) deploys = true;
  }
  const published = publishes && !deploys ? publishes : undefined;

  // Manifests generated from another source by a script here (`jsonnet -m manifests`, `helm template …
  // > out.yaml`): the source is what the owners maintain, the output is not theirs to tag by hand.
  const generated: { path: string; where: string }[] = [];
  for (const p of paths) {
    if (!/(^|\/)(Makefile|[^/]+\.(sh|mk|bash))$/i.test(p)) continue;
    const t = text(p);
    if (!t) continue;
    t.split('\n').forEach((line, i) => {
      const outs = [
        ...line.matchAll(/\bjsonnet\b[^\n]*?\s(?:-m|--multi)\s+["']?([\w./$(){}-]+)/g),
        ...line.matchAll(/\b(?:helm\s+template|kustomize\s+build|kubectl\s+kustomize|tk\s+show|cdk8s\s+synth)\b[^\n>|]*>\s*["']?([\w./-]+\.ya?ml)/g),
        ...line.matchAll(/\btk\s+export\s+["']?([\w./-]+)/g),
      ];
      for (const m of outs) {
        const out = m[1]!.replace(/^\.\//, '').replace(/\/$/, '');
        if (!out || /[$(){}]/.test(out)) continue;
        generated.push({ path: joinPath(dirOf(p), out) ?? out, where: `${p}:${i + 1}` });
      }
    });
  }

  return {
    reason(path) {
      if (included(path)) return undefined;
      const ex = excluders.find((e) => e.test(path));
      if (ex) return `its path matches ${ex.glob} (the exclude setting): not production`;
      const dir = dirOf(path);
      const g = generated.find((x) => path === x.path || isWithin(dir, x.path));
      if (g) return `generated by ${g.where}: its source is what the owners maintain`;
      const l = local.find((x) => isWithin(dir, x.dir));
      if (l) return `${l.where} runs ${l.dir}/ on a local cluster: not production`;
      if (published && chartDirs.some((c) => isWithin(dir, c))) return `a Helm chart published for others to install (${published}) and not deployed by this repository: not the owners' production`;
      return undefined;
    },
  };
}
