// npm run bench:history: what history costs on a repository with 10,000 commits. Builds the repository
// with the fixture factory (Rails app, a migration every 20 commits, every fifth of those mixed with
// application code), then times the local source's snapshot with and without history (one `git log`
// pass) and the separated-migrations check on it. Prints JSON; no assertion, numbers vary by machine.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import check from '../checks/separated-migrations/index.ts';
import { LocalGitSource } from '../crawler/sources/local-git.ts';
import { createRepo, type FixtureCommit } from '../fixtures/factory.ts';

const COMMITS = Number(process.env.BENCH_COMMITS ?? 10_000);
const START = Date.parse('2020-01-01T09:00:00Z');

function commits(): FixtureCommit[] {
  const out: FixtureCommit[] = [];
  for (let k = 0; k < COMMITS; k++) {
    const date = new Date(START + k * 3 * 3_600_000).toISOString();
    const files: FixtureCommit['files'] = { [`app/models/model_${k % 200}.rb`]: `class Model${k % 200} < ApplicationRecord\n  # revision ${k}\nend\n` };
    if (k === 0) {
      files.Gemfile = 'source "https://rubygems.org"\ngem "rails", "~> 7.1"\ngem "pg"\n';
      files['.github/workflows/ci.yml'] = 'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: bin/rails test\n';
    }
    if (k % 20 === 0) {
      const version = String(20200101000000 + k);
      files[`db/migrate/${version}_change_${k}.rb`] = `class Change${k} < ActiveRecord::Migration[7.1]\n  def change\n    add_column :model_${k % 200}s, :c${k}, :string\n  end\nend\n`;
      files['db/schema.rb'] = `ActiveRecord::Schema[7.1].define(version: ${version}) do\nend\n`;
      if (k % 100 !== 0) delete files[`app/models/model_${k % 200}.rb`];
    }
    out.push({ date, message: `change ${k}\n\nbody of change ${k}`, files });
  }
  return out;
}

const root = mkdtempSync(path.join(os.tmpdir(), 'sw-bench-history-'));
try {
  const t0 = performance.now();
  createRepo(root, { name: 'big', commits: commits() });
  const buildMs = performance.now() - t0;
  const source = new LocalGitSource({ paths: ['big'], baseDir: root, owner: 'bench' });
  const [ref] = await source.list();
  if (!ref) throw new Error('bench repository not listed');

  const time = async (history: boolean, historyLimit: number) => {
    const started = performance.now();
    const snapshot = await source.snapshot(ref, { readPatterns: check.meta.reads, history, maxFileBytes: 1_048_576, historyLimit });
    const snapshotMs = performance.now() - started;
    const checkStarted = performance.now();
    const outcome = check.run(snapshot, { options: check.meta.options.parse({}), kind: { kind: 'service', source: 'detected', evidence: [] }, now: new Date(), facts: { packages: new Map() } });
    return { history, historyLimit, commitsRead: snapshot.history.commits.length, complete: snapshot.history.complete, snapshotMs: Math.round(snapshotMs), checkMs: Math.round(performance.now() - checkStarted), status: outcome.status, score: outcome.score, summary: outcome.summary };
  };
  // Warm the page cache once so the runs compare git work, not disk reads.
  await time(false, 1);
  const runs = [await time(false, 1), await time(true, 1000), await time(true, COMMITS + 1)];
  process.stdout.write(
    JSON.stringify({ node: process.version, commits: COMMITS, buildMs: Math.round(buildMs), rssMb: Math.round(process.memoryUsage().rss / 1_048_576), runs }, null, 2) + '\n',
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
