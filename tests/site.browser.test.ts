// The real site, built by Astro from real crawls, driven in headless Chromium: the three journeys on
// the demo fleet, accessibility (axe-core) on every page type, keyboard use, reading without
// JavaScript, and hostile names, paths and messages through every page type and export.
import { CHECKS } from '../checks/registry.ts';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiSchemas } from '../data/api.ts';
import { createRepo } from '../fixtures/factory.ts';
import { ROOT, runCli, scaled, tempDir, writeConfig } from './helpers.ts';
import { serveStatic } from './static-server.ts';
import { axeViolations, launchBrowser, newPage, serveDemoSite } from './browser.ts';

const SCREENSHOTS = path.join(ROOT, 'test-results');

/** Sizes of the scripts a page loads, to tell pages that load chart.js from pages that do not. */
async function scriptBytes(page: Page, url: string): Promise<number> {
  // Every body is awaited before counting: the network going idle does not mean the browser has
  // handed this process each body yet, and on a loaded machine it often has not.
  const bodies: Promise<number>[] = [];
  const onResponse = (response: import('playwright-core').Response) => {
    if (response.request().resourceType() === 'script') bodies.push(response.body().then((b) => b.length));
  };
  page.on('response', onResponse);
  await page.goto(url, { waitUntil: 'networkidle' });
  page.off('response', onResponse);
  return (await Promise.all(bodies)).reduce((a, b) => a + b, 0);
}


describe('scorecard site on the demo fleet', () => {
  const tmp = tempDir('sw-site-demo-');
  let browser: Browser;
  let site: Awaited<ReturnType<typeof serveStatic>>;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    // Weekly history as `seaworthy crawl --backfill` records it, then tonight's crawl.
    ({ site } = await serveDemoSite(tmp.dir, { weeks: 8 }));
    browser = await launchBrowser();
    page = await newPage(browser, { viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    tmp.cleanup();
  });

  it('leads a leader from the overview to the weakest team and its worst repository', async () => {
    await page.goto(`${site.url}/`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Production readiness');
    const rows = page.getByTestId('teams').locator('tbody tr');
    expect(await rows.count()).toBe(4);
    const scores = (await rows.locator('td:nth-of-type(1)').allTextContents()).map(Number);
    expect(scores).toEqual([...scores].sort((a, b) => a - b));
    const weakest = (await rows.first().locator('th a').textContent())!;
    expect(await page.getByTestId('weakest-team').textContent()).toBe(weakest);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'overview.png'), fullPage: true });

    // The heatmap answers "on what": every cell carries the team's mean score on the check (its colour
    // follows the score, not the pass share) and the pass share as text.
    const heatmap = page.getByTestId('heatmap');
    const cells = await heatmap.locator('td').allTextContents();
    expect(cells.length).toBe(4 * CHECKS.length);
    for (const cell of cells) expect(cell).toMatch(/^(\d+\.\d|—) · \d+% pass \(\d+\/\d+\)$|^— not applicable$/);
    const bands = await heatmap.locator('td').evaluateAll((tds) => tds.map((td) => ({ score: td.querySelector('strong')?.textContent ?? null, band: /heat-(\w+)/.exec(td.className)?.[1] })));
    for (const { score, band } of bands) if (score !== null && score !== '—') expect(band).toBe(String(Math.min(4, Math.floor(Number(score) / 2))));
    // Mean scores agree with the team's JSON: the weakest team's mean on a check is the mean of its repositories' scores.
    const weakestName = (await page.getByTestId('weakest-team').getAttribute('href'))!.split('/').at(-2)!;
    const teamDoc = apiSchemas.team.parse(await (await page.request.get(`${site.url}/api/v1/teams/${weakestName}.json`)).json());
    const row = heatmap.locator('tbody tr', { has: page.locator(`th a[href="/teams/${weakestName}/"]`) });
    for (const [i, check] of CHECKS.entries()) {
      const scores = teamDoc.repositories.map((r) => r.checks[check.id]).filter((c) => c !== undefined && c.score !== null).map((c) => c!.score!);
      if (scores.length === 0) continue;
      expect(await row.locator('td').nth(i).locator('strong').textContent(), check.id).toBe((scores.reduce((a, b) => a + b, 0) / scores.length).toFixed(1));
    }

    await page.getByTestId('weakest-team').click();
    await page.waitForURL(/\/teams\/[a-z-]+\/$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(weakest);
    await page.locator('canvas#team-history').waitFor();
    expect(await page.locator('canvas#team-history').evaluate((c) => (c as HTMLCanvasElement).width > 0)).toBe(true);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'team.png'), fullPage: true });

    const matrixRows = page.getByTestId('matrix').locator('tbody tr');
    const repoScores = (await matrixRows.locator('td:nth-of-type(2)').allTextContents()).map((t) => (t === '—' ? Infinity : Number(t)));
    const worst = (await matrixRows.first().locator('th a').first().textContent())!;
    await matrixRows.first().locator('th a').first().click();
    await page.waitForURL(/\/repos\/[^/]+\/$/);
    expect(await page.getByTestId('repo-name').textContent()).toBe(worst);
    expect(Number(await page.getByTestId('repo-score').textContent())).toBe(Math.min(...repoScores));
    expect(errors).toEqual([]);
  });

  it('sorts and filters the team table with mouse and keyboard, and reads without JavaScript', async () => {
    await page.goto(`${site.url}/`);
    const names = () => page.getByTestId('teams').locator('tbody th a').allTextContents();
    const before = await names();
    const teamHeader = page.getByTestId('teams').locator('thead th').first();
    await teamHeader.getByRole('button').focus();
    await page.keyboard.press('Enter');
    expect(await teamHeader.getAttribute('aria-sort')).toBe('ascending');
    expect(await names()).toEqual([...before].sort((a, b) => a.localeCompare(b)));
    await page.keyboard.press('Space');
    expect(await teamHeader.getAttribute('aria-sort')).toBe('descending');
    expect(await names()).toEqual([...before].sort((a, b) => b.localeCompare(a)));

    await page.getByLabel('Filter teams').fill('pay');
    expect(await page.getByTestId('teams').locator('tbody tr:visible').count()).toBe(1);
    expect(await page.getByRole('status').first().textContent()).toBe('1 of 4 teams shown');

    // The skip link is the first stop; then Tab reaches team links and Enter follows them.
    await page.goto(`${site.url}/`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    let reached = '';
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => (document.activeElement?.closest('[data-testid="teams"] tbody') ? (document.activeElement.textContent ?? '') : ''));
    }
    expect(before).toContain(reached);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/teams\/[a-z-]+\/$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(reached);

    const noJs = await browser.newContext({ javaScriptEnabled: false });
    noJs.setDefaultTimeout(scaled(30_000));
    try {
      const plain = await noJs.newPage();
      await plain.goto(`${site.url}/`);
      expect(await plain.getByTestId('teams').locator('tbody tr').count()).toBe(4);
      expect(await plain.getByLabel('Filter teams').count()).toBe(0);
      await plain.goto(`${site.url}/teams/payments/`);
      expect(await plain.getByTestId('matrix').locator('tbody tr').count()).toBe(3);
      // The chart's data is a table, there without script.
      // One row per run, or per span of unchanged runs ("(2 runs)"): together they cover all nine runs.
      const rowTexts = await plain.locator('details.data').first().locator('table tbody tr').allTextContents();
      const runsCovered = rowTexts.reduce((sum, text) => sum + Number(/\((\d+) runs\)/.exec(text)?.[1] ?? 1), 0);
      expect(runsCovered).toBe(9);
      expect(await plain.locator('canvas').isVisible()).toBe(false);
    } finally {
      await noJs.close();
    }
  });

  it('takes a team member from a finding to the remediation section of the check page', async () => {
    await page.goto(`${site.url}/teams/payments/`);
    const action = page.getByTestId('next-actions').locator(':scope > li').first();
    // The next best action links the subsection of the most severe rule its repositories break.
    expect(await action.getByRole('link').first().getAttribute('href')).toMatch(/^\/checks\/[a-z-]+\/#rule-[a-z0-9-]+$/);
    // A failing cell of the matrix opens that check's findings on the repository page.
    const failing = page.getByTestId('matrix').locator('td.cell a', { has: page.locator('.status-fail') }).first();
    const target = (await failing.getAttribute('href'))!;
    const [, slug, checkId] = /^\/repos\/([^/]+)\/#check-([a-z-]+)$/.exec(target)!;
    await failing.click();
    await page.waitForURL(new RegExp(`/repos/${slug}/#check-${checkId}$`));
    const card = page.locator(`section#check-${checkId}`);
    expect(await card.locator('.status').first().textContent()).toBe('Fail');
    expect(await card.locator('ul.findings li').count()).toBeGreaterThan(0);
    const findingLink = card.locator('ul.findings a.path').first();
    if ((await findingLink.count()) > 0) expect(await findingLink.getAttribute('href')).toMatch(/^https:\/\/github\.com\/acme\/[\w-]+\/blob\/[0-9a-f]{40}\/.+/);

    // Each finding names its rule; its "How to fix" lands on that rule's subsection of the check page.
    const rules = await card.getByTestId('finding-rule').allTextContents();
    const index = rules.findIndex((r) => !r.endsWith('/waiver-expired'));
    expect(index).toBeGreaterThanOrEqual(0);
    const [ruleCheck, ruleName] = rules[index]!.split('/');
    expect(ruleCheck).toBe(checkId);
    const fix = card.locator('ul.findings li', { has: page.getByTestId('finding-rule') }).nth(index).locator('a.fix');
    expect(await fix.getAttribute('href')).toBe(`/checks/${checkId}/#rule-${ruleName}`);
    await fix.click();
    await page.waitForURL(new RegExp(`/checks/${checkId}/#rule-${ruleName}$`));
    const reached = page.locator(':target');
    expect(await reached.getAttribute('id')).toBe(`rule-${ruleName}`);
    const check = CHECKS.find((c) => c.id === checkId)!;
    // The subsection of that rule: its heading, under "How to fix", scrolled to the top of the window.
    expect(await reached.evaluate((e) => e.tagName)).toBe('H3');
    expect(await reached.textContent()).toBe((check.meta.rules as Record<string, { title: string }>)[ruleName!]!.title);
    expect(await reached.evaluate((e) => {
      let n = e.previousElementSibling;
      while (n && n.tagName !== 'H2') n = n.previousElementSibling;
      return n?.id;
    })).toBe('how-to-fix');
    const top = await reached.evaluate((e) => e.getBoundingClientRect().top);
    expect(top).toBeGreaterThanOrEqual(0);
    expect(top).toBeLessThan(200);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'rule-how-to-fix.png') });

    // The check's own "How to fix" on the repository page goes to its most severe rule.
    await page.goBack();
    await page.waitForURL(new RegExp(`/repos/${slug}/`));
    const cardFix = card.getByRole('link', { name: 'How to fix →' });
    const anchor = /#(rule-[a-z0-9-]+)$/.exec((await cardFix.getAttribute('href'))!)?.[1];
    expect(anchor).toBeDefined();
    await cardFix.click();
    await page.waitForURL(new RegExp(`/checks/${checkId}/#${anchor}$`));
    expect(await page.locator(':target').getAttribute('id')).toBe(anchor);
    expect(await page.locator(':target').evaluate((e) => e.getBoundingClientRect().top)).toBeLessThan(200);
    expect(await page.locator('[data-testid="failing-repos"] a', { hasText: slug! }).count()).toBeGreaterThan(0);
    expect(await page.getByTestId('check-weight').textContent()).toMatch(/^\d+(\.\d+)?(, \d+(\.\d+)?)*$/);
  });

  it('serves badges and JSON exports that parse, with the team CSV beside them', async () => {
    const org = apiSchemas.organisation.parse(await (await page.request.get(`${site.url}/api/v1/organisation.json`)).json());
    expect(org.teams.map((t) => t.name).sort()).toEqual(['data', 'growth', 'payments', 'platform']);
    expect(org.levels.map((l) => l.name)).toEqual(['Bronze', 'Silver', 'Gold']);
    const payments = org.teams.find((t) => t.name === 'payments')!;

    const team = apiSchemas.team.parse(await (await page.request.get(`${site.url}${payments.json}`)).json());
    expect(team.repositories).toHaveLength(3);
    expect(team.history.length).toBe(9);
    const repo = apiSchemas.repository.parse(await (await page.request.get(`${site.url}${team.repositories[0]!.json}`)).json());
    expect(repo.results.length).toBe(CHECKS.length);
    // Every finding of the demo names a rule and links its subsection.
    const findings = repo.results.flatMap((r) => r.findings.map((f) => ({ ...f, checkId: r.checkId })));
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) {
      expect(f.rule, f.message).toMatch(new RegExp(`^${f.checkId}/[a-z0-9-]+$`));
      expect(f.remediation).toBe(`/checks/${f.checkId}/#rule-${f.rule!.split('/')[1]}`);
    }
    apiSchemas.repositories.parse(await (await page.request.get(`${site.url}/api/v1/repositories.json`)).json());
    apiSchemas.check.parse(await (await page.request.get(`${site.url}${org.checks[0]!.json}`)).json());
    // The published JSON Schema describes the same document.
    const schema = (await (await page.request.get(`${site.url}/api/v1/schema/organisation.json`)).json()) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(org).sort());

    const csv = await (await page.request.get(`${site.url}${payments.csv}`)).text();
    expect(csv.split('\r\n').filter(Boolean)).toHaveLength(4);

    const badge = await page.request.get(`${site.url}${payments.badge}`);
    expect(badge.headers()['content-type']).toBe('image/svg+xml');
    const parsed = await page.evaluate((svg) => {
      const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
      return { error: doc.querySelector('parsererror')?.textContent ?? null, title: doc.querySelector('title')?.textContent, root: doc.documentElement.nodeName };
    }, await badge.text());
    expect(parsed).toEqual({ error: null, root: 'svg', title: `Payments: score ${payments.score!.toFixed(1)} of 10, level ${payments.level.name}` });
  });

  it('has no serious or critical accessibility violations on any page type, and loads chart.js only where it draws', async () => {
    await page.goto(`${site.url}/api/v1/repositories.json`);
    const slug = (JSON.parse(await page.locator('body').textContent() ?? '{}') as { repositories: { slug: string }[] }).repositories[0]!.slug;
    const latestRun = (JSON.parse(await (await page.request.get(`${site.url}/api/v1/organisation.json`)).text()) as { run: { id: number } }).run.id;
    const pages: [string, boolean][] = [
      ['/', true],
      ['/teams/payments/', true],
      [`/repos/${slug}/`, true],
      ['/repos/', false],
      ['/checks/', false],
      ['/checks/runbooks/', true],
      ['/runs/', false],
      [`/runs/${latestRun}/`, false],
      ['/exports/', false],
      ['/levels/', false],
    ];
    const problems: string[] = [];
    for (const [url, hasChart] of pages) {
      const bytes = await scriptBytes(page, `${site.url}${url}`);
      if (hasChart) expect(bytes, url).toBeGreaterThan(100_000);
      else expect(bytes, url).toBeLessThan(20_000);
      for (const v of await axeViolations(page)) problems.push(`${url}: ${v}`);
    }
    expect(problems).toEqual([]);
    expect(errors).toEqual([]);
  });
});

const HOSTILE_REPO = '<img src=x onerror=window.__pwned=1>';
const HOSTILE_FILE = 'docs/runbooks/<script>window.__pwned=2</script>.md';
const HOSTILE_TEAM = '<b onmouseover=window.__pwned=3>Ops</b>';
const HOSTILE_ALERT = '<svg onload=window.__pwned=4>';
const HOSTILE_WAIVER = '<iframe src=javascript:window.__pwned=5></iframe>';
const HOSTILE_LEVEL = '<u onclick=window.__pwned=6>Top</u>';
const HOSTILE_COMMIT = '<img src=x onerror=window.__pwned=8> fix runbook';
const HOSTILE_PR = '<script>window.__pwned=9</script> Add runbook';
// Names that break layouts: 240 characters with no place to wrap, a team and a level named at length.
const LONG_REPO = 'Settlement'.repeat(24);
const LONG_TEAM = 'Kundenidentitätsauthentifizierungsplattformentwicklungsabteilung for Customer Identity, Authentication and Account Recovery (EMEA)';
// The longest level name the configuration takes (40 characters), in one word.
const LONG_LEVEL = 'Produktionsbereitschaftszertifizierungen';
// A name that would read as "invoiceexe.jpg" and a terminal escape with a carriage return.
const SPOOF_REPO = 'invoice\u202Egpj.exe\u001B[31m\r';
const SPOOF_SHOWN = 'invoice⟨U+202E⟩gpj.exe⟨U+001B⟩[31m⟨U+000D⟩';

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

describe('hostile names and messages through every page type and export', () => {
  const tmp = tempDir('sw-site-');
  let browser: Browser;
  let site: Awaited<ReturnType<typeof serveStatic>>;
  let page: Page;
  const dialogs: string[] = [];
  let hostileSlug = '';

  beforeAll(async () => {
    const repos = path.join(tmp.dir, 'repos');
    for (const name of [LONG_REPO, SPOOF_REPO]) createRepo(repos, { name, commits: [{ date: '2026-08-01T00:00:00Z', message: 'feat: service', files: { Dockerfile: 'FROM node:24\n', 'RUNBOOK.md': goodRunbook } }] });
    createRepo(repos, {
      name: 'checkout',
      commits: [
        { date: '2026-08-01T00:00:00Z', message: 'feat: service', files: { Dockerfile: 'FROM node:24\n', 'RUNBOOK.md': goodRunbook } },
        { date: '2026-09-01T00:00:00Z', message: 'feat: alerts', files: { 'alerts/rules.yaml': 'groups:\n  - name: checkout\n    rules:\n      - alert: CheckoutErrors\n        expr: rate(errors[5m]) > 1\n        annotations:\n          runbook_url: RUNBOOK.md\n      - alert: CheckoutLatency\n        expr: latency > 2\n' } },
      ],
    });
    createRepo(repos, {
      name: HOSTILE_REPO,
      commits: [
        { date: '2026-08-01T00:00:00Z', message: '<script>window.__pwned=7</script>', files: { Dockerfile: 'FROM x\n', [HOSTILE_FILE]: '# TODO\n' } },
        { date: '2026-09-01T00:00:00Z', message: 'alerts', files: { 'RUNBOOK.md': goodRunbook, 'alerts/rules.yaml': `groups:\n  - name: x\n    rules:\n      - alert: '${HOSTILE_ALERT}'\n        expr: up == 0\n` } },
      ],
    });
    const config = writeConfig(
      tmp.dir,
      [
        'database: site.db',
        'site:',
        '  base: /sc/',
        'sources:',
        '  - type: local',
        "    paths: ['repos/*']",
        '    owner: acme',
        '    webUrl: https://github.com/acme/{name}',
        'teams:',
        '  - name: payments',
        '    displayName: Payments',
        '    repos: [checkout]',
        '  - name: ops',
        `    displayName: '${HOSTILE_TEAM}'`,
        "    repos: ['<*']",
        '  - name: long',
        `    displayName: '${LONG_TEAM}'`,
        "    repos: ['Settlement*', 'invoice*']",
        'levels:',
        `  - name: '${LONG_LEVEL}'`,
        '    everyCheck: 2',
        `  - name: '${HOSTILE_LEVEL}'`,
        '    everyCheck: 9',
        'exemptions:',
        "  - repo: '<*'",
        '    check: cost-tags',
        `    reason: '${HOSTILE_WAIVER}'`,
        "    expires: '2030-01-01'",
        '',
      ].join('\n'),
    );
    const first = runCli(['crawl', '-c', config, '-q', '--as-of', '2026-08-15']);
    expect(first.code, first.stderr).toBe(0);
    expect(runCli(['crawl', '-c', config, '-q']).code).toBe(0);
    // Commits and pull requests as a crawl that reads history stores them, with hostile text in every field.
    const db = new Database(path.join(tmp.dir, 'site.db'));
    const latest = db.prepare(`SELECT rr.run_id AS runId, rr.repo_id AS repoId, rr.head_oid AS head FROM repo_runs rr JOIN repositories r ON r.id = rr.repo_id WHERE r.name = ? ORDER BY rr.run_id DESC LIMIT 1`).get(HOSTILE_REPO) as { runId: number; repoId: number; head: string };
    db.prepare('UPDATE repo_runs SET commits_since_previous = 1 WHERE run_id = ? AND repo_id = ?').run(latest.runId, latest.repoId);
    db.prepare('DELETE FROM repo_run_commits WHERE run_id = ? AND repo_id = ?').run(latest.runId, latest.repoId);
    db.prepare(`INSERT INTO repo_run_commits (run_id, repo_id, position, oid, committed_at, author, title, pr_number, pr_title, pr_url) VALUES (?, ?, 0, ?, '2026-09-01T00:00:00Z', '<b>Mallory</b>', ?, 7, ?, 'javascript:window.__pwned=10')`).run(latest.runId, latest.repoId, latest.head, HOSTILE_COMMIT, HOSTILE_PR);
    // A repository address and a team contact that would run script if rendered as links (a hostile
    // or compromised host, a database written by another version): both sources refuse such data, and
    // the site must not link it either.
    db.prepare('UPDATE repositories SET web_url = ? WHERE id = ?').run('javascript:window.__pwned=11', latest.repoId);
    db.prepare("UPDATE teams SET contact_url = 'javascript:window.__pwned=12' WHERE name = 'ops'").run();
    db.close();
    // Built from another working directory, as a scheduled job would.
    const build = runCli(['build', '-c', config, '--out', path.join(tmp.dir, 'dist'), '-q'], { cwd: tmp.dir });
    expect(build.code, build.stderr).toBe(0);
    site = await serveStatic(path.join(tmp.dir, 'dist'), '/sc/');
    browser = await launchBrowser();
    page = await newPage(browser);
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const all = apiSchemas.repositories.parse(await (await page.request.get(`${site.url}/api/v1/repositories.json`)).json());
    hostileSlug = all.repositories.find((r) => r.name === HOSTILE_REPO)!.slug;
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    tmp.cleanup();
  });

  async function assertInert(url: string): Promise<void> {
    await page.goto(`${site.url}${url}`);
    await page.mouse.move(200, 200);
    const injected = await page.evaluate(() =>
      [...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => a.name.startsWith('on')) || (el.tagName === 'IMG' && el.getAttribute('src') === 'x') || el.tagName === 'IFRAME').map((el) => el.outerHTML.slice(0, 80)),
    );
    expect(injected, url).toEqual([]);
    expect(await page.locator('main b, main u, svg svg').count(), url).toBe(0);
    expect(await page.evaluate(() => [...document.scripts].filter((s) => s.textContent?.includes('__pwned')).length), url).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), url).toBeUndefined();
  }

  it('goes overview → team → repository → remediation page under a base path', async () => {
    await page.goto(`${site.url}/`);
    expect((await page.getByTestId('teams').locator('tbody th a').allTextContents()).sort()).toEqual([HOSTILE_TEAM, LONG_TEAM, 'Payments'].sort());
    await page.getByTestId('teams').getByRole('link', { name: 'Payments', exact: true }).click();
    await page.waitForURL(/\/sc\/teams\/payments\/$/);
    const row = page.getByTestId('matrix').getByRole('row', { name: /checkout/ });
    // 8.0 would pass, but half the alerts lack a runbook: capped at warn (the runbooks column).
    const headings = await page.getByTestId('matrix').locator('thead th').allTextContents();
    const runbooksColumn = headings.findIndex((h) => h.trim() === 'Runbooks');
    expect(runbooksColumn).toBeGreaterThan(0);
    expect(await row.locator(':scope > th, :scope > td').nth(runbooksColumn).getByText('Warn').count()).toBe(1);
    await page.getByTestId('matrix').getByRole('link', { name: 'checkout', exact: true }).click();
    await page.waitForURL(/\/sc\/repos\/checkout\/$/);
    const runbooks = page.locator('section[data-check="runbooks"]');
    await expect(runbooks.textContent()).resolves.toContain('1/2 alerts link a runbook');
    const findingLink = runbooks.getByRole('link', { name: 'alerts/rules.yaml:8' });
    expect(await findingLink.getAttribute('href')).toMatch(/^https:\/\/github\.com\/acme\/checkout\/blob\/[0-9a-f]{40}\/alerts\/rules\.yaml#L8$/);
    // Half the alerts lack a runbook: the most severe rule broken, and where "How to fix" goes.
    expect(await runbooks.getByTestId('finding-rule').allTextContents()).toContain('runbooks/alert-without-runbook');
    await runbooks.getByRole('link', { name: 'How to fix →' }).click();
    await page.waitForURL(/\/sc\/checks\/runbooks\/#rule-alert-without-runbook$/);
    expect(await page.locator(':target').textContent()).toBe('Alert without a runbook');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Runbooks');
  });

  it('shows every hostile text as text on every page type', async () => {
    await assertInert('/');
    expect(await page.getByTestId('teams').textContent()).toContain(HOSTILE_TEAM);
    expect(await page.getByTestId('level-counts').textContent()).toContain(HOSTILE_LEVEL);
    await assertInert('/teams/ops/');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(HOSTILE_TEAM);
    expect(await page.getByTestId('waivers').textContent()).toContain(HOSTILE_WAIVER);
    await assertInert(`/repos/${hostileSlug}/`);
    expect(await page.getByTestId('repo-name').textContent()).toBe(HOSTILE_REPO);
    const text = await page.locator('main').textContent();
    expect(text).toContain(HOSTILE_ALERT);
    expect(text).toContain(HOSTILE_WAIVER);
    expect(await page.getByTestId('what-changed').locator('tbody tr').count()).toBeGreaterThan(0);
    const changed = await page.getByTestId('what-changed').textContent();
    expect(changed).toContain(HOSTILE_COMMIT);
    expect(changed).toContain(HOSTILE_PR);
    expect(changed).toContain('<b>Mallory</b>');
    // A pull request URL that is not http(s) is shown as text, never as a link.
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    for (const url of ['/repos/', '/checks/', '/checks/runbooks/', '/checks/cost-tags/', '/runs/', '/exports/']) await assertInert(url);
    const runs = apiSchemas.organisation.parse(await (await page.request.get(`${site.url}/api/v1/organisation.json`)).json());
    await assertInert(`/runs/${runs.run!.id}/`);
    expect(await page.getByTestId('flips').textContent()).toContain(HOSTILE_REPO);
    expect(await page.getByTestId('flips').textContent()).toContain(HOSTILE_COMMIT);
    expect(dialogs).toEqual([]);
  });

  it('holds its layout at 390, 1280 and 1440 pixels on every page type, whatever the names', async () => {
    const all = apiSchemas.repositories.parse(await (await page.request.get(`${site.url}/api/v1/repositories.json`)).json());
    const slugOf = (name: string) => all.repositories.find((r) => r.name === name)!.slug;
    const runId = apiSchemas.organisation.parse(await (await page.request.get(`${site.url}/api/v1/organisation.json`)).json()).run!.id;
    const pages: [string, string][] = [
      ['overview', '/'],
      ['team', '/teams/long/'],
      ['team-hostile', '/teams/ops/'],
      ['repository', `/repos/${slugOf(LONG_REPO)}/`],
      ['repository-spoofed', `/repos/${slugOf(SPOOF_REPO)}/`],
      ['repositories', '/repos/'],
      ['checks', '/checks/'],
      ['check', '/checks/runbooks/'],
      ['runs', '/runs/'],
      ['run', `/runs/${runId}/`],
      ['exports', '/exports/'],
      ['levels', '/levels/'],
    ];
    const wide: string[] = [];
    mkdirSync(SCREENSHOTS, { recursive: true });
    // Asserted at a phone, a laptop and a desktop width; screenshots at the phone and desktop ones.
    for (const width of [390, 1280, 1440]) {
      const sized = await newPage(browser, { viewport: { width, height: 900 } });
      try {
        for (const [name, url] of pages) {
          await sized.goto(`${site.url}${url}`, { waitUntil: 'networkidle' });
          const { scrollWidth, innerWidth, culprits } = await sized.evaluate(() => {
            // The outermost elements that stick out, to say what to fix.
            const sticksOut = (e: Element | null) => !!e && e.getBoundingClientRect().right > window.innerWidth + 1;
            // Absolutely positioned elements escape scrolling ancestors that are not positioned: still culprits.
            const scrolledWithin = (e: Element) => { if (getComputedStyle(e).position === 'absolute') return false; for (let p = e.parentElement; p; p = p.parentElement) if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(p).overflowX)) return true; return false; };
            const out = [...document.querySelectorAll('body *')].filter((e) => sticksOut(e) && !sticksOut(e.parentElement) && !scrolledWithin(e));
            const describe = (e: Element) => `${e.tagName.toLowerCase()}${e.className && typeof e.className === 'string' ? `.${e.className.split(' ').join('.')}` : ''} in ${e.parentElement?.tagName.toLowerCase()}.${e.parentElement?.className}`;
            return { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, culprits: out.slice(0, 4).map(describe) };
          });
          if (scrollWidth > innerWidth) wide.push(`${url} at ${width} px: ${scrollWidth} px wide (${culprits.join('; ')})`);
          if (width !== 1280) await sized.screenshot({ path: path.join(SCREENSHOTS, `layout-${name}-${width}.png`), fullPage: true });
        }
      } finally {
        await sized.close();
      }
    }
    expect(wide).toEqual([]);
  });

  it('shows control characters and bidirectional overrides in names visibly, in pages and CSV', async () => {
    const all = apiSchemas.repositories.parse(await (await page.request.get(`${site.url}/api/v1/repositories.json`)).json());
    // The JSON export keeps the name as it is: programs read it.
    const spoofed = all.repositories.find((r) => r.name === SPOOF_REPO)!;
    for (const url of [`/repos/${spoofed.slug}/`, '/teams/long/', '/repos/']) {
      await page.goto(`${site.url}${url}`);
      const html = await page.content();
      expect(html, url).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u202A-\u202E\u2066-\u2069]/);
      expect(await page.locator('main').textContent(), url).toContain(SPOOF_SHOWN);
    }
    await page.goto(`${site.url}/repos/${spoofed.slug}/`);
    expect(await page.getByTestId('repo-name').textContent()).toBe(SPOOF_SHOWN);
    expect(await page.title()).toContain(SPOOF_SHOWN);
    const csv = await (await page.request.get(`${site.url}/api/v1/teams/long.csv`)).text();
    expect(csv).toContain(`"${SPOOF_SHOWN}"`);
    // Every page names the favicon, under the base path.
    const icon = (await page.locator('link[rel="icon"]').getAttribute('href'))!;
    expect(icon).toBe('/sc/favicon.svg');
    const served = await page.request.get(`${site.url.replace(/\/sc\/?$/, '')}${icon}`);
    expect(served.status()).toBe(200);
    expect(await served.text()).toMatch(/^<svg /);
    expect(csv).not.toMatch(/[\u001B\u202E]/);
  });

  it('explains the configured levels on /levels/, where every level badge leads', async () => {
    await assertInert('/levels/');
    const levels = page.getByTestId('levels').locator(':scope > li');
    expect(await levels.locator('h2').allTextContents()).toEqual([LONG_LEVEL, HOSTILE_LEVEL]);
    // Every check's minimum, as configured (everyCheck 2, then 9).
    for (const [index, minimum] of [[0, '2'], [1, '9']] as const) {
      const rows = page.getByTestId(`level-${index}-rules`).locator('tbody tr');
      expect(await rows.count()).toBe(CHECKS.length);
      expect(new Set(await rows.locator('td').allTextContents())).toEqual(new Set([minimum]));
    }
    expect(await page.locator('#what-never-counts + ul').textContent()).toContain('waived');

    // On every page with a level, each badge is a link to its level on that page.
    for (const url of ['/', '/teams/payments/', '/teams/long/', '/repos/', '/repos/checkout/']) {
      await page.goto(`${site.url}${url}`);
      const badges = page.locator('main .level');
      expect(await badges.count(), url).toBeGreaterThan(0);
      const hrefs = await badges.evaluateAll((els) => els.map((e) => (e.tagName === 'A' ? e.getAttribute('href') : `not a link: ${e.outerHTML}`)));
      for (const target of hrefs) expect(target, url).toMatch(/^\/sc\/levels\/#(level-\d+|no-level|unrated)$/);
    }
    // The team sees which repository is closest to its next level and exactly what it needs.
    await page.goto(`${site.url}/teams/payments/`);
    const closest = page.getByTestId('closest').locator(':scope > li');
    expect(await closest.count()).toBe(1);
    expect(await closest.first().textContent()).toMatch(new RegExp(`^checkout: (.+ ≥ 2 \\(now (\\d+\\.\\d|—)\\);? ?)+ → ${LONG_LEVEL}$`));
    expect(await closest.first().locator('a.level').getAttribute('href')).toBe('/sc/levels/#level-0');
    // From the repository's level, with how many checks it rests on, to what that level asks.
    await page.goto(`${site.url}/repos/checkout/`);
    expect(await page.getByTestId('level-coverage').textContent()).toMatch(new RegExp(`^\\(\\d of ${CHECKS.length} checks judged\\)$`));
    const badge = page.locator('main > p .level').first();
    const name = (await badge.textContent())!;
    await badge.click();
    await page.waitForURL(/\/sc\/levels\/#/);
    expect(await page.locator(':target .level').first().textContent()).toBe(name);
  });

  it('renders no link that is not http(s), mailto or relative, on any page', () => {
    const pages = (function walk(dir: string): string[] {
      return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.html') ? [path.join(dir, e.name)] : []));
    })(path.join(tmp.dir, 'dist'));
    expect(pages.length).toBeGreaterThan(10);
    const bad: string[] = [];
    for (const page of pages) {
      for (const [, quote, value] of readFileSync(page, 'utf8').matchAll(/\shref=(["'])(.*?)\1/g)) {
        const url = (value ?? '').replace(/&amp;/g, '&').replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCharCode(parseInt(n, 16)));
        // A scheme other than http(s) or mailto (javascript:, data:, vbscript:…), or whitespace and control characters browsers strip before one.
        const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url.replace(/[\x00-\x20]/g, ''))?.[1]?.toLowerCase();
        if ((scheme !== undefined && !['http', 'https', 'mailto'].includes(scheme)) || /[\x00-\x1f]/.test(url)) bad.push(`${path.relative(tmp.dir, page)}: ${quote}${url}${quote}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('keeps hostile text intact and inert in JSON, CSV and badges', async () => {
    const repo = apiSchemas.repository.parse(await (await page.request.get(`${site.url}/api/v1/repositories/${hostileSlug}.json`)).json());
    expect(repo.repository.name).toBe(HOSTILE_REPO);
    expect(repo.results.flatMap((r) => r.findings.map((f) => f.message)).some((m) => m.includes(HOSTILE_ALERT))).toBe(true);
    expect(repo.results.find((r) => r.checkId === 'cost-tags')?.waiver?.reason).toBe(HOSTILE_WAIVER);
    expect(repo.history.runs.at(-1)?.commits[0]).toMatchObject({ title: HOSTILE_COMMIT, pullRequest: { number: 7, title: HOSTILE_PR } });
    const team = apiSchemas.team.parse(await (await page.request.get(`${site.url}/api/v1/teams/ops.json`)).json());
    expect(team.team.displayName).toBe(HOSTILE_TEAM);
    const csv = await (await page.request.get(`${site.url}/api/v1/teams/ops.csv`)).text();
    expect(csv).toContain(`"${HOSTILE_REPO}"`);
    for (const badge of [`/badges/repositories/${hostileSlug}.svg`, '/badges/teams/ops.svg']) {
      await page.goto(`${site.url}${badge}`);
      expect(await page.evaluate(() => document.documentElement.nodeName)).toBe('svg');
      expect(await page.evaluate(() => document.querySelectorAll('script, img, iframe, foreignObject, [onload], [onclick], [onmouseover]').length)).toBe(0);
      expect(await page.evaluate(() => document.querySelector('title')?.textContent)).toMatch(/Ops|onerror/);
    }
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
  });
});
