// Starts real server processes for tests: the built Redoubt (dist/bin/redoubt-server.js) or
// Debian's redis-server, each on a free loopback port, and stops them by PID.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Repository root (works from test/support and from .test-build/test/support). */
export const ROOT = here.includes(`${path.sep}.test-build${path.sep}`)
  ? path.resolve(here, '../../..')
  : path.resolve(here, '../..');
export const SERVER_JS = path.join(ROOT, 'dist/bin/redoubt-server.js');
export const REDIS_SERVER = '/usr/bin/redis-server';
export const REDIS_CLI = '/usr/bin/redis-cli';

export function hasRedis(): boolean {
  return existsSync(REDIS_SERVER);
}

export function hasRedisCli(): boolean {
  return existsSync(REDIS_CLI);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Proc {
  port: number;
  child: ChildProcess;
  /** Everything the process printed on stdout so far. */
  output(): string;
  stop(): Promise<void>;
}

function waitFor(child: ChildProcess, buf: { s: string }, needle: string, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${needle}" after ${ms}ms:\n${buf.s}`)), ms);
    const check = (): void => {
      if (buf.s.includes(needle)) {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${buf.s}`));
    });
    check();
  });
}

async function launch(cmd: string, args: string[], port: number, cwd?: string, env?: NodeJS.ProcessEnv): Promise<Proc> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd, env: env && { ...process.env, ...env } });
  const buf = { s: '' };
  child.stdout!.setEncoding('latin1');
  child.stderr!.setEncoding('latin1');
  child.stdout!.on('data', (d: string) => (buf.s += d));
  child.stderr!.on('data', (d: string) => (buf.s += d));
  await waitFor(child, buf, 'Ready to accept', 15000);
  return {
    port,
    child,
    output: () => buf.s,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        // The scratch directory stays: a test may restart a server from a rewritten config
        // that names it as `dir`.
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Starts the built Redoubt with extra argv (e.g. ['--requirepass', 'x']) and environment. */
export async function startRedoubt(args: string[] = [], configFile?: string, env?: NodeJS.ProcessEnv): Promise<Proc> {
  const port = await freePort();
  // Each server runs in an empty directory of its own (the default `dir` is the working
  // directory), so a dump.rdb one test leaves is never loaded by the next. Without a config
  // file, save points are off unless the test's own args set them.
  const cwd = mkdtempSync(path.join(tmpdir(), 'redoubt-test-'));
  const argv = [SERVER_JS, ...(configFile ? [configFile] : []), '--port', String(port), '--bind', '127.0.0.1'];
  if (!configFile) argv.push('--save', '');
  return launch(process.execPath, [...argv, ...args], port, cwd, env);
}

/** Starts Debian's redis-server 7.0.15 with persistence off, in an empty directory of its own. */
export async function startRedis(args: string[] = []): Promise<Proc> {
  const port = await freePort();
  // A dump.rdb left in the current directory would otherwise be loaded at start-up.
  const dir = mkdtempSync(path.join(tmpdir(), 'redoubt-ref-'));
  const argv = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    ...args,
  ];
  return launch(REDIS_SERVER, argv, port);
}
