// The users of a snapshot evaluated once with the ACL engine, and the facts several checks
// share: who is enabled, who can log in without a password, who is an admin.

import { evaluateUser, isAdmin, type EvaluatedUser } from '../acl-eval.js';
import type { Snapshot, UserRules } from '../snapshot.js';

export interface AuditedUser extends EvaluatedUser {
  readonly rules: UserRules;
  readonly enabled: boolean;
  /** Enabled with nopass: anyone who can connect is this user. */
  readonly free: boolean;
  readonly admin: boolean;
}

const cache = new WeakMap<Snapshot, AuditedUser[] | null>();

export function auditedUsers(s: Snapshot): AuditedUser[] | null {
  if (cache.has(s)) return cache.get(s)!;
  const out =
    s.users === null
      ? null
      : s.users.map((r) => {
          const e = evaluateUser(r);
          const enabled = e.user.enabled && !e.user.disabled;
          return { ...e, rules: r, enabled, free: enabled && e.user.nopass, admin: enabled && isAdmin(e.user) };
        });
  cache.set(s, out);
  return out;
}

export function names(list: readonly { name: string }[]): string {
  return list.map((u) => u.name).join(', ');
}
