// Markdown for a CI job summary ($GITHUB_STEP_SUMMARY): what the run did and what the workflow
// does with it, so a red or yellow night explains itself without opening the logs.
import { appendFileSync } from 'node:fs';
import type { MergeSummary } from './merge.ts';
import type { CrawlSummary } from './run.ts';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').slice(0, 300);
}

function errorTable(errors: { repo: string; error: string }[]): string[] {
  if (errors.length === 0) return [];
  const shown = errors.slice(0, 25);
  return ['', '| repository | why it could not be crawled |', '|---|---|', ...shown.map((e) => `| ${cell(e.repo)} | ${cell(e.error)} |`), ...(errors.length > shown.length ? ['', `…and ${errors.length - shown.length} more (see the job log).`] : [])];
}

const MEANING: Record<string, string> = {
  ok: 'Every repository was judged. The database is saved and the site published.',
  partial: 'Some repositories could not be crawled: they keep their last good result, marked stale. The database is saved and the site published.',
  failed: 'The crawl failed as a whole. The database is **not** saved and the site keeps the last good scorecard.',
  interrupted: 'The crawl was stopped by a signal after the repositories in flight. The run is resumable; nothing is published.',
};

export function crawlMarkdown(summary: CrawlSummary): string {
  const crawled = summary.repositories - summary.carriedForward - summary.errors.length;
  const lines = [
    `### Seaworthy crawl: ${summary.status}${summary.shard ? ` (shard ${summary.shard})` : ''}`,
    '',
    MEANING[summary.status] ?? '',
    '',
    '| run | repositories | crawled | carried forward | failed | stale | GitHub points | time |',
    '|---|---|---|---|---|---|---|---|',
    `| ${summary.runId}${summary.resumed ? ` (attempt ${summary.resumed.attempt})` : ''} | ${summary.repositories} | ${crawled} | ${summary.carriedForward} | ${summary.errors.length} | ${summary.stale} | ${summary.api?.points ?? '–'} | ${(summary.durationMs / 1000).toFixed(1)} s |`,
    ...gitLines(summary.git),
    ...errorTable(summary.errors),
    ...skippedTable(summary.skippedFolders),
    ...(summary.registries?.openCircuits.length ? ['', '| package registry not reached | why | effect |', '|---|---|---|', ...summary.registries.openCircuits.map((c) => `| ${cell(c.host)} | ${cell(c.reason)} | not asked again this run; its packages undated unless cached |`)] : []),
  ];
  return lines.join('\n') + '\n';
}

/** What git cost: clones and fetches, bytes and time (per repository too), the cache folder's size to keep between nights. */
export function gitText(git: NonNullable<CrawlSummary['git']>): string {
  const read = git.clones + git.fetches + git.reclones;
  const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;
  return `git: ${git.clones} cloned, ${git.fetches} fetched${git.reclones > 0 ? `, ${git.reclones} cloned again (damaged)` : ''}${git.cached > 0 ? `, ${git.cached} already cached` : ''}, ${mb(git.bytes)} received in ${(git.ms / 1000).toFixed(1)} s${read > 0 ? ` (${(git.ms / read / 1000).toFixed(1)} s per repository)` : ''}; cache ${mb(git.cacheBytes)}`;
}

function gitLines(git: CrawlSummary['git']): string[] {
  if (!git) return [];
  const slowest = [...git.perRepository].filter((r) => r.action !== 'cached').sort((a, b) => b.ms - a.ms).slice(0, 5);
  return ['', `${gitText(git)} (\`${cell(git.cacheDir)}\`: keep it between nights).`, ...(slowest.length > 0 ? ['', '| slowest to fetch | how | time | received |', '|---|---|---|---|', ...slowest.map((r) => `| ${cell(r.repo)} | ${r.action} | ${(r.ms / 1000).toFixed(1)} s | ${(r.bytes / 1024).toFixed(0)} KB |`)] : [])];
}

function skippedTable(folders: readonly { location: string; reason: string }[]): string[] {
  if (folders.length === 0) return [];
  const shown = folders.slice(0, 25);
  return ['', '| folder not crawled | why |', '|---|---|', ...shown.map((f) => `| ${cell(JSON.stringify(f.location))} | ${cell(f.reason)} |`), ...(folders.length > shown.length ? ['', `…and ${folders.length - shown.length} more (see the job log).`] : [])];
}

export function mergeMarkdown(summary: MergeSummary): string {
  const lines = [
    `### Seaworthy merge: ${summary.status}`,
    '',
    summary.runId === null ? 'No shard finished: nothing was merged, the database is not saved and the site keeps the last good scorecard.' : (MEANING[summary.status] ?? ''),
    '',
    '| shard | file | outcome | repositories |',
    '|---|---|---|---|',
    ...summary.shards.map((s) => `| ${s.shard ?? '?'} | ${cell(s.file)} | ${s.outcome}${s.reason ? `: ${cell(s.reason)}` : ''} | ${s.repositories} |`),
    ...summary.missing.map((m) => `| ${m} | – | missing: its repositories keep their last good result, marked stale | – |`),
    '',
    `Run ${summary.runId ?? '–'}: ${summary.repositories} repositories, ${summary.carriedForward} carried forward, ${summary.errors.length} failed, ${summary.stale} stale; GitHub points ${summary.apiPoints ?? '–'}.`,
    ...errorTable(summary.errors),
  ];
  return lines.join('\n') + '\n';
}

/** Appends to the job summary when running in GitHub Actions; a summary that cannot be written never fails the crawl. */
export function writeStepSummary(markdown: string, env: NodeJS.ProcessEnv = process.env): void {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  try {
    appendFileSync(file, markdown + '\n');
  } catch (error) {
    process.stderr.write(`seaworthy: could not write the job summary to ${file}: ${(error as Error).message}\n`);
  }
}
