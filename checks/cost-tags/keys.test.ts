// The pure parts: key normalisation, three-valued verdicts, and HCL expression evaluation.
import { describe, expect, it } from 'vitest';
import { attributesOf, child, evaluate, fromJson, heredocBody, parseHcl, type Scope, type Value } from './hcl.ts';
import { describeRequirement, judgeKeys, normaliseKey, requirements } from './keys.ts';
import { jsonText, walkValue } from './model.ts';
import { requiredKeys } from './validation.ts';

const keys = (...ks: string[]) => new Map(ks.map((k) => [k, { empty: false }]));

describe('cost-tags keys', () => {
  it('normalises case, separators and a DNS prefix, and nothing else', () => {
    expect(['CostCenter', 'cost-center', 'cost_center', 'Cost Center', 'COST.CENTER'].map((k) => normaliseKey(k))).toEqual(Array(5).fill('costcenter'));
    expect(normaliseKey('acme.com/cost-center', 'label')).toBe('costcenter');
    expect(normaliseKey('cost-centre')).toBe('costcentre'); // a different spelling is an alias, not a normalisation
    expect(normaliseKey('Kostenstelle-Ä')).toBe('kostenstelleä');
  });

  it('tags drop an AWS-style colon namespace and keep a slash; labels drop a prefix ending in a slash', () => {
    expect(normaliseKey('example-inc:cost-allocation:CostCenter')).toBe('costcenter');
    expect(normaliseKey('team/owner')).toBe('teamowner');
    expect(normaliseKey('team/legacy-owner')).toBe('teamlegacyowner');
    expect(normaliseKey('example.com/owner', 'label')).toBe('owner');
    const [owner] = requirements(['owner'], {}, { owner: ['team'] });
    expect(judgeKeys(keys('team/legacy-owner', 'legacy/owner'), undefined, [owner!]).missing).toEqual([owner]);
    expect(judgeKeys(keys('example.com/owner'), undefined, [owner!], 'label').missing).toEqual([]);
  });

  it('requirements accept aliases and alternatives (and the alternatives\' aliases)', () => {
    const [cc, owner] = requirements(['Cost-Center', 'owner'], { costcenter: ['cost-centre'], team: ['squad'] }, { owner: ['team'] });
    expect([...cc!.accepts].sort()).toEqual(['costcenter', 'costcentre']);
    expect([...owner!.accepts].sort()).toEqual(['owner', 'squad', 'team']);
    expect(describeRequirement(owner!)).toBe('owner (or team)');
  });

  it('judges present, missing, empty and unsure keys', () => {
    const reqs = requirements(['cost-center', 'owner', 'environment'], {}, { owner: ['team'] });
    const closed = judgeKeys(new Map([['CostCenter', { empty: false }], ['Team', { empty: false }], ['Environment', { empty: true }]]), undefined, reqs);
    expect(closed).toEqual({ missing: [], unsure: [], empty: [reqs[2]] });
    const open = judgeKeys(keys('cost_center'), 'var.tags', reqs);
    expect(open.unsure.map((r) => r.key)).toEqual(['owner', 'environment']);
    expect(open.missing).toEqual([]);
    // An empty spelling next to a filled one is fine.
    expect(judgeKeys(new Map([['owner', { empty: true }], ['team', { empty: false }], ['cost-center', { empty: false }], ['env', { empty: false }]]), undefined, requirements(['cost-center', 'owner', 'env'], {}, { owner: ['team'] }))).toEqual({ missing: [], unsure: [], empty: [] });
  });
});

describe('cost-tags HCL evaluation', () => {
  const scope = (vars: Record<string, Value>): Scope => ({ lookup: (root, name) => (root === 'var' ? vars[name] : undefined) });
  const evalText = (expr: string, s: Scope = scope({})): Value => {
    const parsed = parseHcl('t.tf', `x = ${expr}\n`);
    if (!parsed.ok) throw new Error(parsed.reason);
    return evaluate(attributesOf(child(parsed.root, 'body')!).get('x'), s);
  };
  const mapKeys = (v: Value): string[] => (v.kind === 'map' ? [...v.entries.keys()] : []);

  it('merge() keeps certain keys and marks what it could not read', () => {
    const v = evalText('merge(var.a, { B = "b" }, { "c-d" = "${var.x}" })');
    expect(mapKeys(v)).toEqual(['B', 'c-d']);
    expect(v.kind === 'map' && v.open).toBe('var.a');
  });

  it('conditionals with an unknown condition keep only keys on both sides', () => {
    const v = evalText('var.prod ? { A = 1, B = 2 } : { A = 3 }');
    expect(mapKeys(v)).toEqual(['A']);
    expect(v.kind === 'map' && v.open).toMatch(/var\.prod/);
    expect(mapKeys(evalText('true ? { A = 1, B = 2 } : {}'))).toEqual(['A', 'B']);
  });

  it('attribute access, index, lookup and templates over known values', () => {
    const vars = { t: evalText('{ team = "x", env = { name = "prod" } }') };
    expect(evalText('var.t.env.name', scope(vars))).toEqual({ kind: 'string', value: 'prod' });
    expect(evalText('var.t["team"]', scope(vars))).toEqual({ kind: 'string', value: 'x' });
    expect(evalText('lookup(var.t, "missing", "d")', scope(vars))).toEqual({ kind: 'string', value: 'd' });
    expect(evalText('"${var.t.team}-${upper("a")}"', scope(vars))).toEqual({ kind: 'string', value: 'x-A' });
    expect(evalText('{ for k, v in var.t : k => v }').kind).toBe('unknown');
  });
});

describe('cost-tags validation conditions', () => {
  const keysOf = (condition: string, name = 'tags'): string[] => {
    const parsed = parseHcl('v.tf', `x = ${condition}\n`);
    if (!parsed.ok) throw new Error(parsed.reason);
    return requiredKeys(attributesOf(child(parsed.root, 'body')!).get('x')!, name);
  };

  it('recognises only conditions that fail when a key is missing', () => {
    expect(keysOf('alltrue([for k in ["A", "B"] : contains(keys(var.tags), k)])')).toEqual(['A', 'B']);
    expect(keysOf('alltrue([for i, k in ["A"] : can(var.tags[k]) && length(var.tags[k]) > 0])')).toEqual(['A']);
    expect(keysOf('(contains(keys(var.tags), "A") && var.x != null) && contains(keys(var.tags), "B")')).toEqual(['A', 'B']);
    expect(keysOf('0 == length(setsubtract(toset(["A"]), keys(var.tags)))')).toEqual(['A']);
    expect(keysOf('contains(keys(var.tags), "A") || contains(keys(var.tags), "B")')).toEqual([]);
    expect(keysOf('!contains(keys(var.tags), "A")')).toEqual([]);
    expect(keysOf('length(setintersection(keys(var.tags), ["A"])) == 0')).toEqual([]);
    expect(keysOf('anytrue([contains(keys(var.tags), "A")])')).toEqual([]);
    expect(keysOf('contains(keys(var.other), "A")')).toEqual([]);
    expect(keysOf('contains(["eu-west-1"], var.region)', 'region')).toEqual([]);
  });
});

describe('cost-tags hostile values', () => {
  it('heredocs: the terminator is dropped and <<- is de-indented, at any size', () => {
    const body = (text: string): string | undefined => {
      const parsed = parseHcl('h.tf', text);
      if (!parsed.ok) throw new Error(parsed.reason);
      return heredocBody(attributesOf(child(parsed.root, 'body')!).get('x')!.children[0]!.children[0]!);
    };
    expect(body('x = <<-EOF\n    a\n      b\n  EOF\n')).toBe('a\n  b');
    expect(body(`x = <<-EOF\n${'  z\n'.repeat(200_000)}  EOF\n`)).toBe(Array(200_000).fill('z').join('\n'));
    expect(body(`x = <<EOF\nkeep\n${' '.repeat(1000)}\nEOF\n`)).toBe(`keep\n${' '.repeat(1000)}`);
  });

  it('values that contain themselves (YAML aliases) are walked once and written without the cycle', () => {
    const a: Record<string, unknown> = { k: 'REQUIRED_TAGS' };
    a.self = a;
    a.list = [a, 'x'];
    const seen: unknown[] = [];
    walkValue(a, (v) => (seen.push(v), true));
    expect(seen.filter((v) => v === a)).toHaveLength(3); // reached three times, expanded once
    expect(jsonText(a)).toBe('{"k":"REQUIRED_TAGS","self":null,"list":[null,"x"]}');
    const shared = { s: 1 };
    expect(jsonText({ a: shared, b: shared })).toBe('{"a":{"s":1},"b":{"s":1}}');
    const v = fromJson(a, { lookup: () => undefined }, 'x.tf.json');
    expect(v.kind === 'map' && v.entries.get('self')).toEqual({ kind: 'unknown', reason: 'a value that contains itself (a YAML alias)' });
  });
});
