// A minimal RESP2 client for the audit: one connection (TCP or TLS), one command at a time,
// every wait bounded by a timeout. Replies are decoded to plain values; errors are values too
// (RespError) so a refused command is data for the audit, not an exception.

import net from 'node:net';
import tls from 'node:tls';

export class RespError {
  constructor(readonly message: string) {}
}

export type RespValue = string | number | null | RespError | RespValue[];

/** Parses one reply at `pos`; null when the buffer does not hold a whole reply yet. */
export function parseReply(buf: Buffer, pos: number): { value: RespValue; next: number } | null {
  const eol = buf.indexOf('\r\n', pos);
  if (eol < 0) return null;
  const type = String.fromCharCode(buf[pos]!);
  const line = buf.toString('latin1', pos + 1, eol);
  const after = eol + 2;
  switch (type) {
    case '+':
      return { value: line, next: after };
    case '-':
      return { value: new RespError(line), next: after };
    case ':':
      return { value: Number(line), next: after };
    case '$': {
      const n = Number(line);
      if (n < 0) return { value: null, next: after };
      if (buf.length < after + n + 2) return null;
      return { value: buf.toString('latin1', after, after + n), next: after + n + 2 };
    }
    case '*': {
      const n = Number(line);
      if (n < 0) return { value: null, next: after };
      const out: RespValue[] = [];
      let p = after;
      for (let i = 0; i < n; i++) {
        const r = parseReply(buf, p);
        if (r === null) return null;
        out.push(r.value);
        p = r.next;
      }
      return { value: out, next: p };
    }
    default:
      throw new Error(`protocol error: unexpected reply type '${type}'`);
  }
}

export function encodeCommand(args: readonly string[]): Buffer {
  const parts = [`*${args.length}\r\n`];
  for (const a of args) parts.push(`$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`);
  return Buffer.from(parts.join(''), 'latin1');
}

export interface ConnectOptions {
  host: string;
  port: number;
  tls: tls.ConnectionOptions | null;
  timeoutMs: number;
}

export class RespConnection {
  private buf = Buffer.alloc(0);
  private waiting: { resolve: (v: RespValue) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;

  private constructor(
    readonly socket: net.Socket | tls.TLSSocket,
    private readonly timeoutMs: number,
  ) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.drain();
    });
    const fail = (e: Error): void => {
      this.failure ??= e;
      this.waiting?.reject(e);
      this.waiting = null;
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed by the server')));
  }

  static connect(o: ConnectOptions): Promise<RespConnection> {
    return new Promise((resolve, reject) => {
      const socket =
        o.tls === null
          ? net.connect({ host: o.host, port: o.port })
          : tls.connect({ ...o.tls, host: o.host, port: o.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`timed out connecting to ${o.host}:${o.port}`));
      }, o.timeoutMs);
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      socket.once(o.tls === null ? 'connect' : 'secureConnect', () => {
        clearTimeout(timer);
        resolve(new RespConnection(socket, o.timeoutMs));
      });
    });
  }

  private drain(): void {
    if (this.waiting === null) return;
    let r: ReturnType<typeof parseReply>;
    try {
      r = parseReply(this.buf, 0);
    } catch (e) {
      this.waiting.reject(e as Error);
      this.waiting = null;
      return;
    }
    if (r === null) return;
    this.buf = this.buf.subarray(r.next);
    const w = this.waiting;
    this.waiting = null;
    w.resolve(r.value);
  }

  /** Sends one command and waits for its reply (or the timeout). */
  call(...args: string[]): Promise<RespValue> {
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        reject(new Error(`timed out waiting for the reply to ${args[0]!.toUpperCase()}`));
      }, this.timeoutMs);
      this.waiting = {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.socket.write(encodeCommand(args));
      this.drain();
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
