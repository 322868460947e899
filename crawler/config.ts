// seaworthy.config.yaml: one zod schema, composed with each check's own options schema.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, isNode, stringify as stringifyYaml, type Document } from 'yaml';
import { z } from 'zod';
import { REPO_KINDS } from '../checks/contract.ts';
import { CHECKS } from '../checks/registry.ts';
import { DEFAULT_LEVELS } from '../data/levels.ts';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const globList = z.array(z.string().min(1)).min(1);

const localSource = z
  .object({
    type: z.literal('local'),
    paths: globList.meta({ description: 'Directories or globs of git repositories, relative to this file.', examples: [['../repos/*', '/srv/git/payments-api']] }),
    owner: z.string().min(1).optional().meta({ description: 'Owner shown for these repositories (default: the parent directory name).', examples: ['acme'] }),
    webUrl: z
      .string()
      .regex(/^https?:\/\/\S+$/, 'must be an http(s) URL template')
      .optional()
      .meta({ description: 'Web URL of each repository, used to link findings to files. {name} and {owner} are replaced.', examples: ['https://github.com/acme/{name}'] }),
  })
  .strict()
  .meta({ examples: [{ type: 'local', paths: ['../repos/*'] }] });

const team = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes').meta({ examples: ['payments'] }),
    displayName: z.string().min(1).meta({ examples: ['Payments'] }),
    repos: globList.meta({ description: 'Repository names or globs (matched against "name" and "owner/name").', examples: [['payments-*', 'ledger']] }),
    // Rendered as a link on the site: only schemes that cannot run script.
    contact: z
      .url({ protocol: /^(https?|mailto)$/, error: 'must be an http(s) or mailto: URL' })
      .optional()
      .meta({ description: 'Where to reach the team (http, https or mailto).', examples: ['https://chat.example.com/channels/payments'] }),
  })
  .strict()
  .meta({ examples: [{ name: 'payments', displayName: 'Payments', repos: ['payments-*'], contact: 'https://chat.example.com/payments' }] });

const checkIds = CHECKS.map((c) => c.id) as [string, ...string[]];

function checkSettings(check: (typeof CHECKS)[number]) {
  return z
    .object({
      enabled: z.boolean().default(true),
      weight: z.number().min(0).max(100).default(check.meta.weight).meta({ examples: [check.meta.weight] }),
      thresholds: (check.meta.options as z.ZodType).prefault({}),
    })
    .strict()
    .prefault({});
}

const minimumScore = z.number().min(0).max(10);

const level = z
  .object({
    name: z.string().min(1).max(40).meta({ examples: ['Silver'] }),
    description: z.string().optional().meta({ description: 'Shown beside the level on the site.' }),
    everyCheck: minimumScore.optional().meta({ description: 'Minimum score of every check judged for the repository.', examples: [6] }),
    checks: z
      .object(Object.fromEntries(CHECKS.map((c) => [c.id, minimumScore.optional()])))
      .strict()
      .optional()
      .meta({ description: 'Minimum score per check id; overrides everyCheck for that check.', examples: [{ [CHECKS[0].id]: 8 }] }),
  })
  .strict()
  .refine((l) => l.everyCheck !== undefined || Object.values(l.checks ?? {}).some((v) => v !== undefined), 'give "everyCheck" or at least one entry under "checks"')
  .meta({ examples: [{ name: 'Silver', everyCheck: 6, checks: { [CHECKS[0].id]: 8 } }] });

export const configSchema = z
  .object({
    $schema: z.string().optional(),
    database: z.string().min(1).default('data/seaworthy.db').meta({ description: 'SQLite file, relative to this file.', examples: ['data/seaworthy.db'] }),
    site: z
      .object({
        title: z.string().min(1).default('Seaworthy'),
        base: z.string().regex(/^\//, 'must start with "/"').default('/').meta({ description: 'Base path the site is served under.', examples: ['/scorecards/'] }),
        outDir: z.string().min(1).default('dist'),
      })
      .strict()
      .prefault({}),
    sources: z.array(z.discriminatedUnion('type', [localSource])).min(1).meta({ examples: [[{ type: 'local', paths: ['../repos/*'] }]] }),
    teams: z.array(team).default([]),
    checks: z
      .object(Object.fromEntries(CHECKS.map((c) => [c.id, checkSettings(c)])))
      .strict()
      .prefault({})
      .meta({ description: `Per-check settings. Known checks: ${checkIds.join(', ')}.`, examples: [{ runbooks: { weight: 2, thresholds: { passAt: 8 } } }] }),
    exemptions: z
      .array(
        z
          .object({
            repo: z.string().min(1).meta({ examples: ['legacy-batch'] }),
            check: z.enum(checkIds).meta({ examples: [checkIds[0]] }),
            reason: z.string().min(10, 'give a reason of at least 10 characters, so readers know why').meta({ examples: ['Decommissioned in Q1; no production traffic.'] }),
            expires: z.iso.date().meta({ description: 'YYYY-MM-DD; after it the waiver stops applying.', examples: ['2027-03-31'] }),
          })
          .strict(),
      )
      .default([]),
    levels: z
      .array(level)
      .default(DEFAULT_LEVELS)
      .meta({
        description:
          'Levels, lowest first; each is cumulative (a repository reaches a level when it meets it and every level below). Not-applicable counts as met; waived and error never do.',
      }),
    repoKinds: z
      .array(
        z
          .object({
            repo: z.string().min(1),
            kind: z.enum(REPO_KINDS),
          })
          .strict()
          .meta({ examples: [{ repo: 'docs-*', kind: 'other' }] }),
      )
      .default([])
      .meta({ description: 'Override the detected kind of repositories (service, infrastructure, library, other).' }),
    crawl: z
      .object({
        concurrency: z.int().min(1).max(32).default(4),
        maxFileBytes: z.int().min(1024).default(1_048_576).meta({ description: 'Files larger than this are not read.' }),
        historyLimit: z.int().min(1).default(1000).meta({ description: 'Commits of history read per repository.' }),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type SeaworthyConfig = z.output<typeof configSchema> & { configDir: string; configPath: string };

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Walks the schema along an issue path to find the nearest example to show. */
function exampleFor(issuePath: readonly PropertyKey[]): { at: string; example: unknown } | undefined {
  let schema: z.ZodType | undefined = configSchema;
  let best: { at: string; example: unknown } | undefined;
  const walked: string[] = [];
  const note = (s: z.ZodType | undefined) => {
    const meta = s ? z.globalRegistry.get(s) : undefined;
    if (meta?.examples && Array.isArray(meta.examples) && meta.examples.length > 0) best = { at: walked.join('.'), example: meta.examples[0] };
  };
  for (const key of issuePath) {
    note(schema);
    if (!schema) break;
    schema = unwrap(schema);
    if (schema instanceof z.ZodObject) schema = (schema.shape as Record<string, z.ZodType>)[String(key)];
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else if (schema instanceof z.ZodDiscriminatedUnion) schema = schema.options[0] as z.ZodType;
    else schema = undefined;
    walked.push(String(key));
  }
  note(schema);
  return best;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  while (current instanceof z.ZodDefault || current instanceof z.ZodPrefault || current instanceof z.ZodOptional) current = current.unwrap() as z.ZodType;
  if (current instanceof z.ZodDiscriminatedUnion) current = current.options[0] as z.ZodType;
  return current;
}

function formatPath(issuePath: readonly PropertyKey[]): string {
  return issuePath.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join('') || '(top level)';
}

function lineOf(doc: Document, counter: LineCounter, issuePath: readonly PropertyKey[]): number | undefined {
  for (let depth = issuePath.length; depth >= 0; depth--) {
    const node = doc.getIn(issuePath.slice(0, depth) as unknown[], true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}

function exampleYaml(value: unknown, key: string): string {
  return stringifyYaml(key ? { [key]: value } : value);
}


function formatIssue(issue: z.core.$ZodIssue, raw: unknown, doc: Document, counter: LineCounter, file: string): string {
  const where = formatPath(issue.path);
  const line = lineOf(doc, counter, issue.path);
  let actual: unknown = raw;
  for (const key of issue.path) actual = actual && typeof actual === 'object' ? (actual as Record<PropertyKey, unknown>)[key] : undefined;
  let message = issue.message;
  if (issue.code === 'invalid_type') message = `expected ${issue.expected}, got ${describeValue(actual)}`;
  if (issue.code === 'unrecognized_keys') message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_value' && 'values' in issue) message = `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(actual)}`;
  const lines = [`${file}${line ? `:${line}` : ''}: ${where}: ${message}`];
  const example = exampleFor(issue.path);
  if (example) {
    const key = example.at.split('.').pop() ?? '';
    const shown = exampleYaml(example.example, /^\d+$/.test(key) ? '' : key).trimEnd();
    lines.push(`  example${example.at ? ` for ${example.at}` : ''}:`, ...shown.split('\n').map((l) => `    ${l}`));
  }
  return lines.join('\n');
}

export function parseConfig(text: string, configPath: string): SeaworthyConfig {
  const file = path.basename(configPath);
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => `${file}: YAML syntax error: ${e.message}`).join('\n'));
  }
  const raw = doc.toJS() ?? {};
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const messages = parsed.error.issues.map((issue) => formatIssue(issue, raw, doc, counter, file));
    throw new ConfigError(`${messages.join('\n')}\n\nFix the configuration and run again (schema: seaworthy.config.schema.json).`);
  }
  const levelNames = new Set<string>();
  for (const [index, l] of parsed.data.levels.entries()) {
    if (levelNames.has(l.name.toLowerCase())) throw new ConfigError(`${file}: levels[${index}].name: level "${l.name}" is defined twice; level names must be unique.`);
    levelNames.add(l.name.toLowerCase());
  }
  const names = new Set<string>();
  for (const [index, t] of parsed.data.teams.entries()) {
    if (names.has(t.name)) throw new ConfigError(`${file}: teams[${index}].name: team "${t.name}" is defined twice; team names must be unique.`);
    names.add(t.name);
  }
  return { ...parsed.data, configDir: path.dirname(path.resolve(configPath)), configPath: path.resolve(configPath) };
}

export function loadConfig(configPath: string): SeaworthyConfig {
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT'
        ? `no configuration at ${configPath}. Create seaworthy.config.yaml (see README "Configuration") or pass --config <file>.`
        : `cannot read ${configPath}: ${(error as Error).message}`,
    );
  }
  return parseConfig(text, configPath);
}

export function configJsonSchema(): unknown {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' });
}
