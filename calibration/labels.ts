// Expert label files (calibration/RUBRIC.md): one YAML file per repository, validated with the
// configuration loader's errors (file:line: path: what is wrong, with an example).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { REPO_KINDS } from '../checks/contract.ts';
import { validateYaml } from '../crawler/config.ts';

/** The six practices RUBRIC.md asks labellers to judge, in the order the report shows them. */
export const LABELLED_CHECKS = ['runbooks', 'rollback-plan', 'separated-migrations', 'dependency-freshness', 'stale-flags', 'cost-tags'] as const;
export type LabelledCheck = (typeof LABELLED_CHECKS)[number];

export const LABEL_STATUSES = ['pass', 'warn', 'fail', 'not-applicable', 'unknown'] as const;
export type LabelStatus = (typeof LABEL_STATUSES)[number];

/** Only release dates need registries, which labellers do not have: elsewhere "I could not tell" goes in the notes. */
const UNKNOWN_ALLOWED: readonly LabelledCheck[] = ['dependency-freshness'];

const REPO_NAME = /^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/;

const score = z
  .number()
  .min(0)
  .max(10)
  // Labels round "as you would explain it to the team": a whole number or one decimal, never 6.666.
  .refine((s) => Math.abs(Math.round(s * 10) - s * 10) < 1e-9, 'must be a whole number or have one decimal, e.g. 6 or 6.5')
  .nullable()
  .meta({ description: '0–10, null when not-applicable (or unknown).', examples: [6] });

function checkEntry(check: LabelledCheck) {
  const statuses = UNKNOWN_ALLOWED.includes(check) ? LABEL_STATUSES : LABEL_STATUSES.filter((s) => s !== 'unknown');
  return z
    .object({
      status: z.enum(statuses as [LabelStatus, ...LabelStatus[]]).meta({ examples: ['warn'] }),
      score,
      evidence: z.array(z.string().min(1)).meta({ description: 'Paths with line numbers, commit shas where history matters.', examples: [['deploy/prometheus/rules.yaml:12-80 define 9 alerts, 3 with a runbook link']] }),
      notes: z.string().meta({ examples: ['short reasoning'] }),
    })
    .strict()
    .superRefine((entry, ctx) => {
      const unscored = entry.status === 'not-applicable' || entry.status === 'unknown';
      if (unscored && entry.score !== null) ctx.addIssue({ code: 'custom', path: ['score'], message: `a ${entry.status} practice has no score: write "score: null"` });
      if (!unscored && entry.score === null) ctx.addIssue({ code: 'custom', path: ['score'], message: `score null means not-applicable${UNKNOWN_ALLOWED.includes(check) ? ' or unknown' : ''}; give a ${entry.status} practice a score from 0 to 10` });
    })
    .meta({ examples: [{ status: 'warn', score: 4, evidence: ['deploy/prometheus/rules.yaml:12-80 define 9 alerts, 3 with a runbook link'], notes: 'short reasoning' }] });
}

export const labelSchema = z
  .object({
    repo: z.string().regex(REPO_NAME, 'must be "owner/name" as on GitHub').meta({ examples: ['owner/name'] }),
    commit: z.string().regex(/^[0-9a-f]{40}$/, 'must be the full 40-character lower-case commit sha').meta({ examples: ['0123456789abcdef0123456789abcdef01234567'] }),
    commit_date: z.iso.datetime({ offset: true, error: 'must be the committer date with its offset, as "git log -1 --format=%cI" prints it' }).meta({ examples: ['2026-08-21T15:08:06+02:00'] }),
    default_branch: z.string().min(1).meta({ examples: ['main'] }),
    kind: z.enum(REPO_KINDS).meta({ examples: ['service'] }),
    kind_notes: z.string().meta({ examples: ['Rails app deployed by its owners with Helm (charts/app)'] }),
    checks: z
      .object(Object.fromEntries(LABELLED_CHECKS.map((id) => [id, checkEntry(id)])) as { [K in LabelledCheck]: ReturnType<typeof checkEntry> })
      .strict()
      .meta({ description: `Every practice gets an entry: ${LABELLED_CHECKS.join(', ')}.` }),
    traps: z.array(z.string().min(1)).meta({ examples: [['charts/test/values.yaml looks like production config but only feeds chart tests']] }),
    labelled_by: z.string().min(1).meta({ examples: ['helper (never saw check code), 2026-12-07'] }),
  })
  .strict();

export type Label = z.output<typeof labelSchema>;
export type LabelCheck = Label['checks'][LabelledCheck];

export class LabelError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join('\n'));
    this.name = 'LabelError';
    this.problems = problems;
  }
}

/** `owner/name` → `owner__name`, the file (and clone) name RUBRIC.md asks for. */
export function labelFileStem(repo: string): string {
  return repo.replace('/', '__');
}

/** Parses one label file; `fileName` is shown in errors and must be `<owner>__<name>.yaml`. */
export function parseLabel(text: string, fileName: string): Label {
  const validated = validateYaml(labelSchema, text, fileName);
  if (!validated.ok) throw new LabelError(validated.problems);
  const stem = path.basename(fileName).replace(/\.ya?ml$/, '');
  if (stem !== labelFileStem(validated.data.repo)) {
    const line = text.split('\n').findIndex((l) => /^repo\s*:/.test(l)) + 1;
    throw new LabelError([`${fileName}${line > 0 ? `:${line}` : ''}: repo: the file is named for "${stem}" but describes ${validated.data.repo}; name it ${labelFileStem(validated.data.repo)}.yaml`]);
  }
  return validated.data;
}

export interface LoadedLabel {
  file: string;
  label: Label;
}

export interface UnreadableLabel {
  file: string;
  problems: string[];
}

/** Every `*.yaml`/`*.yml` in `dir`, sorted by name; files that do not parse are returned with their problems, not thrown. */
export function loadLabels(dir: string): { labels: LoadedLabel[]; unreadable: UnreadableLabel[] } {
  const files = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => e.name)
    .sort();
  const labels: LoadedLabel[] = [];
  const unreadable: UnreadableLabel[] = [];
  const seen = new Map<string, string>();
  for (const name of files) {
    const file = path.join(dir, name);
    try {
      const label = parseLabel(readFileSync(file, 'utf8'), name);
      const first = seen.get(label.repo.toLowerCase());
      if (first) {
        unreadable.push({ file, problems: [`${name}: ${label.repo} is already labelled in ${first}; keep one file per repository`] });
        continue;
      }
      seen.set(label.repo.toLowerCase(), name);
      labels.push({ file, label });
    } catch (error) {
      if (!(error instanceof LabelError)) throw error;
      unreadable.push({ file, problems: error.problems });
    }
  }
  return { labels, unreadable };
}
