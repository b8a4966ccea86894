// ZUNION ZINTER ZDIFF, their STORE forms, and ZINTERCARD (Redis
// zunionInterDiffGenericCommand). Inputs may be sorted sets or plain sets (every member of a
// set has score 1); WEIGHTS multiply input scores and AGGREGATE SUM|MIN|MAX combines them.

import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import { E } from '../protocol/errors.js';
import type { SetValue } from '../store/set.js';
import { ZSet, zsetLimits } from '../store/zset.js';
import { parseInt64, parseIntArg } from './args.js';
import { parseDouble } from './zset-args.js';
import { replyMember, replyRangeLen, storeResult } from './zset-common.js';

type Op = 'union' | 'inter' | 'diff';
const enum Agg {
  Sum,
  Min,
  Max,
}

/** One input: a sorted set, a set, or nothing (missing key), with its weight. */
interface Src {
  z: ZSet | null;
  s: SetValue | null;
  weight: number;
}

function srcSize(src: Src): number {
  return src.z !== null ? src.z.size : src.s !== null ? src.s.size : 0;
}

/** Visits every member of an input with its (unweighted) score. */
function srcEach(src: Src, fn: (m: string, score: number) => void): void {
  if (src.z !== null) {
    // Redis walks sorted sets from the highest score down.
    src.z.eachReverse(fn);
  } else if (src.s !== null) {
    src.s.each((m) => fn(m, 1));
  }
}

/** The member's score in an input, or undefined. */
function srcFind(src: Src, m: string): number | undefined {
  if (src.z !== null) return src.z.score(m);
  if (src.s !== null && src.s.has(m)) return 1;
  return undefined;
}

function aggregate(target: number, val: number, agg: Agg): number {
  if (agg === Agg.Sum) {
    const t = target + val;
    // inf + -inf: Redis keeps the convention that the sum is 0.
    return Number.isNaN(t) ? 0 : t;
  }
  if (agg === Agg.Min) return val < target ? val : target;
  return val > target ? val : target;
}

function weighted(score: number, weight: number): number {
  const v = weight * score;
  return Number.isNaN(v) ? 0 : v;
}

function inter(srcs: Src[], agg: Agg, out: ZSet | null, limit: number): number {
  let card = 0;
  if (srcSize(srcs[0]!) === 0) return 0;
  const first = srcs[0]!;
  const each = (m: string, s: number): boolean => {
    let score = weighted(s, first.weight);
    for (let j = 1; j < srcs.length; j++) {
      const v = srcFind(srcs[j]!, m);
      if (v === undefined) return true;
      score = aggregate(score, v * srcs[j]!.weight, agg);
    }
    card++;
    if (out !== null) out.insertNew(m, score);
    return limit === 0 || card < limit;
  };
  if (first.z !== null) {
    const cur = first.z.last();
    while (cur !== null && each(cur.ele, cur.score) && cur.prev());
  } else {
    for (const m of first.s!) if (!each(m, 1)) break;
  }
  return card;
}

function union(srcs: Src[], agg: Agg, out: ZSet): void {
  const acc = new Map<string, number>();
  for (const src of srcs) {
    const w = src.weight;
    srcEach(src, (m, s) => {
      const score = weighted(s, w);
      const cur = acc.get(m);
      acc.set(m, cur === undefined ? score : aggregate(cur, score, agg));
    });
  }
  for (const [m, s] of acc) out.insertNew(m, s);
}

function diff(srcs: Src[], out: ZSet): void {
  const first = srcs[0]!;
  if (srcSize(first) === 0) return;
  // The same key subtracted from itself leaves nothing.
  for (let j = 1; j < srcs.length; j++) {
    const o = srcs[j]!;
    if ((o.z !== null && o.z === first.z) || (o.s !== null && o.s === first.s)) return;
  }
  const others = srcs.slice(1).filter((s) => srcSize(s) > 0);
  srcEach(first, (m, s) => {
    for (const o of others) if (srcFind(o, m) !== undefined) return;
    out.insertNew(m, s);
  });
}

interface Parsed {
  srcs: Src[];
  agg: Agg;
  withscores: boolean;
  limit: number;
}

/** Reads numkeys, the inputs and the options; null after replying with an error. */
function parse(c: Client, argv: string[], numIdx: number, op: Op, store: boolean, cardOnly: boolean): Parsed | null {
  const setnum = parseIntArg(argv[numIdx]!);
  if (setnum === null) {
    c.reply.error(E.notInteger);
    return null;
  }
  if (setnum < 1) {
    c.reply.error(`ERR at least 1 input key is needed for '${argv[0]!.toLowerCase()}' command`);
    return null;
  }
  if (setnum > argv.length - (numIdx + 1)) {
    c.reply.error(E.syntax);
    return null;
  }
  const srcs: Src[] = [];
  let j = numIdx + 1;
  for (let i = 0; i < setnum; i++, j++) {
    const e = c.db.lookupRead(argv[j]!);
    const src: Src = { z: null, s: null, weight: 1 };
    if (e !== undefined) {
      if (e.type === 'zset') src.z = e.value as ZSet;
      else if (e.type === 'set') src.s = e.value as SetValue;
      else {
        c.reply.error(E.wrongType);
        return null;
      }
    }
    srcs.push(src);
  }
  let agg = Agg.Sum;
  let withscores = false;
  let limit = 0;
  while (j < argv.length) {
    const remaining = argv.length - j;
    const a = argv[j]!.toLowerCase();
    if (op !== 'diff' && !cardOnly && remaining >= setnum + 1 && a === 'weights') {
      j++;
      for (let i = 0; i < setnum; i++, j++) {
        const w = parseDouble(argv[j]!);
        if (w === null) {
          c.reply.error('ERR weight value is not a float');
          return null;
        }
        srcs[i]!.weight = w;
      }
    } else if (op !== 'diff' && !cardOnly && remaining >= 2 && a === 'aggregate') {
      const v = argv[j + 1]!.toLowerCase();
      if (v === 'sum') agg = Agg.Sum;
      else if (v === 'min') agg = Agg.Min;
      else if (v === 'max') agg = Agg.Max;
      else {
        c.reply.error(E.syntax);
        return null;
      }
      j += 2;
    } else if (!store && !cardOnly && a === 'withscores') {
      withscores = true;
      j++;
    } else if (cardOnly && remaining >= 2 && a === 'limit') {
      const l = parseInt64(argv[j + 1]!);
      if (l === null || l < 0n) {
        c.reply.error("ERR LIMIT can't be negative");
        return null;
      }
      limit = Number(l);
      j += 2;
    } else {
      c.reply.error(E.syntax);
      return null;
    }
  }
  return { srcs, agg, withscores, limit };
}

function generic(c: Client, argv: string[], dst: string | null, numIdx: number, op: Op, cardOnly = false): void {
  const p = parse(c, argv, numIdx, op, dst !== null, cardOnly);
  if (p === null) return;
  const { srcs, agg } = p;
  // Smallest inputs first: fewer lookups for an intersection (the first input drives a diff).
  if (op !== 'diff') srcs.sort((a, b) => srcSize(a) - srcSize(b));
  if (cardOnly) return c.reply.int(inter(srcs, agg, null, p.limit));
  const out = new ZSet(false);
  if (op === 'inter') inter(srcs, agg, out, 0);
  else if (op === 'union') union(srcs, agg, out);
  else diff(srcs, out);
  if (dst !== null) {
    out.shrinkIfNeeded(zsetLimits(c.server));
    return storeResult(c, dst, out, op === 'union' ? 'zunionstore' : op === 'inter' ? 'zinterstore' : 'zdiffstore');
  }
  replyRangeLen(c, out.size, p.withscores);
  out.each((m, s) => replyMember(c, m, s, p.withscores));
}

export const zsetSetopCommands: CommandImpls = {
  zunionstore: (c, argv) => generic(c, argv, argv[1]!, 2, 'union'),
  zinterstore: (c, argv) => generic(c, argv, argv[1]!, 2, 'inter'),
  zdiffstore: (c, argv) => generic(c, argv, argv[1]!, 2, 'diff'),
  zunion: (c, argv) => generic(c, argv, null, 1, 'union'),
  zinter: (c, argv) => generic(c, argv, null, 1, 'inter'),
  zdiff: (c, argv) => generic(c, argv, null, 1, 'diff'),
  zintercard: (c, argv) => generic(c, argv, null, 1, 'inter', true),
};
