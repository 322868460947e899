// CloudFormation and SAM templates, and the stack-level tags that deployment tools add to them.
import type { Finding } from '../contract.ts';
import type { Rule } from './rules.ts';
import { jinjaPathPattern, resolveJinja } from './jinja.ts';
import { asRecord, dirOf, guarded, joinPath, walkValue, type Scan } from './model.ts';
import { CLOUDFORMATION_COST_TYPES, cloudFormationTagProperty } from './resources.ts';
import type { ParsedDoc } from './yamldoc.ts';

export interface ParsedFile {
  path: string;
  text: string;
  docs: ParsedDoc[];
}

/** A template: a document with `AWSTemplateFormatVersion`, or `Resources` whose entries have an `AWS::` type. */
export function isTemplate(value: unknown): boolean {
  const top = asRecord(value);
  if (!top) return false;
  if ('AWSTemplateFormatVersion' in top) return true;
  const resources = asRecord(top.Resources);
  return !!resources && Object.values(resources).some((r) => typeof asRecord(r)?.Type === 'string' && /^(AWS|Alexa|Custom)::/.test(asRecord(r)!.Type as string));
}

const isIntrinsic = (v: unknown): boolean => {
  const r = asRecord(v);
  if (!r) return false;
  const keys = Object.keys(r);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0]!.startsWith('Fn::'));
};

interface TagSet {
  keys: Map<string, { empty: boolean }>;
  open?: string;
}

const emptyValue = (v: unknown): boolean => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

/** CloudFormation `Tags`: a list of {Key, Value} (most resources) or a map (SAM, and a few AWS types). */
export function readTags(tags: unknown): TagSet {
  const out: TagSet = { keys: new Map() };
  if (tags === undefined || tags === null) return out;
  if (isIntrinsic(tags)) return { keys: out.keys, open: `the tags are computed (${Object.keys(asRecord(tags)!)[0]})` };
  if (Array.isArray(tags)) {
    for (const entry of tags) {
      const e = asRecord(entry);
      if (!e || isIntrinsic(e)) {
        out.open ??= `a tag entry is computed (${e ? Object.keys(e)[0] : typeof entry})`;
        continue;
      }
      if (typeof e.Key === 'string') out.keys.set(e.Key, { empty: emptyValue(e.Value) });
      else out.open ??= 'a tag key is computed';
    }
    return out;
  }
  const map = asRecord(tags);
  if (!map) return { keys: out.keys, open: 'the tags are not a list or a map' };
  for (const [k, v] of Object.entries(map)) out.keys.set(k, { empty: emptyValue(v) });
  return out;
}

interface StackTags {
  keys: Map<string, { empty: boolean }>;
  where: string;
}

const SAM_GLOBALS: Record<string, string> = {
  'AWS::Serverless::Function': 'Function',
  'AWS::Serverless::Api': 'Api',
  'AWS::Serverless::HttpApi': 'HttpApi',
  'AWS::Serverless::SimpleTable': 'SimpleTable',
  'AWS::Serverless::StateMachine': 'StateMachine',
};

/** `CostCenter="cc-1" Owner=payments` (samconfig.toml, `aws cloudformation deploy --tags`). */
export function parseKeyValuePairs(text: string): Map<string, { empty: boolean }> {
  const out = new Map<string, { empty: boolean }>();
  // The lookbehind makes each key start where a run of key characters starts: without it, a long run
  // with no `=` is scanned again from every position in it.
  for (const m of text.matchAll(/(?<![\w.:/+@-])([\w.:/+@-]+)=("(?:[^"\\]|\\.)*"|'[^']*'|[^\s"']*)/g)) {
    const value = m[2]!.replace(/^["']|["']$/g, '');
    out.set(m[1]!, { empty: value.trim() === '' });
  }
  return out;
}

export interface StackTagSources {
  byTemplate: Map<string, StackTags[]>;
  /** Stack tags whose template could not be matched to a file here. */
  elsewhere: { where: string; keys: string[]; line: number; path: string; what: string }[];
}

/** Stack tags from Sceptre, samconfig.toml and Ansible. */
export function findStackTags(yamlFiles: ParsedFile[], samconfigs: { path: string; text: string }[], templatePaths: Set<string>, findings: Finding<Rule>[], sceptreProjects: string[] = []): StackTagSources {
  const result: StackTagSources = { byTemplate: new Map(), elsewhere: [] };
  const add = (template: string, tags: StackTags) => result.byTemplate.set(template, [...(result.byTemplate.get(template) ?? []), tags]);
  const templatesMatching = (template: string, from: string): string[] => {
    const pattern = jinjaPathPattern(template.replace(/^\.\//, ''));
    const all = [...templatePaths].filter((t) => pattern.test(t));
    // Prefer templates at the path relative to the playbook (or its files/), then anywhere.
    const near = all.filter((t) => t.startsWith(from ? `${from}/` : ''));
    return near.length > 0 ? near : all;
  };
  const byBase = (name: string): string | undefined => {
    const hits = [...templatePaths].filter((t) => t === name || t.endsWith('/' + name));
    return hits.length === 1 ? hits[0] : undefined;
  };

  // Sceptre: <project>/config/<group…>/<stack>.yaml names a template under <project>/templates/ and
  // may set stack_tags; every config.yaml from <project>/config down to the stack's directory is its
  // stack group config (deeper ones win), which `{{ stack_group_config.x }}` refers to and whose own
  // stack_tags are inherited. The project is the directory whose config/ sits beside templates/.
  const projectOf = (path: string): string | undefined =>
    sceptreProjects.filter((p) => path.startsWith(p ? `${p}/config/` : 'config/')).sort((a, b) => b.length - a.length)[0];
  const byPath = new Map(yamlFiles.map((f) => [f.path, f]));
  for (const f of yamlFiles) guarded(findings, f.path, undefined, () => {
    const projectDir = projectOf(f.path);
    const doc = f.docs[0];
    const raw = asRecord(doc?.value);
    if (projectDir === undefined || !raw || !doc || /(^|\/)config\.ya?ml$/i.test(f.path)) return;
    // config.yaml files from the project's config/ down to this stack's directory.
    const rel = f.path.slice((projectDir ? projectDir + '/' : '').length + 'config/'.length);
    const parts = rel.split('/').slice(0, -1);
    const group: Record<string, unknown> = {};
    const tagged: string[] = [];
    const inherited = new Map<string, { empty: boolean }>();
    for (let i = 0; i <= parts.length; i++) {
      const cfgDir = [projectDir, 'config', ...parts.slice(0, i)].filter(Boolean).join('/');
      for (const name of ['config.yaml', 'config.yml']) {
        const cfg = asRecord(byPath.get(`${cfgDir}/${name}`)?.docs[0]?.value);
        if (!cfg) continue;
        Object.assign(group, resolveJinja(cfg, { stack_group_config: { ...group, ...cfg } }) as Record<string, unknown>);
        const tags = asRecord(group.stack_tags);
        if (asRecord(cfg.stack_tags) || typeof cfg.stack_tags === 'string') {
          if (tags) for (const [k, v] of Object.entries(tags)) inherited.set(k, { empty: emptyValue(v) });
          tagged.push(`${cfgDir}/${name}`);
        }
      }
    }
    const top = resolveJinja(raw, { stack_group_config: group }) as Record<string, unknown>;
    const templatePath = typeof top.template_path === 'string' ? top.template_path : typeof asRecord(top.template)?.path === 'string' ? (asRecord(top.template)!.path as string) : undefined;
    if (!templatePath) return;
    const keys = new Map(inherited);
    const wheres = [...tagged];
    const own = asRecord(top.stack_tags);
    if (own) {
      for (const [k, v] of Object.entries(own)) keys.set(k, { empty: emptyValue(v) });
      wheres.push(f.path);
    }
    if (keys.size === 0) return;
    const template = joinPath(projectDir ? `${projectDir}/templates` : 'templates', templatePath);
    const where = `Sceptre stack_tags (${wheres.join(', ')})`;
    if (template && templatePaths.has(template)) add(template, { keys, where });
    else result.elsewhere.push({ where, keys: [...keys.keys()], path: f.path, line: doc.keyLineOf(['stack_tags']), what: `template ${templatePath}` });
  });

  // SAM CLI: samconfig.toml `tags = "K=V …"` for the template beside it.
  for (const f of samconfigs) guarded(findings, f.path, undefined, () => {
    const dir = dirOf(f.path);
    // `[ \t]*`, not `\s*`, after the line start: `\s*` under the m flag crosses lines, and is tried again at every line.
    const templateFile = /^[ \t]*template_file[ \t]*=[ \t]*"([^"\n]+)"/m.exec(f.text)?.[1];
    for (const { raw, line } of samconfigTags(f.text)) {
      const keys = parseKeyValuePairs(raw);
      if (keys.size === 0) continue;
      const candidates = templateFile ? [joinPath(dir, templateFile)] : ['template.yaml', 'template.yml', 'template.json'].map((n) => joinPath(dir, n));
      const template = candidates.find((c): c is string => c !== undefined && templatePaths.has(c));
      const where = `samconfig.toml tags (${f.path}:${line})`;
      if (template) add(template, { keys, where });
      else result.elsewhere.push({ where, keys: [...keys.keys()], path: f.path, line, what: 'the SAM template' });
    }
  });

  // Ansible: a cloudformation task with `template` and `tags`.
  for (const f of yamlFiles) guarded(findings, f.path, undefined, () => {
    for (const doc of f.docs) {
      walk(doc.value, (task) => {
        for (const name of ['cloudformation', 'amazon.aws.cloudformation', 'community.aws.cloudformation']) {
          const args = asRecord(task[name]);
          if (!args) continue;
          const tags = asRecord(args.tags);
          const template = typeof args.template === 'string' ? args.template : undefined;
          if (!tags) continue;
          const keys = new Map(Object.entries(tags).map(([k, v]) => [k, { empty: emptyValue(v) }] as const));
          const where = `Ansible ${name} task tags (${f.path})`;
          const resolved = template && !template.includes('{{') ? [joinPath(dirOf(f.path), template), joinPath(dirOf(f.path), `files/${template}`), byBase(template.split('/').pop()!)].find((t): t is string => t !== undefined && templatePaths.has(t)) : undefined;
          // `cfn/{{ env }}.yaml`: every template the pattern matches, the placeholders standing for any name.
          const matched = template && template.includes('{{') ? templatesMatching(template, dirOf(f.path)) : [];
          if (resolved) add(resolved, { keys, where });
          else if (matched.length > 0) for (const t of matched) add(t, { keys, where });
          else result.elsewhere.push({ where, keys: [...keys.keys()], path: f.path, line: doc.lineOf([]), what: template ? `template ${template}` : 'a template' });
        }
      });
    }
  });

  return result;
}

/**
 * `tags = "K=V …"` lines of a samconfig.toml: a string of K="V" pairs, or a TOML array of "K=V"
 * strings (which may span lines). Scanned line by line, without a pattern that can backtrack.
 */
function samconfigTags(text: string): { raw: string; line: number }[] {
  const out: { raw: string; line: number }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^[ \t]*tags[ \t]*=[ \t]*/.exec(lines[i]!);
    if (!m) continue;
    const rest = lines[i]!.slice(m[0].length);
    if (rest.startsWith('"')) {
      const s = /^"((?:[^"\\]|\\.)*)"/.exec(rest);
      if (s) out.push({ raw: s[1]!.replace(/\\"/g, '"'), line: i + 1 });
    } else if (rest.startsWith('[')) {
      // Up to the closing bracket, on this line or a later one.
      const parts = [rest.slice(1)];
      let close = parts[0]!.indexOf(']');
      let j = i;
      while (close < 0 && j + 1 < lines.length) {
        parts.push(lines[++j]!);
        close = lines[j]!.indexOf(']');
      }
      if (close < 0) break;
      parts[parts.length - 1] = parts[parts.length - 1]!.slice(0, close);
      const array = parts.join('\n');
      out.push({ raw: [...array.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((x) => x[1]!.replace(/\\"/g, '"')).join(' '), line: i + 1 });
      i = j;
    }
  }
  return out;
}

/** Visits every map in a parsed document once (a YAML alias may make a value contain itself). */
function walk(value: unknown, visit: (record: Record<string, unknown>) => void): void {
  walkValue(value, (v) => {
    const r = asRecord(v);
    if (r) visit(r);
    return true;
  });
}

export function scanCloudFormation(templates: ParsedFile[], stackTags: StackTagSources, scan: Scan): void {
  // The documented cost-bearing types count. A type outside the list that sets tags somewhere is
  // judged and reported, but never counted: deleting its tags must not take it out of the score.
  const counted = new Set(CLOUDFORMATION_COST_TYPES);
  const tagged = new Set<string>();
  for (const t of templates) {
    for (const doc of t.docs) {
      for (const r of Object.values(asRecord(asRecord(doc.value)?.Resources) ?? {})) {
        const res = asRecord(r);
        if (typeof res?.Type === 'string' && !counted.has(res.Type) && asRecord(res.Properties)?.[cloudFormationTagProperty(res.Type)] !== undefined) tagged.add(res.Type);
      }
    }
  }
  for (const t of templates) guarded(scan.findings, t.path, undefined, () => {
    const stacks = stackTags.byTemplate.get(t.path) ?? [];
    for (const doc of t.docs) {
      const top = asRecord(doc.value);
      if (!top || !isTemplate(top)) continue;
      const globals = asRecord(top.Globals);
      for (const [id, r] of Object.entries(asRecord(top.Resources) ?? {})) {
        const res = asRecord(r);
        const type = typeof res?.Type === 'string' ? res.Type : undefined;
        if (!res || !type || (!counted.has(type) && !tagged.has(type))) continue;
        const props = asRecord(res.Properties) ?? {};
        const keys = new Map<string, { empty: boolean }>();
        let open: string | undefined;
        const inherited: string[] = [];
        for (const s of stacks) {
          for (const [k, v] of s.keys) keys.set(k, v);
          inherited.push(s.where);
        }
        const globalSection = SAM_GLOBALS[type];
        const globalTags = globalSection ? asRecord(globals?.[globalSection])?.Tags : undefined;
        if (globalTags !== undefined) {
          const g = readTags(globalTags);
          for (const [k, v] of g.keys) keys.set(k, v);
          open ??= g.open;
          inherited.push(`Globals.${globalSection}.Tags`);
        }
        const own = readTags(props[cloudFormationTagProperty(type)]);
        for (const [k, v] of own.keys) keys.set(k, v);
        open ??= own.open;
        if (isIntrinsic(res.Properties)) open ??= 'the properties are computed';
        const line = doc.keyLineOf(['Resources', id]);
        const fileNote = stacks.length === 0 ? 'no stack-level tags for this template are declared in this repository (Sceptre stack_tags, samconfig.toml tags, an Ansible cloudformation task); tags added where it is deployed (a pipeline\'s --tags, StackSets) are not visible here' : undefined;
        const uncounted = counted.has(type) ? undefined : `${type} is not in the list of cost-bearing types`;
        scan.items.push({ platform: 'cloudformation', type, name: id, path: t.path, line, keys, open, inherited, identity: `${t.path}:${line}:${id}`, fileNote, uncounted });
      }
    }
  });
  for (const e of stackTags.elsewhere) {
    scan.findings.push({ rule: 'stack-tags-unmatched', severity: 'info', path: e.path, line: e.line, message: `${e.where} add ${e.keys.join(', ')} to ${e.what}, whose resources are not declared in a template this check can read: not counted` });
  }
}

