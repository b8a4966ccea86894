import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from '../../../src/server/server.js';
import { CLIENT, type Client } from '../../../src/server/client.js';
import { processCommand } from '../../../src/commands/dispatch.js';
import {
  blockForKeys,
  blockedCount,
  clientsInTimeoutTable,
  isBlocked,
  signalKeyAsReady,
  unblockClient,
} from '../../../src/server/blocking.js';

interface Fake {
  c: Client;
  paused: boolean[];
  run: (...argv: string[]) => string;
  out: () => string;
}

/** An in-process client with a connection stub that records pause/resume and close. */
function client(server: Server, port: number): Fake {
  const c = server.newClient(`127.0.0.1:${port}`, '127.0.0.1:6379', -1);
  const paused: boolean[] = [];
  c.control = {
    close: () => server.removeClient(c),
    scheduleFlush: () => {},
    socketPending: () => 0,
    setPaused: (p) => void paused.push(p),
  };
  const out = (): string => Buffer.concat(c.reply.take()).toString('latin1');
  const run = (...argv: string[]): string => {
    processCommand(c, argv);
    return out();
  };
  return { c, paused, run, out };
}

const bulk = (s: string): string => `$${s.length}\r\n${s}\r\n`;
const arr = (...items: string[]): string => `*${items.length}\r\n` + items.map(bulk).join('');
const NILARR = '*-1\r\n';

/** Waits for a condition driven by timers (timeouts, deferred resumes), failing after `ms`. */
async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

test('clients blocked on a key are served in FIFO order after the pushing command', () => {
  const server = new Server();
  const [a, b, c, w] = [client(server, 1), client(server, 2), client(server, 3), client(server, 4)];
  assert.equal(a.run('BLPOP', 'k', '0'), '');
  assert.equal(b.run('BRPOP', 'other', 'k', '0'), '');
  assert.equal(c.run('BLMPOP', '0', '1', 'k', 'LEFT', 'COUNT', '5'), '');
  assert.equal(blockedCount(server), 3);
  assert.ok(a.c.has(CLIENT.blocked));
  assert.deepEqual(a.paused, [true]);
  assert.equal(w.run('INFO', 'clients').includes('blocked_clients:3'), true);
  assert.equal(w.run('RPUSH', 'k', 'x', 'y'), ':2\r\n', 'the pusher sees the length before serving');
  assert.equal(a.out(), arr('k', 'x'));
  assert.equal(b.out(), arr('k', 'y'));
  assert.equal(c.out(), '');
  assert.equal(blockedCount(server), 1);
  assert.equal(server.dbs[0]!.has('k'), false);
  w.run('RPUSH', 'k', '1', '2', '3');
  assert.equal(c.out(), `*2\r\n${bulk('k')}${arr('1', '2', '3')}`);
  assert.equal(blockedCount(server), 0);
  assert.equal(c.c.has(CLIENT.blocked), false);
});

test('input resumes after the serving round, not inside it', async () => {
  const server = new Server();
  const [a, w] = [client(server, 1), client(server, 2)];
  a.run('BLPOP', 'k', '0');
  w.run('LPUSH', 'k', 'v');
  assert.deepEqual(a.paused, [true], 'not resumed synchronously');
  await until(() => a.paused.length === 2);
  assert.deepEqual(a.paused, [true, false]);
});

test('a push undone inside the same transaction does not wake anyone', () => {
  const server = new Server();
  const [a, w] = [client(server, 1), client(server, 2)];
  a.run('BLPOP', 'k', '0');
  w.run('MULTI');
  w.run('LPUSH', 'k', 'a');
  w.run('DEL', 'k');
  w.run('SET', 'k', 'str');
  w.run('EXEC');
  assert.equal(a.out(), '');
  assert.ok(isBlocked(a.c));
  w.run('DEL', 'k');
  w.run('MULTI');
  w.run('LPUSH', 'k', 'a', 'b', 'c');
  w.run('EXEC');
  assert.equal(a.out(), arr('k', 'c'), 'served once, after EXEC, with the final state');
});

test('a list arriving by RENAME, MOVE, COPY or SWAPDB wakes the client', () => {
  const server = new Server();
  const [a, w] = [client(server, 1), client(server, 2)];
  a.run('BLPOP', 'k', '0');
  w.run('RPUSH', 'src', '1', '2');
  w.run('RENAME', 'src', 'k');
  assert.equal(a.out(), arr('k', '1'));
  a.run('BLPOP', 'k2', '0');
  w.run('COPY', 'k', 'k2');
  assert.equal(a.out(), arr('k2', '2'));
  a.run('BLPOP', 'k3', '0');
  w.run('SELECT', '1');
  w.run('RPUSH', 'k3', 'm');
  w.run('MOVE', 'k3', '0');
  assert.equal(a.out(), arr('k3', 'm'));
  a.run('BRPOP', 'k4', '0');
  w.run('RPUSH', 'k4', 'swapped');
  w.run('SWAPDB', '0', '1');
  assert.equal(a.out(), arr('k4', 'swapped'));
});

test('an expired key does not serve; the client stays blocked until CLIENT UNBLOCK', () => {
  const server = new Server();
  const [a, w] = [client(server, 1), client(server, 2)];
  w.run('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
  a.run('BRPOP', 'k', '0');
  w.run('MULTI');
  w.run('RPUSH', 'k', 'hello');
  w.run('PEXPIRE', 'k', '20');
  w.run('DEBUG', 'SLEEP', '0.05');
  w.run('EXEC');
  assert.equal(a.out(), '');
  assert.ok(isBlocked(a.c));
  assert.equal(server.dbs[0]!.dict.has('k'), false, 'the expired key was deleted by the lookup');
  assert.equal(w.run('CLIENT', 'UNBLOCK', String(a.c.id)), ':1\r\n');
  assert.equal(a.out(), NILARR);
});

test('timeouts reply a null array and unblock; clients_in_timeout_table counts deadlines', async () => {
  const server = new Server();
  const [a, b, w] = [client(server, 1), client(server, 2), client(server, 3)];
  a.run('BLPOP', 'k', '0.02');
  b.run('BRPOPLPUSH', 'k', 'd', '0');
  assert.equal(clientsInTimeoutTable(server), 1);
  await until(() => !isBlocked(a.c));
  assert.equal(a.out(), NILARR);
  assert.ok(isBlocked(b.c));
  assert.equal(clientsInTimeoutTable(server), 0);
  w.run('RPUSH', 'k', 'v');
  assert.equal(b.out(), bulk('v'));
});

test('CLIENT UNBLOCK with TIMEOUT, ERROR, and on clients that are not blocked', () => {
  const server = new Server();
  const [a, w] = [client(server, 1), client(server, 2)];
  const id = String(a.c.id);
  assert.equal(w.run('CLIENT', 'UNBLOCK', id), ':0\r\n');
  assert.equal(w.run('CLIENT', 'UNBLOCK', '99999'), ':0\r\n');
  assert.equal(w.run('CLIENT', 'UNBLOCK', 'x'), '-ERR value is not an integer or out of range\r\n');
  assert.equal(w.run('CLIENT', 'UNBLOCK', id, 'maybe'), '-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n');
  a.run('BLMOVE', 's', 'd', 'left', 'right', '0');
  assert.equal(w.run('CLIENT', 'UNBLOCK', id, 'TIMEOUT'), ':1\r\n');
  assert.equal(a.out(), NILARR, 'Redis answers a timed-out BLMOVE with a null array');
  a.run('BLPOP', 'k', '0');
  assert.equal(w.run('CLIENT', 'UNBLOCK', id, 'error'), ':1\r\n');
  assert.equal(a.out(), '-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n');
  assert.equal(blockedCount(server), 0);
});

test('a blocked client that disconnects or is killed leaves no trace', () => {
  const server = new Server();
  const [a, b, w] = [client(server, 1), client(server, 2), client(server, 3)];
  a.run('BLPOP', 'k', '5');
  b.run('BLPOP', 'k', '0');
  a.c.control!.close();
  assert.equal(blockedCount(server), 1);
  assert.equal(clientsInTimeoutTable(server), 0);
  assert.equal(w.run('CLIENT', 'KILL', 'ID', String(b.c.id)), ':1\r\n');
  assert.equal(blockedCount(server), 0);
  w.run('RPUSH', 'k', 'kept');
  assert.equal(w.run('LRANGE', 'k', '0', '-1'), arr('kept'));
});

test('BLMOVE chains: linked, circular, self-referential, and a BLPOP on the target', () => {
  const server = new Server();
  const [a, b, w] = [client(server, 1), client(server, 2), client(server, 3)];
  a.run('BLMOVE', 'l1', 'l2', 'right', 'left', '0');
  b.run('BLMOVE', 'l2', 'l3', 'left', 'right', '0');
  w.run('RPUSH', 'l1', 'foo');
  assert.equal(a.out(), bulk('foo'));
  assert.equal(b.out(), bulk('foo'));
  assert.equal(w.run('LRANGE', 'l3', '0', '-1'), arr('foo'));
  w.run('DEL', 'l3');

  a.run('BRPOPLPUSH', 'c1', 'c2', '0');
  b.run('BRPOPLPUSH', 'c2', 'c1', '0');
  w.run('RPUSH', 'c1', 'x');
  assert.equal(w.run('LRANGE', 'c1', '0', '-1'), arr('x'));
  assert.equal(w.run('EXISTS', 'c2'), ':0\r\n');
  a.out();
  b.out();

  a.run('BRPOPLPUSH', 'self', 'self', '0');
  w.run('RPUSH', 'self', 'me');
  assert.equal(a.out(), bulk('me'));
  assert.equal(w.run('LRANGE', 'self', '0', '-1'), arr('me'));

  b.run('BLPOP', 'target', '0');
  a.run('BLMOVE', 'from', 'target', 'left', 'left', '0');
  w.run('RPUSH', 'from', 'v');
  assert.equal(a.out(), bulk('v'));
  assert.equal(b.out(), arr('target', 'v'));
  assert.equal(w.run('EXISTS', 'target', 'from'), ':0\r\n');
});

test('a WRONGTYPE destination fails the first BLMOVE client and the next one is served', () => {
  const server = new Server();
  const [a, b, w] = [client(server, 1), client(server, 2), client(server, 3)];
  w.run('SET', 't1', 'str');
  a.run('BRPOPLPUSH', 'src', 't1', '0');
  b.run('BRPOPLPUSH', 'src', 't2', '0');
  w.run('LPUSH', 'src', 'foo');
  assert.match(a.out(), /^-WRONGTYPE/);
  assert.equal(b.out(), bulk('foo'));
  assert.equal(w.run('LRANGE', 't2', '0', '-1'), arr('foo'));
});

test('the generic API: onReady may decline, signalKeyAsReady, custom timeout reply', async () => {
  const server = new Server();
  const [a, w] = [client(server, 1), client(server, 2)];
  let calls = 0;
  blockForKeys(
    a.c,
    ['z', 'z'],
    Date.now() + 30,
    (c, key) => {
      calls++;
      const e = c.db.peek(key);
      if (e === undefined || e.type !== 'set') return false;
      c.reply.bulk('served:' + key);
      return true;
    },
    (c) => c.reply.bulk('custom-timeout'),
  );
  w.run('RPUSH', 'z', 'not a set');
  assert.equal(calls, 1, 'duplicate keys are registered once');
  assert.ok(isBlocked(a.c), 'declined: still blocked');
  w.run('DEL', 'z');
  w.run('SADD', 'z', 'm');
  assert.equal(a.out(), bulk('served:z'));
  blockForKeys(
    a.c,
    ['q'],
    Date.now() + 20,
    () => false,
    (c) => c.reply.bulk('custom-timeout'),
  );
  signalKeyAsReady(server.dbs[0]!, 'q');
  w.run('PING');
  assert.ok(isBlocked(a.c));
  await until(() => !isBlocked(a.c));
  assert.equal(a.out(), bulk('custom-timeout'));
  assert.equal(unblockClient(a.c, 'timeout'), false);
});
