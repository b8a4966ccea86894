// Glue between one socket and one Client: feed bytes to the parser, run every complete
// command through the gate, then flush all replies of that read in one write. Protocol errors
// are answered and the connection closed after the reply, as Redis does.

import type { Socket } from 'node:net';
import type { Server } from '../server/server.js';
import { CLIENT, type Client } from '../server/client.js';
import { processCommand } from '../commands/dispatch.js';
import { CMD } from '../commands/flags.js';
import { adoptDirect, type DirectWriter } from './direct-io.js';

/** Output bytes an unauthenticated client may have pending (Redis 7.0.x security fix). */
const UNAUTH_OUTPUT_MAX = 1024;
const MAX_CLIENTS_ERR = Buffer.from('-ERR max number of clients reached\r\n');
const PROTECTED_MODE_ERR = Buffer.from(
  '-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. ' +
    'In this mode connections are only accepted from the loopback interface. ' +
    'If you want to connect from external computers to Redis you may adopt one of the following solutions: ' +
    "1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface " +
    'by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible ' +
    'from internet if you do so. Use CONFIG REWRITE to make this change permanent. ' +
    '2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the ' +
    "protected mode option to 'no', and then restarting the server. " +
    "3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. " +
    '4) Setup a an authentication password for the default user. ' +
    'NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n',
);
/** Stop reading from a client whose unsent replies exceed this, until the socket drains. */
const READ_PAUSE_BYTES = 64 * 1024 * 1024;

/** The socket's file descriptor (CLIENT LIST fd=), or -1 when its handle has none. */
export function socketFd(socket: Socket): number {
  const h = (socket as unknown as { _handle?: { fd?: number } })._handle;
  return typeof h?.fd === 'number' ? h.fd : -1;
}

function fmtAddr(host: string | undefined, port: number | undefined): string {
  if (host === undefined) return '?:0';
  const h = host.startsWith('::ffff:') && host.includes('.') ? host.slice(7) : host;
  return h.includes(':') ? `[${h}]:${port}` : `${h}:${port}`;
}

/** Loopback as Redis's islocalClient sees it (plus the IPv4-mapped form Node may report). */
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * protected-mode: while the default user needs no password, only loopback and unix-socket
 * clients are served; anyone else gets Redis's explanation and the connection is closed.
 */
function protectedModeRefuses(server: Server, remote: string | undefined): boolean {
  if (!server.config.bool('protected-mode') || !server.security.startsAuthenticated()) return false;
  return remote === undefined || !LOOPBACK.has(remote);
}

/**
 * Replies are written once per event-loop turn for all clients together (Redis's
 * beforeSleep does the same): the poll phase reads and runs every ready client's commands,
 * then one check-phase callback writes all their replies. Writing inside each read callback
 * instead interleaves one write per reply with the reads, which costs both sides more wake-ups.
 * Like Redis's clients_pending_write list, the last client queued is written first (a client
 * served by another's command, BLPOP woken by LPUSH, gets its reply out before the pusher's).
 */
const flushQueue: Connection[] = [];
let flushQueued = false;

function flushAll(): void {
  flushQueued = false;
  const now = Date.now();
  // Flushing can queue more (a reply's write may make another client's output ready).
  while (flushQueue.length > 0) {
    const conn = flushQueue.pop()!;
    conn.queued = false;
    conn.flush(now);
  }
}

export class Connection {
  /** In flushQueue, waiting for the end of this loop turn. */
  queued = false;
  private closed = false;
  /** A command held back while clients are paused. */
  private held: string[] | null = null;
  private readPaused = false;
  private pausedByCommand = false;

  /** The socket in use (a plaintext one is replaced by its direct-path twin, see direct-io.ts). */
  readonly socket: Socket;
  /** Direct writes to the socket's handle, or null for socket.write() (TLS, or no direct path). */
  private readonly writer: DirectWriter | null = null;

  /** `paused`: the socket comes from a listener with pauseOnConnect and may take the direct path. */
  constructor(
    private readonly server: Server,
    socket: Socket,
    readonly client: Client,
    paused: boolean,
  ) {
    client.control = {
      close: () => this.close(),
      scheduleFlush: () => this.scheduleFlush(),
      socketPending: () => this.outPending(),
      // A blocked or waiting client's commands wait in the parser, but the socket is still
      // read, as Redis reads it: a peer that closes is seen and dropped (unblocking it), and
      // the query buffer limit still applies to what it keeps sending.
      setPaused: (p) => {
        this.pausedByCommand = p;
        if (!p) {
          this.processInput();
          this.flush();
        }
      },
    };
    const direct = paused ? adoptDirect(socket, (chunk) => this.onRead(chunk, true)) : null;
    if (direct !== null) {
      this.socket = direct.socket;
      this.writer = direct.makeWriter((status) => (status < 0 ? this.close() : this.drained()));
    } else {
      this.socket = socket;
      socket.on('data', (chunk: Buffer) => this.onRead(chunk, false));
      socket.on('drain', () => this.drained());
      if (paused) socket.resume();
    }
    this.socket.on('error', () => this.close());
    this.socket.on('close', () => this.close());
  }

  /** Reply bytes handed to the socket and not sent yet. */
  private outPending(): number {
    return this.writer !== null ? this.writer.pending : this.socket.writableLength;
  }

  /** Some queued output was sent: reading resumes once a paused client's backlog halved. */
  private drained(): void {
    if (this.readPaused && this.outPending() < READ_PAUSE_BYTES / 2) {
      this.readPaused = false;
      this.socket.resume();
    }
  }

  /** `borrowed`: the chunk's memory is reused by the next read (the direct path's buffer). */
  private onRead(chunk: Buffer, borrowed: boolean): void {
    try {
      this.onData(chunk, borrowed);
    } catch (e) {
      // Never let one connection's failure reach the process: drop just this client.
      this.server.log.warning(`Closing client id=${this.client.id} after an internal error: ${(e as Error).message}`);
      this.close();
    }
    if (borrowed) this.client.parser.ownLeftover();
  }

  /**
   * Accepts a socket, or refuses it when maxclients is reached. `fd` is given for a TLS socket,
   * whose own handle has no file descriptor (the TCP socket under it has).
   */
  static accept(
    server: Server,
    socket: Socket,
    unix: boolean,
    fd = socketFd(socket),
    paused = false,
  ): Connection | null {
    socket.on('error', () => {});
    // A peer that reset the connection before it was accepted has no address left to read
    // (Node asks getpeername lazily): it is gone, not a refusal to count or log.
    if (!unix && socket.remoteAddress === undefined) {
      socket.destroy();
      return null;
    }
    if (server.clients.size >= server.config.int('maxclients')) {
      server.stats.rejectedConnections++;
      // Reading on: the peer's close is seen and the socket released.
      socket.resume();
      socket.end(MAX_CLIENTS_ERR);
      return null;
    }
    if (!unix) {
      socket.setNoDelay(true);
      const ka = server.config.int('tcp-keepalive');
      if (ka > 0) socket.setKeepAlive(true, ka * 1000);
    }
    if (!unix && protectedModeRefuses(server, socket.remoteAddress)) {
      server.stats.rejectedConnections++;
      server.audit?.protectedReject(socket);
      socket.resume();
      socket.end(PROTECTED_MODE_ERR);
      return null;
    }
    const addr = unix ? `${server.config.str('unixsocket')}:0` : fmtAddr(socket.remoteAddress, socket.remotePort);
    const laddr = unix ? `${server.config.str('unixsocket')}:0` : fmtAddr(socket.localAddress, socket.localPort);
    const c = server.newClient(addr, laddr, fd);
    if (unix) c.flags |= CLIENT.unixSocket;
    return new Connection(server, socket, c, paused);
  }

  private onData(chunk: Buffer, borrowed: boolean): void {
    const c = this.client;
    const server = this.server;
    server.stats.netInputBytes += chunk.length;
    server.stats.readsProcessed++;
    c.parser.maxBulkLen = server.protoMaxBulkLen;
    c.parser.authRequired = server.security.authRequired(c);
    c.parser.feed(chunk, borrowed);
    const ran = server.stats.totalCommands;
    this.processInput();
    // A command that ran recorded its start as activity (Server.runFrozen); else read the clock.
    if (server.stats.totalCommands === ran) c.lastInteraction = Date.now();
    if (!this.closed && c.parser.pending > server.queryBufLimit) {
      server.stats.clientQbufLimitDisconnections++;
      server.log.warning(
        `Closing client that reached max query buffer length: id=${c.id} addr=${c.addr} (qbuf initial bytes: ${JSON.stringify(c.parser.pending)})`,
      );
      this.close();
      return;
    }
    if (server.yieldingCommand) this.flush();
    else this.scheduleFlush();
  }

  /** Runs every complete command waiting in the parser, unless paused or closing. */
  private processInput(): void {
    const c = this.client;
    const server = this.server;
    while (!this.closed && !c.has(CLIENT.closeAfterReply) && !this.pausedByCommand) {
      let argv = this.held;
      if (argv !== null) {
        this.held = null;
        c.flags &= ~CLIENT.postponed;
      } else argv = c.parser.take();
      if (argv === null) break;
      if (this.mustWait(argv)) {
        this.held = argv;
        c.flags |= CLIENT.postponed;
        this.waitForUnpause();
        break;
      }
      processCommand(c, argv);
      c.parser.authRequired = server.security.authRequired(c);
      // Unauthenticated clients get a tiny output buffer (Redis's CVE-2025-21605 fix): one
      // that pipelines commands without reading the NOAUTH replies is dropped.
      if (c.parser.authRequired && c.reply.bytes + this.outPending() > UNAUTH_OUTPUT_MAX) {
        server.stats.clientOutbufLimitDisconnections++;
        server.log.warning(
          `Client id=${c.id} addr=${c.addr} closed for overcoming of output buffer limits before authentication.`,
        );
        this.close();
        return;
      }
      if (c.has(CLIENT.closeAsap)) {
        this.close();
        return;
      }
    }
    c.parser.endRound();
    if (c.parser.error !== null && !c.has(CLIENT.closeAfterReply)) {
      c.reply.error(c.parser.error);
      server.log.verbose(
        `Protocol error (${c.parser.error.replace(/^ERR Protocol error: /, '')}) from client: id=${c.id} addr=${c.addr}`,
      );
      c.flags |= CLIENT.closeAfterReply;
    }
  }

  /** CLIENT PAUSE: hold commands (all, or only writes) until the pause ends. */
  private mustWait(argv: string[]): boolean {
    const server = this.server;
    if (server.pauseUntil === 0 || server.pauseUntil <= Date.now()) return false;
    if (!server.pauseWritesOnly) return true;
    const cmd = server.commands.lookup(argv);
    return cmd !== undefined && cmd.has(CMD.write | CMD.may_replicate);
  }

  private waitForUnpause(): void {
    const wait = Math.max(1, this.server.pauseUntil - Date.now());
    setTimeout(
      () => {
        if (this.closed) return;
        this.processInput();
        this.flush();
      },
      Math.min(wait, 100),
    );
  }

  scheduleFlush(): void {
    if (this.closed || this.queued) return;
    this.queued = true;
    flushQueue.push(this);
    if (!flushQueued) {
      flushQueued = true;
      setImmediate(flushAll);
    }
  }

  /** Writes pending replies; `now` is the caller's clock reading, when it has one. */
  flush(now = Date.now()): void {
    if (this.closed) return;
    const c = this.client;
    if (c.reply.hasPending) {
      if (this.server.beforeReply !== null) this.server.beforeReply();
      const parts = c.reply.take();
      let n = 0;
      if (this.writer !== null) {
        for (const p of parts) n += p.length;
        if (!this.writer.write(parts)) {
          this.close();
          return;
        }
      } else if (parts.length === 1) {
        n = parts[0]!.length;
        this.socket.write(parts[0]!);
      } else {
        this.socket.cork();
        for (const p of parts) {
          n += p.length;
          this.socket.write(p);
        }
        this.socket.uncork();
      }
      this.server.stats.netOutputBytes += n;
      this.server.stats.writesProcessed++;
      c.lastInteraction = now; // a reply counts as activity for `timeout`, as in Redis
      if (!this.readPaused && this.outPending() > READ_PAUSE_BYTES) {
        this.readPaused = true;
        this.socket.pause();
      }
    }
    if (c.has(CLIENT.closeAfterReply)) {
      this.closed = true;
      // Close fully once the reply is written, as Redis does: a peer still sending gets a
      // reset instead of writing into a half-closed socket forever.
      this.socket.end(() => this.socket.destroy());
      this.server.removeClient(c);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.server.removeClient(this.client);
  }
}
