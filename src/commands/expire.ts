// Expiry commands: EXPIRE PEXPIRE EXPIREAT PEXPIREAT (NX XX GT LT), TTL PTTL EXPIRETIME
// PEXPIRETIME, PERSIST. Expire times are absolute unix milliseconds; the arithmetic that can
// overflow a 64-bit integer in Redis is checked in bigint so the same inputs fail.

import { NOTIFY } from '../server/notify.js';
import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import { E, invalidExpireTime } from '../protocol/errors.js';
import { LLONG_MAX, LLONG_MIN, parseInt64, eqi } from './args.js';
import { rewritePropagation } from '../replication/propagate.js';

const NX = 1;
const XX = 2;
const GT = 4;
const LT = 8;

/** Parses the NX/XX/GT/LT options from argv[3]; null after replying with an error. */
function parseExpireFlags(c: Client, argv: readonly string[]): number | null {
  let flags = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!;
    if (eqi(opt, 'nx')) flags |= NX;
    else if (eqi(opt, 'xx')) flags |= XX;
    else if (eqi(opt, 'gt')) flags |= GT;
    else if (eqi(opt, 'lt')) flags |= LT;
    else {
      c.reply.error(`Unsupported option ${opt}`);
      return null;
    }
  }
  if (flags & NX && flags & (XX | GT | LT)) {
    c.reply.error('ERR NX and XX, GT or LT options at the same time are not compatible');
    return null;
  }
  if (flags & GT && flags & LT) {
    c.reply.error('ERR GT and LT options at the same time are not compatible');
    return null;
  }
  return flags;
}

/**
 * The absolute expire time in ms for argv[2], given the base time (0 for the *AT forms) and
 * the unit; null after replying with an error.
 */
function expireTime(c: Client, arg: string, base: number, seconds: boolean, cmd: string): number | null {
  let when = parseInt64(arg);
  if (when === null) {
    c.reply.error(E.notInteger);
    return null;
  }
  if (seconds) {
    if (when > LLONG_MAX / 1000n || when < LLONG_MIN / 1000n) {
      c.reply.error(invalidExpireTime(cmd));
      return null;
    }
    when *= 1000n;
  }
  const b = BigInt(base);
  if (when > LLONG_MAX - b) {
    c.reply.error(invalidExpireTime(cmd));
    return null;
  }
  return Number(when + b);
}

/** Whether the NX/XX/GT/LT conditions allow replacing `current` (-1 = none) by `when`. */
function flagsAllow(flags: number, current: number, when: number): boolean {
  if (flags & NX && current !== -1) return false;
  if (flags & XX && current === -1) return false;
  // No TTL counts as an infinite one: GT never beats it, LT always does.
  if (flags & GT && (current === -1 || when <= current)) return false;
  if (flags & LT && current !== -1 && when >= current) return false;
  return true;
}

/**
 * Whether an expire time is already past, so the key goes at once (Redis checkAlreadyExpired).
 * Never on a replica (it keeps the key until its primary's DEL arrives) nor while the AOF is
 * replayed (later commands of the file may still use the key).
 */
export function alreadyExpired(c: Client, when: number): boolean {
  return when <= c.server.now() && !c.server.loading && !c.server.repl.isReplica;
}

/** DEL or UNLINK, as the lazyfree option `name` says the deletion was done. */
export function delCommandName(c: Client, name: string): string {
  return c.server.config.bool(name) ? 'UNLINK' : 'DEL';
}

function expireGeneric(c: Client, argv: string[], relative: boolean, seconds: boolean): void {
  const key = argv[1]!;
  const flags = parseExpireFlags(c, argv);
  if (flags === null) return;
  const cmd = c.lastCmd?.fullname ?? argv[0]!.toLowerCase();
  const when = expireTime(c, argv[2]!, relative ? c.server.now() : 0, seconds, cmd);
  if (when === null) return;
  const db = c.db;
  const e = db.get(key);
  if (e === undefined) return c.reply.int(0);
  if (flags !== 0 && !flagsAllow(flags, e.expireAt, when)) return c.reply.int(0);
  const past = alreadyExpired(c, when);
  if (past) {
    db.delete(key);
    // Replicas see what happened, as in Redis: a DEL (UNLINK when expiry frees lazily) ...
    rewritePropagation(c, [delCommandName(c, 'lazyfree-lazy-expire'), key]);
  } else {
    db.setExpire(key, e, when);
    // ... or the absolute time, so that replaying later does not shift the expiry (the
    // NX/XX/GT/LT options stay, as typed).
    if (relative || seconds) {
      const v = argv.slice();
      v[0] = 'PEXPIREAT';
      v[2] = String(when);
      rewritePropagation(c, v);
    }
  }
  db.touch(key);
  c.server.dirty++;
  // Redis announces a deletion before replying and a new expire after.
  if (past) c.server.events.notify(NOTIFY.generic, 'del', key, db.id);
  c.reply.int(1);
  if (!past) c.server.events.notify(NOTIFY.generic, 'expire', key, db.id);
}

/** TTL family: output in ms or seconds, relative or absolute. */
function ttlGeneric(c: Client, key: string, ms: boolean, absolute: boolean): void {
  const e = c.db.lookupRead(key, false);
  if (e === undefined) return c.reply.int(-2);
  if (e.expireAt < 0) return c.reply.int(-1);
  let ttl = absolute ? e.expireAt : e.expireAt - c.server.now();
  if (ttl < 0) ttl = 0;
  c.reply.int(ms ? ttl : Math.floor((ttl + 500) / 1000));
}

export const expireCommands: CommandImpls = {
  expire: (c, argv) => expireGeneric(c, argv, true, true),
  pexpire: (c, argv) => expireGeneric(c, argv, true, false),
  expireat: (c, argv) => expireGeneric(c, argv, false, true),
  pexpireat: (c, argv) => expireGeneric(c, argv, false, false),
  ttl: (c, argv) => ttlGeneric(c, argv[1]!, false, false),
  pttl: (c, argv) => ttlGeneric(c, argv[1]!, true, false),
  expiretime: (c, argv) => ttlGeneric(c, argv[1]!, false, true),
  pexpiretime: (c, argv) => ttlGeneric(c, argv[1]!, true, true),

  persist(c, argv) {
    const key = argv[1]!;
    const e = c.db.get(key);
    if (e === undefined || !c.db.persist(key, e)) return c.reply.int(0);
    c.db.touch(key);
    c.server.dirty++;
    c.server.events.notify(NOTIFY.generic, 'persist', key, c.db.id);
    c.reply.int(1);
  },
};
