// The registry cache on the crawler's one SQLite connection (Store.db).
import { z } from 'zod';
import type { Ecosystem, PackageRelease } from '../../checks/contract.ts';
import type { Db } from '../../data/db.ts';

export type CachedLookup =
  | { status: 'found'; releases: PackageRelease[]; fetchedAt: string }
  | { status: 'not-found'; reason: string; fetchedAt: string };

const storedReleases = z.array(z.object({ version: z.string(), publishedAt: z.string().nullable(), yanked: z.boolean(), deprecated: z.boolean() }));

interface Row {
  status: 'found' | 'not-found';
  releases: string | null;
  reason: string | null;
  fetched_at: string;
}

export class RegistryCache {
  private readonly statements;

  constructor(db: Db) {
    this.statements = {
      get: db.prepare('SELECT status, releases, reason, fetched_at FROM registry_cache WHERE ecosystem = ? AND name = ?'),
      recent: db.prepare("SELECT name, releases FROM registry_cache WHERE ecosystem = ? AND status = 'found' ORDER BY fetched_at DESC LIMIT ?"),
      put: db.prepare(
        `INSERT INTO registry_cache (ecosystem, name, status, releases, reason, fetched_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (ecosystem, name) DO UPDATE SET status = excluded.status, releases = excluded.releases, reason = excluded.reason, fetched_at = excluded.fetched_at`,
      ),
    };
  }

  /** The stored answer whatever its age; undefined when absent or unreadable (a damaged row is asked again). */
  get(ecosystem: Ecosystem, name: string): CachedLookup | undefined {
    const row = this.statements.get.get(ecosystem, name) as Row | undefined;
    if (!row) return undefined;
    if (row.status === 'not-found') return { status: 'not-found', reason: row.reason ?? 'not found in registry', fetchedAt: row.fetched_at };
    let releases: unknown;
    try {
      releases = JSON.parse(row.releases ?? '');
    } catch (error) {
      void error; // A row we cannot read is the same as no row: the registry is asked again.
      return undefined;
    }
    const parsed = storedReleases.safeParse(releases);
    return parsed.success ? { status: 'found', releases: parsed.data, fetchedAt: row.fetched_at } : undefined;
  }

  /** The most recently fetched release histories of an ecosystem (unreadable rows skipped). */
  recent(ecosystem: Ecosystem, limit: number): { name: string; releases: PackageRelease[] }[] {
    return (this.statements.recent.all(ecosystem, limit) as { name: string; releases: string | null }[]).flatMap((row) => {
      try {
        const parsed = storedReleases.safeParse(JSON.parse(row.releases ?? ''));
        return parsed.success ? [{ name: row.name, releases: parsed.data }] : [];
      } catch {
        return []; // an unreadable row says nothing about the host
      }
    });
  }

  putFound(ecosystem: Ecosystem, name: string, releases: readonly PackageRelease[], fetchedAt: string): void {
    const plain = releases.map((r) => ({ version: r.version, publishedAt: r.publishedAt, yanked: r.yanked, deprecated: r.deprecated }));
    this.statements.put.run(ecosystem, name, 'found', JSON.stringify(plain), null, fetchedAt);
  }

  putNotFound(ecosystem: Ecosystem, name: string, reason: string, fetchedAt: string): void {
    this.statements.put.run(ecosystem, name, 'not-found', null, reason, fetchedAt);
  }
}
