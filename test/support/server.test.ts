// The test harness's own start-up: a server whose port was taken between the pick and its bind
// is started again on another port; any other start-up failure is reported at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { freePort, launch, onFreePort, SERVER_JS } from './server.js';
import { RespClient } from './resp-client.js';

/** A listener on a kernel-chosen loopback port, standing for whoever took the port first. */
function occupy(): Promise<net.Server> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
}

const redoubtOn = (port: number, extra: string[] = []) =>
  launch(process.execPath, [SERVER_JS, '--port', String(port), '--bind', '127.0.0.1', '--save', '', ...extra], port);

test('a port taken after it was picked is picked again', async () => {
  const squatter = await occupy();
  const taken = (squatter.address() as net.AddressInfo).port;
  const picks: number[] = [];
  const pick = async (): Promise<number> => {
    const p = picks.length === 0 ? taken : await freePort();
    picks.push(p);
    return p;
  };
  try {
    const srv = await onFreePort(pick, (port) => redoubtOn(port));
    try {
      assert.equal(picks.length, 2);
      assert.equal(srv.port, picks[1]);
      assert.notEqual(srv.port, taken);
      const c = await RespClient.connect(srv.port);
      assert.equal(await c.call('PING'), 'PONG');
      c.close();
    } finally {
      await srv.stop();
    }
  } finally {
    squatter.close();
  }
});

test('any other start-up failure is not retried', async () => {
  let picks = 0;
  const pick = (): Promise<number> => {
    picks++;
    return freePort();
  };
  await assert.rejects(
    onFreePort(pick, (port) => redoubtOn(port, ['--maxclients', 'many'])),
    /server exited with 1/,
  );
  assert.equal(picks, 1);
});
