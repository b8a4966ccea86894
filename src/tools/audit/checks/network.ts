// Network exposure: bind addresses, protected mode, the well-known port.

import { REF, type Finding } from '../findings.js';
import { cfg, type Snapshot } from '../snapshot.js';
import { auditedUsers } from './users.js';

const WILDCARDS = new Set(['*', '0.0.0.0', '::', '::*']);

function isLoopbackAddr(a: string): boolean {
  return a === '::1' || a === 'localhost' || /^127\./.test(a);
}

function listens(s: Snapshot): boolean {
  return cfg(s, 'port') !== '0' || (cfg(s, 'tls-port') ?? '0') !== '0';
}

function bindCheck(s: Snapshot): Finding[] {
  const bind = cfg(s, 'bind');
  if (bind === undefined || !listens(s)) return [];
  // A leading "-" only makes a missing address non-fatal; it is still bound when present.
  const addrs = bind
    .split(' ')
    .filter((a) => a !== '')
    .map((a) => a.replace(/^-/, ''));
  const base = { id: 'NET-BIND', title: 'Listening addresses', ref: REF.bind };
  if (addrs.length === 0 || addrs.some((a) => WILDCARDS.has(a))) {
    return [
      {
        ...base,
        severity: 'high',
        title: 'Listening on every network interface',
        seen: `bind "${bind}"`,
        why: 'Every network the host is attached to can reach the server; exposed instances are found and abused within hours.',
        fix: 'Bind to loopback and the specific private addresses clients use, e.g. "bind 127.0.0.1 -::1 10.0.1.5".',
      },
    ];
  }
  const external = addrs.filter((a) => !isLoopbackAddr(a));
  if (external.length === 0) return [];
  return [
    {
      ...base,
      severity: 'info',
      seen: `bind "${bind}" (non-loopback: ${external.join(', ')})`,
      why: 'These addresses are reachable from their networks; the checklist requires them to be trusted networks.',
      fix: 'Keep these networks private and restrict who can reach the port with a firewall or security group.',
    },
  ];
}

function protectedModeCheck(s: Snapshot): Finding[] {
  if (cfg(s, 'protected-mode') !== 'no') return [];
  const free = auditedUsers(s)?.some((u) => u.free && u.name === 'default') ?? true;
  return [
    {
      id: 'NET-PROTECTED-MODE',
      severity: free ? 'high' : 'medium',
      title: 'Protected mode is off',
      seen: `protected-mode no${free ? ' and the default user needs no password' : ''}`,
      why: 'Protected mode is the last safety net that refuses non-loopback clients while no password is set.',
      fix: 'Set "protected-mode yes" (it does not get in the way once users have passwords).',
      ref: REF.protectedMode,
    },
  ];
}

function portCheck(s: Snapshot): Finding[] {
  const ports = [cfg(s, 'port'), cfg(s, 'tls-port')].filter((p) => p === '6379');
  if (ports.length === 0) return [];
  return [
    {
      id: 'NET-DEFAULT-PORT',
      severity: 'info',
      title: 'Default port 6379',
      seen: 'a listener uses port 6379',
      why: 'Automated scans look for 6379 first; another port keeps casual scanners away (it is no protection against a targeted attacker).',
      fix: 'Consider another port or tls-port.',
      ref: REF.port,
    },
  ];
}

export function networkChecks(s: Snapshot): Finding[] {
  return [...bindCheck(s), ...protectedModeCheck(s), ...portCheck(s)];
}
