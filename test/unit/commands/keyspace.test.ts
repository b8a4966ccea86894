import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from '../../../src/server/server.js';
import type { Client } from '../../../src/server/client.js';
import { processCommand } from '../../../src/commands/dispatch.js';
import { cloneValue } from '../../../src/commands/keyspace.js';
import { parseScanCursor } from '../../../src/commands/scan.js';
import { stringEncoding } from '../../../src/store/strvalue.js';
import { lfu } from '../../../src/store/db.js';

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

test('DEL, UNLINK, EXISTS, TYPE, DBSIZE', () => {
  const { run, server } = setup();
  server.dbs[0]!.set('a', 'string', '1');
  server.dbs[0]!.set('b', 'list', []);
  assert.equal(run('EXISTS', 'a', 'b', 'c', 'a'), ':3\r\n');
  assert.equal(run('TYPE', 'a'), '+string\r\n');
  assert.equal(run('TYPE', 'b'), '+list\r\n');
  assert.equal(run('TYPE', 'c'), '+none\r\n');
  const dirty = server.dirty;
  assert.equal(run('DEL', 'a', 'c'), ':1\r\n');
  assert.equal(run('UNLINK', 'b'), ':1\r\n');
  assert.equal(server.dirty - dirty, 2);
  assert.equal(run('DBSIZE'), ':0\r\n');
});

test('DEL of an expired key counts it as expired, not deleted', () => {
  const { run, server } = setup();
  const db = server.dbs[0]!;
  db.setExpire('k', db.set('k', 'string', 'v'), Date.now() - 1);
  assert.equal(run('DEL', 'k'), ':0\r\n');
  assert.equal(server.stats.expiredKeys, 1);
});

test('keyspace hits and misses follow read lookups only', () => {
  const { run, server } = setup();
  server.dbs[0]!.set('a', 'string', '1');
  run('EXISTS', 'a', 'x');
  run('TYPE', 'a');
  run('TTL', 'x');
  run('DEL', 'x');
  run('EXPIRE', 'x', '10');
  assert.equal(server.stats.keyspaceHits, 2);
  assert.equal(server.stats.keyspaceMisses, 2);
});

test('RENAME and RENAMENX', () => {
  const { run, server } = setup();
  const db = server.dbs[0]!;
  assert.equal(run('RENAME', 'nokey', 'x'), '-ERR no such key\r\n');
  assert.equal(run('RENAMENX', 'nokey', 'nokey'), '-ERR no such key\r\n');
  db.set('a', 'string', '1');
  assert.equal(run('RENAME', 'a', 'a'), '+OK\r\n');
  assert.equal(run('RENAMENX', 'a', 'a'), ':0\r\n');
  run('PEXPIRE', 'a', '100000');
  db.set('b', 'string', '2');
  run('EXPIRE', 'b', '5');
  assert.equal(run('RENAME', 'a', 'b'), '+OK\r\n');
  assert.equal(db.peek('a'), undefined);
  assert.equal(db.peek('b')?.value, '1');
  assert.ok(Number(run('PTTL', 'b').slice(1)) > 90000);
  db.set('c', 'string', '3');
  assert.equal(run('RENAMENX', 'b', 'c'), ':0\r\n');
  assert.equal(run('RENAMENX', 'b', 'd'), ':1\r\n');
  assert.equal(db.expires.has('d'), true);
  assert.equal(db.expires.has('b'), false);
});

test('MOVE and COPY between databases', () => {
  const { run, server } = setup();
  const [db0, db1] = [server.dbs[0]!, server.dbs[1]!];
  db0.set('k', 'string', 'v');
  assert.equal(run('MOVE', 'k', 'x'), '-ERR value is not an integer or out of range\r\n');
  assert.equal(run('MOVE', 'k', '99'), '-ERR DB index is out of range\r\n');
  assert.equal(run('MOVE', 'k', '0'), '-ERR source and destination objects are the same\r\n');
  run('EXPIRE', 'k', '100');
  assert.equal(run('MOVE', 'k', '1'), ':1\r\n');
  assert.equal(db0.size, 0);
  assert.ok((db1.peek('k')?.expireAt ?? -1) > 0);
  assert.equal(run('MOVE', 'k', '1'), ':0\r\n');

  db0.set('s', 'string', 'v');
  assert.equal(run('COPY', 's', 's'), '-ERR source and destination objects are the same\r\n');
  assert.equal(run('COPY', 's', 't', 'DB'), '-ERR syntax error\r\n');
  assert.equal(run('COPY', 's', 't', 'DB', 'notanumber'), '-ERR value is not an integer or out of range\r\n');
  assert.equal(run('COPY', 's', 'k', 'DB', '1'), ':0\r\n');
  assert.equal(run('COPY', 's', 'k', 'DB', '1', 'REPLACE'), ':1\r\n');
  assert.equal(db1.peek('k')?.value, 'v');
  assert.equal(db1.peek('k')?.expireAt, -1);
  assert.equal(run('COPY', 'missing', 'x'), ':0\r\n');
});

test('COPY deep-copies containers', () => {
  const { run, server } = setup();
  const db = server.dbs[0]!;
  const src = new Map([['f', 'v']]);
  db.set('h', 'hash', src);
  assert.equal(run('COPY', 'h', 'h2'), ':1\r\n');
  const copy = db.peek('h2')!.value as Map<string, string>;
  assert.notEqual(copy, src);
  copy.set('g', 'w');
  assert.equal(src.size, 1);
  const buf = Buffer.from('abc');
  const b2 = cloneValue(buf) as Buffer;
  b2[0] = 0;
  assert.equal(buf.toString(), 'abc');
  const custom = { n: 1, clone: () => ({ n: 2 }) };
  assert.deepEqual(cloneValue(custom), { n: 2 });
  class Bag {
    items = ['a'];
    size(): number {
      return this.items.length;
    }
  }
  const bag = new Bag();
  const bag2 = cloneValue(bag) as Bag;
  bag2.items.push('b');
  assert.equal(bag.size(), 1);
  assert.equal(bag2.size(), 2);
});

test('SWAPDB', () => {
  const { run, server } = setup();
  server.dbs[0]!.set('a', 'string', '0');
  assert.equal(run('SWAPDB', 'x', '1'), '-ERR invalid first DB index\r\n');
  assert.equal(run('SWAPDB', '0', 'y'), '-ERR invalid second DB index\r\n');
  assert.equal(run('SWAPDB', '0', '16'), '-ERR DB index is out of range\r\n');
  assert.equal(run('SWAPDB', '0', '1'), '+OK\r\n');
  assert.equal(server.dbs[1]!.peek('a')?.value, '0');
  assert.equal(server.dbs[0]!.size, 0);
  assert.equal(run('SWAPDB', '1', '1'), '+OK\r\n');
});

test('KEYS, RANDOMKEY, FLUSHDB, FLUSHALL', () => {
  const { run, server } = setup();
  const db = server.dbs[0]!;
  for (const k of ['foo_a', 'foo_b', 'key_x']) db.set(k, 'string', 'v');
  db.setExpire('foo_b', db.peek('foo_b')!, Date.now() - 1);
  assert.equal(run('KEYS', 'foo*'), '*1\r\n' + bulk('foo_a'));
  assert.equal(run('KEYS', '*'), '*2\r\n' + bulk('foo_a') + bulk('key_x'));
  assert.match(run('RANDOMKEY'), /^\$5\r\n(foo_a|key_x)\r\n$/);
  assert.equal(run('FLUSHDB', 'bogus'), '-ERR syntax error\r\n');
  server.dbs[3]!.set('z', 'string', 'v');
  assert.equal(run('FLUSHDB', 'ASYNC'), '+OK\r\n');
  assert.equal(run('RANDOMKEY'), '$-1\r\n');
  assert.equal(server.dbs[3]!.size, 1);
  assert.equal(run('FLUSHALL', 'sync'), '+OK\r\n');
  assert.equal(server.dbs[3]!.size, 0);
});

test('EXPIRE family options and errors', () => {
  const { run, server } = setup();
  server.dbs[0]!.set('k', 'string', 'v');
  assert.equal(
    run('EXPIRE', 'k', '10', 'NX', 'XX'),
    '-ERR NX and XX, GT or LT options at the same time are not compatible\r\n',
  );
  assert.equal(run('EXPIRE', 'k', '10', 'GT', 'LT'), '-ERR GT and LT options at the same time are not compatible\r\n');
  assert.equal(run('EXPIRE', 'k', '10', 'AB'), '-ERR Unsupported option AB\r\n');
  assert.equal(run('EXPIRE', 'k', ''), '-ERR value is not an integer or out of range\r\n');
  assert.equal(run('EXPIRE', 'k', '9223372036854776'), "-ERR invalid expire time in 'expire' command\r\n");
  assert.equal(run('EXPIRE', 'k', '-9223372036854776'), "-ERR invalid expire time in 'expire' command\r\n");
  assert.equal(run('PEXPIRE', 'k', '9223372036854770000'), "-ERR invalid expire time in 'pexpire' command\r\n");
  assert.equal(run('TTL', 'k'), ':-1\r\n');
  assert.equal(run('EXPIRE', 'k', '100', 'XX'), ':0\r\n');
  assert.equal(run('EXPIRE', 'k', '100', 'GT'), ':0\r\n');
  assert.equal(run('EXPIRE', 'k', '100', 'LT'), ':1\r\n');
  assert.equal(run('TTL', 'k'), ':100\r\n');
  assert.equal(run('EXPIRE', 'k', '200', 'NX'), ':0\r\n');
  assert.equal(run('EXPIRE', 'k', '200', 'LT'), ':0\r\n');
  assert.equal(run('EXPIRE', 'k', '200', 'GT'), ':1\r\n');
  assert.equal(run('EXPIRE', 'nokey', '100'), ':0\r\n');
  const at = Math.floor(Date.now() / 1000) + 1000;
  assert.equal(run('EXPIREAT', 'k', String(at)), ':1\r\n');
  assert.equal(run('EXPIRETIME', 'k'), `:${at}\r\n`);
  assert.equal(run('PEXPIRETIME', 'k'), `:${at * 1000}\r\n`);
  assert.equal(run('PERSIST', 'k'), ':1\r\n');
  assert.equal(run('PERSIST', 'k'), ':0\r\n');
  assert.equal(run('PEXPIREAT', 'k', '9223372036854770000'), ':1\r\n');
  const dirty = server.dirty;
  assert.equal(run('PEXPIREAT', 'k', '-9223372036854770000'), ':1\r\n');
  assert.equal(server.dirty - dirty, 1);
  assert.equal(run('TTL', 'k'), ':-2\r\n');
  assert.equal(run('PTTL', 'k'), ':-2\r\n');
  assert.equal(run('EXPIRETIME', 'k'), ':-2\r\n');
});

test('SCAN cursor parsing, options and TYPE', () => {
  assert.equal(parseScanCursor(''), 0n);
  assert.equal(parseScanCursor('007'), 7n);
  assert.equal(parseScanCursor('+5'), 5n);
  assert.equal(parseScanCursor('-1'), 18446744073709551615n);
  assert.equal(parseScanCursor('18446744073709551616'), null);
  assert.equal(parseScanCursor(' 1'), null);
  assert.equal(parseScanCursor('1 '), null);
  assert.equal(parseScanCursor('-'), null);
  assert.equal(parseScanCursor('0x10'), null);

  const { run, server } = setup();
  const db = server.dbs[0]!;
  for (let i = 0; i < 30; i++) db.set(`key:${i}`, 'string', 'v');
  db.set('alist', 'list', []);
  assert.equal(run('SCAN', 'abc'), '-ERR invalid cursor\r\n');
  assert.equal(run('SCAN', '0', 'COUNT', '0'), '-ERR syntax error\r\n');
  assert.equal(run('SCAN', '0', 'COUNT', 'x'), '-ERR value is not an integer or out of range\r\n');
  assert.equal(run('SCAN', '0', 'MATCH'), '-ERR syntax error\r\n');
  assert.equal(run('SCAN', '0', 'COUNT', '1000', 'TYPE', 'LIST'), '*2\r\n$1\r\n0\r\n*1\r\n' + bulk('alist'));
  const r = run('SCAN', '0', 'COUNT', '1000', 'MATCH', 'key:1?');
  assert.ok(r.startsWith('*2\r\n$1\r\n0\r\n*10\r\n'), r);
  // Iterating with small counts returns every key exactly once.
  const seen = new Set<string>();
  let cursor = '0';
  do {
    const out = run('SCAN', cursor, 'COUNT', '4');
    const lines = out.split('\r\n');
    cursor = lines[2]!;
    for (let i = 5; i < lines.length - 1; i += 2) seen.add(lines[i]!);
  } while (cursor !== '0');
  assert.equal(seen.size, 31);
});

test('OBJECT subcommands', () => {
  const { run, server } = setup();
  const db = server.dbs[0]!;
  db.set('i', 'string', '123');
  db.set('s', 'string', 'hello');
  db.set('r', 'string', 'x'.repeat(45));
  db.set('shared', 'string', '42');
  db.set('enc', 'list', { encoding: () => 'listpack' });
  assert.equal(run('OBJECT', 'ENCODING', 'i'), bulk('int'));
  assert.equal(run('OBJECT', 'ENCODING', 's'), bulk('embstr'));
  assert.equal(run('OBJECT', 'ENCODING', 'r'), bulk('raw'));
  assert.equal(run('OBJECT', 'ENCODING', 'enc'), bulk('listpack'));
  assert.equal(run('OBJECT', 'ENCODING', 'missing'), '$-1\r\n');
  assert.equal(run('OBJECT', 'REFCOUNT', 'shared'), ':2147483647\r\n');
  assert.equal(run('OBJECT', 'REFCOUNT', 's'), ':1\r\n');
  assert.equal(run('OBJECT', 'IDLETIME', 's'), ':0\r\n');
  assert.match(run('OBJECT', 'FREQ', 's'), /^-ERR An LFU maxmemory policy is not selected/);
  assert.match(run('OBJECT', 'HELP'), /^\*11\r\n\+OBJECT <subcommand> /);
  assert.equal(stringEncoding('-0'), 'embstr');
  assert.equal(stringEncoding('9223372036854775807'), 'int');
  assert.equal(stringEncoding('9223372036854775808'), 'embstr');
  assert.equal(stringEncoding('01'), 'embstr');
  assert.equal(stringEncoding(Buffer.from('1')), 'raw');
});

test('TOUCH updates the access time and counts existing keys', () => {
  const { run, server } = setup();
  const db = server.dbs[0]!;
  const e = db.set('a', 'string', '1');
  e.lru -= 10000;
  assert.equal(run('OBJECT', 'IDLETIME', 'a'), ':10\r\n');
  assert.equal(run('TOUCH', 'a', 'b'), ':1\r\n');
  assert.equal(run('OBJECT', 'IDLETIME', 'a'), ':0\r\n');
});

test('EXPIRE family replicates as PEXPIREAT (options kept) or DEL; c.argv stays as typed', () => {
  const { run, server, c } = setup();
  const out: string[][] = [];
  server.prop.sink = (_db, argv) => void out.push([...argv]);
  server.dbs[0]!.set('k', 'string', 'v');
  const before = Date.now();
  run('EXPIRE', 'k', '100', 'LT');
  assert.deepEqual(c.argv, ['EXPIRE', 'k', '100', 'LT']);
  assert.equal(out[0]![0], 'PEXPIREAT');
  assert.ok(Number(out[0]![2]) >= before + 100000);
  assert.equal(out[0]![3], 'LT');
  run('PEXPIREAT', 'k', '99999999999999');
  assert.deepEqual(out[1], ['PEXPIREAT', 'k', '99999999999999']);
  run('EXPIRE', 'k', '-1');
  assert.deepEqual(out[2], ['DEL', 'k']);
});

test('OBJECT FREQ and IDLETIME under an LFU policy', () => {
  const { run, server } = setup();
  lfu.enabled = true;
  try {
    server.dbs[0]!.set('k', 'string', 'v');
    assert.equal(run('OBJECT', 'FREQ', 'k'), ':5\r\n');
    assert.match(run('OBJECT', 'IDLETIME', 'k'), /^-ERR An LFU maxmemory policy is selected, idle time not tracked/);
    assert.equal(run('OBJECT', 'FREQ', 'nokey'), '$-1\r\n');
  } finally {
    lfu.enabled = false;
  }
  assert.equal(stringEncoding(42), 'int');
  assert.equal(stringEncoding(42n), 'int');
});
