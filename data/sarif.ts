// SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/) for one repository: one result per
// finding of its latest run, so GitHub code scanning shows them on pull requests. Each rule carries
// its "How to fix" subsection as help and a link to it; results are located at the crawled commit.
import { RUNNER_RULES, ruleAnchor, type Severity } from '../checks/contract.ts';
import type { ApiDocument } from './api.ts';

/** What SARIF needs to know of a check: its rules, each with the Markdown of its How to fix subsection. */
export interface SarifCheck {
  id: string;
  title: string;
  description: string;
  category: string;
  docsPath: string;
  rules: { name: string; title: string; help: string }[];
}

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { high: 'error', medium: 'warning', low: 'note', info: 'note' };

/** The text of a rule's subsection (`<h3 id="rule-<name>">…</h3>` up to the next heading) in a check's README. */
export function ruleHelp(markdown: string, rule: string): string | undefined {
  const start = markdown.indexOf(`<h3 id="${ruleAnchor(rule)}">`);
  if (start < 0) return undefined;
  const after = markdown.slice(markdown.indexOf('\n', start) + 1);
  const end = after.search(/^#{1,3} |^<h3 /m);
  return (end < 0 ? after : after.slice(0, end)).trim();
}

function plain(markdown: string): string {
  return markdown
    .replace(/```[^\n]*\n([\s\S]*?)```/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\*\*([^*]*)\*\*/g, '$1')
    .replace(/<[^>]+>/g, '');
}

/**
 * The SARIF log of a repository document (/api/v1/repositories/<slug>.json). `siteUrl` makes help
 * links absolute (code scanning shows them outside the site); without it they are site paths.
 */
export function sarifLog(doc: ApiDocument<'repository'>, checks: readonly SarifCheck[], options: { toolVersion: string; siteUrl?: string; href: (path: string) => string }) {
  // Site paths already carry site.base, so they resolve against the site's origin.
  const link = (path: string) => (options.siteUrl ? new URL(options.href(path), options.siteUrl).href : options.href(path));
  const byId = new Map(checks.map((c) => [c.id, c]));
  const rules: object[] = [];
  const ruleIndex = new Map<string, number>();
  const ruleFor = (ruleId: string, checkId: string): number => {
    const known = ruleIndex.get(ruleId);
    if (known !== undefined) return known;
    const check = byId.get(checkId);
    const name = ruleId.slice(checkId.length + 1);
    const declared = check?.rules.find((r) => r.name === name);
    const runner = (RUNNER_RULES as Record<string, { title: string }>)[name];
    const title = declared?.title ?? runner?.title ?? name;
    const help = declared?.help ?? (runner ? 'Fix what the waiver covered, or renew the exemption in seaworthy.config.yaml with a new expiry date and reason.' : `See the check's page.`);
    const uri = link(`${check?.docsPath ?? `/checks/${checkId}/`}#${ruleAnchor(ruleId)}`);
    rules.push({
      id: ruleId,
      name: title,
      shortDescription: { text: title },
      fullDescription: { text: `${check?.title ?? checkId}: ${check?.description ?? ''}`.trim() },
      help: { text: plain(help), markdown: `${help}\n\n[How to fix on the scorecard](${uri})` },
      helpUri: uri,
      properties: { tags: ['seaworthy', check?.category ?? 'other'] },
    });
    ruleIndex.set(ruleId, rules.length - 1);
    return rules.length - 1;
  };
  const results: object[] = [];
  const notifications: object[] = [];
  for (const r of doc.results) {
    if (r.status === 'error') notifications.push({ level: 'error', message: { text: r.summary }, descriptor: { id: r.checkId } });
    const waived = r.status === 'waived' && r.waiver;
    for (const f of r.findings) {
      if (!f.rule) continue; // stored before rules existed: nothing stable to file it under
      const index = ruleFor(f.rule, r.checkId);
      results.push({
        ruleId: f.rule,
        ruleIndex: index,
        level: LEVEL[f.severity],
        message: { text: f.message },
        // Code scanning files every result under a location; a finding about the whole repository sits at its root.
        locations: [{ physicalLocation: { artifactLocation: { uri: f.path ?? '.', uriBaseId: '%SRCROOT%' }, ...(f.path && f.line ? { region: { startLine: f.line } } : {}) } }],
        ...(waived ? { suppressions: [{ kind: 'external', status: 'accepted', justification: `${r.waiver!.reason} (until ${r.waiver!.expires})` }] } : {}),
        properties: { checkId: r.checkId, checkStatus: r.status, checkScore: r.score },
      });
    }
  }
  const repo = doc.repository;
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0' as const,
    runs: [
      {
        tool: { driver: { name: 'Seaworthy', semanticVersion: options.toolVersion, informationUri: link('/checks/'), rules } },
        automationDetails: { id: `seaworthy/${repo.slug}/` },
        ...(repo.headOid ? { versionControlProvenance: [{ ...(repo.webUrl ? { repositoryUri: repo.webUrl } : { repositoryUri: `urn:seaworthy:${encodeURIComponent(repo.owner)}:${encodeURIComponent(repo.name)}` }), revisionId: repo.headOid, ...(repo.defaultBranch ? { branch: repo.defaultBranch } : {}) }] } : {}),
        invocations: [{ executionSuccessful: true, ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}) }],
        results,
      },
    ],
  };
}
