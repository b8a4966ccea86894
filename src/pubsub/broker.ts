// The Pub/Sub broker: who is subscribed to what, in both directions (per client: channels,
// patterns, shard channels; per channel or pattern: its subscribers in subscription order),
// and delivery of messages into subscribers' reply buffers. Commands (commands/pubsub.ts),
// keyspace notifications, client tracking (RESP2 redirection) and a later ACL layer all go
// through it. Confirmation and message shapes are Redis's: a 3- or 4-element array in RESP2,
// a push (`>`) in RESP3.

import { CLIENT, type Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import { globMatch } from '../store/glob.js';
import { Delivery } from './delivery.js';

/** The three kinds of subscription. */
export type SubKind = 'channel' | 'pattern' | 'shard';

/** One client's subscriptions, each set in subscription order. */
export class ClientSubs {
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  readonly shard = new Set<string>();

  get total(): number {
    return this.channels.size + this.patterns.size + this.shard.size;
  }
}

const SUBSCRIBE = { channel: 'subscribe', pattern: 'psubscribe', shard: 'ssubscribe' } as const;
const UNSUBSCRIBE = { channel: 'unsubscribe', pattern: 'punsubscribe', shard: 'sunsubscribe' } as const;

function bulk(s: string): string {
  return '$' + s.length + '\r\n' + s + '\r\n';
}

const PMESSAGE = bulk('pmessage');

export class Broker {
  /** Subscribers by channel, pattern and shard channel; an entry goes when its last one leaves. */
  readonly channels = new Map<string, Set<Client>>();
  readonly patterns = new Map<string, Set<Client>>();
  readonly shardChannels = new Map<string, Set<Client>>();
  private readonly subs = new WeakMap<Client, ClientSubs>();
  readonly delivery: Delivery;

  constructor(readonly server: Server) {
    this.delivery = new Delivery(server);
  }

  /** The client's subscriptions, or undefined when it never subscribed. */
  of(c: Client): ClientSubs | undefined {
    return this.subs.get(c);
  }

  /** [channels, patterns, shard channels] counts (CLIENT LIST sub= psub= ssub=). */
  counts(c: Client): [number, number, number] {
    const s = this.subs.get(c);
    return s === undefined ? [0, 0, 0] : [s.channels.size, s.patterns.size, s.shard.size];
  }

  /** Channels + patterns: the count SUBSCRIBE and PSUBSCRIBE confirmations carry. */
  private count(c: Client, kind: SubKind): number {
    const s = this.subs.get(c);
    if (s === undefined) return 0;
    return kind === 'shard' ? s.shard.size : s.channels.size + s.patterns.size;
  }

  private clientSet(s: ClientSubs, kind: SubKind): Set<string> {
    return kind === 'channel' ? s.channels : kind === 'pattern' ? s.patterns : s.shard;
  }

  private serverMap(kind: SubKind): Map<string, Set<Client>> {
    return kind === 'channel' ? this.channels : kind === 'pattern' ? this.patterns : this.shardChannels;
  }

  /** Subscribes c and confirms (Redis replies even when it was already subscribed). */
  subscribe(c: Client, kind: SubKind, name: string): boolean {
    let s = this.subs.get(c);
    if (s === undefined) {
      s = new ClientSubs();
      this.subs.set(c, s);
    }
    const mine = this.clientSet(s, kind);
    const added = !mine.has(name);
    if (added) {
      mine.add(name);
      const map = this.serverMap(kind);
      let set = map.get(name);
      if (set === undefined) map.set(name, (set = new Set()));
      set.add(c);
    }
    c.flags |= CLIENT.pubsub;
    this.confirm(c, SUBSCRIBE[kind], name, this.count(c, kind));
    return added;
  }

  /** Unsubscribes c from one name; confirms when `notify`. Returns whether it was subscribed. */
  unsubscribe(c: Client, kind: SubKind, name: string, notify: boolean): boolean {
    const s = this.subs.get(c);
    const removed = s !== undefined && this.clientSet(s, kind).delete(name);
    if (removed) {
      const map = this.serverMap(kind);
      const set = map.get(name);
      if (set !== undefined) {
        set.delete(c);
        if (set.size === 0) map.delete(name);
      }
    }
    if (notify) this.confirm(c, UNSUBSCRIBE[kind], name, this.count(c, kind));
    this.updateFlag(c);
    return removed;
  }

  /** Unsubscribes c from every name of a kind; with notify and none, one null confirmation. */
  unsubscribeAll(c: Client, kind: SubKind, notify: boolean): number {
    const s = this.subs.get(c);
    let n = 0;
    if (s !== undefined) {
      for (const name of [...this.clientSet(s, kind)]) n += this.unsubscribe(c, kind, name, notify) ? 1 : 0;
    }
    if (notify && n === 0) this.confirm(c, UNSUBSCRIBE[kind], null, this.count(c, kind));
    this.updateFlag(c);
    return n;
  }

  /**
   * Unsubscribes c from the given names (for an ACL layer dropping revoked channels), each
   * confirmed to the client like an UNSUBSCRIBE would be.
   */
  unsubscribeMany(c: Client, kind: SubKind, names: Iterable<string>, notify = true): number {
    let n = 0;
    for (const name of [...names]) n += this.unsubscribe(c, kind, name, notify) ? 1 : 0;
    return n;
  }

  /** Drops every subscription of c silently (client closed, RESET). */
  dropClient(c: Client): void {
    const s = this.subs.get(c);
    if (s !== undefined) {
      for (const kind of ['channel', 'pattern', 'shard'] as const) {
        const map = this.serverMap(kind);
        for (const name of this.clientSet(s, kind)) {
          const set = map.get(name);
          if (set === undefined) continue;
          set.delete(c);
          if (set.size === 0) map.delete(name);
        }
      }
      this.subs.delete(c);
    }
    c.flags &= ~CLIENT.pubsub;
  }

  /** Leaves subscribed state once nothing is left (Redis clears CLIENT_PUBSUB then). */
  private updateFlag(c: Client): void {
    const s = this.subs.get(c);
    if (s === undefined || s.total === 0) c.flags &= ~CLIENT.pubsub;
  }

  /** A (un)subscribe confirmation: [kind, name or null, count]. */
  private confirm(c: Client, what: string, name: string | null, count: number): void {
    this.delivery.push(c, (r) => {
      r.pushLen(3);
      r.bulk(what);
      r.bulkOrNull(name);
      r.int(count);
    });
  }

  /** PUBLISH (shard = false) or SPUBLISH: returns the number of receivers. */
  publish(channel: string, message: string, shard = false): number {
    let receivers = 0;
    const direct = (shard ? this.shardChannels : this.channels).get(channel);
    if (direct !== undefined) {
      // Encoded once for all subscribers: the body is the same in both protocols.
      const body = bulk(shard ? 'smessage' : 'message') + bulk(channel) + bulk(message);
      for (const c of direct) {
        this.delivery.pushText(c, '*3\r\n' + body, '>3\r\n' + body);
        receivers++;
      }
    }
    if (shard) return receivers;
    let tail: string | null = null;
    for (const [pattern, clients] of this.patterns) {
      if (!globMatch(pattern, channel)) continue;
      tail ??= bulk(channel) + bulk(message);
      const body = PMESSAGE + bulk(pattern) + tail;
      for (const c of clients) {
        this.delivery.pushText(c, '*4\r\n' + body, '>4\r\n' + body);
        receivers++;
      }
    }
    return receivers;
  }

  /** Names of a kind matching an optional glob (PUBSUB CHANNELS / SHARDCHANNELS). */
  list(kind: 'channel' | 'shard', pattern: string | null): string[] {
    const out: string[] = [];
    for (const name of this.serverMap(kind).keys()) {
      if (pattern === null || globMatch(pattern, name)) out.push(name);
    }
    return out;
  }

  /** Subscribers of one channel (PUBSUB NUMSUB / SHARDNUMSUB). */
  numsub(kind: 'channel' | 'shard', name: string): number {
    return this.serverMap(kind).get(name)?.size ?? 0;
  }
}
