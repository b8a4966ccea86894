// What each command puts into the replication stream: a raw SYNC connection (as Redis's own
// suite attaches one) decodes the stream, and the commands in it are checked one by one —
// Redis 7.0's rewrites (SET EX → SET PXAT, GETDEL → DEL, SPOP → SREM, served blocking pops →
// plain pops, XREADGROUP → XCLAIM...), nothing for a command that changed nothing, deletions
// for evictions and active expiry. The last test runs one script on Redoubt and on Debian's
// redis-server 7.0.15 and compares both streams command by command.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startRedis, startRedoubt, hasRedis, type Proc } from '../support/server.js';
import { RespClient, RespDecoder, encodeCommand, type RespReply } from '../support/resp-client.js';

/** One element of an expected command: exact text or a pattern. */
type Arg = string | RegExp;

const MS = /^1\d{12}$/;

/** A replica's view: SYNC, skip the RDB payload, then decode every command that follows. */
class ReplStream {
  private buf: Buffer = Buffer.alloc(0);
  private rdbDone = false;
  private readonly decoder = new RespDecoder();
  private readonly cmds: string[][] = [];
  private wake: (() => void) | null = null;

  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => this.onData(d));
  }

  static async attach(port: number): Promise<ReplStream> {
    const sock = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(s));
      s.once('error', reject);
    });
    const r = new ReplStream(sock);
    sock.write(encodeCommand(['SYNC']));
    await r.until(() => r.rdbDone, 'the RDB payload');
    return r;
  }

  private onData(d: Buffer): void {
    if (!this.rdbDone) {
      this.buf = Buffer.concat([this.buf, d]);
      // Newlines keep the link alive while the snapshot is prepared.
      let p = 0;
      while (this.buf[p] === 10) p++;
      const nl = this.buf.indexOf('\r\n', p);
      if (nl < 0) return;
      const len = Number(this.buf.subarray(p + 1, nl).toString('latin1'));
      if (this.buf.length < nl + 2 + len) return;
      this.rdbDone = true;
      d = this.buf.subarray(nl + 2 + len);
      this.buf = Buffer.alloc(0);
    }
    for (const r of this.decoder.push(d)) {
      const argv = (r as RespReply[]).map(String);
      if (argv[0]!.toLowerCase() !== 'ping') this.cmds.push(argv);
    }
    this.wake?.();
  }

  private async until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.cmds)}`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 50);
      });
    }
  }

  /** The next command (PINGs skipped), waiting for it. */
  async next(): Promise<string[]> {
    await this.until(() => this.cmds.length > 0, 'a command');
    return this.cmds.shift()!;
  }

  /** Every command up to and including the first whose argv is `last` exactly. */
  async upTo(last: readonly string[]): Promise<string[][]> {
    const same = (a: string[]): boolean => a.length === last.length && a.every((x, i) => x === last[i]);
    await this.until(() => this.cmds.some(same), JSON.stringify(last));
    const i = this.cmds.findIndex(same);
    return this.cmds.splice(0, i + 1);
  }

  /** Asserts the next commands, in order; the first element is compared case-insensitively. */
  async expect(...expected: Arg[][]): Promise<void> {
    for (const exp of expected) {
      const got = await this.next();
      const ok =
        got.length === exp.length &&
        exp.every((e, i) => {
          const g = i === 0 ? got[i]!.toLowerCase() : got[i]!;
          if (typeof e !== 'string') return e.test(g);
          return g === (i === 0 ? e.toLowerCase() : e);
        });
      assert.ok(ok, `expected ${String(exp)}, got ${JSON.stringify(got)}`);
    }
  }

  close(): void {
    this.sock.destroy();
  }
}

let srv: Proc;
let r: RespClient;

before(async () => {
  srv = await startRedoubt(['--enable-debug-command', 'yes']);
  r = await RespClient.connect(srv.port);
});
after(async () => {
  r?.close();
  await srv?.stop();
});

async function call(...args: string[]): Promise<unknown> {
  const v = await r.call(...args);
  if (v instanceof Error) throw v;
  return v;
}

/** Waits until the server counts n blocked clients. */
async function blockedClients(port: number, n: number): Promise<void> {
  const c = await RespClient.connect(port);
  try {
    for (let i = 0; i < 200; i++) {
      const info = String(await c.call('INFO', 'clients'));
      if (new RegExp(`blocked_clients:${n}\\r`).test(info)) return;
      await new Promise((res) => setTimeout(res, 10));
    }
    throw new Error(`never saw ${n} blocked clients`);
  } finally {
    c.close();
  }
}

/** Runs body against a fresh stream attached to Redoubt, flushed first. */
async function withStream(body: (s: ReplStream) => Promise<void>): Promise<void> {
  await call('FLUSHALL');
  const s = await ReplStream.attach(srv.port);
  try {
    await body(s);
  } finally {
    s.close();
  }
}

test('SET with an expiry, SETEX, PSETEX and GETSET go out as SET ... PXAT / plain SET', async () => {
  await withStream(async (s) => {
    await call('SET', 'a', '1', 'EX', '100');
    await call('SET', 'b', '1', 'PX', '100000', 'NX');
    await call('SET', 'c', '1', 'EXAT', '2000000000', 'GET');
    await call('SETEX', 'd', '100', 'v');
    await call('PSETEX', 'e', '100000', 'v');
    await call('SET', 'f', '1', 'KEEPTTL');
    await call('SET', 'f', '2', 'GET', 'XX');
    await call('GETSET', 'f', '3');
    await call('SET', 'b', '2', 'NX'); // not set: nothing
    await call('SET', 'end', '1');
    await s.expect(
      ['SELECT', '0'],
      ['SET', 'a', '1', 'PXAT', MS],
      ['SET', 'b', '1', 'PXAT', MS],
      ['SET', 'c', '1', 'PXAT', '2000000000000'],
      ['SET', 'd', 'v', 'PXAT', MS],
      ['SET', 'e', 'v', 'PXAT', MS],
      ['SET', 'f', '1', 'KEEPTTL'],
      ['SET', 'f', '2', 'XX'],
      ['SET', 'f', '3'],
      ['SET', 'end', '1'],
    );
  });
});

test('GETEX, GETDEL and the EXPIRE family go out as PEXPIREAT / PERSIST / DEL', async () => {
  await withStream(async (s) => {
    await call('SET', 'k', 'v');
    await call('GETEX', 'k', 'EX', '100');
    await call('GETEX', 'k', 'PERSIST');
    await call('GETEX', 'k'); // no option: nothing
    await call('GETEX', 'k', 'PERSIST'); // no TTL left: nothing
    await call('EXPIRE', 'k', '100', 'NX');
    await call('PEXPIRE', 'k', '200000', 'GT');
    await call('EXPIRE', 'k', '100', 'NX'); // refused: nothing
    await call('EXPIREAT', 'k', '2000000000');
    await call('pexpireat', 'k', '1900000000000', 'LT');
    await call('EXPIRE', 'missing', '100'); // nothing
    await call('EXPIRE', 'k', '-1');
    await call('SET', 'g', 'v');
    await call('GETDEL', 'g');
    await call('GETDEL', 'g'); // nothing
    await call('SET', 'h', 'v');
    await call('GETEX', 'h', 'PXAT', '1');
    await call('CONFIG', 'SET', 'lazyfree-lazy-user-del', 'yes');
    await call('SET', 'g', 'v');
    await call('GETDEL', 'g');
    await call('CONFIG', 'SET', 'lazyfree-lazy-user-del', 'no');
    await s.expect(
      ['SELECT', '0'],
      ['SET', 'k', 'v'],
      ['PEXPIREAT', 'k', MS],
      ['PERSIST', 'k'],
      ['PEXPIREAT', 'k', MS, 'NX'],
      ['PEXPIREAT', 'k', MS, 'GT'],
      ['PEXPIREAT', 'k', '2000000000000'],
      ['pexpireat', 'k', '1900000000000', 'LT'],
      ['DEL', 'k'],
      ['SET', 'g', 'v'],
      ['DEL', 'g'],
      ['SET', 'h', 'v'],
      ['DEL', 'h'],
      ['SET', 'g', 'v'],
      ['UNLINK', 'g'],
    );
  });
});

test('INCRBYFLOAT, HINCRBYFLOAT, SPOP and GEOADD replicate their results', async () => {
  await withStream(async (s) => {
    await call('INCRBYFLOAT', 'n', '1.5');
    await call('INCRBYFLOAT', 'n', '1e2');
    await call('HINCRBYFLOAT', 'h', 'f', '0.25');
    await call('SADD', 's', 'only');
    await call('SPOP', 's');
    await call('SADD', 's', 'a', 'b');
    await call('SPOP', 's', '5');
    await call('SPOP', 's'); // gone: nothing
    await call('SADD', 's', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l');
    await call('SPOP', 's', '2');
    await call('GEOADD', 'geo', '13.361389', '38.115556', 'Palermo');
    await s.expect(
      ['SELECT', '0'],
      ['SET', 'n', '1.5', 'KEEPTTL'],
      ['SET', 'n', '101.5', 'KEEPTTL'],
      ['HSET', 'h', 'f', '0.25'],
      ['SADD', 's', 'only'],
      ['SREM', 's', 'only'],
      ['SADD', 's', 'a', 'b'],
      ['DEL', 's'],
      ['SADD', 's', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'],
      ['MULTI'],
      ['SREM', 's', /^[a-l]$/],
      ['SREM', 's', /^[a-l]$/],
      ['EXEC'],
      ['zadd', 'geo', '3479099956230698', 'Palermo'],
    );
  });
});

test('commands that change nothing or fail are not replicated; PUBLISH and FLUSHDB always are', async () => {
  await withStream(async (s) => {
    await call('SADD', 's', 'a');
    await call('DEL', 'missing');
    await call('SREM', 's', 'zz');
    await call('HDEL', 'nokey', 'f');
    await call('ZREM', 'nokey', 'm');
    await call('LPOP', 'nokey');
    await call('ZADD', 'z', 'XX', '1', 'm');
    await call('EXPIRE', 'missing', '10');
    await call('PERSIST', 's');
    assert.ok((await r.call('INCR', 's')) instanceof Error);
    await call('PUBLISH', 'ch', 'hello');
    await call('FLUSHDB');
    await s.expect(['SELECT', '0'], ['SADD', 's', 'a'], ['PUBLISH', 'ch', 'hello'], ['FLUSHDB']);
  });
});

test('list pops: LMPOP/BLMPOP and immediate blocking pops as [LR]POP, BLMOVE as LMOVE', async () => {
  await withStream(async (s) => {
    await call('RPUSH', 'l', 'a', 'b', 'c', 'd', 'e', 'f');
    await call('BLPOP', 'l', '0');
    await call('BRPOP', 'nokey', 'l', '0');
    await call('LMPOP', '1', 'l', 'LEFT', 'COUNT', '1');
    await call('BLMPOP', '0', '2', 'nokey', 'l', 'RIGHT', 'COUNT', '10');
    await call('RPUSH', 'l', 'x', 'y');
    await call('BLMOVE', 'l', 'dst', 'left', 'RIGHT', '0');
    await call('BRPOPLPUSH', 'l', 'dst', '0');
    await s.expect(
      ['SELECT', '0'],
      ['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e', 'f'],
      ['LPOP', 'l'],
      ['RPOP', 'l'],
      ['LPOP', 'l', '1'],
      ['RPOP', 'l', '3'],
      ['RPUSH', 'l', 'x', 'y'],
      ['LMOVE', 'l', 'dst', 'left', 'RIGHT'],
      ['RPOPLPUSH', 'l', 'dst'],
    );
  });
});

test('clients blocked on lists and sorted sets: each served pop goes out after the write, on its own', async () => {
  const b1 = await RespClient.connect(srv.port);
  const b2 = await RespClient.connect(srv.port);
  const b3 = await RespClient.connect(srv.port);
  try {
    await withStream(async (s) => {
      const p1 = b1.call('BLPOP', 'w', '0');
      const p2 = b2.call('BLMPOP', '0', '1', 'w', 'RIGHT', 'COUNT', '5');
      const p3 = b3.call('BLMOVE', 'w', 'dst', 'right', 'left', '0');
      await blockedClients(srv.port, 3);
      await call('RPUSH', 'w', '1', '2', '3', '4', '5', '6', '7', '8');
      assert.deepEqual(await p1, ['w', '1']);
      assert.deepEqual(await p2, ['w', ['8', '7', '6', '5', '4']]);
      assert.equal(await p3, '3');
      const z1 = b1.call('BZPOPMIN', 'z', '0');
      const z2 = b2.call('BZMPOP', '0', '1', 'z', 'MAX', 'COUNT', '10');
      await blockedClients(srv.port, 2);
      // Both keys are made ready by one transaction: its MULTI/EXEC first, then the pops.
      await call('MULTI');
      await call('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c');
      await call('SET', 'k', 'v');
      await call('EXEC');
      assert.deepEqual(await z1, ['z', 'a', '1']);
      assert.deepEqual(await z2, [
        'z',
        [
          ['c', '3'],
          ['b', '2'],
        ],
      ]);
      await s.expect(
        ['SELECT', '0'],
        ['RPUSH', 'w', '1', '2', '3', '4', '5', '6', '7', '8'],
        ['LPOP', 'w'],
        ['RPOP', 'w', '5'],
        ['LMOVE', 'w', 'dst', 'right', 'left'],
        ['MULTI'],
        ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c'],
        ['SET', 'k', 'v'],
        ['EXEC'],
        ['ZPOPMIN', 'z'],
        ['ZPOPMAX', 'z', '2'],
      );
    });
  } finally {
    b1.close();
    b2.close();
    b3.close();
  }
});

test('sorted set pops: ZMPOP and immediate BZ* pops as ZPOPMIN/ZPOPMAX', async () => {
  await withStream(async (s) => {
    await call('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd');
    await call('ZMPOP', '1', 'z', 'MIN');
    await call('BZPOPMAX', 'z', '0');
    await call('BZMPOP', '0', '1', 'z', 'MIN', 'COUNT', '10');
    await call('ZMPOP', '1', 'z', 'MIN'); // empty: nothing
    await s.expect(
      ['SELECT', '0'],
      ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd'],
      ['ZPOPMIN', 'z', '1'],
      ['ZPOPMAX', 'z'],
      ['ZPOPMIN', 'z', '2'],
    );
  });
});

test('streams: generated IDs, exact trims, XREADGROUP/XCLAIM/XAUTOCLAIM as XCLAIM ... FORCE JUSTID', async () => {
  const b = await RespClient.connect(srv.port);
  try {
    await withStream(async (s) => {
      await call('XADD', 'x', '1-1', 'f', 'v');
      await call('XADD', 'x', '2-*', 'f', 'v');
      await call('XADD', 'x', 'MAXLEN', '~', '1', '3-*', 'f', 'v');
      await call('XGROUP', 'CREATE', 'x', 'g', '0');
      await call('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '1', 'STREAMS', 'x', '>');
      await call('XREADGROUP', 'GROUP', 'g', 'bob', 'NOACK', 'COUNT', '1', 'STREAMS', 'x', '>');
      await call('XCLAIM', 'x', 'g', 'carol', '0', '1-1');
      await call('XCLAIM', 'x', 'g', 'dave', '0', '9-9', 'LASTID', '99-0');
      await call('XAUTOCLAIM', 'x', 'g', 'erin', '0', '0');
      const p = b.call('XREADGROUP', 'GROUP', 'g', 'w', 'BLOCK', '0', 'STREAMS', 'x', '>');
      await blockedClients(srv.port, 1);
      await call('XADD', 'x', '100-1', 'f', 'v');
      assert.ok(Array.isArray(await p));
      const xclaim = (cons: string, id: Arg, count: string, last: Arg): Arg[] => [
        'XCLAIM',
        'x',
        'g',
        cons,
        '0',
        id,
        'TIME',
        MS,
        'RETRYCOUNT',
        count,
        'FORCE',
        'JUSTID',
        'LASTID',
        last,
      ];
      await s.expect(
        ['SELECT', '0'],
        ['XADD', 'x', '1-1', 'f', 'v'],
        ['XADD', 'x', '2-0', 'f', 'v'],
        ['XADD', 'x', 'MAXLEN', '=', '3', '3-0', 'f', 'v'],
        ['XGROUP', 'CREATE', 'x', 'g', '0'],
        xclaim('alice', '1-1', '1', '1-1'),
        ['MULTI'],
        ['XGROUP', 'CREATECONSUMER', 'x', 'g', 'bob'],
        ['XGROUP', 'SETID', 'x', 'g', '2-0', 'ENTRIESREAD', '2'],
        ['EXEC'],
        xclaim('carol', '1-1', '2', '2-0'),
        ['XGROUP', 'SETID', 'x', 'g', '99-0', 'ENTRIESREAD', '2'],
        xclaim('erin', '1-1', '3', '99-0'),
        ['XADD', 'x', '100-1', 'f', 'v'],
        xclaim('w', '100-1', '1', '100-1'),
      );
    });
  } finally {
    b.close();
  }
});

test('RESTORE goes out with an absolute TTL (ABSTTL) or as DEL; MIGRATE as DEL of what moved', async () => {
  const target = await startRedoubt();
  try {
    await withStream(async (s) => {
      await call('SET', 'src', 'hello');
      const payload = (await call('DUMP', 'src')) as string;
      await call('RESTORE', 'dst', '100000', payload);
      await call('RESTORE', 'dst2', '0', payload);
      // Replacing with an already expired TTL only deletes the old key.
      await call('RESTORE', 'dst2', '1', payload, 'REPLACE', 'ABSTTL');
      await call('MIGRATE', '127.0.0.1', String(target.port), 'src', '0', '5000', 'COPY');
      await call('MIGRATE', '127.0.0.1', String(target.port), '', '0', '5000', 'REPLACE', 'KEYS', 'src', 'dst');
      await s.expect(
        ['SELECT', '0'],
        ['SET', 'src', 'hello'],
        ['RESTORE', 'dst', MS, payload, 'ABSTTL'],
        ['RESTORE', 'dst2', '0', payload],
        ['DEL', 'dst2'],
        ['DEL', 'src', 'dst'],
      );
    });
  } finally {
    await target.stop();
  }
});

test('active expiry and eviction send one DEL (or UNLINK) per key, outside MULTI', async () => {
  await withStream(async (s) => {
    await call('SET', 'e1', '1', 'PX', '50');
    await call('SET', 'e2', '1', 'PX', '50');
    await s.expect(['SELECT', '0'], ['SET', 'e1', '1', 'PXAT', MS], ['SET', 'e2', '1', 'PXAT', MS]);
    const dels = [await s.next(), await s.next()].map((a) => a.join(' ')).sort();
    assert.deepEqual(dels, ['DEL e1', 'DEL e2']);
    await call('SET', 'v1', '1');
    await call('CONFIG', 'SET', 'lazyfree-lazy-eviction', 'yes');
    await call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    await call('CONFIG', 'SET', 'maxmemory', '1');
    await s.expect(['SET', 'v1', '1'], ['UNLINK', 'v1']);
    await call('CONFIG', 'SET', 'maxmemory', '0');
    await call('CONFIG', 'SET', 'lazyfree-lazy-eviction', 'no');
    // Inside a transaction the eviction waits for EXEC: the second INCR still sees x.
    await call('MULTI');
    await call('INCR', 'x');
    await call('CONFIG', 'SET', 'maxmemory', '1');
    await call('INCR', 'x');
    assert.deepEqual(await call('EXEC'), [1, 'OK', 2]);
    await s.expect(['MULTI'], ['INCR', 'x'], ['INCR', 'x'], ['EXEC'], ['DEL', 'x']);
    await call('CONFIG', 'SET', 'maxmemory', '0');
    await call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
    await call('CONFIG', 'SET', 'lazyfree-lazy-eviction', 'no');
  });
});

test('MONITOR and SLOWLOG show the command as typed, not as replicated', async () => {
  const m = await new Promise<net.Socket>((resolve, reject) => {
    const sock = net.connect({ port: srv.port, host: '127.0.0.1' }, () => resolve(sock));
    sock.once('error', reject);
  });
  let seen = '';
  m.on('data', (d: Buffer) => (seen += d.toString('latin1')));
  try {
    m.write(encodeCommand(['MONITOR']));
    for (let i = 0; i < 100 && !seen.includes('+OK'); i++) await new Promise((res) => setTimeout(res, 10));
    await call('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    await call('SET', 'typed', 'v', 'EX', '100');
    const log = (await call('SLOWLOG', 'GET', '2')) as unknown[][];
    assert.ok(log.some((e) => JSON.stringify(e[3]) === JSON.stringify(['SET', 'typed', 'v', 'EX', '100'])));
    for (let i = 0; i < 100 && !seen.includes('"typed"'); i++) await new Promise((res) => setTimeout(res, 10));
    assert.match(seen, /"SET" "typed" "v" "EX" "100"/);
  } finally {
    await call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
    m.destroy();
  }
});

/** One step of the differential script: a command on a client, or a wait for blocked clients. */
type Step = { on?: number; cmd: string[] } | { blocked: number };

const SCRIPT: Step[] = [
  { cmd: ['SET', 'a', '1', 'EX', '100'] },
  { cmd: ['SET', 'b', '1', 'PX', '100000', 'NX', 'GET'] },
  { cmd: ['SET', 'b', '2', 'GET'] },
  { cmd: ['SETEX', 'c', '100', 'v'] },
  { cmd: ['GETEX', 'a', 'PX', '5000'] },
  { cmd: ['GETEX', 'a', 'PERSIST'] },
  { cmd: ['GETEX', 'b', 'EXAT', '1'] },
  { cmd: ['GETDEL', 'c'] },
  { cmd: ['GETSET', 'a', '9'] },
  { cmd: ['EXPIRE', 'a', '100', 'NX'] },
  { cmd: ['EXPIRE', 'a', '50', 'GT'] },
  { cmd: ['EXPIRE', 'a', '-1'] },
  { cmd: ['INCRBYFLOAT', 'f', '0.1'] },
  { cmd: ['HINCRBYFLOAT', 'h', 'x', '2.5'] },
  { cmd: ['SADD', 's', 'one'] },
  { cmd: ['SPOP', 's'] },
  { cmd: ['SADD', 's', '1', '2', '3'] },
  { cmd: ['SPOP', 's', '3'] },
  { cmd: ['SREM', 's', 'nope'] },
  { cmd: ['DEL', 'nope'] },
  { cmd: ['PUBLISH', 'ch', 'm'] },
  { cmd: ['RPUSH', 'l', 'a', 'b', 'c', 'd'] },
  { cmd: ['BLPOP', 'l', '0'] },
  { cmd: ['LMPOP', '1', 'l', 'RIGHT', 'COUNT', '9'] },
  { on: 1, cmd: ['BRPOP', 'wl', '0'] },
  { blocked: 1 },
  { on: 2, cmd: ['BLMPOP', '0', '1', 'wl', 'LEFT', 'COUNT', '2'] },
  { blocked: 2 },
  { on: 3, cmd: ['BRPOPLPUSH', 'wl', 'dst', '0'] },
  { blocked: 3 },
  { cmd: ['RPUSH', 'wl', '1', '2', '3', '4', '5'] },
  { blocked: 0 },
  { cmd: ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c'] },
  { cmd: ['ZMPOP', '1', 'z', 'MAX', 'COUNT', '2'] },
  { cmd: ['BZPOPMIN', 'z', '0'] },
  { on: 1, cmd: ['BZPOPMAX', 'wz', '0'] },
  { blocked: 1 },
  { on: 2, cmd: ['BZMPOP', '0', '1', 'wz', 'MIN', 'COUNT', '5'] },
  { blocked: 2 },
  { cmd: ['ZADD', 'wz', '1', 'a', '2', 'b', '3', 'c'] },
  { blocked: 0 },
  { cmd: ['XADD', 'x', '*', 'f', 'v'] },
  { cmd: ['XADD', 'x', 'MAXLEN', '~', '1', '*', 'f', 'v'] },
  { cmd: ['XGROUP', 'CREATE', 'x', 'g', '0'] },
  { cmd: ['XREADGROUP', 'GROUP', 'g', 'c1', 'STREAMS', 'x', '>'] },
  { cmd: ['XREADGROUP', 'GROUP', 'g', 'c1', 'STREAMS', 'x', '0'] },
  { cmd: ['XAUTOCLAIM', 'x', 'g', 'c2', '0', '0', 'JUSTID'] },
  { cmd: ['XGROUP', 'CREATE', 'x', 'g2', '$'] },
  { on: 1, cmd: ['XREADGROUP', 'GROUP', 'g2', 'c3', 'NOACK', 'BLOCK', '0', 'STREAMS', 'x', '>'] },
  { blocked: 1 },
  { cmd: ['XADD', 'x', '*', 'f', 'w'] },
  { blocked: 0 },
  { cmd: ['CONFIG', 'SET', 'stream-node-max-entries', '10'] },
  ...Array.from({ length: 35 }, (_, j): Step => ({ cmd: ['XADD', 'xs', `${j + 1}-1`, 'f', 'v'] })),
  { cmd: ['XADD', 'xs', 'MAXLEN', '~', '5', 'LIMIT', '10', '*', 'f', 'v'] },
  { cmd: ['XTRIM', 'xs', 'MINID', '~', '30-0'] },
  { cmd: ['CONFIG', 'SET', 'stream-node-max-entries', '100'] },
  { cmd: ['GEOADD', 'geo', '2.35', '48.85', 'Paris'] },
  { cmd: ['SELECT', '3'] },
  { cmd: ['SET', 'in3', 'v'] },
  { cmd: ['MOVE', 'in3', '4'] },
  { cmd: ['SWAPDB', '3', '4'] },
  { cmd: ['FLUSHDB'] },
  { cmd: ['SELECT', '0'] },
  { cmd: ['MULTI'] },
  { cmd: ['SET', 'm', '1', 'EX', '10'] },
  { cmd: ['SPOP', 'nope'] },
  { cmd: ['INCR', 'm2'] },
  { cmd: ['EXEC'] },
  { cmd: ['SET', 'end', 'end'] },
];

/**
 * A seeded random mix of writes that may or may not change anything, over few keys so that
 * they collide: whatever changed nothing must stay out of the stream, as in Redis. No
 * command whose effect is random (SPOP, eviction order) is used.
 */
function randomScript(seed: number, n: number): Step[] {
  let x = seed;
  const rnd = (m: number): number => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % m;
  };
  const k = (): string => ['k1', 'k2', 'k3'][rnd(3)]!;
  const v = (): string => ['a', 'b', '1', '2', '3.5'][rnd(5)]!;
  const i = (lo: number, hi: number): string => String(lo + rnd(hi - lo + 1));
  const templates: (() => string[])[] = [
    () => ['SET', k(), v()],
    () => ['SETNX', k(), 'x'],
    () => ['APPEND', k(), v()],
    () => ['SETRANGE', k(), i(0, 3), v()],
    () => ['INCRBY', k(), i(-2, 2)],
    () => ['DEL', k()],
    () => ['UNLINK', k(), k()],
    () => ['EXPIRE', k(), i(-1, 100)],
    () => ['PERSIST', k()],
    () => ['RENAME', k(), k()],
    () => ['COPY', k(), k(), 'REPLACE'],
    () => ['GETDEL', k()],
    () => ['GETEX', k(), 'PERSIST'],
    () => ['MSETNX', k(), 'a', k(), 'b'],
    () => ['HSET', 'h' + k(), 'f' + i(0, 2), v()],
    () => ['HDEL', 'h' + k(), 'f' + i(0, 2)],
    () => ['HINCRBY', 'h' + k(), 'n', i(0, 2)],
    () => ['HSETNX', 'h' + k(), 'f1', 'y'],
    () => ['SADD', 's' + k(), v()],
    () => ['SREM', 's' + k(), v()],
    () => ['SMOVE', 's' + k(), 's' + k(), v()],
    () => ['SINTERSTORE', 's' + k(), 's' + k(), 's' + k()],
    () => ['SDIFFSTORE', 's' + k(), 's' + k(), 's' + k()],
    () => ['LPUSH', 'l' + k(), v()],
    () => ['RPUSHX', 'l' + k(), v()],
    () => ['RPOP', 'l' + k(), i(0, 2)],
    () => ['LREM', 'l' + k(), '0', v()],
    () => ['LTRIM', 'l' + k(), '0', i(-1, 2)],
    () => ['LSET', 'l' + k(), '0', v()],
    () => ['LMOVE', 'l' + k(), 'l' + k(), 'LEFT', 'RIGHT'],
    () => ['LMPOP', '2', 'l' + k(), 'l' + k(), 'LEFT', 'COUNT', i(1, 3)],
    () => ['BLMPOP', '0.01', '2', 'l' + k(), 'l' + k(), 'RIGHT'],
    () => ['ZADD', 'z' + k(), i(0, 3), v()],
    () => ['ZADD', 'z' + k(), 'GT', 'CH', i(0, 3), v()],
    () => ['ZINCRBY', 'z' + k(), i(0, 1), v()],
    () => ['ZREMRANGEBYSCORE', 'z' + k(), '0', '1'],
    () => ['ZPOPMIN', 'z' + k(), i(0, 2)],
    () => ['ZMPOP', '2', 'z' + k(), 'z' + k(), 'MAX'],
    () => ['BZPOPMIN', 'z' + k(), '0.01'],
    () => ['ZUNIONSTORE', 'z' + k(), '2', 'z' + k(), 'z' + k()],
    () => ['ZRANGESTORE', 'z' + k(), 'z' + k(), '0', '1'],
    () => ['SETBIT', 'b' + k(), i(0, 5), i(0, 1)],
    () => ['BITOP', 'OR', 'b' + k(), 'b' + k(), 'b' + k()],
    () => ['PFADD', 'p' + k(), v()],
    () => ['PFCOUNT', 'p' + k()],
    () => ['INCRBYFLOAT', 'f' + k(), '0.5'],
    () => ['HINCRBYFLOAT', 'h' + k(), 'fl', '1.5'],
    () => ['XADD', 'x' + k(), i(1, 9) + '-*', 'f', 'v'],
    () => ['XDEL', 'x' + k(), i(1, 9) + '-0'],
    () => ['XTRIM', 'x' + k(), 'MAXLEN', i(0, 3)],
    () => ['SORT', 'l' + k(), 'ALPHA', 'STORE', 'l' + k()],
    () => ['MOVE', k(), '1'],
    () => ['SWAPDB', '0', '1'],
    () => ['GEOADD', 'g' + k(), '1.5', '2.5', v()],
  ];
  const steps: Step[] = [];
  for (let j = 0; j < n; j++) steps.push({ cmd: templates[rnd(templates.length)]!() });
  steps.push({ cmd: ['SET', 'end', 'end'] });
  return steps;
}

/** Runs a script on a server and returns its stream, timestamps and generated IDs normalised. */
async function streamOf(port: number, script: Step[]): Promise<string[]> {
  const s = await ReplStream.attach(port);
  const clients = [await RespClient.connect(port)];
  try {
    for (let i = 0; i < 3; i++) clients.push(await RespClient.connect(port));
    const pending: Promise<unknown>[] = [];
    for (const step of script) {
      if ('blocked' in step) await blockedClients(port, step.blocked);
      else if (step.on === undefined) await clients[0]!.call(...step.cmd);
      else pending.push(clients[step.on]!.call(...step.cmd));
    }
    await Promise.all(pending);
    const cmds = await s.upTo(['SET', 'end', 'end']);
    return cmds.map((a) =>
      a
        .join(' ')
        .replace(/\b1\d{12}-\d+\b/g, '<id>')
        .replace(/\b1\d{12}\b/g, '<ms>'),
    );
  } finally {
    for (const c of clients) c.close();
    s.close();
  }
}

test('differential: the same script gives the same stream as redis-server 7.0.15', async (t) => {
  if (!hasRedis()) {
    t.skip('/usr/bin/redis-server is not installed');
    return;
  }
  const ref = await startRedis();
  const own = await startRedoubt();
  try {
    for (const script of [SCRIPT, randomScript(7, 500), randomScript(42, 500)]) {
      const [want, got] = await Promise.all([streamOf(ref.port, script), streamOf(own.port, script)]);
      assert.ok(want.length > 40, `reference stream too short: ${want.length}`);
      for (let i = 0; i < Math.max(want.length, got.length); i++) {
        assert.equal(got[i], want[i], `command ${i} differs`);
      }
    }
  } finally {
    await ref.stop();
    await own.stop();
  }
});
