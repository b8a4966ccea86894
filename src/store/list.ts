// The list value: a growable ring buffer of latin1 strings. Push and pop at both ends are
// O(1) amortized, index access is O(1); inserting or removing in the middle shifts the
// shorter side, like a deque. Redis 7.0 always reports lists as 'quicklist' (the listpack
// encoding for small lists only arrived in 7.2), whatever list-max-listpack-size says;
// that setting only shapes the node count in the memory estimate.

const MIN_CAPACITY = 8;

export class ListValue implements Iterable<string> {
  private buf: (string | undefined)[];
  private head = 0;
  private len = 0;
  /** capacity - 1; the capacity is always a power of two. */
  private mask: number;

  constructor(items?: Iterable<string>) {
    this.buf = new Array<string | undefined>(MIN_CAPACITY);
    this.mask = MIN_CAPACITY - 1;
    if (items !== undefined) for (const s of items) this.pushTail(s);
  }

  get length(): number {
    return this.len;
  }

  pushHead(v: string): void {
    if (this.len === this.buf.length) this.resize(this.buf.length * 2);
    this.head = (this.head - 1) & this.mask;
    this.buf[this.head] = v;
    this.len++;
  }

  pushTail(v: string): void {
    if (this.len === this.buf.length) this.resize(this.buf.length * 2);
    this.buf[(this.head + this.len) & this.mask] = v;
    this.len++;
  }

  popHead(): string | undefined {
    if (this.len === 0) return undefined;
    const v = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.len--;
    this.maybeShrink();
    return v;
  }

  popTail(): string | undefined {
    if (this.len === 0) return undefined;
    const i = (this.head + this.len - 1) & this.mask;
    const v = this.buf[i];
    this.buf[i] = undefined;
    this.len--;
    this.maybeShrink();
    return v;
  }

  /** Element at index i (0 = head), i within [0, length). */
  at(i: number): string {
    return this.buf[(this.head + i) & this.mask]!;
  }

  set(i: number, v: string): void {
    this.buf[(this.head + i) & this.mask] = v;
  }

  /** Inserts v so that it ends up at index i (0 <= i <= length). */
  insertAt(i: number, v: string): void {
    if (i === 0) return this.pushHead(v);
    if (i === this.len) return this.pushTail(v);
    if (this.len === this.buf.length) this.resize(this.buf.length * 2);
    if (i < this.len / 2) {
      // Shift the first i elements one slot towards the head.
      this.head = (this.head - 1) & this.mask;
      for (let k = 0; k < i; k++) this.set(k, this.at(k + 1));
    } else {
      for (let k = this.len; k > i; k--) this.buf[(this.head + k) & this.mask] = this.at(k - 1);
    }
    this.len++;
    this.set(i, v);
  }

  /** Removes the element at index i (0 <= i < length). */
  removeAt(i: number): void {
    if (i < this.len / 2) {
      for (let k = i; k > 0; k--) this.set(k, this.at(k - 1));
      this.popHead();
    } else {
      for (let k = i; k < this.len - 1; k++) this.set(k, this.at(k + 1));
      this.popTail();
    }
  }

  /** Drops n elements from the head. */
  trimHead(n: number): void {
    n = Math.min(n, this.len);
    for (let k = 0; k < n; k++) this.buf[(this.head + k) & this.mask] = undefined;
    this.head = (this.head + n) & this.mask;
    this.len -= n;
    this.maybeShrink();
  }

  /** Drops n elements from the tail. */
  trimTail(n: number): void {
    n = Math.min(n, this.len);
    for (let k = this.len - n; k < this.len; k++) this.buf[(this.head + k) & this.mask] = undefined;
    this.len -= n;
    this.maybeShrink();
  }

  /**
   * Removes up to `limit` elements equal to v (0 = all), scanning from the head, or from the
   * tail when fromTail. One compaction pass; returns how many were removed.
   */
  removeMatching(v: string, limit: number, fromTail: boolean): number {
    const n = this.len;
    let removed = 0;
    if (!fromTail) {
      let w = 0;
      for (let r = 0; r < n; r++) {
        const x = this.at(r);
        if (x === v && (limit === 0 || removed < limit)) removed++;
        else {
          if (w !== r) this.set(w, x);
          w++;
        }
      }
      this.trimTail(n - w);
    } else {
      let w = n - 1;
      for (let r = n - 1; r >= 0; r--) {
        const x = this.at(r);
        if (x === v && (limit === 0 || removed < limit)) removed++;
        else {
          if (w !== r) this.set(w, x);
          w--;
        }
      }
      this.trimHead(w + 1);
    }
    return removed;
  }

  /** Index of the first element equal to v from the head, or -1. */
  indexOf(v: string): number {
    for (let i = 0; i < this.len; i++) if (this.at(i) === v) return i;
    return -1;
  }

  *[Symbol.iterator](): Iterator<string> {
    for (let i = 0; i < this.len; i++) yield this.at(i);
  }

  toArray(): string[] {
    const out = new Array<string>(this.len);
    for (let i = 0; i < this.len; i++) out[i] = this.at(i);
    return out;
  }

  /** OBJECT ENCODING: Redis 7.0 lists are always quicklists. */
  encoding(): string {
    return 'quicklist';
  }

  clone(): ListValue {
    const l = new ListValue();
    l.resize(Math.max(MIN_CAPACITY, this.buf.length));
    for (let i = 0; i < this.len; i++) l.buf[i] = this.at(i);
    l.len = this.len;
    return l;
  }

  /**
   * Estimated bytes, in the spirit of Redis's objectComputeSize for a quicklist: the
   * quicklist header, one node (and listpack header) per `fill` entries, and the sampled
   * average entry size times the length. fill is list-max-listpack-size (negative: a size
   * class of 4/8/16/32/64 KB per node).
   */
  memoryUsage(samples: number, fill = -2): number {
    const ROBJ = 16;
    const n = this.len;
    let seen = 0;
    let bytes = 0;
    for (let i = 0; i < n && (samples === 0 || seen < samples); i++) {
      bytes += entryBytes(this.at(i));
      seen++;
    }
    const per = seen === 0 ? 0 : bytes / seen;
    const total = Math.round(per * n);
    let nodes: number;
    if (fill > 0) nodes = Math.ceil(n / fill);
    else nodes = Math.ceil(total / (4096 << Math.min(4, Math.max(0, -fill - 1))));
    nodes = Math.max(n > 0 ? 1 : 0, nodes);
    return ROBJ + 40 + nodes * (32 + 7) + total;
  }

  private maybeShrink(): void {
    const cap = this.buf.length;
    if (cap > MIN_CAPACITY && this.len < cap / 4) this.resize(cap / 2);
  }

  private resize(cap: number): void {
    const nb = new Array<string | undefined>(cap);
    for (let i = 0; i < this.len; i++) nb[i] = this.buf[(this.head + i) & this.mask];
    this.buf = nb;
    this.head = 0;
    this.mask = cap - 1;
  }
}

/** Listpack bytes of one entry: header, payload (integers are packed), back length. */
function entryBytes(s: string): number {
  const n = s.length;
  if (n <= 20 && /^(?:0|-?[1-9]\d*)$/.test(s)) {
    const v = Number(s);
    if (v >= 0 && v <= 127) return 2;
    if (v >= -4096 && v <= 4095) return 3;
    if (v >= -32768 && v <= 32767) return 4;
    if (v >= -8388608 && v <= 8388607) return 5;
    if (v >= -2147483648 && v <= 2147483647) return 6;
    return 10;
  }
  const hdr = n < 64 ? 1 : n < 4096 ? 2 : 5;
  const payload = hdr + n;
  const back = payload < 128 ? 1 : payload < 16384 ? 2 : payload < 2097152 ? 3 : 4;
  return payload + back;
}
