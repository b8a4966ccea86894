// Stream IDs: <ms>-<seq>, two unsigned 64-bit numbers, held as one 128-bit bigint
// (ms << 64 | seq) so that ordering is plain bigint comparison.

export const U64_MAX = (1n << 64n) - 1n;
export const ID_MAX = (1n << 128n) - 1n;
export const ID_ZERO = 0n;

export function makeId(ms: bigint, seq: bigint): bigint {
  return (ms << 64n) | seq;
}

export function idMs(id: bigint): bigint {
  return id >> 64n;
}

export function idSeq(id: bigint): bigint {
  return id & U64_MAX;
}

export function formatId(id: bigint): string {
  return `${id >> 64n}-${id & U64_MAX}`;
}

const LLONG_MIN = -(1n << 63n);
const LLONG_MAX = (1n << 63n) - 1n;
const STRICT_INT = /^(?:0|-?[1-9][0-9]*)$/;
const STRTOULL = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/;

/**
 * Redis's string2ull: a strict signed integer first (negative ones refused), else strtoull,
 * which accepts leading spaces and a sign (a '-' wraps modulo 2^64) and fails on overflow.
 */
export function parseU64(s: string): bigint | null {
  if (s.length > 0 && s.length <= 20 && STRICT_INT.test(s)) {
    const v = BigInt(s);
    if (v >= LLONG_MIN && v <= LLONG_MAX) return v < 0n ? null : v;
  }
  const m = STRTOULL.exec(s);
  if (m === null) return null;
  const v = BigInt(m[2]!);
  if (v > U64_MAX) return null;
  return m[1] === '-' ? (U64_MAX + 1n - v) & U64_MAX : v;
}

export interface ParsedId {
  id: bigint;
  /** False for "<ms>-*" (XADD picks the sequence). */
  seqGiven: boolean;
}

/**
 * streamGenericParseIDOrReply: "-" / "+" (unless strict), "<ms>" (the sequence is
 * missingSeq), "<ms>-<seq>", and with allowAutoSeq "<ms>-*". Null when invalid.
 */
export function parseStreamId(s: string, missingSeq: bigint, strict: boolean, allowAutoSeq = false): ParsedId | null {
  if (s.length > 127) return null;
  if (!strict && s.length === 1) {
    if (s === '-') return { id: ID_ZERO, seqGiven: true };
    if (s === '+') return { id: ID_MAX, seqGiven: true };
  }
  const dash = s.indexOf('-');
  if (dash < 0) {
    const ms = parseU64(s);
    return ms === null ? null : { id: makeId(ms, missingSeq), seqGiven: true };
  }
  const ms = parseU64(s.slice(0, dash));
  if (ms === null) return null;
  const rest = s.slice(dash + 1);
  if (allowAutoSeq && rest === '*') return { id: makeId(ms, 0n), seqGiven: false };
  const seq = parseU64(rest);
  return seq === null ? null : { id: makeId(ms, seq), seqGiven: true };
}
