// Standards: Martin Fowler, "Feature Toggles (aka Feature Flags)" (https://martinfowler.com/articles/feature-toggles.html); OpenFeature specification (https://openfeature.dev/specification/); GitLab feature flag lifecycle (https://docs.gitlab.com/development/feature_flags/); flagd flag definitions (https://flagd.dev/reference/flag-definitions/).
import picomatch from 'picomatch';
import { defineCheck, statusFromScore, type Finding, type RepoSnapshot } from '../contract.ts';
import { RULES, type Rule } from './rules.ts';
import { FORMAT_LABELS, isDefinitionCandidate, parseDefinitionFile, parseRegistry, type Definition, type DefinitionProblem } from './definitions.ts';
import { isTestPath, looksGenerated, looksMinified, MANIFEST_FILE, neverFetched, READS, SOURCE_FILE } from './files.ts';
import { indexHistory } from './history.ts';
import { judge, type Flag, type Reason } from './judge.ts';
import { keyNormaliser } from './keys.ts';
import { stripComments } from './lexer.ts';
import { options, type StaleFlagsOptions } from './options.ts';
import { Bindings, buildExtractor, collectBindings, scanMentions, sdkEvidence, type Reference } from './references.ts';
import { penaltyOf, scoreOf } from './score.ts';
import { SDK_IDS, sdkLabel } from './sdks.ts';

const SEVERITY_RANK = { info: 0, low: 1, medium: 2, high: 3 } as const;

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function listed(items: string[], max: number): string {
  return items.length > max ? `${items.slice(0, max).join(', ')} and ${items.length - max} more` : items.join(', ');
}

function reasonText(reason: Reason, flag: Flag): string {
  switch (reason.kind) {
    case 'expired':
      return `expired on ${reason.on} (${reason.where})`;
    case 'too-old':
      return `is ${reason.age.atLeast ? 'at least ' : ''}${reason.age.days} days old, past the ${reason.lifetime}-day lifetime of ${/^[aeiou]/.test(flag.category) ? 'an' : 'a'} ${flag.category} flag (${reason.age.how})`;
    case 'rolled-out':
      return `${reason.served === 'on' ? 'has been fully rolled out' : reason.served === 'off' ? 'has been off for everyone' : 'has served one value to everyone'} (${reason.detail}) with its definition unchanged for ${reason.atLeast ? 'at least ' : ''}${reason.days} days`;
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
  return reasons.every((r) => r.kind === 'unreferenced') ? 'low' : 'medium';
}

/** What to do about a stale flag: define or remove it, delete an unused one, or retire it for the strongest reason it is stale. */
function ruleOf(reasons: Reason[]): Rule {
  const kinds = new Set(reasons.map((r) => r.kind));
  if (kinds.has('undefined')) return 'undefined-flag';
  if (kinds.has('expired')) return 'expired-flag';
  if (kinds.has('rolled-out')) return 'flag-fully-rolled-out';
  if (kinds.has('too-old')) return 'flag-past-lifetime';
  return 'unused-flag';
}

function describe(flag: Flag, o: StaleFlagsOptions): Finding<Rule> {
  const places = flag.refs.map((r) => `${r.path}:${r.line}`);
  const refs = listed(places, o.maxListedReferences);
  const typeNote =
    flag.typeSource === 'declared'
      ? ''
      : flag.typeSource === 'key'
        ? `; no type declared, ${flag.category} by its key`
        : `; no type declared, assumed ${flag.category}`;
  const origin = flag.defs.length > 0 ? FORMAT_LABELS[flag.defs[0]!.format] : flag.providers.length > 0 ? `${flag.providers.map(sdkLabel).join(', ')}, no definition here` : 'no definition here';
  const head = `${flag.category} flag "${flag.key}" (${origin}${typeNote}) ${flag.reasons.map((r) => reasonText(r, flag)).join('; ')}.`;
  let action: string;
  const kinds = new Set(flag.reasons.map((r) => r.kind));
  if (kinds.has('undefined')) action = `Define it or remove ${places.length === 1 ? 'the call site' : `all ${places.length} call sites`}: ${refs}`;
  else if (kinds.size === 1 && kinds.has('unreferenced')) action = places.length > 0 ? `Delete its definition and the tests that use it: ${refs}` : 'Delete its definition.';
  else {
    // OpenFeature is an API: the flag lives in whichever provider serves it.
    const where = flag.providers.map((p) => (p === 'openfeature' ? 'the OpenFeature provider' : sdkLabel(p))).join(', ');
    const first = flag.defs.length > 0 ? 'Remove the definition' : flag.providers.length > 0 ? `Archive it in ${where}` : 'Retire it';
    const them = places.length === 1 ? 'the reference' : `all ${places.length} references`;
    action = places.length > 0 ? `${first} and ${flag.defs.length > 0 ? them : `remove ${them}`}: ${refs}` : `${first}.`;
  }
  const at = flag.defs[0] ?? flag.refs.find((r) => r.kind === 'call' && !isTestPath(r.path)) ?? flag.refs[0];
  return { rule: ruleOf(flag.reasons), severity: severityOf(flag.reasons), path: at?.path, line: at?.line, message: `${head} ${action}` };
}

/** push(...items) overflows the stack on a few hundred thousand items; a file can hold that many mentions. */
function append<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}

function readProblem(reason: string, detail?: string): string {
  return `${reason}${detail ? `: ${detail}` : ''}`;
}

export default defineCheck({
  id: 'stale-flags',
  meta: {
    title: 'Stale feature flags',
    description: 'Feature flags are removed once they have served their purpose: none past its lifetime, none fully rolled out for weeks, none defined but unused or used but undefined.',
    category: 'maintenance',
    weight: 2,
    version: 1,
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

    const definitions: Definition[] = [];
    const problems: DefinitionProblem[] = [];
    const unreadableSources: string[] = [];
    const skipped = { generated: [] as string[], minified: [] as string[] };
    const evidence = new Set<string>();
    // Comment-blanked source code, kept from the first pass (evidence, constants) for the second (call sites).
    const sources: { path: string; code: string }[] = [];
    const bindings = new Bindings();

    for (const file of snapshot.files) {
      if (file.kind !== 'file' || excluded(file.path)) continue;
      const candidate = isDefinitionCandidate(file.path) && !notDefinitions(file.path);
      const source = SOURCE_FILE.test(file.path);
      const manifest = MANIFEST_FILE.test(file.path);
      const registryHits = registries.filter((r) => r.matches(file.path));
      if (!candidate && !source && !manifest && registryHits.length === 0) continue;
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
      if (candidate) {
        try {
          const parsed = parseDefinitionFile(file.path, content.text);
          append(definitions, parsed.definitions);
          append(problems, parsed.problems);
        } catch (error) {
          // A hostile file must cost this file, not the check.
          problems.push({ rule: 'unreadable-file', path: file.path, line: 1, message: `could not read flag definitions: ${(error as Error).message}` });
        }
      }
      if (manifest) for (const id of sdkEvidence(content.text)) evidence.add(id);
      if (source) {
        if (looksMinified(content.text)) skipped.minified.push(file.path);
        else if (looksGenerated(content.text)) skipped.generated.push(file.path);
        else {
          const code = stripComments(content.text, file.path);
          sources.push({ path: file.path, code });
          bindings.add(file.path, collectBindings(file.path, code));
          for (const id of sdkEvidence(content.text)) evidence.add(id);
        }
      }
    }

    const wantedSdks = o.sdks.includes('*') ? new Set(SDK_IDS) : new Set(o.sdks);
    const providers = new Set([...evidence, 'gitlab'].filter((id) => wantedSdks.has(id)));
    const extractor = buildExtractor(providers, o.callPatterns);
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
    const constantPattern = constants.size > 0 ? new RegExp(`(?<![\\w$'"])(?:${[...constants.keys()].map((c) => c.replace(/\$/g, '\\$')).join('|')})(?![\\w$'"])`, 'g') : undefined;
    const references: Reference[] = [];
    let dynamic = 0;
    let firstDynamic: string | undefined;
    for (const { path, code } of sources) {
      const scan = extractor.scan(path, code, bindings.resolverFor(path));
      append(references, scan.refs);
      if (scan.dynamic > 0) {
        dynamic += scan.dynamic;
        firstDynamic ??= path;
      }
      if (definedKeys.size > 0) {
        for (const m of scanMentions(path, code, mentioned, constantPattern)) {
          references.push(constants.has(m.key) && !definedKeys.has(normalise(m.key)) ? { ...m, key: constants.get(m.key)! } : m);
        }
      }
    }

    const keys = new Set([...definedKeys, ...references.filter((r) => r.kind === 'call').map((r) => normalise(r.key))]);
    const history = indexHistory(snapshot.history, snapshot.pullRequests, keys, normalise);
    const anyCall = references.some((r) => r.kind === 'call' && !isTestPath(r.path));
    const callsProvider = (p: string): boolean => anyCall || (p === '*' ? evidence.size > 0 : evidence.has(p));
    const verdict = judge({ definitions, references, history, options: o, normalise, isTest: isTestPath, now: ctx.now, callsProvider });
    const flags = verdict.flags;

    // Findings: stale flags at their definitions (or first reference), then what could not be read.
    const flagFindings = flags.filter((f) => f.reasons.length > 0).map((f) => describe(f, o));
    flagFindings.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || (a.path ?? '').localeCompare(b.path ?? '') || (a.line ?? 0) - (b.line ?? 0));
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
          `${untyped.length} of ${plural(defined.length, 'flag definition')} declare no known type (${listed(untyped.map((f) => f.key), 5)}), so their lifetime is guessed: add a type (release, experiment, operational, kill-switch, permission, fault-injection)` +
          (unknown.length > 0 ? `; types not recognised: ${unknown.map((t) => `"${t}"`).join(', ')} (map them with typeAliases)` : '') +
          ` (−${penalty.type.toFixed(1)} points)`,
      });
    }
    if (unowned.length > 0) {
      notes.push({
        rule: 'flag-without-owner',
        severity: 'low',
        path: unowned[0]!.defs[0]!.path,
        line: unowned[0]!.defs[0]!.line,
        message: `${unowned.length} of ${plural(defined.length, 'flag definition')} name no owner (${listed(unowned.map((f) => f.key), 5)}): add an owner or team so someone removes them (−${penalty.owner.toFixed(1)} points)`,
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
              message: `${plural(unknownAge.length, 'temporary flag')} of unknown age, not judged by age: ${window}, and the files that define or call them are older than that, so they may well be past their lifetime. Raise crawl.historyLimit (or crawl a full clone), or record a created or expiry date for each (in its definition, or in a flag list for remote flags): ${places}`,
            }
          : {
              rule: 'flag-age-unknown',
              severity: 'info',
              path: first?.path,
              line: first?.line,
              message: `${plural(unknownAge.length, 'temporary flag')} of unknown age, not judged by age: no commit history was read, and no definition dates ${unknownAge.length === 1 ? 'it' : 'them'}: ${places}`,
            },
      );
    } else if (history.available && !history.complete && flags.some((f) => f.age?.basis === 'before-history')) {
      notes.push({ rule: 'flag-age-unknown', severity: 'info', message: `${window} (raise crawl.historyLimit for more): ages of files older than that are bounded by it` });
    }
    if (verdict.usedElsewhere.length > 0) {
      const first = verdict.usedElsewhere.map((f) => f.defs[0]!).reduce((a, b) => (b.path < a.path || (b.path === a.path && b.line < a.line) ? b : a));
      notes.push({
        rule: 'flags-served-elsewhere',
        severity: 'info',
        path: first.path,
        line: first.line,
        message: `no code in this repository calls a flag SDK, so the ${plural(verdict.usedElsewhere.length, 'flag')} defined here (${listed(verdict.usedElsewhere.map((f) => f.key), 5)}) serve other repositories and were not judged unused; their age and rollout still count`,
      });
    }
    if (dynamic > 0) {
      notes.push({ rule: 'dynamic-flag-key', severity: 'info', path: firstDynamic, message: `${plural(dynamic, 'flag call site')} compute${dynamic === 1 ? 's' : ''} the key (a variable or a template), so ${dynamic === 1 ? 'it is' : 'they are'} not checked (the first is in this file)` });
    }
    for (const r of registries) {
      if (r.files === 0) notes.push({ rule: 'registry-matches-nothing', severity: 'low', message: `registry "${r.spec.files}" matches no file this check reads (source files and flag-named YAML/JSON): its flags are unknown` });
    }
    const unreadable: Finding<Rule>[] = problems.map((p) => ({ rule: p.rule ?? 'malformed-flag-definition', severity: 'low' as const, path: p.path, line: p.line, message: p.message }));
    if (unreadableSources.length > 0) {
      unreadable.push({ rule: 'unreadable-file', severity: 'low', message: `${plural(unreadableSources.length, 'source file')} could not be read, so flag references in them are unknown: ${listed(unreadableSources, 5)}` });
    }
    if (skipped.generated.length + skipped.minified.length > 0) {
      const parts = [skipped.generated.length > 0 ? `${plural(skipped.generated.length, 'generated file')} (${listed(skipped.generated, 3)})` : '', skipped.minified.length > 0 ? `${plural(skipped.minified.length, 'minified file')} (${listed(skipped.minified, 3)})` : ''].filter(Boolean);
      notes.push({ rule: 'files-not-read', severity: 'info', message: `not read for references: ${parts.join(' and ')}` });
    }

    const notFlagsNote = verdict.notFlags.length > 0 ? `; ${plural(verdict.notFlags.length, 'licensing/entitlement feature')} left out (${listed(verdict.notFlags.map((n) => n.key), 3)})` : '';
    if (flags.length === 0) {
      return { status: 'not-applicable', score: null, summary: `No feature flags: no flag definitions and no flag SDK call sites${notFlagsNote}.`, findings: [...unreadable, ...notes] };
    }

    const stale = flags.filter((f) => f.reasons.length > 0);
    const temporary = flags.filter((f) => f.lifetime !== null);
    const score = scoreOf({
      temporary: temporary.length,
      stale: stale.length,
      stalePermanent: stale.filter((f) => f.lifetime === null).length,
      definitions: defined.length,
      untyped: untyped.length,
      unowned: unowned.length,
      typePenalty: o.typePenalty,
      ownerPenalty: o.ownerPenalty,
    });

    const REASON_WORDS: Record<Reason['kind'], string> = { expired: 'expired', 'too-old': 'past lifetime', 'rolled-out': 'static', unreferenced: 'unused', undefined: 'undefined' };
    const reasonCounts = new Map<string, number>();
    for (const [kind, word] of Object.entries(REASON_WORDS)) {
      const n = stale.filter((f) => f.reasons.some((r) => r.kind === kind)).length;
      if (n > 0) reasonCounts.set(word, n);
    }
    const remote = flags.length - defined.length;
    const stalePermanent = stale.filter((f) => f.lifetime === null).length;
    const parts = [
      `${plural(flags.length, 'flag')} (${[defined.length > 0 ? `${defined.length} defined here` : '', remote > 0 ? `${remote} only in code` : ''].filter(Boolean).join(', ')})`,
      stale.length === 0 && temporary.length === 0
        ? 'no temporary flags, none stale'
        : `${stale.length} stale of ${temporary.length} temporary${stalePermanent > 0 ? ` and ${stalePermanent} permanent` : ''}${reasonCounts.size > 0 ? ` (${[...reasonCounts].map(([w, n]) => `${n} ${w}`).join(', ')})` : ''}`,
    ];
    if (unknownAge.length > 0) parts.push(`${unknownAge.length} of unknown age`);
    if (defined.length > 0) {
      parts.push(untyped.length === 0 && unowned.length === 0 ? 'every definition names a type and an owner' : `${untyped.length} of ${defined.length} definitions without a type, ${unowned.length} without an owner`);
    }
    return {
      status: statusFromScore(score, o),
      score,
      summary: parts.join('; ') + notFlagsNote,
      findings: [...flagFindings, ...notes.filter((n) => n.severity !== 'info'), ...unreadable, ...notes.filter((n) => n.severity === 'info')],
    };
  },
});

export type { StaleFlagsOptions };
