// Release dates a registry mirror rewrote: recorded documents crafted here (honest histories, a mirror's
// copy days), judged per package and per host.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageRelease } from '../checks/contract.ts';
import { implausibleDates } from '../crawler/facts/mirror-dates.ts';
import { FakeRegistry, type FakePackage } from '../fixtures/fake-registry.ts';
import { providerFor } from './registry-helpers.ts';

const rel = (version: string, publishedAt: string | null): PackageRelease => ({ version, publishedAt, yanked: false, deprecated: false });

/** A project releasing every ~2 months for years, majors in order, with prereleases and a backport. */
function honest(): PackageRelease[] {
  const out: PackageRelease[] = [];
  let t = Date.parse('2016-01-05T10:00:00Z');
  for (let major = 1; major <= 6; major++) {
    out.push(rel(`${major}.0.0-rc.1`, new Date(t - 10 * 86_400_000).toISOString()));
    for (let minor = 0; minor < 5; minor++) {
      out.push(rel(`${major}.${minor}.0`, new Date(t).toISOString()));
      t += 65 * 86_400_000;
    }
  }
  // A security fix to an old major, published years after it began: not an inversion of first releases.
  out.push(rel('2.4.1', new Date(t).toISOString()));
  return out;
}

/** The same versions as a mirror serves them: copied over a few days, most recent majors first. */
function rewritten(): PackageRelease[] {
  const copyDays = ['2024-12-02', '2024-12-05', '2024-12-09', '2025-10-01', '2025-10-02'];
  return honest().map((r, i) => {
    const major = Number(r.version[0]);
    return rel(r.version, `${copyDays[(6 - major + (i % 2)) % copyDays.length]}T0${i % 10}:00:00Z`);
  });
}

describe('implausible release dates', () => {
  it('an honest history with backports, prereleases and busy release days is left alone', () => {
    expect(implausibleDates(honest())).toBeUndefined();
    // A monorepo releasing many packages' versions on one day is one major at a time.
    const train = Array.from({ length: 30 }, (_, i) => rel(`3.${i}.0`, i < 15 ? '2025-03-03T00:00:00Z' : `2025-0${4 + (i % 5)}-01T00:00:00Z`));
    expect(implausibleDates(train)).toBeUndefined();
    // One old major published late (a single inversion) is not enough.
    expect(implausibleDates([rel('2.0.0', '2020-01-01T00:00:00Z'), rel('2.1.0', '2021-01-01T00:00:00Z'), rel('1.0.0', '2022-01-01T00:00:00Z')])).toBeUndefined();
  });

  it('majors out of order and copy-day clumps are named', () => {
    const why = implausibleDates(rewritten());
    expect(why).toMatch(/^majors out of order: /);
    const lateOld = [rel('1.0.0', '2025-10-01T00:00:00Z'), rel('2.0.0', '2024-12-05T00:00:00Z'), rel('3.0.0', '2024-12-02T00:00:00Z'), rel('3.1.0', '2025-01-01T00:00:00Z')];
    expect(implausibleDates(lateOld)).toBe('majors out of order: 2.0.0 dated 2024-12-05, before 1.0.0 (2025-10-01); 3.0.0 dated 2024-12-02, before 2.0.0 (2024-12-05)');
    // Every release of five majors copied on two days, in order: the clump alone says it.
    const copied = Array.from({ length: 20 }, (_, i) => rel(`${1 + Math.floor(i / 4)}.${i % 4}.0`, i < 10 ? '2024-12-02T00:00:00Z' : '2024-12-03T00:00:00Z'));
    expect(implausibleDates(copied)).toMatch(/^100 % of 20 releases, of 5 majors, dated on 5 days/);
  });
});

describe('a registry mirror that rewrites dates', () => {
  let fake: FakeRegistry;
  const pkg = (name: string, releases: PackageRelease[]): FakePackage => ({ ecosystem: 'npm', name, releases: releases.map((r) => ({ version: r.version, publishedAt: r.publishedAt })) });
  beforeAll(async () => {
    fake = await FakeRegistry.start({
      packages: [pkg('honest-a', honest()), pkg('honest-b', honest()), pkg('honest-c', honest()), pkg('honest-d', honest()), pkg('copied-a', rewritten()), pkg('copied-b', rewritten())],
    });
  });
  afterAll(() => fake.stop());

  it('a package with implausible dates is undated with the reason; the rest stand while the host looks sound', async () => {
    const { facts } = providerFor(fake);
    const answers = await facts.packages([{ ecosystem: 'npm', name: 'honest-a' }, { ecosystem: 'npm', name: 'copied-a' }]);
    expect(answers.get('npm:honest-a')?.status).toBe('found');
    expect(answers.get('npm:copied-a')).toEqual({ status: 'undated', reason: expect.stringMatching(/^release dates look rewritten by a mirror \(majors out of order: /) });
  });

  it('once enough of a host\'s packages look rewritten, none of its dates are used, and stats name the host', async () => {
    const { db, facts } = providerFor(fake);
    const names = ['honest-a', 'honest-b', 'honest-c', 'honest-d', 'copied-a', 'copied-b'];
    const answers = await facts.packages(names.map((name) => ({ ecosystem: 'npm' as const, name })));
    for (const name of names) expect(answers.get(`npm:${name}`)).toEqual({ status: 'undated', reason: expect.stringMatching(/^release dates look rewritten by a mirror \(.*: 2 of 6 packages looked up have implausible release dates\)$/) });
    expect(facts.stats().rewrittenDates).toEqual([{ host: expect.any(String), suspect: 2, checked: 6 }]);
    // A later crawl on the same cache judges the host on what it holds, from its first lookup on.
    const later = providerFor(fake, {}, { db }).facts;
    expect((await later.packages([{ ecosystem: 'npm', name: 'honest-a' }])).get('npm:honest-a')).toMatchObject({ status: 'undated', reason: expect.stringMatching(/2 of 6 packages/) });
    // Switched off, the dates are used as given.
    const trusting = providerFor(fake, {}, { mirrorCheck: false }).facts;
    expect((await trusting.packages([{ ecosystem: 'npm', name: 'copied-a' }])).get('npm:copied-a')?.status).toBe('found');
  });
});
