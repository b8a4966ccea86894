// INFO figures of replication: the "# Replication" section in Redis 7.0.15's order
// (genRedisInfoString), and the sync counters of "# Stats" and backlog memory of "# Memory".

import type { Server } from '../server/server.js';
import { addInfoProvider, type InfoFields } from '../commands/info.js';
import { linkOf, peekPrimary, replicaIp } from './primary.js';
import { clientBytes } from '../server/memory.js';

/** The Replication section: the replica side's fields (or role:master), then ours. */
export function replicationInfo(server: Server): InfoFields {
  const repl = server.repl;
  const fields: InfoFields = {};
  if (repl.isReplica && repl.replica !== null) {
    for (const [k, v] of repl.replica.infoFields()) fields[k] = v;
  } else {
    fields.role = 'master';
  }
  const p = peekPrimary(server);
  const replicas = p === undefined ? [] : [...p.replicas];
  fields.connected_slaves = replicas.length;
  const cfg = server.config;
  if (cfg.int('min-replicas-to-write') !== 0 && cfg.int('min-replicas-max-lag') !== 0) {
    fields.min_slaves_good_slaves = p?.goodReplicas() ?? 0;
  }
  const now = Math.floor(Date.now() / 1000);
  let id = 0;
  for (const r of replicas) {
    const l = linkOf(r);
    // Snapshots are synchronous: a replica is either online or gone.
    const lag = l.online ? now - l.ackTime : 0;
    fields[`slave${id++}`] =
      `ip=${replicaIp(r)},port=${l.listeningPort},state=${l.online ? 'online' : 'wait_bgsave'},offset=${l.ackOffset},lag=${lag}`;
  }
  const backlog = p?.backlog ?? null;
  fields.master_failover_state = 'no-failover';
  fields.master_replid = repl.replid;
  fields.master_replid2 = repl.replid2;
  fields.master_repl_offset = repl.offset;
  fields.second_repl_offset = repl.secondOffset;
  fields.repl_backlog_active = backlog === null ? 0 : 1;
  fields.repl_backlog_size = cfg.int('repl-backlog-size');
  fields.repl_backlog_first_byte_offset = backlog === null ? 0 : backlog.firstByteOffset;
  fields.repl_backlog_histlen = backlog === null ? 0 : backlog.histlen;
  return fields;
}

let registered = false;

/** Adds the sync counters and backlog memory to INFO (once a primary side exists: 0 before). */
export function registerReplicationInfo(): void {
  if (registered) return;
  registered = true;
  addInfoProvider('stats', (server) => {
    const p = peekPrimary(server);
    return {
      sync_full: p?.syncFull ?? 0,
      sync_partial_ok: p?.syncPartialOk ?? 0,
      sync_partial_err: p?.syncPartialErr ?? 0,
    };
  });

  addInfoProvider('memory', (server) => {
    const backlog = peekPrimary(server)?.backlog ?? null;
    const n = backlog === null ? 0 : backlog.allocated;
    // Replica output buffers are used memory that eviction leaves out (server/memory.ts), and
    // are reported apart from the other clients'.
    const clients = clientBytes(server);
    return {
      mem_not_counted_for_evict: clients.replicas,
      mem_replication_backlog: n,
      mem_total_replication_buffers: n,
      mem_clients_slaves: clients.replicas,
      mem_clients_normal: clients.normal,
    };
  });
}
