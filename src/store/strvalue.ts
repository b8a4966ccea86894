// String values. A stored string is a latin1 JS string (one char per byte) as it arrived from
// the client, or a Buffer once a command has edited it in place (APPEND, SETRANGE, SETBIT,
// BITFIELD) or built it from bytes (BITOP). That split doubles as Redis's encoding: a JS
// string is "int" or "embstr"/"raw" by its content, a Buffer is always "raw" (Redis turns a
// value into a plain sds exactly when it edits it).
//
// Buffers this module allocates keep spare capacity behind them, like sds, so that repeated
// APPEND/SETBIT grow in amortized O(1); only those are ever written in place.

export type StrValue = string | Buffer;

const EMBSTR_LIMIT = 44;
/** Growth beyond this adds a fixed step instead of doubling (sds's SDS_MAX_PREALLOC). */
const MAX_PREALLOC = 1024 * 1024;
const MAX_BUFFER = 4294967296;

/** Backing stores allocated here, with how many bytes of each are in use by the live view. */
const owned = new WeakMap<ArrayBuffer, number>();

export function strLen(v: StrValue): number {
  return v.length;
}

/** The value as a latin1 string. */
export function strToString(v: StrValue): string {
  return typeof v === 'string' ? v : v.latin1Slice(0, v.length);
}

/** The value's bytes; for a string this is a fresh copy, for a Buffer the value itself. */
export function strToBuffer(v: StrValue): Buffer {
  return typeof v === 'string' ? Buffer.from(v, 'latin1') : v;
}

/** Byte i of the value (0 past the end). */
export function byteAt(v: StrValue, i: number): number {
  if (i >= v.length) return 0;
  return typeof v === 'string' ? v.charCodeAt(i) : v[i]!;
}

/** True when s is an integer Redis would int-encode: canonical, at most 20 chars, 64-bit. */
export function isIntEncodable(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 20) return false;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return false;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48) return n === 1; // "0" only; no leading zeros, no "-0"
  for (; i < n; i++) {
    const ch = s.charCodeAt(i);
    if (ch < 48 || ch > 57) return false;
  }
  if (n < 19) return true;
  const b = BigInt(s);
  return b <= 9223372036854775807n && b >= -9223372036854775808n;
}

/** Redis's OBJECT ENCODING for a string value: "int", "embstr" or "raw". */
export function stringEncoding(v: unknown): string {
  if (typeof v === 'string') {
    if (isIntEncodable(v)) return 'int';
    return v.length <= EMBSTR_LIMIT ? 'embstr' : 'raw';
  }
  if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) return 'int';
  return 'raw';
}

function capacityFor(n: number): number {
  const cap = n < MAX_PREALLOC ? n * 2 : n + MAX_PREALLOC;
  return Math.max(n, Math.min(cap, MAX_BUFFER));
}

/** A zero-filled growable buffer of length n. */
export function newBytes(n: number): Buffer {
  const ab = new ArrayBuffer(capacityFor(n));
  owned.set(ab, n);
  return Buffer.from(ab, 0, n);
}

function isOwned(v: Buffer): boolean {
  return v.byteOffset === 0 && owned.get(v.buffer as ArrayBuffer) === v.length;
}

/**
 * A buffer this module owns, holding v's bytes and at least minLen bytes (zero padded), that
 * the caller may write and store in place of v. Returns v itself when it already qualifies.
 */
export function mutableBytes(v: StrValue, minLen: number): Buffer {
  const len = v.length;
  if (typeof v !== 'string' && isOwned(v)) {
    if (minLen <= len) return v;
    const ab = v.buffer as ArrayBuffer;
    if (minLen <= ab.byteLength) {
      // The bytes past the old end were never handed out, so they are still zero.
      owned.set(ab, minLen);
      return Buffer.from(ab, 0, minLen);
    }
  }
  const out = newBytes(Math.max(len, minLen));
  if (typeof v === 'string') out.latin1Write(v, 0, len);
  else v.copy(out, 0);
  return out;
}

/** v with `add` (latin1) appended, as a buffer that may be stored in place of v. */
export function appendBytes(v: StrValue, add: string): Buffer {
  const len = v.length;
  const out = mutableBytes(v, len + add.length);
  out.latin1Write(add, len, add.length);
  return out;
}

/** The latin1 text of bytes [start, end) of the value. */
export function strSlice(v: StrValue, start: number, end: number): string {
  return typeof v === 'string' ? v.slice(start, end) : v.latin1Slice(start, end);
}
