// The RDB value codec without a server: CRC-64 and LZF against known answers, every value type
// round-tripped through DUMP payloads, the legacy blob decoders on hand-built input, and a fuzz
// run where corrupted payloads must fail with RdbFormatError (never another exception).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc64 } from '../../../src/persist/crc64.js';
import { lzfCompress, lzfDecompress } from '../../../src/persist/lzf.js';
import { ListpackWriter, decodeListpack } from '../../../src/persist/listpack.js';
import { decodeZiplist } from '../../../src/persist/ziplist.js';
import { decodeZipmap } from '../../../src/persist/zipmap.js';
import { decodeIntset, encodeIntset } from '../../../src/persist/intset.js';
import { dumpPayload, serializeDataset, type WriteOptions } from '../../../src/persist/rdb-write.js';
import { readPayload, readRdbFile, verifyPayload, type LoadLimits } from '../../../src/persist/rdb-read.js';
import { RdbEmptyKey, RdbFormatError, T } from '../../../src/persist/rdb-const.js';
import { RdbIn, RdbOut } from '../../../src/persist/rdb-io.js';
import { readValue } from '../../../src/persist/rdb-read.js';
import { ListValue } from '../../../src/store/list.js';
import { SetValue } from '../../../src/store/set.js';
import { ZSet } from '../../../src/store/zset.js';
import { HashValue } from '../../../src/store/hash.js';
import type { RType } from '../../../src/store/db.js';

const OPTS: WriteOptions = { compress: true, listFill: -2, packedThreshold: 1 << 30 };
const LIM: LoadLimits = { hashEntries: 128, hashValue: 64, zsetEntries: 128, zsetValue: 64, intsetEntries: 512 };
const BIG = 1 << 30;

test('crc64 is CRC-64/Jones as Redis computes it', () => {
  // Redis's own self-test value for "123456789".
  assert.equal(crc64(Buffer.from('123456789')).readBigUInt64LE(0), 0xe9c6d914c4b8d9can);
  assert.equal(crc64(Buffer.alloc(0)).readBigUInt64LE(0), 0n);
});

test('lzf round-trips and refuses bad input', () => {
  const samples = [
    Buffer.from('abcabcabcabcabcabcabcabcabcabcabc'),
    Buffer.alloc(5000, 7),
    Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 251)),
  ];
  for (const s of samples) {
    const c = lzfCompress(s, s.length - 4);
    assert.ok(c !== null && c.length < s.length);
    assert.deepEqual(lzfDecompress(c, s.length), s);
    assert.equal(lzfDecompress(c, s.length + 1), null);
  }
  // Random bytes do not compress into less than their size.
  const rnd = Buffer.from(Array.from({ length: 64 }, () => Math.floor(Math.random() * 256)));
  const c = lzfCompress(rnd, rnd.length - 4);
  if (c !== null) assert.deepEqual(lzfDecompress(c, rnd.length), rnd);
  // A back reference before the start of the output.
  assert.equal(lzfDecompress(Buffer.from([0x20, 0x05]), 3), null);
});

test('listpack encodes integers compactly and decodes what it encodes', () => {
  const items = [
    '0',
    '127',
    '128',
    '-1',
    '-4096',
    '4095',
    '32767',
    '-32768',
    '8388607',
    '2147483647',
    '9223372036854775807',
    '-9223372036854775808',
    '9223372036854775808',
    '01',
    '-0',
    '',
    'x'.repeat(63),
    'y'.repeat(64),
    'z'.repeat(4096),
    'hello',
  ];
  const w = new ListpackWriter();
  for (const s of items) w.append(s);
  const lp = w.finish();
  assert.deepEqual(decodeListpack(lp), items);
  // '0' .. '127' take one byte plus a one-byte back-length.
  const one = new ListpackWriter();
  one.append('5');
  assert.deepEqual([...one.finish()], [9, 0, 0, 0, 1, 0, 5, 1, 0xff]);
  const bad = Buffer.from(lp);
  bad[bad.length - 1] = 0;
  assert.throws(() => decodeListpack(bad), RdbFormatError);
});

test('intset, ziplist and zipmap decoders', () => {
  const is = encodeIntset(['-5', '1', '70000']);
  assert.equal(is.readUInt32LE(0), 4);
  assert.deepEqual(decodeIntset(is), ['-5', '1', '70000']);
  const unsorted = Buffer.from(is);
  unsorted.writeInt32LE(100, 8);
  assert.throws(() => decodeIntset(unsorted), RdbFormatError);
  // A ziplist with "ab", 12 (4-bit immediate) and 1000 (int16).
  const entries = [
    Buffer.from([0x00, 0x02, 0x61, 0x62]),
    Buffer.from([0x04, 0xfd]),
    Buffer.from([0x02, 0xc0, 0xe8, 0x03]),
  ];
  const body = Buffer.concat(entries);
  const zl = Buffer.alloc(10 + body.length + 1);
  zl.writeUInt32LE(zl.length, 0);
  zl.writeUInt32LE(10 + entries[0]!.length + entries[1]!.length, 4);
  zl.writeUInt16LE(3, 8);
  body.copy(zl, 10);
  zl[zl.length - 1] = 0xff;
  assert.deepEqual(decodeZiplist(zl), ['ab', '12', '1000']);
  const badTail = Buffer.from(zl);
  badTail.writeUInt32LE(11, 4);
  assert.throws(() => decodeZiplist(badTail), RdbFormatError);
  // A zipmap {a: "xy"} with one byte of free space.
  const zm = Buffer.from([1, 1, 0x61, 2, 1, 0x78, 0x79, 0, 0xff]);
  assert.deepEqual(decodeZipmap(zm), ['a', 'xy']);
});

function sampleValues(): [RType, unknown][] {
  const list = new ListValue(['a', '1', '-300', 'x'.repeat(100)]);
  const bigList = new ListValue(Array.from({ length: 3000 }, (_, i) => `element-${i}`));
  const intset = SetValue.fromMembers(['3', '-2', '100000', '9223372036854775807'], 512);
  const strSet = SetValue.fromMembers(['a', 'b', 'c'], 512);
  const z = new ZSet(true);
  z.insertNew('a', 1);
  z.insertNew('b', 2.5);
  z.insertNew('c', -Infinity);
  const bigZ = new ZSet(false);
  for (let i = 0; i < 300; i++) bigZ.insertNew(`m${i}`, i / 3);
  const h = new HashValue();
  h.set('f', 'v', null);
  h.set('n', '42', null);
  const bigH = new HashValue();
  bigH.convert();
  for (let i = 0; i < 300; i++) bigH.set(`f${i}`, `v${i}`, null);
  return [
    ['string', 'hello'],
    ['string', '12345'],
    ['string', '-9223372036854775808'],
    ['string', 'ab'.repeat(500)],
    ['string', Buffer.from([0, 1, 2, 255])],
    ['list', list],
    ['list', bigList],
    ['set', intset],
    ['set', strSet],
    ['zset', z],
    ['zset', bigZ],
    ['hash', h],
    ['hash', bigH],
  ];
}

function contents(type: RType, v: unknown): unknown {
  if (type === 'string') return Buffer.isBuffer(v) ? v.toString('latin1') : v;
  if (v instanceof ListValue) return v.toArray();
  if (v instanceof SetValue) return [v.encoding(), v.toArray().sort()];
  if (v instanceof ZSet) return [v.encoding(), v.rangeByRank(0, v.size - 1)];
  if (v instanceof HashValue) return [v.encoding(), [...v].sort()];
  return v;
}

test('every type round-trips through a DUMP payload, keeping its encoding', () => {
  for (const [type, v] of sampleValues()) {
    for (const compress of [true, false]) {
      const p = dumpPayload(type, v, { ...OPTS, compress });
      const body = verifyPayload(p, false);
      assert.ok(body !== null);
      const back = readPayload(body, { ...LIM, hashEntries: 128 }, BIG);
      assert.equal(back.type, type);
      assert.deepEqual(contents(type, back.value), contents(type, v));
    }
  }
});

test('payload footer: version and checksum are checked', () => {
  const p = dumpPayload('string', 'hello', OPTS);
  const wrongCrc = Buffer.from(p);
  wrongCrc[wrongCrc.length - 1]! ^= 1;
  assert.equal(verifyPayload(wrongCrc, false), null);
  assert.ok(verifyPayload(wrongCrc, true) !== null);
  const newer = Buffer.from(p);
  newer[newer.length - 10] = 11;
  assert.equal(verifyPayload(newer, true), null);
  assert.equal(verifyPayload(Buffer.alloc(5), false), null);
});

test('old encodings: plain LIST, ZSET with text scores, empty values refused', () => {
  const out = new RdbOut(false);
  out.len(2);
  out.string('m');
  out.byte(3);
  out.latin1('1.5');
  out.string('n');
  out.byte(254);
  const z = readValue(new RdbIn(Buffer.from(out.view())), T.ZSET, LIM);
  assert.deepEqual((z.value as ZSet).rangeByRank(0, 1), [
    ['m', 1.5],
    ['n', Infinity],
  ]);
  const nan = new RdbOut(false);
  nan.len(1);
  nan.string('m');
  nan.byte(253);
  assert.throws(() => readValue(new RdbIn(Buffer.from(nan.view())), T.ZSET, LIM), RdbFormatError);
  const empty = new RdbOut(false);
  empty.len(0);
  assert.throws(() => readValue(new RdbIn(Buffer.from(empty.view())), T.LIST, LIM), RdbFormatError);
  const dup = new RdbOut(false);
  dup.len(2);
  dup.string('a');
  dup.string('a');
  assert.throws(() => readValue(new RdbIn(Buffer.from(dup.view())), T.SET, LIM), RdbFormatError);
});

test("a faulty encoded value reports Redis's reason for its encoding; an empty one is an empty key", () => {
  /** readValue's error for the value bytes `v` of RDB type `t`. */
  const failure = (t: number, v: Buffer): RdbFormatError => {
    try {
      readValue(new RdbIn(v), t, LIM);
    } catch (e) {
      assert.ok(e instanceof RdbFormatError);
      return e;
    }
    return assert.fail('no error');
  };
  const blob = (b: Buffer): Buffer => Buffer.concat([Buffer.from([b.length]), b]);
  const junk = blob(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
  const cases: [number, string][] = [
    [T.HASH_ZIPMAP, 'Zipmap integrity check failed.'],
    [T.LIST_ZIPLIST, 'List ziplist integrity check failed.'],
    [T.SET_INTSET, 'Intset integrity check failed.'],
    [T.ZSET_ZIPLIST, 'Zset ziplist integrity check failed.'],
    [T.HASH_ZIPLIST, 'Hash ziplist integrity check failed.'],
    [T.HASH_LISTPACK, 'Hash listpack integrity check failed.'],
    [T.ZSET_LISTPACK, 'Zset listpack integrity check failed.'],
  ];
  for (const [t, reason] of cases) assert.equal(failure(t, junk).message, reason, `type ${t}`);
  // Quicklists: a faulty node names the node encoding; a zero-length node is refused first.
  assert.equal(
    failure(T.LIST_QUICKLIST, Buffer.concat([Buffer.from([1]), junk])).message,
    'Ziplist integrity check failed.',
  );
  assert.equal(
    failure(T.LIST_QUICKLIST_2, Buffer.concat([Buffer.from([1, 2]), junk])).message,
    'Listpack integrity check failed.',
  );
  assert.equal(failure(T.LIST_QUICKLIST_2, Buffer.from([1, 2, 0])).message, 'Quicklist integrity check failed.');
  assert.equal(failure(T.LIST_QUICKLIST_2, Buffer.from([1, 9, 1, 0x61])).message, 'Quicklist integrity check failed.');
  // Duplicates in the plain encodings, and empty values (skipped by file loads).
  const pairs = new RdbOut(false);
  pairs.len(2);
  for (const s of ['f', 'v', 'f', 'w']) pairs.string(s);
  assert.equal(failure(T.HASH, Buffer.from(pairs.view())).message, 'Duplicate hash fields detected');
  assert.ok(failure(T.SET, Buffer.from([0])) instanceof RdbEmptyKey);
  assert.ok(failure(T.LIST, Buffer.from([0])) instanceof RdbEmptyKey);
  const emptyIntset = blob(encodeIntset([]));
  assert.ok(failure(T.SET_INTSET, emptyIntset) instanceof RdbEmptyKey);
  // An empty zipmap is not a valid zipmap for Redis (its check fails), unlike an empty ziplist.
  assert.equal(failure(T.HASH_ZIPMAP, blob(Buffer.from([0, 0xff]))).message, 'Zipmap integrity check failed.');
});

test('fuzz: corrupted payloads give RdbFormatError or a value, never another exception', () => {
  let errors = 0;
  let values = 0;
  for (const [type, v] of sampleValues()) {
    const p = dumpPayload(type, v, OPTS);
    const body = verifyPayload(p, false)!;
    for (let round = 0; round < 300; round++) {
      const b = Buffer.from(body);
      const flips = 1 + Math.floor(Math.random() * 4);
      for (let k = 0; k < flips; k++) b[Math.floor(Math.random() * b.length)] = Math.floor(Math.random() * 256);
      const cut = Math.random() < 0.2 ? b.subarray(0, Math.floor(Math.random() * b.length)) : b;
      try {
        readPayload(cut, LIM, 1 << 20);
        values++;
      } catch (e) {
        if (!(e instanceof RdbFormatError)) throw e;
        errors++;
      }
    }
  }
  assert.ok(errors > 0 && errors + values === sampleValues().length * 300);
});

test('whole files: written and read back, expiry and checksum kept', () => {
  const dict = new Map<string, never>();
  const mk = (type: RType, value: unknown, expireAt: number) =>
    ({ type, value, expireAt, seq: 0, lru: 0, mem: 0 }) as never;
  const d0 = new Map([
    ['a', mk('string', 'x', -1)],
    [
      'b',
      mk(
        'hash',
        (() => {
          const h = new HashValue();
          h.set('f', 'v', null);
          return h;
        })(),
        4102444800000,
      ),
    ],
  ]);
  const file = serializeDataset(
    {
      dbs: [
        { id: 0, dict: d0, expires: new Map([['b', d0.get('b')!]]) },
        { id: 1, dict, expires: dict },
      ],
      aux: [['redis-ver', '7.0.15']],
      evictionInfo: null,
      now: 0,
      lfuCounter: () => 0,
      checksum: true,
    },
    OPTS,
  );
  assert.equal(file.latin1Slice(0, 9), 'REDIS0010');
  const keys: string[] = [];
  let aux = '';
  readRdbFile(file, LIM, 16, true, {
    aux: (k, v) => (aux = `${k}=${v}`),
    key: (k) => keys.push(`${k.db}:${k.key}:${k.value.type}:${k.expireAt}`),
  });
  assert.equal(aux, 'redis-ver=7.0.15');
  assert.deepEqual(keys, ['0:a:string:-1', '0:b:hash:4102444800000']);
  const broken = Buffer.from(file);
  broken[12]! ^= 0x40;
  assert.throws(() => readRdbFile(broken, LIM, 16, true, { key: () => {} }));
});

test('fuzz: corrupted whole files give RdbFormatError, never another exception', () => {
  const dbs = sampleValues().map(
    ([type, value], i) => [`k${i}`, { type, value, expireAt: -1, seq: 0, lru: 0, mem: 0 }] as const,
  );
  const dict = new Map(dbs) as never;
  const file = serializeDataset(
    {
      dbs: [{ id: 0, dict, expires: new Map() }],
      aux: [],
      evictionInfo: 'lru',
      now: 0,
      lfuCounter: () => 0,
      checksum: false,
    },
    OPTS,
  );
  let keys = 0;
  readRdbFile(file, LIM, 16, true, { key: () => keys++ });
  assert.equal(keys, dbs.length);
  for (let round = 0; round < 300; round++) {
    const b = Buffer.from(file);
    for (let k = 0; k < 3; k++) b[9 + Math.floor(Math.random() * (b.length - 9))] = Math.floor(Math.random() * 256);
    try {
      readRdbFile(b, LIM, 16, true, { key: () => {} });
    } catch (e) {
      if (!(e instanceof RdbFormatError)) throw e;
    }
  }
});
