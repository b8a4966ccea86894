// List commands (Redis t_list.c): LPUSH RPUSH LPUSHX RPUSHX LLEN LINDEX LSET LRANGE LTRIM
// LREM LINSERT LPOS here; pops, moves and the blocking variants in list-pop.ts. The value is
// store/list.ts; blocking goes through server/blocking.ts.

import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import { E } from '../protocol/errors.js';
import { NOTIFY } from '../server/notify.js';
import type { ListValue } from '../store/list.js';
import {
  atLeastArg,
  bulkRun,
  createList,
  deleteIfEmpty,
  longArg,
  readList,
  writeList,
  type Where,
} from './list-common.js';
import { listPopCommands } from './list-pop.js';

/** LPUSH/RPUSH/LPUSHX/RPUSHX; xx: only when the key exists. */
function push(c: Client, argv: string[], where: Where, xx: boolean): void {
  const key = argv[1]!;
  let l = writeList(c, key);
  if (l === null) return;
  if (l === undefined) {
    if (xx) return c.reply.int(0);
    l = createList(c, key);
  }
  if (where === 'left') for (let j = 2; j < argv.length; j++) l.pushHead(argv[j]!);
  else for (let j = 2; j < argv.length; j++) l.pushTail(argv[j]!);
  c.server.dirty += argv.length - 2;
  c.reply.int(l.length);
  c.db.touch(key);
  c.server.events.notify(NOTIFY.list, where === 'left' ? 'lpush' : 'rpush', key, c.db.id);
}

/** Index as Redis resolves it: negative counts from the tail; -1 when out of range. */
function resolveIndex(l: ListValue, index: number): number {
  const i = index < 0 ? l.length + index : index;
  return i >= 0 && i < l.length ? i : -1;
}

/** Replies the elements between start and end (inclusive, negative from the tail). */
function rangeReply(c: Client, l: ListValue, start: number, end: number): void {
  const len = l.length;
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (start > end || start >= len) return c.reply.arrayLen(0);
  if (end >= len) end = len - 1;
  c.reply.arrayLen(end - start + 1);
  bulkRun(c, l, start, end);
}

function ltrim(c: Client, argv: string[]): void {
  const key = argv[1]!;
  let start = longArg(c, argv[2]!);
  if (start === null) return;
  let end = longArg(c, argv[3]!);
  if (end === null) return;
  const l = writeList(c, key);
  if (l === null) return;
  if (l === undefined) return c.reply.ok();
  const len = l.length;
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  let left: number;
  let right: number;
  if (start > end || start >= len) {
    left = len;
    right = 0;
  } else {
    if (end >= len) end = len - 1;
    left = start;
    right = len - end - 1;
  }
  l.trimHead(left);
  l.trimTail(right);
  c.server.events.notify(NOTIFY.list, 'ltrim', key, c.db.id);
  deleteIfEmpty(c, key, l);
  c.db.touch(key);
  c.server.dirty += left + right;
  c.reply.ok();
}

function lrem(c: Client, argv: string[]): void {
  const key = argv[1]!;
  const count = longArg(c, argv[2]!);
  if (count === null) return;
  const l = writeList(c, key);
  if (l === null) return;
  if (l === undefined) return c.reply.int(0);
  const removed = l.removeMatching(argv[3]!, Math.abs(count), count < 0);
  c.server.dirty += removed;
  if (removed > 0) {
    c.db.touch(key);
    c.server.events.notify(NOTIFY.list, 'lrem', key, c.db.id);
  }
  deleteIfEmpty(c, key, l);
  c.reply.int(removed);
}

function linsert(c: Client, argv: string[]): void {
  const key = argv[1]!;
  const pos = argv[2]!.toLowerCase();
  if (pos !== 'after' && pos !== 'before') return c.reply.error(E.syntax);
  const l = writeList(c, key);
  if (l === null) return;
  if (l === undefined) return c.reply.int(0);
  const i = l.indexOf(argv[3]!);
  if (i < 0) return c.reply.int(-1);
  l.insertAt(pos === 'after' ? i + 1 : i, argv[4]!);
  c.db.touch(key);
  c.server.events.notify(NOTIFY.list, 'linsert', key, c.db.id);
  c.server.dirty++;
  c.reply.int(l.length);
}

const RANK_ZERO =
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";

/** LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len] */
function lpos(c: Client, argv: string[]): void {
  let rank = 1;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    const more = j < argv.length - 1;
    if (opt === 'rank' && more) {
      const r = longArg(c, argv[++j]!);
      if (r === null) return;
      if (r === 0) return c.reply.error(RANK_ZERO);
      rank = r;
    } else if (opt === 'count' && more) {
      const n = atLeastArg(c, argv[++j]!, 0, "ERR COUNT can't be negative");
      if (n === null) return;
      count = n;
    } else if (opt === 'maxlen' && more) {
      const n = atLeastArg(c, argv[++j]!, 0, "ERR MAXLEN can't be negative");
      if (n === null) return;
      maxlen = n;
    } else {
      return c.reply.error(E.syntax);
    }
  }
  const fromTail = rank < 0;
  if (fromTail) rank = -rank;
  const l = readList(c, argv[1]!);
  if (l === null) return;
  if (l === undefined) return count !== -1 ? c.reply.arrayLen(0) : c.reply.nullBulk();
  const ele = argv[2]!;
  const len = l.length;
  const limit = maxlen === 0 ? len : Math.min(len, maxlen);
  const found: number[] = [];
  let matches = 0;
  for (let k = 0; k < limit; k++) {
    const idx = fromTail ? len - 1 - k : k;
    if (l.at(idx) !== ele) continue;
    matches++;
    if (matches < rank) continue;
    found.push(idx);
    if (count === -1 || (count !== 0 && found.length >= count)) break;
  }
  if (count !== -1) {
    c.reply.arrayLen(found.length);
    for (const i of found) c.reply.int(i);
  } else if (found.length > 0) {
    c.reply.int(found[0]!);
  } else {
    c.reply.nullBulk();
  }
}

export const listCommands: CommandImpls = {
  lpush: (c, argv) => push(c, argv, 'left', false),
  rpush: (c, argv) => push(c, argv, 'right', false),
  lpushx: (c, argv) => push(c, argv, 'left', true),
  rpushx: (c, argv) => push(c, argv, 'right', true),

  llen(c, argv) {
    const l = readList(c, argv[1]!);
    if (l === null) return;
    c.reply.int(l === undefined ? 0 : l.length);
  },

  lindex(c, argv) {
    const l = readList(c, argv[1]!);
    if (l === null) return;
    if (l === undefined) return c.reply.nullBulk();
    const index = longArg(c, argv[2]!);
    if (index === null) return;
    const i = resolveIndex(l, index);
    if (i < 0) c.reply.nullBulk();
    else c.reply.bulk(l.at(i));
  },

  lset(c, argv) {
    const key = argv[1]!;
    const l = writeList(c, key);
    if (l === null) return;
    if (l === undefined) return c.reply.error(E.noSuchKey);
    const index = longArg(c, argv[2]!);
    if (index === null) return;
    const i = resolveIndex(l, index);
    if (i < 0) return c.reply.error(E.outOfRange);
    l.set(i, argv[3]!);
    c.reply.ok();
    c.db.touch(key);
    c.server.events.notify(NOTIFY.list, 'lset', key, c.db.id);
    c.server.dirty++;
  },

  lrange(c, argv) {
    const start = longArg(c, argv[2]!);
    if (start === null) return;
    const end = longArg(c, argv[3]!);
    if (end === null) return;
    const l = readList(c, argv[1]!);
    if (l === null) return;
    if (l === undefined) return c.reply.arrayLen(0);
    rangeReply(c, l, start, end);
  },

  ltrim,
  lrem,
  linsert,
  lpos,
  ...listPopCommands,
};
