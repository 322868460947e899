// The mistake classes seen on real repositories (issue "Check truth, part 2"), each reproduced on a
// generated repository: flags read through the project's own accessors, in-house registries,
// untyped flags, references in generated code and other languages, truncated history, and
// unbounded findings.
import { afterAll, describe, expect, it } from 'vitest';
import { daysBefore, type FixtureCommit, type FixtureFile } from '../../fixtures/factory.ts';
import { fixtureSnapshots } from '../../tests/fixture-snapshots.ts';
import type { CheckOutcome, Finding } from '../contract.ts';
import staleFlags, { type StaleFlagsOptions } from './index.ts';

const repos = fixtureSnapshots({ namePrefix: 'flag-classes' });
afterAll(repos.cleanup);

const NOW = new Date('2026-11-15T12:00:00Z');
const ago = (days: number): string => daysBefore('2026-11-15T10:00:00Z', days);
const commit = (days: number, message: string, files: Record<string, FixtureFile>): FixtureCommit => ({ date: ago(days), message, files });
const lines = (...ls: string[]): string => ls.join('\n') + '\n';
const oldFile = (files: Record<string, FixtureFile>) => [commit(400, 'init', files), commit(1, 'chore: touch', { 'README.md': 'x\n' })];

async function check(commits: FixtureCommit[] | Record<string, FixtureFile>, opts: { options?: Partial<StaleFlagsOptions>; historyLimit?: number } = {}): Promise<CheckOutcome> {
  const snapshot = Array.isArray(commits)
    ? await repos.snapshot(staleFlags.meta.reads, {}, { commits, historyLimit: opts.historyLimit })
    : await repos.snapshot(staleFlags.meta.reads, commits);
  return staleFlags.run(snapshot, {
    options: staleFlags.meta.options.parse(opts.options ?? {}),
    kind: { kind: 'service', source: 'detected', evidence: [] },
    now: NOW,
    facts: { packages: new Map() },
  });
}

const about = (findings: Finding[], key: string): Finding[] => findings.filter((f) => f.message.includes(`flag "${key}"`));

describe("flags read through the project's own accessors", () => {
  it('a function that passes its parameter on as an SDK key is an accessor, across files and through a second wrapper', async () => {
    const r = await check([
      commit(300, 'init', {
        'package.json': '{"dependencies": {"launchdarkly-node-server-sdk": "7"}}\n',
        // Neither name says "flag": only what the body does makes them accessors.
        'src/gates.ts': lines("import { ld } from './ld';", 'export async function gate(org: Org, name: string): Promise<boolean> {', '  return ld.variation(name, { key: org.id }, false);', '}'),
        'src/teams.ts': lines("import { gate } from './gates';", 'export const teamGate = (team: Team, which: string) => gate(team.org, which);'),
        'src/checkout.ts': lines("import { gate } from './gates';", "export const useNew = (org: Org) => gate(org, 'new-checkout');"),
        'src/billing.ts': lines("import { teamGate } from './teams';", "export const split = (team: Team) => teamGate(team, 'split-invoices');"),
      }),
    ]);
    expect(r.status).not.toBe('not-applicable');
    expect(r.summary).toMatch(/^2 flags \(2 only in code\)/);
    expect(about(r.findings, 'new-checkout')[0]?.message).toContain('src/checkout.ts:2');
    expect(about(r.findings, 'split-invoices')[0]?.message).toContain('src/billing.ts:2');
    expect(r.findings.some((f) => f.message.startsWith('read as flag accessors') && f.message.includes('gate (src/gates.ts:2)') && f.message.includes('teamGate (src/teams.ts:2)'))).toBe(true);
  });

  it('in Ruby and Python too: a module method forwarding to Flipper, a helper forwarding to the Unleash client', async () => {
    const r = await check([
      commit(300, 'init', {
        'Gemfile': "gem 'flipper'\n",
        'requirements.txt': 'UnleashClient==5.11\n',
        'app/lib/switches.rb': lines('module Switches', '  def self.on?(name, actor = nil)', '    Flipper.enabled?(name, actor)', '  end', 'end'),
        'app/models/order.rb': lines('class Order', '  def split? = Switches.on?(:split_shipping, account)', 'end'),
        'svc/toggles.py': lines('from UnleashClient import UnleashClient', 'client = UnleashClient(url="x", app_name="y")', '', 'def active(name, ctx=None):', '    return client.is_enabled(name, ctx)'),
        // Another module's active() is not the wrapper.
        'svc/jobs.py': lines('from svc.queue import active', 'def run():', '    return active("nightly-batch")'),
        'svc/orders.py': lines('from svc.toggles import active', '', 'def ship(order):', '    if active("ship-faster"):', '        return 1'),
      }),
    ]);
    expect(r.summary).toMatch(/^2 flags \(2 only in code\)/);
    expect(r.findings.some((f) => f.rule === 'dynamic-flag-key' && f.message.startsWith('2 flag call sites'))).toBe(false);
  });

  it('accessors named for flags count without any SDK: Features.enabled?(:x), isFeatureEnabled(org, "x")', async () => {
    const r = await check({
      'app/services/features.rb': lines('module Features', '  def self.enabled?(name) = Settings.features[name] == true', 'end'),
      'app/controllers/reports_controller.rb': lines('class ReportsController', '  def index = Features.enabled?(:bulk_export) ? :new : :old', 'end'),
      'web/src/page.ts': lines("import { isFeatureEnabled } from './features';", "export const show = (org: Org) => isFeatureEnabled(org, 'dark-mode');"),
      // A predicate of something else is no flag: a button, a record's own markers.
      'web/src/button.ts': lines("export const ok = button.isEnabled('submit');", 'export const sent = user.getFlag(UserFlag.InviteSent);'),
    });
    expect(r.summary).toMatch(/^2 flags \(2 only in code\)/);
  });

  it('says what could not be resolved instead of "not applicable" when flag calls exist but name no key', async () => {
    const r = await check({
      'package.json': '{"dependencies": {"@unleash/proxy-client-react": "4"}}\n',
      'src/a.tsx': lines('export const On = ({ name }: { name: string }) => useFlag(name);', 'export const B = () => useFlag(`beta-${variant}`);'),
    });
    expect(r.status).toBe('warn');
    expect(r.score).toBeNull();
    expect(r.summary).toMatch(/^Flags not judged: 2 flag call sites found, but none names its key/);
  });
});

describe('in-house registries recognised by their shape', () => {
  it('an enum of features read through an accessor: used members are flags in use, an unused member is stale', async () => {
    const r = await check(
      oldFile({
        'src/types.ts': lines('export enum FeatureName {', "  Folders = 'app-folders',", "  Exports = 'app-exports',", "  Gone = 'app-gone',", '}'),
        'src/folders.tsx': lines("import { FeatureName } from './types';", 'export const F = () => useFeatureFlag(FeatureName.Folders);'),
        'src/exports.tsx': lines("import { FeatureName } from './types';", 'export const E = () => (isFeatureEnabled(FeatureName.Exports) ? 1 : 0);'),
      }),
    );
    expect(r.summary).toMatch(/^3 flags \(3 defined here\); 1 stale of 3 temporary \(1 unused\)/);
    expect(about(r.findings, 'app-gone')[0]).toMatchObject({ rule: 'unused-flag', path: 'src/types.ts', line: 4 });
    // The others are used; old, so a warning each, no more.
    expect(about(r.findings, 'app-folders').map((f) => f.rule)).toEqual(['aging-flag']);
  });

  it('a constants class of flag keys (C#), an object of flags with defaults (TypeScript), a union type of keys', async () => {
    const r = await check(
      oldFile({
        'src/Core/Constants.cs': lines('public static class FeatureFlagKeys', '{', '    public const string FastSync = "fast-sync";', '    public const string OldSync = "old-sync";', '}'),
        'src/Core/Sync.cs': lines('public class Sync {', '  public bool Fast() => _features.IsEnabled(FeatureFlagKeys.FastSync);', '}'),
        'web/flags.ts': lines('export const featureFlags = {', "  NEW_NAV: { flag: 'new-nav', defaultValue: true },", "  BETA_EDITOR: { flag: 'beta-editor', defaultValue: false },", '} as const;', "export type FlagKey = 'new-nav' | 'beta-editor';"),
        'web/nav.ts': lines("import { featureFlags } from './flags';", 'export const nav = () => ldClient.variation(featureFlags.NEW_NAV.flag, false);'),
        'web/editor.ts': lines("export const ed = () => getFeatureFlag({ key: user.id, flag: 'beta-editor' });"),
      }),
    );
    expect(r.summary).toMatch(/^4 flags \(4 defined here\)/);
    expect(about(r.findings, 'old-sync')[0]).toMatchObject({ rule: 'unused-flag', path: 'src/Core/Constants.cs' });
    // Defaults to on and older than the aging threshold: settled, remove it.
    expect(about(r.findings, 'new-nav')[0]).toMatchObject({ rule: 'flag-fully-rolled-out', path: 'web/flags.ts', line: 2 });
    expect(about(r.findings, 'new-nav')[0]!.message).toContain('defaults to on');
    expect(about(r.findings, 'beta-editor')[0]?.rule).toBe('aging-flag');
  });

  it('a features: block of a settings file with per-environment overrides; plain configuration beside it is not a flag', async () => {
    const r = await check(
      oldFile({
        'config/settings.yml': lines('features:', '  bulk_upload: true', '  sign_in_method: sso', '  old_importer: false', '  routes:', '    apprenticeship: true', '    part_time: true', 'mailer:', '  from: x@example.org'),
        'config/settings/production.yml': lines('features:', '  bulk_upload: true', '  routes:', '    apprenticeship: true'),
        'app/controllers/uploads_controller.rb': 'before_action { head 404 unless FeatureService.enabled?(:bulk_upload) }\n',
        'app/models/route.rb': lines('def apprenticeship? = FeatureService.enabled?("routes.apprenticeship")', 'def part_time? = FeatureService.enabled?("routes.part_time")'),
      }),
    );
    expect(r.summary).toMatch(/^4 flags \(4 defined here\)/);
    expect(about(r.findings, 'sign_in_method')).toEqual([]);
    expect(about(r.findings, 'old_importer')[0]).toMatchObject({ rule: 'unused-flag', path: 'config/settings.yml', line: 4 });
    // On in the settings and in every override, for longer than the aging threshold: its rollout is over.
    expect(about(r.findings, 'bulk_upload')[0]).toMatchObject({ rule: 'flag-fully-rolled-out', path: 'config/settings.yml', line: 2 });
  });

  it('environment toggles read through the app config: FF_ and FEATURE_ names are flags, ENABLE_/…_ENABLED switches are settings', async () => {
    const r = await check(
      oldFile({
        'app/config.py': lines(
          'import os',
          'class Config:',
          '    FF_NEW_LIMITS = env.bool("FF_NEW_LIMITS", False)',
          '    FF_ORPHAN = env.bool("FF_ORPHAN", False)',
          '    FEATURE_BULK_SEND_ENABLED = getenv_boolean("FEATURE_BULK_SEND_ENABLED", default=True)',
          '    SLACK_ENABLED = env.bool("SLACK_ENABLED", True)',
          '    ENABLE_LEGACY_EXPORT = env.bool("ENABLE_LEGACY_EXPORT", False)',
        ),
        'app/limits.py': lines('from flask import current_app', 'def limit():', '    if current_app.config["FF_NEW_LIMITS"]:', '        return 1'),
        'app/send.py': lines('from app.config import Config', 'def send():', '    return Config.FEATURE_BULK_SEND_ENABLED and Config.ENABLE_LEGACY_EXPORT'),
      }),
    );
    expect(r.summary).toMatch(/^4 flags \(4 defined here\)/);
    expect(r.summary).toContain('1 configuration switch (SLACK_ENABLED) read as permanent settings, not flags');
    expect(about(r.findings, 'FF_ORPHAN')[0]).toMatchObject({ rule: 'unused-flag', path: 'app/config.py', line: 4 });
    // Defaults to on for more than the aging threshold: done.
    expect(about(r.findings, 'FEATURE_BULK_SEND_ENABLED')[0]).toMatchObject({ rule: 'flag-fully-rolled-out' });
  });

  it('switches and flags set per environment in deployment files: the same value everywhere for long is settled', async () => {
    const r = await check(
      oldFile({
        'helmfile/overrides/production.env': lines('FF_FAST_PATH: "true"', 'FF_TRIAL: "false"', 'LOG_LEVEL: info'),
        'helmfile/overrides/staging.env': lines('FF_FAST_PATH: "true"', 'FF_TRIAL: "true"'),
        'helmfile/overrides/dev.env': lines('FF_FAST_PATH: "true"', 'FF_TRIAL: "true"'),
        'terraform/variables.tf': lines('variable "enable_arm_nodes" {', '  type = bool', '}', 'variable "enable_unused" {', '  type    = bool', '  default = false', '}'),
        'terraform/main.tf': lines('resource "x" "y" {', '  count = var.enable_arm_nodes ? 1 : 0', '}'),
        'terraform/production.tfvars': 'enable_arm_nodes = true\nenable_unused = false\n',
        'terraform/staging.tfvars': 'enable_arm_nodes = true\nenable_unused = false\n',
      }),
    );
    expect(about(r.findings, 'FF_FAST_PATH')[0]).toMatchObject({ rule: 'flag-fully-rolled-out' });
    expect(about(r.findings, 'FF_FAST_PATH')[0]!.message).toContain('on in every environment that sets it (dev, production, staging)');
    expect(about(r.findings, 'FF_TRIAL').filter((f) => f.rule !== 'aging-flag')).toEqual([]);
    expect(about(r.findings, 'enable_unused')[0]).toMatchObject({ rule: 'unused-flag', path: 'terraform/variables.tf', line: 4 });
    // A switch the same everywhere may be configuration: a warning only.
    expect(about(r.findings, 'enable_arm_nodes')[0]).toMatchObject({ rule: 'aging-flag' });
    expect(about(r.findings, 'enable_arm_nodes')[0]!.message).toContain('on in every environment that sets it (production, staging)');
  });
});

describe('untyped is not "release", permanent settings are not flags', () => {
  it('age alone on an untyped flag is a warning with its age, not a failure', async () => {
    const r = await check([
      commit(400, 'init', { 'package.json': '{"dependencies": {"unleash-client": "6"}}\n', 'src/a.ts': lines("export const a = unleash.isEnabled('reports-v2');", "export const b = unleash.isEnabled('bulk-actions');") }),
      commit(1, 'chore', { 'README.md': 'x\n' }),
    ]);
    expect(r.status).toBe('warn');
    expect(r.score).toBe(6.8);
    const f = about(r.findings, 'reports-v2')[0]!;
    expect(f).toMatchObject({ rule: 'aging-flag', severity: 'low' });
    expect(f.message).toMatch(/is 400 days old with no declared type, older than 120 days, though nothing shows it is stale/);
  });

  it('old flags alone never fail: a registry of used, untyped, unowned flags all past the aging threshold is a warning at the warning line', async () => {
    const names = ['bulk-export', 'saved-views', 'quick-filters', 'dark-theme', 'inline-edit', 'team-invites', 'csv-import', 'audit-feed', 'smart-search', 'pinned-notes'];
    const member = (k: string) => k.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()).replace(/^\w/, (c) => c.toUpperCase());
    const r = await check([
      commit(400, 'init', {
        'src/features.ts': lines('export enum FeatureName {', ...names.map((k) => `  ${member(k)} = '${k}',`), '}'),
        ...Object.fromEntries(names.map((k) => [`src/pages/${k}.tsx`, lines("import { FeatureName } from '../features';", `export const P = () => useFeatureFlag(FeatureName.${member(k)});`)])),
      }),
      commit(1, 'chore: touch', { 'README.md': 'x\n' }),
    ]);
    expect(r.summary).toMatch(/^10 flags \(10 defined here\); 0 stale of 10 temporary; 10 aging/);
    // Without the floor: 10 − 12 × (0.4 × 10 ÷ 11) − 1 = 4.6, a failure on age alone.
    expect(r.score).toBe(5);
    expect(r.status).toBe('warn');
    expect(r.summary).toContain('no flag is shown stale: old flags alone are a warning, not a failure');
  });

  it('an old flag nobody typed keeps a repository at a warning, even with a high score', async () => {
    const r = await check([
      commit(400, 'feat: search behind a flag', { 'package.json': '{"dependencies": {"unleash-client": "6"}}\n', 'src/search.ts': lines("export const s = () => unleash.isEnabled('trigram-search');") }),
      commit(30, 'feat: new nav', { 'src/nav.ts': lines("export const n = () => unleash.isEnabled('new-nav');"), 'src/cards.ts': lines("export const c = () => unleash.isEnabled('card-layout');"), 'src/tabs.ts': lines("export const t = () => unleash.isEnabled('tab-bar');") }),
      commit(20, 'chore: remove the beta-banner flag', { 'src/banner.ts': 'export const b = 1;\n' }),
      commit(10, 'chore: remove the old-footer flag', { 'src/footer.ts': 'export const f = 1;\n' }),
    ]);
    expect(r.summary).toMatch(/^4 flags \(4 only in code\); 0 stale of 4 temporary; 1 aging/);
    expect(r.score).toBeGreaterThanOrEqual(8);
    expect(r.status).toBe('warn');
    expect(r.summary).toContain('at most a warning: 1 flag is old with nothing that shows it is done');
  });

  it('a switch set differently per environment is that environment\'s configuration, and an environment that leaves a Terraform variable out serves its default', async () => {
    const r = await check(
      oldFile({
        'infra/variables.tf': lines('variable "disable_private_link" {', '  description = "Turn private link off"', '  type        = bool', '  default     = false', '}'),
        'infra/main.tf': lines('module "gw" {', '  source = "./gw"', '  private_link = !var.disable_private_link', '}'),
        'infra/env/staging.tfvars': lines('disable_private_link = true', 'region = "west"'),
        'infra/env/test.tfvars': lines('disable_private_link = true'),
        // Production sets other variables and leaves this one at its default (false): the environments differ.
        'infra/env/production.tfvars': lines('region = "north"'),
        'charts/api/values-production.yaml': lines('env:', '  ENABLE_AUDIT_SINK: "true"'),
        'charts/api/values-staging.yaml': lines('env:', '  ENABLE_AUDIT_SINK: "false"'),
      }),
    );
    expect(r.status).toBe('not-applicable');
    expect(r.summary).toContain('2 configuration switches (ENABLE_AUDIT_SINK, disable_private_link) read as permanent settings, not flags');
  });

  it("a component's feature gates set by a deployment are flags owned upstream: permanent here, never unused, not 'not applicable'", async () => {
    const r = await check(
      oldFile({
        'config/cert-issuer.yaml': lines('replicas: 2', 'config:', '  featureGates:', '    # works around a path-matching bug in the ingress controller', '    ExactPathMatching: false', '    ServerSideApply: true', 'resources: {}'),
        'clusters/prod/patches/controller.yaml': lines('spec:', '  template:', '    spec:', '      containers:', '        - name: manager', '          args:', '            - --feature-gates=StrictDefaults=true,OldCache=false'),
      }),
    );
    expect(r.status).toBe('pass');
    expect(r.summary).toMatch(/^4 flags \(4 defined here\); no temporary flags, none stale; every definition names a type and an owner/);
    expect(r.findings.filter((f) => f.rule === 'unused-flag' || f.rule === 'flags-served-elsewhere')).toEqual([]);
  });

  it('a repository with only configuration switches (ENABLE_X, X_ENABLED) has no flags to judge', async () => {
    const r = await check({ 'settings.py': lines('SLACK_ENABLED = envbool("SLACK_ENABLED", "True")', 'REGISTRATION_OPEN = envbool("REGISTRATION_OPEN", "True")', 'ENABLE_SIGNUP = os.getenv("ENABLE_SIGNUP") == "1"'), 'app/views.py': 'if settings.SLACK_ENABLED and settings.ENABLE_SIGNUP:\n    pass\n' });
    expect(r.status).toBe('not-applicable');
    expect(r.summary).toBe('No feature flags: no flag definitions and no flag call sites; 2 configuration switches (ENABLE_SIGNUP, SLACK_ENABLED) read as permanent settings, not flags.');
  });
});

describe('references the check used to miss', () => {
  it('a use of a generated accessor is a use of its flag', async () => {
    const r = await check({
      'go.mod': 'module x\nrequire github.com/open-feature/go-sdk v1.10.0\n',
      'flags/flags.yaml': lines('flags:', '  - key: fast-search', '    type: release', '    owner: search', '    created: 2026-11-01'),
      'internal/flags/flags_gen.go': lines('// Code generated by flagsgen. DO NOT EDIT.', 'package flags', '', 'const FastSearch = "fast-search"'),
      'internal/search/search.go': lines('package search', 'func Run() bool {', '  return client.BooleanValue(ctx, flags.FastSearch, false, evalCtx)', '}'),
    });
    expect(about(r.findings, 'fast-search')).toEqual([]);
    expect(r.summary).toMatch(/^1 flag \(1 defined here\); 0 stale of 1 temporary;/);
  });

  it('reads Rust and shell, and names languages it does not read', async () => {
    const r = await check({
      'flags.yaml': lines('flags:', '  - key: rust-cache', '    type: release', '    owner: core', '    created: 2026-11-01', '  - key: deploy-canary', '    type: release', '    owner: ops', '    created: 2026-11-01'),
      'Cargo.toml': '[dependencies]\nopen-feature = "0.2"\n',
      'src/cache.rs': lines('fn cached() -> bool {', '    client.get_bool_value("rust-cache", None, None).unwrap_or(false)', '}'),
      'scripts/deploy.sh': lines('#!/bin/sh', "if [ \"$(flagctl get 'deploy-canary')\" = \"true\" ]; then echo canary; fi"),
      'lib/report.ml': 'let () = print_endline "report"\n',
    });
    expect(about(r.findings, 'rust-cache')).toEqual([]);
    expect(about(r.findings, 'deploy-canary')).toEqual([]);
    expect(r.findings).toContainEqual({ rule: 'files-not-read', severity: 'info', message: 'languages this check does not read, so flags used there are unknown: OCaml (1 file)' });
  });
});

describe('ages from a truncated history', () => {
  it('print "at least N days" and never call a flag stale from a lower bound alone', async () => {
    const gitlab = lines('---', 'name: old_gate', 'type: beta', 'group: group::a', 'default_enabled: false');
    const r = await check(
      [
        commit(300, 'feat: gate', { 'config/feature_flags/beta/old_gate.yml': gitlab, 'app/a.rb': 'Feature.enabled?(:old_gate)\n' }),
        commit(100, 'chore: a', { 'README.md': 'a\n' }),
        commit(60, 'chore: b', { 'README.md': 'b\n' }),
      ],
      { historyLimit: 2 },
    );
    const f = about(r.findings, 'old_gate')[0]!;
    expect(f.rule).toBe('aging-flag');
    expect(f.message).toContain('is at least 100 days old, which may be past the 40-day lifetime of a release flag');
    expect(r.summary).toMatch(/0 stale of 1 temporary; 1 aging/);
  });
});

describe('findings are bounded', () => {
  it('lists the worst flags up to maxFlagFindings, counts the rest, and keeps the totals in the summary', async () => {
    const members = Array.from({ length: 30 }, (_, i) => `  Unused${String(i).padStart(2, '0')} = 'unused-${String(i).padStart(2, '0')}',`);
    const r = await check({ 'src/flags.ts': lines('export enum FeatureFlagKeys {', ...members, '}'), 'src/a.ts': 'export const x = 1;\n' }, { options: { maxFlagFindings: 10 } });
    const listed = r.findings.filter((f) => f.rule === 'unused-flag');
    expect(listed).toHaveLength(11);
    expect(listed[listed.length - 1]!.message).toMatch(/^…and 20 more flags not listed \(20 stale, 0 aging; only the worst 10 are listed/);
    expect(r.summary).toMatch(/^30 flags \(30 defined here\); 30 stale of 30 temporary \(30 unused\)/);
  });
});
