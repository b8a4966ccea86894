// SORT's numeric keys are read with C strtod and rejected unless the whole string was
// consumed and the result is a number in range: leading whitespace, hex ("0x1p3"), "inf"
// and an empty string (which converts to 0) are accepted; "nan", trailing junk and
// overflow/underflow (ERANGE) are not. A NUL byte ends the string, as in C.

const DEC_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const HEX_RE = /^([+-]?)0[xX]((?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+))(?:[pP]([+-]?\d+))?/;
const INF_RE = /^[+-]?(?:infinity|inf)/i;
const NAN_RE = /^[+-]?nan(?:\([0-9A-Za-z_]*\))?/i;
const MIN_NORMAL = 2.2250738585072014e-308;

function isSpace(ch: number): boolean {
  return ch === 32 || (ch >= 9 && ch <= 13);
}

function hexValue(sign: string, mant: string, exp: string | undefined): number {
  const dot = mant.indexOf('.');
  const digits = dot < 0 ? mant : mant.slice(0, dot) + mant.slice(dot + 1);
  const fracDigits = dot < 0 ? 0 : mant.length - dot - 1;
  let v = 0;
  for (let i = 0; i < digits.length; i++) v = v * 16 + parseInt(digits[i]!, 16);
  const e = (exp === undefined ? 0 : Number(exp)) - 4 * fracDigits;
  const r = v * Math.pow(2, e);
  return sign === '-' ? -r : r;
}

/** The double a whole string denotes for SORT, or null when Redis would refuse it. */
export function strtodFull(input: string): number | null {
  const nul = input.indexOf('\0');
  const s = nul < 0 ? input : input.slice(0, nul);
  if (s.length === 0) return 0;
  let i = 0;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  const rest = s.slice(i);
  let m: RegExpExecArray | null;
  if ((m = HEX_RE.exec(rest)) !== null) {
    if (m[0].length !== rest.length) return null;
    return inRange(hexValue(m[1]!, m[2]!, m[3]), /[1-9a-fA-F]/.test(m[2]!));
  }
  if ((m = INF_RE.exec(rest)) !== null) {
    if (m[0].length !== rest.length) return null;
    return rest.charCodeAt(0) === 45 ? -Infinity : Infinity;
  }
  if (NAN_RE.test(rest)) return null;
  if ((m = DEC_RE.exec(rest)) === null || m[0].length !== rest.length) return null;
  const mant = m[0].replace(/[eE].*$/, '');
  return inRange(Number(m[0]), /[1-9]/.test(mant));
}

/** Null for ERANGE: an overflow to infinity, or a nonzero input that underflowed. */
function inRange(d: number, nonzero: boolean): number | null {
  if (!Number.isFinite(d)) return null;
  if (nonzero && Math.abs(d) < MIN_NORMAL) return null;
  return d;
}
