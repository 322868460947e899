// Judges a runbook by its sections: a heading alone is a promise, the words under it are the runbook.

export const SECTION_CATEGORIES = ['symptoms', 'diagnosis', 'mitigation', 'escalation'] as const;
export type SectionCategory = (typeof SECTION_CATEGORIES)[number];

// Whole words (or word starts), never substrings of ordinary words: "still supported", "line
// ownership" and "multi-cluster support" are not escalation headings. The product name "OnCall"
// (capital C) is not the practice "on-call".
const CATEGORY_PATTERNS: [SectionCategory, RegExp][] = [
  ['escalation', /\bescalat|\bon[- ]call\b|\bpag(ing|er)\b|\bwho to (call|contact|page|escalate|ask)\b|\brota\b|\bcall[- ]?out\b/i],
  ['mitigation', /\bmitigat|\bremediat|\bresolution\b|\bresolv|\bfix(es|ing)?\b|\brecover|\broll ?back|\bworkaround|\brestor|\bfail ?over\b|\bprocedures?\b|\bwhat to do\b|\bactions?\b|\bresponse\b|\bhow to (fix|resolve|recover|restore)\b/i],
  ['diagnosis', /\bdiagnos|\binvestigat|\btroubleshoot|\bdebug|\btriage|\broot cause|\bverif|\binspect|\bdashboards?\b|\blogs?\b|\bqueries\b|\bcheck(s|ing)?\b|\bidentify/i],
  ['symptoms', /\bsymptoms?\b|\bimpact\b|\boverview\b|\bsummary\b|\bdescription\b|\bsigns\b|\bdetection\b|\balerts?\b|\berrors?\b|\bmeaning\b|\bwhat (is|does|happened)\b|\bbackground\b|\bseverity\b|\bcontext\b|\bwhen to use\b/i],
];
// "oncall" as one word is the practice only in lower case or as "Oncall": "OnCall" is a product's name.
const ONCALL_WORD = /\b[Oo]ncall\b/;

// A numbered step ("Step 2: drain the node", "3. Restart the worker") is part of a procedure.
const STEP_HEADING = /^(step\s*\d+\b|\d+[.)]\s)/i;

// What an escalation section has to say to be an on-call route: who is paged and how, not a chat channel.
// (The word "escalate" alone is not enough: customer-support policies escalate tickets.)
const PAGING_WORDS = /\bon[- ]?call\b|\bpag(e|ed|es|ing|er)\b|\bpagerduty\b|\bopsgenie\b|\bvictorops\b|\bsplunk on-?call\b|\bincident\.io\b|\brota\b|\bphone\b|\bcall[- ]?out\b|\bincident commander\b/i;

// Text that only holds a place for content.
const PLACEHOLDER = /^(todo|tbd|tba|fixme|n\/a|none|coming soon|to be (written|done|added)|fill (this )?in|wip|\.\.\.|xxx)\b[.!:]?$/i;

export interface Section {
  heading: string;
  line: number;
  /** 1 for a top-level heading; deeper headings are sub-sections of the last shallower one. */
  level: number;
  category?: SectionCategory;
  /** Words under the heading and in its uncategorised sub-sections. */
  words: number;
  substantive: boolean;
  /** For escalation sections: the text says who is paged and how (on-call, PagerDuty, rota…). */
  paging: boolean;
}

export interface DocumentVerdict {
  path: string;
  quality: 'thorough' | 'complete' | 'partial' | 'stub';
  sections: Section[];
  covered: SectionCategory[];
  missing: SectionCategory[];
  firstHeadingLine: number;
  explanation: string;
  /** Slugs of the headings and explicit anchors, as a web page of the document would have them. */
  anchors: Set<string>;
}

export function categorise(heading: string): SectionCategory | undefined {
  if (ONCALL_WORD.test(heading)) return 'escalation';
  return CATEGORY_PATTERNS.find(([, pattern]) => pattern.test(heading))?.[0];
}

interface Heading {
  text: string;
  level: number;
  consumesNext: boolean;
}

function headingAt(lines: string[], i: number, rstLevels: string[]): Heading | undefined {
  const line = lines[i] ?? '';
  // Linear time: the closing #s are stripped by hand; `(.+?)\s*#*\s*$` backtracked cubically on long runs of spaces.
  const atx = /^\s{0,3}(#{1,6})\s+([\s\S]+)$/.exec(line);
  const atxText = atx ? stripClosingHashes(atx[2]!) : undefined;
  if (atxText !== undefined && !/[\r\u2028\u2029]/.test(atxText)) return { text: atxText, level: atx![1]!.length, consumesNext: false };
  const adoc = /^(={1,6})\s+([\s\S]+)$/.exec(line);
  if (adoc && !/[\r\u2028\u2029]/.test(adoc[2]!)) return { text: adoc[2]!, level: adoc[1]!.length, consumesNext: false };
  const next = lines[i + 1] ?? '';
  // Setext (Markdown) and reStructuredText underlines.
  const underline = /^\s{0,3}(=+|-+|~+|\^+)\s*$/.exec(next);
  if (line.trim() !== '' && underline && next.trim().length >= Math.min(3, line.trim().length) && !/^\s*[-*+]\s/.test(line)) {
    // reStructuredText levels follow the order in which underline characters first appear.
    const char = underline[1]![0]!;
    if (!rstLevels.includes(char)) rstLevels.push(char);
    return { text: line.trim(), level: rstLevels.indexOf(char) + 1, consumesNext: true };
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

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .replace(/<[^>]*>/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-');
}

export function analyseDocument(path: string, text: string, minSectionWords: number): DocumentVerdict {
  const lines = text.split(/\r?\n/);
  const sections: Section[] = [];
  const bodies: string[][] = [];
  const anchors = new Set<string>();
  const rstLevels: string[] = [];
  const slugCounts = new Map<string, number>();
  const open: Section[] = []; // the current section and its ancestors, shallowest first
  let current: Section | undefined;
  let preambleWords = 0;
  let inComment = false;
  let fence: string | undefined;
  let start = 0;
  // Front matter (`---` … `---` at the top of Markdown/MDX) is metadata, not a heading and its text.
  if (/^---\s*$/.test(lines[0] ?? '')) {
    const end = lines.findIndex((l, i) => i > 0 && /^(---|\.\.\.)\s*$/.test(l));
    if (end > 0) start = end + 1;
  }
  for (let i = start; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    if (inComment) {
      if (raw.includes('-->')) inComment = false;
      continue;
    }
    // Fenced code: commands count as words, but a `# comment` inside is not a heading.
    const fenceMark = /^\s{0,3}(`{3,}|~{3,})/.exec(raw)?.[1];
    if (fence) {
      if (fenceMark && fenceMark[0] === fence[0] && fenceMark.length >= fence.length) fence = undefined;
      else addWords(raw);
      continue;
    }
    if (fenceMark) {
      fence = fenceMark;
      continue;
    }
    if (/<!--/.test(raw) && !/-->/.test(raw)) {
      inComment = true;
      continue;
    }
    for (const m of raw.matchAll(/<a\s+(?:name|id)\s*=\s*["']([^"']+)["']|\{#([\w-]+)\}/gi)) anchors.add((m[1] ?? m[2]!).toLowerCase());
    const heading = headingAt(lines, i, rstLevels);
    if (heading) {
      let category = categorise(heading.text);
      // An uncategorised sub-section belongs to the section above it ("Procedure" → "Step 1: …").
      while (open.length > 0 && open[open.length - 1]!.level >= heading.level) open.pop();
      const parent = open[open.length - 1];
      if (!category && STEP_HEADING.test(heading.text.trim())) category = parent?.category ?? 'mitigation';
      if (!category && parent?.category) category = parent.category;
      current = { heading: heading.text, line: i + 1, level: heading.level, category, words: 0, substantive: false, paging: false };
      sections.push(current);
      open.push(current);
      bodies.push([]);
      // Repeated headings get -1, -2… as on GitHub.
      const s = slug(heading.text);
      const seen = slugCounts.get(s) ?? 0;
      slugCounts.set(s, seen + 1);
      anchors.add(seen === 0 ? s : `${s}-${seen}`);
      if (heading.consumesNext) i++;
      continue;
    }
    addWords(raw);
  }
  function addWords(raw: string): void {
    const words = countWords(raw);
    if (current) {
      current.words += words;
      bodies[bodies.length - 1]!.push(raw);
    } else preambleWords += words;
  }
  // A section's words include those of its sub-sections of the same category (a "Procedure" made of steps).
  for (let i = 0; i < sections.length; i++) {
    const s = sections[i]!;
    let words = s.words;
    let body = bodies[i]!.join('\n');
    for (let j = i + 1; j < sections.length && sections[j]!.level > s.level; j++) {
      if (sections[j]!.category === s.category) {
        words += sections[j]!.words;
        body += '\n' + sections[j]!.heading + '\n' + bodies[j]!.join('\n');
      }
    }
    s.substantive = words >= minSectionWords;
    s.paging = s.category === 'escalation' && PAGING_WORDS.test(s.heading + '\n' + body);
  }

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
  return { path, quality, sections, covered, missing, firstHeadingLine: sections[0]?.line ?? 1, explanation, anchors };
}
