// Set commands, as Redis 7.0's t_set.c behaves: SADD SREM SMOVE SISMEMBER SMISMEMBER SCARD
// SMEMBERS SPOP SRANDMEMBER SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE
// SSCAN. The value type and its intset/hashtable encodings live in store/set.ts.
// Result sets of SINTER/SUNION/SDIFF (stored or not) start as an intset and convert like any
// set, so their order and encoding match Redis's: ascending while they stay intsets.

import type { CommandImpls } from './types.js';
import { CLIENT, type Client } from '../server/client.js';
import { E } from '../protocol/errors.js';
import { NOTIFY } from '../server/notify.js';
import { parseInt64 } from './args.js';
import { globMatch } from '../store/glob.js';
import { SetValue } from '../store/set.js';
import { parseScanOptions, scanCursorOrReply, scanReply } from './scan.js';
import { alsoPropagate, preventPropagation, rewritePropagation } from '../replication/propagate.js';

const MUST_BE_POSITIVE = 'value is out of range, must be positive';
const SRANDMEMBER_RANGE = 'value is out of range, value must between -9223372036854775807 and 9223372036854775807';
/** SPOP with a count pops one by one while the set stays this many times larger. */
const SPOP_MOVE_STRATEGY_MUL = 5;
/** SRANDMEMBER copies the set and drops members when asked for over a third of it. */
const SRANDMEMBER_SUB_STRATEGY_MUL = 3;
const LLONG_MIN = -9223372036854775808n;

function maxIntset(c: Client): number {
  return c.server.config.int('set-max-intset-entries');
}

/**
 * The set at key for a write (no hit/miss stats): undefined when missing, null after
 * replying WRONGTYPE.
 */
function writeSet(c: Client, key: string): SetValue | undefined | null {
  const e = c.db.get(key);
  if (e === undefined) return undefined;
  if (e.type !== 'set') {
    c.reply.error(E.wrongType);
    return null;
  }
  return e.value as SetValue;
}

/** Like writeSet, for a read (counts a keyspace hit or miss). */
function readSet(c: Client, key: string): SetValue | undefined | null {
  const e = c.db.lookupRead(key);
  if (e === undefined) return undefined;
  if (e.type !== 'set') {
    c.reply.error(E.wrongType);
    return null;
  }
  return e.value as SetValue;
}

/** Deletes a set that became empty, with the 'del' event. */
function deleteEmptied(c: Client, key: string): void {
  c.db.delete(key);
  c.server.events.notify(NOTIFY.generic, 'del', key, c.db.id);
}

function replySet(c: Client, set: SetValue): void {
  c.reply.setLen(set.size);
  set.each((m) => c.reply.bulk(m));
}

/**
 * The end of every *STORE command: stores a non-empty result at dst (replacing whatever was
 * there, TTL included) with `event`, or deletes dst for an empty one.
 */
function storeResult(c: Client, dst: string, result: SetValue, event: string): void {
  const db = c.db;
  if (result.size > 0) {
    db.set(dst, 'set', result);
    db.touch(dst);
    c.reply.int(result.size);
    c.server.events.notify(NOTIFY.set, event, dst, db.id);
    c.server.dirty++;
  } else {
    c.reply.int(0);
    deleteDestination(c, dst);
  }
}

function deleteDestination(c: Client, dst: string): void {
  if (c.db.delete(dst)) {
    c.server.dirty++;
    c.db.touch(dst);
    c.server.events.notify(NOTIFY.generic, 'del', dst, c.db.id);
  }
}

// --- single-set commands ---

function sadd(c: Client, argv: string[]): void {
  const key = argv[1]!;
  let set = writeSet(c, key);
  if (set === null) return;
  if (set === undefined) {
    set = SetValue.forMember(argv[2]!);
    c.db.set(key, 'set', set);
  }
  const max = set.isIntset ? maxIntset(c) : 0;
  let added = 0;
  for (let j = 2; j < argv.length; j++) if (set.add(argv[j]!, max)) added++;
  if (added > 0) {
    c.db.touch(key);
    c.server.events.notify(NOTIFY.set, 'sadd', key, c.db.id);
  }
  c.server.dirty += added;
  c.reply.int(added);
}

function srem(c: Client, argv: string[]): void {
  const key = argv[1]!;
  const set = writeSet(c, key);
  if (set === null) return;
  if (set === undefined) return c.reply.int(0);
  let deleted = 0;
  let removed = false;
  for (let j = 2; j < argv.length; j++) {
    if (!set.remove(argv[j]!)) continue;
    deleted++;
    if (set.size === 0) {
      c.db.delete(key);
      removed = true;
      break;
    }
  }
  if (deleted > 0) {
    c.db.touch(key);
    c.server.events.notify(NOTIFY.set, 'srem', key, c.db.id);
    if (removed) c.server.events.notify(NOTIFY.generic, 'del', key, c.db.id);
    c.server.dirty += deleted;
  }
  c.reply.int(deleted);
}

function smove(c: Client, argv: string[]): void {
  const [, src, dst, member] = argv as [string, string, string, string];
  const srcEntry = c.db.get(src);
  const dstEntry = c.db.get(dst);
  if (srcEntry === undefined) return c.reply.int(0);
  if (srcEntry.type !== 'set' || (dstEntry !== undefined && dstEntry.type !== 'set')) {
    return c.reply.error(E.wrongType);
  }
  const srcSet = srcEntry.value as SetValue;
  if (srcEntry === dstEntry) return c.reply.int(srcSet.has(member) ? 1 : 0);
  if (!srcSet.remove(member)) return c.reply.int(0);
  const events = c.server.events;
  events.notify(NOTIFY.set, 'srem', src, c.db.id);
  if (srcSet.size === 0) deleteEmptied(c, src);
  let dstSet: SetValue;
  if (dstEntry === undefined) {
    dstSet = SetValue.forMember(member);
    c.db.set(dst, 'set', dstSet);
  } else {
    dstSet = dstEntry.value as SetValue;
  }
  c.db.touch(src);
  c.server.dirty++;
  // Only an actual addition changes the destination (WATCH must not fire otherwise).
  if (dstSet.add(member, dstSet.isIntset ? maxIntset(c) : 0)) {
    c.server.dirty++;
    c.db.touch(dst);
    events.notify(NOTIFY.set, 'sadd', dst, c.db.id);
  }
  c.reply.int(1);
}

function sismember(c: Client, argv: string[]): void {
  const set = readSet(c, argv[1]!);
  if (set === null) return;
  c.reply.int(set !== undefined && set.has(argv[2]!) ? 1 : 0);
}

function smismember(c: Client, argv: string[]): void {
  const set = readSet(c, argv[1]!);
  if (set === null) return;
  c.reply.arrayLen(argv.length - 2);
  for (let j = 2; j < argv.length; j++) c.reply.int(set !== undefined && set.has(argv[j]!) ? 1 : 0);
}

function scard(c: Client, argv: string[]): void {
  const set = readSet(c, argv[1]!);
  if (set === null) return;
  c.reply.int(set === undefined ? 0 : set.size);
}

function smembers(c: Client, argv: string[]): void {
  const set = readSet(c, argv[1]!);
  if (set === null) return;
  if (set === undefined) return c.reply.setLen(0);
  replySet(c, set);
}

// --- random members ---

function spop(c: Client, argv: string[]): void {
  if (argv.length === 3) return spopWithCount(c, argv);
  if (argv.length > 3) return c.reply.error(E.syntax);
  const key = argv[1]!;
  const set = writeSet(c, key);
  if (set === null) return;
  if (set === undefined) return c.reply.nullBulk();
  const m = set.random();
  set.remove(m);
  c.server.events.notify(NOTIFY.set, 'spop', key, c.db.id);
  // The random choice was made here: the replica removes that very member.
  rewritePropagation(c, ['SREM', key, m]);
  c.reply.bulk(m);
  if (set.size === 0) deleteEmptied(c, key);
  c.db.touch(key);
  c.server.dirty++;
}

function spopWithCount(c: Client, argv: string[]): void {
  const key = argv[1]!;
  const n = parseInt64(argv[2]!);
  if (n === null || n < 0n) return c.reply.error(MUST_BE_POSITIVE);
  const set = writeSet(c, key);
  if (set === null) return;
  if (set === undefined || n === 0n) return c.reply.setLen(0);
  const size = set.size;
  c.server.events.notify(NOTIFY.set, 'spop', key, c.db.id);
  if (n >= BigInt(size)) {
    c.server.dirty += size;
    // The whole set goes, replied as SUNION of the key would reply it.
    sunionDiff(c, [key], null, UNION);
    deleteEmptied(c, key);
    c.db.touch(key);
    rewritePropagation(c, ['DEL', key]);
    return;
  }
  const count = Number(n);
  c.server.dirty += count;
  c.reply.setLen(count);
  const remaining = size - count;
  if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
    for (let i = 0; i < count; i++) {
      const m = set.random();
      c.reply.bulk(m);
      set.remove(m);
      alsoPropagate(c, c.db.id, ['SREM', key, m]);
    }
  } else {
    // Popping most of the set: move the few survivors to a new set and reply the rest.
    const max = maxIntset(c);
    let kept: SetValue | null = null;
    for (let i = 0; i < remaining; i++) {
      const m = set.random();
      if (kept === null) kept = SetValue.forMember(m);
      kept.add(m, max);
      set.remove(m);
    }
    set.each((m) => {
      c.reply.bulk(m);
      alsoPropagate(c, c.db.id, ['SREM', key, m]);
    });
    c.db.get(key)!.value = kept;
  }
  // Each popped member went out as an SREM of its own (one MULTI/EXEC in all).
  preventPropagation(c);
  c.db.touch(key);
}

function srandmember(c: Client, argv: string[]): void {
  if (argv.length === 3) return srandmemberWithCount(c, argv);
  if (argv.length > 3) return c.reply.error(E.syntax);
  const set = readSet(c, argv[1]!);
  if (set === null) return;
  if (set === undefined) return c.reply.nullBulk();
  c.reply.bulk(set.random());
}

function srandmemberWithCount(c: Client, argv: string[]): void {
  const l = parseInt64(argv[2]!);
  if (l === null) return c.reply.error(E.notInteger);
  if (l === LLONG_MIN) return c.reply.error(SRANDMEMBER_RANGE);
  const unique = l >= 0n;
  const n = unique ? l : -l;
  const set = readSet(c, argv[1]!);
  if (set === null) return;
  // An empty array in both protocols, never a RESP3 set.
  if (set === undefined || n === 0n) return c.reply.arrayLen(0);
  const size = set.size;
  const r = c.reply;
  if (!unique || n === 1n) {
    // Repeats allowed: independent picks, in random order.
    const count = Number(n);
    r.arrayLen(count);
    for (let i = 0; i < count; i++) {
      r.bulk(set.random());
      // A client closed for its output buffer stops a huge negative count early, as in Redis.
      if ((i & 1023) === 1023 && c.flags & CLIENT.closeAsap) break;
    }
    return;
  }
  if (n >= BigInt(size)) {
    r.arrayLen(size);
    set.each((m) => r.bulk(m));
    return;
  }
  const count = Number(n);
  r.arrayLen(count);
  if (count * SRANDMEMBER_SUB_STRATEGY_MUL > size) {
    // Most of the set: a partial shuffle of all members picks `count` distinct ones fairly.
    const all = set.toArray();
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (all.length - i));
      const m = all[j]!;
      all[j] = all[i]!;
      r.bulk(m);
    }
    return;
  }
  // A small part of a big set: random picks until enough distinct ones.
  const picked = new Set<string>();
  while (picked.size < count) {
    const m = set.random();
    if (picked.has(m)) continue;
    picked.add(m);
    r.bulk(m);
  }
}

// --- set algebra ---

/**
 * The sets at keys, in order, with null for a missing key; null after replying WRONGTYPE
 * (every key is looked up first, so a wrong type anywhere is an error).
 */
function lookupSets(c: Client, keys: readonly string[]): (SetValue | null)[] | null {
  const sets: (SetValue | null)[] = new Array<SetValue | null>(keys.length);
  for (let j = 0; j < keys.length; j++) {
    const s = readSet(c, keys[j]!);
    if (s === null) return null;
    sets[j] = s ?? null;
  }
  return sets;
}

/** SINTER / SINTERSTORE (dst) / SINTERCARD (cardOnly, limit 0 = none). */
function sinter(c: Client, keys: readonly string[], dst: string | null, cardOnly: boolean, limit: number): void {
  const found = lookupSets(c, keys);
  if (found === null) return;
  if (found.includes(null)) {
    // Intersecting with an empty set gives the empty set.
    if (dst !== null) {
      deleteDestination(c, dst);
      c.reply.int(0);
    } else if (cardOnly) {
      c.reply.int(0);
    } else {
      c.reply.setLen(0);
    }
    return;
  }
  // Smallest first: its members are the candidates (a stable sort, like Redis's qsort here).
  const sets = (found as SetValue[]).sort((a, b) => a.size - b.size);
  const first = sets[0]!;
  const result = dst !== null ? SetValue.emptyIntset() : null;
  const max = dst !== null ? maxIntset(c) : 0;
  const members: string[] = [];
  let card = 0;
  const candidates = first.toArray();
  for (const m of candidates) {
    let j = 1;
    for (; j < sets.length; j++) {
      const s = sets[j]!;
      if (s !== first && !s.has(m)) break;
    }
    if (j < sets.length) continue;
    if (cardOnly) {
      card++;
      if (limit > 0 && card >= limit) break;
    } else if (result !== null) {
      result.add(m, max);
    } else {
      members.push(m);
    }
  }
  if (cardOnly) return c.reply.int(card);
  if (result !== null) return storeResult(c, dst!, result, 'sinterstore');
  c.reply.setLen(members.length);
  for (const m of members) c.reply.bulk(m);
}

const UNION = 0;
const DIFF = 1;

/** SUNION / SDIFF, and their STORE forms when dst is given. */
function sunionDiff(c: Client, keys: readonly string[], dst: string | null, op: number): void {
  const sets = lookupSets(c, keys);
  if (sets === null) return;
  const max = maxIntset(c);
  const result = SetValue.emptyIntset();
  if (op === UNION) {
    for (const s of sets) if (s !== null) s.each((m) => result.add(m, max));
  } else {
    diffInto(sets, result, max);
  }
  if (dst !== null) {
    storeResult(c, dst, result, op === UNION ? 'sunionstore' : 'sdiffstore');
  } else {
    replySet(c, result);
  }
}

/** The members of sets[0] found in none of the others, added to result in sets[0]'s order. */
function diffInto(sets: (SetValue | null)[], result: SetValue, max: number): void {
  const first = sets[0];
  if (first === null) return;
  for (let j = 1; j < sets.length; j++) if (sets[j] === first) return; // A - A - ... = {}
  const others = sets.slice(1).filter((s): s is SetValue => s !== null);
  // Pick the cheaper way, as Redis does: probe each member of the first set against the
  // others (biggest first, to fail fast), or copy the first set and remove the others.
  let probeWork = 0;
  let copyWork = first.size;
  for (const s of others) {
    probeWork += first.size;
    copyWork += s.size;
  }
  probeWork = Math.floor((probeWork + first.size) / 2);
  if (probeWork <= copyWork) {
    others.sort((a, b) => b.size - a.size);
    first.each((m) => {
      for (const s of others) if (s.has(m)) return;
      result.add(m, max);
    });
    return;
  }
  first.each((m) => result.add(m, max));
  for (const s of others) {
    s.each((m) => result.remove(m));
    if (result.size === 0) return;
  }
}

function sintercard(c: Client, argv: string[]): void {
  const nk = parseInt64(argv[1]!);
  if (nk === null || nk < 1n) return c.reply.error('numkeys should be greater than 0');
  if (nk > BigInt(argv.length - 2)) return c.reply.error("Number of keys can't be greater than number of args");
  const numkeys = Number(nk);
  let limit = 0;
  for (let j = 2 + numkeys; j < argv.length; j++) {
    if (argv[j]!.toLowerCase() === 'limit' && j + 1 < argv.length) {
      const l = parseInt64(argv[++j]!);
      if (l === null || l < 0n) return c.reply.error("ERR LIMIT can't be negative");
      limit = Number(l);
    } else {
      return c.reply.error(E.syntax);
    }
  }
  sinter(c, argv.slice(2, 2 + numkeys), null, true, limit);
}

function sscan(c: Client, argv: string[]): void {
  const cursor = scanCursorOrReply(c, argv[2]!);
  if (cursor === null) return;
  const set = readSet(c, argv[1]!);
  if (set === null) return;
  if (set === undefined) return scanReply(c, 0, []);
  const opts = parseScanOptions(c, argv, 3, false);
  if (opts === null) return;
  const items: string[] = [];
  const next = set.scan(
    cursor > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(cursor),
    opts.count,
    items,
  );
  const pattern = opts.pattern;
  scanReply(c, next, pattern === null ? items : items.filter((m) => globMatch(pattern, m)));
}

export const setCommands: CommandImpls = {
  sadd,
  srem,
  smove,
  sismember,
  smismember,
  scard,
  smembers,
  spop,
  srandmember,
  sinter: (c, argv) => sinter(c, argv.slice(1), null, false, 0),
  sintercard,
  sinterstore: (c, argv) => sinter(c, argv.slice(2), argv[1]!, false, 0),
  sunion: (c, argv) => sunionDiff(c, argv.slice(1), null, UNION),
  sunionstore: (c, argv) => sunionDiff(c, argv.slice(2), argv[1]!, UNION),
  sdiff: (c, argv) => sunionDiff(c, argv.slice(1), null, DIFF),
  sdiffstore: (c, argv) => sunionDiff(c, argv.slice(2), argv[1]!, DIFF),
  sscan,
};
