import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globMatch } from '../../../src/store/glob.js';

// [pattern, subject, expected] — expected values were taken from Redis 7.0.15's stringmatchlen
// (case-sensitive and nocase agree for all of these).
const PARITY: [string, string, boolean][] = [
  ['h?llo', 'hello', true],
  ['h*llo', 'hllo', true],
  ['h[ae]llo', 'hallo', true],
  ['h[^e]llo', 'hello', false],
  ['h[a-b]llo', 'hbllo', true],
  ['a*b*c', 'aXbYc', true],
  ['a*b*c', 'aXbY', false],
  ['**', 'x', true],
  // An empty subject only matches an empty pattern, even "*".
  ['*', '', false],
  ['', '', true],
  ['', 'x', false],
  // Unterminated class: everything to the end of the pattern is the class.
  ['[', 'a', false],
  ['[', '[', false],
  ['[a', 'a', true],
  ['[a', 'b', false],
  ['[^', 'a', true],
  ['[^', '^', true],
  ['[^a', 'b', true],
  ['[\\', '\\', true],
  // Reversed ranges are swapped.
  ['[z-a', 'm', true],
  ['[z-a]', 'm', true],
  // "a-]" is a range up to ']', so the class goes on and swallows "x" too.
  ['[a-]x', 'a', true],
  ['[a-]x', 'x', true],
  ['[a-]x', ']x', false],
  ['[a-]x', 'bx', false],
  ['[a-]x', '^x', false],
  // Escapes, inside and outside classes; a trailing backslash is literal.
  ['a\\', 'a\\', true],
  ['a\\', 'a', false],
  ['\\a', 'a', true],
  ['\\*', '*', true],
  ['\\*', 'x', false],
  ['\\?', '?', true],
  ['\\?', 'x', false],
  ['[\\]]', ']', true],
  ['[\\-]', '-', true],
  ['[a\\-z]', 'b', false],
  ['[a\\-z]', '-', true],
  ['[[]', '[', true],
  ['[]]', ']', false],
];

test('parity with Redis stringmatchlen', () => {
  for (const [p, s, want] of PARITY) {
    assert.equal(globMatch(p, s), want, `${JSON.stringify(p)} vs ${JSON.stringify(s)}`);
    assert.equal(globMatch(p, s, true), want, `nocase ${JSON.stringify(p)} vs ${JSON.stringify(s)}`);
  }
});

test('nocase folds A-Z only, in literals and ranges but not in escapes', () => {
  assert.equal(globMatch('HELLO', 'hello'), false);
  assert.equal(globMatch('HELLO', 'hello', true), true);
  assert.equal(globMatch('[A-C]x', 'bX', true), true);
  assert.equal(globMatch('[A-C]x', 'bX'), false);
  assert.equal(globMatch('[\\A]', 'a', true), false);
  assert.equal(globMatch('\\A', 'a', true), true);
  assert.equal(globMatch('\xc9', '\xe9', true), false);
});

test('range bounds compare as signed chars, like Redis on x86', () => {
  // 0xe9 is negative as a C char, so [a-\xe9] spans -23..97 and includes digits but not 'b'.
  assert.equal(globMatch('[a-\xe9]', '5'), true);
  assert.equal(globMatch('[a-\xe9]', 'b'), false);
  assert.equal(globMatch('[a-\xe9]', '\xf0'), true);
  assert.equal(globMatch('[\x01-\x7f]', '\x80'), false);
  // Under nocase glibc's tolower maps negative chars to 128..255, except EOF (-1 = 0xff).
  assert.equal(globMatch('[\xe9-?]', '\xff', true), false);
  assert.equal(globMatch('[\xe9-?]', '\xff'), true);
});

test('binary subjects and patterns', () => {
  assert.equal(globMatch('a\x00*', 'a\x00bc'), true);
  assert.equal(globMatch('?\xff', '\x00\xff'), true);
  assert.equal(globMatch('*\r\n', 'x\r\n'), true);
});

test('pathological patterns take bounded time', () => {
  const subject = 'a'.repeat(20000);
  const pattern = '*a'.repeat(40) + '*b';
  const t0 = performance.now();
  assert.equal(globMatch(pattern, subject), false);
  assert.equal(globMatch('a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(40)), false);
  assert.equal(globMatch(pattern.slice(0, -1) + 'a', subject), true);
  // The recursive algorithm without pruning would not finish this at all.
  assert.ok(performance.now() - t0 < 2000);
});

test('star backtracking finds a later match', () => {
  assert.equal(globMatch('*abc', 'ababc'), true);
  assert.equal(globMatch('*a?c*', 'xxabcz'), true);
  assert.equal(globMatch('*a?c*', 'xxabyacz'), false);
  assert.equal(globMatch('a*[0-9]', 'abc9'), true);
  assert.equal(globMatch('a*[0-9]', 'abc9x'), false);
  assert.equal(globMatch('key:1??', 'key:123'), true);
  assert.equal(globMatch('key:1??', 'key:1234'), false);
});
