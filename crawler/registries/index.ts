// One client per ecosystem of the contract. Maven is left out: Central's metadata has no per-version
// dates, so dating a version costs one request per version (see README "Package registries").
import type { Ecosystem } from '../../checks/contract.ts';
import { cargoClient } from './cargo.ts';
import { goClient } from './go.ts';
import { npmClient } from './npm.ts';
import { normalisePypiName, pypiClient } from './pypi.ts';
import { rubygemsClient } from './rubygems.ts';
import { terraformProviderClient } from './terraform.ts';
import type { RegistryClient } from './types.ts';

export const CLIENTS: Partial<Record<Ecosystem, RegistryClient>> = {
  npm: npmClient,
  pypi: pypiClient,
  go: goClient,
  cargo: cargoClient,
  rubygems: rubygemsClient,
  'terraform-provider': terraformProviderClient,
};

/** The name a registry knows a package by, so that spellings of one package share a cache entry. */
export function canonicalName(ecosystem: Ecosystem, name: string): string {
  if (ecosystem === 'pypi') return normalisePypiName(name);
  // crates.io treats - and _ and letter case as the same name.
  if (ecosystem === 'cargo') return name.toLowerCase().replace(/_/g, '-');
  if (ecosystem === 'terraform-provider') return name.replace(/^registry\.terraform\.io\//i, '').toLowerCase();
  return name;
}
