// Jinja in YAML (Sceptre stack configs and `.j2` templates): enough to read the file as YAML and to
// resolve `{{ stack_group_config.x }}` references, without rendering anything.
import { asRecord } from './model.ts';

const TOKEN = /\u27e6([^\u27e7]*)\u27e7/g;
const ONLY_TOKEN = /^\u27e6([^\u27e7]*)\u27e7$/;

// Characters that would end or change a YAML scalar (plain, single- or double-quoted, in flow or
// block context) are written as %XX inside a token, so a token is always part of one scalar.
const encode = (expr: string): string => expr.replace(/[%:#,[\]{}"'\\\u27e6\u27e7&*!?|>@`]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const decode = (token: string): string => token.replace(/%([0-9a-f]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

/**
 * The text with every `{{ expr }}` replaced by a token that YAML reads as (part of) a plain scalar, and every
 * `{% … %}` statement removed (its line kept, so line numbers stay right; both branches of an `if` and
 * one pass of a `for` remain). `{# … #}` comments are removed too.
 */
export function stripJinja(text: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const open = text.indexOf('{', at);
    if (open < 0 || open + 1 >= text.length) break;
    const kind = text[open + 1];
    if (kind !== '{' && kind !== '%' && kind !== '#') {
      out += text.slice(at, open + 1);
      at = open + 1;
      continue;
    }
    const closer = kind === '{' ? '}}' : kind === '%' ? '%}' : '#}';
    const close = text.indexOf(closer, open + 2);
    if (close < 0) break;
    out += text.slice(at, open);
    if (kind === '{') out += `\u27e6${encode(text.slice(open + 2, close).replace(/\s+/g, ' ').trim())}\u27e7`;
    // A statement or comment leaves nothing, but the newlines inside it stay.
    else out += text.slice(open, close + 2).replace(/[^\n]/g, '');
    at = close + 2;
  }
  return out + text.slice(at);
}

/** Whether a text has Jinja in it. */
export const hasJinja = (text: string): boolean => /\{\{|\{%/.test(text);

/** The value of a dotted path (`stack_group_config.default_stack_tags`) in a context. */
function lookupPath(context: Record<string, unknown>, path: string): unknown {
  let v: unknown = context;
  for (const part of path.split('.')) {
    const r = asRecord(v);
    if (!r || !(part in r)) return undefined;
    v = r[part];
  }
  return v;
}

/** What a Jinja expression stands for: a path in the context, or the argument of a `default(…)` filter. */
function evaluateJinja(token: string, context: Record<string, unknown>): unknown {
  const expr = decode(token);
  const [head, ...filters] = expr.split('|').map((s) => s.trim());
  const found = head && /^[\w.]+$/.test(head) ? lookupPath(context, head) : undefined;
  if (found !== undefined) return found;
  for (const f of filters) {
    const m = /^default\(\s*(?:"([^"]*)"|'([^']*)'|([\w.-]+))?\s*\)$/.exec(f);
    if (m) return m[1] ?? m[2] ?? m[3] ?? '';
  }
  return undefined;
}

/** A placeholder's text in a string that could not be resolved: not empty, not a key anyone chose. */
export const UNRESOLVED_JINJA = '{{…}}';

/**
 * Resolves the tokens left by stripJinja in a parsed value: a string that is only a token becomes the
 * value it names (a map, when it names one); tokens inside strings become their text, or UNRESOLVED_JINJA.
 */
export function resolveJinja(value: unknown, context: Record<string, unknown>, depth = 0): unknown {
  if (depth > 32) return value;
  if (typeof value === 'string') {
    const only = ONLY_TOKEN.exec(value);
    if (only) {
      const v = evaluateJinja(only[1]!, context);
      return v === undefined ? UNRESOLVED_JINJA : resolveJinja(v, context, depth + 1);
    }
    if (!value.includes('\u27e6')) return value;
    return value.replace(TOKEN, (_, expr: string) => {
      const v = evaluateJinja(expr, context);
      return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : UNRESOLVED_JINJA;
    });
  }
  if (Array.isArray(value)) return value.map((v) => resolveJinja(v, context, depth + 1));
  const r = asRecord(value);
  if (!r) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) out[typeof k === 'string' && k.includes('\u27e6') ? UNRESOLVED_JINJA : k] = resolveJinja(v, context, depth + 1);
  return out;
}

/**
 * A path with Jinja placeholders (`cfn/{{ env }}.yaml`) as a pattern where each placeholder stands for
 * any run of characters within one path segment.
 */
export function jinjaPathPattern(path: string): RegExp {
  const parts = path.split(/\{\{[^}]*\}\}/);
  return new RegExp(`(^|/)${parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
}
