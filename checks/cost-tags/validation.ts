// Which keys a Terraform variable's `validation` condition really requires.
//
// Only the common shapes that fail when a key is missing are recognised, anywhere in a chain of `&&`:
//   contains(keys(var.tags), "CostCenter")
//   alltrue([for k in ["CostCenter", "Team"] : contains(keys(var.tags), k)])   (or can(var.tags[k]))
//   alltrue([contains(keys(var.tags), "CostCenter"), …])
//   length(setsubtract(["CostCenter", "Team"], keys(var.tags))) == 0
// Anything else — `||`, `!`, `anytrue`, `setintersection`, a filtered `for` — guarantees nothing.
import { child, childrenOf, evaluate, textOf, type HNode } from './hcl.ts';

const EMPTY = { lookup: () => undefined };

/** The node an expression stands for, through `expression` and `operation` wrappers and parentheses. */
function core(node: HNode): HNode {
  let n = node;
  while ((n.type === 'expression' || n.type === 'operation') && n.children.length === 1) n = n.children[0]!;
  return n;
}

const compact = (node: HNode): string => textOf(node).replace(/\s+/g, '');

function call(node: HNode): { name: string; args: HNode[] } | undefined {
  const n = core(node);
  if (n.type !== 'function_call') return undefined;
  const id = child(n, 'identifier');
  const argsNode = child(n, 'function_arguments');
  return id ? { name: textOf(id), args: argsNode ? childrenOf(argsNode, 'expression') : [] } : undefined;
}

/** `toset(x)`, `tolist(x)`, `distinct(x)` → x. */
function unwrapSet(node: HNode): HNode {
  let n = node;
  for (let c = call(n); c && ['toset', 'tolist', 'distinct'].includes(c.name) && c.args.length === 1; c = call(n)) n = c.args[0]!;
  return n;
}

/** A binary operation split at its operator (postfix expressions are flattened into several siblings). */
function binary(node: HNode): { op: string; left: HNode[]; right: HNode[] } | undefined {
  const n = core(node);
  if (n.type !== 'binary_operation') return undefined;
  const cs = n.children;
  for (let i = 1; i < cs.length; i++) {
    const gap = n.file.text.slice(cs[i - 1]!.end, cs[i]!.start).replace(/[\s()]/g, '');
    if (gap !== '') return { op: gap, left: cs.slice(0, i), right: cs.slice(i) };
  }
  return undefined;
}

const single = (group: HNode[]): HNode | undefined => (group.length === 1 ? group[0] : undefined);

/** `keys(var.<name>)`. */
function isKeysOf(node: HNode, name: string): boolean {
  const c = call(unwrapSet(node));
  return c?.name === 'keys' && c.args.length === 1 && compact(c.args[0]!) === `var.${name}`;
}

/** String literals of a literal list (`["a", "b"]`, `toset([…])`). */
function literalStrings(node: HNode): string[] {
  const v = evaluate(unwrapSet(node), EMPTY);
  return v.kind === 'list' ? v.items.flatMap((i) => (i.kind === 'string' ? [i.value] : [])) : [];
}

function isZero(node: HNode | undefined): boolean {
  return node !== undefined && compact(node) === '0';
}

/** The operands of a chain of `&&` (iteratively: a chain may be long). */
function conjuncts(node: HNode): HNode[] {
  const out: HNode[] = [];
  const todo = [node];
  while (todo.length > 0) {
    const n = todo.pop()!;
    const b = binary(n);
    if (b?.op !== '&&') {
      out.push(n);
      continue;
    }
    for (const g of [b.right, b.left]) if (single(g)) todo.push(single(g)!);
  }
  return out;
}

/** In `[for k in LIST : BODY]`, BODY fails unless var.<name> has the key `k`. */
function bodyRequires(body: HNode, k: string, name: string): boolean {
  return conjuncts(body).some((part) => {
    const c = call(part);
    if (c?.name === 'contains' && c.args.length === 2) return isKeysOf(c.args[0]!, name) && compact(c.args[1]!) === k;
    if (c?.name === 'can' && c.args.length === 1) return compact(c.args[0]!) === `var.${name}[${k}]`;
    return false;
  });
}

/** Keys the condition requires var.<name> to have (empty when it requires none). */
export function requiredKeys(condition: HNode, name: string): string[] {
  return conjuncts(condition).flatMap((part) => keysOfPart(part, name));
}

function keysOfPart(part: HNode, name: string): string[] {
  const b = binary(part);
  if (b) {
    if (b.op === '==') {
      const [l, r] = [single(b.left), single(b.right)];
      const measured = isZero(r) ? l : isZero(l) ? r : undefined;
      const len = measured ? call(measured) : undefined;
      const sub = len?.name === 'length' && len.args.length === 1 ? call(len.args[0]!) : undefined;
      if (sub?.name === 'setsubtract' && sub.args.length === 2 && isKeysOf(sub.args[1]!, name)) return literalStrings(sub.args[0]!);
    }
    return [];
  }
  const c = call(part);
  if (!c) return [];
  if (c.name === 'contains' && c.args.length === 2 && isKeysOf(c.args[0]!, name)) {
    const key = evaluate(c.args[1], EMPTY);
    return key.kind === 'string' ? [key.value] : [];
  }
  if (c.name === 'alltrue' && c.args.length === 1) {
    const inner = core(c.args[0]!);
    const forTuple = inner.type === 'for_expr' ? child(inner, 'for_tuple_expr') : undefined;
    if (forTuple) {
      const intro = child(forTuple, 'for_intro');
      const body = childrenOf(forTuple, 'expression')[0];
      if (!intro || !body || child(forTuple, 'for_cond')) return [];
      const vars = childrenOf(intro, 'identifier');
      const list = child(intro, 'expression');
      const k = vars[vars.length - 1];
      return k && list && bodyRequires(body, textOf(k), name) ? literalStrings(list) : [];
    }
    const tuple = inner.type === 'collection_value' ? child(inner, 'tuple') : undefined;
    if (tuple) return childrenOf(tuple, 'expression').flatMap((e) => requiredKeys(e, name));
  }
  return [];
}
