// The real site, built by Astro from a real crawl, driven in headless Chromium.
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo } from '../fixtures/factory.ts';
import { runCli, tempDir, writeConfig } from './helpers.ts';
import { serveStatic } from './static-server.ts';

const HOSTILE_REPO = '<img src=x onerror=window.__pwned=1>';
const HOSTILE_FILE = 'docs/runbooks/<script>window.__pwned=2</script>.md';
const HOSTILE_TEAM = '<b onmouseover=window.__pwned=3>Ops</b>';

const goodRunbook = `# Checkout runbook

## Symptoms
Customers cannot complete checkout and the CheckoutErrors alert fires in the payments channel with a rising error rate.

## Diagnosis
Open the checkout dashboard, compare the error rate per region, and read the last deploy in the pipeline history for changes.

## Mitigation
Roll back the last deploy from the pipeline, or scale the checkout workers to twenty replicas while the database recovers.

## Escalation
Page the payments on-call through PagerDuty; if the database is involved, escalate to the platform on-call as well.
`;

describe('scorecard site in a browser', () => {
  const tmp = tempDir('sw-site-');
  let browser: Browser;
  let site: Awaited<ReturnType<typeof serveStatic>>;
  let page: Page;
  const dialogs: string[] = [];

  beforeAll(async () => {
    const repos = path.join(tmp.dir, 'repos');
    createRepo(repos, {
      name: 'checkout',
      commits: [
        { date: '2026-08-01T00:00:00Z', message: 'feat: service', files: { Dockerfile: 'FROM node:24\n', 'RUNBOOK.md': goodRunbook } },
        { date: '2026-09-01T00:00:00Z', message: 'feat: alerts', files: { 'alerts/rules.yaml': 'groups:\n  - name: checkout\n    rules:\n      - alert: CheckoutErrors\n        expr: rate(errors[5m]) > 1\n        annotations:\n          runbook_url: RUNBOOK.md\n      - alert: CheckoutLatency\n        expr: latency > 2\n' } },
      ],
    });
    createRepo(repos, { name: HOSTILE_REPO, commits: [{ date: '2026-08-01T00:00:00Z', message: 'init', files: { Dockerfile: 'FROM x\n', [HOSTILE_FILE]: '# TODO\n' } }] });
    const config = writeConfig(
      tmp.dir,
      `database: site.db\nsources:\n  - type: local\n    paths: ['repos/*']\n    owner: acme\n    webUrl: https://github.com/acme/{name}\nteams:\n  - name: payments\n    displayName: Payments\n    repos: [checkout]\n  - name: ops\n    displayName: '${HOSTILE_TEAM}'\n    repos: ['<*']\n`,
    );
    for (let i = 0; i < 2; i++) expect(runCli(['crawl', '-c', config, '-q']).code).toBe(0);
    // Built from another working directory, as a scheduled job would.
    const build = runCli(['build', '-c', config, '--out', path.join(tmp.dir, 'dist'), '-q'], { cwd: tmp.dir });
    expect(build.code, build.stderr).toBe(0);
    site = await serveStatic(path.join(tmp.dir, 'dist'));
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    tmp.cleanup();
  });

  it('goes overview → team → repository → remediation page', async () => {
    await page.goto(`${site.url}/`);
    await expect(page.getByTestId('teams').getByRole('link').allTextContents()).resolves.toEqual([HOSTILE_TEAM, 'Payments']);

    await page.getByRole('link', { name: 'Payments', exact: true }).click();
    await page.waitForURL(/\/teams\/payments\/$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Payments');
    const row = page.getByTestId('matrix').getByRole('row', { name: /checkout/ });
    // 8.0 would pass, but half the alerts lack a runbook: capped at warn.
    expect(await row.getByText('Warn').count()).toBe(1);
    expect(await row.getByText('8.0').count()).toBeGreaterThan(0);
    // Two crawls: the team trend is drawn with chart.js.
    await page.locator('canvas[data-trend]').waitFor();
    expect(await page.locator('canvas[data-trend]').evaluate((c) => (c as HTMLCanvasElement).width > 0)).toBe(true);

    await page.getByRole('link', { name: 'checkout', exact: true }).click();
    await page.waitForURL(/\/repos\/checkout\/$/);
    const runbooks = page.locator('section[data-check="runbooks"]');
    await expect(runbooks.textContent()).resolves.toContain('1/2 alerts link a runbook');
    const findingLink = runbooks.getByRole('link', { name: 'alerts/rules.yaml:8' });
    expect(await findingLink.getAttribute('href')).toMatch(/^https:\/\/github\.com\/acme\/checkout\/blob\/[0-9a-f]{40}\/alerts\/rules\.yaml#L8$/);
    await expect(runbooks.textContent()).resolves.toContain('alert CheckoutLatency has no runbook_url annotation');

    await runbooks.getByRole('link', { name: 'How to fix →' }).click();
    await page.waitForURL(/\/checks\/runbooks\/$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Runbooks');
    for (const heading of ['What it checks', 'Why it matters', 'How to fix']) {
      expect(await page.getByRole('heading', { level: 2, name: heading }).count()).toBe(1);
    }
  });

  it('shows HTML in repository, file and team names as text', async () => {
    await page.goto(`${site.url}/`);
    await page.getByRole('link', { name: HOSTILE_TEAM }).click();
    await page.getByRole('link', { name: HOSTILE_REPO }).click();
    expect(await page.getByTestId('repo-name').textContent()).toBe(HOSTILE_REPO);
    await expect(page.locator('section[data-check="runbooks"]').textContent()).resolves.toContain(`${HOSTILE_FILE}:1`);
    expect(await page.locator('img[src="x"], main script:not([src]), main b').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
  });
});
