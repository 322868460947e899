// The benchmark organisation on the fake GitHub, shared by bench:github and bench:shards: services with
// a spread of production-readiness files, merged and open pull requests, and ten teams owning them.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { createRepo, daysBefore, type FixtureCommit } from '../fixtures/factory.ts';
import type { FakePullRequest, FakeRepo, FakeTeam } from '../fixtures/fake-github/server.ts';

function repoFiles(i: number, name: string): Record<string, string> {
  const files: Record<string, string> = {
    'README.md': `# ${name}\n\nService ${i} of the benchmark fleet.\n`,
    'package.json': JSON.stringify({ name, version: '1.0.0', dependencies: { express: '^5.1.0' } }, null, 2) + '\n',
    'src/index.ts': `export const id = ${i};\n`,
    Dockerfile: 'FROM node:24-slim\nCOPY . .\nCMD ["node", "src/index.js"]\n',
    'catalog-info.yaml': `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\nspec:\n  type: service\n  lifecycle: production\n  owner: group:team-${i % 10}\n`,
  };
  if (i % 2 === 0) files['RUNBOOK.md'] = `# ${name}\n\n## Symptoms\nLatency rises.\n\n## Diagnosis\nCheck the dashboard.\n\n## Mitigation\nRoll back.\n\n## Escalation\nPage the on-call.\n`;
  if (i % 3 === 0) files['alerts/rules.yml'] = `groups:\n  - name: ${name}\n    rules:\n      - alert: ${name.replace(/-/g, '_')}_down\n        expr: up == 0\n        annotations:\n          runbook_url: https://runbooks.example.com/${name}\n`;
  if (i % 4 === 0) files['.github/pull_request_template.md'] = '## What\n\n## Rollback plan\nHow to undo this change:\n';
  if (i % 5 === 0) files['infra/main.tf'] = `resource "aws_s3_bucket" "b" {\n  bucket = "${name}"\n  tags = { team = "team-${i % 10}" }\n}\n`;
  return files;
}

function pullRequests(i: number, anchor: string): FakePullRequest[] {
  const prs: FakePullRequest[] = [];
  for (let n = 1; n <= 6; n++) {
    prs.push({ number: n, title: `Change ${n}`, body: n % 2 ? '## Rollback plan\nRevert the merge commit.\n' : 'Small fix.', state: 'MERGED', createdAt: daysBefore(anchor, 40 - n * 5), mergedAt: daysBefore(anchor, 39 - n * 5), author: `dev${n}`, files: ['src/index.ts', 'README.md'], mergeCommit: (i * 10 + n).toString(16).padStart(40, '0') });
  }
  prs.push({ number: 7, title: 'Update express', body: '', state: 'OPEN', createdAt: daysBefore(anchor, 20), author: 'renovate', authorType: 'Bot', files: ['package.json'] });
  return prs;
}

/** `count` repositories `svc-NNN` (numbers padded to `nameWidth`) created under `root`, one commit each, 30 days before `anchor`. */
export function benchFleet(root: string, count: number, nameWidth: number, anchor: string): { repos: FakeRepo[]; teams: FakeTeam[] } {
  const repos = Array.from({ length: count }, (_, i) => {
    const name = `svc-${String(i).padStart(nameWidth, '0')}`;
    return { name, dir: createRepo(path.join(root, 'repos'), { name, commits: [{ date: daysBefore(anchor, 30), message: 'init', files: repoFiles(i, name) }] }), pullRequests: pullRequests(i, anchor) };
  });
  const teams = Array.from({ length: 10 }, (_, t) => ({ slug: `team-${t}`, repos: repos.filter((_, i) => i % 10 === t).map((r) => ({ name: r.name, permission: 'ADMIN' as const })) }));
  return { repos, teams };
}

/** The `teams:` entries of a Seaworthy config for the fleet's teams (membership comes from GitHub). */
export function benchTeamsYaml(teams: FakeTeam[]): string {
  return teams.map((t) => `  - {name: ${t.slug}, displayName: Team ${t.slug.slice(5)}, repos: [none]}`).join('\n');
}

export interface RealSizeShape {
  /** Commits on the default branch. */
  commits: number;
  /** Files in the head tree (source modules, migrations, docs, infrastructure). */
  files: number;
}

/**
 * A real-size service repository built with the fixture factory: `shape.files` files (TypeScript
 * modules with feature-flag calls, SQL migrations, a runbook, alerts, Terraform, a lockfile), then
 * `shape.commits` commits that each change a few modules, add a migration every 20 commits and
 * rename a module every 50. Thirty merged pull requests point at real commits of its history.
 */
export function realSizeRepo(root: string, name: string, shape: RealSizeShape, anchor: string): FakeRepo {
  const modules = Math.max(10, shape.files - 40);
  const start = Date.parse(anchor) - (shape.commits + 1) * 6 * 3_600_000;
  const at = (k: number) => new Date(start + k * 6 * 3_600_000).toISOString();
  const moduleText = (m: number, revision: number) =>
    `import { flags } from '../flags';\n\n// module ${m}, revision ${revision}\nexport function handler${m}(input: string): string {\n  if (flags.isEnabled('feature-${m % 60}')) return input.toUpperCase();\n  return input.trim();\n}\n\nexport const limits${m} = { retries: ${m % 5}, timeoutMs: ${1000 + m} };\n`;
  const first: Record<string, string> = {
    'README.md': `# ${name}\n\nA service of the benchmark organisation.\n`,
    'RUNBOOK.md': `# ${name}\n\n## Symptoms\nLatency rises.\n\n## Diagnosis\nCheck the dashboard.\n\n## Mitigation\nRoll back.\n\n## Escalation\nPage the on-call.\n`,
    Dockerfile: 'FROM node:24-slim\nCOPY . .\nCMD ["node", "dist/index.js"]\n',
    'package.json': JSON.stringify({ name, version: '1.0.0', dependencies: { express: '^5.1.0', zod: '^4.0.0' } }, null, 2) + '\n',
    'package-lock.json': JSON.stringify({ name, lockfileVersion: 3, requires: true, packages: { '': { name, dependencies: { express: '^5.1.0', zod: '^4.0.0' } }, 'node_modules/express': { version: '5.1.0' }, 'node_modules/zod': { version: '4.0.0' } } }, null, 2) + '\n',
    'alerts/rules.yml': `groups:\n  - name: ${name}\n    rules:\n      - alert: ${name.replace(/-/g, '_')}_errors\n        expr: rate(errors[5m]) > 1\n        annotations:\n          runbook_url: https://runbooks.example.com/${name}\n`,
    'infra/main.tf': `resource "aws_s3_bucket" "b" {\n  bucket = "${name}"\n  tags = { team = "payments", cost_center = "cc-1" }\n}\n`,
    'src/flags.ts': `export const flags = { isEnabled: (key: string) => key.length > 0 };\n`,
    '.github/pull_request_template.md': '## What\n\n## Rollback plan\nHow to undo this change:\n',
  };
  for (let m = 0; m < modules; m++) first[`src/module-${Math.floor(m / 50)}/file-${m}.ts`] = moduleText(m, 0);
  for (let i = Object.keys(first).length; i < shape.files; i++) first[`docs/page-${i}.md`] = `# Page ${i}\n\nNotes.\n`;
  const commits: FixtureCommit[] = [{ date: at(0), message: 'init', files: first }];
  const moved = new Map<number, string>();
  const pathOf = (m: number) => moved.get(m) ?? `src/module-${Math.floor(m / 50)}/file-${m}.ts`;
  for (let k = 1; k < shape.commits; k++) {
    const files: FixtureCommit['files'] = {};
    for (let j = 0; j < 3; j++) {
      const m = (k * 7 + j * 13) % modules;
      files[pathOf(m)] = moduleText(m, k);
    }
    if (k % 20 === 0) {
      files[`db/migrate/${String(k).padStart(6, '0')}_change.sql`] = `ALTER TABLE t${k % 30} ADD COLUMN c${k} int;\n`;
      if (k % 40 === 0) files[pathOf(k % modules)] = moduleText(k % modules, k + 1); // code and schema together
    }
    if (k % 50 === 0) {
      const m = (k * 3) % modules;
      const to = `src/moved/file-${m}-${k}.ts`;
      files[pathOf(m)] = null;
      files[to] = moduleText(m, k);
      moved.set(m, to);
    }
    commits.push({ date: at(k), message: `change ${k}\n\nbody of change ${k}`, files });
  }
  const dir = createRepo(path.join(root, 'repos'), { name, commits });
  const oids = spawnSync('git', ['rev-list', '--first-parent', '-n', '60', 'HEAD'], { cwd: dir, encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  const pullRequests: FakePullRequest[] = oids
    .filter((_, i) => i % 2 === 0)
    .map((oid, n) => ({ number: n + 1, title: `Change ${n + 1}`, body: n % 2 ? '## Rollback plan\nRevert the merge commit.\n' : 'Small fix.', state: 'MERGED', createdAt: daysBefore(anchor, 2 + n), mergedAt: daysBefore(anchor, 1 + n), author: `dev${n % 5}`, mergeCommit: oid }));
  pullRequests.push({ number: 99, title: 'Update express', body: '', state: 'OPEN', createdAt: daysBefore(anchor, 20), author: 'renovate', authorType: 'Bot' });
  return { name, dir, pullRequests };
}
