// Builds the Astro site; pages read the database named by SEAWORTHY_DB at build time.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StoreError } from '../data/db.ts';
import type { LevelDefinition } from '../data/levels.ts';
import type { Logger } from './log.ts';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function buildSite(options: { dbPath: string; outDir: string; base: string; title: string; levels: LevelDefinition[]; logger: Logger }): Promise<{ ms: number; pages: number }> {
  const dbPath = path.resolve(options.dbPath);
  if (!existsSync(dbPath)) throw new StoreError(`no database at ${dbPath}: run "seaworthy crawl" first`);
  process.env.SEAWORTHY_DB = dbPath;
  process.env.SEAWORTHY_TITLE = options.title;
  process.env.SEAWORTHY_LEVELS = JSON.stringify(options.levels);
  process.env.SEAWORTHY_BASE = options.base;
  process.env.SEAWORTHY_MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'data', 'migrations');
  process.env.ASTRO_TELEMETRY_DISABLED ??= '1'; // builds run unattended, often without network
  const started = Date.now();
  const { build } = await import('astro');
  // Astro resolves its own dependencies from the working directory: build from the project root.
  const cwd = process.cwd();
  process.chdir(PROJECT_ROOT);
  try {
    await build({ root: PROJECT_ROOT, outDir: options.outDir, base: options.base, logLevel: 'warn' });
  } finally {
    process.chdir(cwd);
  }
  const pages = countFiles(path.resolve(options.outDir), '.html');
  const ms = Date.now() - started;
  options.logger.info('site built', { out: options.outDir, pages, ms });
  return { ms, pages };
}

function countFiles(dir: string, extension: string): number {
  let count = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) if (entry.isFile() && entry.name.endsWith(extension)) count++;
  return count;
}
