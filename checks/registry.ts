// Every check Seaworthy runs. A contract test fails when a folder under checks/ is missing here.
import runbooks from './runbooks/index.ts';
import costTags from './cost-tags/index.ts';
import rollbackPlan from './rollback-plan/index.ts';
import separatedMigrations from './separated-migrations/index.ts';
import staleFlags from './stale-flags/index.ts';
import dependencyFreshness from './dependency-freshness/index.ts';

export const CHECKS = [runbooks, costTags, rollbackPlan, separatedMigrations, staleFlags, dependencyFreshness] as const;
