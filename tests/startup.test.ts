// `seaworthy --help` and other answers that need no crawler must not load it: the CLI imports each
// command's modules when that command runs (crawler/cli.ts). A resolve hook in the child process
// lists every module the command loaded, so a stray top-level import fails here, not in a benchmark.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_DEADLINE_MS, tempDir } from './helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'bin/seaworthy.mjs');

describe('start-up loads only what the command uses', () => {
  const tmp = tempDir('sw-startup-');
  afterAll(tmp.cleanup);

  function loadedModules(args: string[]): { code: number | null; stdout: string; modules: string[] } {
    const log = path.join(tmp.dir, `modules-${args.join('-').replace(/\W+/g, '_')}.txt`);
    const hook = path.join(tmp.dir, 'record-modules.mjs');
    writeFileSync(hook, `import { registerHooks } from 'node:module';
import { appendFileSync } from 'node:fs';
registerHooks({ resolve(specifier, context, next) { const result = next(specifier, context); appendFileSync(${JSON.stringify(log)}, result.url + '\\n'); return result; } });
`);
    writeFileSync(log, '');
    const run = spawnSync(process.execPath, ['--import', hook, CLI, ...args], { encoding: 'utf8', timeout: CLI_DEADLINE_MS, env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1' } });
    return { code: run.status, stdout: run.stdout, modules: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
  }

  const heavy = [/\/crawler\/run\.ts$/, /\/crawler\/config\.ts$/, /\/checks\//, /\/node_modules\/zod\//, /\/node_modules\/yaml\//, /better-sqlite3/, /web-tree-sitter|tree-sitter/];

  it.each([['--help'], ['--version'], ['crawl', '--help'], ['help']])('seaworthy %s loads neither the crawler, the checks, zod, YAML nor SQLite', (...args) => {
    const run = loadedModules(args);
    expect(run.code).toBe(0);
    expect(run.stdout.length).toBeGreaterThan(0);
    expect(run.modules.some((url) => url.endsWith('/crawler/cli.ts'))).toBe(true);
    for (const pattern of heavy) expect(run.modules.filter((url) => pattern.test(url))).toEqual([]);
  });

  it('still loads them for a command that needs them (the hook sees real imports)', () => {
    const run = loadedModules(['schema']);
    expect(run.code).toBe(0);
    expect(run.modules.some((url) => /\/crawler\/config\.ts$/.test(url))).toBe(true);
    expect(run.modules.some((url) => /\/node_modules\/zod\//.test(url))).toBe(true);
  });

  it('ends quietly when the reader of its output goes away (seaworthy schema | head)', () => {
    const run = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" schema | head -c 10`], { encoding: 'utf8', timeout: CLI_DEADLINE_MS });
    expect(run.stdout).toHaveLength(10);
    expect(run.stderr).not.toContain('EPIPE');
  });
});
