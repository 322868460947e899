// The git spawner: a small, long-lived child of the crawler that starts git processes on its behalf.
// Starting a process from the crawler itself copies the crawler's page tables on every fork, which
// costs more the larger its heap (tens of milliseconds per git command once a crawl holds hundreds
// of megabytes, with the main thread blocked meanwhile); from this process, whose heap stays small,
// it stays cheap. It runs exactly the command, environment and input it is sent (crawler/git/run.ts
// builds them, hardened), and dies with the crawler.
import type { ChildProcess } from 'node:child_process';
import { runGitProcess, type ProcessRequest } from './process.ts';

const running = new Set<ChildProcess>();

process.on('message', (request: ProcessRequest & { id: number }) => {
  let child: ChildProcess | undefined;
  runGitProcess(request, (started) => running.add((child = started)))
    .then((result) => process.send?.({ id: request.id, ...result }))
    .catch((error: NodeJS.ErrnoException) => process.send?.({ id: request.id, error: { message: error.message, code: error.code } }))
    .finally(() => child && running.delete(child));
});

// The crawler is gone (ended, crashed, killed): so are the commands it was waiting for.
process.on('disconnect', () => {
  for (const child of running) child.kill('SIGKILL');
  process.exit(0);
});
