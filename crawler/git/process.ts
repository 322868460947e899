// Runs one git process to its end and collects what it printed: shared by the crawler (when it starts
// git itself) and the git spawner process, which must stay small, so this imports nothing else.
import { spawn, type ChildProcess } from 'node:child_process';

export interface ProcessRequest {
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  input?: Uint8Array | string;
  /** Kill git after this long. */
  timeoutMs?: number;
}

export interface ProcessResult {
  stdout: Buffer;
  stderr: string;
  code: number | null;
  timedOut: boolean;
}

/** Rejects only when git could not be started; `started` sees the child (to kill it from outside). */
export function runGitProcess(request: ProcessRequest, started?: (child: ChildProcess) => void): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', request.args, { cwd: request.cwd, env: request.env, stdio: ['pipe', 'pipe', 'pipe'] });
    started?.(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = request.timeoutMs === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, request.timeoutMs);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (error) => {
      if (timer) clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      // One chunk is used as it is: a large blob batch is not copied once more.
      resolve({ stdout: out.length === 1 ? out[0]! : Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8').trim(), code: timedOut ? null : code, timedOut });
    });
    child.stdin.on('error', () => undefined); // git may exit before reading all input; its exit code tells.
    child.stdin.end(request.input === undefined || typeof request.input === 'string' ? request.input : Buffer.from(request.input.buffer, request.input.byteOffset, request.input.byteLength));
  });
}
