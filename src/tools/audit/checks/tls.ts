// Transport security: TLS on, plaintext port off, protocols, ciphers, client certificates,
// server cipher preference, replication and cluster bus over TLS, certificate expiry.

import { REF, type Finding } from '../findings.js';
import { cfg, type Snapshot } from '../snapshot.js';
import type { CheckOptions } from './types.js';

function tlsOn(s: Snapshot): boolean {
  const p = cfg(s, 'tls-port');
  return p !== undefined && p !== '0';
}

function offOrPlain(s: Snapshot): Finding[] {
  const port = cfg(s, 'port');
  if (port === undefined) return [];
  if (!tlsOn(s)) {
    if (port === '0') return [];
    return [
      {
        id: 'TLS-OFF',
        severity: 'medium',
        title: 'TLS is not enabled',
        seen: `tls-port 0, plaintext port ${port}`,
        why: 'Passwords and data cross the network in clear text, open to eavesdropping and tampering.',
        fix: 'Set tls-port, tls-cert-file, tls-key-file and tls-ca-cert-file (certificates from a trusted CA), then "port 0".',
        ref: REF.tlsOn,
      },
    ];
  }
  if (port === '0') return [];
  return [
    {
      id: 'TLS-PLAINTEXT-PORT',
      severity: 'medium',
      title: 'The plaintext port is still open',
      seen: `port ${port} next to tls-port ${cfg(s, 'tls-port')}`,
      why: 'Clients (and attackers) can skip TLS by using the plaintext port.',
      fix: 'Set "port 0" once every client uses TLS.',
      ref: REF.plaintextPort,
    },
  ];
}

function protocols(s: Snapshot): Finding[] {
  const v = cfg(s, 'tls-protocols');
  // Unset means Redis's default, TLSv1.2 and TLSv1.3.
  if (!tlsOn(s) || v === undefined || v.trim() === '') return [];
  const old = v.split(/\s+/).filter((p) => /^TLSv1(\.[01])?$/i.test(p));
  if (old.length === 0) return [];
  return [
    {
      id: 'TLS-PROTOCOLS',
      severity: 'high',
      title: 'Legacy TLS protocol versions allowed',
      seen: `tls-protocols "${v}"`,
      why: 'TLS 1.0 and 1.1 are deprecated (RFC 8996) and allow downgrade to weak ciphers.',
      fix: 'Set tls-protocols "TLSv1.2 TLSv1.3".',
      ref: REF.protocols,
    },
  ];
}

const WEAK_CIPHER =
  /(^|[-+_:])(RC4|DES|3DES|DES-CBC3|MD5|NULL|eNULL|aNULL|EXPORT|EXP|ADH|AECDH)(?=$|[-+_:])|^ALL$|^COMPLEMENTOFALL$/i;
const AEAD = /GCM|CHACHA20|CCM/i;
/** OpenSSL keywords that name a set rather than one suite: not judged as CBC-only. */
const KEYWORD =
  /^(HIGH|MEDIUM|DEFAULT|SECLEVEL=\d|@.*|ECDHE|EECDH|kEECDH|AESGCM|CHACHA20|AES256|AES128|AES|SUITEB\d*)$/i;

export function weakCipherEntries(list: string): { weak: string[]; cbcOnly: boolean } {
  const entries = list.split(/[:,\s]+/).filter((e) => e !== '' && !/^[!-]/.test(e));
  const weak = entries.filter((e) => WEAK_CIPHER.test(e.replace(/^\+/, '')));
  const suites = entries.filter((e) => !KEYWORD.test(e));
  const cbcOnly = suites.length > 0 && suites.length === entries.length && !suites.some((e) => AEAD.test(e));
  return { weak, cbcOnly };
}

function ciphers(s: Snapshot): Finding[] {
  if (!tlsOn(s)) return [];
  const out: string[] = [];
  const v = cfg(s, 'tls-ciphers') ?? '';
  if (v.trim() !== '') {
    const r = weakCipherEntries(v);
    if (r.weak.length > 0) out.push(`tls-ciphers allows ${r.weak.join(', ')}`);
    if (r.cbcOnly) out.push('tls-ciphers lists only CBC (non-AEAD) suites');
  }
  const suites = cfg(s, 'tls-ciphersuites') ?? '';
  const ccm8 = suites.split(':').filter((x) => /CCM_8/i.test(x));
  if (ccm8.length > 0) out.push(`tls-ciphersuites allows ${ccm8.join(', ')} (truncated tag)`);
  if (out.length === 0) return [];
  return [
    {
      id: 'TLS-CIPHERS',
      severity: 'medium',
      title: 'Weak cipher suites allowed',
      seen: out.join('; '),
      why: 'Broken or export-grade ciphers, anonymous key exchange and CBC-only lists weaken or void the encryption.',
      fix: 'Use ECDHE with AES-GCM or CHACHA20-POLY1305 only, e.g. tls-ciphers "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305".',
      ref: REF.ciphers,
    },
  ];
}

function clientAuth(s: Snapshot): Finding[] {
  const v = cfg(s, 'tls-auth-clients');
  if (!tlsOn(s) || v === undefined || v === 'yes') return [];
  return [
    {
      id: 'TLS-CLIENT-AUTH',
      severity: v === 'optional' ? 'low' : 'medium',
      title: 'Client certificates are not required',
      seen: `tls-auth-clients ${v}`,
      why: 'Without mutual TLS any client that reaches the port can try passwords; a client certificate is a second factor bound to the machine.',
      fix: 'Set "tls-auth-clients yes" and issue client certificates from your CA.',
      ref: REF.clientAuth,
    },
  ];
}

function preferServer(s: Snapshot): Finding[] {
  if (!tlsOn(s) || cfg(s, 'tls-prefer-server-ciphers') !== 'no') return [];
  return [
    {
      id: 'TLS-PREFER-SERVER-CIPHERS',
      severity: 'low',
      title: 'Client cipher preference wins',
      seen: 'tls-prefer-server-ciphers no',
      why: 'A client that prefers a weaker allowed suite gets it.',
      fix: 'Set "tls-prefer-server-ciphers yes".',
      ref: REF.preferServer,
    },
  ];
}

function replicaRole(s: Snapshot): boolean {
  return (
    (cfg(s, 'replicaof') ?? '') !== '' ||
    s.info?.get('role') === 'slave' ||
    Number(s.info?.get('connected_slaves') ?? 0) > 0
  );
}

function replication(s: Snapshot): Finding[] {
  if (!tlsOn(s) || cfg(s, 'tls-replication') !== 'no') return [];
  const active = replicaRole(s);
  return [
    {
      id: 'TLS-REPLICATION',
      severity: active ? 'medium' : 'low',
      title: 'Replication does not use TLS',
      seen: `tls-replication no${active ? ' while replication is in use' : ''}`,
      why: 'A replica receives the whole dataset and the replication password; in clear text both can be read on the wire.',
      fix: 'Set "tls-replication yes" on masters and replicas.',
      ref: REF.tlsReplication,
    },
  ];
}

function cluster(s: Snapshot): Finding[] {
  if (cfg(s, 'cluster-enabled') !== 'yes' || cfg(s, 'tls-cluster') === 'yes') return [];
  return [
    {
      id: 'TLS-CLUSTER',
      severity: 'medium',
      title: 'Cluster bus without TLS',
      seen: 'cluster-enabled yes, tls-cluster no',
      why: 'Gossip and failover messages travel in clear text and nodes do not authenticate each other.',
      fix: 'Set "tls-cluster yes" (and "tls-replication yes") on every node.',
      ref: REF.tlsCluster,
    },
  ];
}

function expiry(s: Snapshot, o: CheckOptions): Finding[] {
  const out: Finding[] = [];
  for (const c of s.certs) {
    const days = (c.notAfter.getTime() - o.now.getTime()) / 86400000;
    if (days > o.certDays) continue;
    const expired = days <= 0;
    out.push({
      id: 'TLS-CERT-EXPIRY',
      severity: expired ? 'critical' : days <= 7 ? 'high' : 'medium',
      title: expired ? 'Certificate expired' : 'Certificate expires soon',
      seen: `${c.source} (${c.subject}) ${expired ? 'expired' : 'expires'} ${c.notAfter.toISOString()}${expired ? '' : `, in ${Math.floor(days)} day(s)`}`,
      why: 'An expired certificate stops every TLS client, replica and cluster peer from connecting.',
      fix: 'Renew the certificate and reload it (CONFIG SET tls-cert-file ... re-reads it).',
      ref: REF.certExpiry,
    });
  }
  return out;
}

export function tlsChecks(s: Snapshot, o: CheckOptions): Finding[] {
  return [
    ...offOrPlain(s),
    ...protocols(s),
    ...ciphers(s),
    ...clientAuth(s),
    ...preferServer(s),
    ...replication(s),
    ...cluster(s),
    ...expiry(s, o),
  ];
}
