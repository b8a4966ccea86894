// A minimal RESP client for tests: sends commands as RESP arrays of bulk strings and decodes
// each reply into plain JS values, in order (pipelining works: calls may overlap).
//
// Reply mapping (RESP2):
//   simple string → string      error → Error instance (returned, not thrown)
//   integer       → number      bulk string → string decoded as latin1 (byte-exact)
//   null bulk / null array → null
//   array         → array of the above
// Not RESP2 but decoded for convenience should a test send HELLO 3: null (_) → null,
// double (,) → number, boolean (#) → boolean, big number (() → string, verbatim (=) → string
// (with its "txt:" prefix), blob error (!) → Error, map (%) → flat [k1, v1, k2, v2, ...] array,
// set (~) and push (>) → array.

import net from 'node:net';

export type RespReply = string | number | boolean | null | Error | RespReply[];

interface Waiter {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

interface Frame {
  items: RespReply[];
  remaining: number;
}

/** Thrown (rather than returned) when the connection fails with calls outstanding. */
export class RespConnectionError extends Error {}

/** Incremental decoder: feed bytes, collect complete replies. Resumes where it stopped. */
export class RespDecoder {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private stack: Frame[] = [];

  /** Appends bytes and returns every reply they complete. */
  push(chunk: Buffer): RespReply[] {
    this.buf = this.pos < this.buf.length ? Buffer.concat([this.buf.subarray(this.pos), chunk]) : chunk;
    this.pos = 0;
    const out: RespReply[] = [];
    for (;;) {
      const r = this.step();
      if (r === undefined) break;
      if (r.done) out.push(r.value);
    }
    return out;
  }

  /**
   * Consumes one element. undefined: more bytes needed; done=false: an aggregate was opened or an
   * element went into one; done=true: a top-level reply is complete.
   */
  private step(): { done: boolean; value: RespReply } | undefined {
    const buf = this.buf;
    const start = this.pos;
    if (start >= buf.length) return undefined;
    const nl = buf.indexOf('\r\n', start);
    if (nl < 0) return undefined;
    const type = String.fromCharCode(buf[start]);
    const line = buf.toString('latin1', start + 1, nl);
    let next = nl + 2;
    let value: RespReply;
    switch (type) {
      case '+':
      case '(':
        value = line;
        break;
      case '-':
        value = new Error(line);
        break;
      case ':':
        value = Number(line);
        break;
      case ',':
        value = line === 'inf' ? Infinity : line === '-inf' ? -Infinity : Number(line);
        break;
      case '#':
        value = line === 't';
        break;
      case '_':
        value = null;
        break;
      case '$':
      case '=':
      case '!': {
        const n = Number(line);
        if (n < 0) {
          value = null;
          break;
        }
        if (buf.length < next + n + 2) return undefined;
        const s = buf.toString('latin1', next, next + n);
        next += n + 2;
        value = type === '!' ? new Error(s) : s;
        break;
      }
      case '*':
      case '~':
      case '>':
      case '%': {
        const n = Number(line);
        if (n < 0) {
          value = null;
          break;
        }
        const count = type === '%' ? n * 2 : n;
        this.pos = next;
        if (count > 0) {
          this.stack.push({ items: [], remaining: count });
          return { done: false, value: null };
        }
        value = [];
        break;
      }
      default:
        throw new Error(`bad RESP type ${JSON.stringify(type)} at byte ${start}`);
    }
    this.pos = next;
    // Fold the finished value into its enclosing aggregates.
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (top === undefined) return { done: true, value };
      top.items.push(value);
      if (--top.remaining > 0) return { done: false, value: null };
      this.stack.pop();
      value = top.items;
    }
  }
}

export function encodeCommand(args: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`, 'latin1')];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`, 'latin1'), b, Buffer.from('\r\n', 'latin1'));
  }
  return Buffer.concat(parts);
}

export class RespClient {
  private readonly decoder = new RespDecoder();
  private readonly waiters: Waiter[] = [];
  private failure: Error | null = null;

  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (chunk: Buffer) => {
      let replies: RespReply[];
      try {
        replies = this.decoder.push(chunk);
      } catch (e) {
        this.fail(e as Error);
        sock.destroy();
        return;
      }
      for (const r of replies) this.waiters.shift()?.resolve(r);
    });
    sock.on('error', (e) => this.fail(e));
    sock.on('close', () => this.fail(new RespConnectionError('connection closed')));
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ port, host }, () => {
        sock.off('error', reject);
        resolve(new RespClient(sock));
      });
      sock.once('error', reject);
    });
  }

  /**
   * Sends one command and resolves with its decoded reply; an error reply resolves to an Error.
   * Rejects only if the connection fails. Strings are sent as latin1, the same mapping replies
   * are decoded with, so a reply string can be sent back unchanged; pass a Buffer for UTF-8.
   */
  call(...args: (string | Buffer)[]): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.sock.write(encodeCommand(args));
    });
  }

  close(): void {
    this.sock.destroy();
  }

  private fail(e: Error): void {
    const err = e instanceof RespConnectionError ? e : new RespConnectionError(e.message);
    this.failure ??= err;
    for (const w of this.waiters.splice(0)) w.reject(err);
  }
}
