// Flags kept in the application's own configuration: a `features:` block of a settings file (with
// per-environment override files), and environment toggles read by the code (`FF_NEW_UI`,
// `FEATURE_X_ENABLED`, `FEATURE_FLAG_Y`). Switches named as configuration (`ENABLE_X`,
// `X_ENABLED`) are permanent settings, not flags, unless their name says they are transitional
// (`ENABLE_NEW_CHECKOUT`, `USE_LEGACY_EXPORT`, `ENABLE_HOTFIX_SERVICES`). See README, "Settings".
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { Definition } from './definitions.ts';
import { isKeyShaped } from './keys.ts';
import { literalAt } from './references.ts';
import { lineIndex } from '../shared/text.ts';

export interface NamePatterns {
  /** Names that say "flag": FF_X, FEATURE_X, FEATURE_FLAG_X, X_FEATURE_FLAG. */
  flag: RegExp[];
  /** Names that say "configuration switch": ENABLE_X, X_ENABLED, DISABLE_X, USE_X. */
  switch: RegExp[];
  /** Words that make a switch transitional, so a flag: new, legacy, beta, v2, migration, hotfix… */
  transitional: RegExp;
}

export function naming(name: string, p: NamePatterns): 'flag' | 'switch' | undefined {
  if (p.flag.some((r) => r.test(name))) return 'flag';
  if (p.switch.some((r) => r.test(name))) return p.transitional.test(name) ? 'flag' : 'switch';
  return undefined;
}

/** An environment name from a path or a key: config/settings/production.yml, values-staging.yaml, prod.tfvars. */
const ENVIRONMENTS: [RegExp, string][] = [
  [/^(prod|production|prd|live)$/, 'production'],
  [/^(staging|stage|stg|preprod|pre-prod|preproduction|uat)$/, 'staging'],
  [/^(dev|development|develop|sandbox|local)$/, 'development'],
  [/^(test|testing|qa|ci|integration|ithc|perf|performance|demo|review|e2e)$/, 'test'],
];

export function environmentOf(text: string): string | undefined {
  for (const token of text.toLowerCase().split(/[^a-z0-9-]+|-(?=[a-z])/)) {
    for (const [re, env] of ENVIRONMENTS) if (re.test(token)) return token === env ? env : `${env}:${token}`;
  }
  return undefined;
}

const BLOCK_KEY = /^(features|feature_flags|featureflags|feature_toggles|featuretoggles|featuremanagement|feature_management|toggles|feature_switches)$/i;
const METADATA_FIELDS = ['description', 'enabled', 'default', 'default_enabled', 'defaultEnabled', 'owner', 'owners', 'variables', 'rollout', 'EnabledFor', 'enabled_for', 'expires', 'type', 'lifecycle', 'defaults'];
const PLAN_FIELDS = /^(price|prices|plan|plans|tier|tiers|limit|limits|quota|quotas|seats|cost|sku)$/i;
const ENTITLEMENT_PATH = /(^|\/)[^/]*(licen[cs]|entitlement|billing|subscription|plan)[^/]*(\/|$)/i;

type Rec = Record<string, unknown>;
const asRecord = (v: unknown): Rec | undefined => (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) ? (v as Rec) : undefined);

function servedOf(v: unknown): 'on' | 'off' | undefined {
  if (v === true || v === 'true') return 'on';
  if (v === false || v === 'false') return 'off';
  const r = asRecord(v);
  if (!r) return undefined;
  for (const k of ['enabled', 'default', 'default_enabled', 'defaultEnabled', 'value']) if (r[k] === true || r[k] === false) return r[k] ? 'on' : 'off';
  // Nimbus-style: variables.enabled.default
  const variables = asRecord(r.variables);
  const enabled = asRecord(variables?.enabled);
  if (enabled && (enabled.default === true || enabled.default === false)) return enabled.default ? 'on' : 'off';
  return undefined;
}

function isFlagEntry(v: unknown): boolean {
  if (typeof v === 'boolean') return true;
  const r = asRecord(v);
  if (!r) return false;
  const keys = Object.keys(r);
  if (keys.some((k) => PLAN_FIELDS.test(k))) return false;
  return keys.some((k) => METADATA_FIELDS.includes(k));
}

/**
 * `features:` blocks of one YAML/JSON settings file: boolean entries, entries with flag metadata
 * (description, enabled, default, owner…), and groups of booleans one level down (`routes.x`).
 * Entries that are plain configuration (a string, a number, a list) are not flags.
 */
export function parseSettingsFile(path: string, source: string): Definition[] {
  if (ENTITLEMENT_PATH.test(path)) return [];
  if (!/features|feature_flags|featureFlags|feature_toggles|featureToggles|FeatureManagement|toggles/i.test(source)) return [];
  const out: Definition[] = [];
  const json = /\.json$/i.test(path);
  let docs: { value: unknown; line: (p: (string | number)[]) => number }[];
  if (json) {
    let value: unknown;
    try {
      value = JSON.parse(source.replace(/^\uFEFF/, ''));
    } catch {
      return [];
    }
    // JSON settings: the line of a key is the first line that names it after its block.
    const lines = source.split('\n');
    docs = [{ value, line: (p) => {
      let from = 0;
      for (const seg of p) {
        const needle = `"${String(seg)}"`;
        const at = lines.findIndex((l, i) => i >= from && l.includes(needle));
        if (at >= 0) from = at;
      }
      return from + 1;
    } }];
  } else {
    const counter = new LineCounter();
    let parsed: Document.Parsed[];
    try {
      parsed = parseAllDocuments(source, { lineCounter: counter, uniqueKeys: false, logLevel: 'error' }) as Document.Parsed[];
    } catch {
      return [];
    }
    if (!Array.isArray(parsed)) return [];
    docs = [];
    for (const doc of parsed) {
      if (doc.errors.length > 0) continue;
      let value: unknown;
      try {
        value = doc.toJS({ maxAliasCount: 100 });
      } catch {
        continue;
      }
      docs.push({
        value,
        line: (p) => {
          const parent = p.length > 1 ? doc.getIn(p.slice(0, -1), true) : doc.contents;
          if (isMap(parent)) {
            for (const pair of parent.items) if (isScalar(pair.key) && String(pair.key.value) === String(p[p.length - 1]) && pair.key.range) return counter.linePos(pair.key.range[0]).line;
          }
          if (isSeq(parent)) return 1;
          return 1;
        },
      });
    }
  }
  const fileEnvironment = environmentOf(path.replace(/\.[^.]+$/, '').split('/').slice(-2).join('/')) ?? 'default';
  for (const doc of docs) {
    const top = asRecord(doc.value);
    if (!top) continue;
    // The block at the top, under a settings root, or under an environment (`production: features:`).
    const places: { at: (string | number)[]; block: Rec; environment: string }[] = [];
    for (const [k, v] of Object.entries(top)) {
      const r = asRecord(v);
      if (!r) continue;
      if (BLOCK_KEY.test(k)) places.push({ at: [k], block: r, environment: fileEnvironment });
      else {
        for (const [k2, v2] of Object.entries(r)) {
          const r2 = asRecord(v2);
          if (r2 && BLOCK_KEY.test(k2)) places.push({ at: [k, k2], block: r2, environment: environmentOf(k) ?? fileEnvironment });
        }
      }
    }
    for (const { at, block, environment } of places) {
      const entries: { key: string; path: (string | number)[]; value: unknown }[] = [];
      for (const [k, v] of Object.entries(block)) {
        if (isFlagEntry(v)) entries.push({ key: k, path: [...at, k], value: v });
        else {
          const group = asRecord(v);
          if (group && Object.values(group).length > 0 && Object.values(group).every((x) => typeof x === 'boolean')) {
            for (const [k2, v2] of Object.entries(group)) entries.push({ key: `${k}.${k2}`, path: [...at, k, k2], value: v2 });
          }
        }
      }
      // A block of plain configuration (strings, numbers, lists) is not a flag registry.
      if (entries.length === 0 || entries.length * 2 < Object.keys(block).length) continue;
      for (const e of entries) {
        if (!isKeyShaped(e.key)) continue;
        const line = doc.line(e.path);
        const served = servedOf(e.value);
        const meta = asRecord(e.value);
        const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : Array.isArray(v) ? v.filter((x) => typeof x === 'string').join(', ') || undefined : undefined);
        out.push({
          key: e.key,
          path,
          line,
          format: 'settings',
          providers: [],
          ownFile: false,
          type: text(meta?.type) ?? text(meta?.lifecycle),
          owner: text(meta?.owner) ?? text(meta?.owners) ?? text(meta?.team),
          defaultServed: environment === 'default' ? served : undefined,
          values: served !== undefined ? [{ environment, value: served, path, line }] : undefined,
        });
      }
    }
  }
  return out;
}

/** An environment toggle read in code: where, its name, the name the code keeps it under, and its default. */
export interface EnvRead {
  name: string;
  path: string;
  line: number;
  /** `FEATURE_X = getenv_boolean("FEATURE_X")`, `featureX: get('FEATURE_X')`: the binding, whose uses are the flag's. */
  boundTo?: string;
  defaultServed?: 'on' | 'off';
}

const ENV_NAME = '([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)';
const ENV_READS: RegExp[] = [
  new RegExp(`\\b(?:process|import\\.meta|Deno)\\.env\\s*(?:\\.\\s*${ENV_NAME}\\b|\\[\\s*['"]${ENV_NAME}['"]\\s*\\])`, 'g'),
  new RegExp(`(?<![\\w.])env\\s*\\.\\s*${ENV_NAME}\\b`, 'g'),
  new RegExp(`\\bENV\\s*(?:\\[\\s*|\\.fetch\\s*\\(\\s*|\\.key\\?\\s*\\(\\s*)['"]${ENV_NAME}['"]`, 'g'),
  new RegExp(`\\bos\\.environ\\s*\\[\\s*['"]${ENV_NAME}['"]`, 'g'),
  // A reader that takes the name first: env.bool("FF_X"), getenv_boolean("FEATURE_X"), os.getenv, System.getenv, os.Getenv, env::var, get('FEATURE_FLAG_X').
  new RegExp(`\\b(?:[A-Za-z_][\\w.:]*[.:])?[A-Za-z_]*(?:env|Env|ENV|environ|Environ|bool|Bool|config|Config|setting|Setting|get|Get|fetch|Fetch|var|option|Option)[A-Za-z_]*\\s*\\(\\s*['"]${ENV_NAME}['"]`, 'g'),
];

/** Environment toggles a file's code reads (names the patterns accept), with what they are bound to. */
export function findEnvReads(path: string, code: string, accept: (name: string) => boolean): EnvRead[] {
  const out: EnvRead[] = [];
  // Schema migrations name permissions and columns in SQL strings, not environment variables.
  if (/(^|\/)(migrations?|migrate)\//i.test(path)) return out;
  const lineOf = lineIndex(code);
  const seen = new Set<string>();
  for (const re of ENV_READS) {
    re.lastIndex = 0;
    for (const m of code.matchAll(re)) {
      const name = m[1] ?? m[2]!;
      if (!accept(name)) continue;
      const line = lineOf(m.index);
      const id = `${name}:${line}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const lineStart = code.lastIndexOf('\n', m.index) + 1;
      let before = code.slice(lineStart, m.index);
      // `name: parse(\n  process.env.X, …)`: the binding is on the line before.
      if (/^\s*$/.test(before) && lineStart > 0) {
        const prevStart = code.lastIndexOf('\n', lineStart - 2) + 1;
        const prev = code.slice(prevStart, lineStart - 1);
        if (/\(\s*$/.test(prev)) before = prev;
      }
      // Bound to a name: `NAME = …`, `NAME: type = …`, `name: …` (an object property), `name = …` in Ruby/Python/JS.
      const bound = /^\s*(?:(?:export\s+)?(?:const|let|var|val|final|static|public|private|readonly)\s+)*([A-Za-z_$][\w$]*)\s*(?::\s*[\w[\], |.]+)?\s*(?:=|:)\s*(?!=)/.exec(before);
      let defaultServed: 'on' | 'off' | undefined;
      const after = code.slice(m.index + m[0].length, Math.min(code.length, m.index + m[0].length + 200));
      const def = /^\s*(?:['"]\s*)?(?:\)\s*)?,\s*(?:default\s*[=:]\s*)?['"]?(true|false|True|False)['"]?\s*[,)]/.exec(after);
      if (def) defaultServed = /^(true|True)$/.test(def[1]!) ? 'on' : 'off';
      else {
        const cmp = /^[^\n]{0,80}?(===?|!==?)\s*['"](true|false|1|0)['"]/.exec(after);
        if (cmp && /\?\s*[^:]+:\s*(true|false)\b/.test(after)) defaultServed = /:\s*true\b/.test(after.split('\n')[0]!) ? 'on' : 'off';
      }
      out.push({ name, path, line, boundTo: bound?.[1], defaultServed });
    }
  }
  return out;
}

/** A string literal at `pos` (a name in a call), for callers that need the text. */
export function literalName(code: string, pos: number): string | undefined {
  return literalAt(code, pos)?.value;
}
