// Server-wide counters reported by INFO stats / errorstats and reset by CONFIG RESETSTAT.

export class Stats {
  totalConnections = 0;
  rejectedConnections = 0;
  totalCommands = 0;
  totalErrorReplies = 0;
  netInputBytes = 0;
  netOutputBytes = 0;
  expiredKeys = 0;
  expiredStalePerc = 0;
  expiredTimeCapReached = 0;
  evictedKeys = 0;
  evictedClients = 0;
  keyspaceHits = 0;
  keyspaceMisses = 0;
  unexpectedErrorReplies = 0;
  readsProcessed = 0;
  writesProcessed = 0;
  clientQbufLimitDisconnections = 0;
  clientOutbufLimitDisconnections = 0;
  /** INFO stats acl_access_denied_* (Redis 7.2's counters). */
  aclDeniedAuth = 0;
  aclDeniedCmd = 0;
  aclDeniedKey = 0;
  aclDeniedChannel = 0;
  dirty = 0;
  errors = new Map<string, number>();

  countError(code: string): void {
    this.totalErrorReplies++;
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  reset(): void {
    const fresh = new Stats();
    const dirty = this.dirty;
    Object.assign(this, fresh);
    this.dirty = dirty;
  }
}
