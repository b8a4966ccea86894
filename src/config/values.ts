// The C conversions behind config values, reproduced with their edge cases: memtoull (memory
// units, strtoull clamping), strtoll (leading blanks and signs, end pointer), strtod (for
// percentiles), printf("%f"), sdscatrepr quoting for rewritten lines, strerror texts, and
// 64-bit integer wrapping. Everything is latin1 strings and bigint, so no value is rounded.

export const U64_MAX = (1n << 64n) - 1n;
export const I64_MAX = (1n << 63n) - 1n;
export const I64_MIN = -(1n << 63n);
export const I32_MAX = 2147483647n;
export const I32_MIN = -2147483648n;
export const U32_MAX = 4294967295n;

/** Reinterprets the low 64 bits as a signed long long. */
export function toSigned64(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

/** Reinterprets the low 64 bits as an unsigned long long. */
export function toUnsigned64(v: bigint): bigint {
  return BigInt.asUintN(64, v);
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** C isspace() in the "C" locale. */
export function isCSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
}

/** ASCII-only lower-casing, like C tolower() in the "C" locale (latin1 bytes above 127 stay). */
export function asciiLower(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

const MEMORY_UNITS: Record<string, bigint> = {
  '': 1n,
  b: 1n,
  k: 1000n,
  kb: 1024n,
  m: 1000n * 1000n,
  mb: 1024n * 1024n,
  g: 1000n * 1000n * 1000n,
  gb: 1024n * 1024n * 1024n,
};

/**
 * Redis's memtoull: digits then an optional unit (b, k, kb, m, mb, g, gb; any case). A minus
 * sign is refused; no digits reads as 0; overflowing digits clamp to ULLONG_MAX and the
 * multiplication wraps, as in C. Null when invalid.
 */
export function memtoull(s: string): bigint | null {
  if (s.startsWith('-')) return null;
  let i = 0;
  while (isDigit(s[i])) i++;
  const mul = MEMORY_UNITS[asciiLower(s.slice(i))];
  if (mul === undefined || i >= 128) return null;
  let v = i === 0 ? 0n : BigInt(s.slice(0, i));
  if (v > U64_MAX) v = U64_MAX;
  return toUnsigned64(v * mul);
}

/** Parses a memory amount ("10", "1gb", "64mb") to a number; NaN when invalid. */
export function parseMemory(s: string): number {
  const v = memtoull(s);
  return v === null ? NaN : Number(v);
}

export interface StrtollResult {
  value: bigint;
  /** Index of the first character not consumed (C's end pointer). */
  end: number;
  overflow: boolean;
}

/**
 * C strtoll/strtol for base 8 or 10: leading blanks, an optional sign, digits. With no digits
 * nothing is consumed (end = 0) and the value is 0; out of range clamps and sets overflow.
 */
export function strtoll(s: string, base: 8 | 10): StrtollResult {
  let i = 0;
  while (isCSpace(s[i])) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') neg = s[i++] === '-';
  const start = i;
  const max = base === 8 ? '7' : '9';
  while (s[i] !== undefined && s[i]! >= '0' && s[i]! <= max) i++;
  if (i === start) return { value: 0n, end: 0, overflow: false };
  let v = BigInt(base === 8 ? '0o' + s.slice(start, i) : s.slice(start, i));
  if (neg) v = -v;
  if (v > I64_MAX) return { value: I64_MAX, end: i, overflow: true };
  if (v < I64_MIN) return { value: I64_MIN, end: i, overflow: true };
  return { value: v, end: i, overflow: false };
}

/** strtoll(s, &end, 10) that must consume the whole string ("*end == '\0'"); null otherwise. */
export function strtollWhole(s: string): bigint | null {
  const r = strtoll(s, 10);
  return r.end === s.length ? r.value : null;
}

const DEC_FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX_FLOAT = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const INF_NAN = /^([+-]?)(inf|infinity|nan)$/i;

function hexFloat(m: RegExpExecArray): number | null {
  const int = m[2] ?? '';
  const frac = m[3] ?? '';
  if (int === '' && frac === '') return null;
  const mant = BigInt('0x' + (int + frac || '0'));
  const exp = Number(m[4] ?? '0') - 4 * frac.length;
  const v = Number(mant) * Math.pow(2, exp);
  return m[1] === '-' ? -v : v;
}

/**
 * Redis's string2d (strtod on the whole string, no leading blank): decimal, hex floats and
 * inf/infinity; NaN, overflow to infinity and underflow to zero are refused. Null if invalid.
 */
export function string2d(s: string): number | null {
  if (s.length === 0 || isCSpace(s[0])) return null;
  const special = INF_NAN.exec(s);
  if (special) {
    if (special[2]!.toLowerCase() === 'nan') return null;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  let v: number | null;
  const hex = HEX_FLOAT.exec(s);
  if (hex) v = hexFloat(hex);
  else if (DEC_FLOAT.test(s)) v = Number(s);
  else return null;
  if (v === null || Number.isNaN(v) || !Number.isFinite(v)) return null;
  // Underflow to zero (glibc's ERANGE with a zero result).
  const digits = hex ? (hex[2] ?? '') + (hex[3] ?? '') : s.split(/[eE]/)[0]!;
  if (v === 0 && /[1-9a-fA-F]/.test(digits)) return null;
  return v;
}

/** printf("%f") for a finite double: six decimals, ties broken to even like glibc. */
export function fmtFixed6(x: number): string {
  if (Object.is(x, -0)) return '-0.000000';
  const exact = Math.abs(x).toFixed(100);
  const dot = exact.indexOf('.');
  const rest = exact.slice(dot + 7);
  let s = x.toFixed(6);
  if (/^50*$/.test(rest)) {
    // An exact tie: toFixed rounds up, glibc rounds to the even last digit.
    const truncated = exact.slice(0, dot + 7);
    const last = Number(truncated[truncated.length - 1]);
    if (last % 2 === 0) s = (x < 0 ? '-' : '') + truncated;
  }
  return s;
}

/** Redis's trimDoubleString: drops trailing zeros after a dot, and the dot itself. */
export function trimDouble(s: string): string {
  if (!s.includes('.')) return s;
  s = s.replace(/0+$/, '');
  return s.endsWith('.') ? s.slice(0, -1) : s;
}

/** sdscatrepr: a double-quoted, escaped form that sdssplitargs reads back. */
export function repr(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    const c = s.charCodeAt(i);
    if (ch === '\\' || ch === '"') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c >= 0x20 && c <= 0x7e) out += ch;
    else out += '\\x' + (c & 0xff).toString(16).padStart(2, '0');
  }
  return out + '"';
}

/** rewriteConfigFormatMemory: "1gb", "64mb", "4kb" when exact, else the plain number. */
export function formatMemory(bytes: bigint): string {
  const gb = 1024n * 1024n * 1024n;
  const mb = 1024n * 1024n;
  const kb = 1024n;
  if (bytes !== 0n && bytes % gb === 0n) return `${bytes / gb}gb`;
  if (bytes !== 0n && bytes % mb === 0n) return `${bytes / mb}mb`;
  if (bytes !== 0n && bytes % kb === 0n) return `${bytes / kb}kb`;
  return String(bytes);
}

const STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory',
  ENOTDIR: 'Not a directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EISDIR: 'Is a directory',
  ENAMETOOLONG: 'File name too long',
  ELOOP: 'Too many levels of symbolic links',
  EROFS: 'Read-only file system',
  ENOSPC: 'No space left on device',
  EEXIST: 'File exists',
  EMFILE: 'Too many open files',
  EINVAL: 'Invalid argument',
  EIO: 'Input/output error',
  EBUSY: 'Device or resource busy',
  EDQUOT: 'Disk quota exceeded',
  EXDEV: 'Invalid cross-device link',
};

/** C strerror() text for a Node system error. */
export function strerror(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (code !== undefined && STRERROR[code] !== undefined) return STRERROR[code]!;
  return code ?? String((e as Error)?.message ?? e);
}
