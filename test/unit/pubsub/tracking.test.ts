import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from '../../../src/server/server.js';
import { CLIENT, type Client } from '../../../src/server/client.js';
import { processCommand } from '../../../src/commands/dispatch.js';
import { trackingOf } from '../../../src/pubsub/install.js';
import { clientInfoString } from '../../../src/commands/client-cmd.js';

function setup(): { server: Server; client: (resp?: 2 | 3) => Client; run: (c: Client, ...argv: string[]) => string } {
  const server = new Server();
  let port = 50000;
  const client = (resp: 2 | 3 = 2): Client => {
    const c = server.newClient(`127.0.0.1:${port++}`, '127.0.0.1:6379', 7);
    c.resp = resp;
    return c;
  };
  const run = (c: Client, ...argv: string[]): string => {
    processCommand(c, argv);
    return read(c);
  };
  return { server, client, run };
}

function read(c: Client): string {
  return Buffer.concat(c.reply.take()).toString('latin1');
}

const inv = (...keys: string[]): string =>
  `>2\r\n$10\r\ninvalidate\r\n*${keys.length}\r\n` + keys.map((k) => `$${k.length}\r\n${k}\r\n`).join('');

test('a RESP3 client is told once about a key it read, after another client changes it', () => {
  const { client, run } = setup();
  const [c, w] = [client(3), client()];
  assert.equal(run(c, 'CLIENT', 'TRACKING', 'on'), '+OK\r\n');
  run(c, 'GET', 'k');
  run(w, 'SET', 'k', '1');
  assert.equal(read(c), inv('k'));
  run(w, 'SET', 'k', '2');
  assert.equal(read(c), '', 'the key is forgotten after one invalidation');
});

test('keys written by the client itself are invalidated after its reply, unless NOLOOP', () => {
  const { client, run } = setup();
  const c = client(3);
  run(c, 'CLIENT', 'TRACKING', 'on');
  run(c, 'GET', 'k');
  assert.equal(run(c, 'SET', 'k', 'v'), '+OK\r\n' + inv('k'));
  run(c, 'CLIENT', 'TRACKING', 'on', 'NOLOOP');
  run(c, 'GET', 'k');
  assert.equal(run(c, 'SET', 'k', 'w'), '+OK\r\n');
});

test('RESP2 redirection goes to a subscribed client as a __redis__:invalidate message', () => {
  const { client, run } = setup();
  const [c, r, w] = [client(), client(), client()];
  run(r, 'SUBSCRIBE', '__redis__:invalidate');
  run(c, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', String(r.id));
  run(c, 'MGET', 'a', 'b');
  run(w, 'DEL', 'a');
  run(w, 'SET', 'b', '1');
  assert.equal(
    read(r),
    '*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$1\r\nb\r\n',
    'DEL of a missing key changes nothing',
  );
  assert.equal(run(c, 'CLIENT', 'GETREDIR'), `:${r.id}\r\n`);
  assert.match(clientInfoString(c, null), new RegExp(`flags=t .* redir=${r.id} `));
});

test('a vanished redirect client makes the key owner RESP3 push tracking-redir-broken', () => {
  const { server, client, run } = setup();
  const [c, r, w] = [client(3), client(), client()];
  run(c, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', String(r.id));
  run(c, 'GET', 'k');
  server.removeClient(r);
  run(w, 'SET', 'k', '1');
  assert.equal(read(c), `>2\r\n$21\r\ntracking-redir-broken\r\n:${r.id}\r\n`);
  assert.ok(run(c, 'CLIENT', 'TRACKINGINFO').includes('broken_redirect'));
  assert.match(clientInfoString(c, null), / flags=tR /);
});

test('OPTIN tracks only after CLIENT CACHING yes, for the next command only', () => {
  const { client, run } = setup();
  const [c, w] = [client(3), client()];
  run(c, 'CLIENT', 'TRACKING', 'on', 'OPTIN');
  run(c, 'GET', 'a');
  assert.equal(run(c, 'CLIENT', 'CACHING', 'yes'), '+OK\r\n');
  run(c, 'GET', 'b');
  run(c, 'GET', 'c');
  run(w, 'MSET', 'a', '1', 'b', '1', 'c', '1');
  assert.equal(read(c), inv('b'));
});

test('BCAST sends the changed keys under each prefix at the end of the tick', async () => {
  const { client, run } = setup();
  const [c, w] = [client(3), client()];
  assert.equal(run(c, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'user:', 'PREFIX', 'job:'), '+OK\r\n');
  run(w, 'MSET', 'user:2', 'x', 'user:1', 'y', 'other', 'z');
  assert.equal(read(c), '');
  await new Promise((r) => setImmediate(r));
  assert.equal(read(c), inv('user:1', 'user:2'));
  assert.equal(
    run(c, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'us'),
    "-ERR Prefix 'us' overlaps with an existing prefix 'user:'. Prefixes for a single client must not overlap.\r\n",
  );
});

test('FLUSHALL invalidates everything with a null, and empties the table', () => {
  const { server, client, run } = setup();
  const [c, w] = [client(3), client()];
  run(c, 'CLIENT', 'TRACKING', 'on');
  run(c, 'GET', 'a');
  assert.equal(trackingOf(server).info().keys, 1);
  run(w, 'FLUSHALL');
  assert.equal(read(c), '>2\r\n$10\r\ninvalidate\r\n_\r\n');
  assert.equal(trackingOf(server).info().keys, 0);
});

test('tracking-table-max-keys evicts tracked keys with invalidations', () => {
  const { server, client, run } = setup();
  const [c, w] = [client(3), client()];
  run(c, 'CLIENT', 'TRACKING', 'on');
  run(c, 'MGET', 'a', 'b', 'c');
  run(w, 'CONFIG', 'SET', 'tracking-table-max-keys', '1');
  assert.equal(read(c), inv('a') + inv('b'));
  assert.equal(trackingOf(server).info().keys, 1);
});

test('CLIENT TRACKING OFF and RESET turn tracking off and free BCAST prefixes', () => {
  const { server, client, run } = setup();
  const c = client(3);
  run(c, 'CLIENT', 'TRACKING', 'on', 'BCAST');
  assert.equal(trackingOf(server).info().prefixes, 1);
  run(c, 'RESET');
  assert.equal(c.has(CLIENT.tracking), false);
  assert.equal(trackingOf(server).info().prefixes, 0);
  assert.equal(run(c, 'CLIENT', 'GETREDIR'), ':-1\r\n');
});

test('flush invalidation and CLIENT CACHING follow the command table, also under rename-command', () => {
  const { server, client, run } = setup();
  server.commands.rename('flushall', 'wipe');
  server.commands.rename('client', 'cl');
  const [c, w] = [client(3), client()];
  run(c, 'CL', 'TRACKING', 'on', 'OPTIN');
  assert.equal(run(c, 'CL', 'CACHING', 'yes'), '+OK\r\n');
  run(c, 'GET', 'k');
  run(w, 'SET', 'k', '1');
  assert.equal(read(c), inv('k'), 'CACHING yes applied to the GET after it');
  run(c, 'GET', 'k');
  run(w, 'WIPE');
  assert.equal(read(c), '>2\r\n$10\r\ninvalidate\r\n_\r\n', 'the renamed FLUSHALL still invalidates everything');
  assert.equal(trackingOf(server).info().keys, 0);
});
