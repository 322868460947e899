import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { FixtureFile } from '../../fixtures/factory.ts';
import { fixtureSnapshots } from '../../tests/fixture-snapshots.ts';
import type { CheckOutcome, Finding, RepoKind, RepoSnapshot } from '../contract.ts';
import { analyseDocument, SECTION_CATEGORIES, type SectionCategory } from './document.ts';
import runbooks, { type RunbooksOptions } from './index.ts';

// ---------------------------------------------------------------------------------------------
// Test repositories: real git repositories built with the fixture factory, read by the real
// local git source with exactly the patterns the check declares.

const repos = fixtureSnapshots({ namePrefix: 'svc', webUrl: 'https://github.com/acme/{name}' });
afterAll(repos.cleanup);

interface RunOptions {
  kind?: RepoKind;
  options?: Partial<RunbooksOptions>;
  maxFileBytes?: number;
  /** Repository name; the web URL is https://github.com/acme/<name>. */
  name?: string;
}

async function snapshotOf(files: Record<string, FixtureFile>, opts: RunOptions = {}): Promise<RepoSnapshot> {
  return repos.snapshot(runbooks.meta.reads, files, opts);
}

async function check(files: Record<string, FixtureFile>, opts: RunOptions = {}): Promise<CheckOutcome & { snapshot: RepoSnapshot }> {
  const snapshot = await snapshotOf(files, opts);
  const outcome = runbooks.run(snapshot, {
    options: runbooks.meta.options.parse(opts.options ?? {}),
    kind: { kind: opts.kind ?? 'service', source: 'detected', evidence: [] },
    now: new Date('2026-11-15T00:00:00Z'),
    facts: { packages: new Map() },
  });
  return { ...outcome, snapshot };
}

const lines = (...ls: string[]): string => ls.join('\n') + '\n';
const withPath = (findings: Finding[], p: string): Finding[] => findings.filter((f) => f.path === p);
const messages = (findings: Finding[]): string[] => findings.map((f) => f.message);
/** CPU milliseconds this process spent since `since` (process.cpuUsage()). */
const cpuMs = (since: NodeJS.CpuUsage): number => {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1000;
};

const NO_RUNBOOK = 'no runbook found: add RUNBOOK.md or docs/runbooks/<alert>.md describing symptoms, diagnosis, mitigation and escalation';
const NO_ONCALL = 'no on-call or escalation route: add a PagerDuty/Opsgenie annotation to catalog-info.yaml, route alerts to a paging receiver, or write an "Escalation" section saying who is paged and how';
const NO_ALERTS = 'no alert rules found in this repository (Prometheus, Grafana, Jsonnet mixins, Terraform or CloudFormation alarms); if its alerts live elsewhere, make sure they link to these runbooks';

// Sections with real content (each well over the default 12 words).
const SYMPTOMS = lines('## Symptoms', '', 'Checkout requests fail with HTTP 502 at the edge and the PaymentsErrorRate alert fires for more than five minutes.', '');
const DIAGNOSIS = lines('## Diagnosis', '', '1. Open the Payments overview dashboard and compare the error rate per region.', '2. Read the api logs for upstream timeouts to the card processor.', '');
const MITIGATION = lines('## Mitigation', '', 'Roll back the last deploy with `deploy rollback payments-api`, or fail traffic over to the secondary region if the rollback does not help.', '');
const ESCALATION = lines('## Escalation', '', 'Page the payments on-call through PagerDuty; if nobody acknowledges within fifteen minutes, page the platform lead.', '');

const THOROUGH = '# Payments API runbook\n\n' + SYMPTOMS + DIAGNOSIS + MITIGATION + ESCALATION;
const THOROUGH_NO_ESCALATION = '# Payments API runbook\n\n' + SYMPTOMS + DIAGNOSIS + MITIGATION;
const STUB = lines('# Payments API runbook', '', '## Symptoms', '', 'TODO', '', '## Diagnosis', '', 'TBD', '', '## Mitigation', '', '- TODO', '', '## Escalation', '', 'TODO');

const CATALOG_PAGERDUTY = lines(
  'apiVersion: backstage.io/v1alpha1',
  'kind: Component',
  'metadata:',
  '  name: payments-api',
  '  annotations:',
  '    github.com/project-slug: acme/payments-api',
  '    pagerduty.com/service-id: PX1ABCD',
  'spec:',
  '  type: service',
  '  owner: team-payments',
  '  lifecycle: production',
);

// ---------------------------------------------------------------------------------------------

describe('runbooks: documents', () => {
  it('a thorough runbook with an escalation section and no alert rules scores 7: documents alone cannot pass', async () => {
    const r = await check({ 'RUNBOOK.md': THOROUGH, 'src/index.ts': 'export {};\n' });
    expect(r.status).toBe('warn');
    expect(r.score).toBe(7); // 5 × 1 + on-call (1 + 1)
    expect(r.summary).toBe('1 runbook (1 complete); no alert rules; on-call via "Escalation" section in RUNBOOK.md');
    // The only finding is the note that alert rules were not found here.
    expect(r.findings).toEqual([{ rule: 'no-alert-rules', severity: 'info', message: NO_ALERTS }]);
  });

  it('no runbook at all scores 0 and fails with a high finding first', async () => {
    const r = await check({ 'README.md': '# Payments API\n\nHandles card payments for the checkout.\n', 'src/index.ts': 'export {};\n' });
    expect(r.status).toBe('fail');
    expect(r.score).toBe(0);
    expect(r.summary).toBe('no runbooks; no alert rules; no on-call route');
    expect(r.findings[0]).toEqual({ rule: 'no-runbook', severity: 'high', message: NO_RUNBOOK });
    expect(messages(r.findings)).toContain(NO_ONCALL);
  });

  it('a runbook whose headings hold only TODO is a stub: 0.1 of the documents part, named headings in the finding', async () => {
    const r = await check({ 'docs/runbooks/payments-api.md': STUB });
    expect(r.status).toBe('fail');
    expect(r.score).toBe(0.5); // 5 × 0.1
    expect(r.summary).toBe('1 runbook (0 complete, 1 stub); no alert rules; no on-call route');
    expect(withPath(r.findings, 'docs/runbooks/payments-api.md')).toEqual([
      {
        rule: 'runbook-stub', severity: 'medium',
        path: 'docs/runbooks/payments-api.md',
        line: 1,
        message: 'runbook is a stub: sections "Symptoms", "Diagnosis", "Mitigation", "Escalation" have no real content (0 words in all)',
      },
    ]);
    // A stub's empty "Escalation" heading is not an on-call route.
    expect(messages(r.findings)).toContain(NO_ONCALL);
    expect(messages(r.findings)).not.toContain(NO_RUNBOOK);
  });

  it('a partial runbook (one substantive section) names what it covers and what to add', async () => {
    const text = lines('Intro paragraph.', '', '## Symptoms', 'TODO', '') + MITIGATION;
    const r = await check({ 'ops/playbook.md': text });
    expect(r.score).toBe(2.8); // 5 × 0.55
    expect(r.status).toBe('fail');
    expect(withPath(r.findings, 'ops/playbook.md')).toEqual([
      { rule: 'runbook-incomplete', severity: 'low', path: 'ops/playbook.md', line: 3, message: 'runbook covers only mitigation; add symptoms, diagnosis, escalation' },
    ]);
    expect(r.summary).toBe('1 runbook (0 complete); no alert rules; no on-call route');
  });

  it('files are found by name (runbook/playbook) or by a runbooks/ or playbooks/ directory, in any doc format', async () => {
    const r = await check({
      'docs/runbooks/db-failover.rst': 'Database failover\n=================\n\nSymptoms\n--------\n\nReplication lag on the primary climbs past thirty seconds and writes start timing out for every tenant.\n',
      'playbooks/cache.txt': THOROUGH_NO_ESCALATION,
      'docs/Payments-Runbook.adoc': '= Payments\n\n== Mitigation\n\nRestart the settlement worker and replay the dead letter queue from the last checkpoint in the ledger.\n',
      'docs/runbook-notes.json': '{"not": "a document"}\n',
    });
    // rst: partial (symptoms), txt: thorough, adoc: partial (mitigation); the .json file is not a document.
    expect(r.summary).toBe('3 runbooks (1 complete); no alert rules; no on-call route');
    expect(r.score).toBe(5); // best document counts: 5 × 1, no on-call
    expect(withPath(r.findings, 'docs/runbooks/db-failover.rst')).toEqual([
      { rule: 'runbook-incomplete', severity: 'low', path: 'docs/runbooks/db-failover.rst', line: 1, message: 'runbook covers only symptoms; add diagnosis, mitigation, escalation' },
    ]);
    expect(withPath(r.findings, 'docs/Payments-Runbook.adoc')[0]?.message).toBe('runbook covers only mitigation; add symptoms, diagnosis, escalation');
  });

  it('a runbook template is reported as such and not counted, and its escalation section is not an on-call route', async () => {
    const r = await check({ 'docs/runbooks/_template.md': THOROUGH, 'RUNBOOK_TEMPLATE.md': THOROUGH });
    expect(r.score).toBe(0);
    expect(r.summary).toBe('no runbooks; no alert rules; no on-call route');
    expect(r.findings[0]).toEqual({ rule: 'no-runbook', severity: 'high', message: NO_RUNBOOK });
    expect(r.findings.filter((f) => f.message === 'runbook template, not counted as a runbook').map((f) => [f.path, f.severity, f.line])).toEqual([
      ['RUNBOOK_TEMPLATE.md', 'info', 1],
      ['docs/runbooks/_template.md', 'info', 1],
    ]);
    expect(messages(r.findings)).toContain(NO_ONCALL);
  });

  it('a template next to a real runbook leaves the real one counted', async () => {
    const r = await check({ 'docs/runbooks/template.md': STUB, 'docs/runbooks/payments.md': THOROUGH });
    expect(r.summary).toBe('1 runbook (1 complete); no alert rules; on-call via "Escalation" section in docs/runbooks/payments.md');
    expect(r.score).toBe(7);
  });

  it('runbooks and alert rules under vendor/, node_modules/, examples/ (and other vendored dirs) are ignored', async () => {
    const rules = lines('groups:', '  - name: vendored', '    rules:', '      - alert: VendoredAlert', '        expr: up == 0');
    const r = await check({
      'vendor/github.com/acme/lib/RUNBOOK.md': THOROUGH,
      'node_modules/some-pkg/docs/runbooks/pkg.md': THOROUGH,
      'examples/runbooks/example.md': THOROUGH,
      'third_party/thing/playbook.md': THOROUGH,
      'examples/alerts.yaml': rules,
      'vendor/prometheus/rules.yaml': rules,
      'node_modules/x/catalog-info.yaml': CATALOG_PAGERDUTY,
    });
    expect(r.score).toBe(0);
    expect(r.summary).toBe('no runbooks; no alert rules; no on-call route');
    expect(r.findings.filter((f) => f.path !== undefined)).toEqual([]);
  });

  it('a binary file named runbook.md is reported as unreadable, without a crash', async () => {
    const binary = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    const r = await check({ 'docs/runbook.md': binary });
    expect(r.status).toBe('fail');
    expect(r.score).toBe(0);
    expect(withPath(r.findings, 'docs/runbook.md')).toEqual([{ rule: 'unreadable-file', severity: 'low', path: 'docs/runbook.md', message: 'could not read this file (binary)' }]);
    expect(r.findings[0]).toEqual({ rule: 'no-runbook', severity: 'high', message: NO_RUNBOOK });
  });

  it('files over maxFileBytes are reported as unreadable (runbooks and rule text files), without a crash', async () => {
    const mixin = "{ alert: 'Big', expr: 'up == 0' }\n".repeat(10);
    const r = await check({ 'RUNBOOK.md': THOROUGH, 'mixin/alerts.libsonnet': mixin }, { maxFileBytes: 64 });
    const size = Buffer.byteLength(THOROUGH);
    expect(withPath(r.findings, 'RUNBOOK.md')).toEqual([{ rule: 'unreadable-file', severity: 'low', path: 'RUNBOOK.md', message: `could not read this file (too-large: ${size} bytes, limit 64)` }]);
    expect(withPath(r.findings, 'mixin/alerts.libsonnet')).toEqual([
      { rule: 'unreadable-file', severity: 'low', path: 'mixin/alerts.libsonnet', message: `could not read this file (too-large: ${Buffer.byteLength(mixin)} bytes, limit 64)` },
    ]);
    expect(r.summary).toBe('no runbooks; no alert rules; no on-call route');
    expect(r.score).toBe(0);
  });

  it('a heading followed by a very long run of spaces is read in linear time', async () => {
    // Used to backtrack cubically in the ATX heading pattern: 20,000 spaces took minutes.
    const text = '## Mitigation' + ' '.repeat(20_000) + 'x\n\nRoll back the last deploy and drain the failing zone before anything else happens today.\n';
    // CPU time, not the wall clock: other processes on a busy machine cannot make it look slow.
    const started = process.cpuUsage();
    const verdict = analyseDocument('RUNBOOK.md', text, 12);
    expect(cpuMs(started)).toBeLessThan(1000);
    expect(verdict.sections.map((s) => s.category)).toEqual(['mitigation']);
    expect(verdict.covered).toEqual(['mitigation']);
  });
});

describe('runbooks: alert rules', () => {
  const PROM_RULES = lines(
    'groups:', //                                                        1
    '  - name: payments', //                                             2
    '    rules:', //                                                     3
    '      - record: job:http_requests:rate5m', //                       4
    '        expr: sum by (job) (rate(http_requests_total[5m]))', //     5
    '      - alert: PaymentsErrorRate', //                               6
    '        expr: job:http_errors:ratio5m > 0.05', //                   7
    '        for: 5m', //                                                8
    '        annotations:', //                                           9
    '          summary: Error rate above 5%', //                         10
    '          runbook_url: ../../docs/runbooks/payments-api.md', //     11
    '      - alert: PaymentsLatencyHigh', //                             12
    '        expr: histogram_quantile(0.99, x) > 2', //                  13
    '        annotations:', //                                           14
    '          runbook_url: https://runbooks.example.com/payments/latency', // 15
    '      - alert: PaymentsQueueBacklog', //                            16
    '        expr: queue_depth > 1000', //                               17
    '        labels:', //                                                18
    '          severity: page', //                                       19
  );

  it('counts alerts (not recording rules), reports each alert without a link at its rule line, and scores coverage', async () => {
    const r = await check({ 'deploy/prometheus/alerts.yaml': PROM_RULES, 'docs/runbooks/payments-api.md': THOROUGH });
    expect(r.summary).toBe(
      '1 runbook (1 complete); 2/3 alerts link a runbook (1 outside this repository, not verified); on-call via "Escalation" section in docs/runbooks/payments-api.md; capped at warn: alert coverage below 80%',
    );
    expect(r.findings[0]).toEqual({ rule: 'alert-without-runbook', severity: 'high', message: 'only 2 of 3 alerts link a runbook (67%, expected at least 80%)' });
    expect(withPath(r.findings, 'deploy/prometheus/alerts.yaml')).toEqual([
      { rule: 'alert-without-runbook', severity: 'medium', path: 'deploy/prometheus/alerts.yaml', line: 16, message: 'alert PaymentsQueueBacklog has no runbook_url annotation' },
    ]);
    expect(r.score).toBe(9); // 3 + (2/3) × 3 + 2 × 1 + on-call (1 + 1) = 9: a pass by score, capped at warn by coverage
    expect(r.status).toBe('warn');
    expect(messages(r.findings)).not.toContain(NO_ALERTS);
  });

  it('minAlertCoverage moves the coverage finding and the cap, not the score', async () => {
    const r = await check({ 'deploy/prometheus/alerts.yaml': PROM_RULES, 'docs/runbooks/payments-api.md': THOROUGH }, { options: { minAlertCoverage: 0.6 } });
    expect(r.score).toBe(9);
    expect(r.status).toBe('pass');
    expect(r.summary).not.toContain('capped');
    expect(r.findings.some((f) => f.message.startsWith('only '))).toBe(false);
  });

  it('the coverage cap only lowers a pass: a warn or fail by score is left as it is, without the cap note', async () => {
    // 3 + 2/3 coverage (2) + partial runbook (2 × 0.55) + no on-call = 6.1: warn by score already.
    const r = await check({ 'deploy/prometheus/alerts.yaml': PROM_RULES, 'docs/runbooks/payments-api.md': '# R\n\n' + MITIGATION });
    expect(r.score).toBe(6.1);
    expect(r.status).toBe('warn');
    expect(r.summary).not.toContain('capped');
    const fail = await check({ 'deploy/prometheus/alerts.yaml': PROM_RULES, 'docs/runbooks/payments-api.md': '# R\n\n' + MITIGATION }, { options: { warnAt: 7 } });
    expect(fail.status).toBe('fail');
    expect(fail.summary).not.toContain('capped');
  });

  it('reads PrometheusRule manifests (spec.groups), with lines counted across YAML documents', async () => {
    const manifest = lines(
      'apiVersion: v1', //                                  1
      'kind: ConfigMap', //                                 2
      'metadata: { name: unrelated }', //                   3
      '---', //                                             4
      'apiVersion: monitoring.coreos.com/v1', //            5
      'kind: PrometheusRule', //                            6
      'metadata:', //                                       7
      '  name: payments-api', //                            8
      'spec:', //                                           9
      '  groups:', //                                       10
      '    - name: payments.rules', //                      11
      '      rules:', //                                    12
      '        - alert: PaymentsDown', //                   13
      '          expr: up{job="payments"} == 0', //         14
      '          annotations:', //                          15
      '            runbook_url: https://runbooks.example.com/payments-down', // 16
      '        - alert: PaymentsCertExpiry', //             17
      '          expr: cert_expiry_seconds < 86400', //     18
    );
    const r = await check({ 'k8s/payments/prometheusrule.yaml': manifest, 'RUNBOOK.md': THOROUGH });
    expect(r.summary).toContain('1/2 alerts link a runbook (1 outside this repository, not verified)');
    expect(withPath(r.findings, 'k8s/payments/prometheusrule.yaml')).toEqual([
      { rule: 'alert-without-runbook', severity: 'medium', path: 'k8s/payments/prometheusrule.yaml', line: 17, message: 'alert PaymentsCertExpiry has no runbook_url annotation' },
    ]);
    expect(r.score).toBe(8.5); // 3 + 0.5 × 3 + 2 + on-call (1 + 1)
  });

  it('reads Grafana alert provisioning (apiVersion: 1, rules with title and condition/data)', async () => {
    const grafana = lines(
      'apiVersion: 1', //                                  1
      'groups:', //                                        2
      '  - orgId: 1', //                                   3
      '    name: payments', //                             4
      '    folder: Payments', //                           5
      '    interval: 1m', //                               6
      '    rules:', //                                     7
      '      - uid: pay-5xx', //                           8
      '        title: Payments 5xx ratio', //              9
      '        condition: C', //                           10
      '        data:', //                                  11
      '          - refId: A', //                           12
      '            datasourceUid: prometheus', //          13
      '        annotations:', //                           14
      '          runbook_url: /docs/runbooks/payments-api.md', // 15
      '      - uid: pay-lag', //                           16
      '        title: Settlement lag', //                  17
      '        data: []', //                               18
      '      - uid: not-a-rule', //                        19
      '        title: Just a title', //                    20
    );
    const r = await check({ 'grafana/provisioning/alerting/payments.yaml': grafana, 'docs/runbooks/payments-api.md': THOROUGH });
    expect(r.summary).toContain('; 1/2 alerts link a runbook;');
    expect(withPath(r.findings, 'grafana/provisioning/alerting/payments.yaml')).toEqual([
      { rule: 'alert-without-runbook', severity: 'medium', path: 'grafana/provisioning/alerting/payments.yaml', line: 16, message: 'alert Settlement lag has no runbook_url annotation' },
    ]);
  });

  it('reads Jsonnet mixins heuristically: inline runbook_url per alert, with exact lines', async () => {
    const mixin = lines(
      '{', //                                                                  1
      '  prometheusAlerts+:: {', //                                            2
      '    groups+: [{', //                                                    3
      "      name: 'payments',", //                                            4
      '      rules: [', //                                                     5
      '        {', //                                                          6
      "          alert: 'PaymentsDown',", //                                   7
      "          expr: 'up == 0',", //                                         8
      "          annotations: { runbook_url: 'https://runbooks.example.com/payments-down' },", // 9
      '        },', //                                                         10
      '        {', //                                                          11
      "          alert: 'PaymentsSlow',", //                                   12
      "          expr: 'latency_seconds > 1',", //                             13
      '        },', //                                                         14
      '      ],', //                                                           15
      '    }],', //                                                            16
      '  },', //                                                               17
      '}', //                                                                  18
    );
    const r = await check({ 'mixin/alerts.libsonnet': mixin, 'RUNBOOK.md': THOROUGH });
    expect(r.summary).toContain('1/2 alerts link a runbook (1 outside this repository, not verified)');
    expect(withPath(r.findings, 'mixin/alerts.libsonnet')).toEqual([
      { rule: 'alert-without-runbook', severity: 'medium', path: 'mixin/alerts.libsonnet', line: 12, message: 'alert PaymentsSlow has no runbook_url annotation' },
    ]);
  });

  it('a mixin that adds runbook links from runbookURLPattern covers every alert', async () => {
    const mixin = lines(
      '{',
      "  _config+:: { runbookURLPattern: 'https://runbooks.example.com/%s' },",
      "  prometheusAlerts+:: { groups+: [{ name: 'p', rules: [",
      '    {',
      "      alert: 'PaymentsDown',",
      "      expr: 'up == 0',",
      '    },',
      '    {',
      "      alert: 'PaymentsSlow',",
      "      expr: 'latency > 1',",
      '    },',
      '  ] }] },',
      '}',
    );
    const r = await check({ 'mixin/mixin.libsonnet': mixin, 'RUNBOOK.md': THOROUGH });
    expect(r.summary).toContain('2/2 alerts link a runbook (2 outside this repository, not verified)');
    expect(r.score).toBe(10);
    // The pattern becomes each alert's runbook_url annotation: nothing to note.
    expect(withPath(r.findings, 'mixin/mixin.libsonnet')).toEqual([]);
  });

  it('a .rules text file reports the alert line even after blank and whitespace-only lines', async () => {
    const rules = lines('groups:', '- name: a', '  rules:', '  - alert: A', '    expr: x', '', '', '  - alert: B', '    expr: y', '    ', '  - alert: C', '    expr: z');
    const r = await check({ 'prometheus/app.rules': rules, 'RUNBOOK.md': THOROUGH });
    expect(withPath(r.findings, 'prometheus/app.rules').map((f) => [f.message, f.line])).toEqual([
      ['alert A has no runbook_url annotation', 4],
      ['alert B has no runbook_url annotation', 8],
      ['alert C has no runbook_url annotation', 11],
    ]);
  });

  it('thousands of blank lines in a rule text file are read quickly', async () => {
    const text = 'groups:\n' + '\n'.repeat(20_000) + '  - alert: Late\n';
    const started = process.cpuUsage();
    const r = await check({ 'prometheus/late.rules': text, 'RUNBOOK.md': THOROUGH });
    expect(cpuMs(started)).toBeLessThan(4000);
    expect(withPath(r.findings, 'prometheus/late.rules')).toEqual([
      { rule: 'alert-without-runbook', severity: 'medium', path: 'prometheus/late.rules', line: 20_002, message: 'alert Late has no runbook_url annotation' },
    ]);
  });

  it('a Helm-templated PrometheusRule with several documents is read once, without duplicate alerts', async () => {
    const helm = lines(
      '{{- if .Values.rules.enabled }}', //                   1
      'apiVersion: monitoring.coreos.com/v1', //              2
      'kind: PrometheusRule', //                              3
      'metadata:', //                                         4
      '  name: {{ include "payments.fullname" . }}', //       5
      'spec:', //                                             6
      '  groups:', //                                         7
      '    - name: a', //                                     8
      '      rules:', //                                      9
      '        - alert: HighErrorRate', //                    10
      '          expr: x > 1', //                             11
      '          annotations:', //                            12
      '            runbook_url: {{ .Values.runbookBase }}/high-error-rate.md', // 13
      '{{- end }}', //                                        14
      '---', //                                               15
      '{{- if .Values.rules.enabled }}', //                   16
      'apiVersion: monitoring.coreos.com/v1', //              17
      'kind: PrometheusRule', //                              18
      'spec:', //                                             19
      '  groups:', //                                         20
      '    - name: b', //                                     21
      '      rules:', //                                      22
      '        - alert: QueueStuck', //                       23
      '          expr: y', //                                 24
      '{{- end }}', //                                        25
    );
    const r = await check({ 'chart/templates/prometheusrule.yaml': helm, 'RUNBOOK.md': THOROUGH });
    expect(r.summary).toContain('1/2 alerts link a runbook (1 outside this repository, not verified)');
    expect(withPath(r.findings, 'chart/templates/prometheusrule.yaml')).toEqual([
      { rule: 'alert-without-runbook', severity: 'medium', path: 'chart/templates/prometheusrule.yaml', line: 23, message: 'alert QueueStuck has no runbook_url annotation' },
    ]);
  });

  it('accepts variant keys (runbook:, and in labels) with an info finding naming the key', async () => {
    const rules = lines(
      'groups:', //                                          1
      '  - name: payments', //                               2
      '    rules:', //                                       3
      '      - alert: PaymentsDown', //                      4
      '        expr: up == 0', //                            5
      '        annotations:', //                             6
      '          runbook: https://runbooks.example.com/down', // 7
      '      - alert: PaymentsSlow', //                      8
      '        expr: latency > 1', //                        9
      '        labels:', //                                  10
      '          runbookUrl: https://runbooks.example.com/slow', // 11
    );
    const r = await check({ 'alerts/payments.yml': rules, 'RUNBOOK.md': THOROUGH });
    expect(r.summary).toContain('2/2 alerts link a runbook');
    expect(r.score).toBe(10);
    expect(withPath(r.findings, 'alerts/payments.yml')).toEqual([
      { rule: 'nonstandard-runbook-key', severity: 'info', path: 'alerts/payments.yml', line: 4, message: 'alert PaymentsDown uses "runbook"; "runbook_url" is the key Alertmanager templates and tools expect' },
      { rule: 'nonstandard-runbook-key', severity: 'info', path: 'alerts/payments.yml', line: 8, message: 'alert PaymentsSlow uses "runbookUrl"; "runbook_url" is the key Alertmanager templates and tools expect' },
    ]);
  });

  it('an empty runbook_url counts as missing', async () => {
    const rules = lines('groups:', '  - name: p', '    rules:', '      - alert: Empty', '        annotations:', '          runbook_url: "  "');
    const r = await check({ 'alerts/p.yaml': rules, 'RUNBOOK.md': THOROUGH });
    expect(withPath(r.findings, 'alerts/p.yaml')).toEqual([{ rule: 'alert-without-runbook', severity: 'medium', path: 'alerts/p.yaml', line: 4, message: 'alert Empty has no runbook_url annotation' }]);
    expect(r.score).toBe(7); // 3 + 0 + 2 + on-call (1 + 1)
    expect(r.status).toBe('warn');
  });

  it('malformed YAML in an alert rules file is a finding with path and line; other files are still read', async () => {
    const broken = lines(
      'groups:', //                     1
      '  - name: payments', //          2
      '    rules:', //                  3
      '      - alert: PaymentsDown', // 4
      '        expr: up == 0', //       5
      '       for: 5m', //              6  (one space short)
    );
    const good = lines('groups:', '  - name: ok', '    rules:', '      - alert: Fine', '        annotations:', '          runbook_url: https://runbooks.example.com/fine');
    const r = await check({ 'alerts/broken.yaml': broken, 'alerts/good.yaml': good, 'RUNBOOK.md': THOROUGH, 'config/app.yaml': 'key: [unclosed\n' });
    expect(r.status).toBe('pass');
    expect(r.score).toBe(10);
    expect(r.summary).toContain('1/1 alerts link a runbook');
    const broke = withPath(r.findings, 'alerts/broken.yaml');
    expect(broke).toHaveLength(1);
    expect(broke[0]).toMatchObject({ severity: 'medium', path: 'alerts/broken.yaml', line: 6 });
    expect(broke[0]!.message).toMatch(/^malformed YAML, alerts in this file cannot be read: \S/);
    // Malformed YAML that does not look like alerting config is not this check's business.
    expect(withPath(r.findings, 'config/app.yaml')).toEqual([]);
  });
});

describe('runbooks: links', () => {
  const rule = (value: string) => lines('groups:', '  - name: p', '    rules:', '      - alert: PaymentsDown', '        expr: up == 0', '        annotations:', `          runbook_url: ${JSON.stringify(value)}`);

  it.each([
    ['relative to the rule file', '../../docs/runbooks/payments-api.md'],
    ['relative to the repository root (fallback)', 'docs/runbooks/payments-api.md'],
    ['absolute from the repository root', '/docs/runbooks/payments-api.md'],
    ['with a fragment', '../../docs/runbooks/payments-api.md#mitigation'],
    ['to the runbooks directory', '../../docs/runbooks/'],
  ])('a link %s to an existing file resolves', async (_, value) => {
    const r = await check({ 'deploy/prometheus/rules.yaml': rule(value), 'docs/runbooks/payments-api.md': THOROUGH });
    expect(r.summary).toContain('; 1/1 alerts link a runbook;'); // resolved inside the repo, not "outside"
    expect(r.score).toBe(10);
    expect(withPath(r.findings, 'deploy/prometheus/rules.yaml')).toEqual([]);
  });

  it('a bare path is tried beside the rule file before the repository root', async () => {
    const r = await check({ 'deploy/prometheus/rules.yaml': rule('payments-down.md'), 'deploy/prometheus/payments-down.md': THOROUGH });
    expect(r.summary).toContain('; 1/1 alerts link a runbook;');
    expect(withPath(r.findings, 'deploy/prometheus/rules.yaml')).toEqual([]);
  });

  it('an explicit ./ link is relative to the rule file only, with no fallback to the root', async () => {
    const r = await check({ 'deploy/prometheus/rules.yaml': rule('./docs/runbooks/payments-api.md'), 'docs/runbooks/payments-api.md': THOROUGH });
    const oid = r.snapshot.head.oid.slice(0, 7);
    expect(withPath(r.findings, 'deploy/prometheus/rules.yaml')).toEqual([
      {
        rule: 'broken-runbook-link', severity: 'high',
        path: 'deploy/prometheus/rules.yaml',
        line: 4,
        message: `alert PaymentsDown: runbook link "./docs/runbooks/payments-api.md" points to deploy/prometheus/docs/runbooks/payments-api.md, which does not exist in this repository at ${oid}`,
      },
    ]);
  });

  it('a missing bare path is reported at its repository-root location', async () => {
    const r = await check({ 'deploy/prometheus/rules.yaml': rule('docs/runbooks/gone.md#steps'), 'RUNBOOK.md': THOROUGH });
    expect(withPath(r.findings, 'deploy/prometheus/rules.yaml')[0]?.message).toBe(
      `alert PaymentsDown: runbook link "docs/runbooks/gone.md#steps" points to docs/runbooks/gone.md, which does not exist in this repository at ${r.snapshot.head.oid.slice(0, 7)}`,
    );
  });

  it('a relative link to a missing file is a high finding naming the missing path and the commit', async () => {
    const r = await check({ 'deploy/prometheus/rules.yaml': rule('../../docs/runbooks/payments-down.md'), 'docs/runbooks/payments-api.md': THOROUGH });
    const oid = r.snapshot.head.oid.slice(0, 7);
    expect(withPath(r.findings, 'deploy/prometheus/rules.yaml')).toEqual([
      {
        rule: 'broken-runbook-link', severity: 'high',
        path: 'deploy/prometheus/rules.yaml',
        line: 4,
        message: `alert PaymentsDown: runbook link "../../docs/runbooks/payments-down.md" points to docs/runbooks/payments-down.md, which does not exist in this repository at ${oid}`,
      },
    ]);
    expect(r.summary).toContain('0/1 alerts link a runbook');
    expect(r.findings[0]).toEqual({ rule: 'alert-without-runbook', severity: 'high', message: 'only 0 of 1 alerts link a runbook (0%, expected at least 80%)' });
    expect(r.score).toBe(7); // a broken link does not count as coverage: 3 + 0 + 2 + 2
  });

  it('a GitHub blob URL into this repository resolves against its files', async () => {
    const name = 'payments-blob-ok';
    const url = `https://github.com/acme/${name}/blob/main/docs/runbooks/payments-api.md#diagnosis`;
    const r = await check({ 'alerts/rules.yaml': rule(url), 'docs/runbooks/payments-api.md': THOROUGH }, { name });
    expect(r.snapshot.identity.webUrl).toBe(`https://github.com/acme/${name}`);
    expect(r.summary).toContain('; 1/1 alerts link a runbook;');
    expect(r.score).toBe(10);
  });

  it('a GitHub blob URL into this repository that does not resolve is a high finding', async () => {
    const name = 'payments-blob-missing';
    const url = `https://github.com/acme/${name}/blob/main/docs/runbooks/gone.md`;
    const r = await check({ 'alerts/rules.yaml': rule(url), 'docs/runbooks/payments-api.md': THOROUGH }, { name });
    const f = withPath(r.findings, 'alerts/rules.yaml');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'high', line: 4 });
    expect(f[0]!.message).toBe(`alert PaymentsDown: runbook link "${url}" points to docs/runbooks/gone.md, which does not exist in this repository at ${r.snapshot.head.oid.slice(0, 7)}`);
  });

  it('a blob URL with a stray "%" is judged, not a crash', async () => {
    const name = 'payments-percent';
    const url = `https://github.com/acme/${name}/blob/main/docs/runbooks/disk-90%-full.md`;
    const r = await check({ 'alerts/rules.yaml': rule(url), 'docs/runbooks/disk-90%-full.md': THOROUGH }, { name });
    expect(r.summary).toContain('; 1/1 alerts link a runbook;');
  });

  it('a URL-encoded blob path is decoded before lookup', async () => {
    const name = 'payments-encoded';
    const url = `https://github.com/acme/${name}/blob/main/docs/runbooks/payments%20api.md`;
    const r = await check({ 'alerts/rules.yaml': rule(url), 'docs/runbooks/payments api.md': THOROUGH }, { name });
    expect(r.summary).toContain('; 1/1 alerts link a runbook;');
  });

  it('a link to another repository on the same host is external, not verified', async () => {
    const r = await check({ 'alerts/rules.yaml': rule('https://github.com/acme/runbooks/blob/main/payments.md'), 'RUNBOOK.md': THOROUGH });
    expect(r.summary).toContain('1/1 alerts link a runbook (1 outside this repository, not verified)');
    expect(r.score).toBe(10);
  });

  it('an external URL is accepted and counted as outside the repository', async () => {
    const r = await check({ 'alerts/rules.yaml': rule('https://wiki.example.com/display/OPS/Payments+Down'), 'RUNBOOK.md': THOROUGH });
    expect(r.summary).toContain('1/1 alerts link a runbook (1 outside this repository, not verified)');
    expect(withPath(r.findings, 'alerts/rules.yaml')).toEqual([]);
  });

  it.each([['{{ $labels.runbook }}'], ['https://runbooks.example.com/{{ $labels.alertname }}'], ['%(runbookBase)s/down']])('a templated link %s is accepted', async (value) => {
    const r = await check({ 'alerts/rules.yaml': rule(value), 'RUNBOOK.md': THOROUGH });
    expect(r.summary).toContain('1/1 alerts link a runbook (1 outside this repository, not verified)');
    expect(withPath(r.findings, 'alerts/rules.yaml')).toEqual([]);
  });
});

describe('runbooks: on-call route', () => {
  it('a PagerDuty annotation in catalog-info.yaml is an on-call route, with its line', async () => {
    const r = await check({ 'catalog-info.yaml': CATALOG_PAGERDUTY, 'RUNBOOK.md': THOROUGH_NO_ESCALATION });
    expect(r.summary).toBe('1 runbook (1 complete); no alert rules; on-call via pagerduty.com/service-id annotation in catalog-info.yaml');
    expect(messages(r.findings)).not.toContain(NO_ONCALL);
    expect(r.score).toBe(7); // 5 × 1 + on-call (1 + 1)
  });

  it('the same annotation outside a Backstage entity, or with an empty value, is not a route', async () => {
    const deployment = CATALOG_PAGERDUTY.replace('backstage.io/v1alpha1', 'apps/v1').replace('kind: Component', 'kind: Deployment');
    const empty = CATALOG_PAGERDUTY.replace('PX1ABCD', '""');
    const r = await check({ 'k8s/deployment.yaml': deployment, 'catalog-info.yaml': empty, 'RUNBOOK.md': THOROUGH_NO_ESCALATION });
    expect(r.summary).toBe('1 runbook (1 complete); no alert rules; no on-call route');
    expect(r.findings.at(-1)).toEqual({ rule: 'no-escalation-route', severity: 'medium', message: NO_ONCALL });
    expect(r.score).toBe(5);
  });

  it('an Alertmanager receiver with pagerduty_configs is an on-call route', async () => {
    const am = lines(
      'route:', //                                 1
      '  receiver: payments-pager', //             2
      'receivers:', //                             3
      '  - name: slack', //                        4
      '    slack_configs:', //                     5
      '      - channel: "#payments"', //           6
      '  - name: payments-pager', //               7
      '    pagerduty_configs:', //                 8
      '      - routing_key: abc123', //            9
    );
    const r = await check({ 'alertmanager/alertmanager.yml': am, 'RUNBOOK.md': THOROUGH_NO_ESCALATION });
    expect(r.summary).toBe('1 runbook (1 complete); no alert rules; on-call via Alertmanager receiver with pagerduty_configs in alertmanager/alertmanager.yml');
    expect(r.score).toBe(7);
  });

  it('an escalation section in an on-call document (not only a runbook) is a route', async () => {
    const oncall = lines('# On-call', '', '## Escalation policy', '', 'Page the primary first; after fifteen minutes without acknowledgement page the secondary, then the team lead.');
    const r = await check({ 'docs/ONCALL.md': oncall, 'RUNBOOK.md': THOROUGH_NO_ESCALATION });
    expect(r.summary).toBe('1 runbook (1 complete); no alert rules; on-call via "Escalation policy" section in docs/ONCALL.md');
    expect(r.score).toBe(7);
  });

  it('without any route there is a medium finding and the on-call part of the score is lost', async () => {
    const r = await check({ 'RUNBOOK.md': THOROUGH_NO_ESCALATION });
    expect(r.summary).toBe('1 runbook (1 complete); no alert rules; no on-call route');
    expect(r.findings.filter((f) => f.severity === 'medium')).toEqual([{ rule: 'no-escalation-route', severity: 'medium', message: NO_ONCALL }]);
    expect(r.score).toBe(5); // 5 × 1 + 0
    expect(r.status).toBe('warn');
  });
});

describe('runbooks: applicability', () => {
  it.each(['library', 'other'] as const)('is not applicable to a %s (score null, no findings)', async (kind) => {
    const r = await check({ 'RUNBOOK.md': THOROUGH }, { kind });
    expect(r.status).toBe('not-applicable');
    expect(r.score).toBeNull();
    expect(r.findings).toEqual([]);
    expect(r.summary).toBe(`This repository is a ${kind} (detected): it runs nothing in production, so nobody is paged for it.`);
  });

  it.each(['service', 'infrastructure'] as const)('applies to %s repositories', async (kind) => {
    const r = await check({ 'RUNBOOK.md': THOROUGH_NO_ESCALATION }, { kind });
    expect(r.status).toBe('warn');
    expect(r.score).toBe(5);
  });
});

describe('runbooks: score formula', () => {
  it('a perfect repository scores 10, passes, and has no findings', async () => {
    const rules = lines(
      'groups:',
      '  - name: payments',
      '    rules:',
      '      - alert: PaymentsDown',
      '        annotations:',
      '          runbook_url: ../docs/runbooks/payments-down.md',
      '      - alert: PaymentsSlow',
      '        annotations:',
      '          runbook_url: https://github.com/acme/perfect/blob/main/docs/runbooks/payments-slow.md',
    );
    const r = await check(
      { 'alerts/payments.yaml': rules, 'docs/runbooks/payments-down.md': THOROUGH, 'docs/runbooks/payments-slow.md': THOROUGH, 'catalog-info.yaml': CATALOG_PAGERDUTY },
      { name: 'perfect' },
    );
    expect(r.score).toBe(10);
    expect(r.status).toBe('pass');
    expect(r.findings).toEqual([]);
    expect(r.summary).toBe('2 runbooks (2 complete); 2/2 alerts link a runbook; on-call via pagerduty.com/service-id annotation in catalog-info.yaml');
  });

  it.each([
    // [description, runbook text, with catalog on-call, expected score, expected status]
    ['complete runbook (5 × 0.85) + on-call (1 + 0.85)', '# R\n\n' + SYMPTOMS + DIAGNOSIS, true, 6.1, 'warn'],
    ['thorough runbook (5 × 1), no on-call', THOROUGH_NO_ESCALATION, false, 5, 'warn'],
    ['partial runbook (5 × 0.55) + on-call (1 + 0.55)', '# R\n\n' + MITIGATION, true, 4.3, 'fail'],
    ['stub runbook (5 × 0.1) + on-call (1 + 0.1)', STUB, true, 1.6, 'fail'],
    ['no runbook, on-call only (1)', null, true, 1, 'fail'],
  ] as const)('without alert rules, documents weigh 5 and an on-call route 1 plus the documents: %s', async (_, runbook, onCall, score, status) => {
    const files: Record<string, FixtureFile> = { 'src/main.go': 'package main\n' };
    if (runbook !== null) files['RUNBOOK.md'] = runbook;
    if (onCall) files['catalog-info.yaml'] = CATALOG_PAGERDUTY;
    const r = await check(files);
    expect(r.score).toBe(score);
    expect(r.status).toBe(status);
  });

  it('with alert rules the parts add up: 3 for alerting + coverage × 3 + documents × 2 + on-call (1 + the better of coverage and documents)', async () => {
    const rules = lines('groups:', '  - name: p', '    rules:', '      - alert: A', '        annotations: { runbook_url: RUNBOOK.md }', '      - alert: B');
    // 3 + half the alerts linked (1.5) + partial runbook (2 × 0.55) + no on-call (0) = 5.6
    const files = { 'alerts/p.yaml': rules, 'RUNBOOK.md': '# R\n\n' + MITIGATION };
    const r = await check(files);
    expect(r.score).toBe(5.6);
    expect(r.status).toBe('warn');
    const strictWarn = await check(files, { options: { warnAt: 6 } });
    expect(strictWarn.status).toBe('fail');
    // + on-call (1 + max(0.5, 0.55)) = 7.2
    const lenient = await check({ ...files, 'catalog-info.yaml': CATALOG_PAGERDUTY }, { options: { passAt: 7 } });
    expect(lenient.score).toBe(7.2);
    expect(lenient.status).toBe('warn'); // a pass by score, capped by coverage (50%)
  });

  it('alerts without any runbook are worth about 3, as experts score them; with a pager, a little more', async () => {
    const rules = lines('groups:', '  - name: p', '    rules:', '      - alert: A', '        expr: up == 0', '      - alert: B', '        expr: up == 0');
    const bare = await check({ 'alerts/p.yaml': rules });
    expect(bare.score).toBe(3);
    expect(bare.status).toBe('fail');
    const paged = await check({ 'alerts/p.yaml': rules, 'catalog-info.yaml': CATALOG_PAGERDUTY });
    expect(paged.score).toBe(4); // a pager with nothing to follow adds 1
    expect(paged.status).toBe('fail');
  });

  it('minSectionWords decides when a short section stops being a stub', async () => {
    const short = lines('# R', '## Symptoms', 'Checkout fails with 502 errors.', '## Diagnosis', 'Check the payments dashboard first.', '## Mitigation', 'Roll back the last deploy.');
    const strict = await check({ 'RUNBOOK.md': short });
    expect(strict.summary).toBe('1 runbook (0 complete, 1 stub); no alert rules; no on-call route');
    const lenient = await check({ 'RUNBOOK.md': short }, { options: { minSectionWords: 4 } });
    expect(lenient.summary).toBe('1 runbook (1 complete); no alert rules; no on-call route');
    expect(lenient.score).toBe(5);
  });

  it('options are strict and bounded, with the documented defaults', () => {
    expect(runbooks.meta.options.parse({})).toEqual({ passAt: 8, warnAt: 5, minAlertCoverage: 0.8, minSectionWords: 12 });
    expect(() => runbooks.meta.options.parse({ passAt: 11 })).toThrow();
    expect(() => runbooks.meta.options.parse({ minAlertCoverage: 80 })).toThrow();
    expect(() => runbooks.meta.options.parse({ minSectionWords: 2.5 })).toThrow();
    expect(() => runbooks.meta.options.parse({ passat: 8 })).toThrow();
  });
});

// ---------------------------------------------------------------------------------------------

describe('analyseDocument (properties)', () => {
  const HEADINGS: Record<SectionCategory, string> = { symptoms: 'Symptoms', diagnosis: 'Diagnosis', mitigation: 'Mitigation', escalation: 'Escalation' };
  const QUALITIES = ['thorough', 'complete', 'partial', 'stub'];

  // Markdown-ish text: headings, underlines, placeholders, comments, lists and arbitrary noise.
  const fragment = fc.oneof(
    fc.string(),
    fc.string({ unit: 'grapheme' }),
    fc.constantFrom(
      '# Payments', '## Symptoms', '## Diagnosis', '### Mitigation ###', '## Escalation', '== Troubleshooting', 'Overview', '========', '--------', '~~~',
      'TODO', '- TBD', '1. n/a', '<!--', '-->', '<!-- hidden -->', '[link]', '<br>', '', '   ', '#', '# ', '\r',
      'Restart the worker and drain the queue before paging anyone on the team today.',
    ),
  );
  const markdown = fc.array(fragment, { maxLength: 40 }).map((parts) => parts.join('\n'));
  const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), markdown);
  const minWords = fc.integer({ min: 1, max: 30 });

  it('never throws; quality is one of four and matches the number of covered categories; covered ∪ missing is every category', () => {
    fc.assert(
      fc.property(text, minWords, (t, min) => {
        const v = analyseDocument('RUNBOOK.md', t, min);
        expect(QUALITIES).toContain(v.quality);
        expect([...v.covered, ...v.missing].sort()).toEqual([...SECTION_CATEGORIES].sort());
        expect(v.covered.filter((c) => v.missing.includes(c))).toEqual([]);
        const expected = v.covered.length >= 3 ? 'thorough' : v.covered.length === 2 ? 'complete' : v.covered.length === 1 ? 'partial' : 'stub';
        expect(v.quality).toBe(expected);
        expect(v.firstHeadingLine).toBeGreaterThanOrEqual(1);
        // A section is written when its own words (or those of its sub-sections of the same category) reach the minimum.
        for (const s of v.sections) if (s.words >= min) expect(s.substantive).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('adding a substantive section of a new category never lowers the covered categories', () => {
    fc.assert(
      fc.property(text, fc.constantFrom(...SECTION_CATEGORIES), minWords, (t, category, min) => {
        const before = analyseDocument('RUNBOOK.md', t, min);
        fc.pre(!before.covered.includes(category));
        const body = Array.from({ length: min }, (_, i) => `step${i}`).join(' ');
        const after = analyseDocument('RUNBOOK.md', `${t}\n\n## ${HEADINGS[category]}\n\n${body}\n`, min);
        expect(after.covered.length).toBeGreaterThanOrEqual(before.covered.length);
        for (const c of before.covered) expect(after.covered).toContain(c);
      }),
      { numRuns: 500 },
    );
  });

  it('outside an unclosed HTML comment or code fence, the added section is itself covered', () => {
    fc.assert(
      fc.property(markdown.filter((t) => !t.includes('<!--') && !/^\s{0,3}(```|~~~)/m.test(t)), fc.constantFrom(...SECTION_CATEGORIES), minWords, (t, category, min) => {
        const body = Array.from({ length: min }, (_, i) => `step${i}`).join(' ');
        const after = analyseDocument('RUNBOOK.md', `${t}\n\n## ${HEADINGS[category]}\n\n${body}\n`, min);
        expect(after.covered).toContain(category);
      }),
      { numRuns: 300 },
    );
  });
});

describe('runbook links the first version got wrong', () => {
  it('resolves blob URLs on branches with slashes, symlinked runbooks, and computed Jsonnet links', async () => {
    const outcome = await check(
      {
        Dockerfile: 'FROM x\n',
        'RUNBOOK.md': 'x\n',
        'docs/runbook.md': { symlink: '../RUNBOOK.md' },
        'alerts/rules.yaml': lines(
          'groups:',
          '  - name: g',
          '    rules:',
          '      - alert: OnReleaseBranch',
          '        expr: up == 0',
          '        annotations:',
          '          runbook_url: https://github.com/acme/links/blob/release/2026/RUNBOOK.md',
          '      - alert: ViaSymlink',
          '        expr: up == 0',
          '        annotations:',
          '          runbook_url: docs/runbook.md',
        ),
        'mixin/alerts.libsonnet': "{\n  alert: 'Computed',\n  annotations: {\n    runbook_url: std.format($._config.runbookURLPattern, 'computed'),\n  },\n}\n",
      },
      { name: 'links' },
    );
    expect(outcome.summary).toContain('3/3 alerts link a runbook');
    expect(outcome.findings.filter((f) => f.severity === 'high' && f.message.startsWith('alert '))).toEqual([]);
  });

  it('says so when an alert rules file is too large to read', async () => {
    const outcome = await check({ Dockerfile: 'FROM x\n', 'alerts/rules.yaml': `# ${'x'.repeat(3000)}\ngroups: []\n` }, { maxFileBytes: 1024 });
    expect(outcome.findings).toContainEqual(expect.objectContaining({ path: 'alerts/rules.yaml', message: expect.stringContaining('too-large') }));
  });
});
