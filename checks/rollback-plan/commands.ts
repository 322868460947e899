// Deploy and rollback commands in CI scripts, workflows, Makefiles and shell scripts, read as text.
// A command line is one logical line: physical lines joined where they end with a backslash. Each
// line is split into shell words (quotes, escapes, `#` comments) and simple commands (`;`, `&&`,
// `||`, `|`, `&`, groups, `$(…)`), and a command counts only where the shell would run it: as the
// first word of a simple command (after assignments and wrappers such as `sudo`, `env`, `timeout`),
// never inside an `echo "…"` or any other quoted text, except the quoted script of a runner
// (`sh '…'`, `bash -c "…"`, `ssh host '…'`, `eval`, `trap '…' ERR`, Jenkins `sh(script: "…")`).
// Every function here is linear in its input: no pattern can backtrack over a line.

export type CommandKind = 'helm-deploy' | 'rollback' | 'rollout-wait' | 'stack-deploy' | 'platform-deploy' | 'schema-rollback';

export interface CommandHit {
  kind: CommandKind;
  /** Offset of the command in the scanned text. */
  offset: number;
  /** The logical line holding the command, continuations joined, trimmed. */
  command: string;
  /** For helm-deploy: --atomic (Helm 3) or --rollback-on-failure (Helm 4) is set. */
  atomic?: boolean;
  /** For rollback and rollout-wait: a human name of the command ("kubectl rollout undo"). */
  label?: string;
  /** For rollback: the command runs only when something before it failed (`cmd || rollback`, `trap '…' ERR`). */
  onFailure?: boolean;
  /** For stack-deploy: CloudFormation's rollback of a failed update is switched off (`--disable-rollback`, `--no-rollback`). */
  rollbackDisabled?: boolean;
}

/** Longer logical lines (after collapsing whitespace) are minified blobs or data, not commands: they are not read. */
export const MAX_COMMAND_LINE = 2000;

// ---------------------------------------------------------------------------------------------
// What a command is: the tool, then its subcommand among the first positional words.

type Classified =
  | { kind: 'helm-deploy'; atomic: boolean }
  | { kind: 'stack-deploy'; label: string; rollbackDisabled: boolean }
  | { kind: 'rollback' | 'rollout-wait' | 'platform-deploy' | 'schema-rollback'; label: string };

// Flags of helm, kubectl, aws, argocd, heroku, fly and git that take their value as the next word,
// so that the value is not mistaken for the subcommand (`helm -n payments upgrade`).
const VALUE_FLAGS = new Set([
  '-n', '--namespace', '--kube-context', '--context', '--kubeconfig', '--kube-apiserver', '--kube-as-user', '--kube-as-group', '--kube-ca-file',
  '--kube-token', '--kube-tls-server-name', '--registry-config', '--repository-cache', '--repository-config', '--burst-limit', '--qps', '--content-cache',
  '-f', '--values', '--set', '--set-string', '--set-file', '--set-json', '--set-literal', '--version', '--timeout', '--description', '--post-renderer',
  '--post-renderer-args', '--repo', '--username', '--password', '--ca-file', '--cert-file', '--key-file', '--history-max', '--max', '-o', '--output',
  '-l', '--labels', '--selector', '--name-template', '--cluster', '--user', '-s', '--server', '--token', '--as', '--as-group', '--as-uid',
  '--request-timeout', '--certificate-authority', '--client-certificate', '--client-key', '--tls-server-name', '--to-revision', '--cache-dir', '-v',
  '--region', '--profile', '--endpoint-url', '-a', '--app', '-r', '--remote', '--auth-token', '--config', '-C', '-c', '--git-dir', '--work-tree',
  '--var-file', '--var', '--dir', '--on-failure', '--stack-name', '--template-file', '--parameter-overrides', '--capabilities', '--project', '--image',
]);

// Helm's own subcommands and common plugins that do not deploy (`helm diff upgrade` is a preview).
const HELM_SUBCOMMANDS = new Set([
  'completion', 'create', 'dependency', 'dep', 'diff', 'env', 'get', 'help', 'history', 'hist', 'install', 'lint', 'list', 'ls', 'package', 'plugin',
  'pull', 'fetch', 'push', 'registry', 'repo', 'rollback', 'search', 'show', 'inspect', 'status', 'template', 'test', 'uninstall', 'delete', 'del',
  'un', 'upgrade', 'verify', 'version', 'unittest', 'cm-push', 'mapkubeapis',
]);

/** Words after the tool that are not flags or flag values; `--` ends the flags. */
function positionals(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    if (a.startsWith('-') && a.length > 1) {
      if (!a.includes('=') && VALUE_FLAGS.has(a)) i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

/** `seq` at one of the first three positional words (an unknown flag may have taken one as its value). */
function startsWithin(pos: readonly string[], seq: readonly (string | readonly string[])[]): boolean {
  for (let i = 0; i < 3 && i < pos.length; i++) {
    if (seq.every((s, k) => (typeof s === 'string' ? pos[i + k] === s : s.includes(pos[i + k] ?? '')))) return true;
  }
  return false;
}

/** `--dry-run` (any mode but `none`/`false`) or `--help`: the command shows what it would do and changes nothing. */
function isPreview(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === '--') break;
    if (a === '--help' || a === '-h' || a === '--dry-run') return true;
    if (a.startsWith('--dry-run=') && !['none', 'false'].includes(a.slice('--dry-run='.length).toLowerCase())) return true;
  }
  return false;
}

function flagValue(args: readonly string[], names: readonly string[]): boolean | undefined {
  let value: boolean | undefined;
  for (const a of args) {
    if (a === '--') break;
    for (const name of names) {
      if (a === name || a === `${name}=true`) value = true;
      else if (a === `${name}=false`) value = false;
    }
  }
  return value;
}

function baseName(word: string): string {
  const base = word.slice(word.lastIndexOf('/') + 1);
  return base.endsWith('.exe') ? base.slice(0, -4) : base;
}

// Commands that undo a database schema change: run in CI they test the way back, written down they are part of a procedure.
const SCHEMA_ROLLBACK: Record<string, (pos: readonly string[]) => boolean> = {
  rails: (pos) => startsWithin(pos, [['db:rollback', 'db:migrate:down']]),
  rake: (pos) => startsWithin(pos, [['db:rollback', 'db:migrate:down']]),
  alembic: (pos) => startsWithin(pos, ['downgrade']),
  flask: (pos) => startsWithin(pos, ['db', 'downgrade']),
  knex: (pos) => startsWithin(pos, [['migrate:rollback', 'migrate:down']]),
  sequelize: (pos) => startsWithin(pos, [['db:migrate:undo', 'db:migrate:undo:all']]),
  'sequelize-cli': (pos) => startsWithin(pos, [['db:migrate:undo', 'db:migrate:undo:all']]),
  typeorm: (pos) => startsWithin(pos, ['migration:revert']),
  'typeorm-ts-node-commonjs': (pos) => startsWithin(pos, ['migration:revert']),
  'typeorm-ts-node-esm': (pos) => startsWithin(pos, ['migration:revert']),
  mix: (pos) => startsWithin(pos, ['ecto.rollback']),
  goose: (pos) => pos.some((p) => p === 'down' || p === 'down-to' || p === 'reset'),
  migrate: (pos) => pos.includes('down'),
  dbmate: (pos) => startsWithin(pos, [['rollback', 'down']]),
  flyway: (pos) => startsWithin(pos, ['undo']),
  liquibase: (pos) => pos.slice(0, 3).some((p) => /^rollback/i.test(p)),
  diesel: (pos) => startsWithin(pos, ['migration', ['revert', 'redo']]),
  sqlx: (pos) => startsWithin(pos, ['migrate', 'revert']),
  'db-migrate': (pos) => startsWithin(pos, [['down', 'reset']]),
  'node-pg-migrate': (pos) => startsWithin(pos, ['down']),
};
// A package script named for undoing migrations (`npm run db:rollback`, `yarn migration:revert`).
const SCHEMA_SCRIPT = /^(?:db|database|migrations?|migrate|knex|typeorm|prisma|sequelize)[:._-](?:[\w-]+[:._-])?(?:rollback|revert|undo|down|downgrade)(?:[:._-][\w-]+)?$/i;

/** What `tool args…` does, when it is one of the commands this check knows. */
function classify(tool: string, args: readonly string[], withGitRevert: boolean): Classified | undefined {
  let name = baseName(tool);
  // `php artisan migrate:rollback`, `python manage.py …` are read as the script they run.
  if ((name === 'php' || name === 'python' || name === 'python3') && args.length > 0 && !args[0]!.startsWith('-')) {
    const script = baseName(args[0]!);
    if (script === 'artisan') return isPreview(args) ? undefined : startsWithin(positionals(args.slice(1)), [['migrate:rollback', 'migrate:reset']]) ? { kind: 'schema-rollback', label: 'artisan migrate:rollback' } : undefined;
    return undefined;
  }
  if (name === 'artisan') return startsWithin(positionals(args), [['migrate:rollback', 'migrate:reset']]) ? { kind: 'schema-rollback', label: 'artisan migrate:rollback' } : undefined;
  if (SCHEMA_SCRIPT.test(name)) return { kind: 'schema-rollback', label: `${name} script` };
  const schema = SCHEMA_ROLLBACK[name];
  if (schema && Object.hasOwn(SCHEMA_ROLLBACK, name)) {
    if (isPreview(args)) return undefined;
    return schema(positionals(args)) ? { kind: 'schema-rollback', label: `${name} ${positionals(args).slice(0, 2).join(' ')}` } : undefined;
  }
  if (name === 'aws-cdk') name = 'cdk';
  if (name === 'sls') name = 'serverless';
  if (!['helm', 'kubectl', 'kubectl-argo-rollouts', 'argocd', 'aws', 'heroku', 'fly', 'flyctl', 'git', 'cdk', 'sam', 'sceptre', 'serverless', 'gcloud'].includes(name)) return undefined;
  if (isPreview(args)) return undefined;
  const pos = positionals(args);
  switch (name) {
    case 'cdk':
      if (pos[0] !== 'deploy') return undefined;
      return { kind: 'stack-deploy', label: 'cdk deploy', rollbackDisabled: flagValue(args, ['--rollback']) === false || args.includes('--no-rollback') || args.includes('-R') };
    case 'sam':
      if (pos[0] !== 'deploy') return undefined;
      return { kind: 'stack-deploy', label: 'sam deploy', rollbackDisabled: args.includes('--disable-rollback') };
    case 'sceptre':
      if (!startsWithin(pos, [['launch', 'create', 'update']])) return undefined;
      return { kind: 'stack-deploy', label: `sceptre ${pos.find((p) => ['launch', 'create', 'update'].includes(p))}`, rollbackDisabled: args.includes('--disable-rollback') };
    case 'serverless':
      return pos[0] === 'deploy' && pos[1] !== 'function' && pos[1] !== 'list' ? { kind: 'stack-deploy', label: 'serverless deploy', rollbackDisabled: false } : undefined;
    case 'gcloud':
      return startsWithin(pos, ['run', 'deploy']) || startsWithin(pos, ['beta', 'run', 'deploy']) ? { kind: 'platform-deploy', label: 'gcloud run deploy' } : undefined;
    case 'helm': {
      // The subcommand: the first known one among the first three positional words.
      const sub = pos.slice(0, 3).find((p) => HELM_SUBCOMMANDS.has(p));
      if (sub === 'upgrade') return { kind: 'helm-deploy', atomic: flagValue(args, ['--atomic', '--rollback-on-failure']) === true };
      if (sub === 'rollback') return { kind: 'rollback', label: 'helm rollback' };
      return undefined;
    }
    case 'kubectl':
      if (startsWithin(pos, ['rollout', 'undo'])) return { kind: 'rollback', label: 'kubectl rollout undo' };
      if (startsWithin(pos, ['argo', 'rollouts', ['undo', 'abort']])) return { kind: 'rollback', label: 'kubectl argo rollouts undo/abort' };
      if (startsWithin(pos, ['rollout', 'status'])) return { kind: 'rollout-wait', label: 'rollout status' };
      if (startsWithin(pos, ['argo', 'rollouts', 'status'])) return { kind: 'rollout-wait', label: 'rollout status' };
      return undefined;
    case 'kubectl-argo-rollouts':
      return startsWithin(pos, [['undo', 'abort']]) ? { kind: 'rollback', label: 'kubectl argo rollouts undo/abort' } : undefined;
    case 'argocd':
      return startsWithin(pos, ['app', 'rollback']) ? { kind: 'rollback', label: 'argocd app rollback' } : undefined;
    case 'aws':
      if (startsWithin(pos, ['deploy', 'stop-deployment']) && flagValue(args, ['--auto-rollback-enabled']) === true) return { kind: 'rollback', label: 'aws deploy stop-deployment --auto-rollback-enabled' };
      if (startsWithin(pos, ['cloudformation', ['deploy', 'create-stack', 'update-stack']])) {
        const sub = pos[pos.indexOf('cloudformation') + 1]!;
        const onFailure = args.findIndex((a) => a === '--on-failure' || a.startsWith('--on-failure='));
        const value = onFailure < 0 ? '' : args[onFailure]!.includes('=') ? args[onFailure]!.slice('--on-failure='.length) : (args[onFailure + 1] ?? '');
        return { kind: 'stack-deploy', label: `aws cloudformation ${sub}`, rollbackDisabled: args.includes('--disable-rollback') || value.toUpperCase() === 'DO_NOTHING' };
      }
      if (startsWithin(pos, ['ecs', 'wait', 'services-stable'])) return { kind: 'rollout-wait', label: 'aws ecs wait services-stable' };
      return undefined;
    case 'heroku':
      return startsWithin(pos, [['rollback', 'releases:rollback']]) ? { kind: 'rollback', label: 'heroku rollback' } : undefined;
    case 'fly':
    case 'flyctl':
      if (startsWithin(pos, ['releases', 'rollback'])) return { kind: 'rollback', label: 'fly releases rollback' };
      return pos[0] === 'deploy' ? { kind: 'platform-deploy', label: 'fly deploy' } : undefined;
    case 'git':
      return withGitRevert && startsWithin(pos, ['revert']) ? { kind: 'rollback', label: 'git revert' } : undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Shell words and simple commands

interface Word {
  /** The word with quotes and escapes removed. */
  text: string;
  /** Some of it was quoted. */
  quoted: boolean;
  /** Only its quoted parts: the script in `sh("helm …",` without the comma. */
  inner: string;
}

type Token = { word: Word } | { op: string };

/** Splits a command line into words and operators; stops at a `#` that starts a word (a comment). */
function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let text = '';
  let inner = '';
  let started = false;
  let quoted = false;
  const end = () => {
    if (started) tokens.push({ word: { text, quoted, inner } });
    text = '';
    inner = '';
    started = false;
    quoted = false;
  };
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      end();
      i++;
    } else if (c === '#' && !started) {
      break; // a comment runs to the end of the line
    } else if (c === "'") {
      const close = line.indexOf("'", i + 1);
      const stop = close < 0 ? n : close;
      text += line.slice(i + 1, stop);
      inner += line.slice(i + 1, stop);
      started = quoted = true;
      i = stop + 1;
    } else if (c === '"') {
      let j = i + 1;
      let part = '';
      while (j < n && line[j] !== '"') {
        if (line[j] === '\\' && j + 1 < n) {
          part += line[j + 1];
          j += 2;
        } else part += line[j++];
      }
      text += part;
      inner += part;
      started = quoted = true;
      i = j + 1;
    } else if (c === '\\') {
      if (i + 1 < n) text += line[i + 1];
      started = true;
      i += 2;
    } else if (c === '$' && line[i + 1] === '(' && line[i + 2] !== '(') {
      end();
      tokens.push({ op: '$(' });
      i += 2;
    } else if (c === '|' || c === '&' || c === ';' || c === '(' || c === ')' || c === '`') {
      // Redirections keep their `&`: 2>&1, &>file, >&2.
      if (c === '&' && (line[i - 1] === '>' || line[i - 1] === '<' || line[i + 1] === '>')) {
        text += c;
        started = true;
        i++;
        continue;
      }
      end();
      const two = line.slice(i, i + 2);
      const op = two === '||' || two === '&&' || two === ';;' ? two : c;
      tokens.push({ op });
      i += op.length;
    } else {
      text += c;
      started = true;
      i++;
    }
  }
  end();
  return tokens;
}

interface Segment {
  words: Word[];
  /** Runs only when what came before failed: right after `||`, or in a group that follows `||`. */
  onFailure: boolean;
}

/** Simple commands of a tokenized line; `{ … }`, `( … )`, `$( … )` and backticks group them. */
function segments(tokens: Token[]): Segment[] {
  const out: Segment[] = [];
  const groups: boolean[] = [false];
  let current: Segment | undefined;
  let previous = '';
  let inBacktick = false;
  const failing = () => previous === '||' || groups[groups.length - 1]!;
  const open = () => {
    groups.push(failing());
    current = undefined;
  };
  const close = () => {
    if (groups.length > 1) groups.pop();
    current = undefined;
  };
  for (const t of tokens) {
    if ('word' in t) {
      const w = t.word;
      if (!w.quoted && w.text === '{') {
        open();
        continue;
      }
      if (!w.quoted && w.text === '}') {
        close();
        previous = '';
        continue;
      }
      if (!current) {
        current = { words: [], onFailure: failing() };
        out.push(current);
      }
      current.words.push(w);
      continue;
    }
    if (t.op === '(' || t.op === '$(') open();
    else if (t.op === ')') close();
    else if (t.op === '`') {
      if (inBacktick) close();
      else open();
      inBacktick = !inBacktick;
    } else {
      current = undefined;
      previous = t.op;
    }
  }
  return out;
}

// Words that run the command after them, with their flags that take a value.
const WRAPPERS = new Map<string, ReadonlySet<string>>(
  Object.entries({
    sudo: ['-u', '-g', '-h', '-p', '-C', '-D', '-r', '-t', '-U', '--user', '--group', '--host', '--prompt', '--chdir'],
    doas: ['-u', '-C'],
    env: ['-u', '-C', '-S', '--unset', '--chdir', '--split-string'],
    timeout: ['-s', '-k', '--signal', '--kill-after'],
    xargs: ['-I', '-n', '-P', '-d', '-L', '-s', '-E', '-a', '--max-args', '--max-procs', '--delimiter', '--arg-file'],
    nice: ['-n', '--adjustment'],
    ionice: ['-c', '-n', '-p'],
    stdbuf: ['-i', '-o', '-e'],
    watch: ['-n', '--interval'],
    retry: ['-t', '-d', '--times', '--delay', '--tries'],
    ...Object.fromEntries(['time', 'nohup', 'exec', 'command', 'builtin', 'werf', 'microk8s', 'then', 'else', 'elif', 'do', 'if', 'while', 'until', '!'].map((w) => [w, []])),
  }).map(([name, flags]) => [name, new Set(flags)]),
);
// Package managers that run a tool or a package script: `pnpm cdk deploy`, `npx sequelize db:migrate:undo`,
// `pipenv run sceptre launch prod`, `bundle exec rails db:rollback`, `npm run db:rollback`.
const PACKAGE_RUNNERS = new Map<string, ReadonlySet<string>>(
  Object.entries({
    npx: ['-p', '--package', '-c', '--call'],
    pnpm: ['-C', '--dir', '--filter', '-F'],
    yarn: ['--cwd'],
    bunx: ['-p', '--package'],
    bun: ['--cwd'],
    npm: ['--prefix', '-w', '--workspace'],
    pipenv: [],
    poetry: ['-C', '--directory'],
    uv: ['--directory', '--project', '--with'],
    pdm: ['-p', '--project'],
    hatch: ['-e', '--env'],
    bundle: ['--gemfile'],
  }).map(([name, flags]) => [name, new Set(flags)]),
);
const RUNNER_VERBS = new Set(['run', 'exec', 'dlx', 'x', 'run-script']);
// A quoted word right after one of these is a script that runs.
const RUNNERS = new Set(['sh', 'bash', 'zsh', 'ksh', 'dash', 'ash', 'eval', 'bat', 'powershell', 'pwsh', 'script:', 'trap', '-c', '-lc', '-ec', '-xc', '-exc', '-ce', '-Command', '-command']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** Index of the command word of a simple command, after assignments and wrappers; -1 when there is none. */
function commandIndex(words: readonly Word[], from: number): number {
  let i = from;
  while (i < words.length) {
    const w = words[i]!;
    if (ASSIGNMENT.test(w.text)) {
      i++;
      continue;
    }
    const name = baseName(w.text.replace(/^[@+-]+(?=[A-Za-z./])/, '')); // Makefile recipe prefixes: @helm, -kubectl
    const runnerFlags = w.quoted ? undefined : PACKAGE_RUNNERS.get(name);
    if (runnerFlags) {
      i++;
      const skipFlags = () => {
        while (i < words.length && words[i]!.text.startsWith('-') && words[i]!.text.length > 1) {
          i += !words[i]!.text.includes('=') && runnerFlags.has(words[i]!.text) ? 2 : 1;
        }
      };
      skipFlags();
      if (i < words.length && RUNNER_VERBS.has(words[i]!.text)) {
        i++;
        skipFlags();
      }
      return i < words.length ? i : -1;
    }
    const valueFlags = w.quoted ? undefined : WRAPPERS.get(name);
    if (valueFlags) {
      i++;
      while (i < words.length && words[i]!.text.startsWith('-') && words[i]!.text.length > 1) {
        i += !words[i]!.text.includes('=') && valueFlags.has(words[i]!.text) ? 2 : 1;
      }
      if (name === 'timeout' && i < words.length && /^\d+(?:\.\d+)?[smhd]?$/.test(words[i]!.text)) i++;
      continue;
    }
    return i;
  }
  return -1;
}

function commandName(word: Word): string {
  return word.text.replace(/^[@+-]+(?=[A-Za-z./])/, '');
}

const MAX_NESTING = 3;

/** Commands in one logical line (already collapsed), including the quoted scripts of runners. */
function commandsIn(line: string, onFailure: boolean, depth: number, found: Classified[], failing: boolean[]): void {
  for (const segment of segments(tokenize(line))) {
    const words = segment.words;
    const fails = onFailure || segment.onFailure;
    const at = commandIndex(words, 0);
    let hit: Classified | undefined;
    if (at >= 0) {
      hit = classify(commandName(words[at]!), words.slice(at + 1).map((w) => w.text), false);
      if (!hit) {
        // `kubectl exec pod -- helm …`, `aws-vault exec prod -- helm …`: the command after `--`.
        const dashes = words.findIndex((w, k) => k > at && !w.quoted && w.text === '--');
        if (dashes > 0) {
          const inner = commandIndex(words, dashes + 1);
          if (inner >= 0) hit = classify(commandName(words[inner]!), words.slice(inner + 1).map((w) => w.text), false);
        }
      }
    }
    if (hit) {
      found.push(hit);
      failing.push(fails);
    }
    if (depth >= MAX_NESTING || at < 0) continue;
    // Quoted scripts: `sh "…"`, `bash -c '…'`, `ssh host '…'`, `trap '…' ERR`, `sh(script: "…")`.
    const tool = baseName(commandName(words[at]!));
    for (let k = at; k < words.length; k++) {
      const w = words[k]!;
      if (!w.quoted) continue;
      const before = k > 0 ? words[k - 1]! : undefined;
      const runs = (before !== undefined && !before.quoted && RUNNERS.has(before.text)) || (tool === 'ssh' && k > at);
      if (runs) commandsIn(w.inner.replace(/\s+/g, ' '), fails || tool === 'trap', depth + 1, found, failing);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Logical lines

interface LogicalLine {
  text: string;
  /** Offset of its first character in the scanned text. */
  offset: number;
}

/** Physical lines of `text` joined where they end with `\` (shell, Makefile). */
function logicalLines(text: string): LogicalLine[] {
  const out: LogicalLine[] = [];
  let offset = 0;
  let current: LogicalLine | undefined;
  for (const physical of text.split('\n')) {
    const line = physical.endsWith('\r') ? physical.slice(0, -1) : physical;
    const trimmed = line.trimEnd();
    const continues = trimmed.endsWith('\\');
    const piece = continues ? trimmed.slice(0, -1) + ' ' : line;
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

// Keys of CI YAML read as text whose values are commands (`- run: helm …`, `script: "…"`, `commands:`).
const COMMAND_KEYS = new Set(['run', 'script', 'scripts', 'command', 'commands', 'cmd', 'cmds', 'bash', 'sh', 'pwsh', 'powershell', 'inline', 'inlinescript', 'before_script', 'after_script', 'pre', 'post', 'entrypoint', 'args']);

/**
 * A line of YAML read as text, reduced to the command it holds: list dashes and a command key
 * (`run:`, `script:`, `command:`…) removed, and the quotes of a quoted value. A line with any other
 * key (`name: helm upgrade …`) holds no command.
 */
function yamlCommand(line: string): string | undefined {
  let s = line;
  while (s.startsWith('- ')) s = s.slice(2);
  const key = /^([\w.-]+):(?: |$)/.exec(s);
  if (key) {
    if (!COMMAND_KEYS.has(key[1]!.toLowerCase())) return undefined;
    s = s.slice(key[0].length);
    while (s.startsWith('- ')) s = s.slice(2);
  }
  if (s.length >= 2 && (s[0] === '"' || s[0] === "'") && s[s.length - 1] === s[0]) s = s.slice(1, -1);
  return s;
}

export interface ScanOptions {
  /** The text is YAML read as text (a CI file that did not parse, or a CI system whose file is not modelled). */
  yaml?: boolean;
}

const KIND_ORDER: CommandKind[] = ['helm-deploy', 'rollback', 'rollout-wait', 'stack-deploy', 'platform-deploy', 'schema-rollback'];

export function scanCommands(text: string, options: ScanOptions = {}): CommandHit[] {
  const hits: CommandHit[] = [];
  for (const logical of logicalLines(text)) {
    const trimmed = logical.text.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('//')) continue;
    if (trimmed.length > MAX_COMMAND_LINE * 4) continue; // bound the collapse below, too
    const command = trimmed.replace(/\s+/g, ' ');
    if (command.length > MAX_COMMAND_LINE) continue; // a minified blob, not a command
    const line = options.yaml ? yamlCommand(command) : command;
    if (line === undefined || line === '') continue;
    // Skip leading whitespace so the offset points at the command's own line.
    const offset = logical.offset + (logical.text.length - logical.text.trimStart().length);
    const found: Classified[] = [];
    const failing: boolean[] = [];
    commandsIn(line, false, 0, found, failing);
    // One hit of each kind per line: the first, or for a rollback the first that runs on failure.
    for (const kind of KIND_ORDER) {
      const indices = found.flatMap((f, i) => (f.kind === kind ? [i] : []));
      if (indices.length === 0) continue;
      const pick = kind === 'rollback' ? (indices.find((i) => failing[i]) ?? indices[0]!) : indices[0]!;
      const f = found[pick]!;
      if (f.kind === 'helm-deploy') hits.push({ kind: 'helm-deploy', offset, command, atomic: f.atomic });
      else if (f.kind === 'rollback') hits.push({ kind: 'rollback', offset, command, label: f.label, onFailure: failing[pick]! });
      else if (f.kind === 'stack-deploy') hits.push({ kind: 'stack-deploy', offset, command, label: f.label, rollbackDisabled: f.rollbackDisabled });
      else hits.push({ kind: f.kind, offset, command, label: f.label });
    }
  }
  return hits;
}

// ---------------------------------------------------------------------------------------------
// Documents: a rollback command written anywhere in a line of prose or code.

const DOC_TOOLS = new Set(['helm', 'kubectl', 'kubectl-argo-rollouts', 'argocd', 'aws', 'heroku', 'fly', 'flyctl', 'git']);
const DOC_POSITIONALS = 5;
const LEADING = new Set([...'`\'"([{<*_$']);
const TRAILING = new Set([...'`\'")]}>*_,.:;!?']);

/** A word of prose without the quotes, brackets, emphasis and punctuation around it (a loop, not a pattern). */
function bare(word: string): string {
  let start = 0;
  let end = word.length;
  while (start < end && LEADING.has(word[start]!)) start++;
  while (end > start && TRAILING.has(word[end - 1]!)) end--;
  return word.slice(start, end);
}
const DOC_STOP = new Set(['|', '||', '&&', ';']);

/**
 * The rollback command (or `git revert`) written in a line of a document, as the reader would run it:
 * `` `helm -n payments rollback web 3` ``, `$ kubectl rollout undo deploy/web`. Lines longer than
 * MAX_COMMAND_LINE characters are not read.
 */
export function docRollbackCommand(line: string): string | undefined {
  if (line.length > MAX_COMMAND_LINE) return undefined;
  const words = line.split(/\s+/).map(bare);
  for (let i = 0; i < words.length; i++) {
    if (!DOC_TOOLS.has(baseName(words[i]!))) continue;
    // The words after the tool up to its fourth positional word (flags and their values skipped, as
    // many as there are): each word is looked at from at most a few tools before it, so this stays linear.
    const args: string[] = [];
    let positional = 0;
    for (let k = i + 1; k < words.length && positional < DOC_POSITIONALS && !DOC_STOP.has(words[k]!); k++) {
      const w = words[k]!;
      args.push(w);
      if (w.startsWith('-') && w.length > 1) {
        if (!w.includes('=') && VALUE_FLAGS.has(w) && k + 1 < words.length) args.push(words[++k]!);
      } else positional++;
    }
    const hit = classify(words[i]!, args, true);
    if (hit?.kind === 'rollback') return hit.label;
  }
  return undefined;
}

const SCHEMA_DOC_TOOLS = new Set([...Object.keys(SCHEMA_ROLLBACK), 'artisan', 'php']);

/**
 * A command that undoes a schema migration, written in a line of a document: `` `flask db downgrade` ``,
 * `yarn db:rollback`, `php artisan migrate:rollback`.
 */
export function docSchemaRollback(line: string): string | undefined {
  if (line.length > MAX_COMMAND_LINE) return undefined;
  const words = line.split(/\s+/).map(bare);
  for (let i = 0; i < words.length; i++) {
    let at = i;
    const word = baseName(words[i]!);
    if (PACKAGE_RUNNERS.has(word)) {
      at = i + 1;
      while (at < words.length && words[at]!.startsWith('-')) at++;
      if (at < words.length && RUNNER_VERBS.has(words[at]!)) at++;
      if (at >= words.length) continue;
    } else if (!SCHEMA_DOC_TOOLS.has(word)) continue;
    const args = words.slice(at + 1, at + 1 + DOC_POSITIONALS + 2).filter((w) => !DOC_STOP.has(w));
    const hit = classify(words[at]!, args, false);
    if (hit?.kind === 'schema-rollback') return hit.label;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Jenkinsfiles

/**
 * Groovy comments (`// …` and `/* … *\/`) replaced by spaces, newlines and offsets kept; strings
 * (`'…'`, `"…"`, `'''…'''`, `"""…"""`) are skipped so that `sh 'rm -rf build/*'` opens no comment.
 */
export function blankGroovyComments(text: string): string {
  const out: string[] = [];
  let i = 0;
  let copied = 0;
  const n = text.length;
  const blank = (from: number, to: number) => {
    out.push(text.slice(copied, from), text.slice(from, to).replace(/[^\n]/g, ' '));
    copied = to;
  };
  while (i < n) {
    const c = text[i]!;
    if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? n : end;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === '"' || c === "'") {
      const triple = text.startsWith(c.repeat(3), i);
      if (triple) {
        const end = text.indexOf(c.repeat(3), i + 3);
        i = end < 0 ? n : end + 3;
      } else {
        // A one-line string: to the closing quote, or the end of the line when it is never closed.
        let j = i + 1;
        while (j < n && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
        i = j < n && text[j] === c ? j + 1 : j;
      }
    } else i++;
  }
  out.push(text.slice(copied));
  return out.join('');
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
  // Bounded repetitions: `catch(` repeated on one long line must not rescan the rest of it each time.
  const opener = /\b(?:failure|unsuccessful|aborted)[ \t\r\n]{0,200}\{|\bcatch[ \t]{0,200}\([^()\n]{0,200}\)[ \t\r\n]{0,200}\{/g;
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
