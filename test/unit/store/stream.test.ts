import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdMap } from '../../../src/store/stream-idmap.js';
import { ID_MAX, U64_MAX, formatId, makeId, parseStreamId, parseU64 } from '../../../src/store/stream-id.js';
import { Consumer, INVALID_READ, Nack, StreamValue, type NodeLimits } from '../../../src/store/stream.js';
import { raxKey, raxNodeCount } from '../../../src/store/stream-rax.js';

const LIM: NodeLimits = { entries: 100, bytes: 4096 };

/** Deterministic pseudo-random numbers for the model tests. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x / 0x7fffffff;
  };
}

test('IDs: parsing follows string2ull and the ms-seq rules', () => {
  assert.equal(parseU64('18446744073709551615'), U64_MAX);
  assert.equal(parseU64('18446744073709551616'), null);
  assert.equal(parseU64('-1'), null);
  assert.equal(parseU64('+5'), 5n);
  assert.equal(parseU64(' 7'), 7n);
  assert.equal(parseU64(''), null);
  assert.equal(parseU64('1a'), null);
  const max = parseStreamId('18446744073709551615-18446744073709551615', 0n, true);
  assert.equal(max?.id, ID_MAX);
  assert.equal(formatId(ID_MAX), '18446744073709551615-18446744073709551615');
  assert.equal(parseStreamId('5', 0n, true)?.id, makeId(5n, 0n));
  assert.equal(parseStreamId('5', U64_MAX, true)?.id, makeId(5n, U64_MAX));
  assert.equal(parseStreamId('-', 0n, true), null);
  assert.equal(parseStreamId('-', 0n, false)?.id, 0n);
  assert.equal(parseStreamId('+', 0n, false)?.id, ID_MAX);
  assert.deepEqual(parseStreamId('5-*', 0n, true, true), { id: makeId(5n, 0n), seqGiven: false });
  assert.equal(parseStreamId('5-*', 0n, true), null);
  assert.equal(parseStreamId('1-2-3', 0n, true), null);
  assert.equal(parseStreamId('x'.repeat(128), 0n, true), null);
});

test('IdMap: matches a sorted-array model under random inserts, deletes and ranges', () => {
  const rand = rng(7);
  const m = new IdMap<number>();
  const model = new Map<bigint, number>();
  for (let step = 0; step < 5000; step++) {
    const k = BigInt(Math.floor(rand() * 2000));
    const op = rand();
    if (op < 0.55) {
      assert.equal(m.set(k, step), !model.has(k));
      model.set(k, step);
    } else if (op < 0.85) {
      assert.equal(m.delete(k), model.get(k));
      model.delete(k);
    } else {
      const lo = BigInt(Math.floor(rand() * 2000));
      const hi = lo + BigInt(Math.floor(rand() * 300));
      const limit = Math.floor(rand() * 5);
      const keys = [...model.keys()].filter((x) => x >= lo && x <= hi).sort((a, b) => (a < b ? -1 : 1));
      const fwd = limit === 0 ? keys : keys.slice(0, limit);
      const rev = limit === 0 ? [...keys].reverse() : [...keys].reverse().slice(0, limit);
      assert.deepEqual(
        m.range(lo, hi, limit).map(([x]) => x),
        fwd,
      );
      assert.deepEqual(
        m.range(lo, hi, limit, true).map(([x]) => x),
        rev,
      );
      const ceil = [...model.keys()].filter((x) => x >= lo).sort((a, b) => (a < b ? -1 : 1))[0];
      assert.equal(m.ceilKey(lo), ceil);
      const floor = [...model.keys()].filter((x) => x <= lo).sort((a, b) => (a < b ? 1 : -1))[0];
      assert.equal(m.floorKey(lo), floor);
    }
    assert.equal(m.size, model.size);
  }
  const sorted = [...model.keys()].sort((a, b) => (a < b ? -1 : 1));
  assert.deepEqual(
    [...m.entries()].map(([k]) => k),
    sorted,
  );
  m.dropFirst(10);
  assert.deepEqual(
    [...m.entries()].map(([k]) => k),
    sorted.slice(10),
  );
});

function streamOf(n: number, lim: NodeLimits = LIM): StreamValue {
  const s = new StreamValue();
  for (let i = 1; i <= n; i++) s.append(makeId(BigInt(i), 0n), ['f', String(i)], lim);
  return s;
}

test('stream: append, delete, counters and the recorded first ID', () => {
  const s = streamOf(5);
  assert.equal(s.length, 5);
  assert.equal(s.entriesAdded, 5n);
  assert.equal(s.lastId, makeId(5n, 0n));
  assert.equal(s.firstId, makeId(1n, 0n));
  assert.equal(s.delete(makeId(1n, 0n)), true);
  assert.equal(s.delete(makeId(1n, 0n)), false);
  assert.equal(s.firstId, makeId(2n, 0n));
  assert.equal(s.maxDeletedId, makeId(1n, 0n));
  s.delete(makeId(5n, 0n));
  assert.equal(s.lastValidId(), makeId(4n, 0n));
  assert.equal(s.lastId, makeId(5n, 0n), 'XDEL keeps the last generated ID');
  assert.equal(s.length, 3);
});

test('stream: approximate trimming removes whole nodes only, exact trimming is exact', () => {
  const lim = { entries: 10, bytes: 0 };
  const s = streamOf(95, lim);
  assert.equal(s.nodeCount, 10);
  assert.equal(s.trim({ strategy: 'maxlen', maxlen: 50, minid: 0n, approx: true, limit: 0 }), 40);
  assert.equal(s.length, 55);
  assert.equal(s.trim({ strategy: 'maxlen', maxlen: 50, minid: 0n, approx: false, limit: 0 }), 5);
  assert.equal(s.length, 50);
  assert.equal(s.firstId, makeId(46n, 0n));
  // LIMIT stops before a node that would exceed it.
  assert.equal(s.trim({ strategy: 'maxlen', maxlen: 0, minid: 0n, approx: true, limit: 12 }), 5);
  assert.equal(s.trim({ strategy: 'minid', maxlen: 0, minid: makeId(73n, 0n), approx: false, limit: 0 }), 22);
  assert.equal(s.firstId, makeId(73n, 0n));
});

test('stream: entries-read estimates and lag follow Redis 7.0', () => {
  const s = streamOf(3);
  const g = s.createGroup('g', 0n, INVALID_READ)!;
  assert.equal(s.createGroup('g', 0n, INVALID_READ), undefined);
  assert.equal(s.lag(g), 3n);
  assert.equal(s.estimateDistance(makeId(3n, 0n)), 3n);
  assert.equal(s.estimateDistance(makeId(1n, 0n)), 1n);
  assert.equal(s.estimateDistance(makeId(9n, 0n)), INVALID_READ);
  s.delete(makeId(2n, 0n));
  // A tombstone after the group's position makes the lag unknown.
  assert.equal(s.lag(g), null);
  g.lastId = makeId(3n, 0n);
  g.entriesRead = 3n;
  assert.equal(s.lag(g), 0n);
});

test('stream: clone copies groups, consumers and shared pending entries', () => {
  const s = streamOf(2);
  const g = s.createGroup('g', makeId(2n, 0n), 2n)!;
  const c = new Consumer('alice', 123);
  g.consumers.set('alice', c);
  const nack = new Nack(c, 456, 2);
  g.pel.set(makeId(1n, 0n), nack);
  c.pel.set(makeId(1n, 0n), nack);
  const d = s.clone();
  const dg = d.group('g')!;
  const dc = dg.consumers.get('alice')!;
  assert.notEqual(dc, c);
  assert.equal(dg.pel.get(makeId(1n, 0n)), dc.pel.get(makeId(1n, 0n)));
  assert.equal(dg.pel.get(makeId(1n, 0n))!.consumer, dc);
  assert.equal(dg.pel.get(makeId(1n, 0n))!.deliveryCount, 2);
  d.append(makeId(3n, 0n), ['x', 'y'], LIM);
  assert.equal(s.length, 2);
  assert.equal(d.length, 3);
  assert.deepEqual(s.digest(), streamOf(2).digest());
  assert.notDeepEqual(d.digest(), s.digest());
  dg.deleteConsumer(dc);
  assert.equal(dg.pel.size, 0);
  assert.equal(g.pel.size, 1);
});

test('radix tree node count matches the shapes Redis builds', () => {
  assert.equal(raxNodeCount([]), 1);
  // One key: a compressed node and the leaf.
  assert.equal(raxNodeCount([raxKey(makeId(1n, 0n))]), 2);
  // Two keys sharing a prefix: prefix node, branch node, and per key a compressed node + leaf.
  assert.equal(raxNodeCount([raxKey(makeId(1n, 0n)), raxKey(makeId(101n, 0n))]), 6);
  // Keys differing only in the last byte end right after the branch.
  assert.equal(raxNodeCount([raxKey(makeId(1n, 0n)), raxKey(makeId(1n, 1n))]), 4);
  // The stream keeps it in step with its nodes (XINFO radix-tree-nodes).
  const s = streamOf(101);
  assert.equal(s.nodeCount, 2);
  assert.equal(s.raxNodeCount, 6);
});
