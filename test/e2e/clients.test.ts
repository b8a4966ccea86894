// The built server with real clients: ioredis, node-redis (RESP2 and RESP3) and redis-cli.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { startRedoubt, hasRedisCli, REDIS_CLI, type Proc } from '../support/server.js';

const run = promisify(execFile);
let srv: Proc;

before(async () => {
  srv = await startRedoubt();
});
after(async () => {
  await srv?.stop();
});

test('ioredis: strings, counters, expiry, pipelines, binary values', async () => {
  const r = new Redis({ port: srv.port, host: '127.0.0.1', lazyConnect: true });
  await r.connect();
  try {
    assert.equal(await r.set('greeting', 'hello'), 'OK');
    assert.equal(await r.get('greeting'), 'hello');
    assert.equal(await r.incrby('n', 5), 5);
    assert.equal(await r.set('t', 'v', 'EX', 100), 'OK');
    const ttl = await r.ttl('t');
    assert.ok(ttl > 90 && ttl <= 100, `ttl ${ttl}`);
    const bin = Buffer.from([0, 255, 13, 10, 128]);
    await r.set('bin', bin);
    assert.deepEqual(await r.getBuffer('bin'), bin);
    const res = await r.pipeline().set('p1', '1').incr('p1').get('p1').exec();
    assert.deepEqual(res, [
      [null, 'OK'],
      [null, 2],
      [null, '2'],
    ]);
    await assert.rejects(r.incr('greeting'), /ERR value is not an integer or out of range/);
    await assert.rejects(r.call('NOSUCHCOMMAND'), /ERR unknown command 'NOSUCHCOMMAND'/);
    assert.equal(await r.ping(), 'PONG');
  } finally {
    r.disconnect();
  }
});

test('node-redis over RESP2 and RESP3', async () => {
  for (const RESP of [2, 3] as const) {
    const c = createClient({ url: `redis://127.0.0.1:${srv.port}`, RESP });
    await c.connect();
    try {
      await c.set(`resp${RESP}`, 'x');
      assert.equal(await c.get(`resp${RESP}`), 'x');
      assert.deepEqual(await c.mGet([`resp${RESP}`, 'missing']), ['x', null]);
      assert.equal(await c.exists(`resp${RESP}`), 1);
      assert.equal((await c.dbSize()) >= 1, true);
    } finally {
      await c.quit();
    }
  }
});

test(
  'redis-cli: commands, inline errors and --raw',
  { skip: hasRedisCli() ? false : 'redis-cli not installed (apt-get install redis-tools)' },
  async () => {
    const cli = (...args: string[]) => run(REDIS_CLI, ['-p', String(srv.port), ...args]);
    assert.equal((await cli('SET', 'cli', 'works')).stdout.trim(), 'OK');
    assert.equal((await cli('--raw', 'GET', 'cli')).stdout.trim(), 'works');
    assert.match((await cli('NOSUCH')).stdout, /ERR unknown command 'NOSUCH'/);
    assert.equal((await cli('PING')).stdout.trim(), 'PONG');
  },
);

test('a hostile client gets a protocol error and others keep working', async () => {
  const { RawClient } = await import('../support/raw-client.js');
  const bad = await RawClient.connect(srv.port);
  const reply = await bad.send('*1\r\n$-5\r\n');
  assert.equal(reply.toString(), '-ERR Protocol error: invalid bulk length\r\n');
  const good = await RawClient.connect(srv.port);
  assert.equal((await good.call('PING')).toString(), '+PONG\r\n');
  good.close();
  bad.close();
});
