// XREAD and XREADGROUP: serve at once when a stream has entries past the requested ID (or,
// for XREADGROUP, history from the consumer's pending list), else block on the keys through
// server/blocking.ts and answer when XADD signals one of them (Redis's
// serveClientsBlockedOnStreamKey). A client blocked in XREADGROUP is woken with an error when
// its key is deleted or stops being a stream, or when its group is destroyed.

import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import type { Db, Entry } from '../store/db.js';
import { E } from '../protocol/errors.js';
import { blockForKeys, canBlock, isBlocked, signalKeyAsReady, unblockClient } from '../server/blocking.js';
import { INVALID_READ, Nack, type Consumer, type Group, type StreamValue } from '../store/stream.js';
import { ID_MAX, formatId } from '../store/stream-id.js';
import { eqi } from './args.js';
import { isScriptClient } from '../scripting/run.js';
import { createConsumer, int64OrReply, lookupConsumer, replyEntry, strictIdOrReply, toCount } from './stream-common.js';
import { alsoPropagate, preventPropagation } from '../replication/propagate.js';

/** COUNT used while blocked when none was given (XREAD_BLOCKED_DEFAULT_COUNT). */
const BLOCKED_DEFAULT_COUNT = 1000;
const TIMEOUT_NOT_INT = 'ERR timeout is not an integer or out of range';
const TIMEOUT_NEGATIVE = 'ERR timeout is negative';
const NO_LONGER_EXISTS = 'UNBLOCKED the stream key no longer exists';
const GROUP_GONE = 'NOGROUP the consumer group this client was blocked on no longer exists';

interface GroupRead {
  name: string;
  consumer: string;
  noack: boolean;
}

/**
 * The XCLAIM that recreates a pending entry on a replica as it is here, whatever the replica
 * holds (Redis streamPropagateXCLAIM); it also carries the group's last ID.
 */
export function propagateXclaim(c: Client, key: string, group: string, g: Group, id: string, nack: Nack): void {
  const argv = [
    'XCLAIM',
    key,
    group,
    nack.consumer!.name,
    '0',
    id,
    'TIME',
    String(nack.deliveryTime),
    'RETRYCOUNT',
    String(nack.deliveryCount),
    'FORCE',
    'JUSTID',
    'LASTID',
    formatId(g.lastId),
  ];
  alsoPropagate(c, c.db.id, argv);
}

/** XGROUP SETID with the read counter: the group's position when no XCLAIM carries it. */
export function propagateGroupId(c: Client, key: string, group: string, g: Group): void {
  const argv = ['XGROUP', 'SETID', key, group, formatId(g.lastId), 'ENTRIESREAD', String(g.entriesRead)];
  alsoPropagate(c, c.db.id, argv);
}

/**
 * The consumer, created when missing. A NOACK read creates it on a replica explicitly: no
 * XCLAIM will (Redis streamPropagateConsumerCreation).
 */
function readingConsumer(c: Client, key: string, group: string, g: Group, name: string, noack: boolean): Consumer {
  const found = lookupConsumer(c, g, name);
  if (found !== undefined) return found;
  if (noack) alsoPropagate(c, c.db.id, ['XGROUP', 'CREATECONSUMER', key, group, name]);
  return createConsumer(c, g, name, key)!;
}

/**
 * Delivers entries >= start to a group's consumer (streamReplyWithRange with a group): moves
 * the group's last ID and read counter, and records the entries as pending unless NOACK.
 * Replicated as one XCLAIM per pending entry, or the group's new position under NOACK.
 */
export function deliverNew(
  c: Client,
  key: string,
  group: string,
  s: StreamValue,
  g: Group,
  cons: Consumer,
  start: bigint,
  count: number,
  noack: boolean,
): void {
  const list = s.entries.range(start, ID_MAX, count);
  const now = c.server.now();
  let moved = false;
  c.reply.arrayLen(list.length);
  for (const [id, fields] of list) {
    if (id > g.lastId) {
      if (g.entriesRead !== INVALID_READ && !s.rangeHasTombstones(id)) g.entriesRead++;
      else if (s.entriesAdded !== 0n) g.entriesRead = s.estimateDistance(id);
      g.lastId = id;
      moved = true;
    }
    replyEntry(c, id, fields);
    if (noack) continue;
    const existing = g.pel.get(id);
    if (existing === undefined) {
      const nack = new Nack(cons, now, 1);
      g.pel.set(id, nack);
      cons.pel.set(id, nack);
    } else {
      existing.consumer?.pel.delete(id);
      existing.consumer = cons;
      existing.deliveryTime = now;
      existing.deliveryCount = 1;
      cons.pel.set(id, existing);
    }
    propagateXclaim(c, key, group, g, formatId(id), g.pel.get(id)!);
  }
  if (noack && moved) propagateGroupId(c, key, group, g);
}

/** The consumer's own pending entries from start (XREADGROUP with an explicit ID). */
function deliverHistory(c: Client, s: StreamValue, cons: Consumer, start: bigint, count: number): void {
  const list = cons.pel.range(start, ID_MAX, count);
  const now = c.server.now();
  c.reply.arrayLen(list.length);
  for (const [id, nack] of list) {
    const fields = s.entries.get(id);
    if (fields === undefined) {
      c.reply.arrayLen(2);
      c.reply.bulk(formatId(id));
      c.reply.nullArray();
      continue;
    }
    replyEntry(c, id, fields);
    nack.deliveryTime = now;
    nack.deliveryCount++;
  }
}

/** BLOCK's milliseconds (getTimeoutFromObjectOrReply with UNIT_MILLISECONDS): deadline, 0 = forever. */
function blockTimeout(c: Client, arg: string): number | null {
  const v = int64OrReply(c, arg, TIMEOUT_NOT_INT);
  if (v === null) return null;
  if (v < 0n) {
    c.reply.error(TIMEOUT_NEGATIVE);
    return null;
  }
  return v === 0n ? 0 : Date.now() + toCount(v);
}

function xread(c: Client, argv: string[], isGroup: boolean): void {
  let deadline = -1;
  let count = 0;
  let streamsArg = 0;
  let nStreams = 0;
  let group: GroupRead | null = null;
  let noack = false;
  for (let i = 1; i < argv.length; i++) {
    const more = argv.length - i - 1;
    const o = argv[i]!;
    if (eqi(o, 'block') && more > 0) {
      // Blocking has no sense inside a script; Redis refuses it rather than acting non-blocking.
      if (isScriptClient(c)) {
        return c.reply.error(`ERR ${argv[0]} command is not allowed with BLOCK option from scripts`);
      }
      i++;
      const d = blockTimeout(c, argv[i]!);
      if (d === null) return;
      deadline = d;
    } else if (eqi(o, 'count') && more > 0) {
      i++;
      const v = int64OrReply(c, argv[i]!);
      if (v === null) return;
      count = v < 0n ? 0 : toCount(v);
    } else if (eqi(o, 'streams') && more > 0) {
      streamsArg = i + 1;
      nStreams = argv.length - streamsArg;
      if (nStreams % 2 !== 0) {
        const sym = isGroup ? '>' : '$';
        return c.reply.error(
          `ERR Unbalanced '${isGroup ? 'xreadgroup' : 'xread'}' list of streams: for each stream key an ID or '${sym}' must be specified.`,
        );
      }
      nStreams /= 2;
      break;
    } else if (eqi(o, 'group') && more >= 2) {
      if (!isGroup)
        return c.reply.error('ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
      group = { name: argv[i + 1]!, consumer: argv[i + 2]!, noack: false };
      i += 2;
    } else if (eqi(o, 'noack')) {
      if (!isGroup)
        return c.reply.error('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
      noack = true;
    } else return c.reply.error(E.syntax);
  }
  if (streamsArg === 0) return c.reply.error(E.syntax);
  if (isGroup && group === null) return c.reply.error('ERR Missing GROUP option for XREADGROUP');
  if (group !== null) group.noack = noack;

  const keys = argv.slice(streamsArg, streamsArg + nStreams);
  const ids: bigint[] = [];
  const groups: Group[] = [];
  for (let k = 0; k < nStreams; k++) {
    const key = keys[k]!;
    const arg = argv[streamsArg + nStreams + k]!;
    const e = c.db.lookupRead(key);
    if (e !== undefined && e.type !== 'stream') return c.reply.error(E.wrongType);
    const s = e?.value as StreamValue | undefined;
    if (group !== null) {
      const g = s?.group(group.name);
      if (g === undefined) {
        return c.reply.error(
          `NOGROUP No such key '${key}' or consumer group '${group.name}' in XREADGROUP with GROUP option`,
        );
      }
      groups.push(g);
    }
    if (arg === '$') {
      if (isGroup) {
        return c.reply.error(
          'ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.',
        );
      }
      ids.push(s === undefined ? 0n : s.lastId);
      continue;
    }
    if (arg === '>') {
      if (!isGroup) {
        return c.reply.error(
          'ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.',
        );
      }
      ids.push(ID_MAX);
      continue;
    }
    const id = strictIdOrReply(c, arg);
    if (id === null) return;
    ids.push(id);
  }

  // Serve at once what can be served.
  const served: { key: string; write: () => void }[] = [];
  for (let k = 0; k < nStreams; k++) {
    const key = keys[k]!;
    // Looked up again, as Redis does (keyspace hits count twice).
    const e = c.db.lookupRead(key);
    if (e === undefined) continue;
    const s = e.value as StreamValue;
    const gt = ids[k]!;
    if (group !== null) {
      const g = groups[k]!;
      const consumer = group.consumer;
      if (gt !== ID_MAX) {
        served.push({
          key,
          write: () => {
            deliverHistory(c, s, readingConsumer(c, key, group.name, g, consumer, noack), gt + 1n, count);
            c.server.dirty++;
          },
        });
      } else if (s.length > 0 && s.lastValidId() > g.lastId) {
        served.push({
          key,
          write: () => {
            const cons = readingConsumer(c, key, group.name, g, consumer, noack);
            deliverNew(c, key, group.name, s, g, cons, g.lastId + 1n, count, noack);
            c.server.dirty++;
          },
        });
      }
    } else if (s.length > 0 && s.lastValidId() > gt) {
      served.push({ key, write: () => replyEntriesFrom(c, s, gt + 1n, count) });
    }
  }
  if (served.length > 0) {
    if (c.reply.resp === 2) c.reply.arrayLen(served.length);
    else c.reply.mapLen(served.length);
    for (const w of served) {
      if (c.reply.resp === 2) c.reply.arrayLen(2);
      c.reply.bulk(w.key);
      w.write();
    }
    return;
  }
  if (deadline === -1 || !canBlock(c)) return c.reply.nullArray();
  block(c, keys, ids, deadline, count === 0 ? BLOCKED_DEFAULT_COUNT : count, group);
}

function replyEntriesFrom(c: Client, s: StreamValue, start: bigint, count: number): void {
  const list = s.entries.range(start, ID_MAX, count);
  c.reply.arrayLen(list.length);
  for (const [id, f] of list) replyEntry(c, id, f);
}

// --- blocking ---

interface GroupWait {
  db: Db;
  keys: string[];
}

/** Clients blocked in XREADGROUP, for the key-gone wake-up (see installGoneHooks). */
const groupWaits = new Map<Client, GroupWait>();
const hooked = new WeakSet<object>();

function block(
  c: Client,
  keys: string[],
  ids: bigint[],
  deadline: number,
  count: number,
  group: GroupRead | null,
): void {
  const gt = new Map<string, bigint>();
  keys.forEach((k, i) => {
    if (!gt.has(k)) gt.set(k, ids[i]!);
  });
  const onReady = (bc: Client, key: string): boolean => {
    const e = bc.db.peek(key);
    if (group === null) {
      if (e === undefined || e.type !== 'stream') return false;
      return serveXread(bc, key, e.value as StreamValue, gt.get(key)!, count);
    }
    if (e === undefined || e.type !== 'stream') {
      bc.reply.error(NO_LONGER_EXISTS);
      groupWaits.delete(bc);
      return true;
    }
    const done = serveXreadgroup(bc, key, e.value as StreamValue, group, count);
    if (done) groupWaits.delete(bc);
    return done;
  };
  const onTimeout = (bc: Client): void => {
    groupWaits.delete(bc);
    bc.reply.nullArray();
  };
  blockForKeys(c, keys, deadline, onReady, onTimeout);
  if (group !== null) groupWaits.set(c, { db: c.db, keys });
  installKeyHooks(c);
}

function replyOneKey(c: Client, key: string): void {
  if (c.reply.resp === 2) {
    c.reply.arrayLen(1);
    c.reply.arrayLen(2);
  } else c.reply.mapLen(1);
  c.reply.bulk(key);
}

function serveXread(c: Client, key: string, s: StreamValue, gt: bigint, count: number): boolean {
  if (s.lastId <= gt) return false;
  replyOneKey(c, key);
  replyEntriesFrom(c, s, gt + 1n, count);
  return true;
}

function serveXreadgroup(c: Client, key: string, s: StreamValue, group: GroupRead, count: number): boolean {
  const g = s.group(group.name);
  if (g === undefined) {
    c.reply.error(GROUP_GONE);
    return true;
  }
  if (s.lastId <= g.lastId) return false;
  const cons = readingConsumer(c, key, group.name, g, group.consumer, group.noack);
  replyOneKey(c, key);
  deliverNew(c, key, group.name, s, g, cons, g.lastId + 1n, count, group.noack);
  c.server.dirty++;
  return true;
}

/**
 * Redis wakes XREADGROUP clients with an error when their key is deleted or overwritten by
 * another type, and re-checks blocked readers when a stream is replaced by another one (COPY
 * REPLACE, RESTORE). blocking.ts only hears about keys being added, so the other cases
 * (DEL, expiry, SET, FLUSHALL/FLUSHDB, SWAPDB) are caught here from the keyspace hooks.
 */
function installKeyHooks(c: Client): void {
  const server = c.server;
  if (hooked.has(server)) return;
  hooked.add(server);
  server.hooks.keyModified.push((db, key) => {
    if (!notStream(db.dict.get(key))) signalKeyAsReady(db, key);
    else if (groupWaits.size > 0) wakeGone(db, (k) => k === key);
  });
  server.hooks.dbReplaced.push((db: Db) => {
    if (groupWaits.size > 0) wakeGone(db, (k) => notStream(db.dict.get(k)));
  });
}

function notStream(e: Entry | undefined): boolean {
  return e === undefined || e.type !== 'stream';
}

function wakeGone(db: Db, gone: (key: string) => boolean): void {
  for (const [c, w] of [...groupWaits]) {
    if (!isBlocked(c) || c.server.clients.get(c.id) !== c) {
      groupWaits.delete(c);
      continue;
    }
    if (w.db !== db || !w.keys.some(gone)) continue;
    groupWaits.delete(c);
    c.reply.error(NO_LONGER_EXISTS);
    unblockClient(c, 'silent');
    c.control?.scheduleFlush();
  }
}

export const streamReadCommands: CommandImpls = {
  xread: (c, argv) => xread(c, argv, false),
  xreadgroup(c, argv) {
    // What it changed goes out as XCLAIM / XGROUP commands, never as the read itself.
    preventPropagation(c);
    xread(c, argv, true);
  },
};
