// INCR DECR INCRBY DECRBY INCRBYFLOAT. Counters stay decimal strings, so GET returns them as
// they are and OBJECT ENCODING sees "int"; the common case (both operands well inside 2^53)
// never leaves plain numbers, bigint only takes over near the 64-bit limits.

import { rewritePropagation } from '../replication/propagate.js';
import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import { E } from '../protocol/errors.js';
import { LLONG_MAX, LLONG_MIN, parseInt64 } from './args.js';
import { strToString, type StrValue } from '../store/strvalue.js';
import { NOTIFY } from '../server/notify.js';
import { addLongDouble, formatLongDoubleHuman, parseLongDouble, type LongDouble } from '../store/longdouble.js';

/**
 * A 64-bit integer with Redis's string2ll rules (no spaces, sign only '-', no leading zeros,
 * no "-0"): a number when it has at most 15 characters (always exact), else a bigint; null
 * when invalid or out of range.
 */
export function parseLL(s: string): number | bigint | null {
  const n = s.length;
  if (n === 0 || n > 15) return n === 0 ? null : parseInt64(s);
  let i = 0;
  let neg = false;
  let ch = s.charCodeAt(0);
  if (ch === 45) {
    if (n === 1) return null;
    neg = true;
    i = 1;
    ch = s.charCodeAt(1);
  }
  if (ch === 48) return n === 1 ? 0 : null;
  let v = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    v = v * 10 + d;
  }
  return neg ? -v : v;
}

function incrDecr(c: Client, key: string, incr: number | bigint): void {
  const db = c.db;
  const e = db.get(key);
  let cur: number | bigint = 0;
  if (e !== undefined) {
    if (e.type !== 'string') return c.reply.error(E.wrongType);
    const v = e.value as StrValue;
    const parsed = parseLL(typeof v === 'string' ? v : strToString(v));
    if (parsed === null) return c.reply.error(E.notInteger);
    cur = parsed;
  }
  let text: string;
  let result: number | bigint;
  const sum = typeof cur === 'number' && typeof incr === 'number' ? cur + incr : NaN;
  if (Number.isSafeInteger(sum)) {
    result = sum;
    text = String(sum);
  } else {
    const big = BigInt(cur) + BigInt(incr);
    if (big > LLONG_MAX || big < LLONG_MIN) return c.reply.error(E.incrOverflow);
    result = big;
    text = big.toString();
  }
  // Updating the entry in place keeps its TTL and identity (DEBUG OBJECT address).
  if (e !== undefined) e.value = text;
  else db.set(key, 'string', text);
  db.touch(key);
  c.server.dirty++;
  c.server.events.notify(NOTIFY.string, 'incrby', key, db.id);
  c.reply.int(result);
}

/** The increment argument of INCRBY/DECRBY; null after replying with an error. */
function incrArg(c: Client, s: string): number | bigint | null {
  const v = parseLL(s);
  if (v === null) c.reply.error(E.notInteger);
  return v;
}

function incrByFloat(c: Client, argv: string[]): void {
  const key = argv[1]!;
  const db = c.db;
  const e = db.get(key);
  if (e !== undefined && e.type !== 'string') return c.reply.error(E.wrongType);
  let cur: LongDouble | null = { neg: false, m: 0n, e: 0, inf: false };
  if (e !== undefined) cur = parseLongDouble(strToString(e.value as StrValue));
  if (cur === null) return c.reply.error(E.notFloat);
  const incr = parseLongDouble(argv[2]!);
  if (incr === null) return c.reply.error(E.notFloat);
  const sum = addLongDouble(cur, incr);
  if (sum === null || sum.inf) return c.reply.error(E.incrFloatNaN);
  const text = formatLongDoubleHuman(sum);
  if (e !== undefined) e.value = text;
  else db.set(key, 'string', text);
  db.touch(key);
  c.server.dirty++;
  c.server.events.notify(NOTIFY.string, 'incrbyfloat', key, db.id);
  c.reply.bulk(text);
  // Float formatting may differ on the replica: it receives the result, with the TTL kept.
  rewritePropagation(c, ['SET', key, text, 'KEEPTTL']);
}

export const counterCommands: CommandImpls = {
  incr(c, argv) {
    incrDecr(c, argv[1]!, 1);
  },

  decr(c, argv) {
    incrDecr(c, argv[1]!, -1);
  },

  incrby(c, argv) {
    const incr = incrArg(c, argv[2]!);
    if (incr !== null) incrDecr(c, argv[1]!, incr);
  },

  decrby(c, argv) {
    const incr = incrArg(c, argv[2]!);
    if (incr === null) return;
    if (incr === LLONG_MIN) return c.reply.error('ERR decrement would overflow');
    incrDecr(c, argv[1]!, -incr);
  },

  incrbyfloat: incrByFloat,
};
