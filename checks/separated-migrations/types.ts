// Column types, as far as a type change needs them: which changes the database applies to its
// catalogue alone (PostgreSQL: a longer varchar, varchar to text, more numeric precision; MySQL and
// SQL Server: a longer varchar) and which rewrite or scan the table under a lock.

/** Lower case, single spaces removed, synonyms folded: `character varying(255)` → `varchar(255)`. */
export function normaliseType(raw: string): string {
  let t = raw.toLowerCase().replace(/["`[\]]/g, '').replace(/\s+/g, ' ').trim();
  t = t
    .replace(/^character varying\b/, 'varchar')
    .replace(/^national character varying\b/, 'nvarchar')
    .replace(/^char varying\b/, 'varchar')
    .replace(/^character\b/, 'char')
    .replace(/^timestamp without time zone\b/, 'timestamp')
    .replace(/^timestamp with time zone\b/, 'timestamptz')
    .replace(/^double precision\b/, 'double')
    .replace(/^(int4|int|integer|mediumint)\b/, 'integer')
    .replace(/^(int8|bigint)\b/, 'bigint')
    .replace(/^(int2|smallint)\b/, 'smallint')
    .replace(/^(bool|boolean)\b/, 'boolean')
    .replace(/^(decimal|numeric)\b/, 'numeric')
    .replace(/^(string)\b/, 'varchar');
  return t.replace(/\s*\(\s*/g, '(').replace(/\s*,\s*/g, ',').replace(/\s*\)/g, ')').replace(/\s+/g, ' ');
}

interface Parsed {
  base: string;
  args: string[];
}

function parse(t: string): Parsed {
  const m = /^([a-z_ ]+?)\s*(?:\(([^)]*)\))?(\s.*)?$/.exec(t);
  return { base: (m?.[1] ?? t).trim(), args: m?.[2] ? m[2].split(',').map((a) => a.trim()) : [] };
}

const VARCHARS = new Set(['varchar', 'nvarchar', 'varchar2', 'nvarchar2']);

/**
 * same: nothing to rewrite (a nullability or default change written as a type change);
 * widening: applied to the catalogue without rewriting the table (on PostgreSQL, or for a longer varchar anywhere);
 * change: rewrites or scans the table.
 */
export function compareTypes(before: string, after: string, postgres: boolean): 'same' | 'widening' | 'change' {
  const a = parse(normaliseType(before));
  const b = parse(normaliseType(after));
  const length = (p: Parsed) => (p.args[0] === undefined || p.args[0] === 'max' ? Infinity : Number(p.args[0]));
  if (a.base === b.base && a.args.join(',') === b.args.join(',')) return 'same';
  if (VARCHARS.has(a.base) && a.base === b.base) {
    // MySQL keeps a longer VARCHAR in place while its length prefix stays one byte or two; PostgreSQL always.
    if (length(b) >= length(a) && (length(b) !== Infinity || postgres)) return 'widening';
    return 'change';
  }
  if (postgres && (VARCHARS.has(a.base) || a.base === 'text') && (b.base === 'text' || b.base === 'citext') && !(a.base === 'text' && b.base === 'citext')) return 'widening';
  if (postgres && a.base === 'numeric' && b.base === 'numeric') {
    const [p1, s1] = [Number(a.args[0] ?? NaN), Number(a.args[1] ?? 0)];
    const [p2, s2] = [Number(b.args[0] ?? Infinity), Number(b.args[1] ?? 0)];
    if (b.args.length === 0 || (p2 >= p1 && s2 === s1)) return 'widening';
  }
  return 'change';
}
