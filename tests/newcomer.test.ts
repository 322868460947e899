// A newcomer's first minutes: typos, a missing or odd configuration, local clones — each answered
// with what is wrong, where, and what to do, never a stack trace.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRepo } from '../fixtures/factory.ts';
import { runCli, tempDir, writeConfig } from './helpers.ts';

describe('first steps with the command line', () => {
  const tmp = tempDir('sw-newcomer-');
  afterAll(tmp.cleanup);

  it('suggests the command a typo meant, and only a close one', () => {
    const typo = runCli(['crwal']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown command "crwal"; did you mean "crawl"?');
    const far = runCli(['deploy-everything']);
    expect(far.code).toBe(2);
    expect(far.stderr).toContain('unknown command "deploy-everything"');
    expect(far.stderr).not.toContain('did you mean');
  });

  it('points at seaworthy init when there is no configuration', () => {
    const missing = runCli(['crawl', '-c', path.join(tmp.dir, 'nowhere.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no configuration at .*nowhere\.yaml\. Run "npx seaworthy init"/);
    expect(missing.stderr).toContain('init --local');
  });

  it('writes a configuration for local clones that crawls them at once', () => {
    const dir = path.join(tmp.dir, 'local');
    createRepo(path.join(dir, 'clones'), { name: 'billing', commits: [{ date: '2026-09-01T00:00:00Z', message: 'init', files: { 'README.md': '# billing\n' } }] });
    const written = runCli(['init', '--local', path.join(dir, 'clones'), '--dir', dir]);
    expect(written.code, written.stderr).toBe(0);
    const config = readFileSync(path.join(dir, 'seaworthy.config.yaml'), 'utf8');
    expect(config).toContain('type: local');
    expect(config).toContain('paths: ["clones/*"]');
    const again = runCli(['init', '--local', path.join(dir, 'clones'), '--dir', dir]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('already exists');
    const crawl = runCli(['crawl', '-c', path.join(dir, 'seaworthy.config.yaml'), '--offline', '--json']);
    expect(crawl.code, crawl.stderr).toBeLessThanOrEqual(1);
    expect(JSON.parse(crawl.stdout)).toMatchObject({ repositories: 1, skippedFolders: [] });
    const wrong = runCli(['init', '--local', 'no-such-folder', '--dir', dir, '--force']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--local no-such-folder: no folder at/);
  });
});

describe('configuration files people get wrong', () => {
  const tmp = tempDir('sw-config-odd-');
  afterAll(tmp.cleanup);
  const sources = 'sources:\n  - type: local\n    paths: ["repos/*"]\n';

  it('names a file that is not UTF-8, on the line of the first stray byte', () => {
    const file = path.join(tmp.dir, 'latin1.yaml');
    writeFileSync(file, Buffer.concat([Buffer.from(`${sources}teams:\n  - name: caf`), Buffer.from([0xe9]), Buffer.from('\n    displayName: Cafe\n    repos: ["*"]\n')]));
    const run = runCli(['crawl', '-c', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('latin1.yaml:5: the file is not UTF-8');
    const utf16 = path.join(tmp.dir, 'utf16.yaml');
    writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(sources, 'utf16le')]));
    const run16 = runCli(['crawl', '-c', utf16]);
    expect(run16.code).toBe(2);
    expect(run16.stderr).toContain('utf16.yaml:1: the file is UTF-16');
  });

  it('refuses an alias bomb with exit 2 and the file named, before expanding it', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)}]`);
    const file = writeConfig(tmp.dir, `${sources}${lines.join('\n')}\n`, 'bomb.yaml');
    const run = runCli(['crawl', '-c', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/bomb\.yaml: YAML could not be read: .*alias/i);
  });

  it('gives the line of a team or level defined twice', () => {
    const teams = writeConfig(tmp.dir, `${sources}teams:\n  - name: payments\n    displayName: Payments\n    repos: ["a"]\n  - name: payments\n    displayName: Payments again\n    repos: ["b"]\n`, 'teams.yaml');
    const run = runCli(['crawl', '-c', teams]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('teams.yaml:8: teams[1].name: team "payments" is defined twice');
    const levels = writeConfig(tmp.dir, `${sources}levels:\n  - {name: Gold, everyCheck: 8}\n  - {name: gold, everyCheck: 9}\n`, 'levels.yaml');
    const runLevels = runCli(['crawl', '-c', levels]);
    expect(runLevels.code).toBe(2);
    expect(runLevels.stderr).toContain('levels.yaml:6: levels[1].name: level "gold" is defined twice');
  });
});

describe('where the database goes', () => {
  const tmp = tempDir('sw-dbfolder-');
  afterAll(tmp.cleanup);

  function localConfig(dir: string, database: string): string {
    createRepo(path.join(dir, 'repos'), { name: 'svc', commits: [{ date: '2026-09-01T00:00:00Z', message: 'init', files: { 'README.md': '# svc\n' } }] });
    return writeConfig(dir, `database: ${JSON.stringify(database)}\nsources:\n  - type: local\n    paths: ["repos/*"]\n`);
  }

  it('refuses a database whose folder and its parent are missing, naming the folder, and creates nothing', () => {
    const dir = path.join(tmp.dir, 'unmounted');
    mkdirSync(dir);
    const config = localConfig(dir, 'mnt/backups/seaworthy/history.db');
    const run = runCli(['crawl', '-c', config, '--offline']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`the database folder ${path.join(dir, 'mnt/backups/seaworthy')} does not exist`);
    expect(existsSync(path.join(dir, 'mnt'))).toBe(false);
  });

  it("creates the database's own folder when only that one is missing (the default data/)", () => {
    const dir = path.join(tmp.dir, 'fresh');
    mkdirSync(dir);
    const config = localConfig(dir, 'data/seaworthy.db');
    const run = runCli(['crawl', '-c', config, '--offline']);
    expect(run.code, run.stderr).toBeLessThanOrEqual(1);
    expect(existsSync(path.join(dir, 'data/seaworthy.db'))).toBe(true);
  });
});
