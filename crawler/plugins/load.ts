// Loading an organisation's own checks: `plugins:` in the configuration names folders (globs,
// relative to the configuration file). A folder holds one check: index.ts (or .mts/.js/.mjs) whose
// default export is a defineCheck(...), or a declarative check.yaml. TypeScript is loaded by Node's
// type stripping, synchronously (require of an ES module), so the configuration, its schema and the
// site know plugin checks exactly like ours. Load problems are configuration errors (exit 2): a
// plugin that cannot even be loaded must not become a night of `error` results.
import { existsSync, globSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CheckDefinition } from '../../checks/contract.ts';
import { CHECKS } from '../../checks/registry.ts';
import { declarativeReadme, loadDeclarativeCheck } from './declarative.ts';
import { PluginError, importCheckModule } from './hooks.ts';

export { PluginError };

type AnyCheck = CheckDefinition<unknown>;

/** Where a check's code comes from, so a worker thread can load the same check (./../isolation). */
export type CheckOrigin = { kind: 'builtin' } | { kind: 'module'; file: string } | { kind: 'declarative'; file: string };

export interface PluginCheck {
  check: AnyCheck;
  origin: Exclude<CheckOrigin, { kind: 'builtin' }>;
  folder: string;
  /** The check page's Markdown: the folder's README.md, or the one made from check.yaml. */
  readme(): string;
}

const origins = new WeakMap<AnyCheck, PluginCheck>();
const BUILTIN_IDS = new Set(CHECKS.map((c) => c.id));

/** Built-in checks are found by id in the registry; plugin checks by the file they were loaded from. */
export function originOf(check: AnyCheck): CheckOrigin | undefined {
  if ((CHECKS as readonly AnyCheck[]).includes(check)) return { kind: 'builtin' };
  return origins.get(check)?.origin;
}

export function pluginOf(check: AnyCheck): PluginCheck | undefined {
  return origins.get(check);
}

const CODE_ENTRIES = ['index.ts', 'index.mts', 'index.js', 'index.mjs'];


function loadFolder(folder: string): PluginCheck {
  const code = CODE_ENTRIES.map((f) => path.join(folder, f)).find((f) => existsSync(f));
  const yamlFile = path.join(folder, 'check.yaml');
  if (code && existsSync(yamlFile)) throw new PluginError(`${folder}: has both ${path.basename(code)} and check.yaml; a plugin folder holds one check`);
  let plugin: PluginCheck;
  if (code) {
    const check = importCheckModule(code);
    const readmeFile = path.join(folder, 'README.md');
    if (!existsSync(readmeFile)) throw new PluginError(`${folder}: no README.md; it is the check's page on the site (What it checks · Why it matters · How to fix)`);
    plugin = { check, origin: { kind: 'module', file: code }, folder, readme: () => readFileSync(readmeFile, 'utf8') };
  } else if (existsSync(yamlFile)) {
    const check = loadDeclarativeCheck(yamlFile) as AnyCheck;
    plugin = { check, origin: { kind: 'declarative', file: yamlFile }, folder, readme: () => declarativeReadme(readFileSync(yamlFile, 'utf8'), yamlFile) };
  } else {
    throw new PluginError(`${folder}: neither index.ts nor check.yaml; a plugin folder holds one check (seaworthy new-check NAME writes one)`);
  }
  const id = plugin.check.id;
  if (id !== path.basename(folder)) throw new PluginError(`${folder}: the check's id "${id}" must equal its folder name "${path.basename(folder)}"`);
  if (BUILTIN_IDS.has(id)) throw new PluginError(`${folder}: "${id}" is the id of a built-in check; give yours another id`);
  if (Object.keys(plugin.check.meta.rules ?? {}).length === 0) throw new PluginError(`${folder}: the check declares no rules (meta.rules)`);
  origins.set(plugin.check, plugin);
  return plugin;
}

/** Every plugin folder the patterns match (relative to baseDir), loaded in a stable order. */
export function loadPlugins(patterns: readonly string[], baseDir: string): PluginCheck[] {
  const folders: string[] = [];
  for (const pattern of patterns) {
    const absolute = path.resolve(baseDir, pattern);
    const matches = globSync(absolute).filter((m) => statSync(m).isDirectory() && path.basename(m) !== 'node_modules' && !path.basename(m).startsWith('.'));
    if (matches.length === 0) throw new PluginError(`plugins: "${pattern}" matches no folder (looked for ${absolute})`);
    folders.push(...matches.sort());
  }
  const plugins: PluginCheck[] = [];
  const seen = new Map<string, string>();
  for (const folder of [...new Set(folders)]) {
    const plugin = loadFolder(folder);
    const first = seen.get(plugin.check.id);
    if (first) throw new PluginError(`${folder}: the check id "${plugin.check.id}" is also the id of ${first}`);
    seen.set(plugin.check.id, folder);
    plugins.push(plugin);
  }
  return plugins;
}
