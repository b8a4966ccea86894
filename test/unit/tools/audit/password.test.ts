import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { passwordStrength } from '../../../../src/tools/audit/password.js';

test('generated passwords of 32+ random characters are strong', () => {
  // A random string can spell a listed word or hold a run of six equal characters by chance
  // (about once in 30,000 hex passwords), so the figure checked is the rate: at most 2 of 4,000, where the words and entropy
  // rules as first written flagged ~1 in 5,000 hex and ~1 in 20,000 base64 passwords.
  let weak = 0;
  for (let i = 0; i < 2000; i++) {
    if (passwordStrength(randomBytes(16).toString('hex')).weak) weak++;
    if (passwordStrength(randomBytes(24).toString('base64')).weak) weak++;
  }
  assert.ok(weak <= 2, `${weak} of 4000 generated passwords judged weak`);
});

test('short words count only as a token of their own', () => {
  assert.equal(passwordStrength('test-7f3a9c1e5b2d4f6a8c0e1b3d5f7a9c2e4').weak, true);
  assert.equal(passwordStrength('7f3a9c1e5b2d4f6a8c0e1b3d5f7a9c2e4_root').weak, true);
  assert.equal(passwordStrength('Q7f3a9c1e5bTeSt2d4f6a8c0e1b3d5f7a9c2e4').weak, false);
});

test('short, dictionary-like and repetitive passwords are weak', () => {
  assert.equal(passwordStrength('secret').weak, true);
  assert.equal(passwordStrength('your-very-strong-password-here-min-32-chars').weak, true);
  assert.equal(passwordStrength('a'.repeat(40)).weak, true);
  assert.equal(passwordStrength('abababababababababababababababababab').weak, true);
});
