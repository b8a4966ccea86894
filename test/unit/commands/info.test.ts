import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from '../../../src/server/server.js';
import type { Client } from '../../../src/server/client.js';
import { processCommand } from '../../../src/commands/dispatch.js';
import { Sampler, addInfoProvider, bytesToHuman, genInfo, infoProviders } from '../../../src/commands/info.js';

function setup(): { server: Server; c: Client; run: (...argv: string[]) => string } {
  const server = new Server();
  const c = server.newClient('127.0.0.1:50000', '127.0.0.1:6379', -1);
  const run = (...argv: string[]): string => {
    processCommand(c, argv);
    return Buffer.concat(c.reply.take()).toString('latin1');
  };
  return { server, c, run };
}

/** Section titles of an INFO text, in order. */
const titles = (info: string): string[] => [...info.matchAll(/^# (\w+)\r$/gm)].map((m) => m[1]!);

/** field → value of an INFO text. */
function fields(info: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of info.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out.set(line.slice(0, i), line.slice(i + 1));
  }
  return out;
}

test('INFO with no argument: the default sections in Redis order, as a bulk string', () => {
  const { run } = setup();
  const reply = run('INFO');
  assert.match(reply, /^\$\d+\r\n# Server\r\nredis_version:7\.0\.15\r\n/);
  const text = reply.slice(reply.indexOf('\r\n') + 2, -2);
  assert.equal(Number(reply.slice(1, reply.indexOf('\r\n'))), text.length);
  assert.deepEqual(titles(text), [
    'Server',
    'Clients',
    'Memory',
    'Persistence',
    'Stats',
    'Replication',
    'CPU',
    'Modules',
    'Errorstats',
    'Cluster',
    'Keyspace',
  ]);
  // Sections are separated by one empty line and the text ends with a field line's CRLF.
  assert.ok(text.includes('io_threads_active:0\r\nredoubt_version:'));
  assert.ok(text.includes('\r\n\r\n# Clients\r\n'));
});

test('INFO all / everything add commandstats and latencystats; default does not', () => {
  const server = new Server();
  for (const arg of ['all', 'everything', 'ALL']) {
    const t = titles(genInfo(server, [arg]));
    assert.ok(t.includes('Commandstats') && t.includes('Latencystats'), arg);
    assert.equal(t.length, 13);
  }
  assert.ok(!titles(genInfo(server, ['default'])).includes('Commandstats'));
});

test('INFO sections are case-insensitive, deduplicated and printed in Redis order', () => {
  const server = new Server();
  assert.deepEqual(titles(genInfo(server, ['KEYSPACE', 'cpu', 'Cpu'])), ['CPU', 'Keyspace']);
  assert.deepEqual(titles(genInfo(server, ['cpu', 'all'])).length, 13);
  assert.deepEqual(titles(genInfo(server, ['cpu', 'default'])), [
    'Server',
    'Clients',
    'Memory',
    'Persistence',
    'Stats',
    'Replication',
    'CPU',
    'Modules',
    'Errorstats',
    'Cluster',
    'Keyspace',
  ]);
  assert.equal(genInfo(server, ['sentinel']), '');
  assert.deepEqual(titles(genInfo(server, ['module_list'])), ['Modules']);
});

test('INFO server and clients figures', () => {
  const { server, run } = setup();
  server.tcpPort = 6390;
  server.configFile = '/etc/redoubt.conf';
  const f = fields(genInfo(server, ['server', 'clients', 'replication', 'cpu']));
  assert.equal(f.get('tcp_port'), '6390');
  assert.equal(f.get('config_file'), '/etc/redoubt.conf');
  assert.equal(f.get('process_id'), String(process.pid));
  assert.match(f.get('run_id')!, /^[0-9a-f]{40}$/);
  assert.match(f.get('master_replid')!, /^[0-9a-f]{40}$/);
  assert.equal(f.get('role'), 'master');
  assert.equal(f.get('connected_slaves'), '0');
  assert.equal(f.get('connected_clients'), '1');
  assert.match(f.get('used_cpu_user')!, /^\d+\.\d{6}$/);
  assert.ok(f.has('redoubt_version'));
  run('PING');
  assert.equal(fields(genInfo(server, ['stats'])).get('total_commands_processed'), '1');
});

test('INFO memory reports the process figures', () => {
  const server = new Server();
  const f = fields(genInfo(server, ['memory']));
  const used = Number(f.get('used_memory'));
  assert.ok(used > 0 && Number.isInteger(used));
  assert.ok(Number(f.get('used_memory_peak')) >= used);
  assert.ok(Number(f.get('used_memory_rss')) > 0);
  assert.match(f.get('used_memory_human')!, /^\d+\.\d\d[KMG]$/);
  assert.equal(f.get('maxmemory'), '0');
});

test('INFO keyspace lines and errorstats in byte order', () => {
  const { server, run } = setup();
  server.dbs[0]!.set('a', 'string', '1');
  const db3 = server.dbs[3]!;
  db3.setExpire('x', db3.set('x', 'string', '1'), Date.now() + 100000);
  db3.set('y', 'string', '1');
  const ks = genInfo(server, ['keyspace']);
  assert.equal(ks, '# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\ndb3:keys=2,expires=1,avg_ttl=0\r\n');
  run('NOSUCHCMD');
  run('NOSUCHCMD');
  server.stats.countError('WRONGTYPE');
  const es = genInfo(server, ['errorstats']);
  assert.equal(es, '# Errorstats\r\nerrorstat_ERR:count=2\r\nerrorstat_WRONGTYPE:count=1\r\n');
  assert.equal(fields(genInfo(server, ['stats'])).get('total_error_replies'), '3');
});

test('INFO commandstats: calls, failures and rejections, subcommands by full name', () => {
  const { server, run } = setup();
  run('PING');
  run('PING');
  // Fails inside the command: a failed call.
  run('PING', 'a', 'b');
  // Refused by the arity check: a rejected call, not a call.
  run('CLIENT', 'ID', 'x');
  run('CLIENT', 'ID');
  const cs = genInfo(server, ['commandstats']);
  assert.match(cs, /^# Commandstats\r\n/);
  assert.match(cs, /\r\ncmdstat_ping:calls=3,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=1\r\n/);
  assert.match(
    cs,
    /\r\ncmdstat_client\|id:calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=1,failed_calls=0\r\n/,
  );
  assert.ok(!cs.includes('cmdstat_echo'), 'commands never called are not listed');
});

test('INFO providers replace a field in place or append it', () => {
  const server = new Server();
  addInfoProvider('persistence', () => ({ rdb_bgsave_in_progress: 1, x_extra_field: 'v' }));
  try {
    const text = genInfo(server, ['persistence']);
    assert.ok(text.includes('rdb_changes_since_last_save:0\r\nrdb_bgsave_in_progress:1\r\nrdb_last_save_time:'));
    assert.ok(text.endsWith('module_fork_last_cow_size:0\r\nx_extra_field:v\r\n'));
  } finally {
    infoProviders['persistence']!.pop();
  }
});

test('bytesToHuman follows Redis', () => {
  assert.equal(bytesToHuman(0), '0B');
  assert.equal(bytesToHuman(1023), '1023B');
  assert.equal(bytesToHuman(1024), '1.00K');
  assert.equal(bytesToHuman(941240), '919.18K');
  assert.equal(bytesToHuman(12406784), '11.83M');
  assert.equal(bytesToHuman(25276514304), '23.54G');
});

test('instantaneous metrics average the last 16 samples', () => {
  const s = new Sampler();
  s.sample(1000, 0);
  assert.equal(s.rate(), 0);
  // 100 ops in 100ms = 1000/s for one sample out of 16.
  s.sample(1100, 100);
  assert.equal(s.rate(), 1000 / 16);
  for (let i = 2; i <= 16; i++) s.sample(1000 + i * 100, i * 100);
  assert.equal(s.rate(), 1000);
});
