// Facts about files named by a configuration, read on this host: modes and owners, the
// certificates' validity, the users of an ACL file. Used by the config source, and by the live
// source when the server is on this machine (loopback).

import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CertInfo, FileInfo, Snapshot, UserRules } from './snapshot.js';

/** Config parameters whose value is a file path worth examining. */
export const PATH_CONFIGS = [
  'aclfile',
  'tls-key-file',
  'tls-client-key-file',
  'tls-cert-file',
  'tls-client-cert-file',
  'tls-ca-cert-file',
  'logfile',
] as const;

export const KEY_CONFIGS = ['tls-key-file', 'tls-client-key-file'] as const;
export const CERT_CONFIGS = ['tls-cert-file', 'tls-client-cert-file', 'tls-ca-cert-file'] as const;

/** A path as the server resolves it: relative ones against its working directory (`dir`). */
export function resolvePath(p: string, dir: string | undefined): string {
  return path.resolve(dir !== undefined && dir !== '' ? dir : process.cwd(), p);
}

export function statFile(p: string): FileInfo | 'missing' | 'unreadable' {
  try {
    const st = statSync(p);
    return { path: p, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable';
  }
}

/** Every certificate of a PEM file (a CA bundle may hold several); [] when unreadable. */
export function readCerts(file: string): CertInfo[] {
  let text: string;
  try {
    text = readFileSync(file, 'latin1');
  } catch {
    return [];
  }
  const out: CertInfo[] = [];
  for (const m of text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)) {
    try {
      const x = new X509Certificate(m[0]);
      out.push({ source: file, subject: x.subject.replace(/\n/g, ', '), notAfter: new Date(x.validTo) });
    } catch {
      // Not a certificate after all: nothing to say about its expiry.
    }
  }
  return out;
}

/** The `user` lines of an ACL file, split like ACL LOAD does; null when unreadable. */
export function readAclFile(file: string): UserRules[] | null {
  let text: string;
  try {
    text = readFileSync(file, 'latin1');
  } catch {
    return null;
  }
  const users: UserRules[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const argv = line.split(' ').filter((a) => a !== '');
    if (argv[0] !== 'user' || argv.length < 2) continue;
    users.push(userRules(argv[1]!, argv.slice(2), 'aclfile'));
  }
  return users;
}

export function userRules(name: string, rules: readonly string[], origin: UserRules['origin']): UserRules {
  return { name, rules, origin, plaintext: rules.filter((r) => r.startsWith('>')).map((r) => r.slice(1)) };
}

/** Stats the files and reads the certificates the configuration names. */
export function collectFiles(s: Snapshot, config: Map<string, string>): void {
  const dir = config.get('dir');
  for (const name of PATH_CONFIGS) {
    const v = config.get(name);
    if (v === undefined || v === '') continue;
    const p = resolvePath(v, dir);
    s.files.set(p, statFile(p));
  }
  for (const name of CERT_CONFIGS) {
    const v = config.get(name);
    if (v === undefined || v === '') continue;
    for (const c of readCerts(resolvePath(v, dir)))
      if (!s.certs.some((x) => x.source === c.source && x.subject === c.subject)) s.certs.push(c);
  }
}
