// `redoubt init` end to end: write a deployment into a temp dir, start the server on exactly
// what was written (as an unprivileged user when the test runs as root), then connect as every
// generated user with its client certificate and check what its role allows and what it denies.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { ROOT, SERVER_JS, freePort, hasRedisCli, REDIS_CLI } from '../support/server.js';

const TOOL_JS = path.join(ROOT, 'dist/bin/redoubt.js');
const run = promisify(execFile);
const asRoot = process.getuid?.() === 0;

async function waitForFile(file: string, needle: string, child: ChildProcess, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (existsSync(file) && readFileSync(file, 'latin1').includes(needle)) return;
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`no "${needle}" in ${file} after ${ms}ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('redoubt init', () => {
  let dir: string;
  let port: number;
  let child: ChildProcess;
  let stdout: string;
  let passwords: Map<string, string>;
  const clients: Redis[] = [];

  before(async () => {
    dir = path.join(mkdtempSync(path.join(tmpdir(), 'redoubt-init-')), 'deploy');
    port = await freePort();
    const args = [TOOL_JS, 'init', '--dir', dir, '--port', String(port)];
    if (asRoot) args.push('--owner', 'nobody');
    ({ stdout } = await run(process.execPath, args));
    passwords = new Map(
      readFileSync(path.join(dir, 'secrets.txt'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(' ') as [string, string]),
    );
    // The parent temp dir must be traversable by the unprivileged server.
    spawnSync('chmod', ['711', path.dirname(dir)]);
    const opts = asRoot ? { uid: statSync(dir).uid, gid: statSync(dir).gid } : {};
    child = spawn(process.execPath, [SERVER_JS, path.join(dir, 'redoubt.conf')], { stdio: 'ignore', ...opts });
    await waitForFile(path.join(dir, 'redoubt.log'), 'Ready to accept', child, 15000);
  });

  after(async () => {
    for (const c of clients) c.disconnect();
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  function connect(user: string, cert = user): Promise<Redis> {
    const c = new Redis({
      host: '127.0.0.1',
      port,
      username: user,
      password: passwords.get(user),
      enableReadyCheck: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      lazyConnect: true,
      tls: {
        ca: readFileSync(path.join(dir, 'ca.crt')),
        cert: readFileSync(path.join(dir, 'clients', `${cert}.crt`)),
        key: readFileSync(path.join(dir, 'clients', `${cert}.key`)),
        servername: 'localhost',
      },
    });
    c.on('error', () => {});
    clients.push(c);
    return c.connect().then(() => c);
  }

  async function denied(p: Promise<unknown>, prefix: string): Promise<void> {
    await assert.rejects(p, (e: Error) => e.message.startsWith(prefix));
  }

  test('prints every password once and stores them only in the 0600 secrets file', () => {
    assert.equal(passwords.size, 5);
    for (const [user, pw] of passwords) {
      assert.match(pw, /^[0-9a-f]{64}$/);
      assert.equal(stdout.split(pw).length - 1, 1, `password of ${user} printed once`);
      assert.ok(!readFileSync(path.join(dir, 'users.acl'), 'utf8').includes(pw), 'ACL file holds hashes only');
      assert.ok(!readFileSync(path.join(dir, 'redoubt.conf'), 'utf8').includes(pw));
    }
  });

  test('key files are 0400, secrets and configs 0600, the directory 0700', () => {
    const mode = (f: string): number => statSync(path.join(dir, f)).mode & 0o777;
    assert.equal(mode('.'), 0o700);
    for (const f of ['server.key', 'ca/ca.key', 'clients/app.key', 'clients/admin.key'])
      assert.equal(mode(f), 0o400, f);
    for (const f of ['secrets.txt', 'users.acl', 'redoubt.conf']) assert.equal(mode(f), 0o600, f);
    if (asRoot) assert.equal(statSync(path.join(dir, 'server.key')).uid, 65534);
  });

  test('the server runs TLS only, as the unprivileged owner', () => {
    const conf = readFileSync(path.join(dir, 'redoubt.conf'), 'utf8');
    assert.match(conf, /^port 0$/m);
    assert.match(conf, /^tls-auth-clients yes$/m);
    if (asRoot) {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      assert.match(status, /^Uid:\s+65534\s/m);
    }
  });

  test('app: read and write under its prefix only, nothing dangerous', async () => {
    const c = await connect('app');
    assert.equal(await c.set('app:1', 'v'), 'OK');
    assert.equal(await c.get('app:1'), 'v');
    await denied(c.set('cache:1', 'v'), 'NOPERM');
    await denied(c.keys('*'), 'NOPERM');
    await denied(c.config('GET', 'dir'), 'NOPERM');
    await denied(c.publish('other', 'x'), 'NOPERM');
    assert.equal(await c.publish('app:events', 'x'), 0);
  });

  test('cache: reads its prefix, writes nothing', async () => {
    const admin = await connect('admin');
    await admin.set('cache:1', 'cached');
    const c = await connect('cache');
    assert.equal(await c.get('cache:1'), 'cached');
    await denied(c.set('cache:1', 'x'), 'NOPERM');
    await denied(c.get('app:1'), 'NOPERM');
    await denied(c.info(), 'NOPERM');
  });

  test('analytics: reads every key, no writes, no admin', async () => {
    const c = await connect('analytics');
    assert.equal(await c.get('app:1'), 'v');
    assert.equal(typeof (await c.dbsize()), 'number');
    await denied(c.set('app:1', 'x'), 'NOPERM');
    await denied(c.del('app:1'), 'NOPERM');
    await denied(c.config('GET', 'dir'), 'NOPERM');
    await denied(c.keys('*'), 'NOPERM');
  });

  test('monitor: INFO, SLOWLOG, CLIENT LIST, MEMORY STATS and nothing else', async () => {
    const c = await connect('monitor');
    assert.match(await c.info('server'), /redis_version:7\.0\.15/);
    assert.ok(Array.isArray(await c.slowlog('GET')));
    assert.match((await c.client('LIST')) as string, /user=monitor/);
    assert.ok(Array.isArray(await c.call('MEMORY', 'STATS')));
    await denied(c.get('app:1'), 'NOPERM');
    await denied(c.client('KILL', 'USER', 'app'), 'NOPERM');
    await denied(c.slowlog('RESET'), 'NOPERM');
    await denied(c.config('GET', 'dir'), 'NOPERM');
  });

  test('admin: everything but the removed commands; protected configs stay closed', async () => {
    const c = await connect('admin');
    assert.deepEqual(await c.config('GET', 'maxmemory'), ['maxmemory', String(256 * 1024 * 1024)]);
    await denied(c.call('FLUSHALL'), 'ERR unknown command');
    await denied(c.call('DEBUG', 'SLEEP', '0'), 'ERR unknown command');
    await denied(c.config('SET', 'dir', '/tmp'), "ERR CONFIG SET failed (possibly related to argument 'dir')");
  });

  test('redoubt audit gives the running deployment no finding at or above low', () => {
    const conf = path.join(dir, 'redoubt.conf');
    const args = [TOOL_JS, 'audit', '--config', conf, '--url', `rediss://admin@127.0.0.1:${port}`];
    args.push('--cacert', path.join(dir, 'ca.crt'), '--sni', 'localhost');
    args.push('--cert', path.join(dir, 'clients/admin.crt'), '--key', path.join(dir, 'clients/admin.key'));
    const env = { ...process.env, REDOUBT_AUDIT_PASSWORD: passwords.get('admin')! };
    const r = spawnSync(process.execPath, [...args, '--json', '--fail-on', 'low'], { env, encoding: 'utf8' });
    const report = JSON.parse(r.stdout) as { findings: { id: string; severity: string }[] };
    const serious = report.findings.filter((f) => f.severity !== 'info');
    assert.deepEqual(serious, [], JSON.stringify(serious));
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!r.stdout.includes(passwords.get('admin')!), 'the password never appears in the report');
    // Both sources were read: no SRC-*-UNAVAILABLE finding.
    assert.ok(!report.findings.some((f) => f.id.startsWith('SRC-')), JSON.stringify(report.findings));
  });

  test('the default user is off, and a wrong password is refused', async () => {
    const c = await connect('app');
    await denied(c.call('AUTH', 'default', ''), 'WRONGPASS');
    await denied(c.call('AUTH', 'admin', passwords.get('app')!), 'WRONGPASS');
  });

  test('a client without a certificate is refused at the TLS handshake', async () => {
    const c = new Redis({
      host: '127.0.0.1',
      port,
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      enableReadyCheck: false,
      username: 'app',
      password: passwords.get('app'),
      tls: { ca: readFileSync(path.join(dir, 'ca.crt')), servername: 'localhost' },
    });
    c.on('error', () => {});
    clients.push(c);
    await assert.rejects(c.connect().then(() => c.ping()));
  });

  test(
    'redis-cli connects with the generated certificate and user',
    { skip: !hasRedisCli() && 'redis-cli not installed' },
    async () => {
      const { stdout: out } = await run(REDIS_CLI, [
        '--tls',
        '-p',
        String(port),
        '--cacert',
        path.join(dir, 'ca.crt'),
        '--cert',
        path.join(dir, 'clients/app.crt'),
        '--key',
        path.join(dir, 'clients/app.key'),
        '--user',
        'app',
        '--pass',
        passwords.get('app')!,
        '--no-auth-warning',
        'GET',
        'app:1',
      ]);
      assert.equal(out.trim(), 'v');
    },
  );
});
