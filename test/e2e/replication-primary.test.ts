// Redoubt as a replication primary, with real replicas: Debian's redis-server 7.0.15 started
// with --replicaof (full sync of every type, live writes, partial resync after a lost link,
// WAIT, ROLE, INFO), redis-cli --replica / --rdb, and a hand-driven replica speaking the
// protocol byte by byte (PSYNC replies, REPLCONF errors, the stream compared with the one a
// real redis-server primary produces, output buffer limits). Ports 26100-26199.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hasRedis, hasRedisCli, REDIS_CLI, type Proc } from '../support/server.js';
import { redisIn, redoubtIn } from '../support/fixed-port.js';
import { RespClient } from '../support/resp-client.js';
import { encodeCommand, replyLength } from '../support/raw-client.js';

const LO = 26100;
const HI = 26199;
const noRedis = hasRedis() ? false : 'redis-server 7.0.15 not installed';
const noCli = hasRedisCli() ? false : 'redis-cli 7.0.15 not installed';
if (noRedis) console.log(`# replication-primary: real-replica tests skipped (${noRedis})`);

const redoubt = (args: string[] = []): Promise<Proc> =>
  redoubtIn({ lo: LO, hi: HI, args: ['--save', '', '--enable-debug-command', 'yes', ...args] });

/** Polls fn until it returns a non-undefined value (a condition, never a fixed sleep). */
async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 15000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function info(c: RespClient, section: string): Promise<Record<string, string>> {
  const text = String(await c.call('INFO', section));
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

async function linkUp(replica: RespClient): Promise<void> {
  await until('the replica link', async () =>
    (await info(replica, 'replication')).master_link_status === 'up' ? true : undefined,
  );
}

/** Every key of every db, with its type, value and whether it has a TTL. */
async function dataset(c: RespClient): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (let db = 0; db < 16; db++) {
    await c.call('SELECT', String(db));
    const keys = ((await c.call('KEYS', '*')) as string[]).sort();
    for (const k of keys) {
      const type = String(await c.call('TYPE', k));
      let value: unknown;
      if (type === 'string') value = await c.call('GET', k);
      else if (type === 'list') value = await c.call('LRANGE', k, '0', '-1');
      else if (type === 'hash') value = ((await c.call('HGETALL', k)) as string[]).join('\0').split('\0');
      else if (type === 'set') value = ((await c.call('SMEMBERS', k)) as string[]).sort();
      else if (type === 'zset') value = await c.call('ZRANGE', k, '0', '-1', 'WITHSCORES');
      else if (type === 'stream') value = [await c.call('XRANGE', k, '-', '+'), await c.call('XINFO', 'GROUPS', k)];
      if (type === 'hash') value = pairsSorted(value as string[]);
      const ttl = Number(await c.call('PTTL', k));
      out[`${db}:${k}`] = { type, value, ttl: ttl > 0 ? 'ttl' : ttl };
    }
  }
  await c.call('SELECT', '0');
  return out;
}

function pairsSorted(flat: string[]): string[] {
  const pairs: string[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) pairs.push(`${flat[i]}=${flat[i + 1]}`);
  return pairs.sort();
}

/** Keys of every type and encoding, in several dbs, some with a TTL. */
async function populate(c: RespClient): Promise<void> {
  await c.call('SET', 'str', 'hello');
  await c.call('SET', 'int', '12345');
  await c.call('SET', 'bin', Buffer.from([0, 1, 2, 255, 13, 10]));
  await c.call('SET', 'big', 'x'.repeat(100000));
  await c.call('SET', 'ttl', 'v', 'EX', '1000');
  await c.call('RPUSH', 'list', 'a', 'b', 'c');
  const many = Array.from({ length: 300 }, (_, i) => `e${i}`);
  await c.call('RPUSH', 'biglist', ...many);
  await c.call('HSET', 'hash', 'f1', 'v1', 'f2', 'v2');
  await c.call('HSET', 'bighash', ...many.flatMap((e) => [e, `v${e}`]));
  await c.call('SADD', 'intset', '1', '2', '3');
  await c.call('SADD', 'set', 'a', 'b');
  await c.call('SADD', 'bigset', ...many);
  await c.call('ZADD', 'zset', '1', 'a', '2.5', 'b');
  await c.call('ZADD', 'bigzset', ...many.flatMap((e, i) => [String(i / 7), e]));
  await c.call('XADD', 'stream', '1-1', 'f', 'v');
  await c.call('XADD', 'stream', '2-1', 'g', 'w');
  await c.call('XGROUP', 'CREATE', 'stream', 'grp', '0');
  await c.call('XREADGROUP', 'GROUP', 'grp', 'alice', 'COUNT', '1', 'STREAMS', 'stream', '>');
  await c.call('PFADD', 'hll', 'a', 'b', 'c');
  await c.call('SELECT', '3');
  await c.call('SET', 'in3', 'three');
  await c.call('HSET', 'h3', 'a', '1');
  await c.call('SELECT', '15');
  await c.call('LPUSH', 'in15', 'x');
  await c.call('PEXPIRE', 'in15', '500000');
  await c.call('SELECT', '0');
}

/** Live writes of many kinds, across dbs, with transactions and expiries. */
async function liveWrites(c: RespClient): Promise<void> {
  await c.call('SET', 'live', '1');
  await c.call('INCRBY', 'int', '5');
  await c.call('APPEND', 'str', ' world');
  await c.call('LPUSH', 'list', 'z');
  await c.call('HINCRBYFLOAT', 'hash', 'n', '1.5');
  await c.call('ZINCRBY', 'zset', '3', 'a');
  await c.call('SREM', 'set', 'a');
  await c.call('XADD', 'stream', '3-1', 'h', 'x');
  await c.call('PFADD', 'hll', 'd');
  await c.call('MULTI');
  await c.call('SET', 'tx1', 'a');
  await c.call('LPUSH', 'txlist', 'b');
  await c.call('SELECT', '7');
  await c.call('SET', 'tx7', 'c');
  await c.call('EXEC');
  await c.call('SELECT', '0');
  await c.call('EXPIRE', 'live', '1000');
  await c.call('SET', 'ex', 'v', 'PX', '900000');
  await c.call('DEL', 'bin');
  await c.call('SELECT', '2');
  await c.call('SET', 'two', '2');
  await c.call('SELECT', '3');
  await c.call('DEL', 'in3');
  await c.call('SELECT', '0');
  await c.call('FLUSHDB');
  await c.call('SET', 'after-flush', 'y');
}

test(
  'a real redis-server replica: full sync, live writes, WAIT, ROLE, INFO, partial resync',
  { skip: noRedis },
  async () => {
    const primary = await redoubt();
    const p = await RespClient.connect(primary.port);
    let replica: Proc | null = null;
    try {
      await populate(p);
      replica = await redisIn({ lo: LO, hi: HI, args: ['--replicaof', '127.0.0.1', String(primary.port)] });
      const r = await RespClient.connect(replica.port);
      await linkUp(r);
      assert.deepEqual(await dataset(r), await dataset(p), 'full sync');

      await liveWrites(p);
      assert.equal(await p.call('WAIT', '1', '5000'), 1);
      assert.deepEqual(await dataset(r), await dataset(p), 'after live writes');

      // The replica's offset is ours (once a GETACK in flight has arrived), its id is ours.
      const pi = await info(p, 'replication');
      const ri = await until('the replica to catch up', async () => {
        const i = await info(r, 'replication');
        return i.master_repl_offset === pi.master_repl_offset ? i : undefined;
      });
      assert.equal(pi.role, 'master');
      assert.equal(pi.connected_slaves, '1');
      assert.match(
        pi.slave0!,
        new RegExp(`^ip=127\\.0\\.0\\.1,port=${replica.port},state=online,offset=\\d+,lag=\\d+$`),
      );
      assert.equal(ri.master_replid, pi.master_replid);
      assert.equal(ri.master_repl_offset, pi.master_repl_offset);
      assert.equal(pi.repl_backlog_active, '1');
      assert.equal(pi.repl_backlog_first_byte_offset, '1');
      assert.equal(pi.repl_backlog_histlen, pi.master_repl_offset);
      const role = (await p.call('ROLE')) as unknown[];
      assert.equal(role[0], 'master');
      assert.equal(role[1], Number(pi.master_repl_offset));
      const [[ip, port, acked]] = role[2] as string[][];
      assert.deepEqual([ip, port], ['127.0.0.1', String(replica.port)]);
      assert.ok(Number(acked) > 0 && Number(acked) <= Number(pi.master_repl_offset), String(acked));
      const list = String(await p.call('CLIENT', 'LIST', 'TYPE', 'replica'));
      assert.match(list, / flags=S /);

      // WAIT: more replicas than there are → the count at the timeout; inside MULTI at once.
      assert.equal(await p.call('WAIT', '2', '100'), 1);
      // (WAIT 5 0 would block forever: inside MULTI it answers the count at once. The GETACK
      // the last WAIT sent is not acknowledged yet by that ACK, as with Redis: 0 or 1.)
      await p.call('MULTI');
      await p.call('WAIT', '5', '0');
      const [inMulti] = (await p.call('EXEC')) as number[];
      assert.ok(inMulti === 0 || inMulti === 1, String(inMulti));

      // A lost link comes back with a partial resync: the writes made meanwhile arrive.
      assert.equal(await p.call('CLIENT', 'KILL', 'TYPE', 'replica'), 1);
      await p.call('SET', 'while-away', 'yes');
      await until('the partial resync', async () =>
        (await info(p, 'stats')).sync_partial_ok === '1' ? true : undefined,
      );
      await linkUp(r);
      assert.equal(await p.call('WAIT', '1', '5000'), 1);
      const stats = await info(p, 'stats');
      assert.equal(stats.sync_full, '1');
      assert.equal(stats.sync_partial_err, '0');
      assert.equal(await r.call('GET', 'while-away'), 'yes');
      assert.match(replica.output(), /Successful partial resynchronization with master/);
      assert.deepEqual(await dataset(r), await dataset(p), 'after the partial resync');
      r.close();
    } finally {
      p.close();
      await replica?.stop();
      await primary.stop();
    }
  },
);

test('min-replicas-to-write counts replicas that acknowledge in time', { skip: noRedis }, async () => {
  const primary = await redoubt();
  const p = await RespClient.connect(primary.port);
  let replica: Proc | null = null;
  try {
    await p.call('CONFIG', 'SET', 'min-replicas-to-write', '1');
    const refused = (await p.call('SET', 'k', 'v')) as Error;
    assert.match(refused.message, /^NOREPLICAS /);
    assert.equal((await info(p, 'replication')).min_slaves_good_slaves, '0');
    replica = await redisIn({ lo: LO, hi: HI, args: ['--replicaof', '127.0.0.1', String(primary.port)] });
    const r = await RespClient.connect(replica.port);
    await linkUp(r);
    assert.equal(await p.call('SET', 'k', 'v'), 'OK');
    assert.equal((await info(p, 'replication')).min_slaves_good_slaves, '1');
    r.close();
  } finally {
    p.close();
    await replica?.stop();
    await primary.stop();
  }
});

/** A replica driven by hand: sends commands, collects every byte the primary sends back. */
class HandReplica {
  buf = Buffer.alloc(0);
  private constructor(readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => (this.buf = Buffer.concat([this.buf, d])));
    sock.on('error', () => {});
  }

  static connect(port: number): Promise<HandReplica> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(new HandReplica(s)));
      s.once('error', reject);
    });
  }

  send(...args: string[]): void {
    this.sock.write(encodeCommand(args));
  }

  /** Waits for and removes one complete RESP value (a reply or a streamed command). */
  async take(): Promise<Buffer> {
    const n = await until('a reply', async () => {
      const l = replyLength(this.buf);
      return l < 0 ? undefined : l;
    });
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** Waits for a line ("+FULLRESYNC ...") and removes it. */
  async line(): Promise<string> {
    const i = await until('a line', async () => {
      const at = this.buf.indexOf('\r\n');
      return at < 0 ? undefined : at;
    });
    const s = this.buf.toString('latin1', 0, i);
    this.buf = this.buf.subarray(i + 2);
    return s;
  }

  /** Reads the snapshot bulk ($len\r\n<rdb>, after any "\n" keepalives) and returns the RDB. */
  async rdb(): Promise<Buffer> {
    while (this.buf.length === 0 || this.buf[0] === 10) {
      await until('the snapshot', async () => (this.buf.length > 0 ? true : undefined));
      while (this.buf[0] === 10) this.buf = this.buf.subarray(1);
    }
    const head = await this.line();
    assert.match(head, /^\$\d+$/);
    const n = Number(head.slice(1));
    await until('the whole snapshot', async () => (this.buf.length >= n ? true : undefined));
    const rdb = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return rdb;
  }

  close(): void {
    this.sock.destroy();
  }
}

test('PSYNC and REPLCONF speak Redis 7.0.15 protocol', async () => {
  // No PING in the stream while the test runs.
  const primary = await redoubt(['--repl-ping-replica-period', '3600']);
  const p = await RespClient.connect(primary.port);
  const h = await HandReplica.connect(primary.port);
  try {
    h.send('REPLCONF', 'listening-port');
    assert.equal((await h.take()).toString(), '-ERR syntax error\r\n');
    h.send('REPLCONF', 'listening-port', 'abc');
    assert.equal((await h.take()).toString(), '-ERR value is not an integer or out of range\r\n');
    h.send('REPLCONF', 'nope', '1');
    assert.equal((await h.take()).toString(), '-ERR Unrecognized REPLCONF option: nope\r\n');
    h.send('REPLCONF', 'rdb-only', '2');
    assert.equal((await h.take()).toString(), '-ERR value is out of range, value must between 0 and 1\r\n');
    h.send('REPLCONF', 'rdb-filter-only', 'keys');
    assert.equal((await h.take()).toString(), '-ERR Unsupported rdb-filter-only option: keys\r\n');
    // ACK from a client that is not a replica: no reply at all (the PING answers first).
    h.send('REPLCONF', 'ACK', '5');
    h.send('PING');
    assert.equal((await h.take()).toString(), '+PONG\r\n');
    h.send('REPLCONF', 'listening-port', '4444', 'capa', 'eof', 'capa', 'psync2');
    assert.equal((await h.take()).toString(), '+OK\r\n');

    await p.call('SET', 'before', '1');
    h.send('PSYNC', '?', '-1');
    const full = await h.line();
    const m = /^\+FULLRESYNC ([0-9a-f]{40}) (\d+)$/.exec(full);
    assert.ok(m, full);
    const [, replid, offset] = m;
    const rdb = await h.rdb();
    assert.equal(rdb.toString('latin1', 0, 9), 'REDIS0010');
    // The replication aux fields Redis writes for a replica.
    assert.ok(rdb.includes(Buffer.from(`repl-id\x28${replid}`, 'latin1')));
    assert.ok(rdb.includes(Buffer.from('repl-stream-db')));
    assert.ok(rdb.includes(Buffer.from('repl-offset')));
    const ri = await info(p, 'replication');
    assert.equal(ri.master_replid, replid);
    assert.equal(ri.master_repl_offset, offset);

    // The stream: SELECT first, then the command, byte for byte; the offset counts them.
    const SELECT0 = '*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n';
    const SETKV = '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n';
    const SETK2 = '*3\r\n$3\r\nSET\r\n$2\r\nk2\r\n$2\r\nv2\r\n';
    const GETACK = '*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n';
    await p.call('SET', 'k', 'v');
    assert.equal((await h.take()).toString(), SELECT0);
    assert.equal((await h.take()).toString(), SETKV);
    const off1 = Number((await info(p, 'replication')).master_repl_offset);
    assert.equal(off1, Number(offset) + SELECT0.length + SETKV.length);
    assert.match(String(await p.call('CLIENT', 'LIST', 'TYPE', 'slave')), /flags=S /);

    // ACKs are recorded (ROLE shows them) and never answered.
    h.send('REPLCONF', 'ACK', String(off1), 'FACK', String(off1));
    const role = await until('the ack', async () => {
      const r = (await p.call('ROLE')) as [string, number, string[][]];
      return r[2][0]?.[2] === String(off1) ? r : undefined;
    });
    assert.deepEqual(role, ['master', off1, [['127.0.0.1', '4444', String(off1)]]]);
    // Already acknowledged: WAIT answers at once.
    assert.equal(await p.call('WAIT', '1', '0'), 1);

    // A new write: WAIT sends REPLCONF GETACK * into the stream and returns when an ACK covers it.
    await p.call('SET', 'k2', 'v2');
    assert.equal((await h.take()).toString(), SETK2);
    const waiting = p.call('WAIT', '1', '0');
    assert.equal((await h.take()).toString(), GETACK);
    h.send('REPLCONF', 'ACK', String(off1 + SETK2.length - 1));
    h.send('REPLCONF', 'ACK', String(off1 + SETK2.length + GETACK.length));
    assert.equal(await waiting, 1);

    // Drop the link; PSYNC with our id continues from the backlog with the missed bytes.
    h.close();
    await until('the replica to go', async () =>
      (await info(p, 'replication')).connected_slaves === '0' ? true : undefined,
    );
    await p.call('SELECT', '4');
    await p.call('SET', 'k4', 'w');
    const h2 = await HandReplica.connect(primary.port);
    h2.send('REPLCONF', 'capa', 'psync2');
    assert.equal((await h2.take()).toString(), '+OK\r\n');
    h2.send('PSYNC', replid!, String(off1 + 1));
    assert.equal(await h2.line(), `+CONTINUE ${replid}`);
    assert.equal((await h2.take()).toString(), SETK2);
    assert.equal((await h2.take()).toString(), GETACK);
    assert.equal((await h2.take()).toString(), '*2\r\n$6\r\nSELECT\r\n$1\r\n4\r\n');
    assert.equal((await h2.take()).toString(), '*3\r\n$3\r\nSET\r\n$2\r\nk4\r\n$1\r\nw\r\n');
    h2.close();

    // Without psync2: a bare +CONTINUE. Outside the backlog or another id: a full resync.
    const h3 = await HandReplica.connect(primary.port);
    h3.send('PSYNC', replid!, String(off1 + 1));
    assert.equal(await h3.line(), '+CONTINUE');
    h3.close();
    const h4 = await HandReplica.connect(primary.port);
    h4.send('PSYNC', 'f'.repeat(40), '1');
    assert.match(await h4.line(), /^\+FULLRESYNC [0-9a-f]{40} \d+$/);
    h4.close();
    const stats = await info(p, 'stats');
    assert.equal(stats.sync_full, '2');
    assert.equal(stats.sync_partial_ok, '2');
    assert.equal(stats.sync_partial_err, '1');
  } finally {
    h.close();
    p.close();
    await primary.stop();
  }
});

/** What a primary streams to a PSYNC ? -1 replica for a fixed script of commands. */
async function streamOf(port: number): Promise<string> {
  const c = await RespClient.connect(port);
  const h = await HandReplica.connect(port);
  try {
    await c.call('CONFIG', 'SET', 'repl-ping-replica-period', '3600');
    h.send('PSYNC', '?', '-1');
    assert.match(await h.line(), /^\+FULLRESYNC /);
    await h.rdb();
    await c.call('SET', 'a', '1');
    await c.call('INCR', 'a');
    await c.call('MULTI');
    await c.call('RPUSH', 'l', 'x', 'y');
    await c.call('SELECT', '5');
    await c.call('HSET', 'h', 'f', 'v');
    await c.call('EXEC');
    await c.call('SELECT', '9');
    await c.call('MSET', 'p', 'q', 'r', 's');
    await c.call('SET', 'a', 'no-change', 'NX');
    await c.call('SELECT', '0');
    await c.call('DEL', 'a', 'missing');
    await c.call('PUBLISH', 'ch', 'msg');
    await c.call('SET', 'end', 'marker');
    const chunks: string[] = [];
    for (;;) {
      const cmd = (await h.take()).toString('latin1');
      chunks.push(cmd);
      if (cmd.includes('marker')) break;
    }
    // A PING may come first (the primary's ping period started before our CONFIG SET).
    return chunks.filter((s) => s !== '*1\r\n$4\r\nPING\r\n').join('');
  } finally {
    h.close();
    c.close();
  }
}

test('the replication stream is byte for byte the one redis-server 7.0.15 produces', { skip: noRedis }, async () => {
  const ours = await redoubt();
  const ref = await redisIn({ lo: LO, hi: HI, args: ['--repl-diskless-sync', 'no'] });
  try {
    const expected = await streamOf(ref.port);
    assert.equal(await streamOf(ours.port), expected);
  } finally {
    await ref.stop();
    await ours.stop();
  }
});

test('a replica over its client-output-buffer-limit is disconnected', async () => {
  const primary = await redoubt(['--client-output-buffer-limit', 'replica 1mb 0 0']);
  const p = await RespClient.connect(primary.port);
  const h = await HandReplica.connect(primary.port);
  try {
    h.send('SYNC');
    await h.rdb();
    // The replica stops reading: the stream piles up in its output buffer.
    h.sock.pause();
    const big = 'x'.repeat(1024 * 1024);
    await until('the disconnection', async () => {
      await p.call('SET', 'big', big);
      return (await info(p, 'replication')).connected_slaves === '0' ? true : undefined;
    });
    assert.notEqual((await info(p, 'stats')).client_output_buffer_limit_disconnections, '0');
    assert.match(primary.output(), /closed for overcoming of output buffer limits|scheduled to be closed ASAP/);
  } finally {
    h.close();
    p.close();
    await primary.stop();
  }
});

test('redis-cli --replica follows the stream, --rdb saves the snapshot', { skip: noCli }, async () => {
  const primary = await redoubt();
  const p = await RespClient.connect(primary.port);
  const dir = mkdtempSync(path.join(tmpdir(), 'redoubt-repl-'));
  try {
    await p.call('SET', 'pre', '1');
    const cli = spawn(REDIS_CLI, ['-p', String(primary.port), '--replica'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    cli.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
    cli.stderr.on('data', (d: Buffer) => (out += d.toString('latin1')));
    try {
      await until('the sync', async () => (out.includes('SYNC done') ? true : undefined));
      await p.call('SELECT', '2');
      await p.call('SET', 'foo', 'bar');
      await until('the command', async () => (out.includes('"SET","foo","bar"') ? true : undefined));
      assert.match(out, /"SELECT","2"\n"SET","foo","bar"/);
    } finally {
      cli.kill();
    }
    const file = path.join(dir, 'dump.rdb');
    const rdb = spawn(REDIS_CLI, ['-p', String(primary.port), '--rdb', file], { stdio: 'ignore' });
    const code = await new Promise<number | null>((res) => rdb.once('exit', res));
    assert.equal(code, 0);
    const bytes = readFileSync(file);
    assert.equal(bytes.toString('latin1', 0, 9), 'REDIS0010');
    assert.ok(bytes.includes(Buffer.from('pre')));
  } finally {
    p.close();
    await primary.stop();
  }
});

test('repl-backlog-size resizes the backlog, repl-backlog-ttl frees it, repl-timeout drops silent replicas', async () => {
  const primary = await redoubt(['--repl-ping-replica-period', '3600', '--repl-timeout', '1']);
  const p = await RespClient.connect(primary.port);
  const h = await HandReplica.connect(primary.port);
  try {
    h.send('PSYNC', '?', '-1');
    assert.match(await h.line(), /^\+FULLRESYNC /);
    await h.rdb();
    for (let i = 0; i < 20; i++) await p.call('SET', `key:${i}`, 'v'.repeat(50));
    let ri = await info(p, 'replication');
    const end = Number(ri.master_repl_offset);
    assert.equal(ri.repl_backlog_histlen, String(end));
    assert.ok(Number((await info(p, 'memory')).mem_replication_backlog) > 0);
    await p.call('CONFIG', 'SET', 'repl-backlog-size', '100');
    ri = await info(p, 'replication');
    assert.equal(ri.repl_backlog_size, '100');
    assert.equal(ri.repl_backlog_histlen, '100');
    assert.equal(ri.repl_backlog_first_byte_offset, String(end - 100 + 1));
    assert.equal(ri.master_repl_offset, String(end));

    // A replica that never acknowledges is dropped after repl-timeout seconds.
    await until('the timed-out replica to go', async () =>
      (await info(p, 'replication')).connected_slaves === '0' ? true : undefined,
    );
    assert.match(primary.output(), /Disconnecting timedout replica \(streaming sync\)/);

    // Without replicas for repl-backlog-ttl seconds the backlog goes, with a new history.
    const before = await info(p, 'replication');
    assert.equal(before.repl_backlog_active, '1');
    await p.call('CONFIG', 'SET', 'repl-backlog-ttl', '1');
    const after = await until('the backlog to be freed', async () => {
      const i = await info(p, 'replication');
      return i.repl_backlog_active === '0' ? i : undefined;
    });
    assert.notEqual(after.master_replid, before.master_replid);
    assert.equal(after.master_replid2, '0'.repeat(40));
    assert.equal(after.repl_backlog_histlen, '0');
    assert.equal(after.repl_backlog_first_byte_offset, '0');
    assert.match(primary.output(), /Replication backlog freed after 1 seconds without connected replicas/);
  } finally {
    h.close();
    p.close();
    await primary.stop();
  }
});
