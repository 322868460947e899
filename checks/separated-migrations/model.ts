// Shared shapes of the separated-migrations check.

export const FRAMEWORKS = {
  rails: 'Rails (Active Record)',
  django: 'Django',
  alembic: 'Alembic',
  prisma: 'Prisma',
  flyway: 'Flyway',
  liquibase: 'Liquibase',
  'golang-migrate': 'golang-migrate',
  goose: 'goose',
  dbmate: 'dbmate',
  'sql-migrate': 'sql-migrate',
  sql: 'versioned SQL scripts',
  knex: 'Knex',
  'db-migrate': 'db-migrate',
  sequelize: 'Sequelize',
  typeorm: 'TypeORM',
  laravel: 'Laravel',
  ecto: 'Ecto',
  'ef-core': 'Entity Framework Core',
} as const;
export type Framework = keyof typeof FRAMEWORKS;

export type OpKind = 'drop-table' | 'drop-column' | 'rename-table' | 'rename-column' | 'change-type' | 'not-null' | 'index';

export const OP_WORDS: Record<OpKind, string> = {
  'drop-table': 'drops a table',
  'drop-column': 'drops a column',
  'rename-table': 'renames a table',
  'rename-column': 'renames a column',
  'change-type': 'changes a column type',
  'not-null': 'adds NOT NULL without a default',
  index: 'builds an index without CONCURRENTLY on an existing table',
};

export interface DestructiveOp {
  kind: OpKind;
  line: number;
  table?: string;
  column?: string;
  detail: string;
  /** Acknowledged: safety_assured, a linter ignore comment, ignored_columns, state-only operations. */
  guarded: boolean;
  guard?: string;
  /**
   * A type change whose previous type the migration does not say (SQL `ALTER COLUMN … TYPE`, Rails
   * `change_column`, Ecto `modify` without `from:`): the new type, to compare with the column's
   * definition in the earlier migrations of the same directory.
   */
  newType?: string;
  /** The column's type before, when the migration itself says it (EF Core `oldType`, Ecto `from:`, an earlier statement). */
  oldType?: string;
  /** Why this operation is harmless after all (a varchar widened in the catalogue only): listed for information, not counted. */
  harmless?: string;
}

/** The type a column had at the end of `defs` (renames followed back), or undefined. */
export function previousType(defs: readonly ColumnDef[], table: string | undefined, column: string | undefined, end = defs.length): string | undefined {
  if (!table || !column) return undefined;
  let name = column;
  for (let k = end - 1; k >= 0; k--) {
    const d = defs[k]!;
    if (d.table !== table || d.column !== name) continue;
    if (d.renamedFrom === undefined) return d.type;
    name = d.renamedFrom;
  }
  return undefined;
}

/** A column's type as a migration defines it (create table, add column, change type), for later type changes. */
export interface ColumnDef {
  table: string;
  column: string;
  /** Normalised type: lower case, no spaces (`varchar(255)`, `text`, `bigint`, `numeric(10,2)`); empty for a rename. */
  type: string;
  /** A rename: the column had this name before, and keeps its type. */
  renamedFrom?: string;
}

export interface Problem {
  line: number;
  message: string;
}

/** What one migration file says about itself. */
export interface MigrationAnalysis {
  /**
   * schema: changes the schema; data: only moves rows (a backfill), not counted as a schema migration;
   * include: a Liquibase master changelog that only includes others.
   */
  kind: 'schema' | 'data' | 'include';
  /**
   * true: a real down/undo/reverse or a reversible change; false: none, or an empty/`pass`/raising one;
   * null: the framework has no way down (Prisma without down.sql, Flyway repeatable), so not judged.
   */
  reversible: boolean | null;
  /** Why not reversible, for the finding. */
  irreversibleReason?: string;
  irreversibleLine?: number;
  /** The way back is a separate file (a .down.sql, U…__.sql, Prisma down.sql) that is there but empty. */
  irreversibleInReverse?: boolean;
  ops: DestructiveOp[];
  /** Tables (Django: models, lower-cased) this migration creates: changing them touches nothing deployed. */
  createdTables: Set<string>;
  problems: Problem[];
  postgresHints: string[];
  /** Part of the file could not be read, so it is not counted as safe. */
  unreadable?: boolean;
  /** Column types this migration defines, in order: the previous definitions later type changes are compared with. */
  columns?: ColumnDef[];
}

export const emptyAnalysis = (): MigrationAnalysis => ({ kind: 'schema', reversible: null, ops: [], createdTables: new Set(), problems: [], postgresHints: [], columns: [] });
