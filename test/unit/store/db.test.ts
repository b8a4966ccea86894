import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Db, lfu, lfuCounter, setLfuCounter, LFU_INIT_VAL, type Entry } from '../../../src/store/db.js';

class Obs {
  modified: string[] = [];
  expired: string[] = [];
  replaced: [number, number][] = [];
  stats = { keyspaceHits: 0, keyspaceMisses: 0 };
  keyModified(_db: Db, key: string): void {
    this.modified.push(key);
  }
  keyExpired(_db: Db, key: string): void {
    this.expired.push(key);
  }
  dbReplaced(db: Db, old: ReadonlyMap<string, Entry>): void {
    this.replaced.push([db.id, old.size]);
  }
}

function makeDb(id = 0): { db: Db; obs: Obs; clock: { now: number } } {
  const obs = new Obs();
  const clock = { now: 1_000_000 };
  return { db: new Db(id, obs, () => clock.now), obs, clock };
}

test('lazy expiry on lookup reports the key as expired', () => {
  const { db, obs, clock } = makeDb();
  const e = db.set('k', 'string', 'v');
  db.setExpire('k', e, clock.now + 100);
  assert.equal(db.get('k')?.value, 'v');
  clock.now += 100;
  assert.equal(db.isExpired(e), true);
  assert.equal(db.get('k'), undefined);
  assert.deepEqual(obs.expired, ['k']);
  assert.equal(db.size, 0);
  assert.equal(db.expires.size, 0);
});

test('lookupRead counts hits and misses; touch=false keeps the access time', () => {
  const { db, obs, clock } = makeDb();
  const e = db.set('k', 'string', 'v');
  const before = e.lru;
  clock.now += 5000;
  assert.ok(db.lookupRead('k', false));
  assert.equal(e.lru, before);
  assert.ok(db.lookupRead('k'));
  assert.equal(e.lru, clock.now);
  assert.equal(db.lookupRead('nope'), undefined);
  assert.deepEqual(obs.stats, { keyspaceHits: 2, keyspaceMisses: 1 });
  // get() is the write/no-stats lookup.
  db.get('k');
  db.get('nope');
  assert.deepEqual(obs.stats, { keyspaceHits: 2, keyspaceMisses: 1 });
});

test('randomKey returns every key eventually and deletes expired ones', () => {
  const { db, obs, clock } = makeDb();
  for (let i = 0; i < 50; i++) db.set(`k${i}`, 'string', 'v');
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) seen.add(db.randomKey()!);
  assert.equal(seen.size, 50);
  // All but one key expire: randomKey must find the survivor and drop the rest.
  for (let i = 1; i < 50; i++) db.setExpire(`k${i}`, db.peek(`k${i}`)!, clock.now + 10);
  clock.now += 10;
  assert.equal(db.randomKey(), 'k0');
  for (let i = 0; i < 20; i++) assert.equal(db.randomKey(), 'k0');
  assert.ok(obs.expired.length > 0);
  db.delete('k0');
  assert.equal(db.randomKey(), null);
});

test('randomKey sees keys added after its sample was taken', () => {
  const { db } = makeDb();
  db.set('a', 'string', '1');
  assert.equal(db.randomKey(), 'a');
  db.delete('a');
  for (let i = 0; i < 10; i++) db.set(`n${i}`, 'string', '1');
  const k = db.randomKey();
  assert.ok(k !== null && k.startsWith('n'));
});

test('scan returns keys present for the whole iteration despite writes', () => {
  const { db } = makeDb();
  for (let i = 0; i < 100; i++) db.set(`k${i}`, 'string', 'v');
  const got = new Set<string>();
  let cursor = 0;
  let round = 0;
  do {
    cursor = db.scan(cursor, 7, (k) => got.add(k));
    for (let j = 0; j < 5; j++) db.set(`added${round}-${j}`, 'string', 'x');
    db.delete(`added${round - 1}-0`);
    round++;
  } while (cursor !== 0 && round < 1000);
  assert.equal(cursor, 0);
  for (let i = 0; i < 100; i++) assert.ok(got.has(`k${i}`), `k${i}`);
});

test('scan skips and deletes expired keys', () => {
  const { db, obs, clock } = makeDb();
  db.set('live', 'string', 'v');
  db.setExpire('dead', db.set('dead', 'string', 'v'), clock.now + 1);
  clock.now += 1;
  const got: string[] = [];
  assert.equal(
    db.scan(0, 100, (k) => got.push(k)),
    0,
  );
  assert.deepEqual(got, ['live']);
  assert.deepEqual(obs.expired, ['dead']);
  assert.equal(db.size, 1);
});

test('flush and swapWith report the replaced contents', () => {
  const a = makeDb(0);
  const b = new Db(1, a.obs, () => a.clock.now);
  a.db.set('x', 'string', '1');
  a.db.set('y', 'string', '1');
  b.set('z', 'string', '1');
  a.db.swapWith(b);
  assert.deepEqual(a.obs.replaced, [
    [0, 2],
    [1, 1],
  ]);
  assert.equal(a.db.peek('z')?.value, '1');
  assert.equal(b.size, 2);
  assert.equal(b.flush(), 2);
  assert.deepEqual(a.obs.replaced.at(-1), [1, 2]);
  // Flushing an empty db changes nothing, so reports nothing.
  b.flush();
  assert.equal(a.obs.replaced.length, 3);
});

test('LFU counters: initial value, decay by period, explicit set', () => {
  const { db, clock } = makeDb();
  lfu.enabled = true;
  try {
    const e = db.set('k', 'string', 'v');
    assert.equal(lfuCounter(e, clock.now), LFU_INIT_VAL);
    setLfuCounter(e, 100, clock.now);
    assert.equal(lfuCounter(e, clock.now), 100);
    // One decay period (lfu-decay-time minutes) per elapsed period.
    assert.equal(lfuCounter(e, clock.now + 3 * 60000), 97);
    for (let i = 0; i < 200; i++) db.get('k');
    assert.ok(lfuCounter(e, clock.now) >= 100);
  } finally {
    lfu.enabled = false;
  }
});
