import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lineIndex } from './text.ts';

describe('lineIndex', () => {
  it('maps offsets to 1-based lines, a newline belonging to the line it ends', () => {
    const at = lineIndex('a\nbc\n\nd');
    expect([0, 1, 2, 4, 5, 6].map(at)).toEqual([1, 1, 2, 2, 3, 4]);
  });

  it('puts offsets past the end on the last line, and text without newlines on line 1', () => {
    expect(lineIndex('abc')(99)).toBe(1);
    expect(lineIndex('')(0)).toBe(1);
    expect(lineIndex('a\n')(5)).toBe(2);
  });

  it('agrees with counting the newlines before the offset', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '\n', '\r', 'é') }), fc.nat(), (text, n) => {
        const offset = n % (text.length + 1);
        expect(lineIndex(text)(offset)).toBe(text.slice(0, offset).split('\n').length);
      }),
      { numRuns: 300 },
    );
  });
});
