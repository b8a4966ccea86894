// Parsing, validation and GET form of every config type, with Redis 7.0.15's error texts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lookupConfig, normalize } from '../../../src/config/store.js';
import type { SpecialContext } from '../../../src/config/types.js';

function norm(name: string, ...args: string[]): string {
  const v = normalize(lookupConfig(name)!, args);
  return typeof v === 'string' ? v : `ERR ${v.error}`;
}

function special(name: string, args: string[], ctx: Partial<SpecialContext> = {}): string {
  const e = lookupConfig(name)!;
  const v = normalize(e, args, { reading: false, saveLoaded: false, current: e.default, chdir: true, ...ctx });
  return typeof v === 'string' ? v : `ERR ${v.error}`;
}

test('bool', () => {
  assert.equal(norm('protected-mode', 'YES'), 'yes');
  assert.equal(norm('protected-mode', 'no'), 'no');
  assert.equal(norm('protected-mode', '1'), "ERR argument must be 'yes' or 'no'");
  assert.equal(norm('protected-mode', 'yes', 'no'), 'ERR wrong number of arguments');
  assert.match(norm('activedefrag', 'yes'), /^ERR Active defragmentation cannot be enabled/);
  assert.equal(norm('activedefrag', 'no'), 'no');
});

test('signed integers: strict parsing and bounds', () => {
  assert.equal(norm('hz', '100'), '100');
  assert.equal(norm('timeout', '007'), "ERR argument couldn't be parsed into an integer");
  assert.equal(norm('timeout', '+1'), "ERR argument couldn't be parsed into an integer");
  assert.equal(norm('timeout', ' 1'), "ERR argument couldn't be parsed into an integer");
  assert.equal(norm('timeout', '1k'), "ERR argument couldn't be parsed into an integer");
  assert.equal(norm('timeout', '-1'), 'ERR argument must be between 0 and 2147483647 inclusive');
  assert.equal(norm('port', '65536'), 'ERR argument must be between 0 and 65535 inclusive');
  assert.equal(norm('list-max-listpack-size', '-5'), '-5');
  assert.equal(norm('slowlog-log-slower-than', '-1'), '-1');
  assert.equal(
    norm('slowlog-log-slower-than', '-2'),
    'ERR argument must be between -1 and 9223372036854775807 inclusive',
  );
  assert.equal(norm('slowlog-max-len', '-1'), 'ERR argument must be between 0 and 9223372036854775807 inclusive');
});

test('hz is clamped to 1..500 like Redis', () => {
  assert.equal(norm('hz', '0'), '1');
  assert.equal(norm('hz', '1000'), '500');
});

test('unsigned integers compare bounds as unsigned', () => {
  assert.equal(norm('maxclients', '-1'), 'ERR argument must be between 1 and 4294967295 inclusive');
  assert.equal(norm('maxclients', '4294967295'), '4294967295');
  assert.equal(norm('maxclients', '0'), 'ERR argument must be between 1 and 4294967295 inclusive');
});

test('memory values', () => {
  assert.equal(norm('maxmemory', '1gb'), '1073741824');
  assert.equal(norm('maxmemory', ''), '0');
  assert.equal(norm('maxmemory', '99999999999999999999'), '18446744073709551615');
  assert.equal(norm('maxmemory', '-1'), 'ERR argument must be a memory value');
  assert.equal(
    norm('proto-max-bulk-len', '1000'),
    'ERR argument must be between 1048576 and 9223372036854775807 inclusive',
  );
  assert.equal(
    norm('proto-max-bulk-len', '18446744073709551615'),
    'ERR argument must be between 1048576 and 9223372036854775807 inclusive',
  );
  assert.equal(norm('hash-max-listpack-value', '1kb'), '1024');
});

test('memory or percent (maxmemory-clients)', () => {
  assert.equal(norm('maxmemory-clients', '10%'), '10%');
  assert.equal(norm('maxmemory-clients', '0%'), '0');
  assert.equal(norm('maxmemory-clients', '64mb'), '67108864');
  assert.equal(norm('maxmemory-clients', '200%'), 'ERR percentage argument must be less or equal to 100');
  assert.equal(norm('maxmemory-clients', '-5'), 'ERR argument must be a memory or percent value');
  assert.equal(norm('maxmemory-clients', '%'), 'ERR argument must be a memory or percent value');
});

test('octal (unixsocketperm)', () => {
  assert.equal(norm('unixsocketperm', '700'), '700');
  assert.equal(norm('unixsocketperm', '0700'), '700');
  assert.equal(norm('unixsocketperm', ''), '0');
  assert.equal(norm('unixsocketperm', '800'), "ERR argument couldn't be parsed as an octal number");
  assert.equal(norm('unixsocketperm', '1000'), 'ERR argument must be between 0 and 777 inclusive');
  assert.equal(norm('unixsocketperm', '-1'), 'ERR argument must be between 0 and 777 inclusive');
});

test('enums, case-insensitive, aliases of one value print the first name', () => {
  assert.equal(norm('loglevel', 'WARNING'), 'warning');
  assert.equal(
    norm('maxmemory-policy', 'lru'),
    'ERR argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction',
  );
  assert.equal(norm('oom-score-adj', 'relative'), 'yes');
  assert.equal(
    norm('loglevel', 'debug', 'notice'),
    'ERR argument(s) must be one of the following: debug, verbose, notice, warning',
  );
});

test('bit-flag enums (shutdown-on-sigint)', () => {
  assert.equal(special('shutdown-on-sigint', ['nosave', 'force', 'now']), 'nosave now force');
  assert.equal(special('shutdown-on-sigint', ['default']), 'default');
  assert.equal(special('shutdown-on-sigint', ['default', 'now']), 'now');
  assert.equal(
    special('shutdown-on-sigint', []),
    'ERR argument(s) must be one of the following: default, save, nosave, now, force',
  );
  assert.equal(
    special('shutdown-on-sigint', ['save', 'nosave']),
    "ERR shutdown options SAVE and NOSAVE can't be used simultaneously",
  );
});

test('strings with validation', () => {
  assert.equal(norm('dbfilename', 'a.rdb'), 'a.rdb');
  assert.equal(norm('dbfilename', 'x/a.rdb'), "ERR dbfilename can't be a path, just a filename");
  assert.equal(norm('appendfilename', ''), "ERR appendfilename can't be empty");
  assert.equal(norm('appenddirname', 'a\\b'), "ERR appenddirname can't be a path, just a dirname");
  assert.equal(
    norm('cluster-announce-hostname', 'a_b'),
    'ERR Hostnames may only contain alphanumeric characters, hyphens or dots',
  );
  assert.equal(norm('proc-title-template', '{title}'), 'ERR template format is invalid or contains unknown variables');
  assert.equal(norm('proc-title-template', '{nope}'), 'ERR template format is invalid or contains unknown variables');
  assert.equal(norm('proc-title-template', '--my--title {port} {{x}}'), '--my--title {port} {{x}}');
  assert.equal(norm('requirepass', 'a b'), 'a b');
});

test('save: pairs, empty, appending while reading', () => {
  assert.equal(special('save', ['900', '1', '300', '10']), '900 1 300 10');
  assert.equal(special('save', ['']), '');
  assert.equal(special('save', []), '');
  assert.equal(special('save', ['900']), 'ERR Invalid save parameters');
  assert.equal(special('save', ['0', '1']), 'ERR Invalid save parameters');
  assert.equal(special('save', ['1', '-1']), 'ERR Invalid save parameters');
  assert.equal(special('save', ['100', '']), '100 0', 'strtoll of "" is 0');
  assert.equal(special('save', ['100', '100'], { reading: true, saveLoaded: false, current: '900 1' }), '100 100');
  assert.equal(special('save', ['100', '100'], { reading: true, saveLoaded: true, current: '900 1' }), '900 1 100 100');
  assert.equal(special('save', [''], { reading: true, saveLoaded: true, current: '900 1' }), '');
});

test('client-output-buffer-limit: partial updates, classes, errors', () => {
  assert.equal(
    special('client-output-buffer-limit', ['replica', '1mb', '2mb', '30', 'NORMAL', '1', '2', '3']),
    'normal 1 2 3 slave 1048576 2097152 30 pubsub 33554432 8388608 60',
  );
  assert.equal(
    special('client-output-buffer-limit', ['pubsub', '1', '2']),
    'ERR Wrong number of arguments in buffer limit configuration.',
  );
  assert.equal(
    special('client-output-buffer-limit', ['master', '1', '2', '3']),
    'ERR Invalid client class specified in buffer limit configuration.',
  );
  assert.equal(
    special('client-output-buffer-limit', ['pubsub', '1', '2', '-3']),
    'ERR Error in hard, soft or soft_seconds setting in buffer limit configuration.',
  );
  assert.equal(
    special('client-output-buffer-limit', ['pubsub', 'x', '2', '3']),
    'ERR Error in hard, soft or soft_seconds setting in buffer limit configuration.',
  );
});

test('notify-keyspace-events prints the canonical form', () => {
  assert.equal(special('notify-keyspace-events', ['KEA']), 'AKE');
  assert.equal(special('notify-keyspace-events', ['Ex$g']), 'g$xE');
  assert.equal(special('notify-keyspace-events', ['mKn']), 'nKm');
  assert.equal(special('notify-keyspace-events', ['']), '');
  assert.equal(special('notify-keyspace-events', ['q']), "ERR Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
});

test('oom-score-adj-values, bind, replicaof, percentiles', () => {
  assert.equal(special('oom-score-adj-values', ['1', '2', '3']), '1 2 3');
  assert.equal(special('oom-score-adj-values', ['1', '2']), 'ERR wrong number of arguments');
  assert.equal(
    special('oom-score-adj-values', ['1', '2', '2001']),
    'ERR Invalid oom-score-adj-values, elements must be between -2000 and 2000.',
  );
  assert.equal(special('bind', ['127.0.0.1', '-::1']), '127.0.0.1 -::1');
  assert.equal(special('bind', ['']), '');
  assert.equal(special('bind', Array(17).fill('1.1.1.1')), 'ERR Too many bind addresses specified.');
  assert.equal(special('replicaof', ['no', 'one']), '');
  assert.equal(special('replicaof', ['h', '6380']), 'h 6380');
  assert.equal(special('replicaof', ['h', 'abc']), 'ERR Invalid master port');
  assert.equal(special('replicaof', ['h']), 'ERR wrong number of arguments');
  assert.equal(special('latency-tracking-info-percentiles', ['50', '99.99', '100']), '50 99.99 100');
  assert.equal(special('latency-tracking-info-percentiles', ['']), '');
  assert.equal(
    special('latency-tracking-info-percentiles', ['x']),
    'ERR Invalid latency-tracking-info-percentiles parameters',
  );
  assert.equal(
    special('latency-tracking-info-percentiles', ['101']),
    'ERR latency-tracking-info-percentiles parameters should sit between [0.0,100.0]',
  );
});
