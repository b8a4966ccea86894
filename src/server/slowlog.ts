// The slow log: commands that ran at least slowlog-log-slower-than microseconds, newest first,
// at most slowlog-max-len of them. Entries keep at most 32 arguments of at most 128 bytes each,
// as Redis does, and never the secrets redactedArgv hides.

import type { Client } from './client.js';
import type { Server } from './server.js';
import type { Command } from '../commands/registry.js';
import { CMD } from '../commands/flags.js';
import { redactedArgv } from './monitor.js';

const MAX_ARGC = 32;
const MAX_STRING = 128;

export interface SlowlogEntry {
  id: number;
  /** Unix time in seconds when the entry was logged. */
  time: number;
  usec: number;
  argv: string[];
  addr: string;
  name: string;
}

export class SlowLog {
  /** Oldest first; readers walk it backwards. */
  readonly entries: SlowlogEntry[] = [];
  nextId = 0;
  /** slowlog-log-slower-than (microseconds; negative = disabled). */
  slowerThan = 10000;
  /** slowlog-max-len */
  maxLen = 128;

  /**
   * Logs a command run by c that took usec, if it is slow enough, then trims the log to
   * slowlog-max-len (Redis slowlogPushEntryIfNeeded). Secrets are redacted when cmd is given.
   */
  push(c: Client, cmd: Command | null, argv: readonly string[], usec: number): void {
    if (this.slowerThan < 0) return;
    if (usec >= this.slowerThan) {
      this.entries.push({
        id: this.nextId++,
        time: Math.floor(Date.now() / 1000),
        usec,
        argv: trimArgv(cmd === null ? argv : redactedArgv(cmd, argv)),
        addr: c.addr,
        name: c.name,
      });
    }
    const extra = this.entries.length - this.maxLen;
    if (extra > 0) this.entries.splice(0, extra);
  }

  reset(): void {
    this.entries.length = 0;
  }
}

function trimArgv(argv: readonly string[]): string[] {
  const argc = Math.min(argv.length, MAX_ARGC);
  const out = new Array<string>(argc);
  for (let j = 0; j < argc; j++) {
    if (argc !== argv.length && j === argc - 1) {
      out[j] = `... (${argv.length - argc + 1} more arguments)`;
    } else {
      const a = argv[j]!;
      out[j] = a.length > MAX_STRING ? `${a.slice(0, MAX_STRING)}... (${a.length - MAX_STRING} more bytes)` : a;
    }
  }
  return out;
}

const logs = new WeakMap<Server, SlowLog>();

/** The server's slow log, kept in step with its two configs. */
export function slowlog(server: Server): SlowLog {
  let log = logs.get(server);
  if (log === undefined) {
    const l = new SlowLog();
    l.slowerThan = server.config.int('slowlog-log-slower-than');
    l.maxLen = server.config.int('slowlog-max-len');
    server.config.onApply('slowlog-log-slower-than', (v) => ((l.slowerThan = Number(v)), null));
    server.config.onApply('slowlog-max-len', (v) => ((l.maxLen = Number(v)), null));
    logs.set(server, l);
    log = l;
  }
  return log;
}

/** Redis slowlogPushCurrentCommand: commands flagged skip_slowlog (EXEC...) are never logged. */
export function slowlogCommand(log: SlowLog, c: Client, cmd: Command, argv: readonly string[], usec: number): void {
  if (!cmd.has(CMD.skip_slowlog)) log.push(c, cmd, argv, usec);
}
