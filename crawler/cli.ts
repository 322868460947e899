// seaworthy <command>: crawl, build, demo, schema, and init, merge, prune, backup. Exit codes: 0 ok,
// 1 partial (or findings where asked with --fail-on), 2 bad usage or configuration, 3 interrupted,
// 4 failed as a whole, 5 the database is busy (another writer).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import path from 'node:path';
import type { Logger } from './log.ts';
import type { CrawlSummary } from './run.ts';
import { TOOL_VERSION } from './version.ts';
// Everything else is imported by the command that uses it: `seaworthy --help` must not load the
// crawler, every check, zod and the YAML parser first (issue "Crawl at the speed of git").

/** The workflow saves and publishes on 0 and 1 only: 1 is partial, everything above is broken. */
export const EXIT = { ok: 0, findings: 1, usage: 2, interrupted: 3, failed: 4, busy: 5 } as const;

class UsageError extends Error {}

const COMMON = {
  config: { type: 'string', short: 'c', default: 'seaworthy.config.yaml' },
  help: { type: 'boolean', short: 'h', default: false },
  'log-format': { type: 'string', default: 'text' },
  quiet: { type: 'boolean', short: 'q', default: false },
} as const satisfies ParseArgsConfig['options'];

const HELP: Record<string, string> = {
  main: `seaworthy ${TOOL_VERSION} — production-readiness scorecards for your repositories

Usage: seaworthy <command> [options]

Commands:
  crawl    audit every configured repository and store the results
  build    build the static scorecard site from the database
  demo     generate the demo fleet, crawl it, build and serve the site
  schema   print the JSON Schema of seaworthy.config.yaml
  init     write a starter configuration and the nightly GitHub Actions workflow
  merge    fold shard databases (crawl --shard I/N) into the main database as one run
  prune    delete old runs' findings by the retention settings (scores are kept)
  backup   write a verified, compact copy of the database

Run "seaworthy <command> --help" for a command's options.
Exit codes: 0 ok · 1 partial (some repositories could not be crawled; published with stale marks), or findings when
--fail-on is given · 2 bad usage, configuration or database · 3 interrupted (SIGINT/SIGTERM; the next crawl resumes)
· 4 failed as a whole (nothing usable: keep the last good data) · 5 the database is busy (another crawl writes it)`,
  crawl: `Usage: seaworthy crawl [options]

Audits every repository of the configured sources and appends a run to the database.

Options:
  -c, --config <file>     configuration file (default: seaworthy.config.yaml)
      --db <file>         database file (default: "database" from the configuration)
      --check <id>        run only this check (repeatable)
      --as-of <date>      judge each repository as it was on this date (backfills history)
      --backfill <weeks>  first crawl the repositories as they were 1…<weeks> weeks ago (one run
                          per week, skipping weeks the database already has), so trends start full
      --fail-on <status>  exit 1 when any result is "fail" or worse ("fail"), or "warn" or worse ("warn")
      --offline           ask no package registry: release dates come from the cache alone, whatever
                          its age; packages it lacks are reported undated ("not in the offline cache")
      --shard <I/N>       crawl only shard I of N (stable by repository key) into a run marked as such;
                          give each shard its own --db and fold them with "seaworthy merge"
      --group <id>        shards of one crawl share it (default: $SEAWORTHY_RUN_GROUP, gh-$GITHUB_RUN_ID, or the date)
      --restart           start a new run even if the last one was interrupted (default: resume it)
      --wait              wait for another writer of the database (crawl, merge, prune) to finish
                          instead of refusing, at most 60 minutes
      --wait-minutes <n>  wait at most n minutes (implies --wait)
      --now <time>        reference time for the checks (default: the run's start)
      --json              print the run summary as JSON on stdout
      --log-format <fmt>  text (default) or json
  -q, --quiet             only warnings and errors
  -h, --help              show this help

A killed crawl loses nothing it wrote: the next crawl resumes the same run and skips the
repositories it holds. SIGINT/SIGTERM stop after the repositories in flight (a second signal stops
at once). In GitHub Actions a summary is appended to $GITHUB_STEP_SUMMARY.

Exit codes: 0 ok · 1 partial: some repositories could not be crawled (they keep their last good result,
marked stale), or --fail-on matched · 2 bad usage, configuration or database · 3 interrupted: resumable,
nothing published · 4 failed as a whole: do not replace the last good data · 5 another process writes the database`,
  build: `Usage: seaworthy build [options]

Builds the static site (default: dist/) from the database.

Options:
  -c, --config <file>   configuration file (default: seaworthy.config.yaml)
      --db <file>       database file (default: "database" from the configuration)
      --out <dir>       output directory (default: site.outDir from the configuration)
  -h, --help            show this help

Exit codes: 0 ok · 2 bad usage or configuration, or no database yet`,
  demo: `Usage: seaworthy demo [options]

Generates the demo fleet of git repositories (if missing) under .seaworthy/demo/, crawls it with
the embedded demo configuration, builds the site and serves it on localhost.

Options:
      --port <n>      port to serve on (default: 4321)
      --no-serve      build only, do not serve
      --regenerate    rebuild the demo fleet and its database from scratch
  -h, --help          show this help`,
  schema: `Usage: seaworthy schema

Prints the JSON Schema of seaworthy.config.yaml (for editor completion).`,
};

const COMMANDS = ['crawl', 'build', 'demo', 'init', 'merge', 'prune', 'backup', 'schema', 'help'];

/** Edit distance, for "did you mean": commands are short, so the plain dynamic programme is plenty. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

export function suggestCommand(typed: string): string {
  const lower = typed.toLowerCase().slice(0, 40);
  const best = COMMANDS.map((c) => ({ c, d: editDistance(lower, c) })).sort((x, y) => x.d - y.d)[0]!;
  return best.d <= 2 && best.d < best.c.length ? `; did you mean "${best.c}"?` : '';
}

function parse<const Extra extends NonNullable<ParseArgsConfig['options']>>(command: string, argv: string[], extra: Extra) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON, ...extra } as typeof COMMON & Extra, allowPositionals: false, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${HELP[command] ?? HELP.main}`);
  }
}

function exitCodeFor(summary: CrawlSummary, failOn: string | undefined): number {
  if (summary.status === 'interrupted') return EXIT.interrupted;
  if (summary.status === 'failed') return EXIT.failed;
  if (summary.status !== 'ok') return EXIT.findings;
  if (failOn === 'fail' && (summary.statusCounts.fail ?? 0) > 0) return EXIT.findings;
  if (failOn === 'warn' && ((summary.statusCounts.fail ?? 0) > 0 || (summary.statusCounts.warn ?? 0) > 0)) return EXIT.findings;
  return EXIT.ok;
}

export async function summaryLine(summary: CrawlSummary): Promise<string> {
  const { gitText } = await import('./step-summary.ts');
  const failed = summary.errors.length;
  const crawled = summary.repositories - summary.carriedForward - failed;
  const parts = [
    `run ${summary.runId} ${summary.status}`,
    `${summary.repositories} repositories: ${crawled} crawled, ${summary.carriedForward} carried forward unchanged, ${failed} failed${summary.stale > 0 ? ` (${summary.stale} kept their last good result, marked stale)` : ''}`,
  ];
  if (summary.skipped > 0) parts.push(`${summary.skipped} skipped (no commit at that date)`);
  if (summary.skippedFolders.length > 0) parts.push(`${summary.skippedFolders.length} folders not crawled (${summary.skippedFolders.slice(0, 3).map((f) => `${JSON.stringify(f.location)}: ${f.reason}`).join('; ')}${summary.skippedFolders.length > 3 ? '; …' : ''})`);
  for (const circuit of summary.registries?.openCircuits ?? []) parts.push(`registry ${circuit.host} unreachable (${circuit.reason}): its packages undated`);
  if (summary.api) parts.push(`GitHub: ${summary.api.points} points, ${summary.api.graphqlRequests} GraphQL + ${summary.api.restRequests} REST requests`);
  if (summary.git) parts.push(gitText(summary.git));
  parts.push(`${(summary.durationMs / 1000).toFixed(1)} s`);
  return `seaworthy: ${parts.join(' · ')}`;
}

/** The command's logger, which library warnings go to as well (crawler/warnings.ts). */
async function commandLogger(values: { 'log-format'?: string; quiet?: boolean }): Promise<Logger> {
  const [{ createLogger }, { logWarningsTo }] = await Promise.all([import('./log.ts'), import('./warnings.ts')]);
  const logger = createLogger({ format: values['log-format'] === 'json' ? 'json' : 'text', quiet: values.quiet });
  logWarningsTo(logger);
  return logger;
}

async function commandCrawl(argv: string[]): Promise<number> {
  const { WAIT_OPTIONS } = await import('./wait-option.ts');
  const { values } = parse('crawl', argv, {
    db: { type: 'string' },
    check: { type: 'string', multiple: true },
    'as-of': { type: 'string' },
    backfill: { type: 'string' },
    'fail-on': { type: 'string' },
    json: { type: 'boolean', default: false },
    offline: { type: 'boolean', default: false },
    'crash-after': { type: 'string' },
    shard: { type: 'string' },
    group: { type: 'string' },
    restart: { type: 'boolean', default: false },
    ...WAIT_OPTIONS,
    now: { type: 'string' },
  });
  if (values.help) return help('crawl');
  if (values['fail-on'] && !['fail', 'warn'].includes(values['fail-on'])) throw new UsageError(`--fail-on must be "fail" or "warn", got "${values['fail-on']}"`);
  const asOf = values['as-of'] ? new Date(values['as-of']) : undefined;
  if (asOf && Number.isNaN(asOf.getTime())) throw new UsageError(`--as-of must be a date such as 2026-08-01, got "${values['as-of']}"`);
  const weeks = values.backfill === undefined ? 0 : Number(values.backfill);
  if (!Number.isInteger(weeks) || weeks < 0 || weeks > 520) throw new UsageError(`--backfill must be a number of weeks from 1 to 520, got "${values.backfill}"`);
  const [{ loadConfig, ConfigError }, { crawl }, { StoreError }, { LockBusyError }, { crawlMarkdown, writeStepSummary }, { crawlSignals }] = await Promise.all([
    import('./config.ts'), import('./run.ts'), import('../data/db.ts'), import('../data/lock.ts'), import('./step-summary.ts'), import('./cli-nightly.ts'),
  ]);
  const loaded = loadConfig(values.config);
  const config = values.offline ? { ...loaded, registries: { ...loaded.registries, offline: true } } : loaded;
  const known = Object.keys(config.checks);
  for (const id of values.check ?? []) if (!known.includes(id)) throw new UsageError(`unknown check "${id}"; known checks: ${known.join(', ')}`);
  const nightly = await crawlOptions(values);
  const logger = await commandLogger(values);
  const dbPath = values.db ?? path.resolve(config.configDir, config.database);
  if (weeks > 0) {
    const { backfill } = await import('./backfill.ts');
    await backfill(config, { dbPath, logger, weeks, until: asOf ?? new Date(), onlyChecks: values.check });
  }
  const signals = crawlSignals(logger, EXIT.interrupted);
  let summary: CrawlSummary;
  try {
    summary = await crawl(config, {
      dbPath,
      logger,
      asOf,
      onlyChecks: values.check,
      crashAfterRepos: values['crash-after'] ? Number(values['crash-after']) : undefined,
      ...nightly,
      signal: signals.signal,
    });
  } catch (error) {
    if (!(error instanceof LockBusyError)) writeStepSummary(`### Seaworthy crawl: failed\n\nThe crawl failed as a whole: ${error instanceof Error ? error.message : String(error)}\n\nThe database is **not** saved and the site keeps the last good scorecard.\n`);
    // A crawl that never started a run (the organisation could not be listed) still answers --json.
    if (values.json && !(error instanceof LockBusyError) && !(error instanceof ConfigError) && !(error instanceof StoreError)) {
      process.stdout.write(JSON.stringify({ runId: null, status: 'failed', repositories: 0, error: error instanceof Error ? error.message : String(error) }, null, 2) + '\n');
    }
    throw error;
  } finally {
    signals.dispose();
  }
  writeStepSummary(crawlMarkdown(summary));
  // A shard's run is not the night's run: the digest goes out after the merge.
  if (config.digest && (summary.status === 'ok' || summary.status === 'partial') && !nightly.shard) {
    const { digestAfterRun } = await import('./digest.ts');
    await digestAfterRun(config, { dbPath, logger, writeSummary: writeStepSummary });
  }
  // Requests an interrupted crawl no longer waits for must not hold the process open.
  if (summary.status === 'interrupted') setTimeout(() => process.exit(EXIT.interrupted), 2000).unref();
  if (values.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  for (const e of summary.errors) logger.warn('repository could not be crawled', { repo: e.repo, error: e.error });
  if (!values.json && !values.quiet) process.stderr.write((await summaryLine(summary)) + '\n');
  return exitCodeFor(summary, values['fail-on']);
}

/** The crawl options of unattended operation: shards, resume, waiting for the lock, a fixed reference time. */
async function crawlOptions(values: { shard?: string; group?: string; restart?: boolean; wait?: boolean; 'wait-minutes'?: string; now?: string }) {
  const [{ parseShard }, { waitOption }] = await Promise.all([import('./shard.ts'), import('./wait-option.ts')]);
  let shard: ReturnType<typeof parseShard> | undefined;
  try {
    shard = values.shard ? parseShard(values.shard) : undefined;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.group !== undefined && !shard) throw new UsageError('--group only applies with --shard');
  const now = values.now ? new Date(values.now) : undefined;
  if (now && Number.isNaN(now.getTime())) throw new UsageError(`--now must be a date or time such as 2026-11-15T09:00:00Z, got "${values.now}"`);
  const group = shard ? (values.group ?? process.env.SEAWORTHY_RUN_GROUP ?? (process.env.GITHUB_RUN_ID ? `gh-${process.env.GITHUB_RUN_ID}` : new Date().toISOString().slice(0, 10))) : undefined;
  return { shard, shardGroup: group, restart: values.restart, wait: waitOption(values), now };
}

async function commandBuild(argv: string[]): Promise<number> {
  const { values } = parse('build', argv, { db: { type: 'string' }, out: { type: 'string' } });
  if (values.help) return help('build');
  const { loadConfig } = await import('./config.ts');
  const config = loadConfig(values.config);
  const { buildSite } = await import('./site.ts');
  const logger = await commandLogger(values);
  await buildSite({
    dbPath: values.db ?? path.resolve(config.configDir, config.database),
    outDir: path.resolve(values.out ?? path.resolve(config.configDir, config.site.outDir)),
    base: config.site.base,
    title: config.site.title,
    levels: config.levels,
    initiatives: config.initiatives,
    siteUrl: config.site.url,
    logger,
  });
  return EXIT.ok;
}

async function commandDemo(argv: string[]): Promise<number> {
  const { values } = parse('demo', argv, { port: { type: 'string', default: '4321' }, 'no-serve': { type: 'boolean', default: false }, regenerate: { type: 'boolean', default: false } });
  if (values.help) return help('demo');
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, got "${values.port}"`);
  const { runDemo } = await import('./demo.ts');
  const logger = await commandLogger(values);
  await runDemo({ logger, port, serve: !values['no-serve'], regenerate: values.regenerate });
  return EXIT.ok;
}

function help(command: string): number {
  process.stdout.write((HELP[command] ?? HELP.main) + '\n');
  return EXIT.ok;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'crawl':
        return await commandCrawl(rest);
      case 'build':
        return await commandBuild(rest);
      case 'demo':
        return await commandDemo(rest);
      case 'init':
        return (await import('./cli-nightly.ts')).commandInit(rest);
      case 'merge':
        return (await (await import('./cli-nightly.ts')).commandMerge(rest)).code;
      case 'prune':
        return await (await import('./cli-nightly.ts')).commandPrune(rest);
      case 'backup':
        return (await import('./cli-nightly.ts')).commandBackup(rest);
      case 'schema': {
        if (rest.includes('--help') || rest.includes('-h')) return help('schema');
        const { configJsonSchema } = await import('./config.ts');
        process.stdout.write(JSON.stringify(configJsonSchema(), null, 2) + '\n');
        return EXIT.ok;
      }
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        return help('main');
      case '--version':
        process.stdout.write(TOOL_VERSION + '\n');
        return EXIT.ok;
      default:
        throw new UsageError(`unknown command "${command}"${suggestCommand(command)}\n\n${HELP.main}`);
    }
  } catch (error) {
    // The error classes live in the modules that throw them; those are loaded already when one of
    // them was thrown, so importing them here costs nothing on the paths that matter.
    const [{ NightlyUsageError }, { ConfigError }, { StoreError }, { MergeError }, { InitRefused }, { LockBusyError }] = await Promise.all([
      import('./wait-option.ts'), import('./config.ts'), import('../data/db.ts'), import('./merge.ts'), import('./init/index.ts'), import('../data/lock.ts'),
    ]);
    if (error instanceof UsageError || error instanceof NightlyUsageError || error instanceof ConfigError || error instanceof StoreError || error instanceof MergeError || error instanceof InitRefused) {
      process.stderr.write(`seaworthy: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof LockBusyError) {
      process.stderr.write(`seaworthy: ${error.message}\n`);
      return EXIT.busy;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`seaworthy: ${command} failed: ${message}\n${process.env.SEAWORTHY_DEBUG && error instanceof Error ? `${error.stack}\n` : 'Set SEAWORTHY_DEBUG=1 for the stack trace.\n'}`);
    return EXIT.failed;
  }
}
