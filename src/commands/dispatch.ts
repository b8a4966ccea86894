// The one ordered gate every command passes, in Redis's processCommand order:
// lookup → arity → protected → auth → MULTI-allowed → ACL → OOM → pub/sub context →
// MULTI queue or call. Every rejection goes through reject(), which also flags an open
// transaction so that EXEC fails with EXECABORT.

import type { Client } from '../server/client.js';
import { CLIENT } from '../server/client.js';
import type { Command } from './registry.js';
import type { ReplyMark } from '../protocol/reply.js';
import { CMD } from './flags.js';
import { E, arityError, unknownCommand, unknownSubcommand } from '../protocol/errors.js';
import { queuedCommandFlags } from '../server/multi.js';
import { multiCommands } from './multi.js';
import { PROP, TARGET } from '../replication/propagate.js';
import { enoughGoodReplicas } from '../replication/registry.js';
import { obeysMaster, readOnlyRefusal, skipsMaxmemory, staleRefusal } from '../replication/replica-gate.js';
import { busyRefusal } from '../scripting/busy.js';
import { monoNow } from '../server/clock.js';

/** Hooks for the transaction layer: queueing inside MULTI and aborting EXEC. */
export interface MultiLayer {
  /** Queues the command (the client is in MULTI and cmd is not one that runs immediately). */
  queue(c: Client, cmd: Command, argv: string[]): void;
  /** Marks the open transaction as failed (an error was returned while queueing). */
  flag(c: Client): void;
  /** True for commands that run at once inside MULTI (EXEC, DISCARD, MULTI, WATCH, QUIT, RESET). */
  runsImmediately(cmd: Command): boolean;
  /** EXEC refused by the gate: aborts with EXECABORT and the reason; false for other commands. */
  execRejected?(c: Client, cmd: Command, msg: string): boolean;
}

export const gate = {
  multi: null as MultiLayer | null,
  /** Commands allowed for a RESP2 client in subscribed state (ids filled by the pub/sub layer). */
  pubsubAllowed: new Set<number>(),
  /** Runs after each top-level command (not inside EXEC/scripts): serves blocked clients. */
  afterCommand: null as ((c: Client) => void) | null,
  /** Protected commands and the enable-* config that governs each, by command id. */
  protectedBy: new Map<number, string>(),
  /** The -MISCONF refusal while persistence is failing, or null (installed by persistence). */
  diskError: null as ((c: Client) => string | null) | null,
  /** Commands refused on a disk error although they write nothing (PING, so monitoring notices). */
  refusedOnDiskError: new Set<number>(),
  /** The flags a call is judged by when they depend on its arguments (scripts), else cmd.flags. */
  flagsOf: null as ((c: Client, cmd: Command, argv: readonly string[]) => number) | null,
};

function reject(c: Client, cmd: Command | null, msg: string): void {
  if (cmd !== null) cmd.stats.rejectedCalls++;
  if (c.has(CLIENT.multi)) gate.multi?.flag(c);
  // CLIENT REPLY OFF / SKIP silence refusals too; the error still counts in the stats.
  const mark = (c.flags & (CLIENT.replyOff | CLIENT.replySkip)) !== 0 ? c.reply.mark() : null;
  if (cmd === null || !c.has(CLIENT.multi) || gate.multi?.execRejected?.(c, cmd, msg) !== true) c.reply.error(msg);
  if (c.has(CLIENT.master)) errorToMaster(c, cmd);
  if (mark !== null) c.reply.rewind(mark);
  endReplySkip(c);
}

/** CLIENT REPLY SKIP drops the reply of the next command only, whether it ran or was refused. */
export function endReplySkip(c: Client): void {
  if (c.has(CLIENT.replySkip)) c.flags &= ~CLIENT.replySkip;
  if (c.has(CLIENT.replySkipNext)) {
    c.flags &= ~CLIENT.replySkipNext;
    c.flags |= CLIENT.replySkip;
  }
}

/** enable-debug-command / enable-module-command: "yes", or "local" from a loopback/unix client. */
function protectedAllowed(c: Client, setting: string): boolean {
  if (setting === 'yes') return true;
  if (setting !== 'local') return false;
  return c.has(CLIENT.unixSocket) || /^(127\.|\[::1\]|::1|::ffff:127\.)/.test(c.addr);
}

/** A write command, or EXEC of a transaction that queued one (Redis's is_write_command). */
function writesData(c: Client, cmd: Command, flags: number): boolean {
  if ((flags & CMD.write) !== 0) return true;
  return cmd.handler === multiCommands.exec && (queuedCommandFlags(c) & CMD.write) !== 0;
}

/**
 * min-replicas-to-write / min-replicas-max-lag: writes need that many good replicas (online,
 * acknowledged within the lag), as Redis's checkGoodReplicasStatus.
 */
function goodReplicasEnough(c: Client): boolean {
  return enoughGoodReplicas(c.server);
}

export function processCommand(c: Client, argv: string[]): void {
  const server = c.server;
  const cmd = server.commands.lookup(argv);
  if (cmd === undefined) {
    const container = server.commands.isContainer(argv[0]!) && argv.length >= 2;
    return reject(c, null, container ? unknownSubcommand(argv[0]!, argv[1]!) : unknownCommand(argv));
  }
  c.lastCmd = cmd;
  c.argv = argv;
  if (!cmd.arityOk(argv.length)) return reject(c, cmd, arityError(cmd.fullname));
  if (cmd.has(CMD.protected)) {
    const cfg = gate.protectedBy.get(cmd.id);
    if (cfg === undefined || !protectedAllowed(c, server.config.str(cfg))) {
      server.audit?.denied(c, cmd, 'protected', cmd.fullname);
      const what = (cmd.parent ?? cmd).name.toUpperCase();
      return reject(
        c,
        cmd,
        `ERR ${what} command not allowed. If the ${cfg ?? 'enable-' + what.toLowerCase() + '-command'} option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.`,
      );
    }
  }
  if (server.security.authRequired(c) && !cmd.has(CMD.no_auth)) return reject(c, cmd, E.noAuth);
  if (c.has(CLIENT.multi) && cmd.has(CMD.no_multi)) return reject(c, cmd, E.multiNotAllowed);
  const verdict = server.security.check(c, cmd, argv);
  if (!verdict.ok) {
    const msg =
      verdict.reason === 'command'
        ? `NOPERM this user has no permissions to run the '${cmd.fullname}' command`
        : `NOPERM this user has no permissions to access one of the ${verdict.reason === 'key' ? 'keys' : 'channels'} used as arguments`;
    return reject(c, cmd, msg);
  }
  // The master client (replication) obeys: no OOM, read-only or stale refusals (auth and ACL
  // pass it through the security provider the replica side installs).
  const obey = obeysMaster(c);
  // Only commands that run a script (EVAL*, FCALL*: all flagged noscript) have flags that
  // depend on their arguments; the cheap flag test keeps the lookup off every other command.
  const flags = gate.flagsOf !== null && (cmd.flags & CMD.noscript) !== 0 ? gate.flagsOf(c, cmd, argv) : cmd.flags;
  // No eviction while a script is busy: its keys must not change under it (checked below).
  const busy = busyRefusal(server);
  if (busy === null && server.oomCheck !== null && !skipsMaxmemory(c) && server.oomCheck(c, cmd, flags)) {
    return reject(c, cmd, E.oom);
  }
  const writes = writesData(c, cmd, flags);
  if (!obey && gate.diskError !== null && (writes || gate.refusedOnDiskError.has(cmd.id))) {
    const refusal = gate.diskError(c);
    if (refusal !== null) return reject(c, cmd, refusal);
  }
  if (writes && !server.repl.isReplica && !goodReplicasEnough(c)) return reject(c, cmd, E.noReplicas);
  // The replica steps cost nothing on a primary (the common case).
  const replica = server.repl.isReplica;
  const readOnly = obey || !replica ? null : readOnlyRefusal(c, writes);
  if (readOnly !== null) return reject(c, cmd, readOnly);
  if (c.has(CLIENT.pubsub) && c.resp === 2 && !gate.pubsubAllowed.has((cmd.parent ?? cmd).id)) {
    return reject(
      c,
      cmd,
      `ERR Can't execute '${cmd.fullname}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
    );
  }
  const stale = obey || !replica ? null : staleRefusal(c, cmd, flags);
  if (stale !== null) return reject(c, cmd, stale);
  // A script past busy-reply-threshold: only allow-busy commands (SHUTDOWN checks NOSAVE itself).
  if (busy !== null && !cmd.has(CMD.allow_busy)) return reject(c, cmd, busy);
  if (c.has(CLIENT.multi) && gate.multi !== null && !gate.multi.runsImmediately(cmd)) {
    gate.multi.queue(c, cmd, argv);
    return;
  }
  deferrable = c;
  if (call(c, cmd, argv)) return;
  // Blocked clients are served once the busy script ends, not after commands allowed meanwhile.
  if (gate.afterCommand !== null && busy === null) gate.afterCommand(c);
}

/**
 * A replica's command from its primary failed: the datasets may now differ, which Redis logs as
 * critical (propagation-error-behavior ignore, its default) and counts in unexpected_error_replies.
 */
function errorToMaster(c: Client, cmd: Command | null): void {
  c.server.stats.unexpectedErrorReplies++;
  c.server.log.warning(
    `== CRITICAL == This replica is sending an error to its master: '${c.reply.lastError}' after processing the command '${cmd?.fullname ?? '<unknown>'}'`,
  );
}

/** The client whose top-level command call() is about to run (it may defer its completion). */
let deferrable: Client | null = null;
/** The client whose handler is running now and may call deferCall. */
let deferAllowed: Client | null = null;
/** Set by deferCall during the handler; filled in by call() when the handler returns. */
let deferring: { finish: (() => void) | null } | null = null;

/** Whether the running handler, on behalf of c, may defer its completion (deferCall). */
export function canDefer(c: Client): boolean {
  return deferAllowed === c;
}

/**
 * For a handler that goes on after it returns (a busy script yielding to the event loop;
 * check canDefer first): call() then leaves the command open — statistics, propagation,
 * reply suppression, post-command work — and the client reads no further commands, until
 * the returned function is called when the work really ends.
 */
export function deferCall(c: Client): () => void {
  const d: { finish: (() => void) | null } = { finish: null };
  if (deferAllowed === c) deferring = d;
  return () => d.finish?.();
}

/**
 * Runs a command: statistics, the frozen clock, reply suppression and post-command hooks.
 * True when the handler deferred its completion (see deferCall): the rest happens later.
 */
export function call(c: Client, cmd: Command, argv: string[]): boolean {
  const server = c.server;
  const replyMode = c.flags & (CLIENT.replyOff | CLIENT.replySkip);
  const mark = replyMode !== 0 ? c.reply.mark() : null;
  const errorsBefore = c.reply.errors;
  c.argv = argv;
  if (server.audit !== null) server.audit.before(c, cmd, argv);
  const t0 = monoNow();
  const outer = server.currentClient;
  server.currentClient = c;
  const prop = server.prop;
  const dirty = server.dirty;
  const outerArgv = c.propArgv;
  const outerFlags = c.propFlags;
  c.propArgv = null;
  c.propFlags = 0;
  // Not under CLIENT REPLY OFF/SKIP: their reply mark would not survive the flushes meanwhile.
  const mayDefer = deferrable === c && prop.depth === 0 && mark === null;
  deferrable = null;
  // A command run by the handler (a script's redis.call) must not end the outer permission.
  const outerAllowed = deferAllowed;
  deferAllowed = mayDefer ? c : null;
  prop.depth++;
  server.runFrozen(cmd.handler!, c, argv, t0);
  deferAllowed = outerAllowed;
  server.currentClient = outer;
  const d = mayDefer ? deferring : null;
  deferring = null;
  if (d === null) {
    prop.depth--;
    finishCall(c, cmd, argv, mark, errorsBefore, t0, dirty, outerArgv, outerFlags);
    return false;
  }
  // The propagation depth stays raised until the end: what the work queues goes out together.
  c.control?.setPaused(true);
  d.finish = () => {
    prop.depth--;
    finishCall(c, cmd, argv, mark, errorsBefore, t0, dirty, outerArgv, outerFlags);
    if (gate.afterCommand !== null) gate.afterCommand(c);
    c.control?.setPaused(false);
  };
  return true;
}

/**
 * The end of call(): propagation, statistics, reply suppression and hooks. The state saved at
 * the start comes as arguments (no object per command on the hot path).
 */
function finishCall(
  c: Client,
  cmd: Command,
  argv: string[],
  mark: ReplyMark | null,
  errorsBefore: number,
  t0: number,
  dirty: number,
  outerArgv: string[] | null,
  outerFlags: number,
): void {
  const server = c.server;
  const prop = server.prop;
  // EXEC is never propagated itself: its commands were, each by its own call().
  // A command that resets dirty (DEBUG LOADAOF, SAVE-like resets) changed nothing to replicate.
  if (prop.enabled && cmd.handler !== multiCommands.exec) propagateCall(c, argv, server.dirty > dirty);
  c.propArgv = outerArgv;
  c.propFlags = outerFlags;
  const usec = Math.round((monoNow() - t0) * 1000);
  if (server.audit !== null) server.audit.after(c, cmd, argv, c.reply.errors === errorsBefore);
  cmd.stats.calls++;
  cmd.stats.usec += usec;
  if (c.reply.errors !== errorsBefore) {
    cmd.stats.failedCalls++;
    if (c.has(CLIENT.master)) errorToMaster(c, cmd);
  }
  server.stats.totalCommands++;
  // CLIENT REPLY ON clears the flags before writing its OK, which must go out.
  if (mark !== null && (c.flags & (CLIENT.replyOff | CLIENT.replySkip)) !== 0) c.reply.rewind(mark);
  endReplySkip(c);
  for (const h of server.hooks.commandExecuted) h(c, argv, usec, cmd);
  if (prop.depth === 0) prop.flush(cmd);
}

/** Queues the command that just ran for the replication stream, as its handler asked. */
function propagateCall(c: Client, argv: string[], changed: boolean): void {
  const flags = c.propFlags;
  if ((flags & PROP.prevent) !== 0) return;
  let target = changed || (flags & PROP.force) !== 0 ? TARGET.both : 0;
  if ((flags & PROP.forceRepl) !== 0) target |= TARGET.repl;
  if (target !== 0) c.server.prop.also(c.dbIndex, c.propArgv ?? argv, target);
}
