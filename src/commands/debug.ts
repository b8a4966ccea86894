// DEBUG: the subcommands the test suites and client libraries use. Each subcommand is an
// entry of `debugSubcommands`, so a layer that owns a feature (persistence, lists...) can add
// or replace its own (RELOAD, LOADAOF, LISTPACK...). RELOAD is replaced by the persistence layer
// (commands/dump.ts); there is no AOF, so LOADAOF keeps the data as it is and answers OK.

import { NO_REPLID, newReplId } from '../replication/state.js';
import { TARGET } from '../replication/propagate.js';
import type { Client } from '../server/client.js';
import type { Entry } from '../store/db.js';
import { E } from '../protocol/errors.js';
import { parseInt64 } from './args.js';
import { encodingOf } from './object.js';
import { stringEncoding } from '../store/strvalue.js';
import { globMatch } from '../store/glob.js';
import { ZERO_DIGEST, datasetDigest, valueDigest } from './digest.js';
import { cfg } from './info.js';
import { rewriteConfig } from '../config/rewrite.js';
import { strerror } from '../config/values.js';

export interface DebugSubcommand {
  /** Accepts this argument count (argv.length, "debug" and the subcommand included). */
  argc(n: number): boolean;
  run(c: Client, argv: string[]): void;
}

/** Switches other layers read; DEBUG only stores them. */
export const debugSettings = {
  /** DEBUG QUICKLIST-PACKED-THRESHOLD: list elements at least this big get their own node. */
  quicklistPackedThreshold: 1 << 30,
  skipChecksumValidation: false,
  aofFlushSleep: 0,
  disableDenyScripts: false,
  replyBufferPeakResetTime: 5000,
  replyBufferResizing: true,
};

/** Like C atoi: a leading integer, 0 when there is none. */
function atoi(s: string): number {
  const n = parseInt(s, 10);
  return Number.isNaN(n) ? 0 : n;
}

/** Like strtod with no end check: the longest leading number, 0 when there is none. */
function strtod(s: string): number {
  const m = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(s);
  return m === null ? 0 : Number(m[0]);
}

/** memtoull: "100", "1k", "2gb"...; null when malformed. */
function parseMemoryArg(s: string): number | null {
  const m = /^(\d+)(b|k|kb|m|mb|g|gb)?$/i.exec(s);
  if (m === null) return null;
  const unit = (m[2] ?? '').toLowerCase();
  const mult: Record<string, number> = { '': 1, b: 1, k: 1000, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };
  return Number(m[1]) * mult[unit]!;
}

/** Blocks the whole process, like Redis's nanosleep in the main thread. */
export function sleepMs(ms: number): void {
  if (ms <= 0) return;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// --- DEBUG OBJECT ---

/** Stable fake addresses for values (DEBUG OBJECT "at:"), one per stored entry. */
const addresses = new WeakMap<Entry, number>();
let nextAddress = 0x7f0000100000;

function addressOf(e: Entry): string {
  let a = addresses.get(e);
  if (a === undefined) {
    a = nextAddress;
    nextAddress += 16;
    addresses.set(e, a);
  }
  return '0x' + a.toString(16);
}

/** Bytes of an RDB length prefix. */
function rdbLenSize(n: number): number {
  return n < 64 ? 1 : n < 16384 ? 2 : n <= 0xffffffff ? 5 : 9;
}

/** Serialized size of a string in RDB: integers in 8/16/32 bits, else length + bytes. */
function rdbStringSize(v: unknown): number {
  const s = typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('latin1') : String(v);
  if (s.length <= 11 && /^(?:0|-?[1-9][0-9]*)$/.test(s)) {
    const n = Number(s);
    if (n >= -128 && n <= 127) return 2;
    if (n >= -32768 && n <= 32767) return 3;
    if (n >= -2147483648 && n <= 2147483647) return 5;
  }
  return rdbLenSize(s.length) + s.length;
}

function refcount(c: Client, e: Entry): number {
  if (e.type !== 'string' || stringEncoding(e.value) !== 'int') return 1;
  const n = Number(e.value);
  if (n < 0 || n >= 10000) return 1;
  const policy = cfg(c.server, 'maxmemory-policy', 'noeviction');
  const evicting = cfg(c.server, 'maxmemory', '0') !== '0' && (policy.endsWith('-lru') || policy.endsWith('-lfu'));
  return evicting ? 1 : 2147483647;
}

function debugObject(c: Client, argv: string[]): void {
  const e = c.db.dict.get(argv[2]!);
  if (e === undefined) return c.reply.error(E.noSuchKey);
  const lruClock = Math.floor(e.lru / 1000) & 0xffffff;
  const idle = Math.max(0, Math.floor((Date.now() - e.lru) / 1000));
  const serialized = e.type === 'string' ? rdbStringSize(e.value) : 0;
  c.reply.simple(
    `Value at:${addressOf(e)} refcount:${refcount(c, e)} encoding:${encodingOf(e)} serializedlength:${serialized}` +
      ` lru:${lruClock} lru_seconds_idle:${idle}`,
  );
}

// --- DEBUG PROTOCOL ---

function protocol(c: Client, argv: string[]): void {
  const r = c.reply;
  switch (argv[2]!.toLowerCase()) {
    case 'string':
      return r.bulk('Hello World');
    case 'integer':
      return r.int(12345);
    case 'double':
      return r.double(3.141);
    case 'bignum':
      return r.bigNumber('1234567999999999999999999999999999999');
    case 'null':
      return r.nullBulk();
    case 'array':
      r.arrayLen(3);
      for (let j = 0; j < 3; j++) r.int(j);
      return;
    case 'set':
      r.setLen(3);
      for (let j = 0; j < 3; j++) r.int(j);
      return;
    case 'map':
      r.mapLen(3);
      for (let j = 0; j < 3; j++) {
        r.int(j);
        r.bool(j === 1);
      }
      return;
    case 'attrib':
      // An attribute is not a reply of its own: a real reply follows it. RESP2 has none.
      if (c.resp === 3) {
        r.raw('|1\r\n');
        r.bulk('key-popularity');
        r.arrayLen(2);
        r.bulk('key:123');
        r.int(90);
      }
      return r.bulk('Some real reply following the attribute');
    case 'push':
      if (c.resp < 3) return r.error('RESP2 is not supported by this command');
      r.pushLen(2);
      r.bulk('server-cpu-usage');
      r.int(42);
      return r.bulk('Some real reply following the push reply');
    case 'true':
      return r.bool(true);
    case 'false':
      return r.bool(false);
    case 'verbatim':
      return r.verbatim('This is a verbatim\nstring');
    default:
      return r.error(
        'Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false',
      );
  }
}

// --- DEBUG POPULATE ---

function positiveArg(c: Client, s: string): number | null {
  const n = parseInt64(s);
  if (n === null) {
    c.reply.error(E.notInteger);
    return null;
  }
  if (n < 0n) {
    c.reply.error('value is out of range, must be positive');
    return null;
  }
  return Number(n);
}

function populate(c: Client, argv: string[]): void {
  const count = positiveArg(c, argv[2]!);
  if (count === null) return;
  let size = 0;
  if (argv.length === 5) {
    const s = positiveArg(c, argv[4]!);
    if (s === null) return;
    size = s;
  }
  const prefix = argv.length >= 4 ? argv[3]! : 'key';
  for (let j = 0; j < count; j++) {
    const key = `${prefix}:${j}`;
    if (c.db.get(key) !== undefined) continue;
    let val = `value:${j}`;
    // With a size, the value is that long: the text, then zero bytes.
    if (size > 0) val = size <= val.length ? val.slice(0, size) : val + '\0'.repeat(size - val.length);
    c.db.set(key, 'string', val);
    c.db.touch(key);
  }
  c.reply.ok();
}

// --- the others ---

function reload(c: Client, argv: string[]): void {
  for (let j = 2; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    if (opt !== 'merge' && opt !== 'noflush' && opt !== 'nosave') {
      return c.reply.error('ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
    }
  }
  // No persistence yet: the dataset stays as it is, which is what a save+load round trip gives.
  c.server.log.warning('DB reloaded by DEBUG RELOAD');
  c.reply.ok();
}

function digestValue(c: Client, argv: string[]): void {
  c.reply.arrayLen(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const e = c.db.dict.get(argv[j]!);
    c.reply.simple(e === undefined ? ZERO_DIGEST : valueDigest(e).toString('hex'));
  }
}

/** A quick self-check of the glob matcher on random patterns (it must not throw or hang). */
function stringmatchTest(c: Client): void {
  const alphabet = '*?[]^-\\abc';
  for (let i = 0; i < 1000; i++) {
    let pat = '';
    let str = '';
    for (let j = Math.floor(Math.random() * 12); j > 0; j--)
      pat += alphabet[Math.floor(Math.random() * alphabet.length)];
    for (let j = Math.floor(Math.random() * 12); j > 0; j--)
      str += alphabet[Math.floor(Math.random() * alphabet.length)];
    globMatch(pat, str);
  }
  c.reply.simple('Apparently Redis did not crash: test passed');
}

function htstats(c: Client, argv: string[]): void {
  const id = parseInt64(argv[2]!);
  if (id === null) return c.reply.error(E.notInteger);
  if (id < 0n || id >= BigInt(c.server.dbs.length)) return c.reply.error('Out of range database');
  const db = c.server.dbs[Number(id)]!;
  c.reply.verbatim(
    `[Dictionary HT]\nHash table 0 stats (main hash table):\n table size: ${db.dict.size}\n number of elements: ${db.dict.size}\n` +
      `[Expires HT]\nHash table 0 stats (main hash table):\n table size: ${db.expires.size}\n number of elements: ${db.expires.size}\n`,
  );
}

/** DEBUG CONFIG-REWRITE-FORCE-ALL: CONFIG REWRITE writing every config, defaults included. */
function configRewriteForceAll(c: Client): void {
  const fail = (why: string): void => c.reply.error(`ERR CONFIG-REWRITE-FORCE-ALL failed: ${why}`);
  // Redis hands its rewriter no path when it runs without a config file: opening it fails so.
  const file = c.server.configFile;
  if (file === null) return fail('Bad address');
  try {
    rewriteConfig(c.server.config, file, true);
  } catch (e) {
    return fail(strerror(e));
  }
  c.reply.ok();
}

const HELP = [
  'DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CHANGE-REPL-ID',
  '    Give the instance new replication IDs.',
  'CONFIG-REWRITE-FORCE-ALL',
  '    CONFIG REWRITE, writing every config to the file, defaults included.',
  'DIGEST',
  '    A hex signature of the whole dataset.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    A hex signature of the value of each key.',
  'ERROR <string>',
  '    Reply with <string> as an error.',
  'HTSTATS <dbid>',
  '    Sizes of the key tables of a database.',
  'LOG <message>',
  '    Write <message> to the server log.',
  'OBJECT <key>',
  '    Low level details of the value at <key>.',
  'PAUSE-CRON <0|1>',
  '    Stop or restart the periodic tasks.',
  'POPULATE <count> [<prefix>] [<size>]',
  '    Create <count> string keys named <prefix>:<num> (prefix "key" by default),',
  '    with values of <size> bytes when given.',
  'PROTOCOL <type>',
  '    Reply with a sample value of a RESP type: string, integer, double, bignum,',
  '    null, array, set, map, attrib, push, verbatim, true, false.',
  'RELOAD [MERGE] [NOFLUSH] [NOSAVE]',
  '    Save the RDB on disk, empty the dataset and load it back from the file.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Turn the background expiry of keys off (0) or on (1).',
  'QUICKLIST-PACKED-THRESHOLD <size>',
  '    List elements of at least <size> bytes are stored on their own.',
  'SLEEP <seconds>',
  '    Stop the whole server for <seconds> (decimals allowed).',
  'STRINGMATCH-TEST',
  '    Exercise the pattern matcher with random input.',
  'HELP',
  '    Print this help.',
];

const exactly = (n: number) => (argc: number) => argc === n;
const atLeast = (n: number) => (argc: number) => argc >= n;
const ok =
  (set: (c: Client, argv: string[]) => void): DebugSubcommand['run'] =>
  (c, argv) => {
    set(c, argv);
    c.reply.ok();
  };

export const debugSubcommands: Record<string, DebugSubcommand> = {
  help: {
    argc: exactly(2),
    run(c) {
      c.reply.arrayLen(HELP.length);
      for (const line of HELP) c.reply.simple(line);
    },
  },
  sleep: { argc: exactly(3), run: ok((_c, argv) => sleepMs(strtod(argv[2]!) * 1000)) },
  'set-active-expire': { argc: exactly(3), run: ok((c, argv) => (c.server.activeExpire = atoi(argv[2]!) !== 0)) },
  object: { argc: exactly(3), run: debugObject },
  log: { argc: exactly(3), run: ok((c, argv) => c.server.log.warning(`DEBUG LOG: ${argv[2]}`)) },
  protocol: { argc: exactly(3), run: protocol },
  populate: { argc: (n) => n >= 3 && n <= 5, run: populate },
  digest: { argc: exactly(2), run: (c) => c.reply.simple(datasetDigest(c.server)) },
  'digest-value': { argc: atLeast(2), run: digestValue },
  reload: { argc: atLeast(2), run: reload },
  // Sends a command to the replicas only (never the AOF): how Redis's tests make a replica
  // receive something it must refuse.
  replicate: {
    argc: atLeast(3),
    run: ok((c, argv) => c.server.prop.also(c.db.id, argv.slice(2), TARGET.repl)),
  },
  'change-repl-id': {
    argc: exactly(2),
    run: ok((c) => {
      c.server.log.warning('Changing replication IDs after receiving DEBUG change-repl-id');
      const repl = c.server.repl;
      repl.replid = newReplId();
      repl.replid2 = NO_REPLID;
      repl.secondOffset = -1;
    }),
  },
  'stringmatch-test': { argc: exactly(2), run: stringmatchTest },
  error: {
    argc: exactly(3),
    run(c, argv) {
      // Sent as given: no "ERR" prefix is added.
      c.reply.raw('-' + argv[2]!.replace(/[\r\n]/g, ' ') + '\r\n');
    },
  },
  'quicklist-packed-threshold': {
    argc: exactly(3),
    run(c, argv) {
      const sz = parseMemoryArg(argv[2]!);
      if (sz === null || sz > 2 ** 32 - 2 ** 20) {
        return c.reply.error('argument must be a memory value bigger than 1 and smaller than 4gb');
      }
      debugSettings.quicklistPackedThreshold = sz === 0 ? 1 << 30 : sz;
      c.reply.ok();
    },
  },
  'set-skip-checksum-validation': {
    argc: exactly(3),
    run: ok((_c, argv) => (debugSettings.skipChecksumValidation = atoi(argv[2]!) !== 0)),
  },
  'aof-flush-sleep': { argc: exactly(3), run: ok((_c, argv) => (debugSettings.aofFlushSleep = atoi(argv[2]!))) },
  'set-disable-deny-scripts': {
    argc: exactly(3),
    run: ok((_c, argv) => (debugSettings.disableDenyScripts = atoi(argv[2]!) !== 0)),
  },
  'pause-cron': {
    argc: exactly(3),
    run: ok((c, argv) => (atoi(argv[2]!) !== 0 ? c.server.stopCron() : c.server.startCron())),
  },
  replybuffer: {
    argc: exactly(4),
    run(c, argv) {
      const what = argv[2]!.toLowerCase();
      const v = argv[3]!;
      if (what === 'peak-reset-time') {
        if (v.toLowerCase() === 'never') debugSettings.replyBufferPeakResetTime = -1;
        else if (v.toLowerCase() === 'reset') debugSettings.replyBufferPeakResetTime = 5000;
        else {
          const n = parseInt64(v);
          if (n === null) return c.reply.error(E.notInteger);
          debugSettings.replyBufferPeakResetTime = Number(n);
        }
      } else if (what === 'resizing') {
        debugSettings.replyBufferResizing = atoi(v) !== 0;
      } else {
        return c.reply.error(subcommandSyntaxError(argv));
      }
      c.reply.ok();
    },
  },
  htstats: { argc: exactly(3), run: htstats },
  'config-rewrite-force-all': { argc: exactly(2), run: configRewriteForceAll },
};

function subcommandSyntaxError(argv: string[]): string {
  return `unknown subcommand or wrong number of arguments for '${argv[1]!.slice(0, 128)}'. Try ${argv[0]!.toUpperCase()} HELP.`;
}

export function debugCommand(c: Client, argv: string[]): void {
  const name = argv[1]!.toLowerCase();
  const sub = Object.hasOwn(debugSubcommands, name) ? debugSubcommands[name] : undefined;
  if (sub === undefined || !sub.argc(argv.length)) return c.reply.error(subcommandSyntaxError(argv));
  sub.run(c, argv);
}
