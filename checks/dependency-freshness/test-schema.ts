// A small stand-in for Renovate's JSON schema, so tests need no network (the real one is fetched by the crawler).
import type { SchemaFact } from '../contract.ts';

/** Draft-07 with Renovate's own keywords (tsType, markdownDescription), closed objects and enums. */
export const TEST_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'JSON schema for Renovate config files (test subset)',
  tsType: 'RenovateConfig',
  type: 'object',
  properties: {
    $schema: { type: 'string' },
    description: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    enabled: { type: 'boolean' },
    extends: { type: 'array', items: { type: 'string' } },
    schedule: { type: 'array', items: { type: 'string' } },
    enabledManagers: { type: 'array', items: { type: 'string' } },
    ignorePaths: { type: 'array', items: { type: 'string' } },
    automerge: { type: 'boolean' },
    rangeStrategy: { type: 'string', enum: ['auto', 'pin', 'bump', 'replace', 'widen', 'update-lockfile', 'in-range-only'], markdownDescription: 'How to update ranges' },
    packageRules: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          matchManagers: { type: 'array', items: { type: 'string' } },
          matchFileNames: { type: 'array', items: { type: 'string' } },
          matchDepTypes: { type: 'array', items: { type: 'string' } },
          matchUpdateTypes: { type: 'array', items: { type: 'string', enum: ['major', 'minor', 'patch', 'pin', 'digest', 'lockFileMaintenance', 'rollback', 'bump', 'replacement'] } },
          enabled: { type: 'boolean' },
          automerge: { type: 'boolean' },
          groupName: { type: 'string' },
        },
        additionalProperties: false,
      },
    },
    npm: { type: 'object', properties: { enabled: { type: 'boolean' } } },
    poetry: { type: 'object', properties: { enabled: { type: 'boolean' } } },
    terraform: { type: 'object', properties: { enabled: { type: 'boolean' } } },
    pip_requirements: { type: 'object', properties: { enabled: { type: 'boolean' }, managerFilePatterns: { type: 'array', items: { type: 'string' } } } },
    allowedHeaders: { type: 'array', items: { type: 'string' } },
    onboarding: { type: 'boolean' },
  },
  additionalProperties: false,
  // As Renovate's schema does: options of the self-hosted configuration are refused in a repository.
  not: { anyOf: [{ required: ['allowedHeaders'] }, { required: ['onboarding'] }] },
};
export const SCHEMA_FACT: SchemaFact = { status: 'available', schema: TEST_SCHEMA, version: '41.0.0-test' };


/**
 * A small stand-in for the maintained dependabot.yml schema (SchemaStore's dependabot-2.0.json), written
 * for the tests: version 2, entries that need a schedule unless they join a multi-ecosystem group, and
 * groups that bring their own schedule.
 */
const schedule = { type: 'object', properties: { interval: { enum: ['daily', 'weekly', 'monthly', 'quarterly', 'semiannually', 'yearly', 'cron'] } }, required: ['interval'] };
export const TEST_DEPENDABOT_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'updates'],
  properties: {
    version: { const: 2 },
    'multi-ecosystem-groups': { type: 'object', additionalProperties: { type: 'object', properties: { schedule }, required: ['schedule'] } },
    updates: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        properties: {
          'package-ecosystem': { enum: ['bundler', 'cargo', 'composer', 'docker', 'github-actions', 'gomod', 'gradle', 'helm', 'maven', 'mix', 'npm', 'nuget', 'pip', 'terraform', 'uv'] },
          directory: { type: 'string' },
          directories: { type: 'array', items: { type: 'string' } },
          schedule,
          'multi-ecosystem-group': { type: 'string' },
          patterns: { type: 'array', items: { type: 'string' } },
          'open-pull-requests-limit': { type: 'integer', minimum: 0 },
          ignore: { type: 'array', items: { type: 'object', properties: { 'dependency-name': { type: 'string' }, versions: { type: 'array' }, 'update-types': { type: 'array', uniqueItems: true, items: { type: 'string' } } } } },
        },
        additionalProperties: false,
        required: ['package-ecosystem'],
        allOf: [
          { if: { not: { required: ['multi-ecosystem-group'] } }, then: { required: ['schedule'] } },
          { anyOf: [{ required: ['directory'] }, { required: ['directories'] }] },
        ],
      },
    },
  },
};
export const DEPENDABOT_SCHEMA_FACT: SchemaFact = { status: 'available', schema: TEST_DEPENDABOT_SCHEMA, version: 'dependabot-test' };
