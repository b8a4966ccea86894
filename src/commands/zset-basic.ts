// Sorted set commands that touch single members or count: ZADD ZINCRBY ZREM ZCARD ZSCORE
// ZMSCORE ZRANK ZREVRANK ZCOUNT ZLEXCOUNT ZREMRANGEBYRANK/SCORE/LEX ZSCAN ZRANDMEMBER.

import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import { CLIENT } from '../server/client.js';
import { E } from '../protocol/errors.js';
import { parseInt64, parseIntArg } from './args.js';
import { globMatch } from '../store/glob.js';
import { parseScanOptions, scanCursorOrReply, scanReply } from './scan.js';
import {
  ZSet,
  zsetLimits,
  ZADD_INCR,
  ZADD_NX,
  ZADD_XX,
  ZADD_GT,
  ZADD_LT,
  ZADD_OUT_NAN,
  ZADD_OUT_ADDED,
  ZADD_OUT_UPDATED,
  ZADD_OUT_NOP,
} from '../store/zset.js';
import { ERR_LEX_RANGE, ERR_SCORE_RANGE, doubleOrReply, parseLexRange, parseScoreRange } from './zset-args.js';
import { dropEmpty, notifyZset, readZset, replyMember, replyScore, writeZset } from './zset-common.js';

const ERR_NAN = 'ERR resulting score is not a number (NaN)';

function zaddOptions(argv: string[], flags: number): { flags: number; ch: boolean; idx: number } {
  let ch = false;
  let idx = 2;
  for (; idx < argv.length; idx++) {
    const o = argv[idx]!.toLowerCase();
    if (o === 'nx') flags |= ZADD_NX;
    else if (o === 'xx') flags |= ZADD_XX;
    else if (o === 'ch') ch = true;
    else if (o === 'incr') flags |= ZADD_INCR;
    else if (o === 'gt') flags |= ZADD_GT;
    else if (o === 'lt') flags |= ZADD_LT;
    else break;
  }
  return { flags, ch, idx };
}

/** The option conflicts ZADD refuses, in Redis's order; null when compatible. */
function zaddConflict(flags: number, pairs: number): string | null {
  const nx = flags & ZADD_NX;
  if (nx && flags & ZADD_XX) return 'ERR XX and NX options at the same time are not compatible';
  if ((nx && flags & (ZADD_GT | ZADD_LT)) || (flags & ZADD_GT && flags & ZADD_LT)) {
    return 'ERR GT, LT, and/or NX options at the same time are not compatible';
  }
  if (flags & ZADD_INCR && pairs > 1) return 'ERR INCR option supports a single increment-element pair';
  return null;
}

/** ZADD and ZINCRBY (Redis zaddGenericCommand). */
function zaddGeneric(c: Client, argv: string[], initFlags: number): void {
  const key = argv[1]!;
  const { flags, ch, idx } = zaddOptions(argv, initFlags);
  const elements = argv.length - idx;
  if (elements === 0 || elements % 2 !== 0) return c.reply.error(E.syntax);
  const pairs = elements / 2;
  const conflict = zaddConflict(flags, pairs);
  if (conflict !== null) return c.reply.error(conflict);
  // Every score is checked before anything changes: the command is all or nothing.
  const scores = new Array<number>(pairs);
  for (let j = 0; j < pairs; j++) {
    const d = doubleOrReply(c, argv[idx + j * 2]!);
    if (d === null) return;
    scores[j] = d;
  }
  const incr = (flags & ZADD_INCR) !== 0;
  let z = writeZset(c, key);
  if (z === null) return;
  const limits = zsetLimits(c.server);
  if (z === undefined) {
    if (flags & ZADD_XX) return incr ? c.reply.nullBulk() : c.reply.int(0);
    z = ZSet.forFirst(argv[idx + 1]!, limits);
    c.db.set(key, 'zset', z);
  }
  let added = 0;
  let updated = 0;
  let processed = 0;
  let score = 0;
  let failed = false;
  for (let j = 0; j < pairs; j++) {
    const out = z.add(scores[j]!, argv[idx + 1 + j * 2]!, flags, limits);
    if (out & ZADD_OUT_NAN) {
      c.reply.error(ERR_NAN);
      failed = true;
      break;
    }
    if (out & ZADD_OUT_ADDED) added++;
    if (out & ZADD_OUT_UPDATED) updated++;
    if (!(out & ZADD_OUT_NOP)) {
      processed++;
      score = z.newScore;
    }
  }
  if (!failed) {
    c.server.dirty += added + updated;
    if (!incr) c.reply.int(ch ? added + updated : added);
    else if (processed > 0) replyScore(c, score);
    else c.reply.nullBulk();
  }
  if (added + updated > 0) {
    c.db.touch(key);
    notifyZset(c, incr ? 'zincr' : 'zadd', key);
  }
}

/** A rank argument (Redis getLongFromObjectOrReply); null after replying. */
function rankArg(c: Client, s: string): number | null {
  const n = parseIntArg(s);
  if (n === null) c.reply.error(E.notInteger);
  return n;
}

type RemKind = 'rank' | 'score' | 'lex';

/** ZREMRANGEBYRANK / BYSCORE / BYLEX (Redis zremrangeGenericCommand). */
function zremrange(c: Client, argv: string[], kind: RemKind): void {
  const key = argv[1]!;
  let start = 0;
  let end = 0;
  let remove: ((z: ZSet) => number) | null = null;
  if (kind === 'rank') {
    const s = rankArg(c, argv[2]!);
    if (s === null) return;
    const e = rankArg(c, argv[3]!);
    if (e === null) return;
    start = s;
    end = e;
  } else if (kind === 'score') {
    const r = parseScoreRange(argv[2]!, argv[3]!);
    if (r === null) return c.reply.error(ERR_SCORE_RANGE);
    remove = (z) => z.deleteRangeByScore(r);
  } else {
    const r = parseLexRange(argv[2]!, argv[3]!);
    if (r === null) return c.reply.error(ERR_LEX_RANGE);
    remove = (z) => z.deleteRangeByLex(r);
  }
  const z = writeZset(c, key);
  if (z === null) return;
  if (z === undefined) return c.reply.int(0);
  if (remove === null) {
    const len = z.size;
    if (start < 0) start += len;
    if (end < 0) end += len;
    if (start < 0) start = 0;
    if (start > end || start >= len) return c.reply.int(0);
    if (end >= len) end = len - 1;
    const s = start;
    const e = end;
    remove = (zz) => zz.deleteRangeByRank(s, e);
  }
  const deleted = remove(z);
  if (deleted > 0) {
    c.db.touch(key);
    notifyZset(c, 'zremrangeby' + kind, key);
    if (z.size === 0) dropEmpty(c, key);
  }
  c.server.dirty += deleted;
  c.reply.int(deleted);
}

function zrankGeneric(c: Client, argv: string[], reverse: boolean): void {
  const z = readZset(c, argv[1]!);
  if (z === null) return;
  if (z === undefined) return c.reply.nullBulk();
  const r = z.rank(argv[2]!, reverse);
  if (r < 0) c.reply.nullBulk();
  else c.reply.int(r);
}

const LONG_MAX = 9223372036854775807n;
const HALF_LONG_MAX = LONG_MAX / 2n;
const SUB_STRATEGY_MUL = 3;

function randomEntry(c: Client, z: ZSet, withscores: boolean): void {
  const x = z.random();
  replyMember(c, x.ele, x.score, withscores);
}

/** Up to `count` distinct random ranks (Floyd's algorithm), ascending. */
function distinctRanks(size: number, count: number): number[] {
  const picked = new Set<number>();
  for (let j = size - count; j < size; j++) {
    const t = Math.floor(Math.random() * (j + 1));
    picked.add(picked.has(t) ? j : t);
  }
  return Array.from(picked).sort((a, b) => a - b);
}

/** ZRANDMEMBER key count [WITHSCORES] (Redis zrandmemberWithCountCommand). */
function zrandmemberCount(c: Client, key: string, l: bigint, withscores: boolean): void {
  const z = readZset(c, key);
  if (z === null) return;
  if (z === undefined || l === 0n) return c.reply.arrayLen(0);
  const size = z.size;
  const uniq = l > 0n;
  const count = Number(uniq ? l : -l);
  const flat = withscores && c.reply.resp === 2 ? 2 : 1;
  // Repeats allowed (negative count), or a single element: independent uniform picks.
  if (!uniq || count === 1) {
    c.reply.arrayLen(count * flat);
    for (let k = 0; k < count; k++) {
      randomEntry(c, z, withscores);
      if (k % 1024 === 1023 && c.flags & CLIENT.closeAsap) break;
    }
    return;
  }
  c.reply.arrayLen(Math.min(count, size) * flat);
  if (count >= size) {
    // Redis walks sorted sets from the highest score down here.
    z.eachReverse((m, s) => replyMember(c, m, s, withscores));
    return;
  }
  if (count * SUB_STRATEGY_MUL > size) {
    // Close to the whole set: drop random members until `count` remain (any order).
    const pairs: [string, number][] = [];
    z.each((m, s) => {
      pairs.push([m, s]);
    });
    for (let n = pairs.length; n > count; n--) {
      const j = Math.floor(Math.random() * n);
      pairs[j] = pairs[n - 1]!;
      pairs.pop();
    }
    for (const [m, s] of pairs) replyMember(c, m, s, withscores);
    return;
  }
  for (const r of distinctRanks(size, count)) {
    const x = z.at(r)!;
    replyMember(c, x.ele, x.score, withscores);
  }
}

function zrandmember(c: Client, argv: string[]): void {
  if (argv.length >= 3) {
    const l = parseInt64(argv[2]!);
    if (l === null) return c.reply.error(E.notInteger);
    if (l < -LONG_MAX) {
      return c.reply.error(`ERR value is out of range, value must between ${-LONG_MAX} and ${LONG_MAX}`);
    }
    let withscores = false;
    if (argv.length > 4 || (argv.length === 4 && argv[3]!.toLowerCase() !== 'withscores')) {
      return c.reply.error(E.syntax);
    }
    if (argv.length === 4) {
      withscores = true;
      if (l < -HALF_LONG_MAX || l > HALF_LONG_MAX) return c.reply.error('ERR value is out of range');
    }
    return zrandmemberCount(c, argv[1]!, l, withscores);
  }
  const z = readZset(c, argv[1]!);
  if (z === null) return;
  if (z === undefined) return c.reply.nullBulk();
  c.reply.bulk(z.random().ele);
}

function zscan(c: Client, argv: string[]): void {
  const cursor = scanCursorOrReply(c, argv[2]!);
  if (cursor === null) return;
  const z = readZset(c, argv[1]!);
  if (z === null) return;
  if (z === undefined) return scanReply(c, 0, []);
  const opts = parseScanOptions(c, argv, 3, false);
  if (opts === null) return;
  const raw: string[] = [];
  const next = z.scan(
    cursor > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(cursor),
    opts.count,
    raw,
  );
  const pattern = opts.pattern;
  let items = raw;
  if (pattern !== null) {
    items = [];
    for (let i = 0; i < raw.length; i += 2) {
      if (globMatch(pattern, raw[i]!)) items.push(raw[i]!, raw[i + 1]!);
    }
  }
  scanReply(c, next, items);
}

export const zsetBasicCommands: CommandImpls = {
  zadd: (c, argv) => zaddGeneric(c, argv, 0),
  zincrby: (c, argv) => zaddGeneric(c, argv, ZADD_INCR),

  zrem(c, argv) {
    const key = argv[1]!;
    const z = writeZset(c, key);
    if (z === null) return;
    if (z === undefined) return c.reply.int(0);
    let deleted = 0;
    let removed = false;
    for (let j = 2; j < argv.length; j++) {
      if (z.delete(argv[j]!)) deleted++;
      if (z.size === 0) {
        removed = true;
        break;
      }
    }
    if (deleted > 0) {
      c.db.touch(key);
      notifyZset(c, 'zrem', key);
      if (removed) dropEmpty(c, key);
      c.server.dirty += deleted;
    }
    c.reply.int(deleted);
  },

  zcard(c, argv) {
    const z = readZset(c, argv[1]!);
    if (z === null) return;
    c.reply.int(z === undefined ? 0 : z.size);
  },

  zscore(c, argv) {
    const z = readZset(c, argv[1]!);
    if (z === null) return;
    const s = z?.score(argv[2]!);
    if (s === undefined) c.reply.nullBulk();
    else replyScore(c, s);
  },

  zmscore(c, argv) {
    const z = readZset(c, argv[1]!);
    if (z === null) return;
    c.reply.arrayLen(argv.length - 2);
    for (let j = 2; j < argv.length; j++) {
      const s = z?.score(argv[j]!);
      if (s === undefined) c.reply.nullBulk();
      else replyScore(c, s);
    }
  },

  zrank: (c, argv) => zrankGeneric(c, argv, false),
  zrevrank: (c, argv) => zrankGeneric(c, argv, true),

  zcount(c, argv) {
    const r = parseScoreRange(argv[2]!, argv[3]!);
    if (r === null) return c.reply.error(ERR_SCORE_RANGE);
    const z = readZset(c, argv[1]!);
    if (z === null) return;
    c.reply.int(z === undefined ? 0 : z.count(r));
  },

  zlexcount(c, argv) {
    const r = parseLexRange(argv[2]!, argv[3]!);
    if (r === null) return c.reply.error(ERR_LEX_RANGE);
    const z = readZset(c, argv[1]!);
    if (z === null) return;
    c.reply.int(z === undefined ? 0 : z.lexCount(r));
  },

  zremrangebyrank: (c, argv) => zremrange(c, argv, 'rank'),
  zremrangebyscore: (c, argv) => zremrange(c, argv, 'score'),
  zremrangebylex: (c, argv) => zremrange(c, argv, 'lex'),

  zscan,
  zrandmember,
};
