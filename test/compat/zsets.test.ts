// Sorted set commands compared byte for byte with redis-server 7.0.15: replies (score
// formatting in RESP2 and RESP3, WITHSCORES shapes), error strings, encodings and their
// conversions. Random replies (ZRANDMEMBER) are only compared where they are deterministic.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compatSuite } from './compat.js';
import { hasRedis, startRedis, startRedoubt, type Proc } from '../support/server.js';
import { RawClient } from '../support/raw-client.js';

const many = (n: number, prefix = 'm'): string[] => {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(String(i), prefix + i);
  return out;
};

/** A deterministic PRNG, so that the random script is the same on every run. */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x * 1664525 + 1013904223) >>> 0;
    return x / 4294967296;
  };
}

/** Many random deterministic commands over a few keys, with small listpack limits. */
function randomScript(seed: number, n: number): string[][] {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const keys = ['k1', 'k2', 'k3'];
  const member = (): string => (r() < 0.1 ? 'long' + 'x'.repeat(20) : 'm' + Math.floor(r() * 40));
  const score = (): string =>
    pick(['0', '1', '2.5', '-3', '10', '1e3', '-inf', '+inf', '0.1', String(Math.floor(r() * 20))]);
  const bound = (): string => pick(['-inf', '+inf', '(1', '2', '(5', '10', '0', '(-3']);
  const lex = (): string => pick(['-', '+', '[m1', '(m2', '[m3', '(m5', '[long']);
  // Lex ranges over mixed scores are only deterministic in Redis for a listpack: 'lp' stays
  // one (few short members); 'lx' may grow into a skiplist but keeps a single score.
  const lexKey = (): string => pick(['lp', 'lx']);
  const lexMember = (): string => 'm' + Math.floor(r() * 10);
  const idx = (): string => String(Math.floor(r() * 30) - 15);
  const out: string[][] = [
    ['CONFIG', 'SET', 'zset-max-listpack-entries', '16'],
    ['CONFIG', 'SET', 'zset-max-listpack-value', '16'],
  ];
  const gens: (() => string[])[] = [
    () => ['ZADD', pick(keys), score(), member(), score(), member()],
    () => ['ZADD', pick(keys), pick(['NX', 'XX', 'GT', 'LT', 'CH']), score(), member()],
    () => ['ZINCRBY', pick(keys), score(), member()],
    () => ['ZREM', pick(keys), member(), member()],
    () => ['ZRANGE', pick(keys), idx(), idx(), 'WITHSCORES'],
    () => ['ZRANGE', pick(keys), bound(), bound(), 'BYSCORE', 'LIMIT', String(Math.floor(r() * 3)), idx()],
    () => ['ZRANGE', pick(keys), bound(), bound(), 'BYSCORE', 'REV', 'WITHSCORES'],
    () => ['ZADD', 'lp', score(), lexMember(), score(), lexMember()],
    () => ['ZADD', 'lx', '0', member(), '0', member(), '0', member()],
    () => ['ZRANGEBYLEX', lexKey(), lex(), lex()],
    () => ['ZREVRANGEBYLEX', lexKey(), lex(), lex(), 'LIMIT', '1', '3'],
    () => ['ZCOUNT', pick(keys), bound(), bound()],
    () => ['ZLEXCOUNT', lexKey(), lex(), lex()],
    () => ['ZRANK', pick(keys), member()],
    () => ['ZREVRANK', pick(keys), member()],
    () => ['ZSCORE', pick(keys), member()],
    () => ['ZREMRANGEBYRANK', pick(keys), idx(), idx()],
    () => ['ZREMRANGEBYSCORE', pick(keys), bound(), bound()],
    () => ['ZREMRANGEBYLEX', lexKey(), lex(), lex()],
    () => ['ZPOPMIN', pick(keys), String(Math.floor(r() * 3))],
    () => ['ZPOPMAX', pick(keys)],
    () => [
      'ZUNIONSTORE',
      pick(keys),
      '2',
      pick(keys),
      pick(keys),
      'WEIGHTS',
      '2',
      '1',
      'AGGREGATE',
      pick(['SUM', 'MIN', 'MAX']),
    ],
    () => ['ZINTERSTORE', pick(keys), '2', pick(keys), pick(keys)],
    () => ['ZDIFFSTORE', pick(keys), '2', pick(keys), pick(keys)],
    () => ['ZRANGESTORE', pick(keys), pick(keys), idx(), idx()],
    () => ['ZINTER', '2', pick(keys), pick(keys), 'WITHSCORES'],
    () => ['ZCARD', pick(keys)],
    () => ['OBJECT', 'ENCODING', pick(keys)],
  ];
  for (let i = 0; i < n; i++) out.push(pick(gens)());
  out.push(['CONFIG', 'SET', 'zset-max-listpack-entries', '128'], ['CONFIG', 'SET', 'zset-max-listpack-value', '64']);
  return out;
}

compatSuite('zsets', {
  'random command mix (seed 1)': randomScript(1, 3000),
  'random command mix (seed 2)': randomScript(2, 3000),
  'zadd options and errors': [
    ['ZADD', 'z', '1', 'a', '2', 'b'],
    ['ZADD', 'z', 'NX', '5', 'a', '3', 'c'],
    ['ZADD', 'z', 'XX', 'CH', '6', 'a', '4', 'd'],
    ['ZADD', 'z', 'GT', 'CH', '1', 'a', '7', 'b'],
    ['ZADD', 'z', 'LT', 'CH', '1', 'a', '9', 'b'],
    ['ZADD', 'z', 'XX', 'GT', '100', 'a'],
    ['ZADD', 'z', 'NX', 'XX', '1', 'a'],
    ['ZADD', 'z', 'NX', 'GT', '1', 'a'],
    ['ZADD', 'z', 'GT', 'LT', '1', 'a'],
    ['ZADD', 'z', 'INCR', '1', 'a', '2', 'b'],
    ['ZADD', 'z', '1'],
    ['ZADD', 'z', 'nan', 'a'],
    ['ZADD', 'z', '1', 'a', 'x', 'b'],
    ['ZADD', 'z', ' 1', 'a'],
    ['ZADD', 'z', '1e400', 'a'],
    ['ZADD', 'z', '0x10', 'hex', '+inf', 'pinf', '-INF', 'ninf', '1e-320', 'tiny', '.5', 'half'],
    ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'],
    ['ZADD', 'z', 'INCR', '1', 'pinf'],
    ['ZADD', 'z', 'INCR', '-inf', 'pinf'],
    ['ZINCRBY', 'z', '-inf', 'pinf'],
    ['ZADD', 'z', 'INCR', 'NX', '1', 'a'],
    ['ZADD', 'z', 'INCR', 'XX', '1', 'nosuch'],
    ['ZADD', 'z', 'INCR', 'GT', '-1', 'a'],
    ['ZADD', 'nokey', 'XX', '1', 'a'],
    ['ZADD', 'nokey', 'XX', 'INCR', '1', 'a'],
    ['EXISTS', 'nokey'],
    ['SET', 'str', 'x'],
    ['ZADD', 'str', '1', 'a'],
    ['ZADD', 'str', 'x', 'a'],
  ],
  'score formatting': [
    [
      'ZADD',
      'z',
      '0.1',
      'a',
      '1.5',
      'b',
      '-0',
      'c',
      '3.0000000000000004',
      'd',
      '1e100',
      'e',
      '123456789012345678',
      'f',
    ],
    ['ZADD', 'z', '1e-5', 'g', '0.0001', 'h', '12345678901234567890', 'i', '-2.5e-300', 'j'],
    ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'],
    ['ZSCORE', 'z', 'a'],
    ['ZSCORE', 'z', 'c'],
    ['ZMSCORE', 'z', 'a', 'nosuch', 'f'],
    ['ZINCRBY', 'z', '0.2', 'a'],
    ['ZSCAN', 'z', '0'],
    ['HELLO', '3'],
    ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'],
    ['ZSCORE', 'z', 'a'],
    ['ZSCORE', 'z', 'nosuch'],
    ['ZMSCORE', 'z', 'a', 'nosuch'],
    ['ZINCRBY', 'z', '1', 'b'],
    ['ZADD', 'z', 'INCR', 'XX', '1', 'nosuch'],
  ],
  'zrange family': [
    ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e', '5', 'f'],
    ['ZRANGE', 'z', '1', '3'],
    ['ZRANGE', 'z', '-2', '-1', 'WITHSCORES'],
    ['ZRANGE', 'z', '5', '2'],
    ['ZRANGE', 'z', '0', '100', 'REV'],
    ['ZREVRANGE', 'z', '0', '1', 'WITHSCORES'],
    ['ZRANGE', 'z', '(1', '5', 'BYSCORE', 'LIMIT', '1', '2', 'WITHSCORES'],
    ['ZRANGE', 'z', '5', '(1', 'BYSCORE', 'REV', 'LIMIT', '0', '-1'],
    ['ZRANGE', 'z', '-inf', '+inf', 'BYSCORE', 'LIMIT', '-1', '3'],
    ['ZRANGE', 'z', '0', '-1', 'LIMIT', '0', '1'],
    ['ZRANGE', 'z', '0', '-1', 'LIMIT', '0', '-1'],
    ['ZRANGE', 'z', '[a', '[c', 'BYLEX', 'WITHSCORES'],
    ['ZRANGE', 'z', '0', '-1', 'BYSCORE', 'BYLEX'],
    ['ZRANGE', 'z', '0', '-1', 'REV', 'REV'],
    ['ZRANGE', 'z', '0', '-1', 'LIMIT', '0'],
    ['ZRANGE', 'z', 'a', '1'],
    ['ZRANGEBYSCORE', 'z', '2', '4', 'WITHSCORES', 'LIMIT', '1', '1'],
    ['ZRANGEBYSCORE', 'z', '(2', '(5'],
    ['ZRANGEBYSCORE', 'z', '', '3'],
    ['ZRANGEBYSCORE', 'z', ' 2', '0x4'],
    ['ZRANGEBYSCORE', 'z', 'x', '3'],
    ['ZRANGEBYSCORE', 'z', 'nan', '3'],
    ['ZRANGEBYSCORE', 'z', '1', '3', 'REV'],
    ['ZREVRANGEBYSCORE', 'z', '+inf', '-inf', 'WITHSCORES'],
    ['ZREVRANGEBYSCORE', 'z', '4', '(2', 'LIMIT', '0', '1'],
    ['ZRANGEBYLEX', 'z', '-', '+'],
    ['ZRANGEBYLEX', 'z', '(b', '[e', 'LIMIT', '1', '10'],
    ['ZRANGEBYLEX', 'z', 'b', '[e'],
    ['ZRANGEBYLEX', 'z', '-', '+', 'WITHSCORES'],
    ['ZREVRANGEBYLEX', 'z', '+', '-', 'LIMIT', '0', '2'],
    ['ZRANGE', 'nokey', '0', '-1'],
    ['ZRANGEBYSCORE', 'nokey', 'x', '1'],
    ['HELLO', '3'],
    ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'],
    ['ZRANGE', 'z', '0', '-1'],
  ],
  'zrangestore and encodings': [
    ['CONFIG', 'SET', 'zset-max-listpack-entries', '3'],
    ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd'],
    ['OBJECT', 'ENCODING', 'z'],
    ['ZRANGESTORE', 'd', 'z', '0', '1'],
    ['OBJECT', 'ENCODING', 'd'],
    ['ZRANGESTORE', 'd', 'z', '0', '-1'],
    ['OBJECT', 'ENCODING', 'd'],
    ['ZRANGESTORE', 'd', 'z', '1', '3', 'BYSCORE'],
    ['OBJECT', 'ENCODING', 'd'],
    ['ZRANGESTORE', 'd', 'z', '-inf', '+inf', 'BYSCORE', 'LIMIT', '0', '2'],
    ['OBJECT', 'ENCODING', 'd'],
    ['ZRANGESTORE', 'd', 'z', '[c', '-', 'BYLEX', 'REV'],
    ['ZRANGE', 'd', '0', '-1', 'WITHSCORES'],
    ['ZRANGESTORE', 'd', 'z', '5', '6'],
    ['EXISTS', 'd'],
    ['ZRANGESTORE', 'd', 'nokey', '0', '-1'],
    ['ZRANGESTORE', 'd', 'z', '0', '-1', 'WITHSCORES'],
    ['ZREM', 'z', 'a', 'b'],
    ['OBJECT', 'ENCODING', 'z'],
    ['ZADD', 'v', '1', 'x'.repeat(65)],
    ['OBJECT', 'ENCODING', 'v'],
    ['ZADD', 'w', '1', 'x'.repeat(64)],
    ['OBJECT', 'ENCODING', 'w'],
    ['ZADD', 'w', '2', 'y'.repeat(65)],
    ['OBJECT', 'ENCODING', 'w'],
    ['CONFIG', 'SET', 'zset-max-listpack-entries', '0'],
    ['ZADD', 'e', '1', 'a'],
    ['OBJECT', 'ENCODING', 'e'],
    ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'],
  ],
  'zrank, zcount, zlexcount, zcard': [
    ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '3', 'd'],
    ['ZRANK', 'z', 'a'],
    ['ZRANK', 'z', 'd'],
    ['ZREVRANK', 'z', 'a'],
    ['ZRANK', 'z', 'x'],
    ['ZRANK', 'nokey', 'x'],
    ['ZCOUNT', 'z', '2', '3'],
    ['ZCOUNT', 'z', '(2', '+inf'],
    ['ZCOUNT', 'z', '3', '2'],
    ['ZCOUNT', 'z', 'a', '2'],
    ['ZCOUNT', 'nokey', '0', '1'],
    ['ZLEXCOUNT', 'z', '[b', '(d'],
    ['ZLEXCOUNT', 'z', '-', '+'],
    ['ZLEXCOUNT', 'z', '+', '-'],
    ['ZLEXCOUNT', 'z', 'b', 'd'],
    ['ZCARD', 'z'],
    ['ZCARD', 'nokey'],
    ['SET', 's', 'x'],
    ['ZCARD', 's'],
    ['ZRANK', 's', 'a'],
    ['ZCOUNT', 's', '0', '1'],
    ['ZCOUNT', 's', 'x', '1'],
  ],
  'zrem and zremrangeby*': [
    ['ZADD', 'z', ...many(10)],
    ['ZREM', 'z', 'm1', 'm2', 'nosuch'],
    ['ZREMRANGEBYRANK', 'z', '0', '1'],
    ['ZREMRANGEBYRANK', 'z', '-2', '-1'],
    ['ZREMRANGEBYRANK', 'z', '5', '1'],
    ['ZREMRANGEBYRANK', 'z', 'a', '1'],
    ['ZREMRANGEBYSCORE', 'z', '(4', '6'],
    ['ZREMRANGEBYSCORE', 'z', 'a', '6'],
    ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'],
    ['ZREMRANGEBYLEX', 'z', '[m4', '[m4'],
    ['ZREMRANGEBYLEX', 'z', 'm4', '[m4'],
    ['ZRANGE', 'z', '0', '-1'],
    ['ZREMRANGEBYSCORE', 'z', '-inf', '+inf'],
    ['EXISTS', 'z'],
    ['ZREM', 'nokey', 'a'],
    ['ZADD', 'y', '1', 'a'],
    ['ZREM', 'y', 'a', 'a'],
    ['EXISTS', 'y'],
  ],
  'zpop and zmpop': [
    ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd'],
    ['ZPOPMIN', 'z'],
    ['ZPOPMAX', 'z', '2'],
    ['ZPOPMIN', 'z', '0'],
    ['ZPOPMIN', 'z', '-1'],
    ['ZPOPMIN', 'z', 'x'],
    ['ZPOPMIN', 'z', '1', '2'],
    ['ZPOPMIN', 'nokey'],
    ['ZPOPMIN', 'nokey', '0'],
    ['ZADD', 'z2', '5', 'e', '6', 'f'],
    ['ZMPOP', '2', 'nokey', 'z2', 'MAX', 'COUNT', '10'],
    ['ZMPOP', '1', 'z', 'min'],
    ['ZMPOP', '1', 'z', 'min'],
    ['ZMPOP', '0', 'z', 'min'],
    ['ZMPOP', '2', 'z', 'min'],
    ['ZMPOP', '1', 'z', 'mid'],
    ['ZMPOP', '1', 'z', 'min', 'COUNT', '0'],
    ['ZMPOP', '1', 'z', 'min', 'COUNT', '1', 'COUNT', '1'],
    ['ZMPOP', '1', 'z', 'min', 'COUNT'],
    ['ZADD', 'z', '1', 'a', '2', 'b'],
    ['HELLO', '3'],
    ['ZPOPMIN', 'z'],
    ['ZADD', 'z', '1', 'a'],
    ['ZPOPMIN', 'z', '1'],
    ['ZMPOP', '1', 'z', 'max'],
    ['ZMPOP', '1', 'nokey', 'max'],
  ],
  'zunion, zinter, zdiff with sets and weights': [
    ['ZADD', 'a', '1', 'x', '2', 'y', '3', 'z'],
    ['ZADD', 'b', '10', 'y', '20', 'z', '30', 'w'],
    ['SADD', 's', 'x', 'w', 'v'],
    ['ZUNION', '3', 'a', 'b', 's', 'WITHSCORES'],
    ['ZUNION', '2', 'a', 'b', 'WEIGHTS', '2', '0.5', 'AGGREGATE', 'MAX', 'WITHSCORES'],
    ['ZINTER', '2', 'a', 'b', 'AGGREGATE', 'MIN', 'WITHSCORES'],
    ['ZINTER', '2', 'a', 's', 'WITHSCORES'],
    ['ZDIFF', '2', 'a', 'b', 'WITHSCORES'],
    ['ZDIFF', '2', 'a', 'a'],
    ['ZDIFF', '2', 's', 'a', 'WITHSCORES'],
    ['ZINTERCARD', '2', 'a', 'b'],
    ['ZINTERCARD', '2', 'a', 'b', 'LIMIT', '1'],
    ['ZINTERCARD', '2', 'a', 'b', 'LIMIT', '-1'],
    ['ZINTERCARD', '2', 'a', 'b', 'LIMIT', 'x'],
    ['ZINTERCARD', '0', 'a'],
    ['ZUNIONSTORE', 'd', '2', 'a', 'b'],
    ['ZRANGE', 'd', '0', '-1', 'WITHSCORES'],
    ['OBJECT', 'ENCODING', 'd'],
    ['ZINTERSTORE', 'd', '2', 'a', 'nokey'],
    ['EXISTS', 'd'],
    ['ZDIFFSTORE', 'd', '1', 'a'],
    ['ZRANGE', 'd', '0', '-1', 'WITHSCORES'],
    ['ZUNIONSTORE', 'd', '0', 'a'],
    ['ZUNION', '0', 'a'],
    ['ZUNION', '3', 'a', 'b'],
    ['ZUNION', '2', 'a', 'b', 'WEIGHTS', '1'],
    ['ZUNION', '2', 'a', 'b', 'WEIGHTS', '1', 'x'],
    ['ZUNION', '2', 'a', 'b', 'AGGREGATE', 'avg'],
    ['ZUNIONSTORE', 'd', '2', 'a', 'b', 'WITHSCORES'],
    ['ZDIFF', '2', 'a', 'b', 'WEIGHTS', '1', '2'],
    ['ZADD', 'i1', 'inf', 'x'],
    ['ZADD', 'i2', '-inf', 'x'],
    ['ZUNION', '2', 'i1', 'i2', 'WITHSCORES'],
    ['ZINTER', '2', 'i1', 'i2', 'WITHSCORES'],
    ['ZUNION', '1', 'i1', 'WEIGHTS', '0', 'WITHSCORES'],
    ['SET', 'str', 'x'],
    ['ZUNION', '2', 'a', 'str'],
    ['HELLO', '3'],
    ['ZUNION', '2', 'a', 'b', 'WITHSCORES'],
  ],
  'store encodings follow the result size': [
    ['ZADD', 'big', ...many(200)],
    ['OBJECT', 'ENCODING', 'big'],
    ['ZUNIONSTORE', 'd', '1', 'big'],
    ['OBJECT', 'ENCODING', 'd'],
    ['ZREMRANGEBYRANK', 'big', '0', '150'],
    ['OBJECT', 'ENCODING', 'big'],
    ['ZUNIONSTORE', 'd', '1', 'big'],
    ['OBJECT', 'ENCODING', 'd'],
    ['ZINTERSTORE', 'd', '1', 'big'],
    ['OBJECT', 'ENCODING', 'd'],
    ['ZDIFFSTORE', 'd', '1', 'big'],
    ['OBJECT', 'ENCODING', 'd'],
    ['COPY', 'big', 'copy'],
    ['OBJECT', 'ENCODING', 'copy'],
    ['ZRANGE', 'copy', '0', '4', 'WITHSCORES'],
  ],
  'zrandmember deterministic cases': [
    ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c'],
    ['ZRANDMEMBER', 'z', '0'],
    ['ZRANDMEMBER', 'z', '10', 'WITHSCORES'],
    ['ZRANDMEMBER', 'z', '3'],
    ['ZRANDMEMBER', 'nokey'],
    ['ZRANDMEMBER', 'nokey', '5'],
    ['ZRANDMEMBER', 'z', '1', 'foo'],
    ['ZRANDMEMBER', 'z', 'x'],
    ['ZRANDMEMBER', 'z', '-9223372036854775808'],
    ['ZRANDMEMBER', 'z', '-9223372036854770000', 'WITHSCORES'],
    ['ZADD', 'one', '7', 'x'],
    ['ZRANDMEMBER', 'one'],
    ['ZRANDMEMBER', 'one', '-3', 'WITHSCORES'],
    ['HELLO', '3'],
    ['ZRANDMEMBER', 'one', '-2', 'WITHSCORES'],
  ],
  'signed zero per encoding, huge integers and limits': [
    ['ZADD', 'lp', '-0', 'a'],
    ['ZSCORE', 'lp', 'a'],
    ['ZADD', 'lp', 'INCR', '-0', 'b'],
    ['ZSCORE', 'lp', 'b'],
    ['CONFIG', 'SET', 'zset-max-listpack-entries', '0'],
    ['ZADD', 'sl', '-0', 'a', '0', 'b'],
    ['ZSCORE', 'sl', 'a'],
    ['ZADD', 'sl', '0', 'a'],
    ['ZSCORE', 'sl', 'a'],
    ['ZRANGE', 'sl', '0', '-1', 'WITHSCORES'],
    ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'],
    ['ZRANGESTORE', 'st', 'sl', '0', '-1'],
    ['ZRANGE', 'st', '0', '-1', 'WITHSCORES'],
    ['ZUNIONSTORE', 'un', '1', 'sl'],
    ['ZRANGE', 'un', '0', '-1', 'WITHSCORES'],
    ['ZUNION', '1', 'sl', 'WITHSCORES'],
    ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c'],
    ['ZRANGE', 'z', '-9223372036854775808', '9223372036854775807'],
    ['ZRANGE', 'z', '0', '9223372036854775808'],
    ['ZRANGEBYSCORE', 'z', '-inf', '+inf', 'LIMIT', '1', '9223372036854775807'],
    ['ZRANGEBYSCORE', 'z', '-inf', '+inf', 'LIMIT', '9223372036854775807', '1'],
    ['ZREMRANGEBYRANK', 'z', '5', '9223372036854775807'],
    ['ZPOPMIN', 'z', '9223372036854775807'],
    ['ZADD', 'z', '1', 'a'],
    ['ZMPOP', '9223372036854775807', 'z', 'MIN'],
    ['ZMPOP', '1', 'z', 'MIN', 'COUNT', '9223372036854775807'],
    ['ZADD', 'z', '1', 'a', '1', 'b'],
    ['ZINTERCARD', '1', 'z', 'LIMIT', '0'],
    ['ZUNION', '1', 'z', 'WEIGHTS', 'inf', 'WITHSCORES'],
    ['ZUNION', '1', 'z', 'WEIGHTS', 'nan', 'WITHSCORES'],
    ['ZADD', 'z', '1', 'x'.repeat(65)],
    ['OBJECT', 'ENCODING', 'z'],
    ['ZADD', 'bin', '1', 'a\x00b', '1', 'a', '1', '\xff'],
    ['ZRANGE', 'bin', '0', '-1'],
    ['ZRANGEBYLEX', 'bin', '(a', '+'],
    ['ZRANGEBYSCORE', 'bin', '1\x00junk', '1'],
  ],
  zscan: [
    ['ZADD', 'z', '1', 'a', '2.5', 'b', '100000000000000000', 'c', '1e20', 'd'],
    ['ZSCAN', 'z', '0'],
    ['ZSCAN', 'z', '0', 'MATCH', 'a*'],
    ['ZSCAN', 'z', '0', 'COUNT', '0'],
    ['ZSCAN', 'z', 'x'],
    ['ZSCAN', 'nokey', '0'],
    ['ZSCAN', 'nokey', '0', 'COUNT', '0'],
  ],
});

// Blocking pops need a second connection: the same two-client scenario runs on both servers.
describe(
  'zsets: blocking pops compared with redis-server',
  { skip: !hasRedis() && 'redis-server not installed' },
  () => {
    let ours: Proc;
    let ref: Proc;
    before(async () => {
      [ours, ref] = await Promise.all([startRedoubt(), startRedis()]);
    });
    after(async () => {
      await Promise.all([ours?.stop(), ref?.stop()]);
    });

    /** Blocks one client with `cmd`, fills the key from another, returns both replies. */
    async function scenario(port: number, cmd: string[], fill: string[][]): Promise<string[]> {
      const [a, b] = await Promise.all([RawClient.connect(port), RawClient.connect(port)]);
      try {
        await b.call('FLUSHALL');
        const pending = a.call(...cmd);
        // Wait until the server reports the client as blocked before filling the key.
        for (;;) {
          const info = (await b.call('INFO', 'clients')).toString('latin1');
          if (/blocked_clients:1\r\n/.test(info)) break;
        }
        const out: string[] = [];
        for (const f of fill) out.push((await b.call(...f)).toString('latin1'));
        out.push((await pending).toString('latin1'));
        out.push((await a.call('ZRANGE', 'z', '0', '-1', 'WITHSCORES')).toString('latin1'));
        return out;
      } finally {
        a.close();
        b.close();
      }
    }

    const cases: [string, string[], string[][]][] = [
      ['BZPOPMIN served by ZADD', ['BZPOPMIN', 'y', 'z', '0'], [['ZADD', 'z', '2', 'b', '1', 'a']]],
      [
        'BZPOPMAX served by ZUNIONSTORE',
        ['BZPOPMAX', 'z', '0'],
        [
          ['ZADD', 's', '1', 'a', '5', 'e'],
          ['ZUNIONSTORE', 'z', '1', 's'],
        ],
      ],
      [
        'BZMPOP with COUNT',
        ['BZMPOP', '0', '2', 'y', 'z', 'MAX', 'COUNT', '2'],
        [['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c']],
      ],
      ['BZPOPMIN times out', ['BZPOPMIN', 'z', '0.05'], []],
    ];
    for (const [title, cmd, fill] of cases) {
      test(title, async () => {
        if (fill.length === 0) {
          // No second client needed: the timeout reply alone is compared.
          const replies = await Promise.all(
            [ours.port, ref.port].map(async (p) => {
              const c = await RawClient.connect(p);
              try {
                return (await c.call(...cmd)).toString('latin1');
              } finally {
                c.close();
              }
            }),
          );
          assert.equal(replies[0], replies[1]);
          return;
        }
        const [mine, theirs] = await Promise.all([scenario(ours.port, cmd, fill), scenario(ref.port, cmd, fill)]);
        assert.deepEqual(mine, theirs);
      });
    }
  },
);
