// `seaworthy init`: a starter seaworthy.config.yaml and the nightly workflow, never over existing files
// unless asked (--force).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { configTemplate, localConfigTemplate, workflowTemplate, type InitOptions } from './templates.ts';

export class InitRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InitRefused';
  }
}

/** The repository name of the directory's "origin" remote, for the Pages base path. */
export function originRepo(dir: string): string | undefined {
  const result = spawnSync('git', ['config', '--get', 'remote.origin.url'], { cwd: dir, encoding: 'utf8' });
  if (result.status !== 0) return undefined;
  const match = /[/:]([^/:]+?)(?:\.git)?\/?$/.exec(result.stdout.trim());
  return match?.[1];
}

/** A configuration in `dir` for the local clones under `clonesDir` (absolute, or relative to the current directory). */
export function initLocal(dir: string, clonesDir: string, options: { force?: boolean } = {}): { written: string[] } {
  const file = path.join(dir, 'seaworthy.config.yaml');
  if (existsSync(file) && !options.force) throw new InitRefused('seaworthy.config.yaml already exists; nothing was written. Pass --force to overwrite.');
  const relative = path.relative(dir, path.resolve(clonesDir)) || '.';
  const glob = `${relative.split(path.sep).join('/').replace(/\/+$/, '')}/*`;
  writeFileSync(file, localConfigTemplate({ clonesGlob: glob, database: 'data/seaworthy.db', outDir: 'dist' }));
  return { written: [file] };
}

export function init(dir: string, options: Partial<InitOptions> & { force?: boolean }): { written: string[] } {
  const settings: InitOptions = {
    org: options.org ?? 'your-org',
    repo: options.repo ?? originRepo(dir),
    shards: options.shards ?? 1,
    database: options.database ?? 'data/seaworthy.db',
    outDir: options.outDir ?? 'dist',
  };
  const files = [
    { file: path.join(dir, 'seaworthy.config.yaml'), text: configTemplate(settings) },
    { file: path.join(dir, '.github', 'workflows', 'seaworthy.yml'), text: workflowTemplate(settings) },
  ];
  const existing = files.filter((f) => existsSync(f.file));
  if (existing.length > 0 && !options.force) {
    throw new InitRefused(`${existing.map((f) => path.relative(dir, f.file) || f.file).join(' and ')} already exist${existing.length === 1 ? 's' : ''}; nothing was written. Pass --force to overwrite.`);
  }
  for (const { file, text } of files) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return { written: files.map((f) => f.file) };
}
