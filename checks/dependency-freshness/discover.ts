// Finds the lockfiles and manifests of a repository, reads each with its parser, and works out which
// manifests a committed lockfile answers for.
import picomatch from 'picomatch';
import type { Finding, RepoSnapshot } from '../contract.ts';
import type { Rule } from './rules.ts';
import { dirOf, errorText, isReadOnly, joinPath, type DependencySource, type ReadContext } from './model.ts';
import { manifestDeclaresDependencies, parsePackageJsonManifest, parsePackageLock, parsePnpmLock, parseYarnLock } from './parsers/npm.ts';
import { cargoTomlDeclaresDependencies, parseCargoLock, parseCargoTomlManifest, parseGemfileLock, parseGemfileManifest, parseGoMod, parseGradleCatalog, parsePom, parseTerraformLock } from './parsers/other.ts';
import { composerRequires, parseActionUses, parseComposerJson, parseComposerLock, parseDockerfile, parseHelmChart, parseMixLock, parseMsbuildPackages, parseNugetLock, parseTerraformDir } from './parsers/infra.ts';
import { parsePipfileLock, parsePipfileManifest, parsePoetryLock, parsePyprojectManifest, parseRequirements, parseUvLock, pyprojectDeclaresDependencies } from './parsers/python.ts';

/** Vendored code, caches, fixtures and examples pin other projects' dependencies, not this one's. */
export const DEFAULT_IGNORE_PATHS = [
  '**/node_modules/**',
  '**/bower_components/**',
  '**/vendor/**',
  '**/third_party/**',
  '**/third-party/**',
  '**/.yarn/**',
  '**/.terraform/**',
  '**/.venv/**',
  '**/site-packages/**',
  '**/testdata/**',
  '**/test-fixtures/**',
  '**/__fixtures__/**',
  '**/fixtures/**',
  '**/example/**',
  '**/examples/**',
];

/**
 * Trees that are not the product: their lockfiles stay out of the drift (a pass must not rest on an
 * end-to-end suite's lockfile), while an update bot that covers them still counts.
 */
export const DEFAULT_NON_PRODUCT_PATHS = [
  '**/test/**',
  '**/tests/**',
  '**/__tests__/**',
  '**/spec/**',
  '**/e2e/**',
  '**/*-e2e/**',
  '**/e2e-*/**',
  '**/*_e2e/**',
  '**/integration-tests/**',
  '**/cypress/**',
  '**/playwright/**',
  '**/docs/**',
  '**/doc/**',
  '**/docs-site/**',
  '**/website/**',
  '**/demo/**',
  '**/demos/**',
  '**/sample/**',
  '**/samples/**',
];

/** Files this check reads (the crawler fetches exactly these). */
export const DEPENDENCY_READS = [
  '**/package-lock.json',
  '**/npm-shrinkwrap.json',
  '**/yarn.lock',
  '**/pnpm-lock.yaml',
  '**/package.json',
  '**/poetry.lock',
  '**/uv.lock',
  '**/Pipfile.lock',
  '**/Pipfile',
  '**/pyproject.toml',
  '**/*requirements*.txt',
  '**/requirements/*.txt',
  '**/go.mod',
  '**/Cargo.lock',
  '**/Cargo.toml',
  '**/Gemfile.lock',
  '**/gems.locked',
  '**/Gemfile',
  '**/gems.rb',
  '**/.terraform.lock.hcl',
  '**/pom.xml',
  '**/*.versions.toml',
  '**/*.tf',
  '.github/workflows/*.yml',
  '.github/workflows/*.yaml',
  '**/action.yml',
  '**/action.yaml',
  '**/Dockerfile',
  '**/Dockerfile.*',
  '**/*.Dockerfile',
  '**/*.dockerfile',
  '**/Containerfile',
  '**/Chart.yaml',
  '**/mix.lock',
  '**/mix.exs',
  '**/composer.lock',
  '**/composer.json',
  '**/packages.lock.json',
  '**/*.csproj',
  '**/*.fsproj',
  '**/Directory.Packages.props',
];

const REQUIREMENTS = /(^|\/)([\w.-]*requirements[\w.-]*\.txt|requirements\/[^/]+\.txt)$/i;
/** Lockfiles whose presence counts but whose content this check does not read. */
const UNREAD_LOCKFILES: Record<string, string> = { 'bun.lock': 'npm', 'bun.lockb': 'npm', 'pdm.lock': 'pypi', 'pylock.toml': 'pypi' };
const JS_LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lock', 'bun.lockb'];
const PY_LOCKFILES = ['poetry.lock', 'uv.lock', 'pdm.lock', 'pylock.toml'];

export interface LockCoverage {
  manifest: string;
  /** The lockfile that answers for it, or undefined. */
  lockfile?: string;
}

export interface Inventory {
  sources: DependencySource[];
  lockCoverage: LockCoverage[];
  /** Lockfiles and manifests left out because they sit under an ignored path. */
  ignored: string[];
  findings: Finding<Rule>[];
  /**
   * The product's lockfiles of a dated ecosystem whose text could not be had (larger than the crawl's
   * limit, unreadable): their direct dependencies are unknown, so the drift of the others is only part
   * of the picture. A lockfile read but malformed is the repository's own defect, reported as such,
   * and the others are judged.
   */
  unreadLockfiles: string[];
}

/** Lockfiles whose direct dependencies the registry clients date. */
const DATED_LOCKFILE = /(^|\/)(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|poetry\.lock|uv\.lock|Pipfile\.lock|go\.mod|Cargo\.lock|Gemfile\.lock|gems\.locked|\.terraform\.lock\.hcl)$/;

const base = (path: string) => path.slice(path.lastIndexOf('/') + 1);

const DOCKERFILE = /(^|\/)(Dockerfile(\.[^/]+)?|[^/]+\.[Dd]ockerfile|Containerfile)$/;
const WORKFLOW = /^\.github\/workflows\/[^/]+\.ya?ml$/;
const MSBUILD = /(\.(cs|fs)proj|(^|\/)Directory\.Packages\.props)$/;

export function discover(snapshot: RepoSnapshot, ignorePaths: readonly string[], nonProductPaths: readonly string[] = []): Inventory {
  const ignore = ignorePaths.length > 0 ? picomatch([...ignorePaths], { dot: true }) : () => false;
  const nonProduct = nonProductPaths.length > 0 ? picomatch([...nonProductPaths], { dot: true }) : () => false;
  const isRelevant = picomatch(DEPENDENCY_READS, { dot: true });
  const inventory: Inventory = { sources: [], lockCoverage: [], ignored: [], findings: [], unreadLockfiles: [] };
  const files: string[] = [];
  for (const f of snapshot.files) {
    if (f.kind !== 'file') continue;
    if (ignore(f.path)) {
      if (isRelevant(f.path) || base(f.path) in UNREAD_LOCKFILES) inventory.ignored.push(f.path);
      continue;
    }
    files.push(f.path);
  }
  const present = new Set(files);
  const texts = new Map<string, string | undefined>();
  const unread = new Set<string>();
  const text = (path: string): string | undefined => {
    if (!texts.has(path)) {
      if (!present.has(path)) texts.set(path, undefined);
      else {
        const r = snapshot.read(path);
        if (!r.ok && r.reason !== 'not-found') {
          inventory.findings.push({ rule: 'unreadable-file', severity: 'low', path, message: `could not read this file (${r.reason}${r.detail ? `: ${r.detail}` : ''}), so its dependencies are not judged` });
          if (DATED_LOCKFILE.test(path)) unread.add(path);
        }
        texts.set(path, r.ok ? r.text : undefined);
      }
    }
    return texts.get(path);
  };
  const ctx: ReadContext = { text, paths: files };
  // Files read for bot coverage count only when they pin something (a workflow without `uses:`, a
  // chart without dependencies is nothing to update).
  const add = (source: DependencySource) => {
    if (source.ok && isReadOnly(source.ecosystem) && source.dependencies.length + source.unpinned.length === 0) return;
    inventory.sources.push(source);
  };
  const read = (path: string, parse: (path: string, text: string) => DependencySource) => {
    const t = text(path);
    if (t === undefined) return;
    try {
      add(parse(path, t));
    } catch (error) {
      // A parser defeated by a hostile file costs that file, not the check.
      inventory.findings.push({ rule: 'unreadable-file', severity: 'medium', path, message: `could not be analysed: ${errorText(error)}` });
    }
  };

  // Lockfiles first: they tell which manifests they answer for.
  for (const path of files) {
    const name = base(path);
    if (name === 'package-lock.json' || name === 'npm-shrinkwrap.json') read(path, (p, t) => parsePackageLock(p, t, ctx));
    else if (name === 'yarn.lock') read(path, (p, t) => parseYarnLock(p, t, ctx));
    else if (name === 'pnpm-lock.yaml') read(path, parsePnpmLock);
    else if (name === 'poetry.lock') read(path, (p, t) => parsePoetryLock(p, t, ctx));
    else if (name === 'uv.lock') read(path, parseUvLock);
    else if (name === 'Pipfile.lock') read(path, (p, t) => parsePipfileLock(p, t, ctx));
    else if (REQUIREMENTS.test(path)) read(path, parseRequirements);
    else if (name === 'go.mod') read(path, parseGoMod);
    else if (name === 'Cargo.lock') read(path, parseCargoLock);
    else if (name === 'Gemfile.lock' || name === 'gems.locked') read(path, parseGemfileLock);
    else if (name === '.terraform.lock.hcl') read(path, parseTerraformLock);
    else if (name === 'pom.xml') read(path, parsePom);
    else if (name.endsWith('.versions.toml')) read(path, parseGradleCatalog);
    else if (name === 'mix.lock') read(path, (p, t) => parseMixLock(p, t, text(joinPath(dirOf(p), 'mix.exs'))));
    else if (name === 'composer.lock') read(path, (p, t) => parseComposerLock(p, t, text(joinPath(dirOf(p), 'composer.json'))));
    else if (name === 'packages.lock.json') read(path, parseNugetLock);
    else if (MSBUILD.test(path)) read(path, parseMsbuildPackages);
    else if (name === 'Chart.yaml') read(path, parseHelmChart);
    else if (DOCKERFILE.test(path)) read(path, parseDockerfile);
    else if (name === 'action.yml' || name === 'action.yaml') read(path, (p, t) => parseActionUses(p, `${p} (composite action)`, [{ path: p, text: t }]));
    else if (name in UNREAD_LOCKFILES) inventory.findings.push({ rule: 'lockfile-not-read', severity: 'info', path, message: `${name} is counted as a committed lockfile, but its versions are not read` });
  }

  // Workflows of one directory are one source, as both bots treat them.
  const workflows = files.filter((p) => WORKFLOW.test(p));
  if (workflows.length > 0) {
    const texts = workflows.flatMap((p) => {
      const t = text(p);
      return t === undefined ? [] : [{ path: p, text: t }];
    });
    if (texts.length > 0) {
      try {
        add(parseActionUses('.github/workflows', `GitHub Actions workflows (${texts.length} ${texts.length === 1 ? 'file' : 'files'})`, texts));
      } catch (error) {
        inventory.findings.push({ rule: 'unreadable-file', severity: 'medium', path: '.github/workflows', message: `could not be analysed: ${errorText(error)}` });
      }
    }
  }

  // Terraform: per directory, providers from required_providers where no lockfile pins them, and registry modules.
  const tfDirs = new Map<string, string[]>();
  for (const p of files) if (p.endsWith('.tf')) tfDirs.set(dirOf(p), [...(tfDirs.get(dirOf(p)) ?? []), p]);
  for (const [dir, paths] of tfDirs) {
    const texts = paths.flatMap((p) => {
      const t = text(p);
      return t === undefined ? [] : [{ path: p, text: t }];
    });
    if (texts.length === 0) continue;
    try {
      const tf = parseTerraformDir(dir, texts);
      const lock = joinPath(dir, '.terraform.lock.hcl');
      if (!present.has(lock)) {
        if (tf.providers.dependencies.length > 0) add(tf.providers);
        if (tf.isRoot && tf.providers.dependencies.length > 0) inventory.lockCoverage.push({ manifest: tf.providers.path });
      }
      if (tf.modules.dependencies.length + tf.modules.unpinned.length > 0) add(tf.modules);
    } catch (error) {
      inventory.findings.push({ rule: 'unreadable-file', severity: 'medium', path: paths[0], message: `could not be analysed: ${errorText(error)}` });
    }
  }

  const lockfilesIn = (dir: string, names: string[]) => names.map((n) => joinPath(dir, n)).filter((p) => present.has(p));
  /**
   * A lockfile an ancestor directory commits but that could not be read (too large, not fetched,
   * malformed) may well answer for a workspace member: unknown is not "no lockfile".
   */
  const unreadAncestorLock = (dir: string, names: string[]): string | undefined => {
    for (let d: string | undefined = dir; d !== undefined; d = d === '' ? undefined : dirOf(d)) {
      for (const lock of lockfilesIn(d, names)) {
        const parsed = inventory.sources.find((s) => s.path === lock);
        if (!parsed || !parsed.ok) return lock;
      }
    }
    return undefined;
  };
  const answeringLock = (dir: string, names: string[], ecosystemOf: (s: DependencySource) => boolean): string | undefined =>
    lockfilesIn(dir, names)[0] ?? inventory.sources.find((s) => ecosystemOf(s) && s.kind === 'lockfile' && s.importerDirs.includes(dir))?.path ?? unreadAncestorLock(dir, names);

  for (const path of files) {
    const name = base(path);
    const dir = dirOf(path);
    if (name === 'package.json') {
      if (!manifestDeclaresDependencies(text(path))) continue;
      const lock = answeringLock(dir, JS_LOCKFILES, (s) => s.ecosystem === 'npm' && s.format !== 'package.json');
      inventory.lockCoverage.push({ manifest: path, lockfile: lock });
      if (!lock) read(path, parsePackageJsonManifest);
    } else if (name === 'pyproject.toml') {
      if (!pyprojectDeclaresDependencies(text(path))) continue;
      const pinnedRequirements = inventory.sources.find((s) => s.format === 'requirements' && s.kind === 'lockfile' && dirOf(s.path) === dir)?.path;
      const lock = answeringLock(dir, PY_LOCKFILES, (s) => s.format === 'uv') ?? pinnedRequirements;
      inventory.lockCoverage.push({ manifest: path, lockfile: lock });
      if (!lock) read(path, parsePyprojectManifest);
    } else if (name === 'Pipfile') {
      const lock = lockfilesIn(dir, ['Pipfile.lock'])[0];
      inventory.lockCoverage.push({ manifest: path, lockfile: lock });
      if (!lock) read(path, parsePipfileManifest);
    } else if (name === 'Cargo.toml') {
      if (!cargoTomlDeclaresDependencies(text(path))) continue;
      let lock: string | undefined;
      for (let d: string | undefined = dir; d !== undefined && !lock; d = d === '' ? undefined : dirOf(d)) lock = lockfilesIn(d, ['Cargo.lock'])[0];
      inventory.lockCoverage.push({ manifest: path, lockfile: lock });
      if (!lock) read(path, parseCargoTomlManifest);
    } else if (name === 'Gemfile' || name === 'gems.rb') {
      if (!/^\s*gem\s/m.test(text(path) ?? '')) continue;
      const lock = lockfilesIn(dir, [name === 'Gemfile' ? 'Gemfile.lock' : 'gems.locked'])[0];
      inventory.lockCoverage.push({ manifest: path, lockfile: lock });
      if (!lock) read(path, parseGemfileManifest);
    } else if (name === 'go.mod') {
      const mod = inventory.sources.find((s) => s.path === path);
      if (!mod?.ok || mod.dependencies.length + mod.transitiveCount === 0) continue;
      inventory.lockCoverage.push({ manifest: path, lockfile: lockfilesIn(dir, ['go.sum'])[0] });
    } else if (name === 'composer.json') {
      if (!composerRequires(text(path))) continue;
      const lock = lockfilesIn(dir, ['composer.lock'])[0];
      inventory.lockCoverage.push({ manifest: path, lockfile: lock });
      if (!lock) read(path, parseComposerJson);
    } else if (name === 'mix.exs') {
      if (!/\bdeps\b/.test(text(path) ?? '')) continue;
      const lock = lockfilesIn(dir, ['mix.lock'])[0];
      inventory.lockCoverage.push({ manifest: path, lockfile: lock });
    } else if (REQUIREMENTS.test(path)) {
      const req = inventory.sources.find((s) => s.path === path);
      if (!req?.ok || req.dependencies.length + req.unpinned.length + req.transitiveCount === 0) continue;
      inventory.lockCoverage.push({ manifest: path, lockfile: req.kind === 'lockfile' ? path : undefined });
    }
  }
  for (const source of inventory.sources) if (nonProduct(source.path)) source.nonProduct = true;
  inventory.unreadLockfiles = [...unread].filter((path) => !nonProduct(path)).sort();
  inventory.sources.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.ecosystem < b.ecosystem ? -1 : a.ecosystem > b.ecosystem ? 1 : 0));
  return inventory;
}
