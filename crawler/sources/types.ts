import type { RepoSnapshot } from '../../checks/contract.ts';
import type { Logger } from '../log.ts';

/** A repository a source can snapshot; `key` is stable across runs and unique across sources. */
export interface RepoRef {
  key: string;
  host: string;
  owner: string;
  name: string;
  /** Where the source finds it: a directory for local git, an API id for hosts. */
  location: string;
  webUrl?: string;
}

export interface SnapshotNeeds {
  /** Picomatch patterns (case-insensitive) of files whose content must be fetched. */
  readPatterns: string[];
  /** Whether any check needs commit history. */
  history: boolean;
  maxFileBytes: number;
  historyLimit: number;
  /** Read the default branch as it was at this date instead of its head. */
  asOf?: Date;
}

export type OwnerSource = 'config' | 'github-team' | 'codeowners' | 'catalog-info';

export interface SourceUsage {
  /** GraphQL points, summed from each response's rateLimit.cost. */
  points: number;
  graphqlRequests: number;
  restRequests: number;
}

/** A candidate folder (or listed repository) that was not crawled, with the real reason. */
export interface SkippedFolder {
  location: string;
  reason: string;
}

export interface RepoSource {
  readonly description: string;
  /** Repositories to crawl; what was passed over and why goes to the logger. */
  list(logger?: Logger): Promise<RepoRef[]>;
  /** Candidates the last `list()` could not crawl (not a repository, refused by git), for the run's record. */
  skipped?(): SkippedFolder[];
  snapshot(ref: RepoRef, needs: SnapshotNeeds): Promise<RepoSnapshot>;
  /**
   * The current default-branch head commit of each ref (key → oid; null when the repository has no
   * commit or could not be asked), in bulk and cheaply, so unchanged repositories are carried forward.
   */
  heads?(refs: RepoRef[]): Promise<Map<string, string | null>>;
  /** These refs will be snapshotted, in this order: lets a hosted source fetch several per request. */
  prepare?(refs: RepoRef[], needs: SnapshotNeeds): void;
  /** Where owners come from, first match wins; default ['config']. */
  readonly ownership?: readonly OwnerSource[];
  /** Teams of the host (slugs) that administer or maintain the repository. */
  hostTeams?(ref: RepoRef): Promise<string[]>;
  /** API spending so far (hosted sources). */
  usage?(): SourceUsage;
}

/** A problem reaching a repository as a whole (not a bad file inside it). */
export class SourceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SourceError';
  }
}

/** The repository has no commit at the requested date: it did not exist yet, so there is nothing to judge. */
export class NoCommitAtDateError extends SourceError {
  constructor(date: Date) {
    super(`no commit on the default branch on or before ${date.toISOString()}`);
    this.name = 'NoCommitAtDateError';
  }
}

/** The repository has no commit at all (initialised, never committed to): nothing to judge, nothing broken. */
export class EmptyRepositoryError extends SourceError {
  constructor() {
    super('empty repository: no commits to judge');
    this.name = 'EmptyRepositoryError';
  }
}
