// The MIGRATE connection thread. MIGRATE is synchronous in Redis (the server waits for the
// target's replies); Redoubt keeps that by having the main thread block on an Atomics.wait
// while this worker talks to the target. The worker also owns the cached connections (one per
// host:port, closed after 10 s unused), so that a series of MIGRATEs reuses its socket.

import { parentPort, workerData } from 'node:worker_threads';
import net from 'node:net';

export interface MigrateRequest {
  host: string;
  port: number;
  timeoutMs: number;
  /** Encoded AUTH command, or null. */
  auth: Uint8Array | null;
  dbid: number;
  /** Encoded RESTORE commands. */
  restores: Uint8Array[];
}

export interface MigrateResult {
  /** Where a socket error or timeout happened, or null. */
  ioerr: 'connecting' | 'writing' | 'reading' | null;
  /** First line of the AUTH reply, or null when not sent. */
  auth: string | null;
  /** First line of the SELECT reply, or null when not sent. */
  select: string | null;
  /** First line of each RESTORE reply. */
  restores: string[];
}

interface Cached {
  sock: net.Socket;
  lastDbid: number;
  lastUse: number;
  buf: Buffer;
  wake: (() => void) | null;
  closed: boolean;
}

const IDLE_MS = 10000;
const shared = workerData as { state: SharedArrayBuffer; out: SharedArrayBuffer };
const state = new Int32Array(shared.state);
const out = new Uint8Array(shared.out);
const cache = new Map<string, Cached>();

function publishCount(): void {
  Atomics.store(state, 1, cache.size);
}

function drop(key: string, c: Cached): void {
  c.closed = true;
  c.sock.destroy();
  if (cache.get(key) === c) cache.delete(key);
  publishCount();
}

setInterval(() => {
  const now = Date.now();
  for (const [k, c] of cache) if (now - c.lastUse > IDLE_MS) drop(k, c);
}, 1000).unref();

function connect(host: string, port: number, timeoutMs: number): Promise<Cached | null> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      resolve(null);
    }, timeoutMs);
    sock.once('error', () => {
      clearTimeout(timer);
      resolve(null);
    });
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.setNoDelay(true);
      const c: Cached = { sock, lastDbid: -1, lastUse: Date.now(), buf: Buffer.alloc(0), wake: null, closed: false };
      sock.on('data', (d: Buffer) => {
        c.buf = c.buf.length === 0 ? d : Buffer.concat([c.buf, d]);
        c.wake?.();
      });
      const gone = (): void => {
        c.closed = true;
        c.wake?.();
      };
      sock.on('error', gone);
      sock.on('close', gone);
      resolve(c);
    });
  });
}

/** Length of one complete top-level reply at the start of buf, or 0 when incomplete. */
function replyLength(buf: Buffer): number {
  const eol = buf.indexOf('\r\n');
  if (eol < 0) return 0;
  const t = buf[0];
  if (t === 0x24) {
    const n = Number(buf.latin1Slice(1, eol));
    if (n < 0) return eol + 2;
    return buf.length >= eol + 2 + n + 2 ? eol + 2 + n + 2 : 0;
  }
  return eol + 2;
}

/** Reads one reply's first line; null on timeout or a closed socket. */
function readLine(c: Cached, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(null), timeoutMs);
    const finish = (v: string | null): void => {
      clearTimeout(timer);
      c.wake = null;
      resolve(v);
    };
    const check = (): void => {
      const n = replyLength(c.buf);
      if (n > 0) {
        const line = c.buf.latin1Slice(0, c.buf.indexOf('\r\n'));
        c.buf = c.buf.subarray(n);
        return finish(line);
      }
      if (c.closed) finish(null);
    };
    c.wake = check;
    check();
  });
}

async function run(req: MigrateRequest, retried = false): Promise<MigrateResult> {
  const res: MigrateResult = { ioerr: null, auth: null, select: null, restores: [] };
  const key = `${req.host}:${req.port}`;
  let c = cache.get(key);
  const reused = c !== undefined && !c.closed;
  if (c === undefined || c.closed) {
    const fresh = await connect(req.host, req.port, req.timeoutMs);
    if (fresh === null) return { ...res, ioerr: 'connecting' };
    c = fresh;
    cache.set(key, c);
    publishCount();
  }
  c.lastUse = Date.now();
  const select = c.lastDbid !== req.dbid;
  const parts: Uint8Array[] = [];
  if (req.auth !== null) parts.push(req.auth);
  if (select) parts.push(Buffer.from(`*2\r\n$6\r\nSELECT\r\n$${String(req.dbid).length}\r\n${req.dbid}\r\n`));
  parts.push(...req.restores);
  if (c.closed || !c.sock.write(Buffer.concat(parts))) {
    // write() false only means "buffered"; a closed socket is the real failure.
    if (c.closed) {
      drop(key, c);
      return reused && !retried ? run(req, true) : { ...res, ioerr: 'writing' };
    }
  }
  const fail = (): MigrateResult => {
    drop(key, c);
    return { ...res, ioerr: 'reading' };
  };
  if (req.auth !== null) {
    const l = await readLine(c, req.timeoutMs);
    if (l === null) {
      if (reused && !retried && c.closed) {
        drop(key, c);
        return run(req, true);
      }
      return fail();
    }
    res.auth = l;
  }
  if (select) {
    const l = await readLine(c, req.timeoutMs);
    if (l === null) {
      if (reused && !retried && c.closed && req.auth === null) {
        drop(key, c);
        return run(req, true);
      }
      return fail();
    }
    res.select = l;
    if (!l.startsWith('-')) c.lastDbid = req.dbid;
  }
  for (let i = 0; i < req.restores.length; i++) {
    const l = await readLine(c, req.timeoutMs);
    if (l === null) return fail();
    res.restores.push(l);
  }
  c.lastUse = Date.now();
  return res;
}

parentPort!.on('message', (req: MigrateRequest) => {
  void run(req)
    .catch((): MigrateResult => ({ ioerr: 'reading', auth: null, select: null, restores: [] }))
    .then((r) => {
      const bytes = Buffer.from(JSON.stringify(r), 'latin1');
      const n = Math.min(bytes.length, out.length);
      out.set(bytes.subarray(0, n));
      Atomics.store(state, 2, n);
      Atomics.store(state, 0, 1);
      Atomics.notify(state, 0);
    });
});
