// Shared pieces of the list commands: typed lookups, index and count parsing with Redis's
// messages, popping a range with its reply, and the bookkeeping after elements leave a list
// (Redis listElementsRemoved).

import type { Client } from '../server/client.js';
import { E } from '../protocol/errors.js';
import { NOTIFY } from '../server/notify.js';
import { ListValue } from '../store/list.js';
import { parseInt64 } from './args.js';

export type Where = 'left' | 'right';

/** The list at key for reading (counts a hit or miss); undefined when missing, null after WRONGTYPE. */
export function readList(c: Client, key: string): ListValue | undefined | null {
  const e = c.db.lookupRead(key);
  if (e === undefined) return undefined;
  if (e.type !== 'list') {
    c.reply.error(E.wrongType);
    return null;
  }
  return e.value as ListValue;
}

/** The list at key for writing (no hit/miss stats); undefined when missing, null after WRONGTYPE. */
export function writeList(c: Client, key: string): ListValue | undefined | null {
  const e = c.db.get(key);
  if (e === undefined) return undefined;
  if (e.type !== 'list') {
    c.reply.error(E.wrongType);
    return null;
  }
  return e.value as ListValue;
}

/** Creates an empty list at key (Redis dbAdd: blocked clients on key get signalled). */
export function createList(c: Client, key: string): ListValue {
  const l = new ListValue();
  c.db.set(key, 'list', l);
  return l;
}

/**
 * A C long argument (getLongFromObjectOrReply): the number, or null after replying `msg`
 * (default: not an integer). Values beyond 2^53 keep their sign and stay out of any range.
 */
export function longArg(c: Client, s: string, msg: string = E.notInteger): number | null {
  const v = parseInt64(s);
  if (v === null) {
    c.reply.error(msg);
    return null;
  }
  return Number(v);
}

/** getRangeLongFromObjectOrReply(min..LONG_MAX) with one message for both failures. */
export function atLeastArg(c: Client, s: string, min: number, msg: string): number | null {
  const v = parseInt64(s);
  if (v === null || v < BigInt(min)) {
    c.reply.error(msg);
    return null;
  }
  return Number(v);
}

/** LEFT / RIGHT (case-insensitive), or null after a syntax error. */
export function whereArg(c: Client, s: string): Where | null {
  const l = s.toLowerCase();
  if (l === 'left' || l === 'right') return l;
  c.reply.error(E.syntax);
  return null;
}

export function popOne(l: ListValue, where: Where): string {
  return (where === 'left' ? l.popHead() : l.popTail())!;
}

export function pushOne(l: ListValue, v: string, where: Where): void {
  if (where === 'left') l.pushHead(v);
  else l.pushTail(v);
}

/**
 * Replies elements from..to (inclusive, 0 <= from <= to < length) as bulk strings, or in
 * reverse order when from > to, without the array header. Many small elements are joined in
 * one string before being written: one native write per 16 KB instead of two per element.
 */
export function bulkRun(c: Client, l: ListValue, from: number, to: number): void {
  const step = from <= to ? 1 : -1;
  let out = '';
  for (let i = from; ; i += step) {
    const s = l.at(i);
    out += '$' + s.length + '\r\n' + s + '\r\n';
    if (out.length >= 16384) {
      c.reply.raw(out);
      out = '';
    }
    if (i === to) break;
  }
  if (out.length > 0) c.reply.raw(out);
}

/**
 * Pops up to count elements from one end and replies them as an array, in popping order
 * (Redis's addListRangeReply + listTypeDelRange). Returns how many were popped.
 */
export function popRangeReply(c: Client, l: ListValue, where: Where, count: number): number {
  const n = Math.min(count, l.length);
  c.reply.arrayLen(n);
  if (n === 0) return 0;
  if (where === 'left') {
    bulkRun(c, l, 0, n - 1);
    l.trimHead(n);
  } else {
    bulkRun(c, l, l.length - 1, l.length - n);
    l.trimTail(n);
  }
  return n;
}

/** After popping: the pop event, deleting the emptied key, WATCH, dirty (listElementsRemoved). */
export function elementsRemoved(c: Client, key: string, where: Where, l: ListValue, count: number): void {
  const server = c.server;
  server.events.notify(NOTIFY.list, where === 'left' ? 'lpop' : 'rpop', key, c.db.id);
  if (l.length === 0) {
    c.db.delete(key);
    server.events.notify(NOTIFY.generic, 'del', key, c.db.id);
  }
  c.db.touch(key);
  server.dirty += count;
}

/** LMPOP / BLMPOP / served BLMPOP reply: [key, [elements...]], then the bookkeeping. */
export function popRangeWithKey(c: Client, l: ListValue, key: string, where: Where, count: number): void {
  c.reply.arrayLen(2);
  c.reply.bulk(key);
  const n = popRangeReply(c, l, where, count);
  elementsRemoved(c, key, where, l, n);
}

/** Deletes key if its list became empty, with the 'del' event (no WATCH touch, no dirty). */
export function deleteIfEmpty(c: Client, key: string, l: ListValue): void {
  if (l.length !== 0) return;
  c.db.delete(key);
  c.server.events.notify(NOTIFY.generic, 'del', key, c.db.id);
}
