// SVG badges for READMEs: "seaworthy | 7.8 · Silver". Every text is XML-escaped; the badge carries a
// <title> and an aria-label so screen readers say what it shows.

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

// Characters outside XML 1.0 (control characters, lone surrogates) would make the file unreadable.
function xmlSafe(text: string): string {
  return text.replace(/[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD');
}

/** Rough width of Verdana 11px text; badges need no exact metrics, only enough room. */
function textWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += /[ilj.,:;'|!·]/.test(ch) ? 3.5 : /[mwMW@]/.test(ch) ? 10 : /[A-Z0-9]/.test(ch) ? 7.5 : 6.5;
  return Math.ceil(width);
}

const COLOURS = { good: '#1a7f37', fair: '#9a6700', poor: '#cf222e', none: '#57606a' } as const;

export function badgeColour(score: number | null): string {
  if (score === null) return COLOURS.none;
  return score >= 8 ? COLOURS.good : score >= 5 ? COLOURS.fair : COLOURS.poor;
}

export function renderBadge(options: { label: string; score: number | null; level: string; subject: string }): string {
  const value = `${options.score === null ? 'no score' : options.score.toFixed(1)} · ${options.level}`;
  const label = xmlSafe(options.label);
  const shown = xmlSafe(value);
  const title = xmlSafe(`${options.subject}: score ${options.score === null ? 'none' : `${options.score.toFixed(1)} of 10`}, level ${options.level}`);
  const left = textWidth(label) + 12;
  const right = textWidth(shown) + 12;
  const width = left + right;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="20" viewBox="0 0 ${width} 20" role="img" aria-label="${escapeXml(title)}">
<title>${escapeXml(title)}</title>
<rect width="${left}" height="20" fill="#24292f"/>
<rect x="${left}" width="${right}" height="20" fill="${badgeColour(options.score)}"/>
<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">
<text x="6" y="14">${escapeXml(label)}</text>
<text x="${left + 6}" y="14">${escapeXml(shown)}</text>
</g>
</svg>
`;
}
