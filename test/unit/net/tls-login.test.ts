// Certificate logins: which name a certificate gives, and which certificates are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PeerCertificate } from 'node:tls';
import { loginName, nameFromCN, nameFromURI, sanEntries } from '../../../src/net/tls-login.js';

const cert = (subject: Record<string, string | string[]>, san?: string): PeerCertificate =>
  ({ subject, subjectaltname: san }) as unknown as PeerCertificate;

test('CN: exactly one printable CN names the user', () => {
  assert.deepEqual(nameFromCN(cert({ CN: 'alice', O: 'x' })), { ok: true, name: 'alice' });
  assert.equal(nameFromCN(cert({ O: 'x' })), null);
  assert.equal(nameFromCN(cert({ CN: ['alice', 'admin'] }))?.ok, false);
  assert.equal(nameFromCN(cert({ CN: 'admin\u0000.evil' }))?.ok, false);
  assert.equal(nameFromCN(cert({ CN: 'admin\\00.evil' }))?.ok, false, "Node's escaped form");
  assert.equal(nameFromCN(cert({ CN: '' }))?.ok, false);
});

test('SAN URI: the single URI entry; quoted values and several URIs', () => {
  assert.deepEqual(sanEntries('DNS:a.b, URI:spiffe://x/alice, IP Address:1.2.3.4'), [
    ['DNS', 'a.b'],
    ['URI', 'spiffe://x/alice'],
    ['IP Address', '1.2.3.4'],
  ]);
  assert.deepEqual(sanEntries('URI:"a, b", DNS:c'), [
    ['URI', 'a, b'],
    ['DNS', 'c'],
  ]);
  assert.deepEqual(nameFromURI(cert({}, 'DNS:h, URI:spiffe://x/alice')), { ok: true, name: 'spiffe://x/alice' });
  assert.equal(nameFromURI(cert({}, 'DNS:h')), null);
  assert.equal(nameFromURI(cert({}, 'URI:a, URI:b'))?.ok, false);
  assert.equal(nameFromURI(cert({}, 'URI:"a\\u0000b"'))?.ok, false);
});

test('mode selects the source; off gives nobody', () => {
  const c = cert({ CN: 'alice' }, 'URI:bob');
  assert.deepEqual(loginName('cn', c), { ok: true, name: 'alice' });
  assert.deepEqual(loginName('uri', c), { ok: true, name: 'bob' });
  assert.equal(loginName('off', c), null);
});
