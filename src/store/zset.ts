// The sorted set value: an order-statistic B+tree of (score, member) pairs (ordtree.ts), plus
// a member -> score map once the set is large. Redis keeps small sets as a listpack (members
// found by a linear scan) and large ones as a skip list with a dict; Redoubt mirrors that:
// a "listpack" set has no map (small sets stay small in memory, a lookup scans at most
// zset-max-listpack-entries pairs), a "skiplist" set has one. The encoding is also visible:
// OBJECT ENCODING, ZSCAN returning a small set in one call with its scores printed as the
// listpack stores them, a listpack turning -0 into 0.
//
// The API below (add/set/score/rank/range/delete) is shared with GEO (geohash scores) and SORT.
//
// ZSCAN over the map: every member carries a sequence number given when it entered the map,
// and the map keeps insertion order, so the map's order is the sequence order. A cursor is the
// sequence number of the last member returned; the next call resumes with the first member
// above it. A member present for the whole scan is returned at least once, whatever is added,
// updated or deleted between calls and however many scans run at once. Recent scans keep their
// Map iterator (by cursor) so that resuming is O(1); any other cursor is found by a walk.

import type { Server } from '../server/server.js';
import {
  type ScoreRange,
  type LexRange,
  scoreGteMin,
  scoreLteMax,
  lexGteMin,
  lexLteMax,
  lexRangeEmpty,
} from './zrange.js';
import { OrderTree, Cursor } from './ordtree.js';

export { LEX_MIN, LEX_MAX, type ScoreRange, type LexRange, type LexBound } from './zrange.js';
export { Cursor } from './ordtree.js';

/** The zset-max-listpack-* configs that decide the encoding. */
export interface ZLimits {
  entries: number;
  value: number;
}

const limitsByServer = new WeakMap<Server, ZLimits>();

/** The server's current listpack limits, kept fresh by config hooks. */
export function zsetLimits(server: Server): ZLimits {
  let l = limitsByServer.get(server);
  if (l === undefined) {
    const cfg = server.config;
    const lim: ZLimits = {
      entries: cfg.int('zset-max-listpack-entries'),
      value: cfg.int('zset-max-listpack-value'),
    };
    cfg.onApply('zset-max-listpack-entries', (v) => ((lim.entries = Number(v)), null));
    cfg.onApply('zset-max-listpack-value', (v) => ((lim.value = Number(v)), null));
    limitsByServer.set(server, lim);
    l = lim;
  }
  return l;
}

/** ZADD input flags. */
export const ZADD_INCR = 1;
export const ZADD_NX = 2;
export const ZADD_XX = 4;
export const ZADD_GT = 8;
export const ZADD_LT = 16;

/** ZADD outcome flags. */
export const ZADD_OUT_NOP = 1;
export const ZADD_OUT_NAN = 2;
export const ZADD_OUT_ADDED = 4;
export const ZADD_OUT_UPDATED = 8;

/** (double)(LLONG_MAX / 2): the bound of Redis's double2ll. */
const HALF_LLONG = 2 ** 62;

/**
 * A score as Redis's d2string prints it (how a listpack stores scores, shown by ZSCAN):
 * integral values within ±LLONG_MAX/2 as integers, others in %.17g form.
 */
export function d2string(d: number): string {
  if (Number.isNaN(d)) return 'nan';
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  if (d >= -HALF_LLONG && d <= HALF_LLONG && Number.isInteger(d)) return BigInt(d).toString();
  return g17(d);
}

/** printf("%.17g") for a finite, non-zero double. */
export function g17(d: number): string {
  // Integers of up to 17 digits print plainly in %.17g, as String() prints them.
  if (Number.isInteger(d) && d < 1e17 && d > -1e17) return d === 0 && Object.is(d, -0) ? '-0' : String(d);
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  const e = d.toExponential(16);
  const p = e.indexOf('e');
  const exp = Number(e.slice(p + 1));
  if (exp < -4 || exp >= 17) {
    const ae = Math.abs(exp);
    return trimZeros(e.slice(0, p)) + 'e' + (exp < 0 ? '-' : '+') + (ae < 10 ? '0' + ae : String(ae));
  }
  return trimZeros(d.toFixed(16 - exp));
}

function trimZeros(s: string): string {
  if (s.indexOf('.') < 0) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}

/** Live ZSCAN iterators kept per set (a miss costs a walk, never a wrong answer). */
const SCAN_ITERS = 16;

/** A member's score in the map, and the sequence number ZSCAN cursors are made of. */
interface Slot {
  score: number;
  readonly seq: number;
}

/** A range visitor; returning false stops the walk. */
export type Visit = (ele: string, score: number) => boolean | void;

export class ZSet {
  readonly tree = new OrderTree();
  /** member -> score and sequence number, only while the set is a skiplist. */
  private dict: Map<string, Slot> | null;
  private lp: boolean;
  /** The score after the last add() that did something (ZADD INCR's reply). */
  newScore = 0;
  /** Live iterators of recent ZSCAN calls, by the cursor they resume from. */
  private scanIters: Map<number, Iterator<[string, Slot]>> | null = null;
  /** The next member's sequence number: never reused, even across map rebuilds. */
  private nextSeq = 1;

  constructor(listpack = true) {
    this.lp = listpack;
    this.dict = listpack ? null : new Map();
  }

  /** True while Redis would hold this set as a listpack. */
  get listpack(): boolean {
    return this.lp;
  }

  /** Switching encodings builds or drops the member map. */
  set listpack(v: boolean) {
    if (v === this.lp) return;
    this.lp = v;
    this.scanIters = null;
    if (v) {
      this.dict = null;
      return;
    }
    const d = new Map<string, Slot>();
    this.each((m, sc) => {
      d.set(m, { score: sc, seq: this.nextSeq++ });
    });
    this.dict = d;
  }

  /** A new empty set with the encoding ZADD would create for its first member. */
  static forFirst(member: string, limits: ZLimits): ZSet {
    return new ZSet(!(limits.entries === 0 || limits.value < member.length));
  }

  get size(): number {
    return this.tree.size;
  }

  encoding(): string {
    return this.listpack ? 'listpack' : 'skiplist';
  }

  score(member: string): number | undefined {
    const d = this.dict;
    return d !== null ? d.get(member)?.score : this.tree.findLinear(member);
  }

  has(member: string): boolean {
    return this.score(member) !== undefined;
  }

  /**
   * Redis's zsetAdd: adds or updates one member under the ZADD_* flags and returns ZADD_OUT_*
   * flags (NAN when the result would not be a number: nothing changed then). When a member
   * is added or updated `newScore` holds its score. May switch the encoding to skiplist.
   */
  add(score: number, member: string, flags: number, limits: ZLimits): number {
    if (Number.isNaN(score)) return ZADD_OUT_NAN;
    const cur = this.score(member);
    if (cur !== undefined) {
      if (flags & ZADD_NX) return ZADD_OUT_NOP;
      if (flags & ZADD_INCR) {
        score += cur;
        if (Number.isNaN(score)) return ZADD_OUT_NAN;
      }
      if ((flags & ZADD_LT && score >= cur) || (flags & ZADD_GT && score <= cur)) return ZADD_OUT_NOP;
      this.newScore = score;
      if (score !== cur) {
        const stored = this.stored(score);
        this.tree.update(cur, member, stored);
        // In place: the member keeps its map position and sequence number.
        const slot = this.dict?.get(member);
        if (slot !== undefined) slot.score = stored;
        return ZADD_OUT_UPDATED;
      }
      return 0;
    }
    if (flags & ZADD_XX) return ZADD_OUT_NOP;
    if (this.lp && (this.tree.size + 1 > limits.entries || member.length > limits.value)) {
      this.listpack = false;
    }
    this.newScore = score;
    this.insertNew(member, this.stored(score));
    return ZADD_OUT_ADDED;
  }

  /** A listpack stores integral scores as integers, so -0 comes back as 0. */
  private stored(score: number): number {
    return score === 0 && this.listpack ? 0 : score;
  }

  /** Sets a member's score (adding it when absent); true when it was added. */
  set(member: string, score: number, limits: ZLimits): boolean {
    return (this.add(score, member, 0, limits) & ZADD_OUT_ADDED) !== 0;
  }

  /** Adds a member known to be absent, leaving the encoding alone (building results). */
  insertNew(member: string, score: number): void {
    this.dict?.set(member, { score, seq: this.nextSeq++ });
    this.tree.insert(score, member);
  }

  delete(member: string): boolean {
    const s = this.score(member);
    if (s === undefined) return false;
    this.dict?.delete(member);
    this.tree.remove(s, member);
    return true;
  }

  /** 0-based rank of member (from the highest score when reverse), or -1 when absent. */
  rank(member: string, reverse = false): number {
    const s = this.score(member);
    if (s === undefined) return -1;
    const r = this.tree.rankOf(s, member);
    return reverse ? this.tree.size - 1 - r : r;
  }

  /** A cursor at a 0-based rank in ascending order, or null. Invalid once the set changes. */
  at(rank: number): Cursor | null {
    return this.tree.at(rank);
  }

  /** Cursor on the lowest / highest pair, or null when empty. */
  first(): Cursor | null {
    return this.tree.at(0);
  }

  last(): Cursor | null {
    return this.tree.at(this.tree.size - 1);
  }

  /** Rank of the first / last pair inside a range, or -1. */
  firstInRange(r: ScoreRange): number {
    return this.tree.firstInRange(r);
  }

  lastInRange(r: ScoreRange): number {
    return this.tree.lastInRange(r);
  }

  /**
   * Lex ranges assume equal scores; when scores differ the members are not in order and the
   * answer depends on how the range is searched. A listpack is searched linearly, as Redis
   * does (so those answers match Redis's exactly), and so is a large set with mixed scores
   * (Redis's skip list descent gives answers close to that); a large set with one score is
   * in member order, where binary search gives the same answer quickly.
   */
  private lexLinear(): boolean {
    return this.listpack || this.tree.at(0)!.score !== this.tree.at(this.size - 1)!.score;
  }

  firstInLexRange(r: LexRange): number {
    if (this.size === 0) return -1;
    if (!this.lexLinear()) return this.tree.firstInLexRange(r);
    if (!this.lexOverlaps(r)) return -1;
    const cur = this.tree.at(0)!;
    let rank = 0;
    do {
      if (lexGteMin(cur.ele, r)) return lexLteMax(cur.ele, r) ? rank : -1;
      rank++;
    } while (cur.next());
    return -1;
  }

  lastInLexRange(r: LexRange): number {
    if (this.size === 0) return -1;
    if (!this.lexLinear()) return this.tree.lastInLexRange(r);
    if (!this.lexOverlaps(r)) return -1;
    const cur = this.tree.at(this.size - 1)!;
    let rank = this.size - 1;
    do {
      if (lexLteMax(cur.ele, r)) return lexGteMin(cur.ele, r) ? rank : -1;
      rank--;
    } while (cur.prev());
    return -1;
  }

  /** Redis's zzlIsInLexRange: a non-empty range that may meet the first and last members. */
  private lexOverlaps(r: LexRange): boolean {
    if (this.size === 0 || lexRangeEmpty(r)) return false;
    return lexGteMin(this.tree.at(this.size - 1)!.ele, r) && lexLteMax(this.tree.at(0)!.ele, r);
  }

  /** From the first member in the lex range, how many in a row stay below its max. */
  private lexRun(r: LexRange): [number, number] {
    const f = this.firstInLexRange(r);
    if (f < 0) return [-1, 0];
    const cur = this.tree.at(f)!;
    let n = 0;
    do {
      if (!lexLteMax(cur.ele, r)) break;
      n++;
    } while (cur.next());
    return [f, n];
  }

  /**
   * Visits the pairs of a score range in order (from the top when reverse), skipping
   * `offset` of them and stopping after `limit` (negative: no limit), with ZRANGEBYSCORE's
   * rules: a negative offset selects nothing. Returns how many were visited.
   */
  walkScoreRange(r: ScoreRange, reverse: boolean, offset: number, limit: number, visit: Visit): number {
    if (offset < 0) return 0;
    const start = reverse ? this.tree.lastInRange(r) : this.tree.firstInRange(r);
    if (start < 0) return 0;
    const cur = this.tree.at(reverse ? start - offset : start + offset);
    if (cur === null) return 0;
    let n = 0;
    while (limit-- !== 0) {
      const s = cur.score;
      if (reverse ? !scoreGteMin(s, r) : !scoreLteMax(s, r)) break;
      n++;
      if (visit(cur.ele, s) === false) break;
      if (!(reverse ? cur.prev() : cur.next())) break;
    }
    return n;
  }

  /** Like walkScoreRange, over a lex range (ZRANGEBYLEX). */
  walkLexRange(r: LexRange, reverse: boolean, offset: number, limit: number, visit: Visit): number {
    if (offset < 0) return 0;
    const start = reverse ? this.lastInLexRange(r) : this.firstInLexRange(r);
    if (start < 0) return 0;
    const cur = this.tree.at(reverse ? start - offset : start + offset);
    if (cur === null) return 0;
    let n = 0;
    while (limit-- !== 0) {
      const e = cur.ele;
      if (reverse ? !lexGteMin(e, r) : !lexLteMax(e, r)) break;
      n++;
      if (visit(e, cur.score) === false) break;
      if (!(reverse ? cur.prev() : cur.next())) break;
    }
    return n;
  }

  /** Visits ranks start..end (inclusive, already clamped) ascending, or counted from the top when reverse. */
  walkRank(start: number, end: number, reverse: boolean, visit: Visit): void {
    const cur = this.tree.at(reverse ? this.size - 1 - start : start);
    if (cur === null) return;
    for (let n = end - start + 1; n > 0; n--) {
      if (visit(cur.ele, cur.score) === false) return;
      if (!(reverse ? cur.prev() : cur.next())) return;
    }
  }

  /** Members with their scores, by 0-based rank (inclusive, already clamped), ascending or not. */
  rangeByRank(start: number, end: number, reverse = false): [string, number][] {
    const out: [string, number][] = [];
    this.walkRank(start, end, reverse, (e, s) => {
      out.push([e, s]);
    });
    return out;
  }

  /** Members with their scores inside a score range, ascending (descending when reverse). */
  rangeByScore(r: ScoreRange, reverse = false, offset = 0, limit = -1): [string, number][] {
    const out: [string, number][] = [];
    this.walkScoreRange(r, reverse, offset, limit, (e, s) => {
      out.push([e, s]);
    });
    return out;
  }

  /** Members with their scores inside a lex range. */
  rangeByLex(r: LexRange, reverse = false, offset = 0, limit = -1): [string, number][] {
    const out: [string, number][] = [];
    this.walkLexRange(r, reverse, offset, limit, (e, s) => {
      out.push([e, s]);
    });
    return out;
  }

  /** How many members have a score inside the range (O(log n)). */
  count(r: ScoreRange): number {
    const f = this.tree.firstInRange(r);
    return f < 0 ? 0 : this.tree.lastInRange(r) - f + 1;
  }

  lexCount(r: LexRange): number {
    // Redis counts a listpack by walking from the first match, a skiplist by two ranks.
    if (this.listpack) return this.lexRun(r)[1];
    const f = this.firstInLexRange(r);
    return f < 0 ? 0 : this.lastInLexRange(r) - f + 1;
  }

  /** Deletes ranks start..end (inclusive, already clamped); returns how many. */
  deleteRangeByRank(start: number, end: number): number {
    if (start > end) return 0;
    if (start === 0 && end === this.size - 1) {
      const n = this.size;
      this.dict?.clear();
      this.tree.clear();
      return n;
    }
    const victims: string[] = [];
    this.walkRank(start, end, false, (e) => {
      victims.push(e);
    });
    for (const e of victims) this.delete(e);
    return victims.length;
  }

  deleteRangeByScore(r: ScoreRange): number {
    const f = this.tree.firstInRange(r);
    return f < 0 ? 0 : this.deleteRangeByRank(f, this.tree.lastInRange(r));
  }

  deleteRangeByLex(r: LexRange): number {
    // Both Redis encodings delete from the first match while members stay below the max.
    const [f, n] = this.lexRun(r);
    return n === 0 ? 0 : this.deleteRangeByRank(f, f + n - 1);
  }

  /** A cursor on a uniformly chosen pair; the set must not be empty. */
  random(): Cursor {
    return this.tree.at(Math.floor(Math.random() * this.size))!;
  }

  /**
   * Switches to listpack when Redis would (zsetConvertToListpackIfNeeded: after
   * ZUNIONSTORE and friends build a result as a skiplist).
   */
  shrinkIfNeeded(limits: ZLimits, maxLen?: number): void {
    if (this.listpack || this.size > limits.entries) return;
    if ((maxLen ?? this.maxMemberLength()) <= limits.value) {
      this.listpack = true;
      // The listpack stores -0 as the integer 0.
      const negZero: string[] = [];
      this.each((m, sc) => {
        if (Object.is(sc, -0)) negZero.push(m);
      });
      for (const m of negZero) this.tree.update(-0, m, 0);
    }
  }

  maxMemberLength(): number {
    let m = 0;
    this.each((k) => {
      if (k.length > m) m = k.length;
    });
    return m;
  }

  /** Iterates members in score order. */
  each(fn: (member: string, score: number) => void): void {
    const cur = this.tree.at(0);
    if (cur === null) return;
    do fn(cur.ele, cur.score);
    while (cur.next());
  }

  /** Iterates members from the highest score down. */
  eachReverse(fn: (member: string, score: number) => void): void {
    const cur = this.tree.at(this.size - 1);
    if (cur === null) return;
    do fn(cur.ele, cur.score);
    while (cur.prev());
  }

  /** Pairs in score order, the score as a string (the generic digest walks this). */
  *[Symbol.iterator](): IterableIterator<[string, string]> {
    const out: [string, string][] = [];
    this.each((m, s) => out.push([m, d2string(s)]));
    yield* out;
  }

  /**
   * One ZSCAN step: pushes member, score pairs after `cursor` into out and returns the next
   * cursor (0 when done). A listpack set is returned whole, as Redis does. A cursor is the
   * sequence number of the last member returned (see the top of this file).
   */
  scan(cursor: number, count: number, out: string[]): number {
    const dict = this.dict;
    if (dict === null) {
      this.each((m, s) => out.push(m, d2string(s)));
      return 0;
    }
    let it = cursor === 0 ? undefined : this.scanIters?.get(cursor);
    if (it !== undefined) this.scanIters!.delete(cursor);
    else it = dict.entries();
    let last = 0;
    let n = 0;
    while (n < count) {
      const r = it.next();
      if (r.done) return 0;
      const [member, slot] = r.value;
      // A fresh iterator starts at the beginning: skip what the cursor has already covered.
      if (slot.seq <= cursor) continue;
      out.push(member, g17(slot.score));
      last = slot.seq;
      n++;
    }
    const iters = (this.scanIters ??= new Map());
    if (iters.size >= SCAN_ITERS) iters.delete(iters.keys().next().value as number);
    iters.set(last, it);
    return last;
  }

  clone(): ZSet {
    const z = new ZSet(this.listpack);
    this.each((m, s) => z.insertNew(m, s));
    return z;
  }

  /** Estimated bytes, in the spirit of Redis's objectComputeSize (MEMORY USAGE). */
  memoryUsage(samples: number): number {
    const ROBJ = 16;
    const n = this.size;
    if (this.listpack) {
      let bytes = 7;
      this.each((m, s) => {
        bytes += m.length + 2 + d2string(s).length + 2;
      });
      return ROBJ + bytes;
    }
    let buckets = 4;
    while (buckets < n) buckets *= 2;
    let seen = 0;
    let bytes = 0;
    const cur = this.tree.at(0);
    if (cur !== null) {
      do {
        bytes += cur.ele.length + 9 + 24 + 32 + 16;
        seen++;
      } while ((samples === 0 || seen < samples) && cur.next());
    }
    const per = seen === 0 ? 0 : bytes / seen;
    return ROBJ + 16 + 32 + 56 + buckets * 8 + Math.round(per * n);
  }
}
