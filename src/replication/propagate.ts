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
  /** Propagate to replicas only, even though nothing changed (PUBLISH: not for the AOF). */
  forceRepl: 4,
} as const;

/** Where an op goes: the AOF, the replication stream, or both (Redis PROPAGATE_AOF|REPL). */
export const TARGET = { aof: 1, repl: 2, both: 3 } as const;

interface PropOp {
  db: number;
  argv: readonly string[];
  target: number;
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
  /** The append-only file's feed, null while appendonly is off (persist/aof.ts). */
  aof: PropagationSink | null = null;
  /** Called once after each batch of ops (appendfsync always writes the AOF there). */
  afterBatch: (() => void) | null = null;

  get enabled(): boolean {
    return this.sink !== null || this.aof !== null;
  }

  /** Queues a command to propagate after the current top-level command (Redis alsoPropagate). */
  also(db: number, argv: readonly string[], target: number = TARGET.both): void {
    if (this.enabled) this.ops.push({ db, argv, target });
  }

  private emit(db: number, argv: readonly string[], target: number): void {
    if (this.aof !== null && (target & TARGET.aof) !== 0) this.aof(db, argv);
    if (this.sink !== null && (target & TARGET.repl) !== 0) this.sink(db, argv);
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
    if (!this.enabled) return;
    const wrap = ops.length > 1 && (cmd === null || !cmd.has(CMD.touches_arbitrary_keys));
    // MULTI takes the first op's db so that any SELECT goes before it; EXEC the last's so
    // that none is injected before it.
    if (wrap) this.emit(ops[0]!.db, MULTI, TARGET.both);
    for (const op of ops) this.emit(op.db, op.argv, op.target);
    if (wrap) this.emit(ops[ops.length - 1]!.db, EXEC, TARGET.both);
    if (this.afterBatch !== null) this.afterBatch();
  }

  /** Outside any command (active expiry, eviction in cron): each op goes out on its own. */
  now(db: number, argv: readonly string[]): void {
    if (!this.enabled) return;
    if (this.depth > 0) {
      this.ops.push({ db, argv, target: TARGET.both });
    } else {
      this.emit(db, argv, TARGET.both);
      if (this.afterBatch !== null) this.afterBatch();
    }
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

/** The command goes to replicas even if the dataset did not change, but not into the AOF. */
export function forceReplication(c: Client): void {
  c.propFlags |= PROP.forceRepl;
}

/** Adds a command to the replication stream after the running command (db = its database). */
export function alsoPropagate(c: Client, db: number, argv: readonly string[]): void {
  c.server.prop.also(db, argv);
}
