// Regular expressions of declarative checks run on V8's linear-time engine (the `l` flag): their
// run time grows with the text, never exponentially, whatever the pattern. The engine refuses what
// it cannot run in linear time (back-references, lookaround), and that refusal is the configuration
// error the author sees. The worker's time limit still stands behind it.
import v8 from 'node:v8';

let enabled: boolean | undefined;

function linearEngine(): boolean {
  if (enabled === undefined) {
    // A V8 flag set at run time: it only adds the `l` flag, which nothing else in Seaworthy uses.
    v8.setFlagsFromString('--enable-experimental-regexp-engine');
    try {
      new RegExp('a', 'l');
      enabled = true;
    } catch {
      enabled = false;
    }
  }
  return enabled;
}

/** Compiles a pattern to run in linear time; throws with a plain reason when it cannot. */
export function linearRegExp(pattern: string, flags: string): RegExp {
  if (!linearEngine()) throw new Error('this Node.js has no linear-time regular expression engine (V8 flag --enable-experimental-regexp-engine); use Node.js 22.12 or later');
  try {
    return new RegExp(pattern, `${flags}l`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/linear time/i.test(message)) throw new Error(`pattern ${JSON.stringify(pattern)} cannot run in linear time (back-references and lookaround are not supported): rewrite it without them`);
    throw new Error(`pattern ${JSON.stringify(pattern)} is not a valid regular expression: ${message.replace(/^Invalid regular expression: /, '')}`);
  }
}
