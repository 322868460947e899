// A way back for the data: migrations that define how to undo them, a schema rollback command in a
// package script, and tooling to restore a database or cluster backup. Rolling back code whose
// migration cannot be undone leaves the old code on a new schema.
import type { Safeguard, TextFile } from './automation.ts';
import { scanCommands } from './commands.ts';

export const MIGRATION_FILE = /(^|\/)(migrations?|migrate)\/(.+\/)?[^/]+\.(py|js|ts|mjs|cjs|php|rb|ex|exs|sql)$|(^|\/)(alembic|revisions)\/(.+\/)?versions\/[^/]+\.py$/i;
export const MIGRATION_READS = ['**/{migrations,migration,migrate}/**/*.{py,js,ts,mjs,cjs,php,rb,ex,exs,sql}', '**/{alembic,revisions}/**/versions/*.py'];
// Restore tooling for databases and clusters, by name: scripts and workflows that bring a backup back.
const RESTORE = /(^|\/)[^/]*(restore|point-in-time|pitr)[^/]*\.(sh|bash|py|ya?ml|ps1|rb|js|ts)$|(^|\/)[^/]*backup[-_]restore[^/]*\//i;
const RESTORE_CONTEXT = /backup|database|\bdb\b|[-_/]db[-_./]|postgres|pg[-_]|mysql|maria|mongo|redis|velero|snapshot|point-in-time|pitr/i;
const NOT_A_MIGRATION = /(^|\/)(__init__|index|env|script\.py)\.[a-z]+$|\.(d\.ts|test\.[jt]s|spec\.[jt]s)$/i;

/** The body of the first `{ … }` after `from`: empty when it holds nothing but whitespace, comments and a bare return. */
function emptyBraceBody(text: string, from: number): boolean {
  const open = text.indexOf('{', from);
  if (open < 0 || open - from > 300) return false;
  const rest = text.slice(open + 1, open + 400);
  return /^\s*(?:\/\/[^\n]*\s*|\/\*[\s\S]*?\*\/\s*)*(?:return;?\s*)?\}/.test(rest);
}

/** Does this migration file say how to undo itself (with something in it)? */
export function definesDown(path: string, text: string): boolean {
  const lower = path.toLowerCase();
  if (lower.endsWith('.sql')) {
    if (/(^|[/._-])down\.sql$/.test(lower)) return /\S/.test(text.replace(/--[^\n]*/g, ''));
    const marker = /--\s*\+(goose|migrate)\s+down\b/i.exec(text);
    return marker !== null && /\b(drop|alter|delete|update|create|insert|rename|truncate)\b/i.test(text.slice(marker.index));
  }
  if (lower.endsWith('.py')) {
    const def = /^def downgrade\([^)]*\)[^:]*:/m.exec(text);
    if (!def) return false;
    const body = text.slice(def.index + def[0].length).split('\n').slice(1, 40);
    for (const line of body) {
      const t = line.trim();
      if (t === '' || t.startsWith('#') || /^("""|''')/.test(t) || t === 'pass') continue;
      if (!/^\s/.test(line)) return false; // the next top-level statement: the body was empty
      return true;
    }
    return false;
  }
  if (/\.(rb|ex|exs)$/.test(lower)) return /^\s*def down\b/m.test(text);
  if (lower.endsWith('.php')) {
    const m = /function down\s*\([^)]*\)\s*(:\s*\w+\s*)?/.exec(text);
    return m !== null && !emptyBraceBody(text, m.index + m[0].length);
  }
  // JavaScript and TypeScript: exports.down, down: async (…) =>, async down(…) {…}
  const m = /exports\.down\s*=|\bdown\s*:\s*(?:async\s*)?(?:function\b|\()|(?:public\s+)?(?:async\s+)?down\s*\([^)]*\)\s*(?::\s*[\w<>]+\s*)?\{/.exec(text);
  if (!m) return false;
  return !emptyBraceBody(text, m.index);
}

/** Migrations: of the latest (by name, which starts with a timestamp or a number) at most 30, how many can be undone. */
export function reversibleMigrations(files: TextFile[]): Safeguard | undefined {
  const units = new Map<string, { path: string; down: boolean }>();
  for (const f of files) {
    if (NOT_A_MIGRATION.test(f.path)) continue;
    // Separate up and down files (`0001_init.up.sql`, `0001_init.down.sql`) are one migration.
    const key = f.path.replace(/([._-])(up|down)\.sql$/i, '');
    const unit = units.get(key) ?? { path: f.path, down: false };
    unit.down ||= definesDown(f.path, f.text);
    units.set(key, unit);
  }
  if (units.size === 0) return undefined;
  const latest = [...units.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(-30).map(([, u]) => u);
  const down = latest.filter((u) => u.down);
  if (down.length === 0 || down.length * 2 < latest.length) return undefined;
  const newest = down[down.length - 1]!;
  return { kind: 'data-rollback', label: `reversible migrations: ${down.length} of the latest ${latest.length} define how to undo them`, path: newest.path, line: 1 };
}

/** A package.json script that undoes migrations (`"db:rollback": "knex migrate:rollback"`). */
export function packageScripts(file: TextFile): Safeguard | undefined {
  let scripts: Record<string, unknown> | undefined;
  try {
    const pkg = JSON.parse(file.text) as { scripts?: unknown };
    scripts = pkg && typeof pkg.scripts === 'object' && pkg.scripts !== null ? (pkg.scripts as Record<string, unknown>) : undefined;
  } catch {
    return undefined; // a broken package.json is not this check's to judge
  }
  for (const [name, command] of Object.entries(scripts ?? {})) {
    if (typeof command !== 'string') continue;
    const hit = scanCommands(command).find((h) => h.kind === 'schema-rollback') ?? scanCommands(`npm run ${name}`).find((h) => h.kind === 'schema-rollback');
    if (hit) {
      const line = file.text.split('\n').findIndex((l) => l.includes(`"${name}"`));
      return { kind: 'data-rollback', label: `package script ${name} undoes migrations (${file.path})`, path: file.path, line: line < 0 ? 1 : line + 1 };
    }
  }
  return undefined;
}

/** Restore tooling for a database or a cluster, found by its path. */
export function restoreTooling(paths: readonly string[]): Safeguard | undefined {
  const hit = paths.find((p) => RESTORE.test(p) && RESTORE_CONTEXT.test(p) && !MIGRATION_FILE.test(p));
  return hit ? { kind: 'data-rollback', label: `restore tooling (${hit})`, path: hit, line: 1 } : undefined;
}
