// Reads the block structure of Terraform (.tf) files without an HCL parser: a tokenizer that knows
// strings (with ${…} and %{…} interpolation), heredocs and comments, and a parser of blocks and
// attributes. Expressions are kept as text; only literals (true, 5, "ROLLBACK", ["A", "B"]) are
// interpreted. Object values (`x = { a = true }`) are read as nested bodies, like blocks.

import { lineIndex } from '../shared/text.ts';

export interface HclAttribute {
  name: string;
  line: number;
  /** Source text of the expression. */
  raw: string;
  /** The literal value, when the expression is one. */
  value?: boolean | number | string | string[];
  /** Set when the expression is an object: its attributes, read like a block body. */
  object?: HclBody;
  /** Set when the expression is a list written out (`[a.b, "c"]`, not `[for …]`): how many items it has. */
  items?: number;
}

export interface HclBlock {
  type: string;
  labels: string[];
  line: number;
  body: HclBody;
}

export interface HclBody {
  attributes: HclAttribute[];
  blocks: HclBlock[];
}

export class HclTooDeepError extends Error {
  readonly line: number;
  constructor(line: number, max: number) {
    super(`nesting deeper than ${max} levels`);
    this.name = 'HclTooDeepError';
    this.line = line;
  }
}

const MAX_DEPTH = 64;

type TokenKind = 'ident' | 'string' | 'number' | 'punct' | 'nl' | 'heredoc';
interface Token {
  kind: TokenKind;
  text: string;
  /** String contents without quotes (for strings), with interpolation kept as written. */
  value: string;
  start: number;
  end: number;
  /** Whether a string holds ${…} or %{…}. */
  interpolated?: boolean;
}

/** End offset (exclusive) of the string starting at `start` (the opening quote), with nested interpolations. */
function readString(text: string, start: number): { end: number; interpolated: boolean } {
  // Each stack entry is a brace depth inside an interpolation; strings inside interpolations push anew.
  const stack: number[] = [];
  let inString = true;
  let interpolated = false;
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i += 2;
      else if (c === '"') {
        if (stack.length === 0) return { end: i + 1, interpolated };
        inString = false;
        i++;
      } else if ((c === '$' || c === '%') && text[i + 1] === '{' && text[i - 1] !== c) {
        interpolated = true;
        stack.push(1);
        inString = false;
        i += 2;
      } else if (c === '\n') return { end: i, interpolated }; // an unterminated string ends at the line
      else i++;
    } else {
      if (c === '"') {
        inString = true;
        i++;
      } else if (c === '{') {
        stack[stack.length - 1]!++;
        i++;
      } else if (c === '}') {
        stack[stack.length - 1]!--;
        if (stack[stack.length - 1] === 0) {
          stack.pop();
          inString = true;
        }
        i++;
      } else i++;
    }
  }
  return { end: text.length, interpolated };
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '\n') {
      tokens.push({ kind: 'nl', text: '\n', value: '\n', start: i, end: i + 1 });
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') i++;
    else if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === '"') {
      const { end, interpolated } = readString(text, i);
      const inner = text.slice(i + 1, text[end - 1] === '"' ? end - 1 : end);
      tokens.push({ kind: 'string', text: text.slice(i, end), value: inner, start: i, end, interpolated });
      i = end;
    } else if (c === '<' && text[i + 1] === '<' && /^<<-?[A-Za-z_]\w*[ \t]*\r?\n/.test(text.slice(i, i + 80))) {
      const m = /^<<-?([A-Za-z_]\w*)/.exec(text.slice(i, i + 80))!;
      const marker = m[1]!;
      let lineStart = text.indexOf('\n', i) + 1;
      let end = n;
      while (lineStart > 0 && lineStart < n) {
        const lineEnd = text.indexOf('\n', lineStart);
        const line = text.slice(lineStart, lineEnd < 0 ? n : lineEnd);
        if (line.trim() === marker) {
          end = lineEnd < 0 ? n : lineEnd;
          break;
        }
        if (lineEnd < 0) break;
        lineStart = lineEnd + 1;
      }
      tokens.push({ kind: 'heredoc', text: text.slice(i, end), value: text.slice(i, end), start: i, end });
      i = end;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[\w-]/.test(text[j]!)) j++;
      tokens.push({ kind: 'ident', text: text.slice(i, j), value: text.slice(i, j), start: i, end: j });
      i = j;
    } else if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < n && /[0-9.eE+-]/.test(text[j]!)) j++;
      tokens.push({ kind: 'number', text: text.slice(i, j), value: text.slice(i, j), start: i, end: j });
      i = j;
    } else {
      const two = text.slice(i, i + 2);
      const op = ['==', '!=', '<=', '>=', '=>', '&&', '||', '...'].find((o) => text.startsWith(o, i)) ?? (two === '::' ? '::' : c);
      tokens.push({ kind: 'punct', text: op, value: op, start: i, end: i + op.length });
      i += op.length;
    }
  }
  return tokens;
}

class Parser {
  private i = 0;
  private readonly tokens: Token[];
  private readonly text: string;
  private readonly lineOf: (offset: number) => number;

  constructor(text: string) {
    this.text = text;
    this.tokens = tokenize(text);
    this.lineOf = lineIndex(text);
  }

  parseFile(): HclBody {
    return this.parseBody(0, false);
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }

  /** Block body (`}` ends it) or object (`}` ends it; `,` and `:` allowed). */
  private parseBody(depth: number, inBraces: boolean): HclBody {
    const body: HclBody = { attributes: [], blocks: [] };
    while (this.i < this.tokens.length) {
      const t = this.peek()!;
      if (t.kind === 'nl' || (t.kind === 'punct' && t.text === ',')) {
        this.i++;
        continue;
      }
      if (t.kind === 'punct' && t.text === '}') {
        if (inBraces) this.i++;
        else this.i++; // a stray closing brace at the top level: skip it
        if (inBraces) return body;
        continue;
      }
      if (t.kind === 'ident' || t.kind === 'string') {
        const next = this.peek(1);
        if (next && next.kind === 'punct' && (next.text === '=' || next.text === ':')) {
          this.i += 2;
          body.attributes.push(this.parseAttribute(t.kind === 'string' ? t.value : t.text, this.lineOf(t.start), depth));
          continue;
        }
        if (t.kind === 'ident') {
          // A block: type, labels, `{`.
          const labels: string[] = [];
          let j = this.i + 1;
          while (j < this.tokens.length && (this.tokens[j]!.kind === 'string' || this.tokens[j]!.kind === 'ident')) {
            labels.push(this.tokens[j]!.value);
            j++;
          }
          const open = this.tokens[j];
          if (open && open.kind === 'punct' && open.text === '{') {
            if (depth + 1 > MAX_DEPTH) throw new HclTooDeepError(this.lineOf(open.start), MAX_DEPTH);
            this.i = j + 1;
            const inner = this.parseBody(depth + 1, true);
            body.blocks.push({ type: t.text, labels, line: this.lineOf(t.start), body: inner });
            continue;
          }
        }
      }
      // Anything else (an expression on its own, a syntax error): skip to the end of the line.
      this.skipExpression(depth);
    }
    return body;
  }

  /** Consumes an expression up to a newline or `,` / `}` at its own nesting level; returns [start, end). */
  private skipExpression(depth: number): [number, number] {
    const first = this.peek();
    const start = first ? first.start : this.text.length;
    let end = start;
    const stack: string[] = [];
    while (this.i < this.tokens.length) {
      const t = this.peek()!;
      if (stack.length === 0 && (t.kind === 'nl' || (t.kind === 'punct' && (t.text === ',' || t.text === '}')))) break;
      if (t.kind === 'punct') {
        if (t.text === '{' || t.text === '[' || t.text === '(') {
          if (depth + stack.length + 1 > MAX_DEPTH) throw new HclTooDeepError(this.lineOf(t.start), MAX_DEPTH);
          stack.push(t.text);
        } else if (t.text === '}' || t.text === ']' || t.text === ')') stack.pop();
      }
      end = t.end;
      this.i++;
    }
    return [start, end];
  }

  private parseAttribute(name: string, line: number, depth: number): HclAttribute {
    const first = this.peek();
    if (first && first.kind === 'punct' && first.text === '{') {
      // An object: read it like a block body, then keep its source text.
      if (depth + 1 > MAX_DEPTH) throw new HclTooDeepError(this.lineOf(first.start), MAX_DEPTH);
      const startIndex = this.i;
      this.i++;
      const object = this.parseBody(depth + 1, true);
      const last = this.tokens[this.i - 1];
      const raw = this.text.slice(first.start, last ? last.end : this.text.length);
      // `{ … } if x` or a merge() around it: the rest of the expression is not an object.
      const after = this.peek();
      if (after && after.kind !== 'nl' && !(after.kind === 'punct' && (after.text === ',' || after.text === '}'))) {
        this.i = startIndex;
        const [s, e] = this.skipExpression(depth);
        return { name, line, raw: this.text.slice(s, e) };
      }
      return { name, line, raw, object };
    }
    const startIndex = this.i;
    const [start, end] = this.skipExpression(depth);
    const raw = this.text.slice(start, end).trim();
    const exprTokens = this.tokens.slice(startIndex, this.i);
    const items = tupleItems(exprTokens);
    return { name, line, raw, value: literal(exprTokens), ...(items !== undefined ? { items } : {}) };
  }
}

function literal(tokens: Token[]): HclAttribute['value'] {
  const meaningful = tokens.filter((t) => t.kind !== 'nl');
  if (meaningful.length === 1) {
    const t = meaningful[0]!;
    if (t.kind === 'ident' && (t.text === 'true' || t.text === 'false')) return t.text === 'true';
    if (t.kind === 'number' && Number.isFinite(Number(t.text))) return Number(t.text);
    if (t.kind === 'string' && !t.interpolated) return t.value;
    return undefined;
  }
  // A list of plain strings: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"].
  if (meaningful.length >= 2 && meaningful[0]!.text === '[' && meaningful[meaningful.length - 1]!.text === ']') {
    const items: string[] = [];
    for (const t of meaningful.slice(1, -1)) {
      if (t.kind === 'punct' && t.text === ',') continue;
      if (t.kind !== 'string' || t.interpolated) return undefined;
      items.push(t.value);
    }
    return items;
  }
  return undefined;
}

/** Items of a list written out as one `[ … ]` (a tuple constructor), counted at its own level; undefined for anything else. */
function tupleItems(tokens: Token[]): number | undefined {
  const meaningful = tokens.filter((t) => t.kind !== 'nl');
  if (meaningful.length < 2 || meaningful[0]!.text !== '[' || meaningful[meaningful.length - 1]!.text !== ']') return undefined;
  if (meaningful[1]!.kind === 'ident' && meaningful[1]!.text === 'for') return undefined; // [for x in xs : x]: as many as xs
  let depth = 0;
  let items = 0;
  let inItem = false;
  for (let k = 0; k < meaningful.length; k++) {
    const t = meaningful[k]!;
    const opens = t.kind === 'punct' && (t.text === '[' || t.text === '(' || t.text === '{');
    const closes = t.kind === 'punct' && (t.text === ']' || t.text === ')' || t.text === '}');
    if (closes) {
      depth--;
      if (depth === 0 && k !== meaningful.length - 1) return undefined; // `[a] + b`, `[a][0]`: not one list
      if (depth === 0) break;
    }
    if (depth === 1 && t.kind === 'punct' && t.text === ',') inItem = false;
    else if (depth >= 1 && !(depth === 1 && closes)) {
      if (!inItem) items++;
      inItem = true;
    }
    if (opens) depth++;
  }
  return depth === 0 ? items : undefined;
}

export type ListVerdict = 'non-empty' | 'empty' | 'indeterminate' | 'absent';

/**
 * A list attribute as a literal: `[aws_cloudwatch_metric_alarm.a.alarm_name]` has one item whatever
 * its name resolves to; `[]` is empty; `var.alarms`, `concat(…)`, `[for …]` or a splat are
 * expressions whose length is decided elsewhere: indeterminate.
 */
export function listVerdict(attr: HclAttribute | undefined): ListVerdict {
  if (!attr) return 'absent';
  if (attr.items === undefined) return 'indeterminate';
  return attr.items > 0 ? 'non-empty' : 'empty';
}

export function parseHcl(text: string): HclBody {
  return new Parser(text).parseFile();
}

/** A block or an object attribute, looked at the same way. */
export interface HclNode {
  name: string;
  labels: string[];
  line: number;
  body: HclBody;
}

export function childNodes(body: HclBody, name: string): HclNode[] {
  const out: HclNode[] = [];
  for (const b of body.blocks) if (b.type === name) out.push({ name: b.type, labels: b.labels, line: b.line, body: b.body });
  for (const a of body.attributes) if (a.name === name && a.object) out.push({ name: a.name, labels: [], line: a.line, body: a.object });
  return out;
}

export function attribute(body: HclBody, name: string): HclAttribute | undefined {
  return body.attributes.find((a) => a.name === name);
}

/** Every block or object attribute named `name`, at any depth (iteratively: no recursion on input depth). */
export function findNodes(body: HclBody, name: string): HclNode[] {
  const out: HclNode[] = [];
  const stack: HclBody[] = [body];
  while (stack.length > 0) {
    const b = stack.pop()!;
    out.push(...childNodes(b, name));
    for (const block of b.blocks) stack.push(block.body);
    for (const a of b.attributes) if (a.object) stack.push(a.object);
  }
  return out.sort((x, y) => x.line - y.line);
}

/** `resource "<type>" "<name>" { … }` blocks of one type. */
export function resources(body: HclBody, type: string): HclNode[] {
  return body.blocks.filter((b) => b.type === 'resource' && b.labels[0] === type).map((b) => ({ name: b.type, labels: b.labels, line: b.line, body: b.body }));
}

export function isTrue(attr: HclAttribute | undefined): boolean {
  return attr?.value === true || attr?.value === 'true';
}
