// The shape of one entry of the command table. The data itself (every Redis 7.0.15 command and
// subcommand) lives in table.generated.ts, produced by scripts/gen-command-table.mjs from a real
// redis-server's COMMAND INFO / COMMAND DOCS. Only facts about the protocol are kept, no doc prose.

export type BeginSearch =
  { type: 'index'; index: number } | { type: 'keyword'; keyword: string; startfrom: number } | { type: 'unknown' };

export type FindKeys =
  | { type: 'range'; lastkey: number; keystep: number; limit: number }
  | { type: 'keynum'; keynumidx: number; firstkey: number; keystep: number }
  | { type: 'unknown' };

export interface KeySpec {
  /** Upper-case flags as COMMAND INFO reports them: RW, RO, OW, RM, ACCESS, UPDATE, INSERT, DELETE, NOT_KEY, INCOMPLETE, VARIABLE_FLAGS. */
  flags: readonly string[];
  bs: BeginSearch;
  fs: FindKeys;
}

/** One argument of COMMAND DOCS (structure only; no summaries). */
export interface ArgSpec {
  name: string;
  type: string;
  display_text?: string;
  key_spec_index?: number;
  token?: string;
  since?: string;
  deprecated_since?: string;
  flags?: readonly string[];
  value?: string;
  arguments?: readonly ArgSpec[];
}

export interface CommandDocs {
  since: string;
  group: string;
  deprecated_since?: string;
  replaced_by?: string;
  doc_flags?: readonly string[];
  arguments?: readonly ArgSpec[];
}

export interface CommandSpec {
  /** Lower-case name; a subcommand is named by its own part only ("get" under "config"). */
  name: string;
  arity: number;
  /** Lower-case command flags as COMMAND INFO reports them (write, readonly, denyoom, admin, ...). */
  flags: readonly string[];
  firstKey: number;
  lastKey: number;
  step: number;
  /**
   * ACL categories (lower case, no '@') that are NOT implied by the flags. The implied ones
   * (write, read, admin+dangerous, pubsub, fast/slow, blocking) are added by one function in
   * categories.ts, so nothing is written twice.
   */
  categories: readonly string[];
  tips: readonly string[];
  keySpecs: readonly KeySpec[];
  subcommands?: readonly CommandSpec[];
  docs: CommandDocs;
}
