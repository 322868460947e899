import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyseAlembic, analyseDjango, analyseEcto, analyseEfCore, analyseJs, analyseLaravel, analyseRails, djangoFieldChange, djangoFieldDefs } from './dsl.ts';
import { analyseLiquibase } from './frameworks.ts';
import { scoreOf, type ScoreInput } from './score.ts';
import { mask } from './source.ts';
import { analyseSql, lexSql } from './sql.ts';

describe('SQL tokenizer', () => {
  it('does not see keywords in comments, strings, quoted names or dollar-quoted bodies', () => {
    const sql = [
      '-- DROP TABLE a;',
      '/* ALTER TABLE a DROP COLUMN b; /* nested */ still a comment */',
      "INSERT INTO notes (body) VALUES ('DROP TABLE x; it''s fine');",
      'CREATE FUNCTION f() RETURNS trigger AS $fn$ BEGIN DROP TABLE y; END; $fn$ LANGUAGE plpgsql;',
      'DO $$ BEGIN EXECUTE \'ALTER TABLE z DROP COLUMN q\'; END $$;',
      'CREATE TABLE "drop table" ("drop column" int);',
    ].join('\n');
    const a = analyseSql(sql);
    expect(a.ops).toEqual([]);
    expect(a.problems).toEqual([]);
    expect(a.dataStatements).toBe(1);
    expect(a.createdTables).toEqual(new Set(['drop table']));
  });

  it('finds each destructive operation at its line, in several dialects', () => {
    const sql = [
      'ALTER TABLE ONLY public.users DROP COLUMN IF EXISTS legacy, ADD COLUMN code text NOT NULL, ADD CONSTRAINT c CHECK (x > 0);', // 1
      'ALTER TABLE `orders` MODIFY COLUMN total DECIMAL(12,2) NOT NULL;', // 2
      'ALTER TABLE orders CHANGE old_name new_name VARCHAR(10);', // 3
      'RENAME TABLE a TO b;', // 4
      'ALTER TABLE [dbo].[Users] ALTER COLUMN Name nvarchar(200) NOT NULL;', // 5
      'ALTER TABLE t ALTER COLUMN c SET NOT NULL, ALTER COLUMN d SET DEFAULT 0;', // 6
      'DROP TABLE IF EXISTS x, y CASCADE;', // 7
      'TRUNCATE events;', // 8
      "EXEC sp_rename 'Users.Name', 'FullName', 'COLUMN';", // 9
      'ALTER TABLE t ADD COLUMN ok int NOT NULL DEFAULT 0, DROP CONSTRAINT c, RENAME CONSTRAINT a TO b;', // 10
    ].join('\n');
    const a = analyseSql(sql);
    expect(a.problems).toEqual([]);
    expect(a.ops.map((o) => [o.kind, o.line, o.table, o.column])).toEqual([
      ['drop-column', 1, 'users', 'legacy'],
      ['not-null', 1, 'users', 'code'],
      ['change-type', 2, 'orders', 'total'],
      ['rename-column', 3, 'orders', 'old_name'],
      ['rename-table', 4, 'a', undefined],
      ['change-type', 5, 'Users', 'name'],
      ['not-null', 6, 't', 'c'],
      ['drop-table', 7, 'x', undefined],
      ['drop-table', 7, 'y', undefined],
      ['drop-table', 8, 'events', undefined],
      ['rename-column', 9, 'Users', 'Name'],
    ]);
  });

  it('splits on MySQL DELIMITER, SQL Server GO and trigger bodies', () => {
    const mysql = 'DELIMITER //\nCREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.x = 1; END//\nDELIMITER ;\nALTER TABLE a DROP COLUMN b;\n';
    expect(analyseSql(mysql).ops.map((o) => [o.kind, o.line])).toEqual([['drop-column', 4]]);
    const tsql = 'CREATE TABLE b (id int)\nGO\nALTER TABLE a DROP COLUMN id\nGO\n';
    expect(analyseSql(tsql).ops.map((o) => [o.kind, o.line])).toEqual([['drop-column', 3]]);
    const sqlite = 'CREATE TRIGGER t AFTER UPDATE ON a BEGIN UPDATE b SET x = 1; DELETE FROM c; END;\nDROP TABLE d;\n';
    const lexed = lexSql(sqlite);
    expect(lexed.ok && lexed.statements.length).toBe(2);
  });

  it('reports unterminated constructs with their line', () => {
    expect(analyseSql('SELECT 1;\n/* open').problems).toEqual([{ line: 2, message: 'could not parse this SQL: a /* comment is never closed' }]);
    expect(analyseSql('SELECT 1;\nSELECT "x').problems).toEqual([{ line: 2, message: 'could not parse this SQL: a "quoted name" is never closed' }]);
  });

  it('treats squawk-ignore and atlas:nolint as acknowledgements', () => {
    const a = analyseSql('-- squawk-ignore ban-drop-column\nALTER TABLE a DROP COLUMN b;\n\nALTER TABLE a DROP COLUMN c;\n');
    expect(a.ops.map((o) => [o.column, o.guarded])).toEqual([['b', true], ['c', false]]);
    expect(analyseSql('-- atlas:nolint\nDROP TABLE a;\n').ops[0]!.guarded).toBe(true);
  });

  it('never throws, whatever the input', () => {
    const fragments = fc.constantFrom("'", '"', '`', '$$', '$a$', '--', '/*', '*/', ';', '\n', 'DROP', 'TABLE', 'ALTER', 'COLUMN', 'DELIMITER //', 'GO', 'BEGIN', 'END', '(', ')', ',', '[', ']', '\u0000', 'CREATE TRIGGER', 'E\'\\\'');
    const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.array(fc.oneof(fragments, fc.string({ maxLength: 5 })), { maxLength: 60 }).map((p) => p.join(' ')));
    fc.assert(
      fc.property(text, (t) => {
        const a = analyseSql(t);
        for (const op of a.ops) expect(op.line).toBeGreaterThanOrEqual(1);
        for (const p of a.problems) expect(p.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 400 },
    );
  });
});

describe('source lexer', () => {
  it('keeps offsets, blanks comments, and reads strings and heredocs', () => {
    const ruby = 'execute <<~SQL # drop_table :x\n  DROP TABLE y;\nSQL\nremove_column :a, :b # later\n';
    const m = mask(ruby, 'ruby');
    expect(m.code.length).toBe(ruby.length);
    expect(m.code).not.toContain('drop_table');
    expect(m.strings.map((s) => [s.value.trim(), s.line])).toEqual([['DROP TABLE y;', 2]]);
    const py = 'op.execute("""\n  DROP TABLE a\n""")  # op.drop_table("b")\n';
    const p = mask(py, 'python');
    expect(p.skeleton).not.toContain('DROP TABLE');
    expect(p.strings[0]!.line).toBe(1);
    const cs = 'migrationBuilder.Sql(@"ALTER TABLE ""a"" DROP COLUMN b"); // DropTable\n';
    expect(mask(cs, 'csharp').strings[0]!.value).toBe('ALTER TABLE ""a"" DROP COLUMN b');
  });

  const languageText = fc.array(fc.oneof(fc.constantFrom('"', "'", '`', '#', '//', '/*', '*/', '<<~SQL\n', '\nSQL\n', '<<<EOT\n', '"""', "'''", '~s(', '%w[', '${', '#{', '}', '{', '(', ')', 'def up\n', 'def down\n', 'end\n', 'function up() {', 'remove_column :a, :b\n', 'op.drop_column("a", "b")\n', 'table.dropColumn("x")', '\n'), fc.string({ maxLength: 6 })), { maxLength: 50 }).map((p) => p.join(''));

  it('never throws and keeps every length, in every language', () => {
    fc.assert(
      fc.property(languageText, fc.constantFrom('ruby', 'python', 'js', 'php', 'elixir', 'csharp' as const), (t, lang) => {
        const m = mask(t, lang);
        expect(m.code.length).toBe(t.length);
        expect(m.skeleton.length).toBe(t.length);
      }),
      { numRuns: 400 },
    );
  });

  it('the framework scanners never throw and report lines inside the file', () => {
    const scanners = [
      (t: string) => analyseRails(t, new Map()),
      analyseDjango,
      analyseAlembic,
      (t: string) => analyseJs(t, 'knex'),
      (t: string) => analyseJs(t, 'sequelize'),
      analyseLaravel,
      analyseEcto,
      analyseEfCore,
      (t: string) => analyseLiquibase('db/changelog/x.xml', t),
      (t: string) => analyseLiquibase('db/changelog/x.yaml', t),
    ];
    fc.assert(
      fc.property(languageText, fc.integer({ min: 0, max: scanners.length - 1 }), (t, k) => {
        const a = scanners[k]!(t);
        const lines = t.split('\n').length;
        for (const op of a.ops) expect(op.line).toBeLessThanOrEqual(lines);
        expect(['schema', 'data', 'include']).toContain(a.kind);
      }),
      { numRuns: 400 },
    );
  });
});

const CREDITS = { linterCredit: 1, guardCredit: 1 };

describe('score', () => {
  const counts = fc.integer({ min: 0, max: 40 });
  const input = fc.record<ScoreInput>({ separated: counts, mixed: counts, reversible: counts, irreversible: counts, safe: counts, unsafe: counts, linter: fc.boolean(), guard: fc.boolean() });
  const credit = fc.double({ min: 0, max: 10, noNaN: true }).map((c) => ({ linterCredit: c, guardCredit: c }));

  it('stays within 0–10, with one decimal', () => {
    fc.assert(
      fc.property(input, credit, (i, c) => {
        const s = scoreOf(i, c);
        if (s === null) return;
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(10);
        expect(Math.round(s * 10)).toBeCloseTo(s * 10, 9);
      }),
    );
  });

  it('never rises with more mixed changes, irreversible or unsafe migrations', () => {
    fc.assert(
      fc.property(input, credit, fc.integer({ min: 1, max: 10 }), fc.constantFrom('mixed', 'irreversible', 'unsafe' as const), (i, c, more, part) => {
        const before = scoreOf(i, c);
        const after = scoreOf({ ...i, [part]: i[part] + more }, c);
        expect(after).not.toBeNull();
        if (before !== null) expect(after!).toBeLessThanOrEqual(before);
      }),
    );
  });

  it('leaves out what it cannot judge instead of counting it as zero', () => {
    expect(scoreOf({ separated: 0, mixed: 0, reversible: 3, irreversible: 1, safe: 4, unsafe: 0, linter: false, guard: false }, CREDITS)).toBe(8.9);
    expect(scoreOf({ separated: 3, mixed: 1, reversible: 0, irreversible: 0, safe: 4, unsafe: 0, linter: false, guard: false }, CREDITS)).toBe(8.1);
    expect(scoreOf({ separated: 0, mixed: 0, reversible: 0, irreversible: 0, safe: 0, unsafe: 0, linter: true, guard: false }, CREDITS)).toBeNull();
    expect(scoreOf({ separated: 1, mixed: 1, reversible: 1, irreversible: 1, safe: 1, unsafe: 1, linter: true, guard: false }, CREDITS)).toBe(6);
    expect(scoreOf({ separated: 1, mixed: 1, reversible: 1, irreversible: 1, safe: 1, unsafe: 1, linter: true, guard: true }, CREDITS)).toBe(7);
  });

  it('weighs separation most: mostly mixed is a fail however careful the migrations are', () => {
    // 2 in 10 recent changes separated, every migration reversible and safe, no linter: a fail.
    expect(scoreOf({ separated: 2, mixed: 8, reversible: 10, irreversible: 0, safe: 10, unsafe: 0, linter: false, guard: false }, CREDITS)).toBe(4.8);
    expect(scoreOf({ separated: 6, mixed: 4, reversible: 10, irreversible: 0, safe: 10, unsafe: 0, linter: false, guard: false }, CREDITS)).toBe(7.4);
    expect(scoreOf({ separated: 8, mixed: 2, reversible: 10, irreversible: 0, safe: 10, unsafe: 0, linter: false, guard: false }, CREDITS)).toBe(8.7);
  });
});

// Realistic migrations the first version misjudged; each case names what went wrong.
describe('SQL as migrations are really written', () => {
  const ops = (sql: string) => analyseSql(sql).ops.map((o) => [o.kind, o.line, o.table ?? null, o.column ?? null]);

  it('does not judge what happens to a table the same migration created', () => {
    expect(ops('CREATE TABLE users (id bigserial primary key, email text);\nCREATE INDEX users_email_idx ON users (email);\nALTER TABLE users ADD COLUMN code text NOT NULL;\nALTER TABLE users DROP COLUMN email;\nDROP TABLE scratch;\n')).toEqual([['drop-table', 5, 'scratch', null]]);
    // A table dropped before it is created again is still a drop.
    expect(ops('DROP TABLE users;\nCREATE TABLE users (id int);\n')).toEqual([['drop-table', 1, 'users', null]]);
    expect(ops('CREATE MATERIALIZED VIEW totals AS SELECT 1 AS x;\nCREATE INDEX ON totals (x);\n')).toEqual([]);
  });

  it("reads Prisma's SQLite table redefinition as one rebuild, not a drop and a rename", () => {
    const sql = 'PRAGMA foreign_keys=OFF;\nCREATE TABLE "new_User" ("id" INTEGER NOT NULL PRIMARY KEY, "email" TEXT NOT NULL);\nINSERT INTO "new_User" ("id", "email") SELECT "id", "email" FROM "User";\nDROP TABLE "User";\nALTER TABLE "new_User" RENAME TO "User";\nCREATE UNIQUE INDEX "User_email_key" ON "User"("email");\nPRAGMA foreign_keys=ON;\n';
    const a = analyseSql(sql);
    expect(a.ops.map((o) => [o.kind, o.line])).toEqual([['change-type', 4]]);
    expect(a.ops[0]!.detail).toMatch(/^rebuilds table User: a copy \(new_User\) replaces it/);
  });

  it('knows NOT NULL inside a CHECK from a NOT NULL column, and what makes a NOT NULL column safe', () => {
    expect(ops('ALTER TABLE users ADD COLUMN x int CHECK (x IS NOT NULL);')).toEqual([]);
    expect(ops("ALTER TABLE users ADD COLUMN status text NOT NULL DEFAULT 'active';")).toEqual([]);
    expect(ops("ALTER TABLE users ADD status varchar(10) DEFAULT 'x' NOT NULL;")).toEqual([]);
    expect(ops('ALTER TABLE users ADD COLUMN status text NOT NULL;')).toEqual([['not-null', 1, 'users', 'status']]);
  });

  it('counts a UNIQUE constraint as an index built under the lock, unless it adopts a concurrent one', () => {
    expect(ops('ALTER TABLE a ADD CONSTRAINT u UNIQUE (x);\nALTER TABLE a ADD CONSTRAINT u2 UNIQUE USING INDEX ix;\nALTER TABLE a ADD UNIQUE (y);\nALTER TABLE a ADD CONSTRAINT fk FOREIGN KEY (b) REFERENCES b (id);')).toEqual([
      ['index', 1, 'a', null],
      ['index', 3, 'a', null],
    ]);
  });

  it('reads SQL Server [bracketed] names after ADD, DROP and ALTER', () => {
    expect(ops('ALTER TABLE [dbo].[Users] ADD [Code] nvarchar(10) NOT NULL;\nALTER TABLE [dbo].[Users] DROP COLUMN [Legacy];\n')).toEqual([
      ['not-null', 1, 'Users', 'Code'],
      ['drop-column', 2, 'Users', 'Legacy'],
    ]);
  });

  it("reads MySQL's backslash-escaped quotes when standard SQL cannot close the string", () => {
    const a = analyseSql("INSERT INTO notes VALUES ('it\\'s');\nALTER TABLE notes DROP COLUMN body;\n");
    expect(a.problems).toEqual([]);
    expect(a.ops.map((o) => [o.kind, o.line])).toEqual([['drop-column', 2]]);
    // Standard SQL still wins where it reads the file: 'C:\' is a closed string.
    expect(analyseSql("INSERT INTO paths VALUES ('C:\\');\nDROP TABLE t;\n").ops.map((o) => o.line)).toEqual([2]);
  });

  it('is case-insensitive about keywords, exact about quoted names, and accepts CONCURRENTLY IF NOT EXISTS', () => {
    expect(ops('alter table "Orders" rename column "refNo" to "ref_no";')).toEqual([['rename-column', 1, 'Orders', 'refNo']]);
    expect(ops('Alter Table orders Alter Column total Set Data Type numeric(12,2);')).toEqual([['change-type', 1, 'orders', 'total']]);
    expect(ops('CREATE INDEX CONCURRENTLY IF NOT EXISTS ix ON orders (total);\nCREATE UNIQUE INDEX CONCURRENTLY ix2 ON orders USING btree (ref);')).toEqual([]);
    expect(ops('create index if not exists ix on orders (total);')).toEqual([['index', 1, 'orders', null]]);
  });
});

describe('framework migrations as they are really written', () => {
  const rails = (body: string) => `class X < ActiveRecord::Migration[7.1]\n  def change\n${body}\n  end\nend\n`;
  const reversibleRails = (body: string) => analyseRails(rails(body), new Map()).reversible;

  it('Rails: follows what ActiveRecord can invert in `change`', () => {
    expect(reversibleRails('    remove_column :users, :legacy')).toBe(false);
    expect(reversibleRails('    remove_column :users, :legacy, :string')).toBe(true);
    expect(reversibleRails('    remove_index :posts, :title')).toBe(true);
    expect(reversibleRails('    remove_index :posts, column: :title')).toBe(true);
    expect(reversibleRails('    remove_index :posts, name: "index_posts_on_title"')).toBe(false);
    expect(reversibleRails('    drop_table :legacy, if_exists: true')).toBe(false);
    expect(reversibleRails('    drop_table :legacy, id: :uuid')).toBe(true);
    expect(reversibleRails('    remove_foreign_key :accounts, column: :owner_id')).toBe(false);
    expect(reversibleRails('    remove_foreign_key :accounts, :owners')).toBe(true);
    expect(reversibleRails('    change_table :users do |t|\n      t.remove :legacy\n    end')).toBe(false);
    expect(reversibleRails('    change_table :users do |t|\n      t.remove :legacy, type: :string\n    end')).toBe(true);
    // Inside `reversible`, the migration says its own way back.
    expect(reversibleRails('    reversible do |dir|\n      dir.up do\n        drop_table :widgets\n      end\n      dir.down do\n        create_table :widgets\n      end\n    end')).toBe(true);
    const why = analyseRails(rails('    remove_column :users, :legacy'), new Map()).irreversibleReason;
    expect(why).toBe('`remove_column` in `change` cannot be reversed: give it the column type (`remove_column :table, :column, :string`), or write `up` and `down`');
  });

  it('Rails: a `down` that only fails is no way back', () => {
    const a = analyseRails('class X < ActiveRecord::Migration[7.1]\n  def up\n    drop_table :a\n  end\n\n  def down\n    fail ActiveRecord::IrreversibleMigration, "gone"\n  end\nend\n', new Map());
    expect([a.reversible, a.irreversibleReason, a.irreversibleLine]).toEqual([false, '`down` raises instead of undoing `up`', 7]);
  });

  it('Rails, Ecto, Alembic: a column belongs to the block it is written in, not to the last one opened', () => {
    const r = analyseRails(rails('    change_table :users do |t|\n      t.string :nickname\n    end\n    create_table :posts do |t|\n      t.string :title, null: false\n    end'), new Map());
    expect(r.ops).toEqual([]);
    const e = analyseEcto('defmodule M do\n  use Ecto.Migration\n\n  def change do\n    alter table(:users) do\n      add :nickname, :string\n    end\n\n    create table(:posts) do\n      add :title, :string, null: false\n    end\n  end\nend\n');
    expect(e.ops).toEqual([]);
    const al = analyseAlembic('down_revision = "x"\n\n\ndef upgrade():\n    with op.batch_alter_table("users") as batch_op:\n        batch_op.drop_column("legacy")\n    other.drop_column("x")\n\n\ndef downgrade():\n    op.add_column("users", sa.Column("legacy", sa.Text()))\n');
    expect(al.ops.map((o) => [o.kind, o.line, o.table, o.column])).toEqual([['drop-column', 6, 'users', 'legacy']]);
  });

  it('Ecto: `drop index` in `change` is reversed by Ecto, `drop table` is not', () => {
    const ecto = (body: string) => analyseEcto(`defmodule M do\n  use Ecto.Migration\n\n  def change do\n${body}\n  end\nend\n`);
    expect(ecto('    drop index(:users, [:email])').reversible).toBe(true);
    expect(ecto('    drop table(:legacy)').reversible).toBe(false);
    expect(ecto('    alter table(:users) do\n      remove :legacy\n    end').irreversibleReason).toBe('`remove` without a type in `change` cannot be reversed');
  });

  it('Alembic: alter_column(nullable=False) scans the table even with a server_default', () => {
    const a = analyseAlembic('down_revision = "x"\n\n\ndef upgrade():\n    op.alter_column("users", "email", nullable=False, server_default="")\n\n\ndef downgrade():\n    op.alter_column("users", "email", nullable=True)\n');
    expect(a.ops.map((o) => [o.kind, o.line, o.column])).toEqual([['not-null', 5, 'email']]);
  });

  it('Knex: reads every statement of an arrow callback, and chained modifiers', () => {
    const a = analyseJs("exports.up = (knex) => knex.schema.table('users', (t) => {\n  t.dropColumn('legacy');\n  t.integer('age').notNullable();\n  t.string('code').notNullable().defaultTo('x');\n  t.string('name', 500).alter();\n});\n\nexports.down = (knex) => knex.schema.table('users', (t) => {\n  t.string('legacy');\n});\n", 'knex');
    expect(a.ops.map((o) => [o.kind, o.line, o.table, o.column])).toEqual([
      ['drop-column', 2, 'users', 'legacy'],
      ['not-null', 3, 'users', 'age'],
      ['change-type', 5, 'users', 'name'],
    ]);
    expect(a.reversible).toBe(true);
    expect(analyseJs("exports.up = (knex) => knex.schema.createTable('a', (t) => { t.increments(); });\nexports.down = async () => {};\n", 'knex').irreversibleReason).toBe('`down` is empty');
  });

  it('EF Core: AlterColumn is judged against the old definition it carries', () => {
    const ef = (alter: string) => analyseEfCore(`public partial class X : Migration\n{\n    protected override void Up(MigrationBuilder migrationBuilder)\n    {\n        ${alter}\n    }\n\n    protected override void Down(MigrationBuilder migrationBuilder)\n    {\n        migrationBuilder.Sql("SELECT 1");\n    }\n}\n`).ops.map((o) => [o.kind, o.detail]);
    // The store types it carries are compared where the database is known (a longer varchar is a catalogue change on PostgreSQL).
    const widened = analyseEfCore(`public partial class X : Migration\n{\n    protected override void Up(MigrationBuilder migrationBuilder)\n    {\n        migrationBuilder.AlterColumn<string>(name: "Name", table: "Users", type: "character varying(200)", maxLength: 200, nullable: true, oldClrType: typeof(string), oldType: "character varying(100)", oldMaxLength: 100, oldNullable: true);\n    }\n}\n`).ops;
    expect(widened.map((o) => [o.kind, o.detail, o.oldType, o.newType])).toEqual([['change-type', 'alters column Users.Name', 'character varying(100)', 'character varying(200)']]);
    expect(ef('migrationBuilder.AlterColumn<string>(name: "Name", table: "Users", type: "text", nullable: true, defaultValue: "x", oldClrType: typeof(string), oldType: "text", oldNullable: true);')).toEqual([]);
    expect(ef('migrationBuilder.AlterColumn<string>(name: "Name", table: "Users", type: "text", nullable: false, defaultValue: "", oldClrType: typeof(string), oldType: "text", oldNullable: true);')).toEqual([['not-null', 'makes Users.Name NOT NULL (a default does not fill the rows that are NULL already)']]);
    expect(ef('migrationBuilder.AlterColumn<long>(name: "Id", table: "Users", nullable: false, oldClrType: typeof(int));')).toEqual([['change-type', 'alters column Users.Id from its old type to a new type']]);
    expect(ef('migrationBuilder.AlterColumn<string>(name: "Name", table: "Users");')).toEqual([['change-type', 'alters column Users.Name']]);
  });

  it('Django: an AlterField is judged against the field it replaces', () => {
    expect(djangoFieldChange('models.CharField(choices=[("a", "A")], max_length=20)', 'models.CharField(choices=[("a", "A"), ("b", "B")], max_length=32, help_text="x")')).toBeUndefined();
    expect(djangoFieldChange('models.CharField(max_length=40)', 'models.SlugField(max_length=40)')).toBeUndefined();
    expect(djangoFieldChange('models.CharField(max_length=40)', 'models.CharField(max_length=10)')).toEqual({ kind: 'change-type', why: 'shortens max_length from 40 to 10' });
    expect(djangoFieldChange('models.IntegerField()', 'models.BigIntegerField()')).toEqual({ kind: 'change-type', why: 'from IntegerField to BigIntegerField' });
    expect(djangoFieldChange('models.TextField(null=True)', 'models.TextField()')).toEqual({ kind: 'not-null', why: 'makes it NOT NULL' });
    expect(djangoFieldChange('models.DecimalField(decimal_places=2, max_digits=10)', 'models.DecimalField(decimal_places=2, max_digits=12)')).toEqual({ kind: 'change-type', why: 'changes the precision' });
    expect(djangoFieldChange('models.CharField(max_length=10)', 'models.CharField(max_length=10, db_column="ref")')?.kind).toBe('rename-column');
    expect(djangoFieldChange('models.CharField(max_length=10)', 'models.CharField(max_length=10, unique=True)')).toEqual({ kind: 'index', why: 'adds a unique index (unique=True)' });
    const defs = djangoFieldDefs('class Migration(migrations.Migration):\n    operations = [\n        migrations.CreateModel(name="Order", fields=[("id", models.BigAutoField(primary_key=True)), ("code", models.CharField(max_length=40))]),\n        migrations.RenameField(model_name="order", old_name="code", new_name="ref"),\n    ]\n');
    expect(defs.map((d) => [d.model, d.field, d.def])).toEqual([
      ['order', 'id', 'models.BigAutoField(primary_key=True)'],
      ['order', 'code', 'models.CharField(max_length=40)'],
      ['order', 'ref', 'renamed-from:code'],
    ]);
  });

  it('Django: adding a foreign key or an indexed field builds an index; a nullable plain field does not', () => {
    const dj = (op: string) => analyseDjango(`class Migration(migrations.Migration):\n    operations = [\n        ${op},\n    ]\n`).ops.map((o) => o.kind);
    expect(dj('migrations.AddField(model_name="order", name="customer", field=models.ForeignKey(null=True, on_delete=models.CASCADE, to="shop.customer"))')).toEqual(['index']);
    expect(dj('migrations.AddField(model_name="order", name="customer", field=models.ForeignKey(null=True, db_index=False, on_delete=models.CASCADE, to="shop.customer"))')).toEqual([]);
    expect(dj('migrations.AddField(model_name="order", name="ref", field=models.CharField(max_length=64, null=True, db_index=True))')).toEqual(['index']);
    expect(dj('migrations.AddField(model_name="order", name="note", field=models.TextField(null=True))')).toEqual([]);
    expect(dj('migrations.AddConstraint(model_name="order", constraint=models.UniqueConstraint(fields=("a", "b"), name="uniq_ab"))')).toEqual(['index']);
    expect(dj('migrations.AddConstraint(model_name="order", constraint=models.CheckConstraint(check=models.Q(a__gt=0), name="a_pos"))')).toEqual([]);
    expect(dj('migrations.AlterUniqueTogether(name="order", unique_together={("a", "b")})')).toEqual(['index']);
    expect(dj('migrations.AlterUniqueTogether(name="order", unique_together=set())')).toEqual([]);
  });

  it('Liquibase: formatted SQL without --rollback says so, and YAML changes keep their lines', () => {
    const sql = analyseLiquibase('db/changelog/005.sql', '--liquibase formatted sql\n\n--changeset ana:5\nALTER TABLE orders ADD COLUMN x int;\n--rollback ALTER TABLE orders DROP COLUMN x;\n\n--changeset ana:6\nCREATE INDEX ix ON orders (x);\n');
    expect([sql.reversible, sql.irreversibleReason, sql.irreversibleLine]).toEqual([false, 'changeSet ana:6 has changes Liquibase cannot roll back by itself (sql) and no rollback', 7]);
    const yaml = analyseLiquibase('db/changelog/003.yaml', 'databaseChangeLog:\n  - changeSet:\n      id: 1\n      author: ana\n      changes:\n        - dropColumn:\n            tableName: orders\n            columnName: a\n  - changeSet:\n      id: 2\n      author: ana\n      changes:\n        - dropColumn:\n            tableName: orders\n            columnName: b\n');
    expect(yaml.ops.map((o) => [o.column, o.line])).toEqual([['a', 6], ['b', 13]]);
  });
});
