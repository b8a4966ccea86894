// Incremental RESP request parser (multibulk and inline), the way Redis's processInputBuffer
// reads a query buffer: a cursor over the pending bytes, lengths parsed straight from bytes,
// big bulk arguments copied once into an exact-size buffer. Arguments come out as latin1
// strings (one char per byte), so keys and values stay binary-safe.

import { E, protoExpectedDollar } from './errors.js';
import { splitArgs } from './splitargs.js';
import { QueryBufModel } from './querybuf.js';
import { SHORT_MAX, latin1Short } from './latin1.js';

const CR = 13;
const LF = 10;
const INLINE_MAX = 64 * 1024; // PROTO_INLINE_MAX_SIZE
const BIG_ARG = 32 * 1024; // PROTO_MBULK_BIG_ARG
const INT_MAX = 2147483647;
const EMPTY = Buffer.alloc(0);

/** Header lines ("$3", "*16") are short: a JS scan beats a native indexOf call for them. */
const SCAN_SHORT = 24;
/** Command names up to this length are remembered per client (see commandName). */
const NAME_MAX = 24;

/** An argument's bytes as a latin1 string (short ones without a native call). */
function argString(buf: Buffer, start: number, n: number): string {
  return n <= SHORT_MAX ? latin1Short(buf, start, n) : buf.latin1Slice(start, start + n);
}

/** Position of the next CR at or after `from`, or -1. */
function findCR(buf: Buffer, from: number): number {
  const end = Math.min(buf.length, from + SCAN_SHORT);
  for (let i = from; i < end; i++) if (buf[i] === CR) return i;
  return end < buf.length ? buf.indexOf(CR, end) : -1;
}

/** Parses a decimal integer like Redis's string2ll; NaN when malformed. */
export function parseLongBytes(buf: Buffer, start: number, end: number): number {
  const len = end - start;
  if (len <= 0 || len > 20) return NaN;
  let i = start;
  let neg = false;
  if (buf[i] === 45) {
    neg = true;
    i++;
    if (i === end) return NaN;
  }
  if (buf[i] === 48) return i + 1 === end && !neg ? 0 : NaN;
  let v = 0;
  for (; i < end; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return neg ? -v : v;
}

export class RequestParser {
  /** proto-max-bulk-len */
  maxBulkLen = 512 * 1024 * 1024;
  /** True while the client must still authenticate: tighter limits apply (Redis 7.0.15). */
  authRequired = false;
  /** Set to the error reply once the stream is unusable; the connection must be closed. */
  error: string | null = null;

  private buf: Buffer = EMPTY;
  /** Whether buf is memory lent by the caller of feed() (see ownLeftover). */
  private borrowed = false;
  private pos = 0;
  private mbLeft = 0;
  private args: string[] = [];
  private bulkLen = -1;
  private big: Buffer | null = null;
  private bigFill = 0;
  /** The size Redis's query buffer would have (CLIENT LIST qbuf-free). */
  readonly qbuf = new QueryBufModel();
  /** Bytes received in total, and the total when the current round of commands began. */
  private fed = 0;
  private roundMark = 0;

  /** Bytes received and not yet consumed by a complete command (CLIENT LIST qbuf, query-buffer limit). */
  get pending(): number {
    return this.buf.length - this.pos + this.bigFill;
  }

  /** Size of the partially received argument buffer (counts toward the query buffer). */
  get bufferedCapacity(): number {
    return this.buf.length - this.pos + (this.big ? this.big.length : 0);
  }

  /** Length of Redis's query buffer: unparsed bytes plus the commands parsed in this round. */
  get qbufLength(): number {
    return this.fed - this.roundMark;
  }

  /**
   * Memory held by the arguments of a command not complete yet (Redis counts them as the
   * client's argv): each argument's bytes plus its object and pointer.
   */
  get partialArgBytes(): number {
    let n = 0;
    for (const a of this.args) n += a.length + 24;
    return n;
  }

  /** Length of the bulk argument being read, or -1. */
  get currentBulkLen(): number {
    return this.bulkLen;
  }

  /** The commands of one read were all run: Redis trims them from its buffer here. */
  endRound(): void {
    this.roundMark = this.fed - this.pending;
  }

  /**
   * Adds received bytes. `borrowed`: the chunk's memory will be reused once the caller is done
   * with this read, so the caller must call ownLeftover() before that.
   */
  feed(chunk: Buffer, borrowed = false): void {
    this.qbuf.onRead(this.qbufLength, chunk.length, this.big !== null ? this.big.length - this.bigFill : 0);
    this.fed += chunk.length;
    if (this.big !== null) chunk = this.fillBig(chunk);
    if (chunk.length === 0) return;
    if (this.pos >= this.buf.length) {
      this.buf = chunk;
      this.borrowed = borrowed;
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
      this.borrowed = false;
    }
    this.pos = 0;
  }

  /** Copies the unparsed rest of a borrowed chunk into memory of the parser's own. */
  ownLeftover(): void {
    if (!this.borrowed) return;
    this.borrowed = false;
    if (this.pos < this.buf.length) this.buf = Buffer.from(this.buf.subarray(this.pos));
    else this.buf = EMPTY;
    this.pos = 0;
  }

  /** Returns the next complete command, or null when more bytes are needed or on error. */
  next(): string[] | null {
    for (;;) {
      if (this.error !== null || this.big !== null) return null;
      if (this.mbLeft === 0) {
        if (this.pos >= this.buf.length) {
          this.release();
          return null;
        }
        if (this.buf[this.pos] !== 42 /* '*' */) {
          const inl = this.inline();
          if (inl === null) return null;
          if (inl.length === 0) continue;
          return inl;
        }
        const n = this.multibulkHeader();
        if (n === null) return null;
        if (n <= 0) continue;
        this.mbLeft = n;
        this.args = [];
      }
      const cmd = this.bulks();
      if (cmd !== null) return cmd;
      return null;
    }
  }

  private release(): void {
    this.buf = EMPTY;
    this.pos = 0;
  }

  private fail(msg: string): null {
    this.error = msg;
    this.release();
    this.big = null;
    return null;
  }

  private inline(): string[] | null {
    const nl = this.buf.indexOf(LF, this.pos);
    if (nl < 0) {
      if (this.buf.length - this.pos > INLINE_MAX) return this.fail(E.protoBigInline);
      return null;
    }
    let end = nl;
    if (end > this.pos && this.buf[end - 1] === CR) end--;
    const line = this.buf.latin1Slice(this.pos, end);
    this.pos = nl + 1;
    const argv = splitArgs(line);
    if (argv === null) return this.fail(E.protoUnbalancedQuotes);
    return argv;
  }

  /** Reads "*<n>\r\n"; null when incomplete or on error. */
  private multibulkHeader(): number | null {
    const cr = findCR(this.buf, this.pos);
    if (cr < 0) {
      if (this.buf.length - this.pos > INLINE_MAX) return this.fail(E.protoBigMbulkCount);
      return null;
    }
    if (cr + 1 >= this.buf.length) return null;
    const n = parseLongBytes(this.buf, this.pos + 1, cr);
    if (Number.isNaN(n) || n > INT_MAX) return this.fail(E.protoInvalidMultibulk);
    if (n > 10 && this.authRequired) return this.fail(E.protoUnauthMultibulk);
    this.pos = cr + 2;
    return n;
  }

  /**
   * The common case in one tight loop over locals: complete, well-formed, not-big arguments.
   * It stops at anything else (a partial argument, a malformed or long length, a limit) and
   * leaves it to bulks(), which parses from the same position and knows every error.
   */
  private fastBulks(): void {
    if (this.bulkLen >= 0) return;
    const buf = this.buf;
    const end = buf.length;
    const max = Math.min(this.authRequired ? 16384 : this.maxBulkLen, BIG_ARG - 1);
    const args = this.args;
    let pos = this.pos;
    let left = this.mbLeft;
    while (left > 0) {
      if (pos + 3 >= end || buf[pos] !== 36 /* '$' */) break;
      let i = pos + 1;
      let n = 0;
      if (buf[i] === 48 /* '0' */) {
        i++; // "$0": any further digit is a leading zero, which bulks() rejects
      } else {
        const stop = Math.min(end, i + 9);
        for (; i < stop; i++) {
          const d = buf[i]! - 48;
          if (d < 0 || d > 9) break;
          n = n * 10 + d;
        }
        if (i === pos + 1) break;
      }
      if (i + 1 >= end || buf[i] !== CR || n > max) break;
      const start = i + 2;
      if (end - start < n + 2) break;
      args.push(args.length === 0 ? this.commandName(buf, start, n) : argString(buf, start, n));
      pos = start + n + 2;
      left--;
    }
    this.pos = pos;
    this.mbLeft = left;
  }

  private bulks(): string[] | null {
    this.fastBulks();
    const buf = this.buf;
    while (this.mbLeft > 0) {
      if (this.bulkLen < 0) {
        const cr = findCR(buf, this.pos);
        if (cr < 0) {
          if (buf.length - this.pos > INLINE_MAX) return this.fail(E.protoBigBulkCount);
          return null;
        }
        if (cr + 1 >= buf.length) return null;
        if (buf[this.pos] !== 36 /* '$' */) return this.fail(protoExpectedDollar(String.fromCharCode(buf[this.pos]!)));
        const n = parseLongBytes(buf, this.pos + 1, cr);
        if (Number.isNaN(n) || n < 0 || n > this.maxBulkLen) return this.fail(E.protoInvalidBulk);
        if (n > 16384 && this.authRequired) return this.fail(E.protoUnauthBulk);
        this.pos = cr + 2;
        this.bulkLen = n;
        if (n >= BIG_ARG && buf.length - this.pos < n + 2) {
          // A big argument that is not all here yet: copy it once into its own buffer.
          this.big = Buffer.allocUnsafe(n + 2);
          this.bigFill = 0;
          const rest = buf.subarray(this.pos);
          this.roundMark = this.fed - rest.length;
          this.qbuf.onBigArgStart(n);
          this.release();
          this.fillBig(rest);
          return null;
        }
      }
      if (buf.length - this.pos < this.bulkLen + 2) return null;
      const arg =
        this.args.length === 0 ? this.commandName(buf, this.pos, this.bulkLen) : argString(buf, this.pos, this.bulkLen);
      this.args.push(arg);
      this.pos += this.bulkLen + 2;
      this.bulkLen = -1;
      this.mbLeft--;
    }
    const args = this.args;
    this.args = [];
    return args;
  }

  private nameBytes: Buffer = EMPTY;
  private nameStr = '';

  /**
   * The first argument: a client usually sends the same command name over and over, so the
   * last one is kept with its bytes and reused when they match (no new string per command).
   */
  private commandName(buf: Buffer, pos: number, n: number): string {
    const last = this.nameBytes;
    if (n === last.length) {
      let i = 0;
      while (i < n && buf[pos + i] === last[i]) i++;
      if (i === n) return this.nameStr;
    }
    const s = argString(buf, pos, n);
    if (n <= NAME_MAX) {
      this.nameBytes = Buffer.from(buf.subarray(pos, pos + n));
      this.nameStr = s;
    }
    return s;
  }

  /** Copies bytes into the pending big argument; returns what is left over after it. */
  private fillBig(chunk: Buffer): Buffer {
    const big = this.big!;
    const take = Math.min(chunk.length, big.length - this.bigFill);
    chunk.copy(big, this.bigFill, 0, take);
    this.bigFill += take;
    if (this.bigFill < big.length) return EMPTY;
    this.args.push(big.latin1Slice(0, big.length - 2));
    this.roundMark = this.fed - (chunk.length - take);
    this.qbuf.onBigArgDone(big.length - 2);
    this.big = null;
    this.bigFill = 0;
    this.bulkLen = -1;
    this.mbLeft--;
    const rest = chunk.subarray(take);
    if (this.mbLeft === 0) this.ready.push(this.args.splice(0));
    return rest;
  }

  /** Commands completed while filling a big argument, handed out before anything else. */
  private ready: string[][] = [];

  /** Like next(), but first drains commands completed inside feed(). */
  take(): string[] | null {
    if (this.ready.length > 0) return this.ready.shift()!;
    return this.next();
  }
}
