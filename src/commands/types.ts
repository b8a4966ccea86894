// What a command implementation looks like. Handlers get the client state and the arguments
// (latin1 strings) and write into c.reply; they never see a socket.

import type { Client } from '../server/client.js';

export type Handler = (c: Client, argv: string[]) => void;

/**
 * Implementations by command name: "get", or "config|get" for a subcommand. The table in
 * table.generated.ts supplies arity, flags, categories and key specs; only commands that have
 * an implementation here are dispatched and listed by COMMAND.
 */
export type CommandImpls = Record<string, Handler>;

/** Optional key extraction for commands whose keys the specs cannot find (movablekeys). */
export type GetKeys = (argv: readonly string[]) => number[];
