import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from '../../../src/server/server.js';
import { processCommand } from '../../../src/commands/dispatch.js';

let server: Server;

function setup(): (...argv: string[]) => string {
  server = new Server();
  const c = server.newClient('127.0.0.1:50000', '127.0.0.1:6379', -1);
  return (...argv: string[]): string => {
    processCommand(c, argv);
    return Buffer.concat(c.reply.take()).toString('latin1');
  };
}

const NOT_HLL = '-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n';

test('PFADD creates, reports changes, PFCOUNT caches in the header', () => {
  const run = setup();
  assert.equal(run('PFADD', 'h'), ':1\r\n');
  assert.equal(run('PFCOUNT', 'h'), ':0\r\n');
  assert.equal(run('PFADD', 'h', 'a', 'b', 'c'), ':1\r\n');
  assert.equal(run('PFADD', 'h', 'a', 'b', 'c'), ':0\r\n');
  assert.equal(run('GETRANGE', 'h', '15', '15'), '$1\r\n\x80\r\n');
  assert.equal(run('PFCOUNT', 'h'), ':3\r\n');
  assert.equal(run('GETRANGE', 'h', '15', '15'), '$1\r\n\x00\r\n');
  assert.equal(run('TYPE', 'h'), '+string\r\n');
});

test('PFMERGE and multi-key PFCOUNT give the union', () => {
  const run = setup();
  run('PFADD', 'a', '1', '2', '3');
  run('PFADD', 'b', '3', '4', '5');
  assert.equal(run('PFCOUNT', 'a', 'b', 'missing'), ':5\r\n');
  assert.equal(run('PFMERGE', 'd', 'a', 'b'), '+OK\r\n');
  assert.equal(run('PFCOUNT', 'd'), ':5\r\n');
  assert.equal(run('PFDEBUG', 'ENCODING', 'd'), '+sparse\r\n');
  assert.equal(run('PFDEBUG', 'TODENSE', 'a'), ':1\r\n');
  assert.equal(run('PFDEBUG', 'TODENSE', 'a'), ':0\r\n');
  assert.equal(run('PFMERGE', 'e', 'a', 'b'), '+OK\r\n');
  assert.equal(run('PFDEBUG', 'ENCODING', 'e'), '+dense\r\n');
  assert.equal(run('PFCOUNT', 'e'), ':5\r\n');
});

test('type and corruption errors', () => {
  const run = setup();
  run('SET', 's', 'bar');
  server.dbs[0]!.set('l', 'list', ['x']);
  assert.equal(run('PFADD', 's', '1'), NOT_HLL);
  assert.equal(run('PFCOUNT', 's'), NOT_HLL);
  assert.equal(run('PFMERGE', 'd', 's'), NOT_HLL);
  assert.match(run('PFADD', 'l', '1'), /^-WRONGTYPE Operation against/);
  run('PFADD', 'h', 'a', 'b', 'c');
  run('APPEND', 'h', 'hello');
  assert.equal(run('PFCOUNT', 'h'), '-INVALIDOBJ Corrupted HLL object detected\r\n');
  assert.equal(run('PFDEBUG', 'DECODE', 'nokey'), '-ERR The specified key does not exist\r\n');
  run('PFADD', 'g', 'x');
  assert.equal(run('PFDEBUG', 'FOO', 'g'), "-ERR Unknown PFDEBUG subcommand 'FOO'\r\n");
});

test('PFDEBUG GETREG returns every register and converts to dense', () => {
  const run = setup();
  run('PFADD', 'h', 'a');
  const out = run('PFDEBUG', 'GETREG', 'h');
  assert.ok(out.startsWith('*16384\r\n'));
  assert.equal(out.split(':2\r\n').length - 1, 1);
  assert.equal(run('PFDEBUG', 'ENCODING', 'h'), '+dense\r\n');
  assert.equal(run('PFDEBUG', 'DECODE', 'h'), '-ERR HLL encoding is not sparse\r\n');
});
