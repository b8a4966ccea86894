// Helpers shared by the bitmap commands (bitmaps.ts) and BITFIELD (bitfield.ts): bit offset
// arguments and the lookup that makes a string long enough to be written bit by bit.

import type { Client } from '../server/client.js';
import { E } from '../protocol/errors.js';
import { mutableBytes, newBytes, type StrValue } from '../store/strvalue.js';
import { parseLL } from './counters.js';

/**
 * A bit offset argument (Redis getBitOffsetFromArgument): a non-negative 64-bit integer whose
 * byte lies below proto-max-bulk-len. With `bits` > 0, "#n" means n * bits (BITFIELD).
 * Returns -1 after replying with an error.
 */
export function bitOffsetArg(c: Client, s: string, bits = 0): number {
  const hash = bits > 0 && s.charCodeAt(0) === 35;
  const v = parseLL(hash ? s.slice(1) : s);
  if (v !== null) {
    const mult = hash ? bits : 1;
    let off = typeof v === 'number' ? v * mult : NaN;
    if (!Number.isSafeInteger(off)) {
      // 64-bit arithmetic as in C, wrapping on overflow.
      off = Number(BigInt.asIntN(64, BigInt(v) * BigInt(mult)));
    }
    if (off >= 0 && Math.floor(off / 8) < c.server.protoMaxBulkLen) return off;
  }
  c.reply.error(E.bitOffset);
  return -1;
}

/** A string value being edited bit by bit, and whether creating or growing it changed it. */
export interface BitTarget {
  buf: Buffer;
  dirty: boolean;
}

/**
 * Looks key up for writing and makes its value a writable buffer covering bit `maxbit`
 * (creating the key, or zero-padding the value); null after a WRONGTYPE reply.
 */
export function bitsForWrite(c: Client, key: string, maxbit: number): BitTarget | null {
  const bytes = Math.floor(maxbit / 8) + 1;
  const db = c.db;
  const e = db.get(key);
  if (e === undefined) {
    const buf = newBytes(bytes);
    db.set(key, 'string', buf);
    return { buf, dirty: true };
  }
  if (e.type !== 'string') {
    c.reply.error(E.wrongType);
    return null;
  }
  const v = e.value as StrValue;
  const buf = mutableBytes(v, bytes);
  e.value = buf;
  return { buf, dirty: buf.length !== v.length };
}
