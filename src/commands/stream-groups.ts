// Consumer groups: XGROUP (CREATE SETID DESTROY CREATECONSUMER DELCONSUMER HELP), XACK,
// XPENDING, XCLAIM and XAUTOCLAIM, with Redis 7.0's replies, errors and keyspace events.
// XREADGROUP is in stream-read.ts.

import { totalmem } from 'node:os';
import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import { E } from '../protocol/errors.js';
import { signalKeyAsReady } from '../server/blocking.js';
import { INVALID_READ, Nack, StreamValue, type Consumer, type Group } from '../store/stream.js';
import { ID_MAX, formatId, parseStreamId } from '../store/stream-id.js';
import { eqi } from './args.js';
import { preventPropagation } from '../replication/propagate.js';
import { propagateGroupId, propagateXclaim } from './stream-read.js';
import {
  boundOrReply,
  createConsumer,
  idOrReply,
  int64OrReply,
  lookupConsumer,
  lookupOrCreateConsumer,
  notifyStream,
  readStream,
  replyEntry,
  strictIdOrReply,
  subcommandError,
  toCount,
  writeStream,
} from './stream-common.js';

const NEEDS_KEY =
  'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.';
const ENTRIESREAD_RANGE = 'ERR value for ENTRIESREAD must be positive or -1';

function noGroup(c: Client, group: string, key: string): void {
  c.reply.error(`NOGROUP No such consumer group '${group}' for key name '${key}'`);
}

function noKeyOrGroup(c: Client, key: string, group: string): void {
  c.reply.error(`NOGROUP No such key '${key}' or consumer group '${group}'`);
}

/** ENTRIESREAD's value; null after an error reply. */
function entriesReadOrReply(c: Client, s: string): bigint | null {
  const v = int64OrReply(c, s);
  if (v === null) return null;
  if (v < 0n && v !== INVALID_READ) {
    c.reply.error(ENTRIESREAD_RANGE);
    return null;
  }
  return v;
}

/** The common XGROUP prologue: the stream (must exist unless MKSTREAM) and, if required, the group. */
function xgroupTarget(
  c: Client,
  argv: string[],
  mkstream: boolean,
  needGroup: boolean,
): { s: StreamValue | undefined; g: Group | undefined } | null {
  const s = writeStream(c, argv[2]!);
  if (s === null) return null;
  if (mkstream) return { s, g: undefined };
  if (s === undefined) {
    c.reply.error(NEEDS_KEY);
    return null;
  }
  const g = s.group(argv[3]!);
  if (g === undefined && needGroup) {
    noGroup(c, argv[3]!, argv[2]!);
    return null;
  }
  return { s, g };
}

function xgroupCreate(c: Client, argv: string[]): void {
  let mkstream = false;
  let entriesRead = INVALID_READ;
  for (let i = 5; i < argv.length;) {
    if (eqi(argv[i]!, 'mkstream')) {
      mkstream = true;
      i++;
    } else if (eqi(argv[i]!, 'entriesread') && i + 1 < argv.length) {
      const v = entriesReadOrReply(c, argv[i + 1]!);
      if (v === null) return;
      entriesRead = v;
      i += 2;
    } else return subcommandError(c, argv);
  }
  if (argv.length > 8) return subcommandError(c, argv);
  const t = xgroupTarget(c, argv, mkstream, false);
  if (t === null) return;
  const key = argv[2]!;
  let s = t.s;
  let id: bigint;
  if (argv[4] === '$') id = s === undefined ? 0n : s.lastId;
  else {
    const p = strictIdOrReply(c, argv[4]!);
    if (p === null) return;
    id = p;
  }
  if (s === undefined) {
    s = new StreamValue();
    c.db.set(key, 'stream', s);
    c.db.touch(key);
  }
  if (s.createGroup(argv[3]!, id, entriesRead) === undefined) {
    return c.reply.error('BUSYGROUP Consumer Group name already exists');
  }
  c.reply.ok();
  c.server.dirty++;
  notifyStream(c, 'xgroup-create', key);
}

function xgroupSetid(c: Client, argv: string[]): void {
  let entriesRead = INVALID_READ;
  if (argv.length === 7) {
    if (!eqi(argv[5]!, 'entriesread')) return subcommandError(c, argv);
    const v = entriesReadOrReply(c, argv[6]!);
    if (v === null) return;
    entriesRead = v;
  } else if (argv.length !== 5) return subcommandError(c, argv);
  const t = xgroupTarget(c, argv, false, true);
  if (t === null) return;
  const s = t.s!;
  const g = t.g!;
  let id: bigint;
  if (argv[4] === '$') id = s.lastId;
  else {
    const p = idOrReply(c, argv[4]!);
    if (p === null) return;
    id = p;
  }
  g.lastId = id;
  g.entriesRead = entriesRead;
  c.reply.ok();
  c.server.dirty++;
  notifyStream(c, 'xgroup-setid', argv[2]!);
}

function xgroupDestroy(c: Client, argv: string[]): void {
  const t = xgroupTarget(c, argv, false, false);
  if (t === null) return;
  if (t.g === undefined) return c.reply.int(0);
  t.s!.groups!.delete(argv[3]!);
  c.reply.int(1);
  c.server.dirty++;
  notifyStream(c, 'xgroup-destroy', argv[2]!);
  // Clients blocked in XREADGROUP on this group get -NOGROUP.
  signalKeyAsReady(c.db, argv[2]!);
}

function xgroupCreateConsumer(c: Client, argv: string[]): void {
  const t = xgroupTarget(c, argv, false, true);
  if (t === null) return;
  c.reply.int(createConsumer(c, t.g!, argv[4]!, argv[2]!) === undefined ? 0 : 1);
}

function xgroupDelConsumer(c: Client, argv: string[]): void {
  const t = xgroupTarget(c, argv, false, true);
  if (t === null) return;
  const g = t.g!;
  const cons = lookupConsumer(c, g, argv[4]!, true);
  let pending = 0;
  if (cons !== undefined) {
    pending = cons.pel.size;
    g.deleteConsumer(cons);
    c.server.dirty++;
    notifyStream(c, 'xgroup-delconsumer', argv[2]!);
  }
  c.reply.int(pending);
}

const XGROUP_HELP = [
  'XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  "      Set the group's entries_read counter (internal use).",
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
  'HELP',
  '    Prints this help.',
];

function xack(c: Client, argv: string[]): void {
  const s = readStream(c, argv[1]!);
  if (s === null) return;
  const g = s?.group(argv[2]!);
  if (g === undefined) return c.reply.int(0);
  const ids: bigint[] = [];
  for (let j = 3; j < argv.length; j++) {
    const id = strictIdOrReply(c, argv[j]!);
    if (id === null) return;
    ids.push(id);
  }
  let acked = 0;
  for (const id of ids) {
    const nack = g.pel.delete(id);
    if (nack === undefined) continue;
    nack.consumer?.pel.delete(id);
    acked++;
    c.server.dirty++;
  }
  c.reply.int(acked);
}

function xpending(c: Client, argv: string[]): void {
  const summary = argv.length === 3;
  if (argv.length !== 3 && (argv.length < 6 || argv.length > 9)) return c.reply.error(E.syntax);
  let start = 0n;
  let end = ID_MAX;
  let count = 0;
  let minIdle = 0n;
  let consumerName: string | null = null;
  if (argv.length >= 6) {
    let si = 3;
    if (eqi(argv[3]!, 'idle')) {
      const v = int64OrReply(c, argv[4]!);
      if (v === null) return;
      minIdle = v;
      if (argv.length < 8) return c.reply.error(E.syntax);
      si += 2;
    }
    const n = int64OrReply(c, argv[si + 2]!);
    if (n === null) return;
    count = n < 0n ? 0 : toCount(n);
    const st = boundOrReply(c, argv[si]!, true);
    if (st === null) return;
    const en = boundOrReply(c, argv[si + 1]!, false);
    if (en === null) return;
    start = st;
    end = en;
    if (si + 3 < argv.length) consumerName = argv[si + 3]!;
  }
  const key = argv[1]!;
  const s = readStream(c, key);
  if (s === null) return;
  const g = s?.group(argv[2]!);
  if (g === undefined) return noKeyOrGroup(c, key, argv[2]!);
  const r = c.reply;
  if (summary) {
    r.arrayLen(4);
    r.int(g.pel.size);
    if (g.pel.size === 0) {
      r.nullBulk();
      r.nullBulk();
      r.nullArray();
      return;
    }
    r.bulk(formatId(g.pel.firstKey()!));
    r.bulk(formatId(g.pel.lastKey()!));
    const owners = g.sortedConsumers().filter((x) => x.pel.size > 0);
    r.arrayLen(owners.length);
    for (const o of owners) {
      r.arrayLen(2);
      r.bulk(o.name);
      r.bulk(String(o.pel.size));
    }
    return;
  }
  let pel = g.pel;
  if (consumerName !== null) {
    const cons = lookupConsumer(c, g, consumerName, true);
    if (cons === undefined) return r.arrayLen(0);
    pel = cons.pel;
  }
  const now = c.server.now();
  const out: [bigint, Nack][] = [];
  if (count > 0) {
    const minIdleN = Number(minIdle);
    // Scan forward from start, skipping entries not idle enough.
    let cur: bigint | undefined = pel.ceilKey(start);
    while (cur !== undefined && cur <= end && out.length < count) {
      const nack = pel.get(cur)!;
      if (minIdle === 0n || now - nack.deliveryTime >= minIdleN) out.push([cur, nack]);
      cur = cur === ID_MAX ? undefined : pel.ceilKey(cur + 1n);
    }
  }
  r.arrayLen(out.length);
  for (const [id, nack] of out) {
    r.arrayLen(4);
    r.bulk(formatId(id));
    r.bulk(nack.consumer?.name ?? '');
    r.int(Math.max(0, now - nack.deliveryTime));
    r.int(nack.deliveryCount);
  }
}

/** Moves a pending entry to cons (XCLAIM / XAUTOCLAIM). */
function transfer(id: bigint, nack: Nack, cons: Consumer): void {
  if (nack.consumer === cons) return;
  nack.consumer?.pel.delete(id);
  cons.pel.set(id, nack);
  nack.consumer = cons;
}

/** Drops a pending entry whose stream entry was deleted. */
function dropNack(g: Group, id: bigint, nack: Nack): void {
  g.pel.delete(id);
  nack.consumer?.pel.delete(id);
}

function replyClaimed(c: Client, s: StreamValue, id: bigint, justid: boolean): void {
  if (justid) return c.reply.bulk(formatId(id));
  const f = s.entries.get(id);
  if (f === undefined) c.reply.nullBulk();
  else replyEntry(c, id, f);
}

function xclaim(c: Client, argv: string[]): void {
  const key = argv[1]!;
  const s = readStream(c, key);
  if (s === null) return;
  const g = s?.group(argv[2]!);
  if (s === undefined || g === undefined) return noKeyOrGroup(c, key, argv[2]!);
  const mi = int64OrReply(c, argv[4]!, 'ERR Invalid min-idle-time argument for XCLAIM');
  if (mi === null) return;
  const minIdle = mi < 0n ? 0 : toCount(mi);
  let j = 5;
  const ids: bigint[] = [];
  for (; j < argv.length; j++) {
    const p = parseStreamId(argv[j]!, 0n, true);
    if (p === null) break;
    ids.push(p.id);
  }
  const idArgs = argv.slice(5, 5 + ids.length);
  const now = c.server.now();
  let deliveryTime = -1;
  let retryCount = -1;
  let force = false;
  let justid = false;
  let lastId = 0n;
  for (; j < argv.length; j++) {
    const more = j + 1 < argv.length;
    const opt = argv[j]!;
    if (eqi(opt, 'force')) force = true;
    else if (eqi(opt, 'justid')) justid = true;
    else if (eqi(opt, 'idle') && more) {
      const v = int64OrReply(c, argv[++j]!, 'ERR Invalid IDLE option argument for XCLAIM');
      if (v === null) return;
      deliveryTime = now - Number(v);
    } else if (eqi(opt, 'time') && more) {
      const v = int64OrReply(c, argv[++j]!, 'ERR Invalid TIME option argument for XCLAIM');
      if (v === null) return;
      deliveryTime = Number(v);
    } else if (eqi(opt, 'retrycount') && more) {
      const v = int64OrReply(c, argv[++j]!, 'ERR Invalid RETRYCOUNT option argument for XCLAIM');
      if (v === null) return;
      retryCount = Number(v);
    } else if (eqi(opt, 'lastid') && more) {
      const v = strictIdOrReply(c, argv[++j]!);
      if (v === null) return;
      lastId = v;
    } else return c.reply.error(`ERR Unrecognized XCLAIM option '${opt}'`);
  }
  // A new last ID goes out with XGROUP SETID unless an XCLAIM below carries it.
  let propagateLastId = false;
  if (lastId > g.lastId) {
    g.lastId = lastId;
    propagateLastId = true;
  }
  if (deliveryTime !== -1) {
    if (deliveryTime < 0 || deliveryTime > now) deliveryTime = now;
  } else deliveryTime = now;
  let cons: Consumer | undefined;
  const claimed: bigint[] = [];
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k]!;
    let nack = g.pel.get(id);
    if (!s.entries.has(id)) {
      if (nack !== undefined) {
        // The replica drops it too: its XCLAIM finds no entry either.
        propagateXclaim(c, key, argv[2]!, g, idArgs[k]!, nack);
        propagateLastId = false;
        dropNack(g, id, nack);
        c.server.dirty++;
      }
      continue;
    }
    if (force && nack === undefined) {
      nack = new Nack(null, now, 1);
      g.pel.set(id, nack);
    }
    if (nack === undefined) continue;
    if (nack.consumer !== null && minIdle > 0 && now - nack.deliveryTime < minIdle) continue;
    cons ??= lookupOrCreateConsumer(c, g, argv[3]!, key);
    nack.deliveryTime = deliveryTime;
    if (retryCount >= 0) nack.deliveryCount = retryCount;
    else if (!justid) nack.deliveryCount++;
    transfer(id, nack, cons);
    claimed.push(id);
    propagateXclaim(c, key, argv[2]!, g, idArgs[k]!, nack);
    propagateLastId = false;
    c.server.dirty++;
  }
  if (propagateLastId) {
    propagateGroupId(c, key, argv[2]!, g);
    c.server.dirty++;
  }
  // Each change went out as an idempotent XCLAIM ... FORCE JUSTID (or XGROUP SETID).
  preventPropagation(c);
  c.reply.arrayLen(claimed.length);
  for (const id of claimed) replyClaimed(c, s, id, justid);
}

function xautoclaim(c: Client, argv: string[]): void {
  const mi = int64OrReply(c, argv[4]!, 'ERR Invalid min-idle-time argument for XAUTOCLAIM');
  if (mi === null) return;
  const minIdle = mi < 0n ? 0 : toCount(mi);
  const start = boundOrReply(c, argv[5]!, true);
  if (start === null) return;
  let count = 100;
  let justid = false;
  // LONG_MAX / max(sizeof(streamID), 10)
  const maxCount = 9223372036854775807n / 16n;
  for (let j = 6; j < argv.length; j++) {
    const more = j + 1 < argv.length;
    if (eqi(argv[j]!, 'count') && more) {
      const v = parseIntOrNull(argv[j + 1]!);
      if (v === null || v < 1n || v > maxCount) return c.reply.error('ERR COUNT must be > 0');
      count = toCount(v);
      j++;
    } else if (eqi(argv[j]!, 'justid')) justid = true;
    else return c.reply.error(E.syntax);
  }
  const key = argv[1]!;
  const s = readStream(c, key);
  if (s === null) return;
  const g = s?.group(argv[2]!);
  if (s === undefined || g === undefined) return noKeyOrGroup(c, key, argv[2]!);
  // Redis allocates COUNT stream IDs up front and fails when that cannot be done.
  if (count * 16 > totalmem()) {
    return c.reply.error('ERR Insufficient memory, failed allocating transient memory, COUNT too high.');
  }
  let attempts = count * 10;
  const now = c.server.now();
  const deleted: bigint[] = [];
  const claimed: bigint[] = [];
  let cons: Consumer | undefined;
  let cur: bigint | undefined = start;
  while (attempts-- > 0 && count > 0 && cur !== undefined) {
    const id: bigint | undefined = g.pel.ceilKey(cur);
    if (id === undefined) {
      cur = undefined;
      break;
    }
    cur = id === ID_MAX ? undefined : id + 1n;
    const nack = g.pel.get(id)!;
    if (!s.entries.has(id)) {
      propagateXclaim(c, key, argv[2]!, g, formatId(id), nack);
      dropNack(g, id, nack);
      c.server.dirty++;
      deleted.push(id);
      count--;
      continue;
    }
    if (minIdle > 0 && now - nack.deliveryTime < minIdle) continue;
    cons ??= lookupOrCreateConsumer(c, g, argv[3]!, key);
    nack.deliveryTime = now;
    if (!justid) nack.deliveryCount++;
    transfer(id, nack, cons);
    claimed.push(id);
    count--;
    propagateXclaim(c, key, argv[2]!, g, formatId(id), nack);
    c.server.dirty++;
  }
  preventPropagation(c);
  const next = cur === undefined ? undefined : g.pel.ceilKey(cur);
  const r = c.reply;
  r.arrayLen(3);
  r.bulk(formatId(next ?? 0n));
  r.arrayLen(claimed.length);
  for (const id of claimed) replyClaimed(c, s, id, justid);
  r.arrayLen(deleted.length);
  for (const id of deleted) r.bulk(formatId(id));
}

function parseIntOrNull(s: string): bigint | null {
  return /^(?:0|-?[1-9][0-9]*)$/.test(s) && s.length <= 20 ? BigInt(s) : null;
}

export const streamGroupCommands: CommandImpls = {
  'xgroup|create': xgroupCreate,
  'xgroup|setid': xgroupSetid,
  'xgroup|destroy': xgroupDestroy,
  'xgroup|createconsumer': xgroupCreateConsumer,
  'xgroup|delconsumer': xgroupDelConsumer,
  'xgroup|help'(c) {
    c.reply.arrayLen(XGROUP_HELP.length);
    for (const line of XGROUP_HELP) c.reply.simple(line);
  },
  xack,
  xpending,
  xclaim,
  xautoclaim,
};
