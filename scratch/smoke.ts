import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRepo } from '../fixtures/factory.ts';
import { FakeGitHub } from '../fixtures/fake-github/server.ts';
import { parseConfig } from '../crawler/config.ts';
import { crawl } from '../crawler/run.ts';
import { createLogger } from '../crawler/log.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sw-smoke-'));
const a = createRepo(dir, { name: 'alpha', commits: [{ date: '2026-09-01T00:00:00Z', message: 'init', files: { 'RUNBOOK.md': '# alpha\n\n## Symptoms\nTODO\n', 'CODEOWNERS': '* @acme/payments\n', 'img.bin': new Uint8Array([0, 1, 2]), 'link': { symlink: 'RUNBOOK.md' } } }] });
const b = createRepo(dir, { name: 'bravo', commits: [{ date: '2026-09-01T00:00:00Z', message: 'init', files: { 'README.md': 'hello\n', 'catalog-info.yaml': 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: bravo}\nspec: {type: service, owner: group:default/platform, lifecycle: production}\n' } }] });
const fake = await new FakeGitHub({ org: 'acme', token: 'ghp_fakeTOKEN1234567890', repos: [{ dir: a, name: 'alpha', pullRequests: [{ number: 1, title: 'x', body: 'b', state: 'MERGED', createdAt: '2026-09-01T00:00:00Z', mergedAt: '2026-09-02T00:00:00Z', author: 'renovate', authorType: 'Bot', files: ['package.json'] }] }, { dir: b, name: 'bravo' }], teams: [{ slug: 'platform', repos: [{ name: 'alpha', permission: 'ADMIN' }] }] }).start();
const config = parseConfig(`database: sw.db\nsources:\n  - type: github\n    org: acme\n    apiUrl: ${fake.apiUrl}\nteams:\n  - {name: payments, displayName: Payments, repos: ['nothing']}\n  - {name: platform, displayName: Platform, repos: ['nothing']}\n`, path.join(dir, 'seaworthy.config.yaml'));
const logger = createLogger({});
for (let i = 0; i < 2; i++) {
  const summary = await crawl(config, { dbPath: path.join(dir, 'sw.db'), logger, env: { GITHUB_TOKEN: 'ghp_fakeTOKEN1234567890' }, github: { client: { secondMs: 1 } } });
  console.log(JSON.stringify(summary));
  console.log(fake.log.map((l) => `${l.kind} ${l.what} ${l.status} ${l.cost ?? ''}`).join('\n'));
  fake.resetLog();
}
await fake.stop();
