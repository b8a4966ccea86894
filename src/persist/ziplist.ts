// Ziplists (the small-value encoding of RDB files before Redis 7): a validating decoder only,
// since Redis 7 writes listpacks instead.

import { bad } from './rdb-const.js';

const HEADER = 10;

/** Every entry of a ziplist as latin1 strings; throws RdbFormatError on any inconsistency. */
export function decodeZiplist(zl: Buffer): string[] {
  if (zl.length < HEADER + 1) bad('ziplist too short');
  if (zl.readUInt32LE(0) !== zl.length) bad('ziplist size mismatch');
  const tail = zl.readUInt32LE(4);
  const declared = zl.readUInt16LE(8);
  const end = zl.length - 1;
  if (zl[end] !== 0xff) bad('ziplist terminator missing');
  const out: string[] = [];
  let p = HEADER;
  let prevLen = 0;
  let lastStart = HEADER;
  while (p < end) {
    const start = p;
    // prevlen: 1 byte, or 0xfe and 4 bytes.
    let pl: number;
    if (zl[p]! < 0xfe) pl = zl[p++]!;
    else if (zl[p] === 0xfe) {
      if (p + 5 > end) bad('ziplist entry out of range');
      pl = zl.readUInt32LE(p + 1);
      p += 5;
    } else return bad('bad ziplist prevlen');
    if (pl !== prevLen) bad('ziplist prevlen mismatch');
    if (p >= end) bad('ziplist entry out of range');
    const enc = zl[p]!;
    let value: string;
    const top = enc >> 6;
    if (top === 0 || top === 1 || top === 2) {
      let len: number;
      let h: number;
      if (top === 0) {
        len = enc & 0x3f;
        h = 1;
      } else if (top === 1) {
        if (p + 2 > end) bad('ziplist entry out of range');
        len = ((enc & 0x3f) << 8) | zl[p + 1]!;
        h = 2;
      } else {
        if (enc !== 0x80 || p + 5 > end) bad('bad ziplist string encoding');
        len = zl.readUInt32BE(p + 1);
        h = 5;
      }
      if (len > end - p - h) bad('ziplist entry out of range');
      value = zl.latin1Slice(p + h, p + h + len);
      p += h + len;
    } else {
      let w: number;
      if (enc === 0xc0) w = 2;
      else if (enc === 0xd0) w = 4;
      else if (enc === 0xe0) w = 8;
      else if (enc === 0xf0) w = 3;
      else if (enc === 0xfe) w = 1;
      else if (enc >= 0xf1 && enc <= 0xfd) w = 0;
      else return bad('bad ziplist integer encoding');
      if (p + 1 + w > end) bad('ziplist entry out of range');
      if (w === 0) value = String((enc & 0x0f) - 1);
      else if (w === 8) value = zl.readBigInt64LE(p + 1).toString();
      else value = String(zl.readIntLE(p + 1, w));
      p += 1 + w;
    }
    out.push(value);
    prevLen = p - start;
    lastStart = start;
  }
  if (p !== end) bad('ziplist overrun');
  if (out.length > 0 && tail !== lastStart) bad('ziplist tail offset mismatch');
  if (declared !== 65535 && declared !== out.length) bad('ziplist count mismatch');
  return out;
}
