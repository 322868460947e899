import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scaled, TIME_SCALE } from './time-scale.ts';

export { scaled, TIME_SCALE } from './time-scale.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = path.join(ROOT, 'bin', 'seaworthy.mjs');

export function tempDir(prefix = 'sw-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeConfig(dir: string, yaml: string, name = 'seaworthy.config.yaml'): string {
  const file = path.join(dir, name);
  writeFileSync(file, yaml);
  return file;
}

/** How long one CLI run may take before a test calls it hung: 3 minutes on a quiet machine, scaled. */
export const CLI_DEADLINE_MS = scaled(180_000);

export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, encoding: 'utf8', timeout: CLI_DEADLINE_MS, killSignal: 'SIGKILL' });
  // A run stopped by the deadline must not pass for one that crashed or was killed on purpose.
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') throw hung(args, result.stderr);
  return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/** The error for a CLI run that outlived its deadline, with what it had written to stderr. */
export function hung(args: string[], stderr: string | undefined): Error {
  return new Error(`seaworthy ${args.join(' ')} did not finish within ${CLI_DEADLINE_MS / 1000} s (SEAWORTHY_TEST_TIME_SCALE=${TIME_SCALE}); its stderr so far:\n${(stderr ?? '').slice(-4000)}`);
}

export function git(cwd: string, ...args: string[]): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}
