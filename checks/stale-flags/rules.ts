// What a stale-flags finding asks the team to fix; each has a subsection in README.md's "How to fix".
import type { Rules } from '../contract.ts';

export const RULES = {
  'expired-flag': { title: 'Flag past its expiry date' },
  'flag-fully-rolled-out': { title: 'Flag fully rolled out' },
  'flag-past-lifetime': { title: 'Flag older than its type allows' },
  'unused-flag': { title: 'Flag defined but not used' },
  'aging-flag': { title: 'Old flag without evidence it is stale' },
  'undefined-flag': { title: 'Flag used but not defined' },
  'untyped-flag': { title: 'Flag without a type' },
  'flag-without-owner': { title: 'Flag without an owner' },
  'flag-age-unknown': { title: 'Flag of unknown age' },
  'undated-milestone': { title: 'Milestone without a release date' },
  'flags-served-elsewhere': { title: 'Flags used by other repositories' },
  'dynamic-flag-key': { title: 'Flag key computed at run time' },
  'registry-matches-nothing': { title: 'Flag registry that matches no file' },
  'malformed-flag-definition': { title: 'Flag definition that cannot be used' },
  'files-not-read': { title: 'Generated or minified files not read' },
  'unreadable-file': { title: 'File that cannot be read' },
} as const satisfies Rules;

export type Rule = keyof typeof RULES;
