// The pure parts: key normalisation, three-valued verdicts, and HCL expression evaluation.
import { describe, expect, it } from 'vitest';
import { attributesOf, child, evaluate, parseHcl, type Scope, type Value } from './hcl.ts';
import { describeRequirement, judgeKeys, normaliseKey, requirements } from './keys.ts';

const keys = (...ks: string[]) => new Map(ks.map((k) => [k, { empty: false }]));

describe('cost-tags keys', () => {
  it('normalises case, separators and a DNS prefix, and nothing else', () => {
    expect(['CostCenter', 'cost-center', 'cost_center', 'Cost Center', 'COST.CENTER', 'acme.com/cost-center'].map(normaliseKey)).toEqual(Array(6).fill('costcenter'));
    expect(normaliseKey('cost-centre')).toBe('costcentre'); // a different spelling is an alias, not a normalisation
    expect(normaliseKey('Kostenstelle-Ä')).toBe('kostenstelleä');
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
