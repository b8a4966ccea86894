// Hash commands: HSET HSETNX HMSET HGET HMGET HDEL HEXISTS HLEN HSTRLEN HKEYS HVALS HGETALL
// HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN, with Redis 7.0's replies, errors, keyspace events and
// listpack -> hashtable conversion (the value class is store/hash.ts).

import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import { CLIENT } from '../server/client.js';
import { E, arityError } from '../protocol/errors.js';
import { NOTIFY } from '../server/notify.js';
import { HashValue, type HashLimits } from '../store/hash.js';
import { LLONG_MAX, LLONG_MIN, parseInt64 } from './args.js';
import { addLongDouble, formatLongDoubleHuman, longDoubleFromInt, parseLongDouble } from '../store/longdouble.js';
import { globMatch } from '../store/glob.js';
import { parseScanOptions, scanCursorOrReply } from './scan.js';
import { rewritePropagation } from '../replication/propagate.js';

/** The hash at key for reading (counts a hit or miss); undefined when missing, null after WRONGTYPE. */
export function readHash(c: Client, key: string): HashValue | undefined | null {
  const e = c.db.lookupRead(key);
  if (e === undefined) return undefined;
  if (e.type !== 'hash') {
    c.reply.error(E.wrongType);
    return null;
  }
  return e.value as HashValue;
}

/** The hash at key for writing; undefined when missing, null after WRONGTYPE. */
function writeHash(c: Client, key: string): HashValue | undefined | null {
  const e = c.db.get(key);
  if (e === undefined) return undefined;
  if (e.type !== 'hash') {
    c.reply.error(E.wrongType);
    return null;
  }
  return e.value as HashValue;
}

/** The hash at key, created empty when missing (hashTypeLookupWriteOrCreate); null after WRONGTYPE. */
function writeOrCreate(c: Client, key: string): HashValue | null {
  const h = writeHash(c, key);
  if (h !== undefined) return h;
  const created = new HashValue();
  c.db.set(key, 'hash', created);
  return created;
}

/** The conversion limits, read only while they can still matter (the hash is a listpack). */
function limitsFor(c: Client, h: HashValue): HashLimits | null {
  if (!h.listpack) return null;
  const cfg = c.server.config;
  return { entries: cfg.int('hash-max-listpack-entries'), value: cfg.int('hash-max-listpack-value') };
}

/** After a successful write: WATCH/tracking, the keyspace event, dirty. */
function written(c: Client, key: string, event: string, changes: number): void {
  c.db.touch(key);
  c.server.events.notify(NOTIFY.hash, event, key, c.db.id);
  c.server.dirty += changes;
}

function hsetGeneric(c: Client, argv: string[], isHset: boolean): void {
  if (argv.length % 2 === 1) return c.reply.error(arityError(isHset ? 'hset' : 'hmset'));
  const key = argv[1]!;
  const h = writeOrCreate(c, key);
  if (h === null) return;
  const lim = limitsFor(c, h);
  if (lim !== null) h.prepare(argv, 2, argv.length, lim.value);
  let created = 0;
  for (let i = 2; i < argv.length; i += 2) {
    if (h.set(argv[i]!, argv[i + 1]!, h.listpack ? lim : null)) created++;
  }
  if (isHset) c.reply.int(created);
  else c.reply.ok();
  written(c, key, 'hset', (argv.length - 2) / 2);
}

function hincrby(c: Client, argv: string[]): void {
  const incr = parseInt64(argv[3]!);
  if (incr === null) return c.reply.error(E.notInteger);
  const key = argv[1]!;
  const field = argv[2]!;
  const h = writeOrCreate(c, key);
  if (h === null) return;
  const cur = h.get(field);
  let value = 0n;
  if (cur !== undefined) {
    const v = parseInt64(cur);
    if (v === null) return c.reply.error('hash value is not an integer');
    value = v;
  }
  if ((incr < 0n && value < 0n && incr < LLONG_MIN - value) || (incr > 0n && value > 0n && incr > LLONG_MAX - value)) {
    return c.reply.error(E.incrOverflow);
  }
  const result = value + incr;
  h.set(field, result.toString(), limitsFor(c, h));
  c.reply.int(result);
  written(c, key, 'hincrby', 1);
}

function hincrbyfloat(c: Client, argv: string[]): void {
  const incr = parseLongDouble(argv[3]!);
  if (incr === null) return c.reply.error(E.notFloat);
  if (incr.inf) return c.reply.error('value is NaN or Infinity');
  const key = argv[1]!;
  const field = argv[2]!;
  const h = writeOrCreate(c, key);
  if (h === null) return;
  const cur = h.get(field);
  let value = longDoubleFromInt(0n);
  if (cur !== undefined) {
    const v = parseLongDouble(cur);
    if (v === null) return c.reply.error('hash value is not a float');
    value = v;
  }
  const sum = addLongDouble(value, incr);
  if (sum === null || sum.inf) return c.reply.error(E.incrFloatNaN);
  const text = formatLongDoubleHuman(sum);
  h.set(field, text, limitsFor(c, h));
  c.reply.bulk(text);
  written(c, key, 'hincrbyfloat', 1);
  // The replica stores the result rather than redoing float arithmetic that may differ.
  rewritePropagation(c, ['HSET', key, field, text]);
}

const KEYS = 1;
const VALUES = 2;

/** HKEYS / HVALS / HGETALL. */
function getAll(c: Client, key: string, what: number): void {
  const both = what === (KEYS | VALUES);
  const h = readHash(c, key);
  if (h === null) return;
  const r = c.reply;
  const n = h === undefined ? 0 : h.size;
  if (both) r.mapLen(n);
  else r.arrayLen(n);
  if (h === undefined) return;
  for (let i = 0; i < n; i++) {
    if (what & KEYS) r.bulk(h.fieldAt(i));
    if (what & VALUES) r.bulk(h.valueAt(i));
  }
}

function hscan(c: Client, argv: string[]): void {
  const cursor = scanCursorOrReply(c, argv[2]!);
  if (cursor === null) return;
  const h = readHash(c, argv[1]!);
  if (h === null) return;
  const r = c.reply;
  if (h === undefined) {
    r.arrayLen(2);
    r.bulk('0');
    r.arrayLen(0);
    return;
  }
  const opts = parseScanOptions(c, argv, 3, false);
  if (opts === null) return;
  const { pattern } = opts;
  const items: string[] = [];
  const visit = (f: string, v: string): void => {
    if (pattern === null || globMatch(pattern, f)) items.push(f, v);
  };
  let next = 0;
  if (h.listpack) {
    // Redis answers a listpack hash whole, whatever the cursor and COUNT.
    for (let i = 0; i < h.size; i++) visit(h.fieldAt(i), h.valueAt(i));
  } else {
    // COUNT bounds field and value replies together, as Redis counts them.
    next = h.scan(cursor, Math.ceil(opts.count / 2), visit);
  }
  r.arrayLen(2);
  r.bulk(String(next));
  r.bulkArray(items);
}

/** LONG_MAX / 2: the largest |count| HRANDFIELD accepts with WITHVALUES. */
const HALF_LONG = 4611686018427387903n;
/** Below this ratio of size to count, picking by removal beats picking by rejection (Redis's 3). */
const SUB_STRATEGY_MUL = 3;

/** One HRANDFIELD element: field, and value as a RESP3 pair or flat in RESP2. */
function randPair(c: Client, h: HashValue, i: number, withValues: boolean): void {
  const r = c.reply;
  if (withValues && r.resp === 3) r.arrayLen(2);
  r.bulk(h.fieldAt(i));
  if (withValues) r.bulk(h.valueAt(i));
}

function hrandfieldCount(c: Client, key: string, l: bigint, withValues: boolean): void {
  const h = readHash(c, key);
  if (h === null) return;
  if (h === undefined || l === 0n) return c.reply.arrayLen(0);
  const r = c.reply;
  const size = h.size;
  const uniq = l > 0n;
  const count = Number(uniq ? l : -l);
  const flat = withValues && r.resp === 2 ? 2 : 1;

  // Negative count (repeats allowed) or a single element: independent uniform picks.
  if (!uniq || count === 1) {
    r.arrayLen(count * flat);
    for (let k = 0; k < count; k++) {
      randPair(c, h, h.randomIndex(), withValues);
      if (c.flags & CLIENT.closeAsap) break;
    }
    return;
  }
  r.arrayLen(Math.min(count, size) * flat);
  if (count >= size) {
    for (let i = 0; i < size; i++) randPair(c, h, i, withValues);
    return;
  }
  if (count * SUB_STRATEGY_MUL > size) {
    // Close to the whole hash: a partial shuffle of all positions.
    const pos = Array.from({ length: size }, (_, i) => i);
    for (let k = 0; k < count; k++) {
      const j = k + Math.floor(Math.random() * (size - k));
      const t = pos[j]!;
      pos[j] = pos[k]!;
      pos[k] = t;
      randPair(c, h, t, withValues);
    }
    return;
  }
  // Few of many: draw until `count` distinct positions. Redis answers a listpack's picks in
  // listpack order (it samples in one pass) and a hash table's in the order drawn.
  const seen = new Set<number>();
  while (seen.size < count) seen.add(h.randomIndex());
  const picks = Array.from(seen);
  if (h.listpack) picks.sort((a, b) => a - b);
  for (const i of picks) randPair(c, h, i, withValues);
}

function hrandfield(c: Client, argv: string[]): void {
  if (argv.length >= 3) {
    const l = parseInt64(argv[2]!);
    if (l === null) return c.reply.error(E.notInteger);
    if (l === LLONG_MIN) {
      return c.reply.error(`value is out of range, value must between ${-LLONG_MAX} and ${LLONG_MAX}`);
    }
    const withValues = argv.length === 4;
    if (argv.length > 4 || (withValues && argv[3]!.toLowerCase() !== 'withvalues')) {
      return c.reply.error(E.syntax);
    }
    if (withValues && (l < -HALF_LONG || l > HALF_LONG)) return c.reply.error('value is out of range');
    return hrandfieldCount(c, argv[1]!, l, withValues);
  }
  const h = readHash(c, argv[1]!);
  if (h === null) return;
  if (h === undefined) return c.reply.nullBulk();
  c.reply.bulk(h.fieldAt(h.randomIndex()));
}

export const hashCommands: CommandImpls = {
  hset(c, argv) {
    hsetGeneric(c, argv, true);
  },

  hmset(c, argv) {
    hsetGeneric(c, argv, false);
  },

  hsetnx(c, argv) {
    const key = argv[1]!;
    const h = writeOrCreate(c, key);
    if (h === null) return;
    if (h.has(argv[2]!)) return c.reply.int(0);
    const lim = limitsFor(c, h);
    if (lim !== null) h.prepare(argv, 2, 4, lim.value);
    h.set(argv[2]!, argv[3]!, h.listpack ? lim : null);
    c.reply.int(1);
    written(c, key, 'hset', 1);
  },

  hget(c, argv) {
    const h = readHash(c, argv[1]!);
    if (h === null) return;
    c.reply.bulkOrNull(h === undefined ? null : h.get(argv[2]!));
  },

  hmget(c, argv) {
    const h = readHash(c, argv[1]!);
    if (h === null) return;
    const r = c.reply;
    r.arrayLen(argv.length - 2);
    for (let i = 2; i < argv.length; i++) r.bulkOrNull(h === undefined ? null : h.get(argv[i]!));
  },

  hdel(c, argv) {
    const key = argv[1]!;
    const h = writeHash(c, key);
    if (h === null) return;
    if (h === undefined) return c.reply.int(0);
    let deleted = 0;
    let removed = false;
    for (let i = 2; i < argv.length; i++) {
      if (!h.delete(argv[i]!)) continue;
      deleted++;
      if (h.size === 0) {
        c.db.delete(key);
        removed = true;
        break;
      }
    }
    if (deleted > 0) {
      written(c, key, 'hdel', deleted);
      if (removed) c.server.events.notify(NOTIFY.generic, 'del', key, c.db.id);
    }
    c.reply.int(deleted);
  },

  hexists(c, argv) {
    const h = readHash(c, argv[1]!);
    if (h === null) return;
    c.reply.int(h !== undefined && h.has(argv[2]!) ? 1 : 0);
  },

  hlen(c, argv) {
    const h = readHash(c, argv[1]!);
    if (h === null) return;
    c.reply.int(h === undefined ? 0 : h.size);
  },

  hstrlen(c, argv) {
    const h = readHash(c, argv[1]!);
    if (h === null) return;
    c.reply.int(h === undefined ? 0 : (h.get(argv[2]!)?.length ?? 0));
  },

  hkeys(c, argv) {
    getAll(c, argv[1]!, KEYS);
  },

  hvals(c, argv) {
    getAll(c, argv[1]!, VALUES);
  },

  hgetall(c, argv) {
    getAll(c, argv[1]!, KEYS | VALUES);
  },

  hincrby,
  hincrbyfloat,
  hrandfield,
  hscan,
};
