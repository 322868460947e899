// History on the first night: crawl each repository as it was at weekly points in the past (through
// --as-of), so trends, levels over time and "what changed" have something to show from day one.
import { openDb } from '../data/db.ts';
import type { SeaworthyConfig } from './config.ts';
import type { Logger } from './log.ts';
import { crawl, type CrawlOptions, type CrawlSummary } from './run.ts';

const WEEK_MS = 7 * 86_400_000;
/** A point is already covered when a good run started within this distance of it. */
const COVERED_MS = 3 * 86_400_000;

/** The weekly points before `until`, oldest first. */
export function backfillPoints(weeks: number, until: Date): Date[] {
  return Array.from({ length: weeks }, (_, i) => new Date(until.getTime() - (weeks - i) * WEEK_MS));
}

/** Points already covered by a run in the database: running the backfill twice adds nothing. */
export function uncoveredPoints(points: readonly Date[], runStarts: readonly string[]): Date[] {
  const starts = runStarts.map((s) => Date.parse(s));
  return points.filter((p) => !starts.some((s) => Math.abs(s - p.getTime()) < COVERED_MS));
}

/** Points within COVERED_MS of an unfinished backfill run's date take that date exactly, so `crawl` resumes the run. */
export function resumeAt(points: readonly Date[], unfinishedAsOf: readonly string[]): Date[] {
  return points.map((p) => {
    const near = unfinishedAsOf.find((asOf) => Math.abs(Date.parse(asOf) - p.getTime()) < COVERED_MS);
    return near ? new Date(near) : p;
  });
}

export interface BackfillSummary {
  runs: CrawlSummary[];
  /** Points skipped because the database already had a run near them. */
  covered: number;
}

export async function backfill(config: SeaworthyConfig, options: Pick<CrawlOptions, 'dbPath' | 'logger' | 'onlyChecks' | 'facts'> & { weeks: number; until: Date }): Promise<BackfillSummary> {
  const { logger } = options;
  const points = backfillPoints(options.weeks, options.until);
  const db = openDb(options.dbPath);
  let starts: string[];
  let unfinished: string[];
  try {
    starts = db.prepare("SELECT started_at FROM runs WHERE status IN ('ok', 'partial')").pluck().all() as string[];
    unfinished = db.prepare("SELECT as_of FROM runs WHERE status = 'running' AND as_of IS NOT NULL AND shard IS NULL ORDER BY id DESC").pluck().all() as string[];
  } finally {
    db.close();
  }
  // A backfill killed mid-point left its run unfinished; this one's points are a little later (they
  // count back from now), so the point nearest that run takes its date and the run is resumed.
  const todo = resumeAt(uncoveredPoints(points, starts), unfinished);
  if (todo.length < points.length) logger.info('backfill points already in the database are skipped', { covered: points.length - todo.length });
  // One line per point: the per-repository lines of every point would drown the log.
  const quiet: Logger = { info: () => {}, warn: (m, f) => logger.warn(m, f), error: (m, f) => logger.error(m, f), progress: () => ({ tick: () => {}, done: () => {} }) };
  const runs: CrawlSummary[] = [];
  if (todo.length > 0) logger.info(`backfilling ${todo.length} weeks of history`, { weeks: todo.length, from: todo[0]!.toISOString().slice(0, 10), to: todo.at(-1)!.toISOString().slice(0, 10) });
  for (const [index, asOf] of todo.entries()) {
    const summary = await crawl(config, { dbPath: options.dbPath, logger: quiet, asOf, now: asOf, onlyChecks: options.onlyChecks, facts: options.facts });
    runs.push(summary);
    // "week 3 of 21" in the message itself: a text log reader sees how far the first start has come.
    const fields = { week: `${index + 1} of ${todo.length}`, asOf: asOf.toISOString().slice(0, 10), run: summary.runId, status: summary.status, repositories: summary.repositories, notYetCreated: summary.skipped, ms: summary.durationMs };
    if (summary.status === 'failed') logger.warn('history point had no repository to judge', fields);
    else logger.info(`history backfilled: week ${index + 1} of ${todo.length}`, fields);
  }
  return { runs, covered: points.length - todo.length };
}
