import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { passwordStrength } from '../../../../src/tools/audit/password.js';

test('generated passwords of 32+ random characters are strong', () => {
  for (let i = 0; i < 200; i++) {
    assert.equal(passwordStrength(randomBytes(16).toString('hex')).weak, false);
    assert.equal(passwordStrength(randomBytes(24).toString('base64')).weak, false);
  }
});

test('short, dictionary-like and repetitive passwords are weak', () => {
  assert.equal(passwordStrength('secret').weak, true);
  assert.equal(passwordStrength('your-very-strong-password-here-min-32-chars').weak, true);
  assert.equal(passwordStrength('a'.repeat(40)).weak, true);
  assert.equal(passwordStrength('abababababababababababababababababab').weak, true);
});
