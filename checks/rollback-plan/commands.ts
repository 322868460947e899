// Deploy and rollback commands in CI scripts, workflows, Makefiles and shell scripts, read as text.
// A command is one logical line: physical lines joined where they end with a backslash.

export type CommandKind = 'helm-deploy' | 'rollback' | 'rollout-wait';

export interface CommandHit {
  kind: CommandKind;
  /** Offset of the command in the scanned text. */
  offset: number;
  /** The logical line holding the command, continuations joined, trimmed. */
  command: string;
  /** For helm-deploy: --atomic (Helm 3) or --rollback-on-failure (Helm 4) is set. */
  atomic?: boolean;
  /** For rollback: a human name of the command ("kubectl rollout undo"). */
  label?: string;
  /** For rollback: the command runs only when something before it failed (`cmd || rollback`). */
  onFailure?: boolean;
}

// The rollback commands of the tools teams deploy with. `git revert` is not here: in CI it undoes
// nothing by itself (it is counted in written procedures, where a person runs the deploy after it).
export const ROLLBACK_COMMANDS: [RegExp, string][] = [
  [/\bkubectl\b[^\n;|&]*?\bargo\s+rollouts\s+(?:undo|abort)\b/, 'kubectl argo rollouts undo/abort'],
  [/\bkubectl-argo-rollouts\s+(?:undo|abort)\b/, 'kubectl argo rollouts undo/abort'],
  [/\bkubectl\b[^\n;|&]*?\brollout\s+undo\b/, 'kubectl rollout undo'],
  [/\bhelm(?:\s+-{1,2}[\w-]+(?:=\S+|\s+[^\s-]\S*)?)*\s+rollback\b/, 'helm rollback'],
  [/\bargocd\s+app\s+rollback\b/, 'argocd app rollback'],
  [/\baws\s+deploy\s+stop-deployment\b[^\n;|&]*--auto-rollback-enabled\b/, 'aws deploy stop-deployment --auto-rollback-enabled'],
  [/\bheroku\s+(?:releases:)?rollback\b/, 'heroku rollback'],
  [/\b(?:fly|flyctl)\s+releases\s+rollback\b/, 'fly releases rollback'],
];

// `helm upgrade` (and `upgrade --install`): what replaces a running release. A bare `helm install` has nothing to roll back to.
const HELM_DEPLOY = /\bhelm(?:\s+-{1,2}[\w-]+(?:=\S+|\s+[^\s-]\S*)?)*\s+upgrade\b/;
const ROLLOUT_WAIT = /\bkubectl\b[^\n;|&]*?\brollout\s+status\b|\bkubectl\b[^\n;|&]*?\bargo\s+rollouts\s+status\b|\baws\s+ecs\s+wait\s+services-stable\b/;
const ATOMIC = /(?:^|\s)--(?:atomic|rollback-on-failure)(?:=true)?(?=\s|$|["'`;])/;

interface LogicalLine {
  text: string;
  /** Offset of its first character in the scanned text. */
  offset: number;
}

/** Physical lines of `text` joined where they end with `\` (shell, Makefile) or a backtick (PowerShell). */
function logicalLines(text: string): LogicalLine[] {
  const out: LogicalLine[] = [];
  let offset = 0;
  let current: LogicalLine | undefined;
  for (const physical of text.split('\n')) {
    const trimmedEnd = physical.replace(/\r$/, '');
    const continues = /\\\s*$/.test(trimmedEnd);
    const piece = continues ? trimmedEnd.replace(/\\\s*$/, ' ') : trimmedEnd;
    if (current) current.text += ' ' + piece.trim();
    else current = { text: piece, offset };
    if (!continues) {
      out.push(current);
      current = undefined;
    }
    offset += physical.length + 1;
  }
  if (current) out.push(current);
  return out;
}

/** Skips comments: shell `#` comments and `//` comments in Groovy (Jenkinsfile). */
function uncommented(line: string): string {
  if (/^\s*(#|\/\/)/.test(line)) return '';
  return line;
}

export function scanCommands(text: string): CommandHit[] {
  const hits: CommandHit[] = [];
  for (const logical of logicalLines(text)) {
    const line = uncommented(logical.text);
    if (line.trim() === '') continue;
    // Skip leading whitespace so the offset points at the command's own line.
    const lead = logical.text.length - logical.text.trimStart().length;
    const offset = logical.offset + lead;
    const command = line.trim().replace(/\s+/g, ' ');
    if (command.length > 2000) continue; // a minified blob, not a command
    const helm = HELM_DEPLOY.exec(command);
    if (helm && !/\bhelm\s+(?:diff|secrets\s+diff)\b/.test(command)) {
      const rest = command.slice(helm.index);
      hits.push({ kind: 'helm-deploy', offset, command, atomic: ATOMIC.test(rest) && !/--(?:atomic|rollback-on-failure)=false\b/.test(rest) });
    }
    for (const [pattern, label] of ROLLBACK_COMMANDS) {
      const m = pattern.exec(command);
      if (!m) continue;
      const before = command.slice(0, m.index);
      hits.push({ kind: 'rollback', offset, command, label, onFailure: /\|\|/.test(before) || /\btrap\b/.test(before) });
      break;
    }
    if (ROLLOUT_WAIT.test(command)) hits.push({ kind: 'rollout-wait', offset, command });
  }
  return hits;
}

/** Offsets [start, end) of the brace blocks that run on failure in a Jenkinsfile: `post { failure { … } }`, `catch (e) { … }`. */
export function jenkinsFailureRanges(text: string): [number, number][] {
  // Matching braces in one pass, so that many openers in a hostile file stay linear.
  const close = new Map<number, number>();
  const stack: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 123) stack.push(i);
    else if (c === 125 && stack.length > 0) close.set(stack.pop()!, i + 1);
  }
  const ranges: [number, number][] = [];
  const opener = /\b(?:failure|unsuccessful|aborted)\s*\{|\bcatch\s*\([^)\n]*\)\s*\{/g;
  for (const m of text.matchAll(opener)) {
    const open = (m.index ?? 0) + m[0].length - 1;
    ranges.push([open, close.get(open) ?? text.length]);
  }
  return ranges;
}

/** Whether an offset lies inside any of the ranges, answered in constant time after one linear pass. */
export function insideAny(length: number, ranges: [number, number][]): (offset: number) => boolean {
  const delta = new Int32Array(length + 2);
  for (const [start, end] of ranges) {
    delta[start]! += 1;
    delta[Math.min(end, length + 1)]! -= 1;
  }
  let depth = 0;
  const inside = new Uint8Array(length + 1);
  for (let i = 0; i <= length; i++) {
    depth += delta[i]!;
    inside[i] = depth > 0 ? 1 : 0;
  }
  return (offset) => offset >= 0 && offset <= length && inside[offset] === 1;
}
