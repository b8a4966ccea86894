// Geohash arithmetic for GEO commands, computed exactly as Redis does so that scores,
// search areas and distances agree to the last bit: a point is a 52-bit interleaved hash
// (26 bits of latitude on the even bits, 26 of longitude on the odd bits) over the Web
// Mercator latitude range, stored as a sorted-set score. Hash bits are BigInts because the
// neighbour arithmetic needs 64-bit masks.

export const STEP_MAX = 26;
export const LONG_MIN = -180;
export const LONG_MAX = 180;
export const LAT_MIN = -85.05112878;
export const LAT_MAX = 85.05112878;

const D_R = Math.PI / 180.0;
export const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;

export interface Range {
  min: number;
  max: number;
}

export interface HashBits {
  bits: bigint;
  step: number;
}

export interface Area {
  hash: HashBits;
  lon: Range;
  lat: Range;
}

export const GEO_LON_RANGE: Range = { min: LONG_MIN, max: LONG_MAX };
export const GEO_LAT_RANGE: Range = { min: LAT_MIN, max: LAT_MAX };

// ---------------------------------------------------------------- bit interleaving

function spread16(x: number): number {
  x = (x | (x << 8)) & 0x00ff00ff;
  x = (x | (x << 4)) & 0x0f0f0f0f;
  x = (x | (x << 2)) & 0x33333333;
  x = (x | (x << 1)) & 0x55555555;
  return x >>> 0;
}

function compact16(x: number): number {
  x &= 0x55555555;
  x = (x | (x >>> 1)) & 0x33333333;
  x = (x | (x >>> 2)) & 0x0f0f0f0f;
  x = (x | (x >>> 4)) & 0x00ff00ff;
  x = (x | (x >>> 8)) & 0x0000ffff;
  return x;
}

function spread32(x: number): bigint {
  return BigInt(spread16(x & 0xffff)) | (BigInt(spread16(x >>> 16)) << 32n);
}

/** x on the even bits, y on the odd bits. */
export function interleave(x: number, y: number): bigint {
  return spread32(x) | (spread32(y) << 1n);
}

/** Inverse of interleave: [even bits, odd bits]. */
export function deinterleave(bits: bigint): [number, number] {
  const lo = Number(bits & 0xffffffffn);
  const hi = Number((bits >> 32n) & 0xffffffffn);
  const x = (compact16(lo) | (compact16(hi) << 16)) >>> 0;
  const y = (compact16(lo >>> 1) | (compact16(hi >>> 1) << 16)) >>> 0;
  return [x, y];
}

// ---------------------------------------------------------------- encode / decode

/** Hash of a point at `step` bits per coordinate; null when it lies outside the ranges. */
export function encode(
  lon: number,
  lat: number,
  step: number,
  lonRange: Range = GEO_LON_RANGE,
  latRange: Range = GEO_LAT_RANGE,
): HashBits | null {
  if (step > 32 || step === 0) return null;
  if (lon > LONG_MAX || lon < LONG_MIN || lat > LAT_MAX || lat < LAT_MIN) return null;
  if (lat < latRange.min || lat > latRange.max || lon < lonRange.min || lon > lonRange.max) return null;
  let latOff = (lat - latRange.min) / (latRange.max - latRange.min);
  let lonOff = (lon - lonRange.min) / (lonRange.max - lonRange.min);
  latOff *= 2 ** step;
  lonOff *= 2 ** step;
  // C converts with (uint32_t): truncation.
  return { bits: interleave(Math.trunc(latOff) >>> 0, Math.trunc(lonOff) >>> 0), step };
}

/** The cell a hash denotes. */
export function decode(hash: HashBits, lonRange: Range = GEO_LON_RANGE, latRange: Range = GEO_LAT_RANGE): Area {
  const [ilat, ilon] = deinterleave(hash.bits);
  const latScale = latRange.max - latRange.min;
  const lonScale = lonRange.max - lonRange.min;
  const div = 2 ** hash.step;
  return {
    hash,
    lat: { min: latRange.min + (ilat / div) * latScale, max: latRange.min + ((ilat + 1) / div) * latScale },
    lon: { min: lonRange.min + (ilon / div) * lonScale, max: lonRange.min + ((ilon + 1) / div) * lonScale },
  };
}

/** The centre of a cell, clamped to the valid ranges: [lon, lat]. */
export function areaCenter(a: Area): [number, number] {
  let lon = (a.lon.min + a.lon.max) / 2;
  if (lon > LONG_MAX) lon = LONG_MAX;
  if (lon < LONG_MIN) lon = LONG_MIN;
  let lat = (a.lat.min + a.lat.max) / 2;
  if (lat > LAT_MAX) lat = LAT_MAX;
  if (lat < LAT_MIN) lat = LAT_MIN;
  return [lon, lat];
}

/** The point a sorted-set score stands for: [lon, lat]. */
export function decodeScore(score: number): [number, number] {
  // (uint64_t)score: scores written by GEOADD are non-negative integers.
  const bits = score >= 0 && score < 18446744073709551616 ? BigInt(Math.trunc(score)) : 0n;
  return areaCenter(decode({ bits, step: STEP_MAX }));
}

/** A hash shifted to the 52-bit score scale. */
export function align52(hash: HashBits): bigint {
  return hash.bits << BigInt(52 - hash.step * 2);
}

/** The score GEOADD stores for a valid point. */
export function scoreOf(lon: number, lat: number): number {
  const h = encode(lon, lat, STEP_MAX)!;
  return Number(align52(h));
}

/** The 11-character standard geohash (latitude range ±90) of a stored score. */
export function geohashString(score: number): string {
  const [lon, lat] = decodeScore(score);
  const h = encode(lon, lat, STEP_MAX, { min: -180, max: 180 }, { min: -90, max: 90 });
  const bits = h === null ? 0n : h.bits;
  let s = '';
  for (let i = 0; i < 11; i++) {
    const idx = i === 10 ? 0 : Number((bits >> BigInt(52 - (i + 1) * 5)) & 0x1fn);
    s += ALPHABET[idx];
  }
  return s;
}

const ALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

// ---------------------------------------------------------------- neighbours

const EVEN = 0x5555555555555555n;
const ODD = 0xaaaaaaaaaaaaaaaan;

function move(hash: HashBits, d: number, moveOdd: boolean): HashBits {
  if (d === 0) return hash;
  const shift = BigInt(64 - hash.step * 2);
  let x = hash.bits & (moveOdd ? ODD : EVEN);
  const y = hash.bits & (moveOdd ? EVEN : ODD);
  const zz = (moveOdd ? EVEN : ODD) >> shift;
  if (d > 0) x = x + (zz + 1n);
  else {
    x = x | zz;
    x = x - (zz + 1n);
  }
  x &= (moveOdd ? ODD : EVEN) >> shift;
  return { bits: (x | y) & 0xffffffffffffffffn, step: hash.step };
}

/** East/west moves change longitude (odd bits); north/south latitude (even bits). */
const moveX = (h: HashBits, d: number): HashBits => move(h, d, true);
const moveY = (h: HashBits, d: number): HashBits => move(h, d, false);

export interface Neighbors {
  north: HashBits;
  south: HashBits;
  east: HashBits;
  west: HashBits;
  northEast: HashBits;
  northWest: HashBits;
  southEast: HashBits;
  southWest: HashBits;
}

export function neighbors(h: HashBits): Neighbors {
  return {
    east: moveX(h, 1),
    west: moveX(h, -1),
    south: moveY(h, -1),
    north: moveY(h, 1),
    northWest: moveY(moveX(h, -1), 1),
    northEast: moveY(moveX(h, 1), 1),
    southEast: moveY(moveX(h, 1), -1),
    southWest: moveY(moveX(h, -1), -1),
  };
}

// ---------------------------------------------------------------- distances

const degRad = (a: number): number => a * D_R;
const radDeg = (a: number): number => a / D_R;

export function latDistance(lat1: number, lat2: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2) - degRad(lat1));
}

/** Haversine distance in meters between two points given in degrees. */
export function distance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lon1r = degRad(lon1);
  const lon2r = degRad(lon2);
  const v = Math.sin((lon2r - lon1r) / 2);
  if (v === 0.0) return latDistance(lat1, lat2);
  const lat1r = degRad(lat1);
  const lat2r = degRad(lat2);
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

// ---------------------------------------------------------------- search shapes

export interface Shape {
  /** Centre: [lon, lat]. */
  xy: [number, number];
  /** Unit to meters. */
  conversion: number;
  /** Circle radius (in the unit), or null for a box. */
  radius: number | null;
  width: number;
  height: number;
}

/** The distance of point (lon, lat) from the shape's centre in meters, or null when outside. */
export function withinShape(s: Shape, lon: number, lat: number): number | null {
  if (s.radius !== null) {
    const d = distance(s.xy[0], s.xy[1], lon, lat);
    return d > s.radius * s.conversion ? null : d;
  }
  const w = s.width * s.conversion;
  const h = s.height * s.conversion;
  if (latDistance(lat, s.xy[1]) > h / 2) return null;
  if (distance(lon, lat, s.xy[0], lat) > w / 2) return null;
  return distance(s.xy[0], s.xy[1], lon, lat);
}

export function estimateStepsByRadius(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2; // make sure the range is included in most of the base cases
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

/** [minLon, minLat, maxLon, maxLat] around the shape. */
function boundingBox(s: Shape): [number, number, number, number] {
  const [lon, lat] = s.xy;
  const height = s.conversion * (s.radius !== null ? s.radius : s.height / 2);
  const width = s.conversion * (s.radius !== null ? s.radius : s.width / 2);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const lonDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(lat + latDelta)));
  const lonDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(lat - latDelta)));
  const south = lat < 0;
  return [
    south ? lon - lonDeltaBottom : lon - lonDeltaTop,
    lat - latDelta,
    south ? lon + lonDeltaBottom : lon + lonDeltaTop,
    lat + latDelta,
  ];
}

const ZERO: HashBits = { bits: 0n, step: 0 };

/**
 * The cells to scan for a shape, in Redis's order: the centre cell, then N S E W NE NW SE
 * SW; cells that cannot hold matches are the zero hash (skipped).
 */
export function searchCells(s: Shape): HashBits[] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(s);
  const [lon, lat] = s.xy;
  let radiusMeters =
    s.radius !== null ? s.radius : Math.sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2));
  radiusMeters *= s.conversion;
  let steps = estimateStepsByRadius(radiusMeters, lat);
  let hash = encode(lon, lat, steps) ?? { bits: 0n, step: steps };
  let n = neighbors(hash);
  let area = decode(hash);
  const decrease =
    decode(n.north).lat.max < maxLat ||
    decode(n.south).lat.min > minLat ||
    decode(n.east).lon.max < maxLon ||
    decode(n.west).lon.min > minLon;
  if (steps > 1 && decrease) {
    steps--;
    hash = encode(lon, lat, steps) ?? { bits: 0n, step: steps };
    n = neighbors(hash);
    area = decode(hash);
  }
  if (steps >= 2) {
    if (area.lat.min < minLat) n.south = n.southWest = n.southEast = ZERO;
    if (area.lat.max > maxLat) n.north = n.northEast = n.northWest = ZERO;
    if (area.lon.min < minLon) n.west = n.southWest = n.northWest = ZERO;
    if (area.lon.max > maxLon) n.east = n.southEast = n.northEast = ZERO;
  }
  return [hash, n.north, n.south, n.east, n.west, n.northEast, n.northWest, n.southEast, n.southWest];
}

export function isZeroHash(h: HashBits): boolean {
  return h.bits === 0n && h.step === 0;
}

// ---------------------------------------------------------------- number formatting

/** llrint: round half to even. */
function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** A distance as Redis prints it: fixed point with 4 decimals (fixedpoint_d2string). */
export function formatDistance(d: number): string {
  if (d === 0) return '0.0000';
  const v = rint(d * 10000);
  const neg = v < 0;
  const a = BigInt(Math.abs(v));
  const ip = a / 10000n;
  const fp = (a % 10000n).toString().padStart(4, '0');
  return (neg ? '-' : '') + ip.toString() + '.' + fp;
}

/** A coordinate as Redis's human long double format: %.17Lf without trailing zeros. */
export function formatCoord(d: number): string {
  let s = d.toFixed(17);
  if (s.indexOf('.') >= 0) {
    let end = s.length;
    while (s.charCodeAt(end - 1) === 48) end--;
    if (s.charCodeAt(end - 1) === 46) end--;
    s = s.slice(0, end);
  }
  return s === '-0' ? '0' : s;
}

/** printf("%f"), for error messages. */
export function formatF(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isNaN(d)) return 'nan';
  if (Math.abs(d) >= 1e21) return BigInt(d).toString() + '.000000';
  return d.toFixed(6);
}
