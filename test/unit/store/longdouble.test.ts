import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addLongDouble,
  formatLongDoubleHuman,
  longDoubleFromInt,
  parseLongDouble,
  type LongDouble,
} from '../../../src/store/longdouble.js';

function ld(s: string): LongDouble {
  const v = parseLongDouble(s);
  assert.ok(v !== null, `parses ${s}`);
  return v;
}

function sum(...xs: string[]): string {
  let acc = ld('0');
  for (const x of xs) {
    const r = addLongDouble(acc, ld(x));
    assert.ok(r !== null);
    acc = r;
  }
  return formatLongDoubleHuman(acc);
}

test('parses what strtold accepts and Redis keeps', () => {
  for (const s of ['1', '-1.5', '+2', '1.', '.5', '1e3', '1E-3', '0x10', '0x1.8p1', 'inf', '-Infinity', '0e-99999']) {
    assert.notEqual(parseLongDouble(s), null, s);
  }
  for (const s of ['', ' 1', '1 ', '.', '-', '1e', '1e+', 'nan', '0x', '1\x002', 'abc', '1e5000', '1e-5000']) {
    assert.equal(parseLongDouble(s), null, JSON.stringify(s));
  }
  assert.equal(parseLongDouble('1'.repeat(5120)), null, 'longer than Redis buffer');
});

test('human format trims zeros, never prints -0 or exponents', () => {
  assert.equal(sum('1.5', '1.5'), '3');
  assert.equal(sum('0.1', '0.2'), '0.3', 'extended precision, not 0.30000000000000004');
  assert.equal(sum('1', '-1.1'), '-0.1');
  assert.equal(sum('17179869184', '1.5'), '17179869185.5');
  assert.equal(sum('1e20'), '100000000000000000000');
  assert.equal(sum('1e-20'), '0');
  assert.equal(sum('-1e-20'), '0');
  assert.equal(sum('0x1p3'), '8');
  assert.equal(sum('5.0e3'), '5000');
});

test('exact cancellation gives 0, not -0', () => {
  const third = String(1 / 41);
  assert.equal(sum(third, '-' + third), '0');
});

test('infinities propagate and inf + -inf is NaN', () => {
  const inf = ld('inf');
  const minus = ld('-inf');
  assert.equal(addLongDouble(inf, minus), null);
  assert.equal(addLongDouble(inf, ld('1'))!.inf, true);
  assert.equal(formatLongDoubleHuman(inf), 'inf');
});

test('integers are exact up to 64 bits', () => {
  assert.equal(formatLongDoubleHuman(longDoubleFromInt(9223372036854775807n)), '9223372036854775807');
  assert.equal(formatLongDoubleHuman(longDoubleFromInt(-42n)), '-42');
});
