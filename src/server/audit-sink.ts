// Where audit lines go: a file (append-only, created 0640, reopened on SIGHUP for log
// rotation), standard output, or syslog over UDP (RFC 5424; Node has no unix datagram
// sockets, so a local syslog daemon must listen on UDP). Writes never block the event loop
// and never stop the server: a failing sink logs one warning per failure streak and drops
// lines until it works again.

import { close, openSync, write } from 'node:fs';
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { hostname } from 'node:os';
import { parseHostPort } from './audit-events.js';

/** One event as the sinks receive it. */
export interface AuditLine {
  /** The JSON object, without a newline. */
  text: string;
  /** The event name (syslog MSGID). */
  event: string;
  /** Syslog severity: 4 warning, 5 notice, 6 informational. */
  severity: number;
}

export interface AuditSink {
  /** What audit-log named ("stdout", "syslog" or a path). */
  readonly target: string;
  write(lines: readonly AuditLine[]): void;
  /** Reopens the file by name (after logrotate renamed it); other sinks do nothing. */
  reopen(): void;
  /** Writes what is pending, then releases the file or socket. */
  close(): Promise<void>;
}

export type Warn = (msg: string) => void;

/** Lines waiting for a slow disk beyond this are dropped (bounded memory). */
const MAX_PENDING_BYTES = 8 * 1024 * 1024;

/** An fd opened for appending, created with mode 0640. Throws with the system's reason. */
function openAppend(path: string): number {
  return openSync(path, 'a', 0o640);
}

export class FileSink implements AuditSink {
  private fd: number;
  /** Text waiting to be written, each chunk with the descriptor it was written for. */
  private queue: { fd: number; text: string }[] = [];
  private queuedBytes = 0;
  /** The descriptor of the write in flight, or -1. */
  private writing = -1;
  private failing = false;
  private dropped = 0;
  /** Descriptors replaced by reopen(), closed once nothing is left to write to them. */
  private retired: number[] = [];
  private closed = false;
  private idle: (() => void)[] = [];

  constructor(
    readonly target: string,
    private readonly warn: Warn,
  ) {
    this.fd = openAppend(target);
  }

  write(lines: readonly AuditLine[]): void {
    if (this.closed) return;
    let text = '';
    for (const l of lines) text += l.text + '\n';
    if (this.queuedBytes + text.length > MAX_PENDING_BYTES) {
      if (this.dropped === 0) this.warn(`Audit log ${this.target}: the disk is not keeping up, dropping events`);
      this.dropped += lines.length;
      return;
    }
    this.queue.push({ fd: this.fd, text });
    this.queuedBytes += text.length;
    this.pump();
  }

  /** Starts one write of the queued chunks meant for the same file, unless one is in flight. */
  private pump(): void {
    if (this.writing >= 0) return;
    this.closeRetired();
    if (this.queue.length === 0) {
      for (const done of this.idle.splice(0)) done();
      return;
    }
    const fd = this.queue[0]!.fd;
    let n = 0;
    while (n < this.queue.length && this.queue[n]!.fd === fd) n++;
    const chunks = this.queue.splice(0, n);
    let text = '';
    for (const c of chunks) text += c.text;
    this.queuedBytes -= text.length;
    this.writing = fd;
    this.writeFrom(fd, Buffer.from(text, 'utf8'), 0);
  }

  private writeFrom(fd: number, buf: Buffer, off: number): void {
    write(fd, buf, off, buf.length - off, null, (err, n) => {
      if (err !== null) {
        if (!this.failing) this.warn(`Audit log ${this.target}: write failed (${err.message}), dropping events`);
        this.failing = true;
      } else if (off + n < buf.length) {
        return this.writeFrom(fd, buf, off + n);
      } else {
        if (this.failing || this.dropped > 0) this.warn(`Audit log ${this.target}: writing again`);
        this.failing = false;
        this.dropped = 0;
      }
      this.writing = -1;
      this.pump();
    });
  }

  /** Closes the replaced descriptors nothing is waiting to write to. */
  private closeRetired(): void {
    this.retired = this.retired.filter((fd) => {
      if (this.queue.some((c) => c.fd === fd)) return true;
      close(fd, () => {});
      return false;
    });
  }

  reopen(): void {
    if (this.closed) return;
    let fd: number;
    try {
      fd = openAppend(this.target);
    } catch (e) {
      this.warn(`Audit log ${this.target}: cannot reopen (${(e as Error).message}), still writing to the old file`);
      return;
    }
    this.retired.push(this.fd);
    this.fd = fd;
    if (this.writing < 0) this.closeRetired();
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => {
      this.idle.push(() => close(this.fd, () => resolve()));
      this.pump();
    });
  }
}

export class StdoutSink implements AuditSink {
  readonly target = 'stdout';

  constructor() {
    // Whoever reads our stdout may be gone (a closed pipe): that must never kill the server.
    if (process.stdout.listenerCount('error') === 0) process.stdout.on('error', () => {});
  }

  write(lines: readonly AuditLine[]): void {
    let text = '';
    for (const l of lines) text += l.text + '\n';
    process.stdout.write(text);
  }

  reopen(): void {}

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Syslog facility numbers by syslog-facility's names. */
const FACILITY: Record<string, number> = {
  user: 1,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
};

export interface SyslogOptions {
  /** "host:port" or "[v6]:port" (audit-syslog-target). */
  target: string;
  /** syslog-facility's value. */
  facility: string;
  /** syslog-ident's value (APP-NAME). */
  ident: string;
}

/** RFC 5424 fields are printable ASCII without spaces; '-' stands for an empty one. */
function field(s: string, max: number): string {
  const f = s.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return f === '' ? '-' : f;
}

export class SyslogSink implements AuditSink {
  readonly target = 'syslog';
  private readonly socket: dgram.Socket;
  private readonly host: string;
  private readonly port: number;
  private readonly facility: number;
  private readonly header: string;
  private failing = false;
  /** Datagrams handed to the socket and not yet sent; close() waits for them. */
  private inflight = 0;
  private drained: (() => void) | null = null;

  constructor(
    opts: SyslogOptions,
    private readonly warn: Warn,
  ) {
    const hp = parseHostPort(opts.target);
    if (hp === null) throw new Error(`bad audit-syslog-target '${opts.target}'`);
    this.host = hp.host;
    this.port = hp.port;
    this.facility = FACILITY[opts.facility] ?? FACILITY['local0']!;
    // HOSTNAME APP-NAME PROCID, the part of the header that never changes.
    this.header = `${field(hostname(), 255)} ${field(opts.ident, 48)} ${process.pid}`;
    this.socket = dgram.createSocket(isIPv6(this.host) ? 'udp6' : 'udp4');
    this.socket.on('error', (e) => this.failed(e));
    this.socket.unref();
  }

  /** One RFC 5424 message: <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG. */
  format(line: AuditLine, now = new Date()): string {
    const pri = this.facility * 8 + line.severity;
    return `<${pri}>1 ${now.toISOString()} ${this.header} ${field(line.event, 32)} - ${line.text}`;
  }

  write(lines: readonly AuditLine[]): void {
    const now = new Date();
    for (const l of lines) {
      this.inflight++;
      this.socket.send(this.format(l, now), this.port, this.host, (err) => {
        if (err) this.failed(err);
        else this.failing = false;
        if (--this.inflight === 0) this.drained?.();
      });
    }
  }

  private failed(e: Error): void {
    if (!this.failing) this.warn(`Audit log: syslog send to ${this.host}:${this.port} failed (${e.message})`);
    this.failing = true;
  }

  reopen(): void {}

  close(): Promise<void> {
    return new Promise((resolve) => {
      const shut = (): void => {
        try {
          this.socket.close(() => resolve());
        } catch {
          resolve();
        }
      };
      if (this.inflight === 0) shut();
      else this.drained = shut;
    });
  }
}

/** Opens the sink audit-log names. Throws (with the system's reason) when a file cannot be opened. */
export function openSink(spec: string, syslog: SyslogOptions, warn: Warn): AuditSink {
  if (spec === 'stdout') return new StdoutSink();
  if (spec === 'syslog') return new SyslogSink(syslog, warn);
  return new FileSink(spec, warn);
}
