// Deploy pipelines: does this repository deploy itself, so that a revert (or a chosen earlier version)
// goes out the same way the bad change did? GitHub Actions workflows, GitLab jobs with environments,
// Jenkinsfiles and other CI files, Atlantis, and GitOps controllers that follow the repository.
import type { Document, LineCounter } from 'yaml';
import type { Finding } from '../contract.ts';
import type { Mechanism, Safeguard, TextFile } from './automation.ts';
import type { Rule } from './rules.ts';
import { asArray, asRecord, lineAt } from './yaml.ts';

// Names of workflows, jobs and stages that deploy (and of the ones that only publish or preview).
// (`apply` alone is not one: "Apply labels" syncs labels; Terraform applies are found by their command.)
const DEPLOY_NAME = /deploy|rollout|roll out|promot|rollback|redeploy|release to|go[ -]live/i;
const NOT_A_DEPLOY = /\b(docs?|documentation|pages|storybook|chromatic|preview|review[ _-]?apps?|translations?|sdk|npm|pypi|package|packages|chart|charts|helm[ _-]chart|docker ?hub|lint|test|tests|testing|performance|e2e|destroy|delete|teardown|cleanup|backup|restore|recover|monitor|maintenance|reconcile|sync)\b|github-pages/i;
const NOT_A_DEPLOY_ENV = /pages|docs|translation|pypi|npm|sdk|release|publish|maintenance|preview|review|copilot|^ci$|secrets?/i;
// Inputs that choose what to deploy: a version, tag, ref, commit, image.
const VERSION_INPUT = /version|tag|ref|sha|commit|image|release|revision|build/i;
const ROLLBACK_NAME = /rollback|roll[ _-]back|redeploy|revert/i;
const SMOKE = /smoke|health[ _-]?check|post[ _-]deploy|verify[ _-]deploy|sanity/i;
// Infrastructure as code applied by CI.
const APPLY = /\b(terraform|tofu|terragrunt)\b[^\n]*\b(apply|run-all\s+apply)\b|\bhelmfile\b[^\n]*\b(apply|sync)\b|\bpulumi\b[^\n]*\bup\b|\bkubectl\b[^\n]*\bapply\b|\bhelm\b[^\n]*\bupgrade\b/;

export interface WorkflowInfo {
  path: string;
  name: string;
  /** Events other than workflow_call that start it. */
  triggered: boolean;
  dispatchInputs: string[];
  /** It can be started by hand (workflow_dispatch). */
  dispatchable: boolean;
  /** Jobs that deploy, with their lines. */
  deployJobs: { id: string; line: number; smoke: boolean }[];
  /** Local reusable workflows it calls (`uses: ./.github/workflows/deploy.yml`). */
  calls: string[];
  applies: boolean;
  line: number;
  /**
   * Started when another workflow completes (workflow_run), whatever its conclusion: nothing in it
   * tests `github.event.workflow_run.conclusion`, so it deploys after failed checks too. The line of its trigger.
   */
  afterAnyRun?: { line: number; after: string };
}

function environmentName(env: unknown): string | undefined {
  if (typeof env === 'string') return env;
  const name = asRecord(env)?.name;
  return typeof name === 'string' ? name : undefined;
}

const CONCLUSION = /workflow_run\.conclusion|\.conclusion\b/;

/** Every `if:` of a workflow, its jobs and their steps. */
function conditionsOf(top: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const value of Object.values(asRecord(top.jobs) ?? {})) {
    const job = asRecord(value);
    if (!job) continue;
    if (typeof job.if === 'string') out.push(job.if);
    for (const st of asArray(job.steps)) {
      const cond = asRecord(st)?.if;
      if (typeof cond === 'string') out.push(cond);
    }
  }
  return out;
}

export function workflowInfo(path: string, top: Record<string, unknown>, doc: Document, counter: LineCounter): WorkflowInfo {
  const on = top.on ?? top.true; // YAML 1.1 reads a bare `on:` key as true
  const events = typeof on === 'string' ? [on] : Array.isArray(on) ? on.filter((e): e is string => typeof e === 'string') : Object.keys(asRecord(on) ?? {});
  const dispatch = asRecord(asRecord(on)?.workflow_dispatch);
  const name = typeof top.name === 'string' ? top.name : '';
  const file = path.split('/').pop() ?? path;
  const info: WorkflowInfo = {
    path,
    name,
    triggered: events.some((e) => e !== 'workflow_call'),
    dispatchInputs: Object.keys(asRecord(dispatch?.inputs) ?? {}),
    dispatchable: events.includes('workflow_dispatch'),
    deployJobs: [],
    calls: [],
    applies: false,
    line: 1,
  };
  const afterRun = asRecord(asRecord(on)?.workflow_run);
  if (afterRun) {
    const types = asArray(afterRun.types).filter((t): t is string => typeof t === 'string');
    // Without types, every activity starts it, completion included.
    const onCompletion = types.length === 0 || types.includes('completed');
    if (onCompletion && !CONCLUSION.test(conditionsOf(top).join('\n'))) {
      const after = asArray(afterRun.workflows).filter((w): w is string => typeof w === 'string');
      info.afterAnyRun = { line: lineAt(counter, doc, ['on', 'workflow_run'], 1), after: after.length > 0 ? after.map((w) => `"${w}"`).join(', ') : 'another workflow' };
    }
  }
  const workflowDeploys = DEPLOY_NAME.test(`${file} ${name}`) && !NOT_A_DEPLOY.test(`${file} ${name}`);
  // A workflow that publishes documentation, previews or packages deploys no release of this system.
  const title = `${file.replace(/[-_.]/g, ' ')} ${name}`;
  if (NOT_A_DEPLOY.test(title) && !DEPLOY_NAME.test(title)) return info;
  for (const [id, value] of Object.entries(asRecord(top.jobs) ?? {})) {
    const job = asRecord(value);
    if (!job) continue;
    if (typeof job.uses === 'string' && job.uses.startsWith('./')) info.calls.push(job.uses.replace(/^\.\//, '').split('@')[0]!);
    const steps = asArray(job.steps).map(asRecord).filter((st): st is Record<string, unknown> => st !== undefined);
    const scripts = steps.map((st) => (typeof st.run === 'string' ? st.run : '')).join('\n');
    const applies = APPLY.test(scripts);
    if (applies) info.applies = true;
    const env = environmentName(job.environment);
    const label = `${id} ${typeof job.name === 'string' ? job.name : ''}`;
    // A literal environment name says what the job is for (github-pages, pypi); a templated one is chosen at run time.
    const badEnv = env !== undefined && !env.includes('${{') && NOT_A_DEPLOY_ENV.test(env);
    const deploys = !NOT_A_DEPLOY.test(label) && !badEnv && (env !== undefined || DEPLOY_NAME.test(label) || applies || (workflowDeploys && (typeof job.uses === 'string' || steps.length > 0)));
    if (!deploys) continue;
    const smoke = steps.some((st) => SMOKE.test(`${String(st.name ?? '')} ${String(st.uses ?? '')}`));
    info.deployJobs.push({ id, line: lineAt(counter, doc, ['jobs', id]), smoke });
  }
  // Jobs named for smoke tests in a deploying workflow check the release after it goes out.
  for (const [id, value] of Object.entries(asRecord(top.jobs) ?? {})) {
    if (info.deployJobs.length > 0 && SMOKE.test(`${id} ${String(asRecord(value)?.name ?? '')}`)) info.deployJobs.push({ id, line: lineAt(counter, doc, ['jobs', id]), smoke: true });
  }
  info.line = info.deployJobs[0]?.line ?? 1;
  return info;
}

/** Reusable workflows (workflow_call only) that no workflow of the repository calls: they never run. */
export function uncalledWorkflows(infos: WorkflowInfo[]): Set<string> {
  const called = new Set(infos.flatMap((i) => i.calls));
  return new Set(infos.filter((i) => !i.triggered && !called.has(i.path)).map((i) => i.path));
}

/** What the workflows of a repository, taken together, say about redeploying and rolling back. */
export function resolveWorkflows(infos: WorkflowInfo[]): { safeguards: Safeguard[]; mechanisms: Mechanism[]; findings: Finding<Rule>[] } {
  const uncalled = uncalledWorkflows(infos);
  const runs = (i: WorkflowInfo) => !uncalled.has(i.path);
  const safeguards: Safeguard[] = [];
  const mechanisms: Mechanism[] = [];
  const findings: Finding<Rule>[] = [];
  // A reusable workflow deploys after failed checks when every workflow that calls it does.
  const callers = (i: WorkflowInfo) => infos.filter((c) => runs(c) && c.calls.includes(i.path));
  const afterFailedChecks = (i: WorkflowInfo, seen = new Set<string>()): boolean => {
    if (i.afterAnyRun) return true;
    if (i.triggered || seen.has(i.path)) return false;
    seen.add(i.path);
    const by = callers(i);
    return by.length > 0 && by.every((c) => afterFailedChecks(c, seen));
  };
  const isRollback = (i: WorkflowInfo) => ROLLBACK_NAME.test(`${i.path.split('/').pop()} ${i.name}`);
  // A rollback workflow by name (before a redeploy or revert one), started by hand.
  const byHand = infos.filter((i) => runs(i) && i.dispatchable && isRollback(i));
  const rollback = byHand.find((i) => /roll[ _-]?back/i.test(`${i.path.split('/').pop()} ${i.name}`)) ?? byHand[0];
  // Deploy pipelines other than the rollback workflow, which counts as a manual rollback.
  const deploying = infos.filter((i) => runs(i) && i.deployJobs.length > 0 && i !== rollback);
  const chooser = deploying.find((i) => i.dispatchInputs.some((x) => VERSION_INPUT.test(x)));
  if (rollback) {
    mechanisms.push({ tier: 'manual', label: `rollback workflow "${rollback.name || rollback.path.split('/').pop()}" someone starts by hand`, path: rollback.path, line: rollback.line });
  }
  if (chooser) {
    const input = chooser.dispatchInputs.find((x) => VERSION_INPUT.test(x))!;
    safeguards.push({ kind: 'redeploy', label: `workflow "${chooser.name || chooser.path.split('/').pop()}" deploys a chosen version (input ${input})`, path: chooser.path, line: chooser.line });
  } else if (deploying.length > 0) {
    const gated = deploying.filter((i) => !afterFailedChecks(i));
    const first = gated[0] ?? deploying[0]!;
    safeguards.push(
      gated.length > 0
        ? { kind: 'redeploy', label: `workflow "${first.name || first.path.split('/').pop()}" deploys from CI: a revert goes out the same way`, path: first.path, line: first.line }
        : { kind: 'redeploy', label: `workflow "${first.name || first.path.split('/').pop()}" deploys from CI, after failed checks too: a revert goes out the same way, and so does a change that failed its tests`, path: first.path, line: first.line, afterFailedChecks: true },
    );
  }
  for (const i of deploying) {
    if (!i.afterAnyRun) continue;
    findings.push({
      rule: 'deploys-after-failed-checks',
      severity: 'medium',
      path: i.path,
      line: i.afterAnyRun.line,
      message: `workflow "${i.name || i.path.split('/').pop()}" deploys when ${i.afterAnyRun.after} completes, whether it passed or failed: add \`if: github.event.workflow_run.conclusion == 'success'\` to its jobs so a change that failed its checks is not deployed`,
    });
  }
  for (const i of deploying) {
    const smoke = i.deployJobs.find((j) => j.smoke);
    if (smoke) {
      safeguards.push({ kind: 'detection', label: `workflow "${i.name || i.path.split('/').pop()}" checks the release after deploying (job ${smoke.id})`, path: i.path, line: smoke.line });
      break;
    }
  }
  return { safeguards, mechanisms, findings };
}

/** GitLab CI jobs that deploy to an environment. */
export function gitlabDeployJob(id: string, job: Record<string, unknown>): boolean {
  const env = environmentName(job.environment);
  if (env !== undefined && !NOT_A_DEPLOY_ENV.test(env) && !NOT_A_DEPLOY.test(id)) return true;
  return (DEPLOY_NAME.test(id) || job.stage === 'deploy') && !NOT_A_DEPLOY.test(id);
}

// Jenkinsfiles, Azure Pipelines, CircleCI and other CI files read as text: a deploy stage or an apply.
const TEXT_DEPLOY = /\bstage\s*\(\s*['"][^'"\n]*\b(deploy|apply|rollout|release)\b|^\s*-?\s*(stage|job|deployment|name|displayName):\s*['"]?[\w -]*\b(deploy|apply|rollout)\b|finalAction:\s*['"]?apply/im;

export function textPipeline(file: TextFile): Safeguard | undefined {
  const lines = file.text.split('\n');
  const at = lines.findIndex((l) => TEXT_DEPLOY.test(l) || APPLY.test(l));
  if (at < 0) return undefined;
  return { kind: 'redeploy', label: `${file.path} deploys from CI: a revert goes out the same way`, path: file.path, line: at + 1 };
}

// Atlantis: plans on pull requests, applies from them once approved.
export function atlantis(file: TextFile): Safeguard | undefined {
  if (!/(^|\/)atlantis\.ya?ml$/i.test(file.path) || !/\bprojects\s*:|\bworkflows\s*:|\bautoplan\b/.test(file.text)) return undefined;
  return { kind: 'redeploy', label: 'Atlantis plans each pull request and applies it once reviewed: a revert is applied the same way', path: file.path, line: 1 };
}

/** GitOps controllers: the cluster follows this repository, so reverting a commit rolls the cluster back. */
export function gitops(kind: unknown, apiVersion: string): string | undefined {
  if (apiVersion.startsWith('argoproj.io/') && (kind === 'Application' || kind === 'ApplicationSet')) return `Argo CD ${kind}`;
  if (/^(kustomize|helm|image)\.toolkit\.fluxcd\.io\//.test(apiVersion) && (kind === 'Kustomization' || kind === 'HelmRelease' || kind === 'ImageUpdateAutomation')) return `Flux ${kind}`;
  return undefined;
}
