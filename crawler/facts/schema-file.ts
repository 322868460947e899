// What the cached JSON schemas (Renovate's, Dependabot's) share: the text must be a JSON schema,
// and a cache file that is missing is "not there yet", while one that cannot be read is an error.
import { readFileSync } from 'node:fs';

/** The parsed schema; `fail` makes the loader's own error class, so callers keep telling theirs apart. */
export function parseJsonSchema(text: string, where: string, fail: (message: string) => Error): object {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw fail(`${where} is not valid JSON (${(error as Error).message})`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value) || !('definitions' in value || 'properties' in value)) throw fail(`${where} is not a JSON schema`);
  return value;
}

/** The cached file's text, or undefined when there is none; any other failure to read it is `fail`. */
export function readCacheFile(file: string, fail: (message: string) => Error): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fail(`cannot read the cached schema: ${(error as Error).message}`);
  }
}
