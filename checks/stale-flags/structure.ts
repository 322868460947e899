// In-house flag registries recognised by their shape in source code: an enum, a constants class,
// an object, a union type or an array whose name says it holds feature flags (`enum FeatureName`,
// `class FeatureFlagKeys`, `const featureFlags = {…}`, `type IFlagKey = 'a' | 'b'`,
// `createFeatureFlags({…})`), and constants named as flags in a flags module
// (`export const FEATURE_FLAG_NEW_UI = 'new-ui'` in `src/feature-flags.ts`). No configuration needed;
// see README, "In-house registries".
import { isKeyShaped, normaliseKey } from './keys.ts';
import { literalAt, type NamedBinding } from './references.ts';
import { lineIndex } from '../shared/text.ts';
import { isTestPath as isTest } from './files.ts';

export interface RegistryEntry {
  /** The name code uses for the flag in the registry (`NewUi` in `FeatureName.NewUi`). */
  member: string;
  /** The flag's key: a string value when the entry has one (`NewUi = 'new-ui'`), else the member. */
  key: string;
  line: number;
  /** What the entry serves when nothing overrides it (`newUi: true`, `defaultValue: false`). */
  defaultServed?: 'on' | 'off';
}

export interface CodeRegistry {
  name: string;
  path: string;
  line: number;
  shape: 'enum' | 'constants' | 'object' | 'union' | 'type' | 'array' | 'call' | 'module';
  entries: RegistryEntry[];
}

/** Words that make a "flags" name something else: per-record markers, bitwise flags, plans and licences. */
const NOT_FLAG_WORDS = new Set([
  'user', 'users', 'team', 'teams', 'account', 'accounts', 'bitwise', 'bit', 'bits', 'plan', 'plans', 'tier', 'tiers', 'license', 'licence', 'licensed', 'licenses', 'licences',
  'subscription', 'subscriptions', 'billing', 'entitlement', 'entitlements', 'claim', 'claims', 'cli', 'command', 'compiler', 'build', 'regex', 'regexp', 'file', 'mode', 'permission', 'permissions',
]);
const PREFIXES = new Set(['i', 'app', 'ui', 'experimental', 'global', 'known', 'all', 'available', 'default', 'defaults', 'server', 'client', 'web']);

export function nameWords(name: string): string[] {
  return normaliseKey(name.replace(/^[$@]+/, '')).split(/[-.:/]+/).filter((w) => w !== '');
}

/**
 * Whether a declared name says it holds feature flags: FeatureFlagKeys, featureFlags, IFlagKey,
 * FeatureName, Feature, AppFeatures, UiFlags, FeatureToggles, createFeatureFlags,
 * OrganizationFeatureSettings — not UserFlag, Flags (bitwise), PlanFeatures or LAYER_FEATURE_TYPES.
 */
export function isRegistryName(name: string, shape: 'enum' | 'union' | 'other' = 'other'): boolean {
  const w = nameWords(name);
  if (w.length === 0 || w.some((x) => NOT_FLAG_WORDS.has(x))) return false;
  const has = (...xs: string[]) => xs.some((x) => w.includes(x));
  const last = w[w.length - 1]!;
  // A list of flags ends in a collection word (`featureFlags`, `FeatureFlagKeys`, `UiFlags`); an enum or a
  // union of keys may be singular (`enum FeatureName`, `type IFlagKey`). `FeatureToggleStore` is not a list.
  const collection = COLLECTION_WORDS.has(last) || (shape !== 'other' && SINGULAR_WORDS.has(last));
  if (!collection) return false;
  // Word pairs, next to each other: feature flag(s), feature toggle(s), feature name(s), flag key(s), feature settings.
  const pair = (a: string[], b: string[]) => w.some((x, i) => a.includes(x) && b.includes(w[i + 1] ?? ''));
  if (pair(['feature', 'features'], ['flag', 'flags', 'toggle', 'toggles', 'switch', 'switches', 'gate', 'gates', 'settings', 'name', 'names', 'key', 'keys'])) return true;
  if (pair(['flag', 'flags', 'toggle', 'toggles'], ['key', 'keys', 'name', 'names'])) return true;
  if (w.length <= 2 && (last === 'toggles' || last === 'switches')) return true;
  const rest = w.slice(0, -1);
  if ((last === 'feature' || last === 'features') && rest.length <= 1 && rest.every((x) => PREFIXES.has(x))) return true;
  if (last === 'flags' && rest.length === 1 && PREFIXES.has(rest[0]!)) return true;
  return false;
}

const COLLECTION_WORDS = new Set(['flags', 'toggles', 'features', 'keys', 'names', 'settings', 'switches', 'gates', 'list', 'registry', 'catalog', 'descriptions', 'defaults', 'ids', 'constants', 'enum']);
const SINGULAR_WORDS = new Set(['flag', 'toggle', 'feature', 'key', 'name', 'id', 'gate', 'switch']);

/** One flag's shape (`type FeatureFlag = { name; enabled }`), not a list of flags. */
export function isSchemaName(name: string): boolean {
  const w = nameWords(name);
  const last = w[w.length - 1];
  return last === 'flag' || last === 'toggle' || last === 'feature' || last === 'switch' || last === 'gate';
}

/** Constants named as flags (`FEATURE_FLAG_NEW_UI`, `FF_NEW_UI`, `NEW_UI_FLAG`), read as registry entries in a flags module. */
const FLAG_CONSTANT = /^(?:FEATURE_FLAG|FEATURE_TOGGLE|FF|FLAG|TOGGLE)_[A-Z0-9_]+$|^[A-Z0-9_]+_(?:FEATURE_FLAG|FLAG|TOGGLE)$/;
const FLAGGISH_PATH = /flag|toggle|feature/i;

/** Index just after the bracket that closes the one at `open`, skipping strings; -1 when it does not close. */
export function closingBracket(code: string, open: number, limit = 2_000_000): number {
  const pairs: Record<string, string> = { '{': '}', '[': ']', '(': ')' };
  const stack: string[] = [];
  const end = Math.min(code.length, open + limit);
  for (let i = open; i < end; i++) {
    const c = code[i]!;
    if (c === '"' || c === "'" || c === '`') {
      const j = stringEnd(code, i, end);
      if (j < 0) continue;
      i = j - 1;
    } else if (c in pairs) stack.push(pairs[c]!);
    else if (c === '}' || c === ']' || c === ')') {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i + 1;
    }
  }
  return -1;
}

/** End (exclusive) of the quoted string at `i`, or -1 when it does not end on its line (a lone apostrophe). */
function stringEnd(code: string, i: number, end: number): number {
  const q = code[i]!;
  for (let j = i + 1; j < end; j++) {
    const d = code[j]!;
    if (d === '\\') j++;
    else if (d === q) return j + 1;
    else if (d === '\n' && q !== '`') return -1;
  }
  return -1;
}

/** Top-level pieces of a bracketed body: split at commas, semicolons and line breaks outside nested brackets. */
function segments(code: string, from: number, to: number): { text: string; at: number }[] {
  const out: { text: string; at: number }[] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < to; i++) {
    const c = code[i]!;
    if (c === '"' || c === "'" || c === '`') {
      const j = stringEnd(code, i, to);
      if (j > 0) i = j - 1;
    } else if (c === '{' || c === '[' || c === '(') depth++;
    else if (c === '}' || c === ']' || c === ')') depth--;
    else if (depth === 0 && (c === ',' || c === ';' || c === '\n')) {
      out.push({ text: code.slice(start, i), at: start });
      start = i + 1;
    }
  }
  out.push({ text: code.slice(start, to), at: start });
  return out.filter((s) => s.text.trim() !== '');
}

const MODIFIERS = /^(?:(?:export|public|private|protected|internal|static|readonly|const|final|val|var|let|case|override|abstract|new)\s+)+/;
const ATTRIBUTE = /^(?:@[\w.]+(?:\([^)]*\))?\s*|\[[\w.]+(?:\([^\]]*\))?\]\s*)+/;
const KEY_FIELDS = /(?:^|[\s{,])(?:flag|key|flagKey|flag_key|flagName|flag_name|name)\s*[:=]\s*/g;
const DEFAULT_FIELDS = /(?:^|[\s{,(])(?:default|defaultValue|default_value|defaultEnabled|default_enabled|enabled|value|defaultVariant)\s*[:=]\s*(true|false|True|False)\b/;

function served(v: string | undefined): 'on' | 'off' | undefined {
  if (v === undefined) return undefined;
  return /^(true|True)$/.test(v) ? 'on' : /^(false|False)$/.test(v) ? 'off' : undefined;
}

/** The key and default an entry's value gives: a key-shaped string, a nested object naming the key, a boolean default. */
function valueOf(value: string): { key?: string; defaultServed?: 'on' | 'off' } {
  const v = value.trim();
  const lit = literalAt(v, 0);
  if (lit && lit.end >= v.replace(/\s*(as const|\.freeze)\s*$/, '').length) return isKeyShaped(lit.value) ? { key: lit.value } : {};
  const bool = /^(true|false|True|False)\b/.exec(v);
  if (bool) return { defaultServed: served(bool[1]) };
  const out: { key?: string; defaultServed?: 'on' | 'off' } = {};
  if (v.startsWith('{') || /^[\w.]+\s*\(/.test(v)) {
    KEY_FIELDS.lastIndex = 0;
    for (let m = KEY_FIELDS.exec(v); m; m = KEY_FIELDS.exec(v)) {
      const l = literalAt(v, m.index + m[0].length);
      if (l && isKeyShaped(l.value)) {
        out.key = l.value;
        break;
      }
    }
    const d = DEFAULT_FIELDS.exec(v);
    if (d) out.defaultServed = served(d[1]);
    // Python: Field(False, description=…), BooleanField(default=True).
    const first = /^[\w.]+\s*\(\s*(True|False|true|false)\b/.exec(v);
    if (!out.defaultServed && first) out.defaultServed = served(first[1]);
  }
  return out;
}

/** One entry of an object, enum, class or type body. */
function entryOf(segment: string, shape: CodeRegistry['shape']): { member: string; key: string; defaultServed?: 'on' | 'off'; offset: number } | undefined {
  const lead = segment.length - segment.trimStart().length;
  let s = segment.trimStart();
  const attr = ATTRIBUTE.exec(s);
  if (attr) s = s.slice(attr[0].length);
  const mods = MODIFIERS.exec(s);
  let skipped = lead + (attr?.[0].length ?? 0) + (mods?.[0].length ?? 0);
  if (mods) s = s.slice(mods[0].length);
  // C#/Java constants: `string Name = "key"`, `String NAME = "key"`.
  const typed = /^(?:string|String|str|int|bool|boolean|Boolean)\s+(?=[A-Za-z_])/.exec(s);
  if (typed && shape === 'constants') {
    s = s.slice(typed[0].length);
    skipped += typed[0].length;
  }
  const m = /^(?:(['"])([^'"\n]{1,200})\1|\[\s*([\w$.]+)\s*\]|([A-Za-z_$][\w$]*))\s*(\?)?\s*(?:(:(?!:)|=>|=|\()\s*([\s\S]*))?$/.exec(s);
  if (!m) return undefined;
  const member = m[2] ?? m[3]?.slice(m[3].lastIndexOf('.') + 1) ?? m[4]!;
  if (!isKeyShaped(member)) return undefined;
  const operator = m[6];
  let rest = m[7] ?? '';
  if (operator === '(') rest = rest.replace(/\)\s*$/, '');
  if (shape === 'type') return { member, key: member, offset: skipped };
  if (operator === undefined) {
    // A bare enum member (`NewUi,`); elsewhere a name without a value is not an entry.
    return shape === 'enum' && m[4] ? { member, key: member, offset: skipped } : undefined;
  }
  // A Python annotation (`name: bool = Field(False)`, `name: bool`) or a Kotlin/TypeScript typed field.
  if (operator === ':' && (shape === 'constants' || shape === 'enum')) {
    const annotated = /^[^=]*?=\s*([\s\S]*)$/.exec(rest);
    const v = annotated ? valueOf(annotated[1]!) : {};
    return { member, key: v.key ?? member, defaultServed: v.defaultServed, offset: skipped };
  }
  const v = valueOf(rest);
  return { member, key: v.key ?? member, defaultServed: v.defaultServed, offset: skipped };
}

function collectEntries(code: string, from: number, to: number, shape: CodeRegistry['shape'], lineOf: (o: number) => number): RegistryEntry[] {
  const out: RegistryEntry[] = [];
  for (const seg of segments(code, from, to)) {
    const e = entryOf(seg.text, shape);
    if (!e) continue;
    out.push({ member: e.member, key: e.key, line: lineOf(seg.at + e.offset), defaultServed: e.defaultServed });
  }
  return out;
}

function stringsIn(code: string, from: number, to: number, lineOf: (o: number) => number): RegistryEntry[] {
  const out: RegistryEntry[] = [];
  for (let i = from; i < to; i++) {
    const c = code[i];
    if (c !== '"' && c !== "'") continue;
    const lit = literalAt(code, i);
    if (!lit) continue;
    if (isKeyShaped(lit.value)) out.push({ member: lit.value, key: lit.value, line: lineOf(lit.start) });
    i = lit.end - 1;
  }
  return out;
}

/** At least half the members of a type body are typed boolean (or a variant, or a flag value). */
function booleanMembers(body: string): boolean {
  let members = 0;
  let booleans = 0;
  for (const m of body.matchAll(/^\s*(?:readonly\s+)?(?:['"][^'"\n]+['"]|[A-Za-z_$][\w$]*)\s*\??\s*:\s*([^;,\n]+)/gm)) {
    members++;
    if (/^(boolean|bool|Boolean|true|false|Variant|IVariant|FlagValue|boolean\s*\|)/.test(m[1]!.trim())) booleans++;
  }
  return members > 0 && booleans * 2 >= members;
}

/** An array of string literals only (`['a', 'b'] as const`, `%w[a b]`); an array of objects is not a list of keys. */
function plainStrings(code: string, from: number, to: number, lineOf: (o: number) => number): RegistryEntry[] {
  const body = code.slice(from, to);
  if (/^\s*[a-z_][\w\s]*$/i.test(body)) {
    // Ruby %w[a b c]
    const out: RegistryEntry[] = [];
    for (const m of body.matchAll(/[A-Za-z_][\w-]*/g)) out.push({ member: m[0], key: m[0], line: lineOf(from + m.index) });
    return out;
  }
  const pieces = segments(code, from, to);
  if (pieces.some((p) => !/^\s*(['"])[^'"\n]*\1\s*$/.test(p.text))) return [];
  return stringsIn(code, from, to, lineOf);
}

const PYTHON = /\.py$/i;
const RUBY = /\.(rb|rake)$/i;
const MAX_ENTRIES = 5000;

/** Registries declared in one file's code (comments blanked), and the lines where a `flags` object only sets values. */
export function findCodeRegistries(path: string, code: string, bindings: readonly NamedBinding[] = []): { registries: CodeRegistry[]; overrideLines: Set<number> } {
  const registries: CodeRegistry[] = [];
  const overrideLines = new Set<number>();
  if (isTest(path)) return { registries, overrideLines };
  if (!/flag|feature|toggle/i.test(code) && !FLAGGISH_PATH.test(path)) return { registries, overrideLines };
  const lineOf = lineIndex(code);
  const add = (name: string, at: number, shape: CodeRegistry['shape'], entries: RegistryEntry[]) => {
    const kept = entries.filter((e) => isKeyShaped(e.key) && !e.key.includes('://')).slice(0, MAX_ENTRIES);
    if (kept.length > 0) registries.push({ name, path, line: lineOf(at), shape, entries: kept });
  };
  const braceBody = (open: number): [number, number] | undefined => {
    const close = closingBracket(code, open);
    return close < 0 ? undefined : [open + 1, close - 1];
  };

  // enum Name { … } (TypeScript, C#, Java, Kotlin, Swift, Rust, Dart)
  for (const m of code.matchAll(/\benum\s+(?:class\s+|struct\s+)?([A-Za-z_$][\w$]*)\b[^{;=\n]{0,200}\{/g)) {
    if (!isRegistryName(m[1]!, 'enum')) continue;
    const body = braceBody(m.index + m[0].length - 1);
    if (body) add(m[1]!, m.index, 'enum', collectEntries(code, body[0], body[1], 'enum', lineOf));
  }
  // type Name = 'a' | 'b'  /  type Name = { a: boolean }  /  interface Name { a: boolean }
  for (const m of code.matchAll(/\b(type|interface)\s+([A-Za-z_$][\w$]*)\s*(?:<[^=>{]{0,100}>)?\s*(?:extends\s+[^{]{1,200})?(=\s*|\{)/g)) {
    const name = m[2]!;
    const union = m[1] === 'type' && !m[3]!.startsWith('{') && !/^\s*\{/.test(code.slice(m.index + m[0].length, m.index + m[0].length + 20));
    if (!isRegistryName(name, union ? 'union' : 'other') || (!union && isSchemaName(name))) continue;
    let at = m.index + m[0].length;
    if (m[3] === '{') at--;
    while (code[at] === ' ' || code[at] === '\n' || code[at] === '\t' || code[at] === '\r') at++;
    if (code[at] === '{') {
      const body = braceBody(at);
      // A type of flags: its members are mostly booleans or variants; an entity's fields are strings and numbers.
      if (body && booleanMembers(code.slice(body[0], body[1]))) add(name, m.index, 'type', collectEntries(code, body[0], body[1], 'type', lineOf));
    } else if (m[1] === 'type') {
      // A union of string literals, up to the statement's end.
      let end = at;
      while (end < code.length && end - at < 200_000) {
        const c = code[end]!;
        if (c === ';' || (c === '\n' && !/^\s*\|/.test(code.slice(end + 1, end + 200)) && !/[|=]\s*$/.test(code.slice(Math.max(at, end - 5), end)))) break;
        if (c === '"' || c === "'") {
          const j = stringEnd(code, end, code.length);
          if (j > 0) {
            end = j;
            continue;
          }
        }
        end++;
      }
      const union = code.slice(at, end);
      if (/^\|?\s*['"]/.test(union.trim())) add(name, m.index, 'union', stringsIn(code, at, end, lineOf));
    }
  }
  // class / object / struct with constants (C#, Java, Kotlin, PHP, TypeScript)
  if (!PYTHON.test(path) && !RUBY.test(path)) {
    for (const m of code.matchAll(/\b(?:class|object|struct)\s+([A-Za-z_$][\w$]*)\b[^{;=]{0,200}?\{/g)) {
      if (!isRegistryName(m[1]!) || isSchemaName(m[1]!)) continue;
      const body = braceBody(m.index + m[0].length - 1);
      if (!body) continue;
      // Constants whose value is the key; fields and methods of a class are not flags.
      const entries = collectEntries(code, body[0], body[1], 'constants', lineOf).filter((e) => e.key !== e.member);
      add(m[1]!, m.index, 'constants', entries);
    }
  }
  // Python classes: an Enum of flags, a class of constants, a settings model of boolean fields.
  if (PYTHON.test(path)) {
    for (const m of code.matchAll(/^([ \t]*)class\s+([A-Za-z_]\w*)\s*(\([^)]*\))?\s*:/gm)) {
      if (!isRegistryName(m[2]!, /Enum\b/.test(m[3] ?? '') ? 'enum' : 'other')) continue;
      const indent = m[1]!.length;
      const start = m.index + m[0].length;
      const lines = code.slice(start).split('\n');
      let offset = start;
      let bodyIndent = -1;
      const entries: RegistryEntry[] = [];
      for (const [i, line] of lines.entries()) {
        const here = offset;
        offset += line.length + 1;
        if (i === 0 || line.trim() === '') continue;
        const ind = line.length - line.trimStart().length;
        if (ind <= indent) break;
        if (bodyIndent < 0) bodyIndent = ind;
        if (ind !== bodyIndent) continue;
        const e = entryOf(line, 'constants');
        if (e && !/^(def|class|return|if|for|async|await|pass|model_config|Config)\b/.test(line.trim())) entries.push({ member: e.member, key: e.key, line: lineOf(here), defaultServed: e.defaultServed });
      }
      add(m[2]!, m.index, 'constants', entries);
    }
  }
  // Ruby modules and classes of constants.
  if (RUBY.test(path)) {
    for (const m of code.matchAll(/^([ \t]*)(?:module|class)\s+([A-Z][\w:]*)/gm)) {
      const name = m[2]!.slice(m[2]!.lastIndexOf(':') + 1);
      if (!isRegistryName(name)) continue;
      const endMatch = new RegExp(`^${m[1]}end\\b`, 'm').exec(code.slice(m.index + m[0].length));
      const to = endMatch ? m.index + m[0].length + endMatch.index : code.length;
      const entries: RegistryEntry[] = [];
      for (const c of code.slice(m.index, to).matchAll(/^[ \t]+([A-Z][A-Z0-9_]*)\s*=\s*(.+)$/gm)) {
        const v = valueOf(c[2]!.replace(/\.freeze\s*$/, ''));
        const sym = /^:(\w+)/.exec(c[2]!.trim());
        const key = v.key ?? sym?.[1];
        if (key) entries.push({ member: c[1]!, key, line: lineOf(m.index + c.index!) });
      }
      add(name, m.index, 'module', entries);
    }
  }
  // Name = { … } / Name = [ … ] (JavaScript, TypeScript, Python, Ruby, Kotlin, Go maps), and createFeatureFlags({ … }).
  for (const m of code.matchAll(/(?:^|[\s;(,{])([A-Za-z_$][\w$]*)\s*(?::\s*[^=\n;]{1,160}?)?\s*(?::=|=(?![=>]))\s*(?:Object\.freeze\(\s*|new\s+[\w.<>, ]+\s*|map\[[^\]]+\][\w.]+\s*|dict\(\s*|)(\{|\[|%[wi][[(])/g)) {
    const name = m[1]!;
    // `type Flags = {` is read above, as a type.
    if (/\b(type|interface)\s+$/.test(code.slice(Math.max(0, m.index - 12), m.index + m[0].indexOf(name)))) continue;
    const registry = isRegistryName(name) && !isSchemaName(name);
    const flagsObject = /flags$/i.test(name);
    if (!registry && !flagsObject) continue;
    const open = m.index + m[0].length - m[2]!.length + (m[2]!.startsWith('%') ? 2 : 0);
    const close = closingBracket(code, open);
    if (close < 0) continue;
    const array = code[open] === '[' || code[open] === '(';
    const entries = array ? plainStrings(code, open + 1, close - 1, lineOf) : collectEntries(code, open + 1, close - 1, 'object', lineOf);
    if (registry) add(name, m.index + m[0].length - m[2]!.length, array ? 'array' : 'object', entries);
    else if (!array && entries.length > 0 && entries.every((e) => e.defaultServed !== undefined)) {
      // `flags: { newUi: true }` in a development or test set-up sets flags, it does not use them.
      for (const e of entries) overrideLines.add(e.line);
    }
  }
  // `flags: { … }` as a property of a larger object: only ever values set, never uses.
  for (const m of code.matchAll(/(?:^|[\s{,(])([A-Za-z_$][\w$]*[Ff]lags)\s*:\s*\{/g)) {
    const open = m.index + m[0].length - 1;
    const close = closingBracket(code, open, 200_000);
    if (close < 0) continue;
    const entries = collectEntries(code, open + 1, close - 1, 'object', lineOf);
    if (entries.length > 0 && entries.every((e) => e.defaultServed !== undefined)) for (const e of entries) overrideLines.add(e.line);
  }
  for (const m of code.matchAll(/(?:^|[\s{,(])(flags)\s*:\s*\{/g)) {
    const open = m.index + m[0].length - 1;
    const close = closingBracket(code, open, 200_000);
    if (close < 0) continue;
    const entries = collectEntries(code, open + 1, close - 1, 'object', lineOf);
    if (entries.length > 0 && entries.every((e) => e.defaultServed !== undefined)) for (const e of entries) overrideLines.add(e.line);
  }
  for (const m of code.matchAll(/\b([A-Za-z_$][\w$]*)\s*\(\s*\{/g)) {
    if (!isRegistryName(m[1]!) || !/^(create|define|make|build|register|declare|setup|init)/i.test(m[1]!)) continue;
    const open = m.index + m[0].length - 1;
    const close = closingBracket(code, open);
    if (close > 0) add(m[1]!, m.index, 'call', collectEntries(code, open + 1, close - 1, 'object', lineOf));
  }
  // A flags module's own constants: FEATURE_FLAG_NEW_UI = 'new-ui'.
  if (FLAGGISH_PATH.test(path)) {
    const constants = bindings.filter((b) => !b.entry && FLAG_CONSTANT.test(b.name));
    if (constants.length > 0) {
      registries.push({ name: path.slice(path.lastIndexOf('/') + 1), path, line: constants[0]!.binding.line, shape: 'module', entries: constants.map((b) => ({ member: b.name, key: b.binding.value, line: b.binding.line })) });
    }
  }
  const seen = new Set<string>();
  const unique = registries.filter((r) => {
    const id = `${r.name}:${r.line}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  return { registries: unique, overrideLines };
}
