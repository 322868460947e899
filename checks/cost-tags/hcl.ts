// HCL through tree-sitter: the HCL grammar of tree-sitter-grammars (compiled to WebAssembly, shipped in
// its npm package) run by web-tree-sitter. Both WebAssembly modules are compiled once when this module
// is first imported (top-level await: web-tree-sitter's runtime initialises asynchronously); after that
// `parseHcl` is synchronous, so `run()` stays synchronous. If the parser cannot be loaded, the import
// still succeeds and every HCL file is reported as unreadable instead.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Language, Parser } from 'web-tree-sitter';

export interface HclFile {
  path: string;
  text: string;
}

/** A named node of the syntax tree, copied out of WebAssembly memory. */
export interface HNode {
  type: string;
  /** Field name in the parent (`key`, `val` for object elements). */
  field: string | null;
  /** 1-based line of the first character. */
  line: number;
  start: number;
  end: number;
  /** The node, or something inside it, is a syntax error or a token the parser had to invent. */
  error: boolean;
  children: HNode[];
  file: HclFile;
}

async function loadParser(): Promise<Parser | string> {
  try {
    const require = createRequire(import.meta.url);
    await Parser.init({ wasmBinary: readFileSync(require.resolve('web-tree-sitter/web-tree-sitter.wasm')) });
    const grammar = new WebAssembly.Module(readFileSync(require.resolve('@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-hcl.wasm')));
    const parser = new Parser();
    parser.setLanguage(Language.loadSync(grammar));
    return parser;
  } catch (error) {
    return `the HCL parser could not be loaded: ${error instanceof Error ? error.message : String(error)}`;
  }
}

const parserOrProblem = await loadParser();

/** Why HCL cannot be parsed on this machine, or undefined when it can. */
export const parserProblem: string | undefined = typeof parserOrProblem === 'string' ? parserOrProblem : undefined;

export type ParseResult =
  | { ok: true; root: HNode; /** first syntax error, when the file has any */ error?: { line: number; text: string } }
  | { ok: false; reason: string };

export function parseHcl(path: string, text: string): ParseResult {
  if (typeof parserOrProblem === 'string') return { ok: false, reason: parserOrProblem };
  const file: HclFile = { path, text };
  const tree = parserOrProblem.parse(text);
  if (!tree) return { ok: false, reason: 'the parser returned no tree' };
  try {
    const cursor = tree.walk();
    try {
      // Iterative walk: nesting depth is bounded by memory, not by the call stack.
      // The depth is counted here: the cursor's own `currentDepth` costs time proportional to the depth,
      // which made the walk quadratic in nesting.
      const root: HNode = { type: cursor.nodeType, field: null, line: cursor.startPosition.row + 1, start: cursor.startIndex, end: cursor.endIndex, error: false, children: [], file };
      const stack: HNode[] = [root];
      let depth = 0;
      let firstError: { line: number; text: string } | undefined;
      const markError = (line: number, start: number, end: number, missing: string | undefined) => {
        // Every node on the stack contains the error. A marked node's ancestors are already marked, so stop there.
        for (let i = stack.length - 1; i >= 0 && !stack[i]!.error; i--) stack[i]!.error = true;
        if (!firstError) firstError = { line, text: missing ? `missing "${missing}"` : `unexpected "${text.slice(start, Math.min(end, start + 40)).split('\n')[0]}"` };
      };
      if (cursor.nodeType === 'ERROR') markError(cursor.startPosition.row + 1, cursor.startIndex, cursor.endIndex, undefined);
      if (cursor.gotoFirstChild()) {
        depth = 1;
        for (;;) {
          const isError = cursor.nodeType === 'ERROR';
          const isMissing = cursor.nodeIsMissing;
          let pushed = false;
          if (cursor.nodeIsNamed || isError) {
            const node: HNode = { type: cursor.nodeType, field: cursor.currentFieldName, line: cursor.startPosition.row + 1, start: cursor.startIndex, end: cursor.endIndex, error: false, children: [], file };
            stack[stack.length - 1]!.children.push(node);
            stack.push(node);
            pushed = true;
          }
          if (isError || isMissing) markError(cursor.startPosition.row + 1, cursor.startIndex, cursor.endIndex, isMissing ? cursor.nodeType : undefined);
          if (cursor.gotoFirstChild()) {
            depth++;
            if (!pushed) stack.push(stack[stack.length - 1]!); // anonymous nodes have no children worth keeping, but keep depth aligned
            continue;
          }
          if (pushed) stack.pop();
          while (!cursor.gotoNextSibling()) {
            if (!cursor.gotoParent()) break;
            depth--;
            stack.pop();
          }
          if (stack.length === 0 || depth === 0) break;
        }
      }
      return firstError ? { ok: true, root, error: firstError } : { ok: true, root };
    } finally {
      cursor.delete();
    }
  } finally {
    tree.delete();
  }
}

// ---------------------------------------------------------------------------------------------
// Navigation

export const textOf = (node: HNode): string => node.file.text.slice(node.start, node.end);
export const child = (node: HNode, type: string): HNode | undefined => node.children.find((c) => c.type === type);
export const childrenOf = (node: HNode, type: string): HNode[] => node.children.filter((c) => c.type === type);

/** Top-level (or nested) blocks of a body or config_file. */
export function blocksOf(node: HNode): HNode[] {
  const body = node.type === 'body' ? node : node.type === 'config_file' ? child(node, 'body') : node.type === 'block' ? child(node, 'body') : undefined;
  return body ? childrenOf(body, 'block') : [];
}

export function blockType(block: HNode): string {
  const id = child(block, 'identifier');
  return id ? textOf(id) : '';
}

/** String labels of a block (`resource "aws_instance" "web"` → ["aws_instance", "web"]). */
export function blockLabels(block: HNode): string[] {
  return block.children.filter((c) => c.type === 'string_lit' || c.type === 'identifier').slice(1).map((c) => (c.type === 'identifier' ? textOf(c) : stringLiteral(c) ?? textOf(c)));
}

/** Attributes of a block body, by name (last wins, as duplicates are an error in HCL anyway). */
export function attributesOf(block: HNode): Map<string, HNode> {
  const out = new Map<string, HNode>();
  const body = block.type === 'body' ? block : child(block, 'body');
  for (const attr of body ? childrenOf(body, 'attribute') : []) {
    const name = child(attr, 'identifier');
    const expr = child(attr, 'expression');
    if (name && expr) out.set(textOf(name), expr);
  }
  return out;
}

function unescape(s: string): string {
  return s.replace(/\\(["\\nrt]|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})/g, (_, c: string) => {
    if (c === 'n') return '\n';
    if (c === 'r') return '\r';
    if (c === 't') return '\t';
    if (c.length > 1) return String.fromCodePoint(parseInt(c.slice(1), 16));
    return c;
  }).replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
}

/** The value of a string literal without interpolation, or undefined. */
export function stringLiteral(node: HNode): string | undefined {
  if (node.type !== 'string_lit') return undefined;
  return unescape(childrenOf(node, 'template_literal').map(textOf).join(''));
}

const isBlank = (c: number): boolean => c === 32 || c === 9;
const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;

/**
 * Written in place of an interpolation whose value is not known (Terragrunt `generate` contents):
 * a bare identifier, so the text still parses; evaluated, it is unknown, and as an object key it is
 * a computed key.
 */
export const UNRESOLVED = '__seaworthy_unresolved__';

/** Whether the end of `text` is inside a double-quoted string on its last line. */
function insideQuotes(text: string): boolean {
  let inside = false;
  for (let i = text.lastIndexOf('\n') + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92) i++; // a backslash escapes the next character
    else if (c === 34) inside = !inside;
  }
  return inside;
}

/**
 * The text of a heredoc template as the tool that renders it would write it: each `${…}` is replaced
 * by its value when `value` knows it (a string, number or bool), else by UNRESOLVED; `%{…}` directives
 * are dropped (both branches of an `if` are kept). Strings are written quoted outside quotes and
 * escaped inside them.
 */
export function substituteTemplate(node: HNode, value: (expr: HNode | undefined) => Value): string {
  const text = node.file.text;
  let out = '';
  let at = node.start;
  for (const part of node.children) {
    if (part.type !== 'template_interpolation' && part.type !== 'template_directive') continue;
    out += text.slice(at, part.start);
    at = part.end;
    if (part.type === 'template_directive') continue;
    const v = value(child(part, 'expression'));
    const quoted = insideQuotes(out);
    if (v.kind === 'number' || v.kind === 'bool') out += String(v.value);
    else if (v.kind === 'string') {
      const escaped = JSON.stringify(v.value).slice(1, -1).replace(/\$\{/g, '$$${').replace(/%\{/g, '%%{');
      out += quoted ? escaped : `"${escaped}"`;
    } else out += UNRESOLVED;
  }
  return out + text.slice(at, node.end);
}

/** The body of a heredoc (`<<EOF … EOF`, `<<-EOF` de-indented), as written, interpolations included (or substituted, given `raw`). */
export function heredocBody(node: HNode, rawText?: string): string | undefined {
  const raw = rawText ?? textOf(node);
  const m = /^<<(-?)([A-Za-z_][\w-]*)\r?\n/.exec(raw);
  if (!m) return undefined;
  let body = raw.slice(m[0].length);
  // Drop the closing `EOF` line by hand: a pattern with `[ \t]*` before the marker backtracks
  // quadratically over a long run of spaces.
  let end = body.length;
  while (end > 0 && isSpace(body.charCodeAt(end - 1))) end--;
  if (body.startsWith(m[2]!, end - m[2]!.length)) {
    end -= m[2]!.length;
    while (end > 0 && isBlank(body.charCodeAt(end - 1))) end--;
    if (end > 0 && body.charCodeAt(end - 1) === 10) end--;
    if (end > 0 && body.charCodeAt(end - 1) === 13) end--;
    body = body.slice(0, end);
  }
  if (m[1] === '-') {
    const lines = body.split('\n');
    // A loop, not Math.min(...): a spread of 200,000 lines overflows the stack.
    let indent = Infinity;
    for (const l of lines) {
      let i = 0;
      while (i < l.length && isBlank(l.charCodeAt(i))) i++;
      if (i < l.length && l.trim() !== '' && i < indent) indent = i;
    }
    body = lines.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join('\n');
  }
  return body;
}

// ---------------------------------------------------------------------------------------------
// Evaluation: enough of Terraform's expression language to know which tag keys a map has.

export type Value =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' }
  /** `open` says why keys other than `entries` may be present (an unresolvable part), or is undefined. */
  | { kind: 'map'; entries: Map<string, Value>; open?: string }
  | { kind: 'list'; items: Value[] }
  | { kind: 'unknown'; reason: string };

export const unknown = (reason: string): Value => ({ kind: 'unknown', reason });

export interface Scope {
  /**
   * Value of `<root>.<name>` (local.x, var.x; for modules `<call>.<output>`), or undefined for roots
   * this scope does not know.
   */
  lookup(root: string, name: string, depth: number): Value | undefined;
}

const MAX_DEPTH = 64;

export function evaluate(node: HNode | undefined, scope: Scope, depth = 0): Value {
  if (!node) return unknown('nothing to evaluate');
  if (depth > MAX_DEPTH) return unknown('expression nested too deeply to evaluate');
  if (node.error) return unknown(`a syntax error at line ${node.line}`);
  switch (node.type) {
    case 'expression':
      return evaluateExpression(node, scope, depth);
    case 'literal_value':
      return evaluateLiteral(node);
    case 'template_expr':
      return evaluateTemplate(node, scope, depth);
    case 'collection_value':
      return evaluateCollection(node, scope, depth);
    case 'function_call':
      return evaluateFunction(node, scope, depth);
    case 'conditional': {
      const [cond, a, b] = childrenOf(node, 'expression');
      const c = evaluate(cond, scope, depth + 1);
      if (c.kind === 'bool') return evaluate(c.value ? a : b, scope, depth + 1);
      return either(evaluate(a, scope, depth + 1), evaluate(b, scope, depth + 1), `\`${oneLine(textOf(cond!))}\` decides`);
    }
    case 'for_expr':
      return unknown(`a for expression (line ${node.line})`);
    case 'operation':
      return unknown(`an operation (line ${node.line})`);
    default:
      return unknown(`\`${oneLine(textOf(node))}\``);
  }
}

const oneLine = (s: string): string => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > 60 ? flat.slice(0, 57) + '…' : flat;
};

function evaluateLiteral(node: HNode): Value {
  const inner = node.children[0];
  if (!inner) return unknown('an empty literal');
  if (inner.type === 'string_lit') return { kind: 'string', value: stringLiteral(inner) ?? '' };
  if (inner.type === 'numeric_lit') return { kind: 'number', value: Number(textOf(inner)) };
  if (inner.type === 'bool_lit') return { kind: 'bool', value: textOf(inner) === 'true' };
  if (inner.type === 'null_lit') return { kind: 'null' };
  return unknown(`\`${textOf(inner)}\``);
}

function evaluateTemplate(node: HNode, scope: Scope, depth: number): Value {
  const template = node.children[0];
  if (!template) return { kind: 'string', value: '' };
  let out = '';
  let why: string | undefined;
  for (const part of template.children) {
    if (part.type === 'template_literal') out += template.type === 'heredoc_template' ? textOf(part) : unescape(textOf(part));
    else if (part.type === 'template_interpolation') {
      const v = evaluate(child(part, 'expression'), scope, depth + 1);
      if (v.kind === 'string' || v.kind === 'number' || v.kind === 'bool') out += String(v.value);
      else why ??= v.kind === 'unknown' ? v.reason : `a ${v.kind} in a template`;
    } else if (part.type === 'template_directive') why ??= `a template directive (line ${part.line})`;
  }
  return why ? unknown(why) : { kind: 'string', value: out };
}

/** An object key: a bare identifier is its own name, as in HCL; anything else is evaluated. */
function objectKey(key: HNode, scope: Scope, depth: number): Value {
  const only = key.children.length === 1 ? key.children[0]! : undefined;
  if (only?.type === 'variable_expr' && only.children.length === 1 && textOf(only) !== UNRESOLVED) return { kind: 'string', value: textOf(only) };
  const v = evaluate(key, scope, depth + 1);
  return v.kind === 'string' && v.value.includes(UNRESOLVED) ? unknown('a key interpolated when the file is generated') : v;
}

function evaluateCollection(node: HNode, scope: Scope, depth: number): Value {
  const inner = node.children[0];
  if (!inner) return unknown('an empty collection');
  if (inner.type === 'tuple') return { kind: 'list', items: childrenOf(inner, 'expression').map((e) => evaluate(e, scope, depth + 1)) };
  const entries = new Map<string, Value>();
  let open: string | undefined;
  for (const elem of childrenOf(inner, 'object_elem')) {
    const keyNode = elem.children.find((c) => c.field === 'key');
    const valNode = elem.children.find((c) => c.field === 'val');
    if (!keyNode) continue;
    const key = objectKey(keyNode, scope, depth);
    if (key.kind === 'string') entries.set(key.value, evaluate(valNode, scope, depth + 1));
    else open ??= `a computed key \`${oneLine(textOf(keyNode))}\` (line ${keyNode.line})`;
  }
  return { kind: 'map', entries, open };
}

function evaluateExpression(node: HNode, scope: Scope, depth: number): Value {
  const [base, ...postfix] = node.children;
  if (!base) return unknown('an empty expression');
  let value: Value;
  let rest = postfix;
  if (base.type === 'variable_expr') {
    const root = textOf(base);
    if (root === UNRESOLVED) return unknown('a value interpolated when the file is generated');
    const first = postfix[0];
    if (first?.type === 'get_attr' && (root === 'local' || root === 'var')) {
      const name = textOf(child(first, 'identifier') ?? first);
      value = scope.lookup(root, name, depth + 1) ?? unknown(`${root}.${name}`);
      rest = postfix.slice(1);
    } else if (first?.type === 'get_attr' && root === 'module') {
      // module.<call>.<output>, or module.<call>[i].<output> (every instance has the same outputs).
      const call = textOf(child(first, 'identifier') ?? first);
      const at = postfix[1]?.type === 'get_attr' ? 1 : postfix[1]?.type === 'index' && postfix[2]?.type === 'get_attr' ? 2 : -1;
      const output = at > 0 ? textOf(child(postfix[at]!, 'identifier') ?? postfix[at]!) : undefined;
      const found = output !== undefined ? scope.lookup('module', `${call}.${output}`, depth + 1) : undefined;
      if (!found) return unknown(`\`${oneLine(textOf(node))}\``);
      value = found;
      rest = postfix.slice(at + 1);
    } else {
      const shown = oneLine(textOf(node));
      return unknown(`\`${shown}\``);
    }
  } else {
    value = evaluate(base, scope, depth + 1);
  }
  for (const step of rest) {
    if (value.kind === 'unknown') return value;
    if (step.type === 'get_attr') value = member(value, textOf(child(step, 'identifier') ?? step), textOf(node));
    else if (step.type === 'index') {
      const key = evaluate(child(step.children[0] ?? step, 'expression') ?? step.children[0], scope, depth + 1);
      if (key.kind === 'string' || key.kind === 'number') value = member(value, String(key.value), textOf(node));
      else return unknown(`\`${oneLine(textOf(node))}\``);
    } else return unknown(`\`${oneLine(textOf(node))}\``);
  }
  return value;
}

function member(value: Value, key: string, shown: string): Value {
  if (value.kind === 'map') {
    const v = value.entries.get(key);
    if (v) return v;
    return unknown(value.open ? value.open : `\`${oneLine(shown)}\` names a key that is not there`);
  }
  if (value.kind === 'list' && /^\d+$/.test(key)) return value.items[Number(key)] ?? unknown(`\`${oneLine(shown)}\` is out of range`);
  return unknown(`\`${oneLine(shown)}\``);
}

/**
 * The strings an expression may evaluate to: its value when it is known; otherwise both branches of a
 * conditional whose condition is not known (also inside a `"${…}"` that is only the conditional).
 * Used for module sources, which are followed when a branch is a local path.
 */
export function candidateStrings(node: HNode | undefined, scope: Scope, depth = 0): string[] {
  if (!node || depth > MAX_DEPTH) return [];
  const v = evaluate(node, scope, depth);
  if (v.kind === 'string') return [v.value];
  let n: HNode = node;
  for (;;) {
    if ((n.type === 'expression' || n.type === 'template_expr') && n.children.length === 1) n = n.children[0]!;
    else if (n.type === 'quoted_template') {
      const parts = n.children.filter((c) => c.type !== 'quoted_template_start' && c.type !== 'quoted_template_end');
      if (parts.length !== 1 || parts[0]!.type !== 'template_interpolation') return [];
      const inner = child(parts[0]!, 'expression');
      if (!inner) return [];
      n = inner;
    } else break;
  }
  if (n.type !== 'conditional') return [];
  const [, a, b] = childrenOf(n, 'expression');
  return [...candidateStrings(a, scope, depth + 1), ...candidateStrings(b, scope, depth + 1)];
}

/** The value of `cond ? a : b` when the condition is not known: keys in both are certain. */
function either(a: Value, b: Value, why: string): Value {
  if (a.kind === 'map' && b.kind === 'map') {
    const entries = new Map<string, Value>();
    for (const [k, v] of a.entries) if (b.entries.has(k)) entries.set(k, v);
    const differ = a.entries.size !== entries.size || b.entries.size !== entries.size;
    return { kind: 'map', entries, open: a.open ?? b.open ?? (differ ? why : undefined) };
  }
  if (a.kind === 'string' && b.kind === 'string' && a.value === b.value) return a;
  return unknown(why);
}

export function mergeMaps(values: Value[], what: string): Value {
  const entries = new Map<string, Value>();
  let open: string | undefined;
  for (const v of values) {
    if (v.kind === 'null') continue;
    if (v.kind === 'map') {
      for (const [k, x] of v.entries) entries.set(k, x);
      open ??= v.open;
    } else open ??= v.kind === 'unknown' ? v.reason : `a ${v.kind} passed to ${what}`;
  }
  return { kind: 'map', entries, open };
}

function evaluateFunction(node: HNode, scope: Scope, depth: number): Value {
  const name = textOf(child(node, 'identifier') ?? node);
  const argsNode = child(node, 'function_arguments');
  const args = argsNode ? childrenOf(argsNode, 'expression') : [];
  const arg = (i: number) => evaluate(args[i], scope, depth + 1);
  switch (name) {
    case 'merge':
      return mergeMaps(args.map((a) => evaluate(a, scope, depth + 1)), 'merge()');
    case 'tomap':
      return arg(0);
    case 'try': {
      // try() returns its first argument that evaluates without an error.
      for (let i = 0; i < args.length; i++) {
        const v = arg(i);
        if (v.kind !== 'unknown') return v;
        if (!/names a key that is not there|out of range/.test(v.reason)) return v;
      }
      return unknown('try() with no argument that can be evaluated');
    }
    case 'coalesce': {
      for (let i = 0; i < args.length; i++) {
        const v = arg(i);
        if (v.kind === 'unknown') return v;
        if (v.kind !== 'null' && !(v.kind === 'string' && v.value === '')) return v;
      }
      return { kind: 'null' };
    }
    case 'lookup': {
      const m = arg(0);
      const k = arg(1);
      if (m.kind === 'map' && k.kind === 'string') return m.entries.get(k.value) ?? (m.open ? unknown(m.open) : args[2] ? arg(2) : unknown('lookup() of a missing key'));
      return m.kind === 'unknown' ? m : k.kind === 'unknown' ? k : unknown('lookup()');
    }
    case 'upper':
    case 'lower':
    case 'title':
    case 'trimspace': {
      const v = arg(0);
      if (v.kind !== 'string') return v.kind === 'unknown' ? v : unknown(`${name}()`);
      const s = name === 'upper' ? v.value.toUpperCase() : name === 'lower' ? v.value.toLowerCase() : name === 'trimspace' ? v.value.trim() : v.value.replace(/\b\w/g, (c) => c.toUpperCase());
      return { kind: 'string', value: s };
    }
    case 'zipmap': {
      const keys = arg(0);
      const vals = arg(1);
      if (keys.kind !== 'list' || vals.kind !== 'list') return unknown('zipmap() of lists that cannot be evaluated');
      const entries = new Map<string, Value>();
      let open: string | undefined;
      keys.items.forEach((k, i) => {
        if (k.kind === 'string') entries.set(k.value, vals.items[i] ?? unknown('zipmap()'));
        else open ??= 'zipmap() with a key that cannot be evaluated';
      });
      return { kind: 'map', entries, open };
    }
    default:
      return unknown(`${name}() (line ${node.line})`);
  }
}

/** A JSON value (Terraform JSON syntax, tfvars.json): strings with `${…}` are HCL templates. */
export function fromJson(value: unknown, scope: Scope, path: string, depth = 0, inside: Set<object> = new Set()): Value {
  if (depth > MAX_DEPTH) return unknown('JSON nested too deeply to evaluate');
  if (value === null || value === undefined) return { kind: 'null' };
  if (typeof value === 'string') {
    if (!value.includes('${') && !value.includes('%{')) return { kind: 'string', value };
    const parsed = parseHcl(path, `x = ${JSON.stringify(value)}\n`);
    if (!parsed.ok || parsed.error) return unknown(`\`${oneLine(value)}\``);
    const expr = attributesOf(child(parsed.root, 'body') ?? parsed.root).get('x');
    // A string that is exactly one interpolation is the interpolated value itself, as in Terraform.
    const single = /^\$\{([^}]*)\}$/.exec(value);
    if (single) {
      const inner = parseHcl(path, `x = ${single[1]}\n`);
      if (inner.ok && !inner.error) return evaluate(attributesOf(child(inner.root, 'body') ?? inner.root).get('x'), scope, depth + 1);
    }
    return evaluate(expr, scope, depth + 1);
  }
  if (typeof value === 'number') return { kind: 'number', value };
  if (typeof value === 'boolean') return { kind: 'bool', value };
  if (typeof value === 'object') {
    // `.tf.json` is read with the YAML parser, whose aliases can make a value contain itself.
    if (inside.has(value)) return unknown('a value that contains itself (a YAML alias)');
    inside.add(value);
    try {
      if (Array.isArray(value)) return { kind: 'list', items: value.map((v) => fromJson(v, scope, path, depth + 1, inside)) };
      const entries = new Map<string, Value>();
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) entries.set(k, fromJson(v, scope, path, depth + 1, inside));
      return { kind: 'map', entries };
    } finally {
      inside.delete(value);
    }
  }
  return unknown('a JSON value');
}
