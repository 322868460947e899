// Warnings never reach stderr raw. Node and our dependencies raise them with process.emitWarning,
// which Node prints as "(node:PID) Warning: …" outside the structured logs. The CLI takes them over
// before it loads anything else (bin/seaworthy.mjs); each becomes one warn line of the command's
// logger, once per cause, naming the repository and check being judged when it came.
// What only the crawler can name is logged here too: YAML files whose keys a plain object cannot hold.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createLogger, type Fields, type Logger } from './log.ts';

/** What the crawler was doing: a warning raised meanwhile is about it. */
export interface WarningScope {
  repo?: string;
  check?: string;
  file?: string;
}

const scopes = new AsyncLocalStorage<WarningScope>();

/** Runs `fn` (and everything it awaits or schedules) inside `scope`, added to the current one. */
export function inWarningScope<T>(scope: WarningScope, fn: () => T): T {
  return scopes.run({ ...scopes.getStore(), ...scope }, fn);
}

type NodeWarning = Error & { code?: string; detail?: string };

interface Captured {
  warning: NodeWarning;
  scope: WarningScope;
}

let capture: { logger?: Logger; pending: Captured[] } | undefined;

/**
 * Takes process warnings over from Node's printer (the CLI calls this first). Until a command
 * attaches its logger they are kept, and logged in plain text at exit if none ever is.
 */
export function captureProcessWarnings(): void {
  if (capture) return;
  const state: { logger?: Logger; pending: Captured[] } = { pending: [] };
  capture = state;
  // Node's own printer is a listener added at start-up; without it nothing is written raw.
  process.removeAllListeners('warning');
  process.on('warning', (warning: NodeWarning) => {
    const captured = { warning, scope: scopes.getStore() ?? {} };
    if (state.logger) logWarning(state.logger, captured);
    else state.pending.push(captured);
  });
  process.once('exit', () => {
    if (state.logger || state.pending.length === 0) return;
    const fallback = createLogger();
    for (const captured of state.pending.splice(0)) logWarning(fallback, captured);
  });
}

/** Sends captured warnings, those kept so far and those to come, to a command's logger. */
export function logWarningsTo(logger: Logger): void {
  if (!capture) return; // not the CLI: whoever embeds the crawler keeps Node's own handling
  capture.logger = logger;
  for (const captured of capture.pending.splice(0)) logWarning(logger, captured);
}

const said = new WeakMap<Logger, Set<string>>();

/** `logger.warn` once per cause and logger: a backfill or a resumed crawl does not repeat itself. */
export function warnOnce(logger: Logger, cause: string, message: string, fields: Fields): void {
  let seen = said.get(logger);
  if (!seen) said.set(logger, (seen = new Set()));
  if (seen.has(cause)) return;
  seen.add(cause);
  logger.warn(message, fields);
}

function logWarning(logger: Logger, { warning, scope }: Captured): void {
  const message = String(warning.message ?? warning).trim();
  // A warning with a code is one cause wherever its text varies (a deprecation names its caller).
  const cause = ['library', warning.name, warning.code ?? message, scope.repo ?? '', scope.file ?? ''].join('\0');
  warnOnce(logger, cause, 'library warning', {
    repo: scope.repo,
    check: scope.check,
    file: scope.file,
    type: warning.name,
    code: warning.code,
    warning: message.length > 500 ? `${message.slice(0, 499)}…` : message,
    detail: warning.detail,
  });
}
