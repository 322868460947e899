import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillPoints, uncoveredPoints } from '../crawler/backfill.ts';
import { Queries } from '../data/queries.ts';
import { createRepo } from '../fixtures/factory.ts';
import { runCli, tempDir, writeConfig } from './helpers.ts';

describe('backfill points', () => {
  it('are weekly, oldest first, and end a week before the given day', () => {
    const points = backfillPoints(3, new Date('2026-11-21T02:00:00Z')).map((d) => d.toISOString().slice(0, 10));
    expect(points).toEqual(['2026-10-31', '2026-11-07', '2026-11-14']);
  });

  it('skip weeks that already have a run within three days', () => {
    const points = backfillPoints(3, new Date('2026-11-21T02:00:00Z'));
    const left = uncoveredPoints(points, ['2026-11-09T10:00:00Z', '2026-10-20T00:00:00Z']);
    expect(left.map((d) => d.toISOString().slice(0, 10))).toEqual(['2026-10-31', '2026-11-14']);
  });
});

describe('seaworthy crawl --backfill', () => {
  const tmp = tempDir('sw-backfill-');
  let config: string;
  afterAll(tmp.cleanup);

  beforeAll(() => {
    createRepo(path.join(tmp.dir, 'repos'), {
      name: 'svc',
      commits: [
        { date: '2026-09-01T00:00:00Z', message: 'service', files: { Dockerfile: 'FROM node:24\n' } },
        { date: '2026-11-10T00:00:00Z', message: 'runbook', files: { 'RUNBOOK.md': '# Runbook\n\n## Symptoms\nThe service returns errors.\n' } },
      ],
    });
    config = writeConfig(tmp.dir, `database: b.db\nsources:\n  - type: local\n    paths: ['repos/*']\n`);
  });

  it('records one run per week before tonight, each judged as the repository was then, and adds none twice', () => {
    const first = runCli(['crawl', '-c', config, '-q', '--backfill', '4', '--as-of', '2026-11-21T02:00:00Z']);
    expect(first.code, first.stderr).toBe(0);
    let q = new Queries(path.join(tmp.dir, 'b.db'));
    const runs = q.runs();
    expect(runs.map((r) => r.startedAt.slice(0, 10))).toEqual(['2026-10-24', '2026-10-31', '2026-11-07', '2026-11-14', '2026-11-21']);
    // The runbook appeared on 2026-11-10: the weekly points before it judged the older tree.
    const heads = runs.map((r) => q.repositories(r.id)[0]!.headDate?.slice(0, 10));
    expect(heads).toEqual(['2026-09-01', '2026-09-01', '2026-09-01', '2026-11-10', '2026-11-10']);
    q.close();

    const again = runCli(['crawl', '-c', config, '-q', '--backfill', '4', '--as-of', '2026-11-22T02:00:00Z']);
    expect(again.code, again.stderr).toBe(0);
    q = new Queries(path.join(tmp.dir, 'b.db'));
    expect(q.runs()).toHaveLength(6);
    q.close();
  });

  it('rejects a number of weeks that is not one', () => {
    const bad = runCli(['crawl', '-c', config, '--backfill', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--backfill must be a number of weeks');
  });
});
