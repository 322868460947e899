// Which configured team owns a repository: configuration globs, Backstage catalog-info spec.owner,
// the CODEOWNERS "*" rule, or the host's teams with admin/maintain permission, in the configured order.
import { parse as parseYaml } from 'yaml';
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

/** The first team named by the CODEOWNERS rule for "*" (the last such rule wins, as in GitHub): "@org/slug" → slug. */
export function codeownersTeam(text: string): string | undefined {
  let owners: string[] | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) continue;
    const [pattern, ...rest] = line.split(/\s+/);
    if (pattern === '*' || pattern === '/*' || pattern === '/**' || pattern === '**') owners = rest;
  }
  const team = owners?.find((o) => /^@[^/\s]+\/[^/\s]+$/.test(o));
  return team?.split('/')[1];
}

/** spec.owner of the Component: "group:default/payments", "group:payments" or "payments" → payments. */
export function catalogOwner(text: string): string | undefined {
  let docs: unknown[];
  try {
    docs = [parseYaml(text, { maxAliasCount: 100, logLevel: 'error' })];
  } catch {
    return undefined;
  }
  for (const doc of docs) {
    const owner = (doc as { spec?: { owner?: unknown } } | null)?.spec?.owner;
    if (typeof owner === 'string' && owner.trim()) return owner.trim().replace(/^[a-z]+:/i, '').replace(/^[^/]+\//, '');
  }
  return undefined;
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
    case 'github-team':
      for (const slug of inputs.hostTeams ?? []) {
        const team = teamForName(config.teams, slug);
        if (team) return team.name;
      }
      return undefined;
    case 'codeowners':
      for (const path of CODEOWNERS_PATHS) {
        const read = snapshot?.read(path);
        // GitHub uses the first CODEOWNERS it finds in .github/, the root, then docs/.
        if (read?.ok) return viaName(codeownersTeam(read.text), path);
      }
      return undefined;
    case 'catalog-info':
      for (const path of CATALOG_PATHS) {
        const read = snapshot?.read(path);
        if (read?.ok) return viaName(catalogOwner(read.text), path);
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
