// Argument parsing for the sorted set commands, with the C library rules Redis relies on:
// scores go through strtod (hex floats, "inf", "infinity", leading blanks in ranges), score
// ranges accept "(" for open ends, lex ranges need "[", "(", "-" or "+".

import type { Client } from '../server/client.js';
import { LEX_MAX, LEX_MIN, type LexBound, type LexRange, type ScoreRange } from '../store/zset.js';

const DEC = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/;
const HEX = /^([+-]?)0[xX](?:([0-9a-fA-F]+)\.?([0-9a-fA-F]*)|\.([0-9a-fA-F]+))(?:[pP]([+-]?[0-9]+))?/;
const INF = /^[+-]?(?:infinity|inf)/i;
const NAN = /^[+-]?nan(?:\([0-9A-Za-z_]*\))?/i;

export interface Strtod {
  value: number;
  /** Index after the parsed text (the start index when nothing was parsed). */
  end: number;
  /** ERANGE: the magnitude overflowed to infinity or underflowed to zero. */
  range: boolean;
}

function isSpace(ch: number): boolean {
  return ch === 32 || (ch >= 9 && ch <= 13);
}

function hexValue(m: RegExpExecArray): number {
  const ip = m[2] ?? '';
  const fp = m[3] ?? m[4] ?? '';
  const exp = m[5] !== undefined ? Number(m[5]) : 0;
  const digits = (ip + fp).replace(/^0+/, '');
  if (digits === '') return 0;
  // Keep 64 significant bits plus a sticky bit, so that the conversion rounds like strtod.
  let mant = BigInt('0x' + digits.slice(0, 16));
  let shift = exp - 4 * fp.length + 4 * Math.max(0, digits.length - 16);
  if (digits.length > 16 && /[1-9a-fA-F]/.test(digits.slice(16))) {
    mant = (mant << 1n) | 1n;
    shift--;
  }
  // Two steps, so that neither power of two over- or underflows on its own.
  const half = Math.trunc(shift / 2);
  return Number(mant) * Math.pow(2, half) * Math.pow(2, shift - half);
}

/** C strtod on s from its start: the longest prefix that is a number. */
export function strtod(s: string): Strtod {
  let i = 0;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  const rest = i === 0 ? s : s.slice(i);
  let m = HEX.exec(rest);
  if (m !== null) {
    let v = hexValue(m);
    if (m[1] === '-') v = -v;
    return { value: v, end: i + m[0].length, range: !Number.isFinite(v) || (v === 0 && /[1-9a-fA-F]/.test(m[0])) };
  }
  m = INF.exec(rest);
  if (m !== null) {
    return { value: m[0][0] === '-' ? -Infinity : Infinity, end: i + m[0].length, range: false };
  }
  m = NAN.exec(rest);
  if (m !== null) return { value: NaN, end: i + m[0].length, range: false };
  m = DEC.exec(rest);
  if (m === null) return { value: 0, end: 0, range: false };
  const v = Number(m[0]);
  const mant = m[0].replace(/[eE].*$/, '');
  const range = !Number.isFinite(v) || (v === 0 && /[1-9]/.test(mant));
  return { value: v, end: i + m[0].length, range };
}

/** Plain decimal without exponent quirks: the common case, parsed without regexes. */
const SIMPLE = /^-?[0-9]{1,15}$/;

/**
 * Redis's string2d (scores, weights, increments): the whole string must be a number, with no
 * leading blank, not NaN, and not overflowing or underflowing. Null when invalid.
 */
export function parseDouble(s: string): number | null {
  if (SIMPLE.test(s)) return Number(s);
  if (s.length === 0 || isSpace(s.charCodeAt(0))) return null;
  const r = strtod(s);
  if (r.end !== s.length || Number.isNaN(r.value)) return null;
  if (r.range && (r.value === 0 || !Number.isFinite(r.value))) return null;
  return r.value;
}

/** strtod as a range end uses it: the text must be consumed up to its end or a NUL byte. */
function rangeNumber(s: string): number | null {
  if (SIMPLE.test(s)) return Number(s);
  const r = strtod(s);
  // C stops at a NUL byte; nothing parsed at all leaves 0, as strtod does.
  if (r.end !== s.length && s.charCodeAt(r.end) !== 0) return null;
  return Number.isNaN(r.value) ? null : r.value;
}

/** Parses a ZRANGEBYSCORE-style interval ("(" makes an end exclusive); null when invalid. */
export function parseScoreRange(min: string, max: string): ScoreRange | null {
  const minex = min.charCodeAt(0) === 40;
  const maxex = max.charCodeAt(0) === 40;
  const lo = rangeNumber(minex ? min.slice(1) : min);
  if (lo === null) return null;
  const hi = rangeNumber(maxex ? max.slice(1) : max);
  if (hi === null) return null;
  return { min: lo, max: hi, minex, maxex };
}

function lexItem(s: string): { b: LexBound; ex: boolean } | null {
  switch (s.charCodeAt(0)) {
    case 43: // '+'
      return s.length === 1 ? { b: LEX_MAX, ex: true } : null;
    case 45: // '-'
      return s.length === 1 ? { b: LEX_MIN, ex: true } : null;
    case 40: // '('
      return { b: s.slice(1), ex: true };
    case 91: // '['
      return { b: s.slice(1), ex: false };
    default:
      return null;
  }
}

/** Parses a ZRANGEBYLEX-style interval; null when invalid. */
export function parseLexRange(min: string, max: string): LexRange | null {
  const a = lexItem(min);
  if (a === null) return null;
  const b = lexItem(max);
  if (b === null) return null;
  return { min: a.b, max: b.b, minex: a.ex, maxex: b.ex };
}

export const ERR_SCORE_RANGE = 'ERR min or max is not a float';
export const ERR_LEX_RANGE = 'ERR min or max not valid string range item';
export const ERR_NOT_FLOAT = 'ERR value is not a valid float';

/** A double argument, replying `msg` (default: not a valid float) when invalid. */
export function doubleOrReply(c: Client, s: string, msg = ERR_NOT_FLOAT): number | null {
  const d = parseDouble(s);
  if (d === null) c.reply.error(msg);
  return d;
}
