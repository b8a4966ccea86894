// Numbers of the RDB format, version 10 (Redis 7.0): value type bytes, opcodes, length and
// string encodings.

export const RDB_VERSION = 10;

export const T = {
  STRING: 0,
  LIST: 1,
  SET: 2,
  ZSET: 3,
  HASH: 4,
  ZSET_2: 5,
  MODULE: 6,
  MODULE_2: 7,
  HASH_ZIPMAP: 9,
  LIST_ZIPLIST: 10,
  SET_INTSET: 11,
  ZSET_ZIPLIST: 12,
  HASH_ZIPLIST: 13,
  LIST_QUICKLIST: 14,
  STREAM_LISTPACKS: 15,
  HASH_LISTPACK: 16,
  ZSET_LISTPACK: 17,
  LIST_QUICKLIST_2: 18,
  STREAM_LISTPACKS_2: 19,
  /** Redis 7.2 (RDB 11): consumers also carry an active time. Read only. */
  STREAM_LISTPACKS_3: 21,
} as const;

export const OP = {
  FUNCTION_PRE_GA: 246,
  FUNCTION2: 245,
  MODULE_AUX: 247,
  IDLE: 248,
  FREQ: 249,
  AUX: 250,
  RESIZEDB: 251,
  EXPIRETIME_MS: 252,
  EXPIRETIME: 253,
  SELECTDB: 254,
  EOF: 255,
} as const;

/** Special string encodings: a length byte whose two top bits are both set. */
export const ENC_INT8 = 0;
export const ENC_INT16 = 1;
export const ENC_INT32 = 2;
export const ENC_LZF = 3;

/** Quicklist 2 node containers. */
export const QUICKLIST_PLAIN = 1;
export const QUICKLIST_PACKED = 2;

/** The error every malformed input ends in (RESTORE answers "Bad data format"). */
export class RdbFormatError extends Error {
  /** Where in a file the fault was met, and the key being read then (set by readRdbFile). */
  offset = -1;
  key: string | null = null;
  type = -1;
}

/** A key whose value has no elements: files skip it (as Redis 7.0 does), RESTORE refuses it. */
export class RdbEmptyKey extends RdbFormatError {}

export function empty(what: string): never {
  throw new RdbEmptyKey(`empty ${what}`);
}

export function bad(why: string): never {
  throw new RdbFormatError(why);
}
