// Wires Pub/Sub, keyspace notifications and client tracking into a server: one Broker and one
// Tracking per Server, the gate's subscribed-state allow list, the lifecycle hooks and the
// CLIENT LIST / INFO figures.

import type { Server } from '../server/server.js';
import type { Client } from '../server/client.js';
import type { Command } from '../commands/registry.js';
import { Broker } from './broker.js';
import { Tracking } from '../server/tracking.js';
import { gate } from '../commands/dispatch.js';
import { clientInfoHooks } from '../commands/client-cmd.js';
import { NOTIFY } from '../server/notify.js';

const brokers = new WeakMap<Server, Broker>();
const trackings = new WeakMap<Server, Tracking>();

export function brokerOf(server: Server): Broker {
  const b = brokers.get(server);
  if (b === undefined) throw new Error('pub/sub not installed on this server');
  return b;
}

export function trackingOf(server: Server): Tracking {
  const t = trackings.get(server);
  if (t === undefined) throw new Error('tracking not installed on this server');
  return t;
}

/** Commands a RESP2 client may run while subscribed (Redis processCommand's list). */
const ALLOWED_SUBSCRIBED = [
  'ping',
  'subscribe',
  'ssubscribe',
  'unsubscribe',
  'sunsubscribe',
  'psubscribe',
  'punsubscribe',
  'quit',
  'reset',
];

/** Called once from the Server constructor. */
export function installPubsub(server: Server): void {
  const broker = new Broker(server);
  const tracking = new Tracking(server, broker.delivery);
  brokers.set(server, broker);
  trackings.set(server, tracking);

  server.events.publish = (channel, message) => void broker.publish(channel, message);

  for (const name of ALLOWED_SUBSCRIBED) {
    const cmd = server.commands.lookupOriginal(name);
    if (cmd !== undefined) gate.pubsubAllowed.add(cmd.id);
  }

  const h = server.hooks;
  h.clientClosed.push((c) => {
    broker.dropClient(c);
    broker.delivery.forget(c);
    tracking.dropClient(c);
  });
  // RESET (Redis clearClientConnectionState): subscriptions dropped without confirmations.
  h.clientReset.push((c) => {
    broker.dropClient(c);
    tracking.disable(c);
  });
  h.commandExecuted.push((c: Client, argv: readonly string[], _usec: number, cmd: Command) => {
    if (server.currentClient !== c) broker.delivery.release(c);
    tracking.afterCommand(c, argv, cmd);
  });
  h.keyModified.push((_db, key) => tracking.keyModified(key));
  h.keyExpired.push((db, key) => {
    server.events.notify(NOTIFY.expired, 'expired', key, db.id);
    tracking.keyExpired(key);
  });
  h.cron.push(() => {
    if (tracking.states.size > 0) tracking.limitUsedSlots();
    for (const c of server.clients.values()) broker.delivery.cronCheck(c);
  });

  clientInfoHooks.subscriptions = (c) => broker.counts(c);
  clientInfoHooks.redirect = (c) => tracking.state(c)?.redirect ?? -1;
  const otherFlags = clientInfoHooks.extraFlags;
  // Redis's order after 't': R (broken redirect), B (BCAST), then the other layers' letters.
  clientInfoHooks.extraFlags = (c) => {
    const st = tracking.state(c);
    const mine = st === undefined ? '' : (st.brokenRedirect ? 'R' : '') + (st.bcast ? 'B' : '');
    return mine + otherFlags(c);
  };
}

/** INFO stats figures owned by this layer. */
export function pubsubInfo(server: Server): Record<string, number> {
  const b = brokers.get(server);
  const t = trackings.get(server)?.info();
  return {
    pubsub_channels: b?.channels.size ?? 0,
    pubsub_patterns: b?.patterns.size ?? 0,
    pubsubshard_channels: b?.shardChannels.size ?? 0,
    tracking_total_keys: t?.keys ?? 0,
    tracking_total_items: t?.items ?? 0,
    tracking_total_prefixes: t?.prefixes ?? 0,
  };
}
