// HyperLogLog commands: PFADD PFCOUNT PFMERGE PFDEBUG PFSELFTEST. The values are plain
// strings in Redis's HLL byte layout (src/store/hll.ts); they are kept as Buffers once a
// command has touched them so that register updates happen in place.

import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import type { Entry } from '../store/db.js';
import { E } from '../protocol/errors.js';
import { NOTIFY } from '../server/notify.js';
import {
  DENSE,
  REGISTERS,
  HDR_SIZE,
  SPARSE,
  cachedCard,
  countRegisters,
  createHll,
  decodeSparse,
  denseGet,
  hllAdd,
  hllCount,
  invalidateCache,
  isValidHll,
  mergeInto,
  selfTest,
  setCachedCard,
  sparseToDense,
  writeRegisters,
  type HllRef,
} from '../store/hll.js';

const INVALID_OBJ = 'INVALIDOBJ Corrupted HLL object detected';
const NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';

function maxBytes(c: Client): number {
  return c.server.config.int('hll-sparse-max-bytes');
}

/**
 * The entry's value as an HLL buffer (converted from a latin1 string and stored back when
 * needed), or null after replying with Redis's type error.
 */
function hllOf(c: Client, e: Entry): Buffer | null {
  if (e.type !== 'string') {
    c.reply.error(E.wrongType);
    return null;
  }
  // (An int-encoded string, which Redis rejects outright, fails the magic check anyway.)
  const v = e.value;
  const b = typeof v === 'string' ? Buffer.from(v, 'latin1') : (v as Buffer);
  if (!isValidHll(b)) {
    c.reply.error(NOT_HLL);
    return null;
  }
  if (b !== v) e.value = b;
  return b;
}

function pfadd(c: Client, argv: string[]): void {
  const key = argv[1]!;
  const e = c.db.get(key);
  let updated = 0;
  let ref: HllRef;
  let entry: Entry;
  if (e === undefined) {
    ref = { buf: createHll() };
    entry = c.db.set(key, 'string', ref.buf);
    updated++;
  } else {
    const b = hllOf(c, e);
    if (b === null) return;
    ref = { buf: b };
    entry = e;
  }
  const limit = maxBytes(c);
  let failed = false;
  for (let j = 2; j < argv.length; j++) {
    const r = hllAdd(ref, argv[j]!, limit);
    if (r === 1) updated++;
    else if (r === -1) {
      failed = true;
      break;
    }
  }
  entry.value = ref.buf;
  if (failed) {
    c.reply.error(INVALID_OBJ);
    return;
  }
  if (updated > 0) {
    invalidateCache(ref.buf);
    c.db.touch(key);
    c.server.events.notify(NOTIFY.string, 'pfadd', key, c.db.id);
    c.server.dirty += updated;
  }
  c.reply.int(updated > 0 ? 1 : 0);
}

function pfcountMany(c: Client, argv: string[]): void {
  const max = new Uint8Array(REGISTERS);
  for (let j = 1; j < argv.length; j++) {
    const e = c.db.lookupRead(argv[j]!);
    if (e === undefined) continue;
    const b = hllOf(c, e);
    if (b === null) return;
    if (!mergeInto(max, b)) {
      c.reply.error(INVALID_OBJ);
      return;
    }
  }
  c.reply.int(countRegisters(max));
}

function pfcount(c: Client, argv: string[]): void {
  if (argv.length > 2) {
    pfcountMany(c, argv);
    return;
  }
  const key = argv[1]!;
  const e = c.db.lookupRead(key);
  if (e === undefined) {
    c.reply.int(0);
    return;
  }
  const b = hllOf(c, e);
  if (b === null) return;
  let card = cachedCard(b);
  if (card < 0) {
    card = hllCount(b);
    if (card < 0) {
      c.reply.error(INVALID_OBJ);
      return;
    }
    setCachedCard(b, card);
    c.db.touch(key);
    c.server.dirty++;
  }
  c.reply.int(card);
}

function pfmerge(c: Client, argv: string[]): void {
  const max = new Uint8Array(REGISTERS);
  let useDense = false;
  for (let j = 1; j < argv.length; j++) {
    const e = c.db.lookupRead(argv[j]!);
    if (e === undefined) continue;
    const b = hllOf(c, e);
    if (b === null) return;
    if (b[4] === DENSE) useDense = true;
    if (!mergeInto(max, b)) {
      c.reply.error(INVALID_OBJ);
      return;
    }
  }
  const key = argv[1]!;
  let e = c.db.get(key);
  if (e === undefined) e = c.db.set(key, 'string', createHll());
  const ref: HllRef = { buf: e.value as Buffer };
  if (useDense && !sparseToDense(ref)) {
    c.reply.error(INVALID_OBJ);
    return;
  }
  writeRegisters(ref, max, maxBytes(c));
  invalidateCache(ref.buf);
  e.value = ref.buf;
  c.db.touch(key);
  c.server.events.notify(NOTIFY.string, 'pfadd', key, c.db.id);
  c.server.dirty++;
  c.reply.ok();
}

/** Converts a sparse value to dense for PFDEBUG; false after replying with an error. */
function debugToDense(c: Client, e: Entry, ref: HllRef): boolean | null {
  if (ref.buf[4] !== SPARSE) return false;
  if (!sparseToDense(ref)) {
    c.reply.error(INVALID_OBJ);
    return null;
  }
  e.value = ref.buf;
  c.server.dirty++; // Redis forces propagation of the encoding change
  return true;
}

function pfdebug(c: Client, argv: string[]): void {
  const cmd = argv[1]!;
  const e = c.db.get(argv[2]!);
  if (e === undefined) {
    c.reply.error('The specified key does not exist');
    return;
  }
  const b = hllOf(c, e);
  if (b === null) return;
  const ref: HllRef = { buf: b };
  switch (cmd.toLowerCase()) {
    case 'getreg': {
      if (debugToDense(c, e, ref) === null) return;
      c.reply.arrayLen(REGISTERS);
      for (let j = 0; j < REGISTERS; j++) c.reply.int(denseGet(ref.buf, HDR_SIZE, j));
      return;
    }
    case 'decode':
      if (b[4] !== SPARSE) c.reply.error('ERR HLL encoding is not sparse');
      else c.reply.bulk(decodeSparse(b));
      return;
    case 'encoding':
      c.reply.simple(b[4] === DENSE ? 'dense' : 'sparse');
      return;
    case 'todense': {
      const conv = debugToDense(c, e, ref);
      if (conv !== null) c.reply.int(conv ? 1 : 0);
      return;
    }
    default:
      c.reply.error(`Unknown PFDEBUG subcommand '${cmd}'`);
  }
}

function pfselftest(c: Client): void {
  const err = selfTest(maxBytes(c));
  if (err === null) c.reply.ok();
  else c.reply.error('ERR ' + err); // Redis words these as plain ERR errors
}

export const hyperloglogCommands: CommandImpls = {
  pfadd,
  pfcount,
  pfmerge,
  pfdebug,
  pfselftest,
};
