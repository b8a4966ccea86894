// Taking elements out of lists: LPOP/RPOP [count], LMPOP, LMOVE/RPOPLPUSH and the blocking
// BLPOP/BRPOP/BLMPOP/BLMOVE/BRPOPLPUSH (Redis t_list.c). A blocking command that finds
// nothing blocks through server/blocking.ts and is served by the same code paths when a
// list appears at one of its keys.

import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import { E, arityError } from '../protocol/errors.js';
import { NOTIFY } from '../server/notify.js';
import type { ListValue } from '../store/list.js';
import { blockForKeys, canBlock, parseTimeout } from '../server/blocking.js';
import { alsoPropagate, rewritePropagation } from '../replication/propagate.js';
import {
  atLeastArg,
  createList,
  deleteIfEmpty,
  elementsRemoved,
  popOne,
  popRangeReply,
  popRangeWithKey,
  pushOne,
  whereArg,
  writeList,
  type Where,
} from './list-common.js';

/** LPOP/RPOP key [count] */
function pop(c: Client, argv: string[], where: Where): void {
  if (argv.length > 3) return c.reply.error(arityError(c.lastCmd?.fullname ?? argv[0]!.toLowerCase()));
  const hasCount = argv.length === 3;
  let count = 0;
  if (hasCount) {
    const n = atLeastArg(c, argv[2]!, 0, 'ERR value is out of range, must be positive');
    if (n === null) return;
    count = n;
  }
  const key = argv[1]!;
  const l = writeList(c, key);
  if (l === null) return;
  if (l === undefined) return hasCount ? c.reply.nullArray() : c.reply.nullBulk();
  if (hasCount && count === 0) return c.reply.arrayLen(0);
  if (!hasCount) {
    c.reply.bulk(popOne(l, where));
    elementsRemoved(c, key, where, l, 1);
  } else {
    const n = popRangeReply(c, l, where, count);
    elementsRemoved(c, key, where, l, n);
  }
}

/** The push half of LMOVE (Redis lmoveHandlePush); `dst` is the list found there, if any. */
function movePush(c: Client, dstKey: string, dst: ListValue | undefined, value: string, where: Where): void {
  const l = dst ?? createList(c, dstKey);
  c.db.touch(dstKey);
  pushOne(l, value, where);
  c.server.events.notify(NOTIFY.list, where === 'left' ? 'lpush' : 'rpush', dstKey, c.db.id);
  c.reply.bulk(value);
}

/** LMOVE / RPOPLPUSH, and BLMOVE / BRPOPLPUSH when the source has elements. */
function move(c: Client, src: string, dst: string, from: Where, to: Where): void {
  const s = writeList(c, src);
  if (s === null) return;
  if (s === undefined || s.length === 0) return c.reply.nullBulk();
  const d = writeList(c, dst);
  if (d === null) return;
  const value = popOne(s, from);
  movePush(c, dst, d, value, to);
  c.server.events.notify(NOTIFY.list, from === 'left' ? 'lpop' : 'rpop', src, c.db.id);
  deleteIfEmpty(c, src, s);
  c.db.touch(src);
  c.server.dirty++;
}

/** What a client blocked on lists waits to do once one of its keys holds a list. */
interface ListWait {
  where: Where;
  /** BLMPOP count, or -1 for BLPOP/BRPOP (single element reply). */
  count: number;
  /** BLMOVE / BRPOPLPUSH destination, else null. */
  dst: string | null;
  to: Where;
  /** BRPOPLPUSH (replicated as RPOPLPUSH rather than LMOVE). */
  rpoplpush: boolean;
}

/** The plain pop a blocking pop is replicated as: [LR]POP key [count actually popped]. */
function popArgv(key: string, where: Where, count: number, len: number): string[] {
  const argv = [where === 'left' ? 'LPOP' : 'RPOP', key];
  if (count !== -1) argv.push(String(Math.min(count, len)));
  return argv;
}

/**
 * Serves a blocked client from the list now at key (Redis serveClientBlockedOnList). False
 * when there is no list to take from; an error reply (WRONGTYPE destination) counts as served.
 */
function serveBlocked(c: Client, key: string, w: ListWait): boolean {
  const e = c.db.get(key);
  if (e === undefined || e.type !== 'list') return false;
  const l = e.value as ListValue;
  if (l.length === 0) return false;
  if (w.dst === null) {
    alsoPropagate(c, c.db.id, popArgv(key, w.where, w.count, l.length));
    if (w.count !== -1) {
      popRangeWithKey(c, l, key, w.where, w.count);
      return true;
    }
    const value = popOne(l, w.where);
    c.reply.arrayLen(2);
    c.reply.bulk(key);
    c.reply.bulk(value);
    c.server.events.notify(NOTIFY.list, w.where === 'left' ? 'lpop' : 'rpop', key, c.db.id);
    deleteIfEmpty(c, key, l);
    return true;
  }
  const d = writeList(c, w.dst);
  if (d === null) return true;
  const value = popOne(l, w.where);
  movePush(c, w.dst, d, value, w.to);
  const argv = w.rpoplpush ? ['RPOPLPUSH', key, w.dst] : ['LMOVE', key, w.dst, w.where, w.to];
  alsoPropagate(c, c.db.id, argv);
  c.server.events.notify(NOTIFY.list, w.where === 'left' ? 'lpop' : 'rpop', key, c.db.id);
  deleteIfEmpty(c, key, l);
  return true;
}

function block(c: Client, keys: string[], deadline: number, w: ListWait): void {
  blockForKeys(c, keys, deadline, (rc, key) => serveBlocked(rc, key, w));
}

/** BLPOP/BRPOP/BLMPOP (Redis blockingPopGenericCommand); count -1 for the single pops. */
function blockingPop(c: Client, keys: string[], where: Where, timeoutArg: string, count: number): void {
  const deadline = parseTimeout(c, timeoutArg);
  if (deadline === null) return;
  for (const key of keys) {
    const l = writeList(c, key);
    if (l === null) return;
    if (l === undefined || l.length === 0) continue;
    // Replicated as the pop it was: a replica never blocks.
    rewritePropagation(c, popArgv(key, where, count, l.length));
    if (count !== -1) return popRangeWithKey(c, l, key, where, count);
    const value = popOne(l, where);
    c.reply.arrayLen(2);
    c.reply.bulk(key);
    c.reply.bulk(value);
    elementsRemoved(c, key, where, l, 1);
    return;
  }
  // Not allowed to block (MULTI/EXEC, scripts): answer as a timeout, even with timeout 0.
  if (!canBlock(c)) return c.reply.nullArray();
  block(c, keys, deadline, { where, count, dst: null, to: 'left', rpoplpush: false });
}

/** BLMOVE / BRPOPLPUSH once arguments are parsed. */
function blockingMove(
  c: Client,
  src: string,
  dst: string,
  from: Where,
  to: Where,
  deadline: number,
  rpoplpush: boolean,
): void {
  const s = writeList(c, src);
  if (s === null) return;
  if (s !== undefined) {
    // Replicated as the non-blocking move, with the arguments as typed.
    const argv = c.argv;
    rewritePropagation(c, rpoplpush ? ['RPOPLPUSH', src, dst] : ['LMOVE', src, dst, argv[3]!, argv[4]!]);
    return move(c, src, dst, from, to);
  }
  if (!canBlock(c)) return c.reply.nullBulk();
  block(c, [src], deadline, { where: from, count: -1, dst, to, rpoplpush });
}

/** LMPOP numkeys key... LEFT|RIGHT [COUNT n], and BLMPOP timeout numkeys ... */
function mpop(c: Client, argv: string[], numkeysIdx: number, blocking: boolean): void {
  const numkeys = atLeastArg(c, argv[numkeysIdx]!, 1, 'ERR numkeys should be greater than 0');
  if (numkeys === null) return;
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= argv.length) return c.reply.error(E.syntax);
  const where = whereArg(c, argv[whereIdx]!);
  if (where === null) return;
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    if (count === -1 && argv[j]!.toLowerCase() === 'count' && j < argv.length - 1) {
      const n = atLeastArg(c, argv[++j]!, 1, 'ERR count should be greater than 0');
      if (n === null) return;
      count = n;
    } else {
      return c.reply.error(E.syntax);
    }
  }
  if (count === -1) count = 1;
  const keys = argv.slice(numkeysIdx + 1, whereIdx);
  if (blocking) return blockingPop(c, keys, where, argv[1]!, count);
  for (const key of keys) {
    const l = writeList(c, key);
    if (l === null) return;
    if (l === undefined || l.length === 0) continue;
    rewritePropagation(c, popArgv(key, where, count, l.length));
    return popRangeWithKey(c, l, key, where, count);
  }
  c.reply.nullArray();
}

export const listPopCommands: CommandImpls = {
  lpop: (c, argv) => pop(c, argv, 'left'),
  rpop: (c, argv) => pop(c, argv, 'right'),

  lmove(c, argv) {
    const from = whereArg(c, argv[3]!);
    if (from === null) return;
    const to = whereArg(c, argv[4]!);
    if (to === null) return;
    move(c, argv[1]!, argv[2]!, from, to);
  },
  rpoplpush: (c, argv) => move(c, argv[1]!, argv[2]!, 'right', 'left'),
  lmpop: (c, argv) => mpop(c, argv, 1, false),

  blpop: (c, argv) => blockingPop(c, argv.slice(1, -1), 'left', argv[argv.length - 1]!, -1),
  brpop: (c, argv) => blockingPop(c, argv.slice(1, -1), 'right', argv[argv.length - 1]!, -1),
  blmpop: (c, argv) => mpop(c, argv, 2, true),

  blmove(c, argv) {
    const from = whereArg(c, argv[3]!);
    if (from === null) return;
    const to = whereArg(c, argv[4]!);
    if (to === null) return;
    const deadline = parseTimeout(c, argv[5]!);
    if (deadline === null) return;
    blockingMove(c, argv[1]!, argv[2]!, from, to, deadline, false);
  },
  brpoplpush(c, argv) {
    const deadline = parseTimeout(c, argv[3]!);
    if (deadline === null) return;
    blockingMove(c, argv[1]!, argv[2]!, 'right', 'left', deadline, true);
  },
};
