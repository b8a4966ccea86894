// The session cache: bounded by tls-session-cache-size, entries expire after
// tls-session-cache-timeout, nothing kept while tls-session-caching is off, and no TLS 1.3
// sessions (which cannot be resumed by ID), told apart in real sessions from a Node server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { ConfigStore } from '../../../src/config/store.js';
import { SessionCache, sessionVersion } from '../../../src/net/tls-sessions.js';
import { makePki, type Pki } from '../../support/tls.js';

const id = (n: number): Buffer => Buffer.from([n]);

test('oldest sessions are evicted beyond the size; a stored one is found again', () => {
  const cfg = new ConfigStore({ chdirOnDir: false });
  assert.equal(cfg.setInitial('tls-session-cache-size', ['2']), null);
  const c = new SessionCache(cfg);
  c.store(id(1), Buffer.from('a'), 0);
  c.store(id(2), Buffer.from('b'), 0);
  c.store(id(3), Buffer.from('c'), 0);
  assert.equal(c.size, 2);
  assert.equal(c.lookup(id(1), 0), null);
  assert.deepEqual(c.lookup(id(3), 0), Buffer.from('c'));
});

test('entries expire after the timeout; caching off keeps and finds nothing', () => {
  const cfg = new ConfigStore({ chdirOnDir: false });
  assert.equal(cfg.setInitial('tls-session-cache-timeout', ['10']), null);
  const c = new SessionCache(cfg);
  c.store(id(1), Buffer.from('a'), 0);
  assert.deepEqual(c.lookup(id(1), 10_000), Buffer.from('a'));
  assert.equal(c.lookup(id(1), 10_001), null);
  assert.equal(cfg.setInitial('tls-session-caching', ['no']), null);
  c.store(id(2), Buffer.from('b'), 0);
  assert.equal(c.size, 0);
});

/** The sessions a real Node TLS server reports (its 'newSession' data) for one handshake. */
function sessionsOf(pki: Pki, version: tls.SecureVersion): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const seen: Buffer[] = [];
    const srv = tls.createServer({ key: pki.read('server.key'), cert: pki.read('server.crt') }, (s) => s.end('x'));
    srv.on('newSession', (_id: Buffer, data: Buffer, done: () => void) => {
      seen.push(data);
      done();
    });
    srv.listen(0, '127.0.0.1', () => {
      const c = tls.connect({
        port: (srv.address() as AddressInfo).port,
        host: '127.0.0.1',
        ca: pki.read('ca.crt'),
        servername: 'localhost',
        minVersion: version,
        maxVersion: version,
        // Without tickets a TLS 1.2 server hands out a session ID, the case the cache is for.
        secureOptions: constants.SSL_OP_NO_TICKET,
      });
      c.on('data', () => {});
      c.on('error', reject);
      c.on('close', () => srv.close(() => resolve(seen)));
    });
  });
}

test('sessions of TLS 1.3 handshakes are not kept, TLS 1.2 session-ID ones are', async () => {
  const pki = makePki();
  try {
    const v13 = await sessionsOf(pki, 'TLSv1.3');
    const v12 = await sessionsOf(pki, 'TLSv1.2');
    assert.ok(v13.length > 0 && v12.length > 0, `${v13.length} and ${v12.length} sessions reported`);
    assert.deepEqual(
      [...v13, ...v12].map((d) => sessionVersion(d)),
      [...v13.map(() => 0x0304), ...v12.map(() => 0x0303)],
    );
    const c = new SessionCache(new ConfigStore({ chdirOnDir: false }));
    v13.forEach((d, i) => c.store(id(i), d, 0));
    assert.equal(c.size, 0);
    v12.forEach((d, i) => c.store(id(100 + i), d, 0));
    assert.equal(c.size, v12.length);
    assert.deepEqual(c.lookup(id(100), 0), v12[0]);
  } finally {
    pki.cleanup();
  }
});

test('sessionVersion refuses bytes that are not a DER session', () => {
  for (const b of ['', '30', '3003020101', '300702010102010304', 'zz']) {
    assert.equal(sessionVersion(Buffer.from(b, 'hex')), -1, b);
  }
  assert.equal(sessionVersion(Buffer.from('3008020101020203040400', 'hex')), 0x0304);
});
