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
  add('separated-migrations: 20,000 change_table blocks (block lookup per call)', { 'db/migrate/20260101000000_x.rb': rails('    change_table :a do |t|\n      t.remove :b\n    end\n'.repeat(20_000)) });
  add('separated-migrations: 20,000 Knex alterTable callbacks', { 'migrations/20260101_x.js': 'exports.up = async (knex) => {\n' + "  await knex.schema.alterTable('a', (t) => { t.dropColumn('b'); });\n".repeat(20_000) + '};\nexports.down = async () => {};\n' });
  add('separated-migrations: 20,000 Laravel Schema::table closures', { 'database/migrations/2026_01_01_000000_x.php': "<?php\nreturn new class extends Migration {\n public function up(): void {\n" + "  Schema::table('a', function (Blueprint $t) { $t->dropColumn('b'); });\n".repeat(20_000) + ' }\n public function down(): void {}\n};\n' });
  add('separated-migrations: 20,000 Ecto alter blocks', { 'priv/repo/migrations/20260101000000_x.exs': 'defmodule X do\n  use Ecto.Migration\n  def change do\n' + '    alter table(:a) do\n      remove :b\n    end\n'.repeat(20_000) + '  end\nend\n' });
  add('separated-migrations: 30,000 paren-less calls on one 1 MB line', { 'db/migrate/20260101000000_x.rb': rails('    ' + 'remove_column :a, :b; '.repeat(30_000)) });
  add('separated-migrations: 15,000 Knex calls on one line of an arrow body', { 'migrations/20260101_x.js': "exports.up = (knex) => knex.schema.alterTable('a', (t) => {" + "t.dropColumn('b');t.integer('c').notNullable();".repeat(15_000) + '});\nexports.down = () => {};\n' });
  const django: Record<string, string> = { 'app/migrations/0001_initial.py': 'from django.db import migrations, models\nclass Migration(migrations.Migration):\n    operations = [\n        migrations.CreateModel(name="A", fields=[\n' + Array.from({ length: 3_000 }, (_, k) => `            ("f${k}", models.CharField(max_length=20)),\n`).join('') + '        ]),\n    ]\n' };
  for (let n = 2; n < 12; n++) django[`app/migrations/${String(n).padStart(4, '0')}_x.py`] = 'from django.db import migrations, models\nclass Migration(migrations.Migration):\n    operations = [\n' + Array.from({ length: 1_000 }, (_, k) => `        migrations.AlterField(model_name="a", name="f${(k * 7 + n) % 3_000}", field=models.CharField(max_length=${20 + n})),\n`).join('') + '    ]\n';
  add('separated-migrations: 10,000 Django AlterFields looked up in 11 migrations (1 MB)', django);
  add('separated-migrations: 20,000 nested safety_assured blocks', { 'db/migrate/20260101000000_x.rb': rails(Array.from({ length: 20_000 }, (_, k) => ' '.repeat(4 + (k % 300)) + 'safety_assured do\n').join('') + '    drop_table :a') });
  add('separated-migrations: 30,000 change_table blocks on one line', { 'db/migrate/20260101000000_x.rb': rails('    ' + 'change_table :a do |t| t.remove :b end; '.repeat(30_000)) });
  return cases;
}
