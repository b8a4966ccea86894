import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from '../../../src/server/server.js';
import { ConfigStore } from '../../../src/config/store.js';
import type { Client } from '../../../src/server/client.js';
import { processCommand } from '../../../src/commands/dispatch.js';
import { quoteArg, redactedArgv } from '../../../src/server/monitor.js';
import { CommandHistogram, LatencySeries, SERIES_LEN, hdrHighestEquivalent } from '../../../src/server/latency.js';
import { latencyStatsLines } from '../../../src/commands/introspection.js';
import { RespDecoder } from '../../support/resp-client.js';

function parseReply(b: Buffer): unknown {
  const out = new RespDecoder().push(b);
  assert.equal(out.length, 1);
  return out[0];
}

interface Conn {
  c: Client;
  run: (...argv: string[]) => string;
  /** Everything written to this client so far (monitor output). */
  take: () => string;
}

function setup(): { server: Server; conn: (port?: number) => Conn } {
  const config = new ConfigStore();
  config.setInitial('enable-debug-command', ['yes']);
  const server = new Server(config);
  let next = 50000;
  const conn = (port = next++): Conn => {
    const c = server.newClient(`127.0.0.1:${port}`, '127.0.0.1:6379', port);
    const take = (): string => Buffer.concat(c.reply.take()).toString('latin1');
    const run = (...argv: string[]): string => {
      processCommand(c, argv);
      return take();
    };
    return { c, run, take };
  };
  return { server, conn };
}

const STAMP = /^\+\d{10}\.\d{6} /;

function monitorLines(text: string): string[] {
  return text
    .split('\r\n')
    .filter((l) => l !== '')
    .map((l) => {
      assert.match(l, STAMP);
      return l.replace(STAMP, '');
    });
}

test('MONITOR: executed commands, quoted, with db and address; admin commands hidden', () => {
  const { conn } = setup();
  const m = conn();
  const a = conn(60866);
  assert.equal(m.run('MONITOR'), '+OK\r\n');
  a.run('SET', 'foo', 'a b"\\\n\x01\xff');
  a.run('SELECT', '3');
  a.run('GET', 'nokey');
  a.run('CONFIG', 'GET', 'port'); // admin: not shown
  a.run('NOSUCHCOMMAND'); // refused by the gate: not shown
  assert.deepEqual(monitorLines(m.take()), [
    '[0 127.0.0.1:60866] "SET" "foo" "a b\\"\\\\\\n\\x01\\xff"',
    '[3 127.0.0.1:60866] "SELECT" "3"',
    '[3 127.0.0.1:60866] "GET" "nokey"',
  ]);
  // MONITOR twice is ignored (no second OK).
  assert.equal(m.run('MONITOR'), '');
  m.run('RESET');
  m.take();
  a.run('PING');
  assert.equal(m.take(), '');
});

test('MONITOR: secrets are redacted; transactions show MULTI, the commands, EXEC', () => {
  const { conn } = setup();
  const m = conn();
  const a = conn(7000);
  m.run('MONITOR');
  m.take();
  a.run('AUTH', 'not-real');
  a.run('AUTH', 'user', 'pass');
  a.run('HELLO', '2', 'AUTH', 'user', 'pass');
  a.run('MULTI');
  a.run('SET', 'foo', 'bar');
  a.run('EXEC');
  a.run('MULTI');
  a.run('BAD', 'command');
  a.run('EXEC');
  assert.deepEqual(monitorLines(m.take()), [
    '[0 127.0.0.1:7000] "AUTH" "(redacted)"',
    '[0 127.0.0.1:7000] "AUTH" "(redacted)" "(redacted)"',
    '[0 127.0.0.1:7000] "HELLO" "2" "AUTH" "(redacted)" "(redacted)"',
    '[0 127.0.0.1:7000] "MULTI"',
    '[0 127.0.0.1:7000] "SET" "foo" "bar"',
    '[0 127.0.0.1:7000] "EXEC"',
    '[0 127.0.0.1:7000] "MULTI"',
    '[0 127.0.0.1:7000] "EXEC"',
  ]);
});

test('redactedArgv: the positions Redis redacts, and only them', () => {
  const { server } = setup();
  const look = (...argv: string[]): readonly string[] =>
    redactedArgv(
      server.commands.lookupOriginal(argv.slice(0, argv[0] === 'config' || argv[0] === 'acl' ? 2 : 1).join('|'))!,
      argv,
    );
  const R = '(redacted)';
  assert.deepEqual(look('auth', 'a', 'b', 'c'), ['auth', 'a', 'b', 'c']);
  assert.deepEqual(look('hello', '3', 'setname', 'n', 'auth', 'u', 'p'), ['hello', '3', 'setname', 'n', 'auth', R, R]);
  assert.deepEqual(look('hello', '4', 'auth', 'u', 'p'), ['hello', '4', 'auth', 'u', 'p']);
  assert.deepEqual(look('config', 'set', 'masterauth', 'x', 'maxmemory', '1'), [
    'config',
    'set',
    'masterauth',
    R,
    'maxmemory',
    '1',
  ]);
  const get = ['get', 'k'];
  assert.equal(look(...get)[1], 'k');
  assert.equal(quoteArg('\x07\b\t\r'), '"\\a\\b\\t\\r"');
});

test('SLOWLOG: threshold, newest first, max length, GET count, LEN, RESET, entry shape', () => {
  const { conn } = setup();
  const a = conn(5555);
  a.run('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
  a.run('SLOWLOG', 'RESET');
  a.run('CLIENT', 'SETNAME', 'me');
  a.run('SET', 'k', 'v');
  const got = parseReply(Buffer.from(a.run('SLOWLOG', 'GET'), 'latin1')) as unknown[][];
  // CLIENT SETNAME and SET (SLOWLOG RESET ran before the log was emptied... and is logged after).
  assert.deepEqual(
    got.map((e) => e[3]),
    [
      ['SET', 'k', 'v'],
      ['CLIENT', 'SETNAME', 'me'],
      ['SLOWLOG', 'RESET'],
    ],
  );
  const top = got[0]!;
  assert.equal(top.length, 6);
  assert.equal(typeof top[0], 'number');
  assert.ok(Math.abs((top[1] as number) - Date.now() / 1000) < 5);
  assert.equal(top[4], '127.0.0.1:5555');
  assert.equal(top[5], 'me');
  assert.equal((got[1]![0] as number) + 1, top[0]);
  a.run('CONFIG', 'SET', 'slowlog-max-len', '3');
  for (let i = 0; i < 10; i++) a.run('PING');
  assert.equal(a.run('SLOWLOG', 'LEN'), ':3\r\n');
  assert.equal(a.run('SLOWLOG', 'GET', '0'), '*0\r\n');
  assert.match(a.run('SLOWLOG', 'GET', '1'), /^\*1\r\n/);
  assert.match(a.run('SLOWLOG', 'GET', '-1'), /^\*3\r\n/);
  assert.equal(a.run('SLOWLOG', 'GET', '-2'), '-ERR count should be greater than or equal to -1\r\n');
  assert.equal(a.run('SLOWLOG', 'GET', 'x'), '-ERR count should be greater than or equal to -1\r\n');
  assert.equal(
    a.run('SLOWLOG', 'GET', '1', '2'),
    "-ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP.\r\n",
  );
  a.run('CONFIG', 'SET', 'slowlog-log-slower-than', '-1');
  assert.equal(a.run('SLOWLOG', 'RESET'), '+OK\r\n');
  assert.equal(a.run('SLOWLOG', 'LEN'), ':0\r\n');
  assert.match(
    a.run('SLOWLOG', 'HELP'),
    /^\*\d+\r\n\+SLOWLOG <subcommand> \[<arg> \[value\] \[opt\] \.\.\.\]\. Subcommands are:\r\n/,
  );
});

test('SLOWLOG: arguments trimmed (32 args, 128 bytes), secrets redacted, EXEC not logged', () => {
  const { conn } = setup();
  const a = conn();
  a.run('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
  const many = Array.from({ length: 33 }, (_, i) => String(i + 3));
  a.run('SLOWLOG', 'RESET');
  a.run('SET', 'k', 'A'.repeat(129));
  a.run('DEL', 'set', ...many);
  a.run('CONFIG', 'SET', 'masterauth', '');
  a.run('MULTI');
  a.run('PING');
  a.run('EXEC');
  const got = parseReply(Buffer.from(a.run('SLOWLOG', 'GET'), 'latin1')) as unknown[][];
  const argvs = got.map((e) => e[3] as string[]);
  assert.deepEqual(argvs[0], ['PING']);
  assert.deepEqual(argvs[1], ['MULTI']);
  assert.deepEqual(argvs[2], ['CONFIG', 'SET', 'masterauth', '(redacted)']);
  assert.equal(argvs[3]!.length, 32);
  assert.equal(argvs[3]![31], '... (4 more arguments)');
  assert.deepEqual(argvs[4], ['SET', 'k', 'A'.repeat(128) + '... (1 more bytes)']);
});

test('LATENCY: events above the threshold, LATEST, HISTORY, RESET, GRAPH, DOCTOR', () => {
  const { conn } = setup();
  const a = conn();
  assert.equal(a.run('LATENCY', 'LATEST'), '*0\r\n');
  assert.match(a.run('LATENCY', 'DOCTOR'), /^\$\d+\r\n/);
  a.run('CONFIG', 'SET', 'latency-monitor-threshold', '20');
  a.run('DEBUG', 'SLEEP', '0.03');
  a.run('PING');
  const latest = parseReply(Buffer.from(a.run('LATENCY', 'LATEST'), 'latin1')) as unknown[][];
  assert.equal(latest.length, 1);
  assert.equal(latest[0]![0], 'command');
  assert.ok((latest[0]![2] as number) >= 20);
  const hist = parseReply(Buffer.from(a.run('LATENCY', 'HISTORY', 'command'), 'latin1')) as number[][];
  assert.equal(hist.length, 1);
  assert.equal(a.run('LATENCY', 'HISTORY', 'nosuch'), '*0\r\n');
  assert.match(
    a.run('LATENCY', 'GRAPH', 'command'),
    /^\$\d+\r\ncommand - high \d+ ms, low \d+ ms \(all time high \d+ ms\)\n-{80}\n/,
  );
  assert.equal(a.run('LATENCY', 'GRAPH', 'nosuch'), "-ERR No samples available for event 'nosuch'\r\n");
  assert.match(a.run('LATENCY', 'DOCTOR'), /command/);
  assert.equal(a.run('LATENCY', 'RESET', 'nosuch'), ':0\r\n');
  assert.equal(a.run('LATENCY', 'RESET'), ':1\r\n');
  assert.equal(a.run('LATENCY', 'LATEST'), '*0\r\n');
  assert.equal(a.run('LATENCY', 'HELP', 'x'), "-ERR wrong number of arguments for 'latency|help' command\r\n");
});

test('LATENCY HISTOGRAM: per-command calls and cumulative buckets; CONFIG RESETSTAT clears', () => {
  const { conn } = setup();
  const a = conn();
  a.run('CONFIG', 'RESETSTAT');
  a.run('SET', 'a', 'b');
  a.run('SET', 'c', 'd');
  a.run('CLIENT', 'ID');
  const all = parseReply(Buffer.from(a.run('LATENCY', 'HISTOGRAM', 'set', 'client', 'nosuch'), 'latin1')) as unknown[];
  // RESP2 map: name, {calls, n, histogram_usec, {...}}
  assert.deepEqual(all[0], 'set');
  const set = all[1] as unknown[];
  assert.deepEqual(set.slice(0, 3), ['calls', 2, 'histogram_usec']);
  assert.deepEqual(all[2], 'client|id');
  a.run('CONFIG', 'RESETSTAT');
  const after = parseReply(Buffer.from(a.run('LATENCY', 'HISTOGRAM'), 'latin1')) as unknown[];
  assert.deepEqual(after[0], 'config|resetstat');
  assert.equal(after.length, 2);
});

test('latency structures: one sample per second keeps the worst; ring of 160; HDR-like buckets', () => {
  const ts = new LatencySeries();
  ts.add(100, 5);
  ts.add(100, 9);
  ts.add(100, 3);
  assert.deepEqual(ts.history(), [{ time: 100, latency: 9 }]);
  for (let i = 1; i <= SERIES_LEN + 5; i++) ts.add(100 + i, i);
  assert.equal(ts.history().length, SERIES_LEN);
  assert.equal(ts.latest().latency, SERIES_LEN + 5);
  assert.equal(ts.max, SERIES_LEN + 5);
  const h = new CommandHistogram();
  for (const us of [0, 1, 3, 3, 5, 12]) h.record(us);
  assert.deepEqual(h.cdf(), [
    [1, 2],
    [4, 4],
    [8, 5],
    [16, 6],
  ]);
  // hdr_value_at_percentile: the highest value HDR treats as equal to the one reached.
  assert.equal(h.percentile(50), 3.007);
  assert.equal(h.percentile(99.9), 12.031);
  assert.equal(hdrHighestEquivalent(4000), 4015);
  assert.equal(hdrHighestEquivalent(1024), 1031);
});

test('INFO latencystats: percentiles per command that ran', () => {
  const { server, conn } = setup();
  const a = conn();
  a.run('CONFIG', 'RESETSTAT');
  a.run('SET', 'a', 'b');
  assert.match(
    latencyStatsLines(server),
    /^latency_percentiles_usec_config\|resetstat:p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}\r\nlatency_percentiles_usec_set:p50=/m,
  );
  a.run('CONFIG', 'SET', 'latency-tracking', 'no');
  assert.equal(latencyStatsLines(server), '');
});

test('WAIT: 0 at once when no replica is needed; otherwise after the timeout', async () => {
  const { conn } = setup();
  const a = conn();
  assert.equal(a.run('WAIT', '0', '0'), ':0\r\n');
  assert.equal(a.run('WAIT', 'x', '0'), '-ERR value is not an integer or out of range\r\n');
  assert.equal(a.run('WAIT', '1', '-1'), '-ERR timeout is negative\r\n');
  assert.equal(a.run('WAIT', '1', 'x'), '-ERR timeout is not an integer or out of range\r\n');
});
