// What people read and write: pull/merge request templates (does the rollback section ask for a
// plan?) and deploy, release and runbook documents (is there a rollback procedure with steps?).
import type { Finding } from '../contract.ts';
import type { Rule } from './rules.ts';
import { docRollbackCommand, docSchemaRollback } from './commands.ts';
import { findSections, parseMarkdown, procedureOf, templateLinesOf, templatePrompt, type MdLine, type MdSection, type ParseOptions } from './markdown.ts';

/** Headings of a rollback section in a template or a pull request: Rollback plan, Revert plan, Back-out plan, Recovery… */
export const TEMPLATE_HEADING = /\broll(?:ing)?[\s_-]*backs?\b|\brollbacks?\b|\brevert(?:ing|s)?\b|\bback(?:ing)?[\s_-]*out\b|\brecover(?:y|ing)?\b|\bundo(?:ing)?\b|\bdowngrad(?:e|ing)\b/i;
/** Headings of a rollback procedure: as above, without "Recovery" (disaster recovery is another document). */
export const PROCEDURE_HEADING = /\broll(?:ing)?[\s_-]*backs?\b|\brollbacks?\b|\brevert(?:ing|s)?\b|\bback(?:ing)?[\s_-]*out\b|\bundo(?:ing)?\b|\bdowngrad(?:e|ing)\b/i;

// GitHub: pull_request_template.md (or .txt) at the root, in docs/ or .github/, and any file in a
// PULL_REQUEST_TEMPLATE/ folder in one of those places. GitLab: .gitlab/merge_request_templates/*.md.
const GITHUB_TEMPLATE = /^(?:(?:docs|\.github)\/)?pull_request_template\.(?:md|txt)$/i;
const GITHUB_TEMPLATE_DIR = /^(?:(?:docs|\.github)\/)?pull_request_template\/[^/]+\.(?:md|txt)$/i;
const GITLAB_TEMPLATE = /^\.gitlab\/merge_request_templates\/[^/]+\.md$/i;

export function isPullRequestTemplate(path: string): boolean {
  return GITHUB_TEMPLATE.test(path) || GITHUB_TEMPLATE_DIR.test(path) || GITLAB_TEMPLATE.test(path);
}

export const TEMPLATE_READS = [
  '{,docs/,.github/}pull_request_template.{md,txt}',
  '{,docs/,.github/}pull_request_template/*.{md,txt}',
  '.gitlab/merge_request_templates/*.md',
];

const DOC_EXT = /\.(md|markdown|mdx|rst|adoc|asciidoc|txt)$/i;
const PROCEDURE_NAME = /(deploy|release|rollback|roll-back|roll_back|runbook|playbook|operations|oncall|on-call|upgrad)[^/]*$/i;
// Directories of procedures, and of deploy configuration (`helm_deploy/`, `deploy-config/`) whose documents say how it is used.
const PROCEDURE_DIR = /(^|\/)(runbooks?|playbooks?|[^/]*deploy(?:ment)?s?[^/]*|releases?|operations|ops)\//i;
// READMEs at the root, in docs/, and beside deploy configuration or migrations.
const README = /^(docs\/)?readme[^/]*$|(^|\/)(helm|charts?|k8s|kubernetes|infra|migrations?|db)\/readme[^/]*$/i;
const TEMPLATE_NAME = /(^|[/_.-])template([_.-]|\.|$)/i;

export const PROCEDURE_READS = [
  '**/*{deploy,release,rollback,roll-back,roll_back,runbook,playbook,operations,oncall,on-call,upgrad}*.{md,markdown,mdx,rst,adoc,asciidoc,txt}',
  '**/{runbook,runbooks,playbook,playbooks,release,releases,operations,ops}/**/*.{md,markdown,mdx,rst,adoc,asciidoc,txt}',
  '**/*{deploy,deploys,deployment,deployments}*/**/*.{md,markdown,mdx,rst,adoc,asciidoc,txt}',
  '{,docs/}readme*.{md,markdown,mdx,rst,adoc,asciidoc,txt}',
  '**/{helm,chart,charts,k8s,kubernetes,infra,migration,migrations,db}/readme*.{md,markdown,mdx,rst,adoc,asciidoc,txt}',
];

// Plans, proposals and decision records are about one change, not how the team rolls back.
const CHANGE_DOCS = /(^|\/)(plans?|rfcs?|adrs?|design[-_]?docs?|design|proposals?|decisions|wip|archived?)\//i;

export function isProcedureDoc(path: string): boolean {
  if (!DOC_EXT.test(path) || isPullRequestTemplate(path) || TEMPLATE_NAME.test(path) || CHANGE_DOCS.test(path)) return false;
  return PROCEDURE_NAME.test(path.split('/').pop() ?? '') || PROCEDURE_DIR.test(path) || README.test(path);
}

function flavourOf(path: string): ParseOptions['flavour'] {
  if (/\.rst$/i.test(path)) return 'rst';
  if (/\.(adoc|asciidoc)$/i.test(path)) return 'asciidoc';
  return 'markdown';
}

// ---------------------------------------------------------------------------------------------
// Templates

export interface TemplateVerdict {
  path: string;
  ok: boolean;
  /** Normalised lines of its rollback sections, to recognise them left unchanged in a pull request. */
  rollbackLines: string[];
  finding?: Finding<Rule>;
  /** Heading and line of the rollback section that prompts, when one does. */
  section?: { heading: string; line: number };
}

const isTemplateLabel = (label: string): boolean => TEMPLATE_HEADING.test(label);

export function parseWithLabels(text: string): MdLine[] {
  return parseMarkdown(text, { isLabel: isTemplateLabel });
}

export function rollbackSections(lines: MdLine[]): MdSection[] {
  return findSections(lines, (h) => TEMPLATE_HEADING.test(h));
}

export function judgeTemplate(path: string, text: string, minPromptWords: number): TemplateVerdict {
  const lines = parseWithLabels(text);
  const sections = rollbackSections(lines);
  const rollbackLines = sections.flatMap(templateLinesOf);
  if (sections.length === 0) {
    // A checklist item ("- [ ] I have a rollback plan") promises a plan without a place to write it.
    const mention = lines.find((l) => (l.kind === 'text' && TEMPLATE_HEADING.test(l.text)) || (l.kind === 'comment' && TEMPLATE_HEADING.test(l.comment)));
    return {
      path,
      ok: false,
      rollbackLines,
      finding: {
        rule: 'pr-template-without-rollback',
        severity: 'medium',
        path,
        line: mention?.line ?? 1,
        message: mention
          ? `template has no rollback section: line ${mention.line} mentions rollback, but there is no heading (such as "## Rollback plan") with a prompt for the plan`
          : 'template has no rollback section: add a heading such as "## Rollback plan" with a prompt saying how to undo the change',
      },
    };
  }
  let best: { section: MdSection; words: number; placeholder?: string } | undefined;
  for (const section of sections) {
    const verdict = templatePrompt(section, minPromptWords);
    if (verdict.ok) return { path, ok: true, rollbackLines, section: { heading: section.heading, line: section.line } };
    if (!best || verdict.words > best.words) best = { section, words: verdict.words, placeholder: verdict.placeholder };
  }
  const { section, words, placeholder } = best!;
  const message = placeholder
    ? `template's "${section.heading}" section only says "${placeholder}": a placeholder is not a prompt; ask how this change is undone`
    : words === 0
      ? `template's "${section.heading}" section is empty: write a prompt under it (an HTML comment, text or a checklist) asking how this change is undone`
      : `template's "${section.heading}" section prompts with only ${words} word${words === 1 ? '' : 's'} (at least ${minPromptWords} expected)`;
  return { path, ok: false, rollbackLines, finding: { rule: 'pr-template-without-rollback', severity: 'medium', path, line: section.line, message } };
}

// ---------------------------------------------------------------------------------------------
// Written procedures

export type ProcedureQuality = 'procedure' | 'command' | 'stub';

export interface ProcedureEvidence {
  quality: ProcedureQuality;
  path: string;
  line: number;
  /** The section's heading, or the command for 'command'. */
  what: string;
}

// A rollback section its authors mark as unfinished is not a procedure yet.
const UNFINISHED = /\b(todo|tbd|to do|open item|wip|draft|not yet written|to be (written|defined|done|decided))\b|⚠/i;

export interface DocVerdict {
  /** A command that undoes a schema migration, written down: part of the way back for the data. */
  schema?: { path: string; line: number; what: string };
  evidence: ProcedureEvidence[];
  /** Rollback sections that are not procedures, reported once the best evidence is known. */
  stubs: { path: string; line: number; heading: string; words: number; hasSteps: boolean; unfinished: boolean }[];
}

export function judgeDoc(path: string, text: string, minWords: number): DocVerdict {
  const lines = parseMarkdown(text, { flavour: flavourOf(path) });
  const verdict: DocVerdict = { evidence: [], stubs: [] };
  for (const section of findSections(lines, (h) => PROCEDURE_HEADING.test(h))) {
    const p = procedureOf(section);
    if (p.hasSteps && p.words >= minWords && !UNFINISHED.test(section.heading)) verdict.evidence.push({ quality: 'procedure', path, line: section.line, what: section.heading });
    else {
      verdict.stubs.push({ path, line: section.line, heading: section.heading, words: p.words, hasSteps: p.hasSteps, unfinished: UNFINISHED.test(section.heading) });
      verdict.evidence.push({ quality: 'stub', path, line: section.line, what: section.heading });
    }
  }
  // A rollback command written down anywhere in the document (outside comments).
  for (const l of lines) {
    if (l.kind !== 'text' && l.kind !== 'code') continue;
    const hit = docRollbackCommand(l.text);
    if (hit) {
      verdict.evidence.push({ quality: 'command', path, line: l.line, what: hit });
      break;
    }
  }
  for (const l of lines) {
    if (l.kind !== 'text' && l.kind !== 'code') continue;
    const hit = docSchemaRollback(l.text);
    if (hit) {
      verdict.schema = { path, line: l.line, what: hit };
      break;
    }
  }
  return verdict;
}
