// npm run calibrate:prepare: one non-bare clone per label, checked out at the pinned commit, with the
// default branch (local and origin's) moved to that commit, so the local source's default-branch
// resolution and `--as-of` land on exactly the commit the expert judged.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { createLogger, type Logger } from '../crawler/log.ts';
import { GitError, commitDate, git, gitOk, hasCommit, localCopies, repositoryRoot } from './git.ts';
import { labelFileStem, loadLabels, type Label } from './labels.ts';

export const PREPARE_EXIT = { ok: 0, partial: 1, usage: 2, failed: 4 } as const;

const HELP = `Usage: node calibration/prepare.ts --to DIR [--labels DIR] [--from DIR]... [--repo OWNER/NAME]... [--offline] [--json]

Makes one non-bare clone per label in DIR/<owner>__<name>, checked out (detached) at the label's
pinned commit, with the default branch and origin/HEAD pointing at that commit.

Options:
      --labels <dir>      label files (default: calibration/labels)
      --from <dir>        where existing clones or mirrors are (repeatable), named <owner>__<name>,
                          <owner>+<name> or <owner>/<name> (with or without .git); a mirror root whose
                          entries hold the repository one level down (/work/.mirror/<owner>+<name>/repo)
                          works too. A copy without the pinned commit is passed over.
      --to <dir>          where the prepared clones go (created if missing); a clone already there
                          with the pinned commit is re-pinned (checked out with --force: the folder
                          is the harness's own), not cloned again
      --repo <owner/name> only this label (repeatable)
      --offline           never clone from https://github.com (default: clone from GitHub when no
                          local copy has the pinned commit)
      --json              print the outcome per label as JSON on stdout
      --log-format <fmt>  text (default) or json
  -q, --quiet             only warnings and errors
  -h, --help              show this help

Git runs with hooks, fsmonitor, credential helpers and every transport but local paths and https
switched off, so nothing a cloned repository configures is run.

Exit codes: 0 every label is ready · 1 some labels could not be prepared (each listed with its
reason) or could not be read · 2 bad usage · 4 no label could be prepared`;

export interface PrepareOutcome {
  repo: string;
  ready: boolean;
  target: string;
  /** existing: the clone was already in --to; local: cloned from a copy under --from; github: cloned from GitHub. */
  via?: 'existing' | 'local' | 'github';
  from?: string;
  reason?: string;
  warnings: string[];
  ms: number;
}

const LOCAL_CLONE_MS = 30 * 60_000;
const GITHUB_CLONE_MS = 120 * 60_000;

/** Points HEAD (detached), the default branch and origin's default branch at the pinned commit, then checks it. */
export async function pin(dir: string, label: Pick<Label, 'commit' | 'default_branch'>): Promise<void> {
  const branch = label.default_branch;
  await gitOk(dir, ['check-ref-format', `refs/heads/${branch}`], `default_branch "${branch}" is not a valid branch name`);
  // -f: this folder is the harness's own; whatever was left checked out in it is replaced.
  await gitOk(dir, ['checkout', '-q', '-f', '--detach', label.commit], `checking out ${label.commit}`);
  await gitOk(dir, ['update-ref', `refs/heads/${branch}`, label.commit], `moving ${branch} to the pinned commit`);
  await gitOk(dir, ['update-ref', `refs/remotes/origin/${branch}`, label.commit], `moving origin/${branch} to the pinned commit`);
  await gitOk(dir, ['symbolic-ref', 'refs/remotes/origin/HEAD', `refs/remotes/origin/${branch}`], 'pointing origin/HEAD at the default branch');
  const head = (await gitOk(dir, ['rev-parse', 'HEAD', 'refs/remotes/origin/HEAD'], 'verifying the pin')).trim().split('\n');
  if (head.some((oid) => oid !== label.commit)) throw new GitError(`after pinning, HEAD and origin/HEAD are ${head.join(' and ')}, not ${label.commit}`);
}

async function cloneInto(partial: string, source: string, timeoutMs: number): Promise<void> {
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(path.dirname(partial), { recursive: true });
  await gitOk(path.dirname(partial), ['clone', '-q', '--no-checkout', source, partial], `cloning ${source}`, { timeoutMs });
}

export async function prepareLabel(label: Label, options: { from: string[]; to: string; network: boolean }): Promise<PrepareOutcome> {
  const started = performance.now();
  const target = path.join(options.to, labelFileStem(label.repo));
  const warnings: string[] = [];
  const done = (fields: Omit<PrepareOutcome, 'repo' | 'target' | 'warnings' | 'ms'>): PrepareOutcome => ({ repo: label.repo, target, warnings, ms: Math.round(performance.now() - started), ...fields });
  const checkDate = async (dir: string) => {
    const actual = await commitDate(dir, label.commit);
    if (Date.parse(actual) !== Date.parse(label.commit_date)) warnings.push(`label commit_date ${label.commit_date} differs from the commit's committer date ${actual}; calibrate judges as of ${actual}`);
  };
  try {
    if (existsSync(target)) {
      if (!(await repositoryRoot(target)).ok) return done({ ready: false, reason: `${target} exists and is not a git repository; remove it or choose another --to` });
      if (!(await hasCommit(target, label.commit))) return done({ ready: false, reason: `${target} exists without commit ${label.commit}; remove it so prepare clones it again` });
      await pin(target, label);
      await checkDate(target);
      return done({ ready: true, via: 'existing' });
    }
    // Cloned beside the target and renamed when pinned: an interrupted prepare leaves no half-made clone under the real name.
    const partial = path.join(options.to, `.${labelFileStem(label.repo)}.partial`);
    const reasons: string[] = [];
    const { copies, refused } = await localCopies(options.from, label.repo);
    reasons.push(...refused.map((r) => `git refused ${r}`));
    for (const copy of copies) {
      if (!(await hasCommit(copy, label.commit))) {
        reasons.push(`${copy} lacks commit ${label.commit}`);
        continue;
      }
      await cloneInto(partial, copy, LOCAL_CLONE_MS);
      await pin(partial, label);
      await checkDate(partial);
      renameSync(partial, target);
      return done({ ready: true, via: 'local', from: copy });
    }
    if (copies.length === 0) reasons.push(`no local copy under ${options.from.length > 0 ? options.from.join(', ') : '(no --from given)'} (looked for ${labelFileStem(label.repo)}, ${label.repo.replace('/', '+')} and ${label.repo}, with or without .git)`);
    if (!options.network) return done({ ready: false, reason: `${reasons.join('; ')}; --offline: GitHub not asked` });
    const url = `https://github.com/${label.repo}`;
    try {
      await cloneInto(partial, url, GITHUB_CLONE_MS);
      if (!(await hasCommit(partial, label.commit))) {
        // A pinned commit no branch reaches any more (force-pushed, merged by squash) is still served by its sha.
        await gitOk(partial, ['fetch', '-q', 'origin', label.commit], `fetching ${label.commit} from ${url}`, { timeoutMs: GITHUB_CLONE_MS });
      }
      await pin(partial, label);
      await checkDate(partial);
      renameSync(partial, target);
      return done({ ready: true, via: 'github', from: url });
    } catch (error) {
      rmSync(partial, { recursive: true, force: true });
      if (!(error instanceof GitError)) throw error;
      return done({ ready: false, reason: `${reasons.join('; ')}; ${error.message}` });
    }
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    return done({ ready: false, reason: error.message });
  }
}

export async function main(argv: string[], logger?: Logger): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        labels: { type: 'string', default: 'calibration/labels' },
        from: { type: 'string', multiple: true, default: [] },
        to: { type: 'string' },
        repo: { type: 'string', multiple: true, default: [] },
        offline: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        'log-format': { type: 'string', default: 'text' },
        quiet: { type: 'boolean', short: 'q', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    process.stderr.write(`prepare: ${(error as Error).message}\n\n${HELP}\n`);
    return PREPARE_EXIT.usage;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return PREPARE_EXIT.ok;
  }
  const usage = (message: string) => {
    process.stderr.write(`prepare: ${message}\n`);
    return PREPARE_EXIT.usage;
  };
  if (!values.to) return usage('--to <dir> is required: where the prepared clones go');
  if (!existsSync(values.labels)) return usage(`no labels folder at ${values.labels} (--labels)`);
  const log = logger ?? createLogger({ format: values['log-format'] === 'json' ? 'json' : 'text', quiet: values.quiet });
  const { labels, unreadable } = loadLabels(values.labels);
  for (const u of unreadable) log.error('label could not be read; not prepared', { file: u.file, problems: u.problems.join(' | ') });
  const wanted = new Set(values.repo.map((r) => r.toLowerCase()));
  const unknown = [...wanted].filter((r) => !labels.some((l) => l.label.repo.toLowerCase() === r));
  if (unknown.length > 0) return usage(`no label for ${unknown.join(', ')} in ${values.labels}`);
  const chosen = labels.filter((l) => wanted.size === 0 || wanted.has(l.label.repo.toLowerCase()));
  const to = path.resolve(values.to);
  mkdirSync(to, { recursive: true });
  const outcomes: PrepareOutcome[] = [];
  for (const [index, { label }] of chosen.entries()) {
    const outcome = await prepareLabel(label, { from: values.from.map((f) => path.resolve(f)), to, network: !values.offline });
    outcomes.push(outcome);
    const n = `${index + 1}/${chosen.length}`;
    if (outcome.ready) log.info('repository prepared', { n, repo: label.repo, via: outcome.via, from: outcome.from, ms: outcome.ms });
    else log.warn('repository could not be prepared', { n, repo: label.repo, reason: outcome.reason, ms: outcome.ms });
    for (const warning of outcome.warnings) log.warn('label and repository differ', { repo: label.repo, warning });
  }
  const failed = outcomes.filter((o) => !o.ready);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ to, outcomes, unreadableLabels: unreadable }, null, 2)}\n`);
  } else {
    for (const o of outcomes) process.stdout.write(o.ready ? `ready   ${o.repo}  ${o.target}${o.from ? `  (from ${o.from})` : ''}\n` : `FAILED  ${o.repo}: ${o.reason}\n`);
    for (const u of unreadable) process.stdout.write(`FAILED  ${path.basename(u.file)}: label could not be read:\n${u.problems.map((p) => `          ${p}`).join('\n')}\n`);
    process.stdout.write(`${outcomes.length - failed.length} of ${outcomes.length + unreadable.length} labels ready in ${to}\n`);
  }
  if (outcomes.length === 0) {
    log.error('no label to prepare', { labels: values.labels, unreadable: unreadable.length });
    return PREPARE_EXIT.failed;
  }
  if (failed.length === outcomes.length) return PREPARE_EXIT.failed;
  return failed.length > 0 || unreadable.length > 0 ? PREPARE_EXIT.partial : PREPARE_EXIT.ok;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
