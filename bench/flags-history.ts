// npm run bench:flags: the cost of history for the stale-flags check on a repository with 10,000
// commits (BENCH_COMMITS to change): one `git log --name-status` pass read by the local source, and
// the check's own single walk over it. Prints JSON; timing never lives in tests.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { indexHistory } from '../checks/stale-flags/history.ts';
import staleFlags from '../checks/stale-flags/index.ts';
import { normaliseKey } from '../checks/stale-flags/keys.ts';
import { LocalGitSource } from '../crawler/sources/local-git.ts';
import { createRepo, type FixtureCommit } from '../fixtures/factory.ts';

const COMMITS = Number(process.env.BENCH_COMMITS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MODULES = 400;
const FLAGS = 120;
const ANCHOR = Date.parse('2026-11-15T09:00:00Z');
const SPAN_DAYS = 1200;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Deterministic: module i gets a flag call when a flag is introduced into it; flags retire after a while. */
function buildCommits(): FixtureCommit[] {
  const commits: FixtureCommit[] = [];
  const moduleFlags: string[][] = Array.from({ length: MODULES }, () => []);
  const source = (i: number, revision: number) =>
    [`import { ld } from '../flags';`, `export const revision = ${revision};`, ...moduleFlags[i]!.map((f, n) => `export const on${n} = () => ld.variation('${f}', ctx, false);`), `export function handler${i}() { return revision * 2; }`, ''].join('\n');
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const live: { key: string; module: number; yml: string }[] = [];
  let introduced = 0;
  for (let c = 0; c < COMMITS; c++) {
    const date = new Date(ANCHOR - SPAN_DAYS * 86_400_000 + Math.floor((c / COMMITS) * SPAN_DAYS * 86_400_000)).toISOString();
    const files: FixtureCommit['files'] = {};
    let message = `chore: change ${c}`;
    if (c === 0) {
      files['package.json'] = '{"name":"bench","dependencies":{"@launchdarkly/node-server-sdk":"9.0.0"}}\n';
      for (let i = 0; i < MODULES; i++) files[`src/module${i}/index.ts`] = source(i, 0);
    } else if (introduced < FLAGS && c % Math.floor(COMMITS / FLAGS) === 0) {
      const key = `flag-${introduced++}`;
      const module = Math.floor(rand() * MODULES);
      moduleFlags[module]!.push(key);
      const yml = `config/feature_flags/release/${key.replaceAll('-', '_')}.yml`;
      live.push({ key, module, yml });
      files[yml] = `---\nname: ${key}\ntype: release\ngroup: group::bench\ndefault_enabled: false\n`;
      files[`src/module${module}/index.ts`] = source(module, c);
      message = `feat: ${key} behind a flag`;
    } else if (live.length > 20 && c % 211 === 0) {
      const retired = live.splice(Math.floor(rand() * live.length), 1)[0]!;
      moduleFlags[retired.module] = moduleFlags[retired.module]!.filter((k) => k !== retired.key);
      files[retired.yml] = null;
      files[`src/module${retired.module}/index.ts`] = source(retired.module, c);
      message = `chore: remove ${retired.key}`;
    } else {
      for (let n = 0; n < 1 + Math.floor(rand() * 3); n++) {
        const i = Math.floor(rand() * MODULES);
        files[`src/module${i}/index.ts`] = source(i, c);
      }
    }
    commits.push({ date, message, files });
  }
  return commits;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'sw-bench-flags-'));
try {
  let started = performance.now();
  const commits = buildCommits();
  createRepo(dir, { name: 'big', commits });
  const generateMs = performance.now() - started;

  const source = new LocalGitSource({ paths: ['big'], baseDir: dir, owner: 'bench' });
  const [ref] = await source.list();
  const now = new Date(ANCHOR);
  const options = staleFlags.meta.options.parse({});
  const kind = { kind: 'service' as const, source: 'detected' as const, evidence: [] };
  const measure = async (history: boolean, historyLimit: number) => {
    const snapshotMs: number[] = [];
    const checkMs: number[] = [];
    const walkMs: number[] = [];
    let last: { commits: number; complete: boolean; outcome: ReturnType<typeof staleFlags.run> } | undefined;
    for (let round = 0; round < ROUNDS; round++) {
      started = performance.now();
      const snapshot = await source.snapshot(ref!, { readPatterns: staleFlags.meta.reads, history, maxFileBytes: 1_048_576, historyLimit });
      snapshotMs.push(performance.now() - started);
      started = performance.now();
      const outcome = staleFlags.run(snapshot, { options, kind, now, facts: { packages: new Map() } });
      checkMs.push(performance.now() - started);
      // The check's own pass over the history, alone: first-seen dates per path and mentions per key.
      const keys = new Set(Array.from({ length: FLAGS }, (_, i) => `flag-${i}`));
      started = performance.now();
      indexHistory(snapshot.history, snapshot.pullRequests, keys, normaliseKey);
      walkMs.push(performance.now() - started);
      last = { commits: snapshot.history.commits.length, complete: snapshot.history.complete, outcome };
    }
    return {
      commitsRead: last!.commits,
      historyComplete: last!.complete,
      snapshotMs: Math.round(median(snapshotMs)),
      checkMs: Math.round(median(checkMs)),
      historyWalkMs: Math.round(median(walkMs)),
      status: last!.outcome.status,
      score: last!.outcome.score,
      summary: last!.outcome.summary,
    };
  };

  const noHistory = await measure(false, 1);
  const defaultLimit = await measure(true, 1000);
  const fullHistory = await measure(true, COMMITS + 1);
  const result = {
    node: process.version,
    cpus: os.cpus().length,
    commits: COMMITS,
    files: MODULES + 1 + FLAGS,
    rounds: ROUNDS,
    generateMs: Math.round(generateMs),
    withoutHistory: noHistory,
    historyLimit1000: defaultLimit,
    fullHistory,
    /** What one git log pass over every commit adds to a snapshot. */
    fullHistoryLogMs: fullHistory.snapshotMs - noHistory.snapshotMs,
    rssMb: Math.round(process.memoryUsage().rss / 1_048_576),
  };
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
