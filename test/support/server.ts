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
    // 'close', not 'exit': by then everything the server printed has been read.
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${buf.s}`));
    });
    check();
  });
}

/** Spawns a server and resolves once it logs 'Ready to accept' (rejects if it exits first). */
export async function launch(
  cmd: string,
  args: string[],
  port: number,
  cwd?: string,
  env?: NodeJS.ProcessEnv,
): Promise<Proc> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd, env: env && { ...process.env, ...env } });
  const buf = { s: '' };
  child.stdout!.setEncoding('latin1');
  child.stderr!.setEncoding('latin1');
  child.stdout!.on('data', (d: string) => (buf.s += d));
  child.stderr!.on('data', (d: string) => (buf.s += d));
  await waitFor(child, buf, 'Ready to accept', 15000).catch((e: unknown) => {
    // Never leave a server behind that started but did not log readiness in time.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    throw e;
  });
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

/** A start-up that failed only because its port was taken after it was picked. */
const portTaken = (e: unknown): boolean =>
  e instanceof Error && /Failed listening on port|Address already in use|EADDRINUSE/i.test(e.message);

/**
 * Starts a server on a port from `pick`, picking again when the port was taken between the pick
 * and the server's bind: by a parallel test's server, or as the local port of some outgoing
 * connection (a kernel-chosen free port lies in the same ephemeral range those come from).
 */
export async function onFreePort(pick: () => Promise<number>, start: (port: number) => Promise<Proc>): Promise<Proc> {
  for (let attempt = 1; ; attempt++) {
    const port = await pick();
    try {
      return await start(port);
    } catch (e) {
      if (attempt === 5 || !portTaken(e)) throw e;
    }
  }
}

/** Starts the built Redoubt with extra argv (e.g. ['--requirepass', 'x']) and environment. */
export function startRedoubt(args: string[] = [], configFile?: string, env?: NodeJS.ProcessEnv): Promise<Proc> {
  return onFreePort(freePort, (port) => spawnRedoubt(port, args, configFile, env));
}

function spawnRedoubt(port: number, args: string[], configFile?: string, env?: NodeJS.ProcessEnv): Promise<Proc> {
  // Each server runs in an empty directory of its own (the default `dir` is the working
  // directory), so a dump.rdb one test leaves is never loaded by the next. Without a config
  // file, save points are off unless the test's own args set them.
  const cwd = mkdtempSync(path.join(tmpdir(), 'redoubt-test-'));
  const argv = [SERVER_JS, ...(configFile ? [configFile] : []), '--port', String(port), '--bind', '127.0.0.1'];
  if (!configFile) argv.push('--save', '');
  return launch(process.execPath, [...argv, ...args], port, cwd, env);
}

/** Starts Debian's redis-server 7.0.15 with persistence off, in an empty directory of its own. */
export function startRedis(args: string[] = []): Promise<Proc> {
  return onFreePort(freePort, (port) => spawnRedis(port, args));
}

function spawnRedis(port: number, args: string[]): Promise<Proc> {
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
