// Markdown read the way people write pull request templates, PR descriptions and deploy docs:
// ATX and underlined headings, bold pseudo-headings ("**Rollback plan:** …"), HTML comments
// (a template's prompt, never an answer) and fenced code. Every function is linear in the text.

export interface MdLine {
  /** 1-based line number in the source. */
  line: number;
  kind: 'blank' | 'text' | 'heading' | 'comment' | 'code' | 'fence';
  /** The line without HTML comments (for code lines, the raw line). */
  text: string;
  /** Text inside HTML comments on this line. */
  comment: string;
  /** Heading level: 1–6 for Markdown headings, 7 for a bold or label pseudo-heading. */
  level?: number;
  heading?: string;
}

export interface MdSection {
  heading: string;
  line: number;
  level: number;
  /** Lines up to the next heading of the same or a higher level (subsections included). */
  body: MdLine[];
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
// Bullets, numbers, reStructuredText's auto-numbered `#.` and AsciiDoc's `. item`.
const LIST_ITEM = /^\s*(?:[-*+]|\d{1,9}[.)]|#[.)]|\.{1,5}(?=\s))\s+/;
const CHECKBOX = /^\s*(?:[-*+]|\d{1,9}[.)])\s+\[( |x|X)\](?:\s+|$)/;
const SETEXT = /^ {0,3}(=+|-+)[ \t]*$/;
// "**Rollback plan**", "__Rollback__:", "**Rollback plan:**": a whole line in bold, as a heading.
// The pattern stops after the closing marker; what follows is checked by boldLine without a pattern,
// since `\s*:?\s*$` backtracks quadratically over a long run of spaces that ends in anything else.
const BOLD_OPEN = /^\s*(\*\*|__)([^*_\n]{1,80}?)\1/;

/** A whole line in bold (optionally followed by a colon): its text, or undefined. */
function boldLine(text: string): string | undefined {
  const m = BOLD_OPEN.exec(text);
  if (!m) return undefined;
  const rest = text.slice(m[0].length).trim();
  return rest === '' || rest === ':' ? m[2]! : undefined;
}
// "**Rollback plan:** revert the PR" or "**Rollback plan**: revert": a bold label with its answer.
const BOLD_LABEL_OPEN = /^\s*(\*\*|__)([^*_\n]{1,80}?):?\1/;
// "Rollback plan: revert the PR": a plain label, only when the label itself is what we look for.
const PLAIN_LABEL_TEXT = /^[A-Za-z][A-Za-z /&-]{0,40}$/;
const LINE_BREAK = /[\n\r\u2028\u2029]/;

/** What follows a label: leading whitespace, an optional colon, spaces or tabs removed; undefined across a line break. */
function answerAfter(rest: string, colon: boolean): string | undefined {
  let s = colon ? rest.trimStart() : rest;
  if (colon && s.startsWith(':')) s = s.slice(1);
  let i = 0;
  while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  s = s.slice(i);
  return LINE_BREAK.test(s) ? undefined : s;
}

/** `**Label:** answer` or `**Label**: answer`: [label, answer]. Prefix pattern plus string operations, linear in the line. */
function boldLabel(text: string): [string, string] | undefined {
  const m = BOLD_LABEL_OPEN.exec(text);
  if (!m) return undefined;
  const answer = answerAfter(text.slice(m[0].length), true);
  return answer === undefined ? undefined : [m[2]!, answer];
}

/** `Label: answer` with a label of letters, spaces and `/&-` up to the first colon: [label, answer]. */
function plainLabel(text: string): [string, string] | undefined {
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  const label = text.slice(0, colon).trim();
  if (!PLAIN_LABEL_TEXT.test(label)) return undefined;
  const answer = answerAfter(text.slice(colon + 1), false);
  return answer === undefined ? undefined : [label, answer];
}

/** "Mitigation ##" → "Mitigation", without a backtracking pattern over long runs of spaces. */
function stripClosingHashes(text: string): string {
  let end = text.length;
  while (end > 0 && /\s/.test(text[end - 1]!)) end--;
  let hashes = end;
  while (hashes > 0 && text[hashes - 1] === '#') hashes--;
  // Closing hashes only count after a space (or when the heading is only hashes).
  if (hashes < end && (hashes === 0 || /\s/.test(text[hashes - 1]!))) end = hashes;
  while (end > 0 && /\s/.test(text[end - 1]!)) end--;
  return text.slice(0, end);
}

function atxHeading(text: string): { level: number; heading: string } | undefined {
  const m = /^ {0,3}(#{1,6})(?=[ \t]|$)/.exec(text);
  if (!m) return undefined;
  const heading = stripClosingHashes(text.slice(m[0].length)).trim();
  return { level: m[1]!.length, heading };
}

/** Splits a line into what is outside and inside HTML comments; `open` says whether a comment is open at its start. */
function splitComments(raw: string, open: boolean): { text: string; comment: string; open: boolean } {
  let text = '';
  let comment = '';
  let i = 0;
  let inComment = open;
  while (i < raw.length) {
    if (inComment) {
      const end = raw.indexOf('-->', i);
      if (end < 0) {
        comment += raw.slice(i);
        i = raw.length;
      } else {
        comment += raw.slice(i, end) + ' ';
        i = end + 3;
        inComment = false;
      }
    } else {
      const start = raw.indexOf('<!--', i);
      if (start < 0) {
        text += raw.slice(i);
        i = raw.length;
      } else {
        text += raw.slice(i, start);
        i = start + 4;
        inComment = true;
      }
    }
  }
  return { text, comment, open: inComment };
}

export interface ParseOptions {
  /** Which plain "Label: answer" lines start a pseudo-heading: only labels we look for, so that every "Note:" line does not split a section. */
  isLabel?: (label: string) => boolean;
  /** reStructuredText (underlines of = - ~ ^ " ' ` # * +, levels in order of appearance) or AsciiDoc (`== Title`). */
  flavour?: 'markdown' | 'rst' | 'asciidoc';
}

const RST_UNDERLINE = /^([=\-~^"'`#*+])\1{2,}[ \t]*$/;

/** Classifies every line of a Markdown (or reStructuredText, AsciiDoc) document. */
export function parseMarkdown(source: string, options: ParseOptions = {}): MdLine[] {
  const isLabel = options.isLabel ?? (() => false);
  const flavour = options.flavour ?? 'markdown';
  const rstLevels: string[] = [];
  const raws = source.split(/\r\n|\r|\n/);
  const out: MdLine[] = [];
  let fence: { char: string; length: number } | undefined;
  let commentOpen = false;
  for (let i = 0; i < raws.length; i++) {
    const raw = raws[i]!;
    const line = i + 1;
    if (fence) {
      const close = FENCE.exec(raw);
      const closes =
        fence.char === '`' || fence.char === '~'
          ? close !== null && close[1]![0] === fence.char && close[1]!.length >= fence.length && raw.trim() === close[1]
          : raw.trim() === fence.char.repeat(fence.length);
      if (closes) {
        fence = undefined;
        out.push({ line, kind: 'fence', text: raw, comment: '' });
      } else out.push({ line, kind: 'code', text: raw, comment: '' });
      continue;
    }
    if (flavour === 'rst') {
      // Title with an underline (and maybe an overline): the character decides the level, in order of first use.
      const under = raws[i + 1] !== undefined ? RST_UNDERLINE.exec(raws[i + 1]!) : null;
      if (raw.trim() !== '' && !RST_UNDERLINE.test(raw) && under && raws[i + 1]!.trim().length >= raw.trim().length) {
        if (!rstLevels.includes(under[1]!)) rstLevels.push(under[1]!);
        out.push({ line, kind: 'heading', text: raw, comment: '', level: Math.min(6, rstLevels.indexOf(under[1]!) + 1), heading: raw.trim() });
        out.push({ line: line + 1, kind: 'blank', text: '', comment: '' });
        i++;
        continue;
      }
      if (RST_UNDERLINE.test(raw)) {
        out.push({ line, kind: 'blank', text: '', comment: '' });
        continue;
      }
    }
    if (flavour === 'asciidoc') {
      const adoc = /^(={1,6})[ \t]+(\S.*)$/.exec(raw);
      if (adoc) {
        out.push({ line, kind: 'heading', text: raw, comment: '', level: adoc[1]!.length, heading: adoc[2]!.trim() });
        continue;
      }
      if (/^(----|\.\.\.\.)\s*$/.test(raw)) {
        // AsciiDoc listing/literal block delimiters: treat like a fence.
        fence = { char: raw[0]!, length: 4 };
        out.push({ line, kind: 'fence', text: raw, comment: '' });
        continue;
      }
    }
    const parts = splitComments(raw, commentOpen);
    const wasOpen = commentOpen;
    commentOpen = parts.open;
    const text = parts.text;
    if (text.trim() === '') {
      out.push({ line, kind: parts.comment.trim() !== '' || wasOpen || commentOpen ? 'comment' : 'blank', text: '', comment: parts.comment });
      continue;
    }
    const open = !wasOpen ? FENCE.exec(text) : null;
    if (open) {
      fence = { char: open[1]![0]!, length: open[1]!.length };
      out.push({ line, kind: 'fence', text, comment: parts.comment });
      continue;
    }
    const atx = atxHeading(text);
    if (atx) {
      pushHeading(out, { line, kind: 'heading', text, comment: '', level: atx.level, heading: atx.heading }, parts.comment);
      continue;
    }
    // Setext: a paragraph line underlined with === (level 1) or --- (level 2).
    const next = raws[i + 1];
    const previous = out[out.length - 1];
    const startsParagraph = !previous || previous.kind === 'blank' || previous.kind === 'heading' || previous.kind === 'fence' || previous.kind === 'comment';
    if (next !== undefined && SETEXT.exec(next) && startsParagraph && !LIST_ITEM.test(text) && !commentOpen) {
      const level = next.trim().startsWith('=') ? 1 : 2;
      pushHeading(out, { line, kind: 'heading', text, comment: '', level, heading: text.trim() }, parts.comment);
      out.push({ line: line + 1, kind: 'blank', text: '', comment: '' });
      i++;
      continue;
    }
    const bold = boldLine(text);
    if (bold !== undefined) {
      pushHeading(out, { line, kind: 'heading', text, comment: '', level: 7, heading: bold.trim().replace(/:$/, '') }, parts.comment);
      continue;
    }
    const label = boldLabel(text);
    if (label && label[1].trim() !== '') {
      // A bold label with an answer on the same line: a pseudo-heading followed by its first body line.
      const heading = label[0].trim().replace(/:$/, '');
      if (isLabel(heading)) {
        out.push({ line, kind: 'heading', text: '', comment: '', level: 7, heading });
        out.push({ line, kind: 'text', text: label[1], comment: parts.comment });
        continue;
      }
    }
    const plain = plainLabel(text);
    if (plain && isLabel(plain[0])) {
      out.push({ line, kind: 'heading', text: '', comment: '', level: 7, heading: plain[0].trim() });
      if (plain[1].trim() !== '' || parts.comment.trim() !== '') out.push({ line, kind: 'text', text: plain[1], comment: parts.comment });
      continue;
    }
    out.push({ line, kind: 'text', text, comment: parts.comment });
  }
  return out;
}

/** A heading; an HTML comment on its line (`## Rollback plan <!-- how? -->`) belongs to the section under it. */
function pushHeading(out: MdLine[], heading: MdLine, comment: string): void {
  out.push(heading);
  if (comment.trim() !== '') out.push({ line: heading.line, kind: 'comment', text: '', comment });
}

/** Sections whose heading matches; a section runs to the next heading of the same or a higher level. */
export function findSections(lines: MdLine[], matches: (heading: string) => boolean): MdSection[] {
  const sections: MdSection[] = [];
  for (let i = 0; i < lines.length; i++) {
    const head = lines[i]!;
    if (head.kind !== 'heading' || !matches(head.heading ?? '')) continue;
    const level = head.level ?? 7;
    const body: MdLine[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j]!;
      if (l.kind === 'heading' && (l.level ?? 7) <= level) break;
      body.push(l);
    }
    sections.push({ heading: head.heading ?? '', line: head.line, level, body });
  }
  return sections;
}

/**
 * A section's lines with bold pseudo-headings inside a real section read as the text they are
 * (`**Revert the PR and redeploy v1.2**` under "## Rollback plan" is an answer, in bold).
 */
function bodyText(section: MdSection): MdLine[] {
  if (section.level >= 7) return section.body;
  return section.body.map((l) => (l.kind === 'heading' && l.level === 7 && l.text.trim() !== '' ? { ...l, kind: 'text' as const } : l));
}

export function countWords(text: string): number {
  let n = 0;
  for (const w of text.split(/\s+/)) if (/[\p{L}\p{N}]/u.test(w)) n++;
  return n;
}

/** Lower case, markdown and punctuation removed (keeping "/" so "N/A" stays itself), spaces collapsed. */
export function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(CHECKBOX, '')
    .replace(LIST_ITEM, '')
    .replace(/[^\p{L}\p{N}/]+/gu, ' ')
    .replace(/\s*\/\s*/g, '/')
    .replace(/^\/+|\/+$/g, '')
    .trim();
}

/** Answers that say nothing: "N/A", "none", "TBD", a bare "revert"… compared after `normalise`. */
export const PLACEHOLDERS: ReadonlySet<string> = new Set([
  '',
  'n/a',
  'na',
  'n a',
  'none',
  'nothing',
  'no',
  'nope',
  'not applicable',
  'tbd',
  'tba',
  'todo',
  'to do',
  'wip',
  'fixme',
  'xxx',
  'revert',
  'revert it',
  'just revert',
  'git revert',
  'revert pr',
  'revert the pr',
  'revert this pr',
  'revert commit',
  'revert the commit',
  'revert the change',
  'revert change',
]);

export function isPlaceholder(text: string): boolean {
  return PLACEHOLDERS.has(normalise(text));
}

export function isListItem(text: string): boolean {
  return LIST_ITEM.test(text);
}

/** 'checked', 'unchecked' or undefined when the line is not a checklist item. */
export function checkbox(text: string): 'checked' | 'unchecked' | undefined {
  const m = CHECKBOX.exec(text);
  if (!m) return undefined;
  return m[1] === ' ' ? 'unchecked' : 'checked';
}

// ---------------------------------------------------------------------------------------------
// Pull request templates: does the rollback section prompt for something?

export interface PromptVerdict {
  ok: boolean;
  words: number;
  /** What the section holds when it is not a prompt: nothing, or only a placeholder such as "N/A". */
  placeholder?: string;
}

/** A template's prompt is instructions: an HTML comment, text or a checklist all count; "N/A" does not. */
export function templatePrompt(section: MdSection, minWords: number): PromptVerdict {
  let words = 0;
  let placeholder: string | undefined;
  for (const l of bodyText(section)) {
    if (l.kind === 'heading' || l.kind === 'fence' || l.kind === 'blank') continue;
    for (const piece of [l.text, l.comment]) {
      if (piece.trim() === '') continue;
      if (isPlaceholder(piece)) {
        if (normalise(piece) !== '') placeholder ??= piece.trim();
        continue;
      }
      words += countWords(piece.replace(CHECKBOX, '').replace(LIST_ITEM, ''));
    }
  }
  return { ok: words >= minWords, words, placeholder: words >= minWords ? undefined : placeholder };
}

// ---------------------------------------------------------------------------------------------
// Pull request descriptions: was the rollback section answered?

export type FilledVerdict =
  | { filled: true; text: string }
  | { filled: false; reason: 'empty' | 'template' | 'unchecked' | 'placeholder'; text?: string };

/**
 * A rollback section is filled when something is left once HTML comments, blank lines, unchecked
 * checklist items and lines copied unchanged from a template's rollback section are removed, and
 * what is left is not a placeholder. A ticked checklist item is an answer.
 */
export function rollbackAnswer(section: MdSection, templateLines: ReadonlySet<string>): FilledVerdict {
  const answer: string[] = [];
  let sawTemplate = false;
  let sawUnchecked = false;
  for (const l of bodyText(section)) {
    if (l.kind === 'blank' || l.kind === 'comment' || l.kind === 'heading' || l.kind === 'fence') continue;
    const text = l.text.trim();
    if (text === '') continue;
    const box = l.kind === 'code' ? undefined : checkbox(text);
    if (box === 'unchecked') {
      sawUnchecked = true;
      continue;
    }
    if (box === undefined && templateLines.has(normalise(text))) {
      sawTemplate = true;
      continue;
    }
    answer.push(text);
  }
  if (answer.length === 0) return { filled: false, reason: sawTemplate ? 'template' : sawUnchecked ? 'unchecked' : 'empty' };
  if (answer.every((a) => isPlaceholder(a))) return { filled: false, reason: 'placeholder', text: answer.join(' ').slice(0, 60) };
  return { filled: true, text: answer.join(' ') };
}

/** Normalised non-comment lines of a template section, to recognise them left unchanged in a PR. */
export function templateLinesOf(section: MdSection): string[] {
  const out: string[] = [];
  for (const l of bodyText(section)) {
    if (l.kind !== 'text' && l.kind !== 'code') continue;
    const n = normalise(l.text);
    if (n !== '') out.push(n);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Written procedures: steps, not a promise.

export interface ProcedureVerdict {
  words: number;
  listItems: number;
  codeLines: number;
  hasSteps: boolean;
}

/** Words (prose, list items and code), list items and non-empty code lines under a rollback heading. */
export function procedureOf(section: MdSection): ProcedureVerdict {
  let words = 0;
  let listItems = 0;
  let codeLines = 0;
  for (const l of bodyText(section)) {
    if (l.kind === 'code') {
      if (l.text.trim() !== '') {
        codeLines++;
        words += countWords(l.text);
      }
      continue;
    }
    if (l.kind !== 'text') continue;
    if (isPlaceholder(l.text)) continue;
    if (isListItem(l.text)) listItems++;
    words += countWords(l.text.replace(CHECKBOX, '').replace(LIST_ITEM, ''));
  }
  return { words, listItems, codeLines, hasSteps: listItems >= 2 || codeLines >= 1 };
}
