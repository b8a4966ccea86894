// MEMORY USAGE / STATS / DOCTOR / MALLOC-STATS / PURGE / HELP, and the memory figures INFO
// reports. Process figures come from process.memoryUsage(); per-key figures are estimates
// that follow Redis's layout (object header, sds header, allocator size classes) so that
// they are comparable with what Redis reports.

import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import type { Entry } from '../store/db.js';
import { E } from '../protocol/errors.js';
import { allocSize } from '../protocol/querybuf.js';
import { parseInt64 } from './args.js';
import { stringEncoding } from '../store/strvalue.js';
import { STARTUP_BASE, refreshClientMemory, usedMemory } from '../server/memory.js';

/** sizeof(robj), sizeof(dictEntry). */
const ROBJ = 16;
const DICT_ENTRY = 24;
/** Static reply buffer every client has (rbs). */
export const REPLY_BUF = 16 * 1024;
/** The rest of a client structure. */
const CLIENT_BASE = 800;
/** Samples for nested values when MEMORY USAGE gets no SAMPLES option. */
const DEFAULT_SAMPLES = 5;

/** Header size of an sds string of len bytes, type 5 included (keys, argument strings). */
function sdsHdr(len: number): number {
  if (len < 32) return 1;
  if (len < 256) return 3;
  if (len < 65536) return 5;
  if (len < 2 ** 32) return 9;
  return 17;
}

/** Allocated size of an sds string holding len bytes. */
export function sdsSize(len: number): number {
  return allocSize(sdsHdr(len) + len + 1);
}

function byteLength(v: unknown): number {
  if (typeof v === 'string') return v.length;
  if (Buffer.isBuffer(v)) return v.length;
  return String(v).length;
}

/** Size of a string value object (robj + payload) by its encoding. */
export function stringObjectSize(v: unknown): number {
  const enc = stringEncoding(v);
  if (enc === 'int') return ROBJ;
  const len = byteLength(v);
  // embstr: object header and sds in one allocation, sds type 8.
  if (enc === 'embstr') return allocSize(ROBJ + 3 + len + 1);
  return ROBJ + sdsSize(len);
}

/** Estimators for value types owned by other layers (they may know their layout better). */
export const memoryEstimators: Partial<Record<string, (value: unknown, samples: number) => number>> = {};

interface SizedValue {
  memoryUsage(samples: number): number;
}

function hasMemoryUsage(v: unknown): v is SizedValue {
  return typeof v === 'object' && v !== null && typeof (v as Partial<SizedValue>).memoryUsage === 'function';
}

/** Size of one element of a collection (a string, a number, or a [field, value] pair). */
function elementSize(x: unknown): number {
  if (Array.isArray(x)) {
    let n = 0;
    for (const y of x) n += elementSize(y);
    return n;
  }
  if (typeof x === 'number' || typeof x === 'bigint') return 8;
  return sdsSize(byteLength(x));
}

/** Generic estimate for collections: sample up to `samples` elements and extrapolate. */
function collectionSize(v: unknown, samples: number): number {
  let count = 0;
  let iter: Iterable<unknown> | null = null;
  if (v instanceof Map || v instanceof Set) {
    count = v.size;
    iter = v instanceof Map ? v.entries() : v.values();
  } else if (Array.isArray(v)) {
    count = v.length;
    iter = v;
  } else if (typeof v === 'object' && v !== null && Symbol.iterator in v) {
    const size = (v as { size?: unknown; length?: unknown }).size ?? (v as { length?: unknown }).length;
    if (typeof size === 'number') {
      count = size;
      iter = v as Iterable<unknown>;
    }
  }
  if (iter === null) return ROBJ + 64;
  let seen = 0;
  let bytes = 0;
  for (const x of iter) {
    if (seen >= samples) break;
    bytes += elementSize(x) + DICT_ENTRY;
    seen++;
  }
  const perElement = seen === 0 ? 0 : bytes / seen;
  return ROBJ + 64 + Math.round(perElement * count);
}

/** objectComputeSize: the value's estimated footprint. */
export function valueSize(e: Entry, samples: number): number {
  // Strings first: every string write re-estimates its key (server/memory.ts).
  if (e.type === 'string') return stringObjectSize(e.value);
  const custom = memoryEstimators[e.type];
  if (custom !== undefined) return custom(e.value, samples);
  if (hasMemoryUsage(e.value)) return e.value.memoryUsage(samples);
  return collectionSize(e.value, samples);
}

/** MEMORY USAGE's figure for one key: value, key string and dict entry. */
export function keyMemoryUsage(key: string, e: Entry, samples = DEFAULT_SAMPLES): number {
  return valueSize(e, samples) + sdsSize(key.length) + DICT_ENTRY;
}

/** A client's memory (CLIENT LIST tot-mem, INFO mem_clients_normal). */
export function clientMemory(c: Client): number {
  return (
    CLIENT_BASE +
    c.parser.qbuf.alloc +
    c.parser.partialArgBytes +
    REPLY_BUF +
    c.reply.bytes +
    (c.control?.socketPending() ?? 0)
  );
}

export interface MemoryFigures {
  used: number;
  rss: number;
  heapTotal: number;
  /** Highest `used` seen so far (sampled by INFO, MEMORY STATS and the cron). */
  peak: number;
  startup: number;
  overhead: number;
  dataset: number;
  datasetPerc: number;
}

const startupMemory = new WeakMap<Server, number>();
const peakMemory = new WeakMap<Server, number>();

/** Records the memory in use once the server is built (used_memory_startup). */
export function recordStartupMemory(server: Server): void {
  const m = process.memoryUsage();
  startupMemory.set(server, m.heapUsed + m.external);
}

/**
 * used is the accounted figure maxmemory is checked against (server/memory.ts explains why
 * it is not the V8 heap); rss and the allocator figures are the process's own.
 */
export function memoryFigures(server: Server): MemoryFigures {
  const m = process.memoryUsage();
  refreshClientMemory(server);
  const used = usedMemory(server);
  const startup = STARTUP_BASE;
  let overhead = startup;
  for (const c of server.clients.values()) overhead += clientMemory(c);
  for (const db of server.dbs) overhead += (db.dict.size + db.expires.size) * DICT_ENTRY;
  overhead = Math.min(overhead, used);
  const dataset = used - overhead;
  const net = used - startup;
  const peak = Math.max(used, peakMemory.get(server) ?? 0);
  peakMemory.set(server, peak);
  return {
    used,
    rss: m.rss,
    heapTotal: m.heapTotal + m.external,
    peak,
    startup,
    overhead,
    dataset,
    datasetPerc: net > 0 ? (dataset * 100) / net : 0,
  };
}

function usage(c: Client, argv: string[]): void {
  let samples = DEFAULT_SAMPLES;
  for (let j = 3; j < argv.length; j++) {
    if (argv[j]!.toLowerCase() === 'samples' && j + 1 < argv.length) {
      const n = parseInt64(argv[j + 1]!);
      if (n === null) return c.reply.error(E.notInteger);
      if (n < 0n) return c.reply.error(E.syntax);
      samples = n === 0n ? Number.MAX_SAFE_INTEGER : Number(n);
      j++;
    } else {
      return c.reply.error(E.syntax);
    }
  }
  // Like Redis: a plain dictionary lookup, no expiry and no access-time update.
  const e = c.db.dict.get(argv[2]!);
  if (e === undefined) return c.reply.nullBulk();
  c.reply.int(keyMemoryUsage(argv[2]!, e, samples));
}

function stats(c: Client): void {
  const server = c.server;
  const m = memoryFigures(server);
  const r = c.reply;
  const dbs = server.dbs.filter((db) => db.dict.size > 0 || db.expires.size > 0);
  let keys = 0;
  for (const db of server.dbs) keys += db.dict.size;
  let clients = 0;
  for (const cl of server.clients.values()) clients += clientMemory(cl);
  const peak = m.peak;
  const pair = (k: string, v: number): void => {
    r.bulk(k);
    r.int(Math.round(v));
  };
  const dbl = (k: string, v: number): void => {
    r.bulk(k);
    r.double(v);
  };
  r.mapLen(27 + dbs.length);
  pair('peak.allocated', peak);
  pair('total.allocated', m.used);
  pair('startup.allocated', m.startup);
  pair('replication.backlog', 0);
  pair('clients.slaves', 0);
  pair('clients.normal', clients);
  pair('cluster.links', 0);
  pair('aof.buffer', 0);
  pair('lua.caches', 0);
  pair('functions.caches', 0);
  for (const db of dbs) {
    r.bulk(`db.${db.id}`);
    r.mapLen(3);
    pair('overhead.hashtable.main', db.dict.size * DICT_ENTRY);
    pair('overhead.hashtable.expires', db.expires.size * DICT_ENTRY);
    pair('overhead.hashtable.slot-to-keys', 0);
  }
  pair('overhead.total', m.overhead);
  pair('keys.count', keys);
  pair('keys.bytes-per-key', keys > 0 ? Math.floor((m.used - m.startup) / keys) : 0);
  pair('dataset.bytes', m.dataset);
  dbl('dataset.percentage', m.datasetPerc);
  dbl('peak.percentage', peak > 0 ? (m.used * 100) / peak : 0);
  pair('allocator.allocated', m.used);
  pair('allocator.active', m.heapTotal);
  pair('allocator.resident', m.rss);
  dbl('allocator-fragmentation.ratio', m.used > 0 ? m.heapTotal / m.used : 0);
  pair('allocator-fragmentation.bytes', Math.max(0, m.heapTotal - m.used));
  dbl('allocator-rss.ratio', m.heapTotal > 0 ? m.rss / m.heapTotal : 0);
  pair('allocator-rss.bytes', m.rss - m.heapTotal);
  dbl('rss-overhead.ratio', 1);
  pair('rss-overhead.bytes', 0);
  dbl('fragmentation', m.used > 0 ? m.rss / m.used : 0);
  pair('fragmentation.bytes', m.rss - m.used);
}

function doctor(c: Client): void {
  const m = memoryFigures(c.server);
  const lines: string[] = [];
  if (m.used < 5 * 1024 * 1024) {
    lines.push('The instance holds very little data (under 5MB): there is nothing to diagnose yet.');
  } else {
    const frag = m.rss / m.used;
    if (frag > 1.4) lines.push(`High RSS overhead: the process RSS is ${frag.toFixed(2)} times the memory in use.`);
    if (lines.length === 0) lines.push('No memory problems detected.');
  }
  c.reply.verbatim(lines.join('\n') + '\n');
}

const HELP = [
  'MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DOCTOR',
  '    Report memory problems.',
  'MALLOC-STATS',
  '    Statistics of the memory allocator.',
  'PURGE',
  '    Ask the runtime to give unused memory back.',
  'STATS',
  '    Memory usage figures of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Estimated bytes used by <key> and its value; nested values are sampled',
  '    <count> times (default: 5, 0 means all).',
  'HELP',
  '    Print this help.',
];

export const memoryCommands: CommandImpls = {
  'memory|help'(c) {
    c.reply.arrayLen(HELP.length);
    for (const line of HELP) c.reply.simple(line);
  },
  'memory|usage': usage,
  'memory|stats': stats,
  'memory|doctor': doctor,
  'memory|malloc-stats'(c) {
    c.reply.bulk('Stats not supported for the current allocator');
  },
  'memory|purge'(c) {
    // V8 decides when to collect; there is no allocator arena to purge.
    c.reply.ok();
  },
};
