// Writing out-of-band data (Pub/Sub messages, confirmations, invalidations) into a client's
// reply buffer, the way Redis's CLIENT_PUSHING writes do:
//  - they go out even under CLIENT REPLY OFF/SKIP. The gate rewinds the running command's
//    reply when replies are off, so pushes to the client running the command are held back
//    and written after the command (Redis writes them in place; the order seen is the same);
//  - another client's buffer is flushed at the end of the tick;
//  - a client whose pending output passes its class's client-output-buffer-limit is closed,
//    logged like Redis.

import { CLIENT, type Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import type { ReplyWriter } from '../protocol/reply.js';
import { OutputLimits } from './limits.js';
import { clientInfoString } from '../commands/client-cmd.js';

export type PushWriter = (r: ReplyWriter) => void;

const SILENCED = CLIENT.replyOff | CLIENT.replySkip;

export class Delivery {
  /** Pushes held for the running client while its replies are silenced. */
  private held = new Map<Client, PushWriter[]>();
  private releaseScheduled = false;
  readonly limits: OutputLimits;

  constructor(private readonly server: Server) {
    this.limits = new OutputLimits(server.config);
  }

  /** Writes a push to c now, or right after its running command when its replies are silenced. */
  push(c: Client, write: PushWriter): void {
    if (c.has(CLIENT.closeAsap)) return;
    const running = c === this.server.currentClient;
    if (running && (c.flags & SILENCED) !== 0) return this.hold(c, write);
    write(c.reply);
    if (!running) this.afterWrite(c);
  }

  /** A push already encoded: `resp2` for a RESP2 client, `resp3` for a RESP3 one (no closure). */
  pushText(c: Client, resp2: string, resp3: string): void {
    if (c.has(CLIENT.closeAsap)) return;
    const running = c === this.server.currentClient;
    if (running && (c.flags & SILENCED) !== 0) return this.hold(c, (r) => r.raw(r.resp === 3 ? resp3 : resp2));
    c.reply.raw(c.resp === 3 ? resp3 : resp2);
    if (!running) this.afterWrite(c);
  }

  private hold(c: Client, write: PushWriter): void {
    let q = this.held.get(c);
    if (q === undefined) this.held.set(c, (q = []));
    q.push(write);
    // Released by the commandExecuted hook; this catches a client served outside call().
    if (!this.releaseScheduled) {
      this.releaseScheduled = true;
      setImmediate(() => {
        this.releaseScheduled = false;
        for (const held of [...this.held.keys()]) {
          if (held === this.server.currentClient) continue;
          this.release(held);
          held.control?.scheduleFlush();
        }
      });
    }
  }

  /** Writes what was held for c (called once its command has run and been rewound). */
  release(c: Client): void {
    if (this.held.size === 0) return;
    const q = this.held.get(c);
    if (q === undefined) return;
    this.held.delete(c);
    for (const w of q) w(c.reply);
  }

  /** Drops what was held for a client that went away. */
  forget(c: Client): void {
    this.held.delete(c);
  }

  /** After writing to a client other than the running one: flush soon, or close it if over limits. */
  private afterWrite(c: Client): void {
    const ctl = c.control;
    if (ctl === null) return;
    if (this.overLimit(c, true)) {
      // Closed outside the caller's loop over subscribers, like Redis's freeClientAsync.
      setImmediate(() => ctl.close());
      return;
    }
    ctl.scheduleFlush();
  }

  /**
   * The cron side of the limits (Redis clientsCron): a soft limit can expire while no new
   * output arrives. Closes the client at once.
   */
  cronCheck(c: Client): void {
    if (c.control === null || c.has(CLIENT.closeAsap)) return;
    if (this.overLimit(c, false)) c.control.close();
  }

  private overLimit(c: Client, async: boolean): boolean {
    const used = c.reply.bytes + c.control!.socketPending();
    if (!this.limits.exceeded(c, used)) return false;
    c.flags |= CLIENT.closeAsap;
    this.server.stats.clientOutbufLimitDisconnections++;
    const info = clientInfoString(c, null);
    this.server.log.warning(
      async
        ? `Client ${info} scheduled to be closed ASAP for overcoming of output buffer limits.`
        : `Client ${info} closed for overcoming of output buffer limits.`,
    );
    return true;
  }
}
