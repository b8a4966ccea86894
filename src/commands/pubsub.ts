// Pub/Sub commands: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH, the sharded
// SSUBSCRIBE SUNSUBSCRIBE SPUBLISH, and PUBSUB introspection. The state lives in the broker
// (pubsub/broker.ts); these only parse arguments and reply.

import { forceReplication } from '../replication/propagate.js';
import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import { CLIENT } from '../server/client.js';
import { brokerOf } from '../pubsub/install.js';
import type { SubKind } from '../pubsub/broker.js';

/** Scripts and EXEC-run commands expect one reply each, so they may not subscribe. */
function denied(c: Client, name: string, inMultiOk: boolean): boolean {
  if (!c.has(CLIENT.denyBlocking) || (inMultiOk && c.has(CLIENT.multi))) return false;
  c.reply.error(`ERR ${name} isn't allowed for a DENY BLOCKING client`);
  return true;
}

function subscribe(kind: SubKind, name: string, inMultiOk: boolean) {
  return (c: Client, argv: string[]): void => {
    if (denied(c, name, inMultiOk)) return;
    const broker = brokerOf(c.server);
    for (let j = 1; j < argv.length; j++) broker.subscribe(c, kind, argv[j]!);
  };
}

function unsubscribe(kind: SubKind) {
  return (c: Client, argv: string[]): void => {
    const broker = brokerOf(c.server);
    if (argv.length === 1) broker.unsubscribeAll(c, kind, true);
    else for (let j = 1; j < argv.length; j++) broker.unsubscribe(c, kind, argv[j]!, true);
  };
}

function numsub(kind: 'channel' | 'shard') {
  return (c: Client, argv: string[]): void => {
    const broker = brokerOf(c.server);
    c.reply.arrayLen((argv.length - 2) * 2);
    for (let j = 2; j < argv.length; j++) {
      c.reply.bulk(argv[j]!);
      c.reply.int(broker.numsub(kind, argv[j]!));
    }
  };
}

function channels(kind: 'channel' | 'shard') {
  return (c: Client, argv: string[]): void => {
    c.reply.bulkArray(brokerOf(c.server).list(kind, argv.length === 3 ? argv[2]! : null));
  };
}

const HELP = [
  'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
  'HELP',
  '    Prints this help.',
];

export const pubsubCommands: CommandImpls = {
  subscribe: subscribe('channel', 'SUBSCRIBE', true),
  psubscribe: subscribe('pattern', 'PSUBSCRIBE', true),
  ssubscribe: subscribe('shard', 'SSUBSCRIBE', false),
  unsubscribe: unsubscribe('channel'),
  punsubscribe: unsubscribe('pattern'),
  sunsubscribe: unsubscribe('shard'),

  publish(c, argv) {
    // Replicas relay it to their own subscribers: it goes out though no key changed.
    forceReplication(c);
    c.reply.int(brokerOf(c.server).publish(argv[1]!, argv[2]!, false));
  },

  spublish(c, argv) {
    forceReplication(c);
    c.reply.int(brokerOf(c.server).publish(argv[1]!, argv[2]!, true));
  },

  'pubsub|help'(c) {
    c.reply.arrayLen(HELP.length);
    for (const line of HELP) c.reply.simple(line);
  },
  'pubsub|channels': channels('channel'),
  'pubsub|shardchannels': channels('shard'),
  'pubsub|numsub': numsub('channel'),
  'pubsub|shardnumsub': numsub('shard'),
  'pubsub|numpat'(c) {
    c.reply.int(brokerOf(c.server).patterns.size);
  },
};
