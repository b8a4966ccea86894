// TlsManager: building, atomic swaps, the auto-reload state machine and expiry figures.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { ConfigStore, lookupConfig } from '../../../src/config/store.js';
import { Server } from '../../../src/server/server.js';
import { TlsManager, TLS_UPDATE_ERR } from '../../../src/net/tls.js';
import { makePki } from '../../support/tls.js';

const pki = makePki();
after(() => pki.cleanup());

const lookup = (name: string) => lookupConfig(name)!;

function manager(): { server: Server; tm: TlsManager } {
  copyFileSync(pki.file('server.crt'), pki.file('m.crt'));
  copyFileSync(pki.file('server.key'), pki.file('m.key'));
  const cfg = new ConfigStore({ chdirOnDir: false });
  for (const [k, v] of [
    ['tls-port', '22899'],
    ['tls-cert-file', pki.file('m.crt')],
    ['tls-key-file', pki.file('m.key')],
    ['tls-ca-cert-file', pki.file('ca.crt')],
  ]) {
    assert.equal(cfg.setInitial(k!, [v!]), null);
  }
  const server = new Server(cfg);
  server.log.silent = true;
  return { server, tm: new TlsManager(server) };
}

test('configure builds once the configs are complete; expiry figures follow the certificate', () => {
  const { tm } = manager();
  assert.equal(tm.configured, false);
  assert.equal(tm.configure(), true);
  assert.equal(tm.configured, true);
  const days = tm.daysLeft()!;
  assert.ok(days >= 28 && days <= 30, `days ${days}`);
  assert.equal(tm.daysLeft(tm.certExpiry + 86400 * 1000 * 2), -2);
  assert.match(tm.certSubject, /CN=localhost/);
});

test('CONFIG SET of a context config: refused with Redis error, old values restored', () => {
  const { server, tm } = manager();
  tm.configure();
  const err = server.config.setMany([[lookup('tls-key-file'), pki.file('client.key')]]);
  assert.equal(err, `CONFIG SET failed (possibly related to argument 'tls-key-file') - ${TLS_UPDATE_ERR}`);
  assert.equal(server.config.str('tls-key-file'), pki.file('m.key'));
  assert.equal(server.config.setMany([[lookup('tls-protocols'), 'TLSv1.3']]), null);
});

test('auto reload: unchanged, settling, a failed half pair, then the full pair', () => {
  const { tm } = manager();
  tm.configure();
  assert.equal(tm.poll(), 'unchanged');
  pki.issue('m2', '/CN=localhost', { san: 'DNS:localhost' });
  copyFileSync(pki.file('m2.crt'), pki.file('m.crt'));
  assert.equal(tm.poll(), 'settling', 'a change is only loaded once it is stable');
  assert.equal(tm.poll(), 'failed', 'the new certificate does not match the old key');
  assert.equal(tm.poll(), 'unchanged', 'the failed contents are not retried');
  copyFileSync(pki.file('m2.key'), pki.file('m.key'));
  assert.equal(tm.poll(), 'settling');
  assert.equal(tm.poll(), 'reloaded');
  assert.equal(tm.poll(), 'unchanged');
  assert.equal(tm.stats.reloads, 1);
  assert.equal(tm.stats.reloadFailures, 1);
});
