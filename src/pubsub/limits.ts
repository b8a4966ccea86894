// client-output-buffer-limit as Redis applies it (checkClientOutputBufferLimits): per client
// class a hard limit, and a soft limit that must stay exceeded for more than soft-seconds.
// The config string ("normal h s secs slave h s secs pubsub h s secs") is parsed once per
// CONFIG SET, not per message.

import type { ConfigStore } from '../config/store.js';
import { CLIENT, type Client } from '../server/client.js';

interface ClassLimit {
  hard: number;
  soft: number;
  seconds: number;
}

const NONE: ClassLimit = { hard: 0, soft: 0, seconds: 0 };

/** The per-class limits parsed from the canonical CONFIG GET form. */
export function parseObufLimits(value: string): Map<string, ClassLimit> {
  const f = value.split(' ');
  const out = new Map<string, ClassLimit>();
  for (let i = 0; i + 3 < f.length; i += 4) {
    out.set(f[i]!, { hard: Number(f[i + 1]), soft: Number(f[i + 2]), seconds: Number(f[i + 3]) });
  }
  return out;
}

export class OutputLimits {
  private normal = NONE;
  private pubsub = NONE;
  /** When each client was first seen over its soft limit (unix seconds), like obuf_soft_limit_reached_time. */
  private softSince = new WeakMap<Client, number>();

  constructor(config: ConfigStore) {
    this.load(config.str('client-output-buffer-limit'));
    config.onApply('client-output-buffer-limit', (v) => (this.load(v), null));
  }

  private load(value: string): void {
    const m = parseObufLimits(value);
    this.normal = m.get('normal') ?? NONE;
    this.pubsub = m.get('pubsub') ?? NONE;
  }

  /** True when c, with `used` bytes of pending output, must be closed. Tracks the soft-limit clock. */
  exceeded(c: Client, used: number): boolean {
    const l = c.has(CLIENT.pubsub) ? this.pubsub : this.normal;
    if (used === 0) return false;
    const hard = l.hard > 0 && used >= l.hard;
    let soft = l.soft > 0 && used >= l.soft;
    if (soft) {
      const now = Math.floor(Date.now() / 1000);
      const since = this.softSince.get(c);
      if (since === undefined) {
        this.softSince.set(c, now);
        soft = false;
      } else if (now - since <= l.seconds) {
        soft = false;
      }
    } else {
      this.softSince.delete(c);
    }
    return soft || hard;
  }
}
