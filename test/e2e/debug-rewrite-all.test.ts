// DEBUG CONFIG-REWRITE-FORCE-ALL (used by Redis's own "CONFIG REWRITE sanity" test): every
// config goes to the file, defaults included, and a server restarted from that file reports
// exactly the same CONFIG GET *. Errors compared byte for byte with redis-server 7.0.15.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hasRedis, type Proc } from '../support/server.js';
import { redisIn, redoubtIn } from '../support/fixed-port.js';
import { RawClient, decodeReply } from '../support/raw-client.js';

const PORTS = { lo: 27690, hi: 27709 };
const work = mkdtempSync(path.join(os.tmpdir(), 'redoubt-force-all-'));
const procs: Proc[] = [];
after(async () => {
  for (const p of procs) await p.stop();
  rmSync(work, { recursive: true, force: true });
});

async function run(port: number, ...cmds: string[][]): Promise<string[]> {
  const c = await RawClient.connect(port);
  try {
    const out: string[] = [];
    for (const argv of cmds) out.push((await c.call(...argv)).toString('latin1'));
    return out;
  } finally {
    c.close();
  }
}

async function allConfigs(port: number): Promise<Map<string, string>> {
  const [reply] = await run(port, ['CONFIG', 'GET', '*']);
  const flat = decodeReply(Buffer.from(reply!, 'latin1'))[0] as string[];
  const m = new Map<string, string>();
  for (let i = 0; i < flat.length; i += 2) m.set(flat[i]!, flat[i + 1]!);
  return m;
}

const DEBUG = ['--enable-debug-command', 'yes'];

test('without a config file it fails as Redis does; wrong arity is a syntax error', async () => {
  const p = await redoubtIn({ ...PORTS, args: DEBUG });
  procs.push(p);
  const cmds = [
    ['DEBUG', 'CONFIG-REWRITE-FORCE-ALL'],
    ['DEBUG', 'config-rewrite-force-all', 'x'],
  ];
  const mine = await run(p.port, ...cmds);
  assert.deepEqual(mine, [
    '-ERR CONFIG-REWRITE-FORCE-ALL failed: Bad address\r\n',
    "-ERR unknown subcommand or wrong number of arguments for 'config-rewrite-force-all'. Try DEBUG HELP.\r\n",
  ]);
  if (!hasRedis()) return;
  const ref = await redisIn({ ...PORTS, args: DEBUG });
  procs.push(ref);
  assert.deepEqual(await run(ref.port, ...cmds), mine);
});

test('writes every config, and a restart from the file reads the same values back', async () => {
  const file = path.join(work, 'redoubt.conf');
  writeFileSync(file, '# minimal\nmaxmemory 10mb\n');
  const p = await redoubtIn({ ...PORTS, configFile: file, args: [...DEBUG, '--dir', work] });
  procs.push(p);
  assert.deepEqual(await run(p.port, ['CONFIG', 'SET', 'hz', '25'], ['DEBUG', 'CONFIG-REWRITE-FORCE-ALL']), [
    '+OK\r\n',
    '+OK\r\n',
  ]);
  const before = await allConfigs(p.port);
  await p.stop();
  const text = readFileSync(file, 'latin1');
  // Defaults are written too (a plain CONFIG REWRITE leaves them out).
  for (const line of ['maxmemory 10mb', 'hz 25', 'timeout 0', 'tcp-keepalive 300', 'protected-mode yes']) {
    assert.ok(text.split('\n').includes(line), `missing "${line}"`);
  }
  const again = await redoubtIn({ ...PORTS, configFile: file });
  procs.push(again);
  const after = await allConfigs(again.port);
  // The port comes from the command line both times; everything else from the file.
  after.set('port', before.get('port')!);
  assert.deepEqual([...after].sort(), [...before].sort());
});
