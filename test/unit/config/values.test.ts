import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fmtFixed6,
  formatMemory,
  memtoull,
  parseMemory,
  repr,
  string2d,
  strtoll,
  trimDouble,
  U64_MAX,
} from '../../../src/config/values.js';
import { splitArgs } from '../../../src/protocol/splitargs.js';

test('memtoull: units, case, C quirks', () => {
  assert.equal(memtoull('10'), 10n);
  assert.equal(memtoull('1k'), 1000n);
  assert.equal(memtoull('1KB'), 1024n);
  assert.equal(memtoull('2mb'), 2n * 1024n * 1024n);
  assert.equal(memtoull('3G'), 3000000000n);
  assert.equal(memtoull('1gb'), 1024n ** 3n);
  assert.equal(memtoull('7b'), 7n);
  assert.equal(memtoull(''), 0n, 'no digits reads as 0, like strtoull');
  assert.equal(memtoull('kb'), 0n);
  assert.equal(memtoull('99999999999999999999999'), U64_MAX, 'overflow clamps');
  assert.equal(memtoull('-1'), null);
  assert.equal(memtoull('1xb'), null);
  assert.equal(memtoull(' 1'), null);
  assert.equal(memtoull('1.5mb'), null);
  assert.equal(parseMemory('64mb'), 64 * 1024 * 1024);
  assert.ok(Number.isNaN(parseMemory('x')));
});

test('strtoll: blanks, signs, end pointer, overflow', () => {
  assert.deepEqual(strtoll('  +42x', 10), { value: 42n, end: 5, overflow: false });
  assert.deepEqual(strtoll('-7', 10), { value: -7n, end: 2, overflow: false });
  assert.deepEqual(strtoll('', 10), { value: 0n, end: 0, overflow: false });
  assert.deepEqual(strtoll('  ', 10), { value: 0n, end: 0, overflow: false });
  assert.equal(strtoll('777', 8).value, 511n);
  assert.equal(strtoll('778', 8).end, 2);
  assert.equal(strtoll('99999999999999999999', 10).overflow, true);
});

test('string2d: strtod on the whole string', () => {
  assert.equal(string2d('99.9'), 99.9);
  assert.equal(string2d('1e2'), 100);
  assert.equal(string2d('.5'), 0.5);
  assert.equal(string2d('0x10'), 16);
  assert.equal(string2d('inf'), Infinity);
  assert.equal(string2d('nan'), null);
  assert.equal(string2d(' 1'), null);
  assert.equal(string2d('1 '), null);
  assert.equal(string2d(''), null);
  assert.equal(string2d('1e999'), null, 'overflow');
  assert.equal(string2d('1e-999'), null, 'underflow to zero');
  assert.equal(string2d('abc'), null);
});

test('printf %f and trimDoubleString', () => {
  assert.equal(fmtFixed6(99.9), '99.900000');
  assert.equal(fmtFixed6(0.0078125), '0.007812', 'exact tie rounds to even');
  assert.equal(fmtFixed6(0.0234375), '0.023438', 'exact tie rounds to even (up)');
  assert.equal(fmtFixed6(-0), '-0.000000');
  assert.equal(trimDouble('99.900000'), '99.9');
  assert.equal(trimDouble('50.000000'), '50');
  assert.equal(trimDouble('100'), '100');
});

test('repr quotes like sdscatrepr and reads back with splitArgs', () => {
  assert.equal(repr('a"b c'), '"a\\"b c"');
  assert.equal(repr('x\n\r\t\x07\b\\'), '"x\\n\\r\\t\\a\\b\\\\"');
  assert.equal(repr('\x01\xff'), '"\\x01\\xff"');
  assert.equal(repr(''), '""');
  for (const s of ['plain', 'with space', 'q"uote', '\x00\x7f\x80bin', "it's"]) {
    assert.deepEqual(splitArgs(repr(s)), [s]);
  }
});

test('rewrite memory format', () => {
  assert.equal(formatMemory(0n), '0');
  assert.equal(formatMemory(1024n ** 3n), '1gb');
  assert.equal(formatMemory(512n * 1024n * 1024n), '512mb');
  assert.equal(formatMemory(4096n), '4kb');
  assert.equal(formatMemory(1000n), '1000');
  assert.equal(formatMemory(-1n), '-1');
});
