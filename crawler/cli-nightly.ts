// The commands of unattended operation: init, merge, prune, backup; and the crawl's signal handling.
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import Database from 'better-sqlite3';
import { openDb } from '../data/db.ts';
import { acquireWriterLock } from '../data/lock.ts';
import { pruneFindings } from '../data/retention.ts';
import { loadConfig } from './config.ts';
import { init, initLocal } from './init/index.ts';
import { createLogger, type Logger } from './log.ts';
import { logWarningsTo } from './warnings.ts';
import { mergeShards, type MergeSummary } from './merge.ts';
import { mergeMarkdown, writeStepSummary } from './step-summary.ts';

import { NightlyUsageError, WAIT_OPTIONS, waitOption } from './wait-option.ts';

export { DEFAULT_WAIT_MINUTES, NightlyUsageError, WAIT_OPTIONS, waitOption } from './wait-option.ts';

export const NIGHTLY_HELP: Record<string, string> = {
  init: `Usage: seaworthy init [options]

Writes a starter seaworthy.config.yaml (a GitHub organisation read with a GitHub App, example teams)
and .github/workflows/seaworthy.yml (nightly crawl, database kept in the "seaworthy-data" release,
site deployed to GitHub Pages). Existing files are left alone unless --force is given.

Options:
      --org <login>     the GitHub organisation to crawl (default: a placeholder to edit)
      --repo <name>     the repository the workflow runs in, for the Pages base path
                        (default: from the "origin" remote; "/" for <org>.github.io)
      --shards <n>      crawl as a matrix of n shards and merge them (default: 1, one job)
      --dir <dir>       where to write (default: the current directory)
      --local <dir>     instead: a configuration for the git clones under <dir> on this machine
                        (no GitHub, no workflow); then "seaworthy crawl" and "seaworthy build"
      --force           overwrite existing files
  -h, --help            show this help`,
  merge: `Usage: seaworthy merge [options] <shard.db>...

Folds the runs of shard databases ("seaworthy crawl --shard I/N") into the main database as one run.
Merging a shard that was merged before changes nothing; shards of the split that never arrived keep
their repositories' last good result, marked stale.

Options:
  -c, --config <file>   configuration file (default: seaworthy.config.yaml; optional)
      --db <file>       main database (default: "database" from the configuration)
      --shards <n>      the number of shards of the split (recognises missing ones when none arrived)
      --wait            wait for another writer of the main database instead of refusing (at most 60 min)
      --wait-minutes <n>  wait at most n minutes (implies --wait)
      --json            print the merge summary as JSON on stdout
  -h, --help            show this help

Exit codes: 0 ok · 1 partial (some repositories failed or shards are missing) · 2 bad usage or shard
databases that do not belong together · 4 no shard finished (nothing merged) · 5 the database is busy`,
  prune: `Usage: seaworthy prune [options]

Deletes the findings of old runs by the "retention" settings (a crawl does it after finishing).
Scores and statuses are kept for ever, and so is each repository's latest good result.

Options:
  -c, --config <file>   configuration file (default: seaworthy.config.yaml)
      --db <file>       database file (default: "database" from the configuration)
      --dry-run         count what would be deleted, delete nothing
      --vacuum          compact the file afterwards (rewrites it; takes a while on large databases)
      --wait            wait for another writer instead of refusing (at most 60 min)
      --wait-minutes <n>  wait at most n minutes (implies --wait)
      --json            print the report as JSON
  -h, --help            show this help`,
  backup: `Usage: seaworthy backup --out <file> [options]

Writes a consistent, compact copy of the database (VACUUM INTO) and verifies it (integrity check,
foreign keys, migrations) before reporting success: the file to upload after a nightly crawl.

Options:
  -c, --config <file>   configuration file (default: seaworthy.config.yaml)
      --db <file>       database file (default: "database" from the configuration)
      --out <file>      the copy to write (replaced if it exists)
  -h, --help            show this help`,
};

function parse<const Options extends NonNullable<ParseArgsConfig['options']>>(command: string, argv: string[], options: Options, positionals = false) {
  try {
    return parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h', default: false }, ...options } as Options & { help: { type: 'boolean'; short: 'h'; default: false } }, allowPositionals: positionals, strict: true });
  } catch (error) {
    throw new NightlyUsageError(`${(error as Error).message}\n\n${NIGHTLY_HELP[command]}`);
  }
}

function help(command: string): number {
  process.stdout.write(NIGHTLY_HELP[command] + '\n');
  return 0;
}

/** The database named by --db, else by the configuration; a missing configuration is fine when --db is given. */
function databaseOf(values: { db?: string; config?: string }): { dbPath: string; config?: ReturnType<typeof loadConfig> } {
  const configFile = values.config ?? 'seaworthy.config.yaml';
  if (values.db && !values.config && !existsSync(configFile)) return { dbPath: values.db };
  const config = loadConfig(configFile);
  return { dbPath: values.db ?? path.resolve(config.configDir, config.database), config };
}

export function commandInit(argv: string[]): number {
  const { values } = parse('init', argv, { org: { type: 'string' }, repo: { type: 'string' }, shards: { type: 'string', default: '1' }, dir: { type: 'string', default: '.' }, force: { type: 'boolean', default: false }, local: { type: 'string' } });
  if (values.help) return help('init');
  if (values.local !== undefined) {
    if (values.org !== undefined || values.repo !== undefined || values.shards !== '1') throw new NightlyUsageError('--local writes a configuration for clones on this machine; --org, --repo and --shards are for a GitHub organisation');
    const dir = path.resolve(values.dir);
    // Like any path on a command line: relative to the current directory; the configuration then
    // names it relative to itself.
    const clones = path.resolve(values.local);
    if (!existsSync(clones)) throw new NightlyUsageError(`--local ${values.local}: no folder at ${clones}`);
    const { written } = initLocal(dir, clones, { force: values.force });
    for (const file of written) process.stderr.write(`seaworthy: wrote ${path.relative(process.cwd(), file) || file}\n`);
    process.stderr.write('seaworthy: next: npx seaworthy crawl, then npx seaworthy build (README "Point it at your repositories").\n');
    return 0;
  }
  const shards = Number(values.shards);
  if (!Number.isInteger(shards) || shards < 1 || shards > 256) throw new NightlyUsageError(`--shards must be a whole number from 1 to 256, got "${values.shards}"`);
  if (values.org !== undefined && !/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(values.org)) throw new NightlyUsageError(`--org must be an organisation login such as "acme", got "${values.org}"`);
  if (values.repo !== undefined && !/^[A-Za-z0-9._-]+$/.test(values.repo)) throw new NightlyUsageError(`--repo must be a repository name such as "scorecards", got "${values.repo}"`);
  const dir = path.resolve(values.dir);
  const { written } = init(dir, { org: values.org, repo: values.repo, shards, force: values.force });
  for (const file of written) process.stderr.write(`seaworthy: wrote ${path.relative(process.cwd(), file) || file}\n`);
  process.stderr.write(`seaworthy: next: edit seaworthy.config.yaml (organisation, teams), set SEAWORTHY_APP_ID and SEAWORTHY_APP_PRIVATE_KEY, and choose "GitHub Actions" as the Pages source (README "Nightly in GitHub Actions").\n`);
  return 0;
}

export async function commandMerge(argv: string[]): Promise<{ code: number; summary?: MergeSummary }> {
  const { values, positionals } = parse(
    'merge',
    argv,
    { config: { type: 'string', short: 'c' }, db: { type: 'string' }, shards: { type: 'string' }, ...WAIT_OPTIONS, json: { type: 'boolean', default: false }, quiet: { type: 'boolean', short: 'q', default: false }, 'log-format': { type: 'string', default: 'text' } },
    true,
  );
  if (values.help) return { code: help('merge') };
  const expect = values.shards === undefined ? undefined : Number(values.shards);
  if (expect !== undefined && !(Number.isInteger(expect) && expect >= 1 && expect <= 1024)) throw new NightlyUsageError(`--shards must be a whole number from 1 to 1024, got "${values.shards}"`);
  if (positionals.length === 0 && expect === undefined) throw new NightlyUsageError(`name the shard databases to merge\n\n${NIGHTLY_HELP.merge}`);
  const { dbPath, config } = databaseOf(values);
  const logger: Logger = createLogger({ format: values['log-format'] === 'json' ? 'json' : 'text', quiet: values.quiet });
  logWarningsTo(logger);
  const wait = waitOption(values);
  const summary = await mergeShards({ dbPath, shardFiles: positionals, expectShards: expect, logger, wait, retention: config?.retention });
  writeStepSummary(mergeMarkdown(summary));
  if (config?.digest && summary.runId !== null && (summary.status === 'ok' || summary.status === 'partial')) {
    const { digestAfterRun } = await import('./digest.ts');
    await digestAfterRun(config, { dbPath, logger, writeSummary: writeStepSummary });
  }
  if (values.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  for (const s of summary.shards.filter((s) => s.outcome === 'skipped')) logger.warn('shard database not merged', { file: s.file, reason: s.reason });
  if (!values.json && !values.quiet) {
    const merged = summary.shards.filter((s) => s.outcome === 'merged').length;
    const already = summary.shards.filter((s) => s.outcome === 'already').length;
    process.stderr.write(
      summary.runId === null
        ? 'seaworthy: merge failed: no shard finished; the database was not changed\n'
        : `seaworthy: run ${summary.runId} ${summary.status} · ${merged} shard(s) merged, ${already} already merged${summary.missing.length ? `, missing ${summary.missing.join(', ')}` : ''} · ${summary.repositories} repositories, ${summary.errors.length} failed, ${summary.stale} stale${summary.changed ? '' : ' · nothing changed'}\n`,
    );
  }
  const code = summary.runId === null || summary.status === 'failed' ? 4 : summary.status === 'partial' ? 1 : 0;
  return { code, summary };
}

export async function commandPrune(argv: string[]): Promise<number> {
  const { values } = parse('prune', argv, { config: { type: 'string', short: 'c' }, db: { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, vacuum: { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, ...WAIT_OPTIONS });
  if (values.help) return help('prune');
  const wait = waitOption(values);
  const config = loadConfig(values.config ?? 'seaworthy.config.yaml');
  const dbPath = values.db ?? path.resolve(config.configDir, config.database);
  const db = openDb(dbPath);
  try {
    const lock = await acquireWriterLock(db, { file: dbPath, command: 'prune', wait });
    try {
      const report = pruneFindings(db, config.retention, { dryRun: values['dry-run'] });
      if (values.vacuum && !values['dry-run']) db.exec('VACUUM');
      if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else process.stderr.write(`seaworthy: ${values['dry-run'] ? 'would delete' : 'deleted'} ${report.findingsDeleted} findings of ${report.runsPruned} runs older than ${config.retention.dailyDays} days; ${report.weeklyKept} weekly runs and ${report.protectedKept} latest results kept whole; scores untouched\n`);
    } finally {
      lock.release();
    }
  } finally {
    db.close();
  }
  return 0;
}

export function commandBackup(argv: string[]): number {
  const { values } = parse('backup', argv, { config: { type: 'string', short: 'c' }, db: { type: 'string' }, out: { type: 'string' } });
  if (values.help) return help('backup');
  if (!values.out) throw new NightlyUsageError(`--out <file> is required\n\n${NIGHTLY_HELP.backup}`);
  const { dbPath } = databaseOf(values);
  const out = path.resolve(values.out);
  if (out === path.resolve(dbPath)) throw new NightlyUsageError('--out must name another file than the database');
  rmSync(out, { force: true });
  const db = openDb(dbPath, { readonly: true });
  try {
    db.prepare('VACUUM INTO ?').run(out);
  } finally {
    db.close();
  }
  // A copy taken while a writer held the database must not carry its lock: restored on the same
  // machine, the copy would be refused for as long as that (unrelated) process lives.
  const unlock = new Database(out);
  try {
    unlock.prepare('DELETE FROM locks').run();
  } finally {
    unlock.close();
  }
  // Opened as the site build opens it: a copy this version cannot read (migrations missing) is refused here.
  const copy = openDb(out, { readonly: true });
  try {
    const integrity = copy.pragma('integrity_check', { simple: true });
    const foreignKeys = copy.pragma('foreign_key_check') as unknown[];
    if (integrity !== 'ok' || foreignKeys.length > 0) {
      throw new Error(`the copy failed verification (integrity: ${String(integrity)}, foreign key violations: ${foreignKeys.length}); the database must not be saved`);
    }
    const runs = copy.prepare("SELECT COUNT(*) AS runs, SUM(status IN ('ok', 'partial')) AS good, MAX(CASE WHEN status IN ('ok', 'partial') THEN started_at END) AS latest FROM runs").get() as { runs: number; good: number | null; latest: string | null };
    process.stderr.write(`seaworthy: backup ${values.out} verified · ${runs.runs} runs (${runs.good ?? 0} good, latest ${runs.latest ?? 'none'})\n`);
  } finally {
    copy.close();
  }
  return 0;
}

/**
 * SIGINT/SIGTERM during a crawl: the first asks it to stop after the repositories in flight (the run
 * stays resumable); a second one exits at once, which is safe because every write is a transaction
 * and signal handlers only run between them.
 */
export function crawlSignals(logger: Logger, exitNow: number): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(`seaworthy: ${name} again: stopping now; the run is resumable\n`);
      process.exit(exitNow);
    }
    logger.warn('stopping after the repositories in flight; send the signal again to stop at once', { signal: name });
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
