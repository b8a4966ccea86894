// Reading values and whole files in every RDB encoding Redis 7.0 loads: the plain types,
// zipmap/ziplist/intset/listpack blobs and both quicklist layouts. Everything is decoded into
// Redoubt's own value classes and checked on the way (bounds, counts, duplicates, NaN scores,
// empty values), so a hostile payload yields RdbFormatError and never a broken value.

import type { RType } from '../store/db.js';
import { ListValue } from '../store/list.js';
import { SetValue } from '../store/set.js';
import { ZSet } from '../store/zset.js';
import { HashValue } from '../store/hash.js';
import {
  OP,
  QUICKLIST_PACKED,
  QUICKLIST_PLAIN,
  RDB_VERSION,
  RdbEmptyKey,
  RdbFormatError,
  T,
  bad,
  empty,
} from './rdb-const.js';
import { RdbIn } from './rdb-io.js';
import { decodeListpack } from './listpack.js';
import { readStream } from './rdb-stream.js';
import { decodeZiplist } from './ziplist.js';
import { decodeIntset } from './intset.js';
import { decodeZipmap } from './zipmap.js';
import { Crc64 } from './crc64.js';

/** The encoding limits that decide how loaded values are held (the *-max-* configs). */
export interface LoadLimits {
  hashEntries: number;
  hashValue: number;
  zsetEntries: number;
  zsetValue: number;
  intsetEntries: number;
}

export interface LoadedValue {
  type: RType;
  value: unknown;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A score stored as text (ziplist/listpack entries, old ZSET type); NaN is refused. */
function parseScore(s: string): number {
  const l = s.toLowerCase();
  if (l === 'inf' || l === '+inf' || l === 'infinity' || l === '+infinity') return Infinity;
  if (l === '-inf' || l === '-infinity') return -Infinity;
  if (!NUMBER.test(s)) bad('invalid score');
  return Number(s);
}

/** `packed`: the source was a listpack/ziplist, which Redis keeps whatever its values' sizes. */
function makeHash(pairs: readonly string[], lim: LoadLimits, packed: boolean): LoadedValue {
  if (pairs.length === 0) empty('hash');
  if (pairs.length % 2 !== 0) bad('bad hash pair count');
  const h = new HashValue();
  const hl = { entries: lim.hashEntries, value: packed ? Infinity : lim.hashValue };
  if (pairs.length / 2 > lim.hashEntries) h.convert();
  for (let i = 0; i < pairs.length; i += 2) {
    if (!h.set(pairs[i]!, pairs[i + 1]!, hl)) bad('Duplicate hash fields detected');
  }
  return { type: 'hash', value: h };
}

function makeSet(members: readonly string[], lim: LoadLimits): LoadedValue {
  if (members.length === 0) empty('set');
  const s = SetValue.fromMembers(members, lim.intsetEntries);
  if (s.size !== members.length) bad('Duplicate set members detected');
  return { type: 'set', value: s };
}

/** members[i] with scores[i]; `fromListpack`: the source was small already (Redis keeps it). */
function makeZset(
  members: readonly string[],
  scores: readonly number[],
  lim: LoadLimits,
  fromListpack: boolean,
): LoadedValue {
  const n = members.length;
  if (n === 0) empty('sorted set');
  let maxLen = 0;
  for (const m of members) if (m.length > maxLen) maxLen = m.length;
  const small = n <= lim.zsetEntries && (fromListpack || maxLen <= lim.zsetValue);
  const z = new ZSet(small);
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const m = members[i]!;
    let sc = scores[i]!;
    if (Number.isNaN(sc)) bad('NaN score');
    if (seen.has(m)) bad('Duplicate zset fields detected');
    seen.add(m);
    if (small && sc === 0) sc = 0; // a listpack has no -0
    z.insertNew(m, sc);
  }
  return { type: 'zset', value: z };
}

function zsetFromPairs(flat: readonly string[], lim: LoadLimits): LoadedValue {
  if (flat.length % 2 !== 0) bad('bad sorted set pair count');
  const members: string[] = [];
  const scores: number[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    members.push(flat[i]!);
    scores.push(parseScore(flat[i + 1]!));
  }
  return makeZset(members, scores, lim, true);
}

function makeList(items: string[]): LoadedValue {
  if (items.length === 0) empty('list');
  return { type: 'list', value: new ListValue(items) };
}

/** The old ZSET type's text score: a length byte, with 253/254/255 for nan/+inf/-inf. */
function readTextScore(inp: RdbIn): number {
  const n = inp.byte();
  if (n === 253) return NaN;
  if (n === 254) return Infinity;
  if (n === 255) return -Infinity;
  return parseScore(inp.take(n).latin1Slice(0, n));
}

/**
 * Decodes an encoded blob (ziplist, listpack, zipmap, intset) into a value; any fault in it,
 * duplicates included, is reported with Redis's reason for that encoding ("Hash ziplist
 * integrity check failed."), which RESTORE logs and tests look for. An empty value stays an
 * empty key.
 */
function integrity<V>(encoding: string, blob: Buffer, decode: (blob: Buffer) => V): V {
  try {
    return decode(blob);
  } catch (err) {
    if (err instanceof RdbFormatError && !(err instanceof RdbEmptyKey)) bad(`${encoding} integrity check failed.`);
    throw err;
  }
}

function readQuicklist(inp: RdbIn, v2: boolean): LoadedValue {
  const nodes = inp.count(2);
  const items: string[] = [];
  for (let i = 0; i < nodes; i++) {
    let container = QUICKLIST_PACKED;
    if (v2) {
      container = inp.len();
      if (container !== QUICKLIST_PLAIN && container !== QUICKLIST_PACKED) bad('Quicklist integrity check failed.');
    }
    const blob = inp.bytesString();
    // A node is never empty (Redis refuses a zero encoded length before anything else).
    if (blob.length === 0) bad('Quicklist integrity check failed.');
    if (container === QUICKLIST_PLAIN) {
      items.push(blob.latin1Slice(0, blob.length));
      continue;
    }
    // Empty nodes are skipped, as Redis does.
    const entries = v2 ? integrity('Listpack', blob, decodeListpack) : integrity('Ziplist', blob, decodeZiplist);
    for (const s of entries) items.push(s);
  }
  return makeList(items);
}

/** Reads one value of RDB type `t` (the type byte already consumed). */
export function readValue(inp: RdbIn, t: number, lim: LoadLimits): LoadedValue {
  switch (t) {
    case T.STRING:
      return { type: 'string', value: inp.string() };
    case T.LIST: {
      const n = inp.count();
      const items: string[] = [];
      for (let i = 0; i < n; i++) items.push(inp.string());
      return makeList(items);
    }
    case T.SET: {
      const n = inp.count();
      const members: string[] = [];
      for (let i = 0; i < n; i++) members.push(inp.string());
      return makeSet(members, lim);
    }
    case T.ZSET:
    case T.ZSET_2: {
      const n = inp.count(2);
      const members: string[] = [];
      const scores: number[] = [];
      for (let i = 0; i < n; i++) {
        members.push(inp.string());
        scores.push(t === T.ZSET_2 ? inp.doubleLE() : readTextScore(inp));
      }
      return makeZset(members, scores, lim, false);
    }
    case T.HASH: {
      const n = inp.count(2);
      const pairs: string[] = [];
      for (let i = 0; i < n; i++) pairs.push(inp.string(), inp.string());
      return makeHash(pairs, lim, false);
    }
    case T.HASH_ZIPMAP:
      return integrity('Zipmap', inp.bytesString(), (b) => {
        const pairs = decodeZipmap(b);
        // Redis's zipmap check refuses an empty one (other encodings report an empty key).
        if (pairs.length === 0) bad('empty zipmap');
        return makeHash(pairs, lim, false);
      });
    case T.LIST_ZIPLIST:
      return integrity('List ziplist', inp.bytesString(), (b) => makeList(decodeZiplist(b)));
    case T.SET_INTSET:
      return integrity('Intset', inp.bytesString(), (b) => makeSet(decodeIntset(b), lim));
    case T.ZSET_ZIPLIST:
      return integrity('Zset ziplist', inp.bytesString(), (b) => zsetFromPairs(decodeZiplist(b), lim));
    case T.HASH_ZIPLIST:
      return integrity('Hash ziplist', inp.bytesString(), (b) => makeHash(decodeZiplist(b), lim, true));
    case T.HASH_LISTPACK:
      return integrity('Hash listpack', inp.bytesString(), (b) => makeHash(decodeListpack(b), lim, true));
    case T.ZSET_LISTPACK:
      return integrity('Zset listpack', inp.bytesString(), (b) => zsetFromPairs(decodeListpack(b), lim));
    case T.LIST_QUICKLIST:
      return readQuicklist(inp, false);
    case T.LIST_QUICKLIST_2:
      return readQuicklist(inp, true);
    case T.STREAM_LISTPACKS:
    case T.STREAM_LISTPACKS_2:
    case T.STREAM_LISTPACKS_3:
      return { type: 'stream', value: readStream(inp, t) };
    case T.MODULE:
    case T.MODULE_2:
      return bad('module values are not supported');
  }
  return bad(`unknown value type ${t}`);
}

/**
 * Checks a DUMP payload's footer (version <= 10, CRC-64 unless skipped) and returns the
 * serialized value without it; null when the footer is wrong.
 */
export function verifyPayload(p: Buffer, skipChecksum: boolean): Buffer | null {
  if (p.length < 10) return null;
  const footer = p.length - 10;
  const ver = p[footer]! | (p[footer + 1]! << 8);
  if (ver > RDB_VERSION) return null;
  if (!skipChecksum) {
    const crc = new Crc64().update(p, 0, p.length - 8).digest();
    if (!crc.equals(p.subarray(p.length - 8))) return null;
  }
  return p.subarray(0, footer);
}

/** Decodes a verified DUMP body (type byte + value), requiring it to be consumed exactly. */
export function readPayload(body: Buffer, lim: LoadLimits, maxString: number): LoadedValue {
  const inp = new RdbIn(body, maxString);
  const t = inp.byte();
  const v = readValue(inp, t, lim);
  if (inp.remaining !== 0) bad('trailing bytes after the value');
  return v;
}

/** One key read from a file, with what preceded it. */
export interface FileKey {
  db: number;
  key: string;
  value: LoadedValue;
  /** Absolute ms, or -1. */
  expireAt: number;
  /** Seconds idle (OP.IDLE), or -1. */
  idle: number;
  /** LFU counter (OP.FREQ), or -1. */
  freq: number;
}

export interface FileVisitor {
  aux?(key: string, value: string): void;
  /** RESIZEDB hint. */
  resize?(db: number, size: number, expires: number): void;
  key(k: FileKey): void;
  /** A key whose value is empty; without this hook such a file is refused. */
  emptyKey?(db: number, key: string): void;
  /** A function library's code (RDB_OPCODE_FUNCTION2); without it such a file is refused. */
  library?(code: string): void;
}

/**
 * Walks a whole RDB file (versions 1..10), calling the visitor for aux fields, function libraries
 * and keys. Checks the magic, the db numbers (< dbCount) and the trailing CRC-64 when `checksum`
 * and the file has one; module data and the pre-GA function format are refused with a clear
 * message. Returns where the image ended (an AOF may go on after its RDB preamble).
 */
export function readRdbFile(buf: Buffer, lim: LoadLimits, dbCount: number, checksum: boolean, v: FileVisitor): number {
  if (buf.length < 9 || buf.latin1Slice(0, 5) !== 'REDIS') bad('wrong signature trying to load DB from file');
  const verText = buf.latin1Slice(5, 9);
  if (!/^\d{4}$/.test(verText)) bad('bad RDB version');
  const ver = Number(verText);
  if (ver < 1 || ver > RDB_VERSION) bad(`can't handle RDB format version ${ver}`);
  const inp = new RdbIn(buf);
  inp.pos = 9;
  let db = 0;
  let expireAt = -1;
  let idle = -1;
  let freq = -1;
  for (;;) {
    const op = inp.byte();
    switch (op) {
      case OP.EXPIRETIME:
        expireAt = inp.u32le() * 1000;
        continue;
      case OP.EXPIRETIME_MS:
        expireAt = Number(inp.i64le());
        continue;
      case OP.FREQ:
        freq = inp.byte();
        continue;
      case OP.IDLE:
        idle = inp.len();
        continue;
      case OP.EOF:
        break;
      case OP.SELECTDB:
        db = inp.len();
        if (db >= dbCount) bad(`data file was created with more than ${dbCount} databases`);
        continue;
      case OP.RESIZEDB: {
        const size = inp.len();
        const expires = inp.len();
        v.resize?.(db, size, expires);
        continue;
      }
      case OP.AUX: {
        const k = inp.string();
        const val = inp.string();
        v.aux?.(k, val);
        continue;
      }
      case OP.MODULE_AUX:
        return bad('the RDB file holds module data, which Redoubt cannot load');
      case OP.FUNCTION2: {
        const code = inp.string();
        if (v.library === undefined) bad('function libraries are not expected here');
        v.library(code);
        continue;
      }
      case OP.FUNCTION_PRE_GA:
        // Written only by Redis 7.0 release candidates; Redis 7.0 refuses it as well.
        return bad('Pre-release function format not supported');
      default: {
        const at = inp.pos - 1;
        const key = inp.string();
        let value: LoadedValue;
        try {
          value = readValue(inp, op, lim);
        } catch (err) {
          if (err instanceof RdbEmptyKey && v.emptyKey !== undefined) {
            v.emptyKey(db, key);
            expireAt = -1;
            idle = -1;
            freq = -1;
            continue;
          }
          // The load failure's log names the key and where its record starts.
          if (err instanceof RdbFormatError) Object.assign(err, { offset: at, key, type: op });
          throw err;
        }
        v.key({ db, key, value, expireAt, idle, freq });
        expireAt = -1;
        idle = -1;
        freq = -1;
        continue;
      }
    }
    break;
  }
  if (ver >= 5) {
    const stored = inp.take(8);
    if (checksum && !stored.equals(Buffer.alloc(8))) {
      const crc = new Crc64().update(buf, 0, inp.pos - 8).digest();
      if (!crc.equals(stored)) bad('RDB CRC error');
    }
  }
  return inp.pos;
}
