// A small lexer for the languages migrations are written in (Ruby, Python, JavaScript/TypeScript, PHP,
// Elixir, C#). It does not parse: it finds comments and string literals, so that the scanners match
// calls in code only, match brackets that are really brackets, and read the SQL inside strings.
// Offsets are preserved: `code` and `skeleton` have the length of the text, newlines in place.

import { lineIndex } from '../shared/text.ts';

export type Lang = 'ruby' | 'python' | 'js' | 'php' | 'elixir' | 'csharp';

export interface StringLiteral {
  start: number;
  end: number;
  /** Contents without quotes; escapes are left as written except \\n, \\t, \\' and \\". */
  value: string;
  /** Line of the first character of the contents (1-based). */
  line: number;
}

export interface Masked {
  text: string;
  /** Comments replaced by spaces. */
  code: string;
  /** Comments and the contents of strings replaced by spaces (quotes kept). */
  skeleton: string;
  strings: StringLiteral[];
  lineOf(offset: number): number;
  /** The string literals that start at or after `from` and before `to`. */
  stringsIn(from: number, to: number): StringLiteral[];
  /** The first string literal that starts at or after `from`. */
  firstStringFrom(from: number): StringLiteral | undefined;
  /** Is this offset inside a string literal or a comment? */
  inLiteral(offset: number): boolean;
}

export function mask(text: string, lang: Lang): Masked {
  const n = text.length;
  // Blanked ranges, applied once at the end: a char array per file would cost more than the scan.
  const commentRanges: [number, number][] = [];
  const contentRanges: [number, number][] = [];
  const strings: StringLiteral[] = [];
  const literalRanges: [number, number][] = [];
  const lineOf = lineIndex(text);
  const commentOut = (from: number, to: number) => {
    commentRanges.push([from, to]);
    literalRanges.push([from, to]);
  };
  const stringAt = (open: number, contentStart: number, contentEnd: number, close: number, raw = false) => {
    contentRanges.push([contentStart, contentEnd]);
    literalRanges.push([open, close]);
    let value = text.slice(contentStart, contentEnd);
    if (!raw) value = value.replace(/\\([nt'"\\])/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
    strings.push({ start: open, end: close, value, line: lineOf(contentStart) });
  };
  /** Ends a quoted run at the matching `quote`, honouring backslash escapes unless `raw`; returns the index of the closing quote or n. */
  const quoted = (from: number, quote: string, raw: boolean, doubled: boolean): number => {
    let k = from;
    while (k < n) {
      if (!raw && text[k] === '\\') {
        k += 2;
        continue;
      }
      if (text.startsWith(quote, k)) {
        if (doubled && text.startsWith(quote, k + quote.length)) {
          k += quote.length * 2;
          continue;
        }
        return k;
      }
      k++;
    }
    return n;
  };
  const lineEnd = (from: number) => {
    const e = text.indexOf('\n', from);
    return e === -1 ? n : e;
  };
  const heredocs: { id: string; squiggly: boolean }[] = [];
  let i = 0;
  let lineStart = true;
  while (i < n) {
    const ch = text[i]!;
    if (ch === '\n') {
      i++;
      lineStart = true;
      if (heredocs.length > 0) {
        // Ruby and PHP heredoc bodies start on the line after their opener.
        for (const doc of heredocs.splice(0)) {
          const bodyStart = i;
          let k = i;
          let found = n;
          while (k < n) {
            const e = lineEnd(k);
            const l = text.slice(k, e);
            if ((doc.squiggly ? l.trim() : l) === doc.id || (lang === 'php' && l.trim().replace(/[;,)]+$/, '') === doc.id)) {
              found = k;
              break;
            }
            k = e + 1;
          }
          stringAt(bodyStart, bodyStart, found, found, lang === 'php' && doc.id.startsWith("'"));
          i = found >= n ? n : lineEnd(found);
        }
      }
      continue;
    }
    const atLineStart = lineStart;
    if (ch !== ' ' && ch !== '\t') lineStart = false;
    // Comments
    if ((lang === 'ruby' || lang === 'python' || lang === 'elixir') && ch === '#') {
      if (lang === 'ruby' && text[i + 1] === '{') {
        i++;
        continue;
      }
      commentOut(i, lineEnd(i));
      i = lineEnd(i);
      continue;
    }
    if (lang === 'ruby' && atLineStart && text.startsWith('=begin', i)) {
      const end = text.indexOf('\n=end', i);
      const stop = end === -1 ? n : lineEnd(end + 1);
      commentOut(i, stop);
      i = stop;
      continue;
    }
    if (lang === 'php' && ch === '#' && text[i + 1] !== '[') {
      commentOut(i, lineEnd(i));
      i = lineEnd(i);
      continue;
    }
    if ((lang === 'js' || lang === 'php' || lang === 'csharp') && ch === '/' && text[i + 1] === '/') {
      commentOut(i, lineEnd(i));
      i = lineEnd(i);
      continue;
    }
    if ((lang === 'js' || lang === 'php' || lang === 'csharp') && ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? n : end + 2;
      commentOut(i, stop);
      i = stop;
      continue;
    }
    // Heredocs
    if (lang === 'ruby' && ch === '<' && text[i + 1] === '<') {
      // `<<~SQL`, `<<-SQL`, `<<SQL` (an append is written `a << b`, with a space).
      const m = /^<<([~-]?)(['"`]?)([A-Za-z_][A-Za-z0-9_]*)\2/.exec(text.slice(i, i + 80));
      if (m) {
        heredocs.push({ id: m[3]!, squiggly: m[1] !== '' });
        i += m[0].length;
        continue;
      }
    }
    if (lang === 'php' && text.startsWith('<<<', i)) {
      const m = /^<<<[ \t]*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1/.exec(text.slice(i, i + 80));
      if (m) {
        heredocs.push({ id: m[2]!, squiggly: true });
        i += m[0].length;
        continue;
      }
    }
    // Strings
    if (lang === 'python' && /['"]/.test(ch)) {
      const prefix = /([rRbBuUfF]{0,2})$/.exec(text.slice(Math.max(0, i - 2), i))?.[1] ?? '';
      const raw = /r/i.test(prefix);
      const triple = text.startsWith(ch.repeat(3), i);
      const q = triple ? ch.repeat(3) : ch;
      const close = quoted(i + q.length, q, raw, false);
      stringAt(i, i + q.length, close, Math.min(n, close + q.length), raw);
      i = Math.min(n, close + q.length);
      continue;
    }
    if (lang === 'elixir' && ch === '"' && text.startsWith('"""', i)) {
      const close = quoted(i + 3, '"""', false, false);
      stringAt(i, i + 3, close, Math.min(n, close + 3));
      i = Math.min(n, close + 3);
      continue;
    }
    if (lang === 'elixir' && ch === '~' && /[a-zA-Z]/.test(text[i + 1] ?? '')) {
      const open = text[i + 2] ?? '';
      const pairs: Record<string, string> = { '(': ')', '[': ']', '{': '}', '<': '>', '"': '"', "'": "'", '/': '/', '|': '|' };
      if (text.startsWith('"""', i + 2)) {
        const close = quoted(i + 5, '"""', true, false);
        stringAt(i, i + 5, close, Math.min(n, close + 3), true);
        i = Math.min(n, close + 3);
        continue;
      }
      if (pairs[open]) {
        const close = quoted(i + 3, pairs[open]!, text[i + 1] === text[i + 1]!.toUpperCase(), false);
        stringAt(i, i + 3, close, Math.min(n, close + 1));
        i = Math.min(n, close + 1);
        continue;
      }
    }
    if (lang === 'ruby' && ch === '%' && /[qQwWiI]?[([{<|!]/.test(text.slice(i + 1, i + 3)) && !/[\w)\]]\s*$/.test(text.slice(Math.max(0, i - 1), i))) {
      const hasType = /[qQwWiI]/.test(text[i + 1]!);
      const open = text[i + (hasType ? 2 : 1)]!;
      const closeCh = ({ '(': ')', '[': ']', '{': '}', '<': '>' } as Record<string, string>)[open] ?? open;
      let depth = 1;
      let k = i + (hasType ? 3 : 2);
      const contentStart = k;
      while (k < n) {
        if (text[k] === '\\') {
          k += 2;
          continue;
        }
        if (text[k] === open && open !== closeCh) depth++;
        else if (text[k] === closeCh && --depth === 0) break;
        k++;
      }
      stringAt(i, contentStart, Math.min(k, n), Math.min(n, k + 1));
      i = Math.min(n, k + 1);
      continue;
    }
    if (lang === 'csharp' && (ch === '"' || ((ch === '@' || ch === '$') && /^[@$]{0,2}"/.test(text.slice(i, i + 3))))) {
      const m = /^([@$]{0,2})("""|")/.exec(text.slice(i, i + 6))!;
      const verbatim = m[1]!.includes('@');
      const q = m[2]!;
      const start = i + m[0].length;
      const close = q === '"""' ? quoted(start, '"""', true, false) : quoted(start, '"', verbatim, verbatim);
      stringAt(i, start, close, Math.min(n, close + q.length), verbatim || q === '"""');
      i = Math.min(n, close + q.length);
      continue;
    }
    if (lang === 'csharp' && ch === "'") {
      const close = quoted(i + 1, "'", false, false);
      contentRanges.push([i + 1, close]);
      i = Math.min(n, close + 1);
      continue;
    }
    if (ch === '"' || ch === "'" || (lang === 'js' && ch === '`') || (lang === 'ruby' && ch === '`')) {
      const raw = lang === 'php' && ch === "'";
      const close = quoted(i + 1, ch, false, false);
      stringAt(i, i + 1, close, Math.min(n, close + 1), raw);
      i = Math.min(n, close + 1);
      continue;
    }
    i++;
  }
  const inLiteral = rangeSet(literalRanges);
  strings.sort((a, b) => a.start - b.start);
  const firstIndexFrom = (from: number): number => {
    let lo = 0;
    let hi = strings.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (strings[mid]!.start < from) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const code = blankRanges(text, commentRanges);
  return {
    text,
    code,
    skeleton: blankRanges(code, contentRanges),
    strings,
    lineOf,
    stringsIn(from, to) {
      const out: StringLiteral[] = [];
      for (let k = firstIndexFrom(from); k < strings.length && strings[k]!.start < to; k++) out.push(strings[k]!);
      return out;
    },
    firstStringFrom(from) {
      return strings[firstIndexFrom(from)];
    },
    inLiteral,
  };
}

// Every bracket's match, computed in one pass per skeleton: scanners ask for thousands of them, and a
// scan per question would be quadratic on a file full of unclosed calls.
let pairedSkeleton: string | undefined;
let pairs: Int32Array = new Int32Array(0);

function pairsOf(skeleton: string): Int32Array {
  if (skeleton === pairedSkeleton) return pairs;
  const result = new Int32Array(skeleton.length).fill(-1);
  const stacks: Record<string, number[]> = { '(': [], '[': [], '{': [] };
  const openerOf: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  for (let k = 0; k < skeleton.length; k++) {
    const c = skeleton[k]!;
    if (c === '(' || c === '[' || c === '{') stacks[c]!.push(k);
    else if (c === ')' || c === ']' || c === '}') {
      const open = stacks[openerOf[c]!]!.pop();
      if (open !== undefined) result[open] = k;
    }
  }
  pairedSkeleton = skeleton;
  pairs = result;
  return result;
}

/** `text` with each range's characters but newlines replaced by spaces. */
function blankRanges(text: string, ranges: [number, number][]): string {
  if (ranges.length === 0) return text;
  ranges.sort((a, b) => a[0] - b[0]);
  const parts: string[] = [];
  let at = 0;
  for (const [from, rawTo] of ranges) {
    const start = Math.max(from, at);
    const to = Math.min(rawTo, text.length);
    if (to <= start) continue;
    parts.push(text.slice(at, start), text.slice(start, to).replace(/[^\n]/g, ' '));
    at = to;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

/** Index of the bracket closing the one at `open` in the skeleton, or -1. */
export function matchBracket(skeleton: string, open: number): number {
  const c = skeleton[open];
  if (c !== '(' && c !== '[' && c !== '{') return -1;
  return pairsOf(skeleton)[open] ?? -1;
}

/** Top-level comma-separated arguments between `open` (a bracket) and its match, as [start, end) ranges. */
export function argRanges(skeleton: string, open: number): [number, number][] {
  const close = matchBracket(skeleton, open);
  // An unclosed call ends with its line (at most 500 characters on), not with the file.
  const newline = close === -1 ? skeleton.slice(open, open + 500).indexOf('\n') : -1;
  const end = close !== -1 ? close : newline === -1 ? Math.min(skeleton.length, open + 500) : open + newline;
  return splitArgs(skeleton, open + 1, end);
}

/** Comma-separated ranges of `s` between `from` and `to`, split at depth 0 only; a blank last one is dropped. */
export function splitArgs(s: string, from: number, to: number): [number, number][] {
  const ranges: [number, number][] = [];
  let depth = 0;
  let start = from;
  for (let k = from; k < to; k++) {
    const c = s[k];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      ranges.push([start, k]);
      start = k + 1;
    }
  }
  if (s.slice(start, to).trim() !== '') ranges.push([start, to]);
  return ranges;
}

interface Lines {
  starts: number[];
  /** For each line, the next later non-blank line indented no deeper (or -1). */
  nextNoDeeper: Int32Array;
}

// Per skeleton, computed once: a file asks for hundreds of block bodies, and scanning forward for each
// would be quadratic on deeply nested or one-line input.
const linesCache = new WeakMap<Masked, Lines>();

function linesOf(m: Masked): Lines {
  const cached = linesCache.get(m);
  if (cached) return cached;
  const text = m.skeleton;
  const starts = [0];
  for (let k = text.indexOf('\n'); k !== -1; k = text.indexOf('\n', k + 1)) starts.push(k + 1);
  const indent = new Int32Array(starts.length);
  for (let l = 0; l < starts.length; l++) {
    const end = l + 1 < starts.length ? starts[l + 1]! - 1 : text.length;
    let k = starts[l]!;
    while (k < end && (text[k] === ' ' || text[k] === '\t')) k++;
    indent[l] = k === end || text.slice(k, end).trim() === '' ? -1 : k - starts[l]!;
  }
  const nextNoDeeper = new Int32Array(starts.length).fill(-1);
  const stack: number[] = [];
  for (let l = starts.length - 1; l >= 0; l--) {
    if (indent[l] === -1) continue;
    while (stack.length > 0 && indent[stack[stack.length - 1]!]! > indent[l]!) stack.pop();
    nextNoDeeper[l] = stack.length > 0 ? stack[stack.length - 1]! : -1;
    stack.push(l);
  }
  const lines = { starts, nextNoDeeper };
  linesCache.set(m, lines);
  return lines;
}

/**
 * The body of an indentation-delimited block (Ruby `def … end`, Elixir `def … do … end`, Python
 * `def …:`) whose header line holds `headerOffset`: [start, end) from the line after the header to the
 * first later line indented no deeper than the header (Ruby's `end`, or Python's next statement).
 */
export function indentedBody(m: Masked, headerOffset: number): [number, number] {
  const { starts, nextNoDeeper } = linesOf(m);
  const line = m.lineOf(headerOffset) - 1;
  const bodyStart = starts[line + 1];
  if (bodyStart === undefined) return [m.skeleton.length, m.skeleton.length];
  const end = nextNoDeeper[line]!;
  return [bodyStart, end === -1 ? m.skeleton.length : starts[end]!];
}

/** Membership in many ranges in log time (a file with thousands of guard blocks stays linear). */
export function rangeSet(ranges: [number, number][]): (offset: number) => boolean {
  const merged: [number, number][] = [];
  for (const [a, b] of [...ranges].sort((x, y) => x[0] - y[0])) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  return (offset) => {
    let lo = 0;
    let hi = merged.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [a, b] = merged[mid]!;
      if (offset < a) hi = mid - 1;
      else if (offset >= b) lo = mid + 1;
      else return true;
    }
    return false;
  };
}
