// `redoubt audit` end to end, as a child process (node dist/bin/redoubt.js audit ...):
// (1) Debian's redis-server with its default config: the expected findings by id, from the
//     file, from the live server, and both merged;
// (2) redis-server with a deliberately weak config: every expected finding asserted, live
//     over TLS with a failed login in ACL LOG;
// (3) Redoubt with the hardened config `redoubt init` writes, run as nobody when we are root:
//     no finding at or above low, exit 0 with --fail-on low;
// (4) --fail-on exit codes, --json shape, usage and connection errors, no password in output.
// Ports from 25100-25199, the first free ones when each test starts (a weak config binds 0.0.0.0).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  chownSync,
  constants,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REDIS_SERVER, ROOT, SERVER_JS, hasRedis } from '../support/server.js';
import { makePki, type Pki } from '../support/tls.js';
import { portIn } from '../support/fixed-port.js';

const CLI = path.join(ROOT, 'dist/bin/redoubt.js');
const FIXTURE = path.join(ROOT, 'test/fixtures/audit/debian-redis.conf');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function audit(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, 'audit', ...args],
      { env: { ...process.env, ...env }, timeout: 30000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

interface Json {
  target: { config: string | null; url: string | null };
  findings: { id: string; severity: string; title: string; seen: string; why: string; fix: string; ref: string }[];
  summary: Record<string, number>;
}

async function auditJson(args: string[], env: Record<string, string> = {}): Promise<{ r: Result; j: Json }> {
  const r = await audit(['--json', ...args], env);
  assert.ok(r.stdout.startsWith('{'), `no JSON (exit ${r.code}): ${r.stderr}`);
  return { r, j: JSON.parse(r.stdout) as Json };
}

function sev(j: Json, id: string): string[] {
  return j.findings.filter((f) => f.id === id).map((f) => f.severity);
}

function atOrAbove(j: Json, min: string): string[] {
  const order = ['info', 'low', 'medium', 'high', 'critical'];
  return j.findings
    .filter((f) => order.indexOf(f.severity) >= order.indexOf(min))
    .map((f) => `${f.id}:${f.severity} ${f.seen}`);
}

interface Server {
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Resolves when a TCP connection to the port succeeds (the server logs to a file). */
function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Starts a server process and waits until it is ready: "Ready to accept" on its output, or
 * (for a server that logs to a file) its port accepting connections. A server that does not
 * get ready is killed, never left behind.
 */
function startServer(
  cmd: string,
  args: string[],
  opts: { uid?: number; gid?: number; port?: number } = {},
): Promise<Server> {
  return new Promise((resolve, reject) => {
    const { port, ...ids } = opts;
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...ids });
    let out = '';
    let done = false;
    const stop = (): Promise<void> =>
      new Promise<void>((res) => {
        if (child.exitCode !== null || child.signalCode !== null) return res();
        child.once('exit', () => res());
        child.kill('SIGTERM');
      });
    const ready = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ child, stop });
    };
    const timer = setTimeout(() => {
      done = true;
      child.kill('SIGKILL');
      reject(new Error(`server not ready:\n${out}`));
    }, 15000);
    const onData = (d: Buffer): void => {
      out += d.toString('latin1');
      if (out.includes('Ready to accept')) ready();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
    if (port !== undefined) {
      const poll = async (): Promise<void> => {
        while (!done) {
          if (await portOpen(port)) return ready();
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      void poll();
    }
  });
}

/** One failed AUTH, so ACL LOG has an "auth" entry. */
function failedAuth(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () =>
      s.write('*3\r\n$4\r\nAUTH\r\n$3\r\nbob\r\n$5\r\nwrong\r\n'),
    );
    s.once('data', (d) => {
      s.destroy();
      if (d.toString().startsWith('-WRONGPASS')) resolve();
      else reject(new Error(`unexpected reply ${d.toString()}`));
    });
    s.once('error', reject);
  });
}

const sha = (p: string): string => createHash('sha256').update(p).digest('hex');
const tmpDirs: string[] = [];
function tmp(prefix: string): string {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  tmpDirs.push(d);
  return d;
}

let pki: Pki;
before(() => {
  pki = makePki();
  pki.issue('long', '/CN=localhost', { san: 'DNS:localhost,IP:127.0.0.1', days: 365 });
  pki.issue('short', '/CN=localhost', { san: 'DNS:localhost,IP:127.0.0.1', days: 10 });
});
after(() => {
  pki.cleanup();
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

// ---- (1) Debian's default config ------------------------------------------------------------

function debianConf(): string {
  try {
    accessSync('/etc/redis/redis.conf', constants.R_OK);
    return '/etc/redis/redis.conf';
  } catch {
    return FIXTURE;
  }
}

test(
  'Debian redis-server with its default config',
  { skip: hasRedis() ? false : `${REDIS_SERVER} is not installed` },
  async () => {
    const conf = debianConf();
    const P = await portIn(25100, 25199);
    const dir = tmp('redoubt-audit-deb-');
    const logDir = '/var/log/redis';
    const logsBefore = safeList(logDir);
    const srv = await startServer(REDIS_SERVER, [
      conf,
      '--port',
      String(P),
      '--dir',
      dir,
      '--daemonize',
      'no',
      '--logfile',
      '',
      '--pidfile',
      path.join(dir, 'p.pid'),
      '--save',
      '',
    ]);
    try {
      // From the file alone.
      const f = await auditJson(['--config', conf]);
      assert.equal(f.r.code, 1, 'a critical finding fails the default --fail-on high');
      assert.deepEqual(sev(f.j, 'AUTH-NONE'), ['critical']);
      assert.deepEqual(sev(f.j, 'TLS-OFF'), ['medium']);
      assert.deepEqual(sev(f.j, 'MEM-MAXMEMORY'), ['medium']);
      assert.deepEqual(sev(f.j, 'ACL-FILE'), ['low']);
      assert.deepEqual(sev(f.j, 'CMD-DANGEROUS-AVAILABLE'), ['medium']);
      assert.deepEqual(sev(f.j, 'NET-DEFAULT-PORT'), ['info']);
      for (const id of ['NET-BIND', 'NET-PROTECTED-MODE', 'LOG-FILE', 'TLS-PROTOCOLS', 'ACL-PASSWORD-WEAK']) {
        assert.deepEqual(sev(f.j, id), [], `${id} must not be reported for Debian's defaults`);
      }
      // The audit opened nothing of the server's: no log file created by reading the config.
      assert.deepEqual(safeList(logDir), logsBefore);

      // From the live server.
      const l = await auditJson(['--url', `redis://127.0.0.1:${P}`]);
      assert.equal(l.r.code, 1);
      assert.deepEqual(sev(l.j, 'AUTH-NONE'), ['critical']);
      assert.deepEqual(sev(l.j, 'TLS-OFF'), ['medium']);
      assert.deepEqual(sev(l.j, 'MEM-MAXMEMORY'), ['medium']);
      assert.deepEqual(sev(l.j, 'LOG-FILE'), ['low'], 'started with --logfile ""');
      assert.deepEqual(sev(l.j, 'ACL-FILE'), ['low']);
      assert.deepEqual(sev(l.j, 'CMD-DANGEROUS-AVAILABLE'), ['medium']);
      assert.deepEqual(sev(l.j, 'PROC-ROOT'), isRoot ? ['high'] : []);
      assert.match(l.j.findings.find((x) => x.id === 'SRV-VERSION')!.seen, /7\.0\.15/);

      // Both: live values win (no log file, the live port), file facts stay.
      const b = await auditJson(['--config', conf, '--url', `redis://127.0.0.1:${P}`]);
      assert.deepEqual(sev(b.j, 'LOG-FILE'), ['low']);
      assert.deepEqual(sev(b.j, 'NET-DEFAULT-PORT'), []);
      assert.deepEqual(sev(b.j, 'AUTH-NONE'), ['critical']);
      assert.equal(b.j.target.config, conf);
      assert.equal(b.j.target.url, `redis://127.0.0.1:${P}`);
    } finally {
      await srv.stop();
    }
  },
);

function safeList(d: string): string[] {
  try {
    return readdirSync(d).sort();
  } catch {
    return [];
  }
}

// ---- (2) a deliberately weak config ---------------------------------------------------------

const WEAK_REQUIREPASS = 'pw2short';
const BOB_PASS = 'b0bsecretpw';

test(
  'redis-server with a deliberately weak config',
  { skip: hasRedis() ? false : `${REDIS_SERVER} is not installed` },
  async () => {
    const P = await portIn(25100, 25199);
    const TP = await portIn(P + 1, 25199);
    const dir = tmp('redoubt-audit-weak-');
    const key = path.join(dir, 'server.key');
    writeFileSync(key, pki.read('short.key'));
    chmodSync(key, 0o644);
    const conf = path.join(dir, 'weak.conf');
    writeFileSync(
      conf,
      [
        'bind 0.0.0.0',
        'protected-mode no',
        `port ${P}`,
        `requirepass ${WEAK_REQUIREPASS}`,
        `user bob on >${BOB_PASS} ~* &* +@all`,
        `tls-port ${TP}`,
        `tls-cert-file ${pki.file('short.crt')}`,
        `tls-key-file ${key}`,
        `tls-ca-cert-file ${pki.file('ca.crt')}`,
        'tls-auth-clients no',
        'tls-protocols "TLSv1 TLSv1.2"',
        'tls-ciphers "AES128-SHA:RC4-SHA"',
        'tls-prefer-server-ciphers no',
        'enable-debug-command yes',
        `dir ${dir}`,
        'save ""',
        '',
      ].join('\n'),
    );
    chmodSync(conf, 0o644);
    // The file says 0.0.0.0; the test server itself listens on loopback only.
    const srv = await startServer(REDIS_SERVER, [conf, '--bind', '127.0.0.1', '--daemonize', 'no']);
    try {
      const f = await auditJson(['--config', conf]);
      const expected: [string, string][] = [
        ['NET-BIND', 'high'],
        ['NET-PROTECTED-MODE', 'medium'],
        ['AUTH-REQUIREPASS', 'low'],
        ['ACL-PASSWORD-WEAK', 'high'],
        ['ACL-PASSWORD-PLAINTEXT', 'high'],
        ['ACL-ADMINS', 'medium'],
        ['ACL-DEFAULT-USER', 'medium'],
        ['ACL-FILE', 'low'],
        ['TLS-PLAINTEXT-PORT', 'medium'],
        ['TLS-PROTOCOLS', 'high'],
        ['TLS-CIPHERS', 'medium'],
        ['TLS-CLIENT-AUTH', 'medium'],
        ['TLS-PREFER-SERVER-CIPHERS', 'low'],
        ['TLS-CERT-EXPIRY', 'medium'],
        ['FILE-KEY-PERMS', 'high'],
        ['FILE-CONFIG-PERMS', 'high'],
        ['PROTECTED-CONFIGS', 'medium'],
        ['MEM-MAXMEMORY', 'medium'],
        ['LOG-FILE', 'low'],
      ];
      for (const [id, s] of expected) assert.deepEqual(sev(f.j, id), [s], `${id} from the file`);
      assert.match(
        f.j.findings.find((x) => x.id === 'ACL-PASSWORD-WEAK')!.seen,
        /requirepass: 8 characters.*user bob: 11 characters|user bob: 11 characters.*requirepass: 8 characters/,
      );
      assert.equal(f.r.code, 1);

      // Live over TLS, verifying the server with the CA, after one failed login.
      await failedAuth(P);
      const env = { REDOUBT_AUDIT_PASSWORD: BOB_PASS };
      const l = await auditJson(['--url', `rediss://bob@127.0.0.1:${TP}`, '--cacert', pki.file('ca.crt')], env);
      for (const id of [
        'NET-PROTECTED-MODE',
        'ACL-ADMINS',
        'ACL-DEFAULT-USER',
        'TLS-PROTOCOLS',
        'TLS-CIPHERS',
        'TLS-CLIENT-AUTH',
        'PROTECTED-CONFIGS',
        'FILE-KEY-PERMS',
      ]) {
        assert.ok(sev(l.j, id).length === 1, `${id} from the live server`);
      }
      assert.deepEqual(sev(l.j, 'ACL-LOG-AUTH-FAILURES'), ['medium']);
      assert.deepEqual(sev(l.j, 'ACL-PASSWORD-WEAK'), ['high'], 'requirepass read back with CONFIG GET');
      assert.ok(l.j.findings.some((x) => x.id === 'TLS-CERT-EXPIRY' && x.seen.includes('peer certificate')));
      assert.deepEqual(sev(l.j, 'PROC-ROOT'), isRoot ? ['high'] : []);
      assert.deepEqual(sev(l.j, 'ACL-PASSWORD-PLAINTEXT'), [], 'ACL LIST shows only hashes');

      // Merged: the clear-text rule comes from the file.
      const b = await auditJson(['--config', conf, '--url', `rediss://bob:${BOB_PASS}@127.0.0.1:${TP}`, '--insecure']);
      assert.deepEqual(sev(b.j, 'ACL-PASSWORD-PLAINTEXT'), ['high']);
      assert.deepEqual(sev(b.j, 'NET-BIND'), [], 'the live bind (127.0.0.1) wins over the file');

      // No password ever appears, in any output format.
      const human = await audit(['--config', conf, '--url', `redis://bob:${BOB_PASS}@127.0.0.1:${P}`, '--no-color']);
      for (const out of [f.r, l.r, b.r, human]) {
        for (const secret of [WEAK_REQUIREPASS, BOB_PASS]) {
          assert.ok(!out.stdout.includes(secret) && !out.stderr.includes(secret), `password in output`);
        }
      }
      assert.match(human.stdout, /^CRITICAL|^HIGH \(\d+\)/m);
      assert.doesNotMatch(human.stdout, /\x1b\[/, 'no colours when stdout is not a TTY');
      assert.match(human.stdout, /\d+ finding\(s\): \d+ critical, \d+ high, \d+ medium, \d+ low, \d+ info\n$/);

      // A wrong password is a connection error: exit 2, one line, the password not echoed.
      const bad = await audit(['--url', `redis://bob:n0tThePassw0rd@127.0.0.1:${P}`]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /^redoubt audit: authentication failed/);
      assert.equal(bad.stderr.trim().split('\n').length, 1);
      assert.ok(!bad.stderr.includes('n0tThePassw0rd'));
    } finally {
      await srv.stop();
    }
  },
);

test(
  'redis-server with CONFIG renamed and FLUSHALL removed',
  { skip: hasRedis() ? false : `${REDIS_SERVER} is not installed` },
  async () => {
    const P = await portIn(25100, 25199);
    const dir = tmp('redoubt-audit-ren-');
    const args = ['--port', String(P), '--bind', '127.0.0.1', '--save', '', '--dir', dir, '--daemonize', 'no'];
    const srv = await startServer(REDIS_SERVER, [
      ...args,
      '--rename-command',
      'CONFIG',
      'cfg_x_9',
      '--rename-command',
      'FLUSHALL',
      '',
    ]);
    try {
      const { j } = await auditJson(['--url', `redis://127.0.0.1:${P}`]);
      // CONFIG GET fails: an info finding, and the checks fall back to INFO and ACL LIST.
      assert.deepEqual(sev(j, 'SRC-CONFIG-UNAVAILABLE'), ['info']);
      assert.deepEqual(sev(j, 'AUTH-NONE'), ['critical']);
      assert.deepEqual(sev(j, 'MEM-MAXMEMORY'), ['medium'], 'maxmemory read from INFO memory');
      assert.deepEqual(sev(j, 'TLS-OFF'), [], 'unknown without CONFIG GET: not guessed');
      const cmd = j.findings.find((x) => x.id === 'CMD-DANGEROUS-AVAILABLE')!;
      assert.match(cmd.seen, /FLUSHDB/);
      assert.doesNotMatch(cmd.seen, /FLUSHALL|CONFIG/);
    } finally {
      await srv.stop();
    }
  },
);

// ---- (3) Redoubt with the hardened config of `redoubt init` ---------------------------------

const ADMIN_PASS = 'c7d5a0f3b9e2418a6f0d3c5b7e9a1d2f4b6c8e0a2d4f6b8c0e2a4c6e8f0b2d4a';

test('Redoubt with the hardened config: no finding at or above low', async () => {
  const TP = await portIn(25100, 25199);
  const dir = tmp('redoubt-audit-hard-');
  chmodSync(dir, 0o700);
  const f = (n: string): string => path.join(dir, n);
  writeFileSync(f('ca.crt'), pki.read('ca.crt'));
  writeFileSync(f('server.crt'), pki.read('long.crt'));
  writeFileSync(f('server.key'), pki.read('long.key'));
  mkdirSync(f('data'));
  // The log file is created private, as a hardened deployment keeps it.
  writeFileSync(f('redoubt.log'), '', { mode: 0o600 });
  const pw = (n: string): string => '#' + sha(`${n}-${ADMIN_PASS}`);
  writeFileSync(
    f('users.acl'),
    [
      'user default off resetpass resetkeys resetchannels -@all',
      `user admin on #${sha(ADMIN_PASS)} ~* &* +@all`,
      `user app on ${pw('app')} ~app:* &app:* +@all -@dangerous`,
      `user cache on ${pw('cache')} %R~cache:* resetchannels -@all +@read +@connection -@dangerous`,
      `user analytics on ${pw('analytics')} %R~* resetchannels -@all +@read +@connection -@write -@admin -@dangerous`,
      `user monitor on ${pw('monitor')} resetkeys resetchannels -@all +ping +info +slowlog|get +slowlog|len +client|list +client|info +memory|stats +memory|doctor`,
      '',
    ].join('\n'),
  );
  const conf = [
    'bind 127.0.0.1 -::1',
    'protected-mode yes',
    'port 0',
    `tls-port ${TP}`,
    `tls-cert-file ${f('server.crt')}`,
    `tls-key-file ${f('server.key')}`,
    `tls-ca-cert-file ${f('ca.crt')}`,
    'tls-auth-clients yes',
    'tls-protocols "TLSv1.2 TLSv1.3"',
    'tls-ciphers ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256',
    'tls-ciphersuites TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256',
    'tls-prefer-server-ciphers yes',
    'tls-replication yes',
    'tls-cluster yes',
    `aclfile ${f('users.acl')}`,
    `logfile ${f('redoubt.log')}`,
    `dir ${f('data')}`,
    'maxmemory 256mb',
    'enable-protected-configs no',
    'enable-debug-command no',
    'enable-module-command no',
    'rename-command FLUSHALL ""',
    'rename-command FLUSHDB ""',
    'rename-command DEBUG ""',
    '',
  ].join('\n');
  writeFileSync(f('redoubt.conf'), conf);
  // What init also writes; the audit tolerates audit-* lines the registry does not know yet.
  writeFileSync(f('audit.conf'), conf + `audit-log ${f('audit.log')}\naudit-events all\n`);
  chmodSync(f('server.key'), 0o400);
  for (const n of ['users.acl', 'redoubt.conf', 'audit.conf']) chmodSync(f(n), 0o600);
  const as = isRoot ? { uid: 65534, gid: 65534, port: TP } : { port: TP };
  if (isRoot)
    for (const n of [
      '',
      'ca.crt',
      'server.crt',
      'server.key',
      'data',
      'redoubt.log',
      'users.acl',
      'redoubt.conf',
      'audit.conf',
    ])
      chownSync(f(n), 65534, 65534);
  const srv = await startServer(process.execPath, [SERVER_JS, f('redoubt.conf')], as);
  try {
    const tlsArgs = ['--cacert', f('ca.crt'), '--cert', pki.file('client.crt'), '--key', pki.file('client.key')];
    const env = { REDOUBT_AUDIT_PASSWORD: ADMIN_PASS };
    const url = ['--url', `rediss://admin@127.0.0.1:${TP}`, ...tlsArgs];
    const l = await auditJson([...url, '--fail-on', 'low'], env);
    assert.deepEqual(atOrAbove(l.j, 'low'), []);
    assert.equal(l.r.code, 0);
    assert.deepEqual(sev(l.j, 'CMD-DANGEROUS-AVAILABLE'), ['info'], 'CONFIG and SHUTDOWN are kept for the admin');
    assert.ok(
      l.j.findings.some((x) => x.id === 'ACL-DANGEROUS' && x.severity === 'info' && x.seen.includes('user admin')),
    );
    if (isRoot) assert.deepEqual(sev(l.j, 'PROC-ROOT'), []);

    const file = await auditJson(['--config', f('audit.conf'), '--fail-on', 'low']);
    assert.deepEqual(atOrAbove(file.j, 'low'), []);
    assert.equal(file.r.code, 0);

    const both = await auditJson(['--config', f('audit.conf'), ...url, '--fail-on', 'low'], env);
    assert.deepEqual(atOrAbove(both.j, 'low'), []);
    assert.equal(both.r.code, 0);

    // The same server without a client certificate cannot be audited: a clear exit 2.
    const noCert = await audit(['--url', `rediss://admin@127.0.0.1:${TP}`, '--cacert', f('ca.crt')], env);
    assert.equal(noCert.code, 2);
    assert.match(noCert.stderr, /^redoubt audit: /);
    assert.ok(!noCert.stderr.includes('    at '), 'no stack trace');
  } finally {
    await srv.stop();
  }
});

// ---- (4) exit codes and output shape --------------------------------------------------------

test('--fail-on thresholds, --json shape, usage errors', async () => {
  const conf = FIXTURE;
  const crit = await auditJson(['--config', conf, '--fail-on', 'critical']);
  assert.equal(crit.r.code, 1, 'AUTH-NONE is critical');
  const { j } = crit;
  assert.deepEqual(Object.keys(j).sort(), ['findings', 'summary', 'target']);
  assert.deepEqual(Object.keys(j.summary).sort(), ['critical', 'high', 'info', 'low', 'medium']);
  for (const x of j.findings)
    assert.deepEqual(Object.keys(x).sort(), ['fix', 'id', 'ref', 'seen', 'severity', 'title', 'why']);
  const total = Object.values(j.summary).reduce((a, b) => a + b, 0);
  assert.equal(total, j.findings.length);
  assert.ok(
    j.findings.every((x) => /\((000|001|002)\)/.test(x.ref)),
    'every finding cites a checklist',
  );

  // A config whose worst finding is medium: passes --fail-on high, fails --fail-on medium.
  const dir = tmp('redoubt-audit-fail-');
  const mid = path.join(dir, 'mid.conf');
  const hash = sha('c7d5a0f3b9e2418a6f0d3c5b7e9a1d2f4b6c8e0a2d4f6b8c0e2a4c6e8f0b2d4a');
  writeFileSync(
    mid,
    `bind 127.0.0.1\nport 25150\nuser default off\nuser admin on #${hash} ~* &* +@all\nlogfile ${path.join(dir, 'x.log')}\n`,
  );
  chmodSync(mid, 0o600);
  assert.equal((await audit(['--config', mid])).code, 0);
  assert.equal((await audit(['--config', mid, '--fail-on', 'medium'])).code, 1);
  assert.equal((await audit(['--config', mid, '--fail-on', 'info'])).code, 1);

  const usage = await audit(['--fail-on', 'severe', '--config', mid]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /^redoubt audit: --fail-on must be one of/);
  assert.equal((await audit([])).code, 2);
  const missing = await audit(['--config', path.join(dir, 'nope.conf')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^redoubt audit: cannot read config file/);
  const refused = await audit(['--url', 'redis://127.0.0.1:25199', '--pass', 'Zq9sekrit']);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /^redoubt audit: cannot connect to 127\.0\.0\.1:25199/);
  assert.ok(!refused.stderr.includes('Zq9sekrit'));
});
