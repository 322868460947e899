// Version ordering per ecosystem, libyear arithmetic (property-based), and the score's shape.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Ecosystem, PackageRelease } from '../contract.ts';
import { driftOf, driftStats, libyearsBetween, newestStable, percentile, releasedBy, YEAR_MS } from './drift.ts';
import { linear, POINTS, pointsOf, scoreOf, type ScoreThresholds } from './score.ts';
import { goPseudoVersionTime, SCHEMES } from './versions.ts';

const rel = (version: string, publishedAt: string | null, extra: Partial<PackageRelease> = {}): PackageRelease => ({ version, publishedAt, yanked: false, deprecated: false, ...extra });
const sorted = (ecosystem: Ecosystem, versions: string[]) => [...versions].sort((a, b) => SCHEMES[ecosystem].compare(a, b));

describe('version ordering per ecosystem', () => {
  it('npm, cargo and Terraform providers follow semver', () => {
    expect(sorted('npm', ['1.10.0', '1.2.0', '1.2.0-rc.1', '0.9.9'])).toEqual(['0.9.9', '1.2.0-rc.1', '1.2.0', '1.10.0']);
    expect(SCHEMES.npm.isPrerelease('5.0.0-beta.3')).toBe(true);
    expect(SCHEMES.cargo.isPrerelease('1.0.0+build.5')).toBe(false);
    expect(SCHEMES['terraform-provider'].compare('5.100.0', '5.82.2')).toBeGreaterThan(0);
  });

  it('Go: leading v, +incompatible, and pseudo-versions as prereleases that carry their commit time', () => {
    expect(sorted('go', ['v1.10.0', 'v1.9.1', 'v0.0.0-20231201235250-de7065d80cb9', 'v1.9.2-0.20240105101010-0123456789ab'])).toEqual([
      'v0.0.0-20231201235250-de7065d80cb9',
      'v1.9.1',
      'v1.9.2-0.20240105101010-0123456789ab',
      'v1.10.0',
    ]);
    expect(SCHEMES.go.valid('1.2.3')).toBe(false);
    expect(SCHEMES.go.major('v2.0.1+incompatible')).toBe('2');
    expect(SCHEMES.go.isPrerelease('v0.0.0-20231201235250-de7065d80cb9')).toBe(true);
    expect(goPseudoVersionTime('v0.0.0-20231201235250-de7065d80cb9')).toBe('2023-12-01T23:52:50Z');
    expect(goPseudoVersionTime('v1.2.4-0.20191109021931-daa7c04131f5')).toBe('2019-11-09T02:19:31Z');
    expect(goPseudoVersionTime('v1.2.3')).toBeUndefined();
  });

  it('PyPI follows PEP 440: dev and pre releases are prereleases, post releases are not, epochs win', () => {
    expect(sorted('pypi', ['2.0', '2.0.post1', '2.0rc1', '2.0.dev3', '1!0.1', '1.10'])).toEqual(['1.10', '2.0.dev3', '2.0rc1', '2.0', '2.0.post1', '1!0.1']);
    expect(SCHEMES.pypi.isPrerelease('2.0.dev3')).toBe(true);
    expect(SCHEMES.pypi.isPrerelease('2.0.post1')).toBe(false);
    expect(SCHEMES.pypi.compare('1.0', '1.0.0')).toBe(0);
    expect(SCHEMES.pypi.major('1!2.3')).toBe('1!2');
  });

  it('RubyGems: four-part versions, and any letter marks a prerelease', () => {
    expect(sorted('rubygems', ['7.1.3.4', '7.1.3', '7.2.0.rc1', '7.1.10'])).toEqual(['7.1.3', '7.1.3.4', '7.1.10', '7.2.0.rc1']);
    expect(SCHEMES.rubygems.isPrerelease('7.2.0.rc1')).toBe(true);
    expect(SCHEMES.rubygems.isPrerelease('7.1.3.4')).toBe(false);
  });

  it('Maven: qualifiers order around the release, numbers compare as numbers', () => {
    expect(sorted('maven', ['1.0', '1.0-SNAPSHOT', '1.0-rc1', '1.0-alpha-2', '1.0.1', '1.0-beta', '1.0-sp1', '1.10', '1.9'])).toEqual([
      '1.0-alpha-2',
      '1.0-beta',
      '1.0-rc1',
      '1.0-SNAPSHOT',
      '1.0',
      '1.0-sp1',
      '1.0.1',
      '1.9',
      '1.10',
    ]);
    expect(SCHEMES.maven.compare('1.0', '1.0.0')).toBe(0);
    expect(SCHEMES.maven.compare('2.0.Final', '2.0')).toBe(0);
    expect(SCHEMES.maven.isPrerelease('33.0.0-jre')).toBe(false);
    expect(SCHEMES.maven.isPrerelease('6.0.0-M1')).toBe(true);
    expect(SCHEMES.maven.isPrerelease('2.17.0-rc1')).toBe(true);
  });
});

describe('version ordering: the cases registries really serve', () => {
  it('npm: prerelease identifiers compare numerically, and every prerelease sorts below its release', () => {
    expect(sorted('npm', ['1.0.0', '1.0.0-rc.10', '1.0.0-rc.2', '1.0.0-alpha', '1.0.0-beta.11'])).toEqual(['1.0.0-alpha', '1.0.0-beta.11', '1.0.0-rc.2', '1.0.0-rc.10', '1.0.0']);
    // In use 2.0.0-beta.1, newest stable 2.0.0: behind by the gap between the two.
    expect(driftOf('npm', '2.0.0-beta.1', [rel('2.0.0-beta.1', '2024-01-01T00:00:00Z'), rel('2.0.0', '2025-01-01T00:00:00Z')])).toMatchObject({ status: 'dated', releasesBehind: 1, majorsBehind: 0, newest: '2.0.0' });
  });

  it('PyPI: a post release is a stable upgrade, a dev release of it (or of the next version) is not', () => {
    expect(sorted('pypi', ['2.0.post1', '2.0.post1.dev1', '2.0', '2.0.dev1', '2.0a1'])).toEqual(['2.0.dev1', '2.0a1', '2.0', '2.0.post1.dev1', '2.0.post1']);
    expect(SCHEMES.pypi.isPrerelease('2.0.post1.dev1')).toBe(true);
    const history = [rel('2.0', '2020-01-01T00:00:00Z'), rel('2.0.post1', '2020-06-01T00:00:00Z'), rel('2.0.post2.dev1', '2020-09-01T00:00:00Z'), rel('2.1.dev1', '2021-01-01T00:00:00Z')];
    expect(driftOf('pypi', '2.0', history)).toMatchObject({ status: 'dated', releasesBehind: 1, majorsBehind: 0, newest: '2.0.post1' });
  });

  it('Go: +incompatible majors count as majors behind; a pseudo-version past the newest tag is current', () => {
    const history = [rel('v1.9.0', '2020-01-01T00:00:00Z'), rel('v2.0.0+incompatible', '2021-01-01T00:00:00Z'), rel('v2.1.0+incompatible', '2021-06-01T00:00:00Z')];
    expect(sorted('go', ['v2.1.0+incompatible', 'v1.9.0', 'v2.0.1-0.20210301000000-abcdefabcdef+incompatible', 'v2.0.0+incompatible'])).toEqual(['v1.9.0', 'v2.0.0+incompatible', 'v2.0.1-0.20210301000000-abcdefabcdef+incompatible', 'v2.1.0+incompatible']);
    expect(driftOf('go', 'v1.9.0', history)).toMatchObject({ status: 'dated', releasesBehind: 2, majorsBehind: 1, newest: 'v2.1.0+incompatible' });
    expect(driftOf('go', 'v2.1.1-0.20220101000000-abcdefabcdef+incompatible', history)).toMatchObject({ status: 'dated', libyears: 0, releasesBehind: 0 });
    // A pseudo-version between tags is dated by its own commit time, not by the tag below it.
    const between = driftOf('go', 'v2.0.1-0.20210301000000-abcdefabcdef+incompatible', history);
    expect(between.status === 'dated' && between.libyears).toBeCloseTo(libyearsBetween('2021-03-01T00:00:00Z', '2021-06-01T00:00:00Z'), 9);
  });

  it('RubyGems: ".pre" and ".rc1" sort below their release and are never the newest stable', () => {
    expect(sorted('rubygems', ['1.0.0', '1.0.0.pre', '1.0.0.rc1', '1.0.0.pre.2', '0.9.9', '1.0.1.pre'])).toEqual(['0.9.9', '1.0.0.pre', '1.0.0.pre.2', '1.0.0.rc1', '1.0.0', '1.0.1.pre']);
    const history = [rel('7.0.0', '2020-01-01T00:00:00Z'), rel('7.1.0.pre', '2020-06-01T00:00:00Z'), rel('7.0.1', '2021-01-01T00:00:00Z'), rel('8.0.0.beta1', '2021-02-01T00:00:00Z')];
    expect(driftOf('rubygems', '7.0.0', history)).toMatchObject({ status: 'dated', releasesBehind: 1, majorsBehind: 0, newest: '7.0.1' });
  });
});

describe('releases after the crawl date (ctx.now)', () => {
  const history = [rel('1.0.0', '2024-01-01T00:00:00Z'), rel('1.1.0', '2024-06-01T00:00:00Z'), rel('2.0.0', '2025-01-01T00:00:00Z'), rel('2.1.0', '2025-06-01T00:00:00Z'), rel('0.9.0', null)];

  it('a backfilled run sees only what was published by its date', () => {
    const asOf = new Date('2024-07-01T00:00:00Z');
    expect(releasedBy(history, asOf).map((r) => r.version)).toEqual(['1.0.0', '1.1.0', '0.9.0']);
    expect(driftOf('npm', '1.0.0', history, asOf)).toEqual({ status: 'dated', libyears: libyearsBetween('2024-01-01T00:00:00Z', '2024-06-01T00:00:00Z'), releasesBehind: 1, majorsBehind: 0, newest: '1.1.0' });
    // Today the same dependency is a major behind.
    expect(driftOf('npm', '1.0.0', history, new Date('2026-01-01T00:00:00Z'))).toMatchObject({ releasesBehind: 3, majorsBehind: 1, newest: '2.1.0' });
    // The newest of its day is current then.
    expect(driftOf('npm', '1.1.0', history, asOf)).toMatchObject({ status: 'dated', libyears: 0, releasesBehind: 0 });
  });

  it('is undated, saying why, when nothing stable had been published by then', () => {
    const history = [rel('1.0.0-rc.1', '2023-06-01T00:00:00Z'), rel('1.0.0', '2025-01-01T00:00:00Z')];
    expect(driftOf('npm', '1.0.0-rc.1', history, new Date('2024-01-01T00:00:00Z'))).toEqual({ status: 'undated', reason: 'the registry lists no stable release that is neither yanked nor deprecated published by 2024-01-01' });
    expect(driftOf('npm', '1.0.0-rc.1', history, new Date('2026-01-01T00:00:00Z'))).toMatchObject({ status: 'dated', newest: '1.0.0' });
  });

  it('never counts a release published after the date, never goes negative, and never exceeds what today shows', () => {
    fc.assert(
      fc.property(historyArb, fc.nat(), dateArb, (history, pick, asOfIso) => {
        const asOf = new Date(asOfIso);
        const inUse = history[pick % history.length]!;
        const then = driftOf('npm', inUse.version, history, asOf);
        const visible = history.filter((r) => Date.parse(r.publishedAt!) <= asOf.getTime());
        if (then.status !== 'dated') return;
        expect(then.libyears).toBeGreaterThanOrEqual(0);
        const newer = visible.filter((r) => !r.yanked && !SCHEMES.npm.isPrerelease(r.version) && SCHEMES.npm.compare(r.version, inUse.version) > 0);
        expect(then.releasesBehind).toBe(newer.length);
        if (then.releasesBehind > 0) expect(Date.parse(visible.find((r) => r.version === then.newest)!.publishedAt!)).toBeLessThanOrEqual(asOf.getTime());
      }),
    );
  });
});

describe('newest stable release', () => {
  const releases = [
    rel('4.0.0', '2024-01-01T00:00:00Z'),
    rel('4.1.0', '2024-06-01T00:00:00Z'),
    rel('5.0.0-rc.1', '2024-09-01T00:00:00Z'),
    rel('4.2.0', '2024-10-01T00:00:00Z', { yanked: true }),
    rel('4.1.5', '2024-11-01T00:00:00Z', { deprecated: true }),
    rel('4.1.1', '2024-08-01T00:00:00Z'),
  ];

  it('skips prereleases, yanked and deprecated releases, whatever the order the registry gives', () => {
    expect(newestStable(releases, 'npm')?.version).toBe('4.1.1');
    expect(newestStable([...releases].reverse(), 'npm')?.version).toBe('4.1.1');
  });

  it('counts releases and majors behind among candidates only', () => {
    const d = driftOf('npm', '4.0.0', releases);
    expect(d).toEqual({ status: 'dated', libyears: libyearsBetween('2024-01-01T00:00:00Z', '2024-08-01T00:00:00Z'), releasesBehind: 2, majorsBehind: 0, newest: '4.1.1' });
  });

  it('counts each newer major once, skipping majors that were never released', () => {
    const history = ['1.0.0', '1.5.0', '3.0.0', '3.1.0', '4.0.0'].map((v, i) => rel(v, `202${i}-01-01T00:00:00Z`));
    expect(driftOf('npm', '1.0.0', history)).toMatchObject({ status: 'dated', majorsBehind: 2, releasesBehind: 4, newest: '4.0.0' });
  });

  it('is current (zero) when in use is the newest, or a prerelease ahead of it', () => {
    expect(driftOf('npm', '4.1.1', releases)).toEqual({ status: 'dated', libyears: 0, releasesBehind: 0, majorsBehind: 0, newest: '4.1.1' });
    expect(driftOf('npm', '5.0.0-rc.1', releases)).toMatchObject({ libyears: 0, releasesBehind: 0 });
  });

  it('is undated, with a reason, when dates or versions are missing', () => {
    expect(driftOf('npm', '3.9.0', releases)).toEqual({ status: 'undated', reason: 'the registry does not list version 3.9.0' });
    expect(driftOf('npm', '4.0.0', [rel('4.0.0', null), rel('4.1.0', '2024-01-01T00:00:00Z')])).toEqual({ status: 'undated', reason: 'the registry gives no release date for 4.0.0' });
    expect(driftOf('npm', '4.0.0', [rel('4.0.0', '2024-01-01T00:00:00Z'), rel('4.1.0', null)])).toMatchObject({ status: 'undated', reason: expect.stringMatching(/newest version 4.1.0/) });
    expect(driftOf('npm', 'banana', releases)).toMatchObject({ status: 'undated', reason: expect.stringMatching(/not a version/) });
    expect(driftOf('npm', '1.0.0', [rel('2.0.0-beta', '2024-01-01T00:00:00Z')])).toMatchObject({ status: 'undated', reason: expect.stringMatching(/no stable release/) });
  });

  it('a package whose every stable release is deprecated is retired: dated against its last release, and flagged', () => {
    const history = [rel('2.87.0', '2018-05-01T00:00:00Z', { deprecated: true }), rel('2.88.2', '2020-02-11T00:00:00Z', { deprecated: true }), rel('2.88.3', '2020-03-01T00:00:00Z', { yanked: true }), rel('3.0.0-rc.1', '2021-01-01T00:00:00Z')];
    expect(driftOf('npm', '2.87.0', history)).toEqual({ status: 'dated', libyears: libyearsBetween('2018-05-01T00:00:00Z', '2020-02-11T00:00:00Z'), releasesBehind: 1, majorsBehind: 0, newest: '2.88.2', retired: true });
    expect(driftOf('npm', '2.88.2', history)).toMatchObject({ status: 'dated', libyears: 0, retired: true });
    // One undeprecated stable release is enough for the package to be alive.
    expect(driftOf('npm', '2.87.0', [...history, rel('2.89.0', '2022-01-01T00:00:00Z')])).not.toHaveProperty('retired');
  });

  it('dates a Go pseudo-version by its commit time when the proxy does not list it', () => {
    const d = driftOf('go', 'v0.0.0-20230101000000-0123456789ab', [rel('v1.0.0', '2024-01-01T00:00:00Z')]);
    expect(d.status).toBe('dated');
    if (d.status === 'dated') expect(d.libyears).toBeCloseTo(365 / 365.25, 5);
  });

  it('compares PyPI versions by value, so "2.0" in use matches a "2.0.0" release', () => {
    expect(driftOf('pypi', '2.0', [rel('2.0.0', '2020-01-01T00:00:00Z'), rel('2.1.0', '2021-01-01T00:00:00Z')])).toMatchObject({ status: 'dated', releasesBehind: 1 });
  });
});

// ---------------------------------------------------------------------------------------------
// libyear arithmetic, property-based

const day = 86_400_000;
const dateArb = fc.integer({ min: Date.parse('2000-01-01T00:00:00Z') / day, max: Date.parse('2030-01-01T00:00:00Z') / day }).map((d) => new Date(d * day).toISOString());

/** Releases 1.0.0, 1.1.0, … with arbitrary dates, some yanked or prereleases. */
const historyArb = fc.array(fc.record({ publishedAt: dateArb, yanked: fc.boolean(), prerelease: fc.boolean() }), { minLength: 1, maxLength: 12 }).map((rs) =>
  rs.map((r, i) => rel(r.prerelease ? `1.${i}.0-rc.1` : `1.${i}.0`, r.publishedAt, { yanked: r.yanked })),
);

describe('libyear arithmetic', () => {
  it('is never negative, even when a backport is newer than the newest version', () => {
    fc.assert(
      fc.property(historyArb, fc.nat(), (history, pick) => {
        const inUse = history[pick % history.length]!;
        const d = driftOf('npm', inUse.version, history);
        if (d.status === 'dated') {
          expect(d.libyears).toBeGreaterThanOrEqual(0);
          expect(d.releasesBehind).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });

  it('is zero when the version in use is the newest stable one', () => {
    fc.assert(
      fc.property(historyArb, (history) => {
        const newest = newestStable(history, 'npm');
        fc.pre(newest !== undefined);
        expect(driftOf('npm', newest!.version, history)).toMatchObject({ status: 'dated', libyears: 0, releasesBehind: 0, majorsBehind: 0 });
      }),
    );
  });

  it('equals the date gap to the newest stable release in years', () => {
    fc.assert(
      fc.property(historyArb, fc.nat(), (history, pick) => {
        const inUse = history[pick % history.length]!;
        const newest = newestStable(history, 'npm');
        const d = driftOf('npm', inUse.version, history);
        fc.pre(newest !== undefined && d.status === 'dated' && d.releasesBehind > 0);
        if (d.status !== 'dated') return;
        expect(d.libyears).toBeCloseTo(Math.max(0, (Date.parse(newest!.publishedAt!) - Date.parse(inUse.publishedAt!)) / YEAR_MS), 9);
      }),
    );
  });

  it('is additive along a chain of releases published in order', () => {
    fc.assert(
      fc.property(dateArb, fc.nat({ max: 3000 }), fc.nat({ max: 3000 }), (a, gap1, gap2) => {
        const b = new Date(Date.parse(a) + gap1 * day).toISOString();
        const c = new Date(Date.parse(b) + gap2 * day).toISOString();
        expect(libyearsBetween(a, c)).toBeCloseTo(libyearsBetween(a, b) + libyearsBetween(b, c), 9);
      }),
    );
  });

  it('repository totals are the sum of their parts, in any split', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 30, noNaN: true }), { maxLength: 40 }), fc.nat(), (values, cut) => {
        const at = values.length === 0 ? 0 : cut % (values.length + 1);
        const whole = driftStats(values);
        expect(whole.total).toBeCloseTo(driftStats(values.slice(0, at)).total + driftStats(values.slice(at)).total, 6);
        expect(whole.total).toBeGreaterThanOrEqual(0);
        if (values.length > 0) {
          expect(whole.median).toBeLessThanOrEqual(Math.max(...values));
          expect(whole.p90).toBeGreaterThanOrEqual(whole.median - 1e-9);
        }
      }),
    );
  });

  it('median and nearest-rank p90 on known values', () => {
    expect(driftStats([0, 1, 2, 3, 10])).toEqual({ count: 5, total: 16, median: 2, p90: 10 });
    expect(driftStats([1, 3])).toMatchObject({ median: 2, p90: 3 });
    expect(driftStats([])).toEqual({ count: 0, total: 0, median: 0, p90: 0 });
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
  });
});

// ---------------------------------------------------------------------------------------------
// The score

const T: ScoreThresholds = { medianGoodYears: 0.5, medianBadYears: 2, p90GoodYears: 1.5, p90BadYears: 4, majorsBehindShareBad: 0.25 };
const partsArb = fc.record({
  medianYears: fc.double({ min: 0, max: 20, noNaN: true }),
  p90Years: fc.double({ min: 0, max: 20, noNaN: true }),
  majorsBehindShare: fc.double({ min: 0, max: 1, noNaN: true }),
  botCoverage: fc.double({ min: 0, max: 1, noNaN: true }),
  lockfileShare: fc.double({ min: 0, max: 1, noNaN: true }),
});

describe('score', () => {
  it('is 10 for fresh dependencies, a covering bot and lockfiles; loses exactly the bot share without a bot', () => {
    const best = { medianYears: 0, p90Years: 0, majorsBehindShare: 0, botCoverage: 1, lockfileShare: 1 };
    expect(scoreOf(best, T)).toBe(10);
    expect(scoreOf({ ...best, botCoverage: 0 }, T)).toBe(10 - POINTS.bot);
    expect(scoreOf({ ...best, lockfileShare: 0.5 }, T)).toBe(9.5);
  });

  it('follows the documented linear ramps', () => {
    expect(linear(0.5, 0.5, 2)).toBe(1);
    expect(linear(1.25, 0.5, 2)).toBe(0.5);
    expect(linear(2, 0.5, 2)).toBe(0);
    const p = pointsOf({ medianYears: 1.25, p90Years: 2.75, majorsBehindShare: 0.125, botCoverage: 0.5, lockfileShare: 1 }, T);
    expect(p).toEqual({ median: 1.5, tail: 1, majors: 0.5, bot: 1.5, lockfiles: 1 });
  });

  it('stays within 0–10 and never rises when drift grows', () => {
    fc.assert(
      fc.property(partsArb, fc.double({ min: 0, max: 5, noNaN: true }), (parts, extra) => {
        const s = scoreOf(parts, T);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(10);
        expect(scoreOf({ ...parts, medianYears: parts.medianYears + extra }, T)).toBeLessThanOrEqual(s);
        expect(scoreOf({ ...parts, p90Years: parts.p90Years + extra }, T)).toBeLessThanOrEqual(s);
        expect(scoreOf({ ...parts, majorsBehindShare: Math.min(1, parts.majorsBehindShare + extra / 5) }, T)).toBeLessThanOrEqual(s);
        expect(scoreOf({ ...parts, botCoverage: 1 }, T)).toBeGreaterThanOrEqual(s);
      }),
    );
  });
});
