// Structured logs on stderr (logfmt lines, or JSON with --log-format json) and progress:
// a redrawn bar on a TTY, one plain line per repository otherwise.
export type Fields = Record<string, string | number | boolean | null | undefined>;

export interface Progress {
  tick(label: string, fields?: Fields): void;
  done(): void;
}

export interface Logger {
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
  progress(total: number): Progress;
}

function logfmtValue(value: Fields[string]): string {
  const text = String(value);
  return /^[\w.:/@+-]+$/.test(text) ? text : JSON.stringify(text);
}

export function createLogger(options: { stream?: NodeJS.WriteStream; format?: 'text' | 'json'; quiet?: boolean } = {}): Logger {
  const stream = options.stream ?? process.stderr;
  const tty = Boolean(stream.isTTY) && options.format !== 'json';
  let barShown = false;
  const clearBar = () => {
    if (barShown) {
      stream.write('\r\x1b[2K');
      barShown = false;
    }
  };
  const write = (level: string, message: string, fields: Fields = {}) => {
    if (options.quiet && level === 'info') return;
    clearBar();
    const time = new Date().toISOString();
    if (options.format === 'json') {
      stream.write(JSON.stringify({ time, level, msg: message, ...fields }) + '\n');
    } else {
      const rest = Object.entries(fields)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${logfmtValue(v)}`)
        .join(' ');
      stream.write(`time=${time} level=${level} msg=${logfmtValue(message)}${rest ? ' ' + rest : ''}\n`);
    }
  };
  return {
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    progress(total) {
      let count = 0;
      return {
        tick(label, fields) {
          count++;
          if (tty && !options.quiet) {
            const width = 24;
            const filled = total === 0 ? width : Math.round((count / total) * width);
            stream.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${count}/${total} ${label.slice(0, 40)}`);
            barShown = true;
          } else {
            write('info', 'repository crawled', { n: `${count}/${total}`, repo: label, ...fields });
          }
        },
        done() {
          clearBar();
        },
      };
    },
  };
}
