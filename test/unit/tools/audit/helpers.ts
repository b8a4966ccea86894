// Synthetic snapshots for the audit's unit tests: a config map over a "hardened" baseline and
// users given as ACL rules.

import { createHash } from 'node:crypto';
import { emptySnapshot, type Snapshot } from '../../../../src/tools/audit/snapshot.js';
import { userRules } from '../../../../src/tools/audit/local-files.js';
import { runChecks } from '../../../../src/tools/audit/checks/index.js';
import type { Finding } from '../../../../src/tools/audit/findings.js';

export const HASH = (p: string): string => '#' + createHash('sha256').update(p).digest('hex');

/** The configuration `redoubt init` writes, as CONFIG GET would print it. */
export const HARDENED: Record<string, string> = {
  bind: '127.0.0.1 -::1',
  'protected-mode': 'yes',
  port: '0',
  'tls-port': '25999',
  'tls-auth-clients': 'yes',
  'tls-protocols': 'TLSv1.2 TLSv1.3',
  'tls-ciphers': 'ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305',
  'tls-ciphersuites': 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256',
  'tls-prefer-server-ciphers': 'yes',
  'tls-replication': 'yes',
  'tls-cluster': 'yes',
  'cluster-enabled': 'no',
  aclfile: '/etc/redoubt/users.acl',
  logfile: '/var/log/redoubt.log',
  'syslog-enabled': 'no',
  maxmemory: '268435456',
  'enable-protected-configs': 'no',
  'enable-debug-command': 'no',
  'enable-module-command': 'no',
  requirepass: '',
  masterauth: '',
  masteruser: '',
  replicaof: '',
  'acllog-max-len': '128',
};

export const HARDENED_USERS: [string, string][] = [
  ['default', 'off resetpass resetkeys resetchannels -@all'],
  ['admin', `on ${HASH('a')} ~* &* +@all`],
  ['app', `on ${HASH('b')} ~app:* &app:* +@all -@dangerous`],
  ['cache', `on ${HASH('c')} %R~cache:* resetchannels -@all +@read +@connection -@dangerous`],
  ['analytics', `on ${HASH('d')} %R~* resetchannels -@all +@read +@connection -@write -@admin -@dangerous`],
  [
    'monitor',
    `on ${HASH('e')} resetkeys resetchannels -@all +ping +info +slowlog|get +slowlog|len +client|list +client|info +memory|stats +memory|doctor`,
  ],
];

export function snap(
  config: Record<string, string> = {},
  users: [string, string][] | null = HARDENED_USERS,
  extra: Partial<Snapshot> = {},
): Snapshot {
  const s = emptySnapshot();
  s.config = new Map(Object.entries({ ...HARDENED, ...config }));
  s.users = users === null ? null : users.map(([n, r]) => userRules(n, r.split(' '), 'aclfile'));
  s.renames = [
    ['FLUSHALL', ''],
    ['FLUSHDB', ''],
    ['DEBUG', ''],
  ];
  return Object.assign(s, extra);
}

export function audit(s: Snapshot, now = new Date()): Finding[] {
  return runChecks(s, { certDays: 30, now });
}

export function ids(list: readonly Finding[], min: Finding['severity'] = 'low'): string[] {
  const order = ['info', 'low', 'medium', 'high', 'critical'];
  return list.filter((f) => order.indexOf(f.severity) >= order.indexOf(min)).map((f) => f.id);
}

export function find(list: readonly Finding[], id: string): Finding | undefined {
  return list.find((f) => f.id === id);
}
