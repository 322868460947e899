// The flag SDKs whose call sites name a flag key, per provider. A provider's calls count only in a
// repository that shows the SDK (its package in a manifest or an import in a source file), because
// names such as `isEnabled`, `getValue` or `variation` are common outside flag SDKs.

export interface Sdk {
  /** Provider id: what definitions are matched against ("undefined" is judged per provider). */
  id: string;
  label: string;
  /** Text in a manifest or source file that shows the SDK is used. */
  evidence: RegExp;
  methods: string[];
  /** The receiver these methods must be called on (`Flipper.enabled?`), where the name alone is too common. */
  receiver?: { methods: string[]; pattern: RegExp };
  /** Methods whose first argument is a context and whose second is the key (Go OpenFeature). */
  contextFirst?: string[];
  /** Methods that take a list of keys (`useFlags(['a', 'b'])`). */
  listArgument?: string[];
  /** Methods whose key may follow a literal user key (`getTreatment('user-1', 'split')`): a second literal wins. */
  keySecond?: string[];
  /**
   * Arguments every call of this SDK passes (LaunchDarkly: key, context, default; OpenFeature: key,
   * default). A call with fewer (`menu.variation('large')`) is some other `variation`.
   */
  minArguments?: number;
  /**
   * Method names too common to trust on any receiver (`form.getValue('email')`, `logger.isEnabled('debug')`):
   * they count as plain calls, or on a receiver whose name says it is a flag client (CLIENT_RECEIVER).
   */
  clientOnly?: string[];
}

/** Receivers that look like a flag SDK client: `client`, `ldClient`, `unleash`, `this.flags`, `gb`, `featureService`. */
export const CLIENT_RECEIVER = /^(?:this|self|)$|flag|feature|toggle|unleash|launch|darkly|^ld|client|sdk|configcat|flagsmith|growth|^gb$|posthog|statsig|split|experiment|provider|^of$|openfeature/i;

const cases = (...names: string[]): string[] => names.flatMap((n) => [n, n[0]!.toUpperCase() + n.slice(1)]);
const OF_TYPES = ['Boolean', 'String', 'Number', 'Integer', 'Double', 'Float', 'Object'];
const OF_SNAKE = ['boolean', 'bool', 'string', 'number', 'integer', 'int', 'float', 'object', 'struct'];

export const SDKS: readonly Sdk[] = [
  {
    id: 'openfeature',
    label: 'OpenFeature',
    evidence: /open[-_]?feature/i,
    methods: [
      ...OF_TYPES.flatMap((t) => cases(`get${t}Value`, `get${t}Details`, `get${t}ValueAsync`, `get${t}DetailsAsync`)),
      ...OF_SNAKE.flatMap((t) => [`get_${t}_value`, `get_${t}_details`, `fetch_${t}_value`, `fetch_${t}_details`]),
      ...['Boolean', 'String', 'Int', 'Float', 'Object'].flatMap((t) => [`${t}Value`, `${t}ValueDetails`]),
      ...['Boolean', 'String', 'Number', 'Object'].flatMap((t) => [`use${t}FlagValue`, `use${t}FlagDetails`]),
      'useFlag',
      'useSuspenseFlag',
    ],
    contextFirst: ['Boolean', 'String', 'Int', 'Float', 'Object'].flatMap((t) => [`${t}Value`, `${t}ValueDetails`]),
    minArguments: 2,
  },
  {
    id: 'launchdarkly',
    label: 'LaunchDarkly',
    evidence: /launch-?darkly|\bldclient\b|ld-client/i,
    methods: [
      'variation',
      'variationDetail',
      'variation_detail',
      ...['bool', 'boolean', 'string', 'number', 'int', 'integer', 'float', 'float64', 'double', 'json', 'jsonValue'].flatMap((t) => cases(`${t}Variation`, `${t}VariationDetail`)),
      'JSONVariation',
      'JSONVariationDetail',
    ],
    // Server SDKs: (key, context, default); client SDKs: (key, default).
    minArguments: 2,
  },
  {
    id: 'unleash',
    label: 'Unleash',
    evidence: /unleash/i,
    methods: [...cases('isEnabled', 'getVariant'), 'is_enabled', 'get_variant', 'useFlag', 'useVariant'],
    clientOnly: [...cases('isEnabled', 'getVariant'), 'is_enabled', 'get_variant'],
  },
  {
    id: 'flipper',
    label: 'Flipper',
    evidence: /flipper/i,
    methods: ['enabled?'],
    receiver: { methods: ['enabled?'], pattern: /^(Flipper|flipper)$/ },
  },
  {
    id: 'fun-with-flags',
    label: 'FunWithFlags',
    evidence: /fun_with_flags|FunWithFlags/,
    methods: ['enabled?'],
    receiver: { methods: ['enabled?'], pattern: /^FunWithFlags$/ },
  },
  {
    id: 'gitlab',
    label: 'GitLab feature flags',
    // GitLab's own `Feature` API is specific enough to need no other evidence.
    evidence: /./,
    methods: ['enabled?', 'disabled?', 'push_frontend_feature_flag', 'push_force_frontend_feature_flag'],
    receiver: { methods: ['enabled?', 'disabled?'], pattern: /^(::)?Feature$/ },
  },
  {
    id: 'configcat',
    label: 'ConfigCat',
    evidence: /configcat/i,
    methods: [...cases('getValue', 'getValueAsync', 'getValueDetails', 'getValueDetailsAsync'), 'get_value', 'get_value_details', 'useFeatureFlag'],
    // (key, default value[, user]); a callback form adds one more.
    minArguments: 2,
    clientOnly: [...cases('getValue', 'getValueAsync'), 'get_value'],
  },
  {
    id: 'flagsmith',
    label: 'Flagsmith',
    evidence: /flagsmith/i,
    methods: [...cases('hasFeature', 'isFeatureEnabled', 'getValue', 'getFeatureValue'), 'has_feature', 'is_feature_enabled', 'get_value', 'get_feature_value', 'useFlags'],
    listArgument: ['useFlags'],
    clientOnly: [...cases('getValue'), 'get_value'],
  },
  {
    id: 'posthog',
    label: 'PostHog',
    evidence: /posthog/i,
    methods: [...cases('isFeatureEnabled', 'getFeatureFlag', 'getFeatureFlagPayload'), 'is_feature_enabled', 'get_feature_flag', 'feature_enabled', 'useFeatureFlagEnabled', 'useFeatureFlagVariantKey', 'useFeatureFlagPayload'],
  },
  {
    id: 'growthbook',
    label: 'GrowthBook',
    evidence: /growthbook/i,
    methods: [...cases('isOn', 'isOff', 'getFeatureValue', 'evalFeature'), 'is_on', 'is_off', 'get_feature_value', 'eval_feature', 'useFeatureIsOn', 'useFeatureValue', 'useFeature'],
    clientOnly: [...cases('isOn', 'isOff'), 'is_on', 'is_off'],
  },
  {
    id: 'statsig',
    label: 'Statsig',
    evidence: /statsig/i,
    methods: [...cases('checkGate', 'getExperiment', 'getFeatureGate'), 'check_gate', 'get_experiment', 'useGate', 'useFeatureGate', 'useExperiment'],
    // Server SDKs take the user first: checkGate(user, 'gate').
    contextFirst: [...cases('checkGate', 'getExperiment', 'getFeatureGate'), 'check_gate', 'get_experiment'],
  },
  {
    id: 'split',
    label: 'Split',
    evidence: /splitio|splitsoftware|split\.io/i,
    methods: [...cases('getTreatment', 'getTreatmentWithConfig'), 'get_treatment', 'get_treatment_with_config', 'useTreatment'],
    keySecond: [...cases('getTreatment', 'getTreatmentWithConfig'), 'get_treatment', 'get_treatment_with_config'],
  },
  {
    id: 'waffle',
    label: 'django-waffle',
    evidence: /django-waffle|\bimport waffle\b|\bfrom waffle\b|['"]waffle['"]/,
    methods: ['flag_is_active', 'switch_is_active', 'sample_is_active', 'waffle_flag', 'waffle_switch', 'get_waffle_flag_model'],
    // flag_is_active(request, 'name'); the others take the name first.
    contextFirst: ['flag_is_active'],
  },
  {
    id: 'flipt',
    label: 'Flipt',
    evidence: /flipt/i,
    methods: ['evaluateBoolean', 'evaluateVariant', 'evaluate_boolean', 'evaluate_variant', 'EvaluateBoolean', 'EvaluateVariant', 'booleanEvaluation', 'variantEvaluation'],
  },
];

export const SDK_IDS = SDKS.map((s) => s.id);

export function sdkLabel(id: string): string {
  return SDKS.find((s) => s.id === id)?.label ?? id;
}
