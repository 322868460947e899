// YAML and JSON documents with line numbers; CloudFormation's short-form intrinsic functions parse.
import { isMap, isNode, isScalar, LineCounter, parseAllDocuments, type Document, type Tags } from 'yaml';

const INTRINSICS = ['Ref', 'Sub', 'GetAtt', 'Join', 'If', 'Select', 'Split', 'FindInMap', 'ImportValue', 'Base64', 'Cidr', 'GetAZs', 'Equals', 'And', 'Or', 'Not', 'Condition', 'Transform', 'ToJsonString', 'Length'];
const longName = (fn: string): string => (fn === 'Ref' || fn === 'Condition' ? fn : `Fn::${fn}`);

/** `!Ref X` → `{Ref: X}`, `!Sub […]` → `{"Fn::Sub": […]}`, as CloudFormation reads them. */
export const CFN_TAGS: Tags = INTRINSICS.flatMap((fn) => [
  { tag: `!${fn}`, resolve: (value: string) => ({ [longName(fn)]: value }) },
  { tag: `!${fn}`, collection: 'seq' as const, resolve: (seq: { toJSON(): unknown }) => ({ [longName(fn)]: seq.toJSON() }) },
  { tag: `!${fn}`, collection: 'map' as const, resolve: (map: { toJSON(): unknown }) => ({ [longName(fn)]: map.toJSON() }) },
]) as unknown as Tags;

export interface ParsedDoc {
  value: unknown;
  /** 1-based line of the node at `path`, or of the document's start when there is none. */
  lineOf(path: readonly (string | number)[]): number;
  /** 1-based line of the key that ends `path` (`Resources.Bucket` → the line of `Bucket:`). */
  keyLineOf(path: readonly (string | number)[]): number;
}

export type ParsedText = { ok: true; docs: ParsedDoc[] } | { ok: false; line: number; message: string };

/** Every document of a YAML (or JSON) text; the first error of any document fails the whole text. */
export function parseDocs(text: string, cloudFormation = true): ParsedText {
  const counter = new LineCounter();
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { lineCounter: counter, uniqueKeys: false, customTags: cloudFormation ? CFN_TAGS : [], logLevel: 'silent' }) as Document.Parsed[];
  } catch (error) {
    return { ok: false, line: 1, message: (error as Error).message.split('\n')[0] ?? 'unreadable' };
  }
  if (!Array.isArray(docs)) return { ok: false, line: 1, message: 'not a YAML stream' };
  const out: ParsedDoc[] = [];
  for (const doc of docs) {
    const first = doc.errors[0];
    if (first) return { ok: false, line: first.linePos?.[0]?.line ?? 1, message: first.message.split('\n')[0] ?? 'malformed' };
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      return { ok: false, line: 1, message: (error as Error).message.split('\n')[0] ?? 'could not be evaluated' };
    }
    const start = doc.contents && isNode(doc.contents) && doc.contents.range ? counter.linePos(doc.contents.range[0]).line : 1;
    out.push({
      value,
      lineOf(path) {
        try {
          const node = doc.getIn(path, true);
          return isNode(node) && node.range ? counter.linePos(node.range[0]).line : start;
        } catch {
          return start;
        }
      },
      keyLineOf(path) {
        try {
          const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
          if (isMap(parent)) {
            const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(path[path.length - 1]));
            if (pair && isNode(pair.key) && pair.key.range) return counter.linePos(pair.key.range[0]).line;
          }
        } catch {
          // fall through to the value's line
        }
        return this.lineOf(path);
      },
    });
  }
  return { ok: true, docs: out };
}
