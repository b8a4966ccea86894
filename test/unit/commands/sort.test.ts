import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from '../../../src/server/server.js';
import { processCommand } from '../../../src/commands/dispatch.js';
import { strtodFull } from '../../../src/commands/sort-strtod.js';

function setup(): (...argv: string[]) => string {
  const server = new Server();
  const c = server.newClient('127.0.0.1:50000', '127.0.0.1:6379', -1);
  return (...argv: string[]): string => {
    processCommand(c, argv);
    return Buffer.concat(c.reply.take()).toString('latin1');
  };
}

const arr = (...items: (string | null)[]): string =>
  `*${items.length}\r\n` + items.map((s) => (s === null ? '$-1\r\n' : `$${s.length}\r\n${s}\r\n`)).join('');

function dataset(): (...argv: string[]) => string {
  const run = setup();
  run('SADD', 's', '3', '1', '2', '10');
  run('MSET', 'w_3', '30', 'w_1', '10', 'w_2', '20', 'w_10', '5');
  run('HSET', 'h_3', 'f', 'c');
  run('HSET', 'h_1', 'f', 'a');
  run('HSET', 'h_2', 'f', 'b');
  return run;
}

test('numeric, ALPHA, DESC and LIMIT on a set', () => {
  const run = dataset();
  assert.equal(run('SORT', 's'), arr('1', '2', '3', '10'));
  assert.equal(run('SORT', 's', 'DESC'), arr('10', '3', '2', '1'));
  assert.equal(run('SORT', 's', 'ALPHA'), arr('1', '10', '2', '3'));
  assert.equal(run('SORT', 's', 'LIMIT', '1', '2'), arr('2', '3'));
  assert.equal(run('SORT', 's', 'LIMIT', '10', '2'), arr());
  assert.equal(run('SORT', 's', 'LIMIT', 'x', '2'), '-ERR value is not an integer or out of range\r\n');
  assert.equal(run('SORT', 's', 'LIMIT', '1'), '-ERR syntax error\r\n');
});

test('BY and GET patterns, hash fields, missing keys', () => {
  const run = dataset();
  assert.equal(run('SORT', 's', 'BY', 'w_*'), arr('10', '1', '2', '3'));
  assert.equal(
    run('SORT', 's', 'BY', 'w_*', 'GET', '#', 'GET', 'h_*->f'),
    arr('10', null, '1', 'a', '2', 'b', '3', 'c'),
  );
  assert.equal(run('SORT', 's', 'BY', 'h_*->f', 'ALPHA', 'DESC', 'LIMIT', '0', '3'), arr('3', '2', '1'));
  assert.equal(run('SORT', 's', 'GET', 'h_*->'), arr(null, null, null, null));
  assert.equal(run('SORT', 's', 'GET', 'const'), arr(null, null, null, null));
});

test('bad doubles, wrong types, SORT_RO refuses STORE', () => {
  const run = dataset();
  run('SADD', 'bad', '1', 'x');
  assert.equal(run('SORT', 'bad'), "-ERR One or more scores can't be converted into double\r\n");
  assert.equal(run('SORT', 'bad', 'ALPHA'), arr('1', 'x'));
  run('SET', 'str', 'v');
  assert.equal(run('SORT', 'str'), '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
  assert.equal(run('SORT_RO', 's', 'STORE', 'x'), '-ERR syntax error\r\n');
  assert.equal(run('SORT', 'nokey'), arr());
});

test('sorted sets: numeric by member, BY nosort keeps score order with LIMIT', () => {
  const run = setup();
  run('ZADD', 'z', '1', '30', '2', '20', '3', '10', '4', '5');
  assert.equal(run('SORT', 'z'), arr('5', '10', '20', '30'));
  assert.equal(run('SORT', 'z', 'BY', 'nosort'), arr('30', '20', '10', '5'));
  assert.equal(run('SORT', 'z', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2'), arr('10', '20'));
  assert.equal(run('SORT', 'z', 'BY', 'nosort', 'LIMIT', '1', '2'), arr('20', '10'));
});

test('STORE writes a list and an empty result deletes the destination', () => {
  const run = dataset();
  assert.equal(run('SORT', 's', 'BY', 'w_*', 'STORE', 'dst'), ':4\r\n');
  assert.equal(run('TYPE', 'dst'), '+list\r\n');
  assert.equal(run('SORT', 'dst', 'BY', 'nosort'), arr('10', '1', '2', '3'));
  assert.equal(run('SORT', 's', 'GET', 'h_*->f', 'STORE', 'dst'), ':4\r\n');
  assert.equal(run('SORT', 'dst', 'BY', 'nosort'), arr('a', 'b', 'c', ''));
  assert.equal(run('SORT', 'nokey', 'STORE', 'dst'), ':0\r\n');
  assert.equal(run('EXISTS', 'dst'), ':0\r\n');
});

test('numeric keys follow strtod', () => {
  assert.equal(strtodFull(''), 0);
  assert.equal(strtodFull(' 5'), 5);
  assert.equal(strtodFull('0x10'), 16);
  assert.equal(strtodFull('1e3'), 1000);
  assert.equal(strtodFull('-inf'), -Infinity);
  assert.equal(strtodFull('1\u00002'), 1);
  assert.equal(strtodFull('5 '), null);
  assert.equal(strtodFull('nan'), null);
  assert.equal(strtodFull('1e400'), null);
  assert.equal(strtodFull('1e-400'), null);
  assert.equal(strtodFull('abc'), null);
});
