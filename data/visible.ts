// Names come from repositories, folders and configuration, which anyone can fill. Control characters
// (ESC, CR…) and bidirectional overrides (U+202E…) in them would change how the text around them
// displays: "invoice\u202Egpj.exe" reads as "invoiceexe.jpg". Every place that shows such text to
// a person (pages, CSV, the job summary) shows these characters as a visible "⟨U+202E⟩" instead.
// JSON exports keep the text as it is: programs read them, and JSON escapes control characters.

/** C0 controls but tab and line feed, DEL, C1 controls, and the bidirectional marks, embeddings, overrides and isolates. */
const INVISIBLE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

export function hasInvisible(text: string): boolean {
  INVISIBLE.lastIndex = 0;
  return INVISIBLE.test(text);
}

/** The text with each control or bidirectional character replaced by its code point, e.g. "⟨U+001B⟩". */
export function showInvisible(text: string): string {
  return text.replace(INVISIBLE, (c) => `⟨U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`);
}

/**
 * Text for a Markdown table cell (GitHub's job summary): characters shown visibly, line breaks as
 * spaces, and every character that could start a link, image, emphasis, code span, HTML tag, entity
 * or a new cell backslash-escaped, so a repository name is only ever text.
 */
export function markdownText(text: string): string {
  return showInvisible(text)
    .replace(/\r?\n/g, ' ')
    .replace(/[\\`*_[\]()!<>&~|#]/g, '\\$&');
}
