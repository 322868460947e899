// Label against Seaworthy, cell by cell (repository × check), and the figures over all cells.
// Pure: no git, no clock, no files, so every rule here is unit-tested on plain objects.
import { z } from 'zod';
import { REPO_KINDS, SEVERITIES } from '../checks/contract.ts';
import { LABEL_STATUSES, LABELLED_CHECKS, type Label, type LabelledCheck } from './labels.ts';

export const SEAWORTHY_STATUSES = ['pass', 'warn', 'fail', 'not-applicable', 'error'] as const;
export type SeaworthyStatus = (typeof SEAWORTHY_STATUSES)[number];

/** Scores this close count as agreeing: experts themselves differ by a point or two. */
export const SCORE_TOLERANCE = 2;
export const TOP_FINDINGS = 5;

const findingSchema = z.object({
  severity: z.enum(SEVERITIES),
  message: z.string(),
  path: z.string().nullable(),
  line: z.int().nullable(),
});
export type CalibrationFinding = z.output<typeof findingSchema>;

const seaworthyCheckSchema = z.object({
  status: z.enum(SEAWORTHY_STATUSES),
  score: z.number().min(0).max(10).nullable(),
  summary: z.string(),
  checkVersion: z.int(),
  /** The first findings in the crawler's order (most severe first). */
  findings: z.array(findingSchema),
  findingCount: z.int().min(0),
});
export type SeaworthyCheck = z.output<typeof seaworthyCheckSchema>;

/**
 * compared: counts toward agreement. not-judged-registries: release dates were unavailable (or the
 * label could not judge them), so neither side's verdict on freshness means anything: never counted.
 * harness-error: the repository could not be crawled at its pinned commit: nothing to compare.
 */
export const BUCKETS = ['compared', 'not-judged-registries', 'harness-error'] as const;

export const cellSchema = z.object({
  repo: z.string(),
  check: z.enum(LABELLED_CHECKS),
  bucket: z.enum(BUCKETS),
  /** Why a cell is outside the comparison. */
  reason: z.string().nullable(),
  label: z.object({ status: z.enum(LABEL_STATUSES), score: z.number().nullable(), notes: z.string(), evidence: z.array(z.string()) }),
  seaworthy: seaworthyCheckSchema.nullable(),
  /** Exact status agreement (compared cells only; an error never agrees). */
  statusAgrees: z.boolean().nullable(),
  /** |Seaworthy − label| ≤ 2, where both scored (compared cells only). */
  scoreWithinTolerance: z.boolean().nullable(),
  /** Seaworthy − label, where both scored: negative means Seaworthy is harsher. */
  scoreDifference: z.number().nullable(),
  /** Seaworthy returned `error`: a disagreement, and counted as a crash as well. */
  error: z.boolean(),
  /** Where not-applicable was said, and by whom (compared cells where Seaworthy judged). */
  notApplicable: z.enum(['both', 'label-only', 'seaworthy-only', 'neither']).nullable(),
  /** Listed under Disagreements: status differs, or scores are further apart than the tolerance. */
  disagrees: z.boolean(),
});
export type Cell = z.output<typeof cellSchema>;

export const repositorySchema = z.object({
  repo: z.string(),
  labelFile: z.string(),
  commit: z.string(),
  /** The pinned commit's committer date from git (what the crawl judged "as of"); the label's when git could not be asked. */
  commitDate: z.string(),
  clone: z.string().nullable(),
  /** Whether the clone's HEAD was the pinned commit before the crawl (null: not checked). */
  headAtPinnedCommit: z.boolean().nullable(),
  /** The commit the crawler judged. */
  judgedCommit: z.string().nullable(),
  kind: z.object({
    label: z.enum(REPO_KINDS),
    seaworthy: z.enum(REPO_KINDS).nullable(),
    source: z.string().nullable(),
    evidence: z.array(z.string()),
    agrees: z.boolean().nullable(),
  }),
  crawl: z.object({
    exitCode: z.int().nullable(),
    /** The crawler's own time for this repository: snapshot, facts, checks. */
    repositoryMs: z.number().nullable(),
    /** Wall time of the crawl process, Node start-up and database set-up included. */
    processMs: z.number().nullable(),
    /** Package lookups dependency-freshness asked for, and how many could not be dated (offline and not cached, or registry failing). */
    registries: z.object({ lookups: z.int().min(0), undated: z.int().min(0) }).nullable(),
  }),
  /** Why this repository could not be compared; its cells are in the harness-error bucket. */
  harnessError: z.string().nullable(),
  /** Worth knowing but not fatal (a label date that differs from git's, a clone not checked out at the pin). */
  warnings: z.array(z.string()),
  /** Problems the crawler reported reading the repository (shown on its site page). */
  problems: z.array(z.string()),
});
export type RepositoryResult = z.output<typeof repositorySchema>;

/** What calibrate learnt about one repository: its crawl at the pinned commit, or why there is none. */
export type RepositoryOutcome =
  | {
      ok: true;
      clone: string;
      commitDate: string;
      headAtPinnedCommit: boolean | null;
      judgedCommit: string;
      kind: { kind: (typeof REPO_KINDS)[number]; source: string; evidence: string[] };
      checks: Partial<Record<LabelledCheck, SeaworthyCheck>>;
      crawl: RepositoryResult['crawl'];
      warnings: string[];
      problems: string[];
    }
  | {
      ok: false;
      reason: string;
      clone: string | null;
      commitDate: string | null;
      headAtPinnedCommit: boolean | null;
      judgedCommit: string | null;
      crawl: RepositoryResult['crawl'];
      warnings: string[];
    };

export interface RepositoryComparison {
  repository: RepositoryResult;
  cells: Cell[];
}

/** dependency-freshness without release dates: the crawler says so at the start of its summary. */
export function freshnessNotJudged(check: SeaworthyCheck): boolean {
  return /^freshness not judged/i.test(check.summary);
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const clipReason = (text: string) => (text.length > 300 ? `${text.slice(0, 299)}…` : text);

function compareCell(repo: string, check: LabelledCheck, label: Label['checks'][LabelledCheck], seaworthy: SeaworthyCheck | undefined): Cell {
  const base = { repo, check, label: { status: label.status, score: label.score, notes: label.notes, evidence: label.evidence }, seaworthy: seaworthy ?? null };
  const outside = (bucket: Cell['bucket'], reason: string): Cell => ({ ...base, bucket, reason, statusAgrees: null, scoreWithinTolerance: null, scoreDifference: null, error: seaworthy?.status === 'error', notApplicable: null, disagrees: false });
  if (!seaworthy) return outside('harness-error', 'Seaworthy has no result for this check (not run)');
  // An error is a defect whatever the expert could judge, so it is compared (and disagrees) before the registry rule.
  if (seaworthy.status !== 'error' && check === 'dependency-freshness') {
    if (label.status === 'unknown') return outside('not-judged-registries', 'the label could not judge drift without registries');
    // The reason is Seaworthy's own (registries unreachable, dates rewritten by a mirror, a sliver dated), so
    // the report can say why each cell was left out rather than lump them together.
    if (freshnessNotJudged(seaworthy)) return outside('not-judged-registries', `Seaworthy could not date enough releases: ${clipReason(seaworthy.summary.replace(/^freshness not judged:\s*/i, ''))}`);
  }
  const statusAgrees = seaworthy.status !== 'error' && seaworthy.status === label.status;
  const bothScored = seaworthy.score !== null && label.score !== null;
  const scoreDifference = bothScored ? round1(seaworthy.score! - label.score!) : null;
  const scoreWithinTolerance = scoreDifference === null ? null : Math.abs(scoreDifference) <= SCORE_TOLERANCE;
  const labelNa = label.status === 'not-applicable';
  const seaworthyNa = seaworthy.status === 'not-applicable';
  const notApplicable = seaworthy.status === 'error' ? null : labelNa && seaworthyNa ? 'both' : labelNa ? 'label-only' : seaworthyNa ? 'seaworthy-only' : 'neither';
  return {
    ...base,
    bucket: 'compared',
    reason: null,
    statusAgrees,
    scoreWithinTolerance,
    scoreDifference,
    error: seaworthy.status === 'error',
    notApplicable,
    disagrees: !statusAgrees || scoreWithinTolerance === false,
  };
}

/** One repository's label against what Seaworthy said at the pinned commit, for the given checks. */
export function compare(loaded: { file: string; label: Label }, outcome: RepositoryOutcome, checks: readonly LabelledCheck[] = LABELLED_CHECKS): RepositoryComparison {
  const { label } = loaded;
  const repository: RepositoryResult = {
    repo: label.repo,
    labelFile: loaded.file,
    commit: label.commit,
    commitDate: outcome.commitDate ?? label.commit_date,
    clone: outcome.clone,
    headAtPinnedCommit: outcome.headAtPinnedCommit,
    judgedCommit: outcome.judgedCommit,
    kind: outcome.ok
      ? { label: label.kind, seaworthy: outcome.kind.kind, source: outcome.kind.source, evidence: outcome.kind.evidence, agrees: outcome.kind.kind === label.kind }
      : { label: label.kind, seaworthy: null, source: null, evidence: [], agrees: null },
    crawl: outcome.crawl,
    harnessError: outcome.ok ? null : outcome.reason,
    warnings: outcome.warnings,
    problems: outcome.ok ? outcome.problems : [],
  };
  const cells = checks.map((check): Cell => {
    const entry = label.checks[check];
    if (!outcome.ok) {
      return { repo: label.repo, check, bucket: 'harness-error', reason: outcome.reason, label: { status: entry.status, score: entry.score, notes: entry.notes, evidence: entry.evidence }, seaworthy: null, statusAgrees: null, scoreWithinTolerance: null, scoreDifference: null, error: false, notApplicable: null, disagrees: false };
    }
    return compareCell(label.repo, check, entry, outcome.checks[check]);
  });
  return { repository, cells };
}

const ratio = z.object({ count: z.int().min(0), of: z.int().min(0), percent: z.number().min(0).max(100).nullable() });

export const statsSchema = z.object({
  cells: z.int().min(0),
  compared: z.int().min(0),
  notJudgedRegistries: z.int().min(0),
  harnessErrors: z.int().min(0),
  statusAgreement: ratio,
  scoreWithinTolerance: ratio,
  /** Mean of Seaworthy − label where both scored; negative: Seaworthy is harsher. */
  meanScoreDifference: z.number().nullable(),
  notApplicable: z.object({ both: z.int().min(0), labelOnly: z.int().min(0), seaworthyOnly: z.int().min(0) }),
  /** Compared cells where Seaworthy returned `error`. */
  errors: z.int().min(0),
  /** label status → Seaworthy status → cells (compared cells). */
  confusion: z.record(z.string(), z.record(z.string(), z.int().min(0))),
});
export type Stats = z.output<typeof statsSchema>;

function percent(count: number, of: number): number | null {
  return of === 0 ? null : round1((count / of) * 100);
}

export function summarise(cells: readonly Cell[]): Stats {
  const compared = cells.filter((c) => c.bucket === 'compared');
  const scored = compared.filter((c) => c.scoreDifference !== null);
  const agree = compared.filter((c) => c.statusAgrees).length;
  const within = scored.filter((c) => c.scoreWithinTolerance).length;
  const confusion: Stats['confusion'] = {};
  for (const c of compared) {
    const row = (confusion[c.label.status] ??= {});
    const seen = c.seaworthy!.status;
    row[seen] = (row[seen] ?? 0) + 1;
  }
  return {
    cells: cells.length,
    compared: compared.length,
    notJudgedRegistries: cells.filter((c) => c.bucket === 'not-judged-registries').length,
    harnessErrors: cells.filter((c) => c.bucket === 'harness-error').length,
    statusAgreement: { count: agree, of: compared.length, percent: percent(agree, compared.length) },
    scoreWithinTolerance: { count: within, of: scored.length, percent: percent(within, scored.length) },
    meanScoreDifference: scored.length === 0 ? null : round1(scored.reduce((sum, c) => sum + c.scoreDifference!, 0) / scored.length),
    notApplicable: {
      both: compared.filter((c) => c.notApplicable === 'both').length,
      labelOnly: compared.filter((c) => c.notApplicable === 'label-only').length,
      seaworthyOnly: compared.filter((c) => c.notApplicable === 'seaworthy-only').length,
    },
    errors: compared.filter((c) => c.error).length,
    confusion,
  };
}

export const reportSchema = z.object({
  seaworthyVersion: z.string(),
  checkVersions: z.record(z.string(), z.int()),
  generatedAt: z.iso.datetime({ offset: true }),
  registries: z.enum(['offline', 'live']),
  registryCache: z.string(),
  checks: z.array(z.enum(LABELLED_CHECKS)),
  labelsDir: z.string(),
  reposDirs: z.array(z.string()),
  unreadableLabels: z.array(z.object({ file: z.string(), problems: z.array(z.string()) })),
  repositories: z.array(repositorySchema),
  cells: z.array(cellSchema),
  summary: z.object({
    overall: statsSchema,
    perCheck: z.record(z.string(), statsSchema),
    kind: ratio,
    repositories: z.object({
      total: z.int().min(0),
      compared: z.int().min(0),
      harnessErrors: z.int().min(0),
      /** Crawler time per repository (snapshot and checks), over the repositories crawled. */
      repositoryMs: z.object({ median: z.number().nullable(), max: z.number().nullable(), total: z.number() }),
      processMs: z.object({ median: z.number().nullable(), max: z.number().nullable(), total: z.number() }),
    }),
  }),
});
export type CalibrationReport = z.output<typeof reportSchema>;

export interface ReportMeta {
  seaworthyVersion: string;
  checkVersions: Record<string, number>;
  generatedAt: string;
  registries: 'offline' | 'live';
  registryCache: string;
  checks: readonly LabelledCheck[];
  labelsDir: string;
  reposDirs: string[];
  unreadableLabels: { file: string; problems: string[] }[];
}

function timing(values: (number | null)[]): { median: number | null; max: number | null; total: number } {
  const known = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (known.length === 0) return { median: null, max: null, total: 0 };
  const mid = Math.floor(known.length / 2);
  const median = known.length % 2 === 1 ? known[mid]! : (known[mid - 1]! + known[mid]!) / 2;
  return { median: Math.round(median), max: Math.round(known.at(-1)!), total: Math.round(known.reduce((a, b) => a + b, 0)) };
}

/** The whole calibration as data: what calibration.json holds and calibration.md renders. */
export function report(comparisons: readonly RepositoryComparison[], meta: ReportMeta): CalibrationReport {
  const cells = comparisons.flatMap((c) => c.cells);
  const repositories = comparisons.map((c) => c.repository);
  const kinds = repositories.filter((r) => r.kind.agrees !== null);
  const kindAgree = kinds.filter((r) => r.kind.agrees).length;
  const crawled = repositories.filter((r) => r.harnessError === null);
  return reportSchema.parse({
    ...meta,
    checks: [...meta.checks],
    repositories,
    cells,
    summary: {
      overall: summarise(cells),
      perCheck: Object.fromEntries(meta.checks.map((check) => [check, summarise(cells.filter((c) => c.check === check))])),
      kind: { count: kindAgree, of: kinds.length, percent: percent(kindAgree, kinds.length) },
      repositories: {
        total: repositories.length,
        compared: crawled.length,
        harnessErrors: repositories.length - crawled.length,
        repositoryMs: timing(crawled.map((r) => r.crawl.repositoryMs)),
        processMs: timing(repositories.map((r) => r.crawl.processMs)),
      },
    },
  });
}
