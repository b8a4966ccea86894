// OBJECT ENCODING / FREQ / IDLETIME / REFCOUNT / HELP, and the server-wide LFU switch that
// follows maxmemory-policy (Entry.lru holds an LFU counter while an *-lfu policy is set).

import { stringEncoding } from '../store/strvalue.js';
import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import type { Entry } from '../store/db.js';
import { lfu, lfuCounter } from '../store/db.js';
import { lookupConfig } from '../config/store.js';

/** Redis's refcount for shared objects (the small integers 0..9999). */
const SHARED_REFCOUNT = 2147483647;
const SHARED_INTEGERS = 10000;
/** Encoding names for values that do not report one themselves. */
const DEFAULT_ENCODING: Record<string, string> = {
  list: 'quicklist',
  set: 'hashtable',
  zset: 'skiplist',
  hash: 'hashtable',
  stream: 'stream',
};

interface Encoded {
  encoding(): string;
}

function hasEncoding(v: unknown): v is Encoded {
  return typeof v === 'object' && v !== null && typeof (v as Partial<Encoded>).encoding === 'function';
}

export function encodingOf(e: Entry): string {
  if (hasEncoding(e.value)) return e.value.encoding();
  if (e.type === 'string') return stringEncoding(e.value);
  return DEFAULT_ENCODING[e.type] ?? 'raw';
}

/** Small integers are shared objects unless an LRU/LFU maxmemory policy forbids sharing. */
function refcountOf(c: Client, e: Entry): number {
  if (e.type !== 'string' || stringEncoding(e.value) !== 'int') return 1;
  const n = Number(e.value);
  if (n < 0 || n >= SHARED_INTEGERS) return 1;
  return noSharedIntegers(c.server) ? 1 : SHARED_REFCOUNT;
}

function configStr(server: Server, name: string, fallback: string): string {
  return lookupConfig(name) === undefined ? fallback : server.config.str(name);
}

function noSharedIntegers(server: Server): boolean {
  if (configStr(server, 'maxmemory', '0') === '0') return false;
  const policy = configStr(server, 'maxmemory-policy', 'noeviction');
  return policy.endsWith('-lru') || policy.endsWith('-lfu');
}

/** Keeps the LFU switch and parameters in step with the config (call once per server). */
export function installLfuConfig(server: Server): void {
  const sync = (): null => {
    lfu.enabled = configStr(server, 'maxmemory-policy', 'noeviction').endsWith('-lfu');
    lfu.logFactor = Number(configStr(server, 'lfu-log-factor', '10'));
    lfu.decayTime = Number(configStr(server, 'lfu-decay-time', '1'));
    return null;
  };
  for (const name of ['maxmemory-policy', 'lfu-log-factor', 'lfu-decay-time']) {
    if (lookupConfig(name) !== undefined) server.config.onApply(name, sync);
  }
  sync();
}

/** OBJECT looks keys up without touching them and without keyspace notifications. */
function lookup(c: Client, key: string): Entry | undefined {
  const e = c.db.lookupRead(key, false);
  if (e === undefined) c.reply.nullBulk();
  return e;
}

const HELP = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the internal representation used to store the value at <key>.',
  'FREQ <key>',
  '    Return the logarithmic access frequency counter of <key> (LFU policies only).',
  'IDLETIME <key>',
  '    Return the seconds elapsed since <key> was last accessed (not with LFU policies).',
  'REFCOUNT <key>',
  '    Return the number of references to the value stored at <key>.',
  'HELP',
  '    Prints this help.',
];

export const objectCommands: CommandImpls = {
  'object|help'(c) {
    c.reply.arrayLen(HELP.length);
    for (const line of HELP) c.reply.simple(line);
  },

  'object|encoding'(c, argv) {
    const e = lookup(c, argv[2]!);
    if (e !== undefined) c.reply.bulk(encodingOf(e));
  },

  'object|refcount'(c, argv) {
    const e = lookup(c, argv[2]!);
    if (e !== undefined) c.reply.int(refcountOf(c, e));
  },

  'object|idletime'(c, argv) {
    const e = lookup(c, argv[2]!);
    if (e === undefined) return;
    if (lfu.enabled) {
      return c.reply.error(
        'An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
      );
    }
    // Redis's LRU clock ticks in whole seconds.
    c.reply.int(Math.max(0, Math.floor(c.server.now() / 1000) - Math.floor(e.lru / 1000)));
  },

  'object|freq'(c, argv) {
    const e = lookup(c, argv[2]!);
    if (e === undefined) return;
    if (!lfu.enabled) {
      return c.reply.error(
        'An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
      );
    }
    c.reply.int(lfuCounter(e, c.server.now()));
  },
};
