// The replication identity and stream position this server holds, shared by its primary side
// (serving replicas: primary.ts) and its replica side (following a primary: replica.ts).
// Redis keeps the same fields in struct redisServer (replid, replid2, master_repl_offset,
// second_replid_offset) — a replica's offset is the primary's stream offset it has applied,
// so a replica promoted to primary can keep serving partial resyncs.

import { randomBytes } from 'node:crypto';
import type { Client } from '../server/client.js';

/** A new 40-hex-character replication id. */
export function newReplId(): string {
  return randomBytes(20).toString('hex');
}

export const NO_REPLID = '0'.repeat(40);

/** What the replica side offers to the rest of the server (implemented in replica.ts). */
export interface ReplicaSide {
  /** True while this server follows a primary (REPLICAOF host port). */
  readonly active: boolean;
  /** The connection to the primary as a client (its commands are applied without replies), or null. */
  readonly masterClient: Client | null;
  /** REPLCONF GETACK from the primary: answer REPLCONF ACK <offset>. */
  sendAck(): void;
  /** INFO replication fields of a replica (role:slave, master_host...), in Redis's order. */
  infoFields(): [string, string | number][];
  /** ROLE's reply for a replica. */
  roleReply(c: Client): void;
}

export class ReplState {
  /** This server's replication id (a replica takes its primary's). */
  replid = newReplId();
  /** The previous id, still valid for partial resyncs up to secondOffset (after a promotion). */
  replid2 = NO_REPLID;
  /** Bytes of replication stream produced (primary) or applied (replica): master_repl_offset. */
  offset = 0;
  /** Last offset of replid2's history, -1 when there is none. */
  secondOffset = -1;
  /** The replica side, installed by replica.ts; null until then. */
  replica: ReplicaSide | null = null;

  get isReplica(): boolean {
    return this.replica?.active === true;
  }

  /** Starts a new history (promotion to primary, or a fresh start): the old id stays usable. */
  shiftReplId(): void {
    this.replid2 = this.replid;
    this.secondOffset = this.offset + 1;
    this.replid = newReplId();
  }
}
