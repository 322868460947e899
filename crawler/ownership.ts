// Which configured team owns a repository: configuration globs, Backstage catalog-info spec.owner,
// the CODEOWNERS "*" rule, or the host's teams with admin/maintain permission, in the configured order.
import { parseAllDocuments } from 'yaml';
import picomatch from 'picomatch';
import type { RepoSnapshot } from '../checks/contract.ts';
import type { SeaworthyConfig } from './config.ts';
import type { OwnerSource } from './sources/types.ts';

// GitHub's own search order.
export const CODEOWNERS_PATHS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'];
export const CATALOG_PATHS = ['catalog-info.yaml', 'catalog-info.yml'];
const CONTENT_SOURCES: ReadonlySet<OwnerSource> = new Set(['codeowners', 'catalog-info']);

export function ownershipReads(order: readonly OwnerSource[]): string[] {
  return [...(order.includes('codeowners') ? CODEOWNERS_PATHS : []), ...(order.includes('catalog-info') ? CATALOG_PATHS : [])];
}

type Team = SeaworthyConfig['teams'][number];

/** A configured team for a host team slug or a Backstage group: listed in githubTeams, else the same name. */
export function teamForName(teams: readonly Team[], name: string): Team | undefined {
  const wanted = name.toLowerCase();
  return teams.find((t) => t.githubTeams?.some((slug) => slug.toLowerCase() === wanted)) ?? teams.find((t) => !t.githubTeams && t.name === wanted);
}

export function configTeam(teams: readonly Team[], ref: { name: string; owner: string }): Team | undefined {
  return teams.find((t) => {
    const match = picomatch(t.repos, { nocase: true, dot: true });
    return match(ref.name) || match(`${ref.owner}/${ref.name}`);
  });
}

/** Splits a CODEOWNERS line into words: `\ ` is a space inside a pattern, `#` after a blank starts a comment. */
function codeownersWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
    } else if (c === '#' && word === '') {
      break;
    } else if (c === ' ' || c === '\t') {
      if (word) words.push(word);
      word = '';
    } else word += c;
  }
  if (word) words.push(word);
  return words;
}

// Patterns that match every file of the repository ("/*" matches only files at the root, as in gitignore).
const WHOLE_REPOSITORY = new Set(['*', '**', '/**', '**/*', '/**/*']);

/**
 * The first team named by the CODEOWNERS rule for every file (GitHub: the last matching rule wins,
 * and a rule without owners takes ownership away): "@org/slug" → slug; users and e-mails are no team,
 * nor (given `org`) a team of another organisation, which GitHub ignores.
 */
export function codeownersTeam(text: string, org?: string): string | undefined {
  let owners: string[] | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const [pattern, ...rest] = codeownersWords(raw);
    if (pattern !== undefined && WHOLE_REPOSITORY.has(pattern)) owners = rest;
  }
  for (const owner of owners ?? []) {
    const team = /^@([^/\s@]+)\/([^/\s@]+)$/.exec(owner);
    if (team && (org === undefined || team[1]!.toLowerCase() === org.toLowerCase())) return team[2];
  }
  return undefined;
}

// GitHub's owner syntax: @user, @org/team-slug, or an e-mail address; anything else it ignores.
const OWNER_SYNTAX = [/^@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/, /^@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\/[A-Za-z0-9._-]+$/, /^[^@\s]+@[^@\s]+\.[^@\s]+$/];

/**
 * What GitHub would ignore in the rule that owns every file: owners that are not @user, @org/team or
 * an e-mail address, and teams of another organisation, each with its line, so none is dropped unsaid.
 */
export function codeownersProblems(text: string, path: string, org?: string): string[] {
  let rule: { line: number; owners: string[] } | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const [pattern, ...rest] = codeownersWords(raw);
    if (pattern !== undefined && WHOLE_REPOSITORY.has(pattern)) rule = { line: index + 1, owners: rest };
  });
  if (!rule) return [];
  const problems: string[] = [];
  for (const owner of rule.owners) {
    const shown = JSON.stringify(owner.length > 80 ? `${owner.slice(0, 80)}…` : owner);
    if (!OWNER_SYNTAX.some((re) => re.test(owner))) problems.push(`${path}:${rule.line} names owner ${shown}, which is not @user, @org/team or an e-mail address, so GitHub ignores it`);
    else {
      const team = /^@([^/]+)\/(.+)$/.exec(owner);
      if (team && org !== undefined && team[1]!.toLowerCase() !== org.toLowerCase()) problems.push(`${path}:${rule.line} names team ${shown} of another organisation, which GitHub ignores`);
    }
  }
  return problems;
}

export interface CatalogOwner {
  /** Group name: "group:default/payments", "group:payments" or "payments" → payments. */
  owner?: string;
  /** Why no group could be read (bad YAML, a user as owner), shown on the repository page. */
  problem?: string;
}

/** spec.owner of the catalog's Component (else of its first entity with one); a user owner is no team. */
export function catalogOwner(text: string): CatalogOwner {
  const docs = parseAllDocuments(text, { logLevel: 'silent' });
  const list = Array.isArray(docs) ? docs : [docs];
  const broken = list.find((d) => d.errors.length > 0);
  if (broken) return { problem: `is not valid YAML (${broken.errors[0]!.message.split('\n')[0]})` };
  const entities: { kind?: unknown; spec?: { owner?: unknown } }[] = [];
  for (const doc of list) {
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      return { problem: `could not be read (${error instanceof Error ? error.message : String(error)})` };
    }
    if (value && typeof value === 'object' && !Array.isArray(value)) entities.push(value as (typeof entities)[number]);
  }
  const withOwner = entities.filter((e) => typeof e.spec?.owner === 'string' && e.spec.owner.trim());
  const entity = withOwner.find((e) => typeof e.kind === 'string' && e.kind.toLowerCase() === 'component') ?? withOwner[0];
  if (!entity) return {};
  const ref = (entity.spec!.owner as string).trim();
  const kind = /^([a-z]+):/i.exec(ref)?.[1]?.toLowerCase();
  if (kind && kind !== 'group') return { problem: `names owner "${ref}", a ${kind} rather than a group` };
  return { owner: ref.replace(/^[a-z]+:/i, '').replace(/^[^/]+\//, '') };
}

export interface OwnerVerdict {
  team?: string;
  source?: OwnerSource;
  /** Owners named somewhere that match no configured team (shown as problems). */
  unmatched: string[];
}

export interface OwnerInputs {
  config: SeaworthyConfig;
  ref: { name: string; owner: string };
  order: readonly OwnerSource[];
  snapshot?: RepoSnapshot;
  hostTeams?: readonly string[];
}

function fromSource(source: OwnerSource, inputs: OwnerInputs, unmatched: string[]): string | undefined {
  const { config, snapshot } = inputs;
  const viaName = (name: string | undefined, where: string) => {
    if (!name) return undefined;
    const team = teamForName(config.teams, name);
    if (!team) unmatched.push(`${where} names owner "${name}", which matches no configured team (add it to a team's githubTeams)`);
    return team?.name;
  };
  switch (source) {
    case 'config':
      return configTeam(config.teams, inputs.ref)?.name;
    case 'github-team': {
      for (const slug of inputs.hostTeams ?? []) {
        const team = teamForName(config.teams, slug);
        if (team) return team.name;
      }
      // None matched: say which teams were seen, or the owner silently stays unknown.
      for (const slug of inputs.hostTeams ?? []) unmatched.push(`GitHub team "${slug}" administers or maintains this repository but matches no configured team (add it to a team's githubTeams)`);
      return undefined;
    }
    case 'codeowners':
      for (const path of CODEOWNERS_PATHS) {
        const read = snapshot?.read(path);
        if (!read || (!read.ok && read.reason === 'not-found')) continue;
        // GitHub uses the first CODEOWNERS it finds in .github/, the root, then docs/, even an unreadable one.
        if (!read.ok) {
          unmatched.push(`${path} could not be read (${read.reason}), so it names no owner`);
          return undefined;
        }
        unmatched.push(...codeownersProblems(read.text, path, inputs.ref.owner));
        return viaName(codeownersTeam(read.text, inputs.ref.owner), path);
      }
      return undefined;
    case 'catalog-info':
      for (const path of CATALOG_PATHS) {
        const read = snapshot?.read(path);
        if (!read?.ok) continue;
        const { owner, problem } = catalogOwner(read.text);
        if (problem) unmatched.push(`${path} ${problem}, so it names no owning team`);
        return viaName(owner, path);
      }
      return undefined;
  }
}

export function resolveOwner(inputs: OwnerInputs): OwnerVerdict {
  const unmatched: string[] = [];
  for (const source of inputs.order) {
    const team = fromSource(source, inputs, unmatched);
    if (team) return { team, source, unmatched };
  }
  return { unmatched };
}

/**
 * Owner of a repository whose content is unchanged since `previous` was judged, without reading it:
 * content sources answer as they did then. Undefined when that cannot be known (read it again).
 */
export function carriedOwner(inputs: Omit<OwnerInputs, 'snapshot'>, previous: { team?: string; source?: OwnerSource }): { known: true; verdict: OwnerVerdict } | { known: false; needsHostTeams?: true } {
  const unmatched: string[] = [];
  const previousIndex = previous.source ? inputs.order.indexOf(previous.source) : inputs.order.length;
  for (const [index, source] of inputs.order.entries()) {
    if (CONTENT_SOURCES.has(source)) {
      if (source === previous.source) return { known: true, verdict: { team: previous.team, source, unmatched } };
      // Before the previous winner it gave nothing then, and the content is the same; after it, it was never asked.
      if (index < previousIndex) continue;
      return { known: false };
    }
    if (source === 'github-team' && inputs.hostTeams === undefined) return { known: false, needsHostTeams: true };
    const team = fromSource(source, inputs, unmatched);
    if (team) return { known: true, verdict: { team, source, unmatched } };
  }
  return { known: true, verdict: { unmatched } };
}
