// Key permission checks on the hot path: for commands whose key specs are plain index + range
// specs (GET, SET without options, MSET, DEL...), key positions are precomputed per command
// and checked without allocating; everything else goes through getKeysFromSpecs.

import type { Command } from '../commands/registry.js';
import { KEY, keyFlagBits } from '../commands/flags.js';
import { PERM_READ, PERM_WRITE, type Selector } from './selectors.js';

/**
 * [first, lastkey, step, perms] per key spec when every spec is a plain index + range (no
 * keyword, keynum, limit, incomplete, variable flags or not-key): the keys are then found
 * without allocating. undefined otherwise (the generic getKeysFromSpecs path).
 */
export function simpleKeySpecs(cmd: Command): Int32Array | undefined {
  const specs = cmd.spec.keySpecs;
  if (specs.length === 0) return undefined;
  const out = new Int32Array(specs.length * 4);
  for (let i = 0; i < specs.length; i++) {
    const ks = specs[i]!;
    const flags = keyFlagBits(ks.flags.map((f) => f.toUpperCase()));
    if (flags & (KEY.NOT_KEY | KEY.INCOMPLETE | KEY.VARIABLE_FLAGS)) return undefined;
    if (ks.bs.type !== 'index' || ks.fs.type !== 'range' || ks.fs.limit !== 0 || ks.fs.keystep < 1) return undefined;
    out.set([ks.bs.index, ks.fs.lastkey, ks.fs.keystep, permsOf(flags)], i * 4);
  }
  return out;
}

/**
 * The first key the selector refuses (its argv index), -1 when all pass, or -2 when the specs
 * do not apply to this argv (the generic path decides, as Redis falls back then).
 */
export function fastKeyDenied(specs: Int32Array, s: Selector, argv: readonly string[]): number {
  const argc = argv.length;
  for (let i = 0; i < specs.length; i += 4) {
    const first = specs[i]!;
    const lastkey = specs[i + 1]!;
    const last = lastkey >= 0 ? first + lastkey : argc + lastkey;
    if (first >= argc || last >= argc || last < first) return -2;
  }
  for (let i = 0; i < specs.length; i += 4) {
    const first = specs[i]!;
    const lastkey = specs[i + 1]!;
    const last = lastkey >= 0 ? first + lastkey : argc + lastkey;
    const step = specs[i + 2]!;
    const need = specs[i + 3]!;
    for (let k = first; k <= last; k += step) if (!s.keyAllowed(argv[k]!, need)) return k;
  }
  return -1;
}

/** Key-spec flags → the permissions a key needs (ACCESS reads; INSERT/DELETE/UPDATE write). */
export function permsOf(flags: number): number {
  let p = 0;
  if (flags & KEY.ACCESS) p |= PERM_READ;
  if (flags & (KEY.INSERT | KEY.DELETE | KEY.UPDATE)) p |= PERM_WRITE;
  return p;
}
