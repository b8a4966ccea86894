// A model of the size Redis's query buffer would have for this client. Redoubt's parser does
// not keep one growable buffer, but CLIENT LIST reports qbuf / qbuf-free and tests (and
// operators) read them, so the parser drives this model with the same events Redis's buffer
// sees: a read, the start and end of a big argument, the end of a round of commands, and the
// periodic resize in the clients cron.

/** PROTO_IOBUF_LEN: what one read asks for. */
const IOBUF_LEN = 16 * 1024;
/** PROTO_RESIZE_THRESHOLD: a buffer above this is trimmed when much bigger than its peak. */
const RESIZE_THRESHOLD = 32 * 1024;
/** SDS_MAX_PREALLOC: greedy growth doubles up to this, then adds this much. */
const MAX_PREALLOC = 1024 * 1024;

/** The usable size of an allocation of n bytes with jemalloc's size classes. */
export function allocSize(n: number): number {
  if (n <= 8) return 8;
  if (n <= 128) return Math.ceil(n / 16) * 16;
  // Four classes per power of two above 128.
  const spacing = 2 ** (Math.floor(Math.log2(n - 1)) - 2);
  return Math.ceil(n / spacing) * spacing;
}

/** Header size of an sds string able to hold len bytes (types 8/16/32/64; 5 is never used for buffers). */
export function sdsHeader(len: number): number {
  if (len < 256) return 3;
  if (len < 65536) return 5;
  if (len < 2 ** 32) return 9;
  return 17;
}

/** Usable capacity of an sds buffer allocated for `want` bytes. */
function sdsCapacity(want: number): number {
  const hdr = sdsHeader(want);
  return allocSize(hdr + want + 1) - hdr - 1;
}

export class QueryBufModel {
  /** sdsalloc(querybuf): capacity of the modelled buffer. */
  alloc = 0;
  /** Largest length seen since the last cron pass. */
  peak = 0;

  /** A socket read of n bytes into a buffer holding len bytes (bigRemaining > 0 inside a big argument). */
  onRead(len: number, n: number, bigRemaining: number): void {
    const big = bigRemaining > 0;
    const readlen = big ? bigRemaining : IOBUF_LEN;
    // Redis asks for readlen bytes per read and runs the commands in between, so a bigger
    // chunk here stands for several reads into a buffer of this size, not a bigger buffer.
    const need = len + readlen;
    if (this.alloc < need) {
      const greedy = !big && this.alloc >= IOBUF_LEN;
      const target = greedy ? (need < MAX_PREALLOC ? need * 2 : need + MAX_PREALLOC) : need;
      this.alloc = sdsCapacity(target);
    }
    const filled = len + Math.min(n, readlen);
    if (filled > this.peak) this.peak = filled;
  }

  /** A big argument of `bulkLen` bytes starts: the buffer is trimmed and sized to hold it. */
  onBigArgStart(bulkLen: number): void {
    if (this.alloc < bulkLen + 2) this.alloc = bulkLen + 2;
  }

  /** The big argument became the argument itself; a fresh buffer of the same size replaces it. */
  onBigArgDone(bulkLen: number): void {
    this.alloc = bulkLen + 2;
  }

  /** clientsCronResizeQueryBuffer: reclaim the space of idle or oversized buffers. */
  cron(len: number, idleSeconds: number, bulkLen: number): void {
    if (this.alloc - len > 4096) {
      if (idleSeconds > 2) {
        this.alloc = len;
      } else if (this.alloc > RESIZE_THRESHOLD && this.alloc / 2 > this.peak) {
        this.alloc = Math.max(len, this.peak, bulkLen);
      }
    }
    this.peak = Math.max(len, bulkLen);
  }
}
