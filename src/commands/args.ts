// Argument parsing helpers shared by command families, with Redis's rules: integers are
// strict (no spaces, no '+', no leading zeros beyond "0"), floats follow strtold rules.

// Like string2ll: "-0" is not an integer.
const INT_RE = /^(?:0|-?[1-9][0-9]*)$/;
export const LLONG_MAX = 9223372036854775807n;
export const LLONG_MIN = -9223372036854775808n;

/** Parses a 64-bit signed integer like Redis's string2ll; null when invalid or out of range. */
export function parseInt64(s: string): bigint | null {
  if (s.length === 0 || s.length > 20 || !INT_RE.test(s)) return null;
  const v = BigInt(s);
  return v > LLONG_MAX || v < LLONG_MIN ? null : v;
}

/** A safe-integer number (most arguments: counts, indexes, timeouts); null when invalid. */
export function parseIntArg(s: string): number | null {
  if (s.length === 0 || s.length > 20 || !INT_RE.test(s)) return null;
  const n = Number(s);
  if (Number.isSafeInteger(n)) return n;
  const b = parseInt64(s);
  if (b === null) return null;
  // Out of the safe range but within 64 bits: clamp so range checks still reject it.
  return b > 0n ? Number.MAX_SAFE_INTEGER + 1 : Number.MIN_SAFE_INTEGER - 1;
}

const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** Parses a double like Redis's string2d / strtold: also "inf", "-inf", "+inf"; never NaN. */
export function parseFloatArg(s: string): number | null {
  if (s.length === 0 || s.length > 5000) return null;
  const l = s.toLowerCase();
  if (l === 'inf' || l === '+inf' || l === 'infinity' || l === '+infinity') return Infinity;
  if (l === '-inf' || l === '-infinity') return -Infinity;
  if (!FLOAT_RE.test(s)) return null;
  const d = Number(s);
  return Number.isNaN(d) ? null : d;
}

export function eqi(a: string, b: string): boolean {
  return a.length === b.length && a.toLowerCase() === b;
}
