// Builds the Astro site; pages read the database named by SEAWORTHY_DB at build time.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StoreError } from '../data/db.ts';
import type { Logger } from './log.ts';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function buildSite(options: { dbPath: string; outDir: string; base: string; title: string; logger: Logger }): Promise<void> {
  const dbPath = path.resolve(options.dbPath);
  if (!existsSync(dbPath)) throw new StoreError(`no database at ${dbPath}: run "seaworthy crawl" first`);
  process.env.SEAWORTHY_DB = dbPath;
  process.env.SEAWORTHY_TITLE = options.title;
  process.env.ASTRO_TELEMETRY_DISABLED ??= '1'; // builds run unattended, often without network
  const started = Date.now();
  const { build } = await import('astro');
  await build({ root: PROJECT_ROOT, outDir: options.outDir, base: options.base, logLevel: 'warn' });
  options.logger.info('site built', { out: options.outDir, ms: Date.now() - started });
}
