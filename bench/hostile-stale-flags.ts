// Hostile inputs for the stale-flags check: what its lexer, call-site and mention patterns, and its
// definition parsers could take super-linear time on. `npm run bench:hostile` times every check on each.
// Lines stay short where the point is the extractor: one enormous line is skipped as minified.
const SDKS = '{"dependencies":{"@openfeature/server-sdk":"1","launchdarkly-node-server-sdk":"7","unleash-client":"6","flagsmith":"3"}}\n';

export function staleFlagsCases(): { name: string; files: Record<string, string> }[] {
  return [
    { name: 'stale-flags: 100k lines of "isEnabled(" without a key or a closing parenthesis', files: { 'package.json': SDKS, 'src/a.ts': 'unleash.isEnabled(\n'.repeat(100_000) } },
    { name: 'stale-flags: 100k lines of quotes (lexer and mentions)', files: { 'package.json': SDKS, 'flags.yaml': 'flags:\n  - key: a\n', 'src/a.ts': `x = 'a' "b" \` 'c\n`.repeat(100_000) } },
    { name: 'stale-flags: one 20,000-character line of quotes', files: { 'package.json': SDKS, 'flags.yaml': 'flags:\n  - key: a\n', 'src/a.ts': `x = ${"'a' ".repeat(5_000)}\nok\n` } },
    { name: 'stale-flags: 100k "{ a," lines before useFlags() (LaunchDarkly destructuring)', files: { 'package.json': SDKS, 'src/a.tsx': `const {\n${'  a,\n'.repeat(100_000)}} = useFlags();\n` } },
    { name: 'stale-flags: useFlags([ with 50k literals (list arguments)', files: { 'package.json': SDKS, 'src/a.ts': `flagsmith.useFlags([\n${"  'k',\n".repeat(50_000)}]);\n` } },
    { name: 'stale-flags: 100k lines of "/*" and "//" inside strings', files: { 'package.json': SDKS, 'src/a.go': 's := "/* // http://x"\n'.repeat(100_000) } },
    { name: 'stale-flags: 100k lines of an unterminated block comment', files: { 'package.json': SDKS, 'src/a.ts': '/*\n' + "ld.variation('x')\n".repeat(100_000) } },
    { name: 'stale-flags: 50k Ruby symbols separated by colons', files: { Gemfile: "gem 'flipper'\n", 'config/flags.yml': 'flags:\n  - key: a\n', 'app/a.rb': ':a:a:a:a:a:a:a:a:a:a:a:a:a:a:a:a:a:a:a:a\n'.repeat(2_500) } },
    { name: 'stale-flags: 10k flags in one flagd JSON file, each called once', files: { 'package.json': SDKS, 'flags.json': JSON.stringify({ flags: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`f${i}`, { state: 'ENABLED', variants: { on: true }, defaultVariant: 'on' }])) }, null, 2), 'src/a.ts': Array.from({ length: 10_000 }, (_, i) => `client.getBooleanValue('f${i}', false);`).join('\n') + '\n' } },
    { name: 'stale-flags: 10k flags in one YAML flag list', files: { 'package.json': SDKS, 'flags.yaml': 'flags:\n' + Array.from({ length: 10_000 }, (_, i) => `  - key: f${i}\n    type: release\n    owner: me\n`).join('') } },
    { name: 'stale-flags: 100k lines of chained assignments and entries (constant bindings)', files: { 'package.json': SDKS, 'src/a.ts': "A = B = C: D => E := 'k' ? F : 'g', @h :i\n".repeat(100_000) } },
    { name: 'stale-flags: 100k lines of colons and type-like words before "=" (typed bindings)', files: { 'package.json': SDKS, 'src/a.py': 'a: b: c: d, e, f, g, h, i, j, k, l, m, n, o, p, q\n'.repeat(100_000) } },
    { name: 'stale-flags: 50k constants, each passed to a call through a flags module', files: { 'package.json': SDKS, 'src/flags.ts': Array.from({ length: 50_000 }, (_, i) => `export const FLAG_${i} = 'flag-${i}';`).join('\n') + '\n', 'src/a.ts': Array.from({ length: 50_000 }, (_, i) => `ld.variation(FLAG_${i}, ctx, false);`).join('\n') + '\n' } },
    { name: 'stale-flags: 100k calls passing a 150-segment member chain', files: { 'package.json': SDKS, 'src/a.ts': `ld.variation(${'a.'.repeat(150)}b, ctx, false);\n`.repeat(20_000) } },
    { name: 'stale-flags: JSON nested 100,000 deep in a flag file', files: { 'flags.json': '['.repeat(100_000) + ']'.repeat(100_000) } },
  ];
}
