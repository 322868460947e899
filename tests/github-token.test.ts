// A planted token never leaves the places it must be: during a crawl over git it is on no command
// line (`ps -eo args`, polled while the crawl runs), and afterwards it is in no file of the cache
// folder, the database, the logs or the built site; the fake GitHub did receive it, over git too.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync, startFleet, type FleetRepo } from './github-fleet.ts';

const PLANTED = 'ghp_PlantedTokenSeaworthy0123456789abcdXYZ';
// What git sends is the token inside a Basic header: look for every form it could take.
const FORMS = [PLANTED, PLANTED.slice(4, 24), Buffer.from(`x-access-token:${PLANTED}`).toString('base64'), Buffer.from(PLANTED).toString('base64').slice(0, 24)];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(full) : e.isFile() ? [full] : [];
  });
}

function holding(files: string[]): string[] {
  return files.filter((file) => {
    const bytes = readFileSync(file);
    return FORMS.some((form) => bytes.includes(Buffer.from(form)));
  });
}

describe('a planted token', () => {
  let fleet: Awaited<ReturnType<typeof startFleet>>;
  const seen: string[] = [];
  const gitCommands: string[] = [];
  let crawl: Awaited<ReturnType<typeof runCliAsync>>;
  let build: Awaited<ReturnType<typeof runCliAsync>>;

  beforeAll(async () => {
    const runbook = (name: string) => `# ${name}\n\n## Symptoms\nErrors.\n`;
    fleet = await startFleet(
      ['alpha', 'bravo', 'charlie', 'delta'].map((name): FleetRepo => ({
        spec: {
          name,
          commits: [
            { date: '2026-08-01T00:00:00Z', message: 'init', files: { 'RUNBOOK.md': runbook(name), Dockerfile: 'FROM scratch\n', 'db/migrate/001_a.sql': 'CREATE TABLE a (id int);\n' } },
            { date: '2026-09-01T00:00:00Z', message: 'feat: b', files: { 'db/migrate/002_b.sql': 'ALTER TABLE a ADD b int;\n', 'src/app.ts': 'export const b = 1;\n' } },
          ],
        },
        pullRequests: [{ number: 1, title: 'Add b', body: '## Rollback\nRevert.', state: 'MERGED' as const, createdAt: '2026-08-30T00:00:00Z', mergedAt: '2026-09-01T00:00:00Z', author: 'dev' }],
      })),
      { token: PLANTED },
    );
    const config = path.join(fleet.dir, 'token.config.yaml');
    writeFileSync(config, `database: seaworthy.db\nsite: {outDir: dist}\nsources:\n  - type: github\n    org: acme\n    apiUrl: ${fleet.fake.apiUrl}\n`);
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const { stdout } = await promisify(execFile)('ps', ['-eo', 'args'], { maxBuffer: 16 * 1024 * 1024 });
        for (const line of stdout.split('\n')) {
          if (FORMS.some((form) => line.includes(form))) seen.push(line);
          if (line.includes('refs/seaworthy/head') || (line.startsWith('git') && line.includes(new URL(fleet.fake.url).host))) gitCommands.push(line);
        }
      }
    })();
    try {
      crawl = await runCliAsync(['crawl', '-c', config, '--log-format', 'json', '--json'], { GITHUB_TOKEN: PLANTED });
    } finally {
      polling = false;
      await poll;
    }
    build = await runCliAsync(['build', '-c', config, '--out', path.join(fleet.dir, 'dist')], { GITHUB_TOKEN: PLANTED });
  });
  afterAll(() => fleet.stop());

  it('was used: the crawl read every repository over git with it', () => {
    expect(crawl.code, crawl.stderr).toBe(0);
    expect(JSON.parse(crawl.stdout)).toMatchObject({ status: 'ok', repositories: 4, git: { clones: 4 } });
    const overGit = fleet.fake.log.filter((l) => l.kind === 'git' && l.status === 200);
    expect(overGit.length).toBeGreaterThanOrEqual(4 * 5);
    expect(overGit.every((l) => l.authorization === `Basic ${Buffer.from(`x-access-token:${PLANTED}`).toString('base64')}`)).toBe(true);
    expect(build.code, build.stderr).toBe(0);
  });

  it('is on no command line while git runs', () => {
    expect(gitCommands.length).toBeGreaterThan(0); // the poll did see the crawler's git fetches
    expect(seen).toEqual([]);
  });

  it('is in no file of the cache folder, the database, the logs or the site', () => {
    const cache = filesUnder(path.join(fleet.dir, 'git-cache'));
    expect(cache.some((f) => f.endsWith('.pack') && statSync(f).size > 0)).toBe(true);
    expect(holding(cache)).toEqual([]);
    expect(holding(readdirSync(fleet.dir).filter((f) => f.startsWith('seaworthy.db')).map((f) => path.join(fleet.dir, f)))).toEqual([]);
    const site = filesUnder(path.join(fleet.dir, 'dist'));
    expect(site.length).toBeGreaterThan(10);
    expect(holding(site)).toEqual([]);
    // The run page says what git cost (and the token is in none of it, as above).
    const runId = (JSON.parse(crawl.stdout) as { runId: number }).runId;
    expect(readFileSync(path.join(fleet.dir, 'dist', 'runs', String(runId), 'index.html'), 'utf8')).toMatch(/data-testid="run-git".*4 cloned · 0 fetched.*MB received in [\d.]+ s \([\d.]+ s per repository\) · cache folder [\d.]+ MB/s);
    const logs = [crawl.stdout, crawl.stderr, build.stdout, build.stderr].join('\n');
    expect(logs).toContain('"msg":"git"'); // the crawl's git summary was logged
    expect(FORMS.filter((form) => logs.includes(form))).toEqual([]);
  });
});
