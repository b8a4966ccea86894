// The reply writer: every handler writes its reply here, never to a socket. Bytes go into a
// per-client chunk used as a bump allocator: a flush hands the filled region to the network
// layer and later writes continue after it, so nothing handed out is ever overwritten and one
// read's replies leave in one write. RESP3 types degrade to their RESP2 shapes when resp=2.

import { fmtG17 } from './numfmt.js';
import { errorCode, sanitizeError, withCode } from './errors.js';

const CHUNK = 16 * 1024;
/** Below this length a JS byte loop beats the native latin1Write call. */
const SHORT = 32;

/** Writes s[0..n) as latin1 bytes at p (room is ensured); returns the end position. */
function putLatin1(buf: Buffer, p: number, s: string, n: number): number {
  if (n >= SHORT) return p + buf.latin1Write(s, p, n);
  for (let i = 0; i < n; i++) buf[p + i] = s.charCodeAt(i);
  return p + n;
}
const BIG = 4 * 1024;

/** Decimal digits of 0 <= n < 1e9. */
function decimalDigits(n: number): number {
  let d = 1;
  for (let v = n; v >= 10; v = (v / 10) | 0) d++;
  return d;
}

/** Writes 0 <= n < 1e9 in decimal at p (room is ensured); returns the end position. */
function putDecimal(buf: Buffer, p: number, n: number): number {
  const end = p + decimalDigits(n);
  // n fits int32: integer division by truncation.
  for (let i = end - 1, v = n; i >= p; i--) {
    const q = (v / 10) | 0;
    buf[i] = 48 + v - q * 10;
    v = q;
  }
  return end;
}

/** Where error replies are counted (INFO errorstats, total_error_replies). */
export interface ErrorSink {
  countError(code: string): void;
}

export interface ReplyMark {
  parts: number;
  chunk: Buffer;
  start: number;
  len: number;
  bytes: number;
}

export class ReplyWriter {
  resp: 2 | 3 = 2;
  /** Error replies written since the last reset (the gate reads it to count failed calls). */
  errors = 0;
  /** The text of the last error reply (the replica logs errors it would send to its primary). */
  lastError = '';
  /** Bytes queued and not yet handed to the network (CLIENT LIST omem, output limits). */
  bytes = 0;
  private chunk: Buffer = Buffer.allocUnsafe(0);
  private start = 0;
  private len = 0;
  private parts: Buffer[] = [];
  /** Called each time a writer's pending output grows by a chunk or a big part (output buffer limits). */
  static grew: ((w: ReplyWriter) => void) | null = null;

  constructor(private readonly sink: ErrorSink | null = null) {}

  get hasPending(): boolean {
    return this.len > this.start || this.parts.length > 0;
  }

  /** Takes everything written so far, as buffers ready for the socket. */
  take(): Buffer[] {
    const out = this.parts;
    if (this.len > this.start) out.push(this.chunk.subarray(this.start, this.len));
    this.start = this.len;
    this.parts = [];
    this.bytes = 0;
    return out;
  }

  /** Position to rewind to (CLIENT REPLY OFF/SKIP drop a command's reply). */
  mark(): ReplyMark {
    return { parts: this.parts.length, chunk: this.chunk, start: this.start, len: this.len, bytes: this.bytes };
  }

  rewind(m: ReplyMark): void {
    if (this.parts.length === m.parts && this.chunk === m.chunk && this.start === m.start) {
      this.len = m.len;
    } else {
      // The chunk was sealed after the mark: keep only what was written before it.
      this.parts.length = m.parts;
      if (m.len > m.start) this.parts.push(m.chunk.subarray(m.start, m.len));
      this.start = this.len;
    }
    this.bytes = m.bytes;
  }

  private room(n: number): void {
    if (this.len + n <= this.chunk.length) return;
    if (this.len > this.start) this.parts.push(this.chunk.subarray(this.start, this.len));
    this.chunk = Buffer.allocUnsafe(Math.max(CHUNK, n));
    this.start = 0;
    this.len = 0;
    if (ReplyWriter.grew !== null) ReplyWriter.grew(this);
  }

  /** Raw latin1 text (already RESP-encoded). */
  raw(s: string): void {
    const n = s.length;
    this.bytes += n;
    if (n > BIG) {
      this.seal();
      this.parts.push(Buffer.from(s, 'latin1'));
      if (ReplyWriter.grew !== null) ReplyWriter.grew(this);
      return;
    }
    this.room(n);
    this.len = putLatin1(this.chunk, this.len, s, n);
  }

  rawBuffer(b: Buffer): void {
    this.bytes += b.length;
    if (b.length > BIG) {
      this.seal();
      this.parts.push(Buffer.from(b));
      if (ReplyWriter.grew !== null) ReplyWriter.grew(this);
      return;
    }
    this.room(b.length);
    b.copy(this.chunk, this.len);
    this.len += b.length;
  }

  private seal(): void {
    if (this.len > this.start) this.parts.push(this.chunk.subarray(this.start, this.len));
    this.start = this.len;
  }

  ok(): void {
    this.raw('+OK\r\n');
  }

  simple(s: string): void {
    this.raw('+' + s + '\r\n');
  }

  /** An error reply; "ERR " is added unless the text starts with a code such as WRONGTYPE. */
  error(msg: string): void {
    const text = withCode(sanitizeError(msg));
    this.errors++;
    this.lastError = text;
    this.sink?.countError(errorCode(text));
    this.raw('-' + text + '\r\n');
  }

  int(n: number | bigint): void {
    if (typeof n === 'number' && n >= 0 && n < 1e9 && (n | 0) === n) this.line(58 /* ':' */, n);
    else this.raw(':' + n + '\r\n');
  }

  /** "<prefix><n>\r\n" for 0 <= n < 1e9, written as bytes (array lengths, small integers). */
  private line(prefix: number, n: number): void {
    const total = decimalDigits(n) + 3;
    this.bytes += total;
    this.room(total);
    const c = this.chunk;
    c[this.len] = prefix;
    const p = putDecimal(c, this.len + 1, n);
    c[p] = 13;
    c[p + 1] = 10;
    this.len = p + 2;
  }

  bulk(s: string): void {
    const n = s.length;
    if (n <= BIG) {
      // "$<n>\r\n" written as bytes: no header string to build per element.
      const total = decimalDigits(n) + 3 + n + 2;
      this.bytes += total;
      this.room(total);
      const c = this.chunk;
      c[this.len] = 36; // '$'
      let p = putDecimal(c, this.len + 1, n);
      c[p++] = 13;
      c[p++] = 10;
      p = putLatin1(c, p, s, n);
      c[p++] = 13;
      c[p++] = 10;
      this.len = p;
      return;
    }
    this.raw('$' + n + '\r\n');
    this.raw(s);
    this.raw('\r\n');
  }

  bulkBuffer(b: Buffer): void {
    this.raw('$' + b.length + '\r\n');
    this.rawBuffer(b);
    this.raw('\r\n');
  }

  /** A bulk string, or the null bulk when the value is null. */
  bulkOrNull(s: string | null | undefined): void {
    if (s === null || s === undefined) this.nullBulk();
    else this.bulk(s);
  }

  nullBulk(): void {
    this.raw(this.resp === 3 ? '_\r\n' : '$-1\r\n');
  }

  nullArray(): void {
    this.raw(this.resp === 3 ? '_\r\n' : '*-1\r\n');
  }

  arrayLen(n: number): void {
    if (n >= 0 && n < 1e9 && (n | 0) === n) this.line(42 /* '*' */, n);
    else this.raw('*' + n + '\r\n');
  }

  /** A map of n pairs (RESP2: an array of 2n elements). */
  mapLen(n: number): void {
    this.raw(this.resp === 3 ? '%' + n + '\r\n' : '*' + n * 2 + '\r\n');
  }

  setLen(n: number): void {
    this.raw(this.resp === 3 ? '~' + n + '\r\n' : '*' + n + '\r\n');
  }

  pushLen(n: number): void {
    this.raw(this.resp === 3 ? '>' + n + '\r\n' : '*' + n + '\r\n');
  }

  /** A double: RESP3 ',' type, RESP2 a bulk string in %.17g form. */
  double(d: number): void {
    const s = fmtG17(d);
    if (this.resp === 3) this.raw(',' + s + '\r\n');
    else this.bulk(s);
  }

  bool(b: boolean): void {
    if (this.resp === 3) this.raw(b ? '#t\r\n' : '#f\r\n');
    else this.raw(b ? ':1\r\n' : ':0\r\n');
  }

  /** Verbatim text (INFO, CLIENT LIST ...): RESP3 '=' with a format, RESP2 a bulk string. */
  verbatim(s: string, format = 'txt'): void {
    if (this.resp === 3) {
      this.raw('=' + (s.length + 4) + '\r\n' + format + ':');
      this.raw(s);
      this.raw('\r\n');
    } else {
      this.bulk(s);
    }
  }

  bigNumber(s: string): void {
    if (this.resp === 3) this.raw('(' + s + '\r\n');
    else this.bulk(s);
  }

  /** An array of bulk strings. */
  bulkArray(items: readonly string[]): void {
    this.arrayLen(items.length);
    for (let i = 0; i < items.length; i++) this.bulk(items[i]!);
  }

  /** An array whose elements may be null (MGET). */
  bulkOrNullArray(items: readonly (string | null)[]): void {
    this.arrayLen(items.length);
    for (let i = 0; i < items.length; i++) this.bulkOrNull(items[i]);
  }
}
