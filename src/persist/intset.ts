// Intsets (the set-of-integers blob of RDB_TYPE_SET_INTSET): encoder and validating decoder.
// Layout: u32 width (2, 4 or 8), u32 count, then the values little-endian, strictly ascending.

import { bad } from './rdb-const.js';

function widthOf(v: bigint): number {
  if (v >= -32768n && v <= 32767n) return 2;
  if (v >= -2147483648n && v <= 2147483647n) return 4;
  return 8;
}

/** The intset blob for ascending canonical integer strings. */
export function encodeIntset(sorted: readonly string[]): Buffer {
  const vals = sorted.map((s) => BigInt(s));
  let w = 2;
  if (vals.length > 0) w = Math.max(widthOf(vals[0]!), widthOf(vals[vals.length - 1]!));
  const out = Buffer.allocUnsafe(8 + w * vals.length);
  out.writeUInt32LE(w, 0);
  out.writeUInt32LE(vals.length, 4);
  let p = 8;
  for (const v of vals) {
    if (w === 8) out.writeBigInt64LE(v, p);
    else out.writeIntLE(Number(v), p, w);
    p += w;
  }
  return out;
}

/** The members of an intset blob as decimal strings, ascending; throws on a malformed blob. */
export function decodeIntset(b: Buffer): string[] {
  if (b.length < 8) bad('intset too short');
  const w = b.readUInt32LE(0);
  if (w !== 2 && w !== 4 && w !== 8) bad('bad intset width');
  const n = b.readUInt32LE(4);
  if (8 + n * w !== b.length) bad('intset size mismatch');
  const out: string[] = new Array<string>(n);
  let prev: bigint | null = null;
  for (let i = 0, p = 8; i < n; i++, p += w) {
    const v = w === 8 ? b.readBigInt64LE(p) : BigInt(b.readIntLE(p, w));
    if (prev !== null && v <= prev) bad('intset not sorted');
    prev = v;
    out[i] = v.toString();
  }
  return out;
}
