// The command clock: wall time derived from the monotonic reading stays with Date.now().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { monoNow, recalibrateClock, wallAt } from '../../../src/server/clock.js';

test('wallAt(monoNow()) agrees with Date.now() and never goes back', () => {
  let last = 0;
  for (let i = 0; i < 2000; i++) {
    const before = Date.now();
    const w = wallAt(monoNow());
    const after = Date.now();
    assert.ok(w >= before - 2 && w <= after + 2, `${before} <= ${w} <= ${after}`);
    assert.ok(w >= last, 'monotonic between recalibrations');
    last = w;
    if (i % 100 === 0) recalibrateClock();
  }
});

test('a reading later by d ms maps to a wall time later by d ms', () => {
  const m = monoNow();
  assert.equal(wallAt(m + 1500) - wallAt(m), 1500);
});
