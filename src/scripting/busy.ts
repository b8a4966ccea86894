// Redis's BUSY state: a script that runs past busy-reply-threshold keeps running, but yields to
// the event loop now and then (see ScriptEngine.call) so that other clients are answered. Until
// it ends they get -BUSY for everything but the commands flagged allow-busy (the gate in
// commands/dispatch.ts); SCRIPT KILL / FUNCTION KILL stop a script that has not written yet,
// SHUTDOWN NOSAVE ends the server.

import type { Server } from '../server/server.js';
import type { RunCtx } from './run.js';

export interface BusyScript {
  run: RunCtx;
  /** EVAL/EVALSHA (SCRIPT KILL) rather than FCALL (FUNCTION KILL). */
  isEval: boolean;
  /** Date.now() when the script started (FUNCTION STATS duration_ms). */
  started: number;
  /** The command that started it (FUNCTION STATS). */
  argv: readonly string[];
  /** SCRIPT KILL / FUNCTION KILL asked: the script fails at its next line. */
  killed: boolean;
}

export const BUSY_EVAL = 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.';
export const BUSY_FUNCTION = 'BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.';
export const KILLED = 'Script killed by user with SCRIPT KILL...';

const busy = new WeakMap<Server, BusyScript>();

/** The script the server is busy with (it ran past the threshold and yields), or null. */
export function busyScript(server: Server): BusyScript | null {
  return busy.get(server) ?? null;
}

export function setBusy(server: Server, b: BusyScript | null): void {
  if (b === null) busy.delete(server);
  else busy.set(server, b);
  server.yieldingCommand = b !== null;
}

/** The -BUSY refusal for commands arriving now, or null when no script is busy. */
export function busyRefusal(server: Server): string | null {
  if (!server.yieldingCommand) return null; // every command asks: no map lookup when idle
  const b = busy.get(server);
  if (b === undefined) return null;
  return b.isEval ? BUSY_EVAL : BUSY_FUNCTION;
}

/** SCRIPT KILL (isEval) / FUNCTION KILL: null when the kill was accepted, else the error reply. */
export function killBusy(server: Server, isEval: boolean): string | null {
  const b = busy.get(server);
  if (b === undefined) return 'NOTBUSY No scripts in execution right now.';
  if (b.run.dirty) {
    return 'UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.';
  }
  // SCRIPT KILL does not stop a function, nor FUNCTION KILL an EVAL script.
  if (isEval !== b.isEval) return b.isEval ? BUSY_EVAL : BUSY_FUNCTION;
  b.killed = true;
  return null;
}
