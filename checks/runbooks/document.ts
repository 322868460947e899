// Judges a runbook by its sections: a heading alone is a promise, the words under it are the runbook.

export const SECTION_CATEGORIES = ['symptoms', 'diagnosis', 'mitigation', 'escalation'] as const;
export type SectionCategory = (typeof SECTION_CATEGORIES)[number];

const CATEGORY_PATTERNS: [SectionCategory, RegExp][] = [
  ['escalation', /escalat|on-?call|contact|pag(e|ing)\b|who to|owner|support/i],
  ['mitigation', /mitigat|remediat|resolution|resolv|\bfix|recover|roll ?back|workaround|restor|failover|procedure|what to do|actions?\b|response/i],
  ['diagnosis', /diagnos|investigat|troubleshoot|debug|triage|root cause|verify|dashboards?|logs?\b|queries|checks?\b/i],
  ['symptoms', /symptom|impact|overview|summary|description|signs|detection|alert|meaning|what (is|does|happened)|background|severity/i],
];

// Text that only holds a place for content.
const PLACEHOLDER = /^(todo|tbd|tba|fixme|n\/a|none|coming soon|to be (written|done|added)|fill (this )?in|wip|\.\.\.|xxx)\b[.!:]?$/i;

export interface Section {
  heading: string;
  line: number;
  category?: SectionCategory;
  words: number;
  substantive: boolean;
}

export interface DocumentVerdict {
  path: string;
  quality: 'thorough' | 'complete' | 'partial' | 'stub';
  sections: Section[];
  covered: SectionCategory[];
  missing: SectionCategory[];
  firstHeadingLine: number;
  explanation: string;
}

export function categorise(heading: string): SectionCategory | undefined {
  return CATEGORY_PATTERNS.find(([, pattern]) => pattern.test(heading))?.[0];
}

function headingAt(lines: string[], i: number): { text: string; consumesNext: boolean } | undefined {
  const line = lines[i] ?? '';
  // Linear time: the closing #s are stripped by hand; `(.+?)\s*#*\s*$` backtracked cubically on long runs of spaces.
  const atx = /^\s{0,3}(#{1,6})\s+([\s\S]+)$/.exec(line);
  const atxText = atx ? stripClosingHashes(atx[2]!) : undefined;
  if (atxText !== undefined && !/[\r\u2028\u2029]/.test(atxText)) return { text: atxText, consumesNext: false };
  const adoc = /^(={1,6})\s+([\s\S]+)$/.exec(line);
  if (adoc && !/[\r\u2028\u2029]/.test(adoc[2]!)) return { text: adoc[2]!, consumesNext: false };
  const next = lines[i + 1] ?? '';
  // Setext (Markdown) and reStructuredText underlines.
  if (line.trim() !== '' && /^\s{0,3}(=+|-+|~+|\^+)\s*$/.test(next) && next.trim().length >= Math.min(3, line.trim().length) && !/^\s*[-*+]\s/.test(line)) {
    return { text: line.trim(), consumesNext: true };
  }
  return undefined;
}

/** "Mitigation ##" → "Mitigation"; keeps at least one character. */
function stripClosingHashes(text: string): string {
  let end = text.length;
  while (end > 0 && /\s/.test(text[end - 1]!)) end--;
  while (end > 0 && text[end - 1] === '#') end--;
  while (end > 0 && /\s/.test(text[end - 1]!)) end--;
  return end > 0 ? text.slice(0, end) : text.slice(0, 1);
}

function countWords(line: string): number {
  const stripped = line.replace(/<!--.*?-->/g, '').replace(/^\s*([-*+]|\d+[.)])\s+/, '').trim();
  if (stripped === '' || PLACEHOLDER.test(stripped) || /^<[^>]*>$/.test(stripped) || /^\[.*\]$/.test(stripped)) return 0;
  return stripped.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

export function analyseDocument(path: string, text: string, minSectionWords: number): DocumentVerdict {
  const lines = text.split(/\r?\n/);
  const sections: Section[] = [];
  let current: Section | undefined;
  let preambleWords = 0;
  let inComment = false;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    if (inComment) {
      if (raw.includes('-->')) inComment = false;
      continue;
    }
    if (/<!--/.test(raw) && !/-->/.test(raw)) {
      inComment = true;
      continue;
    }
    const heading = headingAt(lines, i);
    if (heading) {
      current = { heading: heading.text, line: i + 1, category: categorise(heading.text), words: 0, substantive: false };
      sections.push(current);
      if (heading.consumesNext) i++;
      continue;
    }
    const words = countWords(raw);
    if (current) current.words += words;
    else preambleWords += words;
  }
  for (const section of sections) section.substantive = section.words >= minSectionWords;

  const covered = SECTION_CATEGORIES.filter((c) => sections.some((s) => s.category === c && s.substantive));
  const missing = SECTION_CATEGORIES.filter((c) => !covered.includes(c));
  const totalWords = preambleWords + sections.reduce((sum, s) => sum + s.words, 0);
  const quality: DocumentVerdict['quality'] = covered.length >= 3 ? 'thorough' : covered.length === 2 ? 'complete' : covered.length === 1 ? 'partial' : 'stub';
  const emptyHeadings = sections.filter((s) => s.category && !s.substantive).map((s) => s.heading);
  const explanation =
    quality !== 'stub'
      ? `covers ${covered.join(', ')}`
      : emptyHeadings.length > 0
        ? `sections ${emptyHeadings.map((h) => `"${h}"`).join(', ')} have no real content (${totalWords} words in all)`
        : `no symptoms, diagnosis, mitigation or escalation section (${totalWords} words in all)`;
  return { path, quality, sections, covered, missing, firstHeadingLine: sections[0]?.line ?? 1, explanation };
}
