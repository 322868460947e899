// Blanks comments out of source text in one linear pass, keeping every string literal and every
// line break where it was, so that call sites found afterwards keep their line numbers. It knows
// enough of each language to tell a comment marker from one inside a string ("http://…"); it does
// not parse. Regular-expression literals and other rare forms may confuse it for the rest of a line.

export type CommentStyle = 'c' | 'hash' | 'php' | 'none';

const C_LIKE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs|vue|svelte|go|java|kt|kts|cs|scala|swift|dart|groovy|rs|c|cc|cpp|h|hpp|m|mm)$/i;
const HASH = /\.(py|rb|rake|ex|exs|gemspec|sh|bash|zsh|r|jl)$/i;

export function commentStyleOf(path: string): CommentStyle {
  if (/\.php$/i.test(path)) return 'php';
  if (C_LIKE.test(path)) return 'c';
  if (HASH.test(path) || /(^|\/)(Gemfile|Rakefile)$/.test(path)) return 'hash';
  return 'none';
}

/** Python and Elixir triple-quoted strings, which may span lines. */
const TRIPLE = /\.(py|ex|exs)$/i;
/** Languages where a backtick opens a string (template literal, Go raw string, Ruby command). */
const BACKTICK = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs|vue|svelte|go|rb|rake|gemspec)$/i;

export function stripComments(text: string, path: string): string {
  const style = commentStyleOf(path);
  if (style === 'none') return text;
  const triple = TRIPLE.test(path);
  const backtick = BACKTICK.test(path);
  const ruby = /\.(rb|rake|gemspec)$/i.test(path) || /(^|\/)(Gemfile|Rakefile)$/.test(path);
  const out: string[] = [];
  let copiedTo = 0;
  const blank = (from: number, to: number) => {
    out.push(text.slice(copiedTo, from));
    out.push(text.slice(from, to).replace(/[^\n]/g, ' '));
    copiedTo = to;
  };
  const n = text.length;
  let i = 0;
  let lineStart = true;
  while (i < n) {
    const c = text[i]!;
    if (c === '\n') {
      lineStart = true;
      i++;
      continue;
    }
    if (ruby && lineStart && text.startsWith('=begin', i)) {
      const end = text.indexOf('\n=end', i);
      const stop = end < 0 ? n : end + 5;
      blank(i, stop);
      i = stop;
      continue;
    }
    if (c !== ' ' && c !== '\t') lineStart = false;
    if (triple && (c === '"' || c === "'") && text[i + 1] === c && text[i + 2] === c) {
      const end = text.indexOf(c + c + c, i + 3);
      i = end < 0 ? n : end + 3;
      continue;
    }
    if (c === '"' || c === "'" || (c === '`' && backtick)) {
      // A quote ends its string at the next unescaped quote; ' and " strings also end at the line.
      let j = i + 1;
      while (j < n) {
        const d = text[j]!;
        if (d === '\\') j += 2;
        else if (d === c) break;
        else if (d === '\n' && c !== '`') break;
        else j++;
      }
      i = j + 1;
      continue;
    }
    if ((style === 'c' || style === 'php') && c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? n : end;
      blank(i, stop);
      i = stop;
      continue;
    }
    if ((style === 'c' || style === 'php') && c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      blank(i, stop);
      i = stop;
      continue;
    }
    if ((style === 'hash' || style === 'php') && c === '#') {
      // Ruby/Elixir `?#` is a character literal; `#{` outside a string does not occur.
      if (ruby && text[i - 1] === '?') {
        i++;
        continue;
      }
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? n : end;
      blank(i, stop);
      i = stop;
      continue;
    }
    i++;
  }
  if (copiedTo === 0) return text;
  out.push(text.slice(copiedTo));
  return out.join('');
}
