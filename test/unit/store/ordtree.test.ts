import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrderTree } from '../../../src/store/ordtree.js';
import { LEX_MAX, LEX_MIN, type ScoreRange } from '../../../src/store/zrange.js';

type Pair = [string, number];

function cmp(a: Pair, b: Pair): number {
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

function contents(t: OrderTree): Pair[] {
  const out: Pair[] = [];
  const c = t.at(0);
  if (c === null) return out;
  do out.push([c.ele, c.score]);
  while (c.next());
  return out;
}

function reversed(t: OrderTree): Pair[] {
  const out: Pair[] = [];
  const c = t.at(t.size - 1);
  if (c === null) return out;
  do out.push([c.ele, c.score]);
  while (c.prev());
  return out.reverse();
}

/** A small deterministic PRNG so that failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function check(t: OrderTree, ref: Pair[]): void {
  ref.sort(cmp);
  assert.equal(t.size, ref.length);
  assert.deepEqual(contents(t), ref);
  assert.deepEqual(reversed(t), ref);
  for (let i = 0; i < ref.length; i += 7) {
    assert.equal(t.rankOf(ref[i]![1], ref[i]![0]), i);
    const c = t.at(i)!;
    assert.equal(c.ele, ref[i]![0]);
  }
}

test('random inserts and removals agree with a sorted array (several tree heights)', () => {
  for (const n of [10, 300, 5000]) {
    const t = new OrderTree();
    const ref = new Map<string, number>();
    const r = rng(n);
    for (let i = 0; i < n * 3; i++) {
      const m = 'm' + Math.floor(r() * n);
      const cur = ref.get(m);
      if (cur === undefined) {
        const s = Math.floor(r() * 50);
        t.insert(s, m);
        ref.set(m, s);
      } else if (r() < 0.6) {
        assert.equal(t.remove(cur, m), true);
        assert.equal(t.remove(cur, m), false);
        ref.delete(m);
      } else {
        // A score change, as ZADD does it: small steps often keep the position.
        const s = r() < 0.5 ? cur + (r() < 0.5 ? 0.5 : -0.5) : Math.floor(r() * 50) - 10;
        t.update(cur, m, s);
        ref.set(m, s);
      }
    }
    check(
      t,
      [...ref].map(([m, s]): Pair => [m, s]),
    );
    for (const [m, s] of ref) assert.equal(t.remove(s, m), true);
    assert.equal(t.size, 0);
    assert.equal(t.at(0), null);
    t.insert(1, 'again');
    assert.deepEqual(contents(t), [['again', 1]]);
  }
});

test('rising and falling insert orders stay valid', () => {
  const up = new OrderTree();
  const down = new OrderTree();
  const ref: Pair[] = [];
  for (let i = 0; i < 3000; i++) {
    up.insert(i, 'k');
    down.insert(-i, 'k');
    ref.push(['k', i]);
  }
  check(up, ref.slice());
  check(
    down,
    ref.map(([m, s]): Pair => [m, -s]),
  );
  assert.equal(up.rankOf(5, 'x'), -1);
  assert.equal(up.remove(5, 'x'), false);
});

test('score and lex range boundaries', () => {
  const t = new OrderTree();
  for (let i = 1; i <= 200; i++) t.insert(i, 'v');
  const R = (min: number, max: number, minex = false, maxex = false): ScoreRange => ({ min, max, minex, maxex });
  assert.equal(t.firstInRange(R(3, 5)), 2);
  assert.equal(t.lastInRange(R(3, 5)), 4);
  assert.equal(t.firstInRange(R(3, 5, true, true)), 3);
  assert.equal(t.lastInRange(R(3, 5, true, true)), 3);
  assert.equal(t.firstInRange(R(4, 4, true)), -1);
  assert.equal(t.firstInRange(R(5, 3)), -1);
  assert.equal(t.firstInRange(R(201, Infinity)), -1);
  assert.equal(t.lastInRange(R(-Infinity, 0.5)), -1);
  assert.equal(t.lastInRange(R(-Infinity, Infinity)), 199);
  assert.equal(t.firstInRange(R(4.5, 4.7)), -1);

  const l = new OrderTree();
  for (const m of ['a', 'b', 'ba', 'c', 'd']) l.insert(0, m);
  assert.equal(l.firstInLexRange({ min: LEX_MIN, max: LEX_MAX, minex: true, maxex: true }), 0);
  assert.equal(l.lastInLexRange({ min: LEX_MIN, max: LEX_MAX, minex: true, maxex: true }), 4);
  assert.equal(l.firstInLexRange({ min: 'b', max: 'c', minex: true, maxex: false }), 2);
  assert.equal(l.lastInLexRange({ min: 'b', max: 'c', minex: false, maxex: true }), 2);
  assert.equal(l.firstInLexRange({ min: 'b', max: 'b', minex: true, maxex: false }), -1);
  assert.equal(l.firstInLexRange({ min: 'e', max: LEX_MAX, minex: false, maxex: true }), -1);
});
