// Registry mirrors that rewrite publish dates to the day they mirrored a package: old releases then
// look years younger, and drift computed from them is fiction. Two signs, per package:
//
// - Majors out of order: the first release of a major (its lowest version) is dated before the first
//   release of a lower major. A registry that records publication cannot do that, except for the rare
//   project that publishes an old major's first release late; one such inversion alone is not enough.
// - Clumps: at least a third of the releases (of at least 12) fall on the five busiest days, and those
//   days hold releases of at least three majors — a mirror's copy days, not a release train.
//
// A package is suspect with two inversions, or one inversion and a clump, or a clump spanning five
// majors. A host is suspect once at least 5 of its packages were checked in the crawl and at least a
// fifth of them are suspect: then none of its dates are used.
import type { PackageRelease } from '../../checks/contract.ts';

const MIN_RELEASES_FOR_CLUMP = 12;
const BUSIEST_DAYS = 5;
const CLUMP_SHARE = 1 / 3;

export const HOST_MIN_PACKAGES = 5;
export const HOST_SUSPECT_SHARE = 0.2;

/** Numeric version parts, or undefined for versions this heuristic does not order (it then ignores them). */
function parts(version: string): number[] | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[.+-].*)?$/.exec(version);
  if (!m) return undefined;
  // A prerelease or build suffix is kept out: only releases mark a major's start.
  if (/-|[a-z]/i.test(version.replace(/^v/, '').replace(/\+incompatible$/, ''))) return undefined;
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

function compareParts(a: number[], b: number[]): number {
  for (let i = 0; i < 3; i++) if (a[i]! !== b[i]!) return a[i]! - b[i]!;
  return 0;
}

/** Why these release dates look rewritten, or undefined when they look like a real release history. */
export function implausibleDates(releases: readonly PackageRelease[]): string | undefined {
  const dated = releases.flatMap((r) => {
    const p = parts(r.version);
    return p && r.publishedAt ? [{ version: r.version, parts: p, time: Date.parse(r.publishedAt), day: r.publishedAt.slice(0, 10) }] : [];
  });
  if (dated.length < 3) return undefined;

  // First release of each major.
  const firsts = new Map<number, (typeof dated)[number]>();
  for (const r of dated) {
    const current = firsts.get(r.parts[0]!);
    if (!current || compareParts(r.parts, current.parts) < 0) firsts.set(r.parts[0]!, r);
  }
  const majors = [...firsts.keys()].sort((a, b) => a - b);
  const inversions: string[] = [];
  for (let i = 1; i < majors.length; i++) {
    const lower = firsts.get(majors[i - 1]!)!;
    const higher = firsts.get(majors[i]!)!;
    if (higher.time < lower.time) inversions.push(`${higher.version} dated ${higher.day}, before ${lower.version} (${lower.day})`);
  }

  let clump: { share: number; majors: number; days: string[] } | undefined;
  if (dated.length >= MIN_RELEASES_FOR_CLUMP) {
    const byDay = new Map<string, (typeof dated)[number][]>();
    for (const r of dated) byDay.set(r.day, [...(byDay.get(r.day) ?? []), r]);
    const busiest = [...byDay.entries()].sort((a, b) => b[1].length - a[1].length).slice(0, BUSIEST_DAYS);
    const onThem = busiest.flatMap(([, rs]) => rs);
    const share = onThem.length / dated.length;
    const majorsOn = new Set(onThem.map((r) => r.parts[0])).size;
    if (share >= CLUMP_SHARE && majorsOn >= 3) clump = { share, majors: majorsOn, days: busiest.map(([d]) => d) };
  }

  const clumpWords = clump ? `${Math.round(clump.share * 100)} % of ${dated.length} releases, of ${clump.majors} majors, dated on ${BUSIEST_DAYS} days (${clump.days.slice(0, 3).join(', ')}, …)` : undefined;
  if (inversions.length >= 2) return `majors out of order: ${inversions.slice(0, 2).join('; ')}`;
  if (inversions.length === 1 && clump) return `a major out of order (${inversions[0]}) and ${clumpWords}`;
  if (clump && clump.majors >= 5) return clumpWords;
  return undefined;
}

/** Per host: packages checked in this crawl and those whose dates looked rewritten. */
export class MirrorWatch {
  private readonly hosts = new Map<string, { checked: Set<string>; suspect: Set<string> }>();
  private readonly verdicts = new Map<string, string | undefined>();

  /** Checks one package's history once per crawl; returns why it looks rewritten, if it does. */
  check(host: string, key: string, releases: readonly PackageRelease[]): string | undefined {
    if (!this.verdicts.has(key)) this.verdicts.set(key, implausibleDates(releases));
    const verdict = this.verdicts.get(key);
    const h = this.hosts.get(host) ?? { checked: new Set<string>(), suspect: new Set<string>() };
    this.hosts.set(host, h);
    h.checked.add(key);
    if (verdict) h.suspect.add(key);
    return verdict;
  }

  /** Why every date of the host is distrusted, or undefined. */
  hostVerdict(host: string): string | undefined {
    const h = this.hosts.get(host);
    if (!h || h.checked.size < HOST_MIN_PACKAGES || h.suspect.size / h.checked.size < HOST_SUSPECT_SHARE) return undefined;
    return `${host}: ${h.suspect.size} of ${h.checked.size} packages looked up have implausible release dates`;
  }

  suspectHosts(): { host: string; suspect: number; checked: number }[] {
    return [...this.hosts].filter(([host]) => this.hostVerdict(host)).map(([host, h]) => ({ host, suspect: h.suspect.size, checked: h.checked.size }));
  }
}
