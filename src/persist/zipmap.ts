// Zipmaps (hashes in RDB files of Redis before 2.6): a validating decoder. Layout: a count
// byte, then key/value pairs (each length 1 byte, or 254 and a u32; values followed by a
// "free" byte and that many padding bytes), then 0xff.

import { bad } from './rdb-const.js';

/** Field/value pairs, flattened; throws RdbFormatError on a malformed blob. */
export function decodeZipmap(zm: Buffer): string[] {
  if (zm.length < 2) bad('zipmap too short');
  const out: string[] = [];
  let p = 1;
  const end = zm.length;
  const readLen = (): number => {
    if (p >= end) bad('zipmap out of range');
    const b = zm[p]!;
    if (b < 254) {
      p++;
      return b;
    }
    if (b === 254) {
      if (p + 5 > end) bad('zipmap out of range');
      const v = zm.readUInt32LE(p + 1);
      p += 5;
      return v;
    }
    return -1;
  };
  for (;;) {
    const klen = readLen();
    if (klen === -1) break;
    if (klen > end - p) bad('zipmap out of range');
    out.push(zm.latin1Slice(p, p + klen));
    p += klen;
    const vlen = readLen();
    if (vlen === -1) bad('zipmap key without value');
    if (p >= end) bad('zipmap out of range');
    const free = zm[p++]!;
    if (vlen + free > end - p) bad('zipmap out of range');
    out.push(zm.latin1Slice(p, p + vlen));
    p += vlen + free;
  }
  if (p !== end - 1) bad('zipmap trailing bytes');
  return out;
}
