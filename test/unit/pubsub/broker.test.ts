import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from '../../../src/server/server.js';
import { CLIENT, type Client } from '../../../src/server/client.js';
import { processCommand } from '../../../src/commands/dispatch.js';
import { brokerOf } from '../../../src/pubsub/install.js';
import { clientInfoString } from '../../../src/commands/client-cmd.js';

function setup(): { server: Server; client: () => Client; run: (c: Client, ...argv: string[]) => string } {
  const server = new Server();
  let port = 50000;
  const client = (): Client => server.newClient(`127.0.0.1:${port++}`, '127.0.0.1:6379', 7);
  const run = (c: Client, ...argv: string[]): string => {
    processCommand(c, argv);
    return read(c);
  };
  return { server, client, run };
}

function read(c: Client): string {
  return Buffer.concat(c.reply.take()).toString('latin1');
}

const conf = (what: string, name: string | null, n: number): string =>
  `*3\r\n$${what.length}\r\n${what}\r\n` + (name === null ? '$-1\r\n' : `$${name.length}\r\n${name}\r\n`) + `:${n}\r\n`;

test('SUBSCRIBE confirms each channel with the running count, duplicates included', () => {
  const { client, run } = setup();
  const c = client();
  assert.equal(
    run(c, 'SUBSCRIBE', 'a', 'b', 'a'),
    conf('subscribe', 'a', 1) + conf('subscribe', 'b', 2) + conf('subscribe', 'a', 2),
  );
  assert.ok(c.has(CLIENT.pubsub));
  assert.equal(run(c, 'PSUBSCRIBE', 'x*'), conf('psubscribe', 'x*', 3));
  // Shard subscriptions are counted on their own.
  assert.equal(run(c, 'SSUBSCRIBE', 's'), conf('ssubscribe', 's', 1));
  assert.deepEqual(brokerOf(c.server).counts(c), [2, 1, 1]);
  assert.match(clientInfoString(c, null), / sub=2 psub=1 ssub=1 /);
});

test('UNSUBSCRIBE without arguments replies once with a null when nothing is subscribed', () => {
  const { client, run } = setup();
  const c = client();
  assert.equal(run(c, 'UNSUBSCRIBE'), conf('unsubscribe', null, 0));
  assert.equal(run(c, 'PUNSUBSCRIBE'), conf('punsubscribe', null, 0));
  assert.equal(run(c, 'SUNSUBSCRIBE'), conf('sunsubscribe', null, 0));
  assert.equal(c.has(CLIENT.pubsub), false);
});

test('the pubsub flag stays until the last subscription of any kind goes', () => {
  const { client, run } = setup();
  const c = client();
  run(c, 'SUBSCRIBE', 'a');
  run(c, 'SSUBSCRIBE', 's');
  run(c, 'UNSUBSCRIBE');
  assert.ok(c.has(CLIENT.pubsub));
  run(c, 'SUNSUBSCRIBE', 's');
  assert.equal(c.has(CLIENT.pubsub), false);
});

test('RESP2 subscribed clients may only run the allowed commands', () => {
  const { client, run } = setup();
  const c = client();
  run(c, 'SUBSCRIBE', 'a');
  assert.equal(
    run(c, 'GET', 'k'),
    "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n",
  );
  assert.equal(run(c, 'PING'), '*2\r\n$4\r\npong\r\n$0\r\n\r\n');
  c.resp = 3;
  assert.equal(run(c, 'GET', 'k'), '_\r\n');
});

test('PUBLISH reaches channel subscribers first, then matching patterns, and counts receivers', () => {
  const { client, run } = setup();
  const [pub, s1, s2] = [client(), client(), client()];
  run(s1, 'SUBSCRIBE', 'news.tech');
  run(s2, 'PSUBSCRIBE', 'news.*', 'other.*');
  s2.resp = 3;
  assert.equal(run(pub, 'PUBLISH', 'news.tech', 'hi'), ':2\r\n');
  assert.equal(read(s1), '*3\r\n$7\r\nmessage\r\n$9\r\nnews.tech\r\n$2\r\nhi\r\n');
  assert.equal(read(s2), '>4\r\n$8\r\npmessage\r\n$6\r\nnews.*\r\n$9\r\nnews.tech\r\n$2\r\nhi\r\n');
  assert.equal(run(pub, 'PUBLISH', 'nobody', 'x'), ':0\r\n');
});

test('SPUBLISH only reaches shard subscribers, never patterns', () => {
  const { client, run } = setup();
  const [pub, s1, s2] = [client(), client(), client()];
  run(s1, 'SSUBSCRIBE', 'ch');
  run(s2, 'PSUBSCRIBE', '*');
  assert.equal(run(pub, 'SPUBLISH', 'ch', 'm'), ':1\r\n');
  assert.equal(read(s1), '*3\r\n$8\r\nsmessage\r\n$2\r\nch\r\n$1\r\nm\r\n');
  assert.equal(read(s2), '');
});

test('PUBSUB CHANNELS / NUMSUB / NUMPAT / SHARD* describe the subscriptions', () => {
  const { client, run } = setup();
  const [q, a, b] = [client(), client(), client()];
  run(a, 'SUBSCRIBE', 'x1', 'y1');
  run(b, 'SUBSCRIBE', 'x1');
  run(a, 'PSUBSCRIBE', 'p*');
  run(b, 'PSUBSCRIBE', 'p*', 'q*');
  run(b, 'SSUBSCRIBE', 'sh');
  assert.equal(run(q, 'PUBSUB', 'CHANNELS', 'x*'), '*1\r\n$2\r\nx1\r\n');
  assert.equal(
    run(q, 'PUBSUB', 'NUMSUB', 'x1', 'y1', 'z'),
    '*6\r\n$2\r\nx1\r\n:2\r\n$2\r\ny1\r\n:1\r\n$1\r\nz\r\n:0\r\n',
  );
  assert.equal(run(q, 'PUBSUB', 'NUMPAT'), ':2\r\n');
  assert.equal(run(q, 'PUBSUB', 'SHARDCHANNELS'), '*1\r\n$2\r\nsh\r\n');
  assert.equal(run(q, 'PUBSUB', 'SHARDNUMSUB', 'sh'), '*2\r\n$2\r\nsh\r\n:1\r\n');
});

test('a closed or RESET client leaves no subscription behind', () => {
  const { server, client, run } = setup();
  const [a, b] = [client(), client()];
  run(a, 'SUBSCRIBE', 'c');
  run(b, 'PSUBSCRIBE', 'c*');
  server.removeClient(a);
  assert.equal(run(b, 'RESET'), '+RESET\r\n');
  const broker = brokerOf(server);
  assert.equal(broker.channels.size, 0);
  assert.equal(broker.patterns.size, 0);
  assert.equal(b.has(CLIENT.pubsub), false);
});

test('unsubscribeMany drops chosen channels with confirmations (for ACL revocation)', () => {
  const { server, client, run } = setup();
  const c = client();
  run(c, 'SUBSCRIBE', 'a', 'b', 'c');
  const broker = brokerOf(server);
  assert.equal(broker.unsubscribeMany(c, 'channel', ['a', 'c', 'zz']), 2);
  assert.equal(read(c), conf('unsubscribe', 'a', 2) + conf('unsubscribe', 'c', 1) + conf('unsubscribe', 'zz', 1));
  assert.deepEqual([...broker.of(c)!.channels], ['b']);
});

test('confirmations and messages get through CLIENT REPLY OFF', () => {
  const { client, run } = setup();
  const c = client();
  c.resp = 3;
  run(c, 'CLIENT', 'REPLY', 'OFF');
  assert.equal(run(c, 'SUBSCRIBE', 'a'), '>3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n');
  assert.equal(run(c, 'PUBLISH', 'a', 'm'), '>3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\nm\r\n');
});

test('keyspace notifications are published through the broker', () => {
  const { server, client, run } = setup();
  const [sub, w] = [client(), client()];
  run(w, 'CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
  run(sub, 'PSUBSCRIBE', '*');
  run(w, 'SET', 'foo', 'bar');
  const out = read(sub);
  assert.ok(out.includes('__keyspace@0__:foo\r\n$3\r\nset'), out);
  assert.ok(out.includes('__keyevent@0__:set\r\n$3\r\nfoo'), out);
  run(w, 'CONFIG', 'SET', 'notify-keyspace-events', '');
  run(w, 'SET', 'foo', 'baz');
  assert.equal(read(sub), '');
  assert.equal(server.events.flags, 0);
});

test('a subscriber over its pubsub output limit is flagged, logged and closed', async () => {
  const { server, client, run } = setup();
  const [pub, sub] = [client(), client()];
  let closed = false;
  sub.control = { close: () => (closed = true), scheduleFlush: () => {}, socketPending: () => 0, setPaused: () => {} };
  run(pub, 'CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 1000 0 0');
  run(sub, 'SUBSCRIBE', 'ch');
  const lines: string[] = [];
  const warn = server.log.warning.bind(server.log);
  server.log.warning = (m: string) => void lines.push(m);
  try {
    for (let i = 0; i < 20 && !sub.has(CLIENT.closeAsap); i++) run(pub, 'PUBLISH', 'ch', 'x'.repeat(100));
  } finally {
    server.log.warning = warn;
  }
  assert.ok(sub.has(CLIENT.closeAsap));
  assert.match(
    lines.join('\n'),
    /Client id=\d+ .* scheduled to be closed ASAP for overcoming of output buffer limits\./,
  );
  await new Promise((r) => setImmediate(r));
  assert.ok(closed);
});
