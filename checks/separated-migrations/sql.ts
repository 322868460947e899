// SQL in migrations, read with a tokenizer rather than a single-dialect parser: migrations come in
// PostgreSQL, MySQL, SQLite and SQL Server, and a PostgreSQL grammar would call valid MySQL broken.
// The tokenizer is exact about what hides keywords (comments, quoted strings and identifiers, dollar
// quotes, MySQL DELIMITER, SQL Server GO); statements are then judged by their leading keywords.
import { previousType, type ColumnDef, type DestructiveOp } from './model.ts';
import { normaliseType } from './types.ts';

export interface SqlToken {
  kind: 'word' | 'ident' | 'string' | 'number' | 'punct';
  /** Upper-cased for words; the unquoted name for identifiers; the raw text otherwise. */
  text: string;
  line: number;
}

export interface SqlComment {
  text: string;
  line: number;
}

export interface SqlStatement {
  tokens: SqlToken[];
  line: number;
  /** Comments on the lines just before the statement and inside it (for squawk-ignore and the like). */
  comments: SqlComment[];
}

/** On an error, the statements before it are still returned. */
export type SqlLexResult = { ok: true; statements: SqlStatement[]; comments: SqlComment[] } | { ok: false; line: number; reason: string; statements: SqlStatement[]; comments: SqlComment[] };

const isWordStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 0x80;
const isWordPart = (c: number) => isWordStart(c) || (c >= 48 && c <= 57) || c === 36;
const isDigit = (c: number) => c >= 48 && c <= 57;
/** Results past this many per file are not kept: a finding per statement is no use beyond it. */
export const MAX_OPS = 1000;
const MAX_PROBLEMS = 100;

/** Splits SQL text into statements of tokens. Never throws; unterminated constructs are reported. */
export function lexSql(text: string, firstLine = 1, opts: { backslashEscapes?: boolean } = {}): SqlLexResult {
  const statements: SqlStatement[] = [];
  const comments: SqlComment[] = [];
  let tokens: SqlToken[] = [];
  let statementComments: SqlComment[] = [];
  let pendingComments: SqlComment[] = [];
  let line = firstLine;
  let delimiter = ';';
  // BEGIN … END bodies of triggers and procedures written without dollar quotes hold semicolons.
  let blockDepth = 0;
  let atLineStart = true;
  const n = text.length;
  let i = 0;

  const flush = () => {
    if (tokens.length > 0) statements.push({ tokens, line: tokens[0]!.line, comments: [...pendingComments, ...statementComments] });
    tokens = [];
    statementComments = [];
    pendingComments = [];
    blockDepth = 0;
  };
  const comment = (c: SqlComment) => {
    comments.push(c);
    (tokens.length === 0 ? pendingComments : statementComments).push(c);
  };
  const isRoutine = () => {
    const words = tokens.slice(0, 6).map((t) => t.text);
    return words[0] === 'CREATE' && words.some((w) => w === 'TRIGGER' || w === 'PROCEDURE' || w === 'FUNCTION');
  };

  while (i < n) {
    const ch = text[i]!;
    if (ch === '\n') {
      line++;
      i++;
      atLineStart = true;
      // A blank line ends the comments that lead into the next statement.
      if (tokens.length === 0 && pendingComments.length > 0) {
        let j = i;
        while (j < n && (text[j] === ' ' || text[j] === '\t' || text[j] === '\r')) j++;
        if (text[j] === '\n') pendingComments = [];
      }
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f' || ch === '\v' || ch === '\uFEFF') {
      i++;
      continue;
    }
    const startLine = line;
    if (atLineStart && (ch === 'D' || ch === 'd' || ch === 'G' || ch === 'g' || ch === '#')) {
      atLineStart = false;
      const rest = text.slice(i, text.indexOf('\n', i) === -1 ? n : text.indexOf('\n', i));
      const delim = /^DELIMITER[ \t]+(\S+)/i.exec(rest);
      if (delim) {
        flush();
        delimiter = delim[1]!;
        i += rest.length;
        continue;
      }
      if (/^GO[ \t]*(\d+[ \t]*)?$/i.test(rest.trimEnd())) {
        flush();
        i += rest.length;
        continue;
      }
      if (ch === '#' && !text.startsWith('#>', i)) {
        comment({ text: rest.slice(1).trim(), line: startLine });
        i += rest.length;
        continue;
      }
    }
    atLineStart = false;
    if (delimiter !== ';' ? text.startsWith(delimiter, i) : ch === ';' && blockDepth === 0) {
      flush();
      i += delimiter.length;
      continue;
    }
    if (ch === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      comment({ text: text.slice(i + 2, end === -1 ? n : end).trim(), line: startLine });
      i = end === -1 ? n : end;
      continue;
    }
    if (ch === '/' && text[i + 1] === '*') {
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (text[j] === '\n') line++;
        if (text[j] === '/' && text[j + 1] === '*') {
          depth++;
          j += 2;
        } else if (text[j] === '*' && text[j + 1] === '/') {
          depth--;
          j += 2;
        } else j++;
      }
      if (depth > 0) return { ok: false, line: startLine, reason: 'a /* comment is never closed', statements, comments };
      comment({ text: text.slice(i + 2, j - 2).trim(), line: startLine });
      i = j;
      continue;
    }
    if (ch === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, i + 66));
      if (tag) {
        const close = text.indexOf(tag[0], i + tag[0].length);
        if (close === -1) return { ok: false, line: startLine, reason: `a ${tag[0]} quoted body is never closed`, statements, comments };
        const body = text.slice(i + tag[0].length, close);
        line += countNewlines(body);
        tokens.push({ kind: 'string', text: body, line: startLine });
        i = close + tag[0].length;
        continue;
      }
    }
    if (ch === "'" || ((ch === 'E' || ch === 'e' || ch === 'N' || ch === 'n' || ch === 'X' || ch === 'x' || ch === 'B' || ch === 'b') && text[i + 1] === "'")) {
      const backslashes = ch === 'E' || ch === 'e' || opts.backslashEscapes === true;
      let j = ch === "'" ? i + 1 : i + 2;
      let value = '';
      for (;;) {
        if (j >= n) return { ok: false, line: startLine, reason: 'a quoted string is never closed', statements, comments };
        const c = text[j]!;
        if (c === '\n') line++;
        if (backslashes && c === '\\') {
          value += text[j + 1] ?? '';
          j += 2;
          continue;
        }
        if (c === "'") {
          if (text[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += c;
        j++;
      }
      tokens.push({ kind: 'string', text: value, line: startLine });
      i = j + 1;
      continue;
    }
    if (ch === '"' || ch === '`') {
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= n) return { ok: false, line: startLine, reason: `a ${ch}quoted name${ch} is never closed`, statements, comments };
        const c = text[j]!;
        if (c === '\n') line++;
        if (c === ch) {
          if (text[j + 1] === ch) {
            value += ch;
            j += 2;
            continue;
          }
          break;
        }
        value += c;
        j++;
      }
      tokens.push({ kind: 'ident', text: value, line: startLine });
      i = j + 1;
      continue;
    }
    if (ch === '[' && tokens.length > 0 && /^(TABLE|ON|INTO|FROM|JOIN|UPDATE|COLUMN|INDEX|VIEW|ADD|DROP|ALTER|EXISTS|TO|REFERENCES|CONSTRAINT|SCHEMA|PROCEDURE|FUNCTION|TRIGGER|\.|,|\()$/.test(tokens[tokens.length - 1]!.text)) {
      // SQL Server [bracketed] names, only where a name is expected (PostgreSQL uses [] for arrays).
      const close = text.indexOf(']', i);
      if (close !== -1 && !text.slice(i + 1, close).includes('\n')) {
        tokens.push({ kind: 'ident', text: text.slice(i + 1, close), line: startLine });
        i = close + 1;
        continue;
      }
    }
    const cc = text.charCodeAt(i);
    if (isWordStart(cc)) {
      let j = i + 1;
      while (j < n && isWordPart(text.charCodeAt(j))) j++;
      const word = text.slice(i, j).toUpperCase();
      tokens.push({ kind: 'word', text: word, line: startLine });
      if (isRoutine()) {
        if (word === 'BEGIN' || word === 'CASE') blockDepth++;
        else if (word === 'END' && blockDepth > 0 && !/^(IF|LOOP|WHILE|REPEAT)$/.test(peekWord(text, j))) blockDepth--;
      }
      i = j;
      continue;
    }
    if (isDigit(cc) || (ch === '.' && isDigit(text.charCodeAt(i + 1)))) {
      let j = i + 1;
      while (j < n && (isWordPart(text.charCodeAt(j)) || text[j] === '.')) j++;
      tokens.push({ kind: 'number', text: text.slice(i, j), line: startLine });
      i = j;
      continue;
    }
    if (ch === '\u0000') return { ok: false, line: startLine, reason: 'the file contains NUL bytes', statements, comments };
    tokens.push({ kind: 'punct', text: ch, line: startLine });
    i++;
  }
  flush();
  return { ok: true, statements, comments };
}

function countNewlines(s: string): number {
  let count = 0;
  for (let k = s.indexOf('\n'); k !== -1; k = s.indexOf('\n', k + 1)) count++;
  return count;
}

function peekWord(text: string, from: number): string {
  const m = /^[ \t]*([A-Za-z]+)/.exec(text.slice(from, from + 40));
  return m ? m[1]!.toUpperCase() : '';
}

// Statements a migration may legitimately start with, in any common dialect.
const STATEMENT_LEADERS = new Set([
  'ABORT', 'ALTER', 'ANALYZE', 'ANALYSE', 'ATTACH', 'BEGIN', 'CALL', 'CHECKPOINT', 'CLUSTER', 'COMMENT', 'COMMIT', 'COPY', 'CREATE', 'DEALLOCATE', 'DECLARE', 'DELETE',
  'DETACH', 'DISCARD', 'DO', 'DROP', 'END', 'EXEC', 'EXECUTE', 'EXPLAIN', 'FLUSH', 'GRANT', 'IF', 'IMPORT', 'INSERT', 'LISTEN', 'LOAD', 'LOCK', 'MERGE', 'NOTIFY', 'OPTIMIZE',
  'PERFORM', 'PRAGMA', 'PREPARE', 'PRINT', 'RAISE', 'REASSIGN', 'REFRESH', 'REINDEX', 'RELEASE', 'RENAME', 'REPLACE', 'RESET', 'REVOKE', 'ROLLBACK', 'SAVEPOINT', 'SECURITY',
  'SELECT', 'SET', 'SHOW', 'START', 'TABLE', 'TRUNCATE', 'UNLOCK', 'UPDATE', 'UPSERT', 'USE', 'VACUUM', 'VALUES', 'WITH', 'UNLISTEN', 'GO', 'SP_RENAME',
]);
const DATA_LEADERS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY', 'SELECT', 'VALUES', 'UPSERT', 'REPLACE', 'CALL', 'WITH', 'TABLE']);
const HARMLESS_LEADERS = new Set(['BEGIN', 'COMMIT', 'END', 'START', 'SET', 'RESET', 'SAVEPOINT', 'RELEASE', 'ROLLBACK', 'LOCK', 'PRAGMA', 'USE', 'ANALYZE', 'ANALYSE', 'VACUUM', 'PRINT', 'GO']);
const NOT_COLUMN_AFTER_DROP = new Set(['CONSTRAINT', 'INDEX', 'KEY', 'PRIMARY', 'FOREIGN', 'UNIQUE', 'CHECK', 'PARTITION', 'DEFAULT', 'TRIGGER', 'ROW', 'EXPRESSION', 'IDENTITY', 'NOT', 'PERIOD', 'SYSTEM']);
const NOT_COLUMN_AFTER_ADD = new Set(['CONSTRAINT', 'INDEX', 'KEY', 'PRIMARY', 'FOREIGN', 'UNIQUE', 'CHECK', 'PARTITION', 'FULLTEXT', 'SPATIAL', 'EXCLUDE', 'PERIOD', 'SYSTEM', 'GENERATED', 'TABLE']);

export interface SqlAnalysis {
  ops: DestructiveOp[];
  /** Statements that change the schema (DDL). */
  schemaStatements: number;
  /** Statements that only read or write rows (backfills). */
  dataStatements: number;
  /** Of those, the ones that only read (a SELECT of a message is no way back). */
  readOnlyStatements: number;
  /** Column types defined by CREATE TABLE, ADD COLUMN and type changes, in order. */
  columns: ColumnDef[];
  createdTables: Set<string>;
  problems: { line: number; message: string }[];
  /** Evidence that the SQL is PostgreSQL. */
  postgresHints: string[];
  /** The tokenizer stopped: nothing after the error was read. */
  aborted: boolean;
}

const nameOf = (t: SqlToken | undefined): string => (t ? (t.kind === 'word' ? t.text.toLowerCase() : t.text) : '');

/** Reads a possibly schema-qualified name starting at `k`; returns the last part and the index after it. */
function qualifiedName(tokens: SqlToken[], k: number): { name: string; next: number } {
  let name = nameOf(tokens[k]);
  let next = k + 1;
  while (tokens[next]?.text === '.' && tokens[next + 1] && tokens[next + 1]!.kind !== 'punct') {
    name = nameOf(tokens[next + 1]);
    next += 2;
  }
  return { name, next };
}

/** Splits tokens at top-level commas (outside parentheses). */
function splitTopLevel(tokens: SqlToken[]): SqlToken[][] {
  const parts: SqlToken[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.text === '(') depth++;
    else if (t.text === ')') depth = Math.max(0, depth - 1);
    if (t.text === ',' && t.kind === 'punct' && depth === 0) parts.push([]);
    else parts[parts.length - 1]!.push(t);
  }
  return parts.filter((p) => p.length > 0);
}

const ignoresRule = (comments: SqlComment[]): boolean => comments.some((c) => /\bsquawk-ignore\b|\batlas:nolint\b|\bnolint\b|\bsafety[_ -]assured\b/i.test(c.text));

export function analyseSql(text: string, opts: { firstLine?: number; context?: string } = {}): SqlAnalysis {
  const result: SqlAnalysis = { ops: [], schemaStatements: 0, dataStatements: 0, readOnlyStatements: 0, columns: [], createdTables: new Set(), problems: [], postgresHints: [], aborted: false };
  let lexed = lexSql(text, opts.firstLine ?? 1);
  if (!lexed.ok && lexed.reason === 'a quoted string is never closed') {
    // MySQL escapes quotes with a backslash ('it\'s'); standard SQL does not. Read it the MySQL way when the standard way fails.
    const mysql = lexSql(text, opts.firstLine ?? 1, { backslashEscapes: true });
    if (mysql.ok) lexed = mysql;
  }
  if (!lexed.ok) {
    result.problems.push({ line: lexed.line, message: `could not parse this SQL: ${lexed.reason}` });
    result.aborted = true;
  }
  const fileIgnored = lexed.comments.some((c) => /\bsquawk-ignore-file\b|\batlas:nolint\b/i.test(c.text) && c.line <= (lexed.statements[0]?.line ?? Infinity));
  for (const statement of lexed.statements) {
    const t = statement.tokens;
    const lead = t[0]!;
    if (lead.kind !== 'word' || !STATEMENT_LEADERS.has(lead.text)) {
      if ((lead.kind === 'punct' && (lead.text === '(' || lead.text === ')')) || result.problems.length >= MAX_PROBLEMS) continue;
      result.problems.push({ line: lead.line, message: `could not parse this SQL: a statement starts with "${lead.kind === 'word' ? lead.text.toLowerCase() : lead.text}", which is not an SQL command` });
      continue;
    }
    if ((lead.text === 'DO' && t[1]?.kind === 'string') || t.some((x) => x.kind === 'word' && /^(JSONB|TIMESTAMPTZ|BIGSERIAL|SERIAL|CONCURRENTLY|ILIKE|PLPGSQL)$/.test(x.text))) {
      result.postgresHints.push(`PostgreSQL syntax at line ${lead.line}`);
    }
    const guarded = fileIgnored || ignoresRule(statement.comments);
    const push = (op: Omit<DestructiveOp, 'guarded' | 'guard'>) => {
      if (result.ops.length < MAX_OPS) result.ops.push({ ...op, guarded, guard: guarded ? 'a linter ignore comment (squawk-ignore, atlas:nolint)' : undefined });
    };
    if (DATA_LEADERS.has(lead.text)) {
      result.dataStatements++;
      if (lead.text === 'SELECT' && !t.some((x) => x.kind === 'word' && x.text === 'INTO')) result.readOnlyStatements++;
      continue;
    }
    if (HARMLESS_LEADERS.has(lead.text)) continue;
    result.schemaStatements++;
    const w = (k: number) => (t[k]?.kind === 'word' ? t[k]!.text : '');
    if (lead.text === 'TRUNCATE') {
      const { name } = qualifiedName(t, w(1) === 'TABLE' ? 2 : 1);
      if (!result.createdTables.has(name)) push({ kind: 'drop-table', line: lead.line, table: name, detail: `TRUNCATE ${name} deletes every row` });
      continue;
    }
    if (lead.text === 'DROP' && (w(1) === 'TABLE' || w(1) === 'SCHEMA' || w(1) === 'DATABASE')) {
      let k = 2;
      if (w(k) === 'IF' && w(k + 1) === 'EXISTS') k += 2;
      const names = splitTopLevel(t.slice(k)).map((part) => qualifiedName(part, 0).name).filter((x) => x && !/^(cascade|restrict)$/.test(x));
      // A table created earlier in the same migration (a scratch table) held nothing the running release uses.
      for (const name of names) if (!result.createdTables.has(name)) push({ kind: 'drop-table', line: lead.line, table: name, detail: `DROP ${w(1)} ${name}` });
      continue;
    }
    if (lead.text === 'RENAME' && w(1) === 'TABLE') {
      const { name } = qualifiedName(t, 2);
      push({ kind: 'rename-table', line: lead.line, table: name, detail: `RENAME TABLE ${name}` });
      continue;
    }
    if ((lead.text === 'EXEC' || lead.text === 'EXECUTE' || lead.text === 'SP_RENAME') && t.some((x) => x.text === 'SP_RENAME')) {
      const target = t.find((x) => x.kind === 'string');
      push({ kind: 'rename-column', line: lead.line, table: target?.text.split('.')[0], column: target?.text.split('.').pop(), detail: `sp_rename ${target?.text ?? ''}`.trim() });
      continue;
    }
    if (lead.text === 'CREATE') {
      let k = 1;
      if (w(k) === 'OR' && w(k + 1) === 'REPLACE') k += 2;
      while (/^(GLOBAL|LOCAL|TEMP|TEMPORARY|UNLOGGED|UNIQUE|CLUSTERED|NONCLUSTERED|FULLTEXT|SPATIAL|VIRTUAL|MATERIALIZED)$/.test(w(k))) k++;
      if (w(k) === 'TABLE' || (w(k) === 'VIEW' && w(k - 1) === 'MATERIALIZED')) {
        k++;
        if (w(k) === 'IF' && w(k + 1) === 'NOT' && w(k + 2) === 'EXISTS') k += 3;
        const { name, next } = qualifiedName(t, k);
        result.createdTables.add(name);
        if (t[next]?.text === '(') {
          const close = matchingParen(t, next);
          for (const part of splitTopLevel(t.slice(next + 1, close))) {
            const def = columnDefinition(part, 0);
            if (def) result.columns.push({ table: name, ...def });
          }
        }
      } else if (w(k) === 'INDEX') {
        const concurrently = t.some((x) => x.kind === 'word' && x.text === 'CONCURRENTLY');
        const on = t.findIndex((x) => x.kind === 'word' && x.text === 'ON');
        if (on !== -1) {
          const table = qualifiedName(t, w(on + 1) === 'ONLY' ? on + 2 : on + 1).name;
          if (!concurrently && !result.createdTables.has(table)) push({ kind: 'index', line: lead.line, table, detail: `CREATE INDEX on ${table} without CONCURRENTLY` });
        }
      }
      continue;
    }
    if (lead.text === 'ALTER' && w(1) === 'TABLE') {
      let k = 2;
      if (w(k) === 'IF' && w(k + 1) === 'EXISTS') k += 2;
      if (w(k) === 'ONLY') k++;
      if (!t[k] || t[k]!.kind === 'punct') {
        result.problems.push({ line: lead.line, message: 'could not parse this SQL: ALTER TABLE without a table name' });
        continue;
      }
      const { name: table, next } = qualifiedName(t, k);
      const actions = splitTopLevel(t.slice(next));
      if (result.createdTables.has(table)) {
        // Changing a table this migration created touches nothing deployed, except when the new table
        // takes the name of one the migration dropped: SQLite's (and Prisma's) table redefinition.
        for (const action of actions) {
          const renamed = action[0]?.text === 'RENAME' && (action[1]?.text === 'TO' || action[1]?.text === 'AS') ? nameOf(action[2]) : undefined;
          if (!renamed) continue;
          result.createdTables.add(renamed);
          const dropped = result.ops.findIndex((o) => o.kind === 'drop-table' && o.table === renamed && !o.detail.startsWith('TRUNCATE'));
          if (dropped !== -1) {
            const old = result.ops[dropped]!;
            result.ops[dropped] = { ...old, kind: 'change-type', table: undefined, detail: `rebuilds table ${renamed}: a copy (${table}) replaces it, which rewrites every row and drops what the copy leaves out` };
          }
        }
        continue;
      }
      for (const action of actions) analyseAlterAction(action, table, lead.line, push, result.columns);
    }
  }
  return result;
}

/** Index of the `)` closing the `(` at `open`, or the end. */
function matchingParen(t: SqlToken[], open: number): number {
  let depth = 0;
  for (let k = open; k < t.length; k++) {
    if (t[k]!.kind !== 'punct') continue;
    if (t[k]!.text === '(') depth++;
    else if (t[k]!.text === ')' && --depth === 0) return k;
  }
  return t.length;
}

const COLUMN_CONSTRAINTS = new Set(['NOT', 'NULL', 'DEFAULT', 'PRIMARY', 'REFERENCES', 'UNIQUE', 'CHECK', 'CONSTRAINT', 'GENERATED', 'COLLATE', 'AUTO_INCREMENT', 'AUTOINCREMENT', 'COMMENT', 'IDENTITY', 'USING', 'ON', 'AFTER', 'FIRST', 'CHARACTER', 'CHARSET', 'CODEC', 'TTL', 'MATERIALIZED', 'ALIAS', 'EPHEMERAL', 'SET', 'DROP', 'WITH']);
const TABLE_CONSTRAINTS = new Set(['CONSTRAINT', 'PRIMARY', 'FOREIGN', 'UNIQUE', 'CHECK', 'INDEX', 'KEY', 'EXCLUDE', 'LIKE', 'FULLTEXT', 'SPATIAL', 'PERIOD', 'PROJECTION']);

/** `name type …` from token `k`: the column and its type, up to the first column constraint. */
function columnDefinition(part: SqlToken[], k: number): { column: string; type: string } | undefined {
  const first = part[k];
  if (!first || first.kind === 'punct' || (first.kind === 'word' && TABLE_CONSTRAINTS.has(first.text))) return undefined;
  const type = typeTokens(part, k + 1);
  return type ? { column: nameOf(first), type } : undefined;
}

/** The type written from token `k`: words and their parenthesised arguments, up to a constraint keyword. */
function typeTokens(part: SqlToken[], k: number): string | undefined {
  const out: string[] = [];
  let depth = 0;
  for (let j = k; j < part.length; j++) {
    const x = part[j]!;
    if (depth === 0 && x.kind === 'word' && COLUMN_CONSTRAINTS.has(x.text) && out.length > 0) break;
    if (x.kind === 'punct' && x.text === '(') depth++;
    else if (x.kind === 'punct' && x.text === ')') depth--;
    if (depth < 0) break;
    out.push(x.kind === 'string' ? `'${x.text}'` : x.text);
  }
  return out.length > 0 ? normaliseType(out.join(' ')) : undefined;
}

function analyseAlterAction(a: SqlToken[], table: string, line: number, push: (op: Omit<DestructiveOp, 'guarded' | 'guard'>) => void, columns: ColumnDef[]): void {
  const w = (k: number) => (a[k]?.kind === 'word' ? a[k]!.text : '');
  const at = a[0]?.line ?? line;
  if (w(0) === 'DROP') {
    if (NOT_COLUMN_AFTER_DROP.has(w(1))) return;
    let k = w(1) === 'COLUMN' ? 2 : 1;
    if (w(k) === 'IF' && w(k + 1) === 'EXISTS') k += 2;
    const column = nameOf(a[k]);
    push({ kind: 'drop-column', line: at, table, column, detail: `drops column ${table}.${column}` });
    return;
  }
  if (w(0) === 'RENAME') {
    if (w(1) === 'TO' || w(1) === 'AS') {
      push({ kind: 'rename-table', line: at, table, detail: `renames table ${table} to ${nameOf(a[2])}` });
      return;
    }
    if (/^(CONSTRAINT|INDEX|KEY)$/.test(w(1))) return;
    const k = w(1) === 'COLUMN' ? 2 : 1;
    push({ kind: 'rename-column', line: at, table, column: nameOf(a[k]), detail: `renames column ${table}.${nameOf(a[k])} to ${nameOf(a[k + 2])}` });
    columns.push({ table, column: nameOf(a[k + 2]), type: '', renamedFrom: nameOf(a[k]) });
    return;
  }
  if (w(0) === 'MODIFY') {
    let k = w(1) === 'COLUMN' ? 2 : 1;
    if (w(k) === 'IF' && w(k + 1) === 'EXISTS') k += 2;
    const column = nameOf(a[k]);
    const type = typeTokens(a, k + 1);
    // MODIFY restates the whole column: with the same type it only changes nullability or the default.
    push({ kind: 'change-type', line: at, table, column, detail: `MODIFY ${table}.${column} redefines the column${type ? ` as ${type}` : ''}`, newType: type, oldType: previousType(columns, table, column) });
    if (type) columns.push({ table, column, type });
    return;
  }
  if (w(0) === 'CHANGE') {
    const k = w(1) === 'COLUMN' ? 2 : 1;
    const from = nameOf(a[k]);
    const to = nameOf(a[k + 1]);
    const type = typeTokens(a, k + 2);
    if (from !== to) push({ kind: 'rename-column', line: at, table, column: from, detail: `CHANGE ${table}.${from} renames it to ${to}` });
    else push({ kind: 'change-type', line: at, table, column: from, detail: `CHANGE ${table}.${from} redefines the column${type ? ` as ${type}` : ''}`, newType: type, oldType: previousType(columns, table, from) });
    if (type) columns.push({ table, column: to, type });
    return;
  }
  if (w(0) === 'ALTER') {
    if (/^(CONSTRAINT|INDEX)$/.test(w(1))) return;
    const k = w(1) === 'COLUMN' ? 2 : 1;
    const column = nameOf(a[k]);
    const rest = a.slice(k + 1).filter((x) => x.kind === 'word').map((x) => x.text);
    if (rest[0] === 'TYPE' || (rest[0] === 'SET' && rest[1] === 'DATA' && rest[2] === 'TYPE')) {
      const typeAt = a.findIndex((x, idx) => idx > k && x.kind === 'word' && x.text === 'TYPE');
      const type = typeTokens(a, typeAt + 1);
      push({ kind: 'change-type', line: at, table, column, detail: `changes the type of ${table}.${column}${type ? ` to ${type}` : ''}`, newType: type, oldType: previousType(columns, table, column) });
      if (type) columns.push({ table, column, type });
    } else if (rest[0] === 'SET' && rest[1] === 'NOT' && rest[2] === 'NULL') {
      push({ kind: 'not-null', line: at, table, column, detail: `SET NOT NULL on ${table}.${column} scans the table and fails on existing NULLs` });
    } else if (rest.length > 0 && !/^(SET|DROP|ADD|RESET|RESTART|OPTIONS)$/.test(rest[0]!)) {
      // SQL Server, H2: ALTER COLUMN name newtype [NOT NULL]
      const type = typeTokens(a, k + 1);
      push({ kind: 'change-type', line: at, table, column, detail: `redefines ${table}.${column}${type ? ` as ${type}` : ''}`, newType: type, oldType: previousType(columns, table, column) });
      if (type) columns.push({ table, column, type });
    }
    return;
  }
  if (w(0) === 'ADD') {
    // A UNIQUE constraint builds its index under the table lock, unless it adopts one built CONCURRENTLY.
    const unique = w(1) === 'UNIQUE' || (w(1) === 'CONSTRAINT' && w(3) === 'UNIQUE');
    if (unique && !a.some((x, idx) => x.kind === 'word' && x.text === 'USING' && a[idx + 1]?.text === 'INDEX')) {
      push({ kind: 'index', line: at, table, detail: `ADD ${w(1) === 'CONSTRAINT' ? `CONSTRAINT ${nameOf(a[2])} ` : ''}UNIQUE on ${table} builds its index without CONCURRENTLY (build a unique index CONCURRENTLY, then ADD CONSTRAINT … UNIQUE USING INDEX)` });
      return;
    }
    if (NOT_COLUMN_AFTER_ADD.has(w(1))) return;
    let k = w(1) === 'COLUMN' ? 2 : 1;
    if (w(k) === 'IF' && w(k + 1) === 'NOT' && w(k + 2) === 'EXISTS') k += 3;
    const column = nameOf(a[k]);
    const type = typeTokens(a, k + 1);
    if (type) columns.push({ table, column, type });
    // Only the column's own constraints: NOT NULL inside CHECK (…) is an expression.
    const words: string[] = [];
    let depth = 0;
    for (const x of a.slice(k + 1)) {
      if (x.text === '(' && x.kind === 'punct') depth++;
      else if (x.text === ')' && x.kind === 'punct') depth = Math.max(0, depth - 1);
      else words.push(depth === 0 && x.kind === 'word' ? x.text : '');
    }
    const notNull = words.some((x, idx) => x === 'NOT' && words[idx + 1] === 'NULL');
    const hasDefault = words.includes('DEFAULT') || words.includes('GENERATED') || words.includes('IDENTITY') || words.includes('AUTO_INCREMENT') || words.includes('SERIAL') || words.includes('BIGSERIAL');
    if (notNull && !hasDefault) push({ kind: 'not-null', line: at, table, column, detail: `adds ${table}.${column} NOT NULL without a default` });
  }
}
