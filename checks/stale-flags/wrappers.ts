// The project's own flag accessors: functions whose parameter ends up as the key of a flag call
// (`isFeatureEnabled(org, key)` that calls `ldClient.variation(key, …)`, Ruby's
// `def self.enabled?(name) = Flipper.enabled?(name)`). Calls to them name flags too. Functions are
// found by their signature in each language we read, their bodies by brackets, indentation or
// `end`; nothing is parsed beyond that.
import { closingBracket } from './structure.ts';

export interface FunctionSpan {
  name: string;
  /** Parameter names in order; a destructured parameter `{ flag, key }` lists its fields. */
  params: { name: string; index: number; field?: boolean }[];
  start: number;
  bodyStart: number;
  bodyEnd: number;
}

export interface Wrapper {
  name: string;
  /** Which argument of a call to the wrapper is the key. */
  index: number;
  /** The field of that argument that is the key (`getFeatureFlag({ flag: 'x' })`, or `args.flag` in the wrapper). */
  field?: string;
  provider: string;
  path: string;
  line: number;
}

const BRACE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs|vue|svelte|go|java|kt|kts|cs|php|rs|scala|swift|dart|groovy|c|cc|cpp|h|hpp)$/i;
const PYTHON = /\.py$/i;
const END_BLOCK = /\.(rb|rake|ex|exs)$/i;
const TYPE_FIRST = /\.(java|cs|c|cc|cpp|h|hpp|dart|groovy)$/i;
const GO = /\.go$/i;
const KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'catch', 'function', 'return', 'else', 'do', 'try', 'with', 'new', 'typeof', 'await', 'super', 'constructor', 'elif', 'foreach', 'using', 'lock', 'fixed', 'match', 'when', 'select', 'case', 'sizeof']);

function paramName(raw: string, path: string): string | undefined {
  let p = raw.trim();
  if (p === '') return undefined;
  p = p.replace(/=[\s\S]*$/, '').replace(/\\\\[\s\S]*$/, '').trim(); // defaults, Elixir `\\ []`
  p = p.replace(/^(?:readonly|public|private|protected|final|const|mut|ref|out|in|params|val|var|@\w+(?:\([^)]*\))?)\s+/g, '');
  if (GO.test(path)) return /^[A-Za-z_]\w*/.exec(p)?.[0];
  if (TYPE_FIRST.test(path)) {
    const words = p.replace(/<[^>]*>/g, '').match(/[A-Za-z_$][\w$]*/g);
    return words?.[words.length - 1];
  }
  p = p.replace(/^[*&.]+/, '').replace(/^\$/, '');
  return /^[A-Za-z_$][\w$]*/.exec(p)?.[0];
}

function splitTop(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '(' || c === '[' || c === '{' || c === '<') depth++;
    else if (c === ')' || c === ']' || c === '}' || c === '>') depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

function paramsOf(text: string, path: string): FunctionSpan['params'] {
  const out: FunctionSpan['params'] = [];
  splitTop(text).forEach((raw, index) => {
    const t = raw.trim();
    if (t.startsWith('{')) {
      for (const f of t.slice(1, t.indexOf('}') > 0 ? t.indexOf('}') : undefined).split(',')) {
        const n = /^\s*([A-Za-z_$][\w$]*)/.exec(f)?.[1];
        if (n) out.push({ name: n, index, field: true });
      }
      return;
    }
    const n = paramName(t, path);
    if (n) out.push({ name: n, index });
  });
  return out;
}

const MAX_BODY = 60_000;

/**
 * Where a function's body starts after its parameter list closes at `close`: a return type, `throws`
 * or `where` clauses may come first (and, in Go, a parenthesised list of results); a call has none.
 */
function bodyAfter(code: string, close: number, parens: boolean): { kind: 'block' | 'arrow'; at: number } | undefined {
  const limit = Math.min(code.length, close + 300);
  let newlines = 0;
  for (let i = close; i < limit; i++) {
    const c = code[i]!;
    if (c === '{') return { kind: 'block', at: i };
    if (c === '=' && code[i + 1] === '>') return { kind: 'arrow', at: i + 2 };
    if (c === '\n' && ++newlines > 1) return undefined;
    if (c === ';' || c === '=' || c === ',' || c === '}' || c === '"' || c === "'" || c === '`' || c === ']') return undefined;
    if ((c === '(' || c === ')') && !parens) return undefined;
  }
  return undefined;
}

/** Functions and methods defined in one file's code (comments blanked). */
export function functionsIn(path: string, code: string): FunctionSpan[] {
  const out: FunctionSpan[] = [];
  if (BRACE.test(path)) {
    // function name(…) / name(…) { (methods) / name = (…) => / name: async (…) => / func (r T) Name(…) / fn name(…)
    const head = /(?:\bfunction\s*\*?\s*([A-Za-z_$][\w$]*)\s*(?:<[^>()]*>)?\s*\(|\bfunc\s*(?:\([^)]*\)\s*)?([A-Za-z_]\w*)\s*\(|\bfn\s+([A-Za-z_]\w*)\s*(?:<[^>()]*>)?\s*\(|\bfun\s+(?:<[^>]*>\s*)?(?:[\w.]+\.)?([A-Za-z_]\w*)\s*\(|(?:^|[\s;{},])([A-Za-z_$][\w$]*)\s*[:=]\s*(?:async\s+)?(?:function\s*)?\(|(?:^|[\s;{}])([A-Za-z_$][\w$]*)\s*(?:<[^>()]*>)?\s*\()/gm;
    for (const m of code.matchAll(head)) {
      const name = m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5] ?? m[6];
      if (!name || KEYWORDS.has(name)) continue;
      const open = m.index + m[0].length - 1;
      const close = closingBracket(code, open, 4000);
      if (close < 0) continue;
      // What follows the parameters: a return type, then `{` or `=>`; a plain call has neither.
      const after = bodyAfter(code, close, GO.test(path));
      let bodyStart: number;
      let bodyEnd: number;
      if (after?.kind === 'arrow') {
        bodyStart = after.at;
        while (bodyStart < code.length && /\s/.test(code[bodyStart]!)) bodyStart++;
        if (code[bodyStart] === '{') {
          const end = closingBracket(code, bodyStart, MAX_BODY);
          if (end < 0) continue;
          bodyEnd = end;
        } else {
          const nl = code.indexOf('\n', bodyStart);
          bodyEnd = nl < 0 ? code.length : nl;
          // A multi-line call as the expression body.
          const paren = code.indexOf('(', bodyStart);
          if (paren >= 0 && paren < bodyEnd) bodyEnd = Math.max(bodyEnd, closingBracket(code, paren, MAX_BODY));
        }
      } else if (after?.kind === 'block') {
        bodyStart = after.at;
        const end = closingBracket(code, bodyStart, MAX_BODY);
        if (end < 0) continue;
        bodyEnd = end;
      } else continue;
      out.push({ name, params: paramsOf(code.slice(open + 1, close - 1), path), start: m.index, bodyStart, bodyEnd });
    }
  } else if (PYTHON.test(path)) {
    for (const m of code.matchAll(/^([ \t]*)(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(/gm)) {
      const open = m.index + m[0].length - 1;
      const close = closingBracket(code, open, 4000);
      if (close < 0) continue;
      const indent = m[1]!.length;
      let end = code.indexOf('\n', close);
      while (end >= 0 && end < code.length) {
        const next = code.indexOf('\n', end + 1);
        const line = code.slice(end + 1, next < 0 ? code.length : next);
        if (line.trim() !== '' && line.length - line.trimStart().length <= indent) break;
        if (next < 0) {
          end = code.length;
          break;
        }
        end = next;
        if (end - close > MAX_BODY) break;
      }
      const params = paramsOf(code.slice(open + 1, close - 1), path).filter((p) => p.name !== 'self' && p.name !== 'cls');
      // `self` is not an argument at the call site: renumber.
      const shift = /^\s*(self|cls)\b/.test(code.slice(open + 1, close - 1)) ? 1 : 0;
      out.push({ name: m[2]!, params: params.map((p) => ({ ...p, index: p.index - shift })), start: m.index, bodyStart: close, bodyEnd: end < 0 ? code.length : end });
    }
  } else if (END_BLOCK.test(path)) {
    for (const m of code.matchAll(/^([ \t]*)defp?\s+(?:self\.)?([A-Za-z_]\w*[?!]?)\s*(\(|[ \t]+(?=[a-z_]))/gm)) {
      const indent = m[1]!;
      let paramsText = '';
      let after: number;
      if (m[3] === '(') {
        const open = m.index + m[0].length - 1;
        const close = closingBracket(code, open, 4000);
        if (close < 0) continue;
        paramsText = code.slice(open + 1, close - 1);
        after = close;
      } else {
        const nl = code.indexOf('\n', m.index + m[0].length);
        after = nl < 0 ? code.length : nl;
        paramsText = code.slice(m.index + m[0].length, after).replace(/\bdo\s*$/, '');
      }
      const rest = code.slice(after, after + 200);
      let bodyEnd: number;
      if (/^[^\n]*(?:,\s*do:|\)\s*=|^\s*=)/.test(rest) || /^\s*=/.test(rest)) {
        const nl = code.indexOf('\n', after);
        bodyEnd = nl < 0 ? code.length : nl;
      } else {
        const endRe = new RegExp(`^${indent}end\\b`, 'm');
        const found = endRe.exec(code.slice(after, after + MAX_BODY));
        bodyEnd = found ? after + found.index : Math.min(code.length, after + MAX_BODY);
      }
      out.push({ name: m[2]!, params: paramsOf(paramsText, path), start: m.index, bodyStart: after, bodyEnd });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** The innermost function whose body holds `offset`. */
export function enclosing(functions: readonly FunctionSpan[], offset: number): FunctionSpan | undefined {
  let best: FunctionSpan | undefined;
  for (const f of functions) {
    if (f.start > offset) break;
    if (offset >= f.bodyStart && offset < f.bodyEnd && (!best || f.bodyStart >= best.bodyStart)) best = f;
  }
  return best;
}

/** Names too common to follow anywhere: a call to them says nothing about flags. */
const TOO_COMMON = new Set(['get', 'set', 'call', 'run', 'check', 'fetch', 'value', 'values', 'apply', 'evaluate', 'resolve', 'handle', 'execute', 'process', 'invoke', 'test', 'it', 'describe', 'load', 'read', 'find', 'map', 'filter', 'render', 'update', 'init', 'main', 'new', 'create', 'build', 'wrap', 'wrapper', 'proxy', 'send', 'emit', 'log', 'error', 'warn', 'info', 'debug']);

/**
 * The wrapper a dynamic flag call makes of its function: the argument text (`key`, `args.flag`,
 * `flag`) names a parameter, or a field of one.
 */
export function wrapperOf(fn: FunctionSpan, argument: string, provider: string, path: string, line: number): Wrapper | undefined {
  // Short names are too common to follow, except Ruby predicates (`Switches.on?(:x)`).
  if (fn.name.replace(/[?!]$/, '').length < (fn.name.endsWith('?') ? 2 : 4) || TOO_COMMON.has(fn.name.toLowerCase())) return undefined;
  // An accessor known by name may take a context first (`check_feature_enabled(session, org_id)`): only a parameter named like a key is one.
  if (provider === 'in-house' && !/key|flag|feature|toggle|name|switch|experiment/i.test(argument)) return undefined;
  const a = argument.trim().replace(/\s+/g, '');
  const direct = /^(?:\*\*?)?([A-Za-z_$][\w$]*)$/.exec(a);
  const member = /^([A-Za-z_$][\w$]*)(?:\?\.|\.|\[['"])([A-Za-z_$][\w$]*)['"\]]*$/.exec(a);
  if (direct) {
    const p = fn.params.find((x) => x.name === direct[1]);
    if (p) return { name: fn.name, index: p.index, field: p.field ? p.name : undefined, provider, path, line };
  }
  if (member) {
    const p = fn.params.find((x) => x.name === member[1] && !x.field);
    if (p) return { name: fn.name, index: p.index, field: member[2], provider, path, line };
  }
  return undefined;
}
