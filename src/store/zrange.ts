// Score and lexicographic intervals of the sorted set commands (ZRANGEBYSCORE "(1 5",
// ZRANGEBYLEX "[a +"), and the tests that place a score or member against them.

/** A score interval; `minex`/`maxex` make an end exclusive. */
export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/** The lexicographic bounds "-" and "+": below and above every string. */
export const LEX_MIN: unique symbol = Symbol('lex-min');
export const LEX_MAX: unique symbol = Symbol('lex-max');
export type LexBound = string | typeof LEX_MIN | typeof LEX_MAX;

export interface LexRange {
  min: LexBound;
  max: LexBound;
  minex: boolean;
  maxex: boolean;
}

export function scoreGteMin(v: number, r: ScoreRange): boolean {
  return r.minex ? v > r.min : v >= r.min;
}

export function scoreLteMax(v: number, r: ScoreRange): boolean {
  return r.maxex ? v < r.max : v <= r.max;
}

/** Compares two lex bounds (a member is a plain string). */
export function lexCompare(a: LexBound, b: LexBound): number {
  if (a === b) return 0;
  if (a === LEX_MIN || b === LEX_MAX) return -1;
  if (a === LEX_MAX || b === LEX_MIN) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function lexGteMin(v: string, r: LexRange): boolean {
  const c = lexCompare(v, r.min);
  return r.minex ? c > 0 : c >= 0;
}

export function lexLteMax(v: string, r: LexRange): boolean {
  const c = lexCompare(v, r.max);
  return r.maxex ? c < 0 : c <= 0;
}

/** True when no element could ever be inside the score range. */
export function scoreRangeEmpty(r: ScoreRange): boolean {
  return r.min > r.max || (r.min === r.max && (r.minex || r.maxex));
}

export function lexRangeEmpty(r: LexRange): boolean {
  const c = lexCompare(r.min, r.max);
  return c > 0 || (c === 0 && (r.minex || r.maxex));
}
