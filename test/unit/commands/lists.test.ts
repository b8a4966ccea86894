import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from '../../../src/server/server.js';
import type { Client } from '../../../src/server/client.js';
import { processCommand } from '../../../src/commands/dispatch.js';

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
const NIL = '$-1\r\n';
const NILARR = '*-1\r\n';
const OK = '+OK\r\n';
const WRONGTYPE = err('WRONGTYPE Operation against a key holding the wrong kind of value');

test('LPUSH/RPUSH are variadic and reply the new length; X variants need the key', () => {
  const { run, server } = setup();
  assert.equal(run('LPUSHX', 'l', 'a'), int(0));
  assert.equal(run('RPUSHX', 'l', 'a'), int(0));
  assert.equal(server.dbs[0]!.size, 0);
  assert.equal(run('LPUSH', 'l', 'a', 'b', 'c', 'd'), int(4));
  assert.equal(run('RPUSH', 'l', '0', '1'), int(6));
  assert.equal(run('LRANGE', 'l', '0', '-1'), arr('d', 'c', 'b', 'a', '0', '1'));
  assert.equal(run('LPUSHX', 'l', 'y1', 'y2'), int(8));
  assert.equal(run('RPUSHX', 'l', 'z'), int(9));
  assert.equal(run('LRANGE', 'l', '0', '1'), arr('y2', 'y1'));
  assert.equal(run('OBJECT', 'ENCODING', 'l'), bulk('quicklist'));
  assert.equal(run('TYPE', 'l'), '+list\r\n');
});

test('binary-safe elements survive the round trip', () => {
  const { run } = setup();
  const v = 'a\r\n\x00\xff';
  run('RPUSH', 'l', v);
  assert.equal(run('LINDEX', 'l', '0'), bulk(v));
  assert.equal(run('LPOP', 'l'), bulk(v));
});

test('LPOP/RPOP with and without count, in RESP2 and RESP3', () => {
  const { run, c, server } = setup();
  assert.equal(run('LPOP', 'l'), NIL);
  assert.equal(run('LPOP', 'l', '1'), NILARR);
  assert.equal(run('LPOP', 'l', '0'), NILARR);
  run('RPUSH', 'l', 'a', 'b', 'c', 'd', 'e');
  assert.equal(run('LPOP', 'l', '0'), '*0\r\n');
  assert.equal(run('LPOP', 'l'), bulk('a'));
  assert.equal(run('RPOP', 'l', '2'), arr('e', 'd'));
  assert.equal(run('LPOP', 'l', '10'), arr('b', 'c'));
  assert.equal(server.dbs[0]!.has('l'), false, 'emptied list is deleted');
  assert.equal(run('LPOP', 'l', '-1'), err('ERR value is out of range, must be positive'));
  assert.equal(run('LPOP', 'l', 'x'), err('ERR value is out of range, must be positive'));
  assert.equal(run('LPOP', 'l', '1', '2'), err("ERR wrong number of arguments for 'lpop' command"));
  c.resp = 3;
  assert.equal(run('RPOP', 'l'), '_\r\n');
  assert.equal(run('RPOP', 'l', '3'), '_\r\n');
});

test('LINDEX and LSET resolve negative indexes; out of range and missing keys', () => {
  const { run } = setup();
  assert.equal(run('LINDEX', 'l', '0'), NIL);
  assert.equal(run('LINDEX', 'l', 'notanumber'), NIL, 'missing key is looked up before the index is parsed');
  assert.equal(run('LSET', 'l', '0', 'x'), err('ERR no such key'));
  run('RPUSH', 'l', 'a', 'b', 'c');
  assert.equal(run('LINDEX', 'l', '-1'), bulk('c'));
  assert.equal(run('LINDEX', 'l', '-3'), bulk('a'));
  assert.equal(run('LINDEX', 'l', '-4'), NIL);
  assert.equal(run('LINDEX', 'l', '3'), NIL);
  assert.equal(run('LINDEX', 'l', 'x'), err('ERR value is not an integer or out of range'));
  assert.equal(run('LSET', 'l', '-1', 'C'), OK);
  assert.equal(run('LSET', 'l', '1', 'B'), OK);
  assert.equal(run('LSET', 'l', '3', 'x'), err('ERR index out of range'));
  assert.equal(run('LRANGE', 'l', '0', '-1'), arr('a', 'B', 'C'));
});

test('LRANGE and LTRIM index arithmetic', () => {
  const { run, server } = setup();
  assert.equal(run('LRANGE', 'l', '0', '-1'), '*0\r\n');
  assert.equal(run('LTRIM', 'l', '0', '1'), OK);
  run('RPUSH', 'l', '1', '2', '3', '4', '5');
  assert.equal(run('LRANGE', 'l', '-100', '100'), arr('1', '2', '3', '4', '5'));
  assert.equal(run('LRANGE', 'l', '3', '1'), '*0\r\n');
  assert.equal(run('LRANGE', 'l', '0', '-5'), arr('1'));
  assert.equal(run('LRANGE', 'l', '0', '-6'), '*0\r\n');
  assert.equal(run('LRANGE', 'l', 'a', '1'), err('ERR value is not an integer or out of range'));
  assert.equal(run('LTRIM', 'l', '1', '-2'), OK);
  assert.equal(run('LRANGE', 'l', '0', '-1'), arr('2', '3', '4'));
  assert.equal(run('LTRIM', 'l', '5', '10'), OK);
  assert.equal(server.dbs[0]!.has('l'), false);
});

test('LREM from the head, from the tail, and all', () => {
  const { run, server } = setup();
  assert.equal(run('LREM', 'l', '0', 'x'), int(0));
  run('RPUSH', 'l', 'x', 'a', 'x', 'b', 'x', 'c', 'x');
  assert.equal(run('LREM', 'l', '2', 'x'), int(2));
  assert.equal(run('LRANGE', 'l', '0', '-1'), arr('a', 'b', 'x', 'c', 'x'));
  assert.equal(run('LREM', 'l', '-1', 'x'), int(1));
  assert.equal(run('LRANGE', 'l', '0', '-1'), arr('a', 'b', 'x', 'c'));
  assert.equal(run('LREM', 'l', '0', 'x'), int(1));
  assert.equal(run('LREM', 'l', 'z', 'x'), err('ERR value is not an integer or out of range'));
  assert.equal(run('LREM', 'l', '0', 'a'), int(1));
  assert.equal(run('LREM', 'l', '0', 'b'), int(1));
  assert.equal(run('LREM', 'l', '0', 'c'), int(1));
  assert.equal(server.dbs[0]!.has('l'), false);
});

test('LINSERT before/after the first pivot; -1 without pivot, 0 without key', () => {
  const { run } = setup();
  assert.equal(run('LINSERT', 'l', 'BEFORE', 'a', 'x'), int(0));
  run('RPUSH', 'l', 'a', 'b', 'a');
  assert.equal(run('LINSERT', 'l', 'after', 'a', 'x'), int(4));
  assert.equal(run('LINSERT', 'l', 'Before', 'a', 'y'), int(5));
  assert.equal(run('LINSERT', 'l', 'before', 'zz', 'y'), int(-1));
  assert.equal(run('LINSERT', 'l', 'middle', 'a', 'y'), err('ERR syntax error'));
  assert.equal(run('LRANGE', 'l', '0', '-1'), arr('y', 'a', 'x', 'b', 'a'));
});

test('LPOS with RANK, COUNT and MAXLEN', () => {
  const { run } = setup();
  assert.equal(run('LPOS', 'l', 'c'), NIL);
  assert.equal(run('LPOS', 'l', 'c', 'COUNT', '0'), '*0\r\n');
  run('RPUSH', 'l', 'a', 'b', 'c', '1', '2', '3', 'c', 'c');
  assert.equal(run('LPOS', 'l', 'c'), int(2));
  assert.equal(run('LPOS', 'l', 'c', 'RANK', '-1'), int(7));
  assert.equal(run('LPOS', 'l', 'c', 'RANK', '4'), NIL);
  assert.equal(run('LPOS', 'l', 'c', 'COUNT', '0'), `*3\r\n${int(2)}${int(6)}${int(7)}`);
  assert.equal(run('LPOS', 'l', 'c', 'COUNT', '2', 'RANK', '-1'), `*2\r\n${int(7)}${int(6)}`);
  assert.equal(run('LPOS', 'l', 'c', 'COUNT', '0', 'MAXLEN', '7', 'RANK', '2'), `*1\r\n${int(6)}`);
  assert.equal(
    run('LPOS', 'l', 'c', 'RANK', '0'),
    err(
      "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
    ),
  );
  assert.equal(run('LPOS', 'l', 'c', 'COUNT', '-1'), err("ERR COUNT can't be negative"));
  assert.equal(run('LPOS', 'l', 'c', 'MAXLEN', 'x'), err("ERR MAXLEN can't be negative"));
  assert.equal(run('LPOS', 'l', 'c', 'COUNT'), err('ERR syntax error'));
});

test('LMOVE/RPOPLPUSH, including the same list as source and destination', () => {
  const { run, server } = setup();
  assert.equal(run('RPOPLPUSH', 's', 'd'), NIL);
  assert.equal(server.dbs[0]!.size, 0);
  run('RPUSH', 's', 'a', 'b', 'c');
  assert.equal(run('RPOPLPUSH', 's', 'd'), bulk('c'));
  assert.equal(run('LMOVE', 's', 'd', 'LEFT', 'RIGHT'), bulk('a'));
  assert.equal(run('LRANGE', 'd', '0', '-1'), arr('c', 'a'));
  assert.equal(run('LMOVE', 's', 's', 'left', 'right'), bulk('b'));
  assert.equal(run('LMOVE', 's', 'd', 'up', 'right'), err('ERR syntax error'));
  run('SET', 'str', 'x');
  assert.equal(run('LMOVE', 's', 'str', 'left', 'left'), WRONGTYPE);
  assert.equal(run('LRANGE', 's', '0', '-1'), arr('b'), 'source untouched after a WRONGTYPE destination');
  assert.equal(run('RPOPLPUSH', 's', 'd'), bulk('b'));
  assert.equal(server.dbs[0]!.has('s'), false);
});

test('LMPOP argument errors and replies', () => {
  const { run } = setup();
  assert.equal(run('LMPOP', '0', 'l', 'LEFT'), err('ERR numkeys should be greater than 0'));
  assert.equal(run('LMPOP', 'a', 'l', 'LEFT'), err('ERR numkeys should be greater than 0'));
  assert.equal(run('LMPOP', '1', 'l', 'up'), err('ERR syntax error'));
  assert.equal(run('LMPOP', '2', 'l', 'LEFT'), err('ERR syntax error'));
  assert.equal(run('LMPOP', '1', 'l', 'LEFT', 'COUNT', '1', 'COUNT', '2'), err('ERR syntax error'));
  assert.equal(run('LMPOP', '1', 'l', 'LEFT', 'COUNT', '0'), err('ERR count should be greater than 0'));
  assert.equal(run('LMPOP', '1', 'l', 'LEFT', 'COUNT'), err('ERR syntax error'));
  assert.equal(run('LMPOP', '2', 'l', 'm', 'LEFT'), NILARR);
  run('RPUSH', 'm', '1', '2', '3');
  assert.equal(run('LMPOP', '2', 'l', 'm', 'RIGHT', 'COUNT', '2'), `*2\r\n${bulk('m')}${arr('3', '2')}`);
  assert.equal(run('LMPOP', '2', 'l', 'm', 'left'), `*2\r\n${bulk('m')}${arr('1')}`);
  run('SET', 'l', 'x');
  assert.equal(run('LMPOP', '2', 'l', 'm', 'left'), WRONGTYPE);
});

test('WRONGTYPE against non-list values for every list command', () => {
  const { run } = setup();
  run('SET', 's', 'x');
  for (const cmd of [
    ['LPUSH', 's', 'a'],
    ['RPUSHX', 's', 'a'],
    ['LLEN', 's'],
    ['LINDEX', 's', '0'],
    ['LSET', 's', '0', 'a'],
    ['LRANGE', 's', '0', '1'],
    ['LTRIM', 's', '0', '1'],
    ['LREM', 's', '0', 'a'],
    ['LINSERT', 's', 'before', 'a', 'b'],
    ['LPOS', 's', 'a'],
    ['LPOP', 's'],
    ['RPOP', 's', '2'],
    ['RPOPLPUSH', 's', 'd'],
    ['BLPOP', 's', '0'],
    ['BRPOPLPUSH', 's', 'd', '0'],
    ['BLMPOP', '0', '1', 's', 'left'],
  ]) {
    assert.equal(run(...cmd), WRONGTYPE, cmd.join(' '));
  }
});

test('blocking commands find data at once, or answer like a timeout inside MULTI', () => {
  const { run } = setup();
  run('RPUSH', 'l', 'a', 'b');
  assert.equal(run('BLPOP', 'x', 'l', '0'), arr('l', 'a'));
  assert.equal(run('BRPOP', 'x', 'l', '0'), arr('l', 'b'));
  run('RPUSH', 'l', 'a', 'b');
  assert.equal(run('BLMPOP', '0', '1', 'l', 'RIGHT', 'COUNT', '5'), `*2\r\n${bulk('l')}${arr('b', 'a')}`);
  run('RPUSH', 'l', 'a');
  assert.equal(run('MULTI'), OK);
  run('BLPOP', 'l', '0');
  run('BLPOP', 'l', '0');
  run('BRPOPLPUSH', 'l', 'd', '0');
  run('BLMOVE', 'l', 'd', 'left', 'left', '0');
  run('BLMPOP', '0', '1', 'l', 'left');
  assert.equal(run('EXEC'), `*5\r\n${arr('l', 'a')}${NILARR}${NIL}${NIL}${NILARR}`);
});

test('timeout argument errors', () => {
  const { run } = setup();
  assert.equal(run('BLPOP', 'l', '-1'), err('ERR timeout is negative'));
  assert.equal(run('BLPOP', 'l', 'inf'), err('ERR timeout is negative'));
  assert.equal(run('BLPOP', 'l', 'abc'), err('ERR timeout is not a float or out of range'));
  assert.equal(run('BLPOP', 'l', ' 1'), err('ERR timeout is not a float or out of range'));
  assert.equal(run('BRPOPLPUSH', 'l', 'd', 'nan'), err('ERR timeout is not a float or out of range'));
  assert.equal(run('BLMOVE', 'l', 'd', 'left', 'up', 'x'), err('ERR syntax error'), 'positions before the timeout');
  assert.equal(run('BLMPOP', 'x', '0', 'l', 'left'), err('ERR numkeys should be greater than 0'));
});

test('keyspace events and dirty counter follow Redis', () => {
  const { run, server } = setup();
  const events: string[] = [];
  server.events.publish = (ch, msg) => void (ch.startsWith('__keyevent') && events.push(`${ch.split(':')[1]} ${msg}`));
  run('CONFIG', 'SET', 'notify-keyspace-events', 'El');
  const dirty0 = server.dirty;
  run('RPUSH', 'l', 'a', 'b', 'c');
  run('LINSERT', 'l', 'before', 'zz', 'x');
  run('LMOVE', 'l', 'm', 'left', 'right');
  run('LTRIM', 'l', '0', '0');
  run('LPOP', 'l', '5');
  assert.deepEqual(events, ['rpush l', 'rpush m', 'lpop l', 'ltrim l', 'lpop l']);
  assert.equal(server.dirty - dirty0, 3 + 1 + 1 + 1);
  events.length = 0;
  run('CONFIG', 'SET', 'notify-keyspace-events', 'Elg');
  run('RPOP', 'm');
  assert.deepEqual(events, ['rpop m', 'del m']);
});
