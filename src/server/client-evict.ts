// maxmemory-clients (client eviction, Redis evictClients): while the memory of all normal and
// pub/sub clients together reaches the limit, the client using the most is closed, logged
// and counted in INFO evicted_clients. Clients with CLIENT NO-EVICT ON (and replicas) are
// never chosen, though their memory counts. The check runs after each command while a limit
// is set (so a reply that makes its own client too big is never sent), and on the cron tick.

import type { Server } from './server.js';
import { CLIENT, type Client } from './client.js';
import { clientMemory } from '../commands/memory.js';
import type { Command } from '../commands/registry.js';
import { clientInfoHooks, clientInfoString } from '../commands/client-cmd.js';
import { isReplica } from './obuf.js';
import { transactions } from './multi.js';
import { trackingOf } from '../pubsub/install.js';

/** Redis's floor: a smaller limit would leave no way to talk to the server. */
const MIN_LIMIT = 128 * 1024;

/** The limit in bytes (a percentage is of maxmemory), or 0 when client eviction is off. */
export function clientEvictionLimit(server: Server): number {
  const v = server.config.int('maxmemory-clients');
  let bytes: number;
  if (v < 0) {
    const max = server.config.int('maxmemory');
    if (max <= 0) return 0;
    bytes = Math.floor((max * -v) / 100);
  } else if (v > 0) {
    bytes = v;
  } else {
    return 0;
  }
  return Math.max(bytes, MIN_LIMIT);
}

/** Per subscription: a dict entry and the channel name object Redis keeps for the client. */
const SUBSCRIPTION_BYTES = 24 + 16 + 16;

/** Per BCAST tracking prefix: its radix-tree nodes, beyond the prefix bytes. */
const PREFIX_NODE_BYTES = 48;

/** Per WATCHed key: a list node and the watchedKey record. */
const WATCHED_KEY_BYTES = 24 + 32;

/** What Redis's client eviction counts for a client: buffers, argv, MULTI queue, WATCH, subscriptions. */
export function evictionMemory(c: Client, withArgv = false): number {
  const [sub, psub, ssub] = clientInfoHooks.subscriptions(c);
  let n = clientMemory(c) + clientInfoHooks.multi(c)[1] + (sub + psub + ssub) * SUBSCRIPTION_BYTES;
  n += transactions(c.server).watchedCount(c) * WATCHED_KEY_BYTES;
  const prefixes = c.has(CLIENT.tracking) ? trackingOf(c.server).state(c)?.prefixes : undefined;
  if (prefixes !== undefined) for (const p of prefixes) n += p.length + PREFIX_NODE_BYTES;
  if (withArgv) for (const a of c.argv) n += a.length + 24;
  return n;
}

function evictable(c: Client): boolean {
  return c.control !== null && !c.has(CLIENT.noEvict | CLIENT.closeAsap) && !isReplica(c);
}

/** Closes the biggest evictable clients until the total is under the limit; `running` holds its argv. */
export function evictClients(server: Server, running: Client | null = null): void {
  const limit = clientEvictionLimit(server);
  if (limit === 0) return;
  let total = 0;
  const sized: [Client, number][] = [];
  for (const c of server.clients.values()) {
    if (isReplica(c) || c.has(CLIENT.closeAsap)) continue;
    const m = evictionMemory(c, c === running);
    total += m;
    if (evictable(c)) sized.push([c, m]);
  }
  if (total < limit) return;
  sized.sort((a, b) => b[1] - a[1]);
  for (const [c, m] of sized) {
    if (total < limit) break;
    server.log.notice(`Evicting client: ${clientInfoString(c, null)}`);
    server.stats.evictedClients++;
    total -= m;
    // The running client is dropped by its read loop before its reply goes out.
    c.flags |= CLIENT.closeAsap;
    if (c !== server.currentClient) c.control!.close();
  }
}

export function installClientEviction(server: Server): void {
  let on = clientEvictionLimit(server) > 0;
  const refresh = (): null => ((on = clientEvictionLimit(server) > 0), null);
  server.config.onApply('maxmemory-clients', refresh);
  server.config.onApply('maxmemory', refresh);
  server.hooks.commandExecuted.push(() => {
    if (on) evictClients(server);
  });
  // Before each command, as Redis's processCommand does: input that arrived since (a big
  // query buffer) is judged before anything else runs. A client that evicts itself gets no reply.
  const oom = server.oomCheck;
  server.oomCheck = (c: Client, cmd: Command, flags?: number): boolean => {
    if (on) {
      evictClients(server, c);
      if (c.has(CLIENT.closeAsap)) return true;
    }
    return oom !== null && oom(c, cmd, flags);
  };
  server.hooks.cron.push(() => {
    if (on) evictClients(server);
  });
}
