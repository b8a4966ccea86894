// BZPOPMIN BZPOPMAX BZMPOP (Redis blockingGenericZpopCommand): pop at once when one of the
// keys holds elements, else block on the keys through server/blocking.ts and pop when one
// of them is filled (Redis serveClientsBlockedOnSortedSetKey).

import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import { blockForKeys, canBlock, parseTimeout } from '../server/blocking.js';
import { MPOP_SHAPE, Where, parseMpop, zpopGeneric, type PopShape } from './zset-pop.js';
import type { ZSet } from '../store/zset.js';
import { E } from '../protocol/errors.js';

const BZPOP_SHAPE: PopShape = { emitKey: true, nested: false, nilWhenEmpty: false };

/** Pops from the first non-empty key, or blocks; `count` -1 is the single-element BZPOP form. */
function blockingPop(c: Client, keys: string[], where: Where, deadline: number, count: number, shape: PopShape): void {
  for (const key of keys) {
    const e = c.db.get(key);
    if (e === undefined) continue;
    if (e.type !== 'zset') return c.reply.error(E.wrongType);
    if ((e.value as ZSet).size === 0) continue;
    zpopGeneric(c, [key], where, count, shape, 'rewrite');
    return;
  }
  // Inside MULTI or a script the wait cannot happen: answer as a timeout would.
  if (!canBlock(c)) return c.reply.nullArray();
  blockForKeys(c, keys, deadline, (bc, key) => {
    const e = bc.db.peek(key);
    if (e === undefined || e.type !== 'zset' || (e.value as ZSet).size === 0) return false;
    zpopGeneric(bc, [key], where, count, shape, 'also');
    return true;
  });
}

function bzpop(c: Client, argv: string[], where: Where): void {
  const deadline = parseTimeout(c, argv[argv.length - 1]!);
  if (deadline === null) return;
  blockingPop(c, argv.slice(1, -1), where, deadline, -1, BZPOP_SHAPE);
}

export const zsetBlockCommands: CommandImpls = {
  bzpopmin: (c, argv) => bzpop(c, argv, Where.Min),
  bzpopmax: (c, argv) => bzpop(c, argv, Where.Max),
  bzmpop(c, argv) {
    const a = parseMpop(c, argv, 2);
    if (a === null) return;
    const deadline = parseTimeout(c, argv[1]!);
    if (deadline === null) return;
    blockingPop(c, a.keys, a.where, deadline, a.count, MPOP_SHAPE);
  },
};
