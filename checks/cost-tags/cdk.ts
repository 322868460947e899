// AWS CDK apps (TypeScript, JavaScript, Python), read as text: CDK synthesises its CloudFormation at
// deploy time, so the constructs in the source are the resources, and `Tags.of(scope).add(key, value)`
// (or a stack's `tags` prop) is how they get tags (https://docs.aws.amazon.com/cdk/v2/guide/tagging.html).
//
// A tag added to a scope reaches every construct below it: `Tags.of(this)` in a class reaches what that
// class (and any class extending it) creates, and what the custom constructs it creates create;
// `Tags.of(app)` in an entry point reaches the stacks that entry point creates. A construct created in
// several places gets the tags every one of them gives it (the worst place decides).
import { lineIndex } from '../shared/text.ts';
import { guarded, type Scan } from './model.ts';
import { CLOUDFORMATION_COST_TYPES } from './resources.ts';

export interface CdkSource {
  path: string;
  text: string;
}

/** L2 constructs that cost money, by class name, and the `Cfn…` L1 classes of the cost-bearing CloudFormation types. */
const COST_CONSTRUCTS = new Set([
  'Bucket', 'Function', 'NodejsFunction', 'PythonFunction', 'GoFunction', 'DockerImageFunction', 'SingletonFunction',
  'DatabaseCluster', 'DatabaseInstance', 'ServerlessCluster', 'DatabaseInstanceFromSnapshot', 'DatabaseClusterFromSnapshot',
  'Table', 'TableV2', 'Queue', 'Topic', 'Vpc', 'Cluster', 'FargateService', 'Ec2Service', 'ExternalService',
  'ApplicationLoadBalancedFargateService', 'NetworkLoadBalancedFargateService', 'ApplicationLoadBalancedEc2Service', 'QueueProcessingFargateService', 'ScheduledFargateTask',
  'ApplicationLoadBalancer', 'NetworkLoadBalancer', 'Distribution', 'CloudFrontWebDistribution', 'LogGroup', 'Key', 'Secret', 'Repository',
  'RestApi', 'LambdaRestApi', 'SpecRestApi', 'HttpApi', 'WebSocketApi', 'StateMachine', 'Instance', 'AutoScalingGroup', 'FileSystem', 'Domain',
  'Stream', 'DeliveryStream', 'InterfaceVpcEndpoint', 'GatewayVpcEndpoint', 'NatInstanceProvider', 'BastionHostLinux', 'Nodegroup', 'FargateCluster',
  'FargateTaskDefinition', 'Ec2TaskDefinition', 'TaskDefinition', 'EventBus', 'CfnCacheCluster', 'CfnReplicationGroup', 'CfnServerlessCache',
  ...CLOUDFORMATION_COST_TYPES.filter((t) => t.startsWith('AWS::') && !t.startsWith('AWS::Serverless::')).map((t) => `Cfn${t.split('::')[2]}`),
]);

/** A file is part of a CDK app when it imports the CDK library. */
const CDK_IMPORT = /from\s+['"](aws-cdk-lib|@aws-cdk\/)|require\(\s*['"](aws-cdk-lib|@aws-cdk\/)|^\s*(from|import)\s+aws_cdk\b/m;

interface Region {
  /** The class declared here, or undefined for the module level of an entry point. */
  name?: string;
  base?: string;
  start: number;
  end: number;
}

interface Created {
  cls: string;
  at: number;
  variable?: string;
}

interface TagAdd {
  /** `this`, `self`, `scope`, or a variable (the app, a stack). */
  target: string;
  key?: string;
  at: number;
  /** The key could not be read (computed in code). */
  computed?: string;
}

interface FileFacts {
  source: CdkSource;
  python: boolean;
  regions: Region[];
  created: Created[];
  tags: TagAdd[];
  /** Stack props `tags: { K: V }` given where a class is created: class → keys. */
  propTags: { cls: string; keys: string[]; at: number }[];
  lineAt(offset: number): number;
}

/** Where the block opened at `open` (a `{`) closes, skipping strings, template literals and comments. */
function blockEnd(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === '/' && text[i + 1] === '/') i = text.indexOf('\n', i) < 0 ? text.length : text.indexOf('\n', i);
    else if (c === '/' && text[i + 1] === '*') i = text.indexOf('*/', i + 2) < 0 ? text.length : text.indexOf('*/', i + 2) + 1;
    else if (c === '"' || c === "'" || c === '`') {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
    } else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  return text.length;
}

/** Top-level classes, from their declaration to their end (Python: to the next top-level statement). */
function regionsOf(text: string, python: boolean): Region[] {
  const decl = python ? /^class\s+(\w+)\s*(?:\(\s*([\w.]+)[^)]*\))?\s*:/gm : /^(?:export\s+)?(?:default\s+)?(?:abstract\s+)?class\s+([\w$]+)(?:<[^>{]*>)?(?:\s+extends\s+([\w$.]+))?[^{]*\{/gm;
  const regions: Region[] = [];
  for (const m of text.matchAll(decl)) {
    let end: number;
    if (python) {
      const next = /^[^\s#)\]}'"]/gm;
      next.lastIndex = m.index + m[0].length;
      end = next.exec(text)?.index ?? text.length;
    } else end = blockEnd(text, m.index + m[0].length - 1);
    regions.push({ name: m[1]!, base: m[2]?.split('.').pop(), start: m.index, end });
  }
  return regions;
}

/** A string constant of the file: `const NAME = 'x'` or `NAME.PROP` of `const NAME = { PROP: 'x' }`. */
function constant(text: string, expr: string): string | undefined {
  const [obj, prop] = expr.split('.');
  if (!obj) return undefined;
  if (prop === undefined) return new RegExp(`(?:const|let|var)?\\s*\\b${obj}\\s*(?::\\s*\\w+)?\\s*=\\s*['"\`]([^'"\`$]+)['"\`]`).exec(text)?.[1];
  const body = new RegExp(`\\b${obj}\\s*(?::[^=]+)?=\\s*\\{([^}]*)\\}`).exec(text)?.[1];
  return body ? new RegExp(`\\b${prop}\\s*:\\s*['"\`]([^'"\`$]+)['"\`]`).exec(body)?.[1] : undefined;
}

/** Whether the statement at `at` runs under an `if`: the block around it opens with one (or, in Python, is indented under one). */
function underCondition(text: string, at: number, python: boolean): boolean {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  if (/^\s*(if|elif|else)\b/.test(text.slice(lineStart, at))) return true;
  if (python) {
    const indent = /^[ \t]*/.exec(text.slice(lineStart))![0].length;
    for (let end = lineStart - 1; end > 0; ) {
      const start = text.lastIndexOf('\n', end - 1) + 1;
      const line = text.slice(start, end);
      end = start - 1;
      if (line.trim() === '' || line.trim().startsWith('#')) continue;
      const own = /^[ \t]*/.exec(line)![0].length;
      if (own < indent) return /^\s*(if|elif|else)\b/.test(line);
    }
    return false;
  }
  // The nearest unclosed `{` before the statement: is it the block of an if/else?
  let depth = 0;
  for (let i = at - 1; i >= 0 && i > at - 5000; i--) {
    const c = text[i];
    if (c === '}') depth++;
    else if (c === '{') {
      if (depth === 0) return /\b(if\s*\([^{}]*\)|else)\s*$/.test(text.slice(Math.max(0, i - 300), i));
      depth--;
    }
  }
  return false;
}

/** The first argument of a call written at `open` (just after its parenthesis). */
function firstArgument(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length && i < open + 400; i++) {
    const c = text[i]!;
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) return text.slice(open, i).trim();
      depth--;
    } else if (c === ',' && depth === 0) return text.slice(open, i).trim();
  }
  return text.slice(open, Math.min(text.length, open + 400)).trim();
}

function readFile(source: CdkSource): FileFacts {
  const { text } = source;
  const python = /\.py$/i.test(source.path);
  const created: Created[] = [];
  const creation = python ? /(?:(?:self\.)?(\w+)\s*=\s*)?\b(?:[a-z_]\w*\.)*([A-Z]\w*)\(\s*(?:self|scope|app|stack|this)\b/g : /(?:(?:const|let|var|this\.)\s*([\w$]+)\s*(?::[^=]+)?=\s*)?\bnew\s+(?:[\w$]+\.)*([A-Z][\w$]*)\s*\(/g;
  for (const m of text.matchAll(creation)) created.push({ cls: m[2]!, at: m.index, variable: m[1] });
  const tags: TagAdd[] = [];
  for (const m of text.matchAll(/\bTags\.of\(\s*([\w$.]+)\s*\)\s*\.add\(\s*/g)) {
    const raw = firstArgument(text, m.index + m[0].length);
    const literal = /^(['"`])([^'"`$]+)\1$/.exec(raw)?.[2] ?? /^f?(['"])([^'"{}]+)\1$/.exec(raw)?.[2];
    const read = literal ?? (/^[\w$]+(\.[\w$]+)?$/.test(raw) ? constant(text, raw) : undefined);
    // A tag added only when a condition holds (`if (stage === 'prod') Tags.of(this).add(…)`) is not on
    // every deployment: whether a resource has it cannot be told.
    const conditional = read !== undefined && underCondition(text, m.index, python);
    const key = conditional ? undefined : read;
    const target = m[1]!.replace(/^(self|this)\./, '');
    tags.push({ target: m[1] === 'this' || m[1] === 'self' || m[1] === 'scope' ? 'this' : target, key, at: m.index, computed: conditional ? `${read} is added only when a condition holds` : key === undefined ? raw.slice(0, 60) : undefined });
  }
  // `new XStack(app, 'id', { …, tags: { K: V } })` / `XStack(app, "id", tags={"K": "V"})`.
  const propTags: FileFacts['propTags'] = [];
  for (const c of created) {
    const window = text.slice(c.at, c.at + 1500);
    const m = /\btags\s*[:=]\s*\{([^{}]*)\}/.exec(window);
    const close = window.indexOf(');');
    if (!m || (close >= 0 && m.index > close)) continue;
    const keys = [...m[1]!.matchAll(/(?:^|[,{\s])(?:['"]([^'"]+)['"]|([A-Za-z_$][\w$-]*))\s*:/g)].map((k) => k[1] ?? k[2]!);
    if (keys.length > 0) propTags.push({ cls: c.cls, keys, at: c.at });
  }
  return { source, python, regions: regionsOf(text, python), created, tags, propTags, lineAt: lineIndex(text) };
}

const regionAt = (f: FileFacts, at: number): Region | undefined => f.regions.find((r) => at >= r.start && at < r.end);

export function scanCdk(sources: CdkSource[], scan: Scan): void {
  const files: FileFacts[] = [];
  for (const s of sources) guarded(scan.findings, s.path, undefined, () => {
    if (CDK_IMPORT.test(s.text)) files.push(readFile(s));
  });
  if (files.length === 0) return;

  // Classes declared in the app: their base, what they create, the keys they tag themselves with.
  const classes = new Map<string, { base?: string; own: Set<string>; computed?: string; file: FileFacts }>();
  for (const f of files) for (const r of f.regions) if (r.name && !classes.has(r.name)) classes.set(r.name, { base: r.base, own: new Set(), file: f });
  for (const f of files) {
    for (const t of f.tags) {
      const r = regionAt(f, t.at);
      if (t.target !== 'this' || !r?.name) continue;
      const c = classes.get(r.name)!;
      if (t.key) c.own.add(t.key);
      else c.computed ??= `a tag key computed in code (\`${t.computed}\`, ${f.source.path}:${f.lineAt(t.at)})`;
    }
  }
  const isCost = (cls: string, seen = new Set<string>()): boolean => {
    if (COST_CONSTRUCTS.has(cls)) return true;
    const c = classes.get(cls);
    if (!c?.base || seen.has(cls)) return false;
    seen.add(cls);
    return isCost(c.base, seen);
  };
  // A class's own keys include those of the classes it extends.
  const ownKeys = (cls: string, seen = new Set<string>()): { keys: Set<string>; computed?: string } => {
    const c = classes.get(cls);
    if (!c || seen.has(cls)) return { keys: new Set() };
    seen.add(cls);
    const base = c.base ? ownKeys(c.base, seen) : { keys: new Set<string>() };
    return { keys: new Set([...base.keys, ...c.own]), computed: c.computed ?? base.computed };
  };

  // Where each class is created: inside another class (which passes its keys down), or at the module
  // level of an entry point (which passes the app's keys, and the keys given to that stack).
  type Parent = { keys: Set<string>; computed?: string } | { cls: string };
  const parents = new Map<string, Parent[]>();
  for (const f of files) {
    const moduleTags = f.tags.filter((t) => !regionAt(f, t.at)?.name);
    const isEntry = f.created.some((c) => c.cls === 'App' && !regionAt(f, c.at)?.name);
    for (const c of f.created) {
      if (!classes.has(c.cls)) continue;
      const r = regionAt(f, c.at);
      const list = parents.get(c.cls) ?? [];
      if (r?.name) list.push({ cls: r.name });
      else if (isEntry) {
        const appVars = new Set(f.created.filter((x) => x.cls === 'App' && x.variable).map((x) => x.variable!));
        const keys = new Set<string>();
        let computed: string | undefined;
        for (const t of moduleTags) {
          if (!appVars.has(t.target) && t.target !== c.variable) continue;
          if (t.key) keys.add(t.key);
          else computed ??= `a tag key computed in code (\`${t.computed}\`, ${f.source.path}:${f.lineAt(t.at)})`;
        }
        for (const p of f.propTags) if (p.at === c.at) for (const k of p.keys) keys.add(k);
        list.push({ keys, computed });
      }
      parents.set(c.cls, list);
    }
  }
  // Keys a class's constructs get from above: the intersection over the places it is created.
  const fromAbove = new Map<string, { keys: Set<string>; computed?: string }>();
  const above = (cls: string, stack: string[] = []): { keys: Set<string>; computed?: string } => {
    const known = fromAbove.get(cls);
    if (known) return known;
    if (stack.includes(cls) || stack.length > 20) return { keys: new Set() };
    const ps = parents.get(cls) ?? [];
    let result: { keys: Set<string>; computed?: string } | undefined;
    for (const p of ps) {
      const got = 'cls' in p ? (() => {
        const a = above(p.cls, [...stack, cls]);
        const o = ownKeys(p.cls);
        return { keys: new Set([...a.keys, ...o.keys]), computed: a.computed ?? o.computed };
      })() : p;
      result = result ? { keys: new Set([...result.keys].filter((k) => got.keys.has(k))), computed: result.computed ?? got.computed } : { keys: new Set(got.keys), computed: got.computed };
    }
    const out = result ?? { keys: new Set<string>() };
    if (stack.length === 0) fromAbove.set(cls, out);
    return out;
  };

  for (const f of files) guarded(scan.findings, f.source.path, undefined, () => {
    for (const c of f.created) {
      // A custom class that extends a cost-bearing construct counts where it is created.
      if (!isCost(c.cls)) continue;
      const r = regionAt(f, c.at);
      const keys = new Map<string, { empty: boolean }>();
      const inherited: string[] = [];
      let open: string | undefined;
      if (r?.name) {
        const a = above(r.name);
        const o = ownKeys(r.name);
        for (const k of [...a.keys, ...o.keys]) keys.set(k, { empty: false });
        open = o.computed ?? a.computed;
        if (a.keys.size + o.keys.size > 0) inherited.push(`Tags.of(…).add in the CDK app (for ${r.name})`);
      } else {
        const moduleTags = f.tags.filter((t) => !regionAt(f, t.at)?.name && (t.target === c.variable || f.created.some((x) => x.cls === 'App' && x.variable === t.target)));
        for (const t of moduleTags) if (t.key) keys.set(t.key, { empty: false });
        open = moduleTags.find((t) => !t.key)?.computed;
        if (moduleTags.length > 0) inherited.push('Tags.of(…).add in the CDK app');
      }
      // Tags added on the construct itself: `Tags.of(bucket).add(…)`.
      for (const t of f.tags) if (c.variable && t.target === c.variable && t.key) keys.set(t.key, { empty: false });
      const line = f.lineAt(c.at);
      scan.items.push({
        platform: 'cdk',
        type: c.cls,
        name: c.variable ?? `${c.cls} in ${r?.name ?? f.source.path.split('/').pop()}`,
        path: f.source.path,
        line,
        keys,
        open,
        inherited,
        identity: `${f.source.path}:${line}:${c.cls}`,
      });
    }
  });
}
