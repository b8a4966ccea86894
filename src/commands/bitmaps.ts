// Bitmap commands: SETBIT GETBIT BITCOUNT BITPOS BITOP, joined with BITFIELD (bitfield.ts).
// Bit 0 is the most significant bit of the first byte. Ranges follow Redis exactly, including
// its BYTE|BIT units and the masks applied to partial first/last bytes in BIT mode.

import { NOTIFY } from '../server/notify.js';
import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import { E } from '../protocol/errors.js';
import { eqi, parseIntArg } from './args.js';
import { byteAt, newBytes, strToBuffer, type StrValue } from '../store/strvalue.js';
import { bitOffsetArg, bitsForWrite } from './bitargs.js';
import { bitfieldCommands } from './bitfield.js';
import { parseLL } from './counters.js';

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1]!;

function popcount(p: Buffer, start: number, count: number): number {
  let n = 0;
  const end = start + count;
  for (let i = start; i < end; i++) n += POPCOUNT[p[i]!]!;
  return n;
}

/**
 * Position of the first bit equal to `bit` in count bytes from start (relative to start). When
 * there is none: -1 looking for 1, count * 8 looking for 0 (the string is taken as followed by
 * zeros), like Redis's redisBitpos.
 */
function findBit(p: Buffer, start: number, count: number, bit: number): number {
  const skip = bit ? 0 : 0xff;
  const end = start + count;
  for (let i = start; i < end; i++) {
    const b = p[i]!;
    if (b !== skip) return (i - start) * 8 + firstBitInByte(b, bit);
  }
  return bit ? -1 : count * 8;
}

/** First position (0..7) of `bit` in byte b, MSB first; -1 / 8 when absent, as findBit. */
function firstBitInByte(b: number, bit: number): number {
  for (let j = 0; j < 8; j++) {
    if (((b >> (7 - j)) & 1) === bit) return j;
  }
  return bit ? -1 : 8;
}

/** BIT/BYTE unit argument: true for BIT; null after a syntax error. */
function unitArg(c: Client, s: string): boolean | null {
  if (eqi(s, 'bit')) return true;
  if (eqi(s, 'byte')) return false;
  c.reply.error(E.syntax);
  return null;
}

/** A resolved byte range plus the masks of bits outside it in its first and last byte. */
interface Range {
  start: number;
  end: number;
  firstMask: number;
  lastMask: number;
}

/** Clamps [start, end] (negative = from the end) to totlen units, then converts bits to bytes. */
function resolveRange(start: number, end: number, totlen: number, isBit: boolean): Range {
  if (start < 0) start = totlen + start;
  if (end < 0) end = totlen + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= totlen) end = totlen - 1;
  let firstMask = 0;
  let lastMask = 0;
  if (isBit && start <= end) {
    firstMask = ~((1 << (8 - (start % 8))) - 1) & 0xff;
    lastMask = (1 << (7 - (end % 8))) - 1;
    start = Math.floor(start / 8);
    end = Math.floor(end / 8);
  }
  return { start, end, firstMask, lastMask };
}

function intArgOrReply(c: Client, s: string): number | null {
  const n = parseIntArg(s);
  if (n === null) c.reply.error(E.notInteger);
  return n;
}

function bitcount(c: Client, argv: string[]): void {
  const e = c.db.lookupRead(argv[1]!);
  if (e === undefined) return c.reply.int(0);
  if (e.type !== 'string') return c.reply.error(E.wrongType);
  const p = strToBuffer(e.value as StrValue);
  const argc = argv.length;
  let range: Range;
  if (argc === 4 || argc === 5) {
    const start = intArgOrReply(c, argv[2]!);
    if (start === null) return;
    const end = intArgOrReply(c, argv[3]!);
    if (end === null) return;
    if (start < 0 && end < 0 && start > end) return c.reply.int(0);
    let isBit = false;
    if (argc === 5) {
      const u = unitArg(c, argv[4]!);
      if (u === null) return;
      isBit = u;
    }
    range = resolveRange(start, end, isBit ? p.length * 8 : p.length, isBit);
  } else if (argc === 2) {
    range = { start: 0, end: p.length - 1, firstMask: 0, lastMask: 0 };
  } else {
    return c.reply.error(E.syntax);
  }
  const { start, end, firstMask, lastMask } = range;
  if (start > end) return c.reply.int(0);
  let count = popcount(p, start, end - start + 1);
  // Bits of the edge bytes outside a BIT range were counted: take them off.
  if (firstMask !== 0) count -= POPCOUNT[p[start]! & firstMask]!;
  if (lastMask !== 0) count -= POPCOUNT[p[end]! & lastMask]!;
  c.reply.int(count);
}

function bitpos(c: Client, argv: string[]): void {
  const bitArg = parseLL(argv[2]!);
  if (bitArg === null) return c.reply.error(E.notInteger);
  if (bitArg !== 0 && bitArg !== 1) return c.reply.error('ERR The bit argument must be 1 or 0.');
  const bit = bitArg;
  const e = c.db.lookupRead(argv[1]!);
  // A missing key is an endless run of zeros.
  if (e === undefined) return c.reply.int(bit ? -1 : 0);
  if (e.type !== 'string') return c.reply.error(E.wrongType);
  const p = strToBuffer(e.value as StrValue);
  const argc = argv.length;
  let range: Range;
  let endGiven = false;
  if (argc >= 4 && argc <= 6) {
    const start = intArgOrReply(c, argv[3]!);
    if (start === null) return;
    let isBit = false;
    if (argc === 6) {
      const u = unitArg(c, argv[5]!);
      if (u === null) return;
      isBit = u;
    }
    let end: number;
    if (argc >= 5) {
      const n = intArgOrReply(c, argv[4]!);
      if (n === null) return;
      end = n;
      endGiven = true;
    } else {
      end = isBit ? p.length * 8 + 7 : p.length - 1;
    }
    range = resolveRange(start, end, isBit ? p.length * 8 : p.length, isBit);
  } else if (argc === 3) {
    range = { start: 0, end: p.length - 1, firstMask: 0, lastMask: 0 };
  } else {
    return c.reply.error(E.syntax);
  }
  if (range.start > range.end) return c.reply.int(-1);
  const [pos, start, bytes] = scanRange(p, range, bit);
  // With an explicit end, running off the range looking for 0 is "not found", not "after it".
  if (endGiven && bit === 0 && pos === bytes * 8) return c.reply.int(-1);
  c.reply.int(pos === -1 ? -1 : pos + start * 8);
}

/**
 * Redis's BITPOS scan over a non-empty range: the masked first byte, the whole middle, the
 * masked last byte. Returns [position relative to start, start, bytes] at the step where the
 * scan stopped, which the caller needs to judge "ran off the end".
 */
function scanRange(p: Buffer, r: Range, bit: number): [number, number, number] {
  let { start } = r;
  const { end, firstMask, lastMask } = r;
  let bytes = end - start + 1;
  let pos: number;
  if (firstMask !== 0) {
    let b = bit ? p[start]! & ~firstMask : p[start]! | firstMask;
    if (lastMask !== 0 && bytes === 1) b = bit ? b & ~lastMask : b | lastMask;
    pos = firstBitInByte(b & 0xff, bit);
    if (bytes === 1 || (pos !== -1 && pos !== 8)) return [pos, start, bytes];
    start++;
    bytes--;
  }
  const cur = bytes - (lastMask !== 0 ? 1 : 0);
  if (cur > 0) {
    pos = findBit(p, start, cur, bit);
    if (bytes === cur || (pos !== -1 && pos !== cur * 8)) return [pos, start, bytes];
    start += cur;
    bytes -= cur;
  }
  const b = bit ? p[end]! & ~lastMask : p[end]! | lastMask;
  return [firstBitInByte(b & 0xff, bit), start, bytes];
}

const BITOP_AND = 0;
const BITOP_OR = 1;
const BITOP_XOR = 2;
const BITOP_NOT = 3;

function bitopCode(s: string): number {
  if (eqi(s, 'and')) return BITOP_AND;
  if (eqi(s, 'or')) return BITOP_OR;
  if (eqi(s, 'xor')) return BITOP_XOR;
  if (eqi(s, 'not')) return BITOP_NOT;
  return -1;
}

function bitopCompute(op: number, src: Buffer[], maxlen: number): Buffer {
  const res = newBytes(maxlen);
  const first = src[0]!;
  for (let j = 0; j < maxlen; j++) {
    let out = j < first.length ? first[j]! : 0;
    if (op === BITOP_NOT) out = ~out & 0xff;
    for (let i = 1; i < src.length; i++) {
      const s = src[i]!;
      const b = j < s.length ? s[j]! : 0;
      if (op === BITOP_AND) out &= b;
      else if (op === BITOP_OR) out |= b;
      else out ^= b;
    }
    res[j] = out;
  }
  return res;
}

function bitop(c: Client, argv: string[]): void {
  const op = bitopCode(argv[1]!);
  if (op < 0) return c.reply.error(E.syntax);
  if (op === BITOP_NOT && argv.length !== 4) {
    return c.reply.error('ERR BITOP NOT must be called with a single source key.');
  }
  const db = c.db;
  const src: Buffer[] = [];
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const e = db.lookupRead(argv[j]!);
    if (e === undefined) {
      src.push(Buffer.alloc(0));
      continue;
    }
    if (e.type !== 'string') return c.reply.error(E.wrongType);
    const b = strToBuffer(e.value as StrValue);
    src.push(b);
    if (b.length > maxlen) maxlen = b.length;
  }
  const dest = argv[2]!;
  if (maxlen > 0) {
    db.set(dest, 'string', bitopCompute(op, src, maxlen));
    db.touch(dest);
    c.server.dirty++;
    c.server.events.notify(NOTIFY.string, 'set', dest, db.id);
  } else if (db.peek(dest) !== undefined && db.delete(dest)) {
    db.touch(dest);
    c.server.dirty++;
    c.server.events.notify(NOTIFY.generic, 'del', dest, db.id);
  }
  c.reply.int(maxlen);
}

const baseCommands: CommandImpls = {
  setbit(c, argv) {
    const offset = bitOffsetArg(c, argv[2]!);
    if (offset < 0) return;
    const on = parseLL(argv[3]!);
    if (on !== 0 && on !== 1) return c.reply.error(E.bitValue);
    const key = argv[1]!;
    const t = bitsForWrite(c, key, offset);
    if (t === null) return;
    const byte = Math.floor(offset / 8);
    const mask = 1 << (7 - (offset % 8));
    const old = t.buf[byte]!;
    const was = (old & mask) !== 0 ? 1 : 0;
    if (t.dirty || was !== on) {
      t.buf[byte] = on ? old | mask : old & ~mask;
      c.db.touch(key);
      c.server.dirty++;
      c.server.events.notify(NOTIFY.string, 'setbit', key, c.db.id);
    }
    c.reply.int(was);
  },

  getbit(c, argv) {
    const offset = bitOffsetArg(c, argv[2]!);
    if (offset < 0) return;
    const e = c.db.lookupRead(argv[1]!);
    if (e === undefined) return c.reply.int(0);
    if (e.type !== 'string') return c.reply.error(E.wrongType);
    const b = byteAt(e.value as StrValue, Math.floor(offset / 8));
    c.reply.int((b >> (7 - (offset % 8))) & 1);
  },

  bitcount,
  bitpos,
  bitop,
};

export const bitmapCommands: CommandImpls = { ...baseCommands, ...bitfieldCommands };
