// MULTI/EXEC/DISCARD and WATCH, with Redis 7.0.15's semantics:
// - commands refused while queueing (by the gate) flag the transaction, and EXEC then fails
//   with EXECABORT; errors raised by a command while EXEC runs it do not stop the others;
// - a WATCHed key touched by anyone (a write, an expiry, FLUSHDB/FLUSHALL/SWAPDB) makes EXEC
//   answer a null array. A key already logically expired when WATCHed does not count as
//   changed when it is merely deleted, and a key that expires between WATCH and EXEC does;
// - EXEC re-checks ACL permissions of every queued command before running it.

import { CLIENT, type Client } from './client.js';
import type { Server } from './server.js';
import type { Db, Entry } from '../store/db.js';
import type { Command } from '../commands/registry.js';
import { call, endReplySkip, gate, type MultiLayer } from '../commands/dispatch.js';
import { clientInfoHooks } from '../commands/client-cmd.js';
import { feedMonitors } from './monitor.js';
import { E } from '../protocol/errors.js';

interface Queued {
  cmd: Command;
  argv: string[];
}

class WatchedKey {
  constructor(
    readonly key: string,
    readonly db: Db,
    readonly client: Client,
    /** The key existed but was logically expired when WATCHed. */
    public expired: boolean,
  ) {}
}

/** Per-client transaction state, kept in c.ext.tx. */
class TxState {
  queue: Queued[] = [];
  /** Argument bytes plus a pointer per argument of the queued commands (CLIENT LIST multi-mem). */
  mem = 0;
  /** Union of the queued commands' flags (the OOM check of EXEC looks at denyoom). */
  cmdFlags = 0;
  watched: WatchedKey[] = [];
}

function txOf(c: Client): TxState {
  let tx = c.ext.tx as TxState | undefined;
  if (tx === undefined) {
    tx = new TxState();
    c.ext.tx = tx;
  }
  return tx;
}

function peekTx(c: Client): TxState | undefined {
  return c.ext.tx as TxState | undefined;
}

/** True when e is present in the dict but its time has passed (Redis keyIsExpired). */
function logicallyExpired(db: Db, e: Entry | undefined): boolean {
  return e !== undefined && db.isExpired(e);
}

/** The server-wide WATCH registry: db → key → watchers, in the order they started watching. */
export class Transactions {
  private readonly byDb = new Map<Db, Map<string, WatchedKey[]>>();
  /** Number of (client, key) watches; lets every write skip the lookup when nobody watches. */
  private count = 0;

  watch(c: Client, key: string): void {
    const tx = txOf(c);
    for (const wk of tx.watched) if (wk.db === c.db && wk.key === key) return;
    let keys = this.byDb.get(c.db);
    if (keys === undefined) {
      keys = new Map();
      this.byDb.set(c.db, keys);
    }
    let list = keys.get(key);
    if (list === undefined) {
      list = [];
      keys.set(key, list);
    }
    const wk = new WatchedKey(key, c.db, c, logicallyExpired(c.db, c.db.dict.get(key)));
    tx.watched.push(wk);
    list.push(wk);
    this.count++;
  }

  unwatchAll(c: Client): void {
    const tx = peekTx(c);
    if (tx === undefined || tx.watched.length === 0) return;
    for (const wk of tx.watched) {
      const keys = this.byDb.get(wk.db)!;
      const list = keys.get(wk.key)!;
      list.splice(list.indexOf(wk), 1);
      if (list.length === 0) keys.delete(wk.key);
      this.count--;
    }
    tx.watched = [];
  }

  watchedCount(c: Client): number {
    return peekTx(c)?.watched.length ?? 0;
  }

  /** A watched key that was alive when WATCHed has expired since (checked by EXEC). */
  watchedKeyExpired(c: Client): boolean {
    const tx = peekTx(c);
    if (tx === undefined) return false;
    for (const wk of tx.watched) {
      if (!wk.expired && logicallyExpired(wk.db, wk.db.dict.get(wk.key))) return true;
    }
    return false;
  }

  /** A key was modified or deleted: its watchers' next EXEC fails (Redis touchWatchedKey). */
  touch(db: Db, key: string): void {
    if (this.count === 0) return;
    const list = this.byDb.get(db)?.get(key);
    if (list === undefined) return;
    for (const wk of list.slice()) {
      if (wk.expired) {
        // Deleting a key that was already expired when watched is no logical change.
        if (!db.dict.has(key)) {
          wk.expired = false;
          continue;
        }
        // Redis 7.0.15 stops scanning the watchers here (the key came back to life while
        // still flagged expired); its behaviour is kept as is.
        break;
      }
      wk.client.flags |= CLIENT.dirtyCas;
      // Dirty already: nothing this client watches matters any more.
      this.unwatchAll(wk.client);
    }
  }

  /**
   * The contents of db were replaced (FLUSHDB/FLUSHALL: with nothing; SWAPDB: with another
   * db's). A watched key counts as touched when it existed before or exists now, except
   * where only logically expired keys are involved (Redis touchAllWatchedKeysInDb).
   */
  replaced(db: Db, old: ReadonlyMap<string, Entry>): void {
    if (this.count === 0) return;
    const keys = this.byDb.get(db);
    if (keys === undefined) return;
    for (const [key, list] of keys) {
      const before = old.has(key);
      const now = db.dict.get(key);
      if (!before && now === undefined) continue;
      for (const wk of list) {
        if (wk.expired) {
          if (now === undefined) {
            wk.expired = false;
            continue;
          }
          if (db.isExpired(now)) continue;
        } else if (!before && db.isExpired(now!)) {
          wk.expired = true;
          continue;
        }
        wk.client.flags |= CLIENT.dirtyCas;
      }
    }
  }
}

const registries = new WeakMap<Server, Transactions>();

export function transactions(server: Server): Transactions {
  let t = registries.get(server);
  if (t === undefined) {
    t = new Transactions();
    registries.set(server, t);
  }
  return t;
}

/** Leaves MULTI: drops the queue, the dirty flags and every WATCH (Redis discardTransaction). */
export function discardTransaction(c: Client): void {
  const tx = peekTx(c);
  if (tx !== undefined) {
    tx.queue = [];
    tx.mem = 0;
    tx.cmdFlags = 0;
  }
  c.flags &= ~(CLIENT.multi | CLIENT.dirtyCas | CLIENT.dirtyExec);
  transactions(c.server).unwatchAll(c);
}

/** Flag bits of every command queued so far (0 outside MULTI). */
export function queuedCommandFlags(c: Client): number {
  return c.has(CLIENT.multi) ? (peekTx(c)?.cmdFlags ?? 0) : 0;
}

/** Commands queued in the open transaction (0 outside MULTI). */
export function queuedCount(c: Client): number {
  return c.has(CLIENT.multi) ? (peekTx(c)?.queue.length ?? 0) : 0;
}

function queue(c: Client, cmd: Command, argv: string[]): void {
  // An aborted transaction keeps answering QUEUED but stores nothing.
  if (!c.has(CLIENT.dirtyCas | CLIENT.dirtyExec)) {
    const tx = txOf(c);
    tx.queue.push({ cmd, argv });
    let bytes = 8 * argv.length;
    for (const a of argv) bytes += a.length;
    tx.mem += bytes;
    tx.cmdFlags |= gate.flagsOf?.(c, cmd, argv) ?? cmd.flags;
  }
  if (!c.has(CLIENT.replyOff | CLIENT.replySkip)) c.reply.simple('QUEUED');
  endReplySkip(c);
}

/** EXEC refused by the gate: the transaction ends with EXECABORT and the reason (execCommandAbort). */
function execRejected(c: Client, cmd: Command, msg: string): boolean {
  if (cmd.parent !== null || cmd.name !== 'exec') return false;
  discardTransaction(c);
  const reason = msg.startsWith('ERR ') ? msg.slice(4) : msg;
  c.reply.error(`EXECABORT Transaction discarded because of: ${reason}`);
  // Monitors saw MULTI; tell them the transaction is over.
  feedMonitors(c, cmd, c.argv);
  return true;
}

const IMMEDIATE = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);

const layer: MultiLayer & { execRejected(c: Client, cmd: Command, msg: string): boolean } = {
  queue,
  flag(c) {
    if (c.has(CLIENT.multi)) c.flags |= CLIENT.dirtyExec;
  },
  runsImmediately(cmd) {
    return cmd.parent === null && IMMEDIATE.has(cmd.name);
  },
  execRejected,
};

const NOPERM_REASON = {
  command: 'no permission to execute the command or subcommand',
  key: 'no permission to touch the specified keys',
  channel: 'no permission to access one of the channels used as arguments',
} as const;

/** EXEC: runs the queue with the clock frozen, one reply per command, in one array. */
export function execTransaction(c: Client): void {
  if (!c.has(CLIENT.multi)) return c.reply.error('ERR EXEC without MULTI');
  const reg = transactions(c.server);
  if (reg.watchedKeyExpired(c)) c.flags |= CLIENT.dirtyCas;
  if (c.has(CLIENT.dirtyCas | CLIENT.dirtyExec)) {
    if (c.has(CLIENT.dirtyExec)) c.reply.error(E.execAbort);
    else c.reply.nullArray();
    discardTransaction(c);
    return;
  }
  const tx = txOf(c);
  const queued = tx.queue;
  const denied = c.has(CLIENT.denyBlocking);
  c.flags |= CLIENT.denyBlocking;
  reg.unwatchAll(c);
  const execArgv = c.argv;
  // CLIENT REPLY SKIP applies to the whole EXEC: inner calls must not consume it.
  const skip = c.flags & CLIENT.replySkip;
  c.reply.arrayLen(queued.length);
  for (const { cmd, argv } of queued) {
    const verdict = c.server.security.check(c, cmd, argv);
    if (!verdict.ok) {
      c.reply.error(
        'NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. ' +
          `This command is no longer allowed for the following reason: ${NOPERM_REASON[verdict.reason]}`,
      );
    } else {
      call(c, cmd, argv);
    }
  }
  c.flags |= skip;
  if (!denied) c.flags &= ~CLIENT.denyBlocking;
  c.argv = execArgv;
  discardTransaction(c);
}

/** Wires the transaction layer into a server: gate hook, keyspace hooks, per-client cleanup. */
export function installTransactions(server: Server): void {
  gate.multi = layer;
  const reg = transactions(server);
  server.hooks.keyModified.push((db, key) => reg.touch(db, key));
  server.hooks.dbReplaced.push((db, old) => reg.replaced(db, old));
  server.hooks.clientClosed.push((c) => discardTransaction(c));
  server.hooks.clientReset.push((c) => discardTransaction(c));
  clientInfoHooks.multi = (c) => {
    if (!c.has(CLIENT.multi)) return [-1, 0];
    const tx = peekTx(c);
    return [tx?.queue.length ?? 0, tx?.mem ?? 0];
  };
}
