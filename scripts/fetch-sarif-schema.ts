// npm run fetch:sarif-schema: puts the official SARIF 2.1.0 JSON Schema in .cache/sarif-schema/ for
// the tests that validate our SARIF with Ajv. The file is the OASIS SARIF TC's own
// (github.com/oasis-tcs/sarif-spec, sarif-2.1/schema/sarif-schema-2.1.0.json) at a pinned commit,
// checked against a pinned sha256. It is fetched, not committed: it is OASIS's work under the OASIS
// IPR policy, not an open-source licence. Without network it warns and exits 0; the SARIF tests then
// fail and say to run this.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SARIF_SCHEMA_COMMIT = 'a560296ca8c921f3bdb8d4a8db57ab83dae968a7';
export const SARIF_SCHEMA_SHA256 = 'c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e';
const url = process.env.SEAWORTHY_SARIF_SCHEMA_URL ?? `https://raw.githubusercontent.com/oasis-tcs/sarif-spec/${SARIF_SCHEMA_COMMIT}/sarif-2.1/schema/sarif-schema-2.1.0.json`;
const dir = process.env.SEAWORTHY_SARIF_SCHEMA_DIR ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '.cache', 'sarif-schema');
const file = path.join(dir, 'sarif-schema-2.1.0.json');

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

try {
  if (existsSync(file) && sha256(readFileSync(file)) === SARIF_SCHEMA_SHA256) {
    process.stdout.write(`sarif-schema: ${file} is already there\n`);
  } else {
    const response = await fetch(url, { signal: AbortSignal.timeout(60_000), redirect: 'follow' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const bytes = Buffer.from(await response.arrayBuffer());
    if (sha256(bytes) !== SARIF_SCHEMA_SHA256) throw new Error(`sha256 mismatch: ${url} is not the pinned schema`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, bytes);
    process.stdout.write(`sarif-schema: fetched the SARIF 2.1.0 schema into ${file}\n`);
  }
} catch (error) {
  // A copy kept outside the clone by an earlier fetch (machines whose network reaches only a package
  // registry), accepted only with the pinned sha256.
  const kept = path.join(process.env.HOME ?? '', '.cache', 'seaworthy-sarif-schema', 'sarif-schema-2.1.0.json');
  if (existsSync(kept) && sha256(readFileSync(kept)) === SARIF_SCHEMA_SHA256) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, readFileSync(kept));
    process.stdout.write(`sarif-schema: the network failed (${error instanceof Error ? error.message : String(error)}); took the pinned schema from ${kept}\n`);
    process.exit(0);
  }
  process.stderr.write(`sarif-schema: warning: could not fetch ${url}: ${error instanceof Error ? error.message : String(error)}\nsarif-schema: the SARIF schema tests fail until this succeeds.\n`);
}
