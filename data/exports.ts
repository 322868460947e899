// The exports (/api/v1/… JSON and CSV, SVG badges) written as plain files after the Astro build, from
// the same scorecard the pages used. They are data, not pages: written directly they cost a fraction
// of what an Astro endpoint per file costs (a Response, a stream and a copy each), which matters with
// a JSON document and a badge per repository.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { apiJsonSchema, apiPaths, apiSchemas, checkDocument, initiativeDocument, organisationDocument, repositoriesDocument, repositoryDocument, teamCsv, teamDocument, type ApiKind } from './api.ts';
import { renderBadge } from './badge.ts';
import { atomFeed, entriesFor, newsEntries } from './news.ts';
import type { Scorecard } from './scorecard.ts';

export interface FeedSettings {
  siteTitle: string;
  /** The site's public address (site.url): links in feeds are absolute with it, relative to the feed without. */
  siteUrl?: string;
}

/** The namespace of entry ids: the site's address when known, else its title, so two installations never share ids. */
export function feedNamespace(settings: FeedSettings): string {
  return settings.siteUrl ?? settings.siteTitle;
}

/** Names that become file names: slugs, team names and check ids are all of this form (config and store see to it). */
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/**
 * Writes every export under `dir`. The documents are made one at a time, yielding between them, and
 * written by the thread pool, so this can run while Astro renders the pages (the build moves the
 * folders into the site afterwards): the file writes then cost no time of their own.
 */
export async function writeExports(s: Scorecard, dir: string, href: (p: string) => string, checkIds: readonly string[], feeds: FeedSettings = { siteTitle: 'Seaworthy' }): Promise<{ files: number }> {
  const made = new Set<string>();
  const pending = new Set<Promise<void>>();
  let files = 0;
  let failed: unknown;
  const write = async (sitePath: string, make: () => string) => {
    const parts = sitePath.split('/').filter(Boolean);
    for (const part of parts) {
      if (!SAFE_NAME.test(part.replace(/\.(json|csv|svg|atom)$/, ''))) throw new Error(`refusing to write an export under an unsafe name: ${JSON.stringify(sitePath)}`);
    }
    const file = path.join(dir, ...parts);
    const parent = path.dirname(file);
    if (!made.has(parent)) {
      await mkdir(parent, { recursive: true });
      made.add(parent);
    }
    const body = make();
    const done = writeFile(file, body).then(
      () => void pending.delete(done),
      (error: unknown) => {
        failed ??= error;
        pending.delete(done);
      },
    );
    pending.add(done);
    files++;
    // A few writes in flight; then let the event loop (and Astro's rendering) run.
    if (pending.size >= 8) await Promise.race(pending);
    else await new Promise((resolve) => setImmediate(resolve));
    if (failed) throw failed;
  };
  const json = (value: unknown) => JSON.stringify(value);

  await write(apiPaths.organisation(), () => json(organisationDocument(s, href)));
  await write(apiPaths.repositories(), () => json(repositoriesDocument(s, href)));
  for (const kind of Object.keys(apiSchemas) as ApiKind[]) await write(apiPaths.schema(kind), () => json(apiJsonSchema(kind)));
  for (const id of checkIds) await write(apiPaths.check(id), () => json(checkDocument(s, id, href)));
  for (const team of s.teams()) {
    await write(apiPaths.team(team.name), () => json(teamDocument(s, team.name, href)));
    await write(apiPaths.teamCsv(team.name), () => teamCsv(s, team.name));
    await write(apiPaths.teamBadge(team.name), () => renderBadge({ label: 'seaworthy', score: team.score, level: team.levelName, subject: team.displayName }));
  }
  for (const repo of s.repos()) {
    await write(apiPaths.repo(repo.slug), () => json(repositoryDocument(s, repo.slug, href)));
    await write(apiPaths.repoBadge(repo.slug), () => renderBadge({ label: 'seaworthy', score: repo.score, level: repo.levelName, subject: repo.name }));
  }
  for (const initiative of s.initiatives()) await write(apiPaths.initiative(initiative.definition.id), () => json(initiativeDocument(s, initiative.definition.id, href)));
  if (s.latest) {
    const namespace = feedNamespace(feeds);
    const entries = newsEntries(s, namespace);
    const link = (p: string) => (feeds.siteUrl ? `${feeds.siteUrl.replace(/\/+$/, '')}${p}` : href(p));
    const common = { namespace, siteTitle: feeds.siteTitle, link, updated: s.latest.finishedAt ?? s.latest.startedAt };
    await write(apiPaths.organisationFeed(), () => atomFeed({ ...common, feedPath: apiPaths.organisationFeed(), pagePath: '/', name: 'Organisation', entries: entriesFor(entries, null) }));
    for (const team of s.teams()) {
      await write(apiPaths.teamFeed(team.name), () => atomFeed({ ...common, feedPath: apiPaths.teamFeed(team.name), pagePath: `/teams/${team.name}/`, name: team.displayName, entries: entriesFor(entries, team.name) }));
    }
  }
  await Promise.all(pending);
  if (failed) throw failed;
  return { files };
}

/** The top-level folders exports are written to (moved into the built site as they are). */
export const EXPORT_ROOTS = ['api', 'badges', 'feeds'];
