// The session cache: bounded by tls-session-cache-size, entries expire after
// tls-session-cache-timeout, nothing kept while tls-session-caching is off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigStore } from '../../../src/config/store.js';
import { SessionCache } from '../../../src/net/tls-sessions.js';

const id = (n: number): Buffer => Buffer.from([n]);

test('oldest sessions are evicted beyond the size; a stored one is found again', () => {
  const cfg = new ConfigStore({ chdirOnDir: false });
  assert.equal(cfg.setInitial('tls-session-cache-size', ['2']), null);
  const c = new SessionCache(cfg);
  c.store(id(1), Buffer.from('a'), 0);
  c.store(id(2), Buffer.from('b'), 0);
  c.store(id(3), Buffer.from('c'), 0);
  assert.equal(c.size, 2);
  assert.equal(c.lookup(id(1), 0), null);
  assert.deepEqual(c.lookup(id(3), 0), Buffer.from('c'));
});

test('entries expire after the timeout; caching off keeps and finds nothing', () => {
  const cfg = new ConfigStore({ chdirOnDir: false });
  assert.equal(cfg.setInitial('tls-session-cache-timeout', ['10']), null);
  const c = new SessionCache(cfg);
  c.store(id(1), Buffer.from('a'), 0);
  assert.deepEqual(c.lookup(id(1), 10_000), Buffer.from('a'));
  assert.equal(c.lookup(id(1), 10_001), null);
  assert.equal(cfg.setInitial('tls-session-caching', ['no']), null);
  c.store(id(2), Buffer.from('b'), 0);
  assert.equal(c.size, 0);
});
