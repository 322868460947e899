// Update bots: is Renovate or Dependabot configured, valid, switched on, and covering each lockfile?
import { createHash } from 'node:crypto';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { findNodeAtLocation, parseTree, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import JSON5 from 'json5';
import picomatch from 'picomatch';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { Finding, RepoSnapshot, SchemaFact } from '../contract.ts';
import type { Rule } from './rules.ts';
import { asRecord, clip, dirOf, errorText, yamlKeyLine, type DependencySource, type SourceFormat } from './model.ts';
import { lineIndex } from '../shared/text.ts';

/** Where Renovate looks for its configuration, in the order it looks; it uses the first one it finds. */
export const RENOVATE_LOCATIONS = [
  'renovate.json',
  'renovate.jsonc',
  'renovate.json5',
  '.github/renovate.json',
  '.github/renovate.jsonc',
  '.github/renovate.json5',
  '.gitlab/renovate.json',
  '.gitlab/renovate.jsonc',
  '.gitlab/renovate.json5',
  '.renovaterc',
  '.renovaterc.json',
  '.renovaterc.jsonc',
  '.renovaterc.json5',
  'package.json',
];
export const DEPENDABOT_LOCATIONS = ['.github/dependabot.yml', '.github/dependabot.yaml'];
export const BOT_READS = [...RENOVATE_LOCATIONS, ...DEPENDABOT_LOCATIONS];

/** Renovate's manager for each format; requirements files only where its default file pattern matches. */
const RENOVATE_MANAGER: Record<SourceFormat, string> = {
  'package-lock': 'npm',
  yarn: 'npm',
  pnpm: 'npm',
  'package.json': 'npm',
  poetry: 'poetry',
  uv: 'pep621',
  'pipfile-lock': 'pipenv',
  pipfile: 'pipenv',
  pyproject: 'pep621',
  requirements: 'pip_requirements',
  'go.mod': 'gomod',
  'cargo-lock': 'cargo',
  'cargo-toml': 'cargo',
  'gemfile-lock': 'bundler',
  gemfile: 'bundler',
  'terraform-lock': 'terraform',
  maven: 'maven',
  'gradle-catalog': 'gradle',
  terraform: 'terraform',
  'github-actions': 'github-actions',
  dockerfile: 'dockerfile',
  'helm-chart': 'helmv3',
  'mix-lock': 'mix',
  'composer-lock': 'composer',
  'nuget-lock': 'nuget',
};
const RENOVATE_PIP_REQUIREMENTS = /(^|\/)[\w-]*requirements([-.]\w+)?\.(txt|pip)$/;

/** Dependabot's package-ecosystem values that update each format. */
const DEPENDABOT_ECOSYSTEMS: Record<SourceFormat, string[]> = {
  'package-lock': ['npm'],
  yarn: ['npm'],
  pnpm: ['npm'],
  'package.json': ['npm', 'bun'],
  poetry: ['pip'],
  uv: ['uv'],
  'pipfile-lock': ['pip'],
  pipfile: ['pip'],
  pyproject: ['pip', 'uv'],
  requirements: ['pip'],
  'go.mod': ['gomod'],
  'cargo-lock': ['cargo'],
  'cargo-toml': ['cargo'],
  'gemfile-lock': ['bundler'],
  gemfile: ['bundler'],
  'terraform-lock': ['terraform', 'opentofu'],
  maven: ['maven'],
  'gradle-catalog': ['gradle'],
  terraform: ['terraform', 'opentofu'],
  'github-actions': ['github-actions'],
  dockerfile: ['docker'],
  'helm-chart': ['helm'],
  'mix-lock': ['mix'],
  'composer-lock': ['composer'],
  'nuget-lock': ['nuget'],
};

/** A bot's answer for one file: covered (with a credit below 1 when part of the updates is switched off, and what is left out), or not, and why. */
export type CoverVerdict = { covered: true; credit: number; gap?: string } | { covered: false; why: string };

export interface RenovateVerdict {
  path: string;
  line?: number;
  /** unparseable: Renovate cannot read it and does not run. */
  state: 'active' | 'disabled' | 'unparseable';
  validation: 'valid' | 'invalid' | 'skipped' | 'not-run';
  schemaErrors: number;
  covers(source: DependencySource): CoverVerdict;
}

export interface DependabotEntry {
  ecosystem: string;
  directories: string[];
  line: number;
  /** 1: version updates of every kind; below 1: part switched off (gap says which); 0.25: security updates only. */
  credit: number;
  gap?: string;
}

export interface DependabotVerdict {
  path: string;
  state: 'active' | 'off' | 'invalid';
  entries: DependabotEntry[];
  validation: 'valid' | 'invalid' | 'skipped';
  schemaErrors: number;
}

export interface BotScan {
  renovate?: RenovateVerdict;
  dependabot?: DependabotVerdict;
  findings: Finding<Rule>[];
  /** Set when Renovate schema validation could not run, with the reason users see. */
  schemaSkipped?: string;
  /** Set when Dependabot schema validation could not run, with the reason users see. */
  dependabotSchemaSkipped?: string;
}

/** Credit of an update bot that opens no version updates but still security updates (when the repository enables them). */
export const SECURITY_ONLY_CREDIT = 0.25;

// ---------------------------------------------------------------------------------------------
// Schema validation: one compiled validator per schema object, shared by every repository of a crawl.

const compiled = new WeakMap<object, ValidateFunction | Error>();
// Compiling Renovate's schema takes a few hundred milliseconds: a provider that hands each repository
// a fresh copy of the same schema still gets the validator compiled once, found by content.
const compiledByContent = new Map<string, ValidateFunction | Error>();

function validatorFor(schema: object): ValidateFunction | Error {
  let v = compiled.get(schema);
  if (v) return v;
  const digest = createHash('sha256').update(JSON.stringify(schema)).digest('hex');
  v = compiledByContent.get(digest);
  if (!v) {
    try {
      const dialect = String((schema as { $schema?: unknown }).$schema ?? '');
      // Renovate's schema is draft-07 with keywords of its own (tsType, markdownDescription…): not strict.
      const options = { strict: false, allErrors: true, validateFormats: false, validateSchema: false, logger: false } as const;
      const ajv = dialect.includes('2020-12') ? new Ajv2020(options) : dialect.includes('2019-09') ? new Ajv2019(options) : new Ajv(options);
      v = ajv.compile(schema);
    } catch (error) {
      v = error instanceof Error ? error : new Error(String(error));
    }
    if (compiledByContent.size >= 8) compiledByContent.delete(compiledByContent.keys().next().value!);
    compiledByContent.set(digest, v);
  }
  compiled.set(schema, v);
  return v;
}

function describeSchemaError(e: ErrorObject): { pointer: string; message: string; keyword: string; extraKey?: string } {
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    return { pointer: `${e.instancePath}/${params.additionalProperty.replace(/~/g, '~0').replace(/\//g, '~1')}`, message: `unknown option "${clip(params.additionalProperty)}"`, keyword: e.keyword, extraKey: params.additionalProperty };
  }
  if (e.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    const allowed = params.allowedValues.slice(0, 8).map((a) => JSON.stringify(a)).join(', ');
    return { pointer: e.instancePath, message: `must be one of ${allowed}${params.allowedValues.length > 8 ? ', …' : ''}`, keyword: e.keyword };
  }
  return { pointer: e.instancePath, message: e.message ?? e.keyword, keyword: e.keyword };
}

/** Renovate's schema forbids, with a top-level "not", options only the self-hosted (global) configuration may set: one problem per such option. */
function globalOnly(schema: object, config: Record<string, unknown>): { pointer: string; message: string }[] {
  const not = asRecord((schema as Record<string, unknown>).not);
  const alternatives: unknown[] = Array.isArray(not?.anyOf) ? not.anyOf : [];
  return alternatives.flatMap((a) => {
    const required = asRecord(a)?.required;
    if (!Array.isArray(required) || required.length !== 1 || typeof required[0] !== 'string' || !(required[0] in config)) return [];
    const key = required[0];
    return [{ pointer: `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, message: `"${key}" may only be set in the self-hosted (global) configuration, not in a repository` }];
  });
}

/**
 * One problem per mistake: Ajv reports a value that fits no branch of a oneOf/anyOf once per branch
 * and once more for the union ("must be array", "must be string", "must match exactly one schema").
 * The branches become one message at the union's pointer. Linear in the number of errors (a hostile
 * configuration can have hundreds of thousands): a branch error finds its union by walking up its
 * own pointer.
 */
function schemaProblems(errors: readonly ErrorObject[], schema: object, config: Record<string, unknown>): { pointer: string; message: string; keyword?: string }[] {
  const unionsAt = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    if (e.keyword !== 'oneOf' && e.keyword !== 'anyOf') continue;
    const at = unionsAt.get(e.instancePath);
    if (at) at.push(e);
    else unionsAt.set(e.instancePath, [e]);
  }
  /** The outermost union whose branches reported `e`, if any. */
  const outermostUnion = (e: ErrorObject): ErrorObject | undefined => {
    let found: ErrorObject | undefined;
    for (let path = e.instancePath; ; path = path.slice(0, path.lastIndexOf('/'))) {
      for (const u of unionsAt.get(path) ?? []) {
        if (u !== e && e.schemaPath.startsWith(`${u.schemaPath}/`) && (!found || found.instancePath !== path || u.schemaPath.length < found.schemaPath.length)) found = u;
      }
      if (path === '') return found;
    }
  };
  const branches = new Map<ErrorObject, ErrorObject[]>();
  const top: ErrorObject[] = [];
  for (const e of errors) {
    const union = unionsAt.size > 0 ? outermostUnion(e) : undefined;
    if (!union) top.push(e);
    else {
      const list = branches.get(union);
      if (list) list.push(e);
      else branches.set(union, [e]);
    }
  }
  const problems: { pointer: string; message: string; keyword?: string }[] = [];
  for (const e of top) {
    if (e.keyword === 'not' && e.instancePath === '') {
      const global = globalOnly(schema, config);
      problems.push(...(global.length > 0 ? global : [describeSchemaError(e)]));
      continue;
    }
    const under = branches.get(e);
    if (!under) {
      problems.push(describeSchemaError(e));
      continue;
    }
    const types = under.every((b) => b.keyword === 'type' && b.instancePath === e.instancePath) ? [...new Set(under.map((b) => String((b.params as { type?: unknown }).type)))] : undefined;
    const described = [...new Set(under.map((b) => {
      const d = describeSchemaError(b);
      return `${d.pointer || '/'} ${d.message}`;
    }))];
    problems.push({ pointer: e.instancePath, message: types ? `must be ${types.join(' or ')}` : `fits none of the allowed forms: ${described.slice(0, 3).join(', or ')}${described.length > 3 ? ', …' : ''}`, keyword: e.keyword });
  }
  return problems;
}

function pointerSegments(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function lineOfPointer(tree: JsonNode | undefined, lineOf: (offset: number) => number, segments: (string | number)[]): number | undefined {
  if (!tree) return undefined;
  for (let n = segments.length; n >= 0; n--) {
    const node = findNodeAtLocation(tree, segments.slice(0, n));
    if (node) return lineOf(node.parent?.type === 'property' ? node.parent.offset : node.offset);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Renovate

/**
 * JSON5 → JSON with comments, keeping every line break where it was (values may change: only the
 * shape and the lines matter here). Unquoted keys are quoted, single-quoted strings double-quoted,
 * JSON5-only numbers (hex, Infinity, NaN, leading "+" or ".") become 0.
 */
const JSON5_NUMBER = /[+-]?(?:0x[0-9a-f]+|Infinity|NaN|\d*\.?\d*(?:e[+-]?\d+)?)/iy;

export function json5AsJsonc(text: string): string {
  const out: string[] = [];
  const n = text.length;
  let i = 0;
  const skipBlank = (from: number): number => {
    let j = from;
    for (;;) {
      while (j < n && /\s/.test(text[j]!)) j++;
      if (text.startsWith('//', j)) j = text.indexOf('\n', j) === -1 ? n : text.indexOf('\n', j);
      else if (text.startsWith('/*', j)) j = text.indexOf('*/', j + 2) === -1 ? n : text.indexOf('*/', j + 2) + 2;
      else return j;
    }
  };
  while (i < n) {
    const c = text[i]!;
    if (text.startsWith('//', i) || text.startsWith('/*', i)) {
      const end = c === '/' && text[i + 1] === '/' ? (text.indexOf('\n', i) === -1 ? n : text.indexOf('\n', i)) : text.indexOf('*/', i + 2) === -1 ? n : text.indexOf('*/', i + 2) + 2;
      out.push(text.slice(i, end));
      i = end;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let body = '';
      while (j < n && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < n) {
          const next = text[j + 1]!;
          // A line continuation keeps its line break (the string is then invalid JSON, which the tolerant parser skips over).
          body += next === '\n' ? '\n' : next === "'" ? "'" : `\\${next}`;
          j += 2;
          continue;
        }
        body += text[j] === '"' ? '\\"' : text[j];
        j++;
      }
      out.push(`"${body}"`);
      i = j + 1;
    } else if (/[A-Za-z_$]/.test(c)) {
      let j = i;
      while (j < n && /[\w$]/.test(text[j]!)) j++;
      const word = text.slice(i, j);
      if (text[skipBlank(j)] === ':') out.push(`"${word}"`);
      else out.push(word === 'Infinity' || word === 'NaN' ? '0' : word);
      i = j;
    } else if (/[+\-.\d]/.test(c)) {
      JSON5_NUMBER.lastIndex = i;
      const m = JSON5_NUMBER.exec(text);
      const length = m && m[0].length > 0 ? m[0].length : 1;
      out.push(length > 1 || /\d/.test(c) ? '0' : c);
      i += length;
    } else {
      out.push(c);
      i++;
    }
  }
  return out.join('');
}


function pathMatcher(patterns: unknown): ((path: string) => boolean) | undefined {
  if (!Array.isArray(patterns)) return undefined;
  const list = patterns.filter((p): p is string => typeof p === 'string' && p.length > 0);
  if (list.length === 0) return undefined;
  // Renovate matches these as minimatch globs and as plain substrings.
  const globs = picomatch(list, { dot: true });
  return (path) => globs(path) || list.some((p) => path.includes(p));
}

const ALL_PACKAGES = new Set(['*', '/.*/', '.*', '**']);

function renovateCovers(config: Record<string, unknown>): RenovateVerdict['covers'] {
  const enabledManagers = Array.isArray(config.enabledManagers) ? new Set(config.enabledManagers.filter((m) => typeof m === 'string')) : undefined;
  const disabledManagers = new Set<string>();
  const disabledPaths: ((p: string) => boolean)[] = [];
  // Majors switched off for every package, everywhere ('*') or for some managers.
  const majorsOff = new Set<string>();
  if (asRecord(config.major)?.enabled === false) majorsOff.add('*');
  for (const rule of Array.isArray(config.packageRules) ? config.packageRules : []) {
    const r = asRecord(rule);
    if (!r || r.enabled !== false) continue;
    const matchers = Object.keys(r).filter((k) => k.startsWith('match') || k.startsWith('exclude'));
    // Only rules that switch off whole managers or files; narrower rules leave the rest of the file updated.
    if (matchers.length === 1 && matchers[0] === 'matchManagers' && Array.isArray(r.matchManagers)) for (const m of r.matchManagers) if (typeof m === 'string') disabledManagers.add(m);
    if (matchers.length === 1 && (matchers[0] === 'matchFileNames' || matchers[0] === 'matchPaths')) {
      const m = pathMatcher(r[matchers[0]]);
      if (m) disabledPaths.push(m);
    }
    const types = Array.isArray(r.matchUpdateTypes) ? r.matchUpdateTypes : [];
    const everyPackage = matchers.every((k) => k === 'matchUpdateTypes' || k === 'matchManagers' || ((k === 'matchPackageNames' || k === 'matchPackagePatterns' || k === 'matchDepNames') && Array.isArray(r[k]) && (r[k] as unknown[]).every((n) => typeof n === 'string' && ALL_PACKAGES.has(n))));
    if (types.includes('major') && everyPackage) {
      if (!Array.isArray(r.matchManagers)) majorsOff.add('*');
      else for (const m of r.matchManagers) if (typeof m === 'string') majorsOff.add(m);
    }
  }
  const ignored = pathMatcher(config.ignorePaths);
  const included = pathMatcher(config.includePaths);
  return (source) => {
    const manager = RENOVATE_MANAGER[source.format];
    if (enabledManagers && !enabledManagers.has(manager)) return { covered: false, why: `"enabledManagers" leaves out ${manager}` };
    if (asRecord(config[manager])?.enabled === false) return { covered: false, why: `"${manager}": { "enabled": false }` };
    if (disabledManagers.has(manager)) return { covered: false, why: `a package rule disables the ${manager} manager` };
    if (source.format === 'requirements' && !RENOVATE_PIP_REQUIREMENTS.test(source.path) && !asRecord(config.pip_requirements)?.managerFilePatterns && !asRecord(config.pip_requirements)?.fileMatch) {
      return { covered: false, why: `Renovate's pip_requirements manager does not look at ${source.path} unless "managerFilePatterns" names it` };
    }
    if (ignored?.(source.path)) return { covered: false, why: `"ignorePaths" matches ${source.path}` };
    if (included && !included(source.path)) return { covered: false, why: `"includePaths" leaves out ${source.path}` };
    if (disabledPaths.some((m) => m(source.path))) return { covered: false, why: `a package rule disables ${source.path}` };
    if (majorsOff.has('*') || majorsOff.has(manager)) return { covered: true, credit: MAJORS_OFF_CREDIT, gap: `major updates are switched off for every ${majorsOff.has('*') ? '' : `${manager} `}package` };
    return { covered: true, credit: 1 };
  };
}

/** Credit of a bot that proposes minor and patch updates but never majors for any package. */
export const MAJORS_OFF_CREDIT = 0.75;

function scanRenovate(snapshot: RepoSnapshot, present: Set<string>, schemaFact: SchemaFact | undefined, scan: BotScan): void {
  const candidates: { path: string; text: string; config?: Record<string, unknown>; fromPackageJson: boolean }[] = [];
  for (const path of RENOVATE_LOCATIONS) {
    if (!present.has(path)) continue;
    const r = snapshot.read(path);
    if (!r.ok) {
      scan.findings.push({ rule: 'unreadable-file', severity: 'medium', path, message: `Renovate configuration could not be read (${r.reason})` });
      continue;
    }
    if (path === 'package.json') {
      let pkg: Record<string, unknown> | undefined;
      try {
        pkg = asRecord(JSON.parse(r.text));
      } catch {
        continue; // the dependency part of the check reports a broken package.json
      }
      if (pkg && 'renovate' in pkg) candidates.push({ path, text: r.text, fromPackageJson: true });
      continue;
    }
    candidates.push({ path, text: r.text, fromPackageJson: false });
  }
  const [used, ...unused] = candidates;
  if (!used) return;
  for (const other of unused) {
    scan.findings.push({ rule: 'duplicate-bot-config', severity: 'low', path: other.path, message: `ignored: Renovate reads only the first configuration it finds, ${used.path}${used.fromPackageJson ? ' ("renovate" key)' : ''}; delete this one or merge it` });
  }
  const lineOf = lineIndex(used.text);
  const verdict: RenovateVerdict = { path: used.path, state: 'unparseable', validation: 'not-run', schemaErrors: 0, covers: () => ({ covered: false, why: `${used.path} cannot be parsed` }) };
  scan.renovate = verdict;

  let config: Record<string, unknown> | undefined;
  let pointerPrefix: (string | number)[] = [];
  if (used.fromPackageJson) {
    config = asRecord((JSON.parse(used.text) as Record<string, unknown>).renovate);
    pointerPrefix = ['renovate'];
    const keyAt = used.text.indexOf('"renovate"');
    if (keyAt >= 0) verdict.line = lineOf(keyAt);
    if (!config) {
      scan.findings.push({ rule: 'invalid-renovate-config', severity: 'high', path: used.path, line: verdict.line, message: 'the "renovate" key of package.json is not an object: Renovate cannot use it' });
      return;
    }
    // Renovate discourages configuration in package.json; it still works.
    scan.findings.push({ rule: 'renovate-config-format', severity: 'info', path: used.path, line: verdict.line, message: 'Renovate is configured in package.json, which Renovate discourages: move it to renovate.json' });
  } else {
    try {
      config = asRecord(JSON5.parse(used.text));
    } catch (error) {
      const line = (error as { lineNumber?: number }).lineNumber;
      scan.findings.push({ rule: 'invalid-renovate-config', severity: 'high', path: used.path, ...(line ? { line } : {}), message: `Renovate cannot parse its configuration, so it does not run: ${errorText(error)}` });
      return;
    }
    if (!config) {
      scan.findings.push({ rule: 'invalid-renovate-config', severity: 'high', path: used.path, line: 1, message: 'the Renovate configuration is not a JSON object, so Renovate does not run' });
      return;
    }
  }

  const errors: ParseError[] = [];
  let tree: JsonNode | undefined;
  try {
    tree = parseTree(used.text, errors, { allowTrailingComma: true, disallowComments: false });
  } catch (error) {
    // Only lines are lost: findings then go without them.
    if (!(error instanceof RangeError)) throw error;
  }
  if (tree && !used.path.endsWith('.json5') && !used.fromPackageJson && errors.length > 0) {
    scan.findings.push({ rule: 'renovate-config-format', severity: 'low', path: used.path, line: lineOf(errors[0]!.offset), message: 'uses JSON5-only syntax in a file Renovate reads as JSON with comments; Renovate still falls back to JSON5 with a deprecation warning: rename it to a .json5 file or write plain JSON' });
  }
  // Pointers are placed on a tree of the file; JSON5 syntax (unquoted keys, single quotes) is first
  // rewritten line for line into JSON with comments, so that the tree has every key where it was.
  let treeLineOf = lineOf;
  if (tree && errors.length > 0) {
    const rewritten = json5AsJsonc(used.text);
    try {
      tree = parseTree(rewritten, [], { allowTrailingComma: true, disallowComments: false });
      treeLineOf = lineIndex(rewritten);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
    }
  }

  const disabledBy = config.enabled === false ? '"enabled": false' : Array.isArray(config.extends) && config.extends.includes(':disableRenovate') ? 'the ":disableRenovate" preset' : undefined;
  verdict.state = disabledBy ? 'disabled' : 'active';
  verdict.covers = disabledBy ? () => ({ covered: false, why: `Renovate is switched off with ${disabledBy}` }) : renovateCovers(config);
  if (disabledBy) {
    const line = lineOfPointer(tree, treeLineOf, [...pointerPrefix, ...(config.enabled === false ? ['enabled'] : ['extends'])]);
    scan.findings.push({ rule: 'updates-switched-off', severity: 'high', path: used.path, ...(line ? { line } : {}), message: `Renovate is configured but switched off (${disabledBy}): no update pull requests are opened${typeof config.description === 'string' ? ` — "${config.description.slice(0, 120)}"` : ''}` });
  }

  if (!schemaFact) {
    verdict.validation = 'skipped';
    scan.schemaSkipped = 'the crawler did not hand the check a schema';
  } else if (schemaFact.status === 'skipped') {
    verdict.validation = 'skipped';
    scan.schemaSkipped = schemaFact.reason;
  } else {
    const validate = validatorFor(schemaFact.schema);
    if (validate instanceof Error) {
      verdict.validation = 'skipped';
      scan.schemaSkipped = `Renovate's schema ${schemaFact.version} could not be compiled (${errorText(validate)})`;
    } else if (validate(config)) {
      verdict.validation = 'valid';
    } else {
      verdict.validation = 'invalid';
      const seen = new Set<string>();
      const problems: { pointer: string; message: string; line?: number }[] = [];
      for (const d of schemaProblems(validate.errors ?? [], schemaFact.schema, config)) {
        const key = `${d.pointer} ${d.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const pointer = `${pointerPrefix.length ? '/renovate' : ''}${d.pointer}`;
        problems.push({ pointer: pointer || '/', message: d.message, line: lineOfPointer(tree, treeLineOf, pointerSegments(pointer)) });
      }
      // In file order, as a reader fixes them.
      problems.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
      verdict.schemaErrors = problems.length;
      const shown = problems.slice(0, 20);
      for (const p of shown) {
        scan.findings.push({ rule: 'invalid-renovate-config', severity: 'medium', path: used.path, ...(p.line ? { line: p.line } : {}), message: `Renovate schema ${schemaFact.version}: ${p.pointer} ${p.message}` });
      }
      if (problems.length > shown.length) scan.findings.push({ rule: 'invalid-renovate-config', severity: 'medium', path: used.path, message: `${problems.length - shown.length} more schema errors` });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Dependabot

function normaliseDirectory(dir: string): string {
  return dir.trim().replace(/^\.?\/+/, '').replace(/\/+$/, '');
}

/**
 * Schema errors that do not prove GitHub rejects the file: an option the pinned schema no longer or
 * not yet knows, an ecosystem or value newer than the pin, a duplicate in a list, a string's format.
 * Missing required keys, wrong types and a wrong version are certain.
 */
const STRICTER_THAN_GITHUB = new Set(['additionalProperties', 'enum', 'uniqueItems', 'pattern', 'format', 'minItems', 'maxItems', 'minLength', 'maxLength', 'minimum', 'maximum', 'propertyNames']);

const UPDATE_TYPES: Record<string, 'major' | 'minor' | 'patch'> = { 'version-update:semver-major': 'major', 'version-update:semver-minor': 'minor', 'version-update:semver-patch': 'patch' };

/** What an entry's options leave out of version updates: credit 1 when nothing. */
function dependabotGap(entry: Record<string, unknown>, ecosystem: string): { credit: number; gap?: string; switchedOff?: string } {
  if (entry['open-pull-requests-limit'] === 0) return { credit: SECURITY_ONLY_CREDIT, switchedOff: `open-pull-requests-limit: 0 switches version updates off for ${ecosystem}: only security updates are opened (counted as ${SECURITY_ONLY_CREDIT} of a bot)` };
  const ignored = new Set<string>();
  for (const ig of Array.isArray(entry.ignore) ? entry.ignore : []) {
    const rule = asRecord(ig);
    if (rule?.['dependency-name'] !== '*' || rule.versions !== undefined) continue;
    const types = Array.isArray(rule['update-types']) ? rule['update-types'].flatMap((t) => (typeof t === 'string' && UPDATE_TYPES[t] ? [UPDATE_TYPES[t]] : [])) : undefined;
    if (!types) return { credit: SECURITY_ONLY_CREDIT, switchedOff: `ignore: dependency-name "*" switches every version update off for ${ecosystem}: only security updates are opened (counted as ${SECURITY_ONLY_CREDIT} of a bot)` };
    for (const t of types) ignored.add(t);
  }
  if (ignored.has('major') && ignored.has('minor') && ignored.has('patch')) return { credit: SECURITY_ONLY_CREDIT, switchedOff: `every update type is ignored for every ${ecosystem} dependency: only security updates are opened (counted as ${SECURITY_ONLY_CREDIT} of a bot)` };
  if (ignored.has('major') && ignored.has('minor')) return { credit: 0.5, gap: `major and minor updates are ignored for every ${ecosystem} dependency: only patches are proposed` };
  if (ignored.has('major')) return { credit: MAJORS_OFF_CREDIT, gap: `major updates are ignored for every ${ecosystem} dependency ("*")` };
  return { credit: 1 };
}

function scanDependabot(snapshot: RepoSnapshot, present: Set<string>, schemaFact: SchemaFact | undefined, scan: BotScan): void {
  const found = DEPENDABOT_LOCATIONS.filter((p) => present.has(p));
  if (found.length === 0) return;
  const path = found[0]!;
  if (found.length > 1) scan.findings.push({ rule: 'duplicate-bot-config', severity: 'low', path: found[1], message: `two Dependabot configurations: keep only ${path}` });
  const verdict: DependabotVerdict = { path, state: 'invalid', entries: [], validation: 'skipped', schemaErrors: 0 };
  scan.dependabot = verdict;
  const r = snapshot.read(path);
  if (!r.ok) {
    scan.findings.push({ rule: 'unreadable-file', severity: 'medium', path, message: `Dependabot configuration could not be read (${r.reason})` });
    return;
  }
  const counter = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(r.text, { lineCounter: counter, uniqueKeys: false, logLevel: 'error' });
  } catch (error) {
    scan.findings.push({ rule: 'invalid-dependabot-config', severity: 'high', path, message: `Dependabot cannot parse its configuration, so it does not run: ${errorText(error)}` });
    return;
  }
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    scan.findings.push({ rule: 'invalid-dependabot-config', severity: 'high', path, ...(e.linePos?.[0] ? { line: e.linePos[0].line } : {}), message: `Dependabot cannot parse its configuration, so it does not run: ${e.message.split('\n')[0]}` });
    return;
  }
  const lineAt = (p: (string | number)[]): number | undefined => yamlKeyLine(doc, counter, p);
  let root: Record<string, unknown> | undefined;
  try {
    root = asRecord(doc.toJS({ maxAliasCount: 100 }));
  } catch (error) {
    scan.findings.push({ rule: 'invalid-dependabot-config', severity: 'high', path, message: `Dependabot configuration could not be evaluated: ${errorText(error)}` });
    return;
  }
  const invalid = (message: string, line?: number): void => void scan.findings.push({ rule: 'invalid-dependabot-config', severity: 'high', path, ...(line ? { line } : {}), message: `${message}; GitHub rejects the whole file, so Dependabot opens no version updates` });
  if (!root) return invalid('the configuration is empty or not a mapping', 1);

  // The maintained schema decides validity; without it only what GitHub certainly refuses is refused.
  const validate = schemaFact?.status === 'available' ? validatorFor(schemaFact.schema) : undefined;
  if (!schemaFact) scan.dependabotSchemaSkipped = 'the crawler did not hand the check a Dependabot schema';
  else if (schemaFact.status === 'skipped') scan.dependabotSchemaSkipped = schemaFact.reason;
  else if (validate instanceof Error) scan.dependabotSchemaSkipped = `the Dependabot schema ${schemaFact.version} could not be compiled (${errorText(validate)})`;
  if (validate && !(validate instanceof Error) && schemaFact?.status === 'available') {
    if (validate(root)) verdict.validation = 'valid';
    else {
      const seen = new Set<string>();
      const certain: { pointer: string; message: string; line?: number }[] = [];
      const doubtful: typeof certain = [];
      // An if/then reports the branch's own error and again "must match then schema": the first says it.
      for (const d of schemaProblems((validate.errors ?? []).filter((e) => e.keyword !== 'if'), schemaFact.schema, root)) {
        const key = `${d.pointer} ${d.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const segments = pointerSegments(d.pointer);
        let line: number | undefined;
        for (let n = segments.length; n >= 0 && line === undefined; n--) line = n === 0 ? 1 : lineAt(segments.slice(0, n));
        (STRICTER_THAN_GITHUB.has(d.keyword ?? '') ? doubtful : certain).push({ pointer: d.pointer || '/', message: clip(d.message, 300), line });
      }
      const byLine = (a: { line?: number }, b: { line?: number }) => (a.line ?? Infinity) - (b.line ?? Infinity);
      const shown = [...certain.sort(byLine).slice(0, 20).map((p) => ({ ...p, certain: true })), ...doubtful.sort(byLine).slice(0, 10).map((p) => ({ ...p, certain: false }))].sort(byLine);
      for (const p of shown) {
        if (p.certain) invalid(`Dependabot schema ${schemaFact.version}: ${p.pointer} ${p.message}`, p.line);
        else scan.findings.push({ rule: 'invalid-dependabot-config', severity: 'low', path, ...(p.line ? { line: p.line } : {}), message: `Dependabot schema ${schemaFact.version}: ${p.pointer} ${p.message}; the schema is stricter here than GitHub may be (a retired or newer option, a duplicate), so the file is not counted as rejected` });
      }
      if (certain.length > 0) {
        verdict.validation = 'invalid';
        verdict.schemaErrors = certain.length;
        if (certain.length > 20) invalid(`${certain.length - 20} more schema errors`);
        return;
      }
      verdict.validation = 'valid';
    }
  } else {
    if (Number(root.version) !== 2) return invalid(`"version" must be 2${root.version === undefined ? ' and is missing' : `, not ${clip(JSON.stringify(root.version) ?? String(root.version), 40)}`}`, lineAt(['version']) ?? 1);
    if (!Array.isArray(root.updates) || root.updates.length === 0) return invalid('"updates" must list at least one package ecosystem', lineAt(['updates']) ?? 1);
  }

  (Array.isArray(root.updates) ? root.updates : []).forEach((value, i) => {
    const entry = asRecord(value);
    const ecosystem = entry?.['package-ecosystem'];
    if (!entry || typeof ecosystem !== 'string') return;
    const dirs = typeof entry.directory === 'string' ? [entry.directory] : Array.isArray(entry.directories) ? entry.directories.filter((d): d is string => typeof d === 'string') : [];
    if (dirs.length === 0) return;
    const line = lineAt(['updates', i]) ?? 1;
    const { credit, gap, switchedOff } = dependabotGap(entry, clip(ecosystem, 40));
    if (switchedOff) scan.findings.push({ rule: 'updates-switched-off', severity: 'medium', path, line: lineAt(['updates', i, entry['open-pull-requests-limit'] === 0 ? 'open-pull-requests-limit' : 'ignore']) ?? line, message: switchedOff });
    else if (gap) scan.findings.push({ rule: 'partial-bot-coverage', severity: 'low', path, line: lineAt(['updates', i, 'ignore']) ?? line, message: `${gap}: those updates are left to people (counted as ${credit} of a bot)` });
    verdict.entries.push({ ecosystem, directories: dirs.map(normaliseDirectory), line, credit, ...(gap ?? switchedOff ? { gap: gap ?? 'security updates only' } : {}) });
  });
  verdict.state = verdict.entries.some((e) => e.credit > SECURITY_ONLY_CREDIT) ? 'active' : 'off';
}

/** The directory Dependabot is pointed at for a file: workflows belong to the repository root. */
function dependabotDir(source: DependencySource): string {
  if (source.format === 'github-actions' && source.path === '.github/workflows') return '';
  return dirOf(source.path);
}

export function dependabotCovers(verdict: DependabotVerdict, source: DependencySource): CoverVerdict {
  const wanted = DEPENDABOT_ECOSYSTEMS[source.format];
  const dir = dependabotDir(source);
  const sameEcosystem = verdict.entries.filter((e) => wanted.includes(e.ecosystem));
  if (sameEcosystem.length === 0) return { covered: false, why: `Dependabot has no "${wanted[0]}" entry` };
  const matching = sameEcosystem.filter((e) => e.directories.some((d) => d === dir || d === '**' || (d !== '' && picomatch(d, { dot: true })(dir))));
  if (matching.length === 0) return { covered: false, why: `Dependabot's "${wanted[0]}" entry looks in ${sameEcosystem.flatMap((e) => e.directories).map((d) => `/${d}`).join(', ')}, not /${dir}` };
  const best = matching.reduce((a, b) => (b.credit > a.credit ? b : a));
  return { covered: true, credit: best.credit, ...(best.gap ? { gap: `Dependabot: ${best.gap}` } : {}) };
}

export function hasDependabotConfig(snapshot: RepoSnapshot): boolean {
  const present = new Set(snapshot.files.map((f) => f.path));
  return DEPENDABOT_LOCATIONS.some((p) => present.has(p));
}

export function scanBots(snapshot: RepoSnapshot, schemaFact: SchemaFact | undefined, dependabotSchema?: SchemaFact): BotScan {
  const present = new Set(snapshot.files.filter((f) => f.kind === 'file').map((f) => f.path));
  const scan: BotScan = { findings: [] };
  scanRenovate(snapshot, present, schemaFact, scan);
  scanDependabot(snapshot, present, dependabotSchema, scan);
  return scan;
}

/** Does any Renovate configuration exist (so the crawler should fetch the schema)? */
export function hasRenovateConfig(snapshot: RepoSnapshot): boolean {
  const present = new Set(snapshot.files.map((f) => f.path));
  if (RENOVATE_LOCATIONS.some((p) => p !== 'package.json' && present.has(p))) return true;
  if (!present.has('package.json')) return false;
  const r = snapshot.read('package.json');
  return r.ok && /"renovate"\s*:/.test(r.text);
}
