// What a dependency-freshness finding asks the team to fix; each has a subsection in README.md's "How to fix".
import type { Rules } from '../contract.ts';

export const RULES = {
  'no-update-bot': { title: 'No update bot' },
  'not-covered-by-bot': { title: 'Dependency file no update bot covers' },
  'partial-bot-coverage': { title: 'Update bot that leaves part of the updates out' },
  'updates-switched-off': { title: 'Update bot switched off' },
  'invalid-renovate-config': { title: 'Renovate configuration Renovate cannot use' },
  'invalid-dependabot-config': { title: 'Dependabot configuration GitHub rejects' },
  'duplicate-bot-config': { title: 'Second bot configuration ignored' },
  'renovate-config-format': { title: 'Renovate configuration in a discouraged format' },
  'renovate-schema-not-checked': { title: 'Renovate configuration not validated' },
  'dependabot-schema-not-checked': { title: 'Dependabot configuration not validated' },
  'no-lockfile': { title: 'No committed lockfile' },
  'lockfile-out-of-date': { title: 'Lockfile out of date' },
  'direct-dependencies-unknown': { title: 'Direct dependencies unknown' },
  'lockfile-not-read': { title: 'Lockfile whose versions are not read' },
  'dependency-behind': { title: 'Dependency far behind its newest release' },
  'retired-package': { title: 'Package retired by its authors' },
  'undated-dependency': { title: 'Dependency that cannot be dated' },
  'rewritten-release-dates': { title: 'Release dates rewritten by a registry mirror' },
  'partially-judged': { title: 'Drift judged on too few dependencies' },
  'invalid-package-name': { title: 'Package name no registry accepts' },
  'unpinned-dependency': { title: 'Dependency without an exact version' },
  'update-prs-waiting': { title: 'Update pull requests left waiting' },
  'drift-summary': { title: 'Drift of a dependency file' },
  'unparsable-dependency-file': { title: 'Dependency file that cannot be parsed' },
  'unreadable-file': { title: 'File that cannot be read' },
} as const satisfies Rules;

export type Rule = keyof typeof RULES;
