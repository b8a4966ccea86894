// The command flags a script call really has (Redis's getCommandFlags): EVAL, EVALSHA and FCALL
// carry no write/denyoom bits of their own, but a script that declares flags says whether it
// writes, may run out of memory or may run on a stale replica. The gate judges the call by those,
// so a writing script meets the same refusals (read-only replica, -MISCONF, NOREPLICAS, OOM) as a
// write command.

import type { Client } from '../server/client.js';
import type { Command } from '../commands/registry.js';
import { CMD } from '../commands/flags.js';
import { SCRIPT_FLAG } from './run.js';
import { peekEngine, sha1hex } from './engine.js';
import { peekFunctions } from './functions.js';

/** How a command names its script: by body, by sha, or by function name. */
export type ScriptRef = 'body' | 'sha' | 'function';

/** Command flags from declared script flags (Redis's scriptFlagsToCmdFlags). */
export function scriptFlagsToCmdFlags(cmdFlags: number, scriptFlags: number): number {
  let f = cmdFlags & ~(CMD.stale | CMD.denyoom | CMD.write | CMD.may_replicate);
  // no-writes implies allow-oom.
  if ((scriptFlags & (SCRIPT_FLAG.allowOom | SCRIPT_FLAG.noWrites)) === 0) f |= CMD.denyoom;
  if ((scriptFlags & SCRIPT_FLAG.noWrites) === 0) f |= CMD.write;
  if ((scriptFlags & SCRIPT_FLAG.allowStale) !== 0) f |= CMD.stale;
  return f;
}

/** The declared flags of the script argv names, or null (unknown script, or no shebang). */
function declaredFlags(
  c: Client,
  ref: ScriptRef,
  name: string,
  parseBody: (body: string) => number | null,
): number | null {
  if (ref === 'function') return peekFunctions(c.server)?.functions.get(name.toLowerCase())?.flags ?? null;
  const sha = ref === 'sha' ? name.toLowerCase() : sha1hex(name);
  const cached = peekEngine(c.server)?.scripts.get(sha)?.flags;
  const flags = cached ?? (ref === 'body' ? parseBody(name) : null);
  return flags === null || (flags & SCRIPT_FLAG.evalCompat) !== 0 ? null : flags;
}

/** The flags the gate should judge this call by. */
export function effectiveFlags(
  c: Client,
  cmd: Command,
  argv: readonly string[],
  ref: ScriptRef,
  parseBody: (body: string) => number | null,
): number {
  const declared = argv.length > 1 ? declaredFlags(c, ref, argv[1]!, parseBody) : null;
  return declared === null ? cmd.flags : scriptFlagsToCmdFlags(cmd.flags, declared);
}
