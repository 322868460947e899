import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Status } from '../checks/contract.ts';
import { DEFAULT_LEVELS, meetsMinimum, repoLevel, teamLevel, type LevelDefinition, type LevelResult } from '../data/levels.ts';

const CHECK_IDS = ['alpha', 'beta', 'gamma', 'delta'];
const score = fc.integer({ min: 0, max: 100 }).map((n) => n / 10);
const scoredStatus = fc.constantFrom<Status>('pass', 'warn', 'fail');
const result: fc.Arbitrary<LevelResult> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ status: scoredStatus, score }) },
  { weight: 1, arbitrary: fc.constantFrom<LevelResult>({ status: 'not-applicable', score: null }, { status: 'error', score: null }, { status: 'waived', score: null }) },
);
const results = fc.dictionary(fc.constantFrom(...CHECK_IDS), result, { minKeys: 1, maxKeys: CHECK_IDS.length });
const level: fc.Arbitrary<LevelDefinition> = fc.record(
  {
    name: fc.string({ minLength: 1, maxLength: 8 }),
    everyCheck: score,
    checks: fc.dictionary(fc.constantFrom(...CHECK_IDS), score, { maxKeys: 2 }),
  },
  { requiredKeys: ['name'] },
);
const levels = fc.array(level, { minLength: 1, maxLength: 4 });

/** The level as a comparable number: unrated below "no level" is never compared, so map it out. */
const rank = (index: number | null) => (index === null ? -2 : index);

describe('repository level', () => {
  it('never goes down when a scored result rises', () => {
    fc.assert(
      fc.property(levels, results, fc.constantFrom(...CHECK_IDS), score, (defs, rs, id, bump) => {
        const before = rs[id];
        fc.pre(before !== undefined && before.score !== null);
        const raised = { ...rs, [id]: { status: before!.status, score: Math.min(10, before!.score! + bump) } };
        expect(rank(repoLevel(defs, raised).index)).toBeGreaterThanOrEqual(rank(repoLevel(defs, rs).index));
      }),
    );
  });

  it('never rises when a result is waived instead of scored', () => {
    fc.assert(
      fc.property(levels, results, fc.constantFrom(...CHECK_IDS), (defs, rs, id) => {
        fc.pre(rs[id] !== undefined && rs[id]!.score !== null);
        const waived = { ...rs, [id]: { status: 'waived' as const, score: null } };
        expect(rank(repoLevel(defs, waived).index)).toBeLessThanOrEqual(rank(repoLevel(defs, rs).index));
      }),
    );
  });

  it('counts not-applicable as met: it never lowers a rated repository', () => {
    fc.assert(
      fc.property(levels, results, fc.constantFrom(...CHECK_IDS), (defs, rs, id) => {
        fc.pre(rs[id] !== undefined);
        const na = { ...rs, [id]: { status: 'not-applicable' as const, score: null } };
        const after = repoLevel(defs, na).index;
        fc.pre(after !== null);
        expect(after).toBeGreaterThanOrEqual(repoLevel(defs, rs).index ?? -1);
      }),
    );
  });

  it('is cumulative and names what blocks the next level', () => {
    const defs: LevelDefinition[] = [
      { name: 'Bronze', everyCheck: 4 },
      { name: 'Silver', everyCheck: 6, checks: { beta: 8 } },
      { name: 'Gold', everyCheck: 8 },
    ];
    expect(repoLevel(defs, { alpha: { status: 'pass', score: 9 }, beta: { status: 'warn', score: 7 } })).toEqual({
      index: 0,
      blocking: [{ level: 'Silver', checkId: 'beta', minimum: 8, status: 'warn', score: 7 }],
    });
    // Meets Gold's minimums but not Silver's beta minimum: levels below must be met too.
    expect(repoLevel([{ name: 'Silver', everyCheck: 0, checks: { beta: 9.5 } }, { name: 'Gold', everyCheck: 8 }], { beta: { status: 'pass', score: 9 } }).index).toBe(-1);
    expect(repoLevel(defs, { alpha: { status: 'pass', score: 10 }, beta: { status: 'not-applicable', score: null } })).toEqual({ index: 2, blocking: [] });
  });

  it('never lets a waiver or an error meet a minimum, even a minimum of 0', () => {
    expect(meetsMinimum({ status: 'waived', score: null }, 0)).toBe(false);
    expect(meetsMinimum({ status: 'error', score: null }, 0)).toBe(false);
    expect(meetsMinimum({ status: 'not-applicable', score: null }, 10)).toBe(true);
    expect(repoLevel(DEFAULT_LEVELS, { alpha: { status: 'pass', score: 10 }, beta: { status: 'waived', score: null } }).index).toBe(-1);
  });

  it('leaves repositories where nothing applies unrated, and ignores checks without a result', () => {
    expect(repoLevel(DEFAULT_LEVELS, { alpha: { status: 'not-applicable', score: null } }).index).toBeNull();
    expect(repoLevel(DEFAULT_LEVELS, {}).index).toBeNull();
    // A level naming a check the repository has no result for (disabled, or added later) does not require it.
    expect(repoLevel([{ name: 'Only', checks: { gamma: 9 } }], { alpha: { status: 'fail', score: 1 } }).index).toBe(0);
  });
});

describe('team level', () => {
  const repoLevels = fc.array(fc.oneof(fc.integer({ min: -1, max: 3 }), fc.constant(null)), { maxLength: 12 });

  it('is reached by more than half of the rated repositories, and no higher level is', () => {
    fc.assert(
      fc.property(repoLevels, (ls) => {
        const rated = ls.filter((l): l is number => l !== null);
        const team = teamLevel(ls);
        if (rated.length === 0) {
          expect(team).toBeNull();
          return;
        }
        expect(rated.filter((l) => l >= team!).length * 2).toBeGreaterThan(rated.length);
        expect(rated.filter((l) => l >= team! + 1).length * 2).toBeLessThanOrEqual(rated.length);
      }),
    );
  });

  it('never goes down when one repository goes up', () => {
    fc.assert(
      fc.property(repoLevels, fc.nat(), (ls, pick) => {
        fc.pre(ls.some((l) => l !== null && l < 3));
        const candidates = ls.flatMap((l, i) => (l !== null && l < 3 ? [i] : []));
        const i = candidates[pick % candidates.length]!;
        const raised = ls.map((l, j) => (j === i ? l! + 1 : l));
        expect(teamLevel(raised)!).toBeGreaterThanOrEqual(teamLevel(ls)!);
      }),
    );
  });

  it('does not depend on the order of repositories', () => {
    fc.assert(
      fc.property(repoLevels, (ls) => {
        expect(teamLevel([...ls].reverse())).toBe(teamLevel(ls));
      }),
    );
  });

  it('takes the lower level on an even split: half is not most', () => {
    expect(teamLevel([2, 0])).toBe(0);
    expect(teamLevel([2, 1, null])).toBe(1);
    expect(teamLevel([2, 2, 0, -1])).toBe(0);
    expect(teamLevel([2, 2, 2, -1])).toBe(2);
  });
});
