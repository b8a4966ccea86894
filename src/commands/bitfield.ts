// BITFIELD and BITFIELD_RO: signed/unsigned integers of 1..64 bits (u63 at most) at any bit
// offset, big-endian bit order as SETBIT. All arithmetic is done in bigint on the exact value,
// then wrapped or saturated, which gives the same results as Redis's 64-bit checks.

import { NOTIFY } from '../server/notify.js';
import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import { E } from '../protocol/errors.js';
import { eqi, parseInt64 } from './args.js';
import { byteAt, type StrValue } from '../store/strvalue.js';
import { bitOffsetArg, bitsForWrite } from './bitargs.js';

const GET = 0;
const SET = 1;
const INCRBY = 2;

const WRAP = 0;
const SAT = 1;
const FAIL = 2;

interface BitfieldOp {
  offset: number;
  value: bigint;
  op: number;
  overflow: number;
  bits: number;
  signed: boolean;
}

const TYPE_ERR = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';

/** Parses "i<bits>" / "u<bits>"; null after replying with an error. */
function typeArg(c: Client, s: string): { signed: boolean; bits: number } | null {
  const ch = s.charCodeAt(0);
  const signed = ch === 105; // 'i'
  if (signed || ch === 117) {
    const n = parseInt64(s.slice(1));
    if (n !== null && n >= 1n && n <= (signed ? 64n : 63n)) return { signed, bits: Number(n) };
  }
  c.reply.error(TYPE_ERR);
  return null;
}

/** Reads `bits` bits at bit `offset` (zero past the end) as an unsigned integer. */
function readBits(v: StrValue, offset: number, bits: number): bigint {
  let out = 0n;
  let acc = 0;
  let accBits = 0;
  for (let j = 0; j < bits; j++) {
    const pos = offset + j;
    const bit = (byteAt(v, Math.floor(pos / 8)) >> (7 - (pos % 8))) & 1;
    acc = acc * 2 + bit;
    // Flush every 32 bits so the number accumulator stays exact.
    if (++accBits === 32) {
      out = (out << 32n) | BigInt(acc);
      acc = 0;
      accBits = 0;
    }
  }
  return accBits > 0 ? (out << BigInt(accBits)) | BigInt(acc) : out;
}

/** Writes the low `bits` bits of value (two's complement for negatives) at bit `offset`. */
function writeBits(buf: Buffer, offset: number, bits: number, value: bigint): void {
  const u = BigInt.asUintN(bits, value);
  for (let j = 0; j < bits; j++) {
    const pos = offset + j;
    const byte = Math.floor(pos / 8);
    const mask = 1 << (7 - (pos % 8));
    if ((u >> BigInt(bits - 1 - j)) & 1n) buf[byte] = buf[byte]! | mask;
    else buf[byte] = buf[byte]! & ~mask;
  }
}

function readField(v: StrValue, op: BitfieldOp): bigint {
  const u = readBits(v, op.offset, op.bits);
  return op.signed ? BigInt.asIntN(op.bits, u) : u;
}

/**
 * The value to store for SET/INCRBY and whether it overflowed: `target` is the exact result
 * (for an unsigned SET, the argument read as a 64-bit unsigned number, as Redis casts it).
 */
function fit(op: BitfieldOp, target: bigint): { value: bigint; overflow: boolean } {
  const bits = BigInt(op.bits);
  const max = op.signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  const min = op.signed ? -max - 1n : 0n;
  if (target <= max && target >= min) return { value: target, overflow: false };
  if (op.overflow === SAT) return { value: target > max ? max : min, overflow: true };
  const wrapped = op.signed ? BigInt.asIntN(op.bits, target) : BigInt.asUintN(op.bits, target);
  return { value: wrapped, overflow: true };
}

/** Parses the subcommands; null after replying with an error. */
function parseOps(c: Client, argv: string[]): { ops: BitfieldOp[]; readonly: boolean; highest: number } | null {
  const ops: BitfieldOp[] = [];
  let overflow = WRAP;
  let readonly = true;
  let highest = 0;
  for (let j = 2; j < argv.length; j++) {
    const rem = argv.length - j - 1;
    const sub = argv[j]!;
    let op: number;
    if (eqi(sub, 'get') && rem >= 2) op = GET;
    else if (eqi(sub, 'set') && rem >= 3) op = SET;
    else if (eqi(sub, 'incrby') && rem >= 3) op = INCRBY;
    else if (eqi(sub, 'overflow') && rem >= 1) {
      const kind = argv[++j]!;
      if (eqi(kind, 'wrap')) overflow = WRAP;
      else if (eqi(kind, 'sat')) overflow = SAT;
      else if (eqi(kind, 'fail')) overflow = FAIL;
      else {
        c.reply.error('ERR Invalid OVERFLOW type specified');
        return null;
      }
      continue;
    } else {
      c.reply.error(E.syntax);
      return null;
    }
    const type = typeArg(c, argv[j + 1]!);
    if (type === null) return null;
    const offset = bitOffsetArg(c, argv[j + 2]!, type.bits);
    if (offset < 0) return null;
    let value = 0n;
    if (op !== GET) {
      readonly = false;
      highest = Math.max(highest, offset + type.bits - 1);
      const v = parseInt64(argv[j + 3]!);
      if (v === null) {
        c.reply.error(E.notInteger);
        return null;
      }
      value = v;
    }
    ops.push({ offset, value, op, overflow, bits: type.bits, signed: type.signed });
    j += op === GET ? 2 : 3;
  }
  return { ops, readonly, highest };
}

function bitfieldGeneric(c: Client, argv: string[], roCommand: boolean): void {
  const parsed = parseOps(c, argv);
  if (parsed === null) return;
  const { ops, readonly, highest } = parsed;
  const key = argv[1]!;
  let src: StrValue = '';
  let buf: Buffer | null = null;
  let dirty = false;
  if (readonly) {
    const e = c.db.lookupRead(key);
    if (e !== undefined && e.type !== 'string') return c.reply.error(E.wrongType);
    if (e !== undefined) src = e.value as StrValue;
  } else {
    if (roCommand) return c.reply.error('ERR BITFIELD_RO only supports the GET subcommand');
    const t = bitsForWrite(c, key, highest);
    if (t === null) return;
    buf = src = t.buf;
    dirty = t.dirty;
  }
  const r = c.reply;
  r.arrayLen(ops.length);
  let changes = 0;
  for (const op of ops) {
    if (op.op === GET || buf === null) {
      r.int(readField(src, op));
      continue;
    }
    const old = readField(buf, op);
    const target = op.op === INCRBY ? old + op.value : op.signed ? op.value : BigInt.asUintN(64, op.value);
    const { value, overflow } = fit(op, target);
    if (overflow && op.overflow === FAIL) {
      r.nullBulk();
      continue;
    }
    r.int(op.op === INCRBY ? value : old);
    writeBits(buf, op.offset, op.bits, value);
    if (dirty || old !== value) changes++;
  }
  if (changes > 0) {
    c.db.touch(key);
    c.server.dirty += changes;
    c.server.events.notify(NOTIFY.string, 'setbit', key, c.db.id);
  }
}

export const bitfieldCommands: CommandImpls = {
  bitfield(c, argv) {
    bitfieldGeneric(c, argv, false);
  },

  bitfield_ro(c, argv) {
    bitfieldGeneric(c, argv, true);
  },
};
