// rename-command from a config file: the command answers only to its new name, keeps its
// original name in COMMAND's descriptions and in every ACL rule and message, a "" target
// removes it, and CONFIG REWRITE keeps the lines. Compared byte for byte with redis-server
// 7.0.15 started from the same file wherever the reply does not depend on which commands exist.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hasRedis, type Proc } from '../support/server.js';
import { redisIn, redoubtIn } from '../support/fixed-port.js';
import { RawClient, decodeReply, type RespValue } from '../support/raw-client.js';

const PORTS = { lo: 27610, hi: 27629 };
const RENAMES = ['rename-command config cfg_x', 'rename-command flushall ""', 'rename-command get mYget'];
const noRedis = hasRedis() ? false : 'redis-server 7.0.15 not installed';

const work = mkdtempSync(path.join(os.tmpdir(), 'redoubt-rename-'));
let srv: Proc;
let ref: Proc | undefined;

function configFile(name: string): string {
  const file = path.join(work, name);
  writeFileSync(file, ['# renamed for the test', ...RENAMES, ''].join('\n'));
  return file;
}

before(async () => {
  srv = await redoubtIn({ ...PORTS, configFile: configFile('redoubt.conf'), args: ['--dir', work] });
  if (!noRedis) ref = await redisIn({ ...PORTS, configFile: configFile('redis.conf') });
});
after(async () => {
  await srv?.stop();
  await ref?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Runs commands on one connection (optionally as a user) and returns each reply's bytes. */
async function run(port: number, cmds: string[][], user?: string, resp3 = false): Promise<string[]> {
  const c = await RawClient.connect(port);
  try {
    // HELLO's reply names the server and the client id: sent, not returned.
    if (resp3) assert.match((await c.call('HELLO', '3')).toString(), /^%7/);
    if (user !== undefined) assert.equal((await c.call('AUTH', user, 'pw')).toString(), '+OK\r\n');
    const out: string[] = [];
    for (const argv of cmds) out.push((await c.call(...argv)).toString('latin1'));
    return out;
  } finally {
    c.close();
  }
}

const value = (reply: string): RespValue => decodeReply(Buffer.from(reply, 'latin1'))[0];

/** The same commands on both servers: same bytes. */
async function sameAsRedis(cmds: string[][], user?: string, resp3 = false): Promise<string[]> {
  const mine = await run(srv.port, cmds, user, resp3);
  const theirs = await run(ref!.port, cmds, user, resp3);
  for (let i = 0; i < cmds.length; i++) assert.equal(mine[i], theirs[i], cmds[i]!.join(' '));
  return mine;
}

test('calls: only the new name works, in any case; "" removes the command', { skip: noRedis }, async () => {
  const r = await sameAsRedis([
    ['SET', 'k', 'v'],
    ['mYget', 'k'],
    ['MYGET', 'k'],
    ['get', 'k'],
    ['flushall'],
    ['config', 'get', 'port'],
    ['cfg_x', 'get', 'maxmemory'],
    ['CFG_X', 'nosuch'],
    ['mYget'],
  ]);
  assert.equal(r[1], '$1\r\nv\r\n');
  assert.equal(r[3], "-ERR unknown command 'get', with args beginning with: 'k' \r\n");
  assert.equal(r[4], "-ERR unknown command 'flushall', with args beginning with: \r\n");
  // Errors about a renamed command name it by its original name.
  assert.equal(r[8], "-ERR wrong number of arguments for 'get' command\r\n");
});

test(
  'COMMAND INFO / GETKEYS / LIST / DOCS take the new name and show the original one',
  { skip: noRedis },
  async () => {
    const info = ['COMMAND', 'INFO', 'mYget', 'get', 'MYGET', 'flushall', 'config', 'cfg_x|get', 'config|get'];
    const cmds = [
      info,
      ['COMMAND', 'GETKEYS', 'mYget', 'a'],
      ['COMMAND', 'GETKEYS', 'get', 'a'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'MYGET', 'a'],
      ['COMMAND', 'GETKEYS', 'cfg_x', 'get', 'x'],
      ['COMMAND', 'GETKEYS', 'flushall'],
      ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'flush*'],
      ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'mY*'],
      ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'get'],
      ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'config|get'],
      ['CONFIG', 'GET', 'rename-command'],
      ['cfg_x', 'GET', 'rename-command'],
    ];
    const r = await sameAsRedis(cmds);
    // RESP3: a command without subcommands ends with an empty set, not an array.
    const [r3] = await sameAsRedis([['COMMAND', 'INFO', 'mYget', 'get', 'cfg_x|get']], undefined, true);
    assert.ok(r3!.endsWith('~0\r\n'), r3);
    const described = value(r[0]!) as RespValue[][];
    assert.deepEqual(
      described.map((d) => (d === null ? null : d[0])),
      ['get', null, 'get', null, null, 'config|get', null],
    );
    assert.equal(r[1], '*1\r\n$1\r\na\r\n');
    assert.equal(r[2], '-ERR Invalid command specified\r\n');
    assert.equal(r[4], '-ERR The command has no key arguments\r\n');
    assert.deepEqual(value(r[6]!), ['flushdb']);
    assert.deepEqual(value(r[8]!), ['get']);
    // Docs carry Redis's prose, which Redoubt leaves out: compare what is documented, by name.
    for (const port of [srv.port, ref!.port]) {
      const [docs] = await run(port, [['COMMAND', 'DOCS', 'get', 'flushall', 'cfg_x', 'mYget']]);
      assert.deepEqual(
        (value(docs!) as RespValue[]).filter((_, i) => i % 2 === 0),
        ['config', 'get'],
      );
    }
  },
);

test('COMMAND, COMMAND COUNT / LIST / DOCS: renamed under the original name, removed absent', async () => {
  const check = async (port: number): Promise<void> => {
    const [all, count, list, docs] = (
      await run(port, [['COMMAND'], ['COMMAND', 'COUNT'], ['COMMAND', 'LIST'], ['COMMAND', 'DOCS']])
    ).map(value);
    const names = (all as RespValue[][]).map((d) => d[0] as string);
    assert.ok(names.includes('get') && names.includes('config'));
    assert.ok(!names.includes('flushall') && !names.includes('mYget') && !names.includes('cfg_x'));
    assert.equal(count, names.length);
    const listed = list as string[];
    assert.ok(listed.includes('get') && listed.includes('config|get') && !listed.includes('flushall'));
    assert.ok(!listed.some((n) => /myget|cfg_x/i.test(n)));
    const documented = (docs as RespValue[]).filter((_, i) => i % 2 === 0);
    assert.deepEqual([...documented].sort(), [...names].sort());
  };
  await check(srv.port);
  if (ref !== undefined) await check(ref.port);
});

test('ACL rules name the original command and still bind the renamed one', { skip: noRedis }, async () => {
  const r = await sameAsRedis([
    ['ACL', 'SETUSER', 'bad', 'on', '>pw', '+mYget'],
    ['ACL', 'SETUSER', 'bad', 'on', '>pw', '+cfg_x'],
    // Removed commands are still known to ACL rules.
    ['ACL', 'SETUSER', 'reader', 'on', '>pw', '~*', '+get', '+config|get', '-flushall'],
    ['ACL', 'SETUSER', 'noget', 'on', '>pw', '~*', '+@all', '-get'],
    ['ACL', 'DRYRUN', 'reader', 'mYget', 'k'],
    ['ACL', 'DRYRUN', 'reader', 'get', 'k'],
    ['ACL', 'DRYRUN', 'noget', 'mYget', 'k'],
    ['ACL', 'DRYRUN', 'reader', 'cfg_x', 'set', 'maxmemory', '0'],
  ]);
  assert.equal(r[0], "-ERR Error in ACL SETUSER modifier '+mYget': Unknown command or category name in ACL\r\n");
  assert.equal(r[2], '+OK\r\n');
  assert.equal(r[4], '+OK\r\n');
  assert.equal(r[6], "$53\r\nThis user has no permissions to run the 'get' command\r\n");
  // ACL CAT and the rules ACL GETUSER describes name original commands (Redis walks a hash
  // table for both, its order changes from run to run: compared as sets).
  const words = async (port: number, argv: string[], pick: (v: RespValue) => string[]): Promise<string[]> =>
    pick(value((await run(port, [argv]))[0]!)).sort();
  const checks: [string[], (v: RespValue) => string[]][] = [
    [['ACL', 'CAT', 'string'], (v) => v as string[]],
    [['ACL', 'GETUSER', 'reader'], (v) => ((v as string[])[5] ?? '').split(' ')],
  ];
  for (const [argv, pick] of checks) {
    const mine = await words(srv.port, argv, pick);
    assert.ok(mine.includes('get') || mine.includes('+get'), mine.join(' '));
    assert.ok(!mine.some((w) => /myget|cfg_x/i.test(w)), mine.join(' '));
    assert.deepEqual(mine, await words(ref!.port, argv, pick));
  }
  const asReader = await sameAsRedis(
    [
      ['mYget', 'k'],
      ['cfg_x', 'get', 'maxmemory'],
      ['cfg_x', 'set', 'maxmemory', '0'],
    ],
    'reader',
  );
  assert.equal(asReader[2], "-NOPERM this user has no permissions to run the 'config|set' command\r\n");
  const asNoget = await sameAsRedis(
    [
      ['mYget', 'k'],
      ['SET', 'k', 'v'],
    ],
    'noget',
  );
  assert.equal(asNoget[0], "-NOPERM this user has no permissions to run the 'get' command\r\n");
  // The log entry names the original command (ages and client ids differ between servers).
  for (const port of [srv.port, ref!.port]) {
    const entry = (value((await run(port, [['ACL', 'LOG', '1']]))[0]!) as RespValue[][])[0]!;
    assert.equal(entry[entry.indexOf('object') + 1], 'get');
  }
  await sameAsRedis([
    ['ACL', 'LOG', 'RESET'],
    ['ACL', 'DELUSER', 'bad', 'reader', 'noget'],
  ]);
});

test('CONFIG REWRITE keeps the rename-command lines, and a restart from the file honours them', async () => {
  const rewrite = async (p: Proc, file: string): Promise<string[]> => {
    assert.deepEqual(
      await run(p.port, [
        ['cfg_x', 'REWRITE'],
        ['CONFIG', 'REWRITE'],
      ]),
      ['+OK\r\n', "-ERR unknown command 'CONFIG', with args beginning with: 'REWRITE' \r\n"],
    );
    return readFileSync(file, 'latin1')
      .split('\n')
      .filter((l) => l.startsWith('rename-command'));
  };
  const file = path.join(work, 'redoubt.conf');
  assert.deepEqual(await rewrite(srv, file), RENAMES);
  if (ref !== undefined) assert.deepEqual(await rewrite(ref, path.join(work, 'redis.conf')), RENAMES);
  const again = await redoubtIn({ ...PORTS, configFile: file });
  try {
    assert.deepEqual(
      await run(again.port, [
        ['mYget', 'nokey'],
        ['get', 'nokey'],
        ['COMMAND', 'INFO', 'flushall'],
      ]),
      ['$-1\r\n', "-ERR unknown command 'get', with args beginning with: 'nokey' \r\n", '*1\r\n$-1\r\n'],
    );
  } finally {
    await again.stop();
  }
});
