// Addresses that come from outside (an API's answer, a configuration template) become links on the
// site and places git fetches from: only http(s) is accepted, checked where the data enters.

/** `value` when it is an absolute http(s) URL without whitespace or control characters, else undefined. */
export function httpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^https?:\/\/[^\s\x00-\x1f\x7f]+$/i.test(value)) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? value : undefined;
  } catch {
    return undefined;
  }
}
