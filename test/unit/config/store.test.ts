// ConfigStore: typed accessors, start-up settings and atomic CONFIG SET with apply hooks.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigStore, allConfigNames, allConfigs, lookupConfig, lookupConfigName } from '../../../src/config/store.js';
import { notImplementedConfigs } from '../../../src/config/entries.js';

const startDir = process.cwd();
const tmp = realpathSync(mkdtempSync(path.join(tmpdir(), 'redoubt-store-')));
after(() => {
  process.chdir(startDir);
  rmSync(tmp, { recursive: true, force: true });
});

const e = (name: string) => lookupConfig(name)!;

test('the registry: every Redis 7.0.15 name, aliases, flags', () => {
  const visible = allConfigNames().filter(([, c]) => !c.hidden);
  assert.equal(visible.length, 192, 'CONFIG GET * of redis-server 7.0.15 lists 192 names');
  assert.equal(
    allConfigNames().length,
    207,
    'and 5 hidden ones, plus 3 hidden Redoubt TLS configs, 3 hidden AUTH throttle configs and 4 hidden audit configs',
  );
  assert.equal(allConfigs().length, 188, '188 configs and 19 aliases make 207 names');
  assert.equal(lookupConfig('SLAVEOF'), lookupConfig('replicaof'));
  assert.deepEqual(lookupConfigName('Slave-Priority'), { entry: e('replica-priority'), name: 'slave-priority' });
  assert.ok(e('daemonize').immutable);
  assert.ok(e('dir').protected && e('dbfilename').protected);
  assert.ok(e('requirepass').sensitive && e('masterauth').sensitive && e('masteruser').sensitive);
  assert.ok(e('key-load-delay').hidden);
  const ni = notImplementedConfigs();
  assert.ok(!ni.includes('appendonly') && ni.includes('cluster-enabled') && !ni.includes('tls-port'));
  assert.ok(!ni.includes('port') && !ni.includes('requirepass') && !ni.includes('lazyfree-lazy-user-flush'));
});

test('typed accessors', () => {
  const s = new ConfigStore();
  assert.equal(s.int('maxclients'), 10000);
  assert.equal(s.bool('protected-mode'), true);
  assert.equal(s.str('bind'), '* -::*');
  assert.equal(s.str('save'), '3600 1 300 100 60 10000');
  assert.equal(s.raw('dir'), process.cwd());
  assert.equal(s.setInitial('unixsocketperm', ['700']), null);
  assert.equal(s.int('unixsocketperm'), 0o700);
  assert.equal(s.setInitial('maxmemory-clients', ['10%']), null);
  assert.equal(s.int('maxmemory-clients'), -10);
  assert.throws(() => s.raw('nope'));
});

test('setInitial: config-file rules and messages', () => {
  const s = new ConfigStore();
  assert.equal(s.setInitial('nope', ['1']), 'Bad directive or wrong number of arguments');
  assert.equal(s.setInitial('port', ['1', '2']), 'wrong number of arguments');
  assert.equal(s.setInitial('save', ['900 1']), null);
  assert.equal(s.setInitial('save', ['300', '10']), null);
  assert.equal(s.str('save'), '900 1 300 10');
  assert.ok(s.explicit.has('save'));
});

test('setMany: validates everything first, nothing changes on a bad value', () => {
  const s = new ConfigStore();
  const err = s.setMany([
    [e('maxmemory'), '10000001'],
    [e('maxmemory-clients'), '200%'],
    [e('client-query-buffer-limit'), 'invalid'],
  ]);
  assert.equal(
    err,
    "CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100",
  );
  assert.equal(s.str('maxmemory'), '0');
  assert.equal(
    s.setMany([
      [e('maxmemory'), '1mb'],
      [e('save'), '3000 5'],
    ]),
    null,
  );
  assert.equal(s.str('maxmemory'), '1048576');
  assert.equal(s.str('save'), '3000 5');
});

test('setMany: hooks run for changed values once, and a failing hook rolls everything back', () => {
  const s = new ConfigStore();
  const calls: string[] = [];
  const shared = (v: string): null => (calls.push(`shared:${v}`), null);
  s.onApply('lfu-log-factor', shared);
  s.onApply('lfu-decay-time', shared);
  s.onApply('maxmemory', (v, old) => (calls.push(`maxmemory:${old}->${v}`), null));
  s.onApply(
    'port',
    (v) => (calls.push(`port:${v}`), v === '1' ? 'Unable to listen on this port. Check server logs.' : null),
  );

  assert.equal(
    s.setMany([
      [e('lfu-log-factor'), '5'],
      [e('lfu-decay-time'), '2'],
      [e('maxmemory'), '0'],
    ]),
    null,
  );
  assert.deepEqual(calls, ['shared:5'], 'one run for a shared hook; unchanged maxmemory runs nothing');

  calls.length = 0;
  const err = s.setMany([
    [e('maxmemory'), '5mb'],
    [e('port'), '1'],
    [e('hz'), '20'],
  ]);
  assert.equal(
    err,
    "CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.",
  );
  assert.equal(s.str('maxmemory'), '0');
  assert.equal(s.str('port'), '6379');
  assert.equal(s.str('hz'), '10');
  assert.deepEqual(
    calls,
    ['maxmemory:0->5242880', 'port:1', 'maxmemory:5242880->0', 'port:6379'],
    'collected hooks re-run with restored values',
  );
});

test('setMany: the name in errors is the one used (alias stays alias)', () => {
  const s = new ConfigStore();
  assert.equal(
    s.setMany([[e('replica-priority'), 'x', 'slave-priority']]),
    "CONFIG SET failed (possibly related to argument 'slave-priority') - argument couldn't be parsed into an integer",
  );
});

test('dir: chdir on set, restored on rollback, strerror on failure', () => {
  const s = new ConfigStore();
  const hookFail = (): string => 'boom';
  s.onApply('maxmemory', hookFail);
  try {
    assert.equal(s.setMany([[e('dir'), tmp]]), null);
    assert.equal(process.cwd(), tmp);
    assert.equal(s.str('dir'), tmp);
    assert.equal(
      s.setMany([[e('dir'), '/nonexistent-redoubt']]),
      "CONFIG SET failed (possibly related to argument 'dir') - No such file or directory",
    );
    assert.equal(
      s.setMany([
        [e('dir'), startDir],
        [e('maxmemory'), '1mb'],
      ]),
      "CONFIG SET failed (possibly related to argument 'maxmemory') - boom",
    );
    assert.equal(process.cwd(), tmp, 'the rollback changed directory back');
  } finally {
    process.chdir(startDir);
  }
});

test('dir without chdir (in-process servers): an absolute path, checked', () => {
  const s = new ConfigStore({ chdirOnDir: false });
  assert.equal(s.str('dir'), process.cwd());
  assert.equal(s.setMany([[e('dir'), tmp]]), null);
  assert.equal(process.cwd(), startDir);
  assert.equal(s.str('dir'), tmp);
  assert.equal(
    s.setMany([[e('dir'), 'sub-missing']]),
    "CONFIG SET failed (possibly related to argument 'dir') - No such file or directory",
  );
  assert.equal(s.str('dir'), tmp);
});

test('the hot-path accessors follow every change of value', () => {
  const s = new ConfigStore();
  assert.equal(s.bool('appendonly'), false);
  assert.equal(s.setMany([[e('appendonly'), 'yes']]), null);
  assert.equal(s.bool('appendonly'), true);
  assert.equal(s.bool('APPENDONLY'), true, 'any case still resolves');
  assert.equal(s.setMany([[e('maxmemory'), '1mb']]), null);
  assert.equal(s.int('maxmemory'), 1024 * 1024);
  assert.equal(s.int('MaxMemory'), 1024 * 1024);
});
