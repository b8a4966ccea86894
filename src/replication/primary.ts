// The primary side: replicas attach with SYNC/PSYNC, receive a snapshot of the dataset as an
// RDB bulk (or, with PSYNC, continue from the backlog), then every propagated command as RESP,
// with a SELECT whenever the database changes. Everything streamed also goes into the backlog
// and counts in the replication offset (server.repl.offset), as in Redis's
// replicationFeedSlaves. Snapshots are synchronous (no fork in Node), so nothing is written
// between the snapshot and the first streamed command: the replica sees exactly our history.

import type { Server } from '../server/server.js';
import { CLIENT, type Client } from '../server/client.js';
import { snapshot } from '../persist/rdb-file.js';
import { outputLimits } from '../server/obuf.js';
import { REPLY_BUF } from '../commands/memory.js';
import { Backlog } from './backlog.js';
import { recordUnblocked } from '../commands/introspection.js';
import { NO_REPLID, newReplId } from './state.js';
import { registerReplicationInfo } from './info.js';
import { peekPrimary, primaries } from './registry.js';

export { peekPrimary };

/** One command as the multibulk a replica reads (arguments are latin1 byte strings). */
export function encodeCommand(argv: readonly string[]): string {
  let s = `*${argv.length}\r\n`;
  for (const a of argv) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}

/** What a replica told us with REPLCONF, and how far it has acknowledged the stream. */
export interface ReplicaLink {
  /** REPLCONF listening-port (0 until given). */
  listeningPort: number;
  /** REPLCONF ip-address, or null to show the peer address. */
  ipAddress: string | null;
  capaEof: boolean;
  capaPsync2: boolean;
  /** REPLCONF rdb-only 1: the snapshot only, no stream. */
  rdbOnly: boolean;
  /** REPLCONF rdb-filter-only: the snapshot must leave out the data. */
  filtered: boolean;
  /** Stream offset processed (REPLCONF ACK) and fsynced (FACK). */
  ackOffset: number;
  aofOffset: number;
  /** When the last ACK arrived (unix seconds). */
  ackTime: number;
  /** Streaming (after the snapshot or +CONTINUE). */
  online: boolean;
  /** Attached with the old SYNC: sends no ACKs, so it never times out. */
  prePsync: boolean;
}

const links = new WeakMap<Client, ReplicaLink>();

/** The REPLCONF state of a connection (created on first use). */
export function linkOf(c: Client): ReplicaLink {
  let l = links.get(c);
  if (l === undefined) {
    l = {
      listeningPort: 0,
      ipAddress: null,
      capaEof: false,
      capaPsync2: false,
      rdbOnly: false,
      filtered: false,
      ackOffset: 0,
      aofOffset: 0,
      ackTime: 0,
      online: false,
      prePsync: false,
    };
    links.set(c, l);
  }
  return l;
}

/** A client blocked in WAIT. */
interface Waiter {
  c: Client;
  offset: number;
  numreplicas: number;
  timer: NodeJS.Timeout | null;
}

const PING = Buffer.from(encodeCommand(['PING']), 'latin1');
const GETACK = Buffer.from(encodeCommand(['REPLCONF', 'GETACK', '*']), 'latin1');

const unixNow = (): number => Math.floor(Date.now() / 1000);

export class Primary {
  /** Attached replicas, in attach order. */
  readonly replicas = new Set<Client>();
  backlog: Backlog | null = null;
  /** The db the stream last selected; -1 makes the next command start with a SELECT. */
  streamDb = -1;
  /** When the last replica left (unix seconds): repl-backlog-ttl counts from there. */
  private noReplicasSince = unixNow();
  /** INFO stats: sync_full, sync_partial_ok, sync_partial_err. */
  syncFull = 0;
  syncPartialOk = 0;
  syncPartialErr = 0;
  /** Clients blocked in WAIT, newest first (Redis's clients_waiting_acks). */
  private readonly waiters: Waiter[] = [];
  /** A REPLCONF GETACK goes out before the next event loop turn. */
  private getackPending = false;
  /** The client whose top-level command is being propagated. */
  private lastCaller: Client | null = null;
  private cronSecond = 0;
  /** Seconds since start at the last replication cron. */
  private pingSecond = 0;

  constructor(private readonly server: Server) {
    server.hooks.clientClosed.push((c) => this.detach(c));
    server.hooks.cron.push(() => this.cron());
    server.hooks.statsReset.push(() => {
      this.syncFull = this.syncPartialOk = this.syncPartialErr = 0;
    });
    server.hooks.commandExecuted.push((c) => {
      if (server.prop.depth !== 0) return;
      c.woff = server.repl.offset;
      this.lastCaller = c;
    });
    server.config.onApply('repl-backlog-size', (v) => (this.backlog?.resize(Number(v)), null));
  }

  // ---- the stream -----------------------------------------------------------------------

  /** Appends one propagated command to the stream (the propagation sink). */
  feed(db: number, argv: readonly string[]): void {
    // A replica forwards its primary's stream; it never originates one.
    if (this.server.repl.isReplica) return;
    let out = '';
    if (db !== this.streamDb) {
      out = encodeCommand(['SELECT', String(db)]);
      this.streamDb = db;
    }
    out += encodeCommand(argv);
    this.emit(Buffer.from(out, 'latin1'));
    if (this.lastCaller !== null) this.lastCaller.woff = this.server.repl.offset;
  }

  /** Stream bytes to the backlog and every streaming replica; the offset counts them. */
  emit(data: Buffer): void {
    if (this.backlog === null && this.replicas.size === 0) return;
    this.currentBacklog()?.append(data);
    this.server.repl.offset += data.length;
    for (const r of this.replicas) {
      if (!linkOf(r).online || r.has(CLIENT.closeAsap)) continue;
      r.reply.rawBuffer(data);
      r.control?.scheduleFlush();
      // A replica that cannot keep up is dropped at its client-output-buffer-limit.
      if (r.reply.bytes > REPLY_BUF) outputLimits(this.server).check(r, true);
    }
  }

  /** The backlog, restarted empty if the replica side moved the offset on its own (a full sync). */
  private currentBacklog(): Backlog | null {
    const b = this.backlog;
    if (b === null || b.end === this.server.repl.offset) return b;
    return (this.backlog = new Backlog(b.size, this.server.repl.offset));
  }

  /** Creates the backlog if there is none; from then on the stream is produced. */
  ensureBacklog(): Backlog {
    if (this.backlog === null) {
      this.backlog = new Backlog(this.server.config.int('repl-backlog-size'), this.server.repl.offset);
      this.server.prop.sink ??= (db, argv) => this.feed(db, argv);
    }
    return this.backlog;
  }

  freeBacklog(): void {
    this.backlog = null;
    if (this.replicas.size === 0) this.server.prop.sink = null;
  }

  // ---- attaching replicas ---------------------------------------------------------------

  /**
   * PSYNC with a replication id and the offset of the first byte the replica misses: true when
   * it continues from the backlog (+CONTINUE and the missing bytes), false when it needs a
   * full resync.
   */
  tryPartial(c: Client, replid: string, offset: number): boolean {
    const repl = this.server.repl;
    const id = replid.toLowerCase();
    const name = replicaName(c);
    if (id !== repl.replid && (id !== repl.replid2 || offset > repl.secondOffset)) {
      if (replid.startsWith('?')) this.server.log.notice(`Full resync requested by replica ${name}`);
      else if (id !== repl.replid && id !== repl.replid2)
        this.server.log.notice(
          `Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '${replid}', my replication IDs are '${repl.replid}' and '${repl.replid2}')`,
        );
      else
        this.server.log.notice(
          `Partial resynchronization not accepted: Requested offset for second ID was ${offset}, but I can reply up to ${repl.secondOffset}`,
        );
      return false;
    }
    const backlog = this.currentBacklog();
    if (backlog === null || !backlog.covers(offset)) {
      this.server.log.notice(
        `Unable to partial resync with replica ${name} for lack of backlog (Replica request was: ${offset}).`,
      );
      return false;
    }
    const link = this.join(c);
    link.online = true;
    link.ackTime = unixNow();
    c.reply.raw(link.capaPsync2 ? `+CONTINUE ${repl.replid}\r\n` : '+CONTINUE\r\n');
    const missing = backlog.from(offset);
    c.reply.rawBuffer(missing);
    this.server.log.notice(
      `Partial resynchronization request from ${name} accepted. Sending ${missing.length} bytes of backlog starting from offset ${offset}.`,
    );
    return true;
  }

  /** Full resync: +FULLRESYNC (PSYNC only), then the snapshot as `$<len>\r\n<rdb>`, then the stream. */
  fullSync(c: Client, psync: boolean): void {
    const server = this.server;
    const repl = server.repl;
    this.syncFull++;
    const link = this.join(c);
    link.prePsync = !psync;
    if (this.replicas.size === 1 && this.backlog === null) {
      // A fresh backlog starts a new history: no past id can be continued.
      if (!repl.isReplica) {
        repl.replid = newReplId();
        repl.replid2 = NO_REPLID;
        repl.secondOffset = -1;
      }
      this.ensureBacklog();
      server.log.notice(
        `Replication backlog created, my new replication IDs are '${repl.replid}' and '${repl.replid2}'`,
      );
    }
    const offset = repl.offset;
    // The db the stream continues in: a primary's next command selects one anyway; a replica
    // forwards its primary's stream, which continues in the db its link has selected.
    const streamDb = repl.isReplica ? (repl.replica?.masterClient?.dbIndex ?? 0) : Math.max(0, this.streamDb);
    const rdb = snapshot(server, { streamDb, replid: repl.replid, offset, noData: link.filtered });
    this.streamDb = -1;
    if (psync) c.reply.raw(`+FULLRESYNC ${repl.replid} ${offset}\r\n`);
    c.reply.raw(`$${rdb.length}\r\n`);
    c.reply.rawBuffer(rdb);
    server.log.notice(`Synchronization with replica ${replicaName(c)} succeeded`);
    if (link.rdbOnly) {
      // redis-cli --rdb: the snapshot is all it wants.
      c.flags |= CLIENT.closeAfterReply;
      return;
    }
    link.online = true;
    link.ackTime = unixNow();
  }

  /** Makes c a replica connection (no replies: the link carries only the stream). */
  private join(c: Client): ReplicaLink {
    c.ext.replica = true;
    c.flags |= CLIENT.replyOff;
    this.replicas.add(c);
    return linkOf(c);
  }

  detach(c: Client): void {
    this.endWait(c, null);
    if (this.lastCaller === c) this.lastCaller = null;
    if (!this.replicas.delete(c)) return;
    if (this.replicas.size === 0) this.noReplicasSince = unixNow();
    const l = linkOf(c);
    if (l.online) this.server.log.notice(`Connection with replica ${replicaName(c)} lost.`);
  }

  /** Closes every replica connection (they reconnect and resync). */
  disconnectAll(): void {
    for (const r of [...this.replicas]) r.control?.close();
  }

  // ---- acknowledgements and WAIT --------------------------------------------------------

  /** REPLCONF ACK <offset> [FACK <aofoffset>] from a replica. */
  ack(c: Client, offset: number, aofOffset: number | null): void {
    const l = linkOf(c);
    if (offset > l.ackOffset) l.ackOffset = offset;
    if (aofOffset !== null && aofOffset > l.aofOffset) l.aofOffset = aofOffset;
    l.ackTime = unixNow();
    if (this.waiters.length > 0) this.serveWaiters();
  }

  /** Online replicas that acknowledged at least `offset` (replicationCountAcksByOffset). */
  countAcks(offset: number): number {
    let n = 0;
    for (const r of this.replicas) {
      const l = linkOf(r);
      if (l.online && l.ackOffset >= offset) n++;
    }
    return n;
  }

  /** Online replicas whose last ACK is at most min-replicas-max-lag seconds old. */
  goodReplicas(): number {
    const maxLag = this.server.config.int('min-replicas-max-lag');
    const now = unixNow();
    let n = 0;
    for (const r of this.replicas) {
      const l = linkOf(r);
      if (l.online && now - l.ackTime <= maxLag) n++;
    }
    return n;
  }

  /** The stream offset a WAIT of this client waits for. */
  woff(c: Client): number {
    return c.woff;
  }

  /** Blocks c in WAIT until numreplicas acknowledge `offset`, or the timeout (0 = none). */
  block(c: Client, offset: number, numreplicas: number, timeoutMs: number): void {
    const w: Waiter = { c, offset, numreplicas, timer: null };
    if (timeoutMs > 0) w.timer = setTimeout(() => this.timeOut(c), timeoutMs);
    this.waiters.unshift(w);
    c.flags |= CLIENT.blocked;
    c.control?.setPaused(true);
    this.requestAcks();
  }

  isWaiting(c: Client): boolean {
    return this.waiters.some((w) => w.c === c);
  }

  /** Ends c's WAIT: replies `reply` (a count, or an error text), or nothing when null. */
  endWait(c: Client, reply: number | string | null): boolean {
    const i = this.waiters.findIndex((w) => w.c === c);
    if (i < 0) return false;
    const w = this.waiters[i]!;
    this.waiters.splice(i, 1);
    if (w.timer !== null) clearTimeout(w.timer);
    c.flags &= ~CLIENT.blocked;
    if (reply === null) return true;
    if (typeof reply === 'number') c.reply.int(reply);
    else c.reply.error(reply);
    // Slow log and latency histogram see the command now that it completed.
    if (c.lastCmd !== null) recordUnblocked(c, c.lastCmd, c.argv, 0);
    // Its pipelined commands run after the current one, as Redis's processUnblockedClients.
    setImmediate(() => {
      if (this.server.clients.get(c.id) === c && !c.has(CLIENT.blocked)) c.control?.setPaused(false);
    });
    return true;
  }

  /** The WAIT timed out (or CLIENT UNBLOCK ... TIMEOUT): answers the acknowledgements so far. */
  timeOut(c: Client): boolean {
    const w = this.waiters.find((x) => x.c === c);
    return w !== undefined && this.endWait(c, this.countAcks(w.offset));
  }

  /** processClientsWaitingReplicas: answers the WAITs that have enough acknowledgements. */
  private serveWaiters(): void {
    for (const w of [...this.waiters]) {
      const n = this.countAcks(w.offset);
      if (n >= w.numreplicas) this.endWait(w.c, n);
    }
  }

  /** Sends REPLCONF GETACK * once, before the event loop next waits (Redis's beforeSleep). */
  private requestAcks(): void {
    if (this.getackPending) return;
    this.getackPending = true;
    setImmediate(() => {
      this.getackPending = false;
      if (!this.server.repl.isReplica) this.emit(GETACK);
    });
  }

  // ---- replicationCron ------------------------------------------------------------------

  /** Once a second: PINGs into the stream, replica timeouts, the backlog's time to live. */
  private cron(): void {
    const now = unixNow();
    if (now === this.cronSecond) return;
    this.cronSecond = now;
    const server = this.server;
    const cfg = server.config;
    if (server.repl.isReplica) return;
    // At each multiple of repl-ping-replica-period seconds of the server's life, as Redis counts
    // its cron loops (a period changed by CONFIG SET does not ping at once: tests set 3600 to
    // keep PINGs out of the stream they read).
    const period = cfg.int('repl-ping-replica-period');
    const elapsed = Math.floor((Date.now() - server.startTime) / 1000);
    const due = Math.floor(elapsed / period) > Math.floor(this.pingSecond / period);
    this.pingSecond = elapsed;
    if (due && this.replicas.size > 0) this.emit(PING);
    const timeout = cfg.int('repl-timeout');
    for (const r of [...this.replicas]) {
      const l = linkOf(r);
      if (!l.online || l.prePsync || now - l.ackTime <= timeout) continue;
      server.log.warning(`Disconnecting timedout replica (streaming sync): ${replicaName(r)}`);
      r.control?.close();
    }
    const ttl = cfg.int('repl-backlog-ttl');
    if (this.replicas.size === 0 && this.backlog !== null && ttl > 0 && now - this.noReplicasSince > ttl) {
      // A new history: nobody can continue the old one without the backlog anyway.
      server.repl.replid = newReplId();
      server.repl.replid2 = NO_REPLID;
      server.repl.secondOffset = -1;
      this.freeBacklog();
      server.log.notice(`Replication backlog freed after ${ttl} seconds without connected replicas.`);
    }
  }
}

/** A replica's address as its primary shows it: the announced ip, or the peer's, and its port. */
export function replicaIp(c: Client): string {
  const l = linkOf(c);
  if (l.ipAddress !== null) return l.ipAddress;
  const i = c.addr.lastIndexOf(':');
  const host = i < 0 ? c.addr : c.addr.slice(0, i);
  return host.startsWith('[') ? host.slice(1, -1) : host;
}

/** Redis's replicationGetSlaveName: "ip:port" once the port is known, else the client address. */
function replicaName(c: Client): string {
  const l = linkOf(c);
  return l.listeningPort !== 0 ? `${replicaIp(c)}:${l.listeningPort}` : c.addr;
}

/** The server's primary side, created on first use. */
export function primaryOf(server: Server): Primary {
  let p = primaries.get(server);
  if (p === undefined) {
    p = new Primary(server);
    primaries.set(server, p);
    registerReplicationInfo();
  }
  return p;
}

// ---- for the replica side (chained replication, promotion) ----------------------------------

/**
 * A replica forwards its primary's stream verbatim: to its backlog (created on first use, as a
 * replica always keeps one) and to its own replicas; the offset counts the bytes.
 */
export function feedRaw(server: Server, buf: Buffer): void {
  const p = primaryOf(server);
  p.ensureBacklog();
  p.emit(buf);
}

/** Creates the backlog, starting at the current offset (after a full sync from a primary). */
export function createBacklog(server: Server): void {
  primaryOf(server).ensureBacklog();
}

/** Drops the backlog (a new history begins: partial resyncs against the old one are impossible). */
export function freeBacklog(server: Server): void {
  peekPrimary(server)?.freeBacklog();
}

/** Closes every replica connection of this server (they reconnect and resync). */
export function disconnectReplicas(server: Server): void {
  peekPrimary(server)?.disconnectAll();
}

/** After a promotion: the next command streamed starts with a SELECT. */
export function resetStreamDb(server: Server): void {
  const p = peekPrimary(server);
  if (p !== undefined) p.streamDb = -1;
}
