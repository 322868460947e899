// calibration.md: the table a person reads first, the figures, then every disagreement with the
// evidence on both sides, so fixing a check starts from the repository, not from a number.
import type { CalibrationReport, Cell, Stats } from './compare.ts';
import { SCORE_TOLERANCE } from './compare.ts';

/** Text from labels and from crawled repositories, made safe inside one line or table cell. */
export function inline(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|');
}

function code(text: string): string {
  const clean = text.replace(/\s+/g, ' ');
  return clean.includes('`') ? `\`\` ${clean} \`\`` : `\`${clean}\``;
}

const score = (s: number | null | undefined) => (s === null || s === undefined ? '–' : String(s));
const signed = (n: number | null) => (n === null ? '–' : n > 0 ? `+${n}` : n < 0 ? `−${Math.abs(n)}` : '0');
const pct = (r: { count: number; of: number; percent: number | null }) => (r.percent === null ? '–' : `${r.percent} % (${r.count}/${r.of})`);
const ms = (n: number | null) => (n === null ? '–' : n >= 10_000 ? `${(n / 1000).toFixed(0)} s` : n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`);

/** ✗ status differs · ≠ score off by more than the tolerance · ⚠ Seaworthy error · ⊘ not judged (registries) · — not crawled. */
export function cellText(cell: Cell): string {
  if (cell.bucket === 'harness-error') return '—';
  const sw = cell.seaworthy!;
  const statuses = `${cell.label.status}/${sw.status}`;
  const scores = `${score(cell.label.score)}/${score(sw.score)}`;
  if (cell.bucket === 'not-judged-registries') return `⊘ ${statuses}<br>${scores}`;
  const mark = cell.error ? '⚠ ' : !cell.statusAgrees ? '✗ ' : cell.scoreWithinTolerance === false ? '≠ ' : '';
  const shown = cell.disagrees ? `**${statuses}**` : statuses;
  return `${mark}${shown}<br>${scores}`;
}

function statsRow(name: string, s: Stats): string {
  return `| ${name} | ${s.cells} | ${s.compared} | ${pct(s.statusAgreement)} | ${pct(s.scoreWithinTolerance)} | ${signed(s.meanScoreDifference)} | ${s.notApplicable.labelOnly} / ${s.notApplicable.seaworthyOnly} / ${s.notApplicable.both} | ${s.errors} | ${s.notJudgedRegistries} | ${s.harnessErrors} |`;
}

function findingLine(f: { severity: string; message: string; path: string | null; line: number | null }): string {
  const where = f.path ? `${code(`${f.path}${f.line ? `:${f.line}` : ''}`)} ` : '';
  return `  - ${where}${inline(f.message)} (${f.severity})`;
}

function disagreement(cell: Cell): string[] {
  const sw = cell.seaworthy!;
  const diff = cell.scoreDifference === null ? '' : ` (${signed(cell.scoreDifference)})`;
  const what = cell.error ? 'Seaworthy error' : !cell.statusAgrees ? 'status differs' : `scores more than ${SCORE_TOLERANCE} apart`;
  const lines = [
    `### ${cell.check} · ${cell.repo}: label ${cell.label.status} ${score(cell.label.score)}, Seaworthy ${sw.status} ${score(sw.score)}${diff}, ${what}`,
    '',
    `- Label notes: ${inline(cell.label.notes) || '–'}`,
    `- Label evidence:${cell.label.evidence.length === 0 ? ' –' : ''}`,
    ...cell.label.evidence.map((e) => `  - ${inline(e)}`),
    `- Seaworthy (check version ${sw.checkVersion}): ${inline(sw.summary)}`,
    `- Seaworthy's top ${Math.min(sw.findings.length, sw.findingCount)} of ${sw.findingCount} findings:${sw.findings.length === 0 ? ' –' : ''}`,
    ...sw.findings.map(findingLine),
    '',
  ];
  return lines;
}

export function renderMarkdown(report: CalibrationReport): string {
  const { summary } = report;
  const byRepo = new Map<string, Map<string, Cell>>();
  for (const cell of report.cells) (byRepo.get(cell.repo) ?? byRepo.set(cell.repo, new Map()).get(cell.repo)!).set(cell.check, cell);
  const out: string[] = [
    '# Calibration: Seaworthy against expert labels',
    '',
    `Seaworthy ${report.seaworthyVersion} (check versions: ${Object.entries(report.checkVersions).map(([id, v]) => `${id} ${v}`).join(', ')}), ${report.generatedAt}. ` +
      `Registries: ${report.registries === 'offline' ? 'offline (release dates from the registry cache alone; dependency-freshness cells without them are not judged)' : 'live'}, cache ${code(report.registryCache)}. ` +
      `${summary.repositories.total} labelled repositor${summary.repositories.total === 1 ? 'y' : 'ies'}, ${summary.repositories.compared} crawled at their pinned commit.`,
    '',
    `Cells read \`label/Seaworthy\` status, then score. ✗ status differs · ≠ scores more than ${SCORE_TOLERANCE} apart · ⚠ Seaworthy error · ⊘ not judged (registries) · — not crawled (see Harness errors). Disagreements are in bold.`,
    '',
    `| repository | kind | ${report.checks.join(' | ')} |`,
    `|---|---|${report.checks.map(() => '---').join('|')}|`,
  ];
  for (const repo of report.repositories) {
    const cells = byRepo.get(repo.repo) ?? new Map<string, Cell>();
    const kind = repo.kind.seaworthy === null ? `${repo.kind.label}/–` : repo.kind.agrees ? `${repo.kind.label}/${repo.kind.seaworthy}` : `✗ **${repo.kind.label}/${repo.kind.seaworthy}**`;
    out.push(`| ${inline(repo.repo)} | ${kind} | ${report.checks.map((check) => (cells.get(check) ? cellText(cells.get(check)!) : '')).join(' | ')} |`);
  }
  out.push(
    '',
    '## Agreement',
    '',
    `Status agreement is exact (pass, warn, fail, not-applicable; a Seaworthy error never agrees). Scores agree within ±${SCORE_TOLERANCE} where both scored; the signed difference is Seaworthy minus label, so negative means Seaworthy is harsher. Not-applicable confusion counts cells where only the label, only Seaworthy, or both said not-applicable.`,
    '',
    '| check | cells | compared | status agreement | score within ±2 | mean signed score difference | n/a: label only / Seaworthy only / both | Seaworthy errors | not judged: registries | not crawled |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...report.checks.map((check) => statsRow(check, summary.perCheck[check]!)),
    statsRow('**overall**', summary.overall),
    '',
    `Repository kind (label/Seaworthy): ${pct(summary.kind)} agree.`,
    '',
    '## Crawl time and harness',
    '',
    `Per repository, crawler time (snapshot, facts, checks) median ${ms(summary.repositories.repositoryMs.median)}, max ${ms(summary.repositories.repositoryMs.max)}; whole crawl process median ${ms(summary.repositories.processMs.median)}, total ${ms(summary.repositories.processMs.total)}.`,
    '',
    '| repository | pinned commit | judged commit | crawler | process | exit | packages undated | harness |',
    '|---|---|---|---|---|---|---|---|',
    ...report.repositories.map((r) => {
      const judged = r.judgedCommit === null ? '–' : r.judgedCommit === r.commit ? 'same' : `**${r.judgedCommit.slice(0, 12)}**`;
      const harness = r.harnessError ? `**${inline(r.harnessError)}**` : r.warnings.length > 0 ? r.warnings.map(inline).join('; ') : 'ok';
      return `| ${inline(r.repo)} | ${r.commit.slice(0, 12)} (${r.commitDate}) | ${judged} | ${ms(r.crawl.repositoryMs)} | ${ms(r.crawl.processMs)} | ${r.crawl.exitCode ?? '–'} | ${r.crawl.registries ? `${r.crawl.registries.undated} of ${r.crawl.registries.lookups}` : '–'} | ${harness} |`;
    }),
    '',
  );
  const crashed = report.cells.filter((c) => c.error);
  out.push('## Crashes and errors', '');
  const failedRepos = report.repositories.filter((r) => r.harnessError);
  if (failedRepos.length === 0 && crashed.length === 0 && report.unreadableLabels.length === 0) out.push('None: every labelled repository was crawled at its pinned commit and no check returned an error.', '');
  for (const r of failedRepos) out.push(`- ${inline(r.repo)}: not compared: ${inline(r.harnessError!)}`);
  for (const c of crashed) out.push(`- ${inline(c.repo)} · ${c.check}: Seaworthy error: ${inline(c.seaworthy!.summary)}`);
  for (const u of report.unreadableLabels) out.push(`- label ${code(u.file)} could not be read:`, ...u.problems.map((p) => `  - ${inline(p)}`));
  if (failedRepos.length + crashed.length + report.unreadableLabels.length > 0) out.push('');

  // Never counted as agreement: each cell left out for want of trustworthy release dates, with Seaworthy's reason.
  const notJudged = report.cells.filter((c) => c.bucket === 'not-judged-registries');
  if (notJudged.length > 0) {
    out.push('## Not judged (release dates)', '', `${notJudged.length} cell${notJudged.length === 1 ? '' : 's'} left out of the agreement: the label or Seaworthy could not judge drift.`, '');
    for (const c of notJudged) out.push(`- ${inline(c.repo)} · ${c.check}: label ${c.label.status}${c.label.score === null ? '' : ` ${c.label.score}`}; ${inline(c.reason ?? '')}`);
    out.push('');
  }

  out.push('## Disagreements', '');
  const kindDisagreements = report.repositories.filter((r) => r.kind.agrees === false);
  for (const r of kindDisagreements) {
    out.push(`### kind · ${inline(r.repo)}: label ${r.kind.label}, Seaworthy ${r.kind.seaworthy} (from ${r.kind.source})`, '', `- Seaworthy's evidence: ${r.kind.evidence.length === 0 ? '–' : r.kind.evidence.map(inline).join('; ')}`, '');
  }
  const disagreeing = report.cells.filter((c) => c.bucket === 'compared' && c.disagrees);
  const order = new Map(report.checks.map((c, i) => [c, i]));
  disagreeing.sort((a, b) => order.get(a.check)! - order.get(b.check)! || (a.repo < b.repo ? -1 : a.repo > b.repo ? 1 : 0));
  for (const cell of disagreeing) out.push(...disagreement(cell));
  if (disagreeing.length === 0 && kindDisagreements.length === 0) out.push('None.', '');
  return out.join('\n');
}
