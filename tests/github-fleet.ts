// A fake GitHub organisation over factory-built repositories, and a crawl configured against it.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseConfig, type SeaworthyConfig } from '../crawler/config.ts';
import { createLogger, type Logger } from '../crawler/log.ts';
import { crawl, type CrawlSummary } from '../crawler/run.ts';
import { createRepo, type FixtureRepoSpec } from '../fixtures/factory.ts';
import { FakeGitHub, type FakeGitHubOptions, type FakeRepo } from '../fixtures/fake-github/server.ts';
import { CLI, CLI_DEADLINE_MS, hung, tempDir } from './helpers.ts';

export const FAKE_TOKEN = 'ghp_SeaworthyFakeToken0123456789abcdef';

export interface FleetRepo extends Omit<FakeRepo, 'dir' | 'name'> {
  spec: FixtureRepoSpec;
}

export async function startFleet(repos: FleetRepo[], options: Partial<Omit<FakeGitHubOptions, 'repos'>> = {}) {
  const tmp = tempDir('sw-gh-');
  const fake = await new FakeGitHub({
    org: 'acme',
    token: FAKE_TOKEN,
    ...options,
    repos: repos.map((r) => ({ ...r, name: r.spec.name, dir: createRepo(path.join(tmp.dir, 'repos'), r.spec) })),
  }).start();
  const dbPath = path.join(tmp.dir, 'seaworthy.db');
  return {
    fake,
    dir: tmp.dir,
    dbPath,
    config(extra = '', source = ''): SeaworthyConfig {
      const yaml = `database: seaworthy.db\nsources:\n  - type: github\n    org: acme\n    apiUrl: ${fake.apiUrl}\n${source}${extra}`;
      return parseConfig(yaml, path.join(tmp.dir, 'seaworthy.config.yaml'));
    },
    async crawl(config: SeaworthyConfig, opts: { logger?: Logger; asOf?: Date; now?: Date; env?: NodeJS.ProcessEnv; onlyChecks?: string[]; secondMs?: number; batchSize?: number } = {}): Promise<CrawlSummary> {
      return crawl(config, { dbPath, logger: opts.logger ?? createLogger({ quiet: true }), asOf: opts.asOf, now: opts.now, onlyChecks: opts.onlyChecks, env: opts.env ?? { GITHUB_TOKEN: FAKE_TOKEN }, github: { client: { secondMs: opts.secondMs ?? 1 }, batchSize: opts.batchSize } });
    },
    async stop() {
      await fake.stop();
      tmp.cleanup();
    },
  };
}

/** A logger that keeps every line, to assert on (and to search for secrets). */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const write = (level: string) => (message: string, fields: Record<string, unknown> = {}) => lines.push(`${level} ${message} ${JSON.stringify(fields)}`);
  return {
    lines,
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    progress: () => ({ tick: (label: string, fields?: Record<string, unknown>) => lines.push(`tick ${label} ${JSON.stringify(fields ?? {})}`), done: () => undefined }),
  };
}

/** Runs the CLI without blocking this process, so an in-process fake GitHub can answer it. */
export function runCliAsync(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    let hanging = false;
    const timer = setTimeout(() => {
      hanging = true;
      child.kill('SIGKILL');
    }, CLI_DEADLINE_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (hanging) reject(hung(args, stderr));
      else resolve({ code, stdout, stderr });
    });
  });
}
