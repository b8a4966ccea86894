// One logical database: binary-safe keys (latin1 strings) mapped to typed entries, with lazy
// expiry on lookup and a round-robin active-expiry cycle. Map keeps insertion order; every
// entry carries a sequence number in that order, which SCAN uses as its cursor so that a key
// present for the whole iteration is always returned, whatever is added or deleted meanwhile.

export type RType = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream';

/** Things outside the keyspace that must hear about changes (stats, WATCH, notifications). */
export interface KeyspaceObserver {
  /** A key was modified by a command (WATCH, client tracking). */
  keyModified(db: Db, key: string): void;
  /** A key expired (lazily or by the active cycle). */
  keyExpired(db: Db, key: string): void;
  /**
   * The whole contents of db were replaced (FLUSHDB, FLUSHALL, SWAPDB); `old` is what it held
   * before. WATCH and blocked clients check their keys against both.
   */
  dbReplaced?(db: Db, old: ReadonlyMap<string, Entry>): void;
  /** A key was added (Redis dbAdd: the "new" keyspace event). */
  keyAdded?(db: Db, key: string): void;
  /** A read lookup missed (the "keymiss" keyspace event). */
  keyMiss?(db: Db, key: string): void;
  /** A key was given a TTL (a writable replica remembers its own such keys). */
  expireSet?(db: Db, key: string): void;
  /** Keyspace hit/miss counters (INFO keyspace_hits/misses), bumped by lookupRead. */
  readonly stats?: { keyspaceHits: number; keyspaceMisses: number };
}

export class Entry {
  constructor(
    public type: RType,
    public value: unknown,
    /** Absolute unix time in ms, or -1 for no expiry. */
    public expireAt: number,
    public seq: number,
    /** Last access time in ms (OBJECT IDLETIME, LRU). */
    public lru: number,
  ) {}
  /** Estimated bytes of key + value, kept by the memory accounting (server/memory.ts). */
  mem = 0;
}

let seqCounter = 1;
function nextSeq(): number {
  return seqCounter++;
}

const SCAN_CACHE = 64;

/**
 * LFU mode (maxmemory-policy *-lfu) is server-wide, like Redis's: while it is on, Entry.lru
 * holds Redis's packed LFU state, (minutes & 0xffff) << 8 | counter, instead of an access time.
 */
export const lfu = {
  enabled: false,
  /** lfu-log-factor */
  logFactor: 10,
  /** lfu-decay-time, in minutes */
  decayTime: 1,
};

/** Counter a fresh object starts with, so that new keys are not evicted at once. */
export const LFU_INIT_VAL = 5;

function lfuMinutes(nowMs: number): number {
  return Math.floor(nowMs / 60000) & 0xffff;
}

/** The LFU counter of e after decay (Redis LFUDecrAndReturn); does not update e. */
export function lfuCounter(e: Entry, nowMs: number): number {
  // An access time left from LRU mode reads as a fresh object.
  if (e.lru > 0xffffff) return LFU_INIT_VAL;
  const ldt = e.lru >>> 8;
  let counter = e.lru & 255;
  const now = lfuMinutes(nowMs);
  const elapsed = now >= ldt ? now - ldt : 65535 - ldt + now;
  const periods = lfu.decayTime > 0 ? Math.floor(elapsed / lfu.decayTime) : 0;
  if (periods > 0) counter = periods > counter ? 0 : counter - periods;
  return counter;
}

/** Stores an LFU counter (RESTORE FREQ, access). */
export function setLfuCounter(e: Entry, counter: number, nowMs: number): void {
  e.lru = (lfuMinutes(nowMs) << 8) | (counter & 255);
}

/** Records one access in LFU mode: decay, then a logarithmic increment (Redis updateLFU). */
function lfuAccess(e: Entry, nowMs: number): void {
  let counter = lfuCounter(e, nowMs);
  if (counter < 255) {
    const base = Math.max(0, counter - LFU_INIT_VAL);
    if (Math.random() < 1 / (base * lfu.logFactor + 1)) counter++;
  }
  setLfuCounter(e, counter, nowMs);
}

/** The initial Entry.lru value for a new object. */
function freshLru(nowMs: number): number {
  return lfu.enabled ? (lfuMinutes(nowMs) << 8) | LFU_INIT_VAL : nowMs;
}

export class Db {
  dict = new Map<string, Entry>();
  /** Keys with a TTL. */
  expires = new Map<string, Entry>();
  /** Live iterators of recent SCAN calls, by the cursor they resume from. */
  private scanIters = new Map<number, Iterator<[string, Entry]>>();
  private expireIter: Iterator<[string, Entry]> | null = null;
  /** Keys sampled for RANDOMKEY; stale names are dropped as they are met (see randomKey). */
  private sample: string[] | null = null;
  avgTtl = 0;
  /** Sum of Entry.mem over the keys held (server/memory.ts keeps entries' figures fresh). */
  mem = 0;

  constructor(
    public id: number,
    private readonly obs: KeyspaceObserver,
    /** Current time in ms, cached per command by the server. */
    private readonly clock: () => number,
    /** True when keys must not be expired by lookups (replica, loading, paused). */
    private readonly expiryPaused: () => boolean = () => false,
    /** True while the running client must see logically expired keys (a replica's master client). */
    private readonly seesExpired: () => boolean = () => false,
  ) {}

  get size(): number {
    return this.dict.size;
  }

  /** Entry for key, expiring it first when its time has passed. Does not touch LRU. */
  peek(key: string): Entry | undefined {
    const e = this.dict.get(key);
    if (e === undefined) return undefined;
    if (e.expireAt >= 0 && e.expireAt <= this.clock()) {
      // Paused (replica): logically expired for readers, kept until the primary deletes it.
      if (this.expiryPaused()) return this.seesExpired() ? e : undefined;
      this.expireKey(key);
      return undefined;
    }
    return e;
  }

  /** Lookup for a command: expires lazily and updates the access time. No hit/miss stats. */
  get(key: string): Entry | undefined {
    const e = this.peek(key);
    if (e !== undefined) this.accessed(e);
    return e;
  }

  /**
   * Lookup for reading (Redis lookupKeyRead): like get, and counts a keyspace hit or miss.
   * With touch = false the access time is left alone (TYPE, EXISTS, TTL, OBJECT).
   */
  lookupRead(key: string, touch = true): Entry | undefined {
    const e = this.peek(key);
    const stats = this.obs.stats;
    if (e !== undefined) {
      if (touch) this.accessed(e);
      if (stats !== undefined) stats.keyspaceHits++;
    } else {
      if (stats !== undefined) stats.keyspaceMisses++;
      this.obs.keyMiss?.(this, key);
    }
    return e;
  }

  /** Updates the LRU access time, or the LFU counter in LFU mode. */
  accessed(e: Entry): void {
    if (lfu.enabled) lfuAccess(e, this.clock());
    else e.lru = this.clock();
  }

  /** True when e has a TTL that has passed (whether or not expiry is paused). */
  isExpired(e: Entry): boolean {
    return e.expireAt >= 0 && e.expireAt <= this.clock();
  }

  has(key: string): boolean {
    return this.peek(key) !== undefined;
  }

  /** Adds or overwrites; the TTL is dropped unless keepTtl. Returns the stored entry. */
  set(key: string, type: RType, value: unknown, keepTtl = false): Entry {
    const old = this.peek(key);
    // A write replaces a logically expired key that expiry left in place (writable replica).
    if (old === undefined && this.dict.has(key)) this.delete(key);
    if (old !== undefined) {
      old.type = type;
      old.value = value;
      this.accessed(old);
      if (!keepTtl && old.expireAt >= 0) {
        old.expireAt = -1;
        this.expires.delete(key);
      }
      return old;
    }
    const e = new Entry(type, value, -1, nextSeq(), freshLru(this.clock()));
    this.dict.set(key, e);
    this.obs.keyAdded?.(this, key);
    return e;
  }

  /** Inserts an entry object as it is (RENAME, MOVE, COPY); the key must not exist. */
  insert(key: string, e: Entry): void {
    e.seq = nextSeq();
    this.dict.set(key, e);
    this.mem += e.mem;
    if (e.expireAt >= 0) {
      this.expires.set(key, e);
      this.obs.expireSet?.(this, key);
    }
    this.obs.keyAdded?.(this, key);
  }

  delete(key: string): boolean {
    const e = this.dict.get(key);
    if (e === undefined) return false;
    this.dict.delete(key);
    if (e.expireAt >= 0) this.expires.delete(key);
    this.mem -= e.mem;
    return true;
  }

  setExpire(key: string, e: Entry, at: number): void {
    e.expireAt = at;
    this.expires.set(key, e);
    this.obs.expireSet?.(this, key);
  }

  persist(key: string, e: Entry): boolean {
    if (e.expireAt < 0) return false;
    e.expireAt = -1;
    this.expires.delete(key);
    return true;
  }

  /** Removes an expired key and tells the observer. */
  expireKey(key: string): void {
    if (this.delete(key)) this.obs.keyExpired(this, key);
  }

  /** Signal a modification (the handler changed the value of key). */
  touch(key: string): void {
    this.obs.keyModified(this, key);
  }

  /** Removes every key; returns how many there were. */
  flush(): number {
    const old = this.dict;
    const n = old.size;
    this.dict = new Map();
    this.expires = new Map();
    this.scanIters.clear();
    this.expireIter = null;
    this.sample = null;
    this.avgTtl = 0;
    this.mem = 0;
    if (n > 0) this.obs.dbReplaced?.(this, old);
    return n;
  }

  /** Swaps the contents with another db (SWAPDB). */
  swapWith(other: Db): void {
    const mine = this.dict;
    const theirs = other.dict;
    [this.dict, other.dict] = [other.dict, this.dict];
    [this.expires, other.expires] = [other.expires, this.expires];
    this.scanIters.clear();
    other.scanIters.clear();
    this.expireIter = null;
    other.expireIter = null;
    [this.avgTtl, other.avgTtl] = [other.avgTtl, this.avgTtl];
    [this.mem, other.mem] = [other.mem, this.mem];
    this.sample = null;
    other.sample = null;
    this.obs.dbReplaced?.(this, mine);
    other.obs.dbReplaced?.(other, theirs);
  }

  /**
   * A random non-expired key, or null when empty; expired keys met on the way are deleted,
   * like Redis's dbRandomKey. Picks from a snapshot of the key names, rebuilt when too many
   * keys were added or removed since, so that each call is O(1) amortized and roughly fair.
   */
  randomKey(): string | null {
    let misses = 0;
    while (this.dict.size > 0) {
      let sample = this.sample;
      if (sample === null || sample.length === 0 || sample.length * 2 < this.dict.size) {
        sample = this.sample = Array.from(this.dict.keys());
      }
      const i = Math.floor(Math.random() * sample.length);
      const k = sample[i]!;
      const e = this.dict.get(k);
      if (e !== undefined && !this.isExpired(e)) return k;
      if (e !== undefined) {
        // Expired: delete it, unless expiry is paused (replica); then, as Redis does after
        // 100 tries on an all-volatile db, hand out a logically expired name.
        if (this.expiryPaused()) {
          if (++misses >= 100) return k;
          continue;
        }
        this.expireKey(k);
      }
      sample[i] = sample[sample.length - 1]!;
      sample.pop();
    }
    return null;
  }

  /**
   * One SCAN step: visits up to `count` entries after `cursor` (0 = start) and returns the next
   * cursor (0 when done). Expired entries are deleted (unless expiry is paused) and not visited.
   */
  scan(cursor: number, count: number, visit: (key: string, e: Entry) => void): number {
    let it = this.scanIters.get(cursor);
    if (it !== undefined) this.scanIters.delete(cursor);
    else it = this.iterFrom(cursor);
    let last = 0;
    let n = 0;
    const now = this.clock();
    while (n < count) {
      const r = it.next();
      if (r.done) return 0;
      const [k, e] = r.value;
      last = e.seq;
      n++;
      if (e.expireAt >= 0 && e.expireAt <= now) {
        // Deleting the current entry does not disturb a Map iterator.
        if (!this.expiryPaused()) this.expireKey(k);
        continue;
      }
      visit(k, e);
    }
    // Peek ahead so that a scan ending exactly at the last key returns 0.
    if (this.scanIters.size >= SCAN_CACHE) {
      const first = this.scanIters.keys().next().value as number;
      this.scanIters.delete(first);
    }
    this.scanIters.set(last, it);
    return last;
  }

  private iterFrom(cursor: number): Iterator<[string, Entry]> {
    const it = this.dict.entries();
    if (cursor === 0) return it;
    // Entries are in seq order: skip those at or before the cursor.
    const out = (function* () {
      for (;;) {
        const r = it.next();
        if (r.done) return;
        if (r.value[1].seq > cursor) {
          yield r.value;
          break;
        }
      }
      for (;;) {
        const r = it.next();
        if (r.done) return;
        yield r.value;
      }
    })();
    return out;
  }

  /**
   * Active expiry: looks at up to `budget` keys with a TTL, continuing round-robin from where
   * the previous call stopped, deleting expired ones. Returns [checked, expired].
   */
  activeExpire(budget: number): [number, number] {
    if (this.expires.size === 0) return [0, 0];
    let checked = 0;
    let expired = 0;
    const now = this.clock();
    let ttlSum = 0;
    let ttlN = 0;
    while (checked < budget && this.expires.size > 0) {
      if (this.expireIter === null) this.expireIter = this.expires.entries();
      const r = this.expireIter.next();
      if (r.done) {
        this.expireIter = null;
        if (checked === 0) break;
        continue;
      }
      checked++;
      const [k, e] = r.value;
      if (e.expireAt <= now) {
        this.expireKey(k);
        expired++;
      } else {
        ttlSum += e.expireAt - now;
        ttlN++;
      }
      if (checked >= this.expires.size + expired) break;
    }
    if (ttlN > 0) {
      const avg = ttlSum / ttlN;
      this.avgTtl = this.avgTtl === 0 ? avg : (this.avgTtl / 50) * 49 + avg / 50;
    }
    return [checked, expired];
  }
}
