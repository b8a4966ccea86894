#!/usr/bin/env node
// redoubt-server: a drop-in for redis-server. Same argv, same config file, same log lines.

import { loadServerConfig, ConfigLoadError } from '../config/load.js';
import { startServer, type RunningServer } from '../server/lifecycle.js';
import { REDIS_VERSION, REDOUBT_VERSION } from '../server/version.js';
import { shutdownSave } from '../persist/rdb-file.js';
import { StartupFailure } from '../server/startup-failure.js';

function usage(): void {
  process.stderr.write(
    [
      'Usage: ./redoubt-server [/path/to/redis.conf] [options] [-]',
      '       ./redoubt-server - (read config from stdin)',
      '       ./redoubt-server -v or --version',
      '       ./redoubt-server -h or --help',
      '',
      'Examples:',
      '       ./redoubt-server (run the server with default conf)',
      '       ./redoubt-server /etc/redis/6379.conf',
      '       ./redoubt-server --port 7777',
      '       ./redoubt-server /etc/myredis.conf --loglevel verbose -',
      '',
    ].join('\n'),
  );
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === '-v' || argv[0] === '--version') {
    process.stdout.write(
      `Redis server v=${REDIS_VERSION} sha=00000000:0 malloc=libc bits=64 build=redoubt-${REDOUBT_VERSION}\n`,
    );
    return;
  }
  if (argv[0] === '-h' || argv[0] === '--help') {
    usage();
    return;
  }
  let loaded;
  try {
    loaded = loadServerConfig(argv);
  } catch (e) {
    if (e instanceof ConfigLoadError) {
      // Redis logs some start-up failures (unreadable config file) on stdout, as log lines.
      (e.logLine ? process.stdout : process.stderr).write(e.message + '\n');
      process.exit(1);
    }
    throw e;
  }
  // Signal handlers go in before start-up: a SIGTERM that arrives right after "Ready to accept
  // connections" must still shut down cleanly (pidfile removed), not kill the process outright.
  let running: RunningServer | null = null;
  let stopRequested: number | null = null;
  let stopping = false;
  const stop = (code: number): void => {
    if (running === null) {
      stopRequested = code;
      return;
    }
    if (stopping) return;
    stopping = true;
    running.server.log.warning('Received shutdown request, scheduling shutdown...');
    running.server.log.warning('Redoubt is now ready to exit, bye bye...');
    void running.stop().then(() => process.exit(code));
  };
  // A signal saves first when save points are configured, as Redis does; if the save fails the
  // server keeps running rather than lose the data (SHUTDOWN saves in its own handler).
  const onSignal = (): void => {
    if (running !== null && !stopping && !shutdownSave(running.server, false, false)) {
      running.server.log.warning('Errors trying to shut down the server. Check the logs for more information.');
      return;
    }
    stop(0);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // Redis ignores SIGHUP; Redoubt reopens its audit log file (logrotate) and does nothing else.
  process.on('SIGHUP', () => running?.server.audit?.reopen());
  try {
    running = await startServer(loaded.store, { configFile: loaded.configFile });
  } catch (e) {
    // A failure the server already explained in its log (a damaged AOF...) is not repeated.
    if (!(e instanceof StartupFailure)) process.stdout.write(`${process.pid}:M # ${(e as Error).message}\n`);
    process.exit(1);
  }
  running.server.shutdownHandler = stop;
  if (stopRequested !== null) stop(stopRequested);
}

void main(process.argv.slice(2));
