// Rate limits of the audit log, so that nobody can fill the disk through it: a token bucket
// per remote address for the events anyone can cause without credentials (connections, failed
// AUTH, protected-mode and TLS refusals), and one global bucket over every event. Dropped
// events are counted per address and reported later as one summary line each.
//
// The clock is passed in (milliseconds), so tests drive it by hand.

/** A token bucket: `rate` tokens a second, holding at most `burst`. */
export class TokenBucket {
  private tokens: number;

  constructor(
    private rate: number,
    private burst: number,
    private last: number,
  ) {
    this.tokens = burst;
  }

  /** Takes one token if there is one. */
  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** True when the bucket is full again (an idle address that can be forgotten). */
  full(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.burst;
  }

  reset(rate: number, burst: number): void {
    this.rate = rate;
    this.burst = burst;
    this.tokens = Math.min(this.tokens, burst);
  }

  private refill(now: number): void {
    const dt = now - this.last;
    if (dt <= 0) return;
    this.last = now;
    this.tokens = Math.min(this.burst, this.tokens + (dt * this.rate) / 1000);
  }
}

interface AddrState {
  bucket: TokenBucket;
  dropped: number;
}

/** Drops counted under this key were refused by the global cap, not by an address's bucket. */
export const GLOBAL_KEY = '*';
/** Addresses tracked at once; beyond that, new addresses share one bucket. */
const MAX_ADDRS = 10000;
const OVERFLOW_KEY = '(other addresses)';
/** The burst allowed above the steady rate, in seconds' worth of events. */
const BURST_SECONDS = 2;
/** The global cap, as a multiple of the per-address rate. */
const GLOBAL_FACTOR = 50;

export interface Suppressed {
  addr: string;
  count: number;
}

export class AuditLimiter {
  private readonly addrs = new Map<string, AddrState>();
  private global: TokenBucket;
  private globalDropped = 0;
  private rate: number;

  /** rate: events per second per address (0 = no limit at all). */
  constructor(rate: number, now: number) {
    this.rate = rate;
    this.global = new TokenBucket(rate * GLOBAL_FACTOR, rate * GLOBAL_FACTOR * BURST_SECONDS, now);
  }

  setRate(rate: number): void {
    this.rate = rate;
    this.global.reset(rate * GLOBAL_FACTOR, rate * GLOBAL_FACTOR * BURST_SECONDS);
    for (const s of this.addrs.values()) s.bucket.reset(rate, rate * BURST_SECONDS);
  }

  /**
   * Whether one more event may be written. `addr` is the remote host for events limited per
   * address, null for events of authenticated clients (only the global cap applies).
   */
  allow(addr: string | null, now: number): boolean {
    if (this.rate <= 0) return true;
    if (addr !== null) {
      const s = this.state(addr, now);
      if (!s.bucket.take(now)) {
        s.dropped++;
        return false;
      }
    }
    if (!this.global.take(now)) {
      this.globalDropped++;
      return false;
    }
    return true;
  }

  /** Whether anything was dropped since the last summary. */
  get pending(): boolean {
    if (this.globalDropped > 0) return true;
    for (const s of this.addrs.values()) if (s.dropped > 0) return true;
    return false;
  }

  /**
   * The drops since the last call, at most `max` addresses (the rest added to the global
   * count), and forgets idle addresses.
   */
  takeSuppressed(now: number, max: number): Suppressed[] {
    const out: Suppressed[] = [];
    let rest = this.globalDropped;
    this.globalDropped = 0;
    for (const [addr, s] of this.addrs) {
      if (s.dropped > 0) {
        if (out.length < max) out.push({ addr, count: s.dropped });
        else rest += s.dropped;
        s.dropped = 0;
      } else if (s.bucket.full(now)) {
        this.addrs.delete(addr);
      }
    }
    if (rest > 0) out.push({ addr: GLOBAL_KEY, count: rest });
    return out;
  }

  private state(addr: string, now: number): AddrState {
    let s = this.addrs.get(addr);
    if (s !== undefined) return s;
    if (this.addrs.size >= MAX_ADDRS) {
      this.prune(now);
      if (this.addrs.size >= MAX_ADDRS) addr = OVERFLOW_KEY;
      s = this.addrs.get(addr);
      if (s !== undefined) return s;
    }
    s = { bucket: new TokenBucket(this.rate, this.rate * BURST_SECONDS, now), dropped: 0 };
    this.addrs.set(addr, s);
    return s;
  }

  private prune(now: number): void {
    for (const [addr, s] of this.addrs) if (s.dropped === 0 && s.bucket.full(now)) this.addrs.delete(addr);
  }

  /** Addresses tracked (for tests). */
  get size(): number {
    return this.addrs.size;
  }
}
