import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalGitSource } from '../../crawler/sources/local-git.ts';
import { createRepo, daysBefore } from '../../fixtures/factory.ts';
import type { CheckOutcome, Finding, PullRequest, RepoSnapshot } from '../contract.ts';
import check from './index.ts';
import { ANCHOR, about, history, migrationRepos, part, run, type Files, type Step } from './testing.ts';

const { repos, withHistory, atHead } = migrationRepos('mig');
const at = (o: CheckOutcome, path: string): Finding[] => o.findings.filter((f) => f.path === path);

// ---------------------------------------------------------------------------------------------
// Building blocks

const railsCreate = (table: string) => `class Create${table} < ActiveRecord::Migration[7.1]\n  def change\n    create_table :${table.toLowerCase()} do |t|\n      t.string :name, null: false\n      t.timestamps\n    end\n  end\nend\n`;
const railsAdd = (table: string, column: string) => `class Add${column}To${table} < ActiveRecord::Migration[7.1]\n  def change\n    add_column :${table}, :${column}, :string\n  end\nend\n`;
const SCHEMA_RB = (v: string) => `ActiveRecord::Schema[7.1].define(version: ${v}) do\nend\n`;

function railsRepo(mixedAt: number[]): Step[] {
  const steps: Step[] = [
    [100, 'initial app with users', { Gemfile: 'source "https://rubygems.org"\ngem "rails", "~> 7.1"\ngem "pg"\n', 'app/models/user.rb': 'class User < ApplicationRecord\nend\n', 'db/migrate/20260101000000_create_users.rb': railsCreate('Users'), 'db/schema.rb': SCHEMA_RB('1') }],
  ];
  for (let k = 0; k < 6; k++) {
    const files: Files = { [`db/migrate/2026020${k}000000_add_c${k}_to_users.rb`]: railsAdd('users', `c${k}`), 'db/schema.rb': SCHEMA_RB(`${k + 2}`) };
    if (mixedAt.includes(k)) files[`app/controllers/c${k}_controller.rb`] = `class C${k}Controller < ApplicationController\nend\n`;
    steps.push([90 - k * 10, `add c${k} to users`, files]);
    steps.push([89 - k * 10, `use c${k}`, { [`app/views/users/c${k}.html.erb`]: `<%= @user.c${k} %>\n` }]);
  }
  return steps;
}

// ---------------------------------------------------------------------------------------------

describe('separation over recent history', () => {
  it('counts the changes that also changed application code, naming the commit and the files', async () => {
    const o = await withHistory(railsRepo([1, 4]));
    expect(part(o, 0)).toBe('Rails (Active Record)');
    expect(part(o, 1)).toBe('4/6 recent migration-bearing commits shipped apart from application code');
    const mixed = about(o, /shipped migration .* together with application code/);
    expect(mixed).toHaveLength(2);
    expect(mixed[0]!.message).toMatch(/^commit [0-9a-f]{7} "add c4 to users" shipped migration db\/migrate\/20260204000000_add_c4_to_users\.rb together with application code: app\/controllers\/c4_controller\.rb;/);
    expect(mixed[0]!.path).toBe('db/migrate/20260204000000_add_c4_to_users.rb');
    // db/schema.rb travels with every migration and is never called application code.
    expect(mixed.every((f) => !f.message.includes('schema.rb'))).toBe(true);
    // The first commit introduced db/migrate: not counted, and said so.
    expect(about(o, /introduced the migrations, so it is not counted/)).toHaveLength(1);
    expect(o.status).toBe('pass');
  });

  it('scores lower, never higher, as more of the recent changes are mixed', async () => {
    const scores: number[] = [];
    for (const mixed of [[], [0], [0, 2], [0, 2, 4], [0, 1, 2, 3, 4, 5]]) scores.push((await withHistory(railsRepo(mixed))).score!);
    for (let k = 1; k < scores.length; k++) expect(scores[k]!).toBeLessThan(scores[k - 1]!);
    expect(scores[0]).toBe(10);
  });

  it('judges only the most recent `window` changes', async () => {
    const o = await withHistory(railsRepo([0, 1]), { window: 3 });
    // c3, c4, c5 are the three most recent; the mixed c0 and c1 fall outside the window.
    expect(part(o, 1)).toBe('3/3 recent migration-bearing commits shipped apart from application code');
  });

  it('lets schema dumps, migration tests, lock files and Django models travel with the migration', async () => {
    const o = await withHistory([
      [60, 'ledger app', { 'ledger/__init__.py': '', 'ledger/views.py': 'x = 1\n', 'ledger/models.py': 'from django.db import models\n', 'ledger/migrations/__init__.py': '', 'ledger/migrations/0001_initial.py': DJANGO_INITIAL }],
      [50, 'add reference to entries', {
        'ledger/models.py': 'from django.db import models\n# reference\n',
        'ledger/migrations/0002_entry_reference.py': djangoMigration('migrations.AddField(model_name="entry", name="reference", field=models.CharField(max_length=64, null=True))'),
        'ledger/tests/test_migrations.py': 'def test_0002():\n    pass\n',
        'docs/schema.md': '# schema\n',
      }],
    ]);
    expect(part(o, 1)).toBe('1/1 recent migration-bearing commits shipped apart from application code');
  });

  it('does not count data backfills, rake tasks or jobs named after migrations', async () => {
    const o = await withHistory([
      [60, 'app', { 'app/models/user.rb': 'class User < ApplicationRecord\nend\n', 'db/migrate/20260101000000_create_users.rb': railsCreate('Users') }],
      [50, 'backfill job and rake task', { 'app/jobs/user_migration_job.rb': 'class UserMigrationJob\nend\n', 'lib/tasks/migrate_users.rake': 'task :migrate_users do\nend\n' }],
      [40, 'backfill names in a data migration', {
        'db/migrate/20260301000000_backfill_user_names.rb': 'class BackfillUserNames < ActiveRecord::Migration[7.1]\n  def up\n    User.where(name: nil).update_all(name: "unknown")\n  end\n\n  def down\n  end\nend\n',
        'app/models/user.rb': 'class User < ApplicationRecord\n  validates :name, presence: true\nend\n',
      }],
      [30, 'add email', { 'db/migrate/20260401000000_add_email_to_users.rb': railsAdd('users', 'email') }],
    ]);
    expect(part(o, 1)).toBe('1/1 recent migration-bearing commits shipped apart from application code');
    // The data migration's empty down is not a schema migration's problem.
    expect(about(o, /not reversible/)).toEqual([]);
  });

  it('prefers merged pull requests when the source has them', async () => {
    const steps = railsRepo([0, 1, 2]);
    const pullRequests: PullRequest[] = [
      { number: 12, title: 'Add c5 to users', body: '', state: 'merged', mergedAt: '2026-10-20T10:00:00Z', createdAt: '2026-10-19T10:00:00Z', author: 'ana', files: ['db/migrate/20260205000000_add_c5_to_users.rb', 'db/schema.rb'] },
      { number: 11, title: 'Use c4 everywhere', body: '', state: 'merged', mergedAt: '2026-10-10T10:00:00Z', createdAt: '2026-10-09T10:00:00Z', author: 'ana', files: ['db/migrate/20260204000000_add_c4_to_users.rb', 'app/models/user.rb', 'app/services/c4.rb', 'lib/c4.rb', 'app/views/c4.html.erb'] },
      { number: 13, title: 'Not merged', body: '', state: 'open', mergedAt: null, createdAt: '2026-10-21T10:00:00Z', author: 'bo', files: ['db/migrate/20261001000000_x.rb', 'app/models/x.rb'] },
      { number: 10, title: 'Docs', body: '', state: 'merged', mergedAt: '2026-10-01T10:00:00Z', createdAt: '2026-10-01T09:00:00Z', author: 'bo', files: ['README.md'] },
    ];
    const o = await withHistory(steps, {}, pullRequests);
    expect(part(o, 1)).toBe('1/2 recent migration-bearing pull requests shipped apart from application code');
    const mixed = about(o, /together with application code/);
    expect(mixed.map((f) => f.message)).toEqual([
      'pull request #11 "Use c4 everywhere" shipped migration db/migrate/20260204000000_add_c4_to_users.rb together with application code: app/services/c4.rb, lib/c4.rb, app/views/c4.html.erb; ship the migration first, in its own pull request',
    ]);
    // Without them, the same repository is judged on its commits.
    const commitsOnly = await withHistory(steps);
    expect(part(commitsOnly, 1)).toBe('3/6 recent migration-bearing commits shipped apart from application code');
  });

  it('says separation is not judged without history, scores the rest, and never passes', async () => {
    const o = await atHead({
      'go.mod': 'module x\n\nrequire github.com/jackc/pgx/v5 v5.7.1\n',
      'main.go': 'package main\n',
      'migrations/000001_init.up.sql': 'CREATE TABLE a (id BIGINT PRIMARY KEY);\n',
      'migrations/000001_init.down.sql': 'DROP TABLE a;\n',
      'migrations/000002_b.up.sql': 'ALTER TABLE a ADD COLUMN b TEXT;\n',
      'migrations/000002_b.down.sql': '-- nothing to do\n',
    });
    expect(part(o, 1)).toBe('separation not judged');
    expect(about(o, /^separation not judged: no commit history or pull requests were available/)).toHaveLength(1);
    expect(part(o, 2)).toBe('1/2 migrations reversible');
    // Reversibility 1/2 and safety 2/2 over the 3.5 points they are worth would pass: capped at warn.
    expect(o.score).toBe(7.4);
    expect(o.status).toBe('warn');
  });
});

// ---------------------------------------------------------------------------------------------

const djangoMigration = (operations: string, extra = '') => `from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("ledger", "0001_initial")]\n${extra}\n    operations = [\n        ${operations},\n    ]\n`;
const DJANGO_INITIAL = 'from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n    operations = [\n        migrations.CreateModel(name="Entry", fields=[("id", models.BigAutoField(primary_key=True))]),\n    ]\n';

const alembic = (upgrade: string, downgrade: string) => `"""x\n\nRevision ID: a1\nRevises: \n"""\nimport sqlalchemy as sa\nfrom alembic import op\n\nrevision = "a1"\ndown_revision = None\n\n\ndef upgrade() -> None:\n${upgrade}\n\n\ndef downgrade() -> None:\n${downgrade}\n`;

describe('reversibility and destructive operations, per framework', () => {
  const cases: { name: string; files: Files; framework: string; reversible: string; destructive: RegExp[]; irreversible?: RegExp }[] = [
    {
      name: 'Rails: remove_column in up, raising down',
      files: { 'db/migrate/20260101000000_remove_legacy.rb': 'class RemoveLegacy < ActiveRecord::Migration[7.1]\n  def up\n    remove_column :users, :legacy\n  end\n\n  def down\n    raise ActiveRecord::IrreversibleMigration\n  end\nend\n' },
      framework: 'Rails (Active Record)',
      reversible: '0/1 migrations reversible',
      destructive: [/^drops a column: removes column users\.legacy/],
      irreversible: /`down` raises/,
    },
    {
      name: 'Rails: reversible change with a not-null column and a blocking index',
      files: { Gemfile: 'gem "pg"\n', 'db/migrate/20260101000000_add_code.rb': 'class AddCode < ActiveRecord::Migration[7.1]\n  def change\n    add_column :users, :code, :string, null: false\n    add_index :users, :code\n  end\nend\n' },
      framework: 'Rails (Active Record)',
      reversible: '1/1 migrations reversible',
      destructive: [/^adds NOT NULL without a default: adds users\.code NOT NULL/, /^builds an index without CONCURRENTLY on an existing table: adds an index on users/],
    },
    {
      name: 'Django: RemoveField and RunSQL without reverse_sql',
      files: { 'ledger/migrations/0002_drop.py': djangoMigration('migrations.RemoveField(model_name="entry", name="legacy"),\n        migrations.RunSQL("UPDATE ledger_entry SET x = 1")') },
      framework: 'Django',
      reversible: '0/1 migrations reversible',
      destructive: [/^drops a column: RemoveField drops entry\.legacy/],
      irreversible: /RunSQL has no reverse_sql/,
    },
    {
      name: 'Django: a nullable field filled by RunPython without reverse_code',
      files: { 'ledger/migrations/0003_fill.py': djangoMigration('migrations.AddField(model_name="entry", name="memo", field=models.TextField(null=True)),\n        migrations.RunPython(fill_memos)') },
      framework: 'Django',
      reversible: '0/1 migrations reversible',
      destructive: [],
      irreversible: /^not reversible: RunPython has no reverse_code, so the migration cannot be unapplied$/,
    },
    {
      name: 'Alembic: drop_column with a pass downgrade',
      files: { 'alembic/versions/a1_drop.py': alembic('    op.drop_column("events", "payload")', '    pass') },
      framework: 'Alembic',
      reversible: '0/1 migrations reversible',
      destructive: [/^drops a column: drops column events\.payload/],
      irreversible: /downgrade\(\) is empty or only `pass`/,
    },
    {
      name: 'Prisma: SQL with a rename, no down migrations',
      files: { 'prisma/migrations/20260101000000_rename/migration.sql': 'ALTER TABLE "payments" RENAME COLUMN "ref" TO "reference";\n', 'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n' },
      framework: 'Prisma',
      reversible: 'reversibility not judged (the framework has no down migrations)',
      destructive: [/^renames a column: renames column payments\.ref to reference/],
    },
    {
      name: 'Prisma: a dropped column, as prisma migrate writes it',
      files: { 'prisma/migrations/20260102000000_drop_legacy/migration.sql': '/*\n  Warnings:\n\n  - You are about to drop the column `legacy` on the `User` table. All the data in the column will be lost.\n\n*/\n-- AlterTable\nALTER TABLE "User" DROP COLUMN "legacy";\n' },
      framework: 'Prisma',
      reversible: 'reversibility not judged (the framework has no down migrations)',
      destructive: [/^drops a column: drops column User\.legacy; stop using it in a deployed release first, then drop it in its own migration$/],
    },
    {
      name: 'Flyway: type change without an undo',
      files: { 'src/main/resources/db/migration/V2__widen.sql': 'ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);\n' },
      framework: 'Flyway',
      reversible: '0/1 migrations reversible',
      destructive: [/^changes a column type: changes the type of orders\.total/],
      irreversible: /no undo migration/,
    },
    {
      name: 'Flyway: with an undo migration',
      files: { 'db/migration/V3__add.sql': 'ALTER TABLE orders ADD COLUMN note text;\n', 'db/migration/U3__add.sql': 'ALTER TABLE orders DROP COLUMN note;\n' },
      framework: 'Flyway',
      reversible: '1/1 migrations reversible',
      destructive: [],
    },
    {
      name: 'Liquibase XML: dropColumn without rollback',
      files: { 'db/changelog/changes/001.xml': '<?xml version="1.0"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n  <changeSet id="1" author="ana">\n    <dropColumn tableName="orders" columnName="legacy"/>\n  </changeSet>\n</databaseChangeLog>\n' },
      framework: 'Liquibase',
      reversible: '0/1 migrations reversible',
      destructive: [/^drops a column: dropColumn orders\.legacy/],
      irreversible: /changeSet 1 has changes Liquibase cannot roll back by itself \(dropColumn\)/,
    },
    {
      name: 'Liquibase YAML: addColumn, rolled back automatically',
      files: { 'db/changelog/002.yaml': 'databaseChangeLog:\n  - changeSet:\n      id: 2\n      author: ana\n      changes:\n        - addColumn:\n            tableName: orders\n            columns:\n              - column:\n                  name: note\n                  type: text\n' },
      framework: 'Liquibase',
      reversible: '1/1 migrations reversible',
      destructive: [],
    },
    {
      name: 'Liquibase formatted SQL: rollback comments',
      files: { 'db/changelog/003.sql': '--liquibase formatted sql\n\n--changeset ana:3\nALTER TABLE orders DROP COLUMN legacy;\n--rollback ALTER TABLE orders ADD COLUMN legacy text;\n' },
      framework: 'Liquibase',
      reversible: '1/1 migrations reversible',
      destructive: [/^drops a column: drops column orders\.legacy/],
    },
    {
      name: 'golang-migrate: drops in the down file are a rollback, not a destructive change',
      files: { 'migrations/000001_init.up.sql': 'CREATE TABLE a (id bigint);\n', 'migrations/000001_init.down.sql': 'DROP TABLE a;\nDROP TABLE b;\n' },
      framework: 'golang-migrate',
      reversible: '1/1 migrations reversible',
      destructive: [],
    },
    {
      name: 'goose: empty Down section',
      files: { 'db/migrations/20260101_add.sql': '-- +goose Up\nALTER TABLE a DROP COLUMN b;\n\n-- +goose Down\n' },
      framework: 'goose',
      reversible: '0/1 migrations reversible',
      destructive: [/^drops a column: drops column a\.b/],
      irreversible: /down section has no statements/,
    },
    {
      name: 'dbmate: up and down',
      files: { 'db/migrations/20260101_add.sql': '-- migrate:up\nALTER TABLE a ADD COLUMN b text;\n\n-- migrate:down\nALTER TABLE a DROP COLUMN b;\n' },
      framework: 'dbmate',
      reversible: '1/1 migrations reversible',
      destructive: [],
    },
    {
      name: 'Knex: dropColumn in alterTable, empty down',
      files: { 'migrations/20260101_drop.js': "exports.up = function (knex) {\n  return knex.schema.alterTable('users', (table) => {\n    table.dropColumn('legacy');\n  });\n};\n\nexports.down = function () {};\n" },
      framework: 'Knex',
      reversible: '0/1 migrations reversible',
      destructive: [/^drops a column: drops column users\.legacy/],
      irreversible: /`down` is empty/,
    },
    {
      name: 'Sequelize: removeColumn with a real down',
      files: { 'migrations/20260101-drop.js': "module.exports = {\n  async up(queryInterface, Sequelize) {\n    await queryInterface.removeColumn('Users', 'legacy');\n  },\n  async down(queryInterface, Sequelize) {\n    await queryInterface.addColumn('Users', 'legacy', { type: Sequelize.STRING });\n  },\n};\n" },
      framework: 'Sequelize',
      reversible: '1/1 migrations reversible',
      destructive: [/^drops a column: drops column Users\.legacy/],
    },
    {
      name: 'TypeORM: SQL in a template literal',
      files: { 'src/migrations/1700000000000-Rename.ts': "import { MigrationInterface, QueryRunner } from 'typeorm';\n\nexport class Rename1700000000000 implements MigrationInterface {\n  public async up(queryRunner: QueryRunner): Promise<void> {\n    await queryRunner.query(`ALTER TABLE \"user\" RENAME COLUMN \"name\" TO \"fullName\"`);\n  }\n\n  public async down(queryRunner: QueryRunner): Promise<void> {\n    await queryRunner.query(`ALTER TABLE \"user\" RENAME COLUMN \"fullName\" TO \"name\"`);\n  }\n}\n" },
      framework: 'TypeORM',
      reversible: '1/1 migrations reversible',
      destructive: [/^renames a column: renames column user\.name to fullName/],
    },
    {
      name: 'Laravel: a NOT NULL column on an existing table',
      files: { 'database/migrations/2026_01_01_000000_add_code.php': "<?php\n\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Database\\Schema\\Blueprint;\nuse Illuminate\\Support\\Facades\\Schema;\n\nreturn new class extends Migration\n{\n    public function up(): void\n    {\n        Schema::table('users', function (Blueprint $table) {\n            $table->string('code');\n            $table->string('nickname')->nullable();\n        });\n    }\n\n    public function down(): void\n    {\n        Schema::table('users', function (Blueprint $table) {\n            $table->dropColumn(['code', 'nickname']);\n        });\n    }\n};\n" },
      framework: 'Laravel',
      reversible: '1/1 migrations reversible',
      destructive: [/^adds NOT NULL without a default: adds users\.code NOT NULL/],
    },
    {
      name: 'Laravel: dropColumn with an empty down()',
      files: { 'database/migrations/2026_01_02_000000_drop_legacy.php': "<?php\n\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Database\\Schema\\Blueprint;\nuse Illuminate\\Support\\Facades\\Schema;\n\nreturn new class extends Migration\n{\n    public function up(): void\n    {\n        Schema::table('users', function (Blueprint $table) {\n            $table->dropColumn('legacy');\n        });\n    }\n\n    public function down(): void\n    {\n        //\n    }\n};\n" },
      framework: 'Laravel',
      reversible: '0/1 migrations reversible',
      destructive: [/^drops a column: drops column users\.legacy/],
      irreversible: /`down\(\)` is empty/,
    },
    {
      name: 'Ecto: remove without a type in change',
      files: { 'priv/repo/migrations/20260101000000_drop.exs': 'defmodule Repo.Migrations.Drop do\n  use Ecto.Migration\n\n  def change do\n    alter table(:users) do\n      remove :legacy\n    end\n  end\nend\n' },
      framework: 'Ecto',
      reversible: '0/1 migrations reversible',
      destructive: [/^drops a column: removes column users\.legacy/],
      irreversible: /`remove` without a type in `change`/,
    },
    {
      name: 'EF Core: an empty Down',
      files: { 'Migrations/20260102000000_AddCode.cs': 'using Microsoft.EntityFrameworkCore.Migrations;\n\npublic partial class AddCode : Migration\n{\n    protected override void Up(MigrationBuilder migrationBuilder)\n    {\n        migrationBuilder.AddColumn<string>(\n            name: "Code",\n            table: "Users",\n            type: "text",\n            nullable: false,\n            defaultValue: "");\n    }\n\n    protected override void Down(MigrationBuilder migrationBuilder)\n    {\n\n    }\n}\n' },
      framework: 'Entity Framework Core',
      reversible: '0/1 migrations reversible',
      destructive: [],
      irreversible: /`Down\(\)` is empty/,
    },
    {
      name: 'EF Core: DropColumn with a Down',
      files: {
        'src/Data/Migrations/20260101000000_DropLegacy.cs': 'using Microsoft.EntityFrameworkCore.Migrations;\n\npublic partial class DropLegacy : Migration\n{\n    protected override void Up(MigrationBuilder migrationBuilder)\n    {\n        migrationBuilder.DropColumn(\n            name: "Legacy",\n            table: "Users");\n    }\n\n    protected override void Down(MigrationBuilder migrationBuilder)\n    {\n        migrationBuilder.AddColumn<string>(name: "Legacy", table: "Users", nullable: true);\n    }\n}\n',
        'src/Data/Migrations/20260101000000_DropLegacy.Designer.cs': '// generated\n',
        'src/Data/Migrations/AppDbContextModelSnapshot.cs': '// generated\n',
      },
      framework: 'Entity Framework Core',
      reversible: '1/1 migrations reversible',
      destructive: [/^drops a column: drops column Users\.Legacy/],
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const o = await atHead(c.files);
      expect(o.status, o.summary).not.toBe('not-applicable');
      expect(part(o, 0)).toBe(c.framework);
      expect(part(o, 2)).toBe(c.reversible);
      const destructive = o.findings.filter((f) => f.severity === 'medium' && /^(drops|renames|changes|adds NOT NULL|builds an index)/.test(f.message));
      expect(destructive.map((f) => f.message)).toHaveLength(c.destructive.length);
      c.destructive.forEach((re, k) => expect(destructive[k]!.message).toMatch(re));
      if (c.irreversible) expect(about(o, /^not reversible: /).some((f) => c.irreversible!.test(f.message))).toBe(true);
      expect(about(o, /could not/)).toEqual([]);
    });
  }

  it('a down body full of drops is a rollback (Rails, Alembic)', async () => {
    const o = await atHead({
      'db/migrate/20260101000000_create_things.rb': 'class CreateThings < ActiveRecord::Migration[7.1]\n  def up\n    create_table :things\n  end\n\n  def down\n    drop_table :things\n    remove_column :users, :thing_id\n  end\nend\n',
      'alembic/versions/b2_create.py': alembic('    op.create_table("t", sa.Column("id", sa.Integer))', '    op.drop_table("t")\n    op.drop_column("u", "t_id")'),
    });
    expect(part(o, 2)).toBe('2/2 migrations reversible');
    expect(part(o, 3)).toBe('no unguarded destructive operations');
    // Perfect, but without history separation is not judged: at most warn.
    expect(o.score).toBe(7.4);
  });

  it('indexes on new tables are fine; on existing tables only with CONCURRENTLY, and only on PostgreSQL', async () => {
    const files: Files = {
      'migrations/000001_a.up.sql': 'CREATE TABLE a (id bigint);\nCREATE INDEX a_id ON a (id);\n',
      'migrations/000001_a.down.sql': 'DROP TABLE a;\n',
      'migrations/000002_b.up.sql': 'CREATE INDEX CONCURRENTLY a_x ON a (x);\nCREATE UNIQUE INDEX a_y ON public.a (y);\n',
      'migrations/000002_b.down.sql': 'DROP INDEX a_x;\nDROP INDEX a_y;\n',
    };
    const pg = await atHead({ ...files, 'go.mod': 'module x\nrequire github.com/lib/pq v1.10.9\n' });
    expect(about(pg, /^builds an index/).map((f) => [f.path, f.line])).toEqual([['migrations/000002_b.up.sql', 2]]);
    expect(pg.summary).toContain('PostgreSQL (a PostgreSQL driver in go.mod)');
    // CONCURRENTLY is itself PostgreSQL syntax; without it and without a driver, the database is unknown.
    const plain: Files = { ...files, 'migrations/000002_b.up.sql': 'CREATE UNIQUE INDEX a_y ON a (y);\n' };
    const unknown = await atHead(plain);
    expect(about(unknown, /^builds an index/)).toEqual([]);
    expect(about(await atHead(files), /^builds an index/)).toHaveLength(1);
    const forced = await atHead(plain, { postgres: 'yes' });
    expect(about(forced, /^builds an index/)).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------

describe('guards and linters', () => {
  it('recognises safety_assured, ignored_columns, squawk-ignore and state-only Django operations', async () => {
    const o = await atHead({
      'app/models/user.rb': 'class User < ApplicationRecord\n  self.ignored_columns += ["legacy_code"]\nend\n',
      'db/migrate/20260101000000_remove_legacy_code.rb': 'class RemoveLegacyCode < ActiveRecord::Migration[7.1]\n  def change\n    remove_column :users, :legacy_code, :string\n  end\nend\n',
      'db/migrate/20260102000000_rename_email.rb': 'class RenameEmail < ActiveRecord::Migration[7.1]\n  def change\n    safety_assured { rename_column :users, :mail, :email }\n  end\nend\n',
      'db/migrate/20260103000000_drop_audits.rb': 'class DropAudits < ActiveRecord::Migration[7.1]\n  def change\n    safety_assured do\n      drop_table :audits do |t|\n        t.string :what\n      end\n    end\n  end\nend\n',
      'migrations/000001_drop.up.sql': '-- squawk-ignore ban-drop-column\nALTER TABLE a DROP COLUMN b;\n',
      'migrations/000001_drop.down.sql': 'ALTER TABLE a ADD COLUMN b text;\n',
      'shop/migrations/0002_state.py': djangoMigration('migrations.SeparateDatabaseAndState(state_operations=[migrations.RemoveField(model_name="order", name="legacy")], database_operations=[])'),
    });
    // The state-only RemoveField never touches the database, so it is not even an acknowledged drop.
    expect(part(o, 3)).toBe('no unguarded destructive operations (4 acknowledged)');
    const acknowledged = o.findings.filter((f) => f.severity === 'info' && /acknowledged by/.test(f.message)).map((f) => f.message.replace(/^.*acknowledged by /, ''));
    expect(acknowledged.sort()).toEqual(['a linter ignore comment (squawk-ignore, atlas:nolint)', 'ignored_columns on the model of users', 'safety_assured', 'safety_assured']);
  });

  it('gives linter credit for squawk in CI and strong_migrations in the Gemfile, not for a commented-out step', async () => {
    const migration = { 'migrations/000001_drop.up.sql': 'ALTER TABLE a DROP COLUMN b;\n', 'migrations/000001_drop.down.sql': 'ALTER TABLE a ADD COLUMN b text;\n' };
    const none = await atHead(migration);
    const squawk = await atHead({ ...migration, '.github/workflows/lint.yml': 'on: pull_request\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: npx squawk migrations/*.up.sql\n' });
    const commented = await atHead({ ...migration, '.github/workflows/lint.yml': 'on: pull_request\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      # - run: npx squawk migrations/*.up.sql\n      - run: make test\n' });
    const strong = await atHead({ ...migration, Gemfile: 'source "https://rubygems.org"\ngem "strong_migrations"\n' });
    expect(squawk.score).toBe(Math.min(10, none.score! + 2));
    expect(about(squawk, /^migration linter: squawk \(runs in CI, \.github\/workflows\/lint\.yml\)/)[0]).toMatchObject({ path: '.github/workflows/lint.yml', line: 7 });
    expect(commented.score).toBe(none.score);
    expect(about(none, /^no migration linter runs in CI/)).toHaveLength(1);
    expect(part(strong, 4)).toBe('linted by strong_migrations');
    expect((await atHead({ ...migration, '.github/workflows/lint.yml': 'jobs:\n  x:\n    steps:\n      - run: npx squawk x.sql\n' }, { linterCredit: 0 })).score).toBe(none.score);
  });
});

// ---------------------------------------------------------------------------------------------

describe('what is not a migration, and what cannot be read', () => {
  it('is not applicable without migrations, and ignores vendored, test and example migrations', async () => {
    const o = await atHead({
      'src/index.ts': 'export {};\n',
      'vendor/gems/foo/db/migrate/20200101000000_x.rb': railsCreate('Foos'),
      'spec/fixtures/migrations/000001_x.up.sql': 'DROP TABLE users;\n',
      'examples/prisma/migrations/1_init/migration.sql': 'DROP TABLE x;\n',
      'node_modules/knex/migrations/20200101_x.js': 'exports.up = (knex) => knex.schema.dropTable("x");\n',
      'app/migrations/not_a_migration.py': 'print("hello")\n',
    });
    expect(o.status).toBe('not-applicable');
  });

  it('lets the ignore list be extended and replaced', async () => {
    const files: Files = { 'legacy/db/migrate/20200101000000_x.rb': railsCreate('Foos') };
    expect((await atHead(files)).status).not.toBe('not-applicable');
    expect((await atHead(files, { alsoIgnore: ['legacy/**'] })).status).toBe('not-applicable');
    expect((await atHead({ 'examples/db/migrate/20200101000000_x.rb': railsCreate('Foos') }, { ignore: [] })).status).not.toBe('not-applicable');
  });

  it('reports SQL it cannot read, binary files and broken changelogs as findings, never crashes', async () => {
    const o = await atHead({
      'migrations/000001_a.up.sql': "ALTER TABLE a ADD COLUMN b text DEFAULT 'oops;\n",
      'migrations/000001_a.down.sql': 'ALTER TABLE a DROP COLUMN b;\n',
      'migrations/000002_b.up.sql': 'CREATE TABLE b (id int);\nfrobnicate the database;\n',
      'migrations/000002_b.down.sql': 'DROP TABLE b;\n',
      'migrations/000003_c.up.sql': new Uint8Array([0x00, 0x01, 0xff, 0xfe, 0x00, 0x42]),
      'migrations/000004_d.up.sql': 'CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body;\n',
      'db/changelog/broken.yaml': 'databaseChangeLog:\n  - changeSet: [unclosed\n',
      'db/changelog/broken.xml': '<databaseChangeLog>\n  <changeSet id="1" author="a">\n    <dropTable tableName="x"/>\n',
    });
    expect(o.status).not.toBe('error');
    const problems = o.findings.filter((f) => /^could not/.test(f.message)).map((f) => [f.path, f.line, f.message]);
    expect(problems).toEqual(
      expect.arrayContaining([
        ['migrations/000001_a.up.sql', 1, 'could not parse this SQL: a quoted string is never closed'],
        ['migrations/000002_b.up.sql', 2, 'could not parse this SQL: a statement starts with "frobnicate", which is not an SQL command'],
        ['migrations/000003_c.up.sql', undefined, 'could not read this migration (binary)'],
        ['migrations/000004_d.up.sql', 1, 'could not parse this SQL: a $body$ quoted body is never closed'],
      ]),
    );
    expect(at(o, 'db/changelog/broken.yaml').map((f) => f.message)).toEqual([expect.stringMatching(/^could not read this changelog: /)]);
    expect(at(o, 'db/changelog/broken.xml')).toMatchObject([{ line: 1, message: 'could not read this changelog: the <databaseChangeLog> element is never closed' }]);
  });

  it('does not count a migration it could not read to the end as safe', async () => {
    const unreadable = await atHead({ 'migrations/000001_a.up.sql': "ALTER TABLE a ADD COLUMN b text DEFAULT 'x;\n", 'migrations/000001_a.down.sql': 'ALTER TABLE a DROP COLUMN b;\n' });
    expect(part(unreadable, 3)).toBe('destructive operations not judged (no migration could be read)');
    expect(unreadable.score).toBe(7.4); // reversibility alone, capped at warn: separation not judged
    // What comes before the error is still read.
    const dropFirst = await atHead({ 'migrations/000001_a.up.sql': "ALTER TABLE a DROP COLUMN c;\nALTER TABLE a ADD COLUMN b text DEFAULT 'x;\n", 'migrations/000001_a.down.sql': 'ALTER TABLE a ADD COLUMN c text;\n' });
    expect(part(dropFirst, 3)).toBe('1/1 migrations with unguarded destructive operations');
    expect(about(dropFirst, /^drops a column/)[0]).toMatchObject({ path: 'migrations/000001_a.up.sql', line: 1 });
  });

  it('reports a changelog the YAML parser rejects', async () => {
    const o = await atHead({ 'db/changelog/001.yaml': 'databaseChangeLog:\n  - changeSet:\n      id: 1\n      changes: [ {dropTable: {tableName: x} \n' });
    expect(about(o, /^could not read this changelog/)[0]).toMatchObject({ path: 'db/changelog/001.yaml', line: 1 });
  });
});

// ---------------------------------------------------------------------------------------------

describe('properties', () => {
  it('making a separated change mixed never raises the score (real repositories)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.subarray([0, 1, 2, 3, 4, 5]), fc.integer({ min: 0, max: 5 }), async (mixed, extra) => {
        fc.pre(!mixed.includes(extra));
        const before = await withHistory(railsRepo(mixed));
        const after = await withHistory(railsRepo([...mixed, extra]));
        expect(after.score!).toBeLessThanOrEqual(before.score!);
        expect(after.score!).toBeGreaterThanOrEqual(0);
        expect(before.score!).toBeLessThanOrEqual(10);
      }),
      { numRuns: 8 },
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('separation, as history really looks', () => {
  const base: Step = [100, 'service with its first table', {
    'go.mod': 'module x\n\nrequire github.com/jackc/pgx/v5 v5.7.1\n',
    'main.go': 'package main\n',
    'migrations/000001_init.up.sql': 'CREATE TABLE accounts (id BIGSERIAL PRIMARY KEY);\n',
    'migrations/000001_init.down.sql': 'DROP TABLE accounts;\n',
  }];

  it('does not count moving migrations (git mv) as a migration change, nor as introducing a directory', async () => {
    const o = await withHistory([
      base,
      [90, 'add email', { 'migrations/000002_email.up.sql': 'ALTER TABLE accounts ADD COLUMN email text;\n', 'migrations/000002_email.down.sql': 'ALTER TABLE accounts DROP COLUMN email;\n' }],
      [80, 'move migrations under db/', {
        'migrations/000001_init.up.sql': null, 'migrations/000001_init.down.sql': null, 'migrations/000002_email.up.sql': null, 'migrations/000002_email.down.sql': null,
        'db/migrations/000001_init.up.sql': 'CREATE TABLE accounts (id BIGSERIAL PRIMARY KEY);\n', 'db/migrations/000001_init.down.sql': 'DROP TABLE accounts;\n',
        'db/migrations/000002_email.up.sql': 'ALTER TABLE accounts ADD COLUMN email text;\n', 'db/migrations/000002_email.down.sql': 'ALTER TABLE accounts DROP COLUMN email;\n',
        'main.go': 'package main\n\n// migrations live in db/migrations\n',
      }],
      [70, 'add name, with the handler that shows it', { 'db/migrations/000003_name.up.sql': 'ALTER TABLE accounts ADD COLUMN name text;\n', 'db/migrations/000003_name.down.sql': 'ALTER TABLE accounts DROP COLUMN name;\n', 'handlers.go': 'package main\n' }],
    ]);
    // The move touched main.go too: counted, it would have been a mixed change.
    expect(part(o, 1)).toBe('1/2 recent migration-bearing commits shipped apart from application code');
    expect(about(o, /together with application code/).map((f) => f.message)).toEqual([expect.stringMatching(/^commit [0-9a-f]{7} "add name, with the handler that shows it" shipped migration db\/migrations\/000003_name\.up\.sql together with application code: handlers\.go;/)]);
    // db/migrations/ came from migrations/, introduced by the first commit; the move introduced nothing.
    expect(about(o, /introduced the migrations/).map((f) => f.message)).toEqual([expect.stringMatching(/"service with its first table" introduced the migrations/)]);
  });

  it('does not count a revert that deletes a migration and its code', async () => {
    const o = await withHistory([
      base,
      [90, 'add email', { 'migrations/000002_email.up.sql': 'ALTER TABLE accounts ADD COLUMN email text;\n', 'migrations/000002_email.down.sql': 'ALTER TABLE accounts DROP COLUMN email;\n' }],
      [80, 'Revert "add email"', { 'migrations/000002_email.up.sql': null, 'migrations/000002_email.down.sql': null, 'main.go': 'package main\n\n// reverted\n' }],
    ]);
    expect(part(o, 1)).toBe('1/1 recent migration-bearing commits shipped apart from application code');
  });

  it('lets a dump (dbmate db/schema.sql) and the tool configuration travel with the migration', async () => {
    const o = await withHistory([
      [100, 'dbmate', { 'package.json': '{"dependencies":{"pg":"8.11.0"}}\n', 'src/index.ts': 'export {};\n', 'db/migrations/20260101000000_init.sql': '-- migrate:up\nCREATE TABLE a (id int);\n\n-- migrate:down\nDROP TABLE a;\n', 'db/schema.sql': 'CREATE TABLE a (id int);\n' }],
      [90, 'add b', { 'db/migrations/20260201000000_b.sql': '-- migrate:up\nALTER TABLE a ADD COLUMN b int;\n\n-- migrate:down\nALTER TABLE a DROP COLUMN b;\n', 'db/schema.sql': 'CREATE TABLE a (id int, b int);\n', 'knexfile.js': 'module.exports = {};\n' }],
    ]);
    expect(part(o, 1)).toBe('1/1 recent migration-bearing commits shipped apart from application code');
  });

  it('does not flag an index on a table created by another migration of the same change', async () => {
    const create = (table: string) => `class Create${table} < ActiveRecord::Migration[7.1]\n  def change\n    create_table :${table.toLowerCase()} do |t|\n      t.string :title\n    end\n  end\nend\n`;
    const index = (table: string) => `class Index${table} < ActiveRecord::Migration[7.1]\n  def change\n    add_index :${table}, :title\n  end\nend\n`;
    const o = await withHistory([
      [100, 'app', { Gemfile: 'gem "pg"\n', 'app/models/user.rb': 'class User < ApplicationRecord\nend\n', 'db/migrate/20260101000000_create_users.rb': create('Users') }],
      [90, 'posts', { 'db/migrate/20260201000000_create_posts.rb': create('Posts'), 'db/migrate/20260201000001_index_posts.rb': index('posts'), 'db/schema.rb': '' }],
      [80, 'index users', { 'db/migrate/20260301000000_index_users.rb': index('users'), 'db/schema.rb': '# 2\n' }],
    ]);
    expect(about(o, /^builds an index/).map((f) => [f.path, f.line])).toEqual([['db/migrate/20260301000000_index_users.rb', 3]]);
  });

  it('points an empty down file out where it must be written', async () => {
    const o = await atHead({ 'migrations/000001_a.up.sql': 'ALTER TABLE a ADD COLUMN b int;\n', 'migrations/000001_a.down.sql': '-- TODO\n' });
    expect(about(o, /^not reversible/)).toEqual([{ rule: 'irreversible-migration', severity: 'medium', path: 'migrations/000001_a.down.sql', line: 1, message: 'not reversible: the down migration has no statements (only comments or nothing) (for migrations/000001_a.up.sql)' }]);
  });

  it('is not applicable when the only migrations move data', async () => {
    const o = await atHead({ 'shop/migrations/0001_backfill.py': 'from django.db import migrations\n\n\ndef forwards(apps, schema_editor):\n    pass\n\n\nclass Migration(migrations.Migration):\n    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]\n' });
    expect(o.status).toBe('not-applicable');
    expect(o.summary).toMatch(/only move data/);
  });

  it('judges a Django AlterField against the field it replaces, in the earlier migrations', async () => {
    const migration = (name: string, ops: string) => ({ [`shop/migrations/${name}.py`]: `from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    operations = [\n${ops}\n    ]\n` });
    const o = await atHead({
      'requirements.txt': 'psycopg2-binary==2.9.9\n',
      ...migration('0001_initial', '        migrations.CreateModel(\n            name="Order",\n            fields=[\n                ("id", models.BigAutoField(primary_key=True)),\n                ("status", models.CharField(choices=[("new", "New")], max_length=20)),\n                ("code", models.CharField(max_length=40)),\n            ],\n        ),'),
      ...migration('0002_status_choices', '        migrations.AlterField(\n            model_name="order",\n            name="status",\n            field=models.CharField(choices=[("new", "New"), ("paid", "Paid")], max_length=32),\n        ),'),
      ...migration('0003_rename_code', '        migrations.RenameField(model_name="order", old_name="code", new_name="ref"),\n        migrations.AlterField(model_name="order", name="ref", field=models.CharField(max_length=10)),'),
    });
    expect(o.findings.filter((f) => f.severity === 'medium').map((f) => [f.path, f.line, f.message.split(';')[0]])).toEqual([
      ['shop/migrations/0003_rename_code.py', 6, 'renames a column: RenameField renames order.code'],
      ['shop/migrations/0003_rename_code.py', 7, 'changes a column type: AlterField on order.ref shortens max_length from 40 to 10'],
    ]);
  });

  it('says which pull requests it read when none touched a migration and there are no commits', async () => {
    const real = await repos.snapshot(check.meta.reads, { 'migrations/000001_a.up.sql': 'CREATE TABLE a (id int);\n', 'migrations/000001_a.down.sql': 'DROP TABLE a;\n' });
    const snapshot: RepoSnapshot = { ...real, pullRequests: [{ number: 4, title: 'Docs', body: '', state: 'merged', mergedAt: '2026-10-01T00:00:00Z', createdAt: '2026-09-30T00:00:00Z', author: 'ana', files: ['README.md'] }] };
    expect(about(run(snapshot), /^separation not judged/)[0]!.message).toMatch(/^separation not judged: no merged pull request touched a migration \(1 read\), and there is no commit history;/);
  });

  it('judges a merge commit as the whole merged branch, not the branch commits one by one', async () => {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'sw-mig-merge-'));
    try {
      const dir = createRepo(parent, {
        name: 'merged',
        commits: history([base, [90, 'readme', { 'README.md': '# x\n' }]]),
        branches: { feature: history([[80, 'migration only', { 'migrations/000002_email.up.sql': 'ALTER TABLE accounts ADD COLUMN email text;\n', 'migrations/000002_email.down.sql': 'ALTER TABLE accounts DROP COLUMN email;\n' }], [79, 'use it', { 'email.go': 'package main\n' }]]) },
      });
      const env = { ...process.env, GIT_AUTHOR_NAME: 'a', GIT_AUTHOR_EMAIL: 'a@x.invalid', GIT_COMMITTER_NAME: 'a', GIT_COMMITTER_EMAIL: 'a@x.invalid', GIT_AUTHOR_DATE: daysBefore(ANCHOR, 70), GIT_COMMITTER_DATE: daysBefore(ANCHOR, 70) };
      const merge = spawnSync('git', ['merge', '--no-ff', '-q', '-m', 'Merge pull request #7 from feature', 'feature'], { cwd: dir, env });
      expect(merge.status, merge.stderr.toString()).toBe(0);
      const source = new LocalGitSource({ paths: ['merged'], baseDir: parent, owner: 'acme' });
      const [ref] = await source.list();
      const o = run(await source.snapshot(ref!, { readPatterns: check.meta.reads, history: true, maxFileBytes: 1_048_576, historyLimit: 1000 }));
      expect(part(o, 1)).toBe('0/1 recent migration-bearing commits shipped apart from application code');
      expect(about(o, /together with application code/)[0]!.message).toMatch(/^commit [0-9a-f]{7} "Merge pull request #7 from feature" shipped migration migrations\/000002_email\.up\.sql together with application code: email\.go;/);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe('hostile files', () => {
  it('reads SQL with invalid UTF-8, reports a file over the size limit, and never stops the check', async () => {
    const invalid = new Uint8Array([...Buffer.from('-- caf'), 0xe9, 0xff, ...Buffer.from('\nDROP TABLE legacy;\n')]);
    const big = 'ALTER TABLE a ADD COLUMN b int;\n'.repeat(400);
    const snapshot = await repos.snapshot(check.meta.reads, {
      'migrations/000001_a.up.sql': invalid,
      'migrations/000001_a.down.sql': 'CREATE TABLE legacy (id int);\n',
      'migrations/000002_b.up.sql': big,
      'migrations/000002_b.down.sql': 'ALTER TABLE a DROP COLUMN b;\n',
      'alembic/versions/a1_big.py': `down_revision = None\n${'# padding\n'.repeat(2000)}`,
    }, { maxFileBytes: 8_000 });
    const o = run(snapshot);
    expect(o.status).not.toBe('error');
    expect(about(o, /^drops a table/)[0]).toMatchObject({ path: 'migrations/000001_a.up.sql', line: 2 });
    expect(at(o, 'migrations/000002_b.up.sql')).toEqual([expect.objectContaining({ rule: 'unreadable-file', severity: 'low', message: expect.stringMatching(/^could not read this migration \(too-large/) })]);
    expect(at(o, 'alembic/versions/a1_big.py')).toEqual([expect.objectContaining({ rule: 'unreadable-file', severity: 'info', message: expect.stringMatching(/^could not read this file \(too-large.*\) to tell whether it is a migration \(Alembic\), so it was not judged$/) })]);
  });
});

describe('PostgreSQL in a monorepo', () => {
  it("takes the driver from the manifest of the service that owns the migrations, not from another service's", async () => {
    const migrations = { 'services/ledger/migrations/000001_a.up.sql': 'CREATE TABLE a (id int);\n', 'services/ledger/migrations/000001_a.down.sql': 'DROP TABLE a;\n', 'services/ledger/migrations/000002_b.up.sql': 'CREATE INDEX a_id ON a (id);\n', 'services/ledger/migrations/000002_b.down.sql': 'DROP INDEX a_id;\n' };
    const own = await atHead({ ...migrations, 'services/ledger/go.mod': 'module ledger\n\nrequire github.com/jackc/pgx/v5 v5.7.1\n' });
    expect(own.summary).toContain('PostgreSQL (a PostgreSQL driver in go.mod, services/ledger/go.mod)');
    expect(about(own, /^builds an index/).map((f) => [f.path, f.line])).toEqual([['services/ledger/migrations/000002_b.up.sql', 1]]);
    const other = await atHead({ ...migrations, 'services/ledger/go.mod': 'module ledger\n\nrequire github.com/go-sql-driver/mysql v1.8.1\n', 'services/web/package.json': '{"dependencies":{"pg":"8.11.0"}}\n' });
    expect(about(other, /^builds an index/)).toEqual([]);
  });
});
