// Command and key-spec flags as bits, with the names COMMAND INFO uses. Every security or
// dispatch decision tests these bits (never a command's name).

export const CMD = {
  write: 1 << 0,
  readonly: 1 << 1,
  denyoom: 1 << 2,
  module: 1 << 3,
  admin: 1 << 4,
  pubsub: 1 << 5,
  noscript: 1 << 6,
  blocking: 1 << 7,
  loading: 1 << 8,
  stale: 1 << 9,
  skip_monitor: 1 << 10,
  skip_slowlog: 1 << 11,
  asking: 1 << 12,
  fast: 1 << 13,
  no_auth: 1 << 14,
  may_replicate: 1 << 15,
  sentinel: 1 << 16,
  only_sentinel: 1 << 17,
  no_mandatory_keys: 1 << 18,
  protected: 1 << 19,
  no_async_loading: 1 << 20,
  no_multi: 1 << 21,
  movablekeys: 1 << 22,
  allow_busy: 1 << 23,
  module_no_cluster: 1 << 24,
  /**
   * May lazily expire keys it did not name (SCAN, RANDOMKEY): their DELs are propagated
   * without a MULTI/EXEC wrapper. Redis hides this flag from COMMAND INFO, so the generated
   * table cannot carry it; the registry adds it (HIDDEN_FLAGS).
   */
  touches_arbitrary_keys: 1 << 25,
} as const;

export type CmdFlagName = keyof typeof CMD;

export function flagBits(names: readonly string[]): number {
  let bits = 0;
  for (const n of names) {
    const b = (CMD as Record<string, number>)[n];
    if (b !== undefined) bits |= b;
  }
  return bits;
}

export const KEY = {
  RO: 1 << 0,
  RW: 1 << 1,
  OW: 1 << 2,
  RM: 1 << 3,
  ACCESS: 1 << 4,
  UPDATE: 1 << 5,
  INSERT: 1 << 6,
  DELETE: 1 << 7,
  NOT_KEY: 1 << 8,
  INCOMPLETE: 1 << 9,
  VARIABLE_FLAGS: 1 << 10,
} as const;

export function keyFlagBits(names: readonly string[]): number {
  let bits = 0;
  for (const n of names) bits |= (KEY as Record<string, number>)[n] ?? 0;
  return bits;
}
