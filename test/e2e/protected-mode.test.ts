// protected-mode, compared with redis-server 7.0.15: a client whose address is not loopback as
// Redis defines it (exactly 127.0.0.1 or ::1) is refused with the DENIED explanation while the
// default user has no password. 127.0.0.2 is a loopback-interface address Redis does not count
// as local, so the test needs no network namespace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { hasRedis, startRedis, startRedoubt, type Proc } from '../support/server.js';

/** Connects from `from`, sends PING, and returns everything received until the server closes or 2s pass. */
function pingFrom(port: number, from: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress: from });
    let got = '';
    const done = (): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(got);
    };
    const timer = setTimeout(done, 2000);
    s.setEncoding('latin1');
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d: string) => {
      got += d;
      // A served PING answers one line and keeps the connection open.
      if (!got.startsWith('-DENIED') && got.endsWith('\r\n')) done();
    });
    s.on('close', done);
    s.on('error', (e) => (got === '' ? reject(e) : done()));
  });
}

async function both(args: string[], fn: (p: Proc) => Promise<string>): Promise<[string, string | null]> {
  const ours = await startRedoubt(args);
  const ref = hasRedis() ? await startRedis(args) : null;
  try {
    return [await fn(ours), ref === null ? null : await fn(ref)];
  } finally {
    await Promise.all([ours.stop(), ref?.stop()]);
  }
}

test('protected-mode refuses a non-local client while the default user has no password', async (t) => {
  const [ours, ref] = await both([], (p) => pingFrom(p.port, '127.0.0.2'));
  assert.match(ours, /^-DENIED Redis is running in protected mode/);
  if (ref === null) t.diagnostic('redis-server not installed: differential part skipped');
  else assert.equal(ours, ref);
});

test('protected-mode serves local clients, and everyone once a password is set or it is off', async () => {
  const [local, localRef] = await both([], (p) => pingFrom(p.port, '127.0.0.1'));
  assert.equal(local, '+PONG\r\n');
  if (localRef !== null) assert.equal(local, localRef);
  const [withPass, withPassRef] = await both(['--requirepass', 'pw'], (p) => pingFrom(p.port, '127.0.0.2'));
  assert.match(withPass, /^-NOAUTH/);
  if (withPassRef !== null) assert.equal(withPass, withPassRef);
  const [off, offRef] = await both(['--protected-mode', 'no'], (p) => pingFrom(p.port, '127.0.0.2'));
  assert.equal(off, '+PONG\r\n');
  if (offRef !== null) assert.equal(off, offRef);
});
