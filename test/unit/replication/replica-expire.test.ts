import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Db } from '../../../src/store/db.js';
import { ReplicaKeyExpiry } from '../../../src/replication/replica-expire.js';

const NOW = 1_000_000;

function dbs(n: number): { list: Db[]; expired: string[] } {
  const expired: string[] = [];
  const obs = {
    keyModified: (): void => {},
    keyExpired: (db: Db, key: string): void => void expired.push(`${db.id}:${key}`),
  };
  // Expiry paused, as on a replica: only the tracker deletes.
  const list = Array.from(
    { length: n },
    (_, i) =>
      new Db(
        i,
        obs,
        () => NOW,
        () => true,
      ),
  );
  return { list, expired };
}

test('a cycle expires due keys, keeps future ones and forgets keys gone or without a TTL', () => {
  const { list, expired } = dbs(3);
  const t = new ReplicaKeyExpiry();
  const put = (db: number, key: string, at: number): void => {
    const e = list[db]!.set(key, 'string', 'v');
    if (at >= 0) list[db]!.setExpire(key, e, at);
    t.remember(db, key);
  };
  put(0, 'due', NOW - 1);
  put(1, 'due', NOW + 1000); // the same name in another db, not due yet
  put(0, 'later', NOW + 1000);
  put(2, 'persisted', -1);
  t.remember(0, 'missing');
  assert.equal(t.size, 4);
  t.cycle(list, NOW, 1);
  assert.deepEqual(expired, ['0:due']);
  assert.equal(list[0]!.dict.has('due'), false);
  assert.equal(list[1]!.dict.has('due'), true);
  assert.equal(list[2]!.dict.has('persisted'), true);
  assert.equal(t.size, 2); // due (db 1) and later stay tracked
  t.cycle(list, NOW + 1000, 1);
  assert.deepEqual(expired, ['0:due', '1:due', '0:later']);
  assert.equal(t.size, 0);
});

test('clear forgets everything (a full sync replaced the data)', () => {
  const { list, expired } = dbs(1);
  const t = new ReplicaKeyExpiry();
  const e = list[0]!.set('k', 'string', 'v');
  list[0]!.setExpire('k', e, NOW - 1);
  t.remember(0, 'k');
  t.clear();
  t.cycle(list, NOW, 1);
  assert.equal(t.size, 0);
  assert.deepEqual(expired, []);
  assert.equal(list[0]!.dict.has('k'), true);
});
