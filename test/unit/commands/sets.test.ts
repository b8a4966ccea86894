import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from '../../../src/server/server.js';
import type { Client } from '../../../src/server/client.js';
import { processCommand } from '../../../src/commands/dispatch.js';
import { SetValue } from '../../../src/store/set.js';

interface Ctx {
  server: Server;
  c: Client;
  run: (...argv: string[]) => string;
  events: string[];
}

function setup(): Ctx {
  const server = new Server();
  const c = server.newClient('127.0.0.1:50000', '127.0.0.1:6379', -1);
  const run = (...argv: string[]): string => {
    processCommand(c, argv);
    return Buffer.concat(c.reply.take()).toString('latin1');
  };
  const events: string[] = [];
  server.events.publish = (channel, message) => {
    if (channel.startsWith('__keyevent@')) events.push(`${channel.slice(channel.indexOf(':') + 1)} ${message}`);
  };
  return { server, c, run, events };
}

const bulk = (s: string): string => `$${s.length}\r\n${s}\r\n`;
const arr = (...items: string[]): string => `*${items.length}\r\n` + items.map(bulk).join('');
const set3 = (...items: string[]): string => `~${items.length}\r\n` + items.map(bulk).join('');
const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';

/** Members of a multi-bulk reply, sorted (hashtable order is not specified). */
function members(reply: string): string[] {
  const lines = reply.split('\r\n');
  const out: string[] = [];
  for (let i = 1; i + 1 < lines.length; i += 2) out.push(lines[i + 1]!);
  return out.sort();
}

function encoding(server: Server, key: string): string {
  return (server.dbs[0]!.peek(key)!.value as SetValue).encoding();
}

test('SADD/SREM/SCARD/SISMEMBER/SMISMEMBER basics and key removal', () => {
  const { run, server } = setup();
  assert.equal(run('SADD', 's', 'a', 'b', 'a'), ':2\r\n');
  assert.equal(run('SADD', 's', 'b'), ':0\r\n');
  assert.equal(run('SCARD', 's'), ':2\r\n');
  assert.equal(run('SCARD', 'none'), ':0\r\n');
  assert.equal(run('SISMEMBER', 's', 'a'), ':1\r\n');
  assert.equal(run('SISMEMBER', 's', 'z'), ':0\r\n');
  assert.equal(run('SMISMEMBER', 's', 'z', 'a'), '*2\r\n:0\r\n:1\r\n');
  assert.equal(run('SMISMEMBER', 'none', 'a'), '*1\r\n:0\r\n');
  assert.equal(run('SREM', 's', 'x', 'a'), ':1\r\n');
  assert.equal(run('SREM', 's', 'b', 'c'), ':1\r\n');
  assert.equal(server.dbs[0]!.has('s'), false, 'an emptied set is deleted');
  assert.equal(run('SREM', 's', 'b'), ':0\r\n');
});

test('wrong type errors', () => {
  const { run } = setup();
  run('SET', 'str', 'x');
  for (const cmd of [
    ['SADD', 'str', 'a'],
    ['SREM', 'str', 'a'],
    ['SCARD', 'str'],
    ['SMEMBERS', 'str'],
    ['SPOP', 'str'],
    ['SRANDMEMBER', 'str', '3'],
    ['SINTER', 'none', 'str'],
    ['SUNIONSTORE', 'd', 'str'],
    ['SSCAN', 'str', '0'],
  ]) {
    assert.equal(run(...cmd), WRONGTYPE, cmd.join(' '));
  }
  assert.equal(run('SMOVE', 'none', 'str', 'a'), ':0\r\n', 'a missing source wins over a wrong destination');
});

test('encodings: intset while canonical integers within the limit, then hashtable', () => {
  const { run, server } = setup();
  run('SADD', 'i', '3', '-1', '2');
  assert.equal(encoding(server, 'i'), 'intset');
  assert.equal(run('SMEMBERS', 'i'), arr('-1', '2', '3'), 'intsets reply in ascending order');
  run('SADD', 'i', '07');
  assert.equal(encoding(server, 'i'), 'hashtable');
  run('SADD', 'h', 'x');
  assert.equal(encoding(server, 'h'), 'hashtable');
  run('CONFIG', 'SET', 'set-max-intset-entries', '2');
  run('SADD', 'l', '1', '2');
  assert.equal(encoding(server, 'l'), 'intset');
  run('SADD', 'l', '3');
  assert.equal(encoding(server, 'l'), 'hashtable');
  assert.equal(run('OBJECT', 'ENCODING', 'l'), bulk('hashtable'));
});

test('SMOVE moves, converts the destination and refuses wrong types', () => {
  const { run, server } = setup();
  run('SADD', 'src', '1', 'a');
  run('SADD', 'dst', '2');
  assert.equal(run('SMOVE', 'src', 'dst', '1'), ':1\r\n');
  assert.equal(encoding(server, 'dst'), 'intset');
  assert.equal(run('SMOVE', 'src', 'dst', 'a'), ':1\r\n');
  assert.equal(encoding(server, 'dst'), 'hashtable');
  assert.equal(server.dbs[0]!.has('src'), false);
  assert.equal(run('SMOVE', 'dst', 'dst', 'a'), ':1\r\n');
  assert.equal(run('SMOVE', 'dst', 'dst', 'zz'), ':0\r\n');
  assert.equal(run('SMOVE', 'dst', 'fresh', '2'), ':1\r\n');
  assert.equal(encoding(server, 'fresh'), 'intset');
  run('SET', 'str', 'x');
  assert.equal(run('SMOVE', 'dst', 'str', 'a'), WRONGTYPE);
});

test('SPOP: single, with count, count >= size, count 0, missing key; RESP3 sets', () => {
  const { run, server } = setup();
  run('SADD', 's', '1', '2', '3', '4', '5');
  const one = run('SPOP', 's');
  assert.match(one, /^\$1\r\n[1-5]\r\n$/);
  assert.equal(run('SCARD', 's'), ':4\r\n');
  const two = run('SPOP', 's', '2');
  assert.equal(members(two).length, 2);
  assert.equal(run('SCARD', 's'), ':2\r\n');
  const rest = run('SPOP', 's', '10');
  assert.equal(members(rest).length, 2);
  assert.equal(server.dbs[0]!.has('s'), false);
  assert.equal(run('SPOP', 's'), '$-1\r\n');
  assert.equal(run('SPOP', 's', '3'), '*0\r\n');
  assert.equal(run('SPOP', 's', '-1'), '-ERR value is out of range, must be positive\r\n');
  assert.equal(run('SPOP', 's', '1', '2'), '-ERR syntax error\r\n');
  run('HELLO', '3');
  assert.equal(run('SPOP', 's', '3'), '~0\r\n');
  assert.equal(run('SPOP', 's'), '_\r\n');
  run('SADD', 's', '1', '2', '3');
  assert.equal(run('SPOP', 's', '0'), '~0\r\n');
  assert.equal(run('SPOP', 's', '3'), set3('1', '2', '3'));
});

test('SPOP with a count near the size keeps the right survivors (move strategy)', () => {
  const { run } = setup();
  const all: string[] = [];
  for (let i = 0; i < 20; i++) all.push(String(i));
  run('SADD', 's', ...all);
  const popped = members(run('SPOP', 's', '18'));
  assert.equal(popped.length, 18);
  const left = members(run('SMEMBERS', 's'));
  assert.equal(left.length, 2);
  assert.deepEqual([...popped, ...left].sort(), all.slice().sort());
});

test('SRANDMEMBER: all count cases and shapes', () => {
  const { run } = setup();
  const all: string[] = [];
  for (let i = 0; i < 50; i++) all.push(`m${i}`);
  run('SADD', 's', ...all);
  assert.equal(run('SRANDMEMBER', 's', '0'), '*0\r\n');
  assert.equal(run('SRANDMEMBER', 'none', '5'), '*0\r\n');
  assert.equal(run('SRANDMEMBER', 'none'), '$-1\r\n');
  const neg = members(run('SRANDMEMBER', 's', '-100'));
  assert.equal(neg.length, 100, 'negative counts repeat');
  for (const m of neg) assert.ok(all.includes(m));
  assert.deepEqual(members(run('SRANDMEMBER', 's', '100')), all.slice().sort());
  for (const n of [45, 5]) {
    const got = members(run('SRANDMEMBER', 's', String(n)));
    assert.equal(got.length, n);
    assert.equal(new Set(got).size, n, 'distinct');
    for (const m of got) assert.ok(all.includes(m));
  }
  assert.equal(run('SRANDMEMBER', 's', 'x'), '-ERR value is not an integer or out of range\r\n');
  assert.equal(
    run('SRANDMEMBER', 's', '-9223372036854775808'),
    '-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n',
  );
  run('HELLO', '3');
  assert.match(run('SRANDMEMBER', 's', '2'), /^\*2\r\n/, 'an array even in RESP3');
  assert.equal(run('SRANDMEMBER', 'none', '2'), '*0\r\n');
});

test('SINTER/SINTERCARD/SINTERSTORE', () => {
  const { run, server } = setup();
  run('SADD', 'a', '1', '2', '3', '4');
  run('SADD', 'b', '4', '3', 'x');
  assert.equal(run('SINTER', 'a', 'b'), arr('3', '4'));
  assert.equal(run('SINTER', 'a', 'none'), '*0\r\n');
  assert.equal(run('SINTERCARD', '2', 'a', 'b'), ':2\r\n');
  assert.equal(run('SINTERCARD', '2', 'a', 'b', 'LIMIT', '1'), ':1\r\n');
  assert.equal(run('SINTERCARD', '0', 'a'), '-ERR numkeys should be greater than 0\r\n');
  assert.equal(run('SINTERCARD', '3', 'a', 'b'), "-ERR Number of keys can't be greater than number of args\r\n");
  assert.equal(run('SINTERCARD', '1', 'a', 'LIMIT', '-1'), "-ERR LIMIT can't be negative\r\n");
  assert.equal(run('SINTERCARD', '1', 'a', 'b'), '-ERR syntax error\r\n');
  assert.equal(run('SINTERSTORE', 'd', 'a', 'b'), ':2\r\n');
  assert.equal(encoding(server, 'd'), 'intset', 'results start as intsets');
  run('EXPIRE', 'd', '100');
  run('SINTERSTORE', 'd', 'b', 'b');
  assert.equal(encoding(server, 'd'), 'hashtable');
  assert.equal(server.dbs[0]!.peek('d')!.expireAt, -1, 'the store drops the TTL');
  assert.equal(run('SINTERSTORE', 'd', 'a', 'none'), ':0\r\n');
  assert.equal(server.dbs[0]!.has('d'), false);
  run('HELLO', '3');
  assert.equal(run('SINTER', 'a', 'none'), '~0\r\n');
  assert.equal(run('SMEMBERS', 'a'), set3('1', '2', '3', '4'));
});

test('SUNION/SDIFF and their store forms', () => {
  const { run, server } = setup();
  run('SADD', 'a', '5', '1', '3');
  run('SADD', 'b', '3', '4');
  run('SADD', 'h', 'x', '1');
  assert.equal(run('SUNION', 'b', 'a', 'none'), arr('1', '3', '4', '5'));
  assert.equal(run('SDIFF', 'a', 'b', 'none'), arr('1', '5'));
  assert.equal(run('SDIFF', 'a', 'a'), '*0\r\n');
  assert.equal(run('SDIFF', 'none', 'a'), '*0\r\n');
  assert.deepEqual(members(run('SDIFF', 'h', 'a')), ['x']);
  assert.equal(run('SUNIONSTORE', 'u', 'a', 'h'), ':4\r\n');
  assert.equal(encoding(server, 'u'), 'hashtable');
  assert.equal(run('SDIFFSTORE', 'd', 'h', 'a'), ':1\r\n');
  assert.equal(encoding(server, 'd'), 'hashtable');
  assert.equal(run('SDIFFSTORE', 'd', 'a', 'h'), ':2\r\n');
  assert.equal(encoding(server, 'd'), 'intset');
  assert.equal(run('SDIFFSTORE', 'd', 'a', 'a'), ':0\r\n');
  assert.equal(server.dbs[0]!.has('d'), false);
  run('SET', 'str', 'v');
  assert.equal(run('SUNIONSTORE', 'str', 'none'), ':0\r\n');
  assert.equal(server.dbs[0]!.has('str'), false, 'an empty result deletes the destination');
});

test('SDIFF agrees with a reference model on random data', () => {
  const { run } = setup();
  for (let round = 0; round < 30; round++) {
    run('FLUSHALL');
    const n = 1 + Math.floor(Math.random() * 5);
    const keys: string[] = [];
    const model = new Set<string>();
    for (let i = 0; i < n; i++) {
      const key = `k${i}`;
      keys.push(key);
      const size = Math.floor(Math.random() * 40);
      for (let j = 0; j < size; j++) {
        const m = Math.random() < 0.5 ? String(Math.floor(Math.random() * 50)) : `s${Math.floor(Math.random() * 50)}`;
        run('SADD', key, m);
        if (i === 0) model.add(m);
        else model.delete(m);
      }
    }
    assert.deepEqual(members(run('SDIFF', ...keys)), [...model].sort());
  }
});

test('SSCAN: intsets whole with cursor 0, hashtables by cursor, MATCH filter', () => {
  const { run } = setup();
  run('SADD', 'i', '3', '1', '2', '10');
  assert.equal(run('SSCAN', 'i', '5', 'COUNT', '1'), '*2\r\n$1\r\n0\r\n' + arr('1', '2', '3', '10'));
  assert.equal(run('SSCAN', 'i', '0', 'MATCH', '1*'), '*2\r\n$1\r\n0\r\n' + arr('1', '10'));
  assert.equal(run('SSCAN', 'none', '0', 'COUNT', '0'), '*2\r\n$1\r\n0\r\n*0\r\n');
  assert.equal(run('SSCAN', 'i', 'x'), '-ERR invalid cursor\r\n');
  assert.equal(run('SSCAN', 'i', '0', 'COUNT', '0'), '-ERR syntax error\r\n');
  const all: string[] = [];
  for (let i = 0; i < 100; i++) all.push(`e${i}`);
  run('SADD', 'h', ...all);
  const seen: string[] = [];
  let cursor = '0';
  let calls = 0;
  do {
    const reply = run('SSCAN', 'h', cursor, 'COUNT', '10');
    const lines = reply.split('\r\n');
    cursor = lines[2]!;
    seen.push(...members('*' + lines.slice(3).join('\r\n').slice(1)));
    calls++;
  } while (cursor !== '0' && calls < 100);
  assert.equal(cursor, '0');
  assert.deepEqual(seen.sort(), all.slice().sort());
});

test('keyspace events match Redis, including del on emptied keys and destinations', () => {
  const { run, events } = setup();
  run('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
  const expect = (cmd: string[], want: string[]): void => {
    events.length = 0;
    run(...cmd);
    assert.deepEqual(events, want, cmd.join(' '));
  };
  expect(['SADD', 's', 'a', 'b'], ['sadd s']);
  expect(['SADD', 's', 'a'], []);
  expect(['SREM', 's', 'zz'], []);
  expect(['SREM', 's', 'a'], ['srem s']);
  expect(['SMOVE', 's', 't', 'b'], ['srem s', 'del s', 'sadd t']);
  expect(['SADD', 's', 'b'], ['sadd s']);
  expect(['SMOVE', 's', 't', 'b'], ['srem s', 'del s']);
  expect(['SPOP', 't'], ['spop t', 'del t']);
  run('SADD', 's', '1', '2', '3');
  expect(['SPOP', 's', '0'], []);
  expect(['SPOP', 's', '1'], ['spop s']);
  expect(['SPOP', 's', '5'], ['spop s', 'del s']);
  run('SADD', 'a', '1', '2');
  run('SADD', 'b', '2', '3');
  expect(['SINTERSTORE', 'd', 'a', 'b'], ['sinterstore d']);
  expect(['SUNIONSTORE', 'd', 'a', 'b'], ['sunionstore d']);
  expect(['SDIFFSTORE', 'd', 'a', 'b'], ['sdiffstore d']);
  expect(['SDIFFSTORE', 'd', 'a', 'a'], ['del d']);
  expect(['SDIFFSTORE', 'd', 'a', 'a'], []);
  run('SADD', 'd', 'x');
  expect(['SINTERSTORE', 'd', 'a', 'none'], ['del d']);
  expect(['SREM', 'a', '1', '2', '3'], ['srem a', 'del a']);
});

test('dirty counter and COPY / DEBUG DIGEST-VALUE support', () => {
  const { run, server } = setup();
  let dirty = server.dirty;
  run('SADD', 's', 'a', 'b', 'c');
  assert.equal(server.dirty - dirty, 3);
  dirty = server.dirty;
  run('SREM', 's', 'a', 'zz');
  assert.equal(server.dirty - dirty, 1);
  run('COPY', 's', 'copy');
  run('SADD', 'copy', 'new');
  assert.equal(run('SCARD', 's'), ':2\r\n');
  assert.equal(run('SCARD', 'copy'), ':3\r\n');
  run('SADD', 'i1', '1', '2');
  run('SADD', 'i2', '2', 'x', '1');
  run('SREM', 'i2', 'x');
  assert.equal(run('DEBUG', 'DIGEST-VALUE', 'i1'), run('DEBUG', 'DIGEST-VALUE', 'i2'));
});
