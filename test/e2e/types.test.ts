// The data types through real clients, the way applications use them: ioredis (RESP2) and
// node-redis v5 (RESP2 and RESP3, where maps, sets and doubles come back typed).
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createClient, RESP_TYPES } from 'redis';
import { startRedoubt, type Proc } from '../support/server.js';
import { connectIoredis, waitBlocked } from '../support/ioredis.js';

let srv: Proc;

before(async () => {
  srv = await startRedoubt();
});
after(async () => {
  await srv?.stop();
});

const ioredis = (): Promise<Redis> => connectIoredis(srv.port);

test('ioredis: hashes as objects, counters, WRONGTYPE', async () => {
  const r = await ioredis();
  try {
    await r.del('user:1');
    assert.equal(await r.hset('user:1', { name: 'ada', age: '36' }), 2);
    assert.equal(await r.hset('user:1', 'lang', 'en', 'age', '37'), 1);
    assert.deepEqual(await r.hgetall('user:1'), { name: 'ada', age: '37', lang: 'en' });
    assert.deepEqual(await r.hgetall('nouser'), {});
    assert.equal(await r.hincrby('user:1', 'age', 5), 42);
    assert.equal(await r.hincrbyfloat('user:1', 'score', '1.5'), '1.5');
    assert.deepEqual(await r.hmget('user:1', 'name', 'missing'), ['ada', null]);
    assert.equal(await r.hlen('user:1'), 4);
    assert.equal(await r.hdel('user:1', 'lang', 'nope'), 1);
    assert.deepEqual((await r.hkeys('user:1')).sort(), ['age', 'name', 'score']);
    await r.set('plain', 'x');
    await assert.rejects(
      r.hgetall('plain'),
      /^ReplyError: WRONGTYPE Operation against a key holding the wrong kind of value/,
    );
    await assert.rejects(r.hincrby('user:1', 'name', 1), /ERR hash value is not an integer/);
  } finally {
    r.disconnect();
  }
});

test('ioredis: a pipeline mixing types keeps per-command results and errors', async () => {
  const r = await ioredis();
  try {
    await r.del('p:h', 'p:l', 'p:s', 'p:z', 'p:str');
    const res = await r
      .pipeline()
      .hset('p:h', 'f', 'v')
      .rpush('p:l', 'a', 'b', 'c')
      .sadd('p:s', 'x', 'y')
      .zadd('p:z', 1, 'one', 2, 'two')
      .set('p:str', 's')
      .lpush('p:str', 'oops')
      .lrange('p:l', 0, -1)
      .zscore('p:z', 'two')
      .scard('p:s')
      .hget('p:h', 'f')
      .exec();
    assert.ok(res);
    const values = res.map(([err, v]) => (err ? `error: ${err.message}` : v));
    assert.deepEqual(values, [
      1,
      3,
      2,
      2,
      'OK',
      'error: WRONGTYPE Operation against a key holding the wrong kind of value',
      ['a', 'b', 'c'],
      '2',
      2,
      'v',
    ]);
    assert.deepEqual(await r.multi().type('p:h').type('p:l').type('p:s').type('p:z').exec(), [
      [null, 'hash'],
      [null, 'list'],
      [null, 'set'],
      [null, 'zset'],
    ]);
  } finally {
    r.disconnect();
  }
});

test('ioredis: BRPOP wakes up when a second client pushes', async () => {
  const [waiter, pusher] = await Promise.all([ioredis(), ioredis()]);
  try {
    await pusher.del('jobs', 'jobs2');
    const popped = waiter.brpop('jobs', 'jobs2', 5);
    await waitBlocked(pusher, 1);
    assert.equal(await pusher.lpush('jobs2', 'job-a', 'job-b'), 2);
    assert.deepEqual(await popped, ['jobs2', 'job-a']);
    assert.deepEqual(await pusher.lrange('jobs2', 0, -1), ['job-b']);
    await waitBlocked(pusher, 0);
    // A timeout with nothing pushed answers null.
    assert.equal(await waiter.brpop('empty-queue', 0.05), null);
    // BLMOVE hands the element over atomically.
    const moved = waiter.blmove('src', 'dst', 'LEFT', 'RIGHT', 5);
    await waitBlocked(pusher, 1);
    await pusher.rpush('src', 'm1');
    assert.equal(await moved, 'm1');
    assert.deepEqual(await pusher.lrange('dst', 0, -1), ['m1']);
    assert.equal(await pusher.exists('src'), 0);
  } finally {
    waiter.disconnect();
    pusher.disconnect();
  }
});

test('ioredis: sets and sorted sets', async () => {
  const r = await ioredis();
  try {
    await r.del('tags', 'tags2', 'board');
    assert.equal(await r.sadd('tags', 'red', 'green', 'blue', 'red'), 3);
    assert.deepEqual((await r.smembers('tags')).sort(), ['blue', 'green', 'red']);
    assert.equal(await r.sismember('tags', 'green'), 1);
    await r.sadd('tags2', 'green', 'pink');
    assert.deepEqual(await r.sinter('tags', 'tags2'), ['green']);
    assert.deepEqual((await r.sunion('tags', 'tags2')).sort(), ['blue', 'green', 'pink', 'red']);
    assert.equal(await r.zadd('board', 10, 'alice', 25.5, 'bob', 3, 'carol', 17, 'dave'), 4);
    assert.deepEqual(await r.zrange('board', '0', '-1', 'WITHSCORES'), [
      'carol',
      '3',
      'alice',
      '10',
      'dave',
      '17',
      'bob',
      '25.5',
    ]);
    assert.deepEqual(await r.zrangebyscore('board', '(3', '+inf', 'LIMIT', 1, 2), ['dave', 'bob']);
    assert.deepEqual(await r.zrevrange('board', 0, 1), ['bob', 'dave']);
    assert.equal(await r.zincrby('board', 0.25, 'carol'), '3.25');
    assert.equal(await r.zrank('board', 'dave'), 2);
    assert.deepEqual(await r.zpopmin('board'), ['carol', '3.25']);
    assert.equal(await r.zcard('board'), 3);
  } finally {
    r.disconnect();
  }
});

test('ioredis: HyperLogLog, geo and SORT', async () => {
  const r = await ioredis();
  try {
    await r.del('visits', 'visits2', 'cities', 'ids', 'w_1', 'w_2', 'w_3', 'sorted');
    assert.equal(await r.pfadd('visits', 'a', 'b', 'c', 'a'), 1);
    assert.equal(await r.pfadd('visits', 'a'), 0);
    assert.equal(await r.pfcount('visits'), 3);
    await r.pfadd('visits2', 'c', 'd');
    assert.equal(await r.pfcount('visits', 'visits2'), 4);
    assert.equal(await r.geoadd('cities', 13.361389, 38.115556, 'Palermo', 15.087269, 37.502669, 'Catania'), 2);
    assert.equal(await r.call('GEODIST', 'cities', 'Palermo', 'Catania', 'km'), '166.2742');
    assert.deepEqual(await r.geosearch('cities', 'FROMLONLAT', 15, 37, 'BYRADIUS', 200, 'km', 'ASC'), [
      'Catania',
      'Palermo',
    ]);
    assert.deepEqual(await r.geosearch('cities', 'FROMMEMBER', 'Palermo', 'BYRADIUS', 100, 'km', 'WITHDIST'), [
      ['Palermo', '0.0000'],
    ]);
    await r.rpush('ids', '3', '1', '2');
    await r.mset('w_1', '30', 'w_2', '10', 'w_3', '20');
    assert.deepEqual(await r.sort('ids'), ['1', '2', '3']);
    assert.deepEqual(await r.sort('ids', 'BY', 'w_*', 'DESC'), ['1', '3', '2']);
    assert.deepEqual(await r.sort('ids', 'BY', 'w_*', 'GET', '#', 'GET', 'w_*'), ['2', '10', '3', '20', '1', '30']);
    assert.equal(await r.sort('ids', 'LIMIT', 0, 2, 'STORE', 'sorted'), 2);
    assert.deepEqual(await r.lrange('sorted', 0, -1), ['1', '2']);
    await r.sadd('words', 'b', 'a');
    await assert.rejects(r.sort('words'), /ERR One or more scores can't be converted into double/);
    assert.deepEqual(await r.sort('words', 'ALPHA'), ['a', 'b']);
  } finally {
    r.disconnect();
  }
});

test('node-redis RESP2: typed replies and WRONGTYPE as a client error', async () => {
  const c = createClient({ url: `redis://127.0.0.1:${srv.port}` });
  await c.connect();
  try {
    await c.del(['n2:h', 'n2:s', 'n2:z', 'n2:l', 'n2:str']);
    assert.equal(await c.hSet('n2:h', { a: '1', b: '2' }), 2);
    assert.deepEqual({ ...(await c.hGetAll('n2:h')) }, { a: '1', b: '2' });
    assert.equal(await c.sAdd('n2:s', ['x', 'y', 'z']), 3);
    assert.deepEqual((await c.sMembers('n2:s')).sort(), ['x', 'y', 'z']);
    assert.equal(
      await c.zAdd('n2:z', [
        { score: 1.5, value: 'm' },
        { score: -2, value: 'n' },
      ]),
      2,
    );
    assert.equal(await c.zScore('n2:z', 'm'), 1.5);
    assert.deepEqual(await c.zRangeWithScores('n2:z', 0, -1), [
      { value: 'n', score: -2 },
      { value: 'm', score: 1.5 },
    ]);
    assert.equal(await c.rPush('n2:l', ['1', '2', '3']), 3);
    assert.deepEqual(await c.lRange('n2:l', 0, -1), ['1', '2', '3']);
    assert.equal(await c.pfAdd('n2:hll', ['a', 'b']), 1);
    assert.equal(await c.pfCount('n2:hll'), 2);
    await c.set('n2:str', 'v');
    await assert.rejects(c.hGetAll('n2:str'), (e: Error) => e.message.startsWith('WRONGTYPE Operation against a key'));
    await assert.rejects(c.zAdd('n2:z', { score: NaN, value: 'q' }), /ERR value is not a valid float/);
    // The connection is still usable after an error reply.
    assert.equal(await c.lLen('n2:l'), 3);
  } finally {
    await c.close();
  }
});

test('node-redis RESP3: maps, sets and doubles arrive typed', async () => {
  const c = createClient({ url: `redis://127.0.0.1:${srv.port}`, RESP: 3 });
  await c.connect();
  try {
    await c.del(['n3:h', 'n3:s', 'n3:z', 'n3:str']);
    await c.hSet('n3:h', { a: '1', b: '2' });
    assert.deepEqual({ ...(await c.hGetAll('n3:h')) }, { a: '1', b: '2' });
    await c.sAdd('n3:s', ['x', 'y']);
    await c.zAdd('n3:z', [
      { score: 0.1, value: 'p' },
      { score: Infinity, value: 'q' },
    ]);
    assert.equal(await c.zScore('n3:z', 'p'), 0.1);
    assert.equal(await c.zScore('n3:z', 'q'), Infinity);
    assert.equal(await c.zIncrBy('n3:z', 0.2, 'p'), 0.30000000000000004);

    // With type mapping the RESP3 types themselves are visible: a map, a set, doubles.
    const typed = c.withTypeMapping({ [RESP_TYPES.MAP]: Map, [RESP_TYPES.SET]: Set });
    const h = await typed.hGetAll('n3:h');
    assert.ok(h instanceof Map, 'HGETALL is a RESP3 map');
    assert.deepEqual(
      new Map([...(h as Map<string, string>)].sort()),
      new Map([
        ['a', '1'],
        ['b', '2'],
      ]),
    );
    const s = await typed.sMembers('n3:s');
    assert.ok(s instanceof Set, 'SMEMBERS is a RESP3 set');
    assert.deepEqual([...(s as Set<string>)].sort(), ['x', 'y']);
    const raw = (await c.sendCommand(['ZRANGE', 'n3:z', '0', '-1', 'WITHSCORES'])) as unknown[];
    assert.deepEqual(raw, [
      ['p', 0.30000000000000004],
      ['q', Infinity],
    ]);
    assert.deepEqual(await c.sendCommand(['ZMSCORE', 'n3:z', 'p', 'nope']), [0.30000000000000004, null]);
    assert.deepEqual(await c.sendCommand(['HRANDFIELD', 'n3:h', '5', 'WITHVALUES']), [
      ['a', '1'],
      ['b', '2'],
    ]);
    await c.set('n3:str', 'v');
    await assert.rejects(c.sMembers('n3:str'), (e: Error) => e.message.startsWith('WRONGTYPE'));
    assert.equal(await c.sCard('n3:s'), 2);
  } finally {
    await c.close();
  }
});
