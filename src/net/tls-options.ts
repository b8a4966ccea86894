// From tls-* configs to Node secure-context options, with Redis 7.0.15's checks and log texts
// (tlsConfigure / createSSLContext in tls.c). Pure except for reading the files named by the
// configs; every failure is a TlsConfigError whose message is what the log says.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { constants as C, createHash } from 'node:crypto';
import type { SecureContextOptions, SecureVersion } from 'node:tls';
import type { ConfigStore } from '../config/store.js';

export class TlsConfigError extends Error {}

export const PROTO = { TLSv1: 1, 'TLSv1.1': 2, 'TLSv1.2': 4, 'TLSv1.3': 8 } as const;
const ORDER: readonly SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const NO_FLAG = [C.SSL_OP_NO_TLSv1, C.SSL_OP_NO_TLSv1_1, C.SSL_OP_NO_TLSv1_2, C.SSL_OP_NO_TLSv1_3];
/** Redis's default when tls-protocols is unset: TLS 1.2 and 1.3. */
export const PROTO_DEFAULT = PROTO['TLSv1.2'] | PROTO['TLSv1.3'];
/** OpenSSL's own defaults, which Redis keeps when tls-ciphers / tls-ciphersuites are unset. */
const OPENSSL_CIPHERS = 'DEFAULT';
const OPENSSL_SUITES = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256';

/** tls-protocols → bit set; unknown names fail (case-insensitive, split on single spaces). */
export function parseProtocols(value: string): number {
  if (value === '') return PROTO_DEFAULT;
  let bits = 0;
  for (const tok of value.split(' ')) {
    const t = tok.toLowerCase();
    const name = ORDER.find((p) => p.toLowerCase() === t);
    if (name === undefined) {
      throw new TlsConfigError(
        "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.",
      );
    }
    bits |= PROTO[name as keyof typeof PROTO];
  }
  return bits;
}

/** A protocol set as Node options: the min..max range, with gaps excluded by option flags. */
export function protocolRange(bits: number): { minVersion: SecureVersion; maxVersion: SecureVersion; off: number } {
  let lo = -1;
  let hi = -1;
  let off = 0;
  for (let i = 0; i < ORDER.length; i++) {
    if (bits & (1 << i)) {
      if (lo < 0) lo = i;
      hi = i;
    }
  }
  if (lo < 0) throw new TlsConfigError('Invalid tls-protocols configuration string');
  for (let i = lo; i <= hi; i++) if (!(bits & (1 << i))) off |= NO_FLAG[i]!;
  return { minVersion: ORDER[lo]!, maxVersion: ORDER[hi]!, off };
}

/** tls-ciphersuites (TLS 1.3) and tls-ciphers (up to 1.2) as Node's single cipher string. */
export function cipherString(ciphers: string, suites: string): string {
  const s = suites === '' ? OPENSSL_SUITES : suites;
  for (const part of s.split(':')) {
    if (part !== '' && !part.startsWith('TLS_'))
      throw new TlsConfigError(`Failed to configure ciphersuites: ${suites}`);
  }
  return `${s}:${ciphers === '' ? OPENSSL_CIPHERS : ciphers}`;
}

function readFile(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new TlsConfigError(`Failed to load ${what}: ${file}: ${err.code ?? err.message}`);
  }
}

/** Every certificate and CRL of a CA directory (OpenSSL's hashed-name dir, or plain .pem/.crt files). */
export function readCaDir(dir: string): { certs: Buffer[]; crls: Buffer[] } {
  const certs: Buffer[] = [];
  const crls: Buffer[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (e) {
    throw new TlsConfigError(
      `Failed to configure CA certificate(s) file/directory: ${dir}: ${(e as NodeJS.ErrnoException).code}`,
    );
  }
  for (const n of names) {
    const f = path.join(dir, n);
    let text: Buffer;
    try {
      if (!statSync(f).isFile()) continue;
      text = readFileSync(f);
    } catch {
      continue;
    }
    const s = text.toString('latin1');
    if (s.includes('-----BEGIN CERTIFICATE-----')) certs.push(text);
    if (s.includes('-----BEGIN X509 CRL-----')) crls.push(text);
  }
  return { certs, crls };
}

/** The tls-* settings one secure context is built from (a snapshot of the config). */
export interface TlsSettings {
  certFile: string;
  keyFile: string;
  keyPass: string;
  clientCertFile: string;
  clientKeyFile: string;
  clientKeyPass: string;
  dhFile: string;
  caFile: string;
  caDir: string;
  crlFile: string;
  protocols: string;
  ciphers: string;
  ciphersuites: string;
  preferServer: boolean;
  sessionCaching: boolean;
  sessionTimeout: number;
  authClients: string;
  cluster: boolean;
  replication: boolean;
}

export function readSettings(cfg: ConfigStore): TlsSettings {
  return {
    certFile: cfg.str('tls-cert-file'),
    keyFile: cfg.str('tls-key-file'),
    keyPass: cfg.str('tls-key-file-pass'),
    clientCertFile: cfg.str('tls-client-cert-file'),
    clientKeyFile: cfg.str('tls-client-key-file'),
    clientKeyPass: cfg.str('tls-client-key-file-pass'),
    dhFile: cfg.str('tls-dh-params-file'),
    caFile: cfg.str('tls-ca-cert-file'),
    caDir: cfg.str('tls-ca-cert-dir'),
    crlFile: cfg.str('tls-crl-file'),
    protocols: cfg.str('tls-protocols'),
    ciphers: cfg.str('tls-ciphers'),
    ciphersuites: cfg.str('tls-ciphersuites'),
    preferServer: cfg.bool('tls-prefer-server-ciphers'),
    sessionCaching: cfg.bool('tls-session-caching'),
    sessionTimeout: cfg.int('tls-session-cache-timeout'),
    authClients: cfg.str('tls-auth-clients'),
    cluster: cfg.bool('tls-cluster'),
    replication: cfg.bool('tls-replication'),
  };
}

/** The files a context was read from: what auto-reload watches. */
export function watchedFiles(s: TlsSettings): string[] {
  return [s.certFile, s.keyFile, s.caFile, s.crlFile, s.clientCertFile, s.clientKeyFile, s.dhFile].filter(
    (f) => f !== '',
  );
}

/**
 * SHA-256 over the name and bytes of every file the settings read (a missing file counts as
 * such): equal fingerprints mean nothing changed on disk.
 */
export function filesFingerprint(s: TlsSettings): string {
  const hash = createHash('sha256');
  const add = (file: string): void => {
    hash.update(file).update('\0');
    try {
      hash.update(readFileSync(file));
    } catch {
      hash.update('\0missing');
    }
    hash.update('\0');
  };
  for (const f of watchedFiles(s)) add(f);
  if (s.caDir !== '') {
    try {
      for (const n of readdirSync(s.caDir).sort()) add(path.join(s.caDir, n));
    } catch {
      hash.update('\0nodir');
    }
  }
  return hash.digest('hex');
}

/** The built options: server side, client side (replication), and what they were read from. */
export interface BuiltTls {
  server: SecureContextOptions;
  client: SecureContextOptions;
  /** The server certificate (PEM chain), for expiry reporting and cert-login checks. */
  certPem: Buffer;
  /** SHA-256 over every file's bytes: unchanged files give the same value. */
  fingerprint: string;
}

/**
 * Builds secure-context options from settings, in tlsConfigure's order of checks. Throws
 * TlsConfigError with the text Redis logs. Does not create the context itself.
 */
export function buildOptions(s: TlsSettings): BuiltTls {
  if (s.certFile === '') throw new TlsConfigError('No tls-cert-file configured!');
  if (s.keyFile === '') throw new TlsConfigError('No tls-key-file configured!');
  if ((s.authClients !== 'no' || s.cluster || s.replication) && s.caFile === '' && s.caDir === '') {
    throw new TlsConfigError(
      'Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!',
    );
  }
  const range = protocolRange(parseProtocols(s.protocols));
  const fingerprint = filesFingerprint(s);
  const load = readFile;
  const cert = load(s.certFile, 'certificate');
  const key = load(s.keyFile, 'private key');
  const ca: Buffer[] = [];
  const crl: Buffer[] = [];
  if (s.caFile !== '') ca.push(load(s.caFile, 'CA certificate(s) file'));
  if (s.caDir !== '') {
    const d = readCaDir(s.caDir);
    ca.push(...d.certs);
    crl.push(...d.crls);
  }
  if (s.crlFile !== '') crl.push(load(s.crlFile, 'CRL file'));
  const dh = s.dhFile !== '' ? load(s.dhFile, 'DH params file') : undefined;
  const ciphers = cipherString(s.ciphers, s.ciphersuites);
  let secureOptions = range.off | C.SSL_OP_NO_SSLv2 | C.SSL_OP_NO_SSLv3 | C.SSL_OP_NO_COMPRESSION;
  if (s.preferServer) secureOptions |= C.SSL_OP_CIPHER_SERVER_PREFERENCE;
  if (!s.sessionCaching) secureOptions |= C.SSL_OP_NO_TICKET;
  const common: SecureContextOptions = {
    ...(ca.length > 0 ? { ca } : {}),
    ...(crl.length > 0 ? { crl } : {}),
    ciphers,
    minVersion: range.minVersion,
    maxVersion: range.maxVersion,
    secureOptions,
    honorCipherOrder: s.preferServer,
  };
  const server: SecureContextOptions = {
    ...common,
    cert,
    key,
    ...(s.keyPass !== '' ? { passphrase: s.keyPass } : {}),
    dhparam: dh ?? 'auto',
    sessionIdContext: 'redis',
    ...(s.sessionCaching ? { sessionTimeout: s.sessionTimeout } : {}),
  };
  // The client side (replication) uses its own pair when both files are set, else the server's.
  let client: SecureContextOptions = { ...common, cert, key, ...(s.keyPass !== '' ? { passphrase: s.keyPass } : {}) };
  if (s.clientCertFile !== '' && s.clientKeyFile !== '') {
    client = {
      ...common,
      cert: load(s.clientCertFile, 'certificate'),
      key: load(s.clientKeyFile, 'private key'),
      ...(s.clientKeyPass !== '' ? { passphrase: s.clientKeyPass } : {}),
    };
  }
  return { server, client, certPem: cert, fingerprint };
}
