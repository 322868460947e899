// Declarative checks: a check.yaml in a plugin folder, no code. Each rule is one of five kinds
// (a file exists, does not exist, contains, does not contain, a JSON/YAML path has a value); the
// score is the share of applicable rules met. The YAML is validated like the configuration (file,
// line, what is wrong, an example), and its regular expressions run in linear time.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { LineCounter, parseAllDocuments } from 'yaml';
import { parse as parseJsonc, type ParseError } from 'jsonc-parser';
import { z } from 'zod';
import { SEVERITIES, defineCheck, roundScore, statusFromScore, type CheckDefinition, type CheckOutcome, type Finding, type RepoSnapshot } from '../../checks/contract.ts';
import { ConfigError, validateYaml } from '../config.ts';
import { linearRegExp } from './linear-regex.ts';

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const globs = z.array(z.string().min(1)).min(1).meta({ description: 'Path globs (picomatch, case-insensitive, dot files included), from the repository root.', examples: [['SECURITY.md', '.github/SECURITY.md']] });
const pattern = z.string().min(1).max(1000).meta({ description: 'A regular expression (JavaScript syntax, run in linear time: no back-references or lookaround). `^` and `$` match at line ends.', examples: ['^HEALTHCHECK\\s'] });
const ifNoFile = z.enum(['not-applicable', 'fail']).default('not-applicable').meta({ description: 'When no file matches `files`: the rule does not count (not-applicable, the default) or is not met (fail).' });

const contains = z.object({ files: globs, pattern, ignoreCase: z.boolean().default(false), ifNoFile }).strict();
const notContains = z.object({ files: globs, pattern, ignoreCase: z.boolean().default(false) }).strict();
const valuePath = z
  .string()
  .regex(/^[^.[\]]+(\[(\*|\d+)\])*(\.[^.[\]]+(\[(\*|\d+)\])*)*$/, 'must be keys separated by dots, each optionally followed by [*] (every element) or [n], e.g. spec.template.spec.containers[*].readinessProbe')
  .meta({ examples: ['spec.template.spec.containers[*].readinessProbe'] });
const valueAt = z
  .object({
    files: globs,
    path: valuePath,
    exists: z.boolean().optional().meta({ description: 'The path must be present (the default test when neither equals nor matches is given).' }),
    equals: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional().meta({ description: 'The value must equal this.' }),
    matches: pattern.optional(),
    documents: z
      .object({ path: valuePath, in: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1) })
      .strict()
      .optional()
      .meta({ description: 'Only documents whose value at `path` is one of `in` are judged (YAML files may hold several documents).', examples: [{ path: 'kind', in: ['Deployment', 'StatefulSet'] }] }),
    ifNoFile,
  })
  .strict()
  .refine((v) => [v.equals !== undefined, v.matches !== undefined, v.exists === true].filter(Boolean).length <= 1, 'give at most one of exists, equals or matches');

const KINDS = ['fileExists', 'fileNotExists', 'fileContains', 'fileNotContains', 'valueAt'] as const;

const rule = z
  .object({
    id: z.string().regex(KEBAB, 'must be kebab-case, e.g. missing-security-policy').meta({ description: 'The rule name; its stable id is <check id>/<rule name>.', examples: ['missing-security-policy'] }),
    title: z.string().min(1).max(120).meta({ description: 'What is wrong, shortly: the heading of its How to fix subsection.', examples: ['No security policy'] }),
    severity: z.enum(SEVERITIES),
    message: z.string().min(1).meta({ description: 'The finding\'s message.', examples: ['no SECURITY.md says how to report a vulnerability'] }),
    fix: z.string().min(20, 'say concretely how to fix it (at least 20 characters)').meta({ description: 'How to fix it (Markdown): shown on the check page and in SARIF help.' }),
    fileExists: globs.optional().meta({ description: 'Met when at least one file matches.' }),
    fileNotExists: globs.optional().meta({ description: 'Met when no file matches; each match is a finding.' }),
    fileContains: contains.optional().meta({ description: 'Met when every file matching `files` contains `pattern`.' }),
    fileNotContains: notContains.optional().meta({ description: 'Met when no file matching `files` contains `pattern`; each match is a finding at its line.' }),
    valueAt: valueAt.optional().meta({ description: 'Met when, in every JSON or YAML document of the files (filtered by `documents`), the value at `path` passes the test.' }),
  })
  .strict()
  .refine((r) => KINDS.filter((k) => r[k] !== undefined).length === 1, `give exactly one of ${KINDS.join(', ')}`);

export const declarativeSchema = z
  .object({
    id: z.string().regex(KEBAB, 'must be kebab-case, equal to the folder name').meta({ examples: ['security-policy'] }),
    title: z.string().min(1).meta({ examples: ['Security policy'] }),
    description: z.string().min(1).meta({ description: 'One or two sentences: what good looks like.', examples: ['Every repository says how to report a vulnerability.'] }),
    why: z.string().min(1).optional().meta({ description: 'Why it matters (Markdown) for the check page; the description is used when omitted.' }),
    category: z.enum(['operability', 'delivery', 'maintenance', 'cost']).default('operability'),
    weight: z.number().min(0).max(100).default(1),
    version: z.int().min(1).default(1).meta({ description: 'Bump it when the rules change, so stored results can be told apart.' }),
    passAt: z.number().min(0).max(10).default(10).meta({ description: 'Score (10 × share of rules met) at or above which the check passes; configurable per organisation as checks.<id>.thresholds.passAt.' }),
    warnAt: z.number().min(0).max(10).default(5),
    rules: z.array(rule).min(1),
  })
  .strict()
  .refine((c) => new Set(c.rules.map((r) => r.id)).size === c.rules.length, 'rule ids must be unique');

export type DeclarativeCheck = z.output<typeof declarativeSchema>;
type Rule = DeclarativeCheck['rules'][number];

/** What a rule found in one repository: not applicable, or met/unmet with findings. */
type RuleVerdict = { applicable: false } | { applicable: true; met: boolean; findings: Finding[] };

const matcher = (patterns: readonly string[]) => picomatch([...patterns], { nocase: true, dot: true });

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function textOf(snapshot: RepoSnapshot, file: string): string | undefined {
  const read = snapshot.read(file);
  return read.ok ? read.text : undefined;
}

type Step = { key: string } | { index: number } | { every: true };

function parsePath(text: string): Step[] {
  const steps: Step[] = [];
  for (const part of text.split('.')) {
    const m = /^([^[]+)((?:\[(?:\*|\d+)\])*)$/.exec(part)!;
    steps.push({ key: m[1]! });
    for (const b of m[2]!.matchAll(/\[(\*|\d+)\]/g)) steps.push(b[1] === '*' ? { every: true } : { index: Number(b[1]) });
  }
  return steps;
}

const MISSING = Symbol('missing');

/** Every value the path reaches; `[*]` fans out over each element, a missing step yields MISSING. */
function valuesAt(value: unknown, steps: readonly Step[]): unknown[] {
  if (steps.length === 0) return [value];
  const [step, ...rest] = steps as [Step, ...Step[]];
  if (value === MISSING || value === null || typeof value !== 'object') return [MISSING];
  if ('every' in step) return Array.isArray(value) ? value.flatMap((v) => valuesAt(v, rest)) : [MISSING];
  if ('index' in step) return Array.isArray(value) && step.index < value.length ? valuesAt(value[step.index], rest) : [MISSING];
  return Object.hasOwn(value, step.key) ? valuesAt((value as Record<string, unknown>)[step.key], rest) : [MISSING];
}

/** The documents of a JSON or YAML file with the line each starts on; undefined when it cannot be parsed. */
function documentsOf(file: string, text: string): { value: unknown; line: number }[] | undefined {
  if (/\.json5?$|\.jsonc$/i.test(file)) {
    const errors: ParseError[] = [];
    const value = parseJsonc(text, errors, { allowTrailingComma: true });
    return errors.length > 0 ? undefined : [{ value, line: 1 }];
  }
  const counter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: counter, logLevel: 'error' });
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return undefined;
  return docs.map((d) => ({ value: d.toJS({ maxAliasCount: 100 }), line: d.contents?.range ? counter.linePos(d.contents.range[0]).line : 1 }));
}

interface CompiledRule {
  rule: Rule;
  reads: string[];
  judge(snapshot: RepoSnapshot): RuleVerdict;
}

function compileRule(rule: Rule): CompiledRule {
  const finding = (extra: { path?: string; line?: number; detail?: string } = {}): Finding => ({
    rule: rule.id,
    severity: rule.severity,
    message: extra.detail ? `${rule.message} (${extra.detail})` : rule.message,
    ...(extra.path !== undefined ? { path: extra.path } : {}),
    ...(extra.line !== undefined ? { line: extra.line } : {}),
  });
  const filesMatching = (snapshot: RepoSnapshot, globs: readonly string[]) => {
    const match = matcher(globs);
    return snapshot.files.filter((f) => f.kind === 'file' && match(f.path)).map((f) => f.path);
  };
  if (rule.fileExists) {
    const globs = rule.fileExists;
    return { rule, reads: [], judge: (s) => (filesMatching(s, globs).length > 0 ? { applicable: true, met: true, findings: [] } : { applicable: true, met: false, findings: [finding()] }) };
  }
  if (rule.fileNotExists) {
    const globs = rule.fileNotExists;
    return {
      rule,
      reads: [],
      judge: (s) => {
        const found = filesMatching(s, globs);
        return { applicable: true, met: found.length === 0, findings: found.map((p) => finding({ path: p })) };
      },
    };
  }
  if (rule.fileContains || rule.fileNotContains) {
    const spec = (rule.fileContains ?? rule.fileNotContains)!;
    // The linear-time engine has no `i` flag: with ignoreCase the text is lower-cased instead, so the
    // pattern must be written in lower case (escapes such as \S aside).
    if (spec.ignoreCase && /[A-Z]/.test(spec.pattern.replace(/\\./g, ''))) throw new Error(`with ignoreCase: true, write the pattern in lower case (the file's text is lower-cased before matching): ${JSON.stringify(spec.pattern)}`);
    const regex = linearRegExp(spec.pattern, 'm');
    const wanted = rule.fileContains !== undefined;
    return {
      rule,
      reads: spec.files,
      judge: (s) => {
        const files = filesMatching(s, spec.files);
        if (files.length === 0) return rule.fileContains?.ifNoFile === 'fail' ? { applicable: true, met: false, findings: [finding({ detail: `no file matches ${spec.files.join(', ')}` })] } : { applicable: false };
        const findings: Finding[] = [];
        for (const file of files) {
          const original = textOf(s, file);
          if (original === undefined) continue;
          const text = spec.ignoreCase ? original.toLowerCase() : original;
          const hit = regex.exec(text);
          if (wanted && !hit) findings.push(finding({ path: file }));
          if (!wanted && hit) findings.push(finding({ path: file, line: lineAt(text, hit.index) }));
        }
        return { applicable: true, met: findings.length === 0, findings };
      },
    };
  }
  const spec = rule.valueAt!;
  const steps = parsePath(spec.path);
  const filter = spec.documents && { steps: parsePath(spec.documents.path), in: spec.documents.in };
  const regex = spec.matches !== undefined ? linearRegExp(spec.matches, '') : undefined;
  const passes = (v: unknown) => {
    if (v === MISSING) return false;
    if (spec.equals !== undefined) return v === spec.equals;
    if (regex) return (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && regex.test(String(v));
    return true;
  };
  return {
    rule,
    reads: spec.files,
    judge: (s) => {
      const findings: Finding[] = [];
      let judged = 0;
      for (const file of filesMatching(s, spec.files)) {
        const text = textOf(s, file);
        if (text === undefined) continue;
        const docs = documentsOf(file, text);
        if (!docs) {
          judged++;
          findings.push(finding({ path: file, detail: 'the file could not be parsed as JSON or YAML' }));
          continue;
        }
        for (const doc of docs) {
          if (filter && !valuesAt(doc.value, filter.steps).some((v) => filter.in.includes(v as string | number | boolean))) continue;
          judged++;
          const values = valuesAt(doc.value, steps);
          if (values.length === 0 || !values.every(passes)) findings.push(finding({ path: file, line: doc.line }));
        }
      }
      if (judged === 0) return spec.ifNoFile === 'fail' ? { applicable: true, met: false, findings: [finding({ detail: `no document matches in ${spec.files.join(', ')}` })] } : { applicable: false };
      return { applicable: true, met: findings.length === 0, findings };
    },
  };
}

const thresholdsFor = (c: DeclarativeCheck) =>
  z
    .object({
      passAt: z.number().min(0).max(10).default(c.passAt),
      warnAt: z.number().min(0).max(10).default(c.warnAt),
    })
    .strict();

/** Builds the check a check.yaml describes; throws ConfigError naming the file and line of a mistake. */
export function declarativeCheck(text: string, file: string): CheckDefinition<{ passAt: number; warnAt: number }> {
  const validated = validateYaml(declarativeSchema, text, file);
  if (!validated.ok) throw new ConfigError(validated.problems.join('\n'));
  const spec = validated.data;
  const compiled = spec.rules.map((r, index) => {
    try {
      return compileRule(r);
    } catch (error) {
      throw new ConfigError(`${file}: rules[${index}] (${r.id}): ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  const reads = [...new Set(compiled.flatMap((c) => c.reads))];
  return defineCheck({
    id: spec.id,
    meta: {
      title: spec.title,
      description: spec.description,
      category: spec.category,
      weight: spec.weight,
      version: spec.version,
      reads,
      options: thresholdsFor(spec),
      rules: Object.fromEntries(spec.rules.map((r) => [r.id, { title: r.title }])),
    },
    run(snapshot, ctx): CheckOutcome {
      const verdicts = compiled.map((c) => ({ rule: c.rule, verdict: c.judge(snapshot) }));
      const applicable = verdicts.filter((v): v is { rule: Rule; verdict: Extract<RuleVerdict, { applicable: true }> } => v.verdict.applicable);
      if (applicable.length === 0) return { status: 'not-applicable', score: null, summary: 'none of the rules applies to this repository (no matching files)', findings: [] };
      const met = applicable.filter((v) => v.verdict.met);
      const score = roundScore((10 * met.length) / applicable.length);
      const unmet = applicable.filter((v) => !v.verdict.met).map((v) => v.rule.title);
      return {
        status: statusFromScore(score, ctx.options),
        score,
        summary: `${met.length} of ${applicable.length} rules met${unmet.length > 0 ? `; not met: ${unmet.join(', ')}` : ''}`,
        findings: applicable.flatMap((v) => v.verdict.findings),
      };
    },
  });
}

export function loadDeclarativeCheck(file: string): CheckDefinition<{ passAt: number; warnAt: number }> {
  return declarativeCheck(readFileSync(file, 'utf8'), file);
}

function describeRule(r: Rule): string {
  const list = (g: readonly string[]) => g.map((x) => `\`${x}\``).join(', ');
  if (r.fileExists) return `a file matching ${list(r.fileExists)} exists`;
  if (r.fileNotExists) return `no file matches ${list(r.fileNotExists)}`;
  if (r.fileContains) return `every file matching ${list(r.fileContains.files)} contains \`${r.fileContains.pattern}\``;
  if (r.fileNotContains) return `no file matching ${list(r.fileNotContains.files)} contains \`${r.fileNotContains.pattern}\``;
  const v = r.valueAt!;
  const test = v.equals !== undefined ? `equals \`${JSON.stringify(v.equals)}\`` : v.matches !== undefined ? `matches \`${v.matches}\`` : 'is present';
  return `in ${list(v.files)}${v.documents ? ` (documents whose \`${v.documents.path}\` is ${v.documents.in.map((x) => `\`${String(x)}\``).join(' or ')})` : ''}, \`${v.path}\` ${test}`;
}

/** The check page of a declarative check, made from its YAML: the three sections every check has. */
export function declarativeReadme(text: string, file: string): string {
  const validated = validateYaml(declarativeSchema, text, file);
  if (!validated.ok) throw new ConfigError(validated.problems.join('\n'));
  const c = validated.data;
  return [
    `# ${c.title}`,
    '',
    c.description,
    '',
    '## What it checks',
    '',
    `A declarative check of this organisation (\`${path.basename(path.dirname(file))}/check.yaml\`). The score is 10 × the share of applicable rules met; it passes at ${c.passAt} and warns from ${c.warnAt}.`,
    '',
    ...c.rules.map((r) => `- **${r.title}** (\`${c.id}/${r.id}\`, ${r.severity}): met when ${describeRule(r)}.`),
    '',
    '## Why it matters',
    '',
    c.why ?? c.description,
    '',
    '## How to fix',
    '',
    ...c.rules.flatMap((r) => [`<h3 id="rule-${r.id}">${r.title.replace(/[<>&]/g, (ch) => `&#${ch.charCodeAt(0)};`)}</h3>`, '', r.fix.trim(), '']),
  ].join('\n');
}
