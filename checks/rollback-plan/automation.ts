// Automated rollback in deploy configuration: what undoes a bad deploy without a person, and on
// what signal. Metric-gated (Argo Rollouts analysis, Flagger thresholds, CodeDeploy alarms, ECS
// alarms) beats health-gated (helm --atomic, ECS circuit breaker, Flux remediation), which beats a
// scripted undo in CI, a rollback job someone has to start, and detection of a stuck rollout.
import type { Finding } from '../contract.ts';
import type { Rule } from './rules.ts';
import { lineIndex } from '../shared/text.ts';
import { blankGroovyComments, insideAny, jenkinsFailureRanges, scanCommands, type CommandHit } from './commands.ts';
import { compileGoRegex, goRegexMatches, type Budget } from './goregex.ts';
import { attribute, childNodes, findNodes, HclTooDeepError, isTrue, listVerdict as hclListVerdict, parseHcl, resources, type HclBody, type HclNode, type ListVerdict } from './terraform.ts';
import { asArray, asRecord, docStartLine, foldLines, isTemplatedValue, lineAt, parseYaml, scalarSpans, toJs, YamlTooDeepError } from './yaml.ts';
import { atlantis, gitlabDeployJob, gitops, resolveWorkflows, textPipeline, uncalledWorkflows, workflowInfo, type WorkflowInfo } from './pipelines.ts';
import type { Document, LineCounter } from 'yaml';

export const TIERS = ['metric-gated', 'health-gated', 'scripted', 'stack-rollback', 'manual'] as const;
export type Tier = (typeof TIERS)[number];

export interface Mechanism {
  tier: Tier;
  /** What it is, in words ("Argo Rollout checkout-web with analysis checkout-web-success-rate"). */
  label: string;
  path: string;
  line: number;
  /** An Argo Rollout or Flagger Canary: it moves traffic step by step, analysis or not. */
  progressive?: boolean;
}

/**
 * What makes a bad deploy less harmful or easier to undo without rolling it back by itself: a rollout
 * that a failing version cannot finish (gated-rollout), a pipeline that redeploys a previous version
 * or applies a revert (redeploy), a deploy that notices a failed rollout (detection), and a way back
 * for the data (data-rollback: reversible migrations, a schema rollback command, restore tooling).
 */
export const SAFEGUARDS = ['gated-rollout', 'redeploy', 'detection', 'data-rollback'] as const;
export type SafeguardKind = (typeof SAFEGUARDS)[number];

export interface Safeguard {
  kind: SafeguardKind;
  label: string;
  path: string;
  line: number;
  /** For data-rollback: the way back is exercised in CI, not only written down. */
  tested?: boolean;
  /** For redeploy: the only pipelines deploy after failed checks too. */
  afterFailedChecks?: boolean;
}

export interface AutomationScan {
  mechanisms: Mechanism[];
  safeguards: Safeguard[];
  findings: Finding<Rule>[];
  /** This repository deploys with flyctl (so its fly.toml describes its releases). */
  fliesDeploys?: boolean;
}

export interface TextFile {
  path: string;
  text: string;
}

const WORKFLOW = /^\.github\/workflows\/[^/]+\.ya?ml$/i;
const ACTION = /(^|\/)action\.ya?ml$/i;
const GITLAB = /(^|\/)(\.gitlab-ci|[^/]+\.gitlab-ci)\.ya?ml$|^\.gitlab\/ci\/.+\.ya?ml$/i;
// Other CI systems' files, read as text: their failure hooks are not modelled, `cmd || rollback` is.
const OTHER_CI_YAML = /(^|\/)(\.circleci\/config|azure[-_]pipelines?[^/]*|bitbucket-pipelines|\.drone|cloudbuild[^/]*|buildspec[^/]*|Taskfile|\.buildkite\/[^/]+|codefresh[^/]*|\.woodpecker[^/]*)\.ya?ml$/i;
const HELMFILE = /(^|\/)helmfile[^/]*\.(ya?ml(\.gotmpl)?|gotmpl)$/i;
const JENKINSFILE = /(^|\/)Jenkinsfile[^/]*$/;
// Text that makes a broken YAML file worth a finding: this check would have read something in it.
const RELEVANT_YAML = /\bkind:\s*['"]?(Rollout|AnalysisTemplate|ClusterAnalysisTemplate|Canary|Deployment|HelmRelease)\b|AWSTemplateFormatVersion|AWS::(ECS|CodeDeploy|CodePipeline|Serverless)::|\bhelm\s+(upgrade|install|rollback)\b|\brollout\s+(undo|status)\b|^releases:/m;

// Paths where YAML is deploy configuration, whatever it holds.
export const DEPLOY_YAML_PATH = /(^|\/)(deploy|deployment|deployments|k8s|kubernetes|manifests|charts?|helm|cloudformation|cfn|infra)\/|rollout|canary|analysis|helmfile|gitlab-ci|^\.github\/workflows\//i;

const FAILURE_CONDITION = /failure\(\)|!\s*success\(\)|job\.status\s*==\s*['"]failure['"]/;

export function isWorkflowPath(path: string): boolean {
  return WORKFLOW.test(path) || ACTION.test(path);
}
export function isGitlabPath(path: string): boolean {
  return GITLAB.test(path);
}
export function isCiYamlPath(path: string): boolean {
  return WORKFLOW.test(path) || ACTION.test(path) || GITLAB.test(path) || OTHER_CI_YAML.test(path);
}

const truthy = (v: unknown): boolean => v === true || v === 'true';

/**
 * A YAML list of alarms as CloudFormation reads it: only a literal list counts. A list with an item
 * that is not an `Fn::If` (`[!Ref Alarm]`, `[{Name: x}]`) is non-empty; `[]` is empty; anything else
 * (`!Ref AlarmList`, `!If [...]`, `!Split`, a string, a list of only `!If` items that may all be
 * `AWS::NoValue`) is decided at deploy time: indeterminate.
 */
function yamlListVerdict(v: unknown): ListVerdict {
  if (v === undefined || v === null) return 'absent';
  if (!Array.isArray(v)) return 'indeterminate';
  if (v.length === 0) return 'empty';
  return v.some((item) => asRecord(item)?.['Fn::If'] === undefined) ? 'non-empty' : 'indeterminate';
}

/** How a non-literal list is shown in a finding: `!Ref AlarmList`, `var.alarms`. */
function shown(v: unknown): string {
  const r = asRecord(v);
  if (r) {
    const key = Object.keys(r)[0] ?? '';
    return key === 'Ref' || key.startsWith('Fn::') ? `!${key.replace(/^Fn::/, '')}` : 'a map';
  }
  return typeof v === 'string' ? `"${v.slice(0, 40)}"` : typeof v;
}
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

// ---------------------------------------------------------------------------------------------
// Kubernetes objects collected across the repository, resolved at the end (a Rollout and its
// AnalysisTemplate usually live in different files).

interface AnalysisRef {
  name: string;
  cluster: boolean;
  line: number;
}

interface RolloutObj {
  name: string;
  path: string;
  line: number;
  strategyLine: number;
  refs: AnalysisRef[];
  abortOnDeadline: boolean;
}

interface TemplateObj {
  name: string;
  kind: 'AnalysisTemplate' | 'ClusterAnalysisTemplate';
  path: string;
  line: number;
  canAbort: boolean;
  why?: string;
}

interface Collected {
  rollouts: RolloutObj[];
  templates: TemplateObj[];
  /** Directories holding a Helm chart (Chart.yaml), whose values files configure its workloads. */
  chartDirs: Set<string>;
  workflows: WorkflowInfo[];
  /** HelmReleases without remediation, reported unless a Flux Kustomization patches it into all of them. */
  unremediated: Finding<Rule>[];
  fleetRemediation?: Mechanism;
}

/** A non-negative integer field given literally; `undefined` when absent, `NaN` when templated (`{{args.count}}`) or odd. */
function intField(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return Number.isInteger(v) ? v : Number.NaN;
  if (typeof v === 'string' && /^-?\d{1,9}$/.test(v.trim())) return Number(v.trim());
  return Number.NaN;
}

/**
 * Whether an AnalysisTemplate can fail an analysis run (and so abort the rollout), and if not why.
 *
 * A metric fails when more than `failureLimit` (default 0) of its measurements fail. It takes
 * `count` measurements; without `count` it measures once, or without end when it has an
 * `interval`. So it can fail only when `failureLimit` is not negative and is below the number of
 * measurements. `dryRun[].metricName` is a Go regular expression matched anywhere in the metric's
 * name (`success` and `success.*` both put `success-rate` in dry run); a pattern this check cannot
 * evaluate counts as matching, since whether it does cannot be verified.
 */
export function analysisCanAbort(spec: Record<string, unknown> | undefined): { canAbort: boolean; why?: string } {
  const metrics = asArray(spec?.metrics).map(asRecord).filter((m): m is Record<string, unknown> => m !== undefined);
  if (metrics.length === 0) return { canAbort: false, why: 'it has no metrics' };
  const dryRun = asArray(spec?.dryRun)
    .map((d) => str(asRecord(d)?.metricName))
    .filter((d): d is string => d !== undefined)
    .slice(0, 100)
    .map((pattern) => ({ pattern, program: compileGoRegex(pattern) }));
  const budget: Budget = { steps: 2_000_000 };
  const reasons: string[] = [];
  for (const m of metrics) {
    const name = str(m.name) ?? '(unnamed)';
    const dry = dryRun.map((d) => ({ ...d, matches: d.program ? goRegexMatches(d.program, name.slice(0, 1000), budget) : undefined }));
    const matching = dry.find((d) => d.matches === true);
    if (matching) {
      reasons.push(`metric ${name} runs in dryRun (metricName ${JSON.stringify(matching.pattern)} matches it)`);
      continue;
    }
    const unknown = dry.find((d) => d.matches === undefined);
    if (unknown) {
      reasons.push(`metric ${name} may run in dryRun (metricName ${JSON.stringify(unknown.pattern.slice(0, 60))} is a regular expression this check cannot evaluate)`);
      continue;
    }
    const provider = asRecord(m.provider);
    const judged = str(m.successCondition) !== undefined || str(m.failureCondition) !== undefined || asRecord(provider?.job) !== undefined;
    if (!judged) {
      reasons.push(`metric ${name} has no successCondition or failureCondition`);
      continue;
    }
    // A templated failureLimit or count (`{{args.limit}}`) is given by the Rollout: not judged here.
    const limit = intField(m.failureLimit) ?? 0;
    const count = intField(m.count);
    const measurements = count !== undefined && count > 0 ? count : Number.isNaN(count ?? 0) ? Number.NaN : m.interval !== undefined && m.interval !== null ? Infinity : 1;
    if (limit < 0) {
      reasons.push(`metric ${name} has failureLimit ${limit}, which never fails`);
      continue;
    }
    if (limit >= measurements) {
      reasons.push(
        count !== undefined && count > 0
          ? `metric ${name} allows ${limit} failures in ${count} measurements, so it can never fail`
          : `metric ${name} is measured once (no count or interval) and allows ${limit} failure${limit === 1 ? '' : 's'}, so it can never fail`,
      );
      continue;
    }
    return { canAbort: true };
  }
  return { canAbort: false, why: reasons.join('; ') };
}

function refsOf(analysis: unknown, line: number): AnalysisRef[] {
  const a = asRecord(analysis);
  if (!a) return [];
  const refs: AnalysisRef[] = [];
  for (const t of asArray(a.templates)) {
    const r = asRecord(t);
    const name = str(r?.templateName);
    if (name) refs.push({ name, cluster: truthy(r?.clusterScope), line });
  }
  const legacy = str(a.templateName); // before v0.9: analysis.templateName
  if (legacy) refs.push({ name: legacy, cluster: false, line });
  return refs;
}

function readRollout(path: string, top: Record<string, unknown>, doc: Document, counter: LineCounter, collected: Collected): void {
  const spec = asRecord(top.spec);
  const strategy = asRecord(spec?.strategy);
  const canary = asRecord(strategy?.canary);
  const blueGreen = asRecord(strategy?.blueGreen);
  const name = str(asRecord(top.metadata)?.name) ?? '(unnamed)';
  const kindLine = lineAt(counter, doc, ['kind'], docStartLine(counter, doc));
  const refs: AnalysisRef[] = [];
  if (canary) {
    refs.push(...refsOf(canary.analysis, lineAt(counter, doc, ['spec', 'strategy', 'canary', 'analysis'], kindLine)));
    asArray(canary.steps).forEach((step, i) => {
      const s = asRecord(step);
      if (!s) return;
      refs.push(...refsOf(s.analysis, lineAt(counter, doc, ['spec', 'strategy', 'canary', 'steps', i, 'analysis'], kindLine)));
      asArray(asRecord(s.experiment)?.analyses).forEach((an) => {
        const r = asRecord(an);
        const tn = str(r?.templateName);
        if (tn) refs.push({ name: tn, cluster: truthy(r?.clusterScope), line: lineAt(counter, doc, ['spec', 'strategy', 'canary', 'steps', i, 'experiment'], kindLine) });
      });
    });
  }
  if (blueGreen) {
    for (const key of ['prePromotionAnalysis', 'postPromotionAnalysis']) {
      refs.push(...refsOf(blueGreen[key], lineAt(counter, doc, ['spec', 'strategy', 'blueGreen', key], kindLine)));
    }
  }
  collected.rollouts.push({
    name,
    path,
    line: kindLine,
    strategyLine: strategy ? lineAt(counter, doc, ['spec', 'strategy'], kindLine) : kindLine,
    refs,
    abortOnDeadline: truthy(spec?.progressDeadlineAbort),
  });
}

function readCanary(path: string, top: Record<string, unknown>, doc: Document, counter: LineCounter, scan: AutomationScan): void {
  const spec = asRecord(top.spec);
  const name = str(asRecord(top.metadata)?.name) ?? '(unnamed)';
  const kindLine = lineAt(counter, doc, ['kind'], docStartLine(counter, doc));
  if (truthy(spec?.skipAnalysis)) {
    scan.findings.push({ rule: 'canary-skips-analysis', severity: 'high', path, line: lineAt(counter, doc, ['spec', 'skipAnalysis'], kindLine), message: `Flagger Canary ${name} sets skipAnalysis: it promotes without analysis and never rolls back` });
    return;
  }
  const analysisKey = spec?.analysis !== undefined ? 'analysis' : 'canaryAnalysis';
  const analysis = asRecord(spec?.[analysisKey]);
  const analysisLine = lineAt(counter, doc, ['spec', analysisKey], kindLine);
  if (!analysis) {
    scan.safeguards.push({ kind: 'gated-rollout', label: `Flagger Canary ${name} shifts traffic without analysis`, path, line: kindLine });
    scan.findings.push({ rule: 'canary-without-analysis', severity: 'medium', path, line: kindLine, message: `Flagger Canary ${name} has no analysis: it has no failure threshold and cannot roll back on metrics` });
    return;
  }
  const metrics = asArray(analysis.metrics).map(asRecord).filter((m): m is Record<string, unknown> => m !== undefined);
  const gated = metrics.filter((m) => {
    const range = asRecord(m.thresholdRange);
    return (range && (range.min !== undefined || range.max !== undefined)) || typeof m.threshold === 'number';
  });
  if (gated.length > 0) {
    const names = gated.map((m) => str(m.name) ?? '(unnamed)');
    scan.mechanisms.push({ tier: 'metric-gated', label: `Flagger Canary ${name} with thresholds on ${names.join(', ')}`, path, line: analysisLine, progressive: true });
    if (analysis.threshold === undefined) {
      scan.findings.push({ rule: 'canary-default-threshold', severity: 'info', path, line: analysisLine, message: `Flagger Canary ${name} sets no analysis.threshold: it rolls back after the first failed check (Flagger's default of 1)` });
    }
    for (const m of metrics) {
      if (gated.includes(m)) continue;
      scan.findings.push({ rule: 'analysis-cannot-fail', severity: 'low', path, line: analysisLine, message: `Flagger Canary ${name}: metric ${str(m.name) ?? '(unnamed)'} has no thresholdRange, so it is measured but never fails the canary` });
    }
    return;
  }
  // Without metric thresholds Flagger still rolls back a canary that misses its progress deadline or fails a webhook.
  scan.mechanisms.push({ tier: 'health-gated', label: `Flagger Canary ${name} (progress deadline and webhooks only)`, path, line: analysisLine });
  scan.findings.push({
    rule: 'analysis-cannot-fail',
    severity: 'high',
    path,
    line: analysisLine,
    message: metrics.length === 0
      ? `Flagger Canary ${name} has no failure threshold: its analysis has no metrics, so it rolls back only when the canary fails to become ready`
      : `Flagger Canary ${name} has no failure threshold: none of its metrics (${metrics.map((m) => str(m.name) ?? '(unnamed)').join(', ')}) sets thresholdRange, so it cannot roll back on metrics`,
  });
}

/** Flux HelmRelease upgrade remediation that rolls back a failed upgrade. */
function remediates(spec: Record<string, unknown> | undefined): boolean {
  const remediation = asRecord(asRecord(spec?.upgrade)?.remediation);
  const retries = remediation?.retries;
  return ((typeof retries === 'number' && retries !== 0) || truthy(remediation?.remediateLastFailure)) && remediation?.strategy !== 'uninstall';
}

function readHelmRelease(path: string, top: Record<string, unknown>, doc: Document, counter: LineCounter, scan: AutomationScan, collected: Collected): void {
  const spec = asRecord(top.spec);
  const name = str(asRecord(top.metadata)?.name) ?? '(unnamed)';
  const kindLine = lineAt(counter, doc, ['kind'], docStartLine(counter, doc));
  if (remediates(spec)) {
    scan.mechanisms.push({ tier: 'health-gated', label: `Flux HelmRelease ${name} rolls back failed upgrades (upgrade.remediation)`, path, line: lineAt(counter, doc, ['spec', 'upgrade', 'remediation'], kindLine) });
  } else {
    // Held back until the end: a Flux Kustomization may patch remediation into every HelmRelease.
    collected.unremediated.push({ rule: 'helm-release-not-atomic', severity: 'medium', path, line: kindLine, message: `Flux HelmRelease ${name} does not roll back a failed upgrade: set spec.upgrade.remediation.retries (strategy: rollback)` });
  }
}

/** A Flux Kustomization whose patches give every HelmRelease it applies upgrade remediation. */
function readFluxKustomization(path: string, top: Record<string, unknown>, doc: Document, counter: LineCounter, collected: Collected): void {
  const patches = asArray(asRecord(top.spec)?.patches);
  patches.forEach((value, i) => {
    const patch = asRecord(value);
    const target = asRecord(patch?.target);
    if (target?.kind !== 'HelmRelease' || target.name !== undefined || typeof patch?.patch !== 'string') return;
    let patched: unknown;
    try {
      patched = toJs(parseYaml(patch.patch, { templates: false }).docs[0]!);
    } catch {
      return; // a patch that does not parse patches nothing this check can see
    }
    if (!remediates(asRecord(asRecord(patched)?.spec))) return;
    const name = str(asRecord(top.metadata)?.name) ?? '(unnamed)';
    collected.fleetRemediation ??= { tier: 'health-gated', label: `Flux Kustomization ${name} patches upgrade remediation into every HelmRelease it applies`, path, line: lineAt(counter, doc, ['spec', 'patches', i]) };
  });
}

function readHelmfile(path: string, top: Record<string, unknown>, doc: Document, counter: LineCounter, scan: AutomationScan): void {
  const releases = asArray(top.releases).map(asRecord).filter((r): r is Record<string, unknown> => r !== undefined && r.chart !== undefined);
  if (releases.length === 0) return;
  const defaults = truthy(asRecord(top.helmDefaults)?.atomic);
  const atomic = releases.filter((r) => (r.atomic === undefined ? defaults : truthy(r.atomic)));
  if (atomic.length > 0) {
    const line = defaults ? lineAt(counter, doc, ['helmDefaults', 'atomic']) : lineAt(counter, doc, ['releases', releases.indexOf(atomic[0]!), 'atomic']);
    scan.mechanisms.push({ tier: 'health-gated', label: `helmfile atomic releases (${atomic.length}/${releases.length})`, path, line });
  }
  releases.forEach((r) => {
    if (atomic.includes(r)) return;
    const i = asArray(top.releases).indexOf(r);
    scan.findings.push({ rule: 'helm-release-not-atomic', severity: 'medium', path, line: lineAt(counter, doc, ['releases', i]), message: `helmfile release ${str(r.name) ?? '(unnamed)'} is not atomic: a failed upgrade is left failed instead of rolled back (set atomic: true)` });
  });
}

// ---------------------------------------------------------------------------------------------
// CloudFormation (and SAM) templates

function readCloudFormation(path: string, top: Record<string, unknown>, doc: Document, counter: LineCounter, scan: AutomationScan): void {
  const resources = asRecord(top.Resources);
  if (!resources) return;
  const globalsPreference = asRecord(asRecord(asRecord(top.Globals)?.Function)?.DeploymentPreference);
  for (const [id, value] of Object.entries(resources)) {
    const res = asRecord(value);
    const type = str(res?.Type);
    if (!res || !type) continue;
    const props = asRecord(res.Properties) ?? {};
    const at = (...keys: (string | number)[]) => lineAt(counter, doc, ['Resources', id, ...keys], lineAt(counter, doc, ['Resources', id]));
    if (type === 'AWS::ECS::Service') {
      const controller = str(asRecord(props.DeploymentController)?.Type);
      if (controller === 'CODE_DEPLOY' || controller === 'EXTERNAL') continue;
      const config = asRecord(props.DeploymentConfiguration);
      const breaker = asRecord(config?.DeploymentCircuitBreaker);
      const alarms = asRecord(config?.Alarms);
      if (alarms && truthy(alarms.Enable) && truthy(alarms.Rollback)) {
        const names = yamlListVerdict(alarms.AlarmNames);
        const line = at('Properties', 'DeploymentConfiguration', 'Alarms');
        if (names === 'non-empty') scan.mechanisms.push({ tier: 'metric-gated', label: `ECS service ${id} rolls back on CloudWatch alarms`, path, line });
        else {
          scan.findings.push({
            rule: names === 'indeterminate' ? 'unverifiable-setting' : 'rollback-not-on-metrics',
            severity: names === 'indeterminate' ? 'low' : 'medium',
            path,
            line,
            message:
              names === 'indeterminate'
                ? `ECS service ${id}: Alarms.AlarmNames is given by ${shown(alarms.AlarmNames)}, not a literal list, so whether any alarm can roll back cannot be verified; not counted as metric-gated`
                : `ECS service ${id}: Alarms.AlarmNames is empty, so no alarm can roll back a deployment`,
          });
        }
      }
      // A value given by an intrinsic function (!If, !Ref a parameter) is decided at deploy time.
      const computed = breaker !== undefined && (asRecord(breaker.Enable) !== undefined || asRecord(breaker.Rollback) !== undefined);
      if (breaker && truthy(breaker.Enable) && truthy(breaker.Rollback)) {
        scan.mechanisms.push({ tier: 'health-gated', label: `ECS service ${id} deployment circuit breaker with rollback`, path, line: at('Properties', 'DeploymentConfiguration', 'DeploymentCircuitBreaker') });
      } else if (!(alarms && truthy(alarms.Rollback))) {
        scan.findings.push({
          rule: computed ? 'unverifiable-setting' : 'ecs-without-rollback',
          severity: computed ? 'low' : 'medium',
          path,
          line: breaker ? at('Properties', 'DeploymentConfiguration', 'DeploymentCircuitBreaker') : at('Type'),
          message: computed
            ? `ECS service ${id}: DeploymentCircuitBreaker is set by an intrinsic function, which cannot be verified; not counted`
            : breaker && truthy(breaker.Enable)
              ? `ECS service ${id}: the deployment circuit breaker stops a failing deployment but Rollback is not true, so it is not rolled back`
              : `ECS service ${id} has no deployment circuit breaker with rollback (DeploymentCircuitBreaker: {Enable: true, Rollback: true})`,
        });
      }
    } else if (type === 'AWS::AutoScaling::AutoScalingGroup' && asRecord(asRecord(res.UpdatePolicy)?.AutoScalingRollingUpdate)) {
      scan.safeguards.push({ kind: 'gated-rollout', label: `Auto Scaling group ${id} replaces instances by rolling update (UpdatePolicy)`, path, line: at('UpdatePolicy') });
    } else if (type === 'AWS::CodeDeploy::DeploymentGroup') {
      const alarmConfig = asRecord(props.AlarmConfiguration);
      const events = asRecord(props.AutoRollbackConfiguration)?.Events;
      readCodeDeploy(`CodeDeploy deployment group ${id}`, {
        enabled: truthy(asRecord(props.AutoRollbackConfiguration)?.Enabled),
        events: events === undefined || Array.isArray(events) ? asArray(events).filter((e): e is string => typeof e === 'string') : { shown: shown(events) },
        alarms: truthy(alarmConfig?.Enabled) ? yamlListVerdict(alarmConfig?.Alarms) : 'absent',
        alarmsShown: shown(alarmConfig?.Alarms),
        present: props.AutoRollbackConfiguration !== undefined,
      }, path, props.AutoRollbackConfiguration !== undefined ? at('Properties', 'AutoRollbackConfiguration') : at('Type'), scan, 'AutoRollbackConfiguration: {Enabled: true, Events: [DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM]} with an AlarmConfiguration');
    } else if (type === 'AWS::CodePipeline::Pipeline') {
      asArray(props.Stages).forEach((stageValue, i) => {
        const stage = asRecord(stageValue);
        if (!stage) return;
        const stageName = str(stage.Name) ?? `#${i + 1}`;
        for (const hook of ['OnFailure', 'OnSuccess', 'BeforeEntry']) {
          const h = asRecord(stage[hook]);
          if (!h) continue;
          const alarmRollback = asArray(h.Conditions).some((c) => {
            const cond = asRecord(c);
            return str(cond?.Result)?.toUpperCase() === 'ROLLBACK' && asArray(cond?.Rules).some((r) => str(asRecord(asRecord(r)?.RuleTypeId)?.Provider) === 'CloudWatchAlarm');
          });
          if (alarmRollback) scan.mechanisms.push({ tier: 'metric-gated', label: `CodePipeline ${id} stage ${stageName} rolls back on a CloudWatch alarm`, path, line: at('Properties', 'Stages', i, hook) });
          else if (hook === 'OnFailure' && str(h.Result)?.toUpperCase() === 'ROLLBACK') {
            scan.mechanisms.push({ tier: 'health-gated', label: `CodePipeline ${id} stage ${stageName} rolls back on failure`, path, line: at('Properties', 'Stages', i, hook) });
          }
        }
      });
    } else if (type === 'AWS::Serverless::Function') {
      const pref = asRecord(props.DeploymentPreference) ?? globalsPreference;
      if (!pref || pref.Enabled === false || pref.Enabled === 'false' || !str(pref.Type)) continue;
      const line = props.DeploymentPreference !== undefined ? at('Properties', 'DeploymentPreference') : lineAt(counter, doc, ['Globals', 'Function', 'DeploymentPreference']);
      const alarms = yamlListVerdict(pref.Alarms);
      if (alarms === 'non-empty') scan.mechanisms.push({ tier: 'metric-gated', label: `SAM function ${id} gradual deployment rolls back on CloudWatch alarms`, path, line });
      else {
        scan.mechanisms.push({ tier: 'health-gated', label: `SAM function ${id} gradual deployment (CodeDeploy) without ${alarms === 'indeterminate' ? 'verifiable ' : ''}alarms`, path, line });
        scan.findings.push({
          rule: alarms === 'indeterminate' ? 'unverifiable-setting' : 'rollback-not-on-metrics',
          severity: 'low',
          path,
          line,
          message:
            alarms === 'indeterminate'
              ? `SAM function ${id}: DeploymentPreference Alarms is given by ${shown(pref.Alarms)}, not a literal list, so whether it rolls back on metrics cannot be verified; counted as a gradual deployment without alarms`
              : `SAM function ${id}: DeploymentPreference has no Alarms, so CodeDeploy rolls back only when a hook or the deployment fails, not on metrics`,
        });
      }
    }
  }
}

function readCodeDeploy(
  what: string,
  c: { enabled: boolean; events: string[] | { shown: string }; alarms: ListVerdict; alarmsShown: string; present: boolean },
  path: string,
  line: number,
  scan: AutomationScan,
  howTo: string,
): void {
  if (c.enabled && !Array.isArray(c.events)) {
    scan.findings.push({ rule: 'unverifiable-setting', severity: 'low', path, line, message: `${what}: the automatic rollback events are given by ${c.events.shown}, not a literal list, so they cannot be verified; not counted` });
    return;
  }
  const events = Array.isArray(c.events) ? c.events : [];
  const onAlarm = events.includes('DEPLOYMENT_STOP_ON_ALARM');
  const onFailure = events.includes('DEPLOYMENT_FAILURE');
  if (c.enabled && onAlarm && c.alarms === 'non-empty') {
    scan.mechanisms.push({ tier: 'metric-gated', label: `${what} rolls back on CloudWatch alarms`, path, line });
    return;
  }
  const alarmsUnverified = onAlarm && c.alarms === 'indeterminate';
  const unverified = `${what} rolls back on alarms, but its alarms are given by ${c.alarmsShown}, not a literal list, so whether any alarm can roll back cannot be verified; not counted as metric-gated`;
  if (c.enabled && onFailure) {
    scan.mechanisms.push({ tier: 'health-gated', label: `${what} rolls back failed deployments`, path, line });
    scan.findings.push({
      rule: alarmsUnverified ? 'unverifiable-setting' : 'rollback-not-on-metrics',
      severity: 'low',
      path,
      line,
      message: alarmsUnverified
        ? unverified
        : onAlarm
          ? `${what} rolls back on alarms, but no alarm is configured and enabled: add alarms to the alarm configuration`
          : `${what} rolls back only on deployment failure: add DEPLOYMENT_STOP_ON_ALARM and CloudWatch alarms to roll back on metrics`,
    });
    return;
  }
  if (c.enabled && alarmsUnverified) {
    scan.findings.push({ rule: 'unverifiable-setting', severity: 'low', path, line, message: unverified });
    return;
  }
  if (c.enabled && events.includes('DEPLOYMENT_STOP_ON_REQUEST')) {
    scan.mechanisms.push({ tier: 'manual', label: `${what} rolls back when a deployment is stopped by hand`, path, line });
    return;
  }
  scan.findings.push({ rule: 'codedeploy-without-rollback', severity: 'medium', path, line, message: c.present ? `${what}: automatic rollback is not enabled or has no events` : `${what} has no automatic rollback (${howTo})` });
}

// ---------------------------------------------------------------------------------------------
// CI: workflows, GitLab jobs, and any script

function commandMechanisms(hits: CommandHit[], path: string, lineOf: (offset: number) => number, onFailure: (hit: CommandHit) => boolean, where: string, scan: AutomationScan, ci = false): void {
  for (const hit of hits) {
    const line = lineOf(hit.offset);
    if (hit.kind === 'helm-deploy') {
      if (hit.atomic) scan.mechanisms.push({ tier: 'health-gated', label: `${/--rollback-on-failure/.test(hit.command) ? 'helm --rollback-on-failure' : 'helm --atomic'} in ${where}`, path, line });
      else scan.findings.push({ rule: 'helm-release-not-atomic', severity: 'medium', path, line, message: 'helm upgrade without --atomic (Helm 3) or --rollback-on-failure (Helm 4): a failed release is left failed instead of rolled back' });
    } else if (hit.kind === 'rollback') {
      const automatic = hit.onFailure === true || onFailure(hit);
      scan.mechanisms.push(
        automatic
          ? { tier: 'scripted', label: `${hit.label} when the deploy fails, in ${where}`, path, line }
          : { tier: 'manual', label: `${hit.label} in ${where}, not run automatically on failure`, path, line },
      );
    } else if (hit.kind === 'stack-deploy') {
      if (hit.rollbackDisabled) {
        scan.findings.push({ rule: 'stack-rollback-disabled', severity: 'medium', path, line, message: `${hit.label} with its rollback switched off (${/--no-rollback|-R\b|--rollback[= ]false/.test(hit.command) ? '--no-rollback' : /DO_NOTHING/i.test(hit.command) ? '--on-failure DO_NOTHING' : '--disable-rollback'}): a failed stack update is left half applied instead of rolled back` });
      } else scan.mechanisms.push({ tier: 'stack-rollback', label: `${hit.label} in ${where}: CloudFormation rolls back a failed stack update`, path, line });
    } else if (hit.kind === 'platform-deploy') {
      if (hit.label === 'fly deploy') scan.fliesDeploys = true;
      else scan.safeguards.push({ kind: 'gated-rollout', label: `${hit.label} in ${where}: a Cloud Run revision takes traffic only once it starts`, path, line });
    } else if (hit.kind === 'schema-rollback') {
      scan.safeguards.push({ kind: 'data-rollback', label: `${hit.label} ${ci ? 'run in CI' : 'scripted'} (${where})`, path, line, tested: ci });
    } else {
      scan.safeguards.push({ kind: 'detection', label: `deploy waits for the rollout (${hit.label ?? 'rollout status'}) in ${where}`, path, line });
    }
  }
}

// A job or script that brings up a throwaway cluster (kind, minikube, k3d) tests manifests; its rollouts deploy nothing.
export const LOCAL_CLUSTER = /\b(kind\s+create\s+cluster|minikube\s+start|k3d\s+cluster\s+create|kind\s+load\s+docker-image)\b|helm\/kind-action|medyagh\/setup-minikube|AbsaOSS\/k3d-action|nolar\/setup-k3d-k3s/;

// GitHub Actions that deploy in a way this check knows.
function readUses(uses: string, withs: Record<string, unknown> | undefined, path: string, line: number, where: string, scan: AutomationScan): void {
  const action = uses.toLowerCase().split('@')[0]!;
  const w = (key: string) => withs?.[key];
  const on = (v: unknown) => v === true || (typeof v === 'string' && /^(1|true|yes)$/i.test(v.trim()));
  if (action === 'aws-actions/aws-cloudformation-github-deploy') {
    if (on(w('disable-rollback'))) scan.findings.push({ rule: 'stack-rollback-disabled', severity: 'medium', path, line, message: `${uses} with disable-rollback: a failed stack update is left half applied instead of rolled back` });
    else scan.mechanisms.push({ tier: 'stack-rollback', label: `${action} in ${where}: CloudFormation rolls back a failed stack update`, path, line });
  } else if (action === 'aws-actions/amazon-ecs-deploy-task-definition') {
    if (on(w('wait-for-service-stability'))) scan.safeguards.push({ kind: 'gated-rollout', label: `ECS rolling deploy waits for a stable service (${action}) in ${where}`, path, line });
  } else if (/aws-cdk/.test(action) && typeof w('cdk_subcommand') === 'string' && w('cdk_subcommand') === 'deploy') {
    scan.mechanisms.push({ tier: 'stack-rollback', label: `cdk deploy (${action}) in ${where}: CloudFormation rolls back a failed stack update`, path, line });
  } else if (action === 'google-github-actions/deploy-cloudrun') {
    scan.safeguards.push({ kind: 'gated-rollout', label: `${action} in ${where}: a Cloud Run revision takes traffic only once it starts`, path, line });
  } else if (action.startsWith('superfly/flyctl-actions') && typeof w('args') === 'string' && /^\s*deploy\b/.test(String(w('args')))) {
    scan.fliesDeploys = true;
  }
}

/** Commands in the scalars at `path` (a `run:` string, a `script:` list), at their offsets in the file. */
function scanScalars(text: string, doc: Document, path: (string | number)[]): CommandHit[] {
  return scalarSpans(doc, path).flatMap(([start, end, folded]) => {
    const slice = text.slice(start, end);
    // The block header line (`>`) stays apart; folding starts with the content.
    const body = folded ? slice.replace(/^([>|][^\n]*\n)?([\s\S]*)$/, (_m, header: string | undefined, rest: string) => (header ?? '') + foldLines(rest)) : slice;
    return scanCommands(body).map((h) => ({ ...h, offset: h.offset + start }));
  });
}

/** `if: false` (or `${{ false }}`): a job or step that never runs. */
function neverRuns(condition: unknown): boolean {
  if (condition === false) return true;
  return typeof condition === 'string' && /^\s*(?:\$\{\{\s*false\s*\}\}|false)\s*$/.test(condition);
}

// A CI job that applies the new migrations while the previous release is running, and tests that
// release against them, proves the way back: the old code still works on the new schema, so a
// rollback of the code needs no rollback of the data.
const APPLIES_MIGRATIONS = /\b(?:db-migrate\s+up|migrate\s+(?:up|deploy|latest)\b|migrate:(?:latest|up)|db:migrate|alembic\s+upgrade|manage\.py\s+migrate|flyway\s+migrate|goose\b[^\n]*?\bup\b|typeorm\s+migration:run|ecto\.migrate|liquibase\s+update|dbmate\s+up)/i;
const PREVIOUS_RELEASE = /\b(?:previous|prior|last|stable|old|older|released|production)\s+(?:stable\s+)?(?:version|release|image|build)s?\b/i;

function previousReleaseGuard(job: Record<string, unknown>): { index: number } | undefined {
  const steps = asArray(job.steps).map((st) => asRecord(st) ?? {});
  const migrates = steps.findIndex((st) => typeof st.run === 'string' && APPLIES_MIGRATIONS.test(st.run));
  if (migrates < 0) return undefined;
  // The previous release must be running before the migrations are applied: named by a step before them.
  const before = steps.slice(0, migrates).findIndex((st) => PREVIOUS_RELEASE.test(`${String(st.name ?? '')}`));
  return before < 0 ? undefined : { index: before };
}

function readWorkflow(file: TextFile, top: Record<string, unknown>, doc: Document, counter: LineCounter, lineOf: (offset: number) => number, scan: AutomationScan): void {
  const jobs = asRecord(top.jobs);
  const scanSteps = (steps: unknown, stepsPath: (string | number)[], jobFails: boolean, where: string) => {
    asArray(steps).forEach((stepValue, i) => {
      const step = asRecord(stepValue);
      if (!step || neverRuns(step.if)) return;
      if (typeof step.uses === 'string') readUses(step.uses, asRecord(step.with), file.path, lineAt(counter, doc, [...stepsPath, i, 'uses'], 1), where, scan);
      if (typeof step.run !== 'string') return;
      const fails = jobFails || (typeof step.if === 'string' && FAILURE_CONDITION.test(step.if));
      commandMechanisms(scanScalars(file.text, doc, [...stepsPath, i, 'run']), file.path, lineOf, () => fails, where, scan, true);
    });
  };
  if (jobs) {
    for (const [id, jobValue] of Object.entries(jobs)) {
      const job = asRecord(jobValue);
      if (!job || neverRuns(job.if)) continue;
      // A job that tests manifests on a throwaway cluster deploys nothing.
      if (asArray(job.steps).some((st) => LOCAL_CLUSTER.test(`${String(asRecord(st)?.run ?? '')} ${String(asRecord(st)?.uses ?? '')}`))) continue;
      scanSteps(job.steps, ['jobs', id, 'steps'], typeof job.if === 'string' && FAILURE_CONDITION.test(job.if), `workflow job ${id}`);
      const compatibility = previousReleaseGuard(job);
      if (compatibility) {
        scan.safeguards.push({
          kind: 'data-rollback',
          label: `workflow job ${id} applies the new migrations under the previous release: the old code is tested on the new schema`,
          path: file.path,
          line: lineAt(counter, doc, ['jobs', id, 'steps', compatibility.index], 1),
          tested: true,
        });
      }
    }
  }
  // Composite actions: runs.steps.
  const runs = asRecord(top.runs);
  if (runs) scanSteps(runs.steps, ['runs', 'steps'], false, 'a composite action');
}

const GITLAB_RESERVED = new Set(['stages', 'variables', 'include', 'workflow', 'image', 'services', 'cache', 'default', 'spec']);

function readGitlab(file: TextFile, top: Record<string, unknown>, doc: Document, counter: LineCounter, lineOf: (offset: number) => number, scan: AutomationScan): void {
  for (const [id, jobValue] of Object.entries(top)) {
    if (GITLAB_RESERVED.has(id)) continue;
    if (id === 'before_script' || id === 'after_script') {
      commandMechanisms(scanScalars(file.text, doc, [id]), file.path, lineOf, () => false, `GitLab CI ${id}`, scan, true);
      continue;
    }
    const job = asRecord(jobValue);
    if (!job || job.when === 'never') continue; // a job that never runs
    if (!id.startsWith('.') && gitlabDeployJob(id, job)) scan.safeguards.push({ kind: 'redeploy', label: `GitLab CI job ${id} deploys from CI: a revert goes out the same way`, path: file.path, line: lineAt(counter, doc, [id]) });
    const whens = [job.when, ...asArray(job.rules).map((r) => asRecord(r)?.when)].filter((w): w is string => typeof w === 'string');
    const jobFails = whens.includes('on_failure');
    for (const key of ['before_script', 'script', 'after_script']) {
      const hits = scanScalars(file.text, doc, [id, key]);
      if (hits.length === 0) continue;
      // after_script runs after failures too; it is a failure handler when it tests CI_JOB_STATUS.
      const raw = asArray(job[key]).flat(4).concat(typeof job[key] === 'string' ? [job[key]] : []).filter((l): l is string => typeof l === 'string').join('\n');
      const statusCheck = key === 'after_script' && /CI_JOB_STATUS\s*(?:==?|!=)\s*["']?(?:failed|success)/.test(raw);
      commandMechanisms(hits, file.path, lineOf, () => jobFails || statusCheck, `GitLab CI job ${id}`, scan, true);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Terraform

function readTerraform(path: string, body: HclBody, scan: AutomationScan): void {
  const handledBreakers = new Set<number>();
  for (const svc of resources(body, 'aws_ecs_service')) {
    const name = svc.labels[1] ?? '(unnamed)';
    const controller = childNodes(svc.body, 'deployment_controller')[0];
    const controllerType = controller ? attribute(controller.body, 'type')?.value : undefined;
    const breaker = childNodes(svc.body, 'deployment_circuit_breaker')[0];
    if (breaker) handledBreakers.add(breaker.line);
    if (controllerType === 'CODE_DEPLOY' || controllerType === 'EXTERNAL') continue;
    const alarms = childNodes(svc.body, 'alarms')[0];
    if (alarms && isTrue(attribute(alarms.body, 'enable')) && isTrue(attribute(alarms.body, 'rollback'))) {
      const names = attribute(alarms.body, 'alarm_names');
      const verdict = hclListVerdict(names);
      if (verdict === 'non-empty') scan.mechanisms.push({ tier: 'metric-gated', label: `aws_ecs_service.${name} rolls back on CloudWatch alarms`, path, line: alarms.line });
      else {
        scan.findings.push({
          rule: verdict === 'indeterminate' ? 'unverifiable-setting' : 'rollback-not-on-metrics',
          severity: verdict === 'indeterminate' ? 'low' : 'medium',
          path,
          line: names?.line ?? alarms.line,
          message:
            verdict === 'indeterminate'
              ? `aws_ecs_service.${name}: alarm_names is the expression ${names!.raw.slice(0, 80)}, not a literal list, so whether any alarm can roll back cannot be verified; not counted as metric-gated`
              : `aws_ecs_service.${name}: alarms { alarm_names } is ${verdict === 'empty' ? 'empty' : 'missing'}, so no alarm can roll back a deployment`,
        });
      }
    }
    const verdict = breaker ? breakerVerdict(breaker) : undefined;
    if (verdict === 'rollback') {
      scan.mechanisms.push({ tier: 'health-gated', label: `aws_ecs_service.${name} deployment circuit breaker with rollback`, path, line: breaker!.line });
    } else if (!(alarms && isTrue(attribute(alarms.body, 'rollback')))) {
      scan.findings.push({
        rule: verdict === 'unverified' ? 'unverifiable-setting' : 'ecs-without-rollback',
        severity: verdict === 'unverified' ? 'low' : 'medium',
        path,
        line: breaker ? (attribute(breaker.body, 'rollback')?.line ?? breaker.line) : svc.line,
        message:
          verdict === 'unverified'
            ? `aws_ecs_service.${name}: deployment_circuit_breaker is set from expressions (${attribute(breaker!.body, 'enable')?.raw ?? '?'}, ${attribute(breaker!.body, 'rollback')?.raw ?? '?'}), which cannot be verified; not counted`
            : verdict === 'no-rollback'
              ? `aws_ecs_service.${name}: the deployment circuit breaker stops a failing deployment but rollback is not true, so it is not rolled back`
              : `aws_ecs_service.${name} has no deployment circuit breaker with rollback (deployment_circuit_breaker { enable = true rollback = true })`,
      });
    }
  }
  // Module inputs and other places: terraform-aws-modules' `deployment_circuit_breaker = { enable = true, rollback = true }`.
  for (const node of findNodes(body, 'deployment_circuit_breaker')) {
    if (handledBreakers.has(node.line)) continue;
    if (breakerVerdict(node) === 'rollback') scan.mechanisms.push({ tier: 'health-gated', label: 'ECS deployment circuit breaker with rollback (module input)', path, line: node.line });
  }

  for (const group of resources(body, 'aws_codedeploy_deployment_group')) {
    const arc = childNodes(group.body, 'auto_rollback_configuration')[0];
    const ac = childNodes(group.body, 'alarm_configuration')[0];
    const events = arc ? attribute(arc.body, 'events') : undefined;
    // Only a literal list of events counts: `events = var.events` is decided elsewhere.
    const eventList = events === undefined ? [] : Array.isArray(events.value) ? events.value : { shown: `the expression ${events.raw.slice(0, 80)}` };
    const alarmList = ac ? attribute(ac.body, 'alarms') : undefined;
    readCodeDeploy(`aws_codedeploy_deployment_group.${group.labels[1] ?? '(unnamed)'}`, {
      enabled: arc !== undefined && isTrue(attribute(arc.body, 'enabled')),
      events: eventList,
      alarms: ac !== undefined && isTrue(attribute(ac.body, 'enabled')) ? hclListVerdict(alarmList) : 'absent',
      alarmsShown: `the expression ${alarmList?.raw.slice(0, 80) ?? ''}`,
      present: arc !== undefined,
    }, path, arc?.line ?? group.line, scan, 'auto_rollback_configuration { enabled = true events = ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"] } with an alarm_configuration');
  }

  for (const pipeline of resources(body, 'aws_codepipeline')) {
    const name = pipeline.labels[1] ?? '(unnamed)';
    const alarmConditions = findNodes(pipeline.body, 'condition').filter(
      (c) => attribute(c.body, 'result')?.value === 'ROLLBACK' && findNodes(c.body, 'rule_type_id').some((r) => attribute(r.body, 'provider')?.value === 'CloudWatchAlarm'),
    );
    if (alarmConditions.length > 0) scan.mechanisms.push({ tier: 'metric-gated', label: `aws_codepipeline.${name} rolls back on a CloudWatch alarm`, path, line: alarmConditions[0]!.line });
    for (const onFailure of findNodes(pipeline.body, 'on_failure')) {
      if (attribute(onFailure.body, 'result')?.value === 'ROLLBACK') scan.mechanisms.push({ tier: 'health-gated', label: `aws_codepipeline.${name} rolls back a failed stage`, path, line: onFailure.line });
    }
  }

  for (const release of resources(body, 'helm_release')) {
    const name = release.labels[1] ?? '(unnamed)';
    const atomic = attribute(release.body, 'atomic');
    if (isTrue(atomic)) scan.mechanisms.push({ tier: 'health-gated', label: `helm_release.${name} is atomic`, path, line: atomic!.line });
    else scan.findings.push({ rule: 'helm-release-not-atomic', severity: 'medium', path, line: atomic?.line ?? release.line, message: `helm_release.${name} is not atomic: a failed upgrade is left failed instead of rolled back (atomic = true)` });
  }

  for (const type of ['kubernetes_deployment', 'kubernetes_deployment_v1']) {
    for (const dep of resources(body, type)) {
      const name = `${type}.${dep.labels[1] ?? '(unnamed)'}`;
      const deadline = findAttribute(dep.body, 'progress_deadline_seconds');
      if (deadline) scan.safeguards.push({ kind: 'detection', label: `progress_deadline_seconds on ${name}`, path, line: deadline.line });
      const readiness = findNodes(dep.body, 'readiness_probe')[0];
      const recreate = findNodes(dep.body, 'strategy').some((st) => attribute(st.body, 'type')?.value === 'Recreate');
      if (readiness && !recreate) scan.safeguards.push({ kind: 'gated-rollout', label: `${name} rolls out behind a readiness probe`, path, line: readiness.line });
    }
  }

  readPlatformTerraform(path, body, scan);
}

/** Platforms that undo or hold back a failing release by themselves, and where a reviewed change is applied. */
function readPlatformTerraform(path: string, body: HclBody, scan: AutomationScan): void {
  for (const stack of resources(body, 'aws_cloudformation_stack')) {
    const name = `aws_cloudformation_stack.${stack.labels[1] ?? '(unnamed)'}`;
    const disable = attribute(stack.body, 'disable_rollback');
    const onFailure = attribute(stack.body, 'on_failure');
    if (isTrue(disable) || (typeof onFailure?.value === 'string' && onFailure.value.toUpperCase() === 'DO_NOTHING')) {
      const at = isTrue(disable) ? disable! : onFailure!;
      scan.findings.push({ rule: 'stack-rollback-disabled', severity: 'medium', path, line: at.line, message: `${name} sets ${at.name} = ${at.raw}: a failed stack update is left half applied instead of rolled back` });
    }
    // A stack Terraform applies is one resource among many: CloudFormation rolls back that stack, not the release.
  }

  for (const asg of resources(body, 'aws_autoscaling_group')) {
    const name = `aws_autoscaling_group.${asg.labels[1] ?? '(unnamed)'}`;
    const refresh = childNodes(asg.body, 'instance_refresh')[0];
    if (!refresh) continue;
    const preferences = childNodes(refresh.body, 'preferences')[0];
    const autoRollback = preferences ? attribute(preferences.body, 'auto_rollback') : undefined;
    if (isTrue(autoRollback)) scan.mechanisms.push({ tier: 'health-gated', label: `${name} instance refresh rolls back automatically (auto_rollback)`, path, line: autoRollback!.line });
    else scan.safeguards.push({ kind: 'gated-rollout', label: `${name} replaces instances by rolling instance refresh, without auto_rollback`, path, line: refresh.line });
  }

  for (const type of ['google_compute_instance_group_manager', 'google_compute_region_instance_group_manager']) {
    for (const mig of resources(body, type)) {
      const policy = childNodes(mig.body, 'update_policy')[0];
      if (policy) scan.safeguards.push({ kind: 'gated-rollout', label: `${type}.${mig.labels[1] ?? '(unnamed)'} rolls instances by its update policy`, path, line: policy.line });
    }
  }

  for (const type of ['google_cloud_run_service', 'google_cloud_run_v2_service']) {
    for (const svc of resources(body, type)) {
      scan.safeguards.push({ kind: 'gated-rollout', label: `Cloud Run ${type}.${svc.labels[1] ?? '(unnamed)'}: a revision takes traffic only once it starts`, path, line: svc.line });
    }
  }

  for (const type of ['render_web_service', 'render_private_service']) {
    for (const svc of resources(body, type)) {
      const check = findAttribute(svc.body, 'health_check_path');
      if (check) scan.safeguards.push({ kind: 'gated-rollout', label: `Render ${type}.${svc.labels[1] ?? '(unnamed)'} switches traffic only after its health check passes`, path, line: check.line });
    }
  }

  // Terraform Cloud / Enterprise workspaces that apply from a repository: plans on pull requests, applies on merge.
  for (const ws of resources(body, 'tfe_workspace')) {
    const vcs = childNodes(ws.body, 'vcs_repo')[0];
    if (vcs) scan.safeguards.push({ kind: 'redeploy', label: `tfe_workspace.${ws.labels[1] ?? '(unnamed)'} plans and applies from version control (revert and re-apply to roll back)`, path, line: vcs.line });
  }
}

function breakerVerdict(node: HclNode): 'rollback' | 'no-rollback' | 'unverified' | 'disabled' {
  const enable = attribute(node.body, 'enable');
  const rollback = attribute(node.body, 'rollback');
  if (isTrue(enable) && isTrue(rollback)) return 'rollback';
  const literal = (a: typeof enable) => a === undefined || a.value !== undefined;
  if (!literal(enable) || !literal(rollback)) return 'unverified';
  return isTrue(enable) ? 'no-rollback' : 'disabled';
}

function findAttribute(body: HclBody, name: string): { line: number } | undefined {
  const stack: HclBody[] = [body];
  while (stack.length > 0) {
    const b = stack.pop()!;
    const hit = attribute(b, name);
    if (hit) return hit;
    for (const block of b.blocks) stack.push(block.body);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Entry points

export interface ScanInput {
  yaml: TextFile[];
  terraform: TextFile[];
  scripts: TextFile[];
  /** fly.toml files, read when the repository deploys with flyctl. */
  fly?: TextFile[];
}

function unreadable(scan: AutomationScan, path: string, line: number, what: string, rule: Rule = 'unparsable-deploy-config'): void {
  scan.findings.push({ rule, severity: 'medium', path, line, message: what });
}

export function scanAutomation(input: ScanInput): AutomationScan {
  const scan: AutomationScan = { mechanisms: [], safeguards: [], findings: [] };
  const chartDirs = new Set(input.yaml.filter((f) => /(^|\/)Chart\.ya?ml$/.test(f.path)).map((f) => dirOf(f.path)));
  const collected: Collected = { rollouts: [], templates: [], chartDirs, workflows: [], unremediated: [] };

  for (const file of input.yaml) {
    try {
      readYamlFile(file, scan, collected);
    } catch (error) {
      // Anything unforeseen in one file costs that file, not the check.
      unreadable(scan, file.path, 1, `could not analyse this file (${(error as Error).message}); its deploy configuration was not read`, 'unreadable-file');
    }
  }

  for (const file of input.terraform) {
    try {
      readTerraform(file.path, parseHcl(file.text), scan);
    } catch (error) {
      if (error instanceof HclTooDeepError) unreadable(scan, file.path, error.line, `Terraform ${error.message}: this file was not read`);
      else unreadable(scan, file.path, 1, `could not analyse this Terraform file (${(error as Error).message})`, 'unreadable-file');
    }
  }

  for (const file of input.scripts) {
    const lineOf = lineIndex(file.text);
    const jenkins = JENKINSFILE.test(file.path);
    // A Jenkinsfile is Groovy: its `//` and `/* … */` comments are blanked out first (offsets kept).
    const text = jenkins ? blankGroovyComments(file.text) : file.text;
    const inside = jenkins ? insideAny(text.length, jenkinsFailureRanges(text)) : () => false;
    const inFailure = (hit: CommandHit) => inside(hit.offset);
    // A script that brings up a throwaway cluster (kind, minikube, k3d) tests manifests: its rollouts deploy nothing.
    if (LOCAL_CLUSTER.test(text)) continue;
    if (jenkins) {
      const pipeline = textPipeline({ path: file.path, text });
      if (pipeline) scan.safeguards.push(pipeline);
    }
    commandMechanisms(scanCommands(text), file.path, lineOf, inFailure, jenkins ? 'a Jenkinsfile' : 'a script', scan, jenkins);
  }

  // fly.toml describes this repository's releases only when it deploys with flyctl.
  if (scan.fliesDeploys) for (const file of input.fly ?? []) readFlyToml(file, scan);

  // What a reusable workflow nobody calls would do never happens.
  const uncalled = uncalledWorkflows(collected.workflows);
  if (uncalled.size > 0) {
    scan.mechanisms = scan.mechanisms.filter((m) => !uncalled.has(m.path));
    scan.safeguards = scan.safeguards.filter((g) => !uncalled.has(g.path));
  }
  const workflows = resolveWorkflows(collected.workflows);
  scan.safeguards.push(...workflows.safeguards);
  scan.findings.push(...workflows.findings);
  // A rollback workflow whose commands were already read says more through them.
  scan.mechanisms.push(...workflows.mechanisms.filter((m) => !scan.mechanisms.some((n) => n.path === m.path)));
  if (collected.fleetRemediation) scan.mechanisms.push(collected.fleetRemediation);
  else scan.findings.push(...collected.unremediated);
  resolveRollouts(collected, scan);
  return scan;
}

const dirOf = (path: string): string => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');

// Tests, local development and CI fixtures are not production rollouts.
// Flux's own generated install manifest (gotk-components.yaml) describes Flux, not the workloads it deploys.
const NON_PRODUCTION = /(^|\/)(tests?|__tests__|e2e|local|kind|minikube|\.github|ci|hack)\/|(^|\/)gotk-components\.ya?ml$/i;
function isNonProduction(path: string): boolean {
  return NON_PRODUCTION.test(path);
}

/** A key anywhere in a value, at most `depth` levels down. */
function hasKey(value: unknown, key: string, depth: number): boolean {
  if (depth < 0) return false;
  if (Array.isArray(value)) return value.some((v) => hasKey(v, key, depth - 1));
  const r = asRecord(value);
  if (!r) return false;
  if (Object.hasOwn(r, key)) return true;
  return Object.values(r).some((v) => hasKey(v, key, depth - 1));
}

function lineOfKey(text: string, key: string): number {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.trimStart().startsWith(`${key}:`));
  return i < 0 ? 1 : i + 1;
}

function readFlyToml(file: TextFile, scan: AutomationScan): void {
  const lines = file.text.split('\n');
  const rollback = lines.findIndex((l) => /^\s*auto_rollback\s*=\s*true\b/.test(l));
  if (rollback >= 0) {
    scan.mechanisms.push({ tier: 'health-gated', label: 'Fly.io releases roll back automatically when health checks fail (auto_rollback)', path: file.path, line: rollback + 1 });
    return;
  }
  const check = lines.findIndex((l) => /^\s*\[\[?(services\.)?(http_checks|tcp_checks|checks|http_service\.checks)/.test(l));
  if (check >= 0) scan.safeguards.push({ kind: 'gated-rollout', label: 'Fly.io rolling deploys wait for health checks', path: file.path, line: check + 1 });
}

/** Docker Swarm stacks: `deploy.update_config` says what a failed service update does. */
function readSwarm(path: string, top: Record<string, unknown>, doc: Document, counter: LineCounter, scan: AutomationScan): void {
  const services = asRecord(top.services) ?? {};
  const startFirst: { name: string; checked: boolean }[] = [];
  for (const [name, value] of Object.entries(services)) {
    const update = asRecord(asRecord(asRecord(value)?.deploy)?.update_config);
    if (!update) continue;
    if (update.failure_action === 'rollback') {
      scan.mechanisms.push({ tier: 'health-gated', label: `Swarm service ${name} rolls back a failed update (update_config.failure_action: rollback)`, path, line: lineAt(counter, doc, ['services', name, 'deploy', 'update_config', 'failure_action']) });
      return;
    }
    // Swarm waits for a new task to be healthy only when the service has a health check.
    const health = asRecord(asRecord(value)?.healthcheck);
    const checked = health !== undefined && health.disable !== true && !(Array.isArray(health.test) && health.test[0] === 'NONE');
    if (update.order === 'start-first') startFirst.push({ name, checked });
  }
  // The stack file lists the whole system: the rollout is gated when most services it updates first are health-checked.
  const checked = startFirst.filter((x) => x.checked);
  if (checked.length > 0 && checked.length * 2 >= startFirst.length) {
    const first = checked[0]!;
    scan.safeguards.push({
      kind: 'gated-rollout',
      label: `Swarm starts new tasks before stopping old ones and waits for their health check (update_config.order: start-first, ${checked.length} of ${startFirst.length} services health-checked)`,
      path,
      line: lineAt(counter, doc, ['services', first.name, 'deploy', 'update_config']),
    });
  }
}

// Sceptre stack configuration: a YAML file under config/ naming its template.
function isSceptreConfig(path: string, top: Record<string, unknown>): boolean {
  return /(^|\/)config\//.test(path) && (top.template_path !== undefined || asRecord(top.template) !== undefined || /(^|\/)config\/config\.ya?ml$/.test(path));
}

function readSceptreConfig(path: string, top: Record<string, unknown>, doc: Document, counter: LineCounter, scan: AutomationScan): void {
  const onFailure = typeof top.on_failure === 'string' ? top.on_failure.toUpperCase() : undefined;
  if (onFailure === 'DO_NOTHING') scan.findings.push({ rule: 'stack-rollback-disabled', severity: 'medium', path, line: lineAt(counter, doc, ['on_failure']), message: 'Sceptre on_failure: DO_NOTHING: a stack that fails to create is left as it is instead of rolled back' });
  if (truthy(top.disable_rollback) || top.disable_rollback === 'True') scan.findings.push({ rule: 'stack-rollback-disabled', severity: 'medium', path, line: lineAt(counter, doc, ['disable_rollback']), message: 'Sceptre disable_rollback: a failed stack update is left half applied instead of rolled back' });
}

function readYamlFile(file: TextFile, scan: AutomationScan, collected: Collected): void {
  const lineOf = lineIndex(file.text);
  const plan = atlantis(file);
  if (plan) scan.safeguards.push(plan);
  const ci = WORKFLOW.test(file.path) || ACTION.test(file.path) || GITLAB.test(file.path);
  let parsed: ReturnType<typeof parseYaml>;
  try {
    // GitHub and GitLab expressions (${{ … }}) are YAML as they are; only other files may be Helm templates.
    parsed = parseYaml(file.text, { templates: !ci });
  } catch (error) {
    if (!(error instanceof YamlTooDeepError)) unreadable(scan, file.path, 1, `could not parse YAML (${(error as Error).message}); its deploy configuration was not read`);
    else if (ci || RELEVANT_YAML.test(file.text) || DEPLOY_YAML_PATH.test(file.path)) unreadable(scan, file.path, error.line, 'YAML nested too deeply to read: deploy configuration in this document cannot be read');
    if (ci || OTHER_CI_YAML.test(file.path)) commandMechanisms(scanCommands(file.text, { yaml: true }), file.path, lineOf, () => false, 'a CI file read as text', scan);
    return;
  }
  const { docs, counter, templated } = parsed;
  let brokenCi = false;
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      const relevant = ci || RELEVANT_YAML.test(file.text) || DEPLOY_YAML_PATH.test(file.path);
      if (relevant && !templated) {
        const error = doc.errors[0]!.message.split('\n')[0] ?? '';
        unreadable(
          scan,
          file.path,
          firstErrorLine(doc, counter),
          /call stack|too deep/i.test(error)
            ? 'YAML nested too deeply to read: deploy configuration in this document cannot be read'
            : `malformed YAML, deploy configuration in this document cannot be read: ${error}`,
        );
      } else if (relevant && templated) {
        scan.findings.push({ rule: 'unparsable-deploy-config', severity: 'info', path: file.path, line: firstErrorLine(doc, counter), message: 'templated YAML (Helm/Go template) could not be read even with its template actions blanked out' });
      }
      if (ci) brokenCi = true;
      continue;
    }
    let root: unknown;
    try {
      root = toJs(doc);
    } catch (error) {
      unreadable(scan, file.path, docStartLine(counter, doc), `YAML could not be evaluated (${(error as Error).message}); its deploy configuration was not read`);
      continue;
    }
    const top = asRecord(root);
    if (!top) continue;
    if (WORKFLOW.test(file.path) || ACTION.test(file.path)) {
      readWorkflow(file, top, doc, counter, lineOf, scan);
      if (WORKFLOW.test(file.path)) collected.workflows.push(workflowInfo(file.path, top, doc, counter));
      continue;
    }
    if (GITLAB.test(file.path)) {
      readGitlab(file, top, doc, counter, lineOf, scan);
      continue;
    }
    const kind = top.kind;
    const apiVersion = typeof top.apiVersion === 'string' ? top.apiVersion : '';
    const controller = gitops(kind, apiVersion);
    if (controller && !isNonProduction(file.path)) {
      scan.safeguards.push({ kind: 'redeploy', label: `${controller} follows this repository: reverting a commit rolls the cluster back`, path: file.path, line: lineAt(counter, doc, ['kind'], docStartLine(counter, doc)) });
    }
    if (kind === 'Rollout' && apiVersion.startsWith('argoproj.io/')) readRollout(file.path, top, doc, counter, collected);
    else if ((kind === 'AnalysisTemplate' || kind === 'ClusterAnalysisTemplate') && apiVersion.startsWith('argoproj.io/')) {
      const verdict = analysisCanAbort(asRecord(top.spec));
      collected.templates.push({ name: str(asRecord(top.metadata)?.name) ?? '(unnamed)', kind, path: file.path, line: lineAt(counter, doc, ['kind'], docStartLine(counter, doc)), canAbort: verdict.canAbort, why: verdict.why });
    } else if (kind === 'Canary' && apiVersion.startsWith('flagger.app/')) readCanary(file.path, top, doc, counter, scan);
    else if (kind === 'HelmRelease' && apiVersion.startsWith('helm.toolkit.fluxcd.io/')) readHelmRelease(file.path, top, doc, counter, scan, collected);
    else if (kind === 'Kustomization' && apiVersion.startsWith('kustomize.toolkit.fluxcd.io/')) readFluxKustomization(file.path, top, doc, counter, collected);
    else if ((kind === 'Deployment' || kind === 'StatefulSet') && /^(apps\/v1|extensions\/)/.test(apiVersion)) {
      const spec = asRecord(top.spec);
      const rawName = str(asRecord(top.metadata)?.name) ?? '(unnamed)';
      const name = isTemplatedValue(rawName) ? '(templated name)' : rawName;
      if (spec?.progressDeadlineSeconds !== undefined && spec.progressDeadlineSeconds !== null) {
        scan.safeguards.push({ kind: 'detection', label: `progressDeadlineSeconds on ${kind} ${name}`, path: file.path, line: lineAt(counter, doc, ['spec', 'progressDeadlineSeconds']) });
      }
      // A rolling update waits for new pods to be ready: a version that never becomes ready never takes all the traffic.
      const strategy = asRecord(spec?.strategy) ?? asRecord(spec?.updateStrategy);
      const podSpec = asRecord(asRecord(spec?.template)?.spec);
      const probed = asArray(podSpec?.containers).some((c) => asRecord(c) !== undefined && 'readinessProbe' in asRecord(c)!);
      if (probed && strategy?.type !== 'Recreate' && strategy?.type !== 'OnDelete' && !isNonProduction(file.path)) {
        scan.safeguards.push({ kind: 'gated-rollout', label: `${kind} ${name} rolls out behind a readiness probe`, path: file.path, line: lineAt(counter, doc, ['kind'], docStartLine(counter, doc)) });
      }
    } else if (/(^|\/)values[^/]*\.ya?ml$/i.test(file.path) && collected.chartDirs.has(dirOf(file.path)) && hasKey(top, 'readinessProbe', 6) && !isNonProduction(file.path)) {
      scan.safeguards.push({ kind: 'gated-rollout', label: 'Helm values give the workload a readiness probe', path: file.path, line: lineOfKey(file.text, 'readinessProbe') });
    } else if (asRecord(top.services) !== undefined && /(^|\/)(docker-)?compose[^/]*\.ya?ml$|stack[^/]*\.ya?ml$/i.test(file.path)) {
      readSwarm(file.path, top, doc, counter, scan);
    } else if (isSceptreConfig(file.path, top)) {
      readSceptreConfig(file.path, top, doc, counter, scan);
    } else if (top.Resources !== undefined && (top.AWSTemplateFormatVersion !== undefined || Object.values(asRecord(top.Resources) ?? {}).some((r) => typeof asRecord(r)?.Type === 'string' && String(asRecord(r)?.Type).startsWith('AWS::')))) {
      readCloudFormation(file.path, top, doc, counter, scan);
    } else if (HELMFILE.test(file.path) || (Array.isArray(top.releases) && (top.helmDefaults !== undefined || top.repositories !== undefined))) {
      readHelmfile(file.path, top, doc, counter, scan);
    }
  }
  // A broken workflow is still read as text: its helm and rollback commands count, without context.
  if (brokenCi) commandMechanisms(scanCommands(file.text, { yaml: true }), file.path, lineOf, () => false, 'a CI file read as text', scan, true);
  else if (!ci && OTHER_CI_YAML.test(file.path)) {
    commandMechanisms(scanCommands(file.text, { yaml: true }), file.path, lineOf, () => false, 'a CI file', scan, true);
    const pipeline = textPipeline(file);
    if (pipeline) scan.safeguards.push(pipeline);
  }
}

function firstErrorLine(doc: Document.Parsed, counter: LineCounter): number {
  const error = doc.errors[0];
  return error ? counter.linePos(error.pos[0]).line : 1;
}

function resolveRollouts(collected: Collected, scan: AutomationScan): void {
  const usedTemplates = new Set<TemplateObj>();
  for (const r of collected.rollouts) {
    const fallback = (): void => {
      if (r.abortOnDeadline) scan.mechanisms.push({ tier: 'health-gated', label: `Argo Rollout ${r.name} aborts when it misses its progress deadline (progressDeadlineAbort), not on metrics`, path: r.path, line: r.strategyLine });
      else scan.safeguards.push({ kind: 'gated-rollout', label: `Argo Rollout ${r.name} without analysis (someone must abort it)`, path: r.path, line: r.strategyLine });
    };
    if (r.refs.length === 0) {
      fallback();
      scan.findings.push({ rule: 'canary-without-analysis', severity: 'medium', path: r.path, line: r.strategyLine, message: `Rollout ${r.name} has no analysis: it can't abort on metrics (add an AnalysisTemplate with a failure condition to the canary or blueGreen strategy)` });
      continue;
    }
    const resolved = r.refs.map((ref) => ({ ref, template: collected.templates.find((t) => t.name === ref.name && (ref.cluster ? t.kind === 'ClusterAnalysisTemplate' : t.kind === 'AnalysisTemplate')) }));
    for (const { template } of resolved) if (template) usedTemplates.add(template);
    const aborting = resolved.find((x) => x.template?.canAbort);
    const unresolved = resolved.filter((x) => !x.template);
    // A template that is not here cannot be verified: a ClusterAnalysisTemplate owned by a platform
    // repository earns no more than a broken one here would (deleting a broken template must not
    // raise the score), and a namespaced AnalysisTemplate ships with the Rollout anyway.
    if (aborting) scan.mechanisms.push({ tier: 'metric-gated', label: `Argo Rollout ${r.name} with analysis ${aborting.ref.name}`, path: r.path, line: aborting.ref.line, progressive: true });
    else fallback();
    for (const { ref } of unresolved) {
      scan.findings.push({
        rule: 'analysis-not-in-repository',
        severity: aborting ? 'low' : 'medium',
        path: r.path,
        line: ref.line,
        message: ref.cluster
          ? `Rollout ${r.name} uses ClusterAnalysisTemplate ${ref.name}, which is not in this repository: whether it can abort the rollout cannot be verified, so it is not counted as analysis`
          : `Rollout ${r.name} uses AnalysisTemplate ${ref.name}, which is not in this repository: it cannot be verified to abort the rollout, so it is not counted as analysis`,
      });
    }
  }
  for (const t of collected.templates) {
    if (t.canAbort) continue;
    const users = collected.rollouts.filter((r) => r.refs.some((ref) => ref.name === t.name)).map((r) => r.name);
    scan.findings.push({
      rule: 'analysis-cannot-fail',
      severity: usedTemplates.has(t) ? 'high' : 'medium',
      path: t.path,
      line: t.line,
      message: `${t.kind} ${t.name} can never fail (${t.why}), so ${users.length > 0 ? `Rollout ${users.join(', ')} never aborts` : 'no rollout using it can abort'} on metrics: add a successCondition or failureCondition with a failureLimit below count`,
    });
  }
}
