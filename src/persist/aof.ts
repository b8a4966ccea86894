// The append-only file (Redis 7 multi-part layout): `appendonly yes` appends every propagated
// command to the last incremental file of `dir`/`appenddirname`; the manifest lists the base
// and incremental files; BGREWRITEAOF writes a new base and starts a new incremental file.
//
// Durability follows appendfsync: `always` writes and fsyncs each command batch before its
// replies leave (the propagation flush runs before the connection writes); `everysec` writes
// once per event-loop turn and fsyncs in the background once a second; `no` leaves fsync to
// the kernel. There is no fork in Node: a rewrite serializes the dataset synchronously (like
// BGSAVE), so it is complete the moment BGREWRITEAOF answers. Files are created 0600.

import fs from 'node:fs';
import path from 'node:path';
import type { Server } from '../server/server.js';
import { addInfoProvider } from '../commands/info.js';
import { encodeCommand } from '../replication/primary.js';
import { AofManifest, ManifestError } from './aof-manifest.js';
import { writeFileSynced } from './synced-write.js';
import { AOF, aofPaths, loadAppendOnlyFiles, readManifest, type AofStatus } from './aof-load.js';
import { beforeShutdown, emptyData, libraryCodes, persistState, snapshot, writeOptions } from './rdb-file.js';
import { datasetAsCommands } from './aof-rewrite.js';
import { StartupFailure } from '../server/startup-failure.js';

export class AofState {
  on = false;
  private fd = -1;
  private buf: string[] = [];
  private bufLen = 0;
  private selectedDb = -1;
  private flushScheduled = false;
  private lastTs = 0;
  manifest = new AofManifest();
  /** Bytes in the incremental file being written, and how many of them are fsynced. */
  private incrSize = 0;
  private fsyncedSize = 0;
  private fsyncInProgress = false;
  private lastFsync = 0;
  currentSize = 0;
  baseSize = 0;
  rewriteScheduled = false;
  rewrites = 0;
  consecutiveFailures = 0;
  lastRewriteOk = true;
  lastRewriteSecs = -1;
  lastWriteOk = true;
  /** The reason of the last failed write or background fsync (strerror wording), or null. */
  writeError: string | null = null;
  delayedFsync = 0;

  constructor(private readonly server: Server) {}

  /** Appends one propagated command (with a SELECT when the db changes). */
  feed(db: number, argv: readonly string[]): void {
    if (!this.on) return;
    let s = '';
    if (this.server.config.bool('aof-timestamp-enabled')) {
      const now = Math.floor(Date.now() / 1000);
      if (now > this.lastTs) {
        s += `#TS:${now}\r\n`;
        this.lastTs = now;
      }
    }
    if (db !== this.selectedDb) {
      s += encodeCommand(['SELECT', String(db)]);
      this.selectedDb = db;
    }
    s += encodeCommand(argv);
    this.buf.push(s);
    this.bufLen += s.length;
  }

  /**
   * After each batch: `always` writes and fsyncs now. Otherwise the write waits for the first
   * of: a connection about to send replies (Server.beforeReply, so a reply never precedes
   * the write(2) of what it acknowledges, as in Redis) or the end of this event-loop turn.
   */
  afterBatch(): void {
    if (!this.on || this.bufLen === 0) return;
    if (this.server.config.str('appendfsync') === 'always') {
      this.flush(true);
      return;
    }
    this.server.beforeReply = this.beforeReply;
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush(false);
    });
  }

  private readonly beforeReply = (): void => this.flush(false);

  /** Writes the buffer; fsyncs at once when `sync`. A failed write keeps the buffer to retry. */
  flush(sync: boolean): void {
    this.server.beforeReply = null;
    if (this.fd < 0) return;
    if (this.bufLen > 0) {
      const data = Buffer.from(this.buf.join(''), 'latin1');
      try {
        let off = 0;
        while (off < data.length) off += fs.writeSync(this.fd, data, off);
      } catch (e) {
        this.writeFailed(e as Error);
        return;
      }
      if (!this.lastWriteOk) this.server.log.warning('AOF write error looks solved, Redis can write again.');
      this.lastWriteOk = true;
      this.writeError = null;
      this.buf = [];
      this.bufLen = 0;
      this.incrSize += data.length;
      this.currentSize += data.length;
    }
    if (sync && this.fsyncedSize !== this.incrSize) {
      fs.fsyncSync(this.fd);
      this.fsyncedSize = this.incrSize;
      this.lastFsync = Date.now();
    }
  }

  private writeFailed(e: Error): void {
    if (this.server.config.str('appendfsync') === 'always') {
      // Replies already promised durability: Redis stops rather than lie.
      this.server.log.warning(
        `Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting... (${e.message})`,
      );
      process.exit(1);
    }
    if (this.lastWriteOk) this.server.log.warning(`Error writing to the AOF file: ${e.message}`);
    this.lastWriteOk = false;
    this.writeError = strerror(e);
  }

  /** Once a second (everysec): write what is pending and fsync in the background. */
  cron(): void {
    if (!this.on) return;
    if (this.bufLen > 0) this.flush(false);
    if (this.server.config.str('appendfsync') !== 'everysec') return;
    if (this.fsyncedSize === this.incrSize || Date.now() - this.lastFsync < 1000) return;
    if (this.fsyncInProgress) {
      this.delayedFsync++;
      return;
    }
    const fd = this.fd;
    const target = this.incrSize;
    this.fsyncInProgress = true;
    fs.fsync(fd, (err) => {
      this.fsyncInProgress = false;
      this.lastFsync = Date.now();
      if (err !== null) {
        this.server.log.warning(`Fail to fsync the AOF file: ${err.message}`);
        this.writeError = strerror(err);
      } else if (this.fd === fd) {
        this.fsyncedSize = target;
        if (this.lastWriteOk) this.writeError = null;
      }
    });
  }

  get bufferLength(): number {
    return this.bufLen;
  }

  /** Opens (creating if needed) the last incremental file for appending. */
  openIncr(name: string, truncate: boolean): void {
    const file = path.join(aofPaths(this.server).dir, name);
    const fd = fs.openSync(file, truncate ? 'w' : 'a', 0o600);
    this.closeFd();
    this.fd = fd;
    this.incrSize = truncate ? 0 : fs.fstatSync(fd).size;
    this.fsyncedSize = this.incrSize;
    this.selectedDb = -1;
  }

  closeFd(): void {
    if (this.fd < 0) return;
    try {
      fs.fsyncSync(this.fd);
    } catch {
      // The data is written; a failed fsync at close is logged by the kernel, not fatal here.
    }
    fs.closeSync(this.fd);
    this.fd = -1;
  }

  /** Turns appending off (CONFIG SET appendonly no): flush, fsync, close. */
  stop(): void {
    if (!this.on) return;
    this.flush(true);
    this.closeFd();
    this.on = false;
    this.buf = [];
    this.bufLen = 0;
    this.rewriteScheduled = false;
  }
}

/** C's strerror wording for the errors a disk gives, as Redis puts them in -MISCONF. */
const STRERROR: Record<string, string> = {
  ENOSPC: 'No space left on device',
  EIO: 'Input/output error',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EROFS: 'Read-only file system',
  EDQUOT: 'Disk quota exceeded',
  EBADF: 'Bad file descriptor',
  EFBIG: 'File too large',
};

function strerror(e: Error): string {
  const code = (e as NodeJS.ErrnoException).code;
  return (code !== undefined ? STRERROR[code] : undefined) ?? e.message;
}

const states = new WeakMap<Server, AofState>();

export function aofState(server: Server): AofState {
  let s = states.get(server);
  if (s === undefined) {
    s = new AofState(server);
    states.set(server, s);
  }
  return s;
}

// ---- manifest and files ---------------------------------------------------------------------

function ensureDir(server: Server): void {
  fs.mkdirSync(aofPaths(server).dir, { recursive: true, mode: 0o700 });
}

/** Replaces the manifest atomically: temp file, fsync, rename. */
function persistManifest(server: Server, am: AofManifest): void {
  const p = aofPaths(server);
  const tmp = path.join(p.dir, `temp-${p.fileName}.manifest`);
  writeFileSynced(tmp, Buffer.from(am.format(), 'latin1'));
  fs.renameSync(tmp, path.join(p.dir, `${p.fileName}.manifest`));
}

/** Deletes the history files the manifest lists (unless aof-disable-auto-gc) and says so. */
function deleteHistory(server: Server, am: AofManifest): void {
  if (server.config.bool('aof-disable-auto-gc') || am.history.length === 0) return;
  const dir = aofPaths(server).dir;
  for (const h of am.history) {
    server.log.notice(`Removing the history file ${h.name} in the background`);
    fs.rmSync(path.join(dir, h.name), { force: true });
  }
  am.history = [];
  persistManifest(server, am);
}

/** A pre-7.0 `appendonly.aof` in `dir` becomes the base of a new manifest (Redis's upgrade). */
function upgradeOldStyle(server: Server, am: AofManifest): void {
  const p = aofPaths(server);
  if (!fs.existsSync(p.oldFile) || fs.statSync(p.oldFile).isDirectory()) return;
  const inDir = fs.existsSync(path.join(p.dir, p.fileName));
  const upgrade =
    !fs.existsSync(p.dir) ||
    am.isEmpty ||
    (am.base !== null && am.incr.length === 0 && am.base.name === p.fileName && !inDir);
  if (!upgrade) return;
  ensureDir(server);
  am.base = { name: p.fileName, seq: 1, type: 'b' };
  am.baseSeq = 1;
  persistManifest(server, am);
  fs.renameSync(p.oldFile, path.join(p.dir, p.fileName));
  server.log.notice(
    `Successfully migrated an old-style AOF file (${p.fileName}) into the AOF directory (${p.dirName}).`,
  );
}

// ---- rewrite --------------------------------------------------------------------------------

/** The bytes of a new base: an RDB image (aof-use-rdb-preamble yes) or commands. */
function baseContent(server: Server): Buffer {
  if (server.config.bool('aof-use-rdb-preamble')) return snapshot(server);
  // A command-form base starts with the time it describes (for redis-check-aof --truncate-to-timestamp).
  const ts = server.config.bool('aof-timestamp-enabled') ? `#TS:${Math.floor(Date.now() / 1000)}\r\n` : '';
  return Buffer.from(ts + datasetAsCommands(server.dbs, libraryCodes(server), writeOptions(server)), 'latin1');
}

/**
 * Rewrites the AOF: a new base from the dataset, a new incremental file (when appending), the
 * old files marked history and removed. All or nothing: on any error the previous manifest
 * and file stay in use. Returns null or the error.
 */
export function rewriteAof(server: Server): string | null {
  const st = aofState(server);
  const p = aofPaths(server);
  const t0 = Date.now();
  const tmp = path.join(p.dir, `temp-rewriteaof-bg-${process.pid}.aof`);
  server.log.notice(`Background append only file rewriting started by pid ${process.pid}`);
  st.rewriteScheduled = false;
  try {
    ensureDir(server);
    st.flush(true);
    const am = st.manifest.clone();
    const incrName = st.on ? am.newIncr(p.fileName) : null;
    const baseName = am.newBase(p.fileName, server.config.bool('aof-use-rdb-preamble'));
    const base = baseContent(server);
    writeFileSynced(tmp, base);
    server.log.notice(`Successfully created the temporary AOF base file temp-rewriteaof-bg-${process.pid}.aof`);
    fs.renameSync(tmp, path.join(p.dir, baseName));
    server.log.notice(
      `Successfully renamed the temporary AOF base file temp-rewriteaof-bg-${process.pid}.aof into ${baseName}`,
    );
    if (incrName !== null) {
      st.openIncr(incrName, true);
      server.log.notice(`Creating AOF incr file ${incrName} on background rewrite`);
    }
    am.incrToHistory(st.on);
    persistManifest(server, am);
    st.manifest = am;
    deleteHistory(server, am);
    st.baseSize = base.length;
    st.currentSize = base.length;
    st.rewrites++;
    st.consecutiveFailures = 0;
    st.lastRewriteOk = true;
    st.lastRewriteSecs = Math.floor((Date.now() - t0) / 1000);
    server.log.notice('Background AOF rewrite terminated with success');
    server.log.notice('Background AOF rewrite finished successfully');
    return null;
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    st.lastRewriteOk = false;
    st.consecutiveFailures++;
    server.log.warning(`Background AOF rewrite terminated with error: ${(e as Error).message}`);
    return (e as Error).message;
  }
}

/** BGREWRITEAOF: now, or once the running BGSAVE has ended. */
export function bgrewriteaof(server: Server): 'started' | 'scheduled' | string {
  if (persistState(server).bgsaveInProgress) {
    aofState(server).rewriteScheduled = true;
    aofState(server).consecutiveFailures = 0;
    return 'scheduled';
  }
  return rewriteAof(server) ?? 'started';
}

/** CONFIG SET appendonly yes: a rewrite makes the base, then appending starts. */
function startAppendOnly(server: Server): string | null {
  const st = aofState(server);
  if (st.on) return null;
  st.on = true;
  attachSink(server);
  if (rewriteAof(server) !== null) {
    st.on = false;
    detachSink(server);
    server.log.warning(
      "Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.",
    );
    return 'Unable to turn on AOF. Check server logs.';
  }
  return null;
}

function attachSink(server: Server): void {
  const st = aofState(server);
  server.prop.aof = (db, argv) => st.feed(db, argv);
  server.prop.afterBatch = () => st.afterBatch();
}

function detachSink(server: Server): void {
  server.prop.aof = null;
  server.prop.afterBatch = null;
}

// ---- start-up, DEBUG LOADAOF ----------------------------------------------------------------

/** Logs an unusable manifest the way Redis does before it exits. */
function manifestFatal(server: Server, e: ManifestError): never {
  server.log.warning('\n*** FATAL AOF MANIFEST FILE ERROR ***\n');
  if (e.line !== null) {
    server.log.warning(`Reading the manifest file, at line ${e.lineNo}\n`);
    server.log.warning(`>>> '${e.line}'\n`);
  }
  server.log.warning(`${e.message}\n`);
  throw new StartupFailure(e.message);
}

function loadManifestOrDie(server: Server): AofManifest {
  try {
    return readManifest(server);
  } catch (e) {
    if (e instanceof ManifestError) manifestFatal(server, e);
    throw e;
  }
}

/** Loads the files into the (empty) dataset; the status as Redis reports it. */
function loadFiles(server: Server, st: AofState): AofStatus {
  const sizes = { total: 0, base: 0 };
  const ret = loadAppendOnlyFiles(server, st.manifest, sizes);
  if (ret === AOF.ok || ret === AOF.truncated) {
    st.currentSize = sizes.total;
    st.baseSize = sizes.base;
  }
  return ret;
}

/**
 * Start-up with appendonly yes: the AOF (not the RDB) is the dataset. A damaged set of files
 * stops the server (thrown), as Redis exits. Then the last incremental file is opened (a base
 * is written first when starting from nothing).
 */
export function loadAofAtStartup(server: Server): void {
  const st = aofState(server);
  st.manifest = loadManifestOrDie(server);
  upgradeOldStyle(server, st.manifest);
  const t0 = performance.now();
  const ret = loadFiles(server, st);
  if (ret === AOF.failed || ret === AOF.openErr) throw new StartupFailure('AOF loading failed');
  if (ret !== AOF.notExist) {
    server.log.notice(`DB loaded from append only file: ${((performance.now() - t0) / 1000).toFixed(3)} seconds`);
  }
  openOnStart(server, st);
}

function openOnStart(server: Server, st: AofState): void {
  const p = aofPaths(server);
  ensureDir(server);
  const hadIncr = st.manifest.incr.length > 0;
  if (st.manifest.isEmpty) {
    const baseName = st.manifest.newBase(p.fileName, server.config.bool('aof-use-rdb-preamble'));
    const base = baseContent(server);
    writeFileSynced(path.join(p.dir, baseName), base);
    st.baseSize = base.length;
    st.currentSize = base.length;
    server.log.notice(`Creating AOF base file ${baseName} on server start`);
  }
  const name = st.manifest.lastIncr(p.fileName);
  st.on = true;
  st.openIncr(name, false);
  persistManifest(server, st.manifest);
  attachSink(server);
  server.log.notice(`${hadIncr ? 'Opening' : 'Creating'} AOF incr file ${name} on server start`);
}

/** DEBUG LOADAOF: flush, empty the dataset and functions and load them back from the files. */
export function debugLoadAof(server: Server): string | null {
  const st = aofState(server);
  if (st.on) st.flush(true);
  emptyData(server);
  try {
    st.manifest = readManifest(server);
  } catch (e) {
    return `Error loading the AOF manifest: ${(e as Error).message}`;
  }
  deleteHistory(server, st.manifest);
  const ret = loadFiles(server, st);
  if (ret !== AOF.ok && ret !== AOF.empty && ret !== AOF.notExist) return 'Error loading the append only file';
  server.dirty = 0;
  server.log.warning('Append Only File loaded by DEBUG LOADAOF');
  return null;
}

// ---- wiring ---------------------------------------------------------------------------------

let infoRegistered = false;

export function installAof(server: Server): void {
  const st = aofState(server);
  server.config.onApply('appendonly', (v) => {
    if (v === 'yes') return startAppendOnly(server);
    st.stop();
    detachSink(server);
    return null;
  });
  let lastSec = 0;
  server.hooks.cron.push(() => {
    const now = Date.now();
    if (now - lastSec < 1000) return;
    lastSec = now;
    st.cron();
    if (st.rewriteScheduled && !persistState(server).bgsaveInProgress) rewriteAof(server);
    else if (st.on) autoRewrite(server, st);
  });
  if (!infoRegistered) {
    infoRegistered = true;
    addInfoProvider('persistence', aofInfo);
    beforeShutdown.push((s) => {
      const a = aofState(s);
      if (!a.on) return;
      s.log.notice('Calling fsync() on the AOF file.');
      try {
        a.flush(true);
      } catch (e) {
        s.log.warning(`Fail to fsync the AOF file: ${(e as Error).message}`);
      }
    });
  }
}

/** auto-aof-rewrite-percentage / -min-size: rewrite when the AOF grew that much past its base. */
function autoRewrite(server: Server, st: AofState): void {
  const perc = server.config.int('auto-aof-rewrite-percentage');
  if (perc <= 0 || persistState(server).bgsaveInProgress) return;
  if (st.currentSize <= server.config.int('auto-aof-rewrite-min-size')) return;
  const base = st.baseSize === 0 ? 1 : st.baseSize;
  const growth = Math.floor((st.currentSize * 100) / base) - 100;
  if (growth < perc) return;
  server.log.notice(`Starting automatic rewriting of AOF on ${growth}% growth`);
  rewriteAof(server);
}

function aofInfo(server: Server): Record<string, string | number> {
  const st = aofState(server);
  const fields: Record<string, string | number> = {
    aof_enabled: st.on ? 1 : 0,
    aof_rewrite_in_progress: 0,
    aof_rewrite_scheduled: st.rewriteScheduled ? 1 : 0,
    aof_last_rewrite_time_sec: st.lastRewriteSecs,
    aof_current_rewrite_time_sec: -1,
    aof_last_bgrewrite_status: st.lastRewriteOk ? 'ok' : 'err',
    aof_rewrites: st.rewrites,
    aof_rewrites_consecutive_failures: st.consecutiveFailures,
    aof_last_write_status: st.lastWriteOk ? 'ok' : 'err',
  };
  if (st.on) {
    Object.assign(fields, {
      aof_current_size: st.currentSize,
      aof_base_size: st.baseSize,
      aof_pending_rewrite: st.rewriteScheduled ? 1 : 0,
      aof_buffer_length: st.bufferLength,
      aof_pending_bio_fsync: 0,
      aof_delayed_fsync: st.delayedFsync,
    });
  }
  return fields;
}
