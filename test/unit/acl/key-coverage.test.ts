// Every command of the table that takes keys is checked here for ACL key permissions, with
// arguments generated from the table itself (COMMAND DOCS arguments and key specs): a user
// limited to ~allowed:* may run it on allowed keys and is refused on any other key, at the
// right argument; with %R~ / %W~ patterns the read/write distinction of the key specs holds.
// A new command with keys is covered automatically; one the generator cannot cover fails here
// until it gets an explicit argument list below.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from '../../../src/server/server.js';
import { ConfigStore } from '../../../src/config/store.js';
import { aclOf } from '../../../src/acl/provider.js';
import { COMMAND_TABLE } from '../../../src/commands/table.generated.js';
import type { ArgSpec, CommandSpec } from '../../../src/commands/spec.js';
import type { Command } from '../../../src/commands/registry.js';

const server = new Server(new ConfigStore({ chdirOnDir: false }));
const acl = aclOf(server);
for (const [name, rules] of [
  ['all', ['on', 'nopass', '+@all', '~allowed:*']],
  ['ro', ['on', 'nopass', '+@all', '%R~allowed:*']],
  ['wo', ['on', 'nopass', '+@all', '%W~allowed:*']],
] as const) {
  assert.equal(acl.setUser(name, rules), null);
}
const user = (n: string) => acl.users.get(n)!;
const upper = (flags: readonly string[]): string[] => flags.map((f) => f.toUpperCase());

/** Whether an argument (or anything inside it) is a key. */
function hasKey(a: ArgSpec): boolean {
  return a.type === 'key' || (a.arguments ?? []).some(hasKey);
}

/** Arguments for a command: every key argument (optional ones too), simple values elsewhere. */
function generate(args: readonly ArgSpec[] | undefined, out: string[], keys: number[]): void {
  for (const a of args ?? []) {
    const optional = a.flags?.includes('optional') ?? false;
    if (optional && !hasKey(a)) continue;
    if (a.token !== undefined) out.push(a.token);
    switch (a.type) {
      case 'key':
        keys.push(out.length);
        out.push(`allowed:${out.length}`);
        break;
      case 'pure-token':
        break;
      case 'oneof': {
        const pick = (a.arguments ?? []).find(hasKey) ?? a.arguments?.[0];
        if (pick !== undefined) generate([{ ...pick, flags: [] }], out, keys);
        break;
      }
      case 'block':
        generate(a.arguments, out, keys);
        break;
      case 'integer':
      case 'double':
      case 'unix-time':
        out.push('1');
        break;
      default:
        out.push('x');
    }
  }
}

/** Commands whose arguments the generic generator cannot build (one key form at a time). */
const EXPLICIT: Record<string, string[][]> = {
  migrate: [
    ['migrate', 'h', '1', 'allowed:3', '0', '1'],
    ['migrate', 'h', '1', '', '0', '1', 'KEYS', 'allowed:7', 'allowed:8'],
  ],
};

interface Case {
  name: string;
  cmd: Command;
  argv: string[];
  keys: number[];
}

function cases(): Case[] {
  const out: Case[] = [];
  const visit = (spec: CommandSpec, parent: CommandSpec | null): void => {
    const full = parent === null ? spec.name : `${parent.name}|${spec.name}`;
    const realKeys = spec.keySpecs.some((k) => !upper(k.flags).includes('NOT_KEY'));
    if (realKeys) {
      const prefix = parent === null ? [spec.name] : [parent.name, spec.name];
      const lists = EXPLICIT[full] ?? [null];
      for (const explicit of lists) {
        const argv = explicit ?? [...prefix];
        const keys: number[] = [];
        if (explicit === null) generate(spec.docs.arguments, argv, keys);
        else argv.forEach((a, i) => a.startsWith('allowed:') && keys.push(i));
        const cmd = acl.dryrunCommand(argv);
        assert.ok(cmd !== undefined, `no command for ${full}`);
        out.push({ name: full, cmd, argv, keys });
      }
    }
    for (const s of spec.subcommands ?? []) visit(s, spec);
  };
  for (const spec of COMMAND_TABLE) visit(spec, null);
  return out;
}

const ALL = cases();

test('the generator covers every command of the table that has keys', () => {
  assert.ok(ALL.length > 150, `only ${ALL.length} cases`);
  for (const c of ALL) assert.ok(c.keys.length > 0, `${c.name}: no key argument generated`);
});

test('a user with ~allowed:* runs every command on allowed keys and is refused on any other key', () => {
  const failures: string[] = [];
  for (const c of ALL) {
    const v = acl.evaluate(user('all'), c.cmd, c.argv);
    if (!v.ok) {
      failures.push(`${c.name} ${JSON.stringify(c.argv)}: refused on allowed keys (${v.reason})`);
      continue;
    }
    for (const k of c.keys) {
      const argv = [...c.argv];
      argv[k] = `denied:${k}`;
      const d = acl.evaluate(user('all'), c.cmd, argv);
      if (d.ok || d.reason !== 'key' || d.argIndex !== k) {
        failures.push(`${c.name} ${JSON.stringify(argv)}: key at ${k} not checked (${JSON.stringify(d)})`);
      }
    }
  }
  assert.deepEqual(failures, []);
});

/** What a key spec demands: read for ACCESS, write for INSERT/DELETE/UPDATE. */
function needs(c: Case): { read: boolean; write: boolean } | null {
  let read = false;
  let write = false;
  for (const ks of c.cmd.spec.keySpecs) {
    if (upper(ks.flags).includes('VARIABLE_FLAGS')) return null;
  }
  const argSpecs: number[] = [];
  const collect = (args: readonly ArgSpec[] | undefined): void => {
    for (const a of args ?? []) {
      if (a.type === 'key' && a.key_spec_index !== undefined) argSpecs.push(a.key_spec_index);
      collect(a.arguments);
    }
  };
  collect(c.cmd.spec.docs.arguments);
  for (const i of new Set(argSpecs)) {
    const f = upper(c.cmd.spec.keySpecs[i]!.flags);
    if (f.includes('ACCESS')) read = true;
    if (f.includes('INSERT') || f.includes('DELETE') || f.includes('UPDATE')) write = true;
  }
  return { read, write };
}

test('read-only and write-only key patterns follow the read/write flags of the key specs', () => {
  const failures: string[] = [];
  for (const c of ALL) {
    const n = needs(c);
    if (n === null || EXPLICIT[c.name] !== undefined) continue;
    const ro = acl.evaluate(user('ro'), c.cmd, c.argv).ok;
    const wo = acl.evaluate(user('wo'), c.cmd, c.argv).ok;
    if (ro !== !n.write)
      failures.push(`${c.name}: %R~ user ${ro ? 'allowed' : 'refused'} (needs ${JSON.stringify(n)})`);
    if (wo !== !n.read) failures.push(`${c.name}: %W~ user ${wo ? 'allowed' : 'refused'} (needs ${JSON.stringify(n)})`);
  }
  assert.deepEqual(failures, []);
});

test('past bypass shapes: SORT STORE, SORT_RO, GEORADIUS STORE, COPY DB, MIGRATE, XREAD STREAMS, EVAL keys', () => {
  const ro = user('ro');
  const check = (argv: string[], ok: boolean, at?: number): void => {
    const cmd = acl.dryrunCommand(argv)!;
    const v = acl.evaluate(ro, cmd, argv);
    assert.equal(v.ok, ok, JSON.stringify(argv));
    if (!v.ok && at !== undefined) assert.equal(v.argIndex, at, JSON.stringify(argv));
  };
  check(['sort', 'allowed:a'], true);
  check(['sort', 'allowed:a', 'STORE', 'allowed:b'], false, 3);
  check(['sort', 'allowed:a', 'LIMIT', '0', '1', 'STORE', 'other'], false, 6);
  check(['sort_ro', 'allowed:a', 'BY', 'nosort'], true);
  check(['sort_ro', 'other'], false, 1);
  check(['georadius', 'allowed:g', '0', '0', '1', 'm'], true);
  check(['georadius', 'allowed:g', '0', '0', '1', 'm', 'STORE', 'allowed:d'], false, 7);
  check(['georadius', 'allowed:g', '0', '0', '1', 'm', 'STOREDIST', 'allowed:d'], false, 7);
  check(['georadius_ro', 'allowed:g', '0', '0', '1', 'm'], true);
  check(['copy', 'allowed:a', 'allowed:b', 'DB', '1'], false, 2);
  check(['migrate', 'h', '1', 'allowed:a', '0', '1'], false, 3);
  check(['migrate', 'h', '1', '', '0', '1', 'KEYS', 'allowed:a', 'other'], false, 7);
  check(['xread', 'STREAMS', 'allowed:s', '0'], true);
  check(['xread', 'COUNT', '1', 'STREAMS', 'allowed:s', 'other', '0', '0'], false, 5);
  // Redis 7.0.15's key spec marks XREADGROUP's streams RO ACCESS, so a read pattern suffices.
  check(['xreadgroup', 'GROUP', 'g', 'c', 'STREAMS', 'allowed:s', '>'], true);
  check(['xreadgroup', 'GROUP', 'g', 'c', 'STREAMS', 'allowed:s', 'other', '>', '>'], false, 6);
  check(['eval', 'return 1', '2', 'allowed:a', 'other'], false, 3);
  check(['eval_ro', 'return 1', '1', 'allowed:a'], true);
  check(['fcall', 'f', '1', 'allowed:a'], false, 3);
});
