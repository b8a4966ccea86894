// TCP listeners on every `bind` address (a leading '-' marks an address that may be
// unavailable) and the unix socket. Connections are handed to Connection.accept.

import net from 'node:net';
import { chmodSync, unlinkSync, existsSync } from 'node:fs';
import type { Server } from '../server/server.js';
import { Connection } from './connection.js';

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

export class Listeners {
  private tcp: net.Server[] = [];
  private unix: net.Server | null = null;
  readonly connections = new Set<Connection>();
  /** The TCP port actually bound (differs from the config when it was 0 in the API). */
  port = 0;

  constructor(private readonly server: Server) {}

  private make(unix: boolean): net.Server {
    const srv = net.createServer({ noDelay: true }, (socket) => {
      const conn = Connection.accept(this.server, socket, unix);
      if (conn === null) return;
      this.connections.add(conn);
      socket.once('close', () => this.connections.delete(conn));
    });
    return srv;
  }

  /** Binds everything the config asks for; throws an Error whose message Redis would log. */
  async listen(portOverride?: number): Promise<void> {
    const cfg = this.server.config;
    const port = portOverride ?? cfg.int('port');
    if (port !== 0 || portOverride !== undefined) {
      const addrs = cfg.str('bind').split(' ').filter(Boolean);
      let bound = port;
      for (const raw of addrs) {
        const optional = raw.startsWith('-');
        let host = optional ? raw.slice(1) : raw;
        if (host === '*') host = '0.0.0.0';
        if (host === '::*') host = '::';
        const srv = this.make(false);
        try {
          await listenOne(srv, { host, port: bound, ipv6Only: host.includes(':') });
          bound = (srv.address() as net.AddressInfo).port;
          this.tcp.push(srv);
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
          throw new Error(`Failed listening on port ${port} (TCP), aborting.`);
        }
      }
      this.port = bound;
      this.server.tcpPort = bound;
    }
    const path = cfg.str('unixsocket');
    if (path !== '') {
      if (existsSync(path)) unlinkSync(path);
      const srv = this.make(true);
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

  async close(): Promise<void> {
    const all = [...this.tcp, ...(this.unix ? [this.unix] : [])];
    this.tcp = [];
    this.unix = null;
    for (const c of this.connections) c.close();
    await Promise.all(all.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}
