import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from '../../../src/server/server.js';
import { ConfigStore } from '../../../src/config/store.js';
import { CLIENT, type Client } from '../../../src/server/client.js';
import { processCommand } from '../../../src/commands/dispatch.js';
import { clientInfoString } from '../../../src/commands/client-cmd.js';
import type { AclVerdict, SecurityProvider } from '../../../src/server/security.js';
import type { Command } from '../../../src/commands/registry.js';

interface Env {
  server: Server;
  c: Client;
  run: (...argv: string[]) => string;
  other: () => (...argv: string[]) => string;
}

function setup(): Env {
  const config = new ConfigStore();
  config.setInitial('enable-debug-command', ['yes']);
  const server = new Server(config);
  const mk = (port: number): { c: Client; run: (...argv: string[]) => string } => {
    const c = server.newClient(`127.0.0.1:${port}`, '127.0.0.1:6379', port);
    const run = (...argv: string[]): string => {
      processCommand(c, argv);
      return Buffer.concat(c.reply.take()).toString('latin1');
    };
    return { c, run };
  };
  const { c, run } = mk(50000);
  let port = 50001;
  return { server, c, run, other: () => mk(port++).run };
}

/** Makes the key's TTL lie in the past without any lookup expiring it. */
function expireNow(server: Server, key: string, db = 0): void {
  const e = server.dbs[db]!.dict.get(key)!;
  server.dbs[db]!.setExpire(key, e, Date.now() - 10);
}

test('MULTI/EXEC: commands are queued and run in order, one reply each', () => {
  const { run } = setup();
  assert.equal(run('MULTI'), '+OK\r\n');
  assert.equal(run('SET', 'a', '1'), '+QUEUED\r\n');
  assert.equal(run('INCR', 'a'), '+QUEUED\r\n');
  assert.equal(run('GET', 'a'), '+QUEUED\r\n');
  assert.equal(run('EXEC'), '*3\r\n+OK\r\n:2\r\n$1\r\n2\r\n');
  assert.equal(run('MULTI'), '+OK\r\n');
  assert.equal(run('EXEC'), '*0\r\n');
});

test('EXEC: a runtime error does not stop the other commands', () => {
  const { run } = setup();
  run('SET', 's', 'abc');
  run('MULTI');
  run('INCR', 's');
  run('SET', 'b', '2');
  assert.equal(run('EXEC'), '*2\r\n-ERR value is not an integer or out of range\r\n+OK\r\n');
  assert.equal(run('GET', 'b'), '$1\r\n2\r\n');
});

test('EXEC: an error while queueing aborts the transaction with EXECABORT', () => {
  const { run } = setup();
  run('MULTI');
  assert.equal(run('SET', 'x', '1'), '+QUEUED\r\n');
  assert.match(run('NOSUCH', 'arg'), /^-ERR unknown command 'NOSUCH'/);
  assert.equal(run('GET'), "-ERR wrong number of arguments for 'get' command\r\n");
  assert.equal(run('SET', 'y', '1'), '+QUEUED\r\n');
  assert.equal(run('EXEC'), '-EXECABORT Transaction discarded because of previous errors.\r\n');
  assert.equal(run('EXISTS', 'x', 'y'), ':0\r\n');
  // The client is out of MULTI.
  assert.equal(run('PING'), '+PONG\r\n');
});

test('MULTI/EXEC/DISCARD/WATCH misuse errors do not flag the transaction', () => {
  const { run } = setup();
  assert.equal(run('EXEC'), '-ERR EXEC without MULTI\r\n');
  assert.equal(run('DISCARD'), '-ERR DISCARD without MULTI\r\n');
  run('MULTI');
  assert.equal(run('MULTI'), '-ERR MULTI calls can not be nested\r\n');
  assert.equal(run('WATCH', 'x'), '-ERR WATCH inside MULTI is not allowed\r\n');
  run('SET', 'k', 'v');
  assert.equal(run('EXEC'), '*1\r\n+OK\r\n');
});

test('EXEC refused by the gate aborts with the reason', () => {
  const { run } = setup();
  run('MULTI');
  run('SET', 'k', 'v');
  assert.equal(
    run('EXEC', 'extra'),
    "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n",
  );
  assert.equal(run('EXEC'), '-ERR EXEC without MULTI\r\n');
  assert.equal(run('EXISTS', 'k'), ':0\r\n');
});

test('commands flagged no_multi are refused and flag the transaction', () => {
  const { run } = setup();
  run('MULTI');
  run('SET', 'k', 'v');
  assert.equal(run('SHUTDOWN'), '-ERR Command not allowed inside a transaction\r\n');
  assert.equal(run('EXEC'), '-EXECABORT Transaction discarded because of previous errors.\r\n');
  assert.equal(run('EXISTS', 'k'), ':0\r\n');
});

test('blocking is denied inside EXEC: MONITOR refuses, WAIT answers at once', () => {
  const { run } = setup();
  run('MULTI');
  assert.equal(run('WAIT', '1', '0'), '+QUEUED\r\n');
  assert.equal(run('MONITOR'), '+QUEUED\r\n');
  // MONITOR inside EXEC sees the deny-blocking state.
  assert.equal(run('EXEC'), "*2\r\n:0\r\n-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n");
});

test('DISCARD drops the queue and every WATCH', () => {
  const { run, other } = setup();
  const o = other();
  run('WATCH', 'x');
  o('SET', 'x', '10');
  run('MULTI');
  run('INCR', 'x');
  assert.equal(run('DISCARD'), '+OK\r\n');
  run('MULTI');
  run('INCR', 'x');
  assert.equal(run('EXEC'), '*1\r\n:11\r\n');
});

test('WATCH: a change by any client makes EXEC answer a null array; UNWATCH forgets', () => {
  const { run, other } = setup();
  const o = other();
  run('SET', 'x', '1');
  assert.equal(run('WATCH', 'a', 'x', 'b'), '+OK\r\n');
  o('SET', 'x', '2');
  run('MULTI');
  run('PING');
  assert.equal(run('EXEC'), '*-1\r\n');
  // After a failed EXEC nothing is watched any more.
  o('SET', 'x', '3');
  run('MULTI');
  run('PING');
  assert.equal(run('EXEC'), '*1\r\n+PONG\r\n');
  run('WATCH', 'x');
  run('SET', 'x', '4');
  assert.equal(run('UNWATCH'), '+OK\r\n');
  run('MULTI');
  run('PING');
  assert.equal(run('EXEC'), '*1\r\n+PONG\r\n');
});

test('WATCH: RESP3 null for a failed EXEC; the key is remembered with its db', () => {
  const { c, run, other } = setup();
  const o = other();
  run('SELECT', '5');
  run('SET', 'x', '30');
  run('WATCH', 'x');
  o('SET', 'x', '10'); // db 0: not the watched key
  run('MULTI');
  run('PING');
  assert.equal(run('EXEC'), '*1\r\n+PONG\r\n');
  c.resp = 3;
  run('WATCH', 'x');
  o('SELECT', '5');
  o('DEL', 'x');
  run('MULTI');
  run('PING');
  assert.equal(run('EXEC'), '_\r\n');
});

test('WATCH: expiry of a watched key between WATCH and EXEC fails the EXEC', () => {
  const { server, run } = setup();
  server.activeExpire = false;
  run('SET', 'x', 'v', 'PX', '100000');
  run('WATCH', 'x');
  expireNow(server, 'x');
  run('MULTI');
  run('PING');
  assert.equal(run('EXEC'), '*-1\r\n');
});

test('WATCH: keys already expired when watched do not fail EXEC when deleted or flushed', () => {
  const { server, run } = setup();
  server.activeExpire = false;
  for (const between of [[], ['EXISTS', 'x'], ['FLUSHDB']]) {
    run('SET', 'x', 'v', 'PX', '100000');
    expireNow(server, 'x');
    run('WATCH', 'x');
    if (between.length > 0) run(...between);
    run('MULTI');
    run('PING');
    assert.equal(run('EXEC'), '*1\r\n+PONG\r\n', `after ${between.join(' ') || 'nothing'}`);
  }
});

test('WATCH: FLUSHDB/FLUSHALL touch watched keys that exist, not missing ones', () => {
  const { run } = setup();
  for (const flush of ['FLUSHDB', 'FLUSHALL']) {
    run('SET', 'x', '1');
    run('WATCH', 'x');
    run(flush);
    run('MULTI');
    run('PING');
    assert.equal(run('EXEC'), '*-1\r\n', flush);
    run('WATCH', 'x');
    run(flush);
    run('MULTI');
    run('PING');
    assert.equal(run('EXEC'), '*1\r\n+PONG\r\n', `${flush} of a missing key`);
  }
});

test('WATCH: SWAPDB touches keys that exist on either side, and skips stale ones', () => {
  const { server, run } = setup();
  server.activeExpire = false;
  run('SET', 'x', '30');
  run('WATCH', 'x');
  run('SWAPDB', '0', '1');
  run('MULTI');
  run('PING');
  assert.equal(run('EXEC'), '*-1\r\n', 'existing key swapped away');
  run('FLUSHALL');
  run('SELECT', '1');
  run('SET', 'x', '30');
  run('SELECT', '0');
  run('WATCH', 'x');
  run('SWAPDB', '0', '1');
  run('MULTI');
  run('PING');
  assert.equal(run('EXEC'), '*-1\r\n', 'missing key swapped in');
  // A missing key replaced with an already expired one: no logical change.
  run('FLUSHALL');
  run('SET', 'x', 'foo', 'PX', '100000');
  expireNow(server, 'x');
  run('SELECT', '1');
  run('WATCH', 'x');
  run('SWAPDB', '0', '1');
  run('MULTI');
  run('PING');
  assert.equal(run('EXEC'), '*1\r\n+PONG\r\n', 'stale key swapped in');
});

test('EXEC re-checks ACL permissions of every queued command', () => {
  const { server, run } = setup();
  const open = server.security;
  let denySet = false;
  const gated: SecurityProvider = {
    authRequired: (c) => open.authRequired(c),
    check(c, cmd: Command, argv): AclVerdict {
      if (denySet && cmd.name === 'set') return { ok: false, reason: 'command', argIndex: 0 };
      if (denySet && cmd.name === 'get') return { ok: false, reason: 'key', argIndex: 1 };
      return open.check(c, cmd, argv);
    },
  } as SecurityProvider;
  server.security = gated;
  run('MULTI');
  run('SET', 'k', 'v');
  run('GET', 'k');
  run('PING');
  denySet = true;
  assert.equal(
    run('EXEC'),
    '*3\r\n' +
      '-NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: no permission to execute the command or subcommand\r\n' +
      '-NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: no permission to touch the specified keys\r\n' +
      '+PONG\r\n',
  );
  denySet = false;
  assert.equal(run('EXISTS', 'k'), ':0\r\n');
});

test('EXEC runs with the clock frozen at its start', () => {
  const { server, run } = setup();
  server.activeExpire = false;
  run('SET', 'k', 'v', 'PX', '30');
  run('MULTI');
  run('DEBUG', 'SLEEP', '0.06');
  run('GET', 'k');
  assert.equal(run('EXEC'), '*2\r\n+OK\r\n$1\r\nv\r\n');
  assert.equal(run('GET', 'k'), '$-1\r\n');
});

test('CLIENT LIST: multi= counts queued commands, flags x and d', () => {
  const { c, run, other } = setup();
  const o = other();
  assert.match(clientInfoString(c, null), / flags=N .* multi=-1 .* multi-mem=0 /);
  run('SET', 'w', '1');
  run('WATCH', 'w');
  o('SET', 'w', '2');
  assert.match(clientInfoString(c, null), / flags=d /);
  run('UNWATCH');
  run('MULTI');
  assert.match(clientInfoString(c, null), / flags=x .* multi=0 .* multi-mem=0 /);
  run('SET', 'key', 'value');
  // "set" "key" "value": 11 bytes plus a pointer per argument.
  assert.match(clientInfoString(c, null), / multi=1 .* multi-mem=35 /);
  run('EXEC');
  assert.ok(!c.has(CLIENT.multi));
  assert.match(clientInfoString(c, null), / flags=N .* multi=-1 /);
});

test('RESET and closing a client leave MULTI and drop its WATCHes', () => {
  const { server, c, run, other } = setup();
  const o = other();
  run('WATCH', 'x');
  run('MULTI');
  run('SET', 'x', '1');
  assert.equal(run('RESET'), '+RESET\r\n');
  assert.ok(!c.has(CLIENT.multi));
  o('SET', 'x', '2');
  run('MULTI');
  run('PING');
  assert.equal(run('EXEC'), '*1\r\n+PONG\r\n');
  run('WATCH', 'y');
  server.removeClient(c);
  // Touching the key no longer reaches the closed client.
  o('SET', 'y', '1');
  assert.ok(!c.has(CLIENT.dirtyCas));
});
