import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from '../../../src/server/server.js';
import { processCommand } from '../../../src/commands/dispatch.js';
import { stringEncoding } from '../../../src/store/strvalue.js';

function setup(): { server: Server; run: (...argv: string[]) => string } {
  const server = new Server();
  const c = server.newClient('127.0.0.1:50000', '127.0.0.1:6379', -1);
  const run = (...argv: string[]): string => {
    processCommand(c, argv);
    return Buffer.concat(c.reply.take()).toString('latin1');
  };
  return { server, run };
}

const bulk = (s: string): string => `$${s.length}\r\n${s}\r\n`;
const int = (n: number): string => `:${n}\r\n`;
const ints = (...ns: (number | string | null)[]): string =>
  `*${ns.length}\r\n` + ns.map((n) => (n === null ? '$-1\r\n' : `:${n}\r\n`)).join('');

test('SETBIT / GETBIT', () => {
  const { run, server } = setup();
  assert.equal(run('SETBIT', 'k', '1', '1'), int(0));
  assert.equal(run('GET', 'k'), bulk('\x40'));
  assert.equal(run('SETBIT', 'k', '1', '0'), int(1));
  run('SET', 'n', '1');
  assert.equal(run('GETBIT', 'n', '2'), int(1));
  assert.equal(run('GETBIT', 'n', '10000'), int(0));
  assert.equal(run('SETBIT', 'n', '6', '1'), int(0));
  assert.equal(run('GET', 'n'), bulk('3'));
  assert.equal(stringEncoding(server.dbs[0]!.peek('n')!.value), 'raw');
  assert.equal(run('SETBIT', 'k', '4294967296', '1'), '-ERR bit offset is not an integer or out of range\r\n');
  assert.equal(run('SETBIT', 'k', '-1', '1'), '-ERR bit offset is not an integer or out of range\r\n');
  assert.equal(run('SETBIT', 'k', '0', '2'), '-ERR bit is not an integer or out of range\r\n');
  assert.equal(run('SETBIT', 'k', '0', 'x'), '-ERR bit is not an integer or out of range\r\n');
  server.dbs[0]!.set('l', 'list', []);
  assert.equal(run('SETBIT', 'l', '0', '1'), '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
});

test('SETBIT changes dirty only when the value or length changes', () => {
  const { run, server } = setup();
  run('SETBIT', 'k', '0', '0');
  const d = server.dirty;
  run('SETBIT', 'k', '0', '0');
  assert.equal(server.dirty, d);
  run('SETBIT', 'k', '0', '1');
  assert.equal(server.dirty, d + 1);
  run('SETBIT', 'k', '90', '0');
  assert.equal(server.dirty, d + 2);
});

test('BITCOUNT with BYTE and BIT ranges', () => {
  const { run } = setup();
  run('SET', 's', 'foobar');
  assert.equal(run('BITCOUNT', 's'), int(26));
  assert.equal(run('BITCOUNT', 's', '1', '1'), int(6));
  assert.equal(run('BITCOUNT', 's', '5', '30', 'BIT'), int(17));
  assert.equal(run('BITCOUNT', 's', '-1', '-2', 'junk'), int(0), 'empty negative range wins over syntax');
  assert.equal(run('BITCOUNT', 's', '0'), '-ERR syntax error\r\n');
  assert.equal(run('BITCOUNT', 's', '0', '1', 'x'), '-ERR syntax error\r\n');
  assert.equal(run('BITCOUNT', 'missing', 'x'), int(0));
});

test('BITPOS', () => {
  const { run } = setup();
  run('SET', 's', '\xff\xf0\x00');
  assert.equal(run('BITPOS', 's', '0'), int(12));
  assert.equal(run('BITPOS', 's', '1', '2'), int(-1));
  assert.equal(run('BITPOS', 's', '0', '0', '7', 'BIT'), int(-1));
  assert.equal(run('BITPOS', 's', '1', '7', '15', 'BIT'), int(7));
  run('SET', 'f', '\xff\xff');
  assert.equal(run('BITPOS', 'f', '0'), int(16), 'no end given: the string is followed by zeros');
  assert.equal(run('BITPOS', 'f', '0', '0', '-1'), int(-1), 'end given: not found');
  assert.equal(run('BITPOS', 'missing', '0'), int(0));
  assert.equal(run('BITPOS', 'missing', '1'), int(-1));
  assert.equal(run('BITPOS', 's', '2'), '-ERR The bit argument must be 1 or 0.\r\n');
});

test('BITOP', () => {
  const { run, server } = setup();
  run('SET', 'a', '\x0f\xff');
  run('SET', 'b', '\xf0');
  assert.equal(run('BITOP', 'AND', 'd', 'a', 'b'), int(2));
  assert.equal(run('GET', 'd'), bulk('\x00\x00'));
  assert.equal(run('BITOP', 'OR', 'd', 'a', 'b'), int(2));
  assert.equal(run('GET', 'd'), bulk('\xff\xff'));
  assert.equal(run('BITOP', 'XOR', 'd', 'a', 'b', 'missing'), int(2));
  assert.equal(run('GET', 'd'), bulk('\xff\xff'));
  assert.equal(run('BITOP', 'NOT', 'd', 'a'), int(2));
  assert.equal(run('GET', 'd'), bulk('\xf0\x00'));
  assert.equal(run('BITOP', 'NOT', 'd', 'a', 'b'), '-ERR BITOP NOT must be called with a single source key.\r\n');
  assert.equal(run('BITOP', 'NAND', 'd', 'a'), '-ERR syntax error\r\n');
  assert.equal(run('BITOP', 'AND', 'd', 'x', 'y'), int(0));
  assert.equal(server.dbs[0]!.peek('d'), undefined, 'an empty result deletes the target');
});

test('BITFIELD get/set/incrby with overflow policies', () => {
  const { run, server } = setup();
  assert.equal(
    run('BITFIELD', 'b', 'SET', 'i8', '0', '255', 'SET', 'i8', '0', '100', 'GET', 'i8', '0'),
    ints(0, -1, 100),
  );
  assert.equal(run('BITFIELD', 'b', 'SET', 'u8', '#1', '66', 'GET', 'u8', '8'), ints(0, 66));
  assert.equal(run('BITFIELD', 'u', 'SET', 'u2', '0', '10', 'INCRBY', 'u2', '0', '-1'), ints(0, 1));
  assert.equal(run('BITFIELD', 'u', 'OVERFLOW', 'SAT', 'INCRBY', 'u2', '0', '10'), ints(3));
  assert.equal(run('BITFIELD', 'u', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '0', '1'), ints(null));
  assert.equal(run('BITFIELD', 'i', 'OVERFLOW', 'SAT', 'INCRBY', 'i8', '0', '-1000'), ints(-128));
  assert.equal(
    run('BITFIELD', 'w', 'OVERFLOW', 'WRAP', 'INCRBY', 'i64', '0', '9223372036854775807', 'INCRBY', 'i64', '0', '1'),
    ints('9223372036854775807', '-9223372036854775808'),
  );
  assert.equal(
    run('BITFIELD', 'x', 'GET', 'u64', '0'),
    '-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n',
  );
  assert.equal(run('BITFIELD', 'x', 'OVERFLOW', 'nope'), '-ERR Invalid OVERFLOW type specified\r\n');
  assert.equal(run('BITFIELD', 'x', 'GET', 'u8'), '-ERR syntax error\r\n');
  assert.equal(run('BITFIELD', 'x'), '*0\r\n');
  assert.equal(run('BITFIELD_RO', 'b', 'GET', 'u8', '8'), ints(66));
  assert.equal(run('BITFIELD_RO', 'b', 'SET', 'u8', '0', '1'), '-ERR BITFIELD_RO only supports the GET subcommand\r\n');
  assert.equal(server.dbs[0]!.peek('x'), undefined, 'GET-only BITFIELD creates nothing');
});
