// The replication backlog: the last `size` bytes of the replication stream, so that a replica
// that lost its link can continue from its offset (PSYNC → +CONTINUE) instead of a full sync.
// Offsets follow Redis: the stream's bytes are numbered from 1, `end` is master_repl_offset
// (the last byte produced), and the history held is (end - histlen, end], so the first byte
// held is end - histlen + 1 (repl_backlog_first_byte_offset).
//
// A circular buffer whose storage grows on demand up to `size`: a 1gb backlog on an idle
// server costs nothing until the stream actually fills it.

const MIN_CAPACITY = 16 * 1024;

export class Backlog {
  private buf: Buffer;
  /** Where the next byte goes in buf. */
  private idx = 0;
  /** Bytes of history held (at most size). */
  histlen = 0;

  /** `end`: the stream offset the backlog starts after (the current master_repl_offset). */
  constructor(
    private limit: number,
    public end: number,
  ) {
    this.buf = Buffer.allocUnsafe(Math.min(limit, MIN_CAPACITY));
  }

  get size(): number {
    return this.limit;
  }

  /** The first offset held (repl_backlog_first_byte_offset); end + 1 while empty. */
  get firstByteOffset(): number {
    return this.end - this.histlen + 1;
  }

  /** Bytes of storage allocated (mem_replication_backlog). */
  get allocated(): number {
    return this.buf.length;
  }

  /** Appends stream bytes; the oldest fall off once size is reached. */
  append(data: Buffer): void {
    this.end += data.length;
    if (data.length >= this.limit) {
      this.reset(data.subarray(data.length - this.limit));
      return;
    }
    this.ensureRoom(this.histlen + data.length);
    const cap = this.buf.length;
    const first = Math.min(data.length, cap - this.idx);
    data.copy(this.buf, this.idx, 0, first);
    if (first < data.length) data.copy(this.buf, 0, first);
    this.idx = (this.idx + data.length) % cap;
    this.histlen = Math.min(this.histlen + data.length, this.limit);
  }

  /** True when a replica asking to continue from `offset` (its last byte + 1) can be served. */
  covers(offset: number): boolean {
    return offset >= this.firstByteOffset && offset <= this.end + 1;
  }

  /** The history from `offset` to the end (the offset must be covered). */
  from(offset: number): Buffer {
    const n = this.end + 1 - offset;
    if (n <= 0) return Buffer.alloc(0);
    return this.tail(Math.min(n, this.histlen));
  }

  /** CONFIG SET repl-backlog-size: keeps the newest bytes that still fit. */
  resize(limit: number): void {
    if (limit === this.limit) return;
    const keep = this.tail(Math.min(this.histlen, limit));
    this.limit = limit;
    this.buf = Buffer.allocUnsafe(Math.min(limit, Math.max(MIN_CAPACITY, keep.length)));
    this.idx = 0;
    this.histlen = 0;
    this.place(keep);
  }

  /** The newest n bytes, in stream order. */
  private tail(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    const cap = this.buf.length;
    const start = (this.idx - n + cap) % cap;
    const first = Math.min(n, cap - start);
    this.buf.copy(out, 0, start, start + first);
    if (first < n) this.buf.copy(out, first, 0, n - first);
    return out;
  }

  /** Grows storage (up to limit) so that `need` bytes of history fit without wrapping over it. */
  private ensureRoom(need: number): void {
    const cap = this.buf.length;
    if (need <= cap || cap >= this.limit) return;
    const next = Math.min(this.limit, Math.max(need, cap * 2));
    const keep = this.tail(this.histlen);
    this.buf = Buffer.allocUnsafe(next);
    this.idx = 0;
    this.histlen = 0;
    this.place(keep);
  }

  private reset(newest: Buffer): void {
    this.buf = Buffer.allocUnsafe(this.limit);
    this.idx = 0;
    this.histlen = 0;
    this.place(newest);
  }

  /** Writes bytes at the start of empty storage (they fit). */
  private place(bytes: Buffer): void {
    bytes.copy(this.buf, 0);
    this.idx = bytes.length % this.buf.length;
    this.histlen = bytes.length;
  }
}
