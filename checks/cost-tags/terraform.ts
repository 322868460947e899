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
import { attributesOf, blockLabels, blocksOf, blockType, child, childrenOf, evaluate, fromJson, heredocBody, mergeMaps, parseHcl, stringLiteral, textOf, unknown, type HNode, type Scope, type Value } from './hcl.ts';
import { dirOf, isWithin, joinPath, type Enforcement, type Item, type Scan } from './model.ts';
import { cloudOf, tagPath, TERRAFORM_COST_TYPES } from './resources.ts';
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
  /** `provider = aws.us`, as written. */
  provider?: string;
  /** The resource's own tags, or undefined when it sets none. */
  tags(scope: Scope): Value | undefined;
  setsTags: boolean;
}

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
  /** Keys a `validation` block insists on (string literals in a condition about this variable). */
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
  hasBackend: boolean;
}

const newModule = (dir: string): TfModule => ({ dir, locals: new Map(), variables: new Map(), tfvars: new Map(), providers: [], resources: [], calls: [], hasBackend: false });

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

function hclResource(b: HNode, path: string): ResourceDecl | undefined {
  const [type, name] = blockLabels(b);
  if (!type || !name) return undefined;
  const attrs = attributesOf(b);
  const providerNode = attrs.get('provider');
  const provider = providerNode ? textOf(providerNode).trim() : undefined;
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
        const entries = new Map<string, Value>();
        let open: string | undefined = dynamic ? `a dynamic "tag" block (line ${dynamic.line})` : undefined;
        for (const t of tagBlocks) {
          const a = attributesOf(t);
          const k = evaluate(a.get('key'), scope);
          if (k.kind === 'string') entries.set(k.value, evaluate(a.get('value'), scope));
          else open ??= `a tag block whose key cannot be evaluated (line ${t.line})`;
        }
        if (tagsAttr) open ??= `the tags attribute (line ${tagsAttr.line})`;
        return { kind: 'map', entries, open };
      },
    };
  }
  const tagNode = hclTagNode(b, tagPath(type));
  return { type, name, path, line: b.line, provider, setsTags: tagNode !== undefined, tags: (scope) => (tagNode ? evaluate(tagNode, scope) : undefined) };
}

/** String literals in a validation condition about `var.<name>`: the keys it requires. */
function validationKeys(variable: HNode, name: string): string[] {
  const keys: string[] = [];
  for (const v of blocksOf(variable).filter((b) => blockType(b) === 'validation')) {
    const cond = attributesOf(v).get('condition');
    if (!cond) continue;
    const text = textOf(cond);
    if (!new RegExp(`\\bvar\\.${name}\\b`).test(text)) continue;
    for (const m of text.matchAll(/"((?:[^"\\$]|\\.)*)"/g)) if (m[1]) keys.push(m[1]);
  }
  return keys;
}

function readHclModule(mod: TfModule, file: SourceFile, root: HNode, callsFromFile: (calls: ModuleCall[]) => void): void {
  const blocks = blocksOf(root).filter((b) => !b.error);
  mod.providers.push(...hclProviders(blocks, file.path));
  const calls: ModuleCall[] = [];
  for (const b of blocks) {
    const type = blockType(b);
    if (type === 'locals') for (const [k, node] of attributesOf(b)) mod.locals.set(k, { kind: 'hcl', node });
    else if (type === 'variable') {
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
      const sourceValue = src ? evaluate(src, EMPTY_SCOPE) : undefined;
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
      calls.push({ name, source: sourceValue?.kind === 'string' ? sourceValue.value : undefined, path: file.path, line: b.line, args, providers });
    } else if (type === 'terraform') {
      if (blocksOf(b).some((x) => blockType(x) === 'backend' || blockType(x) === 'cloud')) mod.hasBackend = true;
    }
  }
  mod.calls.push(...calls);
  callsFromFile(calls);
}

// ---------------------------------------------------------------------------------------------
// Reading JSON syntax (.tf.json)

/** Terraform JSON allows a block body to be an object or a list of objects. */
const bodies = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v : [v]).filter((x): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x));

function readJsonModule(mod: TfModule, file: SourceFile, doc: ParsedDoc): void {
  for (const top of bodies(doc.value)) {
    for (const body of bodies(top.locals)) for (const [k, v] of Object.entries(body)) mod.locals.set(k, { kind: 'json', value: v, path: file.path });
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
        const tp = type === 'aws_autoscaling_group' ? ['tag'] : tagPath(type);
        let tags: unknown = body;
        for (const step of tp) tags = tags === undefined ? undefined : (bodies(tags)[0] ?? {})[step];
        if (type === 'aws_autoscaling_group' && tags !== undefined) tags = Object.fromEntries(bodies(tags).map((t) => [String(t.key), t.value]));
        const expr: Expr | undefined = tags === undefined ? undefined : { kind: 'json', value: tags, path: file.path };
        mod.resources.push({ type, name, path: file.path, line: doc.keyLineOf(['resource', type, name]), provider: typeof body.provider === 'string' ? body.provider.replace(/^\$\{(.*)\}$/, '$1') : undefined, setsTags: expr !== undefined, tags: (scope) => (expr ? evalExpr(expr, scope) : undefined) });
      }
    }
    for (const [name, v] of Object.entries(bodies(top.module)[0] ?? {})) {
      const body = bodies(v)[0] ?? {};
      const args = new Map<string, Expr>();
      for (const [k, x] of Object.entries(body)) if (!['source', 'version', 'providers', 'count', 'for_each', 'depends_on'].includes(k)) args.set(k, { kind: 'json', value: x, path: file.path });
      const providers = new Map<string, string>(Object.entries(bodies(body.providers)[0] ?? {}).map(([k, x]) => [k, String(x).replace(/^\$\{(.*)\}$/, '$1')]));
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

function readTerragrunt(file: SourceFile, root: HNode, findings: Finding[]): TerragruntFile {
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
      const v = src ? evaluate(src, localScope(tg.locals)) : undefined;
      if (v?.kind === 'string') tg.source = v.value;
      else if (src) tg.source = `(${textOf(src)})`;
      tg.sourceLine = src?.line ?? b.line;
    } else if (type === 'generate') {
      const contents = attributesOf(b).get('contents');
      if (!contents) continue;
      const heredoc = contents.children[0]?.children[0];
      const text = heredoc?.type === 'heredoc_template' ? heredocBody(heredoc) : (() => {
        const v = evaluate(contents, localScope(tg.locals));
        return v.kind === 'string' ? v.value : undefined;
      })();
      if (text === undefined || !/\bprovider\b/.test(text)) continue;
      const generated = parseHcl(`${file.path} (generate "${blockLabels(b)[0] ?? ''}")`, text);
      if (!generated.ok || generated.error) {
        findings.push({ severity: 'medium', path: file.path, line: b.line, message: `the provider that generate "${blockLabels(b)[0] ?? ''}" writes could not be parsed${generated.ok && generated.error ? ` (${generated.error.text} at its line ${generated.error.line})` : ''}: its default tags are not counted` });
        continue;
      }
      for (const p of hclProviders(blocksOf(generated.root), file.path)) tg.generated.push({ ...p, line: b.line });
      for (const [k, v] of tg.locals) tg.generatedLocals.set(k, v);
    }
  }
  return tg;
}

function localScope(locals: Map<string, Expr>): Scope {
  const active = new Set<string>();
  const scope: Scope = {
    lookup(root, name, depth) {
      if (root !== 'local') return undefined;
      const e = locals.get(name);
      if (!e) return unknown(`local.${name} is not defined here`);
      if (active.has(name)) return unknown(`local.${name} refers to itself`);
      active.add(name);
      try {
        return evalExpr(e, scope, depth);
      } finally {
        active.delete(name);
      }
    },
  };
  return scope;
}

// ---------------------------------------------------------------------------------------------
// Contexts

type ProviderCtx = { name: string; defaultTags?: Value; where: string } | { external: string };
type ProviderSet = Map<string, ProviderCtx>;

type Mode = { kind: 'root' } | { kind: 'called'; args: Map<string, Value>; label: string } | { kind: 'reusable' };

class ModuleScope implements Scope {
  private active = new Set<string>();
  private mod: TfModule;
  private mode: Mode;
  constructor(mod: TfModule, mode: Mode) {
    this.mod = mod;
    this.mode = mode;
  }

  lookup(root: string, name: string, depth: number): Value | undefined {
    if (root === 'local') {
      const e = this.mod.locals.get(name);
      if (!e) return unknown(`local.${name} is not defined in ${this.mod.dir || 'the root directory'}`);
      if (this.active.has(`local.${name}`)) return unknown(`local.${name} refers to itself`);
      this.active.add(`local.${name}`);
      try {
        return evalExpr(e, this, depth);
      } finally {
        this.active.delete(`local.${name}`);
      }
    }
    if (root !== 'var') return undefined;
    const decl = this.mod.variables.get(name);
    let v: Value;
    if (this.mode.kind === 'called' && this.mode.args.has(name)) v = this.mode.args.get(name)!;
    else if (this.mode.kind === 'reusable') v = unknown(`var.${name} is set by whoever calls this module`);
    else if (this.mode.kind === 'root' && this.mod.tfvars.has(name)) v = this.mod.tfvars.get(name)!;
    else if (decl?.default) {
      const key = `var.${name}`;
      if (this.active.has(key)) return unknown(`var.${name} refers to itself`);
      this.active.add(key);
      try {
        v = evalExpr(decl.default, this, depth);
      } finally {
        this.active.delete(key);
      }
    } else v = unknown(decl ? `var.${name} has no default and is set when Terraform runs` : `var.${name} is not declared`);
    // A validation that insists on keys guarantees them whatever the caller passes.
    if (v.kind === 'unknown' && decl && decl.guarantees.length > 0) {
      return { kind: 'map', entries: new Map(decl.guarantees.map((k) => [k, unknown(`var.${name}`)])), open: v.reason };
    }
    return v;
  }
}

/** Provider type a module source is written for (`terraform-aws-modules/vpc/aws` → aws). */
function providerOfSource(source: string): string | undefined {
  const registry = /^(?:[\w.-]+\/)?[\w-]+\/[\w-]+\/(aws|google|azurerm)(?:$|\/\/)/.exec(source);
  if (registry) return registry[1];
  const named = /terraform-(aws|google|azurerm)-/.exec(source);
  return named?.[1];
}

const TAG_ARGS = ['tags', 'labels', 'default_tags', 'common_tags', 'resource_labels', 'extra_tags', 'additional_tags', 'default_labels'];

export interface TerraformInput {
  terraform: SourceFile[]; // .tf, .tf.json
  tfvars: SourceFile[];
  terragrunt: SourceFile[]; // .hcl other than .tflint.hcl
}

export function scanTerraform(input: TerraformInput, scan: Scan): void {
  const modules = new Map<string, TfModule>();
  const moduleOf = (dir: string): TfModule => {
    let m = modules.get(dir);
    if (!m) modules.set(dir, (m = newModule(dir)));
    return m;
  };
  const allCalls: { from: string; call: ModuleCall }[] = [];

  for (const file of input.terraform) {
    const dir = dirOf(file.path);
    const mod = moduleOf(dir);
    if (/\.json$/i.test(file.path)) {
      const parsed = parseDocs(file.text, false);
      if (!parsed.ok) {
        scan.findings.push({ severity: 'medium', path: file.path, line: parsed.line, message: `malformed JSON, resources in this file are not judged: ${parsed.message}` });
        continue;
      }
      for (const doc of parsed.docs) readJsonModule(mod, file, doc);
      continue;
    }
    const parsed = parseHcl(file.path, file.text);
    if (!parsed.ok) {
      scan.findings.push({ severity: 'medium', path: file.path, line: 1, message: `could not parse this file: ${parsed.reason}` });
      continue;
    }
    if (parsed.error) {
      const skipped = blocksOf(parsed.root).filter((b) => b.error).length;
      scan.findings.push({ severity: 'medium', path: file.path, line: parsed.error.line, message: `malformed HCL (${parsed.error.text} at line ${parsed.error.line}): ${skipped > 0 ? `${skipped} block${skipped > 1 ? 's' : ''} around it ${skipped > 1 ? 'are' : 'is'} not judged` : 'the text around it is not judged'}; blocks that parse are still judged` });
    }
    readHclModule(mod, file, parsed.root, (calls) => allCalls.push(...calls.map((call) => ({ from: dir, call }))));
    // Enforcement declared in Terraform: AWS Config required-tags, Organizations tag policies.
    findEnforcementInHcl(parsed.root, file.path, scan.enforcement);
  }
  for (const mod of modules.values()) {
    for (const [name, decl] of mod.variables) {
      if (decl.guarantees.length > 0) scan.enforcement.push({ what: `validation of var.${name}`, path: decl.path, line: decl.line, keys: decl.guarantees });
    }
  }

  for (const file of input.tfvars) {
    const mod = modules.get(dirOf(file.path));
    if (!mod) continue;
    const base = file.path.split('/').pop()!.toLowerCase();
    if (!/^terraform\.tfvars(\.json)?$|\.auto\.tfvars(\.json)?$/.test(base)) continue; // other tfvars apply only when named on the command line
    if (base.endsWith('.json')) {
      const parsed = parseDocs(file.text, false);
      if (parsed.ok) for (const doc of parsed.docs) for (const [k, v] of Object.entries((doc.value ?? {}) as Record<string, unknown>)) mod.tfvars.set(k, fromJson(v, EMPTY_SCOPE, file.path));
      continue;
    }
    const parsed = parseHcl(file.path, file.text);
    if (!parsed.ok || parsed.error) {
      scan.findings.push({ severity: 'low', path: file.path, line: parsed.ok ? parsed.error!.line : 1, message: 'malformed tfvars: the variable values in it are not used' });
      continue;
    }
    for (const [k, node] of attributesOf(child(parsed.root, 'body') ?? parsed.root)) mod.tfvars.set(k, evaluate(node, EMPTY_SCOPE));
  }

  // Terragrunt units and the files they include.
  const tgFiles: TerragruntFile[] = [];
  for (const file of input.terragrunt) {
    const parsed = parseHcl(file.path, file.text);
    if (!parsed.ok) {
      scan.findings.push({ severity: 'medium', path: file.path, line: 1, message: `could not parse this file: ${parsed.reason}` });
      continue;
    }
    const isTerragrunt = /(^|\/)(terragrunt|root)\.hcl$/i.test(file.path) || blocksOf(parsed.root).some((b) => ['generate', 'include', 'remote_state', 'dependency'].includes(blockType(b)));
    if (!isTerragrunt) continue;
    if (parsed.error) scan.findings.push({ severity: 'medium', path: file.path, line: parsed.error.line, message: `malformed HCL (${parsed.error.text} at line ${parsed.error.line}): blocks around it are not judged` });
    tgFiles.push(readTerragrunt(file, parsed.root, scan.findings));
  }
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
    if (!source || !/^\.\.?(\/|$)/.test(source)) return undefined;
    const target = joinPath(from, source.replace(/\/\/+/g, '/'));
    return target !== undefined && modules.has(target) ? target : undefined;
  };
  for (const { from, call } of allCalls) {
    const t = localTarget(from, call.source);
    if (t !== undefined && t !== from) calledDirs.add(t);
  }
  for (const unit of tgFiles.filter((f) => f.isUnit)) {
    const t = localTarget(unit.dir, unit.source);
    if (t !== undefined) calledDirs.add(t);
  }

  // Every resource type that sets tags somewhere counts as taggable.
  const taggable = new Set(TERRAFORM_COST_TYPES);
  for (const m of modules.values()) for (const r of m.resources) if (r.setsTags) taggable.add(r.type);

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
    const scope = new ModuleScope(mod, mode);
    // A module's own provider blocks win; otherwise the caller's (or, for a root, an unconfigured default).
    const providers: ProviderSet = new Map(inherited ?? []);
    for (const [k, v] of providerSetFor(mod, scope, extraProviders)) providers.set(k, v);
    const providerFor = (name: string): ProviderCtx => {
      const p = providers.get(name);
      if (p) return p;
      if (mode.kind === 'reusable') return { external: `provider ${name} is configured by whoever calls this module` };
      if (name.includes('.')) return { external: `provider ${name} is not configured in ${mod.dir || 'the root directory'}` };
      return { name, where: 'no provider block' };
    };
    const context = mode.kind === 'called' ? mode.label : undefined;
    const identityOf = (path: string, line: number, what: string) => `${path}:${line}:${what}`;

    for (const r of mod.resources) {
      if (!taggable.has(r.type)) continue;
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
      if (own) parts.push(own);
      const item = itemFrom('terraform', r.type, r.name, r.path, r.line, mergeMaps(parts, 'the tags'), inheritedFrom, context, identityOf(r.path, r.line, `${r.type}.${r.name}`));
      if (mode.kind === 'reusable') item.fileNote = `${mod.dir || 'the root directory'} is a module that nothing in this repository calls and that configures no provider: provider default tags and variable values come from its callers, so tags that depend on them are indeterminate here`;
      scan.items.push(item);
    }

    for (const call of mod.calls) {
      const target = localTarget(mod.dir, call.source);
      if (target !== undefined) {
        if (stack.includes(target) || stack.length > 12) continue; // a cycle, or absurd depth
        const child = modules.get(target)!;
        const args = new Map<string, Value>();
        for (const [k, e] of call.args) args.set(k, evalExpr(e, scope));
        const childProviders: ProviderSet = new Map();
        if (call.providers.size > 0) for (const [childName, callerName] of call.providers) childProviders.set(childName, providerFor(callerName));
        else for (const [name, p] of providers) if (!name.includes('.')) childProviders.set(name, p);
        if (call.providers.size === 0) for (const cloud of ['aws', 'google', 'google-beta', 'azurerm']) if (!childProviders.has(cloud)) childProviders.set(cloud, providerFor(cloud));
        visit(child, { kind: 'called', args, label: `as module.${call.name} of ${mod.dir || 'the root directory'}${context ? ` (${context})` : ''}` }, childProviders, [], [...stack, target]);
        continue;
      }
      const item = remoteModule(call.name, call.source ?? '(unknown source)', call.path, call.line, new Map([...call.args].map(([k, e]) => [k, evalExpr(e, scope)])), (cloud) => providerFor(call.providers.get(cloud) ?? cloud), context);
      if (item && mode.kind === 'reusable') item.fileNote = `${mod.dir || 'the root directory'} is a module that nothing in this repository calls and that configures no provider: provider default tags and variable values come from its callers, so tags that depend on them are indeterminate here`;
    }
  };

  const remoteModule = (name: string, source: string, path: string, line: number, args: Map<string, Value>, providerFor: (cloud: string) => ProviderCtx, context: string | undefined): Item | undefined => {
    const tagArgs = TAG_ARGS.filter((a) => args.has(a));
    const cloud = providerOfSource(source);
    const p = cloud && cloud !== 'azurerm' ? providerFor(cloud) : undefined;
    const parts: Value[] = [];
    const inheritedFrom: string[] = [];
    if (p && 'external' in p) parts.push(unknown(p.external));
    else if (p?.defaultTags) {
      parts.push(p.defaultTags);
      inheritedFrom.push(`default_tags of provider ${p.name} (${p.where})`);
    }
    for (const a of tagArgs) parts.push(args.get(a)!);
    if (parts.length === 0) {
      scan.findings.push({ severity: 'low', path, line, message: `module.${name} (${source}) comes from outside this repository and is given no tags argument: whether the resources it creates are tagged cannot be seen here` });
      return undefined;
    }
    const item = itemFrom('terraform', 'module', name, path, line, mergeMaps(parts, 'the tags'), inheritedFrom, `from ${source}${context ? `, ${context}` : ''}`, `${path}:${line}:module.${name}`);
    scan.items.push(item);
    return item;
  };

  // Roots: uncalled modules that configure a provider or a backend, or that a Terragrunt unit runs.
  const unitsByDir = new Map<string, TerragruntFile>();
  for (const unit of tgFiles.filter((f) => f.isUnit)) unitsByDir.set(unit.dir, unit);
  for (const mod of modules.values()) {
    if (calledDirs.has(mod.dir)) continue;
    const unit = unitsByDir.get(mod.dir);
    if (unit && !unit.source) {
      visit(mod, { kind: 'root' }, undefined, tgProviders(unit), [mod.dir]);
      continue;
    }
    const isRoot = mod.providers.length > 0 || mod.hasBackend;
    if (isRoot) visit(mod, { kind: 'root' }, undefined, [], [mod.dir]);
    else if (mod.resources.length > 0 || mod.calls.length > 0) visit(mod, { kind: 'reusable' }, undefined, [], [mod.dir]);
  }
  // Terragrunt units that run a module from elsewhere.
  for (const unit of tgFiles.filter((f) => f.isUnit && f.source)) {
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
      const p = (cloud: string): ProviderCtx => providers.get(cloud) ?? { name: cloud, where: 'no provider block' };
      remoteModule(`terragrunt(${unit.dir || '.'})`, unit.source!, unit.path, unit.sourceLine, args, p, 'run by Terragrunt');
    }
  }
  if (capped) scan.findings.push({ severity: 'low', message: `more than ${MAX_INSTANCES} module instances: the rest of the module tree is not judged` });
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
      out.push({ what: `AWS Organizations tag policy ${type}.${name}`, path, line: b.line, keys: keys.length ? keys : undefined });
    } else if (/^azurerm_.*policy_assignment$/.test(type ?? '') && /871b6d14-10aa-478d-b590-94f262ecfa99|96670d01-0a4d-4649-9c89-2d3abc0a5025|require[^"\n]*tag/i.test(text)) {
      out.push({ what: `Azure Policy assignment ${type}.${name} requiring a tag`, path, line: b.line });
    }
  }
}

