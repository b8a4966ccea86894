// npm run bench: redis-benchmark against Redoubt and a real redis-server in the same run,
// printed as ratios (Redoubt's figure divided by redis-server's).
//   node bench/run.mjs [--requests N] [--clients C] [--rounds R] [--only core,types,pubsub,acl]
// Each figure is the median of R alternating runs per server (default 3), after one unmeasured
// warm-up run per server.
// Sections:
//   core    SET GET INCR MSET, pipeline 1 and 16
//   types   LPUSH LPOP SADD HSET ZADD and ZRANGE (0..9 WITHSCORES of a 100-member zset), pipeline 1
//   pubsub  PUBLISH with 50 subscribers: messages delivered per second (fan-out)
//   acl     Redoubt only: GET/SET as a user with 20 key patterns vs the default user (overhead)
import { execFile, execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { startServer } from './lib.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argOf = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : def;
};
const REQUESTS = Number(argOf('--requests', 200000));
const CLIENTS = Number(argOf('--clients', 50));
const ONLY = new Set(argOf('--only', 'core,types,pubsub,acl').split(','));
const ROUNDS = Number(argOf('--rounds', 3));

for (const bin of ['/usr/bin/redis-benchmark', '/usr/bin/redis-server']) {
  if (!existsSync(bin)) {
    console.log(`bench: ${bin} missing (apt-get install redis-server redis-tools); skipped`);
    process.exit(0);
  }
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

/** Runs redis-benchmark; returns requests/s by test name. `extra` is a custom command, if any. */
function bench(port, { tests, pipeline = 1, requests = REQUESTS, auth = [], extra = [] }) {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-n', String(requests), '-c', String(CLIENTS)];
  args.push('-P', String(pipeline), '--csv', '-q', ...auth);
  if (extra.length === 0) args.push('-t', tests);
  else args.push(...extra);
  const csv = execFileSync('/usr/bin/redis-benchmark', args, { encoding: 'utf8' });
  const rps = {};
  for (const line of csv.trim().split('\n').slice(1)) {
    const cols = line.split(',').map((c) => c.replace(/"/g, ''));
    rps[extra.length > 0 ? extra[0].toUpperCase() : cols[0].split(' ')[0]] = Number(cols[1]);
  }
  return rps;
}

/** redis-benchmark without blocking this process's event loop (for runs with local watchers). */
async function benchAsync(port, { requests, extra }) {
  const args = [
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-n',
    String(requests),
    '-c',
    String(CLIENTS),
    '-q',
    '--csv',
    ...extra,
  ];
  await promisify(execFile)('/usr/bin/redis-benchmark', args);
}

/**
 * Runs the same benchmark against both servers, alternating, ROUNDS times, and keeps each
 * test's median: a shared 2-core machine (or VM) swings by tens of percent from run to run,
 * and alternating makes both servers meet the same swings.
 */
function paired(pa, pb, opts) {
  // One unmeasured run each first: V8 compiles Redoubt's hot paths for this workload during
  // its first few hundred thousand requests (a fresh pipeline-16 run measures ~0.75x of the
  // next ones), and a server is measured as it runs for hours, not as it starts.
  bench(pa, opts);
  bench(pb, opts);
  const runsA = [];
  const runsB = [];
  for (let r = 0; r < ROUNDS; r++) {
    runsA.push(bench(pa, opts));
    runsB.push(bench(pb, opts));
  }
  return [medians(runsA), medians(runsB)];
}

function medians(runs) {
  const out = {};
  for (const k of Object.keys(runs[0])) {
    const v = runs.map((r) => r[k] ?? 0).sort((x, y) => x - y);
    out[k] = v[Math.floor((v.length - 1) / 2)];
  }
  return out;
}

function cli(port, ...args) {
  return execFileSync('/usr/bin/redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' });
}

function row(label, a, b) {
  const ratio = b > 0 ? a / b : 0;
  console.log(
    `${label.padEnd(24)} ${String(Math.round(a)).padStart(12)} ${String(Math.round(b)).padStart(12)}   ${ratio.toFixed(2)}x`,
  );
}

function compare(title, a, b) {
  console.log(`\n${title}`);
  console.log(`${'test'.padEnd(24)} ${'redoubt'.padStart(12)} ${'redis'.padStart(12)}   ratio`);
  for (const t of Object.keys(b)) row(t, a[t] ?? 0, b[t]);
}

/**
 * Opens n subscribers on `channel` as redis-cli processes writing into files, so that counting
 * deliveries costs this process nothing and a slow counter cannot back-pressure the server.
 */
async function subscribers(port, n, channel) {
  const dir = mkdtempSync(path.join(tmpdir(), 'redoubt-bench-sub-'));
  const procs = [];
  const files = [];
  for (let i = 0; i < n; i++) {
    const file = path.join(dir, `sub-${i}.txt`);
    const fd = openSync(file, 'w');
    procs.push(
      spawn('/usr/bin/redis-cli', ['-p', String(port), 'SUBSCRIBE', channel], { stdio: ['ignore', fd, 'ignore'] }),
    );
    closeSync(fd);
    files.push(file);
  }
  const size = () => files.reduce((sum, f) => sum + statSync(f).size, 0);
  // Every subscriber has printed its subscribe confirmation and the server counts all of them.
  const deadline = Date.now() + 10000;
  while (
    Number(cli(port, 'PUBSUB', 'NUMSUB', channel).split('\n')[1]) < n ||
    files.some((f) => statSync(f).size === 0)
  ) {
    if (Date.now() > deadline) throw new Error('subscribers did not subscribe');
    await sleep(10);
  }
  const base = size();
  return {
    delivered: (bytesPerMessage) => (size() - base) / bytesPerMessage,
    close: () => {
      for (const p of procs) p.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** PUBLISH through redis-benchmark while n subscribers listen; delivered messages per second. */
async function fanout(port, n) {
  const channel = 'bench:ch';
  const payload = 'hello-subscribers';
  // redis-cli prints a pushed message as three lines: "message", the channel, the payload.
  const perMessage = `message\n${channel}\n${payload}\n`.length;
  const subs = await subscribers(port, n, channel);
  const requests = Math.max(1000, Math.floor(REQUESTS / 10));
  const want = requests * n;
  const t0 = performance.now();
  await benchAsync(port, { requests, extra: ['publish', channel, payload] });
  const deadline = Date.now() + 30000;
  while (subs.delivered(perMessage) < want && Date.now() < deadline) await sleep(5);
  const secs = (performance.now() - t0) / 1000;
  const got = subs.delivered(perMessage);
  subs.close();
  if (got < want) console.log(`  (port ${port}: only ${got} of ${want} messages delivered within 30s)`);
  return { 'PUBLISH fan-out msgs/s': got / secs };
}

const [p1, p2] = [await freePort(), await freePort()];
const ours = await startServer(process.execPath, [
  path.join(root, 'dist/bin/redoubt-server.js'),
  '--port',
  String(p1),
  '--bind',
  '127.0.0.1',
  '--save',
  '',
]);
const ref = await startServer('/usr/bin/redis-server', [
  '--port',
  String(p2),
  '--bind',
  '127.0.0.1',
  '--save',
  '',
  '--appendonly',
  'no',
]);
try {
  console.log(
    `redis-benchmark: ${REQUESTS} requests, ${CLIENTS} clients, median of ${ROUNDS} alternating runs; ratio = Redoubt / redis-server 7.0.15`,
  );
  if (ONLY.has('core')) {
    for (const pipeline of [1, 16]) {
      const t = 'set,get,incr,mset';
      compare(`core, pipeline ${pipeline}`, ...paired(p1, p2, { tests: t, pipeline }));
    }
  }
  if (ONLY.has('types')) {
    const t = 'lpush,lpop,sadd,hset,zadd';
    const [a, b] = paired(p1, p2, { tests: t });
    for (const port of [p1, p2]) {
      const members = [];
      for (let i = 0; i < 100; i++) members.push(String(i), `member:${i}`);
      cli(port, 'ZADD', 'bench:z', ...members);
    }
    const zr = ['zrange', 'bench:z', '0', '9', 'WITHSCORES'];
    const [za, zb] = paired(p1, p2, { extra: zr });
    Object.assign(a, za);
    Object.assign(b, zb);
    compare('data types, pipeline 1', a, b);
  }
  if (ONLY.has('pubsub')) compare('Pub/Sub, 50 subscribers', await fanout(p1, 50), await fanout(p2, 50));
  if (ONLY.has('acl')) {
    const patterns = Array.from({ length: 20 }, (_, i) => `~app${i}:*`);
    cli(p1, 'ACL', 'SETUSER', 'bench', 'on', '>bench-pw', ...patterns, '~key:*', '+@all');
    const t = 'set,get';
    const plain = bench(p1, { tests: t });
    const restricted = bench(p1, { tests: t, auth: ['--user', 'bench', '-a', 'bench-pw'] });
    console.log('\nACL overhead (Redoubt only): user with 21 key patterns vs default user, pipeline 1');
    console.log(`${'test'.padEnd(24)} ${'restricted'.padStart(12)} ${'default'.padStart(12)}   ratio`);
    for (const k of Object.keys(plain)) row(k, restricted[k] ?? 0, plain[k]);
  }
} finally {
  ours.kill('SIGTERM');
  ref.kill('SIGTERM');
}
