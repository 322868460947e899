// go.mod, Cargo.lock / Cargo.toml, Gemfile.lock / Gemfile, .terraform.lock.hcl, Maven pom.xml and Gradle
// version catalogs.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import semver from 'semver';
import { parse as parseToml, TomlError } from 'smol-toml';
import { asRecord, conflictMarkerLine, emptySource, errorText, failed, firstLines, type DependencySource } from '../model.ts';
import { lineIndex } from '../../shared/text.ts';

function tomlFailure(source: DependencySource, error: unknown): DependencySource {
  return failed(source, `not valid TOML: ${errorText(error)}`, error instanceof TomlError ? error.line : undefined);
}

// ---------------------------------------------------------------------------------------------
// go.mod: the build list of Go ≥ 1.17 modules; "// indirect" marks transitive requirements.

const GO_MODULE_PATH = /^[A-Za-z0-9][A-Za-z0-9._~\-/+!]*$/;

export function parseGoMod(path: string, text: string): DependencySource {
  const source = emptySource(path, 'go.mod', 'go.mod', 'go', 'lockfile');
  const conflict = conflictMarkerLine(text);
  if (conflict) return failed(source, 'unresolved merge conflict markers: go cannot read this file', conflict);
  const requires: { path: string; version: string; indirect: boolean; line: number }[] = [];
  const replaces = new Map<string, { to: string; version?: string; line: number }>();
  let block: 'require' | 'replace' | 'other' | undefined;
  let blockStart = 0;
  let sawModule = false;
  const unquote = (s: string) => s.replace(/^"(.*)"$/, '$1').replace(/^`(.*)`$/, '$1');
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const comment = raw.indexOf('//');
    const indirect = comment >= 0 && /^\/\/\s*indirect\b/.test(raw.slice(comment).trim());
    const line = (comment >= 0 ? raw.slice(0, comment) : raw).trim();
    if (line === '') continue;
    if (block) {
      if (line === ')') {
        block = undefined;
        continue;
      }
      if (block === 'require') {
        const m = /^(\S+)\s+(\S+)$/.exec(line);
        if (!m || !GO_MODULE_PATH.test(unquote(m[1]!))) return failed(source, `malformed require line: "${line.slice(0, 80)}"`, i + 1);
        requires.push({ path: unquote(m[1]!), version: m[2]!, indirect, line: i + 1 });
      } else if (block === 'replace') addReplace(line, i + 1);
      continue;
    }
    const directive = /^(module|go|toolchain|require|replace|exclude|retract|tool|godebug|ignore)\b\s*(.*)$/.exec(line);
    if (!directive) return failed(source, `unknown directive: "${line.slice(0, 80)}"`, i + 1);
    const [, verb, rest] = directive as unknown as [string, string, string];
    if (verb === 'module') sawModule = true;
    if (rest === '(') {
      block = verb === 'require' ? 'require' : verb === 'replace' ? 'replace' : 'other';
      blockStart = i + 1;
      continue;
    }
    if (verb === 'require') {
      const m = /^(\S+)\s+(\S+)$/.exec(rest);
      if (!m) return failed(source, `malformed require line: "${line.slice(0, 80)}"`, i + 1);
      requires.push({ path: unquote(m[1]!), version: m[2]!, indirect, line: i + 1 });
    } else if (verb === 'replace') addReplace(rest, i + 1);
  }
  if (block) return failed(source, `the ${block === 'other' ? '' : `${block} `}block opened here is never closed`, blockStart);
  if (!sawModule) return failed(source, 'no module directive: not a go.mod file');

  function addReplace(spec: string, line: number): void {
    const m = /^(\S+)(?:\s+(\S+))?\s+=>\s+(\S+)(?:\s+(\S+))?$/.exec(spec);
    if (m) replaces.set(`${unquote(m[1]!)}${m[2] ? `@${m[2]}` : ''}`, { to: unquote(m[3]!), version: m[4], line });
  }

  for (const r of requires) {
    if (r.indirect) {
      source.transitiveCount++;
      continue;
    }
    const replacement = replaces.get(`${r.path}@${r.version}`) ?? replaces.get(r.path);
    if (replacement && !replacement.version) {
      source.dependencies.push({ name: r.path, version: r.version, direct: true, line: r.line, notDatable: `replaced by the local directory ${replacement.to}` });
    } else if (replacement) {
      source.dependencies.push({ name: replacement.to, version: replacement.version!, direct: true, line: replacement.line });
    } else {
      source.dependencies.push({ name: r.path, version: r.version, direct: true, line: r.line });
    }
  }
  return source;
}

// ---------------------------------------------------------------------------------------------
// Cargo.lock: workspace members are the packages without a source; their dependencies are direct.

const CRATES_IO = /^(registry\+https:\/\/github\.com\/rust-lang\/crates\.io-index|sparse\+https:\/\/index\.crates\.io\/)$/;

export function parseCargoLock(path: string, text: string): DependencySource {
  const source = emptySource(path, 'cargo-lock', 'Cargo.lock', 'cargo', 'lockfile');
  const conflict = conflictMarkerLine(text);
  if (conflict) return failed(source, 'unresolved merge conflict markers: cargo cannot read this lockfile', conflict);
  let data: Record<string, unknown>;
  try {
    data = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    return tomlFailure(source, error);
  }
  if (data.version !== undefined) source.label = `Cargo.lock (version ${String(data.version)})`;
  const packages = Array.isArray(data.package) ? data.package.map(asRecord).filter((p) => p !== undefined) : [];
  if (packages.length === 0) return failed(source, 'no [[package]] entries: not a Cargo lockfile');
  const members = packages.filter((p) => p.source === undefined);
  const lines = new Map<string, number>();
  const all = text.split('\n');
  all.forEach((line, i) => {
    const n = /^name\s*=\s*"([^"]+)"/.exec(line);
    const v = n ? /^version\s*=\s*"([^"]+)"/.exec(all[i + 1] ?? '') : null;
    if (n && v) lines.set(`${n[1]}@${v[1]}`, i + 1);
  });
  const direct = new Set<Record<string, unknown>>();
  const wanted = members.length > 0 ? members.flatMap((m) => (Array.isArray(m.dependencies) ? m.dependencies.filter((d): d is string => typeof d === 'string') : [])) : packages.map((p) => `${String(p.name)} ${String(p.version)}`);
  if (members.length === 0) source.findings.push({ rule: 'direct-dependencies-unknown', severity: 'low', path, message: 'no workspace member (a package without a source) in the lockfile: every locked crate is judged as direct' });
  const byName = new Map<unknown, Record<string, unknown>[]>();
  for (const p of packages) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  for (const spec of wanted) {
    // "serde", "serde 1.0.210" or "serde 1.0.210 (registry+…)".
    const [name, version] = spec.split(' ');
    for (const p of byName.get(name) ?? []) {
      if ((version && p.version !== version) || direct.has(p) || p.source === undefined) continue;
      direct.add(p);
      const src = String(p.source);
      const notDatable = CRATES_IO.test(src) ? undefined : src.startsWith('git+') ? 'from git, not crates.io' : `from another registry (${src.slice(0, 60)}), not crates.io`;
      source.dependencies.push({ name: String(p.name), version: String(p.version), direct: true, line: lines.get(`${String(p.name)}@${String(p.version)}`), ...(notDatable ? { notDatable } : {}) });
    }
  }
  source.transitiveCount = packages.length - members.length - direct.size;
  return source;
}

function cargoTables(data: Record<string, unknown>): Record<string, unknown>[] {
  const tables = [data.dependencies, data['dev-dependencies'], data['build-dependencies'], asRecord(data.workspace)?.dependencies];
  for (const target of Object.values(asRecord(data.target) ?? {})) {
    const t = asRecord(target);
    tables.push(t?.dependencies, t?.['dev-dependencies'], t?.['build-dependencies']);
  }
  return tables.map(asRecord).filter((t) => t !== undefined);
}

export function cargoTomlDeclaresDependencies(text: string | undefined): boolean {
  if (text === undefined) return false;
  try {
    return cargoTables(parseToml(text) as Record<string, unknown>).some((t) => Object.keys(t).length > 0);
  } catch {
    return false;
  }
}

/** Cargo.toml without a Cargo.lock: only "=1.2.3" requirements are exact. */
export function parseCargoTomlManifest(path: string, text: string): DependencySource {
  const source = emptySource(path, 'cargo-toml', 'Cargo.toml (no lockfile)', 'cargo', 'manifest');
  let data: Record<string, unknown>;
  try {
    data = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    return tomlFailure(source, error);
  }
  const keyLines = firstLines(text, /^\s*"?([A-Za-z0-9_-]+)"?\s*=/gm);
  for (const table of cargoTables(data)) {
    for (const [key, value] of Object.entries(table)) {
      const v = asRecord(value);
      if (v?.workspace === true || v?.path !== undefined) continue;
      const name = typeof v?.package === 'string' ? v.package : key;
      const spec = typeof value === 'string' ? value : typeof v?.version === 'string' ? v.version : '';
      const line = keyLines.get(key);
      if (v?.git !== undefined) source.dependencies.push({ name, version: '?', direct: true, line, notDatable: 'from git, not crates.io' });
      else if (/^=\s*\d/.test(spec) && semver.valid(spec.replace(/^=\s*/, ''))) source.dependencies.push({ name, version: spec.replace(/^=\s*/, ''), direct: true, line });
      else source.unpinned.push({ name, spec: spec || '(any version)', line });
    }
  }
  return source;
}

// ---------------------------------------------------------------------------------------------
// Gemfile.lock: GEM specs give versions; DEPENDENCIES names the direct gems.

const PLATFORM_SUFFIX = /-(x86|x64|arm|aarch64|universal|java|jruby|mingw|mswin|i386|i686|x86_64|darwin|linux|musl|wasm)[\w.-]*$/;

export function parseGemfileLock(path: string, text: string): DependencySource {
  const source = emptySource(path, 'gemfile-lock', path.split('/').pop()!, 'rubygems', 'lockfile');
  const conflict = conflictMarkerLine(text);
  if (conflict) return failed(source, 'unresolved merge conflict markers: Bundler cannot read this lockfile', conflict);
  const specs = new Map<string, { version: string; line: number; origin: 'GEM' | 'GIT' | 'PATH' | 'OTHER' }>();
  const direct: { name: string; line: number; pinnedToSource: boolean }[] = [];
  let section = '';
  let sawGem = false;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^[A-Z]/.test(line)) {
      section = line.trim();
      if (section === 'GEM') sawGem = true;
      continue;
    }
    if (line.trim() === '') continue;
    if (['GEM', 'GIT', 'PATH', 'PLUGIN SOURCE'].includes(section)) {
      const spec = /^ {4}([A-Za-z0-9._-]+) \(([^)]+)\)$/.exec(line);
      if (spec) {
        const version = spec[2]!.replace(PLATFORM_SUFFIX, '');
        if (!specs.has(spec[1]!)) specs.set(spec[1]!, { version, line: i + 1, origin: section === 'PLUGIN SOURCE' ? 'OTHER' : (section as 'GEM' | 'GIT' | 'PATH') });
      } else if (/^ {4}\S/.test(line)) {
        return failed(source, `malformed spec line in ${section}: "${line.trim().slice(0, 80)}"`, i + 1);
      }
    } else if (section === 'DEPENDENCIES') {
      const dep = /^ {2}([A-Za-z0-9._-]+)(!)?(?: \(([^)]*)\))?$/.exec(line);
      if (dep) direct.push({ name: dep[1]!, line: i + 1, pinnedToSource: dep[2] === '!' });
      else if (/^ {2}\S/.test(line)) return failed(source, `malformed DEPENDENCIES line: "${line.trim().slice(0, 80)}"`, i + 1);
    }
  }
  if (!sawGem && specs.size === 0) return failed(source, 'no GEM section: not a Bundler lockfile');
  const directNames = new Set(direct.map((d) => d.name));
  for (const d of direct) {
    const spec = specs.get(d.name);
    if (!spec) continue; // e.g. platform-specific gems not resolved for this platform
    const notDatable = spec.origin === 'GIT' ? 'from git, not RubyGems' : spec.origin === 'PATH' ? 'from a local path, not RubyGems' : spec.origin === 'OTHER' ? 'from a plugin source, not RubyGems' : undefined;
    source.dependencies.push({ name: d.name, version: spec.version, direct: true, line: spec.line, ...(notDatable ? { notDatable } : {}) });
  }
  source.transitiveCount = [...specs.keys()].filter((n) => !directNames.has(n)).length;
  return source;
}

/** Gemfile without a lockfile: `gem "name", "1.2.3"` (or "= 1.2.3") is exact; anything else is a range. */
export function parseGemfileManifest(path: string, text: string): DependencySource {
  const source = emptySource(path, 'gemfile', `${path.split('/').pop()} (no lockfile)`, 'rubygems', 'manifest');
  text.split(/\r?\n/).forEach((line, i) => {
    const m = /^\s*gem\s*\(?\s*['"]([A-Za-z0-9._-]+)['"]\s*(.*)$/.exec(line);
    if (!m) return;
    const rest = m[2]!.replace(/#.*$/, '');
    if (/\b(git|github|path|gitlab|bitbucket)\s*(:|=>)/.test(rest)) {
      source.dependencies.push({ name: m[1]!, version: '?', direct: true, line: i + 1, notDatable: 'from git or a path, not RubyGems' });
      return;
    }
    const requirements = [...rest.matchAll(/['"]([^'"]+)['"]/g)].map((r) => r[1]!.trim());
    const exact = requirements.length === 1 ? /^(?:=\s*)?(\d[\w.]*)$/.exec(requirements[0]!)?.[1] : undefined;
    if (exact) source.dependencies.push({ name: m[1]!, version: exact, direct: true, line: i + 1 });
    else source.unpinned.push({ name: m[1]!, spec: requirements.join(', ') || '(any version)', line: i + 1 });
  });
  return source;
}

// ---------------------------------------------------------------------------------------------
// .terraform.lock.hcl: one provider block per provider the configuration (and its modules) uses.

const PUBLIC_TERRAFORM_HOSTS = new Set(['registry.terraform.io', 'registry.opentofu.org']);

export function parseTerraformLock(path: string, text: string): DependencySource {
  const source = emptySource(path, 'terraform-lock', '.terraform.lock.hcl', 'terraform-provider', 'lockfile');
  const conflict = conflictMarkerLine(text);
  if (conflict) return failed(source, 'unresolved merge conflict markers: terraform init cannot read this lockfile', conflict);
  let open: { address: string; line: number; version?: string } | undefined;
  let depth = 0;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/^\s*(#|\/\/).*$/, '').trim();
    if (line === '') continue;
    if (!open) {
      const start = /^provider\s+"([^"]+)"\s*\{$/.exec(line);
      if (!start) return failed(source, `expected a provider block, found "${line.slice(0, 80)}"`, i + 1);
      open = { address: start[1]!, line: i + 1 };
      depth = 1;
      continue;
    }
    const version = depth === 1 ? /^version\s*=\s*"([^"]+)"$/.exec(line) : null;
    if (version) open.version = version[1];
    depth += (line.match(/[[{]/g)?.length ?? 0) - (line.match(/[\]}]/g)?.length ?? 0);
    if (depth === 0) {
      if (!open.version) return failed(source, `provider "${open.address}" has no version`, open.line);
      const parts = open.address.split('/');
      if (parts.length !== 3) return failed(source, `provider address "${open.address}" is not hostname/namespace/type`, open.line);
      const [host, namespace, type] = parts as [string, string, string];
      const name = `${namespace}/${type}`;
      const notDatable = PUBLIC_TERRAFORM_HOSTS.has(host) ? undefined : `from the registry at ${host}, not the public Terraform registry`;
      source.dependencies.push({ name, version: open.version, direct: true, line: open.line, ...(notDatable ? { notDatable } : {}) });
      open = undefined;
    } else if (depth < 0) return failed(source, 'unbalanced braces', i + 1);
  }
  if (open) return failed(source, `provider "${open.address}" block is never closed`, open.line);
  return source;
}

// ---------------------------------------------------------------------------------------------
// Maven pom.xml: literal versions (or a property of this pom holding one) of dependencies, managed
// dependencies and the parent. Versions inherited or computed elsewhere are counted, not judged.

const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false, processEntities: false, isArray: (name) => name === 'dependency' });

export function parsePom(path: string, text: string): DependencySource {
  const source = emptySource(path, 'maven', 'pom.xml (literal versions only)', 'maven', 'manifest');
  let valid: ReturnType<typeof XMLValidator.validate>;
  try {
    valid = XMLValidator.validate(text);
  } catch (error) {
    return failed(source, `not readable as XML: ${errorText(error)}`);
  }
  if (valid !== true) return failed(source, `not well-formed XML: ${valid.err.msg}`, valid.err.line);
  let project: Record<string, unknown> | undefined;
  try {
    project = asRecord(asRecord(xml.parse(text))?.project);
  } catch (error) {
    return failed(source, `not readable as XML: ${errorText(error)}`);
  }
  if (!project) return failed(source, 'no <project> element: not a Maven POM');
  const properties = asRecord(project.properties) ?? {};
  const lineOf = lineIndex(text);
  const artifactOffsets = new Map<string, number[]>();
  for (const m of text.matchAll(/<artifactId>\s*([^<]*?)\s*<\/artifactId>/g)) artifactOffsets.set(m[1]!, [...(artifactOffsets.get(m[1]!) ?? []), m.index]);
  const resolve = (raw: unknown): string | undefined => {
    if (typeof raw !== 'string') return undefined;
    const v = raw.trim();
    const prop = /^\$\{([^}]+)\}$/.exec(v);
    if (prop) {
      const value = properties[prop[1]!];
      return typeof value === 'string' && !value.includes('${') ? value.trim() : undefined;
    }
    return v.includes('${') ? undefined : v;
  };
  const entries: Record<string, unknown>[] = [];
  const parent = asRecord(project.parent);
  if (parent) entries.push(parent);
  for (const holder of [asRecord(project.dependencies), asRecord(asRecord(project.dependencyManagement)?.dependencies)]) {
    for (const dep of (holder?.dependency as unknown[] | undefined) ?? []) {
      const d = asRecord(dep);
      if (d) entries.push(d);
    }
  }
  for (const d of entries) {
    const group = typeof d.groupId === 'string' ? d.groupId.trim() : undefined;
    const artifact = typeof d.artifactId === 'string' ? d.artifactId.trim() : undefined;
    if (!group || !artifact || group.includes('${')) continue;
    // The same artifact may appear more than once (managed and used): take its occurrences in turn.
    const at = artifactOffsets.get(artifact)?.shift();
    const line = at !== undefined ? lineOf(at) : undefined;
    const name = `${group}:${artifact}`;
    const version = resolve(d.version);
    if (version && !/[[\]()]/.test(version)) source.dependencies.push({ name, version, direct: true, line });
    else source.unpinned.push({ name, spec: typeof d.version === 'string' ? d.version.trim() : '(managed elsewhere)', line });
  }
  return source;
}

// ---------------------------------------------------------------------------------------------
// Gradle version catalogs (gradle/libs.versions.toml): libraries with a literal version.

export function parseGradleCatalog(path: string, text: string): DependencySource {
  const source = emptySource(path, 'gradle-catalog', `${path.split('/').pop()} (literal versions only)`, 'maven', 'manifest');
  let data: Record<string, unknown>;
  try {
    data = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    return tomlFailure(source, error);
  }
  const versions = asRecord(data.versions) ?? {};
  const literal = (value: unknown): string | undefined => {
    if (typeof value === 'string') return /^[\w.-]+$/.test(value) ? value : undefined;
    const rich = asRecord(value);
    if (!rich) return undefined;
    if (typeof rich.ref === 'string') return literal(versions[rich.ref]);
    for (const key of ['strictly', 'require', 'prefer']) if (typeof rich[key] === 'string') return literal(rich[key]);
    return undefined;
  };
  const librariesAt = Math.max(0, text.search(/^\[libraries\]/m));
  const aliasLines = firstLines(text.slice(librariesAt), /^\s*"?([A-Za-z0-9._-]+)"?\s*=/gm);
  const offsetLines = lineIndex(text)(librariesAt) - 1;
  for (const [alias, value] of Object.entries(asRecord(data.libraries) ?? {})) {
    let module: string | undefined;
    let version: string | undefined;
    let spec = '';
    if (typeof value === 'string') {
      const parts = value.split(':');
      module = parts.slice(0, 2).join(':');
      spec = parts[2] ?? '';
      version = literal(parts[2]);
    } else {
      const lib = asRecord(value) ?? {};
      module = typeof lib.module === 'string' ? lib.module : typeof lib.group === 'string' && typeof lib.name === 'string' ? `${lib.group}:${lib.name}` : undefined;
      version = literal(lib.version);
      spec = JSON.stringify(lib.version ?? '');
    }
    if (!module || !module.includes(':')) continue;
    const aliasLine = aliasLines.get(alias);
    const line = aliasLine !== undefined ? aliasLine + offsetLines : undefined;
    if (version) source.dependencies.push({ name: module, version, direct: true, line });
    else source.unpinned.push({ name: module, spec: spec || '(from a platform or BOM)', line });
  }
  return source;
}
