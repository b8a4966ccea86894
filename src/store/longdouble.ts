// Exact emulation of the C `long double` arithmetic Redis uses for INCRBYFLOAT and
// HINCRBYFLOAT: strtold parsing, one correctly rounded addition and printf("%.17Lf") with
// trailing zeros trimmed. JS doubles would print 0.1 + 0.2 as 0.30000000000000004 where Redis
// prints 0.3, so values are kept as exact binary fractions in bigint and rounded to the
// platform's long double: x87 extended (64-bit significand) on x86, IEEE quad elsewhere.

const X87 = process.arch === 'x64' || process.arch === 'ia32';
/** Significand bits (including the explicit integer bit of the x87 format). */
const MANT = X87 ? 64 : 113;
/** Exponent (of the lowest significand bit) of the smallest subnormal. */
const EMIN = -16382 - (MANT - 1);
/** Values at or above 2^EMAX overflow to infinity. */
const EMAX = 16384;
/** strtold input longer than this is rejected (Redis's MAX_LONG_DOUBLE_CHARS buffer). */
const MAX_CHARS = 5 * 1024;

/** A finite long double, value = (neg ? -1 : 1) * m * 2^e, or an infinity. */
export interface LongDouble {
  neg: boolean;
  m: bigint;
  e: number;
  inf: boolean;
}

const ZERO: LongDouble = { neg: false, m: 0n, e: 0, inf: false };

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * Rounds the exact value m * 2^e (plus a nonzero tail below its lowest bit when `sticky`) to
 * the long double format, half to even.
 */
function round(neg: boolean, m: bigint, e: number, sticky: boolean): LongDouble {
  if (m === 0n) return { neg, m: 0n, e: 0, inf: false };
  const shift = Math.max(bitLength(m) - MANT, EMIN - e);
  if (shift > 0) {
    const s = BigInt(shift);
    const low = m & ((1n << s) - 1n);
    const half = 1n << (s - 1n);
    m >>= s;
    e += shift;
    if (low > half || (low === half && (sticky || (m & 1n) === 1n))) m += 1n;
    if (bitLength(m) > MANT) {
      m >>= 1n;
      e += 1;
    }
  }
  if (m === 0n) return { neg, m: 0n, e: 0, inf: false };
  if (bitLength(m) + e > EMAX) return { neg, m: 0n, e: 0, inf: true };
  return { neg, m, e, inf: false };
}

const DEC_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const HEX_RE = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const INF_RE = /^([+-]?)(?:inf|infinity)$/i;

function parseDecimal(neg: boolean, intPart: string, frac: string, expStr: string | undefined): LongDouble | null {
  const digits = (intPart + frac).replace(/^0+/, '');
  if (digits.length === 0) return { ...ZERO, neg };
  // Decimal exponent of the value's units digit; far outside the range means overflow or a
  // zero result, both of which strtold flags with ERANGE and Redis rejects.
  const exp10 = (expStr === undefined ? 0 : Number(expStr)) - frac.length;
  const magnitude = exp10 + digits.length;
  if (magnitude > 4940) return null;
  if (magnitude < -4970) return null;
  const d = BigInt(digits);
  if (exp10 >= 0) return round(neg, d * 10n ** BigInt(exp10), 0, false);
  const p = 10n ** BigInt(-exp10);
  // Enough quotient bits for the significand plus guard bits; the remainder is the sticky bit.
  const s = Math.max(0, MANT + 2 + bitLength(p) - bitLength(d));
  const num = d << BigInt(s);
  return round(neg, num / p, -s, num % p !== 0n);
}

function parseHex(neg: boolean, intPart: string, frac: string, expStr: string | undefined): LongDouble | null {
  const digits = intPart + frac;
  if (digits.length === 0) return null;
  const m = BigInt('0x' + digits);
  if (m === 0n) return { ...ZERO, neg };
  const exp2 = (expStr === undefined ? 0 : Number(expStr)) - 4 * frac.length;
  if (exp2 + bitLength(m) > EMAX + 8) return null;
  if (exp2 + bitLength(m) < EMIN - 8) return null;
  return round(neg, m, exp2, false);
}

/** True when every digit of the mantissa is zero (the input really is a zero). */
function zeroDigits(s: string): boolean {
  const mant = /^[+-]?0[xX]/.test(s) ? s.replace(/^[+-]?0[xX]/, '').replace(/[pP].*$/, '') : s.replace(/[eE].*$/, '');
  return !/[1-9a-fA-F]/.test(mant);
}

/**
 * Parses like Redis's string2ld (strtold, whole string, no leading space): decimal or hex
 * floats and inf/infinity. NaN, overflow and underflow to zero are rejected (null).
 */
export function parseLongDouble(s: string): LongDouble | null {
  if (s.length === 0 || s.length >= MAX_CHARS) return null;
  let r: LongDouble | null;
  let g = HEX_RE.exec(s);
  if (g !== null) {
    r = parseHex(g[1] === '-', g[2]!, g[3] ?? '', g[4]);
  } else if ((g = DEC_RE.exec(s)) !== null) {
    if (g[2]!.length === 0 && (g[3] ?? '').length === 0) return null;
    r = parseDecimal(g[1] === '-', g[2]!, g[3] ?? '', g[4]);
  } else if ((g = INF_RE.exec(s)) !== null) {
    return { neg: g[1] === '-', m: 0n, e: 0, inf: true };
  } else {
    return null;
  }
  // Overflow and a nonzero input rounding to zero both set ERANGE, which Redis rejects.
  if (r === null || r.inf || (r.m === 0n && !zeroDigits(s))) return null;
  return r;
}

/** The long double holding a 64-bit integer exactly. */
export function longDoubleFromInt(n: bigint): LongDouble {
  return n < 0n ? round(true, -n, 0, false) : round(false, n, 0, false);
}

/** a + b, correctly rounded. Infinities propagate; inf + -inf is NaN (returned as null). */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | null {
  if (a.inf || b.inf) {
    if (a.inf && b.inf && a.neg !== b.neg) return null;
    return a.inf ? a : b;
  }
  if (a.m === 0n && b.m === 0n) return { neg: a.neg && b.neg, m: 0n, e: 0, inf: false };
  const e = Math.min(a.e, b.e);
  const ma = (a.neg ? -a.m : a.m) << BigInt(a.e - e);
  const mb = (b.neg ? -b.m : b.m) << BigInt(b.e - e);
  const sum = ma + mb;
  if (sum === 0n) return { ...ZERO };
  return sum < 0n ? round(true, -sum, e, false) : round(false, sum, e, false);
}

const SCALE = 10n ** 17n;

/**
 * printf("%.17Lf") with trailing zeros (and a bare '.') removed and "-0" printed as "0": the
 * "human" form Redis stores for INCRBYFLOAT results. Infinities print as inf / -inf.
 */
export function formatLongDoubleHuman(x: LongDouble): string {
  if (x.inf) return x.neg ? '-inf' : 'inf';
  // The value times 10^17, rounded half to even like glibc's printf.
  let n: bigint;
  if (x.e >= 0) {
    n = (x.m << BigInt(x.e)) * SCALE;
  } else {
    const num = x.m * SCALE;
    const sh = BigInt(-x.e);
    n = num >> sh;
    const rem = num - (n << sh);
    const half = 1n << (sh - 1n);
    if (rem > half || (rem === half && (n & 1n) === 1n)) n += 1n;
  }
  const all = n.toString().padStart(18, '0');
  const frac = all.slice(-17).replace(/0+$/, '');
  const text = frac.length > 0 ? all.slice(0, -17) + '.' + frac : all.slice(0, -17);
  return x.neg && text !== '0' ? '-' + text : text;
}

/** Nearest double (for callers that need a JS number, e.g. comparisons). */
export function longDoubleToNumber(x: LongDouble): number {
  if (x.inf) return x.neg ? -Infinity : Infinity;
  const v = Number(x.m) * 2 ** x.e;
  return x.neg ? -v : v;
}
