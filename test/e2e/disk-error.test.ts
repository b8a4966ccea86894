// Writes refused while persistence is failing (stop-writes-on-bgsave-error), side by side with
// a real redis-server 7.0.15: after a BGSAVE fails, writes, PING and writing scripts get the same
// -MISCONF text from both, reads still work, and turning the option off lets writes in again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hasRedis, startRedis, startRedoubt, type Proc } from '../support/server.js';
import { RespClient } from '../support/resp-client.js';

const noRedis = hasRedis() ? false : 'redis-server 7.0.15 not installed';

function text(r: unknown): string {
  return r instanceof Error ? `ERR:${r.message}` : JSON.stringify(r);
}

async function call(c: RespClient, ...args: string[]): Promise<string> {
  try {
    return text(await c.call(...args));
  } catch (e) {
    return text(e);
  }
}

/** Polls INFO persistence until the last BGSAVE is reported with this status. */
async function waitBgsaveStatus(c: RespClient, status: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const info = String(await c.call('INFO', 'persistence'));
    if (info.includes(`rdb_last_bgsave_status:${status}`) && info.includes('rdb_bgsave_in_progress:0')) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`rdb_last_bgsave_status never became ${status}`);
}

/** Points the server's dir at a folder, removes it, and lets a BGSAVE fail there. */
async function failBgsave(c: RespClient): Promise<void> {
  const gone = mkdtempSync(path.join(tmpdir(), 'redoubt-diskerr-'));
  mkdirSync(gone, { recursive: true });
  assert.equal(await call(c, 'CONFIG', 'SET', 'dir', gone), '"OK"');
  rmSync(gone, { recursive: true });
  assert.equal(await call(c, 'CONFIG', 'SET', 'save', '900 1'), '"OK"');
  await call(c, 'SET', 'before', '1');
  await call(c, 'BGSAVE');
  await waitBgsaveStatus(c, 'err');
}

const PROBES: string[][] = [
  ['SET', 'k', 'v'],
  ['PING'],
  ['GET', 'before'],
  ['INCR', 'counter'],
  ['EVAL', "return redis.call('set','k','v')", '0'],
  ['EVAL', "#!lua\nreturn redis.call('set','k','v')", '0'],
  ['EVAL', "#!lua flags=no-writes\nreturn redis.call('get','before')", '0'],
  ['MULTI'],
  ['SET', 'k', 'v'],
  ['EXEC'],
  ['CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'no'],
  ['SET', 'k', 'v'],
  ['PING'],
  // Without save points SIGTERM exits without saving (a failing save would keep it running).
  ['CONFIG', 'SET', 'save', ''],
];

async function transcript(p: Proc): Promise<string[]> {
  const c = await RespClient.connect(p.port);
  try {
    await failBgsave(c);
    const out: string[] = [];
    for (const argv of PROBES) out.push(`${argv.join(' ')} -> ${await call(c, ...argv)}`);
    return out;
  } finally {
    c.close();
  }
}

test(
  'a failed BGSAVE refuses writes, PING and writing scripts exactly as redis-server does',
  { skip: noRedis },
  async () => {
    const args = ['--enable-protected-configs', 'yes'];
    const [ours, ref] = await Promise.all([startRedoubt(args), startRedis(args)]);
    try {
      const [a, b] = await Promise.all([transcript(ours), transcript(ref)]);
      assert.deepEqual(a, b);
      assert.match(a[0]!, /MISCONF Redis is configured to save RDB snapshots/);
      assert.match(a[1]!, /MISCONF/, 'PING is refused too');
      assert.equal(a[2], 'GET before -> "1"', 'reads still work');
      assert.equal(a.at(-3), 'SET k v -> "OK"', 'writes resume once the option is off');
    } finally {
      await Promise.all([ours.stop(), ref.stop()]);
    }
  },
);
