// SORT and SORT_RO over lists, sets and sorted sets: BY (a pattern, "nosort", "key*->field"),
// LIMIT, GET (# and patterns), ASC/DESC, ALPHA, STORE (a list; an empty result deletes the
// destination). The order of ties and of unsorted input follows Redis's sortCommandGeneric.

import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import { E } from '../protocol/errors.js';
import { eqi, parseInt64 } from './args.js';
import { NOTIFY } from '../server/notify.js';
import { strToString, type StrValue } from '../store/strvalue.js';
import type { ZSet } from '../store/zset.js';
import type { SetValue } from '../store/set.js';
import { listAt, listFromItems, listItems, listLength } from './sort-list.js';
import { strtodFull } from './sort-strtod.js';
import { aclOf } from '../acl/provider.js';
import { isScriptClient } from '../scripting/run.js';

interface SortItem {
  ele: string;
  score: number;
  /** The BY value compared with ALPHA; null when the BY key is missing. */
  cmp: string | null;
}

interface SortOptions {
  desc: boolean;
  alpha: boolean;
  limitStart: number;
  limitCount: number;
  sortby: string | null;
  dontsort: boolean;
  store: string | null;
  gets: string[];
}

const HASH_FIELD = '->';

/**
 * The value a BY/GET pattern names for element `ele` (Redis lookupKeyByPattern): "#" is the
 * element itself; otherwise the first '*' is replaced by it, and a "->field" suffix after the
 * star reads a hash field. Null when the key (or field) is missing or of the wrong type.
 */
function lookupByPattern(c: Client, pattern: string, ele: string): string | null {
  if (pattern === '#') return ele;
  const star = pattern.indexOf('*');
  if (star < 0) return null;
  const arrow = pattern.indexOf(HASH_FIELD, star + 1);
  const hasField = arrow >= 0 && arrow + 2 < pattern.length;
  const key = pattern.slice(0, star) + ele + pattern.slice(star + 1, hasField ? arrow : pattern.length);
  const e = c.db.lookupRead(key);
  if (e === undefined) return null;
  if (hasField) {
    if (e.type !== 'hash') return null;
    const v = (e.value as { get(f: string): string | undefined }).get(pattern.slice(arrow + 2));
    return v ?? null;
  }
  if (e.type !== 'string') return null;
  return strToString(e.value as StrValue);
}

/** Parses the options; null after replying with an error. */
/** BY/GET patterns read arbitrary keys: the user needs read access to every key (Redis). */
function fullKeyRead(c: Client, argv: string[], readonly: boolean): boolean {
  return aclOf(c.server).unrestrictedKeyAccess(c, readonly ? 'sort_ro' : 'sort', argv);
}

function parseOptions(c: Client, argv: string[], readonly: boolean): SortOptions | null {
  const o: SortOptions = {
    desc: false,
    alpha: false,
    limitStart: 0,
    limitCount: -1,
    sortby: null,
    dontsort: false,
    store: null,
    gets: [],
  };
  for (let j = 2; j < argv.length; j++) {
    const opt = argv[j]!;
    const left = argv.length - j - 1;
    if (eqi(opt, 'asc')) o.desc = false;
    else if (eqi(opt, 'desc')) o.desc = true;
    else if (eqi(opt, 'alpha')) o.alpha = true;
    else if (eqi(opt, 'limit') && left >= 2) {
      const s = parseInt64(argv[j + 1]!);
      const n = s === null ? null : parseInt64(argv[j + 2]!);
      if (s === null || n === null) {
        c.reply.error(E.notInteger);
        return null;
      }
      o.limitStart = clampLong(s);
      o.limitCount = clampLong(n);
      j += 2;
    } else if (!readonly && eqi(opt, 'store') && left >= 1) {
      o.store = argv[++j]!;
    } else if (eqi(opt, 'by') && left >= 1) {
      o.sortby = argv[++j]!;
      if (o.sortby.indexOf('*') < 0) o.dontsort = true;
      else if (!fullKeyRead(c, argv, readonly)) {
        c.reply.error('ERR BY option of SORT denied due to insufficient ACL permissions.');
        return null;
      }
    } else if (eqi(opt, 'get') && left >= 1) {
      if (!fullKeyRead(c, argv, readonly)) {
        c.reply.error('ERR GET option of SORT denied due to insufficient ACL permissions.');
        return null;
      }
      o.gets.push(argv[++j]!);
    } else {
      c.reply.error(E.syntax);
      return null;
    }
  }
  return o;
}

/** A 64-bit limit as a JS number; beyond ±2^53 only the sign and "huge" matter. */
function clampLong(v: bigint): number {
  if (v > 9007199254740991n) return Number.MAX_SAFE_INTEGER;
  if (v < -9007199254740991n) return Number.MIN_SAFE_INTEGER;
  return Number(v);
}

/** The elements to sort; for an unsorted list or zset only the LIMIT window is read. */
function collect(type: string, value: unknown, o: SortOptions, start: number, end: number): string[] {
  if (type === 'list') {
    if (!o.dontsort) return listItems(value);
    if (end < start) return [];
    // Only the LIMIT window, walking from the tail for DESC.
    const len = listLength(value);
    const out: string[] = [];
    for (let k = start; k <= end; k++) out.push(listAt(value, o.desc ? len - 1 - k : k));
    return out;
  }
  if (type === 'set') return (value as SetValue).toArray();
  const z = value as ZSet;
  if (!o.dontsort) {
    const out: string[] = [];
    z.each((m) => out.push(m));
    return out;
  }
  if (end < start) return [];
  return z.rangeByRank(start, end, o.desc).map((p) => p[0]);
}

function compareItems(a: SortItem, b: SortItem, o: SortOptions): number {
  let cmp: number;
  if (!o.alpha) {
    if (a.score > b.score) cmp = 1;
    else if (a.score < b.score) cmp = -1;
    else cmp = a.ele < b.ele ? -1 : a.ele > b.ele ? 1 : 0;
  } else if (o.sortby !== null) {
    if (a.cmp === null || b.cmp === null) cmp = a.cmp === b.cmp ? 0 : a.cmp === null ? -1 : 1;
    else cmp = a.cmp < b.cmp ? -1 : a.cmp > b.cmp ? 1 : 0;
  } else {
    cmp = a.ele < b.ele ? -1 : a.ele > b.ele ? 1 : 0;
  }
  return o.desc ? -cmp : cmp;
}

/** Computes sort keys and sorts; false when a numeric key is not a valid double. */
function sortItems(c: Client, items: SortItem[], o: SortOptions): boolean {
  let bad = false;
  for (const it of items) {
    let by: string | null = it.ele;
    if (o.sortby !== null) {
      by = lookupByPattern(c, o.sortby, it.ele);
      if (by === null) continue;
    }
    if (o.alpha) {
      if (o.sortby !== null) it.cmp = by;
    } else {
      const d = strtodFull(by);
      if (d === null) bad = true;
      else it.score = d;
    }
  }
  items.sort((a, b) => compareItems(a, b, o));
  return !bad;
}

/** The output values of one element: itself, or one per GET pattern (null when missing). */
function outputsOf(c: Client, ele: string, gets: string[], out: (string | null)[]): void {
  if (gets.length === 0) out.push(ele);
  for (const g of gets) out.push(lookupByPattern(c, g, ele));
}

function sortGeneric(c: Client, argv: string[], readonly: boolean): void {
  const o = parseOptions(c, argv, readonly);
  if (o === null) return;
  const e = c.db.lookupRead(argv[1]!);
  const type = e === undefined ? 'list' : e.type;
  if (type !== 'list' && type !== 'set' && type !== 'zset') {
    c.reply.error(E.wrongType);
    return;
  }
  const value = e?.value;
  // Unsorted set output would depend on hashing: storing it (replicated) or handing it to a
  // script (whose effects replicate) sorts it instead.
  if (o.dontsort && type === 'set' && (o.store !== null || isScriptClient(c))) {
    o.dontsort = false;
    o.alpha = true;
    o.sortby = null;
  }
  // Redis converts a sorted set to its skiplist encoding before sorting it, for good.
  if (type === 'zset') (value as ZSet).listpack = false;
  const len = value === undefined ? 0 : sizeOf(type, value);
  let start = Math.min(Math.max(o.limitStart, 0), len);
  const count = Math.min(Math.max(o.limitCount, -1), len);
  let end = count < 0 ? len - 1 : start + count - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;

  const eles = value === undefined ? [] : collect(type, value, o, start, end);
  if (o.dontsort && type !== 'set') {
    // collect() already applied the window.
    end -= start;
    start = 0;
  }
  const items: SortItem[] = eles.map((ele) => ({ ele, score: 0, cmp: null }));
  if (!o.dontsort && !sortItems(c, items, o)) {
    c.reply.error("One or more scores can't be converted into double");
    return;
  }
  const out: (string | null)[] = [];
  for (let j = start; j <= end; j++) outputsOf(c, items[j]!.ele, o.gets, out);
  if (o.store === null) {
    c.reply.bulkOrNullArray(out);
    return;
  }
  store(c, o.store, out);
}

function sizeOf(type: string, value: unknown): number {
  if (type === 'list') return listLength(value);
  return (value as { size: number }).size;
}

function store(c: Client, key: string, out: (string | null)[]): void {
  if (out.length > 0) {
    c.db.set(key, 'list', listFromItems(out.map((v) => v ?? '')));
    c.db.touch(key);
    c.server.events.notify(NOTIFY.list, 'sortstore', key, c.db.id);
    c.server.dirty += out.length;
  } else if (c.db.delete(key)) {
    c.db.touch(key);
    c.server.events.notify(NOTIFY.generic, 'del', key, c.db.id);
    c.server.dirty++;
  }
  c.reply.int(out.length);
}

export const sortCommands: CommandImpls = {
  sort: (c, argv) => sortGeneric(c, argv, false),
  sort_ro: (c, argv) => sortGeneric(c, argv, true),
};
