// How checks read YAML, and what the crawler tells operators about YAML that plain objects cannot hold.
//
// Every file the checks read as YAML (Kubernetes manifests, Prometheus rule files, workflows,
// docker-compose files, bot configurations, lockfiles) is a JSON-shaped document for the tool that
// uses it: its mapping keys are strings. YAML also allows a collection as a key (`? [a, b]\n: x`,
// `[a, b]: x`), which none of those tools accepts and a plain object cannot hold. The `yaml`
// library's toJS() then uses the key's YAML text ("[ a, b ]") as the property name, and at its
// default logLevel ('warn') says so with process.emitWarning, straight to stderr.
//
// Checks therefore parse with `logLevel: 'error'`: such a key is read as its text,
// which matches no key a check looks for, so the rest of the file is judged as written; parse
// errors still surface (parse() still throws, doc.errors are still filled). The crawler names the
// file once, as a structured warning, with collectionKeys() below.
import { isAlias, isCollection, isNode, LineCounter, parseAllDocuments, visit } from 'yaml';

export interface CollectionKey {
  /** 1-based line of the key. */
  line: number;
  /** The key as written, whitespace collapsed, at most 60 characters. */
  key: string;
}

// Cheap test before parsing: an explicit key (`? ` opening a line, after indentation or `- `), or a
// flow collection closing just before a `:` that starts a value. Linear: no nested quantifiers.
const MAYBE_COLLECTION_KEY = /^[ \t]*(?:-[ \t]+)*\?(?:[ \t]|$)|[\]}][ \t]*:(?:[ \t]|$)/m;

/**
 * The mapping keys of `text` that are collections (sequences or mappings, directly or through an
 * alias), in documents that parse without errors. A Go template action (`{{ .Values.x }}: y`) is
 * not counted: it only looks like a flow mapping to a YAML parser.
 */
export function collectionKeys(text: string): CollectionKey[] {
  if (!MAYBE_COLLECTION_KEY.test(text)) return [];
  const counter = new LineCounter();
  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    docs = parseAllDocuments(text, { lineCounter: counter, uniqueKeys: false, logLevel: 'silent' });
  } catch {
    return [];
  }
  if (!Array.isArray(docs)) return [];
  const found: CollectionKey[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) continue;
    visit(doc, {
      Pair(_, pair) {
        const key = pair.key;
        const target = isAlias(key) ? key.resolve(doc) : key;
        if (!isCollection(target) || !isNode(key)) return;
        const written = key.range ? text.slice(key.range[0], key.range[1]) : String(key);
        // A template action, and the `{ .Values.x }` a parser finds inside it: not keys at all.
        if (/^\s*\{\{/.test(written)) return visit.SKIP;
        const collapsed = written.replace(/\s+/g, ' ').trim();
        found.push({ line: key.range ? counter.linePos(key.range[0]).line : 1, key: collapsed.length > 60 ? `${collapsed.slice(0, 59)}…` : collapsed });
      },
    });
  }
  return found;
}
