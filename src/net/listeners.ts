// Listening sockets: plaintext TCP (`port`) and TLS (`tls-port`) on every `bind` address (a
// leading '-' marks an address that may be unavailable), and the unix socket. Connections are
// handed to Connection.accept (TLS ones after their handshake, see tls.ts).
//
// CONFIG SET port / tls-port / bind re-listen at once, like Redis's changeListenPort and
// changeBindAddr, but without a gap: the new sockets are bound first and the old ones closed
// only once all of them are bound; on failure the old ones keep serving and the config is
// rolled back with Redis's error.

import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { chmodSync, unlinkSync, existsSync } from 'node:fs';
import type { Server } from '../server/server.js';
import { Connection, socketFd } from './connection.js';
import { socketIoMode } from './direct-io.js';
import { TlsManager } from './tls.js';
import { installTlsInfo } from './tls-info.js';
import { BindError, listenNow } from './tcp-bind.js';

type Kind = 'tcp' | 'tls';
const BACKLOG = 511;
const PORT_ERR = 'Unable to listen on this port. Check server logs.';
const BIND_ERR = 'Failed to bind to specified addresses.';

function listenOne(srv: net.Server, opts: net.ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const onErr = (e: Error): void => reject(e);
    srv.once('error', onErr);
    srv.listen(opts, () => {
      srv.off('error', onErr);
      resolve();
    });
  });
}

/** A bind address as a host to listen on, and whether its failure is tolerated ('-'). */
function parseAddr(raw: string): { host: string; optional: boolean } {
  const optional = raw.startsWith('-');
  let host = optional ? raw.slice(1) : raw;
  if (host === '*') host = '0.0.0.0';
  if (host === '::*') host = '::';
  return { host, optional };
}

/** One bound listening socket. */
interface Bound {
  key: string;
  srv: net.Server;
}

export class Listeners {
  private readonly bound: Record<Kind, Bound[]> = { tcp: [], tls: [] };
  private unix: net.Server | null = null;
  readonly connections = new Set<Connection>();
  readonly tls: TlsManager;
  /** The TCP port actually bound (differs from the config when it was 0 in the API). */
  port = 0;
  tlsPort = 0;

  constructor(private readonly server: Server) {
    this.tls = new TlsManager(server);
    installTlsInfo();
    this.tls.onSecure = (s, fd) => this.adopt(s, fd);
    const cfg = server.config;
    cfg.onApply('port', () => this.relisten('tcp', cfg.int('port')));
    cfg.onApply('tls-port', () => this.applyTlsPort());
    cfg.onApply('bind', () => this.applyBind());
  }

  private make(kind: Kind | 'unix'): net.Server {
    // Plaintext sockets arrive paused, so that Connection can move them to the direct path
    // (net/direct-io.ts) before anything is read.
    return net.createServer({ noDelay: true, pauseOnConnect: kind !== 'tls' }, (socket) => {
      if (kind === 'tls') this.tls.accept(socket, socketFd(socket));
      else this.adopt(socket, socketFd(socket), kind === 'unix', true);
    });
  }

  /** A connected socket (plaintext, unix, or TLS after its handshake) becomes a client. */
  private adopt(socket: net.Socket, fd: number, unix = false, paused = false): void {
    const conn = Connection.accept(this.server, socket, unix, fd, paused);
    if (conn === null) return;
    this.connections.add(conn);
    conn.socket.once('close', () => this.connections.delete(conn));
    this.server.audit?.accept(conn.client, conn.socket);
    if ((socket as TLSSocket).encrypted && !this.tls.attach(conn.client, socket as TLSSocket)) conn.close();
  }

  private addrs(): string[] {
    return this.server.config.str('bind').split(' ').filter(Boolean);
  }

  /** Binds everything the config asks for; throws an Error whose message Redis would log. */
  async listen(portOverride?: number): Promise<void> {
    const cfg = this.server.config;
    if (this.tls.wanted() && !this.tls.configure())
      throw new Error('Failed to configure TLS. Check logs for more info.');
    this.server.log.notice(`Plaintext socket I/O: ${socketIoMode()}`);
    const port = portOverride ?? cfg.int('port');
    if (port !== 0 || portOverride !== undefined) this.port = await this.bindStartup('tcp', port);
    this.server.tcpPort = this.port;
    const tlsPort = cfg.int('tls-port');
    if (tlsPort !== 0) this.tlsPort = await this.bindStartup('tls', tlsPort);
    const path = cfg.str('unixsocket');
    if (path !== '') {
      if (existsSync(path)) unlinkSync(path);
      const srv = this.make('unix');
      try {
        await listenOne(srv, { path });
      } catch (e) {
        throw new Error(`Failed opening Unix socket: ${(e as Error).message}`);
      }
      const perm = cfg.int('unixsocketperm');
      if (perm !== 0) chmodSync(path, perm);
      this.unix = srv;
      this.server.log.notice(`The server is now ready to accept connections at ${path}`);
    }
  }

  /** Start-up binding with Redis's messages; port 0 (API only) takes a free port for all addresses. */
  private async bindStartup(kind: Kind, port: number): Promise<number> {
    let bound = port;
    for (const raw of this.addrs()) {
      const { host, optional } = parseAddr(raw);
      const srv = this.make(kind);
      try {
        await listenOne(srv, { host, port: bound, ipv6Only: host.includes(':'), backlog: BACKLOG });
        bound = (srv.address() as net.AddressInfo).port;
        this.bound[kind].push({ key: `${host}|${bound}`, srv });
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (optional && (err.code === 'EADDRNOTAVAIL' || err.code === 'EAFNOSUPPORT')) {
          this.server.log.warning(`Could not create server TCP listening socket ${raw}:${port}: ${err.code}`);
          continue;
        }
        this.server.log.warning(
          `Warning: Could not create server TCP listening socket ${host}:${port}: bind: ${err.message}`,
        );
        await this.close();
        throw new Error(`Failed listening on port ${port} (${kind === 'tls' ? 'TLS' : 'TCP'}), aborting.`);
      }
    }
    return bound;
  }

  private applyTlsPort(): string | null {
    if (!this.tls.configured && !this.tls.configure()) return 'Unable to update TLS configuration. Check server logs.';
    return this.relisten('tls', this.server.config.int('tls-port'));
  }

  private applyBind(): string | null {
    const cfg = this.server.config;
    const tcp = this.relisten('tcp', cfg.int('port'));
    if (tcp !== null) return BIND_ERR;
    if (this.relisten('tls', cfg.int('tls-port')) !== null) {
      return BIND_ERR;
    }
    return null;
  }

  /**
   * Makes the `kind` listeners match port × bind addresses now: sockets already bound to a
   * wanted address stay, missing ones are bound, the rest closed. Returns null or Redis's error.
   */
  relisten(kind: Kind, port: number): string | null {
    let old = this.bound[kind];
    const wanted = port === 0 ? [] : this.addrs().map(parseAddr);
    const keep = new Map<string, Bound>();
    for (const b of old) keep.set(b.key, b);
    let next = this.bindAll(kind, port, wanted, keep);
    if (next === 'EADDRINUSE' && old.length > 0 && port === this.portOf(kind)) {
      // Same port, other addresses (CONFIG SET bind): a wildcard and a specific address of one
      // port cannot both listen, so free the old sockets first, and take them back if the new
      // ones still cannot bind. A new port never needs this: the old sockets stay throughout.
      this.closeAll(old);
      keep.clear();
      next = this.bindAll(kind, port, wanted, keep);
      if (typeof next === 'string') {
        const back = this.bindAll(kind, this.portOf(kind), this.addrsOf(old), new Map());
        this.bound[kind] = typeof back === 'string' ? [] : back;
        return PORT_ERR;
      }
      old = [];
    }
    if (typeof next === 'string') return PORT_ERR;
    const stay = new Set(next);
    this.closeAll(old.filter((b) => !stay.has(b)));
    this.bound[kind] = next;
    if (kind === 'tcp') this.server.tcpPort = this.port = port;
    else this.tlsPort = port;
    return null;
  }

  private portOf(kind: Kind): number {
    return kind === 'tcp' ? this.port : this.tlsPort;
  }

  private addrsOf(list: readonly Bound[]): { host: string; optional: boolean }[] {
    return list.map((b) => ({ host: b.key.slice(0, b.key.lastIndexOf('|')), optional: false }));
  }

  /** Binds every wanted address not in `keep`; returns the full list, or the failing errno name. */
  private bindAll(
    kind: Kind,
    port: number,
    wanted: readonly { host: string; optional: boolean }[],
    keep: ReadonlyMap<string, Bound>,
  ): Bound[] | string {
    const out: Bound[] = [];
    const fresh: Bound[] = [];
    for (const { host, optional } of wanted) {
      const key = `${host}|${port}`;
      const have = keep.get(key);
      if (have !== undefined) {
        out.push(have);
        continue;
      }
      const srv = this.make(kind);
      try {
        listenNow(srv, host, port, BACKLOG).catch((e: Error) =>
          this.server.log.warning(`Could not create server TCP listening socket ${host}:${port}: ${e.message}`),
        );
      } catch (e) {
        const code = e instanceof BindError ? e.code : 'EUNKNOWN';
        if (optional && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT')) continue;
        this.server.log.warning(
          `Could not create server TCP listening socket ${host}:${port}: ${(e as Error).message}`,
        );
        this.closeAll(fresh);
        return code;
      }
      const b = { key, srv };
      fresh.push(b);
      out.push(b);
    }
    return out;
  }

  private closeAll(list: readonly Bound[]): void {
    for (const b of list) b.srv.close();
  }

  async close(): Promise<void> {
    const all = [...this.bound.tcp, ...this.bound.tls].map((b) => b.srv);
    if (this.unix) all.push(this.unix);
    this.bound.tcp = [];
    this.bound.tls = [];
    this.unix = null;
    this.tls.stop();
    for (const c of this.connections) c.close();
    await Promise.all(all.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}
