// The in-process API: import { RedoubtServer } from 'redoubt'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { RedoubtServer } from '../../src/index.js';

test('RedoubtServer starts on a free port, serves clients and stops', async () => {
  const server = new RedoubtServer();
  await server.start();
  assert.ok(server.port > 0);
  const r = new Redis({ port: server.port, host: server.host, lazyConnect: true, maxRetriesPerRequest: 0 });
  await r.connect();
  assert.equal(await r.set('k', 'v'), 'OK');
  assert.equal(await r.get('k'), 'v');
  r.disconnect();
  await server.stop();
  const again = new Redis({ port: server.port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  await assert.rejects(again.connect());
  again.disconnect();
});

test('options are config directives', async () => {
  const server = new RedoubtServer({ requirepass: 'pw', databases: 4 });
  await server.start();
  const anon = new Redis({ port: server.port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  anon.on('error', () => {});
  let refusal = '';
  anon.on('error', (e: Error) => (refusal = e.message));
  // ioredis opens with HELLO; like redis-server, Redoubt answers NOAUTH and ioredis gives up.
  await assert.rejects(anon.connect().then(() => anon.get('k')));
  assert.match(refusal, /^NOAUTH /);
  anon.disconnect();
  const r = new Redis({ port: server.port, password: 'pw', lazyConnect: true, retryStrategy: () => null });
  await r.connect();
  assert.equal(await r.set('k', 'v'), 'OK');
  await assert.rejects(r.select(4), /DB index is out of range/);
  r.disconnect();
  await server.stop();
});

test('an invalid option is refused', async () => {
  const server = new RedoubtServer({ databases: 'many' });
  await assert.rejects(server.start(), /Invalid option databases/);
});
