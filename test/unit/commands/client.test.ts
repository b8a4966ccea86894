import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from '../../../src/server/server.js';
import { CLIENT, type Client } from '../../../src/server/client.js';
import { processCommand } from '../../../src/commands/dispatch.js';
import { clientInfoString } from '../../../src/commands/client-cmd.js';
import { QueryBufModel, allocSize } from '../../../src/protocol/querybuf.js';
import { encodeCommand } from '../../support/raw-client.js';

function setup(): { server: Server; c: Client; run: (...argv: string[]) => string; other: () => Client } {
  const server = new Server();
  const c = server.newClient('127.0.0.1:50000', '127.0.0.1:6379', 7);
  const run = (...argv: string[]): string => {
    processCommand(c, argv);
    return Buffer.concat(c.reply.take()).toString('latin1');
  };
  let port = 50001;
  const other = (): Client => server.newClient(`127.0.0.1:${port++}`, '127.0.0.1:6379', 8);
  return { server, c, run, other };
}

/** Runs argv the way the connection does: bytes through the parser, then the gate. */
function viaParser(c: Client, argv: string[]): string {
  c.parser.feed(encodeCommand(argv));
  for (let cmd = c.parser.take(); cmd !== null; cmd = c.parser.take()) processCommand(c, cmd);
  const out = Buffer.concat(c.reply.take()).toString('latin1');
  c.parser.endRound();
  return out;
}

const FIELDS = [
  'id',
  'addr',
  'laddr',
  'fd',
  'name',
  'age',
  'idle',
  'flags',
  'db',
  'sub',
  'psub',
  'ssub',
  'multi',
  'qbuf',
  'qbuf-free',
  'argv-mem',
  'multi-mem',
  'rbs',
  'rbp',
  'obl',
  'oll',
  'omem',
  'tot-mem',
  'events',
  'cmd',
  'user',
  'redir',
  'resp',
];

test('CLIENT LIST: Redis 7.0 fields in order, the running command seen as Redis sees it', () => {
  const { c } = setup();
  const reply = viaParser(c, ['client', 'list']);
  const line = reply.split('\r\n')[1]!;
  assert.deepEqual(
    line.split(' ').map((kv) => kv.slice(0, kv.indexOf('='))),
    FIELDS,
  );
  // age and idle are whole seconds of the clock (as in Redis): a second boundary crossed between
  // creating the client and the command makes them 1.
  const m = /age=(\d+) idle=(\d+) /.exec(line);
  assert.ok(m !== null && Number(m[1]) <= 1 && Number(m[2]) <= Number(m[1]), line);
  // The command being run is still in the query buffer (26 bytes) and its arguments are held.
  assert.match(
    line,
    /^id=1 addr=127\.0\.0\.1:50000 laddr=127\.0\.0\.1:6379 fd=7 name= age=[01] idle=[01] flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=16384 rbp=16384 obl=0 oll=0 omem=0 tot-mem=\d+ events= cmd=client\|list user=default redir=-1 resp=2\n$/,
  );
});

test('CLIENT INFO describes the caller only; CLIENT ID; LIST ID and TYPE filters', () => {
  const { c, run, other } = setup();
  const o = other();
  o.flags |= CLIENT.pubsub;
  assert.match(run('CLIENT', 'INFO'), /^\$\d+\r\nid=1 .* cmd=client\|info .*\n\r\n$/);
  assert.equal(run('CLIENT', 'ID'), ':1\r\n');
  const byId = run('CLIENT', 'LIST', 'ID', '2', '99', '1');
  assert.match(byId, /^\$\d+\r\nid=2 [^\n]*\nid=1 [^\n]*\n\r\n$/);
  assert.match(run('CLIENT', 'LIST', 'TYPE', 'pubsub'), /^\$\d+\r\nid=2 [^\n]*flags=P [^\n]*\n\r\n$/);
  assert.match(run('CLIENT', 'LIST', 'TYPE', 'NORMAL'), /^\$\d+\r\nid=1 [^\n]*\n\r\n$/);
  assert.equal(run('CLIENT', 'LIST', 'TYPE', 'replica'), '$0\r\n\r\n');
  assert.equal(run('CLIENT', 'LIST', 'TYPE', 'bad'), "-ERR Unknown client type 'bad'\r\n");
  assert.equal(run('CLIENT', 'LIST', 'ID', 'x'), '-ERR Invalid client ID\r\n');
  assert.equal(run('CLIENT', 'LIST', 'x'), '-ERR syntax error\r\n');
  c.resp = 3;
  assert.match(run('CLIENT', 'INFO'), /^=\d+\r\ntxt:id=1 /);
});

test('CLIENT SETNAME / GETNAME', () => {
  const { run } = setup();
  assert.equal(run('CLIENT', 'GETNAME'), '$-1\r\n');
  assert.equal(
    run('CLIENT', 'SETNAME', 'foo bar'),
    '-ERR Client names cannot contain spaces, newlines or special characters.\r\n',
  );
  assert.equal(run('CLIENT', 'SETNAME', 'myname'), '+OK\r\n');
  assert.equal(run('CLIENT', 'GETNAME'), '$6\r\nmyname\r\n');
  assert.match(run('CLIENT', 'INFO'), / name=myname /);
  assert.equal(run('CLIENT', 'SETNAME', ''), '+OK\r\n');
  assert.equal(run('CLIENT', 'GETNAME'), '$-1\r\n');
});

test('CLIENT KILL: argument errors worded as Redis', () => {
  const { run } = setup();
  assert.equal(run('CLIENT', 'KILL'), "-ERR wrong number of arguments for 'client|kill' command\r\n");
  assert.equal(run('CLIENT', 'KILL', 'id', '10', 'wrong_arg'), '-ERR syntax error\r\n');
  for (const id of ['str', '-1', '0'])
    assert.equal(run('CLIENT', 'KILL', 'id', id), '-ERR client-id should be greater than 0\r\n');
  assert.equal(run('CLIENT', 'KILL', 'type', 'wrong_type'), "-ERR Unknown client type 'wrong_type'\r\n");
  assert.equal(run('CLIENT', 'KILL', 'user', 'wrong_user'), "-ERR No such user 'wrong_user'\r\n");
  assert.equal(run('CLIENT', 'KILL', 'skipme', 'yes_or_no'), '-ERR syntax error\r\n');
  assert.equal(run('CLIENT', 'KILL', 'maxage', '10'), '-ERR syntax error\r\n');
  assert.equal(run('CLIENT', 'KILL', '1.2.3.4:5'), '-ERR No such client\r\n');
});

test('CLIENT KILL: filters, SKIPME, and the caller closed after its reply', () => {
  const { server, c, run, other } = setup();
  const a = other();
  const b = other();
  const d = other();
  assert.equal(run('CLIENT', 'KILL', 'ID', String(a.id)), ':1\r\n');
  assert.ok(!server.clients.has(a.id));
  assert.equal(run('CLIENT', 'KILL', b.addr), '+OK\r\n');
  assert.ok(!server.clients.has(b.id));
  assert.equal(run('CLIENT', 'KILL', 'LADDR', '127.0.0.1:6379', 'USER', 'default'), ':1\r\n');
  assert.ok(!server.clients.has(d.id));
  assert.ok(!c.has(CLIENT.closeAfterReply));
  assert.equal(run('CLIENT', 'KILL', 'SKIPME', 'no'), ':1\r\n');
  assert.ok(c.has(CLIENT.closeAfterReply));
  // The old form may target the caller too.
  const { c: c2, run: run2 } = setup();
  assert.equal(run2('CLIENT', 'KILL', c2.addr), '+OK\r\n');
  assert.ok(c2.has(CLIENT.closeAfterReply));
});

test('CLIENT REPLY OFF / ON / SKIP', () => {
  const { run } = setup();
  assert.equal(run('CLIENT', 'REPLY', 'OFF'), '');
  assert.equal(run('PING', 'a'), '');
  assert.equal(run('CLIENT', 'REPLY', 'SKIP'), '');
  assert.equal(run('CLIENT', 'REPLY', 'ON'), '+OK\r\n');
  assert.equal(run('PING', 'b'), '$1\r\nb\r\n');
  assert.equal(run('CLIENT', 'REPLY', 'SKIP'), '');
  assert.equal(run('PING', 'c'), '');
  assert.equal(run('PING', 'd'), '$1\r\nd\r\n');
  // SKIP then ON: the ON reply is sent.
  run('CLIENT', 'REPLY', 'SKIP');
  assert.equal(run('CLIENT', 'REPLY', 'ON'), '+OK\r\n');
  assert.equal(run('PING'), '+PONG\r\n');
  assert.equal(run('CLIENT', 'REPLY', 'MAYBE'), '-ERR syntax error\r\n');
});

test('CLIENT REPLY OFF / SKIP also silence refused commands, which still count as errors', () => {
  const { server, run } = setup();
  run('CLIENT', 'REPLY', 'SKIP');
  assert.equal(run('NOSUCH'), '');
  assert.equal(run('PING'), '+PONG\r\n', 'the skip covered the refused command only');
  run('CLIENT', 'REPLY', 'OFF');
  assert.equal(run('PING', 'a', 'b', 'c'), '');
  assert.equal(run('CLIENT', 'ID', 'x'), '');
  assert.equal(run('CLIENT', 'REPLY', 'ON'), '+OK\r\n');
  assert.equal(server.stats.errors.get('ERR'), 3);
});

test('CLIENT PAUSE / UNPAUSE set the server pause; errors worded as Redis', () => {
  const { server, run } = setup();
  assert.equal(run('CLIENT', 'PAUSE', '100', 'SOME'), '-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n');
  assert.equal(run('CLIENT', 'PAUSE', 'abc'), '-ERR timeout is not an integer or out of range\r\n');
  assert.equal(run('CLIENT', 'PAUSE', '-1'), '-ERR timeout is negative\r\n');
  const before = Date.now();
  assert.equal(run('CLIENT', 'PAUSE', '50000', 'WRITE'), '+OK\r\n');
  assert.ok(server.pauseUntil >= before + 50000);
  assert.equal(server.pauseWritesOnly, true);
  // A running pause is only extended or made stricter.
  const until = server.pauseUntil;
  assert.equal(run('CLIENT', 'PAUSE', '10', 'ALL'), '+OK\r\n');
  assert.equal(server.pauseUntil, until);
  assert.equal(server.pauseWritesOnly, false);
  assert.equal(run('CLIENT', 'UNPAUSE'), '+OK\r\n');
  assert.equal(server.pauseUntil, 0);
});

test('CLIENT NO-EVICT shows as flag e', () => {
  const { run } = setup();
  assert.equal(run('CLIENT', 'NO-EVICT', 'on'), '+OK\r\n');
  assert.match(run('CLIENT', 'INFO'), / flags=e /);
  assert.equal(run('CLIENT', 'NO-EVICT', 'off'), '+OK\r\n');
  assert.match(run('CLIENT', 'INFO'), / flags=N /);
  assert.equal(run('CLIENT', 'NO-EVICT', 'x'), '-ERR syntax error\r\n');
});

test('CLIENT HELP and unknown subcommands', () => {
  const { run } = setup();
  assert.match(run('CLIENT', 'HELP'), /^\*\d+\r\n\+CLIENT <subcommand>/);
  assert.equal(run('CLIENT', 'FOO'), "-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n");
});

test('client line of another client: no argv held, idle and age in seconds', () => {
  const { c, other } = setup();
  const o = other();
  o.argv = ['get', 'k'];
  (o as { lastInteraction: number }).lastInteraction = Date.now() - 5000;
  const line = clientInfoString(o, c);
  assert.match(line, / idle=[56] /);
  assert.match(line, / argv-mem=0 /);
  assert.match(line, / cmd=NULL /);
});

test('query buffer model: first read, big argument, idle and peak-based shrinking', () => {
  assert.equal(allocSize(23), 32);
  assert.equal(allocSize(104), 112);
  assert.equal(allocSize(16390), 20480);
  const q = new QueryBufModel();
  q.onRead(0, 26, 0);
  // sds of 16KB (type 16 header) in a 20KB allocation.
  assert.equal(q.alloc, 20474);
  q.cron(0, 0, -1);
  assert.equal(q.alloc, 20474, 'a recently used buffer is kept');
  q.cron(0, 3, -1);
  assert.equal(q.alloc, 0, 'an idle buffer is freed');
  q.onRead(0, 40, 0);
  q.onBigArgStart(400000);
  assert.ok(q.alloc >= 400002);
  q.onBigArgDone(400000);
  assert.equal(q.alloc, 400002);
  q.cron(0, 0, -1);
  // The peak (the last reads) is far below half the buffer: trimmed to the peak.
  q.cron(0, 0, -1);
  assert.ok(q.alloc < 400002);
  q.onRead(0, 100, 0);
  assert.ok(q.alloc > 0 && q.alloc < 400002);
});

test('parser feeds the model: qbuf counts the round, then drops to what is unparsed', () => {
  const { c } = setup();
  c.parser.feed(Buffer.from('*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPI'));
  assert.deepEqual(c.parser.take(), ['PING']);
  assert.equal(c.parser.qbufLength, 24);
  assert.equal(c.parser.take(), null);
  c.parser.endRound();
  // Like Redis, the headers of the partial command are parsed: only "PI" is left.
  assert.equal(c.parser.qbufLength, 2);
  // A big argument arriving in pieces: afterwards the buffer is empty but sized for it.
  const big = 'x'.repeat(100000);
  const wire = encodeCommand(['ECHO', big]);
  const { c: c2 } = setup();
  c2.parser.feed(wire.subarray(0, 1000));
  assert.equal(c2.parser.take(), null);
  c2.parser.endRound();
  c2.parser.feed(wire.subarray(1000));
  assert.deepEqual(c2.parser.take(), ['ECHO', big]);
  c2.parser.endRound();
  assert.equal(c2.parser.qbufLength, 0);
  assert.equal(c2.parser.qbuf.alloc, 100002);
});

test('a command counts as activity: CLIENT INFO after a long silence shows idle=0, others keep theirs', () => {
  const { c, run, other } = setup();
  const quiet = other();
  c.lastInteraction = Date.now() - 5000;
  quiet.lastInteraction = Date.now() - 7000;
  assert.match(run('CLIENT', 'INFO'), /\bidle=0\b/);
  const list = run('CLIENT', 'LIST');
  assert.match(list, new RegExp(`id=${quiet.id} .*\\bidle=(6|7)\\b`));
});
