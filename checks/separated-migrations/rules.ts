// What a separated-migrations finding asks the team to fix; each has a subsection in README.md's "How to fix".
import type { Rules } from '../contract.ts';
import type { OpKind } from './model.ts';

export const RULES = {
  'migration-with-app-code': { title: 'Migration shipped with application code' },
  'dropped-table-or-column': { title: 'Table or column dropped' },
  'renamed-table-or-column': { title: 'Table or column renamed' },
  'column-type-changed': { title: 'Column type changed in place' },
  'not-null-without-default': { title: 'NOT NULL added without a default' },
  'blocking-index': { title: 'Index built without CONCURRENTLY' },
  'irreversible-migration': { title: 'Migration without a way back' },
  'migration-linter': { title: 'Migration linter in CI' },
  'migration-guard': { title: 'Migration guard in CI' },
  'separation-unknown': { title: 'Separation not judged' },
  'initial-migrations': { title: 'Change that introduced the migrations' },
  'unparsable-migration': { title: 'Migration that cannot be parsed' },
  'unreadable-file': { title: 'File that cannot be read' },
  'unversioned-sql': { title: 'SQL applied by hand, not versioned migrations' },
} as const satisfies Rules;

export type Rule = keyof typeof RULES;

/** Each kind of destructive operation has its own safe sequence. */
export const OP_RULES: Record<OpKind, Rule> = {
  'drop-table': 'dropped-table-or-column',
  'drop-column': 'dropped-table-or-column',
  'rename-table': 'renamed-table-or-column',
  'rename-column': 'renamed-table-or-column',
  'change-type': 'column-type-changed',
  'not-null': 'not-null-without-default',
  index: 'blocking-index',
};
