// Flag keys at SDK call sites, in source text whose comments were blanked (lexer.ts).
import { isKeyShaped } from './keys.ts';
import { lineIndex } from '../shared/text.ts';
import { isAccessorCall } from './accessors.ts';
import { CLIENT_RECEIVER, SDKS, type Sdk } from './sdks.ts';
import type { Wrapper } from './wrappers.ts';

export interface Reference {
  key: string;
  path: string;
  line: number;
  provider: string;
  /** A call site names the flag; a mention is the key as a bare string (or symbol, or registry constant) anywhere else. */
  kind: 'call' | 'mention';
}

export interface CustomCallPattern {
  /** A regular expression. Without a capture group it matches the callee and the key is read from the arguments; with one, the group is the key. */
  match: string;
  provider: string;
}

interface CompiledCustom {
  regex: RegExp;
  provider: string;
  capture: boolean;
}

export interface CallScan {
  refs: Reference[];
  /** Call sites whose key is computed (a variable, a template with placeholders): they cannot be checked. */
  dynamic: number;
  /** Where those calls' arguments start and which one holds the key (unknown: the first or the second), for finding the project's own accessors that pass a parameter on. */
  dynamicCalls: { offset: number; provider: string; argument?: number }[];
}

/** Where a constant that names a key is bound (`const FLAG = 'new-ui'`, `NEW_UI: 'new-ui'`, `@flag :new_ui`). */
export interface Binding {
  value: string;
  path: string;
  line: number;
}

/** What an identifier passed as a key stands for; undefined when it is unknown or bound to different keys. */
export type Resolve = (chain: string, name: string) => Binding | undefined;

const WINDOW = 600;
const LABEL = /^(?:flag_?key|flagKey|FlagKey|feature_?key|featureKey|key|name|feature|feature_name|featureName|flag|flag_name|flagName)\s*(?::|=>|=)\s*/;
/** Fields of an argument object that name the flag, in order of preference: `{ key: user.id, flag: 'x' }` names x. */
const OBJECT_FIELDS = [
  /(?:^|[\s{,(])(?:flag_?[Kk]ey|FlagKey|feature_?[Kk]ey|FeatureKey|flag|Flag|flag_?[Nn]ame|FlagName|feature_?[Nn]ame|featureFlag|feature_flag|toggle|toggle_?[Nn]ame)\s*[:=]\s*/g,
  /(?:^|[\s{,(])(?:key|Key|feature|name)\s*[:=]\s*/g,
];

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A string literal or symbol starting at `pos`: its text and where it ends; undefined when there is none. */
export function literalAt(text: string, pos: number): { value: string; end: number; start: number } | undefined {
  let i = pos;
  let c = text[i];
  // Prefixes: Python r/u/b (not f: formatted), C# @ (not $: interpolated).
  if ((c === 'r' || c === 'u' || c === 'b' || c === 'R' || c === 'U' || c === 'B' || c === '@') && (text[i + 1] === '"' || text[i + 1] === "'")) {
    i++;
    c = text[i];
  }
  if (c === ':' && text[i + 1] !== ':') {
    if (text[i + 1] === '"' || text[i + 1] === "'") return literalAt(text, i + 1);
    const m = /^:([A-Za-z_][\w]*[?!]?)/.exec(text.slice(i, i + 202));
    return m ? { value: m[1]!, start: i + 1, end: i + m[0].length } : undefined;
  }
  if (c !== '"' && c !== "'" && c !== '`') return undefined;
  let j = i + 1;
  const limit = Math.min(text.length, i + 1 + 400);
  while (j < limit) {
    const d = text[j];
    if (d === '\\') return undefined; // escapes do not occur in flag keys
    if (d === c) return { value: text.slice(i + 1, j), start: i + 1, end: j + 1 };
    if (d === '\n') return undefined;
    j++;
  }
  return undefined;
}

function skipSpace(text: string, pos: number): number {
  while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  return pos;
}

/** Index just past the next top-level comma of an argument list, or -1 at its end. */
function nextArgument(text: string, pos: number): number {
  let depth = 0;
  const limit = Math.min(text.length, pos + WINDOW);
  for (let i = pos; i < limit; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'" || c === '`') {
      const lit = literalAt(text, i);
      if (lit) i = lit.end - 1;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) return -1;
      depth--;
    } else if (c === ',' && depth === 0) return i + 1;
  }
  return -1;
}

/** End of the bracketed group opening at `pos` (exclusive), bounded by the window. */
function groupEnd(text: string, pos: number): number {
  const open = text[pos];
  const close = open === '{' ? '}' : open === '[' ? ']' : ')';
  let depth = 0;
  const limit = Math.min(text.length, pos + WINDOW);
  for (let i = pos; i < limit; i++) {
    const c = text[i];
    if (c === open) depth++;
    else if (c === close && --depth === 0) return i + 1;
  }
  return limit;
}

interface KeyAt {
  value: string;
  offset: number;
  /** The constant the key was passed through. */
  via?: Binding;
}

/** What a call's arguments say: keys, a key computed at run time, or nothing a flag SDK would take (no argument, a sentence). */
export type ArgumentKeys = KeyAt[] | 'dynamic' | 'none';

/** An identifier or member chain (`FLAG`, `Flags.NEW_UI`, `flags::NEW_UI`, `@flag`) that ends an argument. */
const IDENTIFIER_ARGUMENT = /^((?:(?:this|self)\.)?(?:[A-Za-z_$][\w$]*(?:\?\.|\.|::|->))*)(@?[A-Za-z_$][\w$]*)\s*(?=[,)}\]]|$)/;

/** A key-shaped literal, with what may follow it and still leave it whole (`'k'.freeze`, `'k' as const`). */
function literalKey(text: string, at: number): { key?: KeyAt; computed: boolean } | undefined {
  const literal = literalAt(text, at);
  if (!literal) return undefined;
  let after = skipSpace(text, literal.end);
  if (text.startsWith('.freeze', after)) after = skipSpace(text, after + 7);
  // `'checkout-' + variant`, `"%s-flag" % name`, `'a'.concat(b)`: the key is computed.
  const computed = /^[+.[%*(?]/.test(text.slice(after, after + 1));
  if (computed) return { computed: true };
  if (isKeyShaped(literal.value)) return { key: { value: literal.value, offset: literal.start }, computed: false };
  // A template with placeholders (`checkout-${v}`, "#{name}_flag", '%s-beta') is computed; a sentence is no key at all.
  return { computed: /\$\{|#\{|%[sd(]|\{\w*\}/.test(literal.value) };
}

/** Whether the argument list at `pos` holds at least `n` arguments (a window of text is looked at, never more). */
export function hasArguments(text: string, pos: number, n: number): boolean {
  let p = skipSpace(text, pos);
  if (n <= 0) return true;
  if (p >= text.length || text[p] === ')') return false;
  for (let count = 1; count < n; count++) {
    const next = nextArgument(text, p);
    if (next < 0) return false;
    p = skipSpace(text, next);
    if (text[p] === ')') return false; // a trailing comma
  }
  return true;
}

/** The key a call names, read from its arguments starting at `pos` (just after the parenthesis). */
export function keysFromArguments(text: string, pos: number, opts: { contextFirst?: boolean; list?: boolean; keySecond?: boolean; resolve?: Resolve; field?: string } = {}): ArgumentKeys {
  if (opts.keySecond) {
    const first = keysFromArguments(text, pos, { resolve: opts.resolve });
    const next = nextArgument(text, pos);
    const second = next >= 0 ? keysFromArguments(text, next, { resolve: opts.resolve }) : 'none';
    return Array.isArray(second) ? second : first;
  }
  let p = skipSpace(text, pos);
  if (text[p] === ')' || p >= text.length) return 'none';
  for (let arg = 0; arg < (opts.contextFirst ? 2 : 1); arg++) {
    const label = LABEL.exec(text.slice(p, p + 40));
    const at = label ? skipSpace(text, p + label[0].length) : p;
    const literal = literalKey(text, at);
    if (literal) {
      if (literal.computed) return 'dynamic';
      // A literal that cannot be a key (`'Header text'`) is not a flag call at all.
      return literal.key ? [literal.key] : 'none';
    }
    const c = text[at];
    const objectStart = c === '{' ? at : /^&?[\w.]*\{/.test(text.slice(at, at + 80)) ? text.indexOf('{', at) : -1;
    if (objectStart >= 0) {
      const end = groupEnd(text, objectStart);
      const body = text.slice(objectStart, end);
      for (const fields of opts.field ? [new RegExp(`(?:^|[\\s{,(])${opts.field}\\s*[:=]\\s*`, 'g')] : OBJECT_FIELDS) {
        fields.lastIndex = 0;
        for (let m = fields.exec(body); m; m = fields.exec(body)) {
          const valueAt = objectStart + m.index + m[0].length;
          const lit = literalKey(text, valueAt);
          if (lit?.key) return [lit.key];
          const resolved = resolveAt(text, valueAt, opts.resolve);
          if (resolved) return [resolved];
          if (lit?.computed) return 'dynamic';
        }
      }
      return 'dynamic';
    }
    const resolved = resolveAt(text, at, opts.resolve);
    if (resolved) return [resolved];
    if (c === '[' && opts.list) {
      const end = groupEnd(text, at);
      const keys: KeyAt[] = [];
      for (let i = at + 1; i < end; i++) {
        const lit = literalAt(text, i);
        if (lit) {
          if (isKeyShaped(lit.value)) keys.push({ value: lit.value, offset: lit.start });
          i = lit.end - 1;
        }
      }
      return keys.length > 0 ? keys : 'dynamic';
    }
    if (!opts.contextFirst || arg > 0) return 'dynamic';
    const next = nextArgument(text, p);
    if (next < 0) return 'dynamic';
    p = skipSpace(text, next);
  }
  return 'dynamic';
}

/** A key passed through a constant: the identifier at `at`, looked up in the bindings. */
function resolveAt(text: string, at: number, resolve: Resolve | undefined): KeyAt | undefined {
  if (!resolve) return undefined;
  const m = IDENTIFIER_ARGUMENT.exec(text.slice(at, at + 200));
  if (!m) return undefined;
  const binding = resolve(m[1]!, m[2]!);
  return binding ? { value: binding.value, offset: at + m[1]!.length, via: binding } : undefined;
}

/**
 * `NAME = 'key'` (JS/TS, Python, Ruby, Go, Java, Kotlin, C#, PHP constants, enum members),
 * `NAME := "key"`, `NAME: 'key'` and `NAME => 'key'` (object, hash and array entries), and Elixir
 * module attributes `@name :key`. Comparisons (`==`, `!=`, `<=`) and ternaries are not bindings.
 */
const BINDING = /(?<![\w$.@])(@?[A-Za-z_$][\w$]*)(?:[ \t]*:[ \t]*[A-Za-z_][\w.<>[\], ]{0,40}?(?=[ \t]*=(?!=)))?(\s*(?::=|=>|=(?![=~>])|:(?!:))\s*|[ \t]+(?=[:'"]))/g;

export interface NamedBinding {
  name: string;
  binding: Binding;
  /** A declaration (`NAME = 'k'`, `@name :k`) or an entry of an object, hash or array (`NAME: 'k'`, `NAME => 'k'`). */
  entry: boolean;
}

/** Constants bound to a key-shaped literal in one file's code (comments blanked). */
export function collectBindings(path: string, code: string): NamedBinding[] {
  const out: NamedBinding[] = [];
  const lineOf = lineIndex(code);
  const go = /\.go$/i.test(path);
  BINDING.lastIndex = 0;
  for (let m = BINDING.exec(code); m; m = BINDING.exec(code)) {
    let name = m[1]!;
    const operator = m[2]!.trim();
    // Elixir attributes take their value after a blank (`@flag :new_ui`); other names need an operator.
    const attribute = name.startsWith('@') && operator !== '=';
    if (operator === '' && !attribute) continue;
    const entry = !attribute && (operator === ':' || operator === '=>');
    let i = m.index - 1;
    while (i >= 0 && (code[i] === ' ' || code[i] === '\t')) i--;
    // An entry, not the `a ? B : 'c'` of a ternary: it follows `{`, `,`, `(`, `[` or starts a line.
    if (entry && i >= 0 && !'{,([\n'.includes(code[i]!)) continue;
    // Go writes the type after the name: in `NewUI Flag = "new-ui"` the name is NewUI.
    if (go && operator === '=' && i >= 0 && /[\w]/.test(code[i]!)) {
      let j = i;
      while (j >= 0 && /[\w]/.test(code[j]!)) j--;
      const before = code.slice(j + 1, i + 1);
      if (before !== 'const' && before !== 'var') name = before;
    }
    let valueAt = m.index + m[0].length;
    if (attribute) {
      valueAt = m.index + name.length;
      while (code[valueAt] === ' ' || code[valueAt] === '\t') valueAt++;
    }
    const literal = literalKey(code, valueAt);
    if (!literal?.key) continue;
    let end = literalAt(code, valueAt)!.end;
    while (code[end] === ' ' || code[end] === '\t' || code[end] === '\r') end++;
    const rest = code.slice(end, end + 9);
    if (rest !== '' && !/^(?:[,;)}\]\n]|\.freeze|as const)/.test(rest)) continue;
    out.push({ name, entry, binding: { value: literal.key.value, path, line: lineOf(literal.key.offset) } });
    BINDING.lastIndex = Math.max(BINDING.lastIndex, end);
  }
  return out;
}

const FLAGGISH = /flag|feature|toggle|experiment/i;
/** `featureFlags.NEW_UI.flag`: the property of a registry entry that holds its key. */
const KEY_PROPERTIES = new Set(['flag', 'key', 'name', 'id', 'value', 'flagKey', 'flag_key']);

type Table = Map<string, Binding | null>;

function put(table: Table, name: string, binding: Binding): void {
  const seen = table.get(name);
  if (seen === undefined) table.set(name, binding);
  else if (seen !== null && seen.value !== binding.value) table.set(name, null);
}

/**
 * Resolves identifiers passed as keys. A bare name (`FLAG`) resolves through declarations only; a
 * member (`Flags.NEW_UI`, `flags.newUi`) also through object and hash entries. A name bound in the
 * same file wins; otherwise a capitalised constant bound elsewhere, when the name, the member
 * chain or the binding's file says it is about flags (`FeatureFlags.NewUi`, a constant from
 * `flags.ts`): `Level.DEBUG` passed to `logger.isEnabled` is not a flag. A name bound to different
 * keys is unknown, and the call counts as computed.
 */
export class Bindings {
  private readonly declared: Table = new Map();
  private readonly any: Table = new Map();
  private readonly local = new Map<string, { declared: Table; any: Table }>();

  add(path: string, bindings: readonly NamedBinding[]): void {
    if (bindings.length === 0) return;
    const local = { declared: new Map() as Table, any: new Map() as Table };
    const shared = FLAGGISH.test(path);
    for (const { name, binding, entry } of bindings) {
      put(local.any, name, binding);
      if (!entry) put(local.declared, name, binding);
      if (/^[A-Z]/.test(name) || shared) {
        put(this.any, name, binding);
        if (!entry) put(this.declared, name, binding);
      }
    }
    this.local.set(path, local);
  }

  /** Registry members: `FeatureName.NewUi`, `featureFlags.NEW_UI` (also as `featureFlags.NEW_UI.flag`). */
  private readonly qualified: Table = new Map();

  addQualified(qualifier: string, member: string, binding: Binding): void {
    put(this.qualified, `${qualifier}.${member}`, binding);
  }

  resolverFor(path: string): Resolve {
    const local = this.local.get(path);
    return (chain, name) => {
      if (this.qualified.size > 0 && chain !== '') {
        const segments = chain.split(/\?\.|\.|::|->/).filter((x) => x !== '');
        const last = segments[segments.length - 1];
        const hit = last !== undefined ? this.qualified.get(`${last}.${name}`) : undefined;
        if (hit) return hit;
        if (segments.length >= 2 && KEY_PROPERTIES.has(name)) {
          const inner = this.qualified.get(`${segments[segments.length - 2]}.${last}`);
          if (inner) return inner;
        }
      }
      const member = chain !== '' && !/^(?:this|self)\.$/.test(chain);
      const own = (member ? local?.any : local?.declared)?.get(name);
      if (own !== undefined) return own ?? undefined;
      const shared = (member ? this.any : this.declared).get(name);
      if (!shared) return undefined;
      return FLAGGISH.test(chain) || FLAGGISH.test(name) || FLAGGISH.test(shared.path) ? shared : undefined;
    };
  }
}

/** The identifier a method is called on (`Flipper` in `Flipper.enabled?`, `Feature` in `::Feature.enabled?`); '' for a plain call. */
function receiverBefore(code: string, at: number): string {
  let i = at - 1;
  while (i >= 0 && (code[i] === ' ' || code[i] === '\t')) i--;
  if (code[i] === '.') i -= code[i - 1] === '?' ? 2 : 1;
  else if ((code[i] === ':' && code[i - 1] === ':') || (code[i] === '>' && code[i - 1] === '-')) i -= 2;
  else return '';
  while (i >= 0 && /\s/.test(code[i]!)) i--;
  const end = i + 1;
  while (i >= 0 && /[\w$]/.test(code[i]!)) i--;
  return code.slice(i + 1, end);
}

export interface Extractor {
  scan(path: string, code: string, resolve?: Resolve): CallScan;
}

/** A call's key for an accessor that may take a context first (`isFeatureEnabled(org, 'x')`): the first key among two arguments. */
function accessorKeys(code: string, argsAt: number, resolve: Resolve | undefined, field?: string): ArgumentKeys {
  const first = keysFromArguments(code, argsAt, { resolve, field });
  if (first !== 'dynamic') return first;
  const next = nextArgument(code, argsAt);
  if (next < 0) return 'dynamic';
  const second = keysFromArguments(code, next, { resolve, field });
  return Array.isArray(second) ? second : 'dynamic';
}

/** The text of the first `n` arguments of the call whose arguments start at `pos`. */
export function argumentTexts(code: string, pos: number, n: number): string[] {
  const out: string[] = [];
  let p = pos;
  for (let i = 0; i < n; i++) {
    const next = nextArgument(code, p);
    let end = next < 0 ? p + Math.min(WINDOW, code.length - p) : next - 1;
    if (next < 0) {
      // Up to the closing parenthesis of the call.
      let depth = 0;
      for (let j = p; j < Math.min(code.length, p + WINDOW); j++) {
        const c = code[j];
        if (c === '(' || c === '[' || c === '{') depth++;
        else if (c === ')' || c === ']' || c === '}') {
          if (depth === 0) {
            end = j;
            break;
          }
          depth--;
        }
      }
    }
    out.push(code.slice(p, end).trim());
    if (next < 0) break;
    p = next;
  }
  return out;
}

/** Matches any call with its receiver chain; which of them read flags is decided by name (accessors.ts). */
const ANY_CALL = /(?<![\w$])((?:[A-Za-z_$@][\w$]*[ \t]*(?:\?\.|\.|::|->)[ \t]*)*)([A-Za-z_$][\w$]*[?!]?)[ \t]*(?:<[^<>()\n]{0,80}>[ \t]*)?(\(|[ \t]+(?=[:'"]))/g;
const DEFINITION_BEFORE = /(?:\bfunction\*?|\bdef|\bdefp|\bfn|\bfunc|\bfun|\bdef\s+self\.)\s*$/;

/** Whether the argument list opening at `argsAt` belongs to a definition (`isFeatureEnabled(key: string): boolean {`), not a call. */
function definitionAt(code: string, callStart: number, argsAt: number, path: string): boolean {
  const lineStart = code.lastIndexOf('\n', callStart) + 1;
  if (DEFINITION_BEFORE.test(code.slice(lineStart, callStart))) return true;
  // Python, Ruby and Elixir define with a keyword; `if active("x"):` is a call.
  if (/\.(py|rb|rake|ex|exs)$/i.test(path)) return false;
  let depth = 1;
  let i = argsAt;
  const limit = Math.min(code.length, argsAt + 2000);
  for (; i < limit && depth > 0; i++) {
    const c = code[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
  }
  return /^\s*(?::\s*[\w.<>[\]|, ?]+\s*)?(?:\{|=>|:\s*$|:\s*\n)/.test(code.slice(i, i + 160)) && !/^\s*\{\s*\|/.test(code.slice(i, i + 10));
}

/** The name a file is imported by: its base name without extension. */
function moduleName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1).replace(/\.[^.]+$/, '');
}

/** The receiver's last name in a chain (`this.flagResolver.` → flagResolver). */
function lastName(chain: string): string {
  const parts = chain.split(/\?\.|\.|::|->/).map((x) => x.trim()).filter((x) => x !== '');
  return (parts[parts.length - 1] ?? '').replace(/^@/, '');
}

/**
 * Calls to the project's own accessors: names that read a flag (accessors.ts), and wrappers found
 * to pass a parameter on as a flag key (wrappers.ts), with the key at that parameter's position.
 */
export function buildAccessorExtractor(wrappers: readonly Wrapper[], byName = true): Extractor {
  const byWrapper = new Map<string, Wrapper>();
  for (const w of wrappers) if (!byWrapper.has(w.name)) byWrapper.set(w.name, w);
  return {
    scan(path, code, resolve) {
      const refs: Reference[] = [];
      const dynamicCalls: CallScan['dynamicCalls'] = [];
      let dynamic = 0;
      const lineOf = lineIndex(code);
      ANY_CALL.lastIndex = 0;
      for (let m = ANY_CALL.exec(code); m; m = ANY_CALL.exec(code)) {
        const method = m[2]!;
        const parenthesised = m[3] === '(';
        if (!parenthesised && !method.endsWith('?')) continue;
        const receiver = lastName(m[1]!);
        const wrapper = byWrapper.get(method);
        const named = byName && isAccessorCall(receiver, method);
        // A wrapper with a generic name (`isEnabled`, `active`) counts only where the name or the receiver says flags,
        // or as a plain call in a file that names the wrapper's module (`from app.toggles import active`).
        const generic = wrapper !== undefined && /^(is_?|Is)?(enabled|active|on|disabled)\??$/i.test(method);
        const viaWrapper = wrapper !== undefined && (named || !generic || (receiver === '' && code.includes(moduleName(wrapper.path))));
        if (!named && !viaWrapper) continue;
        const argsAt = m.index + m[0].length;
        if (parenthesised && definitionAt(code, m.index, argsAt, path)) continue;
        const field = viaWrapper ? wrapper!.field : undefined;
        let keys: ArgumentKeys;
        if (viaWrapper && !named) {
          let p = argsAt;
          for (let i = 0; i < wrapper!.index && p >= 0; i++) p = nextArgument(code, p);
          keys = p < 0 ? 'none' : keysFromArguments(code, p, { resolve, field });
        } else keys = accessorKeys(code, argsAt, resolve, field);
        const provider = viaWrapper && !named ? wrapper!.provider : 'in-house';
        if (keys === 'dynamic') {
          dynamic++;
          dynamicCalls.push({ offset: argsAt, provider, argument: viaWrapper && !named ? wrapper!.index : undefined });
        } else if (keys !== 'none') {
          for (const k of keys) {
            refs.push({ key: k.value, path, line: lineOf(k.offset), provider, kind: 'call' });
            if (k.via) refs.push({ key: k.value, path: k.via.path, line: k.via.line, provider, kind: 'mention' });
          }
        }
      }
      return { refs, dynamic, dynamicCalls };
    },
  };
}

/** Call sites of the SDKs in `providers` (those the repository shows) and of the configured patterns. */
export function buildExtractor(providers: ReadonlySet<string>, custom: readonly CustomCallPattern[]): Extractor {
  const active = SDKS.filter((s) => providers.has(s.id));
  const byMethod = new Map<string, Sdk[]>();
  for (const sdk of active) for (const m of sdk.methods) byMethod.set(m, [...(byMethod.get(m) ?? []), sdk]);
  const names = [...byMethod.keys()].sort((a, b) => b.length - a.length).map(escapeRegex);
  const call = names.length > 0 ? new RegExp(`(?<![\\w$?!])(${names.join('|')})(?![\\w$?!])\\s*(?:<[^<>()\\n]{0,80}>\\s*)?(\\(|[ \\t]+(?=[:'"]))`, 'g') : undefined;
  const compiled: CompiledCustom[] = custom.map((c) => {
    const capture = new RegExp(`${c.match}|`).exec('')!.length > 1;
    return { regex: new RegExp(capture ? c.match : `(?:${c.match})\\s*\\(`, 'g'), provider: c.provider, capture };
  });
  const has = (id: string) => providers.has(id);

  return {
    scan(path, code, resolve) {
      const refs: Reference[] = [];
      let dynamic = 0;
      const dynamicCalls: CallScan['dynamicCalls'] = [];
      const lineOf = lineIndex(code);
      const add = (key: string, offset: number, provider: string) => refs.push({ key, path, line: lineOf(offset), provider, kind: 'call' });
      const record = (keys: ArgumentKeys, provider: string, argsAt?: number, argument = 0) => {
        if (keys === 'dynamic') {
          dynamic++;
          if (argsAt !== undefined) dynamicCalls.push({ offset: argsAt, provider, argument });
        }
        else if (keys !== 'none') {
          for (const k of keys) {
            add(k.value, k.offset, provider);
            // The constant is part of the flag too: removing the flag removes it.
            if (k.via) refs.push({ key: k.value, path: k.via.path, line: k.via.line, provider, kind: 'mention' });
          }
        }
      };

      if (call) {
        call.lastIndex = 0;
        for (let m = call.exec(code); m; m = call.exec(code)) {
          const method = m[1]!;
          const parenthesised = m[2] === '(';
          // Without parentheses (Ruby `Flipper.enabled? :search`) only predicate methods are calls.
          if (!parenthesised && !method.endsWith('?')) continue;
          const argsAt = m.index + m[0].length;
          const candidates = byMethod.get(method)!;
          const receiver = candidates.some((s) => s.receiver?.methods.includes(method) || s.clientOnly?.includes(method)) ? receiverBefore(code, m.index) : '';
          const sdk = candidates.find(
            (s) =>
              (!s.receiver || !s.receiver.methods.includes(method) || s.receiver.pattern.test(receiver)) &&
              (!s.clientOnly?.includes(method) || CLIENT_RECEIVER.test(receiver)) &&
              (!parenthesised || hasArguments(code, argsAt, s.minArguments ?? 1)),
          );
          if (!sdk) continue;
          const second = sdk.contextFirst?.includes(method) || sdk.keySecond?.includes(method);
          record(keysFromArguments(code, argsAt, { contextFirst: sdk.contextFirst?.includes(method), list: sdk.listArgument?.includes(method), keySecond: sdk.keySecond?.includes(method), resolve }), sdk.id, argsAt, second ? 1 : 0);
        }
      }
      if (has('flipper')) {
        for (const m of code.matchAll(/\bFlipper\s*\[\s*/g)) {
          const lit = literalAt(code, m.index + m[0].length);
          if (lit && isKeyShaped(lit.value)) add(lit.value, lit.start, 'flipper');
        }
      }
      if (has('launchdarkly') && /\buseFlags\b[^;]{0,400}?from\s*['"][^'"]*launch-?darkly/i.test(code)) {
        // React: `const { newCheckoutFlow } = useFlags();` names camelCased keys (LaunchDarkly's own useFlags, not a local hook).
        for (const m of code.matchAll(/\{([^{}]{1,2000})\}\s*=\s*useFlags\s*\(\s*\)/g)) {
          const body = m[1]!;
          const bodyStart = m.index + 1;
          for (const p of body.matchAll(/(?:^|,)\s*([A-Za-z_$][\w$]*)/g)) add(p[1]!, bodyStart + p.index + p[0].length - p[1]!.length, 'launchdarkly');
        }
        for (const m of code.matchAll(/\buseFlags\s*\(\s*\)\s*(?:\?\.|\.)\s*([A-Za-z_$][\w$]*)/g)) add(m[1]!, m.index + m[0].length - m[1]!.length, 'launchdarkly');
      }
      if (has('waffle')) {
        // Jinja `waffle.flag('x')`, Django templates `{% switch "x" %}`.
        for (const m of code.matchAll(/\bwaffle\.(?:flag|switch|sample)\s*\(\s*|\{%-?\s*(?:flag|switch|sample)\s+/g)) {
          const lit = literalAt(code, m.index + m[0].length);
          if (lit && isKeyShaped(lit.value)) add(lit.value, lit.start, 'waffle');
        }
      }
      // GitLab pushes flags to the frontend camelCased: gon.features.myFlag, glFeatures.myFlag.
      for (const m of code.matchAll(/\b(?:glFeatures|gon\.features)\s*(?:\?\.|\.)\s*([A-Za-z_$][\w$]*)/g)) add(m[1]!, m.index + m[0].length - m[1]!.length, 'gitlab');
      for (const c of compiled) {
        c.regex.lastIndex = 0;
        for (let m = c.regex.exec(code); m; m = c.regex.exec(code)) {
          if (m[0] === '') {
            c.regex.lastIndex++;
            continue;
          }
          if (c.capture) {
            const key = m.groups?.key ?? m[1];
            if (key !== undefined && isKeyShaped(key)) add(key, m.index + Math.max(0, m[0].indexOf(key)), c.provider);
            continue;
          }
          record(keysFromArguments(code, m.index + m[0].length, { resolve }), c.provider, m.index + m[0].length);
        }
      }
      return { refs, dynamic, dynamicCalls };
    },
  };
}

const SYMBOL_FILE = /\.(rb|rake|erb|haml|slim|ex|exs|heex)$/i;

/**
 * Bare mentions of keys that `wanted` accepts: string literals, Ruby/Elixir symbols (`:key` and
 * `key:`), and registry constants by name. They make a defined flag count as used even where the call site passes the
 * key through a variable.
 */
export function scanMentions(path: string, code: string, wanted: (key: string, symbol: boolean) => boolean, constants?: RegExp): Reference[] {
  const refs: Reference[] = [];
  const lineOf = lineIndex(code);
  for (const m of code.matchAll(/(['"`])([A-Za-z0-9_][A-Za-z0-9_.:/@+-]{0,199})\1/g)) {
    if (wanted(m[2]!, false)) refs.push({ key: m[2]!, path, line: lineOf(m.index + 1), provider: '*', kind: 'mention' });
  }
  if (SYMBOL_FILE.test(path)) {
    for (const m of code.matchAll(/(?<![\w:]):([A-Za-z_]\w{0,199})(?![\w:])/g)) {
      if (wanted(m[1]!, true)) refs.push({ key: m[1]!, path, line: lineOf(m.index + 1), provider: '*', kind: 'mention' });
    }
    // Symbol keys of hashes and keyword lists: `stub_feature_flags(new_checkout: false)`.
    for (const m of code.matchAll(/(?<![\w:@$])([A-Za-z_]\w{0,199}):(?=[ \t])/g)) {
      if (wanted(m[1]!, true)) refs.push({ key: m[1]!, path, line: lineOf(m.index), provider: '*', kind: 'mention' });
    }
  }
  // Member access by a key of several words: `flags.newCheckout`, `settings.FF_NEW_UI`, `Settings.features.routes.new_ui`.
  for (const m of code.matchAll(/(?<=[\w$)\]]\s*(?:\?\.|\.))([A-Za-z_$][\w$]*)/g)) {
    if (wanted(m[1]!, true)) refs.push({ key: m[1]!, path, line: lineOf(m.index), provider: '*', kind: 'mention' });
  }
  if (constants) {
    constants.lastIndex = 0;
    for (const m of code.matchAll(constants)) refs.push({ key: m[0], path, line: lineOf(m.index), provider: '*', kind: 'mention' });
  }
  return refs;
}

/** Which SDKs a file's text shows (an import, a require, a package name). */
export function sdkEvidence(text: string): string[] {
  return SDKS.filter((s) => s.id !== 'gitlab' && s.evidence.test(text)).map((s) => s.id);
}
