// The configs with their own grammar: dir, save, client-output-buffer-limit,
// oom-score-adj-values, notify-keyspace-events, bind, replicaof and
// latency-tracking-info-percentiles. Each parses into the canonical form CONFIG GET prints
// and writes its own CONFIG REWRITE lines, with Redis 7.0.15's error texts.

import { chdirSync, checkDir, resolveDir } from './fsops.js';
import type { SpecialCodec, SpecialContext } from './types.js';
import {
  formatMemory,
  fmtFixed6,
  memtoull,
  repr,
  string2d,
  strtoll,
  strtollWhole,
  trimDouble,
  toSigned64,
} from './values.js';

type Parsed = string | { error: string };

// ---- dir ---------------------------------------------------------------------------------

export const dirCodec: SpecialCodec = {
  parse(args, ctx) {
    if (args.length !== 1) return { error: 'wrong number of arguments' };
    // Without chdir the value is kept as an absolute path resolved against the current dir.
    return ctx.chdir ? args[0]! : resolveDir(ctx.current, args[0]!);
  },
  commit(value, ctx) {
    return ctx.chdir ? chdirSync(value) : checkDir(value);
  },
  read(stored, ctx) {
    if (!ctx.chdir) return stored;
    try {
      return process.cwd();
    } catch {
      return ''; // the working directory was removed: Redis's getcwd() failure reads as empty
    }
  },
  rewrite(value, name, sink) {
    // Always written, as an absolute path (Redis's rewriteConfigDirOption).
    sink.line(name, `${name} ${repr(value)}`, true);
  },
};

// ---- save --------------------------------------------------------------------------------

export const DEFAULT_SAVE = '3600 1 300 100 60 10000';

function parseSave(args: readonly string[], ctx: SpecialContext): Parsed {
  let list = args;
  const reset = list.length === 1 && list[0] === '';
  if (reset) list = [];
  if (list.length % 2 !== 0) return { error: 'Invalid save parameters' };
  const pairs: string[] = [];
  for (let j = 0; j < list.length; j++) {
    const v = strtollWhole(list[j]!);
    if (v === null || (j % 2 === 0 && v < 1n) || (j % 2 === 1 && v < 0n)) return { error: 'Invalid save parameters' };
    // seconds is a time_t, changes an int (truncated like the C assignment).
    pairs.push(String(j % 2 === 0 ? v : BigInt.asIntN(32, v)));
  }
  // While reading a config file, the first save line replaces the defaults and later ones
  // append (so "save 900 1" + "save 300 10" keeps both); `save ""` always empties the list.
  const appendTo = ctx.reading && ctx.saveLoaded && !reset ? ctx.current : '';
  return [appendTo, pairs.join(' ')].filter((s) => s !== '').join(' ');
}

export const saveCodec: SpecialCodec = {
  parse: parseSave,
  rewrite(value, name, sink) {
    if (value === '') {
      sink.line(name, `${name} ""`, true);
    } else {
      const f = value.split(' ');
      for (let j = 0; j < f.length; j += 2) sink.line(name, `${name} ${f[j]} ${f[j + 1]}`, true);
    }
    sink.processed(name);
  },
};

// ---- client-output-buffer-limit ------------------------------------------------------------

const OBUF_CLASSES = ['normal', 'slave', 'pubsub'] as const;
export const DEFAULT_OBUF = 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60';

function obufClass(name: string): number {
  const l = name.toLowerCase();
  if (l === 'normal') return 0;
  if (l === 'slave' || l === 'replica') return 1;
  if (l === 'pubsub') return 2;
  return -1; // "master" is a client type too, but not a valid class here
}

/** The three classes' [hard, soft, seconds] from a GET form. */
function obufSplit(value: string): string[][] {
  const f = value.split(' ');
  return OBUF_CLASSES.map((_, i) => f.slice(i * 4 + 1, i * 4 + 4));
}

export const obufCodec: SpecialCodec = {
  parse(args, ctx) {
    if (args.length % 4 !== 0) return { error: 'Wrong number of arguments in buffer limit configuration.' };
    const classes = obufSplit(ctx.current);
    for (let j = 0; j < args.length; j += 4) {
      const cls = obufClass(args[j]!);
      if (cls < 0) return { error: 'Invalid client class specified in buffer limit configuration.' };
      const hard = memtoull(args[j + 1]!);
      const soft = memtoull(args[j + 2]!);
      const secs = strtoll(args[j + 3]!, 10);
      // soft_seconds is an int in Redis: the long long result is truncated before the checks.
      const secsInt = BigInt.asIntN(32, secs.value);
      if (hard === null || soft === null || secsInt < 0n || secs.end !== args[j + 3]!.length) {
        return { error: 'Error in hard, soft or soft_seconds setting in buffer limit configuration.' };
      }
      classes[cls] = [String(hard), String(soft), String(secsInt)];
    }
    return OBUF_CLASSES.map((n, i) => `${n} ${classes[i]!.join(' ')}`).join(' ');
  },
  rewrite(value, name, sink) {
    const cur = obufSplit(value);
    const def = obufSplit(DEFAULT_OBUF);
    OBUF_CLASSES.forEach((cls, i) => {
      const [hard, soft, secs] = cur[i]!;
      const force = cur[i]!.join(' ') !== def[i]!.join(' ');
      const hardS = formatMemory(toSigned64(BigInt(hard!)));
      const softS = formatMemory(toSigned64(BigInt(soft!)));
      sink.line(name, `${name} ${cls === 'slave' ? 'replica' : cls} ${hardS} ${softS} ${secs}`, force);
    });
  },
};

// ---- oom-score-adj-values ---------------------------------------------------------------------

export const oomValuesCodec: SpecialCodec = {
  reportsNoChange: true,
  parse(args) {
    if (args.length !== 3) return { error: 'wrong number of arguments' };
    const out: string[] = [];
    for (const a of args) {
      const v = strtollWhole(a);
      if (v === null || v < -2000n || v > 2000n) {
        return { error: 'Invalid oom-score-adj-values, elements must be between -2000 and 2000.' };
      }
      out.push(String(v));
    }
    return out.join(' ');
  },
  rewrite(value, name, sink) {
    sink.line(name, `${name} ${value}`, value !== '0 200 800');
  },
};

// ---- notify-keyspace-events -------------------------------------------------------------------

/** Bits as in Redis's server.h (K E g $ l s h z x e t m, d n). */
export const NOTIFY = {
  keyspace: 1 << 0,
  keyevent: 1 << 1,
  generic: 1 << 2,
  string: 1 << 3,
  list: 1 << 4,
  set: 1 << 5,
  hash: 1 << 6,
  zset: 1 << 7,
  expired: 1 << 8,
  evicted: 1 << 9,
  stream: 1 << 10,
  keyMiss: 1 << 11,
  module: 1 << 13,
  new: 1 << 14,
} as const;
export const NOTIFY_ALL =
  NOTIFY.generic |
  NOTIFY.string |
  NOTIFY.list |
  NOTIFY.set |
  NOTIFY.hash |
  NOTIFY.zset |
  NOTIFY.expired |
  NOTIFY.evicted |
  NOTIFY.stream |
  NOTIFY.module;

const NOTIFY_LETTERS: Record<string, number> = {
  A: NOTIFY_ALL,
  g: NOTIFY.generic,
  $: NOTIFY.string,
  l: NOTIFY.list,
  s: NOTIFY.set,
  h: NOTIFY.hash,
  z: NOTIFY.zset,
  x: NOTIFY.expired,
  e: NOTIFY.evicted,
  K: NOTIFY.keyspace,
  E: NOTIFY.keyevent,
  t: NOTIFY.stream,
  m: NOTIFY.keyMiss,
  d: NOTIFY.module,
  n: NOTIFY.new,
};

/** Class letters to flags; -1 for an unknown letter. */
export function keyspaceEventsToFlags(s: string): number {
  let flags = 0;
  for (const ch of s) {
    const f = NOTIFY_LETTERS[ch];
    if (f === undefined) return -1;
    flags |= f;
  }
  return flags;
}

/** Flags to the canonical letters CONFIG GET prints. */
export function keyspaceEventsToString(flags: number): string {
  let r = '';
  if ((flags & NOTIFY_ALL) === NOTIFY_ALL) {
    r += 'A';
  } else {
    const order: [number, string][] = [
      [NOTIFY.generic, 'g'],
      [NOTIFY.string, '$'],
      [NOTIFY.list, 'l'],
      [NOTIFY.set, 's'],
      [NOTIFY.hash, 'h'],
      [NOTIFY.zset, 'z'],
      [NOTIFY.expired, 'x'],
      [NOTIFY.evicted, 'e'],
      [NOTIFY.stream, 't'],
      [NOTIFY.module, 'd'],
      [NOTIFY.new, 'n'],
    ];
    for (const [bit, ch] of order) if (flags & bit) r += ch;
  }
  if (flags & NOTIFY.keyspace) r += 'K';
  if (flags & NOTIFY.keyevent) r += 'E';
  if (flags & NOTIFY.keyMiss) r += 'm';
  return r;
}

export const notifyCodec: SpecialCodec = {
  parse(args) {
    if (args.length !== 1) return { error: 'wrong number of arguments' };
    const flags = keyspaceEventsToFlags(args[0]!);
    if (flags === -1) return { error: "Invalid event class character. Use 'Ag$lshzxeKEtmdn'." };
    return keyspaceEventsToString(flags);
  },
  rewrite(value, name, sink) {
    sink.line(name, `${name} ${repr(value)}`, value !== '');
  },
};

// ---- bind ---------------------------------------------------------------------------------------

export const DEFAULT_BIND = '* -::*';

export const bindCodec: SpecialCodec = {
  parse(args) {
    if (args.length > 16) return { error: 'Too many bind addresses specified.' };
    if (args.length === 1 && args[0] === '') return '';
    return args.join(' ');
  },
  rewrite(value, name, sink) {
    if (value === DEFAULT_BIND) return sink.processed(name);
    sink.line(name, `${name} ${value === '' ? '""' : value}`, true);
  },
};

// ---- replicaof ------------------------------------------------------------------------------------

export const replicaofCodec: SpecialCodec = {
  parse(args) {
    if (args.length !== 2) return { error: 'wrong number of arguments' };
    if (args[0]!.toLowerCase() === 'no' && args[1]!.toLowerCase() === 'one') return '';
    const port = strtoll(args[1]!, 10);
    // strtol's result lands in an int (masterport) before the range check, as in Redis.
    const p = BigInt.asIntN(32, port.value);
    if (p < 0n || p > 65535n || port.end !== args[1]!.length) return { error: 'Invalid master port' };
    return `${args[0]} ${p}`;
  },
  rewrite(value, name, sink) {
    if (value === '') return sink.processed(name);
    sink.line(name, `${name} ${value}`, true);
  },
};

// ---- latency-tracking-info-percentiles ---------------------------------------------------------------

function fmtPercentile(p: number): string {
  return trimDouble(fmtFixed6(p));
}

export const percentilesCodec: SpecialCodec = {
  parse(args) {
    if (args.length === 1 && args[0] === '') return '';
    const out: string[] = [];
    for (const a of args) {
      const p = string2d(a);
      if (p === null) return { error: 'Invalid latency-tracking-info-percentiles parameters' };
      if (p > 100 || p < 0)
        return { error: 'latency-tracking-info-percentiles parameters should sit between [0.0,100.0]' };
      out.push(fmtPercentile(p));
    }
    return out.join(' ');
  },
  rewrite(value, name, sink) {
    sink.line(name, `${name} ${value === '' ? '""' : value}`, true);
  },
};
