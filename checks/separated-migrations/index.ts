// Standards: expand/contract ("parallel change", https://martinfowler.com/bliki/ParallelChange.html); strong_migrations (https://github.com/ankane/strong_migrations); squawk rules (https://squawkhq.com/docs/rules); PostgreSQL CREATE INDEX CONCURRENTLY (https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY); Django, Alembic, Rails, Flyway, Liquibase, Ecto and EF Core migration reversal.
import picomatch from 'picomatch';
import { z } from 'zod';
import { defineCheck, notApplicable, roundScore, statusFromScore, type Commit, type Finding, type RepoSnapshot } from '../contract.ts';
import { OP_RULES, RULES, type Rule } from './rules.ts';
import { analyseFile, classifyPath, confirmFramework, fileRole, type PathClass } from './frameworks.ts';
import { djangoFieldDefs, ignoredColumnsOf } from './dsl.ts';
import { detectGuards, detectLinters, detectPostgres, LINTER_READS, POSTGRES_READS } from './evidence.ts';
import { FRAMEWORKS, OP_WORDS, previousType, type ColumnDef, type DestructiveOp, type Framework, type MigrationAnalysis } from './model.ts';
import { compareTypes, normaliseType } from './types.ts';
import { scoreOf } from './score.ts';

export const DEFAULT_IGNORE = [
  '**/node_modules/**',
  '**/vendor/**',
  '**/third_party/**',
  '**/third-party/**',
  '**/testdata/**',
  '**/test-fixtures/**',
  '**/__fixtures__/**',
  '**/fixtures/**',
  '**/example/**',
  '**/examples/**',
  '**/sample/**',
  '**/samples/**',
  '**/test/**',
  '**/tests/**',
  '**/spec/**',
  '**/__tests__/**',
  '**/dist/**',
  '**/site-packages/**',
  '**/.venv/**',
];

const options = z
  .object({
    passAt: z.number().min(0).max(10).default(7.5).meta({ description: 'Score at or above which the check passes.' }),
    warnAt: z.number().min(0).max(10).default(5).meta({ description: 'Score at or above which the check warns instead of failing.' }),
    window: z.int().min(1).max(1000).default(30).meta({ description: 'How many of the most recent migration-bearing changes (merged pull requests, else commits on the default branch) are judged.' }),
    ignore: z.array(z.string().min(1)).default(DEFAULT_IGNORE).meta({ description: 'Globs of paths that never hold this repository\'s migrations (vendored code, test fixtures, examples). Replaces the default list.' }),
    alsoIgnore: z.array(z.string().min(1)).default([]).meta({ description: 'More globs to ignore, on top of `ignore`.', examples: [['legacy/**']] }),
    travelsWith: z.array(z.string().min(1)).default([]).meta({ description: 'More globs of files that may change together with a migration without counting as application code.', examples: [['db/seeds.rb', 'src/db/schema.ts']] }),
    linterCredit: z.number().min(0).max(10).default(2).meta({ description: 'Points added (up to 10) when a migration linter runs in CI, directly or through a make/npm/just/task target (squawk, strong_migrations, django-migration-linter, Atlas lint, eugene, excellent_migrations).' }),
    guardCredit: z.number().min(0).max(10).default(1).meta({ description: 'Points added (up to 10) when a CI job or Danger rule fails a pull request because of its migrations (mixed with application code, or destructive).' }),
    postgres: z.enum(['auto', 'yes', 'no']).default('auto').meta({ description: 'Whether indexes built without CONCURRENTLY are findings: auto detects PostgreSQL from the repository.' }),
    exemptIntroduction: z.boolean().default(true).meta({ description: 'Do not count the change that introduced a migration directory (there was no running schema to stay compatible with). Needs complete history.' }),
    appFilesShown: z.int().min(1).max(50).default(3).meta({ description: 'Application files named in each mixed-change finding.' }),
  })
  .strict();
type Options = z.output<typeof options>;

// Every place a framework keeps migrations; what the check reads and what it needs history for.
const MIGRATION_GLOBS = [
  '**/db/migrate/**/*.rb',
  '**/db/*_migrate/**/*.rb',
  '**/migrations/[0-9][0-9][0-9][0-9]_*.py',
  '**/versions/*.py',
  '**/migrations/*/migration.sql',
  '**/migrations/*/down.sql',
  '**/*.up.sql',
  '**/*.down.sql',
  '**/V[0-9]*__*.sql',
  '**/U[0-9]*__*.sql',
  '**/R__*.sql',
  '**/{changelog,changelogs,liquibase}/**/*.{xml,yaml,yml,json,sql}',
  '**/*changelog*.{xml,yaml,yml,json}',
  '**/*migrat*/**/*.sql',
  '**/*migrat*/**/*.go',
  '**/migrations/*.{ex,exs}',
  '**/{migrations,migration}/**/*.{js,cjs,mjs,ts,cts,mts}',
  '**/database/migrations/*.php',
  '**/priv/*/migrations/*.exs',
  '**/migrations/*.cs',
];
const MODEL_READS = ['**/app/models/**/*.rb'];
// Generators' configuration and ORM schema modules: the code that changes with the schema by construction.
const SCHEMA_CODE_READS = ['**/*.prisma', '**/sqlc.{yaml,yml,json}', '**/lib/**/*.ex'];

const short = (oid: string) => oid.slice(0, 7);
/** A path segment naming a database other than PostgreSQL (CockroachDB builds indexes online too). */
const OTHER_DATABASE = /(^|\/)([^/]*[-_.])?(mysql|mariadb|sqlite3?|h2|hsqldb|derby|mssql|sqlserver|oracle|clickhouse|cockroach(db)?|tidb|spanner)([-_.A-Z][^/]*)?(\/|$)/i;
/** File names in version order: `V1_3` before `V1_22`, `2_x` before `10_x`. */
const naturalCompare = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });
/** A migration renamed from another migration location: moved, not written. */
const isMove = (f: Commit['files'][number]) => f.change === 'R' && f.previousPath !== undefined && classifyPath(f.previousPath) !== undefined;
const firstLine = (s: string) => s.split('\n')[0]!.slice(0, 100);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const dirOf = (p: string) => p.slice(0, Math.max(0, p.lastIndexOf('/')));

interface HeadMigration {
  path: string;
  cls: PathClass;
  framework: Framework;
  text?: string;
  unreadable?: string;
}

interface Change {
  label: string;
  /** For findings: the commit or pull request. */
  ref: string;
  date: string;
  migrations: string[];
  application: string[];
  commitOid?: string;
  mergeCommit?: string;
}

function readText(snapshot: RepoSnapshot, path: string): { text: string } | { problem: string } | undefined {
  const r = snapshot.read(path);
  if (r.ok) return { text: r.text };
  if (r.reason === 'not-found') return undefined;
  return { problem: `${r.reason}${r.detail ? `: ${r.detail}` : ''}` };
}

export default defineCheck({
  id: 'separated-migrations',
  meta: {
    title: 'Separated migrations',
    description: 'Database migrations ship apart from the application code that depends on them, can be rolled back, and avoid destructive operations without an expand/contract plan.',
    category: 'delivery',
    weight: 2,
    version: 2,
    reads: [...MIGRATION_GLOBS, ...LINTER_READS, ...POSTGRES_READS, ...MODEL_READS, ...SCHEMA_CODE_READS],
    history: MIGRATION_GLOBS,
    options,
    rules: RULES,
  },
  run(snapshot, ctx) {
    const o: Options = ctx.options;
    const ignoredMatch = picomatch([...o.ignore, ...o.alsoIgnore], { nocase: true, dot: true });
    const travelsMatch = o.travelsWith.length > 0 ? picomatch(o.travelsWith, { nocase: true, dot: true }) : () => false;
    const findings: Finding<Rule>[] = [];
    const unreadable: Finding<Rule>[] = [];

    // 1. Migrations at the crawled commit, confirmed by their contents.
    const head = new Map<string, HeadMigration>();
    const rejected = new Set<string>();
    for (const file of snapshot.files) {
      if (file.kind !== 'file' || ignoredMatch(file.path)) continue;
      const cls = classifyPath(file.path);
      if (!cls) continue;
      const content = readText(snapshot, file.path);
      if (!content) continue;
      if ('problem' in content) {
        // A file in a framework's own layout is a migration whatever its bytes; it just cannot be judged.
        if (!cls.weak && ['rails', 'prisma', 'golang-migrate', 'flyway', 'laravel', 'ecto', 'django'].includes(cls.framework)) {
          head.set(file.path, { path: file.path, cls, framework: cls.framework, unreadable: content.problem });
        } else {
          // Elsewhere only the contents tell a migration from a helper, so say what was left out.
          unreadable.push({ rule: 'unreadable-file', severity: 'info', path: file.path, message: `could not read this file (${content.problem}) to tell whether it is a migration (${cls.framework === 'knex' ? 'Knex, Sequelize, TypeORM or db-migrate' : cls.framework === 'goose' ? 'goose, dbmate or versioned SQL' : FRAMEWORKS[cls.framework]}), so it was not judged` });
        }
        continue;
      }
      const framework = confirmFramework(file.path, cls, content.text);
      if (!framework) {
        rejected.add(file.path);
        continue;
      }
      head.set(file.path, { path: file.path, cls, framework, text: content.text });
    }
    // SQL files kept in a migrations folder but not versioned: without a version in their names, or
    // rewritten in place release after release. They are applied by hand, not migrations to judge.
    const handApplied = new Map<string, string>();
    const headDirs = new Set([...head.values()].map((h) => dirOf(h.path)));
    for (const path of rejected) {
      if (!/\.sql$/i.test(path) || headDirs.has(dirOf(path)) || handApplied.has(dirOf(path))) continue;
      const r = readText(snapshot, path);
      // Seeds and fixtures hold rows; only SQL that defines tables would be a schema kept by hand.
      if (r && 'text' in r && /\b(create|alter|drop)\s+table\b/i.test(r.text)) handApplied.set(dirOf(path), 'its SQL files have no version in their names');
    }
    const plainByFolder = new Map<string, string[]>();
    for (const h of head.values()) if (h.framework === 'sql' && h.cls.role === 'migration') plainByFolder.set(dirOf(h.path), [...(plainByFolder.get(dirOf(h.path)) ?? []), h.path]);
    for (const [folder, files] of plainByFolder) {
      const names = files.map((p) => p.slice(folder.length + 1)).sort(naturalCompare);
      const newest = names[names.length - 1];
      let added = 0;
      let rewritten = 0;
      for (const c of snapshot.history.commits) {
        for (const f of c.files) {
          if (dirOf(f.path) !== folder || !/\.sql$/i.test(f.path)) continue;
          if (f.change === 'A') added++;
          else if (f.change === 'M' && f.path.slice(folder.length + 1) !== newest) rewritten++;
        }
      }
      if (rewritten >= 3 && rewritten > added) {
        handApplied.set(folder, `${plural(rewritten, 'edit')} of released scripts in place against ${plural(added, 'new script')} in the history read`);
        for (const p of files) head.delete(p);
      }
    }
    const handAppliedFindings: Finding<Rule>[] = [...handApplied].map(([folder, why]) => ({ rule: 'unversioned-sql', severity: 'info', path: folder || '.', message: `${folder || 'the root folder'} holds SQL applied by hand, not versioned migrations (${why}), so it is not judged; to judge it, number each change in a new file (or adopt a migration tool)` }));
    if ([...head.values()].every((h) => h.cls.role === 'reverse')) {
      const note = handApplied.size > 0 ? ` ${[...handApplied.keys()].map((f) => f || 'the root folder').join(', ')} ${handApplied.size === 1 ? 'holds' : 'hold'} SQL applied by hand, not versioned migrations.` : '';
      return notApplicable(`No schema migrations found (Rails, Django, Alembic, Prisma, Flyway, Liquibase, golang-migrate, goose, dbmate, sql-migrate, Knex, Sequelize, TypeORM, db-migrate, Laravel, Ecto, EF Core, versioned SQL scripts), outside vendored, test and example paths.${note}`);
    }
    const confirmedDirs = new Set([...head.values()].map((h) => dirOf(h.path)));
    // Prisma keeps one folder per migration: their parent is the migrations folder.
    const migrationDirs = new Set([...confirmedDirs, ...[...head.values()].filter((h) => h.framework === 'prisma').map((h) => dirOf(dirOf(h.path)))]);
    const schemaCode = schemaCodeOf(snapshot, ignoredMatch);
    const migrationOf = (path: string): PathClass | undefined => {
      if (ignoredMatch(path)) return undefined;
      const known = head.get(path);
      if (known) return known.cls;
      if (rejected.has(path)) return undefined;
      const cls = classifyPath(path);
      if (!cls) return undefined;
      if (!cls.weak || confirmedDirs.has(dirOf(path))) return cls;
      return undefined;
    };
    // Paths repeat across thousands of commits: classify each once.
    const roles = new Map<string, ReturnType<typeof fileRole>>();
    const roleOf = (path: string) => {
      let role = roles.get(path);
      if (role === undefined) roles.set(path, (role = fileRole(path, { ignored: ignoredMatch, travelsWith: travelsMatch, migration: migrationOf, migrationDirs, schemaCode })));
      return role;
    };

    // Rails models that ignore columns about to be dropped.
    const ignoredColumns = new Map<string, Set<string>>();
    for (const file of snapshot.files) {
      if (!/(^|\/)app\/models\/.+\.rb$/i.test(file.path) || ignoredMatch(file.path)) continue;
      const content = readText(snapshot, file.path);
      if (!content || 'problem' in content) continue;
      const found = ignoredColumnsOf(file.path, content.text);
      if (found) ignoredColumns.set(found.table, new Set([...(ignoredColumns.get(found.table) ?? []), ...found.columns]));
    }

    // Django: a field's previous definition, from the operations before it in its app's migrations (by
    // number). Each app's definitions are indexed once per field, so a lookup is a binary search.
    const djangoByDir = new Map<string, string[]>();
    for (const h of head.values()) if (h.framework === 'django' && h.text !== undefined) djangoByDir.set(dirOf(h.path), [...(djangoByDir.get(dirOf(h.path)) ?? []), h.path]);
    type FieldEntry = { file: number; at: number; def: string };
    const fieldIndex = new Map<string, Map<string, FieldEntry[]>>();
    const fileNumber = new Map<string, number>();
    const fieldsOfApp = (dir: string): Map<string, FieldEntry[]> => {
      let index = fieldIndex.get(dir);
      if (index) return index;
      index = new Map();
      const paths = (djangoByDir.get(dir) ?? []).sort();
      paths.forEach((p, file) => {
        fileNumber.set(p, file);
        for (const d of djangoFieldDefs(head.get(p)!.text!)) {
          const key = `${d.model}.${d.field}`;
          const list = index!.get(key) ?? [];
          list.push({ file, at: d.at, def: d.def });
          index!.set(key, list);
        }
      });
      fieldIndex.set(dir, index);
      return index;
    };
    const djangoPreviousField = (path: string) => (model: string, field: string, at: number): string | undefined => {
      const dir = dirOf(path);
      const index = fieldsOfApp(dir);
      let file = fileNumber.get(path)!;
      let name = field;
      // A RenameField sends the search on under the old name, from where the rename was.
      for (let hops = 0; hops < 50; hops++) {
        const list = index.get(`${model}.${name}`) ?? [];
        let lo = 0;
        let hi = list.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          const e = list[mid]!;
          if (e.file < file || (e.file === file && e.at < at)) lo = mid + 1;
          else hi = mid;
        }
        const previous = list[lo - 1];
        if (!previous) return undefined;
        if (!previous.def.startsWith('renamed-from:')) return previous.def;
        name = previous.def.slice('renamed-from:'.length);
        file = previous.file;
        at = previous.at;
      }
      return undefined;
    };

    const analyses = new Map<string, MigrationAnalysis | null>();
    const reverseOf = new Map<string, HeadMigration>();
    for (const h of head.values()) if (h.cls.role === 'reverse') reverseOf.set(h.cls.key, h);
    const analyse = (path: string): MigrationAnalysis | null => {
      if (analyses.has(path)) return analyses.get(path)!;
      const h = head.get(path);
      let result: MigrationAnalysis | null = null;
      if (h?.text !== undefined && h.cls.role === 'migration') {
        const reverse = reverseOf.get(h.cls.key);
        const reverseText = reverse === undefined ? undefined : (reverse.text ?? null);
        try {
          result = analyseFile(h.framework, h.path, h.text, { ignoredColumns, reverseText, djangoPreviousField: djangoPreviousField(h.path) });
        } catch (error) {
          unreadable.push({ rule: 'unreadable-file', severity: 'low', path, message: `could not analyse this migration: ${error instanceof Error ? error.message : String(error)}` });
        }
      }
      analyses.set(path, result);
      return result;
    };
    /** Data backfills and master changelogs do not make a change migration-bearing. */
    const isSchemaMigration = (path: string): boolean => {
      const a = head.has(path) ? analyse(path) : null;
      return a === null || a.kind === 'schema';
    };

    // 2. Recent migration-bearing changes: merged pull requests when the source has them, else commits.
    const commits = snapshot.history.commits;
    const introducedBy = new Set<string>();
    if (o.exemptIntroduction && snapshot.history.complete) {
      // Oldest first: the first commit that adds a migration to a directory introduced it. A directory
      // that first appears by moving migrations (git mv) was introduced before, where they came from.
      const introduced = new Map<string, string | null>();
      for (let k = commits.length - 1; k >= 0; k--) {
        const c = commits[k]!;
        for (const f of c.files) {
          const cls = f.change !== 'D' && roleOf(f.path) === 'migration' ? migrationOf(f.path) : undefined;
          if (!cls) continue;
          const dir = cls.framework === 'prisma' ? dirOf(dirOf(f.path)) : dirOf(f.path);
          if (!introduced.has(dir)) introduced.set(dir, isMove(f) ? null : c.oid);
        }
      }
      for (const oid of introduced.values()) if (oid !== null) introducedBy.add(oid);
    }
    const fromFiles = (files: string[]) => {
      const migrations = files.filter((p) => roleOf(p) === 'migration' && isSchemaMigration(p));
      const application = files.filter((p) => roleOf(p) === 'application');
      return { migrations, application };
    };
    // A change ships a schema change when it adds a migration, or edits only the newest migration of its
    // folder (one still being written, or a release's cumulative file). Editing older, released
    // migrations (a reformat, an import sort, a rewrite in place) ships nothing the database will run.
    const folderOf = (path: string) => (migrationOf(path)?.framework === 'prisma' ? dirOf(dirOf(path)) : dirOf(path));
    const nameIn = (path: string) => (migrationOf(path)?.framework === 'prisma' ? path.slice(dirOf(dirOf(path)).length + 1) : path.slice(path.lastIndexOf('/') + 1));
    const addedAt = new Map<string, number>();
    const folders = new Map<string, Set<string>>();
    const knowMigration = (path: string) => {
      if (roleOf(path) !== 'migration') return;
      const folder = folderOf(path);
      folders.set(folder, (folders.get(folder) ?? new Set()).add(path));
    };
    for (const h of head.values()) knowMigration(h.path);
    commits.forEach((c, index) => {
      for (const f of c.files) {
        knowMigration(f.path);
        // Newest first: the last one seen is the oldest, the commit that added it.
        if (f.change === 'A' || f.change === 'C' || (f.change === 'R' && !isMove(f))) addedAt.set(f.path, index);
      }
    });
    const commitIndex = new Map(commits.map((c, index) => [c.oid, index]));
    /** Was `path` the newest migration of its folder when the commit at `index` changed it? */
    const newestAt = (path: string, index: number) => {
      const name = nameIn(path);
      for (const other of folders.get(folderOf(path)) ?? []) {
        if (other === path || naturalCompare(nameIn(other), name) <= 0) continue;
        if ((addedAt.get(other) ?? Infinity) > index) return false;
      }
      return true;
    };
    /** The schema migrations a change ships: added ones, or edited newest ones when it edits no older one. */
    const shipped = (files: { path: string; added: boolean }[], index: number | undefined) => {
      const migrations = files.filter((f) => roleOf(f.path) === 'migration' && isSchemaMigration(f.path));
      const added = migrations.filter((f) => f.added).map((f) => f.path);
      if (added.length > 0 || index === undefined) return added.length > 0 ? added : migrations.map((f) => f.path);
      const edited = migrations.map((f) => f.path);
      return edited.length > 0 && edited.every((p) => newestAt(p, index)) ? edited : [];
    };
    const applicationOf = (files: string[]) => files.filter((p) => roleOf(p) === 'application');
    const merged = (snapshot.pullRequests ?? []).filter((pr) => pr.state === 'merged' && pr.mergedAt !== null).sort((a, b) => (a.mergedAt! < b.mergedAt! ? 1 : a.mergedAt! > b.mergedAt! ? -1 : b.number - a.number));
    const prChanges: Change[] = [];
    for (const pr of merged) {
      // A pull request lists paths, not what happened to them: its merge commit, when read, tells added from edited.
      const index = pr.mergeCommit === undefined ? undefined : commitIndex.get(pr.mergeCommit);
      const migrations = shipped(pr.files.map((path) => ({ path, added: index === undefined || addedAt.get(path) === index })), index);
      if (migrations.length > 0) prChanges.push({ label: `pull request #${pr.number} "${firstLine(pr.title)}"`, ref: `#${pr.number}`, date: pr.mergedAt!, migrations, application: applicationOf(pr.files), mergeCommit: pr.mergeCommit });
      if (prChanges.length >= o.window) break;
    }
    let source: 'pull requests' | 'commits' = 'pull requests';
    let changes = prChanges;
    if (changes.length === 0) {
      source = 'commits';
      changes = [];
      commits.forEach((c, index) => {
        if (changes.length >= o.window) return;
        // Deleting migrations (a squash, a revert) or moving them (git mv to an archive folder) changes no schema.
        const files = c.files.filter((f) => f.change !== 'D' && !isMove(f)).map((f) => ({ path: f.path, added: f.change !== 'M' && f.change !== 'T' }));
        const migrations = shipped(files, index);
        if (migrations.length === 0) return;
        const application = applicationOf(c.files.flatMap((f) => (f.previousPath ? [f.path, f.previousPath] : [f.path])));
        changes.push({ label: `commit ${short(c.oid)} "${firstLine(c.message)}"`, ref: short(c.oid), date: c.date, migrations, application, commitOid: c.oid });
      });
    }
    const exempt = changes.filter((c) => (c.commitOid && introducedBy.has(c.commitOid)) || (c.mergeCommit && introducedBy.has(c.mergeCommit)));
    const judged = changes.filter((c) => !exempt.includes(c));
    const mixed = judged.filter((c) => c.application.length > 0);
    const separationKnown = judged.length > 0;
    const noHistory = changes.length === 0;

    // 3. Which migrations to judge: those the recent changes added or changed, else the newest at head.
    const mixedPaths = new Set(mixed.flatMap((c) => c.migrations));
    let toJudge = [...new Set(changes.flatMap((c) => c.migrations))].filter((p) => head.get(p)?.cls.role === 'migration');
    if (noHistory) {
      toJudge = [...head.values()]
        .filter((h) => h.cls.role === 'migration')
        .map((h) => h.path)
        .sort((a, b) => (a.split('/').pop()! < b.split('/').pop()! ? 1 : -1))
        .slice(0, o.window);
    }
    // Tables created by any migration of the same change: nothing deployed uses them yet, so indexing,
    // constraining or reshaping them is safe (a pull request that creates a table, then indexes it).
    const createdWith = new Map<string, Set<string>>();
    for (const c of changes) {
      const created = new Set<string>();
      for (const p of c.migrations) for (const t of analyse(p)?.createdTables ?? []) if (t) created.add(t);
      if (created.size === 0) continue;
      for (const p of c.migrations) {
        const set = createdWith.get(p) ?? new Set<string>();
        for (const t of created) set.add(t);
        createdWith.set(p, set);
      }
    }
    const postgres = detectPostgres(snapshot, o.postgres, [...head.values()].flatMap((h) => (h.text && h.cls.role === 'migration' ? [h] : [])), analyse);
    // A folder named for another database (migrations/clickhouse, src/main/resources/db/mysql) is not PostgreSQL,
    // whatever drives the rest of the repository; nor is a migration that creates ClickHouse tables.
    const postgresFor = (path: string, text: string | undefined): boolean => {
      if (o.postgres !== 'auto') return postgres.yes;
      if (OTHER_DATABASE.test(path) || (text !== undefined && /\bENGINE\s*=\s*\w*MergeTree\b/i.test(text))) return false;
      return postgres.yes;
    };
    // A type change compared with the column's previous definition: in the migration itself, or in the
    // earlier migrations of its folder (in version order).
    const folderDefs = new Map<string, { paths: string[]; defs: Map<string, ColumnDef[]> }>();
    const earlierType = (path: string, table: string | undefined, column: string | undefined): string | undefined => {
      const folder = folderOf(path);
      let entry = folderDefs.get(folder);
      if (!entry) {
        const paths = [...head.values()].filter((x) => x.cls.role === 'migration' && folderOf(x.path) === folder).map((x) => x.path).sort((a, b) => naturalCompare(nameIn(a), nameIn(b)));
        entry = { paths, defs: new Map() };
        folderDefs.set(folder, entry);
      }
      for (let k = entry.paths.indexOf(path) - 1; k >= 0; k--) {
        const p = entry.paths[k]!;
        let defs = entry.defs.get(p);
        if (!defs) entry.defs.set(p, (defs = analyse(p)?.columns ?? []));
        const found = previousType(defs, table, column);
        if (found !== undefined) return found;
      }
      return undefined;
    };
    const resolveTypeChange = (path: string, op: DestructiveOp, pg: boolean): DestructiveOp[] => {
      if (op.kind !== 'change-type' || op.newType === undefined) return [op];
      const before = op.oldType ?? earlierType(path, op.table, op.column);
      if (before === undefined) return [op];
      const verdict = compareTypes(before, op.newType, pg);
      // The same type restated (Ecto `modify … null: true`, MySQL MODIFY for a default): nothing is rewritten.
      if (verdict === 'same') return [];
      const detail = `${OP_WORDS['change-type']} ${op.table}.${op.column} from ${normaliseType(before)} to ${normaliseType(op.newType)}`;
      if (verdict === 'widening') return [{ ...op, detail, harmless: pg ? 'PostgreSQL applies a longer varchar, varchar to text or more numeric precision to its catalogue only, without rewriting or scanning the table' : 'a longer varchar is changed in place, without copying the table' }];
      return [{ ...op, detail: `${op.detail.replace(/ (to|as) \S+$/, '')} from ${normaliseType(before)} to ${normaliseType(op.newType)}` }];
    };
    let reversible = 0;
    let irreversible = 0;
    let safe = 0;
    let unsafe = 0;
    let guardedOps = 0;
    let schemaJudged = 0;
    const frameworksSeen = new Set<Framework>();
    const destructiveFindings: Finding<Rule>[] = [];
    const reversibilityFindings: Finding<Rule>[] = [];
    for (const path of toJudge.sort()) {
      const h = head.get(path)!;
      frameworksSeen.add(h.framework);
      if (h.unreadable) {
        unreadable.push({ rule: 'unreadable-file', severity: 'low', path, message: `could not read this migration (${h.unreadable})` });
        continue;
      }
      const a = analyse(path);
      if (!a || a.kind !== 'schema') continue;
      for (const p of a.problems.slice(0, 20)) unreadable.push({ rule: 'unparsable-migration', severity: 'low', path, line: p.line, message: p.message });
      schemaJudged++;
      if (a.reversible === true) reversible++;
      else if (a.reversible === false) {
        irreversible++;
        // An empty down file is the place to write the way back.
        const reverse = a.irreversibleInReverse ? reverseOf.get(h.cls.key) : undefined;
        const where = reverse ? { path: reverse.path, line: 1 } : { path, ...(a.irreversibleLine ? { line: a.irreversibleLine } : {}) };
        reversibilityFindings.push({ rule: 'irreversible-migration', severity: 'medium', ...where, message: `not reversible: ${a.irreversibleReason ?? 'no way back'}${reverse ? ` (for ${path})` : ''}` });
      }
      const createdHere = createdWith.get(path) ?? a.createdTables;
      // Dropping or renaming a table by a name the change also creates is a recreation: still reported.
      const onNewTable = (op: (typeof a.ops)[number]) => op.table !== undefined && op.kind !== 'drop-table' && op.kind !== 'rename-table' && (createdHere.has(op.table) || a.createdTables.has(op.table));
      const pg = postgresFor(path, h.text);
      const ops = a.ops.filter((op) => (op.kind !== 'index' || pg) && !onNewTable(op)).flatMap((op) => resolveTypeChange(path, op, pg));
      const open = ops.filter((op) => !op.guarded && !op.harmless);
      guardedOps += ops.filter((op) => op.guarded).length;
      if (open.length > 0) unsafe++;
      else if (!a.unreadable) safe++;
      // Twenty per file name the pattern; the rest are counted.
      const shown = ops.slice(0, 20);
      if (ops.length > shown.length) destructiveFindings.push({ rule: OP_RULES[ops[shown.length]!.kind], severity: open.length > 0 ? 'medium' : 'info', path, message: `${ops.length - shown.length} more destructive operations in this migration are not listed` });
      for (const op of shown) {
        if (op.guarded) {
          destructiveFindings.push({ rule: OP_RULES[op.kind], severity: 'info', path, line: op.line, message: `${OP_WORDS[op.kind]} (${op.detail}), acknowledged by ${op.guard}` });
        } else if (op.harmless) {
          destructiveFindings.push({ rule: OP_RULES[op.kind], severity: 'info', path, line: op.line, message: `${op.detail}: ${op.harmless}` });
        } else {
          destructiveFindings.push({
            rule: OP_RULES[op.kind],
            severity: mixedPaths.has(path) ? 'high' : 'medium',
            path,
            line: op.line,
            message: `${OP_WORDS[op.kind]}: ${op.detail}${mixedPaths.has(path) ? ', in the same change as application code' : ''}; ${advice(op.kind, h.framework)}`,
          });
        }
      }
    }
    for (const h of head.values()) if (h.cls.role === 'migration') frameworksSeen.add(h.framework);

    const linters = detectLinters(snapshot);
    const guards = detectGuards(snapshot);
    const rawScore = scoreOf({ separated: judged.length - mixed.length, mixed: mixed.length, reversible, irreversible, safe, unsafe, linter: linters.length > 0, guard: guards.length > 0 }, { linterCredit: o.linterCredit, guardCredit: o.guardCredit });
    // Separation weighs most: when it could not be judged, the rest alone never makes a pass.
    const capped = rawScore !== null && !separationKnown && rawScore >= o.passAt;
    const score = capped ? roundScore(Math.max(0, o.passAt - 0.1)) : rawScore;

    // Findings: the mixed changes first, then each migration's problems.
    if (noHistory) {
      const why =
        commits.length === 0
          ? merged.length > 0
            ? `no merged pull request touched a migration (${merged.length} read), and there is no commit history`
            : 'no commit history or pull requests were available'
          : snapshot.history.complete
            ? 'no change in the history touched a migration'
            : `none of the ${commits.length} most recent commits read (crawl.historyLimit) touched a migration`;
      findings.push({ rule: 'separation-unknown', severity: 'info', message: `separation not judged: ${why}; reversibility and destructive operations are judged on the newest ${plural(toJudge.length, 'migration')}, and the status is at most warn` });
    } else if (!separationKnown) {
      findings.push({ rule: 'separation-unknown', severity: 'info', message: 'separation not judged: the only migration-bearing change read is the one that introduced the migrations; the status is at most warn' });
    }
    for (const c of mixed) {
      const shown = c.application.slice(0, o.appFilesShown);
      const more = c.application.length - shown.length;
      findings.push({
        rule: 'migration-with-app-code',
        severity: 'medium',
        path: c.migrations.find((p) => head.has(p)) ?? c.migrations[0],
        message: `${c.label} shipped ${c.migrations.length === 1 ? `migration ${c.migrations[0]}` : plural(c.migrations.length, 'migration')} together with application code: ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}; ship the migration first, in its own ${source === 'pull requests' ? 'pull request' : 'change'}`,
      });
    }
    for (const c of exempt) findings.push({ rule: 'initial-migrations', severity: 'info', message: `${c.label} introduced the migrations, so it is not counted (there was no deployed schema to stay compatible with)` });
    for (const f of destructiveFindings.sort((a, b) => severityRank(a) - severityRank(b))) findings.push(f);
    for (const f of reversibilityFindings) findings.push(f);
    if (linters.length > 0) for (const l of linters) findings.push({ rule: 'migration-linter', severity: 'info', path: l.path, ...(l.line ? { line: l.line } : {}), message: `migration linter: ${l.name} (${l.how})` });
    else if (unsafe > 0) findings.push({ rule: 'migration-linter', severity: 'low', message: 'no migration linter runs in CI: squawk (SQL), strong_migrations (Rails), django-migration-linter, excellent_migrations (Ecto) or Atlas lint would stop destructive operations before they merge' });
    for (const g of guards) findings.push({ rule: 'migration-guard', severity: 'info', path: g.path, line: g.line, message: `migration guard in CI: ${g.what}` });
    for (const f of unreadable) findings.push(f);
    for (const f of handAppliedFindings) findings.push(f);

    if (score === null) {
      if (schemaJudged === 0 && unreadable.length === 0) {
        return notApplicable(`Found ${plural(head.size, 'migration file')}, but the recent ones only move data (backfills), so there is no schema change to judge.`);
      }
      return { status: 'error', score: null, summary: `Found ${plural(head.size, 'migration file')} but could not read any of the ones to judge: see the findings.`, findings };
    }
    const parts: string[] = [];
    parts.push([...frameworksSeen].map((f) => FRAMEWORKS[f]).sort().join(', '));
    parts.push(separationKnown ? `${judged.length - mixed.length}/${judged.length} recent migration-bearing ${source} shipped apart from application code` : 'separation not judged');
    parts.push(reversible + irreversible > 0 ? `${reversible}/${reversible + irreversible} migrations reversible` : 'reversibility not judged (the framework has no down migrations)');
    parts.push(safe + unsafe === 0 ? 'destructive operations not judged (no migration could be read)' : unsafe === 0 ? `no unguarded destructive operations${guardedOps > 0 ? ` (${guardedOps} acknowledged)` : ''}` : `${unsafe}/${safe + unsafe} migrations with unguarded destructive operations`);
    parts.push(linters.length > 0 ? `linted by ${[...new Set(linters.map((l) => l.name))].join(', ')}` : 'no migration linter in CI');
    if (guards.length > 0) parts.push(`guarded in CI (${guards[0]!.path})`);
    if (postgres.yes && o.postgres === 'auto') parts.push(`PostgreSQL (${postgres.evidence})`);
    if (capped) parts.push('at most warn: separation not judged');
    return { status: statusFromScore(score, o), score, summary: parts.join('; '), findings };
  },
});

/** `a/b` + `../c` → `a/c`. */
function joinPath(base: string, relative: string): string {
  const parts = base === '' ? [] : base.split('/');
  for (const part of relative.replace(/^\.\//, '').split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.' && part !== '') parts.push(part);
  }
  return parts.join('/');
}

/**
 * Code that changes with the schema by construction, found from the generators' own configuration and
 * from contents: Prisma generator `output` folders, sqlc `out`/`path` folders, Ecto schema modules.
 */
function schemaCodeOf(snapshot: RepoSnapshot, ignored: (p: string) => boolean): (path: string) => boolean {
  const dirs: string[] = [];
  const files = new Set<string>();
  for (const file of snapshot.files) {
    if (file.kind !== 'file' || ignored(file.path)) continue;
    const isPrisma = /\.prisma$/i.test(file.path);
    const isSqlc = /(^|\/)sqlc\.(ya?ml|json)$/i.test(file.path);
    const isElixir = /(^|\/)lib\/.+\.ex$/i.test(file.path);
    if (!isPrisma && !isSqlc && !isElixir) continue;
    const r = snapshot.read(file.path);
    if (!r.ok) continue;
    const here = dirOf(file.path);
    if (isPrisma) {
      for (const g of r.text.matchAll(/\bgenerator\s+\w+\s*\{([^}]*)\}/g)) {
        const out = /\boutput\s*=\s*"([^"]+)"/.exec(g[1]!)?.[1];
        if (out) dirs.push(joinPath(here, out));
      }
    } else if (isSqlc) {
      for (const out of r.text.matchAll(/["']?\b(out|path)["']?\s*:\s*["']?([\w./-]+)["']?/g)) if (!/\.sql$/i.test(out[2]!)) dirs.push(joinPath(here, out[2]!));
    } else if (/\buse\s+Ecto\.Schema\b/.test(r.text)) files.add(file.path);
  }
  return (path) => files.has(path) || dirs.some((d) => d !== '' && (path === d || path.startsWith(`${d}/`)));
}

function severityRank(f: Finding): number {
  return ['high', 'medium', 'low', 'info'].indexOf(f.severity);
}

function advice(kind: keyof typeof OP_WORDS, framework: Framework): string {
  switch (kind) {
    case 'drop-table':
      return 'stop reading and writing it in a deployed release first, then drop it in its own migration';
    case 'drop-column':
      return `stop using it in a deployed release first${framework === 'rails' ? ' (ignored_columns on the model)' : framework === 'django' ? ' (SeparateDatabaseAndState to remove the field from the model)' : ''}, then drop it in its own migration`;
    case 'rename-table':
    case 'rename-column':
      return 'add the new name, write to both, backfill, move reads, then drop the old one';
    case 'change-type':
      return 'add a column of the new type, backfill it, switch the code over, then drop the old column';
    case 'not-null':
      return 'add the column nullable or with a default, backfill, then add a NOT NULL constraint (PostgreSQL: a CHECK … NOT VALID, validated separately)';
    case 'index':
      return 'build it CONCURRENTLY (outside a transaction) so writes are not blocked';
  }
}

export type { Options as SeparatedMigrationsOptions };
