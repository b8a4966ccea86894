import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SHORT_MAX, latin1Short } from '../../../src/protocol/latin1.js';

test('latin1Short equals latin1Slice for every length and byte value', () => {
  const buf = Buffer.alloc(256 + SHORT_MAX);
  for (let i = 0; i < buf.length; i++) buf[i] = i & 0xff;
  for (let n = 0; n <= SHORT_MAX; n++) {
    for (let s = 0; s < 256; s += 7) assert.equal(latin1Short(buf, s, n), buf.latin1Slice(s, s + n), `n=${n} s=${s}`);
  }
  assert.throws(() => latin1Short(buf, 0, SHORT_MAX + 1), RangeError);
});
