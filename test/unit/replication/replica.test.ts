import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from '../../../src/server/server.js';
import { ConfigStore } from '../../../src/config/store.js';
import { CLIENT, type Client } from '../../../src/server/client.js';
import { processCommand } from '../../../src/commands/dispatch.js';
import { RdbTransfer, loadPayload } from '../../../src/replication/replica-load.js';
import { linkOf } from '../../../src/replication/replica.js';
import { snapshot } from '../../../src/persist/rdb-file.js';

const MARK = 'a'.repeat(20) + 'b'.repeat(20);

function setup(): { server: Server; c: Client; run: (c: Client, ...argv: string[]) => string } {
  const server = new Server(new ConfigStore());
  const c = server.newClient('127.0.0.1:50000', '127.0.0.1:6379', 50000);
  const run = (cl: Client, ...argv: string[]): string => {
    processCommand(cl, argv);
    return Buffer.concat(cl.reply.take()).toString('latin1');
  };
  return { server, c, run };
}

/** Marks the server as following a primary whose link is down, without connecting anywhere. */
function followUnconnected(server: Server): void {
  const link = linkOf(server)!;
  link.host = '127.0.0.1';
  link.port = 1;
  link.state = 'connect';
}

test('a sized payload ends after its length; what follows is the stream', () => {
  const t = RdbTransfer.fromHeader('10')!;
  assert.equal(t.size, 10);
  assert.equal(t.usesMark, false);
  assert.equal(t.feed(Buffer.from('0123')), null);
  const rest = t.feed(Buffer.from('456789*1\r\n$4\r\nPING\r\n'));
  assert.equal(rest?.toString(), '*1\r\n$4\r\nPING\r\n');
  assert.equal(t.payload().toString(), '0123456789');
  assert.equal(t.read, 10);
});

test('a diskless payload ends with its EOF mark, even split across reads', () => {
  const t = RdbTransfer.fromHeader(`EOF:${MARK}`)!;
  assert.equal(t.usesMark, true);
  assert.equal(t.size, 0);
  assert.equal(t.feed(Buffer.from('REDIS-data' + MARK.slice(0, 15))), null);
  assert.deepEqual(t.feed(Buffer.from(MARK.slice(15))), Buffer.alloc(0));
  assert.equal(t.payload().toString(), 'REDIS-data');
});

test('payload headers that are not a size are refused', () => {
  assert.equal(RdbTransfer.fromHeader('x'), null);
  assert.equal(RdbTransfer.fromHeader('-5'), null);
  assert.equal(RdbTransfer.fromHeader('EOF:short'), null);
});

test('loading a payload keeps keys already expired in it, and reads repl-stream-db', () => {
  const { server: src, c, run } = setup();
  run(c, 'set', 'live', '1');
  run(c, 'set', 'gone', '1');
  const db0 = src.dbs[0]!;
  db0.setExpire('gone', db0.dict.get('gone')!, Date.now() - 1000); // expired, not yet deleted
  run(c, 'select', '4');
  run(c, 'rpush', 'l', 'a', 'b');
  const rdb = snapshot(src);
  const { server } = setup();
  const res = loadPayload(server, rdb);
  assert.equal(res.loaded, 3);
  assert.equal(res.expired, 0);
  assert.equal(server.dbs[0]!.dict.has('gone'), true);
  assert.equal(server.dbs[4]!.size, 1);
  assert.equal(res.streamDb, -1); // a plain snapshot names no stream db
});

test('a replica refuses writes (READONLY) and, with the link down, non-stale commands', () => {
  const { server, c, run } = setup();
  followUnconnected(server);
  assert.equal(run(c, 'set', 'k', 'v'), "-READONLY You can't write against a read only replica.\r\n");
  assert.equal(run(c, 'get', 'k'), '$-1\r\n');
  run(c, 'multi');
  assert.match(run(c, 'incr', 'n'), /^-READONLY/);
  assert.match(run(c, 'exec'), /^-EXECABORT/);
  assert.equal(run(c, 'config', 'set', 'replica-serve-stale-data', 'no'), '+OK\r\n');
  assert.equal(
    run(c, 'get', 'k'),
    "-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\r\n",
  );
  assert.match(run(c, 'info', 'replication'), /role:slave/);
  run(c, 'config', 'set', 'replica-read-only', 'no', 'replica-serve-stale-data', 'yes');
  assert.equal(run(c, 'set', 'k', 'v'), '+OK\r\n');
});

test('the master client obeys, and sees logically expired keys other clients do not', () => {
  const { server, c, run } = setup();
  run(c, 'set', 'old', '5');
  followUnconnected(server);
  const db = server.dbs[0]!;
  db.setExpire('old', db.dict.get('old')!, Date.now() - 1000); // past its TTL
  const m = server.newClient('127.0.0.1:6380', '127.0.0.1:50001', 50001);
  m.flags |= CLIENT.master;
  assert.equal(run(c, 'get', 'old'), '$-1\r\n');
  assert.equal(server.dbs[0]!.dict.has('old'), true, 'a replica does not delete expired keys');
  assert.equal(run(m, 'incr', 'old'), ':6\r\n', 'the master client still sees the key');
  assert.equal(run(m, 'set', 'fresh', 'v'), '+OK\r\n');
  assert.equal(run(c, 'get', 'fresh'), '$1\r\nv\r\n');
});

test('replica-ignore-maxmemory: a replica neither evicts nor refuses writes over maxmemory', () => {
  const { server, c, run } = setup();
  run(c, 'set', 'a', '1');
  followUnconnected(server);
  run(c, 'config', 'set', 'replica-read-only', 'no', 'maxmemory-policy', 'allkeys-lru');
  // As from the config file (CONFIG SET maxmemory evicts at once in evict.ts, replica or not).
  server.config.setInitial('maxmemory', ['1']);
  assert.equal(run(c, 'set', 'b', '2'), '+OK\r\n');
  assert.equal(run(c, 'dbsize'), ':2\r\n');
  run(c, 'config', 'set', 'replica-ignore-maxmemory', 'no');
  run(c, 'get', 'a'); // now the maxmemory step runs and evicts, as on a primary
  assert.ok(server.dbs[0]!.size < 2);
});
