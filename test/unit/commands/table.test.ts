// The generated command table: sound on its own, and equal to a live redis-server 7.0.15's
// COMMAND INFO (arity, flags, legacy key positions, categories, tips, key specs).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { COMMAND_TABLE } from '../../../src/commands/table.generated.js';
import { ACL_CATEGORIES, allCategories, impliedCategories } from '../../../src/commands/categories.js';
import type { CommandSpec, KeySpec } from '../../../src/commands/spec.js';
import { RespClient } from '../../support/resp-client.js';
import { REDIS_SERVER, hasRedis, startRedis, type Proc } from '../../support/server.js';

/** Every command and subcommand with its full name ("config|get"). */
function everyEntry(): [string, CommandSpec][] {
  const out: [string, CommandSpec][] = [];
  for (const c of COMMAND_TABLE) {
    out.push([c.name, c]);
    for (const s of c.subcommands ?? []) out.push([`${c.name}|${s.name}`, s]);
  }
  return out;
}

describe('command table structure', () => {
  test('at least 230 top-level commands, sorted, no duplicates', () => {
    assert.ok(COMMAND_TABLE.length >= 230, `only ${COMMAND_TABLE.length} commands`);
    const names = COMMAND_TABLE.map((c) => c.name);
    assert.equal(new Set(names).size, names.length, 'duplicate command names');
    assert.deepEqual(names, [...names].sort(), 'not sorted by name');
  });

  test('every entry is well formed', () => {
    for (const [full, s] of everyEntry()) {
      assert.ok(typeof s.name === 'string' && s.name.length > 0, `${full}: no name`);
      assert.equal(s.name, s.name.toLowerCase(), `${full}: name not lower case`);
      assert.ok(!s.name.includes('|'), `${full}: name contains '|'`);
      assert.ok(Number.isInteger(s.arity) && s.arity !== 0, `${full}: arity ${s.arity}`);
      for (const f of s.flags) assert.equal(f, f.toLowerCase(), `${full}: flag ${f}`);
      for (const c of s.categories) assert.ok(ACL_CATEGORIES.includes(c), `${full}: unknown category ${c}`);
      assert.ok(typeof s.docs.group === 'string' && s.docs.group.length > 0, `${full}: no docs.group`);
    }
  });

  test('subcommand names are unique within their parent, and only one level deep', () => {
    for (const c of COMMAND_TABLE) {
      const subs = (c.subcommands ?? []).map((s) => s.name);
      assert.equal(new Set(subs).size, subs.length, `${c.name} has duplicate subcommands`);
      assert.deepEqual(subs, [...subs].sort(), `${c.name}: subcommands not sorted`);
      for (const s of c.subcommands ?? []) assert.equal(s.subcommands, undefined, `${c.name}|${s.name} nests`);
    }
  });

  test('categories implied by flags are not stored', () => {
    for (const [full, s] of everyEntry()) {
      for (const c of impliedCategories(s.flags, s.categories)) {
        assert.ok(!s.categories.includes(c), `${full}: stores implied @${c}`);
      }
    }
  });

  test('allCategories follows the ACL_CATEGORIES order', () => {
    assert.equal(ACL_CATEGORIES.length, 21);
    for (const [full, s] of everyEntry()) {
      const cats = allCategories(s);
      const idx = cats.map((c) => ACL_CATEGORIES.indexOf(c));
      assert.ok(
        idx.every((v, i) => v >= 0 && (i === 0 || v > idx[i - 1])),
        full,
      );
      assert.notEqual(cats.includes('fast'), cats.includes('slow'), `${full}: exactly one of @fast/@slow`);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The live reference.

/** A RESP2 flattened map as a Map. */
function pairs(v: unknown): Map<unknown, unknown> {
  assert.ok(Array.isArray(v) && v.length % 2 === 0, 'expected a flat map');
  const m = new Map<unknown, unknown>();
  for (let i = 0; i < v.length; i += 2) m.set(v[i], v[i + 1]);
  return m;
}

/** A live COMMAND INFO key spec in the table's KeySpec shape ('notes' is prose, not kept). */
function liveKeySpec(raw: unknown): KeySpec {
  const o = pairs(raw);
  const bs = pairs(o.get('begin_search'));
  const bsSpec = pairs(bs.get('spec'));
  const fk = pairs(o.get('find_keys'));
  const fkSpec = pairs(fk.get('spec'));
  const known = new Set(['notes', 'flags', 'begin_search', 'find_keys']);
  for (const k of o.keys()) assert.ok(typeof k === 'string' && known.has(k), `unexpected key spec field ${String(k)}`);
  return {
    flags: o.get('flags') as string[],
    bs:
      bs.get('type') === 'index'
        ? { type: 'index', index: bsSpec.get('index') as number }
        : bs.get('type') === 'keyword'
          ? { type: 'keyword', keyword: bsSpec.get('keyword') as string, startfrom: bsSpec.get('startfrom') as number }
          : { type: 'unknown' },
    fs:
      fk.get('type') === 'range'
        ? {
            type: 'range',
            lastkey: fkSpec.get('lastkey') as number,
            keystep: fkSpec.get('keystep') as number,
            limit: fkSpec.get('limit') as number,
          }
        : fk.get('type') === 'keynum'
          ? {
              type: 'keynum',
              keynumidx: fkSpec.get('keynumidx') as number,
              firstkey: fkSpec.get('firstkey') as number,
              keystep: fkSpec.get('keystep') as number,
            }
          : { type: 'unknown' },
  };
}

const skip = hasRedis() ? false : `${REDIS_SERVER} not found (apt-get install redis-server)`;
if (skip) console.log(`skipping the live COMMAND INFO comparison: ${skip}`);

describe('command table equals a live redis-server', { skip }, () => {
  let ref: Proc | null = null;
  let client: RespClient | null = null;

  before(async () => {
    ref = await startRedis();
    client = await RespClient.connect(ref.port);
  });

  after(async () => {
    client?.close();
    await ref?.stop();
  });

  test('ACL CAT lists ACL_CATEGORIES in order', async () => {
    assert.deepEqual(await client!.call('ACL', 'CAT'), [...ACL_CATEGORIES]);
  });

  test('COMMAND INFO: every command and subcommand', async () => {
    const live = (await client!.call('COMMAND', 'INFO')) as unknown[][];
    assert.ok(Array.isArray(live), 'COMMAND INFO did not return an array');
    const liveByName = new Map<string, unknown[]>();
    for (const e of live) {
      liveByName.set(e[0] as string, e);
      for (const s of e[9] as unknown[][]) liveByName.set(s[0] as string, s);
    }
    const mine = everyEntry();
    assert.deepEqual(
      mine.map(([n]) => n).sort(),
      [...liveByName.keys()].sort(),
      'the table and the server know different commands',
    );
    for (const [full, s] of mine) {
      const [, arity, flags, firstKey, lastKey, step, cats, tips, keySpecs, subs] = liveByName.get(full)!;
      assert.equal(s.arity, arity, `${full}: arity`);
      assert.deepEqual(s.flags, flags, `${full}: flags`);
      assert.deepEqual([s.firstKey, s.lastKey, s.step], [firstKey, lastKey, step], `${full}: first/last/step`);
      assert.deepEqual(
        allCategories(s).map((c) => '@' + c),
        cats,
        `${full}: categories`,
      );
      assert.deepEqual(s.tips, tips, `${full}: tips`);
      assert.deepEqual(s.keySpecs, (keySpecs as unknown[]).map(liveKeySpec), `${full}: key specs`);
      assert.equal(s.subcommands?.length ?? 0, (subs as unknown[]).length, `${full}: subcommand count`);
    }
  });
});
