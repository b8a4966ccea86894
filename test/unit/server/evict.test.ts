import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from '../../../src/server/server.js';
import { ConfigStore } from '../../../src/config/store.js';
import type { Client } from '../../../src/server/client.js';
import { processCommand } from '../../../src/commands/dispatch.js';
import { countedMemory, datasetBytes, usedMemory } from '../../../src/server/memory.js';
import { evictionTimeLimitUs, evictorOf, parsePolicy } from '../../../src/server/evict.js';

function setup(): { server: Server; c: Client; run: (...argv: string[]) => string } {
  const server = new Server(new ConfigStore());
  const c = server.newClient('127.0.0.1:50000', '127.0.0.1:6379', 50000);
  const run = (...argv: string[]): string => {
    processCommand(c, argv);
    return Buffer.concat(c.reply.take()).toString('latin1');
  };
  return { server, c, run };
}

/** Fills n keys of `size` bytes; every other one with a TTL when `volatileEvery` is set. */
function fill(run: (...argv: string[]) => string, prefix: string, n: number, size: number, ttl = false): void {
  const v = 'x'.repeat(size);
  for (let i = 0; i < n; i++) {
    assert.equal(run('set', `${prefix}${i}`, v, ...(ttl ? ['ex', '1000'] : [])), '+OK\r\n');
  }
}

test('policy names parse into kind and scope', () => {
  assert.deepEqual(parsePolicy('allkeys-lru'), { kind: 'lru', allKeys: true });
  assert.deepEqual(parsePolicy('volatile-ttl'), { kind: 'ttl', allKeys: false });
  assert.deepEqual(parsePolicy('noeviction'), { kind: 'none', allKeys: false });
});

test('tenacity maps to Redis eviction time limits', () => {
  assert.equal(evictionTimeLimitUs(10), 500);
  assert.equal(evictionTimeLimitUs(0), 0);
  assert.ok(Math.abs(evictionTimeLimitUs(11) - 575) < 1e-9);
  assert.equal(evictionTimeLimitUs(100), Infinity);
});

test('accounting rises with writes and falls with deletes, expiry and flush', () => {
  const { server, run } = setup();
  const empty = datasetBytes(server);
  fill(run, 'k', 100, 1000);
  const full = datasetBytes(server);
  assert.ok(full - empty >= 100 * 1000, `dataset grew by ${full - empty}`);
  run('del', 'k0');
  assert.ok(datasetBytes(server) < full);
  run('append', 'k1', 'y'.repeat(5000));
  assert.ok(datasetBytes(server) > full);
  run('flushall');
  assert.equal(datasetBytes(server), 0);
  assert.ok(usedMemory(server) > 0);
});

for (const policy of ['allkeys-lru', 'allkeys-lfu', 'allkeys-random']) {
  test(`${policy} keeps memory under maxmemory and counts evictions`, () => {
    const { server, run } = setup();
    const limit = countedMemory(server) + 200_000;
    run('config', 'set', 'maxmemory', String(limit));
    run('config', 'set', 'maxmemory-policy', policy);
    fill(run, 'k', 2000, 500);
    assert.ok(countedMemory(server) <= limit + 4096, `${countedMemory(server)} > ${limit}`);
    assert.ok(server.stats.evictedKeys > 0);
    const size = server.dbs[0]!.size;
    assert.ok(size > 10 && size < 2000, `dbsize ${size}`);
  });
}

for (const policy of ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl']) {
  test(`${policy} only removes keys with a TTL, then refuses with OOM`, () => {
    const { server, run } = setup();
    fill(run, 'p', 50, 500);
    const limit = countedMemory(server) + 100_000;
    run('config', 'set', 'maxmemory', String(limit));
    run('config', 'set', 'maxmemory-policy', policy);
    fill(run, 'v', 1000, 500, true);
    for (let i = 0; i < 50; i++) assert.ok(server.dbs[0]!.dict.has(`p${i}`), `p${i} evicted`);
    assert.ok(server.stats.evictedKeys > 0);
    // Only persistent keys left over the limit: writes are refused.
    let oom = 0;
    for (let i = 0; i < 400; i++) {
      const r = run('set', `q${i}`, 'x'.repeat(500));
      if (r !== '+OK\r\n') {
        assert.equal(r, "-OOM command not allowed when used memory > 'maxmemory'.\r\n");
        oom++;
      }
    }
    assert.ok(oom > 0);
    assert.equal(server.dbs[0]!.expires.size, 0);
  });
}

test('allkeys-lru evicts the idle keys first', () => {
  const { server, run } = setup();
  // The policy first: LFU mode is process-wide and Entry.lru is read by the current mode.
  run('config', 'set', 'maxmemory-policy', 'allkeys-lru');
  run('config', 'set', 'maxmemory-samples', '10');
  fill(run, 'k', 200, 1000);
  // Old access times for the first half.
  for (let i = 0; i < 100; i++) server.dbs[0]!.dict.get(`k${i}`)!.lru = Date.now() - 1_000_000;
  run('config', 'set', 'maxmemory', String(countedMemory(server) - 50 * 1100));
  assert.equal(run('ping'), '+PONG\r\n');
  let recentGone = 0;
  for (let i = 100; i < 200; i++) if (!server.dbs[0]!.dict.has(`k${i}`)) recentGone++;
  assert.ok(server.stats.evictedKeys >= 40);
  assert.ok(recentGone < 10, `${recentGone} recently used keys evicted`);
});

test('noeviction: denyoom commands get the OOM error, reads still run', () => {
  const { server, run } = setup();
  fill(run, 'k', 10, 1000);
  run('config', 'set', 'maxmemory', '1');
  assert.equal(run('set', 'x', 'y'), "-OOM command not allowed when used memory > 'maxmemory'.\r\n");
  assert.equal(run('get', 'k1').length > 1000, true);
  assert.equal(run('del', 'k1'), ':1\r\n');
  assert.equal(server.stats.evictedKeys, 0);
  // Inside MULTI anything but EXEC/DISCARD is refused, and EXEC then aborts.
  assert.equal(run('multi'), '+OK\r\n');
  assert.equal(run('get', 'k2'), "-OOM command not allowed when used memory > 'maxmemory'.\r\n");
  assert.match(run('exec'), /^-EXECABORT/);
});

test('evictions fire the evicted keyspace event and count in INFO', () => {
  const { server, run } = setup();
  const seen: string[] = [];
  const orig = server.events.notify.bind(server.events);
  server.events.notify = (cls, event, key, db) => {
    if (event === 'evicted') seen.push(key);
    orig(cls, event, key, db);
  };
  fill(run, 'k', 20, 1000);
  run('config', 'set', 'maxmemory-policy', 'allkeys-random');
  run('config', 'set', 'maxmemory', String(countedMemory(server) - 5000));
  run('ping');
  assert.ok(seen.length >= 1);
  assert.equal(seen.length, server.stats.evictedKeys);
  assert.match(run('info', 'stats'), new RegExp(`evicted_keys:${seen.length}\\r\\n`));
  assert.ok(evictorOf(server) !== undefined);
});
