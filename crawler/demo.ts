// `seaworthy demo`: the whole product on a generated fleet, no token, no network.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO_ANCHOR, generateDemoFleet } from '../fixtures/demo-fleet.ts';
import { startDemoRegistry } from '../fixtures/demo-registry.ts';
import type { Store } from '../data/store.ts';
import { loadConfig, type SeaworthyConfig } from './config.ts';
import { createRegistryFacts } from './facts/provider.ts';
import type { FactProvider } from './facts/types.ts';
import type { Logger } from './log.ts';
import { backfill } from './backfill.ts';
import { crawl } from './run.ts';
import { PROJECT_ROOT, buildSite } from './site.ts';
import { TOOL_VERSION } from './version.ts';

export const DEMO_CONFIG = path.join(PROJECT_ROOT, 'fixtures', 'demo.seaworthy.config.yaml');
// Bump when the generated fleet changes, so existing demo directories are rebuilt.
// 6: weekly backfill; dependency-freshness 2 ignores releases published after each run's date.
const FLEET_VERSION = '6';
/** Weekly points before the anchor at which the demo backfills history, so trends show from the first start. */
export const DEMO_BACKFILL_WEEKS = 21;

/**
 * Runs `work` with the demo's package registries: the crafted histories of fixtures/demo-registry.ts
 * served on 127.0.0.1, so the demo never leaves the machine. Renovate's schema comes from the local
 * cache only (npm run fetch:renovate-schema); without it, schema validation is reported as skipped.
 */
export async function withDemoRegistry<T>(config: SeaworthyConfig, logger: Logger, work: (facts: (store: Store) => FactProvider) => Promise<T>): Promise<T> {
  const registry = await startDemoRegistry();
  try {
    const local = registry.registries();
    const registries: SeaworthyConfig['registries'] = { ...config.registries };
    for (const [ecosystem, { url }] of Object.entries(local) as [keyof typeof local, { url: string }][]) {
      registries[ecosystem] = { ...registries[ecosystem], url, tokenEnv: undefined } as never;
    }
    return await work((store) => createRegistryFacts({ registries, db: store.db, logger, env: {}, renovate: { allowFetch: false }, dependabot: { allowFetch: false } }));
  } finally {
    await registry.stop();
  }
}

export async function prepareDemo(logger: Logger, regenerate = false): Promise<{ config: SeaworthyConfig; generated: boolean }> {
  const config = loadConfig(DEMO_CONFIG);
  const demoDir = path.join(PROJECT_ROOT, '.seaworthy', 'demo');
  const marker = path.join(demoDir, `fleet-v${FLEET_VERSION}`);
  const dbPath = path.resolve(config.configDir, config.database);
  if (regenerate || !existsSync(marker)) {
    rmSync(demoDir, { recursive: true, force: true });
    mkdirSync(demoDir, { recursive: true });
    const started = Date.now();
    const repos = generateDemoFleet(path.join(demoDir, 'repos'));
    logger.info('demo fleet generated', { repositories: repos.length, dir: path.join(demoDir, 'repos'), ms: Date.now() - started });
    await withDemoRegistry(config, logger, (facts) => backfill(config, { dbPath, logger, weeks: DEMO_BACKFILL_WEEKS, until: new Date(DEMO_ANCHOR), facts }));
    writeFileSync(marker, new Date().toISOString());
    return { config, generated: true };
  }
  return { config, generated: false };
}

/**
 * What the served site was built from: this Seaworthy (its version, and the newest change to its
 * code and pages, so a developer's edit is seen) and the demo fleet, which never changes once
 * generated. A second `npm start` with the same stamp serves the site at once, instead of crawling
 * unchanged repositories into an empty run that would make "since the last run" show nothing.
 */
function siteStamp(): string {
  let newest = 0;
  for (const folder of ['src', 'checks', 'crawler', 'data', 'fixtures']) {
    for (const entry of readdirSync(path.join(PROJECT_ROOT, folder), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return JSON.stringify({ tool: TOOL_VERSION, fleet: FLEET_VERSION, code: Math.round(newest) });
}

export async function runDemo(options: { logger: Logger; port: number; serve: boolean; regenerate: boolean }): Promise<void> {
  const { logger } = options;
  const { config, generated } = await prepareDemo(logger, options.regenerate);
  const dbPath = path.resolve(config.configDir, config.database);
  const outDir = path.resolve(config.configDir, config.site.outDir);
  const stampFile = path.join(PROJECT_ROOT, '.seaworthy', 'demo', 'site-stamp.json');
  const stamp = siteStamp();
  const { siteChecksOf } = await import('./sarif.ts');
  const current = !generated && existsSync(path.join(outDir, 'index.html')) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp;
  if (current) {
    logger.info('the demo fleet and Seaworthy are unchanged since the site was built: serving it as it is (--regenerate starts over)', { outDir });
  } else {
    await withDemoRegistry(config, logger, (facts) => crawl(config, { dbPath, logger, facts }));
    await buildSite({ dbPath, outDir, base: config.site.base, title: config.site.title, levels: config.levels, initiatives: config.initiatives, siteUrl: config.site.url, logger, checks: siteChecksOf(config) });
    writeFileSync(stampFile, stamp);
  }
  if (!options.serve) return;
  process.env.ASTRO_TELEMETRY_DISABLED ??= '1';
  const { preview } = await import('astro');
  const server = await preview({ root: PROJECT_ROOT, outDir, base: config.site.base, logLevel: 'warn', server: { host: '127.0.0.1', port: options.port } });
  const url = `http://127.0.0.1:${server.port}${config.site.base}`;
  process.stdout.write(`\nSeaworthy demo: ${url}\nPress Ctrl+C to stop.\n`);
  await new Promise<void>((resolve) => {
    const stop = () => void server.stop().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
