// The redis.conf grammar and redis-server's argv, with Redis 7.0.15's fatal error report.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, realpathSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigStore } from '../../../src/config/store.js';
import {
  ConfigLoadError,
  expandGlob,
  loadConfigText,
  loadServerConfig,
  optionsText,
} from '../../../src/config/load.js';

const startDir = process.cwd();
const tmp = realpathSync(mkdtempSync(path.join(tmpdir(), 'redoubt-conf-')));
after(() => {
  process.chdir(startDir);
  rmSync(tmp, { recursive: true, force: true });
});

function load(text: string): ConfigStore {
  const store = new ConfigStore();
  loadConfigText(store, text);
  return store;
}

function loadError(text: string): string {
  try {
    load(text);
  } catch (e) {
    assert.ok(e instanceof ConfigLoadError);
    return e.message;
  }
  assert.fail('expected a config error');
}

function fatal(line: number, text: string, reason: string): string {
  return `\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line ${line}\n>>> '${text}'\n${reason}`;
}

test('comments, blank lines, indentation, CRLF, case-insensitive names', () => {
  const s = load('# a comment\n\n   MaxMemory 1mb   \r\n\t# indented comment\nloglevel   warning\r\n');
  assert.equal(s.str('maxmemory'), '1048576');
  assert.equal(s.str('loglevel'), 'warning');
  assert.ok(s.explicit.has('maxmemory'));
  assert.ok(!s.explicit.has('port'));
});

test('quotes and escapes follow sdssplitargs', () => {
  const s = load('requirepass "a b\\x41\\n"\nmasterauth \'it\\\'s\'\nproc-title-template "{title} \\"x\\""\n');
  assert.equal(s.str('requirepass'), 'a bA\n');
  assert.equal(s.str('masterauth'), "it's");
  assert.equal(s.str('proc-title-template'), '{title} "x"');
});

test('multi-argument directives: several arguments or one quoted string', () => {
  assert.equal(load('save 900 1\nsave "300 10"\n').str('save'), '900 1 300 10');
  assert.equal(load('bind "127.0.0.1 -::1"').str('bind'), '127.0.0.1 -::1');
  assert.equal(load('save ""').str('save'), '');
  assert.equal(load('save 900 1\nsave ""\nsave 60 5').str('save'), '60 5');
  assert.equal(load('port 7000').str('save'), '3600 1 300 100 60 10000', 'defaults stay without save lines');
  assert.equal(load('shutdown-on-sigint "nosave now"').str('shutdown-on-sigint'), 'nosave now');
});

test('errors: exact report with line number and trimmed line', () => {
  assert.equal(loadError('port 1\n\n  foo bar  \n'), fatal(3, 'foo bar', 'Bad directive or wrong number of arguments'));
  assert.equal(loadError('port "1'), fatal(1, 'port "1', 'Unbalanced quotes in configuration line'));
  assert.equal(loadError('# x\nport 1 2'), fatal(2, 'port 1 2', 'wrong number of arguments'));
  assert.equal(loadError('port abc'), fatal(1, 'port abc', "argument couldn't be parsed into an integer"));
  assert.equal(loadError('save 1'), fatal(1, 'save 1', 'Invalid save parameters'));
  assert.equal(
    loadError('sentinel monitor x'),
    fatal(1, 'sentinel monitor x', 'sentinel directive while not in sentinel mode'),
  );
  assert.equal(loadError('my.module'), fatal(1, 'my.module', 'Module config specified without value'));
  assert.match(loadError('loadmodule /x.so'), /at line 1\n>>> 'loadmodule \/x.so'\n.*modules/);
  assert.equal(
    loadError('dir /nonexistent-redoubt-dir'),
    fatal(1, 'dir /nonexistent-redoubt-dir', 'No such file or directory'),
  );
});

test('module configs without a module abort after loading, as a log line', () => {
  try {
    load('my.module 1');
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof ConfigLoadError && e.logLine);
    assert.match(
      e.message,
      /^\d+:C .* # Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting$/,
    );
  }
});

test('accepted and ignored: deprecated directives, bare sentinel', () => {
  const s = load('list-max-ziplist-entries 512\nlua-replicate-commands yes\nsentinel\n');
  assert.equal(s.str('port'), '6379');
  assert.match(loadError('list-max-ziplist-entries 1 2'), /Bad directive/);
});

test('rename-command and user lines are kept for the server and the ACL layer', () => {
  const s = load('rename-command FLUSHDB badger\nrename-command config ""\nuser alice on >pw ~* +@all\n');
  assert.deepEqual(s.renames, [
    ['FLUSHDB', 'badger'],
    ['config', ''],
  ]);
  assert.deepEqual(s.userDirectives, [['alice', 'on', '>pw', '~*', '+@all']]);
  assert.equal(
    loadError('rename-command nosuchcmd x'),
    fatal(1, 'rename-command nosuchcmd x', 'No such command in rename-command'),
  );
  assert.equal(
    loadError('rename-command get set'),
    fatal(1, 'rename-command get set', 'Target command name already exists'),
  );
});

test('include: relative to the current directory, glob patterns, errors inside included files', () => {
  const dir = path.join(tmp, 'inc');
  mkdirSync(path.join(dir, 'conf.d'), { recursive: true });
  writeFileSync(path.join(dir, 'a.conf'), 'maxmemory 2mb\n');
  writeFileSync(path.join(dir, 'conf.d', '1.conf'), 'loglevel debug\n');
  writeFileSync(path.join(dir, 'conf.d', '2.conf'), 'loglevel warning\n');
  writeFileSync(path.join(dir, 'bad.conf'), '# ok\nhz x\n');
  process.chdir(dir);
  try {
    const s = load('include a.conf\ninclude conf.d/*.conf\ninclude nothing-*.conf\n');
    assert.equal(s.str('maxmemory'), '2097152');
    assert.equal(s.str('loglevel'), 'warning', 'glob matches are read in sorted order');
    assert.equal(
      loadError('port 1\ninclude bad.conf'),
      fatal(2, 'hz x', "argument couldn't be parsed into an integer"),
    );
    assert.deepEqual(expandGlob('conf.d/?.conf'), ['conf.d/1.conf', 'conf.d/2.conf']);
    const missing = (() => {
      try {
        load('include missing.conf');
      } catch (e) {
        return e as ConfigLoadError;
      }
      return null;
    })();
    assert.ok(missing?.logLine);
    assert.match(missing!.message, /# Fatal error, can't open config file 'missing.conf': No such file or directory$/);
  } finally {
    process.chdir(startDir);
  }
});

test('dir changes directory while loading: later relative paths follow it', () => {
  const dir = path.join(tmp, 'data');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'inc.conf'), 'maxmemory 3mb\n');
  try {
    const s = load(`dir ${dir}\ninclude inc.conf\nlogfile redoubt.log\n`);
    assert.equal(s.str('dir'), dir);
    assert.equal(process.cwd(), dir);
    assert.equal(s.str('maxmemory'), '3145728');
    assert.ok(existsSync(path.join(dir, 'redoubt.log')), 'the log file is created at load time like Redis');
  } finally {
    process.chdir(startDir);
  }
});

test('a log file that cannot be opened stops loading without a line reference', () => {
  assert.equal(
    loadError('logfile /nonexistent-redoubt-dir/x.log'),
    "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nCan't open the log file: No such file or directory",
  );
});

test('argv options become config lines exactly like redis-server main()', () => {
  assert.equal(
    optionsText(['--port', '6380', '--save', '', '--loglevel', 'verbose'], 0).options,
    'port "6380" \nsave "" \nloglevel "verbose" ',
  );
  assert.equal(optionsText(['--port', '6379', '6380'], 0).options, 'port "6379" "6380" ');
  assert.equal(optionsText(['--port', '--loglevel', 'verbose'], 0).options, 'port "--loglevel" "verbose" ');
  assert.equal(optionsText(['--save', '--loglevel', 'verbose'], 0).options, 'save ""\nloglevel "verbose" ');
  assert.equal(optionsText(['--loglevel', 'verbose', '--save'], 0).options, 'loglevel "verbose" \nsave ""');
  assert.equal(
    optionsText(['--maxmemory 700mb', '--maxmemory-policy volatile-lru'], 0).options,
    'maxmemory 700mb \nmaxmemory-policy volatile-lru ',
  );
  assert.equal(optionsText(['--requirepass', 'a"b\n'], 0).options, 'requirepass "a\\"b\\n" ');
  assert.deepEqual(optionsText(['-'], 0), { options: '', stdin: true });
});

test('loadServerConfig: file then options; error cases of the Redis test suite', () => {
  const file = path.join(tmp, 'main.conf');
  writeFileSync(file, 'save 900 1\nmaxmemory 1mb\n');
  const ok = loadServerConfig([file, '--save', '100', '100', '--maxmemory', '2mb']);
  assert.equal(ok.configFile, file);
  assert.equal(ok.store.str('save'), '900 1 100 100');
  assert.equal(ok.store.str('maxmemory'), '2097152');
  assert.equal(loadServerConfig([file, '--save', '']).store.str('save'), '');
  assert.equal(
    loadServerConfig(['--shutdown-on-sigint', 'nosave', 'force', 'now']).store.str('shutdown-on-sigint'),
    'nosave now force',
  );
  assert.equal(
    loadServerConfig(['--proc-title-template', '--save', '--save', '', '--loglevel', 'verbose']).store.str(
      'proc-title-template',
    ),
    '--save',
  );
  const err = (argv: string[]): string => {
    try {
      loadServerConfig(argv);
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };
  assert.match(err(['--port']), /'port'\nwrong number of arguments/);
  assert.match(err(['--port', '6379', '6380']), /at line 2\n>>> 'port "6379" "6380"'\nwrong number of arguments/);
  assert.match(
    err(['--port', '--bla', '--loglevel', 'verbose']),
    /'port "--bla"'\nargument couldn't be parsed into an integer/,
  );
  assert.match(
    err(['--logfile', '--my--log--file', '--loglevel', '--bla']),
    /'loglevel "--bla"'\nargument\(s\) must be one of the following/,
  );
  assert.match(err(['--shutdown-on-sigint']), /'shutdown-on-sigint'\nargument\(s\) must be one of the following/);
  assert.match(err(['--replicaof', '127.0.0.1', 'abc']), /'replicaof "127.0.0.1" "abc"'\nInvalid master port/);
  assert.match(err(['--replicaof', '--127.0.0.1', '--abc']), /'replicaof "--127.0.0.1"'\nwrong number of arguments/);
});
