// TLS end to end: the built server with a PKI made on the fly, real clients (redis-cli --tls,
// ioredis, node-redis, openssl s_client, node:tls), mutual TLS, refused certificates, protocol
// and cipher restrictions, runtime CONFIG SET (atomic, old context kept on failure), port
// switching, automatic reload (a half-written pair is never loaded), rotation under load,
// certificate logins, INFO and CLIENT LIST fields. Ports 22890-22899.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { hasRedisCli, REDIS_CLI } from '../support/server.js';
import { makePki, spawnRedoubt, tlsPing, type Pki, type TlsServerProc } from '../support/tls.js';

const run = promisify(execFile);
const PLAIN = 22890;
const TLSP = 22891;
let pki: Pki;
let srv: TlsServerProc;

function tlsArgs(p: Pki): string[] {
  return [
    '--tls-cert-file',
    p.file('live.crt'),
    '--tls-key-file',
    p.file('live.key'),
    '--tls-ca-cert-file',
    p.file('ca.crt'),
  ];
}

const mtls = (name = 'client'): { ca: Buffer; cert: Buffer; key: Buffer } => ({
  ca: pki.read('ca.crt'),
  cert: pki.read(`${name}.crt`),
  key: pki.read(`${name}.key`),
});

function redis(opts: { port?: number; name?: string } = {}): Redis {
  return new Redis({
    host: '127.0.0.1',
    port: opts.port ?? TLSP,
    tls: { ...mtls(opts.name), servername: 'localhost' },
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
}

before(async () => {
  pki = makePki();
  // The server reads live.crt/live.key: tests replace them to rotate.
  copyFileSync(pki.file('server.crt'), pki.file('live.crt'));
  copyFileSync(pki.file('server.key'), pki.file('live.key'));
  srv = await spawnRedoubt([
    '--port',
    String(PLAIN),
    '--tls-port',
    String(TLSP),
    '--bind',
    '127.0.0.1',
    ...tlsArgs(pki),
  ]);
});

after(async () => {
  await srv?.stop();
  pki?.cleanup();
});

async function admin(): Promise<Redis> {
  const r = new Redis({ host: '127.0.0.1', port: PLAIN, lazyConnect: true, retryStrategy: () => null });
  await r.connect();
  return r;
}

test('mutual TLS: a client certificate signed by the CA is required by default', async () => {
  assert.equal((await tlsPing(TLSP, mtls())).reply, '+PONG');
  const none = await tlsPing(TLSP, { ca: pki.read('ca.crt') });
  assert.equal(none.ok, false, 'no client certificate');
  assert.equal((await tlsPing(TLSP, mtls('other'))).ok, false, 'certificate from another CA');
  assert.equal((await tlsPing(TLSP, mtls('expired'))).ok, false, 'expired certificate');
  // The client must verify the server too: an unrelated CA refuses it.
  const wrongCa = await tlsPing(TLSP, { ...mtls(), ca: pki.read('ca2.crt') });
  assert.equal(wrongCa.ok, false);
  assert.match(wrongCa.error ?? '', /self-signed|unable to (get|verify)/i);
});

test('a plaintext client on the TLS port gets nothing', async () => {
  const r = new Redis({
    host: '127.0.0.1',
    port: TLSP,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 2000,
    commandTimeout: 2000,
  });
  r.on('error', () => {});
  await assert.rejects(r.connect().then(() => r.ping()));
  r.disconnect();
});

test('redis-cli --tls, ioredis and node-redis (rediss:// and socket.tls)', { skip: !hasRedisCli() }, async () => {
  const cli = await run(REDIS_CLI, [
    '-p',
    String(TLSP),
    '--tls',
    '--cert',
    pki.file('client.crt'),
    '--key',
    pki.file('client.key'),
    '--cacert',
    pki.file('ca.crt'),
    'SET',
    'k',
    'v',
  ]);
  assert.equal(cli.stdout.trim(), 'OK');
  const io = redis();
  await io.connect();
  assert.equal(await io.get('k'), 'v');
  io.disconnect();
  const nr = createClient({
    url: `rediss://localhost:${TLSP}`,
    socket: { tls: true, ...mtls(), reconnectStrategy: false },
  });
  await nr.connect();
  assert.equal(await nr.get('k'), 'v');
  await nr.quit();
  const nr2 = createClient({
    socket: { host: '127.0.0.1', port: TLSP, tls: true, servername: 'localhost', ...mtls(), reconnectStrategy: false },
  });
  await nr2.connect();
  assert.equal(await nr2.ping(), 'PONG');
  await nr2.quit();
});

test('tls-auth-clients optional and no', async () => {
  const a = await admin();
  try {
    assert.equal(await a.config('SET', 'tls-auth-clients', 'optional'), 'OK');
    assert.equal((await tlsPing(TLSP, { ca: pki.read('ca.crt') })).reply, '+PONG', 'no certificate is fine');
    const io = new Redis({
      host: '127.0.0.1',
      port: TLSP,
      tls: { ca: pki.read('ca.crt'), servername: 'localhost' },
      lazyConnect: true,
      retryStrategy: () => null,
    });
    await io.connect();
    assert.equal(await io.ping(), 'PONG', 'ioredis without a client certificate');
    io.disconnect();
    assert.equal((await tlsPing(TLSP, mtls())).reply, '+PONG');
    assert.equal((await tlsPing(TLSP, mtls('other'))).ok, false, 'a certificate that is sent must verify');
    assert.equal(await a.config('SET', 'tls-auth-clients', 'no'), 'OK');
    assert.equal((await tlsPing(TLSP, mtls('other'))).reply, '+PONG', 'not checked at all');
  } finally {
    await a.config('SET', 'tls-auth-clients', 'yes');
    a.disconnect();
  }
});

test('tls-protocols "TLSv1.2 TLSv1.3" refuses TLS 1.1 (openssl s_client) and TLS 1.2-only works', async () => {
  const a = await admin();
  try {
    assert.equal(await a.config('SET', 'tls-protocols', 'TLSv1.2 TLSv1.3'), 'OK');
    const args = [
      's_client',
      '-connect',
      `127.0.0.1:${TLSP}`,
      '-CAfile',
      pki.file('ca.crt'),
      '-cert',
      pki.file('client.crt'),
      '-key',
      pki.file('client.key'),
    ];
    const old = await run('openssl', [...args, '-tls1_1'], { timeout: 5000 }).then(
      (r) => r.stdout,
      (e: { stdout?: string }) => `failed ${e.stdout ?? ''}`,
    );
    assert.match(old, /^failed/);
    assert.match(old, /Cipher is \(NONE\)/, 'no session was established');
    const r12 = await tlsPing(TLSP, { ...mtls(), maxVersion: 'TLSv1.2' });
    assert.equal(r12.reply, '+PONG');
    assert.equal(r12.protocol, 'TLSv1.2');
    assert.equal(await a.config('SET', 'tls-protocols', 'TLSv1.3'), 'OK');
    assert.equal((await tlsPing(TLSP, { ...mtls(), maxVersion: 'TLSv1.2' })).ok, false);
    await assert.rejects(a.config('SET', 'tls-protocols', 'SSLv3'), /Unable to update TLS configuration/);
  } finally {
    await a.config('SET', 'tls-protocols', '');
    a.disconnect();
  }
});

test('tls-ciphers restricts TLS 1.2 ciphers; tls-prefer-server-ciphers picks the server order', async () => {
  const a = await admin();
  try {
    await a.config(
      'SET',
      'tls-protocols',
      'TLSv1.2',
      'tls-ciphers',
      'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256',
    );
    const weak = await tlsPing(TLSP, { ...mtls(), ciphers: 'ECDHE-RSA-CHACHA20-POLY1305' });
    assert.equal(weak.ok, false);
    const both = 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384';
    assert.equal((await tlsPing(TLSP, { ...mtls(), ciphers: both })).cipher, 'ECDHE-RSA-AES128-GCM-SHA256');
    await a.config('SET', 'tls-prefer-server-ciphers', 'yes');
    assert.equal((await tlsPing(TLSP, { ...mtls(), ciphers: both })).cipher, 'ECDHE-RSA-AES256-GCM-SHA384');
  } finally {
    await a.config('SET', 'tls-protocols', '', 'tls-ciphers', '', 'tls-prefer-server-ciphers', 'no');
    a.disconnect();
  }
});

test('CONFIG SET: a bad certificate is refused with Redis error, atomically; the old context keeps serving', async () => {
  const a = await admin();
  const live = redis();
  await live.connect();
  try {
    const before = (await tlsPing(TLSP, mtls())).serial;
    await assert.rejects(
      a.config('SET', 'tls-cert-file', pki.file('nope.crt')),
      /^ReplyError: ERR CONFIG SET failed \(possibly related to argument 'tls-cert-file'\) - Unable to update TLS configuration\. Check server logs\.$/,
    );
    // Two at once: a new valid certificate with a key that does not match it.
    pki.issue('fresh', '/CN=localhost', { san: 'DNS:localhost,IP:127.0.0.1' });
    await assert.rejects(
      a.config('SET', 'tls-cert-file', pki.file('fresh.crt'), 'tls-key-file', pki.file('client.key')),
      /Unable to update TLS configuration/,
    );
    assert.deepEqual(await a.config('GET', 'tls-cert-file'), ['tls-cert-file', pki.file('live.crt')]);
    assert.deepEqual(await a.config('GET', 'tls-key-file'), ['tls-key-file', pki.file('live.key')]);
    await assert.rejects(a.config('SET', 'tls-key-file', pki.file('server-enc.key')), /Unable to update TLS/);
    const after = await tlsPing(TLSP, mtls());
    assert.equal(after.reply, '+PONG');
    assert.equal(after.serial, before, 'still the old certificate');
    assert.equal(await live.ping(), 'PONG', 'a live connection is untouched');
    assert.match(srv.output(), /Failed to load certificate: .*nope\.crt/);
    // The encrypted key works with its passphrase, given together.
    assert.equal(
      await a.config('SET', 'tls-key-file-pass', 's3cret', 'tls-key-file', pki.file('server-enc.key')),
      'OK',
    );
    assert.equal((await tlsPing(TLSP, mtls())).reply, '+PONG');
    assert.equal(await a.config('SET', 'tls-key-file', pki.file('live.key'), 'tls-key-file-pass', ''), 'OK');
  } finally {
    live.disconnect();
    a.disconnect();
  }
});

test('CONFIG SET port / tls-port re-listen; a busy port is refused and the old one keeps serving', async () => {
  const a = await admin();
  try {
    assert.equal(await a.config('SET', 'tls-port', '22892'), 'OK');
    assert.equal((await tlsPing(22892, mtls())).reply, '+PONG');
    assert.equal((await tlsPing(TLSP, mtls())).ok, false, 'the old TLS port is closed');
    await assert.rejects(a.config('SET', 'tls-port', String(PLAIN)), /Unable to listen on this port/);
    assert.equal((await tlsPing(22892, mtls())).reply, '+PONG', 'still on the previous port');
    assert.deepEqual(await a.config('GET', 'tls-port'), ['tls-port', '22892']);
    assert.equal(await a.config('SET', 'port', '22893'), 'OK');
    const b = new Redis({ host: '127.0.0.1', port: 22893, lazyConnect: true });
    await b.connect();
    assert.equal(await b.ping(), 'PONG');
    assert.equal(await a.ping(), 'PONG', 'the connection that moved the port stays');
    await b.config('SET', 'port', String(PLAIN), 'tls-port', String(TLSP));
    b.disconnect();
    assert.equal((await tlsPing(TLSP, mtls())).reply, '+PONG');
  } finally {
    a.disconnect();
  }
});

test('INFO and CLIENT LIST show TLS fields; plaintext clients show none', async () => {
  const io = redis();
  await io.connect();
  try {
    const info = (await io.info()) as string;
    assert.match(info, /tls_port:22891/);
    const days = Number(/tls_cert_days_left:(\d+)/.exec(info)?.[1]);
    assert.ok(days >= 28 && days <= 30, `days left ${days}`);
    assert.match(info, /connected_tls_clients:[1-9]/);
    assert.match(info, /tls_handshakes:\d+/);
    const me = (await io.client('INFO')) as string;
    assert.match(me, /resp=\d tls-protocol=TLSv1\.3 tls-cipher=TLS_\w+ tls-peer=CN=client,O=Redoubt%20Tests/);
    const a = await admin();
    assert.doesNotMatch((await a.client('INFO')) as string, /tls-/);
    a.disconnect();
  } finally {
    io.disconnect();
  }
  // Under 30 days: warned in the log at start.
  assert.match(srv.output(), /TLS server certificate expires in \d+ days/);
});

test('tls-crl-file refuses a revoked client certificate, reloadable with CONFIG SET', async () => {
  const a = await admin();
  try {
    assert.equal((await tlsPing(TLSP, mtls('revoked'))).reply, '+PONG');
    pki.revoke('revoked');
    assert.equal(await a.config('SET', 'tls-crl-file', pki.file('crl.pem')), 'OK');
    assert.equal((await tlsPing(TLSP, mtls('revoked'))).ok, false);
    assert.equal((await tlsPing(TLSP, mtls())).reply, '+PONG');
  } finally {
    await a.config('SET', 'tls-crl-file', '');
    a.disconnect();
  }
});

test('certificate logins: CN names a user; several CNs are refused', async () => {
  pki.issue('default-user', '/CN=default');
  pki.issue('nobody', '/CN=nobody');
  pki.issue('two-cns', '/CN=default/CN=admin');
  const a = await admin();
  try {
    await a.config('SET', 'tls-auth-clients-user', 'CN', 'requirepass', 'pw');
    assert.equal((await tlsPing(TLSP, mtls('default-user'))).reply, '+PONG', 'authenticated by its certificate');
    assert.match((await tlsPing(TLSP, mtls('nobody'))).reply ?? '', /^-NOAUTH/, 'no such user: not authenticated');
    assert.match((await tlsPing(TLSP, mtls())).reply ?? '', /^-NOAUTH/);
    assert.equal((await tlsPing(TLSP, mtls('two-cns'))).ok, false, 'connection refused');
    assert.match(srv.output(), /several CNs/);
    // ACL users: enabled ones log in, disabled ones do not; URI mode reads the SAN URI.
    await a.call('ACL', 'SETUSER', 'alice', 'on', '>x', '+@all', '~*');
    await a.call('ACL', 'SETUSER', 'bob', 'off', '>x', '+@all', '~*');
    await a.call('ACL', 'SETUSER', 'spiffe://redoubt/carol', 'on', '>x', '+acl', '+ping');
    pki.issue('alice', '/CN=alice');
    pki.issue('bob', '/CN=bob');
    pki.issue('carol', '/CN=alice', { san: 'URI:spiffe://redoubt/carol' });
    const alice = redis({ name: 'alice' });
    await alice.connect();
    assert.equal(await alice.call('ACL', 'WHOAMI'), 'alice');
    alice.disconnect();
    assert.match((await tlsPing(TLSP, mtls('bob'))).reply ?? '', /^-NOAUTH/, 'a disabled user is not logged in');
    await a.config('SET', 'tls-auth-clients-user', 'uri');
    const carol = redis({ name: 'carol' });
    await carol.connect();
    assert.equal(await carol.call('ACL', 'WHOAMI'), 'spiffe://redoubt/carol');
    carol.disconnect();
  } finally {
    await a.auth('pw');
    await a.config('SET', 'tls-auth-clients-user', 'off', 'requirepass', '');
    a.disconnect();
  }
});

test('auto reload: unchanged files do nothing, a half-written pair is not loaded, a full one is', async () => {
  const a = await admin();
  try {
    const before = (await tlsPing(TLSP, mtls())).serial;
    assert.equal(await a.config('SET', 'tls-auto-reload-interval', '1'), 'OK');
    pki.issue('next', '/CN=localhost', { san: 'DNS:localhost,IP:127.0.0.1' });
    // Only the certificate so far: it does not match the key on disk.
    copyFileSync(pki.file('next.crt'), pki.file('live.crt'));
    await srv.waitFor('could not be loaded', 8000);
    assert.equal((await tlsPing(TLSP, mtls())).serial, before, 'the old pair keeps serving');
    copyFileSync(pki.file('next.key'), pki.file('live.key'));
    await srv.waitFor('changed on disk: reloaded', 8000);
    const now = await tlsPing(TLSP, mtls());
    assert.equal(now.reply, '+PONG');
    assert.notEqual(now.serial, before);
    const info = (await a.info('stats')) as string;
    assert.match(info, /tls_reloads:1\r\n/);
    assert.match(info, /tls_reload_failures:1\r\n/);
  } finally {
    await a.config('SET', 'tls-auto-reload-interval', '0');
    a.disconnect();
  }
});

test('rotation under load loses no connection', async () => {
  const clients = await Promise.all(
    Array.from({ length: 8 }, async () => {
      const r = redis();
      await r.connect();
      return r;
    }),
  );
  const a = await admin();
  let stop = false;
  let ops = 0;
  const load = clients.map(async (r, i) => {
    while (!stop) {
      const res = await r.pipeline().set(`load:${i}`, String(ops)).get(`load:${i}`).exec();
      assert.equal(res?.[1]?.[0], null);
      ops++;
    }
  });
  try {
    const pairs: [string, string][] = [
      ['server.crt', 'server.key'],
      ['next.crt', 'next.key'],
    ];
    for (let round = 0; round < 6; round++) {
      const [crt, key] = pairs[round % 2]!;
      assert.equal(await a.config('SET', 'tls-cert-file', pki.file(crt), 'tls-key-file', pki.file(key)), 'OK');
      assert.equal((await tlsPing(TLSP, mtls())).reply, '+PONG', 'new connections get the new pair');
      // A bad one in between changes nothing.
      await assert.rejects(a.config('SET', 'tls-cert-file', pki.file(pairs[(round + 1) % 2]![0])), /Unable to update/);
    }
  } finally {
    stop = true;
    await Promise.all(load);
    for (const r of clients) {
      assert.equal(r.status, 'ready', 'no connection was lost');
      r.disconnect();
    }
    await a.config('SET', 'tls-cert-file', pki.file('live.crt'), 'tls-key-file', pki.file('live.key'));
    a.disconnect();
  }
  assert.ok(ops > 100, `ops ${ops}`);
});

test('the seed configuration works as written: TLS only, port 0 with a trailing comment', async () => {
  const conf = path.join(pki.dir, 'seed.conf');
  writeFileSync(
    conf,
    [
      'tls-port 22894  ',
      'port 0  # Disable plaintext port  ',
      `tls-cert-file ${pki.file('server.crt')}  `,
      `tls-key-file ${pki.file('server.key')}  `,
      `tls-ca-cert-file ${pki.file('ca.crt')}  `,
      'tls-auth-clients yes  # Enforce client certificate authentication (optional)  ',
      'tls-protocols "TLSv1.2 TLSv1.3"',
      'tls-ciphers "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256"',
      'tls-ciphersuites "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256"',
      'tls-prefer-server-ciphers yes',
      'bind 127.0.0.1',
      '',
    ].join('\n'),
  );
  const s2 = await spawnRedoubt([conf]);
  try {
    assert.equal((await tlsPing(22894, mtls())).reply, '+PONG');
    const r12 = await tlsPing(22894, { ...mtls(), maxVersion: 'TLSv1.2' });
    assert.equal(r12.cipher, 'ECDHE-RSA-AES256-GCM-SHA384');
    assert.doesNotMatch(s2.output(), /port=6379/);
  } finally {
    await s2.stop();
  }
});
