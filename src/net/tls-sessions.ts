// The server-side TLS session cache (tls-session-caching, tls-session-cache-size,
// tls-session-cache-timeout): Node's OpenSSL contexts keep no internal cache, so sessions
// resumed by ID (clients without tickets) are kept here, oldest evicted first, like
// SSL_CTX_sess_set_cache_size / SSL_CTX_set_timeout do in Redis. Ticket resumption needs no
// cache; tls-session-cache-timeout also bounds ticket lifetime (see tls-options.ts).

import type { ConfigStore } from '../config/store.js';

export class SessionCache {
  /** Insertion order is age order: the first entry is the oldest. */
  private readonly map = new Map<string, { data: Buffer; at: number }>();

  constructor(private readonly cfg: ConfigStore) {}

  get size(): number {
    return this.map.size;
  }

  store(id: Buffer, data: Buffer, now = Date.now()): void {
    if (!this.cfg.bool('tls-session-caching')) return;
    const max = this.cfg.int('tls-session-cache-size');
    const key = id.toString('hex');
    this.map.delete(key);
    this.map.set(key, { data, at: now });
    // Size 0 means unbounded, as in OpenSSL.
    if (max > 0) {
      for (const k of this.map.keys()) {
        if (this.map.size <= max) break;
        this.map.delete(k);
      }
    }
  }

  lookup(id: Buffer, now = Date.now()): Buffer | null {
    if (!this.cfg.bool('tls-session-caching')) return null;
    const key = id.toString('hex');
    const e = this.map.get(key);
    if (e === undefined) return null;
    if (now - e.at > this.cfg.int('tls-session-cache-timeout') * 1000) {
      this.map.delete(key);
      return null;
    }
    return e.data;
  }

  clear(): void {
    this.map.clear();
  }
}
