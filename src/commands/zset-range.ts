// ZRANGE and its relatives (Redis zrangeGenericCommand): ZRANGE [BYSCORE|BYLEX] [REV]
// [LIMIT] [WITHSCORES], ZRANGESTORE, and the older ZREVRANGE, Z[REV]RANGEBYSCORE,
// Z[REV]RANGEBYLEX, which are the same code with the range type or direction fixed.

import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import { E } from '../protocol/errors.js';
import { ZSet, zsetLimits, type ScoreRange, type LexRange } from '../store/zset.js';
import { ERR_LEX_RANGE, ERR_SCORE_RANGE, parseLexRange, parseScoreRange } from './zset-args.js';
import { readZset, replyMember, replyRangeLen, storeResult } from './zset-common.js';
import { parseIntArg } from './args.js';

type RangeType = 'auto' | 'rank' | 'score' | 'lex';
type Direction = 'auto' | 'forward' | 'reverse';

interface RangeOpts {
  type: RangeType;
  reverse: boolean;
  withscores: boolean;
  offset: number;
  /** -1 when LIMIT was not given (or given as -1, which Redis cannot tell apart). */
  limit: number;
}

function parseOpts(
  c: Client,
  argv: string[],
  start: number,
  store: boolean,
  type: RangeType,
  dir: Direction,
): RangeOpts | null {
  let withscores = false;
  let offset = 0;
  let limit = -1;
  for (let j = start + 3; j < argv.length; j++) {
    const a = argv[j]!.toLowerCase();
    const left = argv.length - j - 1;
    if (!store && a === 'withscores') withscores = true;
    else if (a === 'limit' && left >= 2) {
      const o = parseIntArg(argv[j + 1]!);
      const l = o === null ? null : parseIntArg(argv[j + 2]!);
      if (o === null || l === null) {
        c.reply.error(E.notInteger);
        return null;
      }
      offset = o;
      limit = l;
      j += 2;
    } else if (dir === 'auto' && a === 'rev') dir = 'reverse';
    else if (type === 'auto' && a === 'bylex') type = 'lex';
    else if (type === 'auto' && a === 'byscore') type = 'score';
    else {
      c.reply.error(E.syntax);
      return null;
    }
  }
  if (type === 'auto') type = 'rank';
  if (limit !== -1 && type === 'rank') {
    c.reply.error('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
    return null;
  }
  if (withscores && type === 'lex') {
    c.reply.error('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
    return null;
  }
  return { type, reverse: dir === 'reverse', withscores, offset, limit };
}

/** The selected pairs, in reply order: members and scores in two arrays. */
interface Selection {
  eles: string[];
  scores: number[];
}

function selectByRank(z: ZSet, start: number, end: number, reverse: boolean, out: Selection): void {
  const len = z.size;
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) return;
  if (end >= len) end = len - 1;
  z.walkRank(start, end, reverse, (e, s) => {
    out.eles.push(e);
    out.scores.push(s);
  });
}

type Range =
  { kind: 'rank'; start: number; end: number } | { kind: 'score'; r: ScoreRange } | { kind: 'lex'; r: LexRange };

function parseRange(c: Client, o: RangeOpts, min: string, max: string): Range | null {
  if (o.type === 'rank') {
    const s = parseIntArg(min);
    const e = s === null ? null : parseIntArg(max);
    if (s === null || e === null) {
      c.reply.error(E.notInteger);
      return null;
    }
    return { kind: 'rank', start: s, end: e };
  }
  // BYSCORE and BYLEX with REV take the range as max, min.
  if (o.reverse) [min, max] = [max, min];
  if (o.type === 'score') {
    const r = parseScoreRange(min, max);
    if (r === null) c.reply.error(ERR_SCORE_RANGE);
    return r === null ? null : { kind: 'score', r };
  }
  const r = parseLexRange(min, max);
  if (r === null) c.reply.error(ERR_LEX_RANGE);
  return r === null ? null : { kind: 'lex', r };
}

function select(z: ZSet, range: Range, o: RangeOpts): Selection {
  const out: Selection = { eles: [], scores: [] };
  if (range.kind === 'rank') {
    selectByRank(z, range.start, range.end, o.reverse, out);
    return out;
  }
  const push = (e: string, s: number): void => {
    out.eles.push(e);
    out.scores.push(s);
  };
  if (range.kind === 'score') z.walkScoreRange(range.r, o.reverse, o.offset, o.limit, push);
  else z.walkLexRange(range.r, o.reverse, o.offset, o.limit, push);
  return out;
}

/** Redis zrangeGenericCommand; `dst` is set for ZRANGESTORE. */
function zrangeGeneric(
  c: Client,
  argv: string[],
  start: number,
  dst: string | null,
  type: RangeType,
  dir: Direction,
): void {
  const o = parseOpts(c, argv, start, dst !== null, type, dir);
  if (o === null) return;
  const range = parseRange(c, o, argv[start + 1]!, argv[start + 2]!);
  if (range === null) return;
  const z = readZset(c, argv[start]!);
  if (z === null) return;
  const sel = z === undefined ? { eles: [], scores: [] } : select(z, range, o);
  if (dst !== null) return storeRange(c, dst, sel, range.kind === 'rank');
  const { eles, scores } = sel;
  replyRangeLen(c, eles.length, o.withscores);
  for (let i = 0; i < eles.length; i++) replyMember(c, eles[i]!, scores[i]!, o.withscores);
}

/** ZRANGESTORE's result: built with ZADD's conversion rules, sized up front for rank ranges. */
function storeRange(c: Client, dst: string, sel: Selection, knownLength: boolean): void {
  const limits = zsetLimits(c.server);
  const out = new ZSet(!(knownLength && sel.eles.length > limits.entries));
  for (let i = 0; i < sel.eles.length; i++) out.add(sel.scores[i]!, sel.eles[i]!, 0, limits);
  storeResult(c, dst, out, 'zrangestore');
}

export const zsetRangeCommands: CommandImpls = {
  zrange: (c, argv) => zrangeGeneric(c, argv, 1, null, 'auto', 'auto'),
  zrangestore: (c, argv) => zrangeGeneric(c, argv, 2, argv[1]!, 'auto', 'auto'),
  zrevrange: (c, argv) => zrangeGeneric(c, argv, 1, null, 'rank', 'reverse'),
  zrangebyscore: (c, argv) => zrangeGeneric(c, argv, 1, null, 'score', 'forward'),
  zrevrangebyscore: (c, argv) => zrangeGeneric(c, argv, 1, null, 'score', 'reverse'),
  zrangebylex: (c, argv) => zrangeGeneric(c, argv, 1, null, 'lex', 'forward'),
  zrevrangebylex: (c, argv) => zrangeGeneric(c, argv, 1, null, 'lex', 'reverse'),
};
