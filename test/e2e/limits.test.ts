// Limits against the built server, compared with redis-server 7.0.15 where the bytes matter:
// maxmemory eviction under a write flood, the OOM error under noeviction, the output buffer
// limit of normal clients, maxclients and the idle timeout.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { hasRedis, startRedis, startRedoubt, type Proc } from '../support/server.js';
import { RawClient, encodeCommand } from '../support/raw-client.js';

const procs: Proc[] = [];
after(async () => {
  for (const p of procs) await p.stop();
});

async function redoubt(args: string[] = []): Promise<Proc> {
  const p = await startRedoubt(args);
  procs.push(p);
  return p;
}

async function bothServers(): Promise<Proc[]> {
  const out = [await redoubt()];
  if (hasRedis()) {
    const r = await startRedis();
    procs.push(r);
    out.push(r);
  }
  return out;
}

function infoField(info: Buffer, name: string): number {
  const m = new RegExp(`\\r\\n${name}:(\\d+)\\r\\n`).exec(info.toString('latin1'));
  assert.ok(m, `${name} missing from INFO`);
  return Number(m[1]);
}

/** Everything a fresh connection receives (optionally after sending `send`) until it is closed. */
function readUntilClosed(port: number, send = '', maxMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    let got = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`connection still open after ${maxMs}ms; got ${JSON.stringify(got.slice(0, 200))}`));
    }, maxMs);
    s.setEncoding('latin1');
    s.on('connect', () => {
      if (send !== '') s.write(send);
    });
    s.on('data', (d: string) => (got += d));
    s.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
    s.on('error', () => {});
  });
}

test('maxmemory allkeys-lru under a write flood: memory stays under the limit, the server keeps answering', async () => {
  const p = await redoubt();
  const c = await RawClient.connect(p.port);
  const base = infoField(await c.call('info', 'memory'), 'used_memory');
  const limit = base + 2 * 1024 * 1024;
  assert.equal((await c.call('config', 'set', 'maxmemory', String(limit))).toString(), '+OK\r\n');
  assert.equal((await c.call('config', 'set', 'maxmemory-policy', 'allkeys-lru')).toString(), '+OK\r\n');
  // Four writers, each pipelining 5000 SETs of 1KB (20MB in all, ten times the limit).
  const value = 'v'.repeat(1024);
  const writers = await Promise.all([0, 1, 2, 3].map(() => RawClient.connect(p.port)));
  const floods = writers.map(async (w, n) => {
    for (let batch = 0; batch < 10; batch++) {
      const parts: Buffer[] = [];
      for (let i = 0; i < 500; i++) parts.push(encodeCommand(['set', `k:${n}:${batch}:${i}`, value]));
      // One write carries the whole batch; the other 499 sends only wait for their reply.
      const bytes = Buffer.concat(parts);
      const replies = await Promise.all(parts.map((_, i) => w.send(i === 0 ? bytes : Buffer.alloc(0))));
      for (const r of replies) assert.equal(r.toString(), '+OK\r\n');
      // While the flood runs, another client is served and memory is under the limit.
      assert.equal((await c.call('ping')).toString(), '+PONG\r\n');
      const used = infoField(await c.call('info', 'memory'), 'used_memory');
      assert.ok(used <= limit + 4096, `used_memory ${used} over the limit ${limit}`);
    }
  });
  await Promise.all(floods);
  const stats = await c.call('info', 'stats');
  assert.ok(infoField(stats, 'evicted_keys') > 10000, 'keys were evicted');
  const dbsize = Number((await c.call('dbsize')).toString().slice(1));
  assert.ok(dbsize > 100 && dbsize < 20000, `dbsize ${dbsize}`);
  for (const w of writers) w.close();
  c.close();
});

test('noeviction: the OOM error is byte for byte the same as redis-server', async () => {
  const replies: string[][] = [];
  for (const p of await bothServers()) {
    const c = await RawClient.connect(p.port);
    await c.call('set', 'a', '1');
    await c.call('config', 'set', 'maxmemory-policy', 'noeviction');
    await c.call('config', 'set', 'maxmemory', '1');
    const got: string[] = [];
    got.push((await c.call('set', 'x', 'y')).toString('latin1'));
    got.push((await c.call('get', 'a')).toString('latin1'));
    got.push((await c.call('multi')).toString('latin1'));
    got.push((await c.call('incr', 'a')).toString('latin1'));
    got.push((await c.call('exec')).toString('latin1'));
    got.push((await c.call('config', 'set', 'maxmemory', '0')).toString('latin1'));
    got.push((await c.call('set', 'x', 'y')).toString('latin1'));
    replies.push(got);
    c.close();
  }
  assert.equal(replies[0]![0], "-OOM command not allowed when used memory > 'maxmemory'.\r\n");
  assert.equal(replies[0]![6], '+OK\r\n');
  if (replies.length === 2) assert.deepEqual(replies[0], replies[1]);
});

test('a normal client over client-output-buffer-limit is closed without its reply, like redis-server', async () => {
  const seen: string[] = [];
  for (const p of await bothServers()) {
    const c = await RawClient.connect(p.port);
    assert.equal(
      (await c.call('config', 'set', 'client-output-buffer-limit', 'normal 100000 0 0')).toString(),
      '+OK\r\n',
    );
    await c.call('setrange', 'big', '200000', 'x');
    // Pipelined after the big reply: neither reply arrives.
    const got = await readUntilClosed(p.port, 'GET big\r\nPING\r\n');
    seen.push(got);
    assert.equal((await c.call('ping')).toString(), '+PONG\r\n');
    assert.equal((await c.call('config', 'set', 'client-output-buffer-limit', 'normal 0 0 0')).toString(), '+OK\r\n');
    c.close();
  }
  assert.equal(seen[0], '');
  if (seen.length === 2) assert.equal(seen[0], seen[1]);
});

test('maxclients refuses the extra connection with the same bytes as redis-server', async () => {
  const seen: string[] = [];
  for (const p of await bothServers()) {
    const c = await RawClient.connect(p.port);
    assert.equal((await c.call('config', 'set', 'maxclients', '2')).toString(), '+OK\r\n');
    const second = await RawClient.connect(p.port);
    assert.equal((await second.call('ping')).toString(), '+PONG\r\n');
    seen.push(await readUntilClosed(p.port));
    second.close();
    assert.equal((await c.call('config', 'set', 'maxclients', '10000')).toString(), '+OK\r\n');
    c.close();
  }
  assert.equal(seen[0], '-ERR max number of clients reached\r\n');
  if (seen.length === 2) assert.equal(seen[0], seen[1]);
});

test('timeout closes idle clients but not subscribers', async () => {
  const p = await redoubt();
  const c = await RawClient.connect(p.port);
  const sub = await RawClient.connect(p.port);
  await sub.call('subscribe', 'ch');
  assert.equal((await c.call('config', 'set', 'timeout', '1')).toString(), '+OK\r\n');
  const started = Date.now();
  // An idle connection that never sends anything is closed by the cron after the timeout.
  await readUntilClosed(p.port, '', 5000);
  assert.ok(Date.now() - started >= 1000, 'closed before the timeout');
  assert.equal(sub.isClosed, false);
  c.close();
  const again = await RawClient.connect(p.port);
  assert.equal((await again.call('config', 'set', 'timeout', '0')).toString(), '+OK\r\n');
  sub.close();
  again.close();
});

test(
  'CONFIG SET maxmemory below the usage evicts at once, without waiting for a write',
  { timeout: 20000 },
  async () => {
    for (const p of await bothServers()) {
      const c = await RawClient.connect(p.port);
      const sub = new net.Socket();
      try {
        await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'Ee', 'maxmemory-policy', 'allkeys-lru');
        await c.call('SET', 'foo', 'bar');
        let got = '';
        const waiters: [string, () => void][] = [];
        sub.on('data', (d) => {
          got += d.toString('latin1');
          for (const [needle, resolve] of waiters) if (got.includes(needle)) resolve();
        });
        const seen = (needle: string): Promise<void> => new Promise((resolve) => waiters.push([needle, resolve]));
        const subscribed = seen('psubscribe');
        const evicted = seen('evicted');
        await new Promise<void>((resolve) => sub.connect(p.port, '127.0.0.1', resolve));
        sub.write(encodeCommand(['PSUBSCRIBE', '__keyevent@0__:*']));
        await subscribed;
        await c.call('CONFIG', 'SET', 'maxmemory', '1');
        await evicted;
        assert.match(got, /__keyevent@0__:evicted\r\n\$3\r\nfoo\r\n/);
        assert.equal((await c.call('EXISTS', 'foo')).toString(), ':0\r\n');
        await c.call('CONFIG', 'SET', 'maxmemory', '0', 'maxmemory-policy', 'noeviction', 'notify-keyspace-events', '');
      } finally {
        sub.destroy();
        c.close();
      }
    }
  },
);
