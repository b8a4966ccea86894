import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ListValue } from '../../../src/store/list.js';

/** Small deterministic PRNG so that a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('push and pop at both ends keep order, across growth and shrinking', () => {
  const l = new ListValue();
  for (let i = 0; i < 100; i++) l.pushTail(String(i));
  for (let i = 0; i < 100; i++) l.pushHead(String(-i - 1));
  assert.equal(l.length, 200);
  assert.equal(l.at(0), '-100');
  assert.equal(l.at(199), '99');
  for (let i = 100; i > 0; i--) assert.equal(l.popHead(), String(-i));
  for (let i = 99; i >= 0; i--) assert.equal(l.popTail(), String(i));
  assert.equal(l.length, 0);
  assert.equal(l.popHead(), undefined);
  assert.equal(l.popTail(), undefined);
});

test('random operations agree with an array model', () => {
  const rand = rng(42);
  const l = new ListValue();
  const model: string[] = [];
  for (let step = 0; step < 20000; step++) {
    const op = Math.floor(rand() * 9);
    const v = String(Math.floor(rand() * 20));
    const i = model.length === 0 ? 0 : Math.floor(rand() * model.length);
    switch (op) {
      case 0:
        l.pushHead(v);
        model.unshift(v);
        break;
      case 1:
        l.pushTail(v);
        model.push(v);
        break;
      case 2:
        assert.equal(l.popHead(), model.shift());
        break;
      case 3:
        assert.equal(l.popTail(), model.pop());
        break;
      case 4: {
        const at = Math.floor(rand() * (model.length + 1));
        l.insertAt(at, v);
        model.splice(at, 0, v);
        break;
      }
      case 5:
        if (model.length > 0) {
          l.removeAt(i);
          model.splice(i, 1);
        }
        break;
      case 6:
        if (model.length > 0) {
          l.set(i, v);
          model[i] = v;
        }
        break;
      case 7: {
        const limit = Math.floor(rand() * 3);
        const fromTail = rand() < 0.5;
        let removed = 0;
        if (!fromTail) {
          for (let k = 0; k < model.length;)
            if (model[k] === v && (limit === 0 || removed < limit)) {
              model.splice(k, 1);
              removed++;
            } else k++;
        } else {
          for (let k = model.length - 1; k >= 0; k--)
            if (model[k] === v && (limit === 0 || removed < limit)) {
              model.splice(k, 1);
              removed++;
            }
        }
        assert.equal(l.removeMatching(v, limit, fromTail), removed);
        break;
      }
      case 8: {
        const n = Math.floor(rand() * 3);
        if (rand() < 0.5) {
          l.trimHead(n);
          model.splice(0, n);
        } else {
          l.trimTail(n);
          model.splice(Math.max(0, model.length - n), n);
        }
        break;
      }
    }
    assert.equal(l.length, model.length);
  }
  assert.deepEqual(l.toArray(), model);
  assert.deepEqual([...l], model);
});

test('clone is independent and equal; encoding is always quicklist as in Redis 7.0', () => {
  const l = new ListValue(['a', 'b', 'c']);
  const k = l.clone();
  k.pushTail('d');
  l.set(0, 'z');
  assert.deepEqual(l.toArray(), ['z', 'b', 'c']);
  assert.deepEqual(k.toArray(), ['a', 'b', 'c', 'd']);
  assert.equal(l.encoding(), 'quicklist');
  assert.equal(new ListValue().encoding(), 'quicklist');
});

test('memoryUsage grows with the contents', () => {
  const small = new ListValue(['a']);
  const big = new ListValue(Array.from({ length: 1000 }, (_, i) => 'x'.repeat(50) + i));
  assert.ok(small.memoryUsage(5) > 0);
  assert.ok(big.memoryUsage(5) > 50 * 1000);
  assert.ok(big.memoryUsage(0) > small.memoryUsage(0));
});
