// The hash value. Fields and values live in two position-aligned arrays with a Map from field
// to position, which gives O(1) lookup, O(1) uniform random picks (HRANDFIELD) and a cursor
// that needs no per-iteration state (HSCAN).
//
// Redis holds a small hash as a listpack (insertion order, updates in place, deletes close the
// gap) and converts it, one way, to a hash table once it outgrows hash-max-listpack-entries or
// a field/value exceeds hash-max-listpack-value. While "listpack", deletes here keep the order
// too, so HGETALL/HKEYS answer in exactly Redis's order. Once "hashtable", a delete moves the
// last pair into the hole (O(1)), and HSCAN walks positions from the top down: a swap only ever
// moves the last pair to a lower position, so a pair present during the whole scan is never
// skipped (it may be seen twice, which SCAN allows).

import { createHash } from 'node:crypto';
import { allocSize } from '../protocol/querybuf.js';

/** Limits a write checks while the hash is a listpack (configs read by the caller). */
export interface HashLimits {
  /** hash-max-listpack-entries */
  entries: number;
  /** hash-max-listpack-value */
  value: number;
}

/** A listpack may not grow past this many bytes (Redis's LISTPACK_MAX_SAFETY_SIZE). */
const LISTPACK_SAFETY = 1 << 30;
const ROBJ = 16;
const DICT_ENTRY = 24;
/** sizeof(dict) in Redis 7.0. */
const DICT = 56;

/** Bytes one element takes in a listpack: encoding header, payload and back-length. */
function lpEntrySize(s: string): number {
  const n = s.length;
  let body: number;
  if (n <= 20 && isListpackInt(s)) body = lpIntSize(Number(s));
  else body = n < 64 ? 1 + n : n < 4096 ? 2 + n : 5 + n;
  const back = body < 128 ? 1 : body < 16384 ? 2 : body < 2097152 ? 3 : body < 268435456 ? 4 : 5;
  return body + back;
}

function isListpackInt(s: string): boolean {
  if (s.length === 0) return false;
  let i = s.charCodeAt(0) === 45 ? 1 : 0;
  if (i === s.length) return false;
  if (s.charCodeAt(i) === 48) return s.length === 1;
  for (; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch < 48 || ch > 57) return false;
  }
  const b = BigInt(s);
  return b <= 9223372036854775807n && b >= -9223372036854775808n;
}

function lpIntSize(v: number): number {
  if (v >= 0 && v <= 127) return 1;
  if (v >= -4096 && v <= 4095) return 2;
  if (v >= -32768 && v <= 32767) return 3;
  if (v >= -8388608 && v <= 8388607) return 4;
  if (v >= -2147483648 && v <= 2147483647) return 5;
  return 9;
}

function sdsSize(len: number): number {
  const hdr = len < 32 ? 1 : len < 256 ? 3 : len < 65536 ? 5 : len < 2 ** 32 ? 9 : 17;
  return allocSize(hdr + len + 1);
}

export class HashValue {
  private fields: string[] = [];
  private vals: string[] = [];
  private index = new Map<string, number>();
  private lp = true;
  /** Payload bytes plus a rough per-pair header, tracked while a listpack (safety limit). */
  private lpBytes = 0;

  get size(): number {
    return this.fields.length;
  }

  /** True while Redis would hold this hash as a listpack. */
  get listpack(): boolean {
    return this.lp;
  }

  encoding(): string {
    return this.lp ? 'listpack' : 'hashtable';
  }

  get(field: string): string | undefined {
    const i = this.index.get(field);
    return i === undefined ? undefined : this.vals[i];
  }

  has(field: string): boolean {
    return this.index.has(field);
  }

  fieldAt(i: number): string {
    return this.fields[i]!;
  }

  valueAt(i: number): string {
    return this.vals[i]!;
  }

  /** A uniformly random position. */
  randomIndex(): number {
    return Math.floor(Math.random() * this.fields.length);
  }

  /** Converts to a hash table, as Redis's hashTypeConvert (never back). */
  convert(): void {
    this.lp = false;
    this.lpBytes = 0;
  }

  /**
   * Before writing the given arguments (fields and values): converts when one is longer than
   * hash-max-listpack-value or the listpack would pass its safety size (hashTypeTryConversion).
   */
  prepare(args: readonly string[], start: number, end: number, maxValue: number): void {
    if (!this.lp) return;
    let sum = 0;
    for (let i = start; i < end; i++) {
      const n = args[i]!.length;
      if (n > maxValue) return this.convert();
      sum += n;
    }
    if (this.lpBytes + sum > LISTPACK_SAFETY) this.convert();
  }

  /** Sets field to value; true when the field is new. Converts as hashTypeSet does. */
  set(field: string, value: string, lim: HashLimits | null): boolean {
    if (this.lp && lim !== null && (field.length > lim.value || value.length > lim.value)) this.convert();
    const i = this.index.get(field);
    let created = false;
    if (i !== undefined) {
      if (this.lp) this.lpBytes += value.length - this.vals[i]!.length;
      this.vals[i] = value;
    } else {
      this.index.set(field, this.fields.length);
      this.fields.push(field);
      this.vals.push(value);
      if (this.lp) this.lpBytes += field.length + value.length + 4;
      created = true;
    }
    // Checked after updates too, as Redis does (a lowered limit converts on any write).
    if (this.lp && lim !== null && this.fields.length > lim.entries) this.convert();
    return created;
  }

  /** Removes field; false when it was not there. */
  delete(field: string): boolean {
    const i = this.index.get(field);
    if (i === undefined) return false;
    this.index.delete(field);
    const { fields, vals } = this;
    if (this.lp) {
      // Keep listpack order: close the gap and renumber what follows.
      this.lpBytes -= field.length + vals[i]!.length + 4;
      fields.splice(i, 1);
      vals.splice(i, 1);
      for (let j = i; j < fields.length; j++) this.index.set(fields[j]!, j);
      return true;
    }
    const last = fields.length - 1;
    if (i !== last) {
      fields[i] = fields[last]!;
      vals[i] = vals[last]!;
      this.index.set(fields[i]!, i);
    }
    fields.pop();
    vals.pop();
    return true;
  }

  /**
   * One HSCAN step over a hash table: visits up to `count` pairs downwards from position
   * cursor-1 (cursor 0 starts at the top) and returns the next cursor, 0 when done.
   */
  scan(cursor: bigint, count: number, visit: (field: string, value: string) => void): number {
    const n = this.fields.length;
    let i = cursor === 0n || cursor > BigInt(n) ? n : Number(cursor);
    for (let seen = 0; i > 0 && seen < count; seen++) {
      i--;
      visit(this.fields[i]!, this.vals[i]!);
    }
    return i;
  }

  *entries(): IterableIterator<[string, string]> {
    for (let i = 0; i < this.fields.length; i++) yield [this.fields[i]!, this.vals[i]!];
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  /** An independent copy with the same encoding (COPY). */
  clone(): HashValue {
    const h = new HashValue();
    h.fields = this.fields.slice();
    h.vals = this.vals.slice();
    h.index = new Map(this.index);
    h.lp = this.lp;
    h.lpBytes = this.lpBytes;
    return h;
  }

  /** Order-independent digest of the pairs (DEBUG DIGEST-VALUE): equal contents, equal digest. */
  digest(): Buffer {
    const acc = Buffer.alloc(20);
    for (let i = 0; i < this.fields.length; i++) {
      const f = this.fields[i]!;
      const v = this.vals[i]!;
      const h = createHash('sha1');
      h.update(`${f.length}:`);
      h.update(Buffer.from(f, 'latin1'));
      h.update(`${v.length}:`);
      h.update(Buffer.from(v, 'latin1'));
      const d = h.digest();
      for (let j = 0; j < 20; j++) acc[j]! ^= d[j]!;
    }
    return acc;
  }

  /** Estimated bytes, following Redis's objectComputeSize (hash tables are sampled). */
  memoryUsage(samples: number): number {
    const n = this.fields.length;
    if (this.lp) {
      let bytes = 6 + 1;
      for (let i = 0; i < n; i++) bytes += lpEntrySize(this.fields[i]!) + lpEntrySize(this.vals[i]!);
      return ROBJ + allocSize(bytes);
    }
    const take = samples <= 0 ? n : Math.min(samples, n);
    let sampled = 0;
    // Redis samples in hash order, which is spread over the whole table: spread ours too.
    for (let k = 0; k < take; k++) {
      const i = Math.floor((k * n) / take);
      sampled += sdsSize(this.fields[i]!.length) + sdsSize(this.vals[i]!.length) + DICT_ENTRY;
    }
    let slots = 4;
    while (slots < n) slots *= 2;
    const perEntry = take === 0 ? 0 : sampled / take;
    return ROBJ + DICT + 8 * slots + Math.round(perEntry * n);
  }
}
