// The git spawner: a small, long-lived child of the crawler that starts git processes on its behalf.
// Starting a process from the crawler itself copies the crawler's page tables on every fork, which
// costs more the larger its heap (tens of milliseconds per git command once a crawl holds hundreds
// of megabytes, with the main thread blocked meanwhile); from this process, whose heap stays small,
// it stays cheap. It runs exactly the command, environment and input it is sent (crawler/git/run.ts
// builds them, hardened), and dies with the crawler.
import { spawn, type ChildProcess } from 'node:child_process';

interface SpawnRequest {
  id: number;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  input?: Uint8Array | string;
  timeoutMs?: number;
}

const running = new Set<ChildProcess>();

function answer(message: unknown): void {
  process.send?.(message);
}

process.on('message', (request: SpawnRequest) => {
  let child: ChildProcess;
  try {
    child = spawn('git', request.args, { cwd: request.cwd, env: request.env, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    answer({ id: request.id, error: { message: (error as Error).message, code: (error as NodeJS.ErrnoException).code } });
    return;
  }
  running.add(child);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let timedOut = false;
  const timer = request.timeoutMs === undefined ? undefined : setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, request.timeoutMs);
  child.stdout!.on('data', (d: Buffer) => out.push(d));
  child.stderr!.on('data', (d: Buffer) => err.push(d));
  child.on('error', (error: NodeJS.ErrnoException) => {
    if (timer) clearTimeout(timer);
    running.delete(child);
    answer({ id: request.id, error: { message: error.message, code: error.code } });
  });
  child.on('close', (code) => {
    if (timer) clearTimeout(timer);
    if (!running.delete(child)) return; // already answered with its error
    const stdout = out.length === 1 ? out[0]! : Buffer.concat(out);
    answer({ id: request.id, stdout, stderr: Buffer.concat(err).toString('utf8'), code: timedOut ? null : code, timedOut });
  });
  child.stdin!.on('error', () => undefined); // git may exit before reading all input; its exit code tells.
  child.stdin!.end(request.input === undefined ? undefined : typeof request.input === 'string' ? request.input : Buffer.from(request.input));
});

// The crawler is gone (ended, crashed, killed): so are the commands it was waiting for.
process.on('disconnect', () => {
  for (const child of running) child.kill('SIGKILL');
  process.exit(0);
});
