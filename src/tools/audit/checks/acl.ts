// Accounts: authentication on, the default user, @dangerous per user, admins, passwords
// (clear text in files, strength where the clear text is known), requirepass, the ACL file and
// the ACL log.

import { REF, type Finding, type Severity } from '../findings.js';
import { cfg, type Snapshot } from '../snapshot.js';
import { DANGEROUS_COMMANDS, dangerousAllowed } from '../acl-eval.js';
import { passwordStrength } from '../password.js';
import { auditedUsers, names, type AuditedUser } from './users.js';

function authNone(users: AuditedUser[]): Finding[] {
  const free = users.filter((u) => u.free);
  if (free.length === 0) return [];
  return [
    {
      id: 'AUTH-NONE',
      severity: 'critical',
      title: 'Users that need no password',
      seen: `enabled with nopass: ${names(free)}`,
      why: 'Anyone who can open a connection is authenticated as this user, with all of its permissions.',
      fix: 'Give every enabled user a strong password stored hashed (#<sha256>), or disable it ("off").',
      ref: `${REF.authEnabled}; ${REF.defaultUser}`,
    },
  ];
}

function defaultUser(users: AuditedUser[]): Finding[] {
  const d = users.find((u) => u.name === 'default');
  if (d === undefined || !d.enabled || d.free) return [];
  return [
    {
      id: 'ACL-DEFAULT-USER',
      severity: d.admin ? 'medium' : 'low',
      title: 'The default user is enabled',
      seen: `user default is on${d.admin ? ' with every command' : ''}`,
      why: 'Clients that send only a password (AUTH <password>) log in as default; a named user per application is auditable and least-privileged.',
      fix: 'Set "user default off" unless old clients need it, and give applications their own users.',
      ref: REF.defaultUser,
    },
  ];
}

/** Admins: allowed every command. One is expected; more dilute accountability. */
function admins(users: AuditedUser[]): Finding[] {
  const list = users.filter((u) => u.admin);
  if (list.length <= 1) {
    return list
      .filter((u) => !u.free)
      .map((u) => ({
        id: 'ACL-DANGEROUS',
        severity: 'info' as Severity,
        title: 'Admin user',
        seen: `user ${u.name} is allowed every command (including @dangerous)`,
        why: 'One administrative account is expected; keep its password strong and its use rare.',
        fix: 'Nothing to do if this is the intended admin.',
        ref: REF.dangerous,
      }));
  }
  return [
    {
      id: 'ACL-ADMINS',
      severity: 'medium',
      title: 'More than one admin user',
      seen: `${list.length} enabled users are allowed every command: ${names(list)}`,
      why: 'Every extra account with @all is one more credential that can flush, reconfigure or shut down the server.',
      fix: 'Keep one admin; give the others "+@all -@dangerous" or narrower rules.',
      ref: REF.dangerous,
    },
  ];
}

/** @dangerous for users that are not admins: a whole category's worth, or a few granted one by one. */
function dangerous(users: AuditedUser[]): Finding[] {
  const out: Finding[] = [];
  const total = DANGEROUS_COMMANDS.length;
  for (const u of users) {
    if (!u.enabled || u.admin) continue;
    const allowed = dangerousAllowed(u.user);
    if (allowed.length === 0) continue;
    const broad = allowed.length * 2 >= total;
    const sample = allowed.slice(0, 8).map((c) => c.fullname);
    out.push({
      id: 'ACL-DANGEROUS',
      severity: broad ? 'medium' : 'info',
      title: broad ? 'Non-admin user with the @dangerous category' : 'Dangerous commands granted case by case',
      seen: broad
        ? `user ${u.name} may run ${allowed.length} of ${total} @dangerous commands`
        : `user ${u.name} may run ${allowed.map((c) => c.fullname).join(', ')}`,
      why: broad
        ? 'Commands such as FLUSHALL, CONFIG SET, DEBUG, SHUTDOWN and MIGRATE are available to an application credential.'
        : 'The checklist allows dangerous commands given one by one; review that these are still needed.',
      fix: broad
        ? `Add "-@dangerous" to ${u.name}'s rules and grant back single commands only where needed (e.g. ${sample.slice(0, 2).join(', ')}).`
        : 'Nothing to do if these grants are intended.',
      ref: REF.dangerous,
    });
  }
  return out;
}

function plaintext(users: AuditedUser[]): Finding[] {
  const list = users.filter((u) => u.rules.plaintext.length > 0);
  if (list.length === 0) return [];
  return [
    {
      id: 'ACL-PASSWORD-PLAINTEXT',
      severity: 'high',
      title: 'Passwords stored in clear text',
      seen: `">password" rules in the configuration or ACL file for: ${names(list)}`,
      why: 'Anyone who can read the file (backups, config management, support bundles) learns the credentials.',
      fix: 'Store "#<sha256>" instead (redoubt hashpass prints the rule), and rotate the exposed passwords.',
      ref: REF.passwordHashed,
    },
  ];
}

/** Every clear-text credential the sources revealed, by what it is. */
function knownPasswords(s: Snapshot, users: AuditedUser[] | null): [string, string][] {
  const out: [string, string][] = [];
  for (const u of users ?? []) for (const p of u.rules.plaintext) out.push([`user ${u.name}`, p]);
  for (const name of ['requirepass', 'masterauth']) {
    const v = cfg(s, name);
    if (v !== undefined && v !== '') out.push([name, v]);
  }
  return out;
}

function weak(s: Snapshot, users: AuditedUser[] | null): Finding[] {
  const bad = knownPasswords(s, users)
    .map(([who, p]) => [who, passwordStrength(p)] as const)
    .filter(([, st]) => st.weak);
  if (bad.length === 0) return [];
  return [
    {
      id: 'ACL-PASSWORD-WEAK',
      severity: 'high',
      title: 'Weak passwords',
      seen: bad.map(([who, st]) => `${who}: ${st.reason}`).join('; '),
      why: 'The server answers thousands of AUTH attempts per second; short or guessable passwords fall to brute force.',
      fix: 'Use at least 32 random characters (redoubt genpass prints 64 hex characters).',
      ref: REF.passwordStrength,
    },
  ];
}

function requirepass(s: Snapshot): Finding[] {
  const v = cfg(s, 'requirepass');
  if (v === undefined || v === '') return [];
  return [
    {
      id: 'AUTH-REQUIREPASS',
      severity: 'low',
      title: 'requirepass is set',
      seen: 'requirepass is set (the default user shares one password)',
      why: "One shared password for every client gives each the default user's permissions and no accountability.",
      fix: 'Use named ACL users in an ACL file; keep requirepass only for clients that cannot send a user name.',
      ref: REF.requirepass,
    },
  ];
}

function aclFile(s: Snapshot, users: AuditedUser[] | null): Finding[] {
  const file = cfg(s, 'aclfile');
  if (file === undefined || file !== '') return [];
  const inConf = (users ?? []).filter((u) => u.rules.origin === 'config');
  return [
    {
      id: 'ACL-FILE',
      severity: 'low',
      title: 'No external ACL file',
      seen: inConf.length > 0 ? `users declared in redis.conf: ${names(inConf)}` : 'aclfile is not set',
      why: 'An ACL file keeps users in one reviewable place, ACL SAVE can persist changes, and redis.conf holds no credentials.',
      fix: 'Move the users into a file named by "aclfile" (mode 0600, owned by the server user).',
      ref: REF.aclFile,
    },
  ];
}

function aclLog(s: Snapshot): Finding[] {
  const out: Finding[] = [];
  if (cfg(s, 'acllog-max-len') === '0') {
    out.push({
      id: 'ACL-LOG-DISABLED',
      severity: 'low',
      title: 'ACL LOG keeps no entries',
      seen: 'acllog-max-len 0',
      why: 'Denied commands and failed logins leave no trace to monitor.',
      fix: 'Set acllog-max-len to 128 (the default) or more, and watch ACL LOG.',
      ref: REF.aclLog,
    });
  }
  const auth = (s.aclLog ?? []).filter((e) => e.reason === 'auth');
  if (auth.length === 0) return out;
  const recent = auth.filter((e) => e.ageSeconds < 86400);
  const count = (l: typeof auth): number => l.reduce((n, e) => n + e.count, 0);
  const who = [...new Set(auth.map((e) => e.username))].join(', ');
  out.push({
    id: 'ACL-LOG-AUTH-FAILURES',
    severity: recent.length > 0 ? 'medium' : 'info',
    title: 'Failed authentications in ACL LOG',
    seen: `${count(auth)} failed AUTH attempt(s), ${count(recent)} in the last 24 hours, for user name(s): ${who}`,
    why: 'Repeated failures are the signature of password guessing or of a client with stale credentials.',
    fix: 'Review ACL LOG (client addresses are listed there), block the source or fix the client, then ACL LOG RESET.',
    ref: REF.aclLog,
  });
  return out;
}

function unknownRules(users: AuditedUser[]): Finding[] {
  return users
    .filter((u) => u.unknownRules.length > 0)
    .map((u) => ({
      id: 'ACL-UNKNOWN-RULES',
      severity: 'info' as Severity,
      title: 'Rules the audit could not evaluate',
      seen: `user ${u.name}: ${u.unknownRules.length} rule(s) name commands or categories unknown to Redis 7.0.15`,
      why: "Those rules were ignored, so this user's permissions may be wider than reported.",
      fix: 'Review this user by hand.',
      ref: REF.review,
    }));
}

export function aclChecks(s: Snapshot): Finding[] {
  const users = auditedUsers(s);
  const byUser =
    users === null
      ? []
      : [
          ...authNone(users),
          ...defaultUser(users),
          ...admins(users),
          ...dangerous(users),
          ...plaintext(users),
          ...unknownRules(users),
        ];
  return [...byUser, ...weak(s, users), ...requirepass(s), ...aclFile(s, users), ...aclLog(s)];
}
