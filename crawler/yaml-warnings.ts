// Named apart from crawler/warnings.ts, which the launcher loads before anything else: this part
// needs the YAML parser, which only a crawl should pay for.
import type { RepoSnapshot } from '../checks/contract.ts';
import { collectionKeys } from '../checks/shared/yaml.ts';
import type { Logger } from './log.ts';
import { warnOnce } from './warnings.ts';

const YAML_FILE = /\.ya?ml$/i;

/**
 * Names, once per file, the YAML files of a snapshot with a mapping key that is a collection: the
 * checks read such a key as its YAML text (checks/shared/yaml.ts), and the tool the file is for
 * would refuse it, so whoever reads the logs should know.
 */
export function warnCollectionKeys(snapshot: RepoSnapshot, repo: string, logger: Logger): void {
  for (const file of snapshot.files) {
    if (file.kind !== 'file' || !YAML_FILE.test(file.path)) continue;
    const content = snapshot.read(file.path);
    if (!content.ok) continue;
    const keys = collectionKeys(content.text);
    if (keys.length === 0) continue;
    warnOnce(logger, ['yaml-collection-key', repo, file.path].join('\0'), 'YAML mapping key is a collection; checks read it as its text', {
      repo,
      file: file.path,
      line: keys[0]!.line,
      key: keys[0]!.key,
      keys: keys.length,
    });
  }
}
