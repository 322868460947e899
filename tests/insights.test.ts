import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Status } from '../checks/contract.ts';
import { csvField } from '../data/api.ts';
import { escapeXml, renderBadge } from '../data/badge.ts';
import { baselineRun, passingShare, scoreChanges, scoreGains, weightedScore, type GainRepo, type ScoredCheck } from '../data/insights.ts';
import { repoScore } from '../crawler/run.ts';

const check: fc.Arbitrary<ScoredCheck> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ status: fc.constantFrom<Status>('pass', 'warn', 'fail'), score: fc.integer({ min: 0, max: 100 }).map((n) => n / 10), weight: fc.integer({ min: 0, max: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ status: fc.constantFrom<Status>('not-applicable', 'error', 'waived'), score: fc.constant(null), weight: fc.integer({ min: 0, max: 5 }) }) },
);
const repos: fc.Arbitrary<GainRepo[]> = fc.array(
  fc.record({ key: fc.uuid(), checks: fc.dictionary(fc.constantFrom('a', 'b', 'c'), check, { minKeys: 1 }) }),
  { minLength: 1, maxLength: 6 },
);

const unroundedMean = (rs: GainRepo[]) => {
  const scores = rs.map((r) => {
    const scored = Object.values(r.checks).filter((c) => c.score !== null && c.status !== 'waived' && c.weight > 0);
    const w = scored.reduce((s, c) => s + c.weight, 0);
    return w === 0 ? null : scored.reduce((s, c) => s + c.score! * c.weight, 0) / w;
  });
  const scored = scores.filter((s): s is number => s !== null);
  return scored.reduce((a, b) => a + b, 0) / scored.length;
};

describe('next best actions', () => {
  it('promise exactly the rise of the team score that fixing the check brings', () => {
    fc.assert(
      fc.property(repos, (rs) => {
        for (const gain of scoreGains(rs)) {
          const fixed = rs.map((r) => {
            const c = r.checks[gain.checkId];
            return c && (c.status === 'fail' || c.status === 'warn') ? { ...r, checks: { ...r.checks, [gain.checkId]: { ...c, status: 'pass' as const, score: 10 } } } : r;
          });
          expect(unroundedMean(fixed) - unroundedMean(rs)).toBeCloseTo(gain.gain, 9);
        }
      }),
    );
  });

  it('are ranked by gain and never list waived, not-applicable or errored results', () => {
    fc.assert(
      fc.property(repos, (rs) => {
        const gains = scoreGains(rs);
        for (let i = 1; i < gains.length; i++) expect(gains[i - 1]!.gain).toBeGreaterThanOrEqual(gains[i]!.gain);
        for (const g of gains) for (const r of g.repos) expect(['fail', 'warn']).toContain(r.status);
      }),
    );
  });

  it('use the same repository score as the crawler', () => {
    fc.assert(fc.property(fc.array(check, { maxLength: 6 }), (cs) => {
      expect(weightedScore(cs)).toBe(repoScore(cs));
    }));
  });
});

describe('figures', () => {
  const run = (id: number, day: string) => ({ id, startedAt: `${day}T02:00:00.000Z` });

  it('compare 30-day changes with the newest run at least 30 days old, or the oldest when history is shorter', () => {
    const runs = [run(1, '2026-09-01'), run(2, '2026-10-01'), run(3, '2026-10-10'), run(4, '2026-11-05')];
    expect(baselineRun(runs, runs[3]!)?.id).toBe(2);
    expect(baselineRun(runs.slice(2), runs[3]!)?.id).toBe(3);
    expect(baselineRun([runs[3]!], runs[3]!)).toBeUndefined();
  });

  it('never count waived or unreadable results as passing', () => {
    expect(passingShare({ pass: 2, warn: 0, fail: 1, notApplicable: 5, error: 1, waived: 1 })).toEqual({ passing: 2, applicable: 5, share: 0.4 });
    expect(passingShare({ pass: 0, warn: 0, fail: 0, notApplicable: 3, error: 0, waived: 0 }).share).toBeNull();
  });

  it('rank movers and leave out repositories without a score on either side', () => {
    const after = new Map<string, number | null>([['a', 5], ['b', 2], ['c', null], ['d', 9]]);
    const before = new Map<string, number | null>([['a', 3], ['b', 6], ['c', 4]]);
    const { improved, regressed } = scoreChanges(after, before);
    expect(improved.map((c) => [c.key, c.change])).toEqual([['a', 2]]);
    expect(regressed.map((c) => [c.key, c.change])).toEqual([['b', -4]]);
  });
});

describe('exports', () => {
  it('quote every CSV field and neutralise spreadsheet formulas', () => {
    expect(csvField('a "b", c')).toBe('"a ""b"", c"');
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField(-1.5)).toBe('"-1.5"');
    expect(csvField(null)).toBe('""');
  });

  it('escape badge text and give it a title', () => {
    const svg = renderBadge({ label: 'seaworthy', score: 7.25, level: '<script>alert(1)</script>', subject: 'a"b&c' });
    expect(svg).not.toMatch(/<script/);
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(svg).toMatch(/<title>a&quot;b&amp;c: score 7\.3 of 10, level &lt;script&gt;/);
    expect(escapeXml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&apos;');
  });
});
