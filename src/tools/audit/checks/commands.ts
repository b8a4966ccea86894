// FLUSHALL, FLUSHDB, CONFIG, DEBUG and SHUTDOWN: renamed or removed, or at least reachable only
// by the admin. Who may run a command is decided by the ACL engine over its subcommands.

import { REF, type Finding } from '../findings.js';
import type { Snapshot } from '../snapshot.js';
import { DANGEROUS_COMMANDS, allows, leavesOf } from '../acl-eval.js';
import { cfg } from '../snapshot.js';
import { auditedUsers, type AuditedUser } from './users.js';

export const WATCHED = ['flushall', 'flushdb', 'config', 'debug', 'shutdown'] as const;

/** Why the command cannot be called by its name, or null when it can. */
function disabledBy(s: Snapshot, cmd: string): string | null {
  const r = s.renames?.find(([from]) => from.toLowerCase() === cmd);
  if (r !== undefined) return r[1] === '' ? 'removed by rename-command' : 'renamed by rename-command';
  if (s.unknownCommands.has(cmd)) return 'unknown to the server (renamed)';
  if (s.commandList !== null && !s.commandList.has(cmd)) return 'absent from COMMAND LIST (removed)';
  if (cmd === 'debug' && cfg(s, 'enable-debug-command') === 'no') return 'blocked by enable-debug-command no';
  return null;
}

/** Users allowed a dangerous part of the command (CONFIG HELP alone harms nobody). */
function reachableBy(users: AuditedUser[], cmd: string): AuditedUser[] {
  const leaves = leavesOf(cmd).filter((c) => DANGEROUS_COMMANDS.includes(c));
  return users.filter((u) => u.enabled && leaves.some((c) => allows(u.user, c)));
}

export function commandChecks(s: Snapshot): Finding[] {
  const available = WATCHED.filter((c) => disabledBy(s, c) === null);
  if (available.length === 0) return [];
  const users = auditedUsers(s);
  const base = { id: 'CMD-DANGEROUS-AVAILABLE', ref: REF.renamed };
  if (users === null) {
    return [
      {
        ...base,
        severity: 'info',
        title: 'Dangerous commands not renamed (users unknown)',
        seen: `available: ${available.join(', ').toUpperCase()}; the users could not be read to tell who may run them`,
        why: 'These commands wipe data, reconfigure or stop the server.',
        fix: 'Audit with ACL LIST access or --config to evaluate; consider rename-command NAME "" for the ones nobody needs.',
      },
    ];
  }
  // An admin that needs no password is everyone's admin: it does not count as restricted.
  const exposed: string[] = [];
  const adminOnly: string[] = [];
  for (const cmd of available) {
    const who = reachableBy(users, cmd);
    const open = who.filter((u) => !u.admin || u.free);
    const who2 = open.map((u) => (u.free ? `${u.name}, no password` : u.name));
    if (open.length > 0) exposed.push(`${cmd.toUpperCase()} (${who2.join('; ')})`);
    else if (who.length > 0) adminOnly.push(cmd.toUpperCase());
  }
  const out: Finding[] = [];
  if (exposed.length > 0) {
    out.push({
      ...base,
      severity: 'medium',
      title: 'Dangerous commands reachable by non-admin users',
      seen: `not renamed and allowed to: ${exposed.join('; ')}`,
      why: 'FLUSHALL/FLUSHDB wipe data, CONFIG SET and DEBUG reach the file system and internals, SHUTDOWN stops the service.',
      fix: 'Remove them from non-admin users ("-@dangerous") and disable what nobody needs with rename-command NAME "".',
    });
  }
  if (adminOnly.length > 0) {
    out.push({
      ...base,
      severity: 'info',
      title: 'Dangerous commands kept for the admin',
      seen: `available only to admin users: ${adminOnly.join(', ')}`,
      why: 'Only the admin credential can run them.',
      fix: 'Consider rename-command NAME "" for those the admin never uses.',
    });
  }
  return out;
}
