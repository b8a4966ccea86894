// One ACL selector: the permissions a user's root rules, or one `( ... )` group, grant —
// commands (a bitmap over catalog ids, plus first-arg exceptions), key patterns with read/
// write flags, channel patterns. Applying one selector rule and checking one command.

import { catalog, categoryIndex, type AclCmd } from './catalog.js';
import { globMatch } from '../store/glob.js';

/** Why a rule was refused (Redis's errno codes, mapped to messages in rules.ts). */
export type AclErr = 'ENOENT' | 'EINVAL' | 'EEXIST' | 'EISDIR' | 'ENODEV' | 'EBADMSG' | 'ECHILD' | 'EALREADY';

export const PERM_READ = 1;
export const PERM_WRITE = 2;
export const PERM_ALL = 3;

/** One key pattern with its PERM_* flags; a class so every instance has one shape (hot path). */
export class KeyPattern {
  /** How the pattern is matched, decided once: see compileMatch. */
  readonly kind: MatchKind;
  /** The literal part for EXACT and PREFIX kinds. */
  readonly lit: string;

  constructor(
    readonly pattern: string,
    public flags: number,
  ) {
    const m = compileMatch(pattern);
    this.kind = m.kind;
    this.lit = m.lit;
  }
}

const enum MatchKind {
  ANY = 0,
  EXACT = 1,
  PREFIX = 2,
  GLOB = 3,
}

/** "*" matches anything, "abc" only itself, "abc*" by prefix; everything else is a real glob. */
function compileMatch(pattern: string): { kind: MatchKind; lit: string } {
  if (pattern === '*') return { kind: MatchKind.ANY, lit: '' };
  const special = /[*?[\\]/;
  if (!special.test(pattern)) return { kind: MatchKind.EXACT, lit: pattern };
  const body = pattern.slice(0, -1);
  if (pattern.endsWith('*') && body.length > 0 && !special.test(body)) return { kind: MatchKind.PREFIX, lit: body };
  return { kind: MatchKind.GLOB, lit: '' };
}

function matches(p: KeyPattern, key: string): boolean {
  switch (p.kind) {
    case MatchKind.ANY:
      // Redis's matcher never matches an empty subject, even with "*".
      return key.length > 0 || globMatch(p.pattern, key);
    case MatchKind.EXACT:
      return key === p.lit;
    case MatchKind.PREFIX:
      return key.startsWith(p.lit);
    default:
      return globMatch(p.pattern, key);
  }
}

/** isspace() or NUL anywhere (Redis's ACLStringHasSpaces). */
export function hasSpaces(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 32 || (ch >= 9 && ch <= 13) || ch === 0) return true;
  }
  return false;
}

/** Case-insensitive ASCII equality (strcasecmp() === 0). */
function eqi(a: string, b: string): boolean {
  return a.length === b.length && a.toLowerCase() === b;
}

export class Selector {
  allKeys = false;
  allChannels = false;
  /** Set by +@all/allcommands, cleared by any removal: "can run future commands". */
  allCommands = false;
  /** Redis's reserved "future commands" bit: set by +@all, cleared only by -@all. */
  future = false;
  bits: Uint32Array;
  /** Allowed first arguments of otherwise denied commands, by ACL id. */
  firstArgs: Map<number, string[]> | null = null;
  patterns: KeyPattern[] = [];
  channels: string[] = [];

  constructor(
    readonly root: boolean,
    allChannels: boolean,
  ) {
    this.allChannels = allChannels;
    this.bits = new Uint32Array(catalog.words);
  }

  clone(): Selector {
    const s = new Selector(this.root, this.allChannels);
    s.allKeys = this.allKeys;
    s.allCommands = this.allCommands;
    s.future = this.future;
    s.bits.set(this.bits);
    if (this.firstArgs !== null) {
      s.firstArgs = new Map();
      for (const [id, list] of this.firstArgs) s.firstArgs.set(id, [...list]);
    }
    s.patterns = this.patterns.map((p) => new KeyPattern(p.pattern, p.flags));
    s.channels = [...this.channels];
    return s;
  }

  hasBit(id: number): boolean {
    return (this.bits[id >>> 5]! & (1 << (id & 31))) !== 0;
  }

  setBit(id: number, on: boolean): void {
    if (on) this.bits[id >>> 5]! |= 1 << (id & 31);
    else {
      this.bits[id >>> 5]! &= ~(1 << (id & 31));
      this.allCommands = false;
    }
  }

  /** Allow or deny a command, and its subcommands with it; drops its first-arg list. */
  changePerm(cmd: AclCmd, allow: boolean): void {
    this.setBit(cmd.aclId, allow);
    this.firstArgs?.delete(cmd.aclId);
    if (cmd.subs !== null) for (const s of cmd.subs) this.setBit(s.aclId, allow);
  }

  /** +@cat / -@cat: every command (and subcommand) in the category. */
  changeCategory(index: number, allow: boolean): void {
    const flag = 1 << index;
    for (const cmd of catalog.top) {
      if (cmd.categories & flag) this.changePerm(cmd, allow);
      if (cmd.subs !== null) for (const s of cmd.subs) if (s.categories & flag) this.changePerm(s, allow);
    }
  }

  private setAll(on: boolean): void {
    this.bits.fill(on ? 0xffffffff : 0);
    this.allCommands = on;
    this.future = on;
    this.firstArgs = null;
  }

  private addFirstArg(id: number, arg: string): void {
    if (this.firstArgs === null) this.firstArgs = new Map();
    const list = this.firstArgs.get(id) ?? [];
    const lower = arg.toLowerCase();
    if (list.some((a) => a.toLowerCase() === lower)) return;
    list.push(arg);
    this.firstArgs.set(id, list);
  }

  /** Applies one selector rule; null on success (Redis ACLSetSelector). Never half-applies. */
  apply(op: string): AclErr | null {
    const low = op.toLowerCase();
    if (low === 'allkeys' || op === '~*') {
      this.allKeys = true;
      this.patterns = [];
    } else if (low === 'resetkeys') {
      this.allKeys = false;
      this.patterns = [];
    } else if (low === 'allchannels' || op === '&*') {
      this.allChannels = true;
      this.channels = [];
    } else if (low === 'resetchannels') {
      this.allChannels = false;
      this.channels = [];
    } else if (low === 'allcommands' || low === '+@all') {
      this.setAll(true);
    } else if (low === 'nocommands' || low === '-@all') {
      this.setAll(false);
    } else if (op[0] === '~' || op[0] === '%') {
      return this.addKeyPattern(op);
    } else if (op[0] === '&') {
      if (this.allChannels) return 'EISDIR';
      const pat = op.slice(1);
      if (hasSpaces(pat)) return 'EINVAL';
      if (!this.channels.includes(pat)) this.channels.push(pat);
      this.allChannels = false;
    } else if (op[0] === '+' && op[1] !== '@') {
      return this.allowCommand(op.slice(1));
    } else if (op[0] === '-' && op[1] !== '@') {
      const cmd = catalog.lookup(op.slice(1));
      if (cmd === undefined) return 'ENOENT';
      this.changePerm(cmd, false);
    } else if ((op[0] === '+' || op[0] === '-') && op[1] === '@') {
      const i = categoryIndex(op.slice(2));
      if (i < 0) return 'ENOENT';
      this.changeCategory(i, op[0] === '+');
    } else {
      return 'EINVAL';
    }
    return null;
  }

  private addKeyPattern(op: string): AclErr | null {
    if (this.allKeys) return 'EEXIST';
    let flags = 0;
    let offset = 1;
    if (op[0] === '%') {
      let closed = false;
      for (; offset < op.length; offset++) {
        const ch = op[offset]!.toUpperCase();
        if (ch === 'R' && !(flags & PERM_READ)) flags |= PERM_READ;
        else if (ch === 'W' && !(flags & PERM_WRITE)) flags |= PERM_WRITE;
        else if (op[offset] === '~') {
          offset++;
          closed = true;
          break;
        } else return 'EINVAL';
      }
      // "%" or "%~" with no permission letter: nothing Redis could describe back.
      if (!closed || flags === 0) return 'EINVAL';
    } else {
      flags = PERM_ALL;
    }
    const pattern = op.slice(offset);
    if (hasSpaces(pattern)) return 'EINVAL';
    const existing = this.patterns.find((p) => p.pattern === pattern);
    if (existing !== undefined) existing.flags |= flags;
    else this.patterns.push(new KeyPattern(pattern, flags));
    this.allKeys = false;
    return null;
  }

  private allowCommand(name: string): AclErr | null {
    const bar = name.lastIndexOf('|');
    if (bar < 0) {
      const cmd = catalog.lookup(name);
      if (cmd === undefined) return 'ENOENT';
      this.changePerm(cmd, true);
      return null;
    }
    const base = name.slice(0, bar);
    const sub = name.slice(bar + 1);
    const cmd = catalog.lookup(base);
    if (cmd === undefined) return 'ENOENT';
    if (cmd.parent !== null) return 'ECHILD';
    if (sub.length === 0) return 'EINVAL';
    if (cmd.subs !== null) {
      const full = catalog.lookup(name);
      if (full === undefined) return 'ENOENT';
      this.changePerm(full, true);
    } else {
      this.addFirstArg(cmd.aclId, sub);
    }
    return null;
  }

  /** Whether the command (by ACL id) may run with these arguments (bit or first-arg match). */
  canRun(cmd: AclCmd, argv: readonly string[]): boolean {
    if (this.allCommands || this.hasBit(cmd.aclId)) return true;
    const list = this.firstArgs?.get(cmd.aclId);
    if (list === undefined || argv.length < 2) return false;
    const arg = argv[cmd.parent !== null ? 2 : 1];
    if (arg === undefined) return false;
    const lower = arg.toLowerCase();
    for (const a of list) if (eqi(lower, a.toLowerCase())) return true;
    return false;
  }

  /**
   * Patterns indexed for the hot path: literal and prefix patterns by the first character of
   * their literal (a key can only match those of its own first character), the rest apart.
   * Rebuilt lazily when `patterns` is replaced or grows.
   */
  private index: { of: KeyPattern[]; size: number; other: KeyPattern[]; byChar: (KeyPattern[] | undefined)[] } | null =
    null;

  private buildIndex(): NonNullable<Selector['index']> {
    const other: KeyPattern[] = [];
    const byChar: (KeyPattern[] | undefined)[] = [];
    for (const p of this.patterns) {
      if ((p.kind === MatchKind.EXACT || p.kind === MatchKind.PREFIX) && p.lit.length > 0) {
        const ch = p.lit.charCodeAt(0);
        (byChar[ch] ??= []).push(p);
      } else other.push(p);
    }
    this.index = { of: this.patterns, size: this.patterns.length, other, byChar };
    return this.index;
  }

  /** A key with the needed permission bits (PERM_*). */
  keyAllowed(key: string, need: number): boolean {
    if (this.allKeys) return true;
    let ix = this.index;
    if (ix === null || ix.of !== this.patterns || ix.size !== this.patterns.length) ix = this.buildIndex();
    const bucket = key.length > 0 ? ix.byChar[key.charCodeAt(0)] : undefined;
    if (bucket !== undefined) {
      for (let i = 0; i < bucket.length; i++) {
        const p = bucket[i]!;
        if ((p.flags & need) === need && matches(p, key)) return true;
      }
    }
    const other = ix.other;
    for (let i = 0; i < other.length; i++) {
      const p = other[i]!;
      if ((p.flags & need) === need && matches(p, key)) return true;
    }
    return false;
  }

  /** A channel (literal match for a pattern subscription, as Redis). */
  channelAllowed(channel: string, isPattern: boolean): boolean {
    if (this.allChannels) return true;
    return channelInList(this.channels, channel, isPattern);
  }
}

export function channelInList(list: readonly string[], channel: string, isPattern: boolean): boolean {
  for (const p of list) {
    if (isPattern ? p === channel : globMatch(p, channel)) return true;
  }
  return false;
}
