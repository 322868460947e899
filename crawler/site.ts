// Builds the Astro site, then writes the exports. The scorecard (data/scorecard.ts, with the history
// of every run) is computed once here and handed to the pages, which would otherwise compute their
// own copy inside Astro's bundle; the exports are written from it after the pages.
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHECKS } from '../checks/registry.ts';
import { StoreError } from '../data/db.ts';
import { EXPORT_ROOTS, writeExports } from '../data/exports.ts';
import type { InitiativeDefinition } from '../data/initiatives.ts';
import type { LevelDefinition } from '../data/levels.ts';
import { Queries } from '../data/queries.ts';
import { SHARED_SCORECARD, Scorecard, type CheckInfo } from '../data/scorecard.ts';
import type { Logger } from './log.ts';

export const CATALOG: CheckInfo[] = CHECKS.map((c) => ({ id: c.id, title: c.meta.title, description: c.meta.description, category: c.meta.category, defaultWeight: c.meta.weight, docsPath: c.docsPath }));

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function buildSite(options: { dbPath: string; outDir: string; base: string; title: string; levels: LevelDefinition[]; initiatives?: InitiativeDefinition[]; siteUrl?: string; logger: Logger }): Promise<{ ms: number; pages: number }> {
  const dbPath = path.resolve(options.dbPath);
  if (!existsSync(dbPath)) throw new StoreError(`no database at ${dbPath}: run "seaworthy crawl" first`);
  process.env.SEAWORTHY_DB = dbPath;
  process.env.SEAWORTHY_TITLE = options.title;
  process.env.SEAWORTHY_LEVELS = JSON.stringify(options.levels);
  process.env.SEAWORTHY_INITIATIVES = JSON.stringify(options.initiatives ?? []);
  if (options.siteUrl) process.env.SEAWORTHY_SITE_URL = options.siteUrl;
  else delete process.env.SEAWORTHY_SITE_URL;
  process.env.SEAWORTHY_BASE = options.base;
  process.env.SEAWORTHY_MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'data', 'migrations');
  process.env.ASTRO_TELEMETRY_DISABLED ??= '1'; // builds run unattended, often without network
  const started = Date.now();
  const queries = new Queries(dbPath);
  const scorecard = new Scorecard(queries, options.levels, CATALOG, { initiatives: options.initiatives });
  const shared = globalThis as Record<symbol, unknown>;
  shared[SHARED_SCORECARD] = scorecard;
  const { build } = await import('astro');
  // Astro resolves its own dependencies from the working directory: build from the project root.
  const cwd = process.cwd();
  const outDir = path.resolve(options.outDir);
  // The exports are written beside the site while Astro renders the pages (Astro empties outDir when
  // it starts), then moved in: on the same file system that is a rename per folder.
  const staging = mkdtempSync(path.join(path.dirname(outDir), `.${path.basename(outDir)}-exports-`));
  process.chdir(PROJECT_ROOT);
  try {
    const base = options.base.replace(/\/+$/, '');
    const exporting = writeExports(scorecard, staging, (p) => `${base}${p.startsWith('/') ? p : `/${p}`}`, CATALOG.map((c) => c.id), { siteTitle: options.title, siteUrl: options.siteUrl });
    // Without a handler here, a failed export would be reported as unhandled while the build runs.
    exporting.catch(() => {});
    await build({ root: PROJECT_ROOT, outDir, base: options.base, logLevel: 'warn' });
    const pagesMs = Date.now() - started;
    const exported = await exporting;
    for (const root of EXPORT_ROOTS) {
      if (existsSync(path.join(staging, root))) {
        rmSync(path.join(outDir, root), { recursive: true, force: true });
        renameSync(path.join(staging, root), path.join(outDir, root));
      }
    }
    const pages = countFiles(outDir, '.html');
    const ms = Date.now() - started;
    if (queries.computedSnapshots.length > 0) options.logger.info('runs without a stored snapshot were read in full', { runs: queries.computedSnapshots.length });
    options.logger.info('site built', { out: options.outDir, pages, exports: exported.files, ms, pagesMs });
    return { ms, pages };
  } finally {
    process.chdir(cwd);
    rmSync(staging, { recursive: true, force: true });
    delete shared[SHARED_SCORECARD];
    queries.close();
  }
}

function countFiles(dir: string, extension: string): number {
  let count = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) if (entry.isFile() && entry.name.endsWith(extension)) count++;
  return count;
}
