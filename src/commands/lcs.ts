// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: longest common subsequence by
// the classic dynamic-programming table, walked back from the end to produce the string or the
// matching ranges (reported last-to-first, as Redis does).

import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import { E } from '../protocol/errors.js';
import { eqi, parseIntArg } from './args.js';
import { strToBuffer, type StrValue } from '../store/strvalue.js';

const UINT32_MAX = 4294967295;

interface LcsOptions {
  len: boolean;
  idx: boolean;
  withLen: boolean;
  minLen: number;
}

function parseOptions(c: Client, argv: string[]): LcsOptions | null {
  const o: LcsOptions = { len: false, idx: false, withLen: false, minLen: 0 };
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!;
    if (eqi(opt, 'idx')) o.idx = true;
    else if (eqi(opt, 'len')) o.len = true;
    else if (eqi(opt, 'withmatchlen')) o.withLen = true;
    else if (eqi(opt, 'minmatchlen') && j + 1 < argv.length) {
      const n = parseIntArg(argv[++j]!);
      if (n === null) {
        c.reply.error(E.notInteger);
        return null;
      }
      o.minLen = Math.max(0, n);
    } else {
      c.reply.error(E.syntax);
      return null;
    }
  }
  if (o.len && o.idx) {
    c.reply.error('ERR If you want both the length and indexes, please just use IDX.');
    return null;
  }
  return o;
}

/** The table of LCS lengths of every pair of prefixes, row-major with (blen + 1) columns. */
function lcsTable(a: Buffer, b: Buffer): Uint32Array {
  const alen = a.length;
  const w = b.length + 1;
  const t = new Uint32Array((alen + 1) * w);
  for (let i = 1; i <= alen; i++) {
    const ai = a[i - 1];
    const row = i * w;
    const prev = row - w;
    for (let j = 1; j < w; j++) {
      if (ai === b[j - 1]) t[row + j] = t[prev + j - 1]! + 1;
      else {
        const up = t[prev + j]!;
        const left = t[row + j - 1]!;
        t[row + j] = up > left ? up : left;
      }
    }
  }
  return t;
}

type Match = [number, number, number, number, number];

/** Walks the table back from the end: the LCS bytes and the contiguous matching ranges. */
function walk(a: Buffer, b: Buffer, t: Uint32Array, minLen: number): { str: Buffer; matches: Match[] } {
  const w = b.length + 1;
  let idx = t[a.length * w + b.length]!;
  const str = Buffer.allocUnsafe(idx);
  const matches: Match[] = [];
  const alen = a.length;
  // aStart === alen means no range is open.
  let aStart = alen;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = alen;
  let j = b.length;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a[i - 1] === b[j - 1]) {
      str[idx - 1] = a[i - 1]!;
      if (aStart === alen) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if (t[(i - 1) * w + j]! > t[i * w + j - 1]!) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    if (emit) {
      const len = aEnd - aStart + 1;
      if (minLen === 0 || len >= minLen) matches.push([aStart, aEnd, bStart, bEnd, len]);
      aStart = alen;
    }
  }
  return { str, matches };
}

function replyMatches(c: Client, matches: Match[], total: number, withLen: boolean): void {
  const r = c.reply;
  r.mapLen(2);
  r.bulk('matches');
  r.arrayLen(matches.length);
  for (const [a0, a1, b0, b1, len] of matches) {
    r.arrayLen(withLen ? 3 : 2);
    r.arrayLen(2);
    r.int(a0);
    r.int(a1);
    r.arrayLen(2);
    r.int(b0);
    r.int(b1);
    if (withLen) r.int(len);
  }
  r.bulk('len');
  r.int(total);
}

function lcs(c: Client, argv: string[]): void {
  const ea = c.db.lookupRead(argv[1]!);
  const eb = c.db.lookupRead(argv[2]!);
  if ((ea !== undefined && ea.type !== 'string') || (eb !== undefined && eb.type !== 'string')) {
    return c.reply.error('ERR The specified keys must contain string values');
  }
  const o = parseOptions(c, argv);
  if (o === null) return;
  const a = ea === undefined ? Buffer.alloc(0) : strToBuffer(ea.value as StrValue);
  const b = eb === undefined ? Buffer.alloc(0) : strToBuffer(eb.value as StrValue);
  if (a.length >= UINT32_MAX - 1 || b.length >= UINT32_MAX - 1) return c.reply.error('ERR String too long for LCS');
  const bytes = (a.length + 1) * (b.length + 1) * 4;
  if (bytes > c.server.protoMaxBulkLen) {
    return c.reply.error('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
  }
  let t: Uint32Array;
  try {
    t = lcsTable(a, b);
  } catch {
    return c.reply.error('ERR Insufficient memory, failed allocating transient memory for LCS');
  }
  const total = t[t.length - 1]!;
  if (o.len && !o.idx) return c.reply.int(total);
  const { str, matches } = walk(a, b, t, o.minLen);
  if (o.idx) replyMatches(c, matches, total, o.withLen);
  else c.reply.bulkBuffer(str);
}

export const lcsCommands: CommandImpls = { lcs };
