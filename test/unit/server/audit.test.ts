// The audit log in process: line format, redaction of every secret, class filtering, the rate
// limits on a hand-driven clock, and the file and syslog sinks. Port 26990 (syslog receiver).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Server } from '../../../src/server/server.js';
import { ConfigStore } from '../../../src/config/store.js';
import type { Client } from '../../../src/server/client.js';
import { processCommand } from '../../../src/commands/dispatch.js';
import {
  AuditLog,
  auditedKinds,
  parseAuditEvents,
  redactConfigSet,
  redactRule,
  tlsReason,
} from '../../../src/server/audit.js';
import { AuditLimiter, TokenBucket } from '../../../src/server/audit-limit.js';
import { FileSink, SyslogSink, type AuditLine, type AuditSink } from '../../../src/server/audit-sink.js';
import { validateAuditEvents, validateHostPort } from '../../../src/server/audit-events.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'redoubt-audit-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

class MemorySink implements AuditSink {
  readonly target = 'memory';
  lines: AuditLine[] = [];
  reopened = 0;
  /** The log writing here: lines reach the sink once per event-loop turn, tests flush first. */
  log: AuditLog | null = null;
  write(lines: readonly AuditLine[]): void {
    this.lines.push(...lines);
  }
  reopen(): void {
    this.reopened++;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

interface Event {
  ts: string;
  class: string;
  event: string;
  client: Record<string, unknown> | null;
  detail: Record<string, unknown>;
}

function parse(sink: MemorySink): Event[] {
  sink.log?.flush();
  return sink.lines.map((l) => JSON.parse(l.text) as Event);
}

function text(sink: MemorySink): string {
  sink.log?.flush();
  return sink.lines.map((l) => l.text).join('\n');
}

function clear(sink: MemorySink): void {
  sink.log?.flush();
  sink.lines = [];
}

/** A server whose audit log writes to memory, on a clock the test moves. */
function setup(
  events = 'all',
  rate = 0,
  requirepass = '',
): { server: Server; sink: MemorySink; clock: { t: number }; log: AuditLog } {
  const cfg = new ConfigStore();
  if (requirepass !== '') cfg.setInitial('requirepass', [requirepass]);
  const server = new Server(cfg);
  const sink = new MemorySink();
  const clock = { t: Date.parse('2026-12-04T02:00:00.000Z') };
  const log = new AuditLog(sink, {
    events: parseAuditEvents(events)!,
    rate,
    kinds: auditedKinds(server.commands),
    now: () => clock.t,
  });
  server.audit = log;
  sink.log = log;
  return { server, sink, clock, log };
}

function client(server: Server, addr = '127.0.0.1:5000'): { c: Client; run: (...argv: string[]) => string } {
  const c = server.newClient(addr, '127.0.0.1:6379', -1);
  c.control = {
    close: () => server.removeClient(c),
    scheduleFlush: () => {},
    socketPending: () => 0,
    setPaused: () => {},
  };
  return {
    c,
    run: (...argv) => {
      processCommand(c, argv);
      return Buffer.concat(c.reply.take()).toString('latin1');
    },
  };
}

test('audit-events: classes by space or comma, all, none; anything else refused', () => {
  assert.equal(parseAuditEvents('all'), 0xff);
  assert.equal(parseAuditEvents('auth,denied'), parseAuditEvents('auth denied'));
  assert.equal(parseAuditEvents('none'), 0);
  assert.equal(parseAuditEvents(''), 0);
  assert.equal(parseAuditEvents('auth, bogus'), null);
  assert.equal(validateAuditEvents('CONNECTION,Auth'), null);
  assert.match(validateAuditEvents('everything')!, /audit-events takes/);
  assert.equal(validateHostPort('127.0.0.1:514'), null);
  assert.equal(validateHostPort('[::1]:5514'), null);
  assert.notEqual(validateHostPort('127.0.0.1'), null);
  assert.notEqual(validateHostPort('host:70000'), null);
});

test('ACL rules keep their shape with every secret redacted', () => {
  assert.equal(redactRule('>s3cret'), '>(redacted)');
  assert.equal(redactRule('<s3cret'), '<(redacted)');
  assert.equal(redactRule('#' + 'a'.repeat(64)), '#(redacted)');
  assert.equal(redactRule('!' + 'b'.repeat(64)), '!(redacted)');
  for (const plain of [
    'on',
    'off',
    'nopass',
    'resetpass',
    'reset',
    '~k*',
    '%R~r*',
    '&ch',
    '+get',
    '-@all',
    'allkeys',
  ]) {
    assert.equal(redactRule(plain), plain);
  }
  // A password typed without its '>' is a failed rule, but must not be logged either.
  assert.equal(redactRule('hunter2'), '(redacted)');
  assert.equal(redactRule('(~x >inner +get)'), '(~x >(redacted) +get)');
});

test('CONFIG SET values of secret configs (and of unknown names) are redacted', () => {
  const { server } = setup();
  const cmd = server.commands.lookupOriginal('config|set')!;
  const argv = ['CONFIG', 'SET', 'requirepass', 'pw1', 'maxmemory', '10mb', 'tls-key-file-pass', 'pw2'];
  assert.deepEqual(redactConfigSet(cmd, argv), [
    { name: 'requirepass', value: '(redacted)' },
    { name: 'maxmemory', value: '10mb' },
    { name: 'tls-key-file-pass', value: '(redacted)' },
  ]);
  // Odd argument counts (which MONITOR's rules leave alone) and typos of a secret's name.
  assert.deepEqual(redactConfigSet(cmd, ['CONFIG', 'SET', 'MasterAuth', 'pw3', 'x']), [
    { name: 'MasterAuth', value: '(redacted)' },
    { name: 'x', value: '' },
  ]);
  assert.deepEqual(redactConfigSet(cmd, ['CONFIG', 'SET', 'requirepas', 'pw4']), [
    { name: 'requirepas', value: '(redacted)' },
  ]);
});

test('events from commands: format, who, outcome, and no secret in any line', () => {
  const { server, sink } = setup();
  const admin = client(server);
  admin.c.name = 'ops';
  assert.equal(admin.run('ACL', 'SETUSER', 'bob', 'on', '>BobPass1', '~k*', '+get'), '+OK\r\n');
  assert.match(admin.run('ACL', 'SETUSER', 'bob', 'BobPass2'), /^-ERR/);
  assert.equal(admin.run('CONFIG', 'SET', 'requirepass', 'AdminPass3', 'maxmemory', '1mb'), '+OK\r\n');
  assert.equal(admin.run('FLUSHALL', 'ASYNC'), '+OK\r\n');
  assert.equal(admin.run('ACL', 'DELUSER', 'bob'), ':1\r\n');
  const ev = parse(sink);
  assert.deepEqual(
    ev.map((e) => e.event),
    ['acl.change', 'acl.change', 'config.change', 'command.dangerous', 'acl.change'],
  );
  const [setuser, failed, config, flush, deluser] = ev as [Event, Event, Event, Event, Event];
  assert.equal(setuser.ts, '2026-12-04T02:00:00.000Z');
  assert.equal(setuser.class, 'acl');
  assert.deepEqual(setuser.client, {
    id: admin.c.id,
    addr: '127.0.0.1:5000',
    laddr: '127.0.0.1:6379',
    user: 'default',
    name: 'ops',
    authenticated: true,
  });
  assert.deepEqual(setuser.detail, {
    op: 'setuser',
    ok: true,
    username: 'bob',
    rules: ['on', '>(redacted)', '~k*', '+get'],
  });
  assert.deepEqual(failed.detail, { op: 'setuser', ok: false, username: 'bob', rules: ['(redacted)'] });
  assert.deepEqual(config.detail, {
    op: 'set',
    ok: true,
    params: [
      { name: 'requirepass', value: '(redacted)' },
      { name: 'maxmemory', value: '1mb' },
    ],
  });
  assert.equal(flush.class, 'dangerous');
  assert.deepEqual(flush.detail, { command: 'flushall', db: 0, options: ['async'] });
  assert.deepEqual(deluser.detail, { op: 'deluser', ok: true, usernames: ['bob'] });
  const all = text(sink);
  for (const secret of ['BobPass1', 'BobPass2', 'AdminPass3']) assert.ok(!all.includes(secret), secret);
});

test('authentication and denials: the reason, the command and the object, never the arguments', () => {
  const { server, sink } = setup();
  const admin = client(server);
  admin.run('ACL', 'SETUSER', 'amy', 'on', '>AmyPass1', '~k*', '+get', '+set');
  clear(sink);
  const amy = client(server, '127.0.0.1:5001');
  assert.match(amy.run('AUTH', 'amy', 'WrongPass2'), /^-WRONGPASS/);
  assert.match(amy.run('AUTH', 'nobody', 'WrongPass3'), /^-WRONGPASS/);
  assert.equal(amy.run('AUTH', 'amy', 'AmyPass1'), '+OK\r\n');
  assert.match(amy.run('GET', 'other'), /^-NOPERM/);
  assert.match(amy.run('SET', 'k1', 'ValueNotLogged'), /^\+OK/);
  assert.match(amy.run('DEL', 'k1'), /^-NOPERM/);
  assert.match(amy.run('DEBUG', 'SLEEP', '0'), /^-ERR DEBUG command not allowed/);
  const ev = parse(sink);
  assert.deepEqual(
    ev.map((e) => [e.event, e.detail['reason'] ?? null]),
    [
      ['auth.failure', 'wrong-password'],
      ['auth.failure', 'no-such-user'],
      ['auth.success', null],
      ['command.denied', 'key'],
      ['command.denied', 'command'],
      ['command.denied', 'protected'],
    ],
  );
  assert.equal(ev[2]!.client!['user'], 'amy');
  assert.equal(ev[2]!.client!['authenticated'], true);
  assert.deepEqual(ev[3]!.detail, { command: 'get', reason: 'key', object: 'other' });
  assert.deepEqual(ev[4]!.detail, { command: 'del', reason: 'command', object: 'del' });
  const all = text(sink);
  for (const s of ['AmyPass1', 'WrongPass2', 'WrongPass3', 'ValueNotLogged']) assert.ok(!all.includes(s), s);
});

test('failure reasons: disabled user, throttled address; ACL SAVE without an aclfile', () => {
  const { server, sink } = setup();
  const admin = client(server);
  assert.equal(admin.run('ACL', 'SETUSER', 'carl', 'off', '>CarlPass1'), '+OK\r\n');
  assert.equal(admin.run('CONFIG', 'SET', 'auth-failure-limit', '2'), '+OK\r\n');
  assert.match(admin.run('ACL', 'SAVE'), /^-ERR This Redis instance is not configured to use an ACL file/);
  clear(sink);
  const x = client(server, '10.0.0.7:1234');
  x.run('AUTH', 'carl', 'CarlPass1');
  x.run('AUTH', 'carl', 'CarlPass1');
  assert.match(x.run('AUTH', 'carl', 'CarlPass1'), /too many failed authentication attempts/);
  assert.deepEqual(
    parse(sink).map((e) => e.detail['reason']),
    ['user-disabled', 'user-disabled', 'throttled'],
  );
  admin.run('ACL', 'SAVE');
  assert.deepEqual(parse(sink).pop()!.detail, { op: 'save', ok: false, file: '' });
  assert.ok(!text(sink).includes('CarlPass1'));
});

test('audit-events filters classes; changes of the audit configs are always recorded', () => {
  const { server, sink, log } = setup('auth');
  const a = client(server);
  a.run('FLUSHALL');
  a.run('CONFIG', 'SET', 'maxmemory', '2mb');
  a.run('AUTH', 'x', 'y');
  assert.deepEqual(
    parse(sink).map((e) => e.event),
    ['auth.failure'],
  );
  log.setEvents(parseAuditEvents('none')!);
  a.run('AUTH', 'x', 'y');
  a.run('CONFIG', 'SET', 'audit-rate', '30');
  assert.deepEqual(
    parse(sink).map((e) => e.event),
    ['auth.failure', 'config.change'],
  );
});

test('token bucket: burst, then the steady rate', () => {
  const b = new TokenBucket(10, 20, 0);
  let n = 0;
  while (b.take(0)) n++;
  assert.equal(n, 20);
  assert.equal(b.take(50), false, 'half a token after 50 ms');
  assert.equal(b.take(100), true);
  assert.equal(b.full(100), false);
  assert.equal(b.full(10_000), true);
});

test('limiter: per address for unauthenticated sources, a global cap for everything', () => {
  const l = new AuditLimiter(5, 0);
  let a = 0;
  for (let i = 0; i < 100; i++) if (l.allow('10.0.0.1', 0)) a++;
  assert.equal(a, 10, 'burst of 2 seconds');
  assert.ok(l.allow('10.0.0.2', 0), 'another address has its own bucket');
  let g = 0;
  for (let i = 0; i < 1000; i++) if (l.allow(null, 0)) g++;
  assert.equal(g, 500 - 11, 'global cap 50x the rate, burst of 2 seconds');
  assert.deepEqual(l.takeSuppressed(0, 100), [
    { addr: '10.0.0.1', count: 90 },
    { addr: '*', count: 1000 - g },
  ]);
  assert.equal(l.pending, false);
  assert.equal(l.allow('10.0.0.1', 1000), true, 'tokens come back with time');
  // Idle addresses are forgotten once their bucket is full again.
  l.takeSuppressed(60_000, 100);
  assert.equal(l.size, 0);
  const off = new AuditLimiter(0, 0);
  for (let i = 0; i < 10_000; i++) assert.ok(off.allow('10.0.0.1', 0));
});

test('a flood of failed AUTH from one address: bounded lines and a summary of what was dropped', () => {
  const { server, sink, log, clock } = setup('all', 20, 'AdminPass4');
  const x = client(server, '10.1.2.3:4444');
  const admin = client(server, '127.0.0.1:5000');
  assert.equal(admin.run('AUTH', 'AdminPass4'), '+OK\r\n');
  clear(sink);
  for (let i = 0; i < 5000; i++) x.run('AUTH', 'default', `Flood${i}`);
  // An authenticated user's events are not dropped by the flooder's bucket.
  admin.run('CONFIG', 'SET', 'maxmemory', '3mb');
  log.summarize();
  const ev = parse(sink);
  const failures = ev.filter((e) => e.event === 'auth.failure').length;
  assert.equal(failures, 40, 'a burst of 2 seconds at 20 events/s');
  assert.equal(ev.filter((e) => e.event === 'config.change').length, 1);
  const summary = ev.filter((e) => e.event === 'audit.suppressed');
  assert.deepEqual(
    summary.map((e) => e.detail),
    [{ addr: '10.1.2.3', count: 5000 - 40 }],
  );
  clock.t += 1000;
  clear(sink);
  for (let i = 0; i < 100; i++) x.run('AUTH', 'default', 'again');
  assert.equal(parse(sink).length, 20, 'one second later: 20 more');
});

test('unauthenticated events are limited by host, whatever the port', () => {
  const { server, sink } = setup('all', 1, 'AdminPass5');
  for (let port = 1000; port < 1010; port++) {
    const x = client(server, `10.9.9.9:${port}`);
    x.run('AUTH', 'default', 'nope');
  }
  assert.equal(parse(sink).length, 2);
});

test('TLS refusal reasons', () => {
  assert.equal(tlsReason('no client certificate', false), 'no-certificate');
  assert.equal(tlsReason('UNABLE_TO_GET_ISSUER_CERT', false), 'no-certificate');
  assert.equal(tlsReason('UNABLE_TO_VERIFY_LEAF_SIGNATURE', true), 'bad-certificate');
  assert.equal(tlsReason('CERT_HAS_EXPIRED', true), 'bad-certificate');
  assert.equal(tlsReason('error:0A000102:SSL routines::unsupported protocol', false), 'protocol-mismatch');
  assert.equal(tlsReason('wrong version number', false), 'protocol-mismatch');
  assert.equal(tlsReason('socket hang up', false), 'handshake-failed');
});

test('lifecycle lines: start, reopen, stop', async () => {
  const { sink, log } = setup();
  log.started();
  log.reopen();
  await log.close();
  assert.deepEqual(
    parse(sink).map((e) => e.event),
    ['audit.start', 'audit.reopen', 'audit.stop'],
  );
  assert.equal(sink.reopened, 1);
});

test('file sink: appends, created 0640, reopened by name after a rename, drains on close', async () => {
  const file = path.join(tmp, 'audit.log');
  const warnings: string[] = [];
  const sink = new FileSink(file, (m) => warnings.push(m));
  assert.equal(statSync(file).mode & 0o777, 0o640 & ~process.umask());
  sink.write([{ text: '{"n":1}', event: 'e', severity: 6 }]);
  sink.write([{ text: '{"n":2}', event: 'e', severity: 6 }]);
  renameSync(file, file + '.1');
  sink.reopen();
  sink.write([{ text: '{"n":3}', event: 'e', severity: 6 }]);
  await sink.close();
  assert.equal(readFileSync(file + '.1', 'utf8'), '{"n":1}\n{"n":2}\n');
  assert.equal(readFileSync(file, 'utf8'), '{"n":3}\n');
  assert.deepEqual(warnings, []);
  assert.throws(() => new FileSink(path.join(tmp, 'no/such/dir/a.log'), () => {}), /ENOENT/);
});

test(
  'file sink on a full disk: one warning, lines dropped, the process unharmed',
  { skip: !existsSync('/dev/full') },
  async () => {
    const warnings: string[] = [];
    const sink = new FileSink('/dev/full', (m) => warnings.push(m));
    for (let i = 0; i < 5; i++) {
      sink.write([{ text: `{"n":${i}}`, event: 'e', severity: 6 }]);
      await new Promise((r) => setImmediate(r));
    }
    await sink.close();
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0]!, /Audit log \/dev\/full: write failed \(ENOSPC/);
  },
);

test('syslog sink: RFC 5424 datagrams with the facility, ident and event', async () => {
  const rx = dgram.createSocket('udp4');
  await new Promise<void>((r) => rx.bind(26990, '127.0.0.1', () => r()));
  const got = new Promise<string>((r) => rx.once('message', (m) => r(m.toString('utf8'))));
  const sink = new SyslogSink({ target: '127.0.0.1:26990', facility: 'local3', ident: 'redoubt' }, () => {});
  sink.write([{ text: '{"event":"auth.failure"}', event: 'auth.failure', severity: 4 }]);
  const msg = await got;
  await sink.close();
  rx.close();
  // local3 = 19; 19 * 8 + 4 (warning) = 156.
  assert.match(msg, /^<156>1 \d{4}-\d\d-\d\dT[\d:.]+Z \S+ redoubt \d+ auth\.failure - \{"event":"auth\.failure"\}$/);
});

test('audit-log at start-up: a file that cannot be opened stops the server from starting', () => {
  const cfg = new ConfigStore();
  assert.equal(cfg.setInitial('audit-log', [path.join(tmp, 'missing/dir/audit.log')]), null);
  assert.throws(() => new Server(cfg), /Can't open the audit log .*ENOENT/);
  const ok = new ConfigStore();
  assert.equal(ok.setInitial('audit-log', [path.join(tmp, 'start.log')]), null);
  const server = new Server(ok);
  assert.ok(server.audit !== null);
  assert.equal(new Server().audit, null, 'off by default');
  return server.audit.close();
});
