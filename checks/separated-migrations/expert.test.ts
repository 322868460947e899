// What an expert judges that the first version of the check got wrong, one class of mistake per
// block, each on a generated repository.
import { describe, expect, it } from 'vitest';
import { analyseEcto, analyseJs } from './dsl.ts';
import { about, migrationRepos, part, type Files, type Step } from './testing.ts';

const { withHistory, atHead } = migrationRepos('mig-expert');

const ecto = (name: string, body: string) => `defmodule Repo.Migrations.${name} do\n  use Ecto.Migration\n\n${body}\nend\n`;

// ---------------------------------------------------------------------------------------------

describe('parsing: what each statement really does to the database', () => {
  it('Ecto: a one-line `def down, do: …` is a way back, not an empty down', () => {
    const a = analyseEcto(ecto('UpgradeJobs', '  def up, do: Jobs.Migration.up(version: 14)\n  def down, do: Jobs.Migration.down(version: 12)\n'));
    expect(a.reversible).toBe(true);
    const empty = analyseEcto(ecto('Nothing', '  def up, do: execute("CREATE EXTENSION citext")\n  def down, do: nil\n'));
    expect(empty.reversible).toBe(true);
    const missing = analyseEcto(ecto('NoDown', '  def up, do: execute("CREATE EXTENSION citext")\n'));
    expect(missing.irreversibleReason).toBe('`up` has no `down`');
  });

  it('Ecto: `modify …, from:` with the same type changes nullability or a default, not the type', async () => {
    const o = await atHead({
      'mix.exs': 'defp deps do\n  [{:postgrex, ">= 0.0.0"}]\nend\n',
      'priv/repo/migrations/20260101000000_create_tournaments.exs': ecto('CreateTournaments', '  def change do\n    create table(:tournaments) do\n      add :creator_id, references(:users), null: false\n      add :name, :string, size: 40\n      add :score, :integer\n    end\n  end'),
      'priv/repo/migrations/20260201000000_creator_nullable.exs': ecto('CreatorNullable', '  def change do\n    alter table(:tournaments) do\n      modify :creator_id, references(:users), null: true, from: {references(:users), null: false}\n    end\n  end'),
      'priv/repo/migrations/20260301000000_default_score.exs': ecto('DefaultScore', '  def change do\n    alter table(:tournaments) do\n      modify :score, :integer, default: 0, from: :integer\n    end\n  end'),
      'priv/repo/migrations/20260401000000_bigger_score.exs': ecto('BiggerScore', '  def change do\n    alter table(:tournaments) do\n      modify :score, :bigint, from: :integer\n    end\n  end'),
      'priv/repo/migrations/20260501000000_longer_name.exs': ecto('LongerName', '  def up do\n    alter table(:tournaments) do\n      modify :name, :string, size: 200\n    end\n  end\n\n  def down do\n    alter table(:tournaments) do\n      modify :name, :string, size: 40\n    end\n  end'),
    });
    const typeChanges = o.findings.filter((f) => f.rule === 'column-type-changed');
    expect(typeChanges.filter((f) => f.severity !== 'info').map((f) => [f.path, f.message.split(';')[0]])).toEqual([['priv/repo/migrations/20260401000000_bigger_score.exs', 'changes a column type: modifies tournaments.score from integer to bigint']]);
    // The longer varchar, compared with the column's definition two migrations back, is listed for information only.
    expect(typeChanges.filter((f) => f.severity === 'info').map((f) => f.path)).toEqual(['priv/repo/migrations/20260501000000_longer_name.exs']);
    expect(part(o, 2)).toBe('5/5 migrations reversible');
  });

  it('widening a varchar (or varchar to text) is metadata-only on PostgreSQL: at most info; narrowing is a type change', async () => {
    const o = await atHead({
      'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
      'prisma/migrations/20260101000000_init/migration.sql': 'CREATE TABLE "report" (\n  "id" SERIAL NOT NULL,\n  "type" VARCHAR(20) NOT NULL,\n  "note" VARCHAR(100),\n  "code" VARCHAR(64)\n);\n',
      'prisma/migrations/20260201000000_longer/migration.sql': 'ALTER TABLE "report" ALTER COLUMN "type" SET DATA TYPE VARCHAR(50);\nALTER TABLE "report" ALTER COLUMN "note" TYPE TEXT;\n',
      'prisma/migrations/20260301000000_shorter/migration.sql': 'ALTER TABLE "report" ALTER COLUMN "code" SET DATA TYPE VARCHAR(8);\n',
    });
    const typeChanges = o.findings.filter((f) => f.rule === 'column-type-changed');
    expect(typeChanges.filter((f) => f.severity === 'info').map((f) => [f.line, f.message.split(':')[0]])).toEqual([
      [1, 'changes a column type report.type from varchar(20) to varchar(50)'],
      [2, 'changes a column type report.note from varchar(100) to text'],
    ]);
    expect(typeChanges.filter((f) => f.severity !== 'info').map((f) => f.message.split(';')[0])).toEqual(['changes a column type: changes the type of report.code from varchar(64) to varchar(8)']);
    expect(part(o, 3)).toBe('1/3 migrations with unguarded destructive operations');
  });

  it('Sequelize: a longer STRING in changeColumn is a widening of the column createTable defined', async () => {
    const o = await atHead({
      'package.json': '{"dependencies":{"pg":"8.11.0","sequelize":"6.0.0"}}\n',
      'server/migrations/20260101000000-create-hooks.js': "module.exports = {\n  async up(queryInterface, Sequelize) {\n    await queryInterface.createTable('hooks', {\n      id: { type: Sequelize.UUID, primaryKey: true },\n      url: { type: Sequelize.STRING, allowNull: false },\n    });\n  },\n  async down(queryInterface) {\n    await queryInterface.dropTable('hooks');\n  },\n};\n",
      'server/migrations/20260201000000-longer-url.js': "module.exports = {\n  async up(queryInterface, Sequelize) {\n    await queryInterface.changeColumn('hooks', 'url', { type: Sequelize.STRING(1024), allowNull: false });\n  },\n  async down(queryInterface, Sequelize) {\n    await queryInterface.changeColumn('hooks', 'url', { type: Sequelize.STRING, allowNull: false });\n  },\n};\n",
    });
    expect(o.findings.filter((f) => f.rule === 'column-type-changed').map((f) => [f.severity, f.message.split(':')[0]])).toEqual([['info', 'changes a column type hooks.url from varchar(255) to varchar(1024)']]);
  });

  it('EF Core: a longer varchar written with its old store type is at most info on PostgreSQL', async () => {
    const alter = (type: string, oldType: string) => `using Microsoft.EntityFrameworkCore.Migrations;\n\npublic partial class Widen : Migration\n{\n    protected override void Up(MigrationBuilder migrationBuilder)\n    {\n        migrationBuilder.AlterColumn<string>(name: "Name", table: "Users", type: "${type}", nullable: true, oldClrType: typeof(string), oldType: "${oldType}", oldNullable: true);\n    }\n\n    protected override void Down(MigrationBuilder migrationBuilder)\n    {\n        migrationBuilder.Sql("SELECT 1");\n    }\n}\n`;
    const o = await atHead({
      'src/Data/Data.csproj': '<Project><ItemGroup><PackageReference Include="Npgsql.EntityFrameworkCore.PostgreSQL" Version="8.0.0" /></ItemGroup></Project>\n',
      'src/Data/Migrations/20260101000000_Widen.cs': alter('character varying(200)', 'character varying(100)'),
      'src/Data/Migrations/20260201000000_Uuid.cs': alter('uuid', 'text'),
    });
    expect(o.findings.filter((f) => f.rule === 'column-type-changed').map((f) => [f.path?.split('/').pop(), f.severity])).toEqual([
      ['20260201000000_Uuid.cs', 'medium'],
      ['20260101000000_Widen.cs', 'info'],
    ]);
  });

  it('an index built in a ClickHouse or MySQL folder is not held to PostgreSQL rules, whatever driver the service has', async () => {
    const o = await atHead({
      'go.mod': 'module x\n\nrequire github.com/jackc/pgx/v5 v5.7.1\n',
      'migrations/postgres/000001_a.up.sql': 'CREATE TABLE a (id int);\n',
      'migrations/postgres/000001_a.down.sql': 'DROP TABLE a;\n',
      'migrations/postgres/000002_b.up.sql': 'CREATE INDEX a_id ON a (id);\n',
      'migrations/postgres/000002_b.down.sql': 'DROP INDEX a_id;\n',
      'migrations/clickhouse/000002_c.up.sql': 'CREATE INDEX events_kind ON events (kind) TYPE set(100) GRANULARITY 4;\n',
      'migrations/clickhouse/000002_c.down.sql': 'DROP INDEX events_kind ON events;\n',
      'db/mysql-migrations/000003_d.up.sql': 'CREATE INDEX users_email ON users (email);\n',
      'db/mysql-migrations/000003_d.down.sql': 'DROP INDEX users_email ON users;\n',
    });
    expect(about(o, /^builds an index/).map((f) => f.path)).toEqual(['migrations/postgres/000002_b.up.sql']);
  });

  it('a down section that only SELECTs a message is no way back', async () => {
    const o = await atHead({ 'migrations/20260101000000_uuid.sql': "-- +goose Up\nALTER TABLE stats RENAME COLUMN user_id TO user_uuid;\n\n-- +goose Down\nSELECT 'not reversible';\n" });
    expect(about(o, /^not reversible/).map((f) => f.message)).toEqual(['not reversible: the down section only runs SELECT (a message, not a way back)']);
  });

  it('Knex: `exports.up = knex => …` (an arrow without parentheses) is read', () => {
    const a = analyseJs("exports.up = knex =>\n  knex.schema.alterTable('reports', table => {\n    table.dropColumn('legacy')\n  })\n\nexports.down = knex =>\n  knex.schema.alterTable('reports', table => {\n    table.string('legacy')\n  })\n", 'knex');
    expect(a.problems).toEqual([]);
    expect(a.reversible).toBe(true);
    expect(a.ops.map((op) => [op.kind, op.table, op.column])).toEqual([['drop-column', 'reports', 'legacy']]);
  });
});

// ---------------------------------------------------------------------------------------------

const DROP = { 'migrations/000001_drop.up.sql': 'ALTER TABLE a DROP COLUMN b;\n', 'migrations/000001_drop.down.sql': 'ALTER TABLE a ADD COLUMN b text;\n' };
const workflow = (run: string) => `on: pull_request\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: ${run}\n`;

describe('linters run through build tools, and CI guards', () => {
  it('follows CI to the make, npm, just or task target that runs the linter', async () => {
    const none = await atHead(DROP);
    const cases: [string, Files][] = [
      ['make', { '.github/workflows/ci.yml': workflow('make lint'), Makefile: 'lint: lint-go lint-migrations\n\nlint-go:\n\tgolangci-lint run\n\nlint-migrations:\n\tsquawk migrations/*.up.sql\n' }],
      ['npm', { '.github/workflows/ci.yml': workflow('npm run lint:migrations'), 'package.json': '{"scripts":{"lint:migrations":"squawk migrations/*.up.sql"}}\n' }],
      ['just', { '.github/workflows/ci.yml': workflow('just check'), justfile: 'check:\n    atlas migrate lint --dev-url docker://postgres/16 --latest 1\n' }],
      ['task', { '.github/workflows/ci.yml': workflow('task lint-db'), 'Taskfile.yml': "version: '3'\ntasks:\n  lint-db:\n    cmds:\n      - squawk migrations/*.up.sql\n" }],
    ];
    for (const [tool, files] of cases) {
      const o = await atHead({ ...DROP, ...files });
      expect(o.score, tool).toBe(Math.min(10, none.score! + 2));
      expect(about(o, /^migration linter: /)[0]!.message, tool).toMatch(/runs in CI through the .* \(/);
    }
    // A target that runs something else earns nothing.
    const other = await atHead({ ...DROP, '.github/workflows/ci.yml': workflow('make lint'), Makefile: 'lint:\n\tgolangci-lint run\n' });
    expect(other.score).toBe(none.score);
  });

  it('credits a CI job that fails a pull request mixing migrations with application code', async () => {
    const guard = `on: pull_request\njobs:\n  migration-check:\n    name: Migrations ship alone\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: |\n          for f in $(git diff --name-only origin/main...HEAD); do\n            case "$f" in db/migrations/*|app/models/*) ;; *) OTHER="$OTHER $f" ;; esac\n          done\n          if [ -n "$OTHER" ] && git diff --name-only origin/main...HEAD | grep -q '^db/migrations/'; then\n            echo "Migrations must ship in their own pull request, apart from application code:$OTHER"\n            exit 1\n          fi\n`;
    const none = await atHead(DROP);
    const o = await atHead({ ...DROP, '.github/workflows/migrations.yml': guard });
    expect(o.score).toBe(Math.min(10, none.score! + 1));
    expect(about(o, /^migration guard in CI/)).toMatchObject([{ rule: 'migration-guard', severity: 'info', path: '.github/workflows/migrations.yml', message: 'migration guard in CI: the job "Migrations ship alone" fails a pull request that mixes migrations with other code' }]);
    // Testing every way back, or the previous release against the new schema, guards as well.
    const rollback = await atHead({ ...DROP, '.github/workflows/migrations.yml': 'on: pull_request\njobs:\n  test-migrations:\n    runs-on: ubuntu-latest\n    steps:\n      - name: Migrate\n        run: php artisan migrate --force\n      - name: Roll back\n        run: php artisan migrate:rollback --force\n      - name: Migrate again\n        run: php artisan migrate --force\n' });
    expect(about(rollback, /^migration guard in CI/).map((f) => f.message)).toEqual(['migration guard in CI: the job test-migrations applies the migrations and rolls them back, so every way back is tested']);
    const previous = await atHead({ ...DROP, '.github/workflows/compat.yml': 'on:\n  pull_request:\n    paths: ["migrations/**"]\njobs:\n  compat:\n    runs-on: ubuntu-latest\n    steps:\n      - name: Start the stable version of the service\n        run: docker compose up app-stable -d\n      - name: Apply migrations\n        run: migrate -path migrations -database "$DATABASE_URL" up\n      - run: npm run e2e\n' });
    expect(about(previous, /^migration guard in CI/).map((f) => f.message)).toEqual(['migration guard in CI: the job compat runs the previous release against the migrated schema']);
    // A job that merely lists changed files, or that migrates, is no guard.
    const lister = await atHead({ ...DROP, '.github/workflows/x.yml': 'on: pull_request\njobs:\n  x:\n    steps:\n      - run: git diff --name-only origin/main | grep migrations || true\n      - run: make migrate\n' });
    expect(about(lister, /^migration guard/)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------

const railsMigration = (name: string, body: string) => `class ${name} < ActiveRecord::Migration[7.1]\n  def change\n    ${body}\n  end\nend\n`;

describe('what travels with a migration', () => {
  it('ORM models, entities, schema modules and code generated from the schema do not make a change mixed', async () => {
    const o = await withHistory([
      [100, 'service', {
        'Gemfile': 'gem "pg"\n',
        'app/models/user.rb': 'class User < ApplicationRecord\nend\n',
        'app/controllers/users_controller.rb': 'class UsersController\nend\n',
        'db/migrate/20260101000000_create_users.rb': railsMigration('CreateUsers', 'create_table :users'),
        'schema/prisma/schema.prisma': 'generator client {\n  provider = "prisma-client-js"\n  output   = "../../packages/db-client"\n}\n',
        'sqlc.yaml': 'version: "2"\nsql:\n  - engine: postgresql\n    queries: queries.sql\n    schema: db/migrate\n    gen:\n      go:\n        package: store\n        out: internal/store\n',
        'lib/shop/order.ex': 'defmodule Shop.Order do\n  use Ecto.Schema\nend\n',
      }],
      [90, 'rails model with its annotation', { 'db/migrate/20260201000000_add_name.rb': railsMigration('AddName', 'add_column :users, :name, :string'), 'app/models/user.rb': '# == Schema Information\n# name :string\nclass User < ApplicationRecord\nend\n', 'db/schema.rb': '# 2\n' }],
      [80, 'entities and generated client', { 'db/migrate/20260301000000_add_code.rb': railsMigration('AddCode', 'add_column :users, :code, :string'), 'web/src/entities/user.entity.ts': 'export class User {}\n', 'packages/db-client/index.d.ts': 'export {};\n', 'packages/db-client/index.js': 'module.exports = {};\n' }],
      [70, 'generated queries and ent', { 'db/migrate/20260401000000_add_age.rb': railsMigration('AddAge', 'add_column :users, :age, :integer'), 'internal/store/models.go': 'package store\n', 'internal/store/querier.go': 'package store\n', 'ent/user.go': 'package ent\n', 'ent/schema/user.go': 'package schema\n' }],
      [60, 'ecto schema and a repository', { 'db/migrate/20260501000000_add_total.rb': railsMigration('AddTotal', 'add_column :users, :total, :integer'), 'lib/shop/order.ex': 'defmodule Shop.Order do\n  use Ecto.Schema\n  # total\nend\n', 'src/orders/repository.py': 'x = 1\n' }],
      [50, 'and the controller that uses it', { 'db/migrate/20260601000000_add_email.rb': railsMigration('AddEmail', 'add_column :users, :email, :string'), 'app/controllers/users_controller.rb': 'class UsersController\n  # email\nend\n' }],
    ]);
    expect(part(o, 1)).toBe('4/5 recent migration-bearing commits shipped apart from application code');
    expect(about(o, /together with application code/).map((f) => f.message)).toEqual([expect.stringMatching(/"and the controller that uses it" .* application code: app\/controllers\/users_controller\.rb;/)]);
  });

  it('editing released migrations in place (a reformat) ships no schema change; editing the newest one still does', async () => {
    const o = await withHistory([
      [100, 'service', { 'go.mod': 'module x\nrequire github.com/jackc/pgx/v5 v5.7.1\n', 'main.go': 'package main\n', 'migrations/000001_a.up.sql': 'CREATE TABLE a (id int);\n', 'migrations/000001_a.down.sql': 'DROP TABLE a;\n' }],
      [90, 'add b', { 'migrations/000002_b.up.sql': 'ALTER TABLE a ADD COLUMN b int;\n', 'migrations/000002_b.down.sql': 'ALTER TABLE a DROP COLUMN b;\n' }],
      [80, 'add c', { 'migrations/000003_c.up.sql': 'ALTER TABLE a ADD COLUMN c int;\n', 'migrations/000003_c.down.sql': 'ALTER TABLE a DROP COLUMN c;\n' }],
      [70, 'reformat every SQL file', { 'migrations/000001_a.up.sql': 'CREATE TABLE a (\n  id int\n);\n', 'migrations/000002_b.up.sql': 'ALTER TABLE a\n  ADD COLUMN b int;\n', 'main.go': 'package main\n\n// formatted\n' }],
      [60, 'fix c, with its handler', { 'migrations/000003_c.up.sql': 'ALTER TABLE a ADD COLUMN c bigint;\n', 'handler.go': 'package main\n' }],
    ]);
    expect(part(o, 1)).toBe('2/3 recent migration-bearing commits shipped apart from application code');
    expect(about(o, /together with application code/).map((f) => f.message)).toEqual([expect.stringMatching(/"fix c, with its handler"/)]);
  });

  it('reports SQL applied by hand and rewritten in place as such, and does not judge it as migrations', async () => {
    const steps: Step[] = [
      [100, 'service', { 'package.json': '{"dependencies":{"pg":"8.11.0"}}\n', 'db/migrations/001_init.sql': 'CREATE TABLE a (id int);\n', 'db/migrations/002_b.sql': 'ALTER TABLE a ADD COLUMN b int;\n', 'src/index.ts': 'export {};\n' }],
    ];
    for (let k = 0; k < 4; k++) steps.push([90 - k * 10, `rewrite ${k}`, { 'db/migrations/001_init.sql': `CREATE TABLE a (id int, c${k} int);\n`, 'src/index.ts': `export const v = ${k};\n` }]);
    const o = await withHistory(steps);
    expect(o.status).toBe('not-applicable');
    expect(o.summary).toMatch(/db\/migrations holds SQL applied by hand, not versioned migrations/);
    // Beside real migrations, the same folder is an information finding.
    const beside = await withHistory([...steps, [40, 'adopt golang-migrate', { 'migrations/000001_a.up.sql': 'CREATE TABLE x (id int);\n', 'migrations/000001_a.down.sql': 'DROP TABLE x;\n' }]]);
    expect(about(beside, /applied by hand/)).toMatchObject([{ rule: 'unversioned-sql', severity: 'info', path: 'db/migrations' }]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('no data is not a pass', () => {
  it('without a migration-bearing change in the history read, the status is at most warn, saying separation was not judged', async () => {
    const o = await atHead({
      'go.mod': 'module x\nrequire github.com/jackc/pgx/v5 v5.7.1\n',
      'migrations/000001_a.up.sql': 'CREATE TABLE a (id int);\n',
      'migrations/000001_a.down.sql': 'DROP TABLE a;\n',
      '.github/workflows/ci.yml': workflow('npx squawk migrations/*.up.sql'),
    });
    expect(part(o, 1)).toBe('separation not judged');
    expect(o.status).toBe('warn');
    expect(o.score).toBe(7.4);
    expect(o.summary).toMatch(/at most warn: separation not judged$/);
    expect(about(o, /^separation not judged: /)).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------

describe('migrations found by their contents and configuration, wherever they live', () => {
  it.each<[string, Files, string]>([
    ['db-migrate in src/migrations', { 'src/migrations/20260101000000-add-jobs.js': "'use strict';\n\nexports.up = function (db, cb) {\n  db.runSql('ALTER TABLE jobs DROP COLUMN legacy', cb);\n};\n\nexports.down = function (db, cb) {\n  db.runSql('ALTER TABLE jobs ADD COLUMN legacy text', cb);\n};\n", 'src/migrations/package.json': '{}\n' }, 'db-migrate'],
    ['Ecto migrations as .ex files under lib/', { 'lib/app/tenants/repo/migrations/20260101000000_add_filters.ex': ecto('AddFilters', '  def change do\n    alter table(:subscriptions) do\n      remove :legacy, :text\n    end\n  end') }, 'Ecto'],
    ['Alembic in a folder of its own naming', { 'src/app/database/revisions/core/versions/2026-01-01_1a2b3c4d5e6f.py': '"""x"""\nfrom alembic import op\n\nrevision = "1a2b3c4d5e6f"\ndown_revision = None\n\n\ndef upgrade():\n    op.drop_column("cases", "legacy")\n\n\ndef downgrade():\n    pass\n' }, 'Alembic'],
    ['goose in a nested folder', { 'libs/migrations/postgres/20260101000000_users.sql': '-- +goose Up\nALTER TABLE users DROP COLUMN legacy;\n\n-- +goose Down\nALTER TABLE users ADD COLUMN legacy text;\n' }, 'goose'],
    ['goose migrations written in Go', { 'libs/migrations/postgres/20260101000000_move.go': 'package migrations\n\nfunc init() {\n\tgoose.AddMigrationContext(up, down)\n}\n\nfunc up(ctx context.Context, tx *sql.Tx) error {\n\t_, err := tx.ExecContext(ctx, `ALTER TABLE users DROP COLUMN legacy`)\n\treturn err\n}\n' }, 'goose'],
    ['numbered ClickHouse scripts', { 'db/clickhouse/migrations/01_events.sql': 'ALTER TABLE events DROP COLUMN legacy;\n', 'db/clickhouse/migrations/02_views.sql': 'CREATE TABLE views (id UUID) ENGINE = MergeTree ORDER BY id;\n' }, 'versioned SQL scripts'],
  ])('%s', async (_name, files, framework) => {
    const o = await atHead(files);
    expect(o.status, o.summary).not.toBe('not-applicable');
    expect(part(o, 0)).toBe(framework);
    expect(about(o, /^drops a column/)).toHaveLength(1);
  });

  it('a file that only looks like one is still not a migration', async () => {
    const o = await atHead({
      'src/migrations/helpers.js': 'module.exports = { pad: (s) => s };\n',
      'cmd/migrate/main.go': 'package main\n\nfunc main() {}\n',
      'docs/versions/notes.py': 'print(1)\n',
      'app/migrations/readme.sql': 'SELECT 1;\n',
    });
    expect(o.status).toBe('not-applicable');
  });
});
