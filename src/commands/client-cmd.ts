// CLIENT ID / INFO / LIST / KILL / SETNAME / GETNAME / NO-EVICT / PAUSE / UNPAUSE / REPLY /
// HELP, and the one-line client description CLIENT LIST and CLIENT INFO print, with Redis
// 7.0.15's fields in its order.

import { unblockWait } from './replication.js';
import type { CommandImpls } from './types.js';
import { CLIENT, type Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import { E } from '../protocol/errors.js';
import { parseInt64 } from './args.js';
import { validClientName } from './connection.js';
import { REPLY_BUF, clientMemory } from './memory.js';
import { trackingCommands } from '../pubsub/tracking-cmd.js';
import { unblockClient } from '../server/blocking.js';

/**
 * Figures owned by other layers (pub/sub, MULTI, tracking, ACL). Each layer replaces the
 * function it owns; the defaults describe a client that uses none of those features.
 */
export const clientInfoHooks = {
  /** Channels, patterns and shard channels subscribed to. */
  subscriptions: (_c: Client): [number, number, number] => [0, 0, 0],
  /** Commands queued in MULTI (-1 outside MULTI) and the bytes of their arguments. */
  multi: (c: Client): [number, number] => [c.has(CLIENT.multi) ? 0 : -1, 0],
  /** Tracking redirection id (-1 when not tracking). */
  redirect: (_c: Client): number => -1,
  /** Extra flag letters in Redis's order after 't': R (broken redirect), B (bcast). */
  extraFlags: (_c: Client): string => '',
  /** Fields appended after Redis's own (" tls-protocol=..."), '' for none (TLS layer). */
  extraFields: (_c: Client): string => '',
  /** Whether an ACL user exists (CLIENT KILL USER). */
  userExists: (name: string): boolean => name === 'default',
};

export type ClientType = 'normal' | 'replica' | 'pubsub' | 'master';

function typeByName(name: string): ClientType | null {
  switch (name.toLowerCase()) {
    case 'normal':
      return 'normal';
    case 'slave':
    case 'replica':
      return 'replica';
    case 'pubsub':
      return 'pubsub';
    case 'master':
      return 'master';
    default:
      return null;
  }
}

/** getClientType: MONITOR clients count as normal. */
export function clientType(c: Client): ClientType {
  if (c.has(CLIENT.master)) return 'master';
  if (c.ext.replica === true && !c.has(CLIENT.monitor)) return 'replica';
  return c.has(CLIENT.pubsub) ? 'pubsub' : 'normal';
}

function flagString(c: Client): string {
  let f = '';
  if (c.has(CLIENT.monitor)) f += 'O';
  else if (c.ext.replica === true) f += 'S';
  if (c.has(CLIENT.master)) f += 'M';
  if (c.has(CLIENT.pubsub)) f += 'P';
  if (c.has(CLIENT.multi)) f += 'x';
  if (c.has(CLIENT.blocked | CLIENT.postponed)) f += 'b';
  if (c.has(CLIENT.tracking)) f += 't';
  f += clientInfoHooks.extraFlags(c);
  if (c.has(CLIENT.dirtyCas)) f += 'd';
  if (c.has(CLIENT.closeAfterReply)) f += 'c';
  if (c.has(CLIENT.closeAsap)) f += 'A';
  if (c.has(CLIENT.unixSocket)) f += 'U';
  if (c.has(CLIENT.readonly)) f += 'r';
  if (c.has(CLIENT.noEvict)) f += 'e';
  return f === '' ? 'N' : f;
}

function argvBytes(argv: readonly string[]): number {
  let n = 0;
  for (const a of argv) n += a.length;
  return n;
}

/** One CLIENT LIST line (no trailing newline). `caller` is the client running the command. */
export function clientInfoString(c: Client, caller: Client | null): string {
  const nowSec = Math.floor(Date.now() / 1000);
  const [sub, psub, ssub] = clientInfoHooks.subscriptions(c);
  const [multi, multiMem] = clientInfoHooks.multi(c);
  // Arguments are held only while a command runs or waits (blocked).
  const argvMem = c === caller || c.has(CLIENT.blocked) ? argvBytes(c.argv) : 0;
  const qbuf = c.parser.qbufLength;
  const qbufFree = Math.max(0, c.parser.qbuf.alloc - qbuf);
  const pending = c.reply.bytes + (c.control?.socketPending() ?? 0);
  const obl = Math.min(pending, REPLY_BUF);
  const omem = pending - obl;
  const oll = omem > 0 ? Math.ceil(omem / REPLY_BUF) : 0;
  const events = c.control === null ? '' : c.control.socketPending() > 0 ? 'rw' : 'r';
  return (
    `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${c.fd} name=${c.name}` +
    ` age=${nowSec - Math.floor(c.createdAt / 1000)} idle=${nowSec - Math.floor(c.lastInteraction / 1000)}` +
    ` flags=${flagString(c)} db=${c.dbIndex} sub=${sub} psub=${psub} ssub=${ssub} multi=${multi}` +
    ` qbuf=${qbuf} qbuf-free=${qbufFree} argv-mem=${argvMem} multi-mem=${multiMem}` +
    ` rbs=${REPLY_BUF} rbp=${REPLY_BUF} obl=${obl} oll=${oll} omem=${omem}` +
    ` tot-mem=${clientMemory(c) + argvMem + multiMem} events=${events}` +
    ` cmd=${c.lastCmd?.fullname ?? 'NULL'} user=${c.user} redir=${clientInfoHooks.redirect(c)} resp=${c.resp}` +
    clientInfoHooks.extraFields(c)
  );
}

/** Periodic per-client work of Redis's clientsCron: query buffer resizing. */
export function installClientsCron(server: Server): void {
  server.hooks.cron.push(() => {
    const nowSec = Math.floor(Date.now() / 1000);
    for (const c of server.clients.values()) {
      const idle = nowSec - Math.floor(c.lastInteraction / 1000);
      c.parser.qbuf.cron(c.parser.qbufLength, idle, c.parser.currentBulkLen);
    }
  });
}

function list(c: Client, argv: string[]): void {
  let out = '';
  if (argv.length === 4 && argv[2]!.toLowerCase() === 'type') {
    const type = typeByName(argv[3]!);
    if (type === null) return c.reply.error(`Unknown client type '${argv[3]}'`);
    for (const cl of c.server.clients.values()) {
      if (clientType(cl) === type) out += clientInfoString(cl, c) + '\n';
    }
  } else if (argv.length > 3 && argv[2]!.toLowerCase() === 'id') {
    for (let j = 3; j < argv.length; j++) {
      const id = parseInt64(argv[j]!);
      if (id === null) return c.reply.error('Invalid client ID');
      const cl = c.server.clients.get(Number(id));
      if (cl !== undefined) out += clientInfoString(cl, c) + '\n';
    }
  } else if (argv.length !== 2) {
    return c.reply.error(E.syntax);
  } else {
    for (const cl of c.server.clients.values()) out += clientInfoString(cl, c) + '\n';
  }
  c.reply.verbatim(out);
}

interface KillFilter {
  addr: string | null;
  laddr: string | null;
  type: ClientType | null;
  id: number;
  user: string | null;
  skipme: boolean;
}

/** Parses the new-style filters; replies with the error and returns null when invalid. */
function parseKillFilter(c: Client, argv: string[]): KillFilter | null {
  const f: KillFilter = { addr: null, laddr: null, type: null, id: 0, user: null, skipme: true };
  for (let i = 2; i < argv.length; i += 2) {
    const opt = argv[i]!.toLowerCase();
    const val = argv[i + 1];
    if (val === undefined) {
      c.reply.error(E.syntax);
      return null;
    }
    if (opt === 'id') {
      const id = parseInt64(val);
      if (id === null || id < 1n) {
        c.reply.error('client-id should be greater than 0');
        return null;
      }
      f.id = Number(id);
    } else if (opt === 'type') {
      f.type = typeByName(val);
      if (f.type === null) {
        c.reply.error(`Unknown client type '${val}'`);
        return null;
      }
    } else if (opt === 'addr') {
      f.addr = val;
    } else if (opt === 'laddr') {
      f.laddr = val;
    } else if (opt === 'user') {
      if (!clientInfoHooks.userExists(val)) {
        c.reply.error(`No such user '${val}'`);
        return null;
      }
      f.user = val;
    } else if (opt === 'skipme') {
      const v = val.toLowerCase();
      if (v !== 'yes' && v !== 'no') {
        c.reply.error(E.syntax);
        return null;
      }
      f.skipme = v === 'yes';
    } else {
      // MAXAGE arrived in Redis 7.2: 7.0 answers a syntax error.
      c.reply.error(E.syntax);
      return null;
    }
  }
  return f;
}

function matches(cl: Client, f: KillFilter, caller: Client): boolean {
  if (f.addr !== null && cl.addr !== f.addr) return false;
  if (f.laddr !== null && cl.laddr !== f.laddr) return false;
  if (f.type !== null && clientType(cl) !== f.type) return false;
  if (f.id !== 0 && cl.id !== f.id) return false;
  if (f.user !== null && cl.user !== f.user) return false;
  return cl !== caller || !f.skipme;
}

function kill(c: Client, argv: string[]): void {
  const oldForm = argv.length === 3;
  let f: KillFilter | null;
  if (oldForm) {
    // CLIENT KILL <addr>: the caller may kill itself.
    f = { addr: argv[2]!, laddr: null, type: null, id: 0, user: null, skipme: false };
  } else {
    f = parseKillFilter(c, argv);
    if (f === null) return;
  }
  let killed = 0;
  let self = false;
  for (const cl of [...c.server.clients.values()]) {
    if (!matches(cl, f, c)) continue;
    if (cl === c) self = true;
    else if (cl.control !== null) cl.control.close();
    else c.server.removeClient(cl);
    killed++;
  }
  if (oldForm) {
    if (killed === 0) c.reply.error('No such client');
    else c.reply.ok();
  } else {
    c.reply.int(killed);
  }
  // The reply is queued first; the connection closes once it is written.
  if (self) c.flags |= CLIENT.closeAfterReply;
}

function pause(c: Client, argv: string[]): void {
  let writesOnly = false;
  if (argv.length === 4) {
    const mode = argv[3]!.toLowerCase();
    if (mode === 'write') writesOnly = true;
    else if (mode !== 'all') return c.reply.error('ERR CLIENT PAUSE mode must be WRITE or ALL');
  }
  const ms = parseInt64(argv[2]!);
  if (ms === null) return c.reply.error('timeout is not an integer or out of range');
  if (ms < 0n) return c.reply.error('timeout is negative');
  const now = Date.now();
  const end = ms > 0n ? now + Number(ms) : 0;
  const server = c.server;
  if (server.pauseUntil > now) {
    // An active pause is only ever extended or made stricter.
    server.pauseWritesOnly = server.pauseWritesOnly && writesOnly;
    server.pauseUntil = Math.max(server.pauseUntil, end);
  } else {
    server.pauseWritesOnly = writesOnly;
    server.pauseUntil = end;
  }
  c.reply.ok();
}

function reply(c: Client, argv: string[]): void {
  const mode = argv[2]!.toLowerCase();
  if (mode === 'on') {
    c.flags &= ~(CLIENT.replySkip | CLIENT.replyOff | CLIENT.replySkipNext);
    c.reply.ok();
  } else if (mode === 'off') {
    c.flags |= CLIENT.replyOff;
  } else if (mode === 'skip') {
    if (!c.has(CLIENT.replyOff)) c.flags |= CLIENT.replySkipNext;
  } else {
    c.reply.error(E.syntax);
  }
}

/** CLIENT UNBLOCK <id> [TIMEOUT|ERROR]: ends another client's blocking command. */
function unblock(c: Client, argv: string[]): void {
  if (argv.length > 4) {
    return c.reply.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1]!}'. Try CLIENT HELP.`);
  }
  let how: 'timeout' | 'error' = 'timeout';
  if (argv.length === 4) {
    const reason = argv[3]!.toLowerCase();
    if (reason === 'error') how = 'error';
    else if (reason !== 'timeout') return c.reply.error('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
  }
  const id = parseInt64(argv[2]!);
  if (id === null) return c.reply.error(E.notInteger);
  const target = c.server.clients.get(Number(id));
  c.reply.int(target !== undefined && (unblockClient(target, how) || unblockWait(target, how)) ? 1 : 0);
}

const HELP = [
  'CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GETNAME',
  '    Return the name of this connection.',
  'ID',
  '    Return the id of this connection.',
  'INFO',
  '    Return information about this connection.',
  'KILL <ip:port>',
  '    Close the connection at <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Close the connections matching all the filters: ID <client-id>,',
  '    TYPE NORMAL|MASTER|REPLICA|PUBSUB, USER <username>, ADDR <ip:port>,',
  '    LADDR <ip:port>, SKIPME YES|NO (default YES).',
  'LIST [TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID <client-id> [<client-id> ...]]',
  '    Describe the connections.',
  'NO-EVICT ON|OFF',
  '    Protect this connection from client eviction, or not.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Hold the commands of all clients (or only writes) for <timeout> milliseconds.',
  'REPLY ON|OFF|SKIP',
  '    Turn replies to this connection on or off, or skip the next one.',
  'SETNAME <name>',
  '    Name this connection.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  'UNPAUSE',
  '    End a pause started by CLIENT PAUSE.',
  'HELP',
  '    Print this help.',
];

export const clientCommands: CommandImpls = {
  'client|help'(c) {
    c.reply.arrayLen(HELP.length);
    for (const line of HELP) c.reply.simple(line);
  },
  'client|id'(c) {
    c.reply.int(c.id);
  },
  'client|info'(c) {
    c.reply.verbatim(clientInfoString(c, c) + '\n');
  },
  'client|list': list,
  'client|kill': kill,
  'client|setname'(c, argv) {
    const name = argv[2]!;
    if (!validClientName(name))
      return c.reply.error('Client names cannot contain spaces, newlines or special characters.');
    c.name = name;
    c.reply.ok();
  },
  'client|getname'(c) {
    if (c.name === '') c.reply.nullBulk();
    else c.reply.bulk(c.name);
  },
  'client|no-evict'(c, argv) {
    const v = argv[2]!.toLowerCase();
    if (v === 'on') c.flags |= CLIENT.noEvict;
    else if (v === 'off') c.flags &= ~CLIENT.noEvict;
    else return c.reply.error(E.syntax);
    c.reply.ok();
  },
  'client|pause': pause,
  'client|unpause'(c) {
    c.server.pauseUntil = 0;
    c.server.pauseWritesOnly = false;
    c.reply.ok();
  },
  'client|reply': reply,
  'client|unblock': unblock,
  ...trackingCommands,
};
