// The dump file: SAVE, BGSAVE, save points, loading at start-up and DEBUG RELOAD, and the
// persistence figures of INFO.
//
// There is no fork() in Node, so BGSAVE cannot snapshot copy-on-write as Redis does. Instead
// it serializes the whole dataset synchronously (the event loop is blocked for that part, so
// the snapshot is consistent) and then writes the bytes to a temporary file asynchronously,
// fsyncs it and renames it over the dump file; commands run again during the write. SAVE does
// both steps synchronously. Files are created with mode 0600.

import fs from 'node:fs';
import path from 'node:path';
import type { Server } from '../server/server.js';
import type { Entry } from '../store/db.js';
import { lfu, lfuCounter, setLfuCounter } from '../store/db.js';
import { recountDataset, usedMemory } from '../server/memory.js';
import { REDIS_VERSION } from '../server/version.js';
import { addInfoProvider } from '../commands/info.js';
import { debugSettings } from '../commands/debug.js';
import { serializeDataset, type WriteOptions } from './rdb-write.js';
import { writeFileSynced } from './synced-write.js';
import { readRdbFile, type LoadLimits, type LoadedValue } from './rdb-read.js';
import { RdbFormatError } from './rdb-const.js';
import { functionsOf, peekFunctions } from '../scripting/functions.js';

export interface PersistState {
  bgsaveInProgress: boolean;
  bgsaveStartedMs: number;
  lastBgsaveOk: boolean;
  lastBgsaveSeconds: number;
  /** Unix seconds of the last BGSAVE attempt (retry delay after a failure). */
  lastBgsaveTry: number;
  /** A BGSAVE SCHEDULE waiting for the running one to end. */
  scheduled: boolean;
  saves: number;
  lastLoadKeysLoaded: number;
  lastLoadKeysExpired: number;
}

const states = new WeakMap<Server, PersistState>();

export function persistState(server: Server): PersistState {
  let s = states.get(server);
  if (s === undefined) {
    s = {
      bgsaveInProgress: false,
      bgsaveStartedMs: 0,
      lastBgsaveOk: true,
      lastBgsaveSeconds: -1,
      lastBgsaveTry: 0,
      scheduled: false,
      saves: 0,
      lastLoadKeysLoaded: 0,
      lastLoadKeysExpired: 0,
    };
    states.set(server, s);
  }
  return s;
}

export function writeOptions(server: Server): WriteOptions {
  return {
    compress: server.config.bool('rdbcompression'),
    listFill: server.config.int('list-max-listpack-size'),
    packedThreshold: debugSettings.quicklistPackedThreshold,
  };
}

export function loadLimits(server: Server): LoadLimits {
  const c = server.config;
  return {
    hashEntries: c.int('hash-max-listpack-entries'),
    hashValue: c.int('hash-max-listpack-value'),
    zsetEntries: c.int('zset-max-listpack-entries'),
    zsetValue: c.int('zset-max-listpack-value'),
    intsetEntries: c.int('set-max-intset-entries'),
  };
}

/** Absolute path of the dump file (dir + dbfilename). */
export function rdbPath(server: Server): string {
  const dir = server.config.str('dir');
  // '' when the working directory is gone: the relative name then fails as Redis's does (ENOENT).
  const name = server.config.str('dbfilename');
  return dir === '' ? name : path.resolve(dir, name);
}

function evictionInfo(server: Server): 'lru' | 'lfu' | null {
  const policy = server.config.str('maxmemory-policy');
  if (policy.endsWith('-lfu')) return 'lfu';
  if (policy.endsWith('-lru')) return 'lru';
  return null;
}

/** Replication fields of a snapshot made for a replica (Redis's rdbSaveInfo). */
export interface ReplSaveInfo {
  /** The db the replication stream continues in (repl-stream-db). */
  streamDb: number;
  replid: string;
  offset: number;
  /** REPLCONF rdb-filter-only functions: the function libraries but no keys. */
  noData?: boolean;
}

/** The whole dataset as RDB bytes (synchronous, so it is a consistent snapshot). */
export function snapshot(server: Server, repl?: ReplSaveInfo): Buffer {
  const now = Date.now();
  const replAux: [string, string][] =
    repl === undefined
      ? []
      : [
          ['repl-stream-db', String(repl.streamDb)],
          ['repl-id', repl.replid],
          ['repl-offset', String(repl.offset)],
        ];
  return serializeDataset(
    {
      dbs: repl?.noData === true ? [] : server.dbs,
      aux: [
        ['redis-ver', REDIS_VERSION],
        ['redis-bits', '64'],
        ['ctime', String(Math.floor(now / 1000))],
        ['used-mem', String(usedMemory(server))],
        ...replAux,
        ['aof-base', '0'],
      ],
      functions: libraryCodes(server),
      evictionInfo: evictionInfo(server),
      now,
      lfuCounter: (e: Entry) => lfuCounter(e, now),
      checksum: server.config.bool('rdbchecksum'),
    },
    writeOptions(server),
  );
}

/** Every function library's code, as FUNCTION LOAD got it. */
export function libraryCodes(server: Server): string[] {
  return [...(peekFunctions(server)?.libraries.values() ?? [])].map((lib) => lib.code);
}

/**
 * Compiles and registers a library read from an RDB image; a library that does not load, or
 * one already there when not `replace`-ing, fails the whole load (as in Redis).
 */
export function loadLibrary(server: Server, code: string, replace: boolean): void {
  const r = functionsOf(server).load(code, replace);
  if ('error' in r) throw new Error(`Failed loading library, ${r.error}`);
}

/**
 * Redis's emptyData() with its default flags: every database and the function libraries go,
 * before a whole new dataset is loaded (DEBUG RELOAD, DEBUG LOADAOF, a replica's full sync).
 * FLUSHALL, unlike this, keeps the functions.
 */
export function emptyData(server: Server): void {
  for (const db of server.dbs) db.flush();
  peekFunctions(server)?.flush();
  server.replicaKeys.clear();
}

function tempPath(server: Server, tag: string): string {
  return path.join(path.dirname(rdbPath(server)), `temp-${tag}-${process.pid}.rdb`);
}

function saved(server: Server, dirtyBefore: number): void {
  server.dirty -= Math.min(server.dirty, dirtyBefore);
  server.lastSave = Math.floor(Date.now() / 1000);
  persistState(server).saves++;
}

/** SAVE: serializes and writes synchronously. Returns null, or the error text (logged). */
export function saveSync(server: Server): string | null {
  const dirty = server.dirty;
  const tmp = tempPath(server, 'save');
  try {
    writeFileSynced(tmp, snapshot(server));
    fs.renameSync(tmp, rdbPath(server));
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    const msg = (e as Error).message;
    server.log.warning(`Failed saving the DB: ${msg}`);
    persistState(server).lastBgsaveOk = false;
    return msg;
  }
  server.log.notice('DB saved on disk');
  saved(server, dirty);
  persistState(server).lastBgsaveOk = true;
  return null;
}

async function writeAsync(file: string, tmp: string, data: Buffer): Promise<void> {
  const h = await fs.promises.open(tmp, 'w', 0o600);
  try {
    await h.writeFile(data);
    await h.sync();
  } finally {
    await h.close();
  }
  await fs.promises.rename(tmp, file);
}

/**
 * BGSAVE: snapshot now, write in the background. Returns null when started, else the error
 * text. `done` is called when the write has finished (tests, DEBUG).
 */
export function bgsave(server: Server, done?: (err: string | null) => void): string | null {
  const st = persistState(server);
  if (st.bgsaveInProgress) return 'Background save already in progress';
  const dirty = server.dirty;
  st.lastBgsaveTry = Math.floor(Date.now() / 1000);
  let data: Buffer;
  let file: string;
  let tmp: string;
  try {
    data = snapshot(server);
    file = rdbPath(server);
    tmp = tempPath(server, 'bgsave');
  } catch (e) {
    st.lastBgsaveOk = false;
    const msg = (e as Error).message;
    server.log.warning(`Background saving error: ${msg}`);
    return msg;
  }
  st.bgsaveInProgress = true;
  st.bgsaveStartedMs = Date.now();
  server.log.notice('Background saving started');
  writeAsync(file, tmp, data).then(
    () => {
      finishBgsave(server, true);
      saved(server, dirty);
      server.log.notice('Background saving terminated with success');
      done?.(null);
    },
    (e: Error) => {
      fs.rmSync(tmp, { force: true });
      finishBgsave(server, false);
      server.log.warning(`Background saving error: ${e.message}`);
      done?.(e.message);
    },
  );
  return null;
}

function finishBgsave(server: Server, ok: boolean): void {
  const st = persistState(server);
  st.bgsaveInProgress = false;
  st.lastBgsaveOk = ok;
  st.lastBgsaveSeconds = Math.round((Date.now() - st.bgsaveStartedMs) / 1000);
  if (st.scheduled) {
    st.scheduled = false;
    bgsave(server);
  }
}

/** The configured save points as [seconds, changes] pairs. */
export function savePoints(server: Server): [number, number][] {
  const words = server.config
    .str('save')
    .split(' ')
    .filter((w) => w !== '');
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < words.length; i += 2) out.push([Number(words[i]), Number(words[i + 1])]);
  return out;
}

/** Cron check (Redis serverCron): start a BGSAVE when a save point is reached. */
function checkSavePoints(server: Server): void {
  const st = persistState(server);
  if (st.bgsaveInProgress) return;
  const now = Math.floor(Date.now() / 1000);
  for (const [secs, changes] of savePoints(server)) {
    if (server.dirty >= changes && now - server.lastSave > secs && (now - st.lastBgsaveTry > 5 || st.lastBgsaveOk)) {
      server.log.notice(`${changes} changes in ${secs} seconds. Saving...`);
      bgsave(server);
      return;
    }
  }
}

export interface LoadResult {
  loaded: number;
  expired: number;
  /** Keys with empty values, skipped as Redis 7.0 skips them. */
  empty: number;
  /** Bytes of the buffer the RDB image took. */
  bytes: number;
}

/** Sets a restored/loaded entry's LRU or LFU state (Redis objectSetLRUOrLFU). */
export function applyIdleOrFreq(e: Entry, idle: number, freq: number, now: number): void {
  if (lfu.enabled) {
    if (freq >= 0) setLfuCounter(e, freq, now);
  } else if (idle >= 0) {
    e.lru = now - idle * 1000;
  }
}

/**
 * Loads an RDB image into the server's databases and function libraries. Expired keys are
 * skipped; a key or library already present is an error unless `merge` (then the file's wins).
 * As with Redis, a failed load leaves whatever was read before the error.
 */
export function loadRdbBuffer(server: Server, buf: Buffer, merge = false, keepExpired = false): LoadResult {
  const now = Date.now();
  const res: LoadResult = { loaded: 0, expired: 0, empty: 0, bytes: 0 };
  res.bytes = readRdbFile(buf, loadLimits(server), server.dbs.length, server.config.bool('rdbchecksum'), {
    key(k) {
      // An AOF's RDB part keeps expired keys: the commands after it may still name them.
      if (!keepExpired && k.expireAt >= 0 && k.expireAt <= now) {
        res.expired++;
        return;
      }
      const db = server.dbs[k.db]!;
      if (db.dict.has(k.key)) {
        if (!merge) throw new Error(`RDB has duplicated key '${k.key}' in DB ${k.db}`);
        db.delete(k.key);
      }
      const e = store(db, k.key, k.value);
      if (k.expireAt >= 0) db.setExpire(k.key, e, k.expireAt);
      applyIdleOrFreq(e, k.idle, k.freq, now);
      res.loaded++;
    },
    emptyKey(_db, key) {
      server.log.warning(`rdbLoadObject skipping empty key: ${printable(key)}`);
      res.empty++;
    },
    library: (code) => loadLibrary(server, code, merge),
  });
  recountDataset(server);
  const st = persistState(server);
  st.lastLoadKeysLoaded = res.loaded;
  st.lastLoadKeysExpired = res.expired;
  return res;
}

function store(db: Server['dbs'][number], key: string, v: LoadedValue): Entry {
  return db.set(key, v.type, v.value);
}

/** Loads the dump file if there is one. Throws (with a message to log) when it is unusable. */
export function loadDumpFile(server: Server, merge = false): LoadResult | null {
  const file = rdbPath(server);
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const start = performance.now();
  const res = loadRdbBuffer(server, buf, merge);
  const secs = ((performance.now() - start) / 1000).toFixed(3);
  server.log.notice(`DB loaded from disk: ${secs} seconds`);
  server.log.notice(
    `Done loading RDB, keys loaded: ${res.loaded}, keys expired: ${res.expired}, empty keys skipped: ${res.empty}.`,
  );
  return res;
}

/** A key's first bytes as printable text for the log (no line breaks or escapes reach it). */
export function printable(key: string): string {
  return key.slice(0, 128).replace(/[^\x20-\x7e]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Redis's report of a malformed file: the reason, then where (and in which key) it was met. */
function logCorruptFile(server: Server, e: RdbFormatError): void {
  server.log.warning(
    `Internal error in RDB reading offset ${Math.max(e.offset, 0)}, function at rdbLoad -> ${e.message}`,
  );
  if (e.key === null) return;
  server.log.warning('--- RDB ERROR DETECTED ---');
  server.log.warning(`[offset ${e.offset}] ${e.message}`);
  server.log.warning(`[additional info] Reading key '${printable(e.key)}' of RDB type ${e.type}`);
}

/** Loading at start-up: a file that cannot be loaded stops the server, as in Redis. */
export function loadAtStartup(server: Server): void {
  try {
    loadDumpFile(server);
  } catch (e) {
    if (e instanceof RdbFormatError) logCorruptFile(server, e);
    server.log.warning(`Fatal error loading the DB ${rdbPath(server)}: ${(e as Error).message}. Exiting.`);
    if (e instanceof RdbFormatError) server.log.warning('Terminating server after rdb file reading failure.');
    throw e;
  }
}

/**
 * Saving at shutdown (SHUTDOWN, SHUTDOWN SAVE): saves when asked, or when save points are
 * configured and NOSAVE was not given. Returns false when a needed save failed.
 */
export function shutdownSave(server: Server, save: boolean, nosave: boolean): boolean {
  // Whatever else happens, appended commands reach the disk first (Redis's prepareForShutdown).
  for (const h of beforeShutdown) h(server);
  if (nosave) return true;
  if (!save && savePoints(server).length === 0) return true;
  server.log.warning('Saving the final RDB snapshot before exiting.');
  return saveSync(server) === null;
}

/** Work that must be done before any shutdown (the AOF's final write and fsync). */
export const beforeShutdown: ((server: Server) => void)[] = [];

let infoRegistered = false;

/** Start-up wiring: the save-point check on the cron tick, the INFO persistence fields. */
export function installPersistence(server: Server): void {
  server.hooks.cron.push(() => checkSavePoints(server));
  registerInfo();
}

/** INFO persistence fields (providers are process-wide; registered once). */
export function registerInfo(): void {
  if (infoRegistered) return;
  infoRegistered = true;
  addInfoProvider('persistence', persistenceInfo);
}

function persistenceInfo(server: Server): Record<string, string | number> {
  const st = persistState(server);
  return {
    rdb_changes_since_last_save: server.dirty,
    rdb_bgsave_in_progress: st.bgsaveInProgress ? 1 : 0,
    rdb_last_save_time: server.lastSave,
    rdb_last_bgsave_status: st.lastBgsaveOk ? 'ok' : 'err',
    rdb_last_bgsave_time_sec: st.lastBgsaveSeconds,
    rdb_current_bgsave_time_sec: st.bgsaveInProgress ? Math.floor((Date.now() - st.bgsaveStartedMs) / 1000) : -1,
    rdb_saves: st.saves,
    rdb_last_load_keys_expired: st.lastLoadKeysExpired,
    rdb_last_load_keys_loaded: st.lastLoadKeysLoaded,
  };
}
