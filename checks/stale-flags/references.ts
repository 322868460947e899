// Flag keys at SDK call sites, in source text whose comments were blanked (lexer.ts).
import { isKeyShaped } from './keys.ts';
import { lineIndex } from './lexer.ts';
import { SDKS, type Sdk } from './sdks.ts';

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
}

const WINDOW = 600;
const LABEL = /^(?:flag_?key|flagKey|FlagKey|feature_?key|featureKey|key|name|feature|feature_name|featureName|flag|flag_name|flagName)\s*(?::|=>|=)\s*/;
const OBJECT_KEY = /(?:^|[\s{,(])(?:flag_?[Kk]ey|FlagKey|feature_?[Kk]ey|key)\s*[:=]\s*/g;

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
}

/** The key a call names, read from its arguments starting at `pos` (just after the parenthesis). */
export function keysFromArguments(text: string, pos: number, opts: { contextFirst?: boolean; list?: boolean; keySecond?: boolean } = {}): KeyAt[] | 'dynamic' {
  if (opts.keySecond) {
    const first = keysFromArguments(text, pos);
    const next = first === 'dynamic' ? -1 : nextArgument(text, pos);
    const second = next >= 0 ? keysFromArguments(text, next) : 'dynamic';
    return second !== 'dynamic' ? second : first;
  }
  let p = skipSpace(text, pos);
  for (let arg = 0; arg < (opts.contextFirst ? 2 : 1); arg++) {
    const label = LABEL.exec(text.slice(p, p + 40));
    const at = label ? skipSpace(text, p + label[0].length) : p;
    const literal = literalAt(text, at);
    if (literal) {
      const after = skipSpace(text, literal.end);
      // `'checkout-' + variant`, `"%s-flag" % name`, `'a'.concat(b)`: the key is computed.
      const computed = /^[+.[%*(?]/.test(text.slice(after, after + 1));
      if (!computed && isKeyShaped(literal.value)) {
        return [{ value: literal.value, offset: literal.start }];
      }
      return 'dynamic';
    }
    const c = text[at];
    const objectStart = c === '{' ? at : /^&?[\w.]*\{/.test(text.slice(at, at + 80)) ? text.indexOf('{', at) : -1;
    if (objectStart >= 0) {
      const body = text.slice(objectStart, groupEnd(text, objectStart));
      OBJECT_KEY.lastIndex = 0;
      for (let m = OBJECT_KEY.exec(body); m; m = OBJECT_KEY.exec(body)) {
        const lit = literalAt(body, m.index + m[0].length);
        if (lit && isKeyShaped(lit.value)) return [{ value: lit.value, offset: objectStart + lit.start }];
      }
      return 'dynamic';
    }
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
  scan(path: string, code: string): CallScan;
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
    scan(path, code) {
      const refs: Reference[] = [];
      let dynamic = 0;
      const lineOf = lineIndex(code);
      const add = (key: string, offset: number, provider: string) => refs.push({ key, path, line: lineOf(offset), provider, kind: 'call' });

      if (call) {
        call.lastIndex = 0;
        for (let m = call.exec(code); m; m = call.exec(code)) {
          const method = m[1]!;
          const candidates = byMethod.get(method)!;
          const receiver = candidates.some((s) => s.receiver?.methods.includes(method)) ? receiverBefore(code, m.index) : '';
          const sdk = candidates.find((s) => !s.receiver || !s.receiver.methods.includes(method) || s.receiver.pattern.test(receiver));
          if (!sdk) continue;
          // Without parentheses (Ruby `Flipper.enabled? :search`) only predicate methods are calls.
          if (m[2] !== '(' && !method.endsWith('?')) continue;
          const keys = keysFromArguments(code, m.index + m[0].length, { contextFirst: sdk.contextFirst?.includes(method), list: sdk.listArgument?.includes(method), keySecond: sdk.keySecond?.includes(method) });
          if (keys === 'dynamic') dynamic++;
          else for (const k of keys) add(k.value, k.offset, sdk.id);
        }
      }
      if (has('flipper')) {
        for (const m of code.matchAll(/\bFlipper\s*\[\s*/g)) {
          const lit = literalAt(code, m.index + m[0].length);
          if (lit && isKeyShaped(lit.value)) add(lit.value, lit.start, 'flipper');
        }
      }
      if (has('launchdarkly')) {
        // React: `const { newCheckoutFlow } = useFlags();` names camelCased keys.
        for (const m of code.matchAll(/\{([^{}]{1,2000})\}\s*=\s*useFlags\s*\(\s*\)/g)) {
          const body = m[1]!;
          const bodyStart = m.index + 1;
          for (const p of body.matchAll(/(?:^|,)\s*([A-Za-z_$][\w$]*)/g)) add(p[1]!, bodyStart + p.index + p[0].length - p[1]!.length, 'launchdarkly');
        }
        for (const m of code.matchAll(/\buseFlags\s*\(\s*\)\s*(?:\?\.|\.)\s*([A-Za-z_$][\w$]*)/g)) add(m[1]!, m.index + m[0].length - m[1]!.length, 'launchdarkly');
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
          const keys = keysFromArguments(code, m.index + m[0].length);
          if (keys === 'dynamic') dynamic++;
          else for (const k of keys) add(k.value, k.offset, c.provider);
        }
      }
      return { refs, dynamic };
    },
  };
}

const SYMBOL_FILE = /\.(rb|rake|erb|haml|slim|ex|exs|heex)$/i;

/**
 * Bare mentions of keys in `wanted` (compared normalised): string literals, Ruby/Elixir symbols,
 * and registry constants by name. They make a defined flag count as used even where the call
 * site passes the key through a variable.
 */
export function scanMentions(path: string, code: string, wanted: (key: string) => boolean, constants?: RegExp): Reference[] {
  const refs: Reference[] = [];
  const lineOf = lineIndex(code);
  for (const m of code.matchAll(/(['"`])([A-Za-z0-9_][A-Za-z0-9_.:/@+-]{0,199})\1/g)) {
    if (wanted(m[2]!)) refs.push({ key: m[2]!, path, line: lineOf(m.index + 1), provider: '*', kind: 'mention' });
  }
  if (SYMBOL_FILE.test(path)) {
    for (const m of code.matchAll(/(?<![\w:]):([A-Za-z_]\w{0,199})(?![\w:])/g)) {
      if (wanted(m[1]!)) refs.push({ key: m[1]!, path, line: lineOf(m.index + 1), provider: '*', kind: 'mention' });
    }
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
