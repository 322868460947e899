import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyseAlembic, analyseDjango, analyseEcto, analyseEfCore, analyseJs, analyseLaravel, analyseRails } from './dsl.ts';
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

describe('score', () => {
  const counts = fc.integer({ min: 0, max: 40 });
  const input = fc.record<ScoreInput>({ separated: counts, mixed: counts, reversible: counts, irreversible: counts, safe: counts, unsafe: counts, linter: fc.boolean() });
  const credit = fc.double({ min: 0, max: 10, noNaN: true });

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
    expect(scoreOf({ separated: 0, mixed: 0, reversible: 3, irreversible: 1, safe: 4, unsafe: 0, linter: false }, 1)).toBe(8.8);
    expect(scoreOf({ separated: 3, mixed: 1, reversible: 0, irreversible: 0, safe: 4, unsafe: 0, linter: false }, 1)).toBe(8.3);
    expect(scoreOf({ separated: 0, mixed: 0, reversible: 0, irreversible: 0, safe: 0, unsafe: 0, linter: true }, 1)).toBeNull();
    expect(scoreOf({ separated: 1, mixed: 1, reversible: 1, irreversible: 1, safe: 1, unsafe: 1, linter: true }, 1)).toBe(6);
  });
});
