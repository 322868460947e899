import { afterAll, describe, expect, it } from 'vitest';
import { daysBefore, type FixtureCommit, type FixtureFile } from '../../fixtures/factory.ts';
import { fixtureSnapshots } from '../../tests/fixture-snapshots.ts';
import type { CheckOutcome, Finding, PullRequest, RepoSnapshot } from '../contract.ts';
import staleFlags, { type StaleFlagsOptions } from './index.ts';

// Real git repositories with back-dated history, read by the local source with the check's patterns.
const repos = fixtureSnapshots({ namePrefix: 'flags' });
afterAll(repos.cleanup);

const NOW = new Date('2026-11-15T12:00:00Z');
const ago = (days: number): string => daysBefore('2026-11-15T10:00:00Z', days);
const day = (days: number): string => ago(days).slice(0, 10);
const commit = (days: number, message: string, files: Record<string, FixtureFile>): FixtureCommit => ({ date: ago(days), message, files });
const lines = (...ls: string[]): string => ls.join('\n') + '\n';

interface RunOptions {
  options?: Partial<StaleFlagsOptions>;
  historyLimit?: number;
  maxFileBytes?: number;
  pullRequests?: PullRequest[];
}

async function snapshotOf(commits: FixtureCommit[] | Record<string, FixtureFile>, opts: RunOptions = {}): Promise<RepoSnapshot> {
  const snapshot = Array.isArray(commits)
    ? await repos.snapshot(staleFlags.meta.reads, {}, { commits, historyLimit: opts.historyLimit, maxFileBytes: opts.maxFileBytes })
    : await repos.snapshot(staleFlags.meta.reads, commits, { maxFileBytes: opts.maxFileBytes });
  return opts.pullRequests ? { ...snapshot, pullRequests: opts.pullRequests } : snapshot;
}

async function check(commits: FixtureCommit[] | Record<string, FixtureFile>, opts: RunOptions = {}): Promise<CheckOutcome> {
  const snapshot = await snapshotOf(commits, opts);
  return staleFlags.run(snapshot, {
    options: staleFlags.meta.options.parse(opts.options ?? {}),
    kind: { kind: 'service', source: 'detected', evidence: [] },
    now: NOW,
    facts: { packages: new Map() },
  });
}

const about = (findings: Finding[], key: string): Finding[] => findings.filter((f) => f.message.includes(`flag "${key}"`));
const only = (findings: Finding[], key: string): Finding => {
  const hits = about(findings, key);
  expect(hits, `one finding about ${key}`).toHaveLength(1);
  return hits[0]!;
};

const gitlabFlag = (name: string, fields: Record<string, string | boolean | null>): string =>
  lines('---', `name: ${name}`, ...Object.entries(fields).map(([k, v]) => `${k}: ${v === null ? 'null' : typeof v === 'string' && /[:#]/.test(v) ? `'${v}'` : String(v)}`));

describe('stale-flags: GitLab-style definitions', () => {
  const commits = [
    commit(400, 'init', { 'Gemfile': "source 'https://rubygems.org'\ngem 'rails'\n", 'app/models/project.rb': 'class Project\nend\n' }),
    commit(300, 'feat: ops switch for the build queue', {
      'config/feature_flags/ops/ops_switch.yml': gitlabFlag('ops_switch', { type: 'ops', group: 'group::pipeline execution', default_enabled: false }),
      'app/services/queue.rb': lines('class Queue', '  def run', '    return if Feature.enabled?(:ops_switch, type: :ops)', '  end', 'end'),
    }),
    commit(120, 'feat: old release behind old_release', {
      'config/feature_flags/gitlab_com_derisk/old_release.yml': gitlabFlag('old_release', { type: 'gitlab_com_derisk', group: 'group::source code', rollout_issue_url: 'https://gitlab.example/issues/1', default_enabled: false }),
      'app/services/build.rb': lines('class Build', '  def call(project)', '    # Feature.enabled?(:commented_out) must not count', '    if Feature.enabled?(:old_release, project)', '      :new', '    end', '  end', 'end'),
      'app/assets/javascripts/build.js': lines("import { glFeatures } from '~/flags';", 'export const useNew = () => glFeatures.oldRelease;'),
    }),
    commit(35, 'feat: rolled out flag', {
      'config/feature_flags/wip/rolled_out.yml': gitlabFlag('rolled_out', { type: 'wip', group: 'group::import', default_enabled: true }),
      'app/services/import.rb': lines('class Import', '  def call = Feature.enabled?(:rolled_out)', 'end'),
    }),
    commit(10, 'feat: fresh beta', {
      'config/feature_flags/beta/fresh_beta.yml': gitlabFlag('fresh_beta', { type: 'beta', group: 'group::import', default_enabled: false }),
      'app/services/export.rb': lines('class Export', '  def call(user)', "    Feature.enabled?(:fresh_beta, user) && Feature.enabled?(:ghost_flag, user)", '  end', 'end'),
    }),
    commit(5, 'feat: unused beta and a licensed feature', {
      'config/feature_flags/beta/unused_flag.yml': gitlabFlag('unused_flag', { type: 'beta', group: 'group::import', default_enabled: false }),
      'ee/config/feature_flags/licensed/premium_thing.yml': gitlabFlag('premium_thing', { type: 'licensed', group: 'group::billing', default_enabled: true }),
      'ee/app/services/premium.rb': lines('class Premium', '  def call = Feature.enabled?(:premium_thing)', 'end'),
    }),
    commit(3, 'feat: untyped flag', {
      'config/feature_flags/untyped.yml': lines('---', 'name: untyped', 'introduced_by_url: https://gitlab.example/mr/9', 'default_enabled: false'),
      'app/services/untyped.rb': lines('class Untyped', '  def call = Feature.enabled?(:untyped)', 'end'),
    }),
    commit(2, 'feat: milestone flag', {
      'config/feature_flags/beta/milestone_flag.yml': gitlabFlag('milestone_flag', { type: 'beta', group: 'group::import', milestone: '16.5', default_enabled: false }),
      'app/services/milestone.rb': lines('class Milestone', '  def call = Feature.enabled?(:milestone_flag)', 'end'),
    }),
  ];

  it('judges each flag by its type, age, rollout and use, and scores by the share stale, less penalties', async () => {
    const r = await check(commits, { options: { milestones: { '16.5': '2026-01-15' } } });
    // Temporary: old_release, fresh_beta, rolled_out, unused_flag, milestone_flag, untyped, ghost_flag (7);
    // stale: old_release, rolled_out, unused_flag, milestone_flag, ghost_flag (5); 7 definitions, 1 untyped, 1 unowned.
    expect(r.score).toBe(3.4); // share 5/8: 4 − 4 × 0.125 = 3.5, less 0.5/7 and 0.5/7
    expect(r.status).toBe('fail');
    expect(r.summary).toBe('8 flags (7 defined here, 1 only in code); 5 stale of 7 temporary (2 past lifetime, 1 static, 1 unused, 1 undefined); 1 of 7 definitions without a type, 1 without an owner; 1 licensing/entitlement feature left out (premium_thing)');

    const old = only(r.findings, 'old_release');
    expect(old).toMatchObject({ severity: 'medium', path: 'config/feature_flags/gitlab_com_derisk/old_release.yml', line: 2 });
    expect(old.message).toMatch(/^release flag "old_release" \(GitLab feature flag definition\) is 120 days old, past the 40-day lifetime of a release flag \(config\/feature_flags\/gitlab_com_derisk\/old_release\.yml added in [0-9a-f]{7} on \d{4}-\d{2}-\d{2}\)\./);
    // The Ruby call site and the camelCased frontend use; not the commented-out call.
    expect(old.message).toMatch(/Remove the definition and all 2 references: app\/assets\/javascripts\/build\.js:2, app\/services\/build\.rb:4$/);

    const rolled = only(r.findings, 'rolled_out');
    expect(rolled.message).toContain('has been fully rolled out (default_enabled: true) with its definition unchanged for 35 days');
    expect(rolled.message).not.toContain('lifetime'); // 35 days is within its 40-day lifetime

    expect(rolled.rule).toBe('flag-fully-rolled-out');
    expect(only(r.findings, 'unused_flag')).toMatchObject({
      rule: 'unused-flag',
      severity: 'low',
      path: 'config/feature_flags/beta/unused_flag.yml',
      message: 'release flag "unused_flag" (GitLab feature flag definition) is defined but no code refers to it. Delete its definition.',
    });
    const milestone = only(r.findings, 'milestone_flag');
    expect(milestone.message).toContain('past the 40-day lifetime of a release flag (milestone 16.5, released 2026-01-15)');
    expect(milestone.rule).toBe('flag-past-lifetime');

    const ghost = only(r.findings, 'ghost_flag');
    expect(ghost).toMatchObject({ rule: 'undefined-flag', severity: 'medium', path: 'app/services/export.rb', line: 3 });
    expect(ghost.message).toContain('is checked in code but not defined in');
    expect(ghost.message).toContain('where this repository defines its GitLab feature flags');
    expect(ghost.message).toMatch(/Define it or remove the call site: app\/services\/export\.rb:3$/);

    // Permanent, fresh, untyped-but-young and licensed flags are not stale.
    for (const key of ['ops_switch', 'fresh_beta', 'untyped', 'premium_thing', 'commented_out']) expect(about(r.findings, key), key).toEqual([]);
    const untypedNote = r.findings.find((f) => f.message.startsWith('1 of 7 flag definitions declare no known type'));
    expect(untypedNote).toMatchObject({ severity: 'low', path: 'config/feature_flags/untyped.yml', line: 2 });
    expect(untypedNote?.message).toContain('(untyped)');
    expect(untypedNote?.message).toContain('(−0.05 points)');
    expect(r.findings.some((f) => f.message.startsWith('1 of 7 flag definitions name no owner (untyped)'))).toBe(true);
  });

  it('without a milestone calendar, the milestone flag is dated by its own commit and the milestone is named', async () => {
    const r = await check(commits);
    expect(about(r.findings, 'milestone_flag')).toEqual([]); // added two days ago
    expect(r.findings).toContainEqual({ rule: 'undated-milestone', severity: 'info', message: 'milestones without a release date in the milestones option: 16.5; ages of their flags come from the history instead' });
  });

  it('a longer lifetime changes the verdict on age alone', async () => {
    const r = await check(commits, { options: { lifetimes: { release: 200 } as StaleFlagsOptions['lifetimes'] } });
    expect(about(r.findings, 'old_release')).toEqual([]);
    // Still stale for other reasons: rolled out, unused, undefined.
    expect(about(r.findings, 'rolled_out')).toHaveLength(1);
    expect(about(r.findings, 'unused_flag')).toHaveLength(1);
  });

  it('a renamed definition keeps the date it was first added', async () => {
    const r = await check([
      ...commits.slice(0, 3),
      { date: ago(8), message: 'chore: move flag definitions', files: { 'config/feature_flags/gitlab_com_derisk/old_release.yml': null, 'config/feature_flags/development/old_release.yml': gitlabFlag('old_release', { type: 'gitlab_com_derisk', group: 'group::source code', rollout_issue_url: 'https://gitlab.example/issues/1', default_enabled: false }) } },
    ]);
    const old = only(r.findings, 'old_release');
    expect(old.path).toBe('config/feature_flags/development/old_release.yml');
    expect(old.message).toContain('is 120 days old');
  });
});

describe('stale-flags: flagd, Flipt and OpenFeature manifests', () => {
  const flagd = (flags: Record<string, unknown>): string => JSON.stringify({ $schema: 'https://flagd.dev/schema/v0/flags.json', metadata: { owner: 'team-checkout' }, flags }, null, 2) + '\n';
  const targeted = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', targeting: { if: [{ in: ['@acme.example', { var: 'email' }] }, 'on', 'off'] }, metadata: { type: 'release' } };
  const staticOn = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on', metadata: { type: 'experiment' } };

  it('reads flagd definitions and OpenFeature calls in TypeScript, Go, Python and Ruby', async () => {
    const r = await check([
      commit(200, 'init', { 'package.json': '{"dependencies": {"@openfeature/server-sdk": "^1.15.0"}}\n', 'go.mod': 'module acme\n\nrequire github.com/open-feature/go-sdk v1.11.0\n' }),
      commit(90, 'feat: checkout flow and kill switch', {
        'flags/checkout.flagd.json': flagd({ 'new-checkout': targeted, 'payments-kill-switch': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' } }),
        'src/checkout.ts': lines("import { client } from './of';", "export const flow = () => client.getBooleanValue('new-checkout', false);", "export const killed = () => client.getBooleanValue('payments-kill-switch', false);"),
        'cmd/api/main.go': lines('package main', '', 'func enabled(ctx context.Context) bool {', '\tv, _ := client.BooleanValue(ctx, "new-checkout", false, openfeature.EvaluationContext{})', '\treturn v', '}'),
      }),
      commit(50, 'feat: green-button experiment', {
        'flags/checkout.flagd.json': flagd({ 'new-checkout': targeted, 'payments-kill-switch': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' }, 'green-button': staticOn }),
        'worker/jobs.py': lines('from openfeature import api', '', 'client = api.get_client()', 'if client.get_boolean_value("green-button", False):', '    pass'),
        'lib/tasks.rb': lines('def go', '  client.fetch_boolean_value(flag_key: "green-button", default_value: false)', 'end'),
      }),
    ]);
    const checkout = only(r.findings, 'new-checkout');
    expect(checkout).toMatchObject({ rule: 'flag-past-lifetime', severity: 'medium', path: 'flags/checkout.flagd.json', line: 7 });
    // Its file was added 90 days ago, and the files that call it have not changed since: 90 days, exactly.
    expect(checkout.message).toContain(`is 90 days old, past the 40-day lifetime of a release flag (flags/checkout.flagd.json was added on ${day(90)}, and cmd/api/main.go has held it unchanged since)`);
    expect(checkout.message).toMatch(/all 2 references: cmd\/api\/main\.go:4, src\/checkout\.ts:2$/);
    // The experiment serves one value since its file last changed 50 days ago: stale on that evidence.
    const green = only(r.findings, 'green-button');
    expect(green.rule).toBe('flag-fully-rolled-out');
    expect(green.message).toContain('has been fully rolled out (no targeting, always serves "on") with its definition unchanged for 50 days');
    expect(green.message).toMatch(/lib\/tasks\.rb:2, worker\/jobs\.py:4$/);
    // A kill switch read from its key is permanent.
    expect(about(r.findings, 'payments-kill-switch')).toEqual([]);
    // The kill switch's type comes from its key, so its definition counts as untyped.
    expect(r.summary).toBe('3 flags (3 defined here); 2 stale of 2 temporary (1 past lifetime, 1 static); 1 of 3 definitions without a type, 0 without an owner');
  });

  it('an OpenFeature call to a key flagd does not define is undefined; a LaunchDarkly key is not', async () => {
    const r = await check([
      commit(20, 'init', {
        'package.json': '{"dependencies": {"@openfeature/web-sdk": "1.0.0", "launchdarkly-js-client-sdk": "3.0.0"}}\n',
        'flags.json': flagd({ known: { ...targeted, metadata: { type: 'release', owner: 'ana' } } }),
        'src/a.ts': lines("client.getBooleanValue('known', false);", "client.getStringValue('unknown-key', 'x');", "ld.variation('remote-only', false);"),
      }),
    ]);
    expect(only(r.findings, 'unknown-key').message).toContain('is checked in code but not defined in flags.json, where this repository defines its OpenFeature flags');
    expect(about(r.findings, 'remote-only')).toEqual([]); // 20 days old, remote
    expect(r.summary).toBe('3 flags (1 defined here, 2 only in code); 1 stale of 3 temporary (1 undefined); every definition names a type and an owner');
  });

  it('flagd definitions in a deployment repository serve code elsewhere: not unused, still judged by age', async () => {
    const deploy = [
      commit(120, 'feat: flagd sidecar', {
        'k8s/flagd/app.flagd.json': flagd({ 'old-banner': targeted, 'fresh-banner': { ...targeted, metadata: { type: 'release', created: day(3) } } }),
        'k8s/deployment.yaml': 'kind: Deployment\n',
      }),
    ];
    const r = await check(deploy);
    expect(only(r.findings, 'old-banner').message).toContain('is 120 days old, past the 40-day lifetime');
    expect(only(r.findings, 'old-banner').message).not.toContain('no code refers to it');
    expect(about(r.findings, 'fresh-banner')).toEqual([]);
    expect(r.findings).toContainEqual({ rule: 'flags-served-elsewhere', severity: 'info', path: 'k8s/flagd/app.flagd.json', line: 7, message: 'no code in this repository calls a flag SDK, so the 2 flags defined here (fresh-banner, old-banner) serve other repositories and were not judged unused; their age and rollout still count' });
    // The same definitions beside code that uses OpenFeature: a flag nobody calls is unused.
    const withCode = await check([...deploy, commit(2, 'feat: app', { 'package.json': '{"dependencies": {"@openfeature/server-sdk": "1"}}\n', 'src/a.ts': "client.getBooleanValue('fresh-banner', false);\n" })]);
    expect(only(withCode.findings, 'old-banner').message).toContain('is defined but no code refers to it');
  });

  it('reads Flipt features.yml: variant flags with rules, boolean flags without rollouts', async () => {
    const features = lines(
      'version: "1.4"',
      'namespace: default',
      'flags:',
      '  - key: search-v2',
      '    name: Search v2',
      '    type: BOOLEAN_FLAG_TYPE',
      '    enabled: true',
      '    metadata: { type: release, owner: search-team }',
      '  - key: ranking',
      '    name: Ranking',
      '    type: VARIANT_FLAG_TYPE',
      '    enabled: true',
      '    variants: [{ key: bm25 }, { key: vector }]',
      '    rules:',
      '      - segment: beta-users',
      '        distributions: [{ variant: vector, rollout: 100 }]',
      '    metadata: { type: experiment, owner: search-team }',
      'segments:',
      '  - key: beta-users',
      '    match_type: ALL_MATCH_TYPE',
    );
    const r = await check([
      commit(100, 'init', { 'package.json': '{"dependencies": {"@flipt-io/flipt-client-js": "0.2.0"}}\n', 'src/index.ts': 'export {};\n' }),
      commit(30, 'feat: search-v2 and ranking in flipt', {
        'flipt/features.yml': features,
        'src/search.ts': lines("const on = await flipt.evaluateBoolean({ flagKey: 'search-v2', entityId: user, context: {} });", "const v = await flipt.evaluateVariant({ namespaceKey: 'default', flagKey: 'ranking', entityId: user });"),
      }),
    ]);
    expect(r.summary).toBe('2 flags (2 defined here); 0 stale of 2 temporary; every definition names a type and an owner');
    expect(r.status).toBe('pass');
    const later = await check([
      commit(100, 'init', { 'package.json': '{"dependencies": {"@flipt-io/flipt-client-js": "0.2.0"}}\n' }),
      commit(60, 'feat: search-v2 and ranking in flipt', { 'flipt/features.yml': features, 'src/search.ts': lines("flipt.evaluateBoolean({ flagKey: 'search-v2' });", "flipt.evaluateVariant({ flagKey: 'ranking' });") }),
    ]);
    const search = only(later.findings, 'search-v2');
    expect(search).toMatchObject({ path: 'flipt/features.yml', line: 4 });
    expect(search.message).toContain('has been fully rolled out (enabled: true, no rollouts) with its definition unchanged for 60 days');
    expect(only(later.findings, 'ranking').message).not.toContain('fully rolled out');
  });

  it('reads an OpenFeature flag manifest; it says nothing about rollout or owner', async () => {
    const manifest = JSON.stringify({ $schema: 'https://raw.githubusercontent.com/open-feature/cli/main/schema/v0/flag-manifest.json', flags: { 'dark-mode': { flagType: 'boolean', defaultValue: false, description: 'Dark theme' }, 'max-items': { flagType: 'integer', defaultValue: 10, description: 'Page size' } } }, null, 2);
    const r = await check([
      commit(15, 'feat: manifest', {
        'package.json': '{"dependencies": {"@openfeature/react-sdk": "0.4.0"}}\n',
        'flag-manifest.json': manifest,
        'src/App.tsx': lines("const dark = useBooleanFlagValue('dark-mode', false);", "const { value } = useNumberFlagDetails('max-items', 10);"),
      }),
    ]);
    expect(r.summary).toBe('2 flags (2 defined here); 0 stale of 2 temporary; 2 of 2 definitions without a type, 2 without an owner');
    expect(r.score).toBe(9.3); // 10 − 0.35 − 0.35
    expect(r.status).toBe('pass');
  });

  it('malformed JSON and YAML, and binary or oversized definition files, are findings, not crashes', async () => {
    const binary = new Uint8Array([0x7b, 0x22, 0x00, 0x01, 0xff, 0xfe, 0x00, 0x22, 0x7d]);
    const r = await check(
      [
        commit(30, 'init', {
          'package.json': '{"dependencies": {"@openfeature/server-sdk": "1"}}\n',
          'flags/bad.flagd.json': '{ "flags": { "a": { "state": "ENABLED", }\n',
          'config/feature_flags/development/broken.yml': 'name: broken\ntype: [development\n',
          'flags/binary-flags.json': binary,
          'flags/huge-flags.yaml': 'flags:\n' + '  - key: f\n'.repeat(300),
          'flags/good-flags.yaml': lines('flags:', '  - key: fine', '    type: release', '    owner: me'),
          'src/a.ts': "client.getBooleanValue('fine', false);\n",
        }),
      ],
      { maxFileBytes: 2048 },
    );
    expect(r.status).not.toBe('error');
    const at = (p: string) => r.findings.filter((f) => f.path === p);
    expect(at('flags/bad.flagd.json')[0]?.message).toMatch(/^could not parse JSON, so the flags it defines are unknown: /);
    expect(at('config/feature_flags/development/broken.yml')[0]?.message).toMatch(/^could not parse YAML, so the flags it defines are unknown: /);
    expect(at('flags/binary-flags.json')).toEqual([{ rule: 'unreadable-file', severity: 'low', path: 'flags/binary-flags.json', line: 1, message: 'could not read this flag definition file (binary), so the flags it defines are unknown' }]);
    expect(at('flags/huge-flags.yaml')[0]?.message).toMatch(/^could not read this flag definition file \(too-large: \d+ bytes, limit 2048\)/);
    expect(r.summary).toBe('1 flag (1 defined here); 0 stale of 1 temporary; every definition names a type and an owner');
  });
});

describe('stale-flags: remote providers and references', () => {
  it('dates a remote flag by the commit that names it, else by the files that call it, and says how', async () => {
    const r = await check([
      commit(300, 'init', { 'package.json': '{"dependencies": {"@launchdarkly/node-server-sdk": "9"}}\n', 'src/routes/checkout.ts': "export const x = 1;\n", 'src/routes/legacy.ts': 'export {};\n' }),
      commit(250, 'feat: legacy switch', { 'src/routes/legacy.ts': "export const legacy = () => ld.variation('legacy-path', ctx, false);\n" }),
      commit(20, 'feat(checkout): gate the new flow behind new-checkout-flow', { 'src/routes/checkout.ts': "export const x = await ld.boolVariation('new-checkout-flow', ctx, false);\n" }),
    ]);
    // The call site is in a file from 300 days ago, but the commit naming the key is 20 days old.
    expect(about(r.findings, 'new-checkout-flow')).toEqual([]);
    // The file calling it has not changed for 250 days: the flag is at least that old. Without a type, age alone is a warning.
    const legacy = only(r.findings, 'legacy-path');
    expect(legacy).toMatchObject({ rule: 'aging-flag', severity: 'low', path: 'src/routes/legacy.ts', line: 1 });
    expect(legacy.message).toBe(
      `untyped flag "legacy-path" (LaunchDarkly, no definition here; no type declared) is at least 250 days old with no declared type, older than 120 days, though nothing shows it is stale (src/routes/legacy.ts, which holds it, has not changed since ${day(250)}). Remove it if its rollout is over, or declare its type (a permanent one if it is meant to stay) or an expiry date. References: src/routes/legacy.ts:1`,
    );
    expect(r.summary).toBe('2 flags (2 only in code); 0 stale of 2 temporary; 1 aging; at most a warning: 1 flag is old with nothing that shows it is done');
    expect(r.score).toBe(8.4);
    expect(r.status).toBe('warn');
  });

  it('prefers a merged pull request that names the key when the host provides them', async () => {
    const commits = [
      commit(200, 'init', { 'package.json': '{"dependencies": {"unleash-client": "6"}}\n', 'src/search.ts': 'export {};\n' }),
      commit(15, 'Merge pull request #42', { 'src/search.ts': "export const on = () => unleash.isEnabled('beta-search');\n" }),
    ];
    // Without it, the call came into a file older than it some time in the last 200 days: unknown.
    const without = await check(commits);
    expect(about(without.findings, 'beta-search')).toEqual([]);
    expect(without.findings.find((f) => f.rule === 'flag-age-unknown')?.message).toContain('beta-search (src/search.ts:1)');
    const pr: PullRequest = { number: 42, title: 'Search: trigram ranking', body: 'Behind the `beta-search` toggle.', state: 'merged', mergedAt: ago(15), createdAt: ago(16), author: 'lena', files: ['src/search.ts'] };
    const withPr = await check(commits, { pullRequests: [pr] });
    expect(about(withPr.findings, 'beta-search')).toEqual([]);
    expect(withPr.findings.some((f) => f.rule === 'flag-age-unknown')).toBe(false);
  });

  it('with pull requests but no commits, the first merged pull request that changed a file dates it', async () => {
    const pr = (number: number, days: number, files: string[]): PullRequest => ({ number, title: `change ${number}`, body: '', state: 'merged', mergedAt: ago(days), createdAt: ago(days + 1), author: 'dev', files });
    const r = await check(
      { 'config/feature_flags/beta/old_one.yml': gitlabFlag('old_one', { type: 'beta', group: 'group::a' }), 'config/feature_flags/beta/new_one.yml': gitlabFlag('new_one', { type: 'beta', group: 'group::a' }), 'app/a.rb': 'Feature.enabled?(:old_one) || Feature.enabled?(:new_one)\n' },
      { pullRequests: [pr(7, 100, ['config/feature_flags/beta/old_one.yml', 'app/a.rb']), pr(9, 12, ['config/feature_flags/beta/new_one.yml', 'app/a.rb']), { ...pr(11, 5, ['config/feature_flags/beta/old_one.yml']), state: 'open', mergedAt: null }] },
    );
    expect(only(r.findings, 'old_one').message).toContain(`is 100 days old, past the 40-day lifetime of a release flag (config/feature_flags/beta/old_one.yml added in #7 on ${day(100)})`);
    expect(about(r.findings, 'new_one')).toEqual([]);
    expect(r.findings.some((f) => f.message.startsWith('no commit history'))).toBe(false);
  });

  it('lists every reference (capped by maxListedReferences with "and N more"), and ignores comments, vendored, generated and minified files', async () => {
    const callers: Record<string, string> = {};
    for (let i = 1; i <= 12; i++) callers[`src/page${String(i).padStart(2, '0')}.tsx`] = `// unleash.isEnabled('not-this-one')\nexport const on = useFlag('old-banner');\n`;
    const commits = [
      commit(300, 'init', {
        'package.json': '{"dependencies": {"@unleash/proxy-client-react": "4"}}\n',
        ...callers,
        'src/notes.py': '# unleash.is_enabled("py-comment")\n"""unleash.is_enabled("docstring-is-a-string")"""\n',
        'vendor/lib/x.js': "unleash.isEnabled('vendored');\n",
        'dist/app.js': "unleash.isEnabled('built');\n",
        'src/gen/api.generated.ts': "unleash.isEnabled('generated-by-name');\n",
        'src/schema.ts': "// Code generated by sqlc. DO NOT EDIT.\nunleash.isEnabled('generated-by-marker');\n",
        'public/app.bundle.js': `${'var a=1;'.repeat(1000)}unleash.isEnabled('minified');\n`,
      }),
    ];
    const r = await check(commits);
    // Every reference by default, so the flag can be removed in one go.
    expect(only(r.findings, 'old-banner').message).toMatch(/References: src\/page01\.tsx:2, src\/page02\.tsx:2, (src\/page\d\d\.tsx:2, ){9}src\/page12\.tsx:2$/);
    const capped = await check(commits, { options: { maxListedReferences: 10 } });
    expect(only(capped.findings, 'old-banner').message).toMatch(/References: src\/page01\.tsx:2, .*src\/page10\.tsx:2 and 2 more$/);
    for (const key of ['not-this-one', 'py-comment', 'vendored', 'built', 'generated-by-name', 'generated-by-marker', 'minified']) expect(about(r.findings, key), key).toEqual([]);
    // A docstring is a string, not a comment: its call is read (the lexer does not parse).
    expect(about(r.findings, 'docstring-is-a-string')).toHaveLength(1);
    expect(r.findings).toContainEqual({ rule: 'files-not-read', severity: 'info', message: 'not read for references: 1 generated file (src/schema.ts; their constants and registries are read, and uses of them count) and 1 minified file (public/app.bundle.js)' });
  });

  it('keys computed at the call site are counted and named, not guessed; calls no flag SDK would make are not flags', async () => {
    const r = await check({
      'package.json': '{"dependencies": {"launchdarkly-node-server-sdk": "7"}}\n',
      'src/a.ts': lines(
        'ld.variation(`checkout-${variant}`, ctx, false);',
        "ld.variation('prefix-' + name, ctx, false);",
        'ld.variation(flagKey, ctx, false);',
        "ld.variation('plain-key', ctx, false);",
        // Not LaunchDarkly: every LaunchDarkly variation call passes the key and a default at least.
        "const size = menu.variation('size-large');",
        "const copy = abTest.variation('Header text', 1);",
        'const none = ld.variation();',
      ),
    });
    expect(r.summary).toBe('1 flag (1 only in code); 0 stale of 1 temporary; 1 of unknown age; at most a warning: the age of 1 of 1 flags could not be judged');
    expect(r.status).toBe('warn');
    expect(r.findings).toContainEqual({ rule: 'dynamic-flag-key', severity: 'info', path: 'src/a.ts', message: '3 flag call sites compute the key (a variable or a template), so they are not checked (the first is in this file)' });
    expect(r.findings).toContainEqual({ rule: 'flag-age-unknown', severity: 'info', path: 'src/a.ts', line: 4, message: '1 flag of unknown age, not judged by age: no commit history was read, and no definition dates it: plain-key (src/a.ts:4)' });
  });

  it('resolves keys passed through constants, in the same file or a flags module, and lists the constant with the call sites', async () => {
    const r = await check([
      commit(200, 'feat: flags', {
        'package.json': '{"dependencies": {"launchdarkly-node-server-sdk": "7"}}\n',
        'src/flags.ts': lines('export const FLAGS = {', "  NEW_UI: 'new-ui',", '} as const;', "export const LEGACY_EXPORT = 'legacy-export';"),
        'src/level.ts': "export const DEBUG = 'debug-level';\n",
        'src/ui.ts': lines("import { FLAGS, LEGACY_EXPORT } from './flags';", 'export const ui = () => ld.variation(FLAGS.NEW_UI, ctx, false);', 'export const exp = () => ld.boolVariation(LEGACY_EXPORT, ctx, false);', 'export const log = () => logger.variation(Level.DEBUG, ctx);'),
        'src/local.ts': lines("const CHECKOUT_FLAG = 'checkout-v3';", 'export const on = () => ld.variation(CHECKOUT_FLAG, ctx, false);'),
      }),
    ]);
    expect(only(r.findings, 'new-ui').message).toMatch(/References: src\/flags\.ts:2, src\/ui\.ts:2$/);
    expect(only(r.findings, 'new-ui')).toMatchObject({ path: 'src/ui.ts', line: 2 });
    expect(only(r.findings, 'legacy-export').message).toMatch(/References: src\/flags\.ts:4, src\/ui\.ts:3$/);
    expect(only(r.findings, 'checkout-v3').message).toMatch(/References: src\/local\.ts:1, src\/local\.ts:2$/);
    // A constant from outside the flags module, passed to something else's variation(), is no flag.
    expect(about(r.findings, 'debug-level')).toEqual([]);
    expect(r.summary).toBe('3 flags (3 only in code); 0 stale of 3 temporary; 3 aging');
  });

  it('calls in tests alone make no flag: a stub or an SDK wrapper test is not the product checking a flag', async () => {
    const flagd = JSON.stringify({ flags: { live: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', targeting: { if: [true, 'on', 'off'] }, metadata: { type: 'release', owner: 'web', created: day(5) } } } });
    const r = await check({
      'package.json': '{"dependencies": {"@openfeature/server-sdk": "1", "launchdarkly-node-server-sdk": "7"}}\n',
      'flags/app.flagd.json': flagd,
      'src/a.ts': "export const on = () => client.getBooleanValue('live', false);\n",
      'src/a.test.ts': lines("client.getBooleanValue('made-up-in-a-test', false);", "ld.variation('stubbed-remote', ctx, false);", "client.getBooleanValue('live', true);"),
    });
    for (const key of ['made-up-in-a-test', 'stubbed-remote']) expect(about(r.findings, key), key).toEqual([]);
    expect(r.summary).toBe('1 flag (1 defined here); 0 stale of 1 temporary; every definition names a type and an owner');
  });

  it('a flag referenced only in tests is stale: the code that used it is gone', async () => {
    const r = await check({
      'Gemfile': "gem 'flipper'\n",
      'config/flags.yml': lines('flags:', '  - key: new_editor', '    type: release', '    owner: docs-team', '    created: 2026-11-01'),
      'spec/editor_spec.rb': lines('it "works" do', '  Flipper.enable(:new_editor)', '  expect(Flipper.enabled?(:new_editor)).to be true', 'end'),
    });
    const f = only(r.findings, 'new_editor');
    expect(f).toMatchObject({ severity: 'low', path: 'config/flags.yml', line: 2 });
    expect(f.message).toBe('release flag "new_editor" (flag list) is referenced only in tests. Delete its definition and the tests that use it: spec/editor_spec.rb:2, spec/editor_spec.rb:3');
  });

  it('Flipper and FunWithFlags call sites, with and without parentheses; the same key in another case is one flag', async () => {
    const r = await check({
      'Gemfile': "gem 'flipper'\n",
      'mix.exs': 'defp deps, do: [{:fun_with_flags, "~> 1.11"}]\n',
      'app/a.rb': lines('Flipper.enabled?(:Search_V2, current_user)', 'Flipper.enabled? :search_v2', 'Flipper[:search_v2].enabled?', 'button.enabled?(:not_a_flag)'),
      'lib/b.ex': 'if FunWithFlags.enabled?(:searchV2, for: user), do: :new\n',
    });
    expect(r.summary).toBe('1 flag (1 only in code); 0 stale of 1 temporary; 1 of unknown age; at most a warning: the age of 1 of 1 flags could not be judged');
    expect(r.findings).toEqual([{ rule: 'flag-age-unknown', severity: 'info', path: 'app/a.rb', line: 1, message: '1 flag of unknown age, not judged by age: no commit history was read, and no definition dates it: Search_V2 (app/a.rb:1)' }]);
  });
});

describe('stale-flags: registries, call patterns and aliases', () => {
  it('a configured registry defines flags; its constants count as references; aliases join keys', async () => {
    const registry = lines('export const FLAGS = {', "  NEW_EDITOR: 'new-editor', // owner: docs", "  OLD_SEARCH: 'old-search',", "  UNUSED_THING: 'unused-thing',", '} as const;');
    const r = await check(
      [
        commit(300, 'init', {
          'src/flags.ts': registry,
          'src/editor.ts': lines("import { FLAGS } from './flags';", 'export const on = features.on(FLAGS.NEW_EDITOR);', "export const search = features.on('OLD_SEARCH');", "export const legacy = features.on('legacy-search');"),
        }),
      ],
      {
        options: {
          registries: [{ files: 'src/flags.ts', pattern: "^\\s*(?<const>[A-Z_]+):\\s*'(?<key>[\\w.-]+)'", providers: ['*'] }],
          callPatterns: [{ match: '\\bfeatures\\.on', provider: 'internal' }],
          keyAliases: { 'legacy-search': 'old-search' },
          typeFromKey: [],
        },
      },
    );
    // features.on(FLAGS.NEW_EDITOR) passes a constant: the constant's use counts.
    const editor = only(r.findings, 'new-editor');
    expect(editor.message).toContain('is 300 days old');
    expect(editor.message).toMatch(/References: src\/editor\.ts:2$/);
    expect(only(r.findings, 'old-search').message).toMatch(/References: src\/editor\.ts:3, src\/editor\.ts:4$/);
    expect(only(r.findings, 'unused-thing').message).toContain('is defined but no code refers to it');
    expect(r.summary).toMatch(/^3 flags \(3 defined here\); 1 stale of 3 temporary \(1 unused\); 2 aging/);
  });

  it('a registry that matches no read file is reported', async () => {
    const r = await check({ 'src/a.ts': "unleash.isEnabled('x');\n", 'package.json': '{"dependencies":{"unleash-client":"1"}}' }, { options: { registries: [{ files: 'config/flags.toml', pattern: '^(\\w+) =', providers: ['*'] }] } });
    expect(r.findings).toContainEqual({ rule: 'registry-matches-nothing', severity: 'low', message: 'registry "config/flags.toml" matches no file this check reads (source files and flag-named YAML/JSON): its flags are unknown' });
  });

  it('invalid regular expressions in the options are rejected when the configuration is read', () => {
    expect(() => staleFlags.meta.options.parse({ callPatterns: [{ match: '(' }] })).toThrow(/valid JavaScript regular expression/);
    expect(() => staleFlags.meta.options.parse({ registries: [{ files: 'x', pattern: '[' }] })).toThrow();
  });
});

describe('stale-flags: history limits and applicability', () => {
  const define = (name: string) => gitlabFlag(name, { type: 'beta', group: 'group::a' });
  const oldRepo = [
    commit(300, 'feat: flag', { 'config/feature_flags/beta/aged.yml': define('aged'), 'app/a.rb': 'Feature.enabled?(:aged)\n' }),
    ...Array.from({ length: 8 }, (_, i) => commit(30 - i, `chore: ${i}`, { 'README.md': `v${i}\n` })),
  ];

  it('with the history cut short, an older definition is of unknown age, neither stale nor fresh, and a finding says so', async () => {
    const r = await check(oldRepo, { historyLimit: 5 });
    // The five newest commits go back 27 days: within the 40-day lifetime, so age can neither condemn nor clear it.
    expect(about(r.findings, 'aged')).toEqual([]);
    expect(r.summary).toBe('1 flag (1 defined here); 0 stale of 1 temporary; 1 of unknown age; every definition names a type and an owner; at most a warning: the age of 1 of 1 flags could not be judged');
    expect(r.status).toBe('warn');
    expect(r.findings).toContainEqual({
      rule: 'flag-age-unknown', severity: 'low',
      path: 'config/feature_flags/beta/aged.yml',
      line: 2,
      message: `1 flag of unknown age, not judged by age: only the last 5 commits were read, back to ${day(27)}, and the files that define or call them are older than that, so they may well be old. Raise crawl.historyLimit (or crawl a full clone), or record a created or expiry date for each (in its definition, or in a flag list for remote flags): aged (config/feature_flags/beta/aged.yml:2)`,
    });
    // The same repository read in full: the flag is 300 days old.
    expect(only((await check(oldRepo)).findings, 'aged').message).toContain('is 300 days old');
  });

  it('with the history cut short, a flag in a shared file or known from call sites is of unknown age too', async () => {
    const flagd = JSON.stringify({ flags: { 'shared-one': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', targeting: { if: [true, 'on', 'off'] }, metadata: { type: 'release', owner: 'web' } } } }, null, 2);
    const r = await check(
      [
        commit(300, 'init', {
          'package.json': '{"dependencies": {"unleash-client": "6", "@openfeature/server-sdk": "1"}}\n',
          'flags/app.flagd.json': flagd,
          'src/a.ts': lines("client.getBooleanValue('shared-one', false);", "unleash.isEnabled('remote-one');"),
        }),
        ...Array.from({ length: 2 }, (_, i) => commit(10 - i, `chore: ${i}`, { 'README.md': `v${i}\n` })),
        // Names the key within the window read, but the flag is older than that: no proof of freshness.
        commit(5, 'chore: shared-one owner is web', { 'flags/app.flagd.json': flagd.replace('"web"', '"web-team"') }),
      ],
      { historyLimit: 3 },
    );
    const note = r.findings.find((f) => f.message.includes('of unknown age'));
    expect(note).toMatchObject({ severity: 'low', path: 'flags/app.flagd.json' });
    expect(note?.message).toMatch(/^2 flags of unknown age, not judged by age: only the last 3 commits were read, back to .*: remote-one \(src\/a\.ts:2\), shared-one \(flags\/app\.flagd\.json:3\)$/);
    expect(r.summary).toBe('2 flags (1 defined here, 1 only in code); 0 stale of 2 temporary; 2 of unknown age; every definition names a type and an owner');
    // Two flags of unknown age of two weigh 0.3 each: 10 − 12 × 0.6 ÷ 3, a warning.
    expect(r.score).toBe(7.6);
    expect(r.status).toBe('warn');
  });

  it('…and a window longer than the lifetime makes it a warning, printed as "at least", never stale on that alone', async () => {
    const r = await check([...oldRepo.slice(0, 1), commit(100, 'chore: a', { 'README.md': 'a\n' }), commit(60, 'chore: b', { 'README.md': 'b\n' })], { historyLimit: 2 });
    expect(only(r.findings, 'aged')).toMatchObject({ rule: 'aging-flag', severity: 'low' });
    expect(only(r.findings, 'aged').message).toContain(`is at least 100 days old, which may be past the 40-day lifetime of a release flag, though nothing shows it is stale (config/feature_flags/beta/aged.yml is older than the 2 commits read (back to ${day(100)}))`);
  });

  it('not applicable without flags; licensing features alone are not flags', async () => {
    const none = await check({ 'src/index.ts': "export const enabled = button.isEnabled('x');\n" });
    expect(none).toMatchObject({ status: 'not-applicable', score: null, summary: 'No feature flags: no flag definitions and no flag call sites.' });
    const licensed = await check({ 'ee/config/feature_flags/licensed/sso.yml': gitlabFlag('sso', { type: 'licensed' }), 'ee/app/sso.rb': 'Feature.enabled?(:sso)\n' });
    expect(licensed).toMatchObject({ status: 'not-applicable', summary: 'No feature flags: no flag definitions and no flag call sites; 1 licensing/entitlement feature left out (sso).' });
  });

  it('an unreadable source file is named, because references in it are unknown', async () => {
    const r = await check({ 'package.json': '{"dependencies":{"unleash-client":"1"}}', 'src/a.ts': "unleash.isEnabled('x');\n", 'src/big.ts': `export const x = '${'y'.repeat(5000)}';\n`, 'src/blob.js': new Uint8Array([0, 1, 2, 0, 255]) }, { maxFileBytes: 2048 });
    expect(r.findings).toContainEqual({ rule: 'unreadable-file', severity: 'low', message: `2 source files could not be read, so flag references in them are unknown: src/big.ts (too-large), src/blob.js (binary)` });
  });
});
