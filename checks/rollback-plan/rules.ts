// What a rollback-plan finding asks the team to fix; each has a subsection in README.md's "How to fix".
import type { Rules } from '../contract.ts';

export const RULES = {
  'no-automated-rollback': { title: 'No automated rollback' },
  'rollback-not-on-metrics': { title: 'Rollback does not watch metrics' },
  'canary-skips-analysis': { title: 'Canary skips its analysis' },
  'canary-without-analysis': { title: 'Progressive delivery without analysis' },
  'analysis-cannot-fail': { title: 'Analysis that can never fail' },
  'canary-default-threshold': { title: 'Canary analysis without a threshold' },
  'analysis-not-in-repository': { title: 'Analysis template not in the repository' },
  'helm-release-not-atomic': { title: 'Helm release not rolled back on failure' },
  'ecs-without-rollback': { title: 'ECS service without circuit-breaker rollback' },
  'codedeploy-without-rollback': { title: 'CodeDeploy without automatic rollback' },
  'stack-rollback-disabled': { title: 'CloudFormation rollback switched off' },
  'deploys-after-failed-checks': { title: 'Deploy that runs after failed checks' },
  'unverifiable-setting': { title: 'Rollback setting that cannot be verified' },
  'no-rollback-procedure': { title: 'No written rollback procedure' },
  'rollback-procedure-incomplete': { title: 'Rollback procedure without steps' },
  'no-pr-template': { title: 'No pull request template' },
  'pr-template-without-rollback': { title: 'Pull request template does not ask for a rollback plan' },
  'prs-without-rollback-plan': { title: 'Pull requests without a rollback plan' },
  'unparsable-deploy-config': { title: 'Deploy configuration that cannot be parsed' },
  'unreadable-file': { title: 'File that cannot be read' },
} as const satisfies Rules;

export type Rule = keyof typeof RULES;
