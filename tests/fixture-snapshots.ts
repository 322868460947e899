// What the crawler would hand a check: a one-commit git repository built with the fixture factory,
// read by the real local source with exactly the patterns the check declares.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RepoSnapshot } from '../checks/contract.ts';
import { LocalGitSource } from '../crawler/sources/local-git.ts';
import { createRepo, type FixtureCommit, type FixtureFile } from '../fixtures/factory.ts';

export function fixtureSnapshots(defaults: { namePrefix: string; webUrl?: string }) {
  let root: string | undefined;
  let count = 0;
  return {
    /** `files` become one commit; pass `commits` instead (files ignored) for a repository with history. */
    async snapshot(reads: string[], files: Record<string, FixtureFile>, opts: { name?: string; maxFileBytes?: number; commits?: FixtureCommit[]; historyLimit?: number } = {}): Promise<RepoSnapshot> {
      root ??= mkdtempSync(path.join(os.tmpdir(), 'sw-check-'));
      const name = opts.name ?? `${defaults.namePrefix}-${++count}`;
      const parent = mkdtempSync(path.join(root, 'parent-'));
      createRepo(parent, { name, commits: opts.commits ?? [{ date: '2026-10-01T12:00:00Z', message: 'initial', files }] });
      const source = new LocalGitSource({ paths: [name], baseDir: parent, owner: 'acme', webUrl: defaults.webUrl });
      const refs = await source.list();
      if (refs.length !== 1) throw new Error(`fixture ${name}: expected one repository, listed ${refs.length}`);
      return source.snapshot(refs[0]!, { readPatterns: reads, history: opts.commits !== undefined, maxFileBytes: opts.maxFileBytes ?? 1_048_576, historyLimit: opts.historyLimit ?? 1000 });
    },
    cleanup(): void {
      if (root) rmSync(root, { recursive: true, force: true });
    },
  };
}
