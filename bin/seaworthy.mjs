#!/usr/bin/env node
// The sources are TypeScript run directly by Node's type stripping: on by default from Node 22.18,
// behind a flag from 22.12 to 22.17, so older 22.x re-runs itself with the flag.
import { spawnSync } from 'node:child_process';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(`seaworthy needs Node.js >= 22.12 (24 LTS recommended); this is ${process.version}. See README "Requirements".\n`);
  process.exit(2);
}
if (major === 22 && minor < 18 && !process.execArgv.includes('--experimental-strip-types')) {
  const result = spawnSync(process.execPath, ['--experimental-strip-types', '--no-warnings=ExperimentalWarning', ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
// Node keeps the compiled (and type-stripped) modules between starts, so a start does not strip and
// compile every .ts file again; NODE_COMPILE_CACHE picks the folder (default: the system's temp
// folder), NODE_DISABLE_COMPILE_CACHE=1 turns it off. A cache that cannot be written is only slower.
// A reader that goes away (`seaworthy schema | head`) is not an error of ours.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
// Warnings from Node and from dependencies become structured log lines, never raw stderr; taken
// over before anything else loads (crawler/warnings.ts).
const { captureProcessWarnings } = await import('../crawler/warnings.ts');
captureProcessWarnings();
const { main } = await import('../crawler/cli.ts');
process.exitCode = await main(process.argv.slice(2));
