// The dump file end to end: SAVE / BGSAVE / LASTSAVE / INFO persistence, loading at start-up,
// DEBUG RELOAD, SHUTDOWN SAVE/NOSAVE, and files exchanged with a real redis-server 7.0.15 in
// both directions (redis-check-rdb must accept Redoubt's). Ports 30500-30699.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdtempSync,
  mkdirSync,
  copyFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hasRedis, type Proc } from '../support/server.js';
import { redisIn, redoubtIn } from '../support/fixed-port.js';
import { RespClient } from '../support/resp-client.js';
import { crc64 } from '../../src/persist/crc64.js';
import { until } from '../support/until.js';

const LO = 30500;
const HI = 30699;
const noRedis = hasRedis() ? false : 'redis-server 7.0.15 not installed';
const CHECK_RDB = '/usr/bin/redis-check-rdb';

function freshDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'redoubt-rdb-'));
}

async function redoubt(dir: string, args: string[] = []): Promise<Proc> {
  return redoubtIn({ lo: LO, hi: HI, args: ['--dir', dir, '--enable-debug-command', 'yes', ...args] });
}

async function withClient<T>(p: Proc, fn: (c: RespClient) => Promise<T>): Promise<T> {
  const c = await RespClient.connect(p.port);
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

/** Writes one key of each type and encoding, with a TTL and a second database. */
async function populate(c: RespClient): Promise<void> {
  await c.call('SET', 'str', 'hello');
  await c.call('SET', 'int', '-12345');
  await c.call('SET', 'long', 'abc'.repeat(200));
  await c.call('SET', 'bin', Buffer.from([0, 255, 13, 10, 1]));
  await c.call('RPUSH', 'list', 'a', '1', '-70000', 'x'.repeat(300));
  await c.call('SADD', 'intset', '1', '2', '-3', '9223372036854775807');
  await c.call('SADD', 'set', 'a', 'b', 'c');
  await c.call('ZADD', 'zset', '1', 'a', '2.5', 'b', '-inf', 'c');
  await c.call('HSET', 'hash', 'f', 'v', 'n', '42');
  const big: string[] = [];
  for (let i = 0; i < 600; i++) big.push(String(i), `m${i}`);
  await c.call('ZADD', 'bigzset', ...big);
  await c.call('HSET', 'bighash', ...big);
  await c.call('SADD', 'bigset', ...big);
  await c.call('RPUSH', 'biglist', ...big);
  await c.call('SET', 'ttl', 'x', 'EX', '1000');
  await c.call('SELECT', '5');
  await c.call('SET', 'in5', 'five');
  await c.call('SELECT', '0');
}

/** Every key of every db with its type, contents (sorted where unordered), encoding, TTL set. */
async function snapshot(c: RespClient): Promise<string> {
  const out: string[] = [];
  for (let db = 0; db < 16; db++) {
    await c.call('SELECT', String(db));
    const keys = ((await c.call('KEYS', '*')) as string[]).sort();
    for (const k of keys) {
      const t = (await c.call('TYPE', k)) as string;
      let v: unknown;
      if (t === 'string') v = await c.call('GET', k);
      else if (t === 'list') v = await c.call('LRANGE', k, '0', '-1');
      else if (t === 'set') v = ((await c.call('SMEMBERS', k)) as string[]).sort();
      else if (t === 'zset') v = await c.call('ZRANGE', k, '0', '-1', 'WITHSCORES');
      else v = ((await c.call('HGETALL', k)) as string[]).sort();
      const enc = await c.call('OBJECT', 'ENCODING', k);
      const ttl = ((await c.call('TTL', k)) as number) > 0;
      out.push(JSON.stringify([db, k, t, v, enc, ttl]));
    }
  }
  await c.call('SELECT', '0');
  return out.join('\n');
}

test('SAVE writes a 0600 dump file that a restarted Redoubt loads back', async () => {
  const dir = freshDir();
  let p = await redoubt(dir);
  let before = '';
  try {
    before = await withClient(p, async (c) => {
      await populate(c);
      const last = (await c.call('LASTSAVE')) as number;
      assert.equal(await c.call('SAVE'), 'OK');
      assert.ok(((await c.call('LASTSAVE')) as number) >= last);
      const info = (await c.call('INFO', 'persistence')) as string;
      assert.match(info, /rdb_changes_since_last_save:0\r\n/);
      assert.match(info, /rdb_last_bgsave_status:ok\r\n/);
      return snapshot(c);
    });
  } finally {
    await p.stop();
  }
  const file = path.join(dir, 'dump.rdb');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  p = await redoubt(dir);
  try {
    assert.match(p.output(), /keys loaded: 15/);
    assert.equal(await withClient(p, snapshot), before);
  } finally {
    await p.stop();
  }
});

test('BGSAVE writes in the background; INFO shows its progress and result', async () => {
  const dir = freshDir();
  const p = await redoubt(dir, ['--save', '']);
  try {
    await withClient(p, async (c) => {
      await populate(c);
      assert.equal(await c.call('BGSAVE'), 'Background saving started');
      // Until the write ends, another BGSAVE is refused or scheduled.
      const again = await c.call('BGSAVE');
      if (again instanceof Error) assert.match(again.message, /Background save already in progress/);
      for (let i = 0; i < 200; i++) {
        const info = (await c.call('INFO', 'persistence')) as string;
        if (info.includes('rdb_bgsave_in_progress:0')) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const info = (await c.call('INFO', 'persistence')) as string;
      assert.match(info, /rdb_bgsave_in_progress:0\r\n/);
      assert.match(info, /rdb_last_bgsave_status:ok\r\n/);
      assert.match(info, /rdb_saves:[1-9]/);
      assert.ok(existsSync(path.join(dir, 'dump.rdb')));
    });
  } finally {
    await p.stop();
  }
});

test('DEBUG RELOAD keeps the dataset and encodings; NOSAVE reloads the old file', async () => {
  const dir = freshDir();
  const p = await redoubt(dir, ['--save', '']);
  try {
    await withClient(p, async (c) => {
      await populate(c);
      const before = await snapshot(c);
      assert.equal(await c.call('DEBUG', 'RELOAD'), 'OK');
      assert.equal(await snapshot(c), before);
      await c.call('SET', 'later', '1');
      assert.equal(await c.call('DEBUG', 'RELOAD', 'NOSAVE'), 'OK');
      assert.equal(await c.call('EXISTS', 'later'), 0);
      const bad = await c.call('DEBUG', 'RELOAD', 'BOGUS');
      assert.ok(bad instanceof Error && /only supports the MERGE, NOFLUSH and NOSAVE/.test(bad.message));
    });
  } finally {
    await p.stop();
  }
});

test('SHUTDOWN saves when save points are set, SHUTDOWN NOSAVE does not', async () => {
  const dir = freshDir();
  let p = await redoubt(dir);
  await withClient(p, async (c) => {
    await c.call('SET', 'k', 'v');
    await c.call('SHUTDOWN').catch(() => null);
  });
  await new Promise<void>((r) => (p.child.exitCode !== null ? r() : p.child.once('exit', () => r())));
  assert.ok(existsSync(path.join(dir, 'dump.rdb')));
  p = await redoubt(dir);
  await withClient(p, async (c) => {
    assert.equal(await c.call('GET', 'k'), 'v');
    await c.call('SET', 'k', 'changed');
    await c.call('SHUTDOWN', 'NOSAVE').catch(() => null);
  });
  await new Promise<void>((r) => (p.child.exitCode !== null ? r() : p.child.once('exit', () => r())));
  p = await redoubt(dir, ['--save', '']);
  try {
    await withClient(p, async (c) => assert.equal(await c.call('GET', 'k'), 'v'));
  } finally {
    await p.stop();
  }
});

test('SIGTERM saves when save points are set; a failed save keeps the server running', async () => {
  const dir = freshDir();
  let p = await redoubt(dir, ['--save', '3600 1']);
  await withClient(p, (c) => c.call('SET', 'k', 'by-signal'));
  await p.stop();
  assert.ok(existsSync(path.join(dir, 'dump.rdb')));
  p = await redoubt(dir, ['--save', '3600 1']);
  await withClient(p, async (c) => {
    assert.equal(await c.call('GET', 'k'), 'by-signal');
    await c.call('SET', 'k', 'unsaved');
  });
  rmSync(path.join(dir, 'dump.rdb'));
  mkdirSync(path.join(dir, 'dump.rdb')); // the final rename cannot replace a directory
  const exited = new Promise<void>((r) => p.child.once('exit', () => r()));
  p.child.kill('SIGTERM');
  // The refusal is logged; the server still answers and still holds the unsaved write.
  for (let i = 0; i < 200 && !p.output().includes('Errors trying to shut down'); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.match(p.output(), /Errors trying to shut down the server/);
  await withClient(p, async (c) => assert.equal(await c.call('GET', 'k'), 'unsaved'));
  rmSync(path.join(dir, 'dump.rdb'), { recursive: true });
  p.child.kill('SIGTERM');
  await exited;
  assert.ok(statSync(path.join(dir, 'dump.rdb')).isFile());
});

test('a corrupt dump file stops the start-up with a clear message', async () => {
  const dir = freshDir();
  writeFileSync(path.join(dir, 'dump.rdb'), 'REDIS0010\xfe\x00garbage');
  await assert.rejects(
    redoubt(dir),
    /Fatal error loading the DB[^]*Terminating server after rdb file reading failure\./,
  );
});

/** An RDB 10 file of the given records in database 0, with its CRC-64. */
function rdbFile(...records: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.from('REDIS0010\xfe\x00', 'latin1'), ...records, Buffer.from([0xff])]);
  return Buffer.concat([body, crc64(body)]);
}

/** A record: type byte, key (short length prefix), then the value bytes as given. */
const record = (type: number, key: string, value: Buffer): Buffer =>
  Buffer.concat([Buffer.from([type, key.length]), Buffer.from(key, 'latin1'), value]);

test('keys with empty values in a dump file are skipped and counted, as Redis 7.0 does', async () => {
  const dir = freshDir();
  const str = Buffer.from([1, 0x76]); // "v"
  writeFileSync(
    path.join(dir, 'dump.rdb'),
    rdbFile(record(0, 'k', str), record(2, 'emptyset', Buffer.from([0])), record(1, 'emptylist', Buffer.from([0]))),
  );
  const p = await redoubt(dir);
  try {
    await withClient(p, async (c) => {
      assert.equal(await c.call('DBSIZE'), 1);
      assert.equal(await c.call('GET', 'k'), 'v');
    });
    assert.match(p.output(), /rdbLoadObject skipping empty key: emptyset\n/);
    assert.match(p.output(), /rdbLoadObject skipping empty key: emptylist\n/);
    assert.match(p.output(), /Done loading RDB, keys loaded: 1, keys expired: 0, empty keys skipped: 2\./);
  } finally {
    await p.stop();
  }
});

test('a corrupt value in a dump file is reported with its key, offset and reason', async () => {
  const dir = freshDir();
  // A hash in ziplist encoding whose ziplist claims more bytes than it has.
  const zl = Buffer.from([0xff, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0xff]);
  const file = rdbFile(
    record(0, 'ok', Buffer.from([1, 0x31])),
    record(13, 'bad\nkey', Buffer.concat([Buffer.from([zl.length]), zl])),
  );
  writeFileSync(path.join(dir, 'dump.rdb'), file);
  const err = await redoubt(dir).then(
    () => assert.fail('the server started'),
    (e: Error) => e.message,
  );
  assert.match(
    err,
    /Internal error in RDB reading offset \d+, function at rdbLoad -> Hash ziplist integrity check failed\./,
  );
  assert.match(err, /\[offset 17\] Hash ziplist integrity check failed\./);
  assert.match(err, /\[additional info\] Reading key 'bad\\x0akey' of RDB type 13/);
  assert.match(err, /Terminating server after rdb file reading failure\./);
});

test('RESTORE of a corrupt payload logs the reason at verbose level', async () => {
  const dir = freshDir();
  const p = await redoubt(dir, ['--loglevel', 'verbose']);
  try {
    await withClient(p, async (c) => {
      // An intset of 2-byte integers whose length says 3 while it holds 2.
      const intset = Buffer.from([2, 0, 0, 0, 3, 0, 0, 0, 1, 0, 2, 0]);
      const payload = Buffer.concat([Buffer.from([11, intset.length]), intset, Buffer.from([10, 0]), Buffer.alloc(8)]);
      await c.call('DEBUG', 'SET-SKIP-CHECKSUM-VALIDATION', '1');
      const reply = await c.call('RESTORE', 'k', '0', payload);
      assert.ok(reply instanceof Error && reply.message === 'ERR Bad data format', String(reply));
    });
    // The reply can arrive before the log line has crossed the server's stdout pipe.
    await until('the log line', () =>
      /Internal error in RDB reading offset 0, function at RESTORE -> Intset integrity check failed\./.test(p.output()),
    );
  } finally {
    await p.stop();
  }
});

test(
  'Redoubt dump file: redis-check-rdb accepts it and redis-server 7.0.15 loads the same data',
  { skip: noRedis },
  async () => {
    const dir = freshDir();
    const p = await redoubt(dir, ['--save', '']);
    let ours = '';
    try {
      ours = await withClient(p, async (c) => {
        await populate(c);
        await c.call('SAVE');
        return snapshot(c);
      });
    } finally {
      await p.stop();
    }
    const file = path.join(dir, 'dump.rdb');
    if (existsSync(CHECK_RDB)) {
      const report = execFileSync(CHECK_RDB, [file], { encoding: 'latin1' });
      assert.match(report, /RDB looks OK/);
    }
    const ref = await redisIn({ lo: LO, hi: HI, args: ['--dir', dir] });
    try {
      assert.equal(await withClient(ref, snapshot), ours);
    } finally {
      await ref.stop();
    }
  },
);

test('redis-server 7.0.15 dump file loads into Redoubt with the same data', { skip: noRedis }, async () => {
  const refDir = freshDir();
  const ref = await redisIn({ lo: LO, hi: HI, args: ['--dir', refDir] });
  let theirs = '';
  try {
    theirs = await withClient(ref, async (c) => {
      await populate(c);
      // Older-style encodings Redis still writes: a quicklist with several nodes, LZF nodes.
      await c.call('RPUSH', 'manynodes', ...Array.from({ length: 5000 }, (_, i) => `node-element-${i}`));
      await c.call('SAVE');
      return snapshot(c);
    });
  } finally {
    await ref.stop();
  }
  const dir = freshDir();
  copyFileSync(path.join(refDir, 'dump.rdb'), path.join(dir, 'dump.rdb'));
  const p = await redoubt(dir, ['--save', '']);
  try {
    assert.equal(await withClient(p, snapshot), theirs);
  } finally {
    await p.stop();
  }
});

test('a save that cannot be written: SAVE errors, BGSAVE reports err, SHUTDOWN refuses to exit, writes get MISCONF', async () => {
  const dir = freshDir();
  const p = await redoubt(dir);
  try {
    // A directory where the dump file should go makes the final rename fail.
    mkdirSync(path.join(dir, 'dump.rdb'));
    await withClient(p, async (c) => {
      await c.call('SET', 'k', 'v');
      assert.ok((await c.call('SAVE')) instanceof Error);
      assert.equal(await c.call('BGSAVE'), 'Background saving started');
      let info = '';
      for (let i = 0; i < 100 && !info.includes('rdb_bgsave_in_progress:0'); i++) {
        info = (await c.call('INFO', 'persistence')) as string;
        if (!info.includes('rdb_bgsave_in_progress:0')) await new Promise((r) => setTimeout(r, 20));
      }
      assert.match(info, /rdb_last_bgsave_status:err\r\n/);
      assert.match(info, /rdb_changes_since_last_save:[1-9]/);
      const refused = await c.call('SHUTDOWN');
      assert.ok(refused instanceof Error && /Errors trying to SHUTDOWN/.test(refused.message));
      // Still running, and saying why it refuses writes (stop-writes-on-bgsave-error).
      const ping = await c.call('PING');
      assert.ok(ping instanceof Error && /^MISCONF /.test(ping.message));
      assert.equal(await c.call('GET', 'k'), 'v');
      assert.deepEqual(readdirSync(dir), ['dump.rdb']);
    });
  } finally {
    // SIGTERM saves too, and a server whose save fails keeps running (as Redis does): clear
    // the obstacle first so that the stop below can finish.
    rmSync(path.join(dir, 'dump.rdb'), { recursive: true, force: true });
    await p.stop();
  }
});
