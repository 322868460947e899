// seaworthy new-check: the folder it writes passes its own test at once (node --test, resolving
// seaworthy/check and seaworthy/testing as an installed package would), and loads as a plugin.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../crawler/config.ts';
import { CLI_DEADLINE_MS, ROOT, runCli, tempDir } from './helpers.ts';

const tmp = tempDir('sw-new-check-');
afterAll(tmp.cleanup);

describe('seaworthy new-check', () => {
  it('writes a code check whose own test passes at once, outside this repository', () => {
    const made = runCli(['new-check', 'readme-present', '--dir', path.join(tmp.dir, 'checks')], { cwd: tmp.dir });
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toContain("add 'checks/*' to \"plugins:\"");
    // As if Seaworthy were installed beside the checks (npm install): node_modules/seaworthy.
    mkdirSync(path.join(tmp.dir, 'node_modules'));
    symlinkSync(ROOT, path.join(tmp.dir, 'node_modules', 'seaworthy'));
    const test = spawnSync(process.execPath, ['--test', 'readme-present.test.ts'], { cwd: path.join(tmp.dir, 'checks', 'readme-present'), encoding: 'utf8', timeout: CLI_DEADLINE_MS });
    expect(test.status, `${test.stdout}\n${test.stderr}`).toBe(0);
    expect(test.stdout).toMatch(/\bpass 3\b/);
  });

  it('writes a declarative check, and both load from plugins:', () => {
    expect(runCli(['new-check', 'security-policy', '--yaml', '--dir', path.join(tmp.dir, 'checks')]).code).toBe(0);
    const config = parseConfig(`plugins: ['./checks/*']\nsources:\n  - type: local\n    paths: ['repos/*']\n`, path.join(tmp.dir, 'seaworthy.config.yaml'));
    expect(Object.keys(config.checks)).toEqual(expect.arrayContaining(['readme-present', 'security-policy']));
    expect(readFileSync(path.join(tmp.dir, 'checks', 'readme-present', 'README.md'), 'utf8')).toContain('<h3 id="rule-missing-readme">No README</h3>');
  });

  it('refuses a name that is not kebab-case, or a folder that exists', () => {
    expect(runCli(['new-check', 'Bad_Name', '--dir', path.join(tmp.dir, 'checks')]).stderr).toContain('must be kebab-case');
    const again = runCli(['new-check', 'readme-present', '--dir', path.join(tmp.dir, 'checks')]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
  });
});
