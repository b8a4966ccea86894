// Replication and cluster: replicas authenticate with masteruser/masterauth; a cluster has an
// odd number of at least 3 masters.

import { REF, type Finding } from '../findings.js';
import { cfg, type Snapshot } from '../snapshot.js';

function isReplica(s: Snapshot): boolean {
  return (cfg(s, 'replicaof') ?? '') !== '' || s.info?.get('role') === 'slave';
}

function masterAuth(s: Snapshot): Finding[] {
  const cluster = cfg(s, 'cluster-enabled') === 'yes';
  if (!isReplica(s) && !cluster) return [];
  const auth = cfg(s, 'masterauth');
  const user = cfg(s, 'masteruser');
  if (auth === undefined) return [];
  if (auth === '') {
    return [
      {
        id: 'REPL-MASTERAUTH',
        severity: 'medium',
        title: 'Replica without master authentication',
        seen: `masterauth is empty${cluster ? ' (cluster node)' : ' on a replica'}`,
        why: 'The master must then accept unauthenticated connections, or replication fails after AUTH is enabled.',
        fix: 'Set masteruser and masterauth to a dedicated replication user on every replica (and cluster node).',
        ref: REF.masterauth,
      },
    ];
  }
  if (user === undefined || user !== '') return [];
  return [
    {
      id: 'REPL-MASTERUSER',
      severity: 'low',
      title: 'Replication authenticates as the default user',
      seen: 'masterauth is set but masteruser is empty',
      why: 'Without masteruser the replica logs in as default, which then must stay enabled with broad rights.',
      fix: 'Create a replication user (+psync +replconf +ping) and set masteruser to it.',
      ref: REF.masteruser,
    },
  ];
}

function clusterSize(s: Snapshot): Finding[] {
  if (s.info?.get('cluster_enabled') !== '1') return [];
  const size = s.info.get('cluster_size');
  if (size === undefined) return [];
  const n = Number(size);
  if (n >= 3 && n % 2 === 1) return [];
  return [
    {
      id: 'CLUSTER-NODES',
      severity: 'medium',
      title: 'Cluster without an odd number of at least 3 masters',
      seen: `cluster_size ${n}`,
      why: 'Failover needs a majority of masters; with fewer than 3 (or an even split) one failure can stop the cluster.',
      fix: 'Run an odd number of at least 3 masters, each with replicas.',
      ref: REF.clusterNodes,
    },
  ];
}

export function replicationChecks(s: Snapshot): Finding[] {
  return [...masterAuth(s), ...clusterSize(s)];
}
