// client-output-buffer-limit for every client class (Redis checkClientOutputBufferLimits):
// a hard limit, and a soft limit that closes the client once it has stayed exceeded for more
// than soft-seconds. One checker serves the normal, replica and pub/sub classes; callers
// decide when to look (after each command, after an out-of-band push, on the cron tick).
// The figure compared is the output not held in the fixed 16k reply buffer (CLIENT LIST omem).

import type { ConfigStore } from '../config/store.js';
import type { Server } from './server.js';
import { CLIENT, type Client } from './client.js';
import { REPLY_BUF } from '../commands/memory.js';
import { clientInfoString } from '../commands/client-cmd.js';
import { ReplyWriter } from '../protocol/reply.js';

export type ObufClass = 'normal' | 'slave' | 'pubsub';

interface ClassLimit {
  hard: number;
  soft: number;
  seconds: number;
}

const NONE: ClassLimit = { hard: 0, soft: 0, seconds: 0 };

/** A replica connection (set by a replication layer in c.ext.replica; none exists yet). */
export function isReplica(c: Client): boolean {
  return c.ext.replica === true;
}

/** getClientType for the limits: MONITOR and master links count as normal. */
export function obufClassOf(c: Client): ObufClass {
  if (isReplica(c) && !c.has(CLIENT.monitor)) return 'slave';
  return c.has(CLIENT.pubsub) ? 'pubsub' : 'normal';
}

/** Redis's reply list nodes hold 16k and sit in jemalloc's 20k size class: a quarter more. */
const NODE_SLACK = 20480 - 16 - 16384;

/**
 * Pending output beyond the fixed reply buffer, as Redis's reply_bytes counts it: the
 * allocated size of the 16k reply-list nodes holding it.
 */
export function outputMemory(c: Client): number {
  const pending = c.reply.bytes + (c.control?.socketPending() ?? 0);
  if (pending <= REPLY_BUF) return 0;
  const over = pending - REPLY_BUF;
  return over + Math.ceil(over / REPLY_BUF) * NODE_SLACK;
}

/** Parses the canonical CONFIG GET form "normal h s secs slave h s secs pubsub h s secs". */
export function parseLimits(value: string): Map<string, ClassLimit> {
  const f = value.split(' ');
  const out = new Map<string, ClassLimit>();
  for (let i = 0; i + 3 < f.length; i += 4) {
    out.set(f[i]!, { hard: Number(f[i + 1]), soft: Number(f[i + 2]), seconds: Number(f[i + 3]) });
  }
  return out;
}

export class OutputBufferLimits {
  private limits = new Map<string, ClassLimit>();
  /** When each client was first seen over its soft limit (unix seconds): obuf_soft_limit_reached_time. */
  private softSince = new WeakMap<Client, number>();

  constructor(
    private readonly server: Server,
    config: ConfigStore = server.config,
  ) {
    this.limits = parseLimits(config.str('client-output-buffer-limit'));
    config.onApply('client-output-buffer-limit', (v) => ((this.limits = parseLimits(v)), null));
  }

  limitOf(cls: ObufClass): ClassLimit {
    return this.limits.get(cls) ?? NONE;
  }

  /** True when c, with `used` bytes over its reply buffer, must be closed; keeps the soft clock. */
  exceeded(c: Client, used: number, nowSec = Math.floor(Date.now() / 1000)): boolean {
    const l = this.limitOf(obufClassOf(c));
    if (l.hard === 0 && l.soft === 0) return false;
    const hard = l.hard > 0 && used >= l.hard;
    let soft = l.soft > 0 && used >= l.soft;
    if (soft) {
      const since = this.softSince.get(c);
      if (since === undefined) {
        this.softSince.set(c, nowSec);
        soft = false;
      } else if (nowSec - since <= l.seconds) {
        soft = false;
      }
    } else {
      this.softSince.delete(c);
    }
    return soft || hard;
  }

  /**
   * Checks c and, when over a limit, marks it to close, counts and logs it like Redis.
   * `async`: the caller closes it later (the reply is never sent); otherwise the caller
   * closes it now. Returns true when c must go.
   */
  check(c: Client, async: boolean): boolean {
    if (c.control === null || c.has(CLIENT.closeAsap)) return false;
    if (!this.exceeded(c, outputMemory(c))) return false;
    c.flags |= CLIENT.closeAsap;
    this.server.stats.clientOutbufLimitDisconnections++;
    const info = clientInfoString(c, null);
    this.server.log.warning(
      async
        ? `Client ${info} scheduled to be closed ASAP for overcoming of output buffer limits.`
        : `Client ${info} closed for overcoming of output buffer limits.`,
    );
    return true;
  }
}

const perServer = new WeakMap<Server, OutputBufferLimits>();
/** Servers whose running client's reply growth is watched (one in a process, more in tests). */
const running = new Set<WeakRef<Server>>();

function onReplyGrowth(w: ReplyWriter): void {
  for (const ref of running) {
    const s = ref.deref();
    if (s === undefined) {
      running.delete(ref);
      continue;
    }
    const c = s.currentClient;
    if (c !== null && c.reply === w) {
      outputLimits(s).check(c, true);
      return;
    }
  }
}

/** The server's checker (one per server, shared by every layer that writes output). */
export function outputLimits(server: Server): OutputBufferLimits {
  let l = perServer.get(server);
  if (l === undefined) perServer.set(server, (l = new OutputBufferLimits(server)));
  return l;
}

/**
 * Wires the checks Redoubt owns: after each command the running client (its reply is not
 * sent when over the limit: the connection sees closeAsap and drops it), and on the cron
 * tick every client, so that a soft limit expires while no new output arrives.
 */
export function installOutputLimits(server: Server): void {
  const limits = outputLimits(server);
  // While a command writes a big reply (KEYS, HRANDFIELD -N...), the running client is marked
  // as soon as it passes its limit; long reply loops stop on CLIENT.closeAsap, as in Redis.
  running.add(new WeakRef(server));
  ReplyWriter.grew = onReplyGrowth;
  server.hooks.commandExecuted.push((c) => {
    if (c.reply.bytes > REPLY_BUF || (c.control !== null && c.control.socketPending() > 0)) limits.check(c, true);
  });
  server.hooks.cron.push(() => {
    for (const c of server.clients.values()) {
      // A client marked by an async check that no read loop has dropped yet goes now.
      if (c.has(CLIENT.closeAsap) || limits.check(c, false)) c.control?.close();
    }
  });
}
