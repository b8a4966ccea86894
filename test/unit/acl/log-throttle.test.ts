import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AclLog } from '../../../src/acl/log.js';
import { AuthThrottle } from '../../../src/acl/throttle.js';
import { ConfigStore } from '../../../src/config/store.js';
import { lookupConfig } from '../../../src/config/store.js';

const ev = (object: string, ctime: number, reason: 'command' | 'key' = 'key') => ({
  reason,
  context: 'toplevel' as const,
  object,
  username: 'u',
  ctime,
  clientInfo: `at ${ctime}`,
});

test('ACL LOG groups equal events within 60 s, newest first, bounded by acllog-max-len', () => {
  const log = new AclLog();
  log.add(ev('a', 1000), 128);
  log.add(ev('b', 2000), 128);
  log.add(ev('a', 3000), 128);
  assert.equal(log.entries.length, 2);
  assert.equal(log.entries[0]!.object, 'a');
  assert.equal(log.entries[0]!.count, 2);
  assert.equal(log.entries[0]!.clientInfo, 'at 3000');
  assert.equal(log.entries[0]!.created, 1000);
  log.add(ev('a', 3000 + 61000), 128);
  assert.equal(log.entries.length, 3, 'older than 60 s: a new entry');
  log.add(ev('a', 64000, 'command'), 128);
  assert.equal(log.entries.length, 4, 'another reason: a new entry');
  log.add(ev('z', 70000), 2);
  assert.deepEqual(
    log.entries.map((e) => e.object),
    ['z', 'a'],
  );
  const ids = log.entries.map((e) => e.entryId);
  assert.ok(ids[0]! > ids[1]!);
});

test('AUTH throttle: off by default; blocks an address after N failures in the window', () => {
  const config = new ConfigStore({ chdirOnDir: false });
  const t = new AuthThrottle(config);
  for (let i = 0; i < 100; i++) t.failed('10.0.0.1:5000', 1000);
  assert.equal(t.blocked('10.0.0.1:5000', 1000), false);
  assert.equal(config.setMany([[lookupConfig('auth-failure-limit')!, '3']]), null);
  t.failed('10.0.0.1:1', 0);
  t.failed('10.0.0.1:2', 30000);
  assert.equal(t.blocked('10.0.0.1:3', 30000), false);
  t.failed('10.0.0.1:4', 59000);
  assert.equal(t.blocked('10.0.0.1:9', 59001), true, 'any port of the same host');
  assert.equal(t.blocked('10.0.0.2:9', 59001), false, 'other hosts are not affected');
  assert.equal(t.blocked('10.0.0.1:9', 59000 + 60001), false, 'the block ends');
  // Failures spread beyond the window do not add up.
  t.failed('10.0.0.3:1', 0);
  t.failed('10.0.0.3:1', 61000);
  t.failed('10.0.0.3:1', 122000);
  assert.equal(t.blocked('10.0.0.3:1', 122001), false);
});

test('ACL file: errors name the file and line; an unclosed selector is reported, not fatal', async () => {
  const { loadAclFile } = await import('../../../src/acl/file.js');
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'redoubt-aclfile-')), 'u.acl');
  writeFileSync(file, 'user a on\nuser b on (~x +get\n');
  assert.equal(
    loadAclFile(file, false),
    `${file}:2: Unmatched parenthesis in selector definition.WARNING: ACL errors detected, no change to the previously active ACL rules was performed`,
  );
  writeFileSync(file, 'user a on >x ~a* (~b +get)\r\n\r\nuser b\n');
  const ok = loadAclFile(file, false);
  assert.ok(typeof ok !== 'string');
  assert.deepEqual(
    ok.sorted().map((u) => u.name),
    ['a', 'b'],
  );
  assert.match(loadAclFile(path.join(file, 'nope'), false) as string, /^Error loading ACLs, opening file '.*': /);
});
