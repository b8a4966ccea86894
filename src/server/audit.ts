// The security audit log (Redoubt's own; off by default): one JSON object per line for
// connections, authentication, denied commands, ACL and CONFIG changes, protected-mode and TLS
// refusals and dangerous commands, written to a file, stdout or syslog (audit-sink.ts).
//
// The server keeps `server.audit` null while audit-log is empty, so every hook elsewhere is a
// single null check (`server.audit?.x(...)`). Secrets never reach a line: AUTH and HELLO
// passwords are never read, ACL rules and CONFIG SET values are redacted (audit-redact.ts).
// Events anyone can cause without credentials are rate-limited per address, everything by a
// global cap (audit-limit.ts); what was dropped is summarized in `audit.suppressed` lines.

import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Server } from './server.js';
import type { Client } from './client.js';
import type { Command, CommandRegistry } from '../commands/registry.js';
import { AuditLimiter } from './audit-limit.js';
import { openSink, type AuditLine, type AuditSink, type SyslogOptions, type Warn } from './audit-sink.js';
import { subjectString, type ClientTls } from '../net/tls.js';
import { REDOUBT_VERSION } from './version.js';
import { MAX_ITEMS, clip, clipList, redactConfigSet, redactRule } from './audit-redact.js';
import { ALL_CLASSES, AUDIT_CLASSES, classBit as bit, parseAuditEvents, type AuditClass } from './audit-events.js';

export { AUDIT_CLASSES, parseAuditEvents, redactConfigSet, redactRule, type AuditClass };

// Syslog severities.
const WARNING = 4;
const NOTICE = 5;
const INFO = 6;

/** How often drops are summarized. */
const SUMMARY_MS = 1000;
/** Addresses summarized one by one per interval; the rest are added to the "*" line. */
const MAX_SUMMARY_LINES = 100;

// ---- records ---------------------------------------------------------------------------------

interface ClientRecord {
  id: number;
  addr: string;
  laddr: string;
  user: string;
  name: string;
  authenticated: boolean;
  tls?: { subject: string };
}

function clientRecord(c: Client, subject?: string): ClientRecord {
  const r: ClientRecord = {
    id: c.id,
    addr: c.addr,
    laddr: c.laddr,
    user: clip(c.user),
    name: clip(c.name),
    authenticated: c.authenticated,
  };
  const t = c.ext.tls as ClientTls | undefined;
  if (subject !== undefined) r.tls = { subject: clip(subject) };
  else if (t !== undefined) r.tls = { subject: clip(t.peer) };
  return r;
}

/** The host of "ip:port" / "[v6]:port", as rate limits key it (the form plainHost gives). */
function hostOf(addr: string): string {
  const i = addr.lastIndexOf(':');
  const host = i > 0 ? addr.slice(0, i) : addr;
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function plainHost(host: string | undefined): string {
  if (host === undefined) return '?';
  return host.startsWith('::ffff:') && host.includes('.') ? host.slice(7) : host;
}

function fmtAddr(host: string | undefined, port: number | undefined): string {
  const h = plainHost(host);
  return h.includes(':') ? `[${h}]:${port ?? 0}` : `${h}:${port ?? 0}`;
}

/** A connection refused before it became a client: only its addresses. */
function socketRecord(s: Socket): { addr: string; laddr: string } {
  return { addr: fmtAddr(s.remoteAddress, s.remotePort), laddr: fmtAddr(s.localAddress, s.localPort) };
}

/** The verified-or-not peer certificate subject of a TLS socket ('' without one). */
function peerSubject(s: TLSSocket): string {
  const cert = s.getPeerCertificate();
  return cert !== null && Object.keys(cert).length > 0
    ? subjectString(cert.subject as unknown as Record<string, string | string[]>)
    : '';
}

/**
 * Why a TLS handshake or verification failed, as a short category. OpenSSL reports a missing
 * client certificate as a verification error (UNABLE_TO_GET_ISSUER_CERT), hence `sentCert`.
 */
export function tlsReason(why: string, sentCert: boolean): string {
  if (/unsupported protocol|version|no shared cipher|no cipher/i.test(why)) return 'protocol-mismatch';
  if (/no client certificate|did not return a certificate|PEER_DID_NOT_RETURN/i.test(why)) return 'no-certificate';
  if (/cert|verify|issuer|signature|expired|revoked|CRL|self.signed/i.test(why)) {
    return sentCert ? 'bad-certificate' : 'no-certificate';
  }
  return 'handshake-failed';
}

/** Why AUTH failed for a user (undefined: no such user), as auth.failure's reason. */
export function passwordFailure(u: { disabled: boolean } | undefined): string {
  return u === undefined ? 'no-such-user' : u.disabled ? 'user-disabled' : 'wrong-password';
}

// ---- the commands that make events -----------------------------------------------------------

type Kind = 'acl' | 'config' | 'dangerous';

/** Audited commands by original name (so rename-command changes nothing). */
const AUDITED: Readonly<Record<string, Kind>> = {
  'acl|setuser': 'acl',
  'acl|deluser': 'acl',
  'acl|load': 'acl',
  'acl|save': 'acl',
  'config|set': 'config',
  'config|rewrite': 'config',
  'config|resetstat': 'config',
  debug: 'dangerous',
  shutdown: 'dangerous',
  flushall: 'dangerous',
  flushdb: 'dangerous',
};

/** What each command id makes, looked up once in the command table. */
export function auditedKinds(commands: CommandRegistry): (Kind | undefined)[] {
  const kinds: (Kind | undefined)[] = [];
  for (const [name, kind] of Object.entries(AUDITED)) {
    const cmd = commands.lookupOriginal(name);
    if (cmd !== undefined) kinds[cmd.id] = kind;
  }
  return kinds;
}

/** A DEBUG subcommand name as logged: a short word, or '?' (it is an argument, never data). */
function keyword(s: string): string {
  return /^[a-z][a-z0-9-]{0,31}$/i.test(s) ? s.toLowerCase() : '?';
}

/** Options of SHUTDOWN / FLUSHALL / FLUSHDB that are logged (anything else is not). */
const PLAIN_OPTIONS = new Set(['nosave', 'save', 'now', 'force', 'abort', 'async', 'sync']);

// ---- the log ---------------------------------------------------------------------------------

export interface AuditOptions {
  /** Class mask (parseAuditEvents). */
  events: number;
  /** Events per second per address (audit-rate; 0 = unlimited). */
  rate: number;
  kinds?: (Kind | undefined)[];
  /** Milliseconds since the epoch (tests pass a fake clock). */
  now?: () => number;
}

export class AuditLog {
  private sink: AuditSink;
  private mask: number;
  private readonly limiter: AuditLimiter;
  private readonly kinds: (Kind | undefined)[];
  private readonly now: () => number;
  private pending: AuditLine[] = [];
  private flushScheduled = false;
  private summaryTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(sink: AuditSink, opts: AuditOptions) {
    this.sink = sink;
    this.mask = opts.events;
    this.now = opts.now ?? Date.now;
    this.kinds = opts.kinds ?? [];
    this.limiter = new AuditLimiter(opts.rate, this.now());
  }

  get target(): string {
    return this.sink.target;
  }

  setEvents(mask: number): void {
    this.mask = mask;
  }

  setRate(rate: number): void {
    this.limiter.setRate(rate);
  }

  // --- events (the hooks elsewhere call these) ---

  /** A connection became a client (TLS: after its handshake). */
  accept(c: Client, socket: Socket): void {
    if (!this.admit('connection', hostOf(c.addr))) return;
    const tls = (socket as TLSSocket).encrypted === true;
    const rec = clientRecord(c, tls ? peerSubject(socket as TLSSocket) : undefined);
    this.push('connection', 'connection.accept', INFO, rec, { tls });
  }

  closed(c: Client): void {
    if (!this.admit('connection', hostOf(c.addr))) return;
    this.push('connection', 'connection.close', INFO, clientRecord(c), {
      age: Math.floor((this.now() - c.createdAt) / 1000),
    });
  }

  /** AUTH / HELLO AUTH / certificate login: failure null means success. */
  auth(c: Client, username: string, failure: string | null, method = 'password'): void {
    if (failure === null) {
      if (!this.admit('auth', null)) return;
      this.push('auth', 'auth.success', INFO, clientRecord(c), { username: clip(username), method });
    } else {
      if (!this.admit('auth', hostOf(c.addr))) return;
      this.push('auth', 'auth.failure', WARNING, clientRecord(c), {
        username: clip(username),
        method,
        reason: failure,
      });
    }
  }

  /** A command refused by the ACL (reason command/key/channel) or as a protected command. */
  denied(c: Client, cmd: Command, reason: string, object: string): void {
    if (!this.admit('denied', null)) return;
    this.push('denied', 'command.denied', WARNING, clientRecord(c), {
      command: cmd.fullname,
      reason,
      object: clip(object),
    });
  }

  /** protected-mode refused a connection. */
  protectedReject(socket: Socket): void {
    if (!this.admit('protected', plainHost(socket.remoteAddress))) return;
    this.push('protected', 'protected.reject', WARNING, socketRecord(socket), {});
  }

  /** A TLS handshake or client-certificate verification failed. */
  tlsReject(socket: TLSSocket, why: string): void {
    if (!this.admit('tls', plainHost(socket.remoteAddress))) return;
    const subject = peerSubject(socket);
    const detail: Record<string, unknown> = { reason: tlsReason(why, subject !== ''), error: clip(why.trim()) };
    if (subject !== '') detail['subject'] = clip(subject);
    this.push('tls', 'tls.reject', WARNING, socketRecord(socket), detail);
  }

  /** Before a command runs (from dispatch's call): dangerous commands, with who ran them. */
  before(c: Client, cmd: Command, argv: readonly string[]): void {
    if (this.kinds[cmd.id] !== 'dangerous' || !this.admit('dangerous', null)) return;
    const detail: Record<string, unknown> = { command: cmd.fullname, db: c.dbIndex };
    if (cmd.name === 'debug') {
      detail['subcommand'] = keyword(argv[1] ?? '');
    } else {
      const opts = argv.slice(1, MAX_ITEMS).map((a) => a.toLowerCase());
      detail['options'] = opts.map((o) => (PLAIN_OPTIONS.has(o) ? o : '?'));
    }
    this.push('dangerous', 'command.dangerous', NOTICE, clientRecord(c), detail);
  }

  /** After a command ran (from dispatch's call): ACL and CONFIG changes with their outcome. */
  after(c: Client, cmd: Command, argv: readonly string[], ok: boolean): void {
    const kind = this.kinds[cmd.id];
    if (kind === 'acl') this.aclChange(c, cmd, argv, ok);
    else if (kind === 'config') this.configChange(c, cmd, argv, ok);
  }

  private aclChange(c: Client, cmd: Command, argv: readonly string[], ok: boolean): void {
    if (!this.admit('acl', null)) return;
    const op = cmd.name;
    const detail: Record<string, unknown> = { op, ok };
    if (op === 'setuser') {
      detail['username'] = clip(argv[2] ?? '');
      detail['rules'] = clipList(argv.slice(3).map(redactRule));
    } else if (op === 'deluser') {
      detail['usernames'] = clipList(argv.slice(2));
    } else {
      detail['file'] = c.server.config.str('aclfile');
    }
    this.push('acl', 'acl.change', NOTICE, clientRecord(c), detail);
  }

  private configChange(c: Client, cmd: Command, argv: readonly string[], ok: boolean): void {
    const op = cmd.name;
    const detail: Record<string, unknown> = { op, ok };
    let auditConfig = false;
    if (op === 'set') {
      const params = redactConfigSet(cmd, argv);
      auditConfig = params.some((p) => p.name.toLowerCase().startsWith('audit-'));
      detail['params'] = params;
    } else if (op === 'rewrite') {
      detail['file'] = c.server.configFile;
    }
    // A change of the audit configs themselves is always recorded.
    if (!auditConfig && !this.admit('config', null)) return;
    this.push('config', 'config.change', NOTICE, clientRecord(c), detail);
  }

  // --- lifecycle ---

  /** The first line of a newly opened log. */
  started(): void {
    this.meta('audit.start', {
      pid: process.pid,
      version: REDOUBT_VERSION,
      events: AUDIT_CLASSES.filter((c) => (this.mask & bit(c)) !== 0),
    });
  }

  /** SIGHUP: reopen the file by its name (log rotation). */
  reopen(): void {
    if (this.stopped) return;
    this.flush();
    this.sink.reopen();
    this.meta('audit.reopen', { signal: 'SIGHUP' });
  }

  /** CONFIG SET audit-log to another target: the old log says where, then closes. */
  switchSink(next: AuditSink, by: Client | null): void {
    this.meta('audit.stop', { to: next.target, by: by === null ? null : clientRecord(by) });
    this.flush();
    void this.sink.close();
    this.sink = next;
    this.started();
  }

  /** Audit logging turned off (CONFIG SET audit-log "") or the server stops. */
  async close(by: Client | null = null, why = 'shutdown'): Promise<void> {
    if (this.stopped) return;
    this.summarize();
    this.meta('audit.stop', { reason: why, by: by === null ? null : clientRecord(by) });
    this.stopped = true;
    this.flush();
    await this.sink.close();
  }

  // --- writing ---

  /** Class filter and rate limits. addr: the host to limit by, null for authenticated sources. */
  private admit(cls: AuditClass, addr: string | null): boolean {
    if ((this.mask & bit(cls)) === 0 || this.stopped) return false;
    if (this.limiter.allow(addr, this.now())) return true;
    if (this.summaryTimer === null) {
      this.summaryTimer = setTimeout(() => this.summarize(), SUMMARY_MS);
      this.summaryTimer.unref();
    }
    return false;
  }

  /** Writes one `audit.suppressed` line per address whose events were dropped. */
  summarize(): void {
    if (this.summaryTimer !== null) clearTimeout(this.summaryTimer);
    this.summaryTimer = null;
    for (const s of this.limiter.takeSuppressed(this.now(), MAX_SUMMARY_LINES)) {
      this.push('audit', 'audit.suppressed', WARNING, null, { addr: s.addr, count: s.count });
    }
  }

  private meta(event: string, detail: Record<string, unknown>): void {
    if (!this.stopped) this.push('audit', event, NOTICE, null, detail);
  }

  private push(cls: string, event: string, severity: number, client: object | null, detail: object): void {
    const ts = new Date(this.now()).toISOString();
    const text = JSON.stringify({ ts, class: cls, event, client, detail });
    this.pending.push({ text, event, severity });
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Hands the lines of this event-loop turn to the sink in one write. */
  flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    this.sink.write(lines);
  }
}

// ---- wiring ----------------------------------------------------------------------------------

/**
 * Opens the audit log audit-log names (refusing to start when it cannot be opened, as Redis
 * does for its logfile) and keeps it in step with CONFIG SET.
 */
export function installAudit(server: Server): void {
  const cfg = server.config;
  const kinds = auditedKinds(server.commands);
  const warn: Warn = (m) => server.log.warning(m);
  const syslog = (): SyslogOptions => ({
    target: cfg.str('audit-syslog-target'),
    facility: cfg.str('syslog-facility'),
    ident: cfg.str('syslog-ident'),
  });
  const create = (sink: AuditSink): AuditLog => {
    const log = new AuditLog(sink, {
      events: parseAuditEvents(cfg.str('audit-events')) ?? ALL_CLASSES,
      rate: cfg.int('audit-rate'),
      kinds,
    });
    log.started();
    return log;
  };
  const initial = cfg.str('audit-log');
  if (initial !== '') {
    try {
      server.audit = create(openSink(initial, syslog(), warn));
    } catch (e) {
      throw new Error(`Can't open the audit log ${initial}: ${(e as Error).message}`);
    }
  }
  /** Switches to the target `v` names; an error text rolls the CONFIG SET back. */
  const retarget = (v: string): string | null => {
    const by = server.currentClient;
    const current = server.audit;
    if (v === '') {
      server.audit = null;
      void current?.close(by, 'disabled');
      return null;
    }
    let sink: AuditSink;
    try {
      sink = openSink(v, syslog(), warn);
    } catch (e) {
      return `Can't open the audit log: ${(e as Error).message}`;
    }
    if (current === null) server.audit = create(sink);
    else current.switchSink(sink, by);
    return null;
  };
  // One hook for both: a CONFIG SET of both switches once, to the new target.
  const applyTarget = (): string | null => retarget(cfg.str('audit-log'));
  cfg.onApply('audit-log', applyTarget);
  cfg.onApply('audit-syslog-target', applyTarget);
  cfg.onApply('audit-events', (v) => (server.audit?.setEvents(parseAuditEvents(v) ?? ALL_CLASSES), null));
  cfg.onApply('audit-rate', (v) => (server.audit?.setRate(Number(v)), null));
  server.hooks.clientClosed.push((c) => server.audit?.closed(c));
}
