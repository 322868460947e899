// What services pin besides libraries: GitHub Actions `uses:`, Dockerfile base images, Helm chart
// dependencies, Hex (mix.lock), Packagist (composer.lock), NuGet (packages.lock.json, PackageReference),
// and Terraform configurations without a lockfile (required_providers constraints, module versions).
// Except Terraform providers, these are read for bot presence and coverage; no registry dates them.
import semver from 'semver';
import { LineCounter, parseDocument } from 'yaml';
import { lineIndex } from '../../shared/text.ts';
import { asRecord, conflictMarkerLine, emptySource, errorText, failed, jsonObjectKeyLines, type DependencySource } from '../model.ts';

const READ_ONLY_NOTE = (what: string) => `no registry client dates ${what}`;

// ---------------------------------------------------------------------------------------------
// GitHub Actions: `uses: owner/repo[/path]@ref` in workflows and composite actions.

const USES = /^[ \t]*(?:-[ \t]+)?uses:[ \t]*["']?([^\s"'#]+)/gm;

/** One source for the workflows of a directory (Dependabot and Renovate treat them together), or one composite action file. */
export function parseActionUses(path: string, label: string, texts: { path: string; text: string }[]): DependencySource {
  const source = emptySource(path, 'github-actions', label, 'github-actions', 'manifest');
  const seen = new Set<string>();
  for (const { text } of texts) {
    const lineOf = lineIndex(text);
    for (const m of text.matchAll(USES)) {
      const ref = m[1]!;
      if (ref.startsWith('./') || ref.startsWith('docker://')) continue;
      const at = ref.indexOf('@');
      const name = (at < 0 ? ref : ref.slice(0, at)).split('/').slice(0, 2).join('/');
      if (!/^[\w.-]+\/[\w.-]+$/.test(name)) continue;
      const line = lineOf(m.index);
      if (at < 0) {
        source.unpinned.push({ name, spec: '(no ref)', line });
        continue;
      }
      const version = ref.slice(at + 1);
      if (seen.has(`${name}@${version}`)) continue;
      seen.add(`${name}@${version}`);
      source.dependencies.push({ name, version, direct: true, ...(texts.length === 1 ? { line } : {}), notDatable: READ_ONLY_NOTE('GitHub Actions') });
    }
  }
  return source;
}

// ---------------------------------------------------------------------------------------------
// Dockerfile: FROM lines; ARGs declared before the first FROM are substituted with their defaults.

export function parseDockerfile(path: string, text: string): DependencySource {
  const source = emptySource(path, 'dockerfile', 'Dockerfile base images', 'docker', 'manifest');
  const args = new Map<string, string>();
  const stages = new Set<string>();
  const lines = text.split(/\r?\n/);
  let beforeFirstFrom = true;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const arg = beforeFirstFrom ? /^ARG\s+([A-Za-z_]\w*)(?:=("?)([^"\s]*)\2)?\s*$/i.exec(line) : null;
    if (arg) {
      if (arg[3] !== undefined) args.set(arg[1]!, arg[3]);
      continue;
    }
    const from = /^FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?\s*$/i.exec(line);
    if (!from) continue;
    beforeFirstFrom = false;
    const image = from[1]!.replace(/\$\{?([A-Za-z_]\w*)\}?/g, (whole, name: string) => args.get(name) ?? whole);
    const earlierStage = stages.has(image.toLowerCase());
    if (from[2]) stages.add(from[2].toLowerCase());
    if (image === 'scratch' || earlierStage) continue;
    if (image.includes('$')) {
      source.unpinned.push({ name: image.slice(0, 120), spec: '(set by a build argument)', line: i + 1 });
      continue;
    }
    const [withoutDigest, digest] = image.split('@') as [string, string | undefined];
    const colon = withoutDigest.lastIndexOf(':');
    const hasTag = colon > withoutDigest.lastIndexOf('/');
    const name = (hasTag ? withoutDigest.slice(0, colon) : withoutDigest).replace(/^(docker\.io|index\.docker\.io)\//, '').replace(/^library\//, '');
    const tag = hasTag ? withoutDigest.slice(colon + 1) : undefined;
    if (!tag && !digest) {
      source.unpinned.push({ name, spec: '(latest)', line: i + 1 });
      continue;
    }
    source.dependencies.push({ name, version: tag ?? digest!, direct: true, line: i + 1, notDatable: READ_ONLY_NOTE('container images') });
  }
  return source;
}

// ---------------------------------------------------------------------------------------------
// Helm Chart.yaml (apiVersion v2): dependencies with a version or a range.

export function parseHelmChart(path: string, text: string): DependencySource {
  const source = emptySource(path, 'helm-chart', 'Chart.yaml dependencies', 'helm', 'manifest');
  const counter = new LineCounter();
  let root: Record<string, unknown> | undefined;
  try {
    const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: false });
    if (doc.errors.length > 0) return failed(source, `not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`, doc.errors[0]!.linePos?.[0]?.line);
    root = asRecord(doc.toJS({ maxAliasCount: 100 }));
  } catch (error) {
    return failed(source, `not valid YAML: ${errorText(error)}`);
  }
  const lineOf = lineIndex(text);
  for (const value of Array.isArray(root?.dependencies) ? root.dependencies : []) {
    const dep = asRecord(value);
    if (!dep || typeof dep.name !== 'string') continue;
    const at = text.indexOf(dep.name);
    const line = at >= 0 ? lineOf(at) : undefined;
    const version = typeof dep.version === 'string' || typeof dep.version === 'number' ? String(dep.version) : undefined;
    if (version && semver.valid(version)) source.dependencies.push({ name: dep.name, version, direct: true, line, notDatable: READ_ONLY_NOTE('Helm charts') });
    else source.unpinned.push({ name: dep.name, spec: version ?? '(no version)', line });
  }
  return source;
}

// ---------------------------------------------------------------------------------------------
// mix.lock (Hex): `"name": {:hex, :name, "1.2.3", …}`; direct ones are those mix.exs names.

const MIX_ENTRY = /^[ \t]*"([\w.-]+)":[ \t]*\{:(hex|git|path)[ \t]*,[ \t]*(?::([\w.-]+)[ \t]*,[ \t]*"([^"]+)")?/gm;
const MIX_EXS_DEP = /\{[ \t]*:([a-z_][\w]*)[ \t]*,/g;

export function parseMixLock(path: string, text: string, mixExs: string | undefined): DependencySource {
  const source = emptySource(path, 'mix-lock', 'mix.lock', 'hex', 'lockfile');
  const conflict = conflictMarkerLine(text);
  if (conflict) return failed(source, 'unresolved merge conflict markers: mix cannot read this lockfile', conflict);
  const direct = mixExs ? new Set([...mixExs.matchAll(MIX_EXS_DEP)].map((m) => m[1]!)) : undefined;
  const lineOf = lineIndex(text);
  for (const m of text.matchAll(MIX_ENTRY)) {
    if (direct && !direct.has(m[1]!)) {
      source.transitiveCount++;
      continue;
    }
    if (m[2] === 'hex' && m[4]) source.dependencies.push({ name: m[3] ?? m[1]!, version: m[4], direct: true, line: lineOf(m.index), notDatable: READ_ONLY_NOTE('Hex packages') });
    else source.dependencies.push({ name: m[1]!, version: m[2]!, direct: true, line: lineOf(m.index), notDatable: `not from Hex (${m[2]})` });
  }
  return source;
}

// ---------------------------------------------------------------------------------------------
// composer.lock (Packagist): packages and packages-dev; direct ones are those composer.json requires.

export function parseComposerLock(path: string, text: string, composerJson: string | undefined): DependencySource {
  const source = emptySource(path, 'composer-lock', 'composer.lock', 'packagist', 'lockfile');
  let root: Record<string, unknown> | undefined;
  try {
    root = asRecord(JSON.parse(text));
  } catch (error) {
    return failed(source, `not valid JSON: ${errorText(error)}`);
  }
  if (!root) return failed(source, 'not a composer.lock: the top level is not an object');
  let required: Set<string> | undefined;
  try {
    const manifest = composerJson === undefined ? undefined : asRecord(JSON.parse(composerJson));
    if (manifest) required = new Set([...Object.keys(asRecord(manifest.require) ?? {}), ...Object.keys(asRecord(manifest['require-dev']) ?? {})].map((n) => n.toLowerCase()));
  } catch {
    required = undefined; // a broken composer.json: every locked package is then judged as direct
  }
  const lineOf = lineIndex(text);
  for (const field of ['packages', 'packages-dev']) {
    for (const value of Array.isArray(root[field]) ? (root[field] as unknown[]) : []) {
      const p = asRecord(value);
      if (!p || typeof p.name !== 'string' || typeof p.version !== 'string') continue;
      if (required && !required.has(p.name.toLowerCase())) {
        source.transitiveCount++;
        continue;
      }
      const at = text.indexOf(`"name": "${p.name}"`);
      source.dependencies.push({ name: p.name, version: p.version, direct: true, ...(at >= 0 ? { line: lineOf(at) } : {}), notDatable: READ_ONLY_NOTE('Packagist packages') });
    }
  }
  return source;
}

/** composer.json without composer.lock: what it requires, none of it pinned by a lockfile. */
export function parseComposerJson(path: string, text: string): DependencySource {
  const source = emptySource(path, 'composer-lock', 'composer.json (no lockfile)', 'packagist', 'manifest');
  let manifest: Record<string, unknown> | undefined;
  try {
    manifest = asRecord(JSON.parse(text));
  } catch (error) {
    return failed(source, `not valid JSON: ${errorText(error)}`);
  }
  for (const field of ['require', 'require-dev']) {
    for (const [name, spec] of Object.entries(asRecord(manifest?.[field]) ?? {})) {
      if (name === 'php' || name.startsWith('ext-') || typeof spec !== 'string') continue;
      source.unpinned.push({ name, spec });
    }
  }
  return source;
}

export function composerRequires(text: string | undefined): boolean {
  if (text === undefined) return false;
  try {
    const m = asRecord(JSON.parse(text));
    return Object.keys({ ...asRecord(m?.require), ...asRecord(m?.['require-dev']) }).some((n) => n !== 'php' && !n.startsWith('ext-'));
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// NuGet: packages.lock.json (direct entries of every target framework) and PackageReference /
// PackageVersion items of project files and central package management.

export function parseNugetLock(path: string, text: string): DependencySource {
  const source = emptySource(path, 'nuget-lock', 'packages.lock.json', 'nuget', 'lockfile');
  let root: Record<string, unknown> | undefined;
  try {
    root = asRecord(JSON.parse(text));
  } catch (error) {
    return failed(source, `not valid JSON: ${errorText(error)}`);
  }
  const seen = new Set<string>();
  const keyLines = jsonObjectKeyLines(text);
  for (const framework of Object.values(asRecord(root?.dependencies) ?? {})) {
    for (const [name, value] of Object.entries(asRecord(framework) ?? {})) {
      const entry = asRecord(value);
      if (!entry || typeof entry.resolved !== 'string') continue;
      if (entry.type !== 'Direct') {
        if (entry.type === 'Transitive') source.transitiveCount++;
        continue;
      }
      if (seen.has(`${name}@${entry.resolved}`)) continue;
      seen.add(`${name}@${entry.resolved}`);
      source.dependencies.push({ name, version: entry.resolved, direct: true, line: keyLines.get(name), notDatable: READ_ONLY_NOTE('NuGet packages') });
    }
  }
  return source;
}

const PACKAGE_ITEM = /<Package(?:Reference|Version)\b([^>]*?)\/?>/g;

export function parseMsbuildPackages(path: string, text: string): DependencySource {
  const source = emptySource(path, 'nuget-lock', `${path.split('/').pop()} PackageReference`, 'nuget', 'manifest');
  const lineOf = lineIndex(text);
  for (const m of text.matchAll(PACKAGE_ITEM)) {
    const attrs = m[1]!;
    const name = /\b(?:Include|Update)\s*=\s*"([^"]+)"/.exec(attrs)?.[1];
    if (!name) continue;
    const version = /\bVersion\s*=\s*"([^"]+)"/.exec(attrs)?.[1];
    if (version && /^\d+(\.\d+)*([-+][\w.-]+)?$/.test(version)) source.dependencies.push({ name, version, direct: true, line: lineOf(m.index), notDatable: READ_ONLY_NOTE('NuGet packages') });
    else source.unpinned.push({ name, spec: version ?? '(version set elsewhere)', line: lineOf(m.index) });
  }
  return source;
}

// ---------------------------------------------------------------------------------------------
// Terraform configuration: required_providers and registry modules, brace-matched outside strings.

const PUBLIC_TERRAFORM_HOSTS = new Set(['registry.terraform.io', 'registry.opentofu.org']);

/** Index just past the brace that closes the one at `open`, skipping strings and comments; -1 when never closed. */
function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      const nl = text.indexOf('\n', i);
      if (nl < 0) return -1;
      i = nl;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return -1;
      i = end + 1;
    } else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  return -1;
}

/** Attribute `name = "value"` written directly in a block body (not in nested blocks). */
function topLevelAttribute(body: string, name: string): string | undefined {
  let depth = 0;
  const pattern = new RegExp(`(?<![\\w-])${name}[ \\t]*=[ \\t]*"([^"\\n]*)"`, 'y');
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (depth === 0 && c === name[0]) {
      pattern.lastIndex = i;
      const m = pattern.exec(body);
      if (m) return m[1];
    } else if (c === '"') for (i++; i < body.length && body[i] !== '"' && body[i] !== '\n'; i++) if (body[i] === '\\') i++;
  }
  return undefined;
}

/** `name = {` or `name = "value"` written directly in a block body, with where each starts. */
function topLevelAssignments(body: string): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  const pattern = /([A-Za-z][\w-]*)[ \t]*=[ \t]*(\{|"([^"\n]*)")/y;
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '"') {
      for (i++; i < body.length && body[i] !== '"' && body[i] !== '\n'; i++) if (body[i] === '\\') i++;
    } else if (c === '#' || (c === '/' && body[i + 1] === '/')) {
      const nl = body.indexOf('\n', i);
      i = nl < 0 ? body.length : nl;
    } else if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (depth === 0 && /[A-Za-z]/.test(c) && (i === 0 || !/[\w-]/.test(body[i - 1]!))) {
      pattern.lastIndex = i;
      const m = pattern.exec(body);
      if (m) {
        out.push(m);
        // The value is read by the caller; go on after the opening brace (depth follows) or the string.
        i = m.index + m[0].length - 1;
        if (m[2] === '{') depth++;
      } else while (i + 1 < body.length && /[\w-]/.test(body[i + 1]!)) i++;
    }
  }
  return out;
}

export interface TerraformDir {
  providers: DependencySource;
  modules: DependencySource;
  /** A root configuration (it has a backend or cloud block): the one that should commit .terraform.lock.hcl. */
  isRoot: boolean;
}

const REGISTRY_MODULE = /^(?:([\w.-]+\.[a-z]{2,})\/)?([\w-]+)\/([\w-]+)\/([\w-]+)$/;

export function parseTerraformDir(dir: string, files: { path: string; text: string }[]): TerraformDir {
  const first = files[0]!.path;
  const providers = emptySource(first, 'terraform', 'Terraform required_providers (no lockfile)', 'terraform-provider', 'manifest');
  const modules = emptySource(first, 'terraform', 'Terraform registry modules', 'terraform-module', 'manifest');
  providers.importerDirs = [dir];
  modules.importerDirs = [dir];
  let isRoot = false;
  const seen = new Set<string>();
  for (const { path, text } of files) {
    const lineOf = lineIndex(text);
    if (/(?<![\w-])backend[ \t]+"[\w-]+"[ \t]*\{|(?<![\w-])cloud[ \t]*\{/.test(text)) isRoot = true;
    for (const m of text.matchAll(/(?<![\w-])required_providers[ \t]*\{/g)) {
      const open = m.index + m[0].length - 1;
      const end = closingBrace(text, open);
      if (end < 0) continue;
      const body = text.slice(open + 1, end - 1);
      for (const e of topLevelAssignments(body)) {
        const local = e[1]!;
        let source = `hashicorp/${local}`;
        let constraint: string | undefined;
        if (e[2] === '{') {
          const entryOpen = open + 1 + e.index + e[0].length - 1;
          const entryEnd = closingBrace(text, entryOpen);
          if (entryEnd < 0) continue;
          const entry = text.slice(entryOpen + 1, entryEnd - 1);
          source = topLevelAttribute(entry, 'source') ?? source;
          constraint = topLevelAttribute(entry, 'version');
        } else constraint = e[3];
        const parts = source.toLowerCase().split('/');
        const host = parts.length === 3 ? parts[0]! : 'registry.terraform.io';
        const name = parts.slice(-2).join('/');
        if (seen.has(`p:${name}`)) continue;
        seen.add(`p:${name}`);
        const line = lineOf(open + 1 + e.index);
        if (!PUBLIC_TERRAFORM_HOSTS.has(host)) providers.dependencies.push({ name, version: constraint ?? '(any)', direct: true, line, notDatable: `from the registry at ${host}, not the public Terraform registry` });
        else providers.dependencies.push({ name, version: constraint ?? '', constraint: constraint ?? '', direct: true, line });
      }
    }
    for (const m of text.matchAll(/^[ \t]*module[ \t]+"([^"\n]+)"[ \t]*\{/gm)) {
      const open = m.index + m[0].length - 1;
      const end = closingBrace(text, open);
      if (end < 0) continue;
      const body = text.slice(open + 1, end - 1);
      const src = topLevelAttribute(body, 'source');
      if (!src) continue;
      const registry = REGISTRY_MODULE.exec(src);
      if (!registry || (registry[1] && !PUBLIC_TERRAFORM_HOSTS.has(registry[1]))) continue;
      const name = `${registry[2]}/${registry[3]}/${registry[4]}`;
      const version = topLevelAttribute(body, 'version');
      const line = lineOf(m.index);
      if (!version) modules.unpinned.push({ name, spec: '(no version)', line });
      else if (!seen.has(`m:${name}@${version}`)) {
        seen.add(`m:${name}@${version}`);
        modules.dependencies.push({ name, version, direct: true, line, notDatable: READ_ONLY_NOTE('Terraform modules') });
      }
    }
  }
  providers.path = files.find((f) => /required_providers/.test(f.text))?.path ?? first;
  modules.path = files.find((f) => /^[ \t]*module[ \t]+"/m.test(f.text))?.path ?? first;
  return { providers, modules, isRoot };
}

