// HLL value layout and algorithms; expected values were read from redis-server 7.0.15
// (PFDEBUG DECODE / PFCOUNT / STRLEN after the same PFADDs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DENSE,
  DENSE_SIZE,
  SPARSE,
  cachedCard,
  createHll,
  decodeSparse,
  hllAdd,
  hllCount,
  isValidHll,
  murmurHash64A,
  murmurHash64AWords,
  sparseToDense,
  type HllRef,
} from '../../../src/store/hll.js';

function build(elements: string[], maxBytes = 3000): HllRef {
  const ref: HllRef = { buf: createHll() };
  for (const e of elements) assert.notEqual(hllAdd(ref, e, maxBytes), -1);
  return ref;
}

const range = (a: number, b: number): string[] => Array.from({ length: b - a + 1 }, (_, i) => String(a + i));

test('a new HLL is sparse, one XZERO run, valid cached count 0', () => {
  const b = createHll();
  assert.equal(b.toString('latin1', 0, 4), 'HYLL');
  assert.equal(b[4], SPARSE);
  assert.equal(b.length, 18);
  assert.equal(decodeSparse(b), 'Z:16384');
  assert.equal(cachedCard(b), 0);
  assert.ok(isValidHll(b));
});

test('hash and register placement match Redis (MurmurHash64A, P=14)', () => {
  assert.equal(decodeSparse(build(['a']).buf), 'Z:12711 v:2,1 Z:3672');
  assert.equal(decodeSparse(build(['']).buf), 'Z:5938 v:2,1 Z:10445');
  assert.equal(decodeSparse(build(['12345678', 'abcdefghijklmnop']).buf), 'Z:9328 v:1,1 Z:1250 v:3,1 Z:5804');
  assert.equal(
    decodeSparse(build(['a', 'b', 'c', 'd', 'e', 'f', 'g']).buf),
    'Z:1646 v:1,1 Z:5645 v:1,1 Z:1085 v:2,1 z:57 v:1,1 Z:4274 v:2,1 Z:2445 v:1,1 Z:622 v:1,1 Z:603',
  );
});

test('sparse bytes, counts and promotion equal Redis', () => {
  const ref = build(range(1, 1000));
  assert.equal(ref.buf[4], SPARSE);
  assert.equal(ref.buf.length, 1922);
  assert.equal(hllCount(ref.buf), 1001);
  assert.equal(cachedCard(ref.buf), -1, 'adding invalidates the cache');
  const big = build(range(1, 100000));
  assert.equal(big.buf[4], DENSE);
  assert.equal(big.buf.length, DENSE_SIZE);
  assert.equal(hllCount(big.buf), 99562);
});

test('hll-sparse-max-bytes bounds the sparse size', () => {
  const ref = build(range(1, 300), 200);
  assert.equal(ref.buf[4], DENSE);
  const small = build(range(1, 30), 200);
  assert.equal(small.buf[4], SPARSE);
  assert.ok(small.buf.length <= 200);
});

test('sparse and dense agree, conversion keeps the header', () => {
  const ref = build(range(1, 500));
  const dense: HllRef = { buf: Buffer.from(ref.buf) };
  assert.ok(sparseToDense(dense));
  assert.equal(dense.buf[4], DENSE);
  assert.equal(dense.buf.toString('latin1', 0, 4), 'HYLL');
  assert.equal(hllCount(dense.buf), hllCount(ref.buf));
  for (const e of range(501, 700)) {
    hllAdd(ref, e, 100000);
    hllAdd(dense, e, 100000);
  }
  assert.equal(hllCount(dense.buf), hllCount(ref.buf));
});

test('corrupt values are detected', () => {
  const ref = build(['a', 'b', 'c']);
  const tail = Buffer.concat([ref.buf, Buffer.from('hello')]);
  assert.equal(hllCount(tail), -1);
  assert.ok(!sparseToDense({ buf: tail }));
  const magic = Buffer.from(ref.buf);
  magic.write('0123', 0, 'latin1');
  assert.ok(!isValidHll(magic));
  const wrongLen = Buffer.from(ref.buf);
  wrongLen[4] = DENSE;
  assert.ok(!isValidHll(wrongLen));
});

test('the 8-byte hashing shortcut of PFSELFTEST equals the general hash', () => {
  for (const [lo, hi] of [
    [0, 0],
    [1, 0],
    [0xdeadbeef, 0x12345678],
    [0xffffffff, 0xffffffff],
  ] as const) {
    const bytes = Buffer.alloc(8);
    bytes.writeUInt32LE(lo, 0);
    bytes.writeUInt32LE(hi, 4);
    assert.deepEqual(murmurHash64AWords(lo, hi), murmurHash64A(bytes.toString('latin1')));
  }
});
