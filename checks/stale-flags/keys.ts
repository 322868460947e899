// Flag keys as written in definitions, code and commit messages, and the one form they are compared in.

/** What a flag key may look like: no whitespace, no interpolation, at most 200 characters. */
export const KEY_SHAPE = /^[A-Za-z0-9_][A-Za-z0-9_.:/@+-]{0,199}$/;

export function isKeyShaped(text: string): boolean {
  return KEY_SHAPE.test(text) && /[A-Za-z]/.test(text);
}

/**
 * `MY_FLAG`, `my-flag`, `my_flag` and `myFlag` all become `my-flag`: words are split at `-`, `_`,
 * whitespace and camelCase humps (an acronym stays one word: `HTTP2Enabled` → `http2-enabled`), then
 * lower-cased and joined with `-`. Dots, colons and slashes are namespaces and stay as they are.
 */
export function normaliseKey(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .filter((w) => w !== '');
  return words.join('-').toLowerCase();
}

export interface KeyNormaliser {
  /** The form keys are compared in: aliases resolved, then normalised unless `exact`. */
  (key: string): string;
}

/** Aliases map an old or alternative key to the key it stands for (`{ "legacy_checkout": "new-checkout-flow" }`). */
export function keyNormaliser(options: { normaliseKeys: boolean; keyAliases: Record<string, string> }): KeyNormaliser {
  const plain = options.normaliseKeys ? normaliseKey : (k: string) => k;
  const aliases = new Map<string, string>();
  for (const [alias, target] of Object.entries(options.keyAliases)) aliases.set(plain(alias), plain(target));
  return (key: string) => {
    const form = plain(key);
    return aliases.get(form) ?? form;
  };
}
