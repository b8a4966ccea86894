// Listpacks (Redis 7's compact sequence of strings and integers): an encoder that lays out
// entries exactly as Redis's lpAppend does, and a validating decoder. Integers are stored in the
// smallest of the 7/13/16/24/32/64-bit forms when the string is a canonical decimal.

import { bad } from './rdb-const.js';
import { lpBacklenBytes } from '../store/listpack-size.js';

const HEADER = 6;
const EOF_BYTE = 0xff;
const INT64_MIN = -9223372036854775808n;
const INT64_MAX = 9223372036854775807n;

/** The value of s when it is a canonical 64-bit decimal integer (lpStringToInt64), else null. */
export function canonicalInt(s: string): bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  if (!/^(?:0|-?[1-9][0-9]*)$/.test(s)) return null;
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? null : v;
}

export class ListpackWriter {
  private parts: Buffer[] = [];
  private bytes = HEADER + 1;
  count = 0;

  get size(): number {
    return this.bytes;
  }

  append(s: string): void {
    const body = entryBody(s);
    const l = body.length;
    const bl = lpBacklenBytes(l);
    const entry = Buffer.allocUnsafe(l + bl);
    body.copy(entry, 0);
    // Back-length: most significant 7-bit group first, continuation bit on all but the first.
    let v = l;
    for (let i = bl - 1; i >= 0; i--) {
      entry[l + i] = (v & 127) | (i === 0 ? 0 : 128);
      v = Math.floor(v / 128);
    }
    this.parts.push(entry);
    this.bytes += entry.length;
    this.count++;
  }

  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.bytes);
    out.writeUInt32LE(this.bytes, 0);
    out.writeUInt16LE(this.count < 65535 ? this.count : 65535, 4);
    let p = HEADER;
    for (const part of this.parts) {
      part.copy(out, p);
      p += part.length;
    }
    out[p] = EOF_BYTE;
    return out;
  }
}

function entryBody(s: string): Buffer {
  const iv = canonicalInt(s);
  if (iv !== null) return intBody(iv);
  const n = s.length;
  let b: Buffer;
  let h: number;
  if (n < 64) {
    b = Buffer.allocUnsafe(1 + n);
    b[0] = 0x80 | n;
    h = 1;
  } else if (n < 4096) {
    b = Buffer.allocUnsafe(2 + n);
    b[0] = 0xe0 | (n >> 8);
    b[1] = n & 0xff;
    h = 2;
  } else {
    b = Buffer.allocUnsafe(5 + n);
    b[0] = 0xf0;
    b.writeUInt32LE(n, 1);
    h = 5;
  }
  b.latin1Write(s, h, n);
  return b;
}

function intBody(v: bigint): Buffer {
  if (v >= 0n && v <= 127n) return Buffer.from([Number(v)]);
  if (v >= -4096n && v <= 4095n) {
    const u = Number(v < 0n ? v + 8192n : v);
    return Buffer.from([0xc0 | (u >> 8), u & 0xff]);
  }
  if (v >= -32768n && v <= 32767n) {
    const b = Buffer.allocUnsafe(3);
    b[0] = 0xf1;
    b.writeInt16LE(Number(v), 1);
    return b;
  }
  if (v >= -8388608n && v <= 8388607n) {
    const b = Buffer.allocUnsafe(4);
    b[0] = 0xf2;
    b.writeIntLE(Number(v), 1, 3);
    return b;
  }
  if (v >= -2147483648n && v <= 2147483647n) {
    const b = Buffer.allocUnsafe(5);
    b[0] = 0xf3;
    b.writeInt32LE(Number(v), 1);
    return b;
  }
  const b = Buffer.allocUnsafe(9);
  b[0] = 0xf4;
  b.writeBigInt64LE(v, 1);
  return b;
}

/**
 * Every entry of a listpack as latin1 strings (integers in decimal). Checks the header, each
 * entry's bounds and back-length, the terminator and, when it is known, the count.
 */
export function decodeListpack(lp: Buffer): string[] {
  if (lp.length < HEADER + 1) bad('listpack too short');
  const total = lp.readUInt32LE(0);
  if (total !== lp.length) bad('listpack size mismatch');
  const declared = lp.readUInt16LE(4);
  const out: string[] = [];
  let p = HEADER;
  const end = lp.length - 1;
  while (p < end) {
    const start = p;
    const b = lp[p]!;
    let hdr: number;
    let len: number;
    let value: string | null = null;
    if (b < 0x80) {
      value = String(b);
      hdr = 1;
      len = 0;
    } else if (b < 0xc0) {
      hdr = 1;
      len = b & 0x3f;
    } else if (b < 0xe0) {
      if (p + 2 > end) bad('listpack entry out of range');
      const u = ((b & 0x1f) << 8) | lp[p + 1]!;
      value = String(u >= 4096 ? u - 8192 : u);
      hdr = 2;
      len = 0;
    } else if (b < 0xf0) {
      if (p + 2 > end) bad('listpack entry out of range');
      hdr = 2;
      len = ((b & 0x0f) << 8) | lp[p + 1]!;
    } else {
      const w = b === 0xf0 ? 4 : b === 0xf1 ? 2 : b === 0xf2 ? 3 : b === 0xf3 ? 4 : b === 0xf4 ? 8 : -1;
      if (w < 0) bad('bad listpack encoding');
      if (p + 1 + w > end) bad('listpack entry out of range');
      if (b === 0xf0) {
        hdr = 5;
        len = lp.readUInt32LE(p + 1);
      } else {
        hdr = 1 + w;
        len = 0;
        value = w === 8 ? lp.readBigInt64LE(p + 1).toString() : String(lp.readIntLE(p + 1, w));
      }
    }
    const bodyLen = hdr + len;
    if (bodyLen > end - p) bad('listpack entry out of range');
    if (value === null) value = lp.latin1Slice(p + hdr, p + hdr + len);
    p += bodyLen;
    const bl = lpBacklenBytes(bodyLen);
    if (p + bl > end) bad('listpack back-length out of range');
    let back = 0;
    for (let i = 0; i < bl; i++) back = back * 128 + (lp[p + i]! & 127);
    if (back !== bodyLen) bad('listpack back-length mismatch');
    p += bl;
    out.push(value);
    if (p <= start) bad('listpack entry did not advance');
  }
  if (p !== end || lp[end] !== EOF_BYTE) bad('listpack terminator missing');
  if (declared !== 65535 && declared !== out.length) bad('listpack count mismatch');
  return out;
}
