// Helpers shared by the sorted set command files: typed key lookups, score replies, and the
// bookkeeping after a write (WATCH signal, keyspace event, dirty counter).

import type { Client } from '../server/client.js';
import { E } from '../protocol/errors.js';
import { NOTIFY } from '../server/notify.js';
import { ZSet, g17 } from '../store/zset.js';

/** The zset at key for reading (counts a hit or miss); undefined when missing, null after WRONGTYPE. */
export function readZset(c: Client, key: string): ZSet | undefined | null {
  const e = c.db.lookupRead(key);
  if (e === undefined) return undefined;
  if (e.type !== 'zset') {
    c.reply.error(E.wrongType);
    return null;
  }
  return e.value as ZSet;
}

/** The zset at key for writing (no hit/miss stats); undefined when missing, null after WRONGTYPE. */
export function writeZset(c: Client, key: string): ZSet | undefined | null {
  const e = c.db.get(key);
  if (e === undefined) return undefined;
  if (e.type !== 'zset') {
    c.reply.error(E.wrongType);
    return null;
  }
  return e.value as ZSet;
}

/** A score reply, as Redis 7.0's addReplyDouble: %.17g, a bulk string in RESP2, ',' in RESP3. */
export function replyScore(c: Client, d: number): void {
  const s = g17(d);
  if (c.reply.resp === 3) c.reply.raw(',' + s + '\r\n');
  else c.reply.bulk(s);
}

/** Member (and score) of one range element, in the WITHSCORES shape of the protocol. */
export function replyMember(c: Client, ele: string, score: number, withscores: boolean): void {
  if (withscores) {
    if (c.reply.resp === 3) c.reply.arrayLen(2);
    c.reply.bulk(ele);
    replyScore(c, score);
  } else {
    c.reply.bulk(ele);
  }
}

/** Array header for n range elements: RESP2 flattens pairs, RESP3 nests them. */
export function replyRangeLen(c: Client, n: number, withscores: boolean): void {
  c.reply.arrayLen(withscores && c.reply.resp === 2 ? n * 2 : n);
}

export function notifyZset(c: Client, event: string, key: string): void {
  c.server.events.notify(NOTIFY.zset, event, key, c.db.id);
}

/** Deletes a key whose zset became empty, with Redis's "del" event. */
export function dropEmpty(c: Client, key: string): void {
  c.db.delete(key);
  c.server.events.notify(NOTIFY.generic, 'del', key, c.db.id);
}

/**
 * Stores a computed result at dst like Redis's store variants: the result replaces whatever
 * was there (TTL dropped); an empty result deletes dst instead. Replies with the size.
 */
export function storeResult(c: Client, dst: string, z: ZSet, event: string): void {
  if (z.size > 0) {
    c.db.set(dst, 'zset', z);
    c.db.touch(dst);
    c.reply.int(z.size);
    notifyZset(c, event, dst);
    c.server.dirty++;
    return;
  }
  c.reply.int(0);
  if (c.db.delete(dst)) {
    c.db.touch(dst);
    c.server.events.notify(NOTIFY.generic, 'del', dst, c.db.id);
    c.server.dirty++;
  }
}
