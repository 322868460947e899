// Which files are schema migrations, of which framework, and which files travel with them.
// Path patterns decide for history (old commits have paths, not contents); contents confirm at head.
import { parse as parseYaml } from 'yaml';
import { analyseAlembic, analyseDjango, analyseEcto, analyseEfCore, analyseJs, analyseLaravel, analyseRails } from './dsl.ts';
import { emptyAnalysis, previousType, type DestructiveOp, type Framework, type MigrationAnalysis } from './model.ts';
import { normaliseType } from './types.ts';
import { analyseSql } from './sql.ts';

export interface PathClass {
  framework: Framework;
  /** migration: a forward migration; reverse: its down/undo file, part of the same migration. */
  role: 'migration' | 'reverse';
  /** Files of one migration share a key (golang-migrate up/down, Flyway V/U, a Prisma folder). */
  key: string;
  /**
   * Found by a looser path (any `versions/` or `*migrat*` folder, Ecto outside `priv/`): only its contents
   * at head make it a migration, and in history only a folder that holds confirmed ones counts.
   */
  weak?: boolean;
}

const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);
const dir = (p: string) => p.slice(0, Math.max(0, p.lastIndexOf('/')));

const RAILS = /(^|\/)db\/(\w+_)?migrate\/(.+\/)?[^/]+\.rb$/i;
const DJANGO = /(^|\/)migrations\/\d{4}_[^/]*\.py$/i;
const ALEMBIC = /(^|\/)versions\/[^/]+\.py$/i;
const PRISMA = /(^|\/)migrations\/[^/]+\/(migration|down)\.sql$/i;
const GOLANG_MIGRATE = /(^|\/)\d+_[^/]*\.(up|down)\.sql$/i;
const FLYWAY = /(^|\/)([VU])(\d[\w.]*?)__[^/]+\.sql$|(^|\/)R__[^/]+\.sql$/;
const LIQUIBASE = /(^|\/)(db\/)?(changelog|changelogs|liquibase)\/.+\.(xml|ya?ml|json|sql)$|(^|\/)[^/]*changelog[^/]*\.(xml|ya?ml|json)$/i;
/** SQL in a folder whose name says migrations (`migrations/`, `db/migrate/`, `util/Migrator/DbScripts/`, `migrations/clickhouse/`). */
const SQL_IN_MIGRATIONS = /(^|\/)[^/]*migrat[^/]*\/(.+\/)?[^/]+\.sql$/i;
/** goose migrations written in Go. */
const GO_IN_MIGRATIONS = /(^|\/)[^/]*migrat[^/]*\/(.+\/)?[^/]+\.go$/i;
const JS_MIGRATION = /(^|\/)migrations?\/(.+\/)?[^/]+\.(c|m)?[jt]s$/i;
const LARAVEL = /(^|\/)database\/migrations\/[^/]+\.php$/i;
const ECTO = /(^|\/)priv\/[^/]+\/migrations\/[^/]+\.exs$/i;
/** Ecto migrations kept elsewhere (`lib/app/repo/migrations/*.ex`, a second repo's folder). */
const ECTO_ELSEWHERE = /(^|\/)migrations\/[^/]+\.exs?$/i;
const EF_CORE = /(^|\/)migrations\/[^/]+\.cs$/i;
const EF_TRAVEL = /\.designer\.cs$|modelsnapshot\.cs$/i;
const TEST_FILE = /(\.|_|-)(test|spec)\.[a-z]+$|(^|\/)test_[^/]+\.py$|\.d\.ts$/i;
/** A versioned SQL script: its name starts with a version (`0042_…`, `V3_…`, `2026-08-14_00_…`, `20260814120000-…`). */
const VERSIONED_SQL = /^(v?\d+|\d{4}[-_.]\d{2}[-_.]\d{2})([-_.][^/]*)?\.sql$/i;
const SQL_DOWN = /[-_.]down\.sql$/i;

/** Path-only classification: used for files in history, and as the first step at head. */
export function classifyPath(path: string): PathClass | undefined {
  const name = base(path);
  if (TEST_FILE.test(name)) return undefined;
  if (RAILS.test(path)) return { framework: 'rails', role: 'migration', key: path };
  if (LARAVEL.test(path)) return { framework: 'laravel', role: 'migration', key: path };
  if (ECTO.test(path)) return { framework: 'ecto', role: 'migration', key: path };
  if (PRISMA.test(path)) return { framework: 'prisma', role: /down\.sql$/i.test(name) ? 'reverse' : 'migration', key: dir(path) };
  if (GOLANG_MIGRATE.test(path)) return { framework: 'golang-migrate', role: /\.down\.sql$/i.test(name) ? 'reverse' : 'migration', key: path.replace(/\.(up|down)\.sql$/i, '') };
  const flyway = FLYWAY.exec(path);
  if (flyway) {
    if (flyway[2] === undefined) return { framework: 'flyway', role: 'migration', key: path };
    return { framework: 'flyway', role: flyway[2] === 'U' ? 'reverse' : 'migration', key: `${dir(path)}/${flyway[3]!.replace(/_/g, '.')}` };
  }
  if (DJANGO.test(path)) return { framework: 'django', role: 'migration', key: path };
  if (ALEMBIC.test(path) && !/__init__\.py$/.test(name)) return { framework: 'alembic', role: 'migration', key: path, weak: true };
  if (EF_CORE.test(path) && !EF_TRAVEL.test(name)) return { framework: 'ef-core', role: 'migration', key: path };
  if (LIQUIBASE.test(path)) return { framework: 'liquibase', role: 'migration', key: path };
  if (ECTO_ELSEWHERE.test(path)) return { framework: 'ecto', role: 'migration', key: path, weak: true };
  if (SQL_IN_MIGRATIONS.test(path)) {
    // A `…_down.sql` / `…-down.sql` beside its `…_up.sql` is its way back.
    if (SQL_DOWN.test(name)) return { framework: 'goose', role: 'reverse', key: path.replace(SQL_DOWN, ''), weak: true };
    return { framework: 'goose', role: 'migration', key: path.replace(/([-_.]up)?\.sql$/i, ''), weak: true };
  }
  if (GO_IN_MIGRATIONS.test(path)) return { framework: 'goose', role: 'migration', key: path, weak: true };
  if (JS_MIGRATION.test(path) && !/(^|\/)(knexfile|ormconfig|data-source|datasource|config|index)\.[cm]?[jt]s$/i.test(name)) return { framework: 'knex', role: 'migration', key: path, weak: true };
  return undefined;
}

/** Files that legitimately change together with a migration and are not application code. */
const TRAVELS = [
  /(^|\/)db\/(\w+_)?(schema\.rb|structure\.sql)$/i, // Rails schema dumps (multi-database: db/cache_schema.rb)
  /(^|\/)(schema|structure)\.sql$/i, // dumps: Ecto priv/repo/structure.sql, dbmate db/schema.sql, Flyway/sqlc schema.sql
  /\.prisma$/i,
  /(^|\/)migration_lock\.toml$/i,
  /(^|\/)migrations\/(__init__\.py|max_migration\.txt)$/i, // Django (django-linear-migrations)
  /(^|\/)(alembic|migrations)\/(env\.py|script\.py\.mako|README)$|(^|\/)alembic\.ini$/i,
  /(^|\/)migrations\/[^/]+\.(designer\.cs)$|modelsnapshot\.cs$/i, // EF Core
  /(^|\/)(db\.)?changelog(-master)?\.(xml|ya?ml|json)$/i, // Liquibase master changelog
  /(^|\/)(atlas\.sum|atlas\.hcl|\.squawk\.toml)$/i,
  /(^|\/)(knexfile|ormconfig)\.[cm]?[jt]s$|(^|\/)\.sequelizerc$/i, // migration tool configuration
  /(^|\/)db\/data\/[^/]+\.rb$/i, // data_migrate backfills: part of the expand/contract plan, not application code
  /(^|\/)(spec|test|tests)\/(.+\/)?[^/]*migrat[^/]*$/i, // the migration's own tests
  /(^|\/)[^/]*migrat[^/]*[._-](test|spec)\.[a-z]+$|(^|\/)test_[^/]*migrat[^/]*\.py$|(^|\/)[^/]*migrat[^/]*_test\.go$/i,
];

/**
 * What an ORM or the data-access layer declares about the schema, and code generated from it: it changes
 * with the schema by construction (makemigrations, `rails g migration` with annotate, Prisma/sqlc/ent
 * generators), so it travels with the migration.
 */
const SCHEMA_CODE = [
  // ORM models and entities: Rails app/models, Django/SQLAlchemy models.py, TypeORM *.entity.ts, JPA *Entity.java, Go model/ packages.
  /(^|\/)(models?|entities|entity)\//i,
  /(^|\/)(models?|entities|entity)\.[a-z]+$/i,
  /[._-](entity|model)\.[a-z]+$|[a-z0-9](Entity|Model)\.(java|kt|cs|ts|php)$/,
  // The data-access layer: repositories and DAOs, and whatever lives in a db/ or database/ folder (seeds, factories, table helpers).
  /(^|\/)(dao|daos|repositories|repository|persistence|db|database)\//i,
  /(^|\/|\.)(entityframework|efcore|dapper|persistence)(\.[^/]*)?\//i,
  /(^|\/)(repository|repositories|dao)\.[a-z]+$|[._-](repository|dao)\.[a-z]+$|[a-z0-9](Repository|Dao|DAO)\.(java|kt|cs|ts|go|php)$/,
  // Generated from the schema: ent, Prisma clients and type generators, sqlc (*.sql.go), typings.
  /(^|\/)(generated|__generated__|gen|\.gen|codegen|ent)\//i,
  /\.(gen|generated)\.[a-z]+$|_gen\.[a-z]+$|(^|\/)zz_generated[^/]*$|\.sql\.go$|\.d\.ts$/i,
  // SQL outside the migrations (views, functions, queries, desired-state schema) is database code, not application code.
  /\.sql$/i,
  // Backfill scripts and the registry that lists the migrations (Ecto's tenant migrations module, a Go embed file).
  /(^|\/)[^/]*backfill[^/]*$/i,
  /(^|\/)migrations\.[a-z]+$/i,
];

const SOURCE = /\.(rb|rake|py|pyi|js|jsx|mjs|cjs|ts|tsx|mts|cts|go|java|kt|kts|scala|groovy|cs|fs|vb|php|ex|exs|erl|rs|swift|m|mm|c|cc|cpp|h|hpp|clj|cljs|dart|lua|pl|pm|r|jl|erb|haml|slim|vue|svelte|astro|html|jinja|jinja2|j2|twig|blade\.php|graphql|gql|proto)$/i;
const NOT_APP = /(^|\/)(docs?|documentation|\.github|\.gitlab|\.circleci|\.buildkite|deploy|deployment|deployments|k8s|kubernetes|helm|charts?|terraform|infra|ops|scripts?\/ci|ci|\.ci)\//i;
const TEST_PATH = /(^|\/)(test|tests|spec|specs|__tests__|__mocks__|testing|e2e|cypress|playwright|features)\/|(\.|_|-)(test|spec)\.[a-z]+$|(^|\/)test_[^/]+\.py$|_test\.go$|(^|\/)conftest\.py$/i;

export type FileRole = 'migration' | 'reverse' | 'travels' | 'application' | 'other' | 'ignored';

export interface RoleContext {
  ignored: (p: string) => boolean;
  travelsWith: (p: string) => boolean;
  migration: (p: string) => PathClass | undefined;
  /** Folders that hold confirmed migrations: their other files (helpers, a package.json, seeds) travel with them. */
  migrationDirs: Set<string>;
  /** Files and folders generated from the schema, from the generators' own configuration (Prisma `output`, sqlc `out`), and ORM schema modules found by content (Ecto). */
  schemaCode: (p: string) => boolean;
}

export function fileRole(path: string, ctx: RoleContext): FileRole {
  if (ctx.ignored(path)) return 'ignored';
  const cls = ctx.migration(path);
  if (cls) return cls.role;
  if (ctx.travelsWith(path) || TRAVELS.some((re) => re.test(path))) return 'travels';
  if (TEST_PATH.test(path) || NOT_APP.test(path)) return 'other';
  if (ctx.migrationDirs.has(dir(path)) || SCHEMA_CODE.some((re) => re.test(path)) || ctx.schemaCode(path)) return 'travels';
  return SOURCE.test(path) ? 'application' : 'other';
}

// ---------------------------------------------------------------------------------------------
// Content: confirms the framework and analyses one migration file.

/** The framework a file at head really belongs to, from its contents; undefined when it is not a migration. */
export function confirmFramework(path: string, cls: PathClass, text: string): Framework | undefined {
  switch (cls.framework) {
    case 'django':
      return /\bclass\s+Migration\s*\(/.test(text) ? 'django' : undefined;
    case 'alembic':
      return /^\s*down_revision\s*[:=]/m.test(text) ? 'alembic' : undefined;
    case 'rails':
      return /ActiveRecord::Migration|<\s*\w*Migration\b/.test(text) ? 'rails' : undefined;
    case 'ecto':
      return /Ecto\.Migration/.test(text) ? 'ecto' : undefined;
    case 'laravel':
      return /extends\s+Migration\b|Schema::/.test(text) ? 'laravel' : undefined;
    case 'ef-core':
      return /:\s*Migration\b/.test(text) && /MigrationBuilder/.test(text) ? 'ef-core' : undefined;
    case 'liquibase':
      if (/\.sql$/i.test(path)) return /^\s*--\s*liquibase\s+formatted\s+sql/im.test(text) ? 'liquibase' : undefined;
      return /databaseChangeLog/.test(text) ? 'liquibase' : undefined;
    case 'goose':
      if (/\.go$/i.test(path)) return /\bgoose\.(AddMigration|AddNamedMigration|Register)\w*\s*\(/.test(text) ? 'goose' : undefined;
      if (/^\s*--\s*\+goose\s+Up/im.test(text)) return 'goose';
      if (/^\s*--\s*migrate:up/im.test(text)) return 'dbmate';
      if (/^\s*--\s*\+migrate\s+Up/im.test(text)) return 'sql-migrate';
      if (/^\s*--\s*liquibase\s+formatted\s+sql/im.test(text)) return 'liquibase';
      // Scripts applied in version order by a runner (DbUp, a deploy script) or by hand: versioned by name.
      return VERSIONED_SQL.test(base(path)) || (cls.role === 'reverse' && VERSIONED_SQL.test(base(path).replace(SQL_DOWN, '.sql'))) ? 'sql' : undefined;
    case 'knex':
      if (/\bMigrationInterface\b|\bQueryRunner\b/.test(text)) return 'typeorm';
      if (/\bqueryInterface\b|\bSequelize\b/.test(text)) return 'sequelize';
      if (DB_MIGRATE.test(text)) return 'db-migrate';
      if (/\bknex\b|\bKnex\b/.test(text) && /\bup\b/.test(text)) return 'knex';
      return undefined;
    default:
      return cls.framework;
  }
}

/** db-migrate: `exports.up = function (db, callback) { db.runSql(…) }`, or its setup hook. */
const DB_MIGRATE = /\bdb\.(runSql|createTable|dropTable|addColumn|removeColumn|renameColumn|renameTable|changeColumn|addIndex|removeIndex|addForeignKey|removeForeignKey|createCollection|dropCollection)\s*\(|\bexports\.(up|down)\s*=\s*(async\s+)?function\s*\w*\s*\(\s*db\b|\boptions\.dbmigrate\b/;

export function analyseFile(
  framework: Framework,
  path: string,
  text: string,
  ctx: { ignoredColumns: Map<string, Set<string>>; reverseText?: string | null; djangoPreviousField?: (model: string, field: string, at: number) => string | undefined },
): MigrationAnalysis {
  switch (framework) {
    case 'rails':
      return analyseRails(text, ctx.ignoredColumns);
    case 'django':
      return analyseDjango(text, ctx.djangoPreviousField);
    case 'alembic':
      return analyseAlembic(text);
    case 'knex':
    case 'sequelize':
    case 'typeorm':
    case 'db-migrate':
      return analyseJs(text, framework);
    case 'laravel':
      return analyseLaravel(text);
    case 'ecto':
      return analyseEcto(text);
    case 'ef-core':
      return analyseEfCore(text);
    case 'liquibase':
      return analyseLiquibase(path, text);
    case 'goose':
      if (/\.go$/i.test(path)) return analyseGoose(text);
      return analyseSectionedSql(text, framework);
    case 'dbmate':
    case 'sql-migrate':
      return analyseSectionedSql(text, framework);
    case 'prisma':
    case 'golang-migrate':
    case 'flyway':
    case 'sql': {
      const result = sqlFile(text, 1);
      if (framework === 'flyway' && /(^|\/)R__/.test(path)) result.reversible = null;
      else if (ctx.reverseText === undefined) {
        // Prisma and versioned SQL scripts (DbUp, a deploy script) have no down migrations of their own.
        result.reversible = framework === 'prisma' || framework === 'sql' ? null : false;
        result.irreversibleReason = framework === 'golang-migrate' ? 'there is no .down.sql' : 'there is no undo migration (U…__.sql)';
      } else if (ctx.reverseText === null) {
        result.reversible = false;
        result.irreversibleReason = 'the down migration could not be read';
        result.irreversibleInReverse = true;
      } else {
        const reverse = analyseSql(ctx.reverseText);
        result.reversible = undoes(reverse);
        if (!result.reversible) {
          result.irreversibleReason = reverse.aborted ? `the down migration could not be read (${reverse.problems[0]?.message ?? 'invalid SQL'})` : reverse.readOnlyStatements > 0 ? 'the down migration only runs SELECT (a message, not a way back)' : 'the down migration has no statements (only comments or nothing)';
          result.irreversibleInReverse = true;
        }
      }
      return result;
    }
  }
}

function sqlFile(text: string, firstLine: number): MigrationAnalysis {
  const result = emptyAnalysis();
  const a = analyseSql(text, { firstLine });
  result.ops = a.ops;
  result.problems = a.problems;
  result.postgresHints = a.postgresHints;
  result.createdTables = a.createdTables;
  result.columns = a.columns;
  result.unreadable = a.aborted;
  result.kind = a.schemaStatements === 0 && a.dataStatements > 0 ? 'data' : 'schema';
  return result;
}

/** A way back does something: a statement that changes the schema or rows, not only a SELECT of a message. */
const undoes = (a: { schemaStatements: number; dataStatements: number; readOnlyStatements: number }) => a.schemaStatements + a.dataStatements - a.readOnlyStatements > 0;

const SECTION_MARKS: Record<'goose' | 'dbmate' | 'sql-migrate', [RegExp, RegExp, string]> = {
  goose: [/^\s*--\s*\+goose\s+up\b.*$/im, /^\s*--\s*\+goose\s+down\b.*$/im, '-- +goose Down'],
  dbmate: [/^\s*--\s*migrate:up\b.*$/im, /^\s*--\s*migrate:down\b.*$/im, '-- migrate:down'],
  'sql-migrate': [/^\s*--\s*\+migrate\s+up\b.*$/im, /^\s*--\s*\+migrate\s+down\b.*$/im, '-- +migrate Down'],
};

/** goose (`-- +goose Up` / `-- +goose Down`), dbmate (`-- migrate:up` / `-- migrate:down`) and sql-migrate (`-- +migrate Up`). */
function analyseSectionedSql(text: string, framework: 'goose' | 'dbmate' | 'sql-migrate'): MigrationAnalysis {
  const [upMark, downMark, downName] = SECTION_MARKS[framework];
  const up = upMark.exec(text);
  const down = downMark.exec(text);
  const upStart = up ? up.index + up[0].length : 0;
  const upEnd = down && down.index > upStart ? down.index : text.length;
  const result = sqlFile(text.slice(upStart, upEnd), lineAt(text, upStart));
  if (!down) {
    result.reversible = false;
    result.irreversibleReason = `there is no ${downName} section`;
  } else {
    const downText = text.slice(down.index + down[0].length, down.index > upStart ? text.length : up?.index ?? text.length);
    const reverse = analyseSql(downText);
    result.reversible = undoes(reverse);
    if (!result.reversible) {
      result.irreversibleReason = reverse.readOnlyStatements > 0 ? 'the down section only runs SELECT (a message, not a way back)' : 'the down section has no statements';
      result.irreversibleLine = lineAt(text, down.index);
    }
  }
  return result;
}

const lineAt = (text: string, offset: number): number => text.slice(0, offset).split('\n').length;

/**
 * goose migrations written in Go: `goose.AddMigrationContext(up, down)` with SQL in `tx.Exec("…")`.
 * The way back is the second function; `nil` there means none.
 */
function analyseGoose(text: string): MigrationAnalysis {
  const result = emptyAnalysis();
  const register = /\bgoose\.(?:AddMigration|AddNamedMigration|Register)\w*\s*\(([^)]*)\)/.exec(text);
  const args = register ? register[1]!.split(',').map((a) => a.trim()) : [];
  const down = args[args.length - 1];
  result.reversible = down !== undefined && down !== '' && down !== 'nil';
  if (!result.reversible) {
    result.irreversibleReason = 'it registers no down function (nil)';
    result.irreversibleLine = register ? lineAt(text, register.index) : undefined;
  }
  // The SQL it runs: string literals that start like a statement.
  let schema = 0;
  let data = 0;
  for (const m of text.matchAll(/`([^`]*)`|"((?:[^"\\\n]|\\.)*)"/g)) {
    const sql = (m[1] ?? m[2] ?? '').trim();
    if (!/^(create|alter|drop|rename|truncate|insert|update|delete|comment)\b/i.test(sql)) continue;
    const a = analyseSql(sql, { firstLine: lineAt(text, m.index) });
    schema += a.schemaStatements;
    data += a.dataStatements;
    for (const t of a.createdTables) result.createdTables.add(t);
    for (const o of a.ops) if (result.ops.length < 1000) result.ops.push(o);
    for (const c of a.columns) result.columns!.push(c);
  }
  // Go code that moves rows through the application's own types (no SQL seen) is a data migration.
  result.kind = schema === 0 ? 'data' : 'schema';
  return result;
}

// ---------------------------------------------------------------------------------------------
// Liquibase changelogs: XML, YAML/JSON and formatted SQL.

const AUTO_ROLLBACK = new Set(['createTable', 'addColumn', 'renameColumn', 'renameTable', 'renameView', 'createIndex', 'addNotNullConstraint', 'dropNotNullConstraint', 'addForeignKeyConstraint', 'addUniqueConstraint', 'addPrimaryKey', 'createView', 'createSequence', 'addDefaultValue', 'addLookupTable', 'tagDatabase', 'createProcedure', 'addAutoIncrement']);
const DATA_CHANGES = new Set(['insert', 'update', 'delete', 'loadData', 'loadUpdateData']);

interface LiquibaseChange {
  type: string;
  attrs: Record<string, string>;
  /** For addColumn: its columns; for sql: the SQL text. */
  columns?: { name: string; nullable: boolean; hasDefault: boolean; type?: string }[];
  sql?: string;
  line: number;
}
interface LiquibaseChangeSet {
  id: string;
  line: number;
  changes: LiquibaseChange[];
  rollback: 'none' | 'empty' | 'present';
}

export function analyseLiquibase(path: string, text: string): MigrationAnalysis {
  const result = emptyAnalysis();
  let sets: LiquibaseChangeSet[];
  try {
    sets = /\.sql$/i.test(path) ? liquibaseSql(text) : /\.xml$/i.test(path) ? liquibaseXml(text) : liquibaseYaml(path, text);
  } catch (error) {
    result.problems.push({ line: 1, message: `could not read this changelog: ${error instanceof Error ? error.message : String(error)}` });
    result.unreadable = true;
    return result;
  }
  const created = result.createdTables;
  let schema = 0;
  let data = 0;
  let reversible: boolean | null = sets.length > 0 ? true : null;
  for (const set of sets) {
    let setReversible = set.rollback === 'present' || (set.rollback === 'none' && set.changes.length > 0 && set.changes.every((c) => AUTO_ROLLBACK.has(c.type)));
    for (const c of set.changes) {
      const table = c.attrs.tableName ?? c.attrs.oldTableName;
      const push = (kind: DestructiveOp['kind'], detail: string, column?: string) => result.ops.push({ kind, line: c.line, table, column, detail, guarded: false });
      if (DATA_CHANGES.has(c.type)) {
        data++;
        continue;
      }
      if (c.type === 'sql' || c.type === 'sqlFile') {
        if (c.sql === undefined) continue;
        const a = analyseSql(c.sql, { firstLine: c.line });
        if (a.aborted) result.unreadable = true;
        schema += a.schemaStatements;
        data += a.dataStatements;
        for (const p of a.problems) if (result.problems.length < 100) result.problems.push(p);
        if (result.postgresHints.length === 0 && a.postgresHints[0]) result.postgresHints.push(a.postgresHints[0]);
        for (const t of a.createdTables) created.add(t);
        for (const o of a.ops) if (!(o.kind === 'index' && o.table && created.has(o.table)) && result.ops.length < 1000) result.ops.push(o.newType !== undefined && o.oldType === undefined ? { ...o, oldType: previousType(result.columns!, o.table, o.column) } : o);
        result.columns!.push(...a.columns);
        continue;
      }
      schema++;
      if ((c.type === 'createTable' || c.type === 'addColumn') && table) for (const col of c.columns ?? []) if (col.type) result.columns!.push({ table, column: col.name, type: normaliseType(col.type) });
      if (c.type === 'createTable' && table) created.add(table);
      else if (c.type === 'dropTable') push('drop-table', `dropTable ${table}`);
      else if (c.type === 'dropColumn') push('drop-column', `dropColumn ${table}.${c.attrs.columnName ?? c.columns?.map((x) => x.name).join(', ')}`, c.attrs.columnName ?? c.columns?.[0]?.name);
      else if (c.type === 'renameColumn') push('rename-column', `renameColumn ${table}.${c.attrs.oldColumnName}`, c.attrs.oldColumnName);
      else if (c.type === 'renameTable') push('rename-table', `renameTable ${table}`);
      else if (c.type === 'modifyDataType') {
        const type = c.attrs.newDataType ? normaliseType(c.attrs.newDataType) : undefined;
        result.ops.push({ kind: 'change-type', line: c.line, table, column: c.attrs.columnName, detail: `modifyDataType ${table}.${c.attrs.columnName}${type ? ` to ${type}` : ''}`, guarded: false, newType: type, oldType: previousType(result.columns!, table, c.attrs.columnName) });
        if (type && table && c.attrs.columnName) result.columns!.push({ table, column: c.attrs.columnName, type });
      }
      else if (c.type === 'addNotNullConstraint' && c.attrs.defaultNullValue === undefined) push('not-null', `addNotNullConstraint ${table}.${c.attrs.columnName} without defaultNullValue`, c.attrs.columnName);
      else if (c.type === 'addColumn') {
        for (const col of c.columns ?? []) if (!col.nullable && !col.hasDefault) push('not-null', `addColumn ${table}.${col.name} NOT NULL without a default`, col.name);
      } else if (c.type === 'createIndex' && table && !created.has(table)) push('index', `createIndex on ${table} without CONCURRENTLY`);
    }
    if (set.rollback === 'empty') setReversible = false;
    if (!setReversible && reversible) {
      reversible = false;
      result.irreversibleReason = set.rollback === 'empty' ? `changeSet ${set.id} has an empty rollback` : `changeSet ${set.id} has changes Liquibase cannot roll back by itself (${set.changes.filter((c) => !AUTO_ROLLBACK.has(c.type)).map((c) => c.type).join(', ')}) and no rollback`;
      result.irreversibleLine = set.line;
    }
  }
  result.reversible = reversible;
  result.kind = sets.length === 0 ? 'include' : schema === 0 && data > 0 ? 'data' : 'schema';
  return result;
}

function liquibaseSql(text: string): LiquibaseChangeSet[] {
  const sets: LiquibaseChangeSet[] = [];
  const lines = text.split('\n');
  let current: (LiquibaseChangeSet & { sql: string[]; sqlLine: number; rollbackLines: string[] }) | undefined;
  const close = () => {
    if (!current) return;
    current.changes.push({ type: 'sql', attrs: {}, sql: current.sql.join('\n'), line: current.sqlLine });
    const rb = current.rollbackLines.join(' ').trim();
    current.rollback = current.rollbackLines.length === 0 ? 'none' : rb === '' || /^empty$/i.test(rb) ? 'empty' : 'present';
    sets.push(current);
  };
  lines.forEach((l, index) => {
    const cs = /^\s*--\s*changeset\s+([^\s]+)/i.exec(l);
    if (cs) {
      close();
      current = { id: cs[1]!, line: index + 1, changes: [], rollback: 'none', sql: [], sqlLine: index + 2, rollbackLines: [] };
      return;
    }
    const rb = /^\s*--\s*rollback\b(.*)$/i.exec(l);
    if (rb && current) {
      current.rollbackLines.push(rb[1]!.trim());
      current.sql.push('');
      return;
    }
    current?.sql.push(l);
  });
  // Without `--rollback` lines, the raw SQL change has no automatic rollback (`sql` is not in AUTO_ROLLBACK).
  close();
  return sets;
}

function liquibaseXml(text: string): LiquibaseChangeSet[] {
  const clean = text.replace(/<!--[\s\S]*?-->/g, (c) => c.replace(/[^\n]/g, ' '));
  if (!/<databaseChangeLog\b/.test(clean)) throw new Error('no <databaseChangeLog> element');
  // The element scan below backtracks over unclosed tags; a real changelog file is far smaller.
  const tags = clean.split('<').length - 1;
  if (tags > 20_000) throw new Error(`${tags} XML tags, more than the 20,000 read in one changelog`);
  if (!/<\/databaseChangeLog\s*>|<databaseChangeLog\b[^>]*\/>/.test(clean)) throw new Error('the <databaseChangeLog> element is never closed');
  const opened = (clean.match(/<changeSet\b/g) ?? []).length;
  const closed = (clean.match(/<\/changeSet\s*>/g) ?? []).length + (clean.match(/<changeSet\b[^>]*\/>/g) ?? []).length;
  if (opened !== closed) throw new Error(`${opened - closed} <changeSet> element${opened - closed === 1 ? ' is' : 's are'} never closed`);
  const sets: LiquibaseChangeSet[] = [];
  const lineOf = (offset: number) => clean.slice(0, offset).split('\n').length;
  const attrs = (s: string): Record<string, string> => Object.fromEntries([...s.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)].map((a) => [a[1]!, a[2] ?? a[3] ?? '']));
  for (const cs of clean.matchAll(/<changeSet\b([^>]*?)(\/>|>([\s\S]*?)<\/changeSet>)/g)) {
    const body = cs[3] ?? '';
    const bodyStart = cs.index + cs[0].length - body.length - (cs[3] !== undefined ? '</changeSet>'.length : 0);
    const rollbackMatch = /<rollback\b[^>]*?(\/>|>([\s\S]*?)<\/rollback>)/.exec(body);
    const withoutRollback = rollbackMatch ? body.replace(rollbackMatch[0], (s) => s.replace(/[^\n]/g, ' ')) : body;
    const changes: LiquibaseChange[] = [];
    for (const ch of withoutRollback.matchAll(/<(\w+)\b([^>]*?)(\/>|>([\s\S]*?)<\/\1>)/g)) {
      const type = ch[1]!;
      if (/^(comment|preConditions|validCheckSum|column|where|param|constraints)$/.test(type)) continue;
      const inner = ch[4] ?? '';
      const change: LiquibaseChange = { type, attrs: attrs(ch[2]!), line: lineOf(bodyStart + ch.index) };
      if (type === 'sql') change.sql = inner.replace(/<!\[CDATA\[|\]\]>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
      if (type === 'addColumn' || type === 'dropColumn' || type === 'createTable') {
        change.columns = [...inner.matchAll(/<column\b([^>]*?)(\/>|>([\s\S]*?)<\/column>)/g)].map((col) => {
          const a = attrs(col[1]!);
          const constraints = /<constraints\b([^>]*)/.exec(col[3] ?? '');
          const nullable = constraints ? attrs(constraints[1]!).nullable !== 'false' : true;
          return { name: a.name ?? '?', nullable, hasDefault: Object.keys(a).some((k) => /^default/.test(k)), type: a.type };
        });
      }
      changes.push(change);
    }
    const rollbackBody = rollbackMatch ? (rollbackMatch[2] ?? '').trim() : undefined;
    sets.push({ id: attrs(cs[1]!).id ?? '?', line: lineOf(cs.index), changes, rollback: rollbackMatch === null ? 'none' : rollbackBody ? 'present' : 'empty' });
  }
  return sets;
}

function liquibaseYaml(path: string, text: string): LiquibaseChangeSet[] {
  const doc = parseYaml(text, { maxAliasCount: 100, logLevel: 'error' }) as unknown;
  const log = (doc as { databaseChangeLog?: unknown } | null)?.databaseChangeLog;
  if (!Array.isArray(log)) throw new Error('no databaseChangeLog list');
  const sets: LiquibaseChangeSet[] = [];
  const lines = text.split('\n');
  // Changesets and their changes come in file order: one cursor walks the lines once.
  let cursor = -1;
  const lineOf = (test: (line: string) => boolean): number => {
    for (let k = cursor + 1; k < lines.length; k++) {
      if (test(lines[k]!)) {
        cursor = k;
        return k + 1;
      }
    }
    return Math.max(1, cursor + 1);
  };
  for (const entry of log) {
    const cs = (entry as { changeSet?: Record<string, unknown> } | null)?.changeSet;
    if (!cs || typeof cs !== 'object') continue;
    const id = String(cs.id ?? '?');
    const setLine = /\.json$/i.test(path) ? lineOf((l) => l.includes('"changeSet"')) : lineOf((l) => /^\s*-?\s*changeSet\s*:/.test(l));
    const changes: LiquibaseChange[] = [];
    for (const c of Array.isArray(cs.changes) ? cs.changes : []) {
      if (!c || typeof c !== 'object') continue;
      for (const [type, value] of Object.entries(c as Record<string, unknown>)) {
        const v = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
        const attrs = Object.fromEntries(Object.entries(v).filter(([, x]) => typeof x !== 'object').map(([k, x]) => [k, String(x)]));
        const change: LiquibaseChange = { type, attrs, line: lineOf((l) => l.includes(`${type}:`) || l.includes(`"${type}"`)) };
        if (type === 'sql') change.sql = typeof value === 'string' ? value : String(v.sql ?? '');
        if (Array.isArray(v.columns)) {
          change.columns = v.columns.map((col) => {
            const column = ((col as { column?: Record<string, unknown> })?.column ?? {}) as Record<string, unknown>;
            const constraints = (column.constraints ?? {}) as Record<string, unknown>;
            return { name: String(column.name ?? '?'), nullable: constraints.nullable !== false, hasDefault: Object.keys(column).some((k) => /^default/.test(k)), type: column.type === undefined ? undefined : String(column.type) };
          });
        }
        changes.push(change);
      }
    }
    const rollback = cs.rollback;
    sets.push({ id, line: setLine, changes, rollback: rollback === undefined ? 'none' : rollback === null || rollback === '' || (Array.isArray(rollback) && rollback.length === 0) ? 'empty' : 'present' });
  }
  return sets;
}
