// LOLWUT's drawing primitives and both drawings, with a fixed random source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Canvas, brailleText, grayText, schotter, skyline } from '../../../src/commands/lolwut.js';

/** A repeatable random source in [0, 1). */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('a line covers both ends and every step between them once', () => {
  const c = new Canvas(10, 10);
  c.line(1, 2, 8, 5, 1);
  const lit = [...c.pixels].reduce((n, p) => n + p, 0);
  assert.equal(lit, 8, 'one pixel per column on a shallow line');
  assert.equal(c.get(1, 2), 1);
  assert.equal(c.get(8, 5), 1);
  c.line(-5, -5, -1, -1, 1); // off the canvas: ignored, no throw
  assert.equal(
    [...c.pixels].reduce((n, p) => n + p, 0),
    8,
  );
});

test('an unturned square is an axis-aligned outline', () => {
  const c = new Canvas(20, 20);
  c.square(10, 10, 8, 0, 1);
  // Side 8: corners on a circle of radius round(8/√2) = 6, at ±round(6·sin 45°) = ±4.
  for (const [x, y] of [
    [6, 6],
    [14, 6],
    [6, 14],
    [14, 14],
    [10, 6],
    [6, 10],
  ])
    assert.equal(c.get(x!, y!), 1, `(${x}, ${y}) on the outline`);
  assert.equal(c.get(10, 10), 0, 'the middle stays empty');
});

test('braille text packs 2x4 dots per character in the braille dot order', () => {
  const c = new Canvas(4, 4);
  c.set(0, 0, 1); // dot 1
  c.set(1, 3, 1); // dot 8
  c.set(2, 1, 1); // dot 2 of the second character
  assert.equal(brailleText(c), '\u2881\u2802\n');
});

test('schotter: a regular grid when nothing is random, and its size follows the columns', () => {
  const calm = schotter(66, 8, 12, () => 0);
  assert.equal(calm.width, 132);
  assert.equal(calm.height, 196);
  const lines = brailleText(calm).split('\n');
  assert.equal(lines.length, 50);
  // With no turning, every row of squares is the same picture.
  assert.equal(lines[1], lines[5]);
  assert.notEqual(lines[0], lines[1], 'top edges, then sides');
  const wild = schotter(66, 8, 12, seeded(7));
  assert.deepEqual(brailleText(wild).split('\n').slice(0, 8), lines.slice(0, 8), 'the first two rows never turn');
  assert.notDeepEqual(brailleText(wild), brailleText(calm), 'lower rows do');
});

test('skyline: every cell is one of four grays, towers stand on the bottom row', () => {
  const c = skyline(80, 20, seeded(3));
  assert.ok([...c.pixels].every((p) => p <= 3));
  assert.ok(
    [...c.pixels].some((p) => p === 0),
    'black foreground towers',
  );
  assert.ok(
    c.pixels.subarray(0, 80).every((p) => p === 3),
    'nothing reaches the top row, which stays white',
  );
  const text = grayText(c);
  assert.equal(text.split('\n').length, 20);
  assert.equal(text.split('\x1b[0m').length - 1, 80 * 20);
});
