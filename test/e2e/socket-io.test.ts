// Both byte paths of plaintext sockets (src/net/direct-io.ts): the direct one used by default
// and the stream fallback (REDOUBT_SOCKET_IO=stream), through the same scenarios: commands
// split across reads while other clients read (the direct path's read buffer is shared),
// replies bigger than the socket buffers, output limits, QUIT, closing peers (blocked ones too),
// maxclients and the unix socket.
import { describe, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRedoubt, type Proc } from '../support/server.js';
import { RawClient, encodeCommand, decodeReply } from '../support/raw-client.js';
import { until } from '../support/until.js';

/** One client's line of CLIENT LIST, by name, as field → value. */
async function clientFields(admin: RawClient, name: string): Promise<Record<string, string> | undefined> {
  const [list] = decodeReply(await admin.call('CLIENT', 'LIST'));
  for (const line of String(list).split('\n')) {
    const f = Object.fromEntries(line.split(' ').map((kv) => kv.split('=', 2) as [string, string]));
    if (f['name'] === name) return f;
  }
  return undefined;
}

/** Resolves with what a socket receives from now on, once it is at least `bytes` long. */
function collect(sock: net.Socket, bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let got = 0;
    const onData = (d: Buffer): void => {
      parts.push(d);
      got += d.length;
      if (got < bytes) return;
      sock.off('data', onData);
      resolve(Buffer.concat(parts));
    };
    sock.on('data', onData);
    sock.once('close', () => reject(new Error(`closed after ${got} of ${bytes} bytes`)));
  });
}

function connect(opts: net.NetConnectOpts): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(opts, () => resolve(s));
    s.once('error', reject);
  });
}

/** How many GETs the server ran so far (INFO commandstats). */
async function getCalls(admin: RawClient): Promise<number> {
  const [info] = decodeReply(await admin.call('INFO', 'commandstats'));
  return Number(/cmdstat_get:calls=(\d+)/.exec(String(info))?.[1] ?? 0);
}

/** The value of a bulk reply's bytes. */
function bulkValue(reply: Buffer): Buffer {
  return reply.subarray(reply.indexOf('\r\n') + 2, reply.length - 2);
}

for (const mode of ['direct', 'stream'] as const) {
  describe(`${mode} socket I/O`, () => {
    let srv: Proc;
    let admin: RawClient;
    const unixPath = path.join(mkdtempSync(path.join(tmpdir(), 'redoubt-sock-')), 'r.sock');

    before(async () => {
      const env = mode === 'stream' ? { REDOUBT_SOCKET_IO: 'stream' } : {};
      srv = await startRedoubt(['--unixsocket', unixPath], undefined, env);
      admin = await RawClient.connect(srv.port);
    });
    after(async () => {
      admin?.close();
      await srv?.stop();
    });

    test('the start-up log names the path in use', () => {
      assert.match(srv.output(), new RegExp(`Plaintext socket I/O: ${mode}`));
    });

    test('a command left incomplete survives other clients reading meanwhile', async () => {
      const a = await RawClient.connect(srv.port);
      try {
        assert.equal((await a.call('CLIENT', 'SETNAME', 'split')).toString(), '+OK\r\n');
        const value = randomBytes(3000);
        const cmd = encodeCommand(['SET', 'split:k', value]);
        a.write(cmd.subarray(0, 1500));
        await until(
          'the first half to be read',
          async () => Number((await clientFields(admin, 'split'))?.['qbuf']) > 0,
        );
        // Another client's big read goes through the same read buffer on the direct path.
        assert.equal((await admin.call('SET', 'split:filler', randomBytes(60000))).toString(), '+OK\r\n');
        assert.equal((await a.send(cmd.subarray(1500))).toString(), '+OK\r\n');
        assert.deepEqual(bulkValue(await a.call('GET', 'split:k')), value);
      } finally {
        a.close();
      }
    });

    test('a command sent one byte at a time runs once, intact', async () => {
      const a = await RawClient.connect(srv.port);
      try {
        const value = randomBytes(64);
        const cmd = encodeCommand(['RPUSH', 'bytes:list', value]);
        for (let i = 0; i < cmd.length - 1; i++) a.write(cmd.subarray(i, i + 1));
        assert.equal((await a.send(cmd.subarray(cmd.length - 1))).toString(), ':1\r\n');
        assert.deepEqual(bulkValue(await a.call('LINDEX', 'bytes:list', '0')), value);
      } finally {
        a.close();
      }
    });

    test('replies bigger than the socket buffers reach a slow reader whole, through garbage collections', async () => {
      const value = randomBytes(4 * 1024 * 1024);
      assert.equal((await admin.call('SET', 'big', value)).toString(), '+OK\r\n');
      const sock = await connect({ port: srv.port, host: '127.0.0.1' });
      try {
        sock.pause();
        sock.write(encodeCommand(['CLIENT', 'SETNAME', 'slow']));
        for (let i = 0; i < 4; i++) sock.write(encodeCommand(['GET', 'big']));
        // What the kernel would not take waits in the server, and its output memory shows it.
        await until('output held for the slow reader', async () => {
          const f = await clientFields(admin, 'slow');
          return f !== undefined && Number(f['omem']) > 1024 * 1024;
        });
        // Meanwhile the server allocates and drops about 200 MB, so garbage collection runs
        // while those replies wait: what waits must be kept alive until it is written.
        const junk = randomBytes(8 * 1024 * 1024);
        for (let i = 0; i < 12; i++) {
          await admin.call('SET', 'junk', junk);
          await admin.call('GETRANGE', 'junk', '0', '-1');
        }
        await admin.call('DEL', 'junk');
        const header = Buffer.from(`$${value.length}\r\n`);
        const one = header.length + value.length + 2;
        const all = collect(sock, 5 + 4 * one);
        sock.resume();
        const bytes = await all;
        assert.equal(bytes.length, 5 + 4 * one);
        assert.equal(bytes.subarray(0, 5).toString(), '+OK\r\n');
        for (let i = 0; i < 4; i++) {
          const at = 5 + i * one;
          assert.deepEqual(bytes.subarray(at, at + header.length), header);
          assert.ok(bytes.subarray(at + header.length, at + one - 2).equals(value), `reply ${i} intact`);
        }
        await until('the output to be gone', async () => (await clientFields(admin, 'slow'))?.['omem'] === '0');
      } finally {
        sock.destroy();
      }
    });

    test('output piling up behind a client that does not read counts against its limit', async () => {
      assert.equal((await admin.call('SET', 'mb', randomBytes(1024 * 1024))).toString(), '+OK\r\n');
      await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 4mb 0 0');
      const sock = await connect({ port: srv.port, host: '127.0.0.1' });
      try {
        const closed = new Promise<void>((resolve) => sock.on('close', () => resolve()));
        sock.pause();
        sock.write(encodeCommand(['CLIENT', 'SETNAME', 'hog']));
        await until('the name', async () => (await clientFields(admin, 'hog')) !== undefined);
        // One 1 MB reply at a time, each written out before the next command arrives: only
        // what waits behind the socket can pass the 4 MB limit.
        let sent = 0;
        while ((await clientFields(admin, 'hog')) !== undefined) {
          assert.ok(sent < 64, 'the hog was never dropped');
          const calls = await getCalls(admin);
          sock.write(encodeCommand(['GET', 'mb']));
          sent++;
          await until('the GET to run', async () => (await getCalls(admin)) > calls);
        }
        assert.ok(sent >= 4, `dropped after ${sent} replies`);
        sock.resume();
        await closed;
        assert.equal((await admin.call('PING')).toString(), '+PONG\r\n');
      } finally {
        sock.destroy();
        await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0');
      }
    });

    test('QUIT answers +OK and closes; what follows it is not run', async () => {
      const sock = await connect({ port: srv.port, host: '127.0.0.1' });
      const got: Buffer[] = [];
      sock.on('data', (d: Buffer) => got.push(d));
      const closed = new Promise<void>((resolve) => sock.on('close', () => resolve()));
      sock.write('QUIT\r\nSET after:quit 1\r\n');
      await closed;
      assert.equal(Buffer.concat(got).toString(), '+OK\r\n');
      assert.equal((await admin.call('EXISTS', 'after:quit')).toString(), ':0\r\n');
    });

    test('a peer that closes leaves the client list', async () => {
      const a = await RawClient.connect(srv.port);
      assert.equal((await a.call('CLIENT', 'SETNAME', 'leaver')).toString(), '+OK\r\n');
      a.close();
      await until('the closed client to go', async () => (await clientFields(admin, 'leaver')) === undefined);
    });

    test('a blocked client whose peer half-closes is dropped; what it queued is not run', async () => {
      const sock = await connect({ port: srv.port, host: '127.0.0.1' });
      const closed = new Promise<void>((resolve) => sock.on('close', () => resolve()));
      sock.resume(); // replies are read (and dropped), so the server's close is seen
      sock.write(encodeCommand(['CLIENT', 'SETNAME', 'halfclose']));
      sock.write(encodeCommand(['BLPOP', 'halfclose:list', '0']));
      await until('BLPOP to block', async () => (await clientFields(admin, 'halfclose'))?.['flags'] === 'b');
      sock.write(encodeCommand(['SET', 'halfclose:after', '1']));
      sock.end();
      await closed;
      await until('the blocked client to go', async () => (await clientFields(admin, 'halfclose')) === undefined);
      assert.equal((await admin.call('EXISTS', 'halfclose:after')).toString(), ':0\r\n');
      // Nothing is left waiting on the key: a push stays in the list.
      assert.equal((await admin.call('LPUSH', 'halfclose:list', 'x')).toString(), ':1\r\n');
      assert.equal((await admin.call('DEL', 'halfclose:list')).toString(), ':1\r\n');
    });

    test('a blocked client is still held to the query buffer limit', async () => {
      await admin.call('CONFIG', 'SET', 'client-query-buffer-limit', '1mb');
      const sock = await connect({ port: srv.port, host: '127.0.0.1' });
      try {
        const closed = new Promise<void>((resolve) => sock.on('close', () => resolve()));
        sock.on('error', () => {});
        sock.resume();
        sock.write(encodeCommand(['CLIENT', 'SETNAME', 'blockedhog']));
        sock.write(encodeCommand(['BLPOP', 'blockedhog:list', '0']));
        await until('BLPOP to block', async () => (await clientFields(admin, 'blockedhog'))?.['flags'] === 'b');
        // Whole commands, 2 MB in all, that cannot run while the client is blocked.
        const set = encodeCommand(['SET', 'blockedhog:k', randomBytes(64 * 1024)]);
        for (let i = 0; i < 32; i++) sock.write(set);
        await closed;
        await until('the client to go', async () => (await clientFields(admin, 'blockedhog')) === undefined);
        assert.equal((await admin.call('EXISTS', 'blockedhog:k')).toString(), ':0\r\n');
      } finally {
        sock.destroy();
        await admin.call('CONFIG', 'SET', 'client-query-buffer-limit', '1gb');
      }
    });

    test('peers that reset at once are neither refused nor left behind', async () => {
      const resets = Array.from(
        { length: 200 },
        () =>
          new Promise<void>((resolve) => {
            const s = net.connect({ port: srv.port, host: '127.0.0.1' }, () => s.resetAndDestroy());
            s.on('error', () => {});
            s.on('close', () => resolve());
          }),
      );
      await Promise.all(resets);
      await until('only the admin client left', async () => {
        const [info] = decodeReply(await admin.call('INFO', 'clients'));
        return /connected_clients:1\r\n/.test(String(info));
      });
      const [stats] = decodeReply(await admin.call('INFO', 'stats'));
      assert.match(String(stats), /rejected_connections:0\r\n/);
    });

    test('maxclients refuses with the error, then accepts again', async () => {
      const [info] = decodeReply(await admin.call('INFO', 'clients'));
      const connected = Number(/connected_clients:(\d+)/.exec(String(info))![1]);
      await admin.call('CONFIG', 'SET', 'maxclients', String(connected));
      try {
        const sock = await connect({ port: srv.port, host: '127.0.0.1' });
        const got: Buffer[] = [];
        sock.on('data', (d: Buffer) => got.push(d));
        await new Promise<void>((resolve) => sock.on('close', () => resolve()));
        assert.equal(Buffer.concat(got).toString(), '-ERR max number of clients reached\r\n');
      } finally {
        await admin.call('CONFIG', 'SET', 'maxclients', '10000');
      }
      const again = await RawClient.connect(srv.port);
      assert.equal((await again.call('PING')).toString(), '+PONG\r\n');
      again.close();
    });

    test('the unix socket serves split commands too', async () => {
      const sock = await connect({ path: unixPath });
      try {
        let got = collect(sock, 5);
        sock.write(encodeCommand(['CLIENT', 'SETNAME', 'unix']));
        assert.equal((await got).toString(), '+OK\r\n');
        const cmd = encodeCommand(['ECHO', 'over unix']);
        sock.write(cmd.subarray(0, 7));
        await until('the first part to be read', async () => Number((await clientFields(admin, 'unix'))?.['qbuf']) > 0);
        got = collect(sock, 15);
        sock.write(cmd.subarray(7));
        assert.equal((await got).toString(), '$9\r\nover unix\r\n');
      } finally {
        sock.destroy();
      }
    });
  });
}
