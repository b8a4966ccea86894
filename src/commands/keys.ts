// Which arguments of a command are keys, and with which access flags: the generic walk over
// the command table's key specs (begin_search index/keyword, find_keys range/keynum), with
// the per-command extractors Redis falls back to when a spec is incomplete, invalid for the
// given arguments, or has variable flags. Used by ACL key checks and COMMAND GETKEYS.

import type { Command } from './registry.js';
import type { GetKeys } from './types.js';
import type { KeySpec } from './spec.js';
import { KEY, keyFlagBits } from './flags.js';
import { eqi } from './args.js';

export interface KeyRef {
  /** Index into argv. */
  index: number;
  /** KEY.* bits (0 when the extractor does not know them, as in Redis). */
  flags: number;
}

/** Key-spec flags as bits, computed once per spec object. */
const specFlagCache = new WeakMap<KeySpec, number>();
function specFlags(spec: KeySpec): number {
  let f = specFlagCache.get(spec);
  if (f === undefined) {
    // COMMAND INFO spells some flags in lower case ("RW", "access", "update").
    f = keyFlagBits(spec.flags.map((n) => n.toUpperCase()));
    specFlagCache.set(spec, f);
  }
  return f;
}

/** Strict integer like Redis string2ll (no sign on zero, no leading zeros). */
function parseCount(s: string): number | null {
  if (!/^(?:0|-?[1-9][0-9]{0,18})$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

/** Index of the first key for a begin_search; 0 when the keyword is not found; -1 if unknown. */
function beginSearch(spec: KeySpec, argv: readonly string[]): number {
  const bs = spec.bs;
  const argc = argv.length;
  if (bs.type === 'index') return bs.index;
  if (bs.type !== 'keyword') return -1;
  const from = bs.startfrom > 0 ? bs.startfrom : argc + bs.startfrom;
  const to = bs.startfrom > 0 ? argc - 1 : 1;
  const kw = bs.keyword.toLowerCase();
  for (let i = from; i !== to; i = from <= to ? i + 1 : i - 1) {
    if (i >= argc || i < 1) break;
    if (eqi(argv[i]!, kw)) return i + 1;
  }
  // Redis also stops before testing the end index itself.
  return 0;
}

/**
 * Keys by the specs alone (Redis getKeysUsingKeySpecs); null when a spec cannot be applied
 * to these arguments or is incomplete, so the caller falls back to a command's extractor.
 */
export function keysBySpecs(cmd: Command, argv: readonly string[], includeNotKeys = false): KeyRef[] | null {
  const out: KeyRef[] = [];
  const argc = argv.length;
  for (const spec of cmd.spec.keySpecs) {
    const flags = specFlags(spec);
    if (flags & KEY.NOT_KEY && !includeNotKeys) continue;
    let first = beginSearch(spec, argv);
    if (first < 0) return null;
    if (first === 0) continue;
    let last: number;
    let step: number;
    const fk = spec.fs;
    if (fk.type === 'range') {
      step = fk.keystep;
      if (fk.lastkey >= 0) last = first + fk.lastkey;
      else if (fk.limit === 0) last = argc + fk.lastkey;
      else last = first + (Math.trunc((argc - first) / fk.limit) + fk.lastkey);
    } else if (fk.type === 'keynum') {
      step = fk.keystep;
      const at = first + fk.keynumidx;
      if (fk.keynumidx >= argc || at >= argc) return null;
      const numkeys = parseCount(argv[at]!);
      if (numkeys === null || numkeys < 0) return null;
      first += fk.firstkey;
      last = first + numkeys - 1;
    } else {
      return null;
    }
    if (last >= argc || last < first || first >= argc) return null;
    for (let i = first; i <= last; i += step) out.push({ index: i, flags });
    if (flags & KEY.INCOMPLETE) return null;
  }
  return out;
}

// --- Per-command extractors (Redis's getkeys_proc functions, written from their contracts) ---

/** numkeys at argv[countAt], keys from argv[firstAt] every `step`, plus an optional store key. */
function numkeysForm(
  storeAt: number,
  countAt: number,
  firstAt: number,
  step: number,
): (argv: readonly string[]) => KeyRef[] {
  return (argv) => {
    // Like atoi: a leading integer, anything after it ignored, 0 when there is none.
    const num = countAt < argv.length ? parseInt(argv[countAt]!, 10) || 0 : 0;
    if (num < 1 || num > Math.trunc((argv.length - firstAt) / step)) return [];
    const out: KeyRef[] = [];
    for (let i = 0; i < num; i++) out.push({ index: firstAt + i * step, flags: 0 });
    if (storeAt > 0) out.push({ index: storeAt, flags: 0 });
    return out;
  };
}

function sortKeys(argv: readonly string[]): KeyRef[] {
  const out: KeyRef[] = [{ index: 1, flags: KEY.RO | KEY.ACCESS }];
  let store = -1;
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!;
    if (eqi(a, 'limit')) i += 2;
    else if (eqi(a, 'get') || eqi(a, 'by')) i += 1;
    // The last STORE wins, as in SORT itself.
    else if (eqi(a, 'store') && i + 1 < argv.length) store = i + 1;
  }
  if (store > 0) out.push({ index: store, flags: KEY.OW | KEY.UPDATE });
  return out;
}

function migrateKeys(argv: readonly string[]): KeyRef[] {
  let first = 3;
  let num = 1;
  for (let i = 6; i < argv.length; i++) {
    const a = argv[i]!;
    if (eqi(a, 'keys')) {
      // With KEYS the key argument must be empty; otherwise MIGRATE replies a syntax error.
      if (argv[3]!.length > 0) num = 0;
      else {
        first = i + 1;
        num = argv.length - first;
      }
      break;
    }
    if (eqi(a, 'auth')) i += 1;
    else if (eqi(a, 'auth2')) i += 2;
  }
  const out: KeyRef[] = [];
  for (let i = 0; i < num; i++) out.push({ index: first + i, flags: KEY.RW | KEY.ACCESS | KEY.DELETE });
  return out;
}

function georadiusKeys(argv: readonly string[]): KeyRef[] {
  let stored = -1;
  for (let i = 5; i < argv.length; i++) {
    const a = argv[i]!;
    if ((eqi(a, 'store') || eqi(a, 'storedist')) && i + 1 < argv.length) {
      stored = i + 1;
      i++;
    }
  }
  const out: KeyRef[] = [{ index: 1, flags: 0 }];
  if (stored > 0) out.push({ index: stored, flags: 0 });
  return out;
}

function xreadKeys(argv: readonly string[]): KeyRef[] {
  let streams = -1;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (eqi(a, 'block') || eqi(a, 'count')) i++;
    else if (eqi(a, 'group')) i += 2;
    else if (eqi(a, 'noack')) continue;
    else {
      if (eqi(a, 'streams')) streams = i;
      break;
    }
  }
  if (streams < 0) return [];
  const n = argv.length - streams - 1;
  if (n === 0 || n % 2 !== 0) return [];
  const out: KeyRef[] = [];
  for (let i = 0; i < n / 2; i++) out.push({ index: streams + 1 + i, flags: 0 });
  return out;
}

function setKeys(argv: readonly string[]): KeyRef[] {
  for (let i = 3; i < argv.length; i++) {
    if (eqi(argv[i]!, 'get')) return [{ index: 1, flags: KEY.RW | KEY.ACCESS | KEY.UPDATE }];
  }
  return [{ index: 1, flags: KEY.OW | KEY.UPDATE }];
}

function bitfieldKeys(argv: readonly string[]): KeyRef[] {
  let readonly = true;
  for (let i = 2; i < argv.length; i++) {
    const rem = argv.length - i - 1;
    const a = argv[i]!;
    if (eqi(a, 'get') && rem >= 2) i += 2;
    else if ((eqi(a, 'set') || eqi(a, 'incrby')) && rem >= 3) {
      readonly = false;
      break;
    } else if (eqi(a, 'overflow') && rem >= 1) i += 1;
    else {
      // A syntax error: safer to assume a write.
      readonly = false;
      break;
    }
  }
  return [{ index: 1, flags: readonly ? KEY.RO | KEY.ACCESS : KEY.RW | KEY.ACCESS | KEY.UPDATE }];
}

const firstKeyOnly = (): KeyRef[] => [{ index: 1, flags: KEY.RO | KEY.ACCESS }];

/** Extractors by command full name, with the key flags where Redis's return them. */
export const NATIVE_KEYS: Record<string, (argv: readonly string[]) => KeyRef[]> = {
  bitfield: bitfieldKeys,
  migrate: migrateKeys,
  sort: sortKeys,
  sort_ro: firstKeyOnly,
  georadius: georadiusKeys,
  georadiusbymember: georadiusKeys,
  blmpop: numkeysForm(0, 2, 3, 1),
  lmpop: numkeysForm(0, 1, 2, 1),
  eval: numkeysForm(0, 2, 3, 1),
  evalsha: numkeysForm(0, 2, 3, 1),
  evalsha_ro: numkeysForm(0, 2, 3, 1),
  eval_ro: numkeysForm(0, 2, 3, 1),
  fcall: numkeysForm(0, 2, 3, 1),
  fcall_ro: numkeysForm(0, 2, 3, 1),
  sintercard: numkeysForm(0, 1, 2, 1),
  bzmpop: numkeysForm(0, 2, 3, 1),
  zdiff: numkeysForm(0, 1, 2, 1),
  zdiffstore: numkeysForm(1, 2, 3, 1),
  zinter: numkeysForm(0, 1, 2, 1),
  zintercard: numkeysForm(0, 1, 2, 1),
  zinterstore: numkeysForm(1, 2, 3, 1),
  zmpop: numkeysForm(0, 1, 2, 1),
  zunion: numkeysForm(0, 1, 2, 1),
  zunionstore: numkeysForm(1, 2, 3, 1),
  xread: xreadKeys,
  xreadgroup: xreadKeys,
  set: setKeys,
};

/** The same extractors as plain index lists, for the registry's Command.getKeys. */
export const NATIVE_GETKEYS: Record<string, GetKeys> = Object.fromEntries(
  Object.entries(NATIVE_KEYS).map(([name, f]) => [name, (argv: readonly string[]) => f(argv).map((k) => k.index)]),
);

/**
 * The keys of a command invocation with their flags, as Redis's getKeysFromCommandWithSpecs
 * finds them: the key specs when they are reliable (some real key, no VARIABLE_FLAGS) and
 * apply to argv; else the command's own extractor (NATIVE_KEYS, or a Command.getKeys override
 * registered by a family, whose keys carry no flags); else nothing.
 */
export function getKeysFromSpecs(cmd: Command, argv: readonly string[]): KeyRef[] {
  let anyKey = false;
  let varFlags = false;
  for (const spec of cmd.spec.keySpecs) {
    const f = specFlags(spec);
    if (!(f & KEY.NOT_KEY)) anyKey = true;
    if (f & KEY.VARIABLE_FLAGS) varFlags = true;
  }
  if (anyKey && !varFlags) {
    const r = keysBySpecs(cmd, argv);
    if (r !== null) return r;
  }
  const native = NATIVE_KEYS[cmd.fullname];
  if (native !== undefined) return native(argv);
  if (cmd.getKeys !== null) return cmd.getKeys(argv).map((index) => ({ index, flags: 0 }));
  // Variable flags but no extractor: the positions from the specs are still right.
  if (varFlags) return keysBySpecs(cmd, argv) ?? [];
  return [];
}
