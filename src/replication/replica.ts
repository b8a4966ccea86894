// The replica side of replication (REPLICAOF host port), the state machine of Redis's
// replication.c: connect (TCP, or TLS with tls-replication) → PING → AUTH (masterauth) →
// REPLCONF listening-port / ip-address / capa → PSYNC with the cached primary's id and offset
// (or "? -1") → either +CONTINUE (partial resync: the stream goes on from the cached offset)
// or +FULLRESYNC, the RDB payload (sized or diskless with an EOF mark), flush and load → the
// command stream, applied by the "master client" whose replies are dropped. The applied offset
// advances by the exact bytes of each processed command (not inside MULTI, as in Redis), a
// REPLCONF ACK goes back every second and on GETACK, and a dropped link keeps the primary's id
// and offset cached so that the reconnection can resume with +CONTINUE.

import net from 'node:net';
import tls from 'node:tls';
import type { Server } from '../server/server.js';
import { CLIENT, type Client } from '../server/client.js';
import type { ReplicaSide } from './state.js';
import { NO_REPLID } from './state.js';
import { processCommand } from '../commands/dispatch.js';
import { unblockClient } from '../server/blocking.js';
import { tlsManager } from '../net/tls.js';
import { RdbTransfer, loadPayload, storePayload } from './replica-load.js';
import { emptyData, rdbPath } from '../persist/rdb-file.js';
import { linkOf, registerLink } from './replica-gate.js';
import { createBacklog, disconnectReplicas, feedRaw, freeBacklog, resetStreamDb } from './primary.js';
import { peekPrimary } from './registry.js';

/** Redis's repl_state values; the receive_* ones are the handshake ("handshake" in ROLE). */
type LinkState =
  | 'none'
  | 'connect'
  | 'connecting'
  | 'receive_ping'
  | 'receive_auth'
  | 'receive_port'
  | 'receive_ip'
  | 'receive_capa'
  | 'receive_psync'
  | 'transfer'
  | 'connected';

/** What survives a dropped link (Redis's cached master): enough to ask for a partial resync. */
interface CachedMaster {
  replid: string;
  /** Offset of the last byte applied. */
  reploff: number;
  /** The db the primary's stream had selected. */
  db: number;
}

const EMPTY = Buffer.alloc(0);
const UNBLOCKED_REPLICA =
  'UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)';

function encodeCommand(args: readonly string[]): Buffer {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
  return Buffer.from(s, 'latin1');
}

function socketFd(sock: net.Socket): number {
  type WithHandle = { _handle?: { fd?: number }; _parent?: WithHandle };
  const s = sock as unknown as WithHandle;
  const fd = s._handle?.fd ?? s._parent?._handle?.fd;
  return typeof fd === 'number' ? fd : -1;
}

function fmtAddr(host: string | undefined, port: number | undefined): string {
  if (host === undefined) return '?:0';
  const h = host.startsWith('::ffff:') && host.includes('.') ? host.slice(7) : host;
  return h.includes(':') ? `[${h}]:${port}` : `${h}:${port}`;
}

function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}

export class ReplicaLink implements ReplicaSide {
  /** The primary's address, null while this server is a primary. */
  host: string | null = null;
  port = 0;
  state: LinkState = 'none';
  /** The connected master client, or null. */
  private master: Client | null = null;
  private cached: CachedMaster | null = null;
  private sock: net.Socket | null = null;
  /** Bytes received during the handshake and the transfer, not yet consumed. */
  private inbuf: Buffer = EMPTY;
  private transfer: RdbTransfer | null = null;
  /** Unix seconds of the last handshake/transfer I/O (repl-timeout before the link is up). */
  private transferLastIo = 0;
  /** Unix seconds the link went down, 0 when never up since REPLICAOF. */
  private downSince = 0;
  /** The primary's id and offset announced by +FULLRESYNC (-1 for a SYNC-only primary). */
  private masterReplid = NO_REPLID;
  private initialOffset = -1;
  /** The current master client's ids and offsets (Redis client->replid, reploff, read_reploff). */
  private masterInfo: CachedMaster = { replid: NO_REPLID, reploff: 0, db: 0 };
  private readReploff = 0;
  /** A primary that did not understand PSYNC: no ACKs (Redis CLIENT_PRE_PSYNC). */
  private prePsync = false;
  /** Stream bytes received but not yet applied, forwarded verbatim once applied. */
  private unapplied: Buffer[] = [];
  private lastCron = 0;
  /** The handshake announced an ip-address (its reply comes before capa's). */
  private sentIp = false;

  constructor(private readonly server: Server) {}

  get active(): boolean {
    return this.host !== null;
  }

  get masterClient(): Client | null {
    return this.master;
  }

  /** master_link_status:up */
  get linkUp(): boolean {
    return this.state === 'connected';
  }

  private get inHandshake(): boolean {
    return this.state.startsWith('receive_');
  }

  // ---- REPLICAOF ------------------------------------------------------------------------

  /** REPLICAOF host port (Redis replicationSetMaster). */
  setMaster(host: string, port: number): void {
    const wasMaster = this.host === null;
    this.host = null;
    if (this.master !== null) this.freeMaster(true);
    this.disconnectBlockedClients();
    this.host = host;
    this.port = port;
    this.server.log.role = 'S';
    this.cancelHandshake(false);
    if (wasMaster) {
      this.discardCached();
      this.cacheMyself();
    }
    this.state = 'connect';
    this.server.log.notice(`Connecting to MASTER ${host}:${port}`);
    this.connect();
  }

  /** REPLICAOF NO ONE (Redis replicationUnsetMaster): keeps the data, starts a new history. */
  unsetMaster(): void {
    if (this.host === null) return;
    this.host = null;
    if (this.master !== null) this.freeMaster(true);
    this.discardCached();
    this.cancelHandshake(false);
    const repl = this.server.repl;
    repl.shiftReplId();
    this.server.log.warning(
      `Setting secondary replication ID to ${repl.replid2}, valid up to offset: ${repl.secondOffset}. New replication ID is ${repl.replid}`,
    );
    disconnectReplicas(this.server);
    resetStreamDb(this.server);
    this.state = 'none';
    this.downSince = 0;
    this.server.log.role = 'M';
  }

  /** Closes everything at server stop: no reconnection afterwards. */
  stop(): void {
    this.host = null;
    if (this.master !== null) this.freeMaster(false);
    this.cached = null;
    this.closeSocket();
    this.state = 'none';
  }

  /** Redis disconnectAllBlockedClients: a replica serves no blocked client. */
  private disconnectBlockedClients(): void {
    for (const c of this.server.clients.values()) {
      if (!c.has(CLIENT.blocked) || c === this.master) continue;
      // Blocked on keys (BLPOP...) or in WAIT.
      const unblocked = unblockClient(c, 'silent') || peekPrimary(this.server)?.endWait(c, null) === true;
      if (!unblocked) continue;
      c.reply.error(UNBLOCKED_REPLICA);
      c.flags |= CLIENT.closeAfterReply;
      c.control?.scheduleFlush();
    }
  }

  // ---- the cached master -----------------------------------------------------------------

  /** Before following a primary, this server's own history may allow a partial resync. */
  private cacheMyself(): void {
    this.server.log.notice(
      'Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.',
    );
    this.cached = { replid: this.server.repl.replid, reploff: this.server.repl.offset, db: 0 };
  }

  private discardCached(): void {
    if (this.cached === null) return;
    this.server.log.notice('Discarding previously cached master state.');
    this.cached = null;
  }

  // ---- connecting and the handshake -------------------------------------------------------

  /** Redis connectWithMaster: starts a non-blocking connect; the handshake runs on its events. */
  private connect(): void {
    const cfg = this.server.config;
    const host = this.host!;
    const source = cfg.str('bind-source-addr');
    const base = { host, port: this.port, ...(source !== '' ? { localAddress: source } : {}) };
    let sock: net.Socket;
    try {
      if (cfg.bool('tls-replication')) {
        const opts = tlsManager(this.server)?.clientOptions() ?? null;
        if (opts === null) throw new Error('TLS is not configured');
        // Like Redis, the primary's certificate must chain to the CA; its name is not checked.
        sock = tls.connect({
          ...base,
          secureContext: tls.createSecureContext(opts),
          rejectUnauthorized: true,
          checkServerIdentity: () => undefined,
        });
      } else {
        sock = net.connect(base);
      }
    } catch (e) {
      this.server.log.warning(`Unable to connect to MASTER: ${(e as Error).message}`);
      return;
    }
    this.sock = sock;
    this.inbuf = EMPTY;
    sock.setNoDelay(!cfg.bool('repl-disable-tcp-nodelay'));
    sock.on(sock instanceof tls.TLSSocket ? 'secureConnect' : 'connect', () => this.onConnected(sock));
    sock.on('data', (chunk: Buffer) => this.onData(sock, chunk));
    sock.on('error', (err) => this.onSocketGone(sock, err.message));
    sock.on('close', () => this.onSocketGone(sock, 'connection lost'));
    this.transferLastIo = nowSec();
    this.state = 'connecting';
    this.server.log.notice('MASTER <-> REPLICA sync started');
  }

  private onConnected(sock: net.Socket): void {
    if (sock !== this.sock || this.state !== 'connecting') return;
    const ka = this.server.config.int('tcp-keepalive');
    if (ka > 0) sock.setKeepAlive(true, ka * 1000);
    this.server.log.notice('Non blocking connect for SYNC fired the event.');
    this.state = 'receive_ping';
    this.send(['PING']);
  }

  private send(args: readonly string[]): void {
    this.sock?.write(encodeCommand(args));
  }

  private onSocketGone(sock: net.Socket, why: string): void {
    if (sock !== this.sock) return;
    if (this.state === 'connected') {
      this.linkLost(true);
    } else if (this.state === 'transfer') {
      this.server.log.warning(`I/O error trying to sync with MASTER: ${why}`);
      this.cancelHandshake(true);
    } else if (this.state === 'connecting') {
      this.server.log.warning(`Error condition on socket for SYNC: ${why}`);
      this.handshakeError();
    } else if (this.inHandshake) {
      this.server.log.warning(`Master did not respond to command during SYNC handshake`);
      this.handshakeError();
    }
  }

  private onData(sock: net.Socket, chunk: Buffer): void {
    if (sock !== this.sock) return;
    this.server.stats.netInputBytes += chunk.length;
    // Never let a failure here reach the process: drop the link (a full resync follows).
    try {
      if (this.state === 'connected') return this.feedStream(chunk);
      this.inbuf = this.inbuf.length === 0 ? chunk : Buffer.concat([this.inbuf, chunk]);
      this.transferLastIo = nowSec();
      this.advance();
    } catch (e) {
      this.server.log.warning(`Replication error: ${(e as Error).message}`);
      if (this.state === 'connected') this.linkLost(false);
      else this.cancelHandshake(true);
    }
  }

  /** One line of the primary's replies (without CR LF), or null until it is complete. */
  private readLine(): string | null {
    const nl = this.inbuf.indexOf(10);
    if (nl < 0) return null;
    const end = nl > 0 && this.inbuf[nl - 1] === 13 ? nl - 1 : nl;
    const line = this.inbuf.latin1Slice(0, end);
    this.inbuf = this.inbuf.subarray(nl + 1);
    return line;
  }

  /** Runs the handshake and transfer steps the buffered bytes allow. */
  private advance(): void {
    while (this.sock !== null && this.state !== 'connected') {
      if (this.state === 'transfer') {
        if (!this.transferStep()) return;
        continue;
      }
      if (!this.inHandshake) return;
      const line = this.readLine();
      if (line === null) return;
      this.handshakeStep(line);
    }
  }

  private handshakeStep(reply: string): void {
    const log = this.server.log;
    switch (this.state) {
      case 'receive_ping':
        if (
          !reply.startsWith('+') &&
          !reply.startsWith('-NOAUTH') &&
          !reply.startsWith('-NOPERM') &&
          !reply.startsWith('-ERR operation not permitted')
        ) {
          log.warning(`Error reply to PING from master: '${reply}'`);
          return this.handshakeError();
        }
        log.notice('Master replied to PING, replication can continue...');
        return this.sendHandshake();
      case 'receive_auth':
        if (reply.startsWith('-')) {
          log.warning(`Unable to AUTH to MASTER: ${reply}`);
          return this.handshakeError();
        }
        this.state = 'receive_port';
        return;
      case 'receive_port':
        if (reply.startsWith('-'))
          log.notice(`(Non critical) Master does not understand REPLCONF listening-port: ${reply}`);
        this.state = this.sentIp ? 'receive_ip' : 'receive_capa';
        return;
      case 'receive_ip':
        if (reply.startsWith('-'))
          log.notice(`(Non critical) Master does not understand REPLCONF ip-address: ${reply}`);
        this.state = 'receive_capa';
        return;
      case 'receive_capa':
        if (reply.startsWith('-')) log.notice(`(Non critical) Master does not understand REPLCONF capa: ${reply}`);
        return this.sendPsync();
      case 'receive_psync':
        return this.psyncReply(reply);
      default:
        return;
    }
  }

  /** AUTH (when masterauth is set), REPLCONF listening-port, ip-address, capa: pipelined. */
  private sendHandshake(): void {
    const cfg = this.server.config;
    const auth = cfg.str('masterauth');
    if (auth !== '') {
      const user = cfg.str('masteruser');
      this.send(user !== '' ? ['AUTH', user, auth] : ['AUTH', auth]);
    }
    const announced = cfg.int('replica-announce-port');
    const tlsPort = cfg.int('tls-port');
    const port =
      announced !== 0
        ? announced
        : cfg.bool('tls-replication') && tlsPort !== 0
          ? tlsPort
          : cfg.int('port') || this.server.tcpPort;
    this.send(['REPLCONF', 'listening-port', String(port)]);
    const ip = cfg.str('replica-announce-ip');
    this.sentIp = ip !== '';
    if (this.sentIp) this.send(['REPLCONF', 'ip-address', ip]);
    this.send(['REPLCONF', 'capa', 'eof', 'capa', 'psync2']);
    this.state = auth !== '' ? 'receive_auth' : 'receive_port';
  }

  private sendPsync(): void {
    this.initialOffset = -1;
    const c = this.cached;
    if (c !== null) {
      const off = String(c.reploff + 1);
      this.server.log.notice(`Trying a partial resynchronization (request ${c.replid}:${off}).`);
      this.send(['PSYNC', c.replid, off]);
    } else {
      this.server.log.notice('Partial resynchronization not possible (no cached master)');
      this.send(['PSYNC', '?', '-1']);
    }
    this.state = 'receive_psync';
  }

  private psyncReply(reply: string): void {
    const log = this.server.log;
    // Newlines keep the link alive while the primary prepares the payload.
    if (reply === '') return;
    if (reply.startsWith('+FULLRESYNC')) {
      const m = /^\+FULLRESYNC ([^ ]*) (.*)$/.exec(reply);
      if (m === null || m[1]!.length !== 40) {
        log.warning('Master replied with wrong +FULLRESYNC syntax.');
        this.masterReplid = NO_REPLID;
      } else {
        this.masterReplid = m[1]!;
        this.initialOffset = Number.parseInt(m[2]!, 10) || 0;
        log.notice(`Full resync from master: ${this.masterReplid}:${this.initialOffset}`);
      }
      this.prePsync = false;
      return this.startTransfer();
    }
    if (reply.startsWith('+CONTINUE')) return this.continueReply(reply);
    if (reply.startsWith('-NOMASTERLINK') || reply.startsWith('-LOADING')) {
      log.notice(`Master is currently unable to PSYNC but should be in the future: ${reply}`);
      return this.handshakeError();
    }
    if (!reply.startsWith('-ERR')) log.warning(`Unexpected reply to PSYNC from master: ${reply}`);
    else log.notice(`Master does not support PSYNC or is in error state (reply: ${reply})`);
    log.notice('Retrying with SYNC...');
    this.sock?.write('SYNC\r\n');
    this.prePsync = true;
    this.startTransfer();
  }

  private continueReply(reply: string): void {
    const log = this.server.log;
    const repl = this.server.repl;
    const cached = this.cached;
    if (cached === null) {
      log.warning(`Unexpected reply to PSYNC from master: ${reply}`);
      return this.handshakeError();
    }
    log.notice('Successful partial resynchronization with master.');
    const newId = reply.slice(10).trim();
    if (newId.length === 40 && newId !== cached.replid) {
      // The primary was promoted (or changed history): the old id stays valid up to here.
      log.warning(`Master replication ID changed to ${newId}`);
      repl.replid2 = cached.replid;
      repl.secondOffset = repl.offset + 1;
      repl.replid = newId;
      cached.replid = newId;
      disconnectReplicas(this.server);
    }
    this.cached = null;
    this.prePsync = false;
    this.createMasterClient(cached);
    createBacklog(this.server);
    log.notice('MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.');
    const rest = this.inbuf;
    this.inbuf = EMPTY;
    if (rest.length > 0) this.feedStream(rest);
  }

  private startTransfer(): void {
    this.state = 'transfer';
    this.transfer = null;
    this.transferLastIo = nowSec();
  }

  /** Redis's "goto error" of the handshake: close, and let the cron reconnect. */
  private handshakeError(): void {
    this.closeSocket();
    this.state = 'connect';
  }

  /** Drops a connection attempt or transfer in progress; true when there was one. */
  private cancelHandshake(reconnect: boolean): boolean {
    if (this.state === 'transfer' || this.state === 'connecting' || this.inHandshake) {
      this.closeSocket();
      this.state = 'connect';
    } else {
      return false;
    }
    if (reconnect && this.host !== null) {
      this.server.log.notice(`Reconnecting to MASTER ${this.host}:${this.port} after failure`);
      this.connect();
    }
    return true;
  }

  private closeSocket(): void {
    const s = this.sock;
    this.sock = null;
    this.inbuf = EMPTY;
    this.transfer = null;
    s?.destroy();
  }

  // ---- the full resync payload ------------------------------------------------------------

  /** Reads the payload header or bytes; true when it made progress and should run again. */
  private transferStep(): boolean {
    const log = this.server.log;
    if (this.transfer === null) {
      const line = this.readLine();
      if (line === null) return false;
      if (line.startsWith('-')) {
        log.warning(`MASTER aborted replication with an error: ${line.slice(1)}`);
        this.cancelHandshake(true);
        return false;
      }
      if (line === '') return true; // a keepalive newline
      const t = line.startsWith('$') ? RdbTransfer.fromHeader(line.slice(1)) : null;
      if (t === null) {
        log.warning(
          `Bad protocol from MASTER, the first byte is not '$' (we received '${line}'), are you sure the host and port are right?`,
        );
        this.cancelHandshake(true);
        return false;
      }
      this.transfer = t;
      const to = this.disklessLoad() ? 'to parser' : 'to disk';
      if (t.usesMark) log.notice(`MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF ${to}`);
      else log.notice(`MASTER <-> REPLICA sync: receiving ${t.size} bytes from master ${to}`);
      return true;
    }
    if (this.inbuf.length === 0) return false;
    const chunk = this.inbuf;
    this.inbuf = EMPTY;
    const rest = this.transfer.feed(chunk);
    if (rest === null) return false;
    this.finishTransfer(this.transfer, rest);
    return false;
  }

  /** Redis useDisklessLoad (only the log line differs: the payload is parsed from memory). */
  private disklessLoad(): boolean {
    const mode = this.server.config.str('repl-diskless-load');
    return mode === 'swapdb' || (mode === 'on-empty-db' && this.server.dbs.every((d) => d.size === 0));
  }

  private finishTransfer(t: RdbTransfer, rest: Buffer): void {
    const server = this.server;
    const log = server.log;
    this.transfer = null;
    // A new dataset: the old cached history cannot be resumed any more.
    this.discardCached();
    proxyFullResync(server);
    log.notice('MASTER <-> REPLICA sync: Flushing old data');
    emptyData(server);
    log.notice('MASTER <-> REPLICA sync: Loading DB in memory');
    const payload = t.payload();
    const err = this.disklessLoad() ? null : storePayload(server, payload);
    if (err !== null) {
      log.warning(
        `Failed trying to rename the temp DB into ${rdbPath(server)} in MASTER <-> REPLICA synchronization: ${err}`,
      );
      this.cancelHandshake(true);
      return;
    }
    let streamDb = -1;
    try {
      const res = loadPayload(server, payload);
      streamDb = res.streamDb;
      log.notice(
        `Done loading RDB, keys loaded: ${res.loaded}, keys expired: ${res.expired}, empty keys skipped: ${res.empty}.`,
      );
    } catch (e) {
      log.warning(`Failed trying to load the MASTER synchronization DB from disk: ${(e as Error).message}`);
      emptyData(server);
      this.cancelHandshake(true);
      return;
    }
    const repl = server.repl;
    this.createMasterClient({ replid: this.masterReplid, reploff: this.initialOffset, db: Math.max(0, streamDb) });
    // After a full resync this server continues the primary's history, and only it.
    repl.replid = this.masterReplid;
    repl.offset = this.initialOffset;
    repl.replid2 = NO_REPLID;
    repl.secondOffset = -1;
    createBacklog(server);
    log.notice('MASTER <-> REPLICA sync: Finished with success');
    // A diskless primary puts this replica online on its first ACK.
    if (t.usesMark) this.sendAck();
    if (rest.length > 0) this.feedStream(rest);
  }

  // ---- the master client and the stream ----------------------------------------------------

  /** Redis replicationCreateMasterClient / replicationResurrectCachedMaster. */
  private createMasterClient(from: CachedMaster): void {
    const server = this.server;
    const sock = this.sock!;
    const c = server.newClient(
      fmtAddr(sock.remoteAddress, sock.remotePort),
      fmtAddr(sock.localAddress, sock.localPort),
      socketFd(sock),
    );
    // Redis counts accepted connections only: the link to the primary is not one.
    server.stats.totalConnections--;
    c.flags |= CLIENT.master;
    c.authenticated = true;
    c.parser.maxBulkLen = Number.MAX_SAFE_INTEGER;
    c.select(from.db < server.dbs.length ? from.db : 0);
    c.control = {
      close: () => {
        if (this.master === c) this.linkLost(true);
      },
      scheduleFlush: () => {},
      socketPending: () => this.sock?.writableLength ?? 0,
      setPaused: (p) => {
        if (p) this.sock?.pause();
        else this.sock?.resume();
      },
    };
    this.master = c;
    this.masterInfo = { ...from };
    this.readReploff = from.reploff;
    this.unapplied = [];
    this.state = 'connected';
    this.downSince = 0;
    if (from.reploff >= 0) server.repl.offset = from.reploff;
  }

  private feedStream(chunk: Buffer): void {
    const c = this.master;
    if (c === null) return;
    c.lastInteraction = Date.now();
    this.readReploff += chunk.length;
    this.unapplied.push(chunk);
    c.parser.authRequired = false;
    c.parser.feed(chunk);
    while (this.master === c) {
      const argv = c.parser.take();
      if (argv === null) break;
      processCommand(c, argv);
      // The primary gets no replies (except the ACKs written by sendAck).
      if (c.reply.hasPending) c.reply.take();
      if (!c.has(CLIENT.multi)) this.applied(this.readReploff - c.parser.pending);
    }
    if (this.master !== c) return;
    c.parser.endRound();
    if (c.parser.error !== null) {
      this.server.log.warning(
        `Protocol error (${c.parser.error.replace(/^ERR Protocol error: /, '')}) from client: id=${c.id} addr=${c.addr}`,
      );
      // A corrupt stream cannot be resumed: no cached master, a full resync follows.
      this.linkLost(false);
    }
  }

  /** The applied offset moved to `off`: forward those bytes verbatim to our own replicas. */
  private applied(off: number): void {
    let n = off - this.masterInfo.reploff;
    if (n <= 0) return;
    const parts: Buffer[] = [];
    while (n > 0) {
      const head = this.unapplied[0]!;
      if (head.length <= n) {
        parts.push(head);
        this.unapplied.shift();
        n -= head.length;
      } else {
        parts.push(head.subarray(0, n));
        this.unapplied[0] = head.subarray(n);
        n = 0;
      }
    }
    this.masterInfo.reploff = off;
    proxyStream(this.server, parts.length === 1 ? parts[0]! : Buffer.concat(parts));
    this.server.repl.offset = off;
  }

  /**
   * The link with the primary is gone (Redis freeClient of the master client). With `cache`,
   * its id and offset are kept for a partial resync; the reconnection starts at once when this
   * server still follows a primary.
   */
  private linkLost(cache: boolean): void {
    this.server.log.notice('Connection with master lost.');
    this.freeMaster(cache);
    this.state = 'connect';
    this.downSince = nowSec();
    if (this.host !== null) {
      this.server.log.notice(`Reconnecting to MASTER ${this.host}:${this.port}`);
      this.connect();
    }
  }

  private freeMaster(cache: boolean): void {
    const c = this.master;
    if (c === null) return;
    if (cache && this.host === null) this.server.log.notice('Connection with master lost.');
    this.master = null;
    if (cache) {
      this.server.log.notice('Caching the disconnected master state.');
      this.cached = { replid: this.masterInfo.replid, reploff: this.masterInfo.reploff, db: c.dbIndex };
    }
    this.closeSocket();
    this.unapplied = [];
    this.server.removeClient(c);
  }

  // ---- ACKs, timeouts and the cron ----------------------------------------------------------

  /** REPLCONF ACK <applied offset> to the primary (GETACK, every second, after a diskless load). */
  sendAck(): void {
    if (this.master === null || this.sock === null) return;
    this.send(['REPLCONF', 'ACK', String(this.masterInfo.reploff)]);
  }

  /** Once a second (Redis replicationCron): timeouts, reconnection, the periodic ACK. */
  cron(): void {
    const now = nowSec();
    if (now === this.lastCron) return;
    this.lastCron = now;
    if (this.host === null) return;
    const log = this.server.log;
    const timeout = this.server.config.int('repl-timeout');
    if ((this.state === 'connecting' || this.inHandshake) && now - this.transferLastIo > timeout) {
      log.warning('Timeout connecting to the MASTER...');
      this.cancelHandshake(true);
    }
    if (this.state === 'transfer' && now - this.transferLastIo > timeout) {
      log.warning(
        "Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.",
      );
      this.cancelHandshake(true);
    }
    const m = this.master;
    if (this.state === 'connected' && m !== null && now - Math.floor(m.lastInteraction / 1000) > timeout) {
      log.warning('MASTER timeout: no data nor PING received...');
      this.linkLost(true);
    }
    if (this.state === 'connect') {
      log.notice(`Connecting to MASTER ${this.host}:${this.port}`);
      this.connect();
    }
    if (this.master !== null && !this.prePsync) this.sendAck();
  }

  // ---- INFO and ROLE ---------------------------------------------------------------------------

  infoFields(): [string, string | number][] {
    const cfg = this.server.config;
    const now = nowSec();
    const m = this.master;
    const off = m !== null ? this.masterInfo.reploff : this.cached !== null ? this.cached.reploff : 1;
    const readOff = m !== null ? this.readReploff : off;
    const out: [string, string | number][] = [
      ['role', 'slave'],
      ['master_host', this.host ?? ''],
      ['master_port', this.port],
      ['master_link_status', this.state === 'connected' ? 'up' : 'down'],
      ['master_last_io_seconds_ago', m !== null ? now - Math.floor(m.lastInteraction / 1000) : -1],
      ['master_sync_in_progress', this.state === 'transfer' ? 1 : 0],
      ['slave_read_repl_offset', readOff],
      ['slave_repl_offset', off],
    ];
    if (this.state === 'transfer') {
      const t = this.transfer;
      const size = t === null ? -1 : t.size;
      const read = t === null ? 0 : t.read;
      out.push(
        ['master_sync_total_bytes', size],
        ['master_sync_read_bytes', read],
        ['master_sync_left_bytes', size - read],
        ['master_sync_perc', (size !== 0 ? (read / size) * 100 : 0).toFixed(2)],
        ['master_sync_last_io_seconds_ago', now - this.transferLastIo],
      );
    }
    if (this.state !== 'connected') {
      out.push(['master_link_down_since_seconds', this.downSince !== 0 ? now - this.downSince : -1]);
    }
    out.push(
      ['slave_priority', cfg.int('replica-priority')],
      ['slave_read_only', cfg.bool('replica-read-only') ? 1 : 0],
      ['replica_announced', cfg.bool('replica-announced') ? 1 : 0],
    );
    return out;
  }

  roleReply(c: Client): void {
    const r = c.reply;
    r.arrayLen(5);
    r.bulk('slave');
    r.bulk(this.host ?? '');
    r.int(this.port);
    r.bulk(this.inHandshake ? 'handshake' : this.state === 'transfer' ? 'sync' : this.state);
    r.int(this.master !== null ? this.masterInfo.reploff : -1);
  }
}

// ---- chained replication: our own replicas get the primary's stream verbatim ------------------

/** Forwards applied stream bytes to this server's backlog and sub-replicas (the offset counts them). */
function proxyStream(server: Server, buf: Buffer): void {
  feedRaw(server, buf);
}

/**
 * A full resync replaces the dataset (Redis replicationAttachToNewMaster): sub-replicas must
 * resync too, and the backlog of the old history cannot serve partial resyncs any more.
 */
function proxyFullResync(server: Server): void {
  disconnectReplicas(server);
  freeBacklog(server);
}

// ---- installation ------------------------------------------------------------------------------

export { linkOf };

/**
 * Installs the replica side (called from the Server constructor): REPLICAOF state, the cron,
 * and a `replicaof` directive from the config file or argv, followed once the server runs.
 */
export function installReplica(server: Server): void {
  const link = new ReplicaLink(server);
  registerLink(server, link);
  server.repl.replica = link;
  server.hooks.cron.push(() => link.cron());
  const initial = server.config.str('replicaof');
  if (initial !== '') {
    const sp = initial.lastIndexOf(' ');
    // Connecting waits for the first cron tick, as Redis does after loading its data.
    link.host = initial.slice(0, sp);
    link.port = Number(initial.slice(sp + 1));
    link.state = 'connect';
    server.log.role = 'S';
  }
}

/** Stops the link at server stop (no reconnection from a stopped server). */
export function stopReplica(server: Server): void {
  linkOf(server)?.stop();
}
