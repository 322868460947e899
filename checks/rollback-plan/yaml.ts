// YAML as deploy configuration is written: several documents per file, CloudFormation intrinsic
// functions (!Ref, !Sub, !GetAtt…), GitLab's !reference, and Helm templates ({{ … }}) that only
// become YAML once rendered.
import { isMap, isNode, isScalar, LineCounter, Pair, parseAllDocuments, Scalar, YAMLMap, type Document, type Node, type Tags } from 'yaml';

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
 * becomes spaces, an inline action becomes `TEMPLATED` padded to its length, so positions found in
 * the parsed text are positions in the original.
 */
export function blankTemplateActions(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      if (/^\s*\{\{.*\}\}\s*$/.test(line)) return ' '.repeat(line.length);
      return line.replace(/\{\{[^}]*\}\}/g, (action) => (action.length >= 9 ? 'TEMPLATED'.padEnd(action.length, '_') : 'T'.repeat(action.length)));
    })
    .join('\n');
}

export function isTemplated(text: string): boolean {
  return /(^|[^$])\{\{[\s\S]*?\}\}/.test(text);
}

/** A value that came from a blanked template action. */
export function isTemplatedValue(value: unknown): boolean {
  return typeof value === 'string' && /TEMPLATED|^T{4,}$/.test(value);
}

/** Parses every document; throws only on what the parser itself throws (deep nesting), which callers report. */
export function parseYaml(text: string, options: { templates?: boolean } = {}): ParsedYaml {
  const templated = (options.templates ?? true) && isTemplated(text);
  const counter = new LineCounter();
  const source = templated ? blankTemplateActions(text) : text;
  const docs = parseAllDocuments(source, { lineCounter: counter, uniqueKeys: false, customTags: CUSTOM_TAGS, prettyErrors: false }) as unknown;
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

/** Source offsets [start, end) of the node at `path`, for scanning the raw text of a `run:` or `script:`. */
export function rangeAt(doc: Document, path: readonly (string | number)[]): [number, number] | undefined {
  const node = doc.getIn(path, true) as Node | undefined;
  if (!isNode(node) || !node.range) return undefined;
  return [node.range[0], node.range[1]];
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

