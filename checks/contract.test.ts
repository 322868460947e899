// Every check follows the contract: one folder, README with the three headings, tests beside it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RUNNER_RULES, ruleAnchor } from './contract.ts';
import { CHECKS } from './registry.ts';

const CHECKS_DIR = path.dirname(fileURLToPath(import.meta.url));
const folders = readdirSync(CHECKS_DIR).filter((f) => statSync(path.join(CHECKS_DIR, f)).isDirectory());
const readmeOf = (id: string) => readFileSync(path.join(CHECKS_DIR, id, 'README.md'), 'utf8');

/** Markdown without its fenced code blocks, whose "#" lines are not headings. */
function withoutCode(markdown: string): string {
  return markdown.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '');
}

/** The rule subsections of a README: `<h3 id="rule-<name>">Title</h3>` and the text up to the next heading. */
function ruleSections(markdown: string): { name: string; title: string; words: number; inHowToFix: boolean }[] {
  const text = withoutCode(markdown);
  const fix = /^## How to fix[ \t]*$/m.exec(text);
  const fixEnd = fix ? text.slice(fix.index + 1).search(/^## /m) : -1;
  const end = fix ? (fixEnd < 0 ? text.length : fix.index + 1 + fixEnd) : -1;
  return [...text.matchAll(/<h3 id="rule-([^"]*)">([^<]*)<\/h3>/g)].map((m) => {
    const after = text.slice(m.index + m[0].length);
    const next = after.search(/^#{1,3} |<h3 /m);
    return {
      name: m[1]!,
      title: m[2]!,
      words: (next < 0 ? after : after.slice(0, next)).split(/\s+/).filter(Boolean).length,
      inHowToFix: fix !== null && m.index > fix.index && m.index < end,
    };
  });
}

describe('check contract', () => {
  it('registers every check folder, and only those', () => {
    expect(CHECKS.map((c) => c.id).sort()).toEqual(folders.filter((f) => existsSync(path.join(CHECKS_DIR, f, 'index.ts'))).sort());
    expect(new Set(CHECKS.map((c) => c.id)).size).toBe(CHECKS.length);
  });

  it('resolves every rule id and rule anchor any check README mentions', () => {
    const known = new Map(CHECKS.map((c) => [c.id, new Set([...Object.keys(c.meta.rules), ...Object.keys(RUNNER_RULES)])]));
    const ids = new RegExp(`\\b(${CHECKS.map((c) => c.id).join('|')})/([a-z][a-z0-9-]*)`, 'g');
    const unresolved: string[] = [];
    // In prose and in code spans alike; paths such as "docs/runbooks/x.md" are not rule ids.
    for (const check of CHECKS) {
      const readme = readmeOf(check.id);
      for (const m of readme.matchAll(ids)) {
        const before = readme[m.index - 1] ?? '';
        const after = readme.slice(m.index + m[0].length, m.index + m[0].length + 2);
        const isPath = before === '/' || after.startsWith('/') || /^\.\w/.test(after);
        if (!isPath && !known.get(m[1]!)!.has(m[2]!)) unresolved.push(`${check.id}: ${m[0]}`);
      }
      for (const m of readme.matchAll(/\]\((?:\/checks\/([a-z-]+)\/)?#rule-([a-z0-9-]+)\)/g)) {
        if (!known.get(m[1] ?? check.id)?.has(m[2]!)) unresolved.push(`${check.id}: ${m[0]}`);
      }
    }
    expect(unresolved).toEqual([]);
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
      it('declares its rules, each with a "How to fix" subsection anchored at rule-<name>, and documents no other', () => {
        const declared = Object.entries(check.meta.rules as Record<string, { title: string }>);
        expect(declared.length).toBeGreaterThan(0);
        for (const [name, rule] of declared) {
          expect(name).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
          expect(rule.title.trim().length).toBeGreaterThan(0);
        }
        const sections = ruleSections(readmeOf(check.id));
        const documented = sections.map((x) => x.name);
        expect(new Set(documented).size, 'a rule documented twice').toBe(documented.length);
        expect(declared.map(([name]) => name).filter((name) => !documented.includes(name)), 'declared rules without a subsection').toEqual([]);
        expect(documented.filter((name) => !Object.hasOwn(check.meta.rules, name)), 'subsections of undeclared rules').toEqual([]);
        for (const x of sections) {
          expect(x.inHowToFix, `rule-${x.name} is outside "## How to fix"`).toBe(true);
          expect(x.title, `the heading of rule-${x.name} is its title`).toBe((check.meta.rules as Record<string, { title: string }>)[x.name]!.title);
          expect(x.words, `rule-${x.name} says how to fix it`).toBeGreaterThanOrEqual(20);
        }
        expect(ruleAnchor(`${check.id}/${documented[0]}`)).toBe(`rule-${documented[0]}`);
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
