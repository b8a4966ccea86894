// Log lines in Redis's format: "<pid>:<role> <dd Mon yyyy hh:mm:ss.mmm> <level> <message>".

import { appendFileSync } from 'node:fs';

export const LEVELS = ['debug', 'verbose', 'notice', 'warning'] as const;
export type LogLevel = (typeof LEVELS)[number];
const MARK: Record<LogLevel, string> = { debug: '.', verbose: '-', notice: '*', warning: '#' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function two(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

export function logTimestamp(d: Date): string {
  const ms = d.getMilliseconds();
  return `${two(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${ms < 10 ? '00' + ms : ms < 100 ? '0' + ms : ms}`;
}

let stdoutGuarded = false;

export class Logger {
  level: LogLevel = 'notice';
  /** Empty: standard output. */
  file = '';
  role = 'M';
  /** Nothing is written (the in-process API's default). */
  silent = false;

  log(level: LogLevel, msg: string): void {
    if (LEVELS.indexOf(level) < LEVELS.indexOf(this.level)) return;
    this.raw(`${process.pid}:${this.role} ${logTimestamp(new Date())} ${MARK[level]} ${msg}`);
  }

  /** A line written as is (the start-up banner). */
  raw(line: string): void {
    if (this.silent) return;
    if (this.file === '') {
      // Whoever reads our stdout may be gone (a closed pipe): logging must never kill the server.
      if (!stdoutGuarded) {
        stdoutGuarded = true;
        process.stdout.on('error', () => {});
      }
      process.stdout.write(line + '\n');
    } else {
      try {
        appendFileSync(this.file, line + '\n', { mode: 0o640 });
      } catch {
        process.stderr.write(line + '\n');
      }
    }
  }

  warning(msg: string): void {
    this.log('warning', msg);
  }

  notice(msg: string): void {
    this.log('notice', msg);
  }

  verbose(msg: string): void {
    this.log('verbose', msg);
  }

  debug(msg: string): void {
    this.log('debug', msg);
  }
}
