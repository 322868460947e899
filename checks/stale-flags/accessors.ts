// Flag accessors recognised by name, in any repository and any language we read: a function or
// method whose name says it reads a flag (`isFeatureEnabled`, `useFeatureFlag`, `feature_enabled?`,
// `require_feature_flag`, `getFeatureFlag`), or a predicate called on something whose name says it
// holds flags (`FeatureService.enabled?`, `flagResolver.isEnabled`, `Features.on?`). Names that set,
// list or load flags (`enableFeature`, `getAllFlags`, `setFlag`) are not accessors, and neither are
// plans, licences or entitlements.
import { nameWords } from './structure.ts';

const FLAG_WORDS = new Set(['feature', 'features', 'flag', 'flags', 'toggle', 'toggles', 'experiment', 'experiments', 'ff']);
const PREDICATE_WORDS = new Set(['enabled', 'disabled', 'active', 'variant', 'variation', 'value', 'allowed']);
const LEADING_VERBS = new Set(['is', 'use', 'get', 'check', 'require', 'evaluate', 'eval', 'read', 'fetch']);
const NOT_ACCESSOR = new Set([
  'set', 'enable', 'disable', 'update', 'create', 'delete', 'remove', 'add', 'list', 'all', 'register', 'init', 'initialize', 'load', 'reset', 'override', 'overrides', 'mock', 'stub', 'clear',
  'save', 'store', 'sync', 'refresh', 'bootstrap', 'plan', 'plans', 'license', 'licence', 'entitlement', 'entitlements', 'billing', 'subscription', 'tier', 'type', 'types', 'description', 'options',
  'config', 'configs', 'definition', 'definitions', 'names', 'keys', 'for', 'user', 'users', 'team', 'bitwise', 'mask', 'parse', 'format', 'render', 'count', 'map', 'to', 'from', 'payload', 'payloads',
]);

const memo = new Map<string, boolean>();

/** A function name that reads one flag: isFeatureEnabled, useFeatureFlag, feature_enabled?, getFeatureFlag, useUiFlag. */
export function isAccessorName(name: string): boolean {
  const bare = name.replace(/[?!]$/, '');
  let hit = memo.get(name);
  if (hit !== undefined) return hit;
  const w = nameWords(bare);
  const last = w[w.length - 1] ?? '';
  const flagWord = w.some((x) => FLAG_WORDS.has(x));
  // `isFeatureEnabled`, `featureIsOn`; or a verb first and the flag last (`useFlag`, `getFeatureFlag`, `hasFeature`).
  // `getFlag`/`hasFlag` also read per-record markers (`user.getFlag(UserFlag.InviteSent)`): a bare "flag" needs a predicate word.
  // `hasFeature(model, 'tags')` and `getFeature(id)` are capabilities and map features: "feature" last needs `use`/`require`.
  const strongLast = (last === 'flag' && w.includes('feature')) || last === 'toggle' || (last === 'feature' && (w[0] === 'use' || w[0] === 'require'));
  const predicate = w.some((x) => PREDICATE_WORDS.has(x)) || last === 'on' || last === 'off' || (w.length > 1 && LEADING_VERBS.has(w[0]!) && strongLast) || (name.endsWith('?') && strongLast);
  // `toggleFeature(x)` sets it; `onToggleBanner`, `handleFlagChange` handle events.
  const verbFirst = w[0] === 'toggle' || w[0] === 'flag' || w[0] === 'on' || w[0] === 'handle';
  // `getFeatureFlags(user)` loads them all; `isFeatureFlagsEnabled` still reads one.
  const plural = /^(flags|features|toggles|experiments)$/.test(last) && !w.some((x) => PREDICATE_WORDS.has(x));
  hit = w.length >= 2 && flagWord && predicate && !verbFirst && !plural && !w.some((x) => NOT_ACCESSOR.has(x));
  memo.set(name, hit);
  return hit;
}

/** Predicates that read a flag when called on a flag holder: `FeatureService.enabled?`, `flagResolver.isEnabled`. */
const PREDICATE_METHODS = new Set([
  'enabled?', 'enabled', 'isEnabled', 'is_enabled', 'IsEnabled', 'IsEnabledAsync', 'isEnabledAsync', 'active?', 'isActive', 'is_active', 'IsActive', 'on?', 'isOn', 'is_on', 'IsOn', 'off?', 'isOff',
  'disabled?', 'isDisabled', 'is_disabled', 'IsDisabled', 'variant', 'getVariant', 'get_variant', 'GetVariant', 'variation', 'Variation',
]);
/** Getters that read a flag only on a holder that is plainly a set of flags (`features.get('x')`, `Flags.value(:x)`). */
const GETTER_METHODS = new Set(['get', 'Get', 'value', 'getValue', 'check', 'has', 'fetch', '[]']);

const receiverMemo = new Map<string, 'holder' | 'set' | false>();

/** `holder`: a name about flags (flagResolver, FeatureService); `set`: a name that is a set of flags (features, Flags, featureToggles). */
function receiverKind(receiver: string): 'holder' | 'set' | false {
  let k = receiverMemo.get(receiver);
  if (k !== undefined) return k;
  const w = nameWords(receiver);
  if (w.length === 0 || w.some((x) => NOT_ACCESSOR.has(x) && x !== 'config')) k = false;
  else if (w.length === 1 && /^(features|flags|toggles|switches|feature_flags)$/.test(w[0]!)) k = 'set';
  else if (w.includes('feature') && (w.includes('flags') || w.includes('toggles'))) k = 'set';
  else if (w.some((x) => FLAG_WORDS.has(x))) k = 'holder';
  else k = false;
  receiverMemo.set(receiver, k);
  return k;
}

/** Whether `receiver.method(…)` reads a flag; `receiver` is the last name before the method ('' for a plain call). */
export function isAccessorCall(receiver: string, method: string): boolean {
  if (receiver === '') return isAccessorName(method);
  if (isAccessorName(method)) return true;
  const kind = receiverKind(receiver);
  if (!kind) return false;
  if (PREDICATE_METHODS.has(method)) return true;
  return kind === 'set' && GETTER_METHODS.has(method);
}
