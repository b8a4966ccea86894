// Each check on synthetic snapshots: the hardened baseline passes, one changed input fails.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HARDENED_USERS, HASH, audit, find, ids, snap } from './helpers.js';

test('the hardened baseline has no finding at or above low', () => {
  assert.deepEqual(ids(audit(snap())), []);
});

test('NET-BIND: wildcard addresses are high, loopback passes, private addresses are info', () => {
  assert.equal(find(audit(snap({ bind: '* -::*' })), 'NET-BIND')?.severity, 'high');
  assert.equal(find(audit(snap({ bind: '0.0.0.0' })), 'NET-BIND')?.severity, 'high');
  assert.equal(find(audit(snap({ bind: '10.0.1.5 127.0.0.1' })), 'NET-BIND')?.severity, 'info');
  assert.equal(find(audit(snap()), 'NET-BIND'), undefined);
});

test('NET-PROTECTED-MODE: off is medium, high when the default user needs no password', () => {
  assert.equal(find(audit(snap({ 'protected-mode': 'no' })), 'NET-PROTECTED-MODE')?.severity, 'medium');
  const open = snap({ 'protected-mode': 'no' }, [['default', 'on nopass ~* &* +@all']]);
  assert.equal(find(audit(open), 'NET-PROTECTED-MODE')?.severity, 'high');
  assert.equal(find(audit(snap()), 'NET-PROTECTED-MODE'), undefined);
});

test('AUTH-NONE: an enabled nopass user is critical; a disabled one is not', () => {
  const f = find(audit(snap({}, [['default', 'on nopass ~* &* +@all']])), 'AUTH-NONE');
  assert.equal(f?.severity, 'critical');
  assert.equal(find(audit(snap({}, [['default', 'off nopass ~* &* +@all']])), 'AUTH-NONE'), undefined);
});

test('ACL-DEFAULT-USER: enabled with a password is reported, off passes', () => {
  const users: [string, string][] = [['default', `on ${HASH('x')} ~* &* +@all`]];
  assert.equal(find(audit(snap({}, users)), 'ACL-DEFAULT-USER')?.severity, 'medium');
  const limited: [string, string][] = [['default', `on ${HASH('x')} ~* +get`]];
  assert.equal(find(audit(snap({}, limited)), 'ACL-DEFAULT-USER')?.severity, 'low');
  assert.equal(find(audit(snap()), 'ACL-DEFAULT-USER'), undefined);
});

test('ACL-DANGEROUS: +@all without -@dangerous on a second user is medium (and two admins)', () => {
  const users: [string, string][] = [...HARDENED_USERS, ['ops', `on ${HASH('o')} ~* +@all -flushall`]];
  const f = audit(snap({}, users));
  const ops = f.find((x) => x.id === 'ACL-DANGEROUS' && x.seen.includes('ops'));
  assert.equal(ops?.severity, 'medium');
  const two: [string, string][] = [...HARDENED_USERS, ['root2', `on ${HASH('r')} ~* &* +@all`]];
  assert.equal(find(audit(snap({}, two)), 'ACL-ADMINS')?.severity, 'medium');
});

test('ACL-DANGEROUS: +@dangerous granted to a non-admin is medium; single grants are info', () => {
  const users: [string, string][] = [...HARDENED_USERS, ['svc', `on ${HASH('s')} ~* -@all +@read +@dangerous`]];
  const f = audit(snap({}, users)).filter((x) => x.id === 'ACL-DANGEROUS');
  assert.equal(f.find((x) => x.seen.includes('svc'))?.severity, 'medium');
  const mon = f.find((x) => x.seen.includes('monitor'));
  assert.equal(mon?.severity, 'info');
  assert.match(mon!.seen, /info/);
  assert.equal(
    f.find((x) => x.seen.includes('user app ')),
    undefined,
  );
  assert.equal(f.find((x) => x.seen.includes('admin'))?.severity, 'info');
});

test('ACL-DANGEROUS is decided by command ids: a selector granting +@all is seen', () => {
  const users: [string, string][] = [...HARDENED_USERS, ['sneaky', `on ${HASH('s')} ~x -@all +get (~* +@dangerous)`]];
  const f = audit(snap({}, users)).find((x) => x.id === 'ACL-DANGEROUS' && x.seen.includes('sneaky'));
  assert.equal(f?.severity, 'medium');
});

test('ACL-PASSWORD-PLAINTEXT and ACL-PASSWORD-WEAK: >secret is both, and the text never appears', () => {
  const users: [string, string][] = [...HARDENED_USERS, ['bob', 'on >hunter2xyz ~* +get']];
  const f = audit(snap({}, users));
  assert.equal(find(f, 'ACL-PASSWORD-PLAINTEXT')?.severity, 'high');
  assert.equal(find(f, 'ACL-PASSWORD-WEAK')?.severity, 'high');
  assert.ok(!JSON.stringify(f).includes('hunter2xyz'));
  const strong: [string, string][] = [
    ...HARDENED_USERS,
    ['bob', 'on >9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 ~* +get'],
  ];
  const g = audit(snap({}, strong));
  assert.equal(find(g, 'ACL-PASSWORD-WEAK'), undefined);
  assert.equal(find(g, 'ACL-PASSWORD-PLAINTEXT')?.severity, 'high');
});

test('AUTH-REQUIREPASS is low and a short requirepass is weak', () => {
  const f = audit(snap({ requirepass: 'short' }));
  assert.equal(find(f, 'AUTH-REQUIREPASS')?.severity, 'low');
  assert.match(find(f, 'ACL-PASSWORD-WEAK')!.seen, /requirepass: 5 characters/);
  assert.equal(find(audit(snap()), 'AUTH-REQUIREPASS'), undefined);
});

test('ACL-FILE: no aclfile is low; users in redis.conf are named', () => {
  assert.equal(find(audit(snap({ aclfile: '' })), 'ACL-FILE')?.severity, 'low');
  assert.equal(find(audit(snap()), 'ACL-FILE'), undefined);
});

test('ACL-LOG-AUTH-FAILURES: recent auth failures are medium, old ones info', () => {
  const entry = { reason: 'auth', username: 'admin', count: 3, ageSeconds: 60, clientInfo: '' };
  assert.equal(find(audit(snap({}, HARDENED_USERS, { aclLog: [entry] })), 'ACL-LOG-AUTH-FAILURES')?.severity, 'medium');
  const old = { ...entry, ageSeconds: 200000 };
  assert.equal(find(audit(snap({}, HARDENED_USERS, { aclLog: [old] })), 'ACL-LOG-AUTH-FAILURES')?.severity, 'info');
  const denied = { ...entry, reason: 'command' };
  assert.equal(find(audit(snap({}, HARDENED_USERS, { aclLog: [denied] })), 'ACL-LOG-AUTH-FAILURES'), undefined);
});

test('TLS-OFF and TLS-PLAINTEXT-PORT', () => {
  assert.equal(find(audit(snap({ 'tls-port': '0', port: '6379' })), 'TLS-OFF')?.severity, 'medium');
  assert.equal(find(audit(snap({ port: '6380' })), 'TLS-PLAINTEXT-PORT')?.severity, 'medium');
  assert.equal(find(audit(snap()), 'TLS-PLAINTEXT-PORT'), undefined);
});

test('TLS-PROTOCOLS: TLSv1/TLSv1.1 are high; unset (Redis default TLSv1.2+1.3) passes', () => {
  assert.equal(find(audit(snap({ 'tls-protocols': 'TLSv1 TLSv1.2' })), 'TLS-PROTOCOLS')?.severity, 'high');
  assert.equal(find(audit(snap({ 'tls-protocols': 'TLSv1.1' })), 'TLS-PROTOCOLS')?.severity, 'high');
  assert.equal(find(audit(snap({ 'tls-protocols': '' })), 'TLS-PROTOCOLS'), undefined);
});

test('TLS-CIPHERS: RC4, 3DES, NULL, EXPORT, aNULL and CBC-only lists are medium; exclusions are fine', () => {
  for (const c of [
    'RC4-SHA:ECDHE-RSA-AES128-GCM-SHA256',
    'DES-CBC3-SHA',
    'NULL-SHA256',
    'EXP-RC4-MD5',
    'aNULL',
    'AES128-SHA:AES256-SHA256',
  ]) {
    assert.equal(find(audit(snap({ 'tls-ciphers': c })), 'TLS-CIPHERS')?.severity, 'medium', c);
  }
  assert.equal(find(audit(snap({ 'tls-ciphers': 'HIGH:!aNULL:!MD5:!RC4' })), 'TLS-CIPHERS'), undefined);
  assert.equal(find(audit(snap({ 'tls-ciphers': '' })), 'TLS-CIPHERS'), undefined);
});

test('TLS-CLIENT-AUTH, TLS-PREFER-SERVER-CIPHERS, TLS-REPLICATION, TLS-CLUSTER', () => {
  assert.equal(find(audit(snap({ 'tls-auth-clients': 'no' })), 'TLS-CLIENT-AUTH')?.severity, 'medium');
  assert.equal(find(audit(snap({ 'tls-auth-clients': 'optional' })), 'TLS-CLIENT-AUTH')?.severity, 'low');
  assert.equal(find(audit(snap({ 'tls-prefer-server-ciphers': 'no' })), 'TLS-PREFER-SERVER-CIPHERS')?.severity, 'low');
  assert.equal(find(audit(snap({ 'tls-replication': 'no' })), 'TLS-REPLICATION')?.severity, 'low');
  assert.equal(
    find(audit(snap({ 'tls-replication': 'no', replicaof: '10.0.0.1 6379' })), 'TLS-REPLICATION')?.severity,
    'medium',
  );
  assert.equal(find(audit(snap({ 'cluster-enabled': 'yes', 'tls-cluster': 'no' })), 'TLS-CLUSTER')?.severity, 'medium');
  assert.equal(find(audit(snap({ 'tls-cluster': 'no' })), 'TLS-CLUSTER'), undefined);
});

test('TLS-CERT-EXPIRY: expired is critical, soon is medium, far is fine', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const cert = (days: number) => ({
    source: '/x/server.crt',
    subject: 'CN=localhost',
    notAfter: new Date(now.getTime() + days * 86400000),
  });
  assert.equal(
    find(audit(snap({}, HARDENED_USERS, { certs: [cert(-1)] }), now), 'TLS-CERT-EXPIRY')?.severity,
    'critical',
  );
  assert.equal(
    find(audit(snap({}, HARDENED_USERS, { certs: [cert(20)] }), now), 'TLS-CERT-EXPIRY')?.severity,
    'medium',
  );
  assert.equal(find(audit(snap({}, HARDENED_USERS, { certs: [cert(300)] }), now), 'TLS-CERT-EXPIRY'), undefined);
});

test('FILE-KEY-PERMS, FILE-KEY-OWNER, FILE-CONFIG-PERMS', () => {
  const key = '/etc/redoubt/server.key';
  const files = (mode: number, uid: number) =>
    new Map([
      [key, { path: key, mode, uid, gid: 0 }],
      ['/etc/redoubt/users.acl', { path: '/etc/redoubt/users.acl', mode: 0o644, uid: 999, gid: 0 }],
    ]);
  const s = snap({ 'tls-key-file': key }, HARDENED_USERS, { files: files(0o644, 0), processUid: 999 });
  const f = audit(s);
  assert.equal(find(f, 'FILE-KEY-PERMS')?.severity, 'high');
  assert.equal(find(f, 'FILE-KEY-OWNER')?.severity, 'medium');
  assert.equal(find(f, 'FILE-CONFIG-PERMS')?.severity, 'medium');
  const ok = snap({ 'tls-key-file': key }, HARDENED_USERS, { files: files(0o400, 999), processUid: 999 });
  assert.deepEqual(
    ids(audit(ok)).filter((i) => i.startsWith('FILE-KEY')),
    [],
  );
});

test('FILE-CONFIG-PERMS: group write is low, 0600 passes', () => {
  const conf = '/etc/redoubt/redoubt.conf';
  const mk = (mode: number) =>
    snap({}, HARDENED_USERS, { configFile: conf, files: new Map([[conf, { path: conf, mode, uid: 0, gid: 0 }]]) });
  assert.equal(find(audit(mk(0o660)), 'FILE-CONFIG-PERMS')?.severity, 'low');
  assert.equal(find(audit(mk(0o600)), 'FILE-CONFIG-PERMS'), undefined);
});

test('PROC-ROOT, MEM-MAXMEMORY, LOG-FILE, PROTECTED-CONFIGS', () => {
  assert.equal(find(audit(snap({}, HARDENED_USERS, { processUid: 0 })), 'PROC-ROOT')?.severity, 'high');
  assert.equal(find(audit(snap({}, HARDENED_USERS, { processUid: 65534 })), 'PROC-ROOT'), undefined);
  assert.equal(find(audit(snap({ maxmemory: '0' })), 'MEM-MAXMEMORY')?.severity, 'medium');
  assert.equal(find(audit(snap({ logfile: '' })), 'LOG-FILE')?.severity, 'low');
  assert.equal(find(audit(snap({ logfile: '', 'syslog-enabled': 'yes' })), 'LOG-FILE'), undefined);
  assert.equal(find(audit(snap({ 'enable-debug-command': 'yes' })), 'PROTECTED-CONFIGS')?.severity, 'medium');
  assert.equal(find(audit(snap({ 'enable-protected-configs': 'local' })), 'PROTECTED-CONFIGS')?.severity, 'low');
});

test('CMD-DANGEROUS-AVAILABLE: kept for the admin is info; reachable by another user is medium', () => {
  const f = audit(snap());
  const c = f.filter((x) => x.id === 'CMD-DANGEROUS-AVAILABLE');
  assert.deepEqual(
    c.map((x) => x.severity),
    ['info'],
  );
  assert.match(c[0]!.seen, /CONFIG, SHUTDOWN/);
  const users: [string, string][] = [...HARDENED_USERS, ['ops', `on ${HASH('o')} ~* -@all +get +flushdb`]];
  const noRename = snap({}, users, { renames: [] });
  const m = find(audit(noRename), 'CMD-DANGEROUS-AVAILABLE');
  assert.equal(m?.severity, 'medium');
  assert.match(m!.seen, /FLUSHDB \(ops\)/);
});

test('CMD-DANGEROUS-AVAILABLE: a command missing from COMMAND LIST counts as removed', () => {
  const users: [string, string][] = [['default', 'on nopass ~* &* +@all']];
  const list = new Set(['get', 'config', 'shutdown', 'debug']);
  const f = find(
    audit(snap({ 'enable-debug-command': 'yes' }, users, { renames: null, commandList: list })),
    'CMD-DANGEROUS-AVAILABLE',
  );
  assert.match(f!.seen, /CONFIG/);
  assert.doesNotMatch(f!.seen, /FLUSHALL|FLUSHDB/);
});

test('REPL-MASTERAUTH and REPL-MASTERUSER on replicas', () => {
  assert.equal(find(audit(snap({ replicaof: '10.0.0.1 6379' })), 'REPL-MASTERAUTH')?.severity, 'medium');
  const f = audit(snap({ replicaof: '10.0.0.1 6379', masterauth: 'x'.repeat(8) }));
  assert.equal(find(f, 'REPL-MASTERUSER')?.severity, 'low');
  assert.match(find(f, 'ACL-PASSWORD-WEAK')!.seen, /masterauth/);
  assert.equal(find(audit(snap()), 'REPL-MASTERAUTH'), undefined);
});

test('CLUSTER-NODES: an even or small cluster is medium', () => {
  const info = (n: string) =>
    new Map([
      ['cluster_enabled', '1'],
      ['cluster_size', n],
    ]);
  assert.equal(find(audit(snap({}, HARDENED_USERS, { info: info('2') })), 'CLUSTER-NODES')?.severity, 'medium');
  assert.equal(find(audit(snap({}, HARDENED_USERS, { info: info('3') })), 'CLUSTER-NODES'), undefined);
});

test('unknown users: user checks are skipped, the command check says it cannot tell', () => {
  const f = audit(snap({}, null, { renames: [] }));
  assert.equal(find(f, 'AUTH-NONE'), undefined);
  assert.equal(find(f, 'CMD-DANGEROUS-AVAILABLE')?.severity, 'info');
});
