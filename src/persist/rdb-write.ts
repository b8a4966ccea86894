// Serializing values and whole datasets in RDB version 10, with the encodings Redis 7.0
// chooses: small hashes and sorted sets as listpacks, integer sets as intsets, lists as
// quicklists of listpack nodes (split as Redis's quicklist splits an appended list), strings
// with their integer and LZF forms. A DUMP payload is one value, the RDB version and a CRC-64.

import type { Entry, RType } from '../store/db.js';
import { ListValue } from '../store/list.js';
import { SetValue } from '../store/set.js';
import { ZSet, d2string } from '../store/zset.js';
import { HashValue } from '../store/hash.js';
import { OP, QUICKLIST_PACKED, QUICKLIST_PLAIN, RDB_VERSION, T } from './rdb-const.js';
import { RdbOut } from './rdb-io.js';
import { ListpackWriter } from './listpack.js';
import { encodeIntset } from './intset.js';
import { writeStream } from './rdb-stream.js';
import { StreamValue } from '../store/stream.js';
import { Crc64, crc64 } from './crc64.js';

export interface WriteOptions {
  /** rdbcompression */
  compress: boolean;
  /** list-max-listpack-size */
  listFill: number;
  /** List elements at least this long get a plain node (DEBUG QUICKLIST-PACKED-THRESHOLD). */
  packedThreshold: number;
}

/** A value Redoubt cannot serialize (an unknown type or representation). */
export class UnsupportedValueError extends Error {}

/** Per-node byte budgets for negative list-max-listpack-size values (-1 .. -5). */
const NODE_BYTES = [4096, 8192, 16384, 32768, 65536];
/** A node never grows past this unless its fill count allows (quicklist's safety limit). */
const SAFETY_LIMIT = 8192;
/** Per-entry overhead quicklist adds to its size estimate. */
const ENTRY_OVERHEAD = 8;

function nodeAccepts(lpBytes: number, count: number, elemLen: number, fill: number): boolean {
  const newSize = lpBytes + elemLen + ENTRY_OVERHEAD;
  if (fill < 0 && -fill - 1 < NODE_BYTES.length && newSize <= NODE_BYTES[-fill - 1]!) return true;
  if (newSize > SAFETY_LIMIT) return false;
  return count < fill;
}

function writeList(out: RdbOut, l: ListValue, opts: WriteOptions): void {
  const nodes: (ListpackWriter | string)[] = [];
  let cur: ListpackWriter | null = null;
  for (const s of l) {
    if (s.length >= opts.packedThreshold) {
      nodes.push(s);
      cur = null;
      continue;
    }
    if (cur === null || !nodeAccepts(cur.size, cur.count, s.length, opts.listFill)) {
      cur = new ListpackWriter();
      nodes.push(cur);
    }
    cur.append(s);
  }
  out.len(nodes.length);
  for (const n of nodes) {
    if (typeof n === 'string') {
      out.len(QUICKLIST_PLAIN);
      out.string(n);
    } else {
      out.len(QUICKLIST_PACKED);
      out.string(n.finish());
    }
  }
}

/** The RDB type byte Redis 7.0 writes for a value in its current encoding. */
function rdbTypeOf(type: RType, value: unknown): number {
  if (type === 'string') return T.STRING;
  if (type === 'list' && value instanceof ListValue) return T.LIST_QUICKLIST_2;
  if (type === 'set' && value instanceof SetValue) return value.isIntset ? T.SET_INTSET : T.SET;
  if (type === 'zset' && value instanceof ZSet) return value.listpack ? T.ZSET_LISTPACK : T.ZSET_2;
  if (type === 'hash' && value instanceof HashValue) return value.listpack ? T.HASH_LISTPACK : T.HASH;
  if (type === 'stream' && value instanceof StreamValue) return T.STREAM_LISTPACKS_2;
  throw new UnsupportedValueError(`cannot serialize ${type} values`);
}

function writeSet(out: RdbOut, s: SetValue): void {
  if (s.isIntset) return out.string(encodeIntset(s.toArray()));
  const members = s.toArray();
  out.len(members.length);
  for (const m of members) out.string(m);
}

function writeZset(out: RdbOut, z: ZSet): void {
  if (z.listpack) {
    const lp = new ListpackWriter();
    z.each((m, score) => {
      lp.append(m);
      // Redis stores integral scores (-0 included) as listpack integers.
      lp.append(score === 0 ? '0' : d2string(score));
    });
    return out.string(lp.finish());
  }
  out.len(z.size);
  // Highest score first, as Redis writes a skiplist (loading then always inserts at the head).
  z.eachReverse((m, score) => {
    out.string(m);
    out.doubleLE(score);
  });
}

function writeHash(out: RdbOut, h: HashValue): void {
  if (h.listpack) {
    const lp = new ListpackWriter();
    for (const [f, v] of h) {
      lp.append(f);
      lp.append(v);
    }
    return out.string(lp.finish());
  }
  out.len(h.size);
  for (const [f, v] of h) {
    out.string(f);
    out.string(v);
  }
}

/** The string value's bytes or text. */
function stringBody(v: unknown): string | Uint8Array {
  if (typeof v === 'string' || v instanceof Uint8Array) return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  throw new UnsupportedValueError('unknown string representation');
}

/**
 * Writes the type byte, the key when given (RDB files put it between the two) and the value;
 * throws UnsupportedValueError for a value of unknown type.
 */
export function writeValue(out: RdbOut, type: RType, value: unknown, opts: WriteOptions, key?: string): void {
  const t = rdbTypeOf(type, value);
  out.byte(t);
  if (key !== undefined) out.string(key);
  if (t === T.STRING) out.string(stringBody(value));
  else if (t === T.LIST_QUICKLIST_2) writeList(out, value as ListValue, opts);
  else if (t === T.SET || t === T.SET_INTSET) writeSet(out, value as SetValue);
  else if (t === T.ZSET_2 || t === T.ZSET_LISTPACK) writeZset(out, value as ZSet);
  else if (t === T.STREAM_LISTPACKS_2) writeStream(out, value as StreamValue);
  else writeHash(out, value as HashValue);
}

/** The DUMP payload of a value: serialized value, RDB version (2 bytes LE), CRC-64. */
export function dumpPayload(type: RType, value: unknown, opts: WriteOptions): Buffer {
  const out = new RdbOut(opts.compress);
  writeValue(out, type, value, opts);
  out.byte(RDB_VERSION & 0xff);
  out.byte(RDB_VERSION >> 8);
  out.bytes(crc64(out.view()));
  return Buffer.from(out.view());
}

export interface DatasetSource {
  /** The databases, by number. */
  dbs: readonly { id: number; dict: ReadonlyMap<string, Entry>; expires: ReadonlyMap<string, Entry> }[];
  /** Aux fields written after the header (redis-ver, ctime...). */
  aux: [string, string][];
  /** The function libraries' code (FUNCTION LOAD's argument), written after the aux fields. */
  functions?: readonly string[];
  /** 'lru' writes each key's idle time, 'lfu' its counter, like the matching maxmemory policies. */
  evictionInfo: 'lru' | 'lfu' | null;
  /** Current time in ms (idle times). */
  now: number;
  /** LFU counter of an entry (lfu mode). */
  lfuCounter(e: Entry): number;
  /** Write a CRC-64 trailer (rdbchecksum); else zeros. */
  checksum: boolean;
}

/** A whole RDB file: header, aux fields, function libraries, every non-empty db, EOF and checksum. */
export function serializeDataset(src: DatasetSource, opts: WriteOptions): Buffer {
  const out = new RdbOut(opts.compress, 1 << 16);
  out.latin1('REDIS' + String(RDB_VERSION).padStart(4, '0'));
  for (const [k, v] of src.aux) {
    out.byte(OP.AUX);
    out.string(k);
    out.string(v);
  }
  for (const code of src.functions ?? []) {
    out.byte(OP.FUNCTION2);
    out.string(code);
  }
  for (const db of src.dbs) {
    if (db.dict.size === 0) continue;
    out.byte(OP.SELECTDB);
    out.len(db.id);
    out.byte(OP.RESIZEDB);
    out.len(db.dict.size);
    out.len(db.expires.size);
    for (const [key, e] of db.dict) {
      if (e.expireAt >= 0) {
        out.byte(OP.EXPIRETIME_MS);
        out.u64le(BigInt(e.expireAt));
      }
      if (src.evictionInfo === 'lru') {
        out.byte(OP.IDLE);
        out.len(Math.max(0, Math.floor((src.now - e.lru) / 1000)));
      } else if (src.evictionInfo === 'lfu') {
        out.byte(OP.FREQ);
        out.byte(src.lfuCounter(e) & 0xff);
      }
      writeValue(out, e.type, e.value, opts, key);
    }
  }
  out.byte(OP.EOF);
  const body = out.view();
  out.bytes(src.checksum ? new Crc64().update(body).digest() : Buffer.alloc(8));
  return Buffer.from(out.view());
}
