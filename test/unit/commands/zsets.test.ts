import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from '../../../src/server/server.js';
import type { Client } from '../../../src/server/client.js';
import { processCommand } from '../../../src/commands/dispatch.js';
import { ZSet, d2string, g17 } from '../../../src/store/zset.js';
import { parseDouble, parseScoreRange, strtod } from '../../../src/commands/zset-args.js';

function setup(): { server: Server; c: Client; run: (...argv: string[]) => string } {
  const server = new Server();
  const c = server.newClient('127.0.0.1:50000', '127.0.0.1:6379', -1);
  const run = (...argv: string[]): string => {
    processCommand(c, argv);
    return Buffer.concat(c.reply.take()).toString('latin1');
  };
  return { server, c, run };
}

const bulk = (s: string): string => `$${s.length}\r\n${s}\r\n`;
const arr = (...items: string[]): string => `*${items.length}\r\n` + items.map(bulk).join('');
const int = (n: number): string => `:${n}\r\n`;
const err = (s: string): string => `-${s}\r\n`;

test('%.17g and d2string formatting', () => {
  assert.equal(g17(0.1), '0.10000000000000001');
  assert.equal(g17(1), '1');
  assert.equal(g17(-0), '-0');
  assert.equal(g17(1e100), '1e+100');
  assert.equal(g17(1e-5), '1.0000000000000001e-05');
  assert.equal(g17(123456789012345680), '1.2345678901234568e+17');
  assert.equal(g17(Infinity), 'inf');
  assert.equal(d2string(123456789012345680), '123456789012345680');
  assert.equal(d2string(1e20), '1e+20');
  assert.equal(d2string(2.5), '2.5');
  assert.equal(d2string(-Infinity), '-inf');
});

test('strtod-compatible parsing of scores and ranges', () => {
  assert.equal(parseDouble('0x10'), 16);
  assert.equal(parseDouble('0x1.8p1'), 3);
  assert.equal(parseDouble('-inf'), -Infinity);
  assert.equal(parseDouble('Infinity'), Infinity);
  assert.equal(parseDouble('nan'), null);
  assert.equal(parseDouble(' 1'), null);
  assert.equal(parseDouble('1 '), null);
  assert.equal(parseDouble(''), null);
  assert.equal(parseDouble('1e400'), null);
  assert.equal(parseDouble('1e-400'), null);
  assert.equal(parseDouble('1e-310'), 1e-310);
  assert.equal(strtod('12abc').end, 2);
  assert.deepEqual(parseScoreRange('(1', ' 2'), { min: 1, max: 2, minex: true, maxex: false });
  assert.deepEqual(parseScoreRange('', '('), { min: 0, max: 0, minex: false, maxex: true });
  assert.equal(parseScoreRange('1x', '2'), null);
  assert.equal(parseScoreRange('nan', '2'), null);
});

test('ZADD flags, errors and replies', () => {
  const { run } = setup();
  assert.equal(run('ZADD', 'z', '1', 'a', '2', 'b'), int(2));
  assert.equal(run('ZADD', 'z', 'CH', '5', 'a', '3', 'c'), int(2));
  assert.equal(
    run('ZADD', 'z', 'NX', 'XX', '1', 'a'),
    err('ERR XX and NX options at the same time are not compatible'),
  );
  assert.equal(
    run('ZADD', 'z', 'GT', 'LT', '1', 'a'),
    err('ERR GT, LT, and/or NX options at the same time are not compatible'),
  );
  assert.equal(
    run('ZADD', 'z', 'INCR', '1', 'a', '1', 'b'),
    err('ERR INCR option supports a single increment-element pair'),
  );
  assert.equal(run('ZADD', 'z', '1', 'a', '2'), err('ERR syntax error'));
  assert.equal(run('ZADD', 'z', 'x', 'a'), err('ERR value is not a valid float'));
  assert.equal(run('ZADD', 'z', 'INCR', '2.5', 'a'), bulk('7.5'));
  assert.equal(run('ZADD', 'z', 'INCR', 'NX', '1', 'a'), '$-1\r\n');
  assert.equal(run('ZADD', 'z', 'GT', '1', 'a'), int(0));
  assert.equal(run('ZSCORE', 'z', 'a'), bulk('7.5'));
  assert.equal(run('ZADD', 'z', 'inf', 'a'), int(0));
  assert.equal(run('ZINCRBY', 'z', '-inf', 'a'), err('ERR resulting score is not a number (NaN)'));
  assert.equal(run('ZSCORE', 'z', 'a'), bulk('inf'));
  run('SET', 's', 'x');
  assert.equal(run('ZADD', 's', '1', 'a'), err('WRONGTYPE Operation against a key holding the wrong kind of value'));
});

test('ZRANGE variants, LIMIT and option conflicts', () => {
  const { run } = setup();
  run('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd');
  assert.equal(run('ZRANGE', 'z', '0', '-1'), arr('a', 'b', 'c', 'd'));
  assert.equal(run('ZRANGE', 'z', '0', '0', 'REV', 'WITHSCORES'), arr('d', '4'));
  assert.equal(run('ZRANGE', 'z', '(1', '3', 'BYSCORE'), arr('b', 'c'));
  assert.equal(run('ZRANGE', 'z', '3', '(1', 'BYSCORE', 'REV', 'LIMIT', '1', '5'), arr('b'));
  assert.equal(run('ZRANGE', 'z', '-', '(c', 'BYLEX'), arr('a', 'b'));
  assert.equal(run('ZRANGEBYSCORE', 'z', '-inf', '+inf', 'LIMIT', '-1', '2'), '*0\r\n');
  assert.equal(
    run('ZRANGE', 'z', '0', '1', 'LIMIT', '0', '1'),
    err('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX'),
  );
  assert.equal(
    run('ZRANGE', 'z', '-', '+', 'BYLEX', 'WITHSCORES'),
    err('ERR syntax error, WITHSCORES not supported in combination with BYLEX'),
  );
  assert.equal(run('ZRANGEBYLEX', 'z', 'a', '+'), err('ERR min or max not valid string range item'));
  assert.equal(run('ZRANGEBYSCORE', 'z', 'a', '1'), err('ERR min or max is not a float'));
  assert.equal(run('ZREVRANGE', 'z', '0', '1', 'REV'), err('ERR syntax error'));
});

test('RESP3 shapes: doubles and nested WITHSCORES pairs', () => {
  const { run } = setup();
  run('HELLO', '3');
  run('ZADD', 'z', '1.5', 'a', '2', 'b');
  assert.equal(run('ZSCORE', 'z', 'a'), ',1.5\r\n');
  assert.equal(run('ZRANGE', 'z', '0', '-1', 'WITHSCORES'), '*2\r\n*2\r\n$1\r\na\r\n,1.5\r\n*2\r\n$1\r\nb\r\n,2\r\n');
  assert.equal(run('ZPOPMIN', 'z', '1'), '*1\r\n*2\r\n$1\r\na\r\n,1.5\r\n');
  assert.equal(run('ZPOPMIN', 'z'), '*2\r\n$1\r\nb\r\n,2\r\n');
  assert.equal(run('ZSCORE', 'z', 'a'), '_\r\n');
  assert.equal(run('ZMPOP', '1', 'z', 'MIN'), '_\r\n');
});

test('encodings follow zset-max-listpack-* and the empty key is deleted', () => {
  const { server, run } = setup();
  run('CONFIG', 'SET', 'zset-max-listpack-entries', '2');
  run('ZADD', 'z', '1', 'a', '2', 'b');
  assert.equal(run('OBJECT', 'ENCODING', 'z'), bulk('listpack'));
  run('ZADD', 'z', '3', 'c');
  assert.equal(run('OBJECT', 'ENCODING', 'z'), bulk('skiplist'));
  run('ZREM', 'z', 'a', 'b');
  assert.equal(run('OBJECT', 'ENCODING', 'z'), bulk('skiplist'));
  assert.equal(run('ZUNIONSTORE', 'd', '1', 'z'), int(1));
  assert.equal(run('OBJECT', 'ENCODING', 'd'), bulk('listpack'));
  assert.equal(run('ZREM', 'z', 'c'), int(1));
  assert.equal(server.dbs[0]!.peek('z'), undefined);
  run('ZADD', 'long', '1', 'x'.repeat(65));
  assert.equal(run('OBJECT', 'ENCODING', 'long'), bulk('skiplist'));
});

test('ZUNION/ZINTER accept plain sets as score 1 and honour WEIGHTS/AGGREGATE', () => {
  const { run } = setup();
  run('ZADD', 'z', '2', 'a', '3', 'b');
  run('SADD', 's', 'a', 'c');
  assert.equal(run('ZUNION', '2', 'z', 's', 'WITHSCORES'), arr('c', '1', 'a', '3', 'b', '3'));
  assert.equal(run('ZINTER', '2', 'z', 's', 'WEIGHTS', '10', '1', 'AGGREGATE', 'MAX', 'WITHSCORES'), arr('a', '20'));
  assert.equal(run('ZDIFF', '2', 'z', 's'), arr('b'));
  assert.equal(run('ZINTERCARD', '2', 'z', 's'), int(1));
  assert.equal(run('ZUNION', '0', 'z'), err("ERR at least 1 input key is needed for 'zunion' command"));
  assert.equal(run('ZUNION', '2', 'z', 's', 'WEIGHTS', '1', 'x'), err('ERR weight value is not a float'));
});

test('ZSCAN: a listpack in one call, a skiplist across cursors without losses', () => {
  const { run } = setup();
  run('ZADD', 'small', '1', 'a', '1.5', 'b');
  assert.equal(run('ZSCAN', 'small', '0'), '*2\r\n$1\r\n0\r\n' + arr('a', '1', 'b', '1.5'));
  const args: string[] = [];
  for (let i = 0; i < 300; i++) args.push(String(i), 'm' + i);
  run('ZADD', 'big', ...args);
  const seen = new Set<string>();
  let cursor = '0';
  let calls = 0;
  do {
    const reply = run('ZSCAN', 'big', cursor, 'COUNT', '7');
    const lines = reply.split('\r\n');
    cursor = lines[2]!;
    // Items start after "*2", "$n", cursor, "*k": member and score alternate as bulk strings.
    for (let i = 5; i < lines.length - 1; i += 4) seen.add(lines[i]!);
    // Churn between calls: members present throughout must still all be returned.
    run('ZADD', 'big', '1000', 'new' + calls);
    run('ZREM', 'big', 'new' + calls);
    calls++;
  } while (cursor !== '0' && calls < 1000);
  for (let i = 0; i < 300; i++) assert.ok(seen.has('m' + i), 'm' + i);
});

test('keyspace events for zadd, zincr, zrem and del', () => {
  const { server, run } = setup();
  const got: string[] = [];
  server.events.publish = (ch: string, msg: string): void => {
    if (ch.startsWith('__keyevent')) got.push(ch.slice(ch.indexOf(':') + 1) + ' ' + msg);
  };
  run('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
  run('ZADD', 'z', '1', 'a');
  run('ZADD', 'z', '1', 'a');
  run('ZINCRBY', 'z', '1', 'a');
  run('ZREM', 'z', 'a');
  run('ZADD', 'z', '1', 'a', '2', 'b');
  run('ZPOPMAX', 'z', '5');
  assert.deepEqual(got, ['zadd z', 'zincr z', 'zrem z', 'del z', 'zadd z', 'zpopmax z', 'del z']);
});

test('ZSet API used by GEO and SORT', () => {
  const lim = { entries: 128, value: 64 };
  const z = new ZSet();
  assert.equal(z.set('a', 3, lim), true);
  assert.equal(z.set('b', 1, lim), true);
  assert.equal(z.set('a', 2, lim), false);
  assert.equal(z.score('a'), 2);
  assert.equal(z.rank('a'), 1);
  assert.equal(z.rank('a', true), 0);
  assert.deepEqual(z.rangeByRank(0, 1), [
    ['b', 1],
    ['a', 2],
  ]);
  assert.deepEqual(z.rangeByScore({ min: 1, max: 2, minex: true, maxex: false }), [['a', 2]]);
  assert.equal(z.delete('a'), true);
  assert.equal(z.size, 1);
});

test('BZPOPMIN/BZMPOP block until a ZADD fills the key, then pop in blocking order', () => {
  const { server, run } = setup();
  const a = server.newClient('127.0.0.1:50001', '127.0.0.1:6379', -1);
  const b = server.newClient('127.0.0.1:50002', '127.0.0.1:6379', -1);
  const out = (c: Client): string => Buffer.concat(c.reply.take()).toString('latin1');
  processCommand(a, ['BZPOPMIN', 'z1', 'z2', '0']);
  processCommand(b, ['BZMPOP', '0', '1', 'z2', 'MAX', 'COUNT', '5']);
  assert.equal(out(a), '');
  assert.equal(out(b), '');
  assert.equal(run('ZADD', 'z2', '1', 'x', '2', 'y', '3', 'w'), int(3));
  assert.equal(out(a), arr('z2', 'x', '1'));
  assert.equal(out(b), '*2\r\n' + bulk('z2') + '*2\r\n' + arr('w', '3') + arr('y', '2'));
  assert.equal(server.dbs[0]!.peek('z2'), undefined);
  // A key with elements is served at once; a wrong type is an error; MULTI cannot block.
  run('ZADD', 'z1', '5', 'q');
  processCommand(a, ['BZPOPMAX', 'z1', '0']);
  assert.equal(out(a), arr('z1', 'q', '5'));
  run('SET', 'str', 'v');
  processCommand(a, ['BZPOPMIN', 'str', '0']);
  assert.equal(out(a), err('WRONGTYPE Operation against a key holding the wrong kind of value'));
  processCommand(a, ['BZPOPMIN', 'z1', '-1']);
  assert.equal(out(a), err('ERR timeout is negative'));
  processCommand(a, ['BZMPOP', '0', '0', 'z1', 'MIN']);
  assert.equal(out(a), err('ERR numkeys should be greater than 0'));
  assert.equal(run('MULTI'), '+OK\r\n');
  run('BZPOPMIN', 'nokey', '0');
  assert.equal(run('EXEC'), '*1\r\n*-1\r\n');
});
