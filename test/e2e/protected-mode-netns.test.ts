// protected-mode against a client on a real non-loopback address: a network namespace joined
// to the host by a veth pair on a private test subnet (10.203.X.0/24). The server listens on
// the host end and on loopback; the client runs inside the namespace. Refused with the DENIED
// text and the connection closed while the default user has no password; let in once a
// password is set or protected-mode is off. Compared byte for byte with redis-server 7.0.15.
// Needs root and iproute2's `ip`: skipped with the reason otherwise.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hasRedis, type Proc } from '../support/server.js';
import { redisIn, redoubtIn } from '../support/fixed-port.js';
import { RawClient } from '../support/raw-client.js';

const PORTS = { lo: 27630, hi: 27649 };
const IP = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((p) => existsSync(p));
const tag = `${process.pid % 100000}`;
const NS = `rdbt-pm-${tag}`;
const HOST_IF = `rdbtpm${tag}h`;
const NS_IF = `rdbtpm${tag}n`;
let subnet = '';
let setupSkip: string | false = false;
const procs: Proc[] = [];

function ip(...args: string[]): void {
  execFileSync(IP!, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A 10.203.X.0/24 no interface of the host uses yet (the namespace's addresses are ours). */
function freeSubnet(): string | null {
  const used = execFileSync(IP!, ['-4', '-o', 'addr', 'show'], { encoding: 'latin1' });
  for (let i = 0; i < 250; i++) {
    const x = (process.pid + i) % 250;
    if (!used.includes(` 10.203.${x}.`)) return `10.203.${x}`;
  }
  return null;
}

function setUp(): string | false {
  if (IP === undefined) return 'iproute2 (`ip`) is not installed';
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  const net = freeSubnet();
  if (net === null) return 'no free 10.203.X.0/24 test subnet';
  try {
    ip('netns', 'add', NS);
  } catch (e) {
    return `cannot create a network namespace: ${String((e as { stderr?: Buffer }).stderr ?? e).trim()}`;
  }
  try {
    ip('link', 'add', HOST_IF, 'type', 'veth', 'peer', 'name', NS_IF);
    ip('link', 'set', NS_IF, 'netns', NS);
    ip('addr', 'add', `${net}.1/24`, 'dev', HOST_IF);
    ip('link', 'set', HOST_IF, 'up');
    ip('-n', NS, 'addr', 'add', `${net}.2/24`, 'dev', NS_IF);
    ip('-n', NS, 'link', 'set', NS_IF, 'up');
    ip('-n', NS, 'link', 'set', 'lo', 'up');
  } catch (e) {
    tearDown();
    return `cannot set up the veth pair: ${String((e as { stderr?: Buffer }).stderr ?? e).trim()}`;
  }
  subnet = net;
  return false;
}

function tearDown(): void {
  // Deleting the namespace destroys its veth end, and with it the pair.
  spawnSync(IP!, ['netns', 'del', NS], { stdio: 'ignore' });
  spawnSync(IP!, ['link', 'del', HOST_IF], { stdio: 'ignore' });
}

before(() => {
  setupSkip = setUp();
  if (setupSkip !== false) console.log(`# protected-mode-netns skipped: ${setupSkip}`);
});
after(async () => {
  for (const p of procs) await p.stop();
  if (IP !== undefined && setupSkip === false) tearDown();
});

// Runs inside the namespace: connect, send PING, print what came back and whether the server
// closed the connection (within 3s).
const CLIENT_JS = `
const net = require('node:net');
const [host, port, ...cmds] = process.argv.slice(1);
const s = net.connect({ host, port: Number(port) });
let got = '';
const done = (closed) => { process.stdout.write(JSON.stringify({ got, closed })); process.exit(0); };
setTimeout(() => done(false), 3000);
s.setEncoding('latin1');
s.on('connect', () => s.write(cmds.map((c) => c + '\\r\\n').join('')));
s.on('data', (d) => {
  got += d;
  if (got.split('\\r\\n').length > cmds.length && !got.startsWith('-DENIED')) done(false);
});
s.on('close', () => done(true));
s.on('error', (e) => { got += '<' + e.code + '>'; });
`;

function fromNamespace(port: number, ...cmds: string[]): { got: string; closed: boolean } {
  const out = execFileSync(
    IP!,
    ['netns', 'exec', NS, process.execPath, '-e', CLIENT_JS, `${subnet}.1`, String(port), ...cmds],
    {
      encoding: 'latin1',
    },
  );
  return JSON.parse(out) as { got: string; closed: boolean };
}

async function local(port: number, ...argv: string[]): Promise<string> {
  const c = await RawClient.connect(port);
  try {
    return (await c.call(...argv)).toString('latin1');
  } finally {
    c.close();
  }
}

const DENIED =
  '-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. ' +
  'In this mode connections are only accepted from the loopback interface. ' +
  'If you want to connect from external computers to Redis you may adopt one of the following solutions: ' +
  "1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface " +
  'by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible ' +
  'from internet if you do so. Use CONFIG REWRITE to make this change permanent. ' +
  '2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the ' +
  "protected mode option to 'no', and then restarting the server. " +
  "3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. " +
  '4) Setup a an authentication password for the default user. ' +
  'NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n';

/** The whole scenario against one server; returns every observation, for comparison. */
async function scenario(p: Proc): Promise<unknown[]> {
  const seen: unknown[] = [];
  const refused = fromNamespace(p.port, 'PING');
  assert.deepEqual(refused, { got: DENIED, closed: true });
  seen.push(refused);
  // Loopback is still served.
  assert.equal(await local(p.port, 'PING'), '+PONG\r\n');
  // A password for the default user lets the remote client in (and makes it authenticate).
  assert.equal(await local(p.port, 'CONFIG', 'SET', 'requirepass', 'pw'), '+OK\r\n');
  const withPass = fromNamespace(p.port, 'PING', 'AUTH pw', 'PING');
  assert.deepEqual(withPass, { got: '-NOAUTH Authentication required.\r\n+OK\r\n+PONG\r\n', closed: false });
  seen.push(withPass);
  const c = await RawClient.connect(p.port);
  try {
    assert.equal((await c.call('AUTH', 'pw')).toString(), '+OK\r\n');
    assert.equal((await c.call('CONFIG', 'SET', 'requirepass', '')).toString(), '+OK\r\n');
    seen.push(fromNamespace(p.port, 'PING'));
    assert.deepEqual(seen.at(-1), { got: DENIED, closed: true });
    // protected-mode off: no password needed.
    assert.equal((await c.call('CONFIG', 'SET', 'protected-mode', 'no')).toString(), '+OK\r\n');
  } finally {
    c.close();
  }
  const open = fromNamespace(p.port, 'PING');
  assert.deepEqual(open, { got: '+PONG\r\n', closed: false });
  seen.push(open);
  return seen;
}

const opts = (): { lo: number; hi: number; bind: string; args: string[] } => ({
  ...PORTS,
  bind: `${subnet}.1 127.0.0.1`,
  args: ['--protected-mode', 'yes'],
});

test('protected-mode refuses a non-loopback client until a password is set or it is off', async (t) => {
  if (setupSkip !== false) return t.skip(setupSkip);
  const p = await redoubtIn(opts());
  procs.push(p);
  const mine = await scenario(p);
  if (!hasRedis()) return t.diagnostic('redis-server 7.0.15 not installed: not compared');
  const ref = await redisIn(opts());
  procs.push(ref);
  assert.deepEqual(mine, await scenario(ref));
});

test('protected-mode also guards a server bound to every address (`*`)', async (t) => {
  if (setupSkip !== false) return t.skip(setupSkip);
  const p = await redoubtIn({ ...opts(), bind: '*' });
  procs.push(p);
  assert.deepEqual(fromNamespace(p.port, 'PING'), { got: DENIED, closed: true });
  assert.equal(await local(p.port, 'PING'), '+PONG\r\n');
  assert.match(await local(p.port, 'INFO', 'stats'), /rejected_connections:1\r\n/);
});
