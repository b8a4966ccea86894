// The set value type, with Redis 7.0's two encodings and its conversion rules:
//  - intset: only canonical 64-bit integers, kept sorted numerically (so iteration, SMEMBERS
//    and SSCAN see ascending order, as with Redis), while there are at most
//    set-max-intset-entries members;
//  - hashtable: anything else, and never converted back (only building a new value, as
//    SPOP and the *STORE commands do, can give an intset again).
// Members are latin1 strings (one char per byte). The integers in an intset are kept as their
// canonical decimal strings: they compare numerically by sign, length and then text, and
// replies need them as text anyway.
//
// The hashtable is a Map from member to slot plus an array of slots with holes for removed
// members: O(1) add/remove/lookup, and uniform random picks (retry on a hole; holes are
// compacted away before they are half the array). Every slot carries a sequence number,
// increasing along the array and kept by compaction, that SSCAN uses as its cursor: a member
// present for a whole scan is returned exactly once, whatever changes meanwhile.

import { createHash } from 'node:crypto';

const MINUS = 45;
const ZERO = 48;
const NINE = 57;
/** Redis caps set-max-intset-entries at 1G because of intset internals. */
const INTSET_HARD_LIMIT = 1 << 30;

/**
 * True when s is an integer Redis stores in an intset (string2ll rules: canonical decimal,
 * no '+', no leading zeros, no "-0", within 64 bits).
 */
export function isIntMember(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 20) return false;
  const neg = s.charCodeAt(0) === MINUS;
  const start = neg ? 1 : 0;
  const digits = n - start;
  if (digits === 0) return false;
  const first = s.charCodeAt(start);
  if (first === ZERO) return n === 1;
  if (first < ZERO || first > NINE) return false;
  for (let i = start + 1; i < n; i++) {
    const ch = s.charCodeAt(i);
    if (ch < ZERO || ch > NINE) return false;
  }
  if (digits < 19) return true;
  if (digits > 19) return false;
  // 19 digits: same-length digit strings compare numerically as text.
  return neg ? s.slice(1) <= '9223372036854775808' : s <= '9223372036854775807';
}

/** Numeric order of two canonical integer strings. */
function compareInts(a: string, b: string): number {
  const an = a.charCodeAt(0) === MINUS;
  const bn = b.charCodeAt(0) === MINUS;
  if (an !== bn) return an ? -1 : 1;
  let r: number;
  if (a.length !== b.length) r = a.length < b.length ? -1 : 1;
  else if (a === b) return 0;
  else r = a < b ? -1 : 1;
  return an ? -r : r;
}

/** Index of x in the sorted array, or -(insertion point) - 1. */
function searchInts(ints: readonly string[], x: string): number {
  let lo = 0;
  let hi = ints.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const r = compareInts(ints[mid]!, x);
    if (r < 0) lo = mid + 1;
    else if (r > 0) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

/** The hashtable encoding's storage. */
interface Table {
  index: Map<string, number>;
  slots: (string | undefined)[];
  seqs: number[];
  holes: number;
  nextSeq: number;
}

function newTable(): Table {
  return { index: new Map(), slots: [], seqs: [], holes: 0, nextSeq: 1 };
}

export class SetValue {
  /** Sorted canonical integers while intset-encoded; null once a hashtable. */
  private ints: string[] | null;
  private table: Table | null;

  private constructor(ints: string[] | null, table: Table | null) {
    this.ints = ints;
    this.table = table;
  }

  /** An empty set in the encoding Redis picks for a first member (setTypeCreate). */
  static forMember(first: string): SetValue {
    return isIntMember(first) ? SetValue.emptyIntset() : SetValue.emptyHashtable();
  }

  static emptyIntset(): SetValue {
    return new SetValue([], null);
  }

  static emptyHashtable(): SetValue {
    return new SetValue(null, newTable());
  }

  /**
   * A set built from members as Redis builds one it loads (an intset when they are all
   * integers and few enough, else a hashtable); for persistence layers.
   */
  static fromMembers(members: Iterable<string>, maxIntset: number): SetValue {
    let s: SetValue | null = null;
    for (const m of members) {
      if (s === null) s = SetValue.forMember(m);
      s.add(m, maxIntset);
    }
    return s ?? SetValue.emptyIntset();
  }

  get size(): number {
    if (this.ints !== null) return this.ints.length;
    const t = this.table!;
    return t.slots.length - t.holes;
  }

  get isIntset(): boolean {
    return this.ints !== null;
  }

  encoding(): string {
    return this.ints !== null ? 'intset' : 'hashtable';
  }

  /** Adds m; false when it was already there. maxIntset is set-max-intset-entries. */
  add(m: string, maxIntset: number): boolean {
    const ints = this.ints;
    if (ints === null) return this.tableAdd(m);
    if (!isIntMember(m)) {
      this.toHashtable();
      return this.tableAdd(m);
    }
    const at = searchInts(ints, m);
    if (at >= 0) return false;
    const pos = -at - 1;
    if (pos === ints.length) ints.push(m);
    else ints.splice(pos, 0, m);
    if (ints.length > Math.min(maxIntset, INTSET_HARD_LIMIT)) this.toHashtable();
    return true;
  }

  remove(m: string): boolean {
    const ints = this.ints;
    if (ints !== null) {
      if (!isIntMember(m)) return false;
      const at = searchInts(ints, m);
      if (at < 0) return false;
      if (at === ints.length - 1) ints.pop();
      else ints.splice(at, 1);
      return true;
    }
    const t = this.table!;
    const slot = t.index.get(m);
    if (slot === undefined) return false;
    t.index.delete(m);
    if (slot === t.slots.length - 1) {
      // Removing the tail needs no hole (and keeps push/pop workloads compact).
      t.slots.pop();
      t.seqs.pop();
      this.trimTail(t);
    } else {
      t.slots[slot] = undefined;
      t.holes++;
      if (t.holes * 2 > t.slots.length) this.compact(t);
    }
    return true;
  }

  has(m: string): boolean {
    const ints = this.ints;
    if (ints !== null) return isIntMember(m) && searchInts(ints, m) >= 0;
    return this.table!.index.has(m);
  }

  /** A uniformly random member; the set must not be empty. */
  random(): string {
    const ints = this.ints;
    if (ints !== null) return ints[Math.floor(Math.random() * ints.length)]!;
    const slots = this.table!.slots;
    for (;;) {
      const m = slots[Math.floor(Math.random() * slots.length)];
      if (m !== undefined) return m;
    }
  }

  /** Calls fn for each member in iteration order (ascending for an intset). */
  each(fn: (m: string) => void): void {
    const ints = this.ints;
    if (ints !== null) {
      for (let i = 0; i < ints.length; i++) fn(ints[i]!);
      return;
    }
    const slots = this.table!.slots;
    for (let i = 0; i < slots.length; i++) {
      const m = slots[i];
      if (m !== undefined) fn(m);
    }
  }

  /** The members in iteration order, as a new array. */
  toArray(): string[] {
    if (this.ints !== null) return this.ints.slice();
    const out: string[] = [];
    const slots = this.table!.slots;
    for (let i = 0; i < slots.length; i++) {
      const m = slots[i];
      if (m !== undefined) out.push(m);
    }
    return out;
  }

  *[Symbol.iterator](): IterableIterator<string> {
    yield* this.toArray();
  }

  /**
   * One SSCAN step over a hashtable: pushes up to `count` members (looking at no more than
   * ten times as many slots) that come after `cursor`, and returns the cursor to continue
   * from, 0 at the end. An intset has no cursor: it is returned whole (cursor 0).
   */
  scan(cursor: number, count: number, out: string[]): number {
    const ints = this.ints;
    if (ints !== null) {
      for (let i = 0; i < ints.length; i++) out.push(ints[i]!);
      return 0;
    }
    const t = this.table!;
    const { slots, seqs } = t;
    let i = cursor === 0 ? 0 : this.firstAfter(t, cursor);
    let budget = count * 10;
    let got = 0;
    while (i < slots.length && got < count && budget-- > 0) {
      const m = slots[i++];
      if (m !== undefined) {
        out.push(m);
        got++;
      }
    }
    // Skip holes so that a scan that took the last member ends with cursor 0 at once.
    while (i < slots.length && slots[i] === undefined && budget-- > 0) i++;
    return i >= slots.length ? 0 : seqs[i - 1]!;
  }

  /** The first slot whose sequence number is above cursor (binary search). */
  private firstAfter(t: Table, cursor: number): number {
    const seqs = t.seqs;
    let lo = 0;
    let hi = seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (seqs[mid]! <= cursor) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  clone(): SetValue {
    if (this.ints !== null) return new SetValue(this.ints.slice(), null);
    const t = this.table!;
    const copy = newTable();
    copy.slots = t.slots.slice();
    copy.seqs = t.seqs.slice();
    copy.index = new Map(t.index);
    copy.holes = t.holes;
    copy.nextSeq = t.nextSeq;
    return new SetValue(null, copy);
  }

  /** DEBUG DIGEST-VALUE: XOR of a per-member hash, so order and encoding do not matter. */
  digest(): Buffer {
    const acc = Buffer.alloc(20);
    this.each((m) => {
      const d = createHash('sha1').update(`${m.length}:`).update(Buffer.from(m, 'latin1')).digest();
      for (let i = 0; i < 20; i++) acc[i]! ^= d[i]!;
    });
    return acc;
  }

  /** Estimated bytes, in the spirit of Redis's objectComputeSize (MEMORY USAGE). */
  memoryUsage(samples: number): number {
    const ROBJ = 16;
    const ints = this.ints;
    if (ints !== null) {
      const n = ints.length;
      let width = 2;
      if (n > 0) width = Math.max(intWidth(ints[0]!), intWidth(ints[n - 1]!));
      return ROBJ + 8 + n * width;
    }
    const n = this.size;
    let buckets = 4;
    while (buckets < n) buckets *= 2;
    let seen = 0;
    let bytes = 0;
    const slots = this.table!.slots;
    for (let i = 0; i < slots.length && (samples === 0 || seen < samples); i++) {
      const m = slots[i];
      if (m === undefined) continue;
      bytes += sdsSize(m.length) + 24;
      seen++;
    }
    const perMember = seen === 0 ? 0 : bytes / seen;
    return ROBJ + 56 + buckets * 8 + Math.round(perMember * n);
  }

  private tableAdd(m: string): boolean {
    const t = this.table!;
    if (t.index.has(m)) return false;
    t.index.set(m, t.slots.length);
    t.slots.push(m);
    t.seqs.push(t.nextSeq++);
    return true;
  }

  /** intset -> hashtable, keeping the ascending order as the initial iteration order. */
  private toHashtable(): void {
    const ints = this.ints!;
    const t = newTable();
    for (let i = 0; i < ints.length; i++) {
      const m = ints[i]!;
      t.index.set(m, i);
      t.slots.push(m);
      t.seqs.push(t.nextSeq++);
    }
    this.ints = null;
    this.table = t;
  }

  /** Drops holes at the end of the slot array. */
  private trimTail(t: Table): void {
    const { slots, seqs } = t;
    while (slots.length > 0 && slots[slots.length - 1] === undefined) {
      slots.pop();
      seqs.pop();
      t.holes--;
    }
  }

  /** Removes every hole, keeping order and sequence numbers (so SSCAN cursors stay valid). */
  private compact(t: Table): void {
    const { slots, seqs, index } = t;
    let w = 0;
    for (let r = 0; r < slots.length; r++) {
      const m = slots[r];
      if (m === undefined) continue;
      if (w !== r) {
        slots[w] = m;
        seqs[w] = seqs[r]!;
        index.set(m, w);
      }
      w++;
    }
    slots.length = w;
    seqs.length = w;
    t.holes = 0;
  }
}

/** Bytes per entry of the narrowest intset encoding that holds v (2, 4 or 8). */
function intWidth(v: string): number {
  if (v.length > 11) return 8;
  const n = Number(v);
  if (n >= -32768 && n <= 32767) return 2;
  if (n >= -2147483648 && n <= 2147483647) return 4;
  return 8;
}

/** Allocation size of an sds string of len bytes (header by length class, plus the NUL). */
function sdsSize(len: number): number {
  if (len < 32) return len + 2;
  if (len < 256) return len + 4;
  if (len < 65536) return len + 6;
  return len + 10;
}
