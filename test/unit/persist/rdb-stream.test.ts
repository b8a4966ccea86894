// Streams in the RDB codec without a server: round trips through DUMP payloads and whole files
// (entries, counters, node layout, groups, PELs, consumers), the legacy type 15 and the 7.2 type 21
// read from hand-built bytes, each consistency rule refused, and a fuzz run where corrupted
// payloads give RdbFormatError or a consistent stream, never another exception.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dumpPayload, serializeDataset, type WriteOptions } from '../../../src/persist/rdb-write.js';
import { readPayload, readRdbFile, verifyPayload, type LoadLimits } from '../../../src/persist/rdb-read.js';
import { RdbFormatError, T } from '../../../src/persist/rdb-const.js';
import { RdbOut } from '../../../src/persist/rdb-io.js';
import { ListpackWriter } from '../../../src/persist/listpack.js';
import { Consumer, Nack, StreamValue } from '../../../src/store/stream.js';
import { formatId, makeId } from '../../../src/store/stream-id.js';
import { raxKey } from '../../../src/store/stream-rax.js';
import { Entry } from '../../../src/store/db.js';

const OPTS: WriteOptions = { compress: true, listFill: -2, packedThreshold: 1 << 30 };
const LIM: LoadLimits = { hashEntries: 128, hashValue: 64, zsetEntries: 128, zsetValue: 64, intsetEntries: 512 };
const BIG = 1 << 30;
const NODES = { entries: 3, bytes: 4096 };

const id = (ms: number, seq: number): bigint => makeId(BigInt(ms), BigInt(seq));

/** A stream with several nodes, a deletion, a partial trim, two groups, pending entries and consumers. */
function sample(): StreamValue {
  const s = new StreamValue();
  s.append(id(1, 1), ['a', '1', 'b', '2'], NODES);
  s.append(id(1, 2), ['a', '3', 'b', '4'], NODES);
  s.append(id(2, 0), ['c', 'x'.repeat(40)], NODES);
  s.append(id(3, 5), ['a', '-70000', 'b', '12345678901234'], NODES);
  s.append(id(4, 0), ['a', '', 'b', 'é'], NODES);
  s.append(id(9, 1), ['a', '1', 'b', '2'], NODES);
  s.append(id(9, 2), ['z', '1'], NODES);
  s.delete(id(4, 0));
  s.trim({ strategy: 'maxlen', maxlen: 5, minid: 0n, approx: false, limit: 0 });
  const g = s.createGroup('grp', id(3, 5), 4n)!;
  const alice = new Consumer('alice', 1_700_000_000_123);
  const bob = new Consumer('bob', 1_700_000_000_456);
  g.consumers.set('alice', alice);
  g.consumers.set('bob', bob);
  for (const [pid, c] of [
    [id(1, 2), alice],
    [id(2, 0), bob],
    [id(3, 5), alice],
  ] as const) {
    const n = new Nack(c, 1_700_000_000_999, 3);
    g.pel.set(pid, n);
    c.pel.set(pid, n);
  }
  s.createGroup('other', id(9, 2), -1n);
  return s;
}

/** Everything observable about a stream, as plain data. */
function view(s: StreamValue): unknown {
  const groups = s.sortedGroups().map(([name, g]) => ({
    name,
    last: formatId(g.lastId),
    read: String(g.entriesRead),
    pel: [...g.pel.entries()].map(([k, n]) => [formatId(k), n.consumer?.name, n.deliveryTime, n.deliveryCount]),
    consumers: g.sortedConsumers().map((c) => [c.name, c.seenTime, [...c.pel.entries()].map(([k]) => formatId(k))]),
  }));
  return {
    entries: [...s.entries.entries()].map(([k, f]) => [formatId(k), f]),
    last: formatId(s.lastId),
    first: formatId(s.firstId),
    maxDeleted: formatId(s.maxDeletedId),
    added: String(s.entriesAdded),
    nodes: s.nodeCount,
    raxNodes: s.raxNodeCount,
    groups,
  };
}

/** The rules a loaded stream must keep (what RESTORE promises). */
function assertConsistent(s: StreamValue): void {
  let prev = -1n;
  for (const [k] of s.entries.entries()) {
    assert.ok(k > prev && k <= s.lastId);
    prev = k;
  }
  assert.ok(s.entriesAdded >= BigInt(s.length));
  for (const [, g] of s.sortedGroups()) {
    for (const [k, n] of g.pel.entries()) {
      assert.ok(n.consumer !== null && g.consumers.get(n.consumer.name) === n.consumer);
      assert.equal(n.consumer.pel.get(k), n);
    }
    for (const c of g.consumers.values()) for (const [k, n] of c.pel.entries()) assert.equal(g.pel.get(k), n);
  }
}

function restore(p: Buffer): StreamValue {
  const body = verifyPayload(p, false);
  assert.ok(body !== null);
  const v = readPayload(body, LIM, BIG);
  assert.equal(v.type, 'stream');
  return v.value as StreamValue;
}

test('a stream survives DUMP and RESTORE: entries, counters, node layout, groups and PELs', () => {
  const s = sample();
  const p = dumpPayload('stream', s, OPTS);
  assert.equal(p[0], T.STREAM_LISTPACKS_2);
  const back = restore(p);
  assertConsistent(back);
  assert.deepEqual(view(back), view(s));
  assert.ok(dumpPayload('stream', back, OPTS).equals(p));
  // Appending after a load continues the loaded tail node as Redis does.
  back.append(id(10, 0), ['a', '1', 'b', '2'], NODES);
  s.append(id(10, 0), ['a', '1', 'b', '2'], NODES);
  assert.equal(back.nodeCount, s.nodeCount);
});

test('empty streams keep their last ID, counters and groups', () => {
  const s = new StreamValue();
  s.append(id(5, 5), ['x', 'y'], NODES);
  s.delete(id(5, 5));
  s.createGroup('g', id(5, 5), 1n);
  const back = restore(dumpPayload('stream', s, OPTS));
  assert.deepEqual(view(back), view(s));
  assert.equal(back.length, 0);
  assert.equal(formatId(back.lastId), '5-5');
});

test('a stream in a whole RDB file loads back', () => {
  const s = sample();
  const e = new Entry('stream', s, -1, 0, Date.now());
  const file = serializeDataset(
    {
      dbs: [{ id: 0, dict: new Map([['st', e]]), expires: new Map() }],
      aux: [['redis-ver', '7.0.15']],
      evictionInfo: null,
      now: Date.now(),
      lfuCounter: () => 0,
      checksum: true,
    },
    OPTS,
  );
  const got: StreamValue[] = [];
  readRdbFile(file, LIM, 16, true, { key: (k) => got.push(k.value.value as StreamValue) });
  assert.equal(got.length, 1);
  assert.deepEqual(view(got[0]!), view(s));
});

/** Hand-built stream bytes of type t: one node with entries 1-1 and 1-2 (a, b), one group. */
function handBuilt(t: number, over: { consumerPel?: bigint[]; length?: number; last?: bigint } = {}): Buffer {
  const out = new RdbOut(false);
  out.byte(t);
  out.len(1);
  out.string(raxKey(id(1, 1)));
  const lp = new ListpackWriter();
  for (const x of ['2', '0', '2', 'a', 'b', '0']) lp.append(x);
  for (const x of ['2', '0', '0', '1', '2', '5', '2', '0', '1', '3', '4', '5']) lp.append(x);
  out.string(lp.finish());
  out.len(over.length ?? 2);
  const last = over.last ?? id(1, 2);
  out.len(Number(last >> 64n));
  out.len(Number(last & 0xffffn));
  if (t !== T.STREAM_LISTPACKS) {
    for (const x of [1, 1, 0, 0, 2]) out.len(x); // first 1-1, max deleted 0-0, entries added 2
  }
  out.len(1);
  out.string('g');
  out.len(1);
  out.len(1);
  if (t !== T.STREAM_LISTPACKS) out.len(1);
  out.len(1);
  out.bytes(raxKey(id(1, 1)));
  out.u64le(1234n);
  out.len(2);
  out.len(1);
  out.string('c');
  out.u64le(5678n);
  if (t === T.STREAM_LISTPACKS_3) out.u64le(9999n);
  const cp = over.consumerPel ?? [id(1, 1)];
  out.len(cp.length);
  for (const k of cp) out.bytes(raxKey(k));
  return Buffer.from(out.view());
}

test('types 15 (Redis 5/6) and 21 (Redis 7.2) are read too', () => {
  for (const t of [T.STREAM_LISTPACKS, T.STREAM_LISTPACKS_2, T.STREAM_LISTPACKS_3]) {
    const v = readPayload(handBuilt(t), LIM, BIG);
    const s = v.value as StreamValue;
    assertConsistent(s);
    assert.deepEqual(
      [...s.entries.entries()].map(([k, f]) => [formatId(k), f]),
      [
        ['1-1', ['a', '1', 'b', '2']],
        ['1-2', ['a', '3', 'b', '4']],
      ],
    );
    assert.equal(s.entriesAdded, 2n);
    const g = s.group('g')!;
    // Type 15 has no entries-read: estimated from the stream, as Redis does.
    assert.equal(g.entriesRead, 1n);
    assert.equal(g.pel.get(id(1, 1))?.deliveryCount, 2);
    assert.equal(g.consumers.get('c')?.seenTime, 5678);
  }
});

test('inconsistent streams are refused', () => {
  const cases: Buffer[] = [
    handBuilt(T.STREAM_LISTPACKS_2, { consumerPel: [] }), // PEL entry without consumer
    handBuilt(T.STREAM_LISTPACKS_2, { consumerPel: [id(1, 2)] }), // consumer entry not in the PEL
    handBuilt(T.STREAM_LISTPACKS_2, { consumerPel: [id(1, 1), id(1, 1)] }), // owned twice
    handBuilt(T.STREAM_LISTPACKS_2, { length: 3 }), // length does not match
    handBuilt(T.STREAM_LISTPACKS_2, { last: id(1, 1) }), // entry above the last ID
  ];
  for (const b of cases) assert.throws(() => readPayload(b, LIM, BIG), RdbFormatError);
  assert.doesNotThrow(() => readPayload(handBuilt(T.STREAM_LISTPACKS_2), LIM, BIG));
});

test('fuzz: corrupted stream payloads give RdbFormatError or a consistent stream', () => {
  const seeds = [sample(), new StreamValue()];
  const big = new StreamValue();
  for (let i = 0; i < 300; i++)
    big.append(id(i, i % 7), ['f', String(i), 'g', `v${i % 13}`], { entries: 50, bytes: 0 });
  seeds.push(big);
  const payloads = seeds.flatMap((s) => [
    dumpPayload('stream', s, OPTS),
    dumpPayload('stream', s, { ...OPTS, compress: false }),
  ]);
  payloads.push(handBuilt(T.STREAM_LISTPACKS), handBuilt(T.STREAM_LISTPACKS_3));
  let seed = 42;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  let accepted = 0;
  for (let i = 0; i < 20000; i++) {
    const src = payloads[rnd(payloads.length)]!;
    const full = src[0] === T.STREAM_LISTPACKS_2 && src.length > 10 && rnd(2) === 0;
    const b = Buffer.from(full ? src.subarray(0, src.length - 10) : src);
    const flips = 1 + rnd(3);
    for (let k = 0; k < flips; k++) b[rnd(b.length)] = rnd(256);
    try {
      const v = readPayload(b, LIM, BIG);
      assertConsistent(v.value as StreamValue);
      accepted++;
    } catch (err) {
      if (!(err instanceof RdbFormatError)) throw err;
    }
  }
  assert.ok(accepted > 0, 'some corruptions (in values) still decode');
});
