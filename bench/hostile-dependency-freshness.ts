// Hostile inputs for the dependency-freshness check: huge lockfiles, very long lines and deep nesting.
// bench/hostile-inputs.ts times them; the check's tests assert they end in a result, never an error.
import type { HostileCase } from './hostile-cost-tags.ts';

const json = (value: unknown) => JSON.stringify(value, null, 2) + '\n';

export function dependencyFreshnessCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  const add = (name: string, files: Record<string, string>) => cases.push({ name, files });
  const n = (count: number) => Array.from({ length: count }, (_, i) => i);

  // A monorepo-sized npm lockfile: 500 workspaces, 30,000 installed packages, deep nesting of installs.
  const packages: Record<string, unknown> = { '': { name: 'mono', workspaces: ['packages/*'], dependencies: Object.fromEntries(n(300).map((i) => [`dep-${i}`, '^1.0.0'])) } };
  for (const w of n(500)) packages[`packages/p${w}`] = { name: `p${w}`, dependencies: Object.fromEntries(n(20).map((i) => [`dep-${(w * 7 + i) % 3000}`, '^1.0.0'])) };
  for (const i of n(30_000)) {
    const nested = i % 3 === 0 ? `node_modules/dep-${i % 3000}/` : '';
    packages[`${nested}node_modules/dep-${i}`] = { version: `1.${i % 50}.0`, resolved: `https://registry.npmjs.org/dep-${i}/-/dep-${i}-1.0.0.tgz`, integrity: 'sha512-x' };
  }
  add('dependency-freshness: package-lock.json with 500 workspaces and 30,000 packages', { 'package-lock.json': json({ lockfileVersion: 3, packages }) });

  // One requirement line of 200,000 characters, and 20,000 lines of pip-compile annotations.
  add('dependency-freshness: 200,000-character requirements line continued over 5,000 hash lines', {
    'requirements.txt': `flask==3.0.3 \\\n${n(5_000).map(() => `    --hash=sha256:${'a'.repeat(64)} \\`).join('\n')}\n    ; python_version >= "${'3'.repeat(200_000)}"\n`,
  });
  add('dependency-freshness: requirements with 20,000 via annotations', { 'requirements.txt': n(20_000).map((i) => `pkg-${i}==1.0.${i}\n    # via\n    #   -r requirements.in\n    #   pkg-${i + 1}`).join('\n') + '\n' });

  // Renovate configuration nested 20,000 levels deep, in JSON5 and in package.json.
  const deep = `{"extends": ["config:recommended"], "x": ${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
  add('dependency-freshness: renovate.json nested 20,000 levels', { 'renovate.json': deep, 'package.json': json({ name: 'x', dependencies: { a: '1.0.0' } }) });
  add('dependency-freshness: renovate.json5 with a 500,000-character string', { 'renovate.json5': `{ description: '${'d'.repeat(500_000)}', extends: ['config:recommended'] }`, 'package.json': json({ dependencies: { a: '1.0.0' } }) });

  // JSON5 that JSON-with-comments cannot read, rewritten line for line to place schema errors: 28,000 errors, each in a oneOf.
  add('dependency-freshness: renovate.json5 with 14,000 rules of the wrong type (1 MB)', { 'renovate.json5': `{\n  extends: ['config:recommended'],\n  packageRules: [\n${n(14_000).map((i) => `    { matchPackageNames: ${i}, enabled: 'no', description: 'rule ${i}' },`).join('\n')}\n  ],\n}\n`, 'package.json': json({ dependencies: { a: '1.0.0' } }) });

  // Line formats at scale.
  add('dependency-freshness: go.mod with 100,000 requirements', { 'go.mod': `module x\n\ngo 1.22\n\nrequire (\n${n(100_000).map((i) => `\tgithub.com/acme/m${i} v1.${i % 90}.0${i % 2 ? ' // indirect' : ''}`).join('\n')}\n)\n` });
  add('dependency-freshness: Gemfile.lock with 50,000 specs', {
    'Gemfile.lock': `GEM\n  remote: https://rubygems.org/\n  specs:\n${n(50_000).map((i) => `    gem${i} (1.${i % 30}.0)\n      gem${i + 1} (>= 1.0)`).join('\n')}\n\nDEPENDENCIES\n${n(5_000).map((i) => `  gem${i * 10}`).join('\n')}\n`,
  });
  add('dependency-freshness: Cargo.lock with 20,000 crates, every one a workspace dependency', {
    'Cargo.lock': `version = 3\n\n[[package]]\nname = "app"\nversion = "0.1.0"\ndependencies = [\n${n(20_000).map((i) => ` "c${i}",`).join('\n')}\n]\n\n${n(20_000).map((i) => `[[package]]\nname = "c${i}"\nversion = "1.0.${i}"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n`).join('\n')}`,
  });
  add('dependency-freshness: Gradle catalog with 20,000 libraries', { 'gradle/libs.versions.toml': `[versions]\nv = "1.0.0"\n\n[libraries]\n${n(20_000).map((i) => `lib${i} = { module = "org.acme:lib${i}", version.ref = "v" }`).join('\n')}\n` });
  add('dependency-freshness: pom.xml with 10,000 dependencies', {
    'pom.xml': `<project>\n  <dependencies>\n${n(10_000).map((i) => `    <dependency><groupId>org.acme</groupId><artifactId>a${i}</artifactId><version>1.${i}</version></dependency>`).join('\n')}\n  </dependencies>\n</project>\n`,
  });
  add('dependency-freshness: TOML arrays nested 20,000 levels in poetry.lock and pyproject.toml', {
    'poetry.lock': `x = ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`,
    'pyproject.toml': `[project]\nname = "x"\ndependencies = ["a==1"]\ny = ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`,
  });
  add('dependency-freshness: pnpm-lock.yaml with 12,000 dependencies in one importer (1 MB)', {
    'pnpm-lock.yaml': `lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n${n(12_000).map((i) => `      dep-${i}:\n        specifier: ^1.0.0\n        version: 1.0.${i}(peer@1.0.0)`).join('\n')}\n`,
  });
  return cases;
}
