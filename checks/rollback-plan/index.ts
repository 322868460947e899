// Standards: Google SRE Book, "Release Engineering" and SRE Workbook "Canarying Releases" (https://sre.google/workbook/canarying-releases/); Argo Rollouts analysis (https://argo-rollouts.readthedocs.io/en/stable/features/analysis/); Flagger canary analysis (https://docs.flagger.app/usage/how-it-works#canary-analysis); Helm --atomic / --rollback-on-failure; Amazon ECS deployment circuit breaker and CodeDeploy automatic rollback; GitHub and GitLab pull/merge request templates.
import { z } from 'zod';
import { defineCheck, statusFromScore, type Finding, notApplicable, runsInProduction } from '../contract.ts';
import { RULES, type Rule } from './rules.ts';
import { DEPLOY_YAML_PATH, isCiYamlPath, SAFEGUARDS, scanAutomation, TIERS, type Mechanism, type Safeguard, type TextFile } from './automation.ts';
import { MIGRATION_FILE, MIGRATION_READS, packageScripts, restoreTooling, reversibleMigrations } from './data.ts';
import { isProcedureDoc, isPullRequestTemplate, judgeDoc, judgeTemplate, PROCEDURE_READS, TEMPLATE_READS, type ProcedureEvidence, type TemplateVerdict } from './documents.ts';
import { judgePractice } from './practice.ts';
import { scoreOf, type DataRollback } from './score.ts';

const options = z
  .object({
    passAt: z.number().min(0).max(10).default(7.5).meta({ description: 'Score at or above which the check passes.' }),
    warnAt: z.number().min(0).max(10).default(5).meta({ description: 'Score at or above which the check warns instead of failing.' }),
    windowDays: z.int().min(1).max(3650).default(90).meta({ description: 'Pull requests merged this many days before the crawl count as recent.' }),
    maxPullRequests: z.int().min(1).max(1000).default(50).meta({ description: 'At most this many of the most recently merged pull requests are judged.' }),
    minPullRequests: z.int().min(1).max(1000).default(3).meta({ description: 'Fewer recent merged pull requests than this and rollback practice is not judged.' }),
    minFilledShare: z.number().min(0).max(1).default(0.8).meta({ description: 'Share of recent pull requests expected to fill in their rollback section; below it, a finding.' }),
    minProcedureWords: z.int().min(1).max(1000).default(20).meta({ description: 'Words a rollback section of a document needs to count as a procedure.' }),
    minPromptWords: z.int().min(1).max(100).default(3).meta({ description: "Words a template's rollback section needs to count as a prompt." }),
    ignoreBotPullRequests: z.boolean().default(true).meta({ description: 'Leave pull requests opened by bots (Dependabot, Renovate…) out of rollback practice.' }),
  })
  .strict();
type Options = z.output<typeof options>;

// Vendored code, test data and examples describe other systems, not this one.
const IGNORED_DIRS = /(^|\/)(node_modules|vendor|third_party|third-party|testdata|test-fixtures|__fixtures__|fixtures|examples?)\//i;
const YAML_FILE = /\.ya?ml$|\.ya?ml\.gotmpl$|(^|\/)helmfile[^/]*\.gotmpl$/i;
const CFN_JSON = /\.(template|template\.json|cfn\.json)$|(^|\/)(cloudformation|cfn)\/.*\.json$/i;
const TERRAFORM = /\.tf$/i;
const SCRIPT_FILE = /(^|\/)(Jenkinsfile[^/]*|Makefile|GNUmakefile|justfile)$|\.(sh|bash|mk)$/i;
const SCRIPT_DIR = /(^|\/)(deploy|deployment|deployments|scripts|ci|\.ci)\//i;
const TEST_DIRS = /(^|\/)(tests?|__tests__|spec|e2e)\//i;
const NOT_SCRIPT = /\.(md|markdown|mdx|rst|adoc|asciidoc|txt|json|ya?ml|tf|png|jpe?g|gif|svg|ico|pdf|zip|gz|tgz|jar)$/i;

function tierIndex(m: Mechanism): number {
  return TIERS.indexOf(m.tier);
}

function byPlace(a: { path: string; line: number }, b: { path: string; line: number }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line;
}

const PROCEDURE_ORDER: ProcedureEvidence['quality'][] = ['procedure', 'command', 'stub'];

export default defineCheck({
  id: 'rollback-plan',
  meta: {
    title: 'Rollback plan',
    description: 'Whoever is on call can undo a bad deploy quickly: automated rollback gated on metrics or health, a written procedure, and a team that plans the undo in every pull request.',
    category: 'delivery',
    weight: 3,
    version: 3,
    reads: [
      ...TEMPLATE_READS,
      ...PROCEDURE_READS,
      '**/*.{yml,yaml}',
      '**/*.{yml,yaml}.gotmpl',
      '**/helmfile*.gotmpl',
      '**/*.{template,template.json,cfn.json}',
      '**/{cloudformation,cfn}/**/*.json',
      '**/*.tf',
      '**/Jenkinsfile*',
      '**/{Makefile,GNUmakefile,justfile}',
      '**/*.{mk,sh,bash}',
      '**/{deploy,deployment,deployments,scripts,ci,.ci}/**',
      '**/package.json',
      '**/fly*.toml',
      ...MIGRATION_READS,
    ],
    options,
    rules: RULES,
  },
  run(snapshot, ctx) {
    const { options: o, kind } = ctx;
    if (!runsInProduction(kind)) return notApplicable(`This repository's kind is ${kind.kind} (${kind.source}): nothing is deployed from it, so there is nothing to roll back.`);

    const unreadable: Finding<Rule>[] = [];
    const templates: TemplateVerdict[] = [];
    const procedure: ProcedureEvidence[] = [];
    const stubs: { path: string; line: number; heading: string; words: number; hasSteps: boolean; unfinished?: boolean }[] = [];
    const input: { yaml: TextFile[]; terraform: TextFile[]; scripts: TextFile[]; fly: TextFile[] } = { yaml: [], terraform: [], scripts: [], fly: [] };
    const migrations: TextFile[] = [];
    const data: Safeguard[] = [];
    const paths: string[] = [];

    for (const file of snapshot.files) {
      if (file.kind !== 'file' || IGNORED_DIRS.test(file.path)) continue;
      paths.push(file.path);
      const isTemplate = isPullRequestTemplate(file.path);
      const isDoc = !isTemplate && isProcedureDoc(file.path);
      const isYaml = YAML_FILE.test(file.path) || CFN_JSON.test(file.path);
      const isTf = TERRAFORM.test(file.path);
      const isScript = SCRIPT_FILE.test(file.path) || (SCRIPT_DIR.test(file.path) && !NOT_SCRIPT.test(file.path));
      const isMigration = MIGRATION_FILE.test(file.path) && !TEST_DIRS.test(file.path);
      const isPackage = /(^|\/)package\.json$/.test(file.path);
      const isFly = /(^|\/)fly[^/]*\.toml$/i.test(file.path);
      if (!isTemplate && !isDoc && !isYaml && !isTf && !isScript && !isMigration && !isPackage && !isFly) continue;

      const content = snapshot.read(file.path);
      if (!content.ok) {
        const named = isTemplate || isDoc || isTf || SCRIPT_FILE.test(file.path) || (isYaml && (DEPLOY_YAML_PATH.test(file.path) || isCiYamlPath(file.path)));
        if (named && content.reason !== 'not-found') {
          unreadable.push({ rule: 'unreadable-file', severity: 'low', path: file.path, message: `could not read this file (${content.reason}${content.detail ? `: ${content.detail}` : ''})` });
        }
        continue;
      }
      const text = content.text;
      if (isMigration) migrations.push({ path: file.path, text });
      if (isFly) input.fly.push({ path: file.path, text });
      if (isPackage) {
        const script = packageScripts({ path: file.path, text });
        if (script) data.push(script);
      }
      try {
        if (isTemplate) templates.push(judgeTemplate(file.path, text, o.minPromptWords));
        if (isDoc) {
          const verdict = judgeDoc(file.path, text, o.minProcedureWords);
          procedure.push(...verdict.evidence);
          stubs.push(...verdict.stubs);
          if (verdict.schema) data.push({ kind: 'data-rollback', label: `${verdict.schema.what} written down in ${verdict.schema.path}`, path: verdict.schema.path, line: verdict.schema.line });
        }
      } catch (error) {
        // A hostile document must cost this file, not the check.
        unreadable.push({ rule: 'unreadable-file', severity: 'low', path: file.path, line: 1, message: `could not analyse this file: ${(error as Error).message}` });
      }
      if (isYaml) input.yaml.push({ path: file.path, text });
      if (isTf) input.terraform.push({ path: file.path, text });
      if (isScript && !isYaml && !isTf) input.scripts.push({ path: file.path, text });
    }

    const automation = scanAutomation(input);

    // Automated rollback: the best mechanism found.
    const mechanisms = [...automation.mechanisms].sort((a, b) => tierIndex(a) - tierIndex(b) || byPlace(a, b));
    const best = mechanisms[0];

    // Safeguards: the first found of each kind (a data rollback run in CI before one written down).
    const reversible = reversibleMigrations(migrations);
    if (reversible) data.push(reversible);
    const restore = restoreTooling(paths);
    if (restore) data.push(restore);
    const allSafeguards = [...automation.safeguards, ...data];
    // A canary with analysis moves traffic step by step, as one without analysis does: it is a gated
    // rollout as well (without this, removing an analysis template could raise the score, the canary
    // turning from a metric gate beside another mechanism into a gated rollout on top of it).
    const progressive = mechanisms.find((m) => m.progressive === true);
    if (progressive) allSafeguards.push({ kind: 'gated-rollout', label: `${progressive.label}: traffic moves step by step`, path: progressive.path, line: progressive.line });
    const safeguards = SAFEGUARDS.flatMap((kind) => {
      const found = allSafeguards.filter((g) => g.kind === kind).sort((a, b) => Number(b.tested === true) - Number(a.tested === true) || Number(a.afterFailedChecks === true) - Number(b.afterFailedChecks === true) || byPlace(a, b));
      return found.length > 0 ? [found[0]!] : [];
    });
    const has = (kind: Safeguard['kind']) => safeguards.some((g) => g.kind === kind);
    const dataGuard = safeguards.find((g) => g.kind === 'data-rollback');
    const dataRollback: DataRollback = !dataGuard ? 'none' : dataGuard.tested ? 'tested' : 'documented';

    // Written procedure: the best evidence found.
    procedure.sort((a, b) => PROCEDURE_ORDER.indexOf(a.quality) - PROCEDURE_ORDER.indexOf(b.quality) || byPlace(a, b));
    const bestDoc = procedure[0];

    // Templates: share of readable templates whose rollback section prompts.
    templates.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const prompting = templates.filter((t) => t.ok).length;
    const templateShare = templates.length > 0 ? prompting / templates.length : 0;

    // Practice: pull requests, when the source knows them.
    const templateLines = new Set(templates.flatMap((t) => t.rollbackLines));
    const practice = judgePractice(snapshot.pullRequests, ctx.now, o, templateLines);

    const score = scoreOf({
      automation: best?.tier ?? 'none',
      safeguards: { gated: has('gated-rollout'), redeploy: has('redeploy'), detection: has('detection'), data: dataRollback, redeployAfterFailedChecks: safeguards.some((g) => g.kind === 'redeploy' && g.afterFailedChecks === true) },
      procedure: bestDoc?.quality ?? 'none',
      templateShare,
      practiceShare: practice.judged ? practice.filled / practice.considered : null,
    });

    // Findings: what is missing first, then each file's problems at their lines.
    const headline: Finding<Rule>[] = [];
    const guarded = safeguards.filter((g) => g.kind !== 'data-rollback').map((g) => g.label);
    if (!best) {
      headline.push({
        rule: 'no-automated-rollback',
        severity: guarded.length > 0 ? 'medium' : 'high',
        message:
          guarded.length > 0
            ? `no automated rollback: nothing undoes a failed deploy by itself (found only: ${guarded.join('; ')}); make the deploy roll itself back (helm --atomic, an ECS circuit breaker with rollback, CodeDeploy automatic rollback, Argo Rollouts or Flagger analysis)`
            : 'no automated rollback found: nothing in the deploy configuration undoes a failed deploy (add Argo Rollouts or Flagger analysis, helm --atomic, an ECS circuit breaker with rollback, or CodeDeploy automatic rollback)',
      });
    } else if (best.tier === 'manual') {
      headline.push({ rule: 'no-automated-rollback', severity: 'medium', path: best.path, line: best.line, message: `rolling back needs a person to start it (${best.label}); make it automatic on failure, or better on metrics` });
    } else if (best.tier === 'stack-rollback') {
      headline.push({ rule: 'rollback-not-on-metrics', severity: 'low', path: best.path, line: best.line, message: `CloudFormation rolls back a stack update whose resources fail (${best.label}), but not a release that deploys and then fails: give the services a health-gated rollback (an ECS circuit breaker with rollback, CodeDeploy alarms)` });
    } else if (best.tier === 'scripted') {
      headline.push({ rule: 'rollback-not-on-metrics', severity: 'low', path: best.path, line: best.line, message: `rollback is scripted (${best.label}): it runs when the deploy job fails, not when metrics degrade after a deploy that looked healthy` });
    } else if (best.tier === 'health-gated') {
      headline.push({ rule: 'rollback-not-on-metrics', severity: 'low', path: best.path, line: best.line, message: `automated rollback is health-gated (${best.label}): it undoes deploys that fail to become ready, not ones that break users while looking healthy; gate on metrics with Argo Rollouts or Flagger analysis` });
    }
    if (!bestDoc) {
      headline.push({ rule: 'no-rollback-procedure', severity: 'medium', message: 'no written rollback procedure: add a "Rollback" section with numbered steps or the commands to RUNBOOK.md, DEPLOY.md or docs/runbooks/' });
    } else if (bestDoc.quality === 'command') {
      headline.push({ rule: 'rollback-procedure-incomplete', severity: 'low', path: bestDoc.path, line: bestDoc.line, message: `the rollback command (${bestDoc.what}) is written down, but not as a procedure: give it a "Rollback" section with steps` });
    }
    if (templates.length === 0 && !unreadable.some((f) => f.path !== undefined && isPullRequestTemplate(f.path))) {
      headline.push({
        rule: 'no-pr-template',
        severity: 'medium',
        message: 'no pull request template: add .github/pull_request_template.md (GitHub) or .gitlab/merge_request_templates/Default.md (GitLab) with a "## Rollback plan" section that asks how to undo the change',
      });
    }

    const stubFindings: Finding<Rule>[] = stubs.map((s) => ({
      rule: 'rollback-procedure-incomplete',
      severity: bestDoc?.quality === 'procedure' ? 'low' : 'medium',
      path: s.path,
      line: s.line,
      message: s.unfinished
        ? `rollback section "${s.heading}" is marked as unfinished: finish it as steps someone on call can follow`
        : !s.hasSteps
          ? `rollback section "${s.heading}" has no steps: write them as a numbered list or a code block with the commands`
          : `rollback section "${s.heading}" has only ${s.words} words (at least ${o.minProcedureWords} expected): say what to run, how to tell it worked, and what cannot be undone`,
    }));
    const templateFindings = templates.flatMap((t) => (t.finding ? [t.finding] : []));
    const placed = [...templateFindings, ...automation.findings, ...stubFindings].sort((a, b) => byPlace({ path: a.path ?? '', line: a.line ?? 0 }, { path: b.path ?? '', line: b.line ?? 0 }));
    const findings = [...headline, ...placed, ...practice.findings, ...unreadable];

    const parts: string[] = [];
    parts.push(best ? `automated rollback: ${best.tier} (${best.label}, ${best.path}:${best.line})` : 'no automated rollback');
    parts.push(safeguards.length === 0 ? 'no safeguards' : `safeguards: ${safeguards.map((g) => `${g.kind} (${g.label}, ${g.path}:${g.line})`).join(', ')}`);
    parts.push(
      !bestDoc
        ? 'no written rollback procedure'
        : bestDoc.quality === 'procedure'
          ? `rollback procedure "${bestDoc.what}" in ${bestDoc.path}`
          : bestDoc.quality === 'command'
            ? `rollback command (${bestDoc.what}) in ${bestDoc.path}, no procedure`
            : `rollback section "${bestDoc.what}" in ${bestDoc.path} without steps`,
    );
    parts.push(templates.length === 0 ? 'no pull request template' : `${prompting}/${templates.length} pull request template${templates.length === 1 ? '' : 's'} ask${templates.length === 1 ? 's' : ''} for a rollback plan`);
    parts.push(practice.judged ? `rollback plan filled in ${practice.filled}/${practice.considered} recent pull requests` : practice.reason);

    return { status: statusFromScore(score, o), score, summary: parts.join('; '), findings };
  },
});

export type { Options as RollbackPlanOptions };
