import { afterAll, describe, expect, it } from 'vitest';
import type { FixtureFile } from '../../fixtures/factory.ts';
import { fixtureSnapshots } from '../../tests/fixture-snapshots.ts';
import type { CheckOutcome, Finding, PullRequest, RepoKind, RepoSnapshot } from '../contract.ts';
import { HELM_TEMPLATE_LINE, rollbackPlanCases } from '../../bench/hostile-rollback-plan.ts';
import rollbackPlan, { type RollbackPlanOptions } from './index.ts';
import { parseMarkdown } from './markdown.ts';

// ---------------------------------------------------------------------------------------------
// Test repositories: real git repositories built with the fixture factory, read by the real local
// git source with exactly the patterns the check declares.

const repos = fixtureSnapshots({ namePrefix: 'svc' });
afterAll(repos.cleanup);

const NOW = new Date('2026-11-15T00:00:00Z');

interface RunOptions {
  kind?: RepoKind;
  options?: Partial<RollbackPlanOptions>;
  maxFileBytes?: number;
  /** Pull requests, as a host source would attach them. */
  pullRequests?: PullRequest[];
}

async function snapshotOf(files: Record<string, FixtureFile>, maxFileBytes = 1_048_576): Promise<RepoSnapshot> {
  return repos.snapshot(rollbackPlan.meta.reads, files, { maxFileBytes });
}

async function check(files: Record<string, FixtureFile>, opts: RunOptions = {}): Promise<CheckOutcome & { snapshot: RepoSnapshot }> {
  const real = await snapshotOf(files, opts.maxFileBytes);
  // The local source has no pull requests; a host source attaches them. `read` is a closure, so spreading keeps it working.
  const snapshot: RepoSnapshot = opts.pullRequests ? { ...real, pullRequests: opts.pullRequests } : real;
  const outcome = rollbackPlan.run(snapshot, {
    options: rollbackPlan.meta.options.parse(opts.options ?? {}),
    kind: { kind: opts.kind ?? 'service', source: 'detected', evidence: [] },
    now: NOW,
    facts: { packages: new Map() },
  });
  return { ...outcome, snapshot };
}

const lines = (...ls: string[]): string => ls.join('\n') + '\n';
const withPath = (findings: Finding[], p: string): Finding[] => findings.filter((f) => f.path === p);
const messages = (findings: Finding[]): string[] => findings.map((f) => f.message);
// Summary parts: automated rollback, safeguards, procedure, templates, practice. `part` numbers them without
// the safeguards (0 automated rollback, 1 procedure, 2 templates, 3 practice); `guards` reads the safeguards.
const part = (summary: string, index: number): string => summary.split('; ').filter((_p, i) => i !== 1)[index] ?? '';
const guards = (summary: string): string => summary.split('; ')[1] ?? '';

const NO_AUTOMATION =
  'no automated rollback found: nothing in the deploy configuration undoes a failed deploy (add Argo Rollouts or Flagger analysis, helm --atomic, an ECS circuit breaker with rollback, or CodeDeploy automatic rollback)';
const NO_PROCEDURE = 'no written rollback procedure: add a "Rollback" section with numbered steps or the commands to RUNBOOK.md, DEPLOY.md or docs/runbooks/';
const NO_TEMPLATE =
  'no pull request template: add .github/pull_request_template.md (GitHub) or .gitlab/merge_request_templates/Default.md (GitLab) with a "## Rollback plan" section that asks how to undo the change';

// ---------------------------------------------------------------------------------------------
// Building blocks

const TEMPLATE_OK = lines(
  '## What does this change?', //                                                                  1
  '', //                                                                                           2
  '<!-- One or two sentences, and a link to the ticket. -->', //                                    3
  '', //                                                                                           4
  '## Rollback plan', //                                                                           5
  '', //                                                                                           6
  '<!-- How do we undo this if it goes wrong after deploy? Say what cannot be undone. -->', //      7
  '', //                                                                                           8
  '## Checklist', //                                                                               9
  '', //                                                                                           10
  '- [ ] Tests added', //                                                                          11
);

const TEMPLATE_NO_ROLLBACK = lines('## What does this change?', '', '<!-- One or two sentences. -->', '', '## How was it tested?', '', '<!-- Unit tests, staging. -->');

const ROLLOUT = lines(
  'apiVersion: argoproj.io/v1alpha1', //     1
  'kind: Rollout', //                        2
  'metadata:', //                            3
  '  name: web', //                          4
  'spec:', //                                5
  '  replicas: 3', //                        6
  '  strategy:', //                          7
  '    canary:', //                          8
  '      analysis:', //                      9
  '        templates:', //                   10
  '          - templateName: success-rate', // 11
  '      steps:', //                         12
  '        - setWeight: 20', //              13
  '        - pause: { duration: 5m }', //    14
);

const ROLLOUT_NO_ANALYSIS = lines(
  'apiVersion: argoproj.io/v1alpha1', //  1
  'kind: Rollout', //                     2
  'metadata:', //                         3
  '  name: web', //                       4
  'spec:', //                             5
  '  strategy:', //                       6
  '    canary:', //                       7
  '      steps:', //                      8
  '        - setWeight: 20', //           9
  '        - pause: {}', //               10
);

const analysisTemplate = (metric: string[]): string =>
  lines(
    'apiVersion: argoproj.io/v1alpha1', // 1
    'kind: AnalysisTemplate', //           2
    'metadata:', //                        3
    '  name: success-rate', //             4
    'spec:', //                            5
    '  metrics:', //                       6
    '    - name: success-rate', //         7
    ...metric.map((l) => `      ${l}`),
    '      provider:',
    '        prometheus:',
    '          address: http://prometheus:9090',
    '          query: sum(rate(ok[2m])) / sum(rate(all[2m]))',
  );
const ANALYSIS_OK = analysisTemplate(['interval: 1m', 'count: 5', 'failureLimit: 1', 'successCondition: result[0] >= 0.99']);

const DEPLOY_DOC = lines(
  '# Deploying payments-api', //                                                          1
  '', //                                                                                  2
  'Merges to main deploy through the deploy workflow.', //                                3
  '', //                                                                                  4
  '## Rolling back', //                                                                   5
  '', //                                                                                  6
  '1. Find the last good revision with `helm -n payments history payments-api`.', //      7
  '2. Roll back with `helm -n payments rollback payments-api <REVISION> --wait`.', //     8
  '3. Watch the error rate on the Payments dashboard fall under one percent.', //         9
  '', //                                                                                  10
  '## Monitoring', //                                                                     11
  '', //                                                                                  12
  'See the dashboards.', //                                                               13
);

const helmWorkflow = (flags: string): string =>
  lines(
    'name: deploy', //                                   1
    'on:', //                                            2
    '  push:', //                                        3
    '    branches: [main]', //                           4
    'jobs:', //                                          5
    '  deploy:', //                                      6
    '    runs-on: ubuntu-latest', //                     7
    '    steps:', //                                     8
    '      - uses: actions/checkout@v4', //              9
    '      - name: Deploy', //                           10
    '        run: |', //                                 11
    '          echo "deploying ${{ github.sha }}"', //   12
    '          helm upgrade --install web ./chart \\', // 13
    '            --namespace web \\', //                 14
    `            ${flags} --timeout 10m`, //             15
  );

// ---------------------------------------------------------------------------------------------

describe('rollback-plan: pull request templates', () => {
  it('a .github template whose Rollback plan section prompts in an HTML comment earns the template points', async () => {
    const r = await check({ '.github/pull_request_template.md': TEMPLATE_OK });
    expect(part(r.summary, 2)).toBe('1/1 pull request template asks for a rollback plan');
    expect(r.score).toBe(1.5); // the template's 1.5 points and nothing else
    expect(r.status).toBe('fail');
    expect(withPath(r.findings, '.github/pull_request_template.md')).toEqual([]);
    expect(messages(r.findings)).not.toContain(NO_TEMPLATE);
  });

  it('a rollback heading with no content is not a prompt: a finding at the heading, no points', async () => {
    const text = lines('## Summary', '', '<!-- What and why. -->', '', '## Rollback plan', '', '## Checklist', '', '- [ ] Tests');
    const r = await check({ '.github/pull_request_template.md': text });
    expect(r.score).toBe(0);
    expect(part(r.summary, 2)).toBe('0/1 pull request template asks for a rollback plan');
    expect(withPath(r.findings, '.github/pull_request_template.md')).toEqual([
      {
        rule: 'pr-template-without-rollback',
        severity: 'medium',
        path: '.github/pull_request_template.md',
        line: 5,
        message: 'template\'s "Rollback plan" section is empty: write a prompt under it (an HTML comment, text or a checklist) asking how this change is undone',
      },
    ]);
  });

  it.each([['N/A'], ['n/a.'], ['- None'], ['TBD'], ['<!-- --> TODO']])('a rollback section holding only %j is a placeholder, not a prompt', async (content) => {
    const text = lines('## Rollback plan', '', content, '', '## Checklist', '- [ ] Tests');
    const r = await check({ 'docs/pull_request_template.md': text });
    expect(r.score).toBe(0);
    const f = withPath(r.findings, 'docs/pull_request_template.md');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'medium', line: 1 });
    expect(f[0]!.message).toMatch(/^template's "Rollback plan" section only says ".+": a placeholder is not a prompt; ask how this change is undone$/);
  });

  it.each([
    ['Revert plan', lines('## Revert plan', '', 'Explain how to revert this safely.')],
    ['Back-out plan', lines('### Back-out plan', '', '- [ ] Safe to back out without a migration')],
    ['Recovery', lines('Recovery', '--------', '', '<!-- If this breaks production, how do we recover? -->')],
    ['a bold line', lines('**Rollback plan**', '<!-- How is this undone? Which command? -->')],
    ['a bold label with its prompt', lines('**Rollback plan:** <!-- describe the steps to undo -->')],
  ])('recognises a rollback section written as %s', async (_, text) => {
    const r = await check({ '.github/pull_request_template.md': lines('## Summary', '', '<!-- what -->', '') + text });
    expect(part(r.summary, 2)).toBe('1/1 pull request template asks for a rollback plan');
    expect(r.score).toBe(1.5);
  });

  it('reads templates in .github/PULL_REQUEST_TEMPLATE/: the share of templates with a prompt counts, the other gets a finding', async () => {
    const r = await check({
      '.github/PULL_REQUEST_TEMPLATE/feature.md': TEMPLATE_OK,
      '.github/PULL_REQUEST_TEMPLATE/dependency-bump.md': TEMPLATE_NO_ROLLBACK,
      '.github/ISSUE_TEMPLATE/bug.md': TEMPLATE_NO_ROLLBACK, // an issue template is not a PR template
    });
    expect(part(r.summary, 2)).toBe('1/2 pull request templates ask for a rollback plan');
    expect(r.score).toBe(0.8); // 1.5 × 1/2 = 0.75
    expect(withPath(r.findings, '.github/PULL_REQUEST_TEMPLATE/dependency-bump.md')).toEqual([
      {
        rule: 'pr-template-without-rollback', severity: 'medium',
        path: '.github/PULL_REQUEST_TEMPLATE/dependency-bump.md',
        line: 1,
        message: 'template has no rollback section: add a heading such as "## Rollback plan" with a prompt saying how to undo the change',
      },
    ]);
    expect(withPath(r.findings, '.github/ISSUE_TEMPLATE/bug.md')).toEqual([]);
  });

  it('finds templates by name in any case, at the root, in docs/ and as .txt', async () => {
    const r = await check({ 'Pull_Request_Template.md': TEMPLATE_OK, 'docs/PULL_REQUEST_TEMPLATE.txt': TEMPLATE_OK, 'docs/pull_request_template/hotfix.md': TEMPLATE_OK });
    expect(part(r.summary, 2)).toBe('3/3 pull request templates ask for a rollback plan');
    expect(r.score).toBe(1.5);
  });

  it('reads GitLab merge request templates, including a bold label with its prompt on the same line', async () => {
    const gitlab = lines('## What does this MR do?', '', '<!-- Describe it. -->', '', '**Rollback plan:** <!-- the command or revert that undoes this -->');
    const r = await check({ '.gitlab/merge_request_templates/Default.md': gitlab, '.gitlab/merge_request_templates/Docs.md': lines('## Which page?', '', '<!-- link -->') });
    expect(part(r.summary, 2)).toBe('1/2 pull request templates ask for a rollback plan');
    expect(withPath(r.findings, '.gitlab/merge_request_templates/Docs.md')[0]?.message).toBe(
      'template has no rollback section: add a heading such as "## Rollback plan" with a prompt saying how to undo the change',
    );
    expect(withPath(r.findings, '.gitlab/merge_request_templates/Default.md')).toEqual([]);
  });

  it('a checklist item that mentions rollback without a section is pointed at', async () => {
    const text = lines('## Summary', '', '<!-- what -->', '', '## Checklist', '', '- [ ] Tests added', '- [ ] I have a rollback plan');
    const r = await check({ '.github/pull_request_template.md': text });
    expect(withPath(r.findings, '.github/pull_request_template.md')).toEqual([
      {
        rule: 'pr-template-without-rollback', severity: 'medium',
        path: '.github/pull_request_template.md',
        line: 8,
        message: 'template has no rollback section: line 8 mentions rollback, but there is no heading (such as "## Rollback plan") with a prompt for the plan',
      },
    ]);
  });

  it('without any template there is one finding saying where to add one', async () => {
    const r = await check({ 'src/main.go': 'package main\n' });
    expect(r.summary).toBe('no automated rollback; no safeguards; no written rollback procedure; no pull request template; pull requests are not available from this source');
    expect(r.findings).toEqual([
      { rule: 'no-automated-rollback', severity: 'high', message: NO_AUTOMATION },
      { rule: 'no-rollback-procedure', severity: 'medium', message: NO_PROCEDURE },
      { rule: 'no-pr-template', severity: 'medium', message: NO_TEMPLATE },
    ]);
    expect(r.score).toBe(0);
    expect(r.status).toBe('fail');
  });

  it('a binary template is reported as unreadable, without a crash and without claiming there is no template', async () => {
    const binary = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]);
    const r = await check({ '.github/pull_request_template.md': binary, 'DEPLOY.md': DEPLOY_DOC });
    expect(withPath(r.findings, '.github/pull_request_template.md')).toEqual([{ rule: 'unreadable-file', severity: 'low', path: '.github/pull_request_template.md', message: 'could not read this file (binary)' }]);
    expect(messages(r.findings)).not.toContain(NO_TEMPLATE);
    expect(r.score).toBe(2.5); // the procedure still counts
  });

  it('a template larger than maxFileBytes is reported with its size', async () => {
    const r = await check({ '.github/pull_request_template.md': TEMPLATE_OK }, { maxFileBytes: 64 });
    expect(withPath(r.findings, '.github/pull_request_template.md')).toEqual([
      { rule: 'unreadable-file', severity: 'low', path: '.github/pull_request_template.md', message: `could not read this file (too-large: ${Buffer.byteLength(TEMPLATE_OK)} bytes, limit 64)` },
    ]);
  });

  it('minPromptWords decides when a short prompt counts', async () => {
    const text = lines('## Rollback plan', '<!-- How? -->');
    expect((await check({ '.github/pull_request_template.md': text })).score).toBe(0);
    expect((await check({ '.github/pull_request_template.md': text }, { options: { minPromptWords: 1 } })).score).toBe(1.5);
  });
});

describe('rollback-plan: Argo Rollouts', () => {
  it('a canary with an AnalysisTemplate that can fail is metric-gated and a gated rollout: 7.5 points, at the analysis line', async () => {
    const r = await check({ 'deploy/rollout.yaml': ROLLOUT, 'deploy/analysis.yaml': ANALYSIS_OK });
    expect(part(r.summary, 0)).toBe('automated rollback: metric-gated (Argo Rollout web with analysis success-rate, deploy/rollout.yaml:9)');
    expect(r.score).toBe(7.5);
    expect(r.status).toBe('pass');
    expect(withPath(r.findings, 'deploy/rollout.yaml')).toEqual([]);
    expect(withPath(r.findings, 'deploy/analysis.yaml')).toEqual([]);
  });

  it('a Rollout and its AnalysisTemplate in one file, lines counted across documents', async () => {
    const r = await check({ 'k8s/web.yaml': ANALYSIS_OK + '---\n' + ROLLOUT });
    const offset = ANALYSIS_OK.split('\n').length; // lines of the first document plus the separator
    expect(part(r.summary, 0)).toBe(`automated rollback: metric-gated (Argo Rollout web with analysis success-rate, k8s/web.yaml:${offset + 9})`);
  });

  it('a Rollout without analysis cannot abort on metrics: a finding at its strategy, a gated rollout only', async () => {
    const r = await check({ 'deploy/rollout.yaml': ROLLOUT_NO_ANALYSIS });
    expect(withPath(r.findings, 'deploy/rollout.yaml')).toContainEqual({
      rule: 'canary-without-analysis', severity: 'medium',
      path: 'deploy/rollout.yaml',
      line: 6,
      message: "Rollout web has no analysis: it can't abort on metrics (add an AnalysisTemplate with a failure condition to the canary or blueGreen strategy)",
    });
    expect(part(r.summary, 0)).toBe('no automated rollback');
    expect(guards(r.summary)).toBe('safeguards: gated-rollout (Argo Rollout web without analysis (someone must abort it), deploy/rollout.yaml:6)');
    expect(r.score).toBe(2.5);
    expect(r.findings[0]).toEqual({
      rule: 'no-automated-rollback', severity: 'medium',
      message:
        'no automated rollback: nothing undoes a failed deploy by itself (found only: Argo Rollout web without analysis (someone must abort it)); make the deploy roll itself back (helm --atomic, an ECS circuit breaker with rollback, CodeDeploy automatic rollback, Argo Rollouts or Flagger analysis)',
    });
  });

  it('progressDeadlineAbort makes a Rollout without analysis health-gated', async () => {
    const r = await check({ 'deploy/rollout.yaml': ROLLOUT_NO_ANALYSIS.replace('spec:\n', 'spec:\n  progressDeadlineAbort: true\n') });
    expect(part(r.summary, 0)).toMatch(/^automated rollback: health-gated \(Argo Rollout web aborts when it misses its progress deadline/);
    expect(r.score).toBe(4);
  });

  it.each([
    ['no condition', ['interval: 1m', 'count: 5'], 'metric success-rate has no successCondition or failureCondition'],
    ['failureLimit not below count', ['count: 3', 'failureLimit: 3', 'successCondition: result[0] >= 0.99'], 'metric success-rate allows 3 failures in 3 measurements, so it can never fail'],
    ['failureLimit -1', ['failureLimit: -1', 'successCondition: result[0] >= 0.99'], 'metric success-rate has failureLimit -1, which never fails'],
  ])('an AnalysisTemplate with %s can never fail: a high finding at the template, the Rollout is a gated rollout only', async (_, metric, why) => {
    const r = await check({ 'deploy/rollout.yaml': ROLLOUT, 'deploy/analysis.yaml': analysisTemplate(metric) });
    expect(withPath(r.findings, 'deploy/analysis.yaml')).toEqual([
      {
        rule: 'analysis-cannot-fail', severity: 'high',
        path: 'deploy/analysis.yaml',
        line: 2,
        message: `AnalysisTemplate success-rate can never fail (${why}), so Rollout web never aborts on metrics: add a successCondition or failureCondition with a failureLimit below count`,
      },
    ]);
    expect(r.score).toBe(2.5);
  });

  it('a metric in dryRun does not count', async () => {
    const template = ANALYSIS_OK.replace('spec:\n', 'spec:\n  dryRun:\n    - metricName: success-rate\n');
    const r = await check({ 'deploy/rollout.yaml': ROLLOUT, 'deploy/analysis.yaml': template });
    expect(withPath(r.findings, 'deploy/analysis.yaml')[0]?.message).toContain('(metric success-rate runs in dryRun (metricName "success-rate" matches it))');
    expect(r.score).toBe(2.5);
  });

  it('a job provider fails the measurement when the Job fails, so it can abort without a condition', async () => {
    const template = lines('apiVersion: argoproj.io/v1alpha1', 'kind: AnalysisTemplate', 'metadata:', '  name: success-rate', 'spec:', '  metrics:', '    - name: smoke', '      provider:', '        job:', '          spec: {}');
    const r = await check({ 'deploy/rollout.yaml': ROLLOUT, 'deploy/analysis.yaml': template });
    expect(r.score).toBe(7.5);
  });

  it('inline analysis steps and blueGreen pre-promotion analysis count', async () => {
    const steps = ROLLOUT_NO_ANALYSIS.replace('        - pause: {}\n', '        - analysis:\n            templates:\n              - templateName: success-rate\n');
    const r = await check({ 'deploy/rollout.yaml': steps, 'deploy/analysis.yaml': ANALYSIS_OK });
    expect(part(r.summary, 0)).toBe('automated rollback: metric-gated (Argo Rollout web with analysis success-rate, deploy/rollout.yaml:10)');
    const blueGreen = lines(
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Rollout',
      'metadata: { name: web }',
      'spec:',
      '  strategy:',
      '    blueGreen:',
      '      activeService: web',
      '      prePromotionAnalysis:', // 8
      '        templates:',
      '          - templateName: success-rate',
    );
    const bg = await check({ 'deploy/rollout.yaml': blueGreen, 'deploy/analysis.yaml': ANALYSIS_OK });
    expect(part(bg.summary, 0)).toBe('automated rollback: metric-gated (Argo Rollout web with analysis success-rate, deploy/rollout.yaml:8)');
  });

  it('a template that is not in the repository cannot be verified: neither a ClusterAnalysisTemplate nor a namespaced one counts', async () => {
    const cluster = ROLLOUT.replace('          - templateName: success-rate\n', '          - templateName: platform-success-rate\n            clusterScope: true\n');
    const r = await check({ 'deploy/rollout.yaml': cluster });
    expect(r.score).toBe(2.5);
    expect(part(r.summary, 0)).toBe('no automated rollback');
    expect(guards(r.summary)).toBe('safeguards: gated-rollout (Argo Rollout web without analysis (someone must abort it), deploy/rollout.yaml:7)');
    expect(withPath(r.findings, 'deploy/rollout.yaml')).toContainEqual({
      rule: 'analysis-not-in-repository', severity: 'medium',
      path: 'deploy/rollout.yaml',
      line: 9,
      message: 'Rollout web uses ClusterAnalysisTemplate platform-success-rate, which is not in this repository: whether it can abort the rollout cannot be verified, so it is not counted as analysis',
    });
    const missing = await check({ 'deploy/rollout.yaml': ROLLOUT });
    expect(missing.score).toBe(2.5);
    expect(withPath(missing.findings, 'deploy/rollout.yaml')).toContainEqual({
      rule: 'analysis-not-in-repository', severity: 'medium',
      path: 'deploy/rollout.yaml',
      line: 9,
      message: 'Rollout web uses AnalysisTemplate success-rate, which is not in this repository: it cannot be verified to abort the rollout, so it is not counted as analysis',
    });
  });

  it('a Helm chart template is read with its template actions blanked out', async () => {
    const chart = lines(
      '{{- if .Values.rollout.enabled }}', //                 1
      'apiVersion: argoproj.io/v1alpha1', //                  2
      'kind: Rollout', //                                     3
      'metadata:', //                                         4
      '  name: {{ include "web.fullname" . }}', //            5
      '  labels:', //                                         6
      '    {{- include "web.labels" . | nindent 4 }}', //     7
      'spec:', //                                             8
      '  strategy:', //                                       9
      '    canary:', //                                       10
      '      analysis:', //                                   11
      '        templates:', //                                12
      '          - templateName: {{ include "web.fullname" . }}-success-rate', // 13
      '{{- end }}', //                                        14
    );
    const template = ANALYSIS_OK.replace('  name: success-rate\n', '  name: {{ include "web.fullname" . }}-success-rate\n');
    const r = await check({ 'chart/templates/rollout.yaml': chart, 'chart/templates/analysis.yaml': template });
    expect(r.score).toBe(7.5);
    expect(part(r.summary, 0)).toMatch(/^automated rollback: metric-gated \(Argo Rollout TEMPLATED.* with analysis TEMPLATED.*-success-rate, chart\/templates\/rollout\.yaml:11\)$/);
  });
});

describe('rollback-plan: Flagger', () => {
  const canary = (analysis: string[]): string =>
    lines('apiVersion: flagger.app/v1beta1', 'kind: Canary', 'metadata:', '  name: web', 'spec:', '  targetRef: { apiVersion: apps/v1, kind: Deployment, name: web }', '  analysis:', ...analysis.map((l) => `    ${l}`));

  it('a Canary with a threshold and thresholdRange metrics is metric-gated', async () => {
    const r = await check({ 'deploy/canary.yaml': canary(['interval: 1m', 'threshold: 5', 'metrics:', '  - name: request-success-rate', '    thresholdRange: { min: 99 }']) });
    expect(part(r.summary, 0)).toBe('automated rollback: metric-gated (Flagger Canary web with thresholds on request-success-rate, deploy/canary.yaml:7)');
    expect(withPath(r.findings, 'deploy/canary.yaml')).toEqual([]);
    expect(r.score).toBe(7.5);
  });

  it('without analysis.threshold Flagger rolls back after the first failed check: an info note', async () => {
    const r = await check({ 'deploy/canary.yaml': canary(['metrics:', '  - name: request-duration', '    thresholdRange: { max: 500 }', '  - name: cpu']) });
    expect(r.score).toBe(7.5);
    expect(withPath(r.findings, 'deploy/canary.yaml')).toEqual([
      { rule: 'canary-default-threshold', severity: 'info', path: 'deploy/canary.yaml', line: 7, message: "Flagger Canary web sets no analysis.threshold: it rolls back after the first failed check (Flagger's default of 1)" },
      { rule: 'analysis-cannot-fail', severity: 'low', path: 'deploy/canary.yaml', line: 7, message: 'Flagger Canary web: metric cpu has no thresholdRange, so it is measured but never fails the canary' },
    ]);
  });

  it('a Canary without thresholds has no failure threshold: a high finding, health-gated only', async () => {
    const r = await check({ 'deploy/canary.yaml': canary(['threshold: 5', 'metrics:', '  - name: request-success-rate', '    interval: 1m']) });
    expect(withPath(r.findings, 'deploy/canary.yaml')).toContainEqual({
      rule: 'analysis-cannot-fail', severity: 'high',
      path: 'deploy/canary.yaml',
      line: 7,
      message: 'Flagger Canary web has no failure threshold: none of its metrics (request-success-rate) sets thresholdRange, so it cannot roll back on metrics',
    });
    expect(part(r.summary, 0)).toBe('automated rollback: health-gated (Flagger Canary web (progress deadline and webhooks only), deploy/canary.yaml:7)');
    expect(r.score).toBe(4);
  });

  it('skipAnalysis: true never rolls back', async () => {
    const text = canary(['threshold: 5', 'metrics:', '  - name: request-success-rate', '    thresholdRange: { min: 99 }']).replace('spec:\n', 'spec:\n  skipAnalysis: true\n');
    const r = await check({ 'deploy/canary.yaml': text });
    expect(withPath(r.findings, 'deploy/canary.yaml')).toEqual([
      { rule: 'canary-skips-analysis', severity: 'high', path: 'deploy/canary.yaml', line: 6, message: 'Flagger Canary web sets skipAnalysis: it promotes without analysis and never rolls back' },
    ]);
    expect(r.score).toBe(0);
  });
});

describe('rollback-plan: helm', () => {
  it('helm upgrade --atomic over continued lines in a workflow is health-gated, at the command line', async () => {
    const r = await check({ '.github/workflows/deploy.yml': helmWorkflow('--atomic') });
    expect(part(r.summary, 0)).toBe('automated rollback: health-gated (helm --atomic in workflow job deploy, .github/workflows/deploy.yml:13)');
    // 4 for the health-gated rollback, 2 for a pipeline that deploys (a revert goes out the same way).
    expect(guards(r.summary)).toBe('safeguards: redeploy (workflow "deploy" deploys from CI: a revert goes out the same way, .github/workflows/deploy.yml:6)');
    expect(r.score).toBe(6);
    expect(r.findings[0]).toMatchObject({ severity: 'low', path: '.github/workflows/deploy.yml', line: 13 });
  });

  it('Helm 4 --rollback-on-failure counts the same', async () => {
    const r = await check({ '.github/workflows/deploy.yml': helmWorkflow('--rollback-on-failure') });
    expect(part(r.summary, 0)).toBe('automated rollback: health-gated (helm --rollback-on-failure in workflow job deploy, .github/workflows/deploy.yml:13)');
  });

  it.each([['--wait'], ['--atomic=false']])('helm upgrade with %s and no --atomic is a finding at its line, and no rollback', async (flags) => {
    const r = await check({ '.github/workflows/deploy.yml': helmWorkflow(flags) });
    expect(withPath(r.findings, '.github/workflows/deploy.yml')).toEqual([
      {
        rule: 'helm-release-not-atomic', severity: 'medium',
        path: '.github/workflows/deploy.yml',
        line: 13,
        message: 'helm upgrade without --atomic (Helm 3) or --rollback-on-failure (Helm 4): a failed release is left failed instead of rolled back',
      },
    ]);
    // The pipeline still redeploys (a safeguard), but nothing rolls back by itself.
    expect(r.findings[0]).toMatchObject({ rule: 'no-automated-rollback', severity: 'medium' });
    expect(r.findings[0]?.message).toContain('(found only: workflow "deploy" deploys from CI: a revert goes out the same way)');
    expect(r.score).toBe(2);
  });

  it('reads helm in GitLab CI job scripts; a bare helm install (nothing to roll back to) is not judged', async () => {
    const gitlab = lines('deploy:', '  script:', '    - helm upgrade --install web ./chart --atomic', 'e2e:', '  script:', '    - helm install web ./chart --wait');
    const r = await check({ '.gitlab-ci.yml': gitlab });
    expect(part(r.summary, 0)).toBe('automated rollback: health-gated (helm --atomic in GitLab CI job deploy, .gitlab-ci.yml:3)');
    expect(withPath(r.findings, '.gitlab-ci.yml').map((f) => f.line)).toEqual([3]); // only the health-gated note
  });

  it('reads Makefiles, shell scripts and files under deploy/; commented-out commands do not count', async () => {
    const r = await check({
      Makefile: lines('deploy:', '\thelm upgrade --install web ./chart --atomic --timeout 5m'),
      'scripts/old.sh': lines('#!/bin/sh', '# helm upgrade --install web ./chart'),
      'deploy/run': lines('#!/bin/sh', 'set -e', 'helm -n web upgrade web ./chart'),
    });
    expect(part(r.summary, 0)).toBe('automated rollback: health-gated (helm --atomic in a script, Makefile:2)');
    expect(withPath(r.findings, 'scripts/old.sh')).toEqual([]);
    expect(withPath(r.findings, 'deploy/run').map((f) => [f.severity, f.line])).toEqual([['medium', 3]]);
  });

  it('a Terraform helm_release is judged by atomic = true', async () => {
    const tf = lines('resource "helm_release" "web" {', '  name  = "web"', '  chart = "./chart"', '  atomic = true', '}', '', 'resource "helm_release" "worker" {', '  name = "worker"', '}');
    const r = await check({ 'infra/helm.tf': tf });
    expect(part(r.summary, 0)).toBe('automated rollback: health-gated (helm_release.web is atomic, infra/helm.tf:4)');
    expect(withPath(r.findings, 'infra/helm.tf')).toContainEqual({
      rule: 'helm-release-not-atomic', severity: 'medium',
      path: 'infra/helm.tf',
      line: 7,
      message: 'helm_release.worker is not atomic: a failed upgrade is left failed instead of rolled back (atomic = true)',
    });
  });

  it('helmfile atomic releases and Flux HelmRelease remediation are health-gated; without them, findings', async () => {
    const helmfile = lines('releases:', '  - name: web', '    chart: ./chart', '    atomic: true', '  - name: worker', '    chart: ./worker');
    const flux = lines('apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', '  name: web', 'spec:', '  upgrade:', '    remediation:', '    retries: 3'.replace('    retries', '      retries'));
    const bare = lines('apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', '  name: api', 'spec:', '  chart: {}');
    const r = await check({ 'helmfile.yaml': helmfile, 'clusters/prod/web.yaml': flux, 'clusters/prod/api.yaml': bare });
    expect(r.score).toBe(6); // health-gated 4, and Flux follows the repository (a revert rolls back): 2
    expect(withPath(r.findings, 'helmfile.yaml')).toEqual([
      { rule: 'helm-release-not-atomic', severity: 'medium', path: 'helmfile.yaml', line: 5, message: 'helmfile release worker is not atomic: a failed upgrade is left failed instead of rolled back (set atomic: true)' },
    ]);
    expect(withPath(r.findings, 'clusters/prod/api.yaml')).toEqual([
      { rule: 'helm-release-not-atomic', severity: 'medium', path: 'clusters/prod/api.yaml', line: 2, message: 'Flux HelmRelease api does not roll back a failed upgrade: set spec.upgrade.remediation.retries (strategy: rollback)' },
    ]);
    // Only the note that health-gated is not metric-gated, at the HelmRelease's remediation.
    expect(withPath(r.findings, 'clusters/prod/web.yaml')).toEqual([
      {
        rule: 'rollback-not-on-metrics', severity: 'low',
        path: 'clusters/prod/web.yaml',
        line: 7,
        message:
          'automated rollback is health-gated (Flux HelmRelease web rolls back failed upgrades (upgrade.remediation)): it undoes deploys that fail to become ready, not ones that break users while looking healthy; gate on metrics with Argo Rollouts or Flagger analysis',
      },
    ]);
  });
});

describe('rollback-plan: ECS, CodeDeploy, CodePipeline', () => {
  const ecs = (breaker: string[]): string =>
    lines(
      '# ECS service for the API', //                                  1
      'resource "aws_ecs_service" "api" {', //                         2
      '  name            = "api-${var.env}"', //                       3
      '  task_definition = aws_ecs_task_definition.api.arn /* { */', // 4
      '  desired_count   = 2', //                                      5
      '', //                                                           6
      ...breaker, //                                                   7…
      '}',
    );

  it('a Terraform deployment_circuit_breaker with enable and rollback true is health-gated, at the block line', async () => {
    const r = await check({ 'infra/ecs.tf': ecs(['  deployment_circuit_breaker {', '    enable   = true # yes', '    rollback = true', '  }']) });
    expect(part(r.summary, 0)).toBe('automated rollback: health-gated (aws_ecs_service.api deployment circuit breaker with rollback, infra/ecs.tf:7)');
    expect(r.score).toBe(4);
    expect(withPath(r.findings, 'infra/ecs.tf')).toEqual([expect.objectContaining({ severity: 'low', line: 7 })]); // the health-gated note
  });

  it('rollback = false stops but does not roll back; no circuit breaker at all is a finding at the resource', async () => {
    const off = await check({ 'infra/ecs.tf': ecs(['  deployment_circuit_breaker {', '    enable   = true', '    rollback = false', '  }']) });
    expect(withPath(off.findings, 'infra/ecs.tf')).toEqual([
      { rule: 'ecs-without-rollback', severity: 'medium', path: 'infra/ecs.tf', line: 9, message: 'aws_ecs_service.api: the deployment circuit breaker stops a failing deployment but rollback is not true, so it is not rolled back' },
    ]);
    expect(off.score).toBe(0);
    const none = await check({ 'infra/ecs.tf': ecs([]) });
    expect(withPath(none.findings, 'infra/ecs.tf')).toEqual([
      { rule: 'ecs-without-rollback', severity: 'medium', path: 'infra/ecs.tf', line: 2, message: 'aws_ecs_service.api has no deployment circuit breaker with rollback (deployment_circuit_breaker { enable = true rollback = true })' },
    ]);
  });

  it('a value from a variable cannot be verified and does not count', async () => {
    const r = await check({ 'infra/ecs.tf': ecs(['  deployment_circuit_breaker {', '    enable   = true', '    rollback = var.rollback', '  }']) });
    expect(withPath(r.findings, 'infra/ecs.tf')).toEqual([
      { rule: 'unverifiable-setting', severity: 'low', path: 'infra/ecs.tf', line: 9, message: 'aws_ecs_service.api: deployment_circuit_breaker is set from expressions (true, var.rollback), which cannot be verified; not counted' },
    ]);
    expect(r.score).toBe(0);
  });

  it('ECS alarms with rollback are metric-gated; a module input in object form counts as a circuit breaker', async () => {
    const alarms = await check({ 'infra/ecs.tf': ecs(['  alarms {', '    alarm_names = [aws_cloudwatch_metric_alarm.api_5xx.alarm_name]', '    enable      = true', '    rollback    = true', '  }']) });
    expect(part(alarms.summary, 0)).toBe('automated rollback: metric-gated (aws_ecs_service.api rolls back on CloudWatch alarms, infra/ecs.tf:7)');
    expect(alarms.score).toBe(5);
    const moduleInput = lines('module "api" {', '  source = "terraform-aws-modules/ecs/aws//modules/service"', '  deployment_circuit_breaker = {', '    enable   = true', '    rollback = true', '  }', '}');
    const m = await check({ 'infra/main.tf': moduleInput });
    expect(part(m.summary, 0)).toBe('automated rollback: health-gated (ECS deployment circuit breaker with rollback (module input), infra/main.tf:3)');
  });

  it('reads CloudFormation YAML with intrinsic tags (!Ref, !Sub, !GetAtt); a Rollback given by !If does not count', async () => {
    const cfn = (rollback: string) =>
      lines(
        'AWSTemplateFormatVersion: "2010-09-09"', //                1
        'Parameters:', //                                            2
        '  Env: { Type: String }', //                                3
        'Resources:', //                                             4
        '  Service:', //                                             5
        '    Type: AWS::ECS::Service', //                            6
        '    Properties:', //                                        7
        '      Cluster: !Ref Cluster', //                            8
        '      ServiceName: !Sub "api-${Env}"', //                   9
        '      TaskDefinition: !GetAtt TaskDef.Arn', //              10
        '      LoadBalancers:', //                                   11
        '        - TargetGroupArn: !Ref TargetGroup', //             12
        '          ContainerName: !Select [0, !Split [",", !Ref Names]]', // 13
        '      DeploymentConfiguration:', //                         14
        '        DeploymentCircuitBreaker:', //                      15
        '          Enable: true', //                                 16
        `          Rollback: ${rollback}`, //                        17
        '  Weird:', //                                               18
        '    Type: AWS::SNS::Topic', //                              19
        '    Properties:', //                                        20
        '      TopicName: !SomethingUnknown x', //                   21
      );
    const r = await check({ 'cloudformation/service.yaml': cfn('true') });
    expect(part(r.summary, 0)).toBe('automated rollback: health-gated (ECS service Service deployment circuit breaker with rollback, cloudformation/service.yaml:15)');
    const iff = await check({ 'cloudformation/service.yaml': cfn('!If [IsProd, true, false]') });
    expect(withPath(iff.findings, 'cloudformation/service.yaml')).toEqual([
      { rule: 'unverifiable-setting', severity: 'low', path: 'cloudformation/service.yaml', line: 15, message: 'ECS service Service: DeploymentCircuitBreaker is set by an intrinsic function, which cannot be verified; not counted' },
    ]);
    expect(iff.score).toBe(0);
    const off = await check({ 'cloudformation/service.yaml': cfn('false') });
    expect(withPath(off.findings, 'cloudformation/service.yaml')).toEqual([
      {
        rule: 'ecs-without-rollback', severity: 'medium',
        path: 'cloudformation/service.yaml',
        line: 15,
        message: 'ECS service Service: the deployment circuit breaker stops a failing deployment but Rollback is not true, so it is not rolled back',
      },
    ]);
  });

  it('reads CloudFormation JSON templates', async () => {
    const json = JSON.stringify(
      { AWSTemplateFormatVersion: '2010-09-09', Resources: { Api: { Type: 'AWS::ECS::Service', Properties: { DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true } } } } } },
      null,
      2,
    );
    const r = await check({ 'stack.template.json': json });
    expect(part(r.summary, 0)).toBe('automated rollback: health-gated (ECS service Api deployment circuit breaker with rollback, stack.template.json:8)');
  });

  it('CodeDeploy with alarm-triggered rollback is metric-gated; on failure only it is health-gated with a hint', async () => {
    const group = (events: string, alarm: string[]) =>
      lines(
        'resource "aws_codedeploy_deployment_group" "api" {', // 1
        '  app_name = aws_codedeploy_app.api.name', //          2
        '  auto_rollback_configuration {', //                   3
        '    enabled = true', //                                4
        `    events  = ${events}`, //                           5
        '  }', //                                               6
        ...alarm,
        '}',
      );
    const metric = await check({ 'infra/deploy.tf': group('["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]', ['  alarm_configuration {', '    alarms  = ["api-5xx"]', '    enabled = true', '  }']) });
    expect(part(metric.summary, 0)).toBe('automated rollback: metric-gated (aws_codedeploy_deployment_group.api rolls back on CloudWatch alarms, infra/deploy.tf:3)');
    const failure = await check({ 'infra/deploy.tf': group('["DEPLOYMENT_FAILURE"]', []) });
    expect(failure.score).toBe(4);
    expect(withPath(failure.findings, 'infra/deploy.tf')).toContainEqual({
      rule: 'rollback-not-on-metrics', severity: 'low',
      path: 'infra/deploy.tf',
      line: 3,
      message: 'aws_codedeploy_deployment_group.api rolls back only on deployment failure: add DEPLOYMENT_STOP_ON_ALARM and CloudWatch alarms to roll back on metrics',
    });
    const none = await check({ 'infra/deploy.tf': lines('resource "aws_codedeploy_deployment_group" "api" {', '  app_name = "api"', '}') });
    expect(withPath(none.findings, 'infra/deploy.tf')[0]?.message).toBe(
      'aws_codedeploy_deployment_group.api has no automatic rollback (auto_rollback_configuration { enabled = true events = ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"] } with an alarm_configuration)',
    );
  });

  it('CloudFormation AutoRollbackConfiguration, CodePipeline OnFailure ROLLBACK and SAM DeploymentPreference with alarms', async () => {
    const cfn = lines(
      'Transform: AWS::Serverless-2016-10-31', //            1
      'Resources:', //                                       2
      '  Group:', //                                         3
      '    Type: AWS::CodeDeploy::DeploymentGroup', //       4
      '    Properties:', //                                  5
      '      ApplicationName: !Ref App', //                  6
      '      AutoRollbackConfiguration:', //                 7
      '        Enabled: true', //                            8
      '        Events: [DEPLOYMENT_FAILURE]', //             9
      '  Pipeline:', //                                      10
      '    Type: AWS::CodePipeline::Pipeline', //            11
      '    Properties:', //                                  12
      '      Stages:', //                                    13
      '        - Name: Deploy', //                           14
      '          OnFailure:', //                             15
      '            Result: ROLLBACK', //                     16
    );
    const r = await check({ 'template.yaml': cfn });
    expect(r.score).toBe(4);
    expect(part(r.summary, 0)).toBe('automated rollback: health-gated (CodeDeploy deployment group Group rolls back failed deployments, template.yaml:7)');
    const sam = lines(
      'Transform: AWS::Serverless-2016-10-31',
      'Resources:',
      '  Fn:',
      '    Type: AWS::Serverless::Function',
      '    Properties:',
      '      Handler: index.handler',
      '      AutoPublishAlias: live',
      '      DeploymentPreference:', // 8
      '        Type: Canary10Percent5Minutes',
      '        Alarms: [!Ref ErrorsAlarm]',
    );
    const s = await check({ 'template.yaml': sam });
    expect(part(s.summary, 0)).toBe('automated rollback: metric-gated (SAM function Fn gradual deployment rolls back on CloudWatch alarms, template.yaml:8)');
  });

  it('Terraform CodePipeline on_failure ROLLBACK is health-gated', async () => {
    const tf = lines('resource "aws_codepipeline" "api" {', '  stage {', '    name = "Deploy"', '    on_failure {', '      result = "ROLLBACK"', '    }', '  }', '}');
    const r = await check({ 'infra/pipeline.tf': tf });
    expect(part(r.summary, 0)).toBe('automated rollback: health-gated (aws_codepipeline.api rolls back a failed stage, infra/pipeline.tf:4)');
  });
});

describe('rollback-plan: scripted, manual and detection', () => {
  const undoWorkflow = lines(
    'name: deploy', //                                                 1
    'on:', //                                                          2
    '  push:', //                                                      3
    '    branches: [main]', //                                         4
    'jobs:', //                                                        5
    '  deploy:', //                                                    6
    '    runs-on: ubuntu-latest', //                                   7
    '    steps:', //                                                   8
    '      - run: kubectl -n web apply -f deploy/k8s/', //             9
    '      - name: Roll back on failure', //                           10
    '        if: ${{ failure() }}', //                                 11
    '        run: |', //                                               12
    '          kubectl -n web rollout undo deployment/web', //         13
  );

  it('kubectl rollout undo in an if: failure() step is scripted: 3.5 points (and 2 for the pipeline), at the command line', async () => {
    const r = await check({ '.github/workflows/deploy.yml': undoWorkflow });
    expect(part(r.summary, 0)).toBe('automated rollback: scripted (kubectl rollout undo when the deploy fails, in workflow job deploy, .github/workflows/deploy.yml:13)');
    expect(r.score).toBe(5.5);
    expect(r.findings[0]).toEqual({
      rule: 'rollback-not-on-metrics', severity: 'low',
      path: '.github/workflows/deploy.yml',
      line: 13,
      message: 'rollback is scripted (kubectl rollout undo when the deploy fails, in workflow job deploy): it runs when the deploy job fails, not when metrics degrade after a deploy that looked healthy',
    });
  });

  it('a rollback workflow started by hand is manual: 2 points', async () => {
    const manual = lines('name: rollback', 'on:', '  workflow_dispatch:', 'jobs:', '  rollback:', '    runs-on: ubuntu-latest', '    steps:', '      - run: helm -n web rollback web');
    const r = await check({ '.github/workflows/rollback.yml': manual });
    expect(part(r.summary, 0)).toBe('automated rollback: manual (helm rollback in workflow job rollback, not run automatically on failure, .github/workflows/rollback.yml:8)');
    expect(guards(r.summary)).toBe('no safeguards'); // the rollback workflow is not also a deploy pipeline
    expect(r.score).toBe(2);
  });

  it('GitLab CI: a when: on_failure job is scripted, a when: manual job is manual', async () => {
    const gitlab = lines(
      'stages: [deploy, rollback]', //                     1
      'deploy:', //                                        2
      '  stage: deploy', //                                3
      '  script:', //                                      4
      '    - kubectl apply -f k8s/', //                    5
      '    - !reference [.notify, script]', //             6
      'rollback:', //                                      7
      '  stage: rollback', //                              8
      '  when: on_failure', //                             9
      '  script:', //                                      10
      '    - kubectl rollout undo deployment/web', //      11
    );
    const r = await check({ '.gitlab-ci.yml': gitlab });
    expect(part(r.summary, 0)).toBe('automated rollback: scripted (kubectl rollout undo when the deploy fails, in GitLab CI job rollback, .gitlab-ci.yml:11)');
    const manual = await check({ '.gitlab-ci.yml': gitlab.replace('when: on_failure', 'when: manual') });
    expect(part(manual.summary, 0)).toBe('automated rollback: manual (kubectl rollout undo in GitLab CI job rollback, not run automatically on failure, .gitlab-ci.yml:11)');
  });

  it('Jenkinsfile post { failure { … } } and shell `|| rollback` are scripted', async () => {
    const jenkins = lines('pipeline {', '  stages { stage("Deploy") { steps { sh "kubectl apply -f k8s/" } } }', '  post {', '    failure {', '      sh "kubectl rollout undo deployment/web"', '    }', '  }', '}');
    const r = await check({ Jenkinsfile: jenkins });
    expect(part(r.summary, 0)).toBe('automated rollback: scripted (kubectl rollout undo when the deploy fails, in a Jenkinsfile, Jenkinsfile:5)');
    const sh = await check({ 'scripts/deploy.sh': lines('#!/bin/sh', 'kubectl apply -f k8s/', 'kubectl rollout status deployment/web --timeout=5m || kubectl rollout undo deployment/web') });
    expect(part(sh.summary, 0)).toBe('automated rollback: scripted (kubectl rollout undo when the deploy fails, in a script, scripts/deploy.sh:3)');
  });

  it('progressDeadlineSeconds alone only detects a stuck rollout: partial credit (1 point) and a finding', async () => {
    const deployment = lines('apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: api', 'spec:', '  replicas: 2', '  progressDeadlineSeconds: 600', '  template: {}');
    const r = await check({ 'k8s/deployment.yaml': deployment });
    expect(part(r.summary, 0)).toBe('no automated rollback');
    expect(guards(r.summary)).toBe('safeguards: detection (progressDeadlineSeconds on Deployment api, k8s/deployment.yaml:7)');
    expect(r.score).toBe(1);
    expect(r.findings[0]).toMatchObject({ rule: 'no-automated-rollback', severity: 'medium' });
    expect(r.findings[0]?.message).toContain('(found only: progressDeadlineSeconds on Deployment api)');
  });

  it('a kubectl rollout status step is detection; the best mechanism wins when there are several', async () => {
    const wait = lines('name: deploy', 'on: push', 'jobs:', '  d:', '    runs-on: ubuntu-latest', '    steps:', '      - run: kubectl rollout status deployment/web --timeout=10m');
    const r = await check({ '.github/workflows/deploy.yml': wait });
    expect(guards(r.summary)).toBe(
      'safeguards: redeploy (workflow "deploy" deploys from CI: a revert goes out the same way, .github/workflows/deploy.yml:4), detection (deploy waits for the rollout (rollout status) in workflow job d, .github/workflows/deploy.yml:7)',
    );
    expect(r.score).toBe(3);
    const both = await check({ '.github/workflows/deploy.yml': wait, 'deploy/rollout.yaml': ROLLOUT, 'deploy/analysis.yaml': ANALYSIS_OK });
    expect(part(both.summary, 0)).toMatch(/^automated rollback: metric-gated /);
    expect(both.score).toBe(10); // metric-gated 5, the canary's steps 2.5, the pipeline 2, the rollout wait 1 (safeguards capped at 5)
  });
});

describe('rollback-plan: written procedure', () => {
  it('a "Rolling back" section with numbered steps in DEPLOY.md is a procedure: 2.5 points', async () => {
    const r = await check({ 'DEPLOY.md': DEPLOY_DOC });
    expect(part(r.summary, 1)).toBe('rollback procedure "Rolling back" in DEPLOY.md');
    expect(r.score).toBe(2.5);
    expect(messages(r.findings)).not.toContain(NO_PROCEDURE);
    expect(withPath(r.findings, 'DEPLOY.md')).toEqual([]);
  });

  it('a fenced code block with the command counts as steps; subsections belong to the section', async () => {
    const doc = lines(
      '# Operations',
      '',
      '## Rollback',
      '',
      '### Helm',
      '',
      'Roll the release back to the previous revision and wait until every pod is ready again:',
      '',
      '```sh',
      'helm -n web rollback web 0 --wait --timeout 10m',
      '```',
      '',
      '## Scaling',
      '',
      'Scale with the HPA.',
    );
    const r = await check({ 'docs/runbooks/web.md': doc });
    expect(part(r.summary, 1)).toBe('rollback procedure "Rollback" in docs/runbooks/web.md');
  });

  it('a rollback heading without steps is a stub: 0.5 points and a finding at the heading', async () => {
    const doc = lines('# Release process', '', '## Rollback', '', 'Revert the merge commit and the pipeline will redeploy the previous version for you automatically.', '', '## Other');
    const r = await check({ 'RELEASE.md': doc });
    expect(r.score).toBe(0.5);
    expect(part(r.summary, 1)).toBe('rollback section "Rollback" in RELEASE.md without steps');
    expect(withPath(r.findings, 'RELEASE.md')).toEqual([
      { rule: 'rollback-procedure-incomplete', severity: 'medium', path: 'RELEASE.md', line: 3, message: 'rollback section "Rollback" has no steps: write them as a numbered list or a code block with the commands' },
    ]);
  });

  it('steps with too few words: a finding naming the count, and minProcedureWords can lower the bar', async () => {
    const doc = lines('## How to roll back', '', '1. `helm rollback web`', '2. Check the dashboard.');
    const r = await check({ 'docs/rollback.md': doc });
    expect(withPath(r.findings, 'docs/rollback.md')).toEqual([
      { rule: 'rollback-procedure-incomplete', severity: 'low', path: 'docs/rollback.md', line: 3, message: 'the rollback command (helm rollback) is written down, but not as a procedure: give it a "Rollback" section with steps' },
      {
        rule: 'rollback-procedure-incomplete', severity: 'medium',
        path: 'docs/rollback.md',
        line: 1,
        message: 'rollback section "How to roll back" has only 6 words (at least 20 expected): say what to run, how to tell it worked, and what cannot be undone',
      },
    ]);
    expect(r.score).toBe(1.5); // the helm rollback command is written down: better than the stub
    const lenient = await check({ 'docs/rollback.md': doc }, { options: { minProcedureWords: 5 } });
    expect(part(lenient.summary, 1)).toBe('rollback procedure "How to roll back" in docs/rollback.md');
    expect(lenient.score).toBe(2.5);
  });

  it('a rollback command in a runbook mitigation section is written down but not a procedure: 1.5 points', async () => {
    const runbook = lines('# API runbook', '', '## Mitigation', '', '- If a deploy is the cause, run `kubectl -n web rollout undo deployment/web`.', '- Otherwise page the database team.');
    const r = await check({ 'RUNBOOK.md': runbook });
    expect(r.score).toBe(1.5);
    expect(part(r.summary, 1)).toBe('rollback command (kubectl rollout undo) in RUNBOOK.md, no procedure');
    expect(r.findings).toContainEqual({
      rule: 'rollback-procedure-incomplete', severity: 'low',
      path: 'RUNBOOK.md',
      line: 5,
      message: 'the rollback command (kubectl rollout undo) is written down, but not as a procedure: give it a "Rollback" section with steps',
    });
  });

  it('reStructuredText and AsciiDoc procedures are read', async () => {
    const rst = lines('Deploying', '=========', '', 'Rolling back', '------------', '', '#. Find the previous release in the deploy channel history.', '#. Run the deploy job again with that version as the image tag.', '#. Confirm the error rate recovered.');
    const adoc = lines('= Operations', '', '== Rollback', '', '. Open the pipeline of the last good commit on main.', '. Press "Re-run" on its deploy job and wait for it to finish green.', '. Check the health endpoint.');
    expect(part((await check({ 'docs/deploy.rst': rst })).summary, 1)).toBe('rollback procedure "Rolling back" in docs/deploy.rst');
    const a = await check({ 'docs/operations/guide.adoc': adoc });
    expect(part(a.summary, 1)).toBe('rollback procedure "Rollback" in docs/operations/guide.adoc');
  });

  it('templates, vendored docs and HTML comments are not procedures', async () => {
    const commented = lines('# Deploy', '', '<!--', '## Rollback', '', '1. helm rollback web', '2. check the dashboards for errors after the rollback finishes', '-->');
    const r = await check({ 'docs/runbooks/_template.md': DEPLOY_DOC, 'vendor/lib/DEPLOY.md': DEPLOY_DOC, 'DEPLOY.md': commented });
    expect(part(r.summary, 1)).toBe('no written rollback procedure');
    expect(r.score).toBe(0);
  });
});

describe('rollback-plan: pull requests', () => {
  const pr = (number: number, body: string, daysAgo: number, author = 'dev'): PullRequest => ({
    number,
    title: `change ${number}`,
    state: 'merged',
    body,
    mergedAt: new Date(NOW.getTime() - daysAgo * 86_400_000).toISOString(),
    createdAt: new Date(NOW.getTime() - (daysAgo + 1) * 86_400_000).toISOString(),
    author,
    files: ['src/app.ts'],
    url: `https://github.com/acme/svc/pull/${number}`,
  });
  const body = (rollback: string) => lines('## What does this change?', '', 'Adds the refunds endpoint.', '', '## Rollback plan', '', rollback, '', '## Checklist', '', '- [x] Tests added');
  const FILLED = body('Revert the PR; the migration is additive, so the old code keeps working with the new column.');

  it('spreading a snapshot keeps read working, and pull requests are judged', async () => {
    const prs = [pr(1, FILLED, 2), pr(2, FILLED, 5), pr(3, body('N/A'), 7), pr(4, body('<!-- How do we undo this if it goes wrong after deploy? -->'), 9)];
    const r = await check({ '.github/pull_request_template.md': TEMPLATE_OK }, { pullRequests: prs });
    expect(r.snapshot.read('.github/pull_request_template.md').ok).toBe(true);
    expect(part(r.summary, 2)).toBe('1/1 pull request template asks for a rollback plan'); // read through the spread snapshot
    expect(part(r.summary, 3)).toBe('rollback plan filled in 2/4 recent pull requests');
    expect(r.score).toBe(2.3); // template 1.5 + practice 1.5 × 2/4
    expect(r.findings.filter((f) => f.path === undefined && f.severity !== 'high' && !f.message.startsWith('no '))).toEqual([
      { rule: 'prs-without-rollback-plan', severity: 'medium', message: 'only 2 of 4 pull requests merged in the last 90 days say how to roll back (50%, expected at least 80%)' },
      { rule: 'prs-without-rollback-plan', severity: 'low', message: `pull request #3 "change 3" (merged ${pr(3, '', 7).mergedAt!.slice(0, 10)}) answered the rollback section with only "N/A": https://github.com/acme/svc/pull/3` },
      { rule: 'prs-without-rollback-plan', severity: 'low', message: `pull request #4 "change 4" (merged ${pr(4, '', 9).mergedAt!.slice(0, 10)}) left the rollback section empty: https://github.com/acme/svc/pull/4` },
    ]);
  });

  it.each([
    ['none.', false, 'answered the rollback section with only "none."'],
    ['TBD', false, 'answered the rollback section with only "TBD"'],
    ['**Revert**', false, 'answered the rollback section with only "**Revert**"'],
    ['- [ ] Safe to revert', false, 'left every rollback checklist item unticked'],
    ['- [x] Safe to revert: no migration, no external calls', true, ''],
    ['`helm -n web rollback web`', true, ''],
    ['N/A: docs-only change, nothing is deployed', true, ''],
  ])('a rollback section answered with %j: filled = %s', async (answer, filled, why) => {
    const r = await check({}, { pullRequests: [pr(1, FILLED, 1), pr(2, FILLED, 2), pr(3, body(answer), 3)] });
    expect(part(r.summary, 3)).toBe(`rollback plan filled in ${filled ? 3 : 2}/3 recent pull requests`);
    if (!filled) expect(messages(r.findings).some((m) => m.startsWith('pull request #3 ') && m.includes(why))).toBe(true);
  });

  it("a template's plain-text prompt left unchanged is not an answer; no section at all is reported", async () => {
    const template = lines('## Summary', '', '## Rollback plan', '', 'Describe how to undo this change and what cannot be undone.');
    const prs = [pr(1, FILLED, 1), pr(2, body('Describe how to undo this change and what cannot be undone.'), 2), pr(3, 'Bumps the logger.', 3)];
    const r = await check({ '.github/pull_request_template.md': template }, { pullRequests: prs });
    expect(part(r.summary, 3)).toBe('rollback plan filled in 1/3 recent pull requests');
    expect(messages(r.findings)).toContain(`pull request #2 "change 2" (merged ${prs[1]!.mergedAt!.slice(0, 10)}) left the template's rollback prompt unchanged: https://github.com/acme/svc/pull/2`);
    expect(messages(r.findings)).toContain(`pull request #3 "change 3" (merged ${prs[2]!.mergedAt!.slice(0, 10)}) has no rollback section: https://github.com/acme/svc/pull/3`);
  });

  it('only merged pull requests inside the window count, newest first, at most maxPullRequests; bots are left out', async () => {
    const prs = [
      pr(1, FILLED, 1),
      pr(2, body('n/a'), 100), // outside the 90-day window
      { ...pr(3, body('n/a'), 3), state: 'closed' as const, mergedAt: null }, // never merged
      pr(4, body('none'), 4, 'renovate[bot]'),
      pr(5, FILLED, 5),
      pr(6, body('TBD'), 6),
      pr(7, body('TBD'), -1), // merged after the crawl's reference time
    ];
    const r = await check({}, { pullRequests: prs });
    expect(part(r.summary, 3)).toBe('rollback plan filled in 2/3 recent pull requests');
    const capped = await check({}, { pullRequests: prs, options: { maxPullRequests: 2 } }); // the 2 newest; 3 needed is capped at 2
    expect(part(capped.summary, 3)).toBe('rollback plan filled in 2/2 recent pull requests');
    const withBots = await check({}, { pullRequests: prs, options: { ignoreBotPullRequests: false } });
    expect(part(withBots.summary, 3)).toBe('rollback plan filled in 2/4 recent pull requests');
    const wide = await check({}, { pullRequests: prs, options: { windowDays: 120 } });
    expect(part(wide.summary, 3)).toBe('rollback plan filled in 2/4 recent pull requests');
  });

  it('too few recent pull requests: practice is not judged; judged and never filled, it earns nothing', async () => {
    const r = await check({ '.github/pull_request_template.md': TEMPLATE_OK }, { pullRequests: [pr(1, body('n/a'), 1), pr(2, FILLED, 200)] });
    expect(part(r.summary, 3)).toBe('1 pull request merged in the last 90 days, fewer than the 3 needed to judge');
    expect(r.score).toBe(1.5);
    const one = await check({ '.github/pull_request_template.md': TEMPLATE_OK }, { pullRequests: [pr(1, body('n/a'), 1)], options: { minPullRequests: 1 } });
    expect(part(one.summary, 3)).toBe('rollback plan filled in 0/1 recent pull requests');
    expect(one.score).toBe(1.5); // template 1.5 + practice 0
  });

  it('more than ten unfilled pull requests are listed ten at a time, with a count of the rest', async () => {
    const prs = Array.from({ length: 14 }, (_, i) => pr(i + 1, body('n/a'), i + 1));
    const r = await check({}, { pullRequests: prs });
    const listed = r.findings.filter((f) => f.message.startsWith('pull request #'));
    expect(listed).toHaveLength(10);
    expect(listed[0]!.message).toMatch(/^pull request #1 /);
    expect(messages(r.findings)).toContain('…and 4 more pull requests without a rollback plan');
  });
});

describe('rollback-plan: unreadable and hostile files', () => {
  it('malformed YAML in a deploy manifest is a finding with its line; the rest of the repository is still judged', async () => {
    const broken = lines('apiVersion: argoproj.io/v1alpha1', 'kind: Rollout', 'metadata:', '  name: web', ' spec: [unclosed');
    const r = await check({ 'deploy/rollout.yaml': broken, '.github/workflows/deploy.yml': helmWorkflow('--atomic'), 'config/app.yaml': 'key: [unclosed\n' });
    const f = withPath(r.findings, 'deploy/rollout.yaml');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'medium', path: 'deploy/rollout.yaml' });
    expect(f[0]!.line).toBe(5);
    expect(f[0]!.message).toMatch(/^malformed YAML, deploy configuration in this document cannot be read: \S/);
    expect(r.score).toBe(6); // helm --atomic 4 and the deploy pipeline 2
    // Broken YAML that is not deploy configuration is not this check's business.
    expect(withPath(r.findings, 'config/app.yaml')).toEqual([]);
  });

  it('a broken document does not hide the next one in the same file', async () => {
    const r = await check({ 'deploy/all.yaml': 'kind: Rollout\nspec: [unclosed\n---\n' + ROLLOUT + '---\n' + ANALYSIS_OK });
    expect(r.score).toBe(7.5);
    // The parser notices the unclosed flow sequence where the document ends, at the separator.
    expect(withPath(r.findings, 'deploy/all.yaml').map((f) => f.line)).toEqual([3]);
  });

  it('a malformed workflow is still read as text: helm --atomic counts', async () => {
    const broken = helmWorkflow('--atomic').replace('    runs-on: ubuntu-latest\n', '    runs-on: [ubuntu-latest\n');
    const r = await check({ '.github/workflows/deploy.yml': broken });
    expect(withPath(r.findings, '.github/workflows/deploy.yml').filter((f) => f.message.startsWith('malformed YAML')).map((f) => [f.severity, f.line])).toEqual([['medium', 8]]); // where the parser notices the unclosed [ of line 7
    expect(part(r.summary, 0)).toBe('automated rollback: health-gated (helm --atomic in a CI file read as text, .github/workflows/deploy.yml:13)');
  });

  it('YAML nested too deeply is reported, not a crash', async () => {
    const deep = 'kind: Rollout\nspec: ' + '['.repeat(5000) + ']'.repeat(5000) + '\n';
    const r = await check({ 'deploy/deep.yaml': deep, 'DEPLOY.md': DEPLOY_DOC });
    expect(withPath(r.findings, 'deploy/deep.yaml')).toEqual([
      { rule: 'unparsable-deploy-config', severity: 'medium', path: 'deploy/deep.yaml', line: expect.any(Number) as number, message: 'YAML nested too deeply to read: deploy configuration in this document cannot be read' },
    ]);
    expect(r.score).toBe(2.5);
  });

  it('Terraform nested too deeply is reported, not a crash', async () => {
    const deep = 'resource "aws_ecs_service" "x" {\n' + 'a {\n'.repeat(200) + '}\n'.repeat(201);
    const r = await check({ 'infra/deep.tf': deep });
    expect(withPath(r.findings, 'infra/deep.tf')).toEqual([{ rule: 'unparsable-deploy-config', severity: 'medium', path: 'infra/deep.tf', line: 65, message: 'Terraform nesting deeper than 64 levels: this file was not read' }]);
  });

  it('a binary or too-large deploy file is reported as unreadable', async () => {
    const binary = new Uint8Array([0x00, 0x01, 0x02, 0x03, 0x6b, 0x69, 0x6e, 0x64]);
    const r = await check({ 'deploy/rollout.yaml': binary, '.github/workflows/deploy.yml': helmWorkflow('--atomic') + '#'.repeat(200) + '\n' }, { maxFileBytes: 300 });
    expect(withPath(r.findings, 'deploy/rollout.yaml')).toEqual([{ rule: 'unreadable-file', severity: 'low', path: 'deploy/rollout.yaml', message: 'could not read this file (binary)' }]);
    expect(withPath(r.findings, '.github/workflows/deploy.yml')[0]?.message).toMatch(/^could not read this file \(too-large: \d+ bytes, limit 300\)$/);
  });

  it('aliases that expand without end are refused with a finding', async () => {
    const bomb = lines('kind: Rollout', 'a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]', 'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]');
    const r = await check({ 'deploy/bomb.yaml': bomb });
    expect(withPath(r.findings, 'deploy/bomb.yaml')[0]?.message).toMatch(/^YAML could not be evaluated \(.+\); its deploy configuration was not read$/);
  });
});

describe('rollback-plan: applicability, options and the whole score', () => {
  it.each(['library', 'other'] as const)('is not applicable to a %s (score null, no findings)', async (kind) => {
    const r = await check({ 'DEPLOY.md': DEPLOY_DOC }, { kind });
    expect(r.status).toBe('not-applicable');
    expect(r.score).toBeNull();
    expect(r.findings).toEqual([]);
    expect(r.summary).toBe(`This repository's kind is ${kind} (detected): nothing is deployed from it, so there is nothing to roll back.`);
  });

  it('applies to infrastructure repositories', async () => {
    const r = await check({ 'DEPLOY.md': DEPLOY_DOC }, { kind: 'infrastructure' });
    expect(r.score).toBe(2.5);
  });

  it('a complete repository scores 10, passes, and says why in the summary', async () => {
    const r = await check({
      'deploy/rollout.yaml': ROLLOUT,
      'deploy/analysis.yaml': ANALYSIS_OK,
      '.github/workflows/deploy.yml': helmWorkflow('--atomic'),
      'DEPLOY.md': DEPLOY_DOC,
      '.github/pull_request_template.md': TEMPLATE_OK,
    });
    expect(r.score).toBe(10);
    expect(r.status).toBe('pass');
    expect(r.findings).toEqual([]);
    expect(r.summary).toBe(
      'automated rollback: metric-gated (Argo Rollout web with analysis success-rate, deploy/rollout.yaml:9); safeguards: gated-rollout (Argo Rollout web with analysis success-rate: traffic moves step by step, deploy/rollout.yaml:9), redeploy (workflow "deploy" deploys from CI: a revert goes out the same way, .github/workflows/deploy.yml:6); rollback procedure "Rolling back" in DEPLOY.md; 1/1 pull request template asks for a rollback plan; pull requests are not available from this source',
    );
  });

  it.each([
    // [what, files, score, status]
    // helm --atomic in a deploy workflow: 4 for the rollback and 2 for the pipeline that redeploys.
    ['helm --atomic + procedure + template', { '.github/workflows/deploy.yml': helmWorkflow('--atomic'), 'DEPLOY.md': DEPLOY_DOC, '.github/pull_request_template.md': TEMPLATE_OK }, 10, 'pass'],
    ['Argo analysis + template', { 'deploy/rollout.yaml': ROLLOUT, 'deploy/analysis.yaml': ANALYSIS_OK, '.github/pull_request_template.md': TEMPLATE_OK }, 9, 'pass'],
    ['helm --atomic + template', { '.github/workflows/deploy.yml': helmWorkflow('--atomic'), '.github/pull_request_template.md': TEMPLATE_OK }, 7.5, 'pass'],
    ['procedure + template', { 'DEPLOY.md': DEPLOY_DOC, '.github/pull_request_template.md': TEMPLATE_OK }, 4, 'fail'],
    ['progress deadline + procedure', { 'k8s/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  progressDeadlineSeconds: 300\n', 'DEPLOY.md': DEPLOY_DOC }, 3.5, 'fail'],
  ] as const)('%s', async (_, files, score, status) => {
    const r = await check({ ...files });
    expect(r.score).toBe(score);
    expect(r.status).toBe(status);
  });

  it('passAt and warnAt move the status, not the score', async () => {
    const files = { '.github/workflows/deploy.yml': helmWorkflow('--atomic'), '.github/pull_request_template.md': TEMPLATE_OK };
    const strict = await check(files, { options: { passAt: 9, warnAt: 8 } });
    expect(strict.score).toBe(7.5);
    expect(strict.status).toBe('fail');
    const lenient = await check({ 'DEPLOY.md': DEPLOY_DOC, '.github/pull_request_template.md': TEMPLATE_OK }, { options: { warnAt: 4 } });
    expect(lenient.score).toBe(4);
    expect(lenient.status).toBe('warn');
  });

  it('options are strict and bounded, with the documented defaults', () => {
    expect(rollbackPlan.meta.options.parse({})).toEqual({
      passAt: 7.5,
      warnAt: 5,
      windowDays: 90,
      maxPullRequests: 50,
      minPullRequests: 3,
      minFilledShare: 0.8,
      minProcedureWords: 20,
      minPromptWords: 3,
      ignoreBotPullRequests: true,
    });
    expect(() => rollbackPlan.meta.options.parse({ passAt: 11 })).toThrow();
    expect(() => rollbackPlan.meta.options.parse({ minFilledShare: 80 })).toThrow();
    expect(() => rollbackPlan.meta.options.parse({ windowDays: 1.5 })).toThrow();
    expect(() => rollbackPlan.meta.options.parse({ windowdays: 90 })).toThrow();
  });
});

// ---------------------------------------------------------------------------------------------
// Review findings: the hostile inputs (at the sizes that took seconds to minutes before the
// patterns were made linear) judged correctly, and evidence that earned credit it should not.
// These tests assert judgements only; timing lives in bench/hostile-rollback-plan.ts.

describe('rollback-plan: hostile inputs are judged, not hung on', () => {
  const hostile = (name: string): Record<string, string> => {
    const found = rollbackPlanCases().find((c) => c.name.includes(name));
    if (!found) throw new Error(`no bench case ${name}`);
    return found.files;
  };

  it('a 569-character helm line with 26 flags and no deploy verb is nothing; the same flags before upgrade, rollback or in a document still count', async () => {
    expect(HELM_TEMPLATE_LINE).toHaveLength(569);
    const render = await check(hostile('569-char helm template line'));
    expect(part(render.summary, 0)).toBe('no automated rollback');
    expect(withPath(render.findings, 'scripts/render.sh')).toEqual([]);
    const flags = HELM_TEMPLATE_LINE.slice('helm '.length, -' template ./chart'.length);
    const upgrade = await check({ 'scripts/deploy.sh': `helm ${flags} upgrade --install web ./chart --atomic\n` });
    expect(part(upgrade.summary, 0)).toBe('automated rollback: health-gated (helm --atomic in a script, scripts/deploy.sh:1)');
    const rollback = await check({ 'scripts/rollback.sh': `helm ${flags} rollback web\n` });
    expect(part(rollback.summary, 0)).toBe('automated rollback: manual (helm rollback in a script, not run automatically on failure, scripts/rollback.sh:1)');
    const doc = await check({ 'DEPLOY.md': `# Deploy\n\nTo undo: \`helm ${flags} rollback web\`.\n` });
    expect(part(doc.summary, 1)).toBe('rollback command (helm rollback) in DEPLOY.md, no procedure');
  });

  it('helm followed by 28 × " --a" is no command, in a script or a document', async () => {
    const r = await check({ ...hostile('(deploy.sh)'), ...hostile('in a document line') });
    expect(r.score).toBe(0);
    expect(r.summary).toBe('no automated rollback; no safeguards; no written rollback procedure; no pull request template; pull requests are not available from this source');
    const upgrade = await check({ 'deploy.sh': `helm${' --a'.repeat(28)} upgrade web ./chart --atomic\n` });
    expect(part(upgrade.summary, 0)).toBe('automated rollback: health-gated (helm --atomic in a script, deploy.sh:1)');
  });

  it('100k "{{" with no "}}" is not a Helm template; YAML nested that deep is reported, not parsed', async () => {
    const r = await check(hostile('100k "{{"'));
    expect(r.status).toBe('fail');
    expect(r.score).toBe(0);
    expect(withPath(r.findings, 'deploy/values.yaml')).toEqual([
      { rule: 'unparsable-deploy-config', severity: 'medium', path: 'deploy/values.yaml', line: 1, message: 'YAML nested too deeply to read: deploy configuration in this document cannot be read' },
    ]);
  });

  it('a Helm template with a line of 100k "{" is refused as nested too deeply, at that line; a line of "{{ x }}" actions is read', async () => {
    const r = await check(hostile('one line of 100k "{"'));
    expect(r.score).toBe(0);
    expect(withPath(r.findings, 'chart/templates/deployment.yaml')).toEqual([
      { rule: 'unparsable-deploy-config', severity: 'medium', path: 'chart/templates/deployment.yaml', line: 3, message: 'YAML nested too deeply to read: deploy configuration in this document cannot be read' },
    ]);
    const actions = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${'{{ .Values.name }}'.repeat(5_000)}\nspec:\n  progressDeadlineSeconds: 600\n`;
    const read = await check({ 'chart/templates/deployment.yaml': actions });
    expect(guards(read.summary)).toBe('safeguards: detection (progressDeadlineSeconds on Deployment (templated name), chart/templates/deployment.yaml:6)');
  });

  it('"**a**" + 100k spaces + "x" is text, not a bold heading, in a document, a template and a pull request', async () => {
    const files = hostile('"**a**" + 100k spaces');
    const body = files['.github/pull_request_template.md']!.replace('<!-- How is this undone? What cannot be undone? -->', 'Revert the PR; the schema change is additive so the old code still runs.');
    const prs: PullRequest[] = [1, 2, 3].map((n) => ({ number: n, title: `pr ${n}`, body, state: 'merged' as const, mergedAt: '2026-11-01T00:00:00Z', createdAt: '2026-10-30T00:00:00Z', author: 'dev', files: [] }));
    const r = await check(files, { pullRequests: prs });
    expect(part(r.summary, 1)).toBe('no written rollback procedure');
    expect(part(r.summary, 2)).toBe('1/1 pull request template asks for a rollback plan');
    expect(part(r.summary, 3)).toBe('rollback plan filled in 3/3 recent pull requests');
    // The same run of spaces after a real bold heading or label keeps it a heading.
    const md = parseMarkdown(`**Rollback plan**${' '.repeat(100_000)}\n**Rollback:**${' '.repeat(100_000)}x\u2028\nRollback:${' '.repeat(100_000)}x\n`, { isLabel: (l) => /rollback/i.test(l) });
    expect(md.filter((l) => l.kind === 'heading').map((l) => [l.line, l.heading])).toEqual([
      [1, 'Rollback plan'],
      [3, 'Rollback'],
    ]);
  });

  it('a Helm template with 100k blank lines is read to the Rollout at its end', async () => {
    const r = await check(hostile('100k newlines'));
    expect(guards(r.summary)).toBe('safeguards: gated-rollout (Argo Rollout (unnamed) without analysis (someone must abort it), chart/templates/rollout.yaml:100002)');
    expect(r.score).toBe(2.5);
  });

  it('6,250 × "kubectl " on one line is no command; a kubectl rollout undo after 200 of them in a document still is', async () => {
    const r = await check({ ...hostile('one document line'), ...hostile('one script line') });
    expect(part(r.summary, 0)).toBe('no automated rollback');
    expect(part(r.summary, 1)).toBe('rollback section "Rollback" in docs/runbooks/rollback.md without steps');
    const doc = await check({ 'RUNBOOK.md': `# Runbook\n\n${'kubectl '.repeat(200)}rollout undo deployment/web\n` });
    expect(part(doc.summary, 1)).toBe('rollback command (kubectl rollout undo) in RUNBOOK.md, no procedure');
  });

  it('an unterminated /* in a Jenkinsfile comments out the rest; 50k quotes and || on one line are no command', async () => {
    const r = await check({ ...hostile('"/*" in a Jenkinsfile'), ...hostile('50k quotes') });
    expect(part(r.summary, 0)).toBe('no automated rollback');
  });
});

describe('rollback-plan: no credit for commands that never run', () => {
  const script = (line: string) => ({ 'scripts/deploy.sh': lines('#!/bin/sh', 'set -eu', line) });

  it.each([
    ['a trailing comment', 'helm lint ./chart # helm upgrade --install web ./chart --atomic'],
    ['echo with double quotes', 'echo "helm upgrade --install web ./chart --atomic"'],
    ['echo with single quotes', "echo 'next: helm upgrade --install web ./chart --atomic'"],
    ['printf', 'printf "%s\\n" "helm upgrade --install web ./chart --atomic"'],
    ['--dry-run', 'helm upgrade --install web ./chart --atomic --dry-run'],
    ['--dry-run=server', 'helm upgrade --install web ./chart --atomic --dry-run=server'],
    ['--help', 'helm upgrade --atomic --help'],
    ['helm diff', 'helm diff upgrade web ./chart --atomic'],
  ])('helm --atomic in %s earns nothing', async (_, line) => {
    const r = await check(script(line));
    expect(part(r.summary, 0)).toBe('no automated rollback');
    expect(r.score).toBe(0);
  });

  it.each([
    ['sh -c', 'sh -c "helm upgrade --install web ./chart --atomic"'],
    ['sudo and env', 'sudo -u deploy env KUBECONFIG=/etc/kube helm upgrade --install web ./chart --atomic'],
    ['if … then', 'if helm upgrade --install web ./chart --atomic; then echo ok; fi'],
    ['--dry-run=false', 'helm upgrade --install web ./chart --atomic --dry-run=false'],
    ['after a quoted hash', 'echo "#1" && helm upgrade --install web ./chart --atomic'],
  ])('helm --atomic run through %s still counts', async (_, line) => {
    const r = await check(script(line));
    expect(part(r.summary, 0)).toBe('automated rollback: health-gated (helm --atomic in a script, scripts/deploy.sh:3)');
  });

  it('a Jenkinsfile runs the quoted scripts of sh steps, not of echo; a /* … */ block comment runs nothing', async () => {
    const jenkins = lines(
      'pipeline {', //                                                         1
      '  stages { stage("Deploy") { steps {', //                               2
      "    sh 'rm -rf build/*'", //                                            3  (no comment opens inside a string)
      '    sh(script: "helm upgrade --install web ./chart --atomic", label: "deploy")', // 4
      '    echo "helm rollback web if this fails"', //                        5
      '  } } }', //                                                            6
      '  post {', //                                                           7
      '    failure {', //                                                      8
      '      /*', //                                                           9
      '      sh "helm rollback web"', //                                       10
      '      */', //                                                           11
      "      sh 'kubectl rollout undo deployment/web' // undo", //             12
      '    }', //                                                              13
      '  }', //                                                                14
      '}', //                                                                  15
    );
    const r = await check({ Jenkinsfile: jenkins });
    expect(part(r.summary, 0)).toBe('automated rollback: health-gated (helm --atomic in a Jenkinsfile, Jenkinsfile:4)');
    const onlyComment = await check({ Jenkinsfile: jenkins.replace("      sh 'kubectl rollout undo deployment/web' // undo\n", '') .replace('    sh(script: "helm upgrade --install web ./chart --atomic", label: "deploy")\n', '') });
    expect(part(onlyComment.summary, 0)).toBe('no automated rollback');
    const undo = await check({ Jenkinsfile: jenkins.replace('    sh(script: "helm upgrade --install web ./chart --atomic", label: "deploy")\n', '') });
    expect(part(undo.summary, 0)).toBe('automated rollback: scripted (kubectl rollout undo when the deploy fails, in a Jenkinsfile, Jenkinsfile:11)');
  });

  it('`cmd || echo "run kubectl rollout undo"` is no rollback; `cmd || { …; kubectl rollout undo …; }` and `trap` are scripted', async () => {
    const echo = await check(script('kubectl apply -f k8s/ || echo "deploy failed: run kubectl rollout undo deployment/web"'));
    expect(part(echo.summary, 0)).toBe('no automated rollback');
    const group = await check(script('kubectl apply -f k8s/ || { echo "deploy failed" >&2; kubectl rollout undo deployment/web; exit 1; }'));
    expect(part(group.summary, 0)).toBe('automated rollback: scripted (kubectl rollout undo when the deploy fails, in a script, scripts/deploy.sh:3)');
    const trap = await check(script("trap 'helm rollback web' ERR"));
    expect(part(trap.summary, 0)).toBe('automated rollback: scripted (helm rollback when the deploy fails, in a script, scripts/deploy.sh:3)');
    const after = await check(script('kubectl apply -f k8s/ || exit 1; kubectl rollout undo deployment/web'));
    expect(part(after.summary, 0)).toBe('automated rollback: manual (kubectl rollout undo in a script, not run automatically on failure, scripts/deploy.sh:3)');
  });

  it('a workflow job or step with if: false never runs', async () => {
    const job = helmWorkflow('--atomic').replace('    runs-on: ubuntu-latest\n', '    if: false\n    runs-on: ubuntu-latest\n');
    expect(part((await check({ '.github/workflows/deploy.yml': job })).summary, 0)).toBe('no automated rollback');
    const step = helmWorkflow('--atomic').replace('      - name: Deploy\n', '      - name: Deploy\n        if: ${{ false }}\n');
    expect(part((await check({ '.github/workflows/deploy.yml': step })).summary, 0)).toBe('no automated rollback');
    const quoted = lines('on: push', 'jobs:', '  d:', '    runs-on: ubuntu-latest', '    steps:', '      - name: "helm upgrade --install web ./chart --atomic"', '        run: "helm upgrade --install web ./chart --atomic"');
    expect(part((await check({ '.github/workflows/deploy.yml': quoted })).summary, 0)).toBe('automated rollback: health-gated (helm --atomic in workflow job d, .github/workflows/deploy.yml:7)');
    const never = lines('deploy:', '  when: never', '  script:', '    - helm upgrade --install web ./chart --atomic');
    expect(part((await check({ '.gitlab-ci.yml': never })).summary, 0)).toBe('no automated rollback');
  });

  it('CI YAML read as text: only command keys hold commands', async () => {
    const circle = lines('version: 2.1', 'jobs:', '  deploy:', '    steps:', '      - run:', '          name: helm upgrade --install web ./chart --atomic', '          command: echo "helm upgrade --atomic"', '      - run: "helm upgrade --install web ./chart --atomic"');
    const r = await check({ '.circleci/config.yml': circle });
    expect(part(r.summary, 0)).toBe('automated rollback: health-gated (helm --atomic in a CI file, .circleci/config.yml:8)');
    const none = await check({ '.circleci/config.yml': circle.replace('      - run: "helm upgrade --install web ./chart --atomic"\n', '') });
    expect(part(none.summary, 0)).toBe('no automated rollback');
  });
});

describe('rollback-plan: no metric gate that cannot fail or cannot be verified', () => {
  it.each([
    ['failureLimit: 1 with no count and no interval (one measurement)', ['failureLimit: 1', 'successCondition: result[0] >= 0.99'], 'metric success-rate is measured once (no count or interval) and allows 1 failure, so it can never fail'],
    ['a dryRun pattern success.*', ['interval: 1m', 'successCondition: result[0] >= 0.99'], 'metric success-rate runs in dryRun (metricName "success.*" matches it)'],
    ['a dryRun pattern that matches part of the name', ['interval: 1m', 'successCondition: result[0] >= 0.99'], 'metric success-rate runs in dryRun (metricName "rate" matches it)'],
    ['a dryRun pattern this check cannot evaluate', ['interval: 1m', 'successCondition: result[0] >= 0.99'], 'metric success-rate may run in dryRun (metricName "(?i)SUCCESS" is a regular expression this check cannot evaluate)'],
  ])('an AnalysisTemplate with %s can never fail', async (what, metric, why) => {
    const pattern = what.includes('success.*') ? 'success.*' : what.includes('part of') ? 'rate' : what.includes('cannot evaluate') ? '(?i)SUCCESS' : undefined;
    const template = pattern ? analysisTemplate(metric).replace('spec:\n', `spec:\n  dryRun:\n    - metricName: ${JSON.stringify(pattern)}\n`) : analysisTemplate(metric);
    const r = await check({ 'deploy/rollout.yaml': ROLLOUT, 'deploy/analysis.yaml': template });
    expect(r.score).toBe(2.5); // a gated rollout, not a metric-gated rollback
    expect(withPath(r.findings, 'deploy/analysis.yaml')[0]?.message).toContain(`(${why})`);
  });

  it.each([
    ['an interval and no count (measures until the rollout ends)', ['interval: 1m', 'failureLimit: 1', 'successCondition: result[0] >= 0.99']],
    ['no count, no interval, no failureLimit (the one measurement may fail)', ['successCondition: result[0] >= 0.99']],
    ['a dryRun pattern for another metric', ['interval: 1m', 'successCondition: result[0] >= 0.99']],
  ])('an AnalysisTemplate with %s can fail', async (what, metric) => {
    const template = what.includes('another') ? analysisTemplate(metric).replace('spec:\n', 'spec:\n  dryRun:\n    - metricName: ^latency$\n') : analysisTemplate(metric);
    const r = await check({ 'deploy/rollout.yaml': ROLLOUT, 'deploy/analysis.yaml': template });
    expect(r.score).toBe(7.5);
  });

  it('deleting a broken ClusterAnalysisTemplate does not raise the score', async () => {
    const rollout = ROLLOUT.replace('          - templateName: success-rate\n', '          - templateName: success-rate\n            clusterScope: true\n');
    const broken = analysisTemplate(['failureLimit: 1', 'successCondition: result[0] >= 0.99']).replace('kind: AnalysisTemplate', 'kind: ClusterAnalysisTemplate');
    const withBroken = await check({ 'deploy/rollout.yaml': rollout, 'platform/analysis.yaml': broken });
    const deleted = await check({ 'deploy/rollout.yaml': rollout });
    expect(withBroken.score).toBe(2.5);
    expect(deleted.score).toBe(2.5);
    const working = await check({ 'deploy/rollout.yaml': rollout, 'platform/analysis.yaml': ANALYSIS_OK.replace('kind: AnalysisTemplate', 'kind: ClusterAnalysisTemplate') });
    expect(working.score).toBe(7.5);
  });

  const ecsAlarms = (names: string) =>
    lines('resource "aws_ecs_service" "api" {', '  alarms {', `    alarm_names = ${names}`, '    enable      = true', '    rollback    = true', '  }', '}');

  it.each([
    ['[ ]', 'rollback-not-on-metrics', 'medium', 'aws_ecs_service.api: alarms { alarm_names } is empty, so no alarm can roll back a deployment'],
    ['var.alarm_names', 'unverifiable-setting', 'low', 'aws_ecs_service.api: alarm_names is the expression var.alarm_names, not a literal list, so whether any alarm can roll back cannot be verified; not counted as metric-gated'],
    ['[for a in aws_cloudwatch_metric_alarm.api : a.alarm_name]', 'unverifiable-setting', 'low', 'aws_ecs_service.api: alarm_names is the expression [for a in aws_cloudwatch_metric_alarm.api : a.alarm_name], not a literal list, so whether any alarm can roll back cannot be verified; not counted as metric-gated'],
  ])('Terraform ECS alarm_names = %s is not metric-gated: a finding says why', async (names, rule, severity, message) => {
    const r = await check({ 'infra/ecs.tf': ecsAlarms(names) });
    expect(part(r.summary, 0)).toBe('no automated rollback');
    expect(withPath(r.findings, 'infra/ecs.tf')).toEqual([{ rule, severity, path: 'infra/ecs.tf', line: 3, message }]);
  });

  it('Terraform ECS alarm_names as a written-out list of references is metric-gated', async () => {
    const r = await check({ 'infra/ecs.tf': ecsAlarms('[\n      aws_cloudwatch_metric_alarm.api_5xx.alarm_name, # errors\n      "api-latency",\n    ]') });
    expect(part(r.summary, 0)).toBe('automated rollback: metric-gated (aws_ecs_service.api rolls back on CloudWatch alarms, infra/ecs.tf:2)');
  });

  it('Terraform CodeDeploy alarms = var.x or events = var.x are not verified: health-gated at best, with a finding', async () => {
    const group = (events: string, alarms: string) =>
      lines('resource "aws_codedeploy_deployment_group" "api" {', '  auto_rollback_configuration {', '    enabled = true', `    events  = ${events}`, '  }', '  alarm_configuration {', `    alarms  = ${alarms}`, '    enabled = true', '  }', '}');
    const alarms = await check({ 'infra/deploy.tf': group('["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]', 'var.alarms') });
    expect(part(alarms.summary, 0)).toBe('automated rollback: health-gated (aws_codedeploy_deployment_group.api rolls back failed deployments, infra/deploy.tf:2)');
    expect(withPath(alarms.findings, 'infra/deploy.tf')).toContainEqual({
      rule: 'unverifiable-setting', severity: 'low',
      path: 'infra/deploy.tf',
      line: 2,
      message: 'aws_codedeploy_deployment_group.api rolls back on alarms, but its alarms are given by the expression var.alarms, not a literal list, so whether any alarm can roll back cannot be verified; not counted as metric-gated',
    });
    const onlyAlarm = await check({ 'infra/deploy.tf': group('["DEPLOYMENT_STOP_ON_ALARM"]', 'var.alarms') });
    expect(part(onlyAlarm.summary, 0)).toBe('no automated rollback');
    const events = await check({ 'infra/deploy.tf': group('var.events', '["api-5xx"]') });
    expect(part(events.summary, 0)).toBe('no automated rollback');
    expect(withPath(events.findings, 'infra/deploy.tf')).toEqual([
      { rule: 'unverifiable-setting', severity: 'low', path: 'infra/deploy.tf', line: 2, message: 'aws_codedeploy_deployment_group.api: the automatic rollback events are given by the expression var.events, not a literal list, so they cannot be verified; not counted' },
    ]);
  });

  it('CloudFormation AlarmNames: !Ref and CodeDeploy Alarms: !Ref are not metric-gated; SAM Alarms: !If is health-gated with a finding', async () => {
    const ecs = lines(
      'Resources:', //                                        1
      '  Service:', //                                        2
      '    Type: AWS::ECS::Service', //                       3
      '    Properties:', //                                   4
      '      DeploymentConfiguration:', //                    5
      '        Alarms:', //                                   6
      '          AlarmNames: !Ref AlarmNames', //             7
      '          Enable: true', //                            8
      '          Rollback: true', //                          9
    );
    const r = await check({ 'cloudformation/service.yaml': ecs });
    expect(part(r.summary, 0)).toBe('no automated rollback');
    expect(withPath(r.findings, 'cloudformation/service.yaml')).toEqual([
      {
        rule: 'unverifiable-setting', severity: 'low',
        path: 'cloudformation/service.yaml',
        line: 6,
        message: 'ECS service Service: Alarms.AlarmNames is given by !Ref, not a literal list, so whether any alarm can roll back cannot be verified; not counted as metric-gated',
      },
    ]);
    const literal = await check({ 'cloudformation/service.yaml': ecs.replace('!Ref AlarmNames', '[!Ref Errors5xx]') });
    expect(part(literal.summary, 0)).toBe('automated rollback: metric-gated (ECS service Service rolls back on CloudWatch alarms, cloudformation/service.yaml:6)');
    const codedeploy = lines(
      'Resources:',
      '  Group:',
      '    Type: AWS::CodeDeploy::DeploymentGroup',
      '    Properties:',
      '      AutoRollbackConfiguration:', // 5
      '        Enabled: true',
      '        Events: [DEPLOYMENT_STOP_ON_ALARM]',
      '      AlarmConfiguration:',
      '        Enabled: true',
      '        Alarms: !Ref Alarms',
    );
    expect(part((await check({ 'template.yaml': codedeploy })).summary, 0)).toBe('no automated rollback');
    expect(part((await check({ 'template.yaml': codedeploy.replace('!Ref Alarms', '[{Name: api-5xx}]') })).summary, 0)).toBe(
      'automated rollback: metric-gated (CodeDeploy deployment group Group rolls back on CloudWatch alarms, template.yaml:5)',
    );
    const sam = lines(
      'Transform: AWS::Serverless-2016-10-31',
      'Resources:',
      '  Fn:',
      '    Type: AWS::Serverless::Function',
      '    Properties:',
      '      DeploymentPreference:', // 6
      '        Type: Canary10Percent5Minutes',
      '        Alarms: !If [IsProd, [!Ref ErrorsAlarm], !Ref AWS::NoValue]',
    );
    const s = await check({ 'template.yaml': sam });
    expect(part(s.summary, 0)).toBe('automated rollback: health-gated (SAM function Fn gradual deployment (CodeDeploy) without verifiable alarms, template.yaml:6)');
    expect(withPath(s.findings, 'template.yaml')).toContainEqual({
      rule: 'unverifiable-setting', severity: 'low',
      path: 'template.yaml',
      line: 6,
      message: 'SAM function Fn: DeploymentPreference Alarms is given by !If, not a literal list, so whether it rolls back on metrics cannot be verified; counted as a gradual deployment without alarms',
    });
  });
});

describe('rollback-plan: files read', () => {
  it('reads *.yaml.gotmpl anywhere, not only helmfile*', async () => {
    const helmfile = lines('helmDefaults:', '  atomic: true', 'releases:', '  - name: web', '    chart: ./chart', '    version: {{ .Values.version }}');
    const r = await check({ 'helmfile.d/10-apps.yaml.gotmpl': helmfile });
    expect(part(r.summary, 0)).toBe('automated rollback: health-gated (helmfile atomic releases (1/1), helmfile.d/10-apps.yaml.gotmpl:2)');
  });
});
