import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigStore } from '../../../src/config/store.js';
import { Server } from '../../../src/server/server.js';
import { CLIENT } from '../../../src/server/client.js';
import { processCommand } from '../../../src/commands/dispatch.js';
import { OutputLimits, parseObufLimits } from '../../../src/pubsub/limits.js';

function configSet(server: Server, value: string): void {
  const admin = server.newClient('127.0.0.1:9', '127.0.0.1:2', 4);
  processCommand(admin, ['CONFIG', 'SET', 'client-output-buffer-limit', value]);
  assert.equal(Buffer.concat(admin.reply.take()).toString(), '+OK\r\n');
}

test('parseObufLimits reads the three classes of the CONFIG GET form', () => {
  const m = parseObufLimits('normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60');
  assert.deepEqual(m.get('pubsub'), { hard: 33554432, soft: 8388608, seconds: 60 });
  assert.deepEqual(m.get('normal'), { hard: 0, soft: 0, seconds: 0 });
});

test('the soft limit only counts once exceeded for longer than its seconds', (t) => {
  const server = new Server(new ConfigStore());
  const c = server.newClient('127.0.0.1:1', '127.0.0.1:2', 3);
  c.flags |= CLIENT.pubsub;
  const limits = new OutputLimits(server.config);
  configSet(server, 'pubsub 0 1000 2');
  let now = 1_000_000_000_000;
  t.mock.method(Date, 'now', () => now);
  assert.equal(limits.exceeded(c, 5000), false, 'first time over: the clock starts');
  now += 2000;
  assert.equal(limits.exceeded(c, 5000), false, 'exactly the allowed seconds is still fine');
  now += 1000;
  assert.equal(limits.exceeded(c, 5000), true);
  assert.equal(limits.exceeded(c, 10), false, 'back under the limit resets the clock');
  now += 10_000;
  assert.equal(limits.exceeded(c, 5000), false);
});

test('the hard limit applies at once; a normal client uses the normal class', () => {
  const server = new Server(new ConfigStore());
  const c = server.newClient('127.0.0.1:1', '127.0.0.1:2', 3);
  const limits = new OutputLimits(server.config);
  configSet(server, 'normal 100 0 0 pubsub 1000 0 0');
  assert.equal(limits.exceeded(c, 100), true);
  c.flags |= CLIENT.pubsub;
  assert.equal(limits.exceeded(c, 100), false);
  assert.equal(limits.exceeded(c, 1000), true);
});
