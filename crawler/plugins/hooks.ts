// `seaworthy/check` and `seaworthy/testing` resolve to this installation wherever a plugin folder
// is: inside a clone of Seaworthy Node's package self-reference would find them, but a folder of
// checks kept elsewhere (another repository, /etc/seaworthy) has no node_modules of ours. One copy
// also means one zod: a plugin's options schema composes with the configuration schema.
import { createRequire, registerHooks } from 'node:module';
import type { CheckDefinition } from '../../checks/contract.ts';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const ENTRY_POINTS: Readonly<Record<string, string>> = {
  'seaworthy/check': path.join(ROOT, 'checks', 'api.ts'),
  'seaworthy/testing': path.join(ROOT, 'fixtures', 'testing.ts'),
};

let registered = false;

/** Registers the resolver in this thread (hooks are per thread: the check workers call it too). */
export function registerSeaworthyResolver(): void {
  if (registered) return;
  registered = true;
  registerHooks({
    resolve(specifier, context, next) {
      const file = ENTRY_POINTS[specifier];
      return file ? { url: pathToFileURL(file).href, shortCircuit: true, format: 'module' } : next(specifier, context);
    },
  });
}

export class PluginError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PluginError';
  }
}

/** Imports one check module, synchronously (require of an ES module); its default export must be a defineCheck(...). */
export function importCheckModule(file: string): CheckDefinition<unknown> {
  registerSeaworthyResolver();
  let loaded: { default?: unknown };
  try {
    loaded = createRequire(import.meta.url)(file) as { default?: unknown };
  } catch (error) {
    throw new PluginError(`${file}: could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
  }
  const check = loaded.default as Partial<CheckDefinition<unknown>> | undefined;
  if (!check || typeof check !== 'object' || typeof check.run !== 'function' || typeof check.id !== 'string' || !check.meta || typeof check.docsPath !== 'string') {
    throw new PluginError(`${file}: the default export is not a check; write "export default defineCheck({ id, meta, run })" with defineCheck from 'seaworthy/check'`);
  }
  return check as CheckDefinition<unknown>;
}
