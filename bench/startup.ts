// npm run bench:startup: how long the command line takes to answer what needs no crawler
// (`--help`, `--version`, `crawl --help`), with Node's compile cache cold and warm, against a bare
// `node -e 0` measured in the same run; prints JSON. Target (issue "Crawl at the speed of git"):
// `seaworthy --help` ≤ 0.25 s with a warm cache.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const CLI = path.join(import.meta.dirname, '..', 'bin', 'seaworthy.mjs');
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'sw-bench-startup-'));

function time(args: string[], env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (run.status !== 0) throw new Error(`${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

try {
  const bareMs = median(Array.from({ length: ROUNDS }, () => time(['-e', '0'], {})));
  const cases: Record<string, unknown> = {};
  for (const args of [['--help'], ['--version'], ['crawl', '--help'], ['schema']]) {
    const cold = median(Array.from({ length: ROUNDS }, () => time([CLI, ...args], { NODE_DISABLE_COMPILE_CACHE: '1' })));
    time([CLI, ...args], { NODE_COMPILE_CACHE: cacheDir });
    const warm = median(Array.from({ length: ROUNDS }, () => time([CLI, ...args], { NODE_COMPILE_CACHE: cacheDir })));
    cases[args.join(' ')] = { noCacheMs: Math.round(cold), warmCacheMs: Math.round(warm), warmVsBare: Number((warm / bareMs).toFixed(1)) };
  }
  const help = cases['--help'] as { warmCacheMs: number };
  process.stdout.write(JSON.stringify({
    benchmark: 'startup',
    node: process.version,
    rounds: ROUNDS,
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
    bareNodeMs: Math.round(bareMs),
    commands: cases,
    target: { helpWarmMs: 250, met: help.warmCacheMs <= 250 },
  }, null, 2) + '\n');
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}
