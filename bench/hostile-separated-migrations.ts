// Hostile inputs for the separated-migrations check, each about the size the crawler reads at most
// (crawl.maxFileBytes, 1 MB): sizes that would show quadratic scanning (unclosed calls, unbalanced
// brackets, endless heredocs, unclosed XML tags). bench/hostile-inputs.ts times them.
import type { HostileCase } from './hostile-cost-tags.ts';

export function separatedMigrationsCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  const add = (name: string, files: Record<string, string>) => cases.push({ name, files });
  const rails = (body: string) => `class X < ActiveRecord::Migration[7.1]\n  def up\n${body}\n  end\n\n  def down\n  end\nend\n`;

  add('separated-migrations: 20,000 destructive SQL statements (1 MB)', { 'migrations/000001_x.up.sql': 'ALTER TABLE a DROP COLUMN b, ADD COLUMN c int NOT NULL;\n'.repeat(20_000) });
  add('separated-migrations: unterminated dollar quote over 1 MB', { 'migrations/000001_x.up.sql': 'DO $$ BEGIN ' + 'x'.repeat(1_000_000) });
  add('separated-migrations: 30,000 unclosed remove_column( calls', { 'db/migrate/20260101000000_x.rb': rails('    remove_column(:a, :b\n'.repeat(30_000)) });
  add('separated-migrations: 30,000 paren-less calls with unbalanced brackets', { 'db/migrate/20260101000000_x.rb': rails('    add_column :a, :b, [\n'.repeat(30_000)) });
  add('separated-migrations: 30,000 unclosed dropColumn( in a Knex migration', { 'migrations/20260101_x.js': "exports.up = (knex) => knex.schema.alterTable('a', (t) => {\n" + "  t.dropColumn('b'\n".repeat(30_000) });
  add('separated-migrations: 70,000-line heredoc without terminator', { 'db/migrate/20260101000000_x.rb': rails('    execute <<~SQL\n' + 'DROP TABLE a;\n'.repeat(70_000)) });
  add('separated-migrations: 100,000 unclosed XML tags in a changelog', { 'db/changelog/x.xml': '<databaseChangeLog><changeSet id="1" author="a">' + '<dropTable tableName="a">'.repeat(100_000) + '</changeSet></databaseChangeLog>' });
  add('separated-migrations: 20,000 nested Python defs', { 'alembic/versions/a1_x.py': 'down_revision = None\n' + Array.from({ length: 20_000 }, (_, k) => ' '.repeat(k % 200) + 'def upgrade():\n').join('') });
  add('separated-migrations: 5,000 Django operations', { 'app/migrations/0001_x.py': 'from django.db import migrations\n\nclass Migration(migrations.Migration):\n    operations = [\n' + '        migrations.RemoveField(model_name="a", name="b"),\n'.repeat(5_000) + '    ]\n' });
  return cases;
}
