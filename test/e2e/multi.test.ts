// Transactions and introspection through real clients: ioredis (multi, pipeline, watch,
// monitor) and node-redis (multi, watch), over the built server.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createClient, WatchError } from 'redis';
import { startRedoubt, type Proc } from '../support/server.js';

let srv: Proc;

before(async () => {
  srv = await startRedoubt();
});
after(async () => {
  await srv?.stop();
});

function ioredis(): Redis {
  return new Redis({ port: srv.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
}

test('ioredis: MULTI/EXEC results, a runtime error inside, queue-time error aborts', async () => {
  const r = ioredis();
  try {
    await r.del('tx:a', 'tx:s');
    const res = await r.multi().set('tx:a', '1').incr('tx:a').get('tx:a').exec();
    assert.deepEqual(res, [
      [null, 'OK'],
      [null, 2],
      [null, '2'],
    ]);
    await r.set('tx:s', 'abc');
    const mixed = await r.multi().incr('tx:s').set('tx:b', 'x').exec();
    assert.match(String(mixed![0]![0]), /ERR value is not an integer or out of range/);
    assert.deepEqual(mixed![1], [null, 'OK']);
    await assert.rejects(
      r.multi().set('tx:c', '1').call('NOSUCHCOMMAND').exec(),
      /EXECABORT Transaction discarded because of previous errors/,
    );
    assert.equal(await r.exists('tx:c'), 0);
  } finally {
    r.disconnect();
  }
});

test('ioredis: WATCH with a concurrent change makes exec() resolve null', async () => {
  const r = ioredis();
  const o = ioredis();
  try {
    await r.set('tx:w', '1');
    await r.watch('tx:w');
    await o.set('tx:w', '2');
    assert.equal(await r.multi().set('tx:w', '3').exec(), null);
    assert.equal(await r.get('tx:w'), '2');
    await r.watch('tx:w');
    assert.deepEqual(await r.multi().set('tx:w', '4').exec(), [[null, 'OK']]);
  } finally {
    r.disconnect();
    o.disconnect();
  }
});

test('ioredis: MONITOR streams commands of other clients with redaction', async () => {
  const r = ioredis();
  const mon = await r.monitor();
  const other = ioredis();
  try {
    const seen: string[][] = [];
    const got = new Promise<void>((resolve) => {
      mon.on('monitor', (_time: string, args: string[], source: string, db: string) => {
        assert.match(source, /^127\.0\.0\.1:\d+$/);
        assert.equal(db, '0');
        seen.push(args);
        if (args[0] === 'get') resolve();
      });
    });
    await other.set('mon:k', 'v');
    await other.call('AUTH', 'secret').catch(() => {});
    await other.get('mon:k');
    await got;
    assert.deepEqual(
      // Only this test's commands (clients also send their own HELLO/INFO/CLIENT on connect).
      seen.filter((a) => a[1] === 'mon:k' || a[0] === 'AUTH'),
      [
        ['set', 'mon:k', 'v'],
        ['AUTH', '(redacted)'],
        ['get', 'mon:k'],
      ],
    );
  } finally {
    mon.disconnect();
    r.disconnect();
    other.disconnect();
  }
});

test('node-redis: multi().exec(), WatchError on a touched key, RESP3', async () => {
  for (const RESP of [2, 3] as const) {
    const c = createClient({ url: `redis://127.0.0.1:${srv.port}`, RESP });
    const o = createClient({ url: `redis://127.0.0.1:${srv.port}` });
    await c.connect();
    await o.connect();
    try {
      const res = await c.multi().set('nr:a', '5').incrBy('nr:a', 2).get('nr:a').exec();
      assert.deepEqual(res, ['OK', 7, '7']);
      await c.watch('nr:a');
      await o.set('nr:a', '0');
      await assert.rejects(c.multi().set('nr:a', '9').exec(), WatchError);
      assert.equal(await c.get('nr:a'), '0');
    } finally {
      await c.quit();
      await o.quit();
    }
  }
});

test('WAIT with a replica count blocks for its timeout, then answers 0', async () => {
  const r = ioredis();
  try {
    const t0 = Date.now();
    assert.equal(await r.call('WAIT', '1', '150'), 0);
    assert.ok(Date.now() - t0 >= 140, `returned after ${Date.now() - t0}ms`);
    assert.equal(await r.call('WAIT', '0', '0'), 0);
  } finally {
    r.disconnect();
  }
});

test('WAIT forever ends with CLIENT UNBLOCK (TIMEOUT answers 0, ERROR the UNBLOCKED error)', async () => {
  const r = ioredis();
  const admin = ioredis();
  try {
    const id = String(await r.client('ID'));
    for (const how of ['TIMEOUT', 'ERROR']) {
      const pending = r.call('WAIT', '1', '0').then(
        (v) => v,
        (e: Error) => e.message,
      );
      // Wait until the server shows the client blocked (flags=b).
      for (;;) {
        const info = String(await admin.client('LIST', 'ID', id));
        if (/ flags=b /.test(info)) break;
      }
      assert.equal(await admin.call('CLIENT', 'UNBLOCK', id, how), 1);
      assert.equal(await pending, how === 'TIMEOUT' ? 0 : 'UNBLOCKED client unblocked via CLIENT UNBLOCK');
    }
    assert.equal(await admin.call('CLIENT', 'UNBLOCK', id), 0);
    assert.equal(await r.ping(), 'PONG');
  } finally {
    r.disconnect();
    admin.disconnect();
  }
});

test('SLOWLOG over the wire: entries carry the client address and name', async () => {
  const r = ioredis();
  try {
    await r.config('SET', 'slowlog-log-slower-than', '0');
    await r.client('SETNAME', 'slowpoke');
    await r.slowlog('RESET');
    await r.set('sl:k', 'v');
    const entries = (await r.slowlog('GET', '1')) as unknown[][];
    assert.deepEqual(entries[0]![3], ['set', 'sl:k', 'v']);
    assert.match(String(entries[0]![4]), /^127\.0\.0\.1:\d+$/);
    assert.equal(entries[0]![5], 'slowpoke');
  } finally {
    await r.config('SET', 'slowlog-log-slower-than', '10000');
    r.disconnect();
  }
});
