// PyPI ecosystem: poetry.lock, uv.lock, Pipfile.lock, pinned requirements*.txt, and pyproject.toml or
// Pipfile on their own where no lockfile answers for them.
import { parse as parseToml, TomlError } from 'smol-toml';
import { asRecord, conflictMarkerLine, dirOf, emptySource, errorText, failed, firstLines, joinPath, pep503, type DependencySource, type ReadContext } from '../model.ts';
import { lineIndex } from '../../shared/text.ts';

/** PEP 508 requirement → normalised name (extras, markers and specifiers dropped). */
export function pep508Name(requirement: string): string | undefined {
  const m = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/.exec(requirement);
  return m ? pep503(m[1]!) : undefined;
}

/** The exact version of a "==1.2.3" / "===1.2.3" specifier, when that is all it says. */
function exactPin(spec: string): string | undefined {
  const m = /^\s*===?\s*([A-Za-z0-9][A-Za-z0-9.+!_-]*)\s*$/.exec(spec);
  return m && !m[1]!.includes('*') ? m[1] : undefined;
}

function tomlFailure(source: DependencySource, error: unknown): DependencySource {
  const line = error instanceof TomlError ? error.line : undefined;
  return failed(source, `not valid TOML: ${errorText(error)}`, line);
}

/** Line of `name = "x"` inside each `[[package]]` block, by normalised name and version. */
function tomlPackageLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  const all = text.split('\n');
  let name: string | undefined;
  let nameLine = 0;
  all.forEach((line, i) => {
    if (/^\[\[package\]\]/.test(line)) name = undefined;
    const n = /^name\s*=\s*"([^"]+)"/.exec(line);
    if (n) {
      name = pep503(n[1]!);
      nameLine = i + 1;
      if (!lines.has(name)) lines.set(name, nameLine);
    }
    const v = /^version\s*=\s*"([^"]+)"/.exec(line);
    if (v && name) lines.set(`${name}@${v[1]}`, nameLine);
  });
  return lines;
}

interface PyprojectDirect {
  names: Set<string>;
  /** Declared requirement per name, for manifests read without a lockfile. */
  specs: Map<string, { spec: string }>;
}

function readPyproject(text: string): PyprojectDirect | 'malformed' {
  let data: Record<string, unknown>;
  try {
    data = parseToml(text) as Record<string, unknown>;
  } catch {
    return 'malformed';
  }
  const names = new Set<string>();
  const specs = new Map<string, { spec: string }>();
  const addPep508 = (requirement: unknown) => {
    if (typeof requirement !== 'string') return;
    const name = pep508Name(requirement);
    if (!name) return;
    names.add(name);
    const rest = requirement.replace(/^\s*[A-Za-z0-9._-]+\s*(\[[^\]]*\])?/, '').split(';')[0]!.trim();
    if (!specs.has(name)) specs.set(name, { spec: rest });
  };
  const project = asRecord(data.project);
  (Array.isArray(project?.dependencies) ? project.dependencies : []).forEach(addPep508);
  for (const list of Object.values(asRecord(project?.['optional-dependencies']) ?? {})) if (Array.isArray(list)) list.forEach(addPep508);
  for (const list of Object.values(asRecord(data['dependency-groups']) ?? {})) if (Array.isArray(list)) list.forEach(addPep508);
  const poetry = asRecord(asRecord(data.tool)?.poetry);
  const poetryTables = [poetry?.dependencies, poetry?.['dev-dependencies'], ...Object.values(asRecord(poetry?.group) ?? {}).map((g) => asRecord(g)?.dependencies)];
  for (const table of poetryTables) {
    for (const [key, value] of Object.entries(asRecord(table) ?? {})) {
      if (key.toLowerCase() === 'python') continue;
      const name = pep503(key);
      names.add(name);
      // Poetry: a bare "1.2.3" is an exact requirement, like "==1.2.3".
      const spec = typeof value === 'string' ? value : typeof asRecord(value)?.version === 'string' ? String(asRecord(value)!.version) : asRecord(value)?.git || asRecord(value)?.path || asRecord(value)?.url ? 'non-registry' : '';
      if (!specs.has(name)) specs.set(name, { spec: /^\d/.test(spec) ? `==${spec}` : spec });
    }
  }
  return { names, specs };
}

export function parsePoetryLock(path: string, text: string, ctx: ReadContext): DependencySource {
  const source = emptySource(path, 'poetry', 'poetry.lock', 'pypi', 'lockfile');
  const conflict = conflictMarkerLine(text);
  if (conflict) return failed(source, 'unresolved merge conflict markers: Poetry cannot read this lockfile', conflict);
  let data: Record<string, unknown>;
  try {
    data = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    return tomlFailure(source, error);
  }
  const packages = Array.isArray(data.package) ? data.package.map(asRecord).filter((p) => p !== undefined) : [];
  const lockVersion = asRecord(data.metadata)?.['lock-version'];
  if (lockVersion !== undefined) source.label = `poetry.lock (lock-version ${String(lockVersion)})`;
  const pyprojectPath = joinPath(dirOf(path), 'pyproject.toml');
  const pyprojectText = ctx.text(pyprojectPath);
  const pyproject = pyprojectText === undefined ? undefined : readPyproject(pyprojectText);
  const directNames = pyproject && pyproject !== 'malformed' ? pyproject.names : undefined;
  if (!directNames) source.findings.push({ rule: 'direct-dependencies-unknown', severity: 'low', path, message: `${pyprojectPath} is ${pyproject === 'malformed' ? 'not valid TOML' : 'missing or unreadable'}: direct dependencies are unknown, so every locked package is judged as direct` });
  const lines = tomlPackageLines(text);
  for (const p of packages) {
    if (typeof p.name !== 'string' || typeof p.version !== 'string') continue;
    const name = pep503(p.name);
    if (directNames && !directNames.has(name)) {
      source.transitiveCount++;
      continue;
    }
    const sourceType = asRecord(p.source)?.type;
    const notDatable = typeof sourceType === 'string' && sourceType !== 'legacy' ? `installed from a ${sourceType} source, not PyPI` : undefined;
    source.dependencies.push({ name, version: p.version, direct: true, line: lines.get(`${name}@${p.version}`), ...(notDatable ? { notDatable } : {}) });
  }
  return source;
}

export function parseUvLock(path: string, text: string): DependencySource {
  const source = emptySource(path, 'uv', 'uv.lock', 'pypi', 'lockfile');
  const conflict = conflictMarkerLine(text);
  if (conflict) return failed(source, 'unresolved merge conflict markers: uv cannot read this lockfile', conflict);
  let data: Record<string, unknown>;
  try {
    data = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    return tomlFailure(source, error);
  }
  if (data.version !== undefined) source.label = `uv.lock (version ${String(data.version)})`;
  const packages = Array.isArray(data.package) ? data.package.map(asRecord).filter((p) => p !== undefined) : [];
  const isLocal = (p: Record<string, unknown>) => {
    const src = asRecord(p.source);
    return !!src && ('editable' in src || 'virtual' in src || 'workspace' in src);
  };
  const members = packages.filter(isLocal);
  if (members.length === 0) return failed(source, 'no project of this repository (a package with an editable, virtual or workspace source) in the lockfile: direct dependencies are unknown');
  const dir = dirOf(path);
  source.importerDirs = members.map((m) => {
    const src = asRecord(m.source)!;
    const rel = src.editable ?? src.virtual ?? '.';
    return joinPath(dir, typeof rel === 'string' ? rel : '.');
  });
  const memberNames = new Set(members.map((m) => pep503(String(m.name))));
  const wanted: { name: string; version?: string }[] = [];
  for (const m of members) {
    const lists: unknown[] = [m.dependencies, ...Object.values(asRecord(m['optional-dependencies']) ?? {}), ...Object.values(asRecord(m['dev-dependencies']) ?? {})];
    for (const list of lists) {
      if (!Array.isArray(list)) continue;
      for (const dep of list.map(asRecord)) if (dep && typeof dep.name === 'string') wanted.push({ name: pep503(dep.name), version: typeof dep.version === 'string' ? dep.version : undefined });
    }
  }
  const lines = tomlPackageLines(text);
  const direct = new Set<Record<string, unknown>>();
  const byName = new Map<string, Record<string, unknown>[]>();
  for (const p of packages) byName.set(pep503(String(p.name)), [...(byName.get(pep503(String(p.name))) ?? []), p]);
  for (const w of wanted) {
    if (memberNames.has(w.name)) continue;
    for (const p of byName.get(w.name) ?? []) {
      if ((w.version && p.version !== w.version) || direct.has(p)) continue;
      direct.add(p);
      if (typeof p.version !== 'string') continue;
      const src = asRecord(p.source) ?? {};
      const notDatable = 'registry' in src ? undefined : `installed from ${Object.keys(src)[0] ?? 'an unknown'} source, not PyPI`;
      source.dependencies.push({ name: w.name, version: p.version, direct: true, line: lines.get(`${w.name}@${p.version}`), ...(notDatable ? { notDatable } : {}) });
    }
  }
  source.transitiveCount = packages.length - members.length - direct.size;
  return source;
}

export function parsePipfileLock(path: string, text: string, ctx: ReadContext): DependencySource {
  const source = emptySource(path, 'pipfile-lock', 'Pipfile.lock', 'pypi', 'lockfile');
  const conflict = conflictMarkerLine(text);
  if (conflict) return failed(source, 'unresolved merge conflict markers: pipenv cannot read this lockfile', conflict);
  let root: Record<string, unknown> | undefined;
  try {
    root = asRecord(JSON.parse(text));
  } catch (error) {
    return failed(source, `not valid JSON: ${errorText(error)}`);
  }
  if (!root || (!asRecord(root.default) && !asRecord(root.develop))) return failed(source, 'not a Pipfile.lock: no "default" or "develop" section');
  const pipfilePath = joinPath(dirOf(path), 'Pipfile');
  const pipfile = readPipfile(ctx.text(pipfilePath));
  if (!pipfile) source.findings.push({ rule: 'direct-dependencies-unknown', severity: 'low', path, message: `${pipfilePath} is missing or not valid TOML: direct dependencies are unknown, so every locked package is judged as direct` });
  const lineOf = lineIndex(text);
  for (const section of ['default', 'develop']) {
    for (const [rawName, value] of Object.entries(asRecord(root[section]) ?? {})) {
      const entry = asRecord(value);
      const name = pep503(rawName);
      if (!entry) continue;
      if (pipfile && !pipfile.has(name)) {
        source.transitiveCount++;
        continue;
      }
      const at = text.indexOf(`"${rawName}": {`);
      const line = at >= 0 ? lineOf(at) : undefined;
      const version = typeof entry.version === 'string' ? exactPin(entry.version) : undefined;
      if (version) source.dependencies.push({ name, version, direct: true, line });
      else source.dependencies.push({ name, version: String(entry.ref ?? entry.path ?? '?'), direct: true, line, notDatable: `installed from ${entry.git ? 'git' : entry.path ? 'a path' : 'a non-registry source'}, not PyPI` });
    }
  }
  return source;
}

function readPipfile(text: string | undefined): Map<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const data = parseToml(text) as Record<string, unknown>;
    const names = new Map<string, unknown>();
    for (const section of ['packages', 'dev-packages']) for (const [k, v] of Object.entries(asRecord(data[section]) ?? {})) names.set(pep503(k), v);
    return names;
  } catch {
    return undefined;
  }
}

/** Pipfile without Pipfile.lock: exact "==" pins only. */
export function parsePipfileManifest(path: string, text: string): DependencySource {
  const source = emptySource(path, 'pipfile', 'Pipfile (no lockfile)', 'pypi', 'manifest');
  const deps = readPipfile(text);
  if (!deps) return failed(source, 'not valid TOML');
  const keyLines = firstLines(text, /^\s*"?([A-Za-z0-9._-]+)"?\s*=/gm, pep503);
  for (const [name, value] of deps) {
    const spec = typeof value === 'string' ? value : typeof asRecord(value)?.version === 'string' ? String(asRecord(value)!.version) : '*';
    const line = keyLines.get(name);
    const pin = exactPin(spec);
    if (pin) source.dependencies.push({ name, version: pin, direct: true, line });
    else source.unpinned.push({ name, spec, line });
  }
  return source;
}

/** pyproject.toml without a lockfile: exact pins only. */
export function parsePyprojectManifest(path: string, text: string): DependencySource {
  const source = emptySource(path, 'pyproject', 'pyproject.toml (no lockfile)', 'pypi', 'manifest');
  const data = readPyproject(text);
  if (data === 'malformed') return failed(source, 'not valid TOML');
  // Table keys (Poetry) and the first word of each string (PEP 508 requirements in arrays).
  const keyLines = firstLines(text, /(?:^\s*"?|["'])([A-Za-z0-9][A-Za-z0-9._-]*)/gm, pep503);
  for (const [name, { spec }] of data.specs) {
    const line = keyLines.get(name);
    const pin = exactPin(spec);
    if (spec === 'non-registry') source.dependencies.push({ name, version: '?', direct: true, line, notDatable: 'installed from git, a path or a URL, not PyPI' });
    else if (pin) source.dependencies.push({ name, version: pin, direct: true, line });
    else source.unpinned.push({ name, spec: spec || '(any version)', line });
  }
  return source;
}

export function pyprojectDeclaresDependencies(text: string | undefined): boolean {
  if (text === undefined) return false;
  const data = readPyproject(text);
  return data !== 'malformed' && data.names.size > 0;
}

// ---------------------------------------------------------------------------------------------
// requirements*.txt

export function parseRequirements(path: string, text: string): DependencySource {
  const name = path.split('/').pop()!;
  const source = emptySource(path, 'requirements', name, 'pypi', 'lockfile');
  const conflict = conflictMarkerLine(text);
  if (conflict) return failed(source, 'unresolved merge conflict markers: pip cannot read this file', conflict);
  if (text.includes('\u0000')) return failed(source, 'binary content, not a requirements file');
  const rawLines = text.split(/\r?\n/);
  interface Req {
    line: number;
    text: string;
    via: string[];
  }
  const reqs: Req[] = [];
  let sawVia = false;
  let current: Req | undefined;
  let inVia = false;
  for (let i = 0; i < rawLines.length; i++) {
    const startLine = i + 1;
    // Continuations: "pkg==1.0 \" followed by "--hash=…" lines, joined once.
    const parts = [rawLines[i]!];
    while (parts[parts.length - 1]!.trimEnd().endsWith('\\') && i + 1 < rawLines.length) {
      parts[parts.length - 1] = parts[parts.length - 1]!.trimEnd().slice(0, -1);
      parts.push(rawLines[++i]!);
    }
    const line = parts.join(' ');
    const trimmed = line.trim();
    const via = /^#\s*via\b\s*(.*)$/.exec(trimmed);
    if (via) {
      sawVia = true;
      inVia = true;
      if (current && via[1]) current.via.push(via[1].trim());
      continue;
    }
    if (inVia && /^#\s{2,}\S/.test(trimmed)) {
      current?.via.push(trimmed.replace(/^#\s*/, ''));
      continue;
    }
    inVia = false;
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (trimmed.startsWith('-')) continue; // -r, -c, -e, --index-url, --hash…: options, not pins
    current = { line: startLine, text: trimmed.replace(/\s+#.*$/, '').replace(/\s--hash[= ]\S+/g, '').trim(), via: [] };
    reqs.push(current);
  }
  let notUnderstood = 0;
  for (const req of reqs) {
    const name = pep508Name(req.text);
    const afterName = req.text.replace(/^\s*[A-Za-z0-9._-]+\s*(\[[^\]]*\])?/, '');
    if (!name || (afterName.trim() !== '' && !/^\s*(===?|[<>!~]=?|@|;|\(|,)/.test(afterName))) {
      if (++notUnderstood <= 5) source.findings.push({ rule: 'unparsable-dependency-file', severity: 'low', path, line: req.line, message: `not a requirement pip understands: "${req.text.slice(0, 80)}"` });
      continue;
    }
    // pip-compile and uv annotate each pin with where it came from; "-r requirements.in" or a project file means direct.
    const direct = !sawVia || req.via.some((v) => /^-r\s|\((pyproject\.toml|setup\.cfg|setup\.py)\)/.test(v));
    if (/^\s*@/.test(afterName)) {
      if (direct) source.dependencies.push({ name, version: '?', direct: true, line: req.line, notDatable: 'installed from a URL, not PyPI' });
      continue;
    }
    const pin = exactPin(afterName.split(';')[0]!);
    if (!direct) {
      source.transitiveCount++;
      continue;
    }
    if (pin) source.dependencies.push({ name, version: pin, direct: true, line: req.line });
    else source.unpinned.push({ name, spec: afterName.split(';')[0]!.trim() || '(any version)', line: req.line });
  }
  if (notUnderstood > 5) source.findings.push({ rule: 'unparsable-dependency-file', severity: 'low', path, message: `${notUnderstood - 5} more lines pip would not understand` });
  // A requirements file with ranges is a manifest; only a fully pinned one locks anything.
  if (source.unpinned.length > 0) {
    source.kind = 'manifest';
    source.label = `${name} (not fully pinned)`;
  }
  return source;
}
