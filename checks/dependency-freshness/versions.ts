// Version ordering and prerelease detection per ecosystem: the registry hands us every release unsorted,
// and which one is "newest stable" is a question each ecosystem answers differently.
import * as pep440 from '@renovatebot/pep440';
import * as ruby from '@renovatebot/ruby-semver';
import semver from 'semver';
import type { Ecosystem } from '../contract.ts';

export interface VersionScheme {
  /** Parses well enough to be ordered. */
  valid(version: string): boolean;
  /** Negative, zero or positive, like a sort comparator; both versions must be valid. */
  compare(a: string, b: string): number;
  isPrerelease(version: string): boolean;
  /** The part whose change signals a breaking release; "majors behind" counts distinct values of it. */
  major(version: string): string;
}

const semverScheme: VersionScheme = {
  valid: (v) => semver.valid(v) !== null,
  compare: (a, b) => semver.compare(a, b),
  isPrerelease: (v) => (semver.prerelease(v)?.length ?? 0) > 0,
  major: (v) => String(semver.major(v)),
};

// Go: "v1.2.3", "v2.0.0+incompatible" and pseudo-versions, which are semver prereleases of the next patch.
const goToSemver = (v: string): string => (v.startsWith('v') ? v.slice(1) : v);
const goScheme: VersionScheme = {
  valid: (v) => v.startsWith('v') && semver.valid(goToSemver(v)) !== null,
  compare: (a, b) => semver.compare(goToSemver(a), goToSemver(b)),
  isPrerelease: (v) => (semver.prerelease(goToSemver(v))?.length ?? 0) > 0,
  major: (v) => String(semver.major(goToSemver(v))),
};

/** The commit time a Go pseudo-version carries ("v0.0.0-20231201235250-de7065d80cb9"), as ISO 8601. */
export function goPseudoVersionTime(version: string): string | undefined {
  const m = /[-.](\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})-[0-9a-f]{12}(?:\+incompatible)?$/.exec(version);
  if (!m) return undefined;
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`;
  return Number.isNaN(Date.parse(iso)) ? undefined : iso;
}

const pep440Scheme: VersionScheme = {
  valid: (v) => pep440.valid(v) !== null,
  compare: (a, b) => pep440.compare(a, b),
  // Dev releases count as prereleases (PEP 440 says installers skip both by default).
  isPrerelease: (v) => pep440.explain(v)?.is_prerelease ?? false,
  major: (v) => {
    const parsed = pep440.explain(v);
    return parsed ? `${parsed.epoch}!${parsed.release[0] ?? 0}` : v;
  },
};

const rubyScheme: VersionScheme = {
  valid: (v) => ruby.valid(v) !== null,
  compare: (a, b) => (ruby.eq(a, b) ? 0 : ruby.gt(a, b) ? 1 : -1),
  // RubyGems: any letter in the version makes it a prerelease ("7.1.0.rc1", "2.0.0.beta").
  isPrerelease: (v) => /[a-zA-Z]/.test(v),
  major: (v) => String(ruby.major(v)),
};

// Maven: a best-effort rendition of ComparableVersion. Versions split into numeric and word items at
// ".", "-" and digit/letter changes; well-known qualifiers have a fixed order around the release.
const MAVEN_QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const MAVEN_ALIASES: Record<string, string> = { a: 'alpha', b: 'beta', m: 'milestone', cr: 'rc', ga: '', final: '', release: '' };
const MAVEN_PRERELEASE = /(^|[.\-_\d])(alpha|beta|milestone|rc|cr|snapshot|preview|pre|ea|dev|m(?=\d)|a(?=\d)|b(?=\d))/i;

type MavenItem = { kind: 'number'; value: bigint } | { kind: 'word'; value: string };

function mavenItems(version: string): MavenItem[] {
  const items: MavenItem[] = [];
  for (const token of version.toLowerCase().match(/\d+|[a-z]+/g) ?? []) {
    if (/^\d/.test(token)) items.push({ kind: 'number', value: BigInt(token) });
    else items.push({ kind: 'word', value: MAVEN_ALIASES[token] ?? token });
  }
  // "1.0" equals "1.0.0" and "1.0-ga": trailing zeros and release words carry no order.
  while (items.length > 1) {
    const last = items[items.length - 1]!;
    if ((last.kind === 'number' && last.value === 0n) || (last.kind === 'word' && last.value === '')) items.pop();
    else break;
  }
  return items;
}

function qualifierRank(word: string): [number, string] {
  const known = MAVEN_QUALIFIERS.indexOf(word);
  return known >= 0 ? [known, ''] : [MAVEN_QUALIFIERS.length, word];
}

function compareMavenItem(a: MavenItem | undefined, b: MavenItem | undefined): number {
  // A missing item compares like the release: "1.0" > "1.0-beta", "1.0" < "1.0.1" and < "1.0-sp".
  if (!a && !b) return 0;
  if (!a) return -compareMavenItem(b, a);
  if (!b) return a.kind === 'number' ? (a.value > 0n ? 1 : 0) : Math.sign(qualifierRank(a.value)[0] - MAVEN_QUALIFIERS.indexOf(''));
  if (a.kind === 'number' && b.kind === 'number') return a.value === b.value ? 0 : a.value > b.value ? 1 : -1;
  if (a.kind === 'number') return 1; // numbers sort after qualifiers: "1.0.1" > "1.0-rc"
  if (b.kind === 'number') return -1;
  const [ra, wa] = qualifierRank(a.value);
  const [rb, wb] = qualifierRank(b.value);
  return ra !== rb ? ra - rb : wa < wb ? -1 : wa > wb ? 1 : 0;
}

const mavenScheme: VersionScheme = {
  valid: (v) => /^\d/.test(v) && !/[[\]()$,{}]/.test(v),
  compare: (a, b) => {
    const ia = mavenItems(a);
    const ib = mavenItems(b);
    for (let i = 0; i < Math.max(ia.length, ib.length); i++) {
      const c = compareMavenItem(ia[i], ib[i]);
      if (c !== 0) return c;
    }
    return 0;
  },
  isPrerelease: (v) => MAVEN_PRERELEASE.test(v),
  major: (v) => /^\d+/.exec(v)?.[0] ?? v,
};

export const SCHEMES: Record<Ecosystem, VersionScheme> = {
  npm: semverScheme,
  cargo: semverScheme,
  'terraform-provider': semverScheme,
  go: goScheme,
  pypi: pep440Scheme,
  rubygems: rubyScheme,
  maven: mavenScheme,
};

// ---------------------------------------------------------------------------------------------
// Terraform version constraints ("~> 5.0", ">= 4.2, < 6", "= 1.2.3", "!= 3.1.0", a bare version).

function padded(version: string): string | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(-[0-9A-Za-z.-]+)?$/.exec(version.trim());
  if (!m) return undefined;
  return `${m[1]}.${m[2] ?? 0}.${m[3] ?? 0}${m[4] ?? ''}`;
}

/** A predicate over versions for a Terraform constraint, or undefined when it cannot be read. An empty constraint allows everything. */
export function terraformConstraint(constraint: string): ((version: string) => boolean) | undefined {
  const tests: ((v: string) => boolean)[] = [];
  for (const raw of constraint.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const m = /^(~>|>=|<=|!=|=|>|<)?\s*(\S+)$/.exec(part);
    if (!m) return undefined;
    const op = m[1] ?? '=';
    const version = padded(m[2]!);
    if (!version || !semver.valid(version)) return undefined;
    if (op === '~>') {
      // "~> 1.2" allows 1.x from 1.2; "~> 1.2.3" allows 1.2.x from 1.2.3: the rightmost given part may grow.
      const given = m[2]!.replace(/^v/, '').split('-')[0]!.split('.').length;
      const [major, minor] = [semver.major(version), semver.minor(version)];
      const upper = given >= 3 ? `${major}.${minor + 1}.0` : `${major + 1}.0.0`;
      tests.push((v) => semver.gte(v, version) && semver.lt(v, upper));
    } else if (op === '>=') tests.push((v) => semver.gte(v, version));
    else if (op === '<=') tests.push((v) => semver.lte(v, version));
    else if (op === '>') tests.push((v) => semver.gt(v, version));
    else if (op === '<') tests.push((v) => semver.lt(v, version));
    else if (op === '!=') tests.push((v) => !semver.eq(v, version));
    else tests.push((v) => semver.eq(v, version));
  }
  return (v) => semver.valid(v) !== null && tests.every((t) => t(v));
}

// ---------------------------------------------------------------------------------------------
// Package names as each registry accepts them: anything else is never sent (a hostile manifest could
// otherwise send a 100,000-character "name" to a registry).

const NAME_RULES: Record<Ecosystem, { max: number; pattern: RegExp }> = {
  // npm: 214 characters, URL-safe, an optional @scope/.
  npm: { max: 214, pattern: /^(?:@[a-z0-9][\w.~-]*\/)?[a-z0-9_][\w.~-]*$/i },
  // PEP 508 names; PyPI has no hard limit, 200 is far beyond any real project.
  pypi: { max: 200, pattern: /^(?:[a-z0-9]|[a-z0-9][\w.-]*[a-z0-9])$/i },
  // Go module paths: letters, digits and ._~-/ (and + in elements), the first element a host.
  go: { max: 500, pattern: /^[a-z0-9][\w.~+-]*(?:\/[\w.~+!-]+)*$/i },
  // crates.io: 64 characters, ASCII alphanumerics, - and _, starting with a letter.
  cargo: { max: 64, pattern: /^[a-z][\w-]*$/i },
  rubygems: { max: 100, pattern: /^[\w.-]+$/ },
  'terraform-provider': { max: 129, pattern: /^[a-z0-9][\w-]*\/[a-z0-9][\w-]*$/i },
  maven: { max: 300, pattern: /^[\w.-]+:[\w.-]+$/ },
};

/** Why a name cannot be a package of the ecosystem, or undefined when it can. */
export function invalidPackageName(ecosystem: Ecosystem, name: string): string | undefined {
  const rule = NAME_RULES[ecosystem];
  if (name.length === 0) return 'an empty name';
  if (name.length > rule.max) return `a name of ${name.length} characters (the registry allows ${rule.max})`;
  if (!rule.pattern.test(name)) return `characters the ${ecosystem} registry does not allow in a name`;
  return undefined;
}
