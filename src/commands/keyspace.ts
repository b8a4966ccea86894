// Type-agnostic keyspace commands: DEL UNLINK EXISTS TYPE TOUCH RENAME RENAMENX MOVE COPY
// SWAPDB KEYS RANDOMKEY DBSIZE FLUSHDB FLUSHALL, joined with the expiry, SCAN and OBJECT
// families (expire.ts, scan.ts, object.ts).

import { forcePropagation } from '../replication/propagate.js';
import { NOTIFY } from '../server/notify.js';
import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import type { Db, Entry } from '../store/db.js';
import { E } from '../protocol/errors.js';
import { eqi, parseIntArg } from './args.js';
import { globMatch } from '../store/glob.js';
import { expireCommands } from './expire.js';
import { scanCommands } from './scan.js';
import { objectCommands } from './object.js';

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/**
 * A C int argument (getIntFromObjectOrReply): a 64-bit integer, then range-checked; null after
 * replying with `msg` when given, else with Redis's default texts.
 */
function intArg(c: Client, s: string, msg?: string): number | null {
  const n = parseIntArg(s);
  if (n === null) {
    c.reply.error(msg ?? E.notInteger);
    return null;
  }
  if (n < INT_MIN || n > INT_MAX) {
    c.reply.error(msg ?? `value is out of range, value must between ${INT_MIN} and ${INT_MAX}`);
    return null;
  }
  return n;
}

/** The db with that index, or null after replying "DB index is out of range". */
function dbOrReply(c: Client, id: number): Db | null {
  const db = c.server.dbs[id];
  if (db === undefined || id < 0) {
    c.reply.error(E.dbIndexOutOfRange);
    return null;
  }
  return db;
}

interface Cloneable {
  clone(): unknown;
}

/**
 * An independent copy of a value for COPY. Strings are immutable and shared; Buffers are
 * copied; values that know how to copy themselves (clone()) do so; plain containers are
 * copied one level deep (their members are strings).
 */
export function cloneValue(v: unknown): unknown {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return Buffer.from(v);
  if (typeof v === 'object' && v !== null) {
    if (typeof (v as Partial<Cloneable>).clone === 'function') return (v as Cloneable).clone();
    if (v instanceof Map) return new Map(v);
    if (v instanceof Set) return new Set(v);
    if (Array.isArray(v)) return v.slice();
    // Last resort for a class without clone(): copy the data, keep the prototype. Families
    // whose values hold nested objects must provide clone().
    return Object.setPrototypeOf(structuredClone(v), Object.getPrototypeOf(v) as object) as unknown;
  }
  return v;
}

function delGeneric(c: Client, argv: string[]): void {
  const db = c.db;
  let n = 0;
  for (let i = 1; i < argv.length; i++) {
    const key = argv[i]!;
    // peek first so an expired key counts as expired, not deleted (Redis expireIfNeeded).
    if (db.peek(key) !== undefined && db.delete(key)) {
      db.touch(key);
      c.server.events.notify(NOTIFY.generic, 'del', key, db.id);
      n++;
    }
  }
  c.server.dirty += n;
  c.reply.int(n);
}

function renameGeneric(c: Client, argv: string[], nx: boolean): void {
  const db = c.db;
  const src = argv[1]!;
  const dst = argv[2]!;
  const e = db.get(src);
  if (e === undefined) return c.reply.error(E.noSuchKey);
  if (src === dst) return nx ? c.reply.int(0) : c.reply.ok();
  if (db.get(dst) !== undefined) {
    if (nx) return c.reply.int(0);
    db.delete(dst);
  }
  // The entry moves as it is: value, TTL and access time go with it.
  db.delete(src);
  db.insert(dst, e);
  db.touch(src);
  db.touch(dst);
  c.server.events.notify(NOTIFY.generic, 'rename_from', src, db.id);
  c.server.events.notify(NOTIFY.generic, 'rename_to', dst, db.id);
  c.server.dirty++;
  if (nx) c.reply.int(1);
  else c.reply.ok();
}

/** FLUSHDB / FLUSHALL option: none, SYNC or ASYNC (both flush at once here). */
function flushArgsOk(c: Client, argv: string[]): boolean {
  if (argv.length === 1) return true;
  if (argv.length === 2 && (eqi(argv[1]!, 'sync') || eqi(argv[1]!, 'async'))) return true;
  c.reply.error(E.syntax);
  return false;
}

function copyEntry(dst: Db, key: string, e: Entry): void {
  const ne = dst.set(key, e.type, cloneValue(e.value));
  if (e.expireAt >= 0) dst.setExpire(key, ne, e.expireAt);
}

const basicCommands: CommandImpls = {
  del: delGeneric,
  unlink: delGeneric,

  exists(c, argv) {
    let n = 0;
    for (let i = 1; i < argv.length; i++) if (c.db.lookupRead(argv[i]!, false) !== undefined) n++;
    c.reply.int(n);
  },

  type(c, argv) {
    const e = c.db.lookupRead(argv[1]!, false);
    c.reply.simple(e === undefined ? 'none' : e.type);
  },

  touch(c, argv) {
    let n = 0;
    for (let i = 1; i < argv.length; i++) if (c.db.lookupRead(argv[i]!) !== undefined) n++;
    c.reply.int(n);
  },

  rename: (c, argv) => renameGeneric(c, argv, false),
  renamenx: (c, argv) => renameGeneric(c, argv, true),

  move(c, argv) {
    const key = argv[1]!;
    const id = intArg(c, argv[2]!);
    if (id === null) return;
    const dst = dbOrReply(c, id);
    if (dst === null) return;
    const src = c.db;
    if (src === dst) return c.reply.error(E.sameObject);
    const e = src.get(key);
    if (e === undefined || dst.get(key) !== undefined) return c.reply.int(0);
    src.delete(key);
    dst.insert(key, e);
    src.touch(key);
    dst.touch(key);
    c.server.events.notify(NOTIFY.generic, 'move_from', key, src.id);
    c.server.events.notify(NOTIFY.generic, 'move_to', key, dst.id);
    c.server.dirty++;
    c.reply.int(1);
  },

  copy(c, argv) {
    const src = c.db;
    let dst = c.db;
    let replace = false;
    for (let j = 3; j < argv.length; j++) {
      const opt = argv[j]!;
      if (eqi(opt, 'replace')) {
        replace = true;
      } else if (eqi(opt, 'db') && j + 1 < argv.length) {
        const id = intArg(c, argv[++j]!);
        if (id === null) return;
        const db = dbOrReply(c, id);
        if (db === null) return;
        dst = db;
      } else {
        return c.reply.error(E.syntax);
      }
    }
    const key = argv[1]!;
    const newkey = argv[2]!;
    if (src === dst && key === newkey) return c.reply.error(E.sameObject);
    const e = src.lookupRead(key);
    if (e === undefined) return c.reply.int(0);
    if (dst.get(newkey) !== undefined) {
      if (!replace) return c.reply.int(0);
      dst.delete(newkey);
    }
    copyEntry(dst, newkey, e);
    dst.touch(newkey);
    c.server.events.notify(NOTIFY.generic, 'copy_to', newkey, dst.id);
    c.server.dirty++;
    c.reply.int(1);
  },

  swapdb(c, argv) {
    const id1 = intArg(c, argv[1]!, 'invalid first DB index');
    if (id1 === null) return;
    const id2 = intArg(c, argv[2]!, 'invalid second DB index');
    if (id2 === null) return;
    const dbs = c.server.dbs;
    if (id1 < 0 || id1 >= dbs.length || id2 < 0 || id2 >= dbs.length) return c.reply.error(E.dbIndexOutOfRange);
    if (id1 !== id2) dbs[id1]!.swapWith(dbs[id2]!);
    c.server.dirty++;
    c.reply.ok();
  },

  keys(c, argv) {
    const pattern = argv[1]!;
    const all = pattern === '*';
    const db = c.db;
    const out: string[] = [];
    for (const [k, e] of db.dict) {
      if ((all || globMatch(pattern, k)) && !db.isExpired(e)) out.push(k);
    }
    c.reply.bulkArray(out);
  },

  randomkey(c) {
    c.reply.bulkOrNull(c.db.randomKey());
  },

  dbsize(c) {
    c.reply.int(c.db.size);
  },

  flushdb(c, argv) {
    if (!flushArgsOk(c, argv)) return;
    c.server.dirty += c.db.flush();
    // Replicas flush too even when nothing was here: they may hold keys we do not.
    forcePropagation(c);
    c.reply.ok();
  },

  flushall(c, argv) {
    if (!flushArgsOk(c, argv)) return;
    let n = 0;
    for (const db of c.server.dbs) n += db.flush();
    c.server.dirty += n;
    forcePropagation(c);
    c.reply.ok();
  },
};

export const keyspaceCommands: CommandImpls = {
  ...basicCommands,
  ...expireCommands,
  ...scanCommands,
  ...objectCommands,
};
