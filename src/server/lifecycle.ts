// Starting and stopping a server: config → Server → listeners → cron. Shared by the
// redoubt-server binary and the in-process API.

import { Server } from './server.js';
import { Listeners } from '../net/listeners.js';
import type { ConfigStore } from '../config/store.js';
import { rmSync, writeFileSync } from 'node:fs';
import { REDIS_VERSION, REDOUBT_VERSION } from './version.js';
import { logStartupWarnings } from './startup-checks.js';
import { installPersistence, loadAtStartup } from '../persist/rdb-file.js';
import { stopReplica } from '../replication/replica.js';
import { installAof, loadAofAtStartup } from '../persist/aof.js';

export class RunningServer {
  constructor(
    readonly server: Server,
    readonly listeners: Listeners,
  ) {}

  get port(): number {
    return this.listeners.port;
  }

  async stop(): Promise<void> {
    this.server.stopCron();
    stopReplica(this.server);
    await this.listeners.close();
    await this.server.audit?.close();
    removePidFile(this.server);
  }
}

export async function startServer(
  config: ConfigStore,
  opts: { port?: number; configFile?: string | null; quiet?: boolean } = {},
): Promise<RunningServer> {
  const server = new Server(config);
  server.configFile = opts.configFile ?? null;
  const log = server.log;
  log.silent = opts.quiet ?? false;
  log.warning('oO0OoO0OoO0Oo Redoubt is starting oO0OoO0OoO0Oo');
  log.warning(
    `Redoubt version=${REDOUBT_VERSION}, Redis version=${REDIS_VERSION}, bits=64, pid=${process.pid}, just started`,
  );
  log.warning(
    opts.configFile ? 'Configuration loaded' : 'Warning: no config file specified, using the default config.',
  );
  const listeners = new Listeners(server);
  await listeners.listen(opts.port);
  log.notice(
    `Redoubt ${REDOUBT_VERSION} (Redis ${REDIS_VERSION} compatible) running mode=standalone, port=${listeners.port}, PID: ${process.pid}`,
  );
  logStartupWarnings(server);
  log.warning('Server initialized');
  installPersistence(server);
  installAof(server);
  // With appendonly yes the AOF is the dataset and the RDB file is not read, as in Redis.
  if (config.bool('appendonly')) loadAofAtStartup(server);
  else loadAtStartup(server);
  writePidFile(server);
  server.startCron();
  log.notice('Ready to accept connections tcp');
  return new RunningServer(server, listeners);
}

/** pidfile: written once listening (owner-only, like every file Redoubt creates), removed at stop. */
function writePidFile(server: Server): void {
  const file = server.config.str('pidfile');
  if (file === '') return;
  try {
    writeFileSync(file, `${process.pid}\n`, { mode: 0o600 });
  } catch (e) {
    server.log.warning(`Failed to write PID file: ${(e as Error).message}`);
  }
}

function removePidFile(server: Server): void {
  const file = server.config.str('pidfile');
  if (file !== '') rmSync(file, { force: true });
}
