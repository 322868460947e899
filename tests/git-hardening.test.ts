// Git never runs what a repository configures: a clone whose .git/config points signature
// verification, fsmonitor, the pager, external diff, textconv and filter drivers and hooks at a
// script is crawled end to end, and the script never runs (it would leave a marker file).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../crawler/config.ts';
import { gitArgs, gitEnv, runGit } from '../crawler/git/run.ts';
import { createLogger } from '../crawler/log.ts';
import { crawl } from '../crawler/run.ts';
import { LocalGitSource } from '../crawler/sources/local-git.ts';
import { createRepo } from '../fixtures/factory.ts';
import { git, tempDir } from './helpers.ts';

describe('git never runs what a repository configures', () => {
  const tmp = tempDir('sw-hostile-git-');
  const marker = path.join(tmp.dir, 'MARKER');
  const evil = path.join(tmp.dir, 'evil.sh');
  const repo = path.join(tmp.dir, 'repos', 'trap');
  afterAll(tmp.cleanup);

  beforeAll(() => {
    writeFileSync(evil, `#!/bin/sh\necho "$0 $*" >> '${marker}'\ncat\nexit 0\n`);
    chmodSync(evil, 0o755);
    createRepo(path.join(tmp.dir, 'repos'), {
      name: 'trap',
      commits: [
        { date: '2026-05-01T00:00:00Z', message: 'feat: service', files: { '.gitattributes': '* diff=evil filter=evil\n', Dockerfile: 'FROM node:24\n', 'RUNBOOK.md': '# Runbook\n\n## Symptoms\nErrors.\n', 'db/migrate/001_a.sql': 'CREATE TABLE a (id int);\n' } },
        { date: '2026-06-01T00:00:00Z', message: 'feat: move', files: { 'db/migrate/001_a.sql': null, 'db/migrate/001_b.sql': 'CREATE TABLE a (id int);\n', 'src/app.ts': 'export const a = 1;\n' } },
      ],
    });
    // A signed commit on top: `git log` with log.showSignature verifies it by running gpg.program.
    const tree = git(repo, 'rev-parse', 'HEAD^{tree}').trim();
    const parent = git(repo, 'rev-parse', 'HEAD').trim();
    const signed = `tree ${tree}\nparent ${parent}\nauthor Mallory <m@example.invalid> 1782000000 +0000\ncommitter Mallory <m@example.invalid> 1782000000 +0000\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----\n\nchore: signed\n`;
    const oid = spawnSync('git', ['hash-object', '-t', 'commit', '-w', '--stdin'], { cwd: repo, input: signed, encoding: 'utf8' }).stdout.trim();
    git(repo, 'update-ref', 'refs/heads/main', oid);
    const hooks = path.join(tmp.dir, 'hooks');
    mkdirSync(hooks);
    for (const hook of ['post-checkout', 'pre-auto-gc', 'reference-transaction', 'post-index-change', 'fsmonitor-watchman']) {
      writeFileSync(path.join(hooks, hook), `#!/bin/sh\nexec '${evil}' hook-${hook}\n`);
      chmodSync(path.join(hooks, hook), 0o755);
    }
    const config = [
      `[gpg]\n\tprogram = ${evil}`,
      `[gpg "ssh"]\n\tprogram = ${evil}`,
      '[log]\n\tshowSignature = true\n\tshowRoot = false',
      `[core]\n\tfsmonitor = ${evil}\n\tpager = ${evil}\n\thooksPath = ${hooks}\n\taskPass = ${evil}\n\tsshCommand = ${evil}`,
      `[diff]\n\texternal = ${evil}\n\trenames = false`,
      `[diff "evil"]\n\ttextconv = ${evil}\n\tcommand = ${evil}`,
      `[filter "evil"]\n\tsmudge = ${evil}\n\tclean = ${evil}\n\tprocess = ${evil}\n\trequired = true`,
      `[credential]\n\thelper = !${evil}`,
      '[color]\n\tui = always',
      '[i18n]\n\tlogOutputEncoding = UTF-16',
    ].join('\n');
    writeFileSync(path.join(repo, '.git', 'config'), `${readFileSync(path.join(repo, '.git', 'config'), 'utf8')}\n${config}\n`);
  });

  it('the trap is real: plain git runs the script', () => {
    spawnSync('git', ['log', '-3', '--name-status'], { cwd: repo, encoding: 'utf8' });
    expect(existsSync(marker)).toBe(true);
    rmSync(marker);
  });

  it('a crawl of the repository with every check runs none of it, and reads what plain git would by default', async () => {
    const saved = { GIT_EXTERNAL_DIFF: process.env.GIT_EXTERNAL_DIFF, GIT_CONFIG_PARAMETERS: process.env.GIT_CONFIG_PARAMETERS };
    process.env.GIT_EXTERNAL_DIFF = evil; // inherited from a caller's shell or hook
    process.env.GIT_CONFIG_PARAMETERS = `'core.pager=${evil}' 'log.showSignature=true'`;
    try {
      const yaml = `database: sw.db\nsources:\n  - type: local\n    paths: ['repos/*']\n    owner: acme\n`;
      const summary = await crawl(parseConfig(yaml, path.join(tmp.dir, 'seaworthy.config.yaml')), { dbPath: path.join(tmp.dir, 'sw.db'), logger: createLogger({ quiet: true }), now: new Date('2026-07-01T00:00:00Z') });
      expect(summary.status).toBe('ok');
      expect(existsSync(marker) ? readFileSync(marker, 'utf8') : '').toBe('');
      const db = new Database(path.join(tmp.dir, 'sw.db'), { readonly: true });
      const problems = db.prepare('SELECT problems FROM repo_runs').pluck().get() as string;
      db.close();
      expect(problems).not.toMatch(/could not be read/);

      // Same snapshot as without the hostile settings: renames detected, root commit listed, no colour codes.
      const source = new LocalGitSource({ paths: ['repos/*'], baseDir: tmp.dir });
      const [ref] = await source.list();
      const snap = await source.snapshot(ref!, { readPatterns: ['**/*'], history: true, maxFileBytes: 65_536, historyLimit: 100 });
      expect(snap.history.commits.map((c) => c.message)).toEqual(['chore: signed', 'feat: move', 'feat: service']);
      expect(snap.history.commits[1]!.files).toContainEqual({ path: 'db/migrate/001_b.sql', change: 'R', previousPath: 'db/migrate/001_a.sql' });
      expect(snap.history.commits[2]!.files.map((f) => f.path).sort()).toEqual(['.gitattributes', 'Dockerfile', 'RUNBOOK.md', 'db/migrate/001_a.sql']);
      expect(snap.read('RUNBOOK.md')).toMatchObject({ ok: true, text: '# Runbook\n\n## Symptoms\nErrors.\n' });
      expect(existsSync(marker)).toBe(false);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('puts credentials in the environment only, never on the command line', async () => {
    const secret = 'AUTHORIZATION: basic c2VjcmV0LXRva2Vu';
    const args = gitArgs(['version'], { protocols: ['file'] });
    expect(args.join(' ')).not.toContain('c2VjcmV0');
    expect(args).toEqual(expect.arrayContaining(['protocol.allow=never', 'protocol.https.allow=always', 'protocol.file.allow=always', 'log.showSignature=false', 'core.hooksPath=/dev/null', 'credential.helper=']));
    const env = gitEnv({ cwd: tmp.dir, secretConfig: [['http.https://example.invalid/.extraHeader', secret]] });
    expect(env).toMatchObject({ GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.https://example.invalid/.extraHeader', GIT_CONFIG_VALUE_0: secret, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' });
    // git sees it as configuration.
    const shown = await runGit(['config', '--get', 'http.https://example.invalid/.extraHeader'], { cwd: tmp.dir, secretConfig: [['http.https://example.invalid/.extraHeader', secret]] });
    expect(shown.stdout.toString().trim()).toBe(secret);
  });
});
