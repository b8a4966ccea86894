// The primary side: replicas attached with SYNC receive a snapshot of the dataset as an RDB
// bulk, then every propagated command as RESP, with a SELECT whenever the database changes.
// Snapshots are synchronous (no fork in Node), so nothing is written between the snapshot and
// the first streamed command: the replica sees exactly the primary's history.

import type { Server } from '../server/server.js';
import type { Client } from '../server/client.js';
import { snapshot } from '../persist/rdb-file.js';

/** One command as the multibulk a replica reads (arguments are latin1 byte strings). */
export function encodeCommand(argv: readonly string[]): string {
  let s = `*${argv.length}\r\n`;
  for (const a of argv) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}

export class Primary {
  /** Attached replicas, in attach order. */
  readonly replicas = new Set<Client>();
  /** The db the stream last selected; -1 makes the next command start with a SELECT. */
  private streamDb = -1;

  constructor(private readonly server: Server) {
    server.hooks.clientClosed.push((c) => this.detach(c));
  }

  /** Appends one propagated command to every replica's stream. */
  feed(db: number, argv: readonly string[]): void {
    // A replica forwards its primary's stream; it never originates one.
    if (this.server.repl.isReplica) return;
    let out = '';
    if (db !== this.streamDb) {
      out = encodeCommand(['SELECT', String(db)]);
      this.streamDb = db;
    }
    out += encodeCommand(argv);
    this.server.repl.offset += out.length;
    for (const r of this.replicas) {
      r.reply.raw(out);
      r.control?.scheduleFlush();
    }
  }

  /** SYNC: sends the snapshot as `$<len>\r\n<rdb>` and streams from then on. */
  attach(c: Client): void {
    const rdb = snapshot(this.server);
    c.reply.raw(`$${rdb.length}\r\n`);
    c.reply.rawBuffer(rdb);
    c.ext.replica = true;
    this.replicas.add(c);
    this.streamDb = -1;
    this.server.prop.sink ??= (db, argv) => this.feed(db, argv);
  }

  detach(c: Client): void {
    this.replicas.delete(c);
  }
}

const primaries = new WeakMap<Server, Primary>();

/** The server's primary side, created when the first replica attaches. */
export function primaryOf(server: Server): Primary {
  let p = primaries.get(server);
  if (p === undefined) {
    p = new Primary(server);
    primaries.set(server, p);
  }
  return p;
}
