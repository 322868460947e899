import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linkWeight, scoreOf, type LinkKind, type ScoreInput } from './score.ts';

const unit = fc.double({ min: 0, max: 1, noNaN: true });
const input = fc.record({ docs: unit, alerts: fc.boolean(), coverage: unit, onCall: fc.boolean() });

describe('runbooks score (properties)', () => {
  it('is between 0 and 10, with one decimal', () => {
    fc.assert(
      fc.property(input, (i) => {
        const s = scoreOf(i);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(10);
        expect(Math.round(s * 10) / 10).toBe(s);
      }),
    );
  });

  it('is never higher when evidence is removed: fewer or worse documents, fewer links, no route, no alerts', () => {
    fc.assert(
      fc.property(input, unit, unit, (i: ScoreInput, d, c) => {
        const s = scoreOf(i);
        expect(scoreOf({ ...i, docs: Math.min(i.docs, d) })).toBeLessThanOrEqual(s);
        expect(scoreOf({ ...i, coverage: Math.min(i.coverage, c) })).toBeLessThanOrEqual(s);
        expect(scoreOf({ ...i, onCall: false })).toBeLessThanOrEqual(s);
        // Alerts without links are still alerting: removing them never raises the score.
        expect(scoreOf({ ...i, alerts: false })).toBeLessThanOrEqual(s);
      }),
    );
  });

  it('anchors: nothing is 0, alarms without runbooks 3, documents alone at most 7, everything 10', () => {
    expect(scoreOf({ docs: 0, alerts: false, coverage: 0, onCall: false })).toBe(0);
    expect(scoreOf({ docs: 0, alerts: true, coverage: 0, onCall: false })).toBe(3);
    expect(scoreOf({ docs: 1, alerts: false, coverage: 0, onCall: true })).toBe(7);
    expect(scoreOf({ docs: 1, alerts: true, coverage: 1, onCall: true })).toBe(10);
  });

  it('a runbook link is worth more than steps in the alert, which are worth more than an issue link', () => {
    const order: LinkKind[] = ['repository', 'inline', 'issue', 'none'];
    for (let i = 1; i < order.length; i++) expect(linkWeight(order[i]!)).toBeLessThan(linkWeight(order[i - 1]!));
    expect(linkWeight('external')).toBe(linkWeight('repository'));
    expect(linkWeight('computed')).toBe(linkWeight('repository'));
  });
});
