// Options of the stale-flags check; every field has a default, documented in README.md.
import { z } from 'zod';

export const CATEGORIES = ['release', 'experiment', 'operational', 'kill-switch', 'permission', 'fault-injection'] as const;
export type Category = (typeof CATEGORIES)[number];

const validRegex = (flags = '') => (s: string) => {
  try {
    new RegExp(s, flags);
    return true;
  } catch {
    return false;
  }
};
const regex = (what: string) => z.string().min(1).refine(validRegex(), { message: `${what} must be a valid JavaScript regular expression` });

const lifetime = (days: number | null, what: string) =>
  z.int().min(1).max(36_500).nullable().default(days).meta({ description: `Days a ${what} flag may live; null: permanent (age alone never makes it stale).` });

export const DEFAULT_EXCLUDE = [
  '**/{node_modules,bower_components,vendor,third_party,third-party,__generated__,generated,gen,site-packages,.venv,venv,dist,build,out,target,coverage,.next,.nuxt,.svelte-kit,_build,deps,obj}/**',
  '**/*.min.*',
  '**/*.{generated,gen,g,pb,designer}.*',
  '**/*_pb2.py',
  '**/*_pb2_grpc.py',
  '**/*_generated.go',
  '**/db/schema.rb',
];

export const DEFAULT_DEFINITION_EXCLUDE = ['**/{test,tests,spec,specs,testdata,fixtures,__fixtures__,test-fixtures,example,examples,doc,docs}/**'];

export const options = z
  .object({
    passAt: z.number().min(0).max(10).default(8).meta({ description: 'Score at or above which the check passes.' }),
    warnAt: z.number().min(0).max(10).default(5).meta({ description: 'Score at or above which the check warns instead of failing.' }),
    lifetimes: z
      .object({
        release: lifetime(40, 'release'),
        experiment: lifetime(40, 'experiment'),
        operational: lifetime(null, 'operational'),
        'kill-switch': lifetime(null, 'kill-switch'),
        permission: lifetime(null, 'permission'),
        'fault-injection': lifetime(null, 'fault-injection'),
      })
      .strict()
      .prefault({})
      .meta({ description: 'Lifetime in days per flag type; null makes a type permanent.' }),
    untypedAs: z.enum(CATEGORIES).default('release').meta({ description: 'Type assumed for flags that declare none (remote flags, definitions without a type) and whose key says nothing.' }),
    typeAliases: z
      .record(z.string().min(1), z.enum([...CATEGORIES, 'not-a-flag']))
      .default({})
      .meta({ description: 'Extra type names and what they mean, added to the built-in ones (e.g. {"temporary": "release", "entitlement": "not-a-flag"}).', examples: [{ temporary: 'release', ops_toggle: 'operational' }] }),
    typeFromKey: z
      .array(z.object({ pattern: regex('typeFromKey.pattern'), type: z.enum(CATEGORIES) }).strict())
      .default([
        { pattern: '(^|[-_.])(kill[-_]?switch|circuit[-_]?breaker)([-_.]|$)', type: 'kill-switch' },
        { pattern: '^ops[-_.]', type: 'operational' },
        { pattern: '(^|[-_.])(maintenance|outage|shutter|read[-_]?only|debug|logging|metrics|telemetry|tracing|profil(er|ing))([-_.]|$)', type: 'operational' },
        { pattern: '^(exp|experiment|ab)[-_.]', type: 'experiment' },
        { pattern: '^(perm|permission)[-_.]', type: 'permission' },
      ])
      .meta({ description: 'Types read from the key of a flag that declares none (case-insensitive regular expressions tried on the key as written and in kebab-case, first match wins).' }),
    agingDays: z.int().min(1).max(36_500).default(120).meta({ description: 'A flag without a declared type older than this (or a declared one older than its lifetime, where only a lower bound of its age is known) gets a warning; age alone never makes it stale.' }),
    fullyRolledOutDays: z.int().min(1).max(3650).default(30).meta({ description: 'A temporary flag fully rolled out and unchanged (one value, no targeting) for longer than this is stale.' }),
    milestones: z
      .record(z.string().min(1), z.iso.date())
      .default({})
      .meta({ description: 'Release dates of milestones, for definitions that carry a milestone instead of a date (GitLab).', examples: [{ '16.5': '2023-10-22', '16.6': '2023-11-16' }] }),
    normaliseKeys: z.boolean().default(true).meta({ description: 'Compare keys with case and separators normalised: MY_FLAG, my-flag, my_flag and myFlag are one flag.' }),
    keyAliases: z.record(z.string().min(1), z.string().min(1)).default({}).meta({ description: 'Keys that stand for another key: {alias: key}.', examples: [{ legacy_checkout: 'new-checkout-flow' }] }),
    sdks: z
      .array(z.string().min(1))
      .default(['*'])
      .meta({ description: 'SDKs whose call sites are read ("*" for all): openfeature, launchdarkly, unleash, flipper, fun-with-flags, gitlab, configcat, flagsmith, posthog, growthbook, statsig, split, flipt.' }),
    callPatterns: z
      .array(
        z
          .object({
            match: regex('callPatterns.match'),
            provider: z.string().min(1).default('custom'),
          })
          .strict(),
      )
      .default([])
      .meta({
        description: 'Your own call sites: a regular expression matching the callee (the key is read from the first argument), or one with a capture group that is the key.',
        examples: [[{ match: '\\bFeatures\\.on\\?' }, { match: "\\bflags\\[['\"]([\\w.-]+)['\"]\\]", provider: 'internal' }]],
      }),
    registries: z
      .array(
        z
          .object({
            files: z.string().min(1).meta({ description: 'Glob of the registry files (they must be files this check reads: source files or flag-named YAML/JSON).' }),
            pattern: regex('registries.pattern').refine(validRegex('gm'), { message: 'registries.pattern must be a valid regular expression' }),
            providers: z.array(z.string().min(1)).default(['*']).meta({ description: 'Providers whose keys the registry lists ("*": all); their keys missing from it are undefined.' }),
          })
          .strict(),
      )
      .default([])
      .meta({
        description: 'In-code registries: every match of `pattern` in `files` defines a flag (group "key" or the first group; optional groups "type", "owner", "created", "expires", "const").',
        examples: [[{ files: 'src/flags.ts', pattern: "^\\s*(?<const>[A-Z_]+):\\s*'(?<key>[\\w.-]+)'" }]],
      }),
    notFlags: z.array(z.string().min(1)).default([]).meta({ description: 'Keys (globs) that are not feature flags, e.g. entitlement names: never reported.', examples: [['plan-*', 'entitlement.*']] }),
    exclude: z.array(z.string().min(1)).default(DEFAULT_EXCLUDE).meta({ description: 'Globs of files that are neither definitions nor references (vendored, generated, build output).' }),
    definitionExclude: z.array(z.string().min(1)).default(DEFAULT_DEFINITION_EXCLUDE).meta({ description: 'Further globs of files that hold no real definitions (tests, fixtures, examples, documentation).' }),
    maxFlagFindings: z.int().min(1).max(10_000).default(100).meta({ description: 'Stale and aging flags listed one finding each, worst first; the rest are counted in one finding and in the summary.' }),
    maxListedReferences: z.int().min(1).max(1000).default(100).meta({ description: 'References listed in one finding before "and N more" (every reference, unless a flag has more than this).' }),
    flagNames: z
      .array(regex('flagNames'))
      .default(['^(FF|FEATURE|FEATURES|FEATURE_FLAG|FEATURE_TOGGLE|FLAG|TOGGLE)_[A-Z0-9_]+$', '^[A-Z0-9_]+_(FEATURE_FLAG|FEATURE_TOGGLE|FF|FLAG|TOGGLE)$', '^(ff|feature_flag|feature_toggle)_[a-z0-9_]+$'])
      .meta({ description: 'Names of environment variables and deployment settings that are feature flags (regular expressions).' }),
    switchNames: z
      .array(regex('switchNames'))
      .default(['^(ENABLE|DISABLE|USE)_[A-Z0-9_]+$', '^[A-Z0-9_]+_(ENABLED|DISABLED)$', '^(enable|disable|use)_[a-z0-9_]+$', '^[a-z0-9_]+_(enabled|disabled)$', '^(Enable|Disable|enable|disable)[A-Z][A-Za-z0-9]*$', '^[a-z][A-Za-z0-9]*(Enabled|Disabled)$'])
      .meta({ description: 'Names of configuration switches: permanent settings, not flags, unless transitionalNames matches them too.' }),
    transitionalNames: regex('transitionalNames')
      .default('(^|_)(NEW|OLD|LEGACY|BETA|ALPHA|PREVIEW|TEMP|TMP|TEMPORARY|HOTFIX|MIGRATION|MIGRATE|ROLLOUT|V[0-9]+|EXPERIMENTAL|EXPERIMENT|TRANSITION|CUTOVER)(_|$)')
      .meta({ description: 'Words that make a configuration switch a flag: it is meant to go away (case-insensitive).' }),
    typePenalty: z.number().min(0).max(10).default(0.35).meta({ description: 'Points taken off when every definition lacks a type (proportionally for fewer).' }),
    ownerPenalty: z.number().min(0).max(10).default(0.35).meta({ description: 'Points taken off when every definition lacks an owner (proportionally for fewer).' }),
  })
  .strict();

export type StaleFlagsOptions = z.output<typeof options>;
