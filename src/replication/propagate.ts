// What the replication stream receives, decided the way Redis 7.0's call() decides it: a
// command that changed the dataset (server.dirty moved) is propagated as it was typed, unless
// its handler rewrote it (SET EX → SET PXAT, GETDEL → DEL...), prevented it, or forced it. Any
// command may add more (alsoPropagate: lazily expired keys, the pops of a served BLPOP...).
// Everything one top-level command produced goes out together when it returns — wrapped in
// MULTI/EXEC when there is more than one, so a replica applies it atomically (EXEC, scripts).
// Handlers never see the stream; the primary side installs the sink.

import type { Client } from '../server/client.js';
import type { Command } from '../commands/registry.js';
import { CMD } from '../commands/flags.js';

/** Per-command propagation requests a handler can make (Client.propFlags). */
export const PROP = {
  /** Propagate even though the dataset did not change (PUBLISH, SCRIPT LOAD...). */
  force: 1,
  /** Do not propagate this command itself (its alsoPropagate() ops still go). */
  prevent: 2,
} as const;

interface PropOp {
  db: number;
  argv: readonly string[];
}

/** Receives each command to replicate, in order, with the db it applies to. */
export type PropagationSink = (db: number, argv: readonly string[]) => void;

const MULTI: readonly string[] = ['MULTI'];
const EXEC: readonly string[] = ['EXEC'];

export class Propagator {
  private ops: PropOp[] = [];
  /** Nesting of call() (EXEC and scripts run commands inside a command): only depth 0 flushes. */
  depth = 0;
  /** Where commands go; null while nothing replicates (no backlog, no replica): no work at all. */
  sink: PropagationSink | null = null;

  get enabled(): boolean {
    return this.sink !== null;
  }

  /** Queues a command to propagate after the current top-level command (Redis alsoPropagate). */
  also(db: number, argv: readonly string[]): void {
    if (this.sink !== null) this.ops.push({ db, argv });
  }

  /**
   * Sends what the finished top-level command produced. More than one op is wrapped in
   * MULTI/EXEC unless the command may touch arbitrary keys (SCAN, RANDOMKEY expiring what
   * they meet: independent deletions, like active expiry).
   */
  flush(cmd: Command | null): void {
    const ops = this.ops;
    if (ops.length === 0) return;
    this.ops = [];
    const sink = this.sink;
    if (sink === null) return;
    const wrap = ops.length > 1 && (cmd === null || !cmd.has(CMD.touches_arbitrary_keys));
    // MULTI takes the first op's db so that any SELECT goes before it; EXEC the last's so
    // that none is injected before it.
    if (wrap) sink(ops[0]!.db, MULTI);
    for (const op of ops) sink(op.db, op.argv);
    if (wrap) sink(ops[ops.length - 1]!.db, EXEC);
  }

  /** Outside any command (active expiry, eviction in cron): each op goes out on its own. */
  now(db: number, argv: readonly string[]): void {
    if (this.sink === null) return;
    if (this.depth > 0) this.ops.push({ db, argv });
    else this.sink(db, argv);
  }
}

/** Propagate `argv` instead of what the client typed (Redis rewriteClientCommandVector). */
export function rewritePropagation(c: Client, argv: string[]): void {
  c.propArgv = argv;
}

/** The command itself is not propagated (its handler propagated what it did another way). */
export function preventPropagation(c: Client): void {
  c.propFlags |= PROP.prevent;
}

/** The command is propagated even if the dataset did not change. */
export function forcePropagation(c: Client): void {
  c.propFlags |= PROP.force;
}

/** Adds a command to the replication stream after the running command (db = its database). */
export function alsoPropagate(c: Client, db: number, argv: readonly string[]): void {
  c.server.prop.also(db, argv);
}
