// Client-side caching (CLIENT TRACKING): remembers which clients read which keys and tells
// them when those keys change, as Redis 7.0's tracking.c does.
//  - Default mode: after a read-only command, its keys (from the key specs) are remembered
//    with the client's id; a change to the key sends one invalidation to each remembered
//    client and forgets the key. The table is keyed by name only, whatever the database.
//  - BCAST mode: a client registers prefixes; changed keys matching a prefix are collected
//    and sent in one message per prefix at the end of the event-loop tick.
//  - Messages go to the client itself as a RESP3 push ["invalidate", keys], or to the
//    REDIRECT client: RESP3 push, or for a RESP2 client in Pub/Sub mode a message on
//    __redis__:invalidate. A null payload means "everything" (FLUSHALL/FLUSHDB).
//  - Invalidations for the client running the command are sent after its reply.

import { CLIENT, type Client } from './client.js';
import type { Server } from './server.js';
import type { Delivery } from '../pubsub/delivery.js';
import type { ReplyWriter } from '../protocol/reply.js';
import { CMD } from '../commands/flags.js';
import { getKeysFromSpecs } from '../commands/keys.js';
import type { Command } from '../commands/registry.js';

export const INVALIDATE_CHANNEL = '__redis__:invalidate';

/** Per-client tracking options (Redis's CLIENT_TRACKING_* flags and fields). */
export class TrackState {
  /** Client id invalidations go to; 0 = the client itself. */
  redirect = 0;
  bcast = false;
  optin = false;
  optout = false;
  noloop = false;
  /** CLIENT CACHING YES (optin) / NO (optout) given for the next command. */
  caching = false;
  /** The redirect client went away. */
  brokenRedirect = false;
  /** BCAST prefixes, in registration order. */
  readonly prefixes = new Set<string>();
}

interface BcastState {
  /** Keys changed this tick, with the client that changed each last (null: expiry, eviction). */
  keys: Map<string, Client | null>;
  clients: Set<Client>;
}

/** Read-only commands whose keys are not tracked (scripts track their declared keys). */
const NOT_TRACKED = ['eval_ro', 'evalsha_ro', 'fcall_ro'];
/** Commands that empty databases: every tracking client is told everything is invalid. */
const FLUSHES = ['flushall', 'flushdb'];

export class Tracking {
  /** key → ids of the clients that may have it cached. */
  readonly table = new Map<string, Set<number>>();
  /** Sum of the id sets' sizes (INFO tracking_total_items). */
  totalItems = 0;
  readonly prefixes = new Map<string, BcastState>();
  /** Clients with tracking on. */
  readonly states = new Map<Client, TrackState>();
  /** Invalidations for a client that changed keys it tracks, sent after its reply. */
  private readonly pending = new Map<Client, (string | null)[]>();
  /** Set while the server reports an expired key, so its invalidation has no author. */
  private expiring: string | null = null;
  private bcastScheduled = false;
  private pendingScheduled = false;
  private limitEffort = 0;
  /** Command ids from the table (decisions never compare names, which rename-command changes). */
  private readonly notTracked: Set<number>;
  private readonly flushes: Set<number>;
  /** CLIENT: its subcommands (CACHING among them) keep the CACHING flag for the next command. */
  private readonly clientCmd: number;

  constructor(
    private readonly server: Server,
    private readonly delivery: Delivery,
  ) {
    const ids = (names: string[]): Set<number> =>
      new Set(names.map((n) => server.commands.lookupOriginal(n)?.id ?? -1).filter((id) => id >= 0));
    this.notTracked = ids(NOT_TRACKED);
    this.flushes = ids(FLUSHES);
    this.clientCmd = server.commands.lookupOriginal('client')?.id ?? -1;
  }

  state(c: Client): TrackState | undefined {
    return this.states.get(c);
  }

  // ---- enabling / disabling ------------------------------------------------------------

  /** Turns tracking on (or changes its options) for c; the options were validated by the caller. */
  enable(
    c: Client,
    redirect: number,
    opts: { bcast: boolean; optin: boolean; optout: boolean; noloop: boolean },
    prefixes: string[],
  ): void {
    let st = this.states.get(c);
    if (st === undefined) {
      st = new TrackState();
      this.states.set(c, st);
    }
    c.flags |= CLIENT.tracking;
    st.brokenRedirect = false;
    st.redirect = redirect;
    st.bcast = opts.bcast;
    st.optin = opts.optin;
    st.optout = opts.optout;
    st.noloop = opts.noloop;
    if (opts.bcast) {
      if (prefixes.length === 0) this.addPrefix(c, st, '');
      for (const p of prefixes) this.addPrefix(c, st, p);
    }
  }

  private addPrefix(c: Client, st: TrackState, prefix: string): void {
    let bs = this.prefixes.get(prefix);
    if (bs === undefined) {
      bs = { keys: new Map(), clients: new Set() };
      this.prefixes.set(prefix, bs);
    }
    bs.clients.add(c);
    st.prefixes.add(prefix);
  }

  /** Turns tracking off for c (CLIENT TRACKING OFF, RESET, close). Its ids in the table stay, lazily. */
  disable(c: Client): void {
    const st = this.states.get(c);
    c.flags &= ~CLIENT.tracking;
    if (st === undefined) return;
    for (const p of st.prefixes) {
      const bs = this.prefixes.get(p);
      if (bs === undefined) continue;
      bs.clients.delete(c);
      if (bs.clients.size === 0) this.prefixes.delete(p);
    }
    this.states.delete(c);
  }

  /** First collision between a new prefix and the client's or another new one, as Redis words it. */
  prefixCollision(c: Client, prefixes: string[]): string | null {
    const mine = this.states.get(c)?.prefixes;
    const overlap = (a: string, b: string): boolean => a.startsWith(b) || b.startsWith(a);
    for (let i = 0; i < prefixes.length; i++) {
      const p = prefixes[i]!;
      if (mine !== undefined) {
        for (const q of mine) {
          if (overlap(q, p)) {
            return `Prefix '${p}' overlaps with an existing prefix '${q}'. Prefixes for a single client must not overlap.`;
          }
        }
      }
      for (let j = i + 1; j < prefixes.length; j++) {
        if (overlap(p, prefixes[j]!)) {
          return `Prefix '${p}' overlaps with another provided prefix '${prefixes[j]}'. Prefixes for a single client must not overlap.`;
        }
      }
    }
    return null;
  }

  // ---- remembering keys -----------------------------------------------------------------

  /** After a command: remember the keys a tracking client read (Redis trackingRememberKeys). */
  private remember(c: Client, st: TrackState, argv: readonly string[], cmd: Command): void {
    if ((st.optin && !st.caching) || (st.optout && st.caching)) return;
    if (!cmd.has(CMD.readonly) || cmd.has(CMD.pubsub)) return;
    if (this.notTracked.has(cmd.id)) return;
    for (const k of getKeysFromSpecs(cmd, argv)) this.rememberKey(c, argv[k.index]!);
  }

  private rememberKey(c: Client, key: string): void {
    let ids = this.table.get(key);
    if (ids === undefined) this.table.set(key, (ids = new Set()));
    if (!ids.has(c.id)) {
      ids.add(c.id);
      this.totalItems++;
    }
  }

  /**
   * For a scripting layer: a script that ran a read-only command makes its caller track the
   * script's declared keys (Redis passes the caller's EVAL/FCALL argv and command here).
   */
  trackCallerKeys(caller: Client, argv: readonly string[], cmd: Command): void {
    const st = caller.has(CLIENT.tracking) ? this.states.get(caller) : undefined;
    if (st === undefined || st.bcast || (st.optin && !st.caching) || (st.optout && st.caching)) return;
    for (const k of getKeysFromSpecs(cmd, argv)) this.rememberKey(caller, argv[k.index]!);
  }

  /** The commandExecuted hook: remember keys, then, outside any outer call, flush deferred work. */
  afterCommand(c: Client, argv: readonly string[], cmd: Command): void {
    if (this.states.size === 0 && this.table.size === 0 && this.pending.size === 0) return;
    if (c.flags & CLIENT.tracking) {
      const st = this.states.get(c);
      if (st !== undefined && !st.bcast) this.remember(c, st, argv, cmd);
    }
    const server = this.server;
    if (this.flushes.has(cmd.id)) this.invalidateAllOnFlush();
    if (server.currentClient === c) return; // inside EXEC: wait for the outer command
    const q = this.pending.get(c);
    if (q !== undefined) {
      this.pending.delete(c);
      for (const key of q) this.send(c, key === null ? null : [key]);
    }
    // CLIENT CACHING applies to the next command (or transaction) only.
    const st = this.states.get(c);
    if (st !== undefined && st.caching && !c.has(CLIENT.multi)) {
      const top = c.lastCmd?.parent ?? c.lastCmd;
      if (top?.id !== this.clientCmd) st.caching = false;
    }
    if (server.currentClient === null && this.states.size > 0) this.limitUsedSlots();
  }

  // ---- invalidation ---------------------------------------------------------------------

  /** The keyExpired hook: the next keyModified for this key comes from expiry, not a client. */
  keyExpired(key: string): void {
    this.expiring = key;
  }

  /** The keyModified hook. */
  keyModified(key: string): void {
    let by = this.server.currentClient;
    if (this.expiring === key) {
      by = null;
      this.expiring = null;
    }
    if (this.table.size === 0 && this.prefixes.size === 0) return;
    this.invalidateKey(key, by, true);
  }

  /** Redis trackingInvalidateKey: `by` is the client that changed the key (for BCAST NOLOOP). */
  invalidateKey(key: string, by: Client | null, bcast: boolean): void {
    if (bcast && this.prefixes.size > 0) this.rememberForBroadcast(key, by);
    const ids = this.table.get(key);
    if (ids === undefined) return;
    const current = this.server.currentClient;
    for (const id of ids) {
      const target = this.server.clients.get(id);
      if (target === undefined || !target.has(CLIENT.tracking)) continue;
      const st = this.states.get(target);
      if (st === undefined || st.bcast) continue;
      if (st.noloop && target === current) continue;
      if (target === current) this.defer(target, key);
      else this.send(target, [key]);
    }
    this.totalItems -= ids.size;
    this.table.delete(key);
  }

  private defer(c: Client, key: string | null): void {
    let q = this.pending.get(c);
    if (q === undefined) this.pending.set(c, (q = []));
    q.push(key);
    // Normally sent by afterCommand; a client served outside call() (unblocked by another
    // client's write) gets them at the end of the tick, still after its reply.
    if (!this.pendingScheduled) {
      this.pendingScheduled = true;
      setImmediate(() => this.flushPending());
    }
  }

  private flushPending(): void {
    this.pendingScheduled = false;
    for (const c of [...this.pending.keys()]) {
      if (c === this.server.currentClient) continue;
      const q = this.pending.get(c)!;
      this.pending.delete(c);
      for (const key of q) this.send(c, key === null ? null : [key]);
    }
  }

  /** FLUSHALL / FLUSHDB: every tracking client is told that everything is invalid. */
  invalidateAllOnFlush(): void {
    const current = this.server.currentClient;
    for (const c of this.states.keys()) {
      if (c === current) this.defer(c, null);
      else this.send(c, null);
    }
    this.table.clear();
    this.totalItems = 0;
  }

  private rememberForBroadcast(key: string, by: Client | null): void {
    for (const [prefix, bs] of this.prefixes) {
      if (!key.startsWith(prefix)) continue;
      bs.keys.set(key, by);
      if (!this.bcastScheduled) {
        this.bcastScheduled = true;
        setImmediate(() => this.broadcast());
      }
    }
  }

  /** End of tick: one message per prefix with the keys changed under it (Redis beforeSleep). */
  broadcast(): void {
    this.bcastScheduled = false;
    for (const bs of this.prefixes.values()) {
      if (bs.keys.size === 0) continue;
      const all = [...bs.keys.keys()].sort();
      for (const c of bs.clients) {
        if (this.states.get(c)?.noloop) {
          const own = all.filter((k) => bs.keys.get(k) !== c);
          if (own.length > 0) this.send(c, own);
        } else {
          this.send(c, all);
        }
      }
      bs.keys = new Map();
    }
  }

  /** Keeps the table within tracking-table-max-keys, invalidating keys (more each time it lags). */
  limitUsedSlots(): void {
    const max = this.server.config.int('tracking-table-max-keys');
    if (max === 0 || this.table.size <= max) {
      this.limitEffort = 0;
      return;
    }
    let effort = 100 * (this.limitEffort + 1);
    for (const key of this.table.keys()) {
      if (effort-- <= 0) break;
      this.invalidateKey(key, null, false);
      if (this.table.size <= max) {
        this.limitEffort = 0;
        return;
      }
    }
    this.limitEffort++;
  }

  // ---- messages -------------------------------------------------------------------------

  /** Redis sendTrackingMessage: keys, or null for "all keys" (flush). */
  private send(c: Client, keys: string[] | null): void {
    const st = this.states.get(c);
    const redirect = st?.redirect ?? 0;
    // A null in the tracking client's protocol, as Redis builds it.
    const nullText = c.resp === 3 ? '_\r\n' : '$-1\r\n';
    let target = c;
    if (redirect !== 0) {
      const r = this.server.clients.get(redirect);
      if (r === undefined) {
        if (st !== undefined) st.brokenRedirect = true;
        if (c.resp === 3) {
          this.delivery.push(c, (w) => {
            w.pushLen(2);
            w.bulk('tracking-redir-broken');
            w.int(redirect);
          });
        }
        return;
      }
      target = r;
    }
    const payload = (w: ReplyWriter): void => {
      if (keys === null) w.raw(nullText);
      else w.bulkArray(keys);
    };
    if (target.resp === 3) {
      this.delivery.push(target, (w) => {
        w.pushLen(2);
        w.bulk('invalidate');
        payload(w);
      });
    } else if (target !== c && target.has(CLIENT.pubsub)) {
      this.delivery.push(target, (w) => {
        w.arrayLen(3);
        w.bulk('message');
        w.bulk(INVALIDATE_CHANNEL);
        payload(w);
      });
    }
  }

  /** A client went away (or RESET): its options and deferred messages go. */
  dropClient(c: Client): void {
    this.disable(c);
    this.pending.delete(c);
  }

  /** INFO stats figures. */
  info(): { keys: number; items: number; prefixes: number } {
    return { keys: this.table.size, items: this.totalItems, prefixes: this.prefixes.size };
  }
}
