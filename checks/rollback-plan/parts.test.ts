// The parts of the rollback-plan check on their own (Markdown sections, the Terraform scanner,
// command lines, analysis templates, the score), and properties of the whole check over real git
// repositories: the score stays within 0–10 and never improves when a piece of evidence is removed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalGitSource } from '../../crawler/sources/local-git.ts';
import { createRepo, type FixtureFile } from '../../fixtures/factory.ts';
import { SEVERITIES, type CheckOutcome, type PullRequest, type RepoSnapshot } from '../contract.ts';
import { analysisCanAbort, scanAutomation, TIERS } from './automation.ts';
import { blankGroovyComments, docRollbackCommand, insideAny, jenkinsFailureRanges, scanCommands } from './commands.ts';
import { goRegexMatches } from './goregex.ts';
import { judgeDoc, judgeTemplate } from './documents.ts';
import rollbackPlan from './index.ts';
import { findSections, isPlaceholder, parseMarkdown, procedureOf } from './markdown.ts';
import { judgePullRequest } from './practice.ts';
import { lineIndex } from '../shared/text.ts';
import { AUTOMATION_POINTS, NO_SAFEGUARDS, PROCEDURE_POINTS, SAFEGUARDS_CAP, scoreOf, type ScoreParts } from './score.ts';
import { attribute, childNodes, HclTooDeepError, listVerdict, parseHcl, resources } from './terraform.ts';
import { blankTemplateActions, flowDepthExceeded, isTemplated } from './yaml.ts';

const lines = (...ls: string[]): string => ls.join('\n') + '\n';

describe('markdown sections', () => {
  it('headings inside fenced code and HTML comments are not headings; a section runs to the next heading of its level', () => {
    const text = lines(
      '# Deploy', //                 1
      '## Rollback', //              2
      '```sh', //                    3
      '# not a heading', //          4
      '```', //                      5
      '<!--', //                     6
      '## Rollback (commented)', //  7
      '-->', //                      8
      '### Helm', //                 9
      '1. helm rollback web', //     10
      '## Scaling', //               11
      'text', //                     12
    );
    const md = parseMarkdown(text);
    expect(md.filter((l) => l.kind === 'heading').map((l) => [l.line, l.level, l.heading])).toEqual([
      [1, 1, 'Deploy'],
      [2, 2, 'Rollback'],
      [9, 3, 'Helm'],
      [11, 2, 'Scaling'],
    ]);
    const [section] = findSections(md, (h) => /rollback/i.test(h));
    expect(section!.body.map((l) => l.line)).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    expect(procedureOf(section!)).toEqual({ words: 6, listItems: 1, codeLines: 1, hasSteps: true }); // code: 'not a heading', list: 'helm rollback web'
  });

  it('underlined headings, bold pseudo-headings and rollback labels', () => {
    const md = parseMarkdown(lines('Rollback plan', '=============', '**Notes**', 'Rollback: revert', 'Note: unrelated'), { isLabel: (l) => /rollback/i.test(l) });
    expect(md.filter((l) => l.kind === 'heading').map((l) => [l.line, l.level, l.heading])).toEqual([
      [1, 1, 'Rollback plan'],
      [3, 7, 'Notes'],
      [4, 7, 'Rollback'],
    ]);
    expect(md.find((l) => l.line === 4 && l.kind === 'text')?.text).toBe('revert');
    expect(md.find((l) => l.line === 5)?.kind).toBe('text');
  });

  it.each([
    ['N/A', true],
    ['n/a.', true],
    ['**None**', true],
    ['- TBD', true],
    ['Revert the PR.', true],
    ['git revert', true],
    ['revert, then redeploy v1.4', false],
    ['N/A: docs only', false],
    ['Nothing to undo: the flag stays off', false],
  ])('placeholder %j → %s', (text, expected) => {
    expect(isPlaceholder(text)).toBe(expected);
  });

  it('a pull request body: comments, unticked items and template lines are not answers; a ticked item is', () => {
    const template = new Set(['describe how to undo this']);
    const body = (s: string) => lines('## Rollback plan', s, '## Tests', 'unit');
    expect(judgePullRequest(body('<!-- describe -->'), template)).toEqual({ filled: false, reason: 'empty' });
    expect(judgePullRequest(body('Describe how to undo this.'), template)).toEqual({ filled: false, reason: 'template' });
    expect(judgePullRequest(body('- [ ] Safe to revert'), template)).toEqual({ filled: false, reason: 'unchecked' });
    expect(judgePullRequest(body('- [x] Safe to revert'), template)).toEqual({ filled: true, text: '- [x] Safe to revert' });
    expect(judgePullRequest(body('**Revert the PR and redeploy v1.2**'), template)).toMatchObject({ filled: true });
    expect(judgePullRequest('Rollback: N/A', template)).toEqual({ filled: false, reason: 'placeholder', text: 'N/A' });
    expect(judgePullRequest('Fixes a typo.', template)).toEqual({ filled: false, reason: 'no-section' });
  });

  it('never throws on arbitrary text, and every line number is within the text', () => {
    const fragment = fc.oneof(
      fc.string(),
      fc.constantFrom('## Rollback plan', '**Rollback**', 'Rollback: x', '```', '~~~', '<!--', '-->', '- [ ] a', '- [x] b', '1. c', '====', '----', 'N/A', '#', '#.'),
    );
    const text = fc.array(fragment, { maxLength: 40 }).map((p) => p.join('\n'));
    fc.assert(
      fc.property(text, fc.constantFrom('markdown', 'rst', 'asciidoc') as fc.Arbitrary<'markdown' | 'rst' | 'asciidoc'>, (t, flavour) => {
        const md = parseMarkdown(t, { flavour, isLabel: (l) => /rollback/i.test(l) });
        const count = t.split(/\r\n|\r|\n/).length;
        for (const l of md) expect(l.line >= 1 && l.line <= count).toBe(true);
        const verdict = judgeTemplate('t.md', t, 3);
        if (verdict.finding) expect(verdict.finding.line! >= 1 && verdict.finding.line! <= count).toBe(true);
        for (const e of judgeDoc('DEPLOY.md', t, 20).evidence) expect(e.line >= 1 && e.line <= count).toBe(true);
        judgePullRequest(t, new Set());
      }),
      { numRuns: 400 },
    );
  });
});

describe('terraform scanner', () => {
  it('knows strings, interpolation, heredocs and comments, so braces inside them do not count', () => {
    const tf = lines(
      '# a comment with { braces', //                              1
      'resource "aws_ecs_service" "api" {', //                      2
      '  name = "api-${var.env == "prod" ? "p" : "{x}"}"', //       3
      '  /* multi-line', //                                         4
      '     comment } */', //                                       5
      '  container_definitions = <<-EOT', //                        6
      '    [{ "name": "api" }}}', //                                7
      '  EOT', //                                                   8
      '  deployment_circuit_breaker {', //                          9
      '    enable   = true // inline', //                           10
      '    rollback = "true"', //                                   11
      '  }', //                                                     12
      '  tags = { team = "payments", "cost-center" = "CC-1" }', //  13
      '}', //                                                       14
      'resource "aws_ecs_service" "worker" {', //                   15
      '  events = ["A", "B"]', //                                   16
      '}', //                                                       17
    );
    const body = parseHcl(tf);
    const services = resources(body, 'aws_ecs_service');
    expect(services.map((s) => [s.labels[1], s.line])).toEqual([
      ['api', 2],
      ['worker', 15],
    ]);
    const breaker = childNodes(services[0]!.body, 'deployment_circuit_breaker')[0]!;
    expect(breaker.line).toBe(9);
    expect(attribute(breaker.body, 'enable')).toMatchObject({ value: true, line: 10 });
    expect(attribute(breaker.body, 'rollback')).toMatchObject({ value: 'true', line: 11 });
    expect(attribute(services[0]!.body, 'name')?.value).toBeUndefined(); // interpolated: not a literal
    expect(attribute(childNodes(services[0]!.body, 'tags')[0]!.body, 'cost-center')?.value).toBe('CC-1');
    expect(attribute(services[1]!.body, 'events')?.value).toEqual(['A', 'B']);
  });

  it('never throws on arbitrary text except to say it is nested too deeply', () => {
    const fragment = fc.oneof(fc.string(), fc.constantFrom('{', '}', '"', '${', '<<EOF\n', 'EOF', '#', '/*', '*/', 'resource "a" "b" {', 'x = ', '\n', '[', ']', '= {'));
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 60 }).map((p) => p.join('')), (t) => {
        try {
          parseHcl(t);
        } catch (error) {
          expect(error).toBeInstanceOf(HclTooDeepError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('command lines', () => {
  it('finds helm deploys with flags before the verb, joins continued lines, and tells rollback commands apart', () => {
    const text = lines(
      'helm --namespace web upgrade web ./chart \\', //   1
      '  --atomic', //                                    2
      'helm diff upgrade web ./chart', //                 3
      'helm upgrade web ./chart --rollback-on-failure', // 4
      'helm -n web rollback web 3', //                    5
      'kubectl rollout status deploy/web || kubectl rollout undo deploy/web', // 6
      'kubectl argo rollouts abort web', //               7
      '# kubectl rollout undo deploy/web', //             8
    );
    const at = lineIndex(text);
    expect(scanCommands(text).map((h) => [h.kind, at(h.offset), h.atomic ?? h.label ?? null, h.onFailure ?? null])).toEqual([
      ['helm-deploy', 1, true, null],
      ['helm-deploy', 4, true, null],
      ['rollback', 5, 'helm rollback', false],
      ['rollback', 6, 'kubectl rollout undo', true],
      ['rollout-wait', 6, 'rollout status', null],
      ['rollback', 7, 'kubectl argo rollouts undo/abort', false],
    ]);
  });

  it('tells Jenkinsfile failure blocks apart from the rest, nested or not', () => {
    const text = 'stage { sh "deploy" }\npost { failure { sh "undo" } always { sh "notify" } }\ntry { x } catch (e) { sh "undo2" }';
    const inside = insideAny(text.length, jenkinsFailureRanges(text));
    expect([text.indexOf('"deploy"'), text.indexOf('"undo"'), text.indexOf('"notify"'), text.indexOf('"undo2"')].map(inside)).toEqual([false, true, false, true]);
  });

  it('never throws and every hit lies inside the text', () => {
    const fragment = fc.oneof(fc.string(), fc.constantFrom('helm', ' upgrade', ' --atomic', ' rollback', 'kubectl', ' rollout undo', ' || ', '\\\n', '\n', '-n x', 'trap '));
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 50 }).map((p) => p.join('')), (t) => {
        for (const h of scanCommands(t)) expect(h.offset >= 0 && h.offset <= t.length).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('analysis templates', () => {
  it.each([
    [{ metrics: [{ name: 'm', successCondition: 'result[0] > 0.99' }] }, true],
    [{ metrics: [{ name: 'm', failureCondition: 'result[0] > 0.01', failureLimit: 2, count: 10 }] }, true],
    [{ metrics: [{ name: 'm', successCondition: 'x', failureLimit: '{{args.limit}}' }] }, true],
    [{ metrics: [{ name: 'm', provider: { job: { spec: {} } } }] }, true],
    [{ metrics: [] }, false],
    [{ metrics: [{ name: 'm', provider: { prometheus: { query: 'q' } } }] }, false],
    [{ metrics: [{ name: 'm', successCondition: 'x', failureLimit: 5, count: 5 }] }, false],
    [{ metrics: [{ name: 'm', successCondition: 'x', failureLimit: -1 }] }, false],
    [{ dryRun: [{ metricName: '.*' }], metrics: [{ name: 'm', successCondition: 'x' }] }, false],
    [{ dryRun: [{ metricName: 'a' }], metrics: [{ name: 'a', successCondition: 'x' }, { name: 'b', failureCondition: 'y' }] }, true],
  ])('%j can abort: %s', (spec, expected) => {
    expect(analysisCanAbort(spec as Record<string, unknown>).canAbort).toBe(expected);
  });

  it('scanAutomation never throws on arbitrary YAML, Terraform and script text, and every finding has a positive line', () => {
    const yamlish = fc.oneof(
      fc.string(),
      fc.constantFrom('kind: Rollout', 'apiVersion: argoproj.io/v1alpha1', 'spec:', '  strategy:', '    canary:', '      analysis:', '        templates:', '          - templateName: x', '{{ .Values.x }}', '!Ref X', 'Resources:', '  A:', '    Type: AWS::ECS::Service', '---', '[', '&a [*a]', 'kind: Canary', 'apiVersion: flagger.app/v1beta1'),
    );
    const text = fc.array(yamlish, { maxLength: 30 }).map((p) => p.join('\n'));
    fc.assert(
      fc.property(text, text, text, (y, t, s) => {
        const scan = scanAutomation({ yaml: [{ path: 'deploy/x.yaml', text: y }, { path: '.github/workflows/d.yml', text: y }], terraform: [{ path: 'x.tf', text: t }], scripts: [{ path: 'deploy.sh', text: s }] });
        for (const f of scan.findings) expect(Number.isInteger(f.line) && f.line! > 0).toBe(true);
        for (const m of scan.mechanisms) expect(TIERS).toContain(m.tier);
      }),
      { numRuns: 300 },
    );
  });
});

describe('score', () => {
  const tier = fc.constantFrom(...TIERS, 'none' as const);
  const quality = fc.constantFrom('procedure' as const, 'command' as const, 'stub' as const, 'none' as const);
  const share = fc.double({ min: 0, max: 1, noNaN: true });
  const guards = fc.record({ gated: fc.boolean(), redeploy: fc.boolean(), detection: fc.boolean(), data: fc.constantFrom('none' as const, 'documented' as const, 'tested' as const), redeployAfterFailedChecks: fc.boolean() });
  const parts: fc.Arbitrary<ScoreParts> = fc.record({ automation: tier, safeguards: guards, procedure: quality, templateShare: share, practiceShare: fc.option(share, { nil: null }) });

  it('stays within 0–10 with one decimal', () => {
    fc.assert(
      fc.property(parts, (p) => {
        const s = scoreOf(p);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(10);
        expect(Math.round(s * 10) / 10).toBe(s);
      }),
    );
  });

  it('never improves when any part gets worse', () => {
    fc.assert(
      fc.property(parts, tier, quality, share, share, (p, t, q, a, b) => {
        const before = scoreOf(p);
        if (AUTOMATION_POINTS[t] <= AUTOMATION_POINTS[p.automation]) expect(scoreOf({ ...p, automation: t })).toBeLessThanOrEqual(before);
        if (PROCEDURE_POINTS[q] <= PROCEDURE_POINTS[p.procedure]) expect(scoreOf({ ...p, procedure: q })).toBeLessThanOrEqual(before);
        expect(scoreOf({ ...p, templateShare: Math.min(a, p.templateShare) })).toBeLessThanOrEqual(before);
        if (p.practiceShare !== null) expect(scoreOf({ ...p, practiceShare: Math.min(b, p.practiceShare) })).toBeLessThanOrEqual(before);
        for (const key of ['gated', 'redeploy', 'detection'] as const) expect(scoreOf({ ...p, safeguards: { ...p.safeguards, [key]: false } })).toBeLessThanOrEqual(before);
        expect(scoreOf({ ...p, safeguards: { ...p.safeguards, data: p.safeguards.data === 'tested' ? 'documented' : 'none' } })).toBeLessThanOrEqual(before);
        // A pipeline found to deploy after failed checks too is worth less than one that does not.
        expect(scoreOf({ ...p, safeguards: { ...p.safeguards, redeployAfterFailedChecks: true } })).toBeLessThanOrEqual(before);
      }),
    );
  });

  it('safeguards earn partial credit but never as much as a rollback and a procedure together', () => {
    const all = { gated: true, redeploy: true, detection: true, data: 'tested' as const };
    expect(scoreOf({ automation: 'none', safeguards: all, procedure: 'none', templateShare: 0, practiceShare: null })).toBe(SAFEGUARDS_CAP);
    expect(SAFEGUARDS_CAP).toBeLessThan(AUTOMATION_POINTS['health-gated'] + PROCEDURE_POINTS.procedure);
    // A readiness-gated rollout and a pipeline that redeploys: half in place.
    expect(scoreOf({ automation: 'none', safeguards: { ...NO_SAFEGUARDS, gated: true, redeploy: true }, procedure: 'none', templateShare: 0, practiceShare: null })).toBe(4.5);
  });

  it('metric-gated automation weighs most: more than any other single part', () => {
    expect(AUTOMATION_POINTS['metric-gated']).toBeGreaterThan(PROCEDURE_POINTS.procedure);
    const none = NO_SAFEGUARDS;
    expect(scoreOf({ automation: 'metric-gated', safeguards: none, procedure: 'none', templateShare: 0, practiceShare: null })).toBe(5);
    // The rubric's anchors: a written procedure with non-atomic deploys is about 3; platform-native rollback 5–7; both, gated, 8–10.
    expect(scoreOf({ automation: 'none', safeguards: none, procedure: 'procedure', templateShare: 0, practiceShare: null })).toBe(2.5);
    expect(scoreOf({ automation: 'health-gated', safeguards: { ...none, redeploy: true }, procedure: 'none', templateShare: 0, practiceShare: null })).toBe(6);
    expect(scoreOf({ automation: 'health-gated', safeguards: { ...none, redeploy: true }, procedure: 'procedure', templateShare: 1, practiceShare: 0.5 })).toBe(10);
    expect(scoreOf({ automation: 'metric-gated', safeguards: { ...none, gated: true, redeploy: true }, procedure: 'procedure', templateShare: 0, practiceShare: null })).toBe(10);
  });
});

// ---------------------------------------------------------------------------------------------
// The whole check over real repositories: one repository per run, whose first commit holds the
// chosen evidence and whose second removes one piece; the source reads it at both commits.

let tmp = '';
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-rollback-prop-'));
});
afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const NOW = new Date('2026-11-15T00:00:00Z');

const EVIDENCE: Record<string, Record<string, string>> = {
  rollout: {
    'deploy/rollout.yaml': lines('apiVersion: argoproj.io/v1alpha1', 'kind: Rollout', 'metadata: { name: web }', 'spec:', '  strategy:', '    canary:', '      analysis:', '        templates:', '          - templateName: ok', '      steps: [{ setWeight: 20 }]'),
  },
  analysis: {
    'deploy/analysis.yaml': lines('apiVersion: argoproj.io/v1alpha1', 'kind: AnalysisTemplate', 'metadata: { name: ok }', 'spec:', '  metrics:', '    - name: rate', '      interval: 1m', '      successCondition: result[0] > 0.99', '      failureLimit: 1'),
  },
  // A Rollout on a ClusterAnalysisTemplate, and that template broken (one measurement, one failure allowed):
  // deleting the broken template must not raise the score.
  clusterRollout: {
    'deploy/cluster-rollout.yaml': lines('apiVersion: argoproj.io/v1alpha1', 'kind: Rollout', 'metadata: { name: api }', 'spec:', '  strategy:', '    canary:', '      analysis:', '        templates:', '          - templateName: platform', '            clusterScope: true'),
  },
  brokenCluster: {
    'platform/cluster-analysis.yaml': lines('apiVersion: argoproj.io/v1alpha1', 'kind: ClusterAnalysisTemplate', 'metadata: { name: platform }', 'spec:', '  metrics:', '    - name: rate', '      successCondition: result[0] > 0.99', '      failureLimit: 1'),
  },
  canary: {
    'flagger/canary.yaml': lines('apiVersion: flagger.app/v1beta1', 'kind: Canary', 'metadata: { name: api }', 'spec:', '  analysis:', '    threshold: 3', '    metrics:', '      - name: request-success-rate', '        thresholdRange: { min: 99 }'),
  },
  helm: { '.github/workflows/deploy.yml': lines('on: push', 'jobs:', '  d:', '    runs-on: ubuntu-latest', '    steps:', '      - run: helm upgrade --install web ./chart --atomic') },
  ecs: { 'infra/ecs.tf': lines('resource "aws_ecs_service" "api" {', '  deployment_circuit_breaker {', '    enable   = true', '    rollback = true', '  }', '}') },
  undo: { Jenkinsfile: lines('pipeline {', '  post {', '    failure {', '      sh "kubectl rollout undo deployment/web"', '    }', '  }', '}') },
  manual: { 'Makefile': lines('rollback:', '\thelm -n web rollback web') },
  deadline: { 'k8s/deployment.yaml': lines('apiVersion: apps/v1', 'kind: Deployment', 'metadata: { name: api }', 'spec:', '  progressDeadlineSeconds: 300') },
  procedure: { 'DEPLOY.md': lines('# Deploy', '', '## Rollback', '', '1. Run `helm -n web rollback web` to return to the previous release.', '2. Watch the error rate on the dashboard until it is back under one percent.') },
  command: { 'RUNBOOK.md': lines('# Runbook', '', '## Mitigation', '', 'Undo a bad deploy with `kubectl rollout undo deployment/web`.') },
  github: { '.github/pull_request_template.md': lines('## Summary', '', '## Rollback plan', '', '<!-- How is this change undone? What cannot be undone? -->') },
  gitlab: { '.gitlab/merge_request_templates/Default.md': lines('## Summary', '', '## Revert plan', '', '- [ ] Reverting is safe: no migration, no external side effects') },
};
const PIECES = Object.keys(EVIDENCE);

let propertyRepos = 0;

async function snapshotsOf(before: Record<string, FixtureFile>, removed: string[]): Promise<[RepoSnapshot, RepoSnapshot]> {
  const name = `prop-${++propertyRepos}`;
  const deletion = Object.fromEntries(removed.map((p) => [p, null]));
  createRepo(tmp, {
    name,
    commits: [
      { date: '2026-10-01T12:00:00Z', message: 'evidence', files: { 'src/main.go': 'package main\n', ...before } },
      { date: '2026-10-02T12:00:00Z', message: 'remove one piece', files: { 'src/other.go': 'package main\n', ...deletion } },
    ],
  });
  const source = new LocalGitSource({ paths: [name], baseDir: tmp, owner: 'acme' });
  const [ref] = await source.list();
  const needs = { readPatterns: rollbackPlan.meta.reads, history: false, maxFileBytes: 1_048_576, historyLimit: 10 };
  const full = await source.snapshot(ref!, { ...needs, asOf: new Date('2026-10-01T18:00:00Z') });
  const reduced = await source.snapshot(ref!, needs);
  return [full, reduced];
}

function run(snapshot: RepoSnapshot, pullRequests?: PullRequest[]): CheckOutcome {
  return rollbackPlan.run(pullRequests ? { ...snapshot, pullRequests } : snapshot, {
    options: rollbackPlan.meta.options.parse({}),
    kind: { kind: 'service', source: 'detected', evidence: [] },
    now: NOW,
    facts: { packages: new Map() },
  });
}

/** What the runner accepts (crawler/run.ts validateOutcome), checked here so a violation shows as a test failure. */
function expectValid(outcome: CheckOutcome): void {
  expect(outcome.score).not.toBeNull();
  expect(outcome.score!).toBeGreaterThanOrEqual(0);
  expect(outcome.score!).toBeLessThanOrEqual(10);
  for (const f of outcome.findings) {
    expect(SEVERITIES).toContain(f.severity);
    if (f.line !== undefined) expect(Number.isInteger(f.line) && f.line > 0).toBe(true);
  }
}

function pullRequests(filled: boolean[]): PullRequest[] {
  return filled.map((ok, i) => ({
    number: i + 1,
    title: `change ${i + 1}`,
    state: 'merged',
    body: lines('## Rollback plan', '', ok ? `Revert #${i + 1}; no schema change, the previous image is still in the registry.` : 'N/A'),
    mergedAt: new Date(NOW.getTime() - (i + 1) * 86_400_000).toISOString(),
    createdAt: new Date(NOW.getTime() - (i + 2) * 86_400_000).toISOString(),
    author: 'dev',
    files: ['src/main.go'],
  }));
}

describe('rollback-plan (properties over real repositories)', () => {
  it('the score stays within 0–10 and never improves when a piece of evidence is removed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.subarray(PIECES, { minLength: 1 }),
        fc.nat(),
        fc.option(fc.array(fc.boolean(), { minLength: 3, maxLength: 8 }), { nil: undefined }),
        fc.nat(),
        async (chosen, pick, filled, flip) => {
          const removedPiece = chosen[pick % chosen.length]!;
          const before = Object.assign({}, ...chosen.map((p) => EVIDENCE[p])) as Record<string, string>;
          const [full, reduced] = await snapshotsOf(before, Object.keys(EVIDENCE[removedPiece]!));
          const prs = filled ? pullRequests(filled) : undefined;
          const a = run(full, prs);
          const b = run(reduced, prs);
          expectValid(a);
          expectValid(b);
          expect(b.score!).toBeLessThanOrEqual(a.score!);
          // A filled rollback plan in one pull request turned into "N/A".
          if (filled && filled.some(Boolean)) {
            const indices = filled.flatMap((ok, i) => (ok ? [i] : []));
            const worse = [...filled];
            worse[indices[flip % indices.length]!] = false;
            const c = run(full, pullRequests(worse));
            expectValid(c);
            expect(c.score!).toBeLessThanOrEqual(a.score!);
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('hostile content at every path the check reads never breaks the outcome contract', async () => {
    const content = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.uint8Array({ maxLength: 64 }),
      fc.constantFrom('[[[[[[[[', 'a: &a [*a]', '{{ end }}', '```\n## Rollback\n', '<!--', 'resource "x" "y" {{{{', 'helm upgrade \\\n', ': : :'),
    );
    const paths = ['.github/pull_request_template.md', 'DEPLOY.md', 'deploy/rollout.yaml', '.github/workflows/deploy.yml', 'infra/main.tf', 'Jenkinsfile', '.gitlab-ci.yml'];
    await fc.assert(
      fc.asyncProperty(fc.tuple(...paths.map(() => content)), async (contents) => {
        const files = Object.fromEntries(paths.map((p, i) => [p, contents[i]!]));
        const [snapshot] = await snapshotsOf(files, []);
        const outcome = run(snapshot, pullRequests([true, false, true]));
        expectValid(outcome);
        expect(['pass', 'warn', 'fail']).toContain(outcome.status);
      }),
      { numRuns: 15 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Review findings: linear replacements agree with the patterns they replace, and commands are
// recognised only where the shell runs them. Judgements only: timing is in bench/.

describe('linear replacements agree with the patterns they replaced', () => {
  // The former patterns, run here only on short strings, where their backtracking is harmless.
  const OLD_BLANK = (text: string) =>
    text
      .split('\n')
      .map((line) => (/^\s*\{\{.*\}\}\s*$/.test(line) ? ' '.repeat(line.length) : line.replace(/\{\{[^}]*\}\}/g, (a) => (a.length >= 9 ? 'TEMPLATED'.padEnd(a.length, '_') : 'T'.repeat(a.length)))))
      .join('\n');
  const OLD_IS_TEMPLATED = (text: string) => /(^|[^$])\{\{[\s\S]*?\}\}/.test(text);
  const OLD_BOLD_LINE = /^\s*(\*\*|__)([^*_\n]{1,80}?)\1\s*:?\s*$/;
  const OLD_BOLD_LABEL = /^\s*(\*\*|__)([^*_\n]{1,80}?):?\1\s*:?[ \t]*(.*)$/;
  const OLD_PLAIN_LABEL = /^\s*([A-Za-z][A-Za-z /&-]{0,40}?)\s*:[ \t]*(.*)$/;
  const short = (chars: string[]) => fc.array(fc.constantFrom(...chars), { maxLength: 24 }).map((a) => a.join(''));

  it('template blanking and detection', () => {
    fc.assert(
      fc.property(short(['{', '}', '{{', '}}', '$', 'a', ' ', '\n', '\t', '.x']), (t) => {
        expect(blankTemplateActions(t)).toBe(OLD_BLANK(t));
        expect(isTemplated(t)).toBe(OLD_IS_TEMPLATED(t));
      }),
      { numRuns: 2000 },
    );
  });

  it('bold headings and labels', () => {
    const isLabel = () => true;
    fc.assert(
      fc.property(short(['**', '__', '*', 'a', 'Rollback', ' ', '\t', ':', 'x', '\u2028', '-', '/']), (t) => {
        const expected: [string, string | undefined][] = [];
        const bold = OLD_BOLD_LINE.exec(t);
        const label = OLD_BOLD_LABEL.exec(t);
        const plain = OLD_PLAIN_LABEL.exec(t);
        if (t.trim() === '' || /^ {0,3}#{1,6}(?=[ \t]|$)/.test(t) || /^ {0,3}(`{3,}|~{3,})/.test(t)) return;
        if (bold) expected.push([bold[2]!.trim().replace(/:$/, ''), undefined]);
        else if (label && label[3]!.trim() !== '') expected.push([label[2]!.trim().replace(/:$/, ''), label[3]!]);
        else if (plain) expected.push([plain[1]!.trim(), plain[2]!.trim() !== '' ? plain[2]! : undefined]);
        const md = parseMarkdown(t, { isLabel }).filter((l) => l.line === 1);
        const heading = md.find((l) => l.kind === 'heading');
        const body = md.find((l) => l.kind === 'text');
        expect(heading ? [[heading.heading, body?.text]] : []).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('Go regular expressions (dryRun.metricName) agree with JavaScript on the syntax both share', () => {
    const atom = fc.constantFrom('a', 'b', '-', '.', '[ab]', '[^a]', '(a|b)', '(?:ab)', '\\.', '\\d', 'x');
    const piece = fc.tuple(atom, fc.constantFrom('', '*', '+', '?', '{2}', '{1,2}', '*?')).map(([a, q]) => a + q);
    const pattern = fc.tuple(fc.constantFrom('', '^'), fc.array(piece, { minLength: 1, maxLength: 5 }), fc.constantFrom('', '$'), fc.constantFrom('', '|b')).map(([s, p, e, alt]) => s + p.join('') + e + alt);
    fc.assert(
      fc.property(pattern, fc.array(fc.constantFrom('a', 'b', '-', '.', '1', 'x', 'rate'), { maxLength: 8 }).map((a) => a.join('')), (p, subject) => {
        expect(goRegexMatches(p, subject)).toBe(new RegExp(p).test(subject));
      }),
      { numRuns: 2000 },
    );
  });

  it('Go regular expressions: what Go rejects or this matcher does not evaluate is undefined, and hostile patterns stay linear', () => {
    expect(goRegexMatches('*', 'x')).toBeUndefined(); // Go: missing argument to repetition operator
    expect(goRegexMatches('(?i)rate', 'RATE')).toBeUndefined();
    expect(goRegexMatches('\\brate', 'rate')).toBeUndefined();
    expect(goRegexMatches('a{,2}', 'a{,2}')).toBe(true); // not a repetition in Go: literal
    expect(goRegexMatches('(a+)+$', 'a'.repeat(20_000) + '!')).toBe(false);
    expect(goRegexMatches('(a*)*b', 'a'.repeat(5_000), { steps: 1_000 })).toBeUndefined(); // out of budget: cannot tell
  });
});

describe('commands where the shell runs them', () => {
  const kinds = (text: string) => scanCommands(text).map((h) => [h.kind, h.atomic ?? h.label ?? null, h.onFailure ?? null]);

  it.each([
    ['helm upgrade web ./chart --atomic', [['helm-deploy', true, null]]],
    ['helm lint . # helm upgrade web ./chart --atomic', []],
    ['echo "helm upgrade web ./chart --atomic"', []],
    ['echo helm upgrade web ./chart --atomic', []],
    ['helm upgrade web ./chart --atomic --dry-run', []],
    ['helm upgrade web ./chart --atomic --dry-run=client', []],
    ['helm upgrade --help', []],
    ['helm upgrade web ./chart --atomic --atomic=false', [['helm-deploy', false, null]]],
    ['helm --kube-context prod -n web upgrade web ./chart --rollback-on-failure', [['helm-deploy', true, null]]],
    ['helm diff upgrade web ./chart', []],
    ['helm template upgrade ./chart', []],
    ['@helm upgrade web ./chart --atomic', [['helm-deploy', true, null]]],
    ['timeout 600 helm upgrade web ./chart --atomic 2>&1 | tee log', [['helm-deploy', true, null]]],
    ['kubectl exec -it tools -- helm rollback web', [['rollback', 'helm rollback', false]]],
    ['bash -c "kubectl rollout undo deploy/web"', [['rollback', 'kubectl rollout undo', false]]],
    ["ssh deploy@host 'helm rollback web'", [['rollback', 'helm rollback', false]]],
    ["trap 'kubectl argo rollouts abort web' ERR", [['rollback', 'kubectl argo rollouts undo/abort', true]]],
    ['deploy || kubectl rollout undo deploy/web', [['rollback', 'kubectl rollout undo', true]]],
    ['deploy || echo "kubectl rollout undo deploy/web"', []],
    ['deploy || (echo failed; helm rollback web)', [['rollback', 'helm rollback', true]]],
    ['deploy || exit 1; helm rollback web', [['rollback', 'helm rollback', false]]],
    ['kubectl rollout undo deploy/web --dry-run=server', []],
    ['kubectl rollout undo deploy/web --dry-run=none', [['rollback', 'kubectl rollout undo', false]]],
    ['REV=$(helm history web -o json) && helm rollback web "$REV"', [['rollback', 'helm rollback', false]]],
    ['aws --region eu-west-1 deploy stop-deployment --deployment-id d-1 --auto-rollback-enabled', [['rollback', 'aws deploy stop-deployment --auto-rollback-enabled', false]]],
    ['aws deploy stop-deployment --deployment-id d-1 --no-auto-rollback-enabled', []],
    ['aws ecs wait services-stable --cluster c --services s', [['rollout-wait', 'aws ecs wait services-stable', null]]],
  ] as const)('%s', (line, expected) => {
    expect(kinds(line + '\n')).toEqual(expected);
  });

  it('CI YAML read as text: list dashes and command keys are removed, other keys hold no command', () => {
    const yaml = lines('- run: helm upgrade web ./chart --atomic', '  name: helm rollback web', '- "kubectl rollout undo deploy/web"', 'script:', '  - helm upgrade api ./chart');
    expect(scanCommands(yaml, { yaml: true }).map((h) => [h.kind, h.atomic ?? h.label])).toEqual([
      ['helm-deploy', true],
      ['rollback', 'kubectl rollout undo'],
      ['helm-deploy', false],
    ]);
  });

  it('documents: the command as written in prose or code, with flags anywhere', () => {
    expect(docRollbackCommand('2. Roll back with `helm -n payments rollback payments-api <REVISION> --wait`.')).toBe('helm rollback');
    expect(docRollbackCommand('$ kubectl --context prod rollout undo deployment/web')).toBe('kubectl rollout undo');
    expect(docRollbackCommand('If in doubt, `git revert` the merge commit.')).toBe('git revert');
    expect(docRollbackCommand('Use kubectl to look at the rollout, then undo it by hand.')).toBeUndefined();
    expect(docRollbackCommand('kubectl '.repeat(200) + 'rollout undo deploy/web')).toBe('kubectl rollout undo');
    expect(docRollbackCommand('kubectl '.repeat(6_250) + 'rollout undo deploy/web')).toBeUndefined(); // longer than MAX_COMMAND_LINE: not read
  });

  it('Groovy comments are blanked with offsets kept; comment markers in strings are not comments', () => {
    const groovy = "sh 'rm -rf build/*' // clean\n/* sh 'helm rollback web'\n*/ sh \"echo http://x\"\n";
    const blanked = blankGroovyComments(groovy);
    expect(blanked).toHaveLength(groovy.length);
    expect(blanked.split('\n')).toEqual(["sh 'rm -rf build/*'         ", '                         ', '   sh "echo http://x"', '']);
  });

  it('never throws, and every hit lies inside the text, for arbitrary shell-ish text', () => {
    const fragment = fc.oneof(fc.string(), fc.constantFrom('helm', ' upgrade', ' --atomic', ' rollback', 'kubectl', ' rollout undo', ' || ', '&&', ';', '"', "'", '\\', '$(', ')', '`', '{', '}', '#', ' -- ', 'sh -c ', 'trap ', '\n'));
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 50 }).map((p) => p.join('')), (t) => {
        for (const h of scanCommands(t)) expect(h.offset >= 0 && h.offset <= t.length).toBe(true);
        for (const h of scanCommands(t, { yaml: true })) expect(h.offset >= 0 && h.offset <= t.length).toBe(true);
        docRollbackCommand(t);
        expect(blankGroovyComments(t)).toHaveLength(t.length);
      }),
      { numRuns: 500 },
    );
  });
});

describe('literal lists and nesting', () => {
  it.each([
    ['[aws_cloudwatch_metric_alarm.a.alarm_name]', 'non-empty'],
    ['["a", "b",]', 'non-empty'],
    ['[\n  "a", # one\n  "b"\n]', 'non-empty'],
    ['[{ name = "a" }]', 'non-empty'],
    ['[]', 'empty'],
    ['[ ]', 'empty'],
    ['var.alarms', 'indeterminate'],
    ['concat(["a"], var.b)', 'indeterminate'],
    ['[for a in var.x : a]', 'indeterminate'],
    ['["a"] + var.b', 'indeterminate'],
    ['aws_cloudwatch_metric_alarm.a[*].alarm_name', 'indeterminate'],
  ])('Terraform %s is %s', (expression, verdict) => {
    const body = parseHcl(`x {\n  alarms = ${expression}\n}\n`);
    expect(listVerdict(attribute(childNodes(body, 'x')[0]!.body, 'alarms'))).toBe(verdict);
  });

  it('flow brackets nested beyond the limit are found in one pass', () => {
    expect(flowDepthExceeded('a: [[{}]]\n', 2)).toBe(5);
    expect(flowDepthExceeded('a: [[]] [[]]\n', 2)).toBe(-1);
    expect(flowDepthExceeded('{'.repeat(200_000))).toBe(1000);
  });
});

describe('analysis templates: how many measurements, and which metrics run in dry run', () => {
  it.each([
    [{ metrics: [{ name: 'm', successCondition: 'x', failureLimit: 1 }] }, false], // one measurement, one failure allowed
    [{ metrics: [{ name: 'm', successCondition: 'x' }] }, true], // one measurement, no failure allowed
    [{ metrics: [{ name: 'm', successCondition: 'x', failureLimit: 1, interval: '1m' }] }, true], // measures until the rollout ends
    [{ metrics: [{ name: 'm', successCondition: 'x', failureLimit: 1, count: '{{args.count}}' }] }, true], // given by the Rollout
    [{ dryRun: [{ metricName: 'success.*' }], metrics: [{ name: 'success-rate', successCondition: 'x', interval: '1m' }] }, false],
    [{ dryRun: [{ metricName: 'rate' }], metrics: [{ name: 'success-rate', successCondition: 'x', interval: '1m' }] }, false],
    [{ dryRun: [{ metricName: '^rate$' }], metrics: [{ name: 'success-rate', successCondition: 'x', interval: '1m' }] }, true],
    [{ dryRun: [{ metricName: '(?i)RATE' }], metrics: [{ name: 'success-rate', successCondition: 'x', interval: '1m' }] }, false], // cannot tell: not counted
  ])('%j can abort: %s', (spec, expected) => {
    expect(analysisCanAbort(spec as Record<string, unknown>).canAbort).toBe(expected);
  });
});
