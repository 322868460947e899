// Optional: crawls a small public organisation on the real GitHub end to end. Skipped unless
// SEAWORTHY_LIVE_GITHUB_TOKEN is set (SEAWORTHY_LIVE_GITHUB_ORG picks the organisation).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../crawler/config.ts';
import { createLogger } from '../crawler/log.ts';
import { crawl } from '../crawler/run.ts';
import { tempDir } from './helpers.ts';

const token = process.env.SEAWORTHY_LIVE_GITHUB_TOKEN;
const org = process.env.SEAWORTHY_LIVE_GITHUB_ORG ?? 'octo-org';

describe.skipIf(!token)('live GitHub', () => {
  it(`crawls ${org} and records the points it spent`, async () => {
    const tmp = tempDir('sw-live-');
    try {
      const config = parseConfig(`database: live.db\nsources:\n  - type: github\n    org: ${org}\n    auth: {tokenEnv: LIVE_TOKEN}\n    forks: true\n    archived: true\n`, path.join(tmp.dir, 'seaworthy.config.yaml'));
      const summary = await crawl(config, { dbPath: path.join(tmp.dir, 'live.db'), logger: createLogger({ quiet: true }), env: { LIVE_TOKEN: token } });
      expect(summary.status).toBe('ok');
      expect(summary.repositories).toBeGreaterThan(0);
      expect(summary.api!.points).toBeGreaterThan(0);
      expect(summary.api!.points / summary.repositories).toBeLessThanOrEqual(1);
      const again = await crawl(config, { dbPath: path.join(tmp.dir, 'live.db'), logger: createLogger({ quiet: true }), env: { LIVE_TOKEN: token } });
      expect(again.carriedForward).toBeGreaterThan(0);
    } finally {
      tmp.cleanup();
    }
  });
});
