// One connection per process, WAL, foreign keys, and numbered forward-only migrations applied on open.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type Db = Database.Database;

// Inside the site build this module is bundled elsewhere, so the build names the folder explicitly.
export const MIGRATIONS_DIR = process.env.SEAWORTHY_MIGRATIONS_DIR ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
  downSql?: string;
}

export class StoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreError';
  }
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f) && !f.endsWith('.down.sql')).sort();
  return files.map((file) => {
    const sql = readFileSync(path.join(dir, file), 'utf8');
    const downFile = path.join(dir, file.replace(/\.sql$/, '.down.sql'));
    let downSql: string | undefined;
    try {
      downSql = readFileSync(downFile, 'utf8');
    } catch {
      downSql = undefined;
    }
    return { version: Number(file.slice(0, 4)), name: file, sql, checksum: createHash('sha256').update(sql).digest('hex'), downSql };
  });
}

function appliedMigrations(db: Db): Map<number, { version: number; name: string; checksum: string }> {
  return new Map(
    (db.prepare('SELECT version, name, checksum FROM schema_migrations').all() as { version: number; name: string; checksum: string }[]).map((r) => [r.version, r]),
  );
}

function refuseUnknown(applied: Map<number, unknown>, migrations: Migration[]): void {
  const known = new Set(migrations.map((m) => m.version));
  for (const version of applied.keys()) {
    if (!known.has(version)) {
      throw new StoreError(`the database has migration ${version}, which this version of Seaworthy does not know: it was written by a newer version. Upgrade Seaworthy or use another database file.`);
    }
  }
}

export function migrate(db: Db, migrations = readMigrations()): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const record = db.prepare('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)');
  // IMMEDIATE: two processes opening a new database at once must not both apply the same migration.
  return db
    .transaction(() => {
      const applied = appliedMigrations(db);
      refuseUnknown(applied, migrations);
      const done: number[] = [];
      for (const migration of migrations) {
        const previous = applied.get(migration.version);
        if (previous) {
          if (previous.checksum !== migration.checksum) {
            throw new StoreError(`migration ${migration.name} changed after it was applied; migrations are forward-only: add a new numbered migration instead of editing ${migration.name}.`);
          }
          continue;
        }
        db.exec(migration.sql);
        record.run(migration.version, migration.name, migration.checksum, new Date().toISOString());
        done.push(migration.version);
      }
      return done;
    })
    .immediate();
}

/** A reader needs a database this version wrote, fully migrated. */
function checkReadable(db: Db, file: string): void {
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").pluck().get();
  if (!hasTable) throw new StoreError(`${file} is not a Seaworthy database (no schema_migrations table): run "seaworthy crawl" to create one.`);
  const migrations = readMigrations();
  const applied = appliedMigrations(db);
  refuseUnknown(applied, migrations);
  const missing = migrations.filter((m) => !applied.has(m.version));
  if (missing.length > 0) throw new StoreError(`${file} needs migrations ${missing.map((m) => m.name).join(', ')}: run "seaworthy crawl" once to apply them.`);
}

/**
 * The database's own folder is created when missing (the default `data/` of a new configuration),
 * but never a chain of them: a database path whose parent folder is missing too is a typo or a
 * volume that is not mounted, and creating it would silently start an empty history there.
 */
function ensureDatabaseFolder(file: string): void {
  const folder = path.dirname(path.resolve(file));
  if (existsSync(folder)) return;
  const parent = path.dirname(folder);
  if (!existsSync(parent)) {
    throw new StoreError(`the database folder ${folder} does not exist, nor its parent ${parent}: create it (mkdir -p ${JSON.stringify(folder)}) or fix "database" in the configuration (or --db); Seaworthy does not create a chain of folders, so that a typo or an unmounted volume never starts an empty history`);
  }
  mkdirSync(folder);
}

export function openDb(file: string, options: { readonly?: boolean } = {}): Db {
  if (!options.readonly && file !== ':memory:') ensureDatabaseFolder(file);
  let db: Db;
  try {
    db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  } catch (error) {
    throw new StoreError(`cannot open database ${file}: ${(error as Error).message}`);
  }
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  try {
    if (options.readonly) checkReadable(db, file);
    else {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      migrate(db);
    }
  } catch (error) {
    db.close();
    throw error instanceof StoreError ? error : new StoreError(`cannot use database ${file}: ${(error as Error).message}`);
  }
  return db;
}
