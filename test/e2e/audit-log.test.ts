// The audit log end to end: the built server with --audit-log, every event class produced by
// real connections (plaintext and TLS), the JSON lines parsed and checked, no password of the
// test anywhere in the file's bytes, a flood of failed AUTH kept to a bounded size while another
// client is served, SIGHUP reopening the file after a rename (logrotate), runtime CONFIG SET of
// the log (protected config), the stdout and syslog sinks. Ports 26101-26141.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RespClient } from '../support/resp-client.js';
import { makePki, spawnRedoubt, tlsPing, type Pki } from '../support/tls.js';

const PLAIN = 26101;
const TLSP = 26102;
const OPEN = 26111;
const FLOOD = 26121;
const HUP = 26131;
const SYSLOG = 26141;

const ADMIN_PW = 'Adm1n-Pw-7c2e';
/** Every secret the tests send; none may appear in an audit file. */
const SECRETS = [ADMIN_PW, 'Bob-Pw-41aa', 'Wrong-Pw-93b1', 'Hello-Pw-0d5f', 'Master-Pw-66c0', 'Typo-Pw-2b7e'];
const HASH = 'a'.repeat(63) + 'b';

let pki: Pki;
let dir: string;

before(() => {
  pki = makePki();
  dir = mkdtempSync(path.join(tmpdir(), 'redoubt-audit-e2e-'));
});

after(() => {
  pki?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

interface Event {
  ts: string;
  class: string;
  event: string;
  client: Record<string, unknown> | null;
  detail: Record<string, unknown>;
}

function events(file: string): Event[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Event);
}

/** Polls until cond holds (the log is written once per event-loop turn, asynchronously). */
async function until<T>(what: string, cond: () => T | undefined | false, ms = 10000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = cond();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function authed(port: number, user = 'default', pw = ADMIN_PW): Promise<RespClient> {
  const c = await RespClient.connect(port);
  assert.equal(await c.call('AUTH', user, pw), 'OK');
  return c;
}

const find = (ev: Event[], name: string, pred: (e: Event) => boolean = () => true): Event | undefined =>
  ev.find((e) => e.event === name && pred(e));

/** Connects from `from` (127.0.0.2 is loopback but not local to protected-mode) and reads until closed. */
function connectFrom(port: number, from: string): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress: from });
    let got = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => (got += d));
    s.on('close', () => resolve(got));
    s.on('error', () => {});
  });
}

test('every event class, with its fields, and no secret in the file', async () => {
  const file = path.join(dir, 'all.log');
  const srv = await spawnRedoubt([
    '--port',
    String(PLAIN),
    '--bind',
    '127.0.0.1',
    '--tls-port',
    String(TLSP),
    '--tls-cert-file',
    pki.file('server.crt'),
    '--tls-key-file',
    pki.file('server.key'),
    '--tls-ca-cert-file',
    pki.file('ca.crt'),
    '--tls-protocols',
    'TLSv1.3',
    '--tls-auth-clients-user',
    'cn',
    '--requirepass',
    ADMIN_PW,
    '--enable-debug-command',
    'yes',
    '--audit-log',
    file,
  ]);
  const open = await spawnRedoubt(['--port', String(OPEN), '--bind', '127.0.0.1', '--audit-log', file + '.open']);
  try {
    assert.equal(statSync(file).mode & 0o777, 0o640 & ~process.umask(), 'created 0640');
    // auth: failure (AUTH, HELLO AUTH), success.
    const anon = await RespClient.connect(PLAIN);
    assert.match(String(await anon.call('AUTH', 'default', 'Wrong-Pw-93b1')), /WRONGPASS/);
    assert.match(String(await anon.call('HELLO', '3', 'AUTH', 'nobody', 'Hello-Pw-0d5f')), /WRONGPASS/);
    anon.close();
    const admin = await authed(PLAIN);
    // acl: SETUSER with a password and a hash, and a failed one with a password typed without '>'.
    assert.equal(
      await admin.call('ACL', 'SETUSER', 'bob', 'on', '>Bob-Pw-41aa', `#${HASH}`, '~k:*', '&news', '+get', '+publish'),
      'OK',
    );
    assert.match(String(await admin.call('ACL', 'SETUSER', 'bob', 'Typo-Pw-2b7e')), /ERR/);
    // config: secret values redacted, other values shown; REWRITE without a config file fails.
    assert.equal(
      await admin.call('CONFIG', 'SET', 'requirepass', ADMIN_PW, 'masterauth', 'Master-Pw-66c0', 'maxmemory', '64mb'),
      'OK',
    );
    assert.equal(await admin.call('CONFIG', 'RESETSTAT'), 'OK');
    assert.ok((await admin.call('CONFIG', 'REWRITE')) instanceof Error);
    // denied: command, key, channel.
    const bob = await authed(PLAIN, 'bob', 'Bob-Pw-41aa');
    assert.match(String(await bob.call('SET', 'k:1', 'v')), /NOPERM/);
    assert.match(String(await bob.call('GET', 'secret-key')), /NOPERM/);
    assert.match(String(await bob.call('PUBLISH', 'private', 'm')), /NOPERM/);
    bob.close();
    // dangerous: FLUSHALL, FLUSHDB, DEBUG.
    assert.equal(await admin.call('FLUSHALL'), 'OK');
    assert.equal(await admin.call('FLUSHDB', 'ASYNC'), 'OK');
    assert.equal(await admin.call('DEBUG', 'SLEEP', '0'), 'OK');
    // tls: a certificate login for an unknown user, then for one that exists; then refusals.
    assert.equal((await tlsPing(TLSP, mtlsOpts('client'))).ok, true);
    assert.equal(await admin.call('ACL', 'SETUSER', 'client', 'on', 'nopass', '~*', '+@all'), 'OK');
    assert.equal((await tlsPing(TLSP, mtlsOpts('client'))).reply, '+PONG');
    assert.equal((await tlsPing(TLSP, { ca: pki.read('ca.crt') })).ok, false);
    assert.equal((await tlsPing(TLSP, mtlsOpts('other'))).ok, false);
    assert.equal((await tlsPing(TLSP, { ...mtlsOpts('client'), maxVersion: 'TLSv1.2' })).ok, false);
    // protected: the server without a password refuses 127.0.0.2.
    assert.match(await connectFrom(OPEN, '127.0.0.2'), /^-DENIED/);
    admin.close();

    const ev = await until('the last TLS refusal and the protected-mode line', () => {
      const e = events(file);
      const tls = e.filter((x) => x.event === 'tls.reject').length;
      return tls >= 3 && find(events(file + '.open'), 'protected.reject') !== undefined ? e : undefined;
    });
    assert.equal(ev[0]!.event, 'audit.start');
    const classes = new Set(ev.map((e) => e.class));
    for (const cls of ['connection', 'auth', 'denied', 'acl', 'config', 'tls', 'dangerous'])
      assert.ok(classes.has(cls), cls);

    const accept = find(ev, 'connection.accept')!;
    assert.match(accept.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.match(String(accept.client!['addr']), /^127\.0\.0\.1:\d+$/);
    assert.equal(accept.client!['laddr'], `127.0.0.1:${PLAIN}`);
    assert.ok(find(ev, 'connection.close', (e) => e.client!['id'] === accept.client!['id']));
    const tlsAccept = find(ev, 'connection.accept', (e) => e.detail['tls'] === true)!;
    assert.deepEqual(tlsAccept.client!['tls'], { subject: 'CN=client,O=Redoubt Tests' });

    assert.deepEqual(
      ev
        .filter((e) => e.event === 'auth.failure')
        .map((e) => [e.detail['username'], e.detail['method'], e.detail['reason']]),
      [
        ['default', 'password', 'wrong-password'],
        ['nobody', 'password', 'no-such-user'],
        ['client', 'certificate', 'no-such-user'],
      ],
    );
    const bobLogin = find(ev, 'auth.success', (e) => e.detail['username'] === 'bob')!;
    assert.equal(bobLogin.client!['user'], 'bob');
    assert.equal(bobLogin.client!['authenticated'], true);
    const certLogin = find(ev, 'auth.success', (e) => e.detail['method'] === 'certificate')!;
    assert.equal(certLogin.detail['username'], 'client');
    assert.deepEqual(certLogin.client!['tls'], { subject: 'CN=client,O=Redoubt Tests' });

    const acl = ev.filter((e) => e.event === 'acl.change');
    assert.deepEqual(acl[0]!.detail, {
      op: 'setuser',
      ok: true,
      username: 'bob',
      rules: ['on', '>(redacted)', '#(redacted)', '~k:*', '&news', '+get', '+publish'],
    });
    assert.deepEqual(acl[1]!.detail, { op: 'setuser', ok: false, username: 'bob', rules: ['(redacted)'] });
    assert.equal(acl[0]!.client!['user'], 'default');

    const config = ev.filter((e) => e.event === 'config.change').map((e) => e.detail);
    assert.deepEqual(config, [
      {
        op: 'set',
        ok: true,
        params: [
          { name: 'requirepass', value: '(redacted)' },
          { name: 'masterauth', value: '(redacted)' },
          { name: 'maxmemory', value: '64mb' },
        ],
      },
      { op: 'resetstat', ok: true },
      { op: 'rewrite', ok: false, file: null },
    ]);

    assert.deepEqual(
      ev.filter((e) => e.event === 'command.denied').map((e) => e.detail),
      [
        { command: 'set', reason: 'command', object: 'set' },
        { command: 'get', reason: 'key', object: 'secret-key' },
        { command: 'publish', reason: 'channel', object: 'private' },
      ],
    );
    assert.deepEqual(
      ev.filter((e) => e.class === 'dangerous').map((e) => e.detail),
      [
        { command: 'flushall', db: 0, options: [] },
        { command: 'flushdb', db: 0, options: ['async'] },
        { command: 'debug', db: 0, subcommand: 'sleep' },
      ],
    );
    assert.deepEqual(
      ev.filter((e) => e.event === 'tls.reject').map((e) => e.detail['reason']),
      ['no-certificate', 'bad-certificate', 'protocol-mismatch'],
      JSON.stringify(ev.filter((e) => e.event === 'tls.reject').map((e) => e.detail)),
    );
    const tlsReject = find(ev, 'tls.reject')!;
    assert.equal(tlsReject.client!['laddr'], `127.0.0.1:${TLSP}`);
    const prot = find(events(file + '.open'), 'protected.reject')!;
    assert.match(String(prot.client!['addr']), /^127\.0\.0\.2:\d+$/);

    // SHUTDOWN is recorded, and the log is complete when the process is gone.
    const last = await authed(PLAIN);
    const exited = new Promise((r) => srv.child.once('exit', r));
    await last.call('SHUTDOWN', 'NOSAVE').catch(() => null);
    await exited;
    const final = events(file);
    assert.deepEqual(find(final, 'command.dangerous', (e) => e.detail['command'] === 'shutdown')!.detail, {
      command: 'shutdown',
      db: 0,
      options: ['nosave'],
    });
    assert.equal(final[final.length - 1]!.event, 'audit.stop');

    const bytes = readFileSync(file).toString('latin1') + readFileSync(file + '.open').toString('latin1');
    for (const s of [...SECRETS, HASH]) assert.ok(!bytes.includes(s), `secret ${s} absent`);
  } finally {
    await srv.stop();
    await open.stop();
  }
});

function mtlsOpts(name: string): { ca: Buffer; cert: Buffer; key: Buffer } {
  return { ca: pki.read('ca.crt'), cert: pki.read(`${name}.crt`), key: pki.read(`${name}.key`) };
}

test('a flood of 20000 failed AUTH from one client: the log stays small, another client is served', async () => {
  const file = path.join(dir, 'flood.log');
  const srv = await spawnRedoubt([
    '--port',
    String(FLOOD),
    '--bind',
    '127.0.0.1',
    '--requirepass',
    ADMIN_PW,
    '--audit-log',
    file,
  ]);
  try {
    const other = await authed(FLOOD);
    const flooder = await RespClient.connect(FLOOD);
    const t0 = Date.now();
    let pongs = 0;
    // Unauthenticated clients may have only 1 KB of replies pending: send in small batches.
    for (let i = 0; i < 20000; i += 10) {
      const batch: Promise<unknown>[] = [];
      for (let j = 0; j < 10; j++) batch.push(flooder.call('AUTH', 'default', `Flood-Pw-${i + j}`));
      if (i % 1000 === 0) batch.push(other.call('PING').then((r) => r === 'PONG' && pongs++));
      const replies = await Promise.all(batch);
      assert.match(String(replies[0]), /WRONGPASS/);
    }
    const seconds = (Date.now() - t0) / 1000;
    assert.equal(pongs, 20, 'the other client was answered throughout');
    // Every failure is either a line or counted in a summary line (written within a second).
    const ev = await until('the suppressed summary', () => {
      const e = events(file);
      const logged = e.filter((x) => x.event === 'auth.failure').length;
      const dropped = e
        .filter((x) => x.event === 'audit.suppressed')
        .reduce((n, x) => n + Number(x.detail['count']), 0);
      return logged + dropped >= 20000 ? e : undefined;
    });
    const logged = ev.filter((x) => x.event === 'auth.failure').length;
    assert.ok(logged >= 40, 'the burst is written');
    assert.ok(logged <= 40 + 20 * (seconds + 2), `at most the burst plus 20/s (${logged} in ${seconds}s)`);
    assert.equal(find(ev, 'audit.suppressed')!.detail['addr'], '127.0.0.1');
    const size = statSync(file).size;
    assert.ok(size < 256 * 1024, `log size ${size} bytes is bounded`);
    other.close();
    flooder.close();
  } finally {
    await srv.stop();
  }
});

test('SIGHUP reopens the file: after a rename, new events go to a new file', async () => {
  const file = path.join(dir, 'hup.log');
  const srv = await spawnRedoubt(['--port', String(HUP), '--bind', '127.0.0.1', '--audit-log', file]);
  try {
    const a = await RespClient.connect(HUP);
    await until('the first connection', () => find(events(file), 'connection.accept'));
    renameSync(file, file + '.1');
    srv.child.kill('SIGHUP');
    const fresh = await until('the reopened file', () => find(events(file), 'audit.reopen'));
    assert.equal(fresh.detail['signal'], 'SIGHUP');
    assert.equal(await a.call('FLUSHALL'), 'OK', 'the server is still running');
    await until('the next event in the new file', () => find(events(file), 'command.dangerous'));
    assert.equal(find(events(file + '.1'), 'command.dangerous'), undefined, 'nothing more in the rotated file');
    assert.ok(find(events(file + '.1'), 'connection.accept'));
    a.close();
  } finally {
    await srv.stop();
  }
});

test('CONFIG SET audit-log: protected, reopened at runtime, off, refused for an unwritable path', async () => {
  const file = path.join(dir, 'runtime.log');
  const plain = await spawnRedoubt(['--port', String(HUP), '--bind', '127.0.0.1']);
  try {
    const c = await RespClient.connect(HUP);
    assert.deepEqual(await c.call('CONFIG', 'GET', 'audit-log'), ['audit-log', '']);
    assert.deepEqual(await c.call('CONFIG', 'GET', 'audit-events'), ['audit-events', 'all']);
    assert.deepEqual(await c.call('CONFIG', 'GET', 'audit-rate'), ['audit-rate', '20']);
    const all = (await c.call('CONFIG', 'GET', '*')) as string[];
    assert.ok(!all.some((n) => n.startsWith('audit-')), 'hidden from CONFIG GET *');
    for (const name of ['audit-log', 'audit-events', 'audit-rate', 'audit-syslog-target']) {
      const value = name === 'audit-rate' ? '5' : name === 'audit-syslog-target' ? '127.0.0.1:9' : file;
      assert.equal(
        String(await c.call('CONFIG', 'SET', name, value)),
        `Error: ERR CONFIG SET failed (possibly related to argument '${name}') - can't set protected config`,
      );
    }
    assert.equal(existsSync(file), false, 'nothing opened while off');
    c.close();
  } finally {
    await plain.stop();
  }

  const srv = await spawnRedoubt(['--port', String(HUP), '--bind', '127.0.0.1', '--enable-protected-configs', 'yes']);
  try {
    const c = await RespClient.connect(HUP);
    assert.equal(await c.call('CONFIG', 'SET', 'audit-log', file), 'OK');
    assert.equal(await c.call('CONFIG', 'SET', 'audit-events', 'config,dangerous'), 'OK');
    assert.equal(await c.call('FLUSHDB'), 'OK');
    const ev = await until('the runtime log', () => {
      const e = events(file);
      return e.length >= 4 ? e : undefined;
    });
    assert.deepEqual(
      ev.map((e) => e.event),
      ['audit.start', 'config.change', 'config.change', 'command.dangerous'],
    );
    assert.deepEqual(ev[1]!.detail, { op: 'set', ok: true, params: [{ name: 'audit-log', value: file }] });
    // Another file: the old one says where the log went.
    assert.equal(await c.call('CONFIG', 'SET', 'audit-log', file + '.2'), 'OK');
    const moved = await until('the move', () => find(events(file), 'audit.stop'));
    assert.equal(moved.detail['to'], file + '.2');
    assert.equal((moved.detail['by'] as Record<string, unknown>)['id'], ev[1]!.client!['id']);
    // The same path again reopens it: rotation without a signal.
    renameSync(file + '.2', file + '.2.old');
    assert.equal(await c.call('CONFIG', 'SET', 'audit-log', file + '.2'), 'OK');
    await until('the reopened file', () => find(events(file + '.2'), 'config.change'));
    assert.equal(find(events(file + '.2.old'), 'audit.stop')!.detail['to'], file + '.2');
    const err = String(await c.call('CONFIG', 'SET', 'audit-log', path.join(dir, 'no/such/dir.log')));
    assert.match(
      err,
      /CONFIG SET failed \(possibly related to argument 'audit-log'\) - Can't open the audit log: ENOENT/,
    );
    assert.deepEqual(await c.call('CONFIG', 'GET', 'audit-log'), ['audit-log', file + '.2'], 'rolled back');
    // stdout: lines in the server's output.
    assert.equal(await c.call('CONFIG', 'SET', 'audit-log', 'stdout'), 'OK');
    await until('a line on stdout', () => srv.output().includes('"event":"audit.start"'));
    // syslog over UDP.
    const rx = dgram.createSocket('udp4');
    await new Promise<void>((r) => rx.bind(SYSLOG, '127.0.0.1', () => r()));
    const got: string[] = [];
    rx.on('message', (m) => got.push(m.toString('utf8')));
    assert.equal(
      await c.call('CONFIG', 'SET', 'audit-syslog-target', `127.0.0.1:${SYSLOG}`, 'audit-log', 'syslog'),
      'OK',
    );
    assert.equal(await c.call('FLUSHALL'), 'OK');
    await until('a syslog datagram', () => got.some((m) => m.includes('"command":"flushall"')));
    assert.match(
      got.find((m) => m.includes('flushall'))!,
      /^<133>1 \S+ \S+ redis \d+ command\.dangerous - \{/,
    );
    rx.close();
    // Off: the log says so and closes; nothing more is written.
    assert.equal(await c.call('CONFIG', 'SET', 'audit-log', file + '.3'), 'OK');
    assert.equal(await c.call('CONFIG', 'SET', 'audit-log', ''), 'OK');
    const stop = await until('the last line', () => find(events(file + '.3'), 'audit.stop'));
    assert.equal(stop.detail['reason'], 'disabled');
    const before = readFileSync(file + '.3', 'utf8');
    assert.equal(await c.call('FLUSHALL'), 'OK');
    assert.equal(await c.call('PING'), 'PONG');
    await new Promise((r) => setImmediate(r));
    assert.equal(readFileSync(file + '.3', 'utf8'), before);
    c.close();
  } finally {
    await srv.stop();
  }
});
