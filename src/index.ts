// In-process API for Node test suites: a real Redoubt server on loopback, no native build.
//
//   import { RedoubtServer } from 'redoubt';
//   const server = new RedoubtServer({ requirepass: 's3cret' });
//   await server.start();          // port 0 (default here) picks a free port
//   ... connect to server.host:server.port ...
//   await server.stop();
//
// Options are config directives (same names as redis.conf; values as strings, numbers or
// booleans, arrays for multi-argument directives such as `save`).

import { ConfigStore } from './config/store.js';
import { startServer, type RunningServer } from './server/lifecycle.js';

export type RedoubtOptions = Record<string, string | number | boolean | readonly (string | number)[]>;

function toArgs(v: RedoubtOptions[string]): string[] {
  if (typeof v === 'boolean') return [v ? 'yes' : 'no'];
  if (Array.isArray(v)) return v.map(String);
  return [String(v)];
}

export class RedoubtServer {
  private running: RunningServer | null = null;
  private lastPort = 0;
  private readonly options: RedoubtOptions;

  constructor(options: RedoubtOptions = {}) {
    this.options = { port: 0, bind: '127.0.0.1', ...options };
  }

  /** Starts listening; rejects with the reason when a directive is invalid or the port is taken. */
  async start(): Promise<void> {
    if (this.running !== null) throw new Error('RedoubtServer already started');
    // In-process: `dir` must not chdir the host process (its test runner relies on its cwd).
    const store = new ConfigStore({ chdirOnDir: false });
    let port: number | undefined;
    for (const [name, value] of Object.entries(this.options)) {
      if (name === 'port' && Number(value) === 0) {
        port = 0;
        continue;
      }
      const err = store.setInitial(name, toArgs(value));
      if (err !== null) throw new Error(`Invalid option ${name}: ${err}`);
    }
    // Quiet unless the caller asked for logs with loglevel or logfile.
    const quiet = this.options.loglevel === undefined && this.options.logfile === undefined;
    this.running = await startServer(store, { port, quiet });
    this.lastPort = this.running.port;
  }

  /** The listening TCP port; after stop(), the port it had (so callers can check it is closed). */
  get port(): number {
    if (this.running === null && this.lastPort === 0) throw new Error('RedoubtServer not started');
    return this.running?.port ?? this.lastPort;
  }

  get host(): string {
    const bind = String(this.options.bind ?? '127.0.0.1')
      .split(' ')[0]!
      .replace(/^-/, '');
    return bind === '*' ? '127.0.0.1' : bind;
  }

  /** redis://host:port, handy for node-redis and ioredis. */
  get url(): string {
    return `redis://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  async stop(): Promise<void> {
    const r = this.running;
    this.running = null;
    if (r !== null) await r.stop();
  }
}

export { REDIS_VERSION, REDOUBT_VERSION } from './server/version.js';
