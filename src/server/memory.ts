// used_memory: the figure maxmemory is compared with.
//
// Redis asks its allocator how many bytes are allocated. A Node process cannot: V8's heap
// figures (process.memoryUsage) only fall after a garbage collection, at a time V8 chooses, so
// an eviction loop watching them would keep deleting keys until the next GC and empty the
// dataset under a write flood. Instead Redoubt keeps a running estimate that moves exactly when
// the data moves:
//   used = a fixed start-up base
//        + the dataset: per key, the MEMORY USAGE estimate (commands/memory.ts, Redis's layout),
//          recomputed whenever a command touches the key and kept in Entry.mem / Db.mem, so a
//          delete, expiry, flush or eviction takes it off at once
//        + client buffers (query buffer, replies pending in Redoubt and in the socket),
//          summed on the cron tick and when INFO asks (O(clients), so not per command).
// The estimate follows Redis's own accounting, so a maxmemory that fits a dataset in Redis
// fits the same dataset here; the JS heap holding it is larger by a roughly constant factor
// (reported separately as used_memory_rss).

import type { Server } from './server.js';
import type { Db } from '../store/db.js';
import { isReplica } from './obuf.js';
import { clientMemory, keyMemoryUsage } from '../commands/memory.js';

/** What an empty Redis 7.0 reports as used_memory_startup, give or take. */
export const STARTUP_BASE = 900 * 1024;
/** Samples per collection when re-estimating a key after a write (MEMORY USAGE's default). */
const ACCOUNT_SAMPLES = 5;

interface ClientTotals {
  /** Normal and pub/sub clients: what maxmemory-clients limits. */
  normal: number;
  /** Replica connections: not counted against maxmemory, as in Redis. */
  replicas: number;
}

const clientTotals = new WeakMap<Server, ClientTotals>();

/** Re-estimates one key after a write; a deleted key was already taken off by Db.delete. */
function account(db: Db, key: string): void {
  const e = db.dict.get(key);
  if (e === undefined) return;
  const size = keyMemoryUsage(key, e, ACCOUNT_SAMPLES);
  db.mem += size - e.mem;
  e.mem = size;
}

/** Recounts every key (start-up, DEBUG RELOAD): O(keys). */
export function recountDataset(server: Server): void {
  for (const db of server.dbs) {
    let total = 0;
    for (const [k, e] of db.dict) {
      e.mem = keyMemoryUsage(k, e, ACCOUNT_SAMPLES);
      total += e.mem;
    }
    db.mem = total;
  }
}

/** Bytes of the keyspace (keys, values, dict entries) over every database. */
export function datasetBytes(server: Server): number {
  let n = 0;
  for (const db of server.dbs) n += db.mem;
  return n;
}

/** Sums the memory of every client (done on the cron tick, and by INFO/CLIENT LIST). */
export function refreshClientMemory(server: Server): ClientTotals {
  const t: ClientTotals = { normal: 0, replicas: 0 };
  for (const c of server.clients.values()) {
    if (isReplica(c)) t.replicas += clientMemory(c);
    else t.normal += clientMemory(c);
  }
  clientTotals.set(server, t);
  return t;
}

const lastRefresh = new WeakMap<Server, number>();
/** Up to this many clients, eviction re-sums client memory before every command. */
const EXACT_CLIENTS = 8;

/**
 * Client memory fresh enough for an eviction decision: summed again now with few clients,
 * otherwise at most once a millisecond (the sum is O(clients); per command it would cost a
 * third of the throughput of a busy server).
 */
export function freshClientBytes(server: Server): ClientTotals {
  const now = performance.now();
  if (server.clients.size <= EXACT_CLIENTS || now - (lastRefresh.get(server) ?? 0) >= 1) {
    lastRefresh.set(server, now);
    return refreshClientMemory(server);
  }
  return clientBytes(server);
}

/** Client memory as last summed (refreshed at least once per cron tick). */
export function clientBytes(server: Server): ClientTotals {
  return clientTotals.get(server) ?? refreshClientMemory(server);
}

/** used_memory as INFO reports it. */
export function usedMemory(server: Server): number {
  return STARTUP_BASE + datasetBytes(server) + clientBytes(server).normal + clientBytes(server).replicas;
}

/** The figure compared with maxmemory: replica output buffers are not counted (Redis's freeMemoryGetNotCountedMemory). */
export function countedMemory(server: Server): number {
  return STARTUP_BASE + datasetBytes(server) + clientBytes(server).normal;
}

/** Hooks the accounting into the keyspace and the cron (call once per server). */
export function installMemoryAccounting(server: Server): void {
  server.hooks.keyModified.push(account);
  server.hooks.cron.push(() => void refreshClientMemory(server));
  recountDataset(server);
}
