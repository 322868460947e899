// The initiative pages, the overview and team pages that point to them, the JSON export and the
// feeds, on the real site built from crawls of the demo fleet, driven in headless Chromium.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfill } from '../crawler/backfill.ts';
import { parseConfig } from '../crawler/config.ts';
import { DEMO_CONFIG } from '../crawler/demo.ts';
import { createLogger } from '../crawler/log.ts';
import { crawl } from '../crawler/run.ts';
import { apiSchemas } from '../data/api.ts';
import { DEMO_ANCHOR, generateDemoFleet } from '../fixtures/demo-fleet.ts';
import { runCli, scaled, tempDir, writeConfig } from './helpers.ts';
import { serveStatic } from './static-server.ts';

const HOSTILE_TITLE = '<img src=x onerror=alert(1)> & "quotes"';
const HOSTILE_INITIATIVE = `  - id: hostile
    title: '${HOSTILE_TITLE}'
    description: '<script>alert(2)</script>'
    owner: '<b>Mallory</b>'
    start: '2026-10-01'
    due: '2027-09-30'
    goal: { check: runbooks, status: pass }
    scope: { repos: ['payments-api'] }
`;

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, options: object) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.targets.join(', ')}`);
}

describe('initiative pages on the demo fleet', () => {
  const tmp = tempDir('sw-initiative-site-');
  let browser: Browser;
  let site: Awaited<ReturnType<typeof serveStatic>>;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    generateDemoFleet(path.join(tmp.dir, 'repos'));
    const text = readFileSync(DEMO_CONFIG, 'utf8').replace("'../.seaworthy/demo/repos/*'", "'repos/*'").replace('../.seaworthy/demo/seaworthy.db', 'demo.db').replace('outDir: ../dist', 'outDir: dist') + HOSTILE_INITIATIVE;
    const configPath = writeConfig(tmp.dir, text);
    const config = parseConfig(text, configPath);
    const logger = createLogger({ quiet: true });
    const dbPath = path.join(tmp.dir, 'demo.db');
    // Twelve weeks of history reach back before the first initiative's start (2026-09-01).
    await backfill(config, { dbPath, logger, weeks: 12, until: new Date(DEMO_ANCHOR) });
    const tonight = new Date('2026-11-21T02:00:00Z');
    expect((await crawl(config, { dbPath, logger, asOf: tonight, now: tonight })).status).toBe('ok');
    const build = runCli(['build', '-c', configPath, '-q'], { cwd: tmp.dir });
    expect(build.code, build.stderr).toBe(0);
    site = await serveStatic(path.join(tmp.dir, 'dist'));
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'], timeout: scaled(180_000) });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(scaled(30_000));
    page.setDefaultNavigationTimeout(scaled(30_000));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => {
      errors.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
  }, scaled(900_000));

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    tmp.cleanup();
  });

  it('lists the demo initiatives, one on track and one at risk, and says how the forecast is made', async () => {
    await page.goto(`${site.url}/initiatives/`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Initiatives');
    const rows = page.getByTestId('initiatives').locator('tbody tr');
    expect(await rows.count()).toBe(3);
    const states = Object.fromEntries(await rows.evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th a')!.textContent, tr.querySelector('[data-state]')!.getAttribute('data-state')])));
    expect(states).toEqual({ 'Every customer-facing service has a rollback plan': 'on-track', 'Production services reach Bronze': 'at-risk', [HOSTILE_TITLE]: 'done' });
    expect(await page.getByTestId('forecast-method').textContent()).toContain('Linear forecast');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('shows an initiative: burn-up with the due date, progress per team, and each repository\'s next step to the rule\'s How to fix', async () => {
    await page.goto(`${site.url}/initiatives/rollback-plans/`);
    expect(await page.getByTestId('initiative-title').textContent()).toBe('Every customer-facing service has a rollback plan');
    expect(await page.getByTestId('initiative-progress').textContent()).toBe('4 of 5 repositories done (80%)');
    await page.locator('canvas#initiative-burnup').waitFor();
    expect(await page.locator('canvas#initiative-burnup').evaluate((c) => (c as HTMLCanvasElement).width > 0)).toBe(true);
    // The chart's table ends with the due date, where the target line arrives at the whole scope.
    const lastRow = await page.locator('details.data table tbody tr').last().textContent();
    expect(lastRow).toContain('2027-06-30');
    const teams = await page.getByTestId('initiative-teams').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from((tr as HTMLTableRowElement).cells, (c) => c.textContent!.trim()).join(' | ')));
    // Payments: 2 of 3 and no progress since the start; Growth finished.
    expect(teams).toEqual(['Payments | 2/3 (67%) | 1 | At risk', 'Growth | 2/2 (100%) | 0 | Done']);
    const step = page.getByTestId('initiative-todo').getByTestId('next-step');
    expect(await step.count()).toBe(1);
    expect(await step.textContent()).toMatch(/^Raise Rollback plan from [\d.]+ to 9\.5: start with rollback-plan\/[a-z-]+$/);
    const target = (await step.getAttribute('href'))!;
    expect(target).toMatch(/^\/checks\/rollback-plan\/#rule-[a-z-]+$/);
    expect(await axeViolations(page)).toEqual([]);
    await step.click();
    await page.waitForURL(new RegExp(`${target.replace(/[/#-]/g, (c) => `\\${c}`)}$`));
    expect(await page.locator(target.slice(target.indexOf('#'))).count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('reads at 390 px wide without horizontal scrolling, and without axe violations', async () => {
    const narrow = await browser.newPage({ viewport: { width: 390, height: 844 } });
    narrow.setDefaultTimeout(scaled(30_000));
    try {
      for (const at of ['/initiatives/', '/initiatives/rollback-plans/', '/initiatives/production-bronze/', '/teams/payments/', '/']) {
        await narrow.goto(`${site.url}${at}`);
        const { scrollWidth, innerWidth } = await narrow.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
        expect(scrollWidth, at).toBeLessThanOrEqual(innerWidth);
        if (at.startsWith('/initiatives/')) expect(await axeViolations(narrow), at).toEqual([]);
      }
    } finally {
      await narrow.close();
    }
  });

  it('lists a team\'s open initiatives with days left, and the ones at risk on the overview', async () => {
    await page.goto(`${site.url}/teams/payments/`);
    const items = page.getByTestId('team-initiatives').locator(':scope > li');
    expect(await items.count()).toBe(2);
    // Soonest due first: Bronze (2027-03-31) is 130 days after tonight's run, rollback plans 221.
    expect(await items.getByTestId('days-left').allTextContents()).toEqual(['130 days left', '221 days left']);
    expect(await page.locator('link[rel="alternate"][type="application/atom+xml"]').getAttribute('href')).toBe('/feeds/payments.atom');
    await page.goto(`${site.url}/`);
    const atRisk = await page.getByTestId('initiatives-at-risk').locator('li').allTextContents();
    expect(atRisk).toHaveLength(1);
    expect(atRisk[0]).toContain('Production services reach Bronze');
  });

  it('exports each initiative as JSON and serves valid Atom feeds for every team and the organisation', async () => {
    const doc = apiSchemas.initiative.parse(await (await fetch(`${site.url}/api/v1/initiatives/production-bronze.json`)).json());
    expect(doc.forecast.state).toBe('at-risk');
    expect(doc.todo.length).toBe(doc.progress.inScope - doc.progress.done);
    for (const t of doc.todo) expect(t.remediation).toMatch(/^\/checks\/[a-z-]+\/#(rule-[a-z-]+|how-to-fix)$/);
    for (const feed of ['organisation', 'payments', 'platform', 'growth', 'data']) {
      const response = await fetch(`${site.url}/feeds/${feed}.atom`);
      expect(response.status, feed).toBe(200);
      const xml = await response.text();
      expect(XMLValidator.validate(xml), feed).toBe(true);
      const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(xml).feed;
      for (const key of ['id', 'title', 'updated', 'author']) expect(parsed[key], `${feed} ${key}`).toBeDefined();
    }
  });

  it('shows an initiative\'s own words as text, never as markup', async () => {
    await page.goto(`${site.url}/initiatives/hostile/`);
    expect(await page.getByTestId('initiative-title').textContent()).toBe(HOSTILE_TITLE);
    const main = (await page.locator('main').textContent())!;
    expect(main).toContain('<script>alert(2)</script>');
    expect(main).toContain('<b>Mallory</b>');
    expect(await page.locator('main img, main script:not([src]):not([type]), main b').count()).toBe(0);
    const doc = apiSchemas.initiative.parse(await (await fetch(`${site.url}/api/v1/initiatives/hostile.json`)).json());
    expect(doc.initiative.title).toBe(HOSTILE_TITLE);
    expect(errors).toEqual([]);
  });
});
