// ZPOPMIN ZPOPMAX ZMPOP (Redis genericZpopCommand and its callers). The blocking forms
// (BZPOPMIN BZPOPMAX BZMPOP) live in zset-block.ts and reuse zpopGeneric.

import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import { E } from '../protocol/errors.js';
import { parseInt64 } from './args.js';
import { dropEmpty, notifyZset, replyScore, writeZset } from './zset-common.js';
import { alsoPropagate, rewritePropagation } from '../replication/propagate.js';

export const Where = { Min: 0, Max: 1 } as const;
export type Where = (typeof Where)[keyof typeof Where];

/** Reply shape flags of zpopGeneric. */
export interface PopShape {
  /** Name the key in the reply (BZPOP*, ZMPOP, BZMPOP). */
  emitKey: boolean;
  /** Pairs as nested arrays (RESP3 ZPOP with COUNT, ZMPOP/BZMPOP). */
  nested: boolean;
  /** Reply a null array instead of an empty one when no key has elements (ZMPOP). */
  nilWhenEmpty: boolean;
}

/**
 * How a pop reaches the replication stream: as typed ('none': ZPOPMIN/ZPOPMAX), in place of
 * the command ('rewrite': ZMPOP, BZPOP* served at once) or after it ('also': a BZPOP* client
 * served later), the last two as ZPOPMIN/ZPOPMAX key [count actually popped].
 */
export type PopPropagation = 'none' | 'rewrite' | 'also';

/**
 * Pops up to `count` (-1: a plain single pop) elements from the first existing key of
 * `keys` and replies in the requested shape. False when it stopped on a WRONGTYPE error.
 */
export function zpopGeneric(
  c: Client,
  keys: readonly string[],
  where: Where,
  count: number,
  shape: PopShape,
  prop: PopPropagation = 'none',
): boolean {
  let key = '';
  let z = undefined;
  for (const k of keys) {
    const found = writeZset(c, k);
    if (found === null) return false;
    if (found !== undefined) {
      key = k;
      z = found;
      break;
    }
  }
  if (z === undefined) {
    if (shape.nilWhenEmpty) c.reply.nullArray();
    else c.reply.arrayLen(0);
    return true;
  }
  if (count === 0) {
    c.reply.arrayLen(0);
    return true;
  }
  if (prop !== 'none') {
    const argv = [where === Where.Max ? 'ZPOPMAX' : 'ZPOPMIN', key];
    if (count !== -1) argv.push(String(Math.min(count, z.size)));
    if (prop === 'rewrite') rewritePropagation(c, argv);
    else alsoPropagate(c, c.db.id, argv);
  }
  if (count === -1) count = 1;
  const n = Math.min(count, z.size);
  const r = c.reply;
  if (!shape.emitKey) r.arrayLen(shape.nested ? n : n * 2);
  else if (!shape.nested) {
    r.arrayLen(n * 2 + 1);
    r.bulk(key);
  } else {
    r.arrayLen(2);
    r.bulk(key);
    r.arrayLen(n);
  }
  for (let i = 0; i < n; i++) {
    const x = where === Where.Max ? z.last()! : z.first()!;
    const ele = x.ele;
    const score = x.score;
    z.delete(ele);
    c.server.dirty++;
    if (i === 0) {
      notifyZset(c, where === Where.Max ? 'zpopmax' : 'zpopmin', key);
      c.db.touch(key);
    }
    if (shape.nested) r.arrayLen(2);
    r.bulk(ele);
    replyScore(c, score);
  }
  if (z.size === 0) dropEmpty(c, key);
  return true;
}

function zpopMinMax(c: Client, argv: string[], where: Where): void {
  if (argv.length > 3) return c.reply.error(E.syntax);
  let count = -1;
  if (argv.length === 3) {
    const l = parseInt64(argv[2]!);
    if (l === null || l < 0n) return c.reply.error('ERR value is out of range, must be positive');
    count = Number(l);
  }
  const nested = c.reply.resp > 2 && count !== -1;
  zpopGeneric(c, [argv[1]!], where, count, { emitKey: false, nested, nilWhenEmpty: false });
}

export interface MpopArgs {
  keys: string[];
  where: Where;
  count: number;
}

/** Parses "numkeys key... MIN|MAX [COUNT n]" from argv[numIdx]; null after replying. */
export function parseMpop(c: Client, argv: string[], numIdx: number): MpopArgs | null {
  const nk = parseInt64(argv[numIdx]!);
  if (nk === null || nk < 1n) {
    c.reply.error('ERR numkeys should be greater than 0');
    return null;
  }
  const whereIdx = numIdx + 1 + Number(nk > BigInt(argv.length) ? BigInt(argv.length) : nk);
  if (whereIdx >= argv.length) {
    c.reply.error(E.syntax);
    return null;
  }
  const w = argv[whereIdx]!.toLowerCase();
  if (w !== 'min' && w !== 'max') {
    c.reply.error(E.syntax);
    return null;
  }
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (count === -1 && argv[j]!.toLowerCase() === 'count' && more > 0) {
      j++;
      const n = parseInt64(argv[j]!);
      if (n === null || n < 1n) {
        c.reply.error('ERR count should be greater than 0');
        return null;
      }
      count = Number(n);
    } else {
      c.reply.error(E.syntax);
      return null;
    }
  }
  return {
    keys: argv.slice(numIdx + 1, whereIdx),
    where: w === 'max' ? Where.Max : Where.Min,
    count: count === -1 ? 1 : count,
  };
}

export const MPOP_SHAPE: PopShape = { emitKey: true, nested: true, nilWhenEmpty: true };

export const zsetPopCommands: CommandImpls = {
  zpopmin: (c, argv) => zpopMinMax(c, argv, Where.Min),
  zpopmax: (c, argv) => zpopMinMax(c, argv, Where.Max),
  zmpop(c, argv) {
    const a = parseMpop(c, argv, 1);
    if (a !== null) zpopGeneric(c, a.keys, a.where, a.count, MPOP_SHAPE, 'rewrite');
  },
};
