// The one way the crawler runs git, for every source. A repository's own configuration (its
// .git/config, files it includes) and the server it is fetched from are data, never instructions:
// every command runs with settings that override whatever could make git execute a program
// (signature verification, fsmonitor, hooks, external diff and textconv, pagers, credential
// helpers, transports other than https), and with the output-shaping settings pinned, so two
// copies of the same repository read the same whatever their configuration says.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runGitProcess } from './process.ts';
import path from 'node:path';

/** `-c` settings of every git command (command-line settings win over every configuration file). */
export const HARDENED_CONFIG: readonly (readonly [string, string])[] = [
  // Nothing a repository configures is executed.
  ['log.showSignature', 'false'], // would run gpg.program / gpg.ssh.program on signed commits
  ['core.fsmonitor', 'false'],
  ['core.hooksPath', '/dev/null'],
  ['diff.external', ''],
  ['core.pager', 'cat'],
  ['core.askPass', ''],
  ['credential.helper', ''], // an empty value resets the list: no helper is asked, none prompts
  ['core.sshCommand', 'false'],
  ['protocol.allow', 'never'],
  ['protocol.https.allow', 'always'],
  ['http.sslVerify', 'true'],
  ['gc.auto', '0'],
  ['maintenance.auto', 'false'],
  ['fetch.recurseSubmodules', 'false'],
  // Output is shaped only by our arguments.
  ['color.ui', 'never'],
  ['i18n.logOutputEncoding', 'UTF-8'],
  ['log.showRoot', 'true'],
  ['diff.renames', 'true'],
  ['diff.renameLimit', '1000'],
  ['core.quotePath', 'false'],
];

export type ExtraProtocol = 'file' | 'http';

export interface GitRunOptions {
  /** Working directory: the repository (local source) or the cache repository (with `gitDir`). */
  cwd: string;
  /** Run against this git directory (bare cache repositories), never discovered from cwd. */
  gitDir?: string;
  input?: Buffer | string;
  /** Transports besides https: file (the local source, tests), http (an API configured over plain http, e.g. the test fake). */
  protocols?: readonly ExtraProtocol[];
  /**
   * Settings that must never appear on a command line (`ps` shows it) or in a repository's config:
   * credentials. Passed through GIT_CONFIG_COUNT / GIT_CONFIG_KEY_n / GIT_CONFIG_VALUE_n.
   */
  secretConfig?: readonly (readonly [string, string])[];
  /** Further -c settings for this command (not secrets). */
  config?: readonly (readonly [string, string])[];
  /** Kill git after this long. */
  timeoutMs?: number;
}

export interface GitResult {
  stdout: Buffer;
  stderr: string;
  code: number | null;
  /** Killed because it ran past timeoutMs. */
  timedOut: boolean;
}

// Inherited from a git hook, a caller's shell or CI, these would point git at another repository,
// another configuration, a tracer that prints headers, or a program to run.
const KEEP_GIT_ENV = /^GIT_SSL_(CAINFO|CAPATH|CERT|KEY|CERT_PASSWORD_PROTECTED)$/;

export function gitEnv(options: Pick<GitRunOptions, 'cwd' | 'gitDir' | 'secretConfig'>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('GIT_') && !KEEP_GIT_ENV.test(name)) continue;
    if (name === 'SSH_ASKPASS') continue;
    env[name] = value;
  }
  Object.assign(env, {
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '', // defined and empty: git asks no program
    GIT_PAGER: 'cat',
    GIT_NO_REPLACE_OBJECTS: '1',
    GIT_CEILING_DIRECTORIES: path.dirname(path.resolve(options.cwd)),
    LC_ALL: 'C',
  });
  if (options.gitDir) env.GIT_DIR = options.gitDir;
  const secrets = options.secretConfig ?? [];
  if (secrets.length > 0) {
    env.GIT_CONFIG_COUNT = String(secrets.length);
    secrets.forEach(([key, value], i) => {
      env[`GIT_CONFIG_KEY_${i}`] = key;
      env[`GIT_CONFIG_VALUE_${i}`] = value;
    });
  }
  return env;
}

/** The full argument list: hardened settings, then the command. */
export function gitArgs(args: readonly string[], options: Pick<GitRunOptions, 'protocols' | 'config'> = {}): string[] {
  const settings: (readonly [string, string])[] = [...HARDENED_CONFIG];
  for (const protocol of options.protocols ?? []) settings.push([`protocol.${protocol}.allow`, 'always']);
  settings.push(...(options.config ?? []));
  return [...settings.flatMap(([key, value]) => ['-c', `${key}=${value}`]), ...args];
}

/**
 * The git spawner child (crawler/git/spawner-process.ts), started on the first git command. Turned
 * off with SEAWORTHY_GIT_SPAWNER=0 (git is then started from this process, as before).
 */
let spawner: { child: ChildProcess; pending: Map<number, { resolve: (r: GitResult) => void; reject: (e: Error) => void }>; nextId: number } | null | undefined;

function startSpawner(): typeof spawner {
  if (process.env.SEAWORTHY_GIT_SPAWNER === '0') return null;
  const child = fork(fileURLToPath(new URL('./spawner-process.ts', import.meta.url)), [], {
    serialization: 'advanced', // Buffers cross as Buffers
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    // Only what type stripping needs on Node 22.12–22.17; none of the parent's flags (an inspector, a profiler, a test runner's hooks).
    execArgv: process.execArgv.filter((flag) => flag === '--experimental-strip-types' || flag.startsWith('--no-warnings')),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE } as NodeJS.ProcessEnv,
  });
  const state = { child, pending: new Map<number, { resolve: (r: GitResult) => void; reject: (e: Error) => void }>(), nextId: 1 };
  child.on('message', (message: { id: number; stdout?: Uint8Array; stderr?: string; code?: number | null; timedOut?: boolean; error?: { message: string; code?: string } }) => {
    const waiting = state.pending.get(message.id);
    if (!waiting) return;
    state.pending.delete(message.id);
    if (state.pending.size === 0) idle(state.child);
    if (message.error) {
      waiting.reject(Object.assign(new Error(message.error.message), { code: message.error.code }));
      return;
    }
    const stdout = Buffer.isBuffer(message.stdout) ? message.stdout : Buffer.from(message.stdout ?? new Uint8Array());
    waiting.resolve({ stdout, stderr: message.stderr ?? '', code: message.code ?? null, timedOut: message.timedOut ?? false });
  });
  // A spawner that died (killed from outside) fails what it was running; the next command starts a new one.
  child.on('exit', () => {
    if (spawner === state) spawner = undefined;
    for (const waiting of state.pending.values()) waiting.reject(new Error('the git spawner process exited'));
    state.pending.clear();
  });
  child.on('error', () => undefined); // reported through 'exit' and the pending commands
  idle(child);
  return state;
}

/** A spawner with nothing to do must not keep the crawler's process alive; one with work must. */
function idle(child: ChildProcess): void {
  child.unref();
  (child.channel as unknown as { unref?: () => void } | undefined)?.unref?.();
}

function busy(child: ChildProcess): void {
  child.ref();
  (child.channel as unknown as { ref?: () => void } | undefined)?.ref?.();
}

export function runGit(args: readonly string[], options: GitRunOptions): Promise<GitResult> {
  if (spawner === undefined) spawner = startSpawner();
  const state = spawner;
  if (!state || !state.child.connected) return runGitHere(args, options);
  return new Promise((resolve, reject) => {
    const id = state.nextId++;
    state.pending.set(id, { resolve, reject });
    busy(state.child);
    state.child.send({ id, args: gitArgs(args, options), cwd: options.cwd, env: gitEnv(options), input: options.input, timeoutMs: options.timeoutMs }, (error) => {
      if (!error || !state.pending.delete(id)) return;
      // The spawner went away before taking the command: run it here rather than fail it.
      runGitHere(args, options).then(resolve, reject);
    });
  });
}

/** Starts git from this process (the spawner is off or could not start). */
function runGitHere(args: readonly string[], options: GitRunOptions): Promise<GitResult> {
  return runGitProcess({ args: gitArgs(args, options), cwd: options.cwd, env: gitEnv(options), input: options.input, timeoutMs: options.timeoutMs });
}
