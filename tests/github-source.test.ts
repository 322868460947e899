// The GitHub source against a loopback fake GitHub running the real queries over git repositories.
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../crawler/config.ts';
import { createLogger } from '../crawler/log.ts';
import { GitHubSource } from '../crawler/sources/github.ts';
import type { SnapshotNeeds } from '../crawler/sources/types.ts';
import { FakeGitHub } from '../fixtures/fake-github/server.ts';
import { FAKE_TOKEN, memoryLogger, startFleet } from './github-fleet.ts';
import { git } from './helpers.ts';

const CATALOG = (owner: string) => `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\nspec:\n  type: service\n  lifecycle: production\n  owner: ${owner}\n`;
const UTF16 = new Uint8Array([0xff, 0xfe, ...Buffer.from('runbook: restart\n', 'utf16le')]);
const LATIN1 = new Uint8Array([...Buffer.from('# Runbook caf'), 0xe9, 0x0a]);

const NEEDS: SnapshotNeeds = { readPatterns: ['**/*.md', '**/*.yaml', '**/*.txt', 'CODEOWNERS', '.github/CODEOWNERS'], history: false, maxFileBytes: 64, historyLimit: 100 };

describe('GitHub source', () => {
  let fleet: Awaited<ReturnType<typeof startFleet>>;

  beforeAll(async () => {
    fleet = await startFleet(
      [
        {
          spec: {
            name: 'alpha',
            commits: [
              { date: '2026-09-01T00:00:00Z', message: 'init', files: { 'docs/RUNBOOK.md': '# Alpha\n', '.github/CODEOWNERS': '# owners\n*  @acme/payments-backend @someone\n', 'big.txt': 'x'.repeat(200), 'bin.md': new Uint8Array([1, 0, 2, 3]), 'utf16.txt': UTF16, 'latin1.md': LATIN1, 'link.md': { symlink: 'docs/RUNBOOK.md' } } },
              { date: '2026-10-01T00:00:00Z', message: 'second', files: { 'docs/RUNBOOK.md': '# Alpha\n\nUpdated.\n' } },
            ],
          },
          topics: ['production'],
          pullRequests: [
            { number: 7, title: 'Add cache', body: '## Rollback\nRevert.', state: 'MERGED', createdAt: '2026-09-20T00:00:00Z', mergedAt: '2026-09-21T00:00:00Z', author: 'dev1', files: ['src/cache.ts', 'migrations/001.sql'], mergeCommit: 'a'.repeat(40) },
            { number: 8, title: 'Update lodash', body: '', state: 'OPEN', createdAt: '2026-08-01T00:00:00Z', author: 'renovate', authorType: 'Bot' },
            { number: 9, title: 'Old work', body: 'x', state: 'CLOSED', createdAt: '2026-07-01T00:00:00Z', author: 'dev2' },
          ],
        },
        {
          spec: { name: 'bravo', commits: [{ date: '2026-09-01T00:00:00Z', message: 'init', files: { 'catalog-info.yaml': CATALOG('group:default/platform'), 'README.md': 'bravo\n' } }] },
          pullRequests: [{ number: 3, title: 'Secret author', body: '', state: 'MERGED', createdAt: '2026-09-02T00:00:00Z', mergedAt: '2026-09-03T00:00:00Z', author: 'dev1', files: ['a.ts'], authorError: true }],
        },
        { spec: { name: 'charlie', commits: [{ date: '2026-09-01T00:00:00Z', message: 'init', files: { 'README.md': 'charlie\n' } }] } },
        { spec: { name: 'old-thing', commits: [{ date: '2026-01-01T00:00:00Z', message: 'init', files: { 'README.md': 'old\n' } }] }, isArchived: true },
        { spec: { name: 'forked', commits: [{ date: '2026-01-01T00:00:00Z', message: 'init', files: { 'README.md': 'fork\n' } }] }, isFork: true },
      ],
      { teams: [{ slug: 'data-eng', repos: [{ name: 'charlie', permission: 'MAINTAIN' }, { name: 'alpha', permission: 'ADMIN' }] }, { slug: 'readers', repos: [{ name: 'charlie', permission: 'READ' }] }] },
    );
  });
  afterAll(() => fleet.stop());

  function source(extra = '') {
    const config = fleet.config('', extra);
    const s = config.sources[0]!;
    if (s.type !== 'github') throw new Error('expected a github source');
    return new GitHubSource({ config: s, configDir: fleet.dir, cacheDir: path.join(fleet.dir, 'source-cache'), env: { GITHUB_TOKEN: FAKE_TOKEN }, client: { secondMs: 1 } });
  }

  async function snapshotOf(name: string, needs: SnapshotNeeds = NEEDS) {
    const s = source();
    const refs = await s.list();
    const ref = refs.find((r) => r.name === name)!;
    return { snap: await s.snapshot(ref, needs), ref, source: s };
  }

  it('discovers the organisation with its filters', async () => {
    expect((await source().list()).map((r) => r.name)).toEqual(['alpha', 'bravo', 'charlie']);
    expect((await source('    archived: true\n    forks: true\n').list()).map((r) => r.name)).toEqual(['alpha', 'bravo', 'charlie', 'forked', 'old-thing']);
    expect((await source('    topics: [production]\n').list()).map((r) => r.name)).toEqual(['alpha']);
    expect((await source("    exclude: ['b*']\n").list()).map((r) => r.name)).toEqual(['alpha', 'charlie']);
    const [ref] = await source("    include: ['alpha']\n").list();
    expect(ref).toMatchObject({ key: `127.0.0.1:${new URL(fleet.fake.url).port}/acme/alpha`, owner: 'acme', name: 'alpha', webUrl: `${fleet.fake.url}/acme/alpha` });
  });

  it('accepts a repository address from the API only when it is http(s), and fetches only from this GitHub’s own host', async () => {
    const alpha = fleet.fake.options.repos.find((r) => r.name === 'alpha')!;
    try {
      alpha.url = 'javascript:alert(document.domain)//';
      const logger = memoryLogger();
      const s = source();
      const hostile = (await s.list(logger)).find((r) => r.name === 'alpha')!;
      expect(hostile.webUrl).toBeUndefined();
      expect(logger.lines.some((l) => l.includes('not http(s)'))).toBe(true);
      await expect(s.snapshot(hostile, NEEDS)).rejects.toThrow(/GitHub gave no address on http:\/\/127\.0\.0\.1:\d+ to fetch it from/);

      // An https address elsewhere may be shown as a link, but git never takes the token there.
      alpha.url = 'https://evil.example/acme/alpha';
      fleet.fake.resetLog();
      const elsewhere = source();
      const moved = (await elsewhere.list()).find((r) => r.name === 'alpha')!;
      expect(moved.webUrl).toBe('https://evil.example/acme/alpha');
      await expect(elsewhere.snapshot(moved, NEEDS)).rejects.toThrow(/no address on http:\/\/127\.0\.0\.1:\d+ to fetch it from \(it gave "https:\/\/evil\.example\/acme\/alpha"\)/);
      expect(fleet.fake.log.filter((l) => l.kind === 'git')).toEqual([]);
    } finally {
      delete alpha.url;
    }
  });

  it('reads the head commit’s files and content the way the local source does', async () => {
    const { snap } = await snapshotOf('alpha');
    const dir = fleet.fake.options.repos.find((r) => r.name === 'alpha')!.dir;
    expect(snap.head.oid).toBe(git(dir, 'rev-parse', 'HEAD').trim());
    expect(snap.identity.defaultBranch).toBe('main');
    expect(snap.files.find((f) => f.path === 'link.md')?.kind).toBe('symlink');
    expect(snap.read('link.md')).toEqual({ ok: false, reason: 'symlink' });
    expect(snap.read('docs/RUNBOOK.md')).toMatchObject({ ok: true, text: '# Alpha\n\nUpdated.\n', encoding: 'utf-8', invalidBytes: false });
    expect(snap.read('big.txt')).toMatchObject({ ok: false, reason: 'too-large' });
    expect(snap.read('bin.md')).toEqual({ ok: false, reason: 'binary' });
    expect(snap.read('utf16.txt')).toMatchObject({ ok: true, text: 'runbook: restart\n', encoding: 'utf-16le' });
    expect(snap.read('latin1.md')).toMatchObject({ ok: true, invalidBytes: true });
    expect(snap.read('README.md')).toEqual({ ok: false, reason: 'not-found' });
    expect(snap.history.complete).toBe(false);
  });

  it('lists submodules as submodules and never follows them', async () => {
    const dir = fleet.fake.options.repos.find((r) => r.name === 'charlie')!.dir;
    git(dir, 'update-index', '--add', '--cacheinfo', `160000,${'b'.repeat(40)},vendor/lib`);
    git(dir, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'add submodule');
    const { snap } = await snapshotOf('charlie', { ...NEEDS, readPatterns: ['**'] });
    expect(snap.files.find((f) => f.path === 'vendor/lib')).toMatchObject({ kind: 'submodule', oid: 'b'.repeat(40) });
    expect(snap.read('vendor/lib')).toEqual({ ok: false, reason: 'submodule' });
  });

  it('brings pull requests: merged with their merge commit, open ones from bots with [bot] logins', async () => {
    const { snap } = await snapshotOf('alpha');
    const prs = snap.pullRequests ?? [];
    expect(prs.map((p) => [p.number, p.state, p.author])).toEqual([[7, 'merged', 'dev1'], [8, 'open', 'renovate[bot]']]);
    // No check that reads history is enabled: nobody needs the changed files, so none are read.
    expect(prs[0]).toMatchObject({ title: 'Add cache', body: '## Rollback\nRevert.', mergedAt: '2026-09-21T00:00:00Z', createdAt: '2026-09-20T00:00:00Z', files: [], mergeCommit: 'a'.repeat(40), url: `${fleet.fake.url}/acme/alpha/pull/7` });
  });

  it('takes a merged pull request’s changed files from git: those of its merge commit on the default branch', async () => {
    const alpha = fleet.fake.options.repos.find((r) => r.name === 'alpha')!;
    const pr = alpha.pullRequests![0]!;
    const saved = pr.mergeCommit;
    pr.mergeCommit = git(alpha.dir, 'rev-parse', 'HEAD~1').trim(); // the commit that added the runbook, CODEOWNERS and the rest
    try {
      const { snap } = await snapshotOf('alpha', { ...NEEDS, history: true });
      expect(snap.pullRequests![0]!.files.sort()).toEqual(['.github/CODEOWNERS', 'big.txt', 'bin.md', 'docs/RUNBOOK.md', 'latin1.md', 'link.md', 'utf16.txt']);
      expect(snap.history.complete).toBe(true);
      expect(snap.history.commits.map((c) => c.message)).toEqual(['second', 'init']);
      expect(snap.history.commits[0]!.files).toEqual([{ path: 'docs/RUNBOOK.md', change: 'M' }]);
      // A merge commit outside the history read: said, not guessed.
      pr.mergeCommit = 'c'.repeat(40);
      const outside = await snapshotOf('alpha', { ...NEEDS, history: true });
      expect(outside.snap.pullRequests![0]!.files).toEqual([]);
      expect(outside.snap.problems).toContain('1 merged pull request landed outside the 2 commits of history read, so its changed files are unknown');
    } finally {
      pr.mergeCommit = saved;
    }
  });

  it('keeps what GitHub did answer when part of a repository’s answer is refused, and says what is missing', async () => {
    const { snap } = await snapshotOf('bravo');
    expect((snap.pullRequests ?? []).map((p) => [p.number, p.author])).toEqual([[3, 'ghost']]);
    expect(snap.problems).toContain('GitHub left out merged.nodes.0.author: FORBIDDEN: Resource not accessible by integration');
    expect(snap.read('README.md')).toMatchObject({ ok: true, text: 'bravo\n' });
  });

  it('reads the default branch as it was at --as-of, with pull requests as they stood then', async () => {
    const { snap } = await snapshotOf('alpha', { ...NEEDS, asOf: new Date('2026-09-20T12:00:00Z') });
    expect(snap.read('docs/RUNBOOK.md')).toMatchObject({ ok: true, text: '# Alpha\n' });
    expect((snap.pullRequests ?? []).map((p) => [p.number, p.state])).toEqual([[7, 'open'], [8, 'open']]);
    const s = source();
    const refs = await s.list();
    await expect(s.snapshot(refs[0]!, { ...NEEDS, asOf: new Date('2025-01-01T00:00:00Z') })).rejects.toThrow(/no commit on the default branch/);
  });

  it('batches: several repositories cost one pull-request query; content comes over git, a clone and one blob fetch each', async () => {
    const s = source();
    const refs = await s.list();
    fleet.fake.resetLog();
    await rm(path.join(fleet.dir, 'source-cache'), { recursive: true, force: true });
    s.prepare(refs, NEEDS);
    const snaps = await Promise.all(refs.map((r) => s.snapshot(r, NEEDS)));
    expect(snaps.map((x) => x.identity.name)).toEqual(['alpha', 'bravo', 'charlie']);
    expect(fleet.fake.log.filter((l) => l.kind === 'graphql').map((l) => l.what)).toEqual(['PullRequests']);
    expect(fleet.fake.log.filter((l) => l.kind === 'rest')).toEqual([]);
    // A blobless clone is 3 requests (refs, negotiation, pack); the blobs the checks read, 2 more.
    for (const name of ['alpha', 'bravo', 'charlie']) {
      expect(fleet.fake.log.filter((l) => l.kind === 'git' && l.what.endsWith(` ${name}`)).map((l) => l.what.split(' ')[0])).toEqual(['info/refs', 'git-upload-pack', 'git-upload-pack', 'info/refs', 'git-upload-pack']);
    }
    expect(s.usage()).toMatchObject({ points: 2, graphqlRequests: 2 }); // discovery and the one pull-request query

    // Read again at the same heads: the cache holds them, and every blob the checks read; git is not asked.
    fleet.fake.resetLog();
    const again = source();
    const refs2 = await again.list();
    again.prepare(refs2, NEEDS);
    const snaps2 = await Promise.all(refs2.map((r) => again.snapshot(r, NEEDS)));
    expect(snaps2.map((x) => [x.files, x.read('docs/RUNBOOK.md')])).toEqual(snaps.map((x) => [x.files, x.read('docs/RUNBOOK.md')]));
    expect(fleet.fake.log.filter((l) => l.kind === 'git')).toEqual([]);
    // A new commit: one fetch (refs, negotiation, pack) and one blob fetch for the changed file.
    const charlie = fleet.fake.options.repos.find((r) => r.name === 'charlie')!.dir;
    writeFileSync(path.join(charlie, 'README.md'), 'charlie, changed\n');
    git(charlie, 'add', 'README.md');
    git(charlie, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'change');
    fleet.fake.resetLog();
    const third = source();
    const refs3 = await third.list();
    third.prepare(refs3, NEEDS);
    const changed = await third.snapshot(refs3.find((r) => r.name === 'charlie')!, NEEDS);
    expect(changed.read('README.md')).toMatchObject({ ok: true, text: 'charlie, changed\n' });
    expect(fleet.fake.log.filter((l) => l.kind === 'git').map((l) => l.what.split(' ')[0])).toEqual(['info/refs', 'git-upload-pack', 'git-upload-pack', 'info/refs', 'git-upload-pack']);
  });

  it('stores owner, owner source, points and carries unchanged repositories forward without reading them', async () => {
    const extra = 'teams:\n  - {name: payments, displayName: Payments, repos: [nothing], githubTeams: [payments-backend]}\n  - {name: platform, displayName: Platform, repos: [nothing]}\n  - {name: data, displayName: Data, repos: [nothing], githubTeams: [data-eng]}\n';
    const config = fleet.config(extra);
    fleet.fake.resetLog();
    const first = await fleet.crawl(config);
    expect(first).toMatchObject({ status: 'ok', repositories: 3, carriedForward: 0 });
    expect(first.api!.points).toBe(fleet.fake.pointsUsed);
    const db = new Database(fleet.dbPath, { readonly: true });
    const owners = () => db.prepare('SELECT r.name, t.name AS team, rr.owner_source AS src, rr.carried_from_run AS carried FROM repo_runs rr JOIN repositories r ON r.id = rr.repo_id LEFT JOIN teams t ON t.id = rr.team_id WHERE rr.run_id = ? ORDER BY r.name').all(db.prepare('SELECT MAX(id) FROM runs').pluck().get());
    // alpha: CODEOWNERS beats its admin team (catalog-info and codeowners come first by default).
    expect(owners()).toEqual([
      { name: 'alpha', team: 'payments', src: 'codeowners', carried: null },
      { name: 'bravo', team: 'platform', src: 'catalog-info', carried: null },
      { name: 'charlie', team: 'data', src: 'github-team', carried: null },
    ]);
    expect(db.prepare('SELECT api_points FROM runs WHERE id = ?').pluck().get(first.runId)).toBe(first.api!.points);

    fleet.fake.resetLog();
    const second = await fleet.crawl(config);
    expect(second).toMatchObject({ status: 'ok', repositories: 3, carriedForward: 3 });
    // Discovery alone (heads come with it): no git, and no teams query, though charlie's owner came from its team.
    expect(fleet.fake.log.map((l) => l.what)).toEqual(['Discover']);
    expect(owners()).toEqual([
      { name: 'alpha', team: 'payments', src: 'codeowners', carried: first.runId },
      { name: 'bravo', team: 'platform', src: 'catalog-info', carried: first.runId },
      { name: 'charlie', team: 'data', src: 'github-team', carried: first.runId },
    ]);
    const copied = db.prepare('SELECT COUNT(*) FROM check_results WHERE run_id = ?').pluck();
    expect(copied.get(second.runId)).toBe(copied.get(first.runId));
    const findings = db.prepare('SELECT COUNT(*) FROM findings f JOIN check_results c ON c.id = f.result_id WHERE c.run_id = ?').pluck();
    expect(findings.get(second.runId)).toBe(findings.get(first.runId));

    // A changed configuration re-judges everything, but content comes from the cache: git is not asked at all.
    fleet.fake.resetLog();
    const third = await fleet.crawl(fleet.config(`${extra}checks:\n  runbooks:\n    weight: 5\n`));
    expect(third).toMatchObject({ status: 'ok', carriedForward: 0 });
    expect(fleet.fake.log.filter((l) => l.kind === 'rest' || l.kind === 'git')).toEqual([]);
    expect(third.git).toMatchObject({ clones: 0, fetches: 0, cached: 3, blobFetches: 0 });

    // A check's options are configuration too: changed, nothing is carried; unchanged again, all is.
    const tuned = fleet.config(`${extra}checks:\n  runbooks:\n    weight: 5\n    thresholds: {passAt: 9}\n`);
    expect((await fleet.crawl(tuned)).carriedForward).toBe(0);
    expect((await fleet.crawl(tuned)).carriedForward).toBe(3);

    // --as-of never carries forward, and is never carried from.
    const past = await fleet.crawl(config, { asOf: new Date('2026-09-15T00:00:00Z') });
    expect(past.carriedForward).toBe(0);
    const afterPast = await fleet.crawl(tuned);
    expect(afterPast.carriedForward).toBe(3);
    expect(db.prepare('SELECT DISTINCT carried_from_run FROM repo_runs WHERE run_id = ?').pluck().all(afterPast.runId)).not.toContain(past.runId);
    db.close();
  });

  it('authenticates as a GitHub App, finding its installation, and serves GHES under /api; the key and its tokens stay secret', async () => {
    const keyPair = () => generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs1', format: 'pem' } });
    const { publicKey, privateKey } = keyPair();
    const ghes = await startFleet([{ spec: { name: 'solo', commits: [{ date: '2026-09-01T00:00:00Z', message: 'init', files: { 'README.md': 'solo\n' } }] } }], { token: undefined, app: { appId: 4242, publicKey, installationId: 99 }, prefix: '/api' });
    const keyLines = privateKey.split('\n').filter((line) => line.length >= 40);
    const secretsIn = (text: string, tokens: string[]) => [...keyLines, ...tokens, 'PRIVATE KEY'].filter((secret) => text.includes(secret));
    const databaseText = () => readdirSync(ghes.dir).filter((f) => f.startsWith('seaworthy.db')).map((f) => readFileSync(path.join(ghes.dir, f)).toString('latin1')).join('\n');
    try {
      writeFileSync(path.join(ghes.dir, 'app.pem'), privateKey);
      const logger = memoryLogger();
      const config = ghes.config('', '    auth:\n      app:\n        appId: 4242\n        privateKeyFile: app.pem\n');
      const source = config.sources[0]!;
      if (source.type !== 'github') throw new Error('expected github');
      // Configured by its REST root, as Octokit users often do: GraphQL still goes to /api/graphql.
      source.apiUrl = `${ghes.fake.apiUrl}/v3`;
      const summary = await ghes.crawl(config, { logger, env: {} });
      expect(summary).toMatchObject({ status: 'ok', repositories: 1 });
      expect(ghes.fake.log.filter((l) => l.kind === 'auth').map((l) => [l.what, l.status])).toEqual([['installation', 200], ['access_tokens', 201]]);
      expect(ghes.fake.log.filter((l) => l.kind === 'graphql').every((l) => l.status === 200)).toBe(true);
      expect(ghes.fake.apiUrl).toMatch(/\/api$/);
      const tokens = ghes.fake.log.flatMap((l) => (l.authorization?.startsWith('token ghs_') ? [l.authorization.slice(6)] : []));
      expect(tokens.length).toBeGreaterThan(0); // installation tokens were used, so looking for them below means something
      expect(secretsIn(logger.lines.join('\n'), tokens)).toEqual([]);
      expect(secretsIn(databaseText(), tokens)).toEqual([]);

      // Refused: a key GitHub does not know. The failure names the problem, never the key.
      writeFileSync(path.join(ghes.dir, 'app.pem'), keyPair().privateKey);
      const refusedLogger = memoryLogger();
      const refused = await ghes.crawl(config, { logger: refusedLogger, env: {} }).then(
        () => new Error('the crawl should have been refused'),
        (error: unknown) => error as Error,
      );
      expect(refused.message).toMatch(/installation on acme.*401/);
      const otherKey = readFileSync(path.join(ghes.dir, 'app.pem'), 'utf8');
      const otherLines = otherKey.split('\n').filter((line) => line.length >= 40);
      const told = [refused.message, String(refused.stack), JSON.stringify(refused), refusedLogger.lines.join('\n'), databaseText()].join('\n');
      expect([...otherLines, 'PRIVATE KEY'].filter((secret) => told.includes(secret))).toEqual([]);
      expect(logger.lines.join('\n')).not.toContain('PRIVATE KEY');
      // The id and the key from the environment, as the nightly workflow passes them (a shard may have an App of its own).
      const fromEnv = ghes.config('', '    auth:\n      app:\n        appIdEnv: SEAWORTHY_APP_ID\n        privateKeyEnv: SEAWORTHY_APP_PRIVATE_KEY\n');
      expect(await ghes.crawl(fromEnv, { logger, env: { SEAWORTHY_APP_ID: '4242', SEAWORTHY_APP_PRIVATE_KEY: privateKey } })).toMatchObject({ status: 'ok', repositories: 1 });
      await expect(ghes.crawl(fromEnv, { logger, env: { SEAWORTHY_APP_ID: 'app-4242', SEAWORTHY_APP_PRIVATE_KEY: privateKey } })).rejects.toThrow(/environment variable SEAWORTHY_APP_ID \(the App id\) is not a number/);
      expect(() => ghes.config('', '    auth:\n      app:\n        appId: 4242\n        appIdEnv: SEAWORTHY_APP_ID\n        privateKeyFile: app.pem\n')).toThrow(/give exactly one of appId or appIdEnv/);
    } finally {
      await ghes.stop();
    }
  });

  it('says so when the teams cannot be listed, instead of owning nothing in silence', async () => {
    const extra = 'crawl: {carryForwardDays: 0}\nteams:\n  - {name: data, displayName: Data, repos: [nothing], githubTeams: [data-eng]}\n';
    fleet.fake.options.teamsForbidden = true;
    try {
      const s = source();
      const refs = await s.list();
      await expect(s.hostTeams(refs.find((r) => r.name === 'charlie')!)).rejects.toThrow(/listing the teams of acme.*FORBIDDEN.*Members permission/);
      const summary = await fleet.crawl(fleet.config(extra));
      expect(summary.status).toBe('ok');
      const db = new Database(fleet.dbPath, { readonly: true });
      const row = db.prepare("SELECT rr.team_id AS team, rr.problems FROM repo_runs rr JOIN repositories r ON r.id = rr.repo_id WHERE rr.run_id = ? AND r.name = 'charlie'").get(summary.runId) as { team: number | null; problems: string };
      db.close();
      expect(row.team).toBeNull();
      expect(row.problems).toMatch(/teams could not be read.*FORBIDDEN/);
    } finally {
      delete fleet.fake.options.teamsForbidden;
    }
  });

  it('says that sources[].history.commits no longer applies: history comes from git, up to crawl.historyLimit', () => {
    const logger = memoryLogger();
    const s = fleet.config('', '    history: {commits: 30}\n').sources[0]!;
    if (s.type !== 'github') throw new Error('expected github');
    new GitHubSource({ config: s, configDir: fleet.dir, cacheDir: fleet.dir, env: { GITHUB_TOKEN: FAKE_TOKEN }, logger });
    expect(logger.lines).toContainEqual(expect.stringMatching(/sources\[\]\.history\.commits no longer applies: history is read with git, up to crawl\.historyLimit commits/));
    const quiet = memoryLogger();
    const plain = fleet.config().sources[0]!;
    if (plain.type !== 'github') throw new Error('expected github');
    new GitHubSource({ config: plain, configDir: fleet.dir, cacheDir: fleet.dir, env: { GITHUB_TOKEN: FAKE_TOKEN }, logger: quiet });
    expect(quiet.lines).toEqual([]);
  });

  it('refuses to start without credentials, naming the variable', () => {
    const config = fleet.config();
    const s = config.sources[0]!;
    if (s.type !== 'github') throw new Error('expected github');
    expect(() => new GitHubSource({ config: s, configDir: fleet.dir, cacheDir: fleet.dir, env: {}, logger: createLogger({ quiet: true }) })).toThrow(/GITHUB_TOKEN is not set/);
    expect(() => parseConfig(`sources:\n  - type: github\n    org: acme\n    auth: {tokenEnv: 'ghp_abc-def'}\n`, '/tmp/x.yaml')).toThrow(/must be the name of an environment variable, not the token itself/);
  });

  it('asks heads of up to 100 repositories in one query when they were not just discovered', async () => {
    const refs = await source().list();
    const fresh = source();
    fleet.fake.resetLog();
    const heads = await fresh.heads([...refs, { ...refs[0]!, key: 'gone', location: 'R_missing' }]);
    expect(fleet.fake.log.map((l) => [l.what, l.cost])).toEqual([['Heads', 1]]);
    for (const ref of refs) expect(heads.get(ref.key)).toBe(git(fleet.fake.options.repos.find((r) => r.name === ref.name)!.dir, 'rev-parse', 'HEAD').trim());
    expect(heads.get('gone')).toBeNull();
  });

  it('names ref keys by host, so the same owner and name on another GitHub never collide', async () => {
    const alpha = fleet.fake.options.repos.find((r) => r.name === 'alpha')!;
    const other = await new FakeGitHub({ org: 'acme', token: FAKE_TOKEN, repos: [alpha], prefix: '/api' }).start();
    try {
      const here = (await source().list()).find((r) => r.name === 'alpha')!;
      const s = fleet.config().sources[0]!;
      if (s.type !== 'github') throw new Error('expected github');
      const there = (await new GitHubSource({ config: { ...s, apiUrl: other.apiUrl }, configDir: fleet.dir, cacheDir: fleet.dir, env: { GITHUB_TOKEN: FAKE_TOKEN }, client: { secondMs: 1 } }).list())[0]!;
      expect([here.owner, here.name]).toEqual([there.owner, there.name]);
      expect(here.key).not.toBe(there.key);
      expect(there.key).toBe(`${new URL(other.url).host}/acme/alpha`);
    } finally {
      await other.stop();
    }
  });
});

describe('GitHub source batching', () => {
  it('fetches each planned repository exactly once, in batches, whatever order workers ask in', async () => {
    const specs = Array.from({ length: 23 }, (_, i) => ({ spec: { name: `r${String(i).padStart(2, '0')}`, commits: [{ date: '2026-09-01T00:00:00Z', message: 'init', files: { 'README.md': `r${i}\n` } }] } }));
    const fleet = await startFleet(specs);
    try {
      const s = fleet.config().sources[0]!;
      if (s.type !== 'github') throw new Error('expected github');
      const source = new GitHubSource({ config: s, configDir: fleet.dir, cacheDir: path.join(fleet.dir, 'cache'), env: { GITHUB_TOKEN: FAKE_TOKEN }, client: { secondMs: 1 }, batchSize: 5 });
      const refs = await source.list();
      source.prepare(refs, NEEDS);
      fleet.fake.resetLog();
      // Four workers taking refs in order, as the crawler does.
      let next = 0;
      const seen: string[] = [];
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < refs.length) {
            const ref = refs[next++]!;
            const snap = await source.snapshot(ref, NEEDS);
            seen.push(snap.identity.name);
          }
        }),
      );
      expect(seen.sort()).toEqual(refs.map((r) => r.name));
      const clones = fleet.fake.log.filter((l) => l.kind === 'git' && l.what.startsWith('info/refs')).map((l) => l.what);
      expect(new Set(clones).size).toBe(23);
      expect(clones).toHaveLength(46); // each repository once: its clone, then its blobs
      expect(fleet.fake.log.filter((l) => l.what === 'PullRequests')).toHaveLength(5); // ⌈23 / 5⌉
      // Asked again later: read again on its own, not lost.
      expect((await source.snapshot(refs[0]!, NEEDS)).identity.name).toBe('r00');
    } finally {
      await fleet.stop();
    }
  });
});
