// TLS for client connections, like Redis 7.0.15's tls.c: one secure context built from the
// tls-* configs, swapped atomically (CONFIG SET builds the new one first and keeps the old one
// on failure; live connections keep theirs), client-certificate policy (tls-auth-clients
// yes|no|optional, anything else treated as yes), plus Redoubt's additions: reload when the
// files change on disk, certificate logins, a CRL, and certificate expiry in INFO and the log.
//
// Accepted TCP sockets of the TLS listeners are handed to one tls.Server that never listens
// itself: it runs the handshake and verification with whatever context is current.

import tls, { type TLSSocket, type SecureContextOptions } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Server } from '../server/server.js';
import type { Client } from '../server/client.js';
import { buildOptions, filesFingerprint, readSettings, TlsConfigError, type BuiltTls } from './tls-options.js';
import { certLogin, loginName } from './tls-login.js';
import { SessionCache } from './tls-sessions.js';

export const TLS_UPDATE_ERR = 'Unable to update TLS configuration. Check server logs.';
/** Configs whose change rebuilds the context (Redis's applyTlsCfg set, plus tls-crl-file). */
const CONTEXT_CONFIGS = [
  'tls-session-cache-size',
  'tls-session-cache-timeout',
  'tls-cluster',
  'tls-replication',
  'tls-prefer-server-ciphers',
  'tls-session-caching',
  'tls-cert-file',
  'tls-key-file',
  'tls-key-file-pass',
  'tls-client-cert-file',
  'tls-client-key-file',
  'tls-client-key-file-pass',
  'tls-dh-params-file',
  'tls-ca-cert-file',
  'tls-ca-cert-dir',
  'tls-protocols',
  'tls-ciphers',
  'tls-ciphersuites',
  'tls-crl-file',
];
const DAY_MS = 86400 * 1000;
const EXPIRY_WARN_DAYS = 30;
/** A peer that has not finished its handshake after this long is dropped. */
const HANDSHAKE_TIMEOUT_MS = 30000;

/**
 * Per-connection TLS state (client.ext.tls), shown by CLIENT LIST / CLIENT INFO and INFO.
 * Read from the socket on first use: decoding the peer certificate costs more than the rest
 * of accepting a connection, and most connections are never listed.
 */
export class ClientTls {
  private proto: string | null = null;
  private cipherName: string | null = null;
  private subject: string | null = null;

  constructor(private readonly socket: TLSSocket) {}

  get protocol(): string {
    return (this.proto ??= this.socket.getProtocol() ?? '');
  }

  get cipher(): string {
    return (this.cipherName ??= this.socket.getCipher()?.name ?? '');
  }

  /** The client certificate's subject, verified or not ('' when none was sent). */
  get peer(): string {
    if (this.subject === null) {
      const cert = this.socket.getPeerCertificate();
      this.subject =
        cert !== null && Object.keys(cert).length > 0
          ? subjectString(cert.subject as unknown as Record<string, string | string[]>)
          : '';
    }
    return this.subject;
  }
}

export interface TlsStats {
  handshakes: number;
  handshakeFailures: number;
  reloads: number;
  reloadFailures: number;
  certLogins: number;
  certLoginFailures: number;
  lastReload: number;
}

const managers = new WeakMap<Server, TlsManager>();

export function tlsManager(server: Server): TlsManager | undefined {
  return managers.get(server);
}

export class TlsManager {
  private engine: tls.Server | null = null;
  private built: BuiltTls | null = null;
  private reloadTimer: NodeJS.Timeout | null = null;
  /** A changed fingerprint seen once; loaded only when the next poll sees it again (settled). */
  private candidate: string | null = null;
  /** A fingerprint that failed to load: not retried until the files change again. */
  private failed: string | null = null;
  private lastExpiryWarn = 0;
  /** Server certificate validity end (ms since epoch), 0 when not configured. */
  certExpiry = 0;
  certSubject = '';
  readonly stats: TlsStats = {
    handshakes: 0,
    handshakeFailures: 0,
    reloads: 0,
    reloadFailures: 0,
    certLogins: 0,
    certLoginFailures: 0,
    lastReload: 0,
  };
  /** Sessions resumable by ID (a new context, with new ticket keys, starts empty). */
  readonly sessions: SessionCache;
  /** Called with each socket whose handshake (and client verification) succeeded. */
  onSecure: (socket: TLSSocket, rawFd: number) => void = () => {};

  constructor(private readonly server: Server) {
    managers.set(server, this);
    this.sessions = new SessionCache(server.config);
    const cfg = server.config;
    const apply = (): string | null => this.applyConfig();
    for (const name of CONTEXT_CONFIGS) cfg.onApply(name, apply);
    cfg.onApply('tls-auto-reload-interval', () => (this.startAutoReload(), null));
    server.hooks.cron.push(() => this.expiryCheck());
  }

  get configured(): boolean {
    return this.engine !== null;
  }

  /** Whether the configs ask for a TLS context (a TLS port, TLS replication or cluster bus). */
  wanted(): boolean {
    const cfg = this.server.config;
    return cfg.int('tls-port') !== 0 || cfg.bool('tls-replication') || cfg.bool('tls-cluster');
  }

  /** CONFIG SET of a context config: rebuild if TLS is in use (applyTlsCfg). */
  private applyConfig(): string | null {
    if (!this.wanted()) return null;
    return this.configure() ? null : TLS_UPDATE_ERR;
  }

  /**
   * Builds a new context from the current configs and swaps it in; on any failure logs why
   * and keeps the current one. Returns success.
   */
  configure(): boolean {
    const log = this.server.log;
    let built: BuiltTls;
    try {
      built = buildOptions(readSettings(this.server.config));
      // Build the context here: this is where bad keys, wrong passphrases and mismatched
      // pairs fail, before anything is swapped.
      tls.createSecureContext(built.server);
      tls.createSecureContext(built.client);
    } catch (e) {
      const msg = e instanceof TlsConfigError ? e.message : `Failed to configure TLS context: ${(e as Error).message}`;
      log.warning(msg);
      return false;
    }
    try {
      if (this.engine === null) this.engine = this.makeEngine(built.server);
      else this.engine.setSecureContext(built.server);
    } catch (e) {
      log.warning(`Failed to configure TLS context: ${(e as Error).message}`);
      return false;
    }
    this.built = built;
    this.sessions.clear();
    this.failed = null;
    this.candidate = null;
    this.noteCertificate(built.certPem);
    this.startAutoReload();
    return true;
  }

  /** The options a TLS client connection of this server (replication) should use. */
  clientOptions(): SecureContextOptions | null {
    return this.built?.client ?? null;
  }

  private makeEngine(opts: SecureContextOptions): tls.Server {
    const engine = new tls.Server({ ...opts, handshakeTimeout: HANDSHAKE_TIMEOUT_MS });
    engine.on('secureConnection', (s: TLSSocket) => this.secured(s));
    engine.on('newSession', (id: Buffer, data: Buffer, done: () => void) => {
      this.sessions.store(id, data);
      done();
    });
    engine.on('resumeSession', (id: Buffer, done: (err: null, data: Buffer | null) => void) =>
      done(null, this.sessions.lookup(id)),
    );
    engine.on('tlsClientError', (err: Error, s: TLSSocket) => {
      this.stats.handshakeFailures++;
      this.refused(s, err.message);
    });
    return engine;
  }

  /** Starts the handshake of an accepted TCP socket of a TLS listener. */
  accept(raw: Socket, fd: number): void {
    const engine = this.engine;
    if (engine === null) {
      raw.destroy();
      return;
    }
    // Read per connection, like Redis: a CONFIG SET applies to the next handshake. Node never
    // rejects by itself (rejectUnauthorized off): secured() decides, so refusals are logged.
    const mode = this.server.config.str('tls-auth-clients');
    accepted.set(raw, { fd, mode });
    const e = engine as unknown as { requestCert: boolean; rejectUnauthorized: boolean };
    e.requestCert = mode !== 'no';
    e.rejectUnauthorized = false;
    engine.emit('connection', raw);
  }

  private secured(s: TLSSocket): void {
    const raw = (s as unknown as { _parent?: Socket })._parent;
    const acc = (raw && accepted.get(raw)) ?? { fd: -1, mode: 'yes' };
    // yes (and anything unknown): a verified certificate is required. optional: none is
    // fine, but one that was sent must verify. no: nothing is checked.
    if (acc.mode !== 'no' && !s.authorized && (acc.mode !== 'optional' || this.peerSent(s))) {
      this.stats.handshakeFailures++;
      this.refused(s, String(s.authorizationError ?? 'no client certificate'));
      return;
    }
    this.stats.handshakes++;
    this.onSecure(s, acc.fd);
  }

  /** A failed handshake or verification: logged like Redis's accept error, then dropped. */
  private refused(s: TLSSocket, why: string): void {
    this.server.audit?.tlsReject(s, why);
    const raw = (s as unknown as { _parent?: Socket })._parent;
    const fd = (raw && accepted.get(raw)?.fd) ?? -1;
    this.server.log.warning(
      `Error accepting a client connection: ${why} (conn: fd=${fd}, addr=${s.remoteAddress}:${s.remotePort})`,
    );
    s.destroy();
  }

  private peerSent(s: TLSSocket): boolean {
    const c = s.getPeerCertificate();
    return c !== null && Object.keys(c).length > 0;
  }

  /** Records the TLS state of a new client and performs a certificate login if configured. */
  attach(c: Client, s: TLSSocket): boolean {
    const info = new ClientTls(s);
    c.ext.tls = info;
    const mode = this.server.config.str('tls-auth-clients-user');
    if (mode === 'off' || !s.authorized) return true;
    const peer = s.getPeerCertificate();
    if (peer === null || Object.keys(peer).length === 0) return true;
    const name = loginName(mode, peer);
    if (name === null) return true;
    if (!name.ok) {
      this.stats.certLoginFailures++;
      this.server.audit?.auth(c, '', name.reason, 'certificate');
      this.server.log.warning(`Refusing TLS client ${c.addr}: certificate login: ${name.reason}`);
      return false;
    }
    if (certLogin(c, name.name)) {
      this.stats.certLogins++;
      this.server.log.verbose(`Client ${c.addr} authenticated by certificate as user '${name.name}'`);
    } else {
      this.stats.certLoginFailures++;
      this.server.audit?.auth(c, name.name, 'no-such-user', 'certificate');
      this.server.log.verbose(`Certificate of ${c.addr} names '${name.name}': no such enabled user, not authenticated`);
    }
    return true;
  }

  private noteCertificate(pem: Buffer): void {
    try {
      const x = new X509Certificate(pem);
      this.certExpiry = Date.parse(x.validTo);
      this.certSubject = x.subject.replace(/\n/g, ', ');
    } catch {
      this.certExpiry = 0;
      this.certSubject = '';
    }
    this.lastExpiryWarn = 0;
    this.expiryCheck();
  }

  /** Days left on the server certificate (negative once expired); null when not configured. */
  daysLeft(now = Date.now()): number | null {
    return this.certExpiry === 0 ? null : Math.floor((this.certExpiry - now) / DAY_MS);
  }

  /** Warns in the log when the server certificate ends within 30 days (at most once an hour). */
  private expiryCheck(): void {
    const days = this.daysLeft();
    if (days === null || days >= EXPIRY_WARN_DAYS) return;
    const now = Date.now();
    if (now - this.lastExpiryWarn < 3600 * 1000) return;
    this.lastExpiryWarn = now;
    const when = new Date(this.certExpiry).toISOString();
    this.server.log.warning(
      days < 0
        ? `WARNING: the TLS server certificate expired on ${when}`
        : `WARNING: the TLS server certificate expires in ${days} days (${when})`,
    );
  }

  /** (Re)starts the file watcher per tls-auto-reload-interval (0 stops it). */
  startAutoReload(): void {
    if (this.reloadTimer !== null) clearInterval(this.reloadTimer);
    this.reloadTimer = null;
    const secs = this.server.config.int('tls-auto-reload-interval');
    if (secs <= 0 || this.engine === null) return;
    this.reloadTimer = setInterval(() => this.poll(), secs * 1000);
    this.reloadTimer.unref();
  }

  /**
   * One auto-reload check. Unchanged files do nothing. Changed files are loaded only once the
   * same contents are seen on two polls in a row, so a pair being rewritten is not picked up
   * half-way; a load that fails (say, a new certificate with the old key) keeps the current
   * context and is not retried until the files change again.
   */
  poll(): 'unchanged' | 'settling' | 'reloaded' | 'failed' {
    if (this.built === null) return 'unchanged';
    const fp = filesFingerprint(readSettings(this.server.config));
    if (fp === this.built.fingerprint || fp === this.failed) {
      this.candidate = null;
      return 'unchanged';
    }
    if (fp !== this.candidate) {
      this.candidate = fp;
      return 'settling';
    }
    const log = this.server.log;
    if (this.configure()) {
      this.stats.reloads++;
      this.stats.lastReload = Date.now();
      log.notice(
        `TLS certificate files changed on disk: reloaded (certificate ${this.certSubject}, valid until ${new Date(this.certExpiry).toISOString()})`,
      );
      return 'reloaded';
    }
    this.stats.reloadFailures++;
    this.failed = fp;
    this.candidate = null;
    log.warning('TLS certificate files changed on disk but could not be loaded: the previous ones stay in use');
    return 'failed';
  }

  stop(): void {
    if (this.reloadTimer !== null) clearInterval(this.reloadTimer);
    this.reloadTimer = null;
  }
}

/** What accept() knew of each raw socket: its fd and the tls-auth-clients mode then. */
const accepted = new WeakMap<Socket, { fd: number; mode: string }>();

/** A certificate subject as one line: "CN=x,O=y" (repeated fields repeated). */
export function subjectString(subject: Record<string, string | string[]> | undefined): string {
  if (subject === undefined) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(subject)) {
    for (const one of Array.isArray(v) ? v : [v]) parts.push(`${k}=${one}`);
  }
  return parts.join(',');
}
