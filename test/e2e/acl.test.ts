// Authentication and ACLs end to end, with ioredis and node-redis using usernames and
// passwords, plus raw connections for the protocol-level limits. The configuration is the one
// the security documents in ../shared/seeds show (user default off, app_service, ...).
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, statSync, chmodSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { startRedoubt, type Proc } from '../support/server.js';
import { RespClient } from '../support/resp-client.js';

const dir = mkdtempSync(path.join(tmpdir(), 'redoubt-acl-'));
const conf = path.join(dir, 'redis.conf');
writeFileSync(
  conf,
  [
    `dir ${dir}`,
    'user default off',
    'user cache_reader on >cache_reader_password ~cache:* +get +mget +hget +hgetall +lrange +smembers',
    'user app_service on >app_service_password ~app:* +@all -@dangerous -flushall -flushdb -config -debug',
    'user redis_admin on >admin_password ~* &* +@all',
    'rename-command KEYS "KEYS_UNSAFE_d91f"',
    'rename-command FLUSHALL ""',
    '',
  ].join('\n'),
);

let srv: Proc;
before(async () => {
  srv = await startRedoubt([], conf);
});
after(async () => {
  await srv?.stop();
});

const io = (username?: string, password?: string): Redis =>
  new Redis({ port: srv.port, host: '127.0.0.1', username, password, lazyConnect: true, maxRetriesPerRequest: 0 });

async function admin(): Promise<RespClient> {
  const c = await RespClient.connect(srv.port);
  assert.equal(await c.call('AUTH', 'redis_admin', 'admin_password'), 'OK');
  return c;
}

test('user default off: new connections get NOAUTH; AUTH with the right user works', async () => {
  const c = await RespClient.connect(srv.port);
  try {
    const e = (await c.call('PING')) as Error;
    assert.match(e.message, /^NOAUTH Authentication required/);
    assert.match(((await c.call('AUTH', 'nopass')) as Error).message, /^WRONGPASS/);
    assert.equal(await c.call('AUTH', 'app_service', 'app_service_password'), 'OK');
    assert.equal(await c.call('ACL', 'WHOAMI'), 'app_service');
  } finally {
    c.close();
  }
});

test('ioredis as app_service: own keys only, @dangerous and CONFIG refused', async () => {
  const r = io('app_service', 'app_service_password');
  try {
    await r.connect();
    assert.equal(await r.set('app:1', 'v'), 'OK');
    assert.equal(await r.get('app:1'), 'v');
    await assert.rejects(
      r.set('other', 'v'),
      /NOPERM this user has no permissions to access one of the keys used as arguments/,
    );
    await assert.rejects(
      r.config('GET', 'port'),
      /NOPERM this user has no permissions to run the 'config\|get' command/,
    );
    // Rules name the original command, so the renamed KEYS stays refused (it is @dangerous).
    await assert.rejects(
      r.call('KEYS_UNSAFE_d91f', '*'),
      /NOPERM this user has no permissions to run the 'keys' command/,
    );
    await assert.rejects(r.call('KEYS', '*'), /unknown command/);
  } finally {
    r.disconnect();
  }
});

test('node-redis as cache_reader: reads in cache:*, no writes', async () => {
  const c = createClient({
    socket: { port: srv.port, host: '127.0.0.1' },
    username: 'cache_reader',
    password: 'cache_reader_password',
  });
  c.on('error', () => {});
  await c.connect();
  try {
    assert.equal(await c.get('cache:none'), null);
    await assert.rejects(c.set('cache:x', '1'), /NOPERM this user has no permissions to run the 'set' command/);
    await assert.rejects(c.get('app:1'), /NOPERM/);
  } finally {
    await c.disconnect();
  }
  const bad = createClient({
    socket: { port: srv.port, host: '127.0.0.1', reconnectStrategy: false },
    username: 'cache_reader',
    password: 'nope',
  });
  bad.on('error', () => {});
  await assert.rejects(bad.connect(), /WRONGPASS/);
});

test('ACL LOG records denials and failed AUTH with the client address; INFO counts them', async () => {
  const a = await admin();
  try {
    assert.equal(await a.call('ACL', 'LOG', 'RESET'), 'OK');
    const c = await RespClient.connect(srv.port);
    await c.call('AUTH', 'app_service', 'wrong');
    await c.call('AUTH', 'app_service', 'app_service_password');
    await c.call('GET', 'secret');
    await c.call('GET', 'secret');
    c.close();
    const log = (await a.call('ACL', 'LOG')) as unknown[][];
    const entry = (i: number): Map<string, unknown> => {
      const m = new Map<string, unknown>();
      const e = log[i]!;
      for (let k = 0; k < e.length; k += 2) m.set(e[k] as string, e[k + 1]);
      return m;
    };
    assert.equal(log.length, 2);
    assert.equal(entry(0).get('reason'), 'key');
    assert.equal(entry(0).get('object'), 'secret');
    assert.equal(entry(0).get('count'), 2);
    assert.equal(entry(0).get('username'), 'app_service');
    assert.equal(entry(1).get('reason'), 'auth');
    assert.equal(entry(1).get('object'), 'AUTH');
    assert.match(entry(1).get('client-info') as string, /addr=127\.0\.0\.1:\d+ /);
    assert.ok(typeof entry(0).get('entry-id') === 'number' && typeof entry(0).get('timestamp-created') === 'number');
    const info = (await a.call('INFO', 'stats')) as string;
    assert.match(info, /acl_access_denied_auth:[1-9]/);
    assert.match(info, /acl_access_denied_key:[1-9]/);
  } finally {
    a.close();
  }
});

test('ACL DRYRUN and the seed example users', async () => {
  const a = await admin();
  try {
    assert.equal(await a.call('ACL', 'SETUSER', 'readonly', 'on', '>pw', '~*', '+get', '+exists'), 'OK');
    assert.equal(await a.call('ACL', 'DRYRUN', 'readonly', 'GET', 'k'), 'OK');
    assert.equal(
      await a.call('ACL', 'DRYRUN', 'readonly', 'SET', 'k', 'v'),
      "This user has no permissions to run the 'set' command",
    );
    assert.equal(
      await a.call('ACL', 'DRYRUN', 'app_service', 'GET', 'x'),
      "This user has no permissions to access the 'x' key",
    );
    const cat = (await a.call('ACL', 'CAT', 'dangerous')) as string[];
    for (const c of ['flushall', 'keys', 'config|set', 'debug']) assert.ok(cat.includes(c), c);
  } finally {
    a.close();
  }
});

test('MULTI: a command denied while queueing aborts EXEC and is logged in the multi context', async () => {
  const a = await admin();
  const c = await RespClient.connect(srv.port);
  try {
    await a.call('ACL', 'LOG', 'RESET');
    await c.call('AUTH', 'app_service', 'app_service_password');
    assert.equal(await c.call('MULTI'), 'OK');
    assert.match(((await c.call('GET', 'nope')) as Error).message, /^NOPERM/);
    assert.match(((await c.call('EXEC')) as Error).message, /^EXECABORT/);
    const log = (await a.call('ACL', 'LOG', '1')) as unknown[][];
    assert.equal(log[0]![5], 'multi');
  } finally {
    c.close();
    a.close();
  }
});

test('ACL DELUSER closes the connections of the deleted user', async () => {
  const a = await admin();
  const c = await RespClient.connect(srv.port);
  try {
    await a.call('ACL', 'SETUSER', 'temp', 'on', '>t', '+@all', '~*');
    assert.equal(await c.call('AUTH', 'temp', 't'), 'OK');
    assert.equal(await a.call('ACL', 'DELUSER', 'temp', 'nosuch'), 1);
    // The server closed it: the next command fails (reset, EPIPE or "ended by the other party").
    await assert.rejects(c.call('PING'));
  } finally {
    c.close();
    a.close();
  }
});

test('revoking channel permissions disconnects the subscribers that no longer pass', async () => {
  const a = await admin();
  await a.call('ACL', 'SETUSER', 'sub', 'on', '>s', '+@all', '~*', 'resetchannels', '&news', '&sport');
  const sub = io('sub', 's');
  try {
    await sub.connect();
    assert.equal(await sub.subscribe('news'), 1);
    const closed = new Promise<void>((resolve) => sub.once('close', () => resolve()));
    // Still allowed: nothing happens. Then news is revoked: the subscriber is dropped.
    assert.equal(await a.call('ACL', 'SETUSER', 'sub', '&extra'), 'OK');
    assert.equal(await a.call('ACL', 'SETUSER', 'sub', 'resetchannels', '&sport'), 'OK');
    await closed;
    await assert.rejects(
      (async () => {
        const p = io('sub', 's');
        try {
          await p.connect();
          await p.publish('news', 'x');
        } finally {
          p.disconnect();
        }
      })(),
      /NOPERM this user has no permissions to access one of the channels used as arguments/,
    );
  } finally {
    sub.disconnect();
    a.close();
  }
});

function rawExchange(bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ port: srv.port, host: '127.0.0.1' }, () => s.write(bytes));
    let got = '';
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('close', () => resolve(got));
    s.on('error', () => {});
  });
}

test('unauthenticated clients: 10 multibulk args, 16 KB bulks, small output buffer', async () => {
  assert.equal(await rawExchange('*11\r\n'), '-ERR Protocol error: unauthenticated multibulk length\r\n');
  assert.equal(await rawExchange('*1\r\n$16385\r\n'), '-ERR Protocol error: unauthenticated bulk length\r\n');
  // 200 pipelined PINGs without reading would need ~7 KB of NOAUTH replies: the client is dropped.
  const got = await rawExchange('PING\r\n'.repeat(200));
  assert.ok(got.length < 2048, `got ${got.length} bytes`);
});

test('CONFIG REWRITE writes each user once, hashed', async () => {
  const a = await admin();
  try {
    assert.equal(await a.call('CONFIG', 'REWRITE'), 'OK');
    assert.equal(await a.call('CONFIG', 'REWRITE'), 'OK');
    const text = readFileSync(conf, 'latin1');
    assert.equal(text.match(/^user app_service /gm)?.length, 1);
    assert.equal(text.match(/^user default /gm)?.length, 1);
    assert.ok(!text.includes('admin_password'));
    assert.match(text, /^rename-command KEYS "?KEYS_UNSAFE_d91f"?/m);
  } finally {
    a.close();
  }
});

test('requirepass is the default user password; CONFIG SET requirepass updates it', async () => {
  const p = await startRedoubt(['--requirepass', 'secret']);
  try {
    const r = new Redis({ port: p.port, host: '127.0.0.1', password: 'secret', lazyConnect: true });
    await r.connect();
    assert.equal(await r.ping(), 'PONG');
    assert.deepEqual(await r.config('GET', 'requirepass'), ['requirepass', 'secret']);
    assert.equal(await r.config('SET', 'requirepass', 'other'), 'OK');
    r.disconnect();
    const c = await RespClient.connect(p.port);
    assert.match(((await c.call('AUTH', 'secret')) as Error).message, /^WRONGPASS/);
    assert.equal(await c.call('AUTH', 'other'), 'OK');
    assert.equal(await c.call('CONFIG', 'SET', 'requirepass', ''), 'OK');
    assert.match(
      ((await c.call('AUTH', 'x')) as Error).message,
      /AUTH <password> called without any password configured/,
    );
    c.close();
  } finally {
    await p.stop();
  }
});

test('opt-in AUTH throttle: after N failures the address is refused, even with the right password', async () => {
  const p = await startRedoubt(['--requirepass', 'secret', '--auth-failure-limit', '3']);
  try {
    const c = await RespClient.connect(p.port);
    for (let i = 0; i < 3; i++) assert.match(((await c.call('AUTH', 'bad')) as Error).message, /^WRONGPASS/);
    assert.match(((await c.call('AUTH', 'secret')) as Error).message, /too many failed authentication attempts/);
    c.close();
  } finally {
    await p.stop();
  }
});

test('ACL SAVE keeps the file mode, creates new files 0600; ACL LOAD is all-or-nothing', async () => {
  const d = mkdtempSync(path.join(tmpdir(), 'redoubt-aclfile-'));
  const file = path.join(d, 'users.acl');
  writeFileSync(file, 'user alice on >a ~* +@all\nuser default on nopass ~* &* +@all\n');
  chmodSync(file, 0o640);
  const p = await startRedoubt(['--aclfile', file]);
  try {
    const c = await RespClient.connect(p.port);
    assert.equal(await c.call('ACL', 'SETUSER', 'bob', 'on', '>b'), 'OK');
    assert.equal(await c.call('ACL', 'SAVE'), 'OK');
    assert.equal(statSync(file).mode & 0o777, 0o640);
    assert.match(readFileSync(file, 'latin1'), /^user bob on #[0-9a-f]{64} /m);
    writeFileSync(file, 'user carol on >c ~* +@all\nuser broken on +nosuchcmd\n');
    const err = (await c.call('ACL', 'LOAD')) as Error;
    assert.match(err.message, /users\.acl:2: Error in applying operation '\+nosuchcmd'/);
    assert.deepEqual(await c.call('ACL', 'USERS'), ['alice', 'bob', 'default']);
    c.close();
  } finally {
    await p.stop();
  }
  // A server whose aclfile does not exist yet: ACL SAVE creates it private.
  const missing = path.join(d, 'created.acl');
  writeFileSync(missing, 'user default on nopass ~* &* +@all\n');
  const q = await startRedoubt(['--aclfile', missing]);
  try {
    unlinkSync(missing);
    const c = await RespClient.connect(q.port);
    assert.equal(await c.call('ACL', 'SAVE'), 'OK');
    assert.equal(statSync(missing).mode & 0o777, 0o600);
    c.close();
  } finally {
    await q.stop();
  }
});
