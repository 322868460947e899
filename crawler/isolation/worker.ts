// A check thread: loads checks (ours from the registry, plugins from their files), keeps the
// current repository's snapshot, and runs one check per message. The crawl stops the thread when a
// check runs past its time limit (./pool.ts).
import { parentPort } from 'node:worker_threads';
import type { CheckDefinition, ExternalFacts, PackageLookup, SchemaFact } from '../../checks/contract.ts';
import { buildSnapshot } from '../sources/snapshot.ts';
import { importCheckModule } from '../plugins/hooks.ts';
import { runCheck } from './outcome.ts';
import type { Answer, CheckSpec, FromWorker, ToWorker } from './protocol.ts';

type AnyCheck = CheckDefinition<unknown>;
const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);

// Warnings raised here would go to this thread's stderr raw: the crawl logs them in its scope.
process.removeAllListeners('warning');
process.on('warning', (w: Error & { code?: string; detail?: string }) => post({ type: 'warning', name: w.name, message: w.message, code: w.code, detail: w.detail }));

// Each check is imported when first asked for: a thread starts with nothing but this file, since
// every thread pays for its own imports.
const loaded = new Map<string, AnyCheck>();
async function checkFor(spec: CheckSpec): Promise<AnyCheck> {
  const key = spec.origin.kind === 'builtin' ? `builtin:${spec.id}` : `${spec.origin.kind}:${spec.origin.file}`;
  let check = loaded.get(key);
  if (!check) {
    if (spec.origin.kind === 'builtin') {
      if (!/^[a-z][a-z0-9-]*$/.test(spec.id)) throw new Error(`"${spec.id}" is not a check id`);
      check = ((await import(`../../checks/${spec.id}/index.ts`)) as { default: AnyCheck }).default;
    } else if (spec.origin.kind === 'module') check = importCheckModule(spec.origin.file);
    else check = (await import('../plugins/declarative.ts')).loadDeclarativeCheck(spec.origin.file) as AnyCheck;
    if (!check || check.id !== spec.id) throw new Error(`check ${spec.id} is not where it was loaded from (${spec.origin.kind === 'builtin' ? 'the registry' : spec.origin.file}) any more`);
    loaded.set(key, check);
  }
  return check;
}

let snapshot: ReturnType<typeof buildSnapshot> | undefined;
let renovateSchema: SchemaFact | undefined;

async function answer(message: Extract<ToWorker, { type: 'wants' | 'run' }>, index: number): Promise<Answer> {
  const now = new Date(message.now);
  if (message.type === 'wants') {
    const item = message.items[index]!;
    try {
      const check = await checkFor(item.spec);
      post({ type: 'started', call: message.call, index });
      const request = check.wants ? check.wants(snapshot!, { options: item.options, kind: message.kind, now }) : {};
      return { type: 'wants', ok: true, request };
    } catch (error) {
      return { type: 'wants', ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  }
  const item = message.items[index]!;
  let check: AnyCheck;
  try {
    check = await checkFor(item.spec);
  } catch (error) {
    return { type: 'run', outcome: { status: 'error', score: null, summary: `check ${item.spec.id} could not be loaded: ${error instanceof Error ? error.message : String(error)}`, findings: [] }, durationMs: 0 };
  }
  post({ type: 'started', call: message.call, index });
  if (item.renovateSchema && !('cached' in item.renovateSchema)) renovateSchema = item.renovateSchema;
  const facts: ExternalFacts = {
    packages: new Map(item.packages as [string, PackageLookup][]),
    ...(item.renovateSchema ? { renovateSchema: 'cached' in item.renovateSchema ? renovateSchema : item.renovateSchema } : {}),
  };
  return { type: 'run', ...runCheck(check, snapshot!, message.kind, item.options, now, facts) };
}

// Calls come one at a time (the crawl waits for every answer of one before sending the next), so
// awaiting an import here never lets two of them interleave.
port.on('message', async (message: ToWorker) => {
  if (message.type === 'snapshot') {
    const s = message.snapshot;
    snapshot = buildSnapshot({ ...s, contents: new Map(s.contents) });
    return;
  }
  if (!snapshot) throw new Error('a check was called before any snapshot was sent');
  for (let index = 0; index < message.items.length; index++) post({ type: 'answer', call: message.call, index, answer: await answer(message, index) });
});
