// TLS fields of CLIENT LIST stay one space-free token each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeField } from '../../../src/net/tls-info.js';
import { subjectString } from '../../../src/net/tls.js';

test('escapeField: spaces, controls, percent and non-ASCII become %XX', () => {
  assert.equal(escapeField('CN=a b,O=c%d'), 'CN=a%20b,O=c%25d');
  assert.equal(escapeField('x\u0000\ny'), 'x%00%0Ay');
  assert.equal(escapeField('é'), '%C3%A9');
  assert.equal(escapeField('plain'), 'plain');
});

test('subjectString: fields in order, repeated fields repeated', () => {
  assert.equal(subjectString({ CN: 'a', O: 'b' }), 'CN=a,O=b');
  assert.equal(subjectString({ CN: ['a', 'b'] }), 'CN=a,CN=b');
  assert.equal(subjectString(undefined), '');
});
