// Terraform (HCL and JSON syntax) and Terragrunt: the effective tags of every cost-bearing resource.
//
// A directory of .tf files is a module. Each module is judged in every context the repository shows:
// - a root (it configures a provider or a backend, or a Terragrunt unit runs it): variables take their
//   tfvars value or default, providers are its own (plus any Terragrunt `generate`d provider);
// - called by a `module` block or a Terragrunt `terraform.source` with a local path: variables take
//   the caller's arguments (or Terragrunt `inputs`), providers are the caller's;
// - a reusable module nobody here calls: variables and provider default tags come from callers
//   outside the repository, so anything that depends on them is indeterminate.
import type { Finding } from '../contract.ts';
import type { Rule } from './rules.ts';
import { REPORT_ONLY } from './enforcement.ts';
import { attributesOf, blockLabels, blocksOf, blockType, candidateStrings, child, childrenOf, evaluate, fromJson, heredocBody, mergeMaps, parseHcl, stringLiteral, substituteTemplate, textOf, unknown, type HNode, type Scope, type Value } from './hcl.ts';
import { asRecord, dirOf, guarded, isWithin, joinPath, type Enforcement, type Item, type Scan } from './model.ts';
import { cloudOf, tagPath, TERRAFORM_COST_TYPES } from './resources.ts';
import { requiredKeys } from './validation.ts';
import { parseDocs, type ParsedDoc } from './yamldoc.ts';

export interface SourceFile {
  path: string;
  text: string;
}

/** An expression in either syntax. */
type Expr = { kind: 'hcl'; node: HNode } | { kind: 'json'; value: unknown; path: string };

function evalExpr(expr: Expr | undefined, scope: Scope, depth = 0): Value {
  if (!expr) return { kind: 'null' };
  return expr.kind === 'hcl' ? evaluate(expr.node, scope, depth) : fromJson(expr.value, scope, expr.path, depth);
}

interface ProviderDecl {
  name: string; // "aws" or "aws.us"
  path: string;
  line: number;
  defaultTags?: Expr;
}

interface ResourceDecl {
  type: string;
  name: string;
  path: string;
  line: number;
  /** `provider = aws.us` (or the legacy quoted `"aws.us"`), as a name. */
  provider?: string;
  /** The resource's own tags, or undefined when it sets none; `note` explains keys that do not count. */
  tags(scope: Scope): { value: Value; note?: string } | undefined;
  setsTags: boolean;
  /**
   * The tags come from a shared definition: `local.tags` or `module.tags.x` ('local'), or a variable
   * ('var', shared when a caller in the repository passes it).
   */
  shared?: 'local' | 'var';
}

const sharedOf = (text: string): 'local' | 'var' | undefined => (/\b(local|module)\.[\w-]+/.test(text) ? 'local' : /\bvar\.[\w-]+/.test(text) ? 'var' : undefined);

interface ModuleCall {
  name: string;
  source?: string;
  path: string;
  line: number;
  args: Map<string, Expr>;
  /** child provider name → caller provider name (`providers = { aws = aws.us }`). */
  providers: Map<string, string>;
}

interface VariableDecl {
  path: string;
  line: number;
  default?: Expr;
  /** Keys a `validation` block insists on (see validation.ts for the conditions recognised). */
  guarantees: string[];
}

interface TfModule {
  dir: string;
  locals: Map<string, Expr>;
  variables: Map<string, VariableDecl>;
  tfvars: Map<string, Value>;
  providers: ProviderDecl[];
  resources: ResourceDecl[];
  calls: ModuleCall[];
  /** `output` blocks: what `module.<call>.<name>` is in a caller. */
  outputs: Map<string, Expr>;
  hasBackend: boolean;
}

const newModule = (dir: string): TfModule => ({ dir, locals: new Map(), variables: new Map(), tfvars: new Map(), providers: [], resources: [], calls: [], outputs: new Map(), hasBackend: false });

const EMPTY_SCOPE: Scope = { lookup: () => undefined };

// ---------------------------------------------------------------------------------------------
// Reading HCL declarations

function hclProviders(blocks: HNode[], path: string): ProviderDecl[] {
  const out: ProviderDecl[] = [];
  for (const b of blocks) {
    if (blockType(b) !== 'provider') continue;
    const [type] = blockLabels(b);
    if (!type) continue;
    const attrs = attributesOf(b);
    const aliasNode = attrs.get('alias');
    const alias = aliasNode ? evaluate(aliasNode, EMPTY_SCOPE) : undefined;
    const name = alias?.kind === 'string' ? `${type}.${alias.value}` : type;
    let defaultTags: Expr | undefined;
    if (type === 'aws') {
      const dt = blocksOf(b).find((x) => blockType(x) === 'default_tags');
      const tags = dt ? attributesOf(dt).get('tags') : undefined;
      if (tags) defaultTags = { kind: 'hcl', node: tags };
    } else if (type === 'google' || type === 'google-beta') {
      const labels = attrs.get('default_labels');
      if (labels) defaultTags = { kind: 'hcl', node: labels };
    }
    out.push({ name, path, line: b.line, defaultTags });
  }
  return out;
}

/** Follows a tag path (`settings.user_labels`) through nested blocks to the attribute. */
function hclTagNode(block: HNode, path: string[]): HNode | undefined {
  let current: HNode | undefined = block;
  for (const step of path.slice(0, -1)) {
    current = current ? blocksOf(current).find((b) => blockType(b) === step) : undefined;
  }
  return current ? attributesOf(current).get(path[path.length - 1]!) : undefined;
}

/** `provider = aws.us`, or the quoted `provider = "aws.us"` of Terraform 0.11. */
function providerName(node: HNode | undefined): string | undefined {
  if (!node) return undefined;
  const v = evaluate(node, EMPTY_SCOPE);
  return v.kind === 'string' ? v.value.trim() : textOf(node).replace(/\s+/g, '');
}

/** One `tag { key value propagate_at_launch }` of an Auto Scaling group, evaluated. */
interface AsgTag {
  key: Value;
  value: () => Value;
  propagate: Value | undefined;
  line: number;
}

/**
 * An Auto Scaling group's tags as its instances get them: only tags with `propagate_at_launch = true`
 * reach the instances, which are what costs money.
 */
function asgTags(tags: AsgTag[], open: string | undefined): { value: Value; note?: string } {
  const entries = new Map<string, Value>();
  const kept: string[] = [];
  for (const t of tags) {
    if (t.key.kind !== 'string') {
      open ??= `a tag block whose key cannot be evaluated (line ${t.line})`;
      continue;
    }
    const p = t.propagate;
    const on = p?.kind === 'bool' ? p.value : p?.kind === 'string' && (p.value === 'true' || p.value === 'false') ? p.value === 'true' : undefined;
    if (on === true) entries.set(t.key.value, t.value());
    else if (on === false || p === undefined || p.kind === 'null') kept.push(t.key.value);
    else open ??= `propagate_at_launch of the ${t.key.value} tag (line ${t.line}) cannot be evaluated`;
  }
  const note = kept.length > 0 ? `${kept.join(', ')} ${kept.length > 1 ? 'are' : 'is'} set without propagate_at_launch = true, so the group's instances do not get ${kept.length > 1 ? 'them' : 'it'}` : undefined;
  return { value: { kind: 'map', entries, open }, note };
}

function hclResource(b: HNode, path: string): ResourceDecl | undefined {
  const [type, name] = blockLabels(b);
  if (!type || !name) return undefined;
  const attrs = attributesOf(b);
  const provider = providerName(attrs.get('provider'));
  if (type === 'aws_autoscaling_group') {
    // Auto Scaling groups take `tag { key value propagate_at_launch }` blocks; default_tags do not reach them.
    const tagBlocks = blocksOf(b).filter((x) => blockType(x) === 'tag');
    const dynamic = blocksOf(b).find((x) => blockType(x) === 'dynamic' && blockLabels(x)[0] === 'tag');
    const tagsAttr = attrs.get('tags');
    const setsTags = tagBlocks.length > 0 || dynamic !== undefined || tagsAttr !== undefined;
    return {
      type, name, path, line: b.line, provider, setsTags,
      tags(scope) {
        if (!setsTags) return undefined;
        let open: string | undefined = dynamic ? `a dynamic "tag" block (line ${dynamic.line})` : undefined;
        if (tagsAttr) open ??= `the tags attribute (line ${tagsAttr.line})`;
        const tags = tagBlocks.map((t): AsgTag => {
          const a = attributesOf(t);
          const p = a.get('propagate_at_launch');
          return { key: evaluate(a.get('key'), scope), value: () => evaluate(a.get('value'), scope), propagate: p ? evaluate(p, scope) : undefined, line: t.line };
        });
        return asgTags(tags, open);
      },
    };
  }
  const tagNode = hclTagNode(b, tagPath(type));
  // `lifecycle { ignore_changes = [tags] }`: the tags on the resource are set outside Terraform (a
  // policy that inherits them, a script): what the code says is not what the resource carries.
  const lifecycle = blocksOf(b).find((x) => blockType(x) === 'lifecycle');
  const ignored = lifecycle ? attributesOf(lifecycle).get('ignore_changes') : undefined;
  const tagAttr = tagPath(type)[0]!;
  const outside = ignored && new RegExp(`(^|[^\\w])(${tagAttr}|all)([^\\w]|$)`).test(textOf(ignored)) ? `tags are managed outside Terraform (lifecycle ignore_changes, line ${ignored.line})` : undefined;
  return {
    type, name, path, line: b.line, provider, setsTags: tagNode !== undefined, shared: tagNode ? sharedOf(textOf(tagNode)) : undefined,
    tags: (scope) => {
      if (outside) return { value: mergeMaps([tagNode ? evaluate(tagNode, scope) : { kind: 'null' }, unknown(outside)], 'the tags') };
      return tagNode ? { value: evaluate(tagNode, scope) } : undefined;
    },
  };
}

/** Keys the `validation` blocks of a variable require (validation.ts says which conditions count). */
function validationKeys(variable: HNode, name: string): string[] {
  const keys: string[] = [];
  for (const v of blocksOf(variable).filter((b) => blockType(b) === 'validation')) {
    const cond = attributesOf(v).get('condition');
    if (cond) for (const k of requiredKeys(cond, name)) if (!keys.includes(k)) keys.push(k);
  }
  return keys;
}

function readHclModule(mod: TfModule, file: SourceFile, root: HNode): void {
  const blocks = blocksOf(root).filter((b) => !b.error);
  mod.providers.push(...hclProviders(blocks, file.path));
  const calls: ModuleCall[] = [];
  for (const b of blocks) {
    const type = blockType(b);
    if (type === 'locals') for (const [k, node] of attributesOf(b)) mod.locals.set(k, { kind: 'hcl', node });
    else if (type === 'output') {
      const [name] = blockLabels(b);
      const value = attributesOf(b).get('value');
      if (name && value) mod.outputs.set(name, { kind: 'hcl', node: value });
    } else if (type === 'variable') {
      const [name] = blockLabels(b);
      if (!name) continue;
      const def = attributesOf(b).get('default');
      mod.variables.set(name, { path: file.path, line: b.line, default: def ? { kind: 'hcl', node: def } : undefined, guarantees: validationKeys(b, name) });
    } else if (type === 'resource') {
      const r = hclResource(b, file.path);
      if (r) mod.resources.push(r);
    } else if (type === 'module') {
      const [name] = blockLabels(b);
      if (!name) continue;
      const attrs = attributesOf(b);
      const src = attrs.get('source');
      const providers = new Map<string, string>();
      const p = attrs.get('providers');
      const obj = p ? child(child(p, 'collection_value') ?? p, 'object') : undefined;
      for (const elem of obj ? childrenOf(obj, 'object_elem') : []) {
        const k = elem.children.find((c) => c.field === 'key');
        const v = elem.children.find((c) => c.field === 'val');
        if (k && v) providers.set(textOf(k).replace(/["\s]/g, ''), textOf(v).replace(/\s/g, ''));
      }
      const args = new Map<string, Expr>();
      for (const [k, node] of attrs) if (!['source', 'version', 'providers', 'count', 'for_each', 'depends_on'].includes(k)) args.set(k, { kind: 'hcl', node });
      calls.push({ name, source: chooseSource(candidateStrings(src, EMPTY_SCOPE)), path: file.path, line: b.line, args, providers });
    } else if (type === 'terraform') {
      if (blocksOf(b).some((x) => blockType(x) === 'backend' || blockType(x) === 'cloud')) mod.hasBackend = true;
    }
  }
  mod.calls.push(...calls);
}

/** A local path (`./…`, `../…`). */
const isLocalSource = (source: string): boolean => /^\.\.?(\/|$)/.test(source);

/**
 * The source to follow among the strings a `source` may be: a local path when one branch of a
 * conditional is local (`local.dev ? "../modules/a" : "git::…"`), as the code is in this repository;
 * else the only candidate.
 */
function chooseSource(candidates: string[]): string | undefined {
  return candidates.find(isLocalSource) ?? (candidates.length === 1 ? candidates[0] : undefined);
}

// ---------------------------------------------------------------------------------------------
// Reading JSON syntax (.tf.json)

/** `"${aws.us}"` → `aws.us` (JSON syntax writes references as interpolations). */
const unwrapInterpolation = (s: string): string => (s.startsWith('${') && s.endsWith('}') ? s.slice(2, -1).trim() : s.trim());

/** Terraform JSON allows a block body to be an object or a list of objects. */
const bodies = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v : [v]).filter((x): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x));

function readJsonModule(mod: TfModule, file: SourceFile, doc: ParsedDoc): void {
  for (const top of bodies(doc.value)) {
    for (const body of bodies(top.locals)) for (const [k, v] of Object.entries(body)) mod.locals.set(k, { kind: 'json', value: v, path: file.path });
    for (const [name, v] of Object.entries(bodies(top.output)[0] ?? {})) {
      const decl = bodies(v)[0] ?? {};
      if ('value' in decl) mod.outputs.set(name, { kind: 'json', value: decl.value, path: file.path });
    }
    for (const [name, v] of Object.entries(bodies(top.variable)[0] ?? {})) {
      const decl = bodies(v)[0] ?? {};
      mod.variables.set(name, { path: file.path, line: doc.keyLineOf(['variable', name]), default: 'default' in decl ? { kind: 'json', value: decl.default, path: file.path } : undefined, guarantees: [] });
    }
    for (const [type, byName] of Object.entries(bodies(top.provider)[0] ?? {})) {
      for (const p of bodies(byName)) {
        const name = typeof p.alias === 'string' ? `${type}.${p.alias}` : type;
        const dt = type === 'aws' ? bodies(p.default_tags)[0]?.tags : type.startsWith('google') ? p.default_labels : undefined;
        mod.providers.push({ name, path: file.path, line: doc.keyLineOf(['provider', type]), defaultTags: dt === undefined ? undefined : { kind: 'json', value: dt, path: file.path } });
      }
    }
    for (const [type, byName] of Object.entries(bodies(top.resource)[0] ?? {})) {
      for (const [name, v] of Object.entries(bodies(byName)[0] ?? {})) {
        const body = bodies(v)[0] ?? {};
        const line = doc.keyLineOf(['resource', type, name]);
        const provider = typeof body.provider === 'string' ? unwrapInterpolation(body.provider) : undefined;
        if (type === 'aws_autoscaling_group') {
          const tagList = body.tag;
          const openWhy = body.tags !== undefined ? 'the tags attribute' : bodies(body.dynamic).some((d) => d.tag !== undefined) ? 'a dynamic "tag" block' : undefined;
          mod.resources.push({
            type, name, path: file.path, line, provider, setsTags: tagList !== undefined || openWhy !== undefined,
            tags(scope) {
              if (tagList === undefined && openWhy === undefined) return undefined;
              const tags = bodies(tagList).map((t): AsgTag => ({
                key: fromJson(t.key, scope, file.path),
                value: () => fromJson(t.value, scope, file.path),
                propagate: 'propagate_at_launch' in t ? fromJson(t.propagate_at_launch, scope, file.path) : undefined,
                line,
              }));
              return asgTags(tags, openWhy);
            },
          });
          continue;
        }
        let tags: unknown = body;
        for (const step of tagPath(type)) tags = tags === undefined ? undefined : (bodies(tags)[0] ?? {})[step];
        const expr: Expr | undefined = tags === undefined ? undefined : { kind: 'json', value: tags, path: file.path };
        mod.resources.push({ type, name, path: file.path, line, provider, setsTags: expr !== undefined, shared: tags !== undefined ? sharedOf(JSON.stringify(tags)) : undefined, tags: (scope) => (expr ? { value: evalExpr(expr, scope) } : undefined) });
      }
    }
    for (const [name, v] of Object.entries(bodies(top.module)[0] ?? {})) {
      const body = bodies(v)[0] ?? {};
      const args = new Map<string, Expr>();
      for (const [k, x] of Object.entries(body)) if (!['source', 'version', 'providers', 'count', 'for_each', 'depends_on'].includes(k)) args.set(k, { kind: 'json', value: x, path: file.path });
      const providers = new Map<string, string>();
      for (const [k, x] of Object.entries(bodies(body.providers)[0] ?? {})) if (typeof x === 'string') providers.set(k, unwrapInterpolation(x));
      mod.calls.push({ name, source: typeof body.source === 'string' ? body.source : undefined, path: file.path, line: doc.keyLineOf(['module', name]), args, providers });
    }
    for (const t of bodies(top.terraform)) if ('backend' in t || 'cloud' in t) mod.hasBackend = true;
  }
}

// ---------------------------------------------------------------------------------------------
// Terragrunt

interface TerragruntFile {
  path: string;
  dir: string;
  isUnit: boolean; // terragrunt.hcl: a unit Terragrunt runs
  includes: boolean;
  source?: string;
  sourceLine: number;
  inputs?: HNode;
  locals: Map<string, Expr>;
  /** Providers from `generate` blocks, already parsed. */
  generated: ProviderDecl[];
  generatedLocals: Map<string, Expr>;
}

function readTerragrunt(file: SourceFile, root: HNode, findings: Finding<Rule>[]): TerragruntFile {
  const blocks = blocksOf(root).filter((b) => !b.error);
  const dir = dirOf(file.path);
  const base = file.path.split('/').pop()!.toLowerCase();
  const tg: TerragruntFile = { path: file.path, dir, isUnit: base === 'terragrunt.hcl', includes: false, sourceLine: 1, locals: new Map(), generated: [], generatedLocals: new Map() };
  const rootAttrs = attributesOf(child(root, 'body') ?? root);
  tg.inputs = rootAttrs.get('inputs');
  for (const b of blocks) {
    const type = blockType(b);
    if (type === 'include') tg.includes = true;
    else if (type === 'locals') for (const [k, node] of attributesOf(b)) tg.locals.set(k, { kind: 'hcl', node });
    else if (type === 'terraform') {
      const src = attributesOf(b).get('source');
      const chosen = chooseSource(candidateStrings(src, localScope(tg.locals)));
      if (chosen !== undefined) tg.source = chosen;
      else if (src) tg.source = `(${textOf(src)})`;
      tg.sourceLine = src?.line ?? b.line;
    } else if (type === 'generate') {
      const contents = attributesOf(b).get('contents');
      if (!contents) continue;
      const heredoc = contents.children[0]?.children[0];
      // Terragrunt writes the interpolations' values before Terraform parses the file: unknown values
      // become a placeholder, so one `[${local.account_id}]` does not cost the whole provider block.
      const scope = localScope(tg.locals);
      const text = heredoc?.type === 'heredoc_template' ? heredocBody(heredoc, substituteTemplate(heredoc, (e) => evaluate(e, scope))) : (() => {
        const v = evaluate(contents, scope);
        return v.kind === 'string' ? v.value : undefined;
      })();
      if (text === undefined || !/\bprovider\b/.test(text)) continue;
      const generated = parseHcl(`${file.path} (generate "${blockLabels(b)[0] ?? ''}")`, text);
      if (!generated.ok || generated.error) {
        findings.push({ rule: 'unparsable-file', severity: 'medium', path: file.path, line: b.line, message: `the provider that generate "${blockLabels(b)[0] ?? ''}" writes could not be parsed${generated.ok && generated.error ? ` (${generated.error.text} at its line ${generated.error.line})` : ''}: its default tags are not counted` });
        continue;
      }
      for (const p of hclProviders(blocksOf(generated.root), file.path)) tg.generated.push({ ...p, line: b.line });
      for (const [k, v] of tg.locals) tg.generatedLocals.set(k, v);
    }
  }
  return tg;
}

/**
 * Evaluates each name of a scope at most once: `l2 = merge(local.l1, local.l1)` would otherwise
 * evaluate l1 twice, l0 four times, and so on, for every resource. A name met again while it is
 * being evaluated is a cycle (`a = local.b`, `b = local.a`) and is unknown.
 */
class Memo {
  private values = new Map<string, Value>();
  private active = new Set<string>();
  get(key: string, compute: () => Value): Value {
    const known = this.values.get(key);
    if (known) return known;
    if (this.active.has(key)) return unknown(`${key} refers to itself`);
    this.active.add(key);
    try {
      const v = compute();
      this.values.set(key, v);
      return v;
    } finally {
      this.active.delete(key);
    }
  }
}

function localScope(locals: Map<string, Expr>): Scope {
  const memo = new Memo();
  const scope: Scope = {
    lookup(root, name, depth) {
      if (root !== 'local') return undefined;
      const e = locals.get(name);
      if (!e) return unknown(`local.${name} is not defined here`);
      return memo.get(`local.${name}`, () => evalExpr(e, scope, depth));
    },
  };
  return scope;
}

// ---------------------------------------------------------------------------------------------
// Contexts

type ProviderCtx = { name: string; defaultTags?: Value; where: string } | { external: string };
type ProviderSet = Map<string, ProviderCtx>;

type Mode = { kind: 'root' } | { kind: 'called'; args: Map<string, Value>; label: string } | { kind: 'reusable' };

/** The module a call's local `source` names, if it is in this repository. */
type FindModule = (from: string, source: string | undefined) => TfModule | undefined;

const words = (s: string): string[] => s.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
/** The words of a module's name and of the last part of its source (`git::…/terraform-module-common-tags.git?ref=x` → common, tags). */
const moduleWords = (name: string, source: string | undefined): string[][] => {
  if (!source) return [words(name)];
  const bare = source.replace(/^[\w+]+::/, '').replace(/^[a-z]+:\/\//i, '').replace(/\?.*$/, '');
  const [repo, sub] = bare.split('//') as [string, string | undefined];
  return [words(name), words(repo.replace(/\.git$/, '').split('/').pop() ?? ''), ...(sub ? [words(sub.split('/').pop() ?? '')] : [])];
};

/**
 * A module that only computes tags (a "common tags" or label module): named so, or from a source named
 * so (`tags`, `ctags`, `common-tags`, `label`, `naming`). It creates nothing that costs money.
 */
export function isTagModule(name: string, source: string | undefined): boolean {
  return moduleWords(name, source).some((ws) => ws.some((w) => /^(c?tags?|tagging|labels?|naming)$/.test(w)));
}

/**
 * A module from outside the repository whose name says it creates nothing on the cost-bearing list: a
 * lookup (`…-workspace-id`, `…-lookup`, `…-data`) or DNS records (`…-private-dns`, `…-records`; as
 * `aws_route53_record` is not on it).
 */
function createsNothingCounted(name: string, source: string | undefined): string | undefined {
  for (const ws of moduleWords(name, source)) {
    const last = ws[ws.length - 1];
    if (last && /^(id|ids|lookup|lookups|data)$/.test(last)) return 'its name says it looks something up';
    if (last && /^(dns|records?|zones?)$/.test(last)) return 'its name says it manages DNS records, which are not on the cost-bearing list';
  }
  return undefined;
}

/** One instance of a module: its locals and variables are each evaluated once (see Memo). */
class ModuleScope implements Scope {
  private memo = new Memo();
  private mod: TfModule;
  private mode: Mode;
  private find: FindModule;
  private children = new Map<string, ModuleScope>();
  constructor(mod: TfModule, mode: Mode, find: FindModule) {
    this.mod = mod;
    this.mode = mode;
    this.find = find;
  }

  lookup(root: string, name: string, depth: number): Value | undefined {
    if (root === 'local') {
      const e = this.mod.locals.get(name);
      if (!e) return unknown(`local.${name} is not defined in ${this.mod.dir || 'the root directory'}`);
      return this.memo.get(`local.${name}`, () => evalExpr(e, this, depth));
    }
    if (root === 'module') return this.memo.get(`module.${name}`, () => this.moduleOutput(name, depth));
    if (root !== 'var') return undefined;
    return this.memo.get(`var.${name}`, () => this.variable(name, depth));
  }

  /**
   * `module.<call>.<output>`: a module in this repository is evaluated with the call's arguments; a
   * tags module from elsewhere is taken to write (at least) a key for each argument it is given.
   */
  private moduleOutput(ref: string, depth: number): Value {
    const [callName, output] = ref.split('.') as [string, string];
    const call = this.mod.calls.find((c) => c.name === callName);
    if (!call) return unknown(`module.${callName} is not declared in ${this.mod.dir || 'the root directory'}`);
    const target = this.find(this.mod.dir, call.source);
    if (target) {
      const expr = target.outputs.get(output);
      if (!expr) return unknown(`module.${callName} has no output ${output}`);
      let scope = this.children.get(callName);
      if (!scope) {
        const args = new Map<string, Value>();
        for (const [k, e] of call.args) args.set(k, evalExpr(e, this, depth + 1));
        scope = new ModuleScope(target, { kind: 'called', args, label: `as module.${callName}` }, this.find);
        this.children.set(callName, scope);
      }
      return evalExpr(expr, scope, depth + 1);
    }
    if (isTagModule(call.name, call.source)) {
      const entries = new Map<string, Value>();
      for (const [k, e] of call.args) {
        const v = evalExpr(e, this, depth + 1);
        if (TAG_ARGS.includes(k) && v.kind === 'map') for (const [tk, tv] of v.entries) entries.set(tk, tv);
        else if (!TAG_ARGS.includes(k) && v.kind !== 'map' && v.kind !== 'list') entries.set(k, v);
      }
      return { kind: 'map', entries, open: `the keys module.${callName} (${call.source ?? 'unknown source'}) writes beyond its arguments are not visible here` };
    }
    return unknown(`module.${callName}.${output} comes from ${call.source ?? 'a module'} outside this repository`);
  }

  private variable(name: string, depth: number): Value {
    const decl = this.mod.variables.get(name);
    let v: Value;
    if (this.mode.kind === 'called' && this.mode.args.has(name)) v = this.mode.args.get(name)!;
    else if (this.mode.kind === 'reusable') v = unknown(`var.${name} is set by whoever calls this module`);
    else if (this.mode.kind === 'root' && this.mod.tfvars.has(name)) v = this.mod.tfvars.get(name)!;
    else if (decl?.default) v = evalExpr(decl.default, this, depth);
    else v = unknown(decl ? `var.${name} has no default and is set when Terraform runs` : `var.${name} is not declared`);
    // A validation that insists on keys guarantees them whatever the caller passes.
    if (v.kind === 'unknown' && decl && decl.guarantees.length > 0) {
      return { kind: 'map', entries: new Map(decl.guarantees.map((k) => [k, unknown(`var.${name}`)])), open: v.reason };
    }
    return v;
  }
}

/** Provider type a module source is written for (`terraform-aws-modules/vpc/aws` → aws, `x/workspacer/tfe` → tfe). */
function providerOfSource(source: string): string | undefined {
  const registry = /^(?:[\w.-]+\.[\w]+\/)?[\w-]+\/[\w-]+\/([a-z][\w-]*)(?:$|\/\/|\?)/.exec(source);
  if (registry && !/^(git|github\.com|gitlab\.com|bitbucket\.org)/.test(source)) return registry[1];
  const named = /terraform-(aws|google|azurerm)-/.exec(source);
  return named?.[1];
}

const NO_PROVIDER = 'no provider block';

/** Provider types whose configurations can carry default tags (or, for azurerm, none). */
const CLOUDS = ['aws', 'google', 'google-beta', 'azurerm'];

const TAG_ARGS = ['tags', 'labels', 'default_tags', 'common_tags', 'resource_labels', 'extra_tags', 'additional_tags', 'default_labels'];

export interface TerraformInput {
  terraform: SourceFile[]; // .tf, .tf.json
  tfvars: SourceFile[];
  terragrunt: SourceFile[]; // .hcl other than .tflint.hcl
}

/**
 * `excluded(dir)`: why a directory is not production (tests, examples, local setups), or undefined. Roots
 * and Terragrunt units there are not judged, nor the modules only they call.
 */
export function scanTerraform(input: TerraformInput, scan: Scan, excluded: (dir: string) => string | undefined = () => undefined): void {
  const modules = new Map<string, TfModule>();
  const moduleOf = (dir: string): TfModule => {
    let m = modules.get(dir);
    if (!m) modules.set(dir, (m = newModule(dir)));
    return m;
  };

  for (const file of input.terraform) guarded(scan.findings, file.path, undefined, () => {
    const dir = dirOf(file.path);
    const mod = moduleOf(dir);
    if (/\.json$/i.test(file.path)) {
      const parsed = parseDocs(file.text, false);
      if (!parsed.ok) {
        scan.findings.push({ rule: 'unparsable-file', severity: 'medium', path: file.path, line: parsed.line, message: `malformed JSON, resources in this file are not judged: ${parsed.message}` });
        return;
      }
      for (const doc of parsed.docs) readJsonModule(mod, file, doc);
      return;
    }
    const parsed = parseHcl(file.path, file.text);
    if (!parsed.ok) {
      scan.findings.push({ rule: 'unparsable-file', severity: 'medium', path: file.path, line: 1, message: `could not parse this file: ${parsed.reason}` });
      return;
    }
    if (parsed.error) {
      const skipped = blocksOf(parsed.root).filter((b) => b.error).length;
      scan.findings.push({ rule: 'unparsable-file', severity: 'medium', path: file.path, line: parsed.error.line, message: `malformed HCL (${parsed.error.text} at line ${parsed.error.line}): ${skipped > 0 ? `${skipped} block${skipped > 1 ? 's' : ''} around it ${skipped > 1 ? 'are' : 'is'} not judged` : 'the text around it is not judged'}; blocks that parse are still judged` });
    }
    readHclModule(mod, file, parsed.root);
    // Enforcement declared in Terraform: AWS Config required-tags, Organizations tag policies.
    findEnforcementInHcl(parsed.root, file.path, scan.enforcement);
  });
  for (const mod of modules.values()) {
    for (const [name, decl] of mod.variables) {
      // Whether it is about tags at all is decided against the required keys (index.ts).
      if (decl.guarantees.length > 0) scan.enforcement.push({ what: `validation of var.${name}`, path: decl.path, line: decl.line, keys: decl.guarantees, incidental: true });
    }
  }

  for (const file of input.tfvars) guarded(scan.findings, file.path, undefined, () => {
    const mod = modules.get(dirOf(file.path));
    if (!mod) return;
    const base = file.path.split('/').pop()!.toLowerCase();
    if (!/^terraform\.tfvars(\.json)?$|\.auto\.tfvars(\.json)?$/.test(base)) return; // other tfvars apply only when named on the command line
    if (base.endsWith('.json')) {
      const parsed = parseDocs(file.text, false);
      if (parsed.ok) for (const doc of parsed.docs) for (const [k, v] of Object.entries(asRecord(doc.value) ?? {})) mod.tfvars.set(k, fromJson(v, EMPTY_SCOPE, file.path));
      return;
    }
    const parsed = parseHcl(file.path, file.text);
    if (!parsed.ok || parsed.error) {
      scan.findings.push({ rule: 'unparsable-file', severity: 'low', path: file.path, line: parsed.ok ? parsed.error!.line : 1, message: 'malformed tfvars: the variable values in it are not used' });
      return;
    }
    for (const [k, node] of attributesOf(child(parsed.root, 'body') ?? parsed.root)) mod.tfvars.set(k, evaluate(node, EMPTY_SCOPE));
  });

  // Terragrunt units and the files they include.
  const tgFiles: TerragruntFile[] = [];
  for (const file of input.terragrunt) guarded(scan.findings, file.path, undefined, () => {
    const parsed = parseHcl(file.path, file.text);
    if (!parsed.ok) {
      scan.findings.push({ rule: 'unparsable-file', severity: 'medium', path: file.path, line: 1, message: `could not parse this file: ${parsed.reason}` });
      return;
    }
    const isTerragrunt = /(^|\/)(terragrunt|root)\.hcl$/i.test(file.path) || blocksOf(parsed.root).some((b) => ['generate', 'include', 'remote_state', 'dependency'].includes(blockType(b)));
    if (!isTerragrunt) return;
    if (parsed.error) scan.findings.push({ rule: 'unparsable-file', severity: 'medium', path: file.path, line: parsed.error.line, message: `malformed HCL (${parsed.error.text} at line ${parsed.error.line}): blocks around it are not judged` });
    tgFiles.push(readTerragrunt(file, parsed.root, scan.findings));
  });
  const tgProviders = (unit: TerragruntFile): ProviderDecl[] => {
    const out = [...unit.generated];
    if (unit.includes) for (const f of tgFiles) if (f !== unit && f.generated.length > 0 && isWithin(unit.dir, f.dir)) out.push(...f.generated);
    return out;
  };
  const tgInputs = (unit: TerragruntFile): Value => {
    const parents = unit.includes ? tgFiles.filter((f) => f !== unit && f.inputs && isWithin(unit.dir, f.dir)) : [];
    return mergeMaps([...parents, unit].map((f) => (f.inputs ? evaluate(f.inputs, localScope(f.locals)) : { kind: 'null' as const })), 'inputs');
  };

  // Which directories are called, and by whom.
  const calledDirs = new Set<string>();
  const localTarget = (from: string, source: string | undefined): string | undefined => {
    if (!source || !isLocalSource(source)) return undefined;
    const target = joinPath(from, source.replace(/\/\/+/g, '/'));
    return target !== undefined && modules.has(target) ? target : undefined;
  };
  const findModule: FindModule = (from, source) => {
    const t = localTarget(from, source);
    return t === undefined ? undefined : modules.get(t);
  };
  // Modules called only from non-production roots are not judged; neither are those roots.
  const calledElsewhere = new Set<string>();
  for (const mod of modules.values()) {
    for (const call of mod.calls) {
      const t = localTarget(mod.dir, call.source);
      if (t !== undefined && t !== mod.dir) (excluded(mod.dir) ? calledElsewhere : calledDirs).add(t);
    }
  }
  for (const unit of tgFiles.filter((f) => f.isUnit)) {
    const t = localTarget(unit.dir, unit.source);
    if (t !== undefined) (excluded(unit.dir) ? calledElsewhere : calledDirs).add(t);
  }
  const skipped: { dir: string; why: string }[] = [];
  const notCounted: string[] = [];

  // The documented cost-bearing types count. A type outside the list that sets tags somewhere is
  // judged and reported, but never counted: deleting its tags must not take it out of the score.
  const counted = new Set(TERRAFORM_COST_TYPES);
  const tagged = new Set<string>();
  for (const m of modules.values()) for (const r of m.resources) if (r.setsTags && !counted.has(r.type)) tagged.add(r.type);

  let instances = 0;
  const MAX_INSTANCES = 500;
  let capped = false;

  const providerSetFor = (mod: TfModule, scope: Scope, extra: ProviderDecl[]): ProviderSet => {
    const set: ProviderSet = new Map();
    for (const p of [...extra, ...mod.providers]) {
      set.set(p.name, { name: p.name, defaultTags: p.defaultTags ? evalExpr(p.defaultTags, scope) : undefined, where: `${p.path}:${p.line}` });
    }
    return set;
  };

  const visit = (mod: TfModule, mode: Mode, inherited: ProviderSet | undefined, extraProviders: ProviderDecl[], stack: string[]): void => {
    if (++instances > MAX_INSTANCES) {
      capped = true;
      return;
    }
    const scope = new ModuleScope(mod, mode, findModule);
    // A module's own provider blocks win; otherwise the caller's (or, for a root, an unconfigured default).
    const providers: ProviderSet = new Map(inherited ?? []);
    for (const [k, v] of providerSetFor(mod, scope, extraProviders)) providers.set(k, v);
    const providerFor = (name: string): ProviderCtx => {
      const p = providers.get(name);
      if (p) return p;
      if (mode.kind === 'reusable') return { external: `provider ${name} is configured by whoever calls this module` };
      if (name.includes('.')) return { external: `provider ${name} is not configured in ${mod.dir || 'the root directory'}` };
      return { name, where: NO_PROVIDER };
    };
    const context = mode.kind === 'called' ? mode.label : undefined;
    const identityOf = (path: string, line: number, what: string) => `${path}:${line}:${what}`;

    for (const r of mod.resources) {
      if (!counted.has(r.type) && !tagged.has(r.type)) continue;
      guarded(scan.findings, r.path, r.line, () => {
        const cloud = cloudOf(r.type);
        const own = r.tags(scope);
        const inheritedFrom: string[] = [];
        const parts: Value[] = [];
        if ((cloud === 'aws' && r.type !== 'aws_autoscaling_group') || cloud === 'google') {
          const pname = r.provider ?? (cloud === 'google' ? 'google' : 'aws');
          const p = providerFor(pname);
          if ('external' in p) parts.push(unknown(p.external));
          else if (p.defaultTags) {
            parts.push(p.defaultTags);
            inheritedFrom.push(`${cloud === 'aws' ? 'default_tags' : 'default_labels'} of provider ${p.name} (${p.where})`);
          }
        }
        if (own) parts.push(own.value);
        const item = itemFrom('terraform', r.type, r.name, r.path, r.line, mergeMaps(parts, 'the tags'), inheritedFrom, context, identityOf(r.path, r.line, `${r.type}.${r.name}`));
        if (own?.note) item.note = own.note;
        // Tags from a shared local or tags module, or a variable its caller here fills: tagging by construction.
        if (r.shared === 'local' || (r.shared === 'var' && mode.kind === 'called')) item.shared = true;
        if (!counted.has(r.type)) item.uncounted = `${r.type} is not in the list of cost-bearing types`;
        if (mode.kind === 'reusable') item.reusable = true;
        if (mode.kind === 'reusable') item.fileNote = `${mod.dir || 'the root directory'} is a module that nothing in this repository calls and that configures no provider: provider default tags and variable values come from its callers, so tags that depend on them are indeterminate here`;
        scan.items.push(item);
      });
    }

    for (const call of mod.calls) guarded(scan.findings, call.path, call.line, () => {
      const target = localTarget(mod.dir, call.source);
      if (target !== undefined) {
        if (stack.includes(target) || stack.length > 12) return; // a cycle, or absurd depth
        const child = modules.get(target)!;
        const args = new Map<string, Value>();
        for (const [k, e] of call.args) args.set(k, evalExpr(e, scope));
        const childProviders: ProviderSet = new Map();
        if (call.providers.size > 0) for (const [childName, callerName] of call.providers) childProviders.set(childName, providerFor(callerName));
        else for (const [name, p] of providers) if (!name.includes('.')) childProviders.set(name, p);
        if (call.providers.size === 0) for (const cloud of ['aws', 'google', 'google-beta', 'azurerm']) if (!childProviders.has(cloud)) childProviders.set(cloud, providerFor(cloud));
        visit(child, { kind: 'called', args, label: `as module.${call.name} of ${mod.dir || 'the root directory'}${context ? ` (${context})` : ''}` }, childProviders, [], [...stack, target]);
        return;
      }
      if (isTagModule(call.name, call.source)) return; // it computes tags, and creates nothing
      const item = remoteModule(call.name, call.source ?? '(unknown source)', call.path, call.line, new Map([...call.args].map(([k, e]) => [k, evalExpr(e, scope)])), (cloud) => providerFor(call.providers.get(cloud) ?? cloud), context, [...providers].filter(([n, p]) => CLOUDS.includes(n) && !('external' in p) && p.where !== NO_PROVIDER).map(([n]) => n), mod.providers.map((p) => p.name.split('.')[0]!).filter((n) => !CLOUDS.includes(n)));
      if (!item) return;
      const shared = TAG_ARGS.map((a) => call.args.get(a)).map((e) => (e === undefined ? undefined : sharedOf(e.kind === 'hcl' ? textOf(e.node) : JSON.stringify(e.value))));
      if (shared.includes('local') || (shared.includes('var') && mode.kind === 'called')) item.shared = true;
      if (mode.kind === 'reusable') item.reusable = true;
      if (mode.kind === 'reusable') item.fileNote = `${mod.dir || 'the root directory'} is a module that nothing in this repository calls and that configures no provider: provider default tags and variable values come from its callers, so tags that depend on them are indeterminate here`;
    });
  };

  // A module from outside the repository always counts as one resource, whatever it is given: judged by
  // its tags arguments over its provider's default tags, and indeterminate when it is given neither.
  // A module whose source does not name its provider inherits the caller's default providers, as any
  // child module does: when they are of one cloud only, that cloud's default tags reach what it creates.
  const remoteModule = (name: string, source: string, path: string, line: number, args: Map<string, Value>, providerFor: (cloud: string) => ProviderCtx, context: string | undefined, clouds: string[], others: string[]): Item | undefined => {
    const tagArgs = TAG_ARGS.filter((a) => args.has(a));
    const named = providerOfSource(source);
    // A module for another provider (Terraform Cloud, GitHub, Datadog) creates no cloud resources; nor
    // does one whose source names none, called where only such providers are configured.
    if (named && !CLOUDS.includes(named)) return undefined;
    if (!named && clouds.length === 0 && others.length > 0) return undefined;
    const nothing = createsNothingCounted(name, source);
    if (nothing) {
      notCounted.push(`module.${name} (${path}:${line}): ${nothing}`);
      return undefined;
    }
    const families = [...new Set(clouds.map((c) => (c === 'google-beta' ? 'google' : c)))];
    const cloud = named ?? (families.length === 1 ? families[0] : undefined);
    const p = cloud && cloud !== 'azurerm' ? providerFor(cloud) : undefined;
    const parts: Value[] = [];
    const inheritedFrom: string[] = [];
    if (p && 'external' in p) parts.push(unknown(p.external));
    else if (p?.defaultTags) {
      parts.push(p.defaultTags);
      inheritedFrom.push(`default_tags of provider ${p.name} (${p.where})${named ? '' : `, the only cloud provider configured where it is called`}`);
    }
    for (const a of tagArgs) parts.push(args.get(a)!);
    if (parts.length === 0) parts.push(unknown(`it comes from outside this repository and is given no tags argument${cloud && cloud !== 'azurerm' ? ` and its provider ${cloud} sets no default tags` : ''}, so whether the resources it creates are tagged cannot be seen here`));
    const item = itemFrom('terraform', 'module', name, path, line, mergeMaps(parts, 'the tags'), inheritedFrom, `from ${source}${context ? `, ${context}` : ''}`, `${path}:${line}:module.${name}`);
    scan.items.push(item);
    return item;
  };

  // Roots: uncalled modules that configure a provider or a backend, or that a Terragrunt unit runs.
  const unitsByDir = new Map<string, TerragruntFile>();
  for (const unit of tgFiles.filter((f) => f.isUnit)) unitsByDir.set(unit.dir, unit);
  // A module nothing here calls, in a repository that deploys roots of its own, is not deployed by it.
  const deploys = [...modules.values()].some((m) => !calledDirs.has(m.dir) && !excluded(m.dir) && (m.providers.length > 0 || m.hasBackend || unitsByDir.has(m.dir))) || tgFiles.some((f) => f.isUnit && f.source && !excluded(f.dir));
  for (const mod of modules.values()) {
    if (calledDirs.has(mod.dir) || (mod.resources.length === 0 && mod.calls.length === 0)) continue;
    const why = excluded(mod.dir);
    if (why || calledElsewhere.has(mod.dir)) {
      skipped.push({ dir: mod.dir, why: why ?? 'it is called only from directories that are not production' });
      continue;
    }
    guarded(scan.findings, mod.dir || '.', undefined, () => {
      const unit = unitsByDir.get(mod.dir);
      if (unit && !unit.source) {
        visit(mod, { kind: 'root' }, undefined, tgProviders(unit), [mod.dir]);
        return;
      }
      const isRoot = mod.providers.length > 0 || mod.hasBackend;
      if (isRoot) visit(mod, { kind: 'root' }, undefined, [], [mod.dir]);
      else if (deploys) skipped.push({ dir: mod.dir, why: 'nothing in this repository calls it, and the repository deploys root modules of its own' });
      else visit(mod, { kind: 'reusable' }, undefined, [], [mod.dir]);
    });
  }
  for (const unit of tgFiles.filter((f) => f.isUnit && f.source && excluded(f.dir))) skipped.push({ dir: unit.dir, why: excluded(unit.dir)! });
  if (skipped.length > 0) {
    const list = skipped.slice(0, 5).map((x) => `${x.dir || '.'} (${x.why})`).join('; ');
    scan.findings.push({ rule: 'not-counted', severity: 'info', message: `${skipped.length} Terraform director${skipped.length > 1 ? 'ies are' : 'y is'} not judged: ${list}${skipped.length > 5 ? `; and ${skipped.length - 5} more` : ''}` });
  }
  // Terragrunt units that run a module from elsewhere.
  for (const unit of tgFiles.filter((f) => f.isUnit && f.source && !excluded(f.dir))) guarded(scan.findings, unit.path, unit.sourceLine, () => {
    const target = localTarget(unit.dir, unit.source);
    const inputs = tgInputs(unit);
    const args = new Map<string, Value>(inputs.kind === 'map' ? [...inputs.entries] : []);
    const generated = tgProviders(unit);
    const scope = localScope(unit.locals);
    const providers: ProviderSet = new Map(generated.map((p) => [p.name, { name: p.name, defaultTags: p.defaultTags ? evalExpr(p.defaultTags, scope) : undefined, where: `${p.path}:${p.line}` }]));
    if (target !== undefined) {
      const mod = modules.get(target)!;
      // Inputs that could not be read leave every variable unknown, rather than falling back to defaults.
      const mode: Mode = inputs.kind === 'map' && !inputs.open ? { kind: 'called', args, label: `as run by Terragrunt from ${unit.path}` } : { kind: 'called', args: new Map([...mod.variables.keys()].map((k) => [k, args.get(k) ?? unknown(`Terragrunt inputs in ${unit.path} cannot be read fully`)])), label: `as run by Terragrunt from ${unit.path}` };
      visit(mod, mode, providers, [], [target]);
    } else {
      const p = (cloud: string): ProviderCtx => providers.get(cloud) ?? { name: cloud, where: NO_PROVIDER };
      remoteModule(`terragrunt(${unit.dir || '.'})`, unit.source!, unit.path, unit.sourceLine, args, p, 'run by Terragrunt', [...providers.keys()].filter((n) => CLOUDS.includes(n)), [...providers.keys()].filter((n) => !CLOUDS.includes(n)));
    }
  });
  if (notCounted.length > 0) {
    const unique = [...new Set(notCounted)];
    scan.findings.push({ rule: 'not-counted', severity: 'info', message: `${unique.length} module call${unique.length > 1 ? 's' : ''} from outside the repository not counted: ${unique.slice(0, 5).join('; ')}${unique.length > 5 ? `; and ${unique.length - 5} more` : ''}` });
  }
  if (capped) scan.findings.push({ rule: 'not-judged', severity: 'low', message: `more than ${MAX_INSTANCES} module instances: the rest of the module tree is not judged` });
}

function itemFrom(platform: Item['platform'], type: string, name: string, path: string, line: number, tags: Value, inherited: string[], context: string | undefined, identity: string): Item {
  const keys = new Map<string, { empty: boolean }>();
  let open: string | undefined;
  if (tags.kind === 'map') {
    for (const [k, v] of tags.entries) keys.set(k, { empty: v.kind === 'null' || (v.kind === 'string' && v.value.trim() === '') });
    open = tags.open;
  } else if (tags.kind === 'unknown') open = tags.reason;
  else if (tags.kind !== 'null') open = `tags that are a ${tags.kind}, not a map`;
  return { platform, type, name, path, line, keys, open, inherited, context, identity };
}

// ---------------------------------------------------------------------------------------------
// Enforcement written in Terraform

function findEnforcementInHcl(root: HNode, path: string, out: Enforcement[]): void {
  for (const b of blocksOf(root)) {
    if (blockType(b) !== 'resource') continue;
    const [type, name] = blockLabels(b);
    const text = textOf(b);
    if ((type === 'aws_config_config_rule' || type === 'aws_config_organization_managed_rule') && /REQUIRED_TAGS/.test(text)) {
      const keys = [...text.matchAll(/tag\dKey"?\s*[:=]\s*"([^"]+)"/g)].map((m) => m[1]!);
      out.push({ what: `AWS Config required-tags rule ${type}.${name}`, path, line: b.line, keys: keys.length ? keys : undefined });
    } else if (type === 'aws_organizations_policy' && /TAG_POLICY/.test(text)) {
      const keys = [...text.matchAll(/tag_key"?\s*[:=]\s*\{\s*"?@@assign"?\s*[:=]\s*"([^"]+)"/g)].map((m) => m[1]!);
      out.push({ what: `AWS Organizations tag policy ${type}.${name}`, path, line: b.line, keys: keys.length ? keys : undefined, weak: text.includes('enforced_for') ? undefined : REPORT_ONLY });
    } else if (/^azurerm_.*policy_assignment$/.test(type ?? '') && /871b6d14-10aa-478d-b590-94f262ecfa99|96670d01-0a4d-4649-9c89-2d3abc0a5025|require[^"\n]{0,200}tag/i.test(text)) {
      out.push({ what: `Azure Policy assignment ${type}.${name} requiring a tag`, path, line: b.line });
    }
  }
}

