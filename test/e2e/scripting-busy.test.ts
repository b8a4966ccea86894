// Redis's BUSY state: a script past busy-reply-threshold keeps running while other clients
// are answered -BUSY (except allow-busy commands); SCRIPT KILL / FUNCTION KILL stop scripts
// that have not written, SHUTDOWN NOSAVE ends the server, and the caller gets its reply (and
// its pipelined commands run) once the script ends.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { startRedoubt, type Proc } from '../support/server.js';
import { RespClient } from '../support/resp-client.js';

let srv: Proc;

before(async () => {
  srv = await startRedoubt(['--busy-reply-threshold', '50']);
});
after(async () => {
  await srv?.stop();
});

/** An ioredis client, connected before the test goes on (its ready check would meet BUSY). */
async function client(): Promise<Redis> {
  const r = new Redis({ port: srv.port, host: '127.0.0.1', maxRetriesPerRequest: 0, enableReadyCheck: false });
  await r.ping();
  return r;
}

const BUSY_EVAL = /^BUSY Redis is busy running a script\. You can only call SCRIPT KILL or SHUTDOWN NOSAVE\.$/;
const BUSY_FUNCTION = /^BUSY Redis is busy running a script\. You can only call FUNCTION KILL or SHUTDOWN NOSAVE\.$/;

/** Resolves once PING is refused with -BUSY (the script went past the threshold). */
async function untilBusy(r: Redis): Promise<Error> {
  for (let i = 0; i < 200; i++) {
    const e = await r.ping().then(
      () => null,
      (err: Error) => err,
    );
    if (e !== null) return e;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error('the server never became busy');
}

/** Runs body with the script's caller and another client, both disconnected however it ends. */
async function withClients(body: (caller: Redis, other: Redis) => Promise<void>): Promise<void> {
  const caller = await client();
  const other = await client();
  try {
    await body(caller, other);
  } finally {
    caller.disconnect();
    other.disconnect();
  }
}

async function errorOf(p: Promise<unknown>): Promise<string> {
  return p.then(
    (v) => `no error: ${String(v)}`,
    (e: Error) => e.message,
  );
}

test('other clients get BUSY while a script loops; SCRIPT KILL ends it; the caller goes on', () =>
  withClients(async (caller, other) => {
    const pipe = caller.pipeline().eval('while true do end', 0).ping();
    const done = pipe.exec();
    assert.match((await untilBusy(other)).message, BUSY_EVAL);
    assert.match(await errorOf(other.set('busy:k', '1')), BUSY_EVAL);
    assert.match(await errorOf(other.call('FUNCTION', 'KILL')), BUSY_EVAL);
    assert.equal(await other.call('SCRIPT', 'KILL'), 'OK');
    const res = (await done)!;
    assert.match(
      String(res[0]![0]),
      /ERR Script killed by user with SCRIPT KILL\.\.\. script: \w+, on @user_script:1\./,
    );
    assert.deepEqual(res[1], [null, 'PONG']);
    assert.equal(await other.ping(), 'PONG');
    assert.equal(await other.exists('busy:k'), 0);
    assert.match(await errorOf(other.call('SCRIPT', 'KILL')), /^NOTBUSY No scripts in execution right now\.$/);
  }));

test('a script caught in pcall is killed anyway; a script that ends by itself replies', () =>
  withClients(async (caller, other) => {
    const p = caller.eval("local f = function() while 1 do redis.call('ping') end end while 1 do pcall(f) end", 0);
    await untilBusy(other);
    assert.equal(await other.call('SCRIPT', 'KILL'), 'OK');
    assert.match(await errorOf(p), /killed by user/);
    // Writes, runs past the threshold, ends on its own: the value and the write are there.
    const q = caller.eval(
      "redis.call('SET', KEYS[1], 'v') local t = redis.call('TIME') local s = t[1] * 1000000 + t[2] " +
        "repeat t = redis.call('TIME') until t[1] * 1000000 + t[2] - s > 300000 return 'done'",
      1,
      'busy:w',
    );
    assert.match((await untilBusy(other)).message, BUSY_EVAL);
    assert.match(await errorOf(other.call('SCRIPT', 'KILL')), /^UNKILLABLE Sorry the script already executed write/);
    assert.equal(await q, 'done');
    assert.equal(await other.get('busy:w'), 'v');
  }));

test('MULTI during a busy script: queued commands get BUSY and EXEC aborts', async () => {
  const caller = await client();
  const other = await RespClient.connect(srv.port);
  const killer = await RespClient.connect(srv.port);
  const msg = (v: unknown): string => (v instanceof Error ? v.message : String(v));
  try {
    await other.call('SET', 'busy:xx', '1');
    const p = caller.eval('while true do end', 0);
    for (let i = 0; i < 200 && !((await other.call('PING')) instanceof Error); i++) {
      await new Promise((res) => setTimeout(res, 10));
    }
    assert.equal(await other.call('MULTI'), 'OK');
    assert.match(msg(await other.call('INCR', 'busy:xx')), BUSY_EVAL);
    // Inside MULTI even SCRIPT KILL is queued (as in Redis): another client kills.
    assert.equal(await other.call('SCRIPT', 'KILL'), 'QUEUED');
    assert.equal(await killer.call('SCRIPT', 'KILL'), 'OK');
    await errorOf(p);
    assert.equal(msg(await other.call('EXEC')), 'EXECABORT Transaction discarded because of previous errors.');
    assert.equal(await other.call('GET', 'busy:xx'), '1');
  } finally {
    caller.disconnect();
    other.close();
    killer.close();
  }
});

test('FUNCTION KILL stops a function; SCRIPT KILL does not; FUNCTION STATS shows it', () =>
  withClients(async (caller, other) => {
    await other.call(
      'FUNCTION',
      'LOAD',
      'REPLACE',
      "#!lua name=busylib\nredis.register_function('spin', function() local a = 1 while true do a = a + 1 end end)",
    );
    const p = caller.call('FCALL', 'spin', '0');
    assert.match((await untilBusy(other)).message, BUSY_FUNCTION);
    assert.match(await errorOf(other.call('SCRIPT', 'KILL')), BUSY_FUNCTION);
    const stats = (await other.call('FUNCTION', 'STATS')) as unknown[];
    const running = stats[1] as unknown[];
    assert.deepEqual(running.slice(0, 4), ['name', 'spin', 'command', ['FCALL', 'spin', '0']]);
    assert.equal(await other.call('FUNCTION', 'KILL'), 'OK');
    assert.match(await errorOf(p), /killed by user/);
    assert.equal(await other.ping(), 'PONG');
  }));

test('the caller disconnecting while its script is busy harms nothing', () =>
  withClients(async (caller, other) => {
    void caller.eval('while true do end', 0).catch(() => {});
    await untilBusy(other);
    caller.disconnect();
    await new Promise((res) => setTimeout(res, 100));
    assert.match(await errorOf(other.ping()), BUSY_EVAL);
    assert.equal(await other.call('SCRIPT', 'KILL'), 'OK');
    for (let i = 0; i < 100 && (await errorOf(other.ping())) !== 'no error: PONG'; i++) {
      await new Promise((res) => setTimeout(res, 10));
    }
    assert.equal(await other.ping(), 'PONG');
  }));

test("a busy script's writes reach the AOF together, as one MULTI/EXEC, when it ends", () =>
  withClients(async (caller, other) => {
    await other.config('SET', 'appendonly', 'yes');
    for (
      let i = 0;
      i < 200 && !/aof_rewrite_in_progress:0[\s\S]*aof_rewrite_scheduled:0/.test(await other.info('persistence'));
      i++
    ) {
      await new Promise((res) => setTimeout(res, 20));
    }
    const dir = ((await other.config('GET', 'dir')) as string[])[1]!;
    const q = caller.eval(
      "redis.call('SET', 'aof:a', '1') local t = redis.call('TIME') local s = t[1] * 1000000 + t[2] " +
        "repeat t = redis.call('TIME') until t[1] * 1000000 + t[2] - s > 200000 redis.call('SET', 'aof:b', '2') return 1",
      0,
    );
    await untilBusy(other);
    assert.equal(await q, 1);
    const incr = readdirSync(path.join(dir, 'appendonlydir')).find((f) => f.endsWith('.incr.aof'))!;
    const aof = readFileSync(path.join(dir, 'appendonlydir', incr), 'latin1').replace(/\r\n/g, ' ');
    assert.match(aof, /MULTI .*aof:a .*aof:b .*EXEC/);
    await other.config('SET', 'appendonly', 'no');
  }));

// Last: it ends the server.
test('SHUTDOWN needs NOSAVE while busy; SHUTDOWN NOSAVE ends the server', () =>
  withClients(async (caller, other) => {
    const p = caller.eval("redis.call('SET', 'busy:s', '1') while true do end", 0).catch(() => 'gone');
    await untilBusy(other);
    assert.match(await errorOf(other.call('SHUTDOWN')), BUSY_EVAL);
    assert.match(await errorOf(other.call('SCRIPT', 'KILL')), /^UNKILLABLE/);
    const exited = new Promise<number | null>((res) => srv.child.once('exit', (code) => res(code)));
    await other.call('SHUTDOWN', 'NOSAVE').catch(() => null);
    assert.equal(await exited, 0);
    await p;
  }));
