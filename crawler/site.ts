// Builds the Astro site, then writes the exports. The scorecard (data/scorecard.ts, with the history
// of every run) is computed once here and handed to the pages, which would otherwise compute their
// own copy inside Astro's bundle; the exports are written from it after the pages.
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckDefinition } from '../checks/contract.ts';
import { CHECKS } from '../checks/registry.ts';
import { StoreError } from '../data/db.ts';
import { EXPORT_ROOTS, writeExports } from '../data/exports.ts';
import type { InitiativeDefinition } from '../data/initiatives.ts';
import type { LevelDefinition } from '../data/levels.ts';
import { Queries } from '../data/queries.ts';
import { SHARED_SCORECARD, Scorecard, type CheckInfo } from '../data/scorecard.ts';
import { hasInvisible, showInvisible } from '../data/visible.ts';
import type { Logger } from './log.ts';
import type { SarifCheck } from '../data/sarif.ts';
import { TOOL_VERSION } from './version.ts';

export function catalogOf(checks: readonly CheckDefinition<unknown>[]): CheckInfo[] {
  return checks.map((c) => ({ id: c.id, title: c.meta.title, description: c.meta.description, category: c.meta.category, defaultWeight: c.meta.weight, docsPath: c.docsPath }));
}

export const CATALOG: CheckInfo[] = catalogOf(CHECKS as readonly CheckDefinition<unknown>[]);

/** What the pages need to know about an organisation's own checks: their catalog entries and pages. */
export interface SiteChecks {
  catalog: CheckInfo[];
  /** The Markdown of each plugin check's page (built-in checks' READMEs are read from checks/). */
  pluginDocs: { id: string; markdown: string }[];
  /** Rules and their help for the SARIF exports. */
  sarif?: SarifCheck[];
  /** Public address of the site (site.url), for absolute help links in SARIF. */
  siteUrl?: string;
}

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function buildSite(options: { dbPath: string; outDir: string; base: string; title: string; levels: LevelDefinition[]; initiatives?: InitiativeDefinition[]; siteUrl?: string; logger: Logger; checks?: SiteChecks }): Promise<{ ms: number; pages: number }> {
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
  const catalog = options.checks?.catalog ?? CATALOG;
  const queries = new Queries(dbPath);
  const scorecard = new Scorecard(queries, options.levels, catalog, { initiatives: options.initiatives });
  const shared = globalThis as Record<symbol, unknown>;
  shared[SHARED_SCORECARD] = scorecard;
  const { build } = await import('astro');
  // Astro resolves its own dependencies from the working directory: build from the project root.
  const cwd = process.cwd();
  const outDir = path.resolve(options.outDir);
  // The exports are written beside the site while Astro renders the pages (Astro empties outDir when
  // it starts), then moved in: on the same file system that is a rename per folder.
  const staging = mkdtempSync(path.join(path.dirname(outDir), `.${path.basename(outDir)}-exports-`));
  // The pages learn about plugin checks from a file beside the exports (Astro's bundle cannot load them).
  const checksFile = path.join(staging, 'site-checks.json');
  writeFileSync(checksFile, JSON.stringify({ catalog, pluginDocs: options.checks?.pluginDocs ?? [] }));
  process.env.SEAWORTHY_SITE_CHECKS = checksFile;
  process.chdir(PROJECT_ROOT);
  try {
    const base = options.base.replace(/\/+$/, '');
    const exporting = writeExports(scorecard, staging, (p) => `${base}${p.startsWith('/') ? p : `/${p}`}`, catalog.map((c) => c.id), { siteTitle: options.title, siteUrl: options.siteUrl }, options.checks?.sarif ? { checks: options.checks.sarif, toolVersion: TOOL_VERSION, siteUrl: options.siteUrl ?? options.checks.siteUrl } : undefined);
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
    const pages = showInvisibleInPages(outDir);
    const ms = Date.now() - started;
    if (queries.computedSnapshots.length > 0) options.logger.info('runs without a stored snapshot were read in full', { runs: queries.computedSnapshots.length });
    options.logger.info('site built', { out: options.outDir, pages, exports: exported.files, ms, pagesMs });
    return { ms, pages };
  } finally {
    process.chdir(cwd);
    rmSync(staging, { recursive: true, force: true });
    delete process.env.SEAWORTHY_SITE_CHECKS;
    delete shared[SHARED_SCORECARD];
    queries.close();
  }
}

/**
 * Control and bidirectional characters shown visibly on every page (data/visible.ts), whichever page
 * or component put a name there: done once on the built HTML, where no text can escape it, rather
 * than at each of the hundreds of places a page shows a name. Pages never contain these characters
 * of their own (Astro writes line feeds only). Returns the number of pages.
 */
function showInvisibleInPages(dir: string): number {
  let count = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.html')) continue;
    count++;
    const file = path.join(entry.parentPath, entry.name);
    const html = readFileSync(file, 'utf8');
    if (hasInvisible(html)) writeFileSync(file, showInvisible(html));
  }
  return count;
}
