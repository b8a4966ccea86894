// The disk-error check (Redis writeCommandsDeniedByDiskError): while persistence is known to be
// failing, commands that would change the data — and PING, so that monitoring notices — are
// refused with -MISCONF instead of being accepted and then lost. The gate and scripts share it.

import type { Server } from '../server/server.js';
import { persistState, savePoints } from './rdb-file.js';
import { aofState } from './aof.js';

export type DiskError = { kind: 'rdb' } | { kind: 'aof'; reason: string };

const BGSAVE_ERR =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

const SCRIPT_HINT = "Writable scripts are blocked. Use 'no-writes' flag for read only scripts.";

/** Which persistence is failing, or null when the disk is healthy. */
export function diskError(server: Server): DiskError | null {
  // Cheapest test first: this runs before every write command.
  if (
    !persistState(server).lastBgsaveOk &&
    server.config.bool('stop-writes-on-bgsave-error') &&
    savePoints(server).length > 0
  ) {
    return { kind: 'rdb' };
  }
  const aof = aofState(server);
  if (aof.on && aof.writeError !== null) return { kind: 'aof', reason: aof.writeError };
  return null;
}

/** The -MISCONF error for a command (no leading '-'), or null when the disk is healthy. */
export function diskErrorRefusal(server: Server): string | null {
  const e = diskError(server);
  if (e === null) return null;
  return e.kind === 'rdb' ? BGSAVE_ERR : `MISCONF Errors writing to the AOF file: ${e.reason}`;
}

/** The -MISCONF error for starting a script that may write, or null. */
export function scriptDiskErrorRefusal(server: Server): string | null {
  const e = diskError(server);
  if (e === null) return null;
  return e.kind === 'rdb'
    ? `MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. ${SCRIPT_HINT}`
    : `MISCONF Redis is configured to persist data to AOF, but it's currently unable to persist to disk. ${SCRIPT_HINT} AOF error: ${e.reason}`;
}
