// Flag definitions kept in the repository: GitLab-style YAML (one file per flag), flagd JSON/YAML,
// Flipt features.yml, OpenFeature flag manifests, plain flag lists (flags.yaml), and registries
// configured as a file glob plus a regular expression.
import { isMap, isNode, isScalar, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml';
import { isKeyShaped } from './keys.ts';
import type { Rule } from './rules.ts';
import { lineIndex } from '../shared/text.ts';

export type DefinitionFormat = 'gitlab' | 'flagd' | 'flipt' | 'openfeature-manifest' | 'flag-list' | 'registry' | 'code-registry' | 'settings' | 'environment' | 'deployment' | 'feature-gate';

export const FORMAT_LABELS: Record<DefinitionFormat, string> = {
  gitlab: 'GitLab feature flag definition',
  flagd: 'flagd',
  flipt: 'Flipt',
  'openfeature-manifest': 'OpenFeature flag manifest',
  'flag-list': 'flag list',
  registry: 'flag registry',
  'code-registry': 'in-code flag registry',
  settings: 'settings file',
  environment: 'environment toggle',
  deployment: 'deployment setting',
  'feature-gate': "a component's feature gate",
};

export interface Definition {
  key: string;
  path: string;
  line: number;
  format: DefinitionFormat;
  /** Providers whose call sites these definitions serve; "*" for all. */
  providers: string[];
  /** The file defines this flag alone, so the file's first commit is the flag's. */
  ownFile: boolean;
  type?: string;
  owner?: string;
  /** YYYY-MM-DD */
  created?: string;
  expires?: string;
  milestone?: string;
  /** What the definition says about its rollout; undefined when the format cannot say. */
  rollout?: { static: boolean; detail: string; served?: 'on' | 'off' | 'one' };
  /** Why this is not a feature flag (a licensed or entitlement feature). */
  notAFlag?: string;
  /** A registry's constant name for the key, whose uses count as references. */
  constant?: string;
  /** What the flag serves where nothing overrides it: a default in code or settings. */
  defaultServed?: 'on' | 'off';
  /** Values set per environment (settings overrides, deployment values): where, and what. */
  values?: { environment: string; value: string; path: string; line: number }[];
  /** The name code reads the flag by (a setting bound from an environment variable): its uses are the flag's. */
  accessor?: string;
  /** The registry that lists it (`FeatureName`), whose members (`FeatureName.NewUi`) are uses. */
  registry?: { name: string; member: string };
  /** How the key reads: named as a flag (FF_, FEATURE_), or as a configuration switch (ENABLE_, _ENABLED). */
  naming?: 'flag' | 'switch';
}

export interface DefinitionProblem {
  /** Default: malformed-flag-definition. */
  rule?: Rule;
  path: string;
  line: number;
  message: string;
}

export interface ParsedDefinitions {
  definitions: Definition[];
  problems: DefinitionProblem[];
}

const GITLAB_PATH = /(^|\/)feature_flags\/(.+\/)?[^/]+\.ya?ml$/i;
const FLIPT_NAME = /(^|\/)([^/]+\.)?features\.ya?ml$|(^|\/)features\.json$/i;
const LIST_KEYS = ['flags', 'featureFlags', 'feature_flags', 'toggles', 'featureToggles', 'feature_toggles'];
const FLIPT_TYPES = new Set(['BOOLEAN_FLAG_TYPE', 'VARIANT_FLAG_TYPE']);
/** Licensing and entitlement: plans decide these, not a rollout. */
const ENTITLEMENT_PATH = /(^|\/)[^/]*(licen[cs]|entitlement|billing|subscription)[^/]*(\/|$)/i;

/** Definition files are found by name; GitLab's by their directory. */
export function isDefinitionCandidate(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (GITLAB_PATH.test(path)) return true;
  if (!/\.(json|ya?ml)$/i.test(base)) return false;
  return /flag|toggle/i.test(base) || FLIPT_NAME.test(path) || /(^|\/)flagd\//i.test(path);
}

type Rec = Record<string, unknown>;
const asRecord = (v: unknown): Rec | undefined => (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) ? (v as Rec) : undefined);

function text(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    const parts = v.map(text).filter((x): x is string => x !== undefined);
    return parts.length > 0 ? parts.join(', ') : undefined;
  }
  return undefined;
}

function firstOf(objects: (Rec | undefined)[], names: string[]): unknown {
  for (const o of objects) {
    if (!o) continue;
    for (const n of names) if (o[n] !== undefined && o[n] !== null && o[n] !== '') return o[n];
  }
  return undefined;
}

const TYPE_FIELDS = ['type', 'lifecycle', 'kind', 'category', 'flag_type'];
const OWNER_FIELDS = ['owner', 'owners', 'team', 'group', 'maintainer', 'maintainers', 'owned_by', 'ownedBy'];
const CREATED_FIELDS = ['created', 'created_at', 'createdAt', 'creation_date', 'creationDate', 'introduced', 'introduced_on', 'introducedOn', 'added', 'added_on', 'since', 'date'];
const EXPIRES_FIELDS = ['expires', 'expires_at', 'expiresAt', 'expiry', 'expiration', 'expiration_date', 'expirationDate', 'remove_by', 'removeBy', 'removal_date', 'removalDate', 'sunset'];

/** YYYY-MM-DD of a date-like value, or a complaint. */
function dateOf(value: unknown): { date?: string; bad?: string } {
  if (value === undefined) return {};
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? { bad: String(value) } : { date: value.toISOString().slice(0, 10) };
  const s = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : undefined;
  if (s === undefined) return { bad: JSON.stringify(value) };
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s)) {
    const t = Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s.replace(' ', 'T'));
    if (!Number.isNaN(t)) return { date: new Date(t).toISOString().slice(0, 10) };
  }
  return { bad: s };
}

interface Meta {
  type?: string;
  owner?: string;
  created?: string;
  expires?: string;
  milestone?: string;
}

function metaOf(entry: Rec, outer: Rec | undefined, opts: { typeFromEntry: boolean }, complain: (m: string) => void, key: string): Meta {
  const metadata = asRecord(entry.metadata);
  const outerMeta = asRecord(outer?.metadata);
  const typeSources = opts.typeFromEntry ? [entry, metadata, outerMeta] : [metadata, outerMeta];
  const created = dateOf(firstOf([entry, metadata], CREATED_FIELDS));
  const expires = dateOf(firstOf([entry, metadata], EXPIRES_FIELDS));
  if (created.bad) complain(`flag "${key}": creation date "${created.bad}" is not a date (YYYY-MM-DD); it is ignored`);
  if (expires.bad) complain(`flag "${key}": expiry date "${expires.bad}" is not a date (YYYY-MM-DD); it is ignored`);
  return {
    type: text(firstOf(typeSources, TYPE_FIELDS)),
    owner: text(firstOf([entry, metadata, outerMeta], OWNER_FIELDS)),
    created: created.date,
    expires: expires.date,
    milestone: text(firstOf([entry, metadata], ['milestone'])),
  };
}

interface YamlDoc {
  value: unknown;
  keyLine(path: (string | number)[]): number;
  nodeLine(path: (string | number)[]): number;
  /** A scalar as written (`16.10`, which YAML reads as the number 16.1); undefined for JSON. */
  raw(path: (string | number)[]): string | undefined;
}

function parseYaml(source: string): { ok: true; docs: YamlDoc[] } | { ok: false; line: number; message: string } {
  const counter = new LineCounter();
  let parsed: Document.Parsed[];
  try {
    parsed = parseAllDocuments(source, { lineCounter: counter, uniqueKeys: false, logLevel: 'error' }) as Document.Parsed[];
  } catch (error) {
    return { ok: false, line: 1, message: (error as Error).message.split('\n')[0] ?? 'unreadable' };
  }
  if (!Array.isArray(parsed)) return { ok: false, line: 1, message: 'not a YAML stream' };
  const docs: YamlDoc[] = [];
  for (const doc of parsed) {
    const error = doc.errors[0];
    if (error) return { ok: false, line: error.linePos?.[0]?.line ?? 1, message: error.message.split('\n')[0] ?? 'malformed' };
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      return { ok: false, line: 1, message: (e as Error).message.split('\n')[0] ?? 'could not be evaluated' };
    }
    const start = isNode(doc.contents) && doc.contents.range ? counter.linePos(doc.contents.range[0]).line : 1;
    const nodeLine = (path: (string | number)[]): number => {
      const node = doc.getIn(path, true);
      return isNode(node) && node.range ? counter.linePos(node.range[0]).line : start;
    };
    // Lines of a mapping's keys, built once per mapping: a file may define thousands of flags.
    const keyLines = new Map<unknown, Map<string, number>>();
    docs.push({
      value,
      nodeLine,
      raw(path) {
        const node = doc.getIn(path, true);
        return isScalar(node) && typeof node.source === 'string' && node.source.trim() !== '' ? node.source.trim() : undefined;
      },
      keyLine(path) {
        const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
        if (isMap(parent)) {
          let lines = keyLines.get(parent);
          if (!lines) {
            lines = new Map();
            for (const pair of parent.items) {
              if (isScalar(pair.key) && pair.key.range && !lines.has(String(pair.key.value))) lines.set(String(pair.key.value), counter.linePos(pair.key.range[0]).line);
            }
            keyLines.set(parent, lines);
          }
          return lines.get(String(path[path.length - 1])) ?? start;
        }
        if (isSeq(parent)) return nodeLine(path);
        return start;
      },
    });
  }
  return { ok: true, docs };
}

/**
 * JSON through JSON.parse (the YAML parser takes seconds on a megabyte of JSON), with the lines of
 * object keys and array items up to three levels deep found by one scan of the text.
 */
function parseJson(source: string): { ok: true; docs: YamlDoc[] } | { ok: false; line: number; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(source.replace(/^\uFEFF/, ''));
  } catch (error) {
    const message = (error as Error).message;
    const at = /line (\d+)/.exec(message)?.[1] ?? (/position (\d+)/.exec(message) ? String(lineIndex(source)(Number(/position (\d+)/.exec(message)![1]))) : '1');
    return { ok: false, line: Number(at), message: message.replace(/\s*\(line \d+ column \d+\)$/, '').split('\n')[0] ?? 'malformed' };
  }
  const lines = new Map<string, number>();
  const stack: { array: boolean; index: number; key?: string }[] = [];
  let line = 1;
  let expectKey = false;
  const pathKey = (last: string | number) => JSON.stringify([...stack.slice(0, -1).map((f) => (f.array ? f.index : f.key!)), last]);
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\n') line++;
    else if (c === '"') {
      let j = i + 1;
      while (j < source.length && source[j] !== '"') j += source[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top && !top.array && expectKey) {
        top.key = JSON.parse(source.slice(i, j + 1)) as string;
        if (stack.length <= 3) lines.set(pathKey(top.key), line);
        expectKey = false;
      } else if (top?.array && stack.length <= 3 && !lines.has(pathKey(top.index))) lines.set(pathKey(top.index), line);
      i = j;
    } else if (c === '{' || c === '[') {
      const top = stack[stack.length - 1];
      if (top?.array && stack.length <= 3 && !lines.has(pathKey(top.index))) lines.set(pathKey(top.index), line);
      stack.push({ array: c === '[', index: 0 });
      expectKey = c === '{';
    } else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.array) top.index++;
      else expectKey = true;
    } else if (c !== ' ' && c !== '\t' && c !== '\r' && c !== ':') {
      const top = stack[stack.length - 1];
      if (top?.array && stack.length <= 3 && !lines.has(pathKey(top.index))) lines.set(pathKey(top.index), line);
    }
  }
  const lineOf = (path: (string | number)[]) => lines.get(JSON.stringify(path)) ?? 1;
  return { ok: true, docs: [{ value, keyLine: lineOf, nodeLine: lineOf, raw: () => undefined }] };
}

/** The milestone as written: `milestone: 16.10` is the number 16.1 to a YAML parser, and milestone 16.1 to nobody. */
function milestoneAsWritten(doc: YamlDoc, at: (string | number)[], parsed: string | undefined): string | undefined {
  if (parsed === undefined) return undefined;
  return doc.raw([...at, 'milestone']) ?? doc.raw([...at, 'metadata', 'milestone']) ?? parsed;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1).replace(/\.[^.]+$/, '');
}

function emptyTargeting(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  const r = asRecord(v);
  return r !== undefined && Object.keys(r).length === 0;
}

/** Reads one candidate file's definitions. Never throws for bad input; problems say what was not read. */
export function parseDefinitionFile(path: string, source: string): ParsedDefinitions {
  const out: ParsedDefinitions = { definitions: [], problems: [] };
  const parsed = /\.json$/i.test(path) ? parseJson(source) : parseYaml(source);
  if (!parsed.ok) {
    out.problems.push({ path, line: parsed.line, message: `could not parse ${/\.json$/i.test(path) ? 'JSON' : 'YAML'}, so the flags it defines are unknown: ${parsed.message}` });
    return out;
  }
  const entitlement = ENTITLEMENT_PATH.test(path) ? `it lives in ${path}, a licensing/entitlement location` : undefined;
  for (const doc of parsed.docs) {
    const top = asRecord(doc.value);
    if (!top) continue;
    const complain = (message: string, line = 1) => out.problems.push({ path, line, message });
    if (GITLAB_PATH.test(path) && (typeof top.name === 'string' || 'default_enabled' in top || 'introduced_by_url' in top || 'milestone' in top)) {
      const key = typeof top.name === 'string' && top.name.trim() !== '' ? top.name.trim() : basename(path);
      if (typeof top.name !== 'string') complain(`GitLab flag definition without a name: read as "${key}" from the file name`);
      const meta = metaOf(top, undefined, { typeFromEntry: true }, (m) => complain(m), key);
      meta.milestone = milestoneAsWritten(doc, [], meta.milestone);
      const licensed = meta.type === 'licensed' || /(^|\/)licensed\//.test(path) ? 'GitLab licensed feature' : entitlement;
      out.definitions.push({
        key,
        path,
        line: typeof top.name === 'string' ? doc.keyLine(['name']) : 1,
        format: 'gitlab',
        providers: ['gitlab'],
        ownFile: true,
        ...meta,
        rollout: top.default_enabled === true ? { static: true, detail: 'default_enabled: true', served: 'on' } : top.default_enabled === false ? { static: false, detail: 'default_enabled: false' } : undefined,
        notAFlag: licensed,
      });
      continue;
    }
    const listKey = LIST_KEYS.find((k) => top[k] !== undefined);
    if (!listKey) continue;
    const flags = top[listKey];
    const schema = typeof top.$schema === 'string' ? top.$schema : '';
    const flagsMap = asRecord(flags);
    if (flagsMap) {
      const entries = Object.entries(flagsMap);
      const isFlagd = /flagd/i.test(schema) || entries.some(([, v]) => { const r = asRecord(v); return r !== undefined && ('state' in r || 'defaultVariant' in r || asRecord(r.variants) !== undefined); });
      const isManifest = !isFlagd && (/manifest/i.test(schema) || entries.some(([, v]) => asRecord(v)?.flagType !== undefined));
      for (const [key, value] of entries) {
        if (!isKeyShaped(key)) {
          complain(`"${key.slice(0, 60)}" is not a flag key (no spaces or placeholders); it is ignored`, doc.keyLine([listKey, key]));
          continue;
        }
        const entry = asRecord(value) ?? {};
        const line = doc.keyLine([listKey, key]);
        const meta = metaOf(entry, top, { typeFromEntry: !isFlagd && !isManifest }, (m) => complain(m, line), key);
        meta.milestone = milestoneAsWritten(doc, [listKey, key], meta.milestone);
        let rollout: Definition['rollout'];
        if (isFlagd) {
          const variants = asRecord(entry.variants);
          const count = variants ? Object.keys(variants).length : 0;
          const served = (value: unknown): 'on' | 'off' | 'one' => (value === true ? 'on' : value === false ? 'off' : 'one');
          if (entry.state === 'DISABLED') rollout = { static: true, detail: 'state: DISABLED', served: 'off' };
          else if (emptyTargeting(entry.targeting)) rollout = { static: true, detail: `no targeting, always serves "${String(entry.defaultVariant ?? '?')}"`, served: served(variants?.[String(entry.defaultVariant)]) };
          else if (count === 1) rollout = { static: true, detail: 'a single variant', served: served(Object.values(variants!)[0]) };
          else rollout = { static: false, detail: 'targeting rules' };
        } else if (!isManifest) rollout = listRollout(entry);
        out.definitions.push({
          key,
          path,
          line,
          format: isFlagd ? 'flagd' : isManifest ? 'openfeature-manifest' : 'flag-list',
          providers: isFlagd || isManifest ? ['openfeature'] : ['*'],
          ownFile: false,
          ...meta,
          rollout,
          notAFlag: entitlement,
        });
      }
      continue;
    }
    if (!Array.isArray(flags)) {
      complain(`"${listKey}" is neither a list nor a mapping of flags; nothing was read from this file`, doc.keyLine([listKey]));
      continue;
    }
    const isFlipt =
      FLIPT_NAME.test(path) ||
      typeof top.namespace === 'string' ||
      asRecord(top.namespace) !== undefined ||
      flags.some((f) => { const r = asRecord(f); return r !== undefined && (FLIPT_TYPES.has(String(r.type)) || Array.isArray(r.rollouts)); });
    flags.forEach((item, index) => {
      const entry = asRecord(item);
      const rawKey = typeof item === 'string' ? item : text(entry?.key ?? entry?.name ?? entry?.id);
      const line = typeof item === 'string' ? doc.nodeLine([listKey, index]) : entry && 'key' in entry ? doc.keyLine([listKey, index, 'key']) : doc.nodeLine([listKey, index]);
      if (rawKey === undefined) {
        complain(`item ${index + 1} of "${listKey}" has no key or name; it is ignored`, line);
        return;
      }
      if (!isKeyShaped(rawKey)) {
        // A list of plain strings that are not keys (`["--fix"]`) is some other tool's "flags".
        if (entry) complain(`"${rawKey.slice(0, 60)}" is not a flag key (no spaces or placeholders); it is ignored`, line);
        return;
      }
      const e = entry ?? {};
      const meta = metaOf(e, top, { typeFromEntry: !isFlipt }, (m) => complain(m, line), rawKey);
      meta.milestone = milestoneAsWritten(doc, [listKey, index], meta.milestone);
      let rollout: Definition['rollout'];
      if (isFlipt) {
        const variantFlag = e.type === 'VARIANT_FLAG_TYPE' || (e.type === undefined && Array.isArray(e.variants) && e.variants.length > 0);
        if (variantFlag) {
          if (e.enabled === false) rollout = { static: true, detail: 'enabled: false', served: 'off' };
          else if (emptyTargeting(e.rules)) rollout = { static: true, detail: 'no rules', served: 'one' };
          else rollout = { static: false, detail: 'rules' };
        } else if (emptyTargeting(e.rollouts)) rollout = { static: true, detail: `enabled: ${e.enabled === true}, no rollouts`, served: e.enabled === true ? 'on' : 'off' };
        else rollout = { static: false, detail: 'rollouts' };
      } else rollout = listRollout(e);
      out.definitions.push({
        key: rawKey,
        path,
        line,
        format: isFlipt ? 'flipt' : 'flag-list',
        providers: isFlipt ? ['openfeature', 'flipt'] : ['*'],
        ownFile: false,
        ...meta,
        rollout,
        notAFlag: entitlement,
      });
    });
  }
  return out;
}

/** Plain lists say they are fully rolled out with a 100% rollout and nothing that targets. */
function listRollout(entry: Rec): Definition['rollout'] {
  const percentage = firstOf([entry], ['rollout', 'percentage', 'rollout_percentage', 'rolloutPercentage']);
  const targeted = !emptyTargeting(firstOf([entry], ['targeting', 'rules', 'segments', 'strategies', 'constraints']));
  if (percentage === undefined) return undefined;
  const value = typeof percentage === 'number' ? percentage : Number(String(percentage).replace('%', ''));
  if (value === 100 && !targeted) return { static: true, detail: 'rollout: 100%', served: 'on' };
  if (value === 0 && !targeted) return { static: true, detail: 'rollout: 0%', served: 'off' };
  return { static: false, detail: `rollout: ${String(percentage)}` };
}

export interface RegistrySpec {
  files: string;
  pattern: string;
  providers: string[];
}

/** Keys a configured registry pattern finds in one file: group `key` (or the first group), optional `type`, `owner`, `created`, `expires`, `const`. */
export function parseRegistry(path: string, source: string, spec: RegistrySpec, complain: (p: DefinitionProblem) => void): Definition[] {
  const regex = new RegExp(spec.pattern, 'gm');
  const lineOf = lineIndex(source);
  const out: Definition[] = [];
  for (const m of source.matchAll(regex)) {
    if (m[0] === '') continue;
    const key = m.groups?.key ?? m[1];
    if (key === undefined) continue;
    const line = lineOf(m.index + Math.max(0, m[0].indexOf(key)));
    if (!isKeyShaped(key)) {
      complain({ path, line, message: `registry pattern matched "${key.slice(0, 60)}", which is not a flag key; it is ignored` });
      continue;
    }
    const g = m.groups ?? {};
    const created = dateOf(g.created);
    const expires = dateOf(g.expires);
    out.push({
      key,
      path,
      line,
      format: 'registry',
      providers: spec.providers,
      ownFile: false,
      type: g.type?.trim() || undefined,
      owner: g.owner?.trim() || undefined,
      created: created.date,
      expires: expires.date,
      constant: g.const && /^[A-Za-z_$][\w$]*$/.test(g.const) ? g.const : undefined,
      notAFlag: ENTITLEMENT_PATH.test(path) ? `it lives in ${path}, a licensing/entitlement location` : undefined,
    });
  }
  return out;
}
