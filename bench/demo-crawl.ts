// npm run bench: times fleet generation, a demo crawl (cold and warm) and the site build; prints JSON.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseConfig } from '../crawler/config.ts';
import { createLogger } from '../crawler/log.ts';
import { crawl } from '../crawler/run.ts';
import { generateDemoFleet } from '../fixtures/demo-fleet.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const dir = mkdtempSync(path.join(os.tmpdir(), 'sw-bench-'));
const quiet = createLogger({ quiet: true });

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

try {
  let started = performance.now();
  const repos = generateDemoFleet(path.join(dir, 'repos'));
  const generateMs = performance.now() - started;

  const configText = `database: bench.db\nsources:\n  - type: local\n    paths: ['repos/*']\n    owner: acme\n    webUrl: https://github.com/acme/{name}\nteams:\n  - {name: all, displayName: All, repos: ['*']}\n`;
  writeFileSync(path.join(dir, 'seaworthy.config.yaml'), configText);
  const config = parseConfig(configText, path.join(dir, 'seaworthy.config.yaml'));
  const crawlMs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    started = performance.now();
    const summary = await crawl(config, { dbPath: path.join(dir, 'bench.db'), logger: quiet });
    crawlMs.push(performance.now() - started);
    if (summary.status !== 'ok') throw new Error(`bench crawl ended ${summary.status}`);
  }

  started = performance.now();
  const build = spawnSync(process.execPath, [path.join(import.meta.dirname, '..', 'bin', 'seaworthy.mjs'), 'build', '-c', path.join(dir, 'seaworthy.config.yaml'), '--out', path.join(dir, 'dist'), '-q'], {
    encoding: 'utf8',
    input: '',
  });
  const buildMs = performance.now() - started;
  if (build.status !== 0) throw new Error(`site build failed: ${build.stderr}`);

  const result = {
    node: process.version,
    cpus: os.cpus().length,
    repositories: repos.length,
    rounds: ROUNDS,
    fleetGenerateMs: Math.round(generateMs),
    crawlMs: { first: Math.round(crawlMs[0]!), median: Math.round(median(crawlMs)), perRepoMedian: Math.round(median(crawlMs) / repos.length) },
    siteBuildMs: Math.round(buildMs),
  };
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
