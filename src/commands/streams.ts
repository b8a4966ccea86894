// Stream commands without consumer groups: XADD XLEN XRANGE XREVRANGE XDEL XTRIM XSETID and
// XINFO, with Redis 7.0's replies and errors. XREAD is in stream-read.ts, groups in
// stream-groups.ts; all of them are joined here into streamCommands.

import { rewritePropagation } from '../replication/propagate.js';
import type { CommandImpls } from './types.js';
import { CLIENT, type Client } from '../server/client.js';
import { E, arityError } from '../protocol/errors.js';
import { signalKeyAsReady } from '../server/blocking.js';
import { StreamValue, type TrimArgs } from '../store/stream.js';
import { ID_MAX, U64_MAX, formatId, idMs, idSeq, makeId } from '../store/stream-id.js';
import { eqi } from './args.js';
import {
  addIdOrReply,
  boundOrReply,
  int64OrReply,
  nodeLimits,
  readStream,
  replyEntries,
  strictIdOrReply,
  toCount,
  writeStream,
  written,
  notifyStream,
} from './stream-common.js';
import { streamReadCommands } from './stream-read.js';
import { streamGroupCommands } from './stream-groups.js';
import { streamInfoCommands } from './stream-info.js';

interface AddTrimArgs {
  trim: TrimArgs | null;
  idGiven: boolean;
  seqGiven: boolean;
  id: bigint;
  noMkStream: boolean;
  /** Index of the ID argument ("*" or explicit) for XADD. */
  next: number;
  /** Index of the MAXLEN/MINID value. */
  trimArgIdx: number;
}

/**
 * The link to our primary or the AOF loader (Redis mustObeyClient; the loader's client has id
 * -1, Redis's CLIENT_ID_AOF): what they send is applied as it comes.
 */
function mustObey(c: Client): boolean {
  return c.has(CLIENT.master) || c.id === -1;
}

/** streamParseAddOrTrimArgsOrReply; null after an error reply. */
function parseAddOrTrim(c: Client, argv: string[], xadd: boolean): AddTrimArgs | null {
  const a: AddTrimArgs = {
    trim: null,
    idGiven: false,
    seqGiven: true,
    id: 0n,
    noMkStream: false,
    next: 0,
    trimArgIdx: 0,
  };
  let strategy: 'maxlen' | 'minid' | null = null;
  let approx = false;
  let maxlen = 0n;
  let minid = 0n;
  let limit = 0n;
  let limitGiven = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const opt = argv[i]!;
    if (xadd && opt === '*') break;
    if ((eqi(opt, 'maxlen') || eqi(opt, 'minid')) && more > 0) {
      if (strategy !== null) {
        c.reply.error('ERR syntax error, MAXLEN and MINID options at the same time are not compatible');
        return null;
      }
      approx = false;
      const next = argv[i + 1]!;
      if (more >= 2 && next === '~') {
        approx = true;
        i++;
      } else if (more >= 2 && next === '=') i++;
      a.trimArgIdx = i + 1;
      if (eqi(opt, 'maxlen')) {
        const v = int64OrReply(c, argv[i + 1]!);
        if (v === null) return null;
        if (v < 0n) {
          c.reply.error('ERR The MAXLEN argument must be >= 0.');
          return null;
        }
        maxlen = v;
        strategy = 'maxlen';
      } else {
        const id = strictIdOrReply(c, argv[i + 1]!);
        if (id === null) return null;
        minid = id;
        strategy = 'minid';
      }
      i++;
    } else if (eqi(opt, 'limit') && more > 0) {
      const v = int64OrReply(c, argv[i + 1]!);
      if (v === null) return null;
      if (v < 0n) {
        c.reply.error('ERR The LIMIT argument must be >= 0.');
        return null;
      }
      limit = v;
      limitGiven = true;
      i++;
    } else if (xadd && eqi(opt, 'nomkstream')) {
      a.noMkStream = true;
    } else if (xadd) {
      const p = addIdOrReply(c, opt);
      if (p === null) return null;
      a.id = p.id;
      a.seqGiven = p.seqGiven;
      a.idGiven = true;
      break;
    } else {
      c.reply.error(E.syntax);
      return null;
    }
  }
  a.next = i;
  if (limit !== 0n && strategy === null) {
    c.reply.error('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy');
    return null;
  }
  if (!xadd && strategy === null) {
    c.reply.error('ERR syntax error, XTRIM must be called with a trimming strategy');
    return null;
  }
  if (mustObey(c)) {
    // What the primary or the AOF sends was already made exact (MAXLEN = n, even with a
    // LIMIT kept): apply it whole, never capped by LIMIT.
    limit = 0n;
  } else if (limitGiven) {
    if (!approx) {
      c.reply.error('ERR syntax error, LIMIT cannot be used without the special ~ option');
      return null;
    }
  } else if (approx) {
    const perNode = BigInt(c.server.config.int('stream-node-max-entries'));
    limit = 100n * perNode;
    if (limit <= 0n || limit > 1000000n) limit = 10000n;
  } else {
    limit = 0n;
  }
  if (strategy !== null) {
    a.trim = { strategy, maxlen: toCount(maxlen), minid, approx, limit: toCount(limit) };
  }
  return a;
}

/** streamAppendItem's ID choice; null when the ID is not above the top item. */
function chooseId(s: StreamValue, a: AddTrimArgs, now: number): bigint | null {
  const last = s.lastId;
  let id: bigint;
  if (a.idGiven) {
    if (a.seqGiven) id = a.id;
    else if (idMs(last) === idMs(a.id)) {
      if (idSeq(last) === U64_MAX) return null;
      id = last + 1n;
    } else id = a.id;
  } else {
    const ms = BigInt(now);
    id = ms > idMs(last) ? makeId(ms, 0n) : last + 1n;
  }
  return id <= last ? null : id;
}

/**
 * An approximate trim (~, LIMIT) depends on the node layout: it goes out as the exact trim
 * to what is left here (MAXLEN = length, MINID = first ID), as Redis's
 * streamRewriteTrimArgument does.
 */
function exactTrim(argv: string[], a: AddTrimArgs, s: StreamValue): void {
  argv[a.trimArgIdx - 1] = '=';
  const t = a.trim!;
  argv[a.trimArgIdx] = t.strategy === 'maxlen' ? String(s.length) : formatId(s.entries.firstKey() ?? ID_MAX);
}

function xadd(c: Client, argv: string[]): void {
  const a = parseAddOrTrim(c, argv, true);
  if (a === null) return;
  const fieldPos = a.next + 1;
  const nf = argv.length - fieldPos;
  if (nf < 2 || nf % 2 === 1) return c.reply.error(arityError('xadd'));
  if (a.idGiven && a.seqGiven && a.id === 0n) {
    return c.reply.error('ERR The ID specified in XADD must be greater than 0-0');
  }
  const key = argv[1]!;
  let s = writeStream(c, key);
  if (s === null) return;
  if (s === undefined) {
    if (a.noMkStream) return c.reply.nullBulk();
    s = new StreamValue();
    c.db.set(key, 'stream', s);
  }
  if (s.lastId === ID_MAX) {
    return c.reply.error('ERR The stream has exhausted the last possible ID, unable to add more items');
  }
  const id = chooseId(s, a, c.server.now());
  if (id === null) {
    return c.reply.error('ERR The ID specified in XADD is equal or smaller than the target stream top item');
  }
  s.append(id, argv.slice(fieldPos), nodeLimits(c));
  c.reply.bulk(formatId(id));
  written(c, key, 'xadd');
  if (a.trim !== null && s.trim(a.trim) > 0) notifyStream(c, 'xtrim', key);
  // The replica must add the same entry: a generated ID (or sequence) goes out as chosen.
  if ((a.trim !== null && a.trim.approx) || !a.idGiven || !a.seqGiven) {
    const v = argv.slice();
    if (a.trim !== null && a.trim.approx) exactTrim(v, a, s);
    if (!a.idGiven || !a.seqGiven) v[a.next] = formatId(id);
    rewritePropagation(c, v);
  }
  signalKeyAsReady(c.db, key);
}

function xtrim(c: Client, argv: string[]): void {
  const a = parseAddOrTrim(c, argv, false);
  if (a === null) return;
  const key = argv[1]!;
  const s = writeStream(c, key);
  if (s === null) return;
  if (s === undefined) return c.reply.int(0);
  const deleted = s.trim(a.trim!);
  if (deleted > 0) {
    written(c, key, 'xtrim', deleted);
    if (a.trim!.approx) {
      const v = argv.slice();
      exactTrim(v, a, s);
      rewritePropagation(c, v);
    }
  }
  c.reply.int(deleted);
}

function xrange(c: Client, argv: string[], rev: boolean): void {
  const start = boundOrReply(c, rev ? argv[3]! : argv[2]!, true);
  if (start === null) return;
  const end = boundOrReply(c, rev ? argv[2]! : argv[3]!, false);
  if (end === null) return;
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    if (eqi(argv[j]!, 'count') && j + 1 < argv.length) {
      const v = int64OrReply(c, argv[j + 1]!);
      if (v === null) return;
      count = v < 0n ? 0 : toCount(v);
      j++;
    } else return c.reply.error(E.syntax);
  }
  const s = readStream(c, argv[1]!);
  if (s === null) return;
  if (s === undefined) return c.reply.arrayLen(0);
  if (count === 0) return c.reply.nullArray();
  replyEntries(c, s.entries.range(start, end, count < 0 ? 0 : count, rev));
}

function xdel(c: Client, argv: string[]): void {
  const ids: bigint[] = [];
  for (let j = 2; j < argv.length; j++) {
    const id = strictIdOrReply(c, argv[j]!);
    if (id === null) return;
    ids.push(id);
  }
  const key = argv[1]!;
  const s = writeStream(c, key);
  if (s === null) return;
  if (s === undefined) return c.reply.int(0);
  let deleted = 0;
  for (const id of ids) if (s.delete(id)) deleted++;
  if (deleted > 0) written(c, key, 'xdel', deleted);
  c.reply.int(deleted);
}

function xsetid(c: Client, argv: string[]): void {
  const id = strictIdOrReply(c, argv[2]!);
  if (id === null) return;
  let entriesAdded = -1n;
  let maxDel = 0n;
  for (let i = 3; i < argv.length; i += 2) {
    const opt = argv[i]!;
    const more = i + 1 < argv.length;
    if (eqi(opt, 'entriesadded') && more) {
      const v = int64OrReply(c, argv[i + 1]!);
      if (v === null) return;
      if (v < 0n) return c.reply.error('ERR entries_added must be positive');
      entriesAdded = v;
    } else if (eqi(opt, 'maxdeletedid') && more) {
      const v = strictIdOrReply(c, argv[i + 1]!);
      if (v === null) return;
      if (id < v)
        return c.reply.error('ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
      maxDel = v;
    } else return c.reply.error(E.syntax);
  }
  const key = argv[1]!;
  const s = writeStream(c, key);
  if (s === null) return;
  if (s === undefined) return c.reply.error(E.noSuchKey);
  if (s.length > 0) {
    if (id < s.lastValidId())
      return c.reply.error('ERR The ID specified in XSETID is smaller than the target stream top item');
    if (entriesAdded !== -1n && BigInt(s.length) > entriesAdded) {
      return c.reply.error('ERR The entries_added specified in XSETID is smaller than the target stream length');
    }
  }
  if (id < s.maxDeletedId)
    return c.reply.error('ERR The ID specified in XSETID is smaller than current max_deleted_entry_id');
  s.lastId = id;
  if (entriesAdded !== -1n) s.entriesAdded = entriesAdded;
  if (maxDel !== 0n) s.maxDeletedId = maxDel;
  written(c, key, 'xsetid');
  c.reply.ok();
}

export const streamCommands: CommandImpls = {
  xadd,
  xtrim,
  xdel,
  xsetid,
  xlen(c, argv) {
    const s = readStream(c, argv[1]!);
    if (s === null) return;
    c.reply.int(s === undefined ? 0 : s.length);
  },
  xrange: (c, argv) => xrange(c, argv, false),
  xrevrange: (c, argv) => xrange(c, argv, true),
  ...streamReadCommands,
  ...streamGroupCommands,
  ...streamInfoCommands,
};
