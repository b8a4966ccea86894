// HyperLogLog values in Redis's own byte layout, so that GET/DUMP/RESTORE exchange them with
// real Redis. A value is a string: a 16-byte header ("HYLL", encoding byte, 3 unused bytes,
// 8-byte little-endian cached cardinality whose top bit marks the cache stale) followed by
// either 16384 packed 6-bit registers (dense) or a run-length opcode stream (sparse):
//   00xxxxxx          ZERO:  1..64 zero registers
//   01xxxxxx yyyyyyyy XZERO: 1..16384 zero registers
//   1vvvvvxx          VAL:   1..4 registers of value 1..32
// Sparse edits follow Redis's splitting and merging steps exactly: different but equivalent
// opcode streams would give different bytes to GET and DUMP.

export const HLL_P = 14;
export const HLL_Q = 64 - HLL_P;
export const REGISTERS = 1 << HLL_P;
export const HDR_SIZE = 16;
export const DENSE_SIZE = HDR_SIZE + (REGISTERS * 6) / 8;
export const DENSE = 0;
export const SPARSE = 1;
const REG_MAX = 63;
const VAL_MAX_VALUE = 32;
const VAL_MAX_LEN = 4;
const ZERO_MAX_LEN = 64;
// 0.5 / ln(2), the double nearest to Redis's literal 0.721347520444481703680.
const ALPHA_INF = 0.7213475204444817;

/** A value being edited: sparse edits may replace the buffer. */
export interface HllRef {
  buf: Buffer;
}

// ---------------------------------------------------------------- MurmurHash64A (seed 0xadc83b19)

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
const SEED = 0xadc83b19;
/** Result of the last 64-bit multiply / hash, as two unsigned 32-bit halves. */
let rh = 0;
let rl = 0;

const M_LO0 = M_LO & 0xffff;
const M_LO1 = M_LO >>> 16;

/** (ah:al) * m mod 2^64 into rh:rl: Math.imul gives the low words, 16-bit limbs the carry. */
function mulM(ah: number, al: number): void {
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const t = a0 * M_LO0;
  const mid1 = a1 * M_LO0 + (t >>> 16);
  const mid2 = a0 * M_LO1 + (mid1 & 0xffff);
  const carry = a1 * M_LO1 + Math.floor(mid1 / 65536) + Math.floor(mid2 / 65536);
  rl = Math.imul(al, M_LO) >>> 0;
  rh = (Math.imul(ah, M_LO) + Math.imul(al, M_HI) + carry) >>> 0;
}

type ByteAt = (i: number) => number;

function murmur(len: number, at: ByteAt): void {
  // h = seed ^ (len * m)
  mulM(0, len >>> 0);
  let hh = rh;
  let hl = (rl ^ SEED) >>> 0;
  const blocks = len - (len & 7);
  for (let i = 0; i < blocks; i += 8) {
    const kl = (at(i) | (at(i + 1) << 8) | (at(i + 2) << 16) | (at(i + 3) << 24)) >>> 0;
    const kh = (at(i + 4) | (at(i + 5) << 8) | (at(i + 6) << 16) | (at(i + 7) << 24)) >>> 0;
    mulM(kh, kl);
    // k ^= k >> 47; k *= m
    mulM(rh, (rl ^ (rh >>> 15)) >>> 0);
    hh = (hh ^ rh) >>> 0;
    hl = (hl ^ rl) >>> 0;
    mulM(hh, hl);
    hh = rh;
    hl = rl;
  }
  const rem = len & 7;
  if (rem > 0) {
    for (let j = rem - 1; j >= 0; j--) {
      const b = at(blocks + j);
      if (j >= 4) hh = (hh ^ (b << ((j - 4) * 8))) >>> 0;
      else hl = (hl ^ (b << (j * 8))) >>> 0;
    }
    mulM(hh, hl);
    hh = rh;
    hl = rl;
  }
  hl = (hl ^ (hh >>> 15)) >>> 0;
  mulM(hh, hl);
  rl = (rl ^ (rh >>> 15)) >>> 0;
}

/** MurmurHash64A of one 8-byte little-endian block given as two words (PFSELFTEST's input). */
function murmur8(kl: number, kh: number): void {
  mulM(0, 8);
  const hh = rh;
  const hl = (rl ^ SEED) >>> 0;
  mulM(kh, kl);
  mulM(rh, (rl ^ (rh >>> 15)) >>> 0);
  mulM((hh ^ rh) >>> 0, (hl ^ rl) >>> 0);
  mulM(rh, (rl ^ (rh >>> 15)) >>> 0);
  rl = (rl ^ (rh >>> 15)) >>> 0;
}

let curStr = '';
const strAt: ByteAt = (i) => curStr.charCodeAt(i);

/** MurmurHash64A of a latin1 string as [high32, low32] (tests and tools). */
export function murmurHash64A(s: string): [number, number] {
  curStr = s;
  murmur(s.length, strAt);
  return [rh, rl];
}

/** murmurHash64A of the 8 bytes lo, hi (little endian), by the one-block shortcut. */
export function murmurHash64AWords(lo: number, hi: number): [number, number] {
  murmur8(lo, hi);
  return [rh, rl];
}

/** Register index of the last hashed element (set by patLen). */
let patIndex = 0;

/** Length of the 0...01 run after the index bits of the hash in rh:rl (Redis hllPatLen). */
function patLenOfHash(): number {
  patIndex = rl & (REGISTERS - 1);
  const low = rl >>> HLL_P; // 18 bits
  if (low !== 0) return 31 - Math.clz32(low & -low) + 1;
  if (rh !== 0) return 18 + (31 - Math.clz32(rh & -rh)) + 1;
  return HLL_Q + 1;
}

function patLenStr(s: string): number {
  curStr = s;
  murmur(s.length, strAt);
  return patLenOfHash();
}

function patLen8(lo: number, hi: number): number {
  murmur8(lo, hi);
  return patLenOfHash();
}

// ---------------------------------------------------------------- header

export function isValidHll(b: Buffer): boolean {
  if (b.length < HDR_SIZE) return false;
  if (b[0] !== 0x48 || b[1] !== 0x59 || b[2] !== 0x4c || b[3] !== 0x4c) return false;
  const enc = b[4]!;
  if (enc > SPARSE) return false;
  return enc !== DENSE || b.length === DENSE_SIZE;
}

export function encodingOf(b: Buffer): number {
  return b[4]!;
}

export function invalidateCache(b: Buffer): void {
  b[15] = b[15]! | 0x80;
}

/** The cached cardinality, or -1 when the cache is stale. */
export function cachedCard(b: Buffer): number {
  if (b[15]! & 0x80) return -1;
  return b.readUInt32LE(8) + b.readUInt32LE(12) * 4294967296;
}

export function setCachedCard(b: Buffer, card: number): void {
  b.writeUInt32LE(card % 4294967296, 8);
  b.writeUInt32LE(Math.floor(card / 4294967296), 12);
}

/** A new empty HLL: sparse, one XZERO opcode covering every register, cache valid at 0. */
export function createHll(): Buffer {
  const b = Buffer.alloc(HDR_SIZE + 2);
  b.latin1Write('HYLL', 0);
  b[4] = SPARSE;
  writeXzero(b, HDR_SIZE, REGISTERS);
  return b;
}

// ---------------------------------------------------------------- dense

/** Register i of a dense register area starting at `off`. */
export function denseGet(b: Uint8Array, off: number, i: number): number {
  const bit = i * 6;
  const byte = off + (bit >>> 3);
  const fb = bit & 7;
  const b0 = b[byte]!;
  const b1 = byte + 1 < b.length ? b[byte + 1]! : 0;
  return ((b0 >>> fb) | (b1 << (8 - fb))) & REG_MAX;
}

export function denseSetRaw(b: Uint8Array, off: number, i: number, v: number): void {
  const bit = i * 6;
  const byte = off + (bit >>> 3);
  const fb = bit & 7;
  const fb8 = 8 - fb;
  b[byte] = (b[byte]! & ~(REG_MAX << fb)) | (v << fb);
  if (byte + 1 < b.length) b[byte + 1] = (b[byte + 1]! & ~(REG_MAX >>> fb8)) | (v >>> fb8);
}

function denseSet(b: Uint8Array, i: number, count: number): number {
  if (count <= denseGet(b, HDR_SIZE, i)) return 0;
  denseSetRaw(b, HDR_SIZE, i, count);
  return 1;
}

// ---------------------------------------------------------------- sparse opcodes

const isZero = (op: number): boolean => (op & 0xc0) === 0;
const isXzero = (op: number): boolean => (op & 0xc0) === 0x40;
const valValue = (op: number): number => ((op >>> 2) & 0x1f) + 1;
const valLen = (op: number): number => (op & 3) + 1;
const valOp = (v: number, len: number): number => 0x80 | ((v - 1) << 2) | (len - 1);

function xzeroLen(b: Uint8Array, p: number): number {
  return (((b[p]! & 0x3f) << 8) | (b[p + 1] ?? 0)) + 1;
}

function writeXzero(b: Uint8Array, p: number, len: number): void {
  b[p] = ((len - 1) >>> 8) | 0x40;
  b[p + 1] = (len - 1) & 0xff;
}

/** Walks the opcodes of a sparse value: visit(firstRegister, runLength, value) per run. */
function walkSparse(b: Uint8Array, visit: (idx: number, len: number, v: number) => boolean): number {
  let idx = 0;
  let p = HDR_SIZE;
  const end = b.length;
  while (p < end) {
    const op = b[p]!;
    let len: number;
    let v = 0;
    if (isZero(op)) {
      len = (op & 0x3f) + 1;
      p++;
    } else if (isXzero(op)) {
      len = xzeroLen(b, p);
      p += 2;
    } else {
      len = valLen(op);
      v = valValue(op);
      p++;
    }
    if (!visit(idx, len, v)) return -1;
    idx += len;
  }
  return idx;
}

/** The registers of a sparse value as a dense buffer (same header), or null when corrupt. */
function sparseToDenseBuf(b: Buffer): Buffer | null {
  const d = Buffer.alloc(DENSE_SIZE);
  b.copy(d, 0, 0, HDR_SIZE);
  d[4] = DENSE;
  const n = walkSparse(b, (idx, len, v) => {
    if (v === 0) return true;
    if (idx + len > REGISTERS) return false;
    for (let i = 0; i < len; i++) denseSetRaw(d, HDR_SIZE, idx + i, v);
    return true;
  });
  return n === REGISTERS ? d : null;
}

/** Converts ref to dense in place of the old value; false when the sparse data is corrupt. */
export function sparseToDense(ref: HllRef): boolean {
  if (ref.buf[4] === DENSE) return true;
  const d = sparseToDenseBuf(ref.buf);
  if (d === null) return false;
  ref.buf = d;
  return true;
}

function promote(ref: HllRef, index: number, count: number): number {
  if (!sparseToDense(ref)) return -1;
  return denseSet(ref.buf, index, count);
}

/** Merges adjacent VAL opcodes of equal value, scanning at most 5 opcodes from p. */
function mergeVals(b: Buffer, p: number, end: number): number {
  let scan = 5;
  while (p < end && scan-- > 0) {
    const op = b[p]!;
    if (isXzero(op)) {
      p += 2;
      continue;
    }
    if (isZero(op)) {
      p++;
      continue;
    }
    if (p + 1 < end && b[p + 1]! & 0x80) {
      const next = b[p + 1]!;
      const v = valValue(op);
      if (v === valValue(next)) {
        const len = valLen(op) + valLen(next);
        if (len <= VAL_MAX_LEN) {
          b[p + 1] = valOp(v, len);
          b.copy(b, p, p + 1, end);
          end--;
          continue;
        }
      }
    }
    p++;
  }
  return end;
}

/** Appends a zero run as one ZERO or XZERO opcode. */
function putZeros(seq: number[], len: number): void {
  if (len > ZERO_MAX_LEN) seq.push(((len - 1) >>> 8) | 0x40, (len - 1) & 0xff);
  else seq.push(len - 1);
}

/**
 * Sets register `index` to `count` if that raises it (Redis hllSparseSet). Returns 1 when
 * changed, 0 when not, -1 when the value is corrupt. May promote ref to dense.
 */
export function sparseSet(ref: HllRef, index: number, count: number, maxBytes: number): number {
  if (count > VAL_MAX_VALUE) return promote(ref, index, count);
  let b = ref.buf;
  let end = b.length;
  let p = HDR_SIZE;
  let first = 0;
  let prev = -1;
  let span = 0;
  while (p < end) {
    const op = b[p]!;
    let oplen = 1;
    if (isZero(op)) span = (op & 0x3f) + 1;
    else if (op & 0x80) span = valLen(op);
    else {
      span = xzeroLen(b, p);
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span === 0 || p >= end) return -1;

  const op = b[p]!;
  const zero = isZero(op);
  const xzero = isXzero(op);
  const runlen = zero ? (op & 0x3f) + 1 : xzero ? xzeroLen(b, p) : valLen(op);
  if (!zero && !xzero) {
    if (valValue(op) >= count) return 0;
  }
  if (runlen === 1 && !xzero) {
    b[p] = valOp(count, 1);
  } else {
    const seq: number[] = [];
    const last = first + span - 1;
    if (zero || xzero) {
      if (index !== first) putZeros(seq, index - first);
      seq.push(valOp(count, 1));
      if (index !== last) putZeros(seq, last - index);
    } else {
      const cur = valValue(op);
      if (index !== first) seq.push(valOp(cur, index - first));
      seq.push(valOp(count, 1));
      if (index !== last) seq.push(valOp(cur, last - index));
    }
    const oldlen = xzero ? 2 : 1;
    const delta = seq.length - oldlen;
    if (delta > 0 && end + delta > maxBytes) return promote(ref, index, count);
    const nb = Buffer.alloc(Math.max(end + delta, p + seq.length));
    b.copy(nb, 0, 0, p);
    for (let i = 0; i < seq.length; i++) nb[p + i] = seq[i]!;
    const next = p + oldlen;
    if (next < end) b.copy(nb, p + seq.length, next, end);
    end += delta;
    b = nb;
  }
  const newEnd = mergeVals(b, prev >= 0 ? prev : HDR_SIZE, end);
  if (newEnd !== b.length) b = Buffer.from(b.subarray(0, newEnd));
  invalidateCache(b);
  ref.buf = b;
  return 1;
}

// ---------------------------------------------------------------- adding and counting

/** Adds one element (latin1 string). Returns 1 if a register changed, 0 if not, -1 if corrupt. */
export function hllAdd(ref: HllRef, ele: string, maxBytes: number): number {
  const count = patLenStr(ele);
  const enc = ref.buf[4];
  if (enc === DENSE) return denseSet(ref.buf, patIndex, count);
  if (enc === SPARSE) return sparseSet(ref, patIndex, count, maxBytes);
  return -1;
}

function addCount(ref: HllRef, count: number, maxBytes: number): number {
  if (ref.buf[4] === DENSE) return denseSet(ref.buf, patIndex, count);
  return sparseSet(ref, patIndex, count, maxBytes);
}

/** Histogram of register values; null for a sparse value whose runs do not add up. */
function histogram(b: Buffer): number[] | null {
  const h = new Array<number>(64).fill(0);
  if (b[4] === DENSE) {
    for (let i = 0; i < REGISTERS; i++) h[denseGet(b, HDR_SIZE, i)]!++;
    return h;
  }
  const n = walkSparse(b, (_idx, len, v) => {
    h[v]! += len;
    return true;
  });
  return n === REGISTERS ? h : null;
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    const t = 1 - x;
    z -= t * t * y;
  } while (zPrime !== z);
  return z / 3;
}

/** Cardinality estimate from a register histogram (Ertl's improved estimator, as Redis). */
function estimate(h: number[]): number {
  const m = REGISTERS;
  let z = m * tau((m - h[HLL_Q + 1]!) / m);
  for (let j = HLL_Q; j >= 1; j--) {
    z += h[j]!;
    z *= 0.5;
  }
  z += m * sigma(h[0]! / m);
  return Math.round((ALPHA_INF * m * m) / z);
}

/** The estimate for one HLL value; -1 when it is corrupt. */
export function hllCount(b: Buffer): number {
  const h = histogram(b);
  return h === null ? -1 : estimate(h);
}

/** Estimate for raw registers (one byte per register, the PFCOUNT multi-key union). */
export function countRegisters(regs: Uint8Array): number {
  const h = new Array<number>(64).fill(0);
  for (let i = 0; i < REGISTERS; i++) h[regs[i]!]!++;
  return estimate(h);
}

/** Raises max[i] to each register of b (Redis hllMerge); false when b is corrupt. */
export function mergeInto(max: Uint8Array, b: Buffer): boolean {
  if (b[4] === DENSE) {
    for (let i = 0; i < REGISTERS; i++) {
      const v = denseGet(b, HDR_SIZE, i);
      if (v > max[i]!) max[i] = v;
    }
    return true;
  }
  const n = walkSparse(b, (idx, len, v) => {
    if (v === 0) return true;
    if (idx + len > REGISTERS) return false;
    for (let i = idx; i < idx + len; i++) if (v > max[i]!) max[i] = v;
    return true;
  });
  return n === REGISTERS;
}

/** Sets each nonzero max[i] into ref in register order (PFMERGE's write-back). */
export function writeRegisters(ref: HllRef, max: Uint8Array, maxBytes: number): void {
  for (let i = 0; i < REGISTERS; i++) {
    const v = max[i]!;
    if (v === 0) continue;
    if (ref.buf[4] === DENSE) denseSet(ref.buf, i, v);
    else sparseSet(ref, i, v, maxBytes);
  }
}

/** PFDEBUG DECODE text of a sparse value. */
export function decodeSparse(b: Buffer): string {
  const parts: string[] = [];
  let p = HDR_SIZE;
  while (p < b.length) {
    const op = b[p]!;
    if (isZero(op)) {
      parts.push(`z:${(op & 0x3f) + 1}`);
      p++;
    } else if (isXzero(op)) {
      parts.push(`Z:${xzeroLen(b, p)}`);
      p += 2;
    } else {
      parts.push(`v:${valValue(op)},${valLen(op)}`);
      p++;
    }
  }
  return parts.join(' ');
}

// ---------------------------------------------------------------- self test

/** PFSELFTEST's checks; returns null when they pass, else the error text. */
export function selfTest(maxBytes: number): string | null {
  const dense = Buffer.alloc(DENSE_SIZE);
  const bytes = new Uint8Array(REGISTERS);
  for (let cycle = 0; cycle < 1000; cycle++) {
    for (let i = 0; i < REGISTERS; i++) {
      const r = (Math.random() * 64) | 0;
      bytes[i] = r;
      denseSetRaw(dense, HDR_SIZE, i, r);
    }
    for (let i = 0; i < REGISTERS; i++) {
      const v = denseGet(dense, HDR_SIZE, i);
      if (v !== bytes[i]) return `TESTFAILED Register ${i} should be ${bytes[i]} but is ${v}`;
    }
  }
  dense.fill(0, HDR_SIZE);
  dense[4] = DENSE;
  const ref: HllRef = { buf: createHll() };
  const relerr = 1.04 / Math.sqrt(REGISTERS);
  let checkpoint = 1;
  const seedLo = (Math.random() * 4294967296) >>> 0;
  const seedHi = (Math.random() * 4294967296) >>> 0;
  for (let j = 1; j <= 10000000; j++) {
    const count = patLen8((j ^ seedLo) >>> 0, seedHi);
    denseSet(dense, patIndex, count);
    addCount(ref, count, maxBytes);
    if (j !== checkpoint) continue;
    if (j < maxBytes / 2 && ref.buf[4] !== SPARSE) return 'TESTFAILED sparse encoding not used';
    const card = hllCount(dense);
    if (card !== hllCount(ref.buf)) return 'TESTFAILED dense/sparse disagree';
    const abserr = Math.abs(checkpoint - card);
    const maxerr = j === 10 ? 1 : Math.ceil(relerr * 6 * checkpoint);
    if (abserr > maxerr) return `TESTFAILED Too big error. card:${checkpoint} abserr:${abserr}`;
    checkpoint *= 10;
  }
  return null;
}
