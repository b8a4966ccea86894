import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Selector } from '../../../src/acl/selectors.js';
import { catalog } from '../../../src/acl/catalog.js';
import { User, hashPassword } from '../../../src/acl/users.js';
import { applyUserOp, mergeSelectorArgs, stageUser, checkUserDirective } from '../../../src/acl/rules.js';
import { describeUser, describeCommands } from '../../../src/acl/describe.js';

const cmd = (name: string) => catalog.lookup(name)!;

function user(...ops: string[]): User {
  const r = stageUser(undefined, 'u', ops, false);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.user;
}

test('a new user is off, without passwords, channels or commands', () => {
  assert.equal(describeUser(new User('x', false)), 'off resetchannels -@all');
  assert.equal(describeUser(new User('x', true)), 'off &* -@all');
});

test('passwords are stored as SHA-256 only; < and ! remove them; nopass and resetpass', () => {
  const u = user('on', '>secret', '>other', '>secret');
  assert.deepEqual(u.passwords, [hashPassword('secret'), hashPassword('other')]);
  assert.ok(!JSON.stringify(u).includes('secret'));
  assert.ok(u.checkPassword('secret') && u.checkPassword('other') && !u.checkPassword('nope'));
  assert.equal(applyUserOp(u, '<secret', false), null);
  assert.ok(!u.checkPassword('secret'));
  assert.equal(applyUserOp(u, '<secret', false), 'ENODEV');
  assert.equal(applyUserOp(u, '#' + 'a'.repeat(63), false), 'EBADMSG');
  assert.equal(applyUserOp(u, '#' + 'A'.repeat(64), false), 'EBADMSG');
  assert.equal(applyUserOp(u, '!' + hashPassword('other'), false), null);
  assert.equal(u.passwords.length, 0);
  applyUserOp(u, 'nopass', false);
  assert.ok(u.checkPassword('anything'));
  applyUserOp(u, 'resetpass', false);
  assert.ok(!u.checkPassword('anything'));
  applyUserOp(u, 'off', false);
  applyUserOp(u, 'nopass', false);
  assert.ok(!u.checkPassword('x'), 'a disabled user cannot log in');
});

test('key patterns: ~, %R~, %W~, %RW~ merge on the same pattern; errors after ~*', () => {
  const s = new Selector(true, false);
  assert.equal(s.apply('%R~a*'), null);
  assert.equal(s.apply('%W~a*'), null);
  assert.equal(s.apply('%W~b*'), null);
  assert.deepEqual(
    s.patterns.map((p) => ({ pattern: p.pattern, flags: p.flags })),
    [
      { pattern: 'a*', flags: 3 },
      { pattern: 'b*', flags: 2 },
    ],
  );
  assert.equal(s.apply('%X~c'), 'EINVAL');
  assert.equal(s.apply('%RR~c'), 'EINVAL');
  assert.equal(s.apply('%R'), 'EINVAL');
  assert.equal(s.apply('~a b'), 'EINVAL');
  assert.ok(s.keyAllowed('a1', 1) && s.keyAllowed('a1', 3));
  assert.ok(s.keyAllowed('b1', 2) && !s.keyAllowed('b1', 1) && !s.keyAllowed('c', 0));
  // Literal, prefix, "*" and real globs are matched like Redis's stringmatch.
  s.apply('~lit');
  s.apply('~g?[xy]\\*z');
  assert.ok(s.keyAllowed('lit', 3) && !s.keyAllowed('lit2', 3) && !s.keyAllowed('li', 3));
  assert.ok(s.keyAllowed('gax*z', 3) && !s.keyAllowed('gaxqz', 3));
  assert.equal(s.apply('allkeys'), null);
  assert.equal(s.apply('~x'), 'EEXIST');
  assert.equal(s.apply('resetkeys'), null);
  assert.equal(s.apply('~x'), null);
});

test('channels: pattern subscriptions need a literal rule; errors after &*', () => {
  const s = new Selector(true, false);
  s.apply('&news.*');
  assert.ok(s.channelAllowed('news.1', false));
  assert.ok(!s.channelAllowed('news.1x', true) && s.channelAllowed('news.*', true));
  s.apply('allchannels');
  assert.equal(s.apply('&x'), 'EISDIR');
});

test('commands: categories, subcommands, first args, unknown names', () => {
  const s = new Selector(true, false);
  assert.equal(s.apply('+@string'), null);
  assert.ok(s.canRun(cmd('get'), ['get', 'k']) && !s.canRun(cmd('hget'), ['hget', 'k', 'f']));
  assert.equal(s.apply('+config|get'), null);
  assert.ok(s.canRun(cmd('config|get'), []) && !s.canRun(cmd('config|set'), []));
  assert.equal(s.apply('+select|0'), null);
  assert.ok(s.canRun(cmd('select'), ['select', '0']) && !s.canRun(cmd('select'), ['select', '1']));
  assert.equal(s.apply('+config|get|x'), 'ECHILD');
  assert.equal(s.apply('+debug|'), 'EINVAL');
  assert.equal(s.apply('+nosuch'), 'ENOENT');
  assert.equal(s.apply('-@nosuch'), 'ENOENT');
  assert.equal(s.apply('-config|nosuch'), 'ENOENT');
  assert.equal(s.apply('+config'), null);
  assert.ok(s.canRun(cmd('config|set'), []));
  assert.equal(s.apply('-config|set'), null);
  assert.ok(!s.canRun(cmd('config|set'), []) && s.canRun(cmd('config|get'), []));
});

test('command rules are described back as Redis does', () => {
  assert.equal(describeCommands(user('+@all').root), '+@all');
  assert.equal(describeCommands(user('+@all', '-@dangerous').root), '+@all -@dangerous');
  assert.equal(
    describeCommands(user('-@all', '+get', '+set').root)
      .split(' ')
      .sort()
      .join(' '),
    '+get +set -@all',
  );
  assert.equal(describeCommands(user('+select|0').root), '-@all +select|0');
  assert.equal(describeCommands(user('+@all', '-@all').root), '-@all');
});

test('selectors: merged across arguments, described in parentheses, cleared', () => {
  assert.deepEqual(mergeSelectorArgs(['on', '(~a', '+get', ')', '(~b)']), ['on', '(~a +get )', '(~b)']);
  assert.deepEqual(mergeSelectorArgs(['on', '(~a', '+get']), { unmatched: 1 });
  const u = user('on', '(~a +get)', '(%R~b +@read)');
  assert.equal(u.selectors.length, 3);
  assert.equal(
    describeUser(u),
    'on resetchannels -@all (~a resetchannels -@all +get) (%R~b resetchannels -@all +@read)',
  );
  applyUserOp(u, 'clearselectors', false);
  assert.equal(u.selectors.length, 1);
});

test('SETUSER errors name the modifier and change nothing', () => {
  const base = user('on', '>pw', '~a');
  const r = stageUser(base, 'u', ['~b', 'off', '+nosuch'], false);
  assert.deepEqual(r, {
    ok: false,
    error: "Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL",
  });
  assert.equal(describeUser(base), `on #${hashPassword('pw')} ~a resetchannels -@all`);
  const r2 = stageUser(base, 'u', ['(~x', '+get'], false);
  assert.deepEqual(r2, { ok: false, error: "Unmatched parenthesis in acl selector starting at '(~x'." });
  const r3 = stageUser(base, 'u', ['(&* &fail)'], false);
  assert.ok(!r3.ok && r3.error.startsWith("Error in ACL SETUSER modifier '(&* &fail)': Adding a pattern after"));
});

test('reset returns a user to its creation state (with acl-pubsub-default)', () => {
  const u = user('on', '>x', '~*', '&*', '+@all', '(~a)');
  applyUserOp(u, 'reset', false);
  assert.equal(describeUser(u), 'off sanitize-payload resetchannels -@all');
  applyUserOp(u, 'reset', true);
  assert.equal(describeUser(u), 'off sanitize-payload &* -@all');
});

test('config `user` directives: duplicates and syntax errors found, unknown commands tolerated', () => {
  assert.equal(checkUserDirective(['user', 'a', 'on', '+nosuch'], [], false), null);
  assert.deepEqual(checkUserDirective(['user', 'a', 'on'], [['a', 'on']], false), {
    argIndex: 1,
    message: 'Duplicate user found. A user can only be defined once in config files',
  });
  assert.equal(checkUserDirective(['user', 'a', 'on', 'bogus'], [], false)?.message, 'Syntax error');
});

/** A deterministic PRNG so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

const TOKENS = [
  'on',
  'off',
  'nopass',
  'resetpass',
  'reset',
  'allkeys',
  'resetkeys',
  'allchannels',
  'resetchannels',
  'allcommands',
  'nocommands',
  'clearselectors',
  '~*',
  '~a*',
  '%R~b',
  '%W~c',
  '%RW~d',
  '%~',
  '%',
  '&*',
  '&ch',
  '+@all',
  '-@all',
  '+@read',
  '-@write',
  '+get',
  '-get',
  '+config|get',
  '-config|set',
  '+select|1',
  '+debug|',
  '+nosuch',
  '-@nosuch',
  '>pw',
  '<pw',
  '#' + 'a'.repeat(64),
  '!' + 'b'.repeat(64),
  '#bad',
  '(',
  ')',
  '()',
  '(~x +get)',
  '(~y',
  '+set)',
  '(&* &z)',
  '',
  ' ',
  '\0',
  '+config|get|x',
  'sanitize-payload',
  'skip-sanitize-payload',
];

test('fuzz: random rules and bytes never throw and never half-apply', () => {
  const rand = rng(12345);
  for (let iter = 0; iter < 3000; iter++) {
    const args: string[] = [];
    const n = 1 + Math.floor(rand() * 6);
    for (let i = 0; i < n; i++) {
      if (rand() < 0.75) args.push(TOKENS[Math.floor(rand() * TOKENS.length)]!);
      else {
        const len = Math.floor(rand() * 8);
        let s = '';
        for (let k = 0; k < len; k++) s += String.fromCharCode(Math.floor(rand() * 256));
        args.push(s);
      }
    }
    const base = user('on', '>base', '~base:*', '+get');
    const before = describeUser(base);
    const r = stageUser(base, 'u', args, rand() < 0.5);
    // The original is never touched: only the staged copy changes.
    assert.equal(describeUser(base), before, JSON.stringify(args));
    if (r.ok) {
      // What was described can be applied again and describes the same (round trip).
      const again = stageUser(undefined, 'u', mergeSelectorArgs(describeUser(r.user).split(' ')) as string[], false);
      assert.ok(again.ok, JSON.stringify(args));
      if (again.ok) assert.equal(describeUser(again.user), describeUser(r.user), JSON.stringify(args));
    } else {
      assert.equal(typeof r.error, 'string');
    }
  }
});

test('fuzz: indexed key matching agrees with the plain glob over every pattern', async () => {
  const { globMatch } = await import('../../../src/store/glob.js');
  const rand = rng(777);
  const pick = (alphabet: string, max: number): string => {
    let s = '';
    const n = Math.floor(rand() * max);
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
    return s;
  };
  for (let iter = 0; iter < 500; iter++) {
    const s = new Selector(true, false);
    const pats: string[] = [];
    for (let i = 0; i < 1 + Math.floor(rand() * 6); i++) {
      const p = pick('ab*?[]\\', 5);
      if (s.apply('~' + p) === null) pats.push(p);
    }
    for (let k = 0; k < 20; k++) {
      const key = pick('ab*?[]\\', 5);
      // "~*" is allkeys in Redis: every key, even the empty one.
      const expected = pats.includes('*') || pats.some((p) => globMatch(p, key));
      assert.equal(s.keyAllowed(key, 3), expected, `${JSON.stringify(pats)} ${JSON.stringify(key)}`);
    }
  }
});

test('fuzz: ACL files and user directives of random lines never throw', async () => {
  const { loadAclFile } = await import('../../../src/acl/file.js');
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'redoubt-aclfuzz-')), 'users.acl');
  const rand = rng(4242);
  for (let iter = 0; iter < 300; iter++) {
    const lines: string[] = [];
    for (let l = 0; l < 1 + Math.floor(rand() * 4); l++) {
      const words = ['user', rand() < 0.8 ? `u${Math.floor(rand() * 3)}` : ''];
      for (let w = 0; w < Math.floor(rand() * 5); w++) words.push(TOKENS[Math.floor(rand() * TOKENS.length)]!);
      lines.push(rand() < 0.1 ? words.slice(1).join(' ') : words.join(' '));
    }
    writeFileSync(file, lines.join(rand() < 0.5 ? '\n' : '\r\n'), 'latin1');
    const r = loadAclFile(file, false);
    assert.ok(typeof r === 'string' || r.size >= 0);
    for (const line of lines) {
      const argv = line.split(' ');
      const bad = checkUserDirective(argv, [], false);
      assert.ok(bad === null || typeof bad.message === 'string');
    }
  }
});
