// discover → snapshot → kind → checks → store, one repository at a time per worker.
import path from 'node:path';
import picomatch from 'picomatch';
import { performance } from 'node:perf_hooks';
import { RUNNER_RULES, SEVERITIES, STATUSES, packageKey, ruleId, type CheckDefinition, type CheckOutcome, type ExternalFacts, type FactRequest, type PackageRef, type RepoKind, type RepoSnapshot, type SchemaFact } from '../checks/contract.ts';
import { Store, type RepoResult, type StoredCheckResult } from '../data/store.ts';
import { acquireWriterLock, type WriterLock } from '../data/lock.ts';
import { markInterrupted, openRun, runTotals } from '../data/runs.ts';
import { pruneFindings, type PruneReport } from '../data/retention.ts';
import { formatShard, shardOf, type Shard } from './shard.ts';
import { carryUnchanged, keepLastGood, ownerOf, usageOf } from './carry.ts';
import { ContentCache } from './github/cache.ts';
import { ownershipReads } from './ownership.ts';
import { GitHubSource, type GitHubSourceOptions, type GitUsage } from './sources/github.ts';
import { allChecks, type SeaworthyConfig } from './config.ts';
import { sharedCheckPool, type CheckPool, type CheckSession } from './isolation/pool.ts';
import type { CheckSpec } from './isolation/protocol.ts';
import { runCheck } from './isolation/outcome.ts';
import { originOf } from './plugins/load.ts';
import { KIND_READS, detectKind } from './kind.ts';
import { createRegistryFacts } from './facts/provider.ts';
import type { FactProvider, FactStats } from './facts/types.ts';
import { changesSince } from './changes.ts';
import type { Logger } from './log.ts';
import { LocalGitSource } from './sources/local-git.ts';
import { EmptyRepositoryError, NoCommitAtDateError, type RepoRef, type RepoSource, type SkippedFolder, type SnapshotNeeds } from './sources/types.ts';
import { TOOL_VERSION } from './version.ts';
import { inWarningScope } from './warnings.ts';
import { warnCollectionKeys } from './yaml-warnings.ts';

export interface CrawlOptions {
  dbPath: string;
  logger: Logger;
  /** Reference time handed to checks; defaults to the start of the run. */
  now?: Date;
  /** Crawl each repository as it was at this date (backfilling history). */
  asOf?: Date;
  /** Only these checks (ids); default every enabled check. */
  onlyChecks?: string[];
  /** For crash tests: kill the process after this many repositories were written. */
  crashAfterRepos?: number;
  /** Where outside facts come from (or a factory given the crawl's store); default: the configured registries. */
  facts?: FactProvider | ((store: Store) => FactProvider);
  /** Checks to run instead of the registry's (tests and benchmarks). */
  checks?: readonly CheckDefinition<any>[];
  /** Environment for credentials (default process.env) and, for tests, GitHub client tuning. */
  env?: NodeJS.ProcessEnv;
  github?: Pick<GitHubSourceOptions, 'client' | 'batchSize'>;
  /** SIGINT/SIGTERM: stop after the repositories in flight; the run stays resumable. */
  signal?: AbortSignal;
  /** Crawl only this shard's repositories (stable by repository key) into a run marked with it. */
  shard?: Shard;
  /** Shards of one nightly crawl share a group, so `seaworthy merge` folds them into one run. */
  shardGroup?: string;
  /** Start a new run even when the last one was left unfinished and could be resumed. */
  restart?: boolean;
  /** Wait for another writer to finish instead of refusing (a number caps the wait, in ms). */
  wait?: boolean | number;
}

export interface CrawlSummary {
  runId: number;
  /** interrupted: stopped on a signal after the repositories in flight; the next crawl resumes it. */
  status: 'ok' | 'partial' | 'failed' | 'interrupted';
  repositories: number;
  /** Repositories that had no commit at --as-of. */
  skipped: number;
  /** Candidate folders that were not crawled, with the real reason (relative to the configuration file). */
  skippedFolders: SkippedFolder[];
  errors: { repo: string; error: string }[];
  statusCounts: Record<string, number>;
  durationMs: number;
  /** Package registry lookups, when any check asked for packages. */
  registries?: FactStats;
  /** Unchanged since their last crawl: results copied, nothing read. */
  carriedForward: number;
  /** Could not be read: their last good result stands, marked stale (also in errors). */
  stale: number;
  /** GraphQL points and requests spent on hosted sources; null when only local sources ran. */
  api: { points: number; graphqlRequests: number; restRequests: number } | null;
  /** What git cost hosted sources (clones, fetches, time, bytes, per repository) and their cache folder's size. */
  git?: GitUsage;
  /** Set when this crawl resumed an unfinished run: its attempt number and the repositories it already held. */
  resumed?: { attempt: number; alreadyDone: number };
  shard?: string;
  /** What retention pruned after the run finished. */
  pruned?: PruneReport;
}

type AnyCheck = CheckDefinition<unknown>;

function repoMatcher(patterns: string[]): (ref: { name: string; owner: string }) => boolean {
  const match = picomatch(patterns, { nocase: true, dot: true });
  return (ref) => match(ref.name) || match(`${ref.owner}/${ref.name}`);
}

/** Where the GitHub source keeps its cached repositories unless the configuration says: beside the database. */
export function defaultGitCacheDir(dbPath: string): string {
  return path.join(path.dirname(path.resolve(dbPath)), 'git-cache');
}

export function sourcesFor(config: SeaworthyConfig, context: { dbPath: string; logger?: Logger; env?: NodeJS.ProcessEnv; github?: CrawlOptions['github'] }): RepoSource[] {
  return config.sources.map((s) =>
    s.type === 'github'
      ? new GitHubSource({ config: s, configDir: config.configDir, cacheDir: defaultGitCacheDir(context.dbPath), logger: context.logger, env: context.env, ...context.github })
      : new LocalGitSource({ paths: s.paths, baseDir: config.configDir, owner: s.owner, webUrl: s.webUrl }),
  );
}

export interface EnabledCheck {
  check: AnyCheck;
  weight: number;
  options: unknown;
  /** How a check thread loads it; absent for checks handed in as objects (tests), which run in this thread. */
  spec?: CheckSpec;
}

export function enabledChecks(config: SeaworthyConfig, only?: string[], all: readonly AnyCheck[] = allChecks(config)): EnabledCheck[] {
  const settings = config.checks as Record<string, { enabled: boolean; weight: number; thresholds: unknown }>;
  return all
    .filter((c) => (settings[c.id]?.enabled ?? true) && (!only || only.includes(c.id)))
    .map((check) => {
      const origin = originOf(check);
      return { check, weight: settings[check.id]?.weight ?? check.meta.weight, options: settings[check.id]?.thresholds ?? check.meta.options.parse({}), ...(origin ? { spec: { id: check.id, origin } } : {}) };
    });
}

export { runCheck, validateOutcome } from './isolation/outcome.ts';

export function applyExemption(
  checkId: string,
  outcome: CheckOutcome,
  exemption: { reason: string; expires: string } | undefined,
  now: Date,
): Pick<StoredCheckResult, 'status' | 'underlyingStatus' | 'score' | 'summary' | 'findings' | 'waiver'> {
  if (!exemption) return { ...outcome };
  const today = now.toISOString().slice(0, 10);
  if (exemption.expires >= today) {
    return { status: 'waived', underlyingStatus: outcome.status, score: null, summary: `Waived until ${exemption.expires}: ${exemption.reason}`, findings: outcome.findings, waiver: exemption };
  }
  // The expired waiver is kept with the real status, so the site can mark it "waiver expired".
  return {
    ...outcome,
    findings: [{ rule: ruleId(checkId, 'waiver-expired' satisfies keyof typeof RUNNER_RULES), severity: 'medium', message: `waiver expired on ${exemption.expires} ("${exemption.reason}"): fix the findings or renew the exemption in seaworthy.config.yaml` }, ...outcome.findings],
    waiver: exemption,
  };
}

/** Weighted mean of the scores that judged something; waived, n/a and errors do not count as zero. */
export function repoScore(results: { score: number | null; weight: number; status: string }[]): number | null {
  const scored = results.filter((r) => r.score !== null && r.status !== 'waived' && r.weight > 0);
  const weight = scored.reduce((sum, r) => sum + r.weight, 0);
  if (weight === 0) return null;
  return Math.round((scored.reduce((sum, r) => sum + (r.score as number) * r.weight, 0) / weight) * 10) / 10;
}

/** Error text fit for the site: the machine's path to the clone is nobody's business there. */
function describeError(error: unknown, ref: RepoRef): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replaceAll(ref.location, '<repository>');
}

/** Every check still gets exactly one result for the run: an error that says why. */
function errorResult(ref: RepoRef, team: string | undefined, checks: ReturnType<typeof enabledChecks>, message: string, durationMs: number): RepoResult {
  return {
    repo: { key: ref.key, host: ref.host, owner: ref.owner, name: ref.name, webUrl: ref.webUrl },
    team,
    status: 'error',
    error: message,
    problems: [message],
    score: null,
    durationMs,
    results: checks.map(({ check, weight }) => ({ checkId: check.id, checkVersion: check.meta.version, status: 'error', score: null, weight, summary: `repository could not be read: ${message}`, findings: [], durationMs: 0 })),
  };
}

/** An empty repository has nothing to judge, and nothing is broken: every check is not applicable. */
function emptyResult(ref: RepoRef, team: string | undefined, checks: ReturnType<typeof enabledChecks>, reason: string, durationMs: number): RepoResult {
  return {
    repo: { key: ref.key, host: ref.host, owner: ref.owner, name: ref.name, webUrl: ref.webUrl },
    team,
    status: 'ok',
    problems: [reason],
    score: null,
    durationMs,
    results: checks.map(({ check, weight }) => ({ checkId: check.id, checkVersion: check.meta.version, status: 'not-applicable', score: null, weight, summary: reason, findings: [], durationMs: 0 })),
  };
}

export function teamOf(config: SeaworthyConfig, ref: { name: string; owner: string }): string | undefined {
  return config.teams.find((t) => repoMatcher(t.repos)(ref))?.name;
}

/** Asks each check what it wants, then gathers it all at once so registries see one batch per repository. */
async function gatherFacts(checks: ReturnType<typeof enabledChecks>, snapshot: RepoSnapshot, kind: ReturnType<typeof detectKind>, now: Date, provider: FactProvider, session: CheckSession): Promise<{ facts: Map<string, ExternalFacts>; wantErrors: Map<string, string> }> {
  const requests = new Map<string, FactRequest>();
  const wantErrors = new Map<string, string>();
  const threaded = checks.filter((c) => c.check.wants && c.spec);
  const asked = threaded.length > 0 ? await session.wants(threaded.map((c) => ({ spec: c.spec!, options: c.options })), kind, now) : [];
  asked.forEach((answer, i) => (answer.ok ? requests.set(threaded[i]!.check.id, answer.request) : wantErrors.set(threaded[i]!.check.id, answer.error)));
  for (const { check, options, spec } of checks) {
    if (!check.wants || spec) continue;
    try {
      requests.set(check.id, check.wants(snapshot, { options, kind, now }));
    } catch (error) {
      wantErrors.set(check.id, `check ${check.id} crashed while listing the facts it needs: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  // Registries may take a while to answer: the thread goes back to the pool meanwhile.
  session.end();
  const refs = new Map<string, PackageRef>();
  for (const request of requests.values()) for (const ref of request.packages ?? []) refs.set(packageKey(ref), ref);
  const packages = refs.size > 0 ? await provider.packages([...refs.values()]) : new Map();
  const schema = [...requests.values()].some((r) => r.renovateSchema) ? await provider.renovateSchema() : undefined;
  const dependabotSchema = [...requests.values()].some((r) => r.dependabotSchema)
    ? await (provider.dependabotSchema?.() ?? Promise.resolve<SchemaFact>({ status: 'skipped', reason: 'this crawl gathers no Dependabot schema' }))
    : undefined;
  const facts = new Map<string, ExternalFacts>();
  for (const [checkId, request] of requests) {
    facts.set(checkId, {
      packages: new Map((request.packages ?? []).map((ref) => [packageKey(ref), packages.get(packageKey(ref)) ?? { status: 'undated', reason: 'the registry lookup returned nothing for this package' }])),
      ...(request.renovateSchema && schema ? { renovateSchema: schema } : {}),
      ...(request.dependabotSchema && dependabotSchema ? { dependabotSchema } : {}),
    });
  }
  return { facts, wantErrors };
}

async function crawlRepo(ref: RepoRef, source: RepoSource, config: SeaworthyConfig, checks: ReturnType<typeof enabledChecks>, needs: SnapshotNeeds, now: Date, provider: FactProvider, logger: Logger, pool: CheckPool, previousHead?: string): Promise<RepoResult | null> {
  // A library warning raised while this repository is read or judged names it (crawler/warnings.ts).
  return inWarningScope({ repo: ref.key }, () => judgeRepo(ref, source, config, checks, needs, now, provider, logger, pool, previousHead));
}

async function judgeRepo(ref: RepoRef, source: RepoSource, config: SeaworthyConfig, checks: ReturnType<typeof enabledChecks>, needs: SnapshotNeeds, now: Date, provider: FactProvider, logger: Logger, pool: CheckPool, previousHead?: string): Promise<RepoResult | null> {
  const started = performance.now();
  const override = config.repoKinds.find((k) => repoMatcher([k.repo])(ref))?.kind as RepoKind | undefined;
  let snapshot: RepoSnapshot;
  try {
    snapshot = await source.snapshot(ref, needs);
  } catch (error) {
    if (error instanceof NoCommitAtDateError) return null;
    if (error instanceof EmptyRepositoryError) return emptyResult(ref, teamOf(config, ref), checks, error.message, performance.now() - started);
    return { ...errorResult(ref, teamOf(config, ref), checks, describeError(error, ref), performance.now() - started), unreadable: true } as RepoResult;
  }
  warnCollectionKeys(snapshot, ref.key, logger);
  const owner = await ownerOf(config, ref, source, snapshot);
  const kind = detectKind(snapshot, override);
  const session = pool.session(snapshot, config.crawl.checkTimeoutSeconds * 1000, ref.key);
  const results: StoredCheckResult[] = [];
  try {
    const { facts, wantErrors } = await gatherFacts(checks, snapshot, kind, now, provider, session);
    const threaded = checks.filter((c) => c.spec && !wantErrors.has(c.check.id));
    const ran = await session.run(threaded.map((c) => ({ spec: c.spec!, options: c.options, facts: facts.get(c.check.id) })), kind, now);
    const threadResults = new Map(threaded.map((c, i) => [c.check.id, ran[i]!]));
    for (const { check, weight, options } of checks) {
      const wantError = wantErrors.get(check.id);
      const { outcome, durationMs } = wantError
        ? { outcome: { status: 'error' as const, score: null, summary: wantError, findings: [] }, durationMs: 0 }
        : (threadResults.get(check.id) ?? runCheck(check, snapshot, kind, options, now, facts.get(check.id)));
      const exemption = config.exemptions.find((e) => e.check === check.id && repoMatcher([e.repo])(ref));
      results.push({ checkId: check.id, checkVersion: check.meta.version, weight, durationMs, ...applyExemption(check.id, outcome, exemption, now) });
    }
  } finally {
    session.end();
  }
  return {
    repo: { key: ref.key, host: ref.host, owner: ref.owner, name: ref.name, webUrl: ref.webUrl },
    team: owner.team,
    ownerSource: owner.source,
    status: 'ok',
    defaultBranch: snapshot.identity.defaultBranch,
    head: snapshot.head,
    kind,
    problems: [...snapshot.problems, ...owner.problems].map((p) => p.replaceAll(ref.location, '<repository>')),
    score: repoScore(results),
    durationMs: performance.now() - started,
    results,
    changes: changesSince(snapshot, previousHead),
  };
}

/** Git usage summed over the hosted sources that read with git; undefined when none did. */
async function gitUsageOf(sources: RepoSource[]): Promise<GitUsage | undefined> {
  const usages = await Promise.all(sources.filter((s): s is GitHubSource => s instanceof GitHubSource).map((s) => s.gitUsage()));
  if (usages.length === 0) return undefined;
  return usages.reduce((a, b) => ({
    cacheDir: a.cacheDir === b.cacheDir ? a.cacheDir : `${a.cacheDir}, ${b.cacheDir}`,
    cacheBytes: a.cacheDir === b.cacheDir ? Math.max(a.cacheBytes, b.cacheBytes) : a.cacheBytes + b.cacheBytes,
    clones: a.clones + b.clones,
    fetches: a.fetches + b.fetches,
    cached: a.cached + b.cached,
    reclones: a.reclones + b.reclones,
    blobFetches: a.blobFetches + b.blobFetches,
    blobs: a.blobs + b.blobs,
    commands: a.commands + b.commands,
    retries: a.retries + b.retries,
    ms: a.ms + b.ms,
    bytes: a.bytes + b.bytes,
    perRepository: [...a.perRepository, ...b.perRepository],
  }));
}

export async function crawl(config: SeaworthyConfig, options: CrawlOptions): Promise<CrawlSummary> {
  const started = performance.now();
  const startedAt = options.asOf ?? new Date();
  const { logger } = options;
  const checks = enabledChecks(config, options.onlyChecks, options.checks);
  // What every repository's snapshot must hold: the union of what the enabled checks read.
  const needs: SnapshotNeeds = {
    readPatterns: [...new Set([...KIND_READS, ...checks.flatMap((c) => c.check.meta.reads), ...ownershipReads(config.sources.flatMap((s) => (s.type === 'github' ? s.ownership : [])))])],
    history: checks.some((c) => c.check.meta.history && c.check.meta.history.length > 0),
    maxFileBytes: config.crawl.maxFileBytes,
    historyLimit: config.crawl.historyLimit,
    asOf: options.asOf,
  };
  const store = new Store(options.dbPath);
  let lock: WriterLock | undefined;
  try {
    lock = await acquireWriterLock(store.db, {
      file: options.dbPath,
      command: 'crawl',
      wait: options.wait,
      onWait: (holder) => logger.warn('another process writes this database; waiting for it', { pid: holder.pid, host: holder.host, command: holder.command, since: holder.acquiredAt }),
      onHeartbeatError: (error) => logger.warn('could not renew the database lock; trying again at the next heartbeat', { error: error.message }),
    });
    if (lock.tookOverFrom) logger.warn('took over the database lock of a process that is gone', { pid: lock.tookOverFrom.holder.pid, host: lock.tookOverFrom.holder.host, reason: lock.tookOverFrom.reason });
    const writer = lock;
    const stopped = () => options.signal?.aborted === true || writer.lost;
    const facts = typeof options.facts === 'function' ? options.facts(store) : (options.facts ?? createRegistryFacts({ registries: config.registries, db: store.db, logger }));
    store.syncTeams(config.teams.map((t) => ({ name: t.name, displayName: t.displayName, contact: t.contact })));
    const work: { ref: RepoRef; source: RepoSource }[] = [];
    const seen = new Map<string, string>();
    const duplicates: SkippedFolder[] = [];
    // Content now comes from git; the content cache of earlier versions is only emptied as it ages.
    const cache = config.sources.some((s) => s.type === 'github') ? new ContentCache(store.db) : undefined;
    const sources = sourcesFor(config, { dbPath: options.dbPath, logger, env: options.env, github: options.github });
    for (const source of sources) {
      for (const ref of await source.list(logger)) {
        const first = seen.get(ref.key);
        if (first !== undefined) {
          logger.warn('two repositories have the same owner and name; the second is skipped', { key: ref.key, kept: first, skipped: ref.location });
          duplicates.push({ location: `${ref.owner}/${ref.name}`, reason: 'another repository has the same owner and name (set "owner" on one of the sources)' });
          continue;
        }
        seen.set(ref.key, ref.location);
        work.push({ ref, source });
      }
    }
    const skippedFolders = [...sources.flatMap((source) => source.skipped?.() ?? []), ...duplicates];
    const shardLabel = options.shard ? formatShard(options.shard) : undefined;
    const mine = options.shard ? work.filter((w) => shardOf(w.ref.key, options.shard!.count) === options.shard!.index) : work;
    const opened = openRun(store, {
      config: { ...config, configDir: undefined, configPath: undefined },
      toolVersion: TOOL_VERSION,
      startedAt,
      asOf: options.asOf,
      shard: shardLabel,
      shardGroup: options.shardGroup,
      restart: options.restart,
      resumeWithinHours: config.crawl.resumeWithinHours,
    });
    for (const a of opened.abandoned) logger.warn('an unfinished run could not be resumed; it is closed as failed', { run: a.runId, reason: a.reason });
    const runId = opened.runId;
    // A resumed run is one point in time: its checks judge as of its first start.
    const now = options.now ?? (opened.resumed && !options.asOf ? new Date(opened.startedAt) : startedAt);
    store.recordRunTeams(runId, config.teams.map((t) => t.name));
    store.recordSkippedFolders(runId, skippedFolders);
    if (opened.resumed) logger.info('resuming an unfinished run', { run: runId, attempt: opened.attempt, alreadyDone: opened.done.size });
    logger.info('crawl started', { run: runId, repositories: mine.length, ...(shardLabel ? { shard: shardLabel, ofAll: work.length } : {}), checks: checks.map((c) => c.check.id).join(',') });
    if (work.length === 0) {
      // Publishing an empty scorecard over yesterday's would hide everything: the run counts as failed.
      logger.error('no repositories found: check "sources" in the configuration', { sources: config.sources.map((s) => (s.type === 'github' ? `github:${s.org}` : s.paths.join(','))).join(',') });
    }
    // Unchanged repositories keep their results without being read; the rest are announced to their source for batching.
    const todo = mine.filter((w) => !opened.done.has(w.ref.key));
    const carried = options.asOf || config.crawl.carryForwardDays === 0 || stopped() ? { keys: new Set<string>(), statuses: [] } : await carryUnchanged({ store, runId, work: todo, checks, config, now, logger });
    const pending = todo.filter((w) => !carried.keys.has(w.ref.key));
    for (const source of sources) source.prepare?.(pending.filter((w) => w.source === source).map((w) => w.ref), needs);
    const progress = logger.progress(pending.length);
    const errors: CrawlSummary['errors'] = [];
    let stale = 0;
    const statusCounts: Record<string, number> = {};
    for (const s of carried.statuses) statusCounts[s] = (statusCounts[s] ?? 0) + 1;
    let written = 0;
    let skipped = 0;
    let next = 0;
    const workers = Math.min(config.crawl.concurrency, Math.max(1, pending.length));
    const pool = sharedCheckPool(workers, (warning, scope) => inWarningScope(scope, () => process.emitWarning(warning.message, { type: warning.name, code: warning.code, detail: warning.detail })));
    const stoppedBefore = pool.stopped;
    const worker = async () => {
      while (next < pending.length && !stopped()) {
        const { ref, source } = pending[next++]!;
        const repoStarted = performance.now();
        let result: RepoResult | null;
        try {
          result = await crawlRepo(ref, source, config, checks, needs, now, facts, logger, pool, store.previousHead(ref.key, startedAt.toISOString()));
        } catch (error) {
          // A defect of ours (or a hostile input we did not foresee) costs this repository, not the run.
          result = errorResult(ref, teamOf(config, ref), checks, `internal error: ${describeError(error, ref)}`, performance.now() - repoStarted);
        }
        // Another process judged this one dead and took the database over: write nothing more.
        if (writer.lost) return;
        if (!result) {
          skipped++;
          progress.tick(ref.name, { skipped: 'no commit at that date' });
          continue;
        }
        try {
          const unreadable = (result as RepoResult & { unreadable?: boolean }).unreadable === true;
          const kept = unreadable && !options.asOf ? keepLastGood({ store, runId, ref, checks, reason: result.error ?? 'could not be read' }) : undefined;
          if (kept) {
            written++;
            stale++;
            errors.push({ repo: ref.name, error: `${result.error ?? 'could not be read'} (kept its last good result from run ${kept.originRunId}, marked stale)` });
            for (const c of kept.checks) statusCounts[c.status] = (statusCounts[c.status] ?? 0) + 1;
            progress.tick(ref.name, { status: 'stale', kept: kept.originRunId });
            continue;
          }
          store.writeRepoResult(runId, result, new Date().toISOString());
        } catch (error) {
          logger.error('result could not be stored; storing an error instead', { repo: ref.name, error: describeError(error, ref) });
          result = errorResult(ref, result.team, checks, `result could not be stored: ${describeError(error, ref)}`, result.durationMs);
          store.writeRepoResult(runId, result, new Date().toISOString());
        }
        written++;
        if (result.status === 'error') errors.push({ repo: ref.name, error: result.error ?? 'unknown error' });
        for (const r of result.results) statusCounts[r.status] = (statusCounts[r.status] ?? 0) + 1;
        progress.tick(ref.name, { score: result.score, status: result.status, ms: Math.round(result.durationMs) });
        if (options.crashAfterRepos !== undefined && written >= options.crashAfterRepos) process.kill(process.pid, 'SIGKILL');
      }
    };
    // allSettled: a failing worker must not close the database under the others.
    const outcomes = await Promise.allSettled(Array.from({ length: workers }, worker));
    if (pool.stopped > stoppedBefore) logger.warn('checks stopped after their time limit (crawl.checkTimeoutSeconds); recorded as error for those repositories', { stopped: pool.stopped - stoppedBefore, limitSeconds: config.crawl.checkTimeoutSeconds });
    progress.done();
    const fatal = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    // Earlier attempts of a resumed run count as if this crawl had written them.
    const prior = opened.resumed ? runTotals(store.db, runId) : undefined;
    if (prior) errors.splice(0, errors.length, ...prior.errors);
    const judged = prior ? prior.repoCount : written + carried.keys.size;
    const carriedForward = prior ? prior.carriedForward : carried.keys.size;
    if (prior) {
      stale = prior.stale;
      for (const key of Object.keys(statusCounts)) delete statusCounts[key];
      Object.assign(statusCounts, prior.statusCounts);
    }
    const api = usageOf(sources);
    const apiPoints = api || opened.priorApiPoints > 0 ? opened.priorApiPoints + (api?.points ?? 0) : undefined;
    // A signal that came after the last repository was taken changes nothing: the run is complete.
    const interrupted = !fatal && (writer.lost || (stopped() && next < pending.length));
    // A shard that no repository hashes to has nothing to judge, which is not a failure.
    const emptyShard = options.shard !== undefined && mine.length === 0 && work.length > 0;
    const status = interrupted ? 'interrupted' : fatal || (judged === 0 && !emptyShard) || (judged > 0 && errors.length === judged) ? 'failed' : errors.length > 0 ? 'partial' : 'ok';
    if (status === 'interrupted') {
      if (writer.lost) logger.error('another process took the database lock over (it judged this one dead); stopped without writing more', { run: runId });
      else markInterrupted(store.db, runId, { reason: 'SIGINT/SIGTERM', apiPoints });
      logger.warn('crawl interrupted after the repositories in flight; run "seaworthy crawl" again to resume it', { run: runId, done: judged, of: mine.length });
    } else {
      const gitNow = await gitUsageOf(sources);
      const gitStats = gitNow && {
        clones: gitNow.clones,
        fetches: gitNow.fetches,
        cached: gitNow.cached,
        reclones: gitNow.reclones,
        blobs: gitNow.blobs,
        bytes: gitNow.bytes,
        ms: Math.round(gitNow.ms),
        cacheBytes: gitNow.cacheBytes,
        slowest: gitNow.perRepository.filter((r) => r.action !== 'cached').sort((a, b) => b.ms - a.ms).slice(0, 5).map((r) => ({ repo: r.repo, ms: Math.round(r.ms), bytes: r.bytes })),
      };
      store.finishRun(runId, { finishedAt: new Date().toISOString(), status, repoCount: judged, errorCount: errors.length, apiPoints, carriedForward, ...(gitStats ? { git: gitStats } : {}) });
    }
    if (cache && status !== 'interrupted') cache.prune(new Date(Date.now() - 30 * 86_400_000));
    if (fatal) throw fatal.reason;
    let pruned: PruneReport | undefined;
    // A shard's database is a throw-away copy: the merge prunes the main one.
    if ((status === 'ok' || status === 'partial') && config.retention.enabled && !options.shard) {
      pruned = pruneFindings(store.db, config.retention);
      if (pruned.findingsDeleted > 0) logger.info('old findings pruned', { runs: pruned.runsPruned, findings: pruned.findingsDeleted, weeklyKept: pruned.weeklyKept });
    }
    const registries = facts.stats?.();
    const git = await gitUsageOf(sources);
    const summary: CrawlSummary = {
      runId,
      status,
      repositories: judged,
      skipped,
      skippedFolders,
      errors,
      statusCounts,
      durationMs: Math.round(performance.now() - started),
      carriedForward,
      stale,
      api: api && apiPoints !== undefined ? { ...api, points: apiPoints } : api,
      ...(git ? { git } : {}),
      ...(registries?.lookups ? { registries } : {}),
      ...(opened.resumed ? { resumed: { attempt: opened.attempt, alreadyDone: opened.done.size } } : {}),
      ...(shardLabel ? { shard: shardLabel } : {}),
      ...(pruned ? { pruned } : {}),
    };
    for (const circuit of registries?.openCircuits ?? []) logger.warn('package registry was unreachable during this crawl', { host: circuit.host, reason: circuit.reason });
    if (registries?.lookups) logger.info('package registries', { lookups: registries.lookups, cacheHits: registries.cacheHits, joined: registries.joined, fetched: registries.fetched, requests: registries.requests, undated: registries.undated });
    if (git) logger.info('git', { clones: git.clones, fetches: git.fetches, cached: git.cached, reclones: git.reclones, blobFetches: git.blobFetches, blobs: git.blobs, retries: git.retries, bytes: git.bytes, ms: Math.round(git.ms), cacheBytes: git.cacheBytes });
    logger.info('crawl finished', { run: runId, status, repositories: judged, crawled: written - stale, carriedForward: carried.keys.size, stale, skipped, skippedFolders: skippedFolders.length, errors: errors.length, points: api?.points, requests: api ? api.graphqlRequests + api.restRequests : undefined, ms: summary.durationMs });
    return summary;
  } finally {
    lock?.release();
    store.close();
  }
}
