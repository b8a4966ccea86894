// MONITOR: every command a client runs is echoed, as one status line, to the clients in
// monitor mode. Also the redaction of secrets (passwords, ACL rules) shared with SLOWLOG.

import { CLIENT, type Client } from './client.js';
import type { Server } from './server.js';
import type { Command } from '../commands/registry.js';

const monitorsOf = new WeakMap<Server, Set<Client>>();

/** The clients in monitor mode on this server (created empty on first use). */
export function monitors(server: Server): Set<Client> {
  let set = monitorsOf.get(server);
  if (set === undefined) {
    set = new Set();
    monitorsOf.set(server, set);
  }
  return set;
}

export function startMonitoring(c: Client): void {
  c.flags |= CLIENT.monitor;
  monitors(c.server).add(c);
}

/** Leaves monitor mode (RESET) or forgets a closed client. */
export function stopMonitoring(c: Client): void {
  c.flags &= ~CLIENT.monitor;
  monitorsOf.get(c.server)?.delete(c);
}

/** What Redis shows in place of a secret argument. */
export const REDACTED = '(redacted)';

/** Configs whose values CONFIG SET never lets reach a log (Redis's SENSITIVE_CONFIG). */
const SENSITIVE_CONFIGS = new Set(['masteruser', 'masterauth', 'requirepass']);

function redactAt(argv: readonly string[], idx: number[]): readonly string[] {
  if (idx.length === 0) return argv;
  const out = argv.slice();
  for (const i of idx) out[i] = REDACTED;
  return out;
}

/**
 * The arguments as monitors and the slow log may see them: the same positions Redis's AUTH,
 * HELLO, ACL SETUSER, CONFIG SET and MIGRATE handlers redact, under the same conditions.
 * Returns argv itself when nothing is secret (the usual case, no copy).
 */
export function redactedArgv(cmd: Command, argv: readonly string[]): readonly string[] {
  const idx: number[] = [];
  switch (cmd.fullname) {
    case 'auth':
      // AUTH with too many arguments fails before redacting anything.
      if (argv.length <= 3) for (let i = 1; i < argv.length; i++) idx.push(i);
      break;
    case 'hello':
      hello(argv, idx);
      break;
    case 'acl|setuser':
      for (let i = 2; i < argv.length; i++) idx.push(i);
      break;
    case 'config|set':
      if (argv.length % 2 === 0) {
        for (let i = 2; i + 1 < argv.length; i += 2) {
          if (SENSITIVE_CONFIGS.has(argv[i]!.toLowerCase())) idx.push(i + 1);
        }
      }
      break;
    case 'migrate':
      migrate(argv, idx);
      break;
    default:
      return argv;
  }
  return redactAt(argv, idx);
}

/** HELLO [protover [AUTH user pass] [SETNAME name]]: parsing stops at the first bad option. */
function hello(argv: readonly string[], idx: number[]): void {
  if (argv.length < 2) return;
  const ver = argv[1]!;
  if (ver !== '2' && ver !== '3') return;
  for (let j = 2; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    const more = argv.length - 1 - j;
    if (opt === 'auth' && more >= 2) {
      idx.push(j + 1, j + 2);
      j += 2;
    } else if (opt === 'setname' && more >= 1) {
      j++;
    } else {
      return;
    }
  }
}

/** MIGRATE host port key db timeout [COPY] [REPLACE] [AUTH pw | AUTH2 user pw] [KEYS ...]. */
function migrate(argv: readonly string[], idx: number[]): void {
  for (let j = 6; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    const more = argv.length - 1 - j;
    if (opt === 'copy' || opt === 'replace') continue;
    if (opt === 'auth') {
      if (more < 1) return;
      idx.push(++j);
    } else if (opt === 'auth2') {
      if (more < 2) return;
      idx.push(j + 1, j + 2);
      j += 2;
    } else {
      return;
    }
  }
}

/** sdscatrepr: a double-quoted string with C escapes; bytes outside printable ASCII as \xHH. */
export function quoteArg(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    switch (ch) {
      case 0x5c:
        out += '\\\\';
        break;
      case 0x22:
        out += '\\"';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      case 0x07:
        out += '\\a';
        break;
      case 0x08:
        out += '\\b';
        break;
      default:
        out += ch >= 0x20 && ch <= 0x7e ? s[i] : '\\x' + (ch & 0xff).toString(16).padStart(2, '0');
    }
  }
  return out + '"';
}

/** Wall-clock time as "seconds.microseconds", the way MONITOR stamps each line. */
function stamp(): string {
  const us = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  const sec = Math.floor(us / 1e6);
  return `${sec}.${String(us - sec * 1e6).padStart(6, '0')}`;
}

/**
 * The line monitors get for one command: +<time> [<db> <addr>] "arg" "arg"... A script
 * layer passes origin 'lua' for the commands a script runs ("[0 lua]").
 */
export function monitorLine(c: Client, dbIndex: number, argv: readonly string[], origin?: string): string {
  const who = origin ?? (c.has(CLIENT.unixSocket) ? `unix:${c.server.config.str('unixsocket')}` : c.addr);
  let line = `+${stamp()} [${dbIndex} ${who}]`;
  for (const a of argv) line += ' ' + quoteArg(a);
  return line + '\r\n';
}

/**
 * Sends one executed command to every monitor (callers check the skip_monitor/admin flags).
 * origin: 'lua' for commands run by a script (see monitorLine).
 */
export function feedMonitors(c: Client, cmd: Command | null, argv: readonly string[], origin?: string): void {
  const set = monitorsOf.get(c.server);
  if (set === undefined || set.size === 0) return;
  const line = monitorLine(c, c.dbIndex, cmd === null ? argv : redactedArgv(cmd, argv), origin);
  for (const m of set) {
    m.reply.raw(line);
    // The monitor is usually not the client being served: its reply must be flushed by itself.
    if (m !== c) m.control?.scheduleFlush();
  }
}
