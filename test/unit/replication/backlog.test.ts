// The replication backlog's circular buffer: Redis's offsets (first byte, histlen, end),
// wraparound, on-demand growth, what a PSYNC offset can continue from, and resizing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backlog } from '../../../src/replication/backlog.js';

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

/** A reference model: the whole stream as one string. */
function check(b: Backlog, stream: string, size: number): void {
  const held = stream.slice(Math.max(0, stream.length - size));
  assert.equal(b.end, stream.length);
  assert.equal(b.histlen, held.length);
  assert.equal(b.firstByteOffset, stream.length - held.length + 1);
  assert.equal(b.from(b.firstByteOffset).toString('latin1'), held);
}

test('an empty backlog starts after the current offset and covers only the next byte', () => {
  const b = new Backlog(100, 41);
  assert.equal(b.histlen, 0);
  assert.equal(b.firstByteOffset, 42);
  assert.ok(b.covers(42));
  assert.ok(!b.covers(41));
  assert.ok(!b.covers(43));
  assert.equal(b.from(42).length, 0);
});

test('appends keep the newest size bytes across wraparounds', () => {
  const size = 10;
  const b = new Backlog(size, 0);
  let stream = '';
  for (const piece of ['abc', 'defg', 'hij', 'k', 'lmnopqr', 'stuvwxyz0123', '45']) {
    b.append(bytes(piece));
    stream += piece;
    check(b, stream, size);
  }
  // Offsets are 1-based: offset n is stream[n - 1].
  assert.equal(b.from(b.end - 2).toString('latin1'), stream.slice(-3));
  assert.ok(b.covers(b.end + 1));
  assert.ok(!b.covers(b.end + 2));
  assert.ok(!b.covers(b.firstByteOffset - 1));
});

test('one append larger than the backlog keeps its tail', () => {
  const b = new Backlog(8, 100);
  b.append(bytes('0123456789abcdef'));
  assert.equal(b.end, 116);
  assert.equal(b.histlen, 8);
  assert.equal(b.firstByteOffset, 109);
  assert.equal(b.from(109).toString('latin1'), '89abcdef');
});

test('storage grows on demand up to the size, never beyond', () => {
  const size = 100_000;
  const b = new Backlog(size, 0);
  assert.ok(b.allocated < size);
  let stream = '';
  for (let i = 0; i < 1000; i++) {
    const piece = `${i}:${'x'.repeat((i * 37) % 997)}|`;
    b.append(bytes(piece));
    stream += piece;
  }
  check(b, stream, size);
  assert.equal(b.allocated, size);
});

test('resize keeps the newest bytes that fit, and offsets stay right', () => {
  const b = new Backlog(20, 0);
  let stream = '';
  for (const piece of ['0123456789', 'abcdefghij', 'klmnopq']) {
    b.append(bytes(piece));
    stream += piece;
  }
  check(b, stream, 20);
  b.resize(5);
  assert.equal(b.size, 5);
  check(b, stream, 5);
  b.append(bytes('XYZ'));
  stream += 'XYZ';
  check(b, stream, 5);
  b.resize(1000);
  check(b, stream, 5);
  b.append(bytes('more bytes'));
  stream += 'more bytes';
  assert.equal(b.histlen, 15);
  assert.equal(b.from(b.firstByteOffset).toString('latin1'), stream.slice(-15));
});

test('random appends and resizes match the model', () => {
  let seed = 7;
  const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  let size = 64;
  const b = new Backlog(size, 0);
  let stream = '';
  let effective = '';
  for (let i = 0; i < 2000; i++) {
    if (rnd(50) === 0) {
      size = 1 + rnd(200);
      effective = effective.slice(Math.max(0, effective.length - size));
      b.resize(size);
    } else {
      const piece = String.fromCharCode(...Array.from({ length: rnd(90) }, () => 97 + rnd(26)));
      b.append(bytes(piece));
      stream += piece;
      effective = (effective + piece).slice(-size);
    }
    assert.equal(b.end, stream.length);
    assert.equal(b.histlen, effective.length);
    assert.equal(b.from(b.firstByteOffset).toString('latin1'), effective);
  }
});
