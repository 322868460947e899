// The classes of mistakes the first version made on real repositories, each on a generated one:
// alerts it could not see, links it took on trust, on-call it found in ordinary words.
import { afterAll, describe, expect, it } from 'vitest';
import type { FixtureFile } from '../../fixtures/factory.ts';
import { fixtureSnapshots } from '../../tests/fixture-snapshots.ts';
import type { CheckOutcome, Finding, RepoKind, RepoSnapshot } from '../contract.ts';
import runbooks from './index.ts';

const repos = fixtureSnapshots({ namePrefix: 'cls', webUrl: 'https://github.com/acme/{name}' });
afterAll(repos.cleanup);

async function check(files: Record<string, FixtureFile>, opts: { kind?: RepoKind; name?: string } = {}): Promise<CheckOutcome & { snapshot: RepoSnapshot }> {
  const snapshot = await repos.snapshot(runbooks.meta.reads, files, opts);
  const outcome = runbooks.run(snapshot, {
    options: runbooks.meta.options.parse({}),
    kind: { kind: opts.kind ?? 'infrastructure', source: 'detected', evidence: [] },
    now: new Date('2026-11-15T00:00:00Z'),
    facts: { packages: new Map() },
  });
  return { ...outcome, snapshot };
}

const lines = (...ls: string[]): string => ls.join('\n') + '\n';
const withPath = (findings: Finding[], p: string): Finding[] => findings.filter((f) => f.path === p);
const ofRule = (findings: Finding[], rule: string): Finding[] => findings.filter((f) => f.rule === rule);

const RUNBOOK = lines(
  '# Queue runbook',
  '',
  '## Symptoms',
  '',
  'Messages wait in the settlement queue for more than ten minutes and customers see delayed receipts.',
  '',
  '## Diagnosis',
  '',
  'Open the queue dashboard, compare consumer lag per partition and read the worker logs for timeouts.',
  '',
  '## Mitigation',
  '',
  'Scale the workers to twice their count, then replay the dead letter queue once the lag is back to zero.',
);

describe('alerts defined in Terraform', () => {
  const ALARMS = lines(
    '# Alarms for the settlement service', //                                                   1
    'resource "aws_cloudwatch_metric_alarm" "queue_age" {', //                                  2
    '  alarm_name        = "settlement-${var.env}-queue-age"', //                               3
    '  alarm_description = <<-EOT', //                                                          4
    '    Oldest message older than ten minutes.', //                                            5
    '    Runbook: https://wiki.example.com/ops/settlement-queue-age', //                        6
    '  EOT', //                                                                                 7
    '  threshold         = 600', //                                                             8
    '}', //                                                                                     9
    '', //                                                                                      10
    'resource "aws_cloudwatch_metric_alarm" "cpu_legacy" {', //                                 11
    '  count      = 0', //                                                                      12
    '  alarm_name = "legacy-cpu"', //                                                           13
    '}', //                                                                                     14
    '', //                                                                                      15
    '# resource "aws_cloudwatch_metric_alarm" "commented_out" {', //                            16
    '#   alarm_name = "old"', //                                                                17
    '# }', //                                                                                   18
    '', //                                                                                      19
    'resource "google_monitoring_alert_policy" "late_data" {', //                               20
    '  display_name = "Late data"', //                                                          21
    '  documentation {', //                                                                     22
    '    content = "Data is late. Follow the steps."', //                                       23
    '    links {', //                                                                           24
    '      display_name = "Late data runbook"', //                                              25
    '      url          = "https://confluence.example.com/display/OPS/Late+data"', //           26
    '    }', //                                                                                 27
    '  }', //                                                                                   28
    '}', //                                                                                     29
    '', //                                                                                      30
    'resource "azurerm_monitor_metric_alert" "http_5xx" {', //                                  31
    '  name        = "settlement-5xx"', //                                                      32
    '  description = "More than 5% of requests fail"', //                                       33
    '}', //                                                                                     34
    '', //                                                                                      35
    'resource "datadog_monitor" "errors" {', //                                                 36
    '  name    = "Settlement errors"', //                                                       37
    '  message = <<-EOT', //                                                                    38
    '    Errors are above the threshold.', //                                                   39
    '    - Check the last deploy of the settlement service', //                                 40
    '    - Roll it back with the deploy pipeline if the errors started with it', //             41
    '  EOT', //                                                                                 42
    '}', //                                                                                     43
    '', //                                                                                      44
    'resource "grafana_rule_group" "settlement" {', //                                          45
    '  name = "settlement"', //                                                                 46
    '  rule {', //                                                                              47
    '    name = "SettlementStuck"', //                                                          48
    '    annotations = {', //                                                                   49
    '      runbook_url = "https://github.com/acme/platform/issues/80"', //                      50
    '    }', //                                                                                 51
    '  }', //                                                                                   52
    '  rule {', //                                                                              53
    '    name = "SettlementQueueAge"', //                                                       54
    '    annotations = {', //                                                                   55
    '      runbook_url = "../docs/runbooks/queue.md"', //                                       56
    '    }', //                                                                                 57
    '  }', //                                                                                   58
    '}', //                                                                                     59
    '', //                                                                                      60
    'resource "newrelic_nrql_alert_condition" "latency" {', //                                  61
    '  name        = "Settlement latency"', //                                                  62
    '  runbook_url = "https://runbooks.example.com/settlement/latency"', //                     63
    '}', //                                                                                     64
  );

  it('reads CloudWatch, GCP, Azure, Datadog, Grafana and New Relic alerts with the runbook each links', async () => {
    const r = await check({ 'terraform/alarms.tf': ALARMS, 'docs/runbooks/queue.md': RUNBOOK });
    expect(r.summary).toBe('1 runbook (1 complete); 5/7 alerts link a runbook (3 outside this repository, not verified, 1 only to an issue, 1 with steps in the alert only); no on-call route');
    expect(withPath(r.findings, 'terraform/alarms.tf')).toEqual([
      { rule: 'alert-without-runbook', severity: 'medium', path: 'terraform/alarms.tf', line: 31, message: 'alert settlement-5xx has no runbook link in its description, message or a runbook attribute' },
      { rule: 'alert-without-runbook', severity: 'low', path: 'terraform/alarms.tf', line: 36, message: 'alert Settlement errors has steps written into it but no runbook link: link the full procedure' },
      { rule: 'runbook-link-to-issue', severity: 'low', path: 'terraform/alarms.tf', line: 47, message: 'alert SettlementStuck links an issue (https://github.com/acme/platform/issues/80), not a runbook: a tracking issue is not a procedure to follow' },
    ]);
    // 3 + 3 × (3 + 1 + 0.5 + 0.75) / 7 + 2 × 1 (thorough runbook) = 7.25
    expect(r.score).toBe(7.3);
    expect(r.status).toBe('warn');
  });

  it('a URL in a description counts only when it leads to a procedure, not to a dashboard or a spreadsheet', async () => {
    const tf = lines(
      '# Update the alarm catalogue too: https://docs.google.com/spreadsheets/d/abc/edit',
      'resource "aws_cloudwatch_metric_alarm" "dashboard_only" {',
      '  alarm_description = "Latency high, see https://grafana.example.com/d/abc123/latency"',
      '}',
      'resource "aws_cloudwatch_metric_alarm" "sheet" {',
      '  alarm_description = "Listed in https://docs.google.com/spreadsheets/d/abc/edit"',
      '}',
    );
    const r = await check({ 'infra/alarms.tf': tf });
    expect(r.summary).toContain('0/2 alerts link a runbook');
    expect(r.score).toBe(3);
  });

  it('paging routes in Terraform: a PagerDuty contact point, an SNS subscription to Opsgenie, a module given PagerDuty settings', async () => {
    const contactPoint = lines('resource "grafana_contact_point" "pager" {', '  name = "pager"', '  pagerduty {', '    integration_key = var.key', '  }', '}');
    const subscription = lines('resource "aws_sns_topic_subscription" "critical_to_opsgenie" {', '  topic_arn = aws_sns_topic.critical.arn', '  protocol  = "https"', '  endpoint  = var.opsgenie_webhook', '}');
    const moduleCall = lines('module "monitoring" {', '  source           = "git::https://example.com/monitoring.git?ref=1.0"', '  pagerduty_config = var.pagerduty_config', '}');
    const variableOnly = lines('variable "pagerduty_config" {', '  type = string', '}');
    const slackOnly = lines('resource "aws_sns_topic_subscription" "to_slack" {', '  endpoint = var.slack_webhook', '}');
    for (const [tf, evidence] of [
      [contactPoint, 'on-call via Grafana contact point with pagerduty in ops/alerting.tf'],
      [subscription, 'on-call via aws_sns_topic_subscription.critical_to_opsgenie to a paging service in ops/alerting.tf'],
      [moduleCall, 'on-call via module monitoring with pagerduty_config in ops/alerting.tf'],
      [variableOnly, 'no on-call route'],
      [slackOnly, 'no on-call route'],
    ] as const) {
      const r = await check({ 'ops/alerting.tf': tf, 'docs/runbooks/queue.md': RUNBOOK });
      expect(r.summary).toContain(evidence);
    }
  });
});

describe('CloudFormation alarms and runbooks named in an alert description', () => {
  it('reads AWS::CloudWatch::Alarm resources, with a runbook URL in AlarmDescription', async () => {
    const template = lines(
      'AWSTemplateFormatVersion: "2010-09-09"', // 1
      'Resources:', //                             2
      '  QueueAgeAlarm:', //                       3
      '    Type: AWS::CloudWatch::Alarm', //       4
      '    Properties:', //                        5
      '      AlarmDescription: !Sub "Queue age in ${Env}. Runbook: https://runbooks.example.com/queue-age"', // 6
      '  ErrorsAlarm:', //                         7
      '    Type: AWS::CloudWatch::Alarm', //       8
      '    Properties:', //                        9
      '      AlarmName: settlement-errors', //     10
      '      AlarmDescription: Errors above 5%', // 11
    );
    const r = await check({ 'cloudformation/alarms.yaml': template });
    expect(r.summary).toContain('1/2 alerts link a runbook (1 outside this repository, not verified)');
    expect(withPath(r.findings, 'cloudformation/alarms.yaml')).toEqual([
      { rule: 'alert-without-runbook', severity: 'medium', path: 'cloudformation/alarms.yaml', line: 7, message: 'alert settlement-errors has no runbook link in its description, message or a runbook attribute' },
    ]);
  });

  it('a Prometheus alert whose description names a runbook URL is linked, with a note to use runbook_url', async () => {
    const rules = lines('groups:', '  - name: q', '    rules:', '      - alert: QueueAge', '        expr: age > 600', '        annotations:', '          description: "Queue is old. Runbook: https://wiki.example.com/runbooks/queue-age"');
    const r = await check({ 'prometheus/rules.yaml': rules });
    expect(r.summary).toContain('1/1 alerts link a runbook');
    expect(withPath(r.findings, 'prometheus/rules.yaml')).toEqual([
      { rule: 'nonstandard-runbook-key', severity: 'info', path: 'prometheus/rules.yaml', line: 4, message: 'alert QueueAge names its runbook in "description"; "runbook_url" is the key Alertmanager templates and tools expect' },
    ]);
  });
});

describe('repository-wide runbook URL patterns', () => {
  it('a pattern set once in a mixin config links the alerts of every file of the mixin', async () => {
    const config = lines('{', '  _config+:: {', "    runbookURLPattern: 'https://runbooks.example.com/settlement/%s',", '  },', '}');
    const alerts = lines('{', '  prometheusAlerts+:: { groups+: [{ name: "settlement", rules: [', '    {', "      alert: 'SettlementDown',", "      expr: 'up == 0',", '    },', '    {', "      alert: 'SettlementSlow',", "      expr: 'latency > 1',", '    },', '  ] }] },', '}');
    const r = await check({ 'monitoring/config.libsonnet': config, 'monitoring/alerts/settlement.libsonnet': alerts, 'docs/runbooks/queue.md': RUNBOOK });
    expect(r.summary).toContain('2/2 alerts link a runbook (2 outside this repository, not verified)');
    expect(ofRule(r.findings, 'alert-without-runbook')).toEqual([]);
  });

  it('a pattern set to an empty string links nothing', async () => {
    const config = lines('{', "  _config+:: { runbookURLPattern: '' },", '}');
    const alerts = lines('{', "  alert: 'SettlementDown',", "  expr: 'up == 0',", '}');
    const r = await check({ 'monitoring/config.libsonnet': config, 'monitoring/alerts.libsonnet': alerts });
    expect(r.summary).toContain('0/1 alerts link a runbook');
  });
});

describe('on-call is a paging route, not a word', () => {
  it('support, ownership, contact and product-name headings are not escalation routes', async () => {
    const readme = lines(
      '# Settlement',
      '',
      '## Support',
      '',
      'Versions older than two releases are not supported; open an issue on the tracker for anything else you need.',
      '',
      '## Multi-cluster support',
      '',
      'Each cluster runs its own settlement worker and they share the ledger database through the regional replica.',
      '',
      '## Line ownership',
      '',
      'Every line of the ledger has an owner account and the worker refuses lines whose owner is unknown to it.',
      '',
      '## Contact us',
      '',
      'Write to the team mailbox or join the community chat, where maintainers answer questions during the week.',
      '',
      '## Grafana OnCall integration',
      '',
      'The settlement worker can send its own events to a Grafana OnCall instance for your team if you configure one.',
    );
    const runbook = RUNBOOK + lines('', '## Contacts', '', 'Ask in the #settlement and #platform-help channels on Slack during office hours, or mention the team there.');
    const r = await check({ 'README.md': readme, 'docs/runbooks/queue.md': runbook });
    expect(r.summary).toContain('no on-call route');
    expect(ofRule(r.findings, 'no-escalation-route')).toHaveLength(1);
  });

  it('an escalation section that says who is paged and how is a route; a customer-support escalation is not', async () => {
    const support = lines('# Support policy', '', '## Escalation process', '', 'If your ticket is not answered within two working days, reply to the thread and a senior engineer will pick it up.');
    const onCall = lines('# On-call', '', '## Escalation', '', 'The primary on-call is paged through PagerDuty; after fifteen minutes without an acknowledgement the secondary is paged.');
    const without = await check({ 'docs/support.md': support, 'docs/runbooks/queue.md': RUNBOOK });
    expect(without.summary).toContain('no on-call route');
    const withRoute = await check({ 'docs/oncall.md': onCall, 'docs/runbooks/queue.md': RUNBOOK });
    expect(withRoute.summary).toContain('on-call via "Escalation" section in docs/oncall.md');
  });

  it('an AlertmanagerConfig in a Helm template routing to PagerDuty is a route; a CRD schema that mentions pagerdutyConfigs is not', async () => {
    const amc = lines(
      '{{- if .Values.alerting.enabled }}',
      'apiVersion: monitoring.coreos.com/v1alpha1',
      'kind: AlertmanagerConfig',
      'metadata:',
      '  name: {{ .Release.Name }}',
      'spec:',
      '  route:',
      '    receiver: pager',
      '  receivers:',
      '    - name: pager',
      '      pagerdutyConfigs:',
      '        - routingKey:',
      '            name: pagerduty',
      '            key: routing-key',
      '{{- end }}',
    );
    const crd = lines(
      'apiVersion: apiextensions.k8s.io/v1',
      'kind: CustomResourceDefinition',
      'metadata:',
      '  name: alertmanagerconfigs.monitoring.coreos.com',
      'spec:',
      '  versions:',
      '    - name: v1alpha1',
      '      schema:',
      '        openAPIV3Schema:',
      '          properties:',
      '            receivers:',
      '              items:',
      '                properties:',
      '                  pagerdutyConfigs:',
      '                    type: array',
    );
    const routed = await check({ 'charts/alerting/templates/alertmanagerconfig.yaml': amc });
    expect(routed.summary).toContain('on-call via Alertmanager receiver with pagerdutyConfigs in charts/alerting/templates/alertmanagerconfig.yaml');
    const schema = await check({ 'crds/alertmanagerconfigs.yaml': crd });
    expect(schema.summary).toContain('no on-call route');
  });
});

describe('links that are not links', () => {
  it('a javascript: runbook_url is not a linked runbook, and a javascript: PagerDuty annotation is not an on-call route', async () => {
    const rules = lines('groups:', '  - name: q', '    rules:', '      - alert: QueueAge', '        expr: age > 600', '        annotations:', '          runbook_url: "javascript:alert(document.cookie)"');
    const catalog = lines('apiVersion: backstage.io/v1alpha1', 'kind: Component', 'metadata:', '  name: settlement', '  annotations:', '    pagerduty.com/service-id: "javascript:alert(1)"', 'spec:', '  type: service');
    // An Opsgenie selector has a colon too, but it is an id, not a script: it is a route.
    const selector = lines('apiVersion: backstage.io/v1alpha1', 'kind: Component', 'metadata:', '  name: settlement', '  annotations:', `    opsgenie.com/component-selector: 'tag:"service:settlement"'`, 'spec:', '  type: service');
    const routed = await check({ 'catalog-info.yaml': selector }, { kind: 'service' });
    expect(routed.summary).toContain('on-call via opsgenie.com/component-selector annotation in catalog-info.yaml');
    const r = await check({ 'prometheus/rules.yaml': rules, 'catalog-info.yaml': catalog, 'docs/runbooks/queue.md': RUNBOOK }, { kind: 'service' });
    expect(r.summary).toBe('1 runbook (1 complete); 0/1 alerts link a runbook; no on-call route');
    expect(ofRule(r.findings, 'not-a-link')).toEqual([
      { rule: 'not-a-link', severity: 'high', path: 'catalog-info.yaml', line: 6, message: 'pagerduty.com/service-id is a javascript: value, not a service id or a web address: it is not an on-call route' },
      { rule: 'not-a-link', severity: 'high', path: 'prometheus/rules.yaml', line: 4, message: 'alert QueueAge: runbook link "javascript:alert(document.cookie)" is a javascript: value, not a web address or a repository path' },
    ]);
  });
});

describe('anchors', () => {
  it('a link to doc.md#section resolves only when the document has that section', async () => {
    const rules = lines(
      'groups:',
      '  - name: q',
      '    rules:',
      '      - alert: QueueAge', //   4
      '        annotations:',
      '          runbook_url: ../docs/runbooks/queue.md#mitigation',
      '      - alert: QueueStuck', // 7
      '        annotations:',
      '          runbook_url: ../docs/runbooks/queue.md#restart-the-consumers',
    );
    const r = await check({ 'prometheus/rules.yaml': rules, 'docs/runbooks/queue.md': RUNBOOK });
    expect(r.summary).toContain('1/2 alerts link a runbook');
    expect(withPath(r.findings, 'prometheus/rules.yaml')).toEqual([
      {
        rule: 'broken-runbook-link', severity: 'high', path: 'prometheus/rules.yaml', line: 7,
        message: `alert QueueStuck: runbook link "../docs/runbooks/queue.md#restart-the-consumers" names section #restart-the-consumers, which docs/runbooks/queue.md does not have at ${r.snapshot.head.oid.slice(0, 7)}`,
      },
    ]);
  });
});

describe('runbook documents by content', () => {
  const SOP = lines(
    '# Database failover',
    '',
    '## When to use this',
    '',
    'The primary database stops accepting writes and the replication lag alarm fires for the settlement cluster.',
    '',
    '## Procedure',
    '',
    '### Step 1: confirm the primary is down',
    '',
    'Run the health query against the primary and check that the last write is older than five minutes.',
    '',
    '### Step 2: promote the replica',
    '',
    'Promote the replica with the failover command, then point the settlement service at the new primary.',
  );

  it('standard operating procedures and on-call guides under other names are runbooks when they hold steps', async () => {
    const r = await check({
      'docs/sop/database-failover.md': SOP,
      'handbook/oncall/rotate-credentials.mdx': '---\ntitle: Rotate credentials\n---\n' + SOP,
      'operations/overview.md': lines('# Overview', '', 'The settlement platform is made of a worker, a ledger database and a public API behind the edge proxy.'),
      'charts/oncall/README.md': SOP,
    });
    expect(r.summary).toContain('2 runbooks (2 complete)');
    expect(r.findings.some((f) => f.rule === 'no-runbook')).toBe(false);
    expect(r.findings.some((f) => f.path === 'operations/overview.md' || f.path === 'charts/oncall/README.md')).toBe(false);
  });
});

describe('what is not an alert', () => {
  it('promtool tests, always-firing meta-alerts and generated copies of a mixin alert are not counted again', async () => {
    const mixin = lines('{', "  alert: 'SettlementDown',", "  expr: 'up == 0',", "  annotations: { runbook_url: 'https://runbooks.example.com/down' },", '}', '{', "  alert: 'SettlementSlow',", "  expr: 'latency > 1',", '}');
    const generated = lines(
      'groups:',
      '  - name: settlement',
      '    rules:',
      '      - alert: SettlementDown',
      '        expr: up == 0',
      '        annotations:',
      '          runbook_url: https://runbooks.example.com/down',
      '      - alert: SettlementSlow',
      '        expr: latency > 1',
      '      - alert: Watchdog',
      '        expr: vector(1)',
      '      - alert: DeadMansSwitch',
      '        expr: absent(up) == 0',
      '      - alert: PagerDutyDrill',
      '        expr: hour() == 10',
    );
    const promtool = lines(
      'rule_files:',
      '  - settlement.yaml',
      'evaluation_interval: 1m',
      'tests:',
      '  - interval: 1m',
      '    alert_rule_test:',
      '      - alertname: SettlementDown',
      '        exp_alerts:',
      '          - exp_annotations:',
      '              runbook_url: https://runbooks.example.com/down',
    );
    const r = await check({ 'mixin/alerts.libsonnet': mixin, 'manifests/settlement.yaml': generated, 'manifests/settlement_tests.yaml': promtool });
    expect(r.summary).toBe('no runbooks; 1/2 alerts link a runbook (1 outside this repository, not verified); no on-call route; 3 always-firing meta-alerts not counted');
    expect(ofRule(r.findings, 'alert-without-runbook').filter((f) => f.path)).toHaveLength(1);
  });
});

describe('alerting configuration that runs nowhere', () => {
  it('sample rules and receivers in a documentation or test directory are not this service\'s alerts or on-call route', async () => {
    const rules = lines('groups:', '  - name: tutorial', '    rules:', '      - alert: CheckFailing', '        expr: probe_success == 0');
    const am = lines('route:', '  receiver: pager', 'receivers:', '  - name: pager', '    pagerduty_configs:', '      - routing_key: your-key-here');
    const r = await check({ 'docs/alerts/prom_rules.yml': rules, 'docs/alerts/alertmanager.yml': am, 'test/e2e/alerts.tf': 'resource "aws_cloudwatch_metric_alarm" "t" {\n  alarm_name = "e2e"\n}\n' }, { kind: 'service' });
    expect(r.summary).toBe('no runbooks; no alert rules; no on-call route');
  });

  it('Terraform alarms without a name in different modules are different alerts; named copies are one', async () => {
    const unnamed = 'resource "aws_cloudwatch_metric_alarm" "this" {\n  threshold = 1\n}\n';
    const named = 'resource "aws_cloudwatch_metric_alarm" "cpu" {\n  alarm_name = "${var.env}-cpu"\n}\n';
    const r = await check({ 'modules/queue/alarm.tf': unnamed, 'modules/db/alarm.tf': unnamed, 'envs/prod/alarms.tf': named, 'envs/staging/alarms.tf': named });
    expect(r.summary).toContain('0/3 alerts link a runbook');
  });
});

describe('alerts from a shared chart', () => {
  it('a chart dependency that brings alert rules counts as alerting whose links cannot be judged here', async () => {
    const chart = lines(
      'apiVersion: v2',
      'name: settlement',
      'version: 1.0.0',
      'dependencies:',
      '  - name: generic-service', // 5
      '    version: "3.1"',
      '    repository: https://charts.example.com',
      '  - name: generic-prometheus-alerts', // 8
      '    version: "1.4"',
      '    repository: https://charts.example.com',
    );
    const r = await check({ 'helm/settlement/Chart.yaml': chart }, { kind: 'service' });
    expect(r.summary).toBe('no runbooks; alerts from the shared chart generic-prometheus-alerts (not read here); no on-call route');
    expect(ofRule(r.findings, 'alerts-in-shared-chart')).toEqual([
      {
        rule: 'alerts-in-shared-chart', severity: 'info', path: 'helm/settlement/Chart.yaml', line: 8,
        message: 'alerts come from the chart generic-prometheus-alerts, defined in another repository: they count as alerting, but their runbook links cannot be judged here',
      },
    ]);
    expect(r.score).toBe(3);
    expect(r.findings.some((f) => f.rule === 'no-alert-rules')).toBe(false);
  });
});
