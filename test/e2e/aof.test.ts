// The append-only file end to end: appendonly yes survives kill -9, BGREWRITEAOF in both base
// formats, appendfsync always ordering, CONFIG SET appendonly at runtime, truncated and damaged
// files, the pre-7.0 single-file upgrade, and AOF directories exchanged with a real
// redis-server 7.0.15 in both directions. Ports 30700-30799.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hasRedis, type Proc } from '../support/server.js';
import { redisIn, redoubtIn } from '../support/fixed-port.js';
import { RespClient } from '../support/resp-client.js';

const LO = 30700;
const HI = 30799;
const noRedis = hasRedis() ? false : 'redis-server 7.0.15 not installed';

function freshDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'redoubt-aof-'));
}

function redoubt(dir: string, args: string[] = []): Promise<Proc> {
  return redoubtIn({ lo: LO, hi: HI, args: ['--dir', dir, '--save', '', '--enable-debug-command', 'yes', ...args] });
}

async function withClient<T>(p: Proc, fn: (c: RespClient) => Promise<T>): Promise<T> {
  const c = await RespClient.connect(p.port);
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

/** Kills without any chance to save: what survives is what the AOF holds. */
function crash(p: Proc): Promise<void> {
  return new Promise((resolve) => {
    if (p.child.exitCode !== null) return resolve();
    p.child.once('exit', () => resolve());
    p.child.kill('SIGKILL');
  });
}

/** Writes of every type, in two databases, with TTLs, a transaction and deletions. */
async function populate(c: RespClient): Promise<void> {
  await c.call('SET', 'str', 'hello');
  await c.call('SET', 'bin', Buffer.from([0, 255, 13, 10, 1]));
  await c.call('INCRBYFLOAT', 'float', '1.5');
  await c.call('RPUSH', 'list', 'a', 'b', 'c');
  await c.call('LPOP', 'list');
  await c.call('SADD', 'set', 'x', 'y', 'z');
  await c.call('SREM', 'set', 'y');
  await c.call('ZADD', 'zset', '1', 'a', '2.5', 'b', '-inf', 'c');
  await c.call('HSET', 'hash', 'f', 'v', 'n', '42');
  await c.call('HINCRBY', 'hash', 'n', '8');
  await c.call('XADD', 'stream', '1-1', 'k', 'v');
  await c.call('SET', 'ttl', 'x', 'EX', '1000');
  await c.call('SET', 'gone', 'x');
  await c.call('DEL', 'gone');
  await c.call('MULTI');
  await c.call('INCR', 'counter');
  await c.call('INCR', 'counter');
  await c.call('EXEC');
  await c.call('SELECT', '5');
  await c.call('SET', 'in5', 'five');
  await c.call('SELECT', '0');
}

async function digest(c: RespClient): Promise<string> {
  return (await c.call('DEBUG', 'DIGEST')) as string;
}

/** Every key of every db with its type and contents, for comparing with a real Redis. */
async function contents(c: RespClient): Promise<string> {
  const out: string[] = [];
  for (let db = 0; db < 16; db++) {
    await c.call('SELECT', String(db));
    for (const k of ((await c.call('KEYS', '*')) as string[]).sort()) {
      const t = (await c.call('TYPE', k)) as string;
      let v: unknown;
      if (t === 'string') v = await c.call('GET', k);
      else if (t === 'list') v = await c.call('LRANGE', k, '0', '-1');
      else if (t === 'set') v = ((await c.call('SMEMBERS', k)) as string[]).sort();
      else if (t === 'zset') v = await c.call('ZRANGE', k, '0', '-1', 'WITHSCORES');
      else if (t === 'hash') v = ((await c.call('HGETALL', k)) as string[]).sort();
      else v = await c.call('XRANGE', k, '-', '+');
      out.push(JSON.stringify([db, k, t, v, ((await c.call('TTL', k)) as number) > 0]));
    }
  }
  await c.call('SELECT', '0');
  return out.join('\n');
}

function manifest(dir: string): string {
  return readFileSync(path.join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'latin1');
}

test('appendonly yes: every write survives kill -9; files are private', async () => {
  const dir = freshDir();
  let p = await redoubt(dir, ['--appendonly', 'yes']);
  let before = '';
  try {
    before = await withClient(p, async (c) => {
      await populate(c);
      return digest(c);
    });
  } finally {
    await crash(p);
  }
  const aofDir = path.join(dir, 'appendonlydir');
  assert.equal(statSync(aofDir).mode & 0o777, 0o700);
  for (const f of readdirSync(aofDir)) assert.equal(statSync(path.join(aofDir, f)).mode & 0o777, 0o600, f);
  assert.equal(
    manifest(dir),
    'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n',
  );
  const incr = readFileSync(path.join(aofDir, 'appendonly.aof.1.incr.aof'), 'latin1');
  // SET EX is stored with an absolute time, the transaction with its MULTI/EXEC.
  assert.match(incr, /\*5\r\n\$3\r\nSET\r\n\$3\r\nttl\r\n\$1\r\nx\r\n\$4\r\nPXAT\r\n/i);
  assert.match(incr, /MULTI\r\n(.|\r|\n)*INCR(.|\r|\n)*INCR(.|\r|\n)*EXEC\r\n/i);
  p = await redoubt(dir, ['--appendonly', 'yes']);
  try {
    assert.match(p.output(), /DB loaded from incr file appendonly\.aof\.1\.incr\.aof/);
    assert.match(p.output(), /Opening AOF incr file appendonly\.aof\.1\.incr\.aof on server start/);
    assert.equal(await withClient(p, digest), before);
  } finally {
    await p.stop();
  }
});

for (const preamble of ['yes', 'no']) {
  test(`BGREWRITEAOF (aof-use-rdb-preamble ${preamble}): new base, new incr file, history removed`, async () => {
    const dir = freshDir();
    const args = ['--appendonly', 'yes', '--aof-use-rdb-preamble', preamble];
    let p = await redoubt(dir, args);
    let before = '';
    const ext = preamble === 'yes' ? 'rdb' : 'aof';
    try {
      before = await withClient(p, async (c) => {
        await populate(c);
        assert.equal(await c.call('BGREWRITEAOF'), 'Background append only file rewriting started');
        await c.call('SET', 'after', 'rewrite');
        const info = (await c.call('INFO', 'persistence')) as string;
        assert.match(info, /aof_rewrites:1\r\n/);
        assert.match(info, /aof_last_bgrewrite_status:ok\r\n/);
        return digest(c);
      });
    } finally {
      await crash(p);
    }
    assert.equal(
      manifest(dir),
      `file appendonly.aof.2.base.${ext} seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n`,
    );
    const files = readdirSync(path.join(dir, 'appendonlydir')).sort();
    assert.deepEqual(files, [`appendonly.aof.2.base.${ext}`, 'appendonly.aof.2.incr.aof', 'appendonly.aof.manifest']);
    const base = readFileSync(path.join(dir, 'appendonlydir', `appendonly.aof.2.base.${ext}`), 'latin1');
    assert.ok(preamble === 'yes' ? base.startsWith('REDIS') : base.startsWith('*2\r\n$6\r\nSELECT\r\n'));
    p = await redoubt(dir, args);
    try {
      assert.equal(await withClient(p, digest), before);
    } finally {
      await p.stop();
    }
  });
}

test('appendfsync always: the command is in the file before its reply arrives', async () => {
  const dir = freshDir();
  const p = await redoubt(dir, ['--appendonly', 'yes', '--appendfsync', 'always']);
  try {
    await withClient(p, async (c) => {
      const file = path.join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof');
      for (let i = 0; i < 20; i++) {
        await c.call('SET', `k${i}`, `v${i}`);
        assert.ok(readFileSync(file, 'latin1').includes(`$${`k${i}`.length}\r\nk${i}\r\n`), `k${i} not yet written`);
      }
    });
  } finally {
    await p.stop();
  }
});

test('CONFIG SET appendonly yes/no at runtime; DEBUG LOADAOF reloads the same data', async () => {
  const dir = freshDir();
  const p = await redoubt(dir);
  try {
    await withClient(p, async (c) => {
      await populate(c);
      assert.equal(existsSync(path.join(dir, 'appendonlydir')), false);
      assert.equal(await c.call('CONFIG', 'SET', 'appendonly', 'yes'), 'OK');
      assert.match((await c.call('INFO', 'persistence')) as string, /aof_enabled:1\r\n/);
      await c.call('SET', 'later', '1');
      const d = await digest(c);
      assert.equal(await c.call('DEBUG', 'LOADAOF'), 'OK');
      assert.equal(await digest(c), d);
      assert.equal(await c.call('CONFIG', 'SET', 'appendonly', 'no'), 'OK');
      const file = path.join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof');
      const size = statSync(file).size;
      await c.call('SET', 'not-logged', '1');
      assert.equal(statSync(file).size, size);
      assert.match((await c.call('INFO', 'persistence')) as string, /aof_enabled:0\r\n/);
    });
  } finally {
    await p.stop();
  }
});

test('a truncated AOF loads with aof-load-truncated yes and stops the server with no', async () => {
  const dir = freshDir();
  let p = await redoubt(dir, ['--appendonly', 'yes']);
  try {
    await withClient(p, async (c) => {
      await c.call('SET', 'a', '1');
      await c.call('SET', 'b', '2');
    });
  } finally {
    await p.stop();
  }
  const incr = path.join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof');
  const good = statSync(incr).size;
  appendFileSync(incr, '*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1');
  await assert.rejects(redoubt(dir, ['--appendonly', 'yes', '--aof-load-truncated', 'no']), (e: Error) => {
    assert.match(e.message, /Unexpected end of file reading the append only file appendonly\.aof\.1\.incr\.aof/);
    return true;
  });
  p = await redoubt(dir, ['--appendonly', 'yes']);
  try {
    assert.match(p.output(), /!!! Warning: short read while loading the AOF file appendonly\.aof\.1\.incr\.aof!!!/);
    assert.equal(statSync(incr).size, good);
    await withClient(p, async (c) => {
      assert.equal(await c.call('GET', 'b'), '2');
      assert.equal(await c.call('EXISTS', 'c'), 0);
    });
  } finally {
    await p.stop();
  }
});

test('a damaged manifest or an unknown command stops the server with Redis log lines', async () => {
  const dir = freshDir();
  mkdirSync(path.join(dir, 'appendonlydir'));
  const m = path.join(dir, 'appendonlydir', 'appendonly.aof.manifest');
  writeFileSync(m, 'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.2.base.rdb seq 2 type b\n');
  await assert.rejects(redoubt(dir, ['--appendonly', 'yes']), (e: Error) => {
    assert.match(e.message, /\*\*\* FATAL AOF MANIFEST FILE ERROR \*\*\*/);
    assert.match(e.message, /Reading the manifest file, at line 2/);
    assert.match(e.message, /Found duplicate base file information/);
    return true;
  });
  writeFileSync(m, 'file appendonly.aof.1.incr.aof seq 1 type i\n');
  writeFileSync(path.join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof'), '*2\r\n$4\r\nNOPE\r\n$1\r\nx\r\n');
  await assert.rejects(redoubt(dir, ['--appendonly', 'yes']), (e: Error) => {
    assert.match(e.message, /Unknown command 'NOPE' reading the append only file appendonly\.aof\.1\.incr\.aof/);
    return true;
  });
});

test('a pre-7.0 appendonly.aof in dir is moved into the AOF directory and loaded', async () => {
  const dir = freshDir();
  writeFileSync(path.join(dir, 'appendonly.aof'), '*3\r\n$3\r\nSET\r\n$3\r\nold\r\n$5\r\nstyle\r\n');
  const p = await redoubt(dir, ['--appendonly', 'yes']);
  try {
    assert.match(p.output(), /Successfully migrated an old-style AOF file \(appendonly\.aof\) into the AOF directory/);
    assert.equal(await withClient(p, (c) => c.call('GET', 'old')), 'style');
    assert.equal(existsSync(path.join(dir, 'appendonly.aof')), false);
    assert.match(
      manifest(dir),
      /^file appendonly\.aof seq 1 type b\nfile appendonly\.aof\.1\.incr\.aof seq 1 type i\n$/,
    );
  } finally {
    await p.stop();
  }
});

test('AOF directories move both ways between Redoubt and redis-server 7.0.15', { skip: noRedis }, async () => {
  const dir = freshDir();
  let p = await redoubt(dir, ['--appendonly', 'yes']);
  let mine = '';
  try {
    mine = await withClient(p, async (c) => {
      await populate(c);
      await c.call('BGREWRITEAOF');
      await c.call('HSET', 'hash', 'added', 'after');
      return contents(c);
    });
  } finally {
    await crash(p);
  }
  const r = await redisIn({ lo: LO, hi: HI, args: ['--dir', dir, '--appendonly', 'yes', '--save', ''] });
  let theirs = '';
  try {
    theirs = await withClient(r, async (c) => {
      const got = await contents(c);
      await c.call('RPUSH', 'list', 'from-redis');
      await c.call('SELECT', '3');
      await c.call('SET', 'redis3', 'x');
      await c.call('SELECT', '0');
      return got;
    });
  } finally {
    await r.stop();
  }
  assert.equal(theirs, mine);
  p = await redoubt(dir, ['--appendonly', 'yes']);
  try {
    await withClient(p, async (c) => {
      assert.deepEqual(await c.call('LRANGE', 'list', '0', '-1'), ['b', 'c', 'from-redis']);
      await c.call('SELECT', '3');
      assert.equal(await c.call('GET', 'redis3'), 'x');
    });
  } finally {
    await p.stop();
  }
});
