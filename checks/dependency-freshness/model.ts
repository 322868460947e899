// What the parsers hand the rest of the check: the dependencies one file pins, and what went wrong reading it.
import { isMap, isNode, isScalar, type Document, type LineCounter } from 'yaml';
import type { Ecosystem, Finding } from '../contract.ts';
import type { Rule } from './rules.ts';
import { lineIndex } from '../shared/text.ts';

export interface Dependency {
  /** As the registry names it (PEP 503-normalised for PyPI, "namespace/type" for Terraform providers). */
  name: string;
  /** Exact version in use. */
  version: string;
  direct: boolean;
  line?: number;
  /** Set when the version does not come from the public registry (git, a path, a private host): never dated. */
  notDatable?: string;
  /** Terraform without a lockfile: the version constraint; `version` is then resolved from the registry (the newest release it allows). */
  constraint?: string;
}

export interface Unpinned {
  name: string;
  spec: string;
  line?: number;
}

export type SourceFormat =
  | 'package-lock'
  | 'yarn'
  | 'pnpm'
  | 'package.json'
  | 'poetry'
  | 'uv'
  | 'pipfile-lock'
  | 'pipfile'
  | 'pyproject'
  | 'requirements'
  | 'go.mod'
  | 'cargo-lock'
  | 'cargo-toml'
  | 'gemfile-lock'
  | 'gemfile'
  | 'terraform-lock'
  | 'maven'
  | 'gradle-catalog'
  | 'terraform'
  | 'github-actions'
  | 'dockerfile'
  | 'helm-chart'
  | 'mix-lock'
  | 'composer-lock'
  | 'nuget-lock';

/**
 * Ecosystems read for bot presence and coverage only: their pins are listed, but no registry client
 * dates them, so they never enter the drift (see README "What it checks").
 */
export const READ_ONLY_ECOSYSTEMS = ['github-actions', 'docker', 'helm', 'hex', 'packagist', 'nuget', 'terraform-module'] as const;
export type ReadOnlyEcosystem = (typeof READ_ONLY_ECOSYSTEMS)[number];
export type SourceEcosystem = Ecosystem | ReadOnlyEcosystem;

export function isReadOnly(ecosystem: SourceEcosystem): ecosystem is ReadOnlyEcosystem {
  return (READ_ONLY_ECOSYSTEMS as readonly string[]).includes(ecosystem);
}

/** One file the check read versions from: a lockfile, or a manifest where no lockfile answers for it. */
export interface DependencySource {
  path: string;
  format: SourceFormat;
  /** Shown to users: "package-lock.json (lockfileVersion 3)". */
  label: string;
  ecosystem: SourceEcosystem;
  /** A lockfile pins every version it lists; a manifest gives exact versions only where it pins them. */
  kind: 'lockfile' | 'manifest';
  /** false when the file could not be read as its format: its findings say why. */
  ok: boolean;
  dependencies: Dependency[];
  /** Direct dependencies the file names without an exact version. */
  unpinned: Unpinned[];
  /** Packages the lockfile holds besides the direct ones. */
  transitiveCount: number;
  /** Directories (from the repository root) of the projects this lockfile answers for, e.g. workspace members. */
  importerDirs: string[];
  findings: Finding<Rule>[];
  /** Outside the product (test, e2e, docs-site trees): left out of the drift, still counted for bot coverage. */
  nonProduct?: boolean;
}

export interface ReadContext {
  /** Text of another file of the snapshot (manifests beside a lockfile), when readable. */
  text(path: string): string | undefined;
  /** Every file path of the snapshot that the check may consider (ignored paths left out). */
  paths: readonly string[];
}

export function emptySource(path: string, format: SourceFormat, label: string, ecosystem: SourceEcosystem, kind: DependencySource['kind']): DependencySource {
  return { path, format, label, ecosystem, kind, ok: true, dependencies: [], unpinned: [], transitiveCount: 0, importerDirs: [dirOf(path)], findings: [] };
}

export function failed(source: DependencySource, message: string, line?: number): DependencySource {
  source.ok = false;
  source.findings.push({ rule: 'unparsable-dependency-file', severity: 'medium', path: source.path, ...(line && line > 0 ? { line } : {}), message });
  return source;
}

export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function joinPath(dir: string, rel: string): string {
  const out: string[] = dir ? dir.split('/') : [];
  for (const part of rel.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

/** PEP 503: lower case, runs of "-", "_" and "." become one "-". */
export function pep503(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Lines of each JSON object key written as `"key": {` (first occurrence), for pointing at lockfile entries. */
export function jsonObjectKeyLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  const lineOf = lineIndex(text);
  for (const m of text.matchAll(/"((?:[^"\\\n]|\\.)*)"\s*:\s*\{/g)) {
    if (!lines.has(m[1]!)) lines.set(m[1]!, lineOf(m.index));
  }
  return lines;
}

/** Git leaves these in a file when a merge conflict was committed unresolved. */
export function conflictMarkerLine(text: string): number | undefined {
  const m = /^(<<<<<<<|>>>>>>>) /m.exec(text);
  return m ? lineIndex(text)(m.index) : undefined;
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
}

/** Line of the key at `path` in a YAML document (the value's line when the key cannot be found). */
export function yamlKeyLine(doc: Document, counter: LineCounter, path: (string | number)[]): number | undefined {
  const parent = path.length === 0 ? undefined : path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === path[path.length - 1]);
    if (pair && isScalar(pair.key) && pair.key.range) return counter.linePos(pair.key.range[0]).line;
  }
  const node = doc.getIn(path, true);
  return isNode(node) && node.range ? counter.linePos(node.range[0]).line : undefined;
}

/** First line on which each `pattern` match's first group appears (one pass over the text). */
export function firstLines(text: string, pattern: RegExp, normalise: (key: string) => string = (k) => k): Map<string, number> {
  const lines = new Map<string, number>();
  const lineOf = lineIndex(text);
  for (const m of text.matchAll(pattern)) {
    const key = normalise(m[1]!);
    if (!lines.has(key)) lines.set(key, lineOf(m.index));
  }
  return lines;
}

/** Line of every key of the YAML map at `path`, in one pass. */
export function yamlMapKeyLines(doc: Document, counter: LineCounter, path: (string | number)[]): Map<unknown, number> {
  const lines = new Map<unknown, number>();
  const node = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (!isMap(node)) return lines;
  for (const pair of node.items) {
    if (isScalar(pair.key) && pair.key.range && !lines.has(pair.key.value)) lines.set(pair.key.value, counter.linePos(pair.key.range[0]).line);
  }
  return lines;
}

/** At most `max` characters of a name or version from a repository, for messages: a hostile file cannot make a finding huge. */
export function clip(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
