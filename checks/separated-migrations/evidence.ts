// Evidence about the repository as a whole: a migration linter in CI, and whether the database is PostgreSQL.
import type { RepoSnapshot } from '../contract.ts';
import type { MigrationAnalysis } from './model.ts';

const CI_FILES = [
  '.github/workflows/*.{yml,yaml}',
  '.gitlab-ci.yml',
  '.gitlab/ci/**/*.{yml,yaml}',
  '.circleci/config.yml',
  'azure-pipelines.yml',
  'bitbucket-pipelines.yml',
  'Jenkinsfile',
  '.buildkite/**/*.{yml,yaml}',
  '.drone.yml',
];
export const LINTER_READS = [...CI_FILES, '.squawk.toml', '**/config/initializers/strong_migrations.rb', '**/Gemfile', 'atlas.hcl'];
// Manifests anywhere: in a monorepo, the service that owns the migrations has its own.
export const POSTGRES_READS = ['**/config/database.yml', '**/migration_lock.toml', '**/package.json', '**/go.mod', '**/requirements*.txt', '**/pyproject.toml', '**/mix.exs', '**/*.csproj'];

const CI_PATH = /^\.github\/workflows\/[^/]+\.ya?ml$|^\.gitlab-ci\.yml$|^\.gitlab\/ci\/.+\.ya?ml$|^\.circleci\/config\.yml$|^azure-pipelines\.yml$|^bitbucket-pipelines\.yml$|^Jenkinsfile$|^\.buildkite\/.+\.ya?ml$|^\.drone\.yml$/;

export interface LinterEvidence {
  name: string;
  how: string;
  path: string;
  line?: number;
}

/** Lines of a YAML file or Jenkinsfile without comments: a commented-out step does not run. */
function liveLines(text: string): string[] {
  return text.split('\n').map((l) => l.replace(/(^|\s)#.*$/, '').replace(/(^|\s)\/\/.*$/, ''));
}

const CI_LINTERS: [RegExp, string, string][] = [
  [/\bsquawk\b/i, 'squawk', 'runs in CI'],
  [/\blintmigrations\b|django[-_]migration[-_]linter/i, 'django-migration-linter', 'runs in CI'],
  [/\batlas\s+migrate\s+lint\b|ariga\/atlas-action\/migrate\/lint/i, 'Atlas lint', 'runs in CI'],
  [/\beugene\s+(lint|trace)\b/i, 'eugene', 'runs in CI'],
];

export function detectLinters(snapshot: RepoSnapshot): LinterEvidence[] {
  const found: LinterEvidence[] = [];
  for (const file of snapshot.files) {
    if (file.kind !== 'file') continue;
    if (CI_PATH.test(file.path)) {
      const r = snapshot.read(file.path);
      if (!r.ok) continue;
      const lines = liveLines(r.text);
      for (const [re, name, how] of CI_LINTERS) {
        const index = lines.findIndex((l) => re.test(l));
        if (index !== -1 && !found.some((f) => f.name === name)) found.push({ name, how: `${how}, ${file.path}`, path: file.path, line: index + 1 });
      }
    } else if (/(^|\/)Gemfile$/.test(file.path)) {
      const r = snapshot.read(file.path);
      if (!r.ok) continue;
      const index = liveLines(r.text).findIndex((l) => /^\s*gem\s+["']strong_migrations["']/.test(l));
      if (index !== -1 && !found.some((f) => f.name === 'strong_migrations')) found.push({ name: 'strong_migrations', how: 'checks every migration as it runs, in CI and in development', path: file.path, line: index + 1 });
    }
  }
  return found;
}

export function detectPostgres(
  snapshot: RepoSnapshot,
  setting: 'auto' | 'yes' | 'no',
  migrations: { path: string }[],
  analyse: (path: string) => MigrationAnalysis | null,
): { yes: boolean; evidence: string } {
  if (setting !== 'auto') return { yes: setting === 'yes', evidence: 'configured' };
  const checks: [RegExp, RegExp, string][] = [
    [/(^|\/)migration_lock\.toml$/, /provider\s*=\s*"postgres(ql)?"/, 'Prisma provider'],
    [/(^|\/)config\/database\.yml$/, /adapter:\s*(postgresql|postgis)/, 'config/database.yml'],
    [/(^|\/)Gemfile$/, /^\s*gem\s+["']pg["']/m, 'the pg gem'],
    [/(^|\/)package\.json$/, /"(pg|postgres|pg-promise|@neondatabase\/serverless)"\s*:/, 'a PostgreSQL driver in package.json'],
    [/(^|\/)go\.mod$/, /github\.com\/(jackc\/pgx|lib\/pq)/, 'a PostgreSQL driver in go.mod'],
    [/(^|\/)(requirements[^/]*\.txt|pyproject\.toml)$/, /\b(psycopg2?(-binary)?|asyncpg|pg8000)\b/i, 'a PostgreSQL driver'],
    [/(^|\/)mix\.exs$/, /:postgrex/, 'postgrex'],
    [/\.csproj$/, /Npgsql/, 'Npgsql'],
  ];
  // A manifest speaks for the migrations in its directory and below (the root's for all of them);
  // another service's driver says nothing about this one's database.
  const migrationDirs = [...new Set(migrations.map((m) => m.path.slice(0, Math.max(0, m.path.lastIndexOf('/')))))];
  const owns = (manifest: string) => {
    // .NET solutions keep migrations and the Npgsql reference in different projects.
    if (/\.csproj$/.test(manifest)) return true;
    let dir = manifest.slice(0, Math.max(0, manifest.lastIndexOf('/')));
    if (/(^|\/)config$/.test(dir)) dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/'))); // Rails: config/database.yml beside db/
    return dir === '' || migrationDirs.some((d) => d === dir || d.startsWith(`${dir}/`));
  };
  for (const file of snapshot.files) {
    for (const [path, content, what] of checks) {
      if (!path.test(file.path) || /(^|\/)(node_modules|vendor)\//.test(file.path) || !owns(file.path)) continue;
      const r = snapshot.read(file.path);
      if (r.ok && content.test(r.text)) return { yes: true, evidence: file.path.includes('/') && !/^config\/database\.yml$/.test(file.path) ? `${what}, ${file.path}` : what };
    }
  }
  for (const m of migrations.slice(0, 50)) {
    const hint = analyse(m.path)?.postgresHints[0];
    if (hint) return { yes: true, evidence: `${hint} in ${m.path}` };
  }
  return { yes: false, evidence: '' };
}
