// Streams through real clients: ioredis (RESP2) and node-redis v5 (RESP2 and RESP3), the way
// applications use them: producers, XREAD / XREADGROUP BLOCK woken by XADD, consumer groups
// with acknowledgements and claiming, and the blocking edge cases (key deleted, CLIENT
// UNBLOCK, timeouts, MULTI).
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

test('ioredis: produce, range, trim and delete', async () => {
  const r = await ioredis();
  try {
    await r.del('ev');
    const id1 = await r.xadd('ev', '*', 'type', 'login', 'user', 'ada');
    assert.match(id1!, /^\d+-\d+$/);
    const id2 = await r.xadd('ev', 'MAXLEN', '~', '1000', '*', 'type', 'logout');
    assert.ok(id2! > id1! || id2!.length > id1!.length);
    assert.equal(await r.xlen('ev'), 2);
    const all = await r.xrange('ev', '-', '+');
    assert.deepEqual(all, [
      [id1, ['type', 'login', 'user', 'ada']],
      [id2, ['type', 'logout']],
    ]);
    assert.deepEqual(await r.xrevrange('ev', '+', '-', 'COUNT', 1), [[id2, ['type', 'logout']]]);
    assert.equal(await r.xdel('ev', id1!), 1);
    assert.equal(await r.xtrim('ev', 'MAXLEN', 0), 1);
    assert.equal(await r.xlen('ev'), 0);
    assert.equal(await r.type('ev'), 'stream');
    assert.equal(await r.object('ENCODING', 'ev'), 'stream');
    await assert.rejects(
      r.xadd('ev', '1-1', 'a', 'b'),
      /ERR The ID specified in XADD is equal or smaller than the target stream top item/,
    );
    // Binary-safe fields and values.
    const bin = Buffer.from([0, 255, 13, 10, 128]);
    await r.xadd('ev', '*', bin, bin);
    const [[, fv]] = (await r.xrangeBuffer('ev', '-', '+')) as [Buffer, Buffer[]][];
    assert.deepEqual(fv, [bin, bin]);
  } finally {
    r.disconnect();
  }
});

test('ioredis: XREAD BLOCK is woken by XADD and times out otherwise', async () => {
  const r = await ioredis();
  const reader = await ioredis();
  try {
    await r.del('feed');
    await r.xadd('feed', '1-0', 'a', '1');
    const pending = reader.xread('BLOCK', 0, 'STREAMS', 'feed', '$');
    await waitBlocked(r, 1);
    await r.xadd('feed', '2-0', 'b', '2');
    assert.deepEqual(await pending, [['feed', [['2-0', ['b', '2']]]]]);
    const t0 = Date.now();
    assert.equal(await reader.xread('BLOCK', 50, 'STREAMS', 'feed', '$'), null);
    assert.ok(Date.now() - t0 >= 40);
    // Inside MULTI the command does not block: it answers like a timeout.
    const res = await r.multi().xread('BLOCK', 0, 'STREAMS', 'feed', '$').exec();
    assert.deepEqual(res, [[null, null]]);
  } finally {
    r.disconnect();
    reader.disconnect();
  }
});

test('ioredis: XREAD BLOCK on several keys answers for the key that got data, FIFO among readers', async () => {
  const r = await ioredis();
  const a = await ioredis();
  const b = await ioredis();
  try {
    await r.del('k1', 'k2');
    const pa = a.xread('BLOCK', 0, 'STREAMS', 'k1', 'k2', '$', '$');
    const pb = b.xread('COUNT', 1, 'BLOCK', 0, 'STREAMS', 'k2', '0');
    await waitBlocked(r, 2);
    // Creating k2 wakes both readers with k2's entry only.
    await r.xadd('k2', '3-0', 'x', 'y');
    assert.deepEqual(await pa, [['k2', [['3-0', ['x', 'y']]]]]);
    assert.deepEqual(await pb, [['k2', [['3-0', ['x', 'y']]]]]);
    await waitBlocked(r, 0);
  } finally {
    r.disconnect();
    a.disconnect();
    b.disconnect();
  }
});

test('ioredis: consumer group workflow with ack, pending, claim and autoclaim', async () => {
  const r = await ioredis();
  try {
    await r.del('jobs');
    assert.equal(await r.xgroup('CREATE', 'jobs', 'workers', '$', 'MKSTREAM'), 'OK');
    await r.xadd('jobs', '1-0', 'job', 'a');
    await r.xadd('jobs', '2-0', 'job', 'b');
    await r.xadd('jobs', '3-0', 'job', 'c');
    assert.deepEqual(await r.xreadgroup('GROUP', 'workers', 'w1', 'COUNT', 2, 'STREAMS', 'jobs', '>'), [
      [
        'jobs',
        [
          ['1-0', ['job', 'a']],
          ['2-0', ['job', 'b']],
        ],
      ],
    ]);
    assert.deepEqual(await r.xreadgroup('GROUP', 'workers', 'w2', 'STREAMS', 'jobs', '>'), [
      ['jobs', [['3-0', ['job', 'c']]]],
    ]);
    assert.equal(await r.xack('jobs', 'workers', '1-0', '9-0'), 1);
    assert.deepEqual(await r.xpending('jobs', 'workers'), [
      2,
      '2-0',
      '3-0',
      [
        ['w1', '1'],
        ['w2', '1'],
      ],
    ]);
    const ext = (await r.xpending('jobs', 'workers', '-', '+', 10)) as [string, string, number, number][];
    assert.deepEqual(
      ext.map(([id, owner, , count]) => [id, owner, count]),
      [
        ['2-0', 'w1', 1],
        ['3-0', 'w2', 1],
      ],
    );
    assert.ok(ext.every(([, , idle]) => idle >= 0));
    // Claim w1's entry for w3; the delivery count goes up.
    assert.deepEqual(await r.xclaim('jobs', 'workers', 'w3', 0, '2-0'), [['2-0', ['job', 'b']]]);
    const [, owner, , count] = ((await r.xpending('jobs', 'workers', '-', '+', 1)) as unknown[][])[0]!;
    assert.equal(owner, 'w3');
    assert.equal(count, 2);
    // XAUTOCLAIM also reports entries deleted meanwhile (7.0's third element).
    await r.xdel('jobs', '3-0');
    assert.deepEqual(await r.xautoclaim('jobs', 'workers', 'w4', 0, '0-0'), ['0-0', [['2-0', ['job', 'b']]], ['3-0']]);
    const groups = (await r.xinfo('GROUPS', 'jobs')) as unknown[][];
    assert.deepEqual(groups[0]!.slice(0, 8), [
      'name',
      'workers',
      'consumers',
      4,
      'pending',
      1,
      'last-delivered-id',
      '3-0',
    ]);
    await assert.rejects(
      r.xreadgroup('GROUP', 'nope', 'w', 'STREAMS', 'jobs', '>'),
      /NOGROUP No such key 'jobs' or consumer group 'nope' in XREADGROUP with GROUP option/,
    );
  } finally {
    r.disconnect();
  }
});

test('ioredis: XREADGROUP BLOCK is served by XADD and woken with an error when the key goes', async () => {
  const r = await ioredis();
  const w = await ioredis();
  try {
    await r.del('q');
    await r.xgroup('CREATE', 'q', 'g', '$', 'MKSTREAM');
    const served = w.xreadgroup('GROUP', 'g', 'c', 'BLOCK', 0, 'STREAMS', 'q', '>');
    await waitBlocked(r, 1);
    await r.xadd('q', '5-0', 'k', 'v');
    assert.deepEqual(await served, [['q', [['5-0', ['k', 'v']]]]]);
    assert.equal(((await r.xpending('q', 'g')) as unknown[])[0], 1);

    // The woken client's error may arrive before the trigger's reply (Redis writes the
    // client served last first), so each rejection is expected before the trigger is sent.
    const gone = assert.rejects(
      w.xreadgroup('GROUP', 'g', 'c', 'BLOCK', 0, 'STREAMS', 'q', '>'),
      /UNBLOCKED the stream key no longer exists/,
    );
    await waitBlocked(r, 1);
    await r.del('q');
    await gone;

    await r.xgroup('CREATE', 'q', 'g', '$', 'MKSTREAM');
    const destroyed = assert.rejects(
      w.xreadgroup('GROUP', 'g', 'c', 'BLOCK', 0, 'STREAMS', 'q', '>'),
      /NOGROUP the consumer group this client was blocked on no longer exists/,
    );
    await waitBlocked(r, 1);
    await r.xgroup('DESTROY', 'q', 'g');
    await destroyed;

    await r.xgroup('CREATE', 'q', 'g', '$');
    const typeChanged = assert.rejects(
      w.xreadgroup('GROUP', 'g', 'c', 'BLOCK', 0, 'STREAMS', 'q', '>'),
      /UNBLOCKED the stream key no longer exists/,
    );
    await waitBlocked(r, 1);
    await r.set('q', 'now a string');
    await typeChanged;
    await waitBlocked(r, 0);
  } finally {
    r.disconnect();
    w.disconnect();
  }
});

test('ioredis: CLIENT UNBLOCK ends an XREAD wait with a timeout or an error', async () => {
  const r = await ioredis();
  const w = await ioredis();
  try {
    await r.del('u');
    const id = await w.client('ID');
    const p1 = w.xread('BLOCK', 0, 'STREAMS', 'u', '$');
    await waitBlocked(r, 1);
    assert.equal(await r.client('UNBLOCK', id), 1);
    assert.equal(await p1, null);
    // Expected before the trigger: the woken client's error may arrive before UNBLOCK's reply.
    const p2 = assert.rejects(
      w.xread('BLOCK', 0, 'STREAMS', 'u', '0'),
      /UNBLOCKED client unblocked via CLIENT UNBLOCK/,
    );
    await waitBlocked(r, 1);
    assert.equal(await r.client('UNBLOCK', id, 'ERROR'), 1);
    await p2;
    // The connection keeps working after being unblocked.
    assert.equal(await w.xlen('u'), 0);
  } finally {
    r.disconnect();
    w.disconnect();
  }
});

test('node-redis RESP3: XREAD is a map, XINFO STREAM a map', async () => {
  const c = createClient({ url: `redis://127.0.0.1:${srv.port}`, RESP: 3 });
  await c.connect();
  try {
    await c.del('n3:s');
    await c.xAdd('n3:s', '1-0', { a: '1' });
    await c.xAdd('n3:s', '2-0', { b: '2' });
    const typed = c.withTypeMapping({ [RESP_TYPES.MAP]: Map });
    const read = (await typed.sendCommand(['XREAD', 'STREAMS', 'n3:s', '0'])) as Map<string, unknown>;
    assert.ok(read instanceof Map, 'XREAD is a RESP3 map');
    assert.deepEqual(read.get('n3:s'), [
      ['1-0', ['a', '1']],
      ['2-0', ['b', '2']],
    ]);
    const info = (await typed.sendCommand(['XINFO', 'STREAM', 'n3:s'])) as Map<string, unknown>;
    assert.ok(info instanceof Map);
    assert.equal(info.get('length'), 2);
    assert.equal(info.get('last-generated-id'), '2-0');
    assert.equal(info.get('entries-added'), 2);
    assert.deepEqual(info.get('first-entry'), ['1-0', ['a', '1']]);
    // A missing key in XREAD without BLOCK is a RESP3 null.
    assert.equal(await c.sendCommand(['XREAD', 'STREAMS', 'n3:none', '0']), null);
  } finally {
    await c.close();
  }
});

test('node-redis RESP2: xAdd / xRange / xReadGroup helpers', async () => {
  const c = createClient({ url: `redis://127.0.0.1:${srv.port}` });
  await c.connect();
  try {
    await c.del('n2:s');
    await c.xGroupCreate('n2:s', 'g', '0', { MKSTREAM: true });
    await c.xAdd('n2:s', '7-1', { k: 'v' });
    const entries = (await c.xRange('n2:s', '-', '+')) ?? [];
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.id, '7-1');
    assert.deepEqual({ ...entries[0]!.message }, { k: 'v' });
    const got = (await c.xReadGroup('g', 'c', { key: 'n2:s', id: '>' })) as unknown as {
      name: string;
      messages: { id: string }[];
    }[];
    assert.equal(got[0]!.name, 'n2:s');
    assert.equal(got[0]!.messages[0]!.id, '7-1');
    assert.equal(await c.xAck('n2:s', 'g', '7-1'), 1);
  } finally {
    await c.close();
  }
});
