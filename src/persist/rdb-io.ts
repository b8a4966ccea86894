// Byte-level reading and writing of RDB primitives: lengths, strings (with their integer and LZF
// encodings) and doubles. The reader checks every bound and throws RdbFormatError, never a
// RangeError, so that callers have one failure to handle.

import { ENC_INT16, ENC_INT32, ENC_INT8, ENC_LZF, bad } from './rdb-const.js';
import { lzfCompress, lzfDecompress } from './lzf.js';

/** Strings longer than this are tried with LZF when compression is on (Redis's threshold). */
const LZF_MIN = 20;

/** A growable output buffer. */
export class RdbOut {
  private buf: Buffer;
  length = 0;

  constructor(
    /** rdbcompression */
    readonly compress: boolean,
    initial = 256,
  ) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const nb = Buffer.allocUnsafe(cap);
    this.buf.copy(nb, 0, 0, this.length);
    this.buf = nb;
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.length++] = b;
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  latin1(s: string): void {
    this.room(s.length);
    this.buf.latin1Write(s, this.length, s.length);
    this.length += s.length;
  }

  /** An RDB length: 6, 14, 32 or 64 bits. */
  len(n: number): void {
    if (n < 64) this.byte(n);
    else if (n < 16384) {
      this.byte(0x40 | (n >> 8));
      this.byte(n & 0xff);
    } else if (n <= 0xffffffff) {
      this.room(5);
      this.buf[this.length] = 0x80;
      this.buf.writeUInt32BE(n, this.length + 1);
      this.length += 5;
    } else {
      this.room(9);
      this.buf[this.length] = 0x81;
      this.buf.writeBigUInt64BE(BigInt(n), this.length + 1);
      this.length += 9;
    }
  }

  u32le(n: number): void {
    this.room(4);
    this.buf.writeUInt32LE(n >>> 0, this.length);
    this.length += 4;
  }

  u64le(n: bigint): void {
    this.room(8);
    this.buf.writeBigUInt64LE(BigInt.asUintN(64, n), this.length);
    this.length += 8;
  }

  doubleLE(d: number): void {
    this.room(8);
    this.buf.writeDoubleLE(d, this.length);
    this.length += 8;
  }

  /**
   * A string as Redis's rdbSaveRawString writes it: short decimal integers in 8/16/32 bits,
   * long strings LZF-compressed when that saves at least 4 bytes, anything else as length + bytes.
   */
  string(v: string | Uint8Array): void {
    const n = v.length;
    if (n <= 11 && n > 0) {
      const s = typeof v === 'string' ? v : Buffer.from(v).latin1Slice(0, n);
      if (this.tryInt(s)) return;
    }
    if (this.compress && n > LZF_MIN) {
      const raw = typeof v === 'string' ? Buffer.from(v, 'latin1') : v;
      const packed = lzfCompress(raw, n - 4);
      if (packed !== null) {
        this.byte(0xc0 | ENC_LZF);
        this.len(packed.length);
        this.len(n);
        this.bytes(packed);
        return;
      }
    }
    this.len(n);
    if (typeof v === 'string') this.latin1(v);
    else this.bytes(v);
  }

  /** Integer encoding of a canonical decimal string that fits 32 bits. */
  private tryInt(s: string): boolean {
    if (!/^(?:0|-?[1-9][0-9]*)$/.test(s)) return false;
    const v = Number(s);
    if (v >= -128 && v <= 127) {
      this.byte(0xc0 | ENC_INT8);
      this.byte(v & 0xff);
    } else if (v >= -32768 && v <= 32767) {
      this.byte(0xc0 | ENC_INT16);
      this.room(2);
      this.buf.writeInt16LE(v, this.length);
      this.length += 2;
    } else if (v >= -2147483648 && v <= 2147483647) {
      this.byte(0xc0 | ENC_INT32);
      this.room(4);
      this.buf.writeInt32LE(v, this.length);
      this.length += 4;
    } else return false;
    return true;
  }

  /** The bytes written so far (a view, valid until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

/** A bounds-checked reader over one buffer. */
export class RdbIn {
  pos = 0;

  constructor(
    readonly buf: Buffer,
    /** Largest string accepted (an LZF header may claim any size). */
    private readonly maxString = 1 << 30,
    readonly end = buf.length,
  ) {}

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (n > this.end - this.pos) bad('unexpected end of data');
  }

  byte(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  take(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  u32le(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  i64le(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64LE(this.pos);
    this.pos += 8;
    return v;
  }

  doubleLE(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** A length, or an encoded-string marker: { enc } for the forms whose two top bits are set. */
  lenOrEnc(): { len: number; enc: number } {
    const first = this.byte();
    switch (first >> 6) {
      case 0:
        return { len: first & 0x3f, enc: -1 };
      case 1:
        return { len: ((first & 0x3f) << 8) | this.byte(), enc: -1 };
      case 3:
        return { len: 0, enc: first & 0x3f };
    }
    if (first === 0x80) return { len: this.u32be(), enc: -1 };
    if (first === 0x81) {
      this.need(8);
      const v = this.buf.readBigUInt64BE(this.pos);
      this.pos += 8;
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) bad('length too large');
      return { len: Number(v), enc: -1 };
    }
    return bad('unknown length encoding');
  }

  private u32be(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  len(): number {
    const r = this.lenOrEnc();
    if (r.enc !== -1) bad('encoded value where a length was expected');
    return r.len;
  }

  /** A count of items that each take at least `minBytes` bytes: bounded by what is left. */
  count(minBytes = 1): number {
    const n = this.len();
    if (n * minBytes > this.remaining) bad('count larger than the data');
    return n;
  }

  /** A string as raw bytes (integer forms are turned back into their decimal text). */
  bytesString(): Buffer {
    const { len, enc } = this.lenOrEnc();
    if (enc === -1) return this.take(len);
    switch (enc) {
      case ENC_INT8:
        return Buffer.from(String((this.byte() << 24) >> 24), 'latin1');
      case ENC_INT16: {
        this.need(2);
        const v = this.buf.readInt16LE(this.pos);
        this.pos += 2;
        return Buffer.from(String(v), 'latin1');
      }
      case ENC_INT32: {
        this.need(4);
        const v = this.buf.readInt32LE(this.pos);
        this.pos += 4;
        return Buffer.from(String(v), 'latin1');
      }
      case ENC_LZF: {
        const clen = this.len();
        const ulen = this.len();
        if (ulen > this.maxString) bad('string too large');
        // A 3-byte LZF back-reference yields at most 264 bytes: a bigger claim is corrupt, and
        // refusing it here avoids allocating what a hostile header asks for.
        if (ulen === 0 || ulen > clen * 88 + 64) bad('bad LZF lengths');
        const out = lzfDecompress(this.take(clen), ulen);
        if (out === null) bad('invalid LZF data');
        return out;
      }
    }
    return bad('unknown string encoding');
  }

  /** A string as a latin1 JS string. */
  string(): string {
    const b = this.bytesString();
    return b.latin1Slice(0, b.length);
  }
}
