// How many git processes a crawl starts: each one costs a fork of the whole crawler (slower the
// larger its heap), so the local source reads a changed repository with at most five and an
// unchanged one with at most two. A `git` on PATH that records each call and runs the real one
// counts them in a real crawl.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRepo, type FixtureCommit } from '../fixtures/factory.ts';
import { CLI_DEADLINE_MS, git, runCli, tempDir, writeConfig } from './helpers.ts';

const CLI = path.join(import.meta.dirname, '..', 'bin', 'seaworthy.mjs');

const REAL_GIT = (process.env.PATH ?? '').split(':').map((dir) => path.join(dir, 'git')).find((candidate) => {
  try {
    return readFileSync(candidate).length > 0;
  } catch {
    return false;
  }
});

describe('git processes per crawled repository', () => {
  const tmp = tempDir('sw-gitcount-');
  afterAll(tmp.cleanup);

  function recordingGit(): { env: NodeJS.ProcessEnv; calls(): { cwd: string; command: string; parentPid: number; parent: string }[] } {
    const shimDir = path.join(tmp.dir, 'shim');
    const log = path.join(tmp.dir, 'git-calls.log');
    mkdirSync(shimDir, { recursive: true });
    // The crawler drops GIT_* variables from git's environment, so the log path travels under another name.
    writeFileSync(path.join(shimDir, 'git'), `#!/bin/sh\nlast=""\nfor a in "$@"; do case "$a" in -c) ;; *=*) ;; *) [ -z "$last" ] && last="$a";; esac; done\nparent=$(tr '\\0' ' ' < /proc/$PPID/cmdline)\nprintf '%s\\t%s\\t%s\\t%s\\n' "$PWD" "$last" "$PPID" "$parent" >> "$SW_TEST_GIT_LOG"\nexec ${JSON.stringify(REAL_GIT)} "$@"\n`);
    chmodSync(path.join(shimDir, 'git'), 0o755);
    return {
      env: { PATH: `${shimDir}:${process.env.PATH}`, SW_TEST_GIT_LOG: log },
      calls: () => {
        const text = (() => {
          try {
            return readFileSync(log, 'utf8');
          } catch {
            return '';
          }
        })();
        writeFileSync(log, '');
        return text.split('\n').filter(Boolean).map((line) => {
          const [cwd = '', command = '', parentPid = '0', parent = ''] = line.split('\t');
          return { cwd, command, parentPid: Number(parentPid), parent };
        });
      },
    };
  }

  it('at most five for a changed repository and two for an unchanged one, on a plain clone and one with origin/HEAD', () => {
    const repos = path.join(tmp.dir, 'repos');
    const history: { commits: FixtureCommit[] } = { commits: [
      { date: '2026-09-01T00:00:00Z', message: 'init', files: { 'README.md': '# svc\n', 'docs/runbook.md': '# on call\n' } },
      { date: '2026-09-08T00:00:00Z', message: 'more', files: { 'package.json': '{"name":"svc"}\n' } },
    ] };
    createRepo(repos, { name: 'plain', ...history });
    createRepo(path.join(tmp.dir, 'origins'), { name: 'upstream', ...history });
    git(repos, 'clone', '-q', `file://${path.join(tmp.dir, 'origins', 'upstream')}`, 'cloned');
    const config = writeConfig(tmp.dir, 'database: data/seaworthy.db\nsources:\n  - type: local\n    paths: ["repos/*"]\n');
    const shim = recordingGit();

    const first = runCli(['crawl', '-c', config, '--offline', '-q'], { env: shim.env });
    expect(first.code, first.stderr).toBeLessThanOrEqual(1);
    const firstCalls = shim.calls();
    for (const name of ['plain', 'cloned']) {
      const mine = firstCalls.filter((call) => path.basename(call.cwd) === name);
      expect(mine.length, JSON.stringify(mine)).toBeGreaterThanOrEqual(3);
      expect(mine.length, JSON.stringify(mine)).toBeLessThanOrEqual(5);
    }

    const second = runCli(['crawl', '-c', config, '--offline', '-q'], { env: shim.env });
    expect(second.code, second.stderr).toBeLessThanOrEqual(1);
    const secondCalls = shim.calls();
    for (const name of ['plain', 'cloned']) {
      const mine = secondCalls.filter((call) => path.basename(call.cwd) === name);
      expect(mine.length, JSON.stringify(mine)).toBeGreaterThanOrEqual(1);
      expect(mine.length, JSON.stringify(mine)).toBeLessThanOrEqual(2);
      expect(mine.map((call) => call.command)).not.toContain('ls-tree');
    }
  });

  it('are started by the small spawner process, which ends when the crawler is killed', async () => {
    const repos = path.join(tmp.dir, 'repos-kill');
    for (let i = 0; i < 6; i++) createRepo(repos, { name: `svc-${i}`, commits: [{ date: '2026-09-01T00:00:00Z', message: 'init', files: { 'README.md': `# svc ${i}\n` } }] });
    const config = writeConfig(tmp.dir, 'database: data/kill.db\nsources:\n  - type: local\n    paths: ["repos-kill/*"]\n', 'kill.config.yaml');
    const shim = recordingGit();
    shim.calls();
    const crawler = spawn(process.execPath, [CLI, 'crawl', '-c', config, '--offline', '-q'], { env: { ...process.env, ...shim.env }, stdio: 'ignore' });
    let calls: ReturnType<typeof shim.calls> = [];
    const deadline = Date.now() + CLI_DEADLINE_MS;
    while (calls.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      calls = shim.calls();
    }
    expect(calls.length).toBeGreaterThan(0);
    const spawnerPid = calls[0]!.parentPid;
    expect(spawnerPid).not.toBe(crawler.pid);
    expect(calls.every((call) => call.parent.includes('spawner-process.ts')), JSON.stringify(calls)).toBe(true);
    crawler.kill('SIGKILL');
    await new Promise((resolve) => crawler.once('exit', resolve));
    const alive = () => {
      try {
        process.kill(spawnerPid, 0);
        return true;
      } catch {
        return false;
      }
    };
    while (alive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(alive()).toBe(false);
  });
});
