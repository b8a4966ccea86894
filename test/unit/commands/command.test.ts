import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from '../../../src/server/server.js';
import type { Client } from '../../../src/server/client.js';
import { processCommand } from '../../../src/commands/dispatch.js';
import { lookupByFullname } from '../../../src/commands/command-cmd.js';
import { decodeReply, type RespValue } from '../../support/raw-client.js';

function setup(): {
  server: Server;
  c: Client;
  run: (...argv: string[]) => string;
  value: (...argv: string[]) => RespValue;
} {
  const server = new Server();
  const c = server.newClient('127.0.0.1:50000', '127.0.0.1:6379', -1);
  const run = (...argv: string[]): string => {
    processCommand(c, argv);
    return Buffer.concat(c.reply.take()).toString('latin1');
  };
  const value = (...argv: string[]): RespValue => decodeReply(Buffer.from(run(...argv), 'latin1'))[0];
  return { server, c, run, value };
}

test('COMMAND COUNT and COMMAND list every implemented command once', () => {
  const { server, value } = setup();
  const count = value('COMMAND', 'COUNT') as number;
  assert.equal(count, server.commands.byName.size);
  const all = value('COMMAND') as RespValue[][];
  assert.equal(all.length, count);
  assert.equal(new Set(all.map((e) => e[0])).size, count);
  assert.deepEqual(value('COMMAND', 'INFO'), all);
});

test('COMMAND INFO: the ten fields, subcommands nested, unknown names null', () => {
  const { value } = setup();
  const [client, missing, sub, deep, getKey] = value(
    'COMMAND',
    'INFO',
    'CLIENT',
    'nosuch',
    'client|kill',
    'client|kill|x',
    'ping|x',
  ) as RespValue[][];
  assert.equal(missing, null);
  assert.equal(deep, null);
  assert.equal(getKey, null);
  assert.equal(client![0], 'client');
  assert.equal(client![1], -2);
  assert.deepEqual(client![6], ['@slow']);
  assert.equal(client!.length, 10);
  const subs = client![9] as RespValue[][];
  assert.ok(subs.some((s) => s[0] === 'client|kill'));
  assert.deepEqual(sub, [
    'client|kill',
    -3,
    ['admin', 'noscript', 'loading', 'stale'],
    0,
    0,
    0,
    ['@admin', '@slow', '@dangerous', '@connection'],
    [],
    [],
    [],
  ]);
});

test('COMMAND INFO key specs in Redis shape', () => {
  const { value } = setup();
  const [del] = value('COMMAND', 'INFO', 'del') as RespValue[][];
  assert.deepEqual(del![8], [
    [
      'flags',
      ['RM', 'delete'],
      'begin_search',
      ['type', 'index', 'spec', ['index', 1]],
      'find_keys',
      ['type', 'range', 'spec', ['lastkey', -1, 'keystep', 1, 'limit', 0]],
    ],
  ]);
});

test('COMMAND DOCS: map of name to documented facts, RESP3 maps', () => {
  const { c, value, run } = setup();
  const docs = value('COMMAND', 'DOCS', 'memory|usage', 'nosuch') as RespValue[];
  assert.equal(docs[0], 'memory|usage');
  assert.deepEqual(docs[1], [
    'since',
    '4.0.0',
    'group',
    'server',
    'arguments',
    [
      ['name', 'key', 'type', 'key', 'key_spec_index', 0],
      ['name', 'count', 'type', 'integer', 'token', 'SAMPLES', 'flags', ['optional']],
    ],
  ]);
  assert.equal(docs.length, 2);
  c.resp = 3;
  assert.match(run('COMMAND', 'DOCS', 'client'), /^%1\r\n\$6\r\nclient\r\n%3\r\n\$5\r\nsince\r\n/);
});

test('COMMAND LIST and its filters', () => {
  const { value, run } = setup();
  const all = value('COMMAND', 'LIST') as string[];
  assert.ok(all.includes('client') && all.includes('client|kill') && all.includes('command|list'));
  assert.deepEqual(value('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'client|k*'), ['client|kill']);
  assert.deepEqual(value('COMMAND', 'LIST', 'FILTERBY', 'pattern', 'CL*HELP'), ['client|help']);
  assert.deepEqual(value('COMMAND', 'LIST', 'FILTERBY', 'module', 'x'), []);
  assert.deepEqual(value('COMMAND', 'LIST', 'FILTERBY', 'aclcat', 'no_such_category'), []);
  const conn = value('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'connection') as string[];
  assert.ok(conn.includes('ping') && conn.includes('client|kill') && !conn.includes('info'));
  for (const bad of [
    ['bad_arg'],
    ['filterby', 'bad_arg'],
    ['filterby', 'bad_arg', 'x'],
    ['filterby', 'pattern', 'a', 'b'],
  ]) {
    assert.equal(run('COMMAND', 'LIST', ...bad), '-ERR syntax error\r\n');
  }
});

test('COMMAND GETKEYS / GETKEYSANDFLAGS', () => {
  const { value, run } = setup();
  assert.deepEqual(value('COMMAND', 'GETKEYS', 'memory', 'usage', 'k'), ['k']);
  assert.deepEqual(value('COMMAND', 'GETKEYS', 'del', 'a', 'b'), ['a', 'b']);
  assert.deepEqual(value('COMMAND', 'GETKEYSANDFLAGS', 'del', 'a', 'b'), [
    ['a', ['RM', 'delete']],
    ['b', ['RM', 'delete']],
  ]);
  assert.equal(run('COMMAND', 'GETKEYS', 'nosuch', 'x'), '-ERR Invalid command specified\r\n');
  assert.equal(run('COMMAND', 'GETKEYS', 'ping', 'x'), '-ERR The command has no key arguments\r\n');
  assert.equal(
    run('COMMAND', 'GETKEYS', 'memory', 'usage'),
    '-ERR Invalid number of arguments specified for command\r\n',
  );
  assert.equal(run('COMMAND', 'GETKEYS'), "-ERR wrong number of arguments for 'command|getkeys' command\r\n");
});

test('lookupByFullname resolves names clients use, including renamed commands', () => {
  const { server } = setup();
  assert.equal(lookupByFullname(server.commands, 'CLIENT|Kill')?.fullname, 'client|kill');
  assert.equal(lookupByFullname(server.commands, 'client|')?.fullname, undefined);
  server.commands.rename('ping', 'pong');
  assert.equal(lookupByFullname(server.commands, 'ping'), null);
  assert.equal(lookupByFullname(server.commands, 'pong')?.fullname, 'ping');
});

test('lookup in any case; remembered spellings are bounded and forgotten on rename', () => {
  const { server } = setup();
  const reg = server.commands;
  assert.equal(reg.lookup(['PING'])?.fullname, 'ping');
  assert.equal(reg.lookup(['PING'])?.fullname, 'ping', 'a second time, from the remembered spelling');
  // Every case variant of a long name: far more than the bound, all still resolved.
  const name = 'getrange';
  for (let m = 0; m < 1 << name.length; m++) {
    const v = [...name].map((ch, i) => ((m >> i) & 1 ? ch.toUpperCase() : ch)).join('');
    assert.equal(reg.lookup([v, 'k', '0', '1'])?.fullname, 'getrange', v);
  }
  const spelled = (reg as unknown as { spelled: Map<string, unknown> }).spelled;
  assert.ok(spelled.size <= 512, `bounded: ${spelled.size}`);
  reg.rename('ping', 'pong');
  assert.equal(reg.lookup(['PING']), undefined, 'the old spelling is gone with the rename');
  assert.equal(reg.lookup(['PONG'])?.fullname, 'ping');
});
