import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from '../../../src/server/server.js';
import type { Client } from '../../../src/server/client.js';
import { processCommand } from '../../../src/commands/dispatch.js';
import { HashValue } from '../../../src/store/hash.js';

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
const int = (n: number | string): string => `:${n}\r\n`;
const err = (s: string): string => `-${s}\r\n`;
const NIL = '$-1\r\n';
const OK = '+OK\r\n';
const WRONGTYPE = err('WRONGTYPE Operation against a key holding the wrong kind of value');

/** Parses a flat RESP2 array of bulk strings (no nesting). */
function bulks(reply: string): string[] {
  const lines = reply.split('\r\n');
  const out: string[] = [];
  for (let i = 1; i < lines.length - 1; i += 2) out.push(lines[i + 1]!);
  return out;
}

test('HSET, HGET, HMGET, HLEN, HEXISTS, HSTRLEN and their replies on a missing key', () => {
  const { run } = setup();
  assert.equal(run('HGET', 'h', 'f'), NIL);
  assert.equal(run('HLEN', 'h'), int(0));
  assert.equal(run('HEXISTS', 'h', 'f'), int(0));
  assert.equal(run('HSTRLEN', 'h', 'f'), int(0));
  assert.equal(run('HMGET', 'h', 'a', 'b'), '*2\r\n$-1\r\n$-1\r\n');
  assert.equal(run('HSET', 'h', 'a', '1', 'b', 'two\r\n\x00', 'a', '3'), int(2));
  assert.equal(run('HGET', 'h', 'a'), bulk('3'));
  assert.equal(run('HGET', 'h', 'b'), bulk('two\r\n\x00'));
  assert.equal(run('HMGET', 'h', 'b', 'x', 'a'), `*3\r\n${bulk('two\r\n\x00')}${NIL}${bulk('3')}`);
  assert.equal(run('HLEN', 'h'), int(2));
  assert.equal(run('HEXISTS', 'h', 'a'), int(1));
  assert.equal(run('HSTRLEN', 'h', 'b'), int(6));
  assert.equal(run('HSET', 'h', 'a', '4'), int(0));
  assert.equal(run('HMSET', 'h', 'c', '5'), OK);
  assert.equal(run('HSETNX', 'h', 'c', 'x'), int(0));
  assert.equal(run('HSETNX', 'h', 'd', 'x'), int(1));
  assert.equal(run('HGET', 'h', 'd'), bulk('x'));
  assert.equal(run('TYPE', 'h'), '+hash\r\n');
});

test('HSET/HMSET with an odd number of arguments is an arity error naming the command', () => {
  const { run, server } = setup();
  assert.equal(run('HSET', 'h', 'a', '1', 'b'), err("ERR wrong number of arguments for 'hset' command"));
  assert.equal(run('HMSET', 'h', 'a', '1', 'b'), err("ERR wrong number of arguments for 'hmset' command"));
  assert.equal(server.dbs[0]!.size, 0, 'no empty hash left behind');
});

test('HDEL removes fields, and the key with the last one', () => {
  const { run, server } = setup();
  assert.equal(run('HDEL', 'h', 'a'), int(0));
  run('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
  assert.equal(run('HDEL', 'h', 'x', 'y'), int(0));
  assert.equal(run('HDEL', 'h', 'a', 'c', 'f'), int(2));
  assert.equal(run('HGETALL', 'h'), arr('b', '2'));
  run('HSET', 'h', 'a', '1', 'c', '3');
  assert.equal(run('HDEL', 'h', 'a', 'b', 'c', 'd', 'e'), int(3));
  assert.equal(server.dbs[0]!.has('h'), false);
});

test('HGETALL, HKEYS, HVALS keep listpack order (updates in place, deletes close the gap)', () => {
  const { run } = setup();
  assert.equal(run('HGETALL', 'h'), '*0\r\n');
  assert.equal(run('HKEYS', 'h'), '*0\r\n');
  run('HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4');
  run('HDEL', 'h', 'b');
  run('HSET', 'h', 'b', '5', 'a', '6');
  assert.equal(run('HGETALL', 'h'), arr('a', '6', 'c', '3', 'd', '4', 'b', '5'));
  assert.equal(run('HKEYS', 'h'), arr('a', 'c', 'd', 'b'));
  assert.equal(run('HVALS', 'h'), arr('6', '3', '4', '5'));
});

test('RESP3: HGETALL is a map (empty map when missing), HKEYS stays an array', () => {
  const { run } = setup();
  run('HELLO', '3');
  assert.equal(run('HGETALL', 'h'), '%0\r\n');
  assert.equal(run('HGET', 'h', 'f'), '_\r\n');
  run('HSET', 'h', 'a', '1', 'b', '2');
  assert.equal(run('HGETALL', 'h'), `%2\r\n${bulk('a')}${bulk('1')}${bulk('b')}${bulk('2')}`);
  assert.equal(run('HKEYS', 'h'), arr('a', 'b'));
  assert.equal(run('HMGET', 'h', 'a', 'z'), `*2\r\n${bulk('1')}_\r\n`);
});

test('OBJECT ENCODING follows hash-max-listpack-entries/value, one way', () => {
  const { run } = setup();
  run('CONFIG', 'SET', 'hash-max-listpack-entries', '3');
  run('CONFIG', 'SET', 'hash-max-listpack-value', '5');
  run('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
  assert.equal(run('OBJECT', 'ENCODING', 'h'), bulk('listpack'));
  run('HSET', 'h', 'd', '4');
  assert.equal(run('OBJECT', 'ENCODING', 'h'), bulk('hashtable'));
  run('HDEL', 'h', 'a', 'b', 'c');
  assert.equal(run('OBJECT', 'ENCODING', 'h'), bulk('hashtable'), 'never converts back');

  run('HSET', 'v', 'f', '12345');
  assert.equal(run('OBJECT', 'ENCODING', 'v'), bulk('listpack'));
  run('HSET', 'v', 'f', '123456');
  assert.equal(run('OBJECT', 'ENCODING', 'v'), bulk('hashtable'));
  run('HSET', 'w', 'ffffff', '1');
  assert.equal(run('OBJECT', 'ENCODING', 'w'), bulk('hashtable'), 'a long field converts too');

  // Lowering a limit does not convert existing hashes until they are written.
  run('CONFIG', 'SET', 'hash-max-listpack-value', '64');
  run('HSET', 'x', 'a', '1', 'b', '2');
  run('CONFIG', 'SET', 'hash-max-listpack-entries', '1');
  assert.equal(run('OBJECT', 'ENCODING', 'x'), bulk('listpack'));
  run('HSET', 'x', 'a', '9');
  assert.equal(run('OBJECT', 'ENCODING', 'x'), bulk('hashtable'));

  run('CONFIG', 'SET', 'hash-max-listpack-entries', '0');
  run('HSET', 'z', 'a', '1');
  assert.equal(run('OBJECT', 'ENCODING', 'z'), bulk('hashtable'));
});

test('HINCRBY: creation, errors and overflow', () => {
  const { run, server } = setup();
  assert.equal(run('HINCRBY', 'h', 'n', '5'), int(5));
  assert.equal(run('HINCRBY', 'h', 'n', '-7'), int(-2));
  assert.equal(run('HINCRBY', 'h', 'n', 'x'), err('ERR value is not an integer or out of range'));
  assert.equal(run('HINCRBY', 'nokey', 'n', '1.5'), err('ERR value is not an integer or out of range'));
  assert.equal(server.dbs[0]!.has('nokey'), false);
  run('HSET', 'h', 's', ' 11');
  assert.equal(run('HINCRBY', 'h', 's', '1'), err('ERR hash value is not an integer'));
  run('HSET', 'h', 'big', '17179869184');
  assert.equal(run('HINCRBY', 'h', 'big', '17179869184'), int('34359738368'));
  run('HSET', 'h', 'max', '9223372036854775806');
  assert.equal(run('HINCRBY', 'h', 'max', '1'), int('9223372036854775807'));
  assert.equal(run('HINCRBY', 'h', 'max', '1'), err('ERR increment or decrement would overflow'));
  run('HSET', 'h', 'min', '-9223372036854775484');
  assert.equal(run('HINCRBY', 'h', 'min', '-10000'), err('ERR increment or decrement would overflow'));
  assert.equal(run('HGET', 'h', 'max'), bulk('9223372036854775807'));
});

test('HINCRBYFLOAT formats like Redis (long double, %.17Lf trimmed) and rejects NaN/Infinity', () => {
  const { run, server } = setup();
  assert.equal(run('HINCRBYFLOAT', 'h', 'f', '1.23'), bulk('1.23'));
  assert.equal(run('HINCRBYFLOAT', 'h', 'f', '0.77'), bulk('2'));
  assert.equal(run('HINCRBYFLOAT', 'h', 'f', '-0.1'), bulk('1.9'));
  assert.equal(run('HINCRBYFLOAT', 'h', 'g', '0.1'), bulk('0.1'));
  assert.equal(run('HINCRBYFLOAT', 'h', 'g', '0.2'), bulk('0.3'));
  assert.equal(run('HINCRBYFLOAT', 'h', 'e', '5.0e3'), bulk('5000'));
  assert.equal(run('HGET', 'h', 'e'), bulk('5000'));
  assert.equal(run('HINCRBYFLOAT', 'x', 'f', '+inf'), err('ERR value is NaN or Infinity'));
  assert.equal(server.dbs[0]!.has('x'), false);
  assert.equal(run('HINCRBYFLOAT', 'h', 'f', 'abc'), err('ERR value is not a valid float'));
  run('HSET', 'h', 's', '1\x002');
  assert.equal(run('HINCRBYFLOAT', 'h', 's', '1'), err('ERR hash value is not a float'));
  run('HSET', 'h', 'm', '1e4932');
  assert.equal(run('HINCRBYFLOAT', 'h', 'm', '1e4932'), err('ERR increment would produce NaN or Infinity'));

  run('CONFIG', 'SET', 'hash-max-listpack-value', '8');
  run('HSET', 'a', 'tmp', '0');
  run('HINCRBYFLOAT', 'a', 'tmp', '0.000005');
  assert.equal(run('OBJECT', 'ENCODING', 'a'), bulk('listpack'));
  run('HINCRBYFLOAT', 'a', 'tmp', '0.0000005');
  assert.equal(run('OBJECT', 'ENCODING', 'a'), bulk('hashtable'), 'the result is 9 bytes long');
});

test('HRANDFIELD: argument errors, missing key, count cases and shapes', () => {
  const { run } = setup();
  assert.equal(run('HRANDFIELD', 'h'), NIL);
  assert.equal(run('HRANDFIELD', 'h', '5'), '*0\r\n');
  assert.equal(run('HRANDFIELD', 'h', 'x'), err('ERR value is not an integer or out of range'));
  assert.equal(
    run('HRANDFIELD', 'h', '-9223372036854775808'),
    err('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807'),
  );
  assert.equal(run('HRANDFIELD', 'h', '1', 'foo'), err('ERR syntax error'));
  assert.equal(run('HRANDFIELD', 'h', '1', 'withvalues', 'x'), err('ERR syntax error'));
  assert.equal(run('HRANDFIELD', 'h', '-9223372036854770000', 'withvalues'), err('ERR value is out of range'));

  const fields = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
  run('HSET', 'h', ...fields.flatMap((f, i) => [f, String(i)]));
  assert.equal(run('HRANDFIELD', 'h', '0'), '*0\r\n');
  assert.ok(fields.includes(bulks(`*1\r\n${run('HRANDFIELD', 'h')}`)[0]!));

  // Negative: repeats allowed, exactly |count| elements.
  const rep = bulks(run('HRANDFIELD', 'h', '-100'));
  assert.equal(rep.length, 100);
  assert.ok(rep.every((f) => fields.includes(f)));
  assert.ok(new Set(rep).size < 100);
  assert.equal(bulks(run('HRANDFIELD', 'h', '-30', 'WITHVALUES')).length, 60);

  // count >= size: the whole hash, in order.
  assert.deepEqual(bulks(run('HRANDFIELD', 'h', '20')), fields);
  // count close to size, and much smaller: distinct fields with their own values.
  for (const n of [8, 2]) {
    const got = bulks(run('HRANDFIELD', 'h', String(n), 'withvalues'));
    assert.equal(got.length, n * 2);
    const names = got.filter((_, i) => i % 2 === 0);
    assert.equal(new Set(names).size, n);
    for (let i = 0; i < got.length; i += 2) assert.equal(got[i + 1], String(fields.indexOf(got[i]!)));
  }

  run('HELLO', '3');
  const pairs = run('HRANDFIELD', 'h', '3', 'WITHVALUES');
  assert.match(pairs, /^\*3\r\n\*2\r\n\$1\r\n[a-j]\r\n\$1\r\n\d\r\n\*2\r\n/);
  assert.match(run('HRANDFIELD', 'h', '-2', 'WITHVALUES'), /^\*2\r\n\*2\r\n/);
  assert.match(run('HRANDFIELD', 'h', '3'), /^\*3\r\n\$1\r\n/);
});

test('HRANDFIELD picks uniformly on a hashtable hash', () => {
  const { run } = setup();
  run('CONFIG', 'SET', 'hash-max-listpack-entries', '2');
  run('HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4');
  assert.equal(run('OBJECT', 'ENCODING', 'h'), bulk('hashtable'));
  const counts = new Map<string, number>();
  for (const f of bulks(run('HRANDFIELD', 'h', '-4000'))) counts.set(f, (counts.get(f) ?? 0) + 1);
  assert.equal(counts.size, 4);
  for (const n of counts.values()) assert.ok(n > 800 && n < 1200, `count ${n} far from 1000`);
});

test('HSCAN: a listpack hash comes whole with cursor 0; MATCH filters on fields', () => {
  const { run } = setup();
  assert.equal(run('HSCAN', 'h', '0'), '*2\r\n$1\r\n0\r\n*0\r\n');
  assert.equal(run('HSCAN', 'h', 'x'), err('ERR invalid cursor'));
  run('HMSET', 'h', 'foo', '1', 'fab', '2', 'fiz', '3', 'foobar', '10', '1', 'a');
  assert.equal(
    run('HSCAN', 'h', '7', 'COUNT', '1'),
    `*2\r\n$1\r\n0\r\n${arr('foo', '1', 'fab', '2', 'fiz', '3', 'foobar', '10', '1', 'a')}`,
  );
  assert.equal(run('HSCAN', 'h', '0', 'MATCH', 'foo*'), `*2\r\n$1\r\n0\r\n${arr('foo', '1', 'foobar', '10')}`);
  assert.equal(run('HSCAN', 'h', '0', 'COUNT', '0'), err('ERR syntax error'));
  assert.equal(run('HSCAN', 'h', '0', 'TYPE', 'string'), err('ERR syntax error'));
});

/** Runs HSCAN to completion, calling between() after every step; returns the fields seen. */
function scanAll(run: (...a: string[]) => string, key: string, count: string, between: () => void): Set<string> {
  const seen = new Set<string>();
  let cursor = '0';
  let steps = 0;
  do {
    const reply = run('HSCAN', key, cursor, 'COUNT', count);
    const lines = reply.split('\r\n');
    cursor = lines[2]!;
    const items = bulks(lines.slice(3).join('\r\n'));
    for (let i = 0; i < items.length; i += 2) seen.add(items[i]!);
    between();
    assert.ok(++steps < 100000, 'scan terminates');
  } while (cursor !== '0');
  return seen;
}

test('HSCAN over a hashtable never misses a field present throughout, despite writes', () => {
  const { run } = setup();
  const n = 2000;
  const args: string[] = [];
  for (let i = 0; i < n; i++) args.push(`f${i}`, String(i));
  run('HSET', 'h', ...args);
  assert.equal(run('OBJECT', 'ENCODING', 'h'), bulk('hashtable'));
  const plain = scanAll(run, 'h', '10', () => {});
  assert.equal(plain.size, n);

  // Delete every third field and add new ones while scanning.
  let step = 0;
  const removed = new Set<string>();
  const seen = scanAll(run, 'h', '20', () => {
    step++;
    const victim = `f${(step * 3) % n}`;
    run('HDEL', 'h', victim);
    removed.add(victim);
    run('HSET', 'h', `new${step}`, 'x');
  });
  for (let i = 0; i < n; i++) {
    const f = `f${i}`;
    if (!removed.has(f)) assert.ok(seen.has(f), `${f} missed`);
  }
});

test('every hash command answers WRONGTYPE on a string, and string commands on a hash', () => {
  const { run } = setup();
  run('SET', 's', 'v');
  const cmds = [
    ['HSET', 's', 'f', 'v'],
    ['HSETNX', 's', 'f', 'v'],
    ['HMSET', 's', 'f', 'v'],
    ['HGET', 's', 'f'],
    ['HMGET', 's', 'f'],
    ['HDEL', 's', 'f'],
    ['HEXISTS', 's', 'f'],
    ['HLEN', 's'],
    ['HSTRLEN', 's', 'f'],
    ['HKEYS', 's'],
    ['HVALS', 's'],
    ['HGETALL', 's'],
    ['HINCRBY', 's', 'f', '1'],
    ['HINCRBYFLOAT', 's', 'f', '1'],
    ['HRANDFIELD', 's'],
    ['HRANDFIELD', 's', '2'],
    ['HSCAN', 's', '0'],
  ];
  for (const cmd of cmds) assert.equal(run(...cmd), WRONGTYPE, cmd.join(' '));
  run('HSET', 'h', 'f', 'v');
  assert.equal(run('GET', 'h'), WRONGTYPE);
  assert.equal(run('INCR', 'h'), WRONGTYPE);
  assert.equal(run('APPEND', 'h', 'x'), WRONGTYPE);
});

test('keyspace events and dirty counts match Redis', () => {
  const { run, server } = setup();
  const events: string[] = [];
  server.events.publish = (ch, msg) => {
    if (ch.startsWith('__keyspace@')) events.push(msg);
  };
  run('CONFIG', 'SET', 'notify-keyspace-events', 'KA');
  const dirty0 = server.dirty;
  run('HSET', 'h', 'a', '1', 'b', '2');
  run('HMSET', 'h', 'a', '3');
  run('HSETNX', 'h', 'a', '4');
  run('HSETNX', 'h', 'c', '4');
  run('HINCRBY', 'h', 'n', '1');
  run('HINCRBYFLOAT', 'h', 'n', '1.5');
  run('HDEL', 'h', 'zz');
  run('HDEL', 'h', 'a', 'b');
  run('HDEL', 'h', 'c', 'n');
  assert.deepEqual(events, ['hset', 'hset', 'hset', 'hincrby', 'hincrbyfloat', 'hdel', 'hdel', 'del']);
  assert.equal(server.dirty - dirty0, 2 + 1 + 1 + 1 + 1 + 2 + 2);
});

test('COPY keeps encoding and contents; digests do not depend on encoding', () => {
  const { run } = setup();
  run('HSET', 'h', 'a', '1', 'b', '2');
  assert.equal(run('COPY', 'h', 'h2'), int(1));
  run('HSET', 'h', 'a', 'changed');
  assert.equal(run('HGET', 'h2', 'a'), bulk('1'));
  assert.equal(run('OBJECT', 'ENCODING', 'h2'), bulk('listpack'));

  const lp = new HashValue();
  const ht = new HashValue();
  ht.convert();
  lp.set('x', '1', { entries: 10, value: 10 });
  lp.set('y', '2', { entries: 10, value: 10 });
  ht.set('y', '2', null);
  ht.set('x', '1', null);
  assert.deepEqual(lp.digest(), ht.digest());
  assert.equal(ht.clone().encoding(), 'hashtable');
  ht.set('x', '3', null);
  assert.notDeepEqual(lp.digest(), ht.digest());
  assert.ok(lp.memoryUsage(5) > 0 && ht.memoryUsage(5) > lp.memoryUsage(5));
});
