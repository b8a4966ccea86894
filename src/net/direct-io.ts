// The plain-socket byte path without Node's stream machinery.
//
// Measured on the bench machine (redis-benchmark GET, 50 clients, pipeline 1), a trivial Node
// server spends ~7 µs of user CPU per request with socket 'data' events and socket.write(), of
// which ~4 µs is the Readable/Writable bookkeeping around each read and write (a fresh Buffer
// per read, push/emit, write callbacks and a nextTick per write). Redis spends ~2 µs in total.
// At pipeline 1 the server is CPU-bound, so those microseconds are most of the gap.
//
// So, for plaintext TCP and unix sockets:
// - reads use net.Socket's documented `onread` option (one reusable buffer, no Buffer or event
//   per read): the accepted socket's handle is moved into a new net.Socket created with it;
// - writes go straight to the handle's writeBuffer/writev with the WriteWrap request objects
//   Node's own socket.write() uses (from process.binding('stream_wrap')).
// Both lean on Node internals (the `_handle` field, the binding), so everything is checked
// before use and any mismatch falls back to ordinary 'data' events and socket.write(). TLS
// sockets always use the ordinary path. REDOUBT_SOCKET_IO=stream forces the fallback (tests
// run both paths).
//
// Invariants the callers keep:
// - the read buffer is shared by every connection and reused by the next read, so whatever the
//   parser keeps of a chunk after a read is handled must be copied (Parser.ownLeftover);
// - once a socket uses the direct writer, nothing else may write to it (a socket.write() could
//   overtake or be overtaken by direct writes); end() and destroy() remain safe: libuv shuts
//   the socket down only after the writes queued before.

import net from 'node:net';

/** A native write request: the binding calls oncomplete when a write it had to queue ends. */
interface WriteReq {
  handle: unknown;
  oncomplete: (status: number) => void;
  /** What the request writes, kept reachable until it completes (see DirectWriter.write). */
  data: Buffer[] | null;
}

interface StreamHandle {
  writeBuffer(req: WriteReq, data: Buffer): number;
  writev(req: WriteReq, chunks: Buffer[], allBuffers: boolean): number;
  readonly writeQueueSize: number;
}

interface StreamBinding {
  WriteWrap: new () => WriteReq;
  /** Shared with the native side: a write's outcome is left in it. */
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
}

const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** Whether Node would warn about process.binding() (it only does under pending deprecation). */
function bindingWarns(): boolean {
  const opts = `${process.execArgv.join(' ')} ${process.env['NODE_OPTIONS'] ?? ''}`;
  return opts.includes('--pending-deprecation') || process.env['NODE_PENDING_DEPRECATION'] === '1';
}

/** The binding, or why the fallback is used (decided once, at start-up). */
function loadBinding(): { binding: StreamBinding | null; mode: string } {
  const fallback = (why: string): { binding: null; mode: string } => ({ binding: null, mode: `stream (${why})` });
  if (process.env['REDOUBT_SOCKET_IO'] === 'stream') return fallback('REDOUBT_SOCKET_IO=stream');
  // An embedding process (a test suite) that asked for deprecation warnings gets none from us.
  if (bindingWarns()) return fallback('pending deprecation warnings are on');
  try {
    const b = (process as unknown as { binding(name: string): unknown }).binding(
      'stream_wrap',
    ) as Partial<StreamBinding> | null;
    if (
      typeof b?.WriteWrap === 'function' &&
      b.streamBaseState instanceof Int32Array &&
      typeof b.kLastWriteWasAsync === 'number'
    ) {
      return { binding: b as StreamBinding, mode: 'direct' };
    }
  } catch {
    // fall through
  }
  return fallback('this Node has no usable stream_wrap binding');
}

const { binding, mode } = loadBinding();

/** How plaintext sockets are served, for the start-up log. */
export function socketIoMode(): string {
  return mode;
}

function streamHandle(socket: net.Socket): StreamHandle | null {
  const h = (socket as unknown as { _handle?: Partial<StreamHandle> | null })._handle;
  if (h === null || h === undefined) return null;
  if (typeof h.writeBuffer !== 'function' || typeof h.writev !== 'function') return null;
  return typeof h.writeQueueSize === 'number' ? (h as StreamHandle) : null;
}

/** Writes Buffers straight to a socket's handle, in order. */
export class DirectWriter {
  /** libuv's queue length as last read: 0 means nothing queued (asked per command, see pending). */
  private queued = 0;
  private readonly onComplete: (status: number) => void;

  constructor(
    private readonly handle: StreamHandle,
    /** Called when a write queued in libuv finished: status < 0 is a failed write. */
    onComplete: (status: number) => void,
  ) {
    this.onComplete = (status) => {
      this.queued = this.handle.writeQueueSize;
      onComplete(status);
    };
  }

  /** Hands the parts to the socket; false when the write failed at once (connection lost). */
  write(parts: Buffer[]): boolean {
    const req = new binding!.WriteWrap();
    req.handle = this.handle;
    req.oncomplete = this.onComplete;
    // The binding keeps the request alive until the write completes, but not the Buffers of a
    // writev (only writeBuffer holds on to its one Buffer): a queued write whose Buffers were
    // collected would send freed memory. Node's own writev keeps them on the request the same way.
    req.data = parts;
    const err = parts.length === 1 ? this.handle.writeBuffer(req, parts[0]!) : this.handle.writev(req, parts, true);
    if (binding!.streamBaseState[binding!.kLastWriteWasAsync] !== 0) this.queued = this.handle.writeQueueSize;
    return err === 0;
  }

  /**
   * Bytes queued in libuv and not yet written to the kernel. Nothing can be queued unless a
   * write went async since the queue was last seen empty, so the common case asks no native code.
   */
  get pending(): number {
    return this.queued === 0 ? 0 : (this.queued = this.handle.writeQueueSize);
  }
}

/** A plaintext socket moved to the direct path: the socket to use from now on and its writer. */
export interface DirectSocket {
  socket: net.Socket;
  makeWriter(onComplete: (status: number) => void): DirectWriter;
}

/**
 * Moves a freshly accepted socket (its server created with pauseOnConnect, so nothing was read
 * yet) to the direct path; `onChunk` gets each read's bytes, valid only during the call. Null
 * when this Node does not offer what the direct path needs: the caller then resumes `socket`
 * and uses it as it is.
 */
export function adoptDirect(socket: net.Socket, onChunk: (chunk: Buffer) => void): DirectSocket | null {
  if (binding === null) return null;
  const handle = streamHandle(socket);
  if (handle === null) return null;
  const server = (socket as unknown as { _server: net.Server | null })._server;
  // Detach the handle from the accepting socket, then let that socket go without closing it.
  // Its server counts the connection until a socket carrying _server is destroyed: hand the
  // count over to the new socket.
  const old = socket as unknown as { _handle: unknown; _server: unknown; server: unknown };
  old._handle = null;
  old._server = null;
  old.server = null;
  socket.destroy();
  const fresh = new net.Socket({
    handle,
    readable: true,
    writable: true,
    onread: { buffer: READ_BUFFER, callback: (n: number, buf: Uint8Array) => onChunk((buf as Buffer).subarray(0, n)) },
  } as net.SocketConstructorOpts);
  const moved = fresh as unknown as { _server: unknown; server: unknown };
  moved._server = server;
  moved.server = server;
  return { socket: fresh, makeWriter: (onComplete) => new DirectWriter(handle, onComplete) };
}
