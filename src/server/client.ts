// The state of one connected client, as commands see it. The socket lives in net/connection.ts;
// this object only holds what handlers read and change.

import { RequestParser } from '../protocol/parser.js';
import { ReplyWriter } from '../protocol/reply.js';
import type { Db } from '../store/db.js';
import type { Server } from './server.js';
import type { Command } from '../commands/registry.js';

export const CLIENT = {
  multi: 1 << 0,
  dirtyExec: 1 << 1,
  pubsub: 1 << 2,
  closeAfterReply: 1 << 3,
  closeAsap: 1 << 4,
  noEvict: 1 << 5,
  replyOff: 1 << 6,
  replySkip: 1 << 7,
  replySkipNext: 1 << 8,
  unixSocket: 1 << 9,
  readonly: 1 << 10,
  tracking: 1 << 11,
  noTouch: 1 << 12,
  monitor: 1 << 13,
  blocked: 1 << 14,
  /** A WATCHed key changed: the next EXEC fails with a null reply. */
  dirtyCas: 1 << 15,
  /** Set while EXEC runs the queued commands: blocking commands must not block (act as timed out). */
  denyBlocking: 1 << 16,
  /** The connection to this server's primary (replication): its commands are applied unchecked. */
  master: 1 << 17,
  /** A command waits for CLIENT PAUSE to end: counted and listed as blocked, as Redis's postponed clients. */
  postponed: 1 << 18,
} as const;

/** How the network layer lets the command layer act on a connection without exposing it. */
export interface ConnectionControl {
  /** Closes the connection now (CLIENT KILL, output limits). */
  close(): void;
  /** Flushes pending replies at the end of this tick (replies produced outside a read). */
  scheduleFlush(): void;
  /** Bytes queued in the socket and not yet sent. */
  socketPending(): number;
  /** Holds or resumes running the client's commands (blocking, WAIT, a deferred command); reading goes on. */
  setPaused(paused: boolean): void;
}

export class Client {
  readonly parser = new RequestParser();
  readonly reply: ReplyWriter;
  name = '';
  flags = 0;
  dbIndex = 0;
  db: Db;
  /** ACL user name the client is authenticated as. */
  user = 'default';
  /** The security layer's record of this client's user (opaque here; read per command). */
  principal: unknown = null;
  authenticated = false;
  readonly createdAt: number;
  lastInteraction: number;
  lastCmd: Command | null = null;
  /** Total argument bytes of the command being run (CLIENT LIST argv-mem). */
  argvMem = 0;
  /** Arguments of the command being run (for CLIENT LIST cmd and MONITOR). */
  argv: string[] = [];
  libName = '';
  libVer = '';
  control: ConnectionControl | null = null;
  /** Replaces argv in the replication stream for the running command (see replication/propagate). */
  propArgv: string[] | null = null;
  /** PROP.force / PROP.prevent requests of the running command. */
  propFlags = 0;
  /** Replication offset after this client's last command: what its WAIT waits for. */
  woff = 0;
  /** Free-form per-feature state (MULTI queue, pub/sub subscriptions...) added by later layers. */
  ext: Record<string, unknown> = {};

  constructor(
    readonly id: number,
    readonly server: Server,
    readonly addr: string,
    readonly laddr: string,
    readonly fd: number,
  ) {
    this.reply = new ReplyWriter(server.stats);
    this.db = server.dbs[0]!;
    this.createdAt = Date.now();
    this.lastInteraction = this.createdAt;
  }

  has(flag: number): boolean {
    return (this.flags & flag) !== 0;
  }

  select(index: number): void {
    this.dbIndex = index;
    this.db = this.server.dbs[index]!;
  }

  get resp(): 2 | 3 {
    return this.reply.resp;
  }

  set resp(v: 2 | 3) {
    this.reply.resp = v;
  }
}
