// Content-addressed cache of GitHub content in the crawl database (migration 0005): a git object id
// names its content forever, so a hit is always right, whatever repository or run asks.
import type { FileEntry, ReadResult } from '../../checks/contract.ts';
import type { Db } from '../../data/db.ts';

export type CachedBlob = Extract<ReadResult, { ok: true }> | { ok: false; reason: 'binary' };

export class ContentCache {
  private readonly statements;

  constructor(db: Db) {
    this.statements = {
      blob: db.prepare('SELECT result FROM github_blobs WHERE oid = ?').pluck(),
      touchBlob: db.prepare('UPDATE github_blobs SET used_at = ? WHERE oid = ?'),
      putBlob: db.prepare('INSERT OR REPLACE INTO github_blobs (oid, result, byte_size, used_at) VALUES (?, ?, ?, ?)'),
      tree: db.prepare('SELECT files, problems FROM github_trees WHERE commit_oid = ?'),
      touchTree: db.prepare('UPDATE github_trees SET used_at = ? WHERE commit_oid = ?'),
      putTree: db.prepare('INSERT OR REPLACE INTO github_trees (commit_oid, files, problems, used_at) VALUES (?, ?, ?, ?)'),
      pruneBlobs: db.prepare('DELETE FROM github_blobs WHERE used_at < ?'),
      pruneTrees: db.prepare('DELETE FROM github_trees WHERE used_at < ?'),
    };
  }

  blob(oid: string): CachedBlob | undefined {
    const raw = this.statements.blob.get(oid) as string | undefined;
    if (raw === undefined) return undefined;
    this.statements.touchBlob.run(new Date().toISOString(), oid);
    return JSON.parse(raw) as CachedBlob;
  }

  putBlob(oid: string, result: CachedBlob, byteSize: number): void {
    this.statements.putBlob.run(oid, JSON.stringify(result), byteSize, new Date().toISOString());
  }

  tree(commitOid: string): { files: FileEntry[]; problems: string[] } | undefined {
    const row = this.statements.tree.get(commitOid) as { files: string; problems: string } | undefined;
    if (!row) return undefined;
    this.statements.touchTree.run(new Date().toISOString(), commitOid);
    return { files: JSON.parse(row.files) as FileEntry[], problems: JSON.parse(row.problems) as string[] };
  }

  putTree(commitOid: string, files: FileEntry[], problems: string[]): void {
    this.statements.putTree.run(commitOid, JSON.stringify(files), JSON.stringify(problems), new Date().toISOString());
  }

  /** Drops entries no crawl used since `before`. */
  prune(before: Date): { blobs: number; trees: number } {
    const at = before.toISOString();
    return { blobs: this.statements.pruneBlobs.run(at).changes, trees: this.statements.pruneTrees.run(at).changes };
  }
}
