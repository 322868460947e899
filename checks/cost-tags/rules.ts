// What a cost-tags finding asks the team to fix; each has a subsection in README.md's "How to fix".
import type { Rules } from '../contract.ts';

export const RULES = {
  'terraform-missing-tags': { title: 'Terraform resource without the required tags' },
  'cloudformation-missing-tags': { title: 'CloudFormation resource without the required tags' },
  'cdk-missing-tags': { title: 'CDK construct without the required tags' },
  'operator-missing-tags': { title: 'Cloud resource managed from Kubernetes without the required tags' },
  'kubernetes-missing-labels': { title: 'Kubernetes workload without the required labels' },
  'tags-indeterminate': { title: 'Tags that cannot be resolved' },
  'other-keys-same-intent': { title: 'Attribution under keys the configuration does not name' },
  'inconsistent-key-spelling': { title: 'One key spelled several ways' },
  'stack-tags-unmatched': { title: 'Stack tags not matched to a template' },
  'helm-templates-not-rendered': { title: 'Helm templates not rendered' },
  'no-tagging-enforcement': { title: 'No tagging enforcement' },
  'enforcement-misses-keys': { title: 'Tagging policy does not require every key' },
  'enforcement-report-only': { title: 'Tagging policy only reports' },
  'enforcement-found': { title: 'Tagging enforcement found' },
  'unparsable-file': { title: 'File that cannot be parsed' },
  'unreadable-file': { title: 'File that cannot be read' },
  'not-judged': { title: 'Part of the repository not judged' },
  'not-counted': { title: 'Declared, but not counted as production' },
} as const satisfies Rules;

export type Rule = keyof typeof RULES;
