// ACL LOG: denied commands, keys, channels and failed AUTHs, newest first. Like Redis, an
// event equal to one of the 10 newest entries (reason, context, object, username) and within
// 60 s of it bumps that entry's count instead of adding one. Entries also carry the fields
// Redis 7.2 added (entry-id, timestamp-created, timestamp-last-updated).

export type DenyReason = 'command' | 'key' | 'channel' | 'auth';
export type LogContext = 'toplevel' | 'multi' | 'lua' | 'module';

export interface AclLogEntry {
  count: number;
  reason: DenyReason;
  context: LogContext;
  object: string;
  username: string;
  /** Last update, ms. */
  ctime: number;
  created: number;
  clientInfo: string;
  entryId: number;
}

const GROUPING_MS = 60000;
const SCAN = 10;

export class AclLog {
  entries: AclLogEntry[] = [];
  private nextId = 0;

  add(e: Omit<AclLogEntry, 'count' | 'entryId' | 'created'>, maxLen: number): void {
    const n = Math.min(SCAN, this.entries.length);
    for (let i = 0; i < n; i++) {
      const cur = this.entries[i]!;
      if (
        cur.reason === e.reason &&
        cur.context === e.context &&
        Math.abs(cur.ctime - e.ctime) <= GROUPING_MS &&
        cur.object === e.object &&
        cur.username === e.username
      ) {
        this.entries.splice(i, 1);
        this.entries.unshift(cur);
        cur.clientInfo = e.clientInfo;
        cur.ctime = e.ctime;
        cur.count++;
        return;
      }
    }
    this.entries.unshift({ ...e, count: 1, entryId: this.nextId++, created: e.ctime });
    if (this.entries.length > maxLen) this.entries.length = Math.max(0, maxLen);
  }

  reset(): void {
    this.entries = [];
  }
}
