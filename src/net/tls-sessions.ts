// The server-side TLS session cache (tls-session-caching, tls-session-cache-size,
// tls-session-cache-timeout): Node's OpenSSL contexts keep no internal cache, so sessions
// resumed by ID (clients without tickets) are kept here, oldest evicted first, like
// SSL_CTX_sess_set_cache_size / SSL_CTX_set_timeout do in Redis. Ticket resumption needs no
// cache; tls-session-cache-timeout also bounds ticket lifetime (see tls-options.ts).
//
// TLS 1.3 has no resumption by session ID: Node still reports a session (with an ID no client
// can present) for every ticket it issues, two per handshake, and keeping them filled the cache
// with entries nobody could use, whose garbage collection cost ~10% of a handshake's CPU under a
// connection storm. They are dropped here, as OpenSSL's own server cache (Redis's) never adds
// them (ssl_update_cache).

import type { ConfigStore } from '../config/store.js';

const TLS1_3 = 0x0304;

/**
 * The protocol version in a DER-encoded SSL_SESSION (SEQUENCE { INTEGER 1, INTEGER version,
 * ... }), or -1 when the bytes are not shaped so.
 */
export function sessionVersion(der: Buffer): number {
  if (der.length < 2 || der[0] !== 0x30) return -1;
  const len = der[1]!;
  let p = 2 + (len & 0x80 ? len & 0x7f : 0);
  if (der[p] !== 0x02 || der[p + 1] !== 0x01) return -1;
  p += 3;
  if (der[p] !== 0x02 || der[p + 1] !== 0x02 || p + 4 > der.length) return -1;
  return (der[p + 2]! << 8) | der[p + 3]!;
}

export class SessionCache {
  /** Insertion order is age order: the first entry is the oldest. */
  private readonly map = new Map<string, { data: Buffer; at: number }>();

  constructor(private readonly cfg: ConfigStore) {}

  get size(): number {
    return this.map.size;
  }

  store(id: Buffer, data: Buffer, now = Date.now()): void {
    if (!this.cfg.bool('tls-session-caching') || sessionVersion(data) === TLS1_3) return;
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
