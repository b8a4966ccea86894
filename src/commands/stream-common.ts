// Helpers shared by the stream commands: key lookups, ID and integer arguments with Redis's
// error replies, entry replies and the bookkeeping after a write.

import type { Client } from '../server/client.js';
import { E } from '../protocol/errors.js';
import { NOTIFY } from '../server/notify.js';
import { Consumer, type StreamValue, type Fields, type Group, type NodeLimits } from '../store/stream.js';
import { ID_MAX, formatId, parseStreamId, type ParsedId } from '../store/stream-id.js';
import { parseInt64 } from './args.js';

export const INVALID_ID = 'ERR Invalid stream ID specified as stream command argument';

/** The stream at key for reading; undefined when missing, null after WRONGTYPE. */
export function readStream(c: Client, key: string): StreamValue | undefined | null {
  const e = c.db.lookupRead(key);
  if (e === undefined) return undefined;
  if (e.type !== 'stream') {
    c.reply.error(E.wrongType);
    return null;
  }
  return e.value as StreamValue;
}

/** The stream at key for writing; undefined when missing, null after WRONGTYPE. */
export function writeStream(c: Client, key: string): StreamValue | undefined | null {
  const e = c.db.get(key);
  if (e === undefined) return undefined;
  if (e.type !== 'stream') {
    c.reply.error(E.wrongType);
    return null;
  }
  return e.value as StreamValue;
}

export function nodeLimits(c: Client): NodeLimits {
  const cfg = c.server.config;
  return { entries: cfg.int('stream-node-max-entries'), bytes: cfg.int('stream-node-max-bytes') };
}

/** A strict ID ("-" and "+" refused); replies with the error and returns null when invalid. */
export function strictIdOrReply(c: Client, s: string, missingSeq = 0n): bigint | null {
  const p = parseStreamId(s, missingSeq, true);
  if (p === null) c.reply.error(INVALID_ID);
  return p === null ? null : p.id;
}

/** An ID that may be "-" or "+". */
export function idOrReply(c: Client, s: string, missingSeq = 0n): bigint | null {
  const p = parseStreamId(s, missingSeq, false);
  if (p === null) c.reply.error(INVALID_ID);
  return p === null ? null : p.id;
}

/** XADD's ID: strict, and "<ms>-*" allowed. */
export function addIdOrReply(c: Client, s: string): ParsedId | null {
  const p = parseStreamId(s, 0n, true, true);
  if (p === null) c.reply.error(INVALID_ID);
  return p;
}

/**
 * An interval bound (streamParseIntervalIDOrReply): "(" makes it exclusive, then the bound is
 * moved one ID inwards; null after an error reply.
 */
export function boundOrReply(c: Client, s: string, isStart: boolean): bigint | null {
  let id: bigint | null;
  let exclusive = false;
  if (s.length > 1 && s[0] === '(') {
    exclusive = true;
    id = strictIdOrReply(c, s.slice(1), isStart ? 0n : ID_MAX >> 64n);
  } else {
    id = idOrReply(c, s, isStart ? 0n : ID_MAX >> 64n);
  }
  if (id === null || !exclusive) return id;
  if (isStart) {
    if (id === ID_MAX) {
      c.reply.error('ERR invalid start ID for the interval');
      return null;
    }
    return id + 1n;
  }
  if (id === 0n) {
    c.reply.error('ERR invalid end ID for the interval');
    return null;
  }
  return id - 1n;
}

/** getLongLongFromObjectOrReply: a signed 64-bit integer as a bigint, or null after the error. */
export function int64OrReply(c: Client, s: string, msg: string = E.notInteger): bigint | null {
  const v = parseInt64(s);
  if (v === null) c.reply.error(msg);
  return v;
}

/** A 64-bit count clamped into the safe number range (counts beyond it act the same). */
export function toCount(v: bigint): number {
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : v < -1n ? -1 : Number(v);
}

/** One entry: [id, [field, value, ...]]. */
export function replyEntry(c: Client, id: bigint, fields: Fields): void {
  const r = c.reply;
  r.arrayLen(2);
  r.bulk(formatId(id));
  r.arrayLen(fields.length);
  for (const f of fields) r.bulk(f);
}

export function replyEntries(c: Client, list: [bigint, Fields][]): void {
  c.reply.arrayLen(list.length);
  for (const [id, f] of list) replyEntry(c, id, f);
}

/** After a write: WATCH/tracking, the keyspace event, dirty. */
export function written(c: Client, key: string, event: string, dirty = 1): void {
  c.db.touch(key);
  c.server.events.notify(NOTIFY.stream, event, key, c.db.id);
  c.server.dirty += dirty;
}

export function notifyStream(c: Client, event: string, key: string): void {
  c.server.events.notify(NOTIFY.stream, event, key, c.db.id);
}

/** streamLookupConsumer, refreshing the seen time unless noRefresh. */
export function lookupConsumer(c: Client, g: Group, name: string, noRefresh = false): Consumer | undefined {
  const cons = g.consumers.get(name);
  if (cons !== undefined && !noRefresh) cons.seenTime = Date.now();
  return cons;
}

/** streamCreateConsumer: undefined when the name exists; notifies and dirties otherwise. */
export function createConsumer(c: Client, g: Group, name: string, key: string): Consumer | undefined {
  if (g.consumers.has(name)) return undefined;
  const cons = new Consumer(name, Date.now());
  g.consumers.set(name, cons);
  c.server.dirty++;
  notifyStream(c, 'xgroup-createconsumer', key);
  return cons;
}

/** The consumer, created when missing (XREADGROUP, XCLAIM, XAUTOCLAIM). */
export function lookupOrCreateConsumer(c: Client, g: Group, name: string, key: string): Consumer {
  return lookupConsumer(c, g, name) ?? createConsumer(c, g, name, key)!;
}

export function subcommandError(c: Client, argv: string[]): void {
  c.reply.error(
    `ERR unknown subcommand or wrong number of arguments for '${argv[1]!.slice(0, 128)}'. Try ${argv[0]!.toUpperCase()} HELP.`,
  );
}
