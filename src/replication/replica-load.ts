// The full-resync payload a replica receives: the RDB as `$<len>\r\n<bytes>` or, from a diskless
// primary, `$EOF:<40-byte mark>\r\n<bytes><mark>`, and its loading into the databases. Unlike a
// dump file loaded at start-up, keys already expired in the payload are kept: the primary owns
// expiry and sends their DELs, so dropping them here would make the replica diverge.

import fs from 'node:fs';
import { writeFileSynced } from '../persist/synced-write.js';
import path from 'node:path';
import type { Server } from '../server/server.js';
import { readRdbFile } from '../persist/rdb-read.js';
import { applyIdleOrFreq, loadLibrary, loadLimits, persistState, printable, rdbPath } from '../persist/rdb-file.js';
import { recountDataset } from '../server/memory.js';

/** Length of the EOF mark of a diskless transfer (a run id). */
export const EOF_MARK_LEN = 40;

/** Collects the payload bytes of one transfer, sized or delimited by an EOF mark. */
export class RdbTransfer {
  private chunks: Buffer[] = [];
  /** Bytes of the payload read so far (with the mark, for a delimited one). */
  read = 0;

  private constructor(
    /** The announced size, or 0 for a mark-delimited payload (Redis's repl_transfer_size). */
    readonly size: number,
    readonly mark: Buffer | null,
  ) {}

  /** Parses the header line (without CRLF) after its '$'; null when it is not a size. */
  static fromHeader(line: string): RdbTransfer | null {
    if (line.startsWith('EOF:') && line.length - 4 >= EOF_MARK_LEN) {
      return new RdbTransfer(0, Buffer.from(line.slice(4, 4 + EOF_MARK_LEN), 'latin1'));
    }
    const n = Number.parseInt(line, 10);
    return Number.isNaN(n) || n < 0 ? null : new RdbTransfer(n, null);
  }

  get usesMark(): boolean {
    return this.mark !== null;
  }

  /**
   * Takes payload bytes from `chunk`; returns what follows the payload (the start of the
   * command stream) once it is complete, or null while more is needed.
   */
  feed(chunk: Buffer): Buffer | null {
    if (this.mark === null) {
      const take = Math.min(chunk.length, this.size - this.read);
      if (take > 0) this.chunks.push(chunk.subarray(0, take));
      this.read += take;
      return this.read === this.size ? chunk.subarray(take) : null;
    }
    // A diskless primary sends nothing after the mark until this replica acknowledges it, so
    // the mark ends the bytes received so far, as Redis checks it.
    this.chunks.push(chunk);
    this.read += chunk.length;
    if (this.read < EOF_MARK_LEN) return null;
    const tail = this.tail(EOF_MARK_LEN);
    return tail.equals(this.mark) ? Buffer.alloc(0) : null;
  }

  /** The complete payload (without the mark). */
  payload(): Buffer {
    const all = Buffer.concat(this.chunks);
    this.chunks = [all];
    return this.mark === null ? all : all.subarray(0, all.length - EOF_MARK_LEN);
  }

  private tail(n: number): Buffer {
    const last = this.chunks[this.chunks.length - 1]!;
    if (last.length >= n) return last.subarray(last.length - n);
    const all = Buffer.concat(this.chunks);
    this.chunks = [all];
    return all.subarray(all.length - n);
  }
}

export interface ReplicaLoad {
  loaded: number;
  expired: number;
  /** Keys with empty values, skipped. */
  empty: number;
  /** The db the primary's stream had selected when it took the snapshot (aux repl-stream-db), or -1. */
  streamDb: number;
}

/** Loads a payload into the (already emptied) databases and functions; throws when it is unreadable. */
export function loadPayload(server: Server, buf: Buffer): ReplicaLoad {
  const now = Date.now();
  const res: ReplicaLoad = { loaded: 0, expired: 0, empty: 0, streamDb: -1 };
  readRdbFile(buf, loadLimits(server), server.dbs.length, server.config.bool('rdbchecksum'), {
    aux(k, v) {
      if (k === 'repl-stream-db') res.streamDb = Number.parseInt(v, 10);
    },
    key(k) {
      const db = server.dbs[k.db]!;
      if (db.dict.has(k.key)) db.delete(k.key);
      const e = db.set(k.key, k.value.type, k.value.value);
      if (k.expireAt >= 0) db.setExpire(k.key, e, k.expireAt);
      applyIdleOrFreq(e, k.idle, k.freq, now);
      res.loaded++;
    },
    emptyKey(_db, key) {
      server.log.warning(`rdbLoadObject skipping empty key: ${printable(key)}`);
      res.empty++;
    },
    // The libraries were emptied with the keys, so one already there is a broken payload.
    library: (code) => loadLibrary(server, code, false),
  });
  if (!(res.streamDb >= 0 && res.streamDb < server.dbs.length)) res.streamDb = -1;
  recountDataset(server);
  const st = persistState(server);
  st.lastLoadKeysLoaded = res.loaded;
  st.lastLoadKeysExpired = res.expired;
  return res;
}

/**
 * A disk-based load (repl-diskless-load disabled) keeps what it received as the dump file, as
 * Redis does: written to a temporary file (0600), fsynced and renamed over it. Returns null or
 * the error text.
 */
export function storePayload(server: Server, buf: Buffer): string | null {
  const target = rdbPath(server);
  const tmp = path.join(path.dirname(target), `temp-${Math.floor(Date.now() / 1000)}.${process.pid}.rdb`);
  try {
    writeFileSynced(tmp, buf);
    fs.renameSync(tmp, target);
    return null;
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    return (e as Error).message;
  }
}
