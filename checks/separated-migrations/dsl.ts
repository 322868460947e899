// Migrations written in the frameworks' own languages, read by token scanning over the lexer's
// skeleton (comments and string contents blanked): calls are found by name, their arguments by
// bracket matching, and SQL passed to execute/RunSQL/query/raw is read by the SQL analyser.
import { emptyAnalysis, previousType, type DestructiveOp, type MigrationAnalysis, type OpKind } from './model.ts';
import { argRanges, indentedBody, mask, matchBracket, rangeSet, splitArgs, type Masked } from './source.ts';
import { analyseSql, MAX_OPS } from './sql.ts';
import { normaliseType } from './types.ts';

type Range = [number, number];

interface Call {
  name: string;
  /** Offset of the call's name. */
  at: number;
  /** Offset of the receiver (`op.` in `op.drop_column`), when any. */
  receiver?: string;
  args: Range[];
  /** Whole argument span, parentheses included when there are any. */
  span: Range;
}

const inside = (offset: number, ranges: Range[]) => ranges.some(([a, b]) => offset >= a && offset < b);

interface Block<T> {
  item: T;
  /** The block's own extent: from its opening call to its end. */
  range: Range;
}

/**
 * The innermost block holding an offset (a `change_table`, `alter table`, `alterTable`, `Schema::table`
 * or `batch_alter_table` body). Blocks come from matched brackets or indentation, so they nest; each
 * knows its parent, and a lookup is a binary search plus a walk up the nesting.
 */
function innermost<T>(blocks: Block<T>[]): (offset: number) => T | undefined {
  const sorted = [...blocks].sort((a, b) => a.range[0] - b.range[0]);
  const parent: number[] = [];
  const stack: number[] = [];
  sorted.forEach((b, k) => {
    while (stack.length > 0 && sorted[stack[stack.length - 1]!]!.range[1] <= b.range[0]) stack.pop();
    parent.push(stack.length > 0 ? stack[stack.length - 1]! : -1);
    stack.push(k);
  });
  return (offset) => {
    let lo = 0;
    let hi = sorted.length - 1;
    let k = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]!.range[0] < offset) {
        k = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    // Nesting deeper than this is not a migration anyone wrote.
    for (let steps = 0; k !== -1 && steps < 256; steps++) {
      if (offset < sorted[k]!.range[1]) return sorted[k]!.item;
      k = parent[k]!;
    }
    return undefined;
  };
}

/** A Ruby/Elixir block opened by the call at `c` (`do … end` by indentation, or `{ … }`). */
function blockOf(m: Masked, c: Call): Range {
  const after = m.skeleton.slice(c.span[1], lineEndOf(m.skeleton, c.span[1]));
  const brace = /^\s*\{/.exec(after);
  if (brace) {
    const open = c.span[1] + brace[0].length - 1;
    const close = matchBracket(m.skeleton, open);
    return [c.at, close === -1 ? lineEndOf(m.skeleton, open) : close + 1];
  }
  return [c.at, indentedBody(m, c.at)[1]];
}

/** Calls whose name matches `names` (a regex source of alternatives) within `within`, outside strings and comments. */
function calls(m: Masked, names: string, within: Range[], opts: { parenless?: boolean; receiver?: boolean } = {}): Call[] {
  const re = new RegExp(`(?:([A-Za-z_$][\\w$]*)\\s*(?:\\.|->|::)\\s*)?\\b(${names})\\b`, 'g');
  const out: Call[] = [];
  for (const [from, to] of within) {
    re.lastIndex = from;
    for (let match = re.exec(m.skeleton); match && match.index < to; match = re.exec(m.skeleton)) {
      const nameAt = match.index + match[0].length - match[2]!.length;
      if (m.inLiteral(nameAt)) continue;
      const before = m.skeleton.slice(Math.max(0, match.index - 4), match.index);
      if (/def\s*$|:\s*$/.test(before) && !opts.parenless) continue;
      if (!opts.receiver && match[1] === undefined && /[.>:]\s*$/.test(before)) continue;
      let k = nameAt + match[2]!.length;
      // C# generics: AddColumn<string>(
      if (m.skeleton[k] === '<') {
        const close = m.skeleton.indexOf('>', k);
        if (close !== -1 && close - k < 80) k = close + 1;
      }
      while (m.skeleton[k] === ' ' || m.skeleton[k] === '\t') k++;
      if (m.skeleton[k] === '(') {
        const close = matchBracket(m.skeleton, k);
        out.push({ name: match[2]!, at: nameAt, receiver: match[1], args: argRanges(m.skeleton, k), span: [k, close === -1 ? lineEndOf(m.skeleton, k) : close + 1] });
      } else if (opts.parenless && /^[:"'\w[%~<]/.test(m.skeleton.slice(k, k + 1) || ' ')) {
        const end = statementEnd(m, k);
        out.push({ name: match[2]!, at: nameAt, receiver: match[1], args: splitArgs(m.skeleton, k, end), span: [k, end] });
      } else if (opts.parenless && /^[ \t\r]*(\n|;|$)/.test(m.skeleton.slice(k, k + 200))) {
        out.push({ name: match[2]!, at: nameAt, receiver: match[1], args: [], span: [k, k] });
      }
    }
  }
  return out;
}

/** End of the line at `k`, looking at most 2,000 characters ahead: a file of one long line stays linear. */
function lineEndOf(s: string, k: number): number {
  const e = s.slice(k, k + 2000).indexOf('\n');
  return e === -1 ? Math.min(s.length, k + 2000) : k + e;
}

/** Start of the line at `k`, looking at most `max` characters back. */
function lineStartOf(s: string, k: number, max = 500): number {
  const from = Math.max(0, k - max);
  return from + s.slice(from, k).lastIndexOf('\n') + 1;
}

/**
 * End of a paren-less Ruby/Elixir call: the end of its line or a `;`, continued while a line ends with
 * a comma or an open bracket. Bounded (20 lines, 4,000 characters): a call continued further is an
 * unbalanced bracket, not an argument list, and a file of one long line must stay linear.
 */
function statementEnd(m: Masked, start: number): number {
  const s = m.skeleton;
  const limit = Math.min(s.length, start + 4000);
  let depth = 0;
  let lines = 0;
  let lastNonSpace = '';
  let end = limit;
  for (let j = start; j < limit; j++) {
    const c = s[j]!;
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ';' && depth <= 0) {
      end = j;
      break;
    } else if (c === '\n') {
      if ((depth > 0 || lastNonSpace === ',' || lastNonSpace === '\\') && ++lines < 20) continue;
      end = j;
      break;
    }
    if (c !== ' ' && c !== '\t' && c !== '\r' && c !== '\n') lastNonSpace = c;
  }
  // A trailing `do` opens a block; it is not an argument.
  const doMatch = /\s(do(\s*\|[^|]*\|)?)\s*$/.exec(s.slice(start, end));
  return doMatch ? end - doMatch[0].length : end;
}

const argText = (m: Masked, r: Range | undefined): string => (r ? m.code.slice(r[0], r[1]).trim() : '');

/** A name in an argument: string contents, :symbol, or an identifier. */
function nameIn(m: Masked, r: Range | undefined): string | undefined {
  const raw = argText(m, r);
  const match = /^(?:\w+\s*[:=]\s*)?(?:table\()?\s*(?:["'`]([^"'`]+)["'`]|:"?([A-Za-z_][\w?!]*)"?|([A-Za-z_]\w*))/.exec(raw);
  return match ? (match[1] ?? match[2] ?? match[3]) : undefined;
}

/** Keyword argument (Ruby `key:`, Python `key=`, JS/C# `key:`, `:key =>`) anywhere in a call's arguments. */
function kw(m: Masked, call: Call, key: string): string | undefined {
  const text = m.code.slice(call.span[0], call.span[1]);
  const match = new RegExp(`(?:^|[\\s,({])(?::)?${key}\\s*(?::|=>|=(?!=))\\s*([^,)}\\n]+)`).exec(text);
  return match?.[1]?.trim();
}

const positional = (m: Masked, call: Call): Range[] => call.args.filter((r) => !/^\s*:?\w+\s*(?::(?!:)|=(?![=>])|=>)/.test(m.code.slice(r[0], r[1])));

function sqlInto(result: MigrationAnalysis, strings: { value: string; line: number }[], created: Set<string>, guard?: string): { schema: number; data: number } {
  let schema = 0;
  let data = 0;
  for (const s of strings) {
    if (s.value.trim() === '') continue;
    // Interpolation cannot be read; blank it so the rest still is.
    const sql = s.value.replace(/\$\{[^}]*\}|#\{[^}]*\}|\{\$[^}]*\}/g, 'x');
    const a = analyseSql(sql, { firstLine: s.line });
    if (a.aborted) result.unreadable = true;
    schema += a.schemaStatements;
    data += a.dataStatements;
    for (const t of a.createdTables) created.add(t);
    if (result.postgresHints.length === 0 && a.postgresHints[0]) result.postgresHints.push(a.postgresHints[0]);
    for (const p of a.problems.slice(0, Math.max(0, 100 - result.problems.length))) result.problems.push(p);
    for (const op of a.ops) {
      if (result.ops.length >= MAX_OPS) break;
      if (op.kind === 'index' && op.table && created.has(op.table)) continue;
      // A type change in one statement string compared with a column defined by an earlier one.
      const resolved = op.newType !== undefined && op.oldType === undefined ? { ...op, oldType: previousType(result.columns!, op.table, op.column) } : op;
      result.ops.push(guard && !resolved.guarded ? { ...resolved, guarded: true, guard } : resolved);
    }
    result.columns!.push(...a.columns);
  }
  return { schema, data };
}

function stringsOf(m: Masked, r: Range): { value: string; line: number }[] {
  return m.stringsIn(r[0], r[1]).map((s) => ({ value: s.value, line: s.line }));
}

/** The heredoc a Ruby/PHP call opens on its line, which starts after the line ends. */
function heredocAfter(m: Masked, call: Call): { value: string; line: number }[] {
  if (!/<<[~-]?['"]?[A-Za-z_]|<<<\s*['"]?[A-Za-z_]/.test(m.code.slice(call.span[0], call.span[1]))) return [];
  const next = m.firstStringFrom(Math.max(call.span[1], lineEndOf(m.text, call.span[0])));
  return next ? [{ value: next.value, line: next.line }] : [];
}

const op = (kind: OpKind, line: number, detail: string, table?: string, column?: string, guard?: string): DestructiveOp => ({ kind, line, detail, table, column, guarded: guard !== undefined, guard });

function emptyBody(m: Masked, r: Range, extra: RegExp[] = []): boolean {
  let body = m.skeleton.slice(r[0], r[1]);
  for (const re of extra) body = body.replace(re, ' ');
  return body.replace(/["'`]{1,3}\s*["'`]{1,3}/g, ' ').trim() === '';
}

// ---------------------------------------------------------------------------------------------
// Ruby: Rails Active Record

const RAILS_SCHEMA = 'create_table|create_join_table|add_column|add_index|add_reference|add_belongs_to|add_timestamps|add_foreign_key|add_check_constraint|remove_columns?|remove_index|remove_reference|remove_belongs_to|remove_timestamps|remove_foreign_key|remove_check_constraint|rename_column|rename_table|rename_index|change_column|change_column_null|change_column_default|change_table|drop_table|drop_join_table|enable_extension|disable_extension|create_enum|drop_enum|add_enum_value|create_schema|drop_schema|execute';
const RAILS_DATA = /\b(update_all|find_each|find_in_batches|in_batches|update_columns?|update!|insert_all!?|upsert_all|delete_all|destroy_all|create!|save!)\b/;

const RAILS_TYPE = /^(string|text|integer|bigint|boolean|datetime|timestamp|date|decimal|float|jsonb|json|uuid|references|belongs_to)$/;

/** An Active Record column type with its options (`:string, limit: 100`, `:decimal, precision: 10, scale: 2`), normalised. */
function railsType(name: string, options: string): string | undefined {
  if (!name) return undefined;
  const opt = (key: string) => new RegExp(`\\b${key}\\s*(?::|=>)\\s*(\\d+)`).exec(options)?.[1];
  switch (name) {
    case 'string':
      return opt('limit') ? `varchar(${opt('limit')})` : 'varchar';
    case 'integer':
      return opt('limit') === '8' ? 'bigint' : opt('limit') === '2' ? 'smallint' : 'integer';
    case 'references':
    case 'belongs_to':
      return /type\s*:\s*:uuid/.test(options) ? 'uuid' : 'bigint';
    case 'decimal':
      return opt('precision') ? `numeric(${opt('precision')}${opt('scale') ? `,${opt('scale')}` : ''})` : 'numeric';
    case 'datetime':
      return 'timestamp';
    default:
      return normaliseType(name);
  }
}

export function analyseRails(text: string, ignoredColumns: Map<string, Set<string>>): MigrationAnalysis {
  const m = mask(text, 'ruby');
  const result = emptyAnalysis();
  const defs = [...m.skeleton.matchAll(/^[ \t]*def\s+(?:self\.)?(up|down|change)\b/gm)].filter((d) => !m.inLiteral(d.index));
  const bodies = new Map<string, Range>();
  for (const d of defs) bodies.set(d[1]!, indentedBody(m, d.index));
  const downBlocks: Range[] = [];
  for (const b of m.skeleton.matchAll(/\b\w+\.down\s*(do\b|\{)/g)) {
    if (m.inLiteral(b.index)) continue;
    const open = b.index + b[0].length - b[1]!.length;
    if (b[1] === '{') downBlocks.push([open, matchBracket(m.skeleton, open) + 1 || m.skeleton.length]);
    else downBlocks.push(indentedBody(m, b.index));
  }
  const forward: Range[] = [bodies.get('change'), bodies.get('up')].filter((r): r is Range => r !== undefined);
  if (forward.length === 0 && defs.length === 0) forward.push([0, m.skeleton.length]);
  const guardRegions: Range[] = [];
  for (const g of m.skeleton.matchAll(/\bsafety_assured\s*(do\b|\{)/g)) {
    if (m.inLiteral(g.index)) continue;
    const open = g.index + g[0].length - g[1]!.length;
    guardRegions.push(g[1] === '{' ? [open, matchBracket(m.skeleton, open) + 1 || m.skeleton.length] : indentedBody(m, g.index));
  }
  const inDown = rangeSet(downBlocks);
  const inGuard = rangeSet(guardRegions);
  const all = calls(m, RAILS_SCHEMA + '|remove|rename|change|string|text|integer|bigint|boolean|datetime|timestamp|date|decimal|float|jsonb|json|uuid|references|belongs_to', forward, { parenless: true, receiver: true })
    .filter((c) => !inDown(c.at))
    .sort((a, b) => a.at - b.at);
  const created = result.createdTables;
  for (const c of all) if ((c.name === 'create_table' || c.name === 'create_join_table') && !c.receiver) created.add(nameIn(m, c.args[0]) ?? '');
  // `t.remove`, `t.string …` belong to the innermost create_table/change_table block around them.
  const tableBlockAt = innermost(all.filter((c) => (c.name === 'change_table' || c.name === 'create_table') && !c.receiver).map((c) => ({ item: c, range: blockOf(m, c) })));
  const tableFor = (c: Call) => {
    const block = tableBlockAt(c.at);
    return block?.name === 'change_table' ? nameIn(m, block.args[0]) : undefined;
  };
  let schemaCalls = 0;
  let dataStatements = 0;
  for (const c of all) {
    const line = m.lineOf(c.at);
    const args = positional(m, c);
    const guard = inGuard(c.at) ? 'safety_assured' : undefined;
    const t = c.receiver ? tableFor(c) : nameIn(m, args[0]);
    const col = c.receiver ? nameIn(m, args[0]) : nameIn(m, args[1]);
    const ignoredGuard = (table?: string, column?: string) => guard ?? (table && column && ignoredColumns.get(table)?.has(column) ? `ignored_columns on the model of ${table}` : undefined);
    if (c.receiver) {
      const block = tableBlockAt(c.at);
      if (block && RAILS_TYPE.test(c.name)) {
        const table = nameIn(m, block.args[0]);
        const type = railsType(c.name, argText(m, c.span));
        if (table && col && type) result.columns!.push({ table, column: c.name === 'references' || c.name === 'belongs_to' ? `${col}_id` : col, type });
      }
      // Inside change_table: t.remove, t.rename, t.change, and new columns (in create_table, nothing is deployed yet).
      if (!t) continue;
      schemaCalls++;
      if (c.name === 'remove') for (const a of args) result.ops.push(op('drop-column', line, `removes column ${t}.${nameIn(m, a)}`, t, nameIn(m, a), ignoredGuard(t, nameIn(m, a))));
      else if (c.name === 'rename') result.ops.push(op('rename-column', line, `renames column ${t}.${col} to ${nameIn(m, args[1])}`, t, col, guard));
      else if (c.name === 'change') {
        const type = railsType(nameIn(m, args[1]) ?? '', argText(m, c.span));
        result.ops.push({ ...op('change-type', line, `changes the type of ${t}.${col}`, t, col, guard), newType: type, oldType: previousType(result.columns!, t, col) });
      }
      else if (/^(string|text|integer|bigint|boolean|datetime|timestamp|date|decimal|float|jsonb|json|uuid|references|belongs_to)$/.test(c.name) && /null\s*:\s*false/.test(argText(m, c.span)) && !kw(m, c, 'default')) {
        result.ops.push(op('not-null', line, `adds ${t}.${col} NOT NULL without a default`, t, col, guard));
      }
      continue;
    }
    if (!new RegExp(`^(${RAILS_SCHEMA})$`).test(c.name)) continue;
    schemaCalls++;
    switch (c.name) {
      case 'remove_column':
      case 'remove_columns':
        for (const a of args.slice(1)) {
          const column = nameIn(m, a);
          if (!column || /^(string|text|integer|bigint|boolean|datetime|timestamp|date|decimal|float|jsonb|json|uuid)$/.test(column)) continue;
          result.ops.push(op('drop-column', line, `removes column ${t}.${column}`, t, column, ignoredGuard(t, column)));
          if (c.name === 'remove_column') break;
        }
        break;
      case 'remove_reference':
      case 'remove_belongs_to':
        result.ops.push(op('drop-column', line, `removes reference ${t}.${col}_id`, t, `${col}_id`, ignoredGuard(t, `${col}_id`)));
        break;
      case 'remove_timestamps':
        result.ops.push(op('drop-column', line, `removes ${t}.created_at and updated_at`, t, 'created_at', guard));
        break;
      case 'drop_table':
      case 'drop_join_table':
        result.ops.push(op('drop-table', line, `drops table ${t}`, t, undefined, guard));
        break;
      case 'rename_column':
        result.ops.push(op('rename-column', line, `renames column ${t}.${col} to ${nameIn(m, args[2])}`, t, col, guard));
        break;
      case 'rename_table':
        result.ops.push(op('rename-table', line, `renames table ${t} to ${nameIn(m, args[1])}`, t, undefined, guard));
        break;
      case 'change_column': {
        const type = railsType(nameIn(m, args[2]) ?? '', argText(m, c.span));
        result.ops.push({ ...op('change-type', line, `changes the type of ${t}.${col}${type ? ` to ${type}` : ''}`, t, col, guard), newType: type, oldType: previousType(result.columns!, t, col) });
        if (t && col && type) result.columns!.push({ table: t, column: col, type });
        break;
      }
      case 'change_column_null':
        if (/^false$/.test(argText(m, args[2])) && args.length < 4) result.ops.push(op('not-null', line, `makes ${t}.${col} NOT NULL without a default for existing rows`, t, col, guard));
        break;
      case 'add_column':
        {
          const type = railsType(nameIn(m, args[2]) ?? '', argText(m, c.span));
          if (t && col && type) result.columns!.push({ table: t, column: col, type });
        }
        if (/null\s*:\s*false|:null\s*=>\s*false/.test(argText(m, c.span)) && !kw(m, c, 'default')) result.ops.push(op('not-null', line, `adds ${t}.${col} NOT NULL without a default`, t, col, guard));
        break;
      case 'add_index':
      case 'add_reference':
      case 'add_belongs_to': {
        const span = argText(m, c.span);
        const indexed = c.name === 'add_index' || !/index\s*:\s*false/.test(span);
        if (indexed && t && !created.has(t) && !/algorithm\s*:\s*:concurrently|:algorithm\s*=>\s*:concurrently/.test(span)) {
          result.ops.push(op('index', line, `adds an index on ${t} without algorithm: :concurrently`, t, undefined, guard));
        }
        break;
      }
      case 'execute': {
        const strings = [...stringsOf(m, c.span), ...heredocAfter(m, c)];
        const counts = sqlInto(result, strings, created, guard);
        schemaCalls += counts.schema > 0 ? 0 : -1;
        dataStatements += counts.data;
        break;
      }
    }
  }
  result.kind = schemaCalls <= 0 && (dataStatements > 0 || forward.some((r) => RAILS_DATA.test(m.skeleton.slice(r[0], r[1])))) ? 'data' : 'schema';

  const change = bodies.get('change');
  const down = bodies.get('down');
  if (change && !bodies.get('up')) {
    // What runs inside `reversible do |dir|`, `up_only` or `revert` says its own way back (or has none to give).
    const selfReversed: Range[] = [];
    for (const r of m.skeleton.matchAll(/\b(reversible|up_only|revert)\b[^\n]*?(\bdo\b|\{)/g)) {
      if (m.inLiteral(r.index)) continue;
      const open = r.index + r[0].length - r[2]!.length;
      selfReversed.push(r[2] === '{' ? [open, matchBracket(m.skeleton, open) + 1 || m.skeleton.length] : indentedBody(m, r.index));
    }
    const inSelfReversed = rangeSet(selfReversed);
    // Rails' CommandRecorder (ActiveRecord::Migration::CommandRecorder#invert_*) raises for these.
    const irreversible = calls(m, 'execute|change_column|remove_column|drop_table|change_column_default|remove_index|remove_columns|remove_foreign_key|remove_check_constraint|remove|change', [change], { parenless: true, receiver: true })
      .filter((c) => !inDown(c.at) && !inSelfReversed(c.at))
      .find((c) => {
        const args = positional(m, c);
        const span = argText(m, c.span);
        const block = /\bdo\b|\{/.test(m.skeleton.slice(c.span[1], lineEndOf(m.skeleton, c.span[1])));
        if (c.receiver !== undefined) {
          // change_table: t.remove needs `type:`, t.change never reverses.
          if (!tableFor(c)) return false;
          if (c.name === 'remove') return !/\btype\s*:/.test(span);
          return c.name === 'change';
        }
        switch (c.name) {
          case 'execute':
          case 'change_column':
            return true;
          case 'change_column_default':
            return !/\bfrom\s*:/.test(span);
          case 'remove_column':
            return args.length < 3 && !/\btype\s*:/.test(span);
          case 'remove_columns':
            return !/\btype\s*:/.test(span);
          case 'drop_table': {
            // One table, with a block or options besides if_exists, gives create_table what it needs.
            const options = [...span.matchAll(/(?:^|[\s,({]):?(\w+)\s*(?::(?!:)|=>)/g)].map((k) => k[1]).filter((k) => k !== 'if_exists');
            return args.length > 1 || (!block && options.length === 0);
          }
          case 'remove_index':
            return args.length < 2 && !/\bcolumns?\s*:/.test(span);
          case 'remove_foreign_key':
            return args.length < 2 && !/\bto_table\s*:/.test(span);
          case 'remove_check_constraint':
            return args.length < 2;
          default:
            return false;
        }
      });
    result.reversible = !irreversible;
    if (irreversible) {
      const needs: Record<string, string> = {
        execute: 'wrap it in `reversible do |dir|` with `dir.up` and `dir.down`',
        change_column_default: 'give it `from:` and `to:`',
        remove_column: 'give it the column type (`remove_column :table, :column, :string`)',
        remove_columns: 'give it `type:`',
        remove: 'give it `type:`',
        drop_table: 'give it one table and a block with its columns (or options)',
        remove_index: 'give it the column (`remove_index :table, :column` or `column:`)',
        remove_foreign_key: 'give it the referenced table',
        remove_check_constraint: 'give it the expression',
      };
      const name = irreversible.receiver ? `${irreversible.receiver}.${irreversible.name}` : irreversible.name;
      result.irreversibleReason = `\`${name}\` in \`change\` cannot be reversed: ${needs[irreversible.name] ? `${needs[irreversible.name]}, or write \`up\` and \`down\`` : 'write `up` and `down`'}`;
      result.irreversibleLine = m.lineOf(irreversible.at);
    }
  } else if (down) {
    const body = m.code.slice(down[0], down[1]);
    if (/\b(raise|fail)\b/.test(body) && emptyBody(m, down, [/\b(raise|fail)\b[^\n]*/g])) {
      result.reversible = false;
      result.irreversibleReason = '`down` raises instead of undoing `up`';
      result.irreversibleLine = m.lineOf(down[0]);
    } else if (emptyBody(m, down)) {
      result.reversible = false;
      result.irreversibleReason = '`down` is empty';
      result.irreversibleLine = m.lineOf(down[0]);
    } else result.reversible = true;
  } else if (bodies.get('up')) {
    result.reversible = false;
    result.irreversibleReason = '`up` has no `down`';
    result.irreversibleLine = m.lineOf(bodies.get('up')![0]);
  }
  return result;
}

/** `self.ignored_columns = [...]` / `+= %w[...]` in a Rails model: table → columns. */
export function ignoredColumnsOf(path: string, text: string): { table: string; columns: string[] } | undefined {
  const m = mask(text, 'ruby');
  const match = /ignored_columns\s*\+?=\s*/.exec(m.skeleton);
  if (!match) return undefined;
  const from = match.index + match[0].length;
  const end = statementEnd(m, from);
  const columns = [...m.stringsIn(from, end).flatMap((s) => s.value.split(/\s+/)), ...[...m.code.slice(from, end).matchAll(/:(\w+)/g)].map((x) => x[1]!)].filter((c) => /^\w+$/.test(c));
  const klass = /class\s+(\w+)/.exec(m.skeleton)?.[1];
  const explicit = /self\.table_name\s*=\s*/.exec(m.skeleton);
  const table = explicit ? (m.stringsIn(explicit.index, explicit.index + 200)[0]?.value ?? '') : pluralise(snake(klass ?? path.split('/').pop()!.replace(/\.rb$/, '')));
  return { table, columns };
}

const snake = (s: string): string => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
function pluralise(s: string): string {
  if (/(s|x|z|ch|sh)$/.test(s)) return s + 'es';
  if (/[^aeiou]y$/.test(s)) return s.slice(0, -1) + 'ies';
  return s + 's';
}

// ---------------------------------------------------------------------------------------------
// Python: Django and Alembic

/** A Django field definition (`models.CharField(max_length=20, null=True)`) as written in a migration. */
export interface DjangoFieldDef {
  model: string;
  field: string;
  /** The definition, or `renamed-from:<old name>` for a RenameField. */
  def: string;
  /** Offset of the operation in its file. */
  at: number;
}

/** The field definitions a Django migration writes (CreateModel fields, AddField, AlterField), in order. */
export function djangoFieldDefs(text: string): DjangoFieldDef[] {
  const m = mask(text, 'python');
  const out: DjangoFieldDef[] = [];
  for (const c of calls(m, 'CreateModel|AddField|AlterField|RenameField', [[0, m.skeleton.length]], { receiver: true })) {
    const args = positional(m, c);
    if (c.name === 'CreateModel') {
      const model = (kwName(m, c, 'name') ?? nameIn(m, args[0]) ?? '').toLowerCase();
      const fields = findKwRange(m, c, 'fields') ?? args[1];
      if (!fields) continue;
      const open = m.skeleton.indexOf('[', fields[0]);
      if (open === -1 || open >= fields[1]) continue;
      for (const tuple of argRanges(m.skeleton, open)) {
        const paren = m.skeleton.indexOf('(', tuple[0]);
        if (paren === -1 || paren >= tuple[1]) continue;
        const [name, def] = argRanges(m.skeleton, paren);
        const field = nameIn(m, name);
        if (field && def) out.push({ model, field, def: argText(m, def), at: c.at });
      }
    } else if (c.name === 'RenameField') {
      const model = (kwName(m, c, 'model_name') ?? nameIn(m, args[0]) ?? '').toLowerCase();
      const from = kwName(m, c, 'old_name') ?? nameIn(m, args[1]);
      const to = kwName(m, c, 'new_name') ?? nameIn(m, args[2]);
      if (from && to) out.push({ model, field: to, def: `renamed-from:${from}`, at: c.at });
    } else {
      const model = (kwName(m, c, 'model_name') ?? nameIn(m, args[0]) ?? '').toLowerCase();
      const field = kwName(m, c, 'name') ?? nameIn(m, args[1]);
      const def = findKwRange(m, c, 'field') ?? args[2];
      if (field && def) out.push({ model, field, def: argText(m, def).replace(/^field\s*=\s*/, ''), at: c.at });
    }
  }
  return out;
}

const VARCHAR_FIELDS = new Set(['CharField', 'SlugField', 'EmailField', 'URLField']);

/** What an AlterField changes in the database, from the field's previous definition; undefined when nothing risky. */
export function djangoFieldChange(before: string, after: string): { kind: OpKind; why: string } | undefined {
  const cls = (d: string) => /^(?:[\w.]+\.)?(\w+)\s*\(/.exec(d.trim())?.[1] ?? '';
  const num = (d: string, key: string) => {
    const v = new RegExp(`\\b${key}\\s*=\\s*(\\d+)`).exec(d)?.[1];
    return v === undefined ? undefined : Number(v);
  };
  const on = (d: string, key: string) => new RegExp(`\\b${key}\\s*=\\s*True\\b`).test(d);
  const column = (d: string) => /\bdb_column\s*=\s*["']([^"']+)/.exec(d)?.[1];
  const [a, b] = [cls(before), cls(after)];
  if (a !== b && !(VARCHAR_FIELDS.has(a) && VARCHAR_FIELDS.has(b))) return { kind: 'change-type', why: `from ${a} to ${b}` };
  const [lenA, lenB] = [num(before, 'max_length'), num(after, 'max_length')];
  if (lenA !== undefined && lenB !== undefined && lenB < lenA) return { kind: 'change-type', why: `shortens max_length from ${lenA} to ${lenB}` };
  if (num(before, 'max_digits') !== num(after, 'max_digits') || num(before, 'decimal_places') !== num(after, 'decimal_places')) return { kind: 'change-type', why: 'changes the precision' };
  if (column(before) !== column(after)) return { kind: 'rename-column', why: `renames the column ${column(before) ?? '(default)'} to ${column(after) ?? '(default)'}` };
  if (on(before, 'null') && !on(after, 'null')) return { kind: 'not-null', why: 'makes it NOT NULL' };
  if (on(after, 'unique') && !on(before, 'unique')) return { kind: 'index', why: 'adds a unique index (unique=True)' };
  if (on(after, 'db_index') && !on(before, 'db_index')) return { kind: 'index', why: 'adds an index (db_index=True)' };
  return undefined;
}

export function analyseDjango(text: string, previousField?: (model: string, field: string, at: number) => string | undefined): MigrationAnalysis {
  const m = mask(text, 'python');
  const result = emptyAnalysis();
  const stateOnly: Range[] = [];
  for (const s of m.skeleton.matchAll(/\bstate_operations\s*=\s*\[/g)) {
    const open = s.index + s[0].length - 1;
    stateOnly.push([open, matchBracket(m.skeleton, open) + 1 || m.skeleton.length]);
  }
  const whole: Range[] = [[0, m.skeleton.length]];
  const ops = calls(m, 'CreateModel|DeleteModel|RemoveField|RenameField|RenameModel|AlterField|AddField|AddIndex|AddIndexConcurrently|RemoveIndex|AddConstraint|RemoveConstraint|AlterModelTable|AlterUniqueTogether|AlterIndexTogether|RunSQL|RunPython', whole, { receiver: true });
  const created = result.createdTables;
  for (const c of ops) if (c.name === 'CreateModel') created.add((nameIn(m, positional(m, c)[0]) ?? kwName(m, c, 'name') ?? '').toLowerCase());
  let schemaOps = 0;
  let dataOps = 0;
  let irreversible: { line: number; why: string } | undefined;
  for (const c of ops) {
    const line = m.lineOf(c.at);
    const guard = inside(c.at, stateOnly) ? 'SeparateDatabaseAndState (state only)' : undefined;
    const args = positional(m, c);
    const model = (kwName(m, c, 'model_name') ?? nameIn(m, args[0]) ?? '').toLowerCase();
    const field = kwName(m, c, 'name') ?? nameIn(m, args[1]);
    if (c.name === 'RunPython') {
      dataOps++;
      if (!kw(m, c, 'reverse_code') && args.length < 2) irreversible ??= { line, why: 'RunPython has no reverse_code' };
      continue;
    }
    if (c.name === 'RunSQL') {
      const forward = args[0] ?? findKwRange(m, c, 'sql');
      const reverse = args[1] ?? findKwRange(m, c, 'reverse_sql');
      if (!reverse) irreversible ??= { line, why: 'RunSQL has no reverse_sql' };
      const counts = forward ? sqlInto(result, stringsOf(m, forward), created, guard) : { schema: 0, data: 0 };
      schemaOps += counts.schema;
      dataOps += counts.data;
      continue;
    }
    if (guard) continue;
    schemaOps++;
    switch (c.name) {
      case 'DeleteModel':
        result.ops.push(op('drop-table', line, `DeleteModel drops the table of ${nameIn(m, args[0]) ?? kwName(m, c, 'name')}`, (nameIn(m, args[0]) ?? kwName(m, c, 'name'))?.toLowerCase()));
        break;
      case 'RemoveField':
        result.ops.push(op('drop-column', line, `RemoveField drops ${model}.${field}`, model, field));
        break;
      case 'RenameField':
        result.ops.push(op('rename-column', line, `RenameField renames ${model}.${kwName(m, c, 'old_name') ?? field}`, model, kwName(m, c, 'old_name') ?? field));
        break;
      case 'RenameModel':
        result.ops.push(op('rename-table', line, `RenameModel renames the table of ${kwName(m, c, 'old_name') ?? nameIn(m, args[0])}`, (kwName(m, c, 'old_name') ?? nameIn(m, args[0]))?.toLowerCase()));
        break;
      case 'AlterModelTable':
        result.ops.push(op('rename-table', line, `AlterModelTable renames the table of ${nameIn(m, args[0]) ?? kwName(m, c, 'name')}`, model));
        break;
      case 'AlterField': {
        // Most AlterFields change choices, help_text, defaults or a longer max_length: nothing in the
        // table. Compare with the field's previous definition in the app's earlier migrations.
        const after = argText(m, findKwRange(m, c, 'field') ?? args[2]).replace(/^field\s*=\s*/, '');
        const before = field ? previousField?.(model, field, c.at) : undefined;
        if (before === undefined) {
          result.ops.push(op('change-type', line, `AlterField redefines ${model}.${field} (its previous definition was not found): a new type or NOT NULL rewrites or scans the table`, model, field));
          break;
        }
        const change = djangoFieldChange(before, after);
        if (change) result.ops.push(op(change.kind, line, `AlterField on ${model}.${field} ${change.why}`, model, field));
        break;
      }
      case 'AddField': {
        const def = kw(m, c, 'field') !== undefined ? m.code.slice(c.span[0], c.span[1]) : argText(m, args[2]);
        if (!/null\s*=\s*True/.test(def) && !/\b(db_)?default\s*=/.test(def) && !/ManyToManyField|GeneratedField/.test(def)) {
          result.ops.push(op('not-null', line, `AddField adds ${model}.${field} NOT NULL without a default`, model, field));
        }
        // Django indexes foreign keys and unique or db_index fields as it adds them, in the same transaction.
        const indexed = /\b(db_index|unique)\s*=\s*True\b/.test(def) || (/\b(ForeignKey|OneToOneField)\s*\(/.test(def) && !/\bdb_index\s*=\s*False\b/.test(def));
        if (indexed && !/ManyToManyField/.test(def)) result.ops.push(op('index', line, `AddField indexes ${model}.${field} as it adds it, without CONCURRENTLY (add the field with db_index=False, then AddIndexConcurrently)`, model, field));
        break;
      }
      case 'AddIndex':
        if (!created.has(model)) result.ops.push(op('index', line, `AddIndex on ${model} builds the index without CONCURRENTLY (use AddIndexConcurrently)`, model));
        break;
      case 'AddConstraint':
        if (/\bUniqueConstraint\s*\(/.test(argText(m, c.span))) result.ops.push(op('index', line, `AddConstraint adds a UniqueConstraint on ${model}, whose index is built without CONCURRENTLY (AddIndexConcurrently with a unique index first)`, model));
        break;
      case 'AlterUniqueTogether':
      {
        const target = (kwName(m, c, 'name') ?? nameIn(m, args[0]) ?? '').toLowerCase();
        if (/\(\s*["']/.test(m.code.slice(c.span[0], c.span[1]).replace(/^[^]*?unique_together\s*=/, ''))) result.ops.push(op('index', line, `AlterUniqueTogether adds a unique index on ${target} without CONCURRENTLY`, target));
        break;
      }
    }
  }
  result.kind = schemaOps === 0 && dataOps > 0 ? 'data' : 'schema';
  result.reversible = !irreversible;
  if (irreversible) {
    result.irreversibleReason = `${irreversible.why}, so the migration cannot be unapplied`;
    result.irreversibleLine = irreversible.line;
  }
  if (/django\.contrib\.postgres/.test(m.code)) result.postgresHints.push('django.contrib.postgres');
  return result;
}

function findKwRange(m: Masked, c: Call, key: string): Range | undefined {
  return c.args.find((r) => new RegExp(`^\\s*${key}\\s*=`).test(m.code.slice(r[0], r[1])));
}

function kwName(m: Masked, c: Call, key: string): string | undefined {
  const r = findKwRange(m, c, key) ?? c.args.find((a) => new RegExp(`^\\s*${key}\\s*:`).test(m.code.slice(a[0], a[1])));
  return r ? nameIn(m, [m.code.indexOf(key, r[0]) + key.length + 1, r[1]]) : undefined;
}

/** A SQLAlchemy type (`sa.String(length=100)`, `sa.Text()`, `postgresql.JSONB()`, `sa.Numeric(10, 2)`), normalised. */
function saType(expr: string | undefined): string | undefined {
  if (!expr) return undefined;
  const m = /^(?:[\w.]*\.)?(\w+)\s*(?:\(([^)]*)\))?/.exec(expr.trim());
  if (!m) return undefined;
  const args = (m[2] ?? '').split(',').map((a) => a.replace(/^\s*\w+\s*=\s*/, '').trim()).filter((a) => /^\d+$/.test(a));
  const name = m[1]!.toLowerCase();
  const map: Record<string, string> = { string: `varchar${args[0] ? `(${args[0]})` : ''}`, unicode: `varchar${args[0] ? `(${args[0]})` : ''}`, varchar: `varchar${args[0] ? `(${args[0]})` : ''}`, text: 'text', unicodetext: 'text', integer: 'integer', biginteger: 'bigint', smallinteger: 'smallint', boolean: 'boolean', datetime: 'timestamp', date: 'date', numeric: args.length > 0 ? `numeric(${args.join(',')})` : 'numeric', float: 'float', jsonb: 'jsonb', json: 'json', uuid: 'uuid' };
  return map[name] ?? normaliseType(name);
}

export function analyseAlembic(text: string): MigrationAnalysis {
  const m = mask(text, 'python');
  const result = emptyAnalysis();
  const up = /^def\s+upgrade\s*\(/m.exec(m.skeleton);
  const down = /^def\s+downgrade\s*\(/m.exec(m.skeleton);
  const upBody = up ? indentedBody(m, up.index) : undefined;
  const downBody = down ? indentedBody(m, down.index) : undefined;
  if (upBody) {
    const ops = calls(m, 'create_table|drop_table|drop_column|add_column|alter_column|rename_table|create_index|drop_index|execute|bulk_insert|batch_alter_table|create_foreign_key|create_unique_constraint|drop_constraint', [upBody], { receiver: true }).filter((c) => c.receiver !== undefined);
    const created = result.createdTables;
    for (const c of ops) if (c.name === 'create_table') created.add(nameIn(m, c.args[0]) ?? '');
    const batchAt = innermost(ops.filter((c) => c.name === 'batch_alter_table').map((c) => ({ item: c, range: blockOf(m, c) })));
    let schemaOps = 0;
    let dataOps = 0;
    for (const c of ops) {
      const line = m.lineOf(c.at);
      const batch = c.receiver !== 'op' ? batchAt(c.at) : undefined;
      if (c.receiver !== 'op' && !batch && c.name !== 'batch_alter_table') continue;
      const args = positional(m, c);
      const shift = batch ? 1 : 0;
      const table = batch ? nameIn(m, batch.args[0]) : nameIn(m, args[0]);
      const column = nameIn(m, args[1 - shift]);
      const span = argText(m, c.span);
      if (c.name === 'bulk_insert') {
        dataOps++;
        continue;
      }
      if (c.name === 'execute') {
        const counts = sqlInto(result, stringsOf(m, c.span), created);
        schemaOps += counts.schema;
        dataOps += counts.data;
        continue;
      }
      if (c.name === 'batch_alter_table') continue;
      schemaOps++;
      if (c.name === 'drop_table') result.ops.push(op('drop-table', line, `drops table ${table}`, table));
      else if (c.name === 'drop_column') result.ops.push(op('drop-column', line, `drops column ${table}.${column}`, table, column));
      else if (c.name === 'rename_table') result.ops.push(op('rename-table', line, `renames table ${table} to ${nameIn(m, args[1])}`, table));
      else if (c.name === 'alter_column') {
        if (/new_column_name\s*=/.test(span)) result.ops.push(op('rename-column', line, `renames column ${table}.${column}`, table, column));
        if (/\btype_\s*=/.test(span)) {
          const kwValue = (key: string) => argText(m, findKwRange(m, c, key)).replace(/^\w+\s*=\s*/, '') || undefined;
          result.ops.push({ ...op('change-type', line, `changes the type of ${table}.${column}`, table, column), newType: saType(kwValue('type_')), oldType: saType(kwValue('existing_type')) });
        }
        // A server_default given here does not fill the rows that are NULL already: SET NOT NULL still scans and can fail.
        if (/nullable\s*=\s*False/.test(span)) result.ops.push(op('not-null', line, `makes ${table}.${column} NOT NULL: scans the table under an exclusive lock and fails on existing NULLs`, table, column));
      } else if (c.name === 'add_column') {
        const col = /Column\(\s*["']([^"']+)["']/.exec(span)?.[1];
        if (/nullable\s*=\s*False/.test(span) && !/server_default\s*=/.test(span)) result.ops.push(op('not-null', line, `adds ${table}.${col} NOT NULL without a server_default`, table, col));
      } else if (c.name === 'create_index') {
        const indexTable = batch ? table : nameIn(m, args[1]) ?? kwName(m, c, 'table_name');
        if (indexTable && !created.has(indexTable) && !/postgresql_concurrently\s*=\s*True/.test(span)) {
          result.ops.push(op('index', line, `creates an index on ${indexTable} without postgresql_concurrently=True`, indexTable));
        }
      }
    }
    result.kind = schemaOps === 0 && dataOps > 0 ? 'data' : 'schema';
  }
  if (!downBody) {
    result.reversible = false;
    result.irreversibleReason = 'there is no downgrade()';
  } else if (emptyBody(m, downBody, [/\bpass\b/g])) {
    result.reversible = false;
    result.irreversibleReason = 'downgrade() is empty or only `pass`';
    result.irreversibleLine = m.lineOf(down!.index);
  } else if (/^\s*raise\b/.test(m.skeleton.slice(downBody[0], downBody[1]).replace(/["']{3}\s*["']{3}/g, '').trimStart()) && emptyBody(m, downBody, [/\braise\b[^\n]*/g, /\bpass\b/g])) {
    result.reversible = false;
    result.irreversibleReason = 'downgrade() raises instead of undoing upgrade()';
    result.irreversibleLine = m.lineOf(down!.index);
  } else result.reversible = true;
  return result;
}

// ---------------------------------------------------------------------------------------------
// JavaScript/TypeScript (Knex, Sequelize, TypeORM), PHP (Laravel), C# (EF Core): brace-delimited bodies

/**
 * End of an arrow function's expression body (`(knex) => knex.schema.alterTable('a', (t) => { … })`):
 * brackets are skipped whole, so the `;` inside a callback does not end it; a `;`, a `,` or a closing
 * bracket at its own level, a blank line or the next export does.
 */
function arrowExpressionEnd(s: string, from: number): number {
  let k = from;
  while (k < s.length) {
    const c = s[k]!;
    if (c === '(' || c === '[' || c === '{') {
      const close = matchBracket(s, k);
      if (close === -1) return lineEndOf(s, k);
      k = close + 1;
      continue;
    }
    if (c === ';' || c === ',' || c === ')' || c === ']' || c === '}') return k;
    if (c === '\n' && /^\n[ \t\r]*(\n|export\b|exports\b|module\b)/.test(s.slice(k, k + 40))) return k;
    k++;
  }
  return k;
}

/** Body of a function or method named `name` ([start, end) inside its braces, or an arrow's expression). */
function braceBody(m: Masked, name: RegExp): { header: number; body: Range } | undefined {
  const re = new RegExp(name.source, 'g');
  for (let match = re.exec(m.skeleton); match; match = re.exec(m.skeleton)) {
    if (m.inLiteral(match.index)) continue;
    const paren = m.skeleton.indexOf('(', match.index + match[0].length - 1);
    if (paren === -1) continue;
    const close = matchBracket(m.skeleton, paren);
    if (close === -1) continue;
    // Skip a return type annotation (TypeScript, PHP, C#) up to the body.
    let k = close + 1;
    let depth = 0;
    for (; k < m.skeleton.length; k++) {
      const c = m.skeleton[k];
      if (c === '<') depth++;
      else if (c === '>' && m.skeleton[k - 1] !== '=') depth--;
      else if (depth <= 0 && (c === '{' || (c === '=' && m.skeleton[k + 1] === '>') || c === ';')) break;
    }
    if (m.skeleton[k] === ';' || k >= m.skeleton.length) continue;
    if (m.skeleton[k] === '=') {
      let j = k + 2;
      while (/\s/.test(m.skeleton[j] ?? '')) j++;
      if (m.skeleton[j] === '{') {
        const close = matchBracket(m.skeleton, j);
        return { header: match.index, body: [j + 1, close === -1 ? m.skeleton.length : close] };
      }
      return { header: match.index, body: [j, arrowExpressionEnd(m.skeleton, j)] };
    }
    const end = matchBracket(m.skeleton, k);
    return { header: match.index, body: [k + 1, end === -1 ? m.skeleton.length : end] };
  }
  return undefined;
}

const JS_UP = /(?:\bexports\.up\s*=\s*(?:async\s*)?(?:function\s*\w*\s*)?|\bexport\s+(?:async\s+)?function\s+up\s*|\bexport\s+const\s+up\s*=\s*(?:async\s*)?(?:function\s*\w*\s*)?|(?:^|[\s,{])(?:public\s+|private\s+)?(?:async\s+)?up\s*(?::\s*(?:async\s*)?(?:function\s*\w*\s*)?)?)\(/;
const JS_DOWN = new RegExp(JS_UP.source.replace(/up/g, 'down'));

/** `exports.up = knex => …` / `up: async db => …`: an arrow whose one parameter has no parentheses. */
function bareArrowBody(m: Masked, which: 'up' | 'down'): { header: number; body: Range } | undefined {
  const re = new RegExp(`(?:\\bexports\\.${which}\\s*=|\\bexport\\s+const\\s+${which}\\s*=|(?:^|[\\s,{])${which}\\s*:)\\s*(?:async\\s+)?[A-Za-z_$][\\w$]*\\s*=>\\s*`, 'g');
  for (let match = re.exec(m.skeleton); match; match = re.exec(m.skeleton)) {
    if (m.inLiteral(match.index)) continue;
    const j = match.index + match[0].length;
    if (m.skeleton[j] === '{') {
      const close = matchBracket(m.skeleton, j);
      return { header: match.index, body: [j + 1, close === -1 ? m.skeleton.length : close] };
    }
    return { header: match.index, body: [j, arrowExpressionEnd(m.skeleton, j)] };
  }
  return undefined;
}

function downVerdict(result: MigrationAnalysis, m: Masked, down: { header: number; body: Range } | undefined, what: string): void {
  if (!down) {
    result.reversible = false;
    result.irreversibleReason = `there is no ${what}`;
    return;
  }
  const body = m.skeleton.slice(down.body[0], down.body[1]);
  const stripped = body.replace(/\breturn\b|\bawait\b|Promise\.resolve\(\s*\)|\bPromise\.resolve\b|\bnull\b|\bundefined\b|[;{}()]/g, '').trim();
  result.irreversibleLine = m.lineOf(down.header);
  if (stripped === '' || /^(pass|\/\/.*)$/.test(stripped)) {
    result.reversible = false;
    result.irreversibleReason = `${what} is empty`;
  } else if (/^throw\b/.test(stripped) && !/;\s*\S/.test(body.replace(/throw[^;]*;?/, ''))) {
    result.reversible = false;
    result.irreversibleReason = `${what} throws instead of undoing the migration`;
  } else {
    result.reversible = true;
    delete result.irreversibleLine;
  }
}

/** A Sequelize / db-migrate column type (`Sequelize.STRING(1024)`, `DataTypes.TEXT`, `'string'`, `{ type: … }`), normalised. */
function jsColumnType(m: Masked, r: Range | undefined): string | undefined {
  if (!r) return undefined;
  let expr = argText(m, r);
  const typeKey = /(?:^|[{,\s])type\s*:\s*/.exec(expr);
  if (expr.startsWith('{')) {
    if (!typeKey) return undefined;
    expr = expr.slice(typeKey.index + typeKey[0].length);
  }
  const raw = /^(?:\w+\.)?([A-Za-z_]+)(?:\s*\(\s*([^)]*)\))?/.exec(expr) ?? /^["'`](\w+)["'`]/.exec(expr);
  if (!raw) return undefined;
  const name = raw[1]!.toUpperCase();
  const args = raw[2]?.replace(/["'`\s]/g, '');
  const map: Record<string, string> = { STRING: `varchar(${args || 255})`, CHAR: `char(${args || 255})`, TEXT: 'text', CITEXT: 'citext', INTEGER: 'integer', INT: 'integer', BIGINT: 'bigint', SMALLINT: 'smallint', BOOLEAN: 'boolean', DATE: 'timestamptz', DATEONLY: 'date', UUID: 'uuid', JSON: 'json', JSONB: 'jsonb', FLOAT: 'float', DOUBLE: 'double', REAL: 'real', DECIMAL: args ? `numeric(${args})` : 'numeric', ARRAY: `array(${args ?? ''})`, ENUM: 'enum', BLOB: 'bytea', TIMESTAMP: 'timestamp' };
  return map[name] ?? (/^["'`]/.test(expr) ? normaliseType(raw[1]!) : undefined);
}

/** `{ id: { type: Sequelize.UUID }, name: Sequelize.STRING }`: each key with its type. */
function objectColumnTypes(m: Masked, r: Range): { column: string; type: string }[] {
  const open = m.skeleton.indexOf('{', r[0]);
  if (open === -1 || open >= r[1]) return [];
  const out: { column: string; type: string }[] = [];
  for (const entry of argRanges(m.skeleton, open)) {
    const colon = m.skeleton.indexOf(':', entry[0]);
    if (colon === -1 || colon >= entry[1]) continue;
    const column = nameIn(m, [entry[0], colon]);
    const type = jsColumnType(m, [colon + 1, entry[1]]);
    if (column && type) out.push({ column, type });
  }
  return out;
}

/** Knex column builders in `code`, in order: `t.string('name', 100)`, `t.decimal('x', 10, 2)`. */
function knexColumnDefs(code: string): { column: string; type: string; altered: boolean }[] {
  const map: Record<string, (a?: string, b?: string) => string> = {
    string: (a) => `varchar(${a ?? 255})`, text: () => 'text', integer: () => 'integer', bigInteger: () => 'bigint', bigint: () => 'bigint', smallint: () => 'smallint', tinyint: () => 'tinyint', boolean: () => 'boolean',
    decimal: (a, b) => (a ? `numeric(${a}${b ? `,${b}` : ''})` : 'numeric'), float: () => 'float', double: () => 'double', date: () => 'date', datetime: () => 'timestamptz', timestamp: () => 'timestamptz', json: () => 'json', jsonb: () => 'jsonb', uuid: () => 'uuid', binary: () => 'bytea',
  };
  const out: { column: string; type: string; altered: boolean }[] = [];
  for (const d of code.matchAll(/\.(\w+)\(\s*["'`]([^"'`]+)["'`]\s*(?:,\s*(\d+)(?:\s*,\s*(\d+))?)?\s*\)([^;\n]*)/g)) {
    const build = map[d[1]!];
    if (build) out.push({ column: d[2]!, type: build(d[3], d[4]), altered: /\.alter\(/.test(d[5] ?? '') });
  }
  return out;
}

/** The column a chained Knex modifier belongs to: `t.integer('age').notNullable()` → age (the nearest `.type('name'` before it). */
function chainColumn(m: Masked, at: number): string | undefined {
  const prefix = m.code.slice(lineStartOf(m.code, at), at);
  let column: string | undefined;
  for (const match of prefix.matchAll(/\.\w+\(\s*["'`]([^"'`]+)["'`]/g)) column = match[1];
  return column;
}

export function analyseJs(text: string, framework: 'knex' | 'sequelize' | 'typeorm' | 'db-migrate'): MigrationAnalysis {
  const m = mask(text, 'js');
  const result = emptyAnalysis();
  const up = braceBody(m, JS_UP) ?? bareArrowBody(m, 'up');
  const down = braceBody(m, JS_DOWN) ?? bareArrowBody(m, 'down');
  downVerdict(result, m, down, '`down`');
  if (!up) {
    result.problems.push({ line: 1, message: 'could not find the `up` function of this migration' });
    result.unreadable = true;
    return result;
  }
  const within: Range[] = [up.body];
  const all = calls(m, 'createTable|createTableIfNotExists|alterTable|table|dropTable|dropTableIfExists|dropColumn|dropColumns|removeColumn|renameColumn|renameTable|changeColumn|alter|notNullable|addColumn|addIndex|createIndex|index|unique|query|raw|runSql', within, { receiver: true });
  const created = result.createdTables;
  const contexts = all.filter((c) => /^(createTable|createTableIfNotExists|alterTable|table)$/.test(c.name) && c.receiver !== undefined);
  for (const c of contexts) if (/^createTable/.test(c.name)) created.add(nameIn(m, c.args[0]) ?? '');
  const contextAt = innermost(contexts.map((t) => ({ item: t, range: [t.at, t.span[1]] as Range })));
  let schemaOps = 0;
  let dataOps = 0;
  for (const c of all) {
    const line = m.lineOf(c.at);
    const args = positional(m, c);
    const ctx = contextAt(c.at);
    const ctxTable = ctx ? nameIn(m, ctx.args[0]) : undefined;
    const inCreate = ctx ? /^createTable/.test(ctx.name) : false;
    const span = m.code.slice(c.span[0], c.span[1]);
    // The call's line, at most 500 characters either side (a minified file is one line).
    const lineText = m.code.slice(lineStartOf(m.code, c.at), Math.min(lineEndOf(m.code, c.at), c.at + 500));
    const knexStyle = framework === 'knex' && ctx !== undefined;
    const table = knexStyle ? ctxTable : nameIn(m, args[0]);
    const column = knexStyle ? nameIn(m, args[0]) : nameIn(m, args[1]);
    if (c.name === 'query' || c.name === 'raw' || c.name === 'runSql') {
      // The SQL is the first argument; the rest are parameters or a callback.
      const counts = sqlInto(result, stringsOf(m, c.args[0] ?? c.span), created);
      schemaOps += counts.schema;
      dataOps += counts.data;
      continue;
    }
    if (contexts.includes(c)) {
      schemaOps++;
      // Sequelize and db-migrate: createTable('t', { column: { type: … } }): the types later changes compare with.
      if (!knexStyle && /^createTable/.test(c.name) && c.args[1]) for (const d of objectColumnTypes(m, c.args[1])) result.columns!.push({ table: nameIn(m, args[0]) ?? '', ...d });
      // Knex: t.string('name', 100) in a createTable or alterTable callback (not the ones `.alter()` changes).
      if (knexStyle) for (const d of knexColumnDefs(m.code.slice(c.at, c.span[1]))) if (!d.altered) result.columns!.push({ table: nameIn(m, args[0]) ?? '', column: d.column, type: d.type });
      continue;
    }
    // A method: on a name (`table.dropColumn`) or chained (`t.integer('age').notNullable()`).
    if (c.receiver === undefined && !/\.\s*$/.test(m.skeleton.slice(Math.max(0, c.at - 8), c.at))) continue;
    switch (c.name) {
      case 'dropTable':
      case 'dropTableIfExists':
        schemaOps++;
        result.ops.push(op('drop-table', line, `drops table ${nameIn(m, args[0])}`, nameIn(m, args[0])));
        break;
      case 'dropColumn':
      case 'dropColumns':
      case 'removeColumn':
        schemaOps++;
        for (const a of knexStyle ? args : args.slice(1, 2)) result.ops.push(op('drop-column', line, `drops column ${table}.${nameIn(m, a)}`, table, nameIn(m, a)));
        break;
      case 'renameColumn':
        schemaOps++;
        result.ops.push(op('rename-column', line, `renames column ${table}.${column}`, table, column));
        break;
      case 'renameTable':
        schemaOps++;
        result.ops.push(op('rename-table', line, `renames table ${nameIn(m, args[0])}`, nameIn(m, args[0])));
        break;
      case 'changeColumn': {
        schemaOps++;
        const type = jsColumnType(m, c.args[2]);
        result.ops.push({ ...op('change-type', line, `changes ${table}.${column}${type ? ` to ${type}` : ''}`, table, column), newType: type, oldType: previousType(result.columns!, table, column) });
        if (type && table && column) result.columns!.push({ table, column, type });
        break;
      }
      case 'alter':
        if (ctx && !inCreate) {
          schemaOps++;
          const col = chainColumn(m, c.at);
          const def = knexColumnDefs(m.code.slice(lineStartOf(m.code, c.at), c.at)).pop();
          const type = def?.column === col ? def?.type : undefined;
          result.ops.push({ ...op('change-type', line, `alters ${ctxTable}.${col ?? '?'}${type ? ` to ${type}` : ''}`, ctxTable, col), newType: type, oldType: previousType(result.columns!, ctxTable, col) });
          if (ctxTable && col && type) result.columns!.push({ table: ctxTable, column: col, type });
        }
        break;
      case 'notNullable':
        if (ctx && !inCreate && !/\.defaultTo\(|\.alter\(/.test(lineText)) {
          const col = chainColumn(m, c.at);
          result.ops.push(op('not-null', line, `adds ${ctxTable}.${col ?? '?'} NOT NULL without a default`, ctxTable, col));
        }
        break;
      case 'addColumn': {
        schemaOps++;
        const type = jsColumnType(m, c.args[2]);
        if (type && table && column) result.columns!.push({ table, column, type });
        if (/allowNull\s*:\s*false|isNullable\s*:\s*false/.test(span) && !/defaultValue\s*:|\bdefault\s*:/.test(span)) {
          const col = framework === 'typeorm' ? /name\s*:\s*["'`]([^"'`]+)/.exec(span)?.[1] : column;
          result.ops.push(op('not-null', line, `adds ${table}.${col} NOT NULL without a default`, table, col));
        }
        break;
      }
      case 'addIndex':
      case 'createIndex':
      case 'index':
      case 'unique': {
        if ((c.name === 'index' || c.name === 'unique') && (!ctx || inCreate)) break;
        schemaOps++;
        const t = c.name === 'index' || c.name === 'unique' ? ctxTable : nameIn(m, args[0]);
        if (t && !created.has(t) && !/concurrently\s*:\s*true/.test(span)) result.ops.push(op('index', line, `creates an index on ${t} without CONCURRENTLY`, t));
        break;
      }
    }
  }
  result.kind = schemaOps === 0 && dataOps > 0 ? 'data' : schemaOps === 0 && /\.(insert|update|del|delete|bulkInsert|bulkUpdate|bulkDelete)\(/.test(m.skeleton.slice(up.body[0], up.body[1])) ? 'data' : 'schema';
  return result;
}

const LARAVEL_COLUMN_TYPES = 'string|char|text|tinyText|mediumText|longText|integer|tinyInteger|smallInteger|mediumInteger|bigInteger|unsignedInteger|unsignedBigInteger|unsignedTinyInteger|unsignedSmallInteger|unsignedMediumInteger|float|double|decimal|boolean|date|dateTime|dateTimeTz|time|timeTz|timestamp|timestampTz|json|jsonb|uuid|ulid|foreignId|foreignUuid|foreignUlid|enum|binary|ipAddress|macAddress|year';

/** A Laravel column type (`string('name', 100)`, `text`, `decimal('x', 8, 2)`), normalised. */
function laravelType(name: string, first?: string, second?: string): string | undefined {
  const map: Record<string, string> = { string: `varchar(${first ?? 255})`, char: `char(${first ?? 255})`, text: 'text', mediumText: 'mediumtext', longText: 'longtext', tinyText: 'tinytext', integer: 'integer', bigInteger: 'bigint', unsignedBigInteger: 'bigint unsigned', unsignedInteger: 'integer unsigned', smallInteger: 'smallint', tinyInteger: 'tinyint', boolean: 'boolean', json: 'json', jsonb: 'jsonb', uuid: 'uuid', date: 'date', dateTime: 'datetime', timestamp: 'timestamp', decimal: first ? `numeric(${first}${second ? `,${second}` : ''})` : 'numeric', float: 'float', double: 'double', foreignId: 'bigint unsigned' };
  return map[name] ?? normaliseType(name);
}

export function analyseLaravel(text: string): MigrationAnalysis {
  const m = mask(text, 'php');
  const result = emptyAnalysis();
  const up = braceBody(m, /\bfunction\s+up\s*\(/);
  const down = braceBody(m, /\bfunction\s+down\s*\(/);
  downVerdict(result, m, down, '`down()`');
  if (!up) {
    result.problems.push({ line: 1, message: 'could not find the `up()` method of this migration' });
    result.unreadable = true;
    return result;
  }
  const all = calls(m, `create|table|drop|dropIfExists|rename|dropColumn|renameColumn|change|index|unique|statement|unprepared|${LARAVEL_COLUMN_TYPES}`, [up.body], { receiver: true });
  const contexts = all.filter((c) => c.receiver === 'Schema' && (c.name === 'create' || c.name === 'table'));
  const created = result.createdTables;
  for (const t of contexts.filter((c) => c.name === 'create').map((c) => nameIn(m, c.args[0]) ?? '')) created.add(t);
  const contextAt = innermost(contexts.map((t) => ({ item: t, range: [t.at, t.span[1]] as Range })));
  let schemaOps = contexts.length;
  let dataOps = 0;
  for (const c of all) {
    const line = m.lineOf(c.at);
    const args = positional(m, c);
    const ctx = contextAt(c.at);
    const table = ctx ? nameIn(m, ctx.args[0]) : undefined;
    // The column's modifier chain, up to its `;` (a chain longer than this is not a column definition).
    const window = m.skeleton.slice(c.at, c.at + 2000);
    const statementText = m.code.slice(c.at, c.at + (window.includes(';') ? window.indexOf(';') : window.length));
    if (c.receiver === 'DB' && (c.name === 'statement' || c.name === 'unprepared')) {
      const counts = sqlInto(result, [...stringsOf(m, c.span), ...heredocAfter(m, c)], created);
      schemaOps += counts.schema;
      dataOps += counts.data;
      continue;
    }
    if (c.receiver === 'Schema') {
      if (c.name === 'drop' || c.name === 'dropIfExists') {
        schemaOps++;
        result.ops.push(op('drop-table', line, `drops table ${nameIn(m, args[0])}`, nameIn(m, args[0])));
      } else if (c.name === 'rename') {
        schemaOps++;
        result.ops.push(op('rename-table', line, `renames table ${nameIn(m, args[0])} to ${nameIn(m, args[1])}`, nameIn(m, args[0])));
      }
      continue;
    }
    if (!ctx || c.name === 'create' || c.name === 'table') continue;
    if (new RegExp(`^(${LARAVEL_COLUMN_TYPES})$`).test(c.name) && !/->\s*change\s*\(/.test(statementText)) {
      const nums = args.slice(1).map((a) => argText(m, a)).filter((a) => /^\d+$/.test(a));
      const type = laravelType(c.name, nums[0], nums[1]);
      const col = nameIn(m, args[0]);
      if (table && col && type) result.columns!.push({ table, column: col, type });
    }
    if (c.name === 'dropColumn') {
      const columns = m.stringsIn(c.span[0], c.span[1]).map((s) => s.value);
      for (const col of columns) result.ops.push(op('drop-column', line, `drops column ${table}.${col}`, table, col));
    } else if (c.name === 'renameColumn') {
      result.ops.push(op('rename-column', line, `renames column ${table}.${nameIn(m, args[0])} to ${nameIn(m, args[1])}`, table, nameIn(m, args[0])));
    } else if (c.name === 'change') {
      const before = m.code.slice(Math.max(0, c.at - 2000), c.at);
      const def = /->(\w+)\(\s*['"]([^'"]+)['"]\s*(?:,\s*(\d+)(?:\s*,\s*(\d+))?)?/.exec(before.slice(before.lastIndexOf('$'))) ?? /->(\w+)\(\s*['"]([^'"]+)['"]\s*(?:,\s*(\d+)(?:\s*,\s*(\d+))?)?/.exec(before.slice(before.lastIndexOf(';') + 1));
      const col = def?.[2];
      const type = def ? laravelType(def[1]!, def[3], def[4]) : undefined;
      result.ops.push({ ...op('change-type', line, `changes ${table}.${col ?? '?'}${type ? ` to ${type}` : ''}`, table, col), newType: type, oldType: previousType(result.columns!, table, col) });
      if (table && col && type) result.columns!.push({ table, column: col, type });
    } else if ((c.name === 'index' || c.name === 'unique') && ctx.name === 'table') {
      if (table && !created.has(table)) result.ops.push(op('index', line, `adds an index on ${table} without CONCURRENTLY`, table));
    } else if (ctx.name === 'table' && new RegExp(`^(${LARAVEL_COLUMN_TYPES})$`).test(c.name) && !/->\s*(nullable|default|useCurrent|change|storedAs|virtualAs|generatedAs)\s*\(/.test(statementText)) {
      const col = nameIn(m, args[0]);
      result.ops.push(op('not-null', line, `adds ${table}.${col} NOT NULL without a default (Laravel columns are NOT NULL unless ->nullable())`, table, col));
    }
  }
  result.kind = schemaOps === 0 && (dataOps > 0 || /\bDB::table\(/.test(m.skeleton)) ? 'data' : 'schema';
  return result;
}

const unquote = (v: string) => v.replace(/^@?["']|["']$/g, '');

/** `AlterColumn<int>(…, oldClrType: typeof(string))`: the .NET type changed, so the column type did too. */
function clrTypeChanged(m: Masked, c: Call, oldClrType: string | undefined): boolean {
  const clr = /<\s*([\w.?]+)\s*>/.exec(m.code.slice(c.at, c.span[0]))?.[1];
  const old = oldClrType === undefined ? undefined : /typeof\s*\(\s*([\w.?]+)/.exec(oldClrType)?.[1];
  return clr !== undefined && old !== undefined && clr !== old;
}

export function analyseEfCore(text: string): MigrationAnalysis {
  const m = mask(text, 'csharp');
  const result = emptyAnalysis();
  const up = braceBody(m, /\bvoid\s+Up\s*\(/);
  const down = braceBody(m, /\bvoid\s+Down\s*\(/);
  downVerdict(result, m, down, '`Down()`');
  if (!up) {
    result.problems.push({ line: 1, message: 'could not find the `Up()` method of this migration' });
    result.unreadable = true;
    return result;
  }
  const all = calls(m, 'CreateTable|DropTable|DropColumn|RenameColumn|RenameTable|AlterColumn|AddColumn|CreateIndex|Sql|InsertData|UpdateData|DeleteData', [up.body], { receiver: true });
  const named = (c: Call, key: string) => kwName(m, c, key) ?? undefined;
  const created = result.createdTables;
  for (const t of all.filter((c) => c.name === 'CreateTable').map((c) => named(c, 'name') ?? '')) created.add(t);
  let schemaOps = 0;
  let dataOps = 0;
  for (const c of all) {
    const line = m.lineOf(c.at);
    const column = named(c, 'name');
    const span = m.code.slice(c.span[0], c.span[1]);
    if (/^(InsertData|UpdateData|DeleteData)$/.test(c.name)) {
      dataOps++;
      continue;
    }
    if (c.name === 'Sql') {
      const counts = sqlInto(result, stringsOf(m, c.span), created);
      schemaOps += counts.schema;
      dataOps += counts.data;
      continue;
    }
    schemaOps++;
    if (c.name === 'DropTable') result.ops.push(op('drop-table', line, `drops table ${named(c, 'name')}`, named(c, 'name')));
    else if (c.name === 'DropColumn') result.ops.push(op('drop-column', line, `drops column ${named(c, 'table')}.${column}`, named(c, 'table'), column));
    else if (c.name === 'RenameColumn') result.ops.push(op('rename-column', line, `renames column ${named(c, 'table')}.${column}`, named(c, 'table'), column));
    else if (c.name === 'RenameTable') result.ops.push(op('rename-table', line, `renames table ${named(c, 'name')}`, named(c, 'name')));
    else if (c.name === 'AlterColumn') {
      // EF Core writes the old definition next to the new one: most AlterColumns change a default or a
      // longer maxLength. Without the old values, assume the worst.
      const value = (key: string) => /^\s*\w+\s*:\s*(.*?)\s*$/s.exec(argText(m, c.args.find((r) => new RegExp(`^\\s*${key}\\s*:`).test(m.code.slice(r[0], r[1])))))?.[1];
      const t = named(c, 'table');
      const hasOld = /\bold(Type|ClrType|Nullable)\s*:/.test(span);
      const [type, oldType] = [value('type'), value('oldType')];
      const [len, oldLen] = [Number(value('maxLength') ?? NaN), Number(value('oldMaxLength') ?? NaN)];
      if (!hasOld) result.ops.push({ ...op('change-type', line, `alters column ${t}.${column}${type ? ` to ${type}` : ''}`, t, column), newType: type ? unquote(type) : undefined });
      else {
        if (clrTypeChanged(m, c, value('oldClrType'))) result.ops.push(op('change-type', line, `alters column ${t}.${column} from ${oldType ?? 'its old type'} to ${type ?? 'a new type'}`, t, column));
        // Store types written out: compared in the context of the database (a longer varchar changes only the catalogue).
        else if (type !== undefined && oldType !== undefined && type !== oldType) result.ops.push({ ...op('change-type', line, `alters column ${t}.${column}`, t, column), newType: unquote(type), oldType: unquote(oldType) });
        else if (len < oldLen) result.ops.push(op('change-type', line, `shortens ${t}.${column} from maxLength ${oldLen} to ${len}`, t, column));
        if (value('nullable') === 'false' && value('oldNullable') === 'true') {
          result.ops.push(op('not-null', line, `makes ${t}.${column} NOT NULL${/defaultValue(Sql)?\s*:/.test(span) ? ' (a default does not fill the rows that are NULL already)' : ''}`, t, column));
        }
      }
    }
    else if (c.name === 'AddColumn' && /nullable\s*:\s*false/.test(span) && !/defaultValue(Sql)?\s*:|computedColumnSql\s*:/.test(span)) {
      result.ops.push(op('not-null', line, `adds ${named(c, 'table')}.${column} NOT NULL without a default`, named(c, 'table'), column));
    } else if (c.name === 'CreateIndex') {
      const t = named(c, 'table');
      const after = m.code.slice(c.span[1], c.span[1] + 200);
      if (t && !created.has(t) && !/CreatedConcurrently/.test(after)) result.ops.push(op('index', line, `creates an index on ${t} without CONCURRENTLY`, t));
    }
  }
  result.kind = schemaOps === 0 && dataOps > 0 ? 'data' : 'schema';
  return result;
}

// ---------------------------------------------------------------------------------------------
// Elixir: Ecto

/** An Ecto column type (`:string` with `size:`, `:text`, `references(:users)`, `{:array, :string}`), normalised. */
function ectoType(raw: string, options: string): string | undefined {
  const t = raw.trim();
  if (t === '') return undefined;
  const opt = (key: string) => new RegExp(`\\b${key}:\\s*(\\d+)`).exec(options)?.[1];
  if (/^references\s*\(/.test(t)) return normaliseType(/\btype:\s*:(\w+)/.exec(t)?.[1] ?? 'bigint');
  const atom = /^:"?(\w+)"?$/.exec(t)?.[1];
  if (!atom) return normaliseType(t.replace(/\s+/g, ' '));
  const map: Record<string, string> = { string: `varchar(${opt('size') ?? 255})`, text: 'text', integer: 'integer', bigint: 'bigint', id: 'bigint', serial: 'serial', bigserial: 'bigserial', boolean: 'boolean', map: 'jsonb', uuid: 'uuid', binary_id: 'uuid', float: 'double', utc_datetime: 'timestamp', naive_datetime: 'timestamp', utc_datetime_usec: 'timestamp', naive_datetime_usec: 'timestamp', date: 'date', time: 'time', binary: 'bytea', decimal: opt('precision') ? `numeric(${opt('precision')}${opt('scale') ? `,${opt('scale')}` : ''})` : 'numeric' };
  return map[atom] ?? normaliseType(atom);
}

/** `from: :string` or `from: {:string, null: false}` in a `modify`: the previous type and its options. */
function ectoFrom(m: Masked, c: Call): { type?: string; options: string; range: Range } | undefined {
  const at = m.skeleton.slice(c.span[0], c.span[1]).search(/\bfrom:\s*/);
  if (at === -1) return undefined;
  let k = c.span[0] + at + 5;
  while (/\s/.test(m.skeleton[k] ?? '')) k++;
  if (m.skeleton[k] === '{') {
    const close = matchBracket(m.skeleton, k);
    const end = close === -1 ? c.span[1] : close + 1;
    const parts = splitArgs(m.skeleton, k + 1, end - 1);
    const options = parts.slice(1).map((r) => m.code.slice(r[0], r[1])).join(',');
    return { type: parts[0] ? ectoType(m.code.slice(parts[0][0], parts[0][1]), options) : undefined, options, range: [c.span[0] + at, end] };
  }
  const end = k + (/^[^,)\n]*/.exec(m.skeleton.slice(k))?.[0].length ?? 0);
  return { type: ectoType(m.code.slice(k, end), ''), options: '', range: [c.span[0] + at, end] };
}

export function analyseEcto(text: string): MigrationAnalysis {
  const m = mask(text, 'elixir');
  const result = emptyAnalysis();
  const defs = new Map<string, Range>();
  for (const d of m.skeleton.matchAll(/^[ \t]*def\s+(up|down|change)\b(\s*,\s*do:)?/gm)) {
    if (m.inLiteral(d.index)) continue;
    // `def down, do: execute("…")`: the body is the rest of the statement, not the lines below.
    const oneLine = d[2] !== undefined ? d.index + d[0].length : undefined;
    defs.set(d[1]!, oneLine !== undefined ? [oneLine, statementEnd(m, oneLine)] : indentedBody(m, d.index));
  }
  const forward = [defs.get('change'), defs.get('up')].filter((r): r is Range => r !== undefined);
  const all = calls(m, 'create|create_if_not_exists|alter|drop|drop_if_exists|rename|remove|remove_if_exists|modify|add|add_if_not_exists|execute', forward, { parenless: true });
  const tableArg = (c: Call, k = 0): string | undefined => /table\(\s*:?"?(\w+)/.exec(argText(m, c.args[k]))?.[1];
  const created = result.createdTables;
  for (const t of all.filter((c) => /^create/.test(c.name) && /^\s*table\(/.test(argText(m, c.args[0]))).map((c) => tableArg(c) ?? '')) created.add(t);
  // `add`, `remove`, `modify` belong to the innermost `alter table(…)` / `create table(…)` block around them.
  const tableBlockAt = innermost(all.filter((c) => /^(alter|create|create_if_not_exists)$/.test(c.name) && /^\s*table\(/.test(argText(m, c.args[0]))).map((c) => ({ item: c, range: blockOf(m, c) })));
  let schemaOps = 0;
  let dataOps = 0;
  let irreversible: { line: number; why: string } | undefined;
  const changeBody = defs.get('change');
  const inChange = (c: Call) => changeBody !== undefined && c.at >= changeBody[0] && c.at < changeBody[1];
  for (const c of all) {
    const line = m.lineOf(c.at);
    const args = positional(m, c);
    const block = tableBlockAt(c.at);
    const alter = block?.name === 'alter' ? block : undefined;
    const table = alter ? tableArg(alter) : undefined;
    const span = argText(m, c.span);
    if (c.name === 'execute') {
      if (inChange(c) && c.args.length < 2) irreversible ??= { line, why: '`execute` with one argument in `change` cannot be reversed (pass the down SQL as a second argument)' };
      const upArg = c.args[0];
      const counts = upArg ? sqlInto(result, stringsOf(m, upArg), created) : { schema: 0, data: 0 };
      schemaOps += counts.schema;
      dataOps += counts.data;
      continue;
    }
    schemaOps++;
    if (c.name === 'drop' || c.name === 'drop_if_exists') {
      const t = tableArg(c);
      if (/^\s*table\(/.test(argText(m, args[0]))) result.ops.push(op('drop-table', line, `drops table ${t}`, t));
      // Ecto reverses `drop index(…)` by creating it again; not a table or a constraint.
      if (inChange(c) && !/^\s*(unique_)?index\(/.test(argText(m, args[0]))) irreversible ??= { line, why: `\`${c.name}\` of a table or constraint in \`change\` cannot be reversed: write \`up\` and \`down\`` };
    } else if (c.name === 'rename') {
      if (/to:\s*table\(/.test(span)) result.ops.push(op('rename-table', line, `renames table ${tableArg(c)}`, tableArg(c)));
      else result.ops.push(op('rename-column', line, `renames column ${tableArg(c)}.${nameIn(m, args[1])}`, tableArg(c), nameIn(m, args[1])));
    } else if ((c.name === 'remove' || c.name === 'remove_if_exists') && alter) {
      result.ops.push(op('drop-column', line, `removes column ${table}.${nameIn(m, args[0])}`, table, nameIn(m, args[0])));
      if (inChange(c) && args.length < 2) irreversible ??= { line, why: '`remove` without a type in `change` cannot be reversed' };
    } else if (c.name === 'modify' && alter) {
      // `modify :c, :type, null: true, from: {:type, null: false}`: the type changes only when `from:` says another one.
      const column = nameIn(m, args[0]);
      const from = ectoFrom(m, c);
      const own = from ? m.code.slice(c.span[0], from.range[0]) + m.code.slice(from.range[1], c.span[1]) : span;
      const type = ectoType(argText(m, args[1]), own);
      result.ops.push({ ...op('change-type', line, `modifies ${table}.${column}${type ? ` to ${type}` : ''}`, table, column), newType: type, oldType: from?.type });
      if (/\bnull:\s*false/.test(own) && !/\bnull:\s*false/.test(from?.options ?? '')) result.ops.push(op('not-null', line, `modify makes ${table}.${column} NOT NULL: scans the table under an exclusive lock and fails on existing NULLs`, table, column));
      if (type && table && column) result.columns!.push({ table, column, type });
      if (inChange(c) && !from) irreversible ??= { line, why: '`modify` without `from:` in `change` cannot be reversed' };
    } else if (c.name === 'add' || c.name === 'add_if_not_exists') {
      const column = nameIn(m, args[0]);
      const type = ectoType(argText(m, args[1]), span);
      const t = table ?? (block ? tableArg(block) : undefined);
      if (type && t && column) result.columns!.push({ table: t, column, type });
      if (alter && table && !created.has(table) && /null:\s*false/.test(span) && !/default:/.test(span)) result.ops.push(op('not-null', line, `adds ${table}.${column} NOT NULL without a default`, table, column));
    } else if (/^create/.test(c.name) && /^\s*(unique_)?index\(/.test(argText(m, args[0]))) {
      const t = /index\(\s*:?"?(\w+)/.exec(argText(m, args[0]))?.[1];
      if (t && !created.has(t) && !/concurrently:\s*true/.test(span)) result.ops.push(op('index', line, `creates an index on ${t} without concurrently: true`, t));
    }
  }
  result.kind = schemaOps === 0 && (dataOps > 0 || /\brepo\(\)\.(insert|update|delete)|Repo\.(insert|update|delete)/.test(m.skeleton)) ? 'data' : 'schema';
  if (defs.has('change') && !defs.has('up')) {
    result.reversible = !irreversible;
    if (irreversible) {
      result.irreversibleReason = irreversible.why;
      result.irreversibleLine = irreversible.line;
    }
  } else if (defs.has('up')) {
    const down = defs.get('down');
    if (!down) {
      result.reversible = false;
      result.irreversibleReason = '`up` has no `down`';
    } else if (emptyBody(m, down) || emptyBody(m, down, [/\braise\b[^\n]*/g])) {
      result.reversible = false;
      result.irreversibleReason = emptyBody(m, down) ? '`down` is empty' : '`down` raises instead of undoing `up`';
      result.irreversibleLine = m.lineOf(down[0]);
    } else result.reversible = true;
  }
  return result;
}
