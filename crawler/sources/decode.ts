import type { ReadResult } from '../../checks/contract.ts';

// Same heuristic as git: a NUL byte in the first 8000 bytes means binary.
const BINARY_SNIFF_BYTES = 8000;

export function decodeBlob(bytes: Uint8Array): ReadResult {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { ok: true, text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), truncated: false, encoding: 'utf-16le', invalidBytes: false };
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { ok: true, text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), truncated: false, encoding: 'utf-16be', invalidBytes: false };
  }
  const sniff = bytes.subarray(0, BINARY_SNIFF_BYTES);
  if (sniff.includes(0)) return { ok: false, reason: 'binary' };
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    return { ok: true, text, truncated: false, encoding: 'utf-8', invalidBytes: false };
  } catch {
    // Invalid UTF-8 is common in old files (Latin-1 comments); keep the text, mark the bad bytes with U+FFFD.
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    return { ok: true, text, truncated: false, encoding: 'utf-8', invalidBytes: true };
  }
}
