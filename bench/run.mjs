// npm run bench: redis-benchmark against Redoubt and a real redis-server in the same run,
// printed as ratios (Redoubt requests/s divided by redis-server requests/s).
//   node bench/run.mjs [--requests N] [--clients C]
import { spawn, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const REQUESTS = arg('--requests', 200000);
const CLIENTS = arg('--clients', 50);
const TESTS = 'set,get,incr,mset';

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

async function start(cmd, args) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('Ready to accept')) resolve();
    });
    child.once('exit', (c) => reject(new Error(`${cmd} exited ${c}: ${out}`)));
  });
  child.stdout.resume();
  return child;
}

function bench(port, pipeline) {
  const csv = execFileSync(
    '/usr/bin/redis-benchmark',
    [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-t',
      TESTS,
      '-n',
      String(REQUESTS),
      '-c',
      String(CLIENTS),
      '-P',
      String(pipeline),
      '--csv',
      '-q',
    ],
    { encoding: 'utf8' },
  );
  const rps = {};
  for (const line of csv.trim().split('\n').slice(1)) {
    const cols = line.split(',').map((c) => c.replace(/"/g, ''));
    rps[cols[0].split(' ')[0]] = Number(cols[1]);
  }
  return rps;
}

const [p1, p2] = [await freePort(), await freePort()];
const ours = await start(process.execPath, [
  path.join(root, 'dist/bin/redoubt-server.js'),
  '--port',
  String(p1),
  '--bind',
  '127.0.0.1',
  '--loglevel',
  'warning',
]);
const ref = await start('/usr/bin/redis-server', [
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
  console.log(`redis-benchmark: ${REQUESTS} requests, ${CLIENTS} clients; ratio = Redoubt / redis-server 7.0.15`);
  console.log('pipeline  test   redoubt rps   redis rps   ratio');
  for (const pipeline of [1, 16]) {
    const a = bench(p1, pipeline);
    const b = bench(p2, pipeline);
    for (const t of Object.keys(b)) {
      const ratio = (a[t] ?? 0) / b[t];
      console.log(
        `${String(pipeline).padStart(8)}  ${t.padEnd(5)} ${String(Math.round(a[t] ?? 0)).padStart(12)} ${String(Math.round(b[t])).padStart(11)}   ${ratio.toFixed(2)}x`,
      );
    }
  }
} finally {
  ours.kill('SIGTERM');
  ref.kill('SIGTERM');
}
