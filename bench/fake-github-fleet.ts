// The benchmark organisation on the fake GitHub, shared by bench:github and bench:shards: services with
// a spread of production-readiness files, merged and open pull requests, and ten teams owning them.
import path from 'node:path';
import { createRepo, daysBefore } from '../fixtures/factory.ts';
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
