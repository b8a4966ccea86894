// The replica side end to end: Redoubt following a real redis-server 7.0.15 (diskless and
// disk-based payloads, live stream, offsets, partial resync after a dropped link, masterauth,
// TLS, promotion, stale data, expiry) and following another Redoubt. Ports 26200-26299.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import path from 'node:path';
import { hasRedis, type Proc } from '../support/server.js';
import { redisIn, redoubtIn, portIn } from '../support/fixed-port.js';
import { RespClient } from '../support/resp-client.js';
import { makePki } from '../support/tls.js';
import { until } from '../support/until.js';

const PORTS = { lo: 26200, hi: 26299 };
const noRedis = hasRedis() ? false : 'redis-server 7.0.15 not installed (/usr/bin/redis-server)';
const DEBUG = ['--enable-debug-command', 'yes'];
/** A real master that starts a diskless transfer at once instead of waiting 5 s for more replicas. */
const FAST_MASTER = [...DEBUG, '--repl-diskless-sync-delay', '0'];

async function client(p: Proc | number): Promise<RespClient> {
  return RespClient.connect(typeof p === 'number' ? p : p.port);
}

async function info(c: RespClient, section = 'replication'): Promise<Record<string, string>> {
  const text = (await c.call('INFO', section)) as string;
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

interface Pair {
  master: Proc;
  replica: Proc;
  /** Clients of the master and of the replica. */
  m: RespClient;
  r: RespClient;
}

/** A real redis-server master and a Redoubt replica (not yet following it), with a client each; all closed afterwards. */
async function withPair(masterArgs: string[], replicaArgs: string[], fn: (p: Pair) => Promise<void>): Promise<void> {
  const master = await redisIn({ ...PORTS, args: masterArgs });
  const replica = await redoubtIn({ ...PORTS, args: replicaArgs });
  const m = await client(master);
  const r = await client(replica);
  try {
    await fn({ master, replica, m, r });
  } finally {
    m.close();
    r.close();
    await replica.stop();
    await master.stop();
  }
}

async function linkUp(replica: RespClient): Promise<void> {
  await until('master_link_status:up', async () => (await info(replica)).master_link_status === 'up');
}

/** wait_for_ofs_sync: the replica applied everything the master produced. */
async function inSync(master: RespClient, replica: RespClient): Promise<void> {
  await until('equal offsets', async () => {
    const m = (await info(master)).master_repl_offset;
    const r = await info(replica);
    return r.master_link_status === 'up' && r.master_repl_offset === m && r.slave_repl_offset === m;
  });
}

/**
 * Every key of every database with its type, contents and whether it has a TTL, read with
 * ordinary commands (DEBUG DIGEST is not comparable: Redoubt hashes differently from Redis).
 */
async function dataset(c: RespClient): Promise<string> {
  const out: unknown[] = [];
  for (let db = 0; db < 16; db++) {
    await c.call('SELECT', String(db));
    const keys = ((await c.call('KEYS', '*')) as string[]).sort();
    for (const k of keys) {
      const type = (await c.call('TYPE', k)) as string;
      let v: unknown;
      if (type === 'string') v = await c.call('GET', k);
      else if (type === 'list') v = await c.call('LRANGE', k, '0', '-1');
      else if (type === 'set') v = ((await c.call('SMEMBERS', k)) as string[]).sort();
      else if (type === 'zset') v = await c.call('ZRANGE', k, '0', '-1', 'WITHSCORES');
      else if (type === 'hash') v = ((await c.call('HGETALL', k)) as string[]).join('\0').split('\0');
      else if (type === 'stream') v = [await c.call('XRANGE', k, '-', '+'), await c.call('XINFO', 'GROUPS', k)];
      const hash = type === 'hash' ? sortPairs(v as string[]) : v;
      out.push([db, k, type, hash, ((await c.call('PTTL', k)) as number) > 0]);
    }
  }
  await c.call('SELECT', '0');
  return JSON.stringify(out);
}

function sortPairs(flat: string[]): string[][] {
  const pairs: string[][] = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
  return pairs.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

/** One key of every type and several encodings, a TTL, and keys in another database. */
async function populate(c: RespClient): Promise<void> {
  await c.call('SET', 'str', 'hello');
  await c.call('SET', 'int', '-12345');
  await c.call('SET', 'bin', Buffer.from([0, 255, 13, 10, 1]));
  await c.call('RPUSH', 'list', 'a', '1', 'x'.repeat(300));
  await c.call('SADD', 'intset', '1', '2', '-3');
  await c.call('SADD', 'set', 'a', 'b', 'c');
  await c.call('ZADD', 'zset', '1', 'a', '2.5', 'b', '-inf', 'c');
  await c.call('HSET', 'hash', 'f', 'v', 'n', '42');
  const big: string[] = [];
  for (let i = 0; i < 300; i++) big.push(String(i), `m${i}`);
  await c.call('ZADD', 'bigzset', ...big);
  await c.call('HSET', 'bighash', ...big);
  await c.call('PFADD', 'hll', 'a', 'b', 'c');
  await c.call('XADD', 'stream', '1-1', 'f', 'v');
  await c.call('XADD', 'stream', '2-1', 'g', 'w');
  await c.call('XGROUP', 'CREATE', 'stream', 'grp', '0');
  await c.call('XREADGROUP', 'GROUP', 'grp', 'alice', 'COUNT', '1', 'STREAMS', 'stream', '>');
  await c.call('SET', 'ttl', 'v', 'PX', '3600000');
  await c.call('SELECT', '7');
  await c.call('SET', 'db7', 'seven');
  await c.call('SELECT', '0');
}

test('full sync from a real diskless master, then its live stream, READONLY, ROLE', { skip: noRedis }, () =>
  withPair(FAST_MASTER, DEBUG, async ({ master, replica, m, r }) => {
    await populate(m);
    assert.equal(await r.call('REPLICAOF', '127.0.0.1', String(master.port)), 'OK');
    assert.equal(
      await r.call('REPLICAOF', '127.0.0.1', String(master.port)),
      'OK Already connected to specified master',
    );
    await linkUp(r);
    await inSync(m, r);
    assert.equal(await dataset(r), await dataset(m));
    const log = replica.output();
    for (const line of [
      `Connecting to MASTER 127.0.0.1:${master.port}`,
      'MASTER <-> REPLICA sync started',
      'Master replied to PING, replication can continue...',
      'Full resync from master: ',
      'MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk',
      'MASTER <-> REPLICA sync: Flushing old data',
      'MASTER <-> REPLICA sync: Loading DB in memory',
      'MASTER <-> REPLICA sync: Finished with success',
    ]) {
      assert.ok(log.includes(line), `log has "${line}"`);
    }
    assert.match(log, /\d+:S .* REPLICAOF 127\.0\.0\.1:\d+ enabled \(user request from 'id=/);

    // The live stream: TTLs, transactions, other databases, deletions.
    await m.call('SET', 'k1', 'v1', 'EX', '100');
    await m.call('EXPIRE', 'str', '1000');
    await m.call('MULTI');
    await m.call('INCR', 'counter');
    await m.call('LPUSH', 'list', 'pushed');
    await m.call('EXEC');
    await m.call('SELECT', '3');
    await m.call('SET', 'in3', 'three');
    await m.call('SELECT', '0');
    await m.call('DEL', 'hash');
    await m.call('XADD', 'stream', '3-1', 'h', 'x');
    await inSync(m, r);
    assert.equal(await dataset(r), await dataset(m));
    assert.equal(await r.call('GET', 'counter'), '1');
    await r.call('SELECT', '3');
    assert.equal(await r.call('GET', 'in3'), 'three');
    await r.call('SELECT', '0');
    const ttl = (await r.call('TTL', 'str')) as number;
    assert.ok(ttl > 990 && ttl <= 1000, `ttl ${ttl}`);

    // REPLCONF GETACK is answered (WAIT counts this replica) and ACKs report the offset.
    assert.equal(await m.call('WAIT', '1', '5000'), 1);
    await until('the ACKed offset', async () => {
      const mi = await info(m);
      return (mi.slave0 ?? '').includes(`offset=${mi.master_repl_offset},`);
    });

    const ro = (await r.call('SET', 'x', 'y')) as Error;
    assert.ok(ro instanceof Error);
    assert.equal(ro.message, "READONLY You can't write against a read only replica.");
    assert.ok((await r.call('GET', 'x')) === null);

    const role = (await r.call('ROLE')) as unknown[];
    assert.deepEqual(role.slice(0, 4), ['slave', '127.0.0.1', master.port, 'connected']);
    assert.equal(String(role[4]), (await info(m)).master_repl_offset);
    const ri = await info(r);
    assert.equal(ri.role, 'slave');
    assert.equal(ri.master_replid, (await info(m)).master_replid);
    const list = (await r.call('CLIENT', 'LIST', 'TYPE', 'master')) as string;
    assert.match(list, new RegExp(`^id=\\d+ addr=127\\.0\\.0\\.1:${master.port} .* flags=M `));
    const mi = await info(m);
    assert.match(mi.slave0 ?? '', new RegExp(`ip=127\\.0\\.0\\.1,port=${replica.port},state=online`));
  }),
);

test('disk-based payload, then a dropped link resumes with +CONTINUE', { skip: noRedis }, () =>
  withPair([...DEBUG, '--repl-diskless-sync', 'no'], DEBUG, async ({ master, replica, m, r }) => {
    await populate(m);
    await r.call('REPLICAOF', '127.0.0.1', String(master.port));
    await inSync(m, r);
    assert.match(replica.output(), /MASTER <-> REPLICA sync: receiving \d+ bytes from master to disk/);
    // A disk-based load keeps the payload as the dump file (owner-only, like every file).
    const dir = ((await r.call('CONFIG', 'GET', 'dir')) as string[])[1]!;
    assert.equal(statSync(path.join(dir, 'dump.rdb')).mode & 0o777, 0o600);
    assert.equal(await dataset(r), await dataset(m));
    const before = Number((await info(m, 'stats')).sync_partial_ok);

    assert.equal(await r.call('CLIENT', 'KILL', 'TYPE', 'master'), 1);
    await m.call('SET', 'while-down', '1');
    await m.call('RPUSH', 'list', 'more');
    await inSync(m, r);
    assert.equal(Number((await info(m, 'stats')).sync_partial_ok), before + 1);
    assert.equal(Number((await info(m, 'stats')).sync_full), 1);
    assert.ok(replica.output().includes('MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.'));
    assert.equal(await r.call('GET', 'while-down'), '1');
    assert.equal(await dataset(r), await dataset(m));
  }),
);

test('repl-timeout: a silent master is dropped, then resumed with +CONTINUE', { skip: noRedis }, () =>
  withPair(FAST_MASTER, ['--repl-timeout', '1'], async ({ master, replica, m, r }) => {
    await r.call('REPLICAOF', '127.0.0.1', String(master.port));
    await linkUp(r);
    // The master pings every 10 s: with a 1 s timeout the replica gives up on it first.
    await until('the timeout', () => replica.output().includes('MASTER timeout: no data nor PING received...'));
    await until('the partial resync', () =>
      replica.output().includes('MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.'),
    );
    assert.ok(Number((await info(m, 'stats')).sync_partial_ok) >= 1);
  }),
);

test('masterauth against a master with requirepass', { skip: noRedis }, () =>
  withPair(
    [...FAST_MASTER, '--requirepass', 'pw\x01x'],
    ['--masterauth', 'wrong'],
    async ({ master, replica, m, r }) => {
      await m.call('AUTH', 'pw\x01x');
      await m.call('SET', 'guarded', 'yes');
      await r.call('REPLICAOF', '127.0.0.1', String(master.port));
      await until('the AUTH failure', () => replica.output().includes('Unable to AUTH to MASTER: -WRONGPASS'));
      assert.equal((await info(r)).master_link_status, 'down');
      await r.call('CONFIG', 'SET', 'masterauth', 'pw\x01x');
      await linkUp(r);
      await until('the dataset', async () => (await r.call('GET', 'guarded')) === 'yes');
    },
  ),
);

test('TLS replication from a TLS master (tls-replication yes)', { skip: noRedis }, async () => {
  const pki = makePki();
  const tlsPort = await portIn(26250, 26299);
  const certs = [
    '--tls-cert-file',
    pki.file('server.crt'),
    '--tls-key-file',
    pki.file('server.key'),
    '--tls-ca-cert-file',
    pki.file('ca.crt'),
  ];
  const master = await redisIn({
    ...PORTS,
    args: [...FAST_MASTER, '--tls-port', String(tlsPort), ...certs, '--tls-auth-clients', 'yes'],
  });
  const replica = await redoubtIn({ ...PORTS, args: ['--tls-replication', 'yes', ...certs] });
  const m = await client(master);
  const r = await client(replica);
  try {
    await populate(m);
    await r.call('REPLICAOF', '127.0.0.1', String(tlsPort));
    await linkUp(r);
    await m.call('SET', 'over-tls', 'yes');
    await inSync(m, r);
    assert.equal(await r.call('GET', 'over-tls'), 'yes');
    assert.equal(await r.call('HGET', 'hash', 'n'), '42');
  } finally {
    m.close();
    r.close();
    await replica.stop();
    await master.stop();
    pki.cleanup();
  }
});

test('REPLICAOF NO ONE promotes: data kept, writes accepted, old history as replid2', { skip: noRedis }, () =>
  withPair(FAST_MASTER, [], async ({ master, replica, m, r }) => {
    await populate(m);
    await r.call('REPLICAOF', '127.0.0.1', String(master.port));
    await inSync(m, r);
    const before = await info(r);
    assert.equal(await r.call('REPLICAOF', 'NO', 'ONE'), 'OK');
    const after = await info(r);
    assert.equal(after.role, 'master');
    assert.equal(after.master_replid2, before.master_replid);
    assert.notEqual(after.master_replid, before.master_replid);
    assert.equal(Number(after.second_repl_offset), Number(before.master_repl_offset) + 1);
    assert.equal(await r.call('GET', 'str'), 'hello');
    assert.equal(await r.call('SET', 'now-writable', '1'), 'OK');
    assert.match(replica.output(), /\d+:M .* MASTER MODE enabled \(user request from 'id=/);
    assert.equal(await r.call('REPLICAOF', 'NO', 'ONE'), 'OK');
    const offset = Number((await info(r)).master_repl_offset);
    assert.ok(offset > Number(after.master_repl_offset), 'the write after the promotion is in the new history');
    assert.deepEqual((await r.call('ROLE')) as unknown[], ['master', offset, []]);
  }),
);

test('errors, stale data and blocked clients when turning into a replica', async () => {
  const replica = await redoubtIn({ ...PORTS, args: ['--replica-serve-stale-data', 'no'] });
  const r = await client(replica);
  const blocked = await client(replica);
  const nobody = await portIn(26200, 26249); // nothing listens there
  try {
    assert.equal(((await r.call('REPLICAOF', '127.0.0.1', '65536')) as Error).message, 'ERR Invalid master port');
    assert.equal(((await r.call('REPLICAOF', '127.0.0.1', 'x')) as Error).message, 'ERR Invalid master port');
    const pending = blocked.call('BLPOP', 'nothing', '0');
    await until('the blocked client', async () => (await info(r, 'clients')).blocked_clients === '1');
    assert.equal(await r.call('REPLICAOF', '127.0.0.1', String(nobody)), 'OK');
    const err = (await pending) as Error;
    assert.equal(
      err.message,
      'UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)',
    );
    const stale = (await r.call('GET', 'k')) as Error;
    assert.equal(stale.message, "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
    // PING lacks the stale flag too; INFO and ROLE have it.
    assert.match(((await r.call('PING')) as Error).message, /^MASTERDOWN /);
    const role = (await r.call('ROLE')) as unknown[];
    assert.equal(role[0], 'slave');
    assert.equal(role[4], -1);
    const ri = await info(r);
    assert.equal(ri.master_link_status, 'down');
    assert.equal(ri.master_sync_in_progress, '0');
    assert.equal(await r.call('CONFIG', 'SET', 'replica-serve-stale-data', 'yes'), 'OK');
    assert.equal(await r.call('GET', 'k'), null);
    assert.deepEqual(await r.call('CONFIG', 'GET', 'replicaof'), ['replicaof', `127.0.0.1 ${nobody}`]);
    await r.call('REPLICAOF', 'NO', 'ONE');
    assert.deepEqual(await r.call('CONFIG', 'GET', 'replicaof'), ['replicaof', '']);
  } finally {
    r.close();
    blocked.close();
    await replica.stop();
  }
});

test('a replica keeps logically expired keys until the master deletes them', { skip: noRedis }, () =>
  withPair(FAST_MASTER, [], async ({ master, m, r }) => {
    await m.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    await m.call('SET', 'keep', '1');
    await r.call('REPLICAOF', '127.0.0.1', String(master.port));
    await m.call('SET', 'short', 'v', 'PX', '150');
    await inSync(m, r);
    await until('the TTL to pass', async () => (await r.call('GET', 'short')) === null);
    // Gone for readers, but still held: the master has not deleted it.
    assert.equal(await r.call('DBSIZE'), 2);
    assert.equal(await r.call('EXISTS', 'short'), 0);
    // The master expires it on access and streams the DEL.
    assert.equal(await m.call('GET', 'short'), null);
    await inSync(m, r);
    assert.equal(await r.call('DBSIZE'), 1);
  }),
);

test("a writable replica expires the keys its own clients gave a TTL, not the master's", { skip: noRedis }, () =>
  withPair(FAST_MASTER, [], async ({ master, m, r }) => {
    await m.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    await r.call('REPLICAOF', '127.0.0.1', String(master.port));
    await m.call('SET', 'from-master', 'v', 'PX', '100');
    await inSync(m, r);
    await r.call('CONFIG', 'SET', 'replica-read-only', 'no');
    await r.call('SET', 'local', 'v', 'PX', '800');
    await r.call('SET', 'local-persisted', 'v', 'PX', '800');
    await r.call('PERSIST', 'local-persisted');
    const tracked = async (): Promise<number> => Number((await info(r, 'stats')).slave_expires_tracked_keys);
    assert.equal(await tracked(), 2);
    // The replica's cron deletes its own expired key; the master's stays until its DEL arrives.
    await until('the local key to be deleted', async () => (await r.call('DBSIZE')) === 2);
    assert.equal(await r.call('EXISTS', 'local'), 0);
    assert.equal(await r.call('GET', 'local-persisted'), 'v');
    assert.equal(await r.call('EXISTS', 'from-master'), 0); // logically expired, still held
    assert.equal(await tracked(), 0);
  }),
);

test('the replicaof directive starts the server as a replica', { skip: noRedis }, async () => {
  const master = await redisIn({ ...PORTS, args: FAST_MASTER });
  const m = await client(master);
  await m.call('SET', 'boot', 'strapped');
  const replica = await redoubtIn({ ...PORTS, args: ['--replicaof', '127.0.0.1', String(master.port)] });
  const r = await client(replica);
  try {
    await linkUp(r);
    assert.equal(await r.call('GET', 'boot'), 'strapped');
    assert.ok(replica.output().includes('Partial resynchronization not possible (no cached master)'));
    assert.deepEqual(await r.call('CONFIG', 'GET', 'slaveof'), ['slaveof', `127.0.0.1 ${master.port}`]);
  } finally {
    m.close();
    r.close();
    await replica.stop();
    await master.stop();
  }
});

/** Two Redoubt servers with DEBUG on (a primary and a replica to be), clients to both. */
async function withTwoRedoubts(
  fn: (p: RespClient, r: RespClient, primary: Proc, replica: Proc) => Promise<void>,
): Promise<void> {
  const primary = await redoubtIn({ ...PORTS, args: DEBUG });
  const replica = await redoubtIn({ ...PORTS, args: DEBUG });
  const p = await client(primary);
  const r = await client(replica);
  try {
    await fn(p, r, primary, replica);
  } finally {
    p.close();
    r.close();
    await replica.stop();
    await primary.stop();
  }
}

test('Redoubt following a Redoubt primary (PSYNC, stream, partial resync)', () =>
  withTwoRedoubts(async (p, r, primary, replica) => {
    await populate(p);
    await r.call('REPLICAOF', '127.0.0.1', String(primary.port));
    await inSync(p, r);
    assert.equal(await dataset(r), await dataset(p));
    await p.call('SET', 'live', '1', 'EX', '100');
    await p.call('SELECT', '2');
    await p.call('INCRBY', 'n', '5');
    await p.call('SELECT', '0');
    await inSync(p, r);
    assert.equal(await dataset(r), await dataset(p));
    await r.call('CLIENT', 'KILL', 'TYPE', 'master');
    await p.call('SET', 'after', 'kill');
    await inSync(p, r);
    assert.ok(replica.output().includes('MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.'));
    assert.equal(await r.call('GET', 'after'), 'kill');
  }));

test('a command from the primary that fails on the replica is logged as critical and counted', () =>
  withTwoRedoubts(async (p, r, primary, replica) => {
    await r.call('REPLICAOF', '127.0.0.1', String(primary.port));
    await linkUp(r);
    // DEBUG REPLICATE sends a command to the replicas only: here one the replica cannot run.
    assert.equal(await p.call('DEBUG', 'REPLICATE', 'fake-command-1'), 'OK');
    // A writable replica diverges: INCRBY on its own string fails there.
    await r.call('CONFIG', 'SET', 'replica-read-only', 'no');
    await r.call('SET', 'number2', 'foo');
    await p.call('INCRBY', 'number2', '1');
    await inSync(p, r);
    assert.equal(await p.call('GET', 'number2'), '1');
    assert.equal(await r.call('GET', 'number2'), 'foo');
    await until('both errors logged', () => (replica.output().match(/== CRITICAL ==/g) ?? []).length === 2);
    const log = replica.output();
    assert.match(
      log,
      /sending an error to its master: 'ERR unknown command 'fake-command-1'.*' after processing the command '<unknown>'/,
    );
    assert.match(
      log,
      /sending an error to its master: 'ERR value is not an integer or out of range' after processing the command 'incrby'/,
    );
    assert.equal((await info(r, 'stats'))['unexpected_error_replies'], '2');
    assert.equal(await r.call('PING'), 'PONG', 'the replica keeps going');
  }));

test('chained: a redis-server replica of a Redoubt replica gets the stream verbatim', { skip: noRedis }, async () => {
  const master = await redisIn({ ...PORTS, args: FAST_MASTER });
  const middle = await redoubtIn({ ...PORTS, args: DEBUG });
  const leaf = await redisIn({ ...PORTS, args: DEBUG });
  const m = await client(master);
  const mid = await client(middle);
  const l = await client(leaf);
  try {
    await populate(m);
    await mid.call('REPLICAOF', '127.0.0.1', String(master.port));
    await inSync(m, mid);
    await l.call('REPLICAOF', '127.0.0.1', String(middle.port));
    await m.call('SET', 'chained', 'yes');
    await m.call('HSET', 'hash', 'extra', '1');
    await inSync(m, mid);
    await inSync(m, l);
    assert.equal(await l.call('GET', 'chained'), 'yes');
    assert.equal(await dataset(l), await dataset(m));
  } finally {
    m.close();
    mid.close();
    l.close();
    await leaf.stop();
    await middle.stop();
    await master.stop();
  }
});
