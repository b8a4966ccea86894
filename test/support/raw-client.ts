// A client that returns each reply as its exact bytes, for byte-for-byte comparisons between
// Redoubt and a real redis-server (test/compat).

import net from 'node:net';

/** Length of the first complete RESP value in buf starting at pos, or -1 if incomplete. */
export function replyLength(buf: Buffer, pos = 0): number {
  if (pos >= buf.length) return -1;
  const nl = buf.indexOf('\r\n', pos);
  if (nl < 0) return -1;
  const type = String.fromCharCode(buf[pos]!);
  const line = buf.toString('latin1', pos + 1, nl);
  let end = nl + 2;
  switch (type) {
    case '+':
    case '-':
    case ':':
    case '_':
    case ',':
    case '#':
    case '(':
      return end - pos;
    case '$':
    case '=':
    case '!': {
      const n = Number(line);
      if (n < 0) return end - pos;
      if (buf.length < end + n + 2) return -1;
      return end + n + 2 - pos;
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      let n = Number(line);
      if (n < 0) return end - pos;
      if (type === '%' || type === '|') n *= 2;
      for (let i = 0; i < n; i++) {
        const l = replyLength(buf, end);
        if (l < 0) return -1;
        end += l;
      }
      if (type === '|') {
        const l = replyLength(buf, end);
        if (l < 0) return -1;
        end += l;
      }
      return end - pos;
    }
    default:
      throw new Error(
        `bad reply type ${JSON.stringify(type)} in ${JSON.stringify(buf.toString('latin1', pos, pos + 40))}`,
      );
  }
}

export function encodeCommand(args: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

export class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: ((b: Buffer) => void)[] = [];
  private closed = false;

  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.drain();
    });
    sock.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w(Buffer.from('<closed>'));
    });
    sock.on('error', () => {});
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  private drain(): void {
    while (this.waiters.length > 0) {
      const n = replyLength(this.buf);
      if (n < 0) return;
      const r = this.buf.subarray(0, n);
      this.buf = this.buf.subarray(n);
      this.waiters.shift()!(Buffer.from(r));
    }
  }

  /** Sends one command and resolves with its reply's exact bytes. */
  call(...args: (string | Buffer)[]): Promise<Buffer> {
    return this.send(encodeCommand(args));
  }

  /** Sends raw bytes that produce exactly one reply. */
  send(bytes: Buffer | string): Promise<Buffer> {
    const p = new Promise<Buffer>((resolve) => this.waiters.push(resolve));
    if (this.closed) this.waiters.shift()!(Buffer.from('<closed>'));
    else this.sock.write(bytes);
    this.drain();
    return p;
  }

  /** Sends bytes that complete no command (a command split over several writes). */
  write(bytes: Buffer | string): void {
    this.sock.write(bytes);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.sock.destroy();
  }
}

export type RespValue = string | number | null | Error | RespValue[];

/** Decodes one reply (RESP2 shapes; RESP3 maps/sets become arrays) into JS values. */
export function decodeReply(buf: Buffer, pos = 0): [RespValue, number] {
  const nl = buf.indexOf('\r\n', pos);
  const type = String.fromCharCode(buf[pos]!);
  const line = buf.toString('latin1', pos + 1, nl);
  let p = nl + 2;
  switch (type) {
    case '+':
      return [line, p];
    case '-':
      return [new Error(line), p];
    case ':':
      return [Number(line), p];
    case '_':
      return [null, p];
    case '$':
    case '=': {
      const n = Number(line);
      if (n < 0) return [null, p];
      return [buf.toString('latin1', p, p + n), p + n + 2];
    }
    case '*':
    case '~':
    case '>':
    case '%': {
      let n = Number(line);
      if (n < 0) return [null, p];
      if (type === '%') n *= 2;
      const out: RespValue[] = [];
      for (let i = 0; i < n; i++) {
        const [v, q] = decodeReply(buf, p);
        out.push(v);
        p = q;
      }
      return [out, p];
    }
    default:
      return [line, p];
  }
}
