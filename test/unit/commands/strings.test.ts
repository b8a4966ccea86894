import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from '../../../src/server/server.js';
import type { Client } from '../../../src/server/client.js';
import { processCommand } from '../../../src/commands/dispatch.js';
import { stringEncoding } from '../../../src/store/strvalue.js';

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
const NIL = '$-1\r\n';
const OK = '+OK\r\n';
const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';

function encoding(server: Server, key: string): string {
  return stringEncoding(server.dbs[0]!.peek(key)!.value);
}

test('GET and SET basics, binary safe', () => {
  const { run } = setup();
  assert.equal(run('GET', 'k'), NIL);
  assert.equal(run('SET', 'k', 'a\r\n\x00\xff'), OK);
  assert.equal(run('GET', 'k'), bulk('a\r\n\x00\xff'));
  assert.equal(run('SET', 'k', ''), OK);
  assert.equal(run('GET', 'k'), bulk(''));
});

test('SET NX / XX / GET combinations', () => {
  const { run } = setup();
  assert.equal(run('SET', 'k', '1', 'XX'), NIL);
  assert.equal(run('SET', 'k', '1', 'NX'), OK);
  assert.equal(run('SET', 'k', '2', 'NX'), NIL);
  assert.equal(run('SET', 'k', '3', 'XX', 'GET'), bulk('1'));
  assert.equal(run('SET', 'k', '4', 'NX', 'GET'), bulk('3'));
  assert.equal(run('GET', 'k'), bulk('3'));
  assert.equal(run('SET', 'n', 'v', 'GET', 'XX'), NIL);
  assert.equal(run('GET', 'n'), NIL);
  assert.equal(run('SET', 'k', 'v', 'NX', 'XX'), '-ERR syntax error\r\n');
  assert.equal(run('SET', 'k', 'v', 'foo'), '-ERR syntax error\r\n');
});

test('SET expiry options and their errors', () => {
  const { run, server } = setup();
  const db = server.dbs[0]!;
  const before = Date.now();
  assert.equal(run('SET', 'k', 'v', 'EX', '100'), OK);
  const at = db.peek('k')!.expireAt;
  assert.ok(at >= before + 100000 && at <= Date.now() + 100000);
  assert.equal(run('SET', 'k', 'v', 'KEEPTTL'), OK);
  assert.equal(db.peek('k')!.expireAt, at);
  assert.equal(run('SET', 'k', 'v'), OK);
  assert.equal(db.peek('k')!.expireAt, -1, 'SET drops the TTL');
  assert.equal(run('SET', 'k', 'v', 'PXAT', '99999999999999'), OK);
  assert.equal(db.peek('k')!.expireAt, 99999999999999);
  assert.equal(run('SET', 'k', 'v', 'EX', '0'), "-ERR invalid expire time in 'set' command\r\n");
  assert.equal(run('SET', 'k', 'v', 'PX', '-5'), "-ERR invalid expire time in 'set' command\r\n");
  assert.equal(run('SET', 'k', 'v', 'EX', '9223372036854776'), "-ERR invalid expire time in 'set' command\r\n");
  assert.equal(run('SET', 'k', 'v', 'PX', '9223372036854775807'), "-ERR invalid expire time in 'set' command\r\n");
  assert.equal(run('SET', 'k', 'v', 'EX', 'x'), '-ERR value is not an integer or out of range\r\n');
  assert.equal(run('SET', 'k', 'v', 'EX', '10', 'PX', '10'), '-ERR syntax error\r\n');
  assert.equal(run('SET', 'k', 'v', 'KEEPTTL', 'EX', '10'), '-ERR syntax error\r\n');
  assert.equal(run('SET', 'k', 'v', 'EX'), '-ERR syntax error\r\n');
  assert.equal(run('SET', 'k', 'v', 'EX', '10', 'EX', '20'), OK, 'repeating the same option is allowed');
  assert.equal(run('SETEX', 'k', '-1', 'v'), "-ERR invalid expire time in 'setex' command\r\n");
  assert.equal(run('PSETEX', 'k', '0', 'v'), "-ERR invalid expire time in 'psetex' command\r\n");
});

test('SET GET against a wrong type leaves the key alone', () => {
  const { run, server } = setup();
  server.dbs[0]!.set('l', 'list', []);
  assert.equal(run('SET', 'l', 'v', 'GET'), WRONGTYPE);
  assert.equal(server.dbs[0]!.peek('l')!.type, 'list');
  assert.equal(run('SET', 'l', 'v'), OK, 'plain SET overwrites any type');
});

test('SETNX, GETSET, GETDEL, MGET, MSET, MSETNX', () => {
  const { run, server } = setup();
  assert.equal(run('SETNX', 'a', '1'), ':1\r\n');
  assert.equal(run('SETNX', 'a', '2'), ':0\r\n');
  assert.equal(run('GETSET', 'a', '3'), bulk('1'));
  assert.equal(run('GETSET', 'n', '3'), NIL);
  assert.equal(run('GETDEL', 'n'), bulk('3'));
  assert.equal(run('GETDEL', 'n'), NIL);
  server.dbs[0]!.set('l', 'list', []);
  assert.equal(run('MGET', 'a', 'l', 'zz'), `*3\r\n${bulk('3')}${NIL}${NIL}`);
  assert.equal(run('MSET', 'a', '1', 'b'), "-ERR wrong number of arguments for 'mset' command\r\n");
  assert.equal(run('MSETNX', 'x', '1', 'a', '2'), ':0\r\n');
  assert.equal(run('EXISTS', 'x'), ':0\r\n');
  assert.equal(run('MSETNX', 'x', '1', 'x', '2'), ':1\r\n');
  assert.equal(run('GET', 'x'), bulk('2'));
  const dirty = server.dirty;
  assert.equal(run('MSET', 'p', '1', 'q', '2'), OK);
  assert.equal(server.dirty - dirty, 2);
});

test('GETEX options', () => {
  const { run, server } = setup();
  const db = server.dbs[0]!;
  run('SET', 'k', 'v');
  assert.equal(run('GETEX', 'k', 'EX', '100'), bulk('v'));
  assert.ok(db.peek('k')!.expireAt > Date.now());
  assert.equal(run('GETEX', 'k', 'PERSIST'), bulk('v'));
  assert.equal(db.peek('k')!.expireAt, -1);
  assert.equal(run('GETEX', 'k', 'KEEPTTL'), '-ERR syntax error\r\n');
  assert.equal(run('GETEX', 'k', 'PERSIST', 'EX', '1'), '-ERR syntax error\r\n');
  assert.equal(run('GETEX', 'k', 'EX', '-1'), "-ERR invalid expire time in 'getex' command\r\n");
  assert.equal(run('GETEX', 'k', 'PXAT', '1'), bulk('v'), 'a past absolute time deletes after replying');
  assert.equal(db.peek('k'), undefined);
  assert.equal(run('GETEX', 'k', 'EX', '10'), NIL);
});

test('APPEND, STRLEN and the raw encoding after edits', () => {
  const { run, server } = setup();
  assert.equal(run('APPEND', 'a', '12'), ':2\r\n');
  assert.equal(encoding(server, 'a'), 'int', 'APPEND to a missing key stores the argument as is');
  assert.equal(run('APPEND', 'a', '3'), ':3\r\n');
  assert.equal(encoding(server, 'a'), 'raw');
  assert.equal(run('GET', 'a'), bulk('123'));
  assert.equal(run('STRLEN', 'a'), ':3\r\n');
  assert.equal(run('STRLEN', 'zz'), ':0\r\n');
  server.protoMaxBulkLen = 5;
  assert.equal(run('APPEND', 'a', 'xyz'), '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n');
});

test('APPEND keeps the TTL', () => {
  const { run, server } = setup();
  run('SET', 'a', 'x', 'EX', '100');
  run('APPEND', 'a', 'y');
  assert.ok(server.dbs[0]!.peek('a')!.expireAt > 0);
});

test('SETRANGE and GETRANGE', () => {
  const { run, server } = setup();
  assert.equal(run('SETRANGE', 'k', '0', ''), ':0\r\n');
  assert.equal(run('EXISTS', 'k'), ':0\r\n');
  assert.equal(run('SETRANGE', 'k', '1', 'foo'), ':4\r\n');
  assert.equal(run('GET', 'k'), bulk('\x00foo'));
  run('SET', 'n', '1234');
  assert.equal(run('SETRANGE', 'n', '0', ''), ':4\r\n');
  assert.equal(encoding(server, 'n'), 'int', 'setting nothing keeps the encoding');
  assert.equal(run('SETRANGE', 'n', '1', '3'), ':4\r\n');
  assert.equal(encoding(server, 'n'), 'raw');
  assert.equal(run('GET', 'n'), bulk('1334'));
  assert.equal(run('SETRANGE', 'n', '-1', 'x'), '-ERR offset is out of range\r\n');
  assert.equal(
    run('SETRANGE', 'n', '536870908', 'world'),
    '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n',
  );
  run('SET', 's', 'Hello World');
  assert.equal(run('GETRANGE', 's', '0', '3'), bulk('Hell'));
  assert.equal(run('GETRANGE', 's', '-4', '-1'), bulk('orld'));
  assert.equal(run('GETRANGE', 's', '5', '3'), bulk(''));
  assert.equal(run('GETRANGE', 's', '-1', '-5'), bulk(''));
  assert.equal(run('GETRANGE', 's', '-5000', '10000'), bulk('Hello World'));
  assert.equal(run('SUBSTR', 's', '0', '4294967297'), bulk('Hello World'));
  assert.equal(run('GETRANGE', 'missing', '0', '-1'), bulk(''));
  assert.equal(run('GETRANGE', 's', 'a', '1'), '-ERR value is not an integer or out of range\r\n');
});

test('INCR family: ranges, errors, TTL kept, entry updated in place', () => {
  const { run, server } = setup();
  assert.equal(run('INCR', 'c'), ':1\r\n');
  assert.equal(run('INCRBY', 'c', '17179869184'), ':17179869185\r\n');
  assert.equal(run('DECRBY', 'c', '17179869186'), ':-1\r\n');
  assert.equal(run('DECR', 'c'), ':-2\r\n');
  run('SET', 'c', '9223372036854775806', 'EX', '100');
  const entry = server.dbs[0]!.peek('c');
  assert.equal(run('INCR', 'c'), ':9223372036854775807\r\n');
  assert.equal(run('INCR', 'c'), '-ERR increment or decrement would overflow\r\n');
  assert.equal(server.dbs[0]!.peek('c'), entry);
  assert.ok(entry!.expireAt > 0);
  assert.equal(encoding(server, 'c'), 'int');
  assert.equal(run('DECRBY', 'c', '-9223372036854775808'), '-ERR decrement would overflow\r\n');
  assert.equal(run('INCRBY', 'c', '1.5'), '-ERR value is not an integer or out of range\r\n');
  for (const bad of [' 11', '11 ', '011', '-0', '1e3', '']) {
    run('SET', 'b', bad);
    assert.equal(run('INCR', 'b'), '-ERR value is not an integer or out of range\r\n', JSON.stringify(bad));
  }
  server.dbs[0]!.set('l', 'list', []);
  assert.equal(run('INCR', 'l'), WRONGTYPE);
});

test('INCRBYFLOAT: long double results in human form', () => {
  const { run, server } = setup();
  assert.equal(run('INCRBYFLOAT', 'f', '0.1'), bulk('0.1'));
  assert.equal(run('INCRBYFLOAT', 'f', '0.2'), bulk('0.3'));
  // 0.3 carried in long double shows its error once 1000 is added, as in Redis.
  assert.equal(run('INCRBYFLOAT', 'f', '1e3'), bulk('1000.29999999999999999'));
  assert.equal(run('INCRBYFLOAT', 'f', '+inf'), '-ERR increment would produce NaN or Infinity\r\n');
  assert.equal(run('INCRBYFLOAT', 'f', 'x'), '-ERR value is not a valid float\r\n');
  run('SET', 'g', '1');
  run('SETRANGE', 'g', '2', '2');
  assert.equal(run('INCRBYFLOAT', 'g', '1'), '-ERR value is not a valid float\r\n');
  run('SET', 'h', '5', 'EX', '100');
  assert.equal(run('INCRBYFLOAT', 'h', '-5'), bulk('0'));
  assert.ok(server.dbs[0]!.peek('h')!.expireAt > 0, 'TTL kept');
});

test('LCS', () => {
  const { run, server } = setup();
  run('SET', 'a', 'ohmytext');
  run('SET', 'b', 'mynewtext');
  assert.equal(run('LCS', 'a', 'b'), bulk('mytext'));
  assert.equal(run('LCS', 'a', 'b', 'LEN'), ':6\r\n');
  assert.equal(
    run('LCS', 'a', 'b', 'IDX', 'WITHMATCHLEN'),
    '*4\r\n$7\r\nmatches\r\n*2\r\n' +
      '*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n' +
      '*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n' +
      '$3\r\nlen\r\n:6\r\n',
  );
  assert.equal(
    run('LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '3'),
    '*4\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n$3\r\nlen\r\n:6\r\n',
  );
  assert.equal(
    run('LCS', 'a', 'b', 'IDX', 'LEN'),
    '-ERR If you want both the length and indexes, please just use IDX.\r\n',
  );
  assert.equal(run('LCS', 'a', 'missing'), bulk(''));
  server.dbs[0]!.set('l', 'list', []);
  assert.equal(run('LCS', 'a', 'l'), '-ERR The specified keys must contain string values\r\n');
});

test('writes bump dirty; reads do not', () => {
  const { run, server } = setup();
  run('SET', 'k', 'v');
  const d = server.dirty;
  run('GET', 'k');
  run('STRLEN', 'k');
  run('GETRANGE', 'k', '0', '1');
  assert.equal(server.dirty, d);
  run('APPEND', 'k', 'x');
  run('INCR', 'n');
  run('SETRANGE', 'k', '0', 'y');
  assert.equal(server.dirty, d + 3);
});
