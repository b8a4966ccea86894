// CONFIG GET/SET/RESETSTAT/REWRITE and the config file / argv against the built server, with
// differential checks against a real redis-server 7.0.15 (skipped, with the reason printed,
// when it is not installed).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { REDIS_SERVER, SERVER_JS, hasRedis, startRedis, startRedoubt, type Proc } from '../support/server.js';
import { RawClient } from '../support/raw-client.js';

const NO_REDIS = 'redis-server 7.0.15 not installed (apt-get install redis-server)';
const tmp = realpathSync(mkdtempSync(path.join(tmpdir(), 'redoubt-config-e2e-')));
after(() => rmSync(tmp, { recursive: true, force: true }));

function client(p: Proc): Redis {
  return new Redis({
    port: p.port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
}

/** CONFIG GET * as a name -> value map. */
async function configMap(r: Redis, pattern = '*'): Promise<Map<string, string>> {
  const flat = (await r.config('GET', pattern)) as string[];
  const m = new Map<string, string>();
  for (let i = 0; i < flat.length; i += 2) m.set(flat[i]!, flat[i + 1]!);
  return m;
}

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}

test('CONFIG GET/SET with a real client', async () => {
  const srv = await startRedoubt();
  const r = client(srv);
  try {
    await r.connect();
    assert.deepEqual(await r.config('GET', 'maxmemory'), ['maxmemory', '0']);
    assert.equal(await r.config('SET', 'maxmemory', '10mb', 'hz', '20'), 'OK');
    assert.deepEqual(await configMap(r, 'maxmemory'), new Map([['maxmemory', '10485760']]));
    const m = await configMap(r, 'maxmem*');
    assert.deepEqual([...m.keys()].sort(), [
      'maxmemory',
      'maxmemory-clients',
      'maxmemory-eviction-tenacity',
      'maxmemory-policy',
      'maxmemory-samples',
    ]);
    const aliases = await configMap(r, '*slaveof*');
    assert.deepEqual([...aliases.keys()], ['slaveof']);
    assert.deepEqual(await r.call('CONFIG', 'GET', 'MAXMEMORY', 'maxmemory'), ['MAXMEMORY', '10485760']);
    assert.equal((await configMap(r)).has('key-load-delay'), false, 'hidden configs need their exact name');
    assert.deepEqual(await r.config('GET', 'key-load-delay'), ['key-load-delay', '0']);
    assert.equal(
      await rejection(r.config('SET', 'nosuch', '1')),
      "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'",
    );
    assert.equal(
      await rejection(r.config('SET', 'daemonize', 'yes')),
      "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config",
    );
    assert.equal(
      await rejection(r.config('SET', 'dir', '/tmp')),
      "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config",
    );
    assert.equal(
      await rejection(r.call('CONFIG', 'SET', 'hz', '1', 'HZ', '2')),
      "ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter",
    );
    assert.equal(await rejection(r.call('CONFIG', 'SET', 'hz', '1', 'timeout')), 'ERR syntax error');
    assert.equal(
      await rejection(r.call('CONFIG', 'SET', 'maxmemory', '1', 'maxmemory-clients', '200%')),
      "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100",
    );
    assert.deepEqual(
      await r.config('GET', 'maxmemory'),
      ['maxmemory', '10485760'],
      'a failed CONFIG SET changes nothing',
    );
    assert.equal(await rejection(r.config('REWRITE')), 'ERR The server is running without a config file');
    const help = (await r.call('CONFIG', 'HELP')) as string[];
    assert.equal(help[0], 'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    assert.equal(help.length, 11);
  } finally {
    r.disconnect();
    await srv.stop();
  }
});

test('runtime changes reach the server (requirepass, proto-max-bulk-len)', async () => {
  const srv = await startRedoubt();
  const a = await RawClient.connect(srv.port);
  try {
    assert.equal((await a.call('CONFIG', 'SET', 'requirepass', 'pw')).toString(), '+OK\r\n');
    // As in Redis: a connection opened while no password was needed stays authenticated...
    assert.equal((await a.call('GET', 'k')).toString(), '$-1\r\n');
    // ...until RESET, which returns it to the state of a new connection.
    assert.equal((await a.call('RESET')).toString(), '+RESET\r\n');
    assert.match((await a.call('GET', 'k')).toString(), /^-NOAUTH/);
    const b = await RawClient.connect(srv.port);
    assert.match((await b.call('GET', 'k')).toString(), /^-NOAUTH/);
    assert.equal((await b.call('AUTH', 'pw')).toString(), '+OK\r\n');
    assert.equal((await b.call('CONFIG', 'SET', 'requirepass', '', 'proto-max-bulk-len', '1mb')).toString(), '+OK\r\n');
    assert.equal(
      (await b.call('CONFIG', 'GET', 'proto-max-bulk-len')).toString(),
      '*2\r\n$18\r\nproto-max-bulk-len\r\n$7\r\n1048576\r\n',
    );
    b.close();
  } finally {
    a.close();
    await srv.stop();
  }
});

test('CONFIG SET dir with enable-protected-configs: changes directory, GET shows the absolute path', async () => {
  const srv = await startRedoubt(['--enable-protected-configs', 'local']);
  const r = client(srv);
  try {
    await r.connect();
    assert.equal(await r.config('SET', 'dir', tmp), 'OK');
    assert.deepEqual(await r.config('GET', 'dir'), ['dir', tmp]);
    assert.equal(await r.config('SET', 'dir', '.'), 'OK');
    assert.deepEqual(await r.config('GET', 'dir'), ['dir', tmp]);
    assert.equal(
      await rejection(r.config('SET', 'dir', 'nonexistent-sub')),
      "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory",
    );
  } finally {
    r.disconnect();
    await srv.stop();
  }
});

test('CONFIG REWRITE keeps the file structure and a restart reads it back', async () => {
  const file = path.join(tmp, 'rewrite.conf');
  writeFileSync(file, '# my settings\nsave 900 1\nsave 300 10\nmaxmemory 1gb\nrename-command flushdb badger\n');
  let srv = await startRedoubt([], file);
  let r = client(srv);
  try {
    await r.connect();
    assert.equal(await r.config('SET', 'maxmemory', '2mb', 'save', '60 5', 'maxmemory-policy', 'allkeys-lru'), 'OK');
    assert.equal(await r.config('REWRITE'), 'OK');
    const lines = readFileSync(file, 'latin1').split('\n');
    assert.deepEqual(lines.slice(0, 6), [
      '# my settings',
      'save 60 5',
      '',
      'maxmemory 2mb',
      'rename-command flushdb badger',
      '',
    ]);
    assert.ok(lines.includes('# Generated by CONFIG REWRITE'));
    assert.ok(lines.includes('maxmemory-policy allkeys-lru'));
    assert.ok(lines.includes(`port ${srv.port}`));
  } finally {
    r.disconnect();
    await srv.stop();
  }
  srv = await startRedoubt([], file);
  r = client(srv);
  try {
    await r.connect();
    assert.deepEqual(await r.config('GET', 'maxmemory'), ['maxmemory', '2097152']);
    assert.deepEqual(await r.config('GET', 'save'), ['save', '60 5']);
    assert.deepEqual(await r.config('GET', 'maxmemory-policy'), ['maxmemory-policy', 'allkeys-lru']);
    // The rename survived the rewrite and is in force after the restart.
    await r.set('k', 'v');
    await assert.rejects(r.call('FLUSHDB'), /unknown command 'FLUSHDB'/);
    assert.equal(await r.call('BADGER'), 'OK');
    assert.equal(await r.dbsize(), 0);
  } finally {
    r.disconnect();
    await srv.stop();
  }
});

/** Runs a server binary that must fail at start-up; returns its exit code and output. */
function startFailure(
  cmd: string,
  args: string[],
  cwd: string,
): { status: number | null; stderr: string; stdout: string } {
  const res = spawnSync(cmd, args, { cwd, encoding: 'latin1', timeout: 10000 });
  return { status: res.status, stderr: res.stderr, stdout: res.stdout };
}

const BAD_STARTS: string[][] = [
  ['--port'],
  ['--port', '6379', '6380'],
  ['--port', '--bla', '--loglevel', 'verbose'],
  ['--logfile', '--my--log--file', '--loglevel', '--bla'],
  ['--shutdown-on-sigint'],
  ['--replicaof', '127.0.0.1', 'abc'],
  ['--replicaof', '--127.0.0.1', '--abc'],
  ['--save', '1'],
  ['--maxmemory-clients', '200%'],
  ['--unixsocketperm', '999'],
  ['--notify-keyspace-events', 'q'],
  ['--dir', '/nonexistent-redoubt-dir'],
  ['--logfile', '/nonexistent-redoubt-dir/x.log'],
  ['--include', 'missing.conf', '--port', '1'],
  ['--rename-command', 'nosuch', 'x'],
  ['--foo', 'bar'],
];

test('start-up errors: same report and exit code as redis-server', { skip: hasRedis() ? false : NO_REDIS }, () => {
  const stamp = (s: string): string => s.replace(/^\d+:C \d\d \w+ \d+ [\d:.]+ /gm, '<log> ');
  for (const args of BAD_STARTS) {
    const ours = startFailure(process.execPath, [SERVER_JS, ...args], tmp);
    const ref = startFailure(REDIS_SERVER, args, tmp);
    assert.equal(ours.status, 1, `exit code for ${args.join(' ')}`);
    assert.equal(ref.status, 1);
    assert.equal(ours.stderr, ref.stderr, `stderr for ${args.join(' ')}`);
    assert.equal(stamp(ours.stdout), stamp(ref.stdout), `stdout for ${args.join(' ')}`);
  }
});

test('a bad config file line: the FATAL report names the file line', () => {
  const file = path.join(tmp, 'bad.conf');
  writeFileSync(file, '# ok\nport 7000\n   maxmemory lots  \n');
  const res = startFailure(process.execPath, [SERVER_JS, file], tmp);
  assert.equal(res.status, 1);
  assert.equal(
    res.stderr,
    "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 3\n>>> 'maxmemory lots'\nargument must be a memory value\n",
  );
});

test(
  'differential: CONFIG GET * names and defaults equal redis-server 7.0.15',
  { skip: hasRedis() ? false : NO_REDIS },
  async () => {
    const args = ['--save', '', '--appendonly', 'no'];
    const [ours, ref] = await Promise.all([startRedoubt(args), startRedis()]);
    const a = client(ours);
    const b = client(ref);
    try {
      await Promise.all([a.connect(), b.connect()]);
      const [ma, mb] = await Promise.all([configMap(a), configMap(b)]);
      assert.deepEqual([...ma.keys()].sort(), [...mb.keys()].sort());
      for (const [k, v] of mb) {
        if (k === 'port') continue;
        // Each server runs in a scratch directory of its own; `dir` defaults to the cwd.
        if (k === 'dir') {
          assert.equal(ma.get(k), realpathSync(`/proc/${ours.child.pid}/cwd`));
          continue;
        }
        assert.equal(ma.get(k), v, `default of ${k}`);
      }
    } finally {
      a.disconnect();
      b.disconnect();
      await Promise.all([ours.stop(), ref.stop()]);
    }
  },
);

/** A map or flat array reply with its name/value pairs sorted. */
function sortPairs(t: string): string {
  const parts = t.split('\r\n');
  const pairs: string[] = [];
  for (let i = 1; i + 3 < parts.length; i += 4) pairs.push(parts.slice(i, i + 4).join('\r\n'));
  return [parts[0], ...pairs.sort()].join('\r\n');
}

/** Replies of both servers to the same commands, byte for byte. */
const SAME_REPLIES: string[][] = [
  ['CONFIG', 'GET', 'maxmemory', 'MAXMEMORY', 'Maxmem*', 'slaveof', 'bind'],
  ['CONFIG', 'SET', 'maxmemory', '1', 'foo', '2', 'daemonize', 'yes'],
  ['CONFIG', 'SET', 'daemonize', 'yes', 'foo', '2'],
  ['CONFIG', 'SET', 'slave-priority', '1', 'replica-priority', '2'],
  ['CONFIG', 'GET', 'slave-priority'],
  ['CONFIG', 'SET', 'Slave-Priority', 'abc'],
  ['CONFIG', 'SET', 'a'],
  ['CONFIG', 'GET'],
  ['CONFIG', 'SET', 'save', '3000 5', 'maxmemory', '10mb', 'notify-keyspace-events', 'KEA'],
  ['CONFIG', 'GET', 'save', 'maxmemory', 'notify-keyspace-events'],
  ['CONFIG', 'SET', 'client-output-buffer-limit', 'replica 1mb 2mb 30 normal 1 2 3'],
  ['CONFIG', 'GET', 'client-output-buffer-limit'],
  // (Redis would enforce the 1-byte normal limit on this very connection: restore it.)
  ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0'],
  ['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 1 2'],
  ['CONFIG', 'SET', 'oom-score-adj', 'relative', 'shutdown-on-sigint', 'nosave force now'],
  ['CONFIG', 'GET', 'oom-score-adj', 'shutdown-on-sigint'],
  ['CONFIG', 'SET', 'shutdown-on-sigterm', 'save nosave'],
  ['CONFIG', 'SET', 'latency-tracking-info-percentiles', '50 99.99 0.0078125'],
  ['CONFIG', 'GET', 'latency-tracking-info-percentiles'],
  ['CONFIG', 'SET', 'maxmemory', '99999999999999999999'],
  ['CONFIG', 'GET', 'maxmemory'],
  ['CONFIG', 'SET', 'maxmemory-clients', '5%', 'hz', '0'],
  ['CONFIG', 'GET', 'maxmemory-clients', 'hz'],
  ['CONFIG', 'SET', 'activedefrag', 'yes'],
  ['CONFIG', 'SET', 'dbfilename', 'a/b'],
  ['CONFIG', 'SET', 'maxclients', '-1'],
  ['CONFIG', 'SET', 'proc-title-template', '{title}'],
  ['CONFIG', 'SET', 'cluster-announce-hostname', 'a_b'],
  ['CONFIG', 'HELP'],
  ['CONFIG', 'REWRITE'],
  ['HELLO', '3'],
  ['CONFIG', 'GET', 'maxmemory', 'hz'],
];

test(
  'differential: CONFIG replies byte for byte (RESP2 and RESP3)',
  { skip: hasRedis() ? false : NO_REDIS },
  async () => {
    const [ours, ref] = await Promise.all([startRedoubt(), startRedis()]);
    const [a, b] = await Promise.all([RawClient.connect(ours.port), RawClient.connect(ref.port)]);
    try {
      for (const cmd of SAME_REPLIES) {
        const [ra, rb] = await Promise.all([a.call(...cmd), b.call(...cmd)]);
        let ta = ra.toString('latin1');
        let tb = rb.toString('latin1');
        if (cmd[0] === 'HELLO') continue; // server identity differs
        if (cmd[1] === 'GET' && cmd.length > 3) {
          // Several matches come in dict order in Redis: compare the pairs as a set.
          ta = sortPairs(ta);
          tb = sortPairs(tb);
        }
        assert.equal(ta, tb, `reply to ${cmd.join(' ')}`);
      }
    } finally {
      a.close();
      b.close();
      await Promise.all([ours.stop(), ref.stop()]);
    }
  },
);

test('CONFIG RESETSTAT clears INFO stats and command stats', async () => {
  const srv = await startRedoubt();
  const r = client(srv);
  try {
    await r.connect();
    await r.set('k', 'v');
    await r.get('k');
    assert.match((await r.info('commandstats')) as string, /cmdstat_get:calls=1/);
    assert.equal(await r.config('RESETSTAT'), 'OK');
    const info = (await r.info('commandstats')) as string;
    assert.doesNotMatch(info, /cmdstat_get/);
    assert.match((await r.info('stats')) as string, /keyspace_hits:0/);
  } finally {
    r.disconnect();
    await srv.stop();
  }
});

test('rename-command renames and removes commands', async () => {
  const file = path.join(tmp, 'rename.conf');
  writeFileSync(file, 'rename-command config ""\nrename-command get fetch\n');
  const srv = await startRedoubt([], file);
  const r = client(srv);
  try {
    await r.connect();
    await r.set('k', 'v');
    assert.equal(await r.call('FETCH', 'k'), 'v');
    await assert.rejects(r.call('GET', 'k'), /unknown command 'GET'/);
    await assert.rejects(r.call('CONFIG', 'GET', 'port'), /unknown command 'CONFIG'/);
  } finally {
    r.disconnect();
    await srv.stop();
  }
});

test('pidfile: written with the server PID, owner-only, removed at shutdown', async () => {
  const file = path.join(tmp, 'redoubt.pid');
  const srv = await startRedoubt(['--pidfile', file]);
  try {
    assert.equal(readFileSync(file, 'latin1'), `${srv.child.pid}\n`);
    assert.equal(statSync(file).mode & 0o777, 0o600);
  } finally {
    await srv.stop();
  }
  assert.equal(existsSync(file), false);
});
