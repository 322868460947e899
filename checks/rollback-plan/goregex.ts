// Go's regexp.MatchString for the small patterns Argo Rollouts reads from a repository (its dryRun
// metricName), evaluated without backtracking: the pattern is compiled to a program and run as a
// Pike VM, one pass over the subject with a set of threads, so a hostile pattern costs its size
// times the subject's length, never more. Syntax outside the common subset (flags, named or
// lookaround groups, \b, Unicode classes, backreferences) is not guessed at: the answer is
// `undefined`, "cannot tell", and the caller decides what that means.

type Test = (code: number) => boolean;

type Node =
  | { t: 'char'; test: Test }
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'rep'; node: Node; min: number; max: number } // max -1: unbounded
  | { t: 'bol' }
  | { t: 'eol' };

type Inst = { op: 'char'; test: Test } | { op: 'split'; x: number; y: number } | { op: 'jmp'; x: number } | { op: 'bol' } | { op: 'eol' } | { op: 'match' };

class Unsupported extends Error {}

const MAX_PATTERN = 512;
const MAX_PROGRAM = 4096;
const MAX_DEPTH = 32;
const MAX_REPEAT = 100;

const isDigit: Test = (c) => c >= 48 && c <= 57;
const isWord: Test = (c) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isSpace: Test = (c) => c === 32 || (c >= 9 && c <= 13 && c !== 11);
const not = (f: Test): Test => (c) => !f(c);

function escapeClass(ch: string): Test | undefined {
  switch (ch) {
    case 'd':
      return isDigit;
    case 'D':
      return not(isDigit);
    case 'w':
      return isWord;
    case 'W':
      return not(isWord);
    case 's':
      return isSpace;
    case 'S':
      return not(isSpace);
  }
  return undefined;
}

function escapedChar(ch: string): number {
  switch (ch) {
    case 'n':
      return 10;
    case 't':
      return 9;
    case 'r':
      return 13;
    case 'f':
      return 12;
    case 'v':
      return 11;
  }
  // Go allows escaping punctuation only; a letter or digit escape not handled above is something else.
  if (/[A-Za-z0-9]/.test(ch)) throw new Unsupported(`\\${ch}`);
  return ch.codePointAt(0)!;
}

class Parser {
  private i = 0;
  private readonly p: string;
  constructor(pattern: string) {
    this.p = pattern;
  }

  parse(): Node {
    const node = this.alternation(0);
    if (this.i < this.p.length) throw new Unsupported('unbalanced )');
    return node;
  }

  private alternation(depth: number): Node {
    if (depth > MAX_DEPTH) throw new Unsupported('nesting');
    const items = [this.concatenation(depth)];
    while (this.p[this.i] === '|') {
      this.i++;
      items.push(this.concatenation(depth));
    }
    return items.length === 1 ? items[0]! : { t: 'alt', items };
  }

  private concatenation(depth: number): Node {
    const items: Node[] = [];
    while (this.i < this.p.length && this.p[this.i] !== '|' && this.p[this.i] !== ')') items.push(this.repetition(depth));
    return { t: 'cat', items };
  }

  private repetition(depth: number): Node {
    let node = this.atom(depth);
    for (;;) {
      const c = this.p[this.i];
      let min: number;
      let max: number;
      if (c === '*') [min, max] = [0, -1];
      else if (c === '+') [min, max] = [1, -1];
      else if (c === '?') [min, max] = [0, 1];
      else if (c === '{') {
        const m = /^\{(\d{1,4})(,(\d{0,4}))?\}/.exec(this.p.slice(this.i, this.i + 12));
        if (!m) return node; // Go reads a `{` that starts no repetition as a literal
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? -1 : Number(m[3]);
        if (min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && max < min)) throw new Unsupported('repetition');
        this.i += m[0].length - 1;
      } else return node;
      this.i++;
      if (this.p[this.i] === '?') this.i++; // lazy: the same language
      if (node.t === 'bol' || node.t === 'eol') throw new Unsupported('repeated anchor');
      node = { t: 'rep', node, min, max };
    }
  }

  private atom(depth: number): Node {
    const c = this.p[this.i]!;
    this.i++;
    switch (c) {
      case '.':
        return { t: 'char', test: (code) => code !== 10 };
      case '^':
        return { t: 'bol' };
      case '$':
        return { t: 'eol' };
      case '(': {
        if (this.p[this.i] === '?') {
          if (this.p[this.i + 1] !== ':') throw new Unsupported('group flags');
          this.i += 2;
        }
        const inner = this.alternation(depth + 1);
        if (this.p[this.i] !== ')') throw new Unsupported('unclosed (');
        this.i++;
        return inner;
      }
      case '[':
        return this.charClass();
      case '\\': {
        const e = this.p[this.i];
        if (e === undefined) throw new Unsupported('trailing \\');
        this.i++;
        if (e === 'A') return { t: 'bol' };
        if (e === 'z') return { t: 'eol' };
        const cls = escapeClass(e);
        if (cls) return { t: 'char', test: cls };
        const code = escapedChar(e);
        return { t: 'char', test: (x) => x === code };
      }
      case '*':
      case '+':
      case '?':
        throw new Unsupported('missing argument to repetition');
      default: {
        const code = c.charCodeAt(0);
        return { t: 'char', test: (x) => x === code };
      }
    }
  }

  private charClass(): Node {
    const negated = this.p[this.i] === '^';
    if (negated) this.i++;
    const tests: Test[] = [];
    let first = true;
    for (;;) {
      if (this.i >= this.p.length) throw new Unsupported('unclosed [');
      let c = this.p[this.i]!;
      if (c === ']' && !first) {
        this.i++;
        break;
      }
      if (c === '[' && this.p[this.i + 1] === ':') throw new Unsupported('POSIX class');
      first = false;
      this.i++;
      let low: number;
      if (c === '\\') {
        const e = this.p[this.i];
        if (e === undefined) throw new Unsupported('trailing \\');
        this.i++;
        const cls = escapeClass(e);
        if (cls) {
          tests.push(cls);
          continue;
        }
        low = escapedChar(e);
      } else low = c.charCodeAt(0);
      if (this.p[this.i] === '-' && this.p[this.i + 1] !== undefined && this.p[this.i + 1] !== ']') {
        this.i++;
        c = this.p[this.i]!;
        this.i++;
        let high: number;
        if (c === '\\') {
          const e = this.p[this.i];
          if (e === undefined) throw new Unsupported('trailing \\');
          this.i++;
          high = escapedChar(e);
        } else high = c.charCodeAt(0);
        if (high < low) throw new Unsupported('bad range');
        tests.push((x) => x >= low && x <= high);
      } else {
        const only = low;
        tests.push((x) => x === only);
      }
    }
    const inClass: Test = (x) => tests.some((t) => t(x));
    return { t: 'char', test: negated ? (x) => !inClass(x) : inClass }; // Go's negated classes match a newline too
  }
}

function compile(node: Node, prog: Inst[]): void {
  if (prog.length > MAX_PROGRAM) throw new Unsupported('too large');
  switch (node.t) {
    case 'char':
      prog.push({ op: 'char', test: node.test });
      return;
    case 'bol':
      prog.push({ op: 'bol' });
      return;
    case 'eol':
      prog.push({ op: 'eol' });
      return;
    case 'cat':
      for (const item of node.items) compile(item, prog);
      return;
    case 'alt': {
      // split L1, next; L1: a; jmp end; next: split L2, … ; last
      const jumps: number[] = [];
      node.items.forEach((item, k) => {
        if (k < node.items.length - 1) {
          const split = prog.length;
          prog.push({ op: 'split', x: split + 1, y: -1 });
          compile(item, prog);
          jumps.push(prog.length);
          prog.push({ op: 'jmp', x: -1 });
          (prog[split] as { y: number }).y = prog.length;
        } else compile(item, prog);
      });
      for (const j of jumps) (prog[j] as { x: number }).x = prog.length;
      return;
    }
    case 'rep': {
      for (let k = 0; k < node.min; k++) compile(node.node, prog);
      if (node.max < 0) {
        const split = prog.length;
        prog.push({ op: 'split', x: split + 1, y: -1 });
        compile(node.node, prog);
        prog.push({ op: 'jmp', x: split });
        (prog[split] as { y: number }).y = prog.length;
      } else {
        const splits: number[] = [];
        for (let k = node.min; k < node.max; k++) {
          splits.push(prog.length);
          prog.push({ op: 'split', x: prog.length + 1, y: -1 });
          compile(node.node, prog);
        }
        for (const s of splits) (prog[s] as { y: number }).y = prog.length;
      }
      return;
    }
  }
}

export type GoRegex = Inst[];

/** Compiles `pattern`, or undefined when it uses syntax this matcher does not evaluate (or Go rejects). */
export function compileGoRegex(pattern: string): GoRegex | undefined {
  if (pattern.length > MAX_PATTERN) return undefined;
  try {
    const prog: Inst[] = [];
    compile(new Parser(pattern).parse(), prog);
    prog.push({ op: 'match' });
    return prog.length > MAX_PROGRAM ? undefined : prog;
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

/** Work a caller allows over several matches (instructions visited); once spent, answers are undefined. */
export interface Budget {
  steps: number;
}

/**
 * Go's regexp.MatchString(pattern, subject): an unanchored search. undefined when the pattern
 * cannot be evaluated here or the budget is spent.
 */
export function goRegexMatches(pattern: string | GoRegex, subject: string, budget: Budget = { steps: 1_000_000 }): boolean | undefined {
  const prog = typeof pattern === 'string' ? compileGoRegex(pattern) : pattern;
  if (!prog) return undefined;
  const n = subject.length;
  const seen = new Int32Array(prog.length).fill(-1);
  let generation = 0;
  // Adds pc and everything reachable from it without reading a character, at position `at`; true on a match.
  const add = (list: number[], start: number, at: number): boolean => {
    const stack = [start];
    while (stack.length > 0) {
      const pc = stack.pop()!;
      if (seen[pc] === generation) continue;
      seen[pc] = generation;
      budget.steps--;
      const inst = prog[pc]!;
      switch (inst.op) {
        case 'match':
          return true;
        case 'jmp':
          stack.push(inst.x);
          break;
        case 'split':
          stack.push(inst.y, inst.x);
          break;
        case 'bol':
          if (at === 0) stack.push(pc + 1);
          break;
        case 'eol':
          if (at === n) stack.push(pc + 1);
          break;
        case 'char':
          list.push(pc);
          break;
      }
    }
    return false;
  };
  let carried: number[] = [];
  for (let at = 0; at <= n; at++) {
    if (budget.steps <= 0) return undefined;
    generation++;
    const current: number[] = [];
    for (const pc of carried) if (add(current, pc, at)) return true;
    if (add(current, 0, at)) return true; // unanchored: a new attempt at every position
    if (at === n) break;
    const code = subject.charCodeAt(at);
    carried = [];
    for (const pc of current) {
      const inst = prog[pc]!;
      if (inst.op === 'char' && inst.test(code)) carried.push(pc + 1);
    }
  }
  return budget.steps <= 0 ? undefined : false;
}
