// Which files the check reads. The crawler fetches only blobs matching `reads`, so dependency trees,
// build output and generated directories are kept out there already (a picomatch extglob that
// refuses those directory names at any depth); the configurable `exclude` globs then drop anything
// else at run time, and the content tests below catch generated and minified files.

/**
 * Directory names whose blobs are never fetched: dependency trees, build output and generated code
 * can hold thousands of files and are neither definitions nor references. Matched as whole path
 * segments (`vendor/`, never `vendors/` or `vendor_payments/`); no name may start another, since
 * a longer name would be let back in by the shorter one's exception below.
 */
export const NEVER_FETCHED = [
  'node_modules',
  'bower_components',
  'jspm_packages',
  '.yarn',
  '.pnpm-store',
  'vendor',
  'third_party',
  'third-party',
  'thirdparty',
  '__generated__',
  'generated',
  'site-packages',
  '.venv',
  'venv',
  '.tox',
  'dist',
  'build',
  'out',
  'target',
  'coverage',
  '.next',
  '.nuxt',
  '.output',
  '.svelte-kit',
  '.docusaurus',
  'storybook-static',
  '_build',
  'deps',
  'obj',
];

const escapeGlob = (s: string): string => s.replace(/[.+^$()|[\]{}!?*@\\]/g, '\\$&');
// picomatch's `!(a|b)` refuses every segment that merely starts with a or b, so names followed
// by more characters are let back in explicitly.
const NAMES = NEVER_FETCHED.map(escapeGlob);
const DIRS = `*(@(!(${NAMES.join('|')})|${NAMES.map((n) => `${n}?*`).join('|')})/)`;
const NEVER = new Set(NEVER_FETCHED.map((n) => n.toLowerCase()));

/** A path through one of the never-fetched directories. */
export function neverFetched(path: string): boolean {
  const segments = path.toLowerCase().split('/');
  for (let i = 0; i < segments.length - 1; i++) if (NEVER.has(segments[i]!)) return true;
  return false;
}

export const SOURCE_EXTENSIONS = [
  'ts', 'tsx', 'mts', 'cts', 'js', 'jsx', 'mjs', 'cjs', 'vue', 'svelte', 'py', 'rb', 'rake', 'erb', 'haml', 'slim', 'go', 'java', 'kt', 'kts', 'cs', 'php', 'ex', 'exs', 'heex', 'eex',
  'rs', 'scala', 'swift', 'dart', 'groovy', 'lua', 'sh', 'bash', 'zsh', 'c', 'cc', 'cpp', 'h', 'hpp', 'm', 'mm', 'clj', 'cljs', 'erl', 'hs', 'fs', 'r', 'jl',
  // Templates read flags too (`{% if flags.newUi %}`, `<% if Feature.enabled?(:x) %>`).
  'njk', 'jinja', 'jinja2', 'j2', 'hbs', 'handlebars', 'mustache', 'twig', 'ejs', 'liquid', 'pug', 'cshtml', 'razor', 'jsp', 'gohtml', 'tmpl', 'html',
];
/** Languages of source code that we know and do not read: named in a finding when a repository has them. */
export const UNREAD_LANGUAGES: Record<string, string> = { ml: 'OCaml', nim: 'Nim', zig: 'Zig', cr: 'Crystal', pl: 'Perl', pm: 'Perl', f90: 'Fortran', ada: 'Ada', cob: 'COBOL', pas: 'Pascal', vb: 'Visual Basic', fsx: 'F#', elm: 'Elm', purs: 'PureScript', rkt: 'Racket', scm: 'Scheme', lisp: 'Lisp', d: 'D', v: 'V', sol: 'Solidity' };
const SCRIPT = ['ts', 'tsx', 'mts', 'cts', 'js', 'jsx', 'mjs', 'cjs', 'vue', 'svelte'];
const OTHER = SOURCE_EXTENSIONS.filter((e) => !SCRIPT.includes(e));

export const SOURCE_FILE = new RegExp(`\\.(${SOURCE_EXTENSIONS.join('|')})$`, 'i');
/** Manifests show which SDKs a repository uses. */
export const MANIFEST_FILE = /(^|\/)(package\.json|go\.mod|Gemfile|[^/]+\.gemspec|requirements[^/]*\.txt|pyproject\.toml|Pipfile|pom\.xml|build\.gradle(\.kts)?|[^/]+\.csproj|composer\.json|Cargo\.toml|mix\.exs|Package\.swift|pubspec\.yaml)$/i;

/** Settings files that may hold a `features:` block: under config/, or named as settings. */
export const SETTINGS_FILE = /(^|\/)(config|configs|settings|conf)\/.*\.(ya?ml|json)$|(^|\/)(settings|application|appsettings|app|config|features?|nimbus|feature[-_]?flags?)[^/]*\.(ya?ml|json)$/i;

export const READS = [
  `${DIRS}!(*.min).{${SCRIPT.join(',')}}`,
  `${DIRS}*.{${OTHER.join(',')}}`,
  `${DIRS}{config,configs,settings,conf}/**/*.{yml,yaml,json}`,
  `${DIRS}*.{tf,tfvars,env}`,
  `${DIRS}.env.*`,
  `${DIRS}{charts,chart,helm*,deploy*,k8s,kubernetes,kube,apps,environments,environment,envs,overlays,clusters,flux*,argo*,manifests,overrides,values,infra*}/**/*.{yml,yaml}`,
  `${DIRS}values*.{yml,yaml}`,
  `${DIRS}{settings,application,appsettings,app,config,feature,features,nimbus,feature-flags,feature_flags,featureflags}*.{yml,yaml,json}`,
  `${DIRS}{package.json,go.mod,Gemfile,*.gemspec,requirements*.txt,pyproject.toml,Pipfile,pom.xml,build.gradle,build.gradle.kts,*.csproj,composer.json,Cargo.toml,Package.swift,pubspec.yaml}`,
  `${DIRS}*{flag,toggle}*.{json,yml,yaml}`,
  `${DIRS}{features,*.features}.{yml,yaml}`,
  `${DIRS}features.json`,
  `${DIRS}flagd/**/*.{json,yml,yaml}`,
  `${DIRS}feature_flags/**/*.{yml,yaml}`,
];

/** Files in these places prove nothing about production code. */
export function isTestPath(path: string): boolean {
  return (
    /(^|\/)(tests?|spec|specs|__tests__|__mocks__|mocks?|__fixtures__|fixtures|e2e|cypress|playwright|testing|testdata|stories|storybook|integration[-_]tests?|test[-_]utils?|mock[-_][^/]+)\//i.test(path) ||
    /[._-](test|spec|stories|story|e2e|cy)s?\.[a-z]+$/i.test(path) ||
    /_test\.go$/.test(path) ||
    /(^|\/)(test_[^/]*|conftest)\.py$/.test(path)
  );
}

/** A marker near the top that a tool wrote the file. */
export function looksGenerated(text: string): boolean {
  let end = 0;
  for (let lines = 0; lines < 5 && end >= 0 && end < text.length; lines++) end = text.indexOf('\n', end + 1);
  const head = text.slice(0, end < 0 ? Math.min(text.length, 2000) : Math.min(end, 2000));
  return /@generated|do not edit|auto-?generated|automatically generated|generated by (protoc|the|graphql|openapi|swagger|sqlc|mockgen|buf)/i.test(head);
}

/** Bundled or minified: very long lines on average, or one enormous line. */
export function looksMinified(text: string): boolean {
  if (text.length < 4096) return false;
  let lines = 1;
  let longest = 0;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    lines++;
    longest = Math.max(longest, i - start);
    start = i + 1;
  }
  longest = Math.max(longest, text.length - start);
  return text.length / lines > 300 || longest > 20_000;
}
