// An ordered map keyed by stream IDs (bigint, see stream-id.ts), used for a stream's entries
// and for the pending-entries lists of consumer groups. Keys live in sorted chunks of at most
// CHUNK entries: lookups and range seeks are a binary search over chunks then inside one
// (O(log n)), appending at the end is O(1), and a delete only shifts one chunk.

const CHUNK = 128;

interface Chunk<V> {
  keys: bigint[];
  vals: V[];
}

/** Index of the first element of a sorted array that is >= key (a.length when none). */
function lowerBound(a: readonly bigint[], key: bigint): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class IdMap<V> {
  private chunks: Chunk<V>[] = [];
  size = 0;

  /** The first chunk whose last key is >= key (chunks.length when none). */
  private chunkFor(key: bigint): number {
    const cs = this.chunks;
    let lo = 0;
    let hi = cs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const k = cs[mid]!.keys;
      if (k[k.length - 1]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(key: bigint): V | undefined {
    const ci = this.chunkFor(key);
    const c = this.chunks[ci];
    if (c === undefined) return undefined;
    const i = lowerBound(c.keys, key);
    return c.keys[i] === key ? c.vals[i] : undefined;
  }

  has(key: bigint): boolean {
    return this.get(key) !== undefined;
  }

  /** Inserts or replaces; true when the key was new. */
  set(key: bigint, val: V): boolean {
    const cs = this.chunks;
    const last = cs[cs.length - 1];
    if (last === undefined || last.keys[last.keys.length - 1]! < key) {
      // Append: the common case (XADD, delivering new entries).
      if (last === undefined || last.keys.length >= CHUNK) cs.push({ keys: [key], vals: [val] });
      else {
        last.keys.push(key);
        last.vals.push(val);
      }
      this.size++;
      return true;
    }
    const ci = this.chunkFor(key);
    const c = cs[ci]!;
    const i = lowerBound(c.keys, key);
    if (c.keys[i] === key) {
      c.vals[i] = val;
      return false;
    }
    c.keys.splice(i, 0, key);
    c.vals.splice(i, 0, val);
    this.size++;
    if (c.keys.length > 2 * CHUNK) {
      const half = c.keys.length >>> 1;
      cs.splice(ci + 1, 0, { keys: c.keys.splice(half), vals: c.vals.splice(half) });
    }
    return true;
  }

  /** Removes key; returns its value, or undefined when absent. */
  delete(key: bigint): V | undefined {
    const ci = this.chunkFor(key);
    const c = this.chunks[ci];
    if (c === undefined) return undefined;
    const i = lowerBound(c.keys, key);
    if (c.keys[i] !== key) return undefined;
    const v = c.vals[i]!;
    if (i === 0) {
      c.keys.shift();
      c.vals.shift();
    } else {
      c.keys.splice(i, 1);
      c.vals.splice(i, 1);
    }
    if (c.keys.length === 0) this.chunks.splice(ci, 1);
    this.size--;
    return v;
  }

  firstKey(): bigint | undefined {
    return this.chunks[0]?.keys[0];
  }

  lastKey(): bigint | undefined {
    const c = this.chunks[this.chunks.length - 1];
    return c === undefined ? undefined : c.keys[c.keys.length - 1];
  }

  /** The smallest key >= key, or undefined. */
  ceilKey(key: bigint): bigint | undefined {
    const c = this.chunks[this.chunkFor(key)];
    return c === undefined ? undefined : c.keys[lowerBound(c.keys, key)];
  }

  /** The largest key <= key, or undefined. */
  floorKey(key: bigint): bigint | undefined {
    const cs = this.chunks;
    let ci = this.chunkFor(key);
    if (ci < cs.length) {
      const c = cs[ci]!;
      const i = lowerBound(c.keys, key);
      if (c.keys[i] === key) return key;
      if (i > 0) return c.keys[i - 1];
    }
    ci--;
    if (ci < 0) return undefined;
    const p = cs[ci]!.keys;
    return p[p.length - 1];
  }

  /**
   * Entries with lo <= key <= hi, ascending (or descending when rev), at most `limit` of
   * them (0 = no limit). Collected into an array, so callers may modify the map afterwards.
   */
  range(lo: bigint, hi: bigint, limit: number, rev = false): [bigint, V][] {
    const out: [bigint, V][] = [];
    if (lo > hi) return out;
    const cs = this.chunks;
    if (!rev) {
      let ci = this.chunkFor(lo);
      if (ci >= cs.length) return out;
      let i = lowerBound(cs[ci]!.keys, lo);
      for (; ci < cs.length; ci++, i = 0) {
        const c = cs[ci]!;
        for (; i < c.keys.length; i++) {
          const k = c.keys[i]!;
          if (k > hi) return out;
          out.push([k, c.vals[i]!]);
          if (out.length === limit) return out;
        }
      }
      return out;
    }
    let ci = this.chunkFor(hi);
    let i: number;
    if (ci >= cs.length) {
      ci = cs.length - 1;
      if (ci < 0) return out;
      i = cs[ci]!.keys.length - 1;
    } else {
      const c = cs[ci]!;
      i = lowerBound(c.keys, hi);
      if (c.keys[i] !== hi) i--;
    }
    for (; ci >= 0; ci--, i = ci >= 0 ? cs[ci]!.keys.length - 1 : 0) {
      const c = cs[ci]!;
      for (; i >= 0; i--) {
        const k = c.keys[i]!;
        if (k < lo) return out;
        out.push([k, c.vals[i]!]);
        if (out.length === limit) return out;
      }
    }
    return out;
  }

  /** Every entry in key order. */
  *entries(): IterableIterator<[bigint, V]> {
    for (const c of this.chunks) for (let i = 0; i < c.keys.length; i++) yield [c.keys[i]!, c.vals[i]!];
  }

  /** Drops the first n entries (trimming). */
  dropFirst(n: number): void {
    const cs = this.chunks;
    let k = 0;
    while (n > 0 && k < cs.length && cs[k]!.keys.length <= n) {
      n -= cs[k]!.keys.length;
      this.size -= cs[k]!.keys.length;
      k++;
    }
    if (k > 0) cs.splice(0, k);
    if (n > 0 && cs.length > 0) {
      cs[0]!.keys.splice(0, n);
      cs[0]!.vals.splice(0, n);
      this.size -= n;
    }
  }
}
