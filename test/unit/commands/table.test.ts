// The generated command table: sound on its own, and equal to a live redis-server 7.0.15.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { COMMAND_TABLE } from '../../../src/commands/table.generated.js';
import { ACL_CATEGORIES, allCategories } from '../../../src/commands/categories.js';
import type { CommandSpec } from '../../../src/commands/spec.js';
import { hasRedis, startRedis, type Proc } from '../../support/server.js';
import { RawClient, decodeReply, type RespValue } from '../../support/raw-client.js';

test('table is well formed', () => {
  assert.ok(COMMAND_TABLE.length >= 230, `only ${COMMAND_TABLE.length} commands`);
  const names = new Set<string>();
  for (const c of COMMAND_TABLE) {
    assert.ok(!names.has(c.name), `duplicate ${c.name}`);
    names.add(c.name);
    for (const s of [c, ...(c.subcommands ?? [])]) {
      assert.notEqual(s.arity, 0, s.name);
      for (const cat of s.categories) assert.ok(ACL_CATEGORIES.includes(cat), `${s.name}: ${cat}`);
    }
    const subs = new Set((c.subcommands ?? []).map((s) => s.name));
    assert.equal(subs.size, (c.subcommands ?? []).length, `${c.name} has duplicate subcommands`);
  }
});

test('implied categories are not stored twice', () => {
  for (const c of COMMAND_TABLE) {
    if (c.flags.includes('write')) assert.ok(!c.categories.includes('write'), c.name);
    if (c.flags.includes('fast')) assert.ok(!c.categories.includes('fast'), c.name);
  }
});

function keySpecOf(s: CommandSpec['keySpecs'][number]): RespValue {
  const bs =
    s.bs.type === 'index'
      ? ['type', 'index', 'spec', ['index', s.bs.index]]
      : s.bs.type === 'keyword'
        ? ['type', 'keyword', 'spec', ['keyword', s.bs.keyword, 'startfrom', s.bs.startfrom]]
        : ['type', 'unknown', 'spec', []];
  const fs =
    s.fs.type === 'range'
      ? ['type', 'range', 'spec', ['lastkey', s.fs.lastkey, 'keystep', s.fs.keystep, 'limit', s.fs.limit]]
      : s.fs.type === 'keynum'
        ? ['type', 'keynum', 'spec', ['keynumidx', s.fs.keynumidx, 'firstkey', s.fs.firstkey, 'keystep', s.fs.keystep]]
        : ['type', 'unknown', 'spec', []];
  return ['flags', [...s.flags], 'begin_search', bs, 'find_keys', fs];
}

function infoOf(s: CommandSpec, parent: string | null): RespValue {
  return [
    parent ? `${parent}|${s.name}` : s.name,
    s.arity,
    [...s.flags],
    s.firstKey,
    s.lastKey,
    s.step,
    allCategories(s).map((c) => '@' + c),
    [...s.tips],
    s.keySpecs.map((k) => keySpecOf(k)),
    (s.subcommands ?? []).map((x) => infoOf(x, s.name)),
  ];
}

const skip = hasRedis() ? false : 'redis-server 7.0.15 not installed (apt-get install redis-server)';
let ref: Proc | undefined;
before(async () => {
  if (!skip) ref = await startRedis();
});
after(async () => {
  await ref?.stop();
});

test('table equals a live redis-server COMMAND INFO', { skip }, async () => {
  const c = await RawClient.connect(ref!.port);
  const [live] = decodeReply(await c.call('COMMAND', 'INFO'));
  c.close();
  // Key-spec notes are prose, deliberately not kept in the table.
  const dropNotes = (e: RespValue[]): RespValue[] => {
    const specs = (e[8] as RespValue[][]).map((k) => (k[0] === 'notes' ? k.slice(2) : k));
    return [...e.slice(0, 8), specs, (e[9] as RespValue[][]).map(dropNotes)];
  };
  const byName = new Map((live as RespValue[][]).map((e) => [e[0] as string, dropNotes(e)]));
  assert.equal(byName.size, COMMAND_TABLE.length);
  for (const s of COMMAND_TABLE) {
    const l = byName.get(s.name)!;
    const mine = infoOf(s, null) as RespValue[];
    // Subcommand order in the live reply is hash order: compare as sets.
    const sortSubs = (x: RespValue[]): RespValue[] => [
      ...x.slice(0, 9),
      [...(x[9] as RespValue[][])].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ];
    assert.deepEqual(sortSubs(mine), sortSubs(l), s.name);
  }
});
