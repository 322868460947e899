// The file list of a commit from one REST call (GET git/trees/{sha}?recursive=1). GitHub truncates
// very large trees; then each subtree is listed on its own, within a bounded number of requests.
import type { FileEntry } from '../../checks/contract.ts';
import type { GitHubClient } from './client.ts';

interface RestTreeEntry {
  path: string;
  mode: string;
  type: string;
  sha: string;
  size?: number;
}

interface RestTree {
  sha: string;
  truncated: boolean;
  tree: RestTreeEntry[];
}

function isRestTree(value: unknown): value is RestTree {
  const v = value as RestTree;
  return !!v && typeof v === 'object' && Array.isArray(v.tree) && typeof v.truncated === 'boolean' && v.tree.every((e) => e && typeof e.path === 'string' && typeof e.sha === 'string' && typeof e.type === 'string');
}

function toEntry(prefix: string, e: RestTreeEntry): FileEntry | undefined {
  if (e.type === 'tree') return undefined;
  const kind = e.type === 'commit' ? 'submodule' : e.mode === '120000' ? 'symlink' : 'file';
  return { path: prefix + e.path, oid: e.sha, size: kind === 'submodule' ? 0 : (e.size ?? 0), kind };
}

export async function fetchFileList(client: GitHubClient, owner: string, repo: string, commitOid: string, maxRequests = 200): Promise<{ files: FileEntry[]; problems: string[] }> {
  const files: FileEntry[] = [];
  const problems: string[] = [];
  let requests = 0;
  const get = async (sha: string, recursive: boolean): Promise<RestTree> => {
    requests++;
    const data = await client.rest<unknown>('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', { owner, repo, tree_sha: sha, ...(recursive ? { recursive: '1' } : {}) }, `listing the files of ${owner}/${repo}`);
    if (!isRestTree(data)) throw new Error(`listing the files of ${owner}/${repo}: GitHub answered with something that is not a tree`);
    return data;
  };
  const walk = async (sha: string, prefix: string): Promise<void> => {
    const whole = await get(sha, true);
    if (!whole.truncated) {
      for (const e of whole.tree) {
        const entry = toEntry(prefix, e);
        if (entry) files.push(entry);
      }
      return;
    }
    // Too big for one answer: this level alone, then each subtree.
    const level = await get(sha, false);
    if (level.truncated) problems.push(`file list incomplete: GitHub cut the listing of ${prefix || 'the top level'} short`);
    for (const e of level.tree) {
      if (e.type !== 'tree') {
        const entry = toEntry(prefix, e);
        if (entry) files.push(entry);
      } else if (requests < maxRequests) {
        await walk(e.sha, `${prefix}${e.path}/`);
      } else {
        problems.push(`file list incomplete: ${prefix}${e.path}/ was not listed (the repository's tree is too large to list within ${maxRequests} requests)`);
      }
    }
  };
  await walk(commitOid, '');
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, problems };
}
