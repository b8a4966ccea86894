// Streams in DUMP/RESTORE and dump files against a real redis-server 7.0.15 (ports 32100-32399):
// the same commands give byte-identical DUMP payloads; Redis's payloads restore into Redoubt and
// dump back byte for byte (groups, PELs and consumers included, their times carried across);
// Redoubt's payloads restore into Redis (sanitize-dump-payload yes) with equal XINFO STREAM FULL,
// XRANGE and XPENDING replies; dump files with streams cross both ways (redis-check-rdb accepts
// Redoubt's); corrupted payloads with a valid CRC are refused, never crash the server.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, copyFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hasRedis, type Proc } from '../support/server.js';
import { redisIn, redoubtIn } from '../support/fixed-port.js';
import { RespClient } from '../support/resp-client.js';
import { crc64 } from '../../src/persist/crc64.js';

const LO = 32100;
const HI = 32399;
const skip = hasRedis() ? false : 'redis-server 7.0.15 not installed';
const CHECK_RDB = '/usr/bin/redis-check-rdb';

let ours: Proc;
let ref: Proc;
let a: RespClient;
let b: RespClient;

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Writes building each stream; explicit IDs so that both servers build the same thing. */
const WRITES: string[][] = [
  ['XADD', 'plain', '1-1', 'name', 'redoubt', 'n', '17'],
  ['XADD', 'plain', '1-2', 'name', 'redis', 'n', '-5000'],
  ['XADD', 'plain', '5-0', 'other', 'x'.repeat(70), 'big', '123456789012'],
  ['XADD', 'plain', '5-9', 'name', 'y'.repeat(30), 'n', ''],
  ['XADD', 'plain', '18446744073709551615-0', 'name', 'last', 'n', '0'],
  ['CONFIG', 'SET', 'stream-node-max-entries', '4'],
  ...range(30).map((i) => ['XADD', 'nodes', `${1000 + i * 7}-${i % 3}`, 'f', String(i), 'g', `v${i}`]),
  ...range(30).map((i) => ['XADD', 'approx', `${i + 1}-0`, 'f', String(i)]),
  ['XTRIM', 'approx', 'MAXLEN', '~', '10'],
  ...range(30).map((i) => ['XADD', 'minid', `${i + 1}-0`, 'f', String(i)]),
  ['XTRIM', 'minid', 'MINID', '~', '13'],
  ['CONFIG', 'SET', 'stream-node-max-entries', '100'],
  ...range(12).map((i) => ['XADD', 'deleted', `${i + 1}-1`, 'k', String(i * 11)]),
  ['XDEL', 'deleted', '3-1', '7-1', '12-1'],
  ...range(12).map((i) => ['XADD', 'exact', `${i + 1}-1`, 'k', String(i)]),
  ['XTRIM', 'exact', 'MAXLEN', '5'],
  ['XADD', 'empty', '7-7', 'a', 'b'],
  ['XDEL', 'empty', '7-7'],
  ['XADD', 'zero', 'MAXLEN', '0', '9-9', 'a', 'b'],
  ...range(1000).map((i) => ['XADD', 'big', `${1_700_000_000_000 + i}-0`, 'user', `u${i % 50}`, 'op', 'login']),
  ...range(10).map((i) => ['XADD', 'groups', `${i + 1}-0`, 'f', String(i)]),
  ['XGROUP', 'CREATE', 'groups', 'g1', '0'],
  ['XGROUP', 'CREATE', 'groups', 'g2', '$'],
  ['XGROUP', 'CREATE', 'groups', 'g3', '4-0', 'ENTRIESREAD', '4'],
  ['XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '3', 'STREAMS', 'groups', '>'],
  ['XREADGROUP', 'GROUP', 'g1', 'bob', 'COUNT', '2', 'STREAMS', 'groups', '>'],
  ['XREADGROUP', 'GROUP', 'g3', 'carol', 'STREAMS', 'groups', '>'],
  ['XACK', 'groups', 'g1', '2-0'],
  ['XCLAIM', 'groups', 'g1', 'bob', '0', '1-0', 'RETRYCOUNT', '7'],
  ['XGROUP', 'CREATECONSUMER', 'groups', 'g2', 'idle'],
  ['XADD', 'grpdel', '1-0', 'f', 'v'],
  ['XADD', 'grpdel', '2-0', 'f', 'v'],
  ['XGROUP', 'CREATE', 'grpdel', 'g', '0'],
  ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'grpdel', '>'],
  ['XDEL', 'grpdel', '1-0'],
];

/** Streams without groups or tombstones: the same commands give the same bytes. */
const IDENTICAL = ['plain', 'nodes', 'approx', 'minid', 'empty', 'zero', 'big'];
/** Built with groups: times differ between servers, but round trips keep Redis's bytes. */
const ROUND_TRIP = [...IDENTICAL, 'groups'];
/** Tombstones Redoubt does not keep: compared by replies. */
const ALL = [...ROUND_TRIP, 'deleted', 'exact', 'grpdel'];

/** What clients can see of a stream (absolute times only, so replies are stable). */
async function view(c: RespClient, key: string): Promise<string> {
  const groups = (await c.call('XINFO', 'GROUPS', key)) as unknown[][];
  const pending: unknown[] = [];
  for (const g of groups) pending.push(await c.call('XPENDING', key, g[1] as string));
  return JSON.stringify([
    await c.call('TYPE', key),
    await c.call('XINFO', 'STREAM', key, 'FULL'),
    await c.call('XRANGE', key, '-', '+'),
    await c.call('XREVRANGE', key, '+', '-', 'COUNT', '2'),
    groups,
    pending,
  ]);
}

before(async () => {
  if (skip) return;
  [ours, ref] = await Promise.all([
    redoubtIn({ lo: LO, hi: HI, args: ['--save', ''] }),
    redisIn({ lo: LO + 150, hi: HI }),
  ]);
  [a, b] = await Promise.all([RespClient.connect(ours.port), RespClient.connect(ref.port)]);
  for (const w of WRITES) {
    const [ra, rb] = await Promise.all([a.call(...w), b.call(...w)]);
    assert.ok(
      !(ra instanceof Error) && !(rb instanceof Error),
      `${w.join(' ').slice(0, 60)}: ${String(ra)} ${String(rb)}`,
    );
  }
  await b.call('CONFIG', 'SET', 'sanitize-dump-payload', 'yes');
});

after(async () => {
  a?.close();
  b?.close();
  await Promise.all([ours?.stop(), ref?.stop()]);
});

test('DUMP of a stream is byte-identical to redis-server for the same commands', { skip }, async () => {
  for (const key of IDENTICAL) {
    const [pa, pb] = await Promise.all([a.call('DUMP', key), b.call('DUMP', key)]);
    assert.equal(typeof pa, 'string', key);
    assert.equal(pa, pb, `DUMP ${key} differs`);
  }
});

test('Redis stream payloads restore into Redoubt and dump back byte for byte', { skip }, async () => {
  for (const key of ALL) {
    const payload = (await b.call('DUMP', key)) as string;
    assert.equal(await a.call('RESTORE', `r:${key}`, '0', payload), 'OK', key);
    if (ROUND_TRIP.includes(key)) assert.equal(await a.call('DUMP', `r:${key}`), payload, key);
    // Same replies as Redis restoring its own payload.
    assert.equal(await b.call('RESTORE', `r:${key}`, '0', payload), 'OK', key);
    assert.equal(await view(a, `r:${key}`), await view(b, `r:${key}`), key);
  }
});

test('Redoubt stream payloads restore into Redis (deep sanitizing) with the same replies', { skip }, async () => {
  for (const key of ALL) {
    const payload = (await a.call('DUMP', key)) as string;
    assert.equal(await b.call('RESTORE', `o:${key}`, '0', payload), 'OK', key);
    assert.equal(await view(b, `o:${key}`), await view(a, key), key);
  }
});

test('restored streams go on growing and trimming as in Redis', { skip }, async () => {
  for (const c of [a, b]) {
    await c.call('CONFIG', 'SET', 'stream-node-max-entries', '4');
    for (let i = 0; i < 9; i++) await c.call('XADD', 'r:nodes', `${5000 + i}-0`, 'f', String(i), 'g', 'w');
    await c.call('XTRIM', 'r:nodes', 'MAXLEN', '~', '20');
    await c.call('CONFIG', 'SET', 'stream-node-max-entries', '100');
  }
  assert.equal(await a.call('DUMP', 'r:nodes'), await b.call('DUMP', 'r:nodes'));
  assert.equal(await view(a, 'r:nodes'), await view(b, 'r:nodes'));
});

/** Sets the CRC-64 of a (latin1) payload body + version. */
function withCrc(p: Buffer): string {
  const body = p.subarray(0, p.length - 8);
  return Buffer.concat([body, crc64(body)]).toString('latin1');
}

test('corrupted stream payloads with a valid CRC are refused or restored, and the server lives', { skip }, async () => {
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const sources = [];
  for (const key of ['plain', 'groups', 'nodes', 'grpdel'])
    sources.push(Buffer.from((await b.call('DUMP', key)) as string, 'latin1'));
  let refused = 0;
  for (let i = 0; i < 400; i++) {
    const p = Buffer.from(sources[rnd(sources.length)]!);
    for (let k = 0; k < 1 + rnd(3); k++) p[rnd(p.length - 10)] = rnd(256);
    const r = await a.call('RESTORE', 'fuzz', '0', withCrc(p), 'REPLACE');
    if (r instanceof Error) {
      assert.equal(r.message, 'ERR Bad data format');
      refused++;
    } else {
      assert.equal(r, 'OK');
      // Whatever was accepted answers every read.
      assert.ok(!((await a.call('XINFO', 'STREAM', 'fuzz', 'FULL')) instanceof Error));
      assert.ok(!((await a.call('XRANGE', 'fuzz', '-', '+')) instanceof Error));
    }
  }
  assert.ok(refused > 0);
  assert.equal(await a.call('PING'), 'PONG');
});

async function snapshot(c: RespClient): Promise<string> {
  const out: string[] = [];
  for (const key of ALL) out.push(await view(c, key));
  return out.join('\n');
}

test('a Redoubt dump file with streams passes redis-check-rdb and loads into redis-server', { skip }, async () => {
  assert.equal(await a.call('SAVE'), 'OK');
  const dir = (await a.call('CONFIG', 'GET', 'dir')) as string[];
  const file = path.join(dir[1]!, 'dump.rdb');
  if (existsSync(CHECK_RDB)) {
    assert.match(execFileSync(CHECK_RDB, [file], { encoding: 'latin1' }), /RDB looks OK/);
  }
  const copyDir = mkdtempSync(path.join(tmpdir(), 'redoubt-stream-'));
  copyFileSync(file, path.join(copyDir, 'dump.rdb'));
  const r = await redisIn({ lo: LO + 150, hi: HI, args: ['--dir', copyDir] });
  const c = await RespClient.connect(r.port);
  try {
    assert.equal(await snapshot(c), await snapshot(a));
  } finally {
    c.close();
    await r.stop();
  }
});

test('a redis-server dump file with streams loads into Redoubt with the same replies', { skip }, async () => {
  assert.equal(await b.call('SAVE'), 'OK');
  const dir = (await b.call('CONFIG', 'GET', 'dir')) as string[];
  const copyDir = mkdtempSync(path.join(tmpdir(), 'redoubt-stream-'));
  copyFileSync(path.join(dir[1]!, 'dump.rdb'), path.join(copyDir, 'dump.rdb'));
  const r = await redoubtIn({ lo: LO, hi: LO + 149, args: ['--dir', copyDir, '--save', ''] });
  const c = await RespClient.connect(r.port);
  try {
    assert.equal(await snapshot(c), await snapshot(b));
    for (const key of ROUND_TRIP) assert.equal(await c.call('DUMP', key), await b.call('DUMP', key), key);
  } finally {
    c.close();
    await r.stop();
  }
});
