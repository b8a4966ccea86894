// Files on disk: private keys 0400/0600 owned by the server's user; configuration and ACL file
// not accessible by others (group write counts too); log file not readable by others.

import { REF, type Finding, type Severity } from '../findings.js';
import { cfg, type FileInfo, type Snapshot } from '../snapshot.js';
import { KEY_CONFIGS, resolvePath } from '../local-files.js';

function info(s: Snapshot, p: string): FileInfo | null {
  const v = s.files.get(p);
  return v === undefined || typeof v === 'string' ? null : v;
}

function configured(s: Snapshot, name: string): string | null {
  const v = cfg(s, name);
  return v === undefined || v === '' ? null : resolvePath(v, cfg(s, 'dir'));
}

const octal = (m: number): string => '0' + m.toString(8).padStart(3, '0');

/** The uid key files must belong to: the server process's, else the config file's owner. */
function expectedOwner(s: Snapshot): { uid: number; basis: string } | null {
  if (s.processUid !== null) return { uid: s.processUid, basis: 'the server process' };
  const conf = s.configFile === null ? null : info(s, s.configFile);
  return conf === null ? null : { uid: conf.uid, basis: 'the config file' };
}

function keyFiles(s: Snapshot): Finding[] {
  const out: Finding[] = [];
  const owner = expectedOwner(s);
  for (const name of KEY_CONFIGS) {
    const p = configured(s, name);
    const f = p === null ? null : info(s, p);
    if (f === null) continue;
    if ((f.mode & 0o177) !== 0) {
      out.push({
        id: 'FILE-KEY-PERMS',
        severity: (f.mode & 0o044) !== 0 ? 'high' : 'medium',
        title: 'Private key readable or writable beyond its owner',
        seen: `${name} ${f.path} has mode ${octal(f.mode)}`,
        why: 'Whoever reads the key can impersonate the server or decrypt recorded traffic.',
        fix: `chmod 400 ${f.path}`,
        ref: REF.keyPerms,
      });
    }
    if (owner !== null && f.uid !== owner.uid) {
      out.push({
        id: 'FILE-KEY-OWNER',
        severity: 'medium',
        title: 'Private key not owned by the server user',
        seen: `${name} ${f.path} is owned by uid ${f.uid}, ${owner.basis} by uid ${owner.uid}`,
        why: 'A key owned by another account can be read or replaced by that account.',
        fix: `chown the key to the user the server runs as (uid ${owner.uid}) and keep it mode 400.`,
        ref: REF.keyOwner,
      });
    }
  }
  return out;
}

function privateFile(s: Snapshot, what: string, p: string | null, hasSecrets: boolean): Finding[] {
  const f = p === null ? null : info(s, p);
  if (f === null) return [];
  const other = f.mode & 0o007;
  const groupWrite = (f.mode & 0o020) !== 0;
  if (other === 0 && !groupWrite) return [];
  let severity: Severity = other !== 0 ? 'medium' : 'low';
  if ((other & 0o002) !== 0 || (hasSecrets && (other & 0o004) !== 0)) severity = 'high';
  return [
    {
      id: 'FILE-CONFIG-PERMS',
      severity,
      title: `${what} accessible by other users`,
      seen: `${f.path} has mode ${octal(f.mode)}`,
      why: 'Other local accounts can read credentials from it or, when writable, change what the server loads.',
      fix: `chmod 600 ${f.path} (or 640 with a dedicated group)`,
      ref: REF.configPerms,
    },
  ];
}

function logFile(s: Snapshot): Finding[] {
  const p = configured(s, 'logfile');
  const f = p === null ? null : info(s, p);
  if (f === null || (f.mode & 0o006) === 0) return [];
  return [
    {
      id: 'FILE-LOG-PERMS',
      severity: 'low',
      title: 'Log file accessible by other users',
      seen: `${f.path} has mode ${octal(f.mode)}`,
      why: 'Logs name clients, users and addresses; others should not read or alter them.',
      fix: `chmod 640 ${f.path}`,
      ref: REF.logPerms,
    },
  ];
}

export function fileChecks(s: Snapshot): Finding[] {
  const plainInAcl = (s.users ?? []).some((u) => u.plaintext.length > 0);
  const confSecrets = (cfg(s, 'requirepass') ?? '') !== '' || (cfg(s, 'masterauth') ?? '') !== '' || plainInAcl;
  return [
    ...keyFiles(s),
    ...privateFile(s, 'Configuration file', s.configFile, confSecrets),
    ...privateFile(s, 'ACL file', configured(s, 'aclfile'), plainInAcl),
    ...logFile(s),
  ];
}
