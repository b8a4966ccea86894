// The config-file source: the server's loader reads the file; users, renames, tolerated
// audit-* lines and file facts end up in the snapshot.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readConfigSource, SourceError } from '../../../../src/tools/audit/config-source.js';
import { audit, find } from './helpers.js';

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'redoubt-audit-unit-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('quotes, includes, rename-command, user lines and audit-* lines load like the server', () => {
  withDir((dir) => {
    const inc = path.join(dir, 'inc.conf');
    writeFileSync(inc, 'maxmemory 100mb\n');
    const conf = path.join(dir, 'r.conf');
    writeFileSync(
      conf,
      [
        'bind 127.0.0.1 -::1',
        `include ${inc}`,
        'tls-protocols "TLSv1.2 TLSv1.3"',
        'rename-command FLUSHALL ""',
        'rename-command CONFIG cfg_2b7e',
        'requirepass "p w"',
        'user carol on >plainpw ~* +get',
        `logfile ${path.join(dir, 'never-created.log')}`,
        `audit-log ${path.join(dir, 'audit.log')}`,
        'audit-events all',
        '',
      ].join('\n'),
    );
    chmodSync(conf, 0o600);
    const s = readConfigSource(conf);
    assert.equal(s.config!.get('maxmemory'), '104857600');
    assert.equal(s.config!.get('tls-protocols'), 'TLSv1.2 TLSv1.3');
    assert.deepEqual(s.renames, [
      ['FLUSHALL', ''],
      ['CONFIG', 'cfg_2b7e'],
    ]);
    assert.equal(s.config!.get('logfile'), path.join(dir, 'never-created.log'));
    assert.equal(s.files.get(path.join(dir, 'never-created.log')), 'missing', 'the audit does not create the log file');
    const carol = s.users!.find((u) => u.name === 'carol')!;
    assert.deepEqual(carol.plaintext, ['plainpw']);
    const def = s.users!.find((u) => u.name === 'default')!;
    assert.ok(
      def.rules.some((r) => r.startsWith('#')),
      'requirepass becomes the default user password, hashed',
    );
    const f = audit(s);
    assert.equal(find(f, 'ACL-PASSWORD-PLAINTEXT')?.severity, 'high');
    assert.match(find(f, 'ACL-FILE')!.seen, /carol/);
    assert.ok(!JSON.stringify(f).includes('plainpw'));
    assert.ok(!JSON.stringify(f).includes('"p w"'));
  });
});

test('an aclfile replaces the users; a missing default user is the server default', () => {
  withDir((dir) => {
    const acl = path.join(dir, 'users.acl');
    writeFileSync(acl, 'user app on #' + 'a'.repeat(64) + ' ~app:* +@all -@dangerous\n');
    const conf = path.join(dir, 'r.conf');
    writeFileSync(conf, `aclfile ${acl}\n`);
    const s = readConfigSource(conf);
    assert.deepEqual(
      s.users!.map((u) => u.name),
      ['default', 'app'],
    );
    assert.equal(find(audit(s), 'AUTH-NONE')?.severity, 'critical');
  });
});

test('a bad line is a SourceError with one line of text', () => {
  withDir((dir) => {
    const conf = path.join(dir, 'r.conf');
    writeFileSync(conf, 'no-such-directive 1\n');
    assert.throws(
      () => readConfigSource(conf),
      (e: unknown) => e instanceof SourceError && !e.message.includes('\n') && /Bad directive/.test(e.message),
    );
  });
});
