// Seeded random command mixes for hashes, lists, sets and sorted sets, compared byte for byte
// (same replies, same order) with redis-server 7.0.15. Each script works on a few keys so that
// keys collide, grow past the listpack/intset thresholds (lowered here), shrink, get deleted,
// change type (WRONGTYPE) and hit argument errors; OBJECT ENCODING is asked during and after.
// Replies whose order is a hash order in Redis are avoided (listing commands run only on keys
// that stay listpack/intset, or are sorted by compat.ts), and random-choice commands are only
// used where Redis answers deterministically (count >= size, or a one-element key).
// The seed is in every test name: rerun a failing one by its seed.
import { compatSuite, type Script } from './compat.js';

/** mulberry32: a tiny deterministic PRNG (same sequence for the same seed on every run). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Gen {
  r: () => number;
  pick<T>(a: readonly T[]): T;
  int(lo: number, hi: number): string;
}

function gen(seed: number): Gen {
  const r = mulberry32(seed);
  return {
    r,
    pick: <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!,
    int: (lo, hi) => String(lo + Math.floor(r() * (hi - lo + 1))),
  };
}

type Maker = (g: Gen) => string[];

/** Commands that any family's script mixes in: type changes, deletes, and the type probes. */
function shared(keys: readonly string[]): Maker[] {
  return [
    (g) => ['SET', g.pick(keys), 'plain'],
    (g) => ['DEL', g.pick(keys)],
    (g) => ['TYPE', g.pick(keys)],
    (g) => ['EXISTS', g.pick(keys)],
    (g) => ['OBJECT', 'ENCODING', g.pick(keys)],
  ];
}

/** Builds one script: optional HELLO 3, configs, n random commands, encodings, configs back. */
function build(
  seed: number,
  n: number,
  resp3: boolean,
  configs: [string, string, string][],
  keys: readonly string[],
  makers: Maker[],
  weights?: number[],
): Script {
  const g = gen(seed);
  const out: string[][] = [];
  if (resp3) out.push(['HELLO', '3']);
  for (const [name, value] of configs) out.push(['CONFIG', 'SET', name, value]);
  const all = [...makers, ...shared(keys)];
  // SET is rarer than DEL so that a key is a string (WRONGTYPE) about a quarter of the time.
  const w = weights ?? [...makers.map(() => 4), 1, 3, 1, 1, 1];
  const total = w.reduce((a, b) => a + b, 0);
  for (let i = 0; i < n; i++) {
    let x = g.r() * total;
    let j = 0;
    while (x >= w[j]!) x -= w[j++]!;
    out.push(all[j]!(g));
  }
  for (const k of keys) out.push(['TYPE', k], ['OBJECT', 'ENCODING', k]);
  for (const [name, , back] of configs) out.push(['CONFIG', 'SET', name, back]);
  return out;
}

// ---------------------------------------------------------------------------------- hashes
/** Growing keys: listed only through order-free replies. 'hs' stays listpack and is listed. */
const H_GROW = ['h1', 'h2'];
const H_KEYS = [...H_GROW, 'hs', 'h1e'];
function hashScript(seed: number, n: number, resp3: boolean): Script {
  const field = (g: Gen): string => 'f' + g.int(0, 19);
  const value = (g: Gen): string =>
    g.pick(['1', '-7', '0', '10', 'abc', '', '3.5', '9223372036854775806', 'v'.repeat(20), g.int(-100, 100)]);
  const smallField = (g: Gen): string => g.pick(['a', 'b', 'c', 'd', 'e']);
  const smallValue = (g: Gen): string => g.pick(['1', '2', '-3', 'x', '0.5', g.int(0, 50)]);
  const grow = (g: Gen): string => g.pick(H_GROW);
  const makers: Maker[] = [
    (g) => ['HSET', grow(g), field(g), value(g), field(g), value(g)],
    (g) => ['HSET', grow(g), field(g), value(g)],
    (g) => ['HSETNX', grow(g), field(g), value(g)],
    (g) => ['HMSET', grow(g), field(g), value(g), field(g), value(g)],
    (g) => ['HGET', grow(g), field(g)],
    (g) => ['HMGET', grow(g), field(g), field(g), 'nofield'],
    (g) => ['HDEL', grow(g), field(g), field(g), field(g)],
    (g) => ['HEXISTS', grow(g), field(g)],
    (g) => ['HLEN', g.pick(H_KEYS)],
    (g) => ['HSTRLEN', grow(g), field(g)],
    (g) => ['HINCRBY', grow(g), field(g), g.pick(['1', '-5', '100', 'x', '1.5', '9223372036854775807'])],
    (g) => ['HINCRBYFLOAT', grow(g), field(g), g.pick(['0.1', '-2.5', '1e3', 'x', 'inf', '3'])],
    // 'hs': at most 5 short fields, so it stays a listpack and its listings are ordered.
    (g) => ['HSET', 'hs', smallField(g), smallValue(g)],
    (g) => ['HDEL', 'hs', smallField(g), smallField(g)],
    (g) => ['HINCRBY', 'hs', smallField(g), g.pick(['1', '-2', 'y'])],
    (g) => ['HINCRBYFLOAT', 'hs', smallField(g), g.pick(['0.5', '-1.25', '2'])],
    (g) => [g.pick(['HGETALL', 'HKEYS', 'HVALS']), 'hs'],
    (g) => ['HRANDFIELD', 'hs', g.pick(['5', '50', '0']), ...(g.r() < 0.5 ? ['WITHVALUES'] : [])],
    // 'h1e': one field at most, so even negative counts are deterministic.
    (g) => ['HSET', 'h1e', 'only', smallValue(g)],
    (g) => ['HRANDFIELD', 'h1e', ...(g.r() < 0.7 ? [g.pick(['-3', '1', '2', '0']), 'WITHVALUES'] : [])],
    (g) => ['HRANDFIELD', g.pick(H_KEYS), g.pick(['x', '1.5'])],
    (g) => ['HGETALL', g.pick(['nokey', 'h1e'])],
  ];
  return build(
    seed,
    n,
    resp3,
    [
      ['hash-max-listpack-entries', '8', '128'],
      ['hash-max-listpack-value', '16', '64'],
    ],
    H_KEYS,
    makers,
  );
}

// ----------------------------------------------------------------------------------- lists
const L_KEYS = ['l1', 'l2', 'l3'];
function listScript(seed: number, n: number, resp3: boolean): Script {
  const key = (g: Gen): string => g.pick(L_KEYS);
  const elem = (g: Gen): string => g.pick(['a', 'b', 'c', '1', '22', '', 'z'.repeat(30), 'v' + g.int(0, 9)]);
  const idx = (g: Gen): string => (g.r() < 0.05 ? g.pick(['x', '1.5', '99999999999999999999']) : g.int(-12, 12));
  const count = (g: Gen): string => (g.r() < 0.05 ? g.pick(['-1', 'x']) : g.int(0, 6));
  const side = (g: Gen): string => g.pick(['LEFT', 'RIGHT']);
  const makers: Maker[] = [
    (g) => ['LPUSH', key(g), elem(g), elem(g), elem(g)],
    (g) => ['RPUSH', key(g), elem(g), elem(g)],
    (g) => [g.pick(['LPUSHX', 'RPUSHX']), key(g), elem(g)],
    (g) => [g.pick(['LPOP', 'RPOP']), key(g)],
    (g) => [g.pick(['LPOP', 'RPOP']), key(g), count(g)],
    (g) => ['LLEN', key(g)],
    (g) => ['LINDEX', key(g), idx(g)],
    (g) => ['LSET', key(g), idx(g), elem(g)],
    (g) => ['LRANGE', key(g), idx(g), idx(g)],
    (g) => ['LTRIM', key(g), idx(g), idx(g)],
    (g) => ['LREM', key(g), g.int(-3, 3), elem(g)],
    (g) => ['LINSERT', key(g), g.pick(['BEFORE', 'AFTER', 'MIDDLE']), elem(g), elem(g)],
    (g) => ['LPOS', key(g), elem(g)],
    (g) => [
      'LPOS',
      key(g),
      elem(g),
      'RANK',
      g.pick(['1', '-1', '2', '0', '-2']),
      'COUNT',
      g.pick(['0', '1', '3', '-1']),
      'MAXLEN',
      g.pick(['0', '2', '100', '-1']),
    ],
    (g) => ['LMOVE', key(g), key(g), side(g), side(g)],
    (g) => ['RPOPLPUSH', key(g), key(g)],
    (g) => ['LMPOP', g.pick(['1', '2', '0', 'x']), key(g), key(g), side(g), 'COUNT', count(g)],
    (g) => ['LMPOP', '2', key(g), key(g), side(g)],
  ];
  return build(seed, n, resp3, [['list-max-listpack-size', '4', '-2']], L_KEYS, makers);
}

// ------------------------------------------------------------------------------------ sets
const S_KEYS = ['s1', 's2', 's3', 's1e'];
function setScript(seed: number, n: number, resp3: boolean): Script {
  const key = (g: Gen): string => g.pick(['s1', 's2', 's3']);
  const any = (g: Gen): string => g.pick(S_KEYS.concat('nokey'));
  const member = (g: Gen): string =>
    g.r() < 0.12 ? g.pick(['x' + g.int(0, 5), '-0', '007', 'y'.repeat(25)]) : g.int(-5, 24);
  const makers: Maker[] = [
    (g) => ['SADD', key(g), member(g), member(g), member(g)],
    (g) => ['SADD', key(g), member(g)],
    (g) => ['SREM', key(g), member(g), member(g), member(g)],
    (g) => ['SISMEMBER', key(g), member(g)],
    (g) => ['SMISMEMBER', key(g), member(g), member(g)],
    (g) => ['SCARD', any(g)],
    (g) => ['SMEMBERS', any(g)],
    (g) => ['SUNION', any(g), any(g)],
    (g) => ['SDIFF', any(g), any(g), any(g)],
    (g) => ['SINTERCARD', g.pick(['2', '3', '0', 'x']), any(g), any(g), any(g)],
    (g) => ['SINTERCARD', '2', any(g), any(g), 'LIMIT', g.pick(['0', '1', '3', '-1'])],
    (g) => [g.pick(['SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE']), key(g), any(g), any(g)],
    (g) => ['SMOVE', any(g), key(g), member(g)],
    // A count at least the size returns (and for SPOP removes) the whole set: no random choice.
    (g) => ['SPOP', key(g), g.pick(['1000', '0', '-1', 'x'])],
    (g) => ['SRANDMEMBER', any(g), g.pick(['1000', '0', 'x'])],
    // 's1e': one member at most, so even negative counts are deterministic.
    () => ['SADD', 's1e', 'only'],
    (g) => [g.pick(['SPOP', 'SRANDMEMBER']), 's1e'],
    (g) => ['SRANDMEMBER', 's1e', g.pick(['-3', '1', '5'])],
  ];
  return build(seed, n, resp3, [['set-max-intset-entries', '16', '512']], S_KEYS, makers);
}

// ------------------------------------------------------------------------------ sorted sets
const Z_KEYS = ['z1', 'z2', 'z3', 'z1e'];
function zsetScript(seed: number, n: number, resp3: boolean): Script {
  const key = (g: Gen): string => g.pick(['z1', 'z2', 'z3']);
  const any = (g: Gen): string => g.pick(Z_KEYS.concat('nokey'));
  const member = (g: Gen): string => (g.r() < 0.1 ? 'long' + 'q'.repeat(20) : 'm' + g.int(0, 25));
  const score = (g: Gen): string =>
    g.r() < 0.04
      ? g.pick(['nan', 'abc', '1x', ''])
      : g.pick(['0', '1', '-1', '2.5', '0.1', '1e3', '3.14159', '1.5e-7', '-inf', '+inf', g.int(-10, 30)]);
  const bound = (g: Gen): string => g.pick(['-inf', '+inf', '(1', '2', '(5', '10', '0', '(-3', 'x', '(']);
  const idx = (g: Gen): string => (g.r() < 0.04 ? 'x' : g.int(-12, 12));
  const makers: Maker[] = [
    (g) => ['ZADD', key(g), score(g), member(g), score(g), member(g)],
    (g) => ['ZADD', key(g), g.pick(['NX', 'XX', 'GT', 'LT', 'CH']), score(g), member(g)],
    (g) => ['ZADD', key(g), 'INCR', score(g), member(g)],
    (g) => ['ZADD', key(g), 'INCR', score(g), member(g), score(g), member(g)],
    (g) => ['ZINCRBY', key(g), score(g), member(g)],
    (g) => ['ZREM', key(g), member(g), member(g)],
    (g) => ['ZSCORE', any(g), member(g)],
    (g) => ['ZMSCORE', any(g), member(g), member(g)],
    (g) => [g.pick(['ZRANK', 'ZREVRANK']), any(g), member(g)],
    (g) => ['ZCARD', any(g)],
    (g) => ['ZCOUNT', any(g), bound(g), bound(g)],
    (g) => ['ZRANGE', any(g), idx(g), idx(g), ...(g.r() < 0.5 ? ['WITHSCORES'] : [])],
    (g) => ['ZREVRANGE', any(g), idx(g), idx(g), 'WITHSCORES'],
    (g) => ['ZRANGEBYSCORE', any(g), bound(g), bound(g), 'WITHSCORES', 'LIMIT', g.int(0, 2), g.int(-1, 4)],
    (g) => ['ZREVRANGEBYSCORE', any(g), bound(g), bound(g)],
    (g) => ['ZREMRANGEBYRANK', key(g), idx(g), idx(g)],
    (g) => ['ZREMRANGEBYSCORE', key(g), bound(g), bound(g)],
    (g) => [g.pick(['ZPOPMIN', 'ZPOPMAX']), key(g), g.pick(['1', '2', '0', '-1', 'x'])],
    (g) => ['ZMPOP', g.pick(['2', '0']), any(g), any(g), g.pick(['MIN', 'MAX']), 'COUNT', g.pick(['1', '3', '0'])],
    (g) => [g.pick(['ZUNION', 'ZINTER', 'ZDIFF']), '2', any(g), any(g), 'WITHSCORES'],
    (g) => [
      'ZUNION',
      '2',
      any(g),
      any(g),
      'WEIGHTS',
      g.pick(['2', '-1', 'x']),
      '1',
      'AGGREGATE',
      g.pick(['SUM', 'MIN', 'MAX']),
    ],
    (g) => [g.pick(['ZUNIONSTORE', 'ZINTERSTORE', 'ZDIFFSTORE']), key(g), '2', any(g), any(g)],
    (g) => ['ZINTERCARD', '2', any(g), any(g), 'LIMIT', g.pick(['0', '2', '-1'])],
    (g) => ['ZRANGESTORE', key(g), any(g), idx(g), idx(g)],
    // The whole zset (count >= size) comes in zset order; a one-element key is deterministic.
    (g) => ['ZRANDMEMBER', any(g), g.pick(['1000', '0']), ...(g.r() < 0.5 ? ['WITHSCORES'] : [])],
    (g) => ['ZADD', 'z1e', score(g), 'only'],
    (g) => ['ZRANDMEMBER', 'z1e', ...(g.r() < 0.7 ? [g.pick(['-3', '1', '2']), 'WITHSCORES'] : [])],
  ];
  return build(
    seed,
    n,
    resp3,
    [
      ['zset-max-listpack-entries', '12', '128'],
      ['zset-max-listpack-value', '16', '64'],
    ],
    Z_KEYS,
    makers,
  );
}

const N = 2500;
const scripts: Record<string, Script> = {};
const plan: [string, (seed: number, n: number, resp3: boolean) => Script, number[]][] = [
  ['hash', hashScript, [101, 102]],
  ['list', listScript, [201, 202]],
  ['set', setScript, [301, 302]],
  ['zset', zsetScript, [401, 402]],
];
for (const [type, make, seeds] of plan) {
  seeds.forEach((seed, i) => {
    const resp3 = i % 2 === 1;
    scripts[`${type}: ${N} random commands, seed ${seed}${resp3 ? ', RESP3' : ''}`] = make(seed, N, resp3);
  });
}

compatSuite('random types', scripts);
