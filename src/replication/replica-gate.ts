// The gate's replica steps, in Redis's processCommand order: the master client obeys without
// checks; normal clients of a read-only replica cannot write; and while the link is down with
// replica-serve-stale-data off, only commands flagged `stale` run. Decisions use command
// flags (and, for EXEC, the flags of what was queued), never names.

import type { Client } from '../server/client.js';
import { CLIENT } from '../server/client.js';
import type { Command } from '../commands/registry.js';
import { CMD } from '../commands/flags.js';
import { E } from '../protocol/errors.js';
import { multiCommands } from '../commands/multi.js';
import type { Server } from '../server/server.js';
import type { ReplicaLink } from './replica.js';

// The registry lives here, not in replica.ts, so that the gate does not import the link's
// module (and through it the blocking layer, which imports the gate).
const links = new WeakMap<Server, ReplicaLink>();

/** The server's replica side (null before installReplica). */
export function linkOf(server: Server): ReplicaLink | null {
  return links.get(server) ?? null;
}

export function registerLink(server: Server, link: ReplicaLink): void {
  links.set(server, link);
}

const MASTERDOWN = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";

/** True for the connection to this server's primary: its commands are applied unchecked. */
export function obeysMaster(c: Client): boolean {
  return c.has(CLIENT.master);
}

/**
 * No maxmemory step for this command: the master client, or any client of a replica with
 * replica-ignore-maxmemory (Redis evicts nothing there: the primary's DELs decide).
 */
export function skipsMaxmemory(c: Client): boolean {
  return obeysMaster(c) || (c.server.repl.isReplica && c.server.config.bool('replica-ignore-maxmemory'));
}

/** The commands queued by an open transaction (read from the MULTI layer's per-client state). */
function queued(c: Client): readonly { cmd: Command }[] {
  const tx = c.ext.tx as { queue?: { cmd: Command }[] } | undefined;
  return c.has(CLIENT.multi) ? (tx?.queue ?? []) : [];
}

function isExec(cmd: Command): boolean {
  return cmd.handler === multiCommands.exec;
}

/** READONLY: a write (or EXEC of queued writes) from a normal client of a read-only replica. */
export function readOnlyRefusal(c: Client, writes: boolean): string | null {
  const server = c.server;
  if (!writes || !server.repl.isReplica || !server.config.bool('replica-read-only')) return null;
  return E.readonlyReplica;
}

/** MASTERDOWN: the link is down, stale data must not be served and cmd is not `stale`. */
export function staleRefusal(c: Client, cmd: Command, flags = cmd.flags): string | null {
  const link = linkOf(c.server);
  if (link === null || !link.active || link.linkUp || c.server.config.bool('replica-serve-stale-data')) return null;
  const denied = isExec(cmd) ? queued(c).some((q) => !q.cmd.has(CMD.stale)) : (flags & CMD.stale) === 0;
  return denied ? MASTERDOWN : null;
}
