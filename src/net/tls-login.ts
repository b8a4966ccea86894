// Certificate logins (tls-auth-clients-user cn|uri): a client whose certificate was verified
// against the configured CA is authenticated as the ACL user its certificate names. Names that
// are ambiguous or forged are refused outright: several CNs, several URIs, a NUL or any control
// character (an embedded NUL let "admin\0.evil" pass as "admin" in C string comparisons).

import type { PeerCertificate } from 'node:tls';
import type { Client } from '../server/client.js';

export type LoginName = { ok: true; name: string } | { ok: false; reason: string } | null;

// Control characters, and any backslash: Node's subject printer escapes unusual bytes (a NUL
// comes out as "\\00"), so an escaped name is refused rather than guessed at.
const CONTROL = /[\u0000-\u001f\u007f\\]/;

function checkName(name: string, what: string): LoginName {
  if (name === '') return { ok: false, reason: `empty ${what}` };
  if (CONTROL.test(name)) return { ok: false, reason: `${what} contains a NUL, a control character or an escape` };
  return { ok: true, name };
}

/** The subject CN: exactly one, printable. */
export function nameFromCN(cert: PeerCertificate): LoginName {
  const cn = (cert.subject as unknown as Record<string, string | string[] | undefined> | undefined)?.CN;
  if (cn === undefined) return null;
  if (Array.isArray(cn)) return { ok: false, reason: 'several CNs in the certificate subject' };
  return checkName(cn, 'CN');
}

/** Splits Node's subjectaltname ("DNS:a, URI:b", values with ", " JSON-quoted). */
export function sanEntries(san: string): [string, string][] {
  const out: [string, string][] = [];
  let i = 0;
  while (i < san.length) {
    const colon = san.indexOf(':', i);
    if (colon < 0) break;
    const type = san.slice(i, colon);
    let value: string;
    let next: number;
    if (san[colon + 1] === '"') {
      // A JSON string: find its closing quote (skipping escapes).
      let j = colon + 2;
      while (j < san.length && san[j] !== '"') j += san[j] === '\\' ? 2 : 1;
      try {
        value = JSON.parse(san.slice(colon + 1, j + 1)) as string;
      } catch {
        value = '\u0000';
      }
      next = san.indexOf(', ', j);
    } else {
      next = san.indexOf(', ', colon);
      value = san.slice(colon + 1, next < 0 ? san.length : next);
    }
    out.push([type, value]);
    if (next < 0) break;
    i = next + 2;
  }
  return out;
}

/** The single SAN URI. */
export function nameFromURI(cert: PeerCertificate): LoginName {
  const uris = sanEntries(cert.subjectaltname ?? '').filter(([t]) => t === 'URI');
  if (uris.length === 0) return null;
  if (uris.length > 1) return { ok: false, reason: 'several URIs in the certificate' };
  return checkName(uris[0]![1], 'URI');
}

/** mode: tls-auth-clients-user's value ('cn', 'uri'; anything else logs nobody in). */
export function loginName(mode: string, cert: PeerCertificate): LoginName {
  if (mode === 'cn') return nameFromCN(cert);
  if (mode === 'uri') return nameFromURI(cert);
  return null;
}

/**
 * What the ACL layer offers for certificate logins: authenticate `c` as `user` if that user
 * exists and is enabled (no password check: the certificate is the credential). A provider
 * may implement loginByCertificate itself; otherwise the ACL provider's user store and
 * setClientUser are used (src/acl/provider.ts); with the open provider (no ACL layer), only
 * the always-enabled `default` user can be logged into.
 */
export interface CertLoginCapable {
  loginByCertificate(c: Client, user: string): boolean;
}

interface AclShape<U> {
  users: { get(name: string): U | undefined };
  setClientUser(c: Client, u: U): void;
}

export function certLogin(c: Client, user: string): boolean {
  const sec = c.server.security as Partial<CertLoginCapable> & Partial<AclShape<{ disabled: boolean }>>;
  if (typeof sec.loginByCertificate === 'function') return sec.loginByCertificate(c, user);
  if (sec.users !== undefined && typeof sec.setClientUser === 'function') {
    const u = sec.users.get(user);
    if (u === undefined || u.disabled) return false;
    c.authenticated = true;
    sec.setClientUser(c, u);
    return true;
  }
  if (user !== 'default') return false;
  c.user = 'default';
  c.authenticated = true;
  return true;
}
