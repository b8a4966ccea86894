// DUMP / RESTORE against a real redis-server 7.0.15 (ports 30700-30899): the same writes give
// byte-identical DUMP payloads wherever the encoding is deterministic (strings, int/LZF forms,
// listpacks, intsets, small quicklists); payloads cross both ways and restore the same contents
// and encodings; RESTORE's error replies are the same.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { hasRedis, type Proc } from '../support/server.js';
import { redisIn, redoubtIn } from '../support/fixed-port.js';
import { RespClient } from '../support/resp-client.js';

const LO = 30900;
const HI = 31099;
const skip = hasRedis() ? false : 'redis-server 7.0.15 not installed';

let ours: Proc;
let ref: Proc;
let a: RespClient;
let b: RespClient;

const ints = Array.from({ length: 200 }, (_, i) => String(i * 1000 - 70000));
const pairs = (n: number, prefix: string): string[] => {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(String(i / 4), `${prefix}${i}`);
  return out;
};

/** Writes that build each type in a deterministic encoding (both servers get the same). */
const WRITES: string[][] = [
  ['SET', 'small', 'hello'],
  ['SET', 'i8', '-100'],
  ['SET', 'i16', '30000'],
  ['SET', 'i32', '-2000000000'],
  ['SET', 'i64', '9223372036854775807'],
  ['SET', 'lzf', 'redoubt-'.repeat(100)],
  ['SET', 'incompressible', 'q7#Lm9!zR2@xV5$kW8^pT1&'],
  ['SET', 'empty', ''],
  ['RPUSH', 'list', 'a', 'b', '1', '-1', '128', '-4097', '40000', '-9000000', '3000000000', 'x'.repeat(70)],
  ['RPUSH', 'biglist', ...Array.from({ length: 2000 }, (_, i) => `item:${i}`)],
  ['SADD', 'intset', ...ints],
  ['ZADD', 'zset', '1', 'one', '1.5', 'onehalf', '-2', 'minus', '1e300', 'huge', '-inf', 'bottom'],
  ['HSET', 'hash', 'name', 'redoubt', 'n', '17', 'neg', '-5000', 'big', '123456789012', 'long', 'v'.repeat(60)],
];

const DETERMINISTIC = [
  'small',
  'i8',
  'i16',
  'i32',
  'i64',
  'lzf',
  'incompressible',
  'empty',
  'list',
  'biglist',
  'intset',
  'zset',
  'hash',
];

/** Contents of a key, with unordered types sorted, plus its encoding. */
async function view(c: RespClient, key: string): Promise<string> {
  const t = (await c.call('TYPE', key)) as string;
  let v: unknown;
  if (t === 'string') v = await c.call('GET', key);
  else if (t === 'list') v = await c.call('LRANGE', key, '0', '-1');
  else if (t === 'set') v = ((await c.call('SMEMBERS', key)) as string[]).sort();
  else if (t === 'zset') v = await c.call('ZRANGE', key, '0', '-1', 'WITHSCORES');
  else if (t === 'hash') v = ((await c.call('HGETALL', key)) as string[]).sort();
  else v = null;
  return JSON.stringify([t, v, await c.call('OBJECT', 'ENCODING', key)]);
}

before(async () => {
  if (skip) return;
  [ours, ref] = await Promise.all([
    redoubtIn({ lo: LO, hi: HI, args: ['--save', ''] }),
    redisIn({ lo: LO + 100, hi: HI }),
  ]);
  [a, b] = await Promise.all([RespClient.connect(ours.port), RespClient.connect(ref.port)]);
  for (const w of WRITES) await Promise.all([a.call(...w), b.call(...w)]);
  // Large (non-listpack) values, compared by content only.
  for (const c of [a, b]) {
    await c.call('ZADD', 'bigzset', ...pairs(500, 'm'));
    await c.call('HSET', 'bighash', ...pairs(500, 'f'));
    await c.call('SADD', 'bigset', ...pairs(300, 's'));
    await c.call('SADD', 'strset', 'a', 'b', 'c');
    await c.call('SET', 'binary', Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
    await c.call('SET', 'huge', 'z'.repeat(300000));
  }
});

after(async () => {
  a?.close();
  b?.close();
  await Promise.all([ours?.stop(), ref?.stop()]);
});

test('DUMP payloads are byte-identical to redis-server for deterministic encodings', { skip }, async () => {
  for (const key of DETERMINISTIC) {
    const [pa, pb] = await Promise.all([a.call('DUMP', key), b.call('DUMP', key)]);
    assert.equal(pa, pb, `DUMP ${key} differs`);
  }
  assert.equal(await a.call('DUMP', 'nokey'), null);
});

const ALL = [...DETERMINISTIC, 'bigzset', 'bighash', 'bigset', 'strset', 'binary', 'huge'];

test('payloads from redis-server restore into Redoubt with the same contents and encoding', { skip }, async () => {
  for (const key of ALL) {
    const payload = (await b.call('DUMP', key)) as string;
    assert.equal(await a.call('RESTORE', `copy:${key}`, '0', payload), 'OK', key);
    assert.equal(await view(a, `copy:${key}`), await view(b, key), key);
  }
});

test('payloads from Redoubt restore into redis-server with the same contents and encoding', { skip }, async () => {
  for (const key of ALL) {
    const payload = (await a.call('DUMP', key)) as string;
    assert.equal(await b.call('RESTORE', `back:${key}`, '0', payload), 'OK', key);
    assert.equal(await view(b, `back:${key}`), await view(a, key), key);
  }
});

test('RESTORE errors and options answer as redis-server does', { skip }, async () => {
  const payload = (await b.call('DUMP', 'small')) as string;
  const broken = payload.slice(0, -1) + String.fromCharCode(payload.charCodeAt(payload.length - 1) ^ 1);
  const scripts: string[][] = [
    ['RESTORE', 'small', '0', payload],
    ['RESTORE', 'fresh', '-1', payload],
    ['RESTORE', 'fresh', 'abc', payload],
    ['RESTORE', 'fresh', '0', broken],
    ['RESTORE', 'fresh', '0', 'short'],
    ['RESTORE', 'fresh', '0', payload, 'BOGUS'],
    ['RESTORE', 'fresh', '0', payload, 'IDLETIME', '-1'],
    ['RESTORE', 'fresh', '0', payload, 'FREQ', '300'],
    ['RESTORE', 'fresh', '0', payload, 'IDLETIME', '10', 'FREQ', '5'],
    ['RESTORE', 'fresh', '0', payload, 'IDLETIME', 'x'],
    ['RESTORE', 'fresh', '1', payload, 'ABSTTL'],
    ['EXISTS', 'fresh'],
    ['RESTORE', 'fresh', '0', payload, 'IDLETIME', '1000'],
    ['OBJECT', 'IDLETIME', 'fresh'],
    ['RESTORE', 'fresh', '100000', payload, 'REPLACE'],
    ['PTTL', 'fresh'],
    ['RESTORE', 'fresh', '0', '\x00\x01x\x0a\x00' + '\x00'.repeat(8)],
  ];
  for (const cmd of scripts) {
    const [ra, rb] = await Promise.all([a.call(...cmd), b.call(...cmd)]);
    const norm = (r: unknown): unknown =>
      r instanceof Error ? `ERR:${r.message}` : typeof r === 'number' && cmd[0] === 'PTTL' ? r > 99000 : r;
    assert.deepEqual(norm(ra), norm(rb), JSON.stringify(cmd.map((s) => s.slice(0, 20))));
  }
});

test('MIGRATE moves, copies and replaces keys into redis-server over a cached connection', { skip }, async () => {
  await a.call('SET', 'mig:str', 'moved', 'PX', '100000');
  await a.call('RPUSH', 'mig:list', 'x', 'y', 'z');
  const host = '127.0.0.1';
  const port = String(ref.port);
  assert.equal(await a.call('MIGRATE', host, port, 'mig:str', '3', '5000'), 'OK');
  assert.equal(await a.call('EXISTS', 'mig:str'), 0);
  await b.call('SELECT', '3');
  assert.equal(await b.call('GET', 'mig:str'), 'moved');
  assert.ok(((await b.call('PTTL', 'mig:str')) as number) > 90000);
  assert.equal(await a.call('MIGRATE', host, port, 'mig:list', '3', '5000', 'COPY'), 'OK');
  assert.deepEqual(await b.call('LRANGE', 'mig:list', '0', '-1'), ['x', 'y', 'z']);
  const busy = await a.call('MIGRATE', host, port, 'mig:list', '3', '5000', 'COPY');
  assert.ok(busy instanceof Error && /Target instance replied with error: BUSYKEY/.test(busy.message));
  await a.call('RPUSH', 'mig:list', 'w');
  assert.equal(await a.call('MIGRATE', host, port, '', '3', '5000', 'REPLACE', 'KEYS', 'mig:list', 'mig:none'), 'OK');
  assert.equal(await b.call('LLEN', 'mig:list'), 4);
  assert.equal(await a.call('EXISTS', 'mig:list'), 0);
  await b.call('SELECT', '0');
  assert.equal(await a.call('MIGRATE', host, port, 'mig:none', '3', '5000'), 'NOKEY');
  const keyArg = await a.call('MIGRATE', host, port, 'k', '3', '5000', 'KEYS', 'a');
  assert.ok(keyArg instanceof Error && /key argument must be set to the empty string/.test(keyArg.message));
  assert.match((await a.call('INFO', 'stats')) as string, /migrate_cached_sockets:1\r\n/);
  await a.call('SET', 'mig:str', 'v');
  const refused = await a.call('MIGRATE', host, '1', 'mig:str', '0', '500');
  assert.ok(refused instanceof Error && /^IOERR error or timeout connecting/.test(refused.message));
});

test('LZF output matches redis-server byte for byte on varied compressible strings', { skip }, async () => {
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const alphabets = [
    'ab',
    'abcdefgh',
    'the quick brown fox ',
    '\x00\x01',
    String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i)),
  ];
  for (let i = 0; i < 120; i++) {
    const alpha = alphabets[rnd(alphabets.length)]!;
    const n = [21, 22, 30, 50, 100, 1000, 5000, 70000][rnd(8)]!;
    let v = '';
    while (v.length < n) {
      if (v.length > 0 && rnd(2) === 0) {
        const st = rnd(v.length);
        v += v.slice(st, st + 1 + rnd(300));
      } else for (let k = 1 + rnd(20); k > 0; k--) v += alpha[rnd(alpha.length)];
    }
    v = v.slice(0, n);
    await Promise.all([a.call('SET', `lzf:${i}`, v), b.call('SET', `lzf:${i}`, v)]);
    const [pa, pb] = await Promise.all([a.call('DUMP', `lzf:${i}`), b.call('DUMP', `lzf:${i}`)]);
    assert.equal(pa, pb, `DUMP of string ${i} (${n} bytes) differs`);
  }
});
