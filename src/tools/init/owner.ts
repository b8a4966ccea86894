// `--owner user[:group]` for `redoubt init` run as root: the files must belong to the account the
// server runs as (key files owned by the server's user, per the transport checklist). Node has
// no getpwnam, so names are looked up in /etc/passwd and /etc/group.

import { readFileSync } from 'node:fs';

export interface Owner {
  uid: number;
  gid: number;
}

function lookup(file: string, name: string, field: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const parts = line.split(':');
    if (parts[0] === name && parts[field] !== undefined) return Number(parts[field]);
  }
  return undefined;
}

function numeric(s: string): number | undefined {
  return /^[0-9]+$/.test(s) ? Number(s) : undefined;
}

export function parseOwner(spec: string): Owner | string {
  const [user, group] = spec.split(':', 2) as [string, string?];
  const uid = numeric(user) ?? lookup('/etc/passwd', user, 2);
  if (uid === undefined) return `unknown user '${user}'`;
  let gid: number | undefined;
  if (group !== undefined && group !== '') {
    gid = numeric(group) ?? lookup('/etc/group', group, 2);
    if (gid === undefined) return `unknown group '${group}'`;
  } else {
    // The user's primary group, from its passwd line (numeric users keep their uid as gid).
    gid = numeric(user) !== undefined ? uid : lookup('/etc/passwd', user, 3);
  }
  if (gid === undefined) return `no primary group for '${user}'`;
  return { uid, gid };
}
