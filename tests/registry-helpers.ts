// Shared by the registry tests: crafted release histories and a provider wired to a fake registry.
import path from 'node:path';
import type { FakePackage, FakeRegistry } from '../fixtures/fake-registry.ts';
import { parseConfig, type SeaworthyConfig } from '../crawler/config.ts';
import { createRegistryFacts, type RegistryFactsOptions } from '../crawler/facts/provider.ts';
import { openDb, type Db } from '../data/db.ts';

export const PACKAGES: FakePackage[] = [
  {
    ecosystem: 'npm',
    name: '@acme/widgets',
    releases: [
      { version: '1.0.0', publishedAt: '2023-02-01' },
      { version: '1.1.0', publishedAt: '2023-08-15', deprecated: 'security hole, use 1.1.1' },
      { version: '1.1.1', publishedAt: '2023-08-20' },
      { version: '2.0.0-beta.1', publishedAt: '2024-01-10' },
      { version: '2.0.0', publishedAt: '2024-03-01' },
    ],
  },
  { ecosystem: 'npm', name: 'left-pad', releases: [{ version: '1.3.0', publishedAt: '2018-04-10', deprecated: 'use String.prototype.padStart()' }] },
  {
    ecosystem: 'pypi',
    name: 'Flask_Utils',
    releases: [
      { version: '0.9.0', publishedAt: '2022-05-01' },
      { version: '1.0.0', publishedAt: '2023-01-10' },
      { version: '1.0.1', publishedAt: '2023-01-12', yanked: true },
      { version: '1.1.0rc1', publishedAt: '2023-06-01' },
      { version: '1.1.0', publishedAt: null },
    ],
  },
  {
    ecosystem: 'go',
    name: 'github.com/BurntSushi/Toml',
    releases: [
      { version: 'v1.0.0', publishedAt: '2022-01-10T08:00:00Z' },
      { version: 'v1.1.0', publishedAt: '2022-06-10T08:00:00Z' },
      { version: 'v1.2.0-rc.1', publishedAt: '2022-11-01T08:00:00Z' },
      { version: 'v1.2.0', publishedAt: '2022-11-20T08:00:00Z' },
      { version: 'v2.0.0+incompatible', publishedAt: '2023-03-01T08:00:00Z' },
    ],
  },
  { ecosystem: 'go', name: 'example.com/untagged', releases: [{ version: 'v0.0.0-20240102150405-0123456789ab', publishedAt: '2024-01-02T15:04:05Z' }] },
  {
    ecosystem: 'cargo',
    name: 'tiny_http',
    releases: [
      { version: '0.11.0', publishedAt: '2022-03-01' },
      { version: '0.12.0', publishedAt: '2022-10-01', yanked: true },
      { version: '0.12.1', publishedAt: '2022-10-05' },
    ],
  },
  {
    ecosystem: 'rubygems',
    name: 'rack-timeout',
    releases: [
      { version: '0.6.0', publishedAt: '2021-12-01' },
      { version: '0.6.1', publishedAt: '2022-03-01', yanked: true },
      { version: '0.7.0.beta1', publishedAt: '2023-05-01' },
      { version: '0.7.0', publishedAt: '2023-06-01' },
    ],
  },
  {
    ecosystem: 'terraform-provider',
    name: 'acme/cloud',
    releases: [
      { version: '4.9.0', publishedAt: '2023-01-05' },
      { version: '5.0.0-beta1', publishedAt: '2023-04-01' },
      { version: '5.0.0', publishedAt: '2023-05-01' },
      { version: '5.1.0', publishedAt: '2023-07-01' },
    ],
  },
];

type Overrides = Record<string, unknown>;

function merge(base: Record<string, unknown>, extra: Overrides): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    out[key] = value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object' ? merge(current as Record<string, unknown>, value as Overrides) : value;
  }
  return out;
}

/** A validated registries section pointing every ecosystem at the fake, crates.io spacing off unless asked. */
export function registriesFor(fake: FakeRegistry, overrides: Overrides = {}): SeaworthyConfig['registries'] {
  const section = merge({ ...fake.registries(), cargo: { ...fake.registries().cargo, minIntervalMs: 0 } }, overrides);
  return configWith(section).registries;
}

export function configWith(registries: Record<string, unknown>, dir = '/tmp'): SeaworthyConfig {
  return parseConfig(`sources: [{type: local, paths: ['repos/*']}]\nregistries: ${JSON.stringify(registries)}\n`, path.join(dir, 'seaworthy.config.yaml'));
}

export function providerFor(fake: FakeRegistry, overrides: Overrides = {}, extra: Partial<RegistryFactsOptions> = {}) {
  const db: Db = extra.db ?? openDb(':memory:');
  return { db, facts: createRegistryFacts({ registries: registriesFor(fake, overrides), db, env: {}, ...extra }) };
}
