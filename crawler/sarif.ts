// The SARIF rule catalogue of a configuration: every check it knows (ours and its plugins), each
// rule with the "How to fix" subsection of the check's page as help.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ruleId } from '../checks/contract.ts';
import { repositoryDocument } from '../data/api.ts';
import { Queries } from '../data/queries.ts';
import { ruleHelp, sarifLog, type SarifCheck } from '../data/sarif.ts';
import { Scorecard } from '../data/scorecard.ts';
import { PLUGIN_CHECKS, allChecks, type SeaworthyConfig } from './config.ts';
import { catalogOf, type SiteChecks } from './site.ts';
import { TOOL_VERSION } from './version.ts';

const CHECKS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'checks');

export function sarifChecksOf(config: SeaworthyConfig): SarifCheck[] {
  const plugins = new Map((config[PLUGIN_CHECKS] ?? []).map((p) => [p.check.id, p]));
  return allChecks(config).map((check) => {
    const plugin = plugins.get(check.id);
    const readme = plugin ? plugin.readme() : readFileSync(path.join(CHECKS_DIR, check.id, 'README.md'), 'utf8');
    return {
      id: check.id,
      title: check.meta.title,
      description: check.meta.description,
      category: check.meta.category,
      docsPath: check.docsPath,
      rules: Object.entries(check.meta.rules).map(([name, rule]) => ({ name, title: rule.title, help: ruleHelp(readme, ruleId(check.id, name)) ?? check.meta.description })),
    };
  });
}

/** The checks the site shows, plugin pages and SARIF rules included. */
export function siteChecksOf(config: SeaworthyConfig): SiteChecks {
  return {
    catalog: catalogOf(allChecks(config)),
    pluginDocs: (config[PLUGIN_CHECKS] ?? []).map((p) => ({ id: p.check.id, markdown: p.readme() })),
    sarif: sarifChecksOf(config),
    ...(config.site.url ? { siteUrl: config.site.url } : {}),
  };
}

/** `seaworthy sarif --repo NAME`: the SARIF log of one repository's latest run in the database. */
export function repositorySarif(config: SeaworthyConfig, dbPath: string, repo: string): { slug: string; log: object } {
  const queries = new Queries(dbPath);
  try {
    const checks = siteChecksOf(config);
    const scorecard = new Scorecard(queries, config.levels, checks.catalog);
    const repos = scorecard.repos();
    const wanted = repo.toLowerCase();
    const match = repos.find((r) => r.slug.toLowerCase() === wanted) ?? repos.find((r) => `${r.owner}/${r.name}`.toLowerCase() === wanted) ?? repos.find((r) => r.name.toLowerCase() === wanted);
    if (!match) throw new SarifError(`no repository "${repo}" in the latest run of ${dbPath}${repos.length > 0 ? ` (known: ${repos.slice(0, 5).map((r) => r.name).join(', ')}${repos.length > 5 ? ', …' : ''})` : ''}`);
    const base = config.site.base.replace(/\/+$/, '');
    const href = (p: string) => `${base}${p.startsWith('/') ? p : `/${p}`}`;
    return { slug: match.slug, log: sarifLog(repositoryDocument(scorecard, match.slug, href), checks.sarif!, { toolVersion: TOOL_VERSION, siteUrl: config.site.url, href }) };
  } finally {
    queries.close();
  }
}

export class SarifError extends Error {}
