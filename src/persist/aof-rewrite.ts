// An AOF base in command form (aof-use-rdb-preamble no): first a FUNCTION LOAD per function
// library, as Redis's rewrite starts, then per database a SELECT and the fewest commands that
// rebuild each key — batches of up to 64 items per RPUSH/SADD/ZADD/HMSET, like Redis — and a
// PEXPIREAT for keys with a TTL. Streams (consumer groups, PELs, ids) have no compact command
// form that keeps all their state, so they are written as RESTORE of their DUMP payload, which
// Redis loads as well.

import type { Db, Entry } from '../store/db.js';
import { ListValue } from '../store/list.js';
import { SetValue } from '../store/set.js';
import { HashValue } from '../store/hash.js';
import { ZSet } from '../store/zset.js';
import { dumpPayload, type WriteOptions } from './rdb-write.js';
import { encodeCommand } from '../replication/primary.js';

const ITEMS_PER_CMD = 64;

function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).latin1Slice();
  return String(v);
}

function score(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  return String(d);
}

/** Emits `head...` commands with at most 64 items (each item = `width` arguments). */
function batched(out: string[], head: string[], items: string[], width: number): void {
  const per = ITEMS_PER_CMD * width;
  for (let i = 0; i < items.length; i += per) out.push(encodeCommand([...head, ...items.slice(i, i + per)]));
}

function keyCommands(out: string[], key: string, e: Entry, opts: WriteOptions): void {
  const v = e.value;
  if (e.type === 'string') {
    out.push(encodeCommand(['SET', key, str(v)]));
  } else if (v instanceof ListValue) {
    batched(out, ['RPUSH', key], v.toArray(), 1);
  } else if (v instanceof SetValue) {
    batched(out, ['SADD', key], v.toArray(), 1);
  } else if (v instanceof ZSet) {
    const items: string[] = [];
    v.each((m, s) => items.push(score(s), m));
    batched(out, ['ZADD', key], items, 2);
  } else if (v instanceof HashValue) {
    const items: string[] = [];
    for (const [f, val] of v) items.push(f, val);
    batched(out, ['HMSET', key], items, 2);
  } else {
    out.push(encodeCommand(['RESTORE', key, '0', dumpPayload(e.type, v, opts).latin1Slice(), 'REPLACE']));
  }
  if (e.expireAt >= 0) out.push(encodeCommand(['PEXPIREAT', key, String(e.expireAt)]));
}

/** The whole dataset, function libraries (their code) first, as AOF commands (latin1 text). */
export function datasetAsCommands(dbs: readonly Db[], libraries: readonly string[], opts: WriteOptions): string {
  const out: string[] = [];
  for (const code of libraries) out.push(encodeCommand(['FUNCTION', 'LOAD', code]));
  for (const db of dbs) {
    if (db.dict.size === 0) continue;
    out.push(encodeCommand(['SELECT', String(db.id)]));
    for (const [key, e] of db.dict) keyCommands(out, key, e, opts);
  }
  return out.join('');
}
