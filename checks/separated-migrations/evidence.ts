// Evidence about the repository as a whole: a migration linter in CI, and whether the database is PostgreSQL.
import { parse as parseYaml } from 'yaml';
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
// Build tools CI calls (`make lint-migrations`, `npm run lint:migrations`, `just lint`, `task lint`): the
// linter may run inside one of their targets.
const BUILD_FILES = ['**/Makefile', '**/makefile', '**/GNUmakefile', '**/*.mk', '**/justfile', '**/Justfile', '**/.justfile', '**/Taskfile.{yml,yaml}', '**/Taskfile.dist.{yml,yaml}', '**/package.json'];
export const LINTER_READS = [...CI_FILES, '.squawk.toml', '**/config/initializers/strong_migrations.rb', '**/Gemfile', '**/mix.exs', 'atlas.hcl', '**/dangerfile.{ts,js}', ...BUILD_FILES];
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

const CI_LINTERS: [RegExp, string][] = [
  [/\bsquawk\b/i, 'squawk'],
  [/\blintmigrations\b|django[-_]migration[-_]linter/i, 'django-migration-linter'],
  [/\batlas\s+migrate\s+lint\b|ariga\/atlas-action\/migrate\/lint/i, 'Atlas lint'],
  [/\beugene\s+(lint|trace)\b/i, 'eugene'],
  [/\bexcellent_migrations\b/i, 'excellent_migrations'],
];

type BuildTool = 'make' | 'npm' | 'just' | 'task';

interface Target {
  tool: BuildTool;
  name: string;
  path: string;
  line: number;
  commands: string;
}

/** Targets of Makefiles, justfiles, Taskfiles and package.json scripts, with the commands they run. */
function buildTargets(snapshot: RepoSnapshot): Target[] {
  const targets: Target[] = [];
  for (const file of snapshot.files) {
    if (file.kind !== 'file') continue;
    const name = file.path.slice(file.path.lastIndexOf('/') + 1);
    const tool: BuildTool | undefined = /^(GNUmakefile|makefile|Makefile)$|\.mk$/.test(name) ? 'make' : /^\.?[jJ]ustfile$/.test(name) ? 'just' : /^Taskfile(\.dist)?\.ya?ml$/.test(name) ? 'task' : name === 'package.json' ? 'npm' : undefined;
    if (!tool || /(^|\/)node_modules\//.test(file.path)) continue;
    const r = snapshot.read(file.path);
    if (!r.ok) continue;
    if (tool === 'npm') {
      let scripts: unknown;
      try {
        scripts = (JSON.parse(r.text) as { scripts?: unknown }).scripts;
      } catch {
        // A package.json that does not parse has no scripts to follow; dependency-freshness reports it.
        continue;
      }
      if (!scripts || typeof scripts !== 'object') continue;
      const lines = r.text.split('\n');
      for (const [key, value] of Object.entries(scripts as Record<string, unknown>)) {
        if (typeof value !== 'string') continue;
        const line = lines.findIndex((l) => l.includes(`"${key}"`)) + 1;
        targets.push({ tool, name: key, path: file.path, line: line || 1, commands: value });
      }
      continue;
    }
    if (tool === 'task') {
      let doc: unknown;
      try {
        doc = parseYaml(r.text, { maxAliasCount: 100, logLevel: 'error' });
      } catch {
        continue;
      }
      const tasks = (doc as { tasks?: Record<string, unknown> } | null)?.tasks;
      if (!tasks || typeof tasks !== 'object') continue;
      const lines = r.text.split('\n');
      for (const [key, value] of Object.entries(tasks)) {
        const line = lines.findIndex((l) => new RegExp(`^\\s*["']?${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*:`).test(l)) + 1;
        targets.push({ tool, name: key, path: file.path, line: line || 1, commands: JSON.stringify(value) });
      }
      continue;
    }
    // make and just: a target line `name: deps`, then its recipe (indented lines).
    const lines = liveLines(r.text);
    let current: Target | undefined;
    lines.forEach((l, index) => {
      const header = tool === 'make' ? /^([A-Za-z0-9_.\/-]+(?:\s+[A-Za-z0-9_.\/-]+)*)\s*:(?!=)(.*)$/.exec(l) : /^@?([A-Za-z0-9_-]+)(?:\s+[^:=]*)?:(?!=)(.*)$/.exec(l);
      if (header && !/^\s/.test(l)) {
        current = undefined;
        for (const n of header[1]!.split(/\s+/)) {
          current = { tool, name: n, path: file.path, line: index + 1, commands: header[2]! };
          targets.push(current);
        }
        return;
      }
      if (current && /^\s+\S/.test(l)) current.commands += `\n${l}`;
      else if (l.trim() !== '') current = undefined;
    });
  }
  return targets;
}

/** `make lint-migrations`, `npm run lint:migrations`, `yarn lint:migrations`, `pnpm lint:migrations`, `just lint`, `task lint`. */
function invocations(text: string): { tool: BuildTool; name: string }[] {
  const out: { tool: BuildTool; name: string }[] = [];
  for (const m of text.matchAll(/\bmake\b((?:\s+(?:-[A-Za-z]+(?:\s+\S+)?|[A-Z_]+=\S+))*)((?:\s+[A-Za-z0-9_.\/-]+)+)/g)) for (const n of m[2]!.trim().split(/\s+/)) out.push({ tool: 'make', name: n });
  for (const m of text.matchAll(/\b(?:npm|pnpm|bun)\s+(?:--?[\w-]+(?:[= ]\S+)?\s+)*run(?:-script)?\s+([\w:.\/-]+)|\b(?:yarn|pnpm)\s+(?!run\b|install\b|add\b|exec\b|dlx\b)([\w:.\/-]+)/g)) out.push({ tool: 'npm', name: (m[1] ?? m[2])! });
  for (const m of text.matchAll(/\bjust\s+(?:--?[\w-]+(?:[= ]\S+)?\s+)*([\w-]+)/g)) out.push({ tool: 'just', name: m[1]! });
  for (const m of text.matchAll(/\btask\s+(?:--?[\w-]+(?:[= ]\S+)?\s+)*([\w:.-]+)/g)) out.push({ tool: 'task', name: m[1]! });
  return out;
}

export function detectLinters(snapshot: RepoSnapshot): LinterEvidence[] {
  const found: LinterEvidence[] = [];
  const add = (e: LinterEvidence) => {
    if (!found.some((f) => f.name === e.name)) found.push(e);
  };
  let targets: Target[] | undefined;
  /** The linter a build target runs, following the targets it calls (three levels). */
  const linterIn = (tool: BuildTool, name: string, depth = 0, seen = new Set<string>()): { linter: string; target: Target } | undefined => {
    targets ??= buildTargets(snapshot);
    for (const t of targets) {
      if (t.tool !== tool || t.name !== name || seen.has(`${t.path}:${t.name}`)) continue;
      seen.add(`${t.path}:${t.name}`);
      const direct = CI_LINTERS.find(([re]) => re.test(t.commands));
      if (direct) return { linter: direct[1], target: t };
      if (depth >= 3) continue;
      for (const next of [...invocations(t.commands), ...(tool === 'make' ? t.commands.split('\n')[0]!.trim().split(/\s+/).filter(Boolean).map((n) => ({ tool: 'make' as const, name: n })) : [])]) {
        const deeper = linterIn(next.tool, next.name, depth + 1, seen);
        if (deeper) return deeper;
      }
    }
    return undefined;
  };
  for (const file of snapshot.files) {
    if (file.kind !== 'file') continue;
    if (CI_PATH.test(file.path)) {
      const r = snapshot.read(file.path);
      if (!r.ok) continue;
      const lines = liveLines(r.text);
      for (const [re, name] of CI_LINTERS) {
        const index = lines.findIndex((l) => re.test(l));
        if (index !== -1) add({ name, how: `runs in CI, ${file.path}`, path: file.path, line: index + 1 });
      }
      // Through a build tool: the CI step calls a target that runs the linter.
      lines.forEach((l, index) => {
        for (const call of invocations(l)) {
          const hit = linterIn(call.tool, call.name);
          if (hit) add({ name: hit.linter, how: `runs in CI through ${call.tool === 'npm' ? 'the npm script' : call.tool === 'make' ? 'the make target' : call.tool === 'just' ? 'the just recipe' : 'the task'} ${call.name} (${hit.target.path}:${hit.target.line}), ${file.path}`, path: file.path, line: index + 1 });
        }
      });
    } else if (/(^|\/)Gemfile$/.test(file.path)) {
      const r = snapshot.read(file.path);
      if (!r.ok) continue;
      const index = liveLines(r.text).findIndex((l) => /^\s*gem\s+["']strong_migrations["']/.test(l));
      if (index !== -1) add({ name: 'strong_migrations', how: 'checks every migration as it runs, in CI and in development', path: file.path, line: index + 1 });
    } else if (/(^|\/)mix\.exs$/.test(file.path)) {
      const r = snapshot.read(file.path);
      if (!r.ok) continue;
      const index = liveLines(r.text).findIndex((l) => /\{\s*:excellent_migrations\b/.test(l));
      if (index !== -1) add({ name: 'excellent_migrations', how: 'a dependency that checks migrations for unsafe operations', path: file.path, line: index + 1 });
    }
  }
  return found;
}

export interface GuardEvidence {
  path: string;
  line: number;
  /** What the guard stops, in a few words. */
  what: string;
}

/** Reads the files a pull request changed. */
const CHANGED_FILES = /git\s+diff\b[^\n]*--name-(only|status)|changed[-_]files|paths-filter|danger\.git\.(modified|created)_files|pulls\.listFiles|pull_request\.files|gh\s+pr\s+diff[^\n]*--name-only|outputs\.[\w-]*files\b|\bmodified_files\b|\bfiles_changed\b|\bCHANGED_FILES\b/i;
/** An environment variable holding the changed files (`SERVER_FILES`, `MODIFIED_FILES`). */
const FILES_VARIABLE = /\$\{?[A-Z][A-Z_]*_FILES\b|\b[A-Z][A-Z_]*_FILES:\s*\$\{\{/;
const FAILS = /\bexit\s+1\b|core\.setFailed|process\.exit\(\s*1|\bfail\s*\(|::error\b/;
const MIGRATION_WORD = /migrat/i;
/** Undoes the migrations it applied: a test of the way back. */
const ROLLS_BACK = /migrate:rollback|db:rollback|migrate:undo|\balembic\s+downgrade|\bmigrate\s+down\b|db-migrate\s+down|ecto\.rollback|\bflyway\s+undo|\bliquibase\s+rollback|\bgoose\b[^\n]*\bdown\b|\bdbmate\s+(rollback|down)|\bmigrate\b[^\n]*\s-?-?down\b/i;
/** Runs an earlier release against the migrated schema: the expand step really is backward compatible. */
const OLD_RELEASE = /\b(stable|previous|prior|older|last)\s+(release|version|image)\b|\bprevious[-_ ]version\b|\bstable\s+version\b/i;

/**
 * A CI job (or a Danger rule) that acts on migrations before they ship: it fails a pull request that mixes
 * them with application code or adds a destructive operation, tests the way back (migrate, roll back,
 * migrate), or runs the previous release against the new schema. Judged per GitHub Actions job, per
 * Danger file, and per 60-line window elsewhere.
 */
export function detectGuards(snapshot: RepoSnapshot): GuardEvidence[] {
  const found: GuardEvidence[] = [];
  const judge = (path: string, text: string, firstLine: number, name: string) => {
    const live = liveLines(text).join('\n');
    if (!MIGRATION_WORD.test(live)) return;
    const offset = Math.max(0, live.split('\n').findIndex((l) => MIGRATION_WORD.test(l)));
    let what: string | undefined;
    if ((CHANGED_FILES.test(live) || FILES_VARIABLE.test(live)) && FAILS.test(live)) {
      const mixing = /(application|app)\s+code|other\s+(code|changes|files)|disallowed|separate\s+(pr|pull)|isolat|only\s+(model|migration)/i.test(live);
      what = `fails a pull request ${mixing ? 'that mixes migrations with other code' : 'whose migrations break its rules'}`;
    } else if (ROLLS_BACK.test(live) && live.split('\n').some((l) => /migrat|\bupgrade\b/i.test(l) && !ROLLS_BACK.test(l) && !/^\s*"?(name|id)"?\s*:/.test(l))) {
      what = 'applies the migrations and rolls them back, so every way back is tested';
    } else if (OLD_RELEASE.test(live)) {
      what = 'runs the previous release against the migrated schema';
    }
    if (what) found.push({ path, line: firstLine + offset, what: `${name} ${what}` });
  };
  for (const file of snapshot.files) {
    if (file.kind !== 'file') continue;
    const isDanger = /(^|\/)dangerfile\.(ts|js)$/i.test(file.path);
    if (!CI_PATH.test(file.path) && !isDanger) continue;
    const r = snapshot.read(file.path);
    if (!r.ok) continue;
    if (isDanger) {
      judge(file.path, r.text, 1, 'a Danger rule');
      continue;
    }
    if (/^\.github\/workflows\//.test(file.path)) {
      let doc: unknown;
      try {
        doc = parseYaml(r.text, { maxAliasCount: 100, logLevel: 'error' });
      } catch {
        // A workflow that does not parse does not run either.
        continue;
      }
      const jobs = (doc as { jobs?: Record<string, unknown> } | null)?.jobs;
      if (!jobs || typeof jobs !== 'object') continue;
      const lines = r.text.split('\n');
      for (const [id, job] of Object.entries(jobs)) {
        const line = lines.findIndex((l) => new RegExp(`^\\s+["']?${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*:`).test(l)) + 1;
        const title = (job as { name?: unknown } | null)?.name;
        judge(file.path, JSON.stringify(job, null, 1).replace(/\\n/g, '\n'), line || 1, `the job ${typeof title === 'string' ? `"${title}"` : id}`);
      }
      continue;
    }
    const lines = r.text.split('\n');
    for (let k = 0; k < lines.length; k += 30) judge(file.path, lines.slice(k, k + 60).join('\n'), k + 1, 'a CI step');
  }
  // One per file and job is enough.
  return found.filter((g, k) => found.findIndex((x) => x.path === g.path && x.what === g.what) === k);
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
