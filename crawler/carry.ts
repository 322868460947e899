// Incremental crawling: repositories whose head commit, checks and configuration are unchanged keep
// their last results without being read; repositories that cannot be read keep their last good
// result, marked stale with the reason, instead of being blanked.
import type { RepoSnapshot } from '../checks/contract.ts';
import type { PreviousResult, Store, StoredCheckResult } from '../data/store.ts';
import type { SeaworthyConfig } from './config.ts';
import type { Logger } from './log.ts';
import { carriedOwner, resolveOwner } from './ownership.ts';
import type { enabledChecks } from './run.ts';
import type { OwnerSource, RepoRef, RepoSource, SourceUsage } from './sources/types.ts';
import { TOOL_VERSION } from './version.ts';

type Checks = ReturnType<typeof enabledChecks>;

const LOCAL_ORDER: readonly OwnerSource[] = ['config'];

function orderOf(source: RepoSource): readonly OwnerSource[] {
  return source.ownership ?? LOCAL_ORDER;
}

async function hostTeamsOf(source: RepoSource, ref: RepoRef, order: readonly OwnerSource[]): Promise<string[] | undefined> {
  return order.includes('github-team') && source.hostTeams ? source.hostTeams(ref) : undefined;
}

/** The owning team of a freshly read repository, where it came from, and owners that match no team. */
export async function ownerOf(config: SeaworthyConfig, ref: RepoRef, source: RepoSource, snapshot: RepoSnapshot): Promise<{ team?: string; source?: OwnerSource; problems: string[] }> {
  const order = orderOf(source);
  let hostTeams: string[] | undefined;
  const problems: string[] = [];
  try {
    hostTeams = await hostTeamsOf(source, ref, order);
  } catch (error) {
    problems.push(`teams could not be read, so ownership ignores them: ${error instanceof Error ? error.message : String(error)}`);
  }
  const verdict = resolveOwner({ config, ref, order, snapshot, hostTeams });
  return { team: verdict.team, source: verdict.source, problems: [...problems, ...verdict.unmatched] };
}

/** Why `previous` cannot stand for today's result of a repository at `head`, or undefined when it can. */
export function carryBlocker(previous: PreviousResult | undefined, head: string | null, checks: Checks, run: { configHash: string; now: Date; maxDays: number }): string | undefined {
  if (!previous) return 'no earlier result';
  if (!head || previous.headOid !== head) return 'new commits';
  if (previous.originConfigHash !== run.configHash) return 'configuration changed';
  if (previous.originToolVersion !== TOOL_VERSION) return 'Seaworthy was upgraded';
  const ageDays = (run.now.getTime() - Date.parse(previous.originStartedAt)) / 86_400_000;
  if (!(ageDays <= run.maxDays)) return `judged more than ${run.maxDays} days ago`;
  const versions = new Map(previous.checks.map((c) => [c.checkId, c]));
  for (const { check } of checks) {
    const before = versions.get(check.id);
    if (!before) return `check ${check.id} is new`;
    if (before.checkVersion !== check.meta.version) return `check ${check.id} changed`;
  }
  const today = run.now.toISOString().slice(0, 10);
  if (previous.checks.some((c) => c.status === 'waived' && c.waiverExpires !== null && c.waiverExpires < today)) return 'a waiver expired';
  return undefined;
}

/** Carries forward every unchanged repository; returns their keys and the statuses they carried. */
export async function carryUnchanged(args: { store: Store; runId: number; work: { ref: RepoRef; source: RepoSource }[]; checks: Checks; config: SeaworthyConfig; now: Date; logger: Logger }): Promise<{ keys: Set<string>; statuses: string[] }> {
  const { store, runId, work, checks, config, now, logger } = args;
  const keys = new Set<string>();
  const statuses: string[] = [];
  const run = store.runConfig(runId);
  if (!run) return { keys, statuses };
  const bySource = new Map<RepoSource, RepoRef[]>();
  for (const { ref, source } of work) bySource.set(source, [...(bySource.get(source) ?? []), ref]);
  const checkIds = checks.map((c) => c.check.id);
  for (const [source, refs] of bySource) {
    if (!source.heads) continue;
    let heads: Map<string, string | null>;
    try {
      heads = await source.heads(refs);
    } catch (error) {
      logger.warn('could not check which repositories changed; reading all of them', { source: source.description, error: error instanceof Error ? error.message : String(error) });
      continue;
    }
    const order = orderOf(source);
    for (const ref of refs) {
      const previous = store.previousResult(runId, ref.key);
      if (carryBlocker(previous, heads.get(ref.key) ?? null, checks, { configHash: run.configHash, now, maxDays: config.crawl.carryForwardDays }) || !previous) continue;
      const previousOwner = { team: previous.team, source: previous.ownerSource };
      let owner = carriedOwner({ config, ref, order }, previousOwner);
      // The host's teams are asked only when something is read: an unchanged repository keeps the owner
      // its last crawl found there (asked again when it changes, or after crawl.carryForwardDays).
      if (!owner.known && owner.needsHostTeams) owner = { known: true, verdict: { team: previous.team, source: previous.ownerSource, unmatched: [] } };
      if (!owner.known) continue;
      store.carryForward(runId, ref.key, previous, { checkIds, crawledAt: new Date().toISOString(), team: owner.verdict.team ?? null, ownerSource: owner.verdict.source ?? null });
      keys.add(ref.key);
      for (const c of previous.checks) if (checkIds.includes(c.checkId)) statuses.push(c.status);
    }
  }
  if (keys.size > 0) logger.info('unchanged repositories carried forward', { count: keys.size });
  return { keys, statuses };
}

/** A repository that could not be read keeps its last good result, marked stale; undefined when it never had one. */
export function keepLastGood(args: { store: Store; runId: number; ref: RepoRef; checks: Checks; reason: string }): PreviousResult | undefined {
  const { store, runId, ref, checks, reason } = args;
  const previous = store.previousResult(runId, ref.key);
  if (!previous) return undefined;
  const had = new Set(previous.checks.map((c) => c.checkId));
  const extraResults: StoredCheckResult[] = checks
    .filter(({ check }) => !had.has(check.id))
    .map(({ check, weight }) => ({ checkId: check.id, checkVersion: check.meta.version, status: 'error', score: null, weight, summary: `not judged yet: the repository could not be read: ${reason}`, findings: [], durationMs: 0 }));
  store.carryForward(runId, ref.key, previous, { checkIds: checks.map((c) => c.check.id), crawledAt: new Date().toISOString(), staleReason: reason, extraResults });
  return previous;
}

export function usageOf(sources: RepoSource[]): SourceUsage | null {
  const hosted = sources.filter((s) => s.usage).map((s) => s.usage!());
  if (hosted.length === 0) return null;
  return hosted.reduce((a, b) => ({ points: a.points + b.points, graphqlRequests: a.graphqlRequests + b.graphqlRequests, restRequests: a.restRequests + b.restRequests }));
}
