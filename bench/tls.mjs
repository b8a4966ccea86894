// TLS benchmark: Redoubt vs a real redis-server, both with TLS (same certificates, mutual TLS),
// in the same run, printed as ratios (Redoubt / redis-server).
//   - redis-benchmark --tls GET/SET at pipeline 1 and 16 (keepalive on)
//   - handshake storm: new TLS connections per second (redis-benchmark -t ping -k 0, each
//     request on a fresh connection: a full TLS handshake + PING + close)
//   node bench/tls.mjs [--requests N] [--clients C] [--storm N] [--repeat R]
// Ports 22896-22899. The certificates are made with openssl in a temp dir.
import { execFileSync } from 'node:child_process';
import { startServer } from './lib.mjs';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const REQUESTS = arg('--requests', 200000);
const CLIENTS = arg('--clients', 50);
const STORM = arg('--storm', 5000);
const PORTS = { ours: [22896, 22897], redis: [22898, 22899] };

for (const bin of ['/usr/bin/redis-benchmark', '/usr/bin/redis-server', '/usr/bin/openssl']) {
  if (!existsSync(bin)) {
    console.log(`bench: ${bin} missing; skipped`);
    process.exit(0);
  }
}

function makeCerts() {
  const dir = mkdtempSync(path.join(tmpdir(), 'redoubt-bench-tls-'));
  const ssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=bench CA',
  );
  writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  for (const n of ['server', 'client']) {
    ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${n}.key`,
      '-out',
      `${n}.csr`,
      '-subj',
      `/CN=${n === 'server' ? 'localhost' : 'client'}`,
    );
    ssl(
      'x509',
      '-req',
      '-in',
      `${n}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${n}.crt`,
      '-days',
      '2',
      '-extfile',
      'ext.cnf',
    );
  }
  return dir;
}

function serverArgs(dir, [port, tlsPort]) {
  return [
    '--port',
    String(port),
    '--tls-port',
    String(tlsPort),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--tls-cert-file',
    path.join(dir, 'server.crt'),
    '--tls-key-file',
    path.join(dir, 'server.key'),
    '--tls-ca-cert-file',
    path.join(dir, 'ca.crt'),
  ];
}

function benchmark(dir, port, extra) {
  const csv = execFileSync(
    '/usr/bin/redis-benchmark',
    [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '--tls',
      '--cacert',
      path.join(dir, 'ca.crt'),
      '--cert',
      path.join(dir, 'client.crt'),
      '--key',
      path.join(dir, 'client.key'),
      '--csv',
      '-q',
      ...extra,
    ],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  const rps = {};
  for (const line of csv.trim().split('\n').slice(1)) {
    const cols = line.split(',').map((c) => c.replace(/"/g, ''));
    rps[cols[0].split(' ')[0]] = Number(cols[1]);
  }
  return rps;
}

const dir = makeCerts();
const ours = await startServer(process.execPath, [
  path.join(root, 'dist/bin/redoubt-server.js'),
  ...serverArgs(dir, PORTS.ours),
]);
const theirs = await startServer('/usr/bin/redis-server', serverArgs(dir, PORTS.redis));
const rows = [];
// The machine may be shared: each figure is the best of REPEAT alternating runs per server,
// after a warm-up run each.
const REPEAT = arg('--repeat', 2);
function best(extra, pick) {
  // One unmeasured run each first, as in bench/run.mjs: V8 compiles the hot paths meanwhile.
  benchmark(dir, PORTS.redis[1], extra);
  benchmark(dir, PORTS.ours[1], extra);
  let o = 0;
  let r = 0;
  for (let i = 0; i < REPEAT; i++) {
    r = Math.max(r, pick(benchmark(dir, PORTS.redis[1], extra)));
    o = Math.max(o, pick(benchmark(dir, PORTS.ours[1], extra)));
  }
  return [o, r];
}
try {
  for (const p of [1, 16]) {
    for (const t of ['SET', 'GET']) {
      const extra = ['-t', t.toLowerCase(), '-n', String(REQUESTS), '-c', String(CLIENTS), '-P', String(p)];
      rows.push([`${t} P${p}`, ...best(extra, (x) => x[t])]);
    }
  }
  // Handshake storm: keepalive off, so every PING is a new TLS connection.
  const storm = ['-t', 'ping_mbulk', '-n', String(STORM), '-c', '20', '-k', '0'];
  rows.push(['new TLS conns/s', ...best(storm, (x) => x.PING_MBULK)]);
} finally {
  ours.kill('SIGTERM');
  theirs.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}

console.log(`TLS benchmark (${REQUESTS} requests, ${CLIENTS} clients; storm ${STORM} connections, 20 clients)`);
console.log('test                 redoubt/s   redis/s     ratio');
for (const [name, o, r] of rows) {
  console.log(
    `${name.padEnd(20)} ${String(Math.round(o)).padStart(10)} ${String(Math.round(r)).padStart(10)}   ${(o / r).toFixed(2)}x`,
  );
}
