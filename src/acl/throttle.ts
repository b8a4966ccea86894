// Opt-in AUTH failure throttle (beyond Redis, off by default). redis.conf style:
//   auth-failure-limit 10     # failures from one address within the window (0 = off)
//   auth-failure-window 60    # seconds over which failures are counted
//   auth-failure-block 60     # seconds during which AUTH/HELLO AUTH from it are refused
// While an address is blocked every AUTH from it is refused, even with the right password,
// so a brute force cannot go on; other addresses are not affected.

import type { ConfigStore } from '../config/store.js';

interface Record {
  failures: number[];
  blockedUntil: number;
}

export const THROTTLED = 'ERR too many failed authentication attempts from this address, try again later';

export class AuthThrottle {
  private readonly byAddr = new Map<string, Record>();

  constructor(private readonly config: ConfigStore) {}

  /** The host part of "ip:port" ("[::1]:port" keeps its brackets). */
  private host(addr: string): string {
    const i = addr.lastIndexOf(':');
    return i > 0 ? addr.slice(0, i) : addr;
  }

  private get limit(): number {
    return this.config.int('auth-failure-limit');
  }

  blocked(addr: string, now = Date.now()): boolean {
    if (this.limit <= 0) return false;
    const r = this.byAddr.get(this.host(addr));
    return r !== undefined && r.blockedUntil > now;
  }

  failed(addr: string, now = Date.now()): void {
    const limit = this.limit;
    if (limit <= 0) return;
    const host = this.host(addr);
    const windowMs = this.config.int('auth-failure-window') * 1000;
    let r = this.byAddr.get(host);
    if (r === undefined) {
      // Bound the memory an attacker with many addresses can make us use.
      if (this.byAddr.size >= 65536) this.prune(now, windowMs);
      r = { failures: [], blockedUntil: 0 };
      this.byAddr.set(host, r);
    }
    r.failures = r.failures.filter((t) => now - t < windowMs);
    r.failures.push(now);
    if (r.failures.length >= limit) {
      r.blockedUntil = now + this.config.int('auth-failure-block') * 1000;
      r.failures = [];
    }
  }

  private prune(now: number, windowMs: number): void {
    for (const [k, r] of this.byAddr) {
      if (r.blockedUntil <= now && r.failures.every((t) => now - t >= windowMs)) this.byAddr.delete(k);
    }
    if (this.byAddr.size >= 65536) this.byAddr.clear();
  }
}
