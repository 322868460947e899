// YAML as deploy configuration is written: several documents per file, CloudFormation intrinsic
// functions (!Ref, !Sub, !GetAtt…), GitLab's !reference, and Helm templates ({{ … }}) that only
// become YAML once rendered.
import { isMap, isNode, isScalar, isSeq, LineCounter, Pair, parseAllDocuments, Scalar, YAMLMap, type Document, type Node, type Tags } from 'yaml';

const INTRINSICS = ['Ref', 'Condition', 'Sub', 'GetAtt', 'If', 'Equals', 'Not', 'And', 'Or', 'FindInMap', 'Join', 'Select', 'Split', 'ImportValue', 'GetAZs', 'Base64', 'Cidr', 'Transform', 'ToJsonString', 'Length', 'ForEach'];

function keyOf(name: string): string {
  return name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
}

/** `!Ref X` → `{Ref: X}`, `!GetAtt A.Arn` → `{'Fn::GetAtt': [A, Arn]}`, `!If [...]` → `{'Fn::If': [...]}`. */
function cloudFormationTags(): Tags {
  const tags: Tags = [];
  for (const name of INTRINSICS) {
    const key = keyOf(name);
    tags.push({ tag: `!${name}`, resolve: (value: string) => ({ [key]: name === 'GetAtt' ? value.split('.') : value }) });
    for (const collection of ['seq', 'map'] as const) {
      tags.push({
        tag: `!${name}`,
        collection,
        resolve: (node) => {
          const wrapper = new YAMLMap();
          wrapper.items.push(new Pair(new Scalar(key), node));
          wrapper.range = node.range;
          return wrapper;
        },
      });
    }
  }
  // GitLab CI: `!reference [.job, script]` is kept as the list it names.
  tags.push({ tag: '!reference', collection: 'seq', resolve: (node) => node });
  return tags;
}

const CUSTOM_TAGS = cloudFormationTags();

export interface ParsedYaml {
  docs: Document.Parsed[];
  counter: LineCounter;
  /** The text that was parsed: Helm templates are parsed with their template actions blanked out. */
  templated: boolean;
}

/**
 * Helm/Go template actions blanked out, keeping every offset: a line that holds only an action
 * becomes spaces, an inline action (`{{` up to the first `}}`, with no other `}` between) becomes
 * `TEMPLATED` padded to its length, so positions found in the parsed text are positions in the
 * original. One pass with indexOf: a line of a hundred thousand `{` costs what its length does.
 */
export function blankTemplateActions(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const trimmed = line.trim();
      if (trimmed.startsWith('{{') && trimmed.endsWith('}}') && trimmed.length >= 4) return ' '.repeat(line.length);
      let out = '';
      let copied = 0;
      let from = 0;
      for (;;) {
        const open = line.indexOf('{{', from);
        if (open < 0) break;
        const close = line.indexOf('}', open + 2);
        if (close < 0) break; // no `}` after it: no action starts here or later
        if (line[close + 1] !== '}') {
          // `{{ a } b }}` is not an action, nor is any `{{` before this lone `}`.
          from = close + 1;
          continue;
        }
        const length = close + 2 - open;
        out += line.slice(copied, open) + (length >= 9 ? 'TEMPLATED'.padEnd(length, '_') : 'T'.repeat(length));
        copied = from = close + 2;
      }
      return copied === 0 ? line : out + line.slice(copied);
    })
    .join('\n');
}

/** Whether the text holds a `{{ … }}` action that is not a `${{ … }}` expression: found with indexOf, not a pattern. */
export function isTemplated(text: string): boolean {
  const last = text.lastIndexOf('}}');
  if (last < 0) return false;
  for (let at = text.indexOf('{{'); at >= 0 && at + 2 <= last; at = text.indexOf('{{', at + 1)) {
    if (at === 0 || text[at - 1] !== '$') return true;
  }
  return false;
}

/** A value that came from a blanked template action. */
export function isTemplatedValue(value: unknown): boolean {
  return typeof value === 'string' && /TEMPLATED|^T{4,}$/.test(value);
}

/** More flow brackets open at once than any deploy configuration has: the parser would recurse until its stack runs out. */
export const MAX_FLOW_DEPTH = 1000;

export class YamlTooDeepError extends Error {
  readonly line: number;
  constructor(line: number) {
    super(`flow collections nested deeper than ${MAX_FLOW_DEPTH} levels`);
    this.name = 'YamlTooDeepError';
    this.line = line;
  }
}

/**
 * Offset where more than `limit` `[`/`{` are open at once, counting every bracket (quotes and
 * comments are not told apart: a real file never comes near the limit), or -1. One linear pass,
 * so that a file of nothing but `{` is refused before the parser spends its stack on it.
 */
export function flowDepthExceeded(text: string, limit = MAX_FLOW_DEPTH): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 91 || c === 123) {
      if (++depth > limit) return i;
    } else if ((c === 93 || c === 125) && depth > 0) depth--;
  }
  return -1;
}

/**
 * Parses every document; throws YamlTooDeepError (with its line) for flow collections nested beyond
 * MAX_FLOW_DEPTH, and otherwise only what the parser itself throws, which callers report.
 */
export function parseYaml(text: string, options: { templates?: boolean } = {}): ParsedYaml {
  const templated = (options.templates ?? true) && isTemplated(text);
  const counter = new LineCounter();
  const source = templated ? blankTemplateActions(text) : text;
  const deep = flowDepthExceeded(source);
  if (deep >= 0) {
    let line = 1;
    for (let i = source.indexOf('\n'); i >= 0 && i < deep; i = source.indexOf('\n', i + 1)) line++;
    throw new YamlTooDeepError(line);
  }
  const docs = parseAllDocuments(source, { lineCounter: counter, uniqueKeys: false, customTags: CUSTOM_TAGS, prettyErrors: false, logLevel: 'error' }) as unknown;
  // parseAllDocuments returns an EmptyStream (no documents) for empty input.
  return { docs: Array.isArray(docs) ? (docs as Document.Parsed[]) : [], counter, templated };
}

export function toJs(doc: Document.Parsed): unknown {
  return doc.toJS({ maxAliasCount: 100 });
}

export function lineOfNode(counter: LineCounter, node: unknown): number | undefined {
  if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
  return undefined;
}

/** Line of the key at `path` (`analysis:`), or of the node there (a list item), or `fallback`. */
export function lineAt(counter: LineCounter, doc: Document, path: readonly (string | number)[], fallback = 1): number {
  if (path.length > 0) {
    const last = path[path.length - 1];
    const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
    if (typeof last === 'string' && isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
      const keyLine = pair ? lineOfNode(counter, pair.key) : undefined;
      if (keyLine !== undefined) return keyLine;
    }
  }
  return lineOfNode(counter, doc.getIn(path, true)) ?? fallback;
}

export function docStartLine(counter: LineCounter, doc: Document): number {
  return lineOfNode(counter, doc.contents) ?? 1;
}

/**
 * Source offsets [start, end) of the text of every scalar at `path` (the scalar itself, or the items
 * of a list, nested lists included), without the quotes of a quoted scalar, so that what remains
 * is the command as the shell gets it.
 */
export function scalarSpans(doc: Document, path: readonly (string | number)[]): [number, number][] {
  const spans: [number, number][] = [];
  const stack: unknown[] = [doc.getIn(path, true)];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
      continue;
    }
    if (!isScalar(node) || !node.range) continue;
    const [start, end] = node.range;
    // A block scalar's header (`|`, `>-`) is read too; it holds no command.
    if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') spans.push([start + 1, Math.max(start + 1, end - 1)]);
    else spans.push([start, end]);
  }
  return spans;
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

