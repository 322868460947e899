// Every check follows the contract: one folder, README with the three headings, tests beside it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHECKS } from './registry.ts';

const CHECKS_DIR = path.dirname(fileURLToPath(import.meta.url));
const folders = readdirSync(CHECKS_DIR).filter((f) => statSync(path.join(CHECKS_DIR, f)).isDirectory());

describe('check contract', () => {
  it('registers every check folder, and only those', () => {
    expect(CHECKS.map((c) => c.id).sort()).toEqual(folders.filter((f) => existsSync(path.join(CHECKS_DIR, f, 'index.ts'))).sort());
    expect(new Set(CHECKS.map((c) => c.id)).size).toBe(CHECKS.length);
  });

  for (const check of CHECKS) {
    describe(check.id, () => {
      const dir = path.join(CHECKS_DIR, check.id);
      it('lives in a folder named after its id with a default export', async () => {
        const mod = (await import(path.join(dir, 'index.ts'))) as { default: unknown };
        expect(mod.default).toBe(check);
        expect(check.docsPath).toBe(`/checks/${check.id}/`);
      });
      it('has a README with What it checks · Why it matters · How to fix', () => {
        const readme = readFileSync(path.join(dir, 'README.md'), 'utf8');
        const headings = [...readme.matchAll(/^##\s+(.+?)\s*$/gm)].map((m) => m[1]);
        expect(headings).toEqual(expect.arrayContaining(['What it checks', 'Why it matters', 'How to fix']));
        expect(headings.indexOf('What it checks')).toBeLessThan(headings.indexOf('How to fix'));
      });
      it('has tests beside it', () => {
        expect(readdirSync(dir).some((f) => f.endsWith('.test.ts'))).toBe(true);
      });
      it('opens with a comment linking the standard it enforces', () => {
        const source = readFileSync(path.join(dir, 'index.ts'), 'utf8');
        expect(source.split('\n')[0]).toMatch(/^\/\/ .*https?:\/\/|^\/\/ Standards?:/);
      });
      it('declares sane metadata and options with defaults', () => {
        expect(check.meta.title.length).toBeGreaterThan(0);
        expect(check.meta.weight).toBeGreaterThan(0);
        expect(check.meta.reads.length).toBeGreaterThan(0);
        expect(() => check.meta.options.parse({})).not.toThrow();
      });
    });
  }
});
