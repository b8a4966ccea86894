// Scripting through real clients: ioredis (defineCommand, which sends EVALSHA and falls back
// to EVAL on NOSCRIPT), node-redis (EVAL, SCRIPT LOAD, EVALSHA, FUNCTION LOAD, FCALL), and
// the rules around scripts: read-only variants, MULTI, ACL, replication of effects, the BUSY
// state past busy-reply-threshold (more in scripting-busy.test.ts).
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { startRedoubt, type Proc } from '../support/server.js';
import net from 'node:net';
import { RawClient } from '../support/raw-client.js';
import { RespDecoder, encodeCommand, type RespReply } from '../support/resp-client.js';

let srv: Proc;

before(async () => {
  srv = await startRedoubt();
});
after(async () => {
  await srv?.stop();
});

function ioredis(): Redis {
  return new Redis({ port: srv.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
}

test('ioredis defineCommand: EVALSHA after a SCRIPT FLUSH falls back to EVAL', async () => {
  const r = ioredis();
  try {
    r.defineCommand('incrCapped', {
      numberOfKeys: 1,
      lua: `local v = redis.call('INCR', KEYS[1])
        if v > tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) return tonumber(ARGV[1]) end
        return v`,
    });
    type WithCmd = Redis & { incrCapped(key: string, cap: number): Promise<number> };
    const c = r as WithCmd;
    await r.del('sc:cap');
    assert.equal(await c.incrCapped('sc:cap', 2), 1);
    assert.equal(await c.incrCapped('sc:cap', 2), 2);
    assert.equal(await c.incrCapped('sc:cap', 2), 2);
    assert.equal(await r.script('FLUSH'), 'OK');
    assert.equal(await c.incrCapped('sc:cap', 5), 3);
    assert.equal(await r.get('sc:cap'), '3');
  } finally {
    r.disconnect();
  }
});

test('ioredis: errors from redis.call reach the client in Redis 7.0 form', async () => {
  const r = ioredis();
  try {
    await r.set('sc:str', 'abc');
    await assert.rejects(
      r.eval("return redis.call('INCR', KEYS[1])", 1, 'sc:str'),
      /^ReplyError: ERR value is not an integer or out of range script: [0-9a-f]{40}, on @user_script:1\.$/,
    );
    assert.equal(
      await r.eval("return redis.pcall('INCR', KEYS[1])['err']", 1, 'sc:str'),
      'ERR value is not an integer or out of range',
    );
    await assert.rejects(r.eval('return 1', -1), /Number of keys can't be negative/);
    await assert.rejects(r.eval('return 1', 2, 'a'), /Number of keys can't be greater than number of args/);
    await assert.rejects(r.evalsha('0'.repeat(40), 0), /NOSCRIPT No matching script\. Please use EVAL\./);
    await assert.rejects(
      r.eval("return redis.call('EVAL', 'return 1', 0)", 0),
      /This Redis command is not allowed from script/,
    );
    await assert.rejects(r.script('KILL'), /NOTBUSY No scripts in execution right now\./);
  } finally {
    r.disconnect();
  }
});

test('node-redis: EVAL, SCRIPT LOAD/EXISTS, EVALSHA, binary-safe arguments and replies', async () => {
  const client = createClient({ socket: { port: srv.port, host: '127.0.0.1' } });
  await client.connect();
  try {
    const sha = await client.scriptLoad('return {KEYS[1], ARGV[1], #ARGV}');
    assert.match(sha, /^[0-9a-f]{40}$/);
    assert.deepEqual(await client.scriptExists([sha, sha.toUpperCase(), 'ff'.repeat(20)]), [1, 1, 0]);
    assert.deepEqual(await client.evalSha(sha, { keys: ['k'], arguments: ['a', 'b'] }), ['k', 'a', 2]);
    // Bytes 0x00-0xff survive the trip through Lua unchanged.
    const bin = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await client.set('sc:bin', bin);
    const back = await client.withTypeMapping({ [36]: Buffer }).eval("return redis.call('GET', KEYS[1])", {
      keys: ['sc:bin'],
    });
    assert.deepEqual(back, bin);
    assert.equal(await client.eval("return redis.sha1hex('')"), 'da39a3ee5e6b4b0d3255bfef95601890afd80709');
  } finally {
    await client.quit();
  }
});

test('node-redis: FUNCTION LOAD, FCALL, FCALL_RO, FUNCTION LIST/DELETE', async () => {
  const client = createClient({ socket: { port: srv.port, host: '127.0.0.1' } });
  await client.connect();
  try {
    await client.functionFlush();
    const lib = `#!lua name=sclib
redis.register_function('sc_set', function(keys, args) return redis.call('SET', keys[1], args[1]) end)
redis.register_function{function_name='sc_get', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}}`;
    assert.equal(await client.functionLoad(lib), 'sclib');
    assert.equal(await client.fCall('sc_set', { keys: ['sc:f'], arguments: ['v1'] }), 'OK');
    assert.equal(await client.fCallRo('sc_get', { keys: ['sc:f'] }), 'v1');
    await assert.rejects(
      client.fCallRo('sc_set', { keys: ['sc:f'], arguments: ['x'] }),
      /Can not execute a script with write flag using \*_ro command/,
    );
    await assert.rejects(client.functionLoad(lib), /Library 'sclib' already exists/);
    const list = await client.sendCommand(['FUNCTION', 'LIST']);
    assert.equal(JSON.stringify(list).includes('sclib'), true);
    const dump = await client.withTypeMapping({ [36]: Buffer }).functionDump();
    assert.equal(await client.functionFlush(), 'OK');
    await assert.rejects(client.fCall('sc_set', { keys: ['x'], arguments: ['y'] }), /Function not found/);
    assert.equal(await client.functionRestore(dump), 'OK');
    await assert.rejects(client.functionRestore(dump), /Library sclib already exists/);
    assert.equal(await client.functionRestore(dump, { mode: 'REPLACE' }), 'OK');
    assert.equal(await client.fCallRo('sc_get', { keys: ['sc:f'] }), 'v1');
    assert.equal(await client.functionDelete('sclib'), 'OK');
    await assert.rejects(client.fCall('sc_set', { keys: ['x'], arguments: ['y'] }), /Function not found/);
  } finally {
    await client.quit();
  }
});

test('read-only scripts, MULTI and ACL', async () => {
  const r = ioredis();
  try {
    await assert.rejects(
      r.call('EVAL_RO', "return redis.call('SET', 'sc:ro', '1')", '1', 'sc:ro'),
      /ERR Write commands are not allowed from read-only scripts\. script:/,
    );
    await assert.rejects(
      r.eval("#!lua flags=no-writes\nreturn redis.call('SET', 'sc:ro', '1')", 0),
      /Write commands are not allowed/,
    );
    assert.equal(await r.exists('sc:ro'), 0);
    const res = await r
      .multi()
      .eval("return redis.call('INCR', 'sc:m')", 0)
      .eval("return redis.call('INCR', 'sc:m')", 0)
      .exec();
    assert.deepEqual(res, [
      [null, 1],
      [null, 2],
    ]);
    await r.call('ACL', 'SETUSER', 'scuser', 'on', 'nopass', '+eval', '+get', '~sc:allowed');
    const u = ioredis();
    try {
      await u.call('AUTH', 'scuser', 'x');
      await assert.rejects(
        u.eval("return redis.call('SET', 'sc:allowed', '1')", 0),
        /The user executing the script can't run this command or subcommand/,
      );
      await assert.rejects(
        u.eval("return redis.call('GET', 'sc:other')", 0),
        /The user executing the script can't access at least one of the keys/,
      );
      assert.equal(await u.eval("return redis.call('GET', 'sc:allowed')", 0), null);
    } finally {
      u.disconnect();
    }
  } finally {
    await r.call('ACL', 'DELUSER', 'scuser');
    r.disconnect();
  }
});

test('a script past busy-reply-threshold keeps running; others get BUSY; it cannot be killed once it wrote', async () => {
  const r = ioredis();
  const other = ioredis();
  try {
    await r.config('SET', 'busy-reply-threshold', '100');
    const t0 = Date.now();
    const p = r.eval(
      "redis.call('SET', 'sc:loop', '1') local t = redis.call('TIME') local s = t[1] * 1000000 + t[2] " +
        "repeat pcall(function() t = redis.call('TIME') end) until t[1] * 1000000 + t[2] - s > 600000 return 'end'",
      0,
    );
    let busy = '';
    while (busy === '' && Date.now() - t0 < 5000) {
      busy = await other.ping().then(
        () => '',
        (e: Error) => e.message,
      );
    }
    assert.match(busy, /^BUSY Redis is busy running a script/);
    await assert.rejects(other.call('SCRIPT', 'KILL'), /^ReplyError: UNKILLABLE/);
    assert.equal(await p, 'end');
    assert.equal(await r.get('sc:loop'), '1');
    assert.equal(await other.ping(), 'PONG');
  } finally {
    await r.config('SET', 'busy-reply-threshold', '5000');
    r.disconnect();
    other.disconnect();
  }
});

test('MONITOR shows EVAL, then the commands it ran as [0 lua]', async () => {
  const raw = await RawClient.connect(srv.port);
  const mon = await RawClient.connect(srv.port);
  try {
    assert.equal((await mon.call('MONITOR')).toString(), '+OK\r\n');
    await raw.call('EVAL', "redis.call('SET', 'sc:p', 'a') redis.call('SET', 'sc:q', 'b') return 1", '0');
    const line1 = (await mon.send('')).toString('latin1');
    const line2 = (await mon.send('')).toString('latin1');
    assert.match(line1, /"EVAL"/);
    assert.match(line2, /\[0 lua\] "SET" "sc:p" "a"/);
  } finally {
    raw.close();
    mon.close();
  }
});

/** The commands a replica attached with SYNC receives (after the RDB payload), as text. */
async function replicaStream(port: number, act: () => Promise<void>, count: number): Promise<string[]> {
  const sock = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(s));
    s.once('error', reject);
  });
  const got: string[] = [];
  const decoder = new RespDecoder();
  let pending = Buffer.alloc(0);
  let rdbDone = false;
  let wake: (() => void) | null = null;
  sock.on('data', (d: Buffer) => {
    if (!rdbDone) {
      pending = Buffer.concat([pending, d]);
      let p = 0;
      while (pending[p] === 10) p++;
      const nl = pending.indexOf('\r\n', p);
      if (nl < 0) return;
      const len = Number(pending.subarray(p + 1, nl).toString('latin1'));
      if (pending.length < nl + 2 + len) return;
      rdbDone = true;
      d = pending.subarray(nl + 2 + len);
    }
    for (const r of decoder.push(d)) {
      const argv = (r as RespReply[]).map(String);
      if (argv[0]!.toLowerCase() !== 'ping') got.push(argv.join(' '));
    }
    wake?.();
  });
  sock.write(encodeCommand(['SYNC']));
  const until = (cond: () => boolean): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`stream so far: ${JSON.stringify(got)}`)), 5000);
      const check = (): void => {
        if (cond()) {
          clearTimeout(timer);
          wake = null;
          resolve();
        }
      };
      wake = check;
      check();
    });
  try {
    await until(() => rdbDone);
    await act();
    await until(() => got.filter((l) => !l.startsWith('SELECT')).length >= count);
    return got;
  } finally {
    sock.destroy();
  }
}

test('script effects replicate as the commands it ran in MULTI/EXEC, never as EVAL', async () => {
  const r = ioredis();
  try {
    const stream = await replicaStream(
      srv.port,
      async () => {
        await r.eval(
          "redis.call('SET', KEYS[1], 'a') redis.call('INCR', KEYS[2]) redis.call('GET', KEYS[1]) return 1",
          2,
          'sc:r1',
          'sc:r2',
        );
        await r.eval("return redis.call('GET', 'sc:r1')", 0);
        await r.eval("return redis.call('DEL', 'sc:r1')", 0);
      },
      5,
    );
    assert.deepEqual(
      stream.filter((l) => !l.startsWith('SELECT')),
      ['MULTI', 'SET sc:r1 a', 'INCR sc:r2', 'EXEC', 'DEL sc:r1'],
    );
  } finally {
    r.disconnect();
  }
});
