// What the browser tests share: Chromium launched with waits scaled for a loaded machine, axe's
// serious and critical violations, and the demo fleet crawled and built into a served site.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { backfill } from '../crawler/backfill.ts';
import { parseConfig } from '../crawler/config.ts';
import { DEMO_CONFIG } from '../crawler/demo.ts';
import { createLogger } from '../crawler/log.ts';
import { crawl } from '../crawler/run.ts';
import { DEMO_ANCHOR, generateDemoFleet } from '../fixtures/demo-fleet.ts';
import { runCli, scaled, writeConfig } from './helpers.ts';
import { serveStatic } from './static-server.ts';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
export const BROWSER_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

export async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, options: object) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.targets.join(', ')}`);
}

/** Chromium with its waits (30 s each by default) stretched by SEAWORTHY_TEST_TIME_SCALE. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: BROWSER_ARGS, timeout: scaled(180_000) });
}

export async function newPage(browser: Browser, options: Parameters<Browser['newPage']>[0] = {}): Promise<Page> {
  const page = await browser.newPage(options);
  page.setDefaultTimeout(scaled(30_000));
  page.setDefaultNavigationTimeout(scaled(30_000));
  return page;
}

/**
 * The demo fleet in `dir`, backfilled `weeks` weeks (as `seaworthy crawl --backfill` records them),
 * crawled tonight and built with the demo configuration (plus `extraConfig`), served on loopback.
 */
export async function serveDemoSite(dir: string, options: { weeks: number; extraConfig?: string }) {
  generateDemoFleet(path.join(dir, 'repos'));
  const text = readFileSync(DEMO_CONFIG, 'utf8').replace("'../.seaworthy/demo/repos/*'", "'repos/*'").replace('../.seaworthy/demo/seaworthy.db', 'demo.db').replace('outDir: ../dist', 'outDir: dist') + (options.extraConfig ?? '');
  const configPath = writeConfig(dir, text);
  const config = parseConfig(text, configPath);
  const logger = createLogger({ quiet: true });
  const dbPath = path.join(dir, 'demo.db');
  await backfill(config, { dbPath, logger, weeks: options.weeks, until: new Date(DEMO_ANCHOR) });
  const tonight = new Date('2026-11-21T02:00:00Z');
  expect((await crawl(config, { dbPath, logger, asOf: tonight, now: tonight })).status).toBe('ok');
  const build = runCli(['build', '-c', configPath, '-q'], { cwd: dir });
  expect(build.code, build.stderr).toBe(0);
  return { site: await serveStatic(path.join(dir, 'dist')), configPath, dbPath, config };
}
