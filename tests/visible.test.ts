// Names shown to people: control characters and bidirectional overrides visible, Markdown from names inert.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crawlMarkdown } from '../crawler/step-summary.ts';
import type { CrawlSummary } from '../crawler/run.ts';
import { csvField } from '../data/api.ts';
import { markdownText, showInvisible } from '../data/visible.ts';

const SPOOF = 'invoice\u202Egpj.exe\u001B[31m\r';

/** Characters of the text that Markdown would read as syntax: not preceded by an odd number of backslashes. */
function unescaped(markdown: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < markdown.length; i++) {
    if (!/[`*_[\]()!<>&~|#]/.test(markdown[i]!)) continue;
    let slashes = 0;
    for (let j = i - 1; j >= 0 && markdown[j] === '\\'; j--) slashes++;
    if (slashes % 2 === 0) found.push(markdown[i]!);
  }
  return found;
}

describe('names shown visibly', () => {
  it('shows control characters and bidirectional overrides as their code points', () => {
    expect(showInvisible(SPOOF)).toBe('invoice⟨U+202E⟩gpj.exe⟨U+001B⟩[31m⟨U+000D⟩');
    expect(showInvisible('tab\tand\nline')).toBe('tab\tand\nline');
    expect(showInvisible('\u2066x\u2069\u200F\u0085')).toBe('⟨U+2066⟩x⟨U+2069⟩⟨U+200F⟩⟨U+0085⟩');
    expect(csvField(SPOOF)).toBe('"invoice⟨U+202E⟩gpj.exe⟨U+001B⟩[31m⟨U+000D⟩"');
  });

  it('leaves no Markdown syntax and no invisible character in any text put in a job summary cell', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('[', ']', '(', ')', '!', '<', '>', '&', '\\', '`', '|', '*', '_', '#', 'a', ' ', '\n', '\r', '\u202E', '\u001B', 'é') , maxLength: 40 }), (text) => {
        const cell = markdownText(text);
        expect(unescaped(cell)).toEqual([]);
        expect(cell).not.toMatch(/[\r\n\u001B\u202E]/);
      }),
    );
  });

  it('escapes links, images and HTML in repository names in the crawl summary', () => {
    const summary: CrawlSummary = {
      runId: 3, status: 'partial', repositories: 2, skipped: 0, skippedFolders: [{ location: '<img src=x onerror=alert(1)>', reason: 'not a git repository' }],
      errors: [{ repo: '[click](https://evil.example)![x](https://evil.example/p.png)', error: '<script>alert(1)</script>' }, { repo: SPOOF, error: 'no commits' }],
      statusCounts: {}, durationMs: 1000, carriedForward: 0, stale: 1, api: null,
    };
    const markdown = crawlMarkdown(summary);
    expect(markdown).toContain('| \\[click\\]\\(https://evil.example\\)\\!\\[x\\]\\(https://evil.example/p.png\\) | \\<script\\>alert\\(1\\)\\</script\\> |');
    expect(markdown).toContain('| invoice⟨U+202E⟩gpj.exe⟨U+001B⟩\\[31m⟨U+000D⟩ | no commits |');
    expect(markdown).toContain('\\<img src=x onerror=alert\\(1\\)\\>');
    expect(markdown).not.toMatch(/[\r\u001B\u202E]/);
  });
});
