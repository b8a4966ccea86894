import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Server } from '../../../src/server/server.js';
import { ConfigStore } from '../../../src/config/store.js';
import { isLoopback, startupWarnings } from '../../../src/server/startup-checks.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'redoubt-startup-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function server(bind: string, extra: [string, string][] = []): Server {
  const config = new ConfigStore();
  config.setInitial('bind', bind.split(' '));
  for (const [k, v] of extra) config.setInitial(k, [v]);
  return new Server(config);
}

test('loopback addresses, with the optional "-" prefix', () => {
  assert.ok(isLoopback('127.0.0.1'));
  assert.ok(isLoopback('-::1'));
  assert.ok(!isLoopback('0.0.0.0'));
  assert.ok(!isLoopback('*'));
  assert.ok(!isLoopback('10.1.2.3'));
});

test('running as root is reported, an unprivileged uid is not', () => {
  const s = server('127.0.0.1 -::1');
  assert.equal(startupWarnings(s, 1000).length, 0);
  const w = startupWarnings(s, 0);
  assert.equal(w.length, 1);
  assert.match(w[0]!, /running as root/);
});

test('a config file readable by others is reported, a 0600 one is not', () => {
  const f = path.join(dir, 'r.conf');
  writeFileSync(f, 'port 6379\n');
  const s = server('127.0.0.1');
  s.configFile = f;
  chmodSync(f, 0o600);
  assert.equal(startupWarnings(s, 1000).length, 0);
  chmodSync(f, 0o644);
  assert.match(startupWarnings(s, 1000).join('\n'), /config file .* readable by group or others/);
});

test('a non-loopback bind without a password is reported, with a password it is not', () => {
  const open = server('0.0.0.0');
  assert.match(startupWarnings(open, 1000).join('\n'), /non-loopback address \(0\.0\.0\.0\).*protected mode refuses/);
  const unprotected = server('* -::*', [['protected-mode', 'no']]);
  assert.match(startupWarnings(unprotected, 1000).join('\n'), /protected mode is off/);
  const withPass = server('0.0.0.0', [['requirepass', 'secret']]);
  assert.equal(startupWarnings(withPass, 1000).length, 0);
});

test('a log file Redoubt creates is 0640', async () => {
  const { Logger } = await import('../../../src/server/log.js');
  const { statSync } = await import('node:fs');
  const log = new Logger();
  log.file = path.join(dir, 'redoubt.log');
  log.warning('hello');
  assert.equal(statSync(log.file).mode & 0o777, 0o640);
});
