// npm run calibrate: crawls each labelled repository at its pinned commit with the local source, in
// a crawl process and a database of its own, compares every check with the label and writes
// calibration.md and calibration.json.
//
// One `seaworthy crawl` child process per repository rather than the crawler in-process: a check
// that loops or exhausts memory on some real repository is killed at the timeout and recorded for
// that repository, and the measurement runs the very command users run.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify as stringifyYaml } from 'yaml';
import { REPO_KINDS, type RepoKind } from '../checks/contract.ts';
import { CHECKS } from '../checks/registry.ts';
import { createLogger, type Logger } from '../crawler/log.ts';
import { TOOL_VERSION } from '../crawler/version.ts';
import { openDb } from '../data/db.ts';
import { Queries } from '../data/queries.ts';
import { TOP_FINDINGS, compare, report, type CalibrationReport, type RepositoryComparison, type RepositoryOutcome, type SeaworthyCheck, type SeaworthyStatus } from './compare.ts';
import { commitDate, git, hasCommit, localCopies } from './git.ts';
import { LABELLED_CHECKS, labelFileStem, loadLabels, type LabelledCheck, type LoadedLabel } from './labels.ts';
import { renderMarkdown } from './markdown.ts';

export const CALIBRATE_EXIT = { ok: 0, partial: 1, usage: 2, failed: 4 } as const;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin', 'seaworthy.mjs');

const HELP = `Usage: node calibration/calibrate.ts --repos DIR [--repos DIR]... [--labels DIR] [--out DIR]
                                     [--check ID]... [--repo OWNER/NAME]... [--registries]

For each label, crawls that repository with the local source as of its pinned commit's date, in a
fresh temporary database, checks that the crawler judged the pinned commit, and compares every
check with the label. Writes calibration.md and calibration.json to the output folder, and each
crawl's log to logs/<owner>__<name>.log there.

Options:
      --repos <dir>          clones to crawl (repeatable): <owner>__<name>, <owner>+<name> or
                             <owner>/<name> under it, as "npm run calibrate:prepare" makes them or
                             as labellers left them (non-bare clones checked out at the pinned commit)
      --labels <dir>         label files (default: calibration/labels)
      --out <dir>            where the report goes (default: calibration/out)
      --check <id>           compare only this check (repeatable; default: all six)
      --repo <owner/name>    only this repository (repeatable)
      --registries           let the crawler ask live package registries for release dates (default:
                             offline: dates come from the registry cache alone, and
                             dependency-freshness cells without dates are "not judged")
      --registry-cache <file> release dates shared by every repository's crawl and kept between
                             runs (default: <out>/registry-cache.db): a run with --registries fills
                             it, later offline runs judge freshness from it
      --timeout-minutes <n>  give up on one repository's crawl after n minutes (default: 30)
      --log-format <fmt>     text (default) or json
  -q, --quiet                only warnings and errors
  -h, --help                 show this help

A repository is compared only when the crawler judged exactly the pinned commit; otherwise (no
clone, commit missing, another commit judged, crawl failed or timed out) it is reported as a harness
error and its cells are left out of every figure.

Exit codes: 0 every labelled repository compared · 1 some repositories could not be compared, or
some labels could not be read (the report says which) · 2 bad usage · 4 nothing could be compared`;

interface CrawlOptions {
  registries: boolean;
  /** Release dates shared by every repository's crawl and kept between calibrations. */
  registryCache: string;
  checks: readonly LabelledCheck[];
  timeoutMs: number;
  logDir: string;
}

interface CrawlProcess {
  exitCode: number | null;
  processMs: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

function runCrawl(args: string[], timeoutMs: number): Promise<CrawlProcess> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'crawl', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code, processMs: Math.round(performance.now() - started), stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), timedOut });
    });
  });
}

/** The lines of a crawl's log that say what went wrong (warnings, errors, an uncaught exception), for a harness error. */
function tail(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const telling = lines.filter((l) => /level=(warn|error)|"level":"(warn|error)"|^seaworthy:|^[\w.]*Error\b/.test(l));
  return (telling.length > 0 ? telling : lines).slice(-3).join(' / ').slice(0, 800) || 'nothing on stderr';
}

/** Package lookups of the crawl and how many stayed undated, from the summary `crawl --json` prints. */
function registryStats(stdout: string): { lookups: number; undated: number } | null {
  if (!stdout.trim()) return null;
  let summary: unknown;
  try {
    summary = JSON.parse(stdout);
  } catch (error) {
    // A crawl killed mid-write leaves half a summary: the figures are then simply unknown.
    void error;
    return null;
  }
  const stats = (summary as { registries?: { lookups?: unknown; undated?: unknown } }).registries;
  return typeof stats?.lookups === 'number' && typeof stats.undated === 'number' ? { lookups: stats.lookups, undated: stats.undated } : null;
}

function toStatus(status: string, underlying: string | null): SeaworthyStatus {
  // Calibration crawls carry no exemptions, so a waiver cannot appear; if one did, its real status is what was judged.
  const real = status === 'waived' ? (underlying ?? 'error') : status;
  return (['pass', 'warn', 'fail', 'not-applicable', 'error'] as const).find((s) => s === real) ?? 'error';
}

/** What the crawl stored: the repository's row and every check's result, from the crawl's own database. */
function readCrawl(dbPath: string, checks: readonly LabelledCheck[]) {
  const queries = new Queries(dbPath);
  try {
    const run = queries.latestEndedRun();
    const repo = run ? queries.repositories(run.id)[0] : undefined;
    if (!run || !repo) return undefined;
    const results = new Map(queries.checkResults(run.id, repo.repoId).map((r) => [r.checkId, r]));
    const stored: Partial<Record<LabelledCheck, SeaworthyCheck>> = {};
    for (const check of checks) {
      const r = results.get(check);
      if (!r) continue;
      stored[check] = {
        status: toStatus(r.status, r.underlyingStatus),
        score: r.score,
        summary: r.summary,
        checkVersion: r.checkVersion,
        findings: r.findings.slice(0, TOP_FINDINGS).map((f) => ({ severity: f.severity, message: f.message, path: f.path, line: f.line })),
        findingCount: r.findings.length,
      };
    }
    const db = openDb(dbPath, { readonly: true });
    const duration = db.prepare('SELECT duration_ms FROM repo_runs WHERE run_id = ? AND repo_id = ?').pluck().get(run.id, repo.repoId) as number | undefined;
    db.close();
    return { repo, checks: stored, repositoryMs: duration ?? null };
  } finally {
    queries.close();
  }
}

const CACHE_COLUMNS = 'ecosystem, name, status, releases, reason, fetched_at';

/** Copies the shared registry cache into a crawl's fresh database, so each repository's crawl starts from what earlier ones learnt. */
function seedRegistryCache(dbPath: string, cachePath: string): void {
  const db = openDb(dbPath);
  try {
    if (!existsSync(cachePath)) return;
    db.prepare('ATTACH DATABASE ? AS shared').run(cachePath);
    db.exec(`INSERT OR REPLACE INTO main.registry_cache (${CACHE_COLUMNS}) SELECT ${CACHE_COLUMNS} FROM shared.registry_cache`);
    db.exec('DETACH DATABASE shared');
  } finally {
    db.close();
  }
}

/** Keeps what a crawl learnt from the registries for the next repositories and the next calibration. */
function keepRegistryAnswers(dbPath: string, cachePath: string): void {
  const cache = openDb(cachePath);
  try {
    cache.prepare('ATTACH DATABASE ? AS crawl').run(dbPath);
    cache.exec(
      `INSERT INTO main.registry_cache (${CACHE_COLUMNS}) SELECT ${CACHE_COLUMNS} FROM crawl.registry_cache WHERE true
       ON CONFLICT (ecosystem, name) DO UPDATE SET status = excluded.status, releases = excluded.releases, reason = excluded.reason, fetched_at = excluded.fetched_at
       WHERE excluded.fetched_at > registry_cache.fetched_at`,
    );
    cache.exec('DETACH DATABASE crawl');
  } finally {
    cache.close();
  }
}

async function findClone(roots: readonly string[], loaded: LoadedLabel): Promise<{ clone: string } | { reason: string }> {
  const { label } = loaded;
  const { copies, refused } = await localCopies(roots, label.repo);
  const reasons = refused.map((r) => `git refused ${r}`);
  for (const copy of copies) {
    if (await hasCommit(copy, label.commit)) return { clone: copy };
    reasons.push(`${copy} lacks the pinned commit ${label.commit}`);
  }
  if (copies.length === 0) reasons.push(`no clone under ${roots.join(', ')} (looked for ${labelFileStem(label.repo)}, ${label.repo.replace('/', '+')} and ${label.repo}); run "npm run calibrate:prepare"`);
  return { reason: reasons.join('; ') };
}

/** Crawls one labelled repository at its pinned commit; never throws for a problem of that repository. */
export async function crawlAtPin(loaded: LoadedLabel, roots: readonly string[], options: CrawlOptions): Promise<RepositoryOutcome> {
  const { label } = loaded;
  const warnings: string[] = [];
  const noCrawl = { exitCode: null, repositoryMs: null, processMs: null, registries: null };
  const found = await findClone(roots, loaded);
  if ('reason' in found) return { ok: false, reason: found.reason, clone: null, commitDate: null, headAtPinnedCommit: null, judgedCommit: null, crawl: noCrawl, warnings };
  const clone = found.clone;
  // As of git's date for the commit: a label's date typed by hand must not move the crawl to another commit.
  const date = await commitDate(clone, label.commit);
  if (Date.parse(date) !== Date.parse(label.commit_date)) warnings.push(`label commit_date ${label.commit_date} differs from the commit's committer date ${date}; judged as of ${date}`);
  const head = await git(clone, ['rev-parse', '-q', '--verify', 'HEAD^{commit}']);
  const headOid = head.code === 0 ? head.stdout.trim() : null;
  const headAtPinnedCommit = headOid === label.commit;
  if (!headAtPinnedCommit) warnings.push(`the clone's HEAD is ${headOid ?? 'unborn'}, not the pinned commit; the crawl reads the default branch as of the commit's date (verified below)`);
  const failed = (reason: string, crawl: RepositoryOutcome['crawl'] = noCrawl, judgedCommit: string | null = null): RepositoryOutcome => ({ ok: false, reason, clone, commitDate: date, headAtPinnedCommit, judgedCommit, crawl, warnings });

  const [owner = '', name = ''] = label.repo.split('/');
  const work = mkdtempSync(path.join(os.tmpdir(), 'sw-calibrate-'));
  try {
    // The local source names a repository after its folder and owner: a link named for the label keeps findings' names right.
    mkdirSync(path.join(work, 'repos'));
    symlinkSync(clone, path.join(work, 'repos', name), 'dir');
    const configPath = path.join(work, 'seaworthy.config.yaml');
    writeFileSync(
      configPath,
      stringifyYaml({
        database: 'calibrate.db',
        sources: [{ type: 'local', paths: [`repos/${name}`], owner, webUrl: `https://github.com/${owner}/{name}` }],
        // Every crawl judges from scratch: nothing carried forward, nothing pruned.
        crawl: { carryForwardDays: 0, concurrency: 1 },
        retention: { enabled: false },
      }),
    );
    const dbPath = path.join(work, 'calibrate.db');
    seedRegistryCache(dbPath, options.registryCache);
    const args = ['-c', configPath, '--db', dbPath, '--as-of', date, '--json', '--log-format', 'json', ...(options.registries ? [] : ['--offline']), ...options.checks.flatMap((c) => ['--check', c])];
    const run = await runCrawl(args, options.timeoutMs);
    writeFileSync(path.join(options.logDir, `${labelFileStem(label.repo)}.log`), run.stderr);
    const crawl: RepositoryOutcome['crawl'] = { exitCode: run.exitCode, repositoryMs: null, processMs: run.processMs, registries: registryStats(run.stdout) };
    if (run.timedOut) return failed(`the crawl was stopped after ${Math.round(options.timeoutMs / 60_000)} minutes`, crawl);
    if (!existsSync(dbPath)) return failed(`the crawl process exited ${run.exitCode} before writing anything: ${tail(run.stderr)}`, crawl);
    keepRegistryAnswers(dbPath, options.registryCache);
    const stored = readCrawl(dbPath, options.checks);
    if (!stored) {
      const skipped = /"skipped":\s*[1-9]/.test(run.stdout);
      return failed(skipped ? `the crawler found no commit on the default branch at or before ${date}` : `the crawl exited ${run.exitCode} with no result: ${tail(run.stderr)}`, crawl);
    }
    crawl.repositoryMs = stored.repositoryMs;
    const { repo } = stored;
    if (repo.status === 'error') return failed(`Seaworthy could not read the repository: ${repo.error ?? 'no reason given'}`, crawl);
    if (repo.headOid !== label.commit) {
      return failed(
        `the crawler judged ${repo.headOid} (${repo.headDate}) on ${repo.defaultBranch}, not the pinned ${label.commit}: the default branch does not reach the pinned commit at its date; run "npm run calibrate:prepare" to make a clone pinned to it`,
        crawl,
        repo.headOid,
      );
    }
    if (repo.defaultBranch !== label.default_branch) warnings.push(`the crawler read default branch ${repo.defaultBranch}, the label says ${label.default_branch}`);
    const kind = REPO_KINDS.find((k) => k === repo.kind);
    if (!kind) return failed(`the crawler stored no repository kind (${String(repo.kind)})`, crawl, repo.headOid);
    return { ok: true, clone, commitDate: date, headAtPinnedCommit, judgedCommit: repo.headOid, kind: { kind: kind as RepoKind, source: repo.kindSource ?? 'detected', evidence: repo.kindEvidence }, checks: stored.checks, crawl, warnings, problems: repo.problems };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The Seaworthy commit that measured, marked when the work tree differs from it, so a baseline can be traced to code. */
async function seaworthyRevision(): Promise<string | null> {
  const head = await git(ROOT, ['rev-parse', '-q', '--verify', 'HEAD']);
  if (head.code !== 0) return null;
  const changes = await git(ROOT, ['status', '--porcelain', '--untracked-files=no']);
  return `${head.stdout.trim().slice(0, 12)}${changes.code === 0 && changes.stdout.trim() === '' ? '' : ', with uncommitted changes'}`;
}

export async function main(argv: string[], logger?: Logger): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        repos: { type: 'string', multiple: true, default: [] },
        labels: { type: 'string', default: 'calibration/labels' },
        out: { type: 'string', default: 'calibration/out' },
        check: { type: 'string', multiple: true, default: [] },
        repo: { type: 'string', multiple: true, default: [] },
        registries: { type: 'boolean', default: false },
        'registry-cache': { type: 'string' },
        'timeout-minutes': { type: 'string', default: '30' },
        'log-format': { type: 'string', default: 'text' },
        quiet: { type: 'boolean', short: 'q', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    process.stderr.write(`calibrate: ${(error as Error).message}\n\n${HELP}\n`);
    return CALIBRATE_EXIT.usage;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return CALIBRATE_EXIT.ok;
  }
  const usage = (message: string) => {
    process.stderr.write(`calibrate: ${message}\n`);
    return CALIBRATE_EXIT.usage;
  };
  if (values.repos.length === 0) return usage('--repos <dir> is required: the folder of clones (see npm run calibrate:prepare)');
  const missing = values.repos.filter((r) => !existsSync(r));
  if (missing.length > 0) return usage(`no folder at ${missing.join(', ')} (--repos)`);
  if (!existsSync(values.labels)) return usage(`no labels folder at ${values.labels} (--labels)`);
  const unknownChecks = values.check.filter((c) => !LABELLED_CHECKS.includes(c as LabelledCheck));
  if (unknownChecks.length > 0) return usage(`unknown check ${unknownChecks.map((c) => `"${c}"`).join(', ')}; labelled checks: ${LABELLED_CHECKS.join(', ')}`);
  const timeoutMinutes = Number(values['timeout-minutes']);
  if (!(timeoutMinutes > 0)) return usage(`--timeout-minutes must be a positive number, got "${values['timeout-minutes']}"`);
  const checks = values.check.length > 0 ? LABELLED_CHECKS.filter((c) => values.check.includes(c)) : [...LABELLED_CHECKS];
  const log = logger ?? createLogger({ format: values['log-format'] === 'json' ? 'json' : 'text', quiet: values.quiet });

  const { labels, unreadable } = loadLabels(values.labels);
  for (const u of unreadable) log.error('label could not be read; left out', { file: u.file, problems: u.problems.join(' | ') });
  const wanted = new Set(values.repo.map((r) => r.toLowerCase()));
  const unknownRepos = [...wanted].filter((r) => !labels.some((l) => l.label.repo.toLowerCase() === r));
  if (unknownRepos.length > 0) return usage(`no label for ${unknownRepos.join(', ')} in ${values.labels}`);
  const chosen = labels.filter((l) => wanted.size === 0 || wanted.has(l.label.repo.toLowerCase()));
  if (chosen.length === 0) {
    log.error('no label to calibrate against', { labels: values.labels, unreadable: unreadable.length });
    return CALIBRATE_EXIT.failed;
  }

  const out = path.resolve(values.out);
  const logDir = path.join(out, 'logs');
  mkdirSync(logDir, { recursive: true });
  const roots = values.repos.map((r) => path.resolve(r));
  const registryCache = path.resolve(values['registry-cache'] ?? path.join(out, 'registry-cache.db'));
  const options: CrawlOptions = { registries: values.registries, registryCache, checks, timeoutMs: timeoutMinutes * 60_000, logDir };
  log.info('calibration started', { repositories: chosen.length, checks: checks.join(','), registries: values.registries ? 'live' : 'offline', repos: roots.join(',') });
  const comparisons: RepositoryComparison[] = [];
  for (const [index, loaded] of chosen.entries()) {
    const outcome = await crawlAtPin(loaded, roots, options);
    const comparison = compare(loaded, outcome, checks);
    comparisons.push(comparison);
    const n = `${index + 1}/${chosen.length}`;
    for (const warning of outcome.warnings) log.warn('label and clone differ', { repo: loaded.label.repo, warning });
    if (!outcome.ok) {
      log.warn('repository not compared', { n, repo: loaded.label.repo, reason: outcome.reason, ms: outcome.crawl.processMs ?? undefined });
      continue;
    }
    const compared = comparison.cells.filter((c) => c.bucket === 'compared');
    log.info('repository calibrated', {
      n,
      repo: loaded.label.repo,
      agree: `${compared.filter((c) => c.statusAgrees).length}/${compared.length}`,
      errors: compared.filter((c) => c.error).length,
      notJudged: comparison.cells.filter((c) => c.bucket === 'not-judged-registries').length,
      kind: comparison.repository.kind.agrees ? 'agrees' : `${loaded.label.kind}/${outcome.kind.kind}`,
      ms: outcome.crawl.repositoryMs ?? undefined,
      processMs: outcome.crawl.processMs ?? undefined,
    });
  }

  const revision = await seaworthyRevision();
  const result: CalibrationReport = report(comparisons, {
    seaworthyVersion: revision ? `${TOOL_VERSION} (${revision})` : TOOL_VERSION,
    checkVersions: Object.fromEntries(CHECKS.filter((c) => checks.includes(c.id as LabelledCheck)).map((c) => [c.id, c.meta.version])),
    generatedAt: new Date().toISOString(),
    registries: values.registries ? 'live' : 'offline',
    registryCache,
    checks,
    labelsDir: path.resolve(values.labels),
    reposDirs: roots,
    unreadableLabels: unreadable,
  });
  writeFileSync(path.join(out, 'calibration.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(path.join(out, 'calibration.md'), renderMarkdown(result));
  const overall = result.summary.overall;
  log.info('calibration finished', {
    repositories: result.summary.repositories.total,
    compared: result.summary.repositories.compared,
    statusAgreement: overall.statusAgreement.percent === null ? '–' : `${overall.statusAgreement.percent}%`,
    scoreWithin2: overall.scoreWithinTolerance.percent === null ? '–' : `${overall.scoreWithinTolerance.percent}%`,
    meanScoreDifference: overall.meanScoreDifference,
    errors: overall.errors,
    notJudgedRegistries: overall.notJudgedRegistries,
    report: path.join(out, 'calibration.md'),
  });
  if (result.summary.repositories.compared === 0) return CALIBRATE_EXIT.failed;
  return result.summary.repositories.harnessErrors > 0 || unreadable.length > 0 ? CALIBRATE_EXIT.partial : CALIBRATE_EXIT.ok;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
