// tcp-keepalive: the server's end of an accepted connection carries SO_KEEPALIVE with the
// configured idle time, seen from the kernel with `ss -o` as timer:(keepalive,<left>,0); with
// tcp-keepalive 0 no keepalive timer runs. CONFIG SET applies to later connections. Checked on
// redis-server 7.0.15 too. Needs `ss` (iproute2): skipped with the reason otherwise.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hasRedis, type Proc } from '../support/server.js';
import { redisIn, redoubtIn } from '../support/fixed-port.js';
import { RawClient } from '../support/raw-client.js';

const PORTS = { lo: 27650, hi: 27669 };
const SS = ['/usr/bin/ss', '/bin/ss', '/usr/sbin/ss', '/sbin/ss'].find((p) => existsSync(p));
const noSs = SS === undefined ? 'ss (iproute2) is not installed' : false;
const procs: Proc[] = [];
after(async () => {
  for (const p of procs) await p.stop();
});

/** The `timer:(...)` of the server's side of one connection ('' when none), null if not listed. */
function serverTimer(serverPort: number, clientPort: number): string | null {
  const out = execFileSync(
    SS!,
    ['-tnoH', 'state', 'established', `( sport = :${serverPort} and dport = :${clientPort} )`],
    { encoding: 'latin1' },
  );
  if (out.trim() === '') return null;
  return /timer:\(([^)]*)\)/.exec(out)?.[1] ?? '';
}

/** Seconds a `keepalive,1min59sec,0`-style timer has left, or null when it is not keepalive. */
function keepaliveLeft(timer: string): number | null {
  const m = /^keepalive,(?:(\d+)min)?(?:(\d+(?:\.\d+)?)sec)?(?:(\d+)ms)?,/.exec(timer);
  if (m === null) return null;
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0) + Number(m[3] ?? 0) / 1000;
}

/**
 * Connects, has CLIENT INFO answered, then polls the kernel until the server's side of the
 * connection settles (listed, no retransmission timer pending): its keepalive seconds or null.
 */
async function observe(port: number): Promise<number | null> {
  const c = await RawClient.connect(port);
  try {
    // The server's own view of the peer address names our end of the connection.
    const info = (await c.call('CLIENT', 'INFO')).toString('latin1');
    const clientPort = Number(/ addr=127\.0\.0\.1:(\d+) /.exec(info)?.[1]);
    assert.ok(clientPort > 0, info);
    const deadline = Date.now() + 5000;
    for (;;) {
      const timer = serverTimer(port, clientPort);
      if (timer !== null && !/^(on|persist)/.test(timer)) return keepaliveLeft(timer);
      if (Date.now() > deadline) throw new Error(`connection never settled: ${String(timer)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    c.close();
  }
}

async function check(start: (args: string[]) => Promise<Proc>): Promise<void> {
  const on = await start(['--tcp-keepalive', '60']);
  procs.push(on);
  const left = await observe(on.port);
  assert.ok(left !== null && left > 50 && left <= 60, `keepalive 60 left ${left}`);
  const off = await start(['--tcp-keepalive', '0']);
  procs.push(off);
  assert.equal(await observe(off.port), null);
  // CONFIG SET reaches connections accepted afterwards.
  const c = await RawClient.connect(off.port);
  assert.equal((await c.call('CONFIG', 'SET', 'tcp-keepalive', '120')).toString(), '+OK\r\n');
  c.close();
  const later = await observe(off.port);
  assert.ok(later !== null && later > 110 && later <= 120, `keepalive 120 left ${later}`);
}

test('the accepted socket keeps alive with the configured interval, none for 0', { skip: noSs }, async () => {
  await check((args) => redoubtIn({ ...PORTS, args }));
});

test(
  'redis-server 7.0.15 shows the same',
  { skip: noSs || (hasRedis() ? false : 'redis-server not installed') },
  async () => {
    await check((args) => redisIn({ ...PORTS, args }));
  },
);
