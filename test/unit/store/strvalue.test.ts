import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appendBytes,
  byteAt,
  isIntEncodable,
  mutableBytes,
  newBytes,
  stringEncoding,
  strLen,
  strToBuffer,
  strToString,
} from '../../../src/store/strvalue.js';

test('stringEncoding follows Redis: int, embstr up to 44 bytes, raw beyond and for buffers', () => {
  assert.equal(stringEncoding('12345'), 'int');
  assert.equal(stringEncoding('-9223372036854775808'), 'int');
  assert.equal(stringEncoding('9223372036854775808'), 'embstr');
  assert.equal(stringEncoding('012'), 'embstr');
  assert.equal(stringEncoding('-0'), 'embstr');
  assert.equal(stringEncoding(' 1'), 'embstr');
  assert.equal(stringEncoding('x'.repeat(44)), 'embstr');
  assert.equal(stringEncoding('x'.repeat(45)), 'raw');
  assert.equal(stringEncoding(Buffer.from('12')), 'raw');
});

test('isIntEncodable applies string2ll rules', () => {
  for (const s of ['0', '-1', '123', '9223372036854775807']) assert.equal(isIntEncodable(s), true, s);
  for (const s of ['', '-', '+1', '01', '-0', '1.0', '1 ', '99999999999999999999']) {
    assert.equal(isIntEncodable(s), false, s);
  }
});

test('strings and buffers read the same', () => {
  const s = 'a\xffb';
  const b = Buffer.from(s, 'latin1');
  assert.equal(strLen(s), 3);
  assert.equal(strLen(b), 3);
  assert.equal(strToString(b), s);
  assert.deepEqual(strToBuffer(s), b);
  assert.equal(byteAt(s, 1), 0xff);
  assert.equal(byteAt(b, 1), 0xff);
  assert.equal(byteAt(b, 10), 0);
});

test('mutableBytes copies foreign values and zero pads', () => {
  const s = 'ab';
  const m = mutableBytes(s, 4);
  assert.deepEqual([...m], [97, 98, 0, 0]);
  const foreign = Buffer.from('xyz');
  const m2 = mutableBytes(foreign, 2);
  assert.notEqual(m2, foreign, 'a buffer not allocated here is never written in place');
  assert.equal(m2.toString(), 'xyz');
});

test('owned buffers are reused in place and grow within their capacity', () => {
  const b = newBytes(4);
  assert.equal(mutableBytes(b, 3), b);
  const grown = mutableBytes(b, 6);
  assert.equal(grown.buffer, b.buffer, 'grows inside the spare capacity');
  assert.equal(grown.length, 6);
  assert.deepEqual([...grown.subarray(4)], [0, 0]);
  // The old, shorter view is no longer the owner: it must not be grown in place again.
  const other = mutableBytes(b, 5);
  assert.notEqual(other.buffer, b.buffer);
});

test('appendBytes appends in amortized constant time and keeps bytes exact', () => {
  let v: string | Buffer = 'x';
  let expect = 'x';
  for (let i = 0; i < 2000; i++) {
    const add = String.fromCharCode(i & 0xff);
    v = appendBytes(v, add);
    expect += add;
  }
  assert.equal(strToString(v), expect);
  assert.ok(Buffer.isBuffer(v));
  assert.ok((v.buffer as ArrayBuffer).byteLength >= v.length);
});
