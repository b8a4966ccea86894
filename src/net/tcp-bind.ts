// Binding a TCP listening socket synchronously. CONFIG SET port / tls-port / bind must answer
// "Unable to listen on this port" in the same reply, like Redis, but net.Server.listen() with a
// host reports bind errors only on a later tick. Node's own TCP handle (the one net.Server
// wraps) binds and listens synchronously and returns the errno; net.Server.listen(handle) then
// adopts it. When that handle is unavailable (a future Node), the async path is used and the
// error can only be logged.

import net from 'node:net';
import os from 'node:os';

interface TcpHandle {
  bind(addr: string, port: number): number;
  bind6(addr: string, port: number, flags: number): number;
  listen(backlog: number): number;
  close(): void;
}
interface TcpWrap {
  TCP: new (type: number) => TcpHandle;
  constants: { SERVER: number };
}

const UV_TCP_IPV6ONLY = 1;

let wrap: TcpWrap | null | undefined;
function tcpWrap(): TcpWrap | null {
  if (wrap !== undefined) return wrap;
  try {
    const binding = (process as unknown as { binding(name: string): unknown }).binding;
    wrap = binding('tcp_wrap') as TcpWrap;
    if (typeof wrap.TCP !== 'function') wrap = null;
  } catch {
    wrap = null;
  }
  return wrap;
}

/** errno (negative, as libuv returns it) → Node's error code name, e.g. EADDRINUSE. */
function errnoName(err: number): string {
  for (const [name, v] of Object.entries(os.constants.errno)) if (-v === err) return name;
  return `errno ${err}`;
}

export class BindError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Binds `srv` to host:port now. Throws BindError synchronously on failure when the
 * synchronous path exists; otherwise resolves once listening or rejects.
 */
export function listenNow(srv: net.Server, host: string, port: number, backlog: number): Promise<void> {
  const w = tcpWrap();
  // Names cannot be resolved synchronously: at runtime only addresses (and localhost) bind.
  if (host === 'localhost') host = '127.0.0.1';
  if (w !== null && net.isIP(host) === 0) throw new BindError('EAI_NONAME', `${host}: not a numeric address`);
  const v6 = net.isIPv6(host);
  if (w !== null && (v6 || net.isIPv4(host))) {
    const h = new w.TCP(w.constants.SERVER);
    let err = v6 ? h.bind6(host, port, UV_TCP_IPV6ONLY) : h.bind(host, port);
    if (err === 0) err = h.listen(backlog);
    if (err !== 0) {
      h.close();
      const code = errnoName(err);
      throw new BindError(code, `${code === 'EADDRINUSE' ? 'Address already in use' : code}`);
    }
    return new Promise((resolve) => srv.listen(h as unknown as net.ListenOptions, backlog, () => resolve()));
  }
  return new Promise((resolve, reject) => {
    const onErr = (e: NodeJS.ErrnoException): void => reject(new BindError(e.code ?? 'EUNKNOWN', e.message));
    srv.once('error', onErr);
    srv.listen({ host, port, ipv6Only: v6, backlog }, () => {
      srv.off('error', onErr);
      resolve();
    });
  });
}
