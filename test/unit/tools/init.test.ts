// Unit tests of `redoubt init`'s parts: the roles compile in Redoubt's own ACL engine, the
// certificates chain to the CA with the right names and usages, and config arguments quote.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { stageUser } from '../../../src/acl/rules.js';
import { ROLES, aclFileText, parseUsers, roleRules } from '../../../src/tools/init/roles.js';
import { issue, makeCa } from '../../../src/tools/init/pki.js';
import { confArg } from '../../../src/tools/init/conf.js';
import { parseOwner } from '../../../src/tools/init/owner.js';

test('parseUsers: bare role names, name=role, and errors', () => {
  assert.deepEqual(parseUsers('app,orders=app'), [
    { name: 'app', role: 'app' },
    { name: 'orders', role: 'app' },
  ]);
  assert.match(parseUsers('bob') as string, /unknown role 'bob'/);
  assert.match(parseUsers('app,app') as string, /given twice/);
  assert.match(parseUsers('default=admin') as string, /default/);
  assert.match(parseUsers('a b=app') as string, /invalid user name/);
  assert.equal(parseUsers(' , '), 'no users given');
});

test('every role compiles in the ACL engine', () => {
  for (const role of ROLES) {
    const r = stageUser(undefined, 'u', roleRules({ name: 'u', role }).split(' '), false);
    assert.ok(r.ok, `${role}: ${r.ok ? '' : r.error}`);
  }
});

test('the ACL file switches the default user off and stores only hashes', () => {
  const text = aclFileText(parseUsers('app,admin') as never, (n) => n.padEnd(64, '0'));
  const lines = text.trim().split('\n');
  assert.match(lines[0]!, /^user default off /);
  assert.equal(lines[1], `user app on #${'app'.padEnd(64, '0')} ~app:* &app:* +@all -@dangerous`);
  assert.equal(lines.length, 3);
});

test('certificates chain to the CA with names and usages', () => {
  const ca = makeCa('Test CA', 10);
  const srv = issue(ca, 'localhost', 'server', 5, ['localhost', '127.0.0.1', '::1']);
  const cli = issue(ca, 'app', 'client', 5);
  const caX = new X509Certificate(ca.pair.certPem);
  const srvX = new X509Certificate(srv.certPem);
  const cliX = new X509Certificate(cli.certPem);
  assert.ok(caX.ca);
  assert.ok(!srvX.ca);
  assert.ok(srvX.verify(caX.publicKey));
  assert.ok(cliX.verify(caX.publicKey));
  assert.ok(srvX.checkIssued(caX));
  assert.equal(srvX.checkHost('localhost'), 'localhost');
  assert.equal(srvX.checkIP('127.0.0.1'), '127.0.0.1');
  assert.equal(srvX.checkIP('::1'), '::1');
  assert.equal(srvX.checkIP('10.0.0.1'), undefined);
  assert.match(cliX.subject, /CN=app/);
  assert.deepEqual(cliX.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  assert.deepEqual(srvX.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  assert.ok(srvX.checkPrivateKey(createPrivateKey(srv.keyPem)));
  const days = (Date.parse(srvX.validTo) - Date.now()) / 86_400_000;
  assert.ok(days > 4.9 && days <= 5, `validity ${days}`);
  assert.notEqual(srvX.serialNumber, cliX.serialNumber);
});

test('confArg leaves plain values bare and quotes the rest', () => {
  assert.equal(confArg('/var/lib/redoubt'), '/var/lib/redoubt');
  assert.equal(confArg('/a dir/x'), '"/a dir/x"');
  assert.equal(confArg('a"b\\c'), '"a\\"b\\\\c"');
});

test('parseOwner resolves names and numbers', () => {
  assert.deepEqual(parseOwner('0'), { uid: 0, gid: 0 });
  assert.deepEqual(parseOwner('root'), { uid: 0, gid: 0 });
  assert.deepEqual(parseOwner('12:34'), { uid: 12, gid: 34 });
  assert.match(parseOwner('no-such-user-xyz') as string, /unknown user/);
});
