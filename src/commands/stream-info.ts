// XINFO STREAM [FULL [COUNT n]] / GROUPS / CONSUMERS / HELP, in Redis 7.0's shapes (maps in
// RESP3, flat arrays in RESP2).

import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import { E } from '../protocol/errors.js';
import type { Group, StreamValue } from '../store/stream.js';
import { INVALID_READ } from '../store/stream.js';
import { ID_MAX, formatId } from '../store/stream-id.js';
import { eqi } from './args.js';
import { int64OrReply, readStream, replyEntries, replyEntry, subcommandError, toCount } from './stream-common.js';

/** The stream for an XINFO subcommand; null after an error ("no such key" when missing). */
function target(c: Client, key: string): StreamValue | null {
  const s = readStream(c, key);
  if (s === null) return null;
  if (s === undefined) {
    c.reply.error(E.noSuchKey);
    return null;
  }
  return s;
}

function replyLag(c: Client, s: StreamValue, g: Group): void {
  const lag = s.lag(g);
  if (lag === null) c.reply.nullBulk();
  else c.reply.int(lag);
}

function replyEntriesRead(c: Client, g: Group): void {
  if (g.entriesRead === INVALID_READ) c.reply.nullBulk();
  else c.reply.int(g.entriesRead);
}

function xinfoStream(c: Client, argv: string[]): void {
  const s = target(c, argv[2]!);
  if (s === null) return;
  let full = false;
  let count = 10;
  const extra = argv.length - 3;
  if (extra > 0) {
    if (!eqi(argv[3]!, 'full')) return subcommandError(c, argv);
    full = true;
    if (extra === 3) {
      if (!eqi(argv[4]!, 'count')) return subcommandError(c, argv);
      const v = int64OrReply(c, argv[5]!);
      if (v === null) return;
      count = v < 0n ? 10 : toCount(v);
    } else if (extra !== 1) return subcommandError(c, argv);
  }
  const r = c.reply;
  r.mapLen(full ? 9 : 10);
  r.bulk('length');
  r.int(s.length);
  r.bulk('radix-tree-keys');
  r.int(s.nodeCount);
  r.bulk('radix-tree-nodes');
  r.int(s.raxNodeCount);
  r.bulk('last-generated-id');
  r.bulk(formatId(s.lastId));
  r.bulk('max-deleted-entry-id');
  r.bulk(formatId(s.maxDeletedId));
  r.bulk('entries-added');
  r.int(s.entriesAdded);
  r.bulk('recorded-first-entry-id');
  r.bulk(formatId(s.firstId));
  if (!full) {
    r.bulk('groups');
    r.int(s.groups?.size ?? 0);
    for (const [name, rev] of [
      ['first-entry', false],
      ['last-entry', true],
    ] as const) {
      r.bulk(name);
      const e = s.entries.range(0n, ID_MAX, 1, rev)[0];
      if (e === undefined) r.nullBulk();
      else replyEntry(c, e[0], e[1]);
    }
    return;
  }
  r.bulk('entries');
  replyEntries(c, s.entries.range(0n, ID_MAX, count));
  r.bulk('groups');
  const groups = s.sortedGroups();
  r.arrayLen(groups.length);
  for (const [name, g] of groups) {
    r.mapLen(7);
    r.bulk('name');
    r.bulk(name);
    r.bulk('last-delivered-id');
    r.bulk(formatId(g.lastId));
    r.bulk('entries-read');
    replyEntriesRead(c, g);
    r.bulk('lag');
    replyLag(c, s, g);
    r.bulk('pel-count');
    r.int(g.pel.size);
    r.bulk('pending');
    const pel = g.pel.range(0n, ID_MAX, count);
    r.arrayLen(pel.length);
    for (const [id, nack] of pel) {
      r.arrayLen(4);
      r.bulk(formatId(id));
      r.bulk(nack.consumer?.name ?? '');
      r.int(nack.deliveryTime);
      r.int(nack.deliveryCount);
    }
    r.bulk('consumers');
    const consumers = g.sortedConsumers();
    r.arrayLen(consumers.length);
    for (const cons of consumers) {
      r.mapLen(4);
      r.bulk('name');
      r.bulk(cons.name);
      r.bulk('seen-time');
      r.int(cons.seenTime);
      r.bulk('pel-count');
      r.int(cons.pel.size);
      r.bulk('pending');
      const cp = cons.pel.range(0n, ID_MAX, count);
      r.arrayLen(cp.length);
      for (const [id, nack] of cp) {
        r.arrayLen(3);
        r.bulk(formatId(id));
        r.int(nack.deliveryTime);
        r.int(nack.deliveryCount);
      }
    }
  }
}

function xinfoGroups(c: Client, argv: string[]): void {
  const s = target(c, argv[2]!);
  if (s === null) return;
  const r = c.reply;
  const groups = s.sortedGroups();
  r.arrayLen(groups.length);
  for (const [name, g] of groups) {
    r.mapLen(6);
    r.bulk('name');
    r.bulk(name);
    r.bulk('consumers');
    r.int(g.consumers.size);
    r.bulk('pending');
    r.int(g.pel.size);
    r.bulk('last-delivered-id');
    r.bulk(formatId(g.lastId));
    r.bulk('entries-read');
    replyEntriesRead(c, g);
    r.bulk('lag');
    replyLag(c, s, g);
  }
}

function xinfoConsumers(c: Client, argv: string[]): void {
  const s = target(c, argv[2]!);
  if (s === null) return;
  const g = s.group(argv[3]!);
  if (g === undefined) {
    return c.reply.error(`NOGROUP No such consumer group '${argv[3]!}' for key name '${argv[2]!}'`);
  }
  const r = c.reply;
  const now = Date.now();
  const consumers = g.sortedConsumers();
  r.arrayLen(consumers.length);
  for (const cons of consumers) {
    r.mapLen(3);
    r.bulk('name');
    r.bulk(cons.name);
    r.bulk('pending');
    r.int(cons.pel.size);
    r.bulk('idle');
    r.int(Math.max(0, now - cons.seenTime));
  }
}

const XINFO_HELP = [
  'XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
  'HELP',
  '    Prints this help.',
];

export const streamInfoCommands: CommandImpls = {
  'xinfo|stream': xinfoStream,
  'xinfo|groups': xinfoGroups,
  'xinfo|consumers': xinfoConsumers,
  'xinfo|help'(c) {
    c.reply.arrayLen(XINFO_HELP.length);
    for (const line of XINFO_HELP) c.reply.simple(line);
  },
};
