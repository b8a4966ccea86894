import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplyWriter } from '../../../src/protocol/reply.js';
import { fmtG17 } from '../../../src/protocol/numfmt.js';

function text(w: ReplyWriter): string {
  return Buffer.concat(w.take()).toString('latin1');
}

test('RESP2 and RESP3 shapes', () => {
  const w = new ReplyWriter();
  w.ok();
  w.int(42);
  w.bulk('hé');
  w.nullBulk();
  w.mapLen(1);
  w.double(1.5);
  w.bool(true);
  w.error('boom');
  w.error('WRONGTYPE bad');
  assert.equal(text(w), '+OK\r\n:42\r\n$2\r\nhé\r\n$-1\r\n*2\r\n$3\r\n1.5\r\n:1\r\n-ERR boom\r\n-WRONGTYPE bad\r\n');
  w.resp = 3;
  w.nullBulk();
  w.mapLen(1);
  w.double(1.5);
  w.bool(false);
  w.verbatim('x');
  assert.equal(text(w), '_\r\n%1\r\n,1.5\r\n#f\r\n=5\r\ntxt:x\r\n');
});

test('errors never carry newlines', () => {
  const w = new ReplyWriter();
  w.error('bad\r\ninput');
  assert.equal(text(w), '-ERR bad  input\r\n');
});

test('big replies and many small ones keep their order', () => {
  const w = new ReplyWriter();
  const big = 'y'.repeat(50000);
  for (let i = 0; i < 2000; i++) w.int(i);
  w.bulk(big);
  w.simple('END');
  const out = text(w);
  assert.ok(out.startsWith(':0\r\n:1\r\n'));
  assert.ok(out.endsWith(`$50000\r\n${big}\r\n+END\r\n`));
});

test('handed-out buffers are never overwritten', () => {
  const w = new ReplyWriter();
  w.simple('ONE');
  const first = w.take();
  w.simple('TWO');
  assert.equal(Buffer.concat(first).toString(), '+ONE\r\n');
  assert.equal(text(w), '+TWO\r\n');
});

test('rewind drops replies written after a mark', () => {
  const w = new ReplyWriter();
  w.simple('KEEP');
  const m = w.mark();
  w.simple('DROP');
  w.bulk('z'.repeat(40000));
  w.rewind(m);
  w.simple('AFTER');
  assert.equal(text(w), '+KEEP\r\n+AFTER\r\n');
});

test('%.17g formatting', () => {
  assert.equal(fmtG17(1.5), '1.5');
  assert.equal(fmtG17(0.1), '0.10000000000000001');
  assert.equal(fmtG17(1e21), '1e+21');
  assert.equal(fmtG17(1e-5), '1.0000000000000001e-05');
  assert.equal(fmtG17(Infinity), 'inf');
  assert.equal(fmtG17(-Infinity), '-inf');
  assert.equal(fmtG17(3), '3');
  assert.equal(fmtG17(123456789012345680000), '1.2345678901234568e+20');
});

test('short and long strings are written as the same latin1 bytes', () => {
  const w = new ReplyWriter();
  const samples = ['', 'a', 'ok\u00ff\u0080', 'x'.repeat(31), 'y'.repeat(32), 'z'.repeat(33), '\u00e9'.repeat(100)];
  let want = '';
  for (const s of samples) {
    w.bulk(s);
    w.simple(s);
    want += `$${s.length}\r\n${s}\r\n+${s}\r\n`;
  }
  assert.deepEqual(Buffer.concat(w.take()), Buffer.from(want, 'latin1'));
});

test('lengths and integers written as bytes equal their decimal text at every digit count', () => {
  const w = new ReplyWriter();
  let want = '';
  for (const n of [0, 1, 9, 10, 99, 100, 999, 1000, 4095, 4096]) {
    const s = 'b'.repeat(n);
    w.bulk(s);
    want += `$${n}\r\n${s}\r\n`;
  }
  for (const n of [0, 7, 10, 12345, 999999999, 1e9, 2 ** 31, -1, -12, 2 ** 53, 10n ** 20n]) {
    w.int(n);
    want += `:${n}\r\n`;
  }
  for (const n of [0, 3, 10, 65536, -1]) {
    w.arrayLen(n);
    want += `*${n}\r\n`;
  }
  assert.equal(text(w), want);
});
