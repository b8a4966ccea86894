// tls-* configs → Node secure-context options, with Redis's checks and log texts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { constants as C } from 'node:crypto';
import { writeFileSync, copyFileSync } from 'node:fs';
import tls from 'node:tls';
import {
  buildOptions,
  cipherString,
  filesFingerprint,
  parseProtocols,
  protocolRange,
  PROTO,
  PROTO_DEFAULT,
  type TlsSettings,
} from '../../../src/net/tls-options.js';
import { makePki } from '../../support/tls.js';

const pki = makePki();
after(() => pki.cleanup());

function settings(over: Partial<TlsSettings> = {}): TlsSettings {
  return {
    certFile: pki.file('server.crt'),
    keyFile: pki.file('server.key'),
    keyPass: '',
    clientCertFile: '',
    clientKeyFile: '',
    clientKeyPass: '',
    dhFile: '',
    caFile: pki.file('ca.crt'),
    caDir: '',
    crlFile: '',
    protocols: '',
    ciphers: '',
    ciphersuites: '',
    preferServer: false,
    sessionCaching: true,
    sessionTimeout: 300,
    authClients: 'yes',
    cluster: false,
    replication: false,
    ...over,
  };
}

test('tls-protocols: names are case-insensitive, unset means TLS 1.2 + 1.3, unknown names fail', () => {
  assert.equal(parseProtocols(''), PROTO_DEFAULT);
  assert.equal(parseProtocols('tlsv1.2 TLSv1.3'), PROTO['TLSv1.2'] | PROTO['TLSv1.3']);
  assert.equal(parseProtocols('TLSv1'), PROTO.TLSv1);
  assert.throws(() => parseProtocols('SSLv3'), /Invalid tls-protocols specified/);
  assert.throws(
    () => parseProtocols('TLSv1.2  TLSv1.3'),
    /Invalid tls-protocols/,
    'split on single spaces, like sdssplitlen',
  );
});

test('a protocol set becomes a min/max range with gaps switched off', () => {
  assert.deepEqual(protocolRange(PROTO_DEFAULT), { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', off: 0 });
  assert.deepEqual(protocolRange(PROTO.TLSv1 | PROTO['TLSv1.2']), {
    minVersion: 'TLSv1',
    maxVersion: 'TLSv1.2',
    off: C.SSL_OP_NO_TLSv1_1,
  });
  assert.throws(() => protocolRange(0));
});

test('ciphers: OpenSSL defaults when unset, suites must be TLS 1.3 names', () => {
  assert.match(cipherString('', ''), /^TLS_AES_256_GCM_SHA384:.*:DEFAULT$/);
  assert.equal(cipherString('HIGH', 'TLS_AES_128_GCM_SHA256'), 'TLS_AES_128_GCM_SHA256:HIGH');
  assert.throws(() => cipherString('', 'AES128-SHA'), /Failed to configure ciphersuites/);
});

test("tlsConfigure's checks, in Redis's order and words", () => {
  assert.throws(() => buildOptions(settings({ certFile: '' })), /^Error: No tls-cert-file configured!$/);
  assert.throws(() => buildOptions(settings({ keyFile: '' })), /No tls-key-file configured!/);
  assert.throws(
    () => buildOptions(settings({ caFile: '' })),
    /Either tls-ca-cert-file or tls-ca-cert-dir must be specified/,
  );
  assert.doesNotThrow(() => buildOptions(settings({ caFile: '', authClients: 'no' })));
  assert.throws(
    () => buildOptions(settings({ caFile: '', authClients: 'no', replication: true })),
    /Either tls-ca-cert-file/,
  );
  assert.throws(
    () => buildOptions(settings({ certFile: pki.file('missing.crt') })),
    /Failed to load certificate: .*missing\.crt: ENOENT/,
  );
});

test('the built options make a working context; flags follow the settings', () => {
  const b = buildOptions(settings({ preferServer: true, sessionCaching: false, protocols: 'TLSv1.3' }));
  assert.doesNotThrow(() => tls.createSecureContext(b.server));
  const opts = b.server.secureOptions!;
  assert.ok(opts & C.SSL_OP_CIPHER_SERVER_PREFERENCE);
  assert.ok(opts & C.SSL_OP_NO_TICKET);
  assert.equal(b.server.minVersion, 'TLSv1.3');
  assert.equal(b.server.sessionIdContext, 'redis');
  // Mismatched pair and a wrong passphrase fail when the context is created.
  assert.throws(
    () => tls.createSecureContext(buildOptions(settings({ keyFile: pki.file('client.key') })).server),
    /key values mismatch/,
  );
  assert.throws(() =>
    tls.createSecureContext(buildOptions(settings({ keyFile: pki.file('server-enc.key'), keyPass: 'bad' })).server),
  );
  assert.doesNotThrow(() =>
    tls.createSecureContext(buildOptions(settings({ keyFile: pki.file('server-enc.key'), keyPass: 's3cret' })).server),
  );
});

test('the client side uses tls-client-* when both are set, else the server pair', () => {
  const same = buildOptions(settings());
  assert.equal(same.client.cert, same.server.cert);
  const own = buildOptions(settings({ clientCertFile: pki.file('client.crt'), clientKeyFile: pki.file('client.key') }));
  assert.deepEqual(own.client.cert, pki.read('client.crt'));
});

test('fingerprint: equal for unchanged files, different when one changes', () => {
  copyFileSync(pki.file('server.crt'), pki.file('fp.crt'));
  const s = settings({ certFile: pki.file('fp.crt') });
  const a = filesFingerprint(s);
  assert.equal(filesFingerprint(s), a);
  writeFileSync(pki.file('fp.crt'), pki.read('client.crt'));
  assert.notEqual(filesFingerprint(s), a);
  assert.equal(buildOptions(s).fingerprint, filesFingerprint(s));
});

test('a CA directory supplies certificates and CRLs', () => {
  const b = buildOptions(settings({ caFile: '', caDir: pki.dir }));
  assert.ok(Array.isArray(b.server.ca) && b.server.ca.length >= 2, 'ca.crt and ca2.crt among others');
  assert.ok(Array.isArray(b.server.crl) && b.server.crl.length >= 1, 'crl.pem');
});
