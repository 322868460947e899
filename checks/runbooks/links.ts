// Where a runbook link leads: a file of this repository (which must exist, with the section an anchor
// names), a web page elsewhere (not verified), a value computed at render time, or nothing a
// responder can open (`javascript:`, `data:`, `mailto:`).
import type { RepoSnapshot } from '../contract.ts';
import { analyseDocument } from './document.ts';

export type LinkVerdict =
  | { ok: true; where: 'repository' | 'external' | 'computed'; /** an issue or pull request, not a runbook document */ issue: boolean; note?: string }
  | { ok: false; kind: 'broken' | 'not-a-link'; reason: string };

/** Templated (Go templates, Alertmanager labels, Terraform `${…}`) or computed (Jsonnet) values cannot be resolved statically. */
export const COMPUTED = /\{\{|\$labels|\$value|%\(|%s|\bstd\.|\$\._config|\$\.\w|\$\{/;

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

// Issue trackers: a tracking issue may or may not hold a procedure; it is weaker evidence than a runbook.
const ISSUE_URL =
  /^https?:\/\/[^/]+\/[^?#]*?(\/(issues|pull|pulls|merge_requests|discussions)\/\d+|\/-\/issues\/\d+|\/browse\/[A-Z][A-Z0-9_]+-\d+)|^https?:\/\/[^/]*linear\.app\/[^/]+\/issue\/|^https?:\/\/[^/]*atlassian\.net\/jira\//i;

const MARKDOWN = /\.(md|markdown|mdx)$/i;

export function isIssueTrackerUrl(url: string): boolean {
  return ISSUE_URL.test(url);
}

/** `javascript:`, `data:` and the like: a value with a scheme that is not http(s). */
export function unsafeScheme(value: string): string | undefined {
  const m = SCHEME.exec(value.trim());
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  return scheme === 'http' || scheme === 'https' ? undefined : scheme;
}

/**
 * A value a browser or a chat tool would run or open as something other than a page: `javascript:`,
 * `vbscript:`, `data:`, `file:`. On-call annotations hold ids and selectors (`tag:"service:x"`), so
 * only these schemes disqualify them.
 */
export function scriptScheme(value: string): string | undefined {
  const scheme = unsafeScheme(value);
  return scheme && /^(javascript|vbscript|data|file)$/.test(scheme) ? scheme : undefined;
}

export class LinkResolver {
  private readonly anchorCache = new Map<string, Set<string> | undefined>();
  private readonly prefixes: Set<string>;

  private readonly snapshot: RepoSnapshot;
  private readonly files: Set<string>;

  constructor(snapshot: RepoSnapshot, files: Set<string>) {
    this.snapshot = snapshot;
    this.files = files;
    // Every directory of the repository, so "does this path exist" is one lookup.
    this.prefixes = new Set();
    for (const f of files) {
      for (let i = f.indexOf('/'); i > 0; i = f.indexOf('/', i + 1)) this.prefixes.add(f.slice(0, i));
    }
  }

  resolve(value: string, fromPath: string): LinkVerdict {
    const v = value.trim();
    const scheme = unsafeScheme(v);
    // Checked first: a template does not make `javascript:` safe.
    if (scheme) return { ok: false, kind: 'not-a-link', reason: `runbook link "${clip(v)}" is a ${scheme}: value, not a web address or a repository path` };
    const webUrl = this.snapshot.identity.webUrl?.replace(/\/+$/, '');
    if (SCHEME.test(v) && (!webUrl || !v.startsWith(webUrl + '/'))) return { ok: true, where: 'external', issue: isIssueTrackerUrl(v) };
    if (COMPUTED.test(v)) return { ok: true, where: 'computed', issue: false };
    let target: string;
    let fragment: string | undefined;
    if (SCHEME.test(v)) {
      const rest = v.slice(webUrl!.length + 1);
      const m = /^(?:-\/)?(?:blob|tree|raw|src)\/(.+)$/.exec(rest);
      if (!m) return { ok: true, where: 'external', issue: isIssueTrackerUrl(v) };
      fragment = /#(.*)$/.exec(m[1]!)?.[1];
      // The branch may itself contain slashes ("release/2026"): any split that names an existing path resolves.
      const segments = m[1]!.replace(/[#?].*$/, '').split('/').map(safeDecode);
      for (let i = 1; i < segments.length; i++) {
        const candidate = segments.slice(i).join('/').replace(/\/+$/, '');
        if (this.exists(candidate)) return this.withAnchor(candidate, fragment, v);
      }
      target = segments.slice(1).join('/');
    } else {
      fragment = /#(.*)$/.exec(v)?.[1];
      // "./x" and "../x" are relative to the rule file; a bare "docs/x.md" is how people write repository paths.
      const dir = fromPath.includes('/') ? fromPath.slice(0, fromPath.lastIndexOf('/') + 1) : '';
      const explicit = v.startsWith('./') || v.startsWith('../');
      target = v.startsWith('/') ? v.slice(1) : explicit ? normalise(dir + v) : normalise(v);
      if (!explicit && !v.startsWith('/')) {
        const besideRule = normalise(dir + v).replace(/[#?].*$/, '').replace(/\/+$/, '');
        if (this.exists(besideRule)) return this.withAnchor(besideRule, fragment, v);
      }
    }
    target = target.replace(/[#?].*$/, '').replace(/\/+$/, '');
    if (this.exists(target)) return this.withAnchor(target, fragment, v);
    return { ok: false, kind: 'broken', reason: `runbook link "${clip(v)}" points to ${target}, which does not exist in this repository at ${this.snapshot.head.oid.slice(0, 7)}` };
  }

  private exists(target: string): boolean {
    return target !== '' && (this.files.has(target) || this.prefixes.has(target));
  }

  /** A link to `doc.md#section` resolves only when the document has that section. */
  private withAnchor(target: string, fragment: string | undefined, value: string): LinkVerdict {
    if (!fragment || !MARKDOWN.test(target)) return { ok: true, where: 'repository', issue: false };
    const anchors = this.anchorsOf(target);
    if (!anchors) return { ok: true, where: 'repository', issue: false, note: `section #${fragment} of ${target} not verified: the document was not read` };
    const wanted = safeDecode(fragment).toLowerCase();
    if (anchors.has(wanted)) return { ok: true, where: 'repository', issue: false };
    return { ok: false, kind: 'broken', reason: `runbook link "${clip(value)}" names section #${fragment}, which ${target} does not have at ${this.snapshot.head.oid.slice(0, 7)}` };
  }

  private anchorsOf(path: string): Set<string> | undefined {
    if (this.anchorCache.has(path)) return this.anchorCache.get(path);
    const content = this.snapshot.read(path);
    const anchors = content.ok ? analyseDocument(path, content.text, 1).anchors : undefined;
    this.anchorCache.set(path, anchors);
    return anchors;
  }
}

function clip(s: string): string {
  return s.length > 120 ? s.slice(0, 117) + '…' : s;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // a stray "%" that is not an escape
  }
}

function normalise(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '..') out.pop();
    else if (part !== '.' && part !== '') out.push(part);
  }
  return out.join('/');
}
