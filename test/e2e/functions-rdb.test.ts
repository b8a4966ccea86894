// Function libraries in the RDB file and the AOF: saved after the aux fields (opcode 245 and
// the library's code), loaded back at start-up, by DEBUG RELOAD and DEBUG LOADAOF and by a
// replica's full sync, compared with a real redis-server 7.0.15 both ways. Ports 33500-33599.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hasRedis, hasRedisCli, REDIS_CLI, type Proc } from '../support/server.js';
import { redisIn, redoubtIn } from '../support/fixed-port.js';
import { RespClient } from '../support/resp-client.js';
import { until } from '../support/until.js';

const PORTS = { lo: 27710, hi: 27749 };
const noRedis = hasRedis() ? false : 'redis-server 7.0.15 not installed (/usr/bin/redis-server)';
const noRedisCli = hasRedisCli() ? false : 'redis-cli not installed (/usr/bin/redis-cli)';
const REDIS_CHECK_RDB = '/usr/bin/redis-check-rdb';
const QUIET = ['--save', '', '--enable-debug-command', 'yes'];

const LIB_A = [
  '#!lua name=liba',
  "redis.register_function('echo_a', function(keys, args) return args[1] end)",
  'redis.register_function{function_name="get_a", callback=function(keys) return redis.call("GET", keys[1]) end,',
  '  flags={"no-writes"}, description="reads a key"}',
].join('\n');
const LIB_B =
  "#!lua name=libb\nredis.register_function('plus_b', function(keys, args) return tonumber(args[1]) + 1 end)";

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'redoubt-fnrdb-'));
}

async function redoubt(dir: string, more: string[] = []): Promise<Proc> {
  return redoubtIn({ ...PORTS, args: ['--dir', dir, ...QUIET, ...more] });
}

async function redis(dir: string, more: string[] = []): Promise<Proc> {
  return redisIn({ ...PORTS, args: ['--dir', dir, ...QUIET, ...more] });
}

async function withClient<T>(p: Proc, fn: (c: RespClient) => Promise<T>): Promise<T> {
  const c = await RespClient.connect(p.port);
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

/** Loads both libraries and a key the second function reads. */
async function populate(c: RespClient): Promise<void> {
  assert.equal(await c.call('FUNCTION', 'LOAD', LIB_A), 'liba');
  assert.equal(await c.call('FUNCTION', 'LOAD', LIB_B), 'libb');
  assert.equal(await c.call('SET', 'k', 'v'), 'OK');
}

const byName = (a: unknown[], b: unknown[]): number => (String(a[1]) < String(b[1]) ? -1 : 1);

/**
 * FUNCTION LIST WITHCODE with libraries and their functions in name order (Redis lists both in
 * hash order, which differs between servers and runs).
 */
async function libraries(c: RespClient): Promise<string> {
  const list = (await c.call('FUNCTION', 'LIST', 'WITHCODE')) as unknown[][];
  for (const lib of list) (lib[5] as unknown[][]).sort(byName);
  return JSON.stringify(list.sort(byName));
}

/** The functions answer as loaded. */
async function callsWork(c: RespClient): Promise<void> {
  assert.equal(await c.call('FCALL', 'echo_a', '0', 'hello'), 'hello');
  assert.equal(await c.call('FCALL_RO', 'get_a', '1', 'k'), 'v');
  assert.equal(await c.call('FCALL', 'plus_b', '0', '41'), 42);
}

test('SAVE then a restart keeps the function libraries', async () => {
  const dir = tempDir();
  let p = await redoubt(dir);
  let before = '';
  try {
    await withClient(p, async (c) => {
      await populate(c);
      before = await libraries(c);
      assert.equal(await c.call('SAVE'), 'OK');
    });
  } finally {
    await p.stop();
  }
  p = await redoubt(dir);
  try {
    await withClient(p, async (c) => {
      await callsWork(c);
      assert.equal(await libraries(c), before);
      assert.equal(await c.call('GET', 'k'), 'v');
    });
  } finally {
    await p.stop();
  }
});

test('DEBUG RELOAD and FLUSHALL keep the libraries; NOFLUSH without MERGE fails on the duplicate', async () => {
  const p = await redoubt(tempDir());
  try {
    await withClient(p, async (c) => {
      await populate(c);
      const before = await libraries(c);
      assert.equal(await c.call('DEBUG', 'RELOAD'), 'OK');
      await callsWork(c);
      assert.equal(await libraries(c), before);
      assert.equal(await c.call('FLUSHALL'), 'OK');
      assert.equal(await c.call('DBSIZE'), 0);
      assert.equal(await c.call('FCALL', 'echo_a', '0', 'still'), 'still');
      assert.equal(await libraries(c), before);
      // FUNCTION FLUSH before a reload without saving: the file's libraries come back.
      assert.equal(await c.call('FUNCTION', 'FLUSH'), 'OK');
      assert.equal(await c.call('DEBUG', 'RELOAD', 'NOSAVE'), 'OK');
      assert.equal(await libraries(c), before);
      // Libraries already there are duplicates unless MERGE.
      const err = await c.call('DEBUG', 'RELOAD', 'NOFLUSH', 'NOSAVE');
      assert.ok(err instanceof Error, String(err));
      assert.match(err.message, /Error trying to load the RDB dump/);
      await until('the logged load error', () =>
        p.output().includes("Failed loading library, Library 'liba' already exists"),
      );
      assert.equal(await c.call('DEBUG', 'RELOAD', 'NOFLUSH', 'MERGE', 'NOSAVE'), 'OK');
      assert.equal(await libraries(c), before);
    });
  } finally {
    await p.stop();
  }
});

test('a command-form AOF base starts with FUNCTION LOAD and loads back', async () => {
  const dir = tempDir();
  const aofArgs = ['--appendonly', 'yes', '--aof-use-rdb-preamble', 'no'];
  let p = await redoubt(dir, aofArgs);
  let before = '';
  try {
    await withClient(p, async (c) => {
      await populate(c);
      before = await libraries(c);
      assert.equal(await c.call('BGREWRITEAOF'), 'Background append only file rewriting started');
      await until('the rewrite to end', async () => {
        const info = (await c.call('INFO', 'persistence')) as string;
        return info.includes('aof_rewrite_in_progress:0') && info.includes('aof_rewrite_scheduled:0');
      });
      const aofDir = path.join(dir, 'appendonlydir');
      const base = readdirSync(aofDir).find((f) => f.endsWith('.base.aof'));
      assert.ok(base !== undefined);
      const text = readFileSync(path.join(aofDir, base), 'latin1');
      assert.ok(text.startsWith(`*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n$${LIB_A.length}\r\n${LIB_A}\r\n`), text);
      assert.ok(text.indexOf('SELECT') > text.indexOf(LIB_B));
      // DEBUG LOADAOF empties the libraries too, so the base's FUNCTION LOADs do not collide.
      assert.equal(await c.call('DEBUG', 'LOADAOF'), 'OK');
      await callsWork(c);
      // Resetting dirty is no change: DEBUG LOADAOF must not land in the AOF (a restart would loop).
      const incr = readdirSync(aofDir).find((f) => f.endsWith('.incr.aof'))!;
      assert.doesNotMatch(readFileSync(path.join(aofDir, incr), 'latin1'), /loadaof/i);
    });
  } finally {
    await p.stop();
  }
  p = await redoubt(dir, aofArgs);
  try {
    await withClient(p, async (c) => {
      await callsWork(c);
      assert.equal(await libraries(c), before);
    });
  } finally {
    await p.stop();
  }
});

test(
  'redis-server 7.0.15 loads a Redoubt dump with libraries, and Redoubt loads one of redis-server',
  {
    skip: noRedis,
  },
  async () => {
    // redis-server → Redoubt
    const fromRedis = tempDir();
    let ref = await redis(fromRedis);
    let expected = '';
    try {
      await withClient(ref, async (c) => {
        await populate(c);
        expected = await libraries(c);
        assert.equal(await c.call('SAVE'), 'OK');
      });
    } finally {
      await ref.stop();
    }
    let p = await redoubt(fromRedis);
    try {
      await withClient(p, async (c) => {
        await callsWork(c);
        assert.equal(await libraries(c), expected);
      });
    } finally {
      await p.stop();
    }
    // Redoubt → redis-check-rdb and redis-server
    const fromRedoubt = tempDir();
    p = await redoubt(fromRedoubt);
    try {
      await withClient(p, async (c) => {
        await populate(c);
        assert.equal(await libraries(c), expected);
        assert.equal(await c.call('SAVE'), 'OK');
      });
    } finally {
      await p.stop();
    }
    const check = execFileSync(REDIS_CHECK_RDB, [path.join(fromRedoubt, 'dump.rdb')], { encoding: 'latin1' });
    assert.match(check, /RDB looks OK/);
    ref = await redis(fromRedoubt);
    try {
      await withClient(ref, async (c) => {
        await callsWork(c);
        assert.equal(await libraries(c), expected);
      });
    } finally {
      await ref.stop();
    }
  },
);

test('the two dumps are the same bytes apart from the time and memory aux fields', { skip: noRedis }, async () => {
  const dumps: Buffer[] = [];
  for (const start of [redis, redoubt]) {
    const dir = tempDir();
    const s = await start(dir, ['--rdbcompression', 'no']);
    try {
      await withClient(s, async (c) => {
        assert.equal(await c.call('FUNCTION', 'LOAD', LIB_A), 'liba');
        assert.equal(await c.call('SET', 'k', 'v'), 'OK');
        assert.equal(await c.call('SAVE'), 'OK');
      });
    } finally {
      await s.stop();
    }
    dumps.push(readFileSync(path.join(dir, 'dump.rdb')));
  }
  // From the end of the last aux field (aof-base) on: the library, the db, EOF; the checksums differ.
  const tail = (b: Buffer): Buffer => {
    const at = b.indexOf('aof-base', 0, 'latin1') + 'aof-base'.length + 2;
    return b.subarray(at, b.length - 8);
  };
  const [fromRedis, fromRedoubt] = dumps as [Buffer, Buffer];
  assert.equal(fromRedoubt[fromRedoubt.indexOf('aof-base', 0, 'latin1') + 10], 0xf5);
  assert.deepEqual(tail(fromRedoubt), tail(fromRedis));
});

test('a Redoubt replica of redis-server 7.0.15 gets its libraries on the full sync', { skip: noRedis }, async () => {
  const primary = await redis(tempDir(), ['--repl-diskless-sync-delay', '0']);
  const replica = await redoubt(tempDir());
  try {
    const m = await RespClient.connect(primary.port);
    const r = await RespClient.connect(replica.port);
    try {
      await populate(m);
      // A library of the replica's own goes with the rest of its old dataset.
      const own = "#!lua name=own\nredis.register_function('own_f', function() return 1 end)";
      assert.equal(await r.call('FUNCTION', 'LOAD', own), 'own');
      assert.equal(await r.call('REPLICAOF', '127.0.0.1', String(primary.port)), 'OK');
      await until('the link to be up', async () =>
        ((await r.call('INFO', 'replication')) as string).includes('master_link_status:up'),
      );
      // A read-only replica runs the no-writes function (the others would be refused as writes).
      assert.equal(await r.call('FCALL', 'get_a', '1', 'k'), 'v');
      assert.equal(await libraries(r), await libraries(m));
      const gone = await r.call('FCALL', 'own_f', '0');
      assert.ok(gone instanceof Error && /Function not found/.test(gone.message), String(gone));
    } finally {
      m.close();
      r.close();
    }
  } finally {
    await replica.stop();
    await primary.stop();
  }
});

test('redis-cli --functions-rdb gets the libraries and no keys', { skip: noRedisCli || noRedis }, async () => {
  const p = await redoubt(tempDir());
  const out = path.join(tempDir(), 'functions.rdb');
  let expected = '';
  try {
    await withClient(p, async (c) => {
      await populate(c);
      expected = await libraries(c);
    });
    execFileSync(REDIS_CLI, ['-p', String(p.port), '--functions-rdb', out], { stdio: 'ignore' });
  } finally {
    await p.stop();
  }
  const check = execFileSync(REDIS_CHECK_RDB, [out], { encoding: 'latin1' });
  assert.match(check, /RDB looks OK/);
  assert.match(check, /\[info\] 0 keys read/);
  const dir = path.dirname(out);
  const ref = await redis(dir, ['--dbfilename', 'functions.rdb']);
  try {
    await withClient(ref, async (c) => {
      assert.equal(await libraries(c), expected);
      assert.equal(await c.call('DBSIZE'), 0);
    });
  } finally {
    await ref.stop();
  }
});

/** An RDB 10 image of the given body bytes (after the header), EOF and a zero (unchecked) checksum. */
function rdbImage(body: Buffer): Buffer {
  return Buffer.concat([Buffer.from('REDIS0010', 'latin1'), body, Buffer.from([0xff]), Buffer.alloc(8)]);
}

/** Opcode then a length-prefixed string (< 64 bytes, so one length byte). */
function opString(op: number, text: string): Buffer {
  assert.ok(text.length < 64);
  return Buffer.concat([Buffer.from([op, text.length]), Buffer.from(text, 'latin1')]);
}

test('a library that does not compile, or the pre-GA function opcode, stops the start-up load', async () => {
  const cases: [Buffer, RegExp][] = [
    [opString(0xf5, '#!lua name=broken\nthis is not lua'), /Failed loading library, Error compiling function/],
    [opString(0xf5, '#!lua name=x\nreturn 1'), /Failed loading library, No functions registered/],
    [opString(0xf6, 'anything'), /Pre-release function format not supported/],
  ];
  for (const [body, why] of cases) {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'dump.rdb'), rdbImage(body));
    await assert.rejects(redoubt(dir), (e: Error) => {
      assert.match(e.message, why);
      return true;
    });
  }
});
