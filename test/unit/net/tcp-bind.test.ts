// Synchronous binding: the error is known before the call returns (CONFIG SET replies with it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { BindError, listenNow } from '../../../src/net/tcp-bind.js';

const PORT = 22895;

test('listenNow binds at once and throws EADDRINUSE synchronously on a busy port', async () => {
  const a = net.createServer();
  await listenNow(a, '127.0.0.1', PORT, 16);
  assert.equal((a.address() as net.AddressInfo).port, PORT);
  const b = net.createServer();
  let err: unknown = null;
  try {
    void listenNow(b, '127.0.0.1', PORT, 16);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof BindError);
  assert.equal(err.code, 'EADDRINUSE');
  assert.throws(
    () => listenNow(net.createServer(), '999.999.999.999', PORT, 16),
    (e: BindError) => e.code === 'EAI_NONAME',
  );
  // The bound server accepts connections.
  const got = new Promise<void>((resolve) => a.once('connection', (s) => (s.destroy(), resolve())));
  const c = net.connect(PORT, '127.0.0.1');
  await got;
  c.destroy();
  await new Promise<void>((r) => a.close(() => r()));
});
