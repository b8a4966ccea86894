// DEBUG DIGEST / DIGEST-VALUE: a SHA1-based signature of the dataset that does not depend on
// iteration order. Keys are combined with XOR; inside a value, ordered types (lists, streams)
// are chained and unordered ones (sets, hashes, sorted sets) are XORed per element. The
// empty dataset gives forty zeros, as in Redis. Equal datasets give equal digests; the
// numbers are Redoubt's own (Redis's exact byte mixing is not reproduced).

import { createHash } from 'node:crypto';
import type { Server } from '../server/server.js';
import type { Entry } from '../store/db.js';

export const ZERO_DIGEST = '0000000000000000000000000000000000000000';

/** Value digests for types whose layer knows its own structure better than the generic walk. */
export const digestFunctions: Partial<Record<string, (value: unknown) => Buffer>> = {};

function sha1(...parts: (string | Buffer)[]): Buffer {
  const h = createHash('sha1');
  for (const p of parts) {
    if (typeof p === 'string') {
      // Length-prefixed so that ("ab","c") and ("a","bc") differ.
      h.update(String(p.length) + ':');
      h.update(Buffer.from(p, 'latin1'));
    } else {
      h.update(p);
    }
  }
  return h.digest();
}

function xorInto(acc: Buffer, d: Buffer): void {
  for (let i = 0; i < 20; i++) acc[i]! ^= d[i]!;
}

/** Any scalar as the latin1 string Redis would hold. */
function asString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('latin1');
  return String(v);
}

function elementDigest(x: unknown): Buffer {
  if (Array.isArray(x)) return sha1(...x.map(asString));
  return sha1(asString(x));
}

function ordered(items: Iterable<unknown>): Buffer {
  const h = createHash('sha1');
  for (const x of items) h.update(elementDigest(x));
  return h.digest();
}

function unordered(items: Iterable<unknown>): Buffer {
  const acc = Buffer.alloc(20);
  for (const x of items) xorInto(acc, elementDigest(x));
  return acc;
}

interface Digestible {
  digest(): Buffer;
}

function isDigestible(v: unknown): v is Digestible {
  return typeof v === 'object' && v !== null && typeof (v as Partial<Digestible>).digest === 'function';
}

/** Digest of a value alone (DEBUG DIGEST-VALUE). */
export function valueDigest(e: Entry): Buffer {
  const custom = digestFunctions[e.type];
  if (custom !== undefined) return custom(e.value);
  const v = e.value;
  if (e.type === 'string') return sha1(asString(v));
  if (isDigestible(v)) return v.digest();
  if (v instanceof Map) return unordered(v.entries());
  if (typeof v === 'object' && v !== null && Symbol.iterator in v) {
    const items = v as Iterable<unknown>;
    return e.type === 'list' || e.type === 'stream' ? ordered(items) : unordered(items);
  }
  return sha1(e.type, asString(v));
}

/** Digest of a whole key: name, type, value and expiry. */
function keyDigest(dbId: number, key: string, e: Entry): Buffer {
  const expire = e.expireAt >= 0 ? String(e.expireAt) : '';
  return sha1(String(dbId), key, e.type, valueDigest(e), expire);
}

/** DEBUG DIGEST: every key of every database, expired-but-not-yet-removed ones included. */
export function datasetDigest(server: Server): string {
  const acc = Buffer.alloc(20);
  for (const db of server.dbs) {
    for (const [key, e] of db.dict) xorInto(acc, keyDigest(db.id, key, e));
  }
  return acc.toString('hex');
}
