import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from '../../../src/server/server.js';
import { ConfigStore } from '../../../src/config/store.js';
import { CLIENT, type Client } from '../../../src/server/client.js';
import { processCommand } from '../../../src/commands/dispatch.js';
import { obufClassOf, outputLimits, outputMemory, parseLimits } from '../../../src/server/obuf.js';
import { clientEvictionLimit } from '../../../src/server/client-evict.js';

function setup(): { server: Server; c: Client; run: (...argv: string[]) => string; closed: () => boolean } {
  const server = new Server(new ConfigStore());
  const c = server.newClient('127.0.0.1:50000', '127.0.0.1:6379', 50000);
  let closed = false;
  let pending = 0;
  c.control = {
    close: () => void (closed = true),
    scheduleFlush: () => {},
    socketPending: () => pending,
    setPaused: () => {},
  };
  (c as unknown as { setPending: (n: number) => void }).setPending = (n) => (pending = n);
  const run = (...argv: string[]): string => {
    processCommand(c, argv);
    return Buffer.concat(c.reply.take()).toString('latin1');
  };
  return { server, c, run, closed: () => closed };
}

test('canonical limits parse per class', () => {
  const m = parseLimits('normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60');
  assert.deepEqual(m.get('slave'), { hard: 268435456, soft: 67108864, seconds: 60 });
  assert.deepEqual(m.get('normal'), { hard: 0, soft: 0, seconds: 0 });
});

test('classes follow Redis getClientType', () => {
  const { c } = setup();
  assert.equal(obufClassOf(c), 'normal');
  c.flags |= CLIENT.pubsub;
  assert.equal(obufClassOf(c), 'pubsub');
  c.ext.replica = true;
  assert.equal(obufClassOf(c), 'slave');
});

test('a normal client over the hard limit is marked to close before its reply goes out', () => {
  const { server, c, run } = setup();
  run('config', 'set', 'client-output-buffer-limit', 'normal 100000 0 0');
  run('setrange', 'big', '200000', 'x');
  processCommand(c, ['get', 'big']);
  assert.ok(outputMemory(c) > 100000);
  assert.ok(c.has(CLIENT.closeAsap));
  assert.equal(server.stats.clientOutbufLimitDisconnections, 1);
});

test('the soft limit needs to stay exceeded for more than soft-seconds', () => {
  const { server, c, run } = setup();
  run('config', 'set', 'client-output-buffer-limit', 'normal 0 1000 2');
  const limits = outputLimits(server);
  assert.equal(limits.exceeded(c, 5000, 100), false); // first seen
  assert.equal(limits.exceeded(c, 5000, 102), false); // 2s: not more than 2
  assert.equal(limits.exceeded(c, 5000, 103), true);
  assert.equal(limits.exceeded(c, 10, 104), false); // back under: clock reset
  assert.equal(limits.exceeded(c, 5000, 105), false);
});

test('the cron closes a client whose soft limit expired while idle', () => {
  const { server, c, run, closed } = setup();
  assert.equal(run('config', 'set', 'client-output-buffer-limit', 'normal 0 20000 0'), '+OK\r\n');
  (c as unknown as { setPending: (n: number) => void }).setPending(50000);
  const limits = outputLimits(server);
  // First seen over the soft limit five seconds ago (soft-seconds is 0).
  assert.equal(limits.exceeded(c, 50000, Math.floor(Date.now() / 1000) - 5), false);
  assert.equal(closed(), false);
  for (const h of server.hooks.cron) h();
  assert.ok(closed() || c.has(CLIENT.closeAsap));
});

test('maxmemory-clients: bytes, percentage of maxmemory, and the 128k floor', () => {
  const { server, run } = setup();
  assert.equal(clientEvictionLimit(server), 0);
  run('config', 'set', 'maxmemory-clients', '1000');
  assert.equal(clientEvictionLimit(server), 128 * 1024);
  run('config', 'set', 'maxmemory-clients', '3mb');
  assert.equal(clientEvictionLimit(server), 3 * 1024 * 1024);
  run('config', 'set', 'maxmemory-clients', '50%');
  assert.equal(clientEvictionLimit(server), 0);
  run('config', 'set', 'maxmemory', '100mb');
  assert.equal(clientEvictionLimit(server), 50 * 1024 * 1024);
});
