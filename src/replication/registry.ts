// Which server has a primary side. A module of its own, with no runtime imports, so that the
// command gate (dispatch.ts) can ask for the good replica count without importing the
// replication machinery (and the persistence and INFO modules behind it).

import type { Server } from '../server/server.js';
import type { Primary } from './primary.js';

export const primaries = new WeakMap<Server, Primary>();

/** The primary side if it exists (INFO, ROLE and the write gate need not create it). */
export function peekPrimary(server: Server): Primary | undefined {
  return primaries.get(server);
}

/**
 * min-replicas-to-write / min-replicas-max-lag (Redis's checkGoodReplicasStatus): true when
 * writes are allowed, i.e. the check is off or enough replicas acknowledged within the lag.
 */
export function enoughGoodReplicas(server: Server): boolean {
  const cfg = server.config;
  const need = cfg.int('min-replicas-to-write');
  if (need === 0 || cfg.int('min-replicas-max-lag') === 0 || server.repl.isReplica) return true;
  return (primaries.get(server)?.goodReplicas() ?? 0) >= need;
}
