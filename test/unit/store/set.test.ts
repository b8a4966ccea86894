import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SetValue, isIntMember } from '../../../src/store/set.js';

test('isIntMember follows string2ll: canonical 64-bit integers only', () => {
  for (const s of ['0', '1', '-1', '9223372036854775807', '-9223372036854775808', '1234567890123456789']) {
    assert.equal(isIntMember(s), true, s);
  }
  for (const s of [
    '',
    '-',
    '-0',
    '01',
    '+1',
    ' 1',
    '1 ',
    '1.0',
    'a',
    '9223372036854775808',
    '-9223372036854775809',
    '12345678901234567890',
  ]) {
    assert.equal(isIntMember(s), false, s);
  }
});

test('an intset iterates in ascending numeric order', () => {
  const s = SetValue.emptyIntset();
  for (const m of ['10', '-3', '9223372036854775807', '-9223372036854775808', '2', '-20', '100']) s.add(m, 512);
  assert.equal(s.encoding(), 'intset');
  assert.deepEqual(s.toArray(), ['-9223372036854775808', '-20', '-3', '2', '10', '100', '9223372036854775807']);
  assert.equal(s.add('2', 512), false);
  assert.equal(s.has('-20'), true);
  assert.equal(s.has('-2'), false);
  assert.equal(s.remove('-20'), true);
  assert.equal(s.remove('-20'), false);
  assert.equal(s.size, 6);
});

test('an intset converts to a hashtable on a non-integer or past the size limit, keeping its order', () => {
  const s = SetValue.emptyIntset();
  for (const m of ['3', '1', '2']) s.add(m, 3);
  assert.equal(s.encoding(), 'intset');
  s.add('0', 3);
  assert.equal(s.encoding(), 'hashtable');
  assert.deepEqual(s.toArray(), ['0', '1', '2', '3']);
  const t = SetValue.forMember('5');
  t.add('5', 512);
  t.add('x', 512);
  assert.equal(t.encoding(), 'hashtable');
  t.remove('x');
  assert.equal(t.encoding(), 'hashtable', 'never converted back');
  assert.equal(t.has('5'), true);
});

test('hashtable removal keeps membership, random picks and order consistent', () => {
  const s = SetValue.emptyHashtable();
  for (let i = 0; i < 100; i++) s.add(`m${i}`, 512);
  for (let i = 0; i < 100; i += 3) assert.equal(s.remove(`m${i}`), true);
  for (let i = 0; i < 100; i++) assert.equal(s.has(`m${i}`), i % 3 !== 0);
  assert.equal(s.size, 66);
  const expected: string[] = [];
  for (let i = 0; i < 100; i++) if (i % 3 !== 0) expected.push(`m${i}`);
  assert.deepEqual(s.toArray(), expected);
  for (let i = 0; i < 200; i++) assert.equal(s.has(s.random()), true);
});

test('hashtable scan returns every member present for the whole scan exactly once', () => {
  const s = SetValue.emptyHashtable();
  for (let i = 0; i < 1000; i++) s.add(`k${i}`, 512);
  const seen = new Map<string, number>();
  let cursor = 0;
  let step = 0;
  do {
    const out: string[] = [];
    cursor = s.scan(cursor, 7, out);
    for (const m of out) seen.set(m, (seen.get(m) ?? 0) + 1);
    // Churn while scanning: delete some members not yet reached, add new ones.
    step++;
    s.remove(`k${(step * 37) % 1000}`);
    s.add(`new${step}`, 512);
  } while (cursor !== 0);
  for (let i = 0; i < 1000; i++) {
    const m = `k${i}`;
    if (s.has(m)) assert.equal(seen.get(m), 1, m);
  }
});

test('an intset scans whole with cursor 0', () => {
  const s = SetValue.emptyIntset();
  for (let i = 0; i < 50; i++) s.add(String(i), 512);
  const out: string[] = [];
  assert.equal(s.scan(123, 5, out), 0);
  assert.equal(out.length, 50);
});

test('clone is independent and digests ignore encoding and order', () => {
  const a = SetValue.emptyIntset();
  for (const m of ['1', '2', '3']) a.add(m, 512);
  const b = SetValue.emptyHashtable();
  for (const m of ['3', '1', '2']) b.add(m, 512);
  assert.deepEqual(a.digest(), b.digest());
  const c = b.clone();
  c.add('4', 512);
  assert.equal(b.size, 3);
  assert.equal(c.size, 4);
  assert.notDeepEqual(c.digest(), b.digest());
});

test('fromMembers builds what Redis loads', () => {
  assert.equal(SetValue.fromMembers(['1', '2'], 512).encoding(), 'intset');
  assert.equal(SetValue.fromMembers(['1', '2', '3'], 2).encoding(), 'hashtable');
  assert.equal(SetValue.fromMembers(['1', 'a'], 512).encoding(), 'hashtable');
});
