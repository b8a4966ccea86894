// GEO commands over sorted sets whose scores are 52-bit geohashes (store/geohash.ts):
// GEOADD GEOPOS GEOHASH GEODIST and the searches GEORADIUS[_RO] GEORADIUSBYMEMBER[_RO]
// GEOSEARCH GEOSEARCHSTORE, with Redis's argument order, errors and number formatting.

import { rewritePropagation } from '../replication/propagate.js';
import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import { E } from '../protocol/errors.js';
import { eqi, parseFloatArg, parseInt64 } from './args.js';
import { NOTIFY } from '../server/notify.js';
import { ZSet, zsetLimits, type ScoreRange } from '../store/zset.js';
import { zsetCommands } from './zsets.js';
import {
  LAT_MAX,
  LAT_MIN,
  LONG_MAX,
  LONG_MIN,
  align52,
  decodeScore,
  distance,
  formatCoord,
  formatDistance,
  formatF,
  geohashString,
  isZeroHash,
  scoreOf,
  searchCells,
  withinShape,
  type HashBits,
  type Shape,
} from '../store/geohash.js';

const SYNTAX = E.syntax;

/** The zset at key for reading; undefined when missing, null after a WRONGTYPE reply. */
function readZ(c: Client, key: string): ZSet | undefined | null {
  const e = c.db.lookupRead(key);
  if (e === undefined) return undefined;
  if (e.type !== 'zset') {
    c.reply.error(E.wrongType);
    return null;
  }
  return e.value as ZSet;
}

function parseDouble(c: Client, s: string, msg: string = E.notFloat): number | null {
  const d = parseFloatArg(s);
  if (d === null) c.reply.error(msg);
  return d;
}

/** A validated [lon, lat] from two arguments; null after an error reply. */
function lonLatArgs(c: Client, argv: string[], i: number): [number, number] | null {
  const lon = parseDouble(c, argv[i]!);
  if (lon === null) return null;
  const lat = parseDouble(c, argv[i + 1]!);
  if (lat === null) return null;
  if (lon < LONG_MIN || lon > LONG_MAX || lat < LAT_MIN || lat > LAT_MAX) {
    c.reply.error(`ERR invalid longitude,latitude pair ${formatF(lon)},${formatF(lat)}`);
    return null;
  }
  return [lon, lat];
}

/** Meters per unit; -1 after an error reply. */
function unitArg(c: Client, u: string): number {
  if (eqi(u, 'm')) return 1;
  if (eqi(u, 'km')) return 1000;
  if (eqi(u, 'ft')) return 0.3048;
  if (eqi(u, 'mi')) return 1609.34;
  c.reply.error('unsupported unit provided. please use M, KM, FT, MI');
  return -1;
}

// ---------------------------------------------------------------- GEOADD GEOPOS GEOHASH GEODIST

function geoadd(c: Client, argv: string[]): void {
  let xx = false;
  let nx = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const opt = argv[i]!;
    if (eqi(opt, 'nx')) nx = true;
    else if (eqi(opt, 'xx')) xx = true;
    else if (!eqi(opt, 'ch')) break;
  }
  if ((argv.length - i) % 3 !== 0 || (xx && nx)) {
    c.reply.error(SYNTAX);
    return;
  }
  // Redis turns GEOADD into ZADD key [options] score member ...
  const zargv = ['zadd', ...argv.slice(1, i)];
  for (let j = i; j < argv.length; j += 3) {
    const xy = lonLatArgs(c, argv, j);
    if (xy === null) return;
    zargv.push(String(scoreOf(xy[0], xy[1])), argv[j + 2]!);
  }
  // ... and so do its replicas: they get the ZADD, scores computed once.
  rewritePropagation(c, zargv);
  zsetCommands.zadd!(c, zargv);
}

function replyCoord(c: Client, d: number): void {
  const s = formatCoord(d);
  if (c.reply.resp === 3) c.reply.raw(',' + s + '\r\n');
  else c.reply.bulk(s);
}

function geopos(c: Client, argv: string[]): void {
  const z = readZ(c, argv[1]!);
  if (z === null) return;
  c.reply.arrayLen(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const score = z?.score(argv[j]!);
    if (score === undefined) {
      c.reply.nullArray();
      continue;
    }
    const [lon, lat] = decodeScore(score);
    c.reply.arrayLen(2);
    replyCoord(c, lon);
    replyCoord(c, lat);
  }
}

function geohash(c: Client, argv: string[]): void {
  const z = readZ(c, argv[1]!);
  if (z === null) return;
  c.reply.arrayLen(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const score = z?.score(argv[j]!);
    if (score === undefined) c.reply.nullBulk();
    else c.reply.bulk(geohashString(score));
  }
}

function geodist(c: Client, argv: string[]): void {
  let toMeter = 1;
  if (argv.length === 5) {
    toMeter = unitArg(c, argv[4]!);
    if (toMeter < 0) return;
  } else if (argv.length > 5) {
    c.reply.error(SYNTAX);
    return;
  }
  const z = readZ(c, argv[1]!);
  if (z === null) return;
  const s1 = z?.score(argv[2]!);
  const s2 = z?.score(argv[3]!);
  if (s1 === undefined || s2 === undefined) {
    c.reply.nullBulk();
    return;
  }
  const [lon1, lat1] = decodeScore(s1);
  const [lon2, lat2] = decodeScore(s2);
  c.reply.bulk(formatDistance(distance(lon1, lat1, lon2, lat2) / toMeter));
}

// ---------------------------------------------------------------- searches

const COORDS = 1 << 0;
const MEMBER = 1 << 1;
const NOSTORE = 1 << 2;
const SEARCH = 1 << 3;
const SEARCHSTORE = 1 << 4;

interface Point {
  member: string;
  score: number;
  lon: number;
  lat: number;
  dist: number;
}

interface SearchArgs {
  shape: Shape;
  withdist: boolean;
  withhash: boolean;
  withcoord: boolean;
  sort: 0 | 1 | -1;
  any: boolean;
  count: number;
  store: string | null;
  storedist: boolean;
}

function newShape(): Shape {
  return { xy: [0, 0], conversion: 1, radius: 0, width: 0, height: 0 };
}

/** Radius and unit at argv[i]; false after an error reply. */
function radiusArgs(c: Client, argv: string[], i: number, shape: Shape): boolean {
  const r = parseDouble(c, argv[i]!, 'need numeric radius');
  if (r === null) return false;
  if (r < 0) {
    c.reply.error('radius cannot be negative');
    return false;
  }
  const conv = unitArg(c, argv[i + 1]!);
  if (conv < 0) return false;
  shape.radius = r;
  shape.conversion = conv;
  return true;
}

function boxArgs(c: Client, argv: string[], i: number, shape: Shape): boolean {
  const w = parseDouble(c, argv[i]!, 'need numeric width');
  if (w === null) return false;
  const h = parseDouble(c, argv[i + 1]!, 'need numeric height');
  if (h === null) return false;
  if (h < 0 || w < 0) {
    c.reply.error('height or width cannot be negative');
    return false;
  }
  const conv = unitArg(c, argv[i + 2]!);
  if (conv < 0) return false;
  shape.radius = null;
  shape.width = w;
  shape.height = h;
  shape.conversion = conv;
  return true;
}

function memberCenter(c: Client, z: ZSet, member: string, shape: Shape): boolean {
  const score = z.score(member);
  if (score === undefined) {
    c.reply.error('could not decode requested zset member');
    return false;
  }
  shape.xy = decodeScore(score);
  return true;
}

/** Parses everything after the fixed arguments (Redis georadiusGeneric); null after an error. */
function parseSearch(
  c: Client,
  argv: string[],
  base: number,
  flags: number,
  z: ZSet | undefined,
  a: SearchArgs,
): boolean {
  let frommember = false;
  let fromloc = false;
  let byradius = false;
  let bybox = false;
  const n = argv.length;
  for (let i = base; i < n; i++) {
    const arg = argv[i]!;
    const left = n - i - 1;
    if (eqi(arg, 'withdist')) a.withdist = true;
    else if (eqi(arg, 'withhash')) a.withhash = true;
    else if (eqi(arg, 'withcoord')) a.withcoord = true;
    else if (eqi(arg, 'any')) a.any = true;
    else if (eqi(arg, 'asc')) a.sort = 1;
    else if (eqi(arg, 'desc')) a.sort = -1;
    else if (eqi(arg, 'count') && left >= 1) {
      const v = parseInt64(argv[++i]!);
      if (v === null) {
        c.reply.error(E.notInteger);
        return false;
      }
      if (v <= 0n) {
        c.reply.error('ERR COUNT must be > 0');
        return false;
      }
      a.count = v > 9007199254740991n ? Number.MAX_SAFE_INTEGER : Number(v);
    } else if ((eqi(arg, 'store') || eqi(arg, 'storedist')) && left >= 1 && !(flags & (NOSTORE | SEARCH))) {
      a.store = argv[++i]!;
      a.storedist = eqi(arg, 'storedist');
    } else if (eqi(arg, 'storedist') && flags & SEARCHSTORE) {
      a.storedist = true;
    } else if (eqi(arg, 'frommember') && left >= 1 && flags & SEARCH && !fromloc) {
      const m = argv[++i]!;
      if (z !== undefined && !memberCenter(c, z, m, a.shape)) return false;
      frommember = true;
    } else if (eqi(arg, 'fromlonlat') && left >= 2 && flags & SEARCH && !frommember) {
      const xy = lonLatArgs(c, argv, i + 1);
      if (xy === null) return false;
      a.shape.xy = xy;
      fromloc = true;
      i += 2;
    } else if (eqi(arg, 'byradius') && left >= 2 && flags & SEARCH && !bybox) {
      if (!radiusArgs(c, argv, i + 1, a.shape)) return false;
      byradius = true;
      i += 2;
    } else if (eqi(arg, 'bybox') && left >= 3 && flags & SEARCH && !byradius) {
      if (!boxArgs(c, argv, i + 1, a.shape)) return false;
      bybox = true;
      i += 3;
    } else {
      c.reply.error(SYNTAX);
      return false;
    }
  }
  if (a.store !== null && (a.withdist || a.withhash || a.withcoord)) {
    const what = flags & SEARCHSTORE ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS';
    c.reply.error(`ERR ${what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
    return false;
  }
  if (flags & SEARCH && !(frommember || fromloc)) {
    c.reply.error(`exactly one of FROMMEMBER or FROMLONLAT can be specified for ${argv[0]}`);
    return false;
  }
  if (flags & SEARCH && !(byradius || bybox)) {
    c.reply.error(`exactly one of BYRADIUS and BYBOX can be specified for ${argv[0]}`);
    return false;
  }
  if (a.any && a.count === 0) {
    c.reply.error('the ANY argument requires COUNT argument');
    return false;
  }
  return true;
}

/** Members of one cell inside the shape, in score order; stops at `limit` points in all. */
function scanCell(z: ZSet, cell: HashBits, shape: Shape, out: Point[], limit: number): void {
  const min = Number(align52(cell));
  const max = Number(align52({ bits: cell.bits + 1n, step: cell.step }));
  const range: ScoreRange = { min, max, minex: false, maxex: true };
  z.walkScoreRange(range, false, 0, -1, (ele, score) => {
    const [lon, lat] = decodeScore(score);
    const dist = withinShape(shape, lon, lat);
    if (dist !== null) out.push({ member: ele, score, lon, lat, dist });
    return !(out.length > 0 && limit > 0 && out.length >= limit);
  });
}

function findPoints(z: ZSet, shape: Shape, limit: number): Point[] {
  const cells = searchCells(shape);
  const out: Point[] = [];
  let last = 0;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!;
    if (isZeroHash(cell)) continue;
    // A cell equal to the previous one scanned (possible near the poles) is skipped.
    if (last !== 0 && cell.bits === cells[last]!.bits && cell.step === cells[last]!.step) continue;
    if (out.length > 0 && limit > 0 && out.length >= limit) break;
    scanCell(z, cell, shape, out, limit);
    last = i;
  }
  return out;
}

function replyPoints(c: Client, pts: Point[], n: number, a: SearchArgs): void {
  const extra = (a.withdist ? 1 : 0) + (a.withhash ? 1 : 0) + (a.withcoord ? 1 : 0);
  c.reply.arrayLen(n);
  for (let i = 0; i < n; i++) {
    const p = pts[i]!;
    if (extra > 0) c.reply.arrayLen(extra + 1);
    c.reply.bulk(p.member);
    if (a.withdist) c.reply.bulk(formatDistance(p.dist / a.shape.conversion));
    if (a.withhash) c.reply.int(p.score);
    if (a.withcoord) {
      c.reply.arrayLen(2);
      replyCoord(c, p.lon);
      replyCoord(c, p.lat);
    }
  }
}

function storePoints(c: Client, pts: Point[], n: number, a: SearchArgs, flags: number): void {
  const key = a.store!;
  if (n > 0) {
    const z = new ZSet(false);
    for (let i = 0; i < n; i++) {
      const p = pts[i]!;
      z.insertNew(p.member, a.storedist ? p.dist / a.shape.conversion : p.score);
    }
    z.shrinkIfNeeded(zsetLimits(c.server));
    c.db.set(key, 'zset', z);
    c.db.touch(key);
    c.server.events.notify(NOTIFY.zset, flags & SEARCH ? 'geosearchstore' : 'georadiusstore', key, c.db.id);
    c.server.dirty += n;
  } else if (c.db.delete(key)) {
    c.db.touch(key);
    c.server.events.notify(NOTIFY.generic, 'del', key, c.db.id);
    c.server.dirty++;
  }
  c.reply.int(n);
}

function georadiusGeneric(c: Client, argv: string[], srcIndex: number, flags: number): void {
  const z = readZ(c, argv[srcIndex]!);
  if (z === null) return;
  const a: SearchArgs = {
    shape: newShape(),
    withdist: false,
    withhash: false,
    withcoord: false,
    sort: 0,
    any: false,
    count: 0,
    store: null,
    storedist: false,
  };
  let base: number;
  if (flags & COORDS) {
    base = 6;
    const xy = lonLatArgs(c, argv, 2);
    if (xy === null) return;
    a.shape.xy = xy;
    if (!radiusArgs(c, argv, 4, a.shape)) return;
  } else if (flags & MEMBER) {
    base = 5;
    if (z !== undefined) {
      if (!memberCenter(c, z, argv[2]!, a.shape)) return;
      if (!radiusArgs(c, argv, 3, a.shape)) return;
    }
  } else {
    base = flags & SEARCHSTORE ? 3 : 2;
    if (flags & SEARCHSTORE) a.store = argv[1]!;
  }
  if (!parseSearch(c, argv, base, flags, z, a)) return;

  if (z === undefined) {
    if (a.store === null) c.reply.arrayLen(0);
    else storePoints(c, [], 0, a, flags);
    return;
  }
  if (a.count !== 0 && a.sort === 0 && !a.any) a.sort = 1;
  const pts = findPoints(z, a.shape, a.any ? a.count : 0);
  if (pts.length === 0 && a.store === null) {
    c.reply.arrayLen(0);
    return;
  }
  const n = a.count === 0 || pts.length < a.count ? pts.length : a.count;
  if (a.sort !== 0) {
    const dir = a.sort;
    pts.sort((p, q) => (p.dist > q.dist ? dir : p.dist < q.dist ? -dir : 0));
  }
  if (a.store === null) replyPoints(c, pts, n, a);
  else storePoints(c, pts, n, a, flags);
}

export const geoCommands: CommandImpls = {
  geoadd,
  geopos,
  geohash,
  geodist,
  georadius: (c, argv) => georadiusGeneric(c, argv, 1, COORDS),
  georadiusbymember: (c, argv) => georadiusGeneric(c, argv, 1, MEMBER),
  georadius_ro: (c, argv) => georadiusGeneric(c, argv, 1, COORDS | NOSTORE),
  georadiusbymember_ro: (c, argv) => georadiusGeneric(c, argv, 1, MEMBER | NOSTORE),
  geosearch: (c, argv) => georadiusGeneric(c, argv, 1, SEARCH),
  geosearchstore: (c, argv) => georadiusGeneric(c, argv, 2, SEARCH | SEARCHSTORE),
};
