// Servers on a port picked from a fixed range, for tests that must stay inside the ports they
// were given (parallel runs on one host each own a range) or that bind beyond loopback. Both
// servers take a config file first, as their command lines do.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { REDIS_SERVER, SERVER_JS, launch, onFreePort, type Proc } from './server.js';

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

/** The first port in [lo, hi] nothing listens on (on any address), or an error. */
export async function portIn(lo: number, hi: number): Promise<number> {
  for (let p = lo; p <= hi; p++) if (await isFree(p, '0.0.0.0')) return p;
  throw new Error(`no free port in ${lo}-${hi}`);
}

export interface StartOptions {
  /** Port range to pick from. */
  lo: number;
  hi: number;
  configFile?: string;
  /** Bind address(es), space-separated; loopback unless given. */
  bind?: string;
  args?: string[];
}

/** One argument per address: `--bind a b`, as both servers take it. */
const binds = (o: StartOptions): string[] => (o.bind ?? '127.0.0.1').split(' ');

/** The built Redoubt on a port of the range. */
export function redoubtIn(o: StartOptions): Promise<Proc> {
  return onFreePort(
    () => portIn(o.lo, o.hi),
    (port) => spawnRedoubt(port, o),
  );
}

function spawnRedoubt(port: number, o: StartOptions): Promise<Proc> {
  const argv = [SERVER_JS, ...(o.configFile ? [o.configFile] : [])];
  argv.push('--port', String(port), '--bind', ...binds(o), ...(o.args ?? []));
  // An empty working directory of its own: the default `dir` is where dump.rdb goes.
  return launch(process.execPath, argv, port, mkdtempSync(path.join(tmpdir(), 'redoubt-test-')));
}

/** Debian's redis-server 7.0.15 on a port of the range, persistence off, in a folder of its own. */
export function redisIn(o: StartOptions): Promise<Proc> {
  return onFreePort(
    () => portIn(o.lo, o.hi),
    (port) => spawnRedis(port, o),
  );
}

function spawnRedis(port: number, o: StartOptions): Promise<Proc> {
  const dir = mkdtempSync(path.join(tmpdir(), 'redoubt-ref-'));
  const argv = [...(o.configFile ? [o.configFile] : [])];
  argv.push('--port', String(port), '--bind', ...binds(o), '--save', '', '--appendonly', 'no');
  argv.push('--dir', dir, ...(o.args ?? []));
  return launch(REDIS_SERVER, argv, port);
}
