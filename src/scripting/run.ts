// One script invocation: the run context (who called, the script's own client, what it may
// do) and the gate every redis.call/pcall passes — Redis's scriptCall order: lookup + arity,
// noscript, ACL, write permission (read-only scripts, read-only replica, min-replicas), OOM
// (only before the script's first write), then dispatch's call() so that statistics,
// keyspace notifications and replication propagation happen as for any command.

import type { Client } from '../server/client.js';
import { CLIENT } from '../server/client.js';
import type { Command } from '../commands/registry.js';
import { CMD } from '../commands/flags.js';
import { call } from '../commands/dispatch.js';
import { E, errorCode } from '../protocol/errors.js';
import { debugSettings } from '../commands/debug.js';
import { trackingOf } from '../pubsub/install.js';
import { enoughGoodReplicas } from '../replication/registry.js';
import { diskErrorRefusal } from '../persist/disk-error.js';

/** Script flags from a shebang line or a function registration. */
export const SCRIPT_FLAG = {
  noWrites: 1,
  allowOom: 2,
  allowStale: 4,
  noCluster: 8,
  allowCrossSlot: 16,
  /** An EVAL script without a shebang: Redis 6 rules (writes decided per command). */
  evalCompat: 32,
} as const;

export const SCRIPT_FLAG_NAMES: readonly [string, number][] = [
  ['no-writes', SCRIPT_FLAG.noWrites],
  ['allow-oom', SCRIPT_FLAG.allowOom],
  ['allow-stale', SCRIPT_FLAG.allowStale],
  ['no-cluster', SCRIPT_FLAG.noCluster],
  ['allow-cross-slot-keys', SCRIPT_FLAG.allowCrossSlot],
];

export interface RunCtx {
  caller: Client;
  /** The script's own client: commands run as it, their replies land in its writer. */
  sc: Client;
  /** sha (EVAL) or function name (FCALL), for error messages. */
  funcname: string;
  readOnly: boolean;
  allowOom: boolean;
  /** A write command already ran: later state checks must not fail the script halfway. */
  dirty: boolean;
  /** The server was out of memory when the script started. */
  oomAtStart: boolean;
  /** Date.now() after which the script is stopped (Infinity: no limit). */
  deadline: number;
  /** redis.set_repl flags (accepted; effects are always replicated). */
  replFlags: number;
}

const ACL_DENIAL: Record<string, string> = {
  command: "can't run this command or subcommand",
  key: "can't access at least one of the keys mentioned in the command arguments",
  channel: "can't publish to the channel mentioned in the command",
};

/** Whether a server in replica-read-only mode refuses a write here. */
function readonlyReplica(c: Client): boolean {
  return c.server.repl.isReplica && c.server.config.bool('replica-read-only');
}

function notEnoughReplicas(c: Client): boolean {
  return !c.server.repl.isReplica && !enoughGoodReplicas(c.server);
}

/** The reason a command may not run from this script, or null. Errors with a code start with '-'. */
function refusal(run: RunCtx, cmd: Command, argv: string[]): string | null {
  if (cmd.has(CMD.noscript) && !debugSettings.disableDenyScripts)
    return 'This Redis command is not allowed from script';
  const caller = run.caller;
  const server = caller.server;
  const saved = caller.ext['aclContext'];
  caller.ext['aclContext'] = 'lua';
  const verdict = server.security.check(caller, cmd, argv);
  caller.ext['aclContext'] = saved;
  if (!verdict.ok) return `The user executing the script ${ACL_DENIAL[verdict.reason]}`;
  if (run.readOnly && cmd.has(CMD.write | CMD.may_replicate)) {
    return 'Write commands are not allowed from read-only scripts.';
  }
  if (!cmd.has(CMD.write) || run.dirty) return null;
  if (readonlyReplica(caller)) return '-' + E.readonlyReplica;
  const disk = caller.has(CLIENT.master) ? null : diskErrorRefusal(server);
  if (disk !== null) return '-' + disk;
  if (notEnoughReplicas(caller)) return '-' + E.noReplicas;
  if (!run.allowOom && run.oomAtStart && cmd.has(CMD.denyoom)) return '-' + E.oom;
  return null;
}

/**
 * Runs one command for a script. Returns null when it ran (its reply is in run.sc's writer,
 * an error reply included) or the refusal text (already counted as a rejected call).
 */
export function scriptCall(run: RunCtx, argv: string[]): string | null {
  const server = run.caller.server;
  const cmd = server.commands.lookup(argv);
  let err: string | null;
  if (cmd === undefined) err = 'Unknown Redis command called from script';
  else if (!cmd.arityOk(argv.length)) err = 'Wrong number of args calling Redis command from script';
  else err = refusal(run, cmd, argv);
  if (err !== null) {
    // Counted once here (errorstats, rejected_calls); the script's final error is not counted again.
    server.stats.countError(err.startsWith('-') ? errorCode(err.slice(1)) : 'ERR');
    if (cmd !== undefined) cmd.stats.rejectedCalls++;
    return err;
  }
  if (cmd!.has(CMD.write)) run.dirty = true;
  // Tracking NOLOOP: a script's writes must not invalidate its caller's own keys (Redis
  // compares with the caller, not with the script client), so the caller's tracking is
  // hidden while the command runs; the key still leaves the table, as with NOLOOP.
  const caller = run.caller;
  const st = caller.has(CLIENT.tracking) ? trackingOf(server).state(caller) : undefined;
  const hide = st !== undefined && st.noloop && !st.bcast;
  if (hide) caller.flags &= ~CLIENT.tracking;
  try {
    call(run.sc, cmd!, argv);
  } finally {
    if (hide) caller.flags |= CLIENT.tracking;
  }
  // Client-side caching: a script that reads makes its caller track the keys it declared.
  if (cmd!.has(CMD.readonly)) {
    const top = server.commands.lookup(caller.argv);
    if (top !== undefined) trackingOf(server).trackCallerKeys(caller, caller.argv, top);
  }
  return null;
}

/** Script clients and the client each is running a script for (Redis's script_caller). */
const scriptClients = new WeakMap<Client, Client>();

/** The client whose script c is running commands for, or null (c is not a script client). */
export function scriptCallerOf(c: Client): Client | null {
  return scriptClients.get(c) ?? null;
}

/**
 * Whether c is a script's own client (Redis's CLIENT_SCRIPT): for commands that behave
 * differently when run from a script (XREAD BLOCK refused, SORT output ordered).
 */
export function isScriptClient(c: Client): boolean {
  return scriptClients.has(c);
}

/** Prepares the script client for a run on behalf of caller. */
export function bindScriptClient(sc: Client, caller: Client): void {
  scriptClients.set(sc, caller);
  sc.select(caller.dbIndex);
  sc.user = caller.user;
  sc.authenticated = true;
  sc.resp = 2;
  sc.flags = CLIENT.denyBlocking | (caller.flags & CLIENT.multi);
  sc.reply.take();
}

/** Clears what a run left on the script client. */
export function releaseScriptClient(sc: Client): void {
  sc.flags = CLIENT.denyBlocking;
  sc.reply.take();
}
