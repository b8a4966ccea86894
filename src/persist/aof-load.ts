// Loading the append-only files at start-up (and for DEBUG LOADAOF): the base (an RDB image or
// commands), then every incremental file in manifest order, each command run by a private
// client that is never listed, never replies to anyone and never propagates. The outcome
// codes, the truncation rule (only the last file may end early, and only with
// aof-load-truncated) and the log lines follow Redis 7.0, because operators grep for them.

import fs from 'node:fs';
import path from 'node:path';
import type { Server } from '../server/server.js';
import { CLIENT, Client } from '../server/client.js';
import type { Command } from '../commands/registry.js';
import { loadRdbBuffer } from './rdb-file.js';
import { AofManifest } from './aof-manifest.js';

export const AOF = { ok: 0, notExist: 1, empty: 2, openErr: 3, failed: 4, truncated: 5 } as const;
export type AofStatus = (typeof AOF)[keyof typeof AOF];

/** Where the files live: `dir`/`appenddirname`, and the pre-7.0 single file in `dir`. */
export function aofPaths(server: Server): { dir: string; dirName: string; fileName: string; oldFile: string } {
  const d = server.config.str('dir');
  const dirName = server.config.str('appenddirname');
  const fileName = server.config.str('appendfilename');
  // '' when the working directory is gone: relative names then fail with ENOENT, as in Redis.
  const at = (name: string): string => (d === '' ? name : path.resolve(d, name));
  return { dir: at(dirName), dirName, fileName, oldFile: at(fileName) };
}

/** An AOF client: trusted, silent, never blocking (a blocking command acts as timed out). */
function aofClient(server: Server): Client {
  const c = new Client(-1, server, '', '', -1);
  c.authenticated = true;
  c.flags |= CLIENT.denyBlocking;
  return c;
}

/** Reads the manifest of the AOF directory; null when there is no directory or no manifest. */
export function readManifest(server: Server): AofManifest {
  const p = aofPaths(server);
  const file = path.join(p.dir, `${p.fileName}.manifest`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'latin1');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') {
      return new AofManifest();
    }
    throw e;
  }
  return AofManifest.parse(text);
}

class Cursor {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  /** fgets: a line up to and including '\n' (at most max-1 bytes), or null at the end. */
  line(max: number): string | null {
    if (this.pos >= this.buf.length) return null;
    const limit = Math.min(this.buf.length, this.pos + max - 1);
    let end = this.buf.indexOf(10, this.pos);
    end = end < 0 || end >= limit ? limit : end + 1;
    const s = this.buf.latin1Slice(this.pos, end);
    this.pos = end;
    return s;
  }

  /** fread of exactly n bytes, or null when fewer are left. */
  take(n: number): string | null {
    if (this.pos + n > this.buf.length) return null;
    const s = this.buf.latin1Slice(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
}

const ANNOTATION_MAX = 1024;

type Outcome = 'ok' | 'eof' | 'format' | { unknown: string };

/** Runs the command part of an AOF from `cur`; `valid` tracks the end of the last good command. */
function replay(server: Server, name: string, cur: Cursor, valid: { upTo: number }): Outcome {
  const c = aofClient(server);
  let queue: [Command, string[]][] | null = null;
  let beforeMulti = 0;
  for (;;) {
    const head = cur.line(ANNOTATION_MAX);
    if (head === null) break;
    if (head.startsWith('#')) continue;
    if (head[0] !== '*') return 'format';
    if (head.length === 1) return 'eof';
    const argc = parseInt(head.slice(1), 10);
    if (!(argc >= 1)) return 'format';
    const argv: string[] = [];
    for (let j = 0; j < argc; j++) {
      const lenLine = cur.line(ANNOTATION_MAX);
      if (lenLine === null) return 'eof';
      if (lenLine[0] !== '$') return 'format';
      const len = parseInt(lenLine.slice(1), 10) || 0;
      const arg = cur.take(len);
      if (arg === null) return 'eof';
      if (cur.take(2) === null) return 'eof';
      argv.push(arg);
    }
    const cmd = server.commands.lookup(argv);
    if (cmd === undefined || cmd.handler === null) return { unknown: argv[0]! };
    if (!cmd.arityOk(argv.length)) return 'format';
    const name = (cmd.parent ?? cmd).name;
    if (name === 'multi') {
      beforeMulti = valid.upTo;
      queue = [];
    } else if (name === 'exec' && queue !== null) {
      for (const [qc, qa] of queue) run(server, c, qc, qa);
      queue = null;
    } else if (queue !== null) {
      queue.push([cmd, argv]);
    } else {
      run(server, c, cmd, argv);
    }
    valid.upTo = cur.pos;
  }
  // A transaction without its EXEC is cut off, as a short read would be.
  if (queue !== null) {
    server.log.warning(`Revert incomplete MULTI/EXEC transaction in AOF file ${name}`);
    valid.upTo = beforeMulti;
    return 'eof';
  }
  return 'ok';
}

function run(server: Server, c: Client, cmd: Command, argv: string[]): void {
  c.argv = argv;
  c.lastCmd = cmd;
  server.runFrozen(cmd.handler!, c, argv);
  c.reply.take();
}

/** Loads one file of the set; `last` says whether a truncated end may be forgiven. */
function loadSingle(server: Server, name: string): AofStatus {
  const file = path.join(aofPaths(server).dir, name);
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') {
      server.log.warning(`The append log file ${name} doesn't exist: No such file or directory`);
      return AOF.notExist;
    }
    server.log.warning(`Fatal error: can't open the append log file ${name} for reading: ${err.message}`);
    return AOF.openErr;
  }
  if (buf.length === 0) return AOF.empty;
  const cur = new Cursor(buf);
  const valid = { upTo: 0 };
  if (buf.length >= 5 && buf.latin1Slice(0, 5) === 'REDIS') {
    const oldStyle = name === server.config.str('appendfilename');
    server.log.notice(oldStyle ? 'Reading RDB preamble from AOF file...' : 'Reading RDB base file on AOF loading...');
    try {
      cur.pos = loadRdbBuffer(server, buf, false, true).bytes;
    } catch {
      server.log.warning(
        oldStyle
          ? `Error reading the RDB preamble of the AOF file ${name}, AOF loading aborted`
          : `Error reading the RDB base file ${name}, AOF loading aborted`,
      );
      return AOF.failed;
    }
    if (oldStyle) server.log.notice('Reading the remaining AOF tail...');
  }
  const out = replay(server, name, cur, valid);
  if (out === 'ok') return AOF.ok;
  if (out === 'format') {
    server.log.warning(
      `Bad file format reading the append only file ${name}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>`,
    );
    return AOF.failed;
  }
  if (typeof out === 'object') {
    server.log.warning(`Unknown command '${out.unknown}' reading the append only file ${name}`);
    return AOF.failed;
  }
  return shortRead(server, file, name, valid.upTo);
}

function shortRead(server: Server, file: string, name: string, upTo: number): AofStatus {
  if (server.config.bool('aof-load-truncated')) {
    server.log.warning(`!!! Warning: short read while loading the AOF file ${name}!!!`);
    server.log.warning(`!!! Truncating the AOF ${name} at offset ${upTo} !!!`);
    try {
      fs.truncateSync(file, upTo);
      server.log.warning(`AOF ${name} loaded anyway because aof-load-truncated is enabled`);
      return AOF.truncated;
    } catch (e) {
      server.log.warning(`Error truncating the AOF file ${name}: ${(e as Error).message}`);
    }
  }
  server.log.warning(
    `Unexpected end of file reading the append only file ${name}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.`,
  );
  return AOF.failed;
}

function fileSize(server: Server, name: string): number | null {
  try {
    return fs.statSync(path.join(aofPaths(server).dir, name)).size;
  } catch {
    return null;
  }
}

export interface LoadSizes {
  total: number;
  base: number;
}

/**
 * Loads every file of the manifest in order. Sinks are detached meanwhile: loading replays
 * history, it does not make new history for replicas or for the AOF itself.
 */
export function loadAppendOnlyFiles(server: Server, am: AofManifest, sizes: LoadSizes): AofStatus {
  if (am.isEmpty) return AOF.notExist;
  const files = [...(am.base !== null ? [am.base] : []), ...am.incr];
  let total = 0;
  for (const f of files) {
    const n = fileSize(server, f.name);
    if (n === null) {
      server.log.warning(`The append log file ${f.name} doesn't exist: No such file or directory`);
      return AOF.failed;
    }
    total += n;
  }
  if (total === 0) return AOF.empty;
  const prop = server.prop;
  const [sink, aof] = [prop.sink, prop.aof];
  prop.sink = null;
  prop.aof = null;
  server.loading = true;
  try {
    let ret: AofStatus = AOF.ok;
    for (let i = 0; i < files.length; i++) {
      const f = files[i]!;
      const last = i === files.length - 1;
      const t0 = performance.now();
      ret = loadSingle(server, f.name);
      if (ret === AOF.ok || (ret === AOF.truncated && last)) {
        const kind = f.type === 'b' ? 'base' : 'incr';
        server.log.notice(
          `DB loaded from ${kind} file ${f.name}: ${((performance.now() - t0) / 1000).toFixed(3)} seconds`,
        );
      }
      if (ret === AOF.empty && f.type === 'i') ret = AOF.ok;
      if (ret === AOF.truncated && !last) {
        server.log.warning('Fatal error: the truncated file is not the last file');
        return AOF.failed;
      }
      if (ret === AOF.openErr || ret === AOF.failed || ret === AOF.notExist) return AOF.failed;
    }
    sizes.total = total;
    sizes.base = am.base !== null ? (fileSize(server, am.base.name) ?? 0) : 0;
    return ret;
  } finally {
    server.loading = false;
    prop.sink = sink;
    prop.aof = aof;
  }
}
