// String commands: GET SET (NX XX GET EX PX EXAT PXAT KEEPTTL) SETNX SETEX PSETEX GETSET GETDEL
// GETEX MGET MSET MSETNX APPEND STRLEN SETRANGE GETRANGE SUBSTR, joined with the counters
// (counters.ts) and LCS (lcs.ts). GET and plain SET take a fast path before any option parsing.

import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import { E, arityError, invalidExpireTime } from '../protocol/errors.js';
import { LLONG_MAX, parseInt64, parseIntArg } from './args.js';
import { appendBytes, mutableBytes, newBytes, type StrValue } from '../store/strvalue.js';
import { counterCommands } from './counters.js';
import { NOTIFY } from '../server/notify.js';
import { lcsCommands } from './lcs.js';
import { rewritePropagation } from '../replication/propagate.js';
import { alreadyExpired, delCommandName } from './expire.js';

const NX = 1 << 0;
const XX = 1 << 1;
const EX = 1 << 2;
const PX = 1 << 3;
const KEEPTTL = 1 << 4;
const GET = 1 << 5;
const EXAT = 1 << 6;
const PXAT = 1 << 7;
const PERSIST = 1 << 8;
const ANY_EXPIRE = EX | PX | EXAT | PXAT;

/** Largest buffer Node can allocate; growing a string beyond it is refused like the config limit. */
const MAX_BUFFER = 4294967296;

function replyValue(c: Client, v: StrValue): void {
  if (typeof v === 'string') c.reply.bulk(v);
  else c.reply.bulkBuffer(v);
}

/** GET's body (Redis getGenericCommand): false after a WRONGTYPE error, true otherwise. */
function getGeneric(c: Client, key: string): boolean {
  const e = c.db.lookupRead(key);
  if (e === undefined) {
    c.reply.nullBulk();
    return true;
  }
  if (e.type !== 'string') {
    c.reply.error(E.wrongType);
    return false;
  }
  replyValue(c, e.value as StrValue);
  return true;
}

/** Refuses (with Redis's error) a string that would grow past proto-max-bulk-len. */
function tooLong(c: Client, size: number, append: number): boolean {
  const total = size + append;
  if (total > c.server.protoMaxBulkLen || total > MAX_BUFFER) {
    c.reply.error(E.stringTooLong);
    return true;
  }
  return false;
}

interface ExtendedArgs {
  flags: number;
  expire: string | null;
}

/**
 * The options of SET (from argv[3]) or GETEX (from argv[2]), with Redis's rule that an option
 * conflicting with one already given is a syntax error (a repeated identical one is not).
 */
function parseExtended(c: Client, argv: string[], isSet: boolean): ExtendedArgs | null {
  let flags = 0;
  let expire: string | null = null;
  for (let j = isSet ? 3 : 2; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    const hasNext = j + 1 < argv.length;
    let f = 0;
    if (opt === 'nx' && isSet && !(flags & XX)) f = NX;
    else if (opt === 'xx' && isSet && !(flags & NX)) f = XX;
    else if (opt === 'get' && isSet) f = GET;
    else if (opt === 'keepttl' && isSet && !(flags & (PERSIST | ANY_EXPIRE))) f = KEEPTTL;
    else if (opt === 'persist' && !isSet && !(flags & (ANY_EXPIRE | KEEPTTL))) f = PERSIST;
    else if (opt === 'ex' && hasNext && !(flags & (KEEPTTL | PERSIST | EXAT | PX | PXAT))) f = EX;
    else if (opt === 'px' && hasNext && !(flags & (KEEPTTL | PERSIST | EX | EXAT | PXAT))) f = PX;
    else if (opt === 'exat' && hasNext && !(flags & (KEEPTTL | PERSIST | EX | PX | PXAT))) f = EXAT;
    else if (opt === 'pxat' && hasNext && !(flags & (KEEPTTL | PERSIST | EX | EXAT | PX))) f = PXAT;
    else {
      c.reply.error(E.syntax);
      return null;
    }
    flags |= f;
    if (f & ANY_EXPIRE) expire = argv[++j]!;
  }
  return { flags, expire };
}

/**
 * The absolute expire time in ms for an EX/PX/EXAT/PXAT argument (Redis
 * getExpireMillisecondsOrReply); null after replying with an error.
 */
function expireAt(c: Client, arg: string, flags: number, cmd: string): number | null {
  const v = parseInt64(arg);
  if (v === null) {
    c.reply.error(E.notInteger);
    return null;
  }
  const seconds = (flags & (EX | EXAT)) !== 0;
  let ms = v;
  if (ms > 0n && !(seconds && ms > LLONG_MAX / 1000n)) {
    if (seconds) ms *= 1000n;
    if (flags & (EX | PX)) ms += BigInt(c.server.now());
    // Redis adds in 64 bits and treats a wrapped (non-positive) result as invalid.
    if (ms <= LLONG_MAX) return Number(ms);
  }
  c.reply.error(invalidExpireTime(cmd));
  return null;
}

/**
 * SET and its variants (Redis setGenericCommand); `cmd` names the command in errors.
 * `expire` is the raw EX/PX/... argument, whose kind is in flags; ok/abort write the replies
 * for a done / skipped set (not used with GET).
 */
function setGeneric(
  c: Client,
  cmd: string,
  flags: number,
  key: string,
  val: string,
  expire: string | null,
  ok: (c: Client) => void,
  abort: (c: Client) => void,
): void {
  let when = -1;
  if (expire !== null) {
    const w = expireAt(c, expire, flags, cmd);
    if (w === null) return;
    when = w;
  }
  if (flags & GET && !getGeneric(c, key)) return;
  const db = c.db;
  const found = db.get(key) !== undefined;
  if ((flags & NX && found) || (flags & XX && !found)) {
    if (!(flags & GET)) abort(c);
    return;
  }
  const e = db.set(key, 'string', val, (flags & KEEPTTL) !== 0);
  if (when >= 0) db.setExpire(key, e, when);
  db.touch(key);
  c.server.dirty++;
  const events = c.server.events;
  events.notify(NOTIFY.string, 'set', key, db.id);
  if (when >= 0) events.notify(NOTIFY.generic, 'expire', key, db.id);
  if (!(flags & GET)) ok(c);
  // A relative time would drift on the replica: any expiry goes out as an absolute one (the
  // other options no longer matter once the set is done); GET alone is dropped.
  if (when >= 0) rewritePropagation(c, ['SET', key, val, 'PXAT', String(when)]);
  else if (flags & GET) rewritePropagation(c, withoutGet(c.argv));
}

/** SET's argv without its GET options (the replica has no one to reply to). */
function withoutGet(argv: readonly string[]): string[] {
  return argv.filter((a, j) => j < 3 || a.toLowerCase() !== 'get');
}

const replyOk = (c: Client): void => c.reply.ok();
const replyNull = (c: Client): void => c.reply.nullBulk();
const replyOne = (c: Client): void => c.reply.int(1);
const replyZero = (c: Client): void => c.reply.int(0);

function getex(c: Client, argv: string[]): void {
  const opts = parseExtended(c, argv, false);
  if (opts === null) return;
  const key = argv[1]!;
  const db = c.db;
  const e = db.lookupRead(key);
  if (e === undefined) return c.reply.nullBulk();
  if (e.type !== 'string') return c.reply.error(E.wrongType);
  const { flags, expire } = opts;
  let when = -1;
  if (expire !== null) {
    const w = expireAt(c, expire, flags, 'getex');
    if (w === null) return;
    when = w;
  }
  replyValue(c, e.value as StrValue);
  let event: string;
  if (flags & (EXAT | PXAT) && alreadyExpired(c, when)) {
    // An absolute time already past deletes the key, as an expire would.
    db.delete(key);
    event = 'del';
    rewritePropagation(c, [delCommandName(c, 'lazyfree-lazy-expire'), key]);
  } else if (expire !== null) {
    db.setExpire(key, e, when);
    event = 'expire';
    rewritePropagation(c, ['PEXPIREAT', key, String(when)]);
  } else if (!(flags & PERSIST) || !db.persist(key, e)) {
    return;
  } else {
    event = 'persist';
    rewritePropagation(c, ['PERSIST', key]);
  }
  db.touch(key);
  c.server.dirty++;
  c.server.events.notify(NOTIFY.generic, event, key, db.id);
}

function getrange(c: Client, argv: string[]): void {
  let start = parseIntArg(argv[2]!);
  let end = parseIntArg(argv[3]!);
  if (start === null || end === null) return c.reply.error(E.notInteger);
  const e = c.db.lookupRead(argv[1]!);
  if (e === undefined) return c.reply.bulk('');
  if (e.type !== 'string') return c.reply.error(E.wrongType);
  const v = e.value as StrValue;
  const len = v.length;
  if (start < 0 && end < 0 && start > end) return c.reply.bulk('');
  if (start < 0) start = Math.max(0, len + start);
  if (end < 0) end = Math.max(0, len + end);
  if (end >= len) end = len - 1;
  if (start > end || len === 0) return c.reply.bulk('');
  if (typeof v === 'string') c.reply.bulk(v.slice(start, end + 1));
  else c.reply.bulkBuffer(v.subarray(start, end + 1));
}

function setrange(c: Client, argv: string[]): void {
  const key = argv[1]!;
  const value = argv[3]!;
  const offset = parseIntArg(argv[2]!);
  if (offset === null) return c.reply.error(E.notInteger);
  if (offset < 0) return c.reply.error('ERR offset is out of range');
  const db = c.db;
  const e = db.get(key);
  let out: Buffer;
  if (e === undefined) {
    if (value.length === 0) return c.reply.int(0);
    if (tooLong(c, offset, value.length)) return;
    out = newBytes(offset + value.length);
    db.set(key, 'string', out);
  } else {
    if (e.type !== 'string') return c.reply.error(E.wrongType);
    const v = e.value as StrValue;
    // Setting nothing leaves the value (and its encoding) alone.
    if (value.length === 0) return c.reply.int(v.length);
    if (tooLong(c, offset, value.length)) return;
    out = mutableBytes(v, offset + value.length);
    e.value = out;
  }
  out.latin1Write(value, offset, value.length);
  db.touch(key);
  c.server.dirty++;
  c.server.events.notify(NOTIFY.string, 'setrange', key, db.id);
  c.reply.int(out.length);
}

function append(c: Client, argv: string[]): void {
  const key = argv[1]!;
  const add = argv[2]!;
  const db = c.db;
  const e = db.get(key);
  let total: number;
  if (e === undefined) {
    db.set(key, 'string', add);
    total = add.length;
  } else {
    if (e.type !== 'string') return c.reply.error(E.wrongType);
    const v = e.value as StrValue;
    if (tooLong(c, v.length, add.length)) return;
    const out = appendBytes(v, add);
    e.value = out;
    total = out.length;
  }
  db.touch(key);
  c.server.dirty++;
  c.server.events.notify(NOTIFY.string, 'append', key, db.id);
  c.reply.int(total);
}

function msetGeneric(c: Client, argv: string[], nx: boolean): void {
  if (argv.length % 2 === 0) return c.reply.error(arityError(nx ? 'msetnx' : 'mset'));
  const db = c.db;
  if (nx) {
    for (let j = 1; j < argv.length; j += 2) {
      if (db.get(argv[j]!) !== undefined) return c.reply.int(0);
    }
  }
  for (let j = 1; j < argv.length; j += 2) {
    const key = argv[j]!;
    db.set(key, 'string', argv[j + 1]!);
    db.touch(key);
    c.server.events.notify(NOTIFY.string, 'set', key, db.id);
  }
  c.server.dirty += (argv.length - 1) / 2;
  if (nx) c.reply.int(1);
  else c.reply.ok();
}

const baseCommands: CommandImpls = {
  get(c, argv) {
    const e = c.db.lookupRead(argv[1]!);
    if (e === undefined) return c.reply.nullBulk();
    if (e.type !== 'string') return c.reply.error(E.wrongType);
    const v = e.value as StrValue;
    if (typeof v === 'string') c.reply.bulk(v);
    else c.reply.bulkBuffer(v);
  },

  set(c, argv) {
    const key = argv[1]!;
    if (argv.length === 3) {
      const db = c.db;
      db.set(key, 'string', argv[2]!);
      db.touch(key);
      c.server.dirty++;
      c.server.events.notify(NOTIFY.string, 'set', key, db.id);
      return c.reply.ok();
    }
    const opts = parseExtended(c, argv, true);
    if (opts !== null) setGeneric(c, 'set', opts.flags, key, argv[2]!, opts.expire, replyOk, replyNull);
  },

  setnx(c, argv) {
    setGeneric(c, 'setnx', NX, argv[1]!, argv[2]!, null, replyOne, replyZero);
  },

  setex(c, argv) {
    setGeneric(c, 'setex', EX, argv[1]!, argv[3]!, argv[2]!, replyOk, replyNull);
  },

  psetex(c, argv) {
    setGeneric(c, 'psetex', PX, argv[1]!, argv[3]!, argv[2]!, replyOk, replyNull);
  },

  getset(c, argv) {
    const key = argv[1]!;
    if (!getGeneric(c, key)) return;
    c.db.set(key, 'string', argv[2]!);
    c.db.touch(key);
    c.server.dirty++;
    c.server.events.notify(NOTIFY.string, 'set', key, c.db.id);
    rewritePropagation(c, ['SET', key, argv[2]!]);
  },

  getdel(c, argv) {
    const key = argv[1]!;
    const e = c.db.lookupRead(key);
    if (e === undefined) return c.reply.nullBulk();
    if (e.type !== 'string') return c.reply.error(E.wrongType);
    replyValue(c, e.value as StrValue);
    c.db.delete(key);
    c.db.touch(key);
    c.server.dirty++;
    c.server.events.notify(NOTIFY.generic, 'del', key, c.db.id);
    rewritePropagation(c, [delCommandName(c, 'lazyfree-lazy-user-del'), key]);
  },

  getex,

  mget(c, argv) {
    const db = c.db;
    c.reply.arrayLen(argv.length - 1);
    for (let j = 1; j < argv.length; j++) {
      const e = db.lookupRead(argv[j]!);
      if (e === undefined || e.type !== 'string') c.reply.nullBulk();
      else replyValue(c, e.value as StrValue);
    }
  },

  mset(c, argv) {
    msetGeneric(c, argv, false);
  },

  msetnx(c, argv) {
    msetGeneric(c, argv, true);
  },

  append,

  strlen(c, argv) {
    const e = c.db.lookupRead(argv[1]!);
    if (e === undefined) return c.reply.int(0);
    if (e.type !== 'string') return c.reply.error(E.wrongType);
    c.reply.int((e.value as StrValue).length);
  },

  setrange,
  getrange,
  substr: getrange,
};

export const stringCommands: CommandImpls = { ...baseCommands, ...counterCommands, ...lcsCommands };

/** Replies with a stored string value (string or Buffer), for families that return one. */
export { replyValue as replyStringValue };
