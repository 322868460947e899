#!/usr/bin/env node
// The registry reachable from our build machines serves only some platform builds of native
// packages, so npm leaves the others out of package-lock.json and `npm ci` then rejects the lock
// as out of sync on every machine. This adds the missing entries from their platform suffix
// (os/cpu/libc), so npm skips them where they do not apply and fetches them where they do.
// Run it after `npm install` changes the lockfile: `node scripts/complete-lockfile.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const PLATFORMS = {
  'android-arm64': { os: ['android'], cpu: ['arm64'] },
  'darwin-arm64': { os: ['darwin'], cpu: ['arm64'] },
  'darwin-x64': { os: ['darwin'], cpu: ['x64'] },
  'freebsd-x64': { os: ['freebsd'], cpu: ['x64'] },
  'linux-arm64-gnu': { os: ['linux'], cpu: ['arm64'], libc: ['glibc'] },
  'linux-arm64-musl': { os: ['linux'], cpu: ['arm64'], libc: ['musl'] },
  'linux-x64-gnu': { os: ['linux'], cpu: ['x64'], libc: ['glibc'] },
  'linux-x64-musl': { os: ['linux'], cpu: ['x64'], libc: ['musl'] },
  'wasm32-wasi': { cpu: ['wasm32'] },
  'win32-arm64-msvc': { os: ['win32'], cpu: ['arm64'] },
  'win32-x64-msvc': { os: ['win32'], cpu: ['x64'] },
};

export function missingOptionalEntries(lock) {
  const missing = [];
  for (const [key, entry] of Object.entries(lock.packages)) {
    for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
      const nested = `${key ? key + '/' : ''}node_modules/${name}`;
      if (!lock.packages[nested] && !lock.packages[`node_modules/${name}`]) missing.push({ name, version, parent: key });
    }
  }
  return missing;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = new URL('../package-lock.json', import.meta.url);
  const lock = JSON.parse(readFileSync(file, 'utf8'));
  const missing = missingOptionalEntries(lock);
  const unknown = [];
  for (const { name, version, parent } of missing) {
    const suffix = Object.keys(PLATFORMS).find((p) => name.endsWith(`-${p}`));
    if (!suffix) {
      unknown.push(name);
      continue;
    }
    lock.packages[`node_modules/${name}`] = { version, ...PLATFORMS[suffix], optional: true, engines: lock.packages[parent]?.engines };
  }
  lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
  writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
  console.log(`added ${missing.length - unknown.length} platform entries${unknown.length ? `; no platform known for: ${unknown.join(', ')}` : ''}`);
  process.exitCode = unknown.length ? 1 : 0;
}
