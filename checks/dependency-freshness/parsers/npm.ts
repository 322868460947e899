// npm ecosystem: package-lock.json / npm-shrinkwrap.json, yarn.lock (v1 and Berry), pnpm-lock.yaml, and
// package.json on its own where no lockfile answers for it.
import { parseSyml } from '@yarnpkg/parsers';
import picomatch from 'picomatch';
import semver from 'semver';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { asRecord, conflictMarkerLine, dirOf, emptySource, errorText, failed, firstLines, joinPath, jsonObjectKeyLines, yamlMapKeyLines, type Dependency, type DependencySource, type ReadContext } from '../model.ts';

const DEP_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies'] as const;

interface Manifest {
  name?: string;
  deps: Map<string, string>;
  workspaces: string[];
  /** Package names whose version the root pins elsewhere: Yarn `resolutions`, npm `overrides`, pnpm `overrides`. */
  overridden: Map<string, string>;
  /** What could not be read as name → version, in plain words (shown as a finding on the manifest). */
  unread: string[];
}

function readManifest(text: string | undefined): Manifest | undefined | 'malformed' {
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'malformed';
  }
  const root = asRecord(json);
  if (!root) return 'malformed';
  const deps = new Map<string, string>();
  const unread: string[] = [];
  for (const field of DEP_FIELDS) {
    const value = root[field];
    if (value === undefined) continue;
    const map = asRecord(value);
    if (!map) {
      unread.push(`"${field}" is ${Array.isArray(value) ? 'an array' : `a ${value === null ? 'null' : typeof value}`}, not a map of package name to version range, so none of it was read`);
      continue;
    }
    const odd: string[] = [];
    for (const [name, range] of Object.entries(map)) {
      if (typeof range === 'string') deps.set(name, range);
      else odd.push(name);
    }
    if (odd.length > 0) unread.push(`${odd.length} ${field} ${odd.length === 1 ? 'entry is' : 'entries are'} not a version range string, so ${odd.length === 1 ? 'it was' : 'they were'} not read: ${odd.slice(0, 3).map((n) => JSON.stringify(n.length > 60 ? `${n.slice(0, 60)}…` : n)).join(', ')}${odd.length > 3 ? ', …' : ''}`);
  }
  const ws = Array.isArray(root.workspaces) ? root.workspaces : asRecord(root.workspaces)?.packages;
  return { name: typeof root.name === 'string' ? root.name : undefined, deps, workspaces: Array.isArray(ws) ? ws.filter((w): w is string => typeof w === 'string') : [], unread, overridden: overriddenPackages(root) };
}

/**
 * Names whose resolved version comes from the root's overrides rather than the declared range, with
 * the version they are pinned to when it is a plain string. Keys may be paths ("a/**\/b", "a>b") or
 * carry a range ("b@^1"): the package is the last name in them.
 */
function lastPackageOf(key: string): string {
  const parts = key.replace(/^\*\*\//, '').split(/[/>]/);
  const names: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part === '**' || part === '') continue;
    names.push(part.startsWith('@') && i + 1 < parts.length ? `${part}/${parts[++i]}` : part);
  }
  const last = names.pop() ?? '';
  const at = last.indexOf('@', 1);
  return at > 0 ? last.slice(0, at) : last;
}

function overriddenPackages(root: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  const add = (map: Record<string, unknown> | undefined) => {
    for (const [key, value] of Object.entries(map ?? {})) {
      const name = lastPackageOf(key);
      if (!name) continue;
      out.set(name, typeof value === 'string' ? value : '');
      // npm overrides nest: { "a": { "b": "1" } } overrides b under a.
      if (asRecord(value)) add(Object.fromEntries(Object.entries(asRecord(value)!).filter(([k]) => k !== '.')));
    }
  };
  add(asRecord(root.resolutions));
  add(asRecord(root.overrides));
  add(asRecord(asRecord(root.pnpm)?.overrides));
  return out;
}

/** Ranges that do not come from the npm registry. */
function nonRegistrySpec(spec: string): string | undefined {
  if (/^(git\+|git:|github:|gitlab:|bitbucket:|https?:|file:|link:|portal:|exec:|patch:)/.test(spec) || /^[\w.-]+\/[\w.-]+(#.*)?$/.test(spec)) return `not from the npm registry (${spec.slice(0, 60)})`;
  return undefined;
}

function isRegistryTarball(resolved: unknown): boolean {
  return typeof resolved !== 'string' || /^https?:\/\/.*\.tgz(#.*)?$/.test(resolved) || /^https?:\/\/.*\/-\//.test(resolved);
}

export function parsePackageLock(path: string, text: string, ctx: ReadContext): DependencySource {
  const source = emptySource(path, 'package-lock', path.split('/').pop()!, 'npm', 'lockfile');
  const conflict = conflictMarkerLine(text);
  if (conflict) return failed(source, `unresolved merge conflict markers: npm cannot read this lockfile`, conflict);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return failed(source, `not valid JSON: ${errorText(error)}`);
  }
  const root = asRecord(json);
  if (!root) return failed(source, 'not a lockfile: the top level is not an object');
  let version = root.lockfileVersion;
  // npm writes a number; a quoted one is read as that number, and said, rather than refused.
  if (typeof version === 'string' && /^[123]$/.test(version.trim())) {
    source.findings.push({ rule: 'unparsable-dependency-file', severity: 'info', path, message: `lockfileVersion is the string ${JSON.stringify(version)}, where npm writes a number: read as ${version.trim()}` });
    version = Number(version.trim());
  }
  source.label = `${source.label} (lockfileVersion ${String(version)})`;
  const dir = dirOf(path);
  const keyLines = jsonObjectKeyLines(text);
  const packages = asRecord(root.packages);

  if (packages && (version === 2 || version === 3)) {
    const importers = Object.keys(packages).filter((k) => k === '' || !/(^|\/)node_modules\//.test(k));
    source.importerDirs = importers.map((k) => joinPath(dir, k));
    const direct = new Set<string>();
    const missing: string[] = [];
    const rootEntry = asRecord(packages['']);
    const workspaceGlobs = (Array.isArray(rootEntry?.workspaces) ? rootEntry.workspaces : asRecord(rootEntry?.workspaces)?.packages ?? []) as unknown[];
    const isWorkspace = picomatch(workspaceGlobs.filter((g): g is string => typeof g === 'string').map((g) => g.replace(/\/+$/, '')), { dot: true });
    const rootManifest = readManifest(ctx.text(joinPath(dir, 'package.json')));
    const overridden = rootManifest && rootManifest !== 'malformed' ? rootManifest.overridden : new Map<string, string>();
    for (const importer of importers) {
      const entry = asRecord(packages[importer]);
      if (!entry) continue;
      // A package linked with "file:" (not a workspace) is installed without its devDependencies.
      const linked = importer !== '' && !isWorkspace(importer);
      for (const field of DEP_FIELDS) {
        if (linked && field === 'devDependencies') continue;
        for (const [name, spec] of Object.entries(asRecord(entry[field]) ?? {})) {
          const key = resolveNodeModule(packages, importer, name);
          const node = key ? asRecord(packages[key]) : undefined;
          if (!key || !node) {
            if (field !== 'optionalDependencies' && !overridden.has(name)) missing.push(`${name}${importer ? ` (${importer})` : ''}`);
            continue;
          }
          if (node.link === true) continue; // a workspace of this repository
          if (direct.has(key)) continue;
          direct.add(key);
          if (typeof node.version !== 'string') continue;
          const registryName = typeof node.name === 'string' ? node.name : name;
          const nonRegistry = (typeof spec === 'string' ? nonRegistrySpec(spec) : undefined) ?? (isRegistryTarball(node.resolved) ? undefined : `not from the npm registry (${String(node.resolved).slice(0, 60)})`);
          source.dependencies.push({ name: registryName, version: node.version, direct: true, line: keyLines.get(key), ...(nonRegistry ? { notDatable: nonRegistry } : {}) });
        }
      }
    }
    source.transitiveCount = Object.keys(packages).filter((k) => /(^|\/)node_modules\//.test(k) && !direct.has(k) && asRecord(packages[k])?.link !== true).length;
    reportMissing(source, missing, 'npm install');
    return source;
  }

  const dependencies = asRecord(root.dependencies);
  if (version === 1 || (!packages && dependencies)) {
    // npm 6 lockfiles: a tree without the root's own declarations; those come from package.json.
    const manifest = readManifest(ctx.text(joinPath(dir, 'package.json')));
    const declared = manifest && manifest !== 'malformed' ? manifest.deps : undefined;
    if (!declared) source.findings.push({ rule: 'direct-dependencies-unknown', severity: 'low', path, message: 'lockfileVersion 1 without a readable package.json beside it: direct dependencies are unknown, so every top-level package is judged as direct' });
    let transitive = 0;
    // An explicit stack, not recursion: a hostile lockfile nests thousands deep.
    const trees: { tree: Record<string, unknown>; depth: number }[] = [{ tree: dependencies ?? {}, depth: 0 }];
    while (trees.length > 0) {
      const { tree, depth } = trees.pop()!;
      for (const [name, value] of Object.entries(tree)) {
        const node = asRecord(value);
        if (!node) continue;
        const isDirect = depth === 0 && (!declared || declared.has(name));
        if (isDirect && typeof node.version === 'string') {
          const spec = declared?.get(name);
          const nonRegistry = (spec ? nonRegistrySpec(spec) : undefined) ?? (isRegistryTarball(node.resolved) && !/^(git|file|github):/.test(node.version) ? undefined : `not from the npm registry (${node.version.slice(0, 60)})`);
          source.dependencies.push({ name, version: node.version, direct: true, line: keyLines.get(name), ...(nonRegistry ? { notDatable: nonRegistry } : {}) });
        } else transitive++;
        const nested = asRecord(node.dependencies);
        if (nested) trees.push({ tree: nested, depth: depth + 1 });
      }
    }
    source.transitiveCount = transitive;
    return source;
  }
  return failed(source, `lockfileVersion ${JSON.stringify(version)} is not one npm writes (1, 2 or 3)${asRecord(root.packages) ? '' : ' and there is no "packages" map'}`);
}

/** One finding for every declared dependency the lockfile lacks: the lockfile is out of date. */
function reportMissing(source: DependencySource, missing: string[], command: string): void {
  if (missing.length === 0) return;
  source.findings.push({
    rule: 'lockfile-out-of-date',
    severity: 'low',
    path: source.path,
    message: `${missing.length} declared ${missing.length === 1 ? 'dependency is' : 'dependencies are'} missing from the lockfile (run ${command} and commit it): ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ', …' : ''}`,
  });
}

/** Where Node would find `name` from `importer`: its own node_modules, then each parent's. */
function resolveNodeModule(packages: Record<string, unknown>, importer: string, name: string): string | undefined {
  let base = importer;
  for (;;) {
    const key = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (key in packages) return key;
    if (!base) return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut >= 0 ? base.slice(0, cut) : base.includes('/') ? base.slice(0, base.lastIndexOf('/')) : '';
  }
}

// ---------------------------------------------------------------------------------------------
// yarn.lock

/** Lines of each top-level entry's descriptors (`"a@^1", a@^1.2:`). */
function yarnKeyLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  text.split('\n').forEach((line, i) => {
    if (!line || line.startsWith(' ') || line.startsWith('#') || !line.trimEnd().endsWith(':')) return;
    for (const d of splitDescriptors(line.trimEnd().slice(0, -1))) if (!lines.has(d)) lines.set(d, i + 1);
  });
  return lines;
}

function splitDescriptors(key: string): string[] {
  return key.split(/,\s*/).map((d) => d.trim().replace(/^"|"$/g, '')).filter(Boolean);
}

/** "@scope/name@range" → ["@scope/name", "range"]. */
function splitDescriptor(descriptor: string): [string, string] | undefined {
  const at = descriptor.indexOf('@', 1);
  return at > 0 ? [descriptor.slice(0, at), descriptor.slice(at + 1)] : undefined;
}

function workspaceManifests(dir: string, globs: string[], ctx: ReadContext): string[] {
  if (globs.length === 0) return [];
  const match = picomatch(globs.map((g) => joinPath(dir, g.replace(/\/+$/, '')) + '/package.json'), { dot: false });
  return ctx.paths.filter((p) => p.endsWith('/package.json') && match(p));
}

export function parseYarnLock(path: string, text: string, ctx: ReadContext): DependencySource {
  const source = emptySource(path, 'yarn', 'yarn.lock', 'npm', 'lockfile');
  const conflict = conflictMarkerLine(text);
  if (conflict) return failed(source, 'unresolved merge conflict markers: Yarn cannot read this lockfile', conflict);
  let parsed: Record<string, unknown>;
  try {
    parsed = parseSyml(text) as Record<string, unknown>;
  } catch (error) {
    // Syml (YAML) errors say "(line:column)"; the v1 grammar's errors carry a location.
    const located = (error as { location?: { start?: { line?: number } } }).location?.start?.line;
    const line = located ?? Number(/\((\d+):\d+\)/.exec(errorText(error))?.[1] ?? 0);
    return failed(source, `not a readable yarn.lock: ${errorText(error)}`, line || undefined);
  }
  const entries = new Map<string, Record<string, unknown>>();
  for (const [key, value] of Object.entries(parsed)) {
    const entry = asRecord(value);
    if (key === '__metadata' || !entry) continue;
    for (const d of splitDescriptors(key)) entries.set(d, entry);
  }
  const distinct = new Set(entries.values());
  const keyLines = yarnKeyLines(text);
  const dir = dirOf(path);
  const metadata = asRecord(parsed.__metadata);
  const direct = new Set<Record<string, unknown>>();
  const missing: string[] = [];

  const rootForResolutions = readManifest(ctx.text(joinPath(dir, 'package.json')));
  const resolutions = rootForResolutions && rootForResolutions !== 'malformed' ? rootForResolutions.overridden : new Map<string, string>();
  const byName = new Map<string, Record<string, unknown>>();
  for (const [d, e] of entries) {
    const n = splitDescriptor(d)?.[0];
    if (n && !byName.has(n)) byName.set(n, e);
  }
  const addDirect = (name: string, range: string, owner: string) => {
    const descriptor = `${name}@${range}`;
    let entry = entries.get(descriptor);
    // A resolution pins the package elsewhere: the lockfile holds the resolution's descriptor, not the declared one.
    if (!entry && resolutions.has(name)) {
      const pinned = resolutions.get(name)!;
      entry = entries.get(`${name}@${pinned}`) ?? entries.get(`${name}@npm:${pinned}`) ?? byName.get(name);
    }
    if (!entry) {
      missing.push(`${descriptor} (${owner})`);
      return;
    }
    if (direct.has(entry)) return;
    direct.add(entry);
    const resolution = typeof entry.resolution === 'string' ? entry.resolution : undefined;
    if (resolution?.includes('@workspace:')) return;
    const version = typeof entry.version === 'string' ? entry.version : undefined;
    if (!version) return;
    let registryName = name;
    let notDatable = nonRegistrySpec(range.replace(/^npm:/, ''));
    if (resolution) {
      // Berry: "lodash@npm:4.17.21"; patched packages keep the original inside "patch:lodash@npm%3A4.17.21#…".
      const inner = resolution.startsWith('patch:') || resolution.includes('@patch:') ? decodeURIComponent(resolution.replace(/^.*?patch:/, '').split('#')[0]!) : resolution;
      const m = /^(@?[^@]+)@npm:/.exec(inner);
      if (m) {
        registryName = m[1]!;
        notDatable = undefined;
      } else notDatable = `not from the npm registry (${resolution.slice(0, 60)})`;
    } else if (range.startsWith('npm:')) {
      // Yarn v1 alias: "name@npm:real@^1".
      const aliased = splitDescriptor(range.slice(4));
      if (aliased) registryName = aliased[0];
      notDatable = undefined;
    } else if (typeof entry.resolved === 'string' && !isRegistryTarball(entry.resolved)) {
      notDatable = `not from the npm registry (${entry.resolved.slice(0, 60)})`;
    }
    source.dependencies.push({ name: registryName, version, direct: true, line: keyLines.get(descriptor), ...(notDatable ? { notDatable } : {}) });
  };

  if (metadata) {
    source.label = `yarn.lock (Berry, version ${String(metadata.version ?? '?')})`;
    const workspaces = [...distinct].filter((e) => typeof e.resolution === 'string' && e.resolution.includes('@workspace:'));
    source.importerDirs = workspaces.map((e) => joinPath(dir, String(e.resolution).split('@workspace:')[1] ?? '.'));
    for (const ws of workspaces) {
      for (const [name, range] of Object.entries(asRecord(ws.dependencies) ?? {})) if (typeof range === 'string') addDirect(name, range, String(ws.resolution));
    }
    if (workspaces.length === 0) failed(source, 'no workspace entry ("…@workspace:.") found: direct dependencies are unknown');
  } else {
    source.label = 'yarn.lock (v1)';
    const rootManifestPath = joinPath(dir, 'package.json');
    const root = readManifest(ctx.text(rootManifestPath));
    if (!root || root === 'malformed') {
      failed(source, `Yarn v1 lockfiles do not record which dependencies are direct, and ${rootManifestPath} is ${root ? 'not valid JSON' : 'missing or unreadable'}`);
      source.transitiveCount = distinct.size;
      return source;
    }
    const members = workspaceManifests(dir, root.workspaces, ctx);
    source.importerDirs = [dir, ...members.map(dirOf)];
    const manifests: [string, Manifest][] = [[rootManifestPath, root]];
    for (const member of members) {
      const m = readManifest(ctx.text(member));
      if (m && m !== 'malformed') manifests.push([member, m]);
    }
    const internal = new Set(manifests.map(([, m]) => m.name).filter(Boolean));
    for (const [owner, m] of manifests) {
      for (const [name, range] of m.deps) if (!internal.has(name) && !range.startsWith('workspace:')) addDirect(name, range, owner);
    }
  }
  source.transitiveCount = [...distinct].filter((e) => !direct.has(e) && !String(e.resolution ?? '').includes('@workspace:')).length;
  reportMissing(source, missing, 'yarn install');
  return source;
}

// ---------------------------------------------------------------------------------------------
// pnpm-lock.yaml

export function parsePnpmLock(path: string, text: string): DependencySource {
  const source = emptySource(path, 'pnpm', 'pnpm-lock.yaml', 'npm', 'lockfile');
  const conflict = conflictMarkerLine(text);
  if (conflict) return failed(source, 'unresolved merge conflict markers: pnpm cannot read this lockfile', conflict);
  const counter = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter: counter, uniqueKeys: false, logLevel: 'error' });
  } catch (error) {
    return failed(source, `not valid YAML: ${errorText(error)}`);
  }
  if (doc.errors.length > 0) return failed(source, `not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`, doc.errors[0]!.linePos?.[0]?.line);
  let root: Record<string, unknown> | undefined;
  try {
    root = asRecord(doc.toJS({ maxAliasCount: 100 }));
  } catch (error) {
    return failed(source, `YAML could not be evaluated: ${errorText(error)}`);
  }
  if (!root || root.lockfileVersion === undefined) return failed(source, 'not a pnpm lockfile: no lockfileVersion');
  // pnpm writes no tags; a value behind an unknown tag (!!python/…) is read as a plain string at best.
  const tagWarnings = doc.warnings.filter((w) => /tag/i.test(w.message));
  if (tagWarnings.length > 0) {
    const first = tagWarnings[0]!;
    source.findings.push({ rule: 'unparsable-dependency-file', severity: 'low', path, line: first.linePos?.[0]?.line, message: `${tagWarnings.length} ${tagWarnings.length === 1 ? 'value carries' : 'values carry'} a YAML tag pnpm never writes (${first.message.split('\n')[0]!.slice(0, 120)}): ${tagWarnings.length === 1 ? 'it was' : 'they were'} not read as dependencies` });
  }
  if (typeof root.lockfileVersion === 'number') source.findings.push({ rule: 'unparsable-dependency-file', severity: 'info', path, message: `lockfileVersion is the number ${root.lockfileVersion}, where pnpm writes a quoted string: read as version ${String(root.lockfileVersion)}` });
  const lockVersion = String(root.lockfileVersion);
  const major = Number.parseFloat(lockVersion);
  source.label = `pnpm-lock.yaml (lockfileVersion ${lockVersion})`;
  const dir = dirOf(path);
  const importers = asRecord(root.importers) ?? { '.': root };
  const importerPath = (id: string): (string | number)[] => (asRecord(root.importers) ? ['importers', id] : []);
  source.importerDirs = Object.keys(importers).map((id) => joinPath(dir, id));
  const seen = new Set<string>();
  for (const [id, importerValue] of Object.entries(importers)) {
    const importer = asRecord(importerValue);
    if (!importer) continue;
    for (const field of DEP_FIELDS) {
      const keyLines = yamlMapKeyLines(doc, counter, [...importerPath(id), field]);
      for (const [name, value] of Object.entries(asRecord(importer[field]) ?? {})) {
        // v6/v9: { specifier, version }; v5: the version string, with specifiers kept apart.
        const raw = typeof value === 'string' ? value : asRecord(value)?.version;
        if (typeof raw !== 'string') continue;
        if (raw.startsWith('link:') || raw.startsWith('workspace:')) continue;
        let version = raw.replace(/^\//, '').split('(')[0]!;
        if (major < 6) version = version.split('_')[0]!;
        let registryName = name;
        const at = version.lastIndexOf('@');
        if (at > 0) {
          // An alias: "string-width@4.2.3" (v9) or "/string-width@4.2.3" (v6) or "/string-width/4.2.3" (v5).
          registryName = version.slice(0, at);
          version = version.slice(at + 1);
        } else if (major < 6 && version.includes('/')) {
          const cut = version.lastIndexOf('/');
          registryName = version.slice(0, cut);
          version = version.slice(cut + 1);
        }
        const key = `${registryName}@${version}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const notDatable = /^(file:|git|https?:|github)/.test(raw) || semver.valid(version) === null ? `not from the npm registry (${raw.slice(0, 60)})` : undefined;
        source.dependencies.push({ name: registryName, version, direct: true, line: keyLines.get(name), ...(notDatable ? { notDatable } : {}) });
      }
    }
  }
  const all = Object.keys(asRecord(major >= 9 ? root.snapshots : root.packages) ?? asRecord(root.packages) ?? {});
  source.transitiveCount = Math.max(0, all.length - source.dependencies.length);
  return source;
}

// ---------------------------------------------------------------------------------------------
// package.json without a lockfile

export function parsePackageJsonManifest(path: string, text: string): DependencySource {
  const source = emptySource(path, 'package.json', 'package.json (no lockfile)', 'npm', 'manifest');
  const manifest = readManifest(text);
  if (manifest === 'malformed') return failed(source, 'not valid JSON');
  if (!manifest) return source;
  for (const message of manifest.unread) source.findings.push({ rule: 'unparsable-dependency-file', severity: 'low', path, message: `package.json: ${message}` });
  const keyLines = firstLines(text, /"((?:[^"\\\n]|\\.)*)"\s*:/g);
  for (const [name, spec] of manifest.deps) {
    if (spec.startsWith('workspace:') || spec.startsWith('link:') || spec.startsWith('file:')) continue;
    const line = keyLines.get(name);
    const exact = semver.valid(spec.replace(/^=/, ''));
    const notDatable = nonRegistrySpec(spec);
    if (exact && !notDatable) source.dependencies.push({ name, version: exact, direct: true, line });
    else if (notDatable) source.dependencies.push({ name, version: spec, direct: true, line, notDatable });
    else source.unpinned.push({ name, spec, line });
  }
  return source;
}

/** package.json declares dependencies that a lockfile should pin. */
export function manifestDeclaresDependencies(text: string | undefined): boolean {
  const m = readManifest(text);
  return !!m && m !== 'malformed' && [...m.deps.values()].some((spec) => !spec.startsWith('workspace:') && !spec.startsWith('link:') && !spec.startsWith('file:'));
}
