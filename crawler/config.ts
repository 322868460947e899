// seaworthy.config.yaml: one zod schema, composed with each check's own options schema.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, isNode, stringify as stringifyYaml, type Document } from 'yaml';
import { z } from 'zod';
import { REPO_KINDS } from '../checks/contract.ts';
import { CHECKS } from '../checks/registry.ts';
import { DEFAULT_LEVELS } from '../data/levels.ts';

/** The organisation's feed file name (/feeds/organisation.atom); no team may take it. */
export const ORGANISATION_FEED = 'organisation';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const globList = z.array(z.string().min(1)).min(1);

const localSource = z
  .object({
    type: z.literal('local'),
    paths: globList.meta({ description: 'Directories or globs of git repositories, relative to this file.', examples: [['../repos/*', '/srv/git/payments-api']] }),
    owner: z.string().min(1).optional().meta({ description: 'Owner shown for these repositories (default: the parent directory name).', examples: ['acme'] }),
    webUrl: z
      .string()
      .regex(/^https?:\/\/\S+$/, 'must be an http(s) URL template')
      .optional()
      .meta({ description: 'Web URL of each repository, used to link findings to files. {name} and {owner} are replaced.', examples: ['https://github.com/acme/{name}'] }),
  })
  .strict()
  .meta({ examples: [{ type: 'local', paths: ['../repos/*'] }] });

const OWNER_SOURCES = ['config', 'catalog-info', 'codeowners', 'github-team'] as const;

const nameFilter = z.array(z.string().min(1));

const githubAuth = z.union([
  z
    .object({
      tokenEnv: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable, not the token itself')
        .default('GITHUB_TOKEN')
        .meta({ description: 'Environment variable holding a token (never the token itself).', examples: ['GITHUB_TOKEN'] }),
    })
    .strict(),
  z
    .object({
      app: z
        .object({
          appId: z.union([z.int().positive(), z.string().regex(/^\d+$/, 'must be a number')]).optional().meta({ description: 'The GitHub App id (a number).', examples: [123456] }),
          appIdEnv: z
            .string()
            .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable')
            .optional()
            .meta({ description: 'Environment variable holding the App id instead of appId (a workflow can give each shard its own App).', examples: ['SEAWORTHY_APP_ID'] }),
          privateKeyFile: z.string().min(1).optional().meta({ description: "Path to the App's private key (.pem), relative to this file.", examples: ['secrets/seaworthy.pem'] }),
          privateKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable').optional().meta({ description: 'Environment variable holding the private key.', examples: ['SEAWORTHY_APP_KEY'] }),
          installationId: z.int().positive().optional().meta({ description: "The App's installation on the organisation; looked up from the organisation when omitted." }),
        })
        .strict()
        .refine((a) => (a.privateKeyFile === undefined) !== (a.privateKeyEnv === undefined), 'give exactly one of privateKeyFile or privateKeyEnv')
        .refine((a) => (a.appId === undefined) !== (a.appIdEnv === undefined), 'give exactly one of appId or appIdEnv'),
    })
    .strict(),
]);

const githubSource = z
  .object({
    type: z.literal('github'),
    org: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]*$/, 'must be an organisation login such as "acme"').meta({ description: 'Organisation whose repositories are crawled.', examples: ['acme'] }),
    apiUrl: z
      .string()
      .regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, 'must be an http(s) URL such as https://api.github.com or https://ghe.example.com/api')
      .default('https://api.github.com')
      .transform((u) => u.replace(/\/+$/, ''))
      .meta({ description: 'API root: https://api.github.com, or https://<host>/api for GitHub Enterprise Server (GraphQL at <apiUrl>/graphql).', examples: ['https://ghe.example.com/api'] }),
    auth: githubAuth.prefault({}).meta({ description: 'A token from an environment variable (default GITHUB_TOKEN), or a GitHub App.', examples: [{ tokenEnv: 'GITHUB_TOKEN' }, { app: { appId: 123456, privateKeyFile: 'secrets/seaworthy.pem' } }] }),
    archived: z.boolean().default(false).meta({ description: 'Include archived repositories.' }),
    forks: z.boolean().default(false).meta({ description: 'Include forks.' }),
    templates: z.boolean().default(true).meta({ description: 'Include template repositories.' }),
    visibility: z.array(z.enum(['public', 'private', 'internal'])).min(1).default(['public', 'private', 'internal']).meta({ description: 'Visibilities to include.', examples: [['private', 'internal']] }),
    topics: nameFilter.default([]).meta({ description: 'Only repositories with at least one of these topics (empty: no topic filter).', examples: [['production']] }),
    include: nameFilter.default([]).meta({ description: 'Only repositories whose name matches one of these globs (empty: all).', examples: [['payments-*', 'ledger']] }),
    exclude: nameFilter.default([]).meta({ description: 'Leave out repositories whose name matches one of these globs.', examples: [['*-sandbox', 'archive-*']] }),
    ownership: z
      .array(z.enum(OWNER_SOURCES))
      .min(1)
      .refine((list) => new Set(list).size === list.length, 'list each owner source once')
      .default(['config', 'catalog-info', 'codeowners', 'github-team'])
      .meta({ description: 'Where a repository\'s owning team comes from, first match wins: config (teams[].repos), catalog-info (spec.owner), codeowners (the "*" rule\'s first team), github-team (teams with admin or maintain permission).', examples: [['config', 'catalog-info', 'codeowners', 'github-team']] }),
    history: z
      .object({
        mergedPullRequests: z.int().min(0).max(100).default(30).meta({ description: 'Most recently merged pull requests read per repository, each with up to 100 changed paths (about 0.01 points each).' }),
        openPullRequests: z.int().min(0).max(100).default(20).meta({ description: 'Oldest open pull requests read per repository (update PRs from Renovate or Dependabot, with their age).' }),
        commits: z.int().min(0).max(100).optional().meta({ description: 'No longer used: history is read with git, with changed files, up to crawl.historyLimit commits (a warning says so when it is set).' }),
      })
      .strict()
      .prefault({}),
    cacheDir: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Folder of the bare repositories (blobless partial clones) kept between crawls, relative to this file; default: git-cache/ beside the database. Keep it between nights (actions/cache) so an unchanged night fetches nothing and a changed repository fetches only what changed.', examples: ['.seaworthy/git-cache'] }),
    budget: z
      .object({
        maxMinutes: z.number().positive().default(60).meta({ description: 'Stop asking GitHub after this long; repositories not reached keep their last result, marked stale.' }),
        maxRateLimitWaitMinutes: z.number().min(0).default(15).meta({ description: 'Wait for the hourly budget to reset only if that is at most this long away.' }),
        requestTimeoutSeconds: z.number().positive().default(60).meta({ description: 'Give up on one request after this long (it is retried).' }),
        retries: z.int().min(0).max(10).default(3).meta({ description: 'Retries of a request that failed with a server error or timed out.' }),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .meta({ examples: [{ type: 'github', org: 'acme' }] });

const team = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes').meta({ examples: ['payments'] }),
    displayName: z.string().min(1).meta({ examples: ['Payments'] }),
    repos: globList.meta({ description: 'Repository names or globs (matched against "name" and "owner/name").', examples: [['payments-*', 'ledger']] }),
    // Rendered as a link on the site: only schemes that cannot run script.
    contact: z
      .url({ protocol: /^(https?|mailto)$/, error: 'must be an http(s) or mailto: URL' })
      .optional()
      .meta({ description: 'Where to reach the team (http, https or mailto).', examples: ['https://chat.example.com/channels/payments'] }),
    githubTeams: z
      .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a GitHub team slug such as "payments-backend"'))
      .optional()
      .meta({ description: 'GitHub team slugs (and Backstage group names) that mean this team; without it, a GitHub team or group whose slug equals "name".', examples: [['payments-backend', 'payments-oncall']] }),
  })
  .strict()
  .meta({ examples: [{ name: 'payments', displayName: 'Payments', repos: ['payments-*'], contact: 'https://chat.example.com/payments' }] });

const checkIds = CHECKS.map((c) => c.id) as [string, ...string[]];

function checkSettings(check: (typeof CHECKS)[number]) {
  return z
    .object({
      enabled: z.boolean().default(true),
      weight: z.number().min(0).max(100).default(check.meta.weight).meta({ examples: [check.meta.weight] }),
      thresholds: (check.meta.options as z.ZodType).prefault({}),
    })
    .strict()
    .prefault({});
}

const registryUrl = z
  .string()
  .regex(/^https?:\/\/[^\s/?#@]+(\/[^\s?#]*)?$/, 'must be an http(s) base URL without credentials, query or fragment (put a token in tokenEnv)');

function registryEndpoint<Extra extends z.ZodRawShape = Record<never, never>>(label: string, url: string, extra: Extra = {} as Extra) {
  return z
    .object({
      url: registryUrl.default(url).meta({ description: `Base URL of the ${label}; point it at an internal mirror if you have one.`, examples: [url] }),
      tokenEnv: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable, not the token itself')
        .optional()
        .meta({ description: 'Environment variable holding a token for this registry. It is sent only to the host of `url`, never logged and never stored.', examples: ['NPM_MIRROR_TOKEN'] }),
      authScheme: z.enum(['bearer', 'basic']).default('bearer').meta({ description: 'bearer sends "Authorization: Bearer <token>"; basic expects "user:password" in the variable.' }),
      ttlHours: z.number().min(0).optional().meta({ description: 'Overrides registries.ttlHours for this registry.' }),
      concurrencyPerHost: z.int().min(1).max(32).optional(),
      timeoutMs: z.int().min(100).max(600_000).optional(),
      totalBudgetMs: z.int().min(100).max(3_600_000).optional(),
      ...extra,
    })
    .strict()
    .prefault({} as never);
}

const maxVersionDates = z.int().min(0).max(1000).default(30).meta({ description: 'Versions dated one request at a time, newest first; older versions stay undated (dates once known are kept).' });

const registries = z
  .object({
    offline: z.boolean().default(false).meta({ description: 'Use the registry cache alone, whatever its age; packages it lacks are reported undated (same as --offline).' }),
    ttlHours: z.number().min(0).max(24 * 365).default(24).meta({ description: 'How long a cached release list is used before it is asked again.' }),
    notFoundTtlHours: z.number().min(0).max(24 * 30).default(1).meta({ description: 'How long "not found in registry" answers are cached.' }),
    concurrencyPerHost: z.int().min(1).max(32).default(4).meta({ description: 'Requests in flight at once to one registry host.' }),
    timeoutMs: z.int().min(100).max(600_000).default(15_000).meta({ description: 'Time allowed for one request.' }),
    totalBudgetMs: z.int().min(100).max(3_600_000).default(60_000).meta({ description: 'Time allowed for one package lookup, retries and Retry-After waits included.' }),
    retries: z.int().min(0).max(10).default(3).meta({ description: 'Retries after a timeout, a reset connection, HTTP 429 or 5xx.' }),
    userAgent: z.string().min(1).optional().meta({ description: 'User-Agent sent to registries (default names Seaworthy and its version); add a contact address for crates.io.', examples: ['seaworthy (platform-team@example.com)'] }),
    npm: registryEndpoint('npm registry', 'https://registry.npmjs.org'),
    pypi: registryEndpoint('Python package index (JSON API)', 'https://pypi.org'),
    go: registryEndpoint('Go module proxy', 'https://proxy.golang.org', { maxVersionDates }),
    cargo: registryEndpoint('crates.io API', 'https://crates.io', {
      minIntervalMs: z.int().min(0).max(60_000).default(1000).meta({ description: 'Least time between two requests; crates.io asks crawlers for at most one per second.' }),
    }),
    rubygems: registryEndpoint('RubyGems API', 'https://rubygems.org'),
    'terraform-provider': registryEndpoint('Terraform registry', 'https://registry.terraform.io', { maxVersionDates }),
  })
  .strict()
  .prefault({})
  .meta({
    description: 'Package registries asked for release dates (checks that judge dependency freshness). One cache in the database serves every repository and run.',
    examples: [{ ttlHours: 24, npm: { url: 'https://npm.internal.example.com', tokenEnv: 'NPM_MIRROR_TOKEN' } }],
  });

const minimumScore = z.number().min(0).max(10);

const level = z
  .object({
    name: z.string().min(1).max(40).meta({ examples: ['Silver'] }),
    description: z.string().optional().meta({ description: 'Shown beside the level on the site.' }),
    everyCheck: minimumScore.optional().meta({ description: 'Minimum score of every check judged for the repository.', examples: [6] }),
    checks: z
      .object(Object.fromEntries(CHECKS.map((c) => [c.id, minimumScore.optional()])))
      .strict()
      .optional()
      .meta({ description: 'Minimum score per check id; overrides everyCheck for that check.', examples: [{ [CHECKS[0].id]: 8 }] }),
  })
  .strict()
  .refine((l) => l.everyCheck !== undefined || Object.values(l.checks ?? {}).some((v) => v !== undefined), 'give "everyCheck" or at least one entry under "checks"')
  .meta({ examples: [{ name: 'Silver', everyCheck: 6, checks: { [CHECKS[0].id]: 8 } }] });

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable, not the URL itself');

const initiativeGoal = z.union([
  z
    .object({ level: z.string().min(1).meta({ description: 'Name of a level under "levels": each repository in scope reaches it (or a higher one).', examples: ['Silver'] }) })
    .strict()
    .meta({ examples: [{ level: 'Silver' }] }),
  z
    .object({
      check: z.enum(checkIds).meta({ description: 'A check id.', examples: [checkIds[0]] }),
      status: z.enum(['pass', 'warn']).optional().meta({ description: 'At least this status: pass, or warn (warn or pass).', examples: ['pass'] }),
      score: minimumScore.optional().meta({ description: 'At least this score (0–10).', examples: [8] }),
    })
    .strict()
    .refine((g) => g.status !== undefined || g.score !== undefined, 'give "status" (pass or warn) or "score" (a minimum from 0 to 10), or both')
    .meta({ examples: [{ check: checkIds[0], status: 'pass' }] }),
  z
    .object({
      rules: z
        .array(z.string().regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, 'must be a rule id "<check-id>/<rule>" as shown beside each finding'))
        .min(1)
        .meta({ description: 'Rule ids ("<check-id>/<rule>"): each repository in scope has no finding of any of them.', examples: [['runbooks/alert-without-runbook']] }),
    })
    .strict()
    .meta({ examples: [{ rules: ['runbooks/alert-without-runbook'] }] }),
]);

const initiative = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes (it names the page /initiatives/<id>/)').max(80).meta({ examples: ['rollback-plans-q1'] }),
    title: z.string().min(1).max(200).meta({ examples: ['Every payments service has a rollback plan'] }),
    description: z.string().optional().meta({ description: 'Why it matters, shown on the initiative page.' }),
    owner: z.string().min(1).optional().meta({ description: 'Who to ask: a person or a team.', examples: ['Head of Payments'] }),
    start: z.iso.date().meta({ description: 'YYYY-MM-DD; progress is measured from the last run on or before this day.', examples: ['2027-01-05'] }),
    due: z.iso.date().meta({ description: 'YYYY-MM-DD, the day it should be done.', examples: ['2027-03-31'] }),
    goal: initiativeGoal.meta({
      description: 'What "done" means for one repository: a level, a check at a status or score, or a set of rules with no finding. Waived and not-applicable results count as done.',
      examples: [{ level: 'Silver' }, { check: checkIds[0], status: 'pass' }, { rules: ['runbooks/alert-without-runbook'] }],
    }),
    scope: z
      .object({
        teams: z.array(z.string().min(1)).min(1).optional().meta({ description: 'Team names (teams[].name).', examples: [['payments']] }),
        repos: globList.optional().meta({ description: 'Repository names or globs (matched against "name" and "owner/name").', examples: [['payments-*']] }),
        kinds: z.array(z.enum(REPO_KINDS)).min(1).optional().meta({ description: 'Repository kinds.', examples: [['service']] }),
        lifecycle: z.array(z.string().min(1)).min(1).optional().meta({ description: 'Catalog lifecycle (catalog-info.yaml spec.lifecycle).', examples: [['production']] }),
      })
      .strict()
      .default({})
      .meta({ description: 'Which repositories it covers; every filter given must match (none: every repository).', examples: [{ teams: ['payments'], kinds: ['service'] }] }),
  })
  .strict()
  .refine((i) => i.due > i.start, { path: ['due'], message: 'due must be after start' })
  .meta({ examples: [{ id: 'rollback-plans', title: 'Every payments service has a rollback plan', start: '2027-01-05', due: '2027-03-31', goal: { check: checkIds[0], status: 'pass' }, scope: { teams: ['payments'], kinds: ['service'] } }] });

export type InitiativeConfig = z.output<typeof initiative>;

const digest = z
  .object({
    webhooks: z
      .array(
        z
          .object({
            urlEnv: envName.meta({ description: 'Environment variable holding the incoming-webhook URL (never the URL itself: it is a secret, never stored or logged).', examples: ['SEAWORTHY_SLACK_PAYMENTS'] }),
            teams: z.array(z.string().min(1)).min(1).optional().meta({ description: 'Teams whose digest goes to this webhook (default: every team).', examples: [['payments']] }),
          })
          .strict(),
      )
      .min(1)
      .meta({ examples: [[{ urlEnv: 'SEAWORTHY_SLACK_PAYMENTS', teams: ['payments'] }]] }),
    timeoutSeconds: z.number().positive().max(120).default(10).meta({ description: 'Time allowed for one request.' }),
    retries: z.int().min(0).max(10).default(3).meta({ description: 'Retries after a timeout, a network error, HTTP 429 or 5xx.' }),
    budgetSeconds: z.number().positive().max(900).default(60).meta({ description: 'Time allowed for one message, retries and Retry-After waits included; a Retry-After beyond it gives up.' }),
  })
  .strict()
  .optional()
  .meta({
    description: 'Optional nightly digest: after each crawl, one message per team with news (its feed entries new since the previous run), in the Slack-compatible incoming-webhook JSON. A failure never fails the crawl; it is reported in the job summary.',
    examples: [{ webhooks: [{ urlEnv: 'SEAWORTHY_SLACK_PAYMENTS', teams: ['payments'] }] }],
  });

export const configSchema = z
  .object({
    $schema: z.string().optional(),
    database: z.string().min(1).default('data/seaworthy.db').meta({ description: 'SQLite file, relative to this file.', examples: ['data/seaworthy.db'] }),
    site: z
      .object({
        title: z.string().min(1).default('Seaworthy'),
        base: z.string().regex(/^\//, 'must start with "/"').default('/').meta({ description: 'Base path the site is served under.', examples: ['/scorecards/'] }),
        outDir: z.string().min(1).default('dist'),
        url: z
          .string()
          .regex(/^https?:\/\/[^\s?#]+$/, 'must be the http(s) address the site is published at, without query or fragment')
          .optional()
          .meta({ description: 'Public address of the site (base path included), for absolute links in feeds and chat messages.', examples: ['https://acme.github.io/scorecards/'] }),
      })
      .strict()
      .prefault({}),
    sources: z.array(z.discriminatedUnion('type', [localSource, githubSource])).min(1).meta({ examples: [[{ type: 'local', paths: ['../repos/*'] }], [{ type: 'github', org: 'acme' }]] }),
    teams: z.array(team).default([]),
    checks: z
      .object(Object.fromEntries(CHECKS.map((c) => [c.id, checkSettings(c)])))
      .strict()
      .prefault({})
      .meta({ description: `Per-check settings. Known checks: ${checkIds.join(', ')}.`, examples: [{ runbooks: { weight: 2, thresholds: { passAt: 8 } } }] }),
    exemptions: z
      .array(
        z
          .object({
            repo: z.string().min(1).meta({ examples: ['legacy-batch'] }),
            check: z.enum(checkIds).meta({ examples: [checkIds[0]] }),
            reason: z.string().min(10, 'give a reason of at least 10 characters, so readers know why').meta({ examples: ['Decommissioned in Q1; no production traffic.'] }),
            expires: z.iso.date().meta({ description: 'YYYY-MM-DD; after it the waiver stops applying.', examples: ['2027-03-31'] }),
          })
          .strict(),
      )
      .default([]),
    levels: z
      .array(level)
      .default(DEFAULT_LEVELS)
      .meta({
        description:
          'Levels, lowest first; each is cumulative (a repository reaches a level when it meets it and every level below). Not-applicable counts as met; waived and error never do.',
      }),
    repoKinds: z
      .array(
        z
          .object({
            repo: z.string().min(1),
            kind: z.enum(REPO_KINDS),
          })
          .strict()
          .meta({ examples: [{ repo: 'docs-*', kind: 'other' }] }),
      )
      .default([])
      .meta({ description: 'Override the detected kind of repositories (service, infrastructure, library, other).' }),
    crawl: z
      .object({
        concurrency: z.int().min(1).max(32).default(4),
        maxFileBytes: z.int().min(1024).default(1_048_576).meta({ description: 'Files larger than this are not read.' }),
        historyLimit: z.int().min(1).default(1000).meta({ description: 'Commits of history read per repository.' }),
        carryForwardDays: z
          .int()
          .min(0)
          .default(7)
          .meta({ description: 'A repository whose head commit, checks and configuration are unchanged keeps its results without being read again, for at most this many days (0: always read everything).' }),
        resumeWithinHours: z
          .number()
          .min(0)
          .default(24)
          .meta({ description: 'A run left unfinished (killed, interrupted) is resumed by the next crawl when it was last written at most this many hours ago; older ones are closed as failed and a new run starts.' }),
      })
      .strict()
      .prefault({}),
    registries,
    retention: z
      .object({
        enabled: z.boolean().default(true).meta({ description: 'Prune old findings after each finished crawl (seaworthy prune does it on demand).' }),
        dailyDays: z.int().min(1).default(90).meta({ description: "Every run keeps its findings (file and line detail) this many days; scores and statuses are kept for ever." }),
        weeklyDays: z
          .int()
          .min(0)
          .default(0)
          .meta({ description: "After dailyDays, the last good run of each week keeps its findings this many days from its date (0: for ever); other runs keep only scores and statuses." }),
      })
      .strict()
      // weeklyDays counts from the run's date too: at or below dailyDays no week would ever keep its detail.
      .refine((r) => r.weeklyDays === 0 || r.weeklyDays > r.dailyDays, { path: ['weeklyDays'], message: 'weeklyDays counts from the run\'s date like dailyDays, so it must be 0 (weekly detail for ever) or more than dailyDays, e.g. dailyDays: 90, weeklyDays: 730' })
      .prefault({})
      .meta({ description: 'How long the detail of old runs is kept. A repository\'s latest good result and the results carried from it are never pruned.', examples: [{ dailyDays: 90, weeklyDays: 730 }] }),
    initiatives: z
      .array(initiative)
      .default([])
      .meta({ description: 'Targets with a date: a goal for every repository in a scope, due by a day. Shown at /initiatives/, in team pages and feeds.' }),
    digest,
  })
  .strict();

export type SeaworthyConfig = z.output<typeof configSchema> & { configDir: string; configPath: string };
export type GitHubSourceConfig = z.output<typeof githubSource>;
export type OwnerSource = (typeof OWNER_SOURCES)[number];

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Walks the schema along an issue path to find the nearest example to show. */
function exampleFor(root: z.ZodType, issuePath: readonly PropertyKey[], raw: unknown): { at: string; example: unknown } | undefined {
  let schema: z.ZodType | undefined = root;
  let value: unknown = raw;
  let best: { at: string; example: unknown } | undefined;
  const walked: string[] = [];
  const note = (s: z.ZodType | undefined) => {
    const meta = s ? z.globalRegistry.get(s) : undefined;
    if (meta?.examples && Array.isArray(meta.examples) && meta.examples.length > 0) best = { at: walked.join('.'), example: meta.examples[0] };
  };
  for (const key of issuePath) {
    note(schema);
    if (!schema) break;
    schema = unwrap(schema, value);
    if (schema instanceof z.ZodObject) schema = (schema.shape as Record<string, z.ZodType>)[String(key)];
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else if (schema instanceof z.ZodDiscriminatedUnion) schema = optionFor(schema, value);
    else schema = undefined;
    value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
    walked.push(String(key));
  }
  note(schema);
  return best;
}

/** The union member the value's discriminator names (a github source gets github examples), else the first. */
function optionFor(union: z.ZodDiscriminatedUnion, value: unknown): z.ZodType {
  const tag = value && typeof value === 'object' ? (value as Record<string, unknown>)[union.def.discriminator] : undefined;
  const match = union.options.find((o) => o instanceof z.ZodObject && (o.shape as Record<string, z.ZodType>)[union.def.discriminator] instanceof z.ZodLiteral && ((o.shape as Record<string, z.ZodLiteral>)[union.def.discriminator]!.value === tag));
  return (match ?? union.options[0]) as z.ZodType;
}

function unwrap(schema: z.ZodType, value?: unknown): z.ZodType {
  let current: z.ZodType = schema;
  while (current instanceof z.ZodDefault || current instanceof z.ZodPrefault || current instanceof z.ZodOptional) current = current.unwrap() as z.ZodType;
  if (current instanceof z.ZodDiscriminatedUnion) current = optionFor(current, value);
  return current;
}

function formatPath(issuePath: readonly PropertyKey[]): string {
  return issuePath.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join('') || '(top level)';
}

function lineOf(doc: Document, counter: LineCounter, issuePath: readonly PropertyKey[]): number | undefined {
  for (let depth = issuePath.length; depth >= 0; depth--) {
    const node = doc.getIn(issuePath.slice(0, depth) as unknown[], true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}

function exampleYaml(value: unknown, key: string): string {
  return stringifyYaml(key ? { [key]: value } : value);
}


function formatIssue(schema: z.ZodType, issue: z.core.$ZodIssue, raw: unknown, doc: Document, counter: LineCounter, file: string): string {
  const where = formatPath(issue.path);
  // An unknown key is best shown on its own line, not on the first line of the mapping around it.
  const line = lineOf(doc, counter, issue.code === 'unrecognized_keys' && issue.keys.length > 0 ? [...issue.path, issue.keys[0]!] : issue.path);
  let actual: unknown = raw;
  for (const key of issue.path) actual = actual && typeof actual === 'object' ? (actual as Record<PropertyKey, unknown>)[key] : undefined;
  let message = issue.message;
  if (issue.code === 'invalid_type') message = `expected ${issue.expected}, got ${describeValue(actual)}`;
  if (issue.code === 'unrecognized_keys') message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_value' && 'values' in issue) message = `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(actual)}`;
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // The alternative the value was written for is the one without unknown keys: its own complaints say more than "Invalid input".
    const meant = issue.errors.filter((branch) => !branch.some((e) => e.code === 'unrecognized_keys'));
    if (meant.length === 1 && meant[0]!.length > 0) message = meant[0]!.map((e) => (e.path.length > 0 ? `${formatPath(e.path)}: ${e.message}` : e.message)).join('; ');
  }
  const lines = [`${file}${line ? `:${line}` : ''}: ${where}: ${message}`];
  const example = exampleFor(schema, issue.path, raw);
  if (example) {
    const key = example.at.split('.').pop() ?? '';
    const shown = exampleYaml(example.example, /^\d+$/.test(key) ? '' : key).trimEnd();
    lines.push(`  example${example.at ? ` for ${example.at}` : ''}:`, ...shown.split('\n').map((l) => `    ${l}`));
  }
  return lines.join('\n');
}

export type YamlValidation<T> = { ok: true; data: T; lineOf(path: readonly (string | number)[]): number | undefined } | { ok: false; syntax: boolean; problems: string[] };

/**
 * Parses YAML and validates it against a zod schema. Each problem reads "file:line: path: what is
 * wrong", followed by the nearest example the schema's metadata gives. Shared by the configuration
 * and by calibration labels, so every YAML a person writes for Seaworthy fails the same helpful way.
 */
export function validateYaml<S extends z.ZodType>(schema: S, text: string, file: string): YamlValidation<z.output<S>> {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: true, logLevel: 'error' });
  if (doc.errors.length > 0) {
    return { ok: false, syntax: true, problems: doc.errors.map((e) => `${file}${e.linePos ? `:${e.linePos[0].line}` : ''}: YAML syntax error: ${e.message}`) };
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    // An alias bomb ("billion laughs") would expand to gigabytes: refused, and said, before it is.
    return { ok: false, syntax: true, problems: [`${file}: YAML could not be read: ${error instanceof Error ? error.message : String(error)}; remove the aliases (*name) that expand into each other`] };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { ok: false, syntax: false, problems: parsed.error.issues.map((issue) => formatIssue(schema, issue, raw, doc, counter, file)) };
  const lineOf = (at: readonly (string | number)[]) => {
    const node = doc.getIn(at, true) as { range?: [number, number, number] } | undefined;
    return node?.range ? counter.linePos(node.range[0]).line : undefined;
  };
  return { ok: true, data: parsed.data, lineOf };
}

const at = (line: number | undefined) => (line ? `:${line}` : '');

/** Configuration files are UTF-8; anything else is named with the line of its first stray byte. */
export function decodeConfigText(bytes: Buffer, file: string): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new ConfigError(`${file}:1: the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    let line = 1;
    let start = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i === bytes.length || bytes[i] === 0x0a) {
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, i));
        } catch {
          break;
        }
        line++;
        start = i + 1;
      }
    }
    throw new ConfigError(`${file}:${line}: the file is not UTF-8 (a byte there is not valid UTF-8: Latin-1 or Windows-1252?); save it as UTF-8`);
  }
}

export function parseConfig(text: string, configPath: string): SeaworthyConfig {
  const file = path.basename(configPath);
  const validated = validateYaml(configSchema, text, file);
  if (!validated.ok) {
    throw new ConfigError(validated.syntax ? validated.problems.join('\n') : `${validated.problems.join('\n')}\n\nFix the configuration and run again (schema: seaworthy.config.schema.json).`);
  }
  const levelNames = new Set<string>();
  for (const [index, l] of validated.data.levels.entries()) {
    if (levelNames.has(l.name.toLowerCase())) throw new ConfigError(`${file}${at(validated.lineOf(['levels', index, 'name']))}: levels[${index}].name: level "${l.name}" is defined twice; level names must be unique.`);
    levelNames.add(l.name.toLowerCase());
  }
  const names = new Set<string>();
  for (const [index, t] of validated.data.teams.entries()) {
    if (names.has(t.name)) throw new ConfigError(`${file}${at(validated.lineOf(['teams', index, 'name']))}: teams[${index}].name: team "${t.name}" is defined twice; team names must be unique.`);
    names.add(t.name);
  }
  const where = (keys: (string | number)[]) => `${file}${at(validated.lineOf(keys))}: ${formatPath(keys)}`;
  for (const [index, t] of validated.data.teams.entries()) {
    // The organisation's feed is /feeds/organisation.atom: a team of that name would overwrite it.
    if (t.name === ORGANISATION_FEED) throw new ConfigError(`${where(['teams', index, 'name'])}: "${ORGANISATION_FEED}" names the organisation's feed; choose another team name.`);
  }
  const initiativeIds = new Set<string>();
  for (const [index, i] of validated.data.initiatives.entries()) {
    if (initiativeIds.has(i.id)) throw new ConfigError(`${where(['initiatives', index, 'id'])}: initiative "${i.id}" is defined twice; ids must be unique.`);
    initiativeIds.add(i.id);
    if ('level' in i.goal && !levelNames.has(i.goal.level.toLowerCase())) {
      throw new ConfigError(`${where(['initiatives', index, 'goal', 'level'])}: no level "${i.goal.level}"; levels are ${validated.data.levels.map((l) => `"${l.name}"`).join(', ')}.`);
    }
    if ('rules' in i.goal) {
      for (const [k, rule] of i.goal.rules.entries()) {
        const [checkId, name] = rule.split('/') as [string, string];
        const check = CHECKS.find((c) => c.id === checkId);
        if (!check) throw new ConfigError(`${where(['initiatives', index, 'goal', 'rules', k])}: no check "${checkId}"; known checks: ${checkIds.join(', ')}.`);
        const known = Object.keys(check.meta.rules as Record<string, unknown>);
        if (!known.includes(name)) throw new ConfigError(`${where(['initiatives', index, 'goal', 'rules', k])}: check ${checkId} has no rule "${name}"; its rules: ${known.map((r) => `${checkId}/${r}`).join(', ')}.`);
      }
    }
    for (const [k, teamName] of (i.scope.teams ?? []).entries()) {
      if (!names.has(teamName)) throw new ConfigError(`${where(['initiatives', index, 'scope', 'teams', k])}: no team "${teamName}" under "teams"; known teams: ${[...names].join(', ') || '(none)'}.`);
    }
  }
  for (const [index, hook] of (validated.data.digest?.webhooks ?? []).entries()) {
    for (const [k, teamName] of (hook.teams ?? []).entries()) {
      if (!names.has(teamName)) throw new ConfigError(`${where(['digest', 'webhooks', index, 'teams', k])}: no team "${teamName}" under "teams"; known teams: ${[...names].join(', ') || '(none)'}.`);
    }
  }
  for (const [ecosystem, settings] of Object.entries(validated.data.registries)) {
    if (typeof settings !== 'object' || settings === null || !('tokenEnv' in settings) || !settings.tokenEnv) continue;
    const url = new URL(settings.url);
    if (url.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
      throw new ConfigError(`${file}: registries.${ecosystem}: a token (tokenEnv ${settings.tokenEnv}) would travel unencrypted to ${url.host}; use an https URL.`);
    }
  }
  return { ...validated.data, configDir: path.dirname(path.resolve(configPath)), configPath: path.resolve(configPath) };
}

export function loadConfig(configPath: string): SeaworthyConfig {
  let bytes: Buffer;
  try {
    bytes = readFileSync(configPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT'
        ? `no configuration at ${configPath}. Run "npx seaworthy init" (a GitHub organisation) or "npx seaworthy init --local <folder of clones>" to write one, or pass --config <file>.`
        : `cannot read ${configPath}: ${(error as Error).message}`,
    );
  }
  return parseConfig(decodeConfigText(bytes, path.basename(configPath)), configPath);
}

export function configJsonSchema(): unknown {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' });
}
