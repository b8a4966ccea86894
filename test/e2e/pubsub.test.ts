// Pub/Sub, keyspace notifications and client tracking with real client libraries: ioredis
// (RESP2 subscriber mode) and node-redis (RESP2 and RESP3 push messages).
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { startRedoubt, type Proc } from '../support/server.js';

let srv: Proc;

before(async () => {
  srv = await startRedoubt();
});
after(async () => {
  await srv?.stop();
});

/** Resolves with the first `n` values an event source delivers. */
function collect<T>(n: number, register: (push: (v: T) => void) => void): Promise<T[]> {
  return new Promise((resolve) => {
    const got: T[] = [];
    register((v) => {
      got.push(v);
      if (got.length === n) resolve(got);
    });
  });
}

test('ioredis: SUBSCRIBE, PSUBSCRIBE and PUBLISH', async () => {
  const sub = new Redis({ port: srv.port, host: '127.0.0.1' });
  const pub = new Redis({ port: srv.port, host: '127.0.0.1' });
  try {
    assert.equal(await sub.subscribe('news', 'sport'), 2);
    assert.equal(await sub.psubscribe('n*'), 3);
    const messages = collect<string>(2, (push) => sub.on('message', (ch: string, m: string) => push(`${ch}:${m}`)));
    const pmessages = collect<string>(1, (push) =>
      sub.on('pmessage', (p: string, ch: string, m: string) => push(`${p}|${ch}:${m}`)),
    );
    assert.equal(await pub.publish('news', 'hello'), 2);
    assert.equal(await pub.publish('sport', 'goal'), 1);
    assert.deepEqual(await messages, ['news:hello', 'sport:goal']);
    assert.deepEqual(await pmessages, ['n*|news:hello']);
    assert.deepEqual(await pub.pubsub('NUMSUB', 'news', 'none'), ['news', 1, 'none', 0]);
    assert.equal(await pub.pubsub('NUMPAT'), 1);
  } finally {
    sub.disconnect();
    pub.disconnect();
  }
});

test('node-redis: RESP3 push messages, sharded Pub/Sub and keyspace events', async () => {
  const url = `redis://127.0.0.1:${srv.port}`;
  const sub = createClient({ url, RESP: 3 });
  const pub = createClient({ url });
  await sub.connect();
  await pub.connect();
  try {
    const got = collect<string>(3, (push) => {
      void sub.subscribe('chan', (m, ch) => push(`${ch}:${m}`));
      void sub.sSubscribe('shard', (m, ch) => push(`s ${ch}:${m}`));
      void sub.pSubscribe('__keyevent@0__:*', (key, ch) => push(`${ch} ${key}`));
    });
    // Let the subscriptions land before publishing.
    while ((await pub.pubSubNumSub('chan'))['chan'] !== 1) await new Promise((r) => setTimeout(r, 5));
    while ((await pub.pubSubShardNumSub('shard'))['shard'] !== 1) await new Promise((r) => setTimeout(r, 5));
    while ((await pub.pubSubNumPat()) !== 1) await new Promise((r) => setTimeout(r, 5));
    await pub.configSet('notify-keyspace-events', 'E$');
    assert.equal(await pub.publish('chan', 'one'), 1);
    assert.equal(await pub.sPublish('shard', 'two'), 1);
    await pub.set('watched', 'v');
    assert.deepEqual((await got).sort(), ['__keyevent@0__:set watched', 'chan:one', 's shard:two']);
  } finally {
    await pub.configSet('notify-keyspace-events', '');
    await sub.quit();
    await pub.quit();
  }
});

test('raw RESP2: tracking redirected to a subscriber, and the subscribed-state refusal', async () => {
  const { RawClient } = await import('../support/raw-client.js');
  const [redir, tracked, writer] = await Promise.all([1, 2, 3].map(() => RawClient.connect(srv.port)));
  try {
    const id = (await redir.call('CLIENT', 'ID')).toString().slice(1, -2);
    await redir.call('SUBSCRIBE', '__redis__:invalidate');
    assert.match((await redir.call('GET', 'k')).toString(), /^-ERR Can't execute 'get': only \(P\|S\)SUBSCRIBE/);
    assert.equal((await tracked.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', id)).toString(), '+OK\r\n');
    await tracked.call('GET', 'cached');
    await writer.call('SET', 'cached', '1');
    const msg = await redir.send(Buffer.alloc(0));
    assert.equal(msg.toString(), '*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$6\r\ncached\r\n');
  } finally {
    for (const c of [redir, tracked, writer]) c.close();
  }
});

test('raw RESP3: tracking invalidation push arrives after the reply on the same connection', async () => {
  const { RawClient } = await import('../support/raw-client.js');
  const c = await RawClient.connect(srv.port);
  try {
    await c.call('HELLO', '3');
    assert.equal((await c.call('CLIENT', 'TRACKING', 'on')).toString(), '+OK\r\n');
    await c.call('GET', 'self');
    assert.equal((await c.call('SET', 'self', 'x')).toString(), '+OK\r\n');
    assert.equal((await c.call('PING')).toString(), '>2\r\n$10\r\ninvalidate\r\n*1\r\n$4\r\nself\r\n');
  } finally {
    c.close();
  }
});

test('node-redis client-side caching (RESP3 tracking) sees other clients write', async () => {
  const { BasicClientSideCache } = await import('redis');
  const url = `redis://127.0.0.1:${srv.port}`;
  const cache = new BasicClientSideCache({ ttl: 0, maxEntries: 0 });
  const cached = createClient({ url, RESP: 3, clientSideCache: cache });
  const writer = createClient({ url });
  await cached.connect();
  await writer.connect();
  try {
    await writer.set('csc', 'v1');
    assert.equal(await cached.get('csc'), 'v1');
    assert.equal(await cached.get('csc'), 'v1');
    assert.equal(cache.stats().hitCount, 1, 'second GET served from the local cache');
    await writer.set('csc', 'v2');
    // The invalidation push arrives asynchronously; the cache must drop the entry.
    let v = await cached.get('csc');
    for (let i = 0; i < 100 && v !== 'v2'; i++) {
      await new Promise((r) => setTimeout(r, 10));
      v = await cached.get('csc');
    }
    assert.equal(v, 'v2');
  } finally {
    await cached.quit();
    await writer.quit();
  }
});
