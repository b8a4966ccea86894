// A writable replica's own keys with a TTL (Redis's slaveKeysWithExpire / expireSlaveKeys).
//
// A replica never expires keys by itself: its primary owns them and sends a DEL when one
// expires. Keys written on the replica by its own clients (replica-read-only no) have no
// primary to do that, so the replica remembers which of them were given a TTL and expires
// those on its cron tick. A full sync empties the list together with the data.

import type { Db } from '../store/db.js';

/** Keys looked at between two clock readings of a cycle. */
const CHECK_EVERY = 64;

export class ReplicaKeyExpiry {
  /** Key → ids of the databases where a client of this replica gave it a TTL. */
  private readonly keys = new Map<string, Set<number>>();
  /** Where the last cycle stopped: a big list is walked over several ticks, not restarted. */
  private iter: Iterator<[string, Set<number>]> | null = null;

  /** INFO's slave_expires_tracked_keys. */
  get size(): number {
    return this.keys.size;
  }

  remember(dbId: number, key: string): void {
    const ids = this.keys.get(key);
    if (ids === undefined) this.keys.set(key, new Set([dbId]));
    else ids.add(dbId);
  }

  clear(): void {
    this.keys.clear();
    this.iter = null;
  }

  /**
   * Expires the remembered keys whose time has come, for at most `budgetMs`; a key that is
   * gone or lost its TTL (PERSIST, overwritten) is forgotten.
   */
  cycle(dbs: readonly Db[], now: number, budgetMs: number): void {
    const t0 = performance.now();
    const total = this.keys.size;
    for (let seen = 0; seen < total; seen++) {
      let next = this.iter?.next();
      if (next === undefined || next.done === true) {
        this.iter = this.keys.entries();
        next = this.iter.next();
        if (next.done === true) return;
      }
      const [key, ids] = next.value;
      // Deleting the element being visited is safe while iterating a Set.
      for (const id of ids) {
        const db = dbs[id];
        const e = db?.dict.get(key);
        if (db === undefined || e === undefined || e.expireAt < 0) ids.delete(id);
        else if (e.expireAt <= now) {
          db.expireKey(key);
          ids.delete(id);
        }
      }
      if (ids.size === 0) this.keys.delete(key);
      if ((seen + 1) % CHECK_EVERY === 0 && performance.now() - t0 > budgetMs) return;
    }
  }
}
