import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { COMMAND_TABLE } from '../../../src/commands/table.generated.js';
import type { CommandSpec } from '../../../src/commands/spec.js';
import { Command } from '../../../src/commands/registry.js';
import { KEY } from '../../../src/commands/flags.js';
import { getKeysFromSpecs, type KeyRef } from '../../../src/commands/keys.js';
import { hasRedis, startRedis, type Proc } from '../../support/server.js';
import { RawClient } from '../../support/raw-client.js';

/** A Command built straight from the table (whether or not Redoubt implements it). */
function command(name: string): Command {
  const [base, sub] = name.split('|') as [string, string | undefined];
  const spec = COMMAND_TABLE.find((s: CommandSpec) => s.name === base);
  if (spec === undefined) throw new Error(`no spec for ${base}`);
  const parent = new Command(0, spec, null, null, null);
  if (sub === undefined) return parent;
  const subSpec = spec.subcommands?.find((s) => s.name === sub);
  if (subSpec === undefined) throw new Error(`no spec for ${name}`);
  return new Command(1, subSpec, parent, null, null);
}

function keysOf(argv: string[]): KeyRef[] {
  const sub = argv.length > 1 && COMMAND_TABLE.find((s) => s.name === argv[0]!.toLowerCase())?.subcommands;
  const name = sub ? `${argv[0]!.toLowerCase()}|${argv[1]!.toLowerCase()}` : argv[0]!.toLowerCase();
  return getKeysFromSpecs(command(name), argv);
}

function flagNames(bits: number): string[] {
  return Object.entries(KEY)
    .filter(([, b]) => (bits & b) !== 0)
    .map(([n]) => n)
    .sort();
}

const CASES: string[][] = [
  ['SET', 'k', 'v'],
  ['SET', 'k', 'v', 'EX', '10', 'GET'],
  ['GET', 'k'],
  ['MSET', 'a', '1', 'b', '2', 'c', '3'],
  ['MGET', 'a', 'b', 'c'],
  ['ZUNIONSTORE', 'dst', '2', 's1', 's2', 'WEIGHTS', '1', '2'],
  ['ZINTERSTORE', 'dst', '0', 's1'],
  ['ZUNION', '2', 'z1', 'z2', 'WITHSCORES'],
  ['EVAL', 'return 1', '2', 'k1', 'k2', 'a1'],
  ['EVAL', 'return 1', '0', 'a1'],
  ['EVALSHA_RO', 'abc', '1', 'k1'],
  ['FCALL', 'f', '1', 'k1', 'a1'],
  ['SORT', 'src', 'BY', 'w_*', 'GET', '#', 'STORE', 'dst', 'LIMIT', '0', '1'],
  ['SORT', 'src', 'STORE', 'd1', 'STORE', 'd2'],
  ['SORT', 'src', 'ALPHA'],
  ['SORT_RO', 'src', 'BY', 'w_*'],
  ['MIGRATE', 'host', '6379', '', '0', '5000', 'KEYS', 'k1', 'k2', 'k3'],
  ['MIGRATE', 'host', '6379', '', '0', '5000', 'AUTH2', 'u', 'p', 'KEYS', 'k1'],
  ['MIGRATE', 'host', '6379', 'key', '0', '5000', 'COPY', 'REPLACE'],
  ['XREAD', 'COUNT', '2', 'STREAMS', 's1', 's2', '0', '0'],
  ['XREAD', 'STREAMS', 's1', 's2', '0'],
  ['XREADGROUP', 'GROUP', 'g', 'c', 'NOACK', 'STREAMS', 's1', '>'],
  ['GEORADIUS', 'src', '0', '0', '10', 'km', 'STORE', 'dst'],
  ['GEORADIUSBYMEMBER', 'src', 'm', '10', 'km', 'STOREDIST', 'dst'],
  ['GEOSEARCHSTORE', 'dst', 'src', 'FROMMEMBER', 'm', 'BYRADIUS', '1', 'km'],
  ['LMPOP', '2', 'l1', 'l2', 'LEFT'],
  ['BLMPOP', '0', '2', 'l1', 'l2', 'LEFT', 'COUNT', '3'],
  ['BLMOVE', 'a', 'b', 'LEFT', 'RIGHT', '0'],
  ['BITFIELD', 'k', 'GET', 'u8', '0'],
  ['BITFIELD', 'k', 'GET', 'u8', '0', 'SET', 'u8', '0', '1'],
  ['BITFIELD_RO', 'k', 'GET', 'u8', '0'],
  ['SINTERCARD', '2', 'a', 'b', 'LIMIT', '1'],
  ['GETEX', 'k', 'PERSIST'],
  ['XADD', 's', '*', 'f', 'v'],
  ['OBJECT', 'ENCODING', 'k'],
  ['LCS', 'a', 'b'],
  ['RENAME', 'a', 'b'],
  ['COPY', 'a', 'b', 'DB', '1'],
  ['DEL', 'a', 'b', 'c'],
  ['BLPOP', 'a', 'b', '0'],
  ['MSETNX', 'a', '1', 'b', '2'],
  ['XINFO', 'STREAM', 's', 'FULL'],
];

test('spec walk: ranges, keynum, keywords, negative lastkey', () => {
  assert.deepEqual(
    keysOf(['MSET', 'a', '1', 'b', '2']).map((k) => k.index),
    [1, 3],
  );
  assert.deepEqual(
    keysOf(['BLPOP', 'a', 'b', '0']).map((k) => k.index),
    [1, 2],
  );
  assert.deepEqual(
    keysOf(['ZUNIONSTORE', 'd', '2', 'a', 'b']).map((k) => k.index),
    [1, 3, 4],
  );
  assert.deepEqual(
    keysOf(['XREAD', 'STREAMS', 'a', 'b', '0', '0']).map((k) => k.index),
    [2, 3],
  );
  const set = keysOf(['SET', 'k', 'v', 'GET']);
  assert.deepEqual(set, [{ index: 1, flags: KEY.RW | KEY.ACCESS | KEY.UPDATE }]);
  assert.deepEqual(
    keysOf(['SORT', 'a', 'STORE', 'b']).map((k) => [k.index, flagNames(k.flags)]),
    [
      [1, ['ACCESS', 'RO']],
      [3, ['OW', 'UPDATE']],
    ],
  );
  // Invalid numkeys: no keys at all (the command itself will reply with an error).
  assert.deepEqual(keysOf(['ZINTERSTORE', 'd', '0', 'a']), []);
  assert.deepEqual(keysOf(['EVAL', 's', 'x']), []);
  assert.deepEqual(keysOf(['PING']), []);
});

let redis: Proc | null = null;
let cli: RawClient | null = null;

before(async () => {
  if (!hasRedis()) return;
  redis = await startRedis();
  cli = await RawClient.connect(redis.port);
});

after(async () => {
  cli?.close();
  await redis?.stop();
});

type Resp = string | number | null | Resp[] | { error: string };

function parse(buf: Buffer, pos = 0): [Resp, number] {
  const nl = buf.indexOf('\r\n', pos);
  const line = buf.toString('latin1', pos + 1, nl);
  const t = String.fromCharCode(buf[pos]!);
  let p = nl + 2;
  if (t === '-') return [{ error: line }, p];
  if (t === ':') return [Number(line), p];
  if (t === '+') return [line, p];
  if (t === '$') {
    const n = Number(line);
    if (n < 0) return [null, p];
    return [buf.toString('latin1', p, p + n), p + n + 2];
  }
  const n = Number(line);
  const out: Resp[] = [];
  for (let i = 0; i < n; i++) {
    const [v, q] = parse(buf, p);
    out.push(v);
    p = q;
  }
  return [out, p];
}

test('matches redis-server COMMAND GETKEYSANDFLAGS', async (t) => {
  if (cli === null) {
    t.skip('redis-server is not installed: differential check skipped');
    return;
  }
  for (const argv of CASES) {
    const [reply] = parse(await cli.call('COMMAND', 'GETKEYSANDFLAGS', ...argv));
    const mine = keysOf(argv).map((k) => [argv[k.index]!, flagNames(k.flags)]);
    if (!Array.isArray(reply)) {
      // Redis answers an error when it finds no keys.
      assert.deepEqual(mine, [], `${argv.join(' ')}: redis said ${JSON.stringify(reply)}`);
      continue;
    }
    const theirs = reply.map((r) => {
      const [name, flags] = r as [string, string[]];
      return [name, flags.map((f) => f.toUpperCase()).sort()];
    });
    assert.deepEqual(mine, theirs, argv.join(' '));
  }
});
