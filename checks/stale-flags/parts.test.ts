import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePatterns } from '../../crawler/sources/snapshot.ts';
import type { Commit } from '../contract.ts';
import { parseDefinitionFile, parseRegistry } from './definitions.ts';
import { isTestPath, looksGenerated, looksMinified, NEVER_FETCHED, neverFetched, READS } from './files.ts';
import { indexHistory } from './history.ts';
import { isKeyShaped, keyNormaliser, normaliseKey } from './keys.ts';
import { stripComments } from './lexer.ts';
import { Bindings, buildExtractor, collectBindings, hasArguments, keysFromArguments, scanMentions } from './references.ts';
import { scoreOf, type ScoreParts } from './score.ts';
import { SDK_IDS } from './sdks.ts';

const ALL = new Set(SDK_IDS);
// Two letters at least: `AB` could be one acronym or two one-letter words.
const word = fc.stringMatching(/^[a-z]{2,6}[0-9]{0,2}$/);
const words = fc.array(word, { minLength: 1, maxLength: 5 });
const key = fc.stringMatching(/^[a-z][a-z0-9_.-]{0,30}[a-z0-9]$/).filter(isKeyShaped);

describe('key normaliser', () => {
  it('MY_FLAG, my-flag, my_flag, myFlag and MyFlag are one key', () => {
    fc.assert(
      fc.property(words, (ws) => {
        const kebab = ws.join('-');
        const cap = (w: string) => w[0]!.toUpperCase() + w.slice(1);
        const forms = [kebab, ws.join('_'), ws.join('_').toUpperCase(), ws[0] + ws.slice(1).map(cap).join(''), ws.map(cap).join(''), ws.join(' ')];
        for (const form of forms) expect(normaliseKey(form), form).toBe(kebab);
      }),
    );
    expect(normaliseKey('HTTP2Enabled')).toBe('http2-enabled');
    expect(normaliseKey('newCheckoutFlow')).toBe('new-checkout-flow');
    expect(normaliseKey('checkout.newFlow')).toBe('checkout.new-flow');
  });

  it('is idempotent and yields lower case without underscores or blanks', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        const once = normaliseKey(s);
        expect(normaliseKey(once)).toBe(once);
        expect(once).not.toMatch(/[A-Z_\s]/);
        expect(once.startsWith('-') || once.endsWith('-')).toBe(false);
      }),
    );
  });

  it('resolves aliases in either spelling, and can compare keys exactly', () => {
    const n = keyNormaliser({ normaliseKeys: true, keyAliases: { LEGACY_CHECKOUT: 'newCheckoutFlow' } });
    expect(n('legacy-checkout')).toBe('new-checkout-flow');
    expect(n('legacyCheckout')).toBe('new-checkout-flow');
    const exact = keyNormaliser({ normaliseKeys: false, keyAliases: {} });
    expect(exact('MY_FLAG')).not.toBe(exact('my-flag'));
  });
});

describe('comment lexer', () => {
  it('keeps the length and every line break of any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: fc.constantFrom('a', '/', '*', '#', '"', "'", '`', '\n', ' ', '\\', '=', 'b', 'e', 'g', 'i', 'n') }), fc.constantFrom('a.ts', 'a.py', 'a.rb', 'a.go', 'a.php', 'a.ex', 'a.erb'), (text, path) => {
        const out = stripComments(text, path);
        expect(out.length).toBe(text.length);
        for (let i = 0; i < text.length; i++) if (text[i] === '\n') expect(out[i]).toBe('\n');
      }),
    );
  });

  it('blanks comments but not comment markers inside strings', () => {
    expect(stripComments("const u = 'http://x'; // flag('a')\n/* b */ c('d');", 'a.ts')).toBe(`const u = 'http://x'; ${' '.repeat(12)}\n${' '.repeat(7)} c('d');`);
    expect(stripComments('x = "#{a}" # note\ny = 1', 'a.rb')).toBe('x = "#{a}"       \ny = 1');
    expect(stripComments('=begin\nFeature.enabled?(:a)\n=end\nb', 'a.rb')).toBe('      \n                    \n    \nb');
    expect(stripComments('s = """# not a comment"""  # comment', 'a.py')).toBe('s = """# not a comment"""           ');
  });
});

describe('call-site extractor', () => {
  const calls: [path: string, template: (q: string) => string][] = [
    ['a.ts', (q) => `const v = await client.getBooleanValue(${q}, false);`],
    ['a.tsx', (q) => `const on = useBooleanFlagValue(${q}, false);`],
    ['a.java', (q) => `boolean on = ldClient.boolVariation(${q}, context, false);`],
    ['a.cs', (q) => `var on = await client.GetBooleanValueAsync(${q}, false);`],
    ['a.go', (q) => `v, err := client.BooleanValue(context.Background(), ${q}, false, openfeature.EvaluationContext{})`],
    ['a.go', (q) => `if unleash.IsEnabled(${q}, unleash.WithContext(ctx)) {`],
    ['a.py', (q) => `if unleash_client.is_enabled(${q}, {"userId": uid}):`],
    ['a.py', (q) => `v = client.get_boolean_value(flag_key=${q}, default_value=False)`],
    ['a.rb', (q) => `Flags.client.fetch_boolean_value(flag_key: ${q}, default_value: false)`],
    ['a.rb', (q) => `return unless Feature.enabled?(${q}, project)`],
    ['a.ex', (q) => `if FunWithFlags.enabled?(${q}, for: user), do: :new`],
    ['a.ts', (q) => `const r = await flipt.evaluateBoolean({ entityId: u, flagKey: ${q} });`],
    ['a.kt', (q) => `val on = client.getBooleanValue(key = ${q}, defaultValue = false)`],
    ['a.php', (q) => `$on = $client->getBooleanValue(${q}, false);`],
    ['a.ts', (q) => `const { data } = posthog.isFeatureEnabled(${q});`],
    ['a.ts', (q) => `if (statsig.checkGate(user, ${q})) {}`],
    ['a.ts', (q) => `if (Statsig.checkGate(${q})) {}`],
    ['a.js', (q) => `const t = client.getTreatment('user-1', ${q});`],
    ['a.js', (q) => `const t = client.getTreatment(${q});`],
  ];
  const extractor = buildExtractor(ALL, []);

  it('finds the key of each SDK call, on its line, behind filler lines', () => {
    fc.assert(
      fc.property(key, fc.integer({ min: 0, max: calls.length - 1 }), fc.constantFrom("'", '"'), fc.array(fc.constantFrom('const a = 1;', '', 'x(y)', 'print("hello")'), { maxLength: 6 }), (k, which, quote, filler) => {
        const [path, template] = calls[which]!;
        const code = [...filler, template(`${quote}${k}${quote}`), 'done()'].join('\n');
        const scan = extractor.scan(path, code);
        expect(scan.refs.map((r) => [r.key, r.line])).toEqual([[k, filler.length + 1]]);
      }),
    );
  });

  it('reads no key from commented-out calls', () => {
    fc.assert(
      fc.property(key, (k) => {
        expect(extractor.scan('a.ts', stripComments(`// client.getBooleanValue('${k}', false)\n/* ld.variation('${k}') */`, 'a.ts')).refs).toEqual([]);
        expect(extractor.scan('a.py', stripComments(`# unleash.is_enabled("${k}")`, 'a.py')).refs).toEqual([]);
      }),
    );
  });

  it('never throws on arbitrary text, and every key it reports is key-shaped and on a real line', () => {
    const custom = buildExtractor(ALL, [{ match: '\\bflags\\.on', provider: 'custom' }, { match: "gate\\['([\\w.-]+)'\\]", provider: 'custom' }]);
    fc.assert(
      fc.property(fc.string({ maxLength: 400, unit: fc.constantFrom('i', 's', 'E', 'n', 'a', 'b', 'l', 'e', 'd', '(', ')', "'", '"', ':', ',', '.', '{', '}', '[', ']', ' ', '\n', 'useFlag', 'isEnabled', 'variation', 'flags.on', "gate['", 'Flipper', '?') }), fc.constantFrom('a.ts', 'a.rb', 'a.py', 'a.go'), (text, path) => {
        const scan = custom.scan(path, stripComments(text, path));
        const lineCount = text.split('\n').length;
        for (const r of scan.refs) {
          expect(isKeyShaped(r.key)).toBe(true);
          expect(r.line).toBeGreaterThanOrEqual(1);
          expect(r.line).toBeLessThanOrEqual(lineCount);
        }
      }),
    );
  });

  it('reads computed keys as computed, lists of keys as keys, and custom patterns', () => {
    expect(keysFromArguments("'a' + b, c)", 0)).toBe('dynamic');
    expect(keysFromArguments('`a-${b}`)', 0)).toBe('dynamic');
    expect(keysFromArguments('name)', 0)).toBe('dynamic');
    expect(keysFromArguments("['a', 'b-c'])", 0, { list: true })).toEqual([{ value: 'a', offset: 2 }, { value: 'b-c', offset: 7 }]);
    const custom = buildExtractor(new Set(), [{ match: '\\bflags\\.on', provider: 'internal' }, { match: "gate\\['(?<key>[\\w.-]+)'\\]", provider: 'internal' }]);
    const scan = custom.scan('a.ts', "flags.on('x1');\nif (gate['y2']) {}\nflags.on(name);\nclient.getBooleanValue('z3', false);");
    expect(scan.refs.map((r) => [r.key, r.line, r.provider])).toEqual([['x1', 1, 'internal'], ['y2', 2, 'internal']]);
    expect(scan.dynamic).toBe(1);
  });

  it('reads LaunchDarkly React flags destructured from useFlags(), and GitLab frontend flags', () => {
    const scan = buildExtractor(ALL, []).scan('a.tsx', "import { useFlags } from 'launchdarkly-react-client-sdk';\nconst { newCheckout, darkMode: dark, ...rest } = useFlags();\nif (gon.features.fastSearch) {}");
    expect(scan.refs.map((r) => [r.key, r.line, r.provider])).toEqual([['newCheckout', 2, 'launchdarkly'], ['darkMode', 2, 'launchdarkly'], ['fastSearch', 3, 'gitlab']]);
    // A hook of the project's own that is also called useFlags (a developer console) returns no LaunchDarkly keys.
    const local = buildExtractor(ALL, []).scan('b.tsx', "import { useFlags } from './useFlags';\nconst { flags, resetAll, enableAll } = useFlags();\n");
    expect(local.refs).toEqual([]);
  });

  it('takes a call for a flag only with the arguments and the receiver the SDK uses', () => {
    const code = [
      "menu.variation('size-large');", // LaunchDarkly always passes a default too
      "ldClient.variation('ld-key', false);",
      "const v = useFlag('unleash-hook');", // OpenFeature's useFlag needs a default: this is Unleash's
      "const w = useFlag('of-hook', false);",
      "logger.isEnabled('debug');", // not a flag client
      "unleash.isEnabled('unleash-key');",
      "isEnabled('plain-call');",
      "form.getValue('email');",
      "flagsmith.getValue('flagsmith-key');",
      'feature.isEnabled();', // no argument: no key and nothing computed
      "abTest.variation('Header text', 1);", // a sentence is no key
    ].join('\n');
    const scan = extractor.scan('a.ts', code);
    expect(scan.refs.map((r) => [r.key, r.provider])).toEqual([
      ['ld-key', 'launchdarkly'],
      ['unleash-hook', 'unleash'],
      ['of-hook', 'openfeature'],
      ['unleash-key', 'unleash'],
      ['plain-call', 'unleash'],
      ['flagsmith-key', 'flagsmith'],
    ]);
    expect(scan.dynamic).toBe(0);
  });

  it('counts arguments at the top level only, within a window', () => {
    expect(hasArguments("'a', { b: 1, c: [2, 3] })", 0, 2)).toBe(true);
    expect(hasArguments("'a', )", 0, 2)).toBe(false);
    expect(hasArguments("f('a', 'b'))", 0, 2)).toBe(false);
    expect(hasArguments(')', 0, 1)).toBe(false);
    expect(hasArguments('  )', 0, 0)).toBe(true);
    expect(keysFromArguments(')', 0)).toBe('none');
    expect(keysFromArguments("'Header text', 1)", 0)).toBe('none');
    expect(keysFromArguments('"#{name}_flag")', 0)).toBe('dynamic');
  });
});

describe('mentions', () => {
  it('finds string literals, symbols and symbol keys that the predicate accepts, on their lines', () => {
    const code = ["before do", "  stub_feature_flags(new_checkout: false)", "  x = :new_checkout", "  y = 'new_checkout'", "  z = { other_key: 1 }", 'end'].join('\n');
    const wanted = (k: string, symbol: boolean) => k === 'new_checkout' && (symbol || k.length > 0);
    expect(scanMentions('spec/a_spec.rb', code, wanted).map((r) => [r.key, r.line])).toEqual([['new_checkout', 4], ['new_checkout', 3], ['new_checkout', 2]]);
    // Symbols mean nothing in TypeScript: `a ? b :new_checkout` is no symbol.
    expect(scanMentions('a.ts', 'const a = b ? c :new_checkout;\nconst o = { new_checkout: 1 };', wanted)).toEqual([]);
    // The predicate is told a symbol from a string, so one-word keys can refuse symbols.
    expect(scanMentions('a.rb', "before_action :search\nq = 'search'", (k, symbol) => k === 'search' && !symbol).map((r) => r.line)).toEqual([2]);
  });
});

describe('keys passed through constants', () => {
  const CONST = fc.stringMatching(/^[A-Z][A-Z0-9]{0,8}(_[A-Z0-9]{1,8}){0,3}$/);
  // A flags module in each language, and a call in another file passing the constant.
  const modules: [definer: string, bind: (name: string, key: string) => string, caller: string, call: (ref: string) => string, ref: (name: string) => string][] = [
    ['src/flags.ts', (n, k) => `export const ${n} = '${k}';`, 'src/a.ts', (r) => `ld.variation(${r}, ctx, false);`, (n) => n],
    ['src/flags.ts', (n, k) => `export const FLAGS = {\n  ${n}: '${k}',\n} as const;`, 'src/a.ts', (r) => `client.getBooleanValue(${r}, false);`, (n) => `FLAGS.${n}`],
    ['src/flags.ts', (n, k) => `export enum Flag {\n  ${n} = "${k}",\n}`, 'src/a.tsx', (r) => `const on = useBooleanFlagValue(${r}, false);`, (n) => `Flag.${n}`],
    ['app/feature_flags.py', (n, k) => `class Flags:\n    ${n}: Final = "${k}"`, 'app/views.py', (r) => `if ld_client.variation(${r}, ctx, False):`, (n) => `Flags.${n}`],
    ['lib/flags.rb', (n, k) => `module Flags\n  ${n} = '${k}'.freeze\nend`, 'app/a.rb', (r) => `Flipper.enabled?(${r}, user)`, (n) => `Flags::${n}`],
    ['internal/flags/flags.go', (n, k) => `package flags\n\nconst (\n\t${n[0]}${n.slice(1).toLowerCase().replace(/_/g, '')} Key = "${k}"\n)`, 'cmd/main.go', (r) => `on, _ := client.BoolVariation(${r}, ctx, false)`, (n) => `flags.${n[0]}${n.slice(1).toLowerCase().replace(/_/g, '')}`],
    ['src/main/java/FeatureFlags.java', (n, k) => `public final class FeatureFlags {\n  public static final String ${n} = "${k}";\n}`, 'src/main/java/A.java', (r) => `boolean on = ldClient.boolVariation(${r}, context, false);`, (n) => `FeatureFlags.${n}`],
  ];
  const extractor = buildExtractor(ALL, []);

  it('resolves a constant bound in a flags module to its key, at the call site, and names the binding', () => {
    fc.assert(
      fc.property(key, CONST, fc.integer({ min: 0, max: modules.length - 1 }), (k, name, which) => {
        const [definer, bind, caller, call, ref] = modules[which]!;
        const bindings = new Bindings();
        const defining = stripComments(bind(name, k), definer);
        bindings.add(definer, collectBindings(definer, defining));
        const code = stripComments(`// calls\n${call(ref(name))}\n`, caller);
        const scan = extractor.scan(caller, code, bindings.resolverFor(caller));
        const line = defining.split('\n').findIndex((l) => l.includes(`'${k}'`) || l.includes(`"${k}"`)) + 1;
        expect(scan.refs.map((r) => [r.key, r.path, r.line, r.kind])).toEqual([
          [k, caller, 2, 'call'],
          [k, definer, line, 'mention'],
        ]);
        expect(scan.dynamic).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('does not guess: names bound to different keys, constants of other modules, parameters and ternaries stay computed', () => {
    const bindings = new Bindings();
    const add = (path: string, code: string) => bindings.add(path, collectBindings(path, stripComments(code, path)));
    add('src/a-flags.ts', "export const TWICE = 'one-key';");
    add('src/b-flags.ts', "export const TWICE = 'other-key';");
    add('src/logging.ts', "export const DEBUG = 'debug-level';");
    add('src/c.ts', "const pick = enabled ? OTHER : 'not-bound';\nif (x == 'not-bound-either') {}\nconst call = { method: 'POST' };");
    const code = ['ld.variation(TWICE, ctx, false);', 'logger.variation(Level.DEBUG, ctx, 1);', 'ld.variation(OTHER, ctx, false);', 'ld.variation(method, ctx, false);', 'ld.variation(x, ctx, false);'].join('\n');
    const scan = extractor.scan('src/c.ts', code, bindings.resolverFor('src/c.ts'));
    expect(scan.refs).toEqual([]);
    expect(scan.dynamic).toBe(5);
    expect(collectBindings('src/c.ts', "const pick = enabled ? OTHER : 'not-bound';").map((b) => b.name)).toEqual([]);
  });

  it('reads Elixir module attributes and Go typed constants by their own names', () => {
    expect(collectBindings('lib/a.ex', '  @flag :new_search\n  @other "x-y"\n').map((b) => [b.name, b.binding.value, b.binding.line])).toEqual([['@flag', 'new_search', 1], ['@other', 'x-y', 2]]);
    expect(collectBindings('a.go', 'const (\n\tNewUI Key = "new-ui"\n\tOld = "old"\n)\nconst Typed string = "typed"\n').map((b) => [b.name, b.binding.value])).toEqual([['NewUI', 'new-ui'], ['Old', 'old'], ['Typed', 'typed']]);
  });
});

describe('definition formats', () => {
  it('milestones as written: 16.10 is not the number 16.1', () => {
    const gitlab = parseDefinitionFile('config/feature_flags/beta/m.yml', 'name: m\ntype: beta\nmilestone: 16.10\n').definitions[0];
    expect(gitlab?.milestone).toBe('16.10');
    const list = parseDefinitionFile('flags.yaml', 'flags:\n  - key: a\n    milestone: 17.0\n  - key: b\n    metadata:\n      milestone: "16.1"\n').definitions;
    expect(list.map((d) => d.milestone)).toEqual(['17.0', '16.1']);
  });

  it('GitLab YAML: name, type, group as owner, milestone, default_enabled', () => {
    const { definitions, problems } = parseDefinitionFile('config/feature_flags/beta/my_flag.yml', '---\nname: my_flag\nfeature_issue_url:\nintroduced_by_url: https://x/1\nrollout_issue_url:\nmilestone: "16.5"\ngroup: group::import\ntype: beta\ndefault_enabled: true\n');
    expect(problems).toEqual([]);
    expect(definitions).toEqual([
      { key: 'my_flag', path: 'config/feature_flags/beta/my_flag.yml', line: 2, format: 'gitlab', providers: ['gitlab'], ownFile: true, type: 'beta', owner: 'group::import', created: undefined, expires: undefined, milestone: '16.5', rollout: { static: true, detail: 'default_enabled: true', served: 'on' }, notAFlag: undefined },
    ]);
  });

  it('flagd: set-level owner, targeting decides whether a flag is static', () => {
    const text = JSON.stringify({ metadata: { owner: 'web' }, flags: { a: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on', targeting: {} }, b: { state: 'DISABLED', variants: { on: true }, defaultVariant: 'on' }, c: { state: 'ENABLED', variants: { x: 'x', y: 'y' }, defaultVariant: 'x', targeting: { fractional: [['x', 50], ['y', 50]] }, metadata: { type: 'experiment', created: '2026-01-02' } } } }, null, 1);
    const defs = parseDefinitionFile('flags.json', text).definitions;
    expect(defs.map((d) => [d.key, d.format, d.owner, d.type, d.created, d.rollout?.static, d.rollout?.served])).toEqual([
      ['a', 'flagd', 'web', undefined, undefined, true, 'on'],
      ['b', 'flagd', 'web', undefined, undefined, true, 'off'],
      ['c', 'flagd', 'web', 'experiment', '2026-01-02', false, undefined],
    ]);
  });

  it('flag lists as maps and lists, with dates checked', () => {
    const { definitions, problems } = parseDefinitionFile('config/toggles.yaml', 'toggles:\n  a:\n    kind: ops\n    team: sre\n    expires: 2027-01-01\n  b:\n    created: last tuesday\n    rollout: 100\n');
    expect(definitions.map((d) => [d.key, d.format, d.type, d.owner, d.expires, d.rollout?.detail])).toEqual([
      ['a', 'flag-list', 'ops', 'sre', '2027-01-01', undefined],
      ['b', 'flag-list', undefined, undefined, undefined, 'rollout: 100%'],
    ]);
    expect(problems).toEqual([{ path: 'config/toggles.yaml', line: 6, message: 'flag "b": creation date "last tuesday" is not a date (YYYY-MM-DD); it is ignored' }]);
  });

  it('a top-level "features" map (an entitlement matrix) is not read as flags; licensing locations are not flags', () => {
    expect(parseDefinitionFile('config/features.yml', 'features:\n  sso: [enterprise]\n').definitions).toEqual([]);
    expect(parseDefinitionFile('config/licensing/flags.yml', 'flags:\n  - key: sso\n').definitions[0]?.notAFlag).toBe('it lives in config/licensing/flags.yml, a licensing/entitlement location');
  });

  it('registries: named groups for key, type, owner, constant', () => {
    const problems: unknown[] = [];
    const defs = parseRegistry('lib/flags.rb', "FLAGS = {\n  new_ui: { type: :release, owner: 'web' },\n  'bad key': {},\n}\n", { files: 'lib/flags.rb', pattern: "^\\s*'?(?<key>[\\w ]+)'?: \\{(?: type: :(?<type>\\w+), owner: '(?<owner>\\w+)')?", providers: ['*'] }, (p) => problems.push(p));
    expect(defs.map((d) => [d.key, d.line, d.type, d.owner])).toEqual([['new_ui', 2, 'release', 'web']]);
    expect(problems).toEqual([{ path: 'lib/flags.rb', line: 3, message: 'registry pattern matched "bad key", which is not a flag key; it is ignored' }]);
  });

  it('never throws, whatever the text or the JSON shape', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.constantFrom('flags.json', 'flags.yaml', 'config/feature_flags/x.yml', 'features.yml'), (text, path) => {
        expect(() => parseDefinitionFile(path, text)).not.toThrow();
      }),
    );
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.constantFrom('flags', 'toggles', 'featureFlags'), (value, listKey) => {
        const result = parseDefinitionFile('flags.json', JSON.stringify({ [listKey]: value }));
        for (const d of result.definitions) expect(isKeyShaped(d.key)).toBe(true);
      }),
    );
  });
});

describe('history index', () => {
  const c = (oid: string, date: string, message: string, files: Commit['files']): Commit => ({ oid: oid.padEnd(40, '0'), date, authorName: 'a', message, files });
  // Newest first, as snapshots hold them.
  const commits = [
    c('e', '2026-05-01T00:00:00Z', 'chore: recreate', [{ path: 'gone.ts', change: 'A' }]),
    c('d', '2026-04-01T00:00:00Z', 'chore: delete', [{ path: 'gone.ts', change: 'D' }]),
    c('c', '2026-03-01T00:00:00Z', 'feat: enable Beta_Search for all', [{ path: 'src/renamed.ts', change: 'M' }]),
    c('b', '2026-02-01T00:00:00Z', 'refactor: rename', [{ path: 'src/renamed.ts', change: 'R', previousPath: 'src/old.ts' }]),
    c('a', '2026-01-01T00:00:00Z', 'feat: beta-search toggle', [{ path: 'src/old.ts', change: 'A' }, { path: 'gone.ts', change: 'A' }, { path: 'old-readme.md', change: 'M' }]),
  ];
  const index = indexHistory({ commits, complete: true }, [], new Set(['beta-search']), normaliseKey);

  it('follows renames, restarts after a deletion, and knows files that predate the history', () => {
    expect(index.firstSeen('src/renamed.ts')).toEqual({ date: '2026-01-01T00:00:00Z', oid: 'a'.padEnd(40, '0'), added: true });
    expect(index.firstSeen('src/old.ts')).toBeUndefined();
    expect(index.firstSeen('gone.ts')?.date).toBe('2026-05-01T00:00:00Z');
    expect(index.firstSeen('old-readme.md')?.added).toBe(false);
    expect(index.lastTouched('src/renamed.ts')).toBe('2026-03-01T00:00:00Z');
    expect(index.oldest).toBe('2026-01-01T00:00:00Z');
  });

  it('records mentions of known keys, in any spelling, oldest first, with paths as named at the head', () => {
    expect(index.mentions('beta-search').map((m) => [m.ref, m.paths])).toEqual([
      ['a000000', ['src/renamed.ts', 'gone.ts', 'old-readme.md']],
      ['c000000', ['src/renamed.ts']],
    ]);
    expect(index.mentions('toggle')).toEqual([]);
  });

  it('adds merged pull requests, not open or closed ones', () => {
    const pr = (number: number, state: 'merged' | 'open' | 'closed') => ({ number, title: 'beta-search', body: '', state, mergedAt: state === 'merged' ? '2026-06-01T00:00:00Z' : null, createdAt: '2026-05-30T00:00:00Z', author: 'x', files: ['src/renamed.ts'] });
    const withPrs = indexHistory({ commits, complete: true }, [pr(1, 'merged'), pr(2, 'open'), pr(3, 'closed')], new Set(['beta-search']), normaliseKey);
    expect(withPrs.mentions('beta-search').map((m) => m.ref)).toEqual(['a000000', 'c000000', '#1']);
  });
});

describe('score', () => {
  const parts = fc.record({
    judged: fc.nat(50),
    stale: fc.nat(50),
    aging: fc.nat(50),
    definitions: fc.nat(50),
    untyped: fc.nat(60),
    unowned: fc.nat(60),
    typePenalty: fc.double({ min: 0, max: 10, noNaN: true }),
    ownerPenalty: fc.double({ min: 0, max: 10, noNaN: true }),
    unknown: fc.nat(50),
    floorWithoutStale: fc.option(fc.double({ min: 0, max: 10, noNaN: true }), { nil: undefined }),
  });

  it('stays within 0–10 for any counts and penalties', () => {
    fc.assert(
      fc.property(parts, (p: ScoreParts) => {
        const s = scoreOf(p);
        expect(Number.isFinite(s)).toBe(true);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(10);
      }),
    );
  });

  it('never rises when a judged flag turns aging or stale, and is 10 with none and every definition typed and owned', () => {
    fc.assert(
      fc.property(parts, (p: ScoreParts) => {
        const stale = Math.min(p.stale, p.judged);
        const aging = Math.min(p.aging, p.judged - stale);
        const unknown = Math.min(p.unknown ?? 0, p.judged - stale - aging);
        const base = { ...p, stale, aging, unknown };
        if (stale + aging + unknown < p.judged) {
          expect(scoreOf({ ...base, aging: aging + 1 })).toBeLessThanOrEqual(scoreOf(base));
          expect(scoreOf({ ...base, stale: stale + 1 })).toBeLessThanOrEqual(scoreOf({ ...base, aging: aging + 1 }));
        }
        // A stale permanent flag joins the judged ones: still never higher.
        expect(scoreOf({ ...base, judged: p.judged + 1, stale: stale + 1 })).toBeLessThanOrEqual(scoreOf(base));
        expect(scoreOf({ ...base, stale: 0, aging: 0, unknown: 0, untyped: 0, unowned: 0 })).toBe(10);
      }),
    );
  });

  it('gives partial credit: a quarter stale is 7, half stale is 4, all stale is 2; one stale flag of one is 4', () => {
    const none = { definitions: 0, untyped: 0, unowned: 0, typePenalty: 0.5, ownerPenalty: 0.5 };
    expect(scoreOf({ ...none, judged: 39, stale: 10, aging: 0 })).toBe(7);
    expect(scoreOf({ ...none, judged: 19, stale: 10, aging: 0 })).toBe(4);
    expect(scoreOf({ ...none, judged: 9, stale: 9, aging: 0 })).toBe(2.4);
    expect(scoreOf({ ...none, judged: 1, stale: 1, aging: 0 })).toBe(4);
    // Aging flags weigh 0.4 of a stale one: two of three aging is a warning, not a failure.
    expect(scoreOf({ ...none, judged: 3, stale: 0, aging: 2 })).toBe(7.6);
    expect(scoreOf({ ...none, judged: 4, stale: 1, aging: 0, definitions: 4, untyped: 2, unowned: 0 })).toBe(7.4); // 7.6 − 0.25
    // Flags of unknown age weigh 0.3 of a stale one (experts dating them found them mostly old): four of four is a 7.1, a warning.
    expect(scoreOf({ ...none, judged: 4, stale: 0, aging: 0, unknown: 4 })).toBe(7.1);
    // Age alone never fails: every flag old is still the warning line.
    expect(scoreOf({ ...none, judged: 10, stale: 0, aging: 10, definitions: 10, untyped: 10, unowned: 10 })).toBe(4.6);
    expect(scoreOf({ ...none, judged: 10, stale: 0, aging: 10, definitions: 10, untyped: 10, unowned: 10, floorWithoutStale: 5 })).toBe(5);
    expect(scoreOf({ ...none, judged: 10, stale: 1, aging: 9, definitions: 10, untyped: 10, unowned: 10, floorWithoutStale: 5 })).toBe(4);
  });
});

describe('files', () => {
  const reads = compilePatterns(READS);
  it('fetches sources, manifests and flag files, never dependency trees or minified bundles', () => {
    for (const p of ['src/a.ts', 'app/models/x.rb', 'cmd/main.go', 'lib/b.ex', 'Gemfile', 'go.mod', 'package.json', 'requirements-dev.txt', 'config/feature_flags/beta/x.yml', 'flags.json', 'deploy/flagd/app.json', 'flipt/features.yml', 'prod.features.yaml', 'config/Toggles.yaml', 'config/settings.yml', 'config/settings/production.yml', 'appsettings.json', 'terraform/prod.tfvars', 'infra/variables.tf', 'deploy/production.env', 'charts/app/values-production.yaml', 'apps/api/prod.yaml', 'src/lib.rs', 'scripts/deploy.sh', 'app/views/page.njk']) expect(reads(p), p).toBe(true);
    for (const p of ['node_modules/x/index.js', 'vendor/github.com/a/b.go', 'pkg/vendor/a.go', 'web/node_modules/x/package.json', 'third_party/x.py', 'public/app.min.js', 'README.md', 'docs/guide.yml', 'dist/flags.json', 'web/build/static/js/main.js', '.yarn/releases/yarn-4.cjs', 'deps/fun_with_flags/lib/a.ex', 'Gemfile.lock', 'package-lock.json', 'yarn.lock', 'go.sum']) expect(reads(p), p).toBe(false);
    // Whole directory names only: a directory that merely starts like one is application code.
    for (const p of ['app/models/vendors/payout.rb', 'app/vendor_payments/a.rb', 'node_modules_backup/a.js', 'src/distribution/a.ts', 'src/builders/a.ts', 'src/outbox/a.ts', 'lib/generators/a.rb', 'src/targeting/flags.json']) expect(reads(p), p).toBe(true);
  });

  it('never-fetched names are whole segments, and none starts another (the glob would let the longer back in)', () => {
    for (const a of NEVER_FETCHED) for (const b of NEVER_FETCHED) if (a !== b) expect(b.startsWith(a), `${a} / ${b}`).toBe(false);
    fc.assert(
      fc.property(fc.constantFrom(...NEVER_FETCHED), fc.stringMatching(/^[a-z]{1,8}$/), fc.stringMatching(/^[a-z]{1,6}$/), (dir, parent, tail) => {
        expect(reads(`${parent}/${dir}/${tail}.ts`)).toBe(false);
        expect(neverFetched(`${parent}/${dir}/${tail}.ts`)).toBe(true);
        expect(reads(`${parent}/${dir}${tail}/x.ts`)).toBe(!neverFetched(`${parent}/${dir}${tail}/x.ts`));
      }),
    );
  });

  it('tells tests, generated and minified files', () => {
    for (const p of ['spec/a_spec.rb', 'src/a.test.ts', 'pkg/a_test.go', 'tests/test_a.py', 'src/__tests__/a.tsx', 'src/Button.stories.tsx', 'cypress/e2e/a.cy.ts', 'spec/fixtures/flags.rb', 'e2e/checkout.e2e.ts']) expect(isTestPath(p), p).toBe(true);
    for (const p of ['src/attest.ts', 'app/contest.rb', 'src/latest.go']) expect(isTestPath(p), p).toBe(false);
    expect(looksGenerated('// Code generated by protoc-gen-go. DO NOT EDIT.\npackage x\n')).toBe(true);
    expect(looksGenerated('package x\n\n// a comment that mentions generated code\n')).toBe(false);
    expect(looksMinified('a'.repeat(5000))).toBe(true);
    expect(looksMinified('const a = 1;\n'.repeat(500))).toBe(false);
  });
});
