// Every lockfile and manifest format: what is direct, what is transitive, exact versions and lines, and
// malformed input that must become a finding naming the file, never an exception.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DependencySource, ReadContext } from './model.ts';
import { parsePackageJsonManifest, parsePackageLock, parsePnpmLock, parseYarnLock } from './parsers/npm.ts';
import { parseCargoLock, parseCargoTomlManifest, parseGemfileLock, parseGemfileManifest, parseGoMod, parseGradleCatalog, parsePom, parseTerraformLock } from './parsers/other.ts';
import { parsePipfileLock, parsePipfileManifest, parsePoetryLock, parsePyprojectManifest, parseRequirements, parseUvLock } from './parsers/python.ts';

const json = (value: unknown) => JSON.stringify(value, null, 2) + '\n';
const ctxOf = (files: Record<string, string> = {}): ReadContext => ({ text: (p) => files[p], paths: Object.keys(files) });

/** name@version of the direct dependencies, sorted, with a marker for those never dated. */
function direct(source: DependencySource): string[] {
  return source.dependencies
    .filter((d) => d.direct)
    .map((d) => `${d.name}@${d.version}${d.notDatable ? ' (not datable)' : ''}`)
    .sort();
}

function lineOf(source: DependencySource, name: string): number | undefined {
  return source.dependencies.find((d) => d.name === name)?.line;
}

function expectFailure(source: DependencySource, pattern: RegExp): void {
  expect(source.ok).toBe(false);
  expect(source.findings.some((f) => f.path === source.path && pattern.test(f.message)), JSON.stringify(source.findings)).toBe(true);
}

// ---------------------------------------------------------------------------------------------
describe('package-lock.json', () => {
  const lock = (lockfileVersion: number) =>
    json({
      name: 'mono',
      version: '1.0.0',
      lockfileVersion,
      requires: true,
      packages: {
        '': { name: 'mono', version: '1.0.0', workspaces: ['packages/*'], dependencies: { lodash: '^4.17.20', gitdep: 'github:acme/gitdep' }, devDependencies: { typescript: '^5.4.0' } },
        'node_modules/@acme/web': { resolved: 'packages/web', link: true },
        'node_modules/gitdep': { version: '1.0.0', resolved: 'git+ssh://git@github.com/acme/gitdep.git#0123abc' },
        'node_modules/left-pad': { name: '@acme/left-pad', version: '1.0.2', resolved: 'https://registry.npmjs.org/@acme/left-pad/-/left-pad-1.0.2.tgz', integrity: 'sha512-a' },
        'node_modules/lodash': { version: '4.17.21', resolved: 'https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz', integrity: 'sha512-b' },
        'node_modules/loose-envify': { version: '1.4.0', resolved: 'https://registry.npmjs.org/loose-envify/-/loose-envify-1.4.0.tgz', integrity: 'sha512-c' },
        'node_modules/typescript': { version: '5.4.5', resolved: 'https://registry.npmjs.org/typescript/-/typescript-5.4.5.tgz', dev: true, integrity: 'sha512-d' },
        'packages/web': { name: '@acme/web', version: '0.1.0', dependencies: { react: '^18.2.0', 'left-pad': 'npm:@acme/left-pad@^1.0.0', lodash: '^4.17.0' } },
        'packages/web/node_modules/react': { version: '18.2.0', resolved: 'https://registry.npmjs.org/react/-/react-18.2.0.tgz', dependencies: { 'loose-envify': '^1.1.0' }, integrity: 'sha512-e' },
      },
    });

  it.each([2, 3])('reads lockfileVersion %i: root and workspace dependencies are direct, nested installs resolve, aliases use the real name', (v) => {
    const source = parsePackageLock('package-lock.json', lock(v), ctxOf());
    expect(source.ok).toBe(true);
    expect(source.label).toBe(`package-lock.json (lockfileVersion ${v})`);
    expect(direct(source)).toEqual(['@acme/left-pad@1.0.2', 'gitdep@1.0.0 (not datable)', 'lodash@4.17.21', 'react@18.2.0', 'typescript@5.4.5']);
    expect(source.transitiveCount).toBe(1); // loose-envify
    expect(source.importerDirs).toEqual(['', 'packages/web']);
    const text = lock(v);
    expect(lineOf(source, 'react')).toBe(text.split('\n').findIndex((l) => l.includes('"packages/web/node_modules/react"')) + 1);
  });

  it('reads lockfileVersion 1 with package.json saying what is direct', () => {
    const v1 = json({
      name: 'old',
      lockfileVersion: 1,
      dependencies: {
        express: { version: '4.17.1', resolved: 'https://registry.npmjs.org/express/-/express-4.17.1.tgz', requires: { debug: '2.6.9' }, dependencies: { debug: { version: '2.6.9' } } },
        ms: { version: '2.0.0', resolved: 'https://registry.npmjs.org/ms/-/ms-2.0.0.tgz' },
      },
    });
    const source = parsePackageLock('app/package-lock.json', v1, ctxOf({ 'app/package.json': json({ dependencies: { express: '^4.17.0' } }) }));
    expect(direct(source)).toEqual(['express@4.17.1']);
    expect(source.transitiveCount).toBe(2);
  });

  it('reports truncated JSON, merge conflicts and unknown versions as findings on the file', () => {
    expectFailure(parsePackageLock('package-lock.json', lock(3).slice(0, 200), ctxOf()), /not valid JSON/);
    expectFailure(parsePackageLock('package-lock.json', `{\n<<<<<<< HEAD\n  "lockfileVersion": 3\n=======\n>>>>>>> main\n}`, ctxOf()), /merge conflict/);
    expectFailure(parsePackageLock('package-lock.json', json({ lockfileVersion: 9 }), ctxOf()), /lockfileVersion 9/);
    expectFailure(parsePackageLock('package-lock.json', '[1, 2]', ctxOf()), /not an object/);
  });

  it('says when a declared dependency is missing from the lockfile', () => {
    const text = json({ lockfileVersion: 3, packages: { '': { dependencies: { chalk: '^5.0.0' } } } });
    const source = parsePackageLock('package-lock.json', text, ctxOf());
    expect(source.dependencies).toEqual([]);
    expect(source.findings).toEqual([{ rule: 'lockfile-out-of-date', severity: 'low', path: 'package-lock.json', message: '1 declared dependency is missing from the lockfile (run npm install and commit it): chalk' }]);
  });
});

// ---------------------------------------------------------------------------------------------
describe('yarn.lock', () => {
  const v1 = [
    '# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.',
    '# yarn lockfile v1',
    '',
    '',
    '"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.22.0":',
    '  version "7.24.2"',
    '  resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.24.2.tgz#abc"',
    '  integrity sha512-a',
    '  dependencies:',
    '    picocolors "^1.0.0"',
    '',
    'picocolors@^1.0.0:',
    '  version "1.0.1"',
    '  resolved "https://registry.yarnpkg.com/picocolors/-/picocolors-1.0.1.tgz#def"',
    '',
    'react@^18.2.0:',
    '  version "18.3.1"',
    '  resolved "https://registry.yarnpkg.com/react/-/react-18.3.1.tgz#123"',
    '',
    '"string-width-cjs@npm:string-width@^4.2.0":',
    '  version "4.2.3"',
    '  resolved "https://registry.yarnpkg.com/string-width/-/string-width-4.2.3.tgz#456"',
    '',
  ].join('\n');

  it('reads v1 with package.json and its workspaces for the direct dependencies', () => {
    const files = {
      'package.json': json({ name: 'root', private: true, workspaces: ['packages/*'], devDependencies: { '@babel/code-frame': '^7.22.0' } }),
      'packages/ui/package.json': json({ name: '@acme/ui', dependencies: { react: '^18.2.0', 'string-width-cjs': 'npm:string-width@^4.2.0', '@acme/core': '*' } }),
      'packages/core/package.json': json({ name: '@acme/core' }),
    };
    const source = parseYarnLock('yarn.lock', v1, ctxOf(files));
    expect(source.ok).toBe(true);
    expect(source.label).toBe('yarn.lock (v1)');
    expect(direct(source)).toEqual(['@babel/code-frame@7.24.2', 'react@18.3.1', 'string-width@4.2.3']);
    expect(source.transitiveCount).toBe(1);
    expect(source.importerDirs.sort()).toEqual(['', 'packages/core', 'packages/ui']);
    expect(lineOf(source, 'react')).toBe(16);
  });

  it('cannot tell direct dependencies of a v1 lockfile without package.json, and says so', () => {
    const source = parseYarnLock('yarn.lock', v1, ctxOf());
    expectFailure(source, /do not record which dependencies are direct/);
    expect(source.dependencies).toEqual([]);
  });

  const berry = [
    '# This file is generated by running "yarn install" inside your project.',
    '# Manual changes might be lost - proceed with caution!',
    '',
    '__metadata:',
    '  version: 8',
    '  cacheKey: 10c0',
    '',
    '"lodash@npm:^4.17.21":',
    '  version: 4.17.21',
    '  resolution: "lodash@npm:4.17.21"',
    '  checksum: 10c0/abc',
    '  languageName: node',
    '  linkType: hard',
    '',
    '"resolve@patch:resolve@npm%3A^1.22.0#optional!builtin<compat/resolve>":',
    '  version: 1.22.8',
    '  resolution: "resolve@patch:resolve@npm%3A1.22.8#optional!builtin<compat/resolve>::version=1.22.8&hash=c3c19d"',
    '  dependencies:',
    '    is-core-module: "npm:^2.13.0"',
    '  languageName: node',
    '  linkType: hard',
    '',
    '"is-core-module@npm:^2.13.0":',
    '  version: 2.13.1',
    '  resolution: "is-core-module@npm:2.13.1"',
    '  languageName: node',
    '  linkType: hard',
    '',
    '"mylib@github:acme/mylib#main":',
    '  version: 0.0.1',
    '  resolution: "mylib@https://github.com/acme/mylib.git#commit=0123"',
    '  languageName: node',
    '  linkType: hard',
    '',
    '"root@workspace:.":',
    '  version: 0.0.0-use.local',
    '  resolution: "root@workspace:."',
    '  dependencies:',
    '    lodash: "npm:^4.17.21"',
    '    mylib: "github:acme/mylib#main"',
    '    resolve: "patch:resolve@npm%3A^1.22.0#optional!builtin<compat/resolve>"',
    '  languageName: unknown',
    '  linkType: soft',
    '',
  ].join('\n');

  it('reads Berry: workspace entries give the direct dependencies; patches keep their package; git is not datable', () => {
    const source = parseYarnLock('yarn.lock', berry, ctxOf());
    expect(source.ok).toBe(true);
    expect(source.label).toBe('yarn.lock (Berry, version 8)');
    expect(direct(source)).toEqual(['lodash@4.17.21', 'mylib@0.0.1 (not datable)', 'resolve@1.22.8']);
    expect(source.transitiveCount).toBe(1);
    expect(lineOf(source, 'lodash')).toBe(8);
  });

  it('reports an unterminated string with its line, and conflict markers', () => {
    const broken = parseYarnLock('yarn.lock', '# yarn lockfile v1\n\nlodash@^4:\n    version "4.17.21"\n  resolved "x"\n', ctxOf());
    expectFailure(broken, /not a readable yarn.lock/);
    expect(broken.findings[0]?.line).toBe(4);
    const berryBroken = parseYarnLock('yarn.lock', '__metadata:\n  version: 8\n\n"lodash@npm:^4":\n  version: {\n', ctxOf());
    expectFailure(berryBroken, /not a readable yarn.lock/);
    expect(berryBroken.findings[0]?.line).toBeGreaterThan(0);
    expectFailure(parseYarnLock('yarn.lock', `${v1}<<<<<<< HEAD\n=======\n>>>>>>> x\n`, ctxOf()), /merge conflict/);
  });
});

// ---------------------------------------------------------------------------------------------
describe('pnpm-lock.yaml', () => {
  const v9 = [
    "lockfileVersion: '9.0'",
    '',
    'settings:',
    '  autoInstallPeers: true',
    '',
    'importers:',
    '',
    '  .:',
    '    dependencies:',
    '      express:',
    '        specifier: ^4.19.0',
    '        version: 4.19.2',
    '    devDependencies:',
    '      vitest:',
    '        specifier: ^1.6.0',
    '        version: 1.6.0(@types/node@20.12.7)',
    '',
    '  packages/api:',
    '    dependencies:',
    '      shared:',
    '        specifier: workspace:*',
    '        version: link:../shared',
    '      sw:',
    '        specifier: npm:string-width@^4',
    '        version: string-width@4.2.3',
    '',
    'packages:',
    '',
    '  express@4.19.2:',
    '    resolution: {integrity: sha512-a}',
    '',
    'snapshots:',
    '',
    '  express@4.19.2: {}',
    '  vitest@1.6.0(@types/node@20.12.7): {}',
    '  string-width@4.2.3: {}',
    '  debug@2.6.9: {}',
    '  ms@2.0.0: {}',
    '',
  ].join('\n');

  it('reads v9 importers: peer suffixes stripped, aliases by their real name, workspace links skipped', () => {
    const source = parsePnpmLock('pnpm-lock.yaml', v9);
    expect(source.ok).toBe(true);
    expect(source.label).toBe('pnpm-lock.yaml (lockfileVersion 9.0)');
    expect(direct(source)).toEqual(['express@4.19.2', 'string-width@4.2.3', 'vitest@1.6.0']);
    expect(source.transitiveCount).toBe(2);
    expect(source.importerDirs).toEqual(['', 'packages/api']);
    expect(lineOf(source, 'express')).toBe(10);
  });

  it('reads a single-project v6 lockfile without importers', () => {
    const v6 = ["lockfileVersion: '6.0'", '', 'dependencies:', '  react:', '    specifier: ^18.2.0', '    version: 18.2.0', '', 'packages:', '', '  /react@18.2.0:', '    resolution: {integrity: sha512-a}', '  /loose-envify@1.4.0:', '    resolution: {integrity: sha512-b}', ''].join('\n');
    const source = parsePnpmLock('web/pnpm-lock.yaml', v6);
    expect(direct(source)).toEqual(['react@18.2.0']);
    expect(source.transitiveCount).toBe(1);
    expect(source.importerDirs).toEqual(['web']);
  });

  it('reads v5 version strings with underscores for peers', () => {
    const v5 = ['lockfileVersion: 5.4', '', 'specifiers:', '  react-dom: ^18.2.0', '', 'dependencies:', '  react-dom: 18.2.0_react@18.2.0', '', 'packages:', '', '  /react-dom/18.2.0_react@18.2.0:', '    resolution: {integrity: sha512-a}', ''].join('\n');
    expect(direct(parsePnpmLock('pnpm-lock.yaml', v5))).toEqual(['react-dom@18.2.0']);
  });

  it('reports invalid YAML with its line and a file that is not a lockfile', () => {
    const broken = parsePnpmLock('pnpm-lock.yaml', "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies: [unclosed\n");
    expectFailure(broken, /not valid YAML/);
    expect(broken.findings[0]?.line).toBeGreaterThan(1);
    expectFailure(parsePnpmLock('pnpm-lock.yaml', 'name: something\n'), /no lockfileVersion/);
  });
});

describe('package.json without a lockfile', () => {
  it('takes exact versions and lists ranges as unpinned', () => {
    const text = json({ dependencies: { left: '1.3.0', right: '^2.0.0', local: 'file:../local', gh: 'github:acme/gh' }, devDependencies: { eq: '=4.0.1' } });
    const source = parsePackageJsonManifest('package.json', text);
    expect(source.kind).toBe('manifest');
    expect(direct(source)).toEqual(['eq@4.0.1', 'gh@github:acme/gh (not datable)', 'left@1.3.0']);
    expect(source.unpinned.map((u) => `${u.name} ${u.spec}`)).toEqual(['right ^2.0.0']);
    expect(lineOf(source, 'left')).toBe(3);
    expectFailure(parsePackageJsonManifest('package.json', '{"dependencies": '), /not valid JSON/);
  });
});

// ---------------------------------------------------------------------------------------------
describe('poetry.lock', () => {
  const lock = [
    '# This file is automatically @generated by Poetry 1.8.3 and should not be changed by hand.',
    '',
    '[[package]]',
    'name = "Django"',
    'version = "4.2.16"',
    'description = "A high-level Python web framework"',
    'optional = false',
    'python-versions = ">=3.8"',
    'files = []',
    '',
    '[package.dependencies]',
    'asgiref = ">=3.6.0,<4"',
    '',
    '[[package]]',
    'name = "asgiref"',
    'version = "3.8.1"',
    'description = "ASGI specs"',
    'optional = false',
    'python-versions = ">=3.8"',
    'files = []',
    '',
    '[[package]]',
    'name = "pytest-django"',
    'version = "4.8.0"',
    'description = "A Django plugin for pytest."',
    'optional = false',
    'python-versions = ">=3.8"',
    'files = []',
    '',
    '[[package]]',
    'name = "internal-lib"',
    'version = "0.3.0"',
    'description = ""',
    'optional = false',
    'python-versions = "*"',
    'files = []',
    '',
    '[package.source]',
    'type = "git"',
    'url = "https://github.com/acme/internal-lib.git"',
    'reference = "main"',
    'resolved_reference = "0123abcd"',
    '',
    '[metadata]',
    'lock-version = "2.0"',
    'python-versions = "^3.11"',
    'content-hash = "abc"',
    '',
  ].join('\n');
  const pyproject = ['[tool.poetry]', 'name = "ledger"', '', '[tool.poetry.dependencies]', 'python = "^3.11"', 'django = "^4.2"', 'internal-lib = { git = "https://github.com/acme/internal-lib.git" }', '', '[tool.poetry.group.dev.dependencies]', 'pytest_django = "^4.8"', ''].join('\n');

  it('takes direct dependencies from pyproject.toml (groups too), normalising names', () => {
    const source = parsePoetryLock('poetry.lock', lock, ctxOf({ 'pyproject.toml': pyproject }));
    expect(source.ok).toBe(true);
    expect(source.label).toBe('poetry.lock (lock-version 2.0)');
    expect(direct(source)).toEqual(['django@4.2.16', 'internal-lib@0.3.0 (not datable)', 'pytest-django@4.8.0']);
    expect(source.transitiveCount).toBe(1);
    expect(lineOf(source, 'django')).toBe(4);
  });

  it('takes PEP 621 dependencies of Poetry 2 projects', () => {
    const pep621 = '[project]\nname = "x"\ndependencies = ["Django>=4.2,<5", "asgiref"]\n';
    expect(direct(parsePoetryLock('poetry.lock', lock, ctxOf({ 'pyproject.toml': pep621 })))).toEqual(['asgiref@3.8.1', 'django@4.2.16']);
  });

  it('judges every package as direct without pyproject.toml, and says so', () => {
    const source = parsePoetryLock('poetry.lock', lock, ctxOf());
    expect(source.dependencies).toHaveLength(4);
    expect(source.findings[0]?.message).toMatch(/pyproject.toml is missing/);
  });

  it('reports invalid TOML with its line', () => {
    const broken = parsePoetryLock('poetry.lock', '[[package]]\nname = "x"\nversion = \n', ctxOf());
    expectFailure(broken, /not valid TOML/);
    expect(broken.findings[0]?.line).toBe(3);
  });
});

describe('uv.lock', () => {
  const lock = [
    'version = 1',
    'requires-python = ">=3.12"',
    '',
    '[[package]]',
    'name = "anyio"',
    'version = "4.4.0"',
    'source = { registry = "https://pypi.org/simple" }',
    'dependencies = [',
    '    { name = "idna" },',
    ']',
    '',
    '[[package]]',
    'name = "idna"',
    'version = "3.7"',
    'source = { registry = "https://pypi.org/simple" }',
    '',
    '[[package]]',
    'name = "myapp"',
    'version = "0.1.0"',
    'source = { editable = "." }',
    'dependencies = [',
    '    { name = "anyio" },',
    '    { name = "tool", extra = ["cli"] },',
    ']',
    '',
    '[package.dev-dependencies]',
    'dev = [',
    '    { name = "pytest" },',
    ']',
    '',
    '[[package]]',
    'name = "pytest"',
    'version = "8.2.2"',
    'source = { registry = "https://pypi.org/simple" }',
    '',
    '[[package]]',
    'name = "tool"',
    'version = "1.0.0"',
    'source = { git = "https://github.com/acme/tool?rev=main#0123" }',
    '',
  ].join('\n');

  it('finds the project by its editable source and its direct (and dev) dependencies', () => {
    const source = parseUvLock('uv.lock', lock);
    expect(source.ok).toBe(true);
    expect(direct(source)).toEqual(['anyio@4.4.0', 'pytest@8.2.2', 'tool@1.0.0 (not datable)']);
    expect(source.transitiveCount).toBe(1);
    expect(source.importerDirs).toEqual(['']);
    expect(lineOf(source, 'pytest')).toBe(32);
  });

  it('says when no project of the repository is in the lockfile', () => {
    expectFailure(parseUvLock('uv.lock', 'version = 1\n\n[[package]]\nname = "a"\nversion = "1"\nsource = { registry = "https://pypi.org/simple" }\n'), /direct dependencies are unknown/);
    expectFailure(parseUvLock('uv.lock', 'version = 1\n[[package]\n'), /not valid TOML/);
  });
});

describe('Pipfile.lock', () => {
  const lock = json({
    _meta: { hash: { sha256: 'abc' }, 'pipfile-spec': 6, requires: { python_version: '3.11' }, sources: [{ name: 'pypi', url: 'https://pypi.org/simple', verify_ssl: true }] },
    default: { requests: { hashes: ['sha256:a'], index: 'pypi', version: '==2.31.0' }, urllib3: { hashes: [], version: '==2.2.1' }, mylib: { git: 'https://github.com/acme/mylib.git', ref: '0123abc' } },
    develop: { pytest: { hashes: [], version: '==8.0.0' } },
  });

  it('takes direct dependencies from Pipfile; git entries are not datable', () => {
    const pipfile = '[[source]]\nurl = "https://pypi.org/simple"\nname = "pypi"\n\n[packages]\nrequests = "*"\nmylib = { git = "https://github.com/acme/mylib.git" }\n\n[dev-packages]\npytest = "*"\n';
    const source = parsePipfileLock('Pipfile.lock', lock, ctxOf({ Pipfile: pipfile }));
    expect(direct(source)).toEqual(['mylib@0123abc (not datable)', 'pytest@8.0.0', 'requests@2.31.0']);
    expect(source.transitiveCount).toBe(1);
    expect(lineOf(source, 'requests')).toBe(lock.split('\n').findIndex((l) => l.includes('"requests": {')) + 1);
  });

  it('reports invalid JSON and a file without sections', () => {
    expectFailure(parsePipfileLock('Pipfile.lock', '{"default": {', ctxOf()), /not valid JSON/);
    expectFailure(parsePipfileLock('Pipfile.lock', '{"_meta": {}}', ctxOf()), /no "default" or "develop"/);
  });

  it('reads Pipfile alone for its == pins', () => {
    const source = parsePipfileManifest('Pipfile', '[packages]\nflask = "==3.0.3"\nclick = ">=8"\n');
    expect(direct(source)).toEqual(['flask@3.0.3']);
    expect(source.unpinned).toMatchObject([{ name: 'click', spec: '>=8', line: 3 }]);
  });
});

describe('pyproject.toml without a lockfile', () => {
  it('takes == pins (PEP 621) and bare Poetry versions as exact', () => {
    const text = '[project]\nname = "x"\ndependencies = [\n  "requests==2.32.3",\n  "click>=8",\n  "rich[jupyter] == 13.7.1 ; python_version >= \'3.8\'",\n]\n\n[tool.poetry.dependencies]\npython = "^3.11"\nhttpx = "0.27.0"\n';
    const source = parsePyprojectManifest('pyproject.toml', text);
    expect(direct(source)).toEqual(['httpx@0.27.0', 'requests@2.32.3', 'rich@13.7.1']);
    expect(source.unpinned.map((u) => u.name)).toEqual(['click']);
    expect(lineOf(source, 'requests')).toBe(4);
    expectFailure(parsePyprojectManifest('pyproject.toml', '[project\n'), /not valid TOML/);
  });
});

describe('requirements*.txt', () => {
  it('uses pip-compile annotations to tell direct from transitive pins', () => {
    const text = [
      '#',
      '# This file is autogenerated by pip-compile with Python 3.11',
      '#',
      'certifi==2024.2.2 \\',
      '    --hash=sha256:abc',
      '    # via requests',
      'Django==4.2.16',
      '    # via -r requirements.in',
      'requests[socks]==2.31.0 ; python_version >= "3.8"',
      '    # via',
      '    #   -r requirements.in',
      '    #   stripe',
      'stripe==9.0.0',
      '    # via -r requirements.in',
      'urllib3==2.2.1',
      '    # via',
      '    #   requests',
      '    #   botocore',
      '',
    ].join('\n');
    const source = parseRequirements('requirements.txt', text);
    expect(source.kind).toBe('lockfile');
    expect(direct(source)).toEqual(['django@4.2.16', 'requests@2.31.0', 'stripe@9.0.0']);
    expect(source.transitiveCount).toBe(2);
    expect(lineOf(source, 'requests')).toBe(9);
  });

  it('treats every pin as direct without annotations; ranges make it a manifest; options and URLs are not pins', () => {
    const text = '-r base.txt\n--index-url https://pypi.org/simple\nflask==3.0.3\ngunicorn>=21\nmylib @ git+https://github.com/acme/mylib.git\n-e ./local\nnumpy===1.26.4  # exact\nbad line !!\n';
    const source = parseRequirements('requirements/prod.txt', text);
    expect(direct(source)).toEqual(['flask@3.0.3', 'mylib@? (not datable)', 'numpy@1.26.4']);
    expect(source.unpinned).toMatchObject([{ name: 'gunicorn', spec: '>=21', line: 4 }]);
    expect(source.kind).toBe('manifest');
    expect(source.findings.some((f) => f.line === 8 && /not a requirement/.test(f.message))).toBe(true);
  });

  it('reports binary content and merge conflicts', () => {
    expectFailure(parseRequirements('requirements.txt', 'flask==1\u0000\u0001'), /binary/);
    expectFailure(parseRequirements('requirements.txt', 'flask==1\n<<<<<<< HEAD\n'), /merge conflict/);
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const source = parseRequirements('requirements.txt', text);
        for (const d of source.dependencies) expect(d.name).toMatch(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
describe('go.mod', () => {
  const mod = [
    'module github.com/acme/growth-api',
    '',
    'go 1.22',
    '',
    'toolchain go1.22.5',
    '',
    'require github.com/go-chi/chi/v5 v5.0.12',
    '',
    'require (',
    '\tgithub.com/jackc/pgx/v5 v5.7.1',
    '\tgithub.com/acme/shared v0.0.0-20240101120000-0123456789ab',
    '\tgithub.com/acme/local v1.0.0',
    '\tgolang.org/x/crypto v0.31.0 // indirect',
    '\tgithub.com/jackc/pgpassfile v1.0.0 // indirect',
    ')',
    '',
    'replace github.com/acme/local => ../local',
    '',
    'replace (',
    '\tgithub.com/jackc/pgx/v5 v5.7.1 => github.com/acme/pgx/v5 v5.7.2-acme.1',
    ')',
    '',
  ].join('\n');

  it('separates // indirect, honours replace directives and keeps pseudo-versions', () => {
    const source = parseGoMod('go.mod', mod);
    expect(source.ok).toBe(true);
    expect(direct(source)).toEqual([
      'github.com/acme/local@v1.0.0 (not datable)',
      'github.com/acme/pgx/v5@v5.7.2-acme.1',
      'github.com/acme/shared@v0.0.0-20240101120000-0123456789ab',
      'github.com/go-chi/chi/v5@v5.0.12',
    ]);
    expect(source.transitiveCount).toBe(2);
    expect(lineOf(source, 'github.com/go-chi/chi/v5')).toBe(7);
  });

  it('reports an unclosed block, an unknown directive and a file without module', () => {
    expectFailure(parseGoMod('go.mod', 'module x\n\nrequire (\n\ta v1.0.0\n'), /never closed/);
    expectFailure(parseGoMod('go.mod', 'module x\nrequires a v1\n'), /unknown directive/);
    expectFailure(parseGoMod('go.mod', 'go 1.22\n'), /no module directive/);
    const malformed = parseGoMod('go.mod', 'module x\nrequire (\n\tjust-a-path\n)\n');
    expectFailure(malformed, /malformed require line/);
    expect(malformed.findings[0]?.line).toBe(3);
  });
});

describe('Cargo.lock', () => {
  const lock = [
    '# This file is automatically @generated by Cargo.',
    '# It is not intended for manual editing.',
    'version = 3',
    '',
    '[[package]]',
    'name = "app"',
    'version = "0.1.0"',
    'dependencies = [',
    ' "serde",',
    ' "rand 0.8.5",',
    ' "mygit",',
    ']',
    '',
    '[[package]]',
    'name = "mygit"',
    'version = "0.2.0"',
    'source = "git+https://github.com/acme/mygit#0123"',
    '',
    '[[package]]',
    'name = "rand"',
    'version = "0.7.3"',
    'source = "registry+https://github.com/rust-lang/crates.io-index"',
    '',
    '[[package]]',
    'name = "rand"',
    'version = "0.8.5"',
    'source = "registry+https://github.com/rust-lang/crates.io-index"',
    '',
    '[[package]]',
    'name = "serde"',
    'version = "1.0.210"',
    'source = "sparse+https://index.crates.io/"',
    'dependencies = [',
    ' "serde_derive",',
    ']',
    '',
    '[[package]]',
    'name = "serde_derive"',
    'version = "1.0.210"',
    'source = "registry+https://github.com/rust-lang/crates.io-index"',
    '',
  ].join('\n');

  it('takes workspace members dependencies as direct, picking the version the member names', () => {
    const source = parseCargoLock('Cargo.lock', lock);
    expect(direct(source)).toEqual(['mygit@0.2.0 (not datable)', 'rand@0.8.5', 'serde@1.0.210']);
    expect(source.transitiveCount).toBe(2);
    expect(lineOf(source, 'serde')).toBe(30);
    expectFailure(parseCargoLock('Cargo.lock', 'version = 3\n[[package]\n'), /not valid TOML/);
    expectFailure(parseCargoLock('Cargo.lock', 'version = 3\n'), /no \[\[package\]\]/);
  });

  it('reads Cargo.toml alone for its =pins', () => {
    const source = parseCargoTomlManifest('Cargo.toml', '[package]\nname = "x"\n\n[dependencies]\nserde = "=1.0.210"\ntokio = { version = "1", features = ["full"] }\nlocal = { path = "../local" }\n');
    expect(direct(source)).toEqual(['serde@1.0.210']);
    expect(source.unpinned.map((u) => `${u.name} ${u.spec}`)).toEqual(['tokio 1']);
  });
});

describe('Gemfile.lock', () => {
  const lock = [
    'GIT',
    '  remote: https://github.com/acme/house_style.git',
    '  revision: 0123abcd',
    '  specs:',
    '    house_style (0.4.0)',
    '',
    'GEM',
    '  remote: https://rubygems.org/',
    '  specs:',
    '    nokogiri (1.16.7-x86_64-linux)',
    '      racc (~> 1.4)',
    '    nokogiri (1.16.7-arm64-darwin)',
    '      racc (~> 1.4)',
    '    racc (1.8.1)',
    '    rails (7.1.3.4)',
    '      activesupport (= 7.1.3.4)',
    '    activesupport (7.1.3.4)',
    '    sidekiq (7.3.0.rc1)',
    '',
    'PLATFORMS',
    '  arm64-darwin',
    '  x86_64-linux',
    '',
    'DEPENDENCIES',
    '  house_style!',
    '  nokogiri (~> 1.16)',
    '  rails (~> 7.1)',
    '  sidekiq (= 7.3.0.rc1)',
    '',
    'BUNDLED WITH',
    '   2.5.16',
    '',
  ].join('\n');

  it('reads DEPENDENCIES as direct, strips platforms, and marks git gems', () => {
    const source = parseGemfileLock('Gemfile.lock', lock);
    expect(direct(source)).toEqual(['house_style@0.4.0 (not datable)', 'nokogiri@1.16.7', 'rails@7.1.3.4', 'sidekiq@7.3.0.rc1']);
    expect(source.transitiveCount).toBe(2);
    expect(lineOf(source, 'rails')).toBe(15);
  });

  it('reports malformed spec lines and files without a GEM section', () => {
    const bad = parseGemfileLock('Gemfile.lock', 'GEM\n  remote: https://rubygems.org/\n  specs:\n    rails 7.1.3\n');
    expectFailure(bad, /malformed spec line/);
    expect(bad.findings[0]?.line).toBe(4);
    expectFailure(parseGemfileLock('Gemfile.lock', 'hello\n'), /no GEM section/);
  });

  it('reads a Gemfile alone for exact versions', () => {
    const source = parseGemfileManifest('Gemfile', 'source "https://rubygems.org"\ngem "rails", "7.1.3"\ngem "pg", "~> 1.5"\ngem "house", git: "https://github.com/acme/house"\ngem \'rack\', \'= 3.1.8\'\n');
    expect(direct(source)).toEqual(['house@? (not datable)', 'rack@3.1.8', 'rails@7.1.3']);
    expect(source.unpinned).toMatchObject([{ name: 'pg', spec: '~> 1.5', line: 3 }]);
  });
});

describe('.terraform.lock.hcl', () => {
  const lock = [
    '# This file is maintained automatically by "terraform init".',
    '# Manual edits may be lost in future updates.',
    '',
    'provider "registry.terraform.io/hashicorp/aws" {',
    '  version     = "5.46.0"',
    '  constraints = "~> 5.40"',
    '  hashes = [',
    '    "h1:abc=",',
    '    "zh:0123",',
    '  ]',
    '}',
    '',
    'provider "registry.opentofu.org/hashicorp/random" {',
    '  version = "3.6.3"',
    '}',
    '',
    'provider "tf.acme.example/acme/internal" {',
    '  version = "1.2.0"',
    '}',
    '',
  ].join('\n');

  it('names providers namespace/type; a private registry host is not datable', () => {
    const source = parseTerraformLock('envs/prod/.terraform.lock.hcl', lock);
    expect(direct(source)).toEqual(['acme/internal@1.2.0 (not datable)', 'hashicorp/aws@5.46.0', 'hashicorp/random@3.6.3']);
    expect(lineOf(source, 'hashicorp/aws')).toBe(4);
  });

  it('reports an unclosed block, a provider without version and stray content', () => {
    expectFailure(parseTerraformLock('.terraform.lock.hcl', 'provider "registry.terraform.io/hashicorp/aws" {\n  version = "5.0.0"\n'), /never closed/);
    expectFailure(parseTerraformLock('.terraform.lock.hcl', 'provider "registry.terraform.io/hashicorp/aws" {\n}\n'), /has no version/);
    expectFailure(parseTerraformLock('.terraform.lock.hcl', 'resource "x" "y" {\n}\n'), /expected a provider block/);
  });
});

describe('pom.xml', () => {
  const pom = `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>org.springframework.boot</groupId>
    <artifactId>spring-boot-starter-parent</artifactId>
    <version>3.2.5</version>
  </parent>
  <properties>
    <guava.version>33.0.0-jre</guava.version>
  </properties>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>com.fasterxml.jackson</groupId>
        <artifactId>jackson-bom</artifactId>
        <version>2.17.0</version>
        <type>pom</type>
        <scope>import</scope>
      </dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency>
      <groupId>com.google.guava</groupId>
      <artifactId>guava</artifactId>
      <version>\${guava.version}</version>
    </dependency>
    <dependency>
      <groupId>org.springframework.boot</groupId>
      <artifactId>spring-boot-starter-web</artifactId>
    </dependency>
    <dependency>
      <groupId>junit</groupId>
      <artifactId>junit</artifactId>
      <version>[4.0,5.0)</version>
    </dependency>
  </dependencies>
</project>
`;

  it('takes literal versions (and properties of this pom), and counts the rest as not judged', () => {
    const source = parsePom('pom.xml', pom);
    expect(direct(source)).toEqual(['com.fasterxml.jackson:jackson-bom@2.17.0', 'com.google.guava:guava@33.0.0-jre', 'org.springframework.boot:spring-boot-starter-parent@3.2.5']);
    expect(source.unpinned.map((u) => u.name)).toEqual(['org.springframework.boot:spring-boot-starter-web', 'junit:junit']);
    expect(lineOf(source, 'com.google.guava:guava')).toBe(26); // its <artifactId>
  });

  it('reports XML that is not well formed, with its line', () => {
    const bad = parsePom('pom.xml', '<project>\n  <dependencies>\n</project>\n');
    expectFailure(bad, /not well-formed XML/);
    expect(bad.findings[0]?.line).toBe(3);
    expectFailure(parsePom('pom.xml', '<settings></settings>'), /no <project>/);
  });
});

describe('Gradle version catalog', () => {
  it('resolves version.ref, rich versions and module strings', () => {
    const text = [
      '[versions]',
      'kotlin = "2.0.0"',
      'okhttp = { strictly = "4.12.0" }',
      '',
      '[libraries]',
      'kotlin-stdlib = { module = "org.jetbrains.kotlin:kotlin-stdlib", version.ref = "kotlin" }',
      'okhttp = { group = "com.squareup.okhttp3", name = "okhttp", version.ref = "okhttp" }',
      'guava = "com.google.guava:guava:33.0.0-jre"',
      'bom-managed = { module = "org.slf4j:slf4j-api" }',
      'ranged = "org.x:y:[1.0,2.0)"',
      '',
    ].join('\n');
    const source = parseGradleCatalog('gradle/libs.versions.toml', text);
    expect(direct(source)).toEqual(['com.google.guava:guava@33.0.0-jre', 'com.squareup.okhttp3:okhttp@4.12.0', 'org.jetbrains.kotlin:kotlin-stdlib@2.0.0']);
    expect(source.unpinned.map((u) => u.name)).toEqual(['org.slf4j:slf4j-api', 'org.x:y']);
    expect(lineOf(source, 'com.google.guava:guava')).toBe(8);
    expectFailure(parseGradleCatalog('gradle/libs.versions.toml', '[libraries\n'), /not valid TOML/);
  });
});

// ---------------------------------------------------------------------------------------------
describe('workspaces as their tools write them: members are not dependencies, their dependencies are direct', () => {
  it('uv: a virtual root and an editable member; member-to-member edges skipped; the version a member names is the one judged', () => {
    const source = parseUvLock('uv.lock', `version = 1
revision = 2
requires-python = ">=3.12"

[manifest]
members = ["albatross", "bird-feeder"]

[[package]]
name = "albatross"
version = "0.1.0"
source = { virtual = "." }
dependencies = [
    { name = "bird-feeder" },
    { name = "tqdm" },
]

[package.dev-dependencies]
dev = [{ name = "pytest" }]

[package.metadata]
requires-dist = [{ name = "bird-feeder", editable = "packages/bird-feeder" }, { name = "tqdm", specifier = ">=4,<5" }]

[[package]]
name = "bird-feeder"
version = "1.0.0"
source = { editable = "packages/bird-feeder" }
dependencies = [
    { name = "anyio" },
    { name = "numpy", version = "1.26.4", source = { registry = "https://pypi.org/simple" }, marker = "python_full_version < '3.13'" },
]

[[package]]
name = "anyio"
version = "4.4.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "idna" }]

[[package]]
name = "idna"
version = "3.7"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "numpy"
version = "1.26.4"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "numpy"
version = "2.1.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pytest"
version = "8.2.2"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "tqdm"
version = "4.66.4"
source = { registry = "https://pypi.org/simple" }
`);
    expect(source.ok).toBe(true);
    expect(direct(source)).toEqual(['anyio@4.4.0', 'numpy@1.26.4', 'pytest@8.2.2', 'tqdm@4.66.4']);
    expect(source.transitiveCount).toBe(2); // idna, numpy 2.1.0
    expect(source.importerDirs).toEqual(['', 'packages/bird-feeder']);
  });

  it('Cargo: dependencies of every member, a member depending on another member skipped, two versions of one crate told apart', () => {
    const source = parseCargoLock('Cargo.lock', `version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "core-lib",
 "serde",
 "tokio",
]

[[package]]
name = "core-lib"
version = "0.1.0"
dependencies = [
 "serde",
 "thiserror 2.0.3",
]

[[package]]
name = "serde"
version = "1.0.210"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "x"

[[package]]
name = "thiserror"
version = "1.0.64"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "thiserror"
version = "2.0.3"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "tokio"
version = "1.40.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "thiserror 1.0.64",
]
`);
    expect(direct(source)).toEqual(['serde@1.0.210', 'thiserror@2.0.3', 'tokio@1.40.0']);
    expect(source.transitiveCount).toBe(1); // thiserror 1.0.64, through tokio
    expect(lineOf(source, 'thiserror')).toBe(32);
  });

  it('go.mod: toolchain and tool directives, module and version-specific replace blocks, a local replacement undated', () => {
    const source = parseGoMod('go.mod', `module example.com/app

go 1.23.0

toolchain go1.23.2

require (
	github.com/Masterminds/semver/v3 v3.3.0
	github.com/old/lib v1.2.0
	github.com/forked/thing v0.4.0
	golang.org/x/sys v0.26.0 // indirect
	github.com/local/mod v0.0.0-00010101000000-000000000000
)

require github.com/pkg/errors v0.9.1

replace github.com/old/lib => github.com/new/lib v1.5.0

replace (
	github.com/forked/thing v0.4.0 => github.com/acme/thing v0.4.1-0.20240102030405-abcdefabcdef
	github.com/local/mod => ../mod
)

tool golang.org/x/tools/cmd/stringer
`);
    expect(source.ok).toBe(true);
    expect(direct(source)).toEqual([
      'github.com/Masterminds/semver/v3@v3.3.0',
      'github.com/acme/thing@v0.4.1-0.20240102030405-abcdefabcdef',
      'github.com/local/mod@v0.0.0-00010101000000-000000000000 (not datable)',
      'github.com/new/lib@v1.5.0',
      'github.com/pkg/errors@v0.9.1',
    ]);
    expect(source.transitiveCount).toBe(1);
    // A replaced module is found where the replacement is written.
    expect(lineOf(source, 'github.com/new/lib')).toBe(17);
  });

  it('pnpm v9: every importer, workspace links skipped, catalog specifiers resolved, peer suffixes stripped', () => {
    const source = parsePnpmLock('pnpm-lock.yaml', `lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    devDependencies:
      typescript:
        specifier: ^5.6.0
        version: 5.6.3

  packages/api:
    dependencies:
      '@acme/shared':
        specifier: workspace:*
        version: link:../shared
      express:
        specifier: ^4.21.0
        version: 4.21.1
      react-dom:
        specifier: ^18.3.0
        version: 18.3.1(react@18.3.1)

  packages/shared:
    dependencies:
      zod:
        specifier: 'catalog:'
        version: 3.23.8

packages:

  express@4.21.1:
    resolution: {integrity: sha512-x}

snapshots:

  express@4.21.1: {}
  react-dom@18.3.1(react@18.3.1): {}
  react@18.3.1: {}
  typescript@5.6.3: {}
  zod@3.23.8: {}
  debug@2.6.9: {}
`);
    expect(source.ok).toBe(true);
    expect(direct(source)).toEqual(['express@4.21.1', 'react-dom@18.3.1', 'typescript@5.6.3', 'zod@3.23.8']);
    expect(source.importerDirs).toEqual(['', 'packages/api', 'packages/shared']);
    expect(source.transitiveCount).toBe(2); // react, debug
  });
});

describe('every parser on hostile text', () => {
  const parsers: [string, (text: string) => DependencySource][] = [
    ['package-lock', (t) => parsePackageLock('package-lock.json', t, ctxOf())],
    ['yarn', (t) => parseYarnLock('yarn.lock', t, ctxOf({ 'package.json': '{}' }))],
    ['pnpm', (t) => parsePnpmLock('pnpm-lock.yaml', t)],
    ['poetry', (t) => parsePoetryLock('poetry.lock', t, ctxOf())],
    ['uv', (t) => parseUvLock('uv.lock', t)],
    ['pipfile', (t) => parsePipfileLock('Pipfile.lock', t, ctxOf())],
    ['go.mod', (t) => parseGoMod('go.mod', t)],
    ['cargo', (t) => parseCargoLock('Cargo.lock', t)],
    ['gemfile', (t) => parseGemfileLock('Gemfile.lock', t)],
    ['terraform', (t) => parseTerraformLock('.terraform.lock.hcl', t)],
    ['pom', (t) => parsePom('pom.xml', t)],
    ['gradle', (t) => parseGradleCatalog('libs.versions.toml', t)],
  ];
  it.each(parsers)('%s: a finding or a result, never an exception', (_, parse) => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.constantFrom('{', '[[package]]', 'GEM\n  specs:\n    x', 'provider "a" {', '<project>', 'lockfileVersion: 6\nimporters: 3', 'null', '"x"')), (text) => {
        const source = parse(text);
        if (!source.ok) expect(source.findings.some((f) => f.path === source.path)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
describe('odd manifests are named, never silently dropped', () => {
  const deep = (levels: number, leaf: string) => {
    let value = leaf;
    for (let i = 0; i < levels; i++) value = `{"a${i}":${value}}`;
    return value;
  };

  it('says so when package.json dependencies is an array or holds non-string entries', () => {
    const asArray = parsePackageJsonManifest('package.json', json({ name: 'x', dependencies: ['left-pad'], devDependencies: { typescript: '5.4.5' } }));
    expect(direct(asArray)).toEqual(['typescript@5.4.5']);
    expect(asArray.findings.map((f) => f.message)).toEqual(['package.json: "dependencies" is an array, not a map of package name to version range, so none of it was read']);
    const nested = parsePackageJsonManifest('package.json', `{"name":"x","dependencies":${deep(20_000, '"1.0.0"')}}`);
    expect(nested.findings.map((f) => f.message)).toEqual(['package.json: 1 dependencies entry is not a version range string, so it was not read: "a19999"']);
  });

  it('reads a 20,000-deep lockfileVersion 1 tree without overflowing the stack', () => {
    let tree = '{}';
    for (let i = 0; i < 20_000; i++) tree = `{"p${i}":{"version":"1.0.0","dependencies":${tree}}}`;
    const source = parsePackageLock('package-lock.json', `{"name":"x","lockfileVersion":1,"dependencies":${tree}}`, ctxOf({ 'package.json': json({ name: 'x', dependencies: { p19999: '1.0.0' } }) }));
    expect(direct(source)).toEqual(['p19999@1.0.0']);
    expect(source.transitiveCount).toBe(19_999);
  });

  it('reads a quoted lockfileVersion and names it; a wrong one is named without a false reason', () => {
    const quoted = parsePackageLock('package-lock.json', json({ name: 'x', lockfileVersion: '3', packages: { '': { dependencies: { a: '1.0.0' } }, 'node_modules/a': { version: '1.0.0' } } }), ctxOf());
    expect(direct(quoted)).toEqual(['a@1.0.0']);
    expect(quoted.findings.map((f) => f.message)).toContain('lockfileVersion is the string "3", where npm writes a number: read as 3');
    expectFailure(parsePackageLock('package-lock.json', json({ lockfileVersion: 7, packages: {} }), ctxOf()), /^lockfileVersion 7 is not one npm writes \(1, 2 or 3\)$/);
  });

  it('names values behind tags pnpm never writes, and a numeric lockfileVersion', () => {
    const text = "lockfileVersion: 9.0\nimporters:\n  .:\n    dependencies:\n      evil: !!python/object/apply:os.system ['echo hi']\n      lodash:\n        specifier: ^4.17.0\n        version: 4.17.21\npackages:\n  lodash@4.17.21: {}\n";
    const source = parsePnpmLock('pnpm-lock.yaml', text);
    expect(direct(source)).toEqual(['lodash@4.17.21']);
    const messages = source.findings.map((f) => f.message);
    expect(messages.some((m) => /1 value carries a YAML tag pnpm never writes .*python.*not read as dependencies/.test(m)), messages.join('\n')).toBe(true);
    expect(source.findings.find((f) => /YAML tag/.test(f.message))?.line).toBe(5);
    expect(messages).toContain('lockfileVersion is the number 9, where pnpm writes a quoted string: read as version 9');
  });
});
