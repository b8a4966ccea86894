// `redoubt genpass` / `redoubt hashpass`: the password terminator rule, the hash rule and the
// built CLI's input and output.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { hashPassword } from '../../../src/acl/users.js';
import { hashRule, passwordFromInput } from '../../../src/tools/passwords.js';
import { ROOT } from '../../support/server.js';

const TOOL = path.join(ROOT, 'dist/bin/redoubt.js');

test('one trailing newline or CRLF is dropped, nothing else', () => {
  assert.equal(passwordFromInput(Buffer.from('pw\n')).toString(), 'pw');
  assert.equal(passwordFromInput(Buffer.from('pw\r\n')).toString(), 'pw');
  assert.equal(passwordFromInput(Buffer.from('pw\n\n')).toString(), 'pw\n');
  assert.equal(passwordFromInput(Buffer.from(' pw ')).toString(), ' pw ');
});

test('hashRule is what the server stores for the same password', () => {
  assert.equal(hashRule(Buffer.from('s3cret')), '#' + hashPassword('s3cret'));
});

test('redoubt hashpass reads stdin and never echoes the password', () => {
  const r = spawnSync(process.execPath, [TOOL, 'hashpass'], { input: 'correct horse\n' });
  assert.equal(r.status, 0);
  assert.equal(r.stdout.toString(), '#' + hashPassword('correct horse') + '\n');
  assert.ok(!r.stdout.toString().includes('correct'));
  const empty = spawnSync(process.execPath, [TOOL, 'hashpass'], { input: '\n' });
  assert.equal(empty.status, 2);
});

test('redoubt genpass prints ceil(bits/4) fresh hex characters', () => {
  const a = spawnSync(process.execPath, [TOOL, 'genpass']).stdout.toString().trim();
  const b = spawnSync(process.execPath, [TOOL, 'genpass']).stdout.toString().trim();
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.notEqual(a, b);
  assert.match(spawnSync(process.execPath, [TOOL, 'genpass', '5']).stdout.toString(), /^[0-9a-f]{2}\n$/);
  assert.equal(spawnSync(process.execPath, [TOOL, 'genpass', '0']).status, 2);
  assert.equal(spawnSync(process.execPath, [TOOL, 'genpass', '4097']).status, 2);
  assert.equal(spawnSync(process.execPath, [TOOL, 'genpass', 'x']).status, 2);
});
