// Standards: Martin Fowler, "Feature Toggles (aka Feature Flags)" (https://martinfowler.com/articles/feature-toggles.html); OpenFeature specification (https://openfeature.dev/specification/); GitLab feature flag lifecycle (https://docs.gitlab.com/development/feature_flags/); flagd flag definitions (https://flagd.dev/reference/flag-definitions/).
import picomatch from 'picomatch';
import { defineCheck, statusFromScore, type Finding, type RepoSnapshot } from '../contract.ts';
import { RULES, type Rule } from './rules.ts';
import { FORMAT_LABELS, isDefinitionCandidate, parseDefinitionFile, parseRegistry, type Definition, type DefinitionProblem } from './definitions.ts';
import { isTestPath, looksGenerated, looksMinified, MANIFEST_FILE, neverFetched, READS, SETTINGS_FILE, SOURCE_FILE, UNREAD_LANGUAGES } from './files.ts';
import { indexHistory } from './history.ts';
import { isAging, isStale, judge, type Flag, type Reason } from './judge.ts';
import { keyNormaliser } from './keys.ts';
import { stripComments } from './lexer.ts';
import { options, type StaleFlagsOptions } from './options.ts';
import { argumentTexts, Bindings, buildAccessorExtractor, buildExtractor, collectBindings, scanMentions, sdkEvidence, type CallScan, type Reference } from './references.ts';
import { penaltyOf, scoreOf } from './score.ts';
import { SDK_IDS, sdkLabel } from './sdks.ts';
import { findEnvReads, naming, parseSettingsFile, type EnvRead, type NamePatterns } from './settings.ts';
import { findCodeRegistries, type CodeRegistry } from './structure.ts';
import { lineIndex } from '../shared/text.ts';
import { enclosing, functionsIn, wrapperOf, type FunctionSpan, type Wrapper } from './wrappers.ts';
import { deploymentValues, differsByEnvironment, featureGates, isDeploymentFile, isEnvFile, terraformFile, type DeploymentValue, type TerraformVariable } from './deploy.ts';
import { environmentOf } from './settings.ts';

const SEVERITY_RANK = { info: 0, low: 1, medium: 2, high: 3 } as const;
const ENTITLEMENT_PATH = /(^|\/)[^/]*(licen[cs]|entitlement|billing|subscription)[^/]*(\/|$)/i;
/** A call that hands every flag to someone else (a client bootstrapped with all flag values). */
const WHOLESALE = /\b(?:allFlagsState|AllFlagsState|all_flags_state|allFlags|AllFlags|all_flags|getAllFlags|GetAllFlags|get_all_flags)\s*\(|\b\w*(?:[Ff]eature|[Ff]lag)\w*\s*\.\s*(?:getAll|GetAll|get_all|GetAllAsync)\s*\(/;
/** Code that runs in a browser or an app: it reads flags a server passes on. */
const CLIENT_FILE = /\.(tsx|jsx|vue|svelte|swift|dart)$|(^|\/)(frontend|client|clients|web|webapp|ui|app-web|mobile|desktop|android|ios)\//i;

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function listed(items: string[], max: number): string {
  return items.length > max ? `${items.slice(0, max).join(', ')} and ${items.length - max} more` : items.join(', ');
}

function ageText(age: { days: number; atLeast: boolean; bound: string }): string {
  return `${age.atLeast ? 'at least ' : age.bound === 'upper' ? 'at most ' : ''}${age.days} days old`;
}

function reasonText(reason: Reason, flag: Flag): string {
  switch (reason.kind) {
    case 'expired':
      return `expired on ${reason.on} (${reason.where})`;
    case 'too-old':
      return `is ${ageText(reason.age)}, past the ${reason.lifetime}-day lifetime of ${/^[aeiou]/.test(flag.category) ? 'an' : 'a'} ${flag.category} flag (${reason.age.how})`;
    case 'aging':
      if (reason.settled) return `is ${ageText(reason.age)} and looks settled: ${reason.settled}; as a configuration switch it may simply be configuration (${reason.age.how})`;
      return reason.lifetime !== null
        ? `is ${ageText(reason.age)}, which may be past the ${reason.lifetime}-day lifetime of ${/^[aeiou]/.test(flag.category) ? 'an' : 'a'} ${flag.category} flag, though nothing shows it is stale (${reason.age.how})`
        : `is ${ageText(reason.age)} with no declared type, older than ${reason.threshold} days, though nothing shows it is stale (${reason.age.how})`;
    case 'rolled-out':
      return `${reason.served === 'on' ? 'has been fully rolled out' : reason.served === 'off' ? 'has been off for everyone' : 'has served one value to everyone'} (${reason.detail}) with its definition unchanged for ${reason.atLeast ? 'at least ' : ''}${reason.days} days`;
    case 'settled':
      return `is ${reason.served === 'on' ? 'on' : 'off'} and looks settled: ${reason.detail}, and it is ${ageText(reason.age)} (${reason.age.how})`;
    case 'unreferenced':
      return reason.onlyTests ? 'is referenced only in tests' : 'is defined but no code refers to it';
    case 'undefined': {
      const where = listed(reason.definedIn, 3);
      return reason.provider === '*' || flag.providers.length === 0
        ? `is checked in code but not defined in ${where}, where this repository lists its flags`
        : `is checked in code but not defined in ${where}, where this repository defines its ${sdkLabel(reason.provider)} flags`;
    }
  }
}

function severityOf(reasons: Reason[]): Finding['severity'] {
  return reasons.every((r) => r.kind === 'unreferenced' || r.kind === 'aging') ? 'low' : 'medium';
}

/** What to do about a flag: define or remove it, delete an unused one, retire it for the strongest reason it is stale, or look at an old one. */
function ruleOf(reasons: Reason[]): Rule {
  const kinds = new Set(reasons.map((r) => r.kind));
  if (kinds.has('undefined')) return 'undefined-flag';
  if (kinds.has('expired')) return 'expired-flag';
  if (kinds.has('rolled-out') || kinds.has('settled')) return 'flag-fully-rolled-out';
  if (kinds.has('too-old')) return 'flag-past-lifetime';
  if (kinds.has('unreferenced')) return 'unused-flag';
  return 'aging-flag';
}

/** Worst first: how strong the evidence is, then age. */
function badness(flag: Flag): number {
  const kinds = new Set(flag.reasons.map((r) => r.kind));
  const rank = kinds.has('undefined') || kinds.has('expired') ? 5 : kinds.has('rolled-out') || kinds.has('settled') || kinds.has('too-old') ? 4 : kinds.has('unreferenced') ? 3 : 1;
  return rank * 100_000 + Math.min(99_999, flag.age?.days ?? 0);
}

function providerText(flag: Flag): string {
  const named = flag.providers.filter((p) => p !== 'in-house' && p !== 'environment');
  if (named.length > 0) return `${named.map(sdkLabel).join(', ')}, no definition here`;
  if (flag.providers.includes('in-house')) return "read through the project's own accessor, no definition here";
  return 'no definition here';
}

function describe(flag: Flag, o: StaleFlagsOptions): Finding<Rule> {
  const places = flag.refs.map((r) => `${r.path}:${r.line}`);
  const refs = listed(places, o.maxListedReferences);
  const typeNote =
    flag.typeSource === 'declared'
      ? ''
      : flag.typeSource === 'key'
        ? `; no type declared, ${flag.category} by its key`
        : `; no type declared`;
  const def = flag.defs[0];
  const origin = def ? (def.registry ? `${FORMAT_LABELS[def.format]} ${def.registry.name}` : FORMAT_LABELS[def.format]) : providerText(flag);
  const head = `${flag.typeSource === 'assumed' ? 'untyped' : flag.category} flag "${flag.key}" (${origin}${typeNote}) ${flag.reasons.map((r) => reasonText(r, flag)).join('; ')}.`;
  let action: string;
  const kinds = new Set(flag.reasons.map((r) => r.kind));
  if (kinds.has('undefined')) action = `Define it or remove ${places.length === 1 ? 'the call site' : `all ${places.length} call sites`}: ${refs}`;
  else if (kinds.size === 1 && kinds.has('unreferenced')) action = places.length > 0 ? `Delete its definition and the tests that use it: ${refs}` : 'Delete its definition.';
  else if (kinds.size === 1 && kinds.has('aging')) {
    action = `Remove it if its rollout is over, or declare its type (a permanent one if it is meant to stay) or an expiry date${places.length > 0 ? `. References: ${refs}` : '.'}`;
  } else {
    // OpenFeature is an API: the flag lives in whichever provider serves it.
    const where = flag.providers.map((p) => (p === 'openfeature' ? 'the OpenFeature provider' : sdkLabel(p))).join(', ');
    const remote = flag.providers.filter((p) => p !== 'in-house' && p !== 'environment').length > 0;
    const first = flag.defs.length > 0 ? 'Remove the definition' : remote ? `Archive it in ${where}` : 'Retire it';
    const them = places.length === 1 ? 'the reference' : `all ${places.length} references`;
    action = places.length > 0 ? `${first} and ${flag.defs.length > 0 ? them : `remove ${them}`}: ${refs}` : `${first}.`;
  }
  const at = flag.defs[0] ?? flag.refs.find((r) => r.kind === 'call' && !isTestPath(r.path)) ?? flag.refs[0];
  return { rule: ruleOf(flag.reasons), severity: severityOf(flag.reasons), path: at?.path, line: at?.line, message: `${head} ${action}` };
}

/** push(...items) overflows the stack on a few hundred thousand items; a file can hold that many mentions. */
/** Points with as many decimals as they need, up to two: a small penalty is not "0.0". */
function points(n: number): string {
  return String(Math.round(n * 100) / 100);
}

function append<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}

function readProblem(reason: string, detail?: string): string {
  return `${reason}${detail ? `: ${detail}` : ''}`;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export default defineCheck({
  id: 'stale-flags',
  meta: {
    title: 'Stale feature flags',
    description: 'Feature flags are removed once they have served their purpose: none past its lifetime, none fully rolled out for weeks, none defined but unused or used but undefined.',
    category: 'maintenance',
    weight: 2,
    version: 2,
    reads: READS,
    history: ['**/*'],
    options,
    rules: RULES,
  },
  run(snapshot: RepoSnapshot, ctx) {
    const o = ctx.options;
    // Memoised: the same literals and tokens recur across files and commit messages.
    const plainNormalise = keyNormaliser(o);
    const normalised = new Map<string, string>();
    const normalise = (key: string): string => {
      let n = normalised.get(key);
      if (n === undefined) normalised.set(key, (n = plainNormalise(key)));
      return n;
    };
    const excluded = picomatch(o.exclude, { nocase: true, dot: true });
    const notDefinitions = o.definitionExclude.length > 0 ? picomatch(o.definitionExclude, { nocase: true, dot: true }) : () => false;
    const registries = o.registries.map((r) => ({ spec: r, matches: picomatch(r.files, { nocase: true, dot: true }), files: 0 }));
    const patterns: NamePatterns = { flag: o.flagNames.map((p) => new RegExp(p)), switch: o.switchNames.map((p) => new RegExp(p)), transitional: new RegExp(o.transitionalNames, 'i') };

    const definitions: Definition[] = [];
    const problems: DefinitionProblem[] = [];
    const unreadableSources: string[] = [];
    const skipped = { generated: [] as string[], minified: [] as string[] };
    const evidence = new Set<string>();
    // Comment-blanked source code, kept from the first pass (evidence, constants) for the second (call sites).
    // Generated files give constants and registries (a generated accessor's uses are its flag's), never uses of their own.
    const sources: { path: string; code: string; generated: boolean }[] = [];
    const bindings = new Bindings();
    const codeRegistries: CodeRegistry[] = [];
    const settingOnly = new Set<string>();
    const envReads: EnvRead[] = [];
    const functions = new Map<string, FunctionSpan[]>();
    const unreadLanguages = new Map<string, number>();
    let wholesale: string | undefined;
    const deployValues: DeploymentValue[] = [];
    const tfVariables: TerraformVariable[] = [];
    /** Environments that have a .tfvars file: one that does not set a variable serves its default. */
    const tfvarsEnvironments = new Set<string>();
    const tfUses: Reference[] = [];
    const acceptName = (name: string) => naming(name, patterns) !== undefined;

    for (const file of snapshot.files) {
      if (file.kind !== 'file' || excluded(file.path)) continue;
      const candidate = isDefinitionCandidate(file.path) && !notDefinitions(file.path);
      const settings = SETTINGS_FILE.test(file.path) && !notDefinitions(file.path) && !isTestPath(file.path);
      const source = SOURCE_FILE.test(file.path);
      const manifest = MANIFEST_FILE.test(file.path);
      const registryHits = registries.filter((r) => r.matches(file.path));
      const deployment = isDeploymentFile(file.path);
      if (!candidate && !settings && !source && !manifest && !deployment && registryHits.length === 0) {
        const ext = /\.([a-z0-9]+)$/i.exec(file.path)?.[1]?.toLowerCase();
        if (ext && UNREAD_LANGUAGES[ext] && !neverFetched(file.path)) unreadLanguages.set(UNREAD_LANGUAGES[ext]!, (unreadLanguages.get(UNREAD_LANGUAGES[ext]!) ?? 0) + 1);
        continue;
      }
      const content = snapshot.read(file.path);
      if (!content.ok) {
        // Dependency trees and build output are never fetched, and never meant to be read.
        if (content.reason === 'not-fetched' && neverFetched(file.path)) continue;
        if (candidate || registryHits.length > 0) {
          problems.push({ rule: 'unreadable-file', path: file.path, line: 1, message: `could not read this flag definition file (${readProblem(content.reason, content.detail)}), so the flags it defines are unknown` });
        } else if (source && content.reason !== 'not-fetched' && content.reason !== 'not-found') unreadableSources.push(`${file.path} (${content.reason})`);
        continue;
      }
      for (const r of registryHits) {
        r.files++;
        append(definitions, parseRegistry(file.path, content.text, r.spec, (p) => problems.push(p)));
      }
      let defined = 0;
      if (candidate) {
        try {
          const parsed = parseDefinitionFile(file.path, content.text);
          defined = parsed.definitions.length;
          append(definitions, parsed.definitions);
          append(problems, parsed.problems);
        } catch (error) {
          // A hostile file must cost this file, not the check.
          problems.push({ rule: 'unreadable-file', path: file.path, line: 1, message: `could not read flag definitions: ${(error as Error).message}` });
        }
      }
      if (settings && defined === 0 && !source) append(definitions, parseSettingsFile(file.path, content.text));
      if (deployment) {
        if (/\.tf$/i.test(file.path)) {
          const tf = terraformFile(file.path, content.text);
          append(tfVariables, tf.variables);
          for (const u of tf.uses) tfUses.push({ key: u.name, path: file.path, line: u.line, provider: 'terraform', kind: 'call' });
          evidence.add('terraform');
        } else {
          const environment = environmentOf(file.path.replace(/\.[^./]+$/, '')) ?? 'default';
          if (/\.ya?ml$/i.test(file.path)) {
            for (const g of featureGates(content.text)) {
              // The component's maintainers own the gate and retire it upstream: permanent here, never unused.
              definitions.push({ key: g.name, path: file.path, line: g.line, format: 'feature-gate', providers: [], ownFile: false, type: 'operational', owner: 'upstream', values: [{ environment, value: g.value, path: file.path, line: g.line }], naming: 'flag' });
            }
          }
          if (/\.tfvars$/i.test(file.path) && environment !== 'default') tfvarsEnvironments.add(environment);
          if (!isEnvFile(file.path) || environment !== 'default') append(deployValues, deploymentValues(file.path, content.text, environment, acceptName));
        }
      }
      if (manifest) for (const id of sdkEvidence(content.text)) evidence.add(id);
      if (source) {
        if (looksMinified(content.text)) {
          skipped.minified.push(file.path);
          continue;
        }
        const generated = looksGenerated(content.text);
        if (generated) skipped.generated.push(file.path);
        const code = stripComments(content.text, file.path);
        const named = collectBindings(file.path, code);
        bindings.add(file.path, named);
        const found = findCodeRegistries(file.path, code, named);
        append(codeRegistries, found.registries);
        for (const line of found.overrideLines) settingOnly.add(`${file.path}:${line}`);
        sources.push({ path: file.path, code, generated });
        if (generated) continue;
        for (const id of sdkEvidence(content.text)) evidence.add(id);
        append(envReads, findEnvReads(file.path, code, (name) => naming(name, patterns) !== undefined));
        functions.set(file.path, functionsIn(file.path, code));
        if (!wholesale && !isTestPath(file.path) && WHOLESALE.test(code)) wholesale = file.path;
      }
    }

    // In-house registries: each entry defines a flag; `Registry.Member` resolves to its key.
    const memberKeys = new Map<string, Map<string, string>>();
    for (const r of codeRegistries) {
      let members = memberKeys.get(r.name);
      if (!members) memberKeys.set(r.name, (members = new Map()));
      const entitlement = ENTITLEMENT_PATH.test(r.path) ? `it lives in ${r.path}, a licensing/entitlement location` : undefined;
      for (const e of r.entries) {
        members.set(e.member, e.key);
        bindings.addQualified(r.name, e.member, { value: e.key, path: r.path, line: e.line });
        definitions.push({
          key: e.key,
          path: r.path,
          line: e.line,
          format: 'code-registry',
          providers: [],
          ownFile: false,
          defaultServed: e.defaultServed,
          registry: { name: r.shape === 'module' ? r.path : r.name, member: e.member },
          constant: r.shape === 'module' ? e.member : undefined,
          notAFlag: entitlement,
        });
      }
    }

    // Environment toggles: a read bound to a setting defines the flag (its uses are the setting's);
    // a read in the middle of code is a use of a flag the environment defines.
    const switches = new Set<string>();
    const accessorNames = new Map<string, string>();
    const envReferences: Reference[] = [];
    const readsByName = new Map<string, EnvRead[]>();
    for (const r of envReads) {
      if (naming(r.name, patterns) === 'switch') {
        if (!isTestPath(r.path)) switches.add(r.name);
        continue;
      }
      readsByName.set(r.name, [...(readsByName.get(r.name) ?? []), r]);
    }
    for (const [name, reads] of readsByName) {
      const production = reads.filter((r) => !isTestPath(r.path));
      if (production.length === 0) continue;
      const bound = production.filter((r) => r.boundTo !== undefined);
      const defining = bound.length > 0 ? bound : [production[0]!];
      for (const r of defining) {
        definitions.push({ key: name, path: r.path, line: r.line, format: 'environment', providers: [], ownFile: false, defaultServed: r.defaultServed, naming: 'flag', accessor: r.boundTo });
        if (r.boundTo && r.boundTo.length >= 4) accessorNames.set(r.boundTo, name);
      }
      for (const r of production) if (!defining.includes(r)) envReferences.push({ key: name, path: r.path, line: r.line, provider: 'environment', kind: 'call' });
    }

    // Deployment toggles: boolean Terraform variables (their uses are `var.name`), and values set per
    // environment in Helm values, manifests and env files. A configuration switch (ENABLE_X) counts
    // only where environments set it differently or at all in two of them: one value in one place is configuration.
    const tfValues = deployValues.filter((v) => /\.tfvars$/i.test(v.path));
    for (const v of tfVariables) {
      const kind = naming(v.name, patterns);
      if (!kind) continue;
      const values: NonNullable<Definition['values']> = tfValues.filter((x) => x.name === v.name).map((x) => ({ environment: x.environment, value: x.value, path: x.path, line: x.line }));
      // A switch (enable_x) is a toggle where environments set it; a module's plain input otherwise.
      if (!patterns.flag.some((r) => r.test(v.name)) && new Set(values.map((x) => x.environment.split(':')[0]).filter((e) => e !== 'default')).size < 2) continue;
      // An environment with its own .tfvars that leaves the variable out serves the variable's default.
      if (v.defaultServed && values.length > 0) {
        const setIn = new Set(values.map((x) => x.environment));
        for (const environment of [...tfvarsEnvironments].sort()) if (!setIn.has(environment)) values.push({ environment, value: v.defaultServed, path: v.path, line: v.line });
      }
      if (kind === 'switch' && differsByEnvironment(values)) {
        switches.add(v.name);
        continue;
      }
      definitions.push({ key: v.name, path: v.path, line: v.line, format: 'deployment', providers: ['terraform'], ownFile: false, defaultServed: v.defaultServed, values, naming: kind });
    }
    const tfNames = new Set(tfVariables.map((v) => v.name));
    const readsEnvironment = envReads.some((r) => !isTestPath(r.path));
    const valuesByName = new Map<string, DeploymentValue[]>();
    for (const v of deployValues) if (!tfNames.has(v.name)) valuesByName.set(v.name, [...(valuesByName.get(v.name) ?? []), v]);
    for (const [name, values] of valuesByName) {
      const kind = naming(name, patterns)!;
      const environments = new Set(values.map((v) => v.environment.split(':')[0]).filter((e) => e !== 'default'));
      // Named as a flag (FF_X), one place is enough; anything else must be set for two environments at least.
      if (!patterns.flag.some((r) => r.test(name)) && environments.size < 2) continue;
      // A switch set differently per environment is that environment's configuration doing its job, not a rollout.
      if (kind === 'switch' && differsByEnvironment(values)) {
        switches.add(name);
        continue;
      }
      for (const v of values) {
        definitions.push({ key: name, path: v.path, line: v.line, format: 'deployment', providers: readsEnvironment ? ['environment'] : [], ownFile: false, values: [{ environment: v.environment, value: v.value, path: v.path, line: v.line }], naming: kind });
      }
    }
    if (readsEnvironment) evidence.add('environment');

    const wantedSdks = o.sdks.includes('*') ? new Set(SDK_IDS) : new Set(o.sdks);
    const providers = new Set([...evidence, 'gitlab'].filter((id) => wantedSdks.has(id)));
    const extractor = buildExtractor(providers, o.callPatterns);
    const accessors = buildAccessorExtractor([]);
    const definedKeys = new Set(definitions.map((d) => normalise(d.key)));
    const definedExactly = new Set(definitions.map((d) => d.key));
    // A one-word key (`search`) is an everyday word: `before_action :search`, `type: 'Search'` are not
    // uses of it. Such keys count only as the same string; keys of several words in any spelling.
    const mentioned = (k: string, symbol: boolean): boolean => {
      const n = normalise(k);
      if (!definedKeys.has(n)) return false;
      return /[-.:/]/.test(n) || (!symbol && definedExactly.has(k));
    };
    const constants = new Map(definitions.filter((d) => d.constant).map((d) => [d.constant!, d.key]));
    for (const [accessor, key] of accessorNames) if (!constants.has(accessor)) constants.set(accessor, key);
    const constantPattern = constants.size > 0 ? new RegExp(`(?<![\\w$'"])(?:${[...constants.keys()].map((c) => c.replace(/\$/g, '\\$')).join('|')})(?![\\w$'"])`, 'g') : undefined;
    // `FeatureName.NewUi`, `FeatureFlagKeys.NewUi`, `featureFlags.NEW_UI.flag`: a registry's member is its flag.
    const registryNames = [...memberKeys.keys()].filter((n) => !n.includes('/') && /^[A-Za-z_$][\w$]*$/.test(n));
    const memberPattern = registryNames.length > 0 ? new RegExp(`(?<![\\w$])(${registryNames.map(escapeRegex).join('|')})\\s*(?:\\?\\.|\\.|::|->|\\[\\s*['":]?)\\s*([A-Za-z_$][\\w$]*)`, 'g') : undefined;

    const tfDefined = new Set(definitions.filter((d) => d.format === 'deployment' && d.providers.includes('terraform')).map((d) => d.key));
    const references: Reference[] = [...envReferences, ...tfUses.filter((u) => tfDefined.has(u.key))];
    const dynamicCalls: { path: string; offset: number; provider: string; argument?: number }[] = [];
    const scanned = new Map<string, string>();
    const record = (path: string, scan: CallScan) => {
      append(references, scan.refs);
      for (const d of scan.dynamicCalls) dynamicCalls.push({ path, ...d });
    };
    let dynamicOther = 0;
    for (const { path, code, generated } of sources) {
      if (generated) continue;
      scanned.set(path, code);
      const resolve = bindings.resolverFor(path);
      const sdk = extractor.scan(path, code, resolve);
      record(path, sdk);
      dynamicOther += sdk.dynamic - sdk.dynamicCalls.length;
      const named = accessors.scan(path, code, resolve);
      // A call both an SDK and the name say reads a flag is counted once.
      const sdkPlaces = new Set(sdk.refs.map((r) => `${r.line}:${normalise(r.key)}`));
      const sdkDynamic = new Set(sdk.dynamicCalls.map((d) => d.offset));
      record(path, { refs: named.refs.filter((r) => !sdkPlaces.has(`${r.line}:${normalise(r.key)}`)), dynamic: 0, dynamicCalls: named.dynamicCalls.filter((d) => !sdkDynamic.has(d.offset)) });
      if (definedKeys.size > 0 || memberPattern) {
        for (const m of scanMentions(path, code, mentioned, constantPattern)) {
          references.push(constants.has(m.key) && !definedKeys.has(normalise(m.key)) ? { ...m, key: constants.get(m.key)! } : m);
        }
      }
      if (memberPattern) {
        memberPattern.lastIndex = 0;
        const lineOf = lineIndex(code);
        for (const m of code.matchAll(memberPattern)) {
          const key = memberKeys.get(m[1]!)?.get(m[2]!);
          if (key !== undefined) references.push({ key, path, line: lineOf(m.index), provider: '*', kind: 'mention' });
        }
      }
    }

    // The project's own accessors: a function that passes its parameter on as a flag key, followed
    // through up to three levels of wrappers.
    const wrappers: Wrapper[] = [];
    let pending = dynamicCalls.splice(0);
    for (let level = 0; level < 3 && pending.length > 0; level++) {
      const found: Wrapper[] = [];
      const unresolved: typeof pending = [];
      const lines = new Map<string, (offset: number) => number>();
      for (const d of pending) {
        const code = scanned.get(d.path);
        if (code !== undefined && !lines.has(d.path)) lines.set(d.path, lineIndex(code));
        const fn = code !== undefined ? enclosing(functions.get(d.path) ?? [], d.offset) : undefined;
        const texts = fn ? argumentTexts(code!, d.offset, (d.argument ?? 1) + 1) : [];
        const candidates = d.argument !== undefined ? texts.slice(d.argument, d.argument + 1) : texts;
        const wrapper = fn ? candidates.map((a) => wrapperOf(fn, a, d.provider, d.path, lines.get(d.path)!(fn.start))).find((w) => w !== undefined) : undefined;
        if (wrapper && !wrappers.some((w) => w.name === wrapper.name) && !found.some((w) => w.name === wrapper.name)) found.push(wrapper);
        if (!wrapper) unresolved.push(d);
      }
      dynamicCalls.push(...unresolved);
      pending = [];
      if (found.length === 0) break;
      wrappers.push(...found);
      const through = buildAccessorExtractor(found, false);
      pending = [];
      for (const [path, code] of scanned) {
        const scan = through.scan(path, code, bindings.resolverFor(path));
        append(references, scan.refs);
        for (const d of scan.dynamicCalls) pending.push({ path, ...d });
      }
    }
    dynamicCalls.push(...pending);
    const dynamic = dynamicOther + dynamicCalls.length;
    const firstDynamic = dynamicCalls[0]?.path;

    const registryKeys = new Set(definitions.filter((d) => d.format === 'code-registry').map((d) => normalise(d.key)));
    const clientReads = references.some((r) => CLIENT_FILE.test(r.path) && !isTestPath(r.path) && registryKeys.has(normalise(r.key)));
    const registryServedElsewhere = wholesale !== undefined && !clientReads && registryKeys.size > 0;

    const keys = new Set([...definedKeys, ...references.filter((r) => r.kind === 'call').map((r) => normalise(r.key))]);
    const history = indexHistory(snapshot.history, snapshot.pullRequests, keys, normalise);
    const anyCall = references.some((r) => r.kind === 'call' && !isTestPath(r.path));
    const callsProvider = (p: string): boolean => anyCall || (p === '*' ? evidence.size > 0 : evidence.has(p));
    const verdict = judge({ definitions, references, history, options: o, normalise, isTest: isTestPath, now: ctx.now, callsProvider, settingOnly, registryServedElsewhere });
    const flags = verdict.flags;
    // DEBUG-FLAGS
    if (process.env.SW_FLAGS_DEBUG) for (const f of flags) console.error(`FLAG ${f.key} | ${f.defs.map((d) => `${d.format}:${d.path}:${d.line}${d.defaultServed ? ':' + d.defaultServed : ''}`).slice(0, 2).join(',')} | prov ${f.providers.join(',')} | refs ${f.refs.length} prod ${f.refs.filter((r) => !isTestPath(r.path)).length} ${f.refs.slice(0, 3).map((r) => `${r.kind}@${r.path}:${r.line}`).join(' ')} | age ${f.age ? `${f.age.days}${f.age.bound}` : f.ageUnknown} | ${f.reasons.map((r) => r.kind).join(',')}`);

    // Findings: stale and aging flags, worst first and capped, then what could not be read.
    const reported = flags.filter((f) => f.reasons.length > 0).sort((a, b) => badness(b) - badness(a) || a.key.localeCompare(b.key));
    const flagFindings = reported.slice(0, o.maxFlagFindings).map((f) => describe(f, o));
    flagFindings.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || (a.path ?? '').localeCompare(b.path ?? '') || (a.line ?? 0) - (b.line ?? 0));
    if (reported.length > o.maxFlagFindings) {
      const rest = reported.slice(o.maxFlagFindings);
      const restStale = rest.filter(isStale).length;
      flagFindings.push({
        rule: ruleOf(rest[0]!.reasons),
        severity: 'low',
        message: `…and ${rest.length} more flags not listed (${restStale} stale, ${rest.length - restStale} aging; only the worst ${o.maxFlagFindings} are listed, raise maxFlagFindings for more): ${listed(rest.map((f) => f.key), 20)}`,
      });
    }
    const notes: Finding<Rule>[] = [];
    const defined = flags.filter((f) => f.defs.length > 0);
    const untyped = defined.filter((f) => f.typeSource !== 'declared');
    const unowned = defined.filter((f) => !f.owner);
    const penalty = penaltyOf({ definitions: defined.length, untyped: untyped.length, unowned: unowned.length, typePenalty: o.typePenalty, ownerPenalty: o.ownerPenalty });
    if (untyped.length > 0) {
      const unknown = [...new Set(untyped.map((f) => f.unknownType).filter((t): t is string => t !== undefined))];
      notes.push({
        rule: 'untyped-flag',
        severity: 'low',
        path: untyped[0]!.defs[0]!.path,
        line: untyped[0]!.defs[0]!.line,
        message:
          `${untyped.length} of ${plural(defined.length, 'flag definition')} declare no known type (${listed(untyped.map((f) => f.key), 5)}), so whether they are meant to go away is guessed: add a type (release, experiment, operational, kill-switch, permission, fault-injection)` +
          (unknown.length > 0 ? `; types not recognised: ${unknown.map((t) => `"${t}"`).join(', ')} (map them with typeAliases)` : '') +
          ` (−${points(penalty.type)} points)`,
      });
    }
    if (unowned.length > 0) {
      notes.push({
        rule: 'flag-without-owner',
        severity: 'low',
        path: unowned[0]!.defs[0]!.path,
        line: unowned[0]!.defs[0]!.line,
        message: `${unowned.length} of ${plural(defined.length, 'flag definition')} name no owner (${listed(unowned.map((f) => f.key), 5)}): add an owner or team so someone removes them (−${points(penalty.owner)} points)`,
      });
    }
    if (verdict.undatedMilestones.length > 0) {
      notes.push({ rule: 'undated-milestone', severity: 'info', message: `milestones without a release date in the milestones option: ${listed(verdict.undatedMilestones, 10)}; ages of their flags come from the history instead` });
    }
    const unknownAge = flags.filter((f) => f.ageUnknown !== undefined && f.reasons.length === 0);
    const window = history.available
      ? history.unit === 'commits'
        ? `only the last ${plural(history.commitCount, 'commit')} ${history.commitCount === 1 ? 'was' : 'were'} read, back to ${history.oldest!.slice(0, 10)}`
        : `only ${plural(history.commitCount, 'merged pull request')} and no commits ${history.commitCount === 1 ? 'was' : 'were'} read, back to ${history.oldest!.slice(0, 10)}`
      : '';
    if (unknownAge.length > 0) {
      const places = listed(
        unknownAge.map((f) => {
          const at = f.defs[0] ?? f.refs.find((r) => r.kind === 'call');
          return at ? `${f.key} (${at.path}:${at.line})` : f.key;
        }),
        o.maxListedReferences,
      );
      const first = unknownAge.find((f) => f.defs.length > 0)?.defs[0] ?? unknownAge[0]!.refs.find((r) => r.kind === 'call');
      notes.push(
        history.available
          ? {
              rule: 'flag-age-unknown',
              severity: 'low',
              path: first?.path,
              line: first?.line,
              message: `${plural(unknownAge.length, 'flag')} of unknown age, not judged by age: ${window}, and the files that define or call them are older than that, so they may well be old. Raise crawl.historyLimit (or crawl a full clone), or record a created or expiry date for each (in its definition, or in a flag list for remote flags): ${places}`,
            }
          : {
              rule: 'flag-age-unknown',
              severity: 'info',
              path: first?.path,
              line: first?.line,
              message: `${plural(unknownAge.length, 'flag')} of unknown age, not judged by age: no commit history was read, and no definition dates ${unknownAge.length === 1 ? 'it' : 'them'}: ${places}`,
            },
      );
    } else if (history.available && !history.complete && flags.some((f) => f.age?.atLeast)) {
      notes.push({ rule: 'flag-age-unknown', severity: 'info', message: `${window} (raise crawl.historyLimit for more): ages of flags older than that are lower bounds ("at least N days")` });
    }
    if (verdict.usedElsewhere.length > 0) {
      const first = verdict.usedElsewhere.map((f) => f.defs[0]!).reduce((a, b) => (b.path < a.path || (b.path === a.path && b.line < a.line) ? b : a));
      const why = registryServedElsewhere
        ? `${wholesale} hands every flag to clients that are not in this repository, so the ${plural(verdict.usedElsewhere.length, 'registry flag')} no code here reads (${listed(verdict.usedElsewhere.map((f) => f.key), 5)}) may be read there and were not judged unused`
        : `no code in this repository calls a flag SDK, so the ${plural(verdict.usedElsewhere.length, 'flag')} defined here (${listed(verdict.usedElsewhere.map((f) => f.key), 5)}) serve other repositories and were not judged unused`;
      notes.push({ rule: 'flags-served-elsewhere', severity: 'info', path: first.path, line: first.line, message: `${why}; their age and rollout still count` });
    }
    if (dynamic > 0) {
      notes.push({ rule: 'dynamic-flag-key', severity: 'info', path: firstDynamic, message: `${plural(dynamic, 'flag call site')} compute${dynamic === 1 ? 's' : ''} the key (a variable or a template), so ${dynamic === 1 ? 'it is' : 'they are'} not checked${firstDynamic ? ' (the first is in this file)' : ''}` });
    }
    if (wrappers.length > 0) {
      notes.push({ rule: 'dynamic-flag-key', severity: 'info', path: wrappers[0]!.path, line: wrappers[0]!.line, message: `read as flag accessors, since they pass a parameter on as a flag key: ${listed(wrappers.map((w) => `${w.name} (${w.path}:${w.line})`), 5)}` });
    }
    for (const r of registries) {
      if (r.files === 0) notes.push({ rule: 'registry-matches-nothing', severity: 'low', message: `registry "${r.spec.files}" matches no file this check reads (source files and flag-named YAML/JSON): its flags are unknown` });
    }
    const unreadable: Finding<Rule>[] = problems.map((p) => ({ rule: p.rule ?? 'malformed-flag-definition', severity: 'low' as const, path: p.path, line: p.line, message: p.message }));
    if (unreadableSources.length > 0) {
      unreadable.push({ rule: 'unreadable-file', severity: 'low', message: `${plural(unreadableSources.length, 'source file')} could not be read, so flag references in them are unknown: ${listed(unreadableSources, 5)}` });
    }
    if (skipped.generated.length + skipped.minified.length > 0) {
      const parts = [skipped.generated.length > 0 ? `${plural(skipped.generated.length, 'generated file')} (${listed(skipped.generated, 3)}; their constants and registries are read, and uses of them count)` : '', skipped.minified.length > 0 ? `${plural(skipped.minified.length, 'minified file')} (${listed(skipped.minified, 3)})` : ''].filter(Boolean);
      notes.push({ rule: 'files-not-read', severity: 'info', message: `not read for references: ${parts.join(' and ')}` });
    }
    if (unreadLanguages.size > 0) {
      notes.push({ rule: 'files-not-read', severity: 'info', message: `languages this check does not read, so flags used there are unknown: ${[...unreadLanguages].map(([l, n]) => `${l} (${plural(n, 'file')})`).join(', ')}` });
    }

    const notFlagsNote = verdict.notFlags.length > 0 ? `; ${plural(verdict.notFlags.length, 'licensing/entitlement feature')} left out (${listed(verdict.notFlags.map((n) => n.key), 3)})` : '';
    const switchNote = switches.size > 0 ? `; ${plural(switches.size, 'configuration switch', 'configuration switches')} (${listed([...switches].sort(), 3)}) read as permanent settings, not flags` : '';
    if (flags.length === 0) {
      if (dynamic > 0) {
        // Flag calls exist: the practice is there even though no key could be resolved.
        return {
          status: 'warn',
          score: null,
          summary: `Flags not judged: ${plural(dynamic, 'flag call site')} found, but none names its key in a way this check can resolve (a variable, a parameter or a template)${switchNote}.`,
          findings: [...unreadable, ...notes],
        };
      }
      return { status: 'not-applicable', score: null, summary: `No feature flags: no flag definitions and no flag call sites${switchNote}${notFlagsNote}.`, findings: [...unreadable, ...notes] };
    }

    const stale = flags.filter(isStale);
    const aging = flags.filter(isAging);
    const judged = flags.filter((f) => f.lifetime !== null || isStale(f));
    const unknownJudged = unknownAge.filter((f) => f.lifetime !== null).length;
    const removals = history.removals;
    const scoreParts = {
      judged: judged.length,
      stale: stale.length,
      aging: aging.length,
      unknown: unknownJudged,
      removals: removals.length,
      definitions: defined.length,
      untyped: untyped.length,
      unowned: unowned.length,
      typePenalty: o.typePenalty,
      ownerPenalty: o.ownerPenalty,
    };
    const score = scoreOf({ ...scoreParts, floorWithoutStale: o.warnAt });
    const raisedToWarning = score > scoreOf(scoreParts);

    const REASON_WORDS: Partial<Record<Reason['kind'], string>> = { expired: 'expired', 'too-old': 'past lifetime', 'rolled-out': 'static', settled: 'settled', unreferenced: 'unused', undefined: 'undefined' };
    const reasonCounts = new Map<string, number>();
    for (const [kind, word] of Object.entries(REASON_WORDS)) {
      const n = stale.filter((f) => f.reasons.some((r) => r.kind === kind)).length;
      if (n > 0) reasonCounts.set(word, n);
    }
    const remote = flags.length - defined.length;
    const temporary = flags.filter((f) => f.lifetime !== null);
    const stalePermanent = stale.filter((f) => f.lifetime === null).length;
    const parts = [
      `${plural(flags.length, 'flag')} (${[defined.length > 0 ? `${defined.length} defined here` : '', remote > 0 ? `${remote} only in code` : ''].filter(Boolean).join(', ')})`,
      stale.length === 0 && temporary.length === 0
        ? 'no temporary flags, none stale'
        : `${stale.length} stale of ${temporary.length} temporary${stalePermanent > 0 ? ` and ${stalePermanent} permanent` : ''}${reasonCounts.size > 0 ? ` (${[...reasonCounts].map(([w, n]) => `${n} ${w}`).join(', ')})` : ''}`,
    ];
    if (aging.length > 0) parts.push(`${aging.length} aging`);
    if (unknownAge.length > 0) parts.push(`${unknownAge.length} of unknown age`);
    if (removals.length > 0) parts.push(`${plural(removals.length, 'commit')} in the history read remove${removals.length === 1 ? 's' : ''} flags (latest ${removals[0]!.oid.slice(0, 7)} on ${removals[0]!.date.slice(0, 10)}: "${removals[0]!.title.slice(0, 60)}")`);
    if (defined.length > 0) {
      parts.push(untyped.length === 0 && unowned.length === 0 ? 'every definition names a type and an owner' : `${untyped.length} of ${defined.length} definitions without a type, ${unowned.length} without an owner`);
    }
    // What could not be judged never raises a status: when most temporary flags are of unknown age, at most a warning.
    const temporaryCount = flags.filter((f) => f.lifetime !== null).length;
    let status = statusFromScore(score, o);
    if (status === 'pass' && unknownAge.length * 2 > temporaryCount) {
      status = 'warn';
      parts.push(`at most a warning: the age of ${unknownAge.length} of ${temporaryCount} flags could not be judged`);
    } else if (status === 'pass' && aging.length > 0) {
      // An old flag nobody typed is a warning with its age: the team has to look at it.
      status = 'warn';
      parts.push(`at most a warning: ${plural(aging.length, 'flag is', 'flags are')} old with nothing that shows ${aging.length === 1 ? 'it is' : 'they are'} done`);
    }
    if (raisedToWarning) {
      parts.push('no flag is shown stale: old flags alone are a warning, not a failure');
    }
    return {
      status,
      score,
      summary: parts.join('; ') + switchNote + notFlagsNote,
      findings: [...flagFindings, ...notes.filter((n) => n.severity !== 'info'), ...unreadable, ...notes.filter((n) => n.severity === 'info')],
    };
  },
});

export type { StaleFlagsOptions };
