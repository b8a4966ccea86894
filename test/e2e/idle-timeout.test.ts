// `timeout N` closes idle clients the way Redis 7.0.15 does: only once the idle time in whole
// seconds (CLIENT LIST's idle=) exceeds N, so never before N full seconds of silence; a reply
// counts as activity, so a client served after blocking longer than N is not dropped at once.
// The same checks run against redis-server 7.0.15.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { hasRedis, type Proc } from '../support/server.js';
import { redisIn, redoubtIn } from '../support/fixed-port.js';
import { RawClient } from '../support/raw-client.js';

const PORTS = { lo: 27670, hi: 27689 };
const N = 1;
const noRedis = hasRedis() ? false : 'redis-server 7.0.15 not installed';
const procs: Proc[] = [];
after(async () => {
  for (const p of procs) await p.stop();
});

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 10));

/** Waits until the wall clock is inside [lo, hi) ms of a second, clear of second boundaries. */
async function atPhase(lo: number, hi: number): Promise<void> {
  while (Date.now() % 1000 < lo || Date.now() % 1000 >= hi) await tick();
}

interface Idle {
  /** When the last reply arrived, and when the server closed the connection (Date.now()). */
  lastReply: number;
  closed: number;
}

/** Opens a connection, runs `argv` on it, and resolves when the server closes it. */
function idleAfter(port: number, argv: string, onOpen?: () => Promise<void>): Promise<Idle> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    let lastReply = 0;
    const limit = setTimeout(() => reject(new Error('never closed')), (N + 5) * 1000 + 30000);
    s.on('connect', () => {
      s.write(`${argv}\r\n`);
      onOpen?.().catch(reject);
    });
    s.on('data', () => (lastReply = Date.now()));
    s.on('close', () => {
      clearTimeout(limit);
      resolve({ lastReply, closed: Date.now() });
    });
    s.on('error', () => {});
  });
}

const wholeSeconds = (i: Idle): number => Math.floor(i.closed / 1000) - Math.floor(i.lastReply / 1000);

async function quietClients(p: Proc): Promise<void> {
  // Early and late in a second: a rule counting milliseconds would close the late one while
  // its whole-second idle time is still N.
  for (const [lo, hi] of [
    [100, 300],
    [650, 850],
  ] as const) {
    await atPhase(lo, hi);
    const r = await idleAfter(p.port, 'PING');
    assert.ok(r.lastReply > 0, 'PING answered');
    const ms = r.closed - r.lastReply;
    assert.ok(ms >= N * 1000, `closed after ${ms}ms of silence, before ${N}s`);
    assert.ok(wholeSeconds(r) >= N + 1, `closed at whole-second idle ${wholeSeconds(r)}, not above ${N}`);
    assert.ok(ms < (N + 2) * 1000 + 500, `closed only after ${ms}ms`);
  }
}

async function servedAfterBlocking(p: Proc): Promise<void> {
  const other = await RawClient.connect(p.port);
  try {
    // BLPOP, then wait (by CLIENT LIST) until the blocked client has been idle beyond N.
    const r = idleAfter(p.port, 'BLPOP idle-timeout-q 0', async () => {
      for (;;) {
        const list = (await other.call('CLIENT', 'LIST')).toString('latin1');
        const idle = / idle=(\d+) flags=b /.exec(list)?.[1];
        if (idle !== undefined && Number(idle) > N) break;
        await tick();
      }
      assert.equal((await other.call('LPUSH', 'idle-timeout-q', 'x')).toString(), ':1\r\n');
    });
    const got = await r;
    const ms = got.closed - got.lastReply;
    assert.ok(ms >= N * 1000, `closed ${ms}ms after being served`);
  } finally {
    other.close();
  }
}

async function check(p: Proc): Promise<void> {
  procs.push(p);
  await quietClients(p);
  await servedAfterBlocking(p);
}

test(`timeout ${N}: idle clients closed only after ${N} whole seconds`, async () => {
  await check(await redoubtIn({ ...PORTS, args: ['--timeout', String(N)] }));
});

test(`redis-server 7.0.15 with timeout ${N} behaves the same`, { skip: noRedis }, async () => {
  await check(await redisIn({ ...PORTS, args: ['--timeout', String(N)] }));
});
