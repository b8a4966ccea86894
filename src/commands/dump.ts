// DUMP and RESTORE (values in the RDB format, see src/persist/), and the dump-file commands
// SAVE and BGSAVE. RESTORE always checks a payload in depth, whatever sanitize-dump-payload
// says: decoding builds Redoubt's own structures, so checking costs nothing extra, and a
// payload that does not decode to a valid value is refused with "Bad data format".

import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import { E } from '../protocol/errors.js';
import { parseInt64 } from './args.js';
import { NOTIFY } from '../server/notify.js';
import { debugSettings, debugSubcommands } from './debug.js';
import { dumpPayload, UnsupportedValueError } from '../persist/rdb-write.js';
import { readPayload, verifyPayload } from '../persist/rdb-read.js';
import { RdbFormatError } from '../persist/rdb-const.js';
import { migrateCachedSockets, migrateSync } from '../persist/migrate.js';
import { addInfoProvider } from './info.js';
import { rewritePropagation } from '../replication/propagate.js';
import { alreadyExpired } from './expire.js';
import {
  applyIdleOrFreq,
  bgsave,
  emptyData,
  loadDumpFile,
  loadLimits,
  persistState,
  registerInfo,
  saveSync,
  writeOptions,
} from '../persist/rdb-file.js';

function dump(c: Client, argv: string[]): void {
  const e = c.db.lookupRead(argv[1]!);
  if (e === undefined) return c.reply.nullBulk();
  let payload: Buffer;
  try {
    payload = dumpPayload(e.type, e.value, writeOptions(c.server));
  } catch (err) {
    if (err instanceof UnsupportedValueError) return c.reply.error(`ERR DUMP of ${e.type} values is not supported`);
    throw err;
  }
  c.reply.bulkBuffer(payload);
}

interface RestoreOptions {
  replace: boolean;
  absttl: boolean;
  idle: number;
  freq: number;
}

/** Parses REPLACE / ABSTTL / IDLETIME / FREQ; replies and returns null on error. */
function restoreOptions(c: Client, argv: string[]): RestoreOptions | null {
  const o: RestoreOptions = { replace: false, absttl: false, idle: -1, freq: -1 };
  for (let j = 4; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    const more = j + 1 < argv.length;
    if (opt === 'replace') o.replace = true;
    else if (opt === 'absttl') o.absttl = true;
    else if (opt === 'idletime' && more && o.freq === -1) {
      const v = parseInt64(argv[++j]!);
      if (v === null) return (c.reply.error(E.notInteger), null);
      if (v < 0n) return (c.reply.error('ERR Invalid IDLETIME value, must be >= 0'), null);
      o.idle = Number(v);
    } else if (opt === 'freq' && more && o.idle === -1) {
      const v = parseInt64(argv[++j]!);
      if (v === null) return (c.reply.error(E.notInteger), null);
      if (v < 0n || v > 255n) return (c.reply.error('ERR Invalid FREQ value, must be >= 0 and <= 255'), null);
      o.freq = Number(v);
    } else return (c.reply.error(E.syntax), null);
  }
  return o;
}

function restore(c: Client, argv: string[]): void {
  const key = argv[1]!;
  const o = restoreOptions(c, argv);
  if (o === null) return;
  const db = c.db;
  if (!o.replace && db.get(key) !== undefined) return c.reply.error('BUSYKEY Target key name already exists.');
  const ttlArg = parseInt64(argv[2]!);
  if (ttlArg === null) return c.reply.error(E.notInteger);
  if (ttlArg < 0n) return c.reply.error('ERR Invalid TTL value, must be >= 0');
  const body = verifyPayload(Buffer.from(argv[3]!, 'latin1'), debugSettings.skipChecksumValidation);
  if (body === null) return c.reply.error('ERR DUMP payload version or checksum are wrong');
  let loaded;
  try {
    loaded = readPayload(body, loadLimits(c.server), c.server.protoMaxBulkLen);
  } catch (err) {
    if (!(err instanceof RdbFormatError)) throw err;
    // As Redis logs a RESTORE's corrupt payload: at verbose level, with the reason.
    c.server.log.verbose(`Internal error in RDB reading offset 0, function at RESTORE -> ${err.message}`);
    return c.reply.error('ERR Bad data format');
  }
  const now = c.server.now();
  let ttl = Number(ttlArg);
  if (ttl > 0 && !o.absttl) ttl += now;
  const existed = o.replace && db.delete(key);
  if (ttl > 0 && alreadyExpired(c, ttl)) {
    // Already expired: the key is not created (only the old one, if replaced, is gone).
    if (existed) {
      db.touch(key);
      c.server.events.notify(NOTIFY.generic, 'del', key, db.id);
      c.server.dirty++;
      rewritePropagation(c, ['DEL', key]);
    }
    return c.reply.ok();
  }
  const e = db.set(key, loaded.type, loaded.value);
  if (ttl > 0) db.setExpire(key, e, ttl);
  // A relative TTL goes out as the absolute time it gave here.
  if (ttl > 0 && !o.absttl) rewritePropagation(c, [...argv.slice(0, 2), String(ttl), ...argv.slice(3), 'ABSTTL']);
  applyIdleOrFreq(e, o.idle, o.freq, now);
  db.touch(key);
  c.server.events.notify(NOTIFY.generic, 'restore', key, db.id);
  c.server.dirty++;
  c.reply.ok();
}

function save(c: Client): void {
  if (persistState(c.server).bgsaveInProgress) return c.reply.error('ERR Background save already in progress');
  if (saveSync(c.server) !== null) return c.reply.error('ERR');
  c.reply.ok();
}

function bgsaveCommand(c: Client, argv: string[]): void {
  let schedule = false;
  if (argv.length === 2 && argv[1]!.toLowerCase() === 'schedule') schedule = true;
  else if (argv.length > 1) return c.reply.error(E.syntax);
  const st = persistState(c.server);
  if (st.bgsaveInProgress) {
    if (!schedule) return c.reply.error('ERR Background save already in progress');
    st.scheduled = true;
    return c.reply.simple('Background saving scheduled');
  }
  const err = bgsave(c.server);
  if (err !== null) return c.reply.error(`ERR ${err}`);
  c.reply.simple('Background saving started');
}

/** DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty the dataset and functions, load the file back. */
function debugReload(c: Client, argv: string[]): void {
  let merge = false;
  let flush = true;
  let doSave = true;
  for (let j = 2; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    if (opt === 'merge') merge = true;
    else if (opt === 'noflush') flush = false;
    else if (opt === 'nosave') doSave = false;
    else return c.reply.error('ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
  }
  const server = c.server;
  if (doSave && saveSync(server) !== null) return c.reply.error('ERR');
  if (flush) emptyData(server);
  try {
    loadDumpFile(server, merge);
  } catch (err) {
    server.log.warning(`Error loading the RDB file: ${(err as Error).message}`);
    return c.reply.error('ERR Error trying to load the RDB dump, check server logs.');
  }
  server.log.warning('DB reloaded by DEBUG RELOAD');
  c.reply.ok();
}

/** RESP encoding of a command whose arguments are latin1 strings or raw bytes. */
function encode(args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`, 'latin1')];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`, 'latin1'), b, Buffer.from('\r\n', 'latin1'));
  }
  return Buffer.concat(parts);
}

interface MigrateArgs {
  copy: boolean;
  replace: boolean;
  auth: string[] | null;
  keys: string[];
}

function migrateArgs(c: Client, argv: string[]): MigrateArgs | null {
  const m: MigrateArgs = { copy: false, replace: false, auth: null, keys: [argv[3]!] };
  for (let j = 6; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    const more = argv.length - j - 1;
    if (opt === 'copy') m.copy = true;
    else if (opt === 'replace') m.replace = true;
    else if (opt === 'auth' && more >= 1) m.auth = [argv[++j]!];
    else if (opt === 'auth2' && more >= 2) {
      m.auth = [argv[j + 1]!, argv[j + 2]!];
      j += 2;
    } else if (opt === 'keys') {
      if (argv[3] !== '') {
        c.reply.error('ERR When using MIGRATE KEYS option, the key argument must be set to the empty string');
        return null;
      }
      m.keys = argv.slice(j + 1);
      break;
    } else {
      c.reply.error(E.syntax);
      return null;
    }
  }
  return m;
}

/** MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH pw | AUTH2 user pw] [KEYS k...] */
function migrate(c: Client, argv: string[]): void {
  const m = migrateArgs(c, argv);
  if (m === null) return;
  const timeoutArg = parseInt64(argv[5]!);
  const dbArg = parseInt64(argv[4]!);
  if (timeoutArg === null || dbArg === null) return c.reply.error(E.notInteger);
  const timeoutMs = timeoutArg <= 0n ? 1000 : Number(timeoutArg);
  const db = c.db;
  const now = c.server.now();
  const sent: string[] = [];
  const restores: Buffer[] = [];
  for (const key of m.keys) {
    const e = db.lookupRead(key);
    if (e === undefined) continue;
    let ttl = 0;
    if (e.expireAt >= 0) {
      ttl = e.expireAt - now;
      if (ttl < 0) continue;
      if (ttl < 1) ttl = 1;
    }
    let payload: Buffer;
    try {
      payload = dumpPayload(e.type, e.value, writeOptions(c.server));
    } catch (err) {
      if (err instanceof UnsupportedValueError)
        return c.reply.error(`ERR MIGRATE of ${e.type} values is not supported`);
      throw err;
    }
    const cmd: (string | Buffer)[] = ['RESTORE', key, String(ttl), payload];
    if (m.replace) cmd.push('REPLACE');
    restores.push(encode(cmd));
    sent.push(key);
  }
  if (sent.length === 0) return c.reply.simple('NOKEY');
  const auth = m.auth === null ? null : encode(['AUTH', ...m.auth]);
  const r = migrateSync({ host: argv[1]!, port: Number(argv[2]), timeoutMs, auth, dbid: Number(dbArg), restores });
  if (r.ioerr === 'connecting') return c.reply.error('IOERR error or timeout connecting to the client');
  if (r.auth !== null && r.auth.startsWith('-'))
    return c.reply.error(`ERR Target instance replied with error: ${r.auth.slice(1)}`);
  if (r.select !== null && r.select.startsWith('-')) {
    return c.reply.error(`ERR Target instance replied with error: ${r.select.slice(1)}`);
  }
  let firstError: string | null = null;
  const deleted: string[] = [];
  for (let i = 0; i < r.restores.length; i++) {
    const line = r.restores[i]!;
    if (line.startsWith('-')) {
      firstError ??= line.slice(1);
      continue;
    }
    if (m.copy) continue;
    const key = sent[i]!;
    deleted.push(key);
    if (db.delete(key)) {
      db.touch(key);
      c.server.events.notify(NOTIFY.generic, 'del', key, db.id);
      c.server.dirty++;
    }
  }
  // The replica deletes the keys the target acknowledged: MIGRATE itself means nothing there.
  if (deleted.length > 0) rewritePropagation(c, ['DEL', ...deleted]);
  if (r.ioerr !== null) return c.reply.error(`IOERR error or timeout ${r.ioerr} to target instance`);
  if (firstError !== null) return c.reply.error(`ERR Target instance replied with error: ${firstError}`);
  c.reply.ok();
}

addInfoProvider('stats', () => ({ migrate_cached_sockets: migrateCachedSockets() }));

debugSubcommands['reload'] = { argc: (n) => n >= 2, run: debugReload };
registerInfo();

export const dumpCommands: CommandImpls = {
  dump,
  restore,
  'restore-asking': restore,
  save,
  bgsave: bgsaveCommand,
  migrate,
};
