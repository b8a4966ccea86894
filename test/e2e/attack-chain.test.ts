// The classic compromise chain against the default shipped configuration (redoubt.conf at the
// repository root): point `dir` at ~/.ssh, name the dump authorized_keys, store a public key,
// save. It must stop at the first CONFIG SET with Redis's exact error, and nothing may be
// written, neither in the target folder nor in the server's own folder.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, hasRedis, startRedis, startRedoubt, type Proc } from '../support/server.js';
import { RawClient } from '../support/raw-client.js';

const procs: Proc[] = [];
const work = mkdtempSync(path.join(os.tmpdir(), 'redoubt-attack-'));
after(async () => {
  for (const p of procs) await p.stop();
  rmSync(work, { recursive: true, force: true });
});

const PUBKEY = '\n\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7attacker attacker@evil\n\n';
const protectedErr = (name: string): string =>
  `-ERR CONFIG SET failed (possibly related to argument '${name}') - can't set protected config\r\n`;

/** What a folder holds, with each entry's size and mtime, to prove nothing changed. */
function snapshot(dir: string): string {
  if (!existsSync(dir)) return '<absent>';
  return readdirSync(dir)
    .sort()
    .map((f) => {
      const s = statSync(path.join(dir, f));
      return `${f}:${s.size}:${s.mtimeMs}`;
    })
    .join('\n');
}

async function replay(port: number): Promise<string[]> {
  const c = await RawClient.connect(port);
  const out: string[] = [];
  for (const argv of [
    ['config', 'set', 'dir', '/root/.ssh'],
    ['config', 'set', 'dbfilename', 'authorized_keys'],
    ['config', 'set', 'dir', '/root/.ssh', 'dbfilename', 'authorized_keys'],
    ['config', 'set', 'enable-protected-configs', 'yes'],
    ['set', 'x', PUBKEY],
    ['bgsave'],
    ['save'],
    ['config', 'get', 'dbfilename'],
  ]) {
    out.push((await c.call(...argv)).toString('latin1'));
  }
  c.close();
  return out;
}

test('the dir/dbfilename/SAVE chain fails at the first step against redoubt.conf', async () => {
  const sshDir = '/root/.ssh';
  const before = snapshot(sshDir);
  const workBefore = snapshot(work);
  const p = await startRedoubt(['--dir', work], path.join(ROOT, 'redoubt.conf'));
  procs.push(p);
  const r = await replay(p.port);
  assert.equal(r[0], protectedErr('dir'));
  assert.equal(r[1], protectedErr('dbfilename'));
  assert.equal(r[2], protectedErr('dir'));
  assert.equal(
    r[3],
    "-ERR CONFIG SET failed (possibly related to argument 'enable-protected-configs') - can't set immutable config\r\n",
  );
  assert.equal(r[4], '+OK\r\n');
  // BGSAVE/SAVE: not implemented yet (unknown command) or saving to the unchanged dump.rdb.
  for (const [i, name] of [
    [5, 'bgsave'],
    [6, 'save'],
  ] as const) {
    assert.ok(
      r[i] === `-ERR unknown command '${name}', with args beginning with: \r\n` ||
        r[i] === '+Background saving started\r\n' ||
        r[i] === '+OK\r\n' ||
        r[i] === '-ERR Background save already in progress\r\n',
      `${name}: ${JSON.stringify(r[i])}`,
    );
  }
  assert.equal(r[7], '*2\r\n$10\r\ndbfilename\r\n$8\r\ndump.rdb\r\n');
  assert.equal(snapshot(sshDir), before, '/root/.ssh changed');
  assert.ok(!existsSync(path.join(work, 'authorized_keys')));
  const workAfter = snapshot(work)
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('dump.rdb:') && !l.startsWith('temp-'));
  assert.deepEqual(workAfter, workBefore === '' ? [] : workBefore.split('\n'));
});

test('the refusals are the bytes redis-server 7.0.15 sends with its defaults', { skip: !hasRedis() }, async () => {
  const dir = mkdtempSync(path.join(work, 'redis-'));
  const redis = await startRedis(['--dir', dir]);
  procs.push(redis);
  const ours = await startRedoubt(['--dir', work], path.join(ROOT, 'redoubt.conf'));
  procs.push(ours);
  const theirs = await replay(redis.port);
  const mine = await replay(ours.port);
  assert.deepEqual(mine.slice(0, 5), theirs.slice(0, 5));
  assert.deepEqual(mine[7], theirs[7]);
});
