// The initiative pages, the overview and team pages that point to them, the JSON export and the
// feeds, on the real site built from crawls of the demo fleet, driven in headless Chromium.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiSchemas } from '../data/api.ts';
import { scaled, tempDir } from './helpers.ts';
import { axeViolations, launchBrowser, newPage, serveDemoSite } from './browser.ts';

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

describe('initiative pages on the demo fleet', () => {
  const tmp = tempDir('sw-initiative-site-');
  let browser: Browser;
  let site: Awaited<ReturnType<typeof serveDemoSite>>['site'];
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    // Twelve weeks of history reach back before the first initiative's start (2026-09-01).
    ({ site } = await serveDemoSite(tmp.dir, { weeks: 12, extraConfig: HOSTILE_INITIATIVE }));
    browser = await launchBrowser();
    page = await newPage(browser, { viewport: { width: 1280, height: 900 } });
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
